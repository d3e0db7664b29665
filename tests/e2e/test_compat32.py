#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A 32-bit program (examples/compat32.c, built with gcc -m32 -static) makes
its calls with the numbers and argument layouts of the 32-bit ABI: ia32
`read` is 3, which is x86-64's `close` (and its `getpid`, 20, x86-64's
`writev`), and its socket calls go through socketcall. They used to be
decoded as 64-bit calls. Each traced one is now recorded
as its 64-bit counterpart, marked `compat`, and checked against what the
program says each call returned: a pipe (write, writev, read), fcntl
F_DUPFD_CLOEXEC, a socketpair with a send and a recv, a datagram sent with
sendto and one with sendmsg (whose addresses are read as 32-bit layouts
give them), SIGUSR1 to a plain handler (it returns through sigreturn) and SIGUSR2 queued with value 42.

A kernel can refuse 32-bit programs (CONFIG_IA32_EMULATION off, or
ia32_emulation=off on its command line): there the program cannot run,
and what is checked is that ipctrace says so (exit 126), nothing more."""

import errno
import os
import subprocess

from common import (EXAMPLES, SYSCALL_TYPES, check, check_clean_exit, check_eq, done, example, fail, next_of, one,
                    passed, run_cli, select_events, skip, trace)
from sigcommon import check_fields, check_records_wellformed, describe, select_records

PROG = 'compat32'
F_DUPFD_CLOEXEC = 1030

if not os.access(os.path.join(EXAMPLES, PROG), os.X_OK) and os.environ.get('CI') != 'true':
    skip('no 32-bit program was built (the compiler cannot build with -m32: install gcc-multilib)')
path = example(PROG)

try:
    subprocess.run([path], env=dict(os.environ, IPCTRACE_REPORT='/dev/null'), stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    runs32 = True
except OSError as ex:
    check(ex.errno == errno.ENOEXEC, 'running %s: %s' % (path, ex))
    runs32 = False

if not runs32:
    r = run_cli(['run', '--', path])
    check_eq('ipctrace run -- %s on a kernel that runs no 32-bit program: exit status' % PROG, 126,
             r.returncode)
    check('cannot execute' in r.stderr, 'ipctrace run -- %s: stderr %r' % (PROG, r.stderr))
    passed('this kernel runs no 32-bit program (exec: ENOEXEC): ipctrace run says so and exits 126; '
           'the decoding of 32-bit calls is checked where one runs')
    done()

t = trace([path], opts=['--signals'])
check_clean_exit(t)
rep = t.report
pid = rep['pid']
mine = [e for e in t.events if e['pid'] == pid]
calls = [e for e in mine if e['type'] in SYSCALL_TYPES]
check(calls, 'no syscall events of pid %d' % pid)
check_eq('syscall events of pid %d not marked compat' % pid, [],
         [e['type'] for e in calls if e.get('compat') is not True])

rd, wr = rep['pipe']
pipe = 'pipe:[%d]' % rep['pipe_inode']
p = one([e for e in select_events(mine, type=('pipe', 'pipe2')) if e.get('ret') == 0], 'pipe')
check_eq('pipe: (fds, object)', ([rd, wr], pipe), (p.get('fds'), p.get('object')))
w = one(select_events(mine, type='write', fd=wr), 'write to the pipe')
check_eq('write: (object, count, bytes)', (pipe, 5, rep['written']), (w.get('object'), w.get('count'), w.get('bytes')))
v = one(select_events(mine, type='writev', fd=wr), 'writev to the pipe')
check_eq('writev: (iovcnt, count, bytes)', (2, 7, rep['writev']), (v.get('iovcnt'), v.get('count'), v.get('bytes')))
r = one(select_events(mine, type='read', fd=rd), 'read of the pipe')
check_eq('read: (object, bytes)', (pipe, rep['read']), (r.get('object'), r.get('bytes')))
f = one(select_events(mine, type='fcntl', fd=wr), 'fcntl of the pipe')
check_eq('fcntl: (cmd, newfd)', (F_DUPFD_CLOEXEC, rep['dupfd']), (f.get('cmd'), f.get('newfd')))
passed('pipe %s: pipe, write (5), writev (7), read (%d), fcntl F_DUPFD_CLOEXEC -> %d, as the program saw them'
       % (pipe, rep['read'], rep['dupfd']))

a, b = rep['socketpair']
socks = ['socket:[%d]' % n for n in rep['socket_inodes']]
sp = one(select_events(mine, type='socketpair'), 'socketpair (through socketcall)')
check_eq('socketpair: (family, fds, object, peer_object)', ('AF_UNIX', [a, b], socks[0], socks[1]),
         (sp.get('family'), sp.get('fds'), sp.get('object'), sp.get('peer_object')))
s = one(select_events(mine, type='sendto', fd=a), 'send (socketcall SYS_SEND, as sendto)')
check_eq('send: (object, count, bytes)', (socks[0], 4, rep['sent']), (s.get('object'), s.get('count'), s.get('bytes')))
c = one(select_events(mine, type='recvfrom', fd=b), 'recv (socketcall SYS_RECV, as recvfrom)')
check_eq('recv: (object, bytes)', (socks[1], rep['received']), (c.get('object'), c.get('bytes')))
closed = sorted(e['fd'] for e in select_events(mine, type='close') if e.get('ret') == 0)
check_eq('descriptors closed', sorted([rd, wr, rep['dupfd'], a, b] + rep['dgram']), closed)
passed('socketpair %s, send 4, recv 4 through socketcall; the seven closes' % socks)

# Where the datagrams went: a 32-bit sockaddr, and the msg_name of a 32-bit msghdr.
dtx = rep['dgram'][1]
sends = select_events(mine, type=('sendto', 'sendmsg'), fd=dtx)
check_eq('datagram sends (type, compat)', [('sendto', True), ('sendmsg', True)],
         [(e['type'], e.get('compat')) for e in sends])
check_eq('the address after each send', [rep['dgram_address']] * 2, [next_of(mine, e).get('address') for e in sends])
passed('sendto and sendmsg to %s, each followed by its address' % rep['dgram_address'])

acts = {e['sig']: e for e in select_events(mine, type='rt_sigaction') if e.get('handler')}
check_eq('rt_sigaction handlers', {'SIGUSR1': 'on_usr1', 'SIGUSR2': 'on_usr2'},
         {k: e['handler'] for k, e in acts.items()})
check_eq('rt_sigaction SIGUSR2 flags', ['SA_SIGINFO'], acts['SIGUSR2'].get('sa_flags'))
k = one(select_events(mine, type='kill'), 'kill')
check_eq('kill: (target_pid, sig)', (pid, 'SIGUSR1'), (k.get('target_pid'), k.get('sig')))
q = one(select_events(mine, type='rt_sigqueueinfo'), 'sigqueue')
check_eq('rt_sigqueueinfo: (target_pid, sig, code, value)', (pid, 'SIGUSR2', 'SI_QUEUE', rep['usr2_value']),
         (q.get('target_pid'), q.get('sig'), q.get('code'), q.get('value')))
check_eq('handlers returned (sigreturn, rt_sigreturn)', 2, len(select_events(mine, type='rt_sigreturn')))
passed('sigaction of on_usr1 and on_usr2 (SA_SIGINFO), kill, sigqueue value %d, both handlers returned'
       % rep['usr2_value'])

check_records_wellformed(t)
for sig, handler, via in (('SIGUSR1', 'on_usr1', 'kill'), ('SIGUSR2', 'on_usr2', 'rt_sigqueueinfo')):
    rec = one(select_records(t.records, target_pid=pid, sig=sig), '%s record' % sig)
    check_fields(rec, outcome='handled', handler=handler, via=via, sender_pid=pid)
    check(rec['returned_ns'] is not None, '%s: the handler did not return' % describe(rec))
check_eq('SIGUSR2 record: value', rep['usr2_value'],
         one(select_records(t.records, target_pid=pid, sig='SIGUSR2'), 'SIGUSR2 record')['value'])
passed('records: SIGUSR1 and SIGUSR2 handled, their handlers returned')
done()
