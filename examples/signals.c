// SPDX-License-Identifier: MIT
// Example "a handler with kill": the process signals itself N times with SIGUSR1.

#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 1000000

static volatile sig_atomic_t handled;

/* Not static, so that the symbol shows up in tracer output. */
void on_sigusr1(int sig);

void on_sigusr1(int sig)
{
	(void) sig;
	handled++;
}

int main(int argc, char **argv)
{
	pid_t self = getpid();
	int n, kills = 0;

	ex_init("signals");
	n = count_arg(argc, argv, 5, MAX_COUNT);

	/* Each kill must be delivered before it returns. */
	ex_handle(SIGUSR1, on_sigusr1);

	for (int i = 0; i < n; i++) {
		int r = kill(self, SIGUSR1);

		kills++;
		if (r < 0)
			die("kill");
	}

	if (!report("{\"pid\":%d,\"kill\":%d,\"handled\":%d,\"sig\":\"SIGUSR1\"}",
		    (int) self, kills, (int) handled))
		note("pid %d sent SIGUSR1 to itself %d times, handler ran %d times",
		     (int) self, kills, (int) handled);

	if (handled != n)
		fail("handler ran %d times, expected %d", (int) handled, n);
	return EXIT_SUCCESS;
}
