#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""When its daemon goes away mid-trace, `ipctrace run` says so, leaves the
command running (untraced, not stopped), waits for it, then exits 1. Once
with SIGKILL (the connection breaks), once with SIGTERM (the daemon says
goodbye: session_end with reason daemon_exit, and removes its socket)."""

import json
import os
import signal
import subprocess
import tempfile

from common import (Daemon, IPCTRACE, Lines, _context, check, check_eq, done, example, fail,
                    passed, proc_state, run_env)

TIMEOUT = 30


def variant(sig, message):
    name = signal.Signals(sig).name
    d = Daemon()
    fd, report = tempfile.mkstemp(prefix='ipctrace-e2e-report-', suffix='.json')
    os.close(fd)
    env = run_env({'IPCTRACE_REPORT': report})
    cli = subprocess.Popen([IPCTRACE, 'run', '-s', d.socket, '-o', 'json', '--', example('waitsig')],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    out, err = Lines(cli.stdout), Lines(cli.stderr)
    target = None
    try:
        def has_exec(lines):
            return any(l.startswith('{') and json.loads(l).get('type') == 'exec' for l in lines)
        # waitsig's "ready" is on stderr: `run -o json` keeps stdout for the trace.
        ok = out.wait_for(has_exec, TIMEOUT) and err.wait_for(lambda ls: 'ready' in ls, TIMEOUT)
        _context['stdout'], _context['stderr'] = out.text(), err.text()
        check(ok, '%s: no exec event and "ready" line from waitsig within %d s' % (name, TIMEOUT))
        ex = [json.loads(l) for l in out.lines if l.startswith('{')]
        ex = [e for e in ex if e.get('type') == 'exec']
        target = ex[0]['pid']
        with open(report) as f:
            check_eq('%s: waitsig\'s own pid vs the exec event' % name, json.load(f)['pid'], target)
        check_eq('%s: exec filename' % name, example('waitsig'), ex[0].get('filename'))
        passed('%s: waitsig (pid %d) traced and ready' % (name, target))

        status = d.kill(sig)
        if sig == signal.SIGTERM:
            check_eq('ipctraced exit status after SIGTERM', 0, status)
            check(not os.path.exists(d.socket), 'ipctraced left its socket %s behind' % d.socket)
            passed('SIGTERM: ipctraced exited 0 and removed its socket')

        ok = err.wait_for(lambda ls: any(message in l for l in ls), TIMEOUT)
        _context['stdout'], _context['stderr'] = out.text(), err.text()
        check(ok, '%s: ipctrace did not say "%s" on stderr within %d s' % (name, message, TIMEOUT))
        line = [l for l in err.lines if message in l][0]
        check('(pid %d) continues untraced' % target in line,
              '%s: the message does not say that pid %d continues untraced: %r' % (name, target, line))
        passed('%s: ipctrace says %r' % (name, line))

        state = proc_state(target)
        check(state is not None, '%s: waitsig (pid %d) is gone after the daemon died' % (name, target))
        check(state not in ('T', 't', 'Z', 'X'), '%s: waitsig (pid %d) is in state %s' % (name, target, state))
        check(cli.poll() is None, '%s: ipctrace exited (%r) while its command still runs' % (name, cli.poll()))
        passed('%s: waitsig still runs (state %s), ipctrace waits for it' % (name, state))

        os.kill(target, signal.SIGTERM)
        try:
            rc = cli.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            fail('%s: ipctrace did not exit within %d s of its command\'s end' % (name, TIMEOUT))
        out.wait_for(lambda ls: False, 1)
        err.wait_for(lambda ls: False, 1)
        _context['stdout'], _context['stderr'] = out.text(), err.text()
        check(rc != 0, '%s: ipctrace exited 0 after losing its daemon' % name)
        check_eq('%s: ipctrace exit status after losing its daemon' % name, 1, rc)
        check(proc_state(target) is None, '%s: waitsig (pid %d) is still there' % (name, target))
        passed('%s: ipctrace exits %d once waitsig is gone' % (name, rc))
    finally:
        if cli.poll() is None:
            if target is not None and proc_state(target) is not None:
                os.kill(target, signal.SIGKILL)
            cli.kill()
            cli.wait(timeout=TIMEOUT)
        cli.stdout.close()
        cli.stderr.close()
        os.unlink(report)
        d.cleanup()


variant(signal.SIGKILL, 'lost the connection to ipctraced')
variant(signal.SIGTERM, 'ipctraced stopped')
done()
