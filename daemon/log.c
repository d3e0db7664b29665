// SPDX-License-Identifier: MIT
/*
 * The event log: every event, lifecycle record and loss goes into the
 * journal (lib/journal.c) as it is drained; `log` requests read it back,
 * filtered here, in steps that never let a client's backlog grow past
 * LOG_BACKLOG (a query waits for its client to read, and drops nothing),
 * so that a query over millions of events neither blocks the daemon nor
 * buffers them all; `follow` then feeds the client live.
 *
 * A query for the last N matches (-n) walks back from the journal's end,
 * counting matches, to where the N-th last one lies, and streams forward
 * from there like any query: it costs what the N matches and the records
 * between them cost, not the whole journal, and it holds no events.
 * Handler names need the exec (or fork) that says which program a process
 * runs, which may lie further back: for the processes whose matches name
 * a handler, the walk goes on back until it has found those (or the start
 * of the journal), and sends them first, as context.
 *
 * Each session's start and diagnoses are logged too; `explain` walks back
 * from the end to the session's start, gathering its diagnoses: it reads
 * what was logged since the session began, not the whole journal.
 */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "errmsg.h"
#include "i18n.h"
#include "evfilter.h"
#include "format.h"

#define LOG_BACKLOG (4u << 20)
#define LOG_STEP_BLOCKS 64
#define SYNC_NS 1000000000ull

enum logq_phase {
	LOGQ_BACK,              /* -n: walking back to where the last N matches begin */
	LOGQ_CONTEXT,           /* ... and on back to the execs and forks that name their handlers */
	LOGQ_SEND_CONTEXT,      /* sending those, oldest first */
	LOGQ_FORWARD,           /* sending the matches from cur on */
	LOGQ_LIVE,              /* following: live events only */
	LOGQ_EXPLAIN,           /* explain: walking back to the session's start */
};

struct logq {
	struct ipct_evfilter *f;
	int64_t since, until;
	int64_t limit;                  /* only the last N (-1: all) */
	enum logq_phase phase;
	struct ipct_journal_cursor cur; /* forward from here */
	struct ipct_journal_cursor back; /* walking back from here */
	struct ipct_journal_cursor end; /* the journal's end when the query began: the end of its answer */
	struct ipct_journal_skip skip_back, skip_fwd; /* the blocks the walk back and the scan may pass over */
	uint64_t found;                 /* matches met walking back */
	uint64_t count;                 /* matches sent */
	void *want;                     /* tsearch tree of pids whose handlers need their program */
	size_t nwant;
	void *parts;                    /* ... and of those whose exec kept comes after EXE_PATH records */
	size_t nparts;
	struct ipct_event *ctx;         /* the execs (their EXE_PATH records) and forks that name them, newest first */
	size_t nctx, capctx, sentctx;
	bool follow;
	int64_t realtime_off;           /* the clock offset the reply gave */
	int read_error;                 /* reading the journal failed: the answer ends there */
	struct json_object *losses;
	uint32_t explain;               /* explain: the session */
	struct json_object *diags;      /* ... its diagnoses, newest first */
	struct ipct_jsession start;     /* ... its start, once found (session 0 until then) */
};

/* What opening the journal keeps but cannot read, said once at start. */
static void journal_warn(const char *msg, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "ipctraced: journal: %s\n", msg);
}

