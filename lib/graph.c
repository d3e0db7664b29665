// SPDX-License-Identifier: MIT
/*
 * The pipe graph (docs/pipes.md).
 *
 * Every traced process has a table of its IPC descriptors: fd -> object,
 * which end (read, write, both) and close-on-exec. Every object has the
 * list of (process, fd) that ever held it, each with what it wrote and
 * read and when it let go. The tables change exactly as the kernel's do:
 * pipe, socketpair, socket, accept and a FIFO's open create entries; dup,
 * dup2, dup3 and fcntl(F_DUPFD) copy one; close (and dup2 over an entry)
 * removes one, close_range a range of them; pidfd_getfd and SCM_RIGHTS
 * (recvmsg) bring one from another table; fcntl F_SETFD, ioctl FIOCLEX
 * and FIONCLEX, and close_range with CLOSE_RANGE_CLOEXEC set or clear
 * close-on-exec; fork copies the table; exec drops close-on-exec entries;
 * exit drops them all. Processes made by clone(CLONE_FILES) share one
 * table until one of them execs, exits or unshares it: each keeps its own
 * copy of the entries (each is a holder), and a change to one is made to
 * all; threads are their process. A data call on a descriptor the table
 * does not know (opened before the trace, or lost) teaches the table from
 * the event.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "format.h"
#include "graph.h"
#include "i18n.h"
#include "names.h"
#include "qtime.h"
#include "syscalls.h"

#define NBUCKETS 1024
/*
 * A session that creates more objects than this has the rest untracked:
 * the calls on them are counted per session (ipct_graph_untracked), so it
 * is never silent, and other sessions keep their own MAX_OBJECTS.
 */
#define MAX_OBJECTS 65536
#define MAX_WARNINGS 8
/* Notes of closed descriptors (and copies of files) a process keeps; past that, the oldest go. */
#define MAX_NOTES 64

enum { END_READ = 1, END_WRITE = 2 };

struct holder {
	uint32_t pid;
	int fd;
	char comm[IPCT_COMM_LEN + 1];
	unsigned mode;                  /* END_* of the descriptor */
	bool open;
	bool diagnosed;                 /* no_eof said for this reader */
	uint64_t bytes_w, calls_w, bytes_r, calls_r;
	uint64_t closed_ns;
	/* System V segments: its shmat and shmdt calls, what it has attached now, since when */
	uint64_t attaches, detaches, mapped, attached_ns;
	struct holder *next;
};

struct object {
	uint32_t session;
	uint64_t ino;
	int kind;                       /* IPCT_KIND_PIPE, FIFO, SOCKET, MQUEUE, MSGQ, SHM */
	uint64_t seq;                   /* creation order, for output */
	uint64_t created_ns;
	char *path;                     /* FIFO path, AF_UNIX bound path, a POSIX queue's "/NAME" */
	uint16_t family, type;
	char local[80], remote[80];
	uint64_t peer_ino;
	uint64_t bytes_w, bytes_r, writes, reads, eof_reads, epipe, eagain;
	struct holder *holders, **holders_tail;
	struct json_object *warnings, *warning_parts;   /* each warning's message_parts, in the same order */
	struct mqueue *q;               /* message queues: what only they have */
	struct shmseg *m;               /* shared memory segments: the same */
	struct semset *sem;             /* semaphore sets: their semaphores */
	struct persist *life;           /* these kinds': &q->life, &m->life, &sem->life; NULL for the others */
	struct object *next;            /* hash chain */
};

/* What outlives the processes: made with O_CREAT or IPC_CREAT, removed (or not) by a call. */
struct persist {
	int64_t key;                    /* System V: the key it was got with; -1 unknown */
	uint64_t made_ns, removed_ns;   /* the O_CREAT / IPC_CREAT call that returned it; mq_unlink, IPC_RMID */
	uint32_t maker_pid;
	char maker_comm[IPCT_COMM_LEN + 1];
	int maker_call;                 /* its syscall number */
};

/* A message queue's own: its attributes, and its messages' times in it. */
struct mqueue {
	struct persist life;
	int64_t maxmsg, msgsize;        /* POSIX: its attributes; -1 unknown */
	struct ipct_qtime *times;
	uint64_t timed, time_total_ns, time_max_ns;     /* messages whose time in the queue is known */
	uint64_t etimedout, emsgsize;
};

/* The semaphores a set's numbers are counted for; operations on higher numbers are counted apart. */
#define MAX_SEMNUMS 1024

/* One semaphore of a set: its operations, the units they added and took, the time spent in them. */
struct semnum {
	uint64_t ops, ups, downs;
	uint64_t waits, blocked_ns, blocked_max_ns;     /* operations that take or wait for zero */
};

struct semset {
	struct persist life;
	int64_t nsems;                  /* semget's; -1 unknown */
	struct semnum *nums;
	size_t nnums;
	uint64_t calls, unseen_ops;     /* semop calls; their operations past the first IPCT_SEM_OPS, or on high numbers */
};

/* A System V shared memory segment's own: its size, its attaches and detaches. */
struct shmseg {
	struct persist life;
	int64_t size;                   /* shmget's size when it made it, IPC_STAT's, ftruncate's; -1 unknown */
	uint64_t attaches, detaches;    /* shmat and mmap, shmdt and munmap calls that succeeded */
	uint64_t gone_ns;               /* removed and the last one detached: the kernel freed it */
	bool anon;                      /* a shared anonymous mapping: no name, gone with its last mapping */
	/* POSIX semaphores in it: futex waits (their blocked time) and wake-ups, and how many these woke */
	uint64_t sem_waits, sem_blocked_ns, sem_blocked_max_ns, sem_wakes, sem_woken;
};

/* A /dev/shm file named sem.NAME is a POSIX named semaphore's (sem_open's): kind sem, "sem:/NAME". */
static bool posix_sem(const struct object *o)
{
	return o->kind == IPCT_KIND_SHM && o->path && !strncmp(o->path, "/sem.", 5);
}

/*
 * Shared memory a process has attached or mapped: where (what shmat or mmap
 * returned) and how much (0 for shmat: shmdt takes the address alone).
 * fork copies them, exec and exit drop them.
 */
struct shmmap {
	uint64_t addr, len;
	struct object *o;
};

/*
 * A shared anonymous mapping has no inode: the graph keys it by the bits
 * 63, 62 and 61, which no inode and no System V object has, and its own count.
 */
#define SHM_ANON_INO(n) (7ull << 61 | (n))

struct fdent {
	int fd;
	unsigned mode;
	bool cloexec;
	bool inherited;                 /* open before the trace (seeded), or a copy of such */
	struct object *obj;
	struct holder *h;
	struct ipct_graph_fdnote made;  /* the call that made it (IPCT_FDN_OPEN) */
};

/* A descriptor the table does not hold: fd to last closed, or a copy of a file; the latest note counts. */
struct fdnote {
	int fd, last;
	bool cloexec;
	struct ipct_graph_fdnote n;
	struct ipct_graph_fdnote before;        /* an open file's: how the descriptor whose number it took closed */
};

struct gproc {
	uint32_t pid;
	uint32_t session;
	char comm[IPCT_COMM_LEN + 1];
	struct fdent *fds;
	size_t nfds, cap;
	size_t hint[2];                 /* where fd_find found the last two: a loop reads one and writes another */
	struct fdnote *notes;
	size_t nnotes;
	bool forgot;                    /* notes were dropped: a descriptor without one may have had one */
	struct gproc *sharer;           /* ring of the processes that share the kernel's table (itself: none) */
	struct shmmap *maps;            /* the segments and shared memory it has attached or mapped */
	size_t nmaps;
	struct gproc *next;
};

/* A session's own: the clock offset its times are shown with, and its objects. */
/* What a process's standard streams were when it exec'd (its STDIO record). */
struct stdrec {
	uint32_t pid;
	uint64_t ts;
	char comm[IPCT_COMM_LEN + 1];
	struct ipct_stdio st;
};

struct gsession {
	uint32_t session;
	int64_t realtime_off;
	size_t nobjects;
	uint64_t untracked;     /* calls on objects refused: the session had MAX_OBJECTS */
	struct stdrec *stds;    /* the latest MAX_STDRECS execs' */
	size_t nstds;
};

struct ipct_graph {
	int64_t realtime_off;
	struct gsession *sessions;      /* the sessions that have objects or a clock of their own */
	size_t nsessions;
	ipct_graph_diag_fn diag;
	void *data;
	uint64_t seq;
	uint64_t anon;                  /* shared anonymous mappings seen, all sessions */
	/* A link's old path under /dev/shm, until its new one comes (the next record of that process) */
	uint32_t link_pid;
	char link_from[sizeof(((struct ipct_objinfo *)0)->path) + 2];
	bool refused;                   /* the event being handled met an object refused */
	uint64_t untracked;             /* such events, all sessions, ever */
	struct gproc *procs[NBUCKETS];
	struct object *objects[NBUCKETS];
	struct tcp_end *tcp_ends[NBUCKETS];    /* TCP sockets whose peer is not known yet (tcp_link) */
};

/* A connected TCP socket waiting for its other end, by (session, inode); gone with its session. */
struct tcp_end {
	uint32_t session;
	uint64_t ino;
	struct tcp_end *next;
};

struct ipct_graph *ipct_graph_new(int64_t realtime_off, ipct_graph_diag_fn diag, void *data)
{
	struct ipct_graph *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->realtime_off = realtime_off;
	g->diag = diag;
	g->data = data;
	return g;
}

static void object_free(struct object *o)
{
	while (o->holders) {
		struct holder *h = o->holders;

		o->holders = h->next;
		free(h);
	}
	json_object_put(o->warnings);
	json_object_put(o->warning_parts);
	if (o->q)
		ipct_qtime_free(o->q->times);
	free(o->q);
	if (o->sem)
		free(o->sem->nums);
	free(o->sem);
	free(o->m);
	free(o->path);
	free(o);
}

static void proc_unshare(struct gproc *p);

static void proc_free(struct gproc *p)
{
	proc_unshare(p);
	free(p->fds);
	free(p->notes);
	free(p->maps);
	free(p);
}

void ipct_graph_free(struct ipct_graph *g)
{
	if (!g)
		return;
	for (int b = 0; b < NBUCKETS; b++) {
		while (g->procs[b]) {
			struct gproc *p = g->procs[b];

			g->procs[b] = p->next;
			proc_free(p);
		}
		while (g->objects[b]) {
			struct object *o = g->objects[b];

			g->objects[b] = o->next;
			object_free(o);
		}
		while (g->tcp_ends[b]) {
			struct tcp_end *t = g->tcp_ends[b];

			g->tcp_ends[b] = t->next;
			free(t);
		}
	}
	for (size_t i = 0; i < g->nsessions; i++)
		free(g->sessions[i].stds);
	free(g->sessions);
	free(g);
}

/* ---- processes ---- */

static struct gproc *proc_find(struct ipct_graph *g, uint32_t pid)
{
	struct gproc *p = g->procs[pid % NBUCKETS];

	while (p && p->pid != pid)
		p = p->next;
	return p;
}

static struct gproc *proc_get(struct ipct_graph *g, uint32_t pid, uint32_t session, const char *comm)
{
	struct gproc *p = proc_find(g, pid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->session = session;
	p->sharer = p;
	snprintf(p->comm, sizeof(p->comm), "%.*s", IPCT_COMM_LEN, comm);
	p->next = g->procs[pid % NBUCKETS];
	g->procs[pid % NBUCKETS] = p;
	return p;
}

static void proc_unlink(struct ipct_graph *g, struct gproc *p)
{
	struct gproc **pp = &g->procs[p->pid % NBUCKETS];

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
}

/* child shares parent's table (clone with CLONE_FILES). */
static void proc_share(struct gproc *parent, struct gproc *child)
{
	child->sharer = parent->sharer;
	parent->sharer = child;
}

/* p's table is its own from now on: exec, exit, unshare(CLONE_FILES), CLOSE_RANGE_UNSHARE. */
static void proc_unshare(struct gproc *p)
{
	struct gproc *q = p;

	while (q->sharer != p)
		q = q->sharer;
	q->sharer = p->sharer;
	p->sharer = p;
}

/* ---- objects ---- */

static struct object *object_find(struct ipct_graph *g, uint32_t session, uint64_t ino)
{
	struct object *o = g->objects[ino % NBUCKETS];

	while (o && (o->ino != ino || o->session != session))
		o = o->next;
	return o;
}

static struct gsession *session_find(const struct ipct_graph *g, uint32_t session)
{
	for (size_t i = 0; i < g->nsessions; i++)
		if (g->sessions[i].session == session)
			return &g->sessions[i];
	return NULL;
}

/* The session's entry, made with the graph's default clock if new; NULL on ENOMEM. */
static struct gsession *session_get(struct ipct_graph *g, uint32_t session)
{
	struct gsession *s = session_find(g, session), *n;

	if (s)
		return s;
	n = realloc(g->sessions, (g->nsessions + 1) * sizeof(*n));
	if (!n)
		return NULL;
	g->sessions = n;
	s = &g->sessions[g->nsessions++];
	*s = (struct gsession){ .session = session, .realtime_off = g->realtime_off };
	return s;
}

static struct object *object_get(struct ipct_graph *g, uint32_t session, uint64_t ino, int kind)
{
	struct object *o = object_find(g, session, ino);
	struct gsession *s;

