// SPDX-License-Identifier: MIT
/*
 * The pipe graph and the diagnosis engine in the daemon (lib/graph.c and
 * lib/diagnose.c do the bookkeeping): seeding a process's descriptor table
 * and what the engine needs to know of it from /proc, diagnoses to the
 * session's client as they happen, the survey of where traced threads
 * sleep (for deadlocks and readers that never see EOF), and the graphs of
 * ended sessions that `ipctrace pipes` queries.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "syscalls.h"

/* Where traced threads sleep is looked at this often (lib/diagnose.c says after how long they are stuck). */
#define BLOCKED_SCAN_NS 250000000ull

void pipes_on_diag(uint32_t session, struct json_object *diag, void *ctx)
{
	struct session *s = session_find(ctx, session);

	if (s && s->owner)
		client_queue_json(s->owner, diag);
}

/* The access mode and close-on-exec of pid's fd, from /proc/PID/fdinfo. */
static void fd_flags(pid_t pid, int fd, unsigned *mode, bool *cloexec)
{
	char path[64], line[128];
	unsigned long flags = 0;
	FILE *f;

	*mode = 3;
	*cloexec = false;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %lo", &flags) == 1)
			break;
	fclose(f);
	*mode = (flags & O_ACCMODE) == O_RDONLY ? 1 : (flags & O_ACCMODE) == O_WRONLY ? 2 : 3;
	*cloexec = flags & O_CLOEXEC;
}

/* What the diagnosis engine needs of a process it meets running (or held): its parent, user, ignored signals. */
static void seed_diag(struct daemon *d, pid_t pid, uint32_t session, bool held, const char *comm)
{
	struct ipct_diag_seed sd = { .pid = (uint32_t)pid, .session = session, .held = held };
	char path[64], line[256];
	unsigned long long ign;
	unsigned u;
	FILE *f;

	snprintf(sd.comm, sizeof(sd.comm), "%s", comm);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PPid: %u", &u) == 1)
			sd.ppid = u;
		else if (sscanf(line, "Uid: %u", &u) == 1)
			sd.uid = u;
		else if (sscanf(line, "SigIgn: %llx", &ign) == 1)
			sd.sig_ign = ign;
	}
	fclose(f);
	ipct_diag_seed(d->diag, &sd);
}

void pipes_seed(struct daemon *d, pid_t pid, uint32_t session, bool from_exec)
{
	char path[64], comm[IPCT_COMM_LEN + 1] = "";
	struct dirent *de;
	FILE *f;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	seed_diag(d, pid, session, from_exec, comm);
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char fdpath[96];
		struct stat st;
		unsigned mode;
		bool cloexec;
		int fd, kind;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%d", pid, fd);
		if (stat(fdpath, &st) < 0)
			continue;
		if (S_ISSOCK(st.st_mode))
			kind = IPCT_KIND_SOCKET;
		else if (S_ISFIFO(st.st_mode))
			/* An anonymous pipe's link reads "pipe:[N]"; a FIFO's is its path. */
			kind = readlink(fdpath, path, sizeof(path)) > 5 && !strncmp(path, "pipe:", 5)
				       ? IPCT_KIND_PIPE : IPCT_KIND_FIFO;
		else
			continue;
		fd_flags(pid, fd, &mode, &cloexec);
		/* Held before exec, what is close-on-exec is the launcher's, never the program's. */
		if (from_exec && cloexec)
			continue;
		ipct_graph_seed(d->graph, (uint32_t)pid, session, comm, fd, kind, st.st_ino, mode, cloexec);
	}
	closedir(dir);
}

/*
 * Where traced threads sleep: every thread's /proc/PID/task/TID/syscall
 * says which call it sleeps in and its first arguments; one whose
 * voluntary context switches have not moved since an earlier scan has
 * slept there the whole time. Every thread of every traced process goes to
 * the engine's survey, asleep or not: a process is blocked only when all of
 * its threads are. (System-wide sessions are not scanned: too many.)
 */
struct waiter {
	uint32_t tid;
	int nr;
	uint64_t args[3];
	uint64_t switches;
	uint64_t since;
	unsigned gen;
};

struct scan {
	struct daemon *d;
	uint64_t now;
	struct ipct_diag_thread *threads;
	size_t n, cap;
};

/* The call a thread sleeps in (nr >= 0) and its first arguments, from /proc; false when it is not asleep in one. */
static bool thread_call(uint32_t pid, uint32_t tid, int *nr, uint64_t args[3], uint64_t *switches)
{
	char path[96], line[256];
	unsigned long long a[3] = { 0 }, sw = 0;
	bool found = false, sleeping = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/syscall", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	found = fgets(line, sizeof(line), f) && sscanf(line, "%d %llx %llx %llx", nr, &a[0], &a[1], &a[2]) == 4 &&
		*nr >= 0;
	fclose(f);
	if (!found)
		return false;
	for (int i = 0; i < 3; i++)
		args[i] = a[i];
	snprintf(path, sizeof(path), "/proc/%u/task/%u/status", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	/* Asleep, interruptibly: not stopped, not traced, not running. */
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:", 6))
			sleeping = strstr(line, "S (sleeping)") != NULL;
		else if (sscanf(line, "voluntary_ctxt_switches: %llu", &sw) == 1)
			break;
	}
	fclose(f);
	*switches = sw;
	return sleeping;
}

static struct waiter *waiter_get(struct daemon *d, uint32_t tid)
{
	struct waiter *w;

