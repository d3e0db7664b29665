#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every example command of README.md, run as written.

The commands are read from the README itself: the lines of its ```sh
blocks (less their # comments) and the "$ " lines of its other blocks. Each
must be one this test knows: run (checked below), or set aside with the
reason and the test that covers it instead; a new example fails this test
until it is added here.

Each runs under bash (with pipefail) in a directory where `build` is this
suite's build directory and `./demo` its demo program, with `ipctrace` and
a `sudo` that just runs its command (the tests run as root) first in PATH,
and $IPCTRACE_SOCKET pointing at a daemon of this test's own (its own
journal). The placeholders become real values: CMD ARGS... a command that
shows what the line is about, 1234 a pid, 7 a session, myprog a program's
name. Each must exit 0 and print what the README says it prints, checked
against what the traced programs report themselves where they do."""

import json
import os
import re
import signal
import subprocess
import tempfile

from common import (EXAMPLES, IPCTRACE, Daemon, Lines, _context, check, check_eq, done, fail, passed, run_env)

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, '..', '..', 'README.md')
TIMEOUT = 120

# Not run here, and why.
ELSEWHERE = {
    'scripts/demo': 'test_demo.py runs it as the README says',
    'scripts/test': 'it runs this suite',
    'sudo apt-get build-dep ./': 'installs packages; test_deb.py builds the package (packaging suite)',
    'dpkg-buildpackage -b -us -uc': 'test_deb.py builds the package so (packaging suite)',
    'sudo apt install ../ipctrace_0.1.0_amd64.deb': 'installs onto this machine; test_deb.py checks the package',
    'sudo usermod -aG ipctrace alice': 'changes this machine\'s users; test_log_access.py covers the group',
    'build/ipctrace log session=7 --step': 'waits for key presses; test_view.py steps a logged session in tmux',
}


def readme_commands():
    cmds, block = [], None
    with open(README) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('```'):
                block = None if block is not None else line[3:].strip()
                continue
            if block == 'sh':
                cmd = line.split('#', 1)[0].strip()
                if cmd:
                    cmds.append(cmd)
            elif block is not None and line.startswith('$ '):
                cmds.append(line[2:].strip())
    return cmds


WORK = tempfile.mkdtemp(prefix='ipctrace-e2e-readme-')
BIN = os.path.join(WORK, 'bin')
os.mkdir(BIN)
os.symlink(os.path.dirname(os.path.abspath(IPCTRACE)), os.path.join(WORK, 'build'))
os.symlink(os.path.join(EXAMPLES, 'demo'), os.path.join(WORK, 'demo'))
os.symlink(os.path.abspath(IPCTRACE), os.path.join(BIN, 'ipctrace'))
with open(os.path.join(BIN, 'sudo'), 'w') as f:
    # As sudo(8) takes them, VAR=value words first set the command's environment.
    f.write('#!/bin/sh\n# The tests run as root: sudo is the command itself.\nexec env "$@"\n')
os.chmod(os.path.join(BIN, 'sudo'), 0o755)
ENV = None


def env(extra=None):
    e = run_env(ENV)
    e['PATH'] = BIN + ':' + e['PATH']
    if extra:
        e.update(extra)
    return e


def substitute(cmd, **subs):
    for k, v in subs.items():
        check(k in cmd, 'README command %r has no %r to replace' % (cmd, k))
        cmd = cmd.replace(k, v, 1)
    return cmd


