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
