/* SPDX-License-Identifier: MIT */
/*
 * Reports to hand out and show: -o html, one self-contained page (the lane
 * picture of --view as SVG, the signal table, the object graph through
 * Graphviz, the diagnoses; cli/html.c), and -o mermaid, a sequence diagram
 * of the signals (cli/mermaid.c).
 *
 * The verbs feed a report what they have: run its events, records,
 * diagnoses and pipe graph from the daemon; log only events, from which the
 * report builds the rest with the daemon's own models (lib/lifecycle.c,
 * lib/graph.c) as the replay does; signals only records; pipes only objects.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "ipctrace/event.h"
#include "ipctrace/sigrec.h"
#include "format.h"

struct report;

/* report_new's flags. */
enum {
	REPORT_OWN_MODELS = 1,  /* records, pipe graph and diagnoses from the events (log) */
};

/* title: what was traced, a heading (the command, the query). NULL on ENOMEM. */
struct report *report_new(const char *title, unsigned flags);
/* report_new titled "ipctrace VERB ARGS..." (a query's matches, run's command). NULL on ENOMEM (said). */
struct report *report_titled(const char *verb, char **args, int n, unsigned flags);
void report_free(struct report *rp);
/* One event of the trace, in ring order. */
void report_event(struct report *rp, const struct ipct_event *e);
void report_record(struct report *rp, const struct ipct_sigrec *r);
/* A diagnosis (docs/diagnoses.md); a reference is taken. */
void report_diag(struct report *rp, struct json_object *d);
/* The pipe graph's objects (docs/pipes.md); a reference is taken. */
void report_objects(struct report *rp, struct json_object *objects);
/* A line under the title: how the command ended, what the trace missed. */
void report_note(struct report *rp, const char *text);
/* The page. fmt gives times (start_ns, realtime_off). -errno (a missing dot is said, not an error). */
int report_html(struct report *rp, const struct ipct_fmt *fmt, struct ipct_buf *out);

/* The records as a Mermaid sequence diagram: one arrow per signal, notes for what happened to it. */
void print_mermaid(const struct ipct_sigrec *recs, size_t n, struct ipct_buf *out);

/* Whether a record's sender is a process (not the kernel acting for nobody) to draw it from. */
bool record_from_process(const struct ipct_sigrec *r);
