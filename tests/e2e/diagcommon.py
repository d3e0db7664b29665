# SPDX-License-Identifier: MIT
"""Helpers for the diagnosis tests (test_diag_*.py): the shape every
`"type":"diagnosis"` object has (docs/diagnoses.md), and tracing a program
that hangs by design: the test waits for the diagnosis while the processes
are still blocked (a handshake on ipctrace's own output, never a sleep),
then kills them and reads the rest of the trace."""

import json
import os
import signal
import subprocess

from common import Trace, _context, check, check_clean_exit, check_eq, is_record, one, proc_state, select_events
from pipecommon import json_lines, kill_quietly, start_live

KINDS = ('deadlock', 'not_waited', 'kill_failed', 'handler_race', 'no_eof', 'leaked_write_end',
         'write_after_close', 'bad_fd', 'pipe_unused', 'leaked_ipc')
FIELDS = 'type kind session time_ns pid comm fd object message processes objects evidence'.split()

# How long a hang may take to be diagnosed (the daemon says it after a second), and to end once killed.
DEADLINE = 30


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_diag(d):
    """Every documented field, with its type; processes, objects and evidence well formed."""
    for f in FIELDS:
        check(f in d, 'diagnosis without field %r: %r' % (f, d))
    check(d['type'] == 'diagnosis' and d['kind'] in KINDS, 'diagnosis of an unknown kind: %r' % d)
    check(isinstance(d['message'], str) and d['message'], 'diagnosis without a message: %r' % d)
    check(_is_int(d['time_ns']) and _is_int(d['session']), 'diagnosis time or session: %r' % d)
    check(d['fd'] is None or _is_int(d['fd']), 'diagnosis fd: %r' % d)
    check(isinstance(d['processes'], list) and d['processes'], 'diagnosis without processes: %r' % d)
    for p in d['processes']:
        check(isinstance(p, dict) and _is_int(p.get('pid')) and isinstance(p.get('comm'), str)
              and isinstance(p.get('role'), str), 'a diagnosis process lacks pid, comm or role: %r' % p)
    check(isinstance(d['objects'], list) and all(isinstance(o, str) for o in d['objects']),
          'diagnosis objects: %r' % d)
    check(isinstance(d['evidence'], list) and d['evidence'], 'diagnosis without evidence: %r' % d)
    for e in d['evidence']:
        check(isinstance(e, dict) and _is_int(e.get('time_ns')) and _is_int(e.get('pid'))
              and isinstance(e.get('comm'), str) and isinstance(e.get('event'), str)
              and isinstance(e.get('detail'), str), 'a diagnosis evidence entry: %r' % e)
    times = [e['time_ns'] for e in d['evidence']]
    check(times == sorted(times), 'diagnosis evidence not oldest first: %r' % d['evidence'])


def diagnoses_of(t, kind):
    """The run's diagnoses of one kind, each checked for shape."""
    for d in t.diagnoses:
        check_diag(d)
    return [d for d in t.diagnoses if d['kind'] == kind]


def roles(d):
    """{pid: role} of a diagnosis's processes."""
    return {p['pid']: p['role'] for p in d['processes']}


