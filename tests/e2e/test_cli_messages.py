#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the CLI says when asked for help or given something wrong
(ipctrace(1)):

- every verb's -h and --help, and `ipctrace help VERB`, print the verb's
  usage on stdout, nothing on stderr, exit 0 (the same text all three);
- a bad option: getopt's line, the usage line and "See 'ipctrace VERB
  --help'." on stderr, at most 4 lines, nothing on stdout, exit 2; an
  unknown verb and no verb alike;
- matches: comm= longer than 15 characters is refused, saying that the
  kernel cuts names to 15 and what to type instead (exit 2); errno=epipe
  and type=KILL select what errno=EPIPE and type=kill do; pid=A,B selects
  what pid=A pid=B does, each as the traced program reported its pid."""

import os

from common import Daemon, check, check_eq, done, example, passed, run_cli, trace
from logcommon import log, same_events

VERBS = ['run', 'attach', 'trace', 'detach', 'log', 'pipes', 'signals', 'explain', 'sessions', 'stats']

for verb in VERBS:
    texts = []
    for args in ([verb, '-h'], [verb, '--help'], ['help', verb]):
        r = run_cli(args)
        what = 'ipctrace ' + ' '.join(args)
        check_eq('%s: exit status' % what, 0, r.returncode)
        check_eq('%s: stderr' % what, '', r.stderr)
        # attach and trace share their usage, which names both.
        check(r.stdout.startswith('Usage: ') and 'ipctrace %s ' % verb in r.stdout.split('\n\n')[0],
              '%s: not its usage: %r' % (what, r.stdout[:80]))
        texts.append(r.stdout)
    check(texts[0] == texts[1] == texts[2], '%s: -h, --help and help %s differ' % (verb, verb))
    r = run_cli([verb, '--no-such-option'])
    what = 'ipctrace %s --no-such-option' % verb
    check_eq('%s: exit status' % what, 2, r.returncode)
    check_eq('%s: stdout' % what, '', r.stdout)
    lines = r.stderr.splitlines()
    check(len(lines) <= 4 and lines[-1] == "See 'ipctrace %s --help'." % verb
          and any('ipctrace %s ' % verb in line for line in lines[:-1]) and 'Options' not in r.stderr,
          '%s: not a short usage error: %r' % (what, r.stderr))
passed('%d verbs: -h, --help and help VERB on stdout, exit 0; a bad option: 4 lines at most, exit 2' % len(VERBS))

for args in (['no-such-verb'], []):
    r = run_cli(args)
    check_eq('ipctrace %s: exit status' % ' '.join(args), 2, r.returncode)
    check(len(r.stderr.splitlines()) <= 3 and r.stderr.endswith("See 'ipctrace --help'.\n"),
          'ipctrace %s: not a short usage error: %r' % (' '.join(args), r.stderr))
passed('an unknown verb, and none: a short usage error, exit 2')

d = Daemon()
try:
    sock = d.socket
    r = run_cli(['log', '-s', sock, 'comm=abcdefghijklmnopq'])
    check_eq('log comm=<17 characters>: exit status', 2, r.returncode)
    for w in ('longer than 15', 'kernel', 'comm=abcdefghijklmno'):
        check(w in r.stderr, 'log comm=<17 characters>: the error does not say %r: %r' % (w, r.stderr))
    passed('comm= over 15 characters: refused, with the 15 to type')

    # A program that kills and one whose child's write fails with EPIPE.
    t1 = trace([example('signals'), '3'], opts=['-s', sock], to_files=True)
    t2 = trace([example('sigcases'), 'sigpipe'], opts=['-s', sock], to_files=True)
    pids = sorted({e['pid'] for e in t1.events} | {e['pid'] for e in t2.events})
    kills = log(sock, 'type=kill')
    check(kills, 'log type=kill: no kill')
    same_events('log type=KILL', kills, log(sock, 'type=KILL'))
    epipe = log(sock, 'errno=EPIPE')
    check_eq('log errno=EPIPE: the write of the child the program reports',
             [('write', t2.report['child'])], [(e['type'], e['pid']) for e in epipe])
    same_events('log errno=epipe', epipe, log(sock, 'errno=epipe'))
    a, b = t1.events[0]['pid'], t2.events[0]['pid']
    both = log(sock, 'pid=%d' % a, 'pid=%d' % b)
    check(both and {e['pid'] for e in both} == {a, b}, 'log pid=%d pid=%d: %r' % (a, b, {e['pid'] for e in both}))
    same_events('log pid=%d,%d' % (a, b), both, log(sock, 'pid=%d,%d' % (a, b)))
    same_events('log pid=<all %d>' % len(pids), log(sock), log(sock, 'pid=' + ','.join(map(str, pids))))
    r = run_cli(['log', '-s', sock, 'pid=%d,x' % a])
    check_eq('log pid=N,x: exit status', 2, r.returncode)
    check("'x'" in r.stderr, 'log pid=N,x: the error does not name x: %r' % r.stderr)
    passed('type=KILL (%d kills), errno=epipe (%d), pid=A,B as pid=A pid=B; pid=N,x refused'
           % (len(kills), len(epipe)))
finally:
    d.cleanup()
done()
