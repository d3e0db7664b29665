#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""When `ipctrace run` stops (docs in ipctrace(1), "Stopping"):

- a command that leaves a process running (`setsid sleep 25 &`): ipctrace
  returns when the command exits, with its status, naming the process it
  leaves (comm[pid], the pid the command itself reports), which is still
  alive; with --follow-orphans it waits for that process and traces it to
  its exit;
- the first SIGTERM is the command's (passed on); a second interrupt
  (here SIGQUIT) stops the trace: exit 128+N, naming the processes still
  running. Each signal is sent once ipctrace has taken the one before it
  (it is no longer pending in /proc/PID/status), so none merges; the JSON
  summary says "left running at SIGQUIT" and the exit code;
- in a terminal (tmux), a command that ignores SIGINT: the first Ctrl-C is
  shown ignored in the trace, the second stops ipctrace (exit 130).
"""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile

from common import (IPCTRACE, _context, check, check_eq, daemon_opts, done, fail, passed, run_env, skip,
                    wait_until)

TIMEOUT = 60
TMP = tempfile.mkdtemp(prefix='ipctrace-e2e-stop-')


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ''


def pending(pid, sig):
    """Whether sig waits, blocked, in process pid's shared pending set."""
    for line in read('/proc/%d/status' % pid).splitlines():
        if line.startswith('ShdPnd:'):
            return bool(int(line.split()[1], 16) & (1 << (sig - 1)))
    return False


def alive(pid):
    return os.path.exists('/proc/%d' % pid)