int log_open(struct daemon *d, const char *dir, uint64_t max_bytes)
{
	struct ipct_journal_opts o = {
		.dir = dir,
		.max_bytes = max_bytes,
		.segment_bytes = max_bytes / 16 > (64u << 20) ? 64u << 20 : max_bytes / 16,
		.warn = journal_warn,
		/* Its members may read the journal as they may query it. */
		.set_gid = d->group_gid >= 0,
		.gid = (gid_t)d->group_gid,
	};
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
	int r = d->journal ? ipct_journal_add(d->journal, type, rec, len, ts) : 0;

	/* A drain can route a whole run at once: its records go out in blocks of a bounded size. */
	if (r > 0)
		r = ipct_journal_flush(d->journal, realtime_offset_ns());
	if (r < 0)
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

void log_session(struct daemon *d, const struct session *s)
{
	struct ipct_jsession r = { s->id, s->uid, (int64_t)s->start_ns + s->realtime_off };

	log_add(d, IPCT_JREC_SESSION, &r, sizeof(r), s->start_ns);
}

/* A session's JSON (text of len bytes) as one record of that type: a diagnosis or a graph object. */
static void log_json(struct daemon *d, uint16_t type, const struct session *s, const char *text, size_t len)
{
	struct ipct_jdiag *r = text && len <= IPCT_JDIAG_JSON_MAX ? malloc(sizeof(*r) + len) : NULL;

	if (!r) {
		d->journal_errors++;
		return;
	}
	r->session = s->id;
	r->uid = s->uid;
	memcpy(r->json, text, len);
	log_add(d, type, r, (uint16_t)(sizeof(*r) + len), boottime_ns());
	free(r);
}

void log_diag(struct daemon *d, const struct session *s, struct json_object *diag)
{
	struct json_object *hold;
	const char *text;

	if (!d->journal)
		return;
	text = ipct_diag_text(diag, IPCT_JDIAG_JSON_MAX, &hold);
	log_json(d, IPCT_JREC_DIAG, s, text, text ? strlen(text) : 0);
	json_object_put(hold);
}

void log_session_end(struct daemon *d, const struct session *s, struct json_object *entry)
{
	size_t len;
	const char *text = d->journal ? json_object_to_json_string_length(entry, JSON_C_TO_STRING_PLAIN, &len) : NULL;

	if (text)
		log_json(d, IPCT_JREC_SESSION_END, s, text, len);
}

void log_graph(struct daemon *d, const struct session *s, struct json_object *objects)
{
	for (size_t i = 0; d->journal && i < json_object_array_length(objects); i++) {
		size_t len;
		const char *text = json_object_to_json_string_length(json_object_array_get_idx(objects, i),
								     JSON_C_TO_STRING_PLAIN, &len);

		log_json(d, IPCT_JREC_GRAPH_OBJECT, s, text, len);
	}
}

/* Whether c may see events of uid: root and the ipctrace group see all. */
static bool visible(const struct client *c, uint32_t uid)
{
	return c->privileged || uid == c->uid;
}

/* The pid set of a query, in a tsearch tree whose keys are the pids themselves. */
static int pid_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y ? -1 : x > y;
}

static void pid_keep(void *p)
{
	(void)p;
}

static bool pids_del(void **tree, size_t *n, uint32_t pid)
{
	if (!tdelete((void *)(uintptr_t)pid, tree, pid_cmp))
		return false;
	(*n)--;
	return true;
}

static void pids_add(void **tree, size_t *n, uint32_t pid)
{
	void **node;

	if (!pid || tfind((void *)(uintptr_t)pid, tree, pid_cmp))
		return;
	/* Out of memory: that handler shows as an address. */
	node = tsearch((void *)(uintptr_t)pid, tree, pid_cmp);
	*n += node != NULL;
}

static bool want_del(struct logq *q, uint32_t pid)
{
	return pids_del(&q->want, &q->nwant, pid);
}

static void want_add(struct logq *q, uint32_t pid)
{
	pids_add(&q->want, &q->nwant, pid);
}

void log_free(struct daemon *d, struct logq *q)
{
	if (!q)
		return;
	if (q->phase == LOGQ_LIVE && q->follow)
		d->followers--;
	ipct_evfilter_free(q->f);
	tdestroy(q->want, pid_keep);
	tdestroy(q->parts, pid_keep);
	free(q->ctx);
	json_object_put(q->losses);
	json_object_put(q->diags);
	free(q);
}

/*
 * A query of pid= terms reads only the blocks that may hold those pids,
 * and, going forward, those with forks and execs (sent as context) or
 * losses (said at the end).
 */
static void skip_blocks(struct logq *q)
{
	uint32_t pids[16];
	int n = ipct_evfilter_pids(q->f, pids, 16);

	if (n < 0)
		return;
	for (int i = 0; i < n; i++)
		q->skip_back.pids |= ipct_journal_pid_bit(pids[i]);
	q->skip_fwd = q->skip_back;
	q->skip_fwd.types = 1u << IPCT_EV_FORK | 1u << IPCT_EV_EXEC | 1u << IPCT_EV_EXE_PATH;
	q->back.skip = &q->skip_back;
	q->cur.skip = &q->skip_fwd;
}

