// SPDX-License-Identifier: MIT
// What the benchmark workloads share: the op count from the command line,
// per-process counters in shared memory, counted I/O calls, the clock, and
// the one-line JSON report.
//
// Every workload counts, exactly, the events that a complete trace of its
// run must show (the types of docs/events.md), including those of setting
// up and ending: its own exec, every fork, close, dup2, every process's
// exit and the SIGCHLD that each exit generates for its parent. The counters
// live in MAP_SHARED memory, so counting adds no syscall. Calls that a
// syscall tracer sees but ipctrace filters out in the kernel (I/O on regular
// files, such as writing the report) are counted apart, in "other".
//
// None of this makes an IPC syscall of its own.

#ifndef WL_H
#define WL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The event types the workloads produce, in report order. */
enum wl_type {
	W_WRITE,
	W_READ,
	W_SENDTO,
	W_RECVFROM,
	W_KILL,
	W_SIGNAL_GENERATE,
	W_SIGNAL_DELIVER,
	W_RT_SIGRETURN,
	W_RT_SIGACTION,
	W_RT_SIGPROCMASK,
	W_PIPE2,
	W_SOCKETPAIR,
	W_CLOSE,
	W_DUP2,
	W_FORK,
	W_EXEC,
	W_EXIT,
	W_WAIT4,        /* a waitpid() for a child */
	W_STDIO,        /* the record of an exec's standard streams: one per exec */
	W_ARGV,         /* the record of an exec's arguments: one per exec */
	W_NTYPES
};

/*
 * One process's counters, a cache line or more of its own, so processes on
 * different CPUs do not share a line while they count.
 */
struct wl_counts {
	long n[W_NTYPES];     /* events of each type */
	long bytes[W_NTYPES]; /* bytes moved, for write/read/sendto/recvfrom */
	long other[W_NTYPES]; /* same-named syscalls on non-IPC files (regular, tty, /dev) */
} __attribute__((aligned(64)));

/* ---- Messages and the command line ------------------------------------ */

/* Sets the name messages start with; call first. */
void wl_init(const char *name);

__attribute__((format(printf, 1, 2))) _Noreturn void wl_fail(const char *fmt, ...);
_Noreturn void wl_die(const char *what);

/* A whole number from min to max, or wl_fail(). */
long wl_parse(const char *s, long min, long max);

/* The ops of `PROG OPS ...`: argv[1], or def when absent. */
long wl_ops(int argc, char **argv, long def);

/* ---- Shared counters --------------------------------------------------- */

/* n zeroed wl_counts in MAP_SHARED|MAP_ANONYMOUS memory (inherited by fork). */
struct wl_counts *wl_slots(int n);

/* The same in a memfd (fd returned in *fd, not close-on-exec), for exec'd stages. */
struct wl_counts *wl_slots_memfd(int n, int *fd);

/* Maps the slots of wl_slots_memfd() from an inherited fd (no syscall counted). */
struct wl_counts *wl_slots_map(int fd, int n);

static inline void wl_count(struct wl_counts *c, enum wl_type t)
{
	c->n[t]++;
}

/* ---- Processes --------------------------------------------------------- */

/* fork(), counted in c (the parent's slot); dies on failure. */
pid_t wl_fork(struct wl_counts *c);

/*
 * Counts this process's exit and the SIGCHLD it generates for its parent,
 * then _exit(status). For forked children (the main process's own exit is
 * counted by wl_report).
 */
_Noreturn void wl_exit(struct wl_counts *c, int status);

/* Waits for pid (waitpid is not traced); dies unless it exited 0. */
void wl_wait_ok(struct wl_counts *c, pid_t pid, const char *who);

/* ---- I/O: every call counted, EINTR retried (and each try counted) ----- */

size_t wl_write(struct wl_counts *c, int fd, const void *buf, size_t len);
size_t wl_read(struct wl_counts *c, int fd, void *buf, size_t len);
size_t wl_send(struct wl_counts *c, int fd, const void *buf, size_t len);
size_t wl_recv(struct wl_counts *c, int fd, void *buf, size_t len);
void wl_write_all(struct wl_counts *c, int fd, const void *buf, size_t len);
void wl_close(struct wl_counts *c, int fd);

/*
 * When $BENCH_GATE_FD names a descriptor (a pipe), reads one byte from it,
 * counted: a driver holds the workload there until a trace session has
 * attached to it. Does nothing otherwise.
 */
void wl_gate(struct wl_counts *c);

/* ---- Time and the report ----------------------------------------------- */

/* CLOCK_MONOTONIC in ns (vDSO: no syscall). */
uint64_t wl_now(void);

/*
 * Sums the n slots, adds the main process's own exec, exit and SIGCHLD, and
 * the report's own write, and prints one JSON line:
 *   {"workload":..,"ops":N,"ns_per_op":X,"elapsed_ns":E,"counts":{..},
 *    "bytes":{..},"other":{..}<extra>}
 * extra, when not NULL, is more members (",\"k\":v"). The line goes to the
 * file named by $BENCH_REPORT (a regular file: not an IPC event) or else to
 * stdout in one write (counted as a write event when stdout is a pipe or a
 * socket). Call last, then return from main.
 */
void wl_report(const char *workload, long ops, uint64_t elapsed_ns,
	       struct wl_counts *slots, int n, const char *extra);

#endif
