// SPDX-License-Identifier: MIT
// Example "descriptor calls on pipes and a FIFO": `fdcalls [N]` makes two pipes
// (pipe, and pipe2 with O_CLOEXEC) and N times copies one end with dup, puts the
// other pipe's end in its place with dup2, the first pipe's again with dup3
// (O_CLOEXEC), copies it with fcntl F_DUPFD and F_DUPFD_CLOEXEC, reads and sets
// the copies' flags (F_GETFD, F_SETFD, F_GETFL) and closes them. Then it makes
// a read end non-blocking (F_SETFL) and reads it empty (EAGAIN), and opens a
// FIFO twice (open, openat) to pass a few bytes. It logs every call it makes
// with what it passed and got back (example.h's call log).
//
// pipe() and open() are made raw: the C library makes them pipe2 and openat.

#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 10000
#define DUPFD_MIN 50		/* F_DUPFD's lowest descriptor */
#define DUPFD_CLOEXEC_MIN 60	/* F_DUPFD_CLOEXEC's */
#define LOG_BYTES(n) (8192 + (size_t) (n) * 4096)

static struct calllog *calls;


static int xdup(int fd)
{
	int r = dup(fd);

	if (r < 0)
		die("dup");
	calllog_add(calls, "\"type\":\"dup\",\"fd\":%d,\"object\":\"%s\",\"newfd\":%d,\"ret\":%d",
		    fd, object_of(fd), r, r);
	return r;
}

/* dup2, or dup3 with O_CLOEXEC, over newfd: an open end of another pipe, which it closes. */
static void xdup_over(int fd, int newfd, bool cloexec)
{
	const char *closed = object_of(newfd);
	int r = cloexec ? dup3(fd, newfd, O_CLOEXEC) : dup2(fd, newfd);

	if (r < 0)
		die(cloexec ? "dup3" : "dup2");
	calllog_add(calls, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\",\"newfd\":%d,"
		    "\"closed_object\":\"%s\"%s%s,\"ret\":%d", cloexec ? "dup3" : "dup2", fd, object_of(fd),
		    newfd, closed, cloexec ? ",\"flags\":" : "", cloexec ? flags_json(O_CLOEXEC) : "", r);
}

/* fcntl(fd, cmd, arg); the commands that make a descriptor report it as newfd. */
static int xfcntl(int fd, int cmd, int arg, bool has_arg)
{
	int r = has_arg ? fcntl(fd, cmd, arg) : fcntl(fd, cmd);
	char argj[32] = "", newfd[32] = "";

	if (r < 0)
		die("fcntl");
	if (has_arg)
		snprintf(argj, sizeof(argj), ",\"arg\":%d", arg);
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		snprintf(newfd, sizeof(newfd), ",\"newfd\":%d", r);
	calllog_add(calls, "\"type\":\"fcntl\",\"fd\":%d,\"object\":\"%s\",\"cmd\":%d%s%s,\"ret\":%d",
		    fd, object_of(fd), cmd, argj, newfd, r);
	return r;
}

/* open() (raw) or openat() of a FIFO, with flags; `end` is the end it opens. */
static int open_fifo(bool at, const char *path, int flags, const char *end)
{
#ifdef SYS_open
	const char *call = at ? "openat" : "open";
	long r = at ? openat(AT_FDCWD, path, flags) : syscall(SYS_open, path, flags);
#else
	const char *call = "openat";
	long r = openat(AT_FDCWD, path, flags);
#endif

	if (r < 0)
		die(call);
	calllog_add(calls, "\"type\":\"%s\",\"fd\":%ld,\"object\":\"%s\",\"kind\":\"fifo\","
		    "\"end\":\"%s\",\"flags\":%s,\"ret\":%ld", call, r,
		    object_of((int) r), end, flags_json(flags), r);
	return (int) r;
}

/* One round: a copy of p[0] becomes q[1], then p[1], then is copied twice more. */
static void round_of_copies(const int p[2], const int q[2])
{
	int d = xdup(p[0]), e, f;

	xdup_over(q[1], d, false);
	xdup_over(p[1], d, true);
	e = xfcntl(d, F_DUPFD, DUPFD_MIN, true);
	f = xfcntl(d, F_DUPFD_CLOEXEC, DUPFD_CLOEXEC_MIN, true);
	if (xfcntl(f, F_GETFD, 0, false) != FD_CLOEXEC)
		fail("F_DUPFD_CLOEXEC made a descriptor without FD_CLOEXEC");
	xfcntl(e, F_SETFD, FD_CLOEXEC, true);
	if ((xfcntl(e, F_GETFL, 0, false) & O_ACCMODE) != O_WRONLY)
		fail("a copy of a write end is not O_WRONLY");
	log_close(calls, d);
	log_close(calls, e);
	log_close(calls, f);
}

/* Through a FIFO: its read end opened O_RDWR, so that the write end's open does not wait. */
static void through_fifo(const char *path)
{
	char buf[16];
	int rd, wr;

	rd = open_fifo(false, path, O_RDWR | O_NONBLOCK, "read_write");
	wr = open_fifo(true, path, O_WRONLY | O_CLOEXEC, "write");
	if (log_write(calls, wr, "fifo", 4, 0) != 4)
		fail("short write to the FIFO");
	if (log_read(calls, rd, buf, sizeof(buf), O_NONBLOCK) != 4)
		fail("short read from the FIFO");
	log_close(calls, wr);
	log_close(calls, rd);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/ipctrace-fdcalls-XXXXXX", path[PATH_MAX], buf[16];
	int n, p[2], q[2];
	FILE *f;

	ex_init("fdcalls");
	n = count_arg(argc, argv, 3, MAX_COUNT);
	calls = calllog_new(LOG_BYTES(n));

	log_pipe(calls, p, 0);
	log_pipe(calls, q, O_CLOEXEC);
	for (int i = 0; i < n; i++)
		round_of_copies(p, q);

	xfcntl(p[0], F_SETFL, O_NONBLOCK, true);
	if (log_read(calls, p[0], buf, sizeof(buf), O_NONBLOCK) >= 0)
		fail("a read of an empty non-blocking pipe did not fail");
	log_write(calls, p[1], "abc", 3, 0);
	if (log_read(calls, p[0], buf, sizeof(buf), O_NONBLOCK) != 3)
		fail("short read");

	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) < 0)
		die("mkfifo");
	through_fifo(path);
	if (unlink(path) < 0 || rmdir(dir) < 0)
		die("remove the FIFO");

	for (int i = 0; i < 2; i++) {
		log_close(calls, p[i]);
		log_close(calls, q[i]);
	}

	f = report_open(stderr);
	fprintf(f, "{\"pid\":%d,\"n\":%d,\"pipe\":[%d,%d],\"pipe2\":[%d,%d],\"fifo\":\"%s\",\"calls\":",
		(int) getpid(), n, p[0], p[1], q[0], q[1], path);
	calllog_print(f, calls);
	fputs("}\n", f);
	report_close(f);
	return EXIT_SUCCESS;
}
