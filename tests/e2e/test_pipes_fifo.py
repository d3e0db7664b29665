#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A FIFO between two unrelated processes: `sh -c 'fifo P writer N & fifo P
reader N; wait'` traced with --pipes. The graph has one object, kind "fifo",
named pipe:[inode of P] with path P; its only writer is the writer process
(its fd, N bytes, its write calls) and its only reader the reader process
(its fd, N bytes, its read calls with the final EOF), as each reports and as
the raw events say."""

from common import check, check_clean_exit, check_eq, done, one, passed, select_events, trace
from pipecommon import (check_against_events, check_all_closed, check_objects, ends, fifo_pair, obj_name,
                        PIPES)

N = 300000

t, path, inode, rep = fifo_pair(lambda argv: trace(argv, opts=PIPES, to_files=True), N)
ev = t.events
check_clean_exit(t, 0)
w, r = rep['writer'], rep['reader']
name = obj_name('fifo', inode)
for role, x in rep.items():
    check_eq('%s: inode of the FIFO it opened (fstat) vs os.stat(P)' % role, inode, x['inode'])
    check_eq('%s: bytes' % role, N, x['bytes'])
check(w['pid'] != r['pid'], 'writer and reader are one process')
passed('writer %d (fd %d) wrote %d bytes in %d calls, reader %d (fd %d) read them in %d calls, '
       'through %s' % (w['pid'], w['fd'], N, w['calls'], r['pid'], r['fd'], r['calls'], name))

# Raw events.
for role, x, call, end in (('writer', w, 'write', 'write'), ('reader', r, 'read', 'read')):
    op = one(select_events(ev, type=('open', 'openat'), pid=x['pid'], ret=x['fd']),
             'open of the FIFO by the %s' % role)
    check_eq('%s open: object' % role, name, op.get('object'))
    check_eq('%s open: kind' % role, 'fifo', op.get('kind'))
    check_eq('%s open: end' % role, end, op.get('end'))
    calls = select_events(ev, type=call, pid=x['pid'])
    check_eq('%s: %s calls (events vs report)' % (role, call), x['calls'], len(calls))
    check_eq('%s: bytes (events)' % role, N, sum(e['bytes'] for e in calls))
    for e in calls:
        check_eq('%s %s: (object, kind, fd, end)' % (role, call), (name, 'fifo', x['fd'], end),
                 (e.get('object'), e.get('kind'), e.get('fd'), e.get('end')))
    check_eq('%ss on %s by other processes' % (call, name), [],
             [e for e in select_events(ev, type=call, object=name) if e['pid'] != x['pid']])
    c = one(select_events(ev, type='close', pid=x['pid'], object=name), 'close of the FIFO by the %s' % role)
    check_eq('%s close fd' % role, x['fd'], c['fd'])
passed('events: open, %d writes, %d reads (last one EOF) and the closes, all on %s'
       % (w['calls'], r['calls'], name))

graph = check_objects(t)
check_eq('objects in the graph (stdout/stderr are files: only the FIFO)', [name], sorted(graph))
o = graph[name]
check_eq('kind', 'fifo', o['kind'])
check_eq('inode', inode, o['inode'])
check_eq('path', path, o['path'])
check_eq('writers (pid, fd, bytes, calls)', [(w['pid'], w['fd'], N, w['calls'])], ends(o['writers']))
check_eq('readers (pid, fd, bytes, calls)', [(r['pid'], r['fd'], N, r['calls'])], ends(o['readers']))
check_eq('writer comm', 'fifo', o['writers'][0]['comm'])
check_eq('reader comm', 'fifo', o['readers'][0]['comm'])
check_eq('bytes_written', N, o['bytes_written'])
check_eq('bytes_read', N, o['bytes_read'])
check_eq('writes', w['calls'], o['writes'])
check_eq('reads (with the EOF read)', r['calls'], o['reads'])
check_eq('eof_reads', r['eof_reads'], o['eof_reads'])
check_eq('epipe_writes', 0, o['epipe_writes'])
check_eq('eagain', 0, o['eagain'])
check_against_events(o, ev)
check_all_closed(o)
check_eq('warnings', [], o['warnings'])
check_eq('diagnoses', [], t.diagnoses)
passed('%s: fifo at %s, fifo[%d] fd %d -> fifo[%d] fd %d, %d bytes'
       % (name, path, w['pid'], w['fd'], r['pid'], r['fd'], N))
done()
