#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctraced --check-kernel` on a kernel that has everything: every feature
the daemon needs is probed and found (the probes load real maps and
programs, so a wrong probe would keep the daemon from starting on a good
kernel), the minimum release is the one the README states, and the exit
status is 0. As a user who cannot probe, every feature is unknown, exit 1.
Part of the kernel matrix: the guests check their own kernels."""

import os
import re
import subprocess

from common import IPCTRACED, as_nobody, check, check_eq, done, passed

FEATURES = 6

p = subprocess.run([IPCTRACED, '--check-kernel'], stdin=subprocess.DEVNULL, capture_output=True,
                   text=True, timeout=60)
check_eq('ipctraced --check-kernel exit status (stderr: %s)' % p.stderr.strip(), 0, p.returncode)
lines = p.stdout.splitlines()
m = re.match(r'Linux (\S+); ipctraced needs Linux (\d+\.\d+) or later, with:$', lines[0] if lines else '')
check(m is not None, 'first line: %r' % (lines[:1],))
check_eq('the running kernel', os.uname().release, m.group(1))
with open(os.path.join(os.path.dirname(__file__), '..', '..', 'README.md')) as f:
    readme = f.read()
check('Linux %s or later' % m.group(2) in readme,
      'README.md does not say "Linux %s or later"' % m.group(2))
rows = [l.split(None, 2) for l in lines[1:]]
check_eq('features listed', FEATURES, len(rows))
for since, state, what in rows:
    check_eq('%s (Linux %s)' % (what, since), 'yes', state)
passed('Linux %s has the %d features ipctraced needs (Linux %s or later)'
       % (m.group(1), len(rows), m.group(2)))

p = as_nobody([IPCTRACED, '--check-kernel'])
check_eq('--check-kernel as nobody: exit status', 1, p.returncode)
states = [l.split(None, 2)[1] for l in p.stdout.splitlines()[1:FEATURES + 1]]
check_eq('--check-kernel as nobody: states', ['unknown'] * FEATURES, states)
check('only root can probe' in p.stdout.lower(), 'nobody is not told why: %r' % p.stdout)
passed('as nobody: every feature unknown, exit 1, and why')
done()
