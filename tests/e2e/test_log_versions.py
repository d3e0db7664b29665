#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An upgrade keeps the journal: segments of another event version survive.

A private daemon with 1 MiB segments (--journal-max-mib 16) logs `pipe
10000` and `signals 2` (several segments) and stops. Every segment's header
then says the event version before this one, as an upgrade of ipctrace
finds the journal its previous version wrote. The next daemon on that
journal must:

- keep every segment byte for byte (the last one too: it is not torn,
  only not ours to append to), and start a new segment after them;
- say on stderr, for each, what it is and what it did: events of the old
  version, kept as they are, not read; never a torn tail cut;
- count them in stats (journal.skipped_segments, skipped_bytes; nothing
  repaired), and read none of their events: `log` returns only what this
  daemon logged (`signals 3`, exactly as its run streamed);
- and do the same again after another restart.

The layout (lib/journal.c): a segment starts with a 32-byte header,
"IPCTJRN1", the format version (u32 at 8), the event version (u32 at 12)."""

import hashlib
import os
import re
import signal
import struct

from common import Daemon, check, check_clean_exit, check_eq, done, example, passed, trace
from logcommon import log, same_events, stats

EVENT_AT = 12


def segments(journal):
    return sorted(n for n in os.listdir(journal) if re.fullmatch(r'[0-9a-f]{16}\.ipj', n))


def digests(journal, names):
    out = {}
    for n in names:
        with open(os.path.join(journal, n), 'rb') as f:
            out[n] = hashlib.sha256(f.read()).hexdigest()
    return out


def stderr_of(d):
    with open(d.log, errors='replace') as f:
        return f.read()


first = Daemon(args=['--journal-max-mib', '16'])
journal = first.journal
try:
    check_clean_exit(trace([example('pipe'), '10000'], opts=['-s', first.socket], to_files=True), 0)
    check_clean_exit(trace([example('signals'), '2'], opts=['-s', first.socket]), 0)
    old_events = len(log(first.socket))
    check_eq('the first daemon stops cleanly', 0, first.kill(signal.SIGTERM))
    old = segments(journal)
    check(len(old) >= 2, 'the first daemon wrote %d segments; the test wants several' % len(old))
    with open(os.path.join(journal, old[0]), 'rb') as f:
        magic, fmt, version = struct.unpack('<8sII', f.read(16))
    check_eq('segment magic', b'IPCTJRN1', magic)
    for n in old:
        with open(os.path.join(journal, n), 'r+b') as f:
            f.seek(EVENT_AT)
            f.write(struct.pack('<I', version - 1))
    sizes = {n: os.path.getsize(os.path.join(journal, n)) for n in old}
    before = digests(journal, old)
    passed('%d events in %d segments (event version %d), now marked as version %d'
           % (old_events, len(old), version, version - 1))

    for round_ in (1, 2):
        d = Daemon(journal=journal, args=['--journal-max-mib', '16'])
        try:
            err = stderr_of(d)
            for n in old:
                want = ('ipctraced: journal: %s: events of version %d, this ipctraced reads version %d: kept as it '
                        'is (%d bytes), not read' % (n, version - 1, version, sizes[n]))
                check(want in err, 'restart %d: stderr does not say %r: %r' % (round_, want, err))
            check('torn' not in err and 'cut' not in err, 'restart %d: stderr speaks of a cut: %r' % (round_, err))
            check_eq('restart %d: the old segments, byte for byte' % round_, before, digests(journal, old))
            now = segments(journal)
            check_eq('restart %d: segments' % round_, old + ['%016x.ipj' % (int(old[-1][:16], 16) + 1)],
                     now)
            st = stats(d.socket)['journal']
            check_eq('restart %d: journal.skipped_segments' % round_, len(old), st['skipped_segments'])
            check_eq('restart %d: journal.skipped_bytes' % round_, sum(sizes.values()), st['skipped_bytes'])
            check_eq('restart %d: journal.repaired_bytes' % round_, 0, st['repaired_bytes'])
            check_eq('restart %d: journal.bad_blocks' % round_, 0, st['bad_blocks'])
            if round_ == 1:
                check_eq('restart 1: log (nothing of the old version is read)', [], log(d.socket))
                t = trace([example('signals'), '3'], opts=['-s', d.socket])
                check_clean_exit(t, 0)
                new_events = t.events
            same_events('restart %d: log: the run of this version' % round_, new_events, log(d.socket))
            check_eq('restart %d: the daemon stops cleanly' % round_, 0, d.kill(signal.SIGTERM))
        finally:
            d.cleanup()
        passed('restart %d: %d segments of version %d kept byte for byte and said so (%s...); a new segment '
               'after them; stats skipped_segments %d; log has the %d events of this version only'
               % (round_, len(old), version - 1, err.splitlines()[0][:90], len(old), len(new_events)))
finally:
    first.cleanup()
done()
