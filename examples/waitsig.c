// SPDX-License-Identifier: MIT
// Says "ready" and then sleeps in pause() until a signal (e.g. SIGTERM) ends it.

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define PROG "waitsig"

_Noreturn static void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s\n", PROG, what, strerror(err));
	exit(EXIT_FAILURE);
}

/* Written before "ready", since this program never reaches an end of its own. */
static void write_report(pid_t pid)
{
	const char *path = getenv("IPCTRACE_REPORT");
	FILE *f;

	if (!path || !*path) {
		fprintf(stderr, "%s: pid %d waiting for a signal\n", PROG, (int) pid);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		die("open IPCTRACE_REPORT");
	fprintf(f, "{\"pid\":%d}\n", (int) pid);
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

int main(int argc, char **argv)
{
	static const char ready[] = "ready\n";
	ssize_t n;

	(void) argv;
	if (argc != 1) {
		fprintf(stderr, "usage: %s\n", PROG);
		return EXIT_FAILURE;
	}

	write_report(getpid());

	do
		n = write(STDOUT_FILENO, ready, sizeof(ready) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("write");

	/* No handlers are installed, so pause() only ends when a signal kills us. */
	for (;;)
		pause();
}
