// SPDX-License-Identifier: MIT
/*
 * Lifecycle records: the correlator (lib/lifecycle.c) hands each finished
 * record here. It goes to the owner of its session, in the same stream as
 * the events (when it asked for records), and into a ring of the latest RECORDS_MAX records that
 * `ipctrace signals` queries.
 *
 * A record whose handler was delivered while the worker was still reading
 * the handler's file (lib/symbols.c, which starts reading when a process
 * installs a handler, ahead of need) is held until the name is known, and
 * so is a diagnosis that names a handler whose file is being read (a
 * handler_race's installer's, lib/diagnose.c), which is built, sent and
 * logged only then; what its session streams after either, records,
 * events and diagnoses, is held behind it, so that the stream keeps its
 * order (a record right after the event that ended its story). The loop
 * never parses, nor waits: it releases them when the worker's results are
 * applied. The daemon serves every user's sessions from that loop, so
 * nothing here blocks it for one of them: a session whose end is due
 * while it holds records finishes its end once they are released
 * (sessions.c, sessions_settle), so that they precede its end notice; its
 * names are waited for NAME_WAIT_S at most, counted from the end (the
 * loop's drains check), and then left out (and counted), never guessed.
 * When HELD_MAX are held, the oldest goes at once without its name
 * (counted), with what its session held behind it up to its next record
 * that waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "daemon.h"
#include "sigrec.h"

#define HELD_MAX 16384
/*
 * Reading a program's symbols takes milliseconds, a second or two for a
 * big one on a loaded machine (a CI guest beside the test suite took more
 * than 2 s): 30 s is past any read that is merely slow, and still bounds
 * what a wedged one (a program on a hung network mount) keeps waiting,
 * `ipctrace run` (which returns at the session's end notice) included.
 */
#define NAME_WAIT_S 30

struct held {
	struct held *next;
	uint32_t session;
	bool is_event;
	struct json_object *json;       /* a diagnosis, held behind the events it explains; else NULL */
	struct ipct_diag_later *later;  /* a diagnosis said once its handler's name is read; else NULL */
	struct ipct_sym_pending *name;  /* a record's or later's handler being read; NULL: held only behind another */
	union {
		struct ipct_sigrec r;
		struct ipct_event e;
	};
};

/* The ring's size, in whole 2 MiB pages. */
#define RING_BYTES ((RECORDS_MAX * sizeof(struct ipct_sigrec) + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1))

/*
 * 15 MiB that the records fill one at a time. In 4 KiB pages that is a
 * page fault every 17 records, and a fault is dear in a VM (about 16 us
 * on the 2-vCPU guest bench/ runs on: 37 ms of daemon CPU for the 20,000
 * records of a signal ping-pong); in 2 MiB pages, where the kernel gives
 * them (transparent huge pages "madvise" or "always"), 8 faults in all.
 * Without them, the advice is ignored and the pages are 4 KiB as before.
 */
static struct ipct_sigrec *ring_new(void)
{
	void *p = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, RING_BYTES, MADV_HUGEPAGE);
	return p;
}

/* Into the ring that `signals` queries. */
static void records_keep(struct records *rs, const struct ipct_sigrec *r)
{
	if (!rs->ring) {
		rs->ring = ring_new();
		if (!rs->ring)
			return;
	}
	rs->ring[rs->next++ % RECORDS_MAX] = *r;
	if (rs->count < RECORDS_MAX)
		rs->count++;
}

static void record_emit(struct daemon *d, struct session *s, const struct ipct_sigrec *r)
{
	if (s && s->owner && s->want_records)
		s->client_lost += !client_queue_record(s->owner, r);
	/* Logged at the time its story ended. */
	log_add(d, IPCT_JREC_SIGREC, r, sizeof(*r),
		r->returned_ns ? r->returned_ns : r->delivered_ns ? r->delivered_ns : r->generated_ns);
	records_keep(&d->records, r);
}

static void event_emit(struct session *s, const struct ipct_event *e)
{
	if (s && s->owner && !s->counts)
		s->client_lost += !client_queue_event(s->owner, e);
}

