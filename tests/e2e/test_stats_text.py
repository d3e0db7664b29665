#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace stats` as text (ipctrace(1) "stats", README): one counter a
line, its value in one column, the events by type, the journal; checked
against what the traced programs did and what the test set up:

- a fresh daemon: nothing traced, 1 client (the stats itself), no session,
  programs detached, the kernel reads for this kernel (typed from 6.2 on),
  an empty journal;
- after `signals N`: the events it made by type (4N+6 in all, as in
  test_run_count) and as many journal records with its N lifecycle
  records (the SIGCHLD its exit sends ipctrace has none) and the session's
  start (for `ipctrace explain`), over a time span
  that the run's wall-clock times bound;
- while a process is attached in the background: 1 session, 1 traced
  process, programs attached, and root's use (1 connection, 1 session, 1
  traced process); after `detach`, none;
- events lost: the daemon stopped (SIGSTOP) while `pipe 20000` floods its
  1 MiB ring: the loss counted, with its time;
- `--no-journal`: the journal line says so;
- usage errors exit 2, no daemon exits 1."""

import datetime
import json
import os
import platform
import re
import signal
import subprocess
import time

from common import (Daemon, Lines, check, check_eq, done, example, fail, passed, run_cli, run_env)
from logcommon import wait_stats
from textcommon import run_reported, stop

N = 6
LABELS = [('events', 'events traced'), ('lost', 'events lost (ring buffer full)'),
          ('untraced_children', 'children not traced (map full)'),
          ('lost_calls', 'calls lost (no task storage)'),
          ('untracked_calls', 'calls left out of pipe graphs'), ('clients', 'clients connected'),
          ('backlog_bytes', 'bytes waiting for clients'), ('sessions', 'trace sessions'), ('traced_processes', 'traced processes'),
          ('attached', 'programs attached'), ('bpf_reads', 'kernel reads (typed/core)'),
          ('accept_pauses', 'accept paused (no descriptors)')]
USERS_HEADER = ['user', 'connections', 'sessions', 'traced', 'queued', 'bytes']
TIME = r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d'


def stats_text(sock):
    """{label: value} of `ipctrace stats` (text), every value in one column; the by-type rows apart."""
    r = run_cli(['stats', '-s', sock])
    check_eq('stats: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    lines = r.stdout.splitlines()
    check(lines and lines[0].startswith(LABELS[0][1]),
          'stats: the first line is not %r: %r' % (LABELS[0][1], lines[:1]))
    col = len(lines[0]) - len(lines[0][len(LABELS[0][1]):].lstrip())
    out, by_type, label = {}, {}, None
    for line in lines:
        check(len(line) > col and line[col - 1] == ' ' and line[col] != ' ',
              'stats: a value not in the column at %d:\n  %s\n  %s' % (col, lines[0], line))
        name, value = line[:col].strip() or label, line[col:]
        if name == 'events by type':
            t, n = value.split()
            check(value[19:] == n and value[18] == ' ', 'stats: by type, a count not in its column: %r' % line)
            check(t not in by_type, 'stats: %s twice by type' % t)
            by_type[t] = int(n)
        elif name == 'lost, latest times':
            out.setdefault(name, []).append(value)
        elif name == 'use by user':
            # A header, then a row per user: name(uid), connections, sessions, traced, queued bytes.
            if name not in out:
                check_eq('stats: the users\' header', USERS_HEADER, value.split())
                out[name] = {}
            else:
                who, *counts = value.split()
                check(who not in out[name], 'stats: user %s twice' % who)
                out[name][who] = [int(n) for n in counts]
        else:
            check(name not in out, 'stats: %r twice' % name)
            out[name] = value
        label = name
    return out, by_type


def check_counters(what, text, want):
    for key, label in LABELS:
        if key in want:
            check_eq('%s: %r' % (what, label), str(want[key]).lower(), text.get(label))


kernel = tuple(int(x) for x in re.match(r'(\d+)\.(\d+)', platform.release()).groups())
reads = 'typed' if kernel >= (6, 2) else 'core'

d = Daemon(args=['--ring-mib', '1'])
try:
    sock = d.socket
    text, by_type = stats_text(sock)
    check_eq('fresh daemon: labels, in order', [label for _, label in LABELS] +
             ['journal', 'handler symbols', 'use by user'], list(text))
    # The stats client itself: one connection of root's.
    check_eq('fresh daemon: use by user', {'root(0)': [1, 0, 0, 0]}, text['use by user'])
    check_counters('fresh daemon', text, {'events': 0, 'lost': 0, 'untraced_children': 0, 'lost_calls': 0,
                                          'untracked_calls': 0,
                                          'clients': 1, 'backlog_bytes': 0, 'sessions': 0, 'traced_processes': 0,
                                          'attached': 'false', 'bpf_reads': reads, 'accept_pauses': 0})
    check_eq('fresh daemon: journal', '0.0 MiB in 1 segments, 0 records', text['journal'])
    check_eq('fresh daemon: handler symbols', '0 files in memory, 0 read, 0 evicted', text['handler symbols'])
    check_eq('fresh daemon: events by type', {}, by_type)
    passed('fresh daemon: every counter in its column, nothing traced, kernel reads %s (Linux %d.%d)'
           % ((reads,) + kernel))

    before = time.time()
    r = run_reported(['run', '-s', sock, '-o', 'json', '--', example('signals'), str(N)])
    after = time.time()
    check_eq('run signals %d: exit status (stderr %r)' % (N, r.stderr), 0, r.returncode)
    k, h = r.report['kill'], r.report['handled']
    want = {'exec': 1, 'rt_sigaction': 1, 'rt_sigprocmask': 1, 'kill': k, 'signal_generate': k + 1,
            'signal_deliver': h, 'rt_sigreturn': h, 'exit': 1, 'stdio': 1, 'argv': 1}
    text, by_type = stats_text(sock)
    check_eq('after signals %d: events by type' % N, want, by_type)
    check_counters('after signals %d' % N, text, {'events': sum(want.values()), 'lost': 0, 'clients': 1,
                                                  'sessions': 0, 'traced_processes': 0, 'attached': 'false'})
    # The events, a lifecycle record per signal generated, the session's start and its end.
    records = sum(want.values()) + k + 2
    check_eq('after signals %d: journal' % N, '0.0 MiB in 1 segments, %d records' % records, text['journal'])
    m = re.fullmatch('(%s) to (%s)' % (TIME, TIME), text.get('journal time span', ''))
    check(m, 'after signals %d: journal time span %r' % (N, text.get('journal time span')))
    for t in m.groups():
        when = datetime.datetime.strptime(t, '%Y-%m-%d %H:%M:%S').timestamp()
        check(int(before) <= when <= after, 'journal time span: %s is not the time of the run (%s..%s)'
              % (t, time.ctime(before), time.ctime(after)))
    passed('after signals %d: %d events by type as the program made them, %d journal records, its time span'
           % (N, sum(want.values()), records))

    w = subprocess.Popen([example('waitsig')], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        check(Lines(w.stdout).wait_for(lambda ls: 'ready' in ls, 30), 'waitsig did not say ready')
        a = run_cli(['attach', '-s', sock, '-p', str(w.pid), '--background'])
        check(a.returncode == 0 and a.stdout.strip().isdigit(), 'attach --background: status %d, %r, %r'
              % (a.returncode, a.stdout, a.stderr))
        text, _ = stats_text(sock)
        check_counters('attached', text, {'sessions': 1, 'traced_processes': 1, 'attached': 'true',
                                          'clients': 1})
        check_eq('attached: use by user', {'root(0)': [1, 1, 1, 0]}, text['use by user'])
        a = run_cli(['detach', '-s', sock, a.stdout.strip()])
        check_eq('detach: exit status (stderr %r)' % a.stderr, 0, a.returncode)
        text, _ = stats_text(sock)
        check_counters('detached', text, {'sessions': 0, 'traced_processes': 0, 'attached': 'false'})
    finally:
        w.kill()
        w.wait()
    passed('a background session: 1 session, 1 traced process, attached; after detach 0, 0, false')

    # A loss for sure: nothing drains the ring while the program fills it.
    sh = subprocess.Popen(['sh', '-c', 'read x; exec "$0" 20000', example('pipe')], stdin=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=run_env())
    try:
        a = run_cli(['attach', '-s', sock, '-p', str(sh.pid), '--background'])
        check_eq('attach --background to the flood: exit status (stderr %r)' % a.stderr, 0, a.returncode)
        os.kill(d.pid, signal.SIGSTOP)
        try:
            stopped = time.time()
            sh.stdin.write(b'go\n')
            sh.stdin.close()
            check_eq('pipe 20000: exit status', 0, sh.wait(timeout=60))
        finally:
            os.kill(d.pid, signal.SIGCONT)
        resumed = time.time()
        st = wait_stats(sock, lambda s: s['sessions'] == 0, 'the flood\'s session ended')
    finally:
        stop(sh)
    check(st['lost'] > 0, 'no event lost with the daemon stopped while 40000 events filled a 1 MiB ring: %r'
          % st)
    text, _ = stats_text(sock)
    check_eq('stats text after the loss: events lost', str(st['lost']), text['events lost (ring buffer full)'])
    lines = text.get('lost, latest times', [])
    check_eq('stats text: loss lines vs losses', len(st['losses']), len(lines))
    total = 0
    for line, loss in zip(lines, st['losses']):
        m = re.fullmatch(r'(\d+) events at (%s)' % TIME, line)
        check(m, 'stats text: loss line %r' % line)
        check_eq('stats text: a loss count', loss['count'], int(m.group(1)))
        when = datetime.datetime.strptime(m.group(2), '%Y-%m-%d %H:%M:%S').timestamp()
        check(int(stopped) <= when <= resumed + 5, 'the loss at %s is not between the stop (%s) and the drain'
              % (m.group(2), time.ctime(stopped)))
        total += loss['count']
    check_eq('losses add up to lost', st['lost'], total)
    passed('daemon stopped during a flood: %d events lost, shown with the time of each loss' % st['lost'])
finally:
    d.cleanup()

d = Daemon(args=['--no-journal'])
try:
    text, _ = stats_text(d.socket)
    check_eq('--no-journal: journal', 'none (--no-journal)', text['journal'])
    check('journal time span' not in text, '--no-journal: a journal time span')
    r = run_cli(['stats', '-s', d.socket, '-o', 'json'])
    check_eq('--no-journal: stats -o json journal', None, json.loads(r.stdout)['journal'])
    passed('--no-journal: "journal none (--no-journal)", JSON journal null')

    for args in (['-o', 'dot'], ['-o', 'yaml'], ['extra'], ['--bogus']):
        r = run_cli(['stats', '-s', d.socket] + args)
        check_eq('stats %s: exit status' % ' '.join(args), 2, r.returncode)
        check(r.stderr.strip(), 'stats %s: no message' % ' '.join(args))
        check_eq('stats %s: stdout' % ' '.join(args), '', r.stdout)
    check(d.alive(), 'the daemon died')
    passed('stats usage errors (-o dot, -o yaml, an argument, an unknown option): exit 2')
    gone = os.path.join(d.dir, 'gone.sock')
finally:
    d.cleanup()
r = run_cli(['stats', '-s', gone])
check_eq('stats with no daemon: exit status', 1, r.returncode)
check(gone in r.stderr, 'stats with no daemon: the message does not name the socket: %r' % r.stderr)
if r.stdout:
    fail('stats with no daemon: stdout %r' % r.stdout)
passed('stats with no daemon: exit 1, the socket named')
done()
