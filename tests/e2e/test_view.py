#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace run --view` in a real terminal. A private tmux server runs it in
a detached 80x24 window; the command line in the window ends by signalling a
tmux channel that the test waits on, then the test reads the window back
(capture-pane) and checks the drawing against the program's own report:

- `signals 3` (colour on, as a terminal gets by default): the lane header
  names the program and its pid, one arrow line per SIGUSR1 generated, each
  followed by its delivery to on_sigusr1() and its handled line, in that
  order, the exit at the end of the lane, then a full-width rule, the
  closing status line, the tally of lifecycle records and a legend;
- `sigcases merge` with --color never: the one SIGUSR1 that pends while
  blocked, the four merged ones marked lost, the SIGUSR2 ignored, and no
  escape sequence at all;
- `signals 3` on a pipe with LANG=C: no escape sequence, ASCII only, still
  80 columns at most.

Every line must fit in the 80 columns of the window."""

import json
import os
import subprocess

from common import IPCTRACE, _context, check, check_eq, done, example, fail, passed, run_env
from tmuxcommon import Windows

N = 3
WIDTH, HEIGHT = 80, 24
TIMEOUT = 60
WINDOWS = Windows('ipctrace-e2e-view')
TMP = WINDOWS.tmp


def view_in_tmux(name, args, opts=()):
    """Runs `ipctrace run --view OPTS -- ARGS` in a new 80x24 window and waits
    for it to end. Returns (lines as the terminal shows them, the same with
    escape sequences, ipctrace's exit status, the program's report)."""
    report = os.path.join(TMP, name + '.json')
    cmd = [IPCTRACE, 'run', '--view'] + list(opts) + ['--'] + list(args)
    # stderr (ipctrace's and the program's) goes to a file: the window shows the view alone.
    lines, colour, code = WINDOWS.run(name, cmd, WIDTH, HEIGHT, env=['IPCTRACE_REPORT=' + report])
    return lines, colour, code, read_report(report)


def read_report(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as ex:
        fail('the program wrote no report (%s)' % ex)


def check_width(lines, what):
    for n, line in enumerate(lines, 1):
        check(len(line) <= WIDTH, '%s: line %d is %d columns wide (more than %d): %r'
              % (what, n, len(line), WIDTH, line))


def with_text(lines, text):
    return [n for n, line in enumerate(lines) if text in line]


def check_signals(lines, pid, what):
    """The drawing of `signals N` (process pid): header, N x generated ->
    delivered -> handled, exit, closing lines."""
    check_width(lines, what)
    head = with_text(lines, 'signals[%d]' % pid)
    check(head, '%s: no lane header signals[%d]' % (what, pid))
    check('exec' in lines[head[0]], '%s: the header line says nothing of exec: %r' % (what, lines[head[0]]))
    states = []
    for line in lines[head[0] + 1:]:
        for state in ('generated', 'delivered', 'handled'):
            if 'SIGUSR1 ' + state in line:
                states.append(state)
    check_eq('%s: SIGUSR1 lines, in order' % what, ['generated', 'delivered', 'handled'] * N, states)
    # Sent to itself: out of the lane, and back in on the next line (box drawing or ASCII).
    for n in with_text(lines, 'SIGUSR1 generated'):
        check(any(g in lines[n] for g in ('├─┐', '+-.')) and any(g in lines[n + 1] for g in ('│◄┘', "|<'")),
              '%s: no arrow from the lane back into itself at %r' % (what, lines[n:n + 2]))
    for n in with_text(lines, 'SIGUSR1 delivered'):
        check('on_sigusr1()' in lines[n], '%s: the delivery does not name the handler: %r' % (what, lines[n]))
    ends = with_text(lines, 'exited 0')
    check(ends and any(g + ' exited 0' in lines[ends[0]] for g in ('┴', '+')),
          '%s: no "exited 0" at the end of the lane' % what)
    rule = with_text(lines, '─' * WIDTH) or with_text(lines, '-' * WIDTH)
    check(rule and rule[0] > ends[0], '%s: no full-width rule after the exit' % what)
    check_eq('%s: closing status line' % what, 'signals exited 0', lines[rule[0] + 1].strip())
    # The SIGCHLD that the program's exit sends its parent, ipctrace, is ipctrace's own: not counted.
    check_eq('%s: the tally of lifecycle records' % what,
             '%d signals: %d handled' % (N, N), lines[rule[0] + 2].strip())
    check('generated' in lines[rule[0] + 3] and 'handled' in lines[rule[0] + 3],
          '%s: no legend after the tally: %r' % (what, lines[rule[0] + 3:]))


try:
    # 1. signals 3, on a terminal: colour (auto), box drawing.
    lines, colour, code, rep = view_in_tmux('signals', [example('signals'), str(N)])
    check_eq('ipctrace exit status', 0, code)
    check_eq('report: kills', N, rep['kill'])
    check_signals(lines, rep['pid'], 'signals %d in tmux' % N)
    check('\033[' in colour, 'no colour in the view on a terminal')
    check(any('SIGUSR1' in l and '\033[' in l for l in colour.split('\n')),
          'the SIGUSR1 lines are not coloured')
    passed('signals %d on an 80x24 terminal: header, %d x generated/delivered/handled, exit, '
           'status, tally, legend, in colour' % (N, N))

    # 2. sigcases merge, --color never: lost and ignored signals, no escapes.
    lines, colour, code, rep = view_in_tmux('merge', [example('sigcases'), 'merge'],
                                           opts=('--color', 'never'))
    check_eq('ipctrace exit status (merge)', 0, code)
    check_width(lines, 'sigcases merge')
    check('\033' not in colour, '--color never: escape sequences in %r' % colour[:2000])
    check(with_text(lines, 'sigcases[%d]' % rep['pid']), 'sigcases merge: no lane header')
    check_eq('merge: lines "SIGUSR1 pending (blocked)"', 1, len(with_text(lines, 'SIGUSR1 pending (blocked)')))
    check_eq('merge: lines "SIGUSR1 merged: already pending, lost"', rep['kills'] - 1,
             len(with_text(lines, 'SIGUSR1 merged: already pending, lost')))
    check_eq('merge: lines "SIGUSR2 ignored (SIG_IGN)"', rep['ignored_kills'],
             len(with_text(lines, 'SIGUSR2 ignored (SIG_IGN)')))
    check_eq('merge: SIGUSR1 deliveries', rep['handled'], len(with_text(lines, 'SIGUSR1 delivered')))
    check_eq('merge: SIGUSR1 handled', rep['handled'], len(with_text(lines, 'SIGUSR1 handled')))
    check(with_text(lines, '6 signals: 1 handled, 1 ignored, 4 merged (lost)'),
          'merge: no tally of 6 signals (the SIGCHLD to ipctrace is not one of them)')
    passed('sigcases merge with --color never: pending, %d merged, ignored, handled; no escapes'
           % (rep['kills'] - 1))

    # 3. Not a terminal, and no UTF-8 locale: 80 columns, ASCII, no colour.
    report = os.path.join(TMP, 'pipe.json')
    cmd = [IPCTRACE, 'run', '--view', '--', example('signals'), str(N)]
    env = run_env({'IPCTRACE_REPORT': report, 'LANG': 'C', 'LC_ALL': '', 'LC_CTYPE': ''})
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    try:
        p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail('%s did not finish within %d s' % (' '.join(cmd), TIMEOUT))
    _context['stdout'] = p.stdout.decode(errors='replace')
    _context['stderr'] = p.stderr.decode(errors='replace')
    check_eq('ipctrace exit status (pipe)', 0, p.returncode)
    check(b'\033' not in p.stdout, 'escape sequences in the view on a pipe')
    check(all(b < 0x80 for b in p.stdout), 'non-ASCII bytes in the view with LANG=C')
    rep = read_report(report)
    check_signals(p.stdout.decode().rstrip('\n').split('\n'), rep['pid'], 'signals %d on a pipe' % N)
    passed('signals %d on a pipe with LANG=C: ASCII, no escapes, 80 columns' % N)
finally:
    WINDOWS.close()
done()
