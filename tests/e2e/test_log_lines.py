#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace log -n N`: exactly the last N matches, never silently fewer.

A private daemon whose journal is cut into 4 MiB segments (--journal-max-mib
64) traces `signals 3` (handlers, for the names), then `pipe 200000` (over
200,000 events: its writes, and its reads, as many as the reader's timing
makes them: from a few thousand to one a write, so 8 to 16 segments, and
never more than the journal holds, which would drop its oldest). Against the whole log (`log`, no -n),
whose writes are as many as the program counted:

- `-n N type=write` the last N writes, for N from 1 to 110,000; `-n 0`
  nothing; `-n 10000000` (the cap) all of the first process's events
  (the walk back goes through the whole journal);
- `-n 2 type=signal_deliver`: the last two deliveries, their handler named
  (the exec that names it lies over 200,000 events further back);
- `-n 200000` returns exactly the last 200,000 events, exit 0, to a
  client that stops reading until the daemon holds a full backlog for it
  (stats backlog_bytes): far more than a client's backlog (16 MiB, about
  110,000 events) can hold, so the daemon must wait for it, not drop;
- `-n 10000001`, and a raw request with "limit" 10000001: refused, with
  an error that names the cap;
- `-f -n 0` prints only what is logged after it began, and Ctrl-C ends it
  with exit 0 (nothing was lost)."""

import json
import os
import signal
import subprocess
import tempfile

from common import (IPCTRACE, Daemon, Lines, check, check_clean_exit, check_eq, connect, done, example,
                    passed, request, run_env, trace)
from logcommon import log, log_run, parse_json_lines, same_events, stats, wait_stats

# Every event is logged (160 bytes): 200,000 writes and up to as many reads fill the 64 MiB journal to
# under 64 MB, and the writes alone pass the 7 segments (of 4 MiB) that an 8th starts after.
WRITES = 200000
CAP = 10000000


def reap(p):
    if p.poll() is None:
        p.kill()
    p.wait()
    p.stdout.close()
    p.stderr.close()


def stalled(d, args):
    """`log -o json ARGS` read late: its first line, then nothing more read until the daemon holds a
    full backlog for it (over 4 MiB: there a query waits for its client, where a stream would go on
    to drop past 16 MiB); then all its lines, its exit status and stderr."""
    p = subprocess.Popen([IPCTRACE, 'log', '-s', d.socket, '-o', 'json'] + args, env=run_env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = Lines(p.stdout)
        check(out.wait_for(lambda lines: len(lines) >= 1, 120), 'no event from `log %s`' % ' '.join(args))
        wait_stats(d.socket, lambda st: st['backlog_bytes'] >= 4 << 20, 'a full backlog for the stalled client')
        out.wait_for(lambda lines: False, 300)
        code = p.wait(timeout=60)
        return out.lines, code, p.stderr.read().decode(errors='replace')
    finally:
        reap(p)


d = Daemon(args=['--journal-max-mib', '64'])
try:
    sock = d.socket
    sig = trace([example('signals'), '3'], opts=['-s', sock])
    check_clean_exit(sig, 0)
    # Counted by the daemon, not printed: the log is what is compared (--signals: every call is
    # recorded and logged; --count alone would have the kernel count them, and log none).
    fd, report = tempfile.mkstemp(prefix='ipctrace-e2e-report-')
    os.close(fd)
    r = subprocess.run([IPCTRACE, 'run', '-s', sock, '-o', 'json', '--count', '--signals', '--', example('pipe'),
                        str(WRITES)],
                       env=run_env({'IPCTRACE_REPORT': report}), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300, universal_newlines=True)
    summary = json.loads(r.stdout.splitlines()[-1])
    check(r.returncode == 0 and summary.get('lost') == 0,
          'run pipe %d: status %d, summary %r, stderr %r' % (WRITES, r.returncode, summary, r.stderr))
    with open(report) as f:
        big = json.load(f)
    os.unlink(report)
    st = stats(sock)
    check(st['journal']['segments'] >= 8, 'the journal has %d segments: the test wants many' % st['journal']['segments'])
    full = log(sock, timeout=300)
    check_eq('log: every event the daemon drained', st['events'], len(full))
    writes = [e for e in full if e['type'] == 'write']
    check_eq('logged writes vs the program\'s writes', big['writes'], len(writes))
    # The writes are the program's; the reads as many as the reader's timing made them (fewer when slow).
    check(len(full) > big['writes'], 'only %d events logged' % len(full))
    passed('%d events logged in %d segments; %d writes, as `pipe` counted'
           % (len(full), st['journal']['segments'], len(writes)))

    for n in (1, 2, 1000, 110000):
        same_events('-n %d type=write' % n, writes[-n:], log(sock, 'type=write', opts=['-n', str(n)], timeout=300))
    same_events('-n 0', [], log(sock, opts=['-n', '0']))
    same_events('-n 10', full[-10:], log(sock, opts=['-n', '10']))
    spid = sig.events[0]['pid']
    same_events('-n %d (the cap) pid=%d' % (CAP, spid), [e for e in full if e['pid'] == spid],
                log(sock, 'pid=%d' % spid, opts=['-n', str(CAP)]))
    passed('-n N type=write: the last N writes, for N from 1 to 110,000; -n 0 none; -n %d all' % CAP)

    delivers = [e for e in sig.events if e['type'] == 'signal_deliver']
    check_eq('deliveries of `signals 3`', 3, len(delivers))
    check(all(not e['handler'].startswith('0x') for e in delivers), 'the run named no handler: %r' % delivers)
    same_events('-n 2 type=signal_deliver (handlers named)', delivers[-2:],
                log(sock, 'type=signal_deliver', opts=['-n', '2']))
    passed('-n 2 type=signal_deliver: handler %r named from an exec %d events back'
           % (delivers[-1]['handler'], len(full) - full.index(next(e for e in full if e['type'] == 'exec'))))

    # -n 200000 to a client that stops reading until the daemon holds a full backlog for it.
    lines, code, err = stalled(d, ['-n', '200000'])
    check_eq('-n 200000: exit status (stderr %r)' % err, 0, code)
    check_eq('-n 200000: stderr', '', err)
    same_events('-n 200000', full[-200000:], parse_json_lines('\n'.join(lines), 'log -n 200000'))
    passed('-n 200000, read late: exactly the last 200,000 events, exit 0')

    r = log_run(sock, opts=['-n', str(CAP + 1)])
    check_eq('-n %d: exit status' % (CAP + 1), 2, r.returncode)
    check_eq('-n %d: stdout' % (CAP + 1), '', r.stdout)
    for w in ("'%d'" % (CAP + 1), 'from 0 to %d' % CAP, 'the most one query returns'):
        check(w in r.stderr, '-n %d: the error does not say %r: %r' % (CAP + 1, w, r.stderr))
    s = connect(sock)
    try:
        reply = request(s, {'cmd': 'log', 'limit': CAP + 1})
    finally:
        s.close()
    check(reply.get('ok') is False and 'from 0 to %d' % CAP in reply.get('error', ''),
          'limit %d: the reply %r' % (CAP + 1, reply))
    passed('-n %d and "limit": %d refused, naming the cap: %r' % (CAP + 1, CAP + 1, r.stderr.strip()))

    # -f -n 0: only what comes next; Ctrl-C, and nothing was lost: exit 0.
    p = subprocess.Popen([IPCTRACE, 'log', '-s', sock, '-o', 'json', '-f', '-n', '0', 'comm=signals'],
                         env=run_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = Lines(p.stdout)
        wait_stats(sock, lambda st: st['clients'] == 2, 'the follower connected')
        again = trace([example('signals'), '1'], opts=['-s', sock])
        check_clean_exit(again, 0)
        check(out.wait_for(lambda lines: len(lines) >= len(again.events), 60),
              '-f -n 0: %d lines of the %d events of the next run' % (len(out.lines), len(again.events)))
        p.send_signal(signal.SIGINT)
        code = p.wait(timeout=30)
        err = p.stderr.read().decode(errors='replace')
        out.wait_for(lambda lines: False, 5)
    finally:
        reap(p)
    same_events('-f -n 0 comm=signals: the next run only', again.events,
                parse_json_lines('\n'.join(out.lines), 'log -f -n 0'))
    check_eq('-f -n 0 after Ctrl-C: exit status (stderr %r)' % err, 0, code)
    check_eq('-f -n 0: stderr', '', err)
    passed('-f -n 0: only the %d events of the next run; Ctrl-C: exit 0' % len(again.events))
finally:
    d.cleanup()
done()
