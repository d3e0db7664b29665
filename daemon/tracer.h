/* SPDX-License-Identifier: MIT */
/* The daemon's handle on the BPF object: load, attach, the traced set, counters. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipctrace/event.h"
#include "counts.h"

struct tracer;

struct tracer_opts {
	uint32_t ring_bytes;            /* ring buffer size, a power of two */
	uint64_t wakeup_bytes;          /* force a wake-up past this much unread data */
	uint32_t traced_max;            /* the traced set's size, 0 for the BPF object's own */
	bool core_reads;                /* the "_core" program forms even where typed reads work */
	int (*on_event)(void *ctx, const struct ipct_event *e);
	void *ctx;
};

struct tracer_counters {
	uint64_t ring_full;             /* records lost: the ring buffer was full */
	uint64_t traced_full;           /* children not traced: the traced map was full */
	uint64_t inflight_full;         /* calls without entry data: no task storage for the thread */
};

/* Opens and loads the BPF object (nothing is attached yet). NULL, errno set. */
struct tracer *tracer_new(const struct tracer_opts *opts);
void tracer_free(struct tracer *t);

/* Attaches every program / detaches them all: -errno. */
int tracer_attach(struct tracer *t);
void tracer_detach(struct tracer *t);
bool tracer_attached(const struct tracer *t);
/* Are the typed forms of the programs loaded (else the "_core" ones)? */
bool tracer_typed_reads(const struct tracer *t);

/*
 * The ring's fd, to watch edge-triggered for forced wake-ups (level-triggered
 * it is ready whenever a record waits); and the drain: events handled or -errno.
 */
int tracer_wake_fd(const struct tracer *t);
int tracer_drain(struct tracer *t);
/*
 * The ring's write position now, and whether the drains have read past
 * it: then every record reserved before the mark has been handled. A
 * drain stops at a record another CPU is still writing, and the records
 * after it wait for the next drain.
 */
uint64_t tracer_ring_mark(const struct tracer *t);
bool tracer_ring_read_past(const struct tracer *t, uint64_t mark);

/*
 * A user held to the per-user limit has sessions: the kernel side counts its
 * traced processes over all of them (struct ipct_uid_procs) and traces at
 * most procs_max (at least 1) at once. The slot to give its sessions
 * (tracer_session_open's uslot), or -ENOSPC; closed after its last session.
 */
int tracer_uid_open(struct tracer *t, uint32_t uid, uint64_t procs_max);
void tracer_uid_close(struct tracer *t, uint32_t uslot);
/*
 * A session starts: the kernel side counts its processes from now on
 * (struct ipct_session_procs), traces at most procs_max of them at once
 * (0: no cap) and, with uslot (0: none), no more than its owner may, and
 * with IPCT_SP_UNPRIV in flags lets none follow a privileged exec. -EBUSY
 * when the session's slot is a live session's (pick another id).
 */
int tracer_session_open(struct tracer *t, uint32_t session, uint32_t flags, uint64_t procs_max, uint32_t uslot);
/* pid's thread group joins session; with from_exec, only from its next exec on. -errno. */
int tracer_trace_pid(struct tracer *t, pid_t pid, uint32_t session, bool from_exec);
/* How many processes of the session the kernel side traces, and how many of its children it could not. */
int64_t tracer_session_procs(struct tracer *t, uint32_t session);
/* The traced set's filter counts, summed: its size, plus entries that replaced a stale one (the BPF side's fork). */
uint64_t tracer_filter_count(const struct tracer *t);
/* What the kernel side could not do for the session (zeros for another's slot). */
struct tracer_session_losses {
	uint64_t untraced;      /* children not traced: the traced set or the session's cap was full */
	uint64_t lost;          /* its records the ring had no room for */
	uint64_t left;          /* processes that left at a privileged exec */
};
void tracer_session_losses(struct tracer *t, uint32_t session, struct tracer_session_losses *out);
/*
 * The session's processes leave the traced set, the n listed ones each by
 * itself; only when the kernel counts more than that (the list came from
 * records, and the ring lost some) is the whole set walked. Its slot
 * stays: what the kernel side still loses or counts of it is counted
 * (a detach, whose records are still to be read).
 */
void tracer_session_untrace(struct tracer *t, uint32_t session, const pid_t *pids, size_t n);
/* The session ends: tracer_session_untrace, and its slot is free. */
void tracer_session_close(struct tracer *t, uint32_t session, const pid_t *pids, size_t n);
/*
 * `run --count` alone: the kernel side counts the session's calls and
 * signals instead of recording them (IPCT_COUNT_KEYS). Before its first
 * process joins. -ENOSPC when every one of the IPCT_COUNT_SLOTS is a live
 * session's (or -errno when its slot could not be zeroed): its events are
 * then records.
 */
int tracer_count_open(struct tracer *t, uint32_t session);
/* After tracer_session_close: what the kernel side counted for the session, added to c; how many in all, or -errno. */
int64_t tracer_count_close(struct tracer *t, uint32_t session, struct ipct_counts *c);
/* pid leaves the traced set if it is still there for session, which has ended. */
void tracer_untrace_stale(struct tracer *t, pid_t pid, uint32_t session);
/*
 * Each traced thread asleep now in a call that may sleep until another
 * process acts (struct ipct_wait), from the kernel side's iterator: 0 or
 * -errno (those read before the error were given).
 */
int tracer_each_waiting(struct tracer *t, void (*fn)(const struct ipct_wait *w, void *ctx), void *ctx);

int tracer_counters(struct tracer *t, struct tracer_counters *c);


/*
 * Every process but the daemon and `client` joins session (system-wide
 * tracing); 0 stops that. client: the process the session streams to
 * (its reads of the stream would feed back into it), 0 for none.
 */
void tracer_set_all(struct tracer *t, uint32_t session, pid_t client);
