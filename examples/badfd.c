// SPDX-License-Identifier: MIT
// Example "a call on a bad descriptor": `badfd CASE`, the mistakes course code
// makes with descriptors. Each call fails with EBADF; the program reports
// what it got and ends normally.
//
//   stdout    closes its standard output, then prints (the write of printf fails)
//   wrongend  writes to fds[0] of a pipe, its read end
//   twice     closes the read end of a pipe twice
//   dup2      a child makes fd 1 the pipe's write end with dup2, then its loop that
//             closes the pipe's ends closes fd 1 too; the program it execs prints
//   print     (what `dup2` execs) prints a line; exits with the errno of the failure

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

static const char *errno_name(int err)
{
	return err && strerrorname_np(err) ? strerrorname_np(err) : "0";
}

/* printf and its flush: the errno of the write that failed, 0 if it worked. */
static int print_line(void)
{
	int err;

	printf("hello from badfd\n");
	err = fflush(stdout) == EOF ? errno : 0;
	/* What could not be written must not come out at exit, into whatever gets fd 1 next. */
	__fpurge(stdout);
	return err;
}

static void make_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		die("pipe");
}

int main(int argc, char **argv)
{
	const char *c = argc == 2 ? argv[1] : "";
	int fds[3], err, status;
	pid_t pid;

	ex_init("badfd");
	if (!strcmp(c, "print"))
		return print_line();
	if (!strcmp(c, "stdout")) {
		close(STDOUT_FILENO);
		/* The mistake: nothing can be printed once standard output is closed. */
		err = print_line();
		report("{\"case\":\"%s\",\"pid\":%d,\"call\":\"write\",\"fd\":1,\"errno\":\"%s\"}", c, (int) getpid(),
		       errno_name(err));
	} else if (!strcmp(c, "wrongend")) {
		make_pipe(fds);
		/* The mistake: fds[0] is the read end. */
		err = write(fds[0], "x", 1) < 0 ? errno : 0;
		report("{\"case\":\"%s\",\"pid\":%d,\"call\":\"write\",\"fd\":%d,\"other_end_fd\":%d,"
		       "\"object\":\"pipe:[%lu]\",\"errno\":\"%s\"}", c, (int) getpid(), fds[0], fds[1],
		       inode_of(fds[0]), errno_name(err));
	} else if (!strcmp(c, "twice")) {
		unsigned long ino;

		make_pipe(fds);
		ino = inode_of(fds[0]);
		close(fds[0]);
		/* The mistake: it is closed already. */
		err = close(fds[0]) < 0 ? errno : 0;
		report("{\"case\":\"%s\",\"pid\":%d,\"call\":\"close\",\"fd\":%d,\"object\":\"pipe:[%lu]\","
		       "\"errno\":\"%s\"}", c, (int) getpid(), fds[0], ino, errno_name(err));
	} else if (!strcmp(c, "dup2")) {
		unsigned long ino;

		/* The pipe's ends, and the descriptor its write end is to replace in the child. */
		make_pipe(fds);
		fds[2] = STDOUT_FILENO;
		ino = inode_of(fds[1]);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			if (dup2(fds[1], fds[2]) < 0)
				die("dup2");
			/* The mistake: the loop runs to fds[2], the stdout that dup2 just made the pipe. */
			for (int i = 0; i <= 2; i++)
				close(fds[i]);
			execl(argv[0], "badfd", "print", (char *) NULL);
			die("exec");
		}
		close(fds[1]);
		if (read_to_eof(fds[0], NULL) != 0)
			fail("the child's output reached the pipe");
		status = wait_child(pid);
		if (!WIFEXITED(status))
			fail("the child did not exit (status 0x%x)", status);
		report("{\"case\":\"%s\",\"pid\":%d,\"call\":\"write\",\"fd\":1,\"object\":\"pipe:[%lu]\","
		       "\"errno\":\"%s\"}", c, (int) pid, ino, errno_name(WEXITSTATUS(status)));
	} else {
		usage("stdout|wrongend|twice|dup2");
	}
	return EXIT_SUCCESS;
}
