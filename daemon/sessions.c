// SPDX-License-Identifier: MIT
/*
 * Trace sessions: a process tree that one client asked for. Events are
 * routed by the session id that the BPF side stamps on each record; a
 * session ends when its last process has exited, which the daemon counts
 * from fork and exit records and confirms against the kernel's traced map
 * (the map is right even when records were lost).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "daemon.h"

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t realtime_offset_ns(void)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	return (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec - (int64_t)monotonic_ns();
}

struct session *session_find(struct daemon *d, uint32_t id)
{
	for (struct session *s = d->sessions; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

int session_start(struct daemon *d, struct client *owner, const pid_t *pids, size_t n,
		  const struct trace_opts *o, struct session **out)
{
	struct session *s = calloc(1, sizeof(*s));
	int err = 0;

	if (!s)
		return -ENOMEM;
	for (struct session *x = d->sessions; o->all && x; x = x->next)
		if (x->all)
			err = -EEXIST;
	s->id = ++d->next_session;
	s->root = n ? pids[0] : 0;
	s->uid = owner->uid;
	/* A background session streams to nobody: it is logged. */
	s->owner = o->background ? NULL : owner;
	s->want_records = o->records;
	s->want_pipes = o->pipes;
	/* Counting here spares streaming every event to a client that wants only the sums. */
	if (o->count && !(s->counts = calloc(1, sizeof(*s->counts)))) {
		free(s);
		return -ENOMEM;
	}
	s->all = o->all;
	s->background = o->background;
	/* `ipctrace run` forked the command itself: its SIGCHLD is the launcher's business. */
	s->launcher = o->from_exec ? owner->pid : 0;
	s->nprocs = (int64_t)n;
	s->ring_lost_start = d->ring_lost;
	/* Attach before the first process joins, so that none of its events is missed. */
	if (!err)
		err = tracer_attach(d->tracer);
	s->start_ns = monotonic_ns();
	s->realtime_off = realtime_offset_ns();
	ipct_graph_session_clock(d->graph, s->id, s->realtime_off);
	/* System-wide, every process on the machine: too many to diagnose. */
	if (!o->all)
		ipct_diag_session(d->diag, s->id, s->start_ns, s->realtime_off);
	for (size_t i = 0; !err && i < n; i++)
		err = tracer_trace_pid(d->tracer, pids[i], s->id, o->from_exec);
	if (!err && o->all)
		tracer_set_all(d->tracer, s->id);
	if (err) {
		tracer_untrace_session(d->tracer, s->id);
		ipct_diag_end_session(d->diag, s->id);
		if (!d->sessions)
			tracer_detach(d->tracer);
		free(s->counts);
		free(s);
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		/* A running process: the correlator cannot wait for its exec to learn of it. */
		if (!o->from_exec)
			ipct_lc_track(d->lc, (uint32_t)pids[i], s->id);
		/* Running or held before exec, it has descriptors already: pipes it inherited. */
		pipes_seed(d, pids[i], s->id, o->from_exec);
	}
	s->next = d->sessions;
	d->sessions = s;
	*out = s;
	return 0;
}

