# SPDX-License-Identifier: MIT
"""Commands run in a terminal window of a given size, as a person sees them:
a tmux server of the test's own (tmux -L), one detached window per command,
read back with capture-pane once the command has ended."""

import os
import shlex
import shutil
import subprocess
import tempfile

from common import _context, fail, run_env, skip

TIMEOUT = 60

if not shutil.which('tmux'):
    skip('tmux is not installed (scripts/setup installs it)')


class Windows:
    def __init__(self, prefix):
        self.server = '%s-%d' % (prefix, os.getpid())
        self.socket = os.path.join(os.environ.get('TMUX_TMPDIR') or '/tmp', 'tmux-%d' % os.getuid(), self.server)
        self.tmp = tempfile.mkdtemp(prefix=prefix + '-')

    def tmux(self, *args, timeout=TIMEOUT):
        """Runs a command of our tmux server (UTF-8 forced: -u); its stdout."""
        cmd = ['tmux', '-u', '-L', self.server] + list(args)
        try:
            p = subprocess.run(cmd, env=run_env({'LANG': 'C.UTF-8'}), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            fail('%s did not finish within %d s' % (' '.join(cmd), timeout))
        if p.returncode:
            fail('%s: exit status %d: %s' % (' '.join(cmd), p.returncode, p.stderr.decode(errors='replace')))
        return p.stdout.decode('utf-8', errors='replace')

    def run(self, name, cmd, width, height, env=()):
        """Runs cmd (a list) in a new width x height window, with env (NAME=VALUE
        strings) and its stderr in a file, and waits for it to end. Returns (lines
        as the terminal shows them, the same with escape sequences, its exit status)."""
        status = os.path.join(self.tmp, name + '.status')
        err = os.path.join(self.tmp, name + '.stderr')
        _context.clear()
        _context['cmd'] = ' '.join(cmd)
        _context['files'] = {'stderr': err}
        # The window stays open after the signal so that it can be read back.
        shell = ('env LANG=C.UTF-8 %s %s 2>%s; echo $? >%s; '
                 'tmux -L %s wait-for -S %s-done; tmux -L %s wait-for %s-release'
                 % (' '.join(shlex.quote(e) for e in env), ' '.join(shlex.quote(a) for a in cmd),
                    shlex.quote(err), shlex.quote(status), self.server, name, self.server, name))
        self.tmux('new-session', '-d', '-s', name, '-x', str(width), '-y', str(height), shell)
        self.tmux('wait-for', name + '-done')
        # -J joins lines the terminal wrapped, so that a line too wide shows as one.
        plain = self.tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', name)
        colour = self.tmux('capture-pane', '-p', '-J', '-e', '-S', '-', '-E', '-', '-t', name)
        _context['stdout'] = plain
        with open(status) as f:
            code = int(f.read())
        return [line.rstrip() for line in plain.rstrip('\n').split('\n')], colour, code

    def close(self):
        """Also on failure (fail() exits): no tmux server or files left behind."""
        subprocess.run(['tmux', '-L', self.server, 'kill-server'], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT)
        try:
            os.unlink(self.socket)       # kill-server leaves it behind
        except OSError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)
