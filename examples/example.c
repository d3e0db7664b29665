// SPDX-License-Identifier: MIT
// What all the example programs share (see example.h).

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

static const char *prog = "example";

void ex_init(const char *name)
{
	prog = name;
}

/*
 * One fprintf, hence one write(): stderr may be a pipe, and a message in
 * pieces would put more writes to it in the trace than the program meant.
 */
static void vnote(const char *fmt, va_list ap)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s\n", prog, msg);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

void die(const char *what)
{
	fail("%s: %s", what, strerror(errno));
}

void usage(const char *args)
{
	fprintf(stderr, "usage: %s%s%s\n", prog, *args ? " " : "", args);
	exit(EXIT_FAILURE);
}

bool to_long(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return !errno && end != s && !*end;
}

long parse_count(const char *s, long min, long max)
{
	long v;

	if (!to_long(s, &v) || v < min || v > max)
		fail("invalid count '%s' (%ld..%ld)", s, min, max);
	return v;
}

long count_arg(int argc, char **argv, long def, long max)
{
	if (argc > 2)
		usage("[N]");
	return argc < 2 ? def : parse_count(argv[1], 0, max);
}

/* The report file, once report_open() has opened it. */
static FILE *report_file;

FILE *report_open(FILE *otherwise)
{
	const char *path = getenv("IPCTRACE_REPORT");

	if (!path || !*path)
		return otherwise;
	report_file = fopen(path, "w");
	if (!report_file)
		die("open IPCTRACE_REPORT");
	return report_file;
}

void report_close(FILE *f)
{
	if (f != report_file)
		return;
	report_file = NULL;
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

bool report(const char *fmt, ...)
{
	FILE *f = report_open(NULL);
	va_list ap;

	if (!f)
		return false;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	report_close(f);
	return true;
}

void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

void wait_nonzero(int *addr)
{
	while (!__atomic_load_n(addr, __ATOMIC_ACQUIRE))
		if (syscall(SYS_futex, addr, FUTEX_WAIT, 0, NULL, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			die("futex wait");
}

void set_and_wake(int *addr)
{
	__atomic_store_n(addr, 1, __ATOMIC_RELEASE);
	if (syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0) < 0)
		die("futex wake");
}

int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return status;
}

bool exited_ok(const char *who, pid_t pid, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	note("%s %d failed (status 0x%x)", who, (int) pid, status);
	return false;
}

unsigned long inode_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat");
	return (unsigned long) st.st_ino;
}

char **holds_argv(int n, const unsigned long *inodes, const int *fds)
{
	static char path[4096], pairs[7][48], *argv[9];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (len < 0)
		die("readlink /proc/self/exe");
	path[len] = 0;
	slash = strrchr(path, '/');
	if (n < 1 || n > 7 || !slash || (size_t) (slash - path) + sizeof("/holds") > sizeof(path))
		fail("holds_argv: %d pairs, program %s", n, path);
	strcpy(slash + 1, "holds");
	argv[0] = path;
	for (int i = 0; i < n; i++) {
		snprintf(pairs[i], sizeof(pairs[i]), "%lu:%d", inodes[i], fds[i]);
		argv[i + 1] = pairs[i];
	}
	argv[n + 1] = NULL;
	return argv;
}

int holds_result(pid_t pid, int status)
{
	if (!WIFEXITED(status))
		fail("holds %d did not exit (status 0x%x)", (int) pid, status);
	return WEXITSTATUS(status);
}

enum io { IO_READ, IO_WRITE, IO_RECV, IO_SEND };

static const char *const io_names[] = { "read", "write", "recv", "send" };

/* One call, made again after EINTR; the other *_some functions in one place. */
static size_t io_some(enum io op, int fd, void *buf, size_t len, struct traffic *t)
{
	for (;;) {
		ssize_t r;

		switch (op) {
		case IO_READ:
			r = read(fd, buf, len);
			break;
		case IO_WRITE:
			r = write(fd, buf, len);
			break;
		case IO_RECV:
			r = recv(fd, buf, len, 0);
			break;
		default:
			r = send(fd, buf, len, 0);
			break;
		}
		if (t)
			t->calls++;
		if (r >= 0) {
			if (t)
				t->bytes += r;
			return (size_t) r;
		}
		if (errno != EINTR)
			die(io_names[op]);
	}
}

size_t read_some(int fd, void *buf, size_t len, struct traffic *t)
{
	return io_some(IO_READ, fd, buf, len, t);
}

/* The casts drop const only to share io_some: write and send do not write to buf. */
size_t write_some(int fd, const void *buf, size_t len, struct traffic *t)
{
	return io_some(IO_WRITE, fd, (void *) buf, len, t);
}

size_t recv_some(int fd, void *buf, size_t len, struct traffic *t)
{
	return io_some(IO_RECV, fd, buf, len, t);
}

size_t send_some(int fd, const void *buf, size_t len, struct traffic *t)
{
	return io_some(IO_SEND, fd, (void *) buf, len, t);
}

void write_all(int fd, const void *buf, size_t len, struct traffic *t)
{
	for (size_t done = 0; done < len; )
		done += write_some(fd, (const char *) buf + done, len - done, t);
}

void send_all(int fd, const void *buf, size_t len, struct traffic *t)
{
	for (size_t done = 0; done < len; )
		done += send_some(fd, (const char *) buf + done, len - done, t);
}

bool recv_all(int fd, void *buf, size_t len, struct traffic *t)
{
	for (size_t done = 0; done < len; ) {
		size_t n = recv_some(fd, (char *) buf + done, len - done, t);

		if (n == 0)
			return false;
		done += n;
	}
	return true;
}

long read_to_eof(int fd, struct traffic *t)
{
	char buf[4096];
	long total = 0;
	size_t n;

	while ((n = read_some(fd, buf, sizeof(buf), t)) > 0)
		total += (long) n;
	return total;
}
