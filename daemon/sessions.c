// SPDX-License-Identifier: MIT
/*
 * Trace sessions: a process tree that one client asked for. Events are
 * routed by the session id that the BPF side stamps on each record; a
 * session ends when its last process has exited, which the kernel side
 * counts where it adds and removes processes (struct ipct_session_procs:
 * right even when records were lost, and one load to read whatever the
 * number of traced processes). Each session keeps the list of its
 * processes, from fork and exit records, to take them out of the traced
 * set one by one when it ends early.
 */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "syscalls.h"

/*
 * Not CLOCK_MONOTONIC, which stops while the machine is suspended: a
 * session's offset to wall-clock time, taken once, would be wrong by the
 * length of every suspend that followed.
 */
uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Two clocks read one after the other: a preemption between the reads
 * would be in the offset (4 ms once in a loaded guest), and two clients
 * given two offsets would see one event at two times. So the wall clock is
 * read between two readings of the boot clock, a few times while they are
 * far apart, and set against their middle in the closest pair.
 */
int64_t realtime_offset_ns(void)
{
	int64_t best = 0, width = INT64_MAX;

	for (int i = 0; i < 8 && width > 20000; i++) {
		struct timespec rt;
		int64_t b0 = (int64_t)boottime_ns(), b1;

		clock_gettime(CLOCK_REALTIME, &rt);
		b1 = (int64_t)boottime_ns();
		if (b1 - b0 < width) {
			width = b1 - b0;
			best = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec - (b0 + width / 2);
		}
	}
	return best;
}

struct session *session_find(struct daemon *d, uint32_t id)
{
	for (struct session *s = d->sessions; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

/* The session's processes, a tsearch(3) tree whose keys are the pids themselves. */
static int pid_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y ? -1 : x > y;
}

static void pid_add(struct session *s, pid_t pid)
{
	if (tsearch((void *)(uintptr_t)pid, &s->pids, pid_cmp))
		s->npids++;
}

static void pid_remove(struct session *s, pid_t pid)
{
	if (tdelete((void *)(uintptr_t)pid, &s->pids, pid_cmp))
		s->npids--;
}

struct pid_list {
	pid_t *pids;
	size_t n;
};

static void pid_collect(const void *node, VISIT which, void *ctx)
{
	struct pid_list *l = ctx;

	if (which == postorder || which == leaf)
		l->pids[l->n++] = (pid_t)(uintptr_t)*(void *const *)node;
}

static void pid_none(void *p)
{
	(void)p;
}

/* The session's processes, as its fork and exit records list them (l.pids NULL without memory). */
static struct pid_list session_pids(struct session *s)
{
	struct pid_list l = { calloc(s->npids ? s->npids : 1, sizeof(pid_t)), 0 };

