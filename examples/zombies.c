// SPDX-License-Identifier: MIT
// Example "children nobody waits for": `zombies CASE`, a parent that forks children the way
// course code does and forgets (some of) the wait() calls.
//
//   never    three children exit (codes 0, 1, 2); the parent never waits and exits once all three
//            are zombies
//   first    two children exit; the parent waits for the first only
//   handler  a SIGCHLD handler that counts the children that ended but never calls waitpid()
//   orphan   the parent exits at once; its child, still running, is adopted and exits later
//   ignore   (correct) SIGCHLD set to SIG_IGN: the kernel reaps each child as it exits
//
// The parent waits until each child it does not collect has become a zombie (or is gone), by
// reading /proc, which is no IPC: the trace holds only what the program's own calls do.

#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

#define MAX_CHILDREN 3

static volatile sig_atomic_t ended;

static void on_sigchld(int sig)
{
	(void) sig;
	ended++;	/* the mistake: no waitpid() here */
}

/* The state letter of /proc/PID/stat: 'Z' for a zombie, 0 when the process is gone. */
static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Until pid is a zombie (zombie) or gone (!zombie). */
static void wait_until(pid_t pid, bool zombie)
{
	long long deadline = now_ns() + HANDSHAKE_SECONDS * 1000000000LL;

	while (zombie ? state_of(pid) != 'Z' : state_of(pid) != 0)
		check_deadline(deadline, zombie ? "a child did not become a zombie" : "a child was not reaped");
}

static pid_t child_exiting(int code)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(code);
	return pid;
}

static void write_report(const char *name, const pid_t *kids, int n, int waited)
{
	FILE *f = report_open(stderr);

	fprintf(f, "{\"case\":\"%s\",\"pid\":%d,\"children\":[", name, (int) getpid());
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? "," : "", (int) kids[i]);
	fprintf(f, "],\"waited\":%d}\n", waited);
	report_close(f);
}

int main(int argc, char **argv)
{
	pid_t kids[MAX_CHILDREN];
	const char *c = argc == 2 ? argv[1] : "";

	ex_init("zombies");
	if (!strcmp(c, "never")) {
		for (int i = 0; i < 3; i++)
			kids[i] = child_exiting(i);
		for (int i = 0; i < 3; i++)
			wait_until(kids[i], true);
		write_report(c, kids, 3, 0);
	} else if (!strcmp(c, "first")) {
		kids[0] = child_exiting(0);
		kids[1] = child_exiting(0);
		wait_child(kids[0]);
		wait_until(kids[1], true);
		write_report(c, kids, 2, 1);
	} else if (!strcmp(c, "handler")) {
		struct sigaction sa = { .sa_handler = on_sigchld };

		if (sigaction(SIGCHLD, &sa, NULL) < 0)
			die("sigaction");
		kids[0] = child_exiting(0);
		while (!ended)
			pause();
		wait_until(kids[0], true);
		write_report(c, kids, 1, 0);
	} else if (!strcmp(c, "orphan")) {
		pid_t parent = getpid();

		kids[0] = fork();
		if (kids[0] < 0)
			die("fork");
		if (kids[0] == 0) {
			long long deadline = now_ns() + HANDSHAKE_SECONDS * 1000000000LL;

			/* Adopted once the parent has exited. */
			while (getppid() == parent)
				check_deadline(deadline, "the parent did not exit");
			_exit(EXIT_SUCCESS);
		}
		write_report(c, kids, 1, 0);
	} else if (!strcmp(c, "ignore")) {
		if (signal(SIGCHLD, SIG_IGN) == SIG_ERR)
			die("signal");
		for (int i = 0; i < 3; i++)
			kids[i] = child_exiting(i);
		for (int i = 0; i < 3; i++)
			wait_until(kids[i], false);
		write_report(c, kids, 3, 0);
	} else {
		usage("never|first|handler|orphan|ignore");
	}
	return EXIT_SUCCESS;
}
