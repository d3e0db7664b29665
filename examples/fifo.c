// SPDX-License-Identifier: MIT
// Example "a named pipe": `fifo PATH writer N` opens an existing FIFO and writes N bytes in
// chunks of varying size; `fifo PATH reader N` opens it and reads until end of file (and fails
// unless that was N bytes). Run one of each; the FIFO is made beforehand (mkfifo).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define PROG "fifo"
#define MAX_COUNT 100000000

struct counts {
	int fd;
	unsigned long inode;
	long bytes;
	int calls;	/* successful read or write calls (for a reader, with the final EOF) */
	int eof_reads;
};

_Noreturn static void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s\n", PROG, what, strerror(err));
	exit(EXIT_FAILURE);
}

_Noreturn static void usage(void)
{
	fprintf(stderr, "usage: %s PATH writer|reader N\n", PROG);
	exit(EXIT_FAILURE);
}

static long parse_count(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > MAX_COUNT) {
		fprintf(stderr, "%s: invalid count '%s' (0..%d)\n", PROG, s, MAX_COUNT);
		exit(EXIT_FAILURE);
	}
	return v;
}

static int open_fifo(const char *path, int flags, struct counts *c)
{
	struct stat st;
	int fd = open(path, flags);

	if (fd < 0)
		die(path);
	if (fstat(fd, &st) < 0)
		die("fstat");
	if (!S_ISFIFO(st.st_mode)) {
		fprintf(stderr, "%s: %s is not a FIFO\n", PROG, path);
		exit(EXIT_FAILURE);
	}
	c->fd = fd;
	c->inode = (unsigned long) st.st_ino;
	return fd;
}

static void run_writer(const char *path, long n, struct counts *c)
{
	static char buf[4000];
	int fd = open_fifo(path, O_WRONLY, c);
	long left = n;

	for (int i = 0; left > 0; i++) {
		size_t len = (size_t) (1 + (i * 131) % (int) sizeof(buf)), done = 0;

		if ((long) len > left)
			len = (size_t) left;
		memset(buf, 'a' + i % 26, len);
		while (done < len) {
			ssize_t r = write(fd, buf + done, len - done);

			if (r < 0) {
				if (errno == EINTR)
					continue;
				die("write");
			}
			c->calls++;
			c->bytes += r;
			done += (size_t) r;
		}
		left -= (long) len;
	}
	if (close(fd) < 0)
		die("close");
}

static void run_reader(const char *path, struct counts *c)
{
	char buf[4096];
	int fd = open_fifo(path, O_RDONLY, c);

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		c->calls++;
		if (r == 0) {
			c->eof_reads++;
			break;
		}
		c->bytes += r;
	}
	if (close(fd) < 0)
		die("close");
}

static void write_report(const char *role, const struct counts *c)
{
	const char *path = getenv("IPCTRACE_REPORT");
	FILE *f;

	if (!path || !*path) {
		fprintf(stderr, "%s: %s %d: fd %d, pipe:[%lu], %ld bytes in %d calls\n",
			PROG, role, (int) getpid(), c->fd, c->inode, c->bytes, c->calls);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		die("open IPCTRACE_REPORT");
	fprintf(f, "{\"role\":\"%s\",\"pid\":%d,\"fd\":%d,\"inode\":%lu,\"bytes\":%ld,"
		"\"calls\":%d,\"eof_reads\":%d}\n",
		role, (int) getpid(), c->fd, c->inode, c->bytes, c->calls, c->eof_reads);
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

int main(int argc, char **argv)
{
	struct counts c = { .fd = -1 };
	long n;

	if (argc != 4)
		usage();
	n = parse_count(argv[3]);
	if (strcmp(argv[2], "writer") == 0)
		run_writer(argv[1], n, &c);
	else if (strcmp(argv[2], "reader") == 0)
		run_reader(argv[1], &c);
	else
		usage();
	write_report(argv[2], &c);
	if (c.bytes != n) {
		fprintf(stderr, "%s: %s moved %ld bytes, not %ld\n", PROG, argv[2], c.bytes, n);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
