#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where `ipctrace run` writes the trace, and where the command's output goes
(ipctrace(1), -o and -O):

- `-o json` on stdout: every stdout line is JSON; the command's own stdout
  (wc's count, computed here) is on stderr, not among them;
- `-O FILE`: the file holds the trace (JSON, or text with its header) and
  stdout holds the command's output alone;
- `-o FILE` (strace's habit) is a usage error that names -O;
- a trace that cannot be written is a failure: `> /dev/full` exits 1 saying
  why, `>&-` exits 1 saying stdout is closed (and the command never runs),
  not a lost daemon connection."""

import json
import os
import subprocess
import tempfile

from common import IPCTRACE, _context, check, check_eq, daemon_opts, done, fail, passed, run_env

N = 100000
SCRIPT = 'seq %d | grep 7 | wc -l' % N
COUNT = str(sum(1 for i in range(1, N + 1) if '7' in str(i)))
TIMEOUT = 120


def run(args, stdout=subprocess.PIPE, **kw):
    cmd = [IPCTRACE, 'run'] + daemon_opts() + list(args)
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    try:
        r = subprocess.run(cmd, env=run_env(), stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT, **kw)
    except subprocess.TimeoutExpired:
        fail('%s did not finish within %d s' % (' '.join(cmd), TIMEOUT))
    _context['stdout'], _context['stderr'] = r.stdout, r.stderr
    return r


def json_lines(text, what):
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            out.append(json.loads(line))
        except ValueError as ex:
            fail('%s line %d is not JSON (%s): %r' % (what, n, ex, line))
    return out


def execs(objs):
    return sorted(os.path.basename(o.get('filename', '')) for o in objs if o.get('type') == 'exec')


def own_lines(stderr):
    """stderr less ipctrace's own messages: the command's output."""
    return [line for line in stderr.splitlines() if not line.startswith('ipctrace: ')]


# -o json on stdout: nothing but JSON there; wc's count on stderr.
r = run(['-o', 'json', '--', 'sh', '-c', SCRIPT])
check_eq('exit status', 0, r.returncode)
objs = json_lines(r.stdout, 'stdout')
check(COUNT not in r.stdout.splitlines(), 'wc\'s count %s is among the JSON lines' % COUNT)
check_eq('the last JSON line', 'summary', objs[-1].get('type'))
check_eq('programs exec\'d in the trace', sorted(['sh', 'seq', 'grep', 'wc']), execs(objs))
check_eq('the command\'s output (on stderr)', [COUNT], own_lines(r.stderr))
passed('-o json: %d JSON lines on stdout, wc\'s %s on stderr' % (len(objs), COUNT))

with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    # -O FILE: the trace in the file, the command's output alone on stdout.
    path = os.path.join(d, 'trace.json')
    r = run(['-o', 'json', '-O', path, '--', 'sh', '-c', SCRIPT])
    check_eq('-O: exit status', 0, r.returncode)
    check_eq('-O: stdout (wc\'s output alone)', COUNT + '\n', r.stdout)
    with open(path) as f:
        objs = json_lines(f.read(), path)
    check_eq('-O: the file\'s last line', 'summary', objs[-1].get('type'))
    check_eq('-O: programs exec\'d in the file\'s trace', sorted(['sh', 'seq', 'grep', 'wc']), execs(objs))
    passed('-o json -O FILE: %d JSON lines in the file, stdout is %r' % (len(objs), r.stdout))

    path = os.path.join(d, 'trace.txt')
    r = run(['--output-file', path, '--', 'sh', '-c', SCRIPT])
    check_eq('--output-file, text: exit status', 0, r.returncode)
    check_eq('--output-file, text: stdout (wc\'s output alone)', COUNT + '\n', r.stdout)
    with open(path) as f:
        text = f.read().splitlines()
    check(text and text[0].split() == ['TIME', 'PROCESS', 'EVENT', 'DETAILS'],
          'the text trace does not begin with its header: %r' % text[:1])
    check(any(line.split()[2:3] == ['exec'] and 'wc' in line for line in text[1:]),
          'the text trace has no exec of wc')
    check(COUNT not in text, 'wc\'s count is in the trace file')
    passed('--output-file FILE, text: the header and %d event lines in the file' % (len(text) - 1))

    # strace's -o FILE: a usage error that says what to type.
    marker = os.path.join(d, 'ran')
    r = run(['-o', os.path.join(d, 'out'), '--', 'touch', marker])
    check_eq('-o FILE: exit status', 2, r.returncode)
    check('use -O %s (--output-file)' % os.path.join(d, 'out') in r.stderr, '-o FILE: stderr %r' % r.stderr)
    check(not os.path.exists(marker), '-o FILE: the command ran')
    passed('-o FILE: exit 2, "%s"' % r.stderr.strip().splitlines()[-1])

    # A trace that cannot be written.
    for opts in ([], ['-o', 'json']):
        with open('/dev/full', 'w') as full:
            r = run(opts + ['--', 'sh', '-c', 'echo ran > ' + marker], stdout=full)
        check_eq('%s > /dev/full: exit status' % ' '.join(['run'] + opts), 1, r.returncode)
        check('ipctrace: cannot write the trace to standard output: No space left on device' in r.stderr,
              '> /dev/full: stderr %r' % r.stderr)
        check(os.path.exists(marker), '> /dev/full: the command did not run to its end')
        os.unlink(marker)
    passed('> /dev/full: exit 1, "No space left on device" (text and JSON)')

    cmd = ' '.join([IPCTRACE, 'run'] + daemon_opts() + ['--', 'touch', marker]) + ' >&-'
    r = subprocess.run(['sh', '-c', cmd], env=run_env(), stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=TIMEOUT)
    check_eq('run >&-: exit status', 1, r.returncode)
    check('standard output is closed' in r.stderr and 'connection' not in r.stderr, 'run >&-: stderr %r' % r.stderr)
    check(not os.path.exists(marker), 'run >&-: the command ran')
    passed('run >&-: exit 1, "%s"' % r.stderr.strip())
done()
