#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`-o html` (docs/report.md): one self-contained page, opened in headless
Chromium; and `signals -o mermaid`.

A private daemon traces examples/demo (a parent and a child: a pipe, SIGUSR1
to the child's handler, SIGUSR2 to itself while ignoring it, and the
child's exit telling the parent with SIGCHLD) with `run -o html -O FILE`;
then `signals`, `pipes` and `log -o html` of that session. For each page:

- Chromium's DOM (--dump-dom) has one lane per process of the program (the
  pids of its report) and one signal arrow per signal: the kills the
  program counted, from the sender's lane to the target's, and one SIGCHLD
  from the kernel per child that ended; the pipes page has the graph;
- a screenshot of it (run's and log's) is not blank (the PNG is decoded
  here: its pixels are not all one colour, and a good part of them is ink);
- the file names nothing to fetch: no address, no script, no @import, no
  url() but the page's own #markers.

Without Graphviz's dot on PATH, `pipes -o html` says so on stderr and in the
page, and writes the rest. The Mermaid diagram is well formed (a
sequenceDiagram of declared participants and `A->>B: text` messages) and has
one arrow per signal of the program. In Spanish (LANG=es_ES.UTF-8) the page's
words are Spanish and its arrows' data the same.

sigcases merge's page has its merged, handled and ignored signals as it
counted them, and the wait of the blocked one; its diagram notes each merge
with the signal it merged into. A program of 600 signals gets the first 500
drawn, says so, and has them all in its table."""

import collections
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib

from common import Daemon, check, check_eq, done, example, passed, run_cli, skip

CHROMIUM = shutil.which('chromium')
if not CHROMIUM:
    skip('chromium is not installed (scripts/setup installs it)')


class Dom(html.parser.HTMLParser):
    """The lanes and signal arrows of a page: elements with the class lane or signal."""

    def __init__(self):
        super().__init__()
        self.lanes, self.signals, self.svgs, self.texts = [], [], 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get('class') or '').split()
        if tag == 'svg':
            self.svgs += 1
        if 'lane' in classes:
            self.lanes.append(a)
        if 'signal' in classes:
            self.signals.append(a)

    def handle_data(self, data):
        self.texts.append(data)


def chromium(args, timeout=600):
    # The timeout only ends a chromium that hangs: in a kernel-matrix guest
    # under emulation, on a loaded host, one page took over 120 s.
    with tempfile.TemporaryDirectory(prefix='ipctrace-chromium-') as home:
        # Its profile in a directory of its own: nothing of the machine's, nothing left behind.
        r = subprocess.run([CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                            '--user-data-dir=' + home] + args,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=dict(os.environ, HOME=home))
    check_eq('chromium %s: exit status (stderr %r)' % (args[-2:], r.stderr[-2000:]), 0, r.returncode)
    return r.stdout.decode(errors='replace')


def png_pixels(path):
    """The PNG's width, height and rows of pixels (tuples of bytes per pixel), unfiltered."""
    with open(path, 'rb') as f:
        data = f.read()
    check(data[:8] == b'\x89PNG\r\n\x1a\n', '%s is not a PNG' % path)
    pos, idat, ihdr = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = ihdr
    check(depth == 8 and ctype in (2, 6) and not interlace,
          'PNG of depth %d, colour type %d, interlace %d: expected 8-bit RGB(A)' % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xff
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xff
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        rows.append(line)
        prev = line
    return width, height, [[bytes(r[x:x + 3]) for x in range(0, stride, bpp)] for r in rows]


def check_screenshot(page, what):
    png = page + '.png'
    chromium(['--hide-scrollbars', '--window-size=1024,1280', '--screenshot=' + png, 'file://' + page])
    width, height, rows = png_pixels(png)
    colours = collections.Counter(p for row in rows for p in row)
    background, most = colours.most_common(1)[0]
    ink = width * height - most
    check(len(colours) > 1, '%s: the screenshot is blank (all %s)' % (what, background.hex()))
    # Text, lanes and arrows cover far more than a stray pixel.
    check(ink > width * height // 100, '%s: only %d of %d pixels differ from the background'
          % (what, ink, width * height))
    return len(colours), ink * 100 // (width * height)


NETWORK = re.compile(r'https?:|//|@import|<script|<link|<img|<iframe|\bsrc\s*=|url\((?!#)', re.I)


def check_offline(text, what):
    m = NETWORK.search(text)
    check(not m, '%s names something to fetch: %r' % (what, text[max(0, m.start() - 80):m.end() + 80] if m else ''))


def open_page(path, what):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    check(text.startswith('<!DOCTYPE html>'), '%s does not start as an HTML page: %r' % (what, text[:80]))
    check_offline(text, what)
    dom = Dom()
    dom.feed(chromium(['--dump-dom', 'file://' + path]))
    return text, dom


def check_lanes_and_arrows(dom, rep, what):
    parent, child = rep['parent_pid'], rep['child_pid']
    check_eq('%s: lanes (pids)' % what, sorted([parent, child]), sorted(int(a['data-pid']) for a in dom.lanes))
    kills = collections.Counter()
    for a in dom.signals:
        if a.get('data-via') == 'kill':
            kills[a['data-sig']] += 1
    check_eq('%s: arrows of signals sent with kill, by signal' % what, rep['kill'], dict(kills))
    sent = {(a['data-sig'], a['data-from'], a['data-to']) for a in dom.signals if a.get('data-via') == 'kill'}
    check_eq('%s: who sent which kill to whom' % what,
             {('SIGUSR1', 'demo[%d]' % parent, 'demo[%d]' % child),
              ('SIGUSR2', 'demo[%d]' % parent, 'demo[%d]' % parent)}, sent)
    chld = [a for a in dom.signals if a['data-sig'] == 'SIGCHLD' and a['data-to'] == 'demo[%d]' % parent]
    check_eq('%s: SIGCHLD arrows to the parent (one child ended)' % what, 1, len(chld))
    check_eq('%s: signal arrows in all (the kills, one SIGCHLD)' % what, sum(rep['kill'].values()) + 1,
             len(dom.signals))
    outcomes = {a['data-sig']: a['data-outcome'] for a in dom.signals}
    check_eq('%s: what became of SIGUSR1 and SIGUSR2' % what, ('handled', 'ignored'),
             (outcomes['SIGUSR1'], outcomes['SIGUSR2']))


d = Daemon()
tmp = tempfile.mkdtemp(prefix='ipctrace-e2e-html-')
try:
    sock = d.socket
    report = os.path.join(tmp, 'report.json')
    page = os.path.join(tmp, 'run.html')
    r = run_cli(['run', '-s', sock, '-o', 'html', '-O', page, example('demo')], env={'IPCTRACE_REPORT': report})
    check_eq('run -o html exit status (stderr %r)' % r.stderr, 0, r.returncode)
    with open(report) as f:
        rep = json.load(f)
    text, dom = open_page(page, 'run -o html')
    check_lanes_and_arrows(dom, rep, 'run -o html')
    check(dom.svgs >= 2, 'run -o html: %d SVG pictures, expected the lanes and the graph' % dom.svgs)
    check(re.search(r'pipe:\[\d+\]', ''.join(dom.texts)), 'run -o html: the graph names no pipe')
    colours, ink = check_screenshot(page, 'run -o html')
    passed('run -o html: lanes = the 2 processes, %d signal arrows (%s kills and a SIGCHLD), the graph; '
           'offline; the screenshot has %d colours, %d%% ink' % (len(dom.signals), rep['kill'], colours, ink))

    sessions = [json.loads(line) for line in run_cli(['sessions', '-s', sock, '-o', 'json']).stdout.splitlines()]
    session = [s['session'] for s in sessions if s.get('pid') == rep['parent_pid']]
    check_eq('sessions of the run', 1, len(session))
    match = 'session=%d' % session[0]

    doms = {}
    for verb in ('signals', 'log'):
        path = os.path.join(tmp, verb + '.html')
        r = run_cli([verb, '-s', sock, '-o', 'html', match])
        check_eq('%s -o html exit status (stderr %r)' % (verb, r.stderr), 0, r.returncode)
        with open(path, 'w') as f:
            f.write(r.stdout)
        text, dom = open_page(path, verb + ' -o html')
        doms[verb] = dom
        check_lanes_and_arrows(dom, rep, verb + ' -o html')
        if verb == 'log':
            check_screenshot(path, 'log -o html')
        passed('%s -o html %s: the same lanes and %d arrows, offline' % (verb, match, len(dom.signals)))

    # In Spanish: the words translated, what scripts read (the data- attributes) the same.
    r = run_cli(['signals', '-s', sock, '-o', 'html', match], env={'LANG': 'es_ES.UTF-8', 'LANGUAGE': 'es'})
    check_eq('LANG=es_ES.UTF-8 signals -o html: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    es = Dom()
    es.feed(r.stdout)
    for words in ('Signals between processes', 'Every signal', 'delivered'):
        check(words not in r.stdout, 'LANG=es_ES.UTF-8 signals -o html: still English: %r' % words)
    check('señal' in r.stdout.lower(), 'LANG=es_ES.UTF-8 signals -o html: no "señal" anywhere')
    check_eq('LANG=es_ES.UTF-8 signals -o html: the arrows\' data', doms['signals'].signals, es.signals)
    passed('LANG=es_ES.UTF-8 signals -o html: in Spanish, the same %d arrows' % len(es.signals))

    path = os.path.join(tmp, 'pipes.html')
    r = run_cli(['pipes', '-s', sock, '-o', 'html', match])
    check_eq('pipes -o html exit status (stderr %r)' % r.stderr, 0, r.returncode)
    with open(path, 'w') as f:
        f.write(r.stdout)
    text, dom = open_page(path, 'pipes -o html')
    check_eq('pipes -o html: lanes and arrows (a graph only)', (0, 0), (len(dom.lanes), len(dom.signals)))
    check_eq('pipes -o html: SVG pictures (the graph)', 1, dom.svgs)
    check(re.search(r'pipe:\[\d+\]', ''.join(dom.texts)), 'pipes -o html: the graph names no pipe')
    passed('pipes -o html %s: the graph as SVG, offline' % match)

    # No dot on PATH: said on stderr and in the page, which is written all the same.
    nodot = os.path.join(tmp, 'empty')
    os.mkdir(nodot)
    r = run_cli(['pipes', '-s', sock, '-o', 'html', match], env={'PATH': nodot})
    check_eq('pipes -o html without dot: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    check('Graphviz' in r.stderr and 'dot' in r.stderr, 'without dot, stderr does not say so: %r' % r.stderr)
    check('class="missing"' in r.stdout and '<svg' not in r.stdout and r.stdout.rstrip().endswith('</html>'),
          'without dot, the page does not say it lacks the graph: %r' % r.stdout[-2000:])
    passed('without dot: stderr says %r, the page says so and ends whole' % r.stderr.strip())

    # Mermaid: well formed, one arrow per signal.
    r = run_cli(['signals', '-s', sock, '-o', 'mermaid', match])
    check_eq('signals -o mermaid exit status (stderr %r)' % r.stderr, 0, r.returncode)
    lines = r.stdout.splitlines()
    check_eq('the diagram\'s first line', 'sequenceDiagram', lines[0] if lines else None)
    declared, arrows, notes = {}, [], []
    for line in lines[1:]:
        m = re.fullmatch(r'    participant (\w+) as ([^\s:;#]+)', line)
        if m:
            check(m.group(1) not in declared, 'participant %s declared twice' % m.group(1))
            check(not arrows, 'participant %s declared after the first message' % m.group(1))
            declared[m.group(1)] = m.group(2)
            continue
        m = re.fullmatch(r'    (\w+)(->>|-x)(\w+): ([^;#\n]+)', line)
        if m:
            arrows.append(m.groups())
            continue
        m = re.fullmatch(r'    Note over (\w+): ([^;#\n]+)', line)
        check(m, 'a line that is no participant, message or note: %r\n%s' % (line, r.stdout))
        notes.append(m.groups())
    for a in arrows:
        check(a[0] in declared and a[2] in declared, 'a message between undeclared participants: %r' % (a,))
    for n in notes:
        check(n[0] in declared, 'a note over an undeclared participant: %r' % (n,))
    parent, child = 'p%d' % rep['parent_pid'], 'p%d' % rep['child_pid']
    check_eq('participants', {parent: 'demo[%d]' % rep['parent_pid'], child: 'demo[%d]' % rep['child_pid'],
                              'kernel': 'kernel'}, declared)
    check_eq('arrows (one per signal)', sum(rep['kill'].values()) + 1, len(arrows))
    check_eq('arrows', [(parent, '->>', child, 'SIGUSR1 handled'), ('kernel', '-x', parent, 'SIGCHLD ignored'),
                        (parent, '-x', parent, 'SIGUSR2 ignored')], arrows)
    # The child blocks SIGUSR1 until its sigsuspend: the kill may find it blocked, or a loaded machine
    # deliver it a millisecond or more later; either way a note says how long it was pending.
    pending = [n for n in notes if n[0] == child and re.fullmatch(r'pending \d+\.\d{3} ms( \(blocked\))?', n[1])]
    check(len(pending) <= 1, 'more than one pending note for the one SIGUSR1: %r' % notes)
    check_eq('notes', [(parent, 'ignored by default'), (parent, 'ignored (SIG_IGN)')],
             [n for n in notes if n not in pending])
    passed('signals -o mermaid: a sequenceDiagram of %d participants, %d arrows (= the signals), %d notes'
           % (len(declared), len(arrows), len(notes)))

    # Signals that wait blocked and merge: sigcases merge blocks SIGUSR1, sends it 5 times and
    # SIGUSR2 once (ignored), then unblocks: one SIGUSR1 handled, the rest merged into it.
    report = os.path.join(tmp, 'merge.json')
    page = os.path.join(tmp, 'merge.html')
    r = run_cli(['run', '-s', sock, '-o', 'html', '-O', page, example('sigcases'), 'merge'],
                env={'IPCTRACE_REPORT': report})
    check_eq('run -o html sigcases merge: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    with open(report) as f:
        rep = json.load(f)
    text, dom = open_page(page, 'sigcases merge page')
    check_eq('sigcases merge: lanes', [rep['pid']], [int(a['data-pid']) for a in dom.lanes])
    got = collections.Counter((a['data-sig'], a['data-outcome']) for a in dom.signals)
    check_eq('sigcases merge: arrows by signal and outcome',
             {('SIGUSR1', 'handled'): rep['handled'], ('SIGUSR1', 'merged'): rep['kills'] - rep['handled'],
              ('SIGUSR2', 'ignored'): rep['ignored_kills']}, dict(got))
    check(re.search(r'<line class="pending blocked"', text), 'sigcases merge: no blocked pending line')
    check('merged: already pending, lost' in ''.join(dom.texts), 'sigcases merge: the merges are not said')
    handled = [a['data-id'] for a in dom.signals if a['data-outcome'] == 'handled']
    sessions = [json.loads(line) for line in run_cli(['sessions', '-s', sock, '-o', 'json']).stdout.splitlines()]
    match = 'session=%d' % [s['session'] for s in sessions if s.get('pid') == rep['pid']][0]
    r = run_cli(['signals', '-s', sock, '-o', 'mermaid', match])
    merged = re.findall(r'^    Note over p%d: merged into signal (\d+), already pending, lost$' % rep['pid'],
                        r.stdout, re.M)
    check_eq('sigcases merge: Mermaid notes of the merges, each naming the handled one',
             handled * (rep['kills'] - rep['handled']), merged)
    crosses = re.findall(r'^    p\d+-xp\d+: ', r.stdout, re.M)
    check_eq('sigcases merge: Mermaid crosses (merged and ignored)',
             rep['kills'] - rep['handled'] + rep['ignored_kills'], len(crosses))
    passed('sigcases merge: %s; the blocked wait drawn; Mermaid notes name signal %s'
           % (dict(got), handled[0]))

    # More signals than a picture can show: the first 500 drawn, said so; the table has every one.
    report = os.path.join(tmp, 'many.json')
    page = os.path.join(tmp, 'many.html')
    r = run_cli(['run', '-s', sock, '-o', 'html', '-O', page, example('signals'), '600'],
                env={'IPCTRACE_REPORT': report})
    check_eq('run -o html signals 600: exit status (stderr %r)' % r.stderr, 0, r.returncode)
    with open(report) as f:
        rep = json.load(f)
    with open(page, encoding='utf-8') as f:
        text = f.read()
    dom = Dom()
    dom.feed(text)
    check_eq('signals 600: arrows drawn (the first 500)', 500, len(dom.signals))
    check('The picture shows the first 500 of %d signals' % rep['kill'] in text,
          'signals 600: the page does not say that the picture shows 500 of %d' % rep['kill'])
    check_eq('signals 600: handled rows of the table (every kill)', rep['handled'], text.count('<tr class="ok">'))
    passed('signals 600: 500 arrows, "the first 500 of %d" said, %d rows in the table' % (rep['kill'], rep['handled']))
finally:
    d.cleanup()
    shutil.rmtree(tmp, ignore_errors=True)
done()
