// SPDX-License-Identifier: MIT
/*
 * Per-message queue times (qtime.h): for each key, a FIFO of the times of
 * the sends not yet matched, or of the receives that came before their
 * send (never both: one matches the other as soon as it comes).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "qtime.h"

/* The most unmatched calls a key keeps: beyond it, the oldest are forgotten (a queue held from before the trace). */
#define MAX_PENDING 65536

struct pending {
	int64_t key;
	bool receives;          /* ts holds receives waiting for their send, not sends */
	uint64_t *ts;
	size_t head, n, cap;
};

struct ipct_qtime {
	struct pending *keys;
	size_t nkeys;
	uint64_t queued;
};

struct ipct_qtime *ipct_qtime_new(void)
{
	return calloc(1, sizeof(struct ipct_qtime));
}

void ipct_qtime_free(struct ipct_qtime *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nkeys; i++)
		free(q->keys[i].ts);
	free(q->keys);
	free(q);
}

static struct pending *key_get(struct ipct_qtime *q, int64_t key)
{
	struct pending *k;

	for (size_t i = 0; i < q->nkeys; i++)
		if (q->keys[i].key == key)
			return &q->keys[i];
	k = realloc(q->keys, (q->nkeys + 1) * sizeof(*k));
	if (!k)
		return NULL;
	q->keys = k;
	k = &q->keys[q->nkeys++];
	memset(k, 0, sizeof(*k));
	k->key = key;
	return k;
}

static uint64_t pop(struct pending *k)
{
	uint64_t ts = k->ts[k->head++];

	if (--k->n == 0)
		k->head = 0;
	return ts;
}

/* Keeps one more call; false when the oldest had to make room. */
static bool push(struct pending *k, bool receives, uint64_t ts)
{
	bool full = k->n == MAX_PENDING;

	if (full)
		pop(k);
	k->receives = receives;
	if (k->head + k->n == k->cap) {
		if (k->head) {
			memmove(k->ts, k->ts + k->head, k->n * sizeof(*k->ts));
			k->head = 0;
		} else {
			size_t cap = k->cap ? k->cap * 2 : 16;
			uint64_t *ts = realloc(k->ts, cap * sizeof(*ts));

			if (!ts)
				return !full;
			k->ts = ts;
			k->cap = cap;
		}
	}
	k->ts[k->head + k->n++] = ts;
	return !full;
}

/* One call of a pair: matched with the oldest of the other kind, or kept. */
static int64_t one(struct ipct_qtime *q, int64_t key, uint64_t ts, bool receive)
{
	struct pending *k = key_get(q, key);
	uint64_t sent, taken;

	if (!k)
		return -1;
	if (!k->n || k->receives == receive) {
		if (push(k, receive, ts) && !receive)
			q->queued++;
		return -1;
	}
	if (receive) {
		q->queued--;
		sent = pop(k);
		taken = ts;
	} else {
		sent = ts;
		taken = pop(k);
	}
	return taken > sent ? (int64_t)(taken - sent) : 0;
}

int64_t ipct_qtime_send(struct ipct_qtime *q, int64_t key, uint64_t ts)
{
	return one(q, key, ts, false);
}

int64_t ipct_qtime_recv(struct ipct_qtime *q, int64_t key, uint64_t ts)
{
	return one(q, key, ts, true);
}

int64_t ipct_qtime_recv_highest(struct ipct_qtime *q, uint64_t ts)
{
	struct pending *best = NULL;

	for (size_t i = 0; i < q->nkeys; i++)
		if (q->keys[i].n && !q->keys[i].receives && (!best || q->keys[i].key > best->key))
			best = &q->keys[i];
	return best ? one(q, best->key, ts, true) : -1;
}

uint64_t ipct_qtime_queued(const struct ipct_qtime *q)
{
	return q->queued;
}
