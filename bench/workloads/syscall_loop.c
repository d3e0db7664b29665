// SPDX-License-Identifier: MIT
// syscall_loop N [getppid|read|futex]: N cheap syscalls that are no IPC event
// (getppid(), a 1-byte read() of /dev/null, or a private FUTEX_WAKE with no
// waiter, what a mutex's unlock makes), timed: ns_per_op is the cost of one
// syscall, to see what tracing something else costs an untraced process
// (bench/idle.py).

#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	wl_init("syscall_loop");
	long ops = wl_ops(argc, argv, 1000000);
	const char *mode = argc > 2 ? argv[2] : "getppid";
	struct wl_counts *s = wl_slots(1);
	volatile long sink = 0;
	char x;
	uint64_t t0, t1;

	if (!strcmp(mode, "getppid")) {
		t0 = wl_now();
		for (long i = 0; i < ops; i++)
			sink += getppid();
		t1 = wl_now();
	} else if (!strcmp(mode, "read")) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			wl_die("/dev/null");
		t0 = wl_now();
		for (long i = 0; i < ops; i++)
			sink += read(fd, &x, 1);
		t1 = wl_now();
		s->other[W_READ] += ops; /* a device: filtered out of an ipctrace trace */
	} else if (!strcmp(mode, "futex")) {
		static int word;

		t0 = wl_now();
		for (long i = 0; i < ops; i++)
			sink += syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		t1 = wl_now();
	} else {
		wl_fail("unknown mode '%s' (getppid, read or futex)", mode);
	}
	(void)sink;
	char extra[64];
	snprintf(extra, sizeof(extra), ",\"syscall\":\"%s\"", mode);
	wl_report("syscall_loop", ops, t1 - t0, s, 1, extra);
	return 0;
}
