#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace explain SESSION`: what `run --explain` says when its command
ends, said again of a logged session, from the diagnoses the daemon keeps
in its journal (docs/diagnoses.md). A private daemon with a journal:

- A shell runs `zombies first` and then `killfail reaped` under
  `run --explain -o json`: `explain -o json` gives exactly the run's
  explanation object (the same groups, diagnoses, processes, messages,
  evidence and times), whose kill_failed names the pid that killfail itself
  reports having killed in vain. The same run in text: the lines after
  "What went wrong" are the same in `explain` as in `run --explain`
  (evidence times count from the session's start in both).
- `ipctrace log session=S` still gives exactly the run's events: the
  journal's new record types are not events.
- Another user (nobody) is refused root's session, with a message that
  names it, exit 1; so is an unknown session. nobody's own session, of a
  correct program, explains as "nothing that the trace can show", to
  nobody and to root.
- A daemon restarted on the same journal (after SIGKILL) explains the
  first session again, the same."""

import json
import os
import shutil

from common import (IPCTRACE, Daemon, as_nobody, check, check_eq, done, example, passed, run_cli,
                    trace)
from logcommon import log, public_copy, public_tmpdir, same_events

CMD = ['sh', '-c', '"$0" first; "$1" reaped', example('zombies'), example('killfail')]
NOTHING = 'What went wrong: nothing that the trace can show.'


def session_of(t, what):
    sessions = {e['session'] for e in t.events}
    check_eq('%s: one session in its events' % what, 1, len(sessions))
    return sessions.pop()


def explain(sock, session, opts=(), code=0, cli=None):
    """`ipctrace explain -s sock [opts] SESSION` as root (or by the CLI cli, as nobody): the result."""
    args = ['explain', '-s', sock] + list(opts) + [str(session)]
    r = as_nobody([cli] + args) if cli else run_cli(args)
    check_eq('%sipctrace %s: exit status (stderr %r)' % ('as nobody: ' if cli else '', ' '.join(args), r.stderr),
             code, r.returncode)
    return r


def explain_json(sock, session, cli=None):
    r = explain(sock, session, ['-o', 'json'], cli=cli)
    lines = r.stdout.splitlines()
    check_eq('explain %d -o json: lines' % session, 1, len(lines))
    return json.loads(lines[0])


def after_heading(text):
    """The lines from "What went wrong" on, blank ones left out."""
    lines = text.splitlines()
    heads = [i for i, l in enumerate(lines) if l.startswith('What went wrong')]
    check_eq('one "What went wrong" heading in %r' % text, 1, len(heads))
    return [l for l in lines[heads[0]:] if l.strip()]


tmp = public_tmpdir()
d = d2 = None
try:
    d = Daemon()
    sock = d.socket

    # A run with two diagnoses, in JSON.
    t = trace(CMD, opts=['--explain'], socket=sock)
    check_eq('exit status', 0, t.returncode)
    check(t.explanation is not None and len(t.explanation['groups']) == 2,
          'run --explain: not two groups: %r' % t.explanation)
    s1 = session_of(t, 'the run')
    got = explain_json(sock, s1)
    check_eq('explain %d -o json is the run\'s explanation' % s1, t.explanation, got)
    kill = [x for g in got['groups'] for x in g if x['kind'] == 'kill_failed']
    check_eq('kill_failed diagnoses', 1, len(kill))
    check_eq('killfail\'s own report: case', 'reaped', t.report['case'])
    check_eq('kill_failed: its process is the one killfail reports as the sender', t.report['pid'], kill[0]['pid'])
    check(str(t.report['target']) in kill[0]['message'],
          'kill_failed does not name the pid killfail reports killing (%d): %r' % (t.report['target'], kill[0]))
    passed('json: session %d, %d groups, as run --explain gave them' % (s1, len(got['groups'])))

    same_events('log session=%d' % s1, t.events, log(sock, 'session=%d' % s1))
    passed('log session=%d: the run\'s %d events, no diagnosis among them' % (s1, len(t.events)))

    # The same in text.
    tt = trace(CMD, opts=['--explain', '-o', 'text', '--color', 'never'], socket=sock, want_summary=False)
    check_eq('text: exit status', 0, tt.returncode)
    run_text = after_heading(tt.stdout)
    check_eq('text: run --explain heading', 'What went wrong: 2 diagnoses, root causes first', run_text[0])
    s2 = s1 + 1
    r = explain(sock, s2, ['--color', 'never'])
    check(r.stdout.startswith('Session %d, started ' % s2), 'text: no session line: %r' % r.stdout)
    check_eq('text: explain %d after its heading is run --explain\'s' % s2, run_text, after_heading(r.stdout))
    passed('text: %d lines, the same as run --explain\'s' % len(run_text))

    # Who may see what.
    ipctrace, pipe_bin = public_copy([IPCTRACE, example('pipe')], tmp)
    r = explain(sock, s1, code=1, cli=ipctrace)
    check('session %d' % s1 in r.stderr and not r.stdout, 'nobody, root\'s session: %r %r' % (r.stdout, r.stderr))
    r = explain(sock, 999999, code=1)
    check('session 999999' in r.stderr and not r.stdout, 'an unknown session: %r %r' % (r.stdout, r.stderr))
    passed('root\'s session to nobody, and an unknown session: refused, naming it')

    r = as_nobody([ipctrace, 'run', '-s', sock, '-o', 'json', '--explain', '--', pipe_bin, '10'])
    check_eq('as nobody: run pipe 10: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')]
    check_eq('as nobody: run --explain: explanation', {'type': 'explanation', 'groups': []}, lines[-2])
    s3 = {o['session'] for o in lines if 'session' in o and o.get('type') not in ('summary', 'explanation')}
    check_eq('as nobody: one session', 1, len(s3))
    s3 = s3.pop()
    check_eq('nobody\'s session, to nobody (json)', lines[-2], explain_json(sock, s3, cli=ipctrace))
    for cli in (ipctrace, None):
        r = explain(sock, s3, ['--color', 'never'], cli=cli)
        check_eq('nobody\'s session, to %s (text)' % ('nobody' if cli else 'root'), [NOTHING],
                 after_heading(r.stdout))
    passed('nobody\'s own session %d: nothing that the trace can show, to nobody and root' % s3)

    # A daemon restarted on the same journal.
    d.kill()
    d2 = Daemon(journal=d.journal)
    check_eq('after a restart: explain %d -o json' % s1, t.explanation, explain_json(d2.socket, s1))
    r = explain(d2.socket, s2, ['--color', 'never'])
    check_eq('after a restart: explain %d (text)' % s2, run_text, after_heading(r.stdout))
    passed('a daemon restarted on the journal explains sessions %d and %d again' % (s1, s2))
finally:
    for x in (d2, d):
        if x:
            x.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
