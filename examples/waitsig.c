// SPDX-License-Identifier: MIT
// Says "ready" and then sleeps in pause() until a signal (e.g. SIGTERM) ends it.

#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "example.h"

int main(int argc, char **argv)
{
	static const char ready[] = "ready\n";
	int pid = (int) getpid();

	(void) argv;
	ex_init("waitsig");
	if (argc != 1)
		usage("");

	/* Written before "ready", since this program never reaches an end of its own. */
	if (!report("{\"pid\":%d}", pid))
		note("pid %d waiting for a signal", pid);

	write_some(STDOUT_FILENO, ready, sizeof(ready) - 1, NULL);

	/* No handlers are installed, so pause() only ends when a signal kills us. */
	for (;;)
		pause();
}
