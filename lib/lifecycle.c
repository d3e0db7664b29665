// SPDX-License-Identifier: MIT
/*
 * The signal correlator (docs/signals.md).
 *
 * Each process that a signal can reach keeps its signal instances in
 * generation order: pending ones (not yet delivered), those whose handler
 * is running (waiting for rt_sigreturn), and fatal ones (waiting for the
 * process's exit). The kernel's own rules decide the matching: a thread
 * takes its private pending signals before the process's shared ones;
 * standard signals pend at most once per queue (a second generation is
 * "already pending", merged); real-time signals queue in order; SIGCONT
 * discards pending stop signals and a stop signal discards a pending
 * SIGCONT; an action set to ignore a signal discards its pending
 * instances; and a fatal default action kills the process at generation
 * time, so the delivery that the kernel reports is a SIGKILL: the real
 * signal is found from the exit status.
 *
 * Only a few events reach past the first test: signal generate and
 * deliver, fork, exec, exit, and the syscalls rt_sigreturn, rt_sigaction,
 * rt_sigtimedwait, reads of a signalfd and any call that failed with EPIPE.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lifecycle.h"
#include "names.h"
#include "syscalls.h"

#define NBUCKETS 1024
/* Finished instances kept for reuse (a malloc and a free per signal otherwise). */
#define SPARES_MAX 256

struct inst {
	struct ipct_sigrec r;
	struct inst *next;
};

struct proc {
	uint32_t pid;
	uint32_t session;
	bool stopped;           /* a stop signal's default action stopped it */
	bool dying;             /* the kernel started a group exit (SIGKILL at delivery) */
	uint32_t death_tid;
	uint64_t death_ns;
	uint64_t ign;           /* signals set to SIG_IGN (bit sig-1), as far as known */
	uint64_t ign_known;     /* ... and which of those bits were seen set by rt_sigaction */
	struct inst *insts;     /* pending, in a handler, or fatal: in generation order */
	struct proc *next;      /* hash chain */
};

struct ipct_lc {
	struct ipct_syms *syms;
	ipct_lc_emit_fn emit;
	void *data;
	uint64_t next_id;
	unsigned int nprocs;
	struct inst *spares;
	unsigned int nspares;
	struct proc *procs[NBUCKETS];
};

struct ipct_lc *ipct_lc_new(struct ipct_syms *syms, ipct_lc_emit_fn emit, void *data)
{
	struct ipct_lc *lc = calloc(1, sizeof(*lc));

	if (!lc)
		return NULL;
	lc->syms = syms;
	lc->emit = emit;
	lc->data = data;
	return lc;
}

static void proc_free(struct proc *p)
{
	while (p->insts) {
		struct inst *in = p->insts;

		p->insts = in->next;
		free(in);
	}
	free(p);
}

void ipct_lc_free(struct ipct_lc *lc)
{
	if (!lc)
		return;
	for (int b = 0; b < NBUCKETS; b++)
		while (lc->procs[b]) {
			struct proc *p = lc->procs[b];

			lc->procs[b] = p->next;
			proc_free(p);
		}
	while (lc->spares) {
		struct inst *in = lc->spares;

		lc->spares = in->next;
		free(in);
	}
	free(lc);
}

void ipct_lc_set_last_id(struct ipct_lc *lc, uint64_t id)
{
	if (id > lc->next_id)
		lc->next_id = id;
}

unsigned int ipct_lc_nprocs(const struct ipct_lc *lc)
{
	return lc->nprocs;
}

static struct proc *proc_find(struct ipct_lc *lc, uint32_t pid)
{
	struct proc *p = lc->procs[pid % NBUCKETS];

	while (p && p->pid != pid)
		p = p->next;
	return p;
}

/* The process, created if new (NULL only on ENOMEM). */
static struct proc *proc_get(struct ipct_lc *lc, uint32_t pid, uint32_t session)
{
	struct proc *p = proc_find(lc, pid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->session = session;
	p->next = lc->procs[pid % NBUCKETS];
	lc->procs[pid % NBUCKETS] = p;
	lc->nprocs++;
	return p;
}

static void proc_remove(struct ipct_lc *lc, struct proc *p)
{
	struct proc **pp = &lc->procs[p->pid % NBUCKETS];

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	lc->nprocs--;
	proc_free(p);
}

void ipct_lc_track(struct ipct_lc *lc, uint32_t pid, uint32_t session)
{
	proc_get(lc, pid, session);
}

static struct inst *inst_new(struct ipct_lc *lc, const struct ipct_event *e)
{
	struct inst *in = lc->spares;

