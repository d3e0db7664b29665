// SPDX-License-Identifier: MIT
// pipeline OPS: what a shell does for `stage gen OPS | stage cat | stage sink`:
// two pipes, three forks, dup2 onto stdin/stdout, three execve()s of
// bench/workloads/stage, then the parent closes its pipe ends and waits. The
// first stage writes OPS lines of 64 bytes, GEN_WRITE bytes per write; the
// second copies stdin to stdout with reads of COPY_BUF; the third reads to
// the end. Built twice (bench/meson.build): `pipeline` as tools with stdio
// behave in a pipe (4 KiB writes, 128 KiB reads like coreutils' cat), and
// `pipeline_lines`, a write per line and 4 KiB reads: the worst case, where
// a 64-byte write costs little more than entering the kernel.
// ns_per_op is per line, from the first fork to the last wait (so fork and
// exec are in the measured time). The stages count into a memfd they map
// (no syscall during the run); it reaches them as an inherited descriptor.

#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wl.h"

#define STAGES 3
#ifndef GEN_WRITE
#error "build with -DGEN_WRITE=bytes -DCOPY_BUF=bytes -DWL_NAME=name"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

static char stage_path[PATH_MAX];

static void find_stage(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		wl_die("readlink /proc/self/exe");
	self[n] = 0;
	char *slash = strrchr(self, '/');
	*slash = 0;
	if (snprintf(stage_path, sizeof(stage_path), "%s/stage", self) >= (int)sizeof(stage_path))
		wl_fail("path too long");
}

static pid_t start_stage(struct wl_counts *s, int slot, const char *mode, int in, int out,
			 const char *ops, int memfd)
{
	pid_t pid = wl_fork(&s[0]);

	if (pid)
		return pid;
	struct wl_counts *c = &s[slot];
	char fd_arg[16], slot_arg[16], n_arg[16];
	const char *wr_arg = STR(GEN_WRITE), *buf_arg = STR(COPY_BUF);

	/* dup2 clears close-on-exec on the copy; the pipe2 originals close at exec. */
	if (in >= 0) {
		wl_count(c, W_DUP2);
		if (dup2(in, 0) < 0)
			wl_die("dup2");
	}
	if (out >= 0) {
		wl_count(c, W_DUP2);
		if (dup2(out, 1) < 0)
			wl_die("dup2");
	}
	snprintf(fd_arg, sizeof(fd_arg), "%d", memfd);
	snprintf(slot_arg, sizeof(slot_arg), "%d", slot);
	snprintf(n_arg, sizeof(n_arg), "%d", STAGES + 1);
	execl(stage_path, "stage", mode, ops, fd_arg, slot_arg, n_arg, wr_arg, buf_arg, (char *)NULL);
	wl_die(stage_path);
}

int main(int argc, char **argv)
{
	wl_init(WL_NAME);
	long ops = wl_ops(argc, argv, 100000);
	int memfd;
	struct wl_counts *s = wl_slots_memfd(STAGES + 1, &memfd), *p = &s[0];
	int a[2], b[2];
	pid_t pids[STAGES];
	char ops_arg[32];

	find_stage();
	snprintf(ops_arg, sizeof(ops_arg), "%ld", ops);
	if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
		wl_die("pipe2");
	wl_count(p, W_PIPE2);
	wl_count(p, W_PIPE2);

	uint64_t t0 = wl_now();
	pids[0] = start_stage(s, 1, "gen", -1, a[1], ops_arg, memfd);
	pids[1] = start_stage(s, 2, "cat", a[0], b[1], ops_arg, memfd);
	pids[2] = start_stage(s, 3, "sink", b[0], -1, ops_arg, memfd);
	wl_close(p, a[0]);
	wl_close(p, a[1]);
	wl_close(p, b[0]);
	wl_close(p, b[1]);
	for (int i = 0; i < STAGES; i++)
		wl_wait_ok(p, pids[i], "stage");
	uint64_t t1 = wl_now();

	if (s[3].bytes[W_READ] != ops * 64)
		wl_fail("the last stage read %ld bytes, expected %ld", s[3].bytes[W_READ], ops * 64);
	wl_report(WL_NAME, ops, t1 - t0, s, STAGES + 1, NULL);
	return 0;
}
