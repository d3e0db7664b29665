#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Whose descriptor table is it (`clonefiles MODE`): the parent makes pipe p1;
another task closes p1's write end and makes pipe p2; the parent then execs
`holds`. The other task is a clone(CLONE_FILES) child sharing the parent's
table (`shared`), such a child that first unshares it (`unshare`, and
`close_range` with CLOSE_RANGE_UNSHARE), a thread (`thread`), or a vfork
child, which has a copy of the table as after fork and execs `holds` itself
(`vfork`). What the parent holds at its exec is the program's own account
(fstat, and the exec'd `holds`'s exit status, which is the command's):

- a `leaked_write_end` diagnosis about the parent for each write end it
  really holds, and none for the one the other task closed for it;
- in the graph, the parent's entries follow the shared table: its copy of
  p1's write end is closed by the other task's close, and it holds p2 from
  the other task's pipe on, when they share the table, and not otherwise;
- the fork event says whether the child shares the table."""

from common import check, check_clean_exit, check_eq, done, example, one, passed, select_events, trace
from pipecommon import check_against_events, check_diagnosis_shape, check_objects, obj_name, PIPES

# mode: what the parent holds at its exec (p1's read end, p1's write end, p2's read end,
# p2's write end), as the mode is built to do.
HOLDS = {
    'shared': [True, False, True, True],
    'unshare': [True, True, False, False],
    'close_range': [True, True, False, False],
    'thread': [True, False, True, True],
    'vfork': [True, True, False, False],
}


def entry(o, side, pid, fd):
    got = [h for h in o[side] if (h['pid'], h['fd']) == (pid, fd)]
    check(len(got) <= 1, '%s: two %s entries for pid %d fd %d' % (o['object'], side, pid, fd))
    return got[0] if got else None


for mode, held in HOLDS.items():
    t = trace([example('clonefiles'), mode], opts=PIPES)
    rep = t.report
    check(rep is not None, '%s: no report' % mode)
    check_eq('%s: what the parent holds at its exec (r1, w1, r2, w2), by its own account' % mode,
             held, rep['holds'])
    bits = sum(1 << i for i, h in enumerate(held) if h)
    check_clean_exit(t, bits)
    ev = t.events
    parent, other = rep['parent_pid'], rep['other_pid']
    p1, p2 = obj_name('pipe', rep['inode1']), obj_name('pipe', rep['inode2'])
    w1, w2 = rep['write1'], rep['write2']

    # The diagnoses: a leak for each write end the parent really holds at its exec.
    for d in t.diagnoses:
        check_diagnosis_shape(d)
    want = sorted([(parent, w1, p1)] * held[1] + [(parent, w2, p2)] * held[3])
    leaks = [d for d in t.diagnoses if d['kind'] == 'leaked_write_end']
    check_eq('%s: leaked_write_end diagnoses (pid, fd, object)' % mode, want,
             sorted((d['pid'], d['fd'], d['object']) for d in leaks))
    check_eq('%s: kinds of diagnosis' % mode, {'leaked_write_end'}, {d['kind'] for d in t.diagnoses})

    # The fork event of the other task says whether it shares the table.
    if mode != 'thread':
        f = one(select_events(ev, type='fork', pid=parent, child_pid=other), 'fork of the other')
        check_eq('%s: shared_fd_table of the fork' % mode, mode != 'vfork', f.get('shared_fd_table'))

    # When the parent's copy of p1's write end was closed: by the other task when the
    # table is one, else at the parent's exit.
    graph = check_objects(t)
    o1 = graph.get(p1)
    check(o1 is not None, '%s: %s is not in the graph' % (mode, p1))
    check_against_events(o1, ev)
    exit_parent = one(select_events(ev, type='exit', pid=parent), 'exit of the parent')
    if mode in ('shared', 'thread'):
        closer = one(select_events(ev, type='close', tid=other, fd=w1), 'close of w1 by the other')
    else:
        closer = exit_parent
    check_eq('%s: when the parent\'s %s fd %d was closed (%s by %d)'
             % (mode, p1, w1, closer['type'], closer['tid']),
             closer['time_ns'], entry(o1, 'writers', parent, w1)['closed_ns'])
    if mode in ('unshare', 'close_range', 'vfork'):
        call = 'close_range' if mode == 'close_range' else 'close'
        c = one(select_events(ev, type=call, pid=other), '%s: the other\'s %s' % (mode, call))
        check_eq('%s: when the other\'s %s fd %d was closed (its %s)' % (mode, p1, w1, call),
                 c['time_ns'], entry(o1, 'writers', other, w1)['closed_ns'])
    if mode == 'unshare':
        u = one(select_events(ev, type='unshare', pid=other), 'unshare of the other')
        check_eq('unshare: the event\'s flags', ['CLONE_FILES'], u.get('flags'))

    # p2: the parent holds it from the other task's pipe on exactly when they share the table.
    if mode != 'vfork':
        o2 = graph.get(p2)
        check(o2 is not None, '%s: %s is not in the graph' % (mode, p2))
        check_against_events(o2, ev)
        mine = entry(o2, 'writers', parent, w2)
        if held[3]:
            check(mine is not None, '%s: the parent is not a writer of %s (fd %d): %r'
                  % (mode, p2, w2, o2['writers']))
            check_eq('%s: the parent\'s %s fd %d closed at its exit' % (mode, p2, w2),
                     exit_parent['time_ns'], mine['closed_ns'])
        else:
            check(mine is None, '%s: the parent is a writer of %s although it never held it: %r'
                  % (mode, p2, mine))
            check_eq('%s: writers of %s (pid, fd)' % (mode, p2), [(other, w2)],
                     [(h['pid'], h['fd']) for h in o2['writers']])
    else:
        check_eq('vfork: what the vfork child exec\'d with (r1, w1), by its own account', 1,
                 rep['other_holds'])
    passed('%s: the parent holds (r1, w1, r2, w2) = %r at its exec; diagnoses %r'
           % (mode, held, want))
done()