	if (in) {
		lc->spares = in->next;
		lc->nspares--;
		memset(in, 0, sizeof(*in));
	} else if (!(in = calloc(1, sizeof(*in)))) {
		return NULL;
	}
	in->r.version = IPCT_SIGREC_VERSION;
	in->r.id = ++lc->next_id;
	in->r.session = e->session;
	in->r.sig = e->sig.sig;
	in->r.code = e->sig.code;
	in->r.sifields[0] = e->sig.sifields[0];
	in->r.sifields[1] = e->sig.sifields[1];
	in->r.via_nr = IPCT_NR_NONE;
	in->r.intr_nr = IPCT_NR_NONE;
	in->r.fd = -1;
	return in;
}

/* Hands the record out and frees the instance (already unlinked). */
static void finish(struct ipct_lc *lc, struct inst *in, enum ipct_sig_outcome outcome)
{
	in->r.outcome = outcome;
	lc->emit(&in->r, lc->data);
	if (lc->nspares < SPARES_MAX) {
		in->next = lc->spares;
		lc->spares = in;
		lc->nspares++;
	} else {
		free(in);
	}
}

static void link_inst(struct proc *p, struct inst *in)
{
	struct inst **pp = &p->insts;

	while (*pp)
		pp = &(*pp)->next;
	in->next = NULL;
	*pp = in;
}

static void unlink_inst(struct proc *p, struct inst *in)
{
	struct inst **pp = &p->insts;

	while (*pp != in)
		pp = &(*pp)->next;
	*pp = in->next;
}

static bool pending(const struct inst *in)
{
	return !in->r.delivered_ns;
}

/* The first pending instance of sig on the thread's own queue (tid) or the process's (0). */
static struct inst *find_pending(struct proc *p, int sig, uint32_t tid)
{
	for (struct inst *in = p->insts; in; in = in->next)
		if (pending(in) && in->r.sig == sig && in->r.target_tid == tid)
			return in;
	return NULL;
}

/* What a thread dequeues: its own pending signals first, then the process's. */
static struct inst *find_for_thread(struct proc *p, int sig, uint32_t tid)
{
	struct inst *in = find_pending(p, sig, tid);

