#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The output formats, on the demo (a pipe, a fork, a handled SIGUSR1 and an
ignored SIGUSR2): with -o json every stdout line is a JSON object with the
common fields; the event types the demo causes are all there; the ignored
signal is generated as "ignored" and never delivered. Text mode has a
header and aligned columns, and as many lines as the summary counts."""

import re
import time

from common import (EVENT_TYPES, SYSCALL_TYPES, check, check_clean_exit, check_eq, done, example, fail, one, passed,
                    run_cli, select_events, total_bytes, trace)

before = time.time_ns()
t = trace([example('demo')])
after = time.time_ns()
ev, rep = t.events, t.report
check(rep is not None, 'demo wrote no report')
check_eq('stdout lines that are not JSON (the demo prints only to stderr)', [], t.other_lines)
check_clean_exit(t, 0)
passed('%d JSON lines, exit status 0, 0 lost' % (len(ev) + 1))

sessions = set()
for e in ev:
    for key, typ in (('time_ns', int), ('type', str), ('pid', int), ('tid', int),
                     ('comm', str), ('session', int)):
        v = e.get(key)
        if not isinstance(v, typ) or isinstance(v, bool):
            fail('event without a proper %s (%s): %r' % (key, typ.__name__, e))
    check(before - 5 * 10**9 <= e['time_ns'] <= after + 5 * 10**9,
          'time_ns %d is not the time of the run (%d..%d, epoch ns): %r'
          % (e['time_ns'], before, after, e))
    check(e['pid'] > 0 and e['tid'] > 0 and e['comm'] != '', 'bad process fields: %r' % e)
    sessions.add(e['session'])
    check(e['type'] in EVENT_TYPES, 'an event of an unknown type: %r' % e)
    if e['type'] in SYSCALL_TYPES:
        check(isinstance(e.get('ret'), int) and isinstance(e.get('duration_ns'), int),
              'a syscall event without ret and duration_ns: %r' % e)
        check(('errno' in e) == (e['ret'] < 0), 'errno present iff ret < 0 fails: %r' % e)
check_eq('session ids in one run', 1, len(sessions))
passed('every event has time_ns (epoch, now), type, pid, tid, comm, session; syscalls ret, duration_ns')

types = {e['type'] for e in ev}
want = {'exec', 'fork', 'write', 'read', 'kill', 'signal_generate', 'signal_deliver',
        'rt_sigreturn', 'exit'}
check_eq('event types missing from the demo\'s trace', set(), want - types)
check(types & {'pipe', 'pipe2'}, 'no pipe or pipe2 event among %r' % sorted(types))
passed('types seen: %s' % ', '.join(sorted(types)))

parent, child = rep['parent_pid'], rep['child_pid']
p = one(select_events(ev, type=('pipe', 'pipe2'), pid=parent), 'pipe in the demo')
obj = p['object']
check_eq('pipe fds', [rep['read_fd'], rep['write_fd']], p.get('fds'))
w = select_events(ev, type='write', pid=child, object=obj)
r = select_events(ev, type='read', pid=parent, object=obj)
check_eq('demo child writes / bytes', (rep['writes'], rep['bytes_written']), (len(w), total_bytes(w)))
check_eq('demo parent reads / bytes', (rep['reads'], rep['bytes_read']), (len(r), total_bytes(r)))
passed('pipe %s: %d writes, %d reads, as the demo counted' % (obj, len(w), len(r)))

g1 = one(select_events(ev, type='signal_generate', sig='SIGUSR1'), 'SIGUSR1 generated')
check_eq('SIGUSR1 (sender, target, result)', (parent, child, 'queued'),
         (g1['pid'], g1.get('target_pid'), g1.get('result')))
d1 = one(select_events(ev, type='signal_deliver', sig='SIGUSR1'), 'SIGUSR1 delivered')
check_eq('SIGUSR1 delivery (pid, action, handler)', (child, 'handler', 'on_sigusr1'),
         (d1['pid'], d1.get('action'), d1.get('handler')))
check_eq('handler runs the demo counted', rep['handled']['SIGUSR1'], 1)

k2 = one(select_events(ev, type='kill', sig='SIGUSR2'), 'kill SIGUSR2')
check_eq('kill SIGUSR2 (pid, target, ret)', (parent, parent, 0), (k2['pid'], k2.get('target_pid'), k2.get('ret')))
g2 = one(select_events(ev, type='signal_generate', sig='SIGUSR2'), 'SIGUSR2 generated')
check_eq('SIGUSR2 (sender, target, result)', (parent, parent, 'ignored'),
         (g2['pid'], g2.get('target_pid'), g2.get('result')))
check_eq('SIGUSR2 deliveries', [], select_events(ev, type='signal_deliver', sig='SIGUSR2'))
passed('SIGUSR1 queued and handled; SIGUSR2 ignored, never delivered')

# Text mode, the default.
r = run_cli(['run', '--', example('demo')])
check_eq('text mode: exit status', 0, r.returncode)
lines = r.stdout.splitlines()
check(lines and lines[0].startswith('TIME'), 'text mode: no header line starting with TIME: %r' % lines[:1])
head = lines[0]
col_proc, col_event, col_details = head.index('PROCESS'), head.index('EVENT'), head.index('DETAILS')
rows = lines[1:]
check(rows, 'text mode: no event lines')
for line in rows:
    time_col, proc_col = line[:col_proc], line[col_proc:col_event]
    event = line[col_event:].split(' ', 1)[0]
    if not (re.fullmatch(r' *\d+\.\d{6}  ', time_col) and re.fullmatch(r'\S+\[\d+(/\d+)?\] *', proc_col)
            and event in EVENT_TYPES and line[col_event - 1] == ' '):
        fail('text mode: a line whose columns do not line up with the header '
             '(TIME at 0, PROCESS at %d, EVENT at %d):\n  %s\n  %s' % (col_proc, col_event, head, line))
    check(line[col_details - 1] == ' ' and len(event) < col_details - col_event,
          'text mode: the details do not start at column %d: %r' % (col_details, line))
check('\033[' not in r.stdout, 'text mode: color escapes although stdout is not a terminal')
m = re.search(r'exited 0; (\d+) events, (\d+) lost', r.stderr)
check(m, 'text mode: no summary on stderr: %r' % r.stderr)
check_eq('text mode: event lines vs the summary\'s count', int(m.group(1)), len(rows))
check_eq('text mode: lost', 0, int(m.group(2)))
passed('text mode: header, %d aligned event lines, summary on stderr' % len(rows))

r = run_cli(['run', '--color', 'always', '--', example('demo')])
check_eq('--color always: exit status', 0, r.returncode)
check('\033[' in r.stdout, '--color always: no color escapes in the output')
passed('--color always colors the output')
done()
