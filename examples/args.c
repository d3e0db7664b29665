// SPDX-License-Identifier: MIT
// Example "what a program was given": `args [again] ARG...` reports its pid and its argv as a
// JSON list; with `again` first, it execs itself with the arguments after it (the same process
// execs twice: its second program reports). Arguments may hold anything a shell can pass.

#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "example.h"

/* s as a JSON string: quotes, backslashes and control characters escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int main(int argc, char **argv)
{
	FILE *f;

	ex_init("args");
	if (argc > 1 && !strcmp(argv[1], "again")) {
		argv[1] = argv[0];
		execv("/proc/self/exe", argv + 1);
		die("execv");
	}
	f = report_open(stderr);
	fprintf(f, "{\"pid\":%d,\"argv\":[", (int)getpid());
	for (int i = 0; i < argc; i++) {
		if (i)
			fputc(',', f);
		json_str(f, argv[i]);
	}
	fprintf(f, "]}\n");
	report_close(f);
	return 0;
}
