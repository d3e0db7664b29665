# SPDX-License-Identifier: MIT
"""Helpers for the pipe/FIFO/socket graph tests (test_pipes_*.py): checks of
the `"type":"ipc_object"` entries and `"type":"diagnosis"` lines that
`ipctrace run --pipes` prints (docs/pipes.md), field by field, against the
programs' reports and the raw data events (docs/events.md).

Counting convention used here: a holder's `calls`, and an object's `writes`
and `reads`, are its successful data calls (ret >= 0); a read that returns 0
(end of file) is a successful call, and is also counted in `eof_reads`."""

import collections
import json
import os
import signal
import subprocess
import tempfile

from common import (IPCTRACE, Lines, _context, check, check_eq, daemon_opts, example, fail, proc_state,
                    run_env)

PIPES = ['--pipes']

OBJECT_FIELDS = '''type session object kind inode path created_ns writers readers bytes_written
    bytes_read writes reads eof_reads epipe_writes eagain warnings'''.split()
SOCKET_FIELDS = 'family socket_type local remote holders'.split()
UNIX_FIELDS = 'peer peer_holders'.split()
END_FIELDS = frozenset('pid comm fd bytes calls closed_ns'.split())
HOLDER_FIELDS = frozenset('pid comm fd closed_ns'.split())
QUEUE_FIELDS = 'key maxmsg msgsize removed_ns in_queue etimedout emsgsize queue_time'.split()
SEM_FIELDS = 'id key nsems removed_ns semops unseen_ops semaphores'.split()
SEMNUM_FIELDS = frozenset('sem_num ops ups downs waits blocked_ns blocked_max_ns'.split())
SHM_FIELDS = '''id key size attaches detaches removed_ns destroyed_ns holders sem_waits sem_blocked_ns
    sem_blocked_max_ns sem_wakes sem_woken'''.split()
SHM_HOLDER_FIELDS = HOLDER_FIELDS | frozenset('attaches detaches attached attached_ns'.split())
DIAGNOSIS_FIELDS = 'type kind session time_ns object pid comm fd message'.split()

# Data calls per direction (send() is sendto, recv() is recvfrom on x86_64): those the
# traced programs make (no splice, tee, sendfile or *mmsg, which name objects differently).
WRITE_CALLS = ('write', 'writev', 'sendto', 'sendmsg')
READ_CALLS = ('read', 'readv', 'recvfrom', 'recvmsg')


def obj_name(kind, inode):
    return '%s:[%d]' % (kind if kind in ('socket', 'mqueue') else 'pipe', inode)


def queue_name(o):
    """A message queue's or shared memory's name in the graph: msq:ID, shm:ID,
    mqueue:/NAME, shm:/NAME, shm:anon:PID:ADDR (mqueue:[INODE], shm:[INODE] unnamed)."""
    if o['kind'] == 'msgq':
        return 'msq:%d' % o['id']
    if o['kind'] == 'sem':
        return 'sem:/' + o['path'][len('/sem.'):]
    if o['kind'] == 'shm':
        if o['id'] is not None:
            return 'shm:%d' % o['id']
        return 'shm:' + o['path'] if o['path'] else 'shm:[%d]' % o['inode']
    return 'mqueue:' + o['path'] if o['path'] else obj_name('mqueue', o['inode'])


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def fifo_pair(run, n):
    """`sh -c 'fifo P writer N & fifo P reader N; wait'`, run by run(argv) (a trace, a text
    run), each process with its own report: (what run returned, P, P's inode, {role: report})."""
    with tempfile.TemporaryDirectory(prefix='ipctrace-e2e-') as d:
        path = os.path.join(d, 'fifo')
        os.mkfifo(path)
        inode = os.stat(path).st_ino
        reports = {role: os.path.join(d, role + '.json') for role in ('writer', 'reader')}
        script = ('IPCTRACE_REPORT=%s %s %s writer %d & IPCTRACE_REPORT=%s %s %s reader %d; wait'
                  % (reports['writer'], example('fifo'), path, n,
                     reports['reader'], example('fifo'), path, n))
        res = run(['/bin/sh', '-c', script])
        rep = {}
        for role, p in reports.items():
            try:
                with open(p) as f:
                    rep[role] = json.load(f)
            except (OSError, ValueError) as ex:
                fail('the %s wrote no usable report (%s)' % (role, ex))
    return res, path, inode, rep


