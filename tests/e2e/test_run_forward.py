#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ipctrace run` passes on the signals sent to it alone (ipctrace(1): SIGTERM,
SIGHUP, SIGQUIT, SIGINT) to the command, and exits with the command's
status. For each: `run -o json -- waitsig` (which handles no signal), and
once waitsig says "ready" (on stderr: `run -o json` keeps stdout for the
trace), the test signals ipctrace's pid. The trace shows
that signal generated for waitsig by ipctrace (SI_USER, its pid) and
waitsig's death by it; ipctrace exits 128+N, its summary says so. (A signal
typed at the terminal reaches the command directly: test_sig_terminal.)"""

import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile

from common import (IPCTRACE, Daemon, Lines, _context, check, check_eq, done, example, fail, one, passed, run_cli,
                    run_env, select_events)
from textcommon import stop

TIMEOUT = 60


def no_core():
    # SIGQUIT's default action dumps core: not into the test's directory.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


d = Daemon()
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-')
try:
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT):
        name = sig.name
        report = os.path.join(tmp, name + '.json')
        cmd = [IPCTRACE, 'run', '-s', d.socket, '-o', 'json', '--', example('waitsig')]
        _context.clear()
        _context['cmd'] = ' '.join(cmd)
        cli = subprocess.Popen(cmd, env=run_env({'IPCTRACE_REPORT': report}), cwd=tmp, preexec_fn=no_core,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, errl = Lines(cli.stdout), Lines(cli.stderr)
            check(errl.wait_for(lambda ls: 'ready' in ls, TIMEOUT), '%s: waitsig did not say ready' % name)
            os.kill(cli.pid, sig)
            try:
                cli.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                # What the daemon says of the session, and what ipctrace said: why it waits.
                fail('%s to ipctrace: it did not end within %d s; its stderr: %r; the daemon\'s sessions:\n%s'
                     % (name, TIMEOUT, errl.text(), run_cli(['sessions', '-s', d.socket, '-o', 'json']).stdout))
            out.wait_for(lambda ls: False, TIMEOUT)
            errl.wait_for(lambda ls: False, TIMEOUT)
            err = errl.text()
        finally:
            stop(cli)
            cli.stdout.close()
            cli.stderr.close()
        _context['stdout'], _context['stderr'] = out.text(), err
        with open(report) as f:
            pid = json.load(f)['pid']
        check_eq('%s to ipctrace: its exit status (stderr %r)' % (name, err), 128 + sig, cli.returncode)
        objs = [json.loads(line) for line in out.lines if line.startswith('{')]
        check(objs and objs[-1].get('type') == 'summary', '%s: no summary at the end' % name)
        ev, summary = objs[:-1], objs[-1]
        check_eq('%s: summary exit_code' % name, 128 + sig, summary['exit_code'])
        check(summary['status'].startswith('killed by ' + name), '%s: summary status %r' % (name, summary['status']))
        g = one(select_events(ev, type='signal_generate', sig=name), '%s generated' % name)
        check_eq('%s generated: (target, sender, code, result)' % name, (pid, cli.pid, 'SI_USER', 'queued'),
                 (g.get('target_pid'), g.get('sender_pid'), g.get('code'), g.get('result')))
        x = one(select_events(ev, type='exit', pid=pid), 'the exit of waitsig')
        check_eq('%s: waitsig\'s exit_signal' % name, name, x.get('exit_signal'))
        passed('%s to ipctrace (%d): passed on to waitsig (%d), which it killed; exit %d'
               % (name, cli.pid, pid, cli.returncode))
    check_eq('files left in the command\'s directory (no core)', sorted(s.name + '.json' for s in (
        signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT)), sorted(os.listdir(tmp)))
finally:
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
