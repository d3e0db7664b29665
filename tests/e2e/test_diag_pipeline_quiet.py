#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""No warning for a pipeline that behaves as pipelines do, and diagnoses
after the events they explain (docs/diagnoses.md, write_after_close):

- `yes | head -c 3000000`: head reads what it wants and exits; yes's next
  write fails with EPIPE and SIGPIPE ends it. One diagnosis,
  write_after_close about yes's write, with severity "info", naming the
  bytes head read (the sum of head's reads on the pipe as the trace shows
  them); none else. The pipe graph carries no warning for it;
- `sleep 2 | cat`: cat waits two seconds in read on a pipe whose writer is
  alive: no diagnosis at all;
- -o json: the diagnosis comes after the failed write in the stream;
- in text, on one stream (stdout and stderr the same file, as on a
  terminal), the info line ("-- ", not "!! ") comes after yes's failed
  write and never before an event that precedes it in the trace;
- `yes | true`, a reader that exits without reading: still a warning ("!! ")."""

import json
import os
import re
import subprocess
import tempfile

from common import IPCTRACE, Daemon, check, check_eq, done, passed, run_env, trace


def run_text(sock, cmd):
    """`ipctrace run` in text with stdout and stderr one file: the lines in the order they were written."""
    with tempfile.TemporaryFile() as out:
        r = subprocess.run([IPCTRACE, 'run', '-s', sock, '--color', 'never', '--', 'sh', '-c', cmd],
                           env=run_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=120)
        out.seek(0)
        text = out.read().decode(errors='replace')
    check_eq('run %r: exit status (output %r)' % (cmd, text[-500:]), 0, r.returncode)
    return text.splitlines()


d = Daemon()
try:
    sock = d.socket
    t = trace(['sh', '-c', 'yes | head -c 3000000 > /dev/null'], opts=['-s', sock, '--pipes'], to_files=True)
    check_eq('yes | head: exit status', 0, t.returncode)
    check_eq('yes | head: diagnoses', ['write_after_close'], [x['kind'] for x in t.diagnoses])
    dg = t.diagnoses[0]
    yes = [e['pid'] for e in t.events if e['type'] == 'exec' and e['filename'].endswith('/yes')]
    head = [e['pid'] for e in t.events if e['type'] == 'exec' and e['filename'].endswith('/head')]
    check_eq('yes | head: the diagnosis is about yes', (yes[0], 'yes', 'info'),
             (dg['pid'], dg['comm'], dg.get('severity')))
    read = sum(e['ret'] for e in t.events if e['pid'] == head[0] and e['type'] == 'read' and e['ret'] > 0
               and e.get('object') == dg['object'])
    check(read >= 3000000, 'head read %d bytes of %s, less than it printed' % (read, dg['object']))
    check('after its readers had read %d bytes' % read in dg['message'],
          'yes | head: the message does not name the %d bytes head read: %r' % (read, dg['message']))
    # In the stream, after the failed write it rests on.
    lines = [json.loads(line) for line in t.stdout.splitlines() if line.startswith('{')]
    at = [i for i, o in enumerate(lines) if o.get('type') == 'diagnosis']
    failed = [i for i, o in enumerate(lines) if o.get('type') == 'write' and o.get('pid') == yes[0] and o['ret'] < 0]
    check(failed and at[0] > failed[0], 'yes | head: the diagnosis (line %r) before the failed write (%r)'
          % (at, failed[:1]))
    obj = [o for o in t.objects if o['object'] == dg['object']]
    check_eq('yes | head: the pipe\'s warnings', [], obj[0].get('warnings') or [])
    passed('yes | head: one info, about yes[%d], naming the %d bytes head read; no warning' % (yes[0], read))

    t = trace(['sh', '-c', 'sleep 2 | cat'], opts=['-s', sock, '--pipes'], to_files=True)
    check_eq('sleep 2 | cat: exit status', 0, t.returncode)
    check_eq('sleep 2 | cat: diagnoses', [], t.diagnoses)
    passed('sleep 2 | cat: a reader waiting on a live writer: no diagnosis')

    lines = run_text(sock, 'yes | head -c 3000000 > /dev/null')
    info = [i for i, line in enumerate(lines) if line.startswith('-- yes[')]
    check_eq('text: one info line', 1, len(info))
    check(not any(line.startswith('!! ') for line in lines), 'text: a warning: %r' % [x for x in lines if x.startswith('!!')])
    epipe = [i for i, line in enumerate(lines) if re.search(r' yes\[\d+\] +write .* EPIPE', line)]
    check(epipe and epipe[0] < info[0], 'text: the info (line %d) comes before yes\'s failed write (%r)'
          % (info[0], epipe))
    passed('text: the info line after the failed write it explains (line %d, write at %d)' % (info[0], epipe[0]))

    lines = run_text(sock, 'yes | true')
    warn = [line for line in lines if line.startswith('!! yes[') and 'after every reader had closed it' in line]
    check_eq('a reader that never read: the warning', 1, len(warn))
    passed('a reader that closed without reading: still a warning')
finally:
    d.cleanup()
done()
