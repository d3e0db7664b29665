// SPDX-License-Identifier: MIT
/*
 * The diagnosis engine (docs/diagnoses.md).
 *
 * Every process of a session has a record that outlives it until the
 * session ends: its parent and children, its program (the file it exec'd,
 * inherited at fork), its signal dispositions as far as the events tell
 * them, when it exited and who reaped it. Each rule is one function that
 * reads those records (and the pipe graph's descriptor tables) when its
 * evidence arrives, and says something only when it is certain, or words
 * it as a possibility:
 *
 *   deadlock      the survey: blocked processes that wait only for each other
 *   not_waited    a parent's exit: children it left as zombies
 *   kill_failed   a kill-family call that failed with ESRCH, EPERM or EINVAL
 *   handler_race  a death by the default action of a signal the program handles
 *   bad_fd        a call that failed with EBADF: what its descriptor was then
 *
 * The graph's own diagnoses (no_eof, leaked_write_end, write_after_close)
 * stay in lib/graph.c; the survey decides when a blocked reader is worth
 * its no_eof (when it holds the write end itself, or every writer is stuck),
 * and reports it as the deadlock when the reader is part of one.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "diagnose.h"
#include "format.h"
#include "i18n.h"
#include "names.h"
#include "syscalls.h"

#define NBUCKETS 1024
/* A session with more processes than this has the rest untracked (and its absence-based rules off). */
#define MAX_PROCS 32768
#define MAX_INSTALLS 4096
/* A thread asleep this long in the same call is blocked (deadlock, no_eof). */
#define BLOCKED_NS 1000000000ull
/*
 * A parent's exit_notify() hands its zombies to their new parent (a SIGCHLD
 * each), then tells its own parent (its own SIGCHLD): that last one says the
 * handover is over. Without it (an exit signal other than SIGCHLD), this long.
 */
#define HANDOVER_NS 2000000000ull
/* A blocked call's providers beyond this many: too many to be certain of. */
#define MAX_PROVIDERS 16
#define MAX_CALLS 4
/* Diagnoses said once (kill_failed: sender, target, errno; bad_fd: pid, fd, the close that explains it). */
#define MAX_SAID_KEYS 128

enum reap { REAP_NONE, REAP_WAIT, REAP_AUTO, REAP_ADOPTED, REAP_UNKNOWN };

/* A signal a process sent whose default action would end its target. */
struct fatal {
	int sig;
	uint32_t sender;
	char sender_comm[IPCT_COMM_LEN + 1];
	uint64_t ts;
};

/* What one thread of a blocked process waits in, and for whom. */
struct bcall {
	int nr;
	uint32_t tid;
	enum { W_READ, W_WRITE, W_WAIT, W_SEM } what;
	int fd;                         /* -1: a System V queue or semaphore set, which has none */
	struct ipct_graph_obj obj;      /* W_READ, W_WRITE (a pipe, socket or queue), W_SEM (a semaphore set) */
	int64_t wait_pid;               /* W_WAIT: as passed (-1 any child) */
	uint64_t since;
	bool certain;                   /* the providers are all known */
	uint32_t providers[MAX_PROVIDERS];
	int nproviders;
	struct { uint32_t pid; int fd; } ends[MAX_PROVIDERS]; /* W_READ, W_WRITE: who holds the other end */
	int nends;
};

struct dproc {
	uint32_t pid, session, ppid, uid;
	char comm[IPCT_COMM_LEN + 1];
	char exe[IPCT_PATH_LEN + 1];
	bool live;
	bool children_known;            /* every child it has was forked in the trace */
	bool chld_known;                /* its SIGCHLD disposition (SIG_IGN, SA_NOCLDWAIT) is known */
	bool nocldwait;
	bool wait_unknown;              /* it reaped a child the events do not name */
	uint64_t ign, handled, dfl;     /* bit sig-1: SIG_IGN; a handler; set to SIG_DFL by itself */
	uint64_t fork_ns;               /* 0 when it was not forked in the trace */
	uint64_t start_ns;              /* its fork or its latest exec */
	uint64_t first_call_ns;         /* when it entered its first traced syscall since start_ns */
	struct fatal fatal;
	/* its end */
	uint64_t exit_ns;
	int status;
	enum reap reap;
	uint64_t reaped_ns;
	uint32_t reaper;
	char reaper_comm[IPCT_COMM_LEN + 1];
	const char *reap_call;          /* REAP_WAIT: "wait4" or "waitid" */
	uint32_t adopter;               /* who got it when its parent exited */
	char adopter_comm[IPCT_COMM_LEN + 1];
	bool orphaned;                  /* its parent exited while it ran */
	bool notified;                  /* its exit_notify() told its parent: its zombies are handed over */
	/* children, in fork order */
	struct dproc **kids;
	size_t nkids, capkids;
	struct seen *seen;              /* during a survey: what it found */
	bool reported;                  /* its deadlock was said (until it is seen awake) */
	struct dproc *hnext;            /* pid hash chain */
};

/* What a survey found of one process. */
struct seen {
	struct dproc *p;
	int nthreads, nasleep;          /* threads seen, those asleep in a call the rules know */
	bool long_asleep;               /* ... every one of them for BLOCKED_NS */
	bool in_set;                    /* stuck for good */
	struct bcall calls[MAX_CALLS];
	int ncalls;
};

/* A handler installed: the evidence that a program handles a signal. */
struct install {
	uint32_t pid, ppid;
	int sig;
	uint64_t ts;
	uint64_t addr;                  /* the handler's address */
	struct ipct_sym_pending *name;  /* its name, while the installer's file is being read */
	char handler[80];               /* its name, once known (install_name) */
	char comm[IPCT_COMM_LEN + 1];
	char exe[IPCT_PATH_LEN + 1];
};

/* A parent that exited leaving zombies, until the SIGCHLDs that hand them over are in. */
struct pending {
	struct dproc *parent;
	uint64_t ts;
	struct pending *next;
};

struct dsession {
	uint32_t id;
	uint64_t start_ns;
	int64_t realtime_off;
	bool lost;                      /* events were lost */
	bool full;                      /* more than MAX_PROCS processes */
	struct dproc **procs;           /* every process it had, for freeing */
	size_t nprocs, capprocs;
	struct install *installs;
	size_t ninstalls, capinstalls;
	struct pending *pending;
	struct { const char *kind; uint32_t pid; int64_t a, b; } said[MAX_SAID_KEYS];
	size_t nsaid;
	struct dsession *next;
};

/*
 * Who can wake a read or write on an object, as one survey found it: many
 * threads asleep on one pipe (readers of a shared pipe) walk its holders
 * once, not once each.
 */
struct ends_memo {
	uint32_t session;
	uint64_t ino;                   /* 0: a free slot */
	unsigned want;
	struct bcall c;
};

struct ipct_diag {
	struct ipct_graph *graph;
	struct ipct_syms *syms;
	ipct_diag_fn emit;
	void *data;
	struct dsession *sessions;
	struct dproc *procs[NBUCKETS];
	struct ends_memo *memo;         /* during a survey: open addressing, memo_cap slots */
	size_t memo_cap;
	bool (*check)(uint32_t pid, uint32_t tid, int nr, void *data);
	void *check_data;
	ipct_diag_later_fn later;
};

/*
 * What a handler_race diagnosis says, as copies: said at once, or later,
 * once its handler's name is read (struct ipct_diag_later), when the
 * session's records may have changed or gone.
 */
struct race {
	uint32_t session;
	uint64_t start_ns;
	int64_t realtime_off;
	int sig;
	bool by_parent;
	struct dproc v;                 /* the killed process: its fields, none of its links */
	struct install in;              /* the install that shows its program handles sig; handler "": its address */
	char parent_comm[IPCT_COMM_LEN + 1]; /* v's parent, when it forked v in the trace; else "" */
};

struct ipct_diag_later {
	struct race r;
};

/*
 * The handler's name, into in->handler once known: the installer's file may
 * still be being read when it installs (lib/symbols.c reads it off the
 * daemon's loop from that call on), so it is asked for again when a
 * diagnosis needs it. False while that file is being read (in->name holds
 * the name to come); true once the name is known, or never will be.
 */
static bool install_name(struct ipct_diag *dg, struct install *in)
{
	const char *name = NULL;
	bool known = true;

	if (in->handler[0] || !dg->syms)
		return true;
	if (!in->name) {
		name = ipct_syms_resolve(dg->syms, in->pid, in->addr);
		/* Not read yet: held, so that it can be had even after the installer exits. */
		if (!name)
			in->name = ipct_syms_hold(dg->syms, in->pid, in->addr);
	}
	if (in->name)
		known = ipct_sym_pending_name(in->name, &name);
	if (name)
		snprintf(in->handler, sizeof(in->handler), "%s", name);
	return known;
}

struct ipct_diag *ipct_diag_new(struct ipct_graph *g, struct ipct_syms *syms, ipct_diag_fn emit, void *data)
{
	struct ipct_diag *dg = calloc(1, sizeof(*dg));

	if (!dg)
		return NULL;
	dg->graph = g;
	dg->syms = syms;
	dg->emit = emit;
	dg->data = data;
	return dg;
}

void ipct_diag_set_later(struct ipct_diag *dg, ipct_diag_later_fn fn)
{
	dg->later = fn;
}

static void session_free(struct ipct_diag *dg, struct dsession *s)
{
	for (size_t i = 0; i < s->ninstalls; i++)
		if (dg->syms)
			ipct_sym_pending_free(dg->syms, s->installs[i].name);
	for (size_t i = 0; i < s->nprocs; i++) {
		free(s->procs[i]->kids);
		free(s->procs[i]);
	}
	while (s->pending) {
		struct pending *p = s->pending;

		s->pending = p->next;
		free(p);
	}
	free(s->procs);
	free(s->installs);
	free(s);
}

void ipct_diag_free(struct ipct_diag *dg)
{
	if (!dg)
		return;
	while (dg->sessions) {
		struct dsession *s = dg->sessions;

		dg->sessions = s->next;
		session_free(dg, s);
	}
	free(dg);
}

/* ---- sessions and processes ---- */

static struct dsession *session_find(struct ipct_diag *dg, uint32_t id)
{
	for (struct dsession *s = dg->sessions; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

static struct dsession *session_get(struct ipct_diag *dg, uint32_t id)
{
	struct dsession *s = session_find(dg, id);

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->id = id;
	s->next = dg->sessions;
	dg->sessions = s;
	return s;
}

void ipct_diag_session(struct ipct_diag *dg, uint32_t session, uint64_t start_ns, int64_t realtime_off)
{
	struct dsession *s = session_get(dg, session);

	if (s) {
		s->start_ns = start_ns;
		s->realtime_off = realtime_off;
	}
}

void ipct_diag_lost(struct ipct_diag *dg, uint32_t session)
{
	struct dsession *s = session_find(dg, session);

	if (s)
		s->lost = true;
}

static struct dproc *proc_find(struct ipct_diag *dg, uint32_t session, uint32_t pid)
{
	struct dproc *p = dg->procs[pid % NBUCKETS];

	while (p && (p->pid != pid || p->session != session))
		p = p->hnext;
	return p;
}

static void proc_unhash(struct ipct_diag *dg, struct dproc *p)
{
	struct dproc **pp = &dg->procs[p->pid % NBUCKETS];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
}

static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *a;

	if (n < *cap)
		return true;
	a = realloc(*arr, (*cap ? *cap * 2 : 16) * size);
	if (!a)
		return false;
	*arr = a;
	*cap = *cap ? *cap * 2 : 16;
	return true;
}

/*
 * A new record for pid in session. A pid used again replaces the old
 * record in the hash; the old one lives on (its parent's children, the
 * session's list) until the session ends.
 */
static struct dproc *proc_new(struct ipct_diag *dg, uint32_t session, uint32_t pid, const char *comm)
{
	struct dsession *s = session_find(dg, session);
	struct dproc *p, *old;