void session_end(struct daemon *d, struct session *s, const char *reason)
{
	struct session **pp;

	tracer_untrace_session(d->tracer, s->id);
	if (s->all)
		tracer_set_all(d->tracer, 0);
	/* What is still pending now will not be seen delivered: its records go out before the notice. */
	ipct_lc_end_session(d->lc, s->id, monotonic_ns());
	pipes_session_end(d, s);
	if (s->owner) {
		struct json_object *n = json_object_new_object();

		json_object_object_add(n, "notice", json_object_new_string("session_end"));
		json_object_object_add(n, "session", json_object_new_int64(s->id));
		json_object_object_add(n, "reason", json_object_new_string(reason));
		json_object_object_add(n, "events", json_object_new_int64((int64_t)s->events));
		if (s->counts)
			json_object_object_add(n, "counts", ipct_counts_json(s->counts));
		json_object_object_add(n, "lost", json_object_new_int64((int64_t)(
			d->ring_lost - s->ring_lost_start + s->client_lost)));
		client_queue_json(s->owner, n);
		json_object_put(n);
	}
	for (pp = &d->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	free(s->counts);
	free(s->notifying);
	free(s);
	/* Nothing traced: stop costing every other process its syscall overhead. */
	if (!d->sessions)
		tracer_detach(d->tracer);
}

void sessions_drop_client(struct daemon *d, struct client *c)
{
	struct session *s = d->sessions, *next;

	for (; s; s = next) {
		next = s->next;
		if (s->owner == c) {
			s->owner = NULL;
			session_end(d, s, "client_gone");
		}
	}
}

/*
 * Whether every exited process of s has told its parent: exit_notify()
 * sends SIGCHLD after the exit event, and marks the task a zombie (or
 * reaps it) only then. Its SIGCHLD event is then in the ring.
 */
static bool notified(struct session *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->nnotifying; i++) {
		char path[64], line[512], *st;
		FILE *f;
		bool done = true;

		snprintf(path, sizeof(path), "/proc/%d/stat", s->notifying[i]);
		f = fopen(path, "re");
		if (f) {
			/* The state follows the command name's closing parenthesis. */
			if (fgets(line, sizeof(line), f) && (st = strrchr(line, ')')) && st[1] == ' ')
				done = st[2] == 'Z' || st[2] == 'X';
			fclose(f);
		}
		if (!done)
			s->notifying[k++] = s->notifying[i];
	}
	s->nnotifying = k;
	return k == 0;
}

/* An exit event: its SIGCHLD is still to come. */
static void exit_seen(struct session *s, pid_t pid)
{
	pid_t *n = realloc(s->notifying, (s->nnotifying + 1) * sizeof(*n));

	if (!n)
		return;
	s->notifying = n;
	s->notifying[s->nnotifying++] = pid;
}

/* A SIGCHLD from an exited process: it has told its parent. */
static void notify_seen(struct session *s, pid_t pid)
{
	for (size_t i = 0; i < s->nnotifying; i++)
		if (s->notifying[i] == pid) {
			s->notifying[i] = s->notifying[--s->nnotifying];
			return;
		}
}

int sessions_on_event(void *ctx, const struct ipct_event *e)
{
	struct daemon *d = ctx;
	struct session *s;

	d->events++;
	if (e->version != IPCT_EVENT_VERSION)
		return 0;
	ipct_counts_add(&d->counts, e);
	log_add(d, IPCT_JREC_EVENT, e, sizeof(*e), e->ts_ns);
	log_follow(d, e);
	s = session_find(d, e->session);
	if (!s)
		return 0;
	s->events++;
	if (e->type == IPCT_EV_FORK) {
		s->nprocs++;
	} else if (e->type == IPCT_EV_EXIT) {
		exit_seen(s, (pid_t)e->pid);
		if (--s->nprocs <= 0)
			s->check_end = true;
	} else if (e->type == IPCT_EV_SIGNAL_GENERATE && e->sig.sig == SIGCHLD && s->nnotifying) {
		notify_seen(s, (pid_t)e->pid);
	}
	if (s->counts) {
		ipct_counts_add(s->counts, e);
	} else if (s->owner) {
		uint64_t before = s->owner->lost;

		client_queue_event(s->owner, e);
		s->client_lost += s->owner->lost - before;
	}
	/* After the event itself: a record it completes follows it in the stream. */
	ipct_syms_on_event(d->syms, e);
	ipct_lc_event(d->lc, e);
	ipct_graph_event(d->graph, e);
	ipct_diag_event(d->diag, e);
	return 0;
}

/*
 * Ends the sessions whose processes have all exited, as the kernel's map
 * says. Only sessions whose count reached zero are asked, unless `full`:
 * records lost to a full ring can leave a count wrong. The map is read
 * before the last drain, so the final records of a process that exits in
 * between are routed before its session ends.
 */
void sessions_check(struct daemon *d, bool full)
{
	struct session *s, *next;
	bool any = false;

	for (s = d->sessions; s; s = s->next) {
		/* A system-wide session has no last process. */
		s->ending = !s->all && (s->check_end || full) && tracer_session_procs(d->tracer, s->id) == 0 &&
			    notified(s);
		s->check_end = s->check_end && !s->ending;
		any |= s->ending;
	}
	if (!any)
		return;
	tracer_drain(d->tracer);
	for (s = d->sessions; s; s = next) {
		next = s->next;
		if (s->ending)
			session_end(d, s, "exited");
	}
}
