#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The text of `ipctrace run --signals` (README, docs/signals.md "Text"):
after the event lines, a table of 80 columns with two lines per signal
instance in the order they were generated, their columns under the two
header lines' (TIME, SIGNAL, SENDER -> TARGET; RESULT, PENDING, ACTION,
OUTCOME, DETAILS), details wrapped and indented, processes as comm[pid],
signals by name, pending times in human units, and a `why:` line under each
abnormal outcome. Every row is checked whole, against what the program
reports:

- `sigcases merge`: 1 SIGUSR1 handled, 4 merged into it, 1 SIGUSR2 ignored
  (and no row for the SIGCHLD its exit sends ipctrace, which launched it:
  ipctrace's own business);
- `sigcases sigpipe`: the child killed by SIGPIPE on its write to
  pipe:[inode] (fd), the SIGCHLD its death sends the parent (ignored);
- `sigcases pending`: SIGUSR1 pending for the 200 ms the program kept it
  blocked, printed in ms."""

import json
import re

from common import Daemon, check, check_eq, done, example, passed, run_cli
from textcommon import check_aligned, fields, run_reported, summary_line

NAMES1 = ['TIME', 'SIGNAL', 'SENDER -> TARGET']
NAMES2 = ['RESULT', 'PENDING', 'ACTION', 'OUTCOME', 'DETAILS']
DURATION = re.compile(r'(\d+) ns|(\d+\.\d) us|(\d+\.\d\d) ms|(\d+\.\d\d) s')
UNITS = (1, 1e3, 1e6, 1e9)
ANY = object()          # a PENDING that only has to be a duration


def nanoseconds(text):
    """A human duration ("850 ns", "12.3 us", "1.20 ms", "2.50 s") in ns."""
    m = DURATION.fullmatch(text)
    check(m, 'PENDING %r is not a duration in ns, us, ms or s' % text)
    i = next(i for i, g in enumerate(m.groups()) if g is not None)
    return float(m.group(i + 1)) * UNITS[i]


def records_table(case, sock):
    """Runs `sigcases CASE` with --signals; its records (fields) and why: lines.
    A record is a line of its own (TIME, SIGNAL, SENDER -> TARGET), then one
    indented (RESULT ... OUTCOME, DETAILS), each under its header line; the
    details and the why: line wrap, indented, at 80 columns."""
    r = run_reported(['run', '-s', sock, '--signals', '--', example('sigcases'), case])
    check_eq('%s: exit status (stderr %r)' % (case, r.stderr), 0, r.returncode)
    check(r.report is not None, 'sigcases %s wrote no report' % case)
    lines = r.stdout.splitlines()
    check(lines and lines[0].split() == ['TIME', 'PROCESS', 'EVENT', 'DETAILS'],
          '%s: the output does not begin with the event header: %r' % (case, lines[:1]))
    heads = [i for i, line in enumerate(lines) if line.startswith('TIME') and 'SENDER -> TARGET' in line]
    check_eq('%s: record headers' % case, 1, len(heads))
    h = heads[0]
    events, header1, header2, rows = lines[1:h], lines[h], lines[h + 1], lines[h + 2:]
    check_eq('%s: event lines before the records vs the summary' % case, summary_line(case, r.stderr),
             len(events))
    wide = [row for row in [header1, header2] + rows if len(row) > 80]
    check_eq('%s: record lines wider than 80 columns' % case, [], wide)
    records = []
    for row in rows:
        if row.startswith(' '):
            check(records, '%s: an indented line before any record: %r' % (case, row))
            records[-1].append(row)
        else:
            records.append([row])
    check_aligned(case, header1, NAMES1, [rec[0] for rec in records])
    check_aligned(case, header2, NAMES2, [rec[1] for rec in records if len(rec) > 1])
    cols1, cols2 = [header1.index(n) for n in NAMES1], [header2.index(n) for n in NAMES2]
    table, times, ids = [], [], []
    for rec in records:
        check(len(rec) >= 2, '%s: a record of one line: %r' % (case, rec))
        whys = [i for i, row in enumerate(rec) if row.lstrip().startswith('why:')]
        end = whys[0] if whys else len(rec)
        for row in rec[2:]:
            check_eq('%s: indentation of %r (under RESULT)' % (case, row), cols2[0],
                     len(row) - len(row.lstrip()) - (5 if rec.index(row) > end else 0))
        f1, f2 = fields(rec[0], cols1), fields(rec[1], cols2)
        # The route ends with the record's id, which merged records name ("into #N").
        m = re.fullmatch(r'(.*\S)  #(\d+)', f1[2])
        check(m, '%s: the first line of a record does not end with its id: %r' % (case, rec[0]))
        f1[2] = m.group(1)
        ids.append(int(m.group(2)))
        details = ' '.join([f2[4]] + [row.strip() for row in rec[2:end]]).strip()
        why = ' '.join(row.strip() for row in rec[end:])[len('why: '):] if whys else None
        check(re.fullmatch(r'\d+\.\d{6}', f1[0]), '%s: TIME %r is not seconds since the start' % (case, f1[0]))
        times.append(float(f1[0]))
        table.append([[f1[2], f1[1]] + f2[:4] + [details], why])
    check_eq('%s: records in the order they were generated (TIME)' % case, sorted(times), times)
    check_eq('%s: record ids, each once' % case, len(ids), len(set(ids)))
    return r, table, ids


def check_table(case, table, want):
    """want: [(fields, why)], fields with ANY or a (nanoseconds, tolerance) pair for PENDING."""
    check_eq('%s: records' % case, len(want), len(table))
    for n, ((got, why), (exp, exp_why)) in enumerate(zip(table, want), 1):
        exp = list(exp)
        pend = exp[3]
        if pend is ANY or isinstance(pend, tuple):
            ns = nanoseconds(got[3])
            if isinstance(pend, tuple):
                check(abs(ns - pend[0]) <= pend[1], '%s: record %d: PENDING %s is not %.3f ms within %.3f ms'
                      % (case, n, got[3], pend[0] / 1e6, pend[1] / 1e6))
            exp[3] = got[3]
        check_eq('%s: record %d (sender -> target, signal, result, pending, action, outcome, details)'
                 % (case, n), exp, got)
        check_eq('%s: record %d: why' % (case, n), exp_why, why)


d = Daemon()
try:
    sock = d.socket

    r, table, ids = records_table('merge', sock)
    rep = r.report
    pid = rep['pid']
    check_eq('merge: report (kills, ignored kills, handler runs)', (5, 1, 1),
             (rep['kills'], rep['ignored_kills'], rep['handled']))
    route = 'sigcases[%d] -> sigcases[%d]' % (pid, pid)
    into = re.fullmatch(r'blocked into #(\d+)', table[1][0][6]) if len(table) > 1 else None
    check(into, 'merge: the second record does not say "blocked into #ID": %r' % table[1:2])
    first = into.group(1)
    check_eq('merge: the id that the merged ones name is the handled record\'s, shown on its line', ids[0],
             int(first))
    merged = 'merged: SIGUSR1 was already pending; standard signals are not queued, so this one is lost'
    check_table('merge', table,
                [((route, 'SIGUSR1', 'queued', ANY, 'handler on_usr1', 'handled', 'blocked'), None)]
                + [((route, 'SIGUSR1', 'merged', '-', '-', 'merged', 'blocked into #' + first), merged)]
                * (rep['kills'] - rep['handled'])
                + [((route, 'SIGUSR2', 'ignored', '-', 'SIG_IGN', 'ignored', ''),
                    'ignored: SIGUSR2 is set to SIG_IGN, so the kernel discards it')])
    q = run_cli(['signals', '-s', sock, '-o', 'json', 'target=%d' % pid, 'outcome=handled'])
    check_eq('signals target=%d outcome=handled: exit status (stderr %r)' % (pid, q.stderr), 0, q.returncode)
    check_eq('the id of the handled SIGUSR1 that the merged ones name', [int(first)],
             [json.loads(line)['id'] for line in q.stdout.splitlines()])
    passed('merge: %d rows, aligned, each as the program counted, merged ones into #%s, with why: lines'
           % (len(table), first))

    r, table, _ = records_table('sigpipe', sock)
    rep = r.report
    pid, child, fd, inode = rep['pid'], rep['child'], rep['fd'], rep['inode']
    check_eq('sigpipe: the child\'s termination signal (report)', 13, rep['termsig'])
    obj = 'pipe:[%d]' % inode
    check_table('sigpipe', table,
                [(('kernel (pipe) -> sigcases[%d]' % child, 'SIGPIPE', 'queued', ANY, 'default (Term)',
                   'terminated', 'write fd %d %s' % (fd, obj)),
                  'terminated by SIGPIPE: wrote to %s (fd %d) after every reader had closed it' % (obj, fd)),
                 (('kernel (child) -> sigcases[%d]' % pid, 'SIGCHLD', 'ignored', '-', 'default (Ign)',
                   'ignored', 'child %d killed by SIGPIPE' % child),
                  'ignored: no handler for SIGCHLD, and its default action is to ignore it')])
    passed('sigpipe: SIGPIPE of %s (fd %d) terminating %d, its SIGCHLD ignored, as reported' % (obj, fd, child))

    r, table, _ = records_table('pending', sock)
    rep = r.report
    pid, measured = rep['pid'], rep['measured_ns']
    check(measured >= rep['blocked_ns'], 'pending: measured %d ns, less than it slept' % measured)
    check_table('pending', table,
                [(('sigcases[%d] -> sigcases[%d]' % (pid, pid), 'SIGUSR1', 'queued',
                   (measured, measured * 0.2), 'handler on_usr1', 'handled', 'blocked'), None)])
    check(table[0][0][3].endswith(' ms'), 'pending: %r is not in ms' % table[0][0][3])
    passed('pending: SIGUSR1 pending %s (the program measured %.2f ms)' % (table[0][0][3], measured / 1e6))
    check(d.alive(), 'the daemon died')
finally:
    d.cleanup()
done()
