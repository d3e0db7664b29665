/* SPDX-License-Identifier: MIT */
/*
 * A trace as a timeline for ui.perfetto.dev and chrome://tracing: the
 * Trace Event Format (JSON, docs/perfetto.md), written as the events come.
 * A track per process and thread, system calls as slices, signals and data
 * as flow arrows, fork, exec and exit as instants, diagnoses as markers.
 * Pure: fed events (and diagnoses), testable by replaying them.
 */
#pragma once

#include <stdint.h>
#include <json-c/json.h>

#include "ipctrace/event.h"
#include "format.h"
#include "proto.h"

struct ipct_pf;

/*
 * f gives the clock offset (a diagnosis's time_ns to CLOCK_BOOTTIME) and
 * the symbols that name handlers (may be NULL), which the caller feeds
 * every event before ipct_pf_event. NULL on ENOMEM.
 */
struct ipct_pf *ipct_pf_new(const struct ipct_fmt *f);
void ipct_pf_free(struct ipct_pf *p);

/* The trace's opening: before anything else. -ENOMEM. */
int ipct_pf_begin(struct ipct_pf *p, struct ipct_buf *out);
/* One event, in ring order: the trace events it makes, if any. -ENOMEM. */
int ipct_pf_event(struct ipct_pf *p, const struct ipct_event *e, struct ipct_buf *out);
/* A diagnosis (docs/diagnoses.md): an instant marker. -ENOMEM. */
int ipct_pf_diag(struct ipct_pf *p, struct json_object *d, struct ipct_buf *out);
/* What is still open (handlers running, signals pending) and the trace's close. -ENOMEM. */
int ipct_pf_end(struct ipct_pf *p, struct ipct_buf *out);