static int64_t opt_time(struct client *c, struct json_object *req, const char *key, int64_t dflt, bool *ok)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !v)
		return dflt;
	if (!json_object_is_type(v, json_type_int)) {
		*ok = false;
		reply_error(c, N_("log: \"%s\" must be a time in ns since the Unix epoch"), key);
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
		reply_error(c, N_("log: this connection already has a query running"));
		return;
	}
	n = match_terms(c, req, "log", terms);
	if (n < 0)
		return;
	q = calloc(1, sizeof(*q));
	if (!q) {
		reply_error(c, N_("log: out of memory"));
		return;
	}
	q->limit = -1;
	q->since = opt_time(c, req, "since", INT64_MIN, &ok);
	q->until = ok ? opt_time(c, req, "until", INT64_MAX, &ok) : 0;
	if (ok && json_object_object_get_ex(req, "limit", &v) &&
	    (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	     json_object_get_int64(v) > IPCT_LOG_LIMIT_MAX)) {
		reply_error(c, N_("log: \"limit\" must be a number of events from 0 to %d (the most one query returns)"),
			    IPCT_LOG_LIMIT_MAX);
		ok = false;
	} else if (ok && v) {
		q->limit = json_object_get_int64(v);
	}
	if (ok && json_object_object_get_ex(req, "follow", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			reply_error(c, N_("log: \"follow\" must be true or false"));
			ok = false;
		}
		q->follow = json_object_get_boolean(v);
	}
	if (ok && !d->journal && !q->follow) {
		reply_error(c, N_("log: this ipctraced keeps no journal (it was started with --no-journal)"));
		ok = false;
	}
	if (ok) {
		q->f = ipct_evfilter_new(terms, n, err, sizeof(err));
		if (!q->f) {
			reply_match_error(c, "log", err);
			ok = false;
		}
	}
	if (!ok) {
		log_free(d, q);
		return;
	}
	q->losses = json_object_new_array();
	if (d->journal) {
		/* The answer is what was logged when it was asked: it ends here unless it follows. */
		ipct_journal_end(d->journal, &q->end);
		q->back = q->end;
		skip_blocks(q);
		/* -n 0: nothing logged (with -f: only what comes from now on). */
		if (!q->limit)
			q->cur = q->end;
		q->phase = q->limit > 0 ? LOGQ_BACK : LOGQ_FORWARD;
	}
	c->logq = q;
	/*
	 * A socket buffer as large as the query's backlog: the daemon is woken
	 * to send once per megabytes its client has read, not per the default
	 * buffer's 200 KiB (root may go past net.core.wmem_max; best effort).
	 */
	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ LOG_BACKLOG / 2 }, sizeof(int)) < 0)
		setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &(int){ LOG_BACKLOG / 2 }, sizeof(int));
	q->realtime_off = realtime_offset_ns();
	v = json_object_new_object();
	json_object_object_add(v, "realtime_offset_ns", json_object_new_int64(q->realtime_off));
	reply_ok(c, v);
	if (!d->journal)
		log_end_scan(d, c);
}

struct scan_ctx {
	struct client *c;
	struct logq *q;
};

/* {"cmd":"explain","session":S}: answered once the walk back has found the session's start. */
void do_explain(struct daemon *d, struct client *c, struct json_object *req)
{
	struct json_object *v;
	struct logq *q;
	int64_t id;

	if (c->logq) {
		reply_error(c, N_("explain: this connection already has a query running"));
		return;
	}
	if (!json_object_object_get_ex(req, "session", &v) || !json_object_is_type(v, json_type_int) ||
	    (id = json_object_get_int64(v)) < 1 || id > UINT32_MAX) {
		reply_error(c, N_("explain: \"session\" must be a session number (1 or more)"));
		return;
	}
	if (!d->journal) {
		reply_error(c, N_("explain: this ipctraced keeps no journal (it was started with --no-journal)"));
		return;
	}
	q = calloc(1, sizeof(*q));
	if (!q || !(q->diags = json_object_new_array())) {
		free(q);
		reply_error(c, N_("explain: out of memory"));
		return;
	}
	q->explain = (uint32_t)id;
	q->phase = LOGQ_EXPLAIN;
	/* What a request handled before this one in the same turn (a detach) logged counts too. */
	log_flush(d, boottime_ns());
	ipct_journal_end(d->journal, &q->back);
	c->logq = q;
}