/* Fills a held record's handler name once read: false while it is still being read. */
static bool named(struct held *h)
{
	const char *name = NULL;

	if (!h->name)
		return true;
	if (!ipct_sym_pending_name(h->name, &name))
		return false;
	/* A diagnosis takes its name when it is said (later_emit). */
	if (name && !h->later) {
		size_t n = strnlen(name, sizeof(h->r.handler_name) - 1);

		memcpy(h->r.handler_name, name, n);
		h->r.handler_name[n] = 0;
	}
	return true;
}

/*
 * A diagnosis that waited for its handler's name: said now, with the name
 * if it was read, else with the handler's address; to its owner and the
 * journal, as pipes_on_diag does.
 */
static void later_emit(struct daemon *d, struct session *s, struct ipct_diag_later *later,
		       const struct ipct_sym_pending *name)
{
	const char *handler = NULL;
	struct json_object *j;

	if (name)
		ipct_sym_pending_name(name, &handler);
	j = ipct_diag_later_json(later, handler);
	ipct_diag_later_free(later);
	if (j && s && s->owner)
		client_queue_json(s->owner, j);
	if (j && s)
		log_diag(d, s, j);
	json_object_put(j);
}

/* Is session in the list? */
static bool among(const uint32_t *sessions, size_t n, uint32_t session)
{
	for (size_t i = 0; i < n; i++)
		if (sessions[i] == session)
			return true;
	return false;
}

/*
 * Sends what is held and can go, in order: of session `only` (every
 * session's when 0), what is not behind a record whose name is still being
 * read, or everything with `force` (those names left out).
 */
static void release(struct daemon *d, uint32_t only, bool force)
{
	struct held **pp = &d->records.held, *h;
	uint32_t waiting[64];
	size_t nwaiting = 0;

	while ((h = *pp)) {
		struct session *s;
		bool known;

		if (only && h->session != only) {
			pp = &h->next;
			continue;
		}
		known = named(h);
		if (among(waiting, nwaiting, h->session) || (!known && !force)) {
			if (!among(waiting, nwaiting, h->session)) {
				/* Too many sessions waiting to tell apart: the rest wait too. */
				if (nwaiting == 64)
					break;
				waiting[nwaiting++] = h->session;
				/*
				 * The one session asked for waits: nothing of it after h
				 * goes, so the walk ends here (a hold when full must not
				 * cost the whole list), and the tail, at or after h, stands.
				 */
				if (only)
					return;
			}
			pp = &h->next;
			continue;
		}
		d->records.unnamed += !known;
		s = session_find(d, h->session);
		if (h->later) {
			later_emit(d, s, h->later, h->name);
		} else if (h->json) {
			if (s && s->owner)
				client_queue_json(s->owner, h->json);
			json_object_put(h->json);
		} else if (h->is_event) {
			event_emit(s, &h->e);
		} else {
			record_emit(d, s, &h->r);
		}
		if (s)
			s->held--;
		ipct_sym_pending_free(d->syms, h->name);
		*pp = h->next;
		d->records.nheld--;
		free(h);
	}
	d->records.held_tail = pp;
	while (*d->records.held_tail)
		d->records.held_tail = &(*d->records.held_tail)->next;
}

/*
 * Full: the oldest held, a record or diagnosis whose name is still being
 * read (what can go went when the names were applied), goes without it;
 * and with it what its session held behind it, up to its next one that
 * waits.
 */
static void give_up_oldest(struct daemon *d)
{
	struct held *h;

	/*
	 * A drain goes through the whole ring before the loop hears from the
	 * worker: what it has read meanwhile may free the hold (a walk of it
	 * only then, not each time it is full).
	 */
	if (ipct_syms_apply(d->syms)) {
		release(d, 0, false);
		if (d->records.nheld < HELD_MAX)
			return;
	}
	h = d->records.held;
	if (!named(h)) {
		ipct_sym_pending_free(d->syms, h->name);
		h->name = NULL;
		d->records.unnamed++;
	}
	release(d, h->session, false);
}