	if (l.pids)
		twalk_r(s->pids, pid_collect, &l);
	return l;
}

/*
 * Takes the session's processes out of the traced set and frees its
 * kernel-side slot; their pids go into left when it is given.
 */
static void session_close(struct daemon *d, struct session *s, struct json_object *left)
{
	struct pid_list l = session_pids(s);

	for (size_t i = 0; left && i < l.n; i++)
		json_object_array_add(left, json_object_new_int(l.pids[i]));
	tracer_session_close(d->tracer, s->id, l.pids, l.n);
	d->last_close_ns = boottime_ns();
	free(l.pids);
	tdestroy(s->pids, pid_none);
	s->pids = NULL;
	s->npids = 0;
}

/* A user's kernel-side count is freed with its last session. */
static void uid_slot_put(struct daemon *d, struct ipct_uid_use *use)
{
	if (use->kslot && !use->sessions) {
		tracer_uid_close(d->tracer, use->kslot);
		use->kslot = 0;
	}
}

/*
 * A new session's id: the next whose kernel-side slot no live session holds.
 * A user held to the limits has one kernel-side count over all its sessions
 * (claimed with its first): the kernel keeps it within --uid-processes as
 * its processes fork, each session within --session-processes.
 */
static int session_open(struct daemon *d, struct session *s, struct ipct_uid_use *use)
{
	uint64_t cap = s->unpriv ? d->limits.session_procs : 0;
	int err = -EBUSY;

	if (s->unpriv && !use->kslot) {
		err = tracer_uid_open(d->tracer, s->uid, d->limits.procs);
		if (err < 0)
			return err;
		use->kslot = (uint32_t)err;
		err = -EBUSY;
	}
	for (int i = 0; i < IPCT_SESSION_SLOTS && err == -EBUSY; i++) {
		s->id = ++d->next_session;
		err = tracer_session_open(d->tracer, s->id, s->unpriv ? IPCT_SP_UNPRIV : 0, cap,
					  s->unpriv ? use->kslot : 0);
	}
	if (err)
		uid_slot_put(d, use);
	return err;
}

/* Ending, or detaching: out of the traced set, its end (and notice) on the way; `detach` no longer finds it. */
bool session_stopped(const struct session *s)
{
	return s->end_reason || s->detaching;
}

uint64_t sessions_uid_procs(struct daemon *d, uid_t uid)
{
	uint64_t n = 0;

	/* One that is ending traces none: its kernel-side slot may be another's now. */
	for (struct session *s = d->sessions; s; s = s->next)
		if (s->uid == uid && !session_stopped(s))
			n += (uint64_t)tracer_session_procs(d->tracer, s->id);
	return n;
}

static void read_comm(pid_t pid, char comm[IPCT_COMM_LEN])
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = read(fd, comm, IPCT_COMM_LEN - 1);
	close(fd);
	comm[len > 0 ? len - (comm[len - 1] == '\n') : 0] = 0;
}

/* A session's entry in the list (docs/protocol.md, "sessions"); lost is the ring's and the client's. */
static struct json_object *session_json(struct daemon *d, const struct session *s, const char *state,
					uint64_t ring_lost)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "session", json_object_new_int64(s->id));
	json_object_object_add(o, "uid", json_object_new_int64(s->uid));
	json_object_object_add(o, "command", json_object_new_string(s->all ? "" : s->comm));
	json_object_object_add(o, "pid", json_object_new_int64(s->root));
	json_object_object_add(o, "all", json_object_new_boolean(s->all));
	json_object_object_add(o, "processes",
			       json_object_new_int64(session_stopped(s) ? 0 : tracer_session_procs(d->tracer, s->id)));
	json_object_object_add(o, "start_ns", json_object_new_int64((int64_t)s->start_ns + s->realtime_off));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "events", json_object_new_int64((int64_t)s->events));
	json_object_object_add(o, "lost", json_object_new_int64((int64_t)(ring_lost + s->client_lost)));
	return o;
}

struct json_object *sessions_list(struct daemon *d, struct client *c)
{
	struct json_object *a = json_object_new_array();
	struct tracer_session_losses kl;
	size_t n = 0;

	for (struct session *s = d->sessions; s; s = s->next)
		n++;
	/* Oldest first: the list is newest first, and ids grow. */
	for (size_t i = n; i > 0; i--) {
		struct session *s = d->sessions;

		for (size_t j = 1; j < i; j++)
			s = s->next;
		if (!c->privileged && s->uid != c->uid)
			continue;
		/* Ending: its end waits for handler names (session_end); its losses were read then. */
		if (s->end_reason)
			kl = s->end_losses;
		else
			tracer_session_losses(d->tracer, s->id, &kl);
		json_object_array_add(a, session_json(d, s, session_stopped(s) ? "ending" : s->owner ? "running" : "background",
						      kl.lost));
	}
	/* Ended ones after: the ring from its oldest. */
	for (size_t i = 0; i < ENDED_MAX; i++) {
		struct json_object *e = d->ended[(d->ended_next + i) % ENDED_MAX], *uid;

		if (e && json_object_object_get_ex(e, "uid", &uid) &&
		    (c->privileged || (uid_t)json_object_get_int64(uid) == c->uid))
			json_object_array_add(a, json_object_get(e));
	}
	return a;
}