	if (o)
		return o;
	s = session_get(g, session);
	if (!s)
		return NULL;
	if (s->nobjects >= MAX_OBJECTS) {
		g->refused = true;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->session = session;
	o->ino = ino;
	o->kind = kind;
	o->seq = ++g->seq;
	o->holders_tail = &o->holders;
	if (kind == IPCT_KIND_MQUEUE || kind == IPCT_KIND_MSGQ) {
		o->q = calloc(1, sizeof(*o->q));
		if (o->q)
			o->q->times = ipct_qtime_new();
		if (!o->q || !o->q->times) {
			if (o->q)
				ipct_qtime_free(o->q->times);
			free(o->q);
			free(o);
			return NULL;
		}
		o->q->life.key = o->q->maxmsg = o->q->msgsize = -1;
		o->life = &o->q->life;
	} else if (kind == IPCT_KIND_SEM) {
		o->sem = calloc(1, sizeof(*o->sem));
		if (!o->sem) {
			free(o);
			return NULL;
		}
		o->sem->life.key = o->sem->nsems = -1;
		o->life = &o->sem->life;
	} else if (kind == IPCT_KIND_SHM) {
		o->m = calloc(1, sizeof(*o->m));
		if (!o->m) {
			free(o);
			return NULL;
		}
		o->m->life.key = o->m->size = -1;
		o->life = &o->m->life;
	}
	o->next = g->objects[ino % NBUCKETS];
	g->objects[ino % NBUCKETS] = o;
	s->nobjects++;
	return o;
}

static void object_name(const struct object *o, char *buf, size_t len)
{
	if (o->kind == IPCT_KIND_MQUEUE && o->path)
		snprintf(buf, len, "mqueue:%s", o->path);
	else if (posix_sem(o))
		snprintf(buf, len, "sem:/%s", o->path + 5);
	else if (o->kind == IPCT_KIND_SHM && o->path)
		snprintf(buf, len, "shm:%s", o->path);
	else
		ipct_object_name(o->kind, o->ino, buf, len);
}

static void object_warn(struct object *o, const struct ipct_text *msg)
{
	size_t n;

	if (!o->warnings) {
		o->warnings = json_object_new_array();
		o->warning_parts = json_object_new_array();
	}
	n = o->warnings && o->warning_parts ? json_object_array_length(o->warnings) : MAX_WARNINGS;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(o->warnings, i)), msg->buf))
			return;
	if (n < MAX_WARNINGS) {
		json_object_array_add(o->warnings, json_object_new_string(msg->buf));
		json_object_array_add(o->warning_parts, ipct_text_parts(msg));
	}
}

/* The holder entry of (pid, fd) for o, reopened or new. */
static struct holder *holder_open(struct object *o, const struct gproc *p, int fd, unsigned mode)
{
	struct holder *h;

	for (h = o->holders; h; h = h->next)
		if (h->pid == p->pid && h->fd == fd && (h->open || h->mode == mode))
			break;
	if (!h) {
		h = calloc(1, sizeof(*h));
		if (!h)
			return NULL;
		h->pid = p->pid;
		h->fd = fd;
		*o->holders_tail = h;
		o->holders_tail = &h->next;
	}
	memcpy(h->comm, p->comm, sizeof(h->comm));
	h->mode = mode;
	h->open = true;
	h->closed_ns = 0;
	return h;
}

/* ---- descriptor tables ---- */

static struct fdent *fd_find(struct gproc *p, int fd)
{
	for (int h = 0; h < 2; h++)
		if (p->hint[h] < p->nfds && p->fds[p->hint[h]].fd == fd)
			return &p->fds[p->hint[h]];
	for (size_t i = 0; i < p->nfds; i++)
		if (p->fds[i].fd == fd) {
			p->hint[1] = p->hint[0];
			p->hint[0] = i;
			return &p->fds[i];
		}
	return NULL;
}

/* p's notes on fd alone go: it is open again. */
static void note_drop_one(struct gproc *p, int fd)
{
	for (size_t i = p->nnotes; i-- > 0;)
		if (p->notes[i].fd == fd && p->notes[i].last == fd)
			memmove(&p->notes[i], &p->notes[i + 1], (--p->nnotes - i) * sizeof(*p->notes));
}

static struct fdnote *note_find_one(struct gproc *p, int fd)
{
	for (size_t i = p->nnotes; i-- > 0;)
		if (p->notes[i].fd == fd && p->notes[i].last == fd)
			return &p->notes[i];
	return NULL;
}

static void note_add_one(struct gproc *p, const struct fdnote *n)
{
	struct fdnote *old = note_find_one(p, n->fd), keep;

	/*
	 * A file opened at a closed descriptor's number, then closed (the
	 * dynamic loader's, at a closed standard stream's): what closed the
	 * stream still explains why it is not open.
	 */
	if (old && n->fd == n->last && n->n.state == IPCT_FDN_CLOSED && old->n.state == IPCT_FDN_OPEN &&
	    old->before.state == IPCT_FDN_CLOSED) {
		keep = *n;
		keep.n = old->before;
		keep.n.reopened = true;
		n = &keep;
	} else if (old && n->fd == n->last && n->n.state == IPCT_FDN_OPEN && n->n.from < 0 &&
		   old->n.state == IPCT_FDN_CLOSED) {
		keep = *n;
		keep.before = old->n;
		n = &keep;
	}
	note_drop_one(p, n->fd);
	if (!p->notes && !(p->notes = calloc(MAX_NOTES, sizeof(*p->notes))))
		return;
	if (p->nnotes == MAX_NOTES) {
		memmove(p->notes, p->notes + 1, --p->nnotes * sizeof(*p->notes));
		p->forgot = true;
	}
	p->notes[p->nnotes++] = *n;
}

/* Descriptors fd to last, in p's table and those that share it: closed by call, or (OPEN) a copy of a file. */
static void note_add(struct gproc *p, int fd, int last, enum ipct_fdn_state state, const char *call, int from,
		     int kind, uint64_t ino, uint64_t flags, uint64_t ts)
{
	struct fdnote n = {
		.fd = fd, .last = last, .cloexec = flags & IPCT_FD_CLOEXEC,
		.n = { .state = state, .ts = ts, .pid = p->pid, .call = call, .from = from, .kind = kind,
		       .ino = ino, .mode = (unsigned)(flags >> 32) & 3 },
	};
	struct gproc *q = p;

	memcpy(n.n.comm, p->comm, sizeof(n.n.comm));
	do {
		note_add_one(q, &n);
		q = q->sharer;
	} while (q != p);
}

/*
 * The entries of one process. Everything else goes through fd_close(),
 * fd_put() and fd_mark_cloexec(), which change every table of the ring.
 */
/*
 * Removed, and nothing attached or mapped anywhere, no descriptor open on it
 * (POSIX): the kernel has freed the segment.
 */
static void shm_check_gone(struct object *o, uint64_t ts)
{
	if ((!o->m->life.removed_ns && !o->m->anon) || o->m->gone_ns)
		return;
	for (const struct holder *h = o->holders; h; h = h->next)
		if (h->mapped || (h->fd >= 0 && h->open))
			return;
	o->m->gone_ns = ts;
}

static void fd_close_one(struct gproc *p, int fd, uint64_t ts)
{
	struct fdent *ent = fd_find(p, fd);

	if (!ent)
		return;
	if (ent->h) {
		ent->h->open = false;
		ent->h->closed_ns = ts;
	}
	if (ent->obj->m)
		shm_check_gone(ent->obj, ts);
	*ent = p->fds[--p->nfds];
}

static struct fdent *fd_put_one(struct gproc *p, int fd, struct object *o, unsigned mode, bool cloexec,
				bool inherited, uint64_t ts)
{
	struct fdent *ent;

	fd_close_one(p, fd, ts);
	if (p->nfds == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct fdent *n = realloc(p->fds, cap * sizeof(*n));

		if (!n)
			return NULL;
		p->fds = n;
		p->cap = cap;
	}
	ent = &p->fds[p->nfds++];
	ent->fd = fd;
	ent->obj = o;
	ent->mode = mode;
	ent->cloexec = cloexec;
	ent->inherited = inherited;
	ent->h = holder_open(o, p, fd, mode);
	ent->made = (struct ipct_graph_fdnote){ .state = IPCT_FDN_OPEN, .ts = ts, .pid = p->pid, .from = -1,
						.kind = o->kind, .ino = o->ino, .mode = mode };
	memcpy(ent->made.comm, p->comm, sizeof(ent->made.comm));
	note_drop_one(p, fd);
	return ent;
}

static void fd_close(struct gproc *p, int fd, uint64_t ts)
{
	struct gproc *q = p;

	do {
		fd_close_one(q, fd, ts);
		q = q->sharer;
	} while (q != p);
}

/* fd on o, in p's table and those that share it; p's entry. */
static struct fdent *fd_put(struct gproc *p, int fd, struct object *o, unsigned mode, bool cloexec,
			    bool inherited, uint64_t ts)
{
	struct fdent *mine = NULL;
	struct gproc *q = p;

	if (fd < 0 || !o)
		return NULL;
	do {
		struct fdent *ent = fd_put_one(q, fd, o, mode, cloexec, inherited, ts);

		if (q == p)
			mine = ent;
		q = q->sharer;
	} while (q != p);
	return mine;
}

static void fd_mark_cloexec(struct gproc *p, int fd, bool on)
{
	struct gproc *q = p;

	do {
		struct fdent *ent = fd_find(q, fd);

		if (ent)
			ent->cloexec = on;
		q = q->sharer;
	} while (q != p);
}

/* The end a descriptor is, from its f_mode (FMODE_READ 1, FMODE_WRITE 2). */
static unsigned mode_of(uint64_t flags)
{
	return (unsigned)(flags >> 32) & 3;
}

static bool cloexec_of(uint64_t flags)
{
	return flags & IPCT_FD_CLOEXEC;
}

/* A descriptor the kernel just installed (open of a FIFO, pidfd_getfd, SCM_RIGHTS) on the object resolved. */
static void fd_new(struct ipct_graph *g, struct gproc *p, int fd, int kind, uint64_t ino, uint64_t flags,
		   uint64_t ts)
{
	fd_put(p, fd, object_get(g, p->session, ino, kind), mode_of(flags), cloexec_of(flags), false, ts);
}

/* The entry for fd, learnt from the event's resolved object when the table lacks it. */
static struct fdent *fd_learn(struct ipct_graph *g, struct gproc *p, int fd, int kind, uint64_t ino,
			      uint64_t flags, uint64_t ts)
{
	struct fdent *ent = fd_find(p, fd);

	if (ent && ent->obj->ino == ino)
		return ent;
	if (!IPCT_KIND_IS_GRAPHED(kind))
		return NULL;
	return fd_put(p, fd, object_get(g, p->session, ino, kind), mode_of(flags), cloexec_of(flags), false,
		      ts);
}

/* F_SETFD, FIOCLEX, FIONCLEX on the event's fd (arg0): its close-on-exec flag. */
static void fd_set_cloexec(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e, bool on)
{
	int fd = (int)e->sys.args[0];

	if (fd_learn(g, p, fd, e->kind[0], e->sys.x[0], e->sys.x[1], e->ts_ns))
		fd_mark_cloexec(p, fd, on);
}

/* close_range(first, last, flags): the range closed, or marked close-on-exec. */
static void on_close_range(struct gproc *p, const struct ipct_sys *s, uint64_t ts)
{
	unsigned int first = (unsigned int)s->args[0], last = (unsigned int)s->args[1];

	/* The table is copied first, and the range closed in the copy. */
	if (s->args[2] & CLOSE_RANGE_UNSHARE)
		proc_unshare(p);
	if (!(s->args[2] & CLOSE_RANGE_CLOEXEC))
		note_add(p, (int)first, (int)(last > INT_MAX ? INT_MAX : last), IPCT_FDN_CLOSED, "close_range", -1,
			 IPCT_KIND_NONE, 0, 0, ts);
	/* Backwards: fd_close() moves the last entry into the place it frees. */
	for (size_t i = p->nfds; i-- > 0;) {
		unsigned int fd = (unsigned int)p->fds[i].fd;

		if (fd < first || fd > last)
			continue;
		if (s->args[2] & CLOSE_RANGE_CLOEXEC)
			fd_mark_cloexec(p, (int)fd, true);
		else
			fd_close(p, (int)fd, ts);
	}
}

/*
 * fd was just made by call (a copy of from, or -1) in p: its entry says so,
 * in every table of the ring; one the table does not hold (a copy of a
 * file or terminal, as the event resolved it) gets a note.
 */
static void fd_made(struct gproc *p, int fd, const char *call, int from, int kind, uint64_t ino, uint64_t flags,
		    uint64_t ts)
{
	struct gproc *q = p;

	if (fd < 0)
		return;
	if (!fd_find(p, fd)) {
		note_add(p, fd, fd, IPCT_FDN_OPEN, call, from, kind, ino, flags, ts);
		return;
	}
	do {
		struct fdent *ent = fd_find(q, fd);

		if (ent) {
			ent->made.call = call;
			ent->made.from = from;
		}
		q = q->sharer;
	} while (q != p);
}

static void fd_copy(struct gproc *p, int from, int to, bool cloexec, uint64_t ts)
{
	struct fdent *src = fd_find(p, from);

	if (from == to)
		return;
	fd_close(p, to, ts);
	if (src) {
		struct object *o = src->obj;
		unsigned mode = src->mode;
		bool inherited = src->inherited;

		fd_put(p, to, o, mode, cloexec, inherited, ts);
	}
}

void ipct_graph_session_clock(struct ipct_graph *g, uint32_t session, int64_t realtime_off)
{
	struct gsession *s = session_get(g, session);

	if (s)
		s->realtime_off = realtime_off;
}

/* The clock offset of a session's times: the one its client was given. */
static int64_t clock_of(const struct ipct_graph *g, uint32_t session)
{
	const struct gsession *s = session_find(g, session);

	return s ? s->realtime_off : g->realtime_off;
}

uint64_t ipct_graph_untracked(const struct ipct_graph *g, uint32_t session)
{
	const struct gsession *s = session ? session_find(g, session) : NULL;

	return !session ? g->untracked : s ? s->untracked : 0;
}

/* ---- diagnoses ---- */

/*
 * The open write ends of o: said to t (when not NULL) as "cat[812] fd 4,
 * sh[811] fd 4 (itself)", added to arr (when not NULL) as JSON. Returns how
 * many; *own (when not NULL): whether self holds one.
 */
static int write_holders(const struct object *o, const struct gproc *self, struct ipct_text *t,
			 struct json_object *arr, bool *own)
{
	int n = 0;