	if (!s || s->full)
		return NULL;
	if (s->nprocs >= MAX_PROCS) {
		s->full = true;
		return NULL;
	}
	if (!grow((void **)&s->procs, &s->capprocs, s->nprocs, sizeof(*s->procs)) || !(p = calloc(1, sizeof(*p))))
		return NULL;
	old = proc_find(dg, session, pid);
	if (old)
		proc_unhash(dg, old);
	p->pid = pid;
	p->session = session;
	p->live = true;
	snprintf(p->comm, sizeof(p->comm), "%.*s", IPCT_COMM_LEN, comm);
	s->procs[s->nprocs++] = p;
	p->hnext = dg->procs[pid % NBUCKETS];
	dg->procs[pid % NBUCKETS] = p;
	return p;
}

static void add_kid(struct dproc *parent, struct dproc *kid)
{
	if (grow((void **)&parent->kids, &parent->capkids, parent->nkids, sizeof(*parent->kids)))
		parent->kids[parent->nkids++] = kid;
	else
		parent->children_known = false;
}

void ipct_diag_seed(struct ipct_diag *dg, const struct ipct_diag_seed *sd)
{
	struct dproc *p = proc_new(dg, sd->session, sd->pid, sd->comm);

	if (!p)
		return;
	p->ppid = sd->ppid;
	p->uid = sd->uid;
	p->ign = sd->sig_ign;
	/* Held before exec, it has no children yet; its exec clears SA_NOCLDWAIT, which /proc does not show. */
	p->children_known = sd->held;
}

/* ---- words ---- */

/* "1.23 s", "45.6 ms", "120 us": a duration. */
static const char *dur(char *buf, size_t len, uint64_t ns)
{
	if (ns >= 1000000000ull)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.0f us", ns / 1e3);
	return buf;
}

/* "0.512 s": a time as `ipctrace run` counts it, from the start of the trace. */
static const char *at(char *buf, size_t len, const struct dsession *s, uint64_t ns)
{
	snprintf(buf, len, "%.3f s", s->start_ns && ns >= s->start_ns ? (ns - s->start_ns) / 1e9 : ns / 1e9);
	return buf;
}

static const char *sig_str(int sig)
{
	return ipct_sig_name(sig) ?: "a signal";
}

/* How a process ended, as ipct_wait_status_str says it, a clause translated with the message. */
static const char *status_str(char *buf, size_t len, int status)
{
	const char *sig = ipct_sig_name(WIFSIGNALED(status) ? WTERMSIG(status) : WSTOPSIG(status)) ?: "signal";

	if (WIFEXITED(status))
		return ipct_sub(buf, len, "exited %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return ipct_sub(buf, len, WCOREDUMP(status) ? N_("killed by %s (core dumped)") : N_("killed by %s"), sig);
	if (WIFSTOPPED(status))
		return ipct_sub(buf, len, "stopped by %s", sig);
	if (WIFCONTINUED(status))
		return ipct_sub(buf, len, "continued");
	return ipct_sub(buf, len, "status 0x%x", status);
}

static void obj_str(char *buf, size_t len, const struct ipct_graph_obj *o)
{
	if (o->kind == IPCT_KIND_MQUEUE && o->path)
		snprintf(buf, len, "mqueue:%s", o->path);
	else if (o->kind == IPCT_KIND_MQUEUE || o->kind == IPCT_KIND_MSGQ || o->kind == IPCT_KIND_SEM)
		ipct_object_name(o->kind, o->ino, buf, len);
	else if (o->kind == IPCT_KIND_SHM && o->path && !strncmp(o->path, "/sem.", 5))
		snprintf(buf, len, "sem:/%s", o->path + 5);
	else if (o->kind == IPCT_KIND_SHM && o->path)
		snprintf(buf, len, "shm:%s", o->path);
	else
		snprintf(buf, len, "%s:[%" PRIu64 "]", o->kind == IPCT_KIND_SOCKET ? "socket" : "pipe", o->ino);
}

/* ---- diagnoses as JSON (docs/diagnoses.md) ---- */

static struct json_object *jtime(const struct dsession *s, uint64_t ns)
{
	return json_object_new_int64((int64_t)ns + s->realtime_off);
}

/* A diagnosis with every common field; the rule fills in what applies. */
static struct json_object *diag_new(const struct dsession *s, const char *kind, uint64_t ts, const struct dproc *p)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "type", json_object_new_string("diagnosis"));
	json_object_object_add(d, "kind", json_object_new_string(kind));
	json_object_object_add(d, "session", json_object_new_int64(s->id));
	json_object_object_add(d, "time_ns", jtime(s, ts));
	json_object_object_add(d, "pid", p ? json_object_new_int64(p->pid) : NULL);
	json_object_object_add(d, "comm", p ? json_object_new_string(p->comm) : NULL);
	json_object_object_add(d, "fd", NULL);
	json_object_object_add(d, "object", NULL);
	json_object_object_add(d, "processes", json_object_new_array());
	json_object_object_add(d, "objects", json_object_new_array());
	json_object_object_add(d, "evidence", json_object_new_array());
	return d;
}

static struct json_object *member(struct json_object *d, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(d, key, &v);
	return v;
}

/* A process the diagnosis is about, with its role; returns the entry for more fields. */
static struct json_object *add_proc(struct json_object *d, uint32_t pid, const char *comm, const char *role)
{
	struct json_object *arr = member(d, "processes"), *j;

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		j = json_object_array_get_idx(arr, i);
		if (json_object_get_int64(member(j, "pid")) == pid)
			return j;
	}
	j = json_object_new_object();
	json_object_object_add(j, "pid", json_object_new_int64(pid));
	json_object_object_add(j, "comm", json_object_new_string(comm));
	json_object_object_add(j, "role", json_object_new_string(role));
	json_object_array_add(arr, j);
	return j;
}

static void add_object(struct json_object *d, const struct ipct_graph_obj *o)
{
	struct json_object *arr = member(d, "objects");
	char name[48];

	obj_str(name, sizeof(name), o);
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), name))
			return;
	json_object_array_add(arr, json_object_new_string(name));
}

/* An event the diagnosis rests on: when, the process that made it, which event, and what it says. */
static void __attribute__((format(printf, 7, 8)))
evidence(struct json_object *d, const struct dsession *s, uint64_t ts, uint32_t pid, const char *comm,
	 const char *event, const char *fmt, ...)
{
	struct json_object *j = json_object_new_object();
	struct ipct_text detail = { .len = 0 };
	va_list ap;

	va_start(ap, fmt);
	ipct_vsay(&detail, fmt, ap);
	va_end(ap);
	json_object_object_add(j, "time_ns", jtime(s, ts));
	json_object_object_add(j, "pid", json_object_new_int64(pid));
	json_object_object_add(j, "comm", json_object_new_string(comm));
	json_object_object_add(j, "event", json_object_new_string(event));
	json_object_object_add(j, "detail", json_object_new_string(detail.buf));
	json_object_object_add(j, "detail_parts", ipct_text_parts(&detail));
	json_object_array_add(member(d, "evidence"), j);
}

static int by_time(const void *a, const void *b)
{
	int64_t x = json_object_get_int64(member(*(struct json_object *const *)a, "time_ns"));
	int64_t y = json_object_get_int64(member(*(struct json_object *const *)b, "time_ns"));

	return x < y ? -1 : x > y;
}

/* The diagnosis as said: its message, and its evidence oldest first. */
static void finish(struct json_object *d, const struct ipct_text *msg)
{
	json_object_array_sort(member(d, "evidence"), by_time);
	json_object_object_add(d, "message", json_object_new_string(msg->buf));
	json_object_object_add(d, "message_parts", ipct_text_parts(msg));
}

static void emit(struct ipct_diag *dg, const struct dsession *s, struct json_object *d, const struct ipct_text *msg)
{
	finish(d, msg);
	if (dg->emit)
		dg->emit(s->id, d, dg->data);
	json_object_put(d);
}

/* ---- not_waited: children left as zombies ---- */

static bool zombie(const struct dproc *kid)
{
	return !kid->live && (kid->reap == REAP_NONE || kid->reap == REAP_ADOPTED);
}

/* Whether a parent's zombies are all handed over, so that their new parent can be named. */
static bool handed_over(const struct dproc *parent)
{
	for (size_t i = 0; i < parent->nkids; i++)
		if (zombie(parent->kids[i]) && parent->kids[i]->reap != REAP_ADOPTED)
			return false;
	return true;
}

static void say_not_waited(struct ipct_diag *dg, struct dsession *s, struct dproc *p)
{
	struct json_object *d = diag_new(s, "not_waited", p->exit_ns, p), *kids = json_object_new_array();
	struct ipct_text msg = { .len = 0 };
	char t1[32], t2[32], st[64];
	size_t n = 0, shown = 0;
	const struct dproc *adopter = NULL;

	for (size_t i = 0; i < p->nkids; i++)
		n += zombie(p->kids[i]);
	add_proc(d, p->pid, p->comm, "parent");
	ipct_say(&msg, "%s[%u] never waited for %zu of its children: when it exited at %s, ", p->comm, p->pid, n,
	    at(t1, sizeof(t1), s, p->exit_ns));
	for (size_t i = 0; i < p->nkids; i++) {
		struct dproc *k = p->kids[i];
		struct json_object *j;

		if (!zombie(k))
			continue;
		if (k->reap == REAP_ADOPTED)
			adopter = k;
		j = add_proc(d, k->pid, k->comm, "child");
		json_object_object_add(j, "exited_ns", jtime(s, k->exit_ns));
		ipct_wait_status_str(k->status, st, sizeof(st));
		json_object_object_add(j, "status", json_object_new_string(st));
		status_str(st, sizeof(st), k->status);
		json_object_object_add(j, "zombie_ns", json_object_new_int64((int64_t)(p->exit_ns - k->exit_ns)));
		json_object_object_add(j, "adopted_by", k->reap == REAP_ADOPTED ? json_object_new_int64(k->adopter)
										 : NULL);
		json_object_array_add(kids, json_object_get(j));
		evidence(d, s, k->exit_ns, k->pid, k->comm, "exit", "%s", st);
		if (shown++ < 8)
			ipct_say(&msg, "%s%s[%u] (%s at %s) had been a zombie for %s", shown > 1 ? ", " : "", k->comm,
			    k->pid, st, at(t1, sizeof(t1), s, k->exit_ns),
			    dur(t2, sizeof(t2), p->exit_ns - k->exit_ns));
	}
	if (shown > 8)
		ipct_say(&msg, " and %zu more", shown - 8);
	evidence(d, s, p->exit_ns, p->pid, p->comm, "exit", "%s, without waiting for them", status_str(st, sizeof(st), p->status));
	if (adopter) {
		ipct_say(&msg, n > 1 ? N_("; the kernel then handed them to %s[%u], which reaped them")
			       : N_("; the kernel then handed it to %s[%u], which reaped it"),
		    adopter->adopter_comm, adopter->adopter);
		evidence(d, s, adopter->reaped_ns, p->pid, p->comm, "signal_generate", "SIGCHLD for %s[%u] to %s[%u], its new parent",
			 adopter->comm, adopter->pid, adopter->adopter_comm, adopter->adopter);
	} else {
		ipct_say(&msg, n > 1 ? N_("; the kernel then handed them to init (or the nearest subreaper), which "
					  "reaped them")
			       : N_("; the kernel then handed it to init (or the nearest subreaper), which reaped it"));
	}
	ipct_say(&msg, ". A finished child stays a zombie until its parent collects it: call wait() or waitpid() "
		  "for every child you fork (or set SIGCHLD to SIG_IGN if their status never matters)");
	json_object_object_add(d, "children", kids);
	emit(dg, s, d, &msg);
}

static void flush_pending(struct ipct_diag *dg, struct dsession *s, bool all, uint64_t now)
{
	struct pending **pp = &s->pending;

	while (*pp) {
		struct pending *p = *pp;

		if (all || p->parent->notified || handed_over(p->parent) || now - p->ts >= HANDOVER_NS) {
			*pp = p->next;
			say_not_waited(dg, s, p->parent);
			free(p);
		} else {
			pp = &p->next;
		}
	}
}

