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


@contextlib.contextmanager
def anchor_daemon(env):
    """A daemon with nothing to trace that stays up while the tests run: its
    programs keep the tracepoints' static keys enabled, so that the tests'
    own daemons, starting and stopping, attach and detach without patching
    kernel text. Under qemu's software emulation with two vCPUs that
    patching (int3 then the new bytes, while the other vCPU runs the code)
    once panicked 6.12 in syscall_trace_enter; a real machine is unaffected,
    and the tests still load, verify and attach their programs as before.
    Yields its socket, or raises RuntimeError with its output."""
    d = tempfile.mkdtemp(prefix='vm-anchor-')
    sock = os.path.join(d, 's')
    r, w = os.pipe()
    daemon = subprocess.Popen([env['IPCTRACED'], '--socket', sock, '--ready-fd', str(w),
                               '--no-journal'], pass_fds=(w,), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.close(w)
    try:
        if not (select.select([r], [], [], 120)[0] and os.read(r, 64) == b'ready\n'):
            daemon.kill()
            raise RuntimeError('ipctraced did not start:\n' + daemon.stdout.read().decode(errors='replace'))
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
            with anchor_daemon(env0) as sock:
                result, text = program_form(env0, sock, job['bpf_reads'])
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