/* Newest first: the session's diagnoses until its start. */
static bool on_explain(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx)
{
	struct scan_ctx *sc = ctx;
	struct logq *q = sc->q;

	(void)realtime_ns;
	if (type == IPCT_JREC_DIAG && len > sizeof(struct ipct_jdiag)) {
		const struct ipct_jdiag *r = rec;
		struct json_object *diag;

		if (r->session != q->explain)
			return true;
		diag = ipct_json_parse(r->json, len - sizeof(*r));
		if (diag)
			json_object_array_add(q->diags, diag);
		return true;
	}
	if (type == IPCT_JREC_SESSION && len >= sizeof(struct ipct_jsession) &&
	    ((const struct ipct_jsession *)rec)->session == q->explain) {
		memcpy(&q->start, rec, sizeof(q->start));
		return false;
	}
	return true;
}

/* The answer to explain: the session's diagnoses, oldest first, or why there are none to give. */
static void explain_end(struct daemon *d, struct client *c, int err)
{
	struct logq *q = c->logq;
	struct json_object *r, *diags;
	size_t n = json_object_array_length(q->diags);

	if (err < 0) {
		errno = -err;
		reply_error(c, N_("explain: reading the journal failed: %m"));
	} else if (!q->start.session || !visible(c, q->start.uid)) {
		/* The same words for both: who may not see a session does not learn that it exists. */
		reply_error(c, N_("explain: session %u is not in the journal, or is not yours"), q->explain);
	} else {
		r = json_object_new_object();
		diags = json_object_new_array_ext((int)n);
		for (size_t i = n; i-- > 0;)
			json_object_array_add(diags, json_object_get(json_object_array_get_idx(q->diags, i)));
		json_object_object_add(r, "session", json_object_new_int64(q->explain));
		json_object_object_add(r, "start_ns", json_object_new_int64(q->start.start_ns));
		json_object_object_add(r, "diagnoses", diags);
		reply_ok(c, r);
	}
	log_free(d, q);
	c->logq = NULL;
}

/*
 * The event in a journal record, if it is one its client may see; NULL
 * for another record. Where it lies aligned (a block's events do, unless
 * a record of an odd length precedes them) it is read in place, not
 * copied: most records of a filtered query are passed over. Its time is
 * still the journal's (read_event re-bases it).
 */
static const struct ipct_event *peek_event(const struct scan_ctx *sc, uint16_t type, const void *rec, uint16_t len,
					   struct ipct_event *buf)
{
	const struct ipct_event *e = rec;

	if (type != IPCT_JREC_EVENT || len < sizeof(*e))
		return NULL;
	if ((uintptr_t)rec % _Alignof(struct ipct_event)) {
		memcpy(buf, rec, sizeof(*buf));
		e = buf;
	}
	/* A follower is never sent its own process's events (log_follow says why). */
	if (!visible(sc->c, e->uid) || (sc->q->follow && e->pid == (uint32_t)sc->c->pid))
		return NULL;
	return e;
}

/* A copy of e re-based on the reply's clock offset (events from earlier boots come out right). */
static void rebase(const struct scan_ctx *sc, const struct ipct_event *e, int64_t realtime_ns, struct ipct_event *ev)
{
	*ev = *e;
	ev->ts_ns = (uint64_t)(realtime_ns - sc->q->realtime_off);
}

/* The event in a journal record as its client may see it, re-based; false as peek_event gives NULL. */
static bool read_event(const struct scan_ctx *sc, uint16_t type, const void *rec, uint16_t len,
		       int64_t realtime_ns, struct ipct_event *ev)
{
	const struct ipct_event *e = peek_event(sc, type, rec, len, ev);

	if (e)
		rebase(sc, e, realtime_ns, ev);
	return e != NULL;
}

