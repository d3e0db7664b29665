// SPDX-License-Identifier: MIT
// Example "a parent/child pipe": the child writes N messages, the parent reads them to EOF.

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "pipe"
#define MAX_COUNT 1000000

/* Lives in MAP_SHARED memory; the child fills the write side, the parent the read side. */
struct counts {
	int writes;
	int bytes_written;
	int reads;
	int bytes_read;
};

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

_Noreturn static void run_child(int fd, int n, struct counts *c)
{
	char buf[97];

	for (int i = 0; i < n; i++) {
		size_t len = (size_t) (i % 97) + 1, done = 0;

		memset(buf, 'a' + i % 26, len);
		while (done < len) {
			ssize_t r = write(fd, buf + done, len - done);

			c->writes++;
			if (r < 0) {
				if (errno == EINTR)
					continue;
				die("write");
			}
			c->bytes_written += (int) r;
			done += (size_t) r;
		}
	}
	if (close(fd) < 0)
		die("close write end");
	_exit(EXIT_SUCCESS);
}

static void run_parent(int fd, struct counts *c)
{
	char buf[4096];

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		c->reads++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (r == 0)
			break;
		c->bytes_read += (int) r;
	}
	if (close(fd) < 0)
		die("close read end");
}

static void write_report(pid_t parent, pid_t child, const struct counts *c, int rfd, int wfd)
{
	const char *path = getenv("IPCTRACE_REPORT");
	FILE *f;

	if (!path || !*path) {
		fprintf(stderr, "%s: child %d wrote %d bytes in %d writes, "
			"parent %d read %d bytes in %d reads\n",
			PROG, (int) child, c->bytes_written, c->writes,
			(int) parent, c->bytes_read, c->reads);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		die("open IPCTRACE_REPORT");
	fprintf(f, "{\"parent_pid\":%d,\"child_pid\":%d,\"writes\":%d,\"bytes_written\":%d,"
		"\"reads\":%d,\"bytes_read\":%d,\"read_fd\":%d,\"write_fd\":%d}\n",
		(int) parent, (int) child, c->writes, c->bytes_written,
		c->reads, c->bytes_read, rfd, wfd);
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

int main(int argc, char **argv)
{
	int n = parse_count(argc, argv, 100);
	struct counts *c;
	int fds[2], status;
	pid_t child;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		die("mmap");

	if (pipe(fds) < 0)
		die("pipe");

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (close(fds[0]) < 0)
			die("close read end");
		run_child(fds[1], n, c);
	}

	if (close(fds[1]) < 0)
		die("close write end");
	run_parent(fds[0], c);

	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: child %d failed (status 0x%x)\n", PROG, (int) child, status);
		return EXIT_FAILURE;
	}

	write_report(getpid(), child, c, fds[0], fds[1]);
	if (c->bytes_read != c->bytes_written) {
		fprintf(stderr, "%s: read %d bytes but %d were written\n",
			PROG, c->bytes_read, c->bytes_written);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
