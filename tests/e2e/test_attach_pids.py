#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace attach -p A,B` (ipctrace(1) "attach"): several running
processes in one session, with each of the trace options of `run`.

A and B are held processes: each waits until the test makes its stdin (a
pipe) readable and then execs a program, A `signals 4` and B `pipe 30`,
which report what they did. The test attaches to both, waits until the daemon
traces them (stats), releases them, and the attach ends by itself when both
have exited (exit 0). Then, against the programs' reports:

- -o json: the events of A, B and B's child, all in one session: the exec
  first, A's kills, deliveries and handler returns, B's child's writes and
  B's reads, exactly;
- text: the header, aligned rows of comm[pid], as many as the summary says;
- --count: the counts of the types the programs report, and of the
  processes' execs, forks, exits and SIGCHLDs;
- --signals --pipes -o json: the lifecycle records of both, and the pipe
  graph, including the stdin pipes they held before the attach (read from
  /proc/PID/fd: the test's own inode numbers);
- -o dot --pipes: one graph with both processes and both stdin pipes;
- --view: lanes for both, and the handled signals counted;
- errors: no -p, a bad pid list, --all, an extra argument (exit 2); a pid
  that does not exist, or a pid already traced by another session (exit
  1, and the other pid is not left traced); a pid named twice is traced
  once."""

import json
import os
import re
import subprocess
import sys
import tempfile

from common import (IPCTRACE, Daemon, _context, check, check_eq, done, example, fail, one, parse_report, passed,
                    run_cli, run_env, select_events, total_bytes)
from logcommon import stats, wait_stats
from textcommon import check_aligned, stop

TIMEOUT = 60
KILLS, MESSAGES = 4, 30
# Says it is ready by closing a pipe (after its start-up, none of which is traced), waits until
# its stdin is readable (select: not traced), then becomes the program: an exec, nothing else traced
# before it. (A read would not do: one in progress when the trace begins is not recorded.)
HOLD = ('import os, select, sys\nos.close(int(sys.argv[1]))\nselect.select([0], [], [])\n'
        'os.execv(sys.argv[2], sys.argv[2:])')


class Held:
    """A process that waits for the test, then execs an example with a report file."""

    def __init__(self, name, *args):
        fd, self.report_path = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
        os.close(fd)
        r, w = os.pipe()
        self.p = subprocess.Popen([sys.executable, '-c', HOLD, str(w), example(name)] + list(args),
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  pass_fds=(w,), env=run_env({'IPCTRACE_REPORT': self.report_path}))
        os.close(w)
        # End of file once it has closed its end.
        with os.fdopen(r, 'rb') as f:
            check_eq('the held process\'s ready pipe', b'', f.read())
        self.pid = self.p.pid
        self.stdin_inode = os.fstat(self.p.stdin.fileno()).st_ino
        self.name = name

    def go(self):
        self.p.stdin.close()

    def finish(self):
        check_eq('%s (pid %d): exit status' % (self.name, self.pid), 0, self.p.wait(timeout=TIMEOUT))
        with open(self.report_path) as f:
            rep = parse_report(f.read())
        check(rep is not None, '%s wrote no report' % self.name)
        return rep

    def cleanup(self):
        stop(self.p)
        os.unlink(self.report_path)


def attach(sock, opts, env=None):
    """attach -p A,B with opts; returns (A's report, B's report, A, B, exit status, stdout, stderr)."""
    a, b = Held('signals', str(KILLS)), Held('pipe', str(MESSAGES))
    try:
        cmd = [IPCTRACE, 'attach', '-s', sock, '-p', '%d,%d' % (a.pid, b.pid)] + list(opts)
        _context.clear()
        _context['cmd'] = ' '.join(cmd)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            cli = subprocess.Popen(cmd, env=run_env(env), stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            try:
                wait_stats(sock, lambda s: s['traced_processes'] == 2 and s['sessions'] == 1 or cli.poll() is not None,
                           'attach -p %d,%d traced' % (a.pid, b.pid))
                check(cli.poll() is None, 'attach %s exited %r before the processes ran' % (opts, cli.poll()))
                a.go()
                b.go()
                ra, rb = a.finish(), b.finish()
                try:
                    cli.wait(timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    fail('attach %s did not end within %d s of the processes\' exits' % (opts, TIMEOUT))
            finally:
                stop(cli)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(errors='replace'), err.read().decode(errors='replace')
        _context['stdout'], _context['stderr'] = stdout, stderr
        check_eq('attach %s: exit status (stderr %r)' % (' '.join(opts), stderr), 0, cli.returncode)
        check_eq('sessions after the attach ended', 0, stats(sock)['sessions'])
        return ra, rb, a, b, stdout, stderr
    finally:
        a.cleanup()
        b.cleanup()


def summary_text(what, stderr, pids):
    m = re.search(r'^ipctrace: %s session (\d+) ended \(every process exited\); (\d+) events, (\d+) lost$'
                  % re.escape(pids), stderr, re.M)
    check(m, '%s: no summary on stderr: %r' % (what, stderr[-400:]))
    check_eq('%s: lost' % what, '0', m.group(3))
    return int(m.group(2))


d = Daemon()
try:
    sock = d.socket

    # -o json: every event, exactly.
    ra, rb, a, b, out, err = attach(sock, ['-o', 'json'])
    objs = [json.loads(line) for line in out.splitlines()]
    check(objs and objs[-1].get('type') == 'summary', 'attach -o json: no summary last')
    ev, summary = objs[:-1], objs[-1]
    check_eq('summary events (event lines)', len(ev), summary['events'])
    check_eq('summary lost', 0, summary['lost'])
    check_eq('report pids', (a.pid, b.pid), (ra['pid'], rb['parent_pid']))
    sessions = {e['session'] for e in ev}
    check_eq('sessions of the events', 1, len(sessions))
    check(re.fullmatch(r'session %d ended \(every process exited\)' % sessions.copy().pop(), summary['status']),
          'summary status %r' % summary['status'])
    check_eq('pids of the events', {a.pid, b.pid, rb['child_pid']}, {e['pid'] for e in ev})
    for h in (a, b):
        # At the attach: its streams as they are (the held process's stdin is the test's pipe); then its exec.
        x = select_events(ev, pid=h.pid)[:2]
        check_eq('pid %d: the first events (type, stdin or filename)' % h.pid,
                 [('stdio', 'pipe:[%d]' % h.stdin_inode), ('exec', example(h.name))],
                 [(e['type'], e.get('stdin', e.get('filename'))) for e in x])
    check_eq('A: kills', ra['kill'], len(select_events(ev, type='kill', pid=a.pid, sig='SIGUSR1', ret=0)))
    check_eq('A: deliveries to on_sigusr1', ra['handled'],
             len(select_events(ev, type='signal_deliver', pid=a.pid, handler='on_sigusr1')))
    check_eq('A: handler returns', ra['handled'], len(select_events(ev, type='rt_sigreturn', pid=a.pid)))
    w = select_events(ev, type='write', pid=rb['child_pid'])
    r = select_events(ev, type='read', pid=b.pid, fd=rb['read_fd'])
    check_eq('B\'s child: writes, bytes', (rb['writes'], rb['bytes_written']), (len(w), total_bytes(w)))
    check_eq('B: reads, bytes', (rb['reads'], rb['bytes_read']), (len(r), total_bytes(r)))
    f = one(select_events(ev, type='fork', pid=b.pid), 'B\'s fork')
    check_eq('B: fork child_pid', rb['child_pid'], f.get('child_pid'))
    passed('-o json: A (%d kills, handled) and B (%d writes, %d reads) in one session, exactly'
           % (ra['kill'], rb['writes'], rb['reads']))

    # Text.
    ra, rb, a, b, out, err = attach(sock, ['--color', 'never'])
    pids = '%d,%d' % (a.pid, b.pid)
    lines = out.splitlines()
    check(lines, 'attach (text): no output')
    header, rows = lines[0], lines[1:]
    cols = check_aligned('attach (text)', header, ['PROCESS', 'EVENT', 'DETAILS'], rows)
    check(all(re.fullmatch(r' *\d+\.\d{6}  ', row[:cols[0]]) for row in rows),
          'attach (text): a TIME that is not seconds, right-aligned before PROCESS: %r' % rows[:3])
    check_eq('attach (text): rows vs the summary', summary_text('attach (text)', err, pids), len(rows))
    procs = {row[cols[0]:cols[1]].strip() for row in rows}
    want = {'signals[%d]' % a.pid, 'pipe[%d]' % b.pid, 'pipe[%d]' % rb['child_pid']}
    check(want <= procs, 'attach (text): processes %s, not all of %s' % (sorted(procs), sorted(want)))
    check(all(re.fullmatch(r'\S+\[(%d|%d|%d)\]' % (a.pid, b.pid, rb['child_pid']), p) for p in procs),
          'attach (text): processes %s' % sorted(procs))
    passed('text: %d aligned rows of %s, the summary on stderr' % (len(rows), ', '.join(sorted(procs))))

    # --count.
    ra, rb, a, b, out, err = attach(sock, ['--count'])
    lines = out.splitlines()
    check(lines and lines[0].split() == ['EVENT', 'COUNT'], 'attach --count: header %r' % lines[:1])
    counts = {row.split()[0]: int(row.split()[1]) for row in lines[1:]}
    want = {'kill': ra['kill'], 'signal_deliver': ra['handled'], 'rt_sigreturn': ra['handled'],
            'write': rb['writes'], 'read': rb['reads'], 'exec': 2, 'fork': 1, 'exit': 3,
            # A's SIGUSR1s, and the SIGCHLD of each exit: B's child to B, A and B to the test.
            'signal_generate': ra['kill'] + 3}
    check_eq('attach --count: counts', want, {k: counts.get(k) for k in want})
    check_eq('attach --count: the sum vs the summary', summary_text('attach --count', err, '%d,%d' % (a.pid, b.pid)),
             sum(counts.values()))
    passed('--count: %s' % ', '.join('%s %d' % kv for kv in sorted(want.items())))

    # --signals --pipes -o json: records and the graph, with what the processes held before.
    ra, rb, a, b, out, err = attach(sock, ['--signals', '--pipes', '-o', 'json'])
    objs = [json.loads(line) for line in out.splitlines()]
    recs = [o for o in objs if o.get('type') == 'lifecycle']
    got = sorted((r['sig'], r['sender_pid'] if r['sig'] == 'SIGCHLD' else r['target_pid'], r['outcome'])
                 for r in recs)
    check_eq('attach --signals: records (signal, sender of SIGCHLD or target, outcome)', sorted(
        [('SIGUSR1', a.pid, 'handled')] * ra['handled'] +
        [('SIGCHLD', a.pid, 'unobserved'), ('SIGCHLD', b.pid, 'unobserved'),
         ('SIGCHLD', rb['child_pid'], 'ignored')]), got)
    graph = {o['object']: o for o in objs if o.get('type') == 'ipc_object'}

    def ends(o, side):
        return sorted((x['pid'], x['fd'], x['bytes'], x['calls']) for x in o[side])

    for h, readers in ((a, [(a.pid, 0, 0, 0)]), (b, [(b.pid, 0, 0, 0), (rb['child_pid'], 0, 0, 0)])):
        name = 'pipe:[%d]' % h.stdin_inode
        check(name in graph, 'attach --pipes: no %s (stdin of %d, held before the attach) in %s'
              % (name, h.pid, sorted(graph)))
        o = graph.pop(name)
        check_eq('%s: (kind, created_ns, writers)' % name, ('pipe', None, []),
                 (o['kind'], o['created_ns'], o['writers']))
        check_eq('%s: readers (pid, fd, bytes, calls)' % name, readers, ends(o, 'readers'))
    check_eq('attach --pipes: objects but the stdin pipes', 1, len(graph))
    o = graph.popitem()[1]
    check_eq('B\'s pipe: writers', sorted([(b.pid, rb['write_fd'], 0, 0),
                                           (rb['child_pid'], rb['write_fd'], rb['bytes_written'], rb['writes'])]),
             ends(o, 'writers'))
    check_eq('B\'s pipe: readers', sorted([(b.pid, rb['read_fd'], rb['bytes_read'], rb['reads']),
                                           (rb['child_pid'], rb['read_fd'], 0, 0)]), ends(o, 'readers'))
    check_eq('attach --signals --pipes -o json: the last line', 'summary', objs[-1].get('type'))
    passed('--signals --pipes -o json: %d records; the stdin pipes, from /proc; B\'s pipe'
           % len(recs))

    # -o dot --pipes.
    ra, rb, a, b, out, err = attach(sock, ['-o', 'dot', '--pipes'])
    check(out.startswith('digraph ipctrace {\n') and out.endswith('}\n'), 'attach -o dot: %r' % out[:200])
    for node in ('p%d ' % a.pid, 'p%d ' % b.pid, 'o%d ' % a.stdin_inode, 'o%d ' % b.stdin_inode,
                 'o%d -> p%d ' % (a.stdin_inode, a.pid), 'o%d -> p%d ' % (b.stdin_inode, b.pid)):
        check('  ' + node in out, 'attach -o dot: no %r in %r' % (node, out))
    passed('-o dot --pipes: one graph with both processes and their stdin pipes')

    # --view (ASCII).
    ra, rb, a, b, out, err = attach(sock, ['--view'], env={'LC_ALL': 'C'})
    for p in ('signals[%d]' % a.pid, 'pipe[%d]' % b.pid):
        check(p in out, 'attach --view: no lane for %s in %r' % (p, out[-2000:]))
    m = re.search(r'^ *(\d+) signals: (\d+) handled', out, re.M)
    check(m and int(m.group(2)) == ra['handled'], 'attach --view: not "N signals: %d handled": %r'
          % (ra['handled'], out[-600:]))
    check(all(ord(c) < 128 for c in out), 'attach --view with LC_ALL=C: not ASCII')
    passed('--view: lanes of both, %s signals, %d handled' % (m.group(1), ra['handled']))

    # Errors.
    for args, code, words in ((['-s', sock], 2, ['say what to trace', '-p PID']),
                              (['-s', sock, '-p', '12,x'], 2, ["not 'x'"]),
                              (['-s', sock, '-p', ''], 2, ['-p takes process ids']),
                              (['-s', sock, '-p', '0'], 2, ["not '0'"]),
                              (['-s', sock, '-p', '1', '--all'], 2, ['--all', 'does not go with this verb']),
                              (['-s', sock, '-p', '1', 'extra'], 2, ["unexpected argument 'extra'"]),
                              (['-s', sock, '-p', '1', '-o', 'dot'], 2, ['--pipes'])):
        r = run_cli(['attach'] + args)
        check_eq('attach %s: exit status' % ' '.join(args[2:]), code, r.returncode)
        for w in words:
            check(w in r.stderr, 'attach %s: the error does not say %r: %r' % (' '.join(args[2:]), w, r.stderr))
        check_eq('attach %s: stdout' % ' '.join(args[2:]), '', r.stdout)
    passed('usage errors: exit 2 with a message')

    gone = subprocess.Popen(['true'])
    gone.wait()
    a = Held('signals', '1')
    try:
        r = run_cli(['attach', '-s', sock, '-p', '%d,%d' % (a.pid, gone.pid)])
        check_eq('attach -p LIVE,GONE: exit status', 1, r.returncode)
        check('no process with pid %d' % gone.pid in r.stderr, 'attach -p LIVE,GONE: stderr %r' % r.stderr)
        st = stats(sock)
        # The filter in front of the traced set counts each entry made, and uncounts it when it goes (or fails).
        check_eq('traced processes and filter after attach -p LIVE,GONE', (0, 0),
                 (st['traced_processes'], st['traced_filter']))
        s = run_cli(['attach', '-s', sock, '-p', str(a.pid), '--background'])
        check_eq('attach --background: exit status (stderr %r)' % s.stderr, 0, s.returncode)
        b = Held('signals', '1')
        try:
            r = run_cli(['attach', '-s', sock, '-p', '%d,%d' % (b.pid, a.pid)])
            check_eq('attach -p FREE,TRACED: exit status', 1, r.returncode)
            check('already being traced' in r.stderr, 'attach -p FREE,TRACED: stderr %r' % r.stderr)
            st = stats(sock)
            check_eq('after attach -p FREE,TRACED: (sessions, traced processes, filter)', (1, 1, 1),
                     (st['sessions'], st['traced_processes'], st['traced_filter']))
            r = run_cli(['detach', '-s', sock, s.stdout.strip()])
            check_eq('detach: exit status (stderr %r)' % r.stderr, 0, r.returncode)
            r = run_cli(['attach', '-s', sock, '-p', '%d,%d' % (b.pid, b.pid), '--background'])
            check_eq('attach -p P,P: exit status (stderr %r)' % r.stderr, 0, r.returncode)
            st = stats(sock)
            check_eq('after attach -p P,P: (sessions, traced processes, filter)', (1, 1, 1),
                     (st['sessions'], st['traced_processes'], st['traced_filter']))
            b.go()
            b.finish()
            wait_stats(sock, lambda s: s['sessions'] == 0, 'the session of P,P ended with P')
            check_eq('traced filter after every session ended', 0, stats(sock)['traced_filter'])
        finally:
            b.cleanup()
    finally:
        a.cleanup()
    check(d.alive(), 'the daemon died')
    passed('a pid gone or already traced: exit 1, the error says which, nothing left traced; P,P traced once')
finally:
    d.cleanup()
done()
