#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every traced syscall is asserted by some test against a program's own
account. The traced set is read from lib/syscalls.c (less the syscalls this
architecture lacks); each test declares what it asserts with covers(...),
and its done() fails unless it compared events of each. So adding a syscall
to the table without an example program that makes it and a test that
checks it fails here; so does a declaring test that meson does not run, and
a docs/events.md that does not list the traced set. Needs no root."""

import os
import re
import sys

from syscallset import HERE, SOURCE, arch_syscalls, declared_covers, traced_syscalls

TEST = 'test_coverage'


def fail(msg):
    print('FAIL: %s: %s' % (TEST, msg))
    sys.exit(1)


def passed(msg):
    print('PASS %s: %s' % (TEST, msg))


try:
    traced = traced_syscalls()
    arch = arch_syscalls()
except (OSError, ValueError) as ex:
    fail('cannot read the traced set: %s (build with: ninja -C build)' % ex)
required = [s for s in traced if s in arch]
if len(required) < len(traced) / 2:
    fail('this architecture has only %s of the traced set %s: is %s the table of another one?'
         % (required, traced, os.environ.get('IPCTRACE_SYSCALL_NAMES')))
passed('traced set: %d syscalls in lib/syscalls.c, %d on this architecture'
       % (len(traced), len(required)))

with open(os.path.join(HERE, 'meson.build')) as f:
    meson = f.read()
m = re.search(r'^e2e_tests = \[(.*?)^\]', meson, re.S | re.M)
if not m:
    fail('tests/e2e/meson.build has no e2e_tests list')
registered = set(re.findall(r"'(\w+)'", m.group(1)))

by_syscall = {}
for name in sorted(os.listdir(HERE)):
    if not (name.startswith('test_') and name.endswith('.py')):
        continue
    try:
        names = declared_covers(os.path.join(HERE, name))
    except (SyntaxError, ValueError) as ex:
        fail('%s: %s' % (name, ex))
    if not names:
        continue
    test = name[len('test_'):-len('.py')]
    if test not in registered:
        fail('%s declares covers(%s) but is not in tests/e2e/meson.build\'s e2e_tests: it never runs'
             % (name, ', '.join(names)))
    unknown = [s for s in names if s not in traced]
    if unknown:
        fail('%s: covers(%s): not in the traced set of lib/syscalls.c' % (name, ', '.join(unknown)))
    for s in names:
        by_syscall.setdefault(s, []).append(test)

missing = [s for s in required if s not in by_syscall]
if missing:
    fail('no test asserts %s against a program\'s own account: add an example program that makes '
         'the call and reports it, and a test that compares the events with that report and '
         'declares covers(...)' % ', '.join(missing))
passed('each of the %d is asserted: %s' % (
    len(required), '; '.join('%s by %s' % (s, ', '.join(by_syscall[s])) for s in required)))

# The list of event types in docs/events.md: the paragraph that names every syscall.
with open(os.path.join(SOURCE, 'docs', 'events.md')) as f:
    docs = f.read()
m = re.search(r"`type` is the call's name: (.*?)\(lib/syscalls\.c", docs, re.S)
if not m:
    fail('docs/events.md: no paragraph "`type` is the call\'s name: ... (lib/syscalls.c"')
documented = re.findall(r'`(\w+)`', m.group(1))
if sorted(documented) != sorted(traced):
    fail('docs/events.md lists the syscall event types %s; lib/syscalls.c traces %s: missing from '
         'the docs %s, not traced %s' % (documented, traced, sorted(set(traced) - set(documented)),
                                         sorted(set(documented) - set(traced))))
passed('docs/events.md lists the same %d syscall event types' % len(traced))
print('PASS %s: all checks passed' % TEST)
