/* SPDX-License-Identifier: MIT */
/* ipctraced's state: clients, trace sessions, and the loop that serves both. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipctrace/sigrec.h"
#include "counts.h"
#include "diagnose.h"
#include "graph.h"
#include "journal.h"
#include "lifecycle.h"
#include "quota.h"
#include "match.h"
#include "proto.h"
#include "symbols.h"
#include "tracer.h"

/* Past this much unsent output a client loses events (and is told so). */
#define CLIENT_OUT_MAX (16u << 20)
/*
 * A drain can take the whole ring at once (the ring fills as it is read):
 * a stream is sent each time this much more has queued, so that the
 * client reads while the daemon drains and the backlog stays small.
 */
#define CLIENT_SEND_AT (64u << 10)

struct client {
	int fd;
	uid_t uid;
	pid_t pid;
	struct ipct_buf in;
	struct ipct_buf out;
	uint64_t lost;          /* events not queued since the last notice */
	bool privileged;        /* root or the ipctrace group: sees every process's events, held to no per-uid limit */
	struct ipct_uid_use *use;       /* its uid's use of the daemon */
	size_t queued;          /* of out's bytes, those counted in use->queued */
	size_t send_at;         /* out's length after the last send while queueing (CLIENT_SEND_AT) */
	uint64_t queued_max;    /* streams drop while use->queued is past this (--uid-queued-mib) */
	struct logq *logq;      /* a log query or follow in progress */
	bool want_out;          /* EPOLLOUT registered */
	bool dead;              /* to be freed at the end of this loop turn */
	struct client *next;
};

struct session {
	uint32_t id;
	pid_t root;
	uid_t uid;
	struct ipct_uid_use *use;       /* counted in its uid's sessions */
	bool unpriv;            /* its owner is held to the limits and the privilege boundary */
	struct client *owner;   /* receives the events */
	void *pids;             /* its processes (tsearch tree), from fork and exit events */
	size_t npids;
	uint64_t events;
	uint64_t client_lost;   /* events and records the owner could not take */
	uint64_t ring_lost_start;
	uint64_t start_ns;
	bool want_records;      /* the owner asked for lifecycle records in its stream */
	bool want_pipes;        /* ... and for the pipe graph when the session ends */
	struct ipct_counts *counts; /* --count: events counted here instead of streamed */
	bool kcount;            /* ... its calls and signals by the kernel side (tracer_count_open): not analysed */
	bool all;               /* system-wide: ends only by detach, its client leaving, or exit */
	pid_t launcher;         /* `ipctrace run`, the traced command's parent; 0 for attach and trace */
	bool background;
	int64_t realtime_off;   /* the clock offset its client was given: one for all its times */
	bool check_end;         /* a process exited, or records were lost: ask the kernel side's count */
	pid_t *notifying;       /* exited, but their exit signal (sent after the exit event) not seen yet */
	size_t nnotifying;
	bool exits_marked;      /* its processes have all exited (the kernel's count): exits_mark is set */
	uint64_t exits_mark;    /* the ring's write position then: their exits' records are before it */
	bool end_marked;        /* ... and, those read, all have told their parents: end_mark is set */
	uint64_t end_mark;      /* the ring's write position then: their exit signals' records are before it */
	bool detaching;         /* a detach took its processes out of the traced set: it ends past detach_mark */
	uint64_t detach_mark;   /* the ring's write position then: what they did before the detach is before it */
	struct client *detacher; /* who asked, told after the owner's notice; NULL once it has gone */
	size_t held;            /* its records held for a handler's name (records.c) */
	/* Its end is due but waits for those names (session_end, sessions_settle): */
	const char *end_reason; /* why it ends; NULL while it lives */
	uint64_t end_due_ns;    /* since when (the bound on the wait, records.c) */
	struct tracer_session_losses end_losses; /* read before its kernel-side slot went */
	struct json_object *end_left; /* the processes it left running, for its owner's notice */
	char comm[IPCT_COMM_LEN]; /* its first process's command name (after its exec, for run) */
	struct session *next;
};

/* The ended sessions `ipctrace sessions` still lists: the latest, in memory only. */
#define ENDED_MAX 64

