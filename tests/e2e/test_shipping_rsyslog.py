#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The shipping configuration of docs/shipping.md, run: the events of traced
programs reach Elasticsearch, one document each, through the shipped
ipctrace-export.service and rsyslog-elasticsearch.conf, also when
Elasticsearch is down for a while, when rsyslog restarts, and when the file
is truncated as logrotate's copytruncate does.

- A private daemon. The unit's command (its ExecStart= shell line, with only
  /usr/bin/ipctrace and /var/log/ipctrace/events.json replaced by the
  build's ipctrace and a file of the test's) runs as its service would: as
  nobody, in the group ipctrace, with IPCTRACE_SOCKET at the daemon.
- A stand-in Elasticsearch 8 (below): bound but not listening at first, so
  that rsyslog's connections are refused, as with a server that is down.
- rsyslogd -n runs packaging/shipping/rsyslog-elasticsearch.conf as it is,
  with only the server, its port and the file replaced, after a line that
  gives it a private work directory (where /etc/rsyslog.conf sets Debian's).
- `pipe 100` is traced through the daemon. Once rsyslog says it suspends
  the Elasticsearch action, the stand-in starts listening.
- rsyslogd is stopped, `pipe 50` is traced, rsyslogd starts again.
- The file is truncated, `pipe 10` is traced.

After each step Elasticsearch must have received exactly the events that
`ipctrace log -o json` returns, in order, each once, as a document of its
own with every field (time_ns within the log's clock slack), "host" and
"@timestamp" added, in the index ipctrace-YYYY.MM.DD of its time (UTC);
and the writes and reads in the documents are those each program counted.
(Stopping rsyslog while Elasticsearch is down loses the batch it retries:
docs/shipping.md says so, and this test does not do it.)
"""

import datetime
import glob
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading

from common import (HERE, IPCTRACE, Daemon, Lines, check, check_eq, check_pipe_counts, check_pipe_events, done,
                    example, fail, passed, run_env, trace)
from logcommon import ipctrace_group, log, public_copy, public_tmpdir, same_events, wait_stats

SHIPPING = os.path.normpath(os.path.join(HERE, '..', '..', 'packaging', 'shipping'))
RSYSLOGD = '/usr/sbin/rsyslogd'
TIMEOUT = 60
ADDED = ('host', '@timestamp')          # the fields rsyslog-elasticsearch.conf adds to an event


class BulkHandler(http.server.BaseHTTPRequestHandler):
    """Elasticsearch's answers: the version to a GET, and to a bulk request
    the result of each "index" action, keeping its document."""
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def reply(self, obj, status=200):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply({'name': 'ipctrace-e2e', 'cluster_name': 'ipctrace-e2e',
                    'version': {'number': '8.11.0'}, 'tagline': 'You Know, for Search'})

    def do_POST(self):
        es = self.server
        body = self.rfile.read(int(self.headers.get('Content-Length', 0))).decode(errors='replace')
        m = re.fullmatch(r'(?:/([^/_][^/]*))?/_bulk(\?.*)?', self.path)
        lines = [line for line in body.split('\n') if line]
        if not m or len(lines) % 2:
            es.problems.append('POST %s with %d lines: %r' % (self.path, len(lines), body[:300]))
            self.reply({'error': 'not a bulk request'}, 400)
            return
        docs, items = [], []
        for action, doc in zip(lines[0::2], lines[1::2]):
            try:
                (op, meta), = json.loads(action).items()
                doc = json.loads(doc)
            except ValueError as ex:
                es.problems.append('a bulk line is not JSON (%s): %r %r' % (ex, action, doc))
                continue
            if op != 'index' or set(meta) - {'_index'}:
                es.problems.append('bulk action %r: not a plain "index" (Elasticsearch 8 has no _type)' % action)
            index = meta.get('_index', m.group(1))
            docs.append((index, doc))
            items.append({op: {'_index': index, '_id': str(len(es.docs) + len(docs)), 'result': 'created',
                               'status': 201}})
        with es.changed:
            es.docs.extend(docs)
            es.changed.notify_all()
        self.reply({'took': 1, 'errors': False, 'items': items})


class Elasticsearch(http.server.ThreadingHTTPServer):
    """A stand-in for Elasticsearch 8 on 127.0.0.1, bound at once (its port
    is known) but listening only from start(): until then a connection is
    refused, as with a server that is down."""
    daemon_threads = True           # rsyslog's keep-alive connections do not hold up stop()
    block_on_close = False

    def __init__(self):
        super().__init__(('127.0.0.1', 0), BulkHandler, bind_and_activate=False)
        self.server_bind()
        self.port = self.server_address[1]
        self.docs = []              # (index, document), as received
        self.problems = []          # requests that Elasticsearch would not take
        self.changed = threading.Condition()
        self.thread = None

    def start(self):
        self.server_activate()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def wait_docs(self, n, timeout):
        with self.changed:
            return self.changed.wait_for(lambda: len(self.docs) >= n, timeout)

    def stop(self):
        if self.thread:
            self.shutdown()
        self.server_close()


def shipped(name, replace):
    """packaging/shipping/NAME with each (old, new) of replace done: old must be there once."""
    with open(os.path.join(SHIPPING, name)) as f:
        text = f.read()
    for old, new in replace:
        check_eq('%r in packaging/shipping/%s (the value a test replaces)' % (old, name), 1, text.count(old))
        text = text.replace(old, new)
    return text


class Rsyslogd:
    """rsyslogd in the foreground on conf; its messages (stdout and stderr) read line by line."""

    def __init__(self, conf, pidfile):
        self.proc = subprocess.Popen([RSYSLOGD, '-n', '-f', conf, '-i', pidfile], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd='/')
        self.out = Lines(self.proc.stdout)

    def stop(self, what):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail('%s: rsyslogd did not stop within %d s of SIGTERM' % (what, TIMEOUT))
        self.out.wait_for(lambda ls: False, TIMEOUT)      # its last messages, to the end of the pipe
        check_eq('%s: rsyslogd\'s exit status (its messages: %r)' % (what, self.out.text()[-2000:]),
                 0, self.proc.returncode)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def day_index(time_ns):
    return datetime.datetime.fromtimestamp(time_ns // 10**9, datetime.timezone.utc).strftime('ipctrace-%Y.%m.%d')


def iso_ms(time_ns):
    t = datetime.datetime.fromtimestamp(time_ns // 10**9, datetime.timezone.utc)
    return t.strftime('%Y-%m-%dT%H:%M:%S') + '.%03dZ' % (time_ns // 10**6 % 1000)


def check_docs(es, expected, reports):
    check(not es.problems, 'requests that Elasticsearch would refuse: %r' % es.problems[:3])
    host = socket.gethostname().split('.')[0]
    got = []
    for i, (index, doc) in enumerate(es.docs):
        what = 'document %d (%s)' % (i, json.dumps(doc)[:200])
        check_eq('%s: index' % what, day_index(doc.get('time_ns', 0)), index)
        check_eq('%s: host' % what, host, doc.get('host'))
        check_eq('%s: @timestamp' % what, iso_ms(doc['time_ns']), doc.get('@timestamp'))
        got.append({k: v for k, v in doc.items() if k not in ADDED})
    same_events('Elasticsearch\'s documents against ipctrace log -o json', expected, got)
    for name, rep in reports:
        check_pipe_events(got, rep, '%s, in Elasticsearch' % name)

if not os.access(RSYSLOGD, os.X_OK) or not glob.glob('/usr/lib/*/rsyslog/omelasticsearch.so'):
    fail('rsyslogd or its omelasticsearch module is missing (scripts/setup installs rsyslog and '
         'rsyslog-elasticsearch)')

cleanup = []
try:
    gid = ipctrace_group(cleanup)
    tmp = public_tmpdir()
    cleanup.append(lambda: shutil.rmtree(tmp, ignore_errors=True))
    (ipctrace,) = public_copy([IPCTRACE], tmp)
    logs = os.path.join(tmp, 'log')         # /var/log/ipctrace, as LogsDirectory= makes it
    os.mkdir(logs, 0o700)
    shutil.chown(logs, 'nobody', 'nogroup')
    events_file = os.path.join(logs, 'events.json')
    work = os.path.join(tmp, 'work')        # rsyslog's work directory
    os.mkdir(work, 0o700)

    es = Elasticsearch()
    cleanup.append(es.stop)
    d = Daemon()
    cleanup.append(d.cleanup)

    unit = shipped('ipctrace-export.service', ())
    m = re.search(r"^ExecStart=/bin/sh -c '([^']*)'$", unit, re.M)
    check(m, 'ipctrace-export.service: ExecStart= is not a /bin/sh -c \'...\' line')
    script = m.group(1)
    for old, new in (('/usr/bin/ipctrace', ipctrace), ('/var/log/ipctrace/events.json', events_file)):
        check_eq('%r in ipctrace-export.service\'s ExecStart=' % old, 1, script.count(old))
        script = script.replace(old, new)
    exporter = subprocess.Popen(['setpriv', '--reuid=nobody', '--regid=nogroup', '--groups=%d' % gid,
                                 '/bin/sh', '-c', script], env=run_env({'IPCTRACE_SOCKET': d.socket}),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd='/')
    cleanup.append(lambda: exporter.poll() is None and (exporter.kill(), exporter.wait()))
    # Connected: the daemon counts it (and the stats client that asks).
    wait_stats(d.socket, lambda st: st['clients'] == 2, 'ipctrace-export.service\'s command connected')
    passed('the export command runs as nobody in the group ipctrace (gid %d): %s' % (gid, script))

    conf = os.path.join(tmp, 'rsyslog.conf')
    with open(conf, 'w') as f:
        f.write('global(workDirectory="%s")\n' % work)
        f.write(shipped('rsyslog-elasticsearch.conf', (
            ('server="elasticsearch.example.org"', 'server="127.0.0.1"'),
            ('serverport="9200"', 'serverport="%d"' % es.port),
            ('file="/var/log/ipctrace/events.json"', 'file="%s"' % events_file))))
    pidfile = os.path.join(tmp, 'rsyslogd.pid')

    # Elasticsearch down, then up: rsyslog keeps the events and sends them.
    rs = Rsyslogd(conf, pidfile)
    cleanup.append(rs.kill)
    t1 = trace([example('pipe'), '100'], opts=['-s', d.socket])
    rep1 = check_pipe_counts(t1, 'pipe 100')
    check(rs.out.wait_for(lambda ls: any('omelasticsearch' in line and 'suspend' in line for line in ls), TIMEOUT),
          'rsyslogd did not say within %d s that it suspends the Elasticsearch action: %r'
          % (TIMEOUT, rs.out.text()[-2000:]))
    check_eq('documents while Elasticsearch is down', [], es.docs)
    es.start()
    expected = log(d.socket)
    check(len(expected) >= len(t1.events), 'ipctrace log returns %d events, the run streamed %d'
          % (len(expected), len(t1.events)))
    # Short of them after TIMEOUT, check_docs names the first one missing.
    es.wait_docs(len(expected), TIMEOUT)
    rs.stop('Elasticsearch down, then up')
    check_docs(es, expected, (('pipe 100', rep1),))
    passed('Elasticsearch down, then up: it received the %d events of pipe 100, each once, in order'
           % len(expected))

    # rsyslogd stopped while a program runs: started again, it goes on from
    # where it was in the file.
    t2 = trace([example('pipe'), '50'], opts=['-s', d.socket])
    rep2 = check_pipe_counts(t2, 'pipe 50')
    rs = Rsyslogd(conf, pidfile)
    cleanup.append(rs.kill)
    expected = log(d.socket)
    es.wait_docs(len(expected), TIMEOUT)
    check_docs(es, expected, (('pipe 100', rep1), ('pipe 50', rep2)))
    passed('rsyslogd restarted: Elasticsearch received the %d events of both runs, each once, in order'
           % len(expected))

    # The file emptied as logrotate's copytruncate does, rsyslogd running:
    # it reads the new lines from the start. What pipe 10 appends stays
    # shorter than what was there, so that the file's size shows rsyslog
    # the truncation however late it looks.
    size = os.path.getsize(events_file)
    os.truncate(events_file, 0)
    t3 = trace([example('pipe'), '10'], opts=['-s', d.socket])
    rep3 = check_pipe_counts(t3, 'pipe 10')
    expected = log(d.socket)
    es.wait_docs(len(expected), TIMEOUT)
    rs.stop('the file truncated')
    check(os.path.getsize(events_file) < size, 'pipe 10 appended %d bytes, no fewer than the %d truncated'
          % (os.path.getsize(events_file), size))
    check_docs(es, expected, (('pipe 100', rep1), ('pipe 50', rep2), ('pipe 10', rep3)))
    check(exporter.poll() is None, 'the export command ended, status %r' % exporter.returncode)
    passed('the file truncated: Elasticsearch received the %d events of the three runs, each once, in order, in %s'
           % (len(expected), sorted({i for i, _ in es.docs})))
finally:
    for f in reversed(cleanup):
        f()
done()
