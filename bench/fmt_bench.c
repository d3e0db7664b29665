// SPDX-License-Identifier: MIT
/*
 * The CLI's formatting cost per event (issue 13): ipct_format_event in a
 * loop over a fixed set of events shaped as the bench workloads' traces
 * are (a pipe ping-pong's writes and reads, a signal ping-pong's kill,
 * generate, deliver and rt_sigreturn, a socketpair's sendto and
 * recvfrom), text and JSON, into a buffer emptied every 256 events as
 * the CLI empties its own after a batch. Prints ns/event for each mode;
 * run it under `valgrind --tool=callgrind` for instructions per event
 * (bench/README.md, "Streaming path").
 *
 *   fmt_bench [rounds [text|json]]
 *   fmt_bench print     the events once in each mode, to compare outputs
 *   fmt_bench vary [n]  n variations of each event (random values, the
 *                       same from run to run) in both modes, and as many
 *                       events of any type and call: a change's output
 *                       compared with the one before, beyond the 8 lines
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "format.h"

#define NEVENTS 8

static void base(struct ipct_event *e, int type, int nr, uint32_t pid, uint64_t ts, const char *comm)
{
	memset(e, 0, sizeof(*e));
	e->version = IPCT_EVENT_VERSION;
	e->type = (uint8_t)type;
	e->nr = (uint16_t)nr;
	e->pid = e->tid = pid;
	e->session = 7;
	e->uid = 1000;
	e->ts_ns = ts;
	memcpy(e->comm, comm, strnlen(comm, sizeof(e->comm)));
}

static void fd_call(struct ipct_event *e, int kind, int fd, int64_t ret, uint64_t flags)
{
	e->kind[0] = (uint8_t)kind;
	e->sys.args[0] = (uint64_t)fd;
	e->sys.args[2] = 64;
	e->sys.ret = ret;
	e->sys.dur_ns = 2150;
	e->sys.x[0] = 123456;
	e->sys.x[1] = flags;
}

static void make_events(struct ipct_event *ev)
{
	uint64_t t = 5000000000ull;

	base(&ev[0], IPCT_EV_SYSCALL, SYS_write, 4242, t + 1000, "pipe_pingpong");
	fd_call(&ev[0], IPCT_KIND_PIPE, 4, 64, 2ull << 32);
	base(&ev[1], IPCT_EV_SYSCALL, SYS_read, 4243, t + 2500, "pipe_pingpong");
	fd_call(&ev[1], IPCT_KIND_PIPE, 3, 64, 1ull << 32);
	base(&ev[2], IPCT_EV_SYSCALL, SYS_kill, 4242, t + 4000, "signal_pingpong");
	ev[2].sys.args[0] = 4243;
	ev[2].sys.args[1] = SIGUSR1;
	ev[2].sys.dur_ns = 900;
	base(&ev[3], IPCT_EV_SIGNAL_GENERATE, 0, 4242, t + 4100, "signal_pingpong");
	ev[3].sig.sig = SIGUSR1;
	ev[3].sig.target_pid = ev[3].sig.target_tid = 4243;
	memcpy(ev[3].sig.target_comm, "signal_pingpong", 15);
	ev[3].sig.sifields[0] = 4242 | 1000ull << 32;
	base(&ev[4], IPCT_EV_SIGNAL_DELIVER, 0, 4243, t + 9000, "signal_pingpong");
	ev[4].sig.sig = SIGUSR1;
	ev[4].sig.handler = 0x401a30;
	ev[4].sig.sifields[0] = 4242 | 1000ull << 32;
	base(&ev[5], IPCT_EV_SYSCALL, SYS_rt_sigreturn, 4243, t + 9800, "signal_pingpong");
	ev[5].sys.ret = -4;     /* the interrupted sigsuspend's EINTR */
	base(&ev[6], IPCT_EV_SYSCALL, SYS_sendto, 4250, t + 12000, "unix_pingpong");
	fd_call(&ev[6], IPCT_KIND_SOCKET, 5, 64, 0);
	base(&ev[7], IPCT_EV_SYSCALL, SYS_recvfrom, 4251, t + 1500000, "unix_pingpong");
	fd_call(&ev[7], IPCT_KIND_SOCKET, 6, 64, 0);
	ev[7].sys.dur_ns = 1480000;
}

/* xorshift64: the same variations every run. */
static uint64_t rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* One of the values in vals, or (one time in four) any 64 bits. */
static uint64_t pick(uint64_t *st, const int64_t *vals, size_t n)
{
	uint64_t r = rnd(st);

	return r % 4 == 0 ? rnd(st) : (uint64_t)vals[(r >> 8) % n];
}

#define PICK(st, ...) pick(st, (const int64_t[]){ __VA_ARGS__ }, sizeof((const int64_t[]){ __VA_ARGS__ }) / 8)

