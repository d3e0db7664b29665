#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Damage in the middle of the journal, not a torn tail: a private daemon
with its own journal traces five runs of `pipe N`, each logged before the
next begins, so that each run's records are blocks of their own in the
one segment. With the daemon stopped, run 2's blocks get their headers
wiped (magic and length: where the next block starts is lost too) and
run 4's blocks a flipped byte in their records (their hashes fail). The
restarted daemon starts, cuts nothing (good blocks follow the damage),
says on stderr what it kept unread; `log` returns exactly the events of
runs 1, 3 and 5, as many writes as each program made; `stats` counts the
two damaged stretches and their bytes. A new run is logged after them,
and one more restart reads the same. The segments are 0640, the
directory 0750, and a segment left writable by others is made 0640."""

import os
import shutil
import signal
import stat
import subprocess
import tempfile

from common import IPCTRACED, Daemon, check, check_clean_exit, check_eq, done, example, passed, select_events, trace
from logcommon import BLK_HDR, blocks, daemon_stderr, log, same_events, segments, stats

SIZES = (300, 400, 500, 600, 700)


def run_pipe(d, n):
    """`pipe n` traced, exact, and logged whole before this returns."""
    t = trace([example('pipe'), str(n)], opts=['-s', d.socket])
    check_clean_exit(t, 0)
    check_eq('pipe %d: write events vs its report' % n, t.report['writes'],
             len(select_events(t.events, type='write')))
    session = t.events[0]['session']
    same_events('log session=%d (pipe %d) vs what it streamed' % (session, n), t.events,
                log(d.socket, 'session=%d' % session))
    return t


def logged_writes(events, t):
    session = t.events[0]['session']
    return len([e for e in events if e['session'] == session and e['type'] == 'write'])


top = tempfile.mkdtemp(prefix='ipctrace-e2e-damage-')
journal = os.path.join(top, 'journal')
daemons = []
try:
    d = Daemon(journal=journal)
    daemons.append(d)
    runs, ends = [], []
    for n in SIZES:
        runs.append(run_pipe(d, n))
        check_eq('one segment', 1, len(segments(journal)))
        ends.append(os.path.getsize(os.path.join(journal, segments(journal)[0])))
    d.kill(signal.SIGTERM)
    seg = os.path.join(journal, segments(journal)[0])
    size = os.path.getsize(seg)

    # Each run's blocks lie between the end of the one before and its own.
    blks = blocks(seg)
    starts = [b[0] for b in blks] + [size]
    mine = []
    for i, end in enumerate(ends):
        begin = ends[i - 1] if i else blks[0][0]
        check(begin in starts and end in starts, 'run %d does not end on a block boundary' % (i + 1))
        mine.append([b for b in blks if begin <= b[0] < end])
        check(mine[-1], 'run %d has no block of its own' % (i + 1))
    wiped, flipped = mine[1], mine[3]
    with open(seg, 'r+b') as f:
        for off, _, _ in wiped:
            f.seek(off)
            f.write(b'\xee' * 8)        # magic and length
        for off, bsize, _ in flipped:
            f.seek(off + BLK_HDR.size + (bsize - BLK_HDR.size) // 2)
            c = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([c[0] ^ 0x5a]))
    bad_bytes = sum(b[1] for b in wiped) + sum(b[1] for b in flipped)
    os.chmod(seg, 0o666)

    d = Daemon(journal=journal)
    daemons.append(d)
    err = daemon_stderr(d)
    check('cut' not in err, 'the daemon cut something of a journal damaged in its middle: %r' % err)
    check_eq('the segment\'s size after the restart', size, os.path.getsize(seg))
    want = 'blocks that fail their checksum: 2 (%d bytes), kept as they are, not read' % bad_bytes
    check(want in err, 'the daemon\'s stderr does not say %r: %r' % (want, err))
    got = log(d.socket)
    for i in (0, 2, 4):
        check_eq('run %d (pipe %d): logged writes vs its report' % (i + 1, SIZES[i]), runs[i].report['writes'],
                 logged_writes(got, runs[i]))
    for i in (1, 3):
        check_eq('run %d (pipe %d, damaged): logged writes' % (i + 1, SIZES[i]), 0, logged_writes(got, runs[i]))
    kept = runs[0].events + runs[2].events + runs[4].events
    same_events('log after the damage vs runs 1, 3 and 5', kept, got)
    j = stats(d.socket)['journal']
    check_eq('stats journal.bad_blocks', 2, j['bad_blocks'])
    check_eq('stats journal.bad_bytes', bad_bytes, j['bad_bytes'])
    check_eq('stats journal.repaired_bytes', 0, j['repaired_bytes'])
    passed('damage in the middle: restart cut nothing; log has runs 1, 3, 5 exactly (%d events); '
           'stats bad_blocks 2, bad_bytes %d' % (len(kept), bad_bytes))

    check_eq('segment mode (was 0666)', 0o640, stat.S_IMODE(os.stat(seg).st_mode))
    check_eq('journal directory mode', 0o750, stat.S_IMODE(os.stat(journal).st_mode))
    passed('segment made 0640 again, directory 0750')

    # The journal goes on after the damage, and reads the same once more.
    t6 = run_pipe(d, 200)
    kept += t6.events
    same_events('log after a new run', kept, log(d.socket))
    d.kill(signal.SIGKILL)
    d = Daemon(journal=journal)
    daemons.append(d)
    same_events('log after one more restart', kept, log(d.socket))
    check_eq('stats journal.bad_blocks after one more restart', 2, stats(d.socket)['journal']['bad_blocks'])
    passed('a run after the damage is logged; a restart reads the same %d events' % len(kept))

    # A journal directory others may write to is refused; so is a socket directory that is a symbolic link.
    d.kill(signal.SIGTERM)
    os.chmod(journal, 0o777)
    sock = os.path.join(top, 's')
    p = subprocess.run([IPCTRACED, '--socket', sock, '--journal', journal], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    check_eq('ipctraced on a journal directory of mode 0777: exit status (stderr %r)' % p.stderr, 1, p.returncode)
    check('writable by anyone' in p.stderr and 'chmod go-w' in p.stderr, 'the refusal does not say why: %r'
          % p.stderr)
    check(not os.path.lexists(sock), 'a refused ipctraced left its socket %s' % sock)
    passed('a journal directory writable by anyone: refused')
    os.chmod(journal, 0o750)
    elsewhere = os.path.join(top, 'elsewhere')
    os.mkdir(elsewhere, 0o755)
    os.symlink(elsewhere, os.path.join(top, 'link'))
    sock = os.path.join(top, 'link', 's')
    p = subprocess.run([IPCTRACED, '--socket', sock, '--journal', journal], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    check_eq('ipctraced with its socket\'s directory a symbolic link: exit status (stderr %r)' % p.stderr, 1,
             p.returncode)
    check('symbolic link is not followed' in p.stderr, 'the refusal does not say why: %r' % p.stderr)
    check_eq('what the refused daemon put where the link points', [], os.listdir(elsewhere))
    passed('a socket directory that is a symbolic link: refused, nothing made through it')
finally:
    for dm in daemons:
        dm.cleanup()
    shutil.rmtree(top, ignore_errors=True)
done()
