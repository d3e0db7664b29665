/* SPDX-License-Identifier: MIT */
/*
 * ipctrace run --view: a live picture of a trace for a lecture hall, one
 * lane per process, each signal drawn moving from its sender to its
 * target through generated, pending, delivered and handled.
 *
 * run.c owns the connection and the event loop; it hands the view every
 * event and every lifecycle record of the session as they arrive, then
 * calls view_end once the traced tree is gone.
 */
#pragma once

#include <stdbool.h>

#include "ipctrace/event.h"
#include "ipctrace/sigrec.h"
#include "format.h"

struct view;

/* Draws to fd (a terminal, or a file/pipe); fmt gives start_ns, colour and symbols. NULL on ENOMEM. */
struct view *view_new(int fd, const struct ipct_fmt *fmt);
void view_event(struct view *v, const struct ipct_event *e);
void view_record(struct view *v, const struct ipct_sigrec *r);
/* The traced command ended with wait status `status`. */
void view_end(struct view *v, int status);
void view_free(struct view *v);