def check_handler_race(t, case, installer):
    """`race CASE` (examples/race.c) traced as t: its one diagnosis,
    handler_race, for the killed child, the sender and installer(report)
    as the one that installed on_usr1 (named), resting on the child's fork,
    that install, the signal's generation and the child's exit, each at
    its event's time. Returns (diagnosis, report)."""
    check_clean_exit(t, 0)
    rep = t.report
    killed, parent = rep['killed'], rep['pid']
    inst = installer(rep)
    check_eq('%s: the killed child\'s status (killed by SIGUSR1)' % case, 10, rep['killed_status'])
    ds = diagnoses_of(t, 'handler_race')
    check_eq('%s: kinds of diagnosis' % case, ['handler_race'], [d['kind'] for d in t.diagnoses])
    d = ds[0]
    fork = one(select_events(t.events, type='fork', pid=parent, child_pid=killed), 'the fork of %d' % killed)
    act = one(select_events(t.events, type='rt_sigaction', pid=inst, sig='SIGUSR1', handler='on_usr1'),
              'the handler install by %d' % inst)
    gen = one(select_events(t.events, type='signal_generate', pid=parent, sig='SIGUSR1', target_pid=killed),
              'SIGUSR1 to %d' % killed)
    ex = one(select_events(t.events, type='exit', pid=killed), 'the exit of %d' % killed)
    check_eq('%s: the child\'s exit' % case, 'SIGUSR1', ex['exit_signal'])
    check_eq('%s: (pid, sig, time_ns)' % case, (killed, 'SIGUSR1', ex['time_ns']), (d['pid'], d['sig'], d['time_ns']))
    want = {killed: 'killed', parent: 'sender'}
    want.setdefault(inst, 'installer')
    check_eq('%s: processes and roles' % case, want, roles(d))
    check_eq('%s: evidence (event, pid, time_ns), oldest first' % case,
             sorted([('fork', parent, fork['time_ns']), ('rt_sigaction', inst, act['time_ns']),
                     ('signal_generate', parent, gen['time_ns']), ('exit', killed, ex['time_ns'])],
                    key=lambda x: x[2]),
             [(e['event'], e['pid'], e['time_ns']) for e in d['evidence']])
    check('race[%d] was killed by SIGUSR1, sent by race[%d] at ' % (killed, parent) in d['message']
          and 'installed on_usr1 at ' in d['message'] and 'install the handler before fork()' in d['message'],
          '%s: message %r' % (case, d['message']))
    return d, rep


def trace_hang(args, kind, pids, opts=()):
    """Runs `ipctrace run -o json OPTS -- ARGS`, a program that writes its
    report and then hangs, until a diagnosis of `kind` arrives (at most
    DEADLINE seconds). pids(report) names the processes to kill; their
    states when the diagnosis has come are returned (asleep: it came live,
    before the kill). Returns (Trace, {pid: state at the diagnosis}). Those killed after
    the command outlive it for a moment: --follow-orphans keeps them traced to their ends
    (else run lets them go as it sees its command end, and their last calls with them)."""
    p, out, errf, report_path = start_live(list(opts) + ['--follow-orphans'], args)
    report, states = None, {}
    try:
        seen = out.wait_for(lambda ls: any(o.get('type') == 'diagnosis' and o.get('kind') == kind
                                           for o in json_lines(ls)), DEADLINE)
        with open(report_path) as f:
            text = f.read()
        if text.strip():
            report = json.loads(text)
        if seen and report:
            states = {pid: proc_state(pid) for pid in pids(report)}
    finally:
        # All stopped first: killed one by one, the first one's end could let the others go on.
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids(report) if report else ():
                kill_quietly(pid, sig)
        out.wait_for(lambda ls: False, DEADLINE)
        try:
            status = p.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            p.kill()
            status = p.wait()
        _context['stdout'] = out.text()
        errf.seek(0)
        _context['stderr'] = errf.read().decode(errors='replace')
        errf.close()
        os.unlink(report_path)
    check(report is not None, '%s wrote no report' % ' '.join(args))
    check(seen, 'no %s diagnosis within %d s while %s hung' % (kind, DEADLINE, ' '.join(args)))
    every = json_lines(out.lines)
    summary = every.pop() if every and every[-1].get('type') == 'summary' else None
    check(summary is not None, 'the output does not end with a summary')
    diags = [o for o in every if o.get('type') == 'diagnosis']
    explanation = [o for o in every if o.get('type') == 'explanation']
    events = [o for o in every if o.get('type') not in ('diagnosis', 'ipc_object', 'explanation')
              and not is_record(o)]
    return Trace(events, summary, report, status, _context['stderr'], _context['stdout'], [],
                 diagnoses=diags, explanation=explanation[0] if explanation else None), states
