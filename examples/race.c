// SPDX-License-Identifier: MIT
// Example "a handler that came too late": `race CASE`, course code where a child is meant to
// handle SIGUSR1, and the parent signals it before it has a handler. The parent sends only once
// the child sleeps where the race is lost, so that it is lost every time.
//
//   parent    the parent installs the handler after fork(): the child never has it
//   sibling   two children install it first thing; the second one, slower to start (it reads a
//             pipe first), is signalled before it gets there
//   early     the same, but the second child has not made a single system call yet
//   pingpong  (correct) handler installed before fork(), SIGUSR1 blocked, sigsuspend() to wait:
//             parent and child take turns N times

#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

#ifdef SYS_pause
#define SYS_PAUSE SYS_pause
#else
#define SYS_PAUSE SYS_ppoll     /* glibc's pause() where there is no pause syscall */
#endif

static volatile sig_atomic_t got;

void on_usr1(int sig);

void on_usr1(int sig)
{
	(void) sig;
	got++;
}

/* The child's code: the handler first thing, then wait for the signal and exit. */
_Noreturn static void child(void)
{
	signal(SIGUSR1, on_usr1);
	while (!got)
		pause();
	_exit(EXIT_SUCCESS);
}

static pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	return pid;
}

static void xkill(pid_t pid, int sig)
{
	if (kill(pid, sig) < 0)
		die("kill");
}

static void write_report(const char *name, pid_t killed, pid_t other, int killed_status, int other_status)
{
	report("{\"case\":\"%s\",\"pid\":%d,\"killed\":%d,\"killed_status\":%d,\"other\":%d,\"other_status\":%d}",
	       name, (int) getpid(), (int) killed, killed_status, (int) other, other_status);
}

/* Parent and child send each other SIGUSR1 n times, each waiting for its turn in sigsuspend(). */
static int pingpong(int n)
{
	sigset_t block, old;
	pid_t parent = getpid(), pid;
	int status;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &block, &old) < 0)
		die("sigprocmask");
	pid = xfork();
	if (pid == 0) {
		for (int i = 0; i < n; i++) {
			while (got <= i)
				sigsuspend(&old);
			xkill(parent, SIGUSR1);
		}
		_exit(EXIT_SUCCESS);
	}
	for (int i = 0; i < n; i++) {
		xkill(pid, SIGUSR1);
		while (got <= i)
			sigsuspend(&old);
	}
	status = wait_child(pid);
	report("{\"case\":\"pingpong\",\"pid\":%d,\"child\":%d,\"rounds\":%d,\"got\":%d,\"child_status\":%d}",
	       (int) parent, (int) pid, n, (int) got, status);
	return exited_ok("child", pid, status) && got == n ? EXIT_SUCCESS : EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	const char *c = argc >= 2 ? argv[1] : "";
	pid_t a, b;
	int sa, sb;

	ex_init("race");
	if (!strcmp(c, "parent") && argc == 2) {
		a = xfork();
		if (a == 0) {
			while (!got)
				pause();
			_exit(EXIT_SUCCESS);
		}
		/* The mistake: meant for both, installed after fork(). */
		signal(SIGUSR1, on_usr1);
		wait_in_syscall(a, SYS_PAUSE, "the child never slept in pause()");
		xkill(a, SIGUSR1);
		sa = wait_child(a);
		write_report(c, a, 0, sa, 0);
	} else if ((!strcmp(c, "sibling") || !strcmp(c, "early")) && argc == 2) {
		bool early = !strcmp(c, "early");
		int *started = shared_alloc(sizeof(*started)), fd[2];
		long long deadline;

		if (pipe(fd) < 0)
			die("pipe");
		a = xfork();
		if (a == 0)
			child();
		wait_in_syscall(a, SYS_PAUSE, "the first child never slept in pause()");
		b = xfork();
		if (b == 0) {
			char byte;

			/* Busy starting up: a read of the pipe, or (early) a loop without any call. */
			if (early) {
				__atomic_store_n(started, 1, __ATOMIC_RELEASE);
				while (__atomic_load_n(started, __ATOMIC_ACQUIRE))
					;
			} else if (read(fd[0], &byte, 1) < 0) {
				die("read");
			}
			child();
		}
		if (early) {
			deadline = now_ns() + HANDSHAKE_SECONDS * 1000000000LL;
			while (!__atomic_load_n(started, __ATOMIC_ACQUIRE))
				check_deadline(deadline, "the second child never started");
		} else {
			wait_in_syscall(b, SYS_read, "the second child never read");
		}
		xkill(a, SIGUSR1);
		xkill(b, SIGUSR1);
		sa = wait_child(a);
		sb = wait_child(b);
		write_report(c, b, a, sb, sa);
	} else if (!strcmp(c, "pingpong") && argc <= 3) {
		return pingpong(argc == 3 ? (int) parse_count(argv[2], 1, 100000) : 10);
	} else {
		usage("parent|sibling|early|pingpong [N]");
	}
	return EXIT_SUCCESS;
}
