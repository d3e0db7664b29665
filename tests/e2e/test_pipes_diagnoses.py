#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The diagnoses of docs/pipes.md other than no_eof (test_pipes_noeof), in
JSON and in text, and the cases documented as not diagnosed:

- leaked_write_end: in `A | cat`, A dups its stdout (the pipe's write end)
  to fd 5 and execs /bin/true, which holds it: one diagnosis about that
  process (its pid from A itself), fd 5, the pipe, holders fds 1 and 5;
  the same message among the pipe's warnings, and on a `!!` line on
  stderr in text mode;
- a write end held from before the trace (a pipe of the test's, inherited
  at fd 7 across the command's exec): not diagnosed;
- write_after_close: `sigcases sigpipe`, its child's write to the pipe
  whose reader closed: one diagnosis, its pid, fd and inode as reported;
- a socket's EPIPE: counted in the socket's epipe_writes, not diagnosed."""

import json
import os
import shutil
import sys
import tempfile

from common import Daemon, check, check_clean_exit, check_eq, done, example, one, passed, select_events, trace
from pipecommon import check_diagnosis_shape
from textcommon import run_reported

d = Daemon()
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-')
try:
    opts = ['-s', d.socket, '--pipes']
    pidfile = os.path.join(tmp, 'pid')
    script = ("/bin/sh -c 'echo $$ > %s; exec 5>&1; exec /bin/true' | /bin/cat > /dev/null" % pidfile)

    t = trace(['/bin/sh', '-c', script], opts=opts, to_files=True)
    check_clean_exit(t, 0)
    with open(pidfile) as f:
        pid = int(f.read())
    check_eq('the first event: the command\'s exec', ('exec', '/bin/sh'), (t.events[0]['type'], t.events[0]['filename']))
    outer = t.events[0]['pid']
    obj = one(select_events(t.events, type=('pipe', 'pipe2'), pid=outer), 'the pipeline\'s pipe')['object']
    check_eq('diagnoses', 1, len(t.diagnoses))
    dg = t.diagnoses[0]
    check_diagnosis_shape(dg)
    message = ("true[%d] was exec'd holding the write end of %s as fd 5 (not close-on-exec): its readers "
               "see EOF only after it exits or closes it" % (pid, obj))
    check_eq('the diagnosis (kind, pid, comm, fd, object, session)',
             ('leaked_write_end', pid, 'true', 5, obj, t.events[0]['session']),
             (dg['kind'], dg['pid'], dg['comm'], dg['fd'], dg['object'], dg['session']))
    check_eq('the diagnosis: holders of the write end', [(pid, 'true', 1), (pid, 'true', 5)],
             sorted((h['pid'], h['comm'], h['fd']) for h in dg['holders']))
    check_eq('the diagnosis: message', message, dg['message'])
    x = one(select_events(t.events, type='exec', pid=pid, filename='/bin/true'), 'the exec of /bin/true')
    check(x['time_ns'] <= dg['time_ns'], 'the diagnosis is older than the exec it is about')
    o = [o for o in t.objects if o['object'] == obj]
    check(len(o) == 1 and message in o[0]['warnings'], 'the pipe\'s warnings: %r' % o)
    r = run_reported(['run'] + opts + ['--', '/bin/sh', '-c', script])
    check_eq('text mode: exit status', 0, r.returncode)
    with open(pidfile) as f:
        pid = int(f.read())
    bangs = [line for line in r.stderr.splitlines() if line.startswith('!!')]
    check(len(bangs) == 1 and bangs[0].startswith("!! true[%d] was exec'd holding the write end of pipe:[" % pid)
          and bangs[0].endswith('] as fd 5 (not close-on-exec): its readers see EOF only after it exits or '
                                'closes it'), 'text mode: the !! lines on stderr: %r' % bangs)
    passed('leaked_write_end: true[%d] fd 5 of %s, holders fds 1 and 5; a warning of the pipe; !! in text'
           % (dg['pid'], obj))

    # A write end from before the trace, inherited across the command's exec.
    r_fd, w_fd = os.pipe()
    ino = os.fstat(r_fd).st_ino
    os.dup2(w_fd, 7)
    os.close(w_fd)
    try:
        r = run_reported(['run', '-o', 'json'] + opts + ['--', '/bin/sh', '-c', 'exec /bin/true'], pass_fds=(7,))
    finally:
        os.close(7)
        os.close(r_fd)
    check_eq('sh -c "exec /bin/true" with fd 7: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    check_eq('execs', ['/bin/sh', '/bin/true'], [o.get('filename') for o in objs if o.get('type') == 'exec'])
    held = [o for o in objs if o.get('type') == 'ipc_object' and any(w['fd'] == 7 for w in o['writers'])]
    check_eq('objects with a write end at fd 7', ['pipe:[%d]' % ino], [o['object'] for o in held])
    check_eq('its created_ns (before the trace)', None, held[0]['created_ns'])
    check_eq('diagnoses of a write end held from before the trace', [],
             [o for o in objs if o.get('type') == 'diagnosis'])
    passed('a write end from before the trace (fd 7, %s): in the graph, not diagnosed' % held[0]['object'])

    t = trace([example('sigcases'), 'sigpipe'], opts=opts, to_files=True)
    check_clean_exit(t, 0)
    rep = t.report
    dg = one(t.diagnoses, 'diagnoses of sigcases sigpipe')
    check_diagnosis_shape(dg)
    obj = 'pipe:[%d]' % rep['inode']
    check_eq('write_after_close (kind, pid, comm, fd, object)',
             ('write_after_close', rep['child'], 'sigcases', rep['fd'], obj),
             (dg['kind'], dg['pid'], dg['comm'], dg['fd'], dg['object']))
    check_eq('write_after_close: message', 'sigcases[%d] wrote to %s (fd %d) after every reader had closed it: '
             'the write failed with EPIPE and raised SIGPIPE' % (rep['child'], obj, rep['fd']), dg['message'])
    passed('write_after_close: sigcases[%d] fd %d %s, as reported' % (rep['child'], rep['fd'], obj))

    # A socket's EPIPE: Python ignores SIGPIPE, so send() fails with EPIPE.
    prog = ('import socket\na, b = socket.socketpair()\nb.close()\ntry:\n    a.send(b"x")\n'
            'except BrokenPipeError:\n    print("EPIPE")\n')
    out = os.path.join(tmp, 'out')
    t = trace(['/bin/sh', '-c', '"$0" -c "$1" > "$2"', sys.executable, prog, out], opts=opts, to_files=True)
    check_clean_exit(t, 0)
    with open(out) as f:
        check_eq('the program\'s own account', 'EPIPE\n', f.read())
    s = [o for o in t.objects if o['kind'] == 'socket' and o['epipe_writes']]
    check_eq('sockets with EPIPE writes (epipe_writes)', [1], [o['epipe_writes'] for o in s])
    check_eq('diagnoses of a socket\'s EPIPE', [], t.diagnoses)
    passed('a socket\'s EPIPE: epipe_writes 1 on %s, no diagnosis' % s[0]['object'])
    check(d.alive(), 'the daemon died')
finally:
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