/* A parent's exit: the children it never collected wait for their handover, then are said. */
static void rule_not_waited(struct dsession *s, struct dproc *p)
{
	struct pending *pend;
	bool any = false;

	/* Killed, it may have meant to wait later; exit() without waiting is the mistake. */
	if (s->lost || s->full || p->wait_unknown || !WIFEXITED(p->status))
		return;
	for (size_t i = 0; i < p->nkids; i++)
		any |= zombie(p->kids[i]);
	if (!any || !(pend = calloc(1, sizeof(*pend))))
		return;
	pend->parent = p;
	pend->ts = p->exit_ns;
	pend->next = s->pending;
	s->pending = pend;
}

void ipct_diag_tick(struct ipct_diag *dg, uint64_t now_ns)
{
	for (struct dsession *s = dg->sessions; s; s = s->next)
		flush_pending(dg, s, false, now_ns);
}

/* ---- kill_failed ---- */

/* Who reaped p, and when, as a clause: "reaped at 0.5 s by sh[10] (wait4)". */
static void say_reaped(struct ipct_text *msg, const struct dsession *s, const struct dproc *p)
{
	char t[32];

	switch (p->reap) {
	case REAP_WAIT:
		ipct_say(msg, " and was reaped at %s by %s[%u], which waited for it", at(t, sizeof(t), s, p->reaped_ns),
		    p->reaper_comm, p->reaper);
		break;
	case REAP_AUTO:
		ipct_say(msg, "; its parent ignores SIGCHLD, so the kernel reaped it at once");
		break;
	case REAP_ADOPTED:
		ipct_say(msg, "; its parent exited at %s without waiting for it, and %s[%u], which adopted it, reaped it",
		    at(t, sizeof(t), s, p->reaped_ns), p->adopter_comm, p->adopter);
		break;
	default:
		if (p->orphaned)
			ipct_say(msg, "; its parent had exited, so %s adopted it and reaped it",
			    p->adopter ? p->adopter_comm : IPCT_W("init"));
		else
			ipct_say(msg, " and was reaped since");
	}
}

/* Whether a diagnosis of this kind was said already for pid and (a, b); notes it when not. */
static bool said(struct dsession *s, const char *kind, uint32_t pid, int64_t a, int64_t b)
{
	for (size_t i = 0; i < s->nsaid; i++)
		if (!strcmp(s->said[i].kind, kind) && s->said[i].pid == pid && s->said[i].a == a && s->said[i].b == b)
			return true;
	if (s->nsaid < MAX_SAID_KEYS) {
		s->said[s->nsaid].kind = kind;
		s->said[s->nsaid].pid = pid;
		s->said[s->nsaid].a = a;
		s->said[s->nsaid++].b = b;
	}
	return false;
}

/* ESRCH: what the pid was, if the trace knew it. */
static void esrch(struct dsession *s, struct json_object *d, struct ipct_text *msg, int64_t pid, const struct dproc *t,
		  bool tid)
{
	char t1[32], st[64];

	if (pid < -1 && !tid) {
		ipct_say(msg, "a negative pid names a process group, and there is no group %" PRId64 ". To signal the "
			 "process %" PRId64 ", pass %" PRId64, -pid, -pid, -pid);
		return;
	}
	if (pid <= 0) {
		ipct_say(msg, "there was no process it may signal");
		return;
	}
	if (!t) {
		ipct_say(msg, "no process of this trace ever had %s %" PRId64 " (a wrong number, one from an earlier "
			 "run, or a process outside the trace that has ended)", tid ? IPCT_W("thread id") : IPCT_W("pid"), pid);
		return;
	}
	add_proc(d, t->pid, t->comm, "target");
	if (t->live) {
		/* tkill/tgkill naming a thread that is not (or no longer) there. */
		ipct_say(msg, "%s[%u] has no thread %" PRId64, t->comm, t->pid, pid);
		return;
	}
	evidence(d, s, t->exit_ns, t->pid, t->comm, "exit", "%s", status_str(st, sizeof(st), t->status));
	if (t->reap == REAP_WAIT)
		evidence(d, s, t->reaped_ns, t->reaper, t->reaper_comm, t->reap_call, "it collected %s[%u]", t->comm,
			 t->pid);
	ipct_say(msg, tid ? N_("thread %" PRId64 " was %s[%u], which exited at %s (%s)")
			  : N_("pid %" PRId64 " was %s[%u], which exited at %s (%s)"), pid, t->comm, t->pid,
	    at(t1, sizeof(t1), s, t->exit_ns), st);
	say_reaped(msg, s, t);
	ipct_say(msg, ". Once a process is reaped its pid names nothing (and may soon name another process): do not "
		 "signal a child after waiting for it");
}

static void rule_kill_failed(struct ipct_diag *dg, struct dsession *s, struct dproc *p, const struct ipct_event *e,
			     const char *call)
{
	const struct ipct_sys *sy = &e->sys;
	bool tg = !strcmp(call, "tgkill") || !strcmp(call, "rt_tgsigqueueinfo");
	bool tk = !strcmp(call, "tkill"), pidfd = !strcmp(call, "pidfd_send_signal");
	int err = (int)-sy->ret, sig = (int)sy->args[tg ? 2 : 1];
	int64_t pid = (int)sy->args[0], tid = tg ? (int)sy->args[1] : pid;
	const struct dproc *t = pidfd || pid <= 0 ? NULL : proc_find(dg, s->id, (uint32_t)pid);
	struct json_object *d;
	struct ipct_text msg = { .len = 0 };
	char what[96], signame[16];
	const char *sg = ipct_sig_name(sig);

	if (err != ESRCH && err != EPERM && err != EINVAL)
		return;
	/* A pid the trace never saw is "never existed" only if no event was lost. */
	if (err == ESRCH && !t && pid > 0 && !pidfd && (s->lost || s->full))
		return;
	if (said(s, "kill_failed", p->pid, pidfd ? INT64_MIN : pid, err))
		return;
	if (!sg) {
		snprintf(signame, sizeof(signame), "%d", sig);
		sg = signame;
	}
	if (pidfd)
		snprintf(what, sizeof(what), "%s(pidfd %" PRId64 ", %s)", call, pid, sg);
	else if (tg)
		snprintf(what, sizeof(what), "%s(%" PRId64 ", %" PRId64 ", %s)", call, pid, tid, sg);
	else
		snprintf(what, sizeof(what), "%s(%" PRId64 ", %s)", call, pid, sg);
	d = diag_new(s, "kill_failed", e->ts_ns, p);
	add_proc(d, p->pid, p->comm, "sender");
	evidence(d, s, e->ts_ns, p->pid, p->comm, call, "%s = -1 %s", what, ipct_errno_name(err));
	json_object_object_add(d, "call", json_object_new_string(call));
	json_object_object_add(d, "target_pid", pidfd ? NULL : json_object_new_int64(pid));
	json_object_object_add(d, "target_tid", tg || tk ? json_object_new_int64(tid) : NULL);
	json_object_object_add(d, "sig", ipct_sig_name(sig) ? json_object_new_string(ipct_sig_name(sig)) : NULL);
	json_object_object_add(d, "signo", json_object_new_int(sig));
	json_object_object_add(d, "errno", json_object_new_string(ipct_errno_name(err)));
	ipct_say(&msg, "%s[%u]: %s failed with %s: ", p->comm, p->pid, what, ipct_errno_name(err));
	switch (err) {
	case ESRCH:
		if (pidfd)
			ipct_say(&msg, "the process that pidfd %" PRId64 " refers to has ended and been reaped", pid);
		else if (tg && t && t->live)
			esrch(s, d, &msg, tid, t, true);
		else
			esrch(s, d, &msg, pid, t, tk);
		break;
	case EPERM:
		if (t) {
			add_proc(d, t->pid, t->comm, "target");
			ipct_say(&msg, "%s[%u] runs as uid %u and %s[%u] as uid %u: a process may signal only its own "
				  "user's processes unless it is privileged (CAP_KILL)", p->comm, p->pid, e->uid,
			    t->comm, t->pid, t->uid);
		} else {
			ipct_say(&msg, "it may not signal that process (most likely another user's process, which only a "
				  "privileged one may signal, or init, which takes only the signals it handles)");
		}
		break;
	default:
		if (sig < 0 || sig > 64)
			ipct_say(&msg, "%d is not a signal number: signals are 1 to 64, and 0 only tests whether the "
				  "process exists", sig);
		else if (pidfd && sy->args[3])
			ipct_say(&msg, "its flags must be 0 (they are %#" PRIx64 ")", (uint64_t)sy->args[3]);
		else
			ipct_say(&msg, "the kernel rejected its arguments (a siginfo it may not send, or flags it does "
				  "not know)");
	}
	emit(dg, s, d, &msg);
}

/* ---- bad_fd ---- */

/* "the read end of pipe:[5]", "a socket", "a file or terminal": what a descriptor was on. */
static const char *what_str(char *buf, size_t len, int kind, uint64_t ino, unsigned mode)
{
	bool fifo = kind == IPCT_KIND_FIFO;

	if ((kind == IPCT_KIND_PIPE || fifo) && mode == 1)
		return ipct_sub(buf, len, fifo ? N_("the read end of pipe:[%" PRIu64 "] (a FIFO)")
					       : N_("the read end of pipe:[%" PRIu64 "]"), ino);
	if ((kind == IPCT_KIND_PIPE || fifo) && mode == 2)
		return ipct_sub(buf, len, fifo ? N_("the write end of pipe:[%" PRIu64 "] (a FIFO)")
					       : N_("the write end of pipe:[%" PRIu64 "]"), ino);
	if (kind == IPCT_KIND_PIPE || fifo)
		return ipct_sub(buf, len, fifo ? N_("pipe:[%" PRIu64 "] (a FIFO)")
					       : N_("pipe:[%" PRIu64 "]"), ino);
	if (kind == IPCT_KIND_SOCKET)
		snprintf(buf, len, "socket:[%" PRIu64 "]", ino);
	else if (kind == IPCT_KIND_SIGNALFD)
		return ipct_sub(buf, len, "a signalfd");
	else
		return ipct_sub(buf, len, "a file or terminal");
	return buf;
}

/* "dup2(4, 1)", "dup(1)", "close(3)", "pipe()": the call of a note on fd. */
static const char *note_call(char *buf, size_t len, const struct ipct_graph_fdnote *n, int fd)
{
	if (n->from >= 0 && (!strcmp(n->call, "dup2") || !strcmp(n->call, "dup3")))
		snprintf(buf, len, "%s(%d, %d)", n->call, n->from, fd);
	else if (n->from >= 0)
		snprintf(buf, len, "%s(%d)", n->call, n->from);
	else if (!strcmp(n->call, "close"))
		snprintf(buf, len, "close(%d)", fd);
	else
		snprintf(buf, len, "%s()", n->call);
	return buf;
}

struct other_end {
	uint32_t pid;
	unsigned want;
	int fd;
};

static void on_other_end(uint32_t pid, int fd, unsigned mode, void *ctx)
{
	struct other_end *x = ctx;

	if (pid == x->pid && (mode & x->want) && x->fd < 0)
		x->fd = fd;
}

