// SPDX-License-Identifier: MIT
// Example "a thread started later signals the parent": the process starts a
// thread, which sends its parent SIGUSR1 N times with kill(); the main
// thread waits for it. Run setuid, it shows that a process which left a
// trace at a privileged exec stays out of it with its later threads.

#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 1000

static long count;
static long sent;

static void *signal_parent(void *arg)
{
	pid_t parent = getppid();

	(void)arg;
	for (long i = 0; i < count; i++) {
		if (kill(parent, SIGUSR1) < 0)
			die("kill");
		sent++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t thread;
	int err;

	ex_init("threadkill");
	count = count_arg(argc, argv, 3, MAX_COUNT);
	err = pthread_create(&thread, NULL, signal_parent, NULL);
	if (err)
		fail("pthread_create: error %d", err);
	err = pthread_join(thread, NULL);
	if (err)
		fail("pthread_join: error %d", err);
	report("{\"pid\": %d, \"parent_pid\": %d, \"kill\": %ld}", getpid(), getppid(), sent);
	return EXIT_SUCCESS;
}
