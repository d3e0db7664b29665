// SPDX-License-Identifier: MIT
// signal_pingpong OPS: parent and child take turns sending each other
// SIGUSR1, OPS round trips. SIGUSR1 is blocked except inside sigsuspend(),
// so no signal is merged or lost: each kill() is one kill event, one
// signal_generate, one signal_deliver (the handler runs) and one
// rt_sigreturn. rt_sigsuspend is not a traced syscall.

#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>

#include "wl.h"

static struct wl_counts *me;

static void on_usr1(int sig)
{
	(void)sig;
	wl_count(me, W_SIGNAL_DELIVER);
	wl_count(me, W_RT_SIGRETURN); /* when this returns */
}

static void send_usr1(pid_t to)
{
	if (kill(to, SIGUSR1) < 0)
		wl_die("kill");
	wl_count(me, W_KILL);
	wl_count(me, W_SIGNAL_GENERATE);
}

int main(int argc, char **argv)
{
	wl_init("signal_pingpong");
	long ops = wl_ops(argc, argv, 100000);
	struct wl_counts *s = wl_slots(2);
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t usr1, wait_mask;
	pid_t parent = getpid();

	me = &s[0];
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		wl_die("sigaction");
	wl_count(me, W_RT_SIGACTION);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, &wait_mask) < 0)
		wl_die("sigprocmask");
	wl_count(me, W_RT_SIGPROCMASK);
	sigdelset(&wait_mask, SIGUSR1);

	pid_t pid = wl_fork(me);
	if (pid == 0) {
		me = &s[1];
		for (long i = 0; i < ops; i++) {
			sigsuspend(&wait_mask);
			send_usr1(parent);
		}
		wl_exit(me, 0);
	}

	uint64_t t0 = wl_now();
	for (long i = 0; i < ops; i++) {
		send_usr1(pid);
		sigsuspend(&wait_mask);
	}
	uint64_t t1 = wl_now();

	wl_wait_ok(me, pid, "child");
	if (s[0].n[W_SIGNAL_DELIVER] != ops || s[1].n[W_SIGNAL_DELIVER] != ops)
		wl_fail("handler ran %ld and %ld times, expected %ld each",
			s[0].n[W_SIGNAL_DELIVER], s[1].n[W_SIGNAL_DELIVER], ops);
	wl_report("signal_pingpong", ops, t1 - t0, s, 2, NULL);
	return 0;
}
