// SPDX-License-Identifier: MIT
// The README demo: a parent and a child talk over a pipe and with signals.

#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

/* Shared with the child (MAP_SHARED), so counting needs no extra syscalls. */
struct counts {
	struct traffic written;		/* child */
	struct traffic read;		/* parent */
	int handled;			/* child's SIGUSR1 handler runs */
};

static volatile sig_atomic_t got_usr1;

void on_sigusr1(int sig);

void on_sigusr1(int sig)
{
	(void) sig;
	got_usr1++;
}

/* One write() and one read() each (and again after EINTR): the messages are short. */
static void say(int fd, const char *msg, struct counts *c)
{
	write_some(fd, msg, strlen(msg), &c->written);
}

static size_t hear(int fd, char *buf, size_t size, struct counts *c)
{
	size_t n = read_some(fd, buf, size - 1, &c->read);

	buf[n] = '\0';
	return n;
}

_Noreturn static void child(int fd, struct counts *c)
{
	struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = SA_RESTART };
	sigset_t block, old;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	/* Block SIGUSR1 before saying hello, so it cannot arrive before sigsuspend. */
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigprocmask(SIG_BLOCK, &block, &old) < 0)
		die("child: signal setup");
	sigdelset(&old, SIGUSR1);

	say(fd, "hello\n", c);
	while (!got_usr1)
		sigsuspend(&old);
	c->handled = got_usr1;
	note("child %d got SIGUSR1, saying bye", (int) getpid());
	say(fd, "bye\n", c);
	_exit(EXIT_SUCCESS);
}

int main(void)
{
	struct counts *c;
	int fds[2], status;
	char buf[64];
	pid_t pid;

	ex_init("demo");
	c = shared_alloc(sizeof(*c));
	if (pipe(fds) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (close(fds[0]) < 0)
			die("close");
		child(fds[1], c);
	}
	note("parent %d forked child %d", (int) getpid(), (int) pid);
	if (close(fds[1]) < 0)
		die("close");

	hear(fds[0], buf, sizeof(buf), c);
	note("parent read \"%.*s\", sending SIGUSR1 to %d",
	     (int) strcspn(buf, "\n"), buf, (int) pid);
	if (kill(pid, SIGUSR1) < 0)
		die("kill");
	while (hear(fds[0], buf, sizeof(buf), c) > 0)
		note("parent read \"%.*s\"", (int) strcspn(buf, "\n"), buf);
	if (close(fds[0]) < 0)
		die("close");
	status = wait_child(pid);
	note("child %d exited with %d", (int) pid, WEXITSTATUS(status));

	note("parent sends itself SIGUSR2, which it ignores");
	if (signal(SIGUSR2, SIG_IGN) == SIG_ERR || kill(getpid(), SIGUSR2) < 0)
		die("SIGUSR2");

	report("{\"parent_pid\":%d,\"child_pid\":%d,\"read_fd\":%d,\"write_fd\":%d,"
	       "\"writes\":%d,\"bytes_written\":%ld,\"reads\":%d,\"bytes_read\":%ld,"
	       "\"kill\":{\"SIGUSR1\":1,\"SIGUSR2\":1},\"handled\":{\"SIGUSR1\":%d},"
	       "\"ignored\":[\"SIGUSR2\"],\"child_exit\":%d}",
	       (int) getpid(), (int) pid, fds[0], fds[1], c->written.calls, c->written.bytes,
	       c->read.calls, c->read.bytes, c->handled, WEXITSTATUS(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
