// SPDX-License-Identifier: MIT
// Example "multi-threaded exits": `mtexit CASE [N]` forks N children (20 by
// default); in each, several threads end at the same moment, and the parent
// reports the wait status that waitpid() gave it for every child. Cases:
//   group     a worker calls _exit(3) (exit_group) while the others run;
//   mainexit  main calls pthread_exit() as a worker calls _exit(7);
//   raw       every thread calls the raw exit syscall with its own code
//             (main 5, workers 10, 11, ...): no group exit; which code the
//             process ends with depends on the kernel (the main thread's
//             before 6.15, the last thread's since).

#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

#define PROG "mtexit"
#define WORKERS 4
#define CHILDREN_MAX 200

enum mode { M_GROUP, M_MAINEXIT, M_RAW };

static enum mode mode;
static pthread_barrier_t start;

/* Until the others are lost: a thread that is running when the group exit comes. */
static _Noreturn void spin(void)
{
	for (volatile unsigned long i = 0;; i++)
		;
}

static void *worker(void *arg)
{
	long n = (long) arg;

	pthread_barrier_wait(&start);
	switch (mode) {
	case M_GROUP:
		if (n == 0)
			_exit(3);
		spin();
	case M_MAINEXIT:
		if (n == 0)
			_exit(7);
		spin();
	case M_RAW:
		syscall(SYS_exit, 10 + (int) n);
	}
	return NULL;
}

/* The child: WORKERS threads and main end together, as the case says. */
static _Noreturn void child(void)
{
	pthread_t th;

	if (pthread_barrier_init(&start, NULL, WORKERS + 1))
		fail("pthread_barrier_init");
	for (long i = 0; i < WORKERS; i++)
		if (pthread_create(&th, NULL, worker, (void *) i))
			fail("pthread_create");
	pthread_barrier_wait(&start);
	switch (mode) {
	case M_GROUP:
		spin();
	case M_MAINEXIT:
		pthread_exit(NULL);
	case M_RAW:
		syscall(SYS_exit, 5);
	}
	_exit(EXIT_FAILURE);
}

/* The status is one that the case's threads exit with. */
static bool exited_as_meant(int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

	switch (mode) {
	case M_GROUP:
		return code == 3;
	case M_MAINEXIT:
		return code == 7;
	default:
		return code == 5 || (code >= 10 && code < 10 + WORKERS);
	}
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "group", "mainexit", "raw" };
	pid_t pids[CHILDREN_MAX];
	int status[CHILDREN_MAX], n, bad = 0;
	FILE *f;

	ex_init(PROG);
	if (argc < 2 || argc > 3)
		usage("group|mainexit|raw [N]");
	for (mode = 0; mode < 3 && strcmp(argv[1], names[mode]); mode++)
		;
	if (mode == 3)
		usage("group|mainexit|raw [N]");
	n = argc == 3 ? (int) parse_count(argv[2], 1, CHILDREN_MAX) : 20;

	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0)
			child();
		status[i] = wait_child(pids[i]);
		bad += !exited_as_meant(status[i]);
	}

	f = report_open(stderr);
	fprintf(f, "{\"case\":\"%s\",\"pid\":%d,\"children\":[", names[mode], (int) getpid());
	for (int i = 0; i < n; i++)
		fprintf(f, "%s{\"pid\":%d,\"status\":%d}", i ? "," : "", (int) pids[i], status[i]);
	fprintf(f, "]}\n");
	report_close(f);
	if (bad)
		note("%d of %d children ended with a status that no thread exited with", bad, n);
	return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}
