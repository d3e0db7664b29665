// SPDX-License-Identifier: MIT
// Example "descriptor calls on pipes and a FIFO": `fdcalls [N]` makes two pipes
// (pipe, and pipe2 with O_CLOEXEC) and N times copies one end with dup, puts the
// other pipe's end in its place with dup2, the first pipe's again with dup3
// (O_CLOEXEC), copies it with fcntl F_DUPFD and F_DUPFD_CLOEXEC, reads and sets
// the copies' flags (F_GETFD, F_SETFD, F_GETFL) and closes them. Then it makes
// a read end non-blocking (F_SETFL) and reads it empty (EAGAIN), and opens a
// FIFO twice (open, openat) to pass a few bytes. Then, N times, it makes a
// pipe, sets and clears its ends' close-on-exec flags with ioctl FIOCLEX and
// FIONCLEX, takes a copy of its read end with pidfd_getfd from a pidfd of its
// own, unshares its descriptor table (unshare CLONE_FILES) and ends with
// close_range over the pipe's ends (CLOSE_RANGE_CLOEXEC, then plain) and over
// the copy (CLOSE_RANGE_UNSHARE); once more, close_range over no descriptor
// (up to ~0U), and pidfd_getfd of a write end from a child that holds it. It
// logs every call it makes with what it passed and got back (example.h's
// call log), but for the calls the tracer leaves out, which it makes and
// counts too: ioctl FIONREAD, FIOCLEX on the pidfd, pidfd_getfd of the pidfd
// itself and the close of that copy.
//
// pipe() and open() are made raw: the C library makes them pipe2 and openat;
// close_range, pidfd_open and pidfd_getfd too: not every C library wraps them.

#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
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
/* The calls made that the tracer leaves out, hence not in the log. */
static int unrecorded;


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

/* ioctl(fd, FIOCLEX or FIONCLEX) on a pipe's `end`: the two requests the tracer records. */
static void xioctl_clex(int fd, unsigned long request, const char *end)
{
	if (ioctl(fd, request) < 0)
		die("ioctl");
	calllog_add(calls, "\"type\":\"ioctl\",\"fd\":%d,\"object\":\"%s\",\"kind\":\"pipe\","
		    "\"end\":\"%s\",\"request\":\"%s\",\"ret\":0", fd, object_of(fd), end,
		    request == FIOCLEX ? "FIOCLEX" : "FIONCLEX");
}

/* close_range(first, last, flags): flags 0, CLOSE_RANGE_UNSHARE or CLOSE_RANGE_CLOEXEC. */
static void xclose_range(unsigned int first, unsigned int last, unsigned int flags)
{
	const char *names = flags == CLOSE_RANGE_UNSHARE ? "[\"CLOSE_RANGE_UNSHARE\"]" :
			    flags == CLOSE_RANGE_CLOEXEC ? "[\"CLOSE_RANGE_CLOEXEC\"]" : "[]";

	if (syscall(SYS_close_range, first, last, flags) < 0)
		die("close_range");
	calllog_add(calls, "\"type\":\"close_range\",\"first\":%u,\"last\":%u,\"flags\":%s,\"ret\":0",
		    first, last, names);
}

static int xpidfd_open(pid_t pid)
{
	long r = syscall(SYS_pidfd_open, pid, 0);

	if (r < 0)
		die("pidfd_open");
	return (int) r;
}

/* pidfd_getfd: a copy of descriptor fd of process pid (pidfd's), a pipe's `end`. */
static int xpidfd_getfd(int pidfd, pid_t pid, int fd, const char *end)
{
	long r = syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	if (r < 0)
		die("pidfd_getfd");
	calllog_add(calls, "\"type\":\"pidfd_getfd\",\"pidfd\":%d,\"source_pid\":%d,\"source_fd\":%d,"
		    "\"newfd\":%ld,\"object\":\"%s\",\"kind\":\"pipe\",\"end\":\"%s\",\"ret\":%ld",
		    pidfd, (int) pid, fd, r, object_of((int) r), end, r);
	return (int) r;
}

/* close() of what is not a pipe, FIFO or socket (a pidfd): a call the tracer leaves out. */
static void close_unrecorded(int fd)
{
	if (close(fd) < 0)
		die("close");
	unrecorded++;
}

