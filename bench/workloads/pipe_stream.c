// SPDX-License-Identifier: MIT
// pipe_stream OPS: a child writes OPS blocks of 4 KiB into a pipe; the parent
// reads it with 64 KiB reads until the end of file. A read returns whatever
// is there, so the number of reads varies: each is counted. ns_per_op is per
// 4 KiB written.

#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wl.h"

#define BLOCK 4096
#define READ_SIZE 65536

int main(int argc, char **argv)
{
	wl_init("pipe_stream");
	long ops = wl_ops(argc, argv, 100000);
	struct wl_counts *s = wl_slots(2), *p = &s[0];
	static char buf[READ_SIZE];
	int fds[2];

	memset(buf, 'x', sizeof(buf));
	if (pipe2(fds, 0) < 0)
		wl_die("pipe2");
	wl_count(p, W_PIPE2);

	pid_t pid = wl_fork(p);
	if (pid == 0) {
		struct wl_counts *c = &s[1];

		wl_close(c, fds[0]);
		for (long i = 0; i < ops; i++)
			wl_write_all(c, fds[1], buf, BLOCK);
		wl_exit(c, 0); /* the write end closes with the process */
	}
	wl_close(p, fds[1]);

	uint64_t t0 = wl_now();
	long total = 0;
	size_t n;
	while ((n = wl_read(p, fds[0], buf, READ_SIZE)) > 0)
		total += n;
	uint64_t t1 = wl_now();

	if (total != ops * BLOCK)
		wl_fail("read %ld bytes, expected %ld", total, ops * BLOCK);
	wl_wait_ok(p, pid, "writer");
	wl_report("pipe_stream", ops, t1 - t0, s, 2, NULL);
	return 0;
}
