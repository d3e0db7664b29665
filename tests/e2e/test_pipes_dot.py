#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace run -o dot --pipes` prints only the graph, in Graphviz's
language, and exits with the command's status:

- `sh -c 'seq 1000 | wc -l > FILE'`: `dot -Tsvg` accepts the whole of
  standard output, which names seq and wc (the processes as they are after
  exec) and the one pipe between them;
- `socketpair 3`: `dot -Tsvg` accepts it too (an AF_UNIX pair, with peers),
  and it names both sockets of the pair."""

import os
import re
import shutil
import subprocess
import tempfile

from common import (IPCTRACE, _context, check, check_eq, done, example, fail, passed, run_env,
                    skip)

DOT = shutil.which('dot')
if not DOT:
    skip('Graphviz dot is not installed (scripts/setup installs it)')


def run_dot(args):
    """ipctrace run -o dot --pipes -- args, with standard output a file (so that the
    command's own IPC is all there is); returns the output after checking exit 0."""
    cmd = [IPCTRACE, 'run', '-o', 'dot', '--pipes', '--'] + args
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            p = subprocess.run(cmd, env=run_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                               timeout=60)
        except subprocess.TimeoutExpired:
            fail('%s did not finish within 60 s' % ' '.join(cmd))
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors='replace')
        _context['stdout'], _context['stderr'] = text, err.read().decode(errors='replace')
    check_eq('exit status of %s' % ' '.join(cmd), 0, p.returncode)
    check(re.match(r'\s*(strict\s+)?(di)?graph\b', text), 'the output does not start a graph: %r' % text[:200])
    check('"type"' not in text, 'JSON in the dot output: %r' % text[:200])
    return text


def to_svg(text):
    r = subprocess.run([DOT, '-Tsvg'], input=text.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    check_eq('dot -Tsvg exit status (stderr %r)' % r.stderr.decode(errors='replace'), 0, r.returncode)
    svg = r.stdout.decode(errors='replace')
    check(svg.startswith('<?xml') or '<svg' in svg, 'dot -Tsvg gave no SVG: %r' % svg[:200])
    return svg


with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    count = os.path.join(d, 'count')
    text = run_dot(['/bin/sh', '-c', 'seq 1000 | wc -l > ' + count])
    with open(count) as f:
        check_eq('wc -l output (the command really ran)', '1000\n', f.read())
check(re.search(r'\bseq\b', text), 'the graph does not mention seq:\n%s' % text)
check(re.search(r'\bwc\b', text), 'the graph does not mention wc:\n%s' % text)
check_eq('pipe objects named in the graph (%s)' % text, 1, len(set(re.findall(r'pipe:\[\d+\]', text))))
svg = to_svg(text)
check('seq' in svg and 'wc' in svg, 'the SVG does not show seq and wc')
passed('seq | wc: exit 0, dot -Tsvg accepts the %d bytes (%d bytes of SVG showing seq, wc, one pipe)'
       % (len(text), len(svg)))

text = run_dot([example('socketpair'), '3'])
socks = set(re.findall(r'socket:\[\d+\]', text))
check_eq('sockets named in the graph of socketpair 3 (%s)' % text, 2, len(socks))
to_svg(text)
passed('socketpair: exit 0, dot -Tsvg accepts it, both sockets %s named' % sorted(socks))
done()
