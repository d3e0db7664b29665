// SPDX-License-Identifier: MIT
// Example "calls on both sides of a gate": `gated N` writes N messages into a pipe of its own
// and sends itself SIGUSR1 N times (a handler counts them), writes its report, then waits
// until its stdin is readable (select: not traced) and makes as many calls again, which the
// report does not count. The tests detach a trace while it waits at the gate: the calls the
// report counts are the trace's, exactly, and none of those after.

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

/* Both sides' messages fit in the pipe, which nobody reads. */
#define MAX_COUNT 2000
#define MSG "message\n"

static volatile sig_atomic_t handled;

/* Not static, so that the symbol shows up in tracer output. */
void on_sigusr1(int sig);

void on_sigusr1(int sig)
{
	(void) sig;
	handled++;
}

static void calls(int n, int fd, struct traffic *t, int *kills)
{
	for (int i = 0; i < n; i++) {
		write_all(fd, MSG, sizeof(MSG) - 1, t);
		if (kill(getpid(), SIGUSR1) < 0)
			die("kill");
		++*kills;
	}
}

int main(int argc, char **argv)
{
	struct traffic before = { 0 }, after = { 0 };
	int n, fds[2], kills = 0;
	fd_set in;

	ex_init("gated");
	n = count_arg(argc, argv, 10, MAX_COUNT);
	/* Each kill must be delivered before it returns. */
	ex_handle(SIGUSR1, on_sigusr1);
	if (pipe(fds) < 0)
		die("pipe");
	calls(n, fds[1], &before, &kills);
	/* Written once every call it counts has returned: the tests' handshake. */
	if (!report("{\"pid\":%d,\"write_fd\":%d,\"writes\":%d,\"bytes_written\":%ld,\"kill\":%d,\"handled\":%d}",
		    (int) getpid(), fds[1], before.calls, before.bytes, kills, (int) handled))
		note("pid %d: %d writes, %d kills before the gate", (int) getpid(), before.calls, kills);
	FD_ZERO(&in);
	FD_SET(0, &in);
	while (select(1, &in, NULL, NULL, NULL) < 0)
		if (errno != EINTR)
			die("select");
	calls(n, fds[1], &after, &kills);
	if (handled != 2 * n)
		fail("handler ran %d times, expected %d", (int) handled, 2 * n);
	return EXIT_SUCCESS;
}
