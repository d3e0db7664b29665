#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A client that cannot keep up is told so, and says so.

The daemon never blocks on a client: past 16 MiB of backlog it drops what
it streams to it and sends a `lost` notice. Every verb must say so in plain
words (how many, why), count it, and say in its exit status that its answer
is incomplete (`run` keeps the command's status: its summary says it).

Each case stalls a client deterministically: its stdout is a pipe this test
does not read until the traced program has ended and the daemon has dealt
with all its events (the handshake: the end of an `ipctrace run`, or stats
with the session gone and every write counted), and the program writes far
more than a backlog holds (`pipe 200000`: 200,000 writes, 30 MB of frames,
against 16 MiB plus about 2 MiB in the socket, the CLI and the pipe).

- `log -f comm=NAME type=write`, stalled while `pipe 200000` runs under
  that name: read afterwards, the lines it printed and the drops stderr
  reports add up to the program's own count of writes; Ctrl-C: exit 3.
- `run -o json -- pipe 200000`, stalled: its summary's lost_client is the
  events it did not print (lost_ring 0, lost their sum), stderr says why,
  and it exits with the command's status, 0.
- `attach -p` to a shell that then execs `pipe 200000`, stalled: the same
  accounting, and exit 3.
Whatever a client lost, the log keeps: every write is there."""

import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

from common import IPCTRACE, Daemon, check, check_eq, done, example, fail, passed, run_env
from logcommon import parse_json_lines, stats, wait_stats

WRITES = 200000
TIMEOUT = 300
DROPPED = re.compile(r'ipctraced dropped (\d+) events? for this output')


def read_all(p, until, timeout=TIMEOUT):
    """Reads p's stdout and stderr until until(stdout lines, stderr text) holds (or both end)."""
    out, err, buf = [], '', b''
    fds = {p.stdout.fileno(): 'out', p.stderr.fileno(): 'err'}
    deadline = time.monotonic() + timeout
    while not until(out, err) and fds:
        left = deadline - time.monotonic()
        if left <= 0:
            fail('%s: not done within %d s: %d lines, stderr %r' % (' '.join(p.args[:2]), timeout, len(out), err))
        ready, _, _ = select.select(list(fds), [], [], left)
        for fd in ready:
            data = os.read(fd, 1 << 20)
            if not data:
                del fds[fd]
            elif fds[fd] == 'out':
                buf += data
                *lines, buf = buf.split(b'\n')
                out += [l.decode() for l in lines]
            else:
                err += data.decode(errors='replace')
    return out, err


def dropped(err):
    return sum(int(n) for n in DROPPED.findall(err))


def writes_logged(sock):
    return stats(sock)['by_type'].get('write', 0)


def run_report(cmd, report, **kw):
    return subprocess.Popen(cmd, env=run_env({'IPCTRACE_REPORT': report}), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)


def report_of(path):
    with open(path) as f:
        return json.load(f)


def check_summary(what, lines, code, want_code, err):
    """The stalled client's output: its summary accounts for every event it did not print."""
    objs = parse_json_lines('\n'.join(lines), what)
    check(objs and objs[-1].get('type') == 'summary', '%s: no summary at the end: %r' % (what, objs[-1:]))
    s = objs[-1]
    events = objs[:-1]
    check_eq('%s: diagnoses of a correct program' % what, [],
             [o.get('message') for o in events if o.get('type') == 'diagnosis'])
    check_eq('%s: exit status (stderr %r)' % (what, err[-500:]), want_code, code)
    check(s['lost_client'] > 0, '%s: the client was stalled, but its summary lost nothing: %r' % (what, s))
    check_eq('%s: lost_ring (the daemon drained on)' % what, 0, s['lost_ring'])
    check_eq('%s: lost = lost_ring + lost_client' % what, s['lost_ring'] + s['lost_client'], s['lost'])
    check_eq('%s: events printed + lost_client vs the summary\'s events' % what, s['events'],
             len(events) + s['lost_client'])
    said = re.search(r'this trace is incomplete: (\d+) events lost while the kernel\'s ring buffer was full, '
                     r'(\d+) dropped because this output read too slowly', err)
    check(said and int(said.group(1)) == 0 and int(said.group(2)) == s['lost_client'],
          '%s: stderr does not say how many were dropped and why: %r' % (what, err[-500:]))
    return s, events


tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-lost-')
d = Daemon()
procs = []
try:
    sock = d.socket
    prog = os.path.join(tmp, 'lostpipe')
    shutil.copy(example('pipe'), prog)
    report = os.path.join(tmp, 'report.json')

    # log -f, stalled until `ipctrace run` has ended: the daemon dropped for it meanwhile.
    f = subprocess.Popen([IPCTRACE, 'log', '-s', sock, '-o', 'json', '-f', 'comm=lostpipe', 'type=write'],
                         env=run_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.append(f)
    wait_stats(sock, lambda st: st['clients'] == 2, 'the follower connected')
    # --count --signals: counted by the daemon, every write a record (--count alone counts them in the kernel).
    r = run_report([IPCTRACE, 'run', '-s', sock, '--count', '--signals', '--', prog, str(WRITES)], report,
                   stdin=subprocess.DEVNULL)
    procs.append(r)
    _, run_err = r.communicate(timeout=TIMEOUT)
    check_eq('run --count %s: exit status (stderr %r)' % (prog, run_err), 0, r.returncode)
    rep = report_of(report)
    check_eq('the program\'s writes', WRITES, rep['writes'])
    lines, err = read_all(f, lambda out, err: dropped(err) and len(out) + dropped(err) >= WRITES)
    check(dropped(err) > 0, 'log -f was stalled past its backlog, and says nothing of drops: %r' % err)
    check_eq('log -f: lines printed + events dropped vs the program\'s writes', WRITES, len(lines) + dropped(err))
    writes = parse_json_lines('\n'.join(lines), 'log -f')
    check(all(e['type'] == 'write' and e['comm'] == 'lostpipe' for e in writes), 'log -f printed other events')
    f.send_signal(signal.SIGINT)
    rest, err2 = f.communicate(timeout=60)
    err += err2.decode(errors='replace')
    check_eq('log -f after Ctrl-C: more lines', b'', rest)
    check_eq('log -f after Ctrl-C: exit status (3: incomplete; stderr %r)' % err, 3, f.returncode)
    check(re.search(r'%d events in all were dropped for this output: it is incomplete' % dropped(err), err),
          'log -f does not end by saying its output is incomplete: %r' % err)
    passed('log -f stalled: %d writes printed + %d dropped (said on stderr: %r) = the %d the program made; '
           'exit 3' % (len(lines), dropped(err), DROPPED.search(err).group(0), WRITES))

    # run, stalled until the daemon has ended its session.
    before = writes_logged(sock)
    r = run_report([IPCTRACE, 'run', '-s', sock, '-o', 'json', '--', prog, str(WRITES)], report,
                   stdin=subprocess.DEVNULL)
    procs.append(r)
    wait_stats(sock, lambda st: st['sessions'] == 0 and st['by_type'].get('write', 0) == before + WRITES,
               'run\'s program ended and its session with it', timeout=TIMEOUT)
    lines, err = read_all(r, lambda out, err: False)
    code = r.wait(timeout=60)
    s, events = check_summary('run (stalled)', lines, code, 0, err)
    check_eq('run: the program\'s writes', WRITES, report_of(report)['writes'])
    check(len([e for e in events if e['type'] == 'write']) < WRITES, 'run printed every write, yet lost some')
    passed('run stalled: %d events printed + lost_client %d = the summary\'s %d; stderr says why; exit 0 '
           '(the command\'s)' % (len(events), s['lost_client'], s['events']))

    # attach, stalled the same way: exit 3.
    before = writes_logged(sock)
    sh = run_report(['sh', '-c', 'read x; exec "$0" %d' % WRITES, prog], report, stdin=subprocess.PIPE)
    procs.append(sh)
    a = subprocess.Popen([IPCTRACE, 'attach', '-s', sock, '-o', 'json', '-p', str(sh.pid)], env=run_env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.append(a)
    wait_stats(sock, lambda st: st['sessions'] == 1 and st['traced_processes'] == 1, 'attached to sh')
    sh.stdin.write(b'go\n')
    sh.stdin.close()
    check_eq('sh (then the program) exit status', 0, sh.wait(timeout=TIMEOUT))
    wait_stats(sock, lambda st: st['sessions'] == 0 and st['by_type'].get('write', 0) == before + WRITES,
               'the attached program ended and its session with it', timeout=TIMEOUT)
    lines, err = read_all(a, lambda out, err: False)
    code = a.wait(timeout=60)
    s, events = check_summary('attach (stalled)', lines, code, 3, err)
    passed('attach stalled: %d events printed + lost_client %d = the summary\'s %d; exit 3'
           % (len(events), s['lost_client'], s['events']))

    # What the clients lost, the log kept (its lines counted: 600,000 are too many to parse here).
    q = subprocess.Popen([IPCTRACE, 'log', '-s', sock, '-o', 'json', 'comm=lostpipe', 'type=write'],
                         env=run_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.append(q)
    logged, err = read_all(q, lambda out, err: False)
    check_eq('log comm=lostpipe type=write: exit status (stderr %r)' % err, 0, q.wait(timeout=60))
    check_eq('writes in the log (three runs of the program)', 3 * WRITES, len(logged))
    check(all('"type":"write"' in l for l in logged), 'log type=write printed another type')
    passed('the log has all %d writes of the three runs' % len(logged))
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