/*
 * The calls of this program that the tracer leaves out: an ioctl other than
 * FIOCLEX and FIONCLEX (FIONREAD on the pipe end rd), FIOCLEX on what is not
 * a pipe, FIFO or socket (the pidfd), pidfd_getfd of such a descriptor (the
 * pidfd itself) and the close of that copy. Counted, not logged.
 */
static void unrecorded_calls(int pidfd, int rd)
{
	int avail, copy;

	if (ioctl(rd, FIONREAD, &avail) < 0 || ioctl(pidfd, FIOCLEX) < 0)
		die("ioctl");
	copy = (int) syscall(SYS_pidfd_getfd, pidfd, pidfd, 0);
	if (copy < 0)
		die("pidfd_getfd of a pidfd");
	unrecorded += 3;
	close_unrecorded(copy);
}

/*
 * One round on a pipe of its own: close-on-exec set on both ends and cleared
 * on the write end (ioctl), a copy of the read end taken through pidfd (a
 * pidfd of this process), the table unshared, then the ends made
 * close-on-exec again and closed, and the copy closed, by close_range.
 */
static void round_of_table_calls(int pidfd)
{
	int r[2], copy;

	log_pipe(calls, r, 0);
	/* A range from one end to the other holds nothing else. */
	if (r[1] != r[0] + 1)
		fail("pipe ends %d and %d are not neighbours", r[0], r[1]);
	xioctl_clex(r[0], FIOCLEX, "read");
	xioctl_clex(r[1], FIOCLEX, "write");
	xioctl_clex(r[1], FIONCLEX, "write");
	copy = xpidfd_getfd(pidfd, getpid(), r[0], "read");
	unrecorded_calls(pidfd, r[0]);
	if (unshare(CLONE_FILES) < 0)
		die("unshare");
	calllog_add(calls, "\"type\":\"unshare\",\"flags\":[\"CLONE_FILES\"],\"ret\":0");
	xclose_range(r[0], r[1], CLOSE_RANGE_CLOEXEC);
	xclose_range(copy, copy, CLOSE_RANGE_UNSHARE);
	xclose_range(r[0], r[1], 0);
}

/*
 * pidfd_getfd from another process: the write end of a pipe that this one
 * closed, taken back from a child that holds it (as fork copied it) until
 * it is told to exit. The child makes no traced call. Returns its pid.
 */
static pid_t from_child(void)
{
	int *go = shared_alloc(sizeof(*go)), c[2], pidfd, w;
	pid_t pid;

	log_pipe(calls, c, O_CLOEXEC);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		wait_nonzero(go);
		_exit(EXIT_SUCCESS);
	}
	log_close(calls, c[1]);
	pidfd = xpidfd_open(pid);
	w = xpidfd_getfd(pidfd, pid, c[1], "write");
	set_and_wake(go);
	if (!exited_ok("child", pid, log_wait4(calls, pid)))
		exit(EXIT_FAILURE);
	close_unrecorded(pidfd);
	log_close(calls, w);
	log_close(calls, c[0]);
	return pid;
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
	int n, p[2], q[2], pidfd;
	pid_t child;
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

	pidfd = xpidfd_open(getpid());
	for (int i = 0; i < n; i++)
		round_of_table_calls(pidfd);
	close_unrecorded(pidfd);
	/* Above every descriptor this program holds: a range of none, recorded all the same. */
	xclose_range(1000, ~0U, CLOSE_RANGE_CLOEXEC);
	child = from_child();

	for (int i = 0; i < 2; i++) {
		log_close(calls, p[i]);
		log_close(calls, q[i]);
	}

	f = report_open(stderr);
	fprintf(f, "{\"pid\":%d,\"n\":%d,\"pipe\":[%d,%d],\"pipe2\":[%d,%d],\"fifo\":\"%s\","
		"\"child_pid\":%d,\"unrecorded\":%d,\"calls\":", (int) getpid(), n, p[0], p[1],
		q[0], q[1], path, (int) child, unrecorded);
	calllog_print(f, calls);
	fputs("}\n", f);
	report_close(f);
	return EXIT_SUCCESS;
}
