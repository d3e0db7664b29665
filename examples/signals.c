// SPDX-License-Identifier: MIT
// Example "a handler with kill": the process signals itself N times with SIGUSR1.

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define PROG "signals"
#define MAX_COUNT 1000000

static volatile sig_atomic_t handled;

/* Not static, so that the symbol shows up in tracer output. */
void on_sigusr1(int sig);

void on_sigusr1(int sig)
{
	(void) sig;
	handled++;
}

_Noreturn static void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s\n", PROG, what, strerror(err));
	exit(EXIT_FAILURE);
}

static int parse_count(int argc, char **argv, int def)
{
	char *end;
	long v;

	if (argc < 2)
		return def;
	if (argc > 2) {
		fprintf(stderr, "usage: %s [N]\n", PROG);
		exit(EXIT_FAILURE);
	}
	errno = 0;
	v = strtol(argv[1], &end, 10);
	if (errno || end == argv[1] || *end || v < 0 || v > MAX_COUNT) {
		fprintf(stderr, "%s: invalid count '%s' (0..%d)\n", PROG, argv[1], MAX_COUNT);
		exit(EXIT_FAILURE);
	}
	return (int) v;
}

static void write_report(pid_t pid, int kills, int nhandled)
{
	const char *path = getenv("IPCTRACE_REPORT");
	FILE *f;

	if (!path || !*path) {
		fprintf(stderr, "%s: pid %d sent SIGUSR1 to itself %d times, handler ran %d times\n",
			PROG, (int) pid, kills, nhandled);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		die("open IPCTRACE_REPORT");
	fprintf(f, "{\"pid\":%d,\"kill\":%d,\"handled\":%d,\"sig\":\"SIGUSR1\"}\n",
		(int) pid, kills, nhandled);
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

int main(int argc, char **argv)
{
	int n = parse_count(argc, argv, 5);
	struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = SA_RESTART };
	sigset_t set;
	pid_t self = getpid();
	int kills = 0;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction SIGUSR1");

	/* The mask may be inherited blocked; each kill must be delivered before it returns. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		die("sigprocmask");

	for (int i = 0; i < n; i++) {
		int r = kill(self, SIGUSR1);

		kills++;
		if (r < 0)
			die("kill");
	}

	write_report(self, kills, handled);

	if (handled != n) {
		fprintf(stderr, "%s: handler ran %d times, expected %d\n", PROG, (int) handled, n);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
