// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evfilter.h"
#include "pidset.h"
#include "format.h"
#include "i18n.h"
#include "names.h"
#include "syscalls.h"

enum { F_PID, F_TID, F_COMM, F_TREE, F_UID, F_TYPE, F_SIG, F_FD, F_OBJECT, F_KIND, F_RESULT, F_ERRNO,
       F_SESSION };

/* Every event type name: the traced syscalls, then the others (filled on first use). */
static const char *type_names[128];
static const char *const kind_names[] = { "pipe", "fifo", "socket", "tty", "mqueue", "msgq", "sem", "shm", NULL };
static const char *const result_names[] = { "queued", "ignored", "merged", "overflow", "lose_info", NULL };

const struct ipct_match_field ipct_event_fields[] = {
	[F_PID] = { "pid", IPCT_MT_INT, NULL, "the process" },
	[F_TID] = { "tid", IPCT_MT_INT, NULL, "the thread" },
	[F_COMM] = { "comm", IPCT_MT_COMM, NULL, "the command name" },
	[F_TREE] = { "tree", IPCT_MT_INT, NULL, "a process and its descendants" },
	[F_UID] = { "uid", IPCT_MT_INT, NULL, "the user" },
	[F_TYPE] = { "type", IPCT_MT_NAME, type_names, "the event type" },
	[F_SIG] = { "sig", IPCT_MT_SIG, NULL, "the signal" },
	[F_FD] = { "fd", IPCT_MT_INT, NULL, "the descriptor" },
	[F_OBJECT] = { "object", IPCT_MT_OBJECT, NULL, "pipe:[N], socket:[N], mqueue:[N], shm:[N], sem:[N], msq:ID, sem:ID, shm:ID or N" },
	[F_KIND] = { "kind", IPCT_MT_NAME, kind_names, "pipe, fifo, socket, tty, mqueue, msgq, sem or shm" },
	[F_RESULT] = { "result", IPCT_MT_NAME, result_names, "a signal's generation result" },
	[F_ERRNO] = { "errno", IPCT_MT_STR, NULL, "a failed call's error, e.g. EPIPE" },
	[F_SESSION] = { "session", IPCT_MT_INT, NULL, "the trace session" },
	{ NULL, 0, NULL, NULL },
};

struct ipct_evfilter {
	struct ipct_match *m;
	struct pidset *trees;   /* one per term; used by tree= terms */
	unsigned classes;       /* -e trace=CLASS: what is shown, any of them (0: everything) */
	bool by_pid;            /* pid= terms only (the commonest query): compared without the generic walk */
};

struct probe {
	struct ipct_evfilter *f;
	const struct ipct_event *e;
};

/*
 * Where each syscall keeps the signal it is about, by number: sig= asks
 * it of every event, and comparing names there cost more than the rest
 * of a query's scan.
 */
enum { SIG_NONE, SIG_ARG0, SIG_ARG1, SIG_ARG2, SIG_RET };
static uint8_t sig_where[IPCT_NR_MAX];

static void init_sig_where(void)
{
	static const struct {
		const char *name;
		uint8_t where;
	} calls[] = {
		{ "rt_sigaction", SIG_ARG0 }, { "rt_sigtimedwait", SIG_RET }, { "kill", SIG_ARG1 },
		{ "tkill", SIG_ARG1 }, { "rt_sigqueueinfo", SIG_ARG1 }, { "pidfd_send_signal", SIG_ARG1 },
		{ "tgkill", SIG_ARG2 }, { "rt_tgsigqueueinfo", SIG_ARG2 },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct ipct_syscall *sc = ipct_syscall_by_nr(ipct_syscall_nr(calls[i].name));

		/* Only the traced ones: an event of another number never comes. */
		if (sc && sc->nr < IPCT_NR_MAX)
			sig_where[sc->nr] = calls[i].where;
	}
}

static void init_type_names(void)
{
	static const char *const others[] = { "signal_generate", "signal_deliver", "fork", "exec", "exit",
					      "object", "fd_received", "argv", "exe_path" };
	size_t n = 0;

	if (type_names[0])
		return;
	for (const struct ipct_syscall *s = ipct_syscalls; s->name && n < 100; s++)
		type_names[n++] = s->name;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		type_names[n++] = others[i];
	init_sig_where();
}

