// SPDX-License-Identifier: MIT
// Says "ready" and then waits for a signal. Plain, it sleeps in pause()
// until a signal (e.g. SIGTERM) ends it. With --handle, SIGUSR1 runs a
// handler; then the program reports how many times it ran, says "handled",
// and exits at the end of its standard input.

#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "example.h"

static volatile sig_atomic_t handled;

/* Not static, so that the symbol shows up in tracer output. */
void on_usr1(int sig);

void on_usr1(int sig)
{
	(void) sig;
	handled++;
}

int main(int argc, char **argv)
{
	static const char ready[] = "ready\n";
	bool handle = argc == 2 && !strcmp(argv[1], "--handle");
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, wait_mask;
	int pid = (int) getpid();

	ex_init("waitsig");
	if (argc != 1 && !handle)
		usage("[--handle]");

	if (handle) {
		/* SIGUSR1 stays blocked until sigsuspend() waits for it: none can come before. */
		sigemptyset(&sa.sa_mask);
		sigemptyset(&block);
		sigaddset(&block, SIGUSR1);
		if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigprocmask(SIG_BLOCK, &block, &wait_mask) < 0)
			die("sigaction");
		sigdelset(&wait_mask, SIGUSR1);
	} else if (!report("{\"pid\":%d}", pid)) {
		/* Written before "ready", since this program never reaches an end of its own. */
		note("pid %d waiting for a signal", pid);
	}

	write_some(STDOUT_FILENO, ready, sizeof(ready) - 1, NULL);

	if (handle) {
		char buf[64];

		while (!handled)
			sigsuspend(&wait_mask);
		if (!report("{\"pid\":%d,\"handled\":%d}", pid, (int) handled))
			note("SIGUSR1 handled %d time(s)", (int) handled);
		write_some(STDOUT_FILENO, "handled\n", 8, NULL);
		while (read_some(STDIN_FILENO, buf, sizeof(buf), NULL) > 0)
			;
		return EXIT_SUCCESS;
	}
	/* No handlers are installed, so pause() only ends when a signal kills us. */
	for (;;)
		pause();
}