def check_object_shape(o):
    """Every documented field, with its type; the totals agree with the per-holder lists."""
    name = o.get('object')
    for f in OBJECT_FIELDS:
        check(f in o, '%s: no field %r in %r' % (name, f, o))
    check_eq('%s type' % name, 'ipc_object', o['type'])
    check(o['kind'] in ('pipe', 'fifo', 'socket', 'mqueue', 'msgq', 'sem', 'shm'), '%s: kind %r' % (name, o['kind']))
    # A POSIX named semaphore is its /dev/shm file (sem.NAME): shared memory's fields.
    posix_sem = o['kind'] == 'sem' and (o.get('path') or '').startswith('/sem.')
    if o['kind'] == 'sem' and not posix_sem:
        for f in SEM_FIELDS:
            check(f in o, '%s: no field %r in %r' % (name, f, o))
        check_eq('object name of set %s' % name, 'sem:%d' % o['id'], name)
        check(o['inode'] is None, '%s: inode %r' % (name, o['inode']))
        for n in o['semaphores']:
            check(set(n) == SEMNUM_FIELDS, '%s: semaphore entry %r' % (name, n))
        # Every counted operation is a posting or a taking one (waiting for zero takes 0).
        check_eq('%s: operations vs the writes and reads' % name, o['writes'] + o['reads'],
                 sum(n['ops'] for n in o['semaphores']))
        check_eq('%s: ups vs bytes_written' % name, o['bytes_written'], sum(n['ups'] for n in o['semaphores']))
        check_eq('%s: downs vs bytes_read' % name, o['bytes_read'], sum(n['downs'] for n in o['semaphores']))
    elif o['kind'] == 'shm' or posix_sem:
        for f in SHM_FIELDS:
            check(f in o, '%s: no field %r in %r' % (name, f, o))
        check_eq('object name of segment %s' % name, queue_name(o), name)
        # A System V segment has an id, a shared anonymous mapping neither id nor inode.
        sysv_or_anon = o['id'] is not None or (o['path'] or '').startswith('anon:')
        check(o['inode'] is None if sysv_or_anon else _is_int(o['inode']) and o['inode'] > 0,
              '%s: inode %r' % (name, o['inode']))
        for h in o['holders']:
            check(isinstance(h, dict) and set(h) >= SHM_HOLDER_FIELDS,
                  '%s: a holders entry lacks fields of %s: %r' % (name, sorted(SHM_HOLDER_FIELDS), h))
        check_eq('%s: attaches vs the sum of its holders\'' % name, o['attaches'],
                 sum(h['attaches'] for h in o['holders']))
        check_eq('%s: detaches vs the sum of its holders\'' % name, o['detaches'],
                 sum(h['detaches'] for h in o['holders']))
    elif o['kind'] in ('mqueue', 'msgq'):
        for f in QUEUE_FIELDS:
            check(f in o, '%s: no field %r in %r' % (name, f, o))
        check(o['kind'] == 'msgq' or (_is_int(o['inode']) and o['inode'] > 0), '%s: inode %r' % (name, o['inode']))
        check_eq('object name of queue %s' % name, queue_name(o), name)
        check(set(o['queue_time']) == {'messages', 'total_ns', 'max_ns'}, '%s: queue_time %r' % (name, o['queue_time']))
    else:
        check(_is_int(o['inode']) and o['inode'] > 0, '%s: inode %r' % (name, o['inode']))
        check_eq('object name of inode %d' % o['inode'], obj_name(o['kind'], o['inode']), name)
    check(o['path'] is None or isinstance(o['path'], str), '%s: path %r' % (name, o['path']))
    check(o['created_ns'] is None or _is_int(o['created_ns']),
          '%s: created_ns %r' % (name, o['created_ns']))
    for f in ('bytes_written', 'bytes_read', 'writes', 'reads', 'eof_reads', 'epipe_writes', 'eagain'):
        check(_is_int(o[f]) and o[f] >= 0, '%s: %s is %r' % (name, f, o[f]))
    check(isinstance(o['warnings'], list) and all(isinstance(w, str) and w for w in o['warnings']),
          '%s: warnings is not a list of strings: %r' % (name, o['warnings']))
    for side in ('writers', 'readers'):
        check(isinstance(o[side], list), '%s: %s is not a list' % (name, side))
        for w in o[side]:
            check(isinstance(w, dict) and set(w) >= END_FIELDS,
                  '%s: a %s entry lacks fields of %s: %r' % (name, side, sorted(END_FIELDS), w))
            check(w['closed_ns'] is None or _is_int(w['closed_ns']),
                  '%s: %s closed_ns %r' % (name, side, w['closed_ns']))
        keys = [(w['pid'], w['fd']) for w in o[side]]
        check_eq('%s: duplicate (pid, fd) among the %s' % (name, side), len(set(keys)), len(keys))
    check_eq('%s: bytes_written vs the sum of its writers\' bytes' % name,
             o['bytes_written'], sum(w['bytes'] for w in o['writers']))
    check_eq('%s: bytes_read vs the sum of its readers\' bytes' % name,
             o['bytes_read'], sum(r['bytes'] for r in o['readers']))
    check_eq('%s: writes vs the sum of its writers\' calls' % name,
             o['writes'], sum(w['calls'] for w in o['writers']))
    check_eq('%s: reads vs the sum of its readers\' calls' % name,
             o['reads'], sum(r['calls'] for r in o['readers']))
    if o['kind'] in ('socket', 'msgq', 'sem'):
        for f in SOCKET_FIELDS:
            check(f in o, '%s: no field %r in %r' % (name, f, o))
        for h in o['holders']:
            check(isinstance(h, dict) and set(h) >= HOLDER_FIELDS,
                  '%s: a holders entry lacks fields of %s: %r' % (name, sorted(HOLDER_FIELDS), h))
        if o['family'] == 'AF_UNIX':
            for f in UNIX_FIELDS:
                check(f in o, '%s: no field %r in %r' % (name, f, o))