/* An errno name the C library knows ("EPIPE") or a restart code ("ERESTARTSYS"). */
static bool errno_known(const char *name)
{
	for (int e = 1; e < 600; e++) {
		const char *n = ipct_errno_name(e);

		if (n && !strcasecmp(n, name))
			return true;
	}
	return false;
}

struct ipct_evfilter *ipct_evfilter_new(const char *const *terms, int n, char *err, size_t errlen)
{
	struct ipct_evfilter *f = calloc(1, sizeof(*f));

	init_type_names();
	if (!f) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return NULL;
	}
	f->m = ipct_match_parse(ipct_event_fields, terms, n, err, errlen);
	/* One per term: a list (pid=1,2) made more terms than were given. */
	f->trees = f->m ? calloc((size_t)f->m->nterms + 1, sizeof(*f->trees)) : NULL;
	if (!f->m || !f->trees) {
		if (f->m)
			snprintf(err, errlen, "%s", _("out of memory"));
		ipct_evfilter_free(f);
		return NULL;
	}
	f->by_pid = f->m->nterms > 0;
	for (int i = 0; i < f->m->nterms; i++) {
		const struct ipct_match_term *t = &f->m->terms[i];

		f->by_pid &= t->field == F_PID;
		if (t->field == F_TREE)
			pidset_add(&f->trees[i], (uint32_t)t->num);
		if (t->field == F_ERRNO && !errno_known(t->str)) {
			snprintf(err, errlen, _("bad value for errno: '%s' is not an error name (try EPIPE, EINTR, EAGAIN)"),
				 t->str);
			ipct_evfilter_free(f);
			return NULL;
		}
	}
	return f;
}

void ipct_evfilter_free(struct ipct_evfilter *f)
{
	if (!f)
		return;
	for (int i = 0; f->trees && f->m && i < f->m->nterms; i++)
		free(f->trees[i].pids);
	free(f->trees);
	ipct_match_free(f->m);
	free(f);
}

/* The signal an event is about: delivered, generated, sent, or whose action changed; 0 none. */
static int event_sig(const struct ipct_event *e)
{
	if (e->type == IPCT_EV_SIGNAL_GENERATE || e->type == IPCT_EV_SIGNAL_DELIVER)
		return ipct_event_signal(e);
	if (e->type != IPCT_EV_SYSCALL || e->nr >= IPCT_NR_MAX)
		return 0;
	switch (sig_where[e->nr]) {
	case SIG_ARG0: return (int)e->sys.args[0];
	case SIG_ARG1: return (int)e->sys.args[1];
	case SIG_ARG2: return (int)e->sys.args[2];
	case SIG_RET: return e->sys.ret > 0 ? (int)e->sys.ret : 0;
	}
	return 0;
}

/* The descriptor an event is about, or -1. */
static int64_t event_fd(const struct ipct_event *e)
{
	const struct ipct_syscall *sc;

	if (e->type == IPCT_EV_OBJINFO)
		return e->obj.fd;
	if (e->type == IPCT_EV_FD_RECEIVED)
		return e->fdrecv.fd;
	if (e->type != IPCT_EV_SYSCALL || !(sc = ipct_syscall_by_nr(e->nr)))
		return -1;
	switch (sc->cls) {
	case IPCT_SC_FD_RET:
	case IPCT_SC_GETFD:
	case IPCT_SC_OPEN:
	case IPCT_SC_OPENAT:
		return e->sys.ret;
	case IPCT_SC_PLAIN:
	case IPCT_SC_SIGACTION:
	case IPCT_SC_SIGPROCMASK:
	case IPCT_SC_SIGQUEUE:
	case IPCT_SC_TGSIGQUEUE:
	case IPCT_SC_PIPE:
	case IPCT_SC_SOCKETPAIR:
		return -1;
	default:
		return (int)e->sys.args[0];
	}
}

static bool kind_fits(int kind, int want)
{
	return IPCT_KIND_IS_CHANNEL(kind) && (want == IPCT_MATCH_ANY || want == ipct_match_kind(kind));
}

/* What an OBJINFO record describes: a POSIX queue, a socket or a FIFO. */
static int objinfo_kind(const struct ipct_event *e)
{
	if (e->kind[0] == IPCT_KIND_MQUEUE || e->kind[0] == IPCT_KIND_SHM)
		return e->kind[0];
	return e->obj.family ? IPCT_KIND_SOCKET : IPCT_KIND_FIFO;
}

