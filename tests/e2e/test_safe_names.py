#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Names a traced program chose are safe to print (issue #20, point 8).

examples/oddname names itself (PR_SET_NAME) with an escape sequence that
clears the screen, a byte that is not UTF-8, a right-to-left override and
double-width characters, then writes once to a pipe and sends itself
SIGUSR1. Through `run` (text and JSON, with --signals and --pipes), `log`,
`signals`, `pipes` and `trace --all`, the text output must hold no control byte but
'\\n', no C1 or bidirectional control and only UTF-8, the name escaped as
docs/events.md says, the PROCESS column aligned by display width; every
JSON line must parse from strict UTF-8, the name as the program set it
(its bytes that are not UTF-8 as U+FFFD). Counts are the program's own."""

import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import unicodedata

from common import (EXAMPLES, IPCTRACE, Daemon, check, check_eq, done, fail, passed, run_env)
from logcommon import log, wait_stats

# The name's argument, the bytes the program sets, how text shows it.
NAMES = [('esc', b'e\x1b[2Jx', 'e\\x1b[2Jx'),
         ('latin1', b'caf\xe9', 'caf\\xe9'),
         ('bidi', b'a\xe2\x80\xaeb', 'a\\u{202e}b'),
         ('wide', '名前x'.encode(), '名前x')]
PROG = os.path.join(EXAMPLES, 'oddname')


def columns(s):
    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)


