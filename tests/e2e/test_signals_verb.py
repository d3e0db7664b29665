#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace signals`: the daemon's lifecycle records, filtered in the daemon.

A system-like daemon (on a private socket) traces `sigcases merge` for root and
again for the unprivileged user nobody. The query returns exactly the records
the runs streamed; matches combine as documented (same field: OR; different
fields: AND); bad matches are refused with an error that names them; nobody
sees only its own records; no daemon is a clear error."""

import json
import os

from common import (Daemon, IPCTRACE, as_nobody, check, check_eq, done, example, fail, passed,
                    run_cli, trace)

d = Daemon()
try:
    sock = d.socket

    def query(*matches, out='json'):
        r = run_cli(['signals', '-s', sock, '-o', out] + list(matches))
        check_eq('ipctrace signals %s: exit status (stderr %r)' % (' '.join(matches), r.stderr),
                 0, r.returncode)
        if out != 'json':
            return r.stdout
        return [json.loads(line) for line in r.stdout.splitlines()]

    t = trace([example('sigcases'), 'merge'], opts=['-s', sock, '--signals'])
    pid = t.report['pid']
    mine = [r for r in t.records if r['target_pid'] == pid]
    check_eq('records of the run for pid %d' % pid, 6, len(mine))

    # Everything the run streamed is what the daemon keeps (wall-clock offsets
    # are computed per request and may differ by a clock tick: compare the rest).
    def key(r):
        return {k: v for k, v in r.items() if not k.endswith('_ns')}

    everything = query()
    by_id = {r['id']: r for r in everything}
    for r in mine:
        check(r['id'] in by_id, 'record %d of the run is missing from `ipctrace signals`' % r['id'])
        check_eq('record %d from signals vs from run --signals' % r['id'], key(r), key(by_id[r['id']]))
        check_eq('record %d pending_ns' % r['id'], r['pending_ns'], by_id[r['id']]['pending_ns'])
    check_eq('ids in order', sorted(by_id), [r['id'] for r in everything])
    passed('`ipctrace signals` returns the %d records the run streamed, oldest first' % len(mine))

    got = query('sig=SIGUSR1', 'target=%d' % pid)
    check_eq('sig=SIGUSR1 target=%d: outcomes' % pid, ['handled'] + ['merged'] * 4,
             [r['outcome'] for r in got])
    check_eq('sig=usr1 is sig=SIGUSR1', [r['id'] for r in got],
             [r['id'] for r in query('sig=usr1', 'pid=%d' % pid)])
    check_eq('sig=10 is sig=SIGUSR1', [r['id'] for r in got],
             [r['id'] for r in query('sig=10', 'pid=%d' % pid)])
    got = query('outcome=merged', 'outcome=ignored', 'target=%d' % pid)
    check_eq('outcome=merged OR ignored, AND target: signals',
             ['SIGUSR1'] * 4 + ['SIGUSR2'], [r['sig'] for r in got])
    check_eq('sig=SIGUSR2 AND outcome=merged', [], query('sig=SIGUSR2', 'outcome=merged', 'pid=%d' % pid))
    check_eq('comm=sigcases: records', len(mine),
             len([r for r in query('comm=sigcases') if r['target_pid'] == pid]))
    passed('matches: same field ORs, different fields AND; sig by name, short name, number')

    text = query('target=%d' % pid, out='text').splitlines()
    header, header2 = text[:2]
    check(header.startswith('TIME') and 'SIGNAL' in header and 'OUTCOME' in header2,
          'text header: %r' % text[:2])
    firsts = [n for n, line in enumerate(text) if n > 1 and not line.startswith(' ')]
    whys = [line for line in text[2:] if line.lstrip().startswith('why:')]
    check_eq('text records', 6, len(firsts))
    check_eq('text lines wider than 80 columns', [], [line for line in text if len(line) > 80])
    for n in firsts:
        col = header.index('SIGNAL')
        check(text[n][col:].startswith('SIGUSR'), 'SIGNAL column not aligned in %r' % text[n])
        col = header2.index('OUTCOME')
        check(text[n + 1][col:].split()[0] in ('handled', 'merged', 'ignored'),
              'OUTCOME column not aligned in %r' % text[n + 1])
    check_eq('explanation lines (4 merged, 1 ignored)', 5, len(whys))
    check(all('already pending' in w for w in whys[:4]), 'merged explanations: %r' % whys)
    passed('text: aligned columns, one row per record, explanations on their own lines')

    for bad, words in (('bogus=1', ["unknown field 'bogus'", 'valid fields:', 'sig', 'outcome']),
                       ('sig=SIGFOO', ['sig', "'SIGFOO'", 'not a signal']),
                       ('outcome=lost', ['outcome', "'lost'", 'merged', 'never_delivered']),
                       ('pid=-3', ['pid', "'-3'"]),
                       ('pid', ['FIELD=VALUE'])):
        r = run_cli(['signals', '-s', sock, bad])
        check_eq('signals %s: exit status' % bad, 2, r.returncode)
        for w in words:
            check(w in r.stderr, 'signals %s: the error does not say %r: %r' % (bad, w, r.stderr))
        check_eq('signals %s: stdout' % bad, '', r.stdout)
    check(d.alive(), 'the daemon died of bad matches')
    passed('bad matches: exit 2 and an error that names the field or value')

    # An unprivileged user traces its own program through the same daemon ...
    os.chmod(d.dir, 0o755)
    r = as_nobody([IPCTRACE, 'run', '-s', sock, '-o', 'json', '--signals', '--',
                   example('sigcases'), 'merge'])
    check_eq('nobody: run exit status (stderr %r)' % r.stderr, 0, r.returncode)
    theirs = [json.loads(line) for line in r.stdout.splitlines()
              if line.startswith('{') and '"lifecycle"' in line]
    # Six of its own; the SIGCHLD its exit sends ipctrace, which launched it, is ipctrace's own.
    check_eq('nobody: records streamed (outcomes)', ['handled'] + ['merged'] * 4 + ['ignored'],
             [x['outcome'] for x in theirs])
    # ... and sees its records only; root sees both.
    r = as_nobody([IPCTRACE, 'signals', '-s', sock, '-o', 'json'])
    check_eq('nobody: signals exit status (stderr %r)' % r.stderr, 0, r.returncode)
    seen = [json.loads(line) for line in r.stdout.splitlines()]
    check_eq('nobody sees exactly its own records', sorted(x['id'] for x in theirs),
             sorted(x['id'] for x in seen))
    ids = {x['id'] for x in query()}
    check({x['id'] for x in theirs} <= ids and {x['id'] for x in mine} <= ids,
          'root does not see every record')
    passed('nobody sees its %d records and none of root\'s; root sees all' % len(seen))
finally:
    d.cleanup()

r = run_cli(['signals', '-s', os.path.join(d.dir, 'gone.sock')])
check_eq('no daemon: exit status', 1, r.returncode)
check('gone.sock' in r.stderr and 'ipctraced' in r.stderr, 'no daemon: stderr %r' % r.stderr)
if r.stdout:
    fail('no daemon: stdout %r' % r.stdout)
passed('no daemon: exit 1, says which socket and how to start ipctraced')
done()
