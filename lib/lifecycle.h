/* SPDX-License-Identifier: MIT */
/*
 * The signal correlator: fed the raw events in ring order, it follows
 * every signal instance from generation through pending to delivery and
 * the handler's return (or the process's death), and hands out one
 * lifecycle record (struct ipct_sigrec) per instance when its story ends.
 */
#pragma once

#include <stdint.h>

#include "ipctrace/event.h"
#include "ipctrace/sigrec.h"
#include "evctx.h"
#include "symbols.h"

struct ipct_lc;

/* Why the kernel (SI_KERNEL) raised sig: the terminal (SIGINT, SIGTSTP, ...), a timer, or another reason. */
enum ipct_sig_cause ipct_sig_kernel_cause(int sig);

typedef void (*ipct_lc_emit_fn)(const struct ipct_sigrec *r, void *data);

/* syms names handlers; the caller feeds it every event before ipct_lc_event. NULL on ENOMEM. */
struct ipct_lc *ipct_lc_new(struct ipct_syms *syms, ipct_lc_emit_fn emit, void *data);
void ipct_lc_free(struct ipct_lc *lc);

/* An event that ipct_lc_event does not pass at once. */
void ipct_lc_other(struct ipct_lc *lc, const struct ipct_event *e);

/*
 * One event from the ring, in ring order. A read or write that succeeded
 * (most events) is in no signal's story unless it read a signalfd: passed
 * here, with no call.
 */
static inline void ipct_lc_event(struct ipct_lc *lc, const struct ipct_evctx *cx)
{
	if (!cx->io || cx->e->kind[0] == IPCT_KIND_SIGNALFD)
		ipct_lc_other(lc, cx->e);
}

/* pid is traced in session (a process attached while running; fork and exec are followed without this). */
void ipct_lc_track(struct ipct_lc *lc, uint32_t pid, uint32_t session);

/* Tracing of session stopped: what is still pending will never be seen delivered. */
void ipct_lc_end_session(struct ipct_lc *lc, uint32_t session, uint64_t now_ns);

/* Record ids go on from id + 1 (ids stay unique across a daemon's restarts). */
void ipct_lc_set_last_id(struct ipct_lc *lc, uint64_t id);

/* Processes the correlator follows (for the daemon's stats and tests). */
unsigned int ipct_lc_nprocs(const struct ipct_lc *lc);