/* Puts h at the end of the held stream; false when nothing of its session is held any more. */
static bool hold(struct daemon *d, struct session *s, struct held *h)
{
	if (d->records.nheld >= HELD_MAX)
		give_up_oldest(d);
	/* Giving up may have let the whole session go: then so does h. */
	if (!h->name && !(s && s->held))
		return false;
	h->next = NULL;
	if (!d->records.held)
		d->records.held_tail = &d->records.held;
	*d->records.held_tail = h;
	d->records.held_tail = &h->next;
	d->records.nheld++;
	if (s)
		s->held++;
	return true;
}

void records_on_record(const struct ipct_sigrec *rec, void *ctx)
{
	struct daemon *d = ctx;
	struct session *s = session_find(d, rec->session);
	uint32_t child = (uint32_t)rec->sifields[0];
	struct ipct_syms_stats st;
	/* On the stack: nearly every record goes at once; one that waits is copied to the heap. */
	struct held now = { 0 }, *h = &now, *later;

	/*
	 * The command's end, told to `ipctrace run`, which reaps it: ipctrace's
	 * own business. Its SIGCHLD is read while the session lives
	 * (sessions_check ends it only past the ring's mark).
	 */
	if (rec->outcome == IPCT_OUTCOME_UNOBSERVED && rec->cause == IPCT_CAUSE_CHILD && s && s->launcher &&
	    rec->target_pid == (uint32_t)s->launcher)
		return;
	ipct_syms_stats(d->syms, &st);
	h->session = rec->session;
	h->r = *rec;
	if (rec->outcome == IPCT_OUTCOME_UNOBSERVED && rec->cause == IPCT_CAUSE_CHILD && s &&
	    ipct_diag_adopted(d->diag, s->id, child, rec->target_pid))
		h->r.flags |= IPCT_SR_ADOPTED;
	/* Who may see it: the session's owner (and root, and the ipctrace group). */
	h->r.uid = s ? s->uid : 0;
	if (rec->action == IPCT_ACT_HANDLER && !rec->handler_name[0] && st.pending)
		h->name = ipct_syms_take_pending(d->syms, rec->delivered_tid, rec->delivered_ns);
	if (h->name || (s && s->held)) {
		later = malloc(sizeof(*later));
		if (later) {
			*later = now;
			if (hold(d, s, later))
				return;
			free(later);
		}
	}
	/* Nothing to wait for (any more, or no memory to wait in): it goes now, named if its name was read. */
	named(h);
	ipct_sym_pending_free(d->syms, h->name);
	record_emit(d, s, &h->r);
}

/* An event behind a held record: it waits for it. */
static __attribute__((noinline)) void hold_event(struct daemon *d, struct session *s, const struct ipct_event *e)
{
	struct held *h = calloc(1, sizeof(*h));

	if (!h)
		return;
	h->session = s->id;
	h->is_event = true;
	h->e = *e;
	if (!hold(d, s, h)) {
		event_emit(s, e);
		free(h);
	}
}

void records_stream_event(struct daemon *d, struct session *s, const struct ipct_event *e)
{
	/* Nearly every event goes at once: no call here but that, so no registers to save. */
	if (!s->held || !s->owner || s->counts)
		event_emit(s, e);
	else
		hold_event(d, s, e);
}