	for (const struct holder *h = o->holders; h; h = h->next) {
		bool is_self = self && h->pid == self->pid;
		struct json_object *j;

		if (!h->open || !(h->mode & END_WRITE))
			continue;
		if (own)
			*own |= is_self;
		if (t)
			ipct_say(t, is_self ? N_("%s%s[%u] fd %d (itself)") : N_("%s%s[%u] fd %d"), n ? ", " : "", h->comm,
				 h->pid, h->fd);
		n++;
		if (!arr)
			continue;
		j = json_object_new_object();
		json_object_object_add(j, "pid", json_object_new_int64(h->pid));
		json_object_object_add(j, "comm", json_object_new_string(h->comm));
		json_object_object_add(j, "fd", json_object_new_int(h->fd));
		json_object_array_add(arr, j);
	}
	return n;
}

/* An entry of a diagnosis's processes or evidence list (docs/diagnoses.md). */
static struct json_object *who_json(uint32_t pid, const char *comm)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "pid", json_object_new_int64(pid));
	json_object_object_add(j, "comm", json_object_new_string(comm));
	return j;
}

/*
 * A diagnosis d, its message msg, that rests on one event (its evidence,
 * which detail_fmt says) goes to the session's client, and is freed.
 */
static void __attribute__((format(printf, 9, 10)))
diag_emit(struct ipct_graph *g, uint32_t session, struct json_object *d, const struct ipct_text *msg, uint32_t pid,
	  const char *comm, int64_t time_ns, const char *event, const char *detail_fmt, ...)
{
	struct json_object *ev = json_object_new_array(), *j = who_json(pid, comm);
	struct ipct_text detail = { .len = 0 };
	va_list ap;

	va_start(ap, detail_fmt);
	ipct_vsay(&detail, detail_fmt, ap);
	va_end(ap);
	json_object_object_add(d, "message", json_object_new_string(msg->buf));
	json_object_object_add(d, "message_parts", ipct_text_parts(msg));
	json_object_object_add(j, "time_ns", json_object_new_int64(time_ns));
	json_object_object_add(j, "event", json_object_new_string(event));
	json_object_object_add(j, "detail", json_object_new_string(detail.buf));
	json_object_object_add(j, "detail_parts", ipct_text_parts(&detail));
	json_object_array_add(ev, j);
	json_object_object_add(d, "evidence", ev);
	if (g->diag)
		g->diag(session, d, g->data);
	json_object_put(d);
}

/*
 * A diagnosis about p's descriptor fd on o, resting on one event: the call
 * `event` it made at ev_ts (a read it sleeps in, an exec, a write), in which
 * p plays `role`; the holders of the write end are listed too. An info
 * says what is normal (severity "info"), and is no warning of the object's.
 */
static void diagnose(struct ipct_graph *g, struct object *o, const struct gproc *p, int fd,
		     const char *kind, uint64_t ts, struct json_object *holders, const struct ipct_text *msg,
		     uint64_t ev_ts, const char *event, const char *role, bool info)
{
	struct json_object *d = json_object_new_object(), *procs = json_object_new_array(), *j;
	int64_t off = clock_of(g, o->session);
	char name[80];

	object_name(o, name, sizeof(name));
	if (!info)
		object_warn(o, msg);
	json_object_object_add(d, "type", json_object_new_string("diagnosis"));
	json_object_object_add(d, "kind", json_object_new_string(kind));
	if (info)
		json_object_object_add(d, "severity", json_object_new_string("info"));
	json_object_object_add(d, "session", json_object_new_int64(o->session));
	json_object_object_add(d, "time_ns", json_object_new_int64((int64_t)ts + off));
	json_object_object_add(d, "object", json_object_new_string(name));
	json_object_object_add(d, "pid", json_object_new_int64(p->pid));
	json_object_object_add(d, "comm", json_object_new_string(p->comm));
	json_object_object_add(d, "fd", json_object_new_int(fd));
	json_object_object_add(d, "holders", holders);
	j = who_json(p->pid, p->comm);
	json_object_object_add(j, "role", json_object_new_string(role));
	json_object_array_add(procs, j);
	for (size_t i = 0; i < json_object_array_length(holders); i++) {
		struct json_object *h = json_object_array_get_idx(holders, i), *pid, *comm;

		if (json_object_object_get_ex(h, "pid", &pid) && json_object_get_int64(pid) != p->pid &&
		    json_object_object_get_ex(h, "comm", &comm)) {
			j = who_json((uint32_t)json_object_get_int64(pid), json_object_get_string(comm));
			json_object_object_add(j, "role", json_object_new_string("write end"));
			json_object_array_add(procs, j);
		}
	}
	json_object_object_add(d, "processes", procs);
	j = json_object_new_array();
	json_object_array_add(j, json_object_new_string(name));
	json_object_object_add(d, "objects", j);
	diag_emit(g, o->session, d, msg, p->pid, p->comm, (int64_t)ev_ts + off, event, "%s, fd %d on %s", event, fd,
		  name);
}

bool ipct_graph_reader_said(struct ipct_graph *g, uint32_t pid, int fd)
{
	struct gproc *p = proc_find(g, pid);
	struct fdent *ent = p ? fd_find(p, fd) : NULL;

	return ent && ent->h && ent->h->diagnosed;
}

void ipct_graph_blocked(struct ipct_graph *g, uint32_t pid, int fd, int nr, uint64_t since_ns,
			uint64_t now_ns)
{
	struct gproc *p = proc_find(g, pid);
	struct fdent *ent = p ? fd_find(p, fd) : NULL;
	struct json_object *holders;
	struct ipct_text msg = { .len = 0 };
	char name[48];
	bool own = false;

	if (!ent || ent->h->diagnosed || (ent->obj->kind != IPCT_KIND_PIPE && ent->obj->kind != IPCT_KIND_FIFO) ||
	    !(ent->mode & END_READ))
		return;
	holders = json_object_new_array();
	if (!write_holders(ent->obj, p, NULL, holders, &own)) {
		json_object_put(holders);
		return;
	}
	ent->h->diagnosed = true;
	object_name(ent->obj, name, sizeof(name));
	/* A slow writer is no bug; a reader that holds the write end itself never gets EOF. */
	if (own)
		ipct_say(&msg, "%s[%u] has waited %.1f s in %s on %s (fd %d) and will never see EOF: it holds "
			 "the write end itself; a reader must close its own copy of the write end. "
			 "Write ends open: ",
			 p->comm, p->pid, (now_ns - since_ns) / 1e9, ipct_syscall_name(nr) ?: "read", name, fd);
	else
		ipct_say(&msg, "%s[%u] has waited %.1f s in %s on %s (fd %d): it sees EOF only once every write "
			 "end is closed, and these are open: ",
			 p->comm, p->pid, (now_ns - since_ns) / 1e9, ipct_syscall_name(nr) ?: "read", name, fd);
	write_holders(ent->obj, p, &msg, NULL, NULL);
	diagnose(g, ent->obj, p, fd, "no_eof", now_ns, holders, &msg, since_ns, ipct_syscall_name(nr) ?: "read",
		 "reader", false);
}

static void check_leaks(struct ipct_graph *g, struct gproc *p, uint64_t ts)
{
	for (size_t i = 0; i < p->nfds; i++) {
		struct fdent *ent = &p->fds[i];
		struct ipct_text msg = { .len = 0 };
		struct json_object *holders;
		char name[80];

		/* Descriptors from before the trace are someone else's doing: not diagnosed. */
		if (ent->fd <= 2 || !(ent->mode & END_WRITE) || ent->inherited ||
		    (ent->obj->kind != IPCT_KIND_PIPE && ent->obj->kind != IPCT_KIND_FIFO))
			continue;
		holders = json_object_new_array();
		write_holders(ent->obj, NULL, NULL, holders, NULL);
		object_name(ent->obj, name, sizeof(name));
		ipct_say(&msg, "%s[%u] was exec'd holding the write end of %s as fd %d (not close-on-exec): "
			 "its readers see EOF only after it exits or closes it",
			 p->comm, p->pid, name, ent->fd);
		diagnose(g, ent->obj, p, ent->fd, "leaked_write_end", ts, holders, &msg, ts, "exec", "exec'd", false);
	}
}

/* ---- events ---- */

/* A data call through ent: count it, and see what its result says. */
/* A call that moved bytes (or none) on o through holder h: counted on both. */
static void count_io(struct object *o, struct holder *h, bool write, uint64_t bytes)
{
	if (write) {
		o->writes++;
		o->bytes_w += bytes;
		h->calls_w++;
		h->bytes_w += bytes;
	} else {
		o->reads++;
		o->bytes_r += bytes;
		h->calls_r++;
		h->bytes_r += bytes;
	}
}

static void account(struct ipct_graph *g, struct gproc *p, struct fdent *ent, bool write, int64_t ret,
		    bool counts_bytes, uint64_t ts)
{
	struct object *o = ent->obj;
	struct holder *h = ent->h;

	if (ret >= 0) {
		count_io(o, h, write, counts_bytes ? (uint64_t)ret : 0);
		o->eof_reads += !write && counts_bytes && ret == 0;
	} else if (ret == -EAGAIN) {
		o->eagain++;
	} else if (ret == -EPIPE && write) {
		struct ipct_text msg = { .len = 0 };
		char name[80];
		/* Its readers read, then left: how a pipeline (yes | head) stops a writer, by design. */
		bool normal = o->bytes_r > 0;

		o->epipe++;
		object_name(o, name, sizeof(name));
		if (normal)
			ipct_say(&msg, "%s[%u] wrote to %s (fd %d) after its readers had read %" PRIu64
				 " bytes and closed it: the write failed with EPIPE and raised SIGPIPE, which is how a "
				 "pipeline stops a writer once its reader has what it wanted", p->comm, p->pid, name,
				 ent->fd, o->bytes_r);
		else
			ipct_say(&msg, "%s[%u] wrote to %s (fd %d) after every reader had closed it: "
				 "the write failed with EPIPE and raised SIGPIPE", p->comm, p->pid, name, ent->fd);
		/*
		 * Once per writer: a loop that keeps writing says nothing new. A
		 * socket's EPIPE can be its own shutdown: not diagnosed.
		 */
		if (!h->diagnosed && o->kind != IPCT_KIND_SOCKET)
			diagnose(g, o, p, ent->fd, "write_after_close", ts, json_object_new_array(), &msg, ts,
				 "write", "writer", normal);
		h->diagnosed = true;
	}
}

/* dup, dup2, dup3, fcntl(F_DUPFD*): to is a copy of from (the event's first object). */
static void fd_dup(struct gproc *p, const struct ipct_event *e, const char *call, int from, int to, bool cloexec)
{
	fd_copy(p, from, to, cloexec, e->ts_ns);
	fd_made(p, to, call, from, e->kind[0], e->sys.x[0],
		(e->sys.x[1] & ~IPCT_FD_CLOEXEC) | (cloexec ? IPCT_FD_CLOEXEC : 0), e->ts_ns);
}

static void on_fd_call(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e,
		       const struct ipct_syscall *sc)
{
	const struct ipct_sys *s = &e->sys;
	const char *name = sc->name;
	int fd = (int)s->args[0];
	struct fdent *ent;
	bool write;

	if (sc->io != IPCT_IO_NONE) {
		ent = fd_learn(g, p, fd, e->kind[0], s->x[0], s->x[1], e->ts_ns);
		/* A read of a POSIX queue's descriptor reads its status line, not a message. */
		if (!ent || ent->obj->kind == IPCT_KIND_MQUEUE)
			return;
		/* vmsplice fills a pipe through its write end and drains it through its read end. */
		write = sc->io == IPCT_IO_BY_END ? (ent->mode & END_WRITE) != 0
						 : sc->io == IPCT_IO_WRITE || sc->io == IPCT_IO_WRITE_MSGS;
		/* sendmmsg/recvmmsg return messages, not bytes. */
		account(g, p, ent, write, s->ret, sc->io != IPCT_IO_READ_MSGS && sc->io != IPCT_IO_WRITE_MSGS,
			e->ts_ns);
		return;
	}
	if (!strcmp(name, "dup")) {
		if (s->ret >= 0)
			fd_dup(p, e, name, fd, (int)s->ret, false);
		return;
	}
	if (!strcmp(name, "fcntl")) {
		if ((s->args[1] == F_DUPFD || s->args[1] == F_DUPFD_CLOEXEC) && s->ret >= 0)
			fd_dup(p, e, name, fd, (int)s->ret, s->args[1] == F_DUPFD_CLOEXEC);
		else if (s->args[1] == F_SETFD && s->ret == 0)
			fd_set_cloexec(g, p, e, s->args[2] & FD_CLOEXEC);
	} else if (!strcmp(name, "ioctl")) {
		if (s->ret == 0)
			fd_set_cloexec(g, p, e, (uint32_t)s->args[1] == FIOCLEX);
	}
}

/* splice(in, .., out), tee(in, out), sendfile(out, in): read from one, written to the other. */
static void on_fd_pair(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e, const char *name)
{
	const struct ipct_sys *s = &e->sys;
	bool sendfile = !strcmp(name, "sendfile");
	int fd_a = (int)s->args[0], fd_b = (int)s->args[!strcmp(name, "splice") ? 2 : 1];
	struct fdent *a = fd_learn(g, p, fd_a, e->kind[0], s->x[0], s->x[1], e->ts_ns);
	struct fdent *b = fd_learn(g, p, fd_b, e->kind[1], s->x[2], s->x[3], e->ts_ns);

	/* a is the source for splice and tee, the destination for sendfile; tee leaves its source's data in place. */
	if (a && strcmp(name, "tee"))
		account(g, p, a, sendfile, s->ret, true, e->ts_ns);
	if (b)
		account(g, p, b, !sendfile, s->ret, true, e->ts_ns);
}

/* ---- message queues ---- */

