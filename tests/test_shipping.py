#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The configurations for shipping the JSON event log (docs/shipping.md),
checked without running them. rsyslog's, which
tests/e2e/test_shipping_rsyslog.py runs: ipctrace-export.service passes
`systemd-analyze verify`. Vector's, as far as can be without Vector, which
Debian 12 does not package: the files are TOML; every component's inputs
exist; the source runs an `ipctrace log` that this ipctrace accepts; the
event fields used are in docs/events.md. docs/shipping.md quotes every file
as it is.

Usage: test_shipping.py SOURCE_ROOT IPCTRACE
"""
import os
import re
import subprocess
import sys
import tomllib

FILES = ("ipctrace.toml", "loki.toml", "elasticsearch.toml")
# rsyslog's, and the language docs/shipping.md quotes each in.
RSYSLOG = (("ipctrace-export.service", "ini"), ("rsyslog-elasticsearch.conf", "conf"))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL " + what)


def main():
    root, ipctrace = sys.argv[1], sys.argv[2]
    texts = {n: open(os.path.join(root, "packaging", "shipping", n)).read() for n in FILES}
    confs = {}
    for n, t in texts.items():
        try:
            confs[n] = tomllib.loads(t)
        except tomllib.TOMLDecodeError as ex:
            check(False, "%s is not TOML: %s" % (n, ex))
    if failures:
        return 1

    # One Vector configuration each: the source's file with one sink's.
    base = confs["ipctrace.toml"]
    for sink_file in ("loki.toml", "elasticsearch.toml"):
        ids = set()
        components = []
        for n in ("ipctrace.toml", sink_file):
            for kind in ("sources", "transforms", "sinks"):
                for cid, c in confs[n].get(kind, {}).items():
                    check(cid not in ids, "%s: component %s twice" % (sink_file, cid))
                    ids.add(cid)
                    components.append((kind, cid, c))
        for kind, cid, c in components:
            check("type" in c, "%s: %s has no type" % (sink_file, cid))
            if kind == "sources":
                continue
            check(c.get("inputs") and all(i in ids for i in c["inputs"]),
                  "%s: %s's inputs %r exist" % (sink_file, cid, c.get("inputs")))
        check(any(k == "sinks" for k, _, _ in components), "%s has a sink" % sink_file)

    # The source: an ipctrace log that this ipctrace accepts, streaming JSON.
    (src,) = base["sources"].values()
    cmd = src["command"]
    check(cmd[0] == "/usr/bin/ipctrace" and cmd[1] == "log", "the source runs ipctrace log: %r" % cmd)
    check(src.get("mode") == "streaming", "the source streams")
    usage = subprocess.run([ipctrace, "log", "--help"], stdout=subprocess.PIPE, universal_newlines=True,
                           check=True).stdout
    for arg in cmd[2:]:
        if arg.startswith("-"):
            check(re.search(r"(^|[ ,])%s\b" % re.escape(arg), usage, re.M), "ipctrace log --help has %s" % arg)
    check(cmd[cmd.index("-o") + 1] == "json", "the source asks for JSON")

    # The event fields used are documented ones.
    events_md = open(os.path.join(root, "docs", "events.md")).read()
    used = set()
    (remap,) = base["transforms"].values()
    used |= set(re.findall(r"\.([a-z_]+)\b", remap["source"])) - {"message", "host", "timestamp"}
    for n in ("loki.toml", "elasticsearch.toml"):
        for s in confs[n]["sinks"].values():
            for v in s.get("labels", {}).values():
                used |= set(re.findall(r"\{\{ *([a-z_]+) *\}\}", v)) - {"host"}
    check(used, "the configuration uses event fields")
    for field in sorted(used):
        check("| `%s` |" % field in events_md, "event field %s is in docs/events.md" % field)

    # The unit as systemd reads it (its man page is not installed here).
    unit = os.path.join(root, "packaging", "shipping", "ipctrace-export.service")
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True,
                       env=dict(os.environ, SYSTEMD_LOG_LEVEL="notice"))
    check(r.returncode == 0 and not r.stdout.strip(),
          "systemd-analyze verify ipctrace-export.service is silent: %s" % r.stdout.strip())

    # The documentation quotes the files as they are.
    doc = open(os.path.join(root, "docs", "shipping.md")).read()
    quoted = [(n, "toml", t) for n, t in texts.items()]
    quoted += [(n, lang, open(os.path.join(root, "packaging", "shipping", n)).read()) for n, lang in RSYSLOG]
    for n, lang, t in quoted:
        check("### packaging/shipping/%s\n\n```%s\n%s```" % (n, lang, t) in doc,
              "docs/shipping.md quotes packaging/shipping/%s as it is" % n)
    if failures:
        print("%d failed" % len(failures))
        return 1
    print("all passed: fields used %s" % sorted(used))
    return 0


if __name__ == "__main__":
    sys.exit(main())
