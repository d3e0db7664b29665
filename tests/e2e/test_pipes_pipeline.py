#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace run --pipes -- sh -c 'seq 100000 | grep 7 | wc -l'`: the graph
has exactly the shell's two pipes. On the first, the only writer that wrote
is seq (fd 1) and the only reader that read is grep (fd 0); on the second,
grep (fd 1) -> wc (fd 0); the bytes each way are what went through the pipe
(computed here), and every writer/reader entry agrees with the raw data
events. The shell that made the pipes held both ends; every descriptor is
closed by the end; no warnings and no diagnoses for a correct pipeline."""

from common import (by_time, check, check_clean_exit, check_eq, done, one, passed,
                    select_events, trace)
from pipecommon import (check_against_events, check_all_closed, check_objects, ends,
                        exec_pids, PIPES)

N = 100000
seq_out = ''.join('%d\n' % i for i in range(1, N + 1))
grep_out = ''.join(line + '\n' for line in seq_out.splitlines() if '7' in line)
script = 'seq %d | grep 7 | wc -l' % N

# stdout and stderr are regular files: the shell's two pipes are the only IPC.
t = trace(['/bin/sh', '-c', script], opts=PIPES, to_files=True)
ev = t.events
check_clean_exit(t, 0)
check_eq('wc -l output (on stderr: run -o json keeps stdout for the trace)', [str(grep_out.count('\n'))],
         [line.strip() for line in t.command_lines if line.strip()])
check_eq('stdout lines that are not JSON', [], t.other_lines)
passed('sh -c %r: exit 0, 0 lost, wc printed %d' % (script, grep_out.count('\n')))

pids = {}
for name in ('seq', 'grep', 'wc'):
    got = exec_pids(ev, name)
    check_eq('processes that exec\'d %s' % name, 1, len(got))
    pids[name] = got[0]
sh = by_time(select_events(ev, type='exec'))[0]['pid']
makes = by_time(select_events(ev, type=('pipe', 'pipe2'), ret=0))
check_eq('pipe/pipe2 calls (all by the shell %d)' % sh, [sh, sh], [m['pid'] for m in makes])
names = [m['object'] for m in makes]
check(len(set(names)) == 2, 'the two pipes have one name: %r' % names)
passed('shell %d made %s; seq %d, grep %d, wc %d' % (sh, names, pids['seq'], pids['grep'], pids['wc']))

# Raw events first: who wrote and read what on which pipe, independently of the graph.
flows = {}
for writer, reader, data in (('seq', 'grep', seq_out), ('grep', 'wc', grep_out)):
    w = select_events(ev, type='write', pid=pids[writer], kind='pipe')
    objs = {e['object'] for e in w}
    check_eq('pipes %s wrote to' % writer, 1, len(objs))
    obj = objs.pop()
    check(obj in names, '%s wrote to %s, which the shell did not make' % (writer, obj))
    check_eq('fds %s wrote %s through' % (writer, obj), {1}, {e['fd'] for e in w})
    check_eq('bytes %s wrote to %s (events)' % (writer, obj), len(data), sum(e['bytes'] for e in w))
    r = select_events(ev, type='read', object=obj)
    check_eq('processes reading %s' % obj, {pids[reader]}, {e['pid'] for e in r})
    check_eq('fds %s read %s through' % (reader, obj), {0}, {e['fd'] for e in r})
    check_eq('bytes %s read from %s (events)' % (reader, obj), len(data), sum(e['bytes'] for e in r))
    flows[obj] = (writer, reader, data)
check_eq('the two flows use the two pipes', sorted(names), sorted(flows))
passed('events: seq -> grep on one pipe, grep -> wc on the other, bytes as computed')

graph = check_objects(t)
check_eq('objects in the graph', sorted(names), sorted(graph))
for m in makes:
    obj = m['object']
    o = graph[obj]
    writer, reader, data = flows[obj]
    check_eq('%s kind' % obj, 'pipe', o['kind'])
    check_eq('%s path' % obj, None, o['path'])
    check_eq('%s session' % obj, m['session'], o['session'])
    first_data = min(e['time_ns'] for e in ev if e.get('object') == obj and e['type'] in ('read', 'write'))
    check(o['created_ns'] is not None and m['time_ns'] - m['duration_ns'] <= o['created_ns'] <= first_data,
          '%s: created_ns %r is not between the pipe call (%d..%d) and the first data call (%d)'
          % (obj, o['created_ns'], m['time_ns'] - m['duration_ns'], m['time_ns'], first_data))

    wcalls = len([e for e in select_events(ev, type='write', object=obj) if e['ret'] >= 0])
    rcalls = len([e for e in select_events(ev, type='read', object=obj) if e['ret'] >= 0])
    check_eq('%s: writers that wrote (pid, fd, bytes, calls)' % obj,
             [(pids[writer], 1, len(data), wcalls)], ends(o['writers'], nonzero=True))
    check_eq('%s: readers that read (pid, fd, bytes, calls)' % obj,
             [(pids[reader], 0, len(data), rcalls)], ends(o['readers'], nonzero=True))
    for side, who in (('writers', writer), ('readers', reader)):
        e = [x for x in o[side] if x['bytes'] > 0][0]
        check_eq('%s: comm of the %s entry that moved bytes (after exec)' % (obj, side), who, e['comm'])
    check_eq('%s bytes_written' % obj, len(data), o['bytes_written'])
    check_eq('%s bytes_read' % obj, len(data), o['bytes_read'])
    check_eq('%s writes' % obj, wcalls, o['writes'])
    check_eq('%s reads (with the EOF reads)' % obj, rcalls, o['reads'])
    check(o['eof_reads'] >= 1, '%s: eof_reads %r: %s read to end of file' % (obj, o['eof_reads'], reader))
    check_against_events(o, ev)

    # The shell made the pipe: it held both ends, on the fds that pipe() returned.
    rfd, wfd = m['fds']
    check((sh, wfd) in [(x['pid'], x['fd']) for x in o['writers']],
          '%s: the shell %d (fd %d, from pipe()) is not among the writers %r' % (obj, sh, wfd, o['writers']))
    check((sh, rfd) in [(x['pid'], x['fd']) for x in o['readers']],
          '%s: the shell %d (fd %d, from pipe()) is not among the readers %r' % (obj, sh, rfd, o['readers']))
    traced = {e['pid'] for e in ev}
    for side in ('writers', 'readers'):
        for x in o[side]:
            check(x['pid'] in traced, '%s: %s entry of an untraced pid: %r' % (obj, side, x))
    check_all_closed(o)
    check_eq('%s: epipe_writes' % obj, 0, o['epipe_writes'])
    check_eq('%s: warnings (a correct pipeline)' % obj, [], o['warnings'])
    passed('%s: %s[%d] fd 1 -> %s[%d] fd 0, %d bytes in %d writes / %d reads, %d EOF; '
           '%d writer and %d reader entries, all closed'
           % (obj, writer, pids[writer], reader, pids[reader], len(data), wcalls, rcalls,
              o['eof_reads'], len(o['writers']), len(o['readers'])))

check_eq('diagnoses (a correct pipeline)', [], t.diagnoses)
one(select_events(ev, type='exit', pid=sh), 'exit of the shell')
done()
