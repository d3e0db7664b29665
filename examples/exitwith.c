// SPDX-License-Identifier: MIT
// Exits with a given code, or dies of a given signal, so tests can check exit status propagation.

#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

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

/* Accepts "TERM", "SIGTERM" (any case) or a number. Returns the index into signal_names. */
static int parse_signal(const char *s)
{
	long v;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (strcasecmp(s, signal_names[i].name) == 0)
			return (int) i;
	if (to_long(s, &v))
		for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
			if (signal_names[i].sig == v)
				return (int) i;
	fail("unknown or unsupported signal '%s'", s);
}

static int parse_code(const char *s)
{
	long v;

	if (!to_long(s, &v) || v < 0 || v > 255)
		fail("invalid exit code '%s' (0..255)", s);
	return (int) v;
}

/* Written before exiting (or dying), since there is no "end" after that. */
static void write_report(pid_t pid, int code, int sig_index)
{
	if (sig_index < 0) {
		if (!report("{\"pid\":%d,\"exit\":%d}", (int) pid, code))
			note("pid %d exiting with %d", (int) pid, code);
	} else {
		const char *name = signal_names[sig_index].name;

		if (!report("{\"pid\":%d,\"signal\":\"SIG%s\",\"signo\":%d}", (int) pid, name,
			    signal_names[sig_index].sig))
			note("pid %d raising SIG%s", (int) pid, name);
	}
}

int main(int argc, char **argv)
{
	pid_t self = getpid();
	sigset_t set;
	int idx, sig;

	ex_init(PROG);
	if (argc == 2 && strcmp(argv[1], "-s") != 0) {
		int code = parse_code(argv[1]);

		write_report(self, code, -1);
		return code;
	}
	if (argc != 3 || strcmp(argv[1], "-s") != 0)
		usage("CODE\n       " PROG " -s SIGNAME");

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

	fail("still alive after SIG%s", signal_names[idx].name);
}
