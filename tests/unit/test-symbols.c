// SPDX-License-Identifier: MIT
/* Unit tests for lib/symbols.c: this test's own functions named from its address space and its file. */
#include <fcntl.h>
#include <link.h>
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

/* This executable's load bias: its addresses minus the file's (the first object dl_iterate_phdr visits). */
static int load_bias(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uint64_t *)data = info->dlpi_addr;
	return 1;
}

/* A copy of this executable in a new file (its path in tmpl), with its first
 * bytes replaced by `head` when that is not NULL. 0, or -1. */
static int copy_self(char *tmpl, const char *head)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), out = mkstemp(tmpl), ok = in >= 0 && out >= 0;
	ssize_t n;

	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	if (ok && head)
		ok = pwrite(out, head, strlen(head), 0) == (ssize_t)strlen(head);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
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

	/*
	 * From the file, by its own address: a copy of this executable names the
	 * function; the same copy with its ELF magic broken is not ELF and has no
	 * symbols, and neither has a file that is not there.
	 */
	char elf[] = "/tmp/test-symbols-elf.XXXXXX", not_elf[] = "/tmp/test-symbols-notelf.XXXXXX";
	char gone[] = "/tmp/test-symbols-gone.XXXXXX";
	uint64_t bias = 0;

	dl_iterate_phdr(load_bias, &bias);
	CHECK_INT(copy_self(elf, NULL), 0);
	CHECK_INT(copy_self(not_elf, "NOT-ELF"), 0);
	CHECK_INT(copy_self(gone, NULL), 0);
	unlink(gone);
	CHECK_STR(ipct_elf_symbol(s, elf, addr - bias), "marker_function");
	CHECK_STR(ipct_elf_symbol(s, elf, (uint64_t)(uintptr_t)&main - bias), "main");
	CHECK_STR(ipct_elf_symbol(s, not_elf, addr - bias), NULL);
	CHECK_STR(ipct_elf_symbol(s, gone, addr - bias), NULL);
	unlink(elf);
	unlink(not_elf);
	ipct_syms_free(s);
	return check_done("test-symbols");
}
