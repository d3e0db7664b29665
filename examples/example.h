// SPDX-License-Identifier: MIT
// What all the example programs share: messages, counts from the command line,
// the JSON report, shared memory for counters, waiting for children, and I/O
// calls that are retried after a signal handler interrupts them.
//
// None of it makes an IPC syscall of its own: a traced example shows only the
// pipes, sockets and signals that its own file asks for.

#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define EX_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* ---- Messages: "PROG: ..." on stderr ---------------------------------- */

/* Sets PROG, the name that starts every message; call it first in main. */
void ex_init(const char *prog);

/* "PROG: message". */
EX_PRINTF(1, 2) void note(const char *fmt, ...);

/* "PROG: message", then exit(EXIT_FAILURE). */
EX_PRINTF(1, 2) _Noreturn void fail(const char *fmt, ...);

/* "PROG: what: strerror(errno)", then exit(EXIT_FAILURE). */
_Noreturn void die(const char *what);

/* "usage: PROG args" ("usage: PROG" when args is ""), then exit(EXIT_FAILURE). */
_Noreturn void usage(const char *args);

/* ---- The command line ------------------------------------------------- */

/* A whole decimal number: true and *v when s is one that fits a long. */
bool to_long(const char *s, long *v);

/* A count from min to max; anything else fails with "invalid count 'S' (MIN..MAX)". */
long parse_count(const char *s, long min, long max);

/* The N of `PROG [N]`: def without it, 0..max with it; usage() on more arguments. */
long count_arg(int argc, char **argv, long def, long max);

/* ---- The report ------------------------------------------------------- */

/*
 * Each example tells the tests what it did in one JSON object, which they
 * compare with the trace. It goes to the file $IPCTRACE_REPORT (a regular
 * file: writing it adds nothing to the trace). report_open() returns that
 * file, or `otherwise` (stderr, or NULL) when the variable is unset or
 * empty; report_close() closes the file and dies if any write to it failed.
 */
FILE *report_open(FILE *otherwise);
void report_close(FILE *f);

/* One line, fmt and a newline, to $IPCTRACE_REPORT; false (nothing written) without one. */
EX_PRINTF(1, 2) bool report(const char *fmt, ...);

/* ---- Processes -------------------------------------------------------- */

/*
 * sig handled by fn (SA_RESTART, nothing more blocked while it runs), and
 * unblocked, since the mask may be inherited blocked: one rt_sigaction and
 * one rt_sigprocmask, as the tests count them.
 */
void ex_handle(int sig, void (*fn)(int));

/*
 * Zeroed memory that forked children share with the parent (MAP_SHARED of a
 * memfd, which the tracer does not record): each process counts its calls
 * in it, and counting there needs no syscall.
 */
void *shared_alloc(size_t size);

/*
 * A handshake between processes through an int in shared memory: a futex,
 * so it adds no pipe, socket or signal to the trace. wait_nonzero()
 * returns once *addr is nonzero; set_and_wake() makes it so.
 */
void wait_nonzero(int *addr);
void set_and_wake(int *addr);

/* waitpid() for one child, made again after EINTR; returns its status. */
int wait_child(pid_t pid);

/* True when status says "exited with 0"; otherwise says "PROG: WHO PID failed (status 0x..)". */
bool exited_ok(const char *who, pid_t pid, int status);

/* The inode number of what fd is open on (fstat), as in "pipe:[INODE]". */
unsigned long inode_of(int fd);

/* ---- Handshakes ------------------------------------------------------- */

/* How long a busy-wait waits for the other side before it fails. */
#define HANDSHAKE_SECONDS 30

/* CLOCK_MONOTONIC, in nanoseconds. */
long long now_ns(void);

/* One step of a busy-wait: fails with `what` once now_ns() is past deadline, else yields the CPU. */
void check_deadline(long long deadline, const char *what);

/*
 * Busy-waits until process pid sleeps in syscall nr, failing with `what`
 * after HANDSHAKE_SECONDS: /proc/PID/syscall starts with the number of the
 * call the task is blocked in ("running" while it runs). Its reads are
 * regular-file reads, which the tracer leaves out.
 */
