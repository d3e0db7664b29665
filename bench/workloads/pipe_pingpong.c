// SPDX-License-Identifier: MIT
// pipe_pingpong OPS: parent and child bounce one byte over two pipes, OPS
// round trips (each: parent write, child read, child write, parent read).

#define _GNU_SOURCE
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	wl_init("pipe_pingpong");
	long ops = wl_ops(argc, argv, 100000);
	struct wl_counts *s = wl_slots(2), *p = &s[0];
	int down[2], up[2]; /* parent -> child, child -> parent */
	char x = 'x';

	if (pipe2(down, 0) < 0 || pipe2(up, 0) < 0)
		wl_die("pipe2");
	wl_count(p, W_PIPE2);
	wl_count(p, W_PIPE2);

	pid_t pid = wl_fork(p);
	if (pid == 0) {
		struct wl_counts *c = &s[1];

		wl_close(c, down[1]);
		wl_close(c, up[0]);
		for (long i = 0; i < ops; i++) {
			if (wl_read(c, down[0], &x, 1) != 1)
				wl_fail("child: early end of file");
			wl_write(c, up[1], &x, 1);
		}
		wl_exit(c, 0);
	}
	wl_close(p, down[0]);
	wl_close(p, up[1]);

	uint64_t t0 = wl_now();
	for (long i = 0; i < ops; i++) {
		wl_write(p, down[1], &x, 1);
		if (wl_read(p, up[0], &x, 1) != 1)
			wl_fail("parent: early end of file");
	}
	uint64_t t1 = wl_now();

	wl_wait_ok(p, pid, "child");
	wl_report("pipe_pingpong", ops, t1 - t0, s, 2, NULL);
	return 0;
}