/* A call with O_CREAT or IPC_CREAT returned the queue or segment: whoever did so is who should remove it. */
static void ipc_made(struct object *o, const struct gproc *p, const struct ipct_event *e)
{
	struct persist *q = o->life;

	if (q->made_ns && !q->removed_ns)
		return;
	q->made_ns = e->ts_ns;
	q->removed_ns = 0;
	q->maker_pid = p->pid;
	q->maker_call = e->nr;
	memcpy(q->maker_comm, p->comm, sizeof(q->maker_comm));
	if (!o->created_ns)
		o->created_ns = e->ts_ns;
}

/*
 * A send or a receive on a queue, by holder h: counted, and matched with
 * the other end of its message for the time it spent in the queue. The
 * message's key: its priority (POSIX) or mtype (System V, when read).
 */
static void queue_io(struct object *o, struct holder *h, const struct ipct_event *e, bool send)
{
	const struct ipct_sys *s = &e->sys;
	struct mqueue *q = o->q;
	uint64_t bytes;
	int64_t t;

	if (s->ret == -EAGAIN || s->ret == -ENOMSG)
		o->eagain++;
	else if (s->ret == -ETIMEDOUT)
		q->etimedout++;
	else if (s->ret == -EMSGSIZE || s->ret == -E2BIG)
		q->emsgsize++;
	if (s->ret < 0)
		return;
	bytes = send ? s->args[2] : (uint64_t)s->ret;
	count_io(o, h, send, bytes);
	/* An mtype not read is no key; MSG_COPY leaves the message where it is. */
	if (o->kind == IPCT_KIND_MSGQ &&
	    (!(e->flags & IPCT_F_NEW_VALID) || (!send && (s->args[4] & MSG_COPY))))
		return;
	if (o->kind == IPCT_KIND_MQUEUE && !send && !(e->flags & IPCT_F_OLD_VALID))
		t = ipct_qtime_recv_highest(q->times, e->ts_ns);
	else
		t = send ? ipct_qtime_send(q->times, (int64_t)s->x[3], e->ts_ns)
			 : ipct_qtime_recv(q->times, (int64_t)s->x[3], e->ts_ns);
	if (t < 0)
		return;
	q->timed++;
	q->time_total_ns += (uint64_t)t;
	if ((uint64_t)t > q->time_max_ns)
		q->time_max_ns = (uint64_t)t;
}

static void on_mq_open(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e)
{
	const struct ipct_sys *s = &e->sys;
	struct fdent *ent;

	if (s->ret < 0 || e->kind[0] != IPCT_KIND_MQUEUE)
		return;
	ent = fd_put(p, (int)s->ret, object_get(g, p->session, s->x[0], IPCT_KIND_MQUEUE), mode_of(s->x[1]),
		     cloexec_of(s->x[1]), false, e->ts_ns);
	if (!ent)
		return;
	if (e->flags & IPCT_F_NEW_VALID) {
		ent->obj->q->maxmsg = (int64_t)s->x[3];
		ent->obj->q->msgsize = (int64_t)(s->x[2] >> 32);
	}
	if (s->args[1] & O_CREAT)
		ipc_made(ent->obj, p, e);
}

/* System V queues have no descriptor: a process that used one is its holder (fd -1) for good. */
static void on_msg(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e, int cls)
{
	const struct ipct_sys *s = &e->sys;
	struct object *o = object_find(g, p->session, s->x[0]);
	struct holder *h;

	/* A call on an id that is no queue makes none. */
	if (s->ret < 0 && (!o || cls == IPCT_SC_MSGGET))
		return;
	if (!o)
		o = object_get(g, p->session, s->x[0], IPCT_KIND_MSGQ);
	if (!o || o->kind != IPCT_KIND_MSGQ)
		return;
	h = holder_open(o, p, -1, END_READ | END_WRITE);
	switch (cls) {
	case IPCT_SC_MSGGET:
		o->q->life.key = (int32_t)s->args[0];
		if ((s->args[1] & IPC_CREAT) || (key_t)s->args[0] == IPC_PRIVATE)
			ipc_made(o, p, e);
		break;
	case IPCT_SC_MSGCTL:
		if (s->ret == 0 && (s->args[1] & 0xff) == IPC_RMID)
			o->q->life.removed_ns = e->ts_ns;
		break;
	case IPCT_SC_MSGSND:
	case IPCT_SC_MSGRCV:
		if (h)
			queue_io(o, h, e, cls == IPCT_SC_MSGSND);
		break;
	}
}

/* ---- semaphore sets ---- */

/* Semaphore num of a set, made room for; NULL past MAX_SEMNUMS (or out of memory). */
static struct semnum *semnum_get(struct semset *ss, unsigned num)
{
	size_t n = ss->nnums;
	struct semnum *a;

	if (num < ss->nnums)
		return &ss->nums[num];
	if (num >= MAX_SEMNUMS)
		return NULL;
	while (n <= num)
		n = n ? 2 * n : 8;
	if (n > MAX_SEMNUMS)
		n = MAX_SEMNUMS;
	a = realloc(ss->nums, n * sizeof(*a));
	if (!a)
		return NULL;
	memset(a + ss->nnums, 0, (n - ss->nnums) * sizeof(*a));
	ss->nums = a;
	ss->nnums = n;
	return &ss->nums[num];
}

/*
 * A semop that succeeded, by holder h: each operation counted on its
 * semaphore, an up as h's "write" of that many units, a down as its "read".
 * An operation that takes (or waits for zero) without IPC_NOWAIT is a wait:
 * the call's time is its blocked time (the kernel makes every operation of
 * a call at once, so each such operation of it waited that long).
 */
static void sem_ops(struct object *o, struct holder *h, const struct ipct_event *e)
{
	const struct ipct_sys *s = &e->sys;
	struct semset *ss = o->sem;
	uint8_t raw[3 * sizeof(uint64_t)];
	uint64_t seen = (e->flags & IPCT_F_NEW_VALID) ? (s->args[2] < IPCT_SEM_OPS ? s->args[2] : IPCT_SEM_OPS) : 0;

	ss->calls++;
	ss->unseen_ops += s->args[2] - seen;
	memcpy(raw, &s->x[1], sizeof(raw));
	for (uint64_t i = 0; i < seen; i++) {
		struct { uint16_t num; int16_t op; int16_t flg; } b;
		struct semnum *n;

		memcpy(&b, raw + 6 * i, sizeof(b));
		n = semnum_get(ss, b.num);
		if (!n) {
			ss->unseen_ops++;
			continue;
		}
		n->ops++;
		if (b.op > 0) {
			n->ups += (uint64_t)b.op;
			count_io(o, h, true, (uint64_t)b.op);
			continue;
		}
		n->downs += (uint64_t)-b.op;
		count_io(o, h, false, (uint64_t)-b.op);
		if (b.flg & IPC_NOWAIT)
			continue;
		n->waits++;
		n->blocked_ns += s->dur_ns;
		if (s->dur_ns > n->blocked_max_ns)
			n->blocked_max_ns = s->dur_ns;
	}
}

/* System V semaphore sets have no descriptor: as queues, a process that used one is its holder (fd -1). */
static void on_sem(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e, int cls)
{
	const struct ipct_sys *s = &e->sys;
	struct object *o = object_find(g, p->session, s->x[0]);
	struct holder *h;

	/* A call on an id that is no set makes none. */
	if (s->ret < 0 && (!o || cls == IPCT_SC_SEMGET))
		return;
	if (!o)
		o = object_get(g, p->session, s->x[0], IPCT_KIND_SEM);
	if (!o || o->kind != IPCT_KIND_SEM)
		return;
	h = holder_open(o, p, -1, END_READ | END_WRITE);
	switch (cls) {
	case IPCT_SC_SEMGET:
		o->sem->life.key = (int32_t)s->args[0];
		if ((int)s->args[1] > 0)
			o->sem->nsems = (int)s->args[1];
		if ((s->args[2] & IPC_CREAT) || (key_t)s->args[0] == IPC_PRIVATE)
			ipc_made(o, p, e);
		break;
	case IPCT_SC_SEMCTL:
		if (s->ret == 0 && (s->args[2] & 0xff) == IPC_RMID)
			o->sem->life.removed_ns = e->ts_ns;
		break;
	case IPCT_SC_SEMOP:
		if (s->ret == -EAGAIN)
			o->eagain++;
		else if (s->ret == 0 && h)
			sem_ops(o, h, e);
		break;
	}
}

/* ---- System V shared memory ---- */

/* p attaches o at addr: by shmat (counted) or by inheriting its parent's attachment (fork). */
static void shm_attach(struct gproc *p, struct object *o, uint64_t addr, uint64_t len, bool call, uint64_t ts)
{
	struct shmmap *maps = realloc(p->maps, (p->nmaps + 1) * sizeof(*maps));
	struct holder *h;

	if (!maps)
		return;
	p->maps = maps;
	h = holder_open(o, p, -1, END_READ | END_WRITE);
	if (!h)
		return;
	maps[p->nmaps++] = (struct shmmap){ addr, len, o };
	if (!h->mapped++ && !h->attached_ns)
		h->attached_ns = ts;
	if (call) {
		h->attaches++;
		o->m->attaches++;
	}
}

/* p's attachment i goes: by shmdt (counted), or at its exec or exit. */
static void shm_detach(struct gproc *p, size_t i, bool call, uint64_t ts)
{
	struct object *o = p->maps[i].o;
	struct holder *h;

	p->maps[i] = p->maps[--p->nmaps];
	for (h = o->holders; h && !(h->pid == p->pid && h->mapped); h = h->next)
		;
	if (!h)
		return;
	if (call) {
		h->detaches++;
		o->m->detaches++;
	}
	if (!--h->mapped) {
		h->open = false;
		h->closed_ns = ts;
	}
	shm_check_gone(o, ts);
}

static void shm_detach_all(struct gproc *p, uint64_t ts)
{
	while (p->nmaps)
		shm_detach(p, p->nmaps - 1, false, ts);
}

static void on_shm(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e, int cls)
{
	const struct ipct_sys *s = &e->sys;
	struct object *o;

	if (s->ret < 0 && cls != IPCT_SC_SHMAT)
		return;
	if (cls == IPCT_SC_SHMDT) {
		for (size_t i = 0; i < p->nmaps; i++)
			if (p->maps[i].addr == s->args[0] && !p->maps[i].len) {
				shm_detach(p, i, true, e->ts_ns);
				break;
			}
		return;
	}
	/* shmat's result is an address: an error is -4095..-1. */
	if (cls == IPCT_SC_SHMAT && (uint64_t)s->ret >= (uint64_t)-4095)
		return;
	o = object_get(g, p->session, s->x[0], IPCT_KIND_SHM);
	if (!o || o->kind != IPCT_KIND_SHM)
		return;
	switch (cls) {
	case IPCT_SC_SHMGET:
		o->m->life.key = (int32_t)s->args[0];
		if ((s->args[2] & IPC_CREAT) || (key_t)s->args[0] == IPC_PRIVATE) {
			ipc_made(o, p, e);
			if (o->m->life.made_ns == e->ts_ns)
				o->m->size = (int64_t)s->args[1];
		}
		break;
	case IPCT_SC_SHMAT:
		shm_attach(p, o, (uint64_t)s->ret, 0, true, e->ts_ns);
		break;
	case IPCT_SC_SHMCTL:
		if ((s->args[1] & 0xff) == IPC_RMID) {
			o->m->life.removed_ns = e->ts_ns;
			shm_check_gone(o, e->ts_ns);
		} else if (e->flags & IPCT_F_NEW_VALID) {
			o->m->size = (int64_t)s->x[2];
		}
		break;
	}
}

/* ---- POSIX shared memory and shared mappings ---- */

/*
 * mmap of a /dev/shm file (x[0] its inode) or of anonymous memory, shared:
 * an attach. An anonymous one is an object of its own, named after the
 * process that made it and where: its children share it from the fork.
 */
static void on_mmap(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e)
{
	const struct ipct_sys *s = &e->sys;
	struct object *o;
	char name[64];

	if (s->ret < 0 && s->ret >= -4095)
		return;
	if (s->x[0]) {
		o = object_get(g, p->session, s->x[0], IPCT_KIND_SHM);
	} else {
		o = object_get(g, p->session, SHM_ANON_INO(++g->anon), IPCT_KIND_SHM);
		snprintf(name, sizeof(name), "anon:%u:0x%" PRIx64, p->pid, (uint64_t)s->ret);
		if (o && !o->path) {
			o->path = strdup(name);
			o->created_ns = e->ts_ns;
			o->m->size = (int64_t)s->args[1];
			o->m->anon = true;
		}
	}
	if (o && o->kind == IPCT_KIND_SHM)
		shm_attach(p, o, (uint64_t)s->ret, s->args[1], true, e->ts_ns);
}

/* munmap(addr, len): every mapping that starts in the range goes (one call, one detach each). */
static void on_munmap(struct gproc *p, const struct ipct_event *e)
{
	const struct ipct_sys *s = &e->sys;

	if (s->ret != 0)
		return;
	for (size_t i = p->nmaps; i-- > 0;)
		if (p->maps[i].len && p->maps[i].addr >= s->args[0] && p->maps[i].addr - s->args[0] < s->args[1])
			shm_detach(p, i, true, e->ts_ns);
}

/* The shared mapping of p (mmap's, whole pages) that holds addr (a futex's): its index, or -1. */
static ssize_t shm_map_at(const struct gproc *p, uint64_t addr)
{
	for (size_t i = 0; p && i < p->nmaps; i++)
		if (p->maps[i].len && addr >= p->maps[i].addr &&
		    addr - p->maps[i].addr < ((p->maps[i].len + 4095) & ~4095ull))
			return (ssize_t)i;
	return -1;
}

/*
 * A futex call on a traced shared mapping (the kernel side keeps no other):
 * a POSIX semaphore's sem_wait that slept (FUTEX_WAIT*), or a sem_post that
 * woke a sleeper (FUTEX_WAKE; its result, how many it woke).
 */
