#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Descriptors closed before exec, the ways real programs close them
(`fdclose CASE`, and Python's subprocess): close_range (plain and with
CLOSE_RANGE_CLOEXEC), the C library's closefrom, ioctl FIOCLEX and
FIONCLEX, posix_spawn (a vfork) with and without closefrom. The exec'd
program (`holds`) says which pipe ends it really got; the truth is its
answer, reported by the parent:

- a `leaked_write_end` diagnosis about the exec'd child, naming its write fd,
  exactly when it really holds the write end, and none otherwise;
- in the graph, the child's write-end entry is closed when the kernel closed
  it: at its close_range event, at its exec (close-on-exec), or at its exit
  (when it really held it)."""

import sys
import tempfile

from common import (check, check_clean_exit, check_eq, done, example, one, passed, select_events,
                    trace)
from pipecommon import check_against_events, check_diagnosis_shape, check_objects, obj_name, PIPES

# case: (the exec'd program holds the read end, the write end), as the case is built to do,
# and what closed the child's write end: close_range, the exec (close-on-exec) or the exit.
CASES = {
    'leak': ((True, True), 'exit'),
    'close_range': ((False, False), 'close_range'),
    'cloexec_range': ((False, False), 'exec'),
    'closefrom': ((False, False), 'close_range'),
    'fioclex': ((False, False), 'exec'),
    'fionclex': ((False, True), 'exit'),
    'spawn': ((True, True), 'exit'),
    'spawn_closefrom': ((False, False), 'close_range'),
}


def check_run(t, case, held, closed_by):
    """One traced run: the program's own account, the diagnosis, and the graph's record of when
    the child's write end was closed. Returns the event that closed it."""
    rep = t.report
    check(rep is not None, '%s: no report' % case)
    child, wfd = rep['child_pid'], rep['write_fd']
    name = obj_name('pipe', rep['inode'])
    check_eq('%s: (read end, write end) the exec\'d program holds, by its own account' % case,
             held, (rep['holder_read_end'], rep['holder_write_end']))
    ev = t.events
    for d in t.diagnoses:
        check_diagnosis_shape(d)
    leaks = [(d['pid'], d['fd'], d['object']) for d in t.diagnoses if d['kind'] == 'leaked_write_end']
    want = [(child, wfd, name)] if rep['holder_write_end'] else []
    check_eq('%s: leaked_write_end diagnoses (pid, fd, object)' % case, want, leaks)
    check_eq('%s: kinds of diagnosis' % case, {'leaked_write_end'} if want else set(),
             {d['kind'] for d in t.diagnoses})
    o = check_objects(t).get(name)
    check(o is not None, '%s: %s is not in the graph' % (case, name))
    check_against_events(o, ev)
    mine = [w for w in o['writers'] if (w['pid'], w['fd']) == (child, wfd)]
    check_eq('%s: write-end entries of the child %d fd %d' % (case, child, wfd), 1, len(mine))
    at = one([e for e in select_events(ev, type=closed_by, pid=child)
              if closed_by != 'close_range' or e['first'] <= wfd <= e['last']],
             '%s: the %s of the child that closed fd %d' % (case, closed_by, wfd))
    check_eq('%s: when the child\'s write end was closed (its %s event)' % (case, closed_by),
             at['time_ns'], mine[0]['closed_ns'])
    return at


for case, (held, closed_by) in CASES.items():
    t = trace([example('fdclose'), case], opts=PIPES)
    check_clean_exit(t, 0)
    rep = t.report
    at = check_run(t, case, held, closed_by)
    if case == 'fionclex':
        ioc = one(select_events(t.events, type='ioctl', pid=rep['child_pid']), 'ioctl of the child')
        check_eq('fionclex: the ioctl event (fd, request, object)',
                 (rep['write_fd'], 'FIONCLEX', obj_name('pipe', rep['inode'])),
                 (ioc.get('fd'), ioc.get('request'), ioc.get('object')))
    if case == 'close_range':
        check_eq('close_range: the event (first, last, flags)', (3, 2**32 - 1, []),
                 (at.get('first'), at.get('last'), at.get('flags')))
    if case == 'cloexec_range':
        cr = one(select_events(t.events, type='close_range', pid=rep['child_pid']), 'close_range')
        check_eq('cloexec_range: close_range flags', ['CLOSE_RANGE_CLOEXEC'], cr.get('flags'))
    passed('%s: the exec\'d child holds (read, write) = %r; %s' % (
        case, held, 'leaked_write_end about it' if held[1] else 'no diagnosis'))

# Python's subprocess: os.pipe() is close-on-exec, os.set_inheritable() clears it (FIONCLEX);
# Popen closes what it is not asked to pass (close_fds, with close_range after a vfork).
SCRIPT = r'''
import json, os, subprocess, sys
holds, mode = sys.argv[1], sys.argv[2]
r, w = os.pipe()
os.set_inheritable(r, True)
os.set_inheritable(w, True)
ino = os.fstat(r).st_ino
args = [holds, '%d:%d' % (ino, r), '%d:%d' % (ino, w)]
p = subprocess.Popen(args, close_fds=True, pass_fds=(w,) if mode == 'pass_fds' else ())
held = p.wait()
os.close(r)
os.close(w)
with open(os.environ['IPCTRACE_REPORT'], 'w') as f:
    json.dump({'parent_pid': os.getpid(), 'child_pid': p.pid, 'inode': ino, 'read_fd': r,
               'write_fd': w, 'holder_read_end': bool(held & 1),
               'holder_write_end': bool(held & 2)}, f)
'''

with tempfile.NamedTemporaryFile('w', prefix='ipctrace-e2e-', suffix='.py') as script:
    script.write(SCRIPT)
    script.flush()
    for mode, held, closed_by in (('close_fds', (False, False), 'close_range'),
                                  ('pass_fds', (False, True), 'exit')):
        t = trace([sys.executable, script.name, example('holds'), mode], opts=PIPES)
        check_clean_exit(t, 0)
        child = t.report['child_pid']
        check(select_events(t.events, type='close_range', pid=child),
              'python %s: the child made no close_range (%r)'
              % (mode, sorted({e['type'] for e in t.events if e['pid'] == child})))
        check_run(t, 'python ' + mode, held, closed_by)
        passed('python subprocess.Popen(%s): the child holds (read, write) = %r; %s' % (
            mode, held, 'leaked_write_end about it' if held[1] else 'no diagnosis'))
done()
