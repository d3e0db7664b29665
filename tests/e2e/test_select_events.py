#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run -e selects the events printed (issue #20, point 3); masks print as strace's.

A Python program makes K kill(self, 0) calls and one kill(self, SIGUSR1)
(handled) and W one-byte writes to a
pipe, and sets its signal mask, with the raw syscall, to every signal, to
every one but SIGCHLD and to SIGINT and SIGTERM, then restores it; it
reports what it did. `run -e type=kill -e type=write` must print exactly
its K kills and W writes and nothing else, while the summary still counts
every event and --signals still shows its records; `-e trace=signal`
prints the masks as `~[]`, `~[SIGCHLD]` and `[SIGINT SIGTERM]` and no
write; `-e kind=pipe` its pipe and writes only. `bash -c 'sleep 0.1 &
wait'` with `-e type=fork -e type=exit` prints one fork and two exits.
A bad -e is a usage error that runs nothing."""

import json

from common import (check, check_eq, done, example, passed, run_cli, trace)

K, W = 7, 5
PROG = r'''
import ctypes, json, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_rt_sigprocmask = {'x86_64': 14, 'aarch64': 135}[os.uname().machine]
def setmask(bits):
    new, old = ctypes.c_uint64(bits), ctypes.c_uint64()
    if libc.syscall(SYS_rt_sigprocmask, 2, ctypes.byref(new), ctypes.byref(old), 8):
        sys.exit('rt_sigprocmask failed')
    return old.value
masks = [(1 << 64) - 1, ((1 << 64) - 1) & ~(1 << (signal.SIGCHLD - 1)),
         1 << (signal.SIGINT - 1) | 1 << (signal.SIGTERM - 1)]
saved = setmask(masks[0])
for m in masks[1:]:
    setmask(m)
setmask(saved)
r, w = os.pipe()
for _ in range(%d):
    os.kill(os.getpid(), 0)
signal.signal(signal.SIGUSR1, lambda *a: None)
os.kill(os.getpid(), signal.SIGUSR1)
for _ in range(%d):
    os.write(w, b'x')
with open(os.environ['IPCTRACE_REPORT'], 'w') as f:
    json.dump({'pid': os.getpid(), 'kills': %d, 'writes': %d}, f)
''' % (K, W, K + 1, W)
CMD = ['python3', '-c', PROG]

t = trace(CMD, opts=['-e', 'type=kill', '-e', 'type=write', '--signals'])
check_eq('exit status', 0, t.returncode)
pid = t.report['pid']
check_eq('event types printed with -e type=kill -e type=write', {'kill', 'write'}, {e['type'] for e in t.events})
check_eq('kills printed', t.report['kills'], len([e for e in t.events if e['type'] == 'kill' and e['pid'] == pid]))
check_eq('writes printed', t.report['writes'],
         len([e for e in t.events if e['type'] == 'write' and e['pid'] == pid and e.get('kind') == 'pipe']))
check_eq('events of other processes or types printed', [],
         [e for e in t.events if e['pid'] != pid and e['type'] == 'kill'])
check(t.summary['events'] > len(t.events) + 20,
      'the summary counts %d events, no more than the %d printed' % (t.summary['events'], len(t.events)))
check_eq('--signals with -e type=...: the records of the program\'s SIGUSR1', 1,
         len([r for r in t.records if r.get('sig') == 'SIGUSR1' and r.get('target_pid') == pid]))
passed('-e type=kill -e type=write: the %d kills and %d writes, nothing else; the summary counts all %d events'
       % (t.report['kills'], W, t.summary['events']))

t = trace(CMD, opts=['-e', 'trace=signal'])
types = {e['type'] for e in t.events}
check('write' not in types and 'pipe2' not in types, '-e trace=signal printed %r' % types)
check_eq('kills printed with -e trace=signal', t.report['kills'], len([e for e in t.events if e['type'] == 'kill']))
got = [e for e in t.events if e['type'] == 'rt_sigprocmask' and e['pid'] == t.report['pid']
       and e.get('how') == 'SIG_SETMASK' and len(e.get('set', [])) in (64, 63, 2)]
check_eq('the masks set, as JSON lists of names',
         [64, 63, ['SIGINT', 'SIGTERM']], [len(e['set']) if len(e['set']) > 2 else e['set'] for e in got])
passed('-e trace=signal: signal calls only, %d kills, the masks set' % t.report['kills'])

r = run_cli(['run', '-e', 'trace=signal', '--', 'python3', '-c', PROG.replace("os.environ['IPCTRACE_REPORT']",
                                                                                "'/dev/null'")])
check_eq('text run: exit status (%s)' % r.stderr.strip(), 0, r.returncode)
masks = [line.split('rt_sigprocmask', 1)[1].strip() for line in r.stdout.splitlines()
         if ' rt_sigprocmask ' in line and 'SIG_SETMASK ' in line]
# The kernel never blocks SIGKILL and SIGSTOP: the old masks it gives lack them.
for want in ('SIG_SETMASK ~[] (was ', 'SIG_SETMASK ~[SIGCHLD] (was ~[SIGKILL SIGSTOP]) = 0',
             'SIG_SETMASK [SIGINT SIGTERM] (was ~[SIGKILL SIGCHLD SIGSTOP]) = 0'):
    check(any(m.startswith(want) for m in masks), 'no mask line %r in %r' % (want, masks))
check(all(len(line) < 200 for line in r.stdout.splitlines()), 'a line of 200 characters or more')
passed('masks in text as strace prints them: ~[], ~[SIGCHLD], [SIGINT SIGTERM]')

t = trace(CMD, opts=['-e', 'kind=pipe'])
check_eq('-e kind=pipe: events on no pipe', [], [e for e in t.events if 'pipe:[' not in json.dumps(e)])
check_eq('-e kind=pipe: pipes made', 1, len([e for e in t.events if e['type'] == 'pipe2']))
check_eq('-e kind=pipe: writes', W, len([e for e in t.events if e['type'] == 'write']))
passed('-e kind=pipe: the pipe and its %d writes only' % W)

t = trace(['bash', '-c', 'sleep 0.1 & wait'], opts=['-e', 'type=fork', '-e', 'type=exit'])
check_eq('bash -c "sleep 0.1 & wait" -e type=fork -e type=exit', ['exit', 'exit', 'fork'],
         sorted(e['type'] for e in t.events))
passed('bash -c "sleep 0.1 & wait": its fork and two exits only')

# Live diagnoses follow the selection: sigcases sigpipe's child writes into a pipe nobody reads
# (write_after_close on the child); its parent alone calls rt_sigaction.
for sel, shown in (('type=write', True), ('type=rt_sigaction', False)):
    t = trace([example('sigcases'), 'sigpipe'], opts=['-e', sel])
    child = t.report['child']
    diags = t.diagnoses
    check_eq('-e %s: the events\' pids' % sel, {child} if shown else {t.report['pid']},
             {e['pid'] for e in t.events})
    check_eq('-e %s: live diagnoses (the child\'s write_after_close %s)' % (sel, 'shown' if shown else 'not shown'),
             [('write_after_close', child)] if shown else [], [(d['kind'], d['pid']) for d in diags])
passed('a live diagnosis is printed with -e only when its process had an event printed')

r = run_cli(['run', '-e', 'trace=files', '--', 'sh', '-c', 'echo ran'])
check_eq('a bad -e: exit status', 2, r.returncode)
check('ran' not in r.stdout and "'files'" in r.stderr, 'a bad -e: %r %r' % (r.stdout, r.stderr))
r = run_cli(['run', '-e', 'colour=red', '--', 'sh', '-c', 'echo ran'])
check(r.returncode == 2 and 'ran' not in r.stdout and 'colour' in r.stderr, 'an unknown field: %r' % (r,))
passed('a bad -e is a usage error, and the command does not run')
done()
