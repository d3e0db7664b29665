#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace run -o perfetto -O FILE` writes a timeline in the Trace Event
Format (docs/perfetto.md), and `ipctrace log -o perfetto session=N` the
same one from the log, through a daemon of the test's own:

- the file is one JSON object whose "traceEvents" are events with ph, ts,
  pid and tid; every X has a dur; every flow is one "s" and one "f" with
  the same id, category and name, the "f" not before the "s", each inside
  a slice of its thread (what a viewer binds an arrow to);
- `signals 5`: exactly as many signal flows as the program counts handled
  signals, each from its kill to its handler's slice, one process track,
  named comm[pid];
- `demo`: a track per process of the program (parent and child), one
  signal flow from the parent to the child's handler (its SIGUSR1, the one
  signal delivered), and data flows only from the child's writes to the
  parent's reads of the pipe, carrying the bytes the program wrote;
- `sigcases thread`: a track per thread (comm[tid]), and its one SIGUSR1,
  sent by the main thread to the process, an arrow to the worker thread
  that ran the handler;
- `socketpair 20` (a stream pair, both ways): the data arrows carry the
  bytes each side sent, from it to the other;
- `pipe 60` (writes of 1 to 60 bytes, which a read may take several of, or
  part of one): the data flows carry exactly the bytes written and read,
  from child to parent;
- `zombies first` (one of its two children not waited for): one diagnosis
  marker, on the parent's track, its not_waited of that child;