void wait_in_syscall(pid_t pid, long nr, const char *what);
/* ---- `holds`: which descriptors an exec'd program got -------------- */

/*
 * The argument vector of `holds INODE:FD...` for n pairs (examples/holds.c,
 * beside this program), in static storage; argv[0] is its path. Build it
 * before fork or vfork: the child then only has to exec it.
 */
char **holds_argv(int n, const unsigned long *inodes, const int *fds);

/* What a `holds` process that exited with status reported: bit i, pair i was open. */
int holds_result(pid_t pid, int status);

/* ---- I/O -------------------------------------------------------------- */

/*
 * The calls of one kind that a process made on one descriptor, and the bytes
 * they moved. Every call counts, one that a signal interrupted (EINTR) too:
 * the tracer sees each of them.
 */
struct traffic {
	int calls;
	long bytes;
};

/*
 * One read(), write(), recv() or send() (flags 0), made again after EINTR;
 * any other error is fatal. Each returns what its call returned: 0 from a
 * read or recv is the end of file. Counted in t, unless t is NULL.
 */
size_t read_some(int fd, void *buf, size_t len, struct traffic *t);
size_t write_some(int fd, const void *buf, size_t len, struct traffic *t);
size_t recv_some(int fd, void *buf, size_t len, struct traffic *t);
size_t send_some(int fd, const void *buf, size_t len, struct traffic *t);

/* All len bytes, in as many calls as it takes. */
void write_all(int fd, const void *buf, size_t len, struct traffic *t);
void send_all(int fd, const void *buf, size_t len, struct traffic *t);

/* Exactly len bytes; false when the stream ended first. */
bool recv_all(int fd, void *buf, size_t len, struct traffic *t);

/* Reads (4096 bytes at a time) until the end of file; returns the bytes read. */
long read_to_eof(int fd, struct traffic *t);

/* ---- A log of calls --------------------------------------------------- */

/*
 * The traced calls a process made, in order, for its report: one JSON
 * object per call, its members named as the tracer's event fields ("type",
 * "fd", "ret", ...; docs/events.md) and holding what the program itself
 * passed and got back, so that a test compares the two one by one. The log
 * lives in shared memory: a forked child fills its own, the parent reports it.
 */
struct calllog;

/* A log with room for `size` bytes of JSON; full, it fails the program. */
struct calllog *calllog_new(size_t size);

/* One call: fmt makes its members (`"type":"dup","fd":3,...`), without braces. */
EX_PRINTF(2, 3) void calllog_add(struct calllog *l, const char *fmt, ...);

/* The log as a JSON array. */
void calllog_print(FILE *f, const struct calllog *l);

/*
 * What fd is open on, as /proc/PID/fd names it: "pipe:[INODE]" (pipes and
 * FIFOs), "socket:[INODE]". In one of four static buffers, used in turn:
 * enough for the arguments of one log line.
 */
const char *object_of(int fd);

/* O_NONBLOCK and O_CLOEXEC in flags (the same bits as SOCK_*), as the tracer lists them. */
const char *flags_json(int flags);

/*
 * Calls that log themselves in l: each makes one syscall, dies when it
 * fails (log_read and log_write: but for EAGAIN, logged, returned as -1).
 * log_pipe makes pipe() where the architecture has it and flags is 0,
 * else pipe2(flags). `fd_flags` are the descriptor's O_NONBLOCK, as the
 * caller knows them.
 */
void log_pipe(struct calllog *l, int fds[2], int flags);
void log_socketpair(struct calllog *l, int type, int sv[2]);
void log_close(struct calllog *l, int fd);
/* waitpid(pid, &status, 0) (the wait4 syscall) and waitid(P_PID, pid, &info, WEXITED): the status, as wait4 gives it. */
int log_wait4(struct calllog *l, pid_t pid);
int log_waitid(struct calllog *l, pid_t pid);
ssize_t log_read(struct calllog *l, int fd, void *buf, size_t len, int fd_flags);
ssize_t log_write(struct calllog *l, int fd, const void *buf, size_t len, int fd_flags);

#endif