/* The latest lifecycle records, for `ipctrace signals`. */
#define RECORDS_MAX 65536

struct records {
	struct ipct_sigrec *ring;       /* allocated with the first record */
	size_t next;                    /* records ever stored */
	size_t count;                   /* ... of which the ring holds the latest */
	struct held *held, **held_tail; /* waiting for a handler's name (records.c) */
	size_t nheld;
	uint64_t unnamed;               /* handlers left unnamed: too many held, or a file read too slowly */
};

/* The pipe graphs of ended sessions, for `ipctrace pipes`. */
#define GRAPHS_MAX 64

struct graph_store {
	uint32_t session;
	uid_t uid;
	struct json_object *objects;
};

/* What a trace request asks for. */
struct trace_opts {
	bool from_exec;         /* record nothing before the process's next exec */
	bool records;           /* stream lifecycle records */
	bool pipes;             /* send the pipe graph at the end */
	bool all;               /* every process (system-wide) */
	bool background;        /* outlives the client that asked: logged only */
	bool count;             /* stream no events: their counts come with session_end */
	bool count_only;        /* ... and nothing else: no records, pipe graph nor diagnoses (counted in the kernel) */
};

struct daemon {
	int epfd;
	int listen_fd;
	int sig_fd;
	const char *socket_path;
	struct tracer *tracer;
	struct client *clients;
	size_t followers;       /* clients following the log live: an event walks the clients only then */
	struct session *sessions;
	struct json_object *ended[ENDED_MAX];   /* ended sessions' entries, a ring */
	size_t ended_next;
	uint32_t next_session;
	uint64_t events;        /* every record drained */
	uint64_t ring_lost;     /* latest sum of the per-CPU ring-full counters */
	uint64_t last_close_ns; /* when a session last left the traced set */
	uint32_t last_stale_pid; /* the last process taken out for a session that had ended */
	struct ipct_syms *syms;         /* handler names, for the correlator */
	struct ipct_lc *lc;             /* the signal correlator */
	struct records records;
	struct ipct_graph *graph;       /* descriptor tables and pipe graphs of live sessions */
	struct ipct_diag *diag;         /* the diagnosis engine, which reads the graph */
	struct graph_store graphs[GRAPHS_MAX];
	struct ipct_wait *asleep;       /* threads asleep in a call when attached (pipes.c) */
	size_t nasleep;
	bool survey_failed;             /* the last survey could not read the kernel's sleepers (said once) */
	size_t graphs_next;
	uint64_t last_blocked_scan_ns;
	uint64_t blocked_scan_every_ns;  /* BLOCKED_SCAN_NS, or more when the survey is long (pipes.c) */
	struct ipct_journal *journal;   /* NULL with --no-journal */
	struct ipct_journal_repair repair;      /* what opening it cut */
	uint64_t journal_errors;
	uint64_t last_sync_ns;
	long group_gid;                 /* the ipctrace group, -1 if there is none */
	struct ipct_limits limits;      /* what each user may hold (lib/quota.h) */
	struct ipct_usage usage;        /* ... and what each holds */
	uint32_t users_max;             /* connections all users may hold together: RLIMIT_NOFILE - reserve */
	int backoff_fd;                 /* timerfd: accept failed for want of descriptors or memory */
	unsigned backoff_ms;            /* the next pause: 100 ms, doubled up to 1 s, reset by an accept */
	uint64_t accept_pauses;
	struct ipct_counts counts;      /* events drained, by type */
	struct { int64_t time_ns; uint64_t count; } losses[16]; /* the latest losses */
	size_t nlosses;
	/* --metrics-file: a node_exporter textfile, rewritten every metrics_every_s seconds (metrics.c) */
	const char *metrics_path;
	unsigned metrics_every_s;
	int metrics_timer;              /* timerfd; -1 without --metrics-file */
	bool metrics_failing;           /* the last write failed: said once, until one works again */
	bool quit;
};