/* Does one of the event's objects have the term's inode and kind? */
static bool object_is(const struct ipct_event *e, const struct ipct_match_term *t)
{
	const uint64_t ino = (uint64_t)t->num;
	const struct ipct_syscall *sc;
	int slot;

	if (e->type == IPCT_EV_OBJINFO)
		return e->obj.ino == ino && kind_fits(objinfo_kind(e), t->kind);
	if (e->type == IPCT_EV_FD_RECEIVED)
		return e->fdrecv.ino == ino && kind_fits(e->kind[0], t->kind);
	if (e->type != IPCT_EV_SYSCALL || !(sc = ipct_syscall_by_nr(e->nr)))
		return false;
	/* pipe2 and socketpair keep the fd pair in x[0] and the two inodes in x[1], x[2]. */
	slot = sc->cls == IPCT_SC_PIPE || sc->cls == IPCT_SC_SOCKETPAIR ? 1 : 0;
	for (int i = 0; i < 2; i++)
		if (kind_fits(e->kind[i], t->kind) && e->sys.x[slot ? 1 + i : i * 2] == ino)
			return true;
	return false;
}

static bool kind_is(const struct ipct_event *e, int idx)
{
	static const int kinds[] = { IPCT_KIND_PIPE, IPCT_KIND_FIFO, IPCT_KIND_SOCKET, IPCT_KIND_TTY,
				     IPCT_KIND_MQUEUE, IPCT_KIND_MSGQ, IPCT_KIND_SEM, IPCT_KIND_SHM };

	if (e->type == IPCT_EV_OBJINFO)
		return kinds[idx] == objinfo_kind(e);
	if (e->type == IPCT_EV_FD_RECEIVED)
		return e->kind[0] == kinds[idx];
	return e->type == IPCT_EV_SYSCALL && (e->kind[0] == kinds[idx] || e->kind[1] == kinds[idx]);
}

static bool test(const void *obj, const struct ipct_match_term *t)
{
	const struct probe *pr = obj;
	const struct ipct_event *e = pr->e;
	const char *name;

	switch (t->field) {
	case F_PID: return e->pid == t->num;
	case F_TID: return e->tid == t->num;
	case F_COMM: return !strncmp(e->comm, t->str, IPCT_COMM_LEN) && strlen(t->str) <= IPCT_COMM_LEN;
	case F_TREE: return pidset_has(&pr->f->trees[t - pr->f->m->terms], e->pid);
	case F_UID: return e->uid == t->num;
	case F_TYPE: return !strcmp(ipct_event_type_name(e), type_names[t->num]);
	case F_SIG: return event_sig(e) == t->num;
	case F_FD: return event_fd(e) == t->num;
	case F_OBJECT: return object_is(e, t);
	case F_KIND: return kind_is(e, (int)t->num);
	case F_RESULT: return e->type == IPCT_EV_SIGNAL_GENERATE && e->sig.result == t->num;
	case F_ERRNO:
		name = e->type == IPCT_EV_SYSCALL && e->sys.ret < 0 && e->sys.ret >= -4095
			       ? ipct_errno_name((int)-e->sys.ret) : NULL;
		return name && !strcasecmp(name, t->str);
	case F_SESSION: return e->session == t->num;
	}
	return false;
}

/*
 * strace's -e trace=CLASS, for the events ipctrace traces: signal (sent,
 * delivered, handled, blocked, waited for), process (fork, exec, exit,
 * wait), ipc (any call on a pipe, FIFO, socket or message queue), and of
 * those pipe (pipes and FIFOs), socket and queue (POSIX and System V).
 */
enum { CL_SIGNAL = 1, CL_PROCESS = 2, CL_IPC = 4, CL_PIPE = 8, CL_SOCKET = 16, CL_QUEUE = 32 };
static const char *const class_names[] = { "signal", "process", "ipc", "pipe", "socket", "queue", NULL };

static bool signal_call(const struct ipct_syscall *sc)
{
	static const char *const calls[] = { "kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigreturn",
					     "rt_sigtimedwait" };

	if (sc->cls == IPCT_SC_SIGACTION || sc->cls == IPCT_SC_SIGPROCMASK || sc->cls == IPCT_SC_SIGQUEUE ||
	    sc->cls == IPCT_SC_TGSIGQUEUE)
		return true;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(sc->name, calls[i]))
			return true;
	return false;
}

