// SPDX-License-Identifier: MIT
// Exits with a given code, or dies of a given signal, so tests can check exit status propagation.

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#define PROG "exitwith"

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "SYS", SIGSYS },
};

_Noreturn static void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s\n", PROG, what, strerror(err));
	exit(EXIT_FAILURE);
}

_Noreturn static void usage(void)
{
	fprintf(stderr, "usage: %s CODE\n       %s -s SIGNAME\n", PROG, PROG);
	exit(EXIT_FAILURE);
}

/* Accepts "TERM", "SIGTERM" (any case) or a number. Returns the index into signal_names. */
static int parse_signal(const char *s)
{
	char *end;
	long v;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (strcasecmp(s, signal_names[i].name) == 0)
			return (int) i;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!errno && end != s && !*end)
		for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
			if (signal_names[i].sig == v)
				return (int) i;
	fprintf(stderr, "%s: unknown or unsupported signal '%s'\n", PROG, s);
	exit(EXIT_FAILURE);
}

static int parse_code(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 255) {
		fprintf(stderr, "%s: invalid exit code '%s' (0..255)\n", PROG, s);
		exit(EXIT_FAILURE);
	}
	return (int) v;
}

/* Written before exiting (or dying), since there is no "end" after that. */
static void write_report(pid_t pid, int code, int sig_index)
{
	const char *path = getenv("IPCTRACE_REPORT");
	FILE *f;

	if (!path || !*path) {
		if (sig_index < 0)
			fprintf(stderr, "%s: pid %d exiting with %d\n", PROG, (int) pid, code);
		else
			fprintf(stderr, "%s: pid %d raising SIG%s\n", PROG, (int) pid,
				signal_names[sig_index].name);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		die("open IPCTRACE_REPORT");
	if (sig_index < 0)
		fprintf(f, "{\"pid\":%d,\"exit\":%d}\n", (int) pid, code);
	else
		fprintf(f, "{\"pid\":%d,\"signal\":\"SIG%s\",\"signo\":%d}\n", (int) pid,
			signal_names[sig_index].name, signal_names[sig_index].sig);
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

int main(int argc, char **argv)
{
	pid_t self = getpid();
	sigset_t set;
	int idx, sig;

	if (argc == 2 && strcmp(argv[1], "-s") != 0) {
		int code = parse_code(argv[1]);

		write_report(self, code, -1);
		return code;
	}
	if (argc != 3 || strcmp(argv[1], "-s") != 0)
		usage();

	idx = parse_signal(argv[2]);
	sig = signal_names[idx].sig;

	/* Make sure the default action happens: no inherited ignore, no inherited block. */
	if (sig != SIGKILL && signal(sig, SIG_DFL) == SIG_ERR)
		die("signal");
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		die("sigprocmask");

	write_report(self, 0, idx);
	if (kill(self, sig) < 0)
		die("kill");

	fprintf(stderr, "%s: still alive after SIG%s\n", PROG, signal_names[idx].name);
	return EXIT_FAILURE;
}
