#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace pipes MATCH...` (ipctrace(1) "Fields of pipes", docs/pipes.md):
the daemon filters the objects of its sessions by session, pid (any holder),
comm, kind, object (pipe:[N], socket:[N] or the inode N) and path; the same
field twice means either value, different fields must all match; a bad
value is an error (exit 2) that names it.

A private daemon traces three programs, each in its own session:
`sigcases sigpipe` (one pipe), a FIFO writer and reader (one FIFO at a path
of the test's), and `unixsrv PATH 3` (a listening socket, 3 accepted, 3
clients). Their reports give every inode, pid and fd, so the answer to each
match is known from them alone:

- no match: exactly those 9 objects;
- each field alone, twice (OR), and with another (AND), including a
  socket:[N] that names a pipe's inode (nothing) and N alone (the pipe);
- a match's text (the pipe's block) and dot (only that object);
- bad values and fields: exit 2, the error names the value, nothing on
  stdout, the daemon still answers."""

import json
import os
import shutil
import tempfile

from common import Daemon, check, check_eq, done, example, passed, run_cli
from textcommon import run_reported

d = Daemon()
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-')
try:
    sock = d.socket

    def traced(args, what):
        r = run_reported(['run', '-s', sock, '-o', 'json', '--'] + args)
        check_eq('%s: exit status (stderr %r)' % (what, r.stderr), 0, r.returncode)
        sessions = {json.loads(line)['session'] for line in r.stdout.splitlines()[:-1]}
        check_eq('%s: sessions' % what, 1, len(sessions))
        return r, sessions.pop()

    # A pipe nobody reads.
    r, s_pipe = traced([example('sigcases'), 'sigpipe'], 'sigcases sigpipe')
    sp = r.report
    pipe = 'pipe:[%d]' % sp['inode']

    # A FIFO between two processes.
    fifo_path = os.path.join(tmp, 'fifo')
    os.mkfifo(fifo_path)
    fifo = 'pipe:[%d]' % os.stat(fifo_path).st_ino
    reports = {role: os.path.join(tmp, role + '.json') for role in ('writer', 'reader')}
    script = ('IPCTRACE_REPORT=%s %s %s writer 1000 & IPCTRACE_REPORT=%s %s %s reader 1000; wait'
              % (reports['writer'], example('fifo'), fifo_path, reports['reader'], example('fifo'), fifo_path))
    r, s_fifo = traced(['/bin/sh', '-c', script], 'the FIFO writer and reader')
    fr = {}
    for role, path in reports.items():
        with open(path) as f:
            fr[role] = json.load(f)
        check_eq('the FIFO %s: the inode it opened' % role, fifo, 'pipe:[%d]' % fr[role]['inode'])

    # A server and its clients.
    sock_path = os.path.join(tmp, 'srv.sock')
    r, s_srv = traced([example('unixsrv'), sock_path, '3'], 'unixsrv')
    us = r.report
    listen = 'socket:[%d]' % us['listen_inode']
    accepted = ['socket:[%d]' % a['inode'] for a in us['accepted']]
    clients = ['socket:[%d]' % c['inode'] for c in us['clients']]
    sockets = [listen] + accepted + clients
    check_eq('sessions of the three runs', 3, len({s_pipe, s_fifo, s_srv}))
    passed('traced: %s (session %d), FIFO %s (session %d), %d sockets (session %d)'
           % (pipe, s_pipe, fifo, s_fifo, len(sockets), s_srv))

    def query(*matches, out='json', code=0):
        r = run_cli(['pipes', '-s', sock, '-o', out] + list(matches))
        check_eq('pipes %s: exit status (stderr %r)' % (' '.join(matches), r.stderr), code, r.returncode)
        if out != 'json' or code:
            return r
        return [json.loads(line) for line in r.stdout.splitlines()]

    def objects(*matches):
        return sorted(o['object'] for o in query(*matches))

    everything = query()
    check_eq('no match: the objects', sorted([pipe, fifo] + sockets), sorted(o['object'] for o in everything))
    kinds = {o['object']: (o['kind'], o['session']) for o in everything}
    check_eq('no match: (kind, session) of each', dict([(pipe, ('pipe', s_pipe)), (fifo, ('fifo', s_fifo))] +
                                                       [(x, ('socket', s_srv)) for x in sockets]), kinds)
    passed('no match: exactly the 9 objects of the 3 sessions')

    client_pid = us['clients'][0]['pid']
    cases = [
        (['session=%d' % s_pipe], [pipe]),
        (['session=%d' % s_pipe, 'session=%d' % s_fifo], [pipe, fifo]),
        (['session=%d' % s_srv], sockets),
        (['session=%d' % s_srv, 'kind=pipe'], []),
        (['kind=pipe'], [pipe]),
        (['kind=fifo'], [fifo]),
        (['kind=pipe', 'kind=fifo'], [pipe, fifo]),
        (['kind=socket'], sockets),
        # The child wrote to the pipe; the server held the listening and accepted sockets;
        # each client inherited the listening socket (then closed it) and made its own.
        (['pid=%d' % sp['child']], [pipe]),
        (['pid=%d' % sp['child'], 'kind=socket'], []),
        (['pid=%d' % fr['writer']['pid']], [fifo]),
        (['pid=%d' % fr['writer']['pid'], 'pid=%d' % sp['pid']], [pipe, fifo]),
        (['pid=%d' % us['server_pid']], [listen] + accepted),
        (['pid=%d' % client_pid], [listen, clients[0]]),
        (['comm=sigcases'], [pipe]),
        (['comm=fifo'], [fifo]),
        (['comm=unixsrv'], sockets),
        (['comm=unixsrv', 'comm=fifo', 'kind=fifo'], [fifo]),
        (['object=' + pipe], [pipe]),
        (['object=%d' % sp['inode']], [pipe]),
        (['object=socket:[%d]' % sp['inode']], []),
        (['object=' + listen], [listen]),
        (['object=pipe:[%d]' % us['listen_inode']], []),
        (['object=' + pipe, 'object=' + fifo], [pipe, fifo]),
        (['path=' + fifo_path], [fifo]),
        # An accepted socket has the server's address as its own.
        (['path=' + sock_path], [listen] + accepted),
        (['path=' + sock_path, 'pid=%d' % client_pid], [listen]),
        (['path=/nonexistent'], []),
    ]
    for matches, want in cases:
        check_eq('pipes %s: objects' % ' '.join(matches), sorted(want), objects(*matches))
    passed('%d matches, each field alone, twice and with another: the objects the reports say' % len(cases))

    text = query('object=' + pipe, out='text').stdout
    check_eq('pipes object=%s -o text: the object lines' % pipe, [pipe + ' pipe'],
             [line for line in text.splitlines() if not line.startswith(' ')])
    check(text.splitlines()[1] == '  0 bytes written in 0 calls, 0 bytes read in 0 calls, 1 EPIPE',
          'pipes object=%s -o text: totals %r' % (pipe, text.splitlines()[1:2]))
    dot = query('object=' + pipe, out='dot').stdout
    check(dot.startswith('digraph ipctrace {') and '  o%d [' % sp['inode'] in dot,
          'pipes object=%s -o dot: %r' % (pipe, dot[:300]))
    for other in [fifo] + sockets:
        check(other not in text and other not in dot, 'pipes object=%s: %s in the text or dot' % (pipe, other))
    passed('a match\'s text and dot have only the object matched')

    long_path = 'path=/' + 'x' * 80
    for bad, words in (('kind=bogus', ['kind', "'bogus'", 'pipe, fifo, socket']),
                       ('session=x', ['session', "'x'", 'not a number']),
                       ('pid=-1', ['pid', "'-1'"]),
                       ('object=foo', ['object', "'foo'", 'pipe:[N]']),
                       ('object=pipe:[12', ['object', "'pipe:[12'"]),
                       ('object=12abc', ['object', "'12abc'"]),
                       ('object=socket:[]', ['object', "'socket:[]'"]),
                       ('tid=1', ["unknown field 'tid'", 'session', 'path']),
                       ('kind', ['FIELD=VALUE']),
                       (long_path, ['path', 'longer than'])):
        r = query(bad, code=2)
        for w in words:
            check(w in r.stderr, 'pipes %s: the error does not say %r: %r' % (bad[:30], w, r.stderr))
        check_eq('pipes %s: stdout' % bad[:30], '', r.stdout)
    check_eq('after the bad matches: the objects', sorted([pipe, fifo] + sockets), objects())
    passed('bad values and fields: exit 2, the error names them; the daemon answers as before')
    check(d.alive(), 'the daemon died')
finally:
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
