/* SPDX-License-Identifier: MIT */
/*
 * Matches on events (`ipctrace log`): journalctl-style FIELD=VALUE terms
 * over the fields of docs/events.md. `tree=PID` follows fork events as
 * they pass, so the filter has state: feed it events in order.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ipctrace/event.h"
#include "match.h"

struct ipct_evfilter;

extern const struct ipct_match_field ipct_event_fields[];

/* NULL with a message in err (the bad term, the valid fields or values). */
struct ipct_evfilter *ipct_evfilter_new(const char *const *terms, int n, char *err, size_t errlen);
/*
 * The event selection of run, attach and trace (-e): the terms above, and
 * strace-like classes, trace=signal,process,ipc,pipe,socket,queue, of
 * which an event must be in one (docs/events.md, "Selecting events").
 */
struct ipct_evfilter *ipct_evfilter_select(const char *const *exprs, int n, char *err, size_t errlen);
void ipct_evfilter_free(struct ipct_evfilter *f);
bool ipct_evfilter_match(struct ipct_evfilter *f, const struct ipct_event *e);
/*
 * The pids of its pid= terms, one of which every match has: how many
 * (into pids, at most max), or -1 when the filter names no pid (or more
 * than max). A reader passes over what holds none of them.
 */
int ipct_evfilter_pids(const struct ipct_evfilter *f, uint32_t *pids, int max);