static void on_futex(struct gproc *p, const struct ipct_event *e)
{
	const struct ipct_sys *s = &e->sys;
	ssize_t i = shm_map_at(p, s->args[0]);
	struct shmseg *m;

	if (i < 0)
		return;
	m = p->maps[i].o->m;
	switch (s->args[1] & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		m->sem_waits++;
		m->sem_blocked_ns += s->dur_ns;
		if (s->dur_ns > m->sem_blocked_max_ns)
			m->sem_blocked_max_ns = s->dur_ns;
		break;
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		m->sem_wakes++;
		if (s->ret > 0)
			m->sem_woken += (uint64_t)s->ret;
		break;
	}
}

/* ftruncate of a /dev/shm file: its size. */
static void on_ftruncate(struct gproc *p, const struct ipct_event *e)
{
	struct fdent *ent = fd_find(p, (int)e->sys.args[0]);

	if (e->sys.ret == 0 && ent && ent->obj->m)
		ent->obj->m->size = (int64_t)e->sys.args[1];
}

static void on_syscall(struct ipct_graph *g, const struct ipct_event *e)
{
	const struct ipct_syscall *sc = ipct_syscall_by_nr(e->nr);
	const struct ipct_sys *s = &e->sys;
	struct gproc *p = proc_find(g, e->pid);
	struct object *o, *o2;
	int fd0, fd1;

	if (!sc || !p)
		return;
	switch (sc->cls) {
	case IPCT_SC_PLAIN:
		/* By number, not by name: kill, a plain call, comes here for every signal sent. */
		if (s->ret == 0 && sc->nr == __NR_close_range)
			on_close_range(p, s, e->ts_ns);
		else if (s->ret == 0 && sc->nr == __NR_unshare && (s->args[0] & CLONE_FILES))
			proc_unshare(p);
		return;
	case IPCT_SC_PIPE:
	case IPCT_SC_SOCKETPAIR:
		if (s->ret != 0)
			return;
		fd0 = (int)(uint32_t)s->x[0];
		fd1 = (int)(s->x[0] >> 32);
		o = object_get(g, p->session, s->x[1], e->kind[0]);
		o2 = object_get(g, p->session, s->x[2], e->kind[1]);
		if (!o || !o2)
			return;
		o->created_ns = o2->created_ns = e->ts_ns;
		if (sc->cls == IPCT_SC_PIPE) {
			fd_put(p, fd0, o, END_READ, s->x[3] & IPCT_FD_CLOEXEC, false, e->ts_ns);
			fd_put(p, fd1, o, END_WRITE, (s->x[3] >> 32) & IPCT_FD_CLOEXEC, false, e->ts_ns);
			fd_made(p, fd0, sc->name, -1, 0, 0, 0, e->ts_ns);
			fd_made(p, fd1, sc->name, -1, 0, 0, 0, e->ts_ns);
			return;
		}
		o->family = o2->family = (uint16_t)s->args[0];
		o->type = o2->type = (uint16_t)(s->args[1] & 0xf);
		o->peer_ino = o2->ino;
		o2->peer_ino = o->ino;
		fd_put(p, fd0, o, END_READ | END_WRITE, s->x[3] & IPCT_FD_CLOEXEC, false, e->ts_ns);
		fd_put(p, fd1, o2, END_READ | END_WRITE, (s->x[3] >> 32) & IPCT_FD_CLOEXEC, false, e->ts_ns);
		return;
	case IPCT_SC_FD_RET:    /* socket */
		if (s->ret < 0 || e->kind[0] != IPCT_KIND_SOCKET)
			return;
		o = object_get(g, p->session, s->x[0], IPCT_KIND_SOCKET);
		if (!o)
			return;
		o->created_ns = e->ts_ns;
		o->family = (uint16_t)s->args[0];
		o->type = (uint16_t)(s->args[1] & 0xf);
		fd_put(p, (int)s->ret, o, END_READ | END_WRITE, cloexec_of(s->x[1]), false, e->ts_ns);
		return;
	case IPCT_SC_OPEN:
	case IPCT_SC_OPENAT:
	case IPCT_SC_GETFD:
		if (s->ret < 0)
			return;
		/* A file at a standard stream's number (the kernel side keeps no other). */
		if (!IPCT_KIND_IS_GRAPHED(e->kind[0]))
			note_add(p, (int)s->ret, (int)s->ret, IPCT_FDN_OPEN, sc->name, -1, e->kind[0], s->x[0], s->x[1],
				 e->ts_ns);
		else
			fd_new(g, p, (int)s->ret, e->kind[0], s->x[0], s->x[1], e->ts_ns);
		/* shm_open with O_CREAT: the one who should shm_unlink it. */
		if (e->kind[0] == IPCT_KIND_SHM && (s->args[sc->cls == IPCT_SC_OPEN ? 1 : 2] & O_CREAT) &&
		    (o = object_find(g, p->session, s->x[0])) && o->m)
			ipc_made(o, p, e);
		return;
	case IPCT_SC_FD_ACCEPT:
		if (s->ret < 0 || e->kind[1] != IPCT_KIND_SOCKET)
			return;
		o = object_get(g, p->session, s->x[2], IPCT_KIND_SOCKET);
		if (o && !o->created_ns)
			o->created_ns = e->ts_ns;
		fd_put(p, (int)s->ret, o, END_READ | END_WRITE, cloexec_of(s->x[3]), false, e->ts_ns);
		return;
	case IPCT_SC_DUP2:
		if (s->ret < 0)
			return;
		fd_learn(g, p, (int)s->args[0], e->kind[0], s->x[0], s->x[1], e->ts_ns);
		/* dup3's O_CLOEXEC is the only way the copy is close-on-exec. */
		fd_dup(p, e, sc->name, (int)s->args[0], (int)s->args[1],
		       strcmp(sc->name, "dup3") == 0 && (s->args[2] & O_CLOEXEC));
		return;
	case IPCT_SC_CLOSE:
		if (s->ret != -EBADF) {
			fd_close(p, (int)s->args[0], e->ts_ns);
			note_add(p, (int)s->args[0], (int)s->args[0], IPCT_FDN_CLOSED, sc->name, -1, e->kind[0],
				 s->x[0], s->x[1], e->ts_ns);
		}
		return;
	case IPCT_SC_FD:
	case IPCT_SC_FD_IOV:
	case IPCT_SC_SOCK:
	case IPCT_SC_IOCTL:
	case IPCT_SC_FD_MSG:
	case IPCT_SC_FD_MMSG:
	case IPCT_SC_READ:
	case IPCT_SC_READV:
		on_fd_call(g, p, e, sc);
		if (e->kind[0] == IPCT_KIND_SHM && !strcmp(sc->name, "ftruncate"))
			on_ftruncate(p, e);
		return;
	case IPCT_SC_FD_PAIR01:
	case IPCT_SC_FD_PAIR02:
		on_fd_pair(g, p, e, sc->name);
		return;
	case IPCT_SC_MQ_OPEN:
		on_mq_open(g, p, e);
		return;
	case IPCT_SC_MQ_SEND:
	case IPCT_SC_MQ_RECV: {
		struct fdent *ent = fd_learn(g, p, (int)s->args[0], e->kind[0], s->x[0], s->x[1], e->ts_ns);

		if (ent && ent->obj->q)
			queue_io(ent->obj, ent->h, e, sc->cls == IPCT_SC_MQ_SEND);
		return;
	}
	case IPCT_SC_MSGGET:
	case IPCT_SC_MSGCTL:
	case IPCT_SC_MSGSND:
	case IPCT_SC_MSGRCV:
		on_msg(g, p, e, sc->cls);
		return;
	case IPCT_SC_SEMGET:
	case IPCT_SC_SEMOP:
	case IPCT_SC_SEMCTL:
		on_sem(g, p, e, sc->cls);
		return;
	case IPCT_SC_SHMGET:
	case IPCT_SC_SHMAT:
	case IPCT_SC_SHMDT:
	case IPCT_SC_SHMCTL:
		on_shm(g, p, e, sc->cls);
		return;
	case IPCT_SC_MMAP:
		on_mmap(g, p, e);
		return;
	case IPCT_SC_MUNMAP:
		on_munmap(p, e);
		return;
	case IPCT_SC_FUTEX:
		on_futex(p, e);
		return;
	}
}

/*
 * The name ("/NAME") of a POSIX queue or shared memory object that an open
 * returned (ino), or that an unlink removed (ino 0): the object that has it
 * and is still there (a later one may have the name again).
 */
static void on_name(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e, const char *name,
		    bool unlinked)
{
	struct object *o = NULL;

	if (e->obj.ino) {
		o = object_find(g, p->session, e->obj.ino);
		if (o && !o->path)
			o->path = strdup(name);
		return;
	}
	if (!unlinked)
		return;
	for (int b = 0; b < NBUCKETS && !o; b++)
		for (struct object *c = g->objects[b]; c; c = c->next)
			if (c->session == p->session && c->kind == e->kind[0] && c->path && c->life &&
			    !c->life->removed_ns && !strcmp(c->path, name)) {
				o = c;
				break;
			}
	if (!o)
		return;
	o->life->removed_ns = e->ts_ns;
	if (o->m)
		shm_check_gone(o, e->ts_ns);
}

/*
 * A /dev/shm file (from, its path as the link was given it) got a new name
 * (to, "/NAME"): the object takes it. sem_open makes its file under a
 * temporary name, links it in place and unlinks the temporary name, which
 * then names no object.
 */
static void on_link(struct ipct_graph *g, struct gproc *p, const char *from, const char *to)
{
	char *path;

	if (strncmp(from, "/dev/shm/", 9))
		return;
	from += strlen("/dev/shm");
	for (int b = 0; b < NBUCKETS; b++)
		for (struct object *c = g->objects[b]; c; c = c->next)
			if (c->session == p->session && c->kind == IPCT_KIND_SHM && c->path && !c->life->removed_ns &&
			    !strcmp(c->path, from) && (path = strdup(to))) {
				free(c->path);
				c->path = path;
				return;
			}
}

/* mq_open's or mq_unlink's name (the C library strips its '/'); an open or unlink of /dev/shm/NAME. */
static void on_ipc_name(struct ipct_graph *g, struct gproc *p, const struct ipct_event *e)
{
	const struct ipct_objinfo *oi = &e->obj;
	char name[sizeof(oi->path) + 2];

	if (e->kind[0] == IPCT_KIND_MQUEUE) {
		snprintf(name, sizeof(name), "/%.*s", (int)sizeof(oi->path), oi->path);
		on_name(g, p, e, name, e->nr == ipct_syscall_nr("mq_unlink") && oi->fd == 0);
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)sizeof(oi->path), oi->path);
	/* A link's old path (fd -3), then its new one (fd -2): sem_open names its file so. */
	if (oi->fd == -3) {
		g->link_pid = p->pid;
		snprintf(g->link_from, sizeof(g->link_from), "%s", name);
		return;
	}
	/* "/dev/shm/NAME": the kernel side keeps no other. */
	if (strncmp(name, "/dev/shm/", 9))
		return;
	if (oi->fd == -2) {
		if (g->link_pid == p->pid)
			on_link(g, p, g->link_from, name + strlen("/dev/shm"));
		g->link_pid = 0;
		return;
	}
	on_name(g, p, e, name + strlen("/dev/shm"), oi->fd == -1);
}

/* A relative FIFO path is relative to the opener's working directory, read now. */
static char *absolute_path(uint32_t pid, const char *path)
{
	char link[64], cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return strdup(path);
	snprintf(link, sizeof(link), "/proc/%u/cwd", pid);
	ssize_t n = readlink(link, cwd, sizeof(cwd) - 1);

	if (n <= 0)
		return strdup(path);
	cwd[n] = 0;
	return asprintf(&abs, "%s/%s", cwd, path) < 0 ? NULL : abs;
}

static unsigned addr_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/*
 * A TCP connection's two ends, both traced in the session: the socket that
 * connected and the one accept returned are each other's peer. The kernel
 * links them only through the TCP 4-tuple, so they are matched by their
 * addresses as each one's OBJINFO gave them (local = the other's remote):
 * cheap (a hash of the pair, the same for both ends) and unique on the
 * host while both are open. A socket stays waiting until its other end
 * comes; one whose other end is not traced waits for nothing.
 */
static void tcp_link(struct ipct_graph *g, struct object *o)
{
	struct tcp_end **tp = &g->tcp_ends[(addr_hash(o->local) + addr_hash(o->remote)) % NBUCKETS], *t;

	if (o->peer_ino)
		return;
	while ((t = *tp)) {
		struct object *c = object_find(g, t->session, t->ino);

		if (c == o)
			return;
		if (c && !c->peer_ino && c->session == o->session && c->family == o->family &&
		    !strcmp(c->local, o->remote) && !strcmp(c->remote, o->local)) {
			c->peer_ino = o->ino;
			o->peer_ino = c->ino;
		}
		/* Linked now or before (or not in the graph): it waits no more. */
		if (!c || c->peer_ino) {
			*tp = t->next;
			free(t);
			if (o->peer_ino)
				return;
			continue;
		}
		tp = &t->next;
	}
	t = malloc(sizeof(*t));
	if (!t)
		return;
	*t = (struct tcp_end){ .session = o->session, .ino = o->ino };
	*tp = t;
}

