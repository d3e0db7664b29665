// SPDX-License-Identifier: MIT
// What the benchmark workloads share (see wl.h).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

static const char *prog = "workload";

static const char *const type_names[W_NTYPES] = {
	[W_WRITE] = "write",
	[W_READ] = "read",
	[W_SENDTO] = "sendto",
	[W_RECVFROM] = "recvfrom",
	[W_KILL] = "kill",
	[W_SIGNAL_GENERATE] = "signal_generate",
	[W_SIGNAL_DELIVER] = "signal_deliver",
	[W_RT_SIGRETURN] = "rt_sigreturn",
	[W_RT_SIGACTION] = "rt_sigaction",
	[W_RT_SIGPROCMASK] = "rt_sigprocmask",
	[W_PIPE2] = "pipe2",
	[W_SOCKETPAIR] = "socketpair",
	[W_CLOSE] = "close",
	[W_DUP2] = "dup2",
	[W_FORK] = "fork",
	[W_EXEC] = "exec",
	[W_EXIT] = "exit",
	[W_WAIT4] = "wait4",
	[W_STDIO] = "stdio",
	[W_ARGV] = "argv",
};

void wl_init(const char *name)
{
	prog = name;
}

/* Messages go to stderr in one write (stderr may be a pipe). */
void wl_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog, msg);
	exit(EXIT_FAILURE);
}

void wl_die(const char *what)
{
	wl_fail("%s: %s", what, strerror(errno));
}

long wl_parse(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		wl_fail("invalid number '%s' (%ld..%ld)", s, min, max);
	return v;
}

long wl_ops(int argc, char **argv, long def)
{
	return argc > 1 ? wl_parse(argv[1], 1, 1000000000000L) : def;
}

struct wl_counts *wl_slots(int n)
{
	int fd;
	struct wl_counts *s = wl_slots_memfd(n, &fd);

	/*
	 * A memfd's memory, not anonymous memory, which ipctrace records when
	 * shared. Its close is a close of no IPC: what a syscall tracer sees.
	 */
	close(fd);
	s[0].other[W_CLOSE]++;
	return s; /* zeroed */
}

struct wl_counts *wl_slots_memfd(int n, int *fd)
{
	*fd = memfd_create("bench-counts", 0);
	if (*fd < 0)
		wl_die("memfd_create");
	if (ftruncate(*fd, sizeof(struct wl_counts) * n) < 0)
		wl_die("ftruncate");
	return wl_slots_map(*fd, n);
}

struct wl_counts *wl_slots_map(int fd, int n)
{
	void *p = mmap(NULL, sizeof(struct wl_counts) * n, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		wl_die("mmap counts");
	return p;
}

pid_t wl_fork(struct wl_counts *c)
{
	pid_t pid = fork();

	if (pid < 0)
		wl_die("fork");
	if (pid > 0)
		wl_count(c, W_FORK);
	return pid;
}

void wl_exit(struct wl_counts *c, int status)
{
	wl_count(c, W_EXIT);
	wl_count(c, W_SIGNAL_GENERATE); /* SIGCHLD for the parent */
	_exit(status);
}

void wl_wait_ok(struct wl_counts *c, pid_t pid, const char *who)
{
	int status;

	while (wl_count(c, W_WAIT4), waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			wl_die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		wl_fail("%s %d failed (status 0x%x)", who, (int)pid, status);
}

size_t wl_write(struct wl_counts *c, int fd, const void *buf, size_t len)
{
	for (;;) {
		ssize_t r = write(fd, buf, len);

		wl_count(c, W_WRITE);
		if (r >= 0) {
			c->bytes[W_WRITE] += r;
			return r;
		}
		if (errno != EINTR)
			wl_die("write");
	}
}

size_t wl_read(struct wl_counts *c, int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t r = read(fd, buf, len);

		wl_count(c, W_READ);
		if (r >= 0) {
			c->bytes[W_READ] += r;
			return r;
		}
		if (errno != EINTR)
			wl_die("read");
	}
}

size_t wl_send(struct wl_counts *c, int fd, const void *buf, size_t len)
{
	for (;;) {
		ssize_t r = send(fd, buf, len, 0);

		wl_count(c, W_SENDTO);
		if (r >= 0) {
			c->bytes[W_SENDTO] += r;
			return r;
		}
		if (errno != EINTR)
			wl_die("send");
	}
}

size_t wl_recv(struct wl_counts *c, int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t r = recv(fd, buf, len, 0);

		wl_count(c, W_RECVFROM);
		if (r >= 0) {
			c->bytes[W_RECVFROM] += r;
			return r;
		}
		if (errno != EINTR)
			wl_die("recv");
	}
}

