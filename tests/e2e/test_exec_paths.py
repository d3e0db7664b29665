#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Handlers are named for a program exec'd by a path that the exec record
cannot hold: longer than its 63 bytes, or relative to a directory that is
not the reader's.

Handler names come from the program's file (lib/symbols.c): from
/proc/PID/exe while the process runs, else from the file its exec record
names. That record holds the first 63 bytes of the path as given to
execve: a longer path is cut, and a relative one (`./signals` after a
`cd`) names another file, or none, in the daemon's directory, the CLI's,
or anyone's who reads the log later. The kernel side sends the file's
absolute path first, in `exe_path` records (include/ipctrace/event.h);
the exec event shows it (JSON: `file`, its `filename` staying as given),
and the records themselves are not printed. Copies of `signals 2` are run
through a daemon with a journal, from / (the daemon's directory and the
CLI's, where no `signals` is):

- by an absolute path of more than 100 bytes, and of 64 (one byte too
  many); by `./signals` from a shell that did `cd` to the copy's
  directory, both with `exec` (the shell's own process execs it) and
  without (a child of the shell execs it);
- each run: exit 0, 0 lost, the program's report (2 kills, handled 2
  times); its exec event's `filename` is as given (the first 63 bytes,
  or "./signals") and its `file` the copy's real path; its rt_sigaction
  of SIGUSR1 and its deliveries name the handler on_sigusr1, as do its
  lifecycle records (--signals), as many as the report's handled; no
  event of type exe_path; the shell's own exec (/usr/bin/sh or so) has
  no `file`;
- afterwards, the processes long gone: `ipctrace log` has the session's
  events as the run streamed them (named, with `file`), and no exe_path;
  `log pid=P type=rt_sigaction`, and `log -n 1` of it and of
  signal_deliver (a walk back for the exec, sent as context with the
  records before it), name on_sigusr1; the text exec line shows the real
  path; `ipctrace signals target=P` names on_sigusr1 for each handled
  SIGUSR1, as many as the report's handled;
- a control: a copy at a short absolute path, whose exec event has its
  `filename` whole and no `file`, named as always.

With IPCTRACE_E2E_DAEMON_ARGS (--core-reads), through a daemon started so."""

import atexit
import os
import shutil
import tempfile

from common import (MISSING, Daemon, check, check_clean_exit, check_eq, done, example, one, passed, run_cli,
                    select_events, select_records, trace)
from logcommon import log, same_events, signals

N = 2
HOLDS = 63          # IPCT_PATH_LEN - 1: the bytes of the path an exec record holds
HANDLER = 'on_sigusr1'

# The daemon's directory, and the CLI's: no `signals` there.
os.chdir('/')
check(not os.path.exists('/signals'), 'a file /signals would answer for ./signals')
d = Daemon(args=os.environ.get('IPCTRACE_E2E_DAEMON_ARGS', '').split())
atexit.register(d.cleanup)
sock = d.socket
base = os.path.realpath(tempfile.mkdtemp(prefix='ipct-exec-', dir='/tmp'))
atexit.register(shutil.rmtree, base, True)
os.chmod(base, 0o755)


def place(path):
    """A copy of signals at path (its directories made)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shutil.copy2(example('signals'), path)
    os.chmod(path, 0o755)
    check_eq('the copy\'s real path', path, os.path.realpath(path))
    return path


def cut(path):
    """What an exec record holds of path: its first HOLDS bytes."""
    return path.encode()[:HOLDS].decode()


long_copy = place(os.path.join(base, 'un-directorio-bastante-largo', 'para-el-alumno-de-la-practica-tres',
                               'entrega-final', 'signals'))
check(len(long_copy.encode()) > 100, 'the long path has %d bytes: %r' % (len(long_copy.encode()), long_copy))
# 64 bytes: the shortest path that does not fit.
pad = 64 - len((base + '//signals').encode())
check(pad > 0, 'the temporary directory %r is too long for a 64-byte path' % base)
edge_copy = place(os.path.join(base, 'x' * pad, 'signals'))
check_eq('the 64-byte path\'s length', 64, len(edge_copy.encode()))
rel_dir = os.path.join(base, 'rel')
rel_copy = place(os.path.join(rel_dir, 'signals'))
short_copy = place(os.path.join(base, 's', 'signals'))
check(len(short_copy.encode()) < HOLDS, 'the short path has %d bytes: %r' % (len(short_copy.encode()), short_copy))

# (what, command, the copy it runs, the exec's filename, whether the shell forks it, whether it has `file`)
CASES = [
    ('a path of %d bytes' % len(long_copy.encode()), [long_copy, str(N)], long_copy, cut(long_copy), False, True),
    ('a path of 64 bytes', [edge_copy, str(N)], edge_copy, cut(edge_copy), False, True),
    ('sh: cd, exec ./signals', ['sh', '-c', 'cd "$1" && exec ./signals %d' % N, 'sh', rel_dir],
     rel_copy, './signals', False, True),
    # `&& exit 0` after it: the shell cannot exec it in its own process.
    ('sh: cd, ./signals in a child', ['sh', '-c', 'cd "$1" && ./signals %d && exit 0' % N, 'sh', rel_dir],
     rel_copy, './signals', True, True),
    ('a short absolute path (control)', [short_copy, str(N)], short_copy, short_copy, False, False),
]


def check_named(evs, what):
    """The program's rt_sigaction of SIGUSR1 and its deliveries, named HANDLER."""
    sa = one([e for e in select_events(evs, type='rt_sigaction', sig='SIGUSR1') if 'handler' in e],
             '%s: rt_sigaction of SIGUSR1 with a handler' % what)
    check_eq('%s: rt_sigaction of SIGUSR1: handler (handler_addr %s)' % (what, sa.get('handler_addr')),
             HANDLER, sa['handler'])
    dl = select_events(evs, type='signal_deliver', sig='SIGUSR1')
    check_eq('%s: the SIGUSR1 deliveries\' handlers' % what, [HANDLER] * N, [e.get('handler') for e in dl])
    return sa