static void on_objinfo(struct ipct_graph *g, const struct ipct_event *e)
{
	const struct ipct_objinfo *oi = &e->obj;
	struct gproc *p = proc_find(g, e->pid);
	struct object *o;
	char addr[sizeof(o->local)];

	if (!p)
		return;
	if (e->kind[0] == IPCT_KIND_MQUEUE || e->kind[0] == IPCT_KIND_SHM) {
		on_ipc_name(g, p, e);
		return;
	}
	/* Where a call sent to (a connect's address, a datagram's): the socket's own record follows or came. */
	if (e->flags & IPCT_F_ADDRESS)
		return;
	o = object_get(g, p->session, oi->ino, oi->family ? IPCT_KIND_SOCKET : IPCT_KIND_FIFO);
	if (!o)
		return;
	if (!oi->family) {
		ipct_objinfo_addr(oi, false, addr, sizeof(addr));
		if (!o->path && addr[0])
			o->path = absolute_path(p->pid, addr);
		return;
	}
	o->family = oi->family;
	o->type = oi->type & 0xf;
	ipct_objinfo_addr(oi, false, addr, sizeof(addr));
	if (addr[0])
		snprintf(o->local, sizeof(o->local), "%s", addr);
	ipct_objinfo_addr(oi, true, addr, sizeof(addr));
	if (addr[0])
		snprintf(o->remote, sizeof(o->remote), "%s", addr);
	if (oi->peer_ino) {
		struct object *peer = object_find(g, o->session, oi->peer_ino);

		o->peer_ino = oi->peer_ino;
		/*
		 * A connecting AF_UNIX socket's peer has no inode until the server
		 * accepts it: the link is made from the accepted side.
		 */
		if (peer && !peer->peer_ino)
			peer->peer_ino = o->ino;
	} else if (o->type == SOCK_STREAM && o->family != AF_UNIX && o->local[0] && o->remote[0]) {
		tcp_link(g, o);
	}
}

/* A descriptor that arrived in an SCM_RIGHTS message. */
static void on_fd_received(struct ipct_graph *g, const struct ipct_event *e)
{
	struct gproc *p = proc_find(g, e->pid);

	if (p)
		fd_new(g, p, e->fdrecv.fd, e->kind[0], e->fdrecv.ino, e->fdrecv.flags, e->ts_ns);
}

static void on_fork(struct ipct_graph *g, const struct ipct_event *e)
{
	struct gproc *parent = proc_find(g, e->pid);
	struct gproc *child;

	if (!parent)
		return;
	child = proc_get(g, e->proc.child_pid, e->session, e->comm);
	if (!child)
		return;
	for (size_t i = 0; i < parent->nfds; i++) {
		struct fdent ent = parent->fds[i];

		struct fdent *copy = fd_put(child, ent.fd, ent.obj, ent.mode, ent.cloexec, ent.inherited, e->ts_ns);

		if (copy)
			copy->made = ent.made;
	}
	if (parent->nnotes && (child->notes = calloc(MAX_NOTES, sizeof(*child->notes)))) {
		memcpy(child->notes, parent->notes, parent->nnotes * sizeof(*parent->notes));
		child->nnotes = parent->nnotes;
		child->forgot = parent->forgot;
	}
	if (e->flags & IPCT_F_SHARED_FILES)
		proc_share(parent, child);
	/* The child has what its parent had attached (shm_nattch counts it too). */
	for (size_t i = 0; i < parent->nmaps; i++)
		shm_attach(child, parent->maps[i].o, parent->maps[i].addr, parent->maps[i].len, false, e->ts_ns);
}

static void on_exec(struct ipct_graph *g, const struct ipct_event *e)
{
	struct gproc *p = proc_get(g, e->pid, e->session, e->comm);

	if (!p)
		return;
	/* The new program's name is what people know the process by. */
	snprintf(p->comm, sizeof(p->comm), "%.*s", IPCT_COMM_LEN, e->comm);
	/* exec unshares the table (unshare_files) before it closes what is close-on-exec. */
	proc_unshare(p);
	/* The new program has a new address space: nothing is attached in it. */
	shm_detach_all(p, e->ts_ns);
	for (size_t i = p->nnotes; i-- > 0;) {
		struct fdnote *n = &p->notes[i];

		if (n->n.state == IPCT_FDN_OPEN && n->cloexec)
			note_add(p, n->fd, n->fd, IPCT_FDN_CLOSED, "exec", -1, n->n.kind, n->n.ino,
				 (uint64_t)n->n.mode << 32, e->ts_ns);
	}
	for (size_t i = p->nfds; i-- > 0;) {
		if (p->fds[i].cloexec) {
			struct fdent ent = p->fds[i];

			fd_close(p, ent.fd, e->ts_ns);
			note_add(p, ent.fd, ent.fd, IPCT_FDN_CLOSED, "exec", -1, ent.obj->kind, ent.obj->ino,
				 (uint64_t)ent.mode << 32, e->ts_ns);
		} else if (p->fds[i].h)
			memcpy(p->fds[i].h->comm, p->comm, sizeof(p->comm));
	}
	check_leaks(g, p, e->ts_ns);
}

#define MAX_STDRECS 1024

/*
 * After an exec: the standard streams it starts with, as the kernel saw
 * them. Its table learns what it did not know (a terminal, a descriptor
 * from before the trace), and the session keeps the record for the
 * diagnoses that say where a process's output went.
 */
static void on_stdio(struct ipct_graph *g, const struct ipct_event *e)
{
	struct gproc *p = proc_get(g, e->pid, e->session, e->comm);
	struct gsession *s = session_get(g, e->session);
	struct stdrec *r;

	if (!p)
		return;
	for (int fd = 0; fd < 3; fd++) {
		const struct ipct_obj *o = &e->stdio.fd[fd];
		struct fdent *ent = fd_find(p, fd);

		if (!IPCT_KIND_IS_GRAPHED(o->kind) || (ent && ent->obj->ino == o->ino))
			continue;
		fd_put(p, fd, object_get(g, e->session, o->ino, o->kind), mode_of(o->flags), cloexec_of(o->flags),
		       true, e->ts_ns);
	}
	if (!s)
		return;
	if (!s->stds && !(s->stds = calloc(MAX_STDRECS, sizeof(*s->stds))))
		return;
	r = &s->stds[s->nstds++ % MAX_STDRECS];
	r->pid = e->pid;
	r->ts = e->ts_ns;
	memcpy(r->comm, p->comm, sizeof(r->comm));
	r->st = e->stdio;
}

static void on_proc_exit(struct ipct_graph *g, const struct ipct_event *e)
{
	struct gproc *p = proc_find(g, e->pid);

	if (!p)
		return;
	/* What it shared with others stays theirs. */
	proc_unshare(p);
	while (p->nfds)
		fd_close(p, p->fds[0].fd, e->ts_ns);
	shm_detach_all(p, e->ts_ns);
	proc_unlink(g, p);
	proc_free(p);
}

/* An event or a seed met an object past its session's cap: counted once. */
static void count_refused(struct ipct_graph *g, uint32_t session)
{
	struct gsession *s;

	if (!g->refused)
		return;
	g->refused = false;
	g->untracked++;
	s = session_find(g, session);
	if (s)
		s->untracked++;
}

/*
 * Most events are reads and writes that succeed on a descriptor the graph
 * already holds: only counters change. They take this path, with what
 * on_syscall, on_fd_call, fd_learn and account would do for them, and no
 * more; false for anything else.
 */
static bool quick_data_call(struct ipct_graph *g, const struct ipct_evctx *cx)
{
	const struct ipct_event *e = cx->e;
	struct gproc *p;
	struct fdent *ent;
	bool write;

	/* A call that moves bytes (lib/syscalls.c's io) is one of on_syscall's descriptor calls, fd first. */
	if (!cx->io)
		return false;
	p = proc_find(g, e->pid);
	ent = p ? fd_find(p, (int)e->sys.args[0]) : NULL;
	if (!ent || ent->obj->ino != e->sys.x[0] || ent->obj->kind == IPCT_KIND_MQUEUE)
		return false;
	write = cx->sc->io == IPCT_IO_WRITE;
	count_io(ent->obj, ent->h, write, (uint64_t)e->sys.ret);
	ent->obj->eof_reads += !write && e->sys.ret == 0;
	return true;
}

/* Not inlined: its register saving would be paid by the events quick_data_call takes. */
static __attribute__((noinline)) void graph_event(struct ipct_graph *g, const struct ipct_event *e)
{
	switch (e->type) {
	case IPCT_EV_SYSCALL:
		on_syscall(g, e);
		break;
	case IPCT_EV_OBJINFO:
		on_objinfo(g, e);
		break;
	case IPCT_EV_FD_RECEIVED:
		on_fd_received(g, e);
		break;
	case IPCT_EV_FORK:
		on_fork(g, e);
		break;
	case IPCT_EV_EXEC:
		on_exec(g, e);
		break;
	case IPCT_EV_STDIO:
		on_stdio(g, e);
		break;
	case IPCT_EV_EXIT:
		on_proc_exit(g, e);
		break;
	}
	count_refused(g, e->session);
}

void ipct_graph_event(struct ipct_graph *g, const struct ipct_evctx *cx)
{
	if (!quick_data_call(g, cx))
		graph_event(g, cx->e);
}

void ipct_graph_seed(struct ipct_graph *g, uint32_t pid, uint32_t session, const char *comm, int fd,
		     int kind, uint64_t ino, unsigned mode, bool cloexec)
{
	struct gproc *p = proc_get(g, pid, session, comm);

	if (p)
		fd_put(p, fd, object_get(g, session, ino, kind), mode, cloexec, true, 0);
	count_refused(g, session);
}

/* ---- queries (lib/diagnose.c) ---- */

/* Whether some open descriptor on o was inherited from before the trace. */
static bool held_from_before(struct ipct_graph *g, const struct object *o)
{
	for (const struct holder *h = o->holders; h; h = h->next) {
		struct gproc *p = h->open ? proc_find(g, h->pid) : NULL;
		struct fdent *ent = p ? fd_find(p, h->fd) : NULL;

		if (ent && ent->obj == o && ent->inherited)
			return true;
	}
	return false;
}

static void obj_info(struct ipct_graph *g, const struct object *o, struct ipct_graph_obj *out)
{
	out->ino = o->ino;
	out->kind = o->kind;
	out->path = o->path;
	out->peer_ino = o->peer_ino;
	out->bytes_written = o->bytes_w;
	out->bytes_read = o->bytes_r;
	/* A FIFO is made before anybody opens it; its openers in the trace are all its holders there. */
	out->complete = (o->created_ns || o->kind == IPCT_KIND_FIFO) && !held_from_before(g, o);
}

uint64_t ipct_graph_mapping_at(struct ipct_graph *g, uint32_t pid, uint64_t addr, bool *anon)
{
	struct gproc *p = proc_find(g, pid);
	ssize_t i = shm_map_at(p, addr);

	if (i < 0)
		return 0;
	*anon = p->maps[i].o->m->anon;
	return p->maps[i].o->ino;
}

uint64_t ipct_graph_shm_at(struct ipct_graph *g, uint32_t pid, uint64_t addr)
{
	struct gproc *p = proc_find(g, pid);

	for (size_t i = 0; p && i < p->nmaps; i++)
		if (p->maps[i].addr == addr)
			return p->maps[i].o->m->anon ? 0 : p->maps[i].o->ino;
	return 0;
}

bool ipct_graph_fd(struct ipct_graph *g, uint32_t pid, int fd, struct ipct_graph_obj *obj, unsigned *mode)
{
	struct gproc *p = proc_find(g, pid);
	struct fdent *ent = p ? fd_find(p, fd) : NULL;

	if (!ent)
		return false;
	obj_info(g, ent->obj, obj);
	*mode = ent->mode;
	return true;
}

bool ipct_graph_proc_fds(struct ipct_graph *g, uint32_t pid,
			 void (*fn)(int fd, const struct ipct_graph_obj *obj, unsigned mode, uint64_t made_ns, void *ctx),
			 void *ctx)
{
	struct gproc *p = proc_find(g, pid);

	if (!p)
		return false;
	for (size_t i = 0; i < p->nfds; i++) {
		struct ipct_graph_obj obj;

		obj_info(g, p->fds[i].obj, &obj);
		fn(p->fds[i].fd, &obj, p->fds[i].mode, p->fds[i].made.ts, ctx);
	}
	return true;
}

void ipct_graph_fd_note(struct ipct_graph *g, uint32_t pid, int fd, struct ipct_graph_fdnote *out)
{
	struct gproc *p = proc_find(g, pid);
	struct fdent *ent = p ? fd_find(p, fd) : NULL;

	memset(out, 0, sizeof(*out));
	out->from = -1;
	if (ent) {
		*out = ent->made;
		return;
	}
	out->state = p && !p->forgot ? IPCT_FDN_NONE : IPCT_FDN_UNKNOWN;
	/* The latest note that covers fd: a single close after a close_range. */
	for (size_t i = p ? p->nnotes : 0; i-- > 0;) {
		if (fd >= p->notes[i].fd && fd <= p->notes[i].last) {
			*out = p->notes[i].n;
			return;
		}
	}
}

bool ipct_graph_holders(struct ipct_graph *g, uint32_t session, uint64_t ino,
			void (*fn)(uint32_t pid, int fd, unsigned mode, void *ctx), void *ctx,
			struct ipct_graph_obj *obj)
{
	struct object *o = object_find(g, session, ino);

	if (!o)
		return false;
	obj_info(g, o, obj);
	for (const struct holder *h = o->holders; h; h = h->next)
		if (h->open)
			fn(h->pid, h->fd, h->mode, ctx);
	return true;
}

/* ---- output ---- */

static struct json_object *opt_time(int64_t off, uint64_t ns)
{
	return ns ? json_object_new_int64((int64_t)ns + off) : NULL;
}

static struct json_object *holder_json(int64_t off, const struct holder *h, int dir)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "pid", json_object_new_int64(h->pid));
	json_object_object_add(j, "comm", json_object_new_string(h->comm));
	json_object_object_add(j, "fd", h->fd >= 0 ? json_object_new_int(h->fd) : NULL);
	if (dir) {
		json_object_object_add(j, "bytes", json_object_new_int64(
			(int64_t)(dir == END_WRITE ? h->bytes_w : h->bytes_r)));
		json_object_object_add(j, "calls", json_object_new_int64(
			(int64_t)(dir == END_WRITE ? h->calls_w : h->calls_r)));
	}
	json_object_object_add(j, "closed_ns", opt_time(off, h->closed_ns));
	return j;
}

/*
 * Pipes, POSIX queues: the holders of that end. Sockets, System V queues and
 * semaphore sets: the holders that used that direction (a set's: that posted,
 * that took). Segments: none (their reads and writes are no calls; their
 * holders are in `holders`).
 */