def check_text(what, out):
    """No byte a terminal would act on, and strict UTF-8; the text."""
    for b in set(out):
        check(b >= 0x20 and b != 0x7f or b == 0x0a, '%s: raw control byte 0x%02x in %r' % (what, b, out[:300]))
    try:
        text = out.decode('utf-8')
    except UnicodeDecodeError as ex:
        fail('%s: not UTF-8 (%s)' % (what, ex))
    bad = [c for c in text if 0x80 <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
    check(not bad, '%s: C1 or bidirectional controls %r' % (what, bad))
    return text


def check_json(what, out):
    """Every line parses (from strict UTF-8, as `json.loads` over sys.stdin does); the objects."""
    try:
        return [json.loads(line) for line in out.decode('utf-8').splitlines()]
    except (UnicodeDecodeError, ValueError) as ex:
        fail('%s: a line is not valid JSON in UTF-8 (%s): %r' % (what, ex, out[:300]))


def ipctrace(*args, report=None):
    env = run_env({'IPCTRACE_REPORT': report} if report else None)
    p = subprocess.run([IPCTRACE] + list(args), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    check_eq('ipctrace %s: exit status (stderr %r)' % (' '.join(args), p.stderr[-300:]), 0, p.returncode)
    return p.stdout, p.stderr


def traced(d, arg, fmt):
    fd, path = tempfile.mkstemp(prefix='ipctrace-e2e-report-')
    os.close(fd)
    try:
        out, err = ipctrace('run', '-s', d.socket, '-o', fmt, '--signals', '--pipes', '--', PROG, arg, report=path)
        with open(path) as f:
            rep = json.load(f)
    finally:
        os.unlink(path)
    return out, err, rep


def event_lines(text, shown, pid):
    """The event lines of process pid: (display column of the EVENT column, event type)."""
    rows = []
    # Up to the lifecycle table (--signals), which starts with a header of its own.
    for line in text.split('\nTIME ')[0].splitlines():
        prefix = '%s[%d]' % (shown, pid)
        at = line.find('  ' + prefix + ' ')
        if at < 0:
            continue
        rest = line[at + 2 + len(prefix):]
        event = rest.lstrip(' ')
        rows.append((columns(line[:len(line) - len(event)]), event.split()[0]))
    return rows


d = Daemon()
atexit.register(d.cleanup)
header_col = None
for arg, raw, shown in NAMES:
    decoded = raw.decode('utf-8', errors='replace')

    out, err, rep = traced(d, arg, 'text')
    check_eq('%s: the name the program set' % arg, raw.hex(), rep['comm_hex'])
    text = check_text('run %s (stdout)' % arg, out)
    check_text('run %s (stderr)' % arg, err)
    rows = event_lines(text, shown, rep['pid'])
    header = text.splitlines()[0]
    if header_col is None:
        header_col = header.index('EVENT')
    check_eq('run %s: writes shown' % arg, rep['writes'], len([r for r in rows if r[1] == 'write']))
    check_eq('run %s: kills shown' % arg, rep['kills'], len([r for r in rows if r[1] == 'kill']))
    check_eq('run %s: the EVENT column of every line of %s (display columns)' % (arg, shown),
             {header_col}, {r[0] for r in rows})
    check(('%s[%d]' % (shown, rep['pid'])) in text.split('SENDER')[-1],
          'run %s --signals: the record does not name %s' % (arg, shown))

    out, err, rep = traced(d, arg, 'json')
    objs = check_json('run -o json %s' % arg, out)
    check_text('run -o json %s (stderr)' % arg, err)
    # After its exec (named after the program), the argv and the stdio records.
    mine = [o for o in objs if o.get('pid') == rep['pid'] and o.get('type') not in ('exec', 'argv', 'stdio')]
    check_eq('run -o json %s: writes' % arg, rep['writes'], len([o for o in mine if o.get('type') == 'write']))
    check_eq('run -o json %s: the comm of its events' % arg, {decoded}, {o['comm'] for o in mine})
    recs = [o for o in objs if o.get('type') == 'lifecycle' and o.get('target_pid') == rep['pid']]
    check_eq('run -o json %s: its SIGUSR1 record\'s target_comm' % arg, [decoded],
             [o['target_comm'] for o in recs if o.get('sig') == 'SIGUSR1'])

    out, _ = ipctrace('log', '-s', d.socket, 'pid=%d' % rep['pid'])
    rows = event_lines(check_text('log %s' % arg, out), shown, rep['pid'])
    check_eq('log %s: writes' % arg, rep['writes'], len([r for r in rows if r[1] == 'write']))
    check_eq('log %s: one EVENT column' % arg, 1, len({r[0] for r in rows}))
    out, _ = ipctrace('log', '-s', d.socket, '-o', 'json', 'pid=%d' % rep['pid'])
    objs = check_json('log -o json %s' % arg, out)
    check_eq('log -o json %s: writes' % arg, rep['writes'], len([o for o in objs if o.get('type') == 'write']))
    check_eq('log -o json %s: comm' % arg, {decoded},
             {o['comm'] for o in objs if o.get('type') not in ('exec', 'argv', 'stdio')})
    out, _ = ipctrace('signals', '-s', d.socket, 'pid=%d' % rep['pid'])
    check(shown in check_text('signals %s' % arg, out), 'signals %s: %s not shown' % (arg, shown))
    out, _ = ipctrace('signals', '-s', d.socket, '-o', 'json', 'pid=%d' % rep['pid'])
    check_eq('signals -o json %s: target_comm' % arg, {decoded},
             {o['target_comm'] for o in check_json('signals -o json %s' % arg, out)})
    out, _ = ipctrace('pipes', '-s', d.socket, 'pid=%d' % rep['pid'])
    # (The graph names a holder by the name its process had when first seen: safe either way.)
    check('[%d]' % rep['pid'] in check_text('pipes %s' % arg, out), 'pipes %s: pid %d not shown' % (arg, rep['pid']))
    out, _ = ipctrace('pipes', '-s', d.socket, '-o', 'json', 'pid=%d' % rep['pid'])
    check(check_json('pipes -o json %s' % arg, out), 'pipes -o json %s: no object' % arg)
    passed('%s (%r): run, log, signals and pipes escape it in text (%s) and keep JSON valid (%r)'
           % (arg, raw, shown, decoded))

# A session is named after what its command execs: a file named with an escape and an invalid byte.
odd_dir = tempfile.mkdtemp(prefix='ipctrace-e2e-names-')
odd_file = os.path.join(odd_dir.encode(), b'x\x1b[2Jy\xe9')
shutil.copy(PROG, odd_file)
try:
    ipctrace('run', '-s', d.socket, '--', odd_file.decode(errors='surrogateescape'), 'esc',
             report=os.path.join(odd_dir, 'report'))
finally:
    shutil.rmtree(odd_dir, ignore_errors=True)
out, _ = ipctrace('sessions', '-s', d.socket)
check(b'x\\x1b[2Jy\\xe9' in out, 'sessions: the odd command is not shown escaped: %r' % out[-400:])
check_text('sessions', out)
sessions = check_json('sessions -o json', ipctrace('sessions', '-s', d.socket, '-o', 'json')[0])
check(sessions and all('command' in x for x in sessions), 'sessions -o json: %r' % sessions[:2])
passed('sessions: %d sessions listed, a command named x\\x1b[2Jy\\xe9 escaped in text, valid in JSON'
       % len(sessions))

# trace --all, selecting the tree of a shell that execs the program when told to.
for fmt in ('text', 'json'):
    fd, path = tempfile.mkstemp(prefix='ipctrace-e2e-report-')
    os.close(fd)
    sh = subprocess.Popen(['sh', '-c', 'read go; exec "$0" esc', PROG], stdin=subprocess.PIPE,
                          env=run_env({'IPCTRACE_REPORT': path}))
    outf = tempfile.TemporaryFile()
    errf = tempfile.TemporaryFile()
    tracer = subprocess.Popen([IPCTRACE, 'trace', '--all', '-s', d.socket, '-o', fmt, '-e', 'tree=%d' % sh.pid],
                              stdin=subprocess.DEVNULL, stdout=outf, stderr=errf, env=run_env())
    try:
        wait_stats(d.socket, lambda s: s.get('sessions') == 1 and s.get('attached'), 'trace --all started')
        sh.stdin.write(b'go\n')
        sh.stdin.close()
        check_eq('oddname under trace --all: exit status', 0, sh.wait(timeout=60))
        with open(path) as f:
            rep = json.load(f)
        # Its kill is in the log once drained; the stream has had it by then too.
        wait_stats(d.socket, lambda s: log(d.socket, 'pid=%d' % rep['pid'], 'type=kill'), 'the kill logged')
        tracer.send_signal(signal.SIGINT)
        check_eq('trace --all exit status', 0, tracer.wait(timeout=60))
    finally:
        for p in (sh, tracer):
            if p.poll() is None:
                p.kill()
                p.wait()
        os.unlink(path)
    outf.seek(0)
    errf.seek(0)
    out = outf.read()
    check_text('trace --all stderr', errf.read())
    if fmt == 'text':
        rows = event_lines(check_text('trace --all', out), 'e\\x1b[2Jx', rep['pid'])
        check_eq('trace --all: writes of %d' % rep['pid'], rep['writes'], len([r for r in rows if r[1] == 'write']))
    else:
        objs = check_json('trace --all -o json', out)
        # The tree: the shell, and what it and its descendants forked, as the forks shown say.
        tree = {sh.pid}
        for o in objs:
            if o.get('type') == 'fork' and o.get('pid') in tree:
                tree.add(o['child_pid'])
        others = [o for o in objs if 'pid' in o and o.get('type') != 'summary' and o['pid'] not in tree]
        check_eq('trace --all -o json: events of processes outside the tree of %d' % sh.pid, [], others[:6])
        check(sh.pid in {o.get('pid') for o in objs}, 'trace --all -o json: no event of %d' % sh.pid)
        check_eq('trace --all -o json: writes', rep['writes'],
                 len([o for o in objs if o.get('type') == 'write' and o.get('pid') == rep['pid']]))
    passed('trace --all -o %s -e tree=PID: the escaped name, the tree\'s events only' % fmt)
done()
