// SPDX-License-Identifier: MIT
// Example "every way to send, block and wait for a signal": `sigcalls [N]` signals
// itself N times by each call that can (kill, tkill, tgkill, sigqueue,
// rt_tgsigqueueinfo, pidfd_send_signal), each handled before the call returns;
// blocks SIGUSR1 and sends it once more, handled when unblocked; then a child,
// born with SIGRTMIN+2 blocked, takes N of them with sigwait(), each sent
// through the child's pidfd once the child sleeps in sigwait. Each process logs
// every call it makes with what it passed and got back (example.h's call log).
//
// The calls that the C library would make as another syscall, or not at all,
// are made raw: tkill, tgkill, rt_tgsigqueueinfo, pidfd_open, pidfd_send_signal.
// No threads: glibc's pthread_create masks signals with calls of its own.

#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 1000
#define VALUE_QUEUE 100		/* sigqueue()'s values: 100, 101, ... */
#define VALUE_TGQUEUE 200	/* rt_tgsigqueueinfo's */
#define LOG_BYTES(n) (4096 + (size_t) (n) * 1024)

static struct calllog *calls;	/* this process's log: the parent's, or in the child its own */

static volatile sig_atomic_t handled[65];
static volatile int values[2 * MAX_COUNT];
static volatile sig_atomic_t nvalues;

/* Not static, so that the symbols show up in tracer output. */
void on_usr1(int sig);
void on_usr2(int sig);
void on_rt(int sig, siginfo_t *si, void *uc);

void on_usr1(int sig)
{
	handled[sig]++;
}

void on_usr2(int sig)
{
	handled[sig]++;
}

void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void) uc;
	handled[sig]++;
	if (nvalues < 2 * MAX_COUNT)
		values[nvalues++] = si->si_value.sival_int;
}

/* A signal's name as a C program writes it: "SIGUSR1", "SIGRTMIN+2". */
static const char *sig_name(int sig)
{
	static char names[65][24];

	if (sig < 1 || sig > 64)
		fail("no signal %d", sig);
	if (!names[sig][0]) {
		if (sig < SIGRTMIN)
			snprintf(names[sig], sizeof(names[sig]), "SIG%s", sigabbrev_np(sig));
		else if (sig == SIGRTMIN)
			snprintf(names[sig], sizeof(names[sig]), "SIGRTMIN");
		else
			snprintf(names[sig], sizeof(names[sig]), "SIGRTMIN+%d", sig - SIGRTMIN);
	}
	return names[sig];
}

/* A set as a JSON list of names, in signal order. */
static const char *set_json(const sigset_t *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[used++] = '[';
	for (int sig = 1; sig <= 64; sig++) {
		if (sigismember(set, sig) != 1)
			continue;
		used += (size_t) snprintf(buf + used, len - used, "%s\"%s\"",
					  used > 1 ? "," : "", sig_name(sig));
		if (used >= len - 2)
			fail("signal set too long");
	}
	buf[used++] = ']';
	buf[used] = '\0';
	return buf;
}

static sigset_t set_of(int a, int b)
{
	sigset_t set;

	sigemptyset(&set);
	if (a)
		sigaddset(&set, a);
	if (b)
		sigaddset(&set, b);
	return set;
}

static void set_mask(int how, sigset_t set, bool ask_old)
{
	static const char *const hows[] = {
		[SIG_BLOCK] = "SIG_BLOCK", [SIG_UNBLOCK] = "SIG_UNBLOCK", [SIG_SETMASK] = "SIG_SETMASK",
	};
	char s[1024], o[1024];
	sigset_t old;

	if (sigprocmask(how, &set, ask_old ? &old : NULL) < 0)
		die("sigprocmask");
	if (ask_old)
		calllog_add(calls, "\"type\":\"rt_sigprocmask\",\"how\":\"%s\",\"set\":%s,\"oldset\":%s,\"ret\":0",
			    hows[how], set_json(&set, s, sizeof(s)), set_json(&old, o, sizeof(o)));
	else
		calllog_add(calls, "\"type\":\"rt_sigprocmask\",\"how\":\"%s\",\"set\":%s,\"ret\":0",
			    hows[how], set_json(&set, s, sizeof(s)));
}

/*
 * sigaction(sig) with handler `fn` (SA_SIGINFO: an info handler) named
 * `name`; `flag_names` is the JSON list of `flags`. With ask_old, the
 * previous action must have been SIG_DFL.
 */
