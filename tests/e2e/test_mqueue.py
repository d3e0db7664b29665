#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""POSIX message queues: `mqpingpong 4` (a producer and a consumer, a request
and a reply queue, batches of priorities 0..2, one request held back 200 ms)
traced with --pipes. The events count, per process, the messages and bytes
each way, EAGAIN, ETIMEDOUT and EMSGSIZE (with the mq_msgsize that explains
it) as each process counted them; the graph has the two queues, named by
their names, with their holders, messages and bytes each way; every message
has its time in the queue, and the held-back one's is within 20% of what
the consumer measured and of 200 ms."""

from common import check, check_clean_exit, check_count, check_eq, covers, done, example, passed, \
    select_events, trace
from pipecommon import check_objects, PIPES

covers('mq_open', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr', 'mq_unlink')

ROUNDS = 4
BATCH = 6
HOLD_NS = 200000000

t = trace([example('mqpingpong'), str(ROUNDS)], opts=PIPES)
check_clean_exit(t, 0)
rep = t.report
check(rep is not None, 'mqpingpong wrote no report')
ev = t.events
names = {'request': 'mqueue:' + rep['request'], 'reply': 'mqueue:' + rep['reply']}

# Events, per process, against its own counts.
inode = {}
for role in ('producer', 'consumer'):
    x = rep[role]
    pid = x['pid']
    opens = select_events(ev, type='mq_open', pid=pid)
    check_count('%s: mq_open calls' % role, 3 if role == 'consumer' else 2, opens)
    for o in opens:
        check_eq('%s mq_open kind' % role, 'mqueue', o.get('kind'))
        check_eq('%s mq_open (maxmsg, msgsize)' % role, (rep['maxmsg'], rep['msgsize']),
                 (o.get('maxmsg'), o.get('msgsize')))
    for o in select_events(ev, type='object', pid=pid, kind='mqueue'):
        if o.get('object'):
            inode[o['object']] = o['name']
    sends = select_events(ev, type='mq_timedsend', pid=pid)
    ok = [e for e in sends if e['ret'] == 0]
    check_count('%s: messages sent' % role, x['sent'], ok)
    check_eq('%s: bytes sent' % role, x['bytes_sent'], sum(e['bytes'] for e in ok))
    recvs = select_events(ev, type='mq_timedreceive', pid=pid)
    ok = [e for e in recvs if e['ret'] >= 0]
    check_count('%s: messages received' % role, x['received'], ok)
    check_eq('%s: bytes received' % role, x['bytes_received'], sum(e['bytes'] for e in ok))
    for err in ('EAGAIN', 'ETIMEDOUT', 'EMSGSIZE'):
        got = [e for e in recvs if e.get('errno') == err]
        check_eq('%s: %s receives' % (role, err), x[err.lower()], len(got))
        check(all(e['duration_ns'] >= 0 for e in got), '%s: %s without duration' % (role, err))
    for e in recvs:
        if e.get('errno') == 'EMSGSIZE':
            check(e['count'] < e['msgsize'] == rep['msgsize'],
                  'EMSGSIZE: count %r, msgsize %r' % (e['count'], e.get('msgsize')))
    for e in sends + ok:
        check(0 <= e['depth'] <= rep['maxmsg'], 'depth %r out of 0..%d' % (e.get('depth'), rep['maxmsg']))
passed('producer %d and consumer %d: messages, bytes and failures as each counted them'
       % (rep['producer']['pid'], rep['consumer']['pid']))

# Priorities: within each batch, the consumer takes the highest first.
got = [e for e in select_events(ev, type='mq_timedreceive', pid=rep['consumer']['pid']) if e['ret'] >= 0]
check_eq('receives without a priority pointer (the held-back one, last)', [False] * (len(got) - 1) + [True],
         ['priority' not in e for e in got])
taken = [e['priority'] for e in got[:-1]]
for b in range(ROUNDS):
    batch = taken[b * BATCH:(b + 1) * BATCH]
    check_eq('batch %d: priorities taken' % b, sorted(batch, reverse=True), batch)
passed('the priorities came out highest first in each of the %d batches' % ROUNDS)

unlinks = select_events(ev, type='mq_unlink', pid=rep['producer']['pid'])
check_count('mq_unlink calls', 2, unlinks)
check_count('mq_notify calls', 2, select_events(ev, type='mq_notify', pid=rep['producer']['pid']))
check_count('mq_getsetattr calls', 1, select_events(ev, type='mq_getsetattr', pid=rep['consumer']['pid']))
check_eq('names the object events gave', sorted([rep['request'], rep['reply']]), sorted(set(inode.values())))

# The graph.
graph = check_objects(t)
queues = {n: o for n, o in graph.items() if o['kind'] == 'mqueue'}
check_eq('queues in the graph', sorted(names.values()), sorted(queues))
prod, cons = rep['producer'], rep['consumer']
for which, writer, reader in (('request', prod, cons), ('reply', cons, prod)):
    o = queues[names[which]]
    msgs, nbytes = writer['sent'], writer['bytes_sent']
    check_eq('%s: (writes, bytes_written)' % which, (msgs, nbytes), (o['writes'], o['bytes_written']))
    check_eq('%s: (reads, bytes_read)' % which, (msgs, nbytes), (o['reads'], o['bytes_read']))
    by_pid = lambda lst: {w['pid']: (w['calls'], w['bytes']) for w in lst if w['calls']}
    check_eq('%s: writers that sent' % which, {writer['pid']: (msgs, nbytes)}, by_pid(o['writers']))
    check_eq('%s: readers that received' % which, {reader['pid']: (msgs, nbytes)}, by_pid(o['readers']))
    check_eq('%s: (maxmsg, msgsize)' % which, (rep['maxmsg'], rep['msgsize']), (o['maxmsg'], o['msgsize']))
    check(o['removed_ns'] is not None, '%s: not removed' % which)
    check_eq('%s: messages with a queue time' % which, msgs, o['queue_time']['messages'])
    check_eq('%s: left in the queue' % which, 0, o['in_queue'])
    check_eq('%s: warnings' % which, [], o['warnings'])
held = queues[names['request']]['queue_time']['max_ns']
for what, ref in (('the consumer\'s own measure', rep['held_ns']), ('200 ms', HOLD_NS)):
    check(abs(held - ref) <= 0.2 * ref, 'the held-back request: %d ns in the queue, %s %d ns' % (held, what, ref))
check_eq('leaked_ipc diagnoses', [], [d for d in t.diagnoses if d['kind'] == 'leaked_ipc'])
passed('graph: 2 queues, messages and bytes each way; the held-back request spent %.1f ms in its queue '
       '(the consumer measured %.1f ms)' % (held / 1e6, rep['held_ns'] / 1e6))
done()
