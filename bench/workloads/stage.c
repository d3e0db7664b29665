// SPDX-License-Identifier: MIT
// stage MODE N FD SLOT SLOTS: one process of the pipeline workload, exec'd by
// it. gen: writes N lines of 64 bytes to stdout, one write each; cat: copies
// stdin to stdout with 4 KiB reads; sink: reads stdin (4 KiB reads) to the
// end. Counts its calls, its exec and its exit into slot SLOT of the
// counters that the memfd FD holds (mapping it is no traced syscall).

#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	wl_init("stage");
	if (argc != 6)
		wl_fail("usage: stage gen|cat|sink N FD SLOT SLOTS");
	const char *mode = argv[1];
	long n = wl_parse(argv[2], 0, 1000000000000L);
	int fd = wl_parse(argv[3], 0, 1 << 20);
	int slot = wl_parse(argv[4], 0, 1 << 20);
	int nslots = wl_parse(argv[5], slot + 1, 1 << 20);
	struct wl_counts *c = &wl_slots_map(fd, nslots)[slot];
	static char buf[4096];
	size_t got;

	wl_count(c, W_EXEC);
	if (!strcmp(mode, "gen")) {
		memset(buf, 'x', 63);
		buf[63] = '\n';
		for (long i = 0; i < n; i++)
			wl_write_all(c, 1, buf, 64);
	} else if (!strcmp(mode, "cat")) {
		while ((got = wl_read(c, 0, buf, sizeof(buf))) > 0)
			wl_write_all(c, 1, buf, got);
	} else if (!strcmp(mode, "sink")) {
		while (wl_read(c, 0, buf, sizeof(buf)) > 0)
			;
	} else {
		wl_fail("unknown mode '%s'", mode);
	}
	wl_exit(c, 0);
}
