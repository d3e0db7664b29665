// SPDX-License-Identifier: MIT
// Example "fork storm": N children each signal the parent once and write 16 bytes to one pipe.

#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 10000
#define MSG_LEN 16
#define SIGNAL_WAIT_SECONDS 30

/* One slot per child in MAP_SHARED memory; only that child writes it (pid aside). */
struct slot {
	int pid;		/* written by the parent from fork()'s return */
	int signalled;		/* set by the child once its kill() has returned */
	int kills;
	struct traffic written;
};

struct shared {
	struct traffic read;	/* parent only */
	struct slot child[];
};

static volatile sig_atomic_t handled;

void on_sigusr1(int sig);

void on_sigusr1(int sig)
{
	(void) sig;
	handled++;
}

_Noreturn static void run_child(struct slot *s, int rfd, int wfd)
{
	char msg[MSG_LEN + 1];
	int r;

	if (close(rfd) < 0)
		die("close read end");

	r = kill(getppid(), SIGUSR1);
	s->kills++;
	__atomic_store_n(&s->signalled, 1, __ATOMIC_RELEASE);
	if (r < 0)
		die("kill");

	/* Our pid, left-aligned and padded to exactly 16 bytes including the newline. */
	snprintf(msg, sizeof(msg), "%-*d\n", MSG_LEN - 1, (int) getpid());
	write_all(wfd, msg, MSG_LEN, &s->written);
	_exit(EXIT_SUCCESS);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*
 * Wait (without any traced syscall) until every child's kill() has returned.
 * A SIGUSR1 that is still pending then is delivered when the next syscall
 * returns, so no read() below is ever interrupted and restarted behind our
 * back by SA_RESTART: the read count stays exactly what a tracer sees.
 */
static void wait_for_signals(struct shared *sh, int n)
{
	double deadline = now() + SIGNAL_WAIT_SECONDS;

	for (int i = 0; i < n; i++)
		while (!__atomic_load_n(&sh->child[i].signalled, __ATOMIC_ACQUIRE)) {
			if (now() > deadline)
				fail("child %d never signalled", sh->child[i].pid);
			sched_yield();
		}
}

static void write_report(pid_t parent, const struct shared *sh, int n)
{
	FILE *f = report_open(NULL);

	if (!f) {
		note("parent %d forked %d children, handler ran %d times, read %ld bytes in %d reads",
		     (int) parent, n, (int) handled, sh->read.bytes, sh->read.calls);
		return;
	}
	fprintf(f, "{\"parent_pid\":%d,\"children\":[", (int) parent);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? "," : "", sh->child[i].pid);
	fprintf(f, "],\"kill_per_child\":1,\"write_bytes_per_child\":%d,"
		"\"handled\":%d,\"reads\":%d,\"bytes_read\":%ld}\n",
		MSG_LEN, (int) handled, sh->read.calls, sh->read.bytes);
	report_close(f);
}

int main(int argc, char **argv)
{
	struct shared *sh;
	int n, fds[2];

	ex_init("forkstorm");
	n = count_arg(argc, argv, 50, MAX_COUNT);
	sh = shared_alloc(sizeof(struct shared) + (size_t) n * sizeof(struct slot));

	ex_handle(SIGUSR1, on_sigusr1);

	if (pipe(fds) < 0)
		die("pipe");

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0)
			run_child(&sh->child[i], fds[0], fds[1]);
		sh->child[i].pid = (int) pid;
	}

	wait_for_signals(sh, n);

	if (close(fds[1]) < 0)
		die("close write end");
	read_to_eof(fds[0], &sh->read);
	if (close(fds[0]) < 0)
		die("close read end");

	for (int i = 0; i < n; i++) {
		const struct slot *s = &sh->child[i];

		if (!exited_ok("child", s->pid, wait_child(s->pid)))
			return EXIT_FAILURE;
		if (s->kills != 1 || s->written.bytes != MSG_LEN)
			fail("child %d made %d kills and wrote %ld bytes", s->pid, s->kills,
			     s->written.bytes);
	}

	write_report(getpid(), sh, n);
	if (sh->read.bytes != n * MSG_LEN)
		fail("read %ld bytes, expected %d", sh->read.bytes, n * MSG_LEN);
	return EXIT_SUCCESS;
}
