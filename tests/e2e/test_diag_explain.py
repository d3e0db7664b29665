#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace run --explain`: once the command has ended, every diagnosis of
the run again, grouped by the processes and objects they share, root
causes first, each with the events it rests on (docs/diagnoses.md).

- A shell runs `zombies first` and then `killfail reaped`: two diagnoses
  about different processes, so two groups, in the order they happened;
  in JSON the last line before the summary is one `"type":"explanation"`
  object whose groups hold exactly the diagnoses the run printed live; in
  text, a "What went wrong" section on stdout after the events, numbering
  the groups, with each evidence event at the time the event lines give it.
- A hang (`deadlock holdwrite`), killed once diagnosed: the explanation
  still comes, with the deadlock.
- A correct program: an explanation with no group ("nothing that the
  trace can show")."""

import subprocess

from common import (IPCTRACE, check, check_eq, done, example, passed, run_env, select_events,
                    trace)
from diagcommon import diagnoses_of, trace_hang

CMD = ['sh', '-c', '"$0" first; "$1" reaped', example('zombies'), example('killfail')]

t = trace(CMD, opts=['--explain'])
check_eq('exit status', 0, t.returncode)
check_eq('live diagnoses (kind)', ['not_waited', 'kill_failed'], [d['kind'] for d in diagnoses_of(t, 'not_waited')
                                                                   + diagnoses_of(t, 'kill_failed')])
check(t.explanation is not None, 'no explanation object')
groups = t.explanation['groups']
check_eq('explanation: groups (kinds)', [['not_waited'], ['kill_failed']],
         [[d['kind'] for d in g] for g in groups])
check_eq('explanation: the diagnoses are the live ones', t.diagnoses, [d for g in groups for d in g])
passed('json: %d groups, the live diagnoses again' % len(groups))

# Text: after the events, on stdout.
p = subprocess.run([IPCTRACE, 'run', '--explain', '--color', 'never', '--'] + CMD, env=run_env(),
                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   universal_newlines=True, timeout=60)
check_eq('text: exit status', 0, p.returncode)
lines = p.stdout.splitlines()
check('What went wrong: 2 diagnoses, root causes first' in lines, 'text: no heading in %r' % p.stdout)
head = lines.index('What went wrong: 2 diagnoses, root causes first')
rest = [l for l in lines[head + 1:] if l.strip()]
check(rest[0].startswith('1. not_waited: zombies[') and any(l.startswith('2. kill_failed: killfail[')
                                                          for l in rest),
      'text: the groups are not numbered in order: %r' % rest)
ex = [l for l in rest if l.strip().split()[2:3] == ['exit']]
check(ex, 'text: no exit among the evidence: %r' % rest)
# The evidence's times are the event lines' times: the same strings.
times = {l.split()[0] for l in lines[:head] if l[:1] == ' ' and len(l.split()) > 2}
for l in rest:
    if l.startswith('     '):
        check(l.split()[0] in times, 'text: evidence at %s, which no event line has: %r' % (l.split()[0], l))
passed('text: %d lines after "What went wrong"' % len(rest))

# A hang, killed once diagnosed.
t, states = trace_hang([example('deadlock'), 'holdwrite'], 'deadlock',
                       lambda rep: [rep['parent_pid'], rep['child_pid']], opts=['--explain'])
check(t.explanation is not None, 'hang: no explanation')
check_eq('hang: explanation (kinds)', [['deadlock']], [[d['kind'] for d in g] for g in t.explanation['groups']])
passed('hang: the deadlock is explained after the kill')

# Nothing wrong.
t = trace([example('pipe'), '10'], opts=['--explain'])
check_eq('correct program: explanation', {'type': 'explanation', 'groups': []}, t.explanation)
check_eq('correct program: its parent waited for its child', [t.report['child_pid']],
         [e['child_pid'] for e in select_events(t.events, type='wait4', pid=t.report['parent_pid'])])
passed('correct program: no group')
done()
