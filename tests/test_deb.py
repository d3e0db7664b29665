#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Debian package (debian/): `dpkg-buildpackage -b -us -uc` builds it in
a copy of the tree outside the source tree (the files git knows, as they
are on disk), `dpkg -c` lists exactly the files it must ship, its
maintainer scripts create the group and enable the unit, and lintian
finds no error in it.

Usage: test_deb.py SOURCE_ROOT
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# What the package ships: its files (not directories), with their modes.
EXPECTED = {
    "./usr/bin/ipctrace": "-rwxr-xr-x",
    "./usr/sbin/ipctraced": "-rwxr-xr-x",
    "./lib/systemd/system/ipctraced.service": "-rw-r--r--",
    "./usr/lib/sysusers.d/ipctrace.conf": "-rw-r--r--",
    "./usr/share/man/man1/ipctrace.1.gz": "-rw-r--r--",
    "./usr/share/man/man8/ipctraced.8.gz": "-rw-r--r--",
    "./usr/share/bash-completion/completions/ipctrace": "-rw-r--r--",
    # The Spanish catalogue (po/, docs/i18n.md).
    "./usr/share/locale/es/LC_MESSAGES/ipctrace.mo": "-rw-r--r--",
    "./usr/share/doc/ipctrace/changelog.gz": "-rw-r--r--",
    "./usr/share/doc/ipctrace/copyright": "-rw-r--r--",
    "./usr/share/doc/ipctrace/examples/vector/ipctrace.toml": "-rw-r--r--",
    "./usr/share/doc/ipctrace/examples/vector/loki.toml": "-rw-r--r--",
    "./usr/share/doc/ipctrace/examples/vector/elasticsearch.toml": "-rw-r--r--",
    "./usr/share/doc/ipctrace/examples/rsyslog/ipctrace-export.service": "-rw-r--r--",
    "./usr/share/doc/ipctrace/examples/rsyslog/rsyslog-elasticsearch.conf": "-rw-r--r--",
}
# What the maintainer scripts must do: the group of sysusers.d, the unit enabled.
POSTINST = [r"systemd-sysusers .*ipctrace\.conf", r"deb-systemd-helper .*enable", r"ipctraced\.service"]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL " + what)


def run(args, cwd, log):
    with open(log, "w") as f:
        p = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        with open(log) as f:
            tail = f.read()[-4000:]
        print("FAIL %s: exit status %d; the end of its output:\n%s" % (" ".join(args), p.returncode, tail))
        sys.exit(1)


def copy_tree(src, dst):
    """The files git knows (committed or not, as they are on disk), and new ones it does not ignore."""
    p = subprocess.run(["git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        print("FAIL git ls-files in %s: %s" % (src, p.stderr.decode(errors="replace").strip()))
        sys.exit(1)
    for rel in p.stdout.decode().split("\0"):
        if not rel or not os.path.lexists(os.path.join(src, rel)):
            continue        # deleted, not yet committed
        os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
        shutil.copy2(os.path.join(src, rel), os.path.join(dst, rel), follow_symlinks=False)


def main():
    root = os.path.abspath(sys.argv[1])
    for tool in ("dpkg-buildpackage", "dh", "lintian", "git"):
        if not shutil.which(tool):
            print("FAIL %s is not installed (scripts/setup installs it)" % tool)
            return 1
    top = tempfile.mkdtemp(prefix="ipctrace-deb-")
    try:
        src = os.path.join(top, "ipctrace")
        copy_tree(root, src)
        os.environ["DEB_BUILD_OPTIONS"] = "parallel=%d" % (os.cpu_count() or 1)
        run(["dpkg-buildpackage", "-b", "-us", "-uc"], src, os.path.join(top, "build.log"))
        debs = [n for n in os.listdir(top) if re.fullmatch(r"ipctrace_[^_]+_[a-z0-9]+\.deb", n)]
        check(len(debs) == 1, "one ipctrace .deb built: %s" % sorted(os.listdir(top)))
        if not debs:
            return 1
        deb = os.path.join(top, debs[0])

        listing = subprocess.run(["dpkg", "-c", deb], stdout=subprocess.PIPE, universal_newlines=True, check=True)
        files = {}
        for line in listing.stdout.splitlines():
            fields = line.split()
            if not fields[0].startswith("d"):
                files[fields[5]] = fields[0]
        check(sorted(files) == sorted(EXPECTED), "dpkg -c: the files %s, expected %s"
              % (sorted(files), sorted(EXPECTED)))
        for path, mode in EXPECTED.items():
            if path in files:
                check(files[path] == mode, "dpkg -c: %s has mode %s, expected %s" % (path, files[path], mode))

        ctl = os.path.join(top, "control")
        subprocess.run(["dpkg-deb", "-e", deb, ctl], check=True)
        postinst = open(os.path.join(ctl, "postinst")).read() if os.path.exists(os.path.join(ctl, "postinst")) else ""
        for want in POSTINST:
            check(re.search(want, postinst), "postinst runs %r" % want)
        depends = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], stdout=subprocess.PIPE,
                                 universal_newlines=True, check=True).stdout
        check("systemd" in depends, "Depends names what runs systemd-sysusers: %r" % depends)

        changes = [n for n in os.listdir(top) if n.endswith(".changes")]
        lint = subprocess.run(["lintian", os.path.join(top, changes[0])], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True)
        # lintian exits non-zero on an error (or when it could not check).
        check(lint.returncode == 0, "lintian: exit status %d, no errors: %s" % (lint.returncode, lint.stdout))
        print(lint.stdout.strip())
    finally:
        shutil.rmtree(top, ignore_errors=True)
    if failures:
        print("%d failed" % len(failures))
        return 1
    print("all passed: %s (%d files)" % (debs[0], len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
