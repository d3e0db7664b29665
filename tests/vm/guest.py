# SPDX-License-Identifier: MIT
"""Runs inside the test guest (tests/vm/init starts it through job.sh): the
tests that /run/vm/job.json lists, one after the other, as meson would run
them (command, environment, working directory), each with its timeout.
First checks that the daemon loads the
program form expected of this kernel. Appends one line per test to /run/vm/testlog.json in meson's testlog
format, so that scripts/test counts them with the host's, and prints each
result on the console as it ends."""

import contextlib
import json
import os
import platform
import select
import shutil
import subprocess
import sys
import tempfile
import time

OUT = sys.argv[1] if len(sys.argv) > 1 else '/run/vm'


# Daemons that keep a session attached while the tests run (see anchor_daemon).
ANCHORS = 2


@contextlib.contextmanager
def anchor_daemon(env, sleeper):
    """A daemon with a background session on SLEEPER (a process that makes no
    system call) that stays attached while the tests run, so that the tests'
    own daemons attach and detach without patching kernel text. A tracepoint
    enables its static key on its first probe and, on x86, patches its
    static call from that probe to the iterator on its second, both with
    text_poke_bp: int3 on the site, the new bytes, then the int3 removed.
    Under qemu's multi-threaded software emulation the other vCPU can still
    run the int3 afterwards, and the kernel dies of an "Oops: int3" in
    syscall_trace_enter or syscall_exit_to_user_mode_prepare; ANCHORS (two)
    attached probes keep every tracepoint past both changes. (An idle daemon
    attaches nothing: its programs are attached by its first session.) A
    real machine is unaffected, and the tests still load, verify and attach
    their programs as before. Yields its socket, or raises RuntimeError with
    its output."""
    d = tempfile.mkdtemp(prefix='vm-anchor-')
    sock = os.path.join(d, 's')
    r, w = os.pipe()
    daemon = subprocess.Popen([env['IPCTRACED'], '--socket', sock, '--ready-fd', str(w),
                               '--journal', os.path.join(d, 'journal')], pass_fds=(w,),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    os.close(w)
    try:
        if not (select.select([r], [], [], 120)[0] and os.read(r, 64) == b'ready\n'):
            daemon.kill()
            raise RuntimeError('ipctraced did not start:\n' + daemon.stdout.read().decode(errors='replace'))
        # The session is attached when attach --background returns.
        p = subprocess.run([env['IPCTRACE'], 'attach', '-s', sock, '--background',
                            '-p', str(sleeper.pid)], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            daemon.kill()
            raise RuntimeError('ipctrace attach --background failed:\n' + p.stdout + p.stderr)
        yield sock
    finally:
        os.close(r)
        daemon.terminate()
        daemon.wait()
        shutil.rmtree(d, ignore_errors=True)


def program_form(env, sock, expected):
    """Which form of the BPF programs a daemon loads on this kernel (ipctrace
    stats: bpf_reads), against what the host expects of the kernel series:
    a kernel before 6.2 must get the helper-read ("core") form, or the
    matrix would not test it. Returns (result, output)."""
    p = subprocess.run([env['IPCTRACE'], 'stats', '-s', sock, '-o', 'json'],
                       capture_output=True, text=True, timeout=120)
    got = json.loads(p.stdout).get('bpf_reads') if p.returncode == 0 else None
    return ('OK' if got == expected else 'FAIL'), \
        'ipctrace stats: bpf_reads %r, expected %r\n%s' % (got, expected, p.stderr)


def record(log, kernel, name, result, rc, duration, text):
    log.write(json.dumps({'name': '%s [linux %s]' % (name, kernel), 'result': result,
                          'returncode': rc, 'duration': round(duration, 1),
                          'stdout': text}) + '\n')
    log.flush()
    print('guest: %-8s %s (%.1f s)' % (result, name, duration), flush=True)
    if result != 'OK':
        for line in text.splitlines()[-40:]:
            print('    ' + line, flush=True)


def main():
    with open(os.path.join(OUT, 'job.json')) as f:
        job = json.load(f)
    kernel = platform.release()
    print('guest: kernel %s, %d tests' % (kernel, len(job['tests'])), flush=True)
    with open(os.path.join(OUT, 'testlog.json'), 'w') as log:
        env0 = job['tests'][0]['env']
        start = time.monotonic()
        try:
            with contextlib.ExitStack() as stack:
                sleeper = subprocess.Popen(['sleep', 'infinity'])
                stack.callback(sleeper.wait)
                stack.callback(sleeper.kill)
                socks = [stack.enter_context(anchor_daemon(env0, sleeper)) for _ in range(ANCHORS)]
                result, text = program_form(env0, socks[0], job['bpf_reads'])
                record(log, kernel, 'bpf_program_form', result, None, time.monotonic() - start, text)
                run_tests(log, kernel, job)
        except RuntimeError as ex:
            record(log, kernel, 'bpf_program_form', 'FAIL', None, time.monotonic() - start, str(ex))


def run_tests(log, kernel, job):
    for t in job['tests']:
        env = dict(job['env'])
        env.update(t['env'])
        start = time.monotonic()
        try:
            p = subprocess.run(t['cmd'], env=env, cwd=t['workdir'] or None,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=t['timeout'])
            out, rc = p.stdout, p.returncode
            result = {0: 'OK', 77: 'SKIP'}.get(rc, 'FAIL')
        except subprocess.TimeoutExpired as ex:
            out, rc, result = ex.stdout or b'', None, 'TIMEOUT'
        record(log, kernel, t['name'], result, rc, time.monotonic() - start,
               out.decode(errors='replace'))


if __name__ == '__main__':
    main()
