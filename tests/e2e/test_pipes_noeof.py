#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`noeof`: the child reads a pipe until end of file but never closed its own
copy of the write end, so it blocks for ever; the parent wrote a few bytes,
closed its write end and waits. Traced live with `ipctrace run -o json
--pipes` (stdout read with a deadline, never a sleep):

- a `no_eof` diagnosis appears while the program hangs: about the child,
  blocked on its read fd of pipe:[inode], at least a second after its last
  read returned, naming the child's leaked write fd as the only holder of
  the write end;
- once the test kills both processes (SIGKILL, parent first), ipctrace exits
  128+9 and the pipe's graph entry lists the child as a writer with 0 bytes
  on the leaked fd, the parent as the writer of every byte, and warnings."""

from common import check, check_eq, done, example, passed, select_events
from pipecommon import (check_against_events, check_all_closed, check_diagnosis_shape, check_hang_end,
                        check_object_shape, ends, obj_name, pids_fds, trace_hang)

h = trace_hang([example('noeof')], 'noeof')
rep = h.rep
parent, child, inode = rep['parent_pid'], rep['child_pid'], rep['inode']
rfd, wfd, nbytes = rep['read_fd'], rep['leaked_write_fd'], rep['bytes_written']
name = obj_name('pipe', inode)
passed('parent %d wrote %d bytes to %s; child %d (read fd %d, leaked write fd %d) read them'
       % (parent, nbytes, name, child, rfd, wfd))
check_hang_end(h)
ev, diags, graph = h.events, h.diagnoses, h.objects
every, seen, at_kill = h.every, h.seen, h.at_kill
passed('after SIGKILL to both: ipctrace exits 137, summary "killed by SIGKILL", 0 lost')

# Raw events: what the program says it did.
writes = select_events(ev, type='write', object=name)
check_eq('writes on %s: (pid, fd) ' % name, {(parent, wfd)}, {(e['pid'], e['fd']) for e in writes})
check_eq('writes by the parent', rep['writes'], len(writes))
check_eq('bytes written by the parent', nbytes, sum(e['bytes'] for e in writes))
reads = select_events(ev, type='read', object=name)
check_eq('reads on %s: (pid, fd)' % name, {(child, rfd)}, {(e['pid'], e['fd']) for e in reads})
check_eq('bytes read by the child', nbytes, sum(e.get('bytes', 0) for e in reads))
check_eq('reads of the child that returned 0 (it never sees EOF)', [],
         [e for e in reads if e.get('ret') == 0])
check_eq('fds the parent closed on %s, in order' % name, [rfd, wfd],
         [e['fd'] for e in sorted(select_events(ev, type='close', pid=parent, object=name),
                                  key=lambda e: e['time_ns'])])
check_eq('closes by the child on %s (the forgotten one)' % name, [],
         select_events(ev, type='close', pid=child, object=name))
for pid in (parent, child):
    ex = [e for e in ev if e.get('type') == 'exit' and e['pid'] == pid]
    check_eq('exit of %d: exit_signal' % pid, ['SIGKILL'], [e.get('exit_signal') for e in ex])
passed('events: %d writes by the parent, %d bytes read by the child, no EOF, no close by the child'
       % (len(writes), nbytes))

# The diagnosis, while it hung.
check(seen, 'no "no_eof" diagnosis while the child was blocked')
for d in diags:
    check_diagnosis_shape(d)
no_eof = [d for d in diags if d['kind'] == 'no_eof']
check_eq('kinds of diagnosis', {'no_eof'}, {d['kind'] for d in diags})
first = min(every.index(d) for d in no_eof)
check(first < at_kill, 'the first no_eof diagnosis came after the kills')
for d in no_eof:
    check_eq('no_eof: object', name, d['object'])
    check_eq('no_eof: (pid, comm, fd) of the blocked reader', (child, 'noeof', rfd),
             (d['pid'], d['comm'], d['fd']))
    check_eq('no_eof: holders of the write end (pid, fd): the child\'s leaked fd only',
             [(child, wfd)], pids_fds(d['holders']))
    check_eq('no_eof: session', {e['session'] for e in ev}, {d['session']})
    last_read = max(e['time_ns'] for e in reads)
    check(d['time_ns'] - last_read >= 1000000000,
          'no_eof at %d, only %.3f s after the child\'s last read returned (at %d)'
          % (d['time_ns'], (d['time_ns'] - last_read) / 1e9, last_read))
    check(name in d['message'] and str(child) in d['message'],
          'the message does not name %s and pid %d: %r' % (name, child, d['message']))
d = no_eof[0]
passed('no_eof: %r' % d['message'])

# The graph after the end.
mine = [o for o in graph if o['object'] == name]
check_eq('ipc_object entries for %s' % name, 1, len(mine))
o = mine[0]
check_object_shape(o)
check_eq('kind', 'pipe', o['kind'])
check_eq('inode', inode, o['inode'])
check_eq('writers (pid, fd, bytes, calls)', sorted([(parent, wfd, nbytes, rep['writes']), (child, wfd, 0, 0)]),
         ends(o['writers']))
check_eq('readers (pid, fd): the parent until it closed, and the child',
         sorted([(parent, rfd), (child, rfd)]), pids_fds(o['readers']))
check_eq('readers that read (pid, fd, bytes)', [(child, rfd, nbytes)],
         [x[:3] for x in ends(o['readers'], nonzero=True)])
check_eq('(bytes_written, bytes_read, eof_reads)', (nbytes, nbytes, 0),
         (o['bytes_written'], o['bytes_read'], o['eof_reads']))
check_against_events(o, ev)
check_all_closed(o)
check(o['warnings'], '%s has no warnings although its reader never saw EOF' % name)
passed('%s: the child is a writer with 0 bytes on fd %d; warnings %r' % (name, wfd, o['warnings']))
done()
