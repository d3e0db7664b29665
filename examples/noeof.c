// SPDX-License-Identifier: MIT
// Example "a reader that never sees EOF": the child reads a pipe until end of file but forgot
// to close its own copy of the write end, so end of file never comes. HANGS BY DESIGN: the
// child blocks in read forever and the parent waits for it; kill both (the report has the pids).

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

/* In MAP_SHARED memory: the parent's counts, and `go`, which releases the child. */
struct shared {
	int go;
	struct traffic written;
};

static const char *const messages[] = { "ping\n", "hello, pipe\n", "you will not see EOF\n" };

static void write_report(pid_t parent, pid_t child, unsigned long inode, int rfd, int wfd,
			 const struct shared *sh)
{
	if (!report("{\"parent_pid\":%d,\"child_pid\":%d,\"inode\":%lu,\"read_fd\":%d,"
		    "\"leaked_write_fd\":%d,\"parent_write_fd\":%d,\"writes\":%d,\"bytes_written\":%ld}",
		    (int) parent, (int) child, inode, rfd, wfd, wfd,
		    sh->written.calls, sh->written.bytes))
		note("parent %d wrote %ld bytes in %d writes to pipe:[%lu] and closed its write end; "
		     "child %d reads fd %d and still holds the write end as fd %d",
		     (int) parent, sh->written.bytes, sh->written.calls, inode,
		     (int) child, rfd, wfd);
}

/*
 * The bug: fds[1] is still open here. Once the parent's bytes are read, read
 * blocks for good, since this very process could still write to the pipe.
 * The report is written first: everything it says is settled by then (the
 * parent has written and closed its write end).
 */
_Noreturn static void run_child(pid_t parent, const int fds[2], unsigned long inode,
				struct shared *sh)
{
	/* Here belongs close(fds[1]), which this child forgets. */
	wait_nonzero(&sh->go);
	write_report(parent, getpid(), inode, fds[0], fds[1], sh);
	read_to_eof(fds[0], NULL);
	note("the child saw end of file, which cannot happen");
	_exit(EXIT_FAILURE);
}

int main(int argc, char **argv)
{
	struct shared *sh;
	unsigned long inode;
	pid_t parent = getpid(), child;
	int fds[2], status;

	(void) argv;
	ex_init("noeof");
	if (argc != 1)
		usage("(hangs forever by design)");
	sh = shared_alloc(sizeof(*sh));
	if (pipe(fds) < 0)
		die("pipe");
	inode = inode_of(fds[0]);

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		run_child(parent, fds, inode, sh);

	if (close(fds[0]) < 0)
		die("close read end");
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		write_all(fds[1], messages[i], strlen(messages[i]), &sh->written);
	if (close(fds[1]) < 0)
		die("close write end");
	set_and_wake(&sh->go);

	status = wait_child(child);
	fail("child %d ended (status 0x%x)", (int) child, status);
}
