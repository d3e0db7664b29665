#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ipctraced's failures (ipctraced(8) "EXIT STATUS", "OPTIONS", "THE
JOURNAL"): each a clear message and exit 1, nothing taken from a daemon
that is running, which goes on serving; and a journal that fills up while
serving costs the journal, not the traces.

- not root: refused before anything is made;
- a socket a daemon answers on: refused; the running daemon still traces
  (a run's events exactly as the program reports them);
- a socket left by a daemon that was killed: replaced, served;
- a journal in use by another daemon (its lock): refused, its socket never
  made; the other's journal unchanged;
- a journal that cannot be written: under a regular file, or on a
  read-only file system (a tmpfs mounted read-only in a mount namespace of
  the daemon's own): refused, no socket;
- a journal on a 2 MiB file system that a run fills: the write errors are
  counted (stats, text and JSON), the run's trace is complete all the same,
  and the next one too."""

import errno
import os
import shutil
import signal
import socket
import subprocess
import tempfile

from common import (IPCTRACED, NOBODY, Daemon, as_nobody, check, check_eq, done, example, fail, passed, run_cli,
                    trace)
from logcommon import log, same_events, stats

UNSHARE = ['unshare', '--mount', '--propagation', 'private']


def refused(what, cmd, words, made=()):
    """cmd (an ipctraced) exits 1 with a message saying words; the paths in made do not exist after."""
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=60)
    except subprocess.TimeoutExpired:
        fail('%s: ipctraced did not exit within 60 s' % what)
    check_eq('%s: exit status (stderr %r)' % (what, r.stderr), 1, r.returncode)
    for w in words:
        check(w in r.stderr, '%s: the message does not say %r: %r' % (what, w, r.stderr))
    check_eq('%s: stdout' % what, '', r.stdout)
    for path in made:
        check(not os.path.lexists(path), '%s: %s was made' % (what, path))
    return r.stderr


def traces_exactly(d, what):
    """A run through d: its kills, deliveries and handler returns as `signals 5` reports them."""
    t = trace([example('signals'), '5'], opts=['-s', d.socket])
    check_eq('%s: run exit status (stderr %r)' % (what, t.stderr), 0, t.returncode)
    check_eq('%s: lost' % what, 0, t.summary['lost'])
    for typ, n in (('kill', t.report['kill']), ('signal_deliver', t.report['handled']),
                   ('rt_sigreturn', t.report['handled'])):
        check_eq('%s: %s events' % (what, typ), n, len([e for e in t.events if e['type'] == typ]))
    return t


tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-')
try:
    os.chmod(tmp, 0o777)
    sock, journal = os.path.join(tmp, 'nobody', 's'), os.path.join(tmp, 'nobody', 'journal')
    r = as_nobody([IPCTRACED, '-s', sock, '--journal', journal])
    check_eq('ipctraced as uid %d: exit status (stderr %r)' % (NOBODY, r.stderr), 1, r.returncode)
    check('must run as root' in r.stderr, 'ipctraced as nobody: the message %r' % r.stderr)
    check(not os.path.lexists(os.path.dirname(sock)), 'ipctraced as nobody made %s' % os.path.dirname(sock))
    passed('not root: exit 1, "must run as root", nothing made')

    d = Daemon()
    try:
        traces_exactly(d, 'before')
        j2 = os.path.join(tmp, 'j2')
        refused('a second daemon on the socket', [IPCTRACED, '-s', d.socket, '--journal', j2],
                ['another ipctraced is already serving %s' % d.socket])
        check(os.path.exists(d.socket) and d.alive(), 'the first daemon lost its socket or died')
        traces_exactly(d, 'after a second daemon was refused the socket')
        passed('socket in use: exit 1, "already serving"; the first daemon goes on tracing exactly')

        s2 = os.path.join(tmp, 's2')
        logged = log(d.socket)
        refused('a second daemon on the journal', [IPCTRACED, '-s', s2, '--journal', d.journal],
                ['journal in %s is in use by another ipctraced' % d.journal], made=[s2])
        same_events('the first daemon\'s log after a second one was refused its journal', logged, log(d.socket))
        check(d.alive(), 'the first daemon died')
        passed('journal in use: exit 1, "in use by another ipctraced", no socket; the log unchanged')

        # Killed: its socket stays, and nothing answers there.
        d.kill(signal.SIGKILL)
        check(os.path.exists(d.socket), 'SIGKILL removed the socket')
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            check_eq('connecting to the socket of the killed daemon', errno.ECONNREFUSED, c.connect_ex(d.socket))
        # The last --socket counts: the killed daemon's.
        stale = Daemon(args=['--socket', d.socket])
        try:
            stale.socket = d.socket
            traces_exactly(stale, 'a daemon that replaced a stale socket')
        finally:
            stale.cleanup()
        passed('a stale socket: replaced, and the new daemon traces exactly')
    finally:
        d.cleanup()

    plain = os.path.join(tmp, 'plain')
    with open(plain, 'w'):
        pass
    s3 = os.path.join(tmp, 's3')
    refused('a journal under a regular file', [IPCTRACED, '-s', s3, '--journal', os.path.join(plain, 'journal')],
            ['cannot open the journal in %s' % os.path.join(plain, 'journal'), 'Not a directory'], made=[s3])
    ro = os.path.join(tmp, 'ro')
    os.mkdir(ro)
    refused('a journal on a read-only file system',
            UNSHARE + ['sh', '-c', 'mount -t tmpfs -o ro,size=1m ipctrace-e2e "$0" && exec "$@"', ro,
                       IPCTRACED, '-s', s3, '--journal', os.path.join(ro, 'journal')],
            ['cannot open the journal in %s' % os.path.join(ro, 'journal'), 'Read-only file system'], made=[s3])
    passed('a journal that cannot be written (ENOTDIR, EROFS): exit 1, the reason, no socket')

    full = os.path.join(tmp, 'full')
    os.mkdir(full)
    d = Daemon(journal=os.path.join(full, 'journal'),
               wrapper=UNSHARE + ['sh', '-c', 'mount -t tmpfs -o size=2m ipctrace-e2e "$0" && exec "$@"', full])
    try:
        check_eq('journal write errors at the start', 0, stats(d.socket)['journal']['write_errors'])
        t = trace([example('signals'), '20000'], opts=['-s', d.socket], timeout=120)
        check_eq('signals 20000: (exit status, lost)', (0, 0), (t.returncode, t.summary['lost']))
        check_eq('signals 20000: kill events', t.report['kill'], len([e for e in t.events if e['type'] == 'kill']))
        errors = stats(d.socket)['journal']['write_errors']
        check(errors > 0, 'no journal write error after 80000 events into a 2 MiB file system')
        r = run_cli(['stats', '-s', d.socket])
        check(('%-32s %d\n' % ('journal write errors', errors)) in r.stdout,
              'stats text does not say "journal write errors %d": %r' % (errors, r.stdout))
        traces_exactly(d, 'with the journal full')
        check(d.alive(), 'the daemon died of a full journal')
    finally:
        d.cleanup()
    passed('journal full: %d write errors counted (stats), the traces complete all the same' % errors)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
done()
