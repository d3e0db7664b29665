#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The event log survives the daemon: a private daemon with its own journal
traces `signals 5` and then `pipe 1000`; `ipctrace log -o json` returns
exactly the events the two runs streamed. The daemon is killed with SIGKILL
and a new one started on the same journal: `log` returns them all again,
and `signals` the same lifecycle records. A second daemon on a journal in
use is refused. Then the last segment is cut short in the middle of its
last block (as a crash during a write would leave it): the next daemon
says on stderr what it cut, stats report it as journal.repaired_bytes, and
`log` returns exactly the events of the blocks before the cut (the whole
first run at least, which was written before the second began) and nothing
of the torn block. The repaired journal takes new events after it; the
restarted daemon numbers its sessions and lifecycle records after those
the journal holds (`log session=N` must not mix two daemons' sessions).
Last, a record that a detach completes (a signal still pending) survives
a kill -9 and a restart like the rest.

The journal's layout is read (logcommon.blocks) only to find its last
block."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from common import (IPCTRACED, Daemon, Lines, check, check_clean_exit, check_eq, done, example, passed,
                    run_cli, select_events, trace)
from logcommon import TIME_SLACK_NS, blocks, daemon_stderr, log, parse_json_lines, same_events, segments, stats

CUT = 5                 # bytes taken off the end of the last segment
# A process that blocks SIGUSR1 and waits: a SIGUSR1 to it stays pending.
BLOCKER = ('import signal, time; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1}); '
           'print("ready", flush=True); time.sleep(120)')


