// SPDX-License-Identifier: MIT
// Example "which handler": installs HANDLER (a name given when building) for
// SIGUSR1 and sends itself the signal N times. Built twice, as
// handlername_alpha and handlername_bravo, with names of the same length:
// the two programs are laid out alike, so each has its handler at the same
// address, under another name; a rebuild of one as the other changes the
// name at that address and nothing else. It reports the name and the
// handler's offset from the start of its executable.

#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "example.h"

#define STR(x) #x
#define NAME(x) STR(x)

#define MAX_COUNT 1000

static volatile sig_atomic_t handled;

/* Where the linker put the first byte of the executable. */
extern const char __executable_start[];

/* Not static, so that the symbol names it. */
void HANDLER(int sig);

void HANDLER(int sig)
{
	(void) sig;
	handled++;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = HANDLER };
	pid_t self = getpid();
	int n;

	ex_init(NAME(HANDLER));
	n = count_arg(argc, argv, 3, MAX_COUNT);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction SIGUSR1");
	for (int i = 0; i < n; i++)
		if (kill(self, SIGUSR1) < 0)
			die("kill");
	if (handled != n)
		fail("handler ran %d times, expected %d", (int) handled, n);
	report("{\"pid\":%d,\"handler\":\"%s\",\"handler_offset\":%lu,\"handled\":%d}", (int) self,
	       NAME(HANDLER), (unsigned long) ((uintptr_t) HANDLER - (uintptr_t) __executable_start),
	       (int) handled);
	return EXIT_SUCCESS;
}
