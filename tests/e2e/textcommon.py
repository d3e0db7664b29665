# SPDX-License-Identifier: MIT
"""Helpers for the tests of the output meant for people (text tables) and of
the CLI's and daemon's options: running ipctrace with the traced program's
report and with stdout and stderr in regular files (so that the program's
own messages are not IPC), and checking that a table's columns line up with
its header."""

import os
import re
import subprocess
import tempfile

from common import IPCTRACE, _context, check, check_eq, fail, parse_report, run_env


class Result:
    """What one ipctrace command did: its pid, returncode, stdout, stderr
    (text), and report, the traced program's JSON report (None when it wrote
    none)."""

    def __init__(self, pid, returncode, stdout, stderr, report):
        self.pid = pid
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.report = report


def run_reported(args, timeout=60, env=None, prefix=(IPCTRACE,), pass_fds=()):
    """Runs ipctrace with args (or another command: prefix=()), $IPCTRACE_REPORT
    set to a fresh file and stdout and stderr in regular files (and pass_fds
    open, for it to inherit); the report is parsed when written."""
    fd, report_path = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
    os.close(fd)
    e = dict(env or {})
    e['IPCTRACE_REPORT'] = report_path
    cmd = list(prefix) + list(args)
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.Popen(cmd, env=run_env(e), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 pass_fds=pass_fds)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                fail('%s did not finish within %d s' % (' '.join(cmd), timeout))
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode(errors='replace')
            stderr = err.read().decode(errors='replace')
        with open(report_path) as f:
            text = f.read()
    finally:
        os.unlink(report_path)
    _context['stdout'] = stdout
    _context['stderr'] = stderr
    return Result(p.pid, p.returncode, stdout, stderr, parse_report(text))


def stop(p):
    """Kills and reaps a process of the test's that is still running (after a failure)."""
    if p.poll() is None:
        p.kill()
        p.wait()


def summary_line(what, stderr, status='exited 0'):
    """The number of events of the text summary `ipctrace: CMD STATUS; N events, 0 lost`."""
    m = re.search(r'^ipctrace: .* %s; (\d+) events, (\d+) lost$' % re.escape(status), stderr, re.M)
    check(m, '%s: no summary "... %s; N events, 0 lost" on stderr: %r' % (what, status, stderr[-500:]))
    check_eq('%s: events lost (summary)' % what, 0, int(m.group(2)))
    return int(m.group(1))


def columns(header, names):
    """Where each column name starts in a header line."""
    cols = []
    for name in names:
        check(header.count(name) == 1, 'header %r: no single column %r' % (header, name))
        cols.append(header.index(name))
    check_eq('columns of %r in order' % header, sorted(cols), cols)
    return cols


def check_aligned(what, header, names, rows, last_optional=True):
    """Every row's fields start at the columns of the header's names: a blank
    before each column and none at its start (the last column may be empty)."""
    cols = columns(header, names)
    for row in rows:
        for i, c in enumerate(cols):
            if i == len(cols) - 1 and last_optional and len(row) <= c:
                continue
            if len(row) <= c or row[c] == ' ' or (c and row[c - 1] != ' '):
                fail('%s: a row whose column %s does not start at %d, as in the header:\n  %s\n  %s'
                     % (what, names[i], c, header, row))
    return cols


def fields(row, cols):
    """A row cut at the columns, each field stripped."""
    ends = cols[1:] + [len(row)]
    return [row[a:b].strip() for a, b in zip(cols, ends)]
