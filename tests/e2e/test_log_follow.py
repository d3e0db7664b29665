#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace log -f`: 50 followers at once, and one client that never reads.

Fifty copies of the example programs under distinct names (lf-00 ...
lf-49: `signals 5` and `pipe 50`, so each run's every event has its own
comm) and one more, lf-end (`signals 1`). A client connects with a raw
socket, asks {"cmd": "log", "follow": true} and never reads a byte. Then
50 `ipctrace log -f -o json comm=lf-NN comm=lf-end` start; once the daemon
counts them all connected, the 50 programs run at once through it, with a
`pipe 100000` beside them that gives the stuck client far more than a
socket buffer (and than the daemon's backlog cap for it). When they have
ended, lf-end runs: it closes every follower's stream.

Each follower must receive, within a deadline, exactly the events its
program's run streamed and then lf-end's, nothing else; the client that
never reads must not delay them: the ring loses nothing, and the daemon
answers stats and a log query afterwards."""

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from common import (MSG_JSON, Daemon, IPCTRACE, check, check_clean_exit, check_eq, done, example, fail,
                    frame, passed, recv_frame, recv_json, run_env, trace)
from logcommon import log, parse_json_lines, same_events, stats, wait_stats

N = 50
DEADLINE = 90           # seconds for everything to reach every follower
BIG = 100000            # writes of the `pipe` that floods the client that never reads


def run_all(cmds, tmp):
    """Starts `ipctrace run -o json` of every command at once; returns their Popen and output files."""
    out = []
    for i, cmd in enumerate(cmds):
        f = open(os.path.join(tmp, 'run-%d.out' % i), 'w+b')
        p = subprocess.Popen([IPCTRACE, 'run', '-o', 'json', '-s', sock, '--'] + cmd, env=run_env(),
                             stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
        out.append((p, f, cmd))
    return out


def finish(runs, deadline):
    """Waits for the runs; returns each one's events (the summary checked and left out)."""
    results = []
    for p, f, cmd in runs:
        try:
            p.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            fail('ipctrace run %s did not finish in time' % ' '.join(cmd))
        f.seek(0)
        text = f.read().decode(errors='replace')
        f.close()
        check_eq('ipctrace run %s: exit status (output %r)' % (' '.join(cmd), text[-300:]), 0, p.returncode)
        objs = parse_json_lines('\n'.join(l for l in text.splitlines() if l.startswith('{')), ' '.join(cmd))
        check(objs and objs[-1].get('type') == 'summary', '%s: no summary' % ' '.join(cmd))
        # The flood's own client may fall behind (its JSON is slower than the
        # daemon): the daemon drops for it, as documented. The others must not.
        if cmd[-1] != str(BIG):
            check_eq('%s: lost' % ' '.join(cmd), 0, objs[-1]['lost'])
            check_eq('%s: events in the summary' % ' '.join(cmd), len(objs) - 1, objs[-1]['events'])
        results.append(objs[:-1])
    return results


tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-follow-')
d = None
followers = []
stuck = None
try:
    progs = []
    for i in range(N):
        src = example('signals' if i % 2 == 0 else 'pipe')
        dst = os.path.join(tmp, 'lf-%02d' % i)
        shutil.copy(src, dst)
        progs.append([dst, '5' if i % 2 == 0 else '50'])
    end = os.path.join(tmp, 'lf-end')
    shutil.copy(example('signals'), end)

    d = Daemon()
    sock = d.socket

    # The client that never reads: it asks to follow everything, on an empty journal.
    stuck = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stuck.connect(sock)
    stuck.sendall(frame(json.dumps({'cmd': 'log', 'follow': True})))
    wait_stats(sock, lambda st: st['clients'] == 2, 'the stuck client connected')

    for i in range(N):
        cmd = [IPCTRACE, 'log', '-f', '-o', 'json', '-s', sock, 'comm=lf-%02d' % i, 'comm=lf-end']
        p = subprocess.Popen(cmd, env=run_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        os.set_blocking(p.stdout.fileno(), False)
        followers.append({'proc': p, 'buf': b'', 'lines': [], 'cmd': cmd})
    # Ready: the daemon counts the 50 followers, the stuck client and this stats client.
    wait_stats(sock, lambda st: st['clients'] == N + 2, '%d followers connected' % N)
    passed('%d followers and a client that never reads are connected' % N)

    t0 = time.monotonic()
    deadline = t0 + DEADLINE
    runs = run_all(progs + [[example('pipe'), str(BIG)]], tmp)
    results = finish(runs, deadline)
    big = results.pop()
    check(len(big) > BIG // 2, 'the flood run streamed %d events' % len(big))
    t_end = trace([end, '1'], opts=['-s', sock])
    check_clean_exit(t_end, 0)
    check(all(e['comm'] == 'lf-end' for e in t_end.events), 'lf-end events: %r' % t_end.events[:3])
    for i, evs in enumerate(results):
        name = 'lf-%02d' % i
        check(evs and all(e['comm'] == name for e in evs),
              '%s: the run streamed events of another comm: %r' % (name, [e for e in evs if e['comm'] != name][:3]))
        followers[i]['want'] = evs + t_end.events
    passed('%d programs and a flood of %d events ran in %.1f s' % (N, len(big), time.monotonic() - t0))

    # Every follower gets its program's events and lf-end's, within the deadline.
    pending = {f['proc'].stdout.fileno(): f for f in followers}
    while pending:
        left = deadline - time.monotonic()
        if left <= 0:
            f = next(iter(pending.values()))
            fail('%d followers did not get all their events within %d s; e.g. %s: %d of %d lines'
                 % (len(pending), DEADLINE, ' '.join(f['cmd'][-2:]), len(f['lines']), len(f['want'])))
        r, _, _ = select.select(list(pending), [], [], left)
        for fd in r:
            f = pending[fd]
            data = os.read(fd, 65536)
            if not data:
                err = f['proc'].stderr.read().decode(errors='replace')
                fail('%s ended (status %r) after %d lines: %r'
                     % (' '.join(f['cmd'][-2:]), f['proc'].wait(), len(f['lines']), err))
            f['buf'] += data
            *lines, f['buf'] = f['buf'].split(b'\n')
            f['lines'] += [l.decode() for l in lines]
            if len(f['lines']) >= len(f['want']):
                del pending[fd]
    took = time.monotonic() - t0
    for i, f in enumerate(followers):
        same_events('follower %d (%s)' % (i, ' '.join(f['cmd'][-2:])), f['want'],
                    parse_json_lines('\n'.join(f['lines']), 'follower %d' % i))
    passed('each of the %d followers got exactly its program\'s events and lf-end\'s, all within %.1f s'
           % (N, took))

    # Nothing more arrives for them: one more lf-end run, which each must see next.
    t_end2 = trace([end, '1'], opts=['-s', sock])
    check_clean_exit(t_end2, 0)
    for i, f in enumerate(followers):
        f['lines'], f['want'] = [], t_end2.events
        pending[f['proc'].stdout.fileno()] = f
    while pending:
        left = deadline + 30 - time.monotonic()
        check(left > 0, '%d followers did not get the second lf-end run' % len(pending))
        r, _, _ = select.select(list(pending), [], [], left)
        for fd in r:
            f = pending[fd]
            data = os.read(fd, 65536)
            check(data, '%s ended' % ' '.join(f['cmd'][-2:]))
            f['buf'] += data
            *lines, f['buf'] = f['buf'].split(b'\n')
            f['lines'] += [l.decode() for l in lines]
            if len(f['lines']) >= len(f['want']):
                del pending[fd]
    for i, f in enumerate(followers):
        same_events('follower %d after the first lf-end' % i, t_end2.events,
                    parse_json_lines('\n'.join(f['lines']), 'follower %d' % i))
    passed('then only the next lf-end run, nothing in between')

    # The stuck client did not hold anyone up, and the daemon serves on.
    check(d.alive(), 'the daemon died')
    st = stats(sock)
    check_eq('stats lost (the ring never overflowed: the daemon kept draining)', 0, st['lost'])
    check_eq('stats clients: the followers, the stuck client and stats', N + 2, st['clients'])
    everything = log(sock)
    check_eq('log: all the events the daemon drained (stats events)', st['events'], len(everything))
    check_eq('log: the flood\'s writes', BIG,
             len([e for e in everything if e['type'] == 'write' and e['comm'] == 'pipe']))
    got = log(sock, 'comm=lf-end')
    same_events('log comm=lf-end afterwards', t_end.events + t_end2.events, got)
    passed('the client that never reads delayed no one; the daemon answers stats (%d events) and log'
           % st['events'])

    # What the stuck client was sent: every event since it began to follow, or counted as lost for it.
    stuck.settimeout(30)
    reply = recv_json(stuck)
    check(reply and reply.get('ok') is True, 'the stuck client\'s reply: %r' % reply)
    received, lost, notices = 0, 0, []
    while received + lost < st['events']:
        f = recv_frame(stuck)
        check(f is not None, 'the stuck client\'s connection closed after %d events, %d lost' % (received, lost))
        if f[0] != MSG_JSON:
            received += 1
            continue
        n = json.loads(f[1])
        notices.append(n.get('notice'))
        if n.get('notice') == 'lost':
            lost += n['count']
    check_eq('the stuck client: events received + lost vs all events', st['events'], received + lost)
    check_eq('the stuck client\'s notices', 'log_end', notices[0] if notices else None)
    passed('the stuck client, read at last: %d events and %d lost (notices %s): nothing unaccounted for'
           % (received, lost, sorted(set(notices))))
    stuck.close()
    stuck = None
    wait_stats(sock, lambda st: st['clients'] == N + 1, 'the stuck client forgotten once it closed')
finally:
    for f in followers:
        p = f['proc']
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for f in followers:
        p = f['proc']
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()
        p.stderr.close()
    if stuck:
        stuck.close()
    if d:
        d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
