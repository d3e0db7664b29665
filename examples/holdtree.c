// SPDX-License-Identifier: MIT
// Example "a tree that is all alive at once": the process forks N children,
// each of which waits in a read of one pipe until the parent, having forked
// them all, closes its write end; then each exits 0 and the parent waits for
// them. All N + 1 processes live at the same time, so a tracer whose
// traced set holds M processes can trace exactly M of them.

#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 4096

int main(int argc, char **argv)
{
	pid_t pids[MAX_COUNT];
	FILE *f;
	int n, fds[2];

	ex_init("holdtree");
	n = count_arg(argc, argv, 10, MAX_COUNT);
	if (pipe(fds) < 0)
		die("pipe");
	for (int i = 0; i < n; i++) {
		char x;

		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i])
			continue;
		if (close(fds[1]) < 0)
			die("close write end");
		/* EOF once the parent has forked everyone and closed its end. */
		if (read(fds[0], &x, 1) != 0)
			fail("child %d: the gate pipe gave data or an error instead of EOF", (int) getpid());
		_exit(EXIT_SUCCESS);
	}
	if (close(fds[1]) < 0)
		die("close write end");
	for (int i = 0; i < n; i++)
		if (!exited_ok("child", pids[i], wait_child(pids[i])))
			fail("a child failed");
	f = report_open(NULL);
	if (f) {
		fprintf(f, "{\"pid\":%d,\"children\":[", (int) getpid());
		for (int i = 0; i < n; i++)
			fprintf(f, "%s%d", i ? "," : "", (int) pids[i]);
		fprintf(f, "]}\n");
		report_close(f);
	}
	return EXIT_SUCCESS;
}