	for (size_t i = 0; i < d->nwaiters; i++)
		if (d->waiters[i].tid == tid)
			return &d->waiters[i];
	if (d->nwaiters == d->capwaiters) {
		size_t cap = d->capwaiters ? d->capwaiters * 2 : 16;

		w = realloc(d->waiters, cap * sizeof(*w));
		if (!w)
			return NULL;
		d->waiters = w;
		d->capwaiters = cap;
	}
	w = &d->waiters[d->nwaiters++];
	memset(w, 0, sizeof(*w));
	w->tid = tid;
	w->nr = -1;
	return w;
}

static struct ipct_diag_thread *thread_add(struct scan *sc, uint32_t pid, uint32_t tid)
{
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;
		struct ipct_diag_thread *t = realloc(sc->threads, cap * sizeof(*t));

		if (!t)
			return NULL;
		sc->threads = t;
		sc->cap = cap;
	}
	sc->threads[sc->n] = (struct ipct_diag_thread){ .pid = pid, .tid = tid, .nr = -1 };
	return &sc->threads[sc->n++];
}

static void scan_proc(uint32_t pid, uint32_t session, void *ctx)
{
	struct scan *sc = ctx;
	struct daemon *d = sc->d;
	struct session *s = session_find(d, session);
	char path[64];
	struct dirent *de;
	DIR *dir;

	if (!s || s->all)
		return;
	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		uint32_t tid = (uint32_t)strtoul(de->d_name, NULL, 10);
		struct ipct_diag_thread *t;
		uint64_t switches, args[3];
		struct waiter *w;
		int nr;

		if (!tid || !(t = thread_add(sc, pid, tid)))
			continue;
		if (!thread_call(pid, tid, &nr, args, &switches) || !(w = waiter_get(d, tid)))
			continue;
		if (w->nr != nr || memcmp(w->args, args, sizeof(args)) || w->switches != switches) {
			w->nr = nr;
			memcpy(w->args, args, sizeof(args));
			w->switches = switches;
			w->since = sc->now;
		}
		w->gen = d->scan_gen;
		t->nr = nr;
		memcpy(t->args, args, sizeof(args));
		t->since_ns = w->since;
	}
	closedir(dir);
}

void pipes_scan_blocked(struct daemon *d, uint64_t now)
{
	struct scan sc = { d, now, NULL, 0, 0 };
	size_t k = 0;

	for (struct session *s = d->sessions; s; s = s->next)
		if (s->ring_lost_start != d->ring_lost)
			ipct_diag_lost(d->diag, s->id);
	ipct_diag_tick(d->diag, now);
	if (!d->sessions || now - d->last_blocked_scan_ns < BLOCKED_SCAN_NS)
		return;
	d->last_blocked_scan_ns = now;
	d->scan_gen++;
	ipct_graph_each_proc(d->graph, scan_proc, &sc);
	ipct_diag_survey(d->diag, sc.threads, sc.n, now);
	free(sc.threads);
	/* Threads no longer asleep are forgotten. */
	for (size_t i = 0; i < d->nwaiters; i++)
		if (d->waiters[i].gen == d->scan_gen)
			d->waiters[k++] = d->waiters[i];
	d->nwaiters = k;
}

void pipes_session_end(struct daemon *d, struct session *s)
{
	struct json_object *objects;
	struct graph_store *g;

	/* What waited for the events that follow its cause is said before the graph and the end. */
	ipct_diag_end_session(d->diag, s->id);
	objects = ipct_graph_session_json(d->graph, s->id);
	ipct_graph_end_session(d->graph, s->id);
	if (!objects)
		return;
	if (s->owner && s->want_pipes) {
		struct json_object *n = json_object_new_object();

		json_object_object_add(n, "notice", json_object_new_string("graph"));
		json_object_object_add(n, "session", json_object_new_int64(s->id));
		json_object_object_add(n, "objects", json_object_get(objects));
		client_queue_json(s->owner, n);
		json_object_put(n);
	}
	/* Kept for queries: the latest GRAPHS_MAX sessions. */
	g = &d->graphs[d->graphs_next++ % GRAPHS_MAX];
	json_object_put(g->objects);
	g->session = s->id;
	g->uid = s->uid;
	g->objects = objects;
}

void pipes_free(struct daemon *d)
{
	for (int i = 0; i < GRAPHS_MAX; i++)
		json_object_put(d->graphs[i].objects);
	ipct_diag_free(d->diag);
	ipct_graph_free(d->graph);
	free(d->waiters);
}

/* Every object c may see that matches m: ended sessions first, then live ones. */
struct json_object *pipes_query(struct daemon *d, struct client *c, const struct ipct_match *m)
{
	struct json_object *out = json_object_new_array();
	size_t first = d->graphs_next > GRAPHS_MAX ? d->graphs_next - GRAPHS_MAX : 0;

	for (size_t i = first; i < d->graphs_next; i++) {
		struct graph_store *g = &d->graphs[i % GRAPHS_MAX];

		if (c->privileged || g->uid == c->uid)
			ipct_graph_filter(g->objects, m, out);
	}
	for (struct session *s = d->sessions; s; s = s->next) {
		struct json_object *live;

		if (!c->privileged && s->uid != c->uid)
			continue;
		live = ipct_graph_session_json(d->graph, s->id);
		if (live)
			ipct_graph_filter(live, m, out);
		json_object_put(live);
	}
	return out;
}