void sessions_free(struct daemon *d)
{
	for (size_t i = 0; i < ENDED_MAX; i++)
		json_object_put(d->ended[i]);
}

void sessions_keep_ended(struct daemon *d, struct json_object *entry)
{
	struct json_object **slot = &d->ended[d->ended_next++ % ENDED_MAX];

	json_object_put(*slot);
	*slot = entry;
}

/* Kept for the list, and in the journal for a restarted daemon's: how it ended, when, its final counts. */
static void session_ended(struct daemon *d, const struct session *s, const char *reason, uint64_t ring_lost)
{
	struct json_object *o = session_json(d, s, "ended", ring_lost);

	json_object_object_add(o, "reason", json_object_new_string(reason));
	/* When it was due: its last records may have waited for their names since. */
	json_object_object_add(o, "end_ns", json_object_new_int64(realtime_offset_ns() + (int64_t)s->end_due_ns));
	log_session_end(d, s, o);
	sessions_keep_ended(d, o);
}

int session_start(struct daemon *d, struct client *owner, const pid_t *pids, size_t n,
		  const struct trace_opts *o, struct session **out)
{
	struct session *s = calloc(1, sizeof(*s));
	int err = 0;

	if (!s)
		return -ENOMEM;
	/* Counting here spares streaming every event to a client that wants only the sums. */
	if (o->count && !(s->counts = calloc(1, sizeof(*s->counts)))) {
		free(s);
		return -ENOMEM;
	}
	/* One that is ending or detaching has given up tracing everything. */
	for (struct session *x = d->sessions; o->all && x; x = x->next)
		if (x->all && !session_stopped(x))
			err = -EEXIST;
	s->uid = owner->uid;
	s->unpriv = !owner->privileged;
	if (!err)
		err = session_open(d, s, owner->use);
	if (err) {
		free(s->counts);
		free(s);
		return err;
	}
	/*
	 * Nothing but counts wanted: the kernel side counts the calls and
	 * signals (a record costs most in the ring's reserve). Before any
	 * process joins; with no slot free, they are records as for any session.
	 */
	if (o->count && o->count_only && !o->records && !o->pipes && !o->all && !o->background)
		s->kcount = tracer_count_open(d->tracer, s->id) == 0;
	s->root = n ? pids[0] : 0;
	/* A running process has its name; run's names itself at its exec (sessions_on_event). */
	if (n && !o->from_exec)
		read_comm(pids[0], s->comm);
	/* A background session streams to nobody: it is logged. */
	s->owner = o->background ? NULL : owner;
	s->want_records = o->records;
	s->want_pipes = o->pipes;
	s->all = o->all;
	s->background = o->background;
	/* `ipctrace run` forked the command itself: its SIGCHLD is the launcher's business. */
	s->launcher = o->from_exec ? owner->pid : 0;
	s->ring_lost_start = d->ring_lost;
	/* Attach before the first process joins, so that none of its events is missed. */
	err = tracer_attach(d->tracer);
	s->start_ns = boottime_ns();
	s->realtime_off = realtime_offset_ns();
	ipct_graph_session_clock(d->graph, s->id, s->realtime_off);
	/* System-wide, every process on the machine: too many to diagnose; counted in the kernel: nothing to. */
	if (!o->all && !s->kcount)
		ipct_diag_session(d->diag, s->id, s->start_ns, s->realtime_off);
	for (size_t i = 0; !err && i < n; i++) {
		err = tracer_trace_pid(d->tracer, pids[i], s->id, o->from_exec);
		if (!err)
			pid_add(s, pids[i]);
	}
	/*
	 * The one process kept out is the client this session streams to:
	 * connecting to the daemon hides nobody else (a privileged session's
	 * own client, since only those may trace everything).
	 */
	if (!err && o->all)
		tracer_set_all(d->tracer, s->id, s->owner && !s->counts ? owner->pid : 0);
	if (err) {
		session_close(d, s, NULL);
		ipct_graph_end_session(d->graph, s->id);
		ipct_diag_end_session(d->diag, s->id);
		if (!d->sessions)
			tracer_detach(d->tracer);
		uid_slot_put(d, owner->use);
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
	/* Before any of its diagnoses: `explain` walks back from them to it. */
	log_session(d, s);
	s->use = owner->use;
	s->use->sessions++;
	s->next = d->sessions;
	d->sessions = s;
	*out = s;
	return 0;
}

static void session_finish(struct daemon *d, struct session *s);

void session_end(struct daemon *d, struct session *s, const char *reason)
{
	/* Its end is under way, waiting for handler names: nothing more to do. */
	if (s->end_reason)
		return;
	/* A session cut short tells its client what it leaves running. */
	s->end_left = s->owner && strcmp(reason, "exited") ? json_object_new_array() : NULL;
	tracer_session_losses(d->tracer, s->id, &s->end_losses);
	session_close(d, s, s->end_left);
	if (s->kcount) {
		struct ipct_counts k = { 0 };
		int64_t n = tracer_count_close(d->tracer, s->id, &k);

		if (n < 0)
			fprintf(stderr, "ipctraced: session %u: the kernel side's counts could not be read: %s\n", s->id,
				strerror((int)-n));
		else
			s->events += (uint64_t)n;
		ipct_counts_merge(s->counts, &k);
		ipct_counts_merge(&d->counts, &k);
	}
	/* A detach stopped it already: another may trace everything since. */
	if (s->all && !s->detaching)
		tracer_set_all(d->tracer, 0, 0);
	/* What is still pending now will not be seen delivered: its records go out before the notice. */
	ipct_lc_end_session(d->lc, s->id, boottime_ns());
	s->end_reason = reason;
	s->end_due_ns = boottime_ns();
	/*
	 * Records still waiting for a handler's name hold the rest: the loop
	 * serves every other client meanwhile, and sessions_settle finishes
	 * once they went.
	 */
	if (records_flush_session(d, s, false))
		session_finish(d, s);
}

void sessions_settle(struct daemon *d, bool quitting)
{
	struct session *s, *next;

	for (s = d->sessions; s; s = next) {
		next = s->next;
		if (s->end_reason && records_flush_session(d, s, quitting))
			session_finish(d, s);
	}
}

/* The rest of the end: its graph, its owner's notice after every record, the log, and it goes. */
static void session_finish(struct daemon *d, struct session *s)
{
	const char *reason = s->end_reason;
	struct tracer_session_losses kl = s->end_losses;
	struct json_object *left = s->end_left;
	struct session **pp;

	pipes_session_end(d, s);
	if (s->owner) {
		struct json_object *n = json_object_new_object();

		json_object_object_add(n, "notice", json_object_new_string("session_end"));
		json_object_object_add(n, "session", json_object_new_int64(s->id));
		json_object_object_add(n, "reason", json_object_new_string(reason));
		json_object_object_add(n, "events", json_object_new_int64((int64_t)s->events));
		if (s->counts)
			json_object_object_add(n, "counts", ipct_counts_json(s->counts));
		json_object_object_add(n, "lost", json_object_new_int64((int64_t)(kl.lost + s->client_lost)));
		/* Why: the ring had no room for its records (the kernel counts them by session), or its client read too slowly. */
		json_object_object_add(n, "lost_ring", json_object_new_int64((int64_t)kl.lost));
		json_object_object_add(n, "lost_client", json_object_new_int64((int64_t)s->client_lost));
		/* Children the kernel did not trace: its traced set, or the session's cap, was full. */
		json_object_object_add(n, "untraced_processes", json_object_new_int64((int64_t)kl.untraced));
		/* Processes that left at a privileged exec. */
		json_object_object_add(n, "privileged_execs", json_object_new_int64((int64_t)kl.left));
		if (left)
			json_object_object_add(n, "processes", left);
		client_queue_json(s->owner, n);
		json_object_put(n);
	}
	/* A detach's requester hears after the owner (docs/protocol.md). */
	if (s->detacher) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "detached", json_object_new_boolean(1));
		reply_ok(s->detacher, r);
	}
	session_ended(d, s, reason, kl.lost);
	for (pp = &d->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->use->sessions--;
	uid_slot_put(d, s->use);
	ipct_usage_put(&d->usage, s->use);
	free(s->counts);
	free(s->notifying);
	free(s);
	/*
	 * Nothing traced: stop costing every other process its syscall
	 * overhead. The loop drains only while something is attached: what
	 * the ring still holds goes into the log now, not at the next trace.
	 */
	if (!d->sessions) {
		tracer_drain(d->tracer);
		tracer_detach(d->tracer);
	}
}

