#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The text of `ipctrace run --pipes` (README, ipctrace(1), docs/pipes.md):
after the event lines, every pipe and socket the command used: a line
naming it (kind; a socket's family, type, peer and the peer's holders as
comm[pid] fd N), its totals, then one line per end held (role, comm[pid],
fd, bytes, calls, closed or not) in columns that line up, and its warnings
on `!!` lines. Diagnoses appear on stderr as they happen, on `!!` lines.
Everything is checked against what the programs report:

- `pipe 200`: the child's writes, the parent's reads up to EOF, and the
  unused copies of each end that the fork made;
- `socketpair 7`: each socket's sends and receives, its peer and the peer's
  holders, the parent's and the child's;
- `sigcases sigpipe`: a write after every reader had closed, the live
  diagnosis on stderr and the warning under the pipe."""

import re

from common import Daemon, check, check_eq, done, example, passed
from textcommon import run_reported, summary_line

HOLDER = re.compile(r'  (writer|reader|sender|receiver) +(\S+\[\d+\]) +fd (\d+) +(\d+) bytes (\w+) +in +(\d+) '
                    r'calls  (closed|open at the end)')


def graph(what, r):
    """{object line: (totals line, [holder tuples], [warnings])} of the text graph after the events."""
    check_eq('%s: exit status (stderr %r)' % (what, r.stderr), 0, r.returncode)
    check(r.report is not None, '%s wrote no report' % what)
    lines = r.stdout.splitlines()
    check(lines and lines[0].split() == ['TIME', 'PROCESS', 'EVENT', 'DETAILS'],
          '%s: the output does not begin with the event header: %r' % (what, lines[:1]))
    nevents = summary_line(what, r.stderr)
    rest = lines[1 + nevents:]
    check(rest and re.match(r'(pipe|socket):\[\d+\] ', rest[0]),
          '%s: no object after the %d event lines: %r' % (what, nevents, rest[:2]))
    objects, spans = {}, []
    for line in rest:
        if not line.startswith(' '):
            check(line not in objects, '%s: %r twice' % (what, line))
            objects[line] = cur = [None, [], []]
        elif cur[0] is None:
            cur[0] = line
        elif line.startswith('  !! '):
            cur[2].append(line[len('  !! '):])
        else:
            m = HOLDER.fullmatch(line)
            check(m, '%s: not a holder line: %r' % (what, line))
            g = m.groups()
            cur[1].append((g[0], g[1], int(g[2]), int(g[3]), g[4], int(g[5]), g[6]))
            # Where the process and the fd begin, the numbers end, and "in" is.
            spans.append((line, [m.start(2), m.start(3), m.end(4), m.end(5) + line[m.end(5):].index('in'),
                                 m.end(6)]))
    # One table: every holder line's columns where the first one's are.
    for line, cols in spans:
        check_eq('%s: columns (process, fd, bytes, in, calls) of %r vs of %r' % (what, line, spans[0][0]),
                 spans[0][1], cols)
    return {k: (v[0], sorted(v[1]), v[2]) for k, v in objects.items()}


def name(rep, who):
    return '%s[%d]' % (rep['comm'], rep[who])


d = Daemon()
try:
    sock = d.socket

    r = run_reported(['run', '-s', sock, '--pipes', '--', example('pipe'), '200'])
    g = graph('pipe 200', r)
    rep = dict(r.report, comm='pipe')
    check_eq('pipe 200: objects', 1, len(g))
    head, (totals, holders, warnings) = next(iter(g.items()))
    check(re.fullmatch(r'pipe:\[\d+\] pipe', head), 'pipe 200: object line %r' % head)
    check_eq('pipe 200: totals', '  %d bytes written in %d calls, %d bytes read in %d calls, EOF seen 1x'
             % (rep['bytes_written'], rep['writes'], rep['bytes_read'], rep['reads']), totals)
    p, c = name(rep, 'parent_pid'), name(rep, 'child_pid')
    wfd, rfd = rep['write_fd'], rep['read_fd']
    check_eq('pipe 200: holders', sorted([
        ('writer', p, wfd, 0, 'written', 0, 'closed'),
        ('writer', c, wfd, rep['bytes_written'], 'written', rep['writes'], 'closed'),
        ('reader', p, rfd, rep['bytes_read'], 'read', rep['reads'], 'closed'),
        ('reader', c, rfd, 0, 'read', 0, 'closed')]), holders)
    check_eq('pipe 200: warnings', [], warnings)
    passed('pipe 200: %s, totals and 4 holders as reported, aligned' % head)

    r = run_reported(['run', '-s', sock, '--pipes', '--', example('socketpair'), '7'])
    g = graph('socketpair 7', r)
    rep = dict(r.report, comm='socketpair')
    p, c = name(rep, 'parent_pid'), name(rep, 'child_pid')
    check_eq('socketpair 7: objects', 2, len(g))
    heads = {}
    for head in g:
        m = re.fullmatch(r'(socket:\[\d+\]) socket AF_UNIX SOCK_STREAM peer (socket:\[\d+\]) \((.*)\)', head)
        check(m, 'socketpair 7: object line %r' % head)
        heads[m.group(1)] = (head, m.group(2), m.group(3))
    a, b = sorted(heads)
    check_eq('socketpair 7: peers', (b, a), (heads[a][1], heads[b][1]))
    # The parent's socket is the one it sent on: its sender line names its fd.
    for obj in (a, b):
        head = heads[obj][0]
        side = 'parent' if ('sender', p, rep['parent']['fd']) in [h[:3] for h in g[head][1]] else 'child'
        me, other = rep[side], rep['child' if side == 'parent' else 'parent']
        who = p if side == 'parent' else c
        check_eq('socketpair 7: %s (the %s\'s): holders of its peer' % (obj, side),
                 '%s fd %d, %s fd %d' % (p, other['fd'], c, other['fd']), heads[obj][2])
        totals, holders, warnings = g[head]
        check_eq('socketpair 7: %s totals' % obj, '  %d bytes sent in %d calls, %d bytes received in %d calls'
                 % (me['sendto_bytes'], me['sendto'], me['recvfrom_bytes'], me['recvfrom']), totals)
        check_eq('socketpair 7: %s holders' % obj, sorted([
            ('sender', who, me['fd'], me['sendto_bytes'], 'sent', me['sendto'], 'closed'),
            ('receiver', who, me['fd'], me['recvfrom_bytes'], 'received', me['recvfrom'], 'closed')]), holders)
        check_eq('socketpair 7: %s warnings' % obj, [], warnings)
    passed('socketpair 7: %s and %s, peers, peer holders, totals and holders as reported, aligned' % (a, b))

    r = run_reported(['run', '-s', sock, '--pipes', '--', example('sigcases'), 'sigpipe'])
    g = graph('sigcases sigpipe', r)
    rep = dict(r.report, comm='sigcases')
    p, c = name(rep, 'pid'), name(rep, 'child')
    obj, fd = 'pipe:[%d]' % rep['inode'], rep['fd']
    diag = '%s wrote to %s (fd %d) after every reader had closed it: the write failed with EPIPE ' \
           'and raised SIGPIPE' % (c, obj, fd)
    check_eq('sigcases sigpipe: objects', [obj + ' pipe'], list(g))
    totals, holders, warnings = g[obj + ' pipe']
    check_eq('sigcases sigpipe: totals', '  0 bytes written in 0 calls, 0 bytes read in 0 calls, 1 EPIPE', totals)
    check_eq('sigcases sigpipe: holders', sorted([
        ('writer', p, fd, 0, 'written', 0, 'closed'),
        ('writer', c, fd, 0, 'written', 0, 'closed'),
        ('reader', p, 3, 0, 'read', 0, 'closed')]), holders)
    check_eq('sigcases sigpipe: warnings under the pipe', [diag], warnings)
    check_eq('sigcases sigpipe: !! lines on stderr', ['!! ' + diag],
             [line for line in r.stderr.splitlines() if line.startswith('!!')])
    passed('sigcases sigpipe: the EPIPE counted, the diagnosis live on stderr and under %s' % obj)
    check(d.alive(), 'the daemon died')
finally:
    d.cleanup()
done()
