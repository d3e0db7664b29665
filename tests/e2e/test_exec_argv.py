#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Each exec is followed by an `argv` event: the arguments the program was
given, read in the kernel from the new program's memory, compared with
what `args` reports it got. `args again ARGS` execs twice in one process
(two argv events, each right after its exec); arguments with spaces,
quotes, an empty one and UTF-8 come back as given; a longer argument list
than the event holds (88 bytes) is cut, with `argc` still the whole count
and `argv_truncated`. In text, `argv` shows them as a shell would read them
back ('b c', 'it'\\''s', '')."""

from common import check, check_clean_exit, check_eq, done, example, next_of, one, passed, select_events, trace
from textcommon import run_reported

HOLDS = 88      # IPCT_ARGV_LEN


def argv_after(ev, ex):
    """The event after the exec ex: its argv event."""
    a = next_of(ev, ex)
    check_eq('the event after exec of pid %d' % ex['pid'], 'argv', a['type'])
    return a


def expect(argv):
    """What the event holds of argv: the first HOLDS bytes of the NUL-ended arguments."""
    raw = b''.join(a.encode() + b'\0' for a in argv)
    held = raw[:HOLDS]
    words = held.split(b'\0')
    if held.endswith(b'\0'):
        words = words[:-1]
    return [w.decode() for w in words], len(raw) > HOLDS


given = ['a', 'b c', "it's", '', 'caf\u00e9', '"q"']
t = trace([example('args'), 'again'] + given, to_files=True)
ev, rep = t.events, t.report
check_clean_exit(t, 0)
pid = rep['pid']
execs = select_events(ev, type='exec', pid=pid)
check_eq('execs of pid %d' % pid, 2, len(execs))
first, second = (argv_after(ev, x) for x in execs)
check_eq('first exec: argv (as the test gave it)', [example('args'), 'again'] + given, first['argv'])
check_eq('second exec: argv (as the program reports it)', rep['argv'], second['argv'])
check_eq('second exec: (argc, argv_truncated)', (len(rep['argv']), False), (second['argc'], second['argv_truncated']))
check_eq('argv events in all', 2, len(select_events(ev, type='argv')))
passed('exec twice in pid %d: argv %r, then %r' % (pid, first['argv'], second['argv']))

long_args = ['%02d-%s' % (i, 'x' * 20) for i in range(6)]
t = trace([example('args')] + long_args, to_files=True)
check_clean_exit(t, 0)
rep = t.report
a = argv_after(t.events, one(select_events(t.events, type='exec', pid=rep['pid']), 'exec of args'))
want, cut = expect(rep['argv'])
check(cut, 'the test\'s arguments fit in %d bytes: %r' % (HOLDS, rep['argv']))
check_eq('long argv: (argc, argv_truncated, argv held)', (len(rep['argv']), True, want),
         (a['argc'], a['argv_truncated'], a['argv']))
passed('%d arguments of %d bytes: %d words held, cut' % (len(rep['argv']), sum(len(x) + 1 for x in rep['argv']),
                                                         len(a['argv'])))

r = run_reported(['run', '--', example('args'), 'a', 'b c', "it's", ''])
check_eq('text run status', 0, r.returncode)
pid = r.report['pid']
lines = [l.split(None, 3) for l in r.stdout.splitlines()]
mine = [l for l in lines if len(l) == 4 and l[1].endswith('[%d]' % pid) and l[2] in ('exec', 'argv')]
check_eq('text: exec then argv lines of pid %d' % pid, ['exec', 'argv'], [l[2] for l in mine])
check_eq('text: argv line', "%s a 'b c' 'it'\\''s' ''" % example('args'), mine[1][3])
passed('text: %s' % mine[1][3])
done()