void session_detach(struct daemon *d, struct session *s, struct client *requester)
{
	struct pid_list l = session_pids(s);

	tracer_session_untrace(d->tracer, s->id, l.pids, l.n);
	free(l.pids);
	if (s->all)
		tracer_set_all(d->tracer, 0, 0);
	s->detaching = true;
	s->detach_mark = tracer_ring_mark(d->tracer);
	s->detacher = requester;
	/* Ended now when the ring holds nothing of it; else at a drain to come. */
	sessions_check(d);
}

void sessions_drop_client(struct daemon *d, struct client *c)
{
	struct session *s = d->sessions, *next;

	for (; s; s = next) {
		next = s->next;
		/* It asked for a detach and left before its reply: the detach goes on, with no reply. */
		if (s->detacher == c)
			s->detacher = NULL;
		if (s->owner != c)
			continue;
		s->owner = NULL;
		/* Ending already: it ends as it was to, logged, with no notice for a stream that is gone. */
		json_object_put(s->end_left);
		s->end_left = NULL;
		session_end(d, s, "client_gone");
	}
}

/*
 * Whether an exited process, by its /proc/PID/stat, has told its parent:
 * exit_notify() marks it a zombie and only then, under the same lock,
 * sends the parent its exit signal (do_notify_parent), so a zombie's
 * record may still be to come. Told: reaped (gone, or X: after that
 * lock, so after the record); a zombie with no exit signal to send (a
 * clone without one), or whose records the session lost (the record may
 * be among them). Otherwise its exit signal's record tells (notify_seen).
 */
