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
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon.h"

/* Where traced threads sleep is looked at this often (lib/diagnose.c says after how long they are stuck). */
#define BLOCKED_SCAN_NS 250000000ull
#define MAX(a, b) ((a) > (b) ? (a) : (b))

void pipes_on_diag(uint32_t session, struct json_object *diag, void *ctx)
{
	struct session *s = session_find(ctx, session);

	if (!s)
		return;
	records_stream_json(ctx, s, diag);
	log_diag(ctx, s, diag);
}

void pipes_on_diag_later(uint32_t session, struct ipct_diag_later *later, struct ipct_sym_pending *name, void *ctx)
{
	struct daemon *d = ctx;
	struct session *s = session_find(d, session);

	if (s) {
		records_hold_diag(d, s, later, name);
		return;
	}
	ipct_diag_later_free(later);
	ipct_sym_pending_free(d->syms, name);
}

/*
 * The access mode and close-on-exec of pid's fd, from /proc/PID/fdinfo:
 * 0, or -errno when the fd is gone (both read and written, kept open, then).
 */
static int fd_flags(pid_t pid, int fd, unsigned *mode, bool *cloexec)
{
	char path[64], line[128];
	unsigned long flags = 0;
	FILE *f;

	*mode = 3;
	*cloexec = false;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %lo", &flags) == 1)
			break;
	fclose(f);
	*mode = (flags & O_ACCMODE) == O_RDONLY ? 1 : (flags & O_ACCMODE) == O_WRONLY ? 2 : 3;
	*cloexec = flags & O_CLOEXEC;
	return 0;
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

/* Its command name from /proc (len bytes at most, NUL-terminated when shorter); "" when gone. */
static void proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	memset(buf, 0, len);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* A terminal's device number, as the kernel side tells them (bpf/ipctrace.bpf.c, is_tty). */
static bool tty_dev(dev_t rdev)
{
	unsigned int ma = major(rdev);

	return ma == 4 || ma == 5 || (ma >= 136 && ma <= 143);
}

/* What /proc/PID/fd/N (stat'ed into st) is, as the kernel side's kinds say it. */
static int proc_fd_kind(const char *fdpath, const struct stat *st)
{
	char link[16];

	if (S_ISSOCK(st->st_mode))
		return IPCT_KIND_SOCKET;
	/* An anonymous pipe's link reads "pipe:[N]"; a FIFO's is its path. */
	if (S_ISFIFO(st->st_mode))
		return readlink(fdpath, link, sizeof(link)) > 5 && !strncmp(link, "pipe:", 5) ? IPCT_KIND_PIPE
											    : IPCT_KIND_FIFO;
	if (S_ISCHR(st->st_mode) && tty_dev(st->st_rdev))
		return IPCT_KIND_TTY;
	return IPCT_KIND_OTHER;
}

/* The object's id in events: the inode, or a terminal's device number as the kernel keeps it. */
static uint64_t obj_id(int kind, const struct stat *st)
{
	if (kind == IPCT_KIND_TTY)
		return (uint64_t)major(st->st_rdev) << 20 | minor(st->st_rdev);
	return st->st_ino;
}

/*
 * The `stdio` event of a process attached while it runs, from /proc: what
 * the kernel side records at each exec (its descriptors 0-2), made by the
 * daemon at the attach. It goes where events go (stream, log, graph).
 */
void pipes_stdio(struct daemon *d, pid_t pid, uint32_t session)
{
	struct ipct_event e = { .version = IPCT_EVENT_VERSION, .type = IPCT_EV_STDIO, .pid = (uint32_t)pid,
				.tid = (uint32_t)pid, .session = session, .ts_ns = boottime_ns() };
	char path[96];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (stat(path, &st) < 0)
		return;
	e.uid = st.st_uid;
	proc_comm(pid, e.comm, sizeof(e.comm));
	for (int fd = 0; fd < 3; fd++) {
		struct ipct_obj *o = &e.stdio.fd[fd];
		unsigned int mode;
		bool cloexec;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		if (stat(path, &st) < 0)
			continue;
		fd_flags(pid, fd, &mode, &cloexec);
		o->kind = (uint8_t)proc_fd_kind(path, &st);
		o->ino = obj_id(o->kind, &st);
		o->flags = (uint64_t)mode << 32 | (cloexec ? IPCT_FD_CLOEXEC : 0);
		e.stdio.mode[fd] = st.st_mode;
		e.stdio.rdev[fd] = (uint32_t)(major(st.st_rdev) << 20 | minor(st.st_rdev));
	}
	sessions_on_event(d, &e);
}

/* The scheduler's last time on a CPU of a task (/proc/.../sched, se.exec_start, in its ns): 0 unknown. */
static uint64_t exec_start_ns(const char *path)
{
	unsigned long long ms, frac;
	char line[256];
	uint64_t ns = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "se.exec_start : %llu.%llu", &ms, &frac) == 2) {
			ns = (uint64_t)ms * 1000000 + frac;
			break;
		}
	fclose(f);
	return ns;
}

