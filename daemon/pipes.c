// SPDX-License-Identifier: MIT
/*
 * The pipe graph in the daemon (lib/graph.c does the bookkeeping): seeding
 * a process's descriptor table from /proc, diagnoses to the session's
 * client as they happen, the scan for readers that wait too long, and the
 * graphs of ended sessions that `ipctrace pipes` queries.
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

/* A reader waiting this long on a pipe with write ends open is diagnosed. */
#define BLOCKED_NS 1000000000ull
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
 * Readers that wait: every traced thread's /proc/PID/task/TID/syscall
 * says which call it sleeps in and on which fd; one whose voluntary
 * context switches have not moved since an earlier scan has slept there
 * the whole time. (System-wide sessions are not scanned: too many.)
 */
struct waiter {
	uint32_t tid;
	int nr;
	int fd;
	uint64_t switches;
	uint64_t since;
	unsigned gen;
};

struct scan {
	struct daemon *d;
	uint64_t now;
};

/* The call a thread sleeps in (nr >= 0) and its first argument, from /proc. */
static bool thread_call(uint32_t pid, uint32_t tid, int *nr, int *fd, uint64_t *switches)
{
	char path[96], line[256];
	unsigned long long a0 = 0, sw = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/syscall", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	found = fgets(line, sizeof(line), f) && sscanf(line, "%d %llx", nr, &a0) == 2 && *nr >= 0;
	fclose(f);
	if (!found)
		return false;
	*fd = (int)a0;
	snprintf(path, sizeof(path), "/proc/%u/task/%u/status", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &sw) == 1)
			break;
	fclose(f);
	*switches = sw;
	return true;
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
		uint64_t switches;
		const char *name;
		struct waiter *w;
		int nr, fd;

		uint32_t tid = (uint32_t)strtoul(de->d_name, NULL, 10);

		if (!tid || !thread_call(pid, tid, &nr, &fd, &switches))
			continue;
		name = ipct_syscall_name(nr);
		if (!name || (strcmp(name, "read") && strcmp(name, "readv")))
			continue;
		w = waiter_get(d, tid);
		if (!w)
			continue;
		if (w->nr != nr || w->fd != fd || w->switches != switches) {
			w->nr = nr;
			w->fd = fd;
			w->switches = switches;
			w->since = sc->now;
		}
		w->gen = d->scan_gen;
		if (sc->now - w->since >= BLOCKED_NS)
			ipct_graph_blocked(d->graph, pid, fd, nr, w->since, sc->now);
	}
	closedir(dir);
}

void pipes_scan_blocked(struct daemon *d, uint64_t now)
{
	struct scan sc = { d, now };
	size_t k = 0;

	if (!d->sessions || now - d->last_blocked_scan_ns < BLOCKED_SCAN_NS)
		return;
	d->last_blocked_scan_ns = now;
	d->scan_gen++;
	ipct_graph_each_proc(d->graph, scan_proc, &sc);
	/* Threads no longer waiting are forgotten. */
	for (size_t i = 0; i < d->nwaiters; i++)
		if (d->waiters[i].gen == d->scan_gen)
			d->waiters[k++] = d->waiters[i];
	d->nwaiters = k;
}

void pipes_session_end(struct daemon *d, struct session *s)
{
	struct json_object *objects = ipct_graph_session_json(d->graph, s->id);
	uint64_t untracked = ipct_graph_untracked(d->graph, s->id);
	struct graph_store *g;

	ipct_graph_end_session(d->graph, s->id);
	if (!objects)
		return;
	if (s->owner && s->want_pipes) {
		struct json_object *n = json_object_new_object();

		json_object_object_add(n, "notice", json_object_new_string("graph"));
		json_object_object_add(n, "session", json_object_new_int64(s->id));
		json_object_object_add(n, "objects", json_object_get(objects));
		/* The graph is incomplete when the session had the most objects one may. */
		json_object_object_add(n, "untracked_calls", json_object_new_int64((int64_t)untracked));
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