/* A name a program chose: mostly plain, else with quotes, escapes, controls, UTF-8 or bytes that are not. */
static void vary_name(uint64_t *st, char *name, size_t len)
{
	static const char *const odd[] = { "a\\b", "q\"uote", "tab\tx", "\x7f\x1b[31m", "caf\xc3\xa9",
					   "\xff\xfe", "\xe2\x80\xae" "evil", "\xc2\x85", "x y" };
	uint64_t r = rnd(st);

	memset(name, 0, len);
	if (r % 3 == 0)
		snprintf(name, len, "%s%u", odd[(r >> 8) % (sizeof(odd) / sizeof(*odd))], (unsigned)(r >> 32) % 100);
	else if (r % 3 == 1)
		memcpy(name, "sixteen_chars_xy", len);      /* no NUL */
	else
		snprintf(name, len, "w%u", (unsigned)(r >> 16) % 100000);
}

static void vary(struct ipct_event *e, uint64_t *st)
{
	uint64_t r = rnd(st);

	e->ts_ns = PICK(st, 4000000000, 4000000500, 4000001500, 3999999000, 5123456789, 4000000000 + (1ll << 53),
			4000000000 + 86400000000500);
	e->tid = r % 3 ? e->pid : (uint32_t)rnd(st);
	vary_name(st, e->comm, sizeof(e->comm));
	if (e->type == IPCT_EV_SYSCALL) {
		e->flags = (uint16_t)PICK(st, 0, 0, IPCT_F_COMPAT);
		e->sys.ret = (int64_t)PICK(st, 64, 0, 1, 63, -4, -11, -32, -512, -513, -514, -516, -4095, -4096,
					   -9999, -1);
		e->sys.dur_ns = PICK(st, 0, 999999, 1000000, 1049999, 1050000, 1950000, 1250000, 1750000, 1480000, 1ull << 53,
				     (1ull << 53) + 50000, 12345678901);
		e->sys.args[0] = PICK(st, 3, 0, -1, 4243, -4243, 2147483648ll);
		e->sys.args[1] = PICK(st, SIGUSR1, 0, SIGKILL, 34, 64, 65, -1);
		e->sys.args[2] = PICK(st, 64, 0, 1, 65536, -1, SIGTERM);
		if (e->kind[0])
			e->kind[0] = (uint8_t)PICK(st, IPCT_KIND_PIPE, IPCT_KIND_FIFO, IPCT_KIND_SOCKET, IPCT_KIND_OTHER,
						   IPCT_KIND_NONE, IPCT_KIND_SIGNALFD, IPCT_KIND_TTY) % IPCT_KIND_MAX;
		e->sys.x[0] = PICK(st, 123456, 0, 1, -1);
		e->sys.x[1] = PICK(st, 1ull << 32, 2ull << 32, 3ull << 32, 0, (2ull << 32) | 04000, (1ull << 32) | 04000);
		if (e->nr == SYS_kill)
			e->nr = (uint16_t)PICK(st, SYS_kill, SYS_tkill, SYS_tgkill);
		return;
	}
	if (r % 5 == 0) {
		e->type = IPCT_EV_SIGNAL_DELIVER;
		e->sig.sig = SIGKILL;
		e->sig.code = 0x80;     /* SI_KERNEL: a thread group's end */
		e->sig.sifields[0] = PICK(st, SIGTERM, SIGSEGV | 0x80, 3 << 8, 0, 200);
		e->sig.sa_flags = PICK(st, 0, 0, 0x10000000);
		return;
	}
	e->sig.sig = (int)PICK(st, SIGUSR1, SIGCHLD, SIGSEGV, SIGCONT, SIGINT, SIGKILL, 34, 64, 0, 65, 99);
	e->sig.code = (int)PICK(st, 0, 0x80, -6, -1, -4, 1, 2, 3, 4, 5, 6, 100);
	e->sig.result = (int)PICK(st, 0, 1, 2, 3, 4, 5, 9);
	e->flags = (uint16_t)rnd(st);
	e->sig.handler = PICK(st, 0, 1, 0x401a30, -1);
	e->sig.sa_flags = PICK(st, 0, 0, 0x10000000, 0x04000000, 0x80000000, 0x4000000000);
	e->sig.sifields[0] = PICK(st, 4242 | 1000ull << 32, 0, -1, 0x7f0000001000);
	e->sig.sifields[1] = PICK(st, 0, 7, -1, 256);
	e->sig.target_pid = (uint32_t)PICK(st, 4243, 1, -1);
	e->sig.target_tid = r % 3 ? e->sig.target_pid : (uint32_t)rnd(st);
	vary_name(st, e->sig.target_comm, sizeof(e->sig.target_comm));
}

