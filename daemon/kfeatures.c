// SPDX-License-Identifier: MIT
/*
 * The kernel features the BPF programs cannot do without, probed the way
 * libbpf and bpftool probe (a tiny map or program loaded and thrown away).
 * What they can do without (bpf_task_pt_regs, 5.15; bpf_rdonly_cast, 6.2)
 * is chosen at load time instead (tracer.c, bpf/ipctrace.bpf.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kfeatures.h"

/* Where libbpf reads it from; parsing it (a quarter of a second) is left to the load. */
static int has_vmlinux_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

static int has_ringbuf(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
}

static int has_task_storage(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL);
}

/*
 * The programs are raw tracepoints: a helper must be allowed in those. A
 * program that calls it is loaded; the verifier checks that the program
 * type may call the helper before it looks at the arguments, so whatever
 * else it then objects to means the helper is there. (libbpf's
 * libbpf_probe_bpf_helper misses the wording of newer kernels, "program of
 * this type cannot use helper", and calls such a helper supported.)
 */
static int has_helper(enum bpf_func_id id)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = id },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL, "GPL", insns, 2, &o);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (errno == EPERM)
		return -EPERM;
	return strstr(log, "unknown func ") || strstr(log, "invalid func ") ||
	       strstr(log, "cannot use helper") ? 0 : 1;
}

static int has_boot_ns(void)
{
	return has_helper(BPF_FUNC_ktime_get_boot_ns);
}

static int has_current_task_btf(void)
{
	return has_helper(BPF_FUNC_get_current_task_btf);
}

static int has_task_storage_get(void)
{
	return has_helper(BPF_FUNC_task_storage_get);
}

/* Oldest first: the first one missing says the most about how old the kernel is. */
const struct kfeature kfeatures[] = {
	{ "type information (BTF) for the kernel, /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)", "5.4", has_vmlinux_btf },
	{ "BPF ring buffer (BPF_MAP_TYPE_RINGBUF)", "5.8", has_ringbuf },
	{ "boot-time clock in BPF programs (bpf_ktime_get_boot_ns)", "5.8", has_boot_ns },
	{ "typed current task in tracing programs (bpf_get_current_task_btf)", "5.11", has_current_task_btf },
	{ "task-local storage maps (BPF_MAP_TYPE_TASK_STORAGE)", "5.11", has_task_storage },
	{ "task-local storage in tracing programs (bpf_task_storage_get)", "5.12", has_task_storage_get },
	{ NULL, NULL, NULL },
};

/* "5.12" as 5012: releases compare as numbers. */
static unsigned release_num(const char *r)
{
	unsigned major = 0, minor = 0;

	sscanf(r, "%u.%u", &major, &minor);
	return major * 1000 + minor;
}

const char *kfeatures_min_linux(void)
{
	const char *min = kfeatures[0].since;

	for (const struct kfeature *f = kfeatures; f->what; f++)
		if (release_num(f->since) > release_num(min))
			min = f->since;
	return min;
}

int kfeature_probe(const struct kfeature *f)
{
	return f->probe();
}

const struct kfeature *kfeatures_missing(int (*probe)(const struct kfeature *f))
{
	for (const struct kfeature *f = kfeatures; f->what; f++)
		if (probe(f) == 0)
			return f;
	return NULL;
}

int kfeatures_print(FILE *out)
{
	bool root = geteuid() == 0;
	struct utsname u;
	int missing = 0;

	uname(&u);
	fprintf(out, "Linux %s; ipctraced needs Linux %s or later, with:\n", u.release, kfeatures_min_linux());
	for (const struct kfeature *f = kfeatures; f->what; f++) {
		/* Only root may load what the probes load. */
		int r = root ? f->probe() : -EPERM;

		fprintf(out, "  %-5s %-8s %s\n", f->since, r > 0 ? "yes" : r == 0 ? "MISSING" : "unknown", f->what);
		if (r < 0 && root)
			fprintf(out, "  %-5s %-8s (the probe failed: %s)\n", "", "", strerror(-r));
		missing += r <= 0;
	}
	if (!root)
		fprintf(out, "Only root can probe the kernel: run ipctraced --check-kernel as root.\n");
	return missing ? 1 : 0;
}
