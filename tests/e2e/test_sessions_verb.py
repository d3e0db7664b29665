#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace sessions` (ipctrace(1); docs/protocol.md, "sessions"), through a
daemon of the test's own:

- `run` in text says its session's number on stderr as it starts, before
  its summary; with -o json it does not (the events carry it);
- after a `run -o json -- sh -c 'exit 0'`, the list has that session ended
  (reason exited) with the events and the first process the run's own
  output reports; a background `attach` of a sleep is listed as
  background, named sleep, with the sleep's pid; after `detach` it is
  ended with reason detached;
- the text table: one row per session, under its header's columns, the
  user named (root), the state as said;
- a user other than root (nobody) sees only its own sessions: after its
  own `run`, exactly that one; root sees them all;
- after a restart of the daemon on the same journal, the ended sessions
  are listed as before;
- a bad option: a short usage and exit 2."""

import json
import re
import signal
import subprocess

from common import IPCTRACE, NOBODY, Daemon, as_nobody, check, check_eq, done, passed, run_cli
from textcommon import check_aligned, fields

COLUMNS = ['SESSION', 'USER', 'STATE', 'START', 'PID', 'EVENTS', 'LOST', 'COMMAND']


def sessions(sock, runner=run_cli):
    r = runner(['sessions', '-s', sock, '-o', 'json']) if runner is run_cli else \
        runner([IPCTRACE, 'sessions', '-s', sock, '-o', 'json'])
    check_eq('sessions -o json: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    return {o['session']: o for o in (json.loads(line) for line in r.stdout.splitlines())}


d = Daemon()
first = None
sleeper = None
try:
    sock = d.socket

    # Text run: its number first on stderr.
    r = run_cli(['run', '-s', sock, '--', 'true'])
    check_eq('run -- true: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    m = re.match(r'ipctrace: session (\d+)\n', r.stderr)
    check(m, 'run -- true: stderr does not begin with "ipctrace: session N": %r' % r.stderr)
    text_id = int(m.group(1))
    r = run_cli(['run', '-s', sock, '-o', 'json', '--', 'sh', '-c', 'exit 0'])
    check_eq('run -o json: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    check('session' not in r.stderr, 'run -o json: stderr names the session: %r' % r.stderr)
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    summary = objs[-1]
    events = [o for o in objs if o.get('type') not in ('summary',) and 'session' in o]
    run_id = events[0]['session']
    exec_pid = [o['pid'] for o in events if o['type'] == 'exec'][0]
    check(run_id > text_id, 'the json run\'s session %d is not after the text run\'s %d' % (run_id, text_id))
    passed('run: "ipctrace: session %d" first on stderr in text, nothing of it with -o json' % text_id)

    sleeper = subprocess.Popen(['sleep', '600'])
    r = run_cli(['attach', '-s', sock, '--background', '-p', str(sleeper.pid)])
    check_eq('attach --background: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    bg_id = int(re.search(r'session (\d+)', r.stderr).group(1))

    got = sessions(sock)
    check_eq('sessions: ids listed', {text_id, run_id, bg_id}, set(got))
    s = got[run_id]
    check_eq('the json run\'s session: state, reason, command, uid',
             ('ended', 'exited', 'sh', 0), (s['state'], s['reason'], s['command'], s['uid']))
    check_eq('the json run\'s session: its events (as the run\'s summary says)', summary['events'], s['events'])
    check_eq('the json run\'s session: lost', summary['lost'], s['lost'])
    check_eq('the json run\'s session: its first process (the exec\'s pid)', exec_pid, s['pid'])
    check(s['end_ns'] >= s['start_ns'] > 0, 'the json run\'s session: start %d, end %d' % (s['start_ns'], s['end_ns']))
    b = got[bg_id]
    check_eq('the background session: state, command, pid, processes',
             ('background', 'sleep', sleeper.pid, 1), (b['state'], b['command'], b['pid'], b['processes']))
    check('reason' not in b, 'the background session has a reason: %r' % b)
    passed('sessions -o json: the ended run (events %d, pid %d) and the background attach of sleep[%d]'
           % (s['events'], exec_pid, sleeper.pid))

    # The table.
    r = run_cli(['sessions', '-s', sock])
    check_eq('sessions: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    lines = r.stdout.splitlines()
    cols = check_aligned('sessions', lines[0], COLUMNS, lines[1:])
    rows = {int(f[0]): f for f in (fields(row, cols) for row in lines[1:])}
    check_eq('sessions: rows', {text_id, run_id, bg_id}, set(rows))
    check_eq('sessions: the background row (user, state, pid, command)',
             ['root', 'background', str(sleeper.pid), 'sleep'],
             [rows[bg_id][1], rows[bg_id][2], rows[bg_id][4], rows[bg_id][7]])
    check_eq('sessions: the text run\'s row (state, command)', ['exited', 'true'],
             [rows[text_id][2], rows[text_id][7]])
    check_eq('sessions: the json run\'s events', str(summary['events']), rows[run_id][5])
    passed('sessions: a table aligned under its header, one row per session')

    r = run_cli(['detach', '-s', sock, str(bg_id)])
    check_eq('detach: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    b = sessions(sock)[bg_id]
    check_eq('after detach: state, reason, processes', ('ended', 'detached', 0),
             (b['state'], b['reason'], b['processes']))
    passed('detach: the session is listed as ended, detached')

    # Another user sees its own only.
    r = as_nobody([IPCTRACE, 'run', '-s', sock, '-o', 'json', '--', 'true'])
    check_eq('nobody: run: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    own = json.loads(r.stdout.splitlines()[0])['session']
    theirs = sessions(sock, as_nobody)
    check_eq('nobody: sessions listed', [own], list(theirs))
    check_eq('nobody: its session\'s uid and command', (NOBODY, 'true'),
             (theirs[own]['uid'], theirs[own]['command']))
    check_eq('root: sessions listed', {text_id, run_id, bg_id, own}, set(sessions(sock)))
    passed('nobody sees its session %d only; root sees all four' % own)

    # A restart on the same journal: the ended ones are listed as they were.
    before = sessions(sock)
    d.kill(signal.SIGTERM)
    first = d
    d = Daemon(journal=first.journal)
    sock = d.socket
    check_eq('after a restart: the ended sessions', before, sessions(sock))
    passed('after a restart: the %d ended sessions, as before it' % len(before))

    r = run_cli(['sessions', '-s', sock, '--bogus'])
    check_eq('sessions --bogus: exit status', 2, r.returncode)
    check(len(r.stderr.splitlines()) <= 3 and "See 'ipctrace sessions --help'." in r.stderr,
          'sessions --bogus: not a short usage: %r' % r.stderr)
    passed('sessions --bogus: a short usage, exit 2')
finally:
    if first:
        first.cleanup()
    if sleeper:
        sleeper.kill()
        sleeper.wait()
    d.cleanup()
done()