/*
 * The scheduler's clock of a CPU now: the clock is each CPU's own (less its
 * interrupt time, which differs from CPU to CPU), so this thread moves there
 * for a moment and reads the time it was put on it. 0 unknown.
 */
static uint64_t cpu_clock_now(int cpu)
{
	cpu_set_t old, one;
	uint64_t ns;

	if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof(old), &old) < 0)
		return 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		return 0;
	sched_yield();
	ns = sched_getcpu() == cpu ? exec_start_ns("/proc/thread-self/sched") : 0;
	sched_setaffinity(0, sizeof(old), &old);
	return ns;
}

/*
 * The threads of a process attached to that sleep in a call already (a read
 * of an empty pipe): the kernel side notes only calls entered from now on.
 * Each is given to the survey like those, with the time it went to sleep:
 * its last time on a CPU, in that CPU's scheduler clock, whose now gives its
 * age. Without /proc/PID/sched (a kernel with no CONFIG_SCHED_DEBUG), not
 * known: then not noted.
 */
static void note_asleep(struct daemon *d, pid_t pid, uint32_t session)
{
	char path[96], line[1024], *f;
	struct dirent *de;
	unsigned threads = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		threads += de->d_name[0] != '.';
	rewinddir(dir);
	while ((de = readdir(dir))) {
		struct ipct_wait w = { .pid = (uint32_t)pid, .session = session, .threads = threads }, *m;
		uint64_t last, now_cpu, now = boottime_ns();
		long long nr, a[3];
		int cpu = -1;
		FILE *fp;
		bool ok;

		if (de->d_name[0] == '.')
			continue;
		w.tid = (uint32_t)atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task/%u/stat", pid, w.tid);
		fp = fopen(path, "re");
		f = fp && fgets(line, sizeof(line), fp) ? strrchr(line, ')') : NULL;
		if (fp)
			fclose(fp);
		if (!f || f[1] != ' ' || f[2] != 'S')
			continue;
		/* Field 39, the CPU it last ran on: the 37th after the command's ')'. */
		for (int i = 0; f && i < 37; i++)
			f = strchr(f + 1, ' ');
		if (f)
			cpu = atoi(f + 1);
		snprintf(path, sizeof(path), "/proc/%d/task/%u/syscall", pid, w.tid);
		fp = fopen(path, "re");
		ok = fp && fscanf(fp, "%lld %llx %llx %llx", &nr, &a[0], &a[1], &a[2]) == 4;
		if (fp)
			fclose(fp);
		snprintf(path, sizeof(path), "/proc/%d/task/%u/sched", pid, w.tid);
		last = ok ? exec_start_ns(path) : 0;
		now_cpu = last ? cpu_clock_now(cpu) : 0;
		if (!now_cpu || last > now_cpu || now_cpu - last > now)
			continue;
		w.nr = (int32_t)nr;
		for (int i = 0; i < 3; i++)
			w.args[i] = a[i];
		w.since_ns = now - (now_cpu - last);
		m = realloc(d->asleep, (d->nasleep + 1) * sizeof(*m));
		if (!m)
			break;
		d->asleep = m;
		d->asleep[d->nasleep++] = w;
	}
	closedir(dir);
}