def kill_quietly(*pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start(name, script, opts=()):
    """ipctrace run -o json -O FILE [opts] -- sh -c script, stdout and stderr to files
    (a pipe would keep the caller waiting for a process left running)."""
    out = os.path.join(TMP, name + '.json')
    cmd = [IPCTRACE, 'run', '-o', 'json', '-O', out] + daemon_opts() + list(opts) + ['--', 'sh', '-c', script]
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    errf = open(os.path.join(TMP, name + '.stderr'), 'w+')
    p = subprocess.Popen(cmd, env=run_env(), cwd=TMP, stdin=subprocess.DEVNULL, stdout=errf, stderr=errf)
    return p, errf, out


def finish(p, errf, out):
    try:
        code = p.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        fail('%s did not finish within %d s' % (_context['cmd'], TIMEOUT))
    errf.seek(0)
    err = errf.read()
    errf.close()
    _context['stderr'] = err
    lines = [json.loads(line) for line in read(out).splitlines()]
    return code, err, lines


def pids_file(name):
    path = os.path.join(TMP, name)
    wait_until(lambda: read(path).endswith('\n'), 'the command to write %s' % path)
    return [int(x) for x in read(path).split()]


# 1. An orphan that outlives the command, exactly as a user types it.
p, errf, out = start('orphan', 'setsid sleep 25 &')
code, err, lines = finish(p, errf, out)
m = re.search(r'ipctrace: 1 process outlived the command: (\w+)\[(\d+)\], not followed; '
              r'use --follow-orphans to wait for it', err)
check(m, 'stderr does not name the process left running: %r' % err)
orphan = int(m.group(2))
check(alive(orphan), 'the process named, %d, is not running: ipctrace waited for it' % orphan)
wait_until(lambda: read('/proc/%d/cmdline' % orphan) == 'sleep\x0025\x00' or not alive(orphan),
           'pid %d to be sleep 25' % orphan)
check_eq('the process left running', 'sleep\x0025\x00', read('/proc/%d/cmdline' % orphan))
kill_quietly(orphan)
check_eq('exit status (sh\'s)', 0, code)
check(lines and lines[-1].get('type') == 'summary' and lines[-1].get('exit_code') == 0,
      'the trace file does not end with the summary: %r' % lines[-1:])
passed('setsid sleep 25 &: ipctrace returned with sleep[%d] still running, named' % orphan)

# The same, once the orphan has exec'd (so its name is sure), with the command's status.
p, errf, out = start('orphan3', 'setsid sleep 25 & echo $! > orphan3.pid; '
                     'while [ "$(cat /proc/$!/comm)" != sleep ]; do :; done; exit 3')
orphan, = pids_file('orphan3.pid')
code, err, lines = finish(p, errf, out)
alive_then = alive(orphan)
kill_quietly(orphan)
check_eq('exit status (the command\'s)', 3, code)
check('ipctrace: 1 process outlived the command: sleep[%d], not followed' % orphan in err,
      'stderr does not say sleep[%d] outlived the command: %r' % (orphan, err))
check(alive_then, 'sleep[%d] was not running when ipctrace returned' % orphan)
passed('exit 3 and sleep[%d] named' % orphan)

# 2. --follow-orphans: ipctrace waits, and the orphan's exit is in the trace.
fifo = os.path.join(TMP, 'release')
os.mkfifo(fifo)
p, errf, out = start('follow', 'setsid sh -c "read x < release" & echo $$ $! > follow.pid', ['--follow-orphans'])
sh, orphan = pids_file('follow.pid')
wait_until(lambda: not alive(sh), 'the command sh[%d] to exit and be reaped' % sh)
check(p.poll() is None, 'ipctrace --follow-orphans returned when the command exited')
with open(fifo, 'w') as f:
    f.write('go\n')
code, err, lines = finish(p, errf, out)
check_eq('exit status', 0, code)
check('outlived' not in err, 'stderr speaks of a process that outlived the command: %r' % err)
exits = [e for e in lines if e.get('type') == 'exit' and e.get('pid') == orphan]
check_eq('exit events of the orphan %d in the trace' % orphan, 1, len(exits))
passed('--follow-orphans: waited for pid %d, traced to its exit' % orphan)

# 3. SIGTERM is passed on (and ignored by the command); SIGQUIT then stops ipctrace.
p, errf, out = start('term', 'trap "" TERM QUIT; sleep 300 & echo $$ $! > term.pid; wait')
sh, sleeper = pids_file('term.pid')
try:
    os.kill(p.pid, signal.SIGTERM)
    wait_until(lambda: not pending(p.pid, signal.SIGTERM), 'ipctrace to take SIGTERM')
    check(p.poll() is None, 'ipctrace ended at the first SIGTERM (exit %r)' % p.returncode)
    os.kill(p.pid, signal.SIGQUIT)
    code, err, lines = finish(p, errf, out)
    check_eq('exit status at the second interrupt (128 + SIGQUIT)', 128 + signal.SIGQUIT, code)
    check('ipctrace: stopped tracing at SIGQUIT, a second interrupt; still running, untraced from now on: '
          'sh[%d], sleep[%d]' % (sh, sleeper) in err, 'stderr does not name sh[%d] and sleep[%d]: %r'
          % (sh, sleeper, err))
    check(alive(sh) and alive(sleeper), 'the command did not go on running')
    gen = [e for e in lines if e.get('type') == 'signal_generate' and e.get('sig') == 'SIGTERM'
           and e.get('target_pid') == sh]
    check_eq('SIGTERM passed on to sh[%d] (signal_generate events)' % sh, 1, len(gen))
    check_eq('the summary\'s (exit_code, status)', (128 + signal.SIGQUIT, 'left running at SIGQUIT'),
             (lines[-1].get('exit_code'), lines[-1].get('status')) if lines else None)
finally:
    kill_quietly(sh, sleeper)
passed('SIGTERM passed on to sh[%d], SIGQUIT stopped the trace: 131, sh and sleep named' % sh)

# 4. Two Ctrl-C in a terminal, for a command that ignores SIGINT.
if not shutil.which('tmux'):
    skip('tmux is not installed (scripts/setup installs it)')
SERVER = 'ipctrace-e2e-stop-%d' % os.getpid()


def tmux(*args):
    cmd = ['tmux', '-L', SERVER] + list(args)
    r = subprocess.run(cmd, env=run_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
    if r.returncode:
        fail('%s: exit status %d: %s' % (' '.join(cmd), r.returncode, r.stderr))
    return r.stdout


trace = os.path.join(TMP, 'int.json')
status = os.path.join(TMP, 'int.status')
errpath = os.path.join(TMP, 'int.stderr')
script = 'trap "" INT; sleep 300 & echo $$ $! $PPID > int.pid; wait'
cmd = [IPCTRACE, 'run', '-o', 'json', '-O', trace] + daemon_opts() + ['--', 'sh', '-c', script]
_context['cmd'] = ' '.join(cmd)
# The window stays open until the test has looked: its closing would hang up sh, whose SIGINT alone is ignored.
shell = ('cd %s; %s 2>%s; echo $? > %s; tmux -L %s wait-for -S done; tmux -L %s wait-for release'
         % (shlex.quote(TMP), ' '.join(shlex.quote(a) for a in cmd), shlex.quote(errpath),
            shlex.quote(status), SERVER, SERVER))
tmux('new-session', '-d', '-s', 'stop', '-x', '100', '-y', '30', shell)
sh, sleeper, ipct = pids_file('int.pid')
try:
    tmux('send-keys', '-t', 'stop', 'C-c')

    def sigint_seen():
        for line in read(trace).splitlines():
            e = json.loads(line)
            if e.get('type') == 'signal_generate' and e.get('sig') == 'SIGINT' and e.get('target_pid') == sh:
                return True
        return False

    wait_until(sigint_seen, 'the trace to show the first SIGINT generated for sh[%d]' % sh)
    wait_until(lambda: not pending(ipct, signal.SIGINT), 'ipctrace to take the first SIGINT')
    check(alive(ipct), 'ipctrace ended at the first Ctrl-C')
    tmux('send-keys', '-t', 'stop', 'C-c')
    tmux('wait-for', 'done')
    err = read(errpath)
    _context['stderr'] = err
    check_eq('exit status at the second Ctrl-C', 130, int(read(status)))
    check('ipctrace: stopped tracing at SIGINT, a second interrupt; still running, untraced from now on: '
          'sh[%d], sleep[%d]' % (sh, sleeper) in err, 'stderr does not name sh[%d] and sleep[%d]: %r'
          % (sh, sleeper, err))
    check(alive(sh), 'sh[%d], which ignores SIGINT, is gone' % sh)
    last = json.loads(read(trace).splitlines()[-1])
    check_eq('the summary\'s (type, exit_code, status)', ('summary', 130, 'left running at SIGINT'),
             (last.get('type'), last.get('exit_code'), last.get('status')))
    tmux('wait-for', '-S', 'release')
finally:
    kill_quietly(sh, sleeper)
    subprocess.run(['tmux', '-L', SERVER, 'kill-server'], stderr=subprocess.DEVNULL)
passed('two Ctrl-C: the first shown ignored, the second stopped ipctrace (130), sh and sleep named')
shutil.rmtree(TMP, ignore_errors=True)
done()