static bool told_parent(pid_t pid, bool lost)
{
	char path[64], line[1024], *p, *save;
	int field = 3, exit_signal = -1;
	char state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
	fclose(f);
	/* The fields after the command name's closing parenthesis: the state is 3rd, exit_signal 38th. */
	for (p = p ? strtok_r(p + 1, " ", &save) : NULL; p; p = strtok_r(NULL, " ", &save), field++) {
		if (field == 3)
			state = p[0];
		else if (field == 38) {
			exit_signal = atoi(p);
			break;
		}
	}
	return state == 'X' || (state == 'Z' && (exit_signal == 0 || lost));
}

/* Whether every exited process of s has told its parent. */
static bool notified(struct daemon *d, struct session *s)
{
	struct tracer_session_losses kl;
	size_t k = 0;

	tracer_session_losses(d->tracer, s->id, &kl);
	for (size_t i = 0; i < s->nnotifying; i++)
		if (!told_parent(s->notifying[i], kl.lost > 0))
			s->notifying[k++] = s->notifying[i];
	s->nnotifying = k;
	return k == 0;
}

/* An exit event: its exit signal is still to come. */
static void exit_seen(struct session *s, pid_t pid)
{
	pid_t *n = realloc(s->notifying, (s->nnotifying + 1) * sizeof(*n));

	if (!n)
		return;
	s->notifying = n;
	s->notifying[s->nnotifying++] = pid;
}

