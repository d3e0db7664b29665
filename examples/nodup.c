// SPDX-License-Identifier: MIT
// Example "a pipe nobody uses": `nodup CASE`, `ls / | wc -l` built by hand
// with pipe, fork, dup2 and exec, with the mistakes course code makes, so
// that the pipe never carries a byte while ls writes to its own stdout:
//
//   nodup     both dup2() calls left out (commented out)
//   writer    the writer's dup2() left out: wc reads the pipe and sees EOF at once
//   wrongfd   the writer's dup2() onto fd 2 instead of 1
//
// The report has the pipe's inode and the two children's pids.

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

static pid_t spawn(const char *c, int pfd[2], bool writer)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	if (writer) {
		close(pfd[0]);
		if (!strcmp(c, "wrongfd") && dup2(pfd[1], 2) < 0)
			die("dup2");
		/* dup2(pfd[1], 1);  left out */
		close(pfd[1]);
		execlp("ls", "ls", "/", (char *) NULL);
	} else {
		close(pfd[1]);
		if (strcmp(c, "nodup") && dup2(pfd[0], 0) < 0)
			die("dup2");
		close(pfd[0]);
		execlp("wc", "wc", "-l", (char *) NULL);
	}
	_exit(127);
}

int main(int argc, char **argv)
{
	const char *c = argc == 2 ? argv[1] : "";
	pid_t ls, wc;
	struct stat st;
	int pfd[2];

	ex_init("nodup");
	if (strcmp(c, "nodup") && strcmp(c, "writer") && strcmp(c, "wrongfd"))
		usage("nodup|writer|wrongfd");
	if (pipe(pfd) < 0 || fstat(pfd[0], &st) < 0)
		die("pipe");
	ls = spawn(c, pfd, true);
	wc = spawn(c, pfd, false);
	close(pfd[0]);
	close(pfd[1]);
	wait_child(ls);
	wait_child(wc);
	report("{\"case\":\"%s\",\"pid\":%d,\"ls\":%d,\"wc\":%d,\"inode\":%lu}", c, (int) getpid(), (int) ls,
	       (int) wc, (unsigned long) st.st_ino);
	return EXIT_SUCCESS;
}
