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
  80 columns at most;
- `lsw 5` (ls | wc -l by hand): the pipe's creation with the descriptors the
  program got, both dup2 calls on the lanes that made them, the bytes as an
  arrow from ls's lane to wc's lane adding up to what the program says went
  through, wc's EOF on its lane, and a tally that counts no signal the
  trace itself caused (lsw's own SIGCHLD to ipctrace);
- `lsw 3 leak` with --view-state (ls runs holding its copy of the write
  end too): the state lines of both children at their fork (the two ends
  pipe() gave), of ls at its exec (stdout and the leaked copy, marked so),
  of wc at its exec (stdin), and the diagnosis, naming the pipe as the
  lanes do;
- `pipe 20` (a child's 20 small writes to its parent): folded into arrows
  that say how many writes, their writes and bytes adding up to the
  program's, fewer arrows than writes;
- `socketpair 3` and `tcp 2` (loopback): arrows both ways, their bytes each
  way equal to what each side says it sent;
- `mqpingpong 2` and `msgqueue` (POSIX and System V queues both ways):
  the messages and bytes on the arrows each way equal to what each side
  says it received (on the row under the arrow when the queue's id leaves
  them no room beside it: they must show, never be cut);
- the demo: its signals drawn as they always were (SIGUSR1 from the
  parent's lane to the child's, delivered to on_sigusr1() and handled;
  SIGUSR2 to itself, ignored), and the child's bytes to the parent on
  arrows adding up to what it wrote;
- `sigcases sigpipe`: the child's write to a pipe nobody reads drawn on
  its lane as failing with EPIPE, after the SIGPIPE it raised and before
  the death it causes, and the diagnosis naming pipe 1;
- `zombies orphan`: the orphan's SIGCHLD to whoever adopted it drawn once
  as such, and counted as such in the tally, which has nothing else
  (the command's own SIGCHLD goes to ipctrace: not the class's business);
- the replay of a logged session (`lsw 3` traced through a daemon of the
  test's own, then `log session=N --view --step` in a window): each space
  draws one more step (the terminal's title, which the replay sets to the
  event it drew, moves on once per key, and the window's drawing grows),
  the drawing so far is always the start of `log --view`'s whole drawing,
  in order, `b` redraws an earlier screen, and q ends it with status 0
  before the end is drawn; `--speed 0.2` draws the same, and takes at
  least the session's gaps five times over (each gap capped at a second).

Every line must fit in the 80 columns of the window."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from logcommon import log
from common import (IPCTRACE, Daemon, _context, check, check_eq, done, example, fail, passed,
                    run_cli, run_env, skip, trace)
from tmuxcommon import Windows

N = 3
WIDTH, HEIGHT = 80, 24
GUTTER = 10  # cli/view.c: the time column
TIMEOUT = 60
WINDOWS = Windows('ipctrace-e2e-view')
TMP = WINDOWS.tmp
SERVER = WINDOWS.server
tmux = WINDOWS.tmux


# Runs its arguments as a child subreaper that waits for every process it adopts: an orphan's
# SIGCHLD then goes to a process that takes it by default (an init may ignore SIGCHLD, and
# the kernel then sends none).
SUBREAPER = r'''
import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0):     # PR_SET_CHILD_SUBREAPER
    sys.exit('prctl: ' + os.strerror(ctypes.get_errno()))
pid, code = os.fork(), 1
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
while True:
    try:
        p, status = os.wait()
    except ChildProcessError:
        break
    if p == pid:
        code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
'''


def view_in_tmux(name, args, opts=(), wrapper=()):
    """Runs `ipctrace run --view OPTS -- ARGS` (under wrapper) in a new 80x24 window
    and waits for it to end. Returns (lines as the terminal shows them, the same with
    escape sequences, ipctrace's exit status, the program's report)."""
    report = os.path.join(TMP, name + '.json')
    cmd = list(wrapper) + [IPCTRACE, 'run', '--view'] + list(opts) + ['--'] + list(args)
    # stderr (ipctrace's and the program's) goes to a file: the window shows the view alone.
    lines, colour, code = WINDOWS.run(name, cmd, WIDTH, HEIGHT, env=['IPCTRACE_REPORT=' + report])
    return lines, colour, code, read_report(report)


def pane_title(name):
    return tmux('display-message', '-p', '-t', name, '#{pane_title}').strip()


def wait_title(name, old, what):
    """Until the replay has set the window's title to something else than old (it does so once a step
    is drawn): the new title."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        title = pane_title(name)
        if title != old and title.startswith('ipctrace replay: event '):
            return title
        check(time.monotonic() < deadline, '%s: the title stayed %r for %d s' % (what, old, TIMEOUT))
        time.sleep(0.02)


def pane_lines(name, history=True):
    text = tmux('capture-pane', '-p', '-J', *(('-S', '-', '-E', '-') if history else ()), '-t', name)
    lines = [line.rstrip() for line in text.rstrip('\n').split('\n')]
    while lines and not lines[0]:
        lines.pop(0)
    return lines


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


def joined(lines):
    """The lines with an arrow, each joined by the rows under it that carry
    what its label must say and did not fit beside it (counts of messages
    and bytes on a narrow terminal): no time, no drawing, only text."""
    out = []
    for line in lines:
        rest = line.replace('│', ' ').strip()
        if out and not line[:GUTTER].strip() and re.match(r'\d+ (messages?|writes?|bytes?)\b', rest) \
                and re.search('[►◄]', out[-1]):
            out[-1] += ' ' + rest
        else:
            out.append(line)
    return out


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
    # 4. ls | wc -l by hand: the pipe, the dups, the bytes from writer to reader, EOF.
    lines, colour, code, rep = view_in_tmux('lsw', [example('lsw'), '5'])
    check_eq('ipctrace exit status (lsw)', 0, code)
    check_width(lines, 'lsw 5')
    made = 'pipe 1: %d = read end, %d = write end' % (rep['read_fd'], rep['write_fd'])
    check_eq('lsw: lines "%s"' % made, 1, len(with_text(lines, made)))
    dups = {}
    for what, fd, target in (('writer', rep['write_fd'], 1), ('reader', rep['read_fd'], 0)):
        text = 'dup2(%d, %d): %d = %s end of pipe 1' % (fd, target, target,
                                                        'write' if target else 'read')
        found = with_text(lines, text)
        check_eq('lsw: lines "%s"' % text, 1, len(found))
        dups[what] = lines[found[0]].find('■')
        check(dups[what] > 0, 'lsw: no mark on the %s\'s lane at %r' % (what, lines[found[0]]))
    check(dups['writer'] != dups['reader'], 'lsw: ls and wc drawn on one lane: %r' % dups)
    arrows = [l for l in joined(lines) if 'pipe 1' in l and ('►' in l or '◄' in l)]
    check(arrows, 'lsw: no arrow of pipe 1')
    total = 0
    for line in arrows:
        # ls's lane is right of wc's (lsw forks wc first): the arrow goes left, out of ls's lane.
        check(line.find('┤') == dups['writer'] and line.find('◄') == dups['reader'] + 1,
              'lsw: the arrow does not go from ls\'s lane (column %d) to wc\'s (column %d): %r'
              % (dups['writer'], dups['reader'], line))
        total += int(re.search(r'(\d+) bytes?\b', line).group(1))
    check_eq('lsw: bytes on the arrows of pipe 1 (the program: 5 names of 6 bytes)', rep['bytes'], total)
    eof = with_text(lines, 'EOF: read(0) on pipe 1 returned 0')
    check_eq('lsw: EOF lines', 1, len(eof))
    check_eq('lsw: the EOF on wc\'s lane', dups['reader'], lines[eof[0]].find('◊'))
    check(eof[0] > lines.index(arrows[-1]), 'lsw: the EOF comes before the bytes')
    rule = with_text(lines, '─' * WIDTH)
    # Two SIGCHLDs from its two children to lsw; lsw's own, to ipctrace, is the trace's business.
    check_eq('lsw: the tally', '2 signals: 2 ignored', lines[rule[0] + 2].strip())
    passed('lsw 5: pipe, both dup2, %d bytes from ls\'s lane to wc\'s, EOF, a tally without '
           'ipctrace\'s own SIGCHLD' % total)

    # 4b. What each process holds, at each fork and exec, with a leaked write end.
    lines, colour, code, rep = view_in_tmux('leak', [example('lsw'), '3', 'leak'], opts=('--view-state',))
    check_eq('ipctrace exit status (lsw leak)', 0, code)
    check(rep['leak'], 'lsw did not run in its leak case: %r' % rep)
    check_width(lines, 'lsw 3 leak')
    r, w = rep['read_fd'], rep['write_fd']
    for state in ['lsw[%d]: %d = read end of pipe 1, %d = write end of pipe 1' % (pid, r, w)
                  for pid in (rep['ls'], rep['wc'])] + [
            'ls[%d]: 1 = write end of pipe 1, %d = write end of pipe 1 (leaked)' % (rep['ls'], w),
            'wc[%d]: 0 = read end of pipe 1' % rep['wc']]:
        # Beside the lane's ≡ when it fits there, else from the gutter on (the ≡ under it).
        found = [l for l in lines if re.search(r'(^|≡ )%s( +≡)?$' % re.escape(state), l.strip())]
        check_eq('lsw leak: state lines "%s"' % state, 1, len(found))
    check(with_text(lines, "!! ls[%d] was exec'd holding the write end of pipe 1 as fd %d" % (rep['ls'], w)),
          'lsw leak: no diagnosis of the leaked write end, naming pipe 1')
    passed('lsw 3 leak with --view-state: the state at both forks and both execs, the leaked end marked, '
           'the diagnosis')

    # 4c. Small writes in a row between the same two: one arrow with a count.
    lines, colour, code, rep = view_in_tmux('fold', [example('pipe'), '20'])
    check_eq('ipctrace exit status (pipe 20)', 0, code)
    check_width(lines, 'pipe 20')
    arrows = [l for l in joined(lines) if 'pipe 1' in l and '◄' in l]
    writes = drawn = 0
    for line in arrows:
        m = re.search(r'(?:(\d+) writes, )?(\d+) bytes?\b', line)
        check(m, 'pipe 20: no bytes on %r' % line)
        writes += int(m.group(1) or 1)
        drawn += int(m.group(2))
    check_eq('pipe 20: writes and bytes on the arrows', [rep['writes'], rep['bytes_written']], [writes, drawn])
    check(len(arrows) < rep['writes'], 'pipe 20: %d arrows for %d writes: nothing folded' % (len(arrows), writes))
    passed('pipe 20: %d writes, %d bytes on %d arrow(s)' % (writes, drawn, len(arrows)))

    # 5. Sockets: a socketpair's ping-pong, and TCP on loopback (its ends matched by their ports).
    for prog, args, label, right, left in (
            ('socketpair', [str(N)], 'socketpair 1', ('parent', 'sendto_bytes'), ('child', 'sendto_bytes')),
            ('tcp', ['2'], 'socket ', ('client', 'recvfrom_bytes'), ('server', 'recvfrom_bytes'))):
        lines, colour, code, rep = view_in_tmux(prog, [example(prog)] + args)
        check_eq('ipctrace exit status (%s)' % prog, 0, code)
        check_width(lines, prog)
        ways = {'►': 0, '◄': 0}
        for line in joined(lines):
            for head in ways:
                if label in line and head in line:
                    ways[head] += int(re.search(r'(\d+) bytes?\b', line).group(1))
        # The first process has the first lane: its bytes go right, the other's left.
        check_eq('%s: bytes drawn to the right' % prog, rep[right[0]][right[1]], ways['►'])
        check_eq('%s: bytes drawn to the left' % prog, rep[left[0]][left[1]], ways['◄'])
        passed('%s: %d and %d bytes drawn each way, as each side sent' % (prog, ways['►'], ways['◄']))

    # 5b. Message queues: sender's lane to receiver's, messages and bytes as received.
    for prog, args, what in (('mqpingpong', ['2'], 'queue'), ('msgqueue', [], 'msg queue')):
        lines, colour, code, rep = view_in_tmux(prog, [example(prog)] + args)
        check_eq('ipctrace exit status (%s)' % prog, 0, code)
        check_width(lines, prog)
        ways = {'►': [0, 0], '◄': [0, 0]}
        for line in joined(lines):
            m = re.search(r'(\d+) messages?, (\d+) bytes?\b', line)
            for head in ways:
                if m and what + ' ' in line and head in line:
                    ways[head][0] += int(m.group(1))
                    ways[head][1] += int(m.group(2))
        # The producer is the first lane: its messages go right.
        check_eq('%s: messages and bytes drawn producer -> consumer' % prog,
                 [rep['consumer']['received'], rep['consumer']['bytes_received']], ways['►'])
        check_eq('%s: messages and bytes drawn consumer -> producer' % prog,
                 [rep['producer']['received'], rep['producer']['bytes_received']], ways['◄'])
        passed('%s: %d and %d messages drawn each way, with their bytes, as each side received'
               % (prog, ways['►'][0], ways['◄'][0]))

    # 5c. The demo: the signals as before, and the pipe beside them.
    lines, colour, code, rep = view_in_tmux('demo', [example('demo')])
    check_eq('ipctrace exit status (demo)', 0, code)
    check_width(lines, 'demo')
    # The child may have it blocked for a moment when it comes: then it is pending first.
    usr1 = [n for n, line in enumerate(lines) if re.search(r'SIGUSR1 (generated|pending \(blocked\))', line)]
    check_eq('demo: SIGUSR1 generated (or pending)', rep['kill']['SIGUSR1'], len(usr1))
    check('├' in lines[usr1[0]] and '►' in lines[usr1[0]],
          'demo: SIGUSR1 is not an arrow from the parent\'s lane to the child\'s: %r' % lines[usr1[0]])
    check_eq('demo: SIGUSR1 delivered to on_sigusr1()', rep['handled']['SIGUSR1'],
             len(with_text(lines, 'SIGUSR1 delivered → on_sigusr1()')))
    check_eq('demo: SIGUSR1 handled', rep['handled']['SIGUSR1'], len(with_text(lines, 'SIGUSR1 handled')))
    check_eq('demo: SIGUSR2 ignored (SIG_IGN)', rep['kill']['SIGUSR2'],
             len(with_text(lines, 'SIGUSR2 ignored (SIG_IGN)')))
    drawn = sum(int(re.search(r'(\d+) bytes?\b', l).group(1)) for l in joined(lines) if 'pipe 1' in l and '◄' in l)
    check_eq('demo: bytes drawn from the child to the parent', rep['bytes_written'], drawn)
    passed('demo: SIGUSR1 sent, delivered, handled; SIGUSR2 ignored; %d bytes child -> parent' % drawn)

    # 5d. EPIPE and its SIGPIPE.
    lines, colour, code, rep = view_in_tmux('sigpipe', [example('sigcases'), 'sigpipe'])
    check_eq('ipctrace exit status (sigpipe)', 0, code)
    check_width(lines, 'sigcases sigpipe')
    order = []
    for n, line in enumerate(lines):
        for text in ('SIGPIPE generated', 'write(%d) on pipe 1: EPIPE, no reader' % rep['fd'], 'killed by SIGPIPE'):
            if text in line:
                order.append(text)
                # The kernel's arrow into the lane, or the lane's mark of an end.
                check(('►' if 'generated' in text else '×') in line, 'sigpipe: %r is on no lane' % line)
    check_eq('sigpipe: the lines of the child\'s end, in order',
             ['SIGPIPE generated', 'write(%d) on pipe 1: EPIPE, no reader' % rep['fd'], 'killed by SIGPIPE'], order)
    check(with_text(lines, '!! sigcases[%d] wrote to pipe 1 (fd %d)' % (rep['child'], rep['fd'])),
          'sigpipe: no diagnosis naming pipe 1')
    passed('sigcases sigpipe: SIGPIPE, the write failing with EPIPE, the death, the diagnosis')

    # 6. An orphan: its exit told to the process that adopted it, not to its parent.
    lines, colour, code, rep = view_in_tmux('orphan', [example('zombies'), 'orphan'], opts=('--follow-orphans',),
                                            wrapper=(sys.executable, '-c', SUBREAPER))
    check_eq('ipctrace exit status (orphan)', 0, code)
    check_width(lines, 'zombies orphan')
    check_eq('orphan: lines "SIGCHLD (orphan)"', 1, len(with_text(lines, 'SIGCHLD (orphan)')))
    rule = with_text(lines, '─' * WIDTH)
    check_eq('orphan: the tally', "1 signal: 1 to an orphan's adopter", lines[rule[0] + 2].strip())
    passed("zombies orphan: its SIGCHLD drawn as an orphan's, the tally says so and has nothing else")

    # 7. A logged session replayed one step per key.
    daemon = Daemon()
    try:
        t = trace([example('lsw'), '3'], socket=daemon.socket)
        check_eq('lsw under `run -o json`: exit status', 0, t.returncode)
        session = t.events[0]['session']
        matches = ['log', '-s', daemon.socket, 'session=%d' % session, '--view']
        whole = run_cli(matches, env={'LANG': 'C.UTF-8'})
        check_eq('log --view: exit status', 0, whole.returncode)
        full = [line.rstrip() for line in whole.stdout.rstrip('\n').split('\n')]
        check(with_text(full, 'pipe 1') and with_text(full, '─' * WIDTH),
              'log --view drew no pipe or no end: %r' % full)
        # In slowed real time: the same drawing, and no sooner than the gaps, slowed, allow.
        speed = 0.2
        stamps = [e['time_ns'] for e in log(daemon.socket, 'session=%d' % session)]
        least = sum(min(b - a, 10 ** 9) for a, b in zip(stamps, stamps[1:])) / 1e9 / speed
        start = time.monotonic()
        slowed = run_cli(matches + ['--speed', str(speed)], env={'LANG': 'C.UTF-8'})
        took = time.monotonic() - start
        check_eq('log --view --speed %g: exit status' % speed, 0, slowed.returncode)
        check_eq('log --view --speed %g: the drawing' % speed, whole.stdout, slowed.stdout)
        check(took >= least, '--speed %g took %.3f s, less than the %.3f s its gaps make' % (speed, took, least))
        status = os.path.join(TMP, 'replay.status')
        shell = ('env LANG=C.UTF-8 %s --step; echo $? >%s; tmux -L %s wait-for -S replay-done; '
                 'tmux -L %s wait-for replay-release'
                 % (' '.join(shlex.quote(a) for a in [IPCTRACE] + matches), shlex.quote(status), SERVER,
                    SERVER))
        _context.clear()
        _context['cmd'] = shell
        tmux('new-session', '-d', '-s', 'replay', '-x', str(WIDTH), '-y', str(HEIGHT), shell)
        title, shown, events = '', [], []
        # Steps until more than a screen is drawn, so that b has a screen to go back by.
        for step in range(100):
            if len(shown) > HEIGHT + 4:
                break
            if step:
                tmux('send-keys', '-t', 'replay', 'Space')
            title = wait_title('replay', title, 'step %d' % step)
            events.append(int(title.split()[3]))
            lines = pane_lines('replay')
            _context['stdout'] = '\n'.join(lines)
            check(len(lines) > len(shown), 'step %d drew nothing new: %r' % (step, lines[len(shown):]))
            check_eq('step %d: the drawing so far, as the start of the whole one' % step,
                     full[:len(lines)], lines)
            shown = lines
        check(events == sorted(set(events)), 'the steps did not go forward one key at a time: events %r' % events)
        # A screen back: the window shows an earlier part of the drawing, then the steps go on.
        tmux('send-keys', '-t', 'replay', 'b')
        title = wait_title('replay', title, 'b')
        back = int(title.split()[3])
        check(back < events[-1], 'b went from event %d to %d, not back' % (events[-1], back))
        visible = [l for l in pane_lines('replay', history=False) if l]
        at = [k for k in range(len(shown) - len(visible)) if full[k:k + len(visible)] == visible]
        check(visible and at, 'after b the window does not show an earlier part of the drawing: %r' % visible)
        tmux('send-keys', '-t', 'replay', 'q')
        tmux('wait-for', 'replay-done')
        with open(status) as f:
            check_eq('log --view --step: exit status after q', 0, int(f.read()))
        check(not with_text(pane_lines('replay'), '─' * WIDTH), 'q did not stop the replay before its end')
        tmux('wait-for', '-S', 'replay-release')
        passed('log session=%d --view --step: %d steps, one per key (events %s), each the start of the whole '
               'drawing; b back to event %d; q ends it (status 0)' % (session, len(events), events, back))
    finally:
        daemon.cleanup()
finally:
    WINDOWS.close()
done()