/* Any event at all, its payload small numbers or any bits: every formatter, not only the 8 shapes'. */
static void vary_any(struct ipct_event *e, uint64_t *st)
{
	uint64_t w[sizeof(e->sys) / 8];

	e->type = (uint8_t)(1 + rnd(st) % (IPCT_EV_TYPE_MAX - 1));
	e->nr = (uint16_t)(rnd(st) % 460);
	e->kind[0] = (uint8_t)(rnd(st) % (IPCT_KIND_MAX + 1));
	e->kind[1] = (uint8_t)(rnd(st) % (IPCT_KIND_MAX + 1));
	e->flags = (uint16_t)rnd(st);
	for (size_t i = 0; i < sizeof(w) / 8; i++)
		w[i] = PICK(st, 0, 1, 2, 3, 4, 9, 10, 17, 64, 0x80, -1, -4, -11, -32, 1ll << 32, 2ll << 32, 0x401a30,
			    0x0000006f6f66ll);
	memcpy(&e->sys, w, sizeof(w));
}

static int print_vary(const struct ipct_event *ev, long n)
{
	struct ipct_fmt f = { .start_ns = 4000000000ull, .realtime_off = 1700000000000000000ll };
	struct ipct_buf out = { 0 };
	uint64_t st = 88172645463325252ull;
	int r = 0;

	for (long i = 0; i < n && !r; i++) {
		for (int k = 0; k < NEVENTS && !r; k++) {
			struct ipct_event e = ev[k];

			vary(&e, &st);
			if (rnd(&st) % 3 == 0)
				vary_any(&e, &st);
			f.color = rnd(&st) % 4 == 0;
			/* The log's time of day (no start), with dates or without. */
			f.start_ns = rnd(&st) % 8 ? 4000000000ull : 0;
			f.dates = rnd(&st) % 2;
			for (int m = 0; m < 2 && !r; m++) {
				f.mode = m ? IPCT_OUT_JSON : IPCT_OUT_TEXT;
				r = ipct_format_event(&f, &e, &out);
			}
		}
		if (!r && fwrite(out.data + out.start, 1, ipct_buf_len(&out), stdout) != ipct_buf_len(&out))
			r = -1;
		ipct_buf_consume(&out, ipct_buf_len(&out));
	}
	ipct_buf_free(&out);
	return r < 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int print(const struct ipct_event *ev)
{
	struct ipct_fmt f = { .start_ns = 4000000000ull, .realtime_off = 1700000000000000000ll };
	struct ipct_buf out = { 0 };
	int r = 0;

	for (int m = 0; m < 2 && !r; m++) {
		f.mode = m ? IPCT_OUT_JSON : IPCT_OUT_TEXT;
		for (int k = 0; k < NEVENTS && !r; k++)
			r = ipct_format_event(&f, &ev[k], &out);
	}
	if (!r && fwrite(out.data + out.start, 1, ipct_buf_len(&out), stdout) != ipct_buf_len(&out))
		r = -1;
	ipct_buf_free(&out);
	return r < 0;
}

static int run(enum ipct_output mode, const struct ipct_event *ev, long rounds)
{
	struct ipct_fmt f = { .mode = mode, .start_ns = 4000000000ull, .realtime_off = 1700000000000000000ll };
	struct ipct_buf out = { 0 };
	size_t bytes = 0;
	double t0, t1;

	t0 = now();
	for (long i = 0; i < rounds; i++) {
		for (int k = 0; k < NEVENTS; k++)
			if (ipct_format_event(&f, &ev[k], &out) < 0) {
				fprintf(stderr, "fmt_bench: formatting failed\n");
				return 1;
			}
		if (i % 32 == 31) {
			bytes += ipct_buf_len(&out);
			ipct_buf_consume(&out, ipct_buf_len(&out));
		}
	}
	t1 = now();
	bytes += ipct_buf_len(&out);
	printf("%-4s %8.1f ns/event  %6.1f bytes/event  (%ld events)\n", mode == IPCT_OUT_JSON ? "json" : "text",
	       (t1 - t0) / ((double)rounds * NEVENTS), (double)bytes / ((double)rounds * NEVENTS),
	       rounds * NEVENTS);
	ipct_buf_free(&out);
	return 0;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 250000;
	const char *only = argc > 2 ? argv[2] : "";
	struct ipct_event ev[NEVENTS];

	make_events(ev);
	if (argc > 1 && !strcmp(argv[1], "print"))
		return print(ev);
	if (argc > 1 && !strcmp(argv[1], "vary"))
		return print_vary(ev, argc > 2 ? strtol(argv[2], NULL, 10) : 10000);
	if (rounds <= 0) {
		fprintf(stderr, "usage: fmt_bench [rounds [text|json]]\n");
		return 2;
	}
	if (strcmp(only, "json") && run(IPCT_OUT_TEXT, ev, rounds))
		return 1;
	if (strcmp(only, "text") && run(IPCT_OUT_JSON, ev, rounds))
		return 1;
	return 0;
}