static bool in_classes(unsigned classes, const struct ipct_event *e)
{
	const struct ipct_syscall *sc = e->type == IPCT_EV_SYSCALL ? ipct_syscall_by_nr(e->nr) : NULL;
	bool ipc = e->type == IPCT_EV_OBJINFO || e->type == IPCT_EV_FD_RECEIVED ||
		   (sc && (IPCT_KIND_IS_CHANNEL(e->kind[0]) || IPCT_KIND_IS_CHANNEL(e->kind[1])));

	if (classes & CL_SIGNAL &&
	    (e->type == IPCT_EV_SIGNAL_GENERATE || e->type == IPCT_EV_SIGNAL_DELIVER || (sc && signal_call(sc))))
		return true;
	if (classes & CL_PROCESS && (e->type == IPCT_EV_FORK || e->type == IPCT_EV_EXEC || e->type == IPCT_EV_EXIT ||
				     e->type == IPCT_EV_STDIO ||
				     (sc && (sc->cls == IPCT_SC_WAIT4 || sc->cls == IPCT_SC_WAITID))))
		return true;
	/* kind_is's indexes: pipe, fifo, socket, tty, mqueue, msgq. */
	return (classes & CL_IPC && ipc) || (classes & CL_PIPE && (kind_is(e, 0) || kind_is(e, 1))) ||
	       (classes & CL_SOCKET && kind_is(e, 2)) || (classes & CL_QUEUE && (kind_is(e, 4) || kind_is(e, 5)));
}

/* "signal,pipe" into classes; -EINVAL (said why in err) for a name that is none. */
static int parse_classes(const char *list, unsigned *classes, char *err, size_t errlen)
{
	while (*list) {
		size_t len = strcspn(list, ","), i;

		for (i = 0; class_names[i]; i++)
			if (strlen(class_names[i]) == len && !strncmp(class_names[i], list, len))
				break;
		if (!class_names[i] && !(len == 3 && !strncmp(list, "all", 3))) {
			snprintf(err, errlen, _("bad value for trace: '%.*s' (valid: all, signal, process, ipc, pipe, "
				 "socket, queue)"), (int)len, list);
			return -EINVAL;
		}
		/* all: every event, as if no class were named. */
		*classes |= class_names[i] ? 1u << i : 0;
		list += len + (list[len] == ',');
	}
	return 0;
}

struct ipct_evfilter *ipct_evfilter_select(const char *const *exprs, int n, char *err, size_t errlen)
{
	const char **terms = calloc((size_t)n + 1, sizeof(*terms));
	struct ipct_evfilter *f = NULL;
	unsigned classes = 0;
	int nterms = 0;

	if (!terms) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		if (strncmp(exprs[i], "trace=", 6))
			terms[nterms++] = exprs[i];
		else if (parse_classes(exprs[i] + 6, &classes, err, errlen) < 0)
			goto out;
	}
	f = ipct_evfilter_new(terms, nterms, err, errlen);
	if (f)
		f->classes = classes;
out:
	free(terms);
	return f;
}

int ipct_evfilter_pids(const struct ipct_evfilter *f, uint32_t *pids, int max)
{
	int n = 0;

	for (int i = 0; i < f->m->nterms; i++) {
		const struct ipct_match_term *t = &f->m->terms[i];

		if (t->field != F_PID)
			continue;
		/* A pid no process has matches nothing: any bit will do. */
		if (n == max)
			return -1;
		pids[n++] = (uint32_t)t->num;
	}
	return n ? n : -1;
}

bool ipct_evfilter_match(struct ipct_evfilter *f, const struct ipct_event *e)
{
	struct probe pr = { f, e };

	if (f->by_pid) {
		bool listed = false;

		for (int i = 0; i < f->m->nterms && !listed; i++)
			listed = e->pid == f->m->terms[i].num;
		return listed && (!f->classes || in_classes(f->classes, e));
	}
	/* A tree grows as its processes fork, whether or not this event is shown. */
	if (e->type == IPCT_EV_FORK)
		for (int i = 0; i < f->m->nterms; i++)
			if (f->m->terms[i].field == F_TREE && pidset_has(&f->trees[i], e->pid) &&
			    !pidset_has(&f->trees[i], e->proc.child_pid))
				pidset_add(&f->trees[i], e->proc.child_pid);
	return (!f->classes || in_classes(f->classes, e)) && ipct_match_eval(f->m, test, &pr);
}
