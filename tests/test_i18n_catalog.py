#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Spanish catalogue is complete and po/POTFILES lists every marked file.

1. `msgfmt --check --statistics po/es.po`: no format mismatch, 0 fuzzy,
   0 untranslated.
2. po/POTFILES names exactly the C files under cli/, daemon/ and lib/ that
   contain _(, N_( or ngettext(.
3. xgettext over POTFILES (with po/meson.build's keywords) into a temporary
   directory finds no msgid that es.po lacks: nothing was marked after the
   catalogue was last updated.

Usage: test_i18n_catalog.py SOURCE_ROOT. Needs gettext (scripts/setup);
without it the test is skipped (77) outside CI and fails under CI=true.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

MARK = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|ngettext)\(')


def skip(why):
    if os.environ.get("CI") == "true":
        print(f"FAIL: {why} (CI=true allows no skip)")
        return 1
    print(f"SKIP: {why}")
    return 77


def msgids(po_text):
    """The msgids of a .po/.pot text (header excluded), joined across lines."""
    ids, cur, inid = set(), None, False
    for line in po_text.splitlines() + [""]:
        if line.startswith("msgid "):
            cur, inid = line[6:].strip()[1:-1], True
        elif inid and line.startswith('"'):
            cur += line.strip()[1:-1]
        else:
            if inid and cur:
                ids.add(cur)
            inid = False
    return ids


def main():
    root = sys.argv[1]
    for tool in ("msgfmt", "xgettext"):
        if not shutil.which(tool):
            return skip(f"{tool} is missing (gettext: scripts/setup installs it)")
    failures = []
    po = os.path.join(root, "po", "es.po")

    r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                       capture_output=True, text=True)
    stats = r.stderr.strip()
    print(f"msgfmt: {stats}")
    if r.returncode != 0:
        failures.append(f"msgfmt --check failed: {stats}")
    for what in ("fuzzy", "untranslated"):
        m = re.search(r"(\d+) " + what, stats)
        if m and int(m.group(1)):
            failures.append(f"es.po has {m.group(1)} {what} entries")
    if "translated message" not in stats:
        failures.append("msgfmt printed no statistics")

    with open(os.path.join(root, "po", "POTFILES")) as f:
        listed = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    marked = set()
    for d in ("cli", "daemon", "lib"):
        for name in sorted(os.listdir(os.path.join(root, d))):
            if name.endswith(".c"):
                with open(os.path.join(root, d, name), encoding="utf-8") as f:
                    if MARK.search(f.read()):
                        marked.add(f"{d}/{name}")
    for p in sorted(marked - listed):
        failures.append(f"{p} marks messages but po/POTFILES does not list it")
    for p in sorted(listed - marked):
        failures.append(f"po/POTFILES lists {p}, which marks no message")

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "ipctrace.pot")
        r = subprocess.run(["xgettext", "--keyword=_", "--keyword=N_", "--keyword=ngettext:1,2",
                            "--from-code=UTF-8", "--directory", root, "--files-from",
                            os.path.join(root, "po", "POTFILES"), "-o", pot],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"xgettext failed: {r.stderr.strip()}")
        else:
            with open(pot, encoding="utf-8") as f:
                want = msgids(f.read())
            with open(po, encoding="utf-8") as f:
                have = msgids(re.sub(r"(?m)^#~.*\n", "", f.read()))
            for m in sorted(want - have):
                failures.append(f"es.po lacks the msgid {m!r} (ninja -C build ipctrace-update-po, then translate)")
            print(f"{len(want)} msgids in the sources, {len(have)} in es.po")

    for f in failures:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
