// SPDX-License-Identifier: MIT
/* ipctrace: the command-line client of ipctraced; dispatches its verbs. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"

static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} verbs[] = {
	{ "run", do_run, N_("trace a command and every process it starts") },
	{ "attach", do_attach, N_("trace running processes and their children") },
	{ "trace", do_trace, N_("trace every process (--all)") },
	{ "detach", do_detach, N_("stop a trace session") },
	{ "log", do_log, N_("show the logged events, filtered; -f to follow") },
	{ "pipes", do_pipes, N_("show pipes, FIFOs and sockets: who held which end, what flowed") },
	{ "signals", do_signals, N_("show each signal's life: sent, pending, delivered, handled") },
	{ "explain", do_explain, N_("say what went wrong in a logged session: its diagnoses") },
	{ "sessions", do_sessions, N_("list the trace sessions: owner, command, state") },
	{ "stats", do_stats, N_("show the daemon's counters") },
};

static void usage(FILE *f)
{
	fputs(_("Usage: ipctrace VERB [OPTIONS] [ARGS...]\n"
		 "\n"
		 "See signals, pipes and sockets between processes as they happen.\n"
		 "\n"
		 "Verbs:\n"), f);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, _(verbs[i].help));
	fputs(_("\n"
		"'ipctrace VERB --help' describes a verb. Example:\n"
		"  sudo ipctrace run -- ./a.out\n"), f);
}

bool stdout_closed;

/*
 * A standard stream the caller closed (`>&-`) is held by /dev/null: else
 * the next socket or file opened would take its number, and output meant
 * for stdout would go into the daemon's socket. Writing to a closed stdout
 * is then said as an error (write_stdout, and run's -O).
 */
static void hold_std_fds(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) != fd)
			continue;
		if (fd == STDOUT_FILENO)
			stdout_closed = true;
	}
}

/*
 * The long option that the n characters of name give, as getopt_long takes
 * them: one of that name, else the only one they begin; NULL when none or
 * several (*matches says how many begin so).
 */
static const struct option *long_option(const struct option *longopts, const char *name, size_t n, int *matches)
{
	const struct option *found = NULL;

	*matches = 0;
	for (const struct option *o = longopts; o->name; o++) {
		if (strncmp(o->name, name, n))
			continue;
		if (!o->name[n])
			return o;
		found = o;
		++*matches;
	}
	return *matches == 1 ? found : NULL;
}

int cli_getopt(int argc, char **argv, const char *optstring, const struct option *longopts)
{
	bool permute = *optstring != '+';
	const struct option *o;
	char opts[64];
	const char *arg;
	int c, matches;
	size_t n;

	/* A leading ':' (after run's '+') tells a missing argument (':') from an unknown option ('?'). */
	snprintf(opts, sizeof(opts), "%s:%s", permute ? "" : "+", optstring + !permute);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	/* A long option is the whole word just read, named in full as glibc does; a short one is optopt. */
	arg = argv[optind - 1];
	if (!strncmp(arg, "--", 2)) {
		n = strcspn(arg + 2, "=");
		o = long_option(longopts, arg + 2, n, &matches);
		if (o && c == ':') {
			fprintf(stderr, _("%s: option '--%s' requires an argument\n"), cli_prog, o->name);
		} else if (o) {
			fprintf(stderr, _("%s: option '--%s' doesn't allow an argument\n"), cli_prog, o->name);
		} else if (matches > 1) {
			fprintf(stderr, _("%s: option '--%.*s' is ambiguous; possibilities:"), cli_prog, (int)n, arg + 2);
			for (o = longopts; o->name; o++)
				if (!strncmp(o->name, arg + 2, n))
					fprintf(stderr, " '--%s'", o->name);
			fputc('\n', stderr);
		} else {
			fprintf(stderr, _("%s: unrecognized option '%s'\n"), cli_prog, arg);
		}
	} else if (c == ':') {
		fprintf(stderr, _("%s: option requires an argument -- '%c'\n"), cli_prog, optopt);
	} else {
		fprintf(stderr, _("%s: invalid option -- '%c'\n"), cli_prog, optopt);
	}
	return '?';
}

int main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;
	char *help_argv[] = { NULL, NULL, "--help", NULL };

	hold_std_fds();
	ipct_i18n_init();

	if (!verb) {
		usage_short(usage);
		return EXIT_USAGE;
	}
	/* `help VERB` is `VERB --help`. */
	if (!strcmp(verb, "help") && argc > 2) {
		help_argv[1] = argv[2];
		argv = help_argv;
		argc = 3;
		verb = argv[1];
	} else if (!strcmp(verb, "-h") || !strcmp(verb, "--help") || !strcmp(verb, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(verb, "-V") || !strcmp(verb, "--version")) {
		printf("ipctrace %s\n", IPCTRACE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (!strcmp(verb, verbs[i].name)) {
			char name[64];

			/* Usage errors then name the verb: "ipctrace run: ..." */
			snprintf(name, sizeof(name), "ipctrace %s", verb);
			argv[1] = name;
			cli_prog = name;
			return verbs[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, _("ipctrace: unknown verb '%s'\n"), verb);
	usage_short(usage);
	return EXIT_USAGE;
}
