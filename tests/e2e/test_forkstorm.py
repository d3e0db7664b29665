#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`forkstorm 50`: 50 children each send the parent one SIGUSR1 and write 16
bytes into one shared pipe. Every fork, kill, write and exit is reported, and
every SIGUSR1 is accounted for (queued or merged into a pending one), with
one delivery per handler run."""

from common import (check, check_clean_exit, check_eq, done, example, one, passed,
                    select_events, total_bytes, trace)

N = 50

t = trace([example('forkstorm'), str(N)])
ev, rep = t.events, t.report
check(rep is not None, 'forkstorm wrote no report')
check_clean_exit(t, 0)
parent, children = rep['parent_pid'], rep['children']
check_eq('children in the report', N, len(set(children)))
passed('exit status 0, summary consistent, 0 lost')

forks = select_events(ev, type='fork', pid=parent)
check_eq('fork events from parent %d' % parent, N, len(forks))
check_eq('child_pid of the fork events', set(children), {f.get('child_pid') for f in forks})
passed('%d forks, child pids as reported' % N)

p = one(select_events(ev, type=('pipe', 'pipe2'), pid=parent), 'pipe in parent')
obj = p.get('object')
wfd = p['fds'][1]

kills = select_events(ev, type='kill')
writes = select_events(ev, type='write', object=obj)
for c in children:
    k = [e for e in kills if e['pid'] == c]
    check_eq('kill events from child %d' % c, rep['kill_per_child'], len(k))
    check_eq('kill from child %d (target, sig, ret)' % c, (parent, 'SIGUSR1', 0),
             (k[0].get('target_pid'), k[0].get('sig'), k[0].get('ret')))
    w = [e for e in writes if e['pid'] == c]
    check_eq('writes of child %d on %s' % (c, obj), 1, len(w))
    check_eq('bytes written by child %d' % c, rep['write_bytes_per_child'], w[0].get('bytes'))
    check_eq('fd of child %d\'s write' % c, wfd, w[0].get('fd'))
check_eq('kill events from other processes', [], [e for e in kills if e['pid'] not in children])
check_eq('writes on %s from other processes' % obj, [], [e for e in writes if e['pid'] not in children])
passed('every child: one kill(%d, SIGUSR1) = 0 and one 16-byte write on %s' % (parent, obj))

exits = select_events(ev, type='exit')
for pid in children + [parent]:
    e = one([x for x in exits if x['pid'] == pid], 'exit of pid %d' % pid)
    check_eq('exit code of pid %d' % pid, 0, e.get('exit_code'))
passed('an exit event for each of the %d processes' % (N + 1))

gen = select_events(ev, type='signal_generate', sig='SIGUSR1', target_pid=parent)
results = [g.get('result') for g in gen]
check_eq('SIGUSR1 generated for the parent', N, len(gen))
check(set(results) <= {'queued', 'merged'},
      'SIGUSR1 results other than queued/merged: %r' % sorted(set(results)))
check_eq('senders of the SIGUSR1s', sorted(children), sorted(g['pid'] for g in gen))
deliv = select_events(ev, type='signal_deliver', sig='SIGUSR1', pid=parent)
check_eq('SIGUSR1 deliveries to the parent (its handler runs)', rep['handled'], len(deliv))
check(all(d.get('action') == 'handler' for d in deliv), 'a SIGUSR1 delivery not to the handler')
# A queued standard signal is delivered once; a merged one never is.
check_eq('queued SIGUSR1s vs handler runs', rep['handled'], results.count('queued'))
passed('%d SIGUSR1 generated (%d queued, %d merged), %d delivered'
       % (len(gen), results.count('queued'), results.count('merged'), len(deliv)))

reads = select_events(ev, type='read', pid=parent, object=obj)
check_eq('reads by the parent (with the final EOF)', rep['reads'], len(reads))
check_eq('bytes read by the parent', rep['bytes_read'], total_bytes(reads))
check_eq('bytes written by the children', rep['bytes_read'], total_bytes(writes))
passed('%d reads of %d bytes' % (len(reads), total_bytes(reads)))
done()
