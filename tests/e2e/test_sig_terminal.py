#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A signal typed at the terminal: `ipctrace run --signals -- waitsig` runs on a
pseudo-terminal; once waitsig says "ready", the test types Ctrl-C. The
terminal's line discipline sends SIGINT to the foreground process group: the
record says the kernel sent it because of the terminal (no sender process),
and that it terminated waitsig; its generation event names the terminal as
its cause and its delivery is SIGINT's, not the kernel's SIGKILL; ipctrace
itself is not killed and exits 130 like a shell would."""

import json
import os
import pty
import select
import time

from common import IPCTRACE, check, check_eq, done, example, fail, passed, run_env

TIMEOUT = 60

pid, master = pty.fork()
if pid == 0:
    os.execve(IPCTRACE, [IPCTRACE, 'run', '-o', 'json', '--signals', '--', example('waitsig')],
              run_env())

out = b''
typed = False
deadline = time.monotonic() + TIMEOUT
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        os.kill(pid, 9)
        fail('no end of output within %d s; got %r' % (TIMEOUT, out[-2000:]))
    r, _, _ = select.select([master], [], [], left)
    if not r:
        continue
    try:
        data = os.read(master, 65536)
    except OSError:          # EIO: every slave end is closed
        data = b''
    if not data:
        break
    out += data
    if not typed and b'ready' in out:
        os.write(master, b'\x03')
        typed = True
_, status = os.waitpid(pid, 0)
os.close(master)

check(typed, 'waitsig never said ready: %r' % out[-2000:])
check_eq('ipctrace exit status (128 + SIGINT)', 130, os.waitstatus_to_exitcode(status))
# The terminal echoes ^C in front of whatever ipctrace prints next.
objs = [json.loads(line[line.index('{'):]) for line in out.decode(errors='replace').splitlines()
        if '{' in line]
execs = [o for o in objs if o.get('type') == 'exec']
check(execs, 'no exec event in %r' % out[-3000:])
target = execs[0]['pid']
recs = [o for o in objs if o.get('type') == 'lifecycle' and o.get('target_pid') == target]
check_eq('records for waitsig[%d]: (sig, outcome)' % target, [('SIGINT', 'terminated')],
         [(r['sig'], r['outcome']) for r in recs])
r = recs[0]
for field, want in (('via', 'kernel'), ('cause', 'terminal'), ('code', 'SI_KERNEL'),
                    ('sender_pid', None), ('sender_comm', None), ('action', 'default'),
                    ('default_action', 'Term'), ('exit_status', 'killed by SIGINT'),
                    ('result', 'queued')):
    check_eq('SIGINT record: %s' % field, want, r[field])
check(r['delivered_ns'] is not None and r['delivered_ns'] >= r['generated_ns'],
      'SIGINT record: delivered_ns %r, generated_ns %r' % (r['delivered_ns'], r['generated_ns']))
check('SIGINT' in (r['explanation'] or ''), 'SIGINT record: explanation %r' % r['explanation'])
# The event says what the record says: the terminal sent it, whatever task ran its line discipline,
# and the delivery that ends waitsig is SIGINT's (the kernel's SIGKILL stays in kernel_sig).
gens = [o for o in objs if o.get('type') == 'signal_generate' and o.get('target_pid') == target]
check_eq('SIGINT generation events: (sig, cause)', [('SIGINT', 'terminal')],
         [(g['sig'], g.get('cause')) for g in gens])
dels = [o for o in objs if o.get('type') == 'signal_deliver' and o.get('pid') == target]
check_eq('deliveries to waitsig: (sig, kernel_sig)', [('SIGINT', 'SIGKILL')],
         [(d_['sig'], d_.get('kernel_sig')) for d_ in dels])
summary = [o for o in objs if o.get('type') == 'summary']
check_eq('summary exit_code', 130, summary[-1].get('exit_code') if summary else None)
passed('Ctrl-C: SIGINT from the terminal (kernel, cause terminal) terminated waitsig[%d]' % target)
done()
