#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`pipeline 1000`: seq 1000 | grep 7 | wc -l, built with pipe, fork, dup2 and
execvp. The three execs, the two pipes, each stage's dup2 onto stdin/stdout,
and the bytes that flow through each pipe (computed here) are all reported,
with every write and read on a pipe made by the stage at that end."""

import os

from common import (by_time, check, check_clean_exit, check_eq, done, example, one, passed,
                    select_events, total_bytes, trace)

N = 1000
seq_out = ''.join('%d\n' % i for i in range(1, N + 1))
grep_out = ''.join(line + '\n' for line in seq_out.splitlines() if '7' in line)

t = trace([example('pipeline'), str(N)])
ev, rep = t.events, t.report
check(rep is not None, 'pipeline wrote no report')
check_clean_exit(t, 0)
check_eq('stage exit codes', {'seq': 0, 'grep': 0, 'wc': 0}, rep['exit'])
check_eq('wc -l output (on stderr: run -o json keeps stdout for the trace)', [str(grep_out.count('\n'))],
         [line.strip() for line in t.command_lines if line.strip()])
check_eq('stdout lines that are not JSON', [], t.other_lines)
parent, pids = rep['parent_pid'], rep['pids']
passed('exit status 0, summary consistent, 0 lost; wc printed %d' % grep_out.count('\n'))

forks = select_events(ev, type='fork', pid=parent)
check_eq('children forked by the parent', sorted(pids.values()),
         sorted(f.get('child_pid') for f in forks))
for name, pid in pids.items():
    ex = one(select_events(ev, type='exec', pid=pid), 'exec in the %s stage (pid %d)' % (name, pid))
    check_eq('exec filename of pid %d' % pid, name, os.path.basename(ex.get('filename', '')))
    check_eq('exit code of %s in its exit event' % name, 0,
             one(select_events(ev, type='exit', pid=pid), 'exit of %s' % name).get('exit_code'))
passed('exec of seq, grep and wc in pids %s' % pids)

pipes = by_time(select_events(ev, type=('pipe', 'pipe2'), pid=parent))
check_eq('pipes created by the parent', 2, len(pipes))
a, b = (p.get('object') for p in pipes)
check(a and b and a != b and a.startswith('pipe:[') and b.startswith('pipe:['),
      'pipe objects look wrong: %r, %r' % (a, b))
passed('two pipes: A=%s (seq->grep), B=%s (grep->wc)' % (a, b))

# Each stage moves its pipe ends onto stdin (0) and stdout (1).
expect_dup = {
    'seq': {1: (a, 'write')},
    'grep': {0: (a, 'read'), 1: (b, 'write')},
    'wc': {0: (b, 'read')},
}
for name, want in expect_dup.items():
    dups = select_events(ev, type=('dup2', 'dup3'), pid=pids[name])
    got = {d.get('newfd'): (d.get('object'), d.get('end')) for d in dups}
    check_eq('dup2 calls of the %s stage (newfd: (object, end))' % name, want, got)
    check_eq('number of dup2 calls of %s' % name, len(want), len(dups))
    for d in dups:
        check_eq('dup2 ret', d.get('newfd'), d.get('ret'))
passed('dup2 onto 0/1 in every stage, with the right pipe ends')

for obj, writer, reader, data in ((a, 'seq', 'grep', seq_out), (b, 'grep', 'wc', grep_out)):
    writes = select_events(ev, type='write', object=obj)
    reads = select_events(ev, type='read', object=obj)
    check_eq('processes writing %s' % obj, {pids[writer]}, {w['pid'] for w in writes})
    check_eq('processes reading %s' % obj, {pids[reader]}, {r['pid'] for r in reads})
    check_eq('bytes %s wrote on %s' % (writer, obj), len(data), total_bytes(writes))
    check_eq('bytes %s read from %s' % (reader, obj), len(data), total_bytes(reads))
    check(all(w.get('fd') == 1 and w.get('end') == 'write' for w in writes),
          '%s wrote to %s other than through fd 1 (write end): %r' % (writer, obj, writes[:3]))
    check(all(r.get('fd') == 0 and r.get('end') == 'read' for r in reads),
          '%s read %s other than through fd 0 (read end): %r' % (reader, obj, reads[:3]))
    check_eq('bytes of %s\'s last read on %s (EOF)' % (reader, obj), 0, by_time(reads)[-1].get('bytes'))
    passed('%s: %d bytes written by %s in %d writes, read by %s in %d reads'
           % (obj, len(data), writer, len(writes), reader, len(reads)))

# The parent closes all four pipe fds, and uses neither pipe otherwise.
closes = select_events(ev, type='close', pid=parent, object=(a, b))
check_eq('pipe ends the parent closes', sorted([(a, 'read'), (a, 'write'), (b, 'read'), (b, 'write')]),
         sorted((c.get('object'), c.get('end')) for c in closes))
check_eq('parent reads/writes on the pipes', [],
         select_events(ev, type=('read', 'write'), pid=parent, object=(a, b)))
done()