def check_no_exe_path(objs, what):
    bad = [o for o in objs if o.get('type') == 'exe_path']
    check(not bad, '%s: %d event(s) of type exe_path (not to be printed): %r' % (what, len(bad), bad[:3]))


runs = []
for what, cmd, copy, filename, forked, has_file in CASES:
    t = trace(cmd, socket=d.socket, opts=['--signals'])
    check_clean_exit(t)
    rep = t.report
    check(rep is not None, '%s: signals wrote no report' % what)
    check_eq('%s: the report (kill, handled)' % what, (N, N), (rep['kill'], rep['handled']))
    pid = rep['pid']
    check_no_exe_path(t.events + t.records, what)

    execs = select_events(t.events, type='exec', pid=pid)
    check(execs, '%s: no exec event of pid %d' % (what, pid))
    ex = execs[-1]
    check_eq('%s: the exec\'s filename (as given, at most %d bytes)' % (what, HOLDS), filename, ex['filename'])
    check_eq('%s: the exec\'s file' % what, copy if has_file else MISSING, ex.get('file', MISSING))
    # The shell's own exec, by the absolute path `ipctrace run` gives it: no `file`.
    others = [e for e in select_events(t.events, type='exec') if e is not ex]
    check_eq('%s: the other execs (the shell\'s)' % what, 1 if cmd[0] == 'sh' else 0, len(others))
    for o in others:
        check(os.path.isabs(o['filename']) and 'file' not in o, '%s: the shell\'s exec: %r' % (what, o))
    shell = select_events(t.events, type='exec')[0]['pid']
    if forked:
        check(pid != shell, '%s: signals ran in the shell\'s own process %d' % (what, pid))
        one(select_events(t.events, type='fork', pid=shell, child_pid=pid), '%s: the fork of pid %d' % (what, pid))
    else:
        check_eq('%s: the process of signals (the run\'s first)' % what, shell, pid)

    sa = check_named(select_events(t.events, pid=pid), what)
    recs = select_records(t.records, target_pid=pid, sig='SIGUSR1')
    check_eq('%s: SIGUSR1 records (outcome, handler)' % what, [('handled', HANDLER)] * rep['handled'],
             [(r['outcome'], r['handler']) for r in recs])
    runs.append((what, copy, filename, has_file, t, pid, sa))
    passed('%s: exec filename %r, file %r; rt_sigaction, %d deliveries and %d records name %s'
           % (what, ex['filename'], ex.get('file'), N, len(recs), HANDLER))

# The processes are long gone: names come from the journal's records only.
whole = log(sock)
check_no_exe_path(whole, 'ipctrace log')
for what, copy, filename, has_file, t, pid, sa in runs:
    session = t.events[0]['session']
    same_events('%s: log session=%d vs the run' % (what, session), t.events, log(sock, 'session=%d' % session))
    check_named(log(sock, 'pid=%d' % pid), '%s: log pid=%d' % (what, pid))
    ex = select_events(log(sock, 'pid=%d' % pid, 'type=exec'), pid=pid)[-1]
    check_eq('%s: log: the exec\'s (filename, file)' % what, (filename, copy if has_file else MISSING),
             (ex['filename'], ex.get('file', MISSING)))

    only = log(sock, 'pid=%d' % pid, 'type=rt_sigaction')
    check(all(e['type'] == 'rt_sigaction' for e in only), '%s: log type=rt_sigaction: %r' % (what, only))
    same_events('%s: log pid=%d type=rt_sigaction: the SIGUSR1 one' % (what, pid), [sa],
                [e for e in only if e.get('sig') == 'SIGUSR1' and 'handler' in e])
    last = log(sock, 'pid=%d' % pid, 'type=rt_sigaction', opts=['-n', '1'])
    check_eq('%s: log -n 1 pid=%d type=rt_sigaction (sig, handler)' % (what, pid), [('SIGUSR1', HANDLER)],
             [(e.get('sig'), e.get('handler')) for e in last])
    last = log(sock, 'pid=%d' % pid, 'type=signal_deliver', opts=['-n', '1'])
    check_eq('%s: log -n 1 pid=%d type=signal_deliver (sig, handler)' % (what, pid), [('SIGUSR1', HANDLER)],
             [(e.get('sig'), e.get('handler')) for e in last])

    r = run_cli(['log', '-s', sock, '--color', 'never', 'pid=%d' % pid, 'type=exec'])
    check_eq('%s: log pid=%d type=exec (text): exit status (stderr %r)' % (what, pid, r.stderr), 0, r.returncode)
    lines = [l for l in r.stdout.splitlines() if ' exec ' in l and '[%d]' % pid in l]
    check(lines and copy in lines[-1],
          '%s: the text exec line does not show the path %s: %r' % (what, copy, r.stdout))

    recs = [q for q in signals(sock, 'target=%d' % pid) if q.get('sig') == 'SIGUSR1']
    check_eq('%s: ipctrace signals target=%d: SIGUSR1 (outcome, handler)' % (what, pid),
             [('handled', HANDLER)] * t.report['handled'], [(q['outcome'], q['handler']) for q in recs])
    passed('%s: afterwards, log (all, pid=, type=rt_sigaction, -n 1) and signals name %s; exec file %r'
           % (what, HANDLER, ex.get('file')))

check(d.alive(), 'ipctraced died')
done()
