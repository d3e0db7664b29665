// SPDX-License-Identifier: MIT
// unix_pingpong OPS: parent and child bounce one byte over an AF_UNIX stream
// socketpair with send() and recv() (the sendto and recvfrom syscalls), OPS
// round trips.

#define _GNU_SOURCE
#include <sys/socket.h>
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	wl_init("unix_pingpong");
	long ops = wl_ops(argc, argv, 100000);
	struct wl_counts *s = wl_slots(2), *p = &s[0];
	int sv[2];
	char x = 'x';

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		wl_die("socketpair");
	wl_count(p, W_SOCKETPAIR);

	pid_t pid = wl_fork(p);
	if (pid == 0) {
		struct wl_counts *c = &s[1];

		wl_close(c, sv[0]);
		for (long i = 0; i < ops; i++) {
			if (wl_recv(c, sv[1], &x, 1) != 1)
				wl_fail("child: early end of file");
			wl_send(c, sv[1], &x, 1);
		}
		wl_exit(c, 0);
	}
	wl_close(p, sv[1]);

	uint64_t t0 = wl_now();
	for (long i = 0; i < ops; i++) {
		wl_send(p, sv[0], &x, 1);
		if (wl_recv(p, sv[0], &x, 1) != 1)
			wl_fail("parent: early end of file");
	}
	uint64_t t1 = wl_now();

	wl_wait_ok(p, pid, "child");
	wl_report("unix_pingpong", ops, t1 - t0, s, 2, NULL);
	return 0;
}
