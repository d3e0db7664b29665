#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace explain SESSION` in Spanish (LANG=es_ES.UTF-8) of diagnoses the
daemon made, and keeps, in English (docs/diagnoses.md, "message_parts").
A private daemon with a journal; one session runs `sigcases sigpipe` (a
child killed by SIGPIPE, writing to a pipe whose reader is closed) and
then `zombies never` (three children never waited for), each reporting
its own pids:

- JSON (`explain -o json`) stays English: write_after_close names the
  child sigcases reports, not_waited the parent and the three children
  zombies reports, and every message and evidence detail is what its
  message_parts / detail_parts give untranslated.
- Text under LANG=es_ES.UTF-8: the heading, each message and the evidence
  in Spanish with those pids in place (comm[pid]), in the course's terms
  (proceso zombi, huérfanos, SIGPIPE generada), and none of the English
  messages; so is the pipe's warning in `pipes`, and the live "!!" lines
  of `run` (again, with that run's pids); the same with LANG=C is English,
  each JSON message whole."""

import json
import os
import tempfile

from common import Daemon, check, check_eq, done, example, passed, run_cli, trace

ES = {'LANG': 'es_ES.UTF-8', 'LC_ALL': '', 'LC_MESSAGES': '', 'LANGUAGE': ''}
C = {'LANG': 'C', 'LC_ALL': '', 'LC_MESSAGES': '', 'LANGUAGE': ''}


def parts_text(parts):
    """The English a message's parts give, as lib/say.c renders them untranslated."""
    out = ''
    for p in parts:
        fmt, args = p[0], [parts_text([a]) if isinstance(a, list) else a for a in p[1:]]
        i = 0
        while fmt:
            k = fmt.find('%')
            if k < 0:
                out += fmt
                break
            out += fmt[:k]
            if fmt[k + 1] == '%':
                out += '%'
                fmt = fmt[k + 2:]
                continue
            j = k + 1
            while fmt[j] not in 'diouxXeEfFgGaAcsp':
                j += 1
            out += args[i]
            i += 1
            fmt = fmt[j + 1:]
    return out


def explain(sock, session, opts, env):
    r = run_cli(['explain', '-s', sock] + opts + [str(session)], env=env)
    check_eq('explain %d %s: exit status (stderr %r)' % (session, ' '.join(opts), r.stderr), 0, r.returncode)
    return r.stdout


tmpdir = tempfile.mkdtemp(prefix='ipctrace-e2e-i18n-')
sig_report = os.path.join(tmpdir, 'sigcases.json')
d = None
try:
    d = Daemon()
    t = trace(['sh', '-c', 'IPCTRACE_REPORT="$2" "$0" sigpipe; "$1" never', example('sigcases'),
               example('zombies'), sig_report], socket=d.socket)
    check_eq('exit status (stderr %r)' % t.stderr, 0, t.returncode)
    with open(sig_report) as f:
        sig = json.load(f)
    zomb = t.report
    check_eq('sigcases: its child died of SIGPIPE', 13, sig['termsig'])
    check_eq('zombies: case', 'never', zomb['case'])
    check_eq('zombies: children', 3, len(zomb['children']))
    sessions = {e['session'] for e in t.events}
    check_eq('one session', 1, len(sessions))
    session = sessions.pop()

    # JSON: English, its parts giving the same text.
    lines = explain(d.socket, session, ['-o', 'json'], ES).splitlines()
    check_eq('explain -o json: lines', 1, len(lines))
    diags = [x for g in json.loads(lines[0])['groups'] for x in g]
    by_kind = {x['kind']: x for x in diags}
    check_eq('diagnoses', ['not_waited', 'write_after_close'], sorted(by_kind))
    wac, nw = by_kind['write_after_close'], by_kind['not_waited']
    check_eq('write_after_close: the writer sigcases forked', sig['child'], wac['pid'])
    check_eq('not_waited: the parent zombies reports', zomb['pid'], nw['pid'])
    check_eq('not_waited: the children zombies reports', sorted(zomb['children']),
             sorted(c['pid'] for c in nw['children']))
    for x in diags:
        check_eq('%s: message_parts give the message' % x['kind'], x['message'], parts_text(x['message_parts']))
        for e in x['evidence']:
            check_eq('%s: detail_parts give the detail' % x['kind'], e['detail'], parts_text(e['detail_parts']))
    check('SIGPIPE' in wac['message'] and 'zombie' in nw['message'], 'JSON messages not English: %r' % diags)
    passed('json: English, the pids the programs report, every message and detail from its parts')

    # Text in Spanish.
    es = explain(d.socket, session, ['--color', 'never'], ES)
    check('Sesión %d, iniciada ' % session in es, 'no Spanish session line: %r' % es)
    check('Qué salió mal: 2 diagnósticos, las causas raíz primero' in es, 'no Spanish heading: %r' % es)
    writer = 'sigcases[%d]' % sig['child']
    check('%s escribió en pipe:[%d] (descriptor %d) después de que todos los lectores lo cerraran: la escritura '
          'falló con EPIPE y generó SIGPIPE' % (writer, sig['inode'], sig['fd']) in es,
          'write_after_close not in Spanish with %s, pipe:[%d], fd %d: %r' % (writer, sig['inode'], sig['fd'], es))
    parent = 'zombies[%d]' % zomb['pid']
    check('%s nunca esperó a 3 de sus hijos: cuando terminó en ' % parent in es,
          'not_waited not in Spanish for %s: %r' % (parent, es))
    for kid, code in zip(zomb['children'], (0, 1, 2)):
        check('zombies[%d] (terminó con %d en ' % (kid, code) in es and ' como proceso zombi' in es,
              'child zombies[%d] (exit %d) not said in Spanish: %r' % (kid, code, es))
    check('los entregó entonces, huérfanos, a ' in es and 'que los recogió' in es,
          'the handover not in Spanish: %r' % es)
    check('terminó con 0, sin esperarlos' in es, 'the evidence not in Spanish: %r' % es)
    for x in diags:
        check(x['message'] not in es, 'English message in the Spanish text: %r' % x['message'])
    passed('text, LANG=es_ES.UTF-8: Spanish, with %s, %s and its children in place' % (writer, parent))

    # The pipe graph's warning, in `pipes`.
    r = run_cli(['pipes', '-s', d.socket, '--color', 'never', 'session=%d' % session], env=ES)
    check_eq('pipes session=%d: exit status (stderr %r)' % (session, r.stderr), 0, r.returncode)
    check('!! %s escribió en pipe:[%d]' % (writer, sig['inode']) in r.stdout and wac['message'] not in r.stdout,
          'pipes: the warning on pipe:[%d] not in Spanish: %r' % (sig['inode'], r.stdout))
    passed('pipes, LANG=es_ES.UTF-8: the warning on pipe:[%d] in Spanish' % sig['inode'])

    # Live, in `run`'s text: the "!!" lines in Spanish, naming what this run's programs report.
    sig2, zomb2 = os.path.join(tmpdir, 'sigcases2.json'), os.path.join(tmpdir, 'zombies2.json')
    r = run_cli(['run', '-s', d.socket, '--color', 'never', '--', 'sh', '-c',
                 'IPCTRACE_REPORT="$2" "$0" sigpipe; "$1" never', example('sigcases'), example('zombies'), sig2],
                env=dict(ES, IPCTRACE_REPORT=zomb2))
    check_eq('run (text): exit status (stderr %r)' % r.stderr, 0, r.returncode)
    with open(sig2) as f:
        child = json.load(f)['child']
    with open(zomb2) as f:
        parent = json.load(f)['pid']
    warns = [l for l in r.stderr.splitlines() if l.startswith('!! ')]
    check_eq('run (text): "!!" lines', 2, len(warns))
    check(any(l.startswith('!! sigcases[%d] escribió en pipe:[' % child) for l in warns)
          and any(l.startswith('!! zombies[%d] nunca esperó a 3 de sus hijos' % parent) for l in warns),
          'run (text): the diagnoses of sigcases[%d] and zombies[%d] not in Spanish: %r' % (child, parent, warns))
    passed('run, LANG=es_ES.UTF-8: the live diagnoses of sigcases[%d] and zombies[%d] in Spanish' % (child, parent))

    # Text in English: the messages whole.
    en = explain(d.socket, session, ['--color', 'never'], C)
    check('What went wrong: 2 diagnoses, root causes first' in en, 'no English heading: %r' % en)
    for x in diags:
        check(x['message'] in en, 'LANG=C: the message of %s not whole: %r' % (x['kind'], en))
    passed('text, LANG=C: English, each message as JSON has it')
finally:
    if d:
        d.cleanup()
    for f in os.listdir(tmpdir):
        os.unlink(os.path.join(tmpdir, f))
    os.rmdir(tmpdir)
done()
