// SPDX-License-Identifier: MIT
// Example "a reader that never sees EOF": the child reads a pipe until end of file but forgot
// to close its own copy of the write end, so end of file never comes. HANGS BY DESIGN: the
// child blocks in read forever and the parent waits for it; kill both (the report has the pids).

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "noeof"

/* In MAP_SHARED memory: the parent's counts, and `go`, which releases the child. */
struct shared {
	int go;
	int writes;
	int bytes_written;
};

static const char *const messages[] = { "ping\n", "hello, pipe\n", "you will not see EOF\n" };

_Noreturn static void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s\n", PROG, what, strerror(err));
	exit(EXIT_FAILURE);
}

/*
 * A futex on shared memory: no pipe, socket or signal, so the handshake adds
 * nothing to the trace. Waits until *addr is nonzero.
 */
static void wait_nonzero(int *addr)
{
	while (!__atomic_load_n(addr, __ATOMIC_ACQUIRE))
		if (syscall(SYS_futex, addr, FUTEX_WAIT, 0, NULL, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			die("futex wait");
}

static void set_and_wake(int *addr)
{
	__atomic_store_n(addr, 1, __ATOMIC_RELEASE);
	if (syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0) < 0)
		die("futex wake");
}

static void write_report(pid_t parent, pid_t child, ino_t inode, int rfd, int wfd,
			 const struct shared *sh)
{
	const char *path = getenv("IPCTRACE_REPORT");
	FILE *f;

	if (!path || !*path) {
		fprintf(stderr, "%s: parent %d wrote %d bytes in %d writes to pipe:[%lu] and closed "
			"its write end; child %d reads fd %d and still holds the write end as fd %d\n",
			PROG, (int) parent, sh->bytes_written, sh->writes, (unsigned long) inode,
			(int) child, rfd, wfd);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		die("open IPCTRACE_REPORT");
	fprintf(f, "{\"parent_pid\":%d,\"child_pid\":%d,\"inode\":%lu,\"read_fd\":%d,"
		"\"leaked_write_fd\":%d,\"parent_write_fd\":%d,\"writes\":%d,\"bytes_written\":%d}\n",
		(int) parent, (int) child, (unsigned long) inode, rfd, wfd, wfd,
		sh->writes, sh->bytes_written);
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

/*
 * The bug: fds[1] is still open here. Once the parent's bytes are read, read
 * blocks for good, since this very process could still write to the pipe.
 * The report is written first: everything it says is settled by then (the
 * parent has written and closed its write end).
 */
_Noreturn static void run_child(pid_t parent, const int fds[2], ino_t inode, struct shared *sh)
{
	char buf[4096];

	/* Here belongs close(fds[1]), which this child forgets. */
	wait_nonzero(&sh->go);
	write_report(parent, getpid(), inode, fds[0], fds[1], sh);
	for (;;) {
		ssize_t r = read(fds[0], buf, sizeof(buf));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (r == 0)
			break;
	}
	fprintf(stderr, "%s: the child saw end of file, which cannot happen\n", PROG);
	_exit(EXIT_FAILURE);
}

int main(int argc, char **argv)
{
	struct shared *sh;
	struct stat st;
	pid_t parent = getpid(), child;
	int fds[2], status;

	(void) argv;
	if (argc != 1) {
		fprintf(stderr, "usage: %s (hangs forever by design)\n", PROG);
		return EXIT_FAILURE;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	if (pipe(fds) < 0)
		die("pipe");
	if (fstat(fds[0], &st) < 0)
		die("fstat");

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		run_child(parent, fds, st.st_ino, sh);

	if (close(fds[0]) < 0)
		die("close read end");
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++) {
		size_t len = strlen(messages[i]), done = 0;

		while (done < len) {
			ssize_t r = write(fds[1], messages[i] + done, len - done);

			if (r < 0) {
				if (errno == EINTR)
					continue;
				die("write");
			}
			sh->writes++;
			sh->bytes_written += (int) r;
			done += (size_t) r;
		}
	}
	if (close(fds[1]) < 0)
		die("close write end");
	set_and_wake(&sh->go);

	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	fprintf(stderr, "%s: child %d ended (status 0x%x)\n", PROG, (int) child, status);
	return EXIT_FAILURE;
}
