#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Malformed requests of the log era against a private daemon (the frame
level is test_protocol.py's): `log` with a match that is not a list of
strings, since/until that are not integers, a negative or huge limit,
follow that is not a boolean; the same for `signals`, `pipes`, `trace`
(pid, pids, the boolean options) and `detach`; deep nesting; then 10,000
random JSON objects (seeded) for cmd log/signals/pipes/trace/detach, each
with random keys and values and at least one known field given a bad
value. Every one gets exactly one error reply naming its command, and no
event frame; the connection stays usable. Then a follower refuses a second
query but keeps following, and the daemon answers a normal `log` with
exactly the events a run streamed."""

import json
import random
import string

from common import (MSG_EVENT, MSG_JSON, Daemon, check, check_clean_exit, check_eq, connect, done, example,
                    fail, frame, passed, recv_frame, request, trace)
from logcommon import log, same_events

SEED = 20261125
RANDOM_REQUESTS = 10000
BATCH = 250
INT32_MAX = 2**31 - 1

CMDS = ('log', 'signals', 'pipes', 'trace', 'detach')
KNOWN = {
    'log': ('match', 'since', 'until', 'limit', 'follow'),
    'signals': ('match',),
    'pipes': ('match',),
    'trace': ('pid', 'pids', 'from_exec', 'records', 'pipes', 'all', 'background'),
    'detach': ('session', 'outlived'),
}
BOOLS = ('from_exec', 'records', 'pipes', 'all', 'background', 'follow', 'outlived')
BAD_TERMS = ('bogus=1', 'pid', '=', 'pid=', 'pid=-1', 'pid=x', 'sig=SIGFOO', 'sig=0', 'type=nokill',
             'errno=EFOO', 'kind=x', 'result=lost', 'outcome=nope', 'tree=abc', 'session=1.5', '=1',
             'pid==1', ' pid=1', 'PID=1')

rng = random.Random(SEED)


def rand_str(n=None):
    n = rng.randint(0, 40) if n is None else n
    pool = string.printable + 'éß漢\u2028\U0001f600\x00\x7f'
    return ''.join(rng.choice(pool) for _ in range(n))


def rand_value(depth=0, ints=True):
    """Any JSON value; with ints=False no integer at the top."""
    choices = ['str', 'float', 'bool', 'null', 'list', 'obj', 'bigfloat']
    if ints:
        choices += ['int', 'bigint', 'negint']
    if depth > 2:
        choices = [c for c in choices if c not in ('list', 'obj')]
    k = rng.choice(choices)
    if k == 'int':
        return rng.randint(0, 100)
    if k == 'bigint':
        return rng.choice([2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30])
    if k == 'negint':
        return -rng.choice([1, 2**31, 2**63, 10**30])
    if k == 'str':
        return rand_str()
    if k == 'float':
        return rng.uniform(-1e6, 1e6)
    if k == 'bigfloat':
        return rng.choice([1e308, -1e308, 1.5, 0.5, -0.0])
    if k == 'bool':
        return rng.random() < 0.5
    if k == 'null':
        return None
    if k == 'list':
        return [rand_value(depth + 1) for _ in range(rng.randint(0, 5))]
    return {rand_str(rng.randint(0, 8)): rand_value(depth + 1) for _ in range(rng.randint(0, 5))}


def not_int():
    """Anything but an integer and null (which stands for "absent")."""
    v = rand_value(ints=False)
    while v is None:
        v = rand_value(ints=False)
    return v


def bad_match():
    k = rng.randrange(4)
    if k == 0:
        v = rand_value()
        return v if not isinstance(v, list) and v is not None else 'pid=1'
    if k == 1:
        terms = [rng.choice(BAD_TERMS + ('pid=1', 'comm=x')) for _ in range(rng.randint(0, 5))]
        terms.insert(rng.randint(0, len(terms)), rng.choice([1, None, True, [], {}, 1.5, ['pid=1']]))
        return terms
    if k == 2:
        return ['pid=%d' % i for i in range(rng.randint(65, 200))]
    terms = [rng.choice(('pid=1', 'comm=x', 'sig=SIGUSR1', 'type=kill')) for _ in range(rng.randint(0, 5))]
    terms.insert(rng.randint(0, len(terms)), rng.choice(BAD_TERMS) if rng.random() < 0.8 else rand_str())
    return terms


def bad_value(cmd, key):
    """A value of key that the daemon must refuse (for a request with that cmd)."""
    if key == 'match':
        return bad_match()
    if key in ('since', 'until'):
        return not_int()
    if key == 'limit':
        return rng.choice([not_int(), -1, -rng.randint(1, 2**62), 10000001, 2**62, 2**63 - 1, 2**64, None, 1.0])
    if key in BOOLS:
        v = rand_value()
        return v if not isinstance(v, bool) else rng.choice([0, 1, 'true', None])
    if key == 'pid':
        return rng.choice([not_int(), 0, -1, -rng.randint(1, 2**62), INT32_MAX + 1, 2**40, 2**63, 1.0, None])
    if key == 'pids':
        k = rng.randrange(4)
        if k == 0:
            v = rand_value()
            return v if not isinstance(v, list) else 5
        if k == 1:
            return []
        if k == 2:
            return list(range(INT32_MAX - 99, INT32_MAX + 1))  # over 64
        return [rng.choice([0, -1, 'x', 1.5, None, INT32_MAX + 1, [], 2**63])]
    if key == 'session':
        # No session exists in this daemon: any id is unknown.
        return rng.choice([not_int(), rng.randint(-2**63, 2**63 - 1), 0, 2**64, None])
    fail('no bad value for %s' % key)


def other_value(cmd, key):
    """Any value for a known field that is not the bad one: never a real pid for trace."""
    if key in ('pid', 'pids'):
        return bad_value(cmd, key)
    return rand_value()


def random_request():
    cmd = rng.choice(CMDS)
    req = {}
    keys = list(KNOWN[cmd])
    bad = rng.choice(keys)
    for k in rng.sample(keys, rng.randint(0, len(keys))):
        req[k] = other_value(cmd, k)
    req[bad] = bad_value(cmd, bad)
    for _ in range(rng.randint(0, 6)):
        k = rand_str(rng.randint(0, 12))
        if k not in KNOWN[cmd] and k != 'cmd':
            req[k] = rand_value()
    items = list(req.items())
    rng.shuffle(items)
    items.insert(rng.randint(0, len(items)), ('cmd', cmd))
    return cmd, json.dumps(dict(items))


def next_json(s, what):
    """The next frame, which must be a JSON one (an error reply makes no events)."""
    f = recv_frame(s)
    if f is None:
        fail('%s: the daemon closed the connection' % what)
    if f[0] != MSG_JSON:
        fail('%s: a frame of type %d instead of the reply' % (what, f[0]))
    try:
        return json.loads(f[1])
    except ValueError:
        fail('%s: a reply that is not JSON: %r' % (what, f[1][:200]))


def check_error(reply, what, cmd=None):
    check(isinstance(reply, dict) and reply.get('ok') is False and isinstance(reply.get('error'), str)
          and reply['error'], '%s: expected {"ok": false, "error": ...}, got %r' % (what, reply))
    if cmd:
        check(reply['error'].startswith(cmd + ':') or reply['error'].startswith('malformed request'),
              '%s: the error does not start with %r: %r' % (what, cmd + ':', reply['error']))


def stats_ok(s, what):
    r = request(s, {'cmd': 'stats'})
    check(r.get('ok') is True, '%s: stats: %r' % (what, r))
    return r


d = Daemon()
try:
    sock = d.socket
    t = trace([example('signals'), '3'], opts=['-s', sock])
    check_clean_exit(t, 0)

    s = connect(sock, timeout=30)
    fixed = []
    for m in ('pid=1', 1, 1.5, True, {}, {'pid': 1}, [1], [None], [['pid=1']], ['pid=%d' % i for i in range(65)],
              ['bogus=1'], ['pid'], ['sig=SIGFOO'], ['pid=1', 7]):
        fixed += [('log', {'cmd': 'log', 'match': m}), ('signals', {'cmd': 'signals', 'match': m}),
                  ('pipes', {'cmd': 'pipes', 'match': m})]
    for k in ('since', 'until'):
        for v in ('now', '-5m', 1.5, True, [], {}, [1]):
            fixed.append(('log', {'cmd': 'log', k: v}))
    for v in (-1, -2**63, 10000001, 2**62, 2**63 - 1, 2**64, 10**30, '5', 1.5, True, None, [], {}):
        fixed.append(('log', {'cmd': 'log', 'limit': v}))
    for v in ('yes', 1, 0, None, [], {}, 'true'):
        fixed.append(('log', {'cmd': 'log', 'follow': v}))
        for k in ('from_exec', 'records', 'pipes', 'all', 'background'):
            fixed.append(('trace', {'cmd': 'trace', k: v, 'pid': INT32_MAX}))
        fixed.append(('detach', {'cmd': 'detach', 'session': 1, 'outlived': v}))
    for v in ('x', 1.5, None, 0, -1, 2**40, 2**63, [], {}, True):
        fixed.append(('trace', {'cmd': 'trace', 'pid': v}))
    for v in (5, 'x', [], [0], [-1], ['1'], [1.5], [None], list(range(1, 66)), [2**40], {}):
        fixed.append(('trace', {'cmd': 'trace', 'pids': v}))
    fixed.append(('trace', {'cmd': 'trace', 'all': True, 'pids': [0]}))
    fixed.append(('trace', {'cmd': 'trace', 'all': False}))
    fixed.append(('trace', {'cmd': 'trace'}))
    for v in ('x', 1.5, None, 0, -1, 1, 2**63 - 1, 2**64, [], {}, True):
        fixed.append(('detach', {'cmd': 'detach', 'session': v}))
    fixed.append(('detach', {'cmd': 'detach'}))
    for cmd, req in fixed:
        check_error(request(s, req), json.dumps(req)[:200], cmd)
    # Deep nesting: refused as malformed (or by its command), without harm.
    for depth in (100, 1000, 30000):
        body = '{"cmd": "log", "match": ' + '[' * depth + ']' * depth + '}'
        s.sendall(frame(body))
        check_error(next_json(s, 'nesting %d deep' % depth), 'nesting %d deep' % depth)
    stats_ok(s, 'after the fixed requests')
    check_eq('sessions after refused traces', 0, stats_ok(s, 'sessions')['sessions'])
    passed('%d malformed log/signals/pipes/trace/detach requests and deep nesting: error replies, '
           'connection kept' % len(fixed))

    sent = 0
    by_cmd = dict.fromkeys(CMDS, 0)
    while sent < RANDOM_REQUESTS:
        n = min(BATCH, RANDOM_REQUESTS - sent)
        batch = [random_request() for _ in range(n)]
        s.sendall(b''.join(frame(body) for _, body in batch))
        for i, (cmd, body) in enumerate(batch):
            check_error(next_json(s, 'random request %d %s' % (sent + i, body[:300])),
                        'random request %d %s' % (sent + i, body[:300]), cmd)
            by_cmd[cmd] += 1
        sent += n
    st = stats_ok(s, 'after %d random requests' % RANDOM_REQUESTS)
    check_eq('sessions after the random requests', 0, st['sessions'])
    check(d.alive(), 'the daemon died')
    passed('%d random requests (seed %d; %s): one error reply each, no session, stats still answered'
           % (RANDOM_REQUESTS, SEED, ', '.join('%s %d' % kv for kv in by_cmd.items())))

    # A raw log query: the events, then log_end with their count.
    r = request(s, {'cmd': 'log', 'match': ['comm=signals']})
    check(r.get('ok') is True and isinstance(r.get('realtime_offset_ns'), int), 'log: %r' % r)
    n = 0
    while True:
        f = recv_frame(s)
        check(f is not None, 'the connection closed before log_end')
        if f[0] == MSG_EVENT:
            n += 1
            continue
        end = json.loads(f[1])
        break
    check_eq('log_end notice', ('log_end', len(t.events), len(t.events), [], False),
             (end.get('notice'), end.get('count'), n, end.get('losses'), end.get('following')))
    s.close()
    passed('then a raw log query on that connection: %d events and log_end' % n)

    # A follower: a second query on its connection is refused, other requests answered, it follows on.
    f = connect(sock, timeout=30)
    r = request(f, {'cmd': 'log', 'follow': True, 'match': ['comm=signals'], 'since': 0})
    check(r.get('ok') is True, 'log follow: %r' % r)
    before = 0
    while True:
        fr = recv_frame(f)
        check(fr is not None, 'the follower\'s connection closed')
        if fr[0] == MSG_EVENT:
            before += 1
            continue
        end = json.loads(fr[1])
        break
    check_eq('the follower\'s log_end: (notice, count, following)', ('log_end', len(t.events), True),
             (end.get('notice'), end.get('count'), end.get('following')))
    check_error(request(f, {'cmd': 'log'}), 'a second log on a following connection', 'log')
    check('already' in request(f, {'cmd': 'log', 'follow': True})['error'], 'a second follow: no "already"')
    stats_ok(f, 'stats on a following connection')
    t2 = trace([example('signals'), '2'], opts=['-s', sock])
    check_clean_exit(t2, 0)
    got = 0
    while got < len(t2.events):
        fr = recv_frame(f)
        check(fr is not None, 'the follower\'s connection closed after %d events' % got)
        check_eq('frame type the follower gets', MSG_EVENT, fr[0])
        got += 1
    f.close()
    passed('a follower: a second query refused, stats answered, the next run\'s %d events followed' % got)

    same_events('ipctrace log after all that', t.events + t2.events, log(sock))
    check(d.alive(), 'the daemon died')
    passed('the daemon answers a normal `ipctrace log` with exactly the runs\' events')
finally:
    d.cleanup()
done()
