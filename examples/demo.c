// SPDX-License-Identifier: MIT
// The README demo: a parent and a child talk over a pipe and with signals.

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Shared with the child (MAP_SHARED), so counting needs no extra syscalls. */
struct counts {
	int writes, bytes_written;	/* child */
	int reads, bytes_read;		/* parent */
	int handled;			/* child's SIGUSR1 handler runs */
};

static volatile sig_atomic_t got_usr1;

void on_sigusr1(int sig);

void on_sigusr1(int sig)
{
	(void) sig;
	got_usr1++;
}

_Noreturn static void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "demo: %s: %s\n", what, strerror(err));
	exit(EXIT_FAILURE);
}

static void say(int fd, const char *msg, struct counts *c)
{
	ssize_t n;

	do {
		n = write(fd, msg, strlen(msg));
		c->writes++;
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die("write");
	c->bytes_written += (int) n;
}

static ssize_t hear(int fd, char *buf, size_t size, struct counts *c)
{
	ssize_t n;

	do {
		n = read(fd, buf, size - 1);
		c->reads++;
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die("read");
	c->bytes_read += (int) n;
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
	fprintf(stderr, "demo: child %d got SIGUSR1, saying bye\n", (int) getpid());
	say(fd, "bye\n", c);
	_exit(EXIT_SUCCESS);
}

int main(void)
{
	struct counts *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const char *report = getenv("IPCTRACE_REPORT");
	int fds[2], status;
	char buf[64];
	pid_t pid;

	if (c == MAP_FAILED)
		die("mmap");
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
	fprintf(stderr, "demo: parent %d forked child %d\n", (int) getpid(), (int) pid);
	if (close(fds[1]) < 0)
		die("close");

	hear(fds[0], buf, sizeof(buf), c);
	fprintf(stderr, "demo: parent read \"%.*s\", sending SIGUSR1 to %d\n",
		(int) strcspn(buf, "\n"), buf, (int) pid);
	if (kill(pid, SIGUSR1) < 0)
		die("kill");
	while (hear(fds[0], buf, sizeof(buf), c) > 0)
		fprintf(stderr, "demo: parent read \"%.*s\"\n", (int) strcspn(buf, "\n"), buf);
	if (close(fds[0]) < 0)
		die("close");
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	fprintf(stderr, "demo: child %d exited with %d\n", (int) pid, WEXITSTATUS(status));

	fprintf(stderr, "demo: parent sends itself SIGUSR2, which it ignores\n");
	if (signal(SIGUSR2, SIG_IGN) == SIG_ERR || kill(getpid(), SIGUSR2) < 0)
		die("SIGUSR2");

	if (report && *report) {
		FILE *f = fopen(report, "w");

		if (!f)
			die("open IPCTRACE_REPORT");
		fprintf(f, "{\"parent_pid\":%d,\"child_pid\":%d,\"read_fd\":%d,\"write_fd\":%d,"
			"\"writes\":%d,\"bytes_written\":%d,\"reads\":%d,\"bytes_read\":%d,"
			"\"kill\":{\"SIGUSR1\":1,\"SIGUSR2\":1},\"handled\":{\"SIGUSR1\":%d},"
			"\"ignored\":[\"SIGUSR2\"],\"child_exit\":%d}\n",
			(int) getpid(), (int) pid, fds[0], fds[1], c->writes, c->bytes_written,
			c->reads, c->bytes_read, c->handled, WEXITSTATUS(status));
		if (ferror(f) | fclose(f))
			die("write IPCTRACE_REPORT");
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
