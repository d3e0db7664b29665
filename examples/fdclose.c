// SPDX-License-Identifier: MIT
// Example "descriptors closed before exec": the parent makes a pipe whose ends are not
// close-on-exec and starts a child that execs `holds` after dealing with the pipe's
// descriptors one of the ways real programs do; `holds` says by its exit status which
// ends it still has. The parent closes its own ends, waits, and reports.
//
// fdclose CASE, one of:
//   leak             the child closes nothing: the exec'd program holds both ends
//   close_range      close_range(3, ~0U, 0) in the child
//   cloexec_range    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC): the exec closes them
//   closefrom        the C library's closefrom(3)
//   fioclex          ioctl(FIOCLEX) on both ends: the exec closes them
//   fionclex         the pipe is made O_CLOEXEC and the child clears it on the write end
//                    with ioctl(FIONCLEX): the exec'd program holds the write end
//   spawn            posix_spawn (a vfork) without file actions: it holds both ends
//   spawn_closefrom  posix_spawn with posix_spawn_file_actions_addclosefrom_np(3)

#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/close_range.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

extern char **environ;

static const char *const cases[] = {
	"leak", "close_range", "cloexec_range", "closefrom", "fioclex", "fionclex", "spawn",
	"spawn_closefrom", NULL,
};

/* What the child does between fork and exec. */
static void prepare(const char *c, const int fds[2])
{
	if (!strcmp(c, "close_range")) {
		if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
			die("close_range");
	} else if (!strcmp(c, "cloexec_range")) {
		if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
			die("close_range CLOSE_RANGE_CLOEXEC");
	} else if (!strcmp(c, "closefrom")) {
		closefrom(3);
	} else if (!strcmp(c, "fioclex")) {
		if (ioctl(fds[0], FIOCLEX) < 0 || ioctl(fds[1], FIOCLEX) < 0)
			die("ioctl FIOCLEX");
	} else if (!strcmp(c, "fionclex")) {
		if (ioctl(fds[1], FIONCLEX) < 0)
			die("ioctl FIONCLEX");
	}
}

static pid_t spawn(bool closefrom, char **argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	if (posix_spawn_file_actions_init(&fa))
		fail("posix_spawn_file_actions_init");
	if (closefrom && posix_spawn_file_actions_addclosefrom_np(&fa, 3))
		fail("posix_spawn_file_actions_addclosefrom_np");
	err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	if (err)
		fail("posix_spawn %s: %s", argv[0], strerror(err));
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

int main(int argc, char **argv)
{
	const char *c = argc == 2 ? argv[1] : "";
	unsigned long inode, inodes[2];
	char **hargv;
	pid_t child;
	int fds[2], held;
	size_t i;

	ex_init("fdclose");
	for (i = 0; cases[i] && strcmp(cases[i], c); i++)
		;
	if (!cases[i])
		usage("leak|close_range|cloexec_range|closefrom|fioclex|fionclex|spawn|spawn_closefrom");
	if (pipe2(fds, !strcmp(c, "fionclex") ? O_CLOEXEC : 0) < 0)
		die("pipe2");
	inode = inodes[0] = inodes[1] = inode_of(fds[0]);
	hargv = holds_argv(2, inodes, fds);

	if (!strncmp(c, "spawn", 5)) {
		child = spawn(!strcmp(c, "spawn_closefrom"), hargv);
	} else {
		child = fork();
		if (child < 0)
			die("fork");
		if (child == 0) {
			prepare(c, fds);
			execv(hargv[0], hargv);
			die("execv holds");
		}
	}
	if (close(fds[0]) < 0 || close(fds[1]) < 0)
		die("close");
	held = holds_result(child, wait_child(child));
	if (!report("{\"case\":\"%s\",\"parent_pid\":%d,\"child_pid\":%d,\"inode\":%lu,"
		    "\"read_fd\":%d,\"write_fd\":%d,\"holder_read_end\":%s,\"holder_write_end\":%s}",
		    c, (int) getpid(), (int) child, inode, fds[0], fds[1],
		    held & 1 ? "true" : "false", held & 2 ? "true" : "false"))
		note("%s: child %d exec'd holding the read end: %s, the write end: %s", c, (int) child,
		     held & 1 ? "yes" : "no", held & 2 ? "yes" : "no");
	return 0;
}