/*
 * An exited process's exit signal (CLD_EXITED ...; SIGCHLD, or its
 * clone's), named by its si_pid: a zombie orphan is told to its new
 * parent by the exiting old one, a leader by its last thread.
 */
static void notify_seen(struct session *s, pid_t pid)
{
	for (size_t i = 0; i < s->nnotifying; i++)
		if (s->notifying[i] == pid) {
			s->notifying[i] = s->notifying[--s->nnotifying];
			return;
		}
}

/*
 * shmdt and munmap name an address: the graph knows which segment or
 * /dev/shm file is there, which becomes the event's object (x[0]) before
 * it is logged and streamed; so does a futex's address, a POSIX
 * semaphore's in a mapped /dev/shm file. cx's event becomes a copy in
 * *copy; other events stay as they are. False: a futex on memory the
 * process has no shared mapping of (the kernel side keeps the pages of a
 * mapping after its munmap, which another process of the session may not
 * have made): dropped.
 */
static bool shm_named(struct daemon *d, struct ipct_evctx *cx, struct ipct_event *copy)
{
	const struct ipct_event *e = cx->e;
	const struct ipct_syscall *sc = cx->sc;

	if (!sc || (e->kind[0] != IPCT_KIND_SHM && e->kind[0] != IPCT_KIND_SEM) || e->sys.x[0] ||
	    (sc->cls != IPCT_SC_SHMDT && sc->cls != IPCT_SC_MUNMAP && sc->cls != IPCT_SC_FUTEX))
		return true;
	*copy = *e;
	if (sc->cls == IPCT_SC_FUTEX) {
		bool anon = false;
		uint64_t ino = ipct_graph_mapping_at(d->graph, e->pid, e->sys.args[0], &anon);

		if (!ino)
			return false;
		copy->sys.x[0] = anon ? 0 : ino;
	} else {
		copy->sys.x[0] = ipct_graph_shm_at(d->graph, e->pid, e->sys.args[0]);
	}
	cx->e = copy;
	return true;
}