def signals_query(sock):
    r = run_cli(['signals', '-s', sock, '-o', 'json'])
    check_eq('ipctrace signals -o json: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    return parse_json_lines(r.stdout, 'ipctrace signals')


def same_records(what, expected, got):
    """The same records: wall-clock times (*_ns but pending_ns) within TIME_SLACK_NS, the rest equal."""
    check_eq('%s: ids' % what, [r['id'] for r in expected], [r['id'] for r in got])
    for a, b in zip(expected, got):
        for k in sorted(set(a) | set(b)):
            x, y = a.get(k, '(absent)'), b.get(k, '(absent)')
            if k.endswith('_ns') and k != 'pending_ns' and isinstance(x, int) and isinstance(y, int):
                check(abs(x - y) <= TIME_SLACK_NS, '%s: record %d: %s %d vs %d' % (what, a['id'], k, x, y))
            else:
                check_eq('%s: record %d: %s' % (what, a['id'], k), x, y)


top = tempfile.mkdtemp(prefix='ipctrace-e2e-journal-')
journal = os.path.join(top, 'journal')
daemons = []
try:
    d = Daemon(journal=journal)
    daemons.append(d)

    # Run 1, and the log has it (so its blocks are written before run 2 starts).
    before = time.time_ns()
    t1 = trace([example('signals'), '5'], opts=['-s', d.socket])
    check_clean_exit(t1, 0)
    check_eq('run 1: kill events', t1.report['kill'], len(select_events(t1.events, type='kill')))
    got = log(d.socket)
    worst = same_events('log after run 1 vs what run 1 streamed', t1.events, got)
    check(all(e.get('uid') == 0 for e in got), 'an event without "uid": 0: %r' % got[:3])
    passed('log after `signals 5`: the %d events it streamed (times within %d ns)' % (len(got), worst))

    t2 = trace([example('pipe'), '1000'], opts=['-s', d.socket])
    check_clean_exit(t2, 0)
    check_eq('run 2: write events', t2.report['writes'], len(select_events(t2.events, type='write')))
    everything = t1.events + t2.events
    after = time.time_ns()
    same_events('log after run 2 vs what both runs streamed', everything, log(d.socket))
    records = signals_query(d.socket)
    check(len(records) >= t1.report['kill'], 'lifecycle records before the restart: %d' % len(records))
    st = stats(d.socket)
    j = st.get('journal')
    check(isinstance(j, dict), 'stats journal: %r' % j)
    check_eq('stats events', len(everything), st['events'])
    # Each run's session start and diagnoses (none: both programs are correct) are records too.
    check_eq('runs\' diagnoses', [], t1.diagnoses + t2.diagnoses)
    # And each ended session's pipe-graph objects, one record each, and its end (docs/journal.md).
    r = run_cli(['pipes', '-s', d.socket, '-o', 'json'])
    check_eq('pipes: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    objects = parse_json_lines(r.stdout, 'pipes -o json')
    check_eq('stats journal.records (events, lifecycle records, two session starts and ends, graph objects)',
             len(everything) + len(records) + 4 + len(objects), j['records'])
    check_eq('stats journal.segments', len(segments(journal)), j['segments'])
    check_eq('stats journal.bytes', sum(os.path.getsize(os.path.join(journal, n)) for n in segments(journal)),
             j['bytes'])
    check_eq('stats journal.repaired_bytes', 0, j['repaired_bytes'])
    check_eq('stats journal.write_errors', 0, j['write_errors'])
    # The journal begins with run 1's session start: after the run was asked for, before its first event;
    # it ends with run 2's session end: after its last event, before the run had returned.
    check(before - TIME_SLACK_NS <= j['first_ns'] <= everything[0]['time_ns'] + TIME_SLACK_NS and
          max(e['time_ns'] for e in everything) - TIME_SLACK_NS <= j['last_ns'] <= after + TIME_SLACK_NS,
          'stats journal first_ns/last_ns %d/%d vs run 1 asked for at %d, the events %d..%d, run 2 back at %d'
          % (j['first_ns'], j['last_ns'], before, everything[0]['time_ns'], everything[-1]['time_ns'], after))
    passed('log after `pipe 1000`: all %d events of both runs; stats journal %r' % (len(everything), j))

    # A second daemon on a journal in use is refused, and does no harm.
    sock2 = os.path.join(d.dir, 's2')
    p = subprocess.run([IPCTRACED, '--socket', sock2, '--journal', journal], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    check(p.returncode != 0, 'a second ipctraced on the same journal started (status %d)' % p.returncode)
    check('in use' in p.stderr and journal in p.stderr,
          'the second ipctraced does not say the journal %s is in use: %r' % (journal, p.stderr))
    check(d.alive(), 'the first daemon died')
    same_events('log after the second daemon was refused', everything, log(d.socket))
    passed('a second ipctraced on the journal: exit %d, %r' % (p.returncode, p.stderr.strip()))

    # Killed without a chance to flush or sync: the next daemon has it all.
    d.kill(signal.SIGKILL)
    d = Daemon(journal=journal)
    daemons.append(d)
    same_events('log after kill -9 and a restart', everything, log(d.socket))
    same_records('lifecycle records after the restart', records, signals_query(d.socket))
    st = stats(d.socket)
    check_eq('stats journal.records after the restart', j['records'], st['journal']['records'])
    check_eq('stats journal.repaired_bytes after a clean restart', 0, st['journal']['repaired_bytes'])
    check('cut' not in daemon_stderr(d), 'the daemon cut something of a whole journal: %r' % daemon_stderr(d))
    passed('after kill -9 and a restart: the same %d events and %d lifecycle records'
           % (len(everything), len(records)))

    # A torn tail: the last segment loses what follows the middle of its last block of events (the
    # session's end and graph records may follow in blocks of their own: they go with it).
    d.kill(signal.SIGKILL)
    last = segments(journal)[-1]
    path = os.path.join(journal, last)
    blks = blocks(path)
    idx = max([i for i, b in enumerate(blks) if b[2].get(1, 0)] or [-1])
    check(idx >= 1, '%s has its events in blocks %r: expected the runs in separate blocks'
          % (last, [b[2] for b in blks]))
    off, size, types = blks[idx]
    check(size > CUT, 'the last block of events is %d bytes' % size)
    lost_events = types.get(1, 0)
    with open(path, 'r+b') as f:
        f.truncate(off + size - CUT)
    d = Daemon(journal=journal)
    daemons.append(d)
    err = daemon_stderr(d)
    want = ('ipctraced: journal: cut %d bytes of a torn tail from %s (%d blocks before it kept)'
            % (size - CUT, last, idx))
    check(want in err, 'the daemon\'s stderr does not say %r: %r' % (want, err))
    check_eq('the segment\'s size after the repair', off, os.path.getsize(path))
    st = stats(d.socket)
    check_eq('stats journal.repaired_bytes', size - CUT, st['journal']['repaired_bytes'])
    got = log(d.socket)
    kept = len(everything) - lost_events
    check(kept >= len(t1.events),
          'the torn block held %d events, some of run 1 (%d events), which was written before run 2 began'
          % (lost_events, len(t1.events)))
    check(lost_events >= 1, 'the torn last block held no event (record types %r)' % types)
    same_events('log after the torn tail was cut vs the events before the last block', everything[:kept], got)
    passed('torn tail: %r; stats repaired_bytes %d; log: the %d events before the cut (run 1 whole), none of '
           'the %d in the torn block' % (want, size - CUT, kept, lost_events))

    # The repaired journal goes on: a new run is logged after what was kept.
    t3 = trace([example('signals'), '2'], opts=['-s', d.socket])
    check_clean_exit(t3, 0)
    # Session ids name sessions in the log: a restarted daemon must not reuse those the journal holds.
    s3 = t3.events[0]['session']
    logged = sorted({e['session'] for e in everything[:kept]})
    check(s3 not in logged, 'the restarted daemon gave the new run session id %d, which the journal already '
          'holds (sessions %s): `log session=%d` mixes them' % (s3, logged, s3))
    same_events('log session=%d (the new run)' % s3, t3.events, log(d.socket, 'session=%d' % s3))
    rids = [r['id'] for r in signals_query(d.socket)]
    check(len(set(rids)) == len(rids) and rids == sorted(rids),
          'lifecycle record ids after a restart and a new run are not unique and increasing: %s' % rids)
    same_events('log after a run on the repaired journal', everything[:kept] + t3.events, log(d.socket))
    d.kill(signal.SIGTERM)
    d = Daemon(journal=journal)
    daemons.append(d)
    check('cut' not in daemon_stderr(d), 'a journal written after a repair was cut again: %r' % daemon_stderr(d))
    same_events('log after one more restart', everything[:kept] + t3.events, log(d.socket))
    check_eq('stats journal.repaired_bytes after a clean stop', 0, stats(d.socket)['journal']['repaired_bytes'])
    passed('the repaired journal takes new events and keeps them across a clean restart')

    # A lifecycle record that a detach completes (its signal still pending) is in the journal too.
    helper = subprocess.Popen([sys.executable, '-c', BLOCKER], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        check(Lines(helper.stdout).wait_for(lambda ls: 'ready' in ls, 30), 'the SIGUSR1 blocker did not start')
        r = run_cli(['attach', '-s', d.socket, '-p', str(helper.pid), '--background'])
        check_eq('attach --background: exit status (stderr %r)' % r.stderr, 0, r.returncode)
        session = int(r.stdout)
        os.kill(helper.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 30
        while not log(d.socket, 'session=%d' % session, 'type=signal_generate', 'pid=%d' % os.getpid()):
            check(time.monotonic() < deadline, 'the SIGUSR1 to pid %d was not logged' % helper.pid)
            time.sleep(0.02)
        r = run_cli(['detach', '-s', d.socket, str(session)])
        check_eq('detach: exit status (stderr %r)' % r.stderr, 0, r.returncode)
        pending = [r for r in signals_query(d.socket) if r['target_pid'] == helper.pid]
        check_eq('the record of the pending SIGUSR1 after the detach: outcome', ['never_delivered'],
                 [r['outcome'] for r in pending])
        d.kill(signal.SIGKILL)
        d = Daemon(journal=journal)
        daemons.append(d)
        same_records('the record that the detach completed, after kill -9 and a restart', pending,
                     [r for r in signals_query(d.socket) if r['target_pid'] == helper.pid])
    finally:
        helper.kill()
        helper.wait()
        helper.stdout.close()
    passed('a record completed by a detach (never_delivered) survives kill -9 and a restart')
finally:
    for d in daemons:
        d.cleanup()
    shutil.rmtree(top, ignore_errors=True)
done()
