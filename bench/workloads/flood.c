// SPDX-License-Identifier: MIT
// flood OPS [PROCS [SECONDS [RATE]]]: PROCS processes (default 1), each with
// its own pipe, each writing one byte and reading it back as fast as it can
// (or at RATE ops per second each, when RATE is given and not 0: it sleeps,
// which is no traced syscall), OPS times or until SECONDS have passed (0: no
// limit), whichever comes first.
// Two events per op. "ops" in the report is the total over all processes
// (the counts hold every event a complete trace must show), and elapsed_ns
// runs from the first fork to the last wait. With $BENCH_GATE_FD it first
// waits for one byte on that descriptor (bench/capacity.py attaches then).

#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	wl_init("flood");
	long ops = wl_ops(argc, argv, 1000000);
	int procs = argc > 2 ? wl_parse(argv[2], 1, 4096) : 1;
	long seconds = argc > 3 ? wl_parse(argv[3], 0, 86400) : 0;
	long rate = argc > 4 ? wl_parse(argv[4], 0, 1000000000) : 0;
	struct wl_counts *s = wl_slots(procs + 1);
	pid_t pids[4096];

	wl_gate(&s[0]);
	uint64_t t0 = wl_now();
	uint64_t deadline = seconds ? t0 + seconds * 1000000000ull : 0;
	for (int i = 0; i < procs; i++) {
		pids[i] = wl_fork(&s[0]);
		if (pids[i])
			continue;
		struct wl_counts *c = &s[i + 1];
		int fds[2];
		char x = 'x';

		if (pipe2(fds, 0) < 0)
			wl_die("pipe2");
		wl_count(c, W_PIPE2);
		for (long k = 0; k < ops; k++) {
			wl_write(c, fds[1], &x, 1);
			wl_read(c, fds[0], &x, 1);
			if ((k & 255) == 255 && (deadline || rate)) {
				uint64_t now = wl_now();

				if (deadline && now >= deadline)
					break;
				if (rate) {
					uint64_t due = t0 + (uint64_t)((k + 1) * (1e9 / rate));

					if (due > now) {
						struct timespec ts = { (due - now) / 1000000000, (due - now) % 1000000000 };
						nanosleep(&ts, NULL);
					}
				}
			}
		}
		wl_exit(c, 0);
	}
	for (int i = 0; i < procs; i++)
		wl_wait_ok(&s[0], pids[i], "flooder");
	uint64_t t1 = wl_now();

	long done = 0;
	for (int i = 1; i <= procs; i++)
		done += s[i].n[W_READ];
	char extra[64];
	snprintf(extra, sizeof(extra), ",\"procs\":%d", procs);
	wl_report("flood", done, t1 - t0, s, procs + 1, extra);
	return 0;
}
