// SPDX-License-Identifier: MIT
// Example "a named pipe": `fifo PATH writer N` opens an existing FIFO and writes N bytes in
// chunks of varying size; `fifo PATH reader N` opens it and reads until end of file (and fails
// unless that was N bytes). Run one of each; the FIFO is made beforehand (mkfifo).

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 100000000

struct counts {
	int fd;
	int open_flags;		/* what open() was given */
	unsigned long inode;
	struct traffic io;	/* read or write calls (for a reader, with the final EOF) */
	int eof_reads;
};

static int open_fifo(const char *path, int flags, struct counts *c)
{
	struct stat st;
	int fd = open(path, flags);

	if (fd < 0)
		die(path);
	if (fstat(fd, &st) < 0)
		die("fstat");
	if (!S_ISFIFO(st.st_mode))
		fail("%s is not a FIFO", path);
	c->fd = fd;
	c->open_flags = flags;
	c->inode = (unsigned long) st.st_ino;
	return fd;
}

static void run_writer(const char *path, long n, struct counts *c)
{
	static char buf[4000];
	int fd = open_fifo(path, O_WRONLY, c);
	long left = n;

	for (int i = 0; left > 0; i++) {
		size_t len = (size_t) (1 + (i * 131) % (int) sizeof(buf));

		if ((long) len > left)
			len = (size_t) left;
		memset(buf, 'a' + i % 26, len);
		write_all(fd, buf, len, &c->io);
		left -= (long) len;
	}
	if (close(fd) < 0)
		die("close");
}

static void run_reader(const char *path, struct counts *c)
{
	int fd = open_fifo(path, O_RDONLY, c);

	read_to_eof(fd, &c->io);
	c->eof_reads = 1;
	if (close(fd) < 0)
		die("close");
}

static void write_report(const char *role, const struct counts *c)
{
	if (!report("{\"role\":\"%s\",\"pid\":%d,\"fd\":%d,\"inode\":%lu,\"bytes\":%ld,"
		    "\"calls\":%d,\"eof_reads\":%d,\"open_flags\":%d}",
		    role, (int) getpid(), c->fd, c->inode, c->io.bytes, c->io.calls, c->eof_reads, c->open_flags))
		note("%s %d: fd %d, pipe:[%lu], %ld bytes in %d calls",
		     role, (int) getpid(), c->fd, c->inode, c->io.bytes, c->io.calls);
}

int main(int argc, char **argv)
{
	struct counts c = { .fd = -1 };
	long n;

	ex_init("fifo");
	if (argc != 4)
		usage("PATH writer|reader N");
	n = parse_count(argv[3], 0, MAX_COUNT);
	if (strcmp(argv[2], "writer") == 0)
		run_writer(argv[1], n, &c);
	else if (strcmp(argv[2], "reader") == 0)
		run_reader(argv[1], &c);
	else
		usage("PATH writer|reader N");
	write_report(argv[2], &c);
	if (c.io.bytes != n)
		fail("%s moved %ld bytes, not %ld", argv[2], c.io.bytes, n);
	return EXIT_SUCCESS;
}
