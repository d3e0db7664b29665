// SPDX-License-Identifier: MIT
// Example "fork storm": N children each signal the parent once and write 16 bytes to one pipe.

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "forkstorm"
#define MAX_COUNT 10000
#define MSG_LEN 16
#define SIGNAL_WAIT_SECONDS 30

/* One slot per child in MAP_SHARED memory; only that child writes it (pid aside). */
struct slot {
	int pid;		/* written by the parent from fork()'s return */
	int signalled;		/* set by the child once its kill() has returned */
	int kills;
	int writes;
	int bytes_written;
};

struct shared {
	int reads;		/* parent only */
	int bytes_read;
	struct slot child[];
};

static volatile sig_atomic_t handled;

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

_Noreturn static void run_child(struct slot *s, int rfd, int wfd)
{
	char msg[MSG_LEN + 1];
	size_t done = 0;
	int r;

	if (close(rfd) < 0)
		die("close read end");

	r = kill(getppid(), SIGUSR1);
	s->kills++;
	__atomic_store_n(&s->signalled, 1, __ATOMIC_RELEASE);
	if (r < 0)
		die("kill");

	/* Our pid, left-aligned and padded to exactly 16 bytes including the newline. */
	snprintf(msg, sizeof(msg), "%-*d\n", MSG_LEN - 1, (int) getpid());
	while (done < MSG_LEN) {
		ssize_t n = write(wfd, msg + done, MSG_LEN - done);

		s->writes++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		s->bytes_written += (int) n;
		done += (size_t) n;
	}
	_exit(EXIT_SUCCESS);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*
 * Wait (without any traced syscall) until every child's kill() has returned.
 * A SIGUSR1 that is still pending then is delivered when the next syscall
 * returns, so no read() below is ever interrupted and restarted behind our
 * back by SA_RESTART: the read count stays exactly what a tracer sees.
 */
static void wait_for_signals(struct shared *sh, int n)
{
	double deadline = now() + SIGNAL_WAIT_SECONDS;

	for (int i = 0; i < n; i++)
		while (!__atomic_load_n(&sh->child[i].signalled, __ATOMIC_ACQUIRE)) {
			if (now() > deadline) {
				fprintf(stderr, "%s: child %d never signalled\n", PROG, sh->child[i].pid);
				exit(EXIT_FAILURE);
			}
			sched_yield();
		}
}

static void write_report(pid_t parent, const struct shared *sh, int n)
{
	const char *path = getenv("IPCTRACE_REPORT");
	FILE *f;

	if (!path || !*path) {
		fprintf(stderr, "%s: parent %d forked %d children, handler ran %d times, "
			"read %d bytes in %d reads\n",
			PROG, (int) parent, n, (int) handled, sh->bytes_read, sh->reads);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		die("open IPCTRACE_REPORT");
	fprintf(f, "{\"parent_pid\":%d,\"children\":[", (int) parent);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? "," : "", sh->child[i].pid);
	fprintf(f, "],\"kill_per_child\":1,\"write_bytes_per_child\":%d,"
		"\"handled\":%d,\"reads\":%d,\"bytes_read\":%d}\n",
		MSG_LEN, (int) handled, sh->reads, sh->bytes_read);
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

int main(int argc, char **argv)
{
	int n = parse_count(argc, argv, 50);
	struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = SA_RESTART };
	size_t size = sizeof(struct shared) + (size_t) n * sizeof(struct slot);
	struct shared *sh;
	sigset_t set;
	int fds[2];
	char buf[4096];

	sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction SIGUSR1");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		die("sigprocmask");

	if (pipe(fds) < 0)
		die("pipe");

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0)
			run_child(&sh->child[i], fds[0], fds[1]);
		sh->child[i].pid = (int) pid;
	}

	wait_for_signals(sh, n);

	if (close(fds[1]) < 0)
		die("close write end");
	for (;;) {
		ssize_t r = read(fds[0], buf, sizeof(buf));

		sh->reads++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (r == 0)
			break;
		sh->bytes_read += (int) r;
	}
	if (close(fds[0]) < 0)
		die("close read end");

	for (int i = 0; i < n; i++) {
		const struct slot *s = &sh->child[i];
		int status;

		if (waitpid(s->pid, &status, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "%s: child %d failed (status 0x%x)\n", PROG, s->pid, status);
			return EXIT_FAILURE;
		}
		if (s->kills != 1 || s->bytes_written != MSG_LEN) {
			fprintf(stderr, "%s: child %d made %d kills and wrote %d bytes\n",
				PROG, s->pid, s->kills, s->bytes_written);
			return EXIT_FAILURE;
		}
	}

	write_report(getpid(), sh, n);
	if (sh->bytes_read != n * MSG_LEN) {
		fprintf(stderr, "%s: read %d bytes, expected %d\n", PROG, sh->bytes_read, n * MSG_LEN);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
