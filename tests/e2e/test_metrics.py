#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prometheus metrics (docs/metrics.md). A private daemon with
--metrics-file traces `pipe 500`; `ipctrace stats -o prometheus` is in the
text exposition format (a strict parser here, and Debian's `promtool
check metrics`): every family has its HELP and TYPE lines before its
samples, names are ipctrace_*, counters end in _total; the writes counted
by type are those the program made, and every number of `stats -o json`
is there. The metrics file holds the same families; it is rewritten
atomically: each rewrite is a new inode, and no read of it, however
often, ever sees part of a file; no temporary file is left; at exit it
is written once more (no session left)."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from common import (Daemon, check, check_clean_exit, check_eq, done, example, fail, passed, run_cli, skip,
                    select_events, trace)

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*\Z')
SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)\Z')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|\Z)')


def parse(text, what):
    """{family: (type, help, {labels tuple: value})}, or fail: the text exposition format, strictly."""
    families, order, current = {}, [], None
    check(text.endswith('\n'), '%s: does not end with a newline' % what)
    for n, line in enumerate(text.splitlines(), 1):
        where = '%s line %d: %r' % (what, n, line)
        if line.startswith('# HELP '):
            name, _, help_ = line[7:].partition(' ')
            check(NAME.match(name) and help_, '%s: bad HELP' % where)
            check(name not in families, '%s: family %s again' % (where, name))
            families[name] = [None, help_, {}]
            order.append(name)
            current = name
        elif line.startswith('# TYPE '):
            name, _, type_ = line[7:].partition(' ')
            check(name == current and families[name][0] is None, '%s: TYPE not right after its HELP' % where)
            check(type_ in ('counter', 'gauge', 'untyped'), '%s: type %r' % (where, type_))
            families[name][0] = type_
        else:
            m = SAMPLE.match(line)
            check(m is not None, '%s: not a sample' % where)
            name, labels, value = m.groups()
            check(name == current and families[name][0], '%s: a sample outside its family' % where)
            pairs, rest = [], labels or ''
            while rest:
                lm = LABEL.match(rest)
                check(lm is not None, '%s: bad labels' % where)
                pairs.append((lm.group(1), lm.group(2)))
                rest = rest[lm.end():]
            try:
                v = float(value)
            except ValueError:
                fail('%s: value %r' % (where, value))
            check(tuple(pairs) not in families[name][2], '%s: the same sample twice' % where)
            families[name][2][tuple(pairs)] = v
    for name in order:
        check(name.startswith('ipctrace_'), '%s: family %s is not ipctrace_*' % (what, name))
        check((families[name][0] == 'counter') == name.endswith('_total'),
              '%s: %s is a %s' % (what, name, families[name][0]))
    return families


def value(fams, name, **labels):
    s = fams.get(name)
    check(s is not None, 'no metric %s' % name)
    key = tuple(sorted(labels.items()))
    check(key in s[2], 'no sample %s%r in %r' % (name, labels, s[2]))
    return s[2][key]


def promtool(text, what):
    exe = shutil.which('promtool')
    if not exe:
        skip('promtool is missing (Debian package prometheus; scripts/setup installs it)')
    p = subprocess.run([exe, 'check', 'metrics'], input=text, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=60)
    check_eq('%s: promtool check metrics: exit status (output %r)' % (what, p.stdout), 0, p.returncode)
    check_eq('%s: promtool check metrics: its complaints' % what, '', p.stdout)


def numbers(o, prefix=''):
    """The numbers of the stats JSON, by path (journal.bytes); lists left out."""
    out = {}
    for k, v in o.items():
        if isinstance(v, dict):
            out.update(numbers(v, prefix + k + '.'))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[prefix + k] = v
    return out


def read_whole(path):
    """(inode, text) of the file as one open sees it."""
    with open(path) as f:
        return os.fstat(f.fileno()).st_ino, f.read()


mdir = tempfile.mkdtemp(prefix='ipctrace-e2e-metrics-')
mfile = os.path.join(mdir, 'ipctrace.prom')
d = None
try:
    d = Daemon(args=['--metrics-file', mfile, '--metrics-interval', '1'])
    # Written before "ready": the file is there at once.
    ino0, text0 = read_whole(mfile)
    families0 = set(parse(text0, 'the metrics file at start'))
    promtool(text0, 'the metrics file at start')

    t = trace([example('pipe'), '500'], opts=['-s', d.socket])
    check_clean_exit(t, 0)
    writes = t.report['writes']
    check_eq('pipe 500: write events', writes, len(select_events(t.events, type='write')))
    r = run_cli(['stats', '-s', d.socket, '-o', 'prometheus'])
    check_eq('stats -o prometheus: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    fams = parse(r.stdout, 'stats -o prometheus')
    promtool(r.stdout, 'stats -o prometheus')
    check_eq('ipctrace_events_by_type_total{type="write"} vs the program\'s writes', writes,
             value(fams, 'ipctrace_events_by_type_total', type='write'))
    r = run_cli(['stats', '-s', d.socket, '-o', 'json'])
    check_eq('stats -o json: exit status', 0, r.returncode)
    st = json.loads(r.stdout)
    check_eq('ipctrace_events_total vs stats events', st['events'], value(fams, 'ipctrace_events_total'))
    check_eq('ipctrace_lost_events_total', 0, value(fams, 'ipctrace_lost_events_total'))
    for k, v in st['by_type'].items():
        check_eq('ipctrace_events_by_type_total{type="%s"}' % k, v, value(fams, 'ipctrace_events_by_type_total', type=k))
    check_eq('samples of ipctrace_events_by_type_total', len(st['by_type']),
             len(fams['ipctrace_events_by_type_total'][2]))
    del st['by_type']
    for path, v in numbers(st).items():
        names = [n for n in fams if n in ('ipctrace_' + path.replace('.', '_'),
                                          'ipctrace_' + path.replace('.', '_') + '_total')]
        if path in ('lost', 'journal.first_ns', 'journal.last_ns'):
            continue        # renamed: checked on their own
        check(len(names) == 1, 'stats %s: no metric for it (%s)' % (path, sorted(fams)))
        if path not in ('clients', 'backlog_bytes', 'journal.bytes', 'journal.records'):
            check_eq('metric for stats %s' % path, v, value(fams, names[0]))
    check(abs(value(fams, 'ipctrace_journal_last_timestamp_seconds') - st['journal']['last_ns'] / 1e9) < 1,
          'ipctrace_journal_last_timestamp_seconds vs journal.last_ns %d' % st['journal']['last_ns'])
    check_eq('the families of the metrics file and of stats -o prometheus', sorted(fams), sorted(families0))
    passed('stats -o prometheus: %d families, strict parser and promtool accept them; %d writes as the program '
           'made' % (len(fams), writes))

    # Rewrites: read the file as often as possible; every read is a whole file.
    seen, reads, deadline = {ino0}, 0, time.monotonic() + 60
    last_writes = None
    while len(seen) < 4 or last_writes != writes:
        check(time.monotonic() < deadline, 'the metrics file was rewritten %d times in 60 s (interval 1 s)'
              % (len(seen) - 1))
        ino, text = read_whole(mfile)
        reads += 1
        f = parse(text, 'the metrics file (read %d)' % reads)
        check_eq('families of the metrics file (read %d)' % reads, sorted(families0), sorted(f))
        last_writes = f['ipctrace_events_by_type_total'][2].get((('type', 'write'),))
        seen.add(ino)
        time.sleep(0.002)
    check_eq('files in the metrics file\'s directory', ['ipctrace.prom'], os.listdir(mdir))
    passed('the metrics file: %d rewrites, each a new inode; %d reads, each a whole file; writes %d'
           % (len(seen) - 1, reads, writes))

    before, _ = read_whole(mfile)
    check_eq('ipctraced exit status', 0, d.kill(signal.SIGTERM))
    ino, text = read_whole(mfile)
    check(ino != before, 'the metrics file was not written at exit')
    f = parse(text, 'the metrics file at exit')
    check_eq('sessions at exit', 0, value(f, 'ipctrace_sessions'))
    check_eq('writes at exit', writes, value(f, 'ipctrace_events_by_type_total', type='write'))
    check_eq('files in the metrics file\'s directory after exit', ['ipctrace.prom'], os.listdir(mdir))
    passed('written at exit: sessions 0, no temporary file left')
finally:
    if d:
        d.cleanup()
    shutil.rmtree(mdir, ignore_errors=True)
done()
