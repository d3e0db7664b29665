// SPDX-License-Identifier: MIT
// stage MODE N FD SLOT SLOTS WRITE BUF: one process of the pipeline workloads,
// exec'd by them. gen: writes N lines of 64 bytes to stdout, WRITE bytes
// (whole lines) per write; cat: copies stdin to stdout with reads of up to
// BUF bytes; sink: reads stdin (BUF at a time) to the end. Counts its calls,
// its exec and its exit into slot SLOT of the counters that the memfd FD
// holds (mapping it is no traced syscall).

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wl.h"

int main(int argc, char **argv)
{
	wl_init("stage");
	if (argc != 8)
		wl_fail("usage: stage gen|cat|sink N FD SLOT SLOTS WRITE BUF");
	const char *mode = argv[1];
	long n = wl_parse(argv[2], 0, 1000000000000L);
	int fd = wl_parse(argv[3], 0, 1 << 20);
	int slot = wl_parse(argv[4], 0, 1 << 20);
	int nslots = wl_parse(argv[5], slot + 1, 1 << 20);
	long wr = wl_parse(argv[6], 64, 1 << 20), bufsize = wl_parse(argv[7], 64, 1 << 24);
	struct wl_counts *c = &wl_slots_map(fd, nslots)[slot];
	char *buf = malloc(wr > bufsize ? wr : bufsize);
	size_t got;

	if (!buf || wr % 64)
		wl_fail("WRITE must be whole 64-byte lines");
	wl_count(c, W_EXEC);
	if (!strcmp(mode, "gen")) {
		for (long i = 0; i < wr; i += 64) {
			memset(buf + i, 'x', 63);
			buf[i + 63] = '\n';
		}
		for (long left = n * 64; left > 0; left -= wr)
			wl_write_all(c, 1, buf, left < wr ? left : wr);
	} else if (!strcmp(mode, "cat")) {
		while ((got = wl_read(c, 0, buf, bufsize)) > 0)
			wl_write_all(c, 1, buf, got);
	} else if (!strcmp(mode, "sink")) {
		while (wl_read(c, 0, buf, bufsize) > 0)
			;
	} else {
		wl_fail("unknown mode '%s'", mode);
	}
	wl_exit(c, 0);
}
