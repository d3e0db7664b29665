// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/symbols.c: this test's own functions named from its
 * address space; files known by identity, not path (a rebuild at the same
 * path); the bound on files kept; a process gone between its exec and the
 * lookup; names read on the worker thread.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "selftext.h"
#include "symbols.h"

/* Not static and not inlined: it must be a function symbol of this binary. */
__attribute__((noinline)) int marker_function(int x)
{
	return x * 3 + 1;
}

/* Where the linker put the first byte of this executable (PIE: file address 0). */
extern const char __executable_start[];

/* marker_function's address in this executable's file, as linked. */
static uint64_t marker_vaddr(void)
{
	return (uint64_t)((uintptr_t)&marker_function - (uintptr_t)__executable_start);
}

/* src's bytes into dst: over its inode when it exists (trunc), else a new file. */
static int copy_file(const char *src, const char *dst)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * From the file, by its own address: a copy of this executable names the
 * function; the same copy with its ELF magic broken is not ELF and has no
 * symbols, and neither has a file that is not there.
 */
int main(void);

static void test_files(const char *dir)
{
	struct ipct_syms *s = ipct_syms_new();
	uint64_t main_vaddr = marker_vaddr() + (uint64_t)((uintptr_t)&main - (uintptr_t)&marker_function);
	char elf[256], not_elf[256], gone[256];
	int fd;

	snprintf(elf, sizeof(elf), "%s/elf", dir);
	snprintf(not_elf, sizeof(not_elf), "%s/not-elf", dir);
	snprintf(gone, sizeof(gone), "%s/gone", dir);
	CHECK_INT(copy_file("/proc/self/exe", elf), 0);
	CHECK_INT(copy_file("/proc/self/exe", not_elf), 0);
	fd = open(not_elf, O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0 && pwrite(fd, "NOT-ELF", 7, 0) == 7);
	if (fd >= 0)
		close(fd);
	CHECK_STR(ipct_elf_symbol(s, elf, marker_vaddr()), "marker_function");
	CHECK_STR(ipct_elf_symbol(s, elf, main_vaddr), "main");
	CHECK_STR(ipct_elf_symbol(s, not_elf, marker_vaddr()), NULL);
	CHECK_STR(ipct_elf_symbol(s, gone, marker_vaddr()), NULL);
	unlink(elf);
	unlink(not_elf);
	ipct_syms_free(s);
}

