// SPDX-License-Identifier: MIT
// Example "a shell-like pipeline": seq N | grep 7 | wc -l, built with pipe, fork, dup2 and exec.

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 100000000

enum { SEQ, GREP, WC, NSTAGES };

static const char *const stage_names[NSTAGES] = { "seq", "grep", "wc" };

static void close_all(const int p[2][2])
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (close(p[i][j]) < 0)
				die("close");
}

/*
 * Child side of one stage: move the pipe ends onto stdin/stdout, drop every
 * other pipe fd (so EOF propagates), then exec. Never returns.
 */
_Noreturn static void run_stage(int stage, const int p[2][2], char *const argv[])
{
	int in = stage > SEQ ? p[stage - 1][0] : -1;
	int out = stage < WC ? p[stage][1] : -1;

	if (in >= 0 && dup2(in, STDIN_FILENO) < 0)
		die("dup2 stdin");
	if (out >= 0 && dup2(out, STDOUT_FILENO) < 0)
		die("dup2 stdout");
	close_all(p);
	execvp(argv[0], argv);
	note("execvp %s: %s", argv[0], strerror(errno));
	_exit(127);
}

/* Exit code as a shell would show it: the status, or 128 + signal number. */
static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int main(int argc, char **argv)
{
	/* seq gets N as it was written; count_arg only checks it. */
	char *n = argc > 1 ? argv[1] : "1000";
	char *const seq_argv[] = { "seq", n, NULL };
	char *const grep_argv[] = { "grep", "7", NULL };
	char *const wc_argv[] = { "wc", "-l", NULL };
	char *const *const stage_argv[NSTAGES] = { seq_argv, grep_argv, wc_argv };
	pid_t pids[NSTAGES];
	int codes[NSTAGES];
	int p[2][2];

	ex_init("pipeline");
	count_arg(argc, argv, 1000, MAX_COUNT);
	for (int i = 0; i < 2; i++)
		if (pipe(p[i]) < 0)
			die("pipe");

	/* Nothing is buffered in stdio here, so forking cannot duplicate output. */
	for (int s = 0; s < NSTAGES; s++) {
		pids[s] = fork();
		if (pids[s] < 0)
			die("fork");
		if (pids[s] == 0)
			run_stage(s, (const int (*)[2]) p, stage_argv[s]);
	}

	close_all((const int (*)[2]) p);

	for (int s = 0; s < NSTAGES; s++)
		codes[s] = exit_code(wait_child(pids[s]));

	if (!report("{\"parent_pid\":%d,\"pids\":{\"seq\":%d,\"grep\":%d,\"wc\":%d},"
		    "\"exit\":{\"seq\":%d,\"grep\":%d,\"wc\":%d}}",
		    (int) getpid(), (int) pids[SEQ], (int) pids[GREP], (int) pids[WC],
		    codes[SEQ], codes[GREP], codes[WC]))
		note("parent %d ran seq %d (exit %d) | grep %d (exit %d) | wc %d (exit %d)",
		     (int) getpid(), (int) pids[SEQ], codes[SEQ], (int) pids[GREP], codes[GREP],
		     (int) pids[WC], codes[WC]);

	for (int s = 0; s < NSTAGES; s++)
		/* grep exits 1 when nothing matched; that is not a failure of the pipeline. */
		if (codes[s] != 0 && !(s == GREP && codes[s] == 1))
			fail("%s exited with %d", stage_names[s], codes[s]);
	return EXIT_SUCCESS;
}
