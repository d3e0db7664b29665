#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tables and the --view summary fit the terminal (issue #20, point 9).

In tmux windows of 60 and 80 columns: `ipctrace run --signals` (the
lifecycle table after the events), `ipctrace signals` and `ipctrace run
--view` of four sigcases (merge, term, never, pending) run by one shell.
No line of the tables or of the view is wider than the window (capture-pane
-J joins what the terminal wrapped, so a line too wide shows whole); the
records are all there, as the programs counted them, and the view's tally,
wrapped, still names every outcome. On a pipe (no terminal) the tally is
one line, wider than 80 columns, not cut."""

import os
import subprocess
import unicodedata

from common import IPCTRACE, Daemon, check, check_eq, done, example, passed, run_env
from tmuxcommon import Windows

CASES = ['merge', 'term', 'never', 'pending']
TALLY = ['handled', 'killed the process', 'ignored', 'merged (lost)', 'never delivered']


def columns(line):
    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in line)


def too_wide(lines, width):
    return [line for line in lines if columns(line) > width]


d = Daemon()
win = Windows('ipctrace-e2e-narrow')
try:
    script = '; '.join('%s %s' % (example('sigcases'), c) for c in CASES)
    for width in (60, 80):
        lines, _, code = win.run('signals%d' % width, [IPCTRACE, 'run', '-s', d.socket, '--signals', '--color',
                                                       'never', '--', example('sigcases'), 'merge'], width, 200)
        check_eq('run --signals at %d columns: exit status' % width, 0, code)
        table = [n for n, line in enumerate(lines) if line.startswith('TIME') and 'SENDER -> TARGET' in line]
        check_eq('run --signals at %d columns: the table\'s header' % width, 1, len(table))
        rows = lines[table[0]:]
        check_eq('run --signals: table lines wider than %d columns' % width, [], too_wide(rows, width))
        # merge: 5 SIGUSR1 (1 handled, 4 merged) and 1 SIGUSR2, ignored (examples/sigcases.c).
        check_eq('run --signals at %d columns: records' % width, 6,
                 len([line for line in rows[2:] if line and not line.startswith(' ')]))

        lines, _, code = win.run('verb%d' % width, [IPCTRACE, 'signals', '-s', d.socket, '--color', 'never'],
                                 width, 200)
        check_eq('signals at %d columns: exit status' % width, 0, code)
        check_eq('signals: lines wider than %d columns' % width, [], too_wide(lines, width))
        # The records of the merge runs so far (at 60, then at 80), and the view's run at 60.
        check(len([line for line in lines[2:] if line and not line.startswith(' ')]) >= (6 if width == 60 else 12),
              'signals at %d columns: fewer records than the runs made' % width)

        lines, _, code = win.run('view%d' % width, [IPCTRACE, 'run', '-s', d.socket, '--view', '--', 'sh', '-c',
                                                    script], width, 300)
        check_eq('run --view at %d columns: exit status' % width, 0, code)
        check_eq('run --view: lines wider than %d columns' % width, [], too_wide(lines, width))
        rule = [n for n, line in enumerate(lines) if line.strip('─-') == '' and len(line) == width]
        check(rule, 'run --view at %d columns: no closing rule' % width)
        summary = ' '.join(line.strip() for line in lines[rule[-1] + 2:])
        for item in TALLY:
            check(item in summary, 'run --view at %d columns: the tally lacks %r: %r' % (width, item, summary))
        passed('%d columns: run --signals, signals and run --view fit; the tally names every outcome' % width)

    p = subprocess.run([IPCTRACE, 'run', '-s', d.socket, '--view', '--', 'sh', '-c', script],
                       env=run_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=120)
    check_eq('run --view on a pipe: exit status', 0, p.returncode)
    tally = [line for line in p.stdout.decode().splitlines() if ' signals: ' in line]
    check_eq('run --view on a pipe: tally lines', 1, len(tally))
    check(all(item in tally[0] for item in TALLY) and columns(tally[0]) > 80,
          'run --view on a pipe: the tally is cut or short: %r' % tally)
    passed('on a pipe the tally is one line of %d columns, not cut at 80' % columns(tally[0]))
finally:
    win.close()
    d.cleanup()
done()
