#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`log`, `signals` and `pipes` as a journalctl user expects them
(ipctrace(1)), through a daemon of the test's own with its own journal:

- times in journalctl's syntax: -5min, "5 minutes ago", "1h 30min ago", NOW,
  -Nms, "N msec ago",
  ISO 8601 2026-12-06T00:10:00 (with Z for UTC), each the same answer as
  the @EPOCH it stands for; 00:10:60 and "-5 lightyears" refused (exit 2);
  --since after --until refused, saying so (exit 2), and -f with --until;
- -n 0 prints no event; -f alone prints the last 10 events of the journal
  (the last run's, as it reported them), then follows: a run made
  afterwards appears whole, in order; Ctrl-C ends it with exit 0;
- the time column: times of day when everything asked for is from today
  (--since today), the date too otherwise (no --since, --since
  yesterday), the events' own local dates and times;
- signals and pipes: -n N is the last N of the whole answer; --since a time
  between two runs gives the second run's records or objects only, --until
  it the first's; --since after --until refused;
- pipes after a restart of the daemon on the same journal: the same
  objects as before it."""

import json
import os
import re
import signal
import subprocess
import time

from common import (IPCTRACE, Daemon, check, check_eq, done, example, fail, passed, run_cli, run_env, trace)
from logcommon import log, log_run, parse_json_lines, same_events


def query(verb, sock, *args, code=0):
    r = run_cli([verb, '-s', sock, '-o', 'json'] + list(args))
    check_eq('%s %s: exit status (stderr %r)' % (verb, ' '.join(args), r.stderr), code, r.returncode)
    return parse_json_lines(r.stdout, '%s %s' % (verb, ' '.join(args)))


def refused(args, words):
    r = run_cli(args)
    check_eq('%s: exit status (stderr %r)' % (' '.join(args), r.stderr), 2, r.returncode)
    check_eq('%s: stdout' % ' '.join(args), '', r.stdout)
    for w in words:
        check(w in r.stderr, '%s: the error does not say %r: %r' % (' '.join(args), w, r.stderr))


def ids(recs):
    return [r['id'] for r in recs]


def local_date(ns):
    return time.strftime('%Y-%m-%d', time.localtime(ns // 10**9))


journal = old_daemon = None
d = Daemon()
try:
    sock = d.socket
    journal = d.journal
    t1 = trace([example('pipe'), '10'], opts=['-s', sock, '--pipes'], to_files=True)
    check_eq('first run: exit status', 0, t1.returncode)
    # A second later: a time between the runs that no event of either has.
    time.sleep(1.1)
    between = time.time_ns()
    time.sleep(1.1)
    t2 = trace([example('pipe'), '1000'], opts=['-s', sock, '--pipes'], to_files=True)
    check_eq('second run: exit status', 0, t2.returncode)
    everything = log(sock)
    same_events('the journal: both runs', t1.events + t2.events, everything)

    # Times: each spelling as its @EPOCH.
    epoch = between // 10**9
    want = log(sock, opts=['--since', '@%d' % epoch])
    # @EPOCH is whole seconds: the runs are over a second from `between` on either side.
    check_eq('--since @between: the second run only', [e['session'] for e in t2.events],
             [e['session'] for e in want])
    iso = time.strftime('%Y-%m-%dT%H:%M:%S', time.localtime(epoch))
    utc = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))
    for spelling in (iso, utc, iso.replace('T', ' ')):
        same_events('--since %s' % spelling, want, log(sock, opts=['--since', spelling]))
    # A relative time moves on with the clock: taken just before each query, it stays between the runs.
    for form in ('-%dms', '%d ms ago', '-%dmsec', '%d msec ago'):
        spelling = form % ((time.time_ns() - between) // 10**6)
        same_events('--since %s' % spelling, want, log(sock, opts=['--since', spelling]))
    for spelling in ('-5min', '5 minutes ago', '1h 30min ago', '-1h30min', 'yesterday', 'Today'):
        same_events('--since %r' % spelling, everything, log(sock, opts=['--since', spelling]))
    same_events('--since NOW', [], log(sock, opts=['--since', 'NOW']))
    for bad in ('00:10:60', '-5 lightyears', '2026-02-30T10:00:00', '5 minutes'):
        refused(['log', '-s', sock, '--since', bad], ["'%s' is not a time" % bad])
    refused(['log', '-s', sock, '--since', 'now', '--until', '-1h'], ['--since', 'after --until'])
    refused(['log', '-s', sock, '-f', '--until', '-1h'], ['-f', '--until'])
    passed('times: ISO 8601 (local, Z), -Ns, "N seconds ago", -5min, "1h 30min ago", NOW; 00:10:60 and '
           'since > until refused, -f --until refused')

    # -n 0: nothing.
    same_events('-n 0', [], log(sock, opts=['-n', '0']))
    r = log_run(sock, opts=['-n', '0', '-o', 'text'])
    check_eq('-n 0 -o text: rows', [], r.stdout.splitlines()[1:])

    # -f: the last 10, then what comes.
    p = subprocess.Popen([IPCTRACE, 'log', '-s', sock, '-o', 'json', '-f'], env=run_env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True)
    try:
        first = [json.loads(p.stdout.readline()) for _ in range(10)]
        same_events('-f: the first 10 (the last of the journal)', everything[-10:], first)
        t3 = trace([example('signals'), '2'], opts=['-s', sock], to_files=True)
        check_eq('third run: exit status', 0, t3.returncode)
        followed = [json.loads(p.stdout.readline()) for _ in range(len(t3.events))]
        same_events('-f: the run made while following', t3.events, followed)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        check_eq('-f: exit status at Ctrl-C (stderr %r)' % err, 0, p.returncode)
        check_eq('-f: nothing more after the third run', '', out)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    passed('-n 0: no event; -f: the last 10, then the %d events of a run made while following'
           % len(t3.events))

    # Dates in the time column when the answer may span days.
    for opts, dated in ((['--since', 'today'], False), ([], True), (['--since', 'yesterday'], True)):
        r = log_run(sock, 'session=%d' % t1.events[0]['session'], opts=['-o', 'text'] + opts)
        check_eq('log -o text %s: exit status' % ' '.join(opts), 0, r.returncode)
        rows = r.stdout.splitlines()[1:]
        check_eq('log -o text %s: rows' % ' '.join(opts), len(t1.events), len(rows))
        for row, e in zip(rows, t1.events):
            m = re.match(r'(\d{4}-\d\d-\d\d )?(\d\d:\d\d:\d\d)\.\d{6} ', row)
            check(m and bool(m.group(1)) == dated, 'log -o text %s: a row %s a date: %r'
                  % (' '.join(opts), 'without' if dated else 'with', row))
            lt = time.strftime('%H:%M:%S', time.localtime(e['time_ns'] // 10**9))
            check_eq('log -o text %s: a row\'s time' % ' '.join(opts), lt, m.group(2))
            if dated:
                check_eq('log -o text: a row\'s date', local_date(e['time_ns']), m.group(1).strip())
    passed('the time column: dated unless everything asked for is from today')

    # signals and pipes: -n, --since, --until.
    recs = query('signals', sock)
    s1, s2 = t1.events[0]['session'], t2.events[0]['session']
    check(any(r['session'] == s1 for r in recs) and any(r['session'] == s2 for r in recs),
          'signals: records of both runs: %r' % [(r['session'], r['sig']) for r in recs])
    # Records by their ids: their times are given with each query's clock offset, a few ns apart.
    check_eq('signals -n 2', ids(recs[-2:]), ids(query('signals', sock, '-n', '2')))
    check_eq('signals --until @between: the first run\'s', ids(r for r in recs if r['session'] == s1),
             ids(query('signals', sock, '--until', '@%d' % epoch)))
    check_eq('signals --since @between --until now: the later runs\'', ids(r for r in recs if r['session'] != s1),
             ids(query('signals', sock, '--since', '@%d' % epoch, '--until', 'now')))
    refused(['signals', '-s', sock, '--since', 'now', '--until', 'today'], ['after --until'])
    objs = query('pipes', sock)
    check(any(o['session'] == s1 for o in objs) and any(o['session'] == s2 for o in objs),
          'pipes: objects of both runs: %r' % [(o['session'], o['object']) for o in objs])
    check_eq('pipes -n 1', objs[-1:], query('pipes', sock, '-n', '1'))
    check_eq('pipes --since @between: the later runs\'', [o for o in objs if o['session'] != s1],
             query('pipes', sock, '--since', '@%d' % epoch))
    check_eq('pipes --until @between: the first run\'s', [o for o in objs if o['session'] == s1],
             query('pipes', sock, '--until', '@%d' % epoch))
    refused(['pipes', '-s', sock, '-n', 'x'], ['-n', "'x'"])
    passed('signals and pipes: -n, --since and --until (%d records, %d objects)' % (len(recs), len(objs)))

    # pipes after a restart.
    d.kill(signal.SIGTERM)
    old_daemon = d
    d = Daemon(journal=journal)
    sock = d.socket
    check_eq('pipes after a restart: the same objects', objs, query('pipes', sock))
    passed('pipes: the %d objects of the ended sessions kept across a restart' % len(objs))
finally:
    if old_daemon:
        old_daemon.cleanup()
    d.cleanup()
done()
