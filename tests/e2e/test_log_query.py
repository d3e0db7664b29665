#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace log` queries, filtered in the daemon, against what the runs
streamed. A private daemon traces `forkstorm 5`, `signals 3`, `sigcases
sigpipe` and `sigcases merge`, then (a whole second later) `signals 2`:

- every match field picks exactly the events it names: tree=ROOT the
  forkstorm's processes (as its report lists them), type, sig (by name,
  short name and number), errno=EPIPE, result, object, fd, kind, pid, comm,
  session, uid; the same field twice ORs, different fields AND;
- --since/--until with absolute times (@EPOCH, "YYYY-MM-DD HH:MM:SS",
  HH:MM:SS) taken around the last run include or exclude it; relative
  times (-1h, "1h ago", boot, today, yesterday, now) as they say;
- -n 3 gives the last 3 matching events;
- text output: a header, aligned columns, wall-clock times;
- unknown fields, bad values and bad times: exit 2, nothing on stdout, an
  error that names them (and lists the valid fields);
- a daemon with a 1 MiB ring, stopped while a program makes over 100000
  events, loses most of them, every time: `log` says on stderr how many were lost
  and when, for the time range asked only, and exits 3 (its answer may miss
  events) there only;
- after a stall of a daemon with a 64 MiB ring, `log` returns every event
  of the one huge block it wrote."""

import datetime
import json
import os
import re
import signal
import subprocess
import tempfile
import time

from common import (IPCTRACE, Daemon, check, check_clean_exit, check_eq, done, example, fail, passed, run_env,
                    select_events, trace)
from logcommon import log, log_run, same_events, stats, wait_stats

FIELDS = 'pid tid comm tree uid type sig fd object kind result errno session'.split()


def strings_in(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from strings_in(x)


def names_object(e, name):
    return any(s == name for v in e.values() for s in strings_in(v))


def wait_past(t):
    """Returns once the wall clock has passed t (seconds since the epoch)."""
    while time.time() <= t:
        time.sleep(max(0.001, t - time.time() + 0.001))


def local(t, fmt='%Y-%m-%d %H:%M:%S'):
    return time.strftime(fmt, time.localtime(t))


d = Daemon()
try:
    sock = d.socket

    def q(*args, **kw):
        return log(sock, *args, **kw)

    runs = {}
    for name, args in (('forkstorm', ['forkstorm', '5']), ('signals', ['signals', '3']),
                       ('sigpipe', ['sigcases', 'sigpipe']), ('merge', ['sigcases', 'merge'])):
        t = trace([example(args[0])] + args[1:], opts=['-s', sock])
        check_clean_exit(t, 0)
        check(t.report is not None, '%s: no report' % name)
        runs[name] = t
    first = [e for n in ('forkstorm', 'signals', 'sigpipe', 'merge') for e in runs[n].events]
    same_events('log: everything', first, q())
    passed('log: the %d events of 4 runs' % len(first))

    # tree: the forkstorm parent and the children it reports, following its forks.
    fs = runs['forkstorm']
    root = fs.report['parent_pid']
    kids = fs.report['children']
    check_eq('forkstorm children', 5, len(kids))
    got = q('tree=%d' % root)
    check_eq('tree=%d: pids' % root, {root} | set(kids), {e['pid'] for e in got})
    same_events('tree=%d vs the forkstorm run' % root, fs.events, got)
    same_events('tree=%d (a child: itself only)' % kids[2], select_events(fs.events, restarts=True, pid=kids[2]),
                q('tree=%d' % kids[2]))
    same_events('tree=%d AND type=kill: the children\'s kills' % root,
                select_events(fs.events, restarts=True, type='kill'), q('tree=%d' % root, 'type=kill'))
    check_eq('kills of the forkstorm tree', len(kids) * fs.report['kill_per_child'],
             len(q('tree=%d' % root, 'type=kill')))
    same_events('pid=%d' % root, select_events(first, restarts=True, pid=root), q('pid=%d' % root))
    passed('tree=%d: exactly the %d events of pids %s' % (root, len(got), sorted({root} | set(kids))))

    # type and sig; sig by name, short name, number.
    kills = [e for e in first if e['type'] == 'kill' and e.get('sig') == 'SIGUSR1']
    check_eq('SIGUSR1 kills streamed (forkstorm, signals, merge)',
             len(kids) + runs['signals'].report['kill'] + runs['merge'].report['kills'], len(kills))
    same_events('type=kill sig=SIGUSR1', kills, q('type=kill', 'sig=SIGUSR1'))
    same_events('type=kill sig=usr1', kills, q('type=kill', 'sig=usr1'))
    same_events('type=kill sig=10', kills, q('sig=10', 'type=kill'))
    usr = [e for e in first if e['type'] == 'kill' and e.get('sig') in ('SIGUSR1', 'SIGUSR2')]
    check_eq('SIGUSR2 kills of merge', runs['merge'].report['ignored_kills'],
             len([e for e in usr if e['sig'] == 'SIGUSR2']))
    same_events('type=kill sig=SIGUSR1 sig=SIGUSR2 (OR)', usr, q('type=kill', 'sig=SIGUSR1', 'sig=SIGUSR2'))
    kw = [e for e in first if e['type'] in ('kill', 'write')]
    same_events('type=kill type=write (OR)', kw, q('type=kill', 'type=write'))
    sb = runs['signals']
    same_events('type=kill pid=%d (AND)' % sb.report['pid'],
                select_events(sb.events, restarts=True, type='kill'), q('type=kill', 'pid=%d' % sb.report['pid']))
    check_eq('type=kill pid=%d: count' % sb.report['pid'], sb.report['kill'],
             len(q('type=kill', 'pid=%d' % sb.report['pid'])))
    check_eq('type=fork AND sig=SIGUSR2 (no fork is about a signal)', [],
             q('type=fork', 'sig=SIGUSR2'))
    # The handler's name comes from the executable, whether or not its exec is among the matches.
    delivers = [e for e in first if e['type'] == 'signal_deliver' and e.get('action') == 'handler']
    check(delivers and all(not e['handler'].startswith('0x') for e in delivers),
          'the runs streamed handler addresses, not names: %r' % delivers[:2])
    same_events('type=signal_deliver (no exec among the matches)', [e for e in first if e['type'] == 'signal_deliver'],
                q('type=signal_deliver'))
    passed('type=kill sig=SIGUSR1: the %d kills (sig by name, short name, number); OR within a field, '
           'AND across' % len(kills))

    # errno, result, object, fd, kind, comm, session, uid.
    sp = runs['sigpipe']
    epipe = [e for e in first if e.get('errno') == 'EPIPE']
    check(len(epipe) >= 1 and all(e['pid'] == sp.report['child'] and e['type'] == 'write' for e in epipe),
          'the EPIPE writes streamed: %r' % epipe)
    same_events('errno=EPIPE', epipe, q('errno=EPIPE'))
    merged = [e for e in first if e['type'] == 'signal_generate' and e.get('result') == 'merged']
    check_eq('merged generations of `sigcases merge`', runs['merge'].report['kills'] - runs['merge'].report['handled'],
             len([e for e in merged if e['session'] == runs['merge'].events[0]['session']]))
    same_events('result=merged', merged, q('result=merged'))
    same_events('result=merged result=ignored',
                [e for e in first if e['type'] == 'signal_generate' and e.get('result') in ('merged', 'ignored')],
                q('result=ignored', 'result=merged'))
    obj = 'pipe:[%d]' % sp.report['inode']
    with_obj = [e for e in first if names_object(e, obj)]
    check(any(e['type'] == 'pipe2' for e in with_obj) and any(e['type'] == 'write' for e in with_obj),
          'events naming %s: %r' % (obj, with_obj[:4]))
    same_events('object=%s' % obj, with_obj, q('object=' + obj))
    same_events('object=%d' % sp.report['inode'], with_obj, q('object=%d' % sp.report['inode']))
    session = sp.events[0]['session']
    same_events('session=%d' % session, sp.events, q('session=%d' % session))
    same_events('session=%d fd=%d' % (session, sp.report['fd']),
                [e for e in sp.events if e.get('fd') == sp.report['fd']],
                q('session=%d' % session, 'fd=%d' % sp.report['fd']))
    same_events('kind=pipe session=%d' % session, [e for e in sp.events if e.get('kind') == 'pipe'],
                q('kind=pipe', 'session=%d' % session))
    same_events('kind=socket', [], q('kind=socket'))
    same_events('comm=signals', sb.events, q('comm=signals'))
    same_events('comm=signals comm=forkstorm', [e for e in first if e['comm'] in ('signals', 'forkstorm')],
                q('comm=signals', 'comm=forkstorm'))
    same_events('uid=0', first, q('uid=0'))
    same_events('uid=4242', [], q('uid=4242'))
    passed('errno=EPIPE (%d), result, object=%s, fd, kind, session, comm, uid: exactly the events streamed'
           % (len(epipe), obj))

    # Time ranges: the last run a whole second after the others, absolute times around it.
    t1 = int(time.time() + 0.01) + 1
    wait_past(t1 + 0.01)
    last = trace([example('signals'), '2'], opts=['-s', sock])
    check_clean_exit(last, 0)
    t2 = int(time.time() + 0.01) + 1
    wait_past(t2 + 0.01)
    everything = first + last.events
    same_events('--since @%d (just before the last run)' % t1, last.events, q(opts=['--since', '@%d' % t1]))
    same_events('--until @%d' % t1, first, q(opts=['--until', '@%d' % t1]))
    same_events('--since @%d --until @%d' % (t1, t2), last.events,
                q(opts=['--since', '@%d' % t1, '--until', '@%d' % t2]))
    same_events('--since "%s" --until "%s"' % (local(t1), local(t2)), last.events,
                q(opts=['--since', local(t1), '--until', local(t2)]))
    same_events('--since "%s"' % local(t2), [], q(opts=['--since', local(t2)]))
    same_events('--since @%d comm=signals' % t1, last.events, q('comm=signals', opts=['--since', '@%d' % t1]))
    same_events('--until @%d comm=signals' % t1, sb.events, q('comm=signals', opts=['--until', '@%d' % t1]))
    today = datetime.date.today()
    if datetime.date.fromtimestamp(t1) == today == datetime.date.fromtimestamp(t2):
        same_events('--since %s (a time of day)' % local(t1, '%H:%M:%S'), last.events,
                    q(opts=['--since', local(t1, '%H:%M:%S')]))
        same_events('--until %s' % local(t1, '%H:%M:%S'), first, q(opts=['--until', local(t1, '%H:%M:%S')]))
        start = first[0]['time_ns'] // 10**9
        if datetime.date.fromtimestamp(start) == today:
            same_events('--since %s (HH:MM)' % local(start, '%H:%M'), everything,
                        q(opts=['--since', local(start, '%H:%M')]))
            same_events('--since today', everything, q(opts=['--since', 'today']))
            same_events('--until yesterday', [], q(opts=['--until', 'yesterday']))
    same_events('--since -1h', everything, q(opts=['--since', '-1h']))
    same_events('--since "1h ago"', everything, q(opts=['--since', '1h ago']))
    same_events('--since boot', everything, q(opts=['--since', 'boot']))
    same_events('--until -1h', [], q(opts=['--until', '-1h']))
    same_events('--until "60m ago"', [], q(opts=['--until', '60m ago']))
    same_events('--since now', [], q(opts=['--since', 'now']))
    same_events('--since -300s --until now', everything, q(opts=['--since', '-300s', '--until', 'now']))
    passed('--since/--until: @EPOCH, dates, times of day and relative times around the last run (at %s)'
           % local(t1))

    # -n: the last N that match.
    same_events('-n 3', everything[-3:], q(opts=['-n', '3']))
    same_events('-n 3 type=kill', [e for e in everything if e['type'] == 'kill'][-3:], q('type=kill', opts=['-n', '3']))
    same_events('-n 100000', everything, q(opts=['-n', '100000']))
    same_events('-n 2 --until @%d' % t1, first[-2:], q(opts=['-n', '2', '--until', '@%d' % t1]))
    passed('-n 3: the last 3 events (and the last 3 that match)')

    # Text: a header, aligned columns, wall-clock times.
    r = log_run(sock, 'session=%d' % sb.events[0]['session'], opts=['-o', 'text', '--color', 'never'])
    check_eq('log -o text: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    lines = r.stdout.splitlines()
    header = lines[0]
    check(header.split() == ['TIME', 'PROCESS', 'EVENT', 'DETAILS'], 'text header: %r' % header)
    rows = lines[1:]
    check_eq('text rows', len(sb.events), len(rows))
    cp, ce, cd = header.index('PROCESS'), header.index('EVENT'), header.index('DETAILS')
    for row, e in zip(rows, sb.events):
        # Dated: the query has no --since, so its answer may span days (test_log_journalctl).
        m = re.match(r'\d{4}-\d\d-\d\d (\d\d):(\d\d):(\d\d)\.(\d{6}) ', row)
        check(m, 'text row does not start with a wall-clock time YYYY-MM-DD HH:MM:SS.uuuuuu: %r' % row)
        lt = time.localtime(e['time_ns'] // 10**9)
        shown = ((int(m.group(1)) * 60 + int(m.group(2))) * 60 + int(m.group(3))) * 10**6 + int(m.group(4))
        want = ((lt.tm_hour * 60 + lt.tm_min) * 60 + lt.tm_sec) * 10**6 + e['time_ns'] // 1000 % 10**6
        check(abs(shown - want) <= 2000 or abs(shown - want) >= 86400 * 10**6 - 2000,
              'text time %s, the event\'s wall-clock time is %s.%06d: %r'
              % (row[:26], time.strftime('%H:%M:%S', lt), e['time_ns'] // 1000 % 10**6, row))
        check(row[cp - 1] == ' ' and row[cp:].startswith('%s[%d]' % (e['comm'], e['pid'])),
              'PROCESS column (at %d) not aligned: %r' % (cp, row))
        check(row[ce - 1] == ' ' and row[ce:].split()[0] == e['type'],
              'EVENT column (at %d) not aligned: %r' % (ce, row))
        check(len(row) <= cd or row[cd - 1] == ' ', 'DETAILS column (at %d) not aligned: %r' % (cd, row))
    passed('text: header %r, %d rows with wall-clock times and aligned columns' % (header, len(rows)))

    # Refused: exit 2, nothing on stdout, an error naming what was wrong.
    bad = [(m, [], w) for m, w in (
        (['bogus=1'], ["unknown field 'bogus'", 'valid fields'] + FIELDS),
        (['pid'], ['FIELD=VALUE']),
        (['sig=SIGFOO'], ['sig', "'SIGFOO'", 'not a signal']),
        (['sig=0'], ['sig', "'0'"]),
        (['type=nokill'], ['type', "'nokill'", 'kill', 'signal_generate']),
        (['errno=EFOO'], ['errno', "'EFOO'"]),
        (['kind=x'], ['kind', "'x'", 'pipe', 'fifo', 'socket']),
        (['result=lost'], ['result', "'lost'", 'merged']),
        (['pid=abc'], ['pid', "'abc'"]),
        (['tree=-1'], ['tree', "'-1'"]),
        (['session=x'], ['session', "'x'"]),
        (['object=foo'], ['object', "'foo'"]),
        (['pid=1', 'bogus=2'], ["'bogus'"]))]
    bad += [([], o, w) for o, w in (
        (['--since', 'yesterdayx'], ['--since', "'yesterdayx'", 'not a time']),
        (['--until', '25:00'], ['--until', "'25:00'", 'not a time']),
        (['--since', '2026-13-01 10:00'], ['--since', "'2026-13-01 10:00'"]),
        (['--since', '@x'], ['--since', "'@x'"]),
        (['--since', '-5x'], ['--since', "'-5x'"]),
        (['--until', '5m'], ['--until', "'5m'"]),
        (['-n', '-1'], ['-n', "'-1'"]),
        (['-n', 'abc'], ['-n', "'abc'"]),
        (['-n', '10000001'], ['-n', "'10000001'"]),
        (['-o', 'dot'], ['dot']))]
    for matches, opts, words in bad:
        r = log_run(sock, *matches, opts=opts)
        what = 'log %s' % ' '.join(opts + matches)
        check_eq('%s: exit status (stderr %r)' % (what, r.stderr), 2, r.returncode)
        check_eq('%s: stdout' % what, '', r.stdout)
        for w in words:
            check(w in r.stderr, '%s: the error does not say %r: %r' % (what, w, r.stderr))
    check(d.alive(), 'the daemon died of bad queries')
    passed('%d bad queries: exit 2, nothing on stdout, errors that name the field or value' % len(bad))
finally:
    d.cleanup()

def stalled_run(d, args):
    """`ipctrace run -s d -o json -- sh -c 'read go; exec "$@"' sh args`: the
    daemon is stopped once the session has started, then the shell is told
    to go, and the daemon goes on once the program has written its report.
    So every event of the program was made while the daemon could not drain
    the ring. The program's report."""
    fd, report = tempfile.mkstemp(prefix='ipctrace-e2e-report-')
    os.close(fd)
    out = tempfile.TemporaryFile()
    p = subprocess.Popen([IPCTRACE, 'run', '-s', d.socket, '-o', 'json', '--', 'sh', '-c', 'read go; exec "$@"',
                          'sh'] + args, env=run_env({'IPCTRACE_REPORT': report}), stdin=subprocess.PIPE,
                         stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_stats(d.socket, lambda st: st['sessions'] == 1, 'the run\'s session started')
        os.kill(d.pid, signal.SIGSTOP)
        try:
            p.stdin.write(b'go\n')
            p.stdin.close()
            deadline = time.monotonic() + 60
            while True:
                with open(report) as f:
                    text = f.read()
                if text.endswith('\n'):
                    break
                check(time.monotonic() < deadline, '%s did not finish within 60 s' % ' '.join(args))
                time.sleep(0.01)
        finally:
            os.kill(d.pid, signal.SIGCONT)
        check_eq('ipctrace run %s: exit status' % ' '.join(args), 0, p.wait(timeout=120))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        out.close()
        os.unlink(report)
    return json.loads(text)


# Losses: a 1 MiB ring holds some 7000 events, and `pipe 100000` makes over
# 100000 while the daemon is stopped; `log` says where it has holes.
d = Daemon(args=['--ring-mib', '1'])
try:
    sock = d.socket
    before = int(time.time() + 0.01) + 1
    wait_past(before + 0.01)
    rep = stalled_run(d, [example('pipe'), '100000'])
    after = int(time.time() + 0.01) + 1
    wait_past(after + 0.01)
    st = stats(sock)
    # At most 1 MiB / 144 bytes of them fit in the ring (each event is 144 bytes and a header).
    check(st['lost'] >= rep['writes'] + rep['reads'] - (1 << 20) // 144,
          'stats lost %d events of the %d writes and %d reads made while the daemon was stopped'
          % (st['lost'], rep['writes'], rep['reads']))
    check(st['losses'], 'stats lost %d, but no "losses": %r' % (st['lost'], st))
    r = log_run(sock, 'type=exec', opts=['-o', 'json'], timeout=120)
    check_eq('log type=exec after losses: exit status (3: the answer may miss events; stderr %r)'
             % r.stderr[-500:], 3, r.returncode)
    said = re.findall(r'(\d+) events were lost around (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)', r.stderr)
    check(said, 'log over a time with losses says nothing of them: stderr %r' % r.stderr[:500])
    check_eq('the events lost, summed over the messages, vs stats lost', st['lost'],
             sum(int(n) for n, _ in said))
    for l in st['losses']:
        check((str(l['count']), local(l['time_ns'] // 10**9)) in said,
              'stats loss %r is not among the messages %r' % (l, said[:20]))
    check_eq('log type=exec: those of sh and pipe (the first of their events, in the ring before it filled)',
             2, len([line for line in r.stdout.splitlines() if line]))
    for opts in (['--until', '@%d' % before], ['--since', '@%d' % after]):
        r = log_run(sock, opts=opts)
        check_eq('log %s: exit status' % ' '.join(opts), 0, r.returncode)
        check('lost' not in r.stderr, 'log %s (outside the losses) speaks of losses: %r'
              % (' '.join(opts), r.stderr[:300]))
    passed('%d events lost in %d markers: `log` says so on stderr for the range that has them, '
           'and only there' % (st['lost'], len(said)))
finally:
    d.cleanup()

# A query whose blocks hold more than a client's backlog: a daemon that could
# not drain for a while (stopped) writes one huge block; `log` must still
# return every event of it (or at the least say that it did not).
d = Daemon(args=['--ring-mib', '64'])
try:
    sock = d.socket
    rep = stalled_run(d, [example('pipe'), '100000'])
    st = stats(sock)
    check_eq('stats lost (a 64 MiB ring holds the whole run)', 0, st['lost'])
    r = log_run(sock, opts=['-o', 'json'], timeout=120)
    check_eq('log after the big block: exit status (stderr %r)' % r.stderr[-300:], 0, r.returncode)
    got = r.stdout.splitlines()
    if len(got) != st['events']:
        fail('log returned %d of the %d events the daemon logged (%d bytes of events: about the client '
             'backlog cap), %s' % (len(got), st['events'], len(got) * 152,
                                   'and said nothing of it' if not r.stderr else 'stderr %r' % r.stderr[-300:]))
    check_eq('write events logged vs the program\'s writes', rep['writes'],
             len([line for line in got if '"type":"write"' in line]))
    passed('a block of %d events written after a stall: log returns them all' % st['events'])
finally:
    d.cleanup()
done()
