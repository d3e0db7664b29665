#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`killfail CASE` (examples/killfail.c): kill() calls that fail, the ways
course code makes them fail, each diagnosed `kill_failed` as the call
returns: the sender, the pid and signal it passed, the errno (each as the
program itself reports them), the failed call as evidence (the kill event),
and why, in words:

- reaped: the child was waited for, then killed (ESRCH): when it exited
  and who reaped it, from the exit and wait4 events;
- group: kill(-pid) for a child that leads no group (ESRCH): the negative
  pid names a process group;
- eperm: a child that gave up root signals its parent (EPERM): both users;
- einval: signal 99 (EINVAL)."""

from common import check, check_clean_exit, check_eq, done, example, one, passed, select_events, trace
from diagcommon import diagnoses_of, roles


def run(case):
    t = trace([example('killfail'), case])
    check_clean_exit(t, 0)
    rep = t.report
    ds = diagnoses_of(t, 'kill_failed')
    check_eq('%s: kinds of diagnosis' % case, ['kill_failed'], [d['kind'] for d in t.diagnoses])
    d = ds[0]
    sender = rep['sender']
    k = one([e for e in select_events(t.events, type='kill', pid=sender) if e['ret'] < 0], '%s: the failed kill' % case)
    check_eq('%s: the failed kill (target_pid, signo, errno)' % case, (rep['target'], rep['sig'], rep['errno']),
             (k['target_pid'], k['signo'], k['errno']))
    check_eq('%s: (pid, comm, call, target_pid, signo, errno, time_ns)' % case,
             (sender, 'killfail', 'kill', rep['target'], rep['sig'], rep['errno'], k['time_ns']),
             (d['pid'], d['comm'], d['call'], d['target_pid'], d['signo'], d['errno'], d['time_ns']))
    check_eq('%s: the failed call is the last evidence' % case, ('kill', sender, k['time_ns']),
             (d['evidence'][-1]['event'], d['evidence'][-1]['pid'], d['evidence'][-1]['time_ns']))
    check('killfail[%d]: kill(%d, ' % (sender, rep['target']) in d['message']
          and 'failed with %s: ' % rep['errno'] in d['message'], '%s: message %r' % (case, d['message']))
    return t, d, rep


t, d, rep = run('reaped')
child = rep['target']
ex = one(select_events(t.events, type='exit', pid=child), 'the child\'s exit')
w = one(select_events(t.events, type='wait4', pid=rep['pid'], child_pid=child), 'the wait for the child')
check_eq('reaped: processes', {rep['pid']: 'sender', child: 'target'}, roles(d))
check_eq('reaped: evidence (event, pid, time_ns)', [('exit', child, ex['time_ns']), ('wait4', rep['pid'], w['time_ns']),
                                                    ('kill', rep['pid'], d['time_ns'])],
         [(e['event'], e['pid'], e['time_ns']) for e in d['evidence']])
check('pid %d was killfail[%d], which exited at ' % (child, child) in d['message']
      and 'was reaped at ' in d['message'] and 'by killfail[%d], which waited for it' % rep['pid'] in d['message'],
      'reaped: message %r' % d['message'])
passed('reaped: %s' % d['message'])

t, d, rep = run('group')
check_eq('group: sig', 'SIGTERM', d['sig'])
check('a negative pid names a process group, and there is no group %d. To signal the process %d, pass %d'
      % (-rep['target'], -rep['target'], -rep['target']) in d['message'], 'group: message %r' % d['message'])
passed('group: %s' % d['message'])

t, d, rep = run('eperm')
check_eq('eperm: processes', {rep['sender']: 'sender', rep['target']: 'target'}, roles(d))
check_eq('eperm: the sender\'s uid (the kill event)', rep['sender_uid'],
         one(select_events(t.events, type='kill', pid=rep['sender']), 'the kill')['uid'])
check('runs as uid %d and killfail[%d] as uid 0' % (rep['sender_uid'], rep['target']) in d['message'],
      'eperm: message %r' % d['message'])
passed('eperm: %s' % d['message'])

t, d, rep = run('einval')
check_eq('einval: sig (no name)', None, d['sig'])
check('%d is not a signal number' % rep['sig'] in d['message'], 'einval: message %r' % d['message'])
passed('einval: %s' % d['message'])
done()
