#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The kernel matrix: runs the tests of meson's `kernel-matrix` suite inside
a virtual machine booted from one of Debian 12's own kernel packages, the
way the libbpf and kernel BPF CI run vmtest.

The guest has no disk image: its root is the host's own file system, shared
read-only over 9p (the generic flavour of Debian's kernel has the 9p
modules; the cloud flavour has none) under a writable layer in the guest's
memory, so the build, the tests, Python and every library are exactly the
host's, and nothing the guest writes reaches the host. A small initramfs (busybox and the
kernel's virtio and 9p modules, tests/vm/init) mounts it and runs the job;
a second, writable 9p share carries the job in and the results out.

    tests/vm/vmtest.py --build build --kernel 6.1 --out build/vm/6.1

fetches the kernel package (apt-get download, cached under
BUILD/vm/kernels), boots it under qemu (KVM when /dev/kvm is usable and
boots the guest: some nested hypervisors give a /dev/kvm whose guests die
at once or never start; else software emulation), and writes OUT/testlog.json, one line per
test in meson's testlog format, names suffixed with the guest's kernel.
Exits 0 when every test passed, 1 when one did not, 2 when the guest could
not be set up or booted (a CI failure too).
"""

import argparse
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# The kernels that CI verifies, by Debian 12's meta-packages (each depends
# on the current build of its series). The generic flavour: it has 9p.
# bpf_reads: the form of the BPF programs the daemon must choose there
# (bpf_rdonly_cast, which the "typed" form needs, came in 6.2). tests: the
# tests of the suite it runs, None for all. 6.1 runs every test: it is the
# kernel Debian 12 users have, and the only one here with the "core" forms.
# 6.12 takes the typed forms as the host's kernel does: one test of each
# program and path (signals, pipes, sockets, descriptors, every syscall, the
# log, lifecycles, graphs, the survey of blocked threads) is enough to catch what its verifier or BTF
# refuses, at a third of the time.
KERNELS = {
    '6.1': ('linux-image-amd64', 'core', None),            # Debian 12's own kernel
    '6.12': ('linux-image-6.12-amd64', 'typed', [          # the newer series Debian 12 ships
        'signals', 'pipe', 'socketpair', 'pipeline', 'exit_status', 'sig_merge', 'sig_fatal',
        'sig_sigpipe', 'sig_sigchld', 'sig_rtqueue', 'sig_thread', 'sig_eintr', 'pipes_noeof',
        'pipes_fifo', 'pipes_unixsrv', 'pipes_tcp', 'pipes_fdpass', 'pipes_closerange',
        'pipes_clonefiles', 'calls_sig', 'calls_fd', 'calls_io', 'calls_msg', 'log_sessions',
        'signals_verb', 'pipes_verb', 'diag_deadlock',
    ]),
}

# What the initramfs loads, in an order that satisfies modules.dep.
MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay']

# Software emulation runs the tests several times slower than the host.
TIMEOUT_FACTOR = 8


def die(msg):
    print('vmtest: %s' % msg, file=sys.stderr, flush=True)
    sys.exit(2)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def resolve_package(meta):
    """The versioned kernel package a meta-package depends on."""
    out = subprocess.run(['apt-cache', 'depends', '--important', meta], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r'Depends: (linux-image-\S+)', out)
    if not m:
        die('apt-cache depends %s names no kernel package:\n%s' % (meta, out))
    return m.group(1)


def fetch_kernel(series, cache):
    """Unpacks the kernel package of a series into the cache (once); returns
    (vmlinuz, modules dir)."""
    pkg = resolve_package(KERNELS[series][0])
    root = os.path.join(cache, pkg)
    if not os.path.isdir(os.path.join(root, 'boot')):
        os.makedirs(cache, exist_ok=True)
        for f in os.listdir(cache):
            if f.endswith('.deb'):
                os.unlink(os.path.join(cache, f))
        print('vmtest: downloading %s' % pkg, flush=True)
        run(['apt-get', 'download', '-q', '-o', 'APT::Sandbox::User=root', pkg], cwd=cache, stdout=subprocess.DEVNULL)
        deb = [f for f in os.listdir(cache) if f.startswith(pkg + '_') and f.endswith('.deb')]
        if len(deb) != 1:
            die('apt-get download %s left %r in %s' % (pkg, deb, cache))
        tmp = root + '.tmp'
        shutil.rmtree(tmp, ignore_errors=True)
        run(['dpkg-deb', '-x', os.path.join(cache, deb[0]), tmp])
        os.unlink(os.path.join(cache, deb[0]))
        os.rename(tmp, root)
    vmlinuz = [f for f in os.listdir(os.path.join(root, 'boot')) if f.startswith('vmlinuz-')]
    if len(vmlinuz) != 1:
        die('%s holds no single vmlinuz: %r' % (pkg, vmlinuz))
    release = vmlinuz[0][len('vmlinuz-'):]
    moddir = os.path.join(root, 'lib', 'modules', release)
    if not os.path.exists(os.path.join(moddir, 'modules.dep')):
        run(['busybox', 'depmod', '-b', root, release])
    return os.path.join(root, 'boot', vmlinuz[0]), moddir


def module_name(path):
    return re.sub(r'\.ko(\.xz)?$', '', os.path.basename(path))


def module_order(moddir):
    """Paths of MODULES and their dependencies, each after what it needs;
    none for a module built into the kernel (6.12 has virtio_pci built in)."""
    deps = {}
    with open(os.path.join(moddir, 'modules.dep')) as f:
        for line in f:
            mod, _, rest = line.partition(':')
            deps[mod] = rest.split()
    with open(os.path.join(moddir, 'modules.builtin')) as f:
        builtin = {module_name(line.strip()) for line in f}
    by_name = {module_name(m): m for m in deps}
    order = []

    def add(mod):
        if mod in order:
            return
        for d in deps[mod]:
            add(d)
        order.append(mod)

    for name in MODULES:
        if name in builtin:
            continue
        if name not in by_name:
            die('the kernel has no module %s (is it the generic flavour?)' % name)
        add(by_name[name])
    return order


def build_initramfs(moddir, path):
    stage = path + '.d'
    shutil.rmtree(stage, ignore_errors=True)
    for d in ('bin', 'modules', 'proc', 'sys', 'dev'):
        os.makedirs(os.path.join(stage, d))
    shutil.copy(shutil.which('busybox'), os.path.join(stage, 'bin', 'busybox'))
    shutil.copy(os.path.join(HERE, 'init'), os.path.join(stage, 'init'))
    os.chmod(os.path.join(stage, 'init'), 0o755)
    names = []
    for mod in module_order(moddir):
        # busybox's insmod takes plain ELF: 6.12's modules are xz-compressed.
        name = module_name(mod) + '.ko'
        opener = lzma.open if mod.endswith('.xz') else open
        with opener(os.path.join(moddir, mod), 'rb') as src, \
                open(os.path.join(stage, 'modules', name), 'wb') as dst:
            shutil.copyfileobj(src, dst)
        names.append(name)
    with open(os.path.join(stage, 'modules', 'order'), 'w') as f:
        f.write('\n'.join(names) + '\n')
    files = subprocess.run(['find', '.'], cwd=stage, check=True, capture_output=True).stdout
    with open(path, 'wb') as out:
        subprocess.run(['cpio', '--quiet', '-o', '-H', 'newc', '-R', '0:0'], cwd=stage,
                       input=files, stdout=out, check=True)
    shutil.rmtree(stage)


def matrix_tests(build, series, only):
    tests = json.loads(subprocess.run(['meson', 'introspect', '--tests', build], check=True,
                                      capture_output=True, text=True).stdout)
    chosen = [t for t in tests if any(s.endswith(':kernel-matrix') for s in t['suite'])]
    only = only or KERNELS[series][2]
    if only:
        unknown = set(only) - {t['name'] for t in chosen}
        if unknown:
            die('not in the suite kernel-matrix: %s' % ', '.join(sorted(unknown)))
        chosen = [t for t in chosen if t['name'] in only]
    if not chosen:
        die('meson lists no test in the suite kernel-matrix')
    return chosen


def write_job(out, build, series, tests):
    job = {
        'bpf_reads': KERNELS[series][1],
        'env': {'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
                'HOME': '/tmp', 'LANG': 'C.UTF-8', 'CI': os.environ.get('CI', ''),
                'PYTHONDONTWRITEBYTECODE': '1'},
        'tests': [{'name': t['name'], 'cmd': t['cmd'], 'env': t['env'],
                   'workdir': t['workdir'] or os.path.abspath(build),
                   'timeout': (t['timeout'] or 60) * TIMEOUT_FACTOR} for t in tests],
    }
    with open(os.path.join(out, 'job.json'), 'w') as f:
        json.dump(job, f, indent=1)
    with open(os.path.join(out, 'job.sh'), 'w') as f:
        f.write('cd /tmp && exec /usr/bin/python3 %s /run/vm\n' % os.path.join(HERE, 'guest.py'))
    return sum(t['timeout'] for t in job['tests'])


# A guest under KVM says it is up (tests/vm/init) within seconds; one that has
# not within this many has no working KVM under it.
KVM_UP_S = 60


def qemu_cmd(vmlinuz, initrd, out, kvm):
    accel = ['-accel', 'kvm', '-cpu', 'host'] if kvm else ['-accel', 'tcg,thread=multi', '-cpu', 'max']
    share = 'local,security_model=none,multidevs=remap'
    return ['qemu-system-x86_64', '-nodefaults', '-no-user-config', '-nographic', '-no-reboot',
            '-machine', 'q35', '-smp', str(os.cpu_count() or 2), '-m', '4G'] + accel + [
            '-kernel', vmlinuz, '-initrd', initrd,
            # A kernel stuck for two minutes (watchdog_thresh 60: emulation is slow, not that slow)
            # panics with every CPU's backtrace (printed at loglevel 5), and the guest ends at once
            # instead of hanging until the job's time is up; so does an RCU stall (a CPU that keeps
            # entering the kernel never stalls long enough for the soft-lockup watchdog).
            '-append', 'console=ttyS0 panic=-1 oops=panic quiet loglevel=5 rdinit=/init watchdog_thresh=60 '
                       'softlockup_panic=1 softlockup_all_cpu_backtrace=1 sysctl.kernel.panic_on_rcu_stall=1',
            '-serial', 'stdio',
            '-virtfs', share + ',path=/,mount_tag=hostroot,readonly=on',
            '-virtfs', share + ',path=%s,mount_tag=out' % out]


def last_words(console):
    """The console's last line with words in it, terminal controls left out."""
    text = open(console, 'rb').read().decode(errors='replace')
    lines = [re.sub(r'\x1b\[[0-9;?]*[A-Za-z]|[^\x20-\x7e]', '', l).strip() for l in text.splitlines()]
    words = [l for l in lines if re.search(r'[A-Za-z]{2}', l)]
    return words[-1] if words else 'no output in %d s' % KVM_UP_S


