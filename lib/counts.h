/* SPDX-License-Identifier: MIT */
/* Events counted by type (`ipctrace run --count`, `ipctrace stats`). */
#pragma once

#include <stdint.h>
#include <json-c/json.h>

#include "ipctrace/event.h"

struct ipct_counts {
	uint64_t by_syscall[IPCT_NR_MAX];
	uint64_t by_type[IPCT_EV_TYPE_MAX];
};

static inline void ipct_counts_add(struct ipct_counts *c, const struct ipct_event *e)
{
	if (e->type == IPCT_EV_SYSCALL && e->nr < IPCT_NR_MAX)
		c->by_syscall[e->nr]++;
	else if (e->type < IPCT_EV_TYPE_MAX)
		c->by_type[e->type]++;
}

static inline void ipct_counts_merge(struct ipct_counts *c, const struct ipct_counts *more)
{
	for (int nr = 0; nr < IPCT_NR_MAX; nr++)
		c->by_syscall[nr] += more->by_syscall[nr];
	for (int t = 0; t < IPCT_EV_TYPE_MAX; t++)
		c->by_type[t] += more->by_type[t];
}

/* {"write": N, "signal_generate": N, ...}: the event type names of docs/events.md, nonzero only. */
struct json_object *ipct_counts_json(const struct ipct_counts *c);