def check_objects(t):
    """The graph of one traced run: every entry well formed, one per object, all in
    the run's session. Returns {object name: entry}."""
    check(t.objects, 'no ipc_object entries at all after the events')
    sessions = {e['session'] for e in t.events}
    out = {}
    for o in t.objects:
        check_object_shape(o)
        check(o['object'] not in out, 'two ipc_object entries for %s' % o['object'])
        check(o['session'] in sessions, '%s: session %r is not the run\'s %r'
              % (o['object'], o['session'], sessions))
        out[o['object']] = o
    return out


def ends(lst, nonzero=False):
    """(pid, fd, bytes, calls) of each writer/reader entry, sorted; only those that moved
    bytes when nonzero."""
    return sorted((w['pid'], w['fd'], w['bytes'], w['calls']) for w in lst
                  if not nonzero or w['bytes'] > 0)


def pids_fds(lst):
    return sorted((h['pid'], h['fd']) for h in lst)


def data_by_end(events, obj, calls):
    """{(pid, fd): [bytes, successful calls]} of the data events of type `calls` on obj."""
    out = collections.defaultdict(lambda: [0, 0])
    for e in events:
        if e.get('type') in calls and e.get('object') == obj and e.get('ret', -1) >= 0:
            acc = out[(e['pid'], e['fd'])]
            acc[0] += e.get('bytes', 0)
            acc[1] += 1
    return out


