#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every user-visible string literal in cli/, daemon/ and lib/ is marked for translation.

A heuristic: a string literal that is the format or text argument of an
output call (printf family, fputs, puts, ipct_buf_printf, label_add,
fd_note, reply_error, snprintf into a message) and contains a word of
three or more letters once conversions are removed must sit inside _(),
N_() or ngettext(). ALLOW lists what is printed but not translated, each
with the reason. The daemon's stderr/journald messages for administrators
(fprintf(stderr, "ipctraced: ...")) stay English (docs/i18n.md).

Usage: test_i18n_marked.py SOURCE_ROOT
"""
import os
import re
import sys

CALL = re.compile(r'\b(fprintf|printf|fputs|puts|ipct_buf_printf|label_add|fd_note|reply_error|snprintf)\s*\(')
LIT = re.compile(r'"(?:[^"\\\n]|\\.)*"')
CONV = re.compile(r'%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t)?[a-zA-Z%]|<PRI[a-z0-9]+>|\\[nt033]+')
WORD = re.compile(r'[A-Za-z]{3,}')

# Literals printed as they are, and why.
ALLOW = [
    (r'^ipctrace: %s\\n$', "a prefix for a message already translated"),
    (r'^ipctrace %s\\n$', "a prefix for a message already translated"),
    (r'^ipctrace %s: %s\\n$', "the verb before a message already translated"),
    (r'^ipctrace: signalfd: %s\\n$', "a system call's name and strerror (glibc translates it)"),
    (r'^ipctrace %s$', "getopt's program name: the verb"),
    (r'^ipctrace %s\\n$', "--version: the program's name"),
    (r'^/proc/', "a path"),
    (r'^/', "a path"),
    (r'\\033\]2;', "a terminal escape"),
    (r'^\\033\[', "a terminal colour escape"),
    (r'^(fork|exec|init|kernel)$', "a system call's or process's name"),
    (r'^close\(%d\)', "handled by its translated form"),
    (r'^(E[A-Z0-9]+|SIG[A-Z0-9]+)$', "an errno or signal name"),
    (r'^%s\[%', "comm[pid]"),
    (r'^%.\*s\[%', "comm[pid]"),
    (r'(shape|label|rankdir|digraph|dir=|fontname|style=)', "Graphviz syntax (-o dot is a machine format)"),
    (r'^\{\\"|\\"type\\"|,\\"', "JSON"),
    (r'^fd %', "the word fd beside a number: a C name"),
    (r'^ fd %', "the word fd beside a number: a C name"),
    (r'^%s(%s)?\(%d\)', "a system call"),
    (r'^%s %s$', "two translated pieces"),
    (r'^ipctraced: ', "the daemon's messages for administrators stay English (docs/i18n.md)"),
    (r'^ipctraced ', "the daemon's messages for administrators stay English (docs/i18n.md)"),
    (r'^%s/ipctrace', "a path"),
    (r'^(hexagon|box3d|octagon|box|ellipse)$', "Graphviz node shapes"),
    (r'^(left running at %s|session %u ended \(%s\))$', "run's JSON summary \"status\": a JSON value, never translated"),
    (r'^(attach|trace|-p PID\[,PID\.\.\.\]|--all)$', "a verb's or an option's spelling"),
    (r'^%s_core$', "a BPF program's name"),
    (r'^SIG(RTMIN|RTMAX)?[-+%]', "a signal's name"),
    (r'^[a-z_]+:(\[|%|/|$)', "an object's name (pipe:[N], msq:ID, tty:MAJ:MIN, anon_inode:[signalfd])"),
    (r'^(sem|shm|socket|pipe)$', "an object's kind (docs/pipes.md), a name"),
    (r'^\.[a-z]+$', "a file name's suffix"),
    (r'^# (HELP|TYPE) ', "Prometheus's exposition format (stats -o prometheus) is for programs, like JSON"),
    (r'^(ipctrace_%|_seconds$|_total$|untyped$|counter$|gauge$)', "Prometheus metric names and types"),
    (r'^(\\n|\\")*\s*</?[!a-zA-Z]|^\\" [a-zA-Z-]+=\\"|^[a-zA-Z-]+=\\"|^\\">', "HTML and SVG markup (-o html): its words are tags and attributes"),
    (r'^ ?(head|handler|bad|blocked|info)$', "a CSS class or an SVG marker's id in the page (-o html)"),
    (r'^(sequenceDiagram\\n|\s+participant %s as %s|\s+Note over %s: %s)', "Mermaid's syntax (signals -o mermaid)"),
    (r'^%s\(pidfd ', "a system call as C spells it"),
    (r'^(ipcrm|rm) ', "a shell command to type, as it is typed"),
    (r'^%s_parts$', "a JSON key"),
    (r'^(SIG_IGN|SIG_DFL|sigwait)$', "C names: a handler constant, a function"),
    (r'^&[a-z]+;$', "an HTML entity"),
]

# Files others own, not scanned until they mark them (none once merged).
SKIP_FILES = set()


def strip_comments(src):
    src = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), src, flags=re.S)
    return re.sub(r'//[^\n]*', '', src)


def call_args(src, start):
    """The text of a call's arguments from its '(' at start to the matching ')'."""
    depth, i, instr = 0, start, False
    while i < len(src):
        c = src[i]
        if instr:
            if c == '\\':
                i += 2
                continue
            if c == '"':
                instr = False
        elif c == '"':
            instr = True
        elif c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return src[start + 1:i]
        i += 1
    return src[start + 1:]


def unmarked(args):
    """Literal runs in args outside _(), N_(), ngettext()."""
    masked = re.sub(r'\b(?:_|N_|ngettext)\((?:[^()"]|"(?:[^"\\\n]|\\.)*"|\([^()]*\))*\)', '', args)
    # Literals inside nested calls are their arguments (JSON keys, paths), not what is printed.
    lits = []
    masked = LIT.sub(lambda m: lits.append(m.group(0)[1:-1]) or f'@{len(lits) - 1}@', masked)
    while True:
        inner = re.sub(r'\([^()]*\)', '', masked)
        if inner == masked:
            break
        masked = inner
    return [lits[int(i)] for i in re.findall(r'@(\d+)@', masked)]


def main():
    root = sys.argv[1]
    failures = []
    for d in ("cli", "daemon", "lib"):
        for name in sorted(os.listdir(os.path.join(root, d))):
            path = f"{d}/{name}"
            if not name.endswith(".c") or path in SKIP_FILES:
                continue
            with open(os.path.join(root, path), encoding="utf-8") as f:
                src = strip_comments(f.read())
            for m in CALL.finditer(src):
                fn = m.group(1)
                args = call_args(src, m.end() - 1)
                # The daemon's own log lines go to stderr for administrators.
                if d == "daemon" and fn == "fprintf":
                    continue
                for lit in unmarked(args):
                    text = CONV.sub('', lit)
                    if not WORD.search(text):
                        continue
                    if any(re.search(p, lit) for p, _ in ALLOW):
                        continue
                    line = src.count('\n', 0, m.start()) + 1
                    failures.append(f"{path}:{line}: {fn}: \"{lit}\" is not marked for translation")
    for f in failures:
        print(f"FAIL: {f}")
    print(f"{len(failures)} unmarked user-visible strings")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