void records_stream_json(struct daemon *d, struct session *s, struct json_object *obj)
{
	struct held *h;

	if (!s->owner)
		return;
	if (!s->held || s->counts) {
		client_queue_json(s->owner, obj);
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return;
	h->session = s->id;
	h->json = json_object_get(obj);
	if (!hold(d, s, h)) {
		client_queue_json(s->owner, obj);
		json_object_put(h->json);
		free(h);
	}
}

void records_hold_diag(struct daemon *d, struct session *s, struct ipct_diag_later *later,
		       struct ipct_sym_pending *name)
{
	struct held *h = calloc(1, sizeof(*h));

	/* It has a name to wait for: held even when nothing else of its session is. */
	if (h) {
		h->session = s->id;
		h->later = later;
		h->name = name;
		if (hold(d, s, h))
			return;
		free(h);
	}
	/* No memory to wait in: said now, named if its name was read. */
	later_emit(d, s, later, name);
	ipct_sym_pending_free(d->syms, name);
}

void records_release(struct daemon *d)
{
	if (d->records.held)
		release(d, 0, false);
}

bool records_flush_session(struct daemon *d, struct session *s, bool quitting)
{
	if (!s->held)
		return true;
	release(d, s->id, false);
	if (!s->held)
		return true;
	if (quitting)
		fprintf(stderr, "ipctraced: quitting before a handler's symbols were read: what waited for its name "
			"(a signal's record, a diagnosis) goes without it\n");
	else if (boottime_ns() - s->end_due_ns >= NAME_WAIT_S * 1000000000ull)
		fprintf(stderr, "ipctraced: a handler's symbols were not read within %d s of session %u's end: "
			"what waited for its name (a signal's record, a diagnosis) goes without it\n", NAME_WAIT_S, s->id);
	else
		return false;
	release(d, s->id, true);
	return true;
}

struct load {
	struct daemon *d;
	uint64_t last_id;
	uint32_t last_session;
};

static bool load_record(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx)
{
	struct load *l = ctx;
	const struct ipct_sigrec *r = rec;
	const struct ipct_event *e = rec;

	(void)realtime_ns;
	if (type == IPCT_JREC_SIGREC && len >= sizeof(*r)) {
		records_keep(&l->d->records, r);
		if (r->id > l->last_id)
			l->last_id = r->id;
		if (r->session > l->last_session)
			l->last_session = r->session;
	} else if (type == IPCT_JREC_EVENT && len >= sizeof(*e) && e->session > l->last_session) {
		l->last_session = e->session;
	} else if (type == IPCT_JREC_SESSION && len >= sizeof(struct ipct_jsession) &&
		   ((const struct ipct_jsession *)rec)->session > l->last_session) {
		l->last_session = ((const struct ipct_jsession *)rec)->session;
	} else if ((type == IPCT_JREC_GRAPH_OBJECT || type == IPCT_JREC_SESSION_END) &&
		   len > sizeof(struct ipct_jdiag)) {
		const struct ipct_jdiag *g = rec;
		struct json_object *o = ipct_json_parse(g->json, len - sizeof(*g));

		/* What a restarted daemon answers `pipes` and `sessions` with of the sessions that ended before. */
		if (o && type == IPCT_JREC_GRAPH_OBJECT)
			pipes_load_object(l->d, g->session, g->uid, o);
		else if (o)
			sessions_keep_ended(l->d, o);
	}
	return true;
}

void records_load(struct daemon *d)
{
	struct load l = { d, 0, 0 };

	if (!d->journal)
		return;
	ipct_journal_scan(d->journal, INT64_MIN, INT64_MAX, load_record, &l);
	/* Sessions and records go on numbering where the log ends: no id means two things. */
	d->next_session = l.last_session;
	ipct_lc_set_last_id(d->lc, l.last_id);
}

size_t records_query(struct daemon *d, struct client *c, const struct ipct_match *m, bool queue)
{
	struct records *rs = &d->records;
	size_t n = 0;

	for (size_t i = rs->next - rs->count; i != rs->next; i++) {
		const struct ipct_sigrec *r = &rs->ring[i % RECORDS_MAX];

		if (!c->privileged && r->uid != c->uid)
			continue;
		if (!ipct_match_eval(m, ipct_sigrec_test, r))
			continue;
		/* A reply, bounded by RECORDS_MAX: never dropped, unlike a stream. */
		if (queue && ipct_msg_append(&c->out, IPCT_MSG_SIGREC, r, sizeof(*r)) < 0)
			c->dead = true;
		n++;
		if (queue)
			client_account(c);
	}
	return n;
}

void records_free(struct daemon *d)
{
	struct records *rs = &d->records;

	while (rs->held) {
		struct held *h = rs->held;

		rs->held = h->next;
		ipct_sym_pending_free(d->syms, h->name);
		json_object_put(h->json);
		ipct_diag_later_free(h->later);
		free(h);
	}
	if (rs->ring)
		munmap(rs->ring, RING_BYTES);
}