void pipes_seed(struct daemon *d, pid_t pid, uint32_t session, bool from_exec)
{
	char path[64], comm[IPCT_COMM_LEN + 1] = "";
	struct dirent *de;
	DIR *dir;

	proc_comm(pid, comm, sizeof(comm));
	seed_diag(d, pid, session, from_exec, comm);
	if (!from_exec)
		note_asleep(d, pid, session);
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
		kind = proc_fd_kind(fdpath, &st);
		if (!IPCT_KIND_IS_GRAPHED(kind))
			continue;
		/* Closed since it was listed (a launcher's close-on-exec fd, say): not a descriptor of it. */
		if (fd_flags(pid, fd, &mode, &cloexec) < 0)
			continue;
		/* Held before exec, what is close-on-exec is the launcher's, never the program's. */
		if (from_exec && cloexec)
			continue;
		ipct_graph_seed(d->graph, (uint32_t)pid, session, comm, fd, kind, obj_id(kind, &st), mode, cloexec);
	}
	closedir(dir);
}

/*
 * Where traced threads sleep: the kernel side notes each traced thread that
 * enters a call that can sleep for another process (a read of an empty
 * pipe or FIFO, a write to a full one, a wait for a child) until the call
 * returns, with the number of threads its process has (struct ipct_wait).
 * The survey gives the engine those threads, and one not-asleep entry for
 * each other thread of their processes (a process is blocked only when all
 * of its threads are): its cost is what sleeps, not what is traced.
 * System-wide sessions are not surveyed (every process's would be).
 */
struct scan {
	struct daemon *d;
	struct ipct_wait *w;
	size_t n, cap;
};

static void scan_wait(const struct ipct_wait *w, void *ctx)
{
	struct scan *sc = ctx;
	struct session *s = session_find(sc->d, w->session);

	if (!s || s->all)
		return;
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;
		struct ipct_wait *m = realloc(sc->w, cap * sizeof(*m));

		if (!m)
			return;
		sc->w = m;
		sc->cap = cap;
	}
	sc->w[sc->n++] = *w;
}