def check_against_events(o, events):
    """Every (pid, fd) with successful data calls on the object in the raw events is a
    writer/reader with exactly those bytes and calls, and every other entry moved nothing;
    eof_reads, epipe_writes and eagain are what the events say."""
    name = o['object']
    for side, calls in (('writers', WRITE_CALLS), ('readers', READ_CALLS)):
        want = data_by_end(events, name, calls)
        got = {(w['pid'], w['fd']): [w['bytes'], w['calls']] for w in o[side]}
        for k, v in want.items():
            check(k in got, '%s: pid %d fd %d made %d %s calls (%d bytes) in the events but is '
                  'not among the %s %r' % (name, k[0], k[1], v[1], side[:-3] + 'e', v[0], side,
                                          o[side]))
            check_eq('%s: %s pid %d fd %d [bytes, calls] (from the events)' % (name, side, k[0], k[1]),
                     v, got[k])
        for k, v in got.items():
            if k not in want:
                check_eq('%s: %s pid %d fd %d made no data call in the events: [bytes, calls]'
                         % (name, side, k[0], k[1]), [0, 0], v)
    reads = [e for e in events if e.get('type') in READ_CALLS and e.get('object') == name]
    writes = [e for e in events if e.get('type') in WRITE_CALLS and e.get('object') == name]
    check_eq('%s: eof_reads (reads that returned 0 in the events)' % name,
             len([e for e in reads if e.get('ret') == 0]), o['eof_reads'])
    check_eq('%s: epipe_writes (writes failing with EPIPE in the events)' % name,
             len([e for e in writes if e.get('errno') == 'EPIPE']), o['epipe_writes'])
    check_eq('%s: eagain (calls failing with EAGAIN in the events)' % name,
             len([e for e in reads + writes if e.get('errno') == 'EAGAIN']), o['eagain'])


def check_all_closed(o):
    """After the whole tree has ended, every descriptor was closed (at the latest by exit)."""
    for side in ('writers', 'readers') + (('holders',) if o['kind'] == 'socket' else ()):
        for h in o[side]:
            check(_is_int(h['closed_ns']),
                  '%s: %s pid %d fd %d has closed_ns %r although every process has exited'
                  % (o['object'], side, h['pid'], h['fd'], h['closed_ns']))


def check_diagnosis_shape(d):
    for f in DIAGNOSIS_FIELDS:
        check(f in d, 'diagnosis without field %r: %r' % (f, d))
    check(d['kind'] in ('no_eof', 'leaked_write_end', 'write_after_close', 'leaked_ipc'),
          'diagnosis of an unknown kind: %r' % d)
    check(isinstance(d['message'], str) and d['message'], 'diagnosis without a message: %r' % d)
    if d['kind'] in ('no_eof', 'leaked_write_end'):
        check('holders' in d and isinstance(d['holders'], list),
              '%s diagnosis without a holders list: %r' % (d['kind'], d))
        for h in d['holders']:
            check(isinstance(h, dict) and {'pid', 'comm', 'fd'} <= set(h),
                  'a diagnosis holder lacks pid, comm or fd: %r' % h)


def descendants(pid):
    """Pids of the processes below pid (from /proc), deepest last."""
    children = collections.defaultdict(list)
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(')') + 2:].split()[1])
        children[ppid].append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(0), ()):
            out.append(c)
            todo.append(c)
    return out