static bool in_list(const struct object *o, const struct holder *h, int dir)
{
	/* Shared memory: those that wrote or read a /dev/shm file by descriptor (sem_open writes its value). */
	if (o->kind != IPCT_KIND_SOCKET && o->kind != IPCT_KIND_MSGQ && o->kind != IPCT_KIND_SEM && !o->m)
		return h->mode & dir;
	return dir == END_WRITE ? h->calls_w > 0 : h->calls_r > 0;
}

static struct json_object *peer_holders(struct ipct_graph *g, const struct object *o)
{
	struct object *peer = o->peer_ino ? object_find(g, o->session, o->peer_ino) : NULL;
	struct json_object *arr;

	if (!peer)
		return NULL;
	arr = json_object_new_array();
	for (const struct holder *h = peer->holders; h; h = h->next)
		json_object_array_add(arr, holder_json(clock_of(g, o->session), h, 0));
	return arr;
}

static struct json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

/* What only message queues have (docs/pipes.md). */
static void queue_json(struct json_object *j, const struct object *o, int64_t off)
{
	const struct mqueue *q = o->q;
	struct json_object *t = json_object_new_object();
	bool sysv = o->kind == IPCT_KIND_MSGQ;

	json_object_object_add(j, "id", sysv ? json_object_new_int64((uint32_t)o->ino) : NULL);
	json_object_object_add(j, "key", sysv && q->life.key >= 0 ? json_object_new_int64(q->life.key) : NULL);
	json_object_object_add(j, "maxmsg", q->maxmsg >= 0 ? json_object_new_int64(q->maxmsg) : NULL);
	json_object_object_add(j, "msgsize", q->msgsize >= 0 ? json_object_new_int64(q->msgsize) : NULL);
	json_object_object_add(j, "removed_ns", opt_time(off, q->life.removed_ns));
	json_object_object_add(j, "in_queue", json_object_new_int64((int64_t)ipct_qtime_queued(q->times)));
	json_object_object_add(j, "etimedout", json_object_new_int64((int64_t)q->etimedout));
	json_object_object_add(j, "emsgsize", json_object_new_int64((int64_t)q->emsgsize));
	json_object_object_add(t, "messages", json_object_new_int64((int64_t)q->timed));
	json_object_object_add(t, "total_ns", json_object_new_int64((int64_t)q->time_total_ns));
	json_object_object_add(t, "max_ns", json_object_new_int64((int64_t)q->time_max_ns));
	json_object_object_add(j, "queue_time", t);
}

/* What only semaphore sets have (docs/pipes.md): their key and size, and each semaphore's operations. */
static void sem_json(struct json_object *j, const struct object *o, int64_t off)
{
	const struct semset *ss = o->sem;
	struct json_object *arr = json_object_new_array();

	json_object_object_add(j, "id", json_object_new_int64((uint32_t)o->ino));
	json_object_object_add(j, "key", ss->life.key >= 0 ? json_object_new_int64(ss->life.key) : NULL);
	json_object_object_add(j, "nsems", ss->nsems >= 0 ? json_object_new_int64(ss->nsems) : NULL);
	json_object_object_add(j, "removed_ns", opt_time(off, ss->life.removed_ns));
	json_object_object_add(j, "semops", json_object_new_int64((int64_t)ss->calls));
	json_object_object_add(j, "unseen_ops", json_object_new_int64((int64_t)ss->unseen_ops));
	for (size_t i = 0; i < ss->nnums; i++) {
		const struct semnum *n = &ss->nums[i];
		struct json_object *x;

		if (!n->ops)
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "sem_num", json_object_new_int64((int64_t)i));
		json_object_object_add(x, "ops", json_object_new_int64((int64_t)n->ops));
		json_object_object_add(x, "ups", json_object_new_int64((int64_t)n->ups));
		json_object_object_add(x, "downs", json_object_new_int64((int64_t)n->downs));
		json_object_object_add(x, "waits", json_object_new_int64((int64_t)n->waits));
		json_object_object_add(x, "blocked_ns", json_object_new_int64((int64_t)n->blocked_ns));
		json_object_object_add(x, "blocked_max_ns", json_object_new_int64((int64_t)n->blocked_max_ns));
		json_object_array_add(arr, x);
	}
	json_object_object_add(j, "semaphores", arr);
}

/* A segment's holder: what it attached and detached (docs/pipes.md). */
static struct json_object *shm_holder_json(int64_t off, const struct holder *h)
{
	struct json_object *j = holder_json(off, h, 0);

	json_object_object_add(j, "attaches", json_object_new_int64((int64_t)h->attaches));
	json_object_object_add(j, "detaches", json_object_new_int64((int64_t)h->detaches));
	json_object_object_add(j, "attached", json_object_new_int64((int64_t)h->mapped));
	json_object_object_add(j, "attached_ns", opt_time(off, h->attached_ns));
	return j;
}

/* What only shared memory segments have (docs/pipes.md). */
static void shm_json(struct json_object *j, const struct object *o, int64_t off)
{
	const struct shmseg *m = o->m;

	bool sysv = o->ino >> 61 == 5;   /* IPCT_SYSV_SHM_INO, not SHM_ANON_INO */

	json_object_object_add(j, "id", sysv ? json_object_new_int64((uint32_t)o->ino) : NULL);
	json_object_object_add(j, "key", sysv && m->life.key >= 0 ? json_object_new_int64(m->life.key) : NULL);
	json_object_object_add(j, "size", m->size >= 0 ? json_object_new_int64(m->size) : NULL);
	json_object_object_add(j, "attaches", json_object_new_int64((int64_t)m->attaches));
	json_object_object_add(j, "detaches", json_object_new_int64((int64_t)m->detaches));
	json_object_object_add(j, "removed_ns", opt_time(off, m->life.removed_ns));
	json_object_object_add(j, "destroyed_ns", opt_time(off, m->gone_ns));
	json_object_object_add(j, "sem_waits", json_object_new_int64((int64_t)m->sem_waits));
	json_object_object_add(j, "sem_blocked_ns", json_object_new_int64((int64_t)m->sem_blocked_ns));
	json_object_object_add(j, "sem_blocked_max_ns", json_object_new_int64((int64_t)m->sem_blocked_max_ns));
	json_object_object_add(j, "sem_wakes", json_object_new_int64((int64_t)m->sem_wakes));
	json_object_object_add(j, "sem_woken", json_object_new_int64((int64_t)m->sem_woken));
}

static struct json_object *object_json(struct ipct_graph *g, const struct object *o)
{
	static const char *const kinds[] = { [IPCT_KIND_PIPE] = "pipe", [IPCT_KIND_FIFO] = "fifo",
					     [IPCT_KIND_SOCKET] = "socket", [IPCT_KIND_TTY] = "tty",
					     [IPCT_KIND_MQUEUE] = "mqueue", [IPCT_KIND_MSGQ] = "msgq",
					     [IPCT_KIND_SEM] = "sem", [IPCT_KIND_SHM] = "shm" };
	struct json_object *j = json_object_new_object(), *w, *r, *all = NULL;
	/* A System V object has an id, not an inode; nor has a shared anonymous mapping (SHM_ANON_INO). */
	bool sock = o->kind == IPCT_KIND_SOCKET, sysv = o->ino >> 63;
	struct object *peer = sock && o->peer_ino ? object_find(g, o->session, o->peer_ino) : NULL;
	int64_t off = clock_of(g, o->session);
	char name[80];

	object_name(o, name, sizeof(name));
	json_object_object_add(j, "type", json_object_new_string("ipc_object"));
	json_object_object_add(j, "session", json_object_new_int64(o->session));
	json_object_object_add(j, "object", json_object_new_string(name));
	json_object_object_add(j, "kind", json_object_new_string(kinds[posix_sem(o) ? IPCT_KIND_SEM : o->kind]));
	json_object_object_add(j, "inode", !sysv ? json_object_new_int64((int64_t)o->ino) : NULL);
	json_object_object_add(j, "path", str_or_null(o->path ? o->path
					   : o->family == AF_UNIX ? o->local : NULL));
	json_object_object_add(j, "family", sock ? str_or_null(ipct_enum_name(ipct_sock_families, o->family)) : NULL);
	json_object_object_add(j, "socket_type", sock ? str_or_null(ipct_enum_name(ipct_sock_types, o->type)) : NULL);
	json_object_object_add(j, "local", sock ? str_or_null(o->local) : NULL);
	/* An AF_UNIX peer's address is the peer's own (the server's path for a client). */
	json_object_object_add(j, "remote", sock ? str_or_null(o->remote[0] ? o->remote
							       : peer ? peer->local : NULL) : NULL);
	if (sock && o->peer_ino) {
		snprintf(name, sizeof(name), "socket:[%" PRIu64 "]", o->peer_ino);
		json_object_object_add(j, "peer", json_object_new_string(name));
	} else {
		json_object_object_add(j, "peer", NULL);
	}
	json_object_object_add(j, "peer_holders", sock ? peer_holders(g, o) : NULL);
	json_object_object_add(j, "created_ns", opt_time(off, o->created_ns));
	w = json_object_new_array();
	r = json_object_new_array();
	if (sock || sysv || o->m)
		all = json_object_new_array();
	for (const struct holder *h = o->holders; h; h = h->next) {
		if (in_list(o, h, END_WRITE))
			json_object_array_add(w, holder_json(off, h, END_WRITE));
		if (in_list(o, h, END_READ))
			json_object_array_add(r, holder_json(off, h, END_READ));
		if (all)
			json_object_array_add(all, o->m ? shm_holder_json(off, h) : holder_json(off, h, 0));
	}
	json_object_object_add(j, "writers", w);
	json_object_object_add(j, "readers", r);
	json_object_object_add(j, "holders", all);
	json_object_object_add(j, "bytes_written", json_object_new_int64((int64_t)o->bytes_w));
	json_object_object_add(j, "bytes_read", json_object_new_int64((int64_t)o->bytes_r));
	json_object_object_add(j, "writes", json_object_new_int64((int64_t)o->writes));
	json_object_object_add(j, "reads", json_object_new_int64((int64_t)o->reads));
	json_object_object_add(j, "eof_reads", json_object_new_int64((int64_t)o->eof_reads));
	json_object_object_add(j, "epipe_writes", json_object_new_int64((int64_t)o->epipe));
	json_object_object_add(j, "eagain", json_object_new_int64((int64_t)o->eagain));
	json_object_object_add(j, "warnings", o->warnings ? json_object_get(o->warnings) : json_object_new_array());
	json_object_object_add(j, "warning_parts", o->warning_parts ? json_object_get(o->warning_parts)
								    : json_object_new_array());
	if (o->sem)
		sem_json(j, o, off);
	else if (o->q)
		queue_json(j, o, off);
	if (o->m)
		shm_json(j, o, off);
	return j;
}

