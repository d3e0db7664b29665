// SPDX-License-Identifier: MIT
/*
 * The event log: every event, lifecycle record and loss goes into the
 * journal (lib/journal.c) as it is drained; `log` requests read it back,
 * filtered here, in steps that never let a client's backlog grow past
 * LOG_BACKLOG, so that a query over millions of events neither blocks
 * the daemon nor buffers them all; `follow` then feeds the client live.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "evfilter.h"

#define LOG_BACKLOG (4u << 20)
#define LOG_STEP_BLOCKS 64
#define SYNC_NS 1000000000ull

struct logq {
	struct ipct_evfilter *f;
	int64_t since, until;
	size_t limit;                   /* only the last N (0: all) */
	struct ipct_event *ring;        /* ... kept here until the scan ends */
	size_t ringcap;
	uint64_t count;
	struct ipct_journal_cursor cur;
	bool scanning;
	bool follow;
	int64_t realtime_off;           /* the clock offset the reply gave */
	struct json_object *losses;
};

int log_open(struct daemon *d, const char *dir, uint64_t max_bytes)
{
	struct ipct_journal_opts o = { dir, max_bytes, max_bytes / 16 > (64u << 20) ? 64u << 20 : max_bytes / 16 };
	struct ipct_journal_repair rep;
	int err;

	if (o.segment_bytes < (1u << 20))
		o.segment_bytes = 1u << 20;
	d->journal = ipct_journal_open(&o, &rep, &err);
	if (!d->journal && err == -EBUSY) {
		fprintf(stderr, "ipctraced: the journal in %s is in use by another ipctraced "
			"(use --journal DIR or --no-journal)\n", dir);
		return err;
	}
	if (!d->journal) {
		fprintf(stderr, "ipctraced: cannot open the journal in %s: %s\n", dir, strerror(-err));
		return err;
	}
	d->repair = rep;
	if (rep.bytes_cut)
		fprintf(stderr, "ipctraced: journal: cut %llu bytes of a torn tail from %s (%llu blocks before it kept)\n",
			(unsigned long long)rep.bytes_cut, rep.segment, (unsigned long long)rep.blocks_kept);
	return 0;
}

void log_close(struct daemon *d)
{
	if (d->journal) {
		ipct_journal_flush(d->journal, realtime_offset_ns());
		ipct_journal_sync(d->journal);
	}
	ipct_journal_close(d->journal);
}

void log_add(struct daemon *d, uint16_t type, const void *rec, uint16_t len, uint64_t ts)
{
	if (d->journal && ipct_journal_add(d->journal, type, rec, len, ts) < 0)
		d->journal_errors++;
}

void log_flush(struct daemon *d, uint64_t now)
{
	if (!d->journal)
		return;
	if (ipct_journal_flush(d->journal, realtime_offset_ns()) < 0)
		d->journal_errors++;
	if (now - d->last_sync_ns >= SYNC_NS) {
		d->last_sync_ns = now;
		ipct_journal_sync_background(d->journal);
	}
}

/* Whether c may see events of uid: root and the ipctrace group see all. */
static bool visible(const struct client *c, uint32_t uid)
{
	return c->privileged || uid == c->uid;
}

void log_free(struct logq *q)
{
	if (!q)
		return;
	ipct_evfilter_free(q->f);
	free(q->ring);
	json_object_put(q->losses);
	free(q);
}

static int64_t opt_time(struct client *c, struct json_object *req, const char *key, int64_t dflt, bool *ok)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !v)
		return dflt;
	if (!json_object_is_type(v, json_type_int)) {
		*ok = false;
		reply_error(c, "log: \"%s\" must be a time in ns since the Unix epoch", key);
	}
	return json_object_get_int64(v);
}

void do_log(struct daemon *d, struct client *c, struct json_object *req)
{
	const char *terms[MATCH_TERMS_MAX];
	struct json_object *v;
	struct logq *q;
	char err[1024];
	bool ok = true;
	int n;

	if (c->logq) {
		reply_error(c, "log: this connection already has a query running");
		return;
	}
	n = match_terms(c, req, "log", terms);
	if (n < 0)
		return;
	q = calloc(1, sizeof(*q));
	if (!q) {
		reply_error(c, "log: out of memory");
		return;
	}
	q->since = opt_time(c, req, "since", INT64_MIN, &ok);
	q->until = ok ? opt_time(c, req, "until", INT64_MAX, &ok) : 0;
	if (ok && json_object_object_get_ex(req, "limit", &v) &&
	    (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	     json_object_get_int64(v) > 10000000)) {
		reply_error(c, "log: \"limit\" must be a number of events from 0 to 10000000");
		ok = false;
	} else if (ok && v) {
		q->limit = (size_t)json_object_get_int64(v);
	}
	if (ok && json_object_object_get_ex(req, "follow", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			reply_error(c, "log: \"follow\" must be true or false");
			ok = false;
		}
		q->follow = json_object_get_boolean(v);
	}
	if (ok && !d->journal && !q->follow) {
		reply_error(c, "log: this ipctraced keeps no journal (it was started with --no-journal)");
		ok = false;
	}
	if (ok) {
		q->f = ipct_evfilter_new(terms, n, err, sizeof(err));
		if (!q->f) {
			reply_error(c, "log: %s", err);
			ok = false;
		}
	}
	if (ok && q->limit) {
		q->ringcap = q->limit < 4096 ? q->limit : 4096;
		q->ring = calloc(q->ringcap, sizeof(*q->ring));
		if (!q->ring) {
			reply_error(c, "log: out of memory");
			ok = false;
		}
	}
	if (!ok) {
		log_free(q);
		return;
	}
	q->losses = json_object_new_array();
	q->scanning = d->journal != NULL;
	q->cur.seg = 0;
	c->logq = q;
	q->realtime_off = realtime_offset_ns();
	v = json_object_new_object();
	json_object_object_add(v, "realtime_offset_ns", json_object_new_int64(q->realtime_off));
	reply_ok(c, v);
	if (!q->scanning)
		log_end_scan(c);
}

