// SPDX-License-Identifier: MIT
// Names itself (prctl PR_SET_NAME) with bytes a terminal or a JSON parser
// would trip on, then writes to a pipe and signals itself, so that its name
// shows in event lines, lifecycle records and pipe tables. Reports the name
// it set (as hex) and what it did.
//
//   oddname esc     "e\033[2Jx": an escape sequence that clears the screen
//   oddname latin1  "caf\xe9": a byte that is not UTF-8
//   oddname bidi    "a\u202eb": a right-to-left override
//   oddname wide    "\u540d\u524dx": two double-width characters

#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "example.h"

#define PROG "oddname"

static const struct {
	const char *arg, *name;
} names[] = {
	{ "esc", "e\033[2Jx" },
	{ "latin1", "caf\xe9" },
	{ "bidi", "a\xe2\x80\xae" "b" },
	{ "wide", "\xe5\x90\x8d\xe5\x89\x8dx" },
};

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	struct sigaction sa = { .sa_handler = on_usr1 };
	char hex[64] = "";
	int fds[2];

	ex_init(PROG);
	for (size_t i = 0; argc == 2 && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(argv[1], names[i].arg))
			name = names[i].name;
	if (!name)
		usage("esc|latin1|bidi|wide");
	if (prctl(PR_SET_NAME, name) < 0)
		die("prctl");
	for (size_t i = 0; name[i]; i++)
		snprintf(hex + 2 * i, sizeof(hex) - 2 * i, "%02x", (unsigned char)name[i]);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction");
	if (pipe(fds) < 0)
		die("pipe");
	if (write(fds[1], "x", 1) != 1)
		die("write");
	if (kill(getpid(), SIGUSR1) < 0)
		die("kill");
	report("{\"pid\":%d,\"comm_hex\":\"%s\",\"writes\":1,\"kills\":1,\"handled\":%d}", (int)getpid(), hex,
	       (int)handled);
	return 0;
}