/* EBADF on an open descriptor: the wrong end of a pipe, or a file open the other way. False: not that. */
static bool wrong_end(struct ipct_diag *dg, const struct dsession *s, struct dproc *p, const struct ipct_event *e,
		      const struct ipct_syscall *sc, int fd, struct json_object *d, struct ipct_text *msg)
{
	bool write = sc->io == IPCT_IO_WRITE || sc->io == IPCT_IO_WRITE_MSGS;
	unsigned mode = (unsigned)(e->sys.x[1] >> 32) & 3, need = write ? 2 : 1;
	int kind = e->kind[0];
	struct ipct_graph_fdnote made;
	struct other_end x = { p->pid, need, -1 };
	struct ipct_graph_obj obj = { .ino = e->sys.x[0], .kind = kind };
	char what[64], call[48], t[32], name[48];

	if ((sc->io != IPCT_IO_READ && !write && sc->io != IPCT_IO_READ_MSGS) || (mode & need) || !mode)
		return false;
	what_str(what, sizeof(what), kind, e->sys.x[0], mode);
	json_object_object_add(d, "cause", json_object_new_string(kind == IPCT_KIND_PIPE || kind == IPCT_KIND_FIFO
								      ? "wrong_end" : "wrong_mode"));
	if (kind != IPCT_KIND_PIPE && kind != IPCT_KIND_FIFO) {
		if (mode == 1)
			ipct_say(msg, "fd %d is open for reading only (%s): it cannot be written", fd, what);
		else
			ipct_say(msg, "fd %d is open for writing only (%s): it cannot be read", fd, what);
		return true;
	}
	add_object(d, &obj);
	obj_str(name, sizeof(name), &obj);
	json_object_object_add(d, "object", json_object_new_string(name));
	ipct_graph_fd_note(dg->graph, p->pid, fd, &made);
	ipct_graph_holders(dg->graph, p->session, e->sys.x[0], on_other_end, &x, &obj);
	json_object_object_add(d, "other_end_fd", x.fd >= 0 ? json_object_new_int(x.fd) : NULL);
	ipct_say(msg, "fd %d is %s", fd, what);
	if (made.state == IPCT_FDN_OPEN && made.call) {
		note_call(call, sizeof(call), &made, fd);
		ipct_say(msg, " (since %s at %s)", call, at(t, sizeof(t), s, made.ts));
		evidence(d, s, made.ts, made.pid, made.comm, made.call, "%s made fd %d %s", call, fd, what);
	}
	if (x.fd >= 0)
		ipct_say(msg, write ? N_("; its write end is fd %d") : N_("; its read end is fd %d"), x.fd);
	else
		ipct_say(msg, write ? N_("; %s[%u] holds no write end of it") : N_("; %s[%u] holds no read end of it"),
		    p->comm, p->pid);
	ipct_say(msg, ". A pipe is written through its write end and read through its read end: pipe(fds) puts the "
		 "read end in fds[0] and the write end in fds[1]");
	return true;
}

/* EBADF on a descriptor that was not open: what the trace knows of it. False when it cannot tell. */
static bool not_open(struct ipct_diag *dg, struct dsession *s, struct dproc *p, const struct ipct_syscall *sc, int fd,
		     struct json_object *d, struct ipct_text *msg, uint64_t *key)
{
	struct ipct_graph_fdnote n;
	char what[64], call[48], t[32];
	bool is_close = sc->cls == IPCT_SC_CLOSE;

	ipct_graph_fd_note(dg->graph, p->pid, fd, &n);
	*key = n.ts;
	switch (n.state) {
	case IPCT_FDN_CLOSED:
		json_object_object_add(d, "cause", json_object_new_string("closed"));
		json_object_object_add(d, "closed_by", json_object_new_string(n.call));
		json_object_object_add(d, "closed_ns", jtime(s, n.ts));
		if (n.pid != p->pid)
			add_proc(d, n.pid, n.comm, "closer");
		if (!strcmp(n.call, "exec")) {
			ipct_say(msg, "fd %d was closed when %s[%u] exec'd at %s: it was close-on-exec", fd, n.comm, n.pid,
			    at(t, sizeof(t), s, n.ts));
			evidence(d, s, n.ts, n.pid, n.comm, "exec", "fd %d (close-on-exec) closed", fd);
		} else {
			note_call(call, sizeof(call), &n, fd);
			ipct_say(msg, is_close ? N_("fd %d was already closed at %s by %s in %s[%u]")
					       : N_("fd %d was closed at %s by %s in %s[%u]"), fd,
			    at(t, sizeof(t), s, n.ts), call, n.comm, n.pid);
			evidence(d, s, n.ts, n.pid, n.comm, n.call, "closed fd %d", fd);
		}
		if (n.kind != IPCT_KIND_NONE)
			ipct_say(msg, ", where it was %s", what_str(what, sizeof(what), n.kind, n.ino, n.mode));
		if (n.reopened)
			ipct_say(msg, "; files opened since got that number and were closed again (as the dynamic loader "
				 "does after an exec)");
		/* A file opened and closed again at that number since would not show (files are not traced). */
		if (fd > 2)
			ipct_say(msg, " (the last close of it the trace saw)");
		if (is_close)
			ipct_say(msg, ". A descriptor is closed once: a second close() fails, or closes whatever got its "
				 "number in between");
		else if (sc->io == IPCT_IO_NONE)
			ipct_say(msg, ". A closed descriptor names nothing until a new open, pipe or dup gets that number: "
				 "use it only before closing it");
		else
			ipct_say(msg, ". A closed descriptor names nothing until a new open, pipe or dup gets that number: "
				 "read or write it only before closing it");
		if (fd == 1 && !is_close)
			ipct_say(msg, " (printf() and puts() write to fd 1: they fail once it is closed)");
		return true;
	case IPCT_FDN_OPEN:
		/* A copy of a file or terminal that the trace saw made, and not its close. */
		note_call(call, sizeof(call), &n, fd);
		json_object_object_add(d, "cause", json_object_new_string("closed_since"));
		ipct_say(msg, "fd %d was made at %s by %s in %s[%u] (%s, whose close is not traced) and has been closed "
			 "since", fd, at(t, sizeof(t), s, n.ts), call, n.comm, n.pid,
		    what_str(what, sizeof(what), n.kind, n.ino, n.mode));
		evidence(d, s, n.ts, n.pid, n.comm, n.call, "%s made fd %d", call, fd);
		return true;
	case IPCT_FDN_NONE:
		/* Closing what may not be open is how a program makes sure it is not (a loop over every fd). */
		if (s->lost || s->full || is_close)
			return false;
		if (fd <= 2) {
			json_object_object_add(d, "cause", json_object_new_string("closed_before_trace"));
			ipct_say(msg, "fd %d was not open when the trace began, and nothing in the trace opened it: %s[%u] "
				 "(or the program that started it) was started with it closed", fd, p->comm, p->pid);
		} else {
			json_object_object_add(d, "cause", json_object_new_string("never_opened"));
			ipct_say(msg, "the trace never saw fd %d open in %s[%u]: most likely it was never opened (a wrong "
				 "number, or one from a call that failed); a file opened and closed again would not show, "
				 "as the trace sees only pipes, FIFOs, sockets and the standard streams", fd, p->comm,
			    p->pid);
		}
		return true;
	default:
		return false;
	}
}

/* A call that failed with EBADF on its first argument (docs/diagnoses.md, bad_fd). */
static void rule_bad_fd(struct ipct_diag *dg, struct dsession *s, struct dproc *p, const struct ipct_event *e,
			const struct ipct_syscall *sc)
{
	int fd = (int)e->sys.args[0];
	struct json_object *d = diag_new(s, "bad_fd", e->ts_ns, p);
	struct ipct_text msg = { .len = 0 };
	uint64_t key = e->sys.x[0] ^ (uint64_t)e->kind[0] << 56;
	bool known;

	add_proc(d, p->pid, p->comm, "caller");
	evidence(d, s, e->ts_ns, p->pid, p->comm, sc->name, "%s(%d) = -1 EBADF", sc->name, fd);
	json_object_object_add(d, "call", json_object_new_string(sc->name));
	json_object_object_add(d, "fd", json_object_new_int(fd));
	json_object_object_add(d, "errno", json_object_new_string("EBADF"));
	json_object_object_add(d, "cause", NULL);
	ipct_say(&msg, "%s[%u]: %s(%d) failed with EBADF: ", p->comm, p->pid, sc->name, fd);
	/* close(-1) is an idiom ("close it if it was opened"), not a mistake. */
	if (fd < 0 && sc->cls == IPCT_SC_CLOSE) {
		known = false;
	} else if (fd < 0) {
		json_object_object_add(d, "cause", json_object_new_string("negative"));
		ipct_say(&msg, "%d is no descriptor. It is what open(), pipe(), socket() or dup() return when they fail: "
			  "check their result before using it", fd);
		known = true;
	} else if (e->kind[0] != IPCT_KIND_NONE) {
		known = wrong_end(dg, s, p, e, sc, fd, d, &msg);
	} else {
		known = not_open(dg, s, p, sc, fd, d, &msg, &key);
	}
	/* Once per descriptor and cause: a loop of writes to a closed fd says nothing new. */
	if (!known || said(s, "bad_fd", p->pid, fd, (int64_t)key)) {
		json_object_put(d);
		return;
	}
	emit(dg, s, d, &msg);
}

/* ---- handler_race ---- */

/*
 * The evidence that the program handles sig: its parent installed a handler
 * after forking it, or another process running the same code installed one
 * (a sibling first: the same code, forked by the same parent).
 */
static struct install *handled_elsewhere(const struct dsession *s, const struct dproc *v, int sig, bool *by_parent)
{
	struct install *other = NULL;

	*by_parent = false;
	for (size_t i = 0; i < s->ninstalls; i++) {
		struct install *in = &s->installs[i];

		if (in->sig != sig || in->pid == v->pid || strcmp(in->exe, v->exe))
			continue;
		if (in->pid == v->ppid && v->fork_ns && in->ts > v->fork_ns) {
			*by_parent = true;
			return in;
		}
		if (in->pid != v->ppid && (!other || (in->ppid == v->ppid && other->ppid != v->ppid)))
			other = in;
	}
	return other;
}

/* The diagnosis r says, and its message (not yet in it: finish). */
static struct json_object *race_json(const struct race *r, struct ipct_text *msg)
{
	const struct dsession s = { .id = r->session, .start_ns = r->start_ns, .realtime_off = r->realtime_off };
	const struct dproc *v = &r->v;
	const struct install *in = &r->in;
	int sig = r->sig;
	struct json_object *d = diag_new(&s, "handler_race", v->exit_ns, v);
	char t1[32], t2[32], addr[80];
	const char *handler = in->handler;

	if (!handler[0])
		/* Said only in messages and evidence: a clause, translated with them. */
		handler = ipct_sub(addr, sizeof(addr), "a handler (0x%" PRIx64 ")", in->addr);
	json_object_object_add(d, "sig", json_object_new_string(sig_str(sig)));
	add_proc(d, v->pid, v->comm, "killed");
	add_proc(d, v->fatal.sender, v->fatal.sender_comm, "sender");
	add_proc(d, in->pid, in->comm, "installer");
	if (r->parent_comm[0])
		evidence(d, &s, v->fork_ns, v->ppid, r->parent_comm, "fork", "%s[%u] started", v->comm, v->pid);
	evidence(d, &s, in->ts, in->pid, in->comm, "rt_sigaction", "installed %s for %s", handler, sig_str(sig));
	evidence(d, &s, v->fatal.ts, v->fatal.sender, v->fatal.sender_comm, "signal_generate", "%s[%u] sent %s to %s[%u]",
		 v->fatal.sender_comm,
		 v->fatal.sender, sig_str(sig), v->comm, v->pid);
	evidence(d, &s, v->exit_ns, v->pid, v->comm, "exit", "killed by %s", sig_str(sig));
	ipct_say(msg, "%s[%u] was killed by %s, sent by %s[%u] at %s", v->comm, v->pid, sig_str(sig), v->fatal.sender_comm,
	    v->fatal.sender, at(t1, sizeof(t1), &s, v->fatal.ts));
	if (v->start_ns && v->fatal.ts >= v->start_ns)
		ipct_say(msg, v->fork_ns == v->start_ns ? N_(", %s after it was forked") : N_(", %s after it exec'd"),
		    dur(t2, sizeof(t2), v->fatal.ts - v->start_ns));
	if (!v->first_call_ns || v->first_call_ns > v->fatal.ts)
		ipct_say(msg, " and before it had made a single traced system call");
	ipct_say(msg, ": it had no handler for %s, whose default action ends the process. Yet its program handles %s: ",
	    sig_str(sig), sig_str(sig));
	if (r->by_parent)
		ipct_say(msg, "its parent %s[%u] installed %s at %s, after forking it, so the child never had that "
			  "handler. If %s[%u] was meant to handle %s, install the handler before fork() (a child "
			  "inherits its parent's handlers)",
		    in->comm, in->pid, handler, at(t1, sizeof(t1), &s, in->ts), v->comm, v->pid, sig_str(sig));
	else
		ipct_say(msg, "%s[%u], running the same code, installed %s at %s. If %s[%u] was meant to handle %s too, "
			  "the signal won the race against its signal() or sigaction() call: install the handler "
			  "before fork() (children inherit it), or block %s before fork() and have the child "
			  "unblock it (sigsuspend) once its handler is in place",
		    in->comm, in->pid, handler, at(t1, sizeof(t1), &s, in->ts), v->comm, v->pid, sig_str(sig),
		    sig_str(sig));
	return d;
}

