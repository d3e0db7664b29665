#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regular files, /dev/null and /dev/zero are not IPC: a shell that copies
files around, traced with --pipes (its stdout and stderr being regular
files too), and pipes `echo hello` into `cat` once, gives a graph with that
one pipe and nothing else, and no diagnosis; no event names another object
(the calls on its standard streams have kind "other", and no object)."""

import os
import tempfile

from common import check_clean_exit, check_eq, done, one, passed, select_events, trace
from pipecommon import check_objects, exec_pids, PIPES

with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
    out = os.path.join(d, 'somefile')
    script = ('cat /etc/passwd > /dev/null; head -c 1000 /dev/zero > {0}; cat {0} {0} > {0}.copy; '
              'echo hello | cat > {0}.piped').format(out)
    t = trace(['/bin/sh', '-c', script], opts=PIPES, to_files=True)
    check_clean_exit(t, 0)
    check_eq('size of %s.copy (the commands really ran)' % out, 2000, os.path.getsize(out + '.copy'))
    with open(out + '.piped') as f:
        check_eq('what went through the pipe', 'hello\n', f.read())
ev = t.events
check_eq('processes that exec\'d cat', 3, len(exec_pids(ev, 'cat')))
check_eq('processes that exec\'d head', 1, len(exec_pids(ev, 'head')))
p = one(select_events(ev, type=('pipe', 'pipe2'), ret=0), 'the one pipe of the shell')
pipe = p['object']
check_eq('objects the events name (only the pipe)', {pipe},
         {e[k] for e in ev for k in ('object', 'new_object', 'peer_object', 'closed_object') if e.get(k)})
# Besides the pipe, only what happens to the standard streams (cat closes its stdout as it ends).
check_eq('kinds in the events', {'pipe', 'other'}, {e['kind'] for e in ev if 'kind' in e})
check_eq('events of kind "other" not on a standard stream', [],
         [e for e in ev if e.get('kind') == 'other' and min(e['fd'], e.get('newfd', e['fd'])) > 2])
passed('sh -c %r: exit 0, 0 lost, the only object any event names is %s' % (script, pipe))

graph = check_objects(t)
check_eq('objects in the graph: the pipe, no file', [pipe], sorted(graph))
check_eq('bytes through %s' % pipe, (6, 6), (graph[pipe]['bytes_written'], graph[pipe]['bytes_read']))
check_eq('diagnoses', [], t.diagnoses)
passed('--pipes: the graph is %s alone (6 bytes), no file or device, no diagnosis' % pipe)
done()
