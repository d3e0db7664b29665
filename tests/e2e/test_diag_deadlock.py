#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`deadlock CASE`: a parent and a child that block for ever waiting for
each other, five classic ways (examples/deadlock.c). Each is traced live
with `ipctrace run -o json`; the test waits for the `deadlock` diagnosis,
checks that both processes are still asleep when it comes, then kills them.
The diagnosis names both processes (from the program's own report), what
each is blocked in (wait4, read, write), on which descriptor and object,
who holds the end that could wake it, and the way out; and it is the only
diagnosis (the reader in the circle gets no no_eof of its own):

- waitpipe: the child writes 100000 bytes into a pipe; the parent waits
  for it before reading (the child blocks on the full pipe);
- holdwrite: the parent keeps its write end open and waits; the child reads
  to end of file;
- twopipes: two pipes, each process reads before it writes;
- fifo: the same through two FIFOs opened by path;
- socketpair: both ends of one socketpair read before they write."""

import shutil
import tempfile

from common import check, check_eq, done, example, passed
from diagcommon import diagnoses_of, roles, trace_hang
from pipecommon import obj_name

TMP = tempfile.mkdtemp(prefix='ipctrace-e2e-deadlock-')


def both(rep):
    return [rep['parent_pid'], rep['child_pid']]


def members(d):
    """{pid: (call, fd, object, waits_for)} of the members of the circle."""
    return {p['pid']: (p['call'], p['fd'], p['object'], sorted(p['waits_for']))
            for p in d['processes'] if p['role'] == 'member'}


def run(case, *extra):
    t, states = trace_hang([example('deadlock'), case] + list(extra), 'deadlock', both)
    rep = t.report
    parent, child = rep['parent_pid'], rep['child_pid']
    check_eq('%s: states of parent and child when the diagnosis came (asleep)' % case,
             {parent: 'S', child: 'S'}, states)
    ds = diagnoses_of(t, 'deadlock')
    check_eq('%s: deadlock diagnoses' % case, 1, len(ds))
    check_eq('%s: kinds of diagnosis' % case, ['deadlock'], [d['kind'] for d in t.diagnoses])
    d = ds[0]
    check_eq('%s: processes and roles' % case, {parent: 'member', child: 'member'}, roles(d))
    check_eq('%s: session' % case, {e['session'] for e in t.events}, {d['session']})
    check_eq('%s: the diagnosis names the parent first' % case, (parent, 'deadlock'), (d['pid'], d['comm']))
    # After the diagnosis they only died: no call started then (the blocked ones ended with the kill).
    after = [(e['pid'], e['type']) for e in t.events if e.get('pid') in (parent, child) and 'duration_ns' in e
             and e['time_ns'] - e['duration_ns'] > d['time_ns']]
    check_eq('%s: calls that parent and child started after the diagnosis' % case, [], after)
    check_eq('%s: calls the kill cut short, each blocked since before the diagnosis' % case, 2,
             len([e for e in t.events if e.get('pid') in (parent, child) and 'duration_ns' in e
                  and e['time_ns'] > d['time_ns'] and e['time_ns'] - e['duration_ns'] < d['time_ns'] - 10**9]))
    check_eq('%s: evidence: one "blocked" per member' % case, [('blocked', parent), ('blocked', child)],
             sorted((e['event'], e['pid']) for e in d['evidence']))
    for pid in (parent, child):
        check('deadlock[%d] has been blocked for' % pid in d['message'],
              '%s: the message does not say what %d is blocked in: %r' % (case, pid, d['message']))
    check('Way out: ' in d['message'], '%s: no way out in %r' % (case, d['message']))
    check_eq('%s: ipctrace exit status (killed)' % case, 137, t.returncode)
    return d, rep, parent, child


# 1. wait() before read() with more than a pipe holds.
d, rep, parent, child = run('waitpipe')
name = obj_name('pipe', rep['inode'])
check_eq('waitpipe: members', {parent: ('wait4', None, None, [child]),
                               child: ('write', rep['write_fd'], name, [parent])}, members(d))
check_eq('waitpipe: objects', [name], d['objects'])
check_eq('waitpipe: (fd, object)', (rep['write_fd'], name), (d['fd'], d['object']))
check('in write to %s (fd %d): it is full' % (name, rep['write_fd']) in d['message']
      and 'only deadlock[%d] (fd %d) can read it' % (parent, rep['read_fd']) in d['message']
      and 'deadlock[%d] must read %s until end of file before it waits for deadlock[%d]'
      % (parent, name, child) in d['message'], 'waitpipe: message %r' % d['message'])
passed('waitpipe: %s' % d['message'])

# 2. The parent waits with its write end still open.
d, rep, parent, child = run('holdwrite')
name = obj_name('pipe', rep['inode'])
check_eq('holdwrite: members', {parent: ('wait4', None, None, [child]),
                                child: ('read', rep['read_fd'], name, [parent])}, members(d))
check('in read on %s (fd %d): it is empty, and only deadlock[%d] (fd %d) can write to it'
      % (name, rep['read_fd'], parent, rep['write_fd']) in d['message']
      and 'deadlock[%d] must close its end of %s before it waits' % (parent, name) in d['message'],
      'holdwrite: message %r' % d['message'])
passed('holdwrite: %s' % d['message'])

# 3. Two pipes, each side reads first.
d, rep, parent, child = run('twopipes')
up, down = obj_name('pipe', rep['up']['inode']), obj_name('pipe', rep['down']['inode'])
check_eq('twopipes: members', {parent: ('read', rep['up']['read_fd'], up, [child]),
                               child: ('read', rep['down']['read_fd'], down, [parent])}, members(d))
check_eq('twopipes: objects', sorted([up, down]), sorted(d['objects']))
check('each waits to read what another has not written yet' in d['message'],
      'twopipes: message %r' % d['message'])
passed('twopipes: %s' % d['message'])

# 4. Two FIFOs, each side reads first.
d, rep, parent, child = run('fifo', TMP)
a, b = obj_name('pipe', rep['a']['inode']), obj_name('pipe', rep['b']['inode'])
check_eq('fifo: members', {parent: ('read', rep['a']['parent_fd'], a, [child]),
                           child: ('read', rep['b']['child_fd'], b, [parent])}, members(d))
check('in read on the FIFO %s (%s, fd %d)' % (rep['a']['path'], a, rep['a']['parent_fd']) in d['message']
      and 'but a process that opens the FIFO' in d['message'], 'fifo: message %r' % d['message'])
passed('fifo: %s' % d['message'])

# 5. A socketpair, each side reads first.
d, rep, parent, child = run('socketpair')
ps, cs = obj_name('socket', rep['parent']['inode']), obj_name('socket', rep['child']['inode'])
check_eq('socketpair: members', {parent: ('read', rep['parent']['fd'], ps, [child]),
                                 child: ('read', rep['child']['fd'], cs, [parent])}, members(d))
passed('socketpair: %s' % d['message'])

shutil.rmtree(TMP, True)
done()