/*
 * Said when its handler's name is known, which it waits for while the
 * installer's file is being read, off the daemon's loop: handed to the
 * caller (dg->later) with a hold of that name, never waited for here.
 */
static bool race_later(struct ipct_diag *dg, const struct race *r, const struct ipct_sym_pending *pending)
{
	struct ipct_diag_later *l;
	struct ipct_sym_pending *name;

	if (!dg->later || !(l = malloc(sizeof(*l))))
		return false;
	name = ipct_sym_pending_dup(dg->syms, pending);
	if (!name) {
		free(l);
		return false;
	}
	l->r = *r;
	dg->later(r->session, l, name, dg->data);
	return true;
}

static void rule_handler_race(struct ipct_diag *dg, struct dsession *s, struct dproc *v)
{
	int sig = WIFSIGNALED(v->status) ? WTERMSIG(v->status) : 0;
	uint64_t bit = sig >= 1 && sig <= 64 ? 1ull << (sig - 1) : 0;
	struct install *in;
	const struct dproc *parent;
	struct ipct_text msg = { .len = 0 };
	struct race r = { .session = s->id, .start_ns = s->start_ns, .realtime_off = s->realtime_off, .sig = sig };
	bool known;

	if (!bit || sig == SIGKILL || sig == SIGSTOP || v->fatal.sig != sig || !v->exe[0] ||
	    ((v->handled | v->ign | v->dfl) & bit))
		return;
	in = handled_elsewhere(s, v, sig, &r.by_parent);
	if (!in)
		return;
	if (v->fork_ns && (parent = proc_find(dg, s->id, v->ppid)))
		memcpy(r.parent_comm, parent->comm, sizeof(r.parent_comm));
	r.v = *v;
	r.v.kids = NULL;
	r.v.nkids = r.v.capkids = 0;
	r.v.seen = NULL;
	r.v.hnext = NULL;
	known = install_name(dg, in);
	r.in = *in;
	r.in.name = NULL;       /* the install's (session_free) */
	if (!known && race_later(dg, &r, in->name))
		return;
	emit(dg, s, race_json(&r, &msg), &msg);
}

struct json_object *ipct_diag_later_json(struct ipct_diag_later *l, const char *name)
{
	struct ipct_text msg = { .len = 0 };
	struct json_object *d;

	if (name)
		snprintf(l->r.in.handler, sizeof(l->r.in.handler), "%s", name);
	d = race_json(&l->r, &msg);
	finish(d, &msg);
	return d;
}

void ipct_diag_later_free(struct ipct_diag_later *l)
{
	free(l);
}

/* ---- deadlock: the survey ---- */

/* The live process with that pid, in any session (pids of live processes are unique). */
static struct dproc *proc_live(struct ipct_diag *dg, uint32_t pid)
{
	for (struct dproc *p = dg->procs[pid % NBUCKETS]; p; p = p->hnext)
		if (p->pid == pid && p->live)
			return p;
	return NULL;
}

static void add_provider(struct bcall *c, uint32_t pid)
{
	for (int i = 0; i < c->nproviders; i++)
		if (c->providers[i] == pid)
			return;
	if (c->nproviders < MAX_PROVIDERS)
		c->providers[c->nproviders++] = pid;
	else
		c->certain = false;
}

struct ends_ctx {
	struct bcall *c;
	unsigned want;                  /* the end that can wake the caller; 3: any (a socket's peer) */
};

static void on_end(uint32_t pid, int fd, unsigned mode, void *ctx)
{
	struct ends_ctx *x = ctx;

	if (!(mode & x->want))
		return;
	add_provider(x->c, pid);
	if (x->c->nends < MAX_PROVIDERS) {
		x->c->ends[x->c->nends].pid = pid;
		x->c->ends[x->c->nends++].fd = fd;
	}
}

/* The survey's slot for (session, ino, want): the one that has it, or the free one where it goes; NULL. */
static struct ends_memo *memo_slot(struct ipct_diag *dg, uint32_t session, uint64_t ino, unsigned want)
{
	size_t i = (size_t)((ino * 0x9e3779b97f4a7c15ull) ^ session ^ want) % (dg->memo_cap ? dg->memo_cap : 1);

	for (size_t k = 0; k < dg->memo_cap; k++, i = (i + 1) % dg->memo_cap) {
		struct ends_memo *m = &dg->memo[i];

		if (!m->ino || (m->ino == ino && m->session == session && m->want == want))
			return m;
	}
	return NULL;
}

/* A read or write on fd: who holds the end that can wake it (the other end of a pipe, a socket's peer). */
static void io_providers(struct ipct_diag *dg, struct dproc *p, struct bcall *c)
{
	struct ends_ctx x = { c, c->what == W_READ ? 2 : 1 };
	struct ipct_graph_obj peer;
	struct ends_memo *m;
	unsigned mode;

	if (!ipct_graph_fd(dg->graph, p->pid, c->fd, &c->obj, &mode))
		return;
	m = c->obj.ino ? memo_slot(dg, p->session, c->obj.ino, x.want) : NULL;
	if (m && m->ino) {
		memcpy(c->providers, m->c.providers, sizeof(c->providers));
		memcpy(c->ends, m->c.ends, sizeof(c->ends));
		c->nproviders = m->c.nproviders;
		c->nends = m->c.nends;
		c->certain = m->c.certain;
		return;
	}
	if (c->obj.kind != IPCT_KIND_SOCKET) {
		c->certain = c->obj.complete &&
			     ipct_graph_holders(dg->graph, p->session, c->obj.ino, on_end, &x, &peer);
	} else if (c->obj.peer_ino) {
		x.want = 3;
		c->certain = c->obj.complete &&
			     ipct_graph_holders(dg->graph, p->session, c->obj.peer_ino, on_end, &x, &peer) &&
			     peer.complete;
	}
	/*
	 * Nobody at the other end: the call would return (end of file, EPIPE),
	 * not sleep. More than the providers kept: not all known.
	 */
	c->certain = c->certain && c->nproviders && c->nproviders < MAX_PROVIDERS;
	if (m)
		*m = (struct ends_memo){ p->session, c->obj.ino, x.want, *c };
}

/*
 * msgrcv, msgsnd, semop, semtimedop on the System V object ino: every
 * process that used it (the graph's holders, itself too) can end the wait,
 * as far as the trace knows; certain only when the object was made in the
 * trace (a process outside it that has its id could act too, as it could
 * on a pipe it was given). A futex wait on a POSIX semaphore likewise: the
 * processes that have its shared memory mapped or open.
 */
static void sysv_providers(struct ipct_diag *dg, struct dproc *p, struct bcall *c, uint64_t ino)
{
	struct ends_ctx x = { c, 3 };

	c->fd = -1;
	c->certain = ipct_graph_holders(dg->graph, p->session, ino, on_end, &x, &c->obj) && c->obj.complete;
	c->certain = c->certain && c->nproviders && c->nproviders < MAX_PROVIDERS;
}

/* wait4/waitid: the children that can end the wait (a superset for process groups: safe). */
static void wait_providers(struct dproc *p, struct bcall *c)
{
	c->certain = p->children_known;
	for (size_t i = 0; i < p->nkids; i++)
		if (p->kids[i]->live && (c->wait_pid <= 0 || p->kids[i]->pid == (uint32_t)c->wait_pid))
			add_provider(c, p->kids[i]->pid);
	c->certain = c->certain && c->nproviders;
}

/* What a thread asleep in nr waits for; false when no rule knows the call. */
static bool classify(struct ipct_diag *dg, struct dproc *p, const struct ipct_diag_thread *t, struct bcall *c)
{
	static const char *const reads[] = { "read", "readv", "recvfrom", "recvmsg", "mq_timedreceive", NULL };
	static const char *const writes[] = { "write", "writev", "sendto", "sendmsg", "mq_timedsend", NULL };
	const char *name = ipct_syscall_name(t->nr);

	memset(c, 0, sizeof(*c));
	c->nr = t->nr;
	c->since = t->since_ns;
	c->tid = t->tid;
	c->fd = (int)t->args[0];
	if (!name)
		return false;
	for (int i = 0; reads[i] || writes[i]; i++) {
		if ((reads[i] && !strcmp(name, reads[i])) || (writes[i] && !strcmp(name, writes[i]))) {
			c->what = reads[i] && !strcmp(name, reads[i]) ? W_READ : W_WRITE;
			io_providers(dg, p, c);
			return true;
		}
	}
	if (!strcmp(name, "msgrcv") || !strcmp(name, "msgsnd")) {
		c->what = name[3] == 'r' ? W_READ : W_WRITE;
		sysv_providers(dg, p, c, IPCT_SYSV_INO(t->args[0]));
		return true;
	}
	if (!strcmp(name, "semop") || !strcmp(name, "semtimedop")) {
		c->what = W_SEM;
		sysv_providers(dg, p, c, IPCT_SYSV_SEM_INO(t->args[0]));
		return true;
	}
	/* The kernel side notes only a futex wait on a traced shared mapping: a POSIX semaphore's. */
	if (!strcmp(name, "futex")) {
		bool anon;
		uint64_t ino = ipct_graph_mapping_at(dg->graph, p->pid, t->args[0], &anon);

		c->what = W_SEM;
		if (ino)
			sysv_providers(dg, p, c, ino);
		c->fd = -1;
		return true;
	}
	if (!strcmp(name, "wait4") || !strcmp(name, "waitid")) {
		c->what = W_WAIT;
		if (!strcmp(name, "wait4"))
			c->wait_pid = (int)t->args[0];
		else
			c->wait_pid = t->args[0] == P_PID ? (int)t->args[1] : t->args[0] == 3 /* P_PIDFD */ ? 0 : -1;
		wait_providers(p, c);
		if (!strcmp(name, "waitid") && t->args[0] == 3)
			c->certain = false;
		return true;
	}
	return false;
}

static bool all_asleep(const struct seen *v)
{
	return v && v->nthreads && v->nasleep == v->nthreads;
}

static bool blocked(const struct seen *v)
{
	if (!all_asleep(v) || !v->long_asleep)
		return false;
	for (int i = 0; i < v->ncalls; i++)
		if (!v->calls[i].certain)
			return false;
	return true;
}

/* Asleep in calls the rules know, not yet long: maybe a deadlock in the making. */
static bool pending_block(const struct seen *v)
{
	return all_asleep(v) && !v->long_asleep;
}

static bool stuck(const struct dproc *p)
{
	return p && p->seen && p->seen->in_set;
}

/* "pipe:[N] (fd 3)", or for a FIFO "the FIFO /tmp/f (pipe:[N], fd 3)". */
static void say_obj(struct ipct_text *msg, const struct bcall *c)
{
	char name[48];

	obj_str(name, sizeof(name), &c->obj);
	if (c->obj.kind == IPCT_KIND_FIFO && c->obj.path)
		ipct_say(msg, "the FIFO %s (%s, fd %d)", c->obj.path, name, c->fd);
	else if (c->fd < 0)
		ipct_say(msg, "%s", name);
	else
		ipct_say(msg, "%s (fd %d)", name, c->fd);
}

