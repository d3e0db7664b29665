#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`signals 7`: a process sends itself SIGUSR1 7 times and handles each one.
Every kill, every generation, every delivery to the handler and every return
from it is reported exactly once."""

from common import (check, check_clean_exit, check_eq, done, example, one, passed,
                    select_events, trace)

N = 7

t = trace([example('signals'), str(N)])
ev, rep = t.events, t.report
check(rep is not None, 'signals wrote no report')
check_clean_exit(t, 0)
pid = rep['pid']
check_eq('report: kills', N, rep['kill'])
check_eq('report: handler runs', N, rep['handled'])
passed('exit status 0, summary consistent, 0 lost')

kills = select_events(ev, type='kill', pid=pid)
check_eq('kill events from pid %d' % pid, rep['kill'], len(kills))
for k in kills:
    check_eq('kill target_pid', pid, k.get('target_pid'))
    check_eq('kill sig', 'SIGUSR1', k.get('sig'))
    check_eq('kill ret', 0, k.get('ret'))
    check('errno' not in k, 'a successful kill has an errno: %r' % k)
passed('%d kill(%d, SIGUSR1) = 0' % (len(kills), pid))

gen = select_events(ev, type='signal_generate', sig='SIGUSR1', target_pid=pid)
check_eq('results of SIGUSR1 generated for pid %d' % pid, ['queued'] * N,
         [g.get('result') for g in gen])
for g in gen:
    check_eq('signal_generate code', 'SI_USER', g.get('code'))
    check_eq('signal_generate sender (header pid)', pid, g.get('pid'))
    check_eq('signal_generate target_tid', pid, g.get('target_tid'))
passed('%d signal_generate SIGUSR1 -> %d queued' % (len(gen), pid))

act = one(select_events(ev, type='rt_sigaction', pid=pid, sig='SIGUSR1'), 'rt_sigaction SIGUSR1')
handler, addr = act.get('handler'), act.get('handler_addr')
# The example's handler is a global function: its name is in the symbol table.
check_eq('rt_sigaction SIGUSR1 handler', 'on_sigusr1', handler)
check(isinstance(addr, str) and addr.startswith('0x') and int(addr, 16) > 0,
      'rt_sigaction SIGUSR1 has no handler_addr: %r' % act)

deliv = select_events(ev, type='signal_deliver', pid=pid, sig='SIGUSR1')
check_eq('signal_deliver SIGUSR1 to pid %d' % pid, rep['handled'], len(deliv))
for d in deliv:
    check_eq('signal_deliver action', 'handler', d.get('action'))
    check_eq('signal_deliver handler (as installed by rt_sigaction)', handler, d.get('handler'))
    check_eq('signal_deliver handler_addr (as installed by rt_sigaction)', addr, d.get('handler_addr'))
    check_eq('signal_deliver code', 'SI_USER', d.get('code'))
check_eq('signal_deliver events for other signals',
         [], [d for d in select_events(ev, type='signal_deliver', pid=pid) if d.get('sig') != 'SIGUSR1'])
passed('%d signal_deliver SIGUSR1 to handler %s' % (len(deliv), handler))

ret = select_events(ev, type='rt_sigreturn', pid=pid)
check_eq('rt_sigreturn from pid %d' % pid, rep['handled'], len(ret))
passed('%d rt_sigreturn' % len(ret))

ex = one(select_events(ev, type='exit', pid=pid), 'exit of pid %d' % pid)
check_eq('exit event exit_code', 0, ex.get('exit_code'))
done()