static void set_action(int sig, void *fn, const char *name, int flags, const char *flag_names,
		       bool ask_old)
{
	struct sigaction sa = { .sa_flags = flags }, old;

	if (flags & SA_SIGINFO)
		sa.sa_sigaction = fn;
	else
		sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, ask_old ? &old : NULL) < 0)
		die("sigaction");
	if (ask_old && old.sa_handler != SIG_DFL)
		fail("%s's action was not SIG_DFL", sig_name(sig));
	calllog_add(calls, "\"type\":\"rt_sigaction\",\"sig\":\"%s\",\"signo\":%d,\"handler\":\"%s\","
		    "\"sa_flags\":%s%s,\"ret\":0", sig_name(sig), sig, name, flag_names,
		    ask_old ? ",\"old_handler\":\"SIG_DFL\"" : "");
}

static void send_kill(pid_t pid, int sig)
{
	if (kill(pid, sig) < 0)
		die("kill");
	calllog_add(calls, "\"type\":\"kill\",\"target_pid\":%d,\"sig\":\"%s\",\"signo\":%d,\"ret\":0",
		    (int) pid, sig_name(sig), sig);
}

static void send_tkill(pid_t tid, int sig)
{
	if (syscall(SYS_tkill, tid, sig) < 0)
		die("tkill");
	calllog_add(calls, "\"type\":\"tkill\",\"target_tid\":%d,\"sig\":\"%s\",\"signo\":%d,\"ret\":0",
		    (int) tid, sig_name(sig), sig);
}

static void send_tgkill(pid_t pid, pid_t tid, int sig)
{
	if (syscall(SYS_tgkill, pid, tid, sig) < 0)
		die("tgkill");
	calllog_add(calls, "\"type\":\"tgkill\",\"target_pid\":%d,\"target_tid\":%d,\"sig\":\"%s\","
		    "\"signo\":%d,\"ret\":0", (int) pid, (int) tid, sig_name(sig), sig);
}

/* sigqueue() is the rt_sigqueueinfo syscall. */
static void send_sigqueue(pid_t pid, int sig, int value)
{
	if (sigqueue(pid, sig, (union sigval) { .sival_int = value }) < 0)
		die("sigqueue");
	calllog_add(calls, "\"type\":\"rt_sigqueueinfo\",\"target_pid\":%d,\"sig\":\"%s\",\"signo\":%d,"
		    "\"code\":\"SI_QUEUE\",\"value\":%d,\"ret\":0", (int) pid, sig_name(sig), sig, value);
}

/* What sigqueue() does, to one thread: a siginfo of our own making. */
static void send_tgsigqueue(pid_t pid, pid_t tid, int sig, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &si) < 0)
		die("rt_tgsigqueueinfo");
	calllog_add(calls, "\"type\":\"rt_tgsigqueueinfo\",\"target_pid\":%d,\"target_tid\":%d,"
		    "\"sig\":\"%s\",\"signo\":%d,\"code\":\"SI_QUEUE\",\"value\":%d,\"ret\":0",
		    (int) pid, (int) tid, sig_name(sig), sig, value);
}

static void send_pidfd(int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		die("pidfd_send_signal");
	calllog_add(calls, "\"type\":\"pidfd_send_signal\",\"pidfd\":%d,\"sig\":\"%s\",\"signo\":%d,\"ret\":0",
		    pidfd, sig_name(sig), sig);
}

static int pidfd_of(pid_t pid)
{
	int fd = (int) syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		die("pidfd_open");
	return fd;
}

/* The child: n signals of `set`, each taken by sigwait() (the rt_sigtimedwait syscall). */
_Noreturn static void run_waiter(sigset_t set, int n, int *waited)
{
	for (int i = 0; i < n; i++) {
		int sig, err = sigwait(&set, &sig);

		if (err)
			fail("sigwait: %s", strerror(err));
		calllog_add(calls, "\"type\":\"rt_sigtimedwait\",\"sig\":\"%s\",\"signo\":%d,\"ret\":%d",
			    sig_name(sig), sig, sig);
		(*waited)++;
	}
	_exit(EXIT_SUCCESS);
}

static void write_report(pid_t child, int pidfd, int child_pidfd, int n, int waited,
			 struct calllog *child_calls)
{
	FILE *f = report_open(stderr);
	int usr1 = SIGUSR1, usr2 = SIGUSR2, rt = SIGRTMIN + 1;

