// SPDX-License-Identifier: MIT
// What all the example programs share (see example.h).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

void ex_handle(int sig, void (*fn)(int))
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = SA_RESTART };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		die("sigaction");
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		die("sigprocmask");
}

void *shared_alloc(size_t size)
{
	/*
	 * A memfd's, not anonymous memory: ipctrace records shared anonymous
	 * mappings (and /dev/shm files), not those of a memfd, whose calls on
	 * a descriptor that is no IPC it leaves out too.
	 */
	int fd = memfd_create("example", MFD_CLOEXEC);
	void *p;

	if (fd < 0)
		die("memfd_create");
	if (ftruncate(fd, (off_t)size) < 0)
		die("ftruncate");
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	close(fd);
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

long long now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die("clock_gettime");
	return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void check_deadline(long long deadline, const char *what)
{
	if (now_ns() > deadline)
		fail("%s", what);
	sched_yield();
}

void wait_in_syscall(pid_t pid, long nr, const char *what)
{
	long long deadline = now_ns() + HANDSHAKE_SECONDS * 1000000000LL;
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int) pid);
	for (;;) {
		FILE *f = fopen(path, "r");
		char *end;
		long got;

		if (!f)
			die("open /proc/PID/syscall");
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		got = strtol(buf, &end, 10);
		if (end != buf && got == nr)
			return;
		check_deadline(deadline, what);
	}
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

struct calllog {
	size_t size;
	size_t used;
	int calls;
	char buf[];
};

struct calllog *calllog_new(size_t size)
{
	struct calllog *l = shared_alloc(sizeof(*l) + size);

	l->size = size;
	return l;
}

void calllog_add(struct calllog *l, const char *fmt, ...)
{
	size_t room = l->size - l->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= room)
		fail("call log full (%zu bytes)", l->size);
	l->used += (size_t) n + 1;	/* one object a string: its NUL ends it */
	l->calls++;
}

void calllog_print(FILE *f, const struct calllog *l)
{
	const char *s = l->buf;

	fputc('[', f);
	for (int i = 0; i < l->calls; i++, s += strlen(s) + 1)
		fprintf(f, "%s{%s}", i ? "," : "", s);
	fputc(']', f);
}

const char *object_of(int fd)
{
	static char bufs[4][48];
	static unsigned int next;
	char *buf = bufs[next++ % 4];
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat");
	snprintf(buf, sizeof(bufs[0]), "%s:[%lu]", S_ISSOCK(st.st_mode) ? "socket" : "pipe",
		 (unsigned long) st.st_ino);
	return buf;
}

const char *flags_json(int flags)
{
	switch (flags & (O_NONBLOCK | O_CLOEXEC)) {
	case O_NONBLOCK:
		return "[\"O_NONBLOCK\"]";
	case O_CLOEXEC:
		return "[\"O_CLOEXEC\"]";
	case O_NONBLOCK | O_CLOEXEC:
		return "[\"O_NONBLOCK\",\"O_CLOEXEC\"]";
	default:
		return "[]";
	}
}

void log_pipe(struct calllog *l, int fds[2], int flags)
{
	const char *call = "pipe2";
	long r;

#ifdef SYS_pipe
	if (!flags)
		call = "pipe";
	r = flags ? pipe2(fds, flags) : syscall(SYS_pipe, fds);
#else
	r = pipe2(fds, flags);
#endif
	if (r < 0)
		die(call);
	calllog_add(l, "\"type\":\"%s\",\"fds\":[%d,%d],\"object\":\"%s\",\"kind\":\"pipe\","
		    "\"flags\":%s,\"ret\":0", call, fds[0], fds[1], object_of(fds[0]),
		    flags_json(flags));
}

void log_socketpair(struct calllog *l, int type, int sv[2])
{
	if (socketpair(AF_UNIX, type, 0, sv) < 0)
		die("socketpair");
	calllog_add(l, "\"type\":\"socketpair\",\"family\":\"AF_UNIX\",\"socktype\":\"%s\","
		    "\"fds\":[%d,%d],\"object\":\"%s\",\"peer_object\":\"%s\",\"flags\":%s,\"ret\":0",
		    (type & 0xf) == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM", sv[0], sv[1],
		    object_of(sv[0]), object_of(sv[1]),
		    flags_json(type & ~0xf));
}

void log_close(struct calllog *l, int fd)
{
	const char *obj = object_of(fd);

	if (close(fd) < 0)
		die("close");
	calllog_add(l, "\"type\":\"close\",\"fd\":%d,\"object\":\"%s\",\"ret\":0", fd, obj);
}

/* What a wait status says, as the tracer's fields: exit_code, or exit_signal and core. */
static const char *status_json(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "\"status\":%d,\"exit_code\":%d", status, WEXITSTATUS(status));
	else
		snprintf(buf, sizeof(buf), "\"status\":%d,\"exit_signal\":\"SIG%s\",\"core\":%s", status,
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?",
			 WCOREDUMP(status) ? "true" : "false");
	return buf;
}

int log_wait4(struct calllog *l, pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	calllog_add(l, "\"type\":\"wait4\",\"target_pid\":%d,\"options\":[],\"child_pid\":%d,%s,\"ret\":%d",
		    (int) pid, (int) pid, status_json(status), (int) pid);
	return status;
}

int log_waitid(struct calllog *l, pid_t pid)
{
	siginfo_t si;
	int status;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
		die("waitid");
	status = si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8
					  : (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
	calllog_add(l, "\"type\":\"waitid\",\"idtype\":\"P_PID\",\"id\":%d,\"options\":[\"WEXITED\"],"
		    "\"child_pid\":%d,\"code\":\"%s\",%s,\"ret\":0", (int) pid, (int) si.si_pid,
		    si.si_code == CLD_EXITED ? "CLD_EXITED" : si.si_code == CLD_KILLED ? "CLD_KILLED" : "CLD_DUMPED",
		    status_json(status));
	return status;
}

static ssize_t log_io(struct calllog *l, enum io op, int fd, void *buf, size_t len, int fd_flags)
{
	ssize_t r = op == IO_WRITE ? write(fd, buf, len) : read(fd, buf, len);
	const char *obj;

	if (r < 0 && errno != EAGAIN)
		die(io_names[op]);
	obj = object_of(fd);
	if (r >= 0)
		calllog_add(l, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\",\"count\":%zu,"
			    "\"bytes\":%zd,\"fd_flags\":%s,\"ret\":%zd", io_names[op], fd, obj, len, r,
			    flags_json(fd_flags), r);
	else
		calllog_add(l, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\",\"count\":%zu,"
			    "\"fd_flags\":%s,\"errno\":\"EAGAIN\",\"ret\":%d", io_names[op], fd, obj, len,
			    flags_json(fd_flags), -EAGAIN);
	return r;
}

ssize_t log_read(struct calllog *l, int fd, void *buf, size_t len, int fd_flags)
{
	return log_io(l, IO_READ, fd, buf, len, fd_flags);
}

ssize_t log_write(struct calllog *l, int fd, const void *buf, size_t len, int fd_flags)
{
	return log_io(l, IO_WRITE, fd, (void *) buf, len, fd_flags);
}