- the log of demo's and of zombies' sessions, `log -o perfetto session=N`,
  is the same trace (the diagnosis too), its times within the slack of two
  clock-offset readings (logcommon.py)."""

import json
import os
import subprocess
import tempfile

from common import (IPCTRACE, Daemon, _context, check, check_eq, done, example, fail, passed, run_cli,
                    run_env)
from logcommon import TIME_SLACK_NS

TIMEOUT = 60


def run_perfetto(sock, args):
    """`ipctrace run -o perfetto -O FILE -- args`: (the trace, the program's report)."""
    with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-perfetto-') as d:
        out, rep = os.path.join(d, 'trace.json'), os.path.join(d, 'report.json')
        cmd = [IPCTRACE, 'run', '-s', sock, '-o', 'perfetto', '-O', out, '--'] + args
        env = run_env({'IPCTRACE_REPORT': rep})
        _context.clear()
        _context['cmd'] = ' '.join(cmd)
        try:
            p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            fail('%s did not finish within %d s' % (' '.join(cmd), TIMEOUT))
        _context['stderr'] = p.stderr
        check_eq('%s: exit status' % ' '.join(cmd), 0, p.returncode)
        with open(out) as f:
            text = f.read()
        _context['stdout'] = text
        with open(rep) as f:
            report = json.load(f)
    return parse(text, ' '.join(cmd)), report


def parse(text, what):
    try:
        trace = json.loads(text)
    except ValueError as ex:
        fail('%s: the trace is not JSON: %s' % (what, ex))
    check(isinstance(trace, dict) and isinstance(trace.get('traceEvents'), list),
          '%s: not an object with a "traceEvents" list' % what)
    return trace['traceEvents']


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def norm(e):
    """An event without its times: the log's CLOCK_BOOTTIME is its wall-clock time less its own reading
    of the clock offset (logcommon.py), a few nanoseconds from the run's."""
    e = json.loads(json.dumps(e))
    e.pop('ts')
    args = e.get('args', {})
    for key in ('event', 'record', 'diagnosis'):
        if isinstance(args.get(key), dict):
            args[key] = {k: v for k, v in args[key].items() if not k.endswith('_ns')}
    return e


def ns(us):
    """A time of the file (microseconds, three decimals) in nanoseconds, exactly."""
    return round(us * 1000)


def check_shape(evs, what):
    """The format's requirements, and flows a viewer can draw; the flows by category."""
    slices = {}
    for e in evs:
        check(isinstance(e.get('ph'), str) and num(e.get('ts')) and isinstance(e.get('pid'), int)
              and isinstance(e.get('tid'), int), '%s: an event without ph, ts, pid or tid: %r' % (what, e))
        if e['ph'] == 'X':
            check(num(e.get('dur')) and e['dur'] >= 0, '%s: an X event without a dur: %r' % (what, e))
            # In ns, as integers: the file's microseconds have three decimals, exact, but their sum
            # in floating point may fall a hair short of a slice's end, where a flow may sit.
            slices.setdefault(e['tid'], []).append((ns(e['ts']), ns(e['ts']) + ns(e['dur'])))
    starts, ends = {}, {}
    for e in evs:
        if e['ph'] in 'sf':
            side = starts if e['ph'] == 's' else ends
            check(e.get('id') not in side, '%s: flow id %r has two "%s" events' % (what, e.get('id'), e['ph']))
            side[e.get('id')] = e
            check(any(a <= ns(e['ts']) <= b for a, b in slices.get(e['tid'], ())),
                  '%s: a flow event in no slice of its thread: %r' % (what, e))
    check_eq('%s: flow ids with an "s" and with an "f"' % what, sorted(starts), sorted(ends))
    flows = {}
    for i, s in starts.items():
        f = ends[i]
        check(s['cat'] == f['cat'] and s['name'] == f['name'] and f.get('bp') == 'e',
              '%s: flow %r: "s" %r and "f" %r differ in category or name, or "f" binds no slice'
              % (what, i, s, f))
        check(f['ts'] >= s['ts'], '%s: flow %r ends before it starts: %r %r' % (what, i, s, f))
        flows.setdefault(s['cat'], []).append((s, f))
    return flows


def tracks(evs):
    """{pid: its process track's name}."""
    return {e['pid']: e['args']['name'] for e in evs if e['ph'] == 'M' and e['name'] == 'process_name'}


def check_logged(sock, evs, what):
    """`log -o perfetto session=N` of the run's session: the same trace events, diagnoses (which come
    live in a run, at the end from the log) included."""
    sessions = {e['args']['event']['session'] for e in evs if e['ph'] == 'X' and e['cat'] == 'syscall'}
    check_eq('%s: sessions of its events' % what, 1, len(sessions))
    r = run_cli(['log', '-s', sock, '-o', 'perfetto', 'session=%d' % sessions.pop()], timeout=TIMEOUT)
    check_eq('%s: log -o perfetto: exit status (stderr %r)' % (what, r.stderr), 0, r.returncode)
    logged = parse(r.stdout, 'log -o perfetto')
    key = lambda e: json.dumps(norm(e), sort_keys=True)
    check_eq('%s: log -o perfetto: its trace events (the run\'s)' % what, sorted(map(key, evs)),
             sorted(map(key, logged)))
    skew = max(abs(a['ts'] - b['ts']) for a, b in zip(sorted(evs, key=key), sorted(logged, key=key)))
    check(skew * 1000 <= TIME_SLACK_NS, '%s: log -o perfetto: times %.3f us from the run\'s' % (what, skew))
    passed('%s: log -o perfetto session=N: the same %d trace events' % (what, len(logged)))


def bytes_by_direction(flows, kind):
    """{(writer pid, reader pid): bytes} of the data arrows through objects of that kind."""
    out = {}
    for s, f in flows.get('data', []):
        check(s['name'].startswith(kind + ':['), 'a data arrow through %s, not a %s: %r' % (s['name'], kind, s))
        out[(s['pid'], f['pid'])] = out.get((s['pid'], f['pid']), 0) + s['args']['bytes']
    return out


def main():
    daemon = Daemon()
    sock = daemon.socket
    try:
        what = 'signals 5'
        evs, rep = run_perfetto(sock, [example('signals'), '5'])
        flows = check_shape(evs, what)
        check_eq('%s: process tracks' % what, {rep['pid']: 'signals[%d]' % rep['pid']}, tracks(evs))
        check_eq('%s: signal flows (= the handled signals)' % what, rep['handled'], len(flows.get('signal', [])))
        for s, f in flows['signal']:
            check(s['name'] == 'SIGUSR1' and s['pid'] == f['pid'] == rep['pid'],
                  '%s: a signal flow that is not its SIGUSR1 to itself: %r %r' % (what, s, f))
        handlers = [e for e in evs if e['ph'] == 'X' and e['cat'] == 'signal' and e['dur'] > 0]
        check_eq('%s: handler slices' % what, rep['handled'], len(handlers))
        passed('%s: %d signal flows from kill to handler, one track' % (what, rep['handled']))

        what = 'demo'
        evs, rep = run_perfetto(sock, [example('demo')])
        flows = check_shape(evs, what)
        parent, child = rep['parent_pid'], rep['child_pid']
        check_eq('%s: process tracks' % what, {parent, child}, set(tracks(evs)))
        check_eq('%s: signal flows (= the signals delivered: the child\'s SIGUSR1)' % what,
                 rep['handled']['SIGUSR1'], len(flows.get('signal', [])))
        s, f = flows['signal'][0]
        check(s['name'] == 'SIGUSR1' and s['pid'] == parent and f['pid'] == child,
              '%s: the signal flow is not SIGUSR1 from parent to child: %r %r' % (what, s, f))
        check_eq('%s: bytes along the data arrows (= written, child to parent)' % what,
                 {(child, parent): rep['bytes_written']}, bytes_by_direction(flows, 'pipe'))
        passed('%s: tracks %s, SIGUSR1 parent to child, %d bytes child to parent'
               % (what, sorted(tracks(evs).values()), rep['bytes_written']))

        check_logged(sock, evs, what)

        what = 'zombies first'
        evs, rep = run_perfetto(sock, [example('zombies'), 'first'])
        check_shape(evs, what)
        check_eq('%s: process tracks' % what, {rep['pid']} | set(rep['children']), set(tracks(evs)))
        diags = [e for e in evs if e['cat'] == 'diagnosis']
        check_eq('%s: diagnosis markers (its one child not waited for)' % what, 1, len(diags))
        d = diags[0]
        check(d['ph'] == 'i' and d['s'] == 'p' and d['pid'] == rep['pid']
              and d['name'] == d['args']['diagnosis']['message'] and d['args']['diagnosis']['kind'] == 'not_waited'
              and [c['pid'] for c in d['args']['diagnosis']['children']] == rep['children'][rep['waited']:],
              '%s: the marker is not the parent\'s not_waited of its last child: %r' % (what, d))
        passed('%s: the not_waited diagnosis a marker on the parent\'s track' % what)
        check_logged(sock, evs, what)

        what = 'sigcases thread'
        evs, rep = run_perfetto(sock, [example('sigcases'), 'thread'])
        flows = check_shape(evs, what)
        pid, worker = rep['pid'], rep['worker_tid']
        threads = {e['tid']: e['args']['name'] for e in evs
                   if e['ph'] == 'M' and e['name'] == 'thread_name' and e['pid'] == pid}
        check_eq('%s: thread tracks of its process' % what,
                 {pid: 'sigcases[%d]' % pid, worker: 'sigcases[%d]' % worker}, threads)
        check_eq('%s: signal flows (its one SIGUSR1)' % what, 1, len(flows.get('signal', [])))
        s, f = flows['signal'][0]
        check((s['pid'], s['tid'], f['pid'], f['tid']) == (pid, pid, pid, rep['handler_tid']),
              '%s: the SIGUSR1 arrow is not from the main thread to the thread that ran the handler: %r %r'
              % (what, s, f))
        passed('%s: a track per thread, SIGUSR1 from the main thread to the worker\'s handler' % what)

        what = 'socketpair 20'
        evs, rep = run_perfetto(sock, [example('socketpair'), '20'])
        flows = check_shape(evs, what)
        parent, child = rep['parent_pid'], rep['child_pid']
        check_eq('%s: bytes along the data arrows, each way (= sent)' % what,
                 {(parent, child): rep['parent']['sendto_bytes'], (child, parent): rep['child']['sendto_bytes']},
                 bytes_by_direction(flows, 'socket'))
        check_eq('%s: bytes received (program)' % what, (rep['parent']['sendto_bytes'], rep['child']['sendto_bytes']),
                 (rep['child']['recvfrom_bytes'], rep['parent']['recvfrom_bytes']))
        passed('%s: %d bytes parent to child, %d back, along the arrows'
               % (what, rep['parent']['sendto_bytes'], rep['child']['sendto_bytes']))

        what = 'pipe 60'
        evs, rep = run_perfetto(sock, [example('pipe'), '60'])
        flows = check_shape(evs, what)
        check_eq('%s: process tracks' % what, {rep['parent_pid'], rep['child_pid']}, set(tracks(evs)))
        check_eq('%s: bytes read (program)' % what, rep['bytes_written'], rep['bytes_read'])
        check_eq('%s: bytes along the data arrows (= written and read, child to parent)' % what,
                 {(rep['child_pid'], rep['parent_pid']): rep['bytes_written']}, bytes_by_direction(flows, 'pipe'))
        check(len(flows['data']) >= rep['writes'], '%s: %d data flows for %d writes'
              % (what, len(flows['data']), rep['writes']))
        check_eq('%s: signal flows (none delivered)' % what, 0, len(flows.get('signal', [])))
        passed('%s: %d data flows carry the %d bytes' % (what, len(flows['data']), rep['bytes_written']))
    finally:
        daemon.cleanup()
    done()


main()
