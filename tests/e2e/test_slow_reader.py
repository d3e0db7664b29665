#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A client that cannot keep up (ipctraced(8): "It never blocks on a client
... its backlog grows up to 16 MiB, after which its events are dropped,
counted, and the client is told how many"; docs/events.md, the summary's
`lost`).

`ipctrace run -o json -- signals 200000` writes to a pipe that the test
does not read until the program has exited: ipctrace blocks on its stdout,
stops reading the daemon, and the daemon's backlog for it fills. Meanwhile
the daemon answers others (stats: the session ends, 2 clients). Then the
test reads everything:

- ipctrace says on stderr how many events its output lost, exits 0;
- the summary counts them: the lines printed plus the lost make the
  session's events (plus any the kernel's ring lost, from stats), and the
  session's events (plus those) are the 800007 that the program's report
  calls for; no kill is printed twice, none that the program did not make."""

import json
import os
import re
import subprocess
import tempfile

from common import IPCTRACE, Daemon, _context, check, check_eq, done, example, fail, passed, run_env
from logcommon import stats, wait_stats
from textcommon import stop

N = 200000

d = Daemon(args=['--ring-mib', '64'])
fd, report = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
os.close(fd)
try:
    sock = d.socket
    ring_before = stats(sock)['lost']
    cmd = [IPCTRACE, 'run', '-s', sock, '-o', 'json', '--', example('signals'), str(N)]
    _context['cmd'] = ' '.join(cmd)
    cli = subprocess.Popen(cmd, env=run_env({'IPCTRACE_REPORT': report}), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Ended (the program exited) while ipctrace, not read, is stuck: the daemon answers all the same.
        st = wait_stats(sock, lambda s: s['events'] > 0 and s['sessions'] == 0 and s['traced_processes'] == 0,
                        'the run\'s session ended while its client is stuck', timeout=240)
        check_eq('clients while ipctrace is stuck (it and this stats)', 2, st['clients'])
        try:
            out, err = cli.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            fail('ipctrace did not end within 240 s once read')
    finally:
        stop(cli)
    out, err = out.decode(errors='replace'), err.decode(errors='replace')
    _context['stdout'], _context['stderr'] = out[-5000:], err
    ring_lost = stats(sock)['lost'] - ring_before
    with open(report) as f:
        rep = json.load(f)
    check_eq('ipctrace: exit status (stderr %r)' % err[-500:], 0, cli.returncode)
    check_eq('report: kills', N, rep['kill'])
    told = [int(n) for n in re.findall(r'^ipctrace: ipctraced dropped (\d+) events for this output, which could '
                                       r'not keep up \(more than 16 MiB were waiting for it\): it is incomplete$',
                                       err, re.M)]
    check(told and all(n > 0 for n in told), 'ipctrace did not say its output lost events: %r' % err[-500:])
    lines = out.splitlines()
    summary = json.loads(lines[-1])
    events = [json.loads(line) for line in lines[:-1]]
    check_eq('the last line', 'summary', summary.get('type'))
    check(sum(told) <= summary['lost'], 'told %d lost, the summary %d' % (sum(told), summary['lost']))
    check_eq('the summary: lost = lost_ring + lost_client', summary['lost'],
             summary['lost_ring'] + summary['lost_client'])
    check_eq('the summary: lost_client vs what ipctrace told', sum(told), summary['lost_client'])
    check_eq('lines printed + lost vs the session\'s events + what the ring lost',
             summary['events'] + ring_lost, len(events) + summary['lost'])
    # signals N: an exec, its argv and its stdio, a sigaction, a sigprocmask, N kills, N+1 generations, N deliveries,
    # N returns, an exit.
    check_eq('the session\'s events + what the ring lost vs what the program made', 4 * N + 7,
             summary['events'] + ring_lost)
    kills = [e for e in events if e['type'] == 'kill']
    check(all(e['pid'] == rep['pid'] and e['sig'] == 'SIGUSR1' for e in kills), 'a kill that is not the program\'s')
    check_eq('kills printed twice', 0, len(kills) - len({e['time_ns'] for e in kills}))
    passed('a stuck reader: %d events printed, %d lost for it (told %s), %d in the ring; %d in all, as made'
           % (len(events), summary['lost'] - ring_lost, told, ring_lost, 4 * N + 6))
    check(d.alive(), 'the daemon died')
finally:
    d.cleanup()
    os.unlink(report)
done()
