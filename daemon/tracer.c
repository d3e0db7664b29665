// SPDX-License-Identifier: MIT
/*
 * Loads the BPF object from its skeleton, fills its read-only configuration
 * (the syscall filter table, the daemon's own tgid), and attaches the
 * programs only while something is traced: raw sys_enter/sys_exit programs
 * cost every process on the machine tens of nanoseconds per syscall just by
 * being attached (KERNEL-NOTES.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "ipctrace.skel.h"
#include "syscalls.h"
#include "tracer.h"

struct tracer {
	struct ipctrace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **links;
	size_t nlinks;
	bool attached;
	bool typed_reads;
	int (*on_event)(void *ctx, const struct ipct_event *e);
	void *ctx;
};

static int ring_cb(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	/* A record of another size comes from another build: never misread it. */
	if (size < sizeof(struct ipct_event))
		return 0;
	return t->on_event(t->ctx, data);
}

/* Does the running kernel have bpf_rdonly_cast (6.2)? Its BTF says. */
static bool kernel_has_rdonly_cast(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool has;

	if (!vmlinux)
		return false;
	has = btf__find_by_name_kind(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
	btf__free(vmlinux);
	return has;
}

/*
 * The hot programs come in two forms (bpf/ipctrace.bpf.c, KREAD): the typed
 * one where the kernel can cast, the "_core" one elsewhere. Only one of
 * each pair is loaded.
 */
static bool choose_forms(struct ipctrace_bpf *skel, bool core_reads)
{
	bool typed = !core_reads && kernel_has_rdonly_cast();
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		size_t n = strlen(name);
		bool core = n > 5 && !strcmp(name + n - 5, "_core");
		char twin[128];

		if (core) {
			bpf_program__set_autoload(prog, !typed);
			continue;
		}
		snprintf(twin, sizeof(twin), "%s_core", name);
		if (bpf_object__find_program_by_name(skel->obj, twin))
			bpf_program__set_autoload(prog, typed);
	}
	return typed;
}

struct tracer *tracer_new(const struct tracer_opts *opts)
{
	struct tracer *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return NULL;
	t->on_event = opts->on_event;
	t->ctx = opts->ctx;
	t->skel = ipctrace_bpf__open();
	if (!t->skel) {
		err = -errno;
		goto fail;
	}
	t->skel->rodata->daemon_tgid = getpid();
	t->skel->rodata->wakeup_bytes = opts->wakeup_bytes;
	for (const struct ipct_syscall *s = ipct_syscalls; s->name; s++)
		if (s->nr >= 0 && s->nr < IPCT_NR_MAX)
			t->skel->rodata->sys_class[s->nr] = s->cls;
	err = bpf_map__set_max_entries(t->skel->maps.events, opts->ring_bytes);
	if (err)
		goto fail;
	t->typed_reads = choose_forms(t->skel, opts->core_reads);
	err = ipctrace_bpf__load(t->skel);
	if (err)
		goto fail;
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), ring_cb, t, NULL);
	if (!t->rb) {
		err = -errno;
		goto fail;
	}
	return t;
fail:
	tracer_free(t);
	errno = -err;
	return NULL;
}

void tracer_free(struct tracer *t)
{
	if (!t)
		return;
	tracer_detach(t);
	free(t->links);
	ring_buffer__free(t->rb);
	ipctrace_bpf__destroy(t->skel);
	free(t);
}

int tracer_attach(struct tracer *t)
{
	struct bpf_program *prog;
	size_t n = 0;
	int err;

	if (t->attached)
		return 0;
	bpf_object__for_each_program(prog, t->skel->obj)
		n += bpf_program__autoload(prog);
	free(t->links);
	t->links = calloc(n, sizeof(*t->links));
	if (!t->links)
		return -ENOMEM;
	t->nlinks = 0;
	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			tracer_detach(t);
			return err;
		}
		t->links[t->nlinks++] = link;
	}
	t->attached = true;
	return 0;
}

void tracer_detach(struct tracer *t)
{
	for (size_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	t->nlinks = 0;
	t->attached = false;
}

bool tracer_attached(const struct tracer *t)
{
	return t->attached;
}

bool tracer_typed_reads(const struct tracer *t)
{
	return t->typed_reads;
}

int tracer_wake_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.events);
}

int tracer_drain(struct tracer *t)
{
	return ring_buffer__consume(t->rb);
}

int tracer_trace_pid(struct tracer *t, pid_t pid, uint32_t session, bool from_exec)
{
	__u32 key = pid;

	if (from_exec)
		session |= IPCT_SESSION_HELD;
	if (bpf_map__update_elem(t->skel->maps.traced, &key, sizeof(key), &session,
				 sizeof(session), BPF_NOEXIST))
		return -errno;
	return 0;
}

/* Counts the traced processes of a session, removing them from the map with `remove`. */
static int for_each_traced(struct tracer *t, uint32_t session, bool remove)
{
	struct bpf_map *m = t->skel->maps.traced;
	__u32 key, next, val;
	bool first = true;
	int n = 0;

	while (!bpf_map__get_next_key(m, first ? NULL : &key, &next, sizeof(next))) {
		first = false;
		key = next;
		if (bpf_map__lookup_elem(m, &key, sizeof(key), &val, sizeof(val), 0) ||
		    (val & ~IPCT_SESSION_HELD) != session)
			continue;
		n++;
		/* Deleting the current key restarts the walk from the beginning. */
		if (remove && !bpf_map__delete_elem(m, &key, sizeof(key), 0))
			first = true;
	}
	return n;
}

/* Threads cache their session (bpf/ipctrace.bpf.c, current_traced): after a change, they look again. */
static void traced_changed(struct tracer *t)
{
	if (!++t->skel->data->traced_gen)
		t->skel->data->traced_gen = 1;
}

int tracer_untrace_session(struct tracer *t, uint32_t session)
{
	int n = for_each_traced(t, session, true);

	traced_changed(t);
	return n;
}

int tracer_session_procs(struct tracer *t, uint32_t session)
{
	return for_each_traced(t, session, false);
}

int tracer_counters(struct tracer *t, struct tracer_counters *c)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t sums[3] = { 0 };

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	uint64_t vals[ncpus];

	for (__u32 i = 0; i < 3; i++) {
		if (bpf_map__lookup_elem(t->skel->maps.counters, &i, sizeof(i), vals,
					 sizeof(vals), 0))
			return -errno;
		for (int cpu = 0; cpu < ncpus; cpu++)
			sums[i] += vals[cpu];
	}
	c->ring_full = sums[0];
	c->traced_full = sums[1];
	c->inflight_full = sums[2];
	return 0;
}

void tracer_set_all(struct tracer *t, uint32_t session, pid_t client)
{
	t->skel->bss->all_client = session ? (__u32)client : 0;
	t->skel->bss->all_session = session;
	traced_changed(t);
}
