/* SPDX-License-Identifier: MIT */
/*
 * ipctrace run --view: a live picture of a trace for a lecture hall, one
 * lane per process, each signal drawn moving from its sender to its
 * target through generated, pending, delivered and handled, and each
 * pipe, FIFO, socket and queue with the bytes from writer to reader.
 *
 * run.c owns the connection and the event loop; it hands the view every
 * event, every lifecycle record and every diagnosis of the session as they
 * arrive, then calls view_end once the traced tree is gone. cli/replay.c
 * hands it a logged session's events the same way.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "ipctrace/event.h"
#include "ipctrace/sigrec.h"
#include "format.h"

struct view;

/* view_new's flags. */
enum {
	VIEW_STATE_LINES = 1,           /* a state line at each fork and exec (--view-state) */
	VIEW_OWN_DIAGNOSES = 2,         /* draw the diagnoses of the view's own pipe graph (a replay:
					 * live, the daemon's come through view_diag) */
};

/* Draws to fd (a terminal, or a file/pipe); fmt gives start_ns, colour and symbols. NULL on ENOMEM. */
struct view *view_new(int fd, const struct ipct_fmt *fmt, unsigned flags);
void view_event(struct view *v, const struct ipct_event *e);
void view_record(struct view *v, const struct ipct_sigrec *r);
/* A diagnosis from the daemon (docs/diagnoses.md), drawn as its message. */
void view_diag(struct view *v, struct json_object *diag);
/* A state line for every live process: what it holds (a replay's 's' key). */
void view_state(struct view *v);
/* Lines drawn so far. */
uint64_t view_lines(const struct view *v);
/* The traced command ended with wait status `status`; -1: a replayed log ends before it did. */
void view_end(struct view *v, int status);
void view_free(struct view *v);
