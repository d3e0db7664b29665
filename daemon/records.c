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

static struct session *session_of(struct daemon *d, uint32_t id)
{
	for (struct session *s = d->sessions; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

void records_on_record(const struct ipct_sigrec *r, void *ctx)
{
	struct daemon *d = ctx;
	struct records *rs = &d->records;
	struct session *s = session_of(d, r->session);
	size_t slot;

	if (s && s->owner && s->want_records)
		client_queue_record(s->owner, r);
	/* Logged at the time its story ended. */
	log_add(d, IPCT_JREC_SIGREC, r, sizeof(*r),
		r->returned_ns ? r->returned_ns : r->delivered_ns ? r->delivered_ns : r->generated_ns);
	if (!rs->ring) {
		rs->ring = calloc(RECORDS_MAX, sizeof(*rs->ring));
		rs->uids = calloc(RECORDS_MAX, sizeof(*rs->uids));
		if (!rs->ring || !rs->uids) {
			free(rs->ring);
			free(rs->uids);
			rs->ring = NULL;
			rs->uids = NULL;
			return;
		}
	}
	slot = rs->next++ % RECORDS_MAX;
	rs->ring[slot] = *r;
	/* Who may see it: the session's owner (and root). */
	rs->uids[slot] = s ? s->uid : 0;
	if (rs->count < RECORDS_MAX)
		rs->count++;
}

size_t records_query(struct daemon *d, struct client *c, const struct ipct_match *m, bool queue)
{
	struct records *rs = &d->records;
	size_t n = 0;

	for (size_t i = rs->next - rs->count; i != rs->next; i++) {
		const struct ipct_sigrec *r = &rs->ring[i % RECORDS_MAX];

		if (!c->privileged && rs->uids[i % RECORDS_MAX] != c->uid)
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
	free(rs->uids);
}
