// SPDX-License-Identifier: MIT
/*
 * Lifecycle records: the correlator (lib/lifecycle.c) hands each finished
 * record here. It goes to the owner of its session, in the same stream as
 * the events (when it asked for records), and into a ring of the latest RECORDS_MAX records that
 * `ipctrace signals` queries.
 */
#include <stdlib.h>

#include "daemon.h"
#include "sigrec.h"

/* Into the ring that `signals` queries. */
static void records_keep(struct records *rs, const struct ipct_sigrec *r)
{
	if (!rs->ring) {
		rs->ring = calloc(RECORDS_MAX, sizeof(*rs->ring));
		if (!rs->ring)
			return;
	}
	rs->ring[rs->next++ % RECORDS_MAX] = *r;
	if (rs->count < RECORDS_MAX)
		rs->count++;
}

void records_on_record(const struct ipct_sigrec *rec, void *ctx)
{
	struct daemon *d = ctx;
	struct session *s = session_find(d, rec->session);
	struct ipct_sigrec r = *rec;
	uint32_t child = (uint32_t)r.sifields[0];

	if (r.outcome == IPCT_OUTCOME_UNOBSERVED && r.cause == IPCT_CAUSE_CHILD && s) {
		/* The command's end, told to `ipctrace run`, which reaps it: ipctrace's own business. */
		if (s->launcher && r.target_pid == (uint32_t)s->launcher)
			return;
		if (ipct_diag_adopted(d->diag, s->id, child, r.target_pid))
			r.flags |= IPCT_SR_ADOPTED;
	}
	/* Who may see it: the session's owner (and root, and the ipctrace group). */
	r.uid = s ? s->uid : 0;
	if (s && s->owner && s->want_records)
		client_queue_record(s->owner, &r);
	/* Logged at the time its story ended. */
	log_add(d, IPCT_JREC_SIGREC, &r, sizeof(r),
		r.returned_ns ? r.returned_ns : r.delivered_ns ? r.delivered_ns : r.generated_ns);
	records_keep(&d->records, &r);
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
		if (queue)
			client_queue_record(c, r);
		n++;
	}
	return n;
}

void records_free(struct records *rs)
{
	free(rs->ring);
}