/* "waitpipe[101] (fd 3), itself (fd 4)": the holders of the end that could wake p. */
static void say_ends(struct ipct_diag *dg, struct ipct_text *msg, const struct dproc *p, const struct bcall *c)
{
	for (int i = 0; i < c->nends; i++) {
		const struct dproc *q = proc_live(dg, c->ends[i].pid);

		const char *sep = i ? (i == c->nends - 1 ? IPCT_W(" and ") : ", ") : "";

		if (c->ends[i].pid == p->pid)
			ipct_say(msg, "%sitself", sep);
		else
			ipct_say(msg, "%s%s[%u]", sep, q ? q->comm : "?", c->ends[i].pid);
		/* A System V object has no descriptor. */
		if (c->ends[i].fd >= 0)
			ipct_say(msg, " (fd %d)", c->ends[i].fd);
	}
}

static void say_call(struct ipct_diag *dg, struct ipct_text *msg, const struct dproc *p, const struct bcall *c,
		     uint64_t now)
{
	const char *name = ipct_syscall_name(c->nr) ?: IPCT_W("a call");
	bool sock = c->obj.kind == IPCT_KIND_SOCKET;
	bool queue = c->obj.kind == IPCT_KIND_MQUEUE || c->obj.kind == IPCT_KIND_MSGQ;
	char t[32];

	ipct_say(msg, "%s[%u] has been blocked for at least %s in %s", p->comm, p->pid, dur(t, sizeof(t), now - c->since),
	    name);
	switch (c->what) {
	case W_WAIT:
		if (c->wait_pid > 0) {
			const struct dproc *k = proc_live(dg, (uint32_t)c->wait_pid);

			ipct_say(msg, " for its child %s[%" PRId64 "]", k ? k->comm : "?", c->wait_pid);
		} else {
			ipct_say(msg, " for any of its children (");
			for (int i = 0; i < c->nproviders; i++) {
				const struct dproc *k = proc_live(dg, c->providers[i]);

				ipct_say(msg, "%s%s[%u]", i ? ", " : "", k ? k->comm : "?", c->providers[i]);
			}
			ipct_say(msg, ")");
		}
		return;
	case W_READ:
		ipct_say(msg, " on ");
		say_obj(msg, c);
		ipct_say(msg, sock ? N_(": nothing has arrived, and only ") : N_(": it is empty, and only "));
		say_ends(dg, msg, p, c);
		ipct_say(msg, sock || queue ? N_(" can send to it") : N_(" can write to it"));
		return;
	case W_SEM:
		ipct_say(msg, c->obj.kind == IPCT_KIND_SHM ? N_(" (sem_wait) on the semaphore ") : N_(" on the semaphore set "));
		say_obj(msg, c);
		ipct_say(msg, ", which only ");
		say_ends(dg, msg, p, c);
		ipct_say(msg, c->nends == 1 ? N_(" uses") : N_(" use"));
		return;
	case W_WRITE:
		ipct_say(msg, " to ");
		say_obj(msg, c);
		if (sock || queue)
			ipct_say(msg, sock ? N_(": its buffer is full, and only ") : N_(": it is full, and only "));
		else if (c->obj.bytes_written > c->obj.bytes_read)
			ipct_say(msg, ": it is full (%" PRIu64 " bytes written, %" PRIu64 " read), and only ",
			    c->obj.bytes_written, c->obj.bytes_read);
		else
			ipct_say(msg, ": it is full, and only ");
		say_ends(dg, msg, p, c);
		ipct_say(msg, " can read it");
		return;
	}
}

/* The blocked call of q that pid could end, if any. */
static const struct bcall *waits_on(const struct dproc *q, uint32_t pid)
{
	const struct seen *v = q->seen;

	for (int i = 0; v && i < v->ncalls; i++)
		for (int j = 0; j < v->calls[i].nproviders; j++)
			if (v->calls[i].providers[j] == pid)
				return &v->calls[i];
	return NULL;
}

/* The way out, from the shape of the cycle. */
static void say_way_out(struct ipct_text *msg, struct dproc **m, int n)
{
	bool reads = true, writes = true, sems = true, posix = true, queues = true;
	char name[48];

	for (int i = 0; i < n; i++) {
		for (int k = 0; k < m[i]->seen->ncalls; k++) {
			const struct bcall *w = &m[i]->seen->calls[k], *c;
			const struct dproc *child;

			reads &= w->what == W_READ;
			writes &= w->what == W_WRITE;
			sems &= w->what == W_SEM;
			posix &= w->obj.kind == IPCT_KIND_SHM;
			queues &= w->obj.kind == IPCT_KIND_MQUEUE || w->obj.kind == IPCT_KIND_MSGQ;
			if (w->what != W_WAIT)
				continue;
			/* A parent waits for a child that waits on the parent. */
			for (int j = 0; j < n; j++) {
				child = m[j];
				if (child == m[i] || !(c = waits_on(child, m[i]->pid)) ||
				    (c->obj.kind != IPCT_KIND_PIPE && c->obj.kind != IPCT_KIND_FIFO))
					continue;
				for (int p = 0; p < w->nproviders; p++) {
					if (w->providers[p] != child->pid)
						continue;
					obj_str(name, sizeof(name), &c->obj);
					if (c->what == W_WRITE)
						ipct_say(msg, "Way out: %s[%u] must read %s until end of file before it waits "
							 "for %s[%u]: a pipe holds only so much (64 KiB), and a child that "
							 "writes more cannot finish, nor exit, until somebody reads",
						    m[i]->comm, m[i]->pid, name, child->comm, child->pid);
					else
						ipct_say(msg, "Way out: %s[%u] must close its end of %s before it waits for "
							 "%s[%u]: a reader sees end of file only once every write end is "
							 "closed, its own copies too",
						    m[i]->comm, m[i]->pid, name, child->comm, child->pid);
					return;
				}
			}
		}
	}
	if (sems)
		ipct_say(msg, posix ? N_("Way out: each waits on a semaphore that only another of them would post; post "
				      "before waiting, or take the semaphores in one order everywhere")
				    : N_("Way out: each waits on a semaphore that only another of them would post; post "
				      "before waiting, or take the semaphores of a set in one order everywhere (one "
				      "semop can take several at once)"));
	else if (queues && reads)
		ipct_say(msg, "Way out: each waits for a message that another would send only once its own receive "
			 "returns; one of them must send first");
	else if (queues)
		ipct_say(msg, "Way out: a queue holds only so much (System V: 16384 bytes by default, POSIX: "
			 "mq_maxmsg messages); send what the receiver waits for before filling the queue, or receive "
			 "in another process or thread while sending");
	else if (reads)
		ipct_say(msg, "Way out: each waits to read what another has not written yet; one of them must write "
			 "first, and each must close the write ends it does not use, so that readers see end of file");
	else if (writes)
		ipct_say(msg, "Way out: each writes more than a pipe holds before reading what the other wrote; read "
			 "and write in turns (poll()), or leave the reading to another process or thread");
	else
		ipct_say(msg, "Way out: one of them must do its part before it waits: close the ends each does not use, "
			 "and order the reads, writes and waits so that they cannot wait in a circle");
}

static void say_deadlock(struct ipct_diag *dg, struct dproc **m, int n, struct dproc **also, int nalso,
			 uint64_t now)
{
	struct dsession *s = session_find(dg, m[0]->session);
	struct json_object *d, *waits;
	struct ipct_text msg = { .len = 0 };
	const char *fifo = NULL;
	char name[48], t[32];

	if (!s)
		return;
	d = diag_new(s, "deadlock", now, m[0]);
	for (int i = 0; i < n; i++)
		ipct_say(&msg, "%s%s[%u]", i ? (i == n - 1 ? IPCT_W(" and ") : ", ") : "", m[i]->comm, m[i]->pid);
	ipct_say(&msg, n == 2 ? N_(" wait for each other, and neither can go on. ")
			 : N_(" wait for each other in a circle, and none of them can go on. "));
	for (int g = 0; g < 2; g++) {
		struct dproc **set = g ? also : m;

		for (int i = 0; i < (g ? nalso : n); i++) {
			struct dproc *p = set[i];

			for (int k = 0; k < p->seen->ncalls; k++) {
				const struct bcall *c = &p->seen->calls[k];
				struct json_object *j = add_proc(d, p->pid, p->comm, g ? "waiting" : "member");

				say_call(dg, &msg, p, c, now);
				ipct_say(&msg, ". ");
				json_object_object_add(j, "call", json_object_new_string(ipct_syscall_name(c->nr) ?: "?"));
				json_object_object_add(j, "since_ns", jtime(s, c->since));
				json_object_object_add(j, "fd", c->what == W_WAIT || c->fd < 0 ? NULL
								  : json_object_new_int(c->fd));
				obj_str(name, sizeof(name), &c->obj);
				json_object_object_add(j, "object", c->what == W_WAIT ? NULL : json_object_new_string(name));
				waits = json_object_new_array();
				for (int q = 0; q < c->nproviders; q++)
					json_object_array_add(waits, json_object_new_int64(c->providers[q]));
				json_object_object_add(j, "waits_for", waits);
				if (c->what != W_WAIT) {
					add_object(d, &c->obj);
					if (c->obj.kind == IPCT_KIND_FIFO)
						fifo = c->obj.path;
					if (!member(d, "object") && !g) {
						json_object_object_add(d, "fd", c->fd < 0 ? NULL
									  : json_object_new_int(c->fd));
						json_object_object_add(d, "object", json_object_new_string(name));
					}
				}
				evidence(d, s, c->since, p->pid, p->comm, "blocked", "asleep in %s since %s",
					 ipct_syscall_name(c->nr) ?: "?", at(t, sizeof(t), s, c->since));
			}
		}
	}
	if (nalso)
		ipct_say(&msg, nalso > 1 ? N_("(Those after the circle are waiting on them, stuck as well.) ")
					 : N_("(The last one is waiting on them, stuck as well.) "));
	say_way_out(&msg, m, n);
	ipct_say(&msg, fifo ? N_(". Nothing in the trace can wake them now (nor anything outside it but a process that "
			      "opens the FIFO); only a signal can (kill them, or Ctrl-C)")
			    : N_(". Nothing in the trace can wake them now; only a signal can (kill them, or Ctrl-C)"));
	emit(dg, s, d, &msg);
}

/* Readers that wait on a pipe: no_eof when it is certain they never see EOF, and not part of a deadlock. */
static void check_readers(struct ipct_diag *dg, struct seen *seen, size_t n, uint64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct dproc *p = seen[i].p;

		for (int k = 0; k < seen[i].ncalls; k++) {
			const struct bcall *c = &seen[i].calls[k];
			bool self = false, writers_stuck = true, wait = false;

			if (p->reported || c->what != W_READ || now < c->since || now - c->since < BLOCKED_NS ||
			    (c->obj.kind != IPCT_KIND_PIPE && c->obj.kind != IPCT_KIND_FIFO))
				continue;
			for (int j = 0; j < c->nproviders; j++) {
				struct dproc *q = proc_live(dg, c->providers[j]);

				if (c->providers[j] == p->pid) {
					self = true;
					continue;
				}
				writers_stuck &= stuck(q);
				/* A writer just blocked may be closing the circle: wait for the next survey. */
				wait |= q && pending_block(q->seen);
			}
			if (!wait && (self || writers_stuck) && !ipct_graph_reader_said(dg->graph, p->pid, c->fd) &&
			    (!dg->check || dg->check(p->pid, c->tid, c->nr, dg->check_data)))
				ipct_graph_blocked(dg->graph, p->pid, c->fd, c->nr, c->since, now);
		}
	}
}