	fprintf(f, "{\"pid\":%d,\"tid\":%d,\"child_pid\":%d,\"n\":%d,\"pidfd\":%d,\"child_pidfd\":%d,"
		"\"handled\":{\"%s\":%d,\"%s\":%d,\"%s\":%d},\"values\":[",
		(int) getpid(), (int) gettid(), (int) child, n, pidfd, child_pidfd,
		sig_name(usr1), (int) handled[usr1], sig_name(usr2), (int) handled[usr2],
		sig_name(rt), (int) handled[rt]);
	for (int i = 0; i < nvalues; i++)
		fprintf(f, "%s%d", i ? "," : "", values[i]);
	fprintf(f, "],\"waited\":%d,\"calls\":", waited);
	calllog_print(f, calls);
	fputs(",\"child_calls\":", f);
	calllog_print(f, child_calls);
	fputs("}\n", f);
	report_close(f);
}

int main(int argc, char **argv)
{
	pid_t self = getpid(), tid = gettid(), child;
	int n, pidfd, child_pidfd, rt = SIGRTMIN + 1, wait_sig = SIGRTMIN + 2, *waited;
	struct calllog *child_calls;
	bool ok = true;

	ex_init("sigcalls");
	n = count_arg(argc, argv, 3, MAX_COUNT);
	calls = calllog_new(LOG_BYTES(n));
	child_calls = calllog_new(LOG_BYTES(n));
	waited = shared_alloc(sizeof(*waited));

	/* A known mask to start from: the one inherited may block anything. */
	set_mask(SIG_SETMASK, set_of(0, 0), true);
	set_action(SIGUSR1, on_usr1, "on_usr1", SA_RESTART, "[\"SA_RESTART\"]", true);
	set_action(SIGUSR2, on_usr2, "on_usr2", 0, "[]", false);
	set_action(rt, on_rt, "on_rt", SA_SIGINFO, "[\"SA_SIGINFO\"]", false);
	pidfd = pidfd_of(self);

	/* Unblocked: each one is handled as the call that sent it returns. */
	for (int i = 0; i < n; i++)
		send_kill(self, SIGUSR1);
	for (int i = 0; i < n; i++)
		send_tkill(tid, SIGUSR2);
	for (int i = 0; i < n; i++)
		send_tgkill(self, tid, SIGUSR1);
	for (int i = 0; i < n; i++)
		send_sigqueue(self, rt, VALUE_QUEUE + i);
	for (int i = 0; i < n; i++)
		send_tgsigqueue(self, tid, rt, VALUE_TGQUEUE + i);
	for (int i = 0; i < n; i++)
		send_pidfd(pidfd, SIGUSR2);

	/* Blocked: it pends until SIG_UNBLOCK, which it is handled in. */
	set_mask(SIG_BLOCK, set_of(SIGUSR1, SIGUSR2), true);
	send_kill(self, SIGUSR1);
	set_mask(SIG_UNBLOCK, set_of(SIGUSR1, 0), false);

	/* The child inherits the mask: the signals queue for it from its birth, whenever sent. */
	set_mask(SIG_SETMASK, set_of(wait_sig, 0), true);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		calls = child_calls;
		run_waiter(set_of(wait_sig, 0), n, waited);
	}
	child_pidfd = pidfd_of(child);
	/* Each one while the child sleeps in sigwait, which unblocks it for the wait. */
	for (int i = 0; i < n; i++) {
		wait_in_syscall(child, SYS_rt_sigtimedwait, "the child never waited in sigwait()");
		send_pidfd(child_pidfd, wait_sig);
	}
	if (!exited_ok("child", child, log_waitid(calls, child)))
		ok = false;
	set_mask(SIG_SETMASK, set_of(0, 0), false);

	write_report(child, pidfd, child_pidfd, n, *waited, child_calls);
	if (handled[SIGUSR1] != 2 * n + 1 || handled[SIGUSR2] != 2 * n || handled[rt] != 2 * n) {
		note("handled SIGUSR1 %d times (expected %d), SIGUSR2 %d (%d), %s %d (%d)",
		     (int) handled[SIGUSR1], 2 * n + 1, (int) handled[SIGUSR2], 2 * n,
		     sig_name(rt), (int) handled[rt], 2 * n);
		ok = false;
	}
	for (int i = 0; i < 2 * n && ok; i++)
		if (nvalues != 2 * n ||
		    values[i] != (i < n ? VALUE_QUEUE + i : VALUE_TGQUEUE + i - n)) {
			note("queued values arrived out of order");
			ok = false;
		}
	if (*waited != n) {
		note("the child took %d signals, expected %d", *waited, n);
		ok = false;
	}
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
