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
 * Readers that wait: the kernel side notes each traced thread that falls
 * asleep in a read of an empty pipe or FIFO (struct ipct_wait) until the
 * read returns, so this scan costs what sleeps in reads, not what is
 * traced. A note a second old is looked at once, then forgotten: the
 * graph says whether write ends are open (and says it once per reader).
 * System-wide sessions are not diagnosed: every process's reader would be.
 */
struct scan {
	struct daemon *d;
	uint64_t now;
};

static bool scan_wait(const struct ipct_wait *w, void *ctx)
{
	struct scan *sc = ctx;
	struct session *s = session_find(sc->d, w->session);

	/* A note made since `now` was read is younger still (and unsigned). */
	if (s && (w->since_ns > sc->now || sc->now - w->since_ns < BLOCKED_NS))
		return false;
	if (s && !s->all)
		ipct_graph_blocked(sc->d->graph, w->pid, w->fd, w->nr, w->since_ns, sc->now);
	return true;
}

void pipes_scan_blocked(struct daemon *d, uint64_t now)
{
	struct scan sc = { d, now };

	if (!d->sessions || now - d->last_blocked_scan_ns < BLOCKED_SCAN_NS)
		return;
	d->last_blocked_scan_ns = now;
	tracer_each_waiting(d->tracer, scan_wait, &sc);
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
