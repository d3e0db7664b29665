#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The daemon's socket protocol against a private ipctraced: well-formed
requests, malformed and random ones (each answered, the connection kept),
unskippable frames (answered, then the connection closed), half a frame,
and an unprivileged client. The daemon serves on throughout."""

import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import time

from common import (MSG_EVENT, MSG_JSON, NOBODY, Daemon, Lines, check, check_eq, connect, done,
                    example, fail, frame, passed, recv_frame, recv_json, request)

SEED = 20240611
RANDOM_FRAMES = 10000
BATCH = 200
TIMEOUT = 30


CONVERSION = re.compile(r'%(?:[-+ #0]*[0-9*]*(?:\.[0-9*]*)?(?:hh|h|ll|l|z|j|t)?[sdiuxcm]|%)')


def check_error(reply, what, *words):
    check(isinstance(reply, dict) and reply.get('ok') is False and isinstance(reply.get('error'), str)
          and reply['error'], '%s: expected {"ok": false, "error": ...}, got %r' % (what, reply))
    for w in words:
        check(w in reply['error'], '%s: the error does not mention %r: %r' % (what, w, reply['error']))
    # For the client's language (docs/protocol.md): the English format and each conversion's text,
    # which make the error again. Not the texts lib/ makes (a bad match, a limit), for now.
    if reply.get('bad_match') or reply.get('limit'):
        return
    msgid, args = reply.get('msgid'), reply.get('args')
    check(isinstance(msgid, str) and isinstance(args, list) and all(isinstance(a, str) for a in args),
          '%s: no "msgid" and "args" of strings: %r' % (what, reply))
    it = iter(args)
    filled = CONVERSION.sub(lambda m: '%' if m.group(0) == '%%' else next(it, '<missing>'), msgid)
    check_eq('%s: msgid %r filled with args %r' % (what, msgid, args), reply['error'], filled)
    check_eq('%s: args left over' % what, [], list(it))


def check_stats(s, what):
    r = request(s, {'cmd': 'stats'})
    check(r.get('ok') is True, '%s: stats failed: %r' % (what, r))
    for k in ('events', 'lost', 'clients', 'sessions'):
        check(isinstance(r.get(k), int) and not isinstance(r.get(k), bool),
              '%s: stats has no integer %r: %r' % (what, k, r))
    return r


def closed_by_peer(s):
    """True when the daemon closed the connection (EOF) within the timeout."""
    try:
        return s.recv(1) == b''
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


d = Daemon()
try:
    s = connect(d.socket)
    r = check_stats(s, 'first request')
    passed('stats: %r' % r)

    check_error(request(s, '{nope'), 'invalid JSON')
    check_error(request(s, '[1, 2]'), 'a JSON array')
    check_error(request(s, '{"cmd": "stats"} {"cmd": "stats"}'), 'two objects in one frame')
    check_error(request(s, '{"cmd": 7}'), 'a cmd that is not a string')
    check_error(request(s, '{}'), 'no cmd')
    check_error(request(s, ''), 'an empty frame')
    check_stats(s, 'after malformed requests')
    passed('malformed requests: error replies, connection kept')

    check_error(request(s, {'cmd': 'nosuch'}), 'unknown cmd', 'nosuch', 'trace', 'stats')
    for req in ({'cmd': 'trace'}, {'cmd': 'trace', 'pid': 'x'}, {'cmd': 'trace', 'pid': 1.5},
                {'cmd': 'trace', 'pid': 999999999}, {'cmd': 'trace', 'pid': 0},
                {'cmd': 'trace', 'pid': -1}, {'cmd': 'trace', 'pid': 2**40},
                {'cmd': 'trace', 'pid': d.pid}):
        check_error(request(s, req), json.dumps(req))
    check_stats(s, 'after bad trace requests')
    passed('unknown command and bad trace requests: error replies')

    # Random bytes as JSON frames, a batch at a time (each gets its reply, in order).
    rng = random.Random(SEED)
    sent = 0
    while sent < RANDOM_FRAMES:
        n = min(BATCH, RANDOM_FRAMES - sent)
        s.sendall(b''.join(frame(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200))))
                           for _ in range(n)))
        for i in range(n):
            reply = recv_json(s)
            if reply is None:
                fail('the daemon closed the connection after random frame %d' % (sent + i))
            check_error(reply, 'random frame %d' % (sent + i))
        sent += n
    check_stats(s, 'after %d random frames' % RANDOM_FRAMES)
    passed('%d random frames (seed %d): %d error replies, stats still answered'
           % (RANDOM_FRAMES, SEED, RANDOM_FRAMES))

    # A frame type clients do not send, but a valid one: answered.
    s.sendall(frame(b'\0' * 144, type_=MSG_EVENT))
    check_error(recv_json(s), 'an event frame from a client')
    s.close()

    # Unskippable frames: answered, then the connection is closed.
    for what, data in (('a header announcing 1 MiB', struct.pack('<IHH', 1 << 20, MSG_JSON, 0)),
                       ('a frame of unknown type 7', frame('{"cmd": "stats"}', type_=7))):
        s = connect(d.socket, timeout=TIMEOUT)
        s.sendall(data)
        check_error(recv_json(s), what)
        check(closed_by_peer(s), '%s: the daemon did not close the connection' % what)
        s.close()
    passed('oversized and unknown-type frames: error reply, connection closed')

    # Half a frame, then gone; connected and gone at once.
    s = connect(d.socket)
    s.sendall(frame('{"cmd": "stats"}')[:5])
    s.close()
    s = connect(d.socket)
    s.sendall(struct.pack('<IHH', 100, MSG_JSON, 0) + b'{"cmd"')
    s.close()
    connect(d.socket).close()
    s = connect(d.socket)
    r = check_stats(s, 'a fresh connection after half frames')
    check(d.alive(), 'ipctraced died')
    passed('half frames and hang-ups: the daemon serves on (clients=%r)' % r.get('clients'))

    # Trace a live process: one session, not two.
    w = subprocess.Popen([example('waitsig')], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        check(Lines(w.stdout).wait_for(lambda ls: 'ready' in ls, TIMEOUT), 'waitsig did not start')
        r = request(s, {'cmd': 'trace', 'pid': w.pid})
        check(r.get('ok') is True and isinstance(r.get('session'), int),
              'trace of waitsig (pid %d) failed: %r' % (w.pid, r))
        session = r['session']
        s2 = connect(d.socket)
        check_error(request(s2, {'cmd': 'trace', 'pid': w.pid}), 'tracing a traced process', 'already')
        st = check_stats(s2, 'during a session')
        check_eq('sessions during the trace', 1, st.get('sessions'))
        s2.close()
        w.send_signal(signal.SIGTERM)
        w.wait(timeout=TIMEOUT)
        sizes, nevents, notice = set(), 0, None
        while notice is None:
            f = recv_frame(s)
            check(f is not None, 'the daemon closed the connection before the session ended')
            if f[0] == MSG_EVENT:
                sizes.add(len(f[1]))
                nevents += 1
            else:
                notice = json.loads(f[1])
        check_eq('the notice after waitsig\'s death', ('session_end', session, 'exited'),
                 (notice.get('notice'), notice.get('session'), notice.get('reason')))
        check(nevents >= 1, 'no events streamed before session_end: %r' % notice)
        check_eq('events streamed vs the notice\'s count', notice.get('events'), nevents)
        check_eq('lost in the notice', 0, notice.get('lost'))
        check(len(sizes) == 1 and min(sizes) >= 48, 'event frames of sizes %r' % sorted(sizes))
        passed('trace of pid %d: session %d, a second trace refused, events, session_end exited'
               % (w.pid, session))
    finally:
        if w.poll() is None:
            w.kill()
            w.wait(timeout=TIMEOUT)
        w.stdout.close()

    # An unprivileged client: it may ask for stats, not trace root's processes.
    rfd, wfd = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(rfd)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            c = connect(d.socket)
            out = {'stats': request(c, {'cmd': 'stats'}), 'trace': request(c, {'cmd': 'trace', 'pid': 1})}
            os.write(wfd, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd, 'rb') as f:
        data = f.read()
    pid, status = os.waitpid(child, 0)
    check(data, 'the unprivileged client reported nothing (status %d)' % status)
    out = json.loads(data)
    check(out['stats'].get('ok') is True, 'uid %d: stats refused: %r' % (NOBODY, out['stats']))
    check_error(out['trace'], 'uid %d tracing pid 1' % NOBODY, 'permission denied')
    passed('uid %d: stats ok, trace of pid 1: %r' % (NOBODY, out['trace']['error']))

    # Every client that went away is forgotten: only this one is left.
    deadline = time.monotonic() + TIMEOUT
    while check_stats(s, 'at the end')['clients'] != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    check_eq('clients the daemon counts, with only this one connected', 1,
             check_stats(s, 'at the end')['clients'])
    s.close()
    check(d.alive(), 'ipctraced died')
    status = d.kill(signal.SIGTERM)
    check_eq('ipctraced exit status after SIGTERM', 0, status)
    check(not os.path.exists(d.socket), 'ipctraced left its socket behind')
    passed('ipctraced alive to the end, exits 0 on SIGTERM')
finally:
    d.cleanup()
done()