static void queue_context(struct client *c, const struct ipct_event *e)
{
	struct ipct_event ctx_ev = *e;

	ctx_ev.flags |= IPCT_F_CONTEXT;
	client_queue_event(c, &ctx_ev);
}

static bool on_record(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx)
{
	struct scan_ctx *sc = ctx;
	struct logq *q = sc->q;
	const struct ipct_event *e;
	struct ipct_event buf, ev;
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
	/* Wait for the client to read: this record comes again on the next step. */
	if (ipct_buf_len(&sc->c->out) >= LOG_BACKLOG)
		return false;
	e = peek_event(sc, type, rec, len, &buf);
	if (!e)
		return true;
	match = ipct_evfilter_match(q->f, e);
	if (!match && e->type != IPCT_EV_FORK && e->type != IPCT_EV_EXEC && e->type != IPCT_EV_EXE_PATH)
		return true;
	rebase(sc, e, realtime_ns, &ev);
	/*
	 * Forks and execs (with the EXE_PATH records before them) say which
	 * program each process runs: the client names handlers with them, so it
	 * gets them all (those that are not matches as context).
	 */
	if (!match) {
		queue_context(sc->c, &ev);
		return true;
	}
	client_queue_event(sc->c, &ev);
	q->count++;
	return true;
}

/* Walking back: counts the matches up to the limit, and notes whose handlers need naming. */
static bool on_record_back(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx)
{
	struct scan_ctx *sc = ctx;
	struct logq *q = sc->q;
	const struct ipct_event *e;
	struct ipct_event buf;

	if (realtime_ns < q->since || realtime_ns > q->until || !(e = peek_event(sc, type, rec, len, &buf)) ||
	    !ipct_evfilter_match(q->f, e))
		return true;
	if (ipct_event_names_handler(e))
		want_add(q, e->pid);
	return ++q->found < (uint64_t)q->limit;
}

static void keep_context(struct logq *q, const struct ipct_event *e)
{
	if (q->nctx == q->capctx) {
		size_t cap = q->capctx ? q->capctx * 2 : 16;
		struct ipct_event *n = realloc(q->ctx, cap * sizeof(*n));

		/* Out of memory: that handler shows as an address. */
		if (!n)
			return;
		q->ctx = n;
		q->capctx = cap;
	}
	q->ctx[q->nctx++] = *e;
}

/*
 * Further back: the exec that gave each wanted process its program (and
 * the EXE_PATH records right before it, its thread's last records before
 * it: the first has offset 0), or the fork that gave it its parent's
 * (whose own exec is then wanted). An exit first means the pid was another
 * process's then: nothing to find.
 */
static bool on_context(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx)
{
	struct scan_ctx *sc = ctx;
	struct logq *q = sc->q;
	struct ipct_event ev;

	if (!read_event(sc, type, rec, len, realtime_ns, &ev))
		return true;
	if (ev.type == IPCT_EV_EXE_PATH) {
		if (tfind((void *)(uintptr_t)ev.pid, &q->parts, pid_cmp)) {
			keep_context(q, &ev);
			if (!ev.exe.off)
				pids_del(&q->parts, &q->nparts, ev.pid);
		}
		return q->nwant + q->nparts > 0;
	}
	/* Any other record of the process: no more of its parts (lost). */
	pids_del(&q->parts, &q->nparts, ev.pid);
	if (ev.type == IPCT_EV_EXEC && want_del(q, ev.pid)) {
		keep_context(q, &ev);
		if (ipct_exec_path_partial(ev.proc.path))
			pids_add(&q->parts, &q->nparts, ev.pid);
	} else if (ev.type == IPCT_EV_FORK && want_del(q, ev.proc.child_pid)) {
		keep_context(q, &ev);
		want_add(q, ev.pid);
	} else if (ev.type == IPCT_EV_EXIT) {
		want_del(q, ev.pid);
	}
	return q->nwant + q->nparts > 0;
}

