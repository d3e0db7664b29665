/* SPDX-License-Identifier: MIT */
/*
 * The diagnosis engine (docs/diagnoses.md): what went wrong, in plain
 * words, as soon as the events make it certain. Fed the raw events in ring
 * order (after the pipe graph, whose descriptor tables it reads) and,
 * a few times a second, where every traced thread sleeps; it keeps what the
 * rules need (children and who waited for them, signal dispositions and
 * handler installs, the processes of each session after they exit) and
 * hands each diagnosis to its callback as a JSON object. Pure: testable by
 * replaying recorded events, without a kernel.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "ipctrace/event.h"
#include "evctx.h"
#include "graph.h"
#include "symbols.h"

struct ipct_diag;

/* A diagnosis, as a JSON object (docs/diagnoses.md); the callee takes no reference. */
typedef void (*ipct_diag_fn)(uint32_t session, struct json_object *diag, void *data);

/* Reads g's descriptor tables; syms (may be NULL) names handlers. NULL on ENOMEM. */
struct ipct_diag *ipct_diag_new(struct ipct_graph *g, struct ipct_syms *syms, ipct_diag_fn emit, void *data);
void ipct_diag_free(struct ipct_diag *dg);

/* A session's start (CLOCK_MONOTONIC) and the clock offset its client was given. */
void ipct_diag_session(struct ipct_diag *dg, uint32_t session, uint64_t start_ns, int64_t realtime_off);

/*
 * A process that is traced from its current state, not from its fork: one
 * attached while running, or held before exec by `ipctrace run` (held: it
 * has no children and will exec). From /proc: its parent and ignored signals.
 */
struct ipct_diag_seed {
	uint32_t pid, ppid, session, uid;
	uint64_t sig_ign;       /* SigIgn: bit sig-1 */
	bool held;
	char comm[IPCT_COMM_LEN + 1];
};
void ipct_diag_seed(struct ipct_diag *dg, const struct ipct_diag_seed *s);

/* One event from the ring, in ring order, after ipct_graph_event. */
void ipct_diag_event(struct ipct_diag *dg, const struct ipct_evctx *cx);

/*
 * Where a traced thread is: asleep in syscall nr (args its first three
 * arguments) without waking since since_ns, or (nr -1) not asleep in a
 * syscall. The daemon's survey lists every thread of the processes it
 * scans; a process is blocked only when all of its threads are.
 */
struct ipct_diag_thread {
	uint32_t pid, tid;
	int nr;
	uint64_t args[3];
	uint64_t since_ns;
};
void ipct_diag_survey(struct ipct_diag *dg, const struct ipct_diag_thread *t, size_t n, uint64_t now_ns);

/*
 * What the daemon's survey gives is where threads were when their calls
 * began (a read of an empty pipe may have its data by now, and its thread
 * be about to return): before a hang is said, fn confirms that each thread
 * it names sleeps in call nr now. Without one (replays), the survey is
 * taken as it is.
 */
void ipct_diag_set_check(struct ipct_diag *dg, bool (*fn)(uint32_t pid, uint32_t tid, int nr, void *data),
			 void *data);

/*
 * A diagnosis that names a handler whose program's file is still being
 * read (lib/symbols.c; handler_race), handed over instead of said, so
 * that nothing waits for the read: the callee holds it until `name` is
 * known (ipct_sym_pending_name), or gives up on it, and then says it
 * (ipct_diag_later_json). The callee owns both, freed with
 * ipct_diag_later_free and ipct_sym_pending_free. Without a callee, such
 * a diagnosis is said at once, with the handler's address.
 */
struct ipct_diag_later;
typedef void (*ipct_diag_later_fn)(uint32_t session, struct ipct_diag_later *later, struct ipct_sym_pending *name,
				   void *data);
/* The callee gets the data given to ipct_diag_new. */
void ipct_diag_set_later(struct ipct_diag *dg, ipct_diag_later_fn fn);
/* The diagnosis, with the handler's name, or its address when name is NULL: a new object, as the emitter's. */
struct json_object *ipct_diag_later_json(struct ipct_diag_later *l, const char *name);
void ipct_diag_later_free(struct ipct_diag_later *l);

/* Time passes (the daemon's drain): diagnoses that waited for the events that follow their cause. */
void ipct_diag_tick(struct ipct_diag *dg, uint64_t now_ns);

/* Events of the session were lost: the rules that rest on something not happening stop. */
void ipct_diag_lost(struct ipct_diag *dg, uint32_t session);

/*
 * A SIGCHLD from child_pid went to target_pid, which is not traced: true
 * when that target adopted the child because its parent, traced, exited
 * first (the target is init or a subreaper, not the child's parent).
 */
bool ipct_diag_adopted(struct ipct_diag *dg, uint32_t session, uint32_t child_pid, uint32_t target_pid);

/* Tracing of the session stopped: what waited is said now, and the session is forgotten. */
void ipct_diag_end_session(struct ipct_diag *dg, uint32_t session);

/*
 * `run --explain`: the diagnoses of a run (JSON objects, in arrival order)
 * grouped by the processes and objects they share, root causes first in
 * each group, groups in the order their first cause happened. A new array
 * of arrays; NULL on ENOMEM.
 */
struct json_object *ipct_diag_explain(struct json_object *diags);

/*
 * d as JSON text of at most max bytes (a journal record's room): when it
 * is longer, that of a copy whose evidence loses entries from its end,
 * newest first, with "evidence_truncated": how many. The text lives until
 * json_object_put(*hold). NULL when even no evidence is too long, or on
 * ENOMEM.
 */
const char *ipct_diag_text(struct json_object *d, size_t max, struct json_object **hold);
