/* SPDX-License-Identifier: MIT */
/*
 * This test process as lib/symbols.c knows a traced one: where its text is
 * mapped (an exec event's text_start and text_end), so that its own
 * functions can stand for a traced program's signal handlers.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

/* The kernel's mm->start_code and end_code for this process (fields 26, 27 of stat). */
static inline int text_range(__u64 *start, __u64 *end)
{
	FILE *f = fopen("/proc/self/stat", "re");
	char buf[4096], *p;
	int field = 2, ok = 0;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')'))) {
		for (p = strtok(p + 1, " "); p; p = strtok(NULL, " ")) {
			field++;
			if (field == 26)
				*start = strtoull(p, NULL, 10);
			if (field == 27) {
				*end = strtoull(p, NULL, 10);
				ok = 1;
				break;
			}
		}
	}
	fclose(f);
	return ok ? 0 : -1;
}
