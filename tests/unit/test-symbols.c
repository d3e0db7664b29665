// SPDX-License-Identifier: MIT
/* Unit tests for lib/symbols.c: this test's own functions named from its address space. */
#include <unistd.h>

#include "check.h"
#include "symbols.h"

/* Not static and not inlined: it must be a function symbol of this binary. */
__attribute__((noinline)) int marker_function(int x)
{
	return x * 3 + 1;
}

/* The kernel's mm->start_code and end_code for this process (fields 26, 27 of stat). */
static int text_range(__u64 *start, __u64 *end)
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

int main(void)
{
	struct ipct_syms *s = ipct_syms_new();
	struct ipct_event e = { .type = IPCT_EV_EXEC, .pid = (uint32_t)getpid() };
	uint64_t addr = (uint64_t)(uintptr_t)&marker_function;

	CHECK(s != NULL);
	CHECK_INT(text_range(&e.proc.text_start, &e.proc.text_end), 0);
	snprintf(e.proc.path, sizeof(e.proc.path), "/proc/self/exe");
	ipct_syms_on_event(s, &e);
	CHECK_STR(ipct_syms_resolve(s, e.pid, addr), "marker_function");
	CHECK_STR(ipct_syms_resolve(s, e.pid, addr + 1), "marker_function");
	CHECK_STR(ipct_syms_resolve(s, e.pid, (uint64_t)(uintptr_t)&main), "main");
	/* Outside the text, or in an unknown process: no name. */
	CHECK_STR(ipct_syms_resolve(s, e.pid, e.proc.text_end + 4096), NULL);
	CHECK_STR(ipct_syms_resolve(s, e.pid + 1, addr), NULL);

	/* A child forked without exec runs the same code. */
	e.type = IPCT_EV_FORK;
	e.proc.child_pid = e.pid + 1000000;
	ipct_syms_on_event(s, &e);
	CHECK_STR(ipct_syms_resolve(s, e.proc.child_pid, addr), "marker_function");
	/* And is forgotten when it exits. */
	e.type = IPCT_EV_EXIT;
	e.pid = e.proc.child_pid;
	ipct_syms_on_event(s, &e);
	CHECK_STR(ipct_syms_resolve(s, e.pid, addr), NULL);

	/* A file that is not ELF has no symbols. */
	CHECK_STR(ipct_elf_symbol(s, "/etc/hostname", 0x1000), NULL);
	CHECK(marker_function(1) == 4);
	ipct_syms_free(s);
	return check_done("test-symbols");
}