	return in ? in : find_pending(p, sig, 0);
}

static bool is_write_call(long nr)
{
	static const char *const calls[] = {
		"write", "writev", "pwrite64", "pwritev", "pwritev2", "sendto", "sendmsg",
		"sendmmsg", "splice", "tee", "vmsplice", "sendfile", NULL,
	};
	const char *name = ipct_syscall_name((int)nr);

	for (int i = 0; name && calls[i]; i++)
		if (!strcmp(name, calls[i]))
			return true;
	return false;
}

enum ipct_sig_cause ipct_sig_kernel_cause(int sig)
{
	switch (sig) {
	case SIGALRM:
	case SIGVTALRM:
	case SIGPROF:
		return IPCT_CAUSE_TIMER;
	case SIGINT:
	case SIGQUIT:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
	case SIGHUP:
	case SIGWINCH:
		return IPCT_CAUSE_TERMINAL;
	default:
		return IPCT_CAUSE_KERNEL;
	}
}

static void set_sender(struct ipct_sigrec *r, const struct ipct_event *e)
{
	r->sender_pid = e->pid;
	r->sender_tid = e->tid;
	memcpy(r->sender_comm, e->comm, sizeof(r->sender_comm));
	r->flags |= IPCT_SR_SENDER;
}

/*
 * Who or what produced the signal, from its si_code and the task that
 * was running at generation (e's header): for a process's kill that
 * task is the sender; for SIGCHLD the child, for SIGPIPE and faults the
 * task itself; for timers and the terminal, an unrelated task.
 */
static void set_origin(struct inst *in, const struct ipct_event *e)
{
	struct ipct_sigrec *r = &in->r;
	int sig = e->sig.sig, code = e->sig.code;

	if (code == SI_KERNEL || code == SI_TIMER) {
		r->cause = code == SI_TIMER ? IPCT_CAUSE_TIMER : ipct_sig_kernel_cause(sig);
	} else if (code > 0 && sig == SIGCHLD) {
		r->cause = IPCT_CAUSE_CHILD;
		if (e->pid == (uint32_t)e->sig.sifields[0])
			set_sender(r, e);
	} else if (code > 0) {
		r->cause = sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
					   sig == SIGTRAP
				   ? IPCT_CAUSE_FAULT
				   : IPCT_CAUSE_KERNEL;
		if (r->cause == IPCT_CAUSE_FAULT)
			set_sender(r, e);
	} else if (sig == SIGPIPE && code == SI_USER && e->tid == e->sig.target_tid &&
		   is_write_call(e->sig.sys_nr)) {
		/* The kernel's send_sig() from a write nobody will read: */
		r->cause = IPCT_CAUSE_PIPE;
		set_sender(r, e);
	} else if (code == SI_USER || code == SI_QUEUE || code == SI_TKILL) {
		if (e->sig.sys_nr >= 0 && e->sig.sys_nr < IPCT_NR_NONE)
			r->via_nr = (uint16_t)e->sig.sys_nr;
		set_sender(r, e);
	} else {
		r->cause = IPCT_CAUSE_KERNEL;   /* SI_SIGIO, SI_ASYNCIO, SI_MESGQ, ... */
	}
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * Every pending instance of the process (any thread's queue, or the
 * shared one) of a signal that `match` accepts ends discarded by e: a
 * signal's generation, or the rt_sigaction call that made it ignored.
 */
static void discard_pending(struct ipct_lc *lc, struct proc *p, const struct ipct_event *e,
			    bool (*match)(int sig, int by))
{
	bool by_call = e->type == IPCT_EV_SYSCALL;
	int by = by_call ? (int)e->sys.args[0] : e->sig.sig;
	struct inst *in = p->insts, *next;

	for (; in; in = next) {
		next = in->next;
		if (!pending(in) || !match(in->r.sig, by))
			continue;
		unlink_inst(p, in);
		in->r.discarded_ns = e->ts_ns;
		if (by_call) {
			in->r.discard_nr = e->nr;
			in->r.discarded_tid = e->tid;
			in->r.handler = e->sys.x[0];
		} else {
			in->r.discard_nr = IPCT_NR_NONE;
			in->r.discard_sig = by;
		}
		finish(lc, in, IPCT_OUTCOME_DISCARDED);
	}
}

/* SIGCONT discards pending stop signals, a stop signal a pending SIGCONT (prepare_signal). */
static bool cancelled_by(int sig, int by)
{
	return by == SIGCONT ? is_stop_signal(sig) : sig == SIGCONT;
}

/* The action that ignored a signal at generation: SIG_IGN, or a default of Ign. */
static enum ipct_sig_action ignoring_action(const struct proc *p, int sig)
{
	uint64_t bit = 1ULL << (sig - 1);

	if (p && (p->ign_known & bit))
		return p->ign & bit ? IPCT_ACT_IGNORE : IPCT_ACT_DEFAULT;
	/* The kernel ignores SIGCONT at default too, once it has resumed the process. */
	return sig == SIGCONT || ipct_sig_default(sig) == IPCT_DFL_IGN ? IPCT_ACT_DEFAULT
								       : IPCT_ACT_IGNORE;
}

static void on_generate(struct ipct_lc *lc, const struct ipct_event *e)
{
	struct proc *p = proc_find(lc, e->sig.target_pid);
	struct inst *in, *into;

	if (e->sig.sig < 1 || e->sig.sig > 64)
		return;
	/* A traced process not seen start: one that ran before a system-wide trace. */
	if (!p && (e->flags & IPCT_F_TARGET))
		p = proc_get(lc, e->sig.target_pid, e->session);
	in = inst_new(lc, e);
	if (!in)
		return;
	in->r.result = e->sig.result;
	in->r.generated_ns = e->ts_ns;
	in->r.flags |= IPCT_SR_GENERATED;
	if (e->flags & IPCT_F_BLOCKED_SIG)
		in->r.flags |= IPCT_SR_BLOCKED;
	if (e->flags & IPCT_F_GROUP)
		in->r.flags |= IPCT_SR_GROUP;
	in->r.target_pid = e->sig.target_pid;
	in->r.target_tid = e->flags & IPCT_F_GROUP ? 0 : e->sig.target_tid;
	memcpy(in->r.target_comm, e->sig.target_comm, sizeof(in->r.target_comm));
	set_origin(in, e);

	if (!p) {
		finish(lc, in, IPCT_OUTCOME_UNOBSERVED);
		return;
	}
	in->r.session = p->session;
	if (is_stop_signal(in->r.sig) || in->r.sig == SIGCONT)
		discard_pending(lc, p, e, cancelled_by);

	switch (in->r.result) {
	case IPCT_SIG_QUEUED:
	case IPCT_SIG_LOSE_INFO:
		link_inst(p, in);
		return;
	case IPCT_SIG_IGNORED:
		in->r.action = ignoring_action(p, in->r.sig);
		if (in->r.sig == SIGCONT && p->stopped) {
			/* Ignored as a signal, but generating it resumed the process. */
			p->stopped = false;
			finish(lc, in, IPCT_OUTCOME_CONTINUED);
			return;
		}
		finish(lc, in, IPCT_OUTCOME_IGNORED);
		return;
	case IPCT_SIG_MERGED:
		into = find_pending(p, in->r.sig, in->r.target_tid);
		if (into)
			in->r.merged_into = into->r.id;
		finish(lc, in, IPCT_OUTCOME_MERGED);
		return;
	default:
		finish(lc, in, IPCT_OUTCOME_DROPPED);
		return;
	}
}

/* Whether the kernel restarts a call that returned `ret` when the signal is acted on this way. */
static bool restarts(long ret, bool handler, uint64_t sa_flags)
{
	switch (ret) {
	case -512:      /* ERESTARTSYS */
		return !handler || (sa_flags & SA_RESTART);
	case -513:      /* ERESTARTNOINTR */
		return true;
	case -514:      /* ERESTARTNOHAND */
	case -516:      /* ERESTART_RESTARTBLOCK */
		return !handler;
	default:        /* EINTR itself */
		return false;
	}
}

static void set_interrupted(struct ipct_sigrec *r, const struct ipct_event *e)
{
	long ret = e->sig.sys_ret;

	if (e->sig.sys_nr < 0 || e->sig.sys_nr >= IPCT_NR_NONE ||
	    (ret != -EINTR && !ipct_errno_is_restart((int)-ret)))
		return;
	r->flags |= IPCT_SR_INTERRUPTED;
	r->intr_nr = (uint16_t)e->sig.sys_nr;
	r->intr_ret = (int32_t)ret;
	if (restarts(ret, r->action == IPCT_ACT_HANDLER, r->sa_flags))
		r->flags |= IPCT_SR_RESTARTED;
}

static void on_deliver(struct ipct_lc *lc, const struct ipct_event *e)
{
	/* Only traced threads report deliveries: one not seen start ran before a system-wide trace. */
	struct proc *p = proc_get(lc, e->pid, e->session);
	struct inst *in;

	if (!p || e->sig.sig < 1 || e->sig.sig > 64)
		return;
	if (e->sig.sig == SIGKILL && e->sig.code == SI_KERNEL) {
		/* A group exit (a fatal signal, exit_group, exec): no instance of its own. */
		if (!p->dying) {
			p->dying = true;
			p->death_tid = e->tid;
			p->death_ns = e->ts_ns;
		}
		return;
	}
	in = find_for_thread(p, e->sig.sig, e->tid);
	if (in) {
		unlink_inst(p, in);
	} else {
		/* Generated before the trace began. */
		in = inst_new(lc, e);
		if (!in)
			return;
		in->r.session = p->session;
		in->r.target_pid = p->pid;
		memcpy(in->r.target_comm, e->comm, sizeof(in->r.target_comm));
		if (e->sig.code <= 0 && e->sig.code != SI_TIMER) {
			in->r.sender_pid = in->r.sender_tid = (uint32_t)e->sig.sifields[0];
			in->r.flags |= IPCT_SR_SENDER;
		}
	}
	in->r.delivered_ns = e->ts_ns;
	in->r.delivered_tid = e->tid;
	in->r.handler = e->sig.handler;
	in->r.sa_flags = e->sig.sa_flags;
	in->r.action = e->sig.handler == (uint64_t)SIG_DFL ? IPCT_ACT_DEFAULT
		       : e->sig.handler == (uint64_t)SIG_IGN ? IPCT_ACT_IGNORE
							       : IPCT_ACT_HANDLER;
	set_interrupted(&in->r, e);

	if (in->r.action == IPCT_ACT_HANDLER) {
		const char *name = lc->syms ? ipct_syms_resolve(lc->syms, e->pid, e->sig.handler) : NULL;

		if (name) {
			size_t n = strnlen(name, sizeof(in->r.handler_name) - 1);

			memcpy(in->r.handler_name, name, n);
			in->r.handler_name[n] = 0;
		}
		link_inst(p, in);       /* until rt_sigreturn */
		return;
	}
	if (in->r.action == IPCT_ACT_IGNORE) {
		finish(lc, in, IPCT_OUTCOME_IGNORED);
		return;
	}
	switch (ipct_sig_default(in->r.sig)) {
	case IPCT_DFL_STOP:
		p->stopped = true;
		finish(lc, in, IPCT_OUTCOME_STOPPED);
		break;
	case IPCT_DFL_CONT:
		p->stopped = false;
		finish(lc, in, IPCT_OUTCOME_CONTINUED);
		break;
	case IPCT_DFL_IGN:
		finish(lc, in, IPCT_OUTCOME_IGNORED);
		break;
	default:
		link_inst(p, in);       /* Term or Core: the exit tells which */
	}
}

/* rt_sigreturn: the innermost handler running on that thread returned. */
static void on_sigreturn(struct ipct_lc *lc, struct proc *p, const struct ipct_event *e)
{
	struct inst *ret = NULL;

	for (struct inst *in = p->insts; in; in = in->next)
		if (!pending(in) && in->r.action == IPCT_ACT_HANDLER && in->r.delivered_tid == e->tid &&
		    (!ret || in->r.delivered_ns > ret->r.delivered_ns))
			ret = in;
	if (!ret)
		return;
	unlink_inst(p, ret);
	ret->r.returned_ns = e->ts_ns;
	ret->r.flags |= IPCT_SR_RETURNED;
	finish(lc, ret, IPCT_OUTCOME_HANDLED);
}

/* A pending instance taken without a delivery, by the call e of its thread. */
static void accept_inst(struct ipct_lc *lc, struct proc *p, struct inst *in, const struct ipct_event *e,
			enum ipct_sig_action action)
{
	unlink_inst(p, in);
	in->r.delivered_ns = e->ts_ns;
	in->r.delivered_tid = e->tid;
	in->r.action = action;
	finish(lc, in, IPCT_OUTCOME_ACCEPTED);
}

/* sigwaitinfo/sigtimedwait returned a signal. */
static void on_sigwait(struct ipct_lc *lc, struct proc *p, const struct ipct_event *e)
{
	struct inst *in = find_for_thread(p, (int)e->sys.ret, e->tid);

	if (in)
		accept_inst(lc, p, in, e, IPCT_ACT_WAIT);
}

/*
 * The instance that the kernel dequeues next for thread tid among the
 * signals in `accept` (dequeue_signal): from the thread's own queue first,
 * then the process's; in each, a synchronous signal (a fault's) first, then
 * the lowest number; of one signal, the oldest.
 */
static struct inst *next_dequeued(struct proc *p, uint32_t tid, uint64_t accept)
{
	const uint64_t sync = 1ULL << (SIGSEGV - 1) | 1ULL << (SIGBUS - 1) | 1ULL << (SIGILL - 1) |
			      1ULL << (SIGTRAP - 1) | 1ULL << (SIGFPE - 1) | 1ULL << (SIGSYS - 1);

	for (int shared = 0; shared < 2; shared++) {
		uint32_t queue = shared ? 0 : tid;
		uint64_t set = 0;

		for (struct inst *in = p->insts; in; in = in->next)
			if (pending(in) && in->r.target_tid == queue)
				set |= 1ULL << (in->r.sig - 1);
		set &= accept;
		if (set & sync)
			set &= sync;
		if (set)
			return find_pending(p, __builtin_ctzll(set) + 1, queue);
	}
	return NULL;
}

/*
 * A read of a signalfd took ret / sizeof(struct signalfd_siginfo) signals:
 * those whose numbers it read from the buffer (the first few of a read),
 * then the rest in the order the kernel dequeues them.
 */
static void on_signalfd_read(struct ipct_lc *lc, struct proc *p, const struct ipct_event *e)
{
	const uint8_t *named = (const uint8_t *)&e->sys.x[2];
	bool by_name = e->nr == __NR_read;
	int64_t n = e->sys.ret / (int64_t)sizeof(struct signalfd_siginfo);

	for (int64_t i = 0; i < n; i++) {
		int sig = by_name && i < IPCT_SIGNALFD_NAMED ? named[i] : 0;
		struct inst *in = sig ? find_for_thread(p, sig, e->tid) : next_dequeued(p, e->tid, e->sys.x[0]);

		if (!in)
			continue;       /* generated before the trace began */
		in->r.fd = (int32_t)e->sys.args[0];
		in->r.object_kind = IPCT_KIND_SIGNALFD;
		accept_inst(lc, p, in, e, IPCT_ACT_SIGNALFD);
	}
}

/* A write that failed with EPIPE: the pending SIGPIPE it raised learns its fd and pipe. */
static void on_epipe(struct proc *p, const struct ipct_event *e)
{
	for (struct inst *in = p->insts; in; in = in->next)
		if (in->r.cause == IPCT_CAUSE_PIPE && in->r.fd < 0 && in->r.sender_tid == e->tid) {
			in->r.fd = (int32_t)e->sys.args[0];
			in->r.object = e->sys.x[0];
			in->r.object_kind = e->kind[0];
			return;
		}
}

static bool same_signal(int sig, int by)
{
	return sig == by;
}

/*
 * A new action. One that ignores the signal (SIG_IGN, or SIG_DFL where the
 * default is to ignore it) discards its pending instances, as POSIX says
 * and do_sigaction() does (sig_handler_ignored).
 */
static void on_sigaction(struct ipct_lc *lc, struct proc *p, const struct ipct_event *e)
{
	int sig = (int)e->sys.args[0];
	uint64_t bit, handler = e->sys.x[0];

	if (e->sys.ret != 0 || !(e->flags & IPCT_F_NEW_VALID) || sig < 1 || sig > 64)
		return;
	bit = 1ULL << (sig - 1);
	p->ign_known |= bit;
	if (handler == (uint64_t)SIG_IGN)
		p->ign |= bit;
	else
		p->ign &= ~bit;
	if (handler == (uint64_t)SIG_IGN ||
	    (handler == (uint64_t)SIG_DFL && (sig == SIGCONT || ipct_sig_default(sig) == IPCT_DFL_IGN)))
		discard_pending(lc, p, e, same_signal);
}

/* The calls a signal's story can be in: the rest are passed at once (ipct_lc_other). */
static bool signal_call(const struct ipct_event *e)
{
	return e->nr == __NR_rt_sigreturn || e->nr == __NR_rt_sigaction || e->nr == __NR_rt_sigtimedwait ||
	       e->sys.ret == -EPIPE || (e->kind[0] == IPCT_KIND_SIGNALFD && e->sys.ret > 0);
}

static void on_syscall(struct ipct_lc *lc, const struct ipct_event *e)
{
	bool signalfd = e->kind[0] == IPCT_KIND_SIGNALFD && e->sys.ret > 0;
	struct proc *p;

	p = proc_find(lc, e->pid);
	if (!p)
		return;
	if (e->nr == __NR_rt_sigreturn)
		on_sigreturn(lc, p, e);
	else if (e->nr == __NR_rt_sigaction)
		on_sigaction(lc, p, e);
	else if (e->nr == __NR_rt_sigtimedwait && e->sys.ret > 0)
		on_sigwait(lc, p, e);
	else if (signalfd)
		on_signalfd_read(lc, p, e);
	else if (e->sys.ret == -EPIPE)
		on_epipe(p, e);
}

static void on_fork(struct ipct_lc *lc, const struct ipct_event *e)
{
	struct proc *parent = proc_find(lc, e->pid);
	struct proc *child = proc_get(lc, e->proc.child_pid, e->session);

	/* Dispositions are inherited; pending signals are not. */
	if (parent && child) {
		child->ign = parent->ign;
		child->ign_known = parent->ign_known;
	}
}

static void on_exec(struct ipct_lc *lc, const struct ipct_event *e)
{
	struct proc *p = proc_get(lc, e->pid, e->session);

	/* exec's de_thread killed the other threads: not a death of the process. */
	if (p)
		p->dying = false;
}

/* The instance whose default action killed the process, given its wait status. */
static struct inst *find_killer(struct proc *p, int status)
{
	struct inst *in;
	int sig;

	if (!WIFSIGNALED(status))
		return NULL;
	sig = WTERMSIG(status);
	/* Delivered and fatal (core dumps and blocked signals take this path), ... */
	for (in = p->insts; in; in = in->next)
		if (!pending(in) && in->r.action == IPCT_ACT_DEFAULT && in->r.sig == sig)
			return in;
	/* ... or still pending: the kernel killed the group at generation. */
	for (in = p->insts; in; in = in->next)
		if (pending(in) && in->r.sig == sig)
			return in;
	return NULL;
}

/* The process is gone (or no longer traced): every instance's story ends. */
static void proc_end(struct ipct_lc *lc, struct proc *p, const struct ipct_event *exit_ev, uint64_t now_ns)
{
	struct inst *killer = exit_ev ? find_killer(p, exit_ev->proc.exit_code) : NULL;

	if (killer) {
		struct ipct_sigrec *r = &killer->r;

		if (pending(killer)) {
			r->delivered_ns = p->dying ? p->death_ns : now_ns;
			r->delivered_tid = p->dying ? p->death_tid : exit_ev->tid;
			r->action = IPCT_ACT_DEFAULT;
		}
		r->exit_status = exit_ev->proc.exit_code;
		r->flags |= IPCT_SR_EXIT_STATUS;
	}
	while (p->insts) {
		struct inst *in = p->insts;
		enum ipct_sig_outcome o;

		p->insts = in->next;
		if (in == killer)
			o = WCOREDUMP(in->r.exit_status) ? IPCT_OUTCOME_CORE : IPCT_OUTCOME_TERMINATED;
		else if (in->r.action == IPCT_ACT_HANDLER)
			o = IPCT_OUTCOME_HANDLED;       /* ran, but never returned */
		else if (!pending(in))
			o = ipct_sig_default(in->r.sig) == IPCT_DFL_CORE ? IPCT_OUTCOME_CORE
									   : IPCT_OUTCOME_TERMINATED;
		else
			o = IPCT_OUTCOME_NEVER_DELIVERED;
		if (o == IPCT_OUTCOME_NEVER_DELIVERED && !exit_ev)
			in->r.flags |= IPCT_SR_TRACE_END;
		finish(lc, in, o);
	}
	proc_remove(lc, p);
}

/* Not inlined: its register saving would be paid by the events ipct_lc_other passes at once. */
static __attribute__((noinline)) void lc_event(struct ipct_lc *lc, const struct ipct_event *e)
{
	struct proc *p;

	switch (e->type) {
	case IPCT_EV_SYSCALL:
		on_syscall(lc, e);
		break;
	case IPCT_EV_SIGNAL_GENERATE:
		on_generate(lc, e);
		break;
	case IPCT_EV_SIGNAL_DELIVER:
		on_deliver(lc, e);
		break;
	case IPCT_EV_FORK:
		on_fork(lc, e);
		break;
	case IPCT_EV_EXEC:
		on_exec(lc, e);
		break;
	case IPCT_EV_EXIT:
		p = proc_find(lc, e->pid);
		if (p)
			proc_end(lc, p, e, e->ts_ns);
		break;
	}
}

void ipct_lc_other(struct ipct_lc *lc, const struct ipct_event *e)
{
	if (e->type != IPCT_EV_SYSCALL || signal_call(e))
		lc_event(lc, e);
}

void ipct_lc_end_session(struct ipct_lc *lc, uint32_t session, uint64_t now_ns)
{
	for (int b = 0; b < NBUCKETS; b++) {
		struct proc *p = lc->procs[b], *next;

		for (; p; p = next) {
			next = p->next;
			if (p->session == session)
				proc_end(lc, p, NULL, now_ns);
		}
	}
}