void wl_write_all(struct wl_counts *c, int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		size_t n = wl_write(c, fd, p, len);

		p += n;
		len -= n;
	}
}

void wl_close(struct wl_counts *c, int fd)
{
	wl_count(c, W_CLOSE);
	if (close(fd) < 0)
		wl_die("close");
}

void wl_gate(struct wl_counts *c)
{
	const char *v = getenv("BENCH_GATE_FD");
	char x;

	if (!v || !*v)
		return;
	if (wl_read(c, wl_parse(v, 0, 1 << 20), &x, 1) != 1)
		wl_fail("the gate closed before it opened");
}

uint64_t wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static unsigned long long tv_ns(struct timeval tv)
{
	return (unsigned long long)tv.tv_sec * 1000000000ull + (unsigned long long)tv.tv_usec * 1000ull;
}

/*
 * The CPU time of the whole run: this process's and that of its children
 * waited for (every workload waits for its own before its report), the BPF
 * programs run in their calls included (bench/breakdown.py).
 */
static unsigned long long cpu_ns(void)
{
	struct rusage self, kids;

	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids))
		wl_die("getrusage");
	return tv_ns(self.ru_utime) + tv_ns(self.ru_stime) + tv_ns(kids.ru_utime) + tv_ns(kids.ru_stime);
}

static size_t put_dict(char *buf, size_t size, const char *key, const long *v)
{
	size_t n = snprintf(buf, size, ",\"%s\":{", key);
	bool first = true;

	for (int t = 0; t < W_NTYPES; t++) {
		if (!v[t])
			continue;
		n += snprintf(buf + n, n < size ? size - n : 0, "%s\"%s\":%ld",
			      first ? "" : ",", type_names[t], v[t]);
		first = false;
	}
	n += snprintf(buf + n, n < size ? size - n : 0, "}");
	return n;
}

void wl_report(const char *workload, long ops, uint64_t elapsed_ns,
	       struct wl_counts *slots, int nslots, const char *extra)
{
	struct wl_counts sum;
	const char *path = getenv("BENCH_REPORT");
	char line[4096];
	struct stat st;
	size_t n;
	int fd = 1;

	memset(&sum, 0, sizeof(sum));
	for (int i = 0; i < nslots; i++)
		for (int t = 0; t < W_NTYPES; t++) {
			sum.n[t] += slots[i].n[t];
			sum.bytes[t] += slots[i].bytes[t];
			sum.other[t] += slots[i].other[t];
		}
	/* This process: exec'd by whoever started it; will exit, SIGCHLD to its parent. */
	sum.n[W_EXEC]++;
	sum.n[W_EXIT]++;
	sum.n[W_SIGNAL_GENERATE]++;
	sum.n[W_STDIO] = sum.n[W_ARGV] = sum.n[W_EXEC];

	/* The report's own write (and open/close of the report file); its bytes are not in "bytes". */
	if (path && *path) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			wl_die(path);
		sum.other[W_WRITE]++;
		sum.other[W_CLOSE]++;
	} else if (fstat(1, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		sum.n[W_WRITE]++;
	} else {
		sum.other[W_WRITE]++;
	}

	n = snprintf(line, sizeof(line),
		     "{\"workload\":\"%s\",\"ops\":%ld,\"ns_per_op\":%.1f,\"elapsed_ns\":%llu,\"cpu_ns\":%llu",
		     workload, ops, ops ? (double)elapsed_ns / ops : 0.0,
		     (unsigned long long)elapsed_ns, cpu_ns());
	n += put_dict(line + n, sizeof(line) - n, "counts", sum.n);
	n += put_dict(line + n, sizeof(line) - n, "bytes", sum.bytes);
	n += put_dict(line + n, sizeof(line) - n, "other", sum.other);
	n += snprintf(line + n, sizeof(line) - n, "%s}\n", extra ? extra : "");
	if (n >= sizeof(line))
		wl_fail("report too long");
	if (write(fd, line, n) != (ssize_t)n)
		wl_die("write report");
	if (fd != 1 && close(fd) < 0)
		wl_die("close report");
}
