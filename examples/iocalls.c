// SPDX-License-Identifier: MIT
// Example "vectored and zero-copy transfers": `iocalls [N]` writes N messages
// of three iovecs each with writev into a pipe and into a stream socketpair and
// reads them back with readv; then N times it maps two iovecs into a pipe with
// vmsplice, copies them into a second pipe with tee, moves them into the socket
// with splice, and sends a memfd's bytes into the pipe with sendfile, reading
// everything out again. One process, each pipe drained before it could fill:
// no call waits. It logs every call it makes with what it passed and got back
// (example.h's call log).

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 10000
#define FILE_BYTES 32		/* what sendfile sends from the memfd each round */
#define LOG_BYTES(n) (8192 + (size_t) (n) * 4096)

static struct calllog *calls;


/* An end's "end" member for the log: pipes have one, sockets none. */
static const char *end_of(int fd, bool wr)
{
	if (strncmp(object_of(fd), "pipe:", 5))
		return "";
	return wr ? ",\"end\":\"write\"" : ",\"end\":\"read\"";
}

static size_t iov_sum(const struct iovec *iov, int cnt)
{
	size_t sum = 0;

	for (int i = 0; i < cnt; i++)
		sum += iov[i].iov_len;
	return sum;
}

/* One readv or writev, which must move something. */
static size_t xvec(bool wr, int fd, const struct iovec *iov, int cnt)
{
	ssize_t r = wr ? writev(fd, iov, cnt) : readv(fd, iov, cnt);

	if (r <= 0)
		die(wr ? "writev" : "readv");
	calllog_add(calls, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\"%s,\"iovcnt\":%d,\"count\":%zu,"
		    "\"bytes\":%zd,\"ret\":%zd", wr ? "writev" : "readv", fd, object_of(fd), end_of(fd, wr),
		    cnt, iov_sum(iov, cnt), r, r);
	return (size_t) r;
}

/* N messages of three iovecs (sizes vary) written to wr, and read from rd with readv until all are in. */
static void vectors(int wr, int rd, int n)
{
	static char a[16], b[24], c[40], in1[7], in2[50], in3[100];
	struct iovec out[3] = { { a, 0 }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec in[3] = { { in1, sizeof(in1) }, { in2, sizeof(in2) }, { in3, sizeof(in3) } };
	size_t written = 0, read = 0;

	for (int i = 0; i < n; i++) {
		out[0].iov_len = (size_t) (i % (int) sizeof(a)) + 1;
		written += xvec(true, wr, out, 3);
	}
	while (read < written)
		read += xvec(false, rd, in, 3);
	if (read != written)
		fail("read %zu bytes, wrote %zu", read, written);
}

static size_t xvmsplice(int fd, const struct iovec *iov, int cnt)
{
	ssize_t r = vmsplice(fd, iov, (unsigned long) cnt, 0);

	if (r <= 0)
		die("vmsplice");
	calllog_add(calls, "\"type\":\"vmsplice\",\"fd\":%d,\"object\":\"%s\",\"end\":\"write\","
		    "\"bytes\":%zd,\"ret\":%zd", fd, object_of(fd), r, r);
	return (size_t) r;
}

/* splice(in, out) or tee(in, out): both name their descriptors fd_in and fd_out. */
static size_t xsplice(bool tee_, int in, int out, size_t len)
{
	ssize_t r = tee_ ? tee(in, out, len, 0) : splice(in, NULL, out, NULL, len, 0);

	if (r <= 0)
		die(tee_ ? "tee" : "splice");
	calllog_add(calls, "\"type\":\"%s\",\"fd_in\":%d,\"in_object\":\"%s\",\"fd_out\":%d,"
		    "\"out_object\":\"%s\",\"count\":%zu,\"bytes\":%zd,\"ret\":%zd", tee_ ? "tee" : "splice",
		    in, object_of(in), out, object_of(out), len, r, r);
	return (size_t) r;
}

/* sendfile from a memfd: a regular file, so the event names no in_object. */
static size_t xsendfile(int out, int file, size_t len)
{
	off_t off = 0;
	ssize_t r = sendfile(out, file, &off, len);

	if (r <= 0)
		die("sendfile");
	calllog_add(calls, "\"type\":\"sendfile\",\"fd_out\":%d,\"out_object\":\"%s\",\"fd_in\":%d,"
		    "\"count\":%zu,\"bytes\":%zd,\"ret\":%zd", out, object_of(out), file, len, r, r);
	return (size_t) r;
}

/* Reads exactly `len` bytes, all that fd holds. */
static void drain(int fd, size_t len)
{
	char buf[256];

	for (size_t got = 0; got < len; ) {
		ssize_t r = log_read(calls, fd, buf, sizeof(buf), 0);

		if (r == 0 || (size_t) r > len - got)
			fail("read %zd bytes with %zu of %zu left", r, len - got, len);
		got += (size_t) r;
	}
}

static void zero_copy(const int p[2], const int q[2], const int sv[2], int file, int n)
{
	static char x[5] = "abcde", y[11] = "fghijklmnop";
	const struct iovec iov[2] = { { x, sizeof(x) }, { y, sizeof(y) } };

	for (int i = 0; i < n; i++) {
		size_t len = xvmsplice(p[1], iov, 2);

		/* tee copies what p holds into q and leaves it there; splice then moves it out. */
		drain(q[0], xsplice(true, p[0], q[1], len));
		for (size_t moved = 0; moved < len; )
			moved += xsplice(false, p[0], sv[0], len - moved);
		drain(sv[1], len);
		drain(p[0], xsendfile(p[1], file, FILE_BYTES));
	}
}

int main(int argc, char **argv)
{
	char bytes[FILE_BYTES];
	int n, p[2], q[2], sv[2], file;
	FILE *f;

	ex_init("iocalls");
	n = count_arg(argc, argv, 3, MAX_COUNT);
	calls = calllog_new(LOG_BYTES(n));

	log_pipe(calls, p, 0);
	log_pipe(calls, q, 0);
	log_socketpair(calls, SOCK_STREAM, sv);
	/* A regular file: the tracer leaves its write out, and sendfile's input unnamed. */
	file = memfd_create("iocalls", MFD_CLOEXEC);
	if (file < 0)
		die("memfd_create");
	memset(bytes, 'z', sizeof(bytes));
	if (write(file, bytes, sizeof(bytes)) != (ssize_t) sizeof(bytes))
		die("write memfd");

	vectors(p[1], p[0], n);
	vectors(sv[0], sv[1], n);
	zero_copy(p, q, sv, file, n);

	f = report_open(stderr);
	fprintf(f, "{\"pid\":%d,\"n\":%d,\"pipe\":[%d,%d],\"tee_pipe\":[%d,%d],\"socketpair\":[%d,%d],"
		"\"memfd\":%d,\"calls\":", (int) getpid(), n, p[0], p[1], q[0], q[1], sv[0], sv[1], file);
	calllog_print(f, calls);
	fputs("}\n", f);
	report_close(f);
	return EXIT_SUCCESS;
}
