# SPDX-License-Identifier: MIT
"""The traced syscall set, read from the sources so that no test keeps a copy
that could go stale (Python 3 standard library only, no root needed).

- traced_syscalls(): every syscall in lib/syscalls.c's table, in its order.
- arch_syscalls(): every syscall this build's architecture has, from the
  table that lib/gen-syscall-names.py generated from <sys/syscall.h> (the
  table's entries for pipe, open and dup2 drop out where the architecture
  lacks them).
- declared_covers(path): the syscalls an e2e test says it asserts against a
  program's own account, from its `covers(...)` call (tests/e2e/common.py).
"""

import ast
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, '..', '..'))
BUILD = os.path.join(SOURCE, 'build')

SYSCALLS_C = os.path.join(SOURCE, 'lib', 'syscalls.c')
SYSCALL_NAMES_C = (os.environ.get('IPCTRACE_SYSCALL_NAMES')
                   or os.path.join(BUILD, 'lib', 'syscall-names.c'))


def traced_syscalls(path=SYSCALLS_C):
    """The names in the table `ipct_syscalls[]`: its SC(name, ...) and
    IO(name, ...) entries. Raises ValueError when there is no such table."""
    with open(path) as f:
        text = f.read()
    m = re.search(r'ipct_syscalls\[\]\s*=\s*\{(.*?)\n\};', text, re.S)
    if not m:
        raise ValueError('%s: no ipct_syscalls[] table' % path)
    names = re.findall(r'^\s*(?:SC|IO)\((\w+),', m.group(1), re.M)
    if not names:
        raise ValueError('%s: no SC() or IO() entries in ipct_syscalls[]' % path)
    return names


def arch_syscalls(path=SYSCALL_NAMES_C):
    """Every syscall name of the build's architecture: the `[NR] = "name"`
    lines of the generated table. Raises OSError when it was not generated."""
    with open(path) as f:
        return frozenset(re.findall(r'^\s*\[\d+\] = "(\w+)",$', f.read(), re.M))


def declared_covers(path):
    """The literal names of the module-level `covers('a', 'b', ...)` calls in
    a test script; ValueError for an argument that is not a string literal."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    names = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id == 'covers'):
            continue
        for arg in call.args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise ValueError('%s:%d: covers() takes string literals only'
                                 % (path, call.lineno))
            names.append(arg.value)
    return names