static int by_pid(const void *a, const void *b)
{
	const struct ipct_wait *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The engine's view: each noted thread, and its process's other threads as not asleep. */
static size_t survey_threads(struct scan *sc, struct ipct_diag_thread **out)
{
	struct ipct_diag_thread *t;
	size_t n = 0, cap = 0;

	/* No sleeper, no array (qsort's is never NULL). */
	if (sc->n)
		qsort(sc->w, sc->n, sizeof(*sc->w), by_pid);
	for (size_t i = 0; i < sc->n; i++)
		cap += 1 + sc->w[i].threads;
	t = calloc(cap ? cap : 1, sizeof(*t));
	if (!t)
		return 0;
	for (size_t i = 0, first = 0; i < sc->n; i++) {
		const struct ipct_wait *w = &sc->w[i];

		t[n++] = (struct ipct_diag_thread){ .pid = w->pid, .tid = w->tid, .nr = w->nr,
						    .args = { w->args[0], w->args[1], w->args[2] },
						    .since_ns = w->since_ns };
		if (i + 1 < sc->n && sc->w[i + 1].pid == w->pid)
			continue;
		for (size_t k = i + 1 - first; k < w->threads; k++)
			t[n++] = (struct ipct_diag_thread){ .pid = w->pid, .nr = -1 };
		first = i + 1;
	}
	*out = t;
	return n;
}

/*
 * Whether thread tid of pid sleeps in call nr now (/proc/PID/task/TID:
 * asleep in its stat, that call in its syscall file): asked only of the
 * threads a hang would name, before it is said.
 */
static bool thread_asleep(uint32_t pid, uint32_t tid, int nr, void *data)
{
	char path[96], line[512], *f;
	bool ok;
	FILE *fp;
	int cur;

	(void)data;
	snprintf(path, sizeof(path), "/proc/%u/task/%u/stat", pid, tid);
	fp = fopen(path, "re");
	if (!fp)
		return false;
	f = fgets(line, sizeof(line), fp) ? strrchr(line, ')') : NULL;
	fclose(fp);
	if (!f || (f[1] != ' ' || (f[2] != 'S' && f[2] != 'D')))
		return false;
	snprintf(path, sizeof(path), "/proc/%u/task/%u/syscall", pid, tid);
	fp = fopen(path, "re");
	if (!fp)
		return false;
	ok = fscanf(fp, "%d", &cur) == 1 && cur == nr;
	fclose(fp);
	return ok;
}

/*
 * Those still asleep in that call join the survey; a thread that woke (the
 * kernel side notes its next call, if it sleeps again) or left is dropped.
 */
static void survey_asleep(struct daemon *d, struct scan *sc)
{
	size_t kept = 0;

	for (size_t i = 0; i < d->nasleep; i++) {
		struct ipct_wait *w = &d->asleep[i];
		bool noted = false;

		for (size_t k = 0; k < sc->n && !noted; k++)
			noted = sc->w[k].tid == w->tid;
		if (noted || !session_find(d, w->session) || !thread_asleep(w->pid, w->tid, w->nr, NULL))
			continue;
		d->asleep[kept++] = *w;
		scan_wait(w, sc);
	}
	d->nasleep = kept;
}

void pipes_check_init(struct daemon *d)
{
	ipct_diag_set_check(d->diag, thread_asleep, d);
}

void pipes_scan_blocked(struct daemon *d, uint64_t now)
{
	struct scan sc = { d, NULL, 0, 0 };
	struct ipct_diag_thread *threads = NULL;
	size_t n;
	int err;

	for (struct session *s = d->sessions; s; s = s->next)
		if (s->ring_lost_start != d->ring_lost)
			ipct_diag_lost(d->diag, s->id);
	ipct_diag_tick(d->diag, now);
	if (!d->sessions || now - d->last_blocked_scan_ns < MAX(d->blocked_scan_every_ns, BLOCKED_SCAN_NS))
		return;
	d->last_blocked_scan_ns = now;
	err = tracer_each_waiting(d->tracer, scan_wait, &sc);
	/* Said once: the survey goes on with what was read, and tries again next time. */
	if (err && !d->survey_failed)
		fprintf(stderr, "ipctraced: the survey of sleeping threads failed: %s\n", strerror(-err));
	d->survey_failed = err != 0;
	survey_asleep(d, &sc);
	n = survey_threads(&sc, &threads);
	ipct_diag_survey(d->diag, threads, n, now);
	free(threads);
	free(sc.w);
	/*
	 * Its cost is what sleeps: with thousands of threads asleep a survey
	 * takes milliseconds, and the next waits 20 times as long, so that
	 * surveys take at most 5% of a CPU (hangs are then said later).
	 */
	d->blocked_scan_every_ns = 20 * (boottime_ns() - now);
}

void pipes_session_end(struct daemon *d, struct session *s)
{
	struct json_object *objects;
	uint64_t untracked = ipct_graph_untracked(d->graph, s->id);

	/* What waited for the events that follow its cause is said before the graph and the end. */
	ipct_diag_end_session(d->diag, s->id);
	ipct_graph_session_ends(d->graph, s->id, boottime_ns());
	objects = ipct_graph_session_json(d->graph, s->id);
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
	log_graph(d, s, objects);
	pipes_keep(d, s->id, s->uid, objects);
}

void pipes_keep(struct daemon *d, uint32_t session, uid_t uid, struct json_object *objects)
{
	struct graph_store *g = &d->graphs[d->graphs_next++ % GRAPHS_MAX];

	json_object_put(g->objects);
	g->session = session;
	g->uid = uid;
	g->objects = objects;
}

void pipes_load_object(struct daemon *d, uint32_t session, uid_t uid, struct json_object *object)
{
	struct graph_store *g = d->graphs_next ? &d->graphs[(d->graphs_next - 1) % GRAPHS_MAX] : NULL;

	/* A session's objects were logged one after another: a new session begins a new graph. */
	if (!g || g->session != session) {
		pipes_keep(d, session, uid, json_object_new_array());
		g = &d->graphs[(d->graphs_next - 1) % GRAPHS_MAX];
	}
	json_object_array_add(g->objects, object);
}

void pipes_free(struct daemon *d)
{
	free(d->asleep);
	for (int i = 0; i < GRAPHS_MAX; i++)
		json_object_put(d->graphs[i].objects);
	ipct_diag_free(d->diag);
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
