/* SPDX-License-Identifier: MIT */
/*
 * The lifecycle record of one signal instance: built by the daemon's
 * correlator from signal_generate, signal_deliver, rt_sigreturn, the
 * syscalls around them and process exit, and sent to clients as
 * IPCT_MSG_SIGREC frames. docs/signals.md gives its JSON form.
 *
 * Times are CLOCK_BOOTTIME nanoseconds (the events' clock), 0 when the state was never
 * reached. Fixed-width fields, no implicit padding (asserted below).
 */
#ifndef IPCTRACE_SIGREC_H
#define IPCTRACE_SIGREC_H

#include <linux/types.h>

#include "ipctrace/event.h"

#define IPCT_SIGREC_VERSION 1
#define IPCT_HANDLER_NAME_LEN 64

/* What the target did at delivery. */
enum ipct_sig_action {
	IPCT_ACT_NONE = 0,      /* never delivered */
	IPCT_ACT_HANDLER,       /* ran a handler */
	IPCT_ACT_DEFAULT,       /* SIG_DFL: the signal's default action */
	IPCT_ACT_IGNORE,        /* SIG_IGN */
	IPCT_ACT_WAIT,          /* taken synchronously by sigwaitinfo/sigtimedwait */
	IPCT_ACT_SIGNALFD,      /* taken by a read of a signalfd */
};

enum ipct_sig_outcome {
	IPCT_OUTCOME_HANDLED = 1,       /* a handler ran */
	IPCT_OUTCOME_TERMINATED,        /* the process died of it */
	IPCT_OUTCOME_CORE,              /* ... and dumped core */
	IPCT_OUTCOME_STOPPED,
	IPCT_OUTCOME_CONTINUED,
	IPCT_OUTCOME_IGNORED,           /* at generation or at delivery */
	IPCT_OUTCOME_MERGED,            /* already pending: this instance is lost */
	IPCT_OUTCOME_NEVER_DELIVERED,   /* pending or blocked when the target exited or tracing stopped */
	IPCT_OUTCOME_ACCEPTED,          /* taken by sigwaitinfo/sigtimedwait or a signalfd read */
	IPCT_OUTCOME_DROPPED,           /* the real-time queue was full: not queued at all */
	IPCT_OUTCOME_UNOBSERVED,        /* sent to a process that is not traced */
	IPCT_OUTCOME_DISCARDED,         /* thrown away while pending: its action became "ignore"
					 * (rt_sigaction), or SIGCONT / a stop signal cancelled it */
	IPCT_OUTCOME_MAX,
};

/* Why the kernel generated a signal (sender "kernel"). */
enum ipct_sig_cause {
	IPCT_CAUSE_NONE = 0,    /* a process sent it with a syscall (via_nr) */
	IPCT_CAUSE_CHILD,       /* SIGCHLD: a child exited, was killed, stopped or continued */
	IPCT_CAUSE_PIPE,        /* SIGPIPE: a write to a pipe or socket nobody reads */
	IPCT_CAUSE_FAULT,       /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP: a fault */
	IPCT_CAUSE_TIMER,       /* SIGALRM, SIGVTALRM, SIGPROF: alarm, setitimer, timer_create */
	IPCT_CAUSE_TERMINAL,    /* SIGINT, SIGQUIT, SIGTSTP, ...: typed at the terminal */
	IPCT_CAUSE_KERNEL,      /* another kernel reason */
	IPCT_CAUSE_MAX,
};

#define IPCT_SR_BLOCKED      0x01   /* the target's mask held it when generated */
#define IPCT_SR_GROUP        0x02   /* process-directed (target_tid is then unset) */
#define IPCT_SR_RETURNED     0x04   /* the handler returned (rt_sigreturn) */
#define IPCT_SR_INTERRUPTED  0x08   /* the delivery interrupted syscall intr_nr */
#define IPCT_SR_RESTARTED    0x10   /* ... which the kernel restarted */
#define IPCT_SR_SENDER       0x20   /* sender_* name the task that caused it */
#define IPCT_SR_GENERATED    0x40   /* the generation was seen (not before the trace) */
#define IPCT_SR_EXIT_STATUS  0x80   /* exit_status is the target's wait status */
#define IPCT_SR_TRACE_END    0x200  /* never delivered: still pending when tracing stopped */
#define IPCT_SR_ADOPTED      0x4000 /* SIGCHLD to the process that adopted the child when its parent exited */

struct ipct_sigrec {
	__u16 version;
	__u8 action;            /* enum ipct_sig_action */
	__u8 outcome;           /* enum ipct_sig_outcome */
	__u8 cause;             /* enum ipct_sig_cause */
	__u8 object_kind;       /* SIGPIPE, signalfd: enum ipct_obj_kind of `object` */
	__u16 flags;            /* IPCT_SR_* */
	__u16 via_nr;           /* the sender's syscall, IPCT_NR_NONE for the kernel */
	union {
		__u16 intr_nr;          /* the syscall the delivery interrupted */
		__u16 discard_nr;       /* DISCARDED: the syscall that did it (rt_sigaction),
					 * IPCT_NR_NONE when a signal did */
	};
	__u32 session;
	__u64 id;               /* per daemon, increasing in generation order */
	__u64 merged_into;      /* MERGED: id of the pending instance it merged into */
	__s32 sig;
	__s32 code;             /* si_code */
	__s32 result;           /* enum ipct_sig_result, at generation */
	union {
		__s32 intr_ret;         /* what the interrupted syscall returned */
		__s32 discard_sig;      /* DISCARDED by a signal: that SIGCONT or stop signal */
	};
	__u32 sender_pid, sender_tid;
	__u32 target_pid, target_tid;
	union {
		__u32 delivered_tid;    /* the thread that acted on it */
		__u32 discarded_tid;    /* DISCARDED by a syscall: the thread that made it */
	};
	__s32 exit_status;      /* with IPCT_SR_EXIT_STATUS */
	__u64 generated_ns, delivered_ns;
	union {
		__u64 returned_ns;
		__u64 discarded_ns;     /* DISCARDED: when */
	};
	__u64 handler;          /* sa_handler at delivery; DISCARDED by rt_sigaction: the new one */
	__u64 sa_flags;
	__u64 sifields[2];      /* siginfo's union, raw, from the generation */
	__u64 object;           /* SIGPIPE: the inode written to */
	__s32 fd;               /* SIGPIPE: the fd written to; signalfd: the one read; -1 unknown */
	__u32 uid;              /* the owner of its session: who may see it */
	char sender_comm[IPCT_COMM_LEN];
	char target_comm[IPCT_COMM_LEN];
	char handler_name[IPCT_HANDLER_NAME_LEN]; /* "" when unknown */
};

_Static_assert(sizeof(struct ipct_sigrec) == 240, "ipct_sigrec layout");

#endif /* IPCTRACE_SIGREC_H */