def run(readme_cmd, extra_env=None, **subs):
    """The README's command with its placeholders replaced: (stdout, stderr); it must exit 0."""
    cmd = substitute(readme_cmd, **subs)
    _context.clear()
    _context['cmd'] = cmd
    try:
        r = subprocess.run(['bash', '-o', 'pipefail', '-c', cmd], cwd=WORK, env=env(extra_env),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail('%s did not finish within %d s' % (cmd, TIMEOUT))
    _context['stdout'], _context['stderr'] = r.stdout, r.stderr
    check_eq('%s: exit status (stderr %r)' % (cmd, r.stderr[-500:]), 0, r.returncode)
    return r.stdout, r.stderr


def start(readme_cmd, **subs):
    cmd = substitute(readme_cmd, **subs)
    _context.clear()
    _context['cmd'] = cmd
    # bash -c execs a lone command: the process is ipctrace itself.
    p = subprocess.Popen(['bash', '-c', cmd], cwd=WORK, env=env(), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p, Lines(p.stdout), Lines(p.stderr)


def finish(p, out, err, what):
    try:
        code = p.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        fail('%s did not end within %d s' % (what, TIMEOUT))
    out.wait_for(lambda ls: False, TIMEOUT)
    err.wait_for(lambda ls: False, TIMEOUT)
    _context['stdout'], _context['stderr'] = out.text(), err.text()
    check_eq('%s: exit status' % what, 0, code)
    return out.lines


def header(lines):
    return lines[0].split() if lines else []


def report(path):
    with open(path) as f:
        return json.loads(f.read())


cmds = readme_commands()
_context['README commands'] = cmds
R = {}                  # the README's commands by what they do: the line as written
for c in cmds:
    if c in ELSEWHERE:
        continue
    key = re.sub(r'^sudo ', '', c)
    key = re.sub(r'^(build/)?ipctrace ', '', key)
    R[key] = c
known = ['run -- ./demo', 'run -- CMD ARGS...', 'run -o json -- CMD ARGS...', 'run -O trace.txt -- CMD ARGS...',
         'run --count -- CMD ARGS...',
         'run --signals -- CMD ARGS...', 'run --view -- CMD ARGS...', 'run --pipes -- CMD ARGS...',
         'run --explain -- CMD ARGS...', 'run -o dot --pipes -- CMD | dot -Tsvg > pipes.svg',
         'signals sig=SIGCHLD outcome=merged', 'pipes kind=fifo', 'stats', 'attach -p 1234',
         'trace --all --background', 'detach 7', 'log tree=1234 errno=EPIPE --since -10m', 'log -f comm=myprog',
         'explain 7', 'sessions', 'run -o perfetto -O trace.json -- CMD ARGS...',
         'log -o perfetto session=7 > trace.json',
         'run -o html -O report.html -- ./demo', 'signals -o mermaid session=7',
         'LANG=es_ES.UTF-8 build/ipctrace run --signals -- ./demo']
check_eq('the README\'s example commands (as this test knows them; a new one needs a check here)',
         sorted(known), sorted(R))
check_eq('the README\'s commands set aside', sorted(ELSEWHERE), sorted(c for c in cmds if c in ELSEWHERE))

d = Daemon()
ENV = {'IPCTRACE_SOCKET': d.socket}
try:
    demo = os.path.join('build', 'examples', 'demo')
    TEXT_HEADER = ['TIME', 'PROCESS', 'EVENT', 'DETAILS']

    out, err = run(R['run -- ./demo'])
    check_eq('run -- ./demo: the header', TEXT_HEADER, header(out.splitlines()))
    check(re.search(r'ipctrace: \./demo exited 0; \d+ events, 0 lost', err), 'run -- ./demo: no summary: %r' % err)
    for ev in ('pipe2', 'fork', 'write', 'read', 'kill', 'signal_generate', 'signal_deliver', 'rt_sigreturn'):
        check(any(line.split()[2:3] == [ev] for line in out.splitlines()[1:]), 'run -- ./demo: no %s line' % ev)
    passed('ipctrace run -- ./demo: the header, the events the README shows, "exited 0; N events, 0 lost"')

    out, err = run(R['run -- CMD ARGS...'], **{'CMD ARGS...': demo})
    check_eq('run -- demo: the header', TEXT_HEADER, header(out.splitlines()))
    passed('run -- CMD: text, %d event lines' % (len(out.splitlines()) - 1))

    # JSON, one object per line; a pipe whose reader goes away (for log errno=EPIPE below).
    out, err = run(R['run -o json -- CMD ARGS...'], **{'CMD ARGS...': "sh -c 'seq 100000 | head -1'"})
    objs = [json.loads(line) for line in out.splitlines()]
    check_eq('run -o json: the last line', 'summary', objs[-1].get('type'))
    sh = [o['pid'] for o in objs if o.get('type') == 'exec' and os.path.basename(o.get('filename', '')) == 'sh']
    check_eq('run -o json: the exec of sh', 1, len(sh))
    sh = sh[0]
    epipe = [o for o in objs if o.get('errno') == 'EPIPE']
    check(epipe, 'seq 100000 | head -1: no write failed with EPIPE')
    check_eq('run -o json: the command\'s own output (on stderr)', ['1'],
             [line for line in err.splitlines() if not line.startswith('ipctrace: ')])
    passed('run -o json: %d JSON lines, %d EPIPE' % (len(objs), len(epipe)))

    # -O: the trace in the file, the command's output alone on stdout.
    out, err = run(R['run -O trace.txt -- CMD ARGS...'], **{'CMD ARGS...': "sh -c 'seq 1000 | grep 7 | wc -l'"})
    with open(os.path.join(WORK, 'trace.txt')) as f:
        text = f.read().splitlines()
    check_eq('run -O trace.txt: the file\'s header', TEXT_HEADER, header(text))
    check(any('wc[' in line and line.split()[2:3] == ['exec'] for line in text), 'trace.txt has no exec of wc')
    check_eq('run -O trace.txt: stdout (wc\'s count alone)', '%d\n' % sum(1 for i in range(1, 1001) if '7' in str(i)),
             out)
    passed('run -O trace.txt: %d lines in the file, wc\'s count alone on stdout' % len(text))

    out, err = run(R['run --count -- CMD ARGS...'], **{'CMD ARGS...': demo})
    check_eq('run --count: the header', ['EVENT', 'COUNT'], header(out.splitlines()))
    check(all(re.fullmatch(r'\S+ +\d+', line) for line in out.splitlines()[1:]), 'run --count: %r' % out)
    passed('run --count: %d event types' % (len(out.splitlines()) - 1))

    rep_path = os.path.join(WORK, 'sigcases.json')
    out, err = run(R['run --signals -- CMD ARGS...'], {'IPCTRACE_REPORT': rep_path},
                   **{'CMD ARGS...': os.path.join('build', 'examples', 'sigcases') + ' sigchld'})
    sigchld = report(rep_path)
    check(any(line.split()[:5] == ['TIME', 'SIGNAL', 'SENDER', '->', 'TARGET'] for line in out.splitlines()),
          'run --signals: no table of signal lives')
    passed('run --signals: the table of signal lives')

    out, err = run(R['run --view -- CMD ARGS...'], **{'CMD ARGS...': demo})
    check('demo[' in out, 'run --view: no lane of demo: %r' % out[:300])
    passed('run --view: lanes drawn')

    # Named as opened (f) or resolved: the graph gives either (left to the pipe graph's owners).
    fifo = '(%s|f)' % re.escape(os.path.join(WORK, 'f'))
    fifo_cmd = ("sh -c 'mkfifo f; build/examples/fifo f reader 100 & build/examples/fifo f writer 100; wait'")
    out, err = run(R['run --pipes -- CMD ARGS...'], **{'CMD ARGS...': fifo_cmd})
    check(re.search(r'^pipe:\[\d+\] fifo %s$' % fifo, out, re.M), 'run --pipes: no FIFO %s' % fifo)
    passed('run --pipes: the FIFO and its ends')

    out, err = run(R['run --explain -- CMD ARGS...'],
                   **{'CMD ARGS...': os.path.join('build', 'examples', 'zombies') + ' never'})
    check('never waited for 3 of its children' in out, 'run --explain: no explanation of the zombies')
    passed('run --explain: the zombies explained')

    wc = str(sum(1 for i in range(1, 1001) if '7' in str(i)))
    out, err = run(R['run -o dot --pipes -- CMD | dot -Tsvg > pipes.svg'],
                   **{'CMD': "sh -c 'seq 1000 | grep 7 | wc -l'"})
    with open(os.path.join(WORK, 'pipes.svg')) as f:
        svg = f.read()
    check('<svg' in svg and svg.count('pipe:[') >= 2, 'pipes.svg is no drawing of two pipes')
    check_eq('the command\'s output (on stderr, not in the graph)', [wc],
             [line for line in err.splitlines() if not line.startswith('ipctrace: ')])
    passed('run -o dot --pipes -- CMD | dot -Tsvg > pipes.svg: a drawing; wc\'s %s on stderr' % wc)

    # Other runs' shells may have had SIGCHLDs merged too: sigcases' own are exactly its count.
    out, err = run(R['signals sig=SIGCHLD outcome=merged'])
    # A record is two lines: its time, the signal, sender -> target; then its result, pending time, ...
    lines = out.splitlines() + ['']
    rows = [(line, lines[i + 1]) for i, line in enumerate(lines) if re.match(r'\d\d:\d\d:\d\d\.\d+ ', line)]
    check(all(' SIGCHLD ' in a and b.split()[:1] == ['merged'] for a, b in rows),
          'records that are not merged SIGCHLDs: %r' % rows)
    merged = len(sigchld['children']) - sigchld['handler_runs']
    mine = [a for a, b in rows if re.search(r'-> sigcases\[%d\]( |$)' % sigchld['pid'], a)]
    check_eq('signals sig=SIGCHLD outcome=merged: rows for sigcases[%d] (children - handler runs, as it counted)'
             % sigchld['pid'], merged, len(mine))
    passed('signals sig=SIGCHLD outcome=merged: %d rows, %d of them sigcases\' as it counted' % (len(rows), merged))

    out, err = run(R['pipes kind=fifo'])
    check(re.search(r'^pipe:\[\d+\] fifo %s$' % fifo, out, re.M), 'pipes kind=fifo: no %s' % fifo)
    passed('pipes kind=fifo: the FIFO')

    out, err = run(R['stats'])
    check(out.strip(), 'stats printed nothing')
    passed('stats: %d lines' % len(out.splitlines()))

    # attach -p: a running program, until it ends.
    w = subprocess.Popen([os.path.join(EXAMPLES, 'waitsig')], env=run_env({'IPCTRACE_REPORT': '/dev/null'}),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        check(Lines(w.stdout).wait_for(lambda ls: 'ready' in ls, TIMEOUT), 'waitsig did not say ready')
        p, out, err = start(R['attach -p 1234'], **{'1234': str(w.pid)})
        check(out.wait_for(lambda ls: ls and ls[0].split() == TEXT_HEADER, TIMEOUT), 'attach printed no header')
        w.send_signal(signal.SIGTERM)
        lines = finish(p, out, err, 'attach -p %d' % w.pid)
    finally:
        w.kill()
        w.wait()
    check(any('waitsig[%d]' % w.pid in line and line.split()[2:3] == ['exit'] for line in lines),
          'attach: no exit of waitsig[%d]' % w.pid)
    passed('attach -p %d: traced to its exit' % w.pid)

    out, err = run(R['trace --all --background'])
    check(re.fullmatch(r'\d+\n', out), 'trace --all --background: stdout %r is no session number' % out)
    session = out.strip()
    out, err = run(R['sessions'])
    check(re.search(r'^ *%s +root +background ' % session, out, re.M),
          'sessions: no line for the background session %s: %r' % (session, out))
    run(R['detach 7'], **{'7': session})
    passed('trace --all --background: session %s, listed by sessions; detach %s' % (session, session))

    out, err = run(R['log tree=1234 errno=EPIPE --since -10m'], **{'1234': str(sh)})
    lines = out.splitlines()[1:]
    check(len(lines) >= len(epipe) and all('EPIPE' in line for line in lines),
          'log tree=%d errno=EPIPE: %r (the run saw %d)' % (sh, lines, len(epipe)))
    passed('log tree=%d errno=EPIPE --since -10m: %d lines' % (sh, len(lines)))

    p, out, err = start(R['log -f comm=myprog'], **{'myprog': 'exitwith'})
    check(out.wait_for(lambda ls: ls and ls[0].split() == TEXT_HEADER, TIMEOUT), 'log -f printed no header')
    run('build/ipctrace run -- build/examples/exitwith 0', {'IPCTRACE_REPORT': '/dev/null'})
    # The log's time column has the date (journalctl's): the event is the fourth word.
    check(out.wait_for(lambda ls: any('exitwith[' in line and line.split()[3:4] == ['exit'] for line in ls),
                       TIMEOUT), 'log -f comm=exitwith: the exit of exitwith did not come')
    p.send_signal(signal.SIGINT)
    finish(p, out, err, 'log -f comm=exitwith')
    passed('log -f comm=exitwith: followed, and Ctrl-C ends it (exit 0)')

    out, err = run('build/ipctrace log -o json comm=zombies')
    sessions = {json.loads(line)['session'] for line in out.splitlines()}
    check_eq('sessions of zombies in the log', 1, len(sessions))
    out, err = run(R['explain 7'], **{'7': str(sessions.pop())})
    check('never waited for 3 of its children' in out, 'explain: no explanation of the zombies: %r' % out[:300])
    passed('explain N: the zombies explained again, from the log')

    # The timeline: a track per process of demo, its one delivered signal an arrow (test_perfetto checks more).
    rep_path = os.path.join(WORK, 'demo.json')
    run(R['run -o perfetto -O trace.json -- CMD ARGS...'], {'IPCTRACE_REPORT': rep_path}, **{'CMD ARGS...': demo})
    rep = report(rep_path)
    with open(os.path.join(WORK, 'trace.json')) as f:
        timeline = json.load(f)['traceEvents']
    check_eq('run -o perfetto: process tracks (demo\'s processes)', {rep['parent_pid'], rep['child_pid']},
             {e['pid'] for e in timeline if e['ph'] == 'M' and e['name'] == 'process_name'})
    check_eq('run -o perfetto: signal arrows (demo\'s handled SIGUSR1)', rep['handled']['SIGUSR1'],
             sum(1 for e in timeline if e['ph'] == 's' and e['cat'] == 'signal'))
    passed('run -o perfetto -O trace.json: %d trace events, a track per process, the signal\'s arrow' % len(timeline))
    sessions = {e['args']['event']['session'] for e in timeline if e['ph'] == 'X' and e['cat'] == 'syscall'}
    check_eq('sessions of the timeline\'s events', 1, len(sessions))
    run(R['log -o perfetto session=7 > trace.json'], **{'7': str(sessions.pop())})
    with open(os.path.join(WORK, 'trace.json')) as f:
        logged = json.load(f)['traceEvents']
    check_eq('log -o perfetto session=N: its trace events (as many as the run\'s)', len(timeline), len(logged))
    passed('log -o perfetto session=N > trace.json: the same %d trace events' % len(logged))
    # The page and the diagram of demo (docs/report.md; test_report_html opens the page in Chromium).
    out, err = run(R['run -o html -O report.html -- ./demo'], {'IPCTRACE_REPORT': os.path.join(WORK, 'demo.json')})
    rep = report(os.path.join(WORK, 'demo.json'))
    with open(os.path.join(WORK, 'report.html')) as f:
        page = f.read()
    check(page.startswith('<!DOCTYPE html>') and page.rstrip().endswith('</html>'), 'report.html: %r' % page[:100])
    check_eq('report.html: lanes (demo\'s processes)', sorted([rep['parent_pid'], rep['child_pid']]),
             sorted(int(p) for p in re.findall(r'<g class="lane" data-pid="(\d+)"', page)))
    check_eq('report.html: signal arrows (demo\'s kills and one SIGCHLD)', sum(rep['kill'].values()) + 1,
             len(re.findall(r'<g class="signal ', page)))
    out, err = run('build/ipctrace sessions -o json')
    session = [json.loads(line)['session'] for line in out.splitlines()
               if json.loads(line).get('pid') == rep['parent_pid']]
    check_eq('sessions of that demo', 1, len(session))
    out, err = run(R['signals -o mermaid session=7'], **{'7': str(session[0])})
    check_eq('signals -o mermaid: the first line', 'sequenceDiagram', out.splitlines()[0])
    check_eq('signals -o mermaid: arrows (demo\'s kills and one SIGCHLD)', sum(rep['kill'].values()) + 1,
             len(re.findall(r'^    \w+(->>|-x)\w+: ', out, re.M)))
    passed('run -o html -O report.html: a lane per process, an arrow per signal; signals -o mermaid: as many arrows')

    # In Spanish: the table's words and the summary as the README shows them, demo's signals by its own counts.
    out, err = run(R['LANG=es_ES.UTF-8 build/ipctrace run --signals -- ./demo'],
                   {'IPCTRACE_REPORT': os.path.join(WORK, 'demo.json')})
    rep = report(os.path.join(WORK, 'demo.json'))
    check(re.search(r'ipctrace: \./demo terminó con 0; \d+ eventos, 0 perdidos', err),
          'run --signals in Spanish: no summary in Spanish: %r' % err[-300:])
    check('RESULTADO PENDIENTE  ACCIÓN' in out, 'run --signals in Spanish: no Spanish table header')
    check_eq('run --signals in Spanish: records (demo\'s kills and one SIGCHLD)', sum(rep['kill'].values()) + 1,
             len(re.findall(r'^\d+\.\d+ +SIG', out, re.M)))
    check_eq('run --signals in Spanish: "manejada" (demo\'s handled SIGUSR1)', rep['handled']['SIGUSR1'],
             len(re.findall(r' manejada ', out)))
    passed('LANG=es_ES.UTF-8 run --signals: the table and the summary in Spanish, a record per signal')
finally:
    d.cleanup()
    subprocess.run(['rm', '-rf', WORK])
done()
