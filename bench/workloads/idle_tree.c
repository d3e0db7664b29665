// SPDX-License-Identifier: MIT
// idle_tree N [read]: forks N children that sleep until they are killed, in
// pause() (no traced syscall), or with "read" in a read() of one pipe that
// nobody writes to (the parent keeps its write end); then the parent sleeps
// too. What a tracer costs while the
// processes it traces do nothing: bench/traced_set.py. With $BENCH_GATE_FD
// it first waits for one byte on that descriptor (a session attaches then).
// The driver ends the tree by killing its process group; it writes no
// report (nothing is measured in it).

#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	wl_init("idle_tree");
	long n = wl_ops(argc, argv, 10);
	bool readers = argc > 2 && !strcmp(argv[2], "read");
	struct wl_counts *s = wl_slots(1);
	int fds[2];
	char x;

	wl_gate(&s[0]);
	if (readers && pipe2(fds, 0) < 0)
		wl_die("pipe2");
	for (long i = 0; i < n; i++) {
		if (wl_fork(&s[0]))
			continue;
		if (readers)
			wl_read(&s[0], fds[0], &x, 1);
		for (;;)
			pause();
	}
	for (;;)
		pause();
}
