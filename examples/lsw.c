// SPDX-License-Identifier: MIT
// Example "ls | wc -l by hand": `lsw N` makes a directory of N files (f0001 ...), then runs
// `ls DIR | wc -l` the way course code does: pipe, fork, dup2 onto stdout and stdin, close
// both ends, exec. ls's stdout is the pipe, so it prints one name and a newline per file:
// the report has the bytes that crossed the pipe (N * 6), the pipe's descriptors and the pids.
// `lsw N leak`: ls's side leaves its copy of the write end open, so that ls runs holding it twice
// (stdout, and the descriptor pipe() gave): harmless here, as ls's exit closes both.

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 9999

/* Child side: end onto target (0 or 1), both ends closed (but a leaked one), then exec. Never returns. */
_Noreturn static void stage(const int p[2], int end, int target, bool leak, char *const argv[])
{
	if (dup2(p[end], target) < 0)
		die("dup2");
	if (close(p[0]) < 0 || (!leak && close(p[1]) < 0))
		die("close");
	execvp(argv[0], argv);
	die("execvp");
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/lsw-XXXXXX", path[64];
	int n, p[2], st_ls, st_wc;
	bool leak;
	pid_t ls, wc;

	ex_init("lsw");
	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "leak")))
		usage("N [leak]");
	n = (int)parse_count(argv[1], 1, MAX_COUNT);
	leak = argc == 3;
	if (!mkdtemp(dir))
		die("mkdtemp");
	for (int i = 1; i <= n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%04d", dir, i);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0 || close(fd) < 0)
			die("creating the files");
	}
	if (pipe(p) < 0)
		die("pipe");
	/*
	 * wc first: it lives until ls has exited (its EOF), so that ls never
	 * comes after a process that has gone, and each has a lane of its own.
	 */
	wc = fork();
	if (wc < 0)
		die("fork");
	if (wc == 0) {
		/* Its count goes nowhere: the window shows the trace alone. */
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || close(null) < 0)
			die("/dev/null");
		stage(p, 0, STDIN_FILENO, false, (char *[]){ "wc", "-l", NULL });
	}
	ls = fork();
	if (ls < 0)
		die("fork");
	if (ls == 0)
		stage(p, 1, STDOUT_FILENO, leak, (char *[]){ "ls", dir, NULL });
	if (close(p[0]) < 0 || close(p[1]) < 0)
		die("close");
	st_ls = wait_child(ls);
	st_wc = wait_child(wc);
	for (int i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/f%04d", dir, i);
		unlink(path);
	}
	rmdir(dir);
	if (!exited_ok("ls", ls, st_ls) || !exited_ok("wc", wc, st_wc))
		return EXIT_FAILURE;
	report("{\"pid\":%d,\"leak\":%s,\"ls\":%d,\"wc\":%d,\"read_fd\":%d,\"write_fd\":%d,\"bytes\":%d}", (int)getpid(), leak ? "true" : "false",
	       (int)ls, (int)wc, p[0], p[1], n * 6);
	return EXIT_SUCCESS;
}
