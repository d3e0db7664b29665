#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The packaging files are valid, and agree with the programs.

- the systemd unit, as meson generates it: `systemd-analyze verify`, with
  its ExecStart= pointed at the built daemon and its Documentation= at these
  man pages;
- the sysusers.d file that creates the group `ipctrace`:
  `systemd-sysusers --dry-run` in an empty root;
- `ipctraced --help` and every `ipctrace VERB --help` print their usage on
  standard output, exit 0 and list options;
- the man pages: built with the version (`ipctrace --version`'s) and no
  placeholder left; `groff -man -ww -z` warns about nothing; every option
  that `ipctraced --help` and `ipctrace VERB --help` list is described;
- the bash completion: `bash -n`, then its function is driven the way bash
  drives it (COMP_WORDS, COMP_CWORD) for a set of command lines, and offers
  every option that `ipctrace VERB --help` lists.

Arguments come from tests/meson.build. No root, no daemon. scripts/setup
installs every tool used (systemd's too); without one, the checks that need
it cannot run: the test is skipped (77) with the reason, and fails under
CI=true.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []
missing_tools = []


def have(tool, what):
    """Whether tool is installed; if not, what needs it cannot run (noted for the end)."""
    if shutil.which(tool):
        return True
    missing_tools.append(f"{what}: {tool} is not installed (scripts/setup installs it)")
    return False


def check(ok, what, detail=""):
    if ok:
        print(f"PASS {what}")
    else:
        failures.append(what)
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


# ---- the unit -----------------------------------------------------------------

def check_unit(unit, daemon, man_pages):
    text = open(unit).read()
    left = re.findall(r"@[A-Z_]+@", text)
    check(not left, "unit: every @VARIABLE@ was replaced", " ".join(left))
    m = re.search(r"^ExecStart=(\S+)", text, re.M)
    check(m and os.path.isabs(m.group(1)) and m.group(1).endswith("/ipctraced"),
          "unit: ExecStart= is the installed daemon's absolute path", m.group(0) if m else "no ExecStart=")
    check(re.search(r"^EnvironmentFile=-/etc/default/ipctraced$", text, re.M) and
          re.search(r"^ExecStart=\S+ \$IPCTRACED_OPTS$", text, re.M),
          "unit: options from /etc/default/ipctraced (IPCTRACED_OPTS), which may be missing", "")
    if not have("systemd-analyze", "unit: systemd-analyze verify"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        # verify checks that ExecStart= can be executed and that the
        # Documentation= man pages exist: point them at the build.
        copy = os.path.join(tmp, "ipctraced.service")
        with open(copy, "w") as f:
            f.write(re.sub(r"^ExecStart=\S+", "ExecStart=" + os.path.abspath(daemon), text, flags=re.M))
        for page in man_pages:
            section = page.rsplit(".", 1)[1]
            os.makedirs(os.path.join(tmp, "man", "man" + section), exist_ok=True)
            shutil.copy(page, os.path.join(tmp, "man", "man" + section))
        env = dict(os.environ, MANPATH=os.path.join(tmp, "man"), SYSTEMD_LOG_LEVEL="notice")
        r = run(["systemd-analyze", "verify", copy], env=env, cwd=tmp)
        out = (r.stdout + r.stderr).strip()
        check(r.returncode == 0 and not out, "unit: systemd-analyze verify is silent", out)


def check_sysusers(conf):
    if not have("systemd-sysusers", "sysusers: systemd-sysusers --dry-run"):
        return
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "etc"))
        for name in ("passwd", "group"):
            open(os.path.join(root, "etc", name), "w").close()
        with open(conf) as f:
            r = run(["systemd-sysusers", "--dry-run", "--root", root, "-"], stdin=f)
        out = r.stdout + r.stderr
        check(r.returncode == 0 and "Creating group 'ipctrace'" in out,
              "sysusers: systemd-sysusers --dry-run creates the group ipctrace", out.strip())


# ---- the man pages -------------------------------------------------------------

def man_text(page):
    """The page's source with troff's escaped hyphens made plain."""
    return open(page).read().replace("\\-", "-")


def help_opts_of(argv):
    """The options of argv's help, from its option lines only (those starting
    with '-'), first column. Checks that the help went to standard output
    with exit 0 and lists options (every verb has some): else the man page
    and completion checks would compare nothing."""
    r = run(argv)
    opts = set()
    for line in r.stdout.splitlines():
        m = re.match(r"\s+(-[^ ].*?)(?:\s{2,}|$)", line)
        if m:
            opts.update(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", m.group(1)))
    name = " ".join(os.path.basename(a) for a in argv)
    check(r.returncode == 0 and r.stdout.startswith("Usage: ") and not r.stderr and opts,
          f"{name}: usage on stdout, nothing on stderr, exit 0, options listed",
          f"exit {r.returncode}, stdout {r.stdout[:80]!r}, stderr {r.stderr[:80]!r}, options {sorted(opts)}")
    return opts


def check_man(pages, daemon_opts, verb_opts, version):
    for page in pages:
        name = os.path.basename(page)
        # Built with the version (meson's configure_file), as `man -l` of the built page shows it.
        th = re.search(r'^\.TH .*$', open(page).read(), re.M)
        check(th and f'"ipctrace {version}"' in th.group(0) and not re.search(r"@[A-Z_]+@", open(page).read()),
              f"man: {name} carries the version {version}", th.group(0) if th else "no .TH line")
        for device in ([], ["-Tutf8"]):
            r = run(["groff", "-man", "-ww", "-z", *device, page])
            check(r.returncode == 0 and not r.stderr.strip(),
                  f"man: groff -man -ww -z {' '.join(device)} {name}: no warnings".replace("  ", " "),
                  r.stderr.strip())
    by_name = {os.path.basename(p): p for p in pages}
    daemon_page = man_text(by_name["ipctraced.8"])
    missing = sorted(o for o in daemon_opts if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", daemon_page))
    check(not missing, "man: ipctraced.8 describes every option of ipctraced --help", " ".join(missing))
    cli_page = man_text(by_name["ipctrace.1"])
    for verb, opts in verb_opts.items():
        check(re.search(r'^\.SS "ipctrace ' + verb + r'\b', cli_page, re.M) is not None,
              f"man: ipctrace.1 has a section for '{verb}'")
        missing = sorted(o for o in opts if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", cli_page))
        check(not missing, f"man: ipctrace.1 describes every option of 'ipctrace {verb} --help'", " ".join(missing))


# ---- the bash completion ------------------------------------------------------

# (COMP_WORDS as bash splits the line (at "=" too), COMP_CWORD, what must be
# offered, whether that must be all that is offered).
CASES = [
    (["ipctrace", "lo"], 1, {"log"}, True),
    (["ipctrace", "se"], 1, {"sessions"}, True),
    (["ipctrace", "sessions", "-o", ""], 3, {"text", "json"}, True),
    (["ipctrace", ""], 1, {"run", "log", "attach", "trace", "detach", "signals", "pipes", "explain", "sessions",
                           "stats"},
     False),
    (["ipctrace", "explain", "-o", ""], 3, {"text", "json"}, True),
    (["ipctrace", "run", "-o", ""], 3, {"text", "json", "dot", "perfetto", "html"}, True),
    (["ipctrace", "log", "ki"], 2, {"kind="}, True),
    (["ipctrace", "log", "-o", ""], 3, {"text", "json", "perfetto", "html"}, True),
    (["ipctrace", "log", "kind", "=", ""], 4, {"pipe", "fifo", "socket", "tty", "mqueue", "msgq", "sem", "shm"}, True),
    (["ipctrace", "log", "kind", "="], 3, {"pipe", "fifo", "socket", "tty", "mqueue", "msgq", "sem", "shm"}, True),
    (["ipctrace", "pipes", "kind", "=", "sh"], 4, {"shm"}, True),
    (["ipctrace", "log", "type", "=", "shm"], 4, {"shmget", "shmat", "shmdt", "shmctl"}, True),
    (["ipctrace", "log", "kind=fi"], 2, {"kind=fifo"}, True),
    (["ipctrace", "log", "tr"], 2, {"tree="}, True),
    (["ipctrace", "log", "type", "=", "signal_"], 4, {"signal_generate", "signal_deliver"}, True),
    (["ipctrace", "signals", "outcome", "=", "ne"], 4, {"never_delivered"}, True),
    (["ipctrace", "signals", "sig", "=", "SIGUS"], 4, {"SIGUSR1", "SIGUSR2"}, True),
    (["ipctrace", "signals", "sig", "=", "chl"], 4, {"SIGCHLD"}, True),
    (["ipctrace", "signals", "ca"], 2, {"cause="}, True),
    (["ipctrace", "signals", "-o", ""], 3, {"text", "json", "html", "mermaid"}, True),
    (["ipctrace", "pipes", "-o", ""], 3, {"text", "json", "dot", "html"}, True),
    (["ipctrace", "pipes", "--output", "=", "d"], 4, {"dot"}, True),
    (["ipctrace", "pipes", "pa"], 2, {"path="}, True),
    (["ipctrace", "stats", "-o", ""], 3, {"text", "json", "prometheus"}, True),
    (["ipctrace", "run", "--color", ""], 3, {"auto", "always", "never"}, True),
    (["ipctrace", "run", "--", "ipctrace-no-such-comman"], 3, set(), True),
    (["ipctrace", "attach", "-p", "$$"], 3, {"$$"}, False),
    (["ipctrace", "attach", "-p", "1,$$"], 3, {"1,$$"}, False),
    (["ipctrace", "trace", "--a"], 2, {"--all"}, True),
    (["ipctrace", "attach", "-o", ""], 3, {"text", "json", "dot", "perfetto", "html"}, True),
    (["ipctrace", "log", "--since", ""], 3, {"now", "boot", "today", "yesterday"}, True),
    (["ipctrace", "log", "-U", "y"], 3, {"yesterday"}, True),
    (["ipctrace", "run", "--output", "=", "j"], 4, {"json"}, True),
]

# Options that a verb's --help lists but that belong to its sibling verb
# (attach and trace share one help).
NOT_OFFERED = {"attach": {"--all"}, "trace": {"-p", "--pid"}}


def bash_quote(s):
    return "'" + s.replace("'", "'\\''") + "'" if "$$" not in s else '"' + s + '"'


def completion_script(completion, cases):
    lines = ["set -u", f"source {bash_quote(completion)}"]
    for i, (words, cword, _, _) in enumerate(cases):
        lines.append(f"COMP_WORDS=({' '.join(bash_quote(w) for w in words)}); COMP_CWORD={cword}; COMPREPLY=()")
        lines.append(f"_ipctrace; printf '%s\\n' '=== {i}' \"$$\" \"${{COMPREPLY[@]}}\"")
    return "\n".join(lines) + "\n"


def run_completion(completion, cases):
    """Runs the cases in one bash; returns (offered sets, bash's pid, stderr)."""
    r = run(["bash", "--norc", "--noprofile", "-c", completion_script(completion, cases)])
    results, pid, cur = {}, None, None
    lines = iter(r.stdout.splitlines())
    for line in lines:
        if line.startswith("=== "):
            cur = int(line[4:])
            pid = next(lines)
            results[cur] = set()
        elif cur is not None:
            results[cur].add(line)
    return results, pid, r.stderr.strip()


def check_completion(completion, verb_opts):
    r = run(["bash", "-n", completion])
    check(r.returncode == 0 and not r.stderr, "completion: bash -n", r.stderr.strip())
    results, pid, err = run_completion(completion, CASES)
    check(not err, "completion: runs without errors", err)
    for i, (words, cword, want, exact) in enumerate(CASES):
        want = {w.replace("$$", pid or "?") for w in want}
        got = results.get(i, set())
        line = " ".join(w.replace("$$", pid or "?") for w in words[:cword + 1])
        ok = got == want if exact else want <= got
        check(ok, f"completion: '{line}<TAB>' offers {' '.join(sorted(want)) or 'nothing'}",
              f"offered {' '.join(sorted(got)) or 'nothing'}")
    # Every option a verb's --help lists is offered after '-'.
    cases = [(["ipctrace", verb, "-"], 2, set(), False) for verb in verb_opts]
    results, _, err = run_completion(completion, cases)
    for i, (verb, opts) in enumerate(verb_opts.items()):
        missing = sorted(opts - results.get(i, set()) - NOT_OFFERED.get(verb, set()))
        check(not missing, f"completion: 'ipctrace {verb} -<TAB>' offers every option of its --help",
              "missing " + " ".join(missing))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unit", required=True, help="the generated ipctraced.service")
    ap.add_argument("--man", action="append", required=True, help="a generated man page")
    ap.add_argument("--completion", required=True)
    ap.add_argument("--sysusers", required=True, help="the sysusers.d file")
    ap.add_argument("--ipctrace", required=True, help="the built CLI")
    ap.add_argument("--ipctraced", required=True, help="the built daemon")
    a = ap.parse_args()

    for tool in ("groff", "bash"):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is not installed (scripts/setup installs it)")
            return 1
    verbs = ["run", "log", "attach", "trace", "detach", "signals", "pipes", "explain", "sessions", "stats"]
    daemon_opts = help_opts_of([a.ipctraced, "--help"])
    verb_opts = {verb: help_opts_of([a.ipctrace, verb, "--help"]) for verb in verbs}
    check_unit(a.unit, a.ipctraced, a.man)
    check_sysusers(a.sysusers)
    version = run([a.ipctrace, "--version"]).stdout.split()[-1]
    check_man(a.man, daemon_opts, verb_opts, version)
    check_completion(a.completion, verb_opts)
    if failures:
        print(f"{len(failures)} failed")
        return 1
    if missing_tools:
        if os.environ.get("CI") == "true":
            for m in missing_tools:
                print(f"FAIL {m}: CI=true allows no skip")
            return 1
        print("SKIP: " + "; ".join(missing_tools))
        return 77
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