/* The strongly connected parts of the stuck set (n is small): i and j are in one when each reaches the other. */
static void find_cycles(struct ipct_diag *dg, struct dproc **set, int n, uint64_t now)
{
	unsigned char *reach = calloc((size_t)n * n, 1);
	struct dproc **m = calloc((size_t)n, sizeof(*m)), **also = calloc((size_t)n, sizeof(*also));
	int *stack = calloc((size_t)n, sizeof(*stack));

	if (!reach || !m || !also || !stack)
		goto out;
	for (int i = 0; i < n; i++) {
		int top = 0;

		stack[top++] = i;
		while (top) {
			int v = stack[--top];

			for (int j = 0; j < n; j++)
				if (!reach[i * n + j] && j != v && waits_on(set[v], set[j]->pid)) {
					reach[i * n + j] = 1;
					stack[top++] = j;
				}
		}
	}
	for (int i = 0; i < n; i++) {
		int nm = 0, na = 0;
		bool said = true;

		for (int j = 0; j < n; j++)
			if (j == i || (reach[i * n + j] && reach[j * n + i])) {
				m[nm++] = set[j];
				said &= set[j]->reported;
			}
		/* Each circle once (again when one of them was woken meanwhile). */
		if (nm < 2 || said)
			continue;
		for (int j = 0; j < n; j++) {
			bool in = false;

			for (int k = 0; k < nm; k++)
				in |= m[k] == set[j];
			if (!in && reach[j * n + i] && !set[j]->reported)
				also[na++] = set[j];
		}
		for (int k = 0; k < nm; k++)
			m[k]->reported = true;
		for (int k = 0; k < na; k++)
			also[k]->reported = true;
		say_deadlock(dg, m, nm, also, na, now);
	}
out:
	free(reach);
	free(m);
	free(also);
	free(stack);
}

/* The stuck set loses those with a waker outside it, until none is left to lose. */
static void settle(struct ipct_diag *dg, struct seen *seen, size_t nseen)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < nseen; i++) {
			struct seen *v = &seen[i];

			for (int k = 0; v->in_set && k < v->ncalls; k++)
				for (int j = 0; v->in_set && j < v->calls[k].nproviders; j++)
					if (!stuck(proc_live(dg, v->calls[k].providers[j]))) {
						v->in_set = false;
						changed = true;
					}
		}
	}
}

/* Every call of a blocked process still sleeps now (ipct_diag_set_check). */
static bool confirmed(struct ipct_diag *dg, const struct seen *v)
{
	for (int k = 0; dg->check && k < v->ncalls; k++)
		if (!dg->check(v->p->pid, v->calls[k].tid, v->calls[k].nr, dg->check_data))
			return false;
	return true;
}

void ipct_diag_set_check(struct ipct_diag *dg, bool (*fn)(uint32_t pid, uint32_t tid, int nr, void *data),
			 void *data)
{
	dg->check = fn;
	dg->check_data = data;
}

void ipct_diag_survey(struct ipct_diag *dg, const struct ipct_diag_thread *t, size_t n, uint64_t now_ns)
{
	/* At most one per thread. */
	struct seen *seen = calloc(n ? n : 1, sizeof(*seen));
	struct dproc **set = calloc(n ? n : 1, sizeof(*set));
	size_t nseen = 0;
	bool changed = true;
	int nset = 0;

	dg->memo_cap = 2 * n + 1;
	dg->memo = calloc(dg->memo_cap, sizeof(*dg->memo));
	if (!dg->memo)
		dg->memo_cap = 0;

	for (size_t i = 0; seen && set && i < n; i++) {
		struct dproc *p = proc_live(dg, t[i].pid);
		struct seen *v;
		struct bcall c;

		if (!p)
			continue;
		if (!p->seen) {
			p->seen = &seen[nseen++];
			p->seen->p = p;
			p->seen->long_asleep = true;
		}
		v = p->seen;
		v->nthreads++;
		if (t[i].nr < 0 || !classify(dg, p, &t[i], &c))
			continue;
		v->nasleep++;
		/* (a call noted after now was read is younger still) */
		v->long_asleep &= now_ns > t[i].since_ns && now_ns - t[i].since_ns >= BLOCKED_NS;
		if (v->ncalls < MAX_CALLS)
			v->calls[v->ncalls++] = c;
		else
			v->long_asleep = false;
	}
	for (size_t i = 0; i < nseen; i++) {
		/* The stuck set starts as every blocked process ... */
		seen[i].in_set = blocked(&seen[i]);
		/* (woken since its deadlock was said: a new one may be said) */
		if (!seen[i].in_set)
			seen[i].p->reported = false;
	}
	/* ... and keeps those whose every waker is in it, each seen asleep now: what is left is stuck for good. */
	while (changed) {
		settle(dg, seen, nseen);
		changed = false;
		for (size_t i = 0; i < nseen; i++)
			if (seen[i].in_set && !confirmed(dg, &seen[i])) {
				seen[i].in_set = false;
				changed = true;
			}
	}
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].in_set && nset < 256)
			set[nset++] = seen[i].p;
	if (nset)
		find_cycles(dg, set, nset, now_ns);
	check_readers(dg, seen, nseen, now_ns);
	for (size_t i = 0; i < nseen; i++)
		seen[i].p->seen = NULL;
	free(dg->memo);
	dg->memo = NULL;
	dg->memo_cap = 0;
	free(set);
	free(seen);
}

/* ---- events ---- */

static void on_fork(struct ipct_diag *dg, const struct ipct_event *e)
{
	struct dproc *parent = proc_find(dg, e->session, e->pid);
	struct dproc *c = proc_new(dg, e->session, e->proc.child_pid, e->comm);

	if (!c) {
		/* A child it has that the rules cannot see: its waits are not certain any more. */
		if (parent)
			parent->children_known = false;
		return;
	}
	c->ppid = e->pid;
	c->uid = e->uid;
	c->children_known = true;
	c->fork_ns = c->start_ns = e->ts_ns;
	if (!parent)
		return;
	add_kid(parent, c);
	memcpy(c->exe, parent->exe, sizeof(c->exe));
	/* Dispositions and flags are inherited. */
	c->chld_known = parent->chld_known;
	c->nocldwait = parent->nocldwait;
	c->ign = parent->ign;
	c->handled = parent->handled;
	c->dfl = parent->dfl;
}

static void on_exec(struct ipct_diag *dg, const struct ipct_event *e)
{
	struct dproc *p = proc_find(dg, e->session, e->pid);

	if (!p && !(p = proc_new(dg, e->session, e->pid, e->comm)))
		return;
	snprintf(p->comm, sizeof(p->comm), "%.*s", IPCT_COMM_LEN, e->comm);
	snprintf(p->exe, sizeof(p->exe), "%.*s", IPCT_PATH_LEN, e->proc.path);
	p->uid = e->uid;
	p->start_ns = e->ts_ns;
	p->first_call_ns = 0;
	/* Handlers become SIG_DFL and every sa_flags 0; SIG_IGN stays. */
	p->handled = 0;
	p->dfl = 0;
	p->nocldwait = false;
	p->chld_known = true;
}

static void on_exit_ev(struct ipct_diag *dg, struct dsession *s, const struct ipct_event *e)
{
	struct dproc *p = proc_find(dg, e->session, e->pid);
	struct dproc *parent;

	if (!p || !p->live)
		return;
	p->live = false;
	p->exit_ns = e->ts_ns;
	p->status = e->proc.exit_code;
	parent = proc_find(dg, e->session, p->ppid);
	if (p->orphaned) {
		p->reap = REAP_UNKNOWN;
	} else if (parent && parent->live && parent->chld_known) {
		/* SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT: the kernel reaps it now. */
		if ((parent->ign & (1ull << (SIGCHLD - 1))) || parent->nocldwait) {
			p->reap = REAP_AUTO;
			p->reaped_ns = e->ts_ns;
		}
	} else {
		p->reap = REAP_UNKNOWN;
	}
	for (size_t i = 0; i < p->nkids; i++)
		if (p->kids[i]->live)
			p->kids[i]->orphaned = true;
	rule_handler_race(dg, s, p);
	rule_not_waited(s, p);
}

/* wait4/waitid: which child it collected, and whether that reaped it. */
static void on_wait(struct ipct_diag *dg, struct dproc *p, const struct ipct_event *e, bool waitid)
{
	const struct ipct_sys *sy = &e->sys;
	bool valid = e->flags & IPCT_F_NEW_VALID;
	uint32_t pid;
	int status;
	struct dproc *c;

	if (waitid) {
		if (sy->ret != 0)
			return;
		if (!valid) {
			p->wait_unknown = true;
			return;
		}
		if (sy->args[3] & WNOWAIT)
			return;
		pid = (uint32_t)sy->x[0];
		status = ipct_waitid_status((int)(uint32_t)sy->x[1], (int)(sy->x[1] >> 32));
	} else {
		if (sy->ret <= 0)
			return;
		pid = (uint32_t)sy->ret;
		/* Without the status, only an exit can have been collected unless stops were asked for. */
		status = valid ? (int)(uint32_t)sy->x[0] : (sy->args[2] & (WUNTRACED | WCONTINUED)) ? -1 : 0;
	}
	if (status != -1 && !WIFEXITED(status) && !WIFSIGNALED(status))
		return;         /* a stop or a continue: reported, not reaped */
	c = proc_find(dg, e->session, pid);
	if (!c)
		return;
	c->reap = REAP_WAIT;
	c->reap_call = waitid ? "waitid" : "wait4";
	c->reaped_ns = e->ts_ns;
	c->reaper = p->pid;
	memcpy(c->reaper_comm, p->comm, sizeof(c->reaper_comm));
}

static void on_sigaction(struct ipct_diag *dg, struct dsession *s, struct dproc *p, const struct ipct_event *e)
{
	int sig = (int)e->sys.args[0];
	uint64_t h = e->sys.x[0], bit;
	struct install *in;

	if (e->sys.ret != 0 || !(e->flags & IPCT_F_NEW_VALID) || sig < 1 || sig > 64)
		return;
	bit = 1ull << (sig - 1);
	p->ign &= ~bit;
	p->handled &= ~bit;
	p->dfl &= ~bit;
	if (h == (uint64_t)(uintptr_t)SIG_IGN)
		p->ign |= bit;
	else if (h == (uint64_t)(uintptr_t)SIG_DFL)
		p->dfl |= bit;
	else
		p->handled |= bit;
	if (sig == SIGCHLD) {
		p->nocldwait = e->sys.x[1] & SA_NOCLDWAIT;
		p->chld_known = true;
	}
	if (!(p->handled & bit) || s->ninstalls >= MAX_INSTALLS ||
	    !grow((void **)&s->installs, &s->capinstalls, s->ninstalls, sizeof(*s->installs)))
		return;
	in = &s->installs[s->ninstalls++];
	in->pid = p->pid;
	in->ppid = p->ppid;
	in->sig = sig;
	in->ts = e->ts_ns;
	in->addr = h;
	in->name = NULL;
	in->handler[0] = 0;
	install_name(dg, in);
	memcpy(in->comm, p->comm, sizeof(in->comm));
	memcpy(in->exe, p->exe, sizeof(in->exe));
}

/* When it entered its first call: one it still sleeps in when a signal comes counts. */
static void first_call(struct dproc *p, const struct ipct_event *e)
{
	if (!p->first_call_ns)
		p->first_call_ns = e->ts_ns - (e->sys.dur_ns < e->ts_ns ? e->sys.dur_ns : 0);
}