/* clients.c */
void reply_ok(struct client *c, struct json_object *r);
/* The stats reply (docs/protocol.md) as client c may see it. */
struct json_object *stats_json(struct daemon *d, struct client *c);
void reply_error(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The error reply to a bad match: it says so ("bad_match"), for the client's exit status. */
void reply_match_error(struct client *c, const char *cmd, const char *err);
/* A query's "match" list of FIELD=VALUE strings into terms: how many, or -1 after an error reply. */
#define MATCH_TERMS_MAX 64
int match_terms(struct client *c, struct json_object *req, const char *cmd, const char *terms[MATCH_TERMS_MAX]);
/* Accepts one connection (one over its user's limit is told so and closed): 0, or -errno of accept. */
int client_accept(struct daemon *d);
/* Counts the client's unsent output in its uid's (after the output buffer changed). */
void client_account(struct client *c);
void client_on_input(struct daemon *d, struct client *c);
void client_flush(struct daemon *d, struct client *c);
/* Streamed frames: false when dropped (the client is past CLIENT_OUT_MAX, or its uid past
 * --uid-queued-mib; it hears of it by a "lost" notice). */
bool client_queue_event(struct client *c, const struct ipct_event *e);
void client_queue_json(struct client *c, struct json_object *obj);
bool client_queue_record(struct client *c, const struct ipct_sigrec *r);
void clients_reap(struct daemon *d);

/* metrics.c */
/* Starts the timer of --metrics-file (d->metrics_path) and writes the file once. -errno. */
int metrics_open(struct daemon *d);
/* Rewrites the file, atomically; on a timer's tick it reads the timer first. */
void metrics_write(struct daemon *d);
void metrics_close(struct daemon *d);

/* sessions.c */
/* The processes that uid's sessions trace now. */
uint64_t sessions_uid_procs(struct daemon *d, uid_t uid);
int session_start(struct daemon *d, struct client *owner, const pid_t *pids, size_t n,
		  const struct trace_opts *o, struct session **out);
/*
 * Ends s: at once, or, while it holds records waiting for handler names,
 * all but its last steps (which sessions_settle takes): then it is
 * "ending", out of the traced set, and ending it again does nothing.
 */
void session_end(struct daemon *d, struct session *s, const char *reason);
/*
 * A detach: s's processes leave the traced set now, and it ends
 * "detached" once the drains have read past the ring's write position
 * then (sessions_check): a drain stops at a record another CPU is still
 * writing, which may be of a call made before the detach. requester (NULL:
 * none) gets its reply after the owner's session_end notice.
 */
void session_detach(struct daemon *d, struct session *s, struct client *requester);
/* Ending or detaching: out of the traced set, its end on the way (`detach` no longer finds it). */
bool session_stopped(const struct session *s);
/* Finishes the ends that waited, once their records went (quitting: now, their names left out). */
void sessions_settle(struct daemon *d, bool quitting);
/* The live session with that id, or NULL. */
struct session *session_find(struct daemon *d, uint32_t id);
void sessions_drop_client(struct daemon *d, struct client *c);
int sessions_on_event(void *ctx, const struct ipct_event *e);
void sessions_check(struct daemon *d);
/* The sessions c may see (all for a privileged client, else its uid's), live then ended: docs/protocol.md. */
struct json_object *sessions_list(struct daemon *d, struct client *c);
/* An ended session's entry (taken), read back from the journal at start, oldest first. */
void sessions_keep_ended(struct daemon *d, struct json_object *entry);
void sessions_free(struct daemon *d);

/* CLOCK_BOOTTIME now: the clock of event times (the kernel side's bpf_ktime_get_boot_ns). */
uint64_t boottime_ns(void);
/* CLOCK_REALTIME - CLOCK_BOOTTIME now: what turns event times into wall-clock times. */
int64_t realtime_offset_ns(void);

/* records.c */
void records_on_record(const struct ipct_sigrec *r, void *ctx);
/* A session's event to its owner: now, or held behind a record that waits for a handler's name. */
void records_stream_event(struct daemon *d, struct session *s, const struct ipct_event *e);
/* A diagnosis to its owner the same way: behind the events held before it, which it explains. */
void records_stream_json(struct daemon *d, struct session *s, struct json_object *obj);
/*
 * A diagnosis that waits for its handler's name (lib/diagnose.h), in the
 * same stream: said, and logged, when its name is known, or at the bound
 * as records are; what its session streams after it waits behind it.
 * Takes later and name.
 */
void records_hold_diag(struct daemon *d, struct session *s, struct ipct_diag_later *later,
		       struct ipct_sym_pending *name);
/* Sends the held records and diagnoses whose handlers' names are known now (after ipct_syms_apply). */
void records_release(struct daemon *d);
/*
 * At and after the session's end (s->end_due_ns): its held records whose
 * names are known go out; all of them, their names left out, once the
 * wait is past its bound (NAME_WAIT_S, records.c) or the daemon is
 * quitting. Never waits: true when none is left held.
 */
bool records_flush_session(struct daemon *d, struct session *s, bool quitting);
/* The records c may see that match m; queued to c as SIGREC frames when `queue`. */
size_t records_query(struct daemon *d, struct client *c, const struct ipct_match *m, bool queue);
void records_free(struct daemon *d);
/* The latest records of the journal, after a restart. */
void records_load(struct daemon *d);

/* log.c */
struct logq;
int log_open(struct daemon *d, const char *dir, uint64_t max_bytes);
void log_close(struct daemon *d);
/* Into the journal's current block; written by log_flush (after each drain). */
void log_add(struct daemon *d, uint16_t type, const void *rec, uint16_t len, uint64_t ts);
void log_flush(struct daemon *d, uint64_t now);
void do_log(struct daemon *d, struct client *c, struct json_object *req);
/* A session's start and its diagnoses, logged for `explain`. */
void log_session(struct daemon *d, const struct session *s);
void log_diag(struct daemon *d, const struct session *s, struct json_object *diag);
/* An ended session's entry in the sessions list, for `sessions` after a restart (records_load). */
void log_session_end(struct daemon *d, const struct session *s, struct json_object *entry);
/* An ended session's pipe graph, one record per object, for `pipes` after a restart (records_load). */
void log_graph(struct daemon *d, const struct session *s, struct json_object *objects);
/* {"cmd":"explain","session":S}: the session's logged diagnoses (docs/protocol.md). */
void do_explain(struct daemon *d, struct client *c, struct json_object *req);
/* Advances the log queries whose clients have room; true while some have more to do. */
bool log_step(struct daemon *d);
void log_end_scan(struct daemon *d, struct client *c);
/* A drained event, to the clients following the log. */
void log_follow(struct daemon *d, const struct ipct_event *e);
void log_free(struct daemon *d, struct logq *q);

/* pipes.c */
/* A diagnosis (the graph's or the engine's), to the session's client and the journal. */
void pipes_on_diag(uint32_t session, struct json_object *diag, void *ctx);
/* One that waits for its handler's name (lib/diagnose.h, ipct_diag_later_fn): held in the session's stream. */
void pipes_on_diag_later(uint32_t session, struct ipct_diag_later *later, struct ipct_sym_pending *name, void *ctx);
/* pid's open pipes, FIFOs and sockets, from /proc, as the start of its descriptor table
 * (from_exec: without those that its exec will close). */
void pipes_seed(struct daemon *d, pid_t pid, uint32_t session, bool from_exec);
/* A process attached while it runs: a `stdio` event of its descriptors 0-2 now, from /proc. */
void pipes_stdio(struct daemon *d, pid_t pid, uint32_t session);
/* After each drain: the diagnosis engine's clock, its losses, and a few times a second where every traced thread sleeps. */
/* The diagnosis engine confirms a hang's threads asleep (in /proc) before it says it. */
void pipes_check_init(struct daemon *d);
void pipes_scan_blocked(struct daemon *d, uint64_t now);
void pipes_session_end(struct daemon *d, struct session *s);
/* Keeps an ended session's graph (taken) for queries: the latest GRAPHS_MAX sessions. */
void pipes_keep(struct daemon *d, uint32_t session, uid_t uid, struct json_object *objects);
/* An object of an ended session's graph, read back from the journal at start, in the order logged. */
void pipes_load_object(struct daemon *d, uint32_t session, uid_t uid, struct json_object *object);
struct json_object *pipes_query(struct daemon *d, struct client *c, const struct ipct_match *m);
void pipes_free(struct daemon *d);
