#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`scripts/demo`, the README's first command: it sets up and builds (here:
nothing left to do), then traces the bundled demo program, and exits with
its status. Run as the README says, in the source tree whose build/ this
suite tests (up to date: the set-up must not relink the programs that the
other tests run), in a mount namespace with an empty /run, so that no system
daemon can answer and the demo gets a private one (never the default
socket). The trace is checked line by line against the demo's report:

- exit status 0; after the set-up's output, "== ipctrace run --
  build/examples/demo", the header and aligned event lines, as many as
  the summary on stderr counts, nothing lost;
- the parent's pipe2 (its fds), fork (the child), reads up to EOF, kill of
  SIGUSR1 to the child and of SIGUSR2 to itself (ignored, never
  delivered); the child's writes, and the delivery to on_sigusr1; both
  exits, 0, and the SIGCHLD each sends its parent (the demo ignores it;
  ipctrace's is queued, blocked: it reads them from a signalfd)."""

import os
import re
import subprocess

from common import HERE, IPCTRACE, check, check_eq, done, fail, passed, skip
from textcommon import check_aligned, fields, run_reported, summary_line

SOURCE = os.path.normpath(os.path.join(HERE, '..', '..'))
DEMO = os.path.join(SOURCE, 'scripts', 'demo')

if os.path.realpath(IPCTRACE) != os.path.realpath(os.path.join(SOURCE, 'build', 'ipctrace')):
    why = ('scripts/demo runs %s, but this suite tests %s'
           % (os.path.join(SOURCE, 'build', 'ipctrace'), IPCTRACE))
    if os.environ.get('CI') == 'true':
        fail(why)
    skip(why)

# The demo's set-up builds: with work left to do, it would relink the programs under the other tests.
r = subprocess.run(['ninja', '-C', os.path.join(SOURCE, 'build'), '-n'], stdin=subprocess.DEVNULL,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
if 'ninja: no work to do.' not in r.stdout.splitlines():
    why = 'build/ is not up to date (build first: meson test does): %r' % r.stdout[-300:]
    if os.environ.get('CI') == 'true':
        fail(why)
    skip(why)

# The namespace's /run is an empty tmpfs: /run/ipctrace/ipctrace.sock is not there.
r = run_reported(['unshare', '--mount', '--propagation', 'private', 'sh', '-c',
                  'mount -t tmpfs ipctrace-e2e /run && exec "$0"', DEMO], timeout=300, prefix=())
check_eq('scripts/demo: exit status (stderr %r)' % r.stderr[-600:], 0, r.returncode)
check(r.report is not None, 'the demo wrote no report')
lines = r.stdout.splitlines()
start = '== ipctrace run -- build/examples/demo'
check(start in lines, 'scripts/demo: no %r line: %r' % (start, lines[-30:]))
at = lines.index(start)
check(at > 0 and lines[at - 1] == '', 'scripts/demo: no empty line after the set-up\'s output')
check(lines[0] == 'ninja: Entering directory `build\'' and 'ninja: no work to do.' in lines[:at],
      'scripts/demo: the set-up did not end with an up-to-date build: %r' % lines[:at])
header, rows = lines[at + 1], lines[at + 2:]
cols = check_aligned('scripts/demo', header, ['PROCESS', 'EVENT', 'DETAILS'], rows)
check_eq('scripts/demo: header', ['TIME', 'PROCESS', 'EVENT', 'DETAILS'], header.split())
check_eq('scripts/demo: event lines vs the summary',
         summary_line('scripts/demo', r.stderr, 'exited 0'), len(rows))
check(r.stderr.rstrip('\n').splitlines()[-1].startswith('ipctrace: build/examples/demo exited 0; '),
      'scripts/demo: stderr does not end with the summary: %r' % r.stderr[-300:])
passed('exit 0; "%s", the header and %d aligned event lines, as the summary counts' % (start, len(rows)))

rep = r.report
parent, child = 'demo[%d]' % rep['parent_pid'], 'demo[%d]' % rep['child_pid']
ev = []
for row in rows:
    check(re.fullmatch(r' *\d+\.\d{6}  ', row[:cols[0]]), 'scripts/demo: TIME of %r' % row)
    proc, event, details = fields(row, cols)
    check(proc in (parent, child), 'scripts/demo: a process that is not the demo: %r' % row)
    ev.append((proc, event, details))


def of(proc, event):
    """The details of proc's events of that name, without the "[blocked 2.1 ms]" a call that took 1 ms or
    more gets: a loaded machine (or an emulated one) may take that long for any call."""
    return [re.sub(r'  \[blocked [\d.]+ ms\]$', '', d) for p, e, d in ev if p == proc and e == event]


# By the absolute path (cli/run.c: the daemon, elsewhere, reads the program's symbols from it).
check_eq('the parent\'s exec', [os.path.join(os.path.realpath(SOURCE), 'build', 'examples', 'demo')],
         of(parent, 'exec'))
pipes = of(parent, 'pipe2') + of(parent, 'pipe')
m = re.fullmatch(r'\[%d, %d\] (pipe:\[\d+\]) = 0' % (rep['read_fd'], rep['write_fd']), pipes[0]) \
    if len(pipes) == 1 else None
check(m, 'the parent\'s pipe: %r (fds %d, %d)' % (pipes, rep['read_fd'], rep['write_fd']))
obj = m.group(1)
check_eq('the parent\'s fork', ['child %d' % rep['child_pid']], of(parent, 'fork'))
writes = [re.fullmatch(r'fd=%d %s count=(\d+) = (\d+)'
                       % (rep['write_fd'], re.escape(obj)), d)
          for d in of(child, 'write')]
check(all(writes), 'the child\'s writes: %r' % of(child, 'write'))
check_eq('the child\'s writes, bytes', (rep['writes'], rep['bytes_written']),
         (len(writes), sum(int(w.group(2)) for w in writes)))
reads = [re.match(r'fd=%d %s count=\d+ (?:EOF )?= (\d+)' % (rep['read_fd'], re.escape(obj)), d)
         for d in of(parent, 'read')]
check(all(reads), 'the parent\'s reads: %r' % of(parent, 'read'))
check_eq('the parent\'s reads, bytes', (rep['reads'], rep['bytes_read']),
         (len(reads), sum(int(x.group(1)) for x in reads)))
check(' EOF = 0' in of(parent, 'read')[-1], 'the parent\'s last read is not its EOF: %r' % of(parent, 'read'))
passed('%s: pipe2 %s, fork, %d reads up to EOF; %s: %d writes; as the demo counted'
       % (parent, obj, len(reads), child, len(writes)))

check_eq('the parent\'s kills', ['pid=%d SIGUSR1 = 0' % rep['child_pid'], 'pid=%d SIGUSR2 = 0' % rep['parent_pid']],
         of(parent, 'kill'))
gen = of(parent, 'signal_generate')
check(len(gen) == 3 and gen[0].startswith('SIGUSR1 -> %s queued ' % child) and
      gen[1].startswith('SIGUSR2 -> %s ignored ' % parent) and
      re.fullmatch(r'SIGCHLD -> ipctrace\[\d+\] queued blocked CLD_EXITED child=%d status=0' % rep['parent_pid'],
                   gen[2]), 'the parent\'s signals (SIGUSR1, SIGUSR2, SIGCHLD to ipctrace): %r' % gen)
check_eq('the child\'s signal (its exit)',
         ['SIGCHLD -> %s ignored CLD_EXITED child=%d status=0' % (parent, rep['child_pid'])],
         of(child, 'signal_generate'))
deliveries = of(child, 'signal_deliver')
check_eq('deliveries to the child\'s on_sigusr1', rep['handled']['SIGUSR1'],
         len([d for d in deliveries if d.startswith('SIGUSR1 handler on_sigusr1 ')]))
check_eq('other deliveries', [], [d for p, e, d in ev if e == 'signal_deliver' and not d.startswith('SIGUSR1 ')])
check_eq('exits (child, parent)', (['exited %d' % rep['child_exit']], ['exited 0']),
         (of(child, 'exit'), of(parent, 'exit')))
passed('SIGUSR1 sent to %s and handled by on_sigusr1; SIGUSR2 ignored, never delivered; both exited 0, '
       'each SIGCHLD to its parent' % child)
done()
