#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every option of ipctraced(8), each checked by what it does:

- -h/--help: the usage on stdout, every option of the man page's OPTIONS;
  -V/--version (and ipctrace's): the version meson.build declares;
- a bad option or value (each option's, an unknown one, an argument):
  exit 2, a message that names it, nothing created (not the socket's
  directory), no BPF loaded;
- -s: the socket's missing directory is created, the socket is mode 0666;
- --ready-fd: "ready\\n", then the descriptor is closed (end of file);
- --ring-mib: the size of the kernel's ring buffer map (its fdinfo),
  16 MiB by default;
- --nice: the daemon's nice value, -5 by default, 0 keeping the one it was
  started with;
- -v: says what it serves, on stderr; quiet without it;
- --journal: a missing directory is created 0750, its files no wider than
  0640, and what a run did is in it (`ipctrace log`);
- --journal-max-mib 4: `signals 20000` (80000 events) rotates the oldest
  segments away: at most 4 MiB left, the first segment gone, and the log is
  exactly the newest part of what the run streamed;
- --no-journal: no journal written, and `ipctrace log` says why (exit 1);
- SIGINT and SIGHUP (SIGTERM: test_daemon_killed): exit 0, the client told
  "ipctraced stopped", the socket removed, the journal kept."""

import os
import re
import signal
import stat
import subprocess
import tempfile

from common import (IPCTRACE, IPCTRACED, Daemon, HERE, Lines, check, check_eq, done, example, fail, passed,
                    run_cli, run_env, trace)
from logcommon import log, same_events, stats, wait_stats
from textcommon import stop

SOURCE = os.path.normpath(os.path.join(HERE, '..', '..'))
MAN = os.path.join(SOURCE, 'packaging', 'ipctraced.8')


def daemon_run(args, timeout=30):
    try:
        return subprocess.run([IPCTRACED] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail('ipctraced %s did not exit within %d s' % (' '.join(args), timeout))


def proc_stat(pid):
    """The fields of /proc/PID/stat after the command name (state is [0])."""
    with open('/proc/%d/stat' % pid) as f:
        text = f.read()
    return text[text.rindex(')') + 2:].split()


def nice_of(pid):
    return int(proc_stat(pid)[16])


def ring_bytes(pid):
    """max_entries of the daemon's BPF ring buffer map (map_type 27), from its fdinfo."""
    sizes = []
    for fd in os.listdir('/proc/%d/fdinfo' % pid):
        try:
            with open('/proc/%d/fdinfo/%s' % (pid, fd)) as f:
                info = dict(line.split(':', 1) for line in f.read().splitlines() if ':' in line)
        except OSError:
            continue
        if info.get('map_type', '').strip() == '27':
            sizes.append(int(info['max_entries']))
    check_eq('ring buffer maps of ipctraced %d' % pid, 1, len(sizes))
    return sizes[0]


def by_address(e):
    """The event with its handlers named by address."""
    e = dict(e)
    for k in ('handler', 'old_handler'):
        if e.get(k + '_addr'):
            e[k] = e[k + '_addr']
    return e


# --help and --version.
with open(MAN) as f:
    man = f.read()
options = man[man.index('.SH OPTIONS'):man.index('.SH SIGNALS')]
documented = sorted(set(o.replace('\\-', '-') for o in re.findall(r'\\-\\-((?:[a-z]|\\-)+)', options)))
check(len(documented) >= 11, 'the man page\'s OPTIONS: %r' % documented)
for opt in ('-h', '--help'):
    r = daemon_run([opt])
    check_eq('ipctraced %s: exit status' % opt, 0, r.returncode)
    check(r.stdout.startswith('Usage: ipctraced [OPTIONS]\n'), 'ipctraced %s: stdout %r' % (opt, r.stdout[:100]))
    check_eq('ipctraced %s: stderr' % opt, '', r.stderr)
    missing = [o for o in documented if '--' + o not in r.stdout]
    check_eq('ipctraced %s: options of ipctraced(8) it does not list' % opt, [], missing)
with open(os.path.join(SOURCE, 'meson.build')) as f:
    version = re.search(r"^\s*version: '([^']+)'", f.read(), re.M).group(1)
for prog, opt in ((IPCTRACED, '-V'), (IPCTRACED, '--version'), (IPCTRACE, '-V'), (IPCTRACE, '--version')):
    r = subprocess.run([prog, opt], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       timeout=30)
    check_eq('%s %s: (status, stdout, stderr)' % (os.path.basename(prog), opt),
             (0, '%s %s\n' % (os.path.basename(prog), version), ''), (r.returncode, r.stdout, r.stderr))
passed('--help lists the %d options of ipctraced(8); -V/--version say %s' % (len(documented), version))

# Bad options: refused before anything is done.
with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as tmp:
    sock = os.path.join(tmp, 'run', 's')
    base = ['-s', sock, '--journal', os.path.join(tmp, 'journal')]
    for args, words in ((['--bogus'], ['bogus', 'Usage: ipctraced']),
                        (['-x'], ['Usage: ipctraced']),
                        (['--ring-mib', '3'], ['--ring-mib', "'3'", 'power of two']),
                        (['--ring-mib', '0'], ['--ring-mib', "'0'"]),
                        (['--ring-mib', '8192'], ['--ring-mib', "'8192'", '4096']),
                        (['--ring-mib', '-1'], ['--ring-mib', "'-1'"]),
                        (['--ring-mib=x'], ['--ring-mib', "'x'"]),
                        (['--nice', '20'], ['--nice', "'20'", '-20 to 19']),
                        (['--nice', '-21'], ['--nice', "'-21'"]),
                        (['--nice', '1x'], ['--nice', "'1x'"]),
                        (['--journal-max-mib', '3'], ['--journal-max-mib', "'3'", 'from 4']),
                        (['--journal-max-mib', ''], ['--journal-max-mib', "''"]),
                        (['--uid-connections', '0'], ['--uid-connections', "'0'", 'from 1 to 4194304']),
                        (['--uid-sessions', 'x'], ['--uid-sessions', "'x'"]),
                        (['--uid-processes', '-1'], ['--uid-processes', "'-1'"]),
                        (['--session-processes', '4194305'], ['--session-processes', "'4194305'"]),
                        (['--uid-queued-mib', '1048577'], ['--uid-queued-mib', "'1048577'", 'from 1 to 1048576']),
                        (['--reserve', ''], ['--reserve', "''", 'from 0']),
                        (['--ready-fd', 'x'], ['--ready-fd', "'x'"]),
                        (['--ready-fd', '-1'], ['--ready-fd', "'-1'"]),
                        (['extra'], ["unexpected argument 'extra'"]),
                        (['--journal'], ['journal'])):
        r = daemon_run(base + args)
        check_eq('ipctraced %s: exit status (stderr %r)' % (' '.join(args), r.stderr), 2, r.returncode)
        for w in words:
            check(w in r.stderr, 'ipctraced %s: the message does not say %r: %r' % (' '.join(args), w, r.stderr))
        check_eq('ipctraced %s: stdout' % ' '.join(args), '', r.stdout)
        check_eq('ipctraced %s: what it created' % ' '.join(args), [], os.listdir(tmp))
passed('bad options and values: exit 2, each named, nothing created')

# -s in a missing directory, --ready-fd (then closed), the defaults of --ring-mib and --nice,
# quiet without -v; SIGINT stops it cleanly.
with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as tmp:
    os.chmod(tmp, 0o755)
    sock = os.path.join(tmp, 'run', 's')
    errlog = os.path.join(tmp, 'stderr')
    r, w = os.pipe()
    with open(errlog, 'w') as err:
        p = subprocess.Popen([IPCTRACED, '-s', sock, '--ready-fd', str(w), '--journal', os.path.join(tmp, 'j')],
                             pass_fds=(w,), stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    os.close(w)
    try:
        with os.fdopen(r, 'rb') as f:
            ready = Lines(f)
            ready.wait_for(lambda ls: False, 30)
            check(ready.eof, 'ipctraced did not close its --ready-fd within 30 s (got %r)' % ready.text())
            check_eq('what ipctraced wrote to its --ready-fd', ['ready'], ready.lines)
        check_eq('mode of the socket', 0o666, stat.S_IMODE(os.stat(sock).st_mode))
        check(stat.S_ISSOCK(os.stat(sock).st_mode), '%s is not a socket' % sock)
        check_eq('ring buffer by default (bytes)', 16 << 20, ring_bytes(p.pid))
        check_eq('nice value by default', -5, nice_of(p.pid))
        st = stats(sock)
        check_eq('stats of the daemon on %s: sessions' % sock, 0, st['sessions'])
        with open(errlog) as f:
            check_eq('stderr without -v', '', f.read())
        p.send_signal(signal.SIGINT)
        check_eq('exit status after SIGINT', 0, p.wait(timeout=30))
        check(not os.path.exists(sock), 'the socket is left after SIGINT')
    finally:
        stop(p)
passed('-s created the missing directory, socket 0666; --ready-fd: "ready", then closed; '
       'ring 16 MiB, nice -5, quiet; SIGINT: exit 0, socket removed')

# --ring-mib, --nice, -v; SIGHUP with a process attached.
d = Daemon(args=['--ring-mib', '2', '--nice', '7', '-v'])
w = subprocess.Popen([example('waitsig')], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL)
try:
    check_eq('--ring-mib 2: ring buffer (bytes)', 2 << 20, ring_bytes(d.pid))
    check_eq('--nice 7: nice value', 7, nice_of(d.pid))
    with open(d.log) as f:
        check('ipctraced: serving %s\n' % d.socket in f.read(), '-v: no "serving %s" on stderr' % d.socket)
    check(Lines(w.stdout).wait_for(lambda ls: 'ready' in ls, 30), 'waitsig did not say ready')
    cli = subprocess.Popen([IPCTRACE, 'attach', '-s', d.socket, '-p', str(w.pid)], env=run_env(),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
    try:
        wait_stats(d.socket, lambda st: st['traced_processes'] == 1, 'waitsig attached')
        d.kill(signal.SIGHUP)
        check_eq('exit status after SIGHUP', 0, d.proc.returncode)
        check(not os.path.exists(d.socket), 'the socket is left after SIGHUP')
        _, err = cli.communicate(timeout=30)
    finally:
        stop(cli)
    check_eq('attach: exit status when the daemon stops (stderr %r)' % err, 1, cli.returncode)
    check('ended (daemon exit)' in err, 'attach: stderr does not say the daemon ended the session: %r' % err)
    check(w.poll() is None and proc_stat(w.pid)[0] == 'S', 'waitsig did not go on, untraced')
finally:
    w.kill()
    w.wait()
    d.cleanup()
passed('--ring-mib 2: a 2 MiB ring; --nice 7; -v says what it serves; SIGHUP: exit 0, socket removed, '
       'the attached client told, the process untouched')

# --nice 0 keeps the nice value it was started with.
d = Daemon(args=['--nice', '0'], wrapper=['nice', '-n', '3'])
try:
    check_eq('--nice 0, started at nice 3: nice value', 3, nice_of(d.pid))
finally:
    d.cleanup()
passed('--nice 0 keeps the nice value it was started with (3)')

# --journal: created, private, holding what was traced.
d = Daemon()        # its journal: a directory that did not exist, in a fresh one
try:
    t = trace([example('signals'), '3'], opts=['-s', d.socket])
    check_eq('signals 3: exit status', 0, t.returncode)
    check_eq('--journal: mode of the directory it made', 0o750, stat.S_IMODE(os.stat(d.journal).st_mode))
    names = sorted(os.listdir(d.journal))
    check_eq('--journal: its files', ['0000000000000001.ipj', 'lock'], names)
    for n in names:
        mode = stat.S_IMODE(os.stat(os.path.join(d.journal, n)).st_mode)
        check(mode & 0o137 == 0, '--journal: %s is mode %o, wider than 0640' % (n, mode))
    same_events('log of the run', t.events, log(d.socket, 'session=%d' % t.events[0]['session']))
finally:
    d.cleanup()
passed('--journal: the missing directory made 0750, files at most 0640, the run logged')

# --journal-max-mib 4: the oldest segments go.
d = Daemon(args=['--journal-max-mib', '4'])
try:
    t = trace([example('signals'), '20000'], opts=['-s', d.socket], timeout=120)
    check_eq('signals 20000: (exit status, lost)', (0, 0), (t.returncode, t.summary['lost']))
    check_eq('signals 20000: kills reported', 20000, t.report['kill'])
    names = sorted(n for n in os.listdir(d.journal) if n.endswith('.ipj'))
    nums = [int(n[:-4], 16) for n in names]      # numbered in hexadecimal
    check(nums and nums[0] > 1, '--journal-max-mib 4: the first segment is still there: %r' % names)
    check_eq('segment numbers', list(range(nums[0], nums[0] + len(nums))), nums)
    size = sum(os.path.getsize(os.path.join(d.journal, n)) for n in names)
    check(size <= 4 << 20, '--journal-max-mib 4: %d bytes of segments' % size)
    st = stats(d.socket)['journal']
    check_eq('stats journal: (segments, bytes)', (len(names), size), (st['segments'], st['bytes']))
    logged = log(d.socket, 'session=%d' % t.events[0]['session'], timeout=120)
    check(0 < len(logged) < len(t.events), '--journal-max-mib 4: the log of the run has %d of its %d events'
          % (len(logged), len(t.events)))
    # The run's exec went with the oldest segments: the log cannot name handlers (docs/journal.md).
    same_events('the log vs the newest events of the run (handlers by address)',
                [by_address(e) for e in t.events[-len(logged):]], [by_address(e) for e in logged])
finally:
    d.cleanup()
passed('--journal-max-mib 4: %d events in, segments %d-%d (%.1f MiB) kept, the log the newest %d of them'
       % (len(t.events), nums[0], nums[-1], size / 1048576, len(logged)))

# --no-journal.
d = Daemon(args=['--no-journal'])
try:
    t = trace([example('signals'), '3'], opts=['-s', d.socket])
    check_eq('signals 3: exit status', 0, t.returncode)
    check(not os.path.exists(d.journal), '--no-journal: a journal was made in %s' % d.journal)
    r = run_cli(['log', '-s', d.socket])
    check_eq('log from a --no-journal daemon: exit status', 1, r.returncode)
    check('--no-journal' in r.stderr, 'log from a --no-journal daemon: stderr %r' % r.stderr)
    check_eq('log from a --no-journal daemon: stdout', '', r.stdout)
finally:
    d.cleanup()
passed('--no-journal: nothing written; `ipctrace log` exits 1 and says why')
done()
