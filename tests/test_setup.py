#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The set-up script installs every package the build needs.

Each package scripts/setup lists must be installed (dpkg), and every file the
build and the tests use (compilers, tools, headers, pkg-config files) must
belong to a listed package or to a direct dependency of one: a file that
came from anywhere else was installed by hand and will be missing on the
next machine.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MULTIARCH = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip()

# What the build (meson.build, bpf/meson.build) and the tests run or read.
USED = [
    "/usr/bin/gcc", "/usr/bin/clang", "/usr/sbin/bpftool", "/usr/bin/meson", "/usr/bin/ninja",
    "/usr/bin/pkg-config", "/usr/bin/python3", "/usr/bin/setpriv", "/usr/bin/tmux", "/usr/bin/dot",
    "/usr/bin/groff", "/usr/bin/systemd-analyze", "/bin/systemd-sysusers", "/usr/bin/promtool",
    "/usr/bin/dpkg-buildpackage", "/usr/bin/dh", "/usr/bin/lintian", "/usr/bin/git",
    "/usr/bin/qemu-system-x86_64", "/bin/busybox", "/bin/cpio", "/usr/bin/chromium",
    # po/: the catalogues built and checked (gettext); the Spanish locale generated (locales).
    "/usr/bin/msgfmt", "/usr/bin/xgettext", "/usr/sbin/locale-gen",
    "/usr/sbin/rsyslogd", f"/usr/lib/{MULTIARCH}/rsyslog/omelasticsearch.so",
    "/usr/include/bpf/bpf_helpers.h", "/usr/include/gelf.h", "/usr/include/json-c/json.h",
    "/usr/include/xxhash.h", f"/usr/lib/{MULTIARCH}/pkgconfig/libxxhash.pc",
    "/usr/include/stdio.h",
    f"/usr/lib/{MULTIARCH}/pkgconfig/libbpf.pc", f"/usr/lib/{MULTIARCH}/pkgconfig/libelf.pc",
    f"/usr/lib/{MULTIARCH}/pkgconfig/json-c.pc", f"/usr/lib/{MULTIARCH}/pkgconfig/zlib.pc",
]
# The 32-bit test program (examples/meson.build), on amd64.
if MULTIARCH == "x86_64-linux-gnu":
    USED += ["/usr/lib32/libc.a"]


def listed_packages():
    text = open(os.path.join(ROOT, "scripts", "setup")).read()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        sys.exit("FAIL: no packages=( ... ) list in scripts/setup")
    # And what it adds for an architecture (packages+=(...)).
    return set(m.group(1).split()) | {p for more in re.findall(r"packages\+=\((.*?)\)", text)
                                      for p in more.split()}


def dpkg(*args):
    return subprocess.run(["dpkg-query", *args], capture_output=True, text=True)


def main():
    failures = []
    packages = listed_packages()
    allowed = set(packages)
    for p in sorted(packages):
        r = dpkg("-W", "-f=${Status}\n${Pre-Depends}, ${Depends}", p)
        status, _, depends = r.stdout.partition("\n")
        if r.returncode or status != "install ok installed":
            failures.append(f"listed package {p} is not installed")
            continue
        # "a (>= 1), b | c" -> a, b, c (any alternative may be what provides a file)
        for dep in re.split(r"[,|]", depends):
            if dep.strip():
                allowed.add(dep.split()[0].split(":")[0])
    for path in USED:
        r = dpkg("-S", path)
        if r.returncode:
            failures.append(f"{path} belongs to no package (installed by hand?)")
            continue
        owners = {o.strip().split(":")[0] for o in r.stdout.split(": ")[0].split(",")}
        if not owners & allowed:
            failures.append(f"{path} comes from {', '.join(sorted(owners))}, which scripts/setup does not install")
        else:
            print(f"PASS {path}: {', '.join(sorted(owners))}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
