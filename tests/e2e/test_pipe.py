#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`pipe 100`: a child writes 100 messages into a pipe, the parent reads to
EOF. The pipe's creation, every write and every read (with its byte count)
and the closes of both ends match the program's own counts exactly."""

from common import (by_time, check, check_clean_exit, check_eq, done, example, one, passed,
                    select_events, total_bytes, trace)

N = 100

t = trace([example('pipe'), str(N)])
ev, rep = t.events, t.report
check(rep is not None, 'pipe wrote no report')
check_clean_exit(t, 0)
parent, child = rep['parent_pid'], rep['child_pid']
rfd, wfd = rep['read_fd'], rep['write_fd']
passed('exit status 0, summary consistent, 0 lost')

p = one(select_events(ev, type=('pipe', 'pipe2'), pid=parent), 'pipe/pipe2 in parent %d' % parent)
check_eq('pipe fds', [rfd, wfd], p.get('fds'))
check_eq('pipe ret', 0, p.get('ret'))
check_eq('pipe kind', 'pipe', p.get('kind'))
obj = p.get('object')
check(isinstance(obj, str) and obj.startswith('pipe:['), 'pipe object looks wrong: %r' % obj)
passed('%s(%s) = 0, object %s' % (p['type'], p['fds'], obj))

fork = one(select_events(ev, type='fork', pid=parent), 'fork in parent')
check_eq('fork child_pid', child, fork.get('child_pid'))

writes = select_events(ev, type='write', pid=child, fd=wfd, object=obj)
check_eq('writes by child %d on fd %d' % (child, wfd), rep['writes'], len(writes))
check_eq('bytes written by the child', rep['bytes_written'], total_bytes(writes))
for w in writes:
    check_eq('write end', 'write', w.get('end'))
    check_eq('write kind', 'pipe', w.get('kind'))
    check_eq('write bytes == ret', w.get('ret'), w.get('bytes'))
check_eq('writes on %s by other processes or fds' % obj, [],
         [w for w in select_events(ev, type='write', object=obj) if w not in writes])
passed('%d writes, %d bytes, from child %d' % (len(writes), total_bytes(writes), child))

reads = by_time(select_events(ev, type='read', pid=parent, fd=rfd, object=obj))
check_eq('reads by parent %d on fd %d (with the final EOF)' % (parent, rfd), rep['reads'], len(reads))
check_eq('bytes read by the parent', rep['bytes_read'], total_bytes(reads))
check_eq('bytes of the last read (EOF)', 0, reads[-1].get('bytes'))
check(all(r.get('bytes', 0) > 0 for r in reads[:-1]), 'a read before the last one returned 0')
for r in reads:
    check_eq('read end', 'read', r.get('end'))
    check_eq('read count', 4096, r.get('count'))
check_eq('reads on %s by other processes or fds' % obj, [],
         [r for r in select_events(ev, type='read', object=obj) if r not in reads])
passed('%d reads, %d bytes, last one EOF, in parent %d' % (len(reads), total_bytes(reads), parent))

# Each process closes the end it does not use, then the one it used.
for who, pid, order in (('parent', parent, [wfd, rfd]), ('child', child, [rfd, wfd])):
    closes = by_time(select_events(ev, type='close', pid=pid, object=obj))
    check_eq('fds of %s closes on %s, in order' % (who, obj), order, [c.get('fd') for c in closes])
    for c in closes:
        check_eq('close end of fd %d' % c['fd'], 'read' if c['fd'] == rfd else 'write', c.get('end'))
        check_eq('close ret', 0, c.get('ret'))
passed('closes of both ends in both processes')
done()
