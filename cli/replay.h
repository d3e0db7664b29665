/* SPDX-License-Identifier: MIT */
/*
 * ipctrace log --view: a logged session drawn by the live view's renderer,
 * at once, one step per key press (--step), or in slowed real time
 * (--speed F). log.c runs the query and hands over each event it gets.
 */
#pragma once

#include <stdbool.h>

#include "ipctrace/event.h"
#include "format.h"

struct replay_opts {
	bool view, step;
	double speed;           /* 0: all at once */
};

/* log's options that are the replay's (long only): --view, --step, --speed F. */
#define REPLAY_OPTIONS \
	{ "view", no_argument, NULL, 'V' }, \
	{ "step", no_argument, NULL, 'T' }, \
	{ "speed", required_argument, NULL, 'F' }

/* 1 when c was one of those (taken into o), 0 when it is not, -1 for a bad value (said why). */
int replay_option(struct replay_opts *o, int c, const char *arg);

struct replay;

struct replay *replay_new(const struct replay_opts *o);
/* Keeps a copy of e; -ENOMEM. */
int replay_add(struct replay *r, const struct ipct_event *e);
/* Draws what was added to stdout; keys come from stdin. The exit status: 0, or 1 on failure. */
int replay_play(struct replay *r, struct ipct_fmt *fmt);
void replay_free(struct replay *r);