int sessions_on_event(void *ctx, const struct ipct_event *e)
{
	struct daemon *d = ctx;
	struct ipct_event named;
	struct ipct_evctx cx;
	struct session *s;

	d->events++;
	if (e->version != IPCT_EVENT_VERSION)
		return 0;
	/* What the modules would each ask of the event, asked once. */
	cx = ipct_evctx(e);
	if (!shm_named(d, &cx, &named))
		return 0;
	e = cx.e;
	ipct_counts_add(&d->counts, e);
	log_add(d, IPCT_JREC_EVENT, e, sizeof(*e), e->ts_ns);
	if (d->followers)
		log_follow(d, e);
	s = session_find(d, e->session);
	/*
	 * One that is ending has left the traced set: what comes of it is late,
	 * as after its end. (One detaching has too, but until it ends what is
	 * read of it was made before the detach: routed.)
	 */
	if (!s || s->end_reason) {
		/*
		 * Made after a session ended, by a process still in the traced
		 * set for it (its fork raced the end): it leaves now.
		 */
		if (e->session && e->ts_ns > d->last_close_ns && e->pid != d->last_stale_pid) {
			d->last_stale_pid = e->pid;
			tracer_untrace_stale(d->tracer, (pid_t)e->pid, e->session);
		}
		return 0;
	}
	s->events++;
	/* Most events are calls: none of what follows concerns them. */
	if (e->type == IPCT_EV_SYSCALL) {
	} else if (e->type == IPCT_EV_FORK && !(e->flags & IPCT_F_UNTRACED)) {
		pid_add(s, (pid_t)e->proc.child_pid);
	} else if (e->type == IPCT_EV_EXEC && e->pid == (uint32_t)s->root && !(e->flags & IPCT_F_PRIV_EXEC)) {
		/* Named by what it runs, not by the ipctrace that started it. */
		memcpy(s->comm, e->comm, sizeof(s->comm) - 1);
	} else if (e->type == IPCT_EV_EXEC && (e->flags & IPCT_F_PRIV_EXEC)) {
		/* It left the traced set at this exec: the session may be over. */
		pid_remove(s, (pid_t)e->pid);
		s->check_end = true;
	} else if (e->type == IPCT_EV_EXIT) {
		pid_remove(s, (pid_t)e->pid);
		exit_seen(s, (pid_t)e->pid);
		s->check_end = true;
	} else if (e->type == IPCT_EV_SIGNAL_GENERATE && s->nnotifying &&
		   (e->sig.code == CLD_EXITED || e->sig.code == CLD_KILLED || e->sig.code == CLD_DUMPED)) {
		notify_seen(s, (pid_t)(uint32_t)e->sig.sifields[0]);
	}
	if (s->counts)
		ipct_counts_add(s->counts, e);
	else
		records_stream_event(d, s, e);
	/* A child that could not join the traced set makes no more events: nothing follows it. */
	if (e->type == IPCT_EV_FORK && (e->flags & IPCT_F_UNTRACED))
		return 0;
	/* The graph names what is mapped where, which a futex's record needs (shm_named). */
	if (s->kcount) {
		ipct_graph_event(d->graph, &cx);
		return 0;
	}
	/* After the event itself: a record it completes follows it in the stream. */
	ipct_syms_on_event(d->syms, e);
	ipct_lc_event(d->lc, &cx);
	ipct_graph_event(d->graph, &cx);
	ipct_diag_event(d->diag, &cx);
	return 0;
}

/*
 * Ends the sessions whose processes have all exited, as the kernel side
 * counts them. Only sessions that saw an exit (or, after records were
 * lost, every session: an exit's record may be among them) are asked, at
 * each drain until they end, in three steps:
 * - the count is 0: every exit's record is in the ring before its write
 *   position now (the kernel side counts an exit out just after its record
 *   is in), the exits mark;
 * - the drains have read past it: the list of exited processes yet to tell
 *   their parents is whole. Once all have, every exit signal's record is
 *   before the ring's position then, the end mark;
 * - the drains have read past that: the session's last record is routed.
 * (A drain stops at a record another CPU is still writing: a mark is how
 * the daemon knows that what was written before it has been read.)
 * A detached session ends past its own mark, the detach's (session_detach).
 */
void sessions_check(struct daemon *d)
{
	struct session *s, *next;
	bool any = false;

	for (s = d->sessions; s; s = s->next) {
		if (s->detaching && !s->end_reason) {
			any = true;
			continue;
		}
		/* A system-wide session has no last process; one that is ending (or detaching) is past asking. */
		if (!s->check_end || s->all || session_stopped(s)) {
			s->check_end = false;
			continue;
		}
		if (tracer_session_procs(d->tracer, s->id) > 0)
			continue;
		if (!s->exits_marked) {
			s->exits_marked = true;
			s->exits_mark = tracer_ring_mark(d->tracer);
		}
		any = true;
	}
	if (!any)
		return;
	tracer_drain(d->tracer);
	for (s = d->sessions; s; s = next) {
		next = s->next;
		if (s->detaching && !s->end_reason && tracer_ring_read_past(d->tracer, s->detach_mark)) {
			session_end(d, s, "detached");
			continue;
		}
		if (!s->exits_marked || session_stopped(s))
			continue;
		if (!s->end_marked && tracer_ring_read_past(d->tracer, s->exits_mark) && notified(d, s)) {
			s->end_marked = true;
			s->end_mark = tracer_ring_mark(d->tracer);
		}
		if (s->end_marked && tracer_ring_read_past(d->tracer, s->end_mark))
			session_end(d, s, "exited");
	}
}