static int by_seq(const void *a, const void *b)
{
	const struct object *x = *(struct object *const *)a, *y = *(struct object *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct json_object *ipct_graph_session_json(struct ipct_graph *g, uint32_t session)
{
	struct json_object *arr = json_object_new_array();
	struct object **list = NULL;
	size_t n = 0, cap = 0;

	if (!arr)
		return NULL;
	for (int b = 0; b < NBUCKETS; b++)
		for (struct object *o = g->objects[b]; o; o = o->next) {
			if (o->session != session)
				continue;
			if (n == cap) {
				struct object **nl = realloc(list, (cap = cap ? cap * 2 : 64) * sizeof(*nl));

				if (!nl) {
					free(list);
					json_object_put(arr);
					return NULL;
				}
				list = nl;
			}
			list[n++] = o;
		}
	if (n)
		qsort(list, n, sizeof(*list), by_seq);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, object_json(g, list[i]));
	free(list);
	return arr;
}

/* The latest exec record of pid in session s, or NULL. */
static const struct stdrec *stdrec_of(const struct gsession *s, uint32_t pid)
{
	size_t n = s->nstds < MAX_STDRECS ? s->nstds : MAX_STDRECS;

	for (size_t k = 0; s->stds && k < n; k++) {
		const struct stdrec *r = &s->stds[(s->nstds - 1 - k) % MAX_STDRECS];

		if (r->pid == pid)
			return r;
	}
	return NULL;
}

/* I/O through a standard stream: a holder on fd 0-2 that moved bytes, and its object. */
struct stdio_use {
	const struct object *o;
	const struct holder *h;
};

/* The session's I/O through standard streams, once for all its pipes (at most MAX_USES). */
#define MAX_USES 4096
static size_t stdio_uses(struct ipct_graph *g, uint32_t session, struct stdio_use *u)
{
	size_t n = 0;

	for (int b = 0; b < NBUCKETS; b++)
		for (const struct object *x = g->objects[b]; x; x = x->next)
			for (const struct holder *h = x->session == session ? x->holders : NULL; h && n < MAX_USES;
			     h = h->next)
				if (h->fd <= 2 && (h->bytes_w || h->bytes_r))
					u[n++] = (struct stdio_use){ x, h };
	return n;
}

/*
 * What pid did through its standard streams on objects other than o:
 * "wrote 522 bytes to /dev/pts/3 (fd 1)". Adds those objects to objs;
 * false when it did nothing there.
 */
static bool io_elsewhere(const struct stdio_use *u, size_t nu, const struct object *o, uint32_t pid,
			 struct ipct_text *t, struct json_object *objs)
{
	bool any = false;
	char name[48];

	for (size_t i = 0; i < nu; i++) {
		const struct holder *h = u[i].h;

		if (h->pid != pid || u[i].o == o)
			continue;
		object_name(u[i].o, name, sizeof(name));
		if (h->bytes_w)
			ipct_say(t, "%s wrote %" PRIu64 " bytes to %s (fd %d)", any ? "," : "", h->bytes_w, name, h->fd);
		if (h->bytes_r)
			ipct_say(t, "%s read %" PRIu64 " bytes from %s (fd %d)", any || h->bytes_w ? "," : "", h->bytes_r,
			    name, h->fd);
		json_object_array_add(objs, json_object_new_string(name));
		any = true;
	}
	return any;
}

/*
 * pipe_unused: a pipe made in the trace that never carried a byte, while
 * the processes that held it read or wrote through their standard streams
 * elsewhere (the dup2 that should have put it there is missing, or went to
 * the wrong descriptor). Not for a pipe read on a descriptor of its own
 * (waiting for its close is a way to synchronise). Said when its session
 * ends, with where each one's streams went.
 */
static void check_unused(struct ipct_graph *g, const struct gsession *s, const struct object *o,
			 const struct stdio_use *u, size_t nu)
{
	struct json_object *d, *procs, *objs, *j;
	uint32_t seen[16];
	size_t nseen = 0;
	struct ipct_text t = { .len = 0 };
	bool elsewhere = false;
	const struct holder *first = o->holders;
	uint64_t last = o->created_ns;
	int64_t off = s->realtime_off;
	char name[48], stream[64];

	if (o->kind != IPCT_KIND_PIPE || !o->created_ns || !first || o->bytes_w || o->epipe)
		return;
	/* Read (to its end of file) on a descriptor of its own: a pipe used to wait for a close, on purpose. */
	for (const struct holder *h = o->holders; h; h = h->next)
		if (h->calls_r && h->fd > 2)
			return;
	object_name(o, name, sizeof(name));
	procs = json_object_new_array();
	objs = json_object_new_array();
	json_object_array_add(objs, json_object_new_string(name));
	ipct_say(&t, "%s, made by %s[%u], never carried a byte, while its holders used their standard streams "
		"elsewhere:", name, first->comm, first->pid);
	for (const struct holder *h = o->holders; h; h = h->next) {
		const struct stdrec *r = stdrec_of(s, h->pid);
		const char *comm = r ? r->comm : h->comm;
		bool dup = false;

		last = h->closed_ns > last ? h->closed_ns : last;
		for (size_t i = 0; i < nseen; i++)
			dup |= seen[i] == h->pid;
		if (dup || nseen == 16)
			continue;
		seen[nseen++] = h->pid;
		j = who_json(h->pid, comm);
		json_object_object_add(j, "role", json_object_new_string("holder"));
		json_object_array_add(procs, j);
		ipct_say(&t, "%s %s[%u]", nseen > 1 ? ";" : "", comm, h->pid);
		if (io_elsewhere(u, nu, o, h->pid, &t, objs))
			elsewhere = true;
		else
			ipct_say(&t, " did no I/O the trace sees there (files are not traced)");
		if (r) {
			ipct_say(&t, " (exec'd with");
			for (int fd = 0; fd < 3; fd++) {
				ipct_stdio_clause(&r->st, fd, stream, sizeof(stream));
				ipct_say(&t, " %d=%s", fd, stream);
			}
			ipct_say(&t, ")");
		}
	}
	if (!elsewhere) {
		json_object_put(procs);
		json_object_put(objs);
		return;
	}
	ipct_say(&t, ". A pipe connects processes only through the descriptors they use: "
		"was a dup2() onto 0 or 1 left out, or a process given the wrong descriptor?");
	d = json_object_new_object();
	json_object_object_add(d, "type", json_object_new_string("diagnosis"));
	json_object_object_add(d, "kind", json_object_new_string("pipe_unused"));
	json_object_object_add(d, "session", json_object_new_int64(o->session));
	json_object_object_add(d, "time_ns", json_object_new_int64((int64_t)last + off));
	json_object_object_add(d, "object", json_object_new_string(name));
	json_object_object_add(d, "pid", json_object_new_int64(first->pid));
	json_object_object_add(d, "comm", json_object_new_string(first->comm));
	json_object_object_add(d, "fd", json_object_new_int(first->fd));
	json_object_object_add(d, "processes", procs);
	json_object_object_add(d, "objects", objs);
	diag_emit(g, o->session, d, &t, first->pid, first->comm, (int64_t)o->created_ns + off, "pipe", "made %s", name);
}

/* A queue, semaphore set or segment made in the trace and not removed: it outlives the programs. */
static void leaked_ipc(struct ipct_graph *g, const struct object *o, uint64_t now_ns)
{
	const struct persist *q = o->life;
	struct json_object *d = json_object_new_object(), *j, *arr;
	int64_t off = clock_of(g, o->session);
	const char *call = ipct_syscall_name(q->maker_call), *how;
	struct ipct_text msg = { .len = 0 };
	char name[80], cmd[128], left[96];

	object_name(o, name, sizeof(name));
	switch (o->kind) {
	case IPCT_KIND_MSGQ:
		snprintf(cmd, sizeof(cmd), "ipcrm -q %u", (uint32_t)o->ino);
		how = "msgctl IPC_RMID";
		break;
	case IPCT_KIND_SEM:
		snprintf(cmd, sizeof(cmd), "ipcrm -s %u", (uint32_t)o->ino);
		how = "semctl IPC_RMID";
		break;
	case IPCT_KIND_SHM:
		if (o->ino >> 63) {
			snprintf(cmd, sizeof(cmd), "ipcrm -m %u", (uint32_t)o->ino);
			how = "shmctl IPC_RMID";
		} else {
			snprintf(cmd, sizeof(cmd), "rm /dev/shm%s", o->path ? o->path : "/NAME");
			how = posix_sem(o) ? "sem_unlink" : "shm_unlink";
		}
		break;
	default:
		snprintf(cmd, sizeof(cmd), "rm /dev/mqueue%s", o->path ? o->path : "/NAME");
		how = "mq_unlink";
	}
	/* What it keeps: a clause translated with the message. */
	if (posix_sem(o))
		ipct_sub(left, sizeof(left), "with its value");
	else if (o->m && o->m->size >= 0)
		ipct_sub(left, sizeof(left), "with its %" PRId64 " bytes", o->m->size);
	else if (o->m)
		ipct_sub(left, sizeof(left), "with its memory");
	else if (o->sem && o->sem->nsems >= 0)
		ipct_sub(left, sizeof(left), "with its %" PRId64 " semaphore(s)", o->sem->nsems);
	else if (o->sem)
		ipct_sub(left, sizeof(left), "with its semaphores");
	else
		ipct_sub(left, sizeof(left), "with the %" PRIu64 " message(s) left in it", ipct_qtime_queued(o->q->times));
	ipct_say(&msg, o->kind == IPCT_KIND_MQUEUE
		 ? N_("%s[%u] created %s and nobody removed it (%s): it outlives the programs, %s, until it is removed "
		   "or the machine restarts; `%s` removes it (where the mqueue file system is mounted on /dev/mqueue)")
		 : N_("%s[%u] created %s and nobody removed it (%s): it outlives the programs, %s, until it is removed "
		   "or the machine restarts; `%s` removes it"),
		 q->maker_comm, q->maker_pid, name, how, left, cmd);
	object_warn((struct object *)o, &msg);
	json_object_object_add(d, "type", json_object_new_string("diagnosis"));
	json_object_object_add(d, "kind", json_object_new_string("leaked_ipc"));
	json_object_object_add(d, "session", json_object_new_int64(o->session));
	json_object_object_add(d, "time_ns", json_object_new_int64((int64_t)now_ns + off));
	json_object_object_add(d, "object", json_object_new_string(name));
	json_object_object_add(d, "pid", json_object_new_int64(q->maker_pid));
	json_object_object_add(d, "comm", json_object_new_string(q->maker_comm));
	json_object_object_add(d, "fd", NULL);
	json_object_object_add(d, "command", json_object_new_string(cmd));
	if (o->m)
		json_object_object_add(d, "size", o->m->size >= 0 ? json_object_new_int64(o->m->size) : NULL);
	else
		json_object_object_add(d, "messages_left", o->sem ? NULL :
				       json_object_new_int64((int64_t)ipct_qtime_queued(o->q->times)));
	arr = json_object_new_array();
	j = who_json(q->maker_pid, q->maker_comm);
	json_object_object_add(j, "role", json_object_new_string("creator"));
	json_object_array_add(arr, j);
	json_object_object_add(d, "processes", arr);
	arr = json_object_new_array();
	json_object_array_add(arr, json_object_new_string(name));
	json_object_object_add(d, "objects", arr);
	diag_emit(g, o->session, d, &msg, q->maker_pid, q->maker_comm, (int64_t)q->made_ns + off,
		  call ? call : "syscall", "%s created %s", call ? call : IPCT_W("a call"), name);
}

void ipct_graph_session_ends(struct ipct_graph *g, uint32_t session, uint64_t now_ns)
{
	for (int b = 0; b < NBUCKETS; b++)
		for (struct object *o = g->objects[b]; o; o = o->next)
			if (o->session == session && o->life && o->life->made_ns && !o->life->removed_ns)
				leaked_ipc(g, o, now_ns);
}

void ipct_graph_end_session(struct ipct_graph *g, uint32_t session)
{
	struct gsession *s = session_find(g, session);

	struct stdio_use *u = s ? calloc(MAX_USES, sizeof(*u)) : NULL;
	size_t nu = u ? stdio_uses(g, session, u) : 0;

	for (int b = 0; u && b < NBUCKETS; b++)
		for (const struct object *o = g->objects[b]; o; o = o->next)
			if (o->session == session)
				check_unused(g, s, o, u, nu);
	free(u);
	if (s) {
		free(s->stds);
		*s = g->sessions[--g->nsessions];
	}
	for (int b = 0; b < NBUCKETS; b++) {
		struct gproc **pp = &g->procs[b];
		struct object **op = &g->objects[b];
		struct tcp_end **tp = &g->tcp_ends[b];

		while (*pp) {
			struct gproc *p = *pp;

			if (p->session == session) {
				*pp = p->next;
				proc_free(p);
			} else {
				pp = &p->next;
			}
		}
		while (*op) {
			struct object *o = *op;

			if (o->session == session) {
				*op = o->next;
				object_free(o);
			} else {
				op = &o->next;
			}
		}
		while (*tp) {
			struct tcp_end *t = *tp;

			if (t->session == session) {
				*tp = t->next;
				free(t);
			} else {
				tp = &t->next;
			}
		}
	}
}

/* ---- matches ---- */

enum { F_SESSION, F_PID, F_COMM, F_KIND, F_OBJECT, F_PATH };

static const char *const kind_names[] = { "pipe", "fifo", "socket", "tty", "mqueue", "msgq", "sem", "shm", NULL };
/* The object kinds of kind_names, in order (an OBJECT term's kind: ipct_match_kind). */
static const int kind_values[] = { IPCT_KIND_PIPE, IPCT_KIND_FIFO, IPCT_KIND_SOCKET, IPCT_KIND_TTY,
				   IPCT_KIND_MQUEUE, IPCT_KIND_MSGQ, IPCT_KIND_SEM, IPCT_KIND_SHM };

const struct ipct_match_field ipct_graph_fields[] = {
	[F_SESSION] = { "session", IPCT_MT_INT, NULL, "trace session" },
	[F_PID] = { "pid", IPCT_MT_INT, NULL, "a process that held it" },
	[F_COMM] = { "comm", IPCT_MT_COMM, NULL, "the command name of a process that held it" },
	[F_KIND] = { "kind", IPCT_MT_NAME, kind_names, "pipe, fifo, socket, tty, mqueue, msgq, sem or shm" },
	[F_OBJECT] = { "object", IPCT_MT_OBJECT, NULL, "pipe:[N], socket:[N], mqueue:[N], shm:[N], sem:[N], msq:ID, sem:ID, shm:ID or the inode N" },
	[F_PATH] = { "path", IPCT_MT_STR, NULL, "a FIFO's or socket's path" },
	{ NULL, 0, NULL, NULL },
};

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

/* Does some holder of the object (in writers, readers or holders) match t? */
static bool any_holder(struct json_object *o, const struct ipct_match_term *t)
{
	static const char *const lists[] = { "writers", "readers", "holders" };

	for (size_t l = 0; l < 3; l++) {
		struct json_object *arr;

		if (!json_object_object_get_ex(o, lists[l], &arr) || !arr)
			continue;
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *h = json_object_array_get_idx(arr, i);
			const char *comm = jstr(h, "comm");

			if (t->field == F_PID ? jint(h, "pid") == t->num : comm && !strcmp(comm, t->str))
				return true;
		}
	}
	return false;
}

static bool object_test(const void *obj, const struct ipct_match_term *t)
{
	struct json_object *o = (struct json_object *)obj;
	const char *v;

	switch (t->field) {
	case F_SESSION: return jint(o, "session") == t->num;
	case F_PID:
	case F_COMM: return any_holder(o, t);
	case F_KIND: return (v = jstr(o, "kind")) && !strcmp(v, kind_names[t->num]);
	case F_OBJECT: {
		int kind = -1;

		for (int i = 0; (v = jstr(o, "kind")) && kind_names[i]; i++)
			if (!strcmp(v, kind_names[i]))
				kind = kind_values[i];
		/* A System V object's term is IPCT_SYSV_INO, _SEM_INO or _SHM_INO(its id), as its events' objects are. */
		return (kind == IPCT_KIND_MSGQ ? (int64_t)IPCT_SYSV_INO(jint(o, "id"))
			: kind == IPCT_KIND_SEM && jstr(o, "id") ? (int64_t)IPCT_SYSV_SEM_INO(jint(o, "id"))
			: kind == IPCT_KIND_SHM && jstr(o, "id") ? (int64_t)IPCT_SYSV_SHM_INO(jint(o, "id"))
			: jint(o, "inode")) == t->num &&
		       (t->kind == IPCT_MATCH_ANY || t->kind == ipct_match_kind(kind));
	}
	case F_PATH: return (v = jstr(o, "path")) && !strcmp(v, t->str);
	}
	return false;
}

void ipct_graph_filter(struct json_object *objects, const struct ipct_match *m, struct json_object *out)
{
	for (size_t i = 0; objects && i < json_object_array_length(objects); i++) {
		struct json_object *o = json_object_array_get_idx(objects, i);

		if (ipct_match_eval(m, object_test, o))
			json_object_array_add(out, json_object_get(o));
	}
}