def run_guest(cmd, console, budget, up_within):
    """Runs the guest, its console into the file console: its job's end
    status (None: none came), and whether it came up. With up_within, a
    guest not up by then is stopped."""
    start = time.monotonic()
    status, up = None, False
    with open(console, 'wb') as log:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        watch = threading.Timer(up_within, lambda: up or p.kill()) if up_within else None
        if watch:
            watch.start()
        try:
            for line in iter(p.stdout.readline, b''):
                log.write(line)
                text = line.decode(errors='replace').rstrip('\r\n')
                up = up or text == 'vm-init: up'
                m = re.match(r'VM-JOB-END status=(\S+)', text)
                if m:
                    status = m.group(1)
                if text.startswith(('guest:', 'vm-init:', '    ')) or 'Kernel panic' in text:
                    print(text, flush=True)
                if time.monotonic() - start > budget:
                    break
        finally:
            if watch:
                watch.cancel()
            if p.poll() is None:
                p.kill()
            p.wait()
    print('vmtest: the guest ran %.0f s; its console is in %s' % (time.monotonic() - start, console), flush=True)
    return status, up


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--build', default='build', help='the meson build directory')
    ap.add_argument('--kernel', default='6.1', choices=sorted(KERNELS))
    ap.add_argument('--out', help='directory for the job, console log and results '
                    '(default BUILD/vm/KERNEL)')
    ap.add_argument('--test', action='append', metavar='NAME',
                    help='run only this test of the suite (repeatable)')
    args = ap.parse_args()
    if os.geteuid() != 0:
        die('needs root (the guest runs the tests as root from the host\'s files)')
    build = os.path.abspath(args.build)
    out = os.path.abspath(args.out or os.path.join(build, 'vm', args.kernel))
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)

    vmlinuz, moddir = fetch_kernel(args.kernel, os.path.join(build, 'vm', 'kernels'))
    initrd = os.path.join(out, 'initrd.cpio')
    build_initramfs(moddir, initrd)
    tests = matrix_tests(build, args.kernel, args.test)
    budget = write_job(out, build, args.kernel, tests) + 300
    console = os.path.join(out, 'console.log')
    kvm = os.access('/dev/kvm', os.R_OK | os.W_OK)
    print('vmtest: booting %s (%s) for %d tests' % (os.path.basename(vmlinuz),
          'KVM' if kvm else 'software emulation', len(tests)), flush=True)
    status, up = run_guest(qemu_cmd(vmlinuz, initrd, out, kvm), console, budget, KVM_UP_S if kvm else None)
    if kvm and not up:
        print('vmtest: KVM started no guest (%s): software emulation instead' % last_words(console), flush=True)
        status, _ = run_guest(qemu_cmd(vmlinuz, initrd, out, False), console, budget, None)
    if status != '0':
        tail = open(console, 'rb').read().decode(errors='replace').splitlines()[-30:]
        print('\n'.join('    ' + l for l in tail), file=sys.stderr)
        die('the guest did not finish its job (status %s)' % (status or 'none: it stopped or '
            'hung before the end'))
    results = [json.loads(l) for l in open(os.path.join(out, 'testlog.json'))]
    if len(results) != len(tests) + 1:      # and the program form's check
        die('the guest reported %d results for %d tests' % (len(results), len(tests) + 1))
    return 0 if all(r['result'] == 'OK' for r in results) else 1


if __name__ == '__main__':
    sys.exit(main())