/* A path names a file only as long as it does: a rebuild there is another file. */
static void test_identity(const char *dir)
{
	struct ipct_syms *s = ipct_syms_new();
	char path[256], other[256];

	snprintf(path, sizeof(path), "%s/prog", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	CHECK_INT(copy_file("/proc/self/exe", path), 0);
	CHECK_STR(ipct_elf_symbol(s, path, marker_vaddr()), "marker_function");
	/* Another program renamed over the path (a stripped one: no name there). */
	CHECK_INT(copy_file("/bin/true", other), 0);
	CHECK_INT(rename(other, path), 0);
	CHECK_STR(ipct_elf_symbol(s, path, marker_vaddr()), NULL);
	/* This one written back over that inode. */
	CHECK_INT(copy_file("/proc/self/exe", path), 0);
	CHECK_STR(ipct_elf_symbol(s, path, marker_vaddr()), "marker_function");
	unlink(path);
	ipct_syms_free(s);
}

/*
 * At most IPCT_SYMS_FILES files: the unreferenced least recently used go
 * first; when live processes use them all, another is not read (counted).
 */
static void test_bound(const char *dir, const struct ipct_event *self)
{
	struct ipct_syms *s = ipct_syms_new();
	struct ipct_syms_stats st;
	uint64_t addr = (uint64_t)(uintptr_t)&marker_function;
	char path[256];

	for (int i = 0; i < IPCT_SYMS_FILES + 4; i++) {
		snprintf(path, sizeof(path), "%s/copy%d", dir, i);
		CHECK_INT(copy_file("/proc/self/exe", path), 0);
		CHECK_STR(ipct_elf_symbol(s, path, marker_vaddr()), "marker_function");
	}
	ipct_syms_stats(s, &st);
	CHECK_INT(st.files, IPCT_SYMS_FILES);
	CHECK_INT(st.loads, IPCT_SYMS_FILES + 4);
	CHECK_INT(st.evicted, 4);

	/* Processes (gone: their files are taken from their paths) that each run a copy, and hold it. */
	for (int i = 0; i < IPCT_SYMS_FILES + 1; i++) {
		struct ipct_event e = *self;

		e.pid = 3000000 + i;
		e.ts_ns = boottime_ns();
		snprintf(e.proc.path, sizeof(e.proc.path), "%s/copy%d", dir, i);
		ipct_syms_on_event(s, &e);
		CHECK_STR(ipct_syms_resolve(s, e.pid, addr), i < IPCT_SYMS_FILES ? "marker_function" : NULL);
	}
	ipct_syms_stats(s, &st);
	CHECK_INT(st.files, IPCT_SYMS_FILES);
	CHECK_INT(st.refused, 1);
	for (int i = 0; i < IPCT_SYMS_FILES + 4; i++) {
		snprintf(path, sizeof(path), "%s/copy%d", dir, i);
		unlink(path);
	}
	ipct_syms_free(s);
}

/*
 * A process running when its exec is seen, gone when its handler is
 * looked up: named from the file it ran, at the path /proc gave while it
 * ran (the exec's own path names nothing here).
 */
static void test_gone_after_exec(const struct ipct_event *self)
{
	struct ipct_syms *s = ipct_syms_new();
	struct ipct_event e = *self;
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	CHECK(child > 0);
	e.pid = (uint32_t)child;
	e.ts_ns = boottime_ns();
	snprintf(e.proc.path, sizeof(e.proc.path), "/nonexistent/prog");
	ipct_syms_on_event(s, &e);
	kill(child, SIGKILL);
	CHECK_INT(waitpid(child, NULL, 0), child);
	CHECK_STR(ipct_syms_resolve(s, e.pid, (uint64_t)(uintptr_t)&marker_function), "marker_function");
	ipct_syms_free(s);
}

/*
 * On the worker: a handler delivered before its file is read is named once
 * it is, for the delivery that asked, after the caller applies the result;
 * and for a second holder of that name (ipct_sym_pending_dup), which keeps
 * it after the first lets go.
 */
static void test_async(const struct ipct_event *self)
{
	struct ipct_syms *s = ipct_syms_new_async();
	struct ipct_event e = { .type = IPCT_EV_SIGNAL_DELIVER, .pid = self->pid, .tid = self->pid + 7,
				.ts_ns = 12345 };
	uint64_t addr = (uint64_t)(uintptr_t)&marker_function;
	struct ipct_sym_pending *p, *q = NULL;
	struct ipct_syms_stats st;
	const char *name = "";

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(ipct_syms_fd(s) >= 0);
	ipct_syms_on_event(s, self);
	e.sig.sig = 10;
	e.sig.handler = addr;
	ipct_syms_on_event(s, &e);
	/* Nothing is read in this thread: no name until the result is applied here. */
	CHECK_STR(ipct_syms_resolve(s, self->pid, addr), NULL);
	CHECK(ipct_syms_take_pending(s, e.tid, e.ts_ns + 1) == NULL);
	p = ipct_syms_take_pending(s, e.tid, e.ts_ns);
	CHECK(p != NULL);
	if (p) {
		CHECK(!ipct_sym_pending_name(p, &name));
		q = ipct_sym_pending_dup(s, p);
		CHECK(q != NULL);
	}
	CHECK(ipct_syms_wait(s, 10000));
	if (p) {
		CHECK(ipct_sym_pending_name(p, &name));
		CHECK_STR(name, "marker_function");
	}
	CHECK_STR(ipct_syms_resolve(s, self->pid, addr), "marker_function");
	ipct_sym_pending_free(s, p);
	if (q) {
		name = "";
		CHECK(ipct_sym_pending_name(q, &name));
		CHECK_STR(name, "marker_function");
	}
	ipct_sym_pending_free(s, q);
	ipct_syms_stats(s, &st);
	CHECK_INT(st.loads, 1);
	CHECK_INT(st.pending, 0);
	ipct_syms_free(s);
}

int main(void)
{
	struct ipct_syms *s = ipct_syms_new();
	struct ipct_event e = { .type = IPCT_EV_EXEC, .pid = (uint32_t)getpid() };
	uint64_t addr = (uint64_t)(uintptr_t)&marker_function;
	char dir[] = "/tmp/test-symbols-XXXXXX";

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

	ipct_syms_free(s);

	e.type = IPCT_EV_EXEC;
	e.pid = (uint32_t)getpid();
	CHECK(mkdtemp(dir) != NULL);
	test_files(dir);
	test_identity(dir);
	test_bound(dir, &e);
	test_gone_after_exec(&e);
	test_async(&e);
	rmdir(dir);
	return check_done("test-symbols");
}