/* The last `limit` matches: the ring grows as they come, up to the limit. */
static void ring_put(struct logq *q, const struct ipct_event *e)
{
	if (q->count == q->ringcap && q->ringcap < q->limit) {
		size_t cap = q->ringcap * 2 < q->limit ? q->ringcap * 2 : q->limit;
		struct ipct_event *n = realloc(q->ring, cap * sizeof(*n));

		if (n) {
			q->ring = n;
			q->ringcap = cap;
		}
	}
	q->ring[q->count % q->ringcap] = *e;
}

struct scan_ctx {
	struct client *c;
	struct logq *q;
};

static bool on_record(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx)
{
	struct scan_ctx *sc = ctx;
	struct logq *q = sc->q;
	struct ipct_event ev;
	bool match;

	if (realtime_ns < q->since || realtime_ns > q->until)
		return true;
	if (type == IPCT_JREC_LOSS && len >= sizeof(struct ipct_jloss)) {
		const struct ipct_jloss *l = rec;
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "time_ns", json_object_new_int64(realtime_ns));
		json_object_object_add(o, "count", json_object_new_int64((int64_t)l->count));
		json_object_array_add(q->losses, o);
		return true;
	}
	if (type != IPCT_JREC_EVENT || len < sizeof(struct ipct_event))
		return true;
	/* Wait for the client to read: this record comes again on the next step. */
	if (ipct_buf_len(&sc->c->out) >= LOG_BACKLOG)
		return false;
	ev = *(const struct ipct_event *)rec;
	/* A follower is never sent its own process's events (log_follow says why). */
	if (!visible(sc->c, ev.uid) || (q->follow && ev.pid == (uint32_t)sc->c->pid))
		return true;
	/* Re-based on the reply's clock offset: times from earlier boots come out right. */
	ev.ts_ns = (uint64_t)(realtime_ns - q->realtime_off);
	match = ipct_evfilter_match(q->f, &ev);
	/*
	 * Forks and execs say which program each process runs: the client names
	 * handlers with them, so it gets them all (those that are not matches,
	 * or wait in the -n ring, as context).
	 */
	if ((ev.type == IPCT_EV_FORK || ev.type == IPCT_EV_EXEC) && (!match || q->limit)) {
		struct ipct_event ctx_ev = ev;

		ctx_ev.flags |= IPCT_F_CONTEXT;
		client_queue_event(sc->c, &ctx_ev);
	}
	if (!match)
		return true;
	if (q->limit)
		ring_put(q, &ev);
	else
		client_queue_event(sc->c, &ev);
	q->count++;
	return true;
}

void log_end_scan(struct client *c)
{
	struct logq *q = c->logq;
	struct json_object *n = json_object_new_object();
	uint64_t shown = q->limit && q->count > q->ringcap ? q->ringcap : q->count;

	for (uint64_t i = q->count - shown; q->limit && i < q->count; i++)
		client_queue_event(c, &q->ring[i % q->ringcap]);
	json_object_object_add(n, "notice", json_object_new_string("log_end"));
	json_object_object_add(n, "count", json_object_new_int64((int64_t)shown));
	json_object_object_add(n, "losses", json_object_get(q->losses));
	json_object_object_add(n, "following", json_object_new_boolean(q->follow));
	client_queue_json(c, n);
	json_object_put(n);
	q->scanning = false;
	if (!q->follow) {
		log_free(q);
		c->logq = NULL;
	}
}

bool log_step(struct daemon *d)
{
	bool more = false;

	for (struct client *c = d->clients; c; c = c->next) {
		struct logq *q = c->logq;
		struct scan_ctx sc = { c, q };

		if (!q || !q->scanning || c->dead)
			continue;
		/* Go on once the client has read what it has. */
		if (ipct_buf_len(&c->out) >= LOG_BACKLOG)
			continue;
		if (ipct_journal_step(d->journal, &q->cur, q->since, q->until, LOG_STEP_BLOCKS, on_record, &sc) < 0) {
			q->cur.done = true;
			json_object_array_add(q->losses, json_object_new_string("journal read error"));
		}
		if (q->cur.done)
			log_end_scan(c);
		else
			more = true;
	}
	return more;
}

void log_follow(struct daemon *d, const struct ipct_event *e)
{
	for (struct client *c = d->clients; c; c = c->next) {
		struct logq *q = c->logq;

		/*
		 * Under a system-wide trace a follower's reads of what we send are
		 * logged too: sent back to it, they would make more reads, forever.
		 * They are logged, but not followed by itself.
		 */
		if (q && q->follow && !q->scanning && e->pid != (uint32_t)c->pid && visible(c, e->uid) &&
		    ipct_evfilter_match(q->f, e))
			client_queue_event(c, e);
	}
}