static void on_syscall(struct ipct_diag *dg, struct dsession *s, const struct ipct_event *e)
{
	const struct ipct_syscall *sc = ipct_syscall_by_nr(e->nr);
	struct dproc *p = proc_find(dg, e->session, e->pid);

	if (!sc || !p)
		return;
	first_call(p, e);
	switch (sc->cls) {
	case IPCT_SC_SIGACTION:
		on_sigaction(dg, s, p, e);
		return;
	case IPCT_SC_WAIT4:
	case IPCT_SC_WAITID:
		on_wait(dg, p, e, sc->cls == IPCT_SC_WAITID);
		return;
	case IPCT_SC_FD:
	case IPCT_SC_FD_IOV:
	case IPCT_SC_READ:
	case IPCT_SC_READV:
	case IPCT_SC_SOCK:
	case IPCT_SC_FD_MSG:
	case IPCT_SC_FD_MMSG:
	case IPCT_SC_FD_ACCEPT:
	case IPCT_SC_CLOSE:
	case IPCT_SC_DUP2:
		/* fcntl(fd, F_GETFD) failing is how a program (a shell) asks whether fd is open. */
		if (e->sys.ret == -EBADF && strcmp(sc->name, "fcntl"))
			rule_bad_fd(dg, s, p, e, sc);
		return;
	case IPCT_SC_PLAIN:
	case IPCT_SC_SIGQUEUE:
	case IPCT_SC_TGSIGQUEUE:
		/* By number, not name: each rt_sigreturn of a handler that interrupted a call comes here. */
		if (e->sys.ret < 0 && (sc->nr == __NR_kill || sc->nr == __NR_tkill || sc->nr == __NR_tgkill ||
				       sc->nr == __NR_pidfd_send_signal || sc->cls != IPCT_SC_PLAIN))
			rule_kill_failed(dg, s, p, e, sc->name);
		return;
	default:
		return;
	}
}

static void on_generate(struct ipct_diag *dg, struct dsession *s, const struct ipct_event *e)
{
	const struct ipct_sig *sg = &e->sig;
	uint32_t child = (uint32_t)sg->sifields[0];
	struct dproc *t, *c;
	uint64_t bit;

	if (sg->sig == SIGCHLD && sg->code > 0 && sg->code != SI_KERNEL && (c = proc_find(dg, e->session, child))) {
		/* Not to its parent: the parent is gone and somebody adopted it. */
		if (sg->target_pid != c->ppid) {
			c->adopter = sg->target_pid;
			snprintf(c->adopter_comm, sizeof(c->adopter_comm), "%.*s", IPCT_COMM_LEN, sg->target_comm);
		}
		/* Sent from the exiting parent's exit_notify(): its zombie is handed over. */
		if (e->pid == c->ppid && child != e->pid && !c->live && c->reap == REAP_NONE) {
			c->reap = REAP_ADOPTED;
			c->reaped_ns = e->ts_ns;
		}
		/* Its own, sent last: every zombie it had is handed over. */
		if (child == e->pid && !c->live)
			c->notified = true;
		flush_pending(dg, s, false, e->ts_ns);
		return;
	}
	/* A signal another process of the trace sent that would end its target: the one that kills it comes first. */
	if (sg->sig < 1 || sg->sig > 64 || (sg->code != SI_USER && sg->code != SI_QUEUE && sg->code != SI_TKILL) ||
	    sg->result != 0 || e->pid == sg->target_pid || !proc_find(dg, e->session, e->pid) ||
	    !(t = proc_find(dg, e->session, sg->target_pid)) || t->fatal.sig)
		return;
	bit = 1ull << (sg->sig - 1);
	if ((t->handled | t->ign) & bit || (ipct_sig_default(sg->sig) != IPCT_DFL_TERM &&
					     ipct_sig_default(sg->sig) != IPCT_DFL_CORE))
		return;
	t->fatal.sig = sg->sig;
	t->fatal.sender = e->pid;
	snprintf(t->fatal.sender_comm, sizeof(t->fatal.sender_comm), "%.*s", IPCT_COMM_LEN, e->comm);
	t->fatal.ts = e->ts_ns;
}

/*
 * Most events are descriptor calls that succeeded (reads and writes): of
 * them, on_syscall only notes a process's first call. Done here without
 * the rest; false for anything else.
 */
static bool fd_class(uint8_t cls)
{
	switch (cls) {
	case IPCT_SC_FD:
	case IPCT_SC_FD_IOV:
	case IPCT_SC_READ:
	case IPCT_SC_READV:
	case IPCT_SC_SOCK:
	case IPCT_SC_FD_MSG:
	case IPCT_SC_FD_MMSG:
		return true;
	}
	return false;
}

static bool quick_fd_call(struct ipct_diag *dg, const struct ipct_evctx *cx)
{
	const struct ipct_event *e = cx->e;
	struct dproc *p;

	/* A read or write that succeeded (cx->io, most events) is one of them: its class is not asked. */
	if (!cx->io && (!cx->sc || e->sys.ret < 0 || !fd_class(cx->sc->cls)))
		return false;
	/* A process is in the hash only while its session is known (ipct_diag_end_session). */
	p = proc_find(dg, e->session, e->pid);
	if (p)
		first_call(p, e);
	return true;
}

/* Not inlined: its register saving would be paid by the events quick_fd_call takes. */
static __attribute__((noinline)) void diag_event(struct ipct_diag *dg, const struct ipct_event *e)
{
	struct dsession *s = session_find(dg, e->session);

	if (!s)
		return;
	switch (e->type) {
	case IPCT_EV_FORK:
		on_fork(dg, e);
		break;
	case IPCT_EV_EXEC:
		on_exec(dg, e);
		break;
	case IPCT_EV_EXIT:
		on_exit_ev(dg, s, e);
		break;
	case IPCT_EV_SYSCALL:
		on_syscall(dg, s, e);
		break;
	case IPCT_EV_SIGNAL_GENERATE:
		on_generate(dg, s, e);
		break;
	}
}

void ipct_diag_event(struct ipct_diag *dg, const struct ipct_evctx *cx)
{
	if (!quick_fd_call(dg, cx))
		diag_event(dg, cx->e);
}

bool ipct_diag_adopted(struct ipct_diag *dg, uint32_t session, uint32_t child_pid, uint32_t target_pid)
{
	struct dproc *c = proc_find(dg, session, child_pid);
	struct dproc *parent = c ? proc_find(dg, session, c->ppid) : NULL;

	/* Orphaned while it ran, or a zombie handed over as its parent exited. */
	return c && parent && !parent->live && target_pid != c->ppid && (c->orphaned || zombie(c));
}

void ipct_diag_end_session(struct ipct_diag *dg, uint32_t session)
{
	struct dsession **sp = &dg->sessions, *s;

	while (*sp && (*sp)->id != session)
		sp = &(*sp)->next;
	if (!(s = *sp))
		return;
	flush_pending(dg, s, true, 0);
	for (size_t i = 0; i < s->nprocs; i++)
		proc_unhash(dg, s->procs[i]);
	*sp = s->next;
	session_free(dg, s);
}

/* ---- run --explain ---- */

/* Causes come first: a leaked write end is why a reader never sees EOF; a race is why a process died. */
static int rank_of(struct json_object *d)
{
	static const char *const order[][6] = {
		{ "leaked_write_end", "handler_race", "pipe_unused", NULL },
		{ "deadlock", "no_eof", NULL },
		{ "write_after_close", "kill_failed", "not_waited", "bad_fd", "leaked_ipc", NULL },
	};
	const char *kind = json_object_get_string(member(d, "kind"));

	for (int r = 0; kind && r < 3; r++)
		for (int i = 0; order[r][i]; i++)
			if (!strcmp(kind, order[r][i]))
				return r;
	return 1;
}

/* Does d name this process or object (in pid/object, or in its processes and objects)? */
static bool names(struct json_object *d, int64_t pid, const char *object)
{
	struct json_object *procs = member(d, "processes"), *objs = member(d, "objects");

	if (pid >= 0 && member(d, "pid") && json_object_get_int64(member(d, "pid")) == pid)
		return true;
	if (object && member(d, "object") && !strcmp(json_object_get_string(member(d, "object")), object))
		return true;
	for (size_t i = 0; pid >= 0 && procs && i < json_object_array_length(procs); i++)
		if (json_object_get_int64(member(json_object_array_get_idx(procs, i), "pid")) == pid)
			return true;
	for (size_t i = 0; object && objs && i < json_object_array_length(objs); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(objs, i)), object))
			return true;
	return false;
}

/* Whether a and b share a process or an object. */
static bool related(struct json_object *a, struct json_object *b)
{
	struct json_object *procs = member(a, "processes"), *objs = member(a, "objects");

	if (member(a, "pid") && names(b, json_object_get_int64(member(a, "pid")), NULL))
		return true;
	if (member(a, "object") && names(b, -1, json_object_get_string(member(a, "object"))))
		return true;
	for (size_t i = 0; procs && i < json_object_array_length(procs); i++)
		if (names(b, json_object_get_int64(member(json_object_array_get_idx(procs, i), "pid")), NULL))
			return true;
	for (size_t i = 0; objs && i < json_object_array_length(objs); i++)
		if (names(b, -1, json_object_get_string(json_object_array_get_idx(objs, i))))
			return true;
	return false;
}

static int find_root(int *up, int i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

struct ranked {
	struct json_object *d;
	int group, rank;
	int64_t time;
	size_t order;
};

static int by_rank(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank - b->rank;
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

struct json_object *ipct_diag_explain(struct json_object *diags)
{
	size_t n = diags ? json_object_array_length(diags) : 0;
	struct json_object *out = json_object_new_array();
	struct ranked *r = calloc(n ? n : 1, sizeof(*r));
	int *up = calloc(n ? n : 1, sizeof(*up)), *first = calloc(n ? n : 1, sizeof(*first));
	size_t ngroups = 0;

	if (!out || !r || !up || !first) {
		json_object_put(out);
		out = NULL;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		up[i] = (int)i;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (related(json_object_array_get_idx(diags, i), json_object_array_get_idx(diags, j)))
				up[find_root(up, (int)i)] = find_root(up, (int)j);
	for (size_t i = 0; i < n; i++) {
		r[i].d = json_object_array_get_idx(diags, i);
		r[i].rank = rank_of(r[i].d);
		r[i].time = member(r[i].d, "time_ns") ? json_object_get_int64(member(r[i].d, "time_ns")) : 0;
		r[i].order = i;
		r[i].group = find_root(up, (int)i);
	}
	qsort(r, n, sizeof(*r), by_rank);
	/* A group's place is its root cause's: the first of its diagnoses in that order. */
	for (size_t i = 0; i < n; i++)
		first[i] = -1;
	for (size_t i = 0; i < n; i++)
		if (first[r[i].group] < 0) {
			first[r[i].group] = (int)ngroups++;
			json_object_array_add(out, json_object_new_array());
		}
	for (size_t i = 0; i < n; i++)
		json_object_array_add(json_object_array_get_idx(out, (size_t)first[r[i].group]), json_object_get(r[i].d));
done:
	free(r);
	free(up);
	free(first);
	return out;
}

const char *ipct_diag_text(struct json_object *d, size_t max, struct json_object **hold)
{
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *text = json_object_to_json_string_ext(d, flags);
	struct json_object *ev;
	size_t len = strlen(text);
	int dropped = 0;

	*hold = json_object_get(d);
	if (len <= max)
		return text;
	/* The client got the whole diagnosis: the one it holds stays as it is. */
	json_object_put(*hold);
	*hold = NULL;
	if (json_object_deep_copy(d, hold, NULL) < 0)
		return NULL;
	ev = member(*hold, "evidence");
	while (len > max && ev && json_object_array_length(ev)) {
		size_t n = json_object_array_length(ev), cut = 0, drop = 0;

		/* As many entries as make up the excess (each with its comma), then measured again. */
		while (drop < n && len - cut > max)
			cut += strlen(json_object_to_json_string_ext(json_object_array_get_idx(ev, n - ++drop),
								     flags)) + 1;
		json_object_array_del_idx(ev, n - drop, drop);
		dropped += (int)drop;
		json_object_object_add(*hold, "evidence_truncated", json_object_new_int(dropped));
		text = json_object_to_json_string_ext(*hold, flags);
		len = strlen(text);
	}
	return len <= max ? text : NULL;
}
