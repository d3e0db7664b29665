#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`nodup CASE` (examples/nodup.c): `ls / | wc -l` built by hand with the
mistakes that leave its pipe unused, each diagnosed `pipe_unused` when the
session ends: the pipe (the inode the program reports), made by the
program, never carried a byte, and each of its holders is named with where
its standard streams went (the exec's `stdio` event):

- nodup: both dup2() calls left out: ls writes its listing to its own
  stdout (here ipctrace's stdout, a pipe), wc reads its own stdin;
- writer: only the writer's dup2() left out: wc reads the pipe (end of
  file at once), ls writes elsewhere;
- wrongfd: the writer's dup2() onto fd 2 instead of 1;
- nodup again in a terminal (a pty), as a student runs it: ls writes its
  listing to /dev/pts/N; and with the output in regular files, which the
  trace does not see: no diagnosis (nothing shows where the bytes went).

A correct pipeline and a pipe used to wait for a close get no such
diagnosis (test_diag_none)."""

from common import check, check_clean_exit, check_eq, done, example, one, passed, select_events, trace
from diagcommon import diagnoses_of, roles


def run(case, tty=False):
    t = trace([example('nodup'), case], tty=tty)
    check_clean_exit(t, 0)
    rep = t.report
    obj = 'pipe:[%d]' % rep['inode']
    what = '%s%s' % (case, ' (terminal)' if tty else '')
    check_eq('%s: kinds of diagnosis' % what, ['pipe_unused'], [d['kind'] for d in t.diagnoses])
    d = diagnoses_of(t, 'pipe_unused')[0]
    check_eq('%s: object, pid, first object' % what, (obj, rep['pid'], obj), (d['object'], d['pid'], d['objects'][0]))
    check_eq('%s: processes' % what, {rep['pid']: 'holder', rep['ls']: 'holder', rep['wc']: 'holder'}, roles(d))
    check_eq('%s: the processes\' names' % what, {rep['pid']: 'nodup', rep['ls']: 'ls', rep['wc']: 'wc'},
             {p['pid']: p['comm'] for p in d['processes']})
    made = one(select_events(t.events, type='pipe', pid=rep['pid']) + select_events(t.events, type='pipe2', pid=rep['pid']),
               '%s: the pipe call' % what)
    check_eq('%s: evidence (event, pid, time)' % what, [('pipe', rep['pid'], made['time_ns'])],
             [(e['event'], e['pid'], e['time_ns']) for e in d['evidence']])
    check(d['message'].startswith('%s, made by nodup[%d], never carried a byte' % (obj, rep['pid'])),
          '%s: message %r' % (what, d['message']))
    # Where the streams went, as the exec records say.
    for pid, comm in ((rep['ls'], 'ls'), (rep['wc'], 'wc')):
        s = one(select_events(t.events, type='stdio', pid=pid), '%s: %s\'s stdio' % (what, comm))
        check('%s[%d]' % (comm, pid) in d['message'] and
              "(exec'd with 0=%s 1=%s 2=%s)" % (s['stdin'], s['stdout'], s['stderr']) in d['message'],
              '%s: %s\'s streams (%r) in %r' % (what, comm, s, d['message']))
    return t, d, rep


t, d, rep = run('nodup')
ls_out = select_events(t.events, type='write', pid=rep['ls'], fd=1)
check(ls_out, 'nodup: ls wrote nothing to fd 1')
check('ls[%d] wrote %d bytes to %s (fd 1)' % (rep['ls'], sum(w['ret'] for w in ls_out), ls_out[0]['object'])
      in d['message'], 'nodup: ls\'s output in %r' % d['message'])
check_eq('nodup: the pipe in ls\'s and wc\'s streams', [], [s for s in select_events(t.events, type='stdio')
                                                         if 'pipe:[%d]' % rep['inode'] in (s['stdin'], s['stdout'])])
passed('nodup: %s' % d['message'])

t, d, rep = run('writer')
s = one(select_events(t.events, type='stdio', pid=rep['wc']), 'writer: wc\'s stdio')
check_eq('writer: wc\'s stdin is the pipe', 'pipe:[%d]' % rep['inode'], s['stdin'])
r = select_events(t.events, type='read', pid=rep['wc'], fd=0)
check(r and r[-1]['ret'] == 0, 'writer: wc did not read the pipe to its end: %r' % r)
passed('writer: %s' % d['message'])

t, d, rep = run('wrongfd')
s = one(select_events(t.events, type='stdio', pid=rep['ls']), 'wrongfd: ls\'s stdio')
check_eq('wrongfd: ls\'s stderr is the pipe, its stdout is not', ('pipe:[%d]' % rep['inode'], True),
         (s['stderr'], s['stdout'] != s['stderr']))
passed('wrongfd: %s' % d['message'])

t, d, rep = run('nodup', tty=True)
s = one(select_events(t.events, type='stdio', pid=rep['ls']), 'nodup (terminal): ls\'s stdio')
check(s['stdout'].startswith('/dev/pts/') and s['stdout_kind'] == 'tty', 'nodup (terminal): ls\'s stdout %r' % s)
ls_out = select_events(t.events, type='write', pid=rep['ls'], fd=1)
check(ls_out and all(w['object'] == s['stdout'] and w['kind'] == 'tty' for w in ls_out),
      'nodup (terminal): ls\'s writes %r' % ls_out)
check('ls[%d] wrote %d bytes to %s (fd 1)' % (rep['ls'], sum(w['ret'] for w in ls_out), s['stdout'])
      in d['message'], 'nodup (terminal): message %r' % d['message'])
passed('nodup, in a terminal: %s' % d['message'])

t = trace([example('nodup'), 'nodup'], to_files=True)
check_clean_exit(t, 0)
check_eq('nodup, output to files: diagnoses', [], [d['kind'] for d in t.diagnoses])
passed('nodup, output to files: no diagnosis (the bytes went where the trace does not look)')
done()
