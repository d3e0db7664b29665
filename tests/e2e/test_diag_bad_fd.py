#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`badfd CASE` (examples/badfd.c): calls that fail with EBADF, the ways
course code makes them fail, each diagnosed `bad_fd` as the call returns:
the process, the call, the fd and the errno (each as the program itself
reports them), the failed call as evidence, and what the descriptor was:

- stdout: close(1), then printf: fd 1 was closed by that close (evidence);
- wrongend: a write to fds[0]: the read end of the pipe, whose write end
  is fds[1];
- twice: close(fds[0]) twice: already closed by the first close;
- dup2: a child's dup2(fds[1], 1), then a loop that closes fd 1 too; the
  program it execs fails to print: fd 1 was closed by the child's close(1)
  while it was the pipe's write end."""

from common import check, check_clean_exit, check_eq, done, example, one, passed, select_events, trace
from diagcommon import diagnoses_of, roles


def run(case):
    t = trace([example('badfd'), case])
    check_clean_exit(t, 0)
    rep = t.report
    check(rep is not None, '%s: no report' % case)
    check_eq('%s: the call failed with' % case, 'EBADF', rep['errno'])
    ds = diagnoses_of(t, 'bad_fd')
    check_eq('%s: kinds of diagnosis' % case, ['bad_fd'], [d['kind'] for d in t.diagnoses])
    d = ds[0]
    pid = rep['pid']
    failed = one([e for e in select_events(t.events, type=rep['call'], pid=pid, fd=rep['fd'])
                  if e.get('errno') == 'EBADF'], '%s: the failed %s' % (case, rep['call']))
    check_eq('%s: (pid, comm, call, fd, errno, time_ns)' % case,
             (pid, 'badfd', rep['call'], rep['fd'], 'EBADF', failed['time_ns']),
             (d['pid'], d['comm'], d['call'], d['fd'], d['errno'], d['time_ns']))
    check_eq('%s: the failed call is the last evidence' % case, (rep['call'], pid, failed['time_ns']),
             (d['evidence'][-1]['event'], d['evidence'][-1]['pid'], d['evidence'][-1]['time_ns']))
    check(d['message'].startswith('badfd[%d]: %s(%d) failed with EBADF: ' % (pid, rep['call'], rep['fd'])),
          '%s: message %r' % (case, d['message']))
    return t, d, rep


def check_closed(case, t, d, rep, closer, before=None):
    """fd was closed by close(fd) in closer, the last close before `before`
    (the failure): the close event is the first evidence."""
    fd = rep['fd']
    # Not the report's own file, which may get fd 1 and close it after.
    closes = [e for e in select_events(t.events, type='close', pid=closer, fd=fd)
              if e['ret'] == 0 and e['time_ns'] < (before or d['time_ns'])]
    close = closes[-1] if closes else None
    check(close is not None, '%s: no close of fd %d by %d' % (case, fd, closer))
    check_eq('%s: (cause, closed_by, closed_ns)' % case, ('closed', 'close', close['time_ns']),
             (d['cause'], d['closed_by'], d['closed_ns']))
    check_eq('%s: evidence (event, pid, time_ns)' % case,
             [('close', closer, close['time_ns']), (rep['call'], rep['pid'], d['time_ns'])],
             [(e['event'], e['pid'], e['time_ns']) for e in d['evidence']])
    check(' closed at ' in d['message'] and ' by close(%d) in badfd[%d]' % (fd, closer) in d['message'],
          '%s: message %r' % (case, d['message']))
    return close


t, d, rep = run('stdout')
check_closed('stdout', t, d, rep, rep['pid'])
check_eq('stdout: processes', {rep['pid']: 'caller'}, roles(d))
check('printf() and puts() write to fd 1' in d['message'], 'stdout: message %r' % d['message'])
passed('stdout: %s' % d['message'])

t, d, rep = run('wrongend')
check_eq('wrongend: (cause, object, other_end_fd)', ('wrong_end', rep['object'], rep['other_end_fd']),
         (d['cause'], d['object'], d['other_end_fd']))
check_eq('wrongend: objects', [rep['object']], d['objects'])
pipe = one(select_events(t.events, type=('pipe', 'pipe2'), pid=rep['pid']), 'wrongend: the pipe')
check_eq('wrongend: the pipe made fds', [rep['fd'], rep['other_end_fd']], pipe['fds'])
check_eq('wrongend: evidence (event, pid, time_ns)', [(pipe['type'], rep['pid'], pipe['time_ns']),
                                                     ('write', rep['pid'], d['time_ns'])],
         [(e['event'], e['pid'], e['time_ns']) for e in d['evidence']])
check('fd %d is the read end of %s (since %s() at ' % (rep['fd'], rep['object'], pipe['type']) in d['message']
      and 'its write end is fd %d' % rep['other_end_fd'] in d['message'], 'wrongend: message %r' % d['message'])
passed('wrongend: %s' % d['message'])

t, d, rep = run('twice')
check_closed('twice', t, d, rep, rep['pid'])
check('fd %d was already closed at ' % rep['fd'] in d['message']
      and 'where it was the read end of %s' % rep['object'] in d['message']
      and 'A descriptor is closed once' in d['message'], 'twice: message %r' % d['message'])
passed('twice: %s' % d['message'])

t, d, rep = run('dup2')
# After the exec, the dynamic loader opens and closes files at fd 1: the child's close(1) explains it.
ex = one(select_events(t.events, type='exec', pid=rep['pid']), 'dup2: the exec')
close = check_closed('dup2', t, d, rep, rep['pid'], ex['time_ns'])
dup2 = one(select_events(t.events, type='dup2', pid=rep['pid'], newfd=1), 'dup2: the dup2')
loader = [e for e in select_events(t.events, type='openat', pid=rep['pid'], fd=1) if ex['time_ns'] < e['time_ns']]
check(bool(loader) == ('files opened since got that number' in d['message']),
      'dup2: files opened at fd 1 after the exec (%d), and the message %r' % (len(loader), d['message']))
check(dup2['time_ns'] < close['time_ns'] < ex['time_ns'] < d['time_ns'],
      'dup2: dup2, close(1), exec and the failed write in that order')
check_eq('dup2: the object dup2 made fd 1', rep['object'], dup2['object'])
check('where it was the write end of %s' % rep['object'] in d['message'], 'dup2: message %r' % d['message'])
passed('dup2: %s' % d['message'])
done()
