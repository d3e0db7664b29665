#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`fdpass scm|mmsg|getfd`: a pipe made after the fork is handed to the child,
over a socketpair as SCM_RIGHTS (received with recvmsg or recvmmsg) or taken
by the child with pidfd_getfd;
the parent writes a few messages and closes its ends, and the child reads to
end of file while it holds the write end it was given, so it hangs. Traced
live (pipecommon.trace_hang), the program's report as the truth:

- the events show the handover: `fd_received` events after the child's
  recvmsg (recvmmsg) on its socket, or its `pidfd_getfd` calls naming the parent and the
  parent's descriptors, each with the child's new descriptor and the pipe's
  end it is;
- a `no_eof` diagnosis about the child, blocked on the read end it received,
  naming the write end it received as the only one open (its own);
- in the graph the child holds both ends it was given, on the descriptors it
  got, beside the parent's own."""

from common import check, check_eq, done, example, passed, select_events
from pipecommon import (check_against_events, check_all_closed, check_diagnosis_shape, check_hang_end,
                        check_objects, ends, obj_name, pids_fds, trace_hang)


def check_handover(mode, ev, rep, name):
    """The events by which the child got the pipe's ends."""
    parent, child = rep['parent_pid'], rep['child_pid']
    got = [(rep['read_fd'], 'read'), (rep['write_fd'], 'write')]
    if mode in ('scm', 'mmsg'):
        call = 'recvmsg' if mode == 'scm' else 'recvmmsg'
        # recvmmsg's bytes are messages: one.
        recv = [i for i, e in enumerate(ev) if e['type'] == call and e['pid'] == child]
        check_eq('%s: %s calls by the child (fd, bytes)' % (mode, call), [(rep['socket_fd'], 1)],
                 [(ev[i]['fd'], ev[i].get('bytes')) for i in recv])
        passed_fds = [(i, e) for i, e in enumerate(ev) if e['type'] == 'fd_received']
        check_eq('%s: fd_received events (pid, fd, object, end, socket_fd)' % mode,
                 [(child, fd, name, end, rep['socket_fd']) for fd, end in got],
                 [(e['pid'], e['fd'], e['object'], e.get('end'), e.get('socket_fd'))
                  for _, e in passed_fds])
        check(all(recv[0] < i for i, _ in passed_fds),
              '%s: an fd_received event before the %s' % (mode, call))
    else:
        calls = select_events(ev, type='pidfd_getfd')
        check_eq('getfd: pidfd_getfd calls (pid, source_pid, source_fd, newfd, object, end)',
                 [(child, parent, rep['sender_read_fd'], rep['read_fd'], name, 'read'),
                  (child, parent, rep['sender_write_fd'], rep['write_fd'], name, 'write')],
                 [(e['pid'], e.get('source_pid'), e.get('source_fd'), e.get('newfd'), e.get('object'),
                   e.get('end')) for e in calls])
        check_eq('getfd: fd_received events', [], select_events(ev, type='fd_received'))


for mode in ('scm', 'mmsg', 'getfd'):
    h = trace_hang([example('fdpass'), mode], 'fdpass')
    rep = h.rep
    parent, child, name = rep['parent_pid'], rep['child_pid'], obj_name('pipe', rep['inode'])
    rfd, wfd, nbytes = rep['read_fd'], rep['write_fd'], rep['bytes_written']
    check_hang_end(h)
    ev, diags = h.events, h.diagnoses

    check_handover(mode, ev, rep, name)
    writes = select_events(ev, type='write', object=name)
    check_eq('%s: writes on %s (pid, fd)' % (mode, name), {(parent, rep['sender_write_fd'])},
             {(e['pid'], e['fd']) for e in writes})
    check_eq('%s: (writes, bytes) by the parent' % mode, (rep['writes'], nbytes),
             (len(writes), sum(e['bytes'] for e in writes)))
    reads = select_events(ev, type='read', object=name)
    check_eq('%s: reads on %s (pid, fd)' % (mode, name), {(child, rfd)}, {(e['pid'], e['fd']) for e in reads})
    check_eq('%s: bytes read by the child, none at EOF' % mode, (nbytes, []),
             (sum(e.get('bytes', 0) for e in reads), [e for e in reads if e.get('ret') == 0]))
    passed('%s: child %d got %s as fds %d (read) and %d (write) and read the %d bytes'
           % (mode, child, name, rfd, wfd, nbytes))

    check(h.seen, '%s: no "no_eof" diagnosis while the child was blocked' % mode)
    for d in diags:
        check_diagnosis_shape(d)
    check_eq('%s: kinds of diagnosis' % mode, {'no_eof'}, {d['kind'] for d in diags})
    check(h.every.index(diags[0]) < h.at_kill, '%s: the first no_eof came after the kills' % mode)
    for d in diags:
        check_eq('%s: no_eof (object, pid, comm, fd)' % mode, (name, child, 'fdpass', rfd),
                 (d['object'], d['pid'], d['comm'], d['fd']))
        check_eq('%s: no_eof: holders of the write end (pid, fd): the one the child got' % mode,
                 [(child, wfd)], pids_fds(d['holders']))
        check('will never see EOF' in d['message'] and '(itself)' in d['message'],
              '%s: the message does not say that the child holds the write end itself: %r'
              % (mode, d['message']))
    passed('%s: %r' % (mode, diags[0]['message']))

    o = check_objects(h).get(name)
    check(o is not None, '%s: %s is not in the graph' % (mode, name))
    check_eq('%s: writers (pid, fd, bytes, calls)' % mode,
             sorted([(parent, rep['sender_write_fd'], nbytes, rep['writes']), (child, wfd, 0, 0)]),
             ends(o['writers']))
    check_eq('%s: readers (pid, fd)' % mode, sorted([(parent, rep['sender_read_fd']), (child, rfd)]),
             pids_fds(o['readers']))
    check_against_events(o, ev)
    check_all_closed(o)
    passed('%s: %s is held by the child on fds %d and %d' % (mode, name, rfd, wfd))
done()