void log_end_scan(struct daemon *d, struct client *c)
{
	struct logq *q = c->logq;
	struct json_object *n = json_object_new_object();

	json_object_object_add(n, "notice", json_object_new_string("log_end"));
	json_object_object_add(n, "count", json_object_new_int64((int64_t)q->count));
	json_object_object_add(n, "losses", json_object_get(q->losses));
	json_object_object_add(n, "following", json_object_new_boolean(q->follow));
	if (q->cur.rotated)
		json_object_object_add(n, "rotated", json_object_new_boolean(true));
	if (q->read_error)
		json_object_object_add(n, "error", json_object_new_string(strerror(-q->read_error)));
	client_queue_json(c, n);
	json_object_put(n);
	q->phase = LOGQ_LIVE;
	if (q->follow) {
		d->followers++;
	} else {
		log_free(d, q);
		c->logq = NULL;
	}
}

/* One step of c's query: a few dozen blocks read, or as much context sent as there is room for. */
static void logq_step(struct daemon *d, struct client *c)
{
	struct logq *q = c->logq;
	struct scan_ctx sc = { c, q };
	int err = 0;

	switch (q->phase) {
	case LOGQ_BACK:
		err = ipct_journal_step_back(d->journal, &q->back, q->since, q->until, LOG_STEP_BLOCKS,
					     on_record_back, &sc);
		if (err < 0 || (!q->back.done && q->found < (uint64_t)q->limit))
			break;
		/* The last N begin here (at the start, when the journal holds fewer). */
		q->cur = q->back;
		q->cur.done = false;
		q->cur.skip = q->back.skip ? &q->skip_fwd : NULL;
		/* The handlers' execs and forks are found in any block. */
		q->back.skip = NULL;
		q->phase = q->nwant && !q->back.done ? LOGQ_CONTEXT : LOGQ_SEND_CONTEXT;
		break;
	case LOGQ_CONTEXT:
		err = ipct_journal_step_back(d->journal, &q->back, INT64_MIN, INT64_MAX, LOG_STEP_BLOCKS,
					     on_context, &sc);
		if (err >= 0 && (q->back.done || !(q->nwant + q->nparts)))
			q->phase = LOGQ_SEND_CONTEXT;
		break;
	case LOGQ_SEND_CONTEXT:
		for (; q->sentctx < q->nctx && ipct_buf_len(&c->out) < LOG_BACKLOG; q->sentctx++)
			queue_context(c, &q->ctx[q->nctx - 1 - q->sentctx]);
		if (q->sentctx == q->nctx)
			q->phase = LOGQ_FORWARD;
		break;
	case LOGQ_FORWARD:
		err = ipct_journal_step(d->journal, &q->cur, q->follow ? NULL : &q->end, q->since, q->until,
					LOG_STEP_BLOCKS, on_record, &sc);
		if (err >= 0 && q->cur.done)
			log_end_scan(d, c);
		break;
	case LOGQ_LIVE:
		break;
	case LOGQ_EXPLAIN:
		err = ipct_journal_step_back(d->journal, &q->back, INT64_MIN, INT64_MAX, LOG_STEP_BLOCKS,
					     on_explain, &sc);
		if (err < 0 || q->back.done || q->start.session)
			explain_end(d, c, err);
		return;
	}
	if (err < 0) {
		q->read_error = err;
		log_end_scan(d, c);
	}
}

bool log_step(struct daemon *d)
{
	bool more = false;

	for (struct client *c = d->clients; c; c = c->next) {
		if (!c->logq || c->logq->phase == LOGQ_LIVE || c->dead)
			continue;
		/* Go on once the client has read what it has. */
		if (ipct_buf_len(&c->out) >= LOG_BACKLOG)
			continue;
		/*
		 * A phase that ends goes straight on to the next (each reads at
		 * most LOG_STEP_BLOCKS): a short answer (-n 10) leaves in the
		 * same flush as the reply, one wake-up of its client.
		 */
		for (;;) {
			enum logq_phase was = c->logq->phase;

			logq_step(d, c);
			if (!c->logq || c->logq->phase == was || c->logq->phase == LOGQ_LIVE ||
			    ipct_buf_len(&c->out) >= LOG_BACKLOG)
				break;
		}
		more |= c->logq && c->logq->phase != LOGQ_LIVE;
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
		if (q && q->phase == LOGQ_LIVE && e->pid != (uint32_t)c->pid && visible(c, e->uid) &&
		    ipct_evfilter_match(q->f, e))
			client_queue_event(c, e);
	}
}