def kill_quietly(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def exec_pids(events, name):
    """Pids that exec'd a file called name."""
    return sorted({e['pid'] for e in events
                   if e.get('type') == 'exec' and os.path.basename(e.get('filename', '')) == name})



class Hang:
    """What trace_hang() saw: the program's report `rep`, every JSON object of ipctrace's
    stdout (`every`), how many of them came before the kills (`at_kill`), whether a no_eof
    diagnosis came in time (`seen`), and ipctrace's exit status (None: it did not exit).
    check_hang_end() sorts `every` into `events`, `diagnoses` and `objects`, as in a Trace."""

    def __init__(self, rep, every, at_kill, seen, status):
        self.rep, self.every, self.at_kill, self.seen, self.status = rep, every, at_kill, seen, status


def json_lines(lines):
    """The JSON objects among stdout lines (the others are the command's own)."""
    res = []
    for line in lines:
        if line.startswith('{'):
            try:
                res.append(json.loads(line))
            except ValueError:
                fail('stdout line is not valid JSON: %r' % line)
    return res


def start_live(opts, args):
    """Starts `ipctrace run -o json OPTS -- ARGS` with a fresh report file, its output to be
    read live. Returns (the process, its stdout as Lines, its stderr file, the report's path)."""
    fd, report_path = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
    os.close(fd)
    cmd = [IPCTRACE, 'run', '-o', 'json'] + daemon_opts() + list(opts) + ['--'] + list(args)
    _context.clear()
    _context['cmd'] = ' '.join(cmd)
    errf = tempfile.TemporaryFile()
    p = subprocess.Popen(cmd, env=run_env({'IPCTRACE_REPORT': report_path}), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=errf)
    return p, Lines(p.stdout), errf, report_path


def trace_hang(args, comm, deadline=30):
    """Traces a program that hangs by design (a reader that never sees EOF) live, with
    `ipctrace run -o json --pipes`, reading its output with deadlines, never a sleep: waits
    for a read by a process called comm (such a program writes its report before its first
    read), then for those reads to have taken the report's bytes_written from its inode,
    then for a no_eof diagnosis, at which the report's child_pid must be asleep. Then kills
    the report's parent_pid and child_pid (parent first: the command then ends by SIGKILL)
    and any other comm below ipctrace, and reads ipctrace to its end. The processes killed
    after the command outlive it for a moment: --follow-orphans keeps them traced to their ends."""
    p, out, errf, report_path = start_live(PIPES + ['--follow-orphans'], args)
    rep = None

    def read_bytes(lines, inode):
        return sum(o.get('bytes', 0) for o in json_lines(lines)
                   if o.get('type') == 'read' and o.get('comm') == comm
                   and (inode is None or o.get('object') == obj_name('pipe', inode)))

    def remember_output():
        _context['stdout'] = out.text()
        errf.seek(0)
        _context['stderr'] = errf.read().decode(errors='replace')

    try:
        if not out.wait_for(lambda ls: read_bytes(ls, None) > 0, deadline):
            remember_output()
            fail('no read by %s on a pipe within %d s' % (comm, deadline))
        with open(report_path) as f:
            rep = json.load(f)
        if not out.wait_for(lambda ls: read_bytes(ls, rep['inode']) >= rep['bytes_written'], deadline):
            remember_output()
            fail('%s did not read the %d bytes from %s within %d s'
                 % (comm, rep['bytes_written'], obj_name('pipe', rep['inode']), deadline))
        seen = out.wait_for(lambda ls: any(o.get('type') == 'diagnosis' and o.get('kind') == 'no_eof'
                                           for o in json_lines(ls)), deadline)
        if seen:
            check_eq('state of the reader %d at the diagnosis (blocked)' % rep['child_pid'], 'S',
                     proc_state(rep['child_pid']))
        at_kill = len(json_lines(out.lines))
    finally:
        if rep is not None:
            kill_quietly(rep['parent_pid'])
            kill_quietly(rep['child_pid'])
        for pid in descendants(p.pid):
            try:
                with open('/proc/%d/comm' % pid) as f:
                    if f.read().strip() == comm:
                        kill_quietly(pid)
            except OSError:
                pass
        out.wait_for(lambda ls: False, deadline)     # to end of file, or the deadline
        try:
            status = p.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            p.terminate()
            status = None
            try:
                p.wait(timeout=deadline)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        remember_output()
        errf.close()
        os.unlink(report_path)
    check(status is not None, 'ipctrace did not exit within %d s of the kills' % deadline)
    return Hang(rep, json_lines(out.lines), at_kill, seen, status)


def check_hang_end(h):
    """ipctrace's end after the kills: exit status and summary say SIGKILL, nothing lost,
    the summary counts the events. Sets h.events, h.diagnoses and h.objects."""
    check_eq('ipctrace exit status (the command was killed by SIGKILL)', 128 + signal.SIGKILL, h.status)
    check(h.every and h.every[-1].get('type') == 'summary', 'the output does not end with a summary')
    summary = h.every[-1]
    check_eq('summary (exit_code, status, lost)', (137, 'killed by SIGKILL', 0),
             (summary.get('exit_code'), summary.get('status'), summary.get('lost')))
    h.events = [o for o in h.every[:-1] if o.get('type') not in ('diagnosis', 'ipc_object')]
    h.diagnoses = [o for o in h.every if o.get('type') == 'diagnosis']
    h.objects = [o for o in h.every if o.get('type') == 'ipc_object']
    check_eq('summary events', len(h.events), summary.get('events'))
