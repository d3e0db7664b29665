// SPDX-License-Identifier: MIT
// Example "a parent/child pipe": the child writes N messages, the parent reads them to EOF.

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 1000000

/* Lives in MAP_SHARED memory; the child fills the write side, the parent the read side. */
struct counts {
	struct traffic written;
	struct traffic read;
};

_Noreturn static void run_child(int fd, int n, struct counts *c)
{
	char buf[97];

	for (int i = 0; i < n; i++) {
		size_t len = (size_t) (i % 97) + 1;

		memset(buf, 'a' + i % 26, len);
		write_all(fd, buf, len, &c->written);
	}
	if (close(fd) < 0)
		die("close write end");
	_exit(EXIT_SUCCESS);
}

static void run_parent(int fd, struct counts *c)
{
	read_to_eof(fd, &c->read);
	if (close(fd) < 0)
		die("close read end");
}

int main(int argc, char **argv)
{
	struct counts *c;
	int n, fds[2];
	pid_t child;

	ex_init("pipe");
	n = count_arg(argc, argv, 100, MAX_COUNT);
	c = shared_alloc(sizeof(*c));

	if (pipe(fds) < 0)
		die("pipe");

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (close(fds[0]) < 0)
			die("close read end");
		run_child(fds[1], n, c);
	}

	if (close(fds[1]) < 0)
		die("close write end");
	run_parent(fds[0], c);

	if (!exited_ok("child", child, wait_child(child)))
		return EXIT_FAILURE;

	if (!report("{\"parent_pid\":%d,\"child_pid\":%d,\"writes\":%d,\"bytes_written\":%ld,"
		    "\"reads\":%d,\"bytes_read\":%ld,\"read_fd\":%d,\"write_fd\":%d}",
		    (int) getpid(), (int) child, c->written.calls, c->written.bytes,
		    c->read.calls, c->read.bytes, fds[0], fds[1]))
		note("child %d wrote %ld bytes in %d writes, parent %d read %ld bytes in %d reads",
		     (int) child, c->written.bytes, c->written.calls,
		     (int) getpid(), c->read.bytes, c->read.calls);
	if (c->read.bytes != c->written.bytes)
		fail("read %ld bytes but %ld were written", c->read.bytes, c->written.bytes);
	return EXIT_SUCCESS;
}
