#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Who sees what in the log. A fresh unprivileged user (useradd, removed at
the end) and the group `ipctrace` (created for the test when the machine
has none, before the daemon starts, since the daemon looks it up then).
Root and the user each trace `signals 3` (--signals) and `pipe 10`
(--pipes) through one private daemon. Then:

- the user's runs work (exit 0, events streamed, each with the user's uid);
- as the user, `log`, `signals` and `pipes` show exactly its own events,
  records and objects, none of root's; root sees both;
- the user may not attach to pid 1 ("permission denied ... only your own
  processes"), may not trace every process (trace --all), and may not
  detach root's session;
- a member of the group `ipctrace` sees root's events, records and
  objects too, and may trace every process."""

import json
import os
import shutil
import signal
import subprocess

from common import (IPCTRACE, Daemon, Lines, check, check_eq, done, example, fail, passed, select_events,
                    trace)
from logcommon import (as_user, check_uid, ipctrace_group, log, parse_json_lines, public_copy, public_tmpdir,
                       same_events, useradd, userdel, wait_stats)

TIMEOUT = 60

cleanup = []
try:
    gid_ipctrace = ipctrace_group(cleanup)
    user, uid, gid = useradd()
    cleanup.append(lambda: userdel(user))
    tmp = public_tmpdir()
    cleanup.append(lambda: shutil.rmtree(tmp, ignore_errors=True))
    ipctrace, signals_bin, pipe_bin = public_copy([IPCTRACE, example('signals'), example('pipe')], tmp)
    passed('user %s (uid %d), group ipctrace (gid %d)' % (user, uid, gid_ipctrace))

    d = Daemon()
    cleanup.append(d.cleanup)
    sock = d.socket

    def as_u(args, groups=(), env=None):
        return as_user(uid, gid, args, groups=groups, env=env, timeout=TIMEOUT)

    def user_run(prog, *args, opts=()):
        """`ipctrace run -o json` as the user: (events, records, objects, report)."""
        report = os.path.join(tmp, 'report-%s-%d' % (os.path.basename(prog), len(os.listdir(tmp))))
        r = as_u([ipctrace, 'run', '-s', sock, '-o', 'json'] + list(opts) + ['--', prog] + list(args),
                 env={'IPCTRACE_REPORT': report})
        check_eq('as %s: ipctrace run %s: exit status (stderr %r)' % (user, os.path.basename(prog), r.stderr),
                 0, r.returncode)
        lines = parse_json_lines('\n'.join(line for line in r.stdout.splitlines() if line.startswith('{')),
                                 'the user\'s run')
        check(lines and lines[-1].get('type') == 'summary', 'the user\'s run: no summary: %r' % lines[-1:])
        check_eq('the user\'s run: lost', 0, lines[-1].get('lost'))
        events = [o for o in lines[:-1] if o.get('type') not in ('lifecycle', 'ipc_object', 'diagnosis')]
        records = [o for o in lines if o.get('type') == 'lifecycle']
        objects = [o for o in lines if o.get('type') == 'ipc_object']
        with open(report) as f:
            return events, records, objects, json.loads(f.read())

    def query(verb, who, groups=()):
        """`ipctrace VERB -s sock -o json` as root (who None) or as the user."""
        args = [ipctrace, verb, '-s', sock, '-o', 'json']
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=TIMEOUT) if who is None else as_u(args, groups=groups)
        check_eq('%s: ipctrace %s: exit status (stderr %r)' % (who or 'root', verb, r.stderr), 0, r.returncode)
        return parse_json_lines(r.stdout, 'ipctrace %s as %s' % (verb, who or 'root'))

    def ids(records):
        return sorted(r['id'] for r in records)

    def objs(objects):
        return sorted((o['session'], o['object']) for o in objects)

    # Root's runs, then the user's.
    rs = trace([example('signals'), '3'], opts=['-s', sock, '--signals'])
    check_eq('root signals: exit status', 0, rs.returncode)
    rp = trace([example('pipe'), '10'], opts=['-s', sock, '--pipes'])
    check_eq('root pipe: exit status', 0, rp.returncode)
    root_events = rs.events + rp.events
    check_uid(root_events, 0, 'root\'s runs')

    us_ev, us_rec, _, us_rep = user_run(signals_bin, '3', opts=['--signals'])
    check_eq('the user\'s `signals 3`: kill events streamed', us_rep['kill'],
             len(select_events(us_ev, type='kill')))
    # Its own three; the SIGCHLD its exit sends ipctrace, which launched it, is ipctrace's own.
    check_eq('the user\'s `signals 3`: lifecycle records streamed (sig, outcome)',
             [('SIGUSR1', 'handled')] * 3,
             [(r['sig'], r['outcome']) for r in us_rec])
    up_ev, _, up_obj, up_rep = user_run(pipe_bin, '10', opts=['--pipes'])
    check_eq('the user\'s `pipe 10`: write events streamed', up_rep['writes'],
             len(select_events(up_ev, type='write')))
    check(up_obj, 'the user\'s `pipe 10 --pipes` printed no objects')
    user_events = us_ev + up_ev
    check_uid(user_events, uid, 'the user\'s runs')
    passed('as %s: ipctrace run of signals 3 and pipe 10 work: %d events, all with uid %d'
           % (user, len(user_events), uid))

    # The user sees its own, root sees all.
    same_events('log as %s' % user, user_events, parse_json_lines(
        as_u([ipctrace, 'log', '-s', sock, '-o', 'json']).stdout, 'log as the user'))
    same_events('log as root', root_events + user_events, log(sock))
    r = as_u([ipctrace, 'log', '-s', sock, '-o', 'json', 'pid=%d' % rs.report['pid']])
    check_eq('log pid=ROOT\'S as %s: exit status (stderr %r)' % (user, r.stderr), 0, r.returncode)
    check_eq('log pid=%d (root\'s) as %s' % (rs.report['pid'], user), '', r.stdout)
    r = as_u([ipctrace, 'log', '-s', sock, '-o', 'json', 'uid=0'])
    check_eq('log uid=0 as %s: exit status (stderr %r)' % (user, r.stderr), 0, r.returncode)
    check_eq('log uid=0 as %s' % user, '', r.stdout)
    r = as_u([ipctrace, 'log', '-s', sock, '-n', '2'])
    check_eq('log -n 2 as %s: exit status' % user, 0, r.returncode)
    check(str(up_rep['parent_pid']) in r.stdout and str(rp.report['parent_pid']) not in r.stdout,
          'log -n 2 as the user (text) shows other than its own last events: %r' % r.stdout)
    passed('log: %s sees its %d events and none of root\'s %d; root sees all %d'
           % (user, len(user_events), len(root_events), len(root_events) + len(user_events)))

    root_rec = [r for r in query('signals', None)]
    check(set(ids(rs.records)) <= set(ids(root_rec)) and set(ids(us_rec)) <= set(ids(root_rec)),
          'root does not see every record: %r vs %r + %r' % (ids(root_rec), ids(rs.records), ids(us_rec)))
    user_sessions = {e['session'] for e in user_events}
    theirs = [r for r in root_rec if r['session'] in user_sessions]
    check(set(ids(us_rec)) <= set(ids(theirs)), 'records of the user\'s sessions: %r' % ids(theirs))
    check(len(theirs) < len(root_rec), 'root\'s runs left no records: %r' % ids(root_rec))
    check_eq('signals as %s: the records of its sessions %s' % (user, sorted(user_sessions)), ids(theirs),
             ids(query('signals', user)))
    root_obj = query('pipes', None)
    check(set(objs(rp.objects + up_obj)) <= set(objs(root_obj)),
          'pipes as root: not every object the runs printed: %r vs %r' % (objs(root_obj), objs(rp.objects + up_obj)))
    mine = [o for o in root_obj if o['session'] in user_sessions]
    check(set(objs(up_obj)) <= set(objs(mine)) and len(mine) < len(root_obj),
          'pipes as root: the user\'s %r of %r' % (objs(mine), objs(root_obj)))
    check_eq('pipes as %s: the objects of its sessions' % user, objs(mine), objs(query('pipes', user)))
    passed('signals and pipes: %s sees its own %d records and %d objects only' % (user, len(theirs), len(mine)))

    # Following: root's new events do not reach the user either.
    cmd = ['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid, '--clear-groups',
           ipctrace, 'log', '-f', '-o', 'json', '-s', sock, '--since', 'now']
    f = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd='/')
    try:
        out = Lines(f.stdout)
        # Connected: the daemon counts it (and this stats client).
        wait_stats(sock, lambda st: st['clients'] == 2, 'the user\'s follower connected')
        rf = trace([example('signals'), '2'], opts=['-s', sock])
        check_eq('root signals 2 while the user follows: exit status', 0, rf.returncode)
        uf_ev, _, _, _ = user_run(signals_bin, '1')
        ok = out.wait_for(lambda ls: len(ls) >= len(uf_ev), TIMEOUT)
        check(ok, 'the user\'s follower got %d lines of %d within %d s: %r'
              % (len(out.lines), len(uf_ev), TIMEOUT, out.lines[:5]))
        same_events('log -f as %s: root\'s signals 2, then its own signals 1' % user, uf_ev,
                    parse_json_lines('\n'.join(out.lines), 'the user\'s follower'))
    finally:
        f.send_signal(signal.SIGINT)
        try:
            f.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            f.kill()
            f.wait()
        f.stdout.close()
        f.stderr.close()
    passed('log -f as %s: its own new events only, not root\'s' % user)

    # What the user may not do.
    r = as_u([ipctrace, 'attach', '-s', sock, '-p', '1'])
    check(r.returncode != 0, 'attach -p 1 as %s: exit status 0' % user)
    check('permission denied' in r.stderr and 'only your own processes' in r.stderr,
          'attach -p 1 as %s: the error does not say "permission denied ... only your own processes": %r'
          % (user, r.stderr))
    for args in (['trace', '--all'], ['trace', '--all', '--background']):
        r = as_u([ipctrace] + args + ['-s', sock])
        check(r.returncode != 0, '%s as %s: exit status 0 (stdout %r)' % (' '.join(args), user, r.stdout))
        check('permission denied' in r.stderr and 'ipctrace group' in r.stderr,
              '%s as %s: the error does not say "permission denied" and name the ipctrace group: %r'
              % (' '.join(args), user, r.stderr))
    st = query('stats', None)[0]
    check_eq('sessions after the refusals', 0, st['sessions'])

    w = subprocess.Popen([example('waitsig')], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        check(Lines(w.stdout).wait_for(lambda ls: 'ready' in ls, TIMEOUT), 'waitsig did not start')
        r = subprocess.run([ipctrace, 'attach', '-s', sock, '-p', str(w.pid), '--background'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        check_eq('root: attach --background: exit status (stderr %r)' % r.stderr, 0, r.returncode)
        session = int(r.stdout.strip())
        r = as_u([ipctrace, 'detach', '-s', sock, str(session)])
        check(r.returncode != 0 and 'permission denied' in r.stderr,
              'detach of root\'s session %d as %s: status %d, stderr %r' % (session, user, r.returncode, r.stderr))
        check_eq('root\'s session after the user\'s detach', 1, query('stats', None)[0]['sessions'])
        r = subprocess.run([ipctrace, 'detach', '-s', sock, str(session)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        check_eq('root: detach %d: exit status (stderr %r)' % (session, r.stderr), 0, r.returncode)
    finally:
        w.kill()
        w.wait(timeout=TIMEOUT)
        w.stdout.close()
    passed('as %s: attach -p 1, trace --all and detach of root\'s session are refused' % user)

    # A member of the group ipctrace sees everything.
    member = (gid_ipctrace,)
    r = as_u([ipctrace, 'log', '-s', sock, '-o', 'json'], groups=member)
    check_eq('log as %s in group ipctrace: exit status (stderr %r)' % (user, r.stderr), 0, r.returncode)
    got = parse_json_lines(r.stdout, 'log as a member of ipctrace')
    root_view = log(sock)
    same_events('log as a member of ipctrace vs as root', root_view, got)
    check(len(root_view) >= len(root_events) + len(user_events), 'root sees %d events' % len(root_view))
    check_eq('signals as a member of ipctrace', ids(query('signals', None)), ids(query('signals', user, member)))
    check_eq('pipes as a member of ipctrace', objs(query('pipes', None)), objs(query('pipes', user, member)))
    r = as_u([ipctrace, 'trace', '--all', '--background', '-s', sock], groups=member)
    check_eq('trace --all --background as a member of ipctrace: exit status (stderr %r)' % r.stderr,
             0, r.returncode)
    session = int(r.stdout.strip())
    r = as_u([ipctrace, 'detach', '-s', sock, str(session)], groups=member)
    check_eq('detach %d as the member who started it: exit status (stderr %r)' % (session, r.stderr),
             0, r.returncode)
    check_eq('sessions after the member\'s detach', 0, query('stats', None)[0]['sessions'])
    passed('a member of ipctrace sees root\'s events, records and objects, and may trace --all')
    check(d.alive(), 'the daemon died')
finally:
    for f in reversed(cleanup):
        f()
done()
