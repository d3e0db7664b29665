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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "ipctrace/event.h"
#include "ipctrace.skel.h"
#include "syscalls.h"
#include "tracer.h"

struct tracer {
	struct ipctrace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **links;
	size_t nlinks;
	struct bpf_link *waiters;       /* the survey's iterator (ipct_waiters), made at its first use */
	/* The ring's positions, mapped read-only (libbpf 1.1 has no accessor for them). */
	const uint64_t *consumer_pos, *producer_pos;
	bool attached;
	bool typed_reads;
	uint64_t count_slots;           /* the kernel side's counts' slots that sessions hold, a bit each */
	int (*on_event)(void *ctx, const struct ipct_event *e);
	void *ctx;
};

static int ring_cb(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	const struct ipct_event *e = data;
	struct ipct_session_procs *p;

	/* A record of another size comes from another build: never misread it. */
	if (size < sizeof(struct ipct_event))
		return 0;
	/* Out of the ring: its session's share of it (bpf/ipctrace.bpf.c, reserve) is free again. */
	p = &t->skel->bss->session_procs[e->session % IPCT_SESSION_SLOTS];
	if (__atomic_load_n(&p->session, __ATOMIC_ACQUIRE) == e->session)
		__atomic_fetch_sub(&p->inring, 1, __ATOMIC_SEQ_CST);
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

/*
 * The syscall tables of the kernel side (bpf/ipctrace.bpf.c, call_class):
 * native classes, and how 32-bit calls map onto them. Where this
 * architecture's 32-bit numbers are unknown, every traced number is marked
 * so that a 32-bit call is dropped rather than read as a native one.
 */
static void set_classes(struct ipctrace_bpf *skel)
{
	struct ipct_compat_map m;

	for (const struct ipct_syscall *s = ipct_syscalls; s->name; s++) {
		if (s->nr >= 0 && s->nr < IPCT_NR_MAX)
			skel->rodata->sys_class[s->nr] = s->cls;
		if (!strcmp(s->name, "write"))
			skel->rodata->nr_write = s->nr;
		else if (!strcmp(s->name, "writev"))
			skel->rodata->nr_writev = s->nr;
		else if (!strcmp(s->name, "recvfrom"))
			skel->rodata->nr_recvfrom = s->nr;
		else if (!strcmp(s->name, "recvmsg"))
			skel->rodata->nr_recvmsg = s->nr;
		else if (!strcmp(s->name, "semtimedop"))
			skel->rodata->nr_semtimedop = s->nr;
		else if (!strcmp(s->name, "dup"))
			skel->rodata->nr_dup = s->nr;
		else if (!strcmp(s->name, "fcntl"))
			skel->rodata->nr_fcntl = s->nr;
		else if (!strcmp(s->name, "connect"))
			skel->rodata->nr_connect = s->nr;
		else if (!strcmp(s->name, "sendto"))
			skel->rodata->nr_sendto = s->nr;
		else if (!strcmp(s->name, "sendmsg"))
			skel->rodata->nr_sendmsg = s->nr;
		else if (!strcmp(s->name, "listen"))
			skel->rodata->nr_listen = s->nr;
		else if (!strcmp(s->name, "unlinkat"))
			skel->rodata->nr_unlinkat = s->nr;
		else if (!strcmp(s->name, "linkat"))
			skel->rodata->nr_linkat = s->nr;
	}
	ipct_compat_map_fill(&m);
	for (int nr = 0; nr < IPCT_NR_MAX; nr++) {
		skel->rodata->compat_class[nr] = m.cls[nr];
		skel->rodata->compat_nr[nr] = m.native[nr];
		if (m.known ? m.cls[nr] != IPCT_SC_NONE : skel->rodata->sys_class[nr] != IPCT_SC_NONE)
			skel->rodata->sys_class[nr] |= IPCT_SC_COMPAT;
	}
	memcpy(skel->rodata->socketcall_nr, m.socketcall, sizeof(m.socketcall));
}

/*
 * The device of the tmpfs mounted on /dev/shm, as the kernel's dev_t
 * (major << 20 | minor): its files are POSIX shared memory. 0 when there
 * is none (a plain directory there is on /dev's file system).
 */
static __u32 shm_device(void)
{
	struct stat shm, dev;
	struct statfs fs;

	if (stat("/dev/shm", &shm) || stat("/dev", &dev) || shm.st_dev == dev.st_dev ||
	    statfs("/dev/shm", &fs) || fs.f_type != TMPFS_MAGIC)
		return 0;
	return major(shm.st_dev) << 20 | minor(shm.st_dev);
}

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Page i of the ring's mapping: 0 holds the consumer's position, 1 the producer's. NULL, errno set. */
static const uint64_t *ring_page(const struct tracer *t, int i)
{
	void *p = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, bpf_map__fd(t->skel->maps.events),
		       i * page_size());

	return p == MAP_FAILED ? NULL : p;
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
	t->skel->rodata->ring_half = opts->ring_bytes / 2;
	/* A quarter of the ring, in records (each with the ring's 8-byte header). */
	t->skel->rodata->session_share = opts->ring_bytes / 4 / (sizeof(struct ipct_event) + 8);
	set_classes(t->skel);
	t->skel->rodata->shm_dev = shm_device();
	err = bpf_map__set_max_entries(t->skel->maps.events, opts->ring_bytes);
	if (!err && opts->traced_max)
		err = bpf_map__set_max_entries(t->skel->maps.traced, opts->traced_max);
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
	t->consumer_pos = ring_page(t, 0);
	t->producer_pos = ring_page(t, 1);
	if (!t->consumer_pos || !t->producer_pos) {
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
	bpf_link__destroy(t->waiters);
	if (t->consumer_pos)
		munmap((void *)t->consumer_pos, page_size());
	if (t->producer_pos)
		munmap((void *)t->producer_pos, page_size());
	ring_buffer__free(t->rb);
	ipctrace_bpf__destroy(t->skel);
	free(t);
}

/* The programs that attach to the kernel's tracepoints: the loaded form of each, not the iterator. */
static bool hooked(const struct tracer *t, const struct bpf_program *prog)
{
	return bpf_program__autoload(prog) && prog != t->skel->progs.ipct_waiters;
}

int tracer_attach(struct tracer *t)
{
	struct bpf_program *prog;
	size_t n = 0;
	int err;

	if (t->attached)
		return 0;
	bpf_object__for_each_program(prog, t->skel->obj)
		n += hooked(t, prog);
	free(t->links);
	t->links = calloc(n, sizeof(*t->links));
	if (!t->links)
		return -ENOMEM;
	t->nlinks = 0;
	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_link *link;

		if (!hooked(t, prog))
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

uint64_t tracer_ring_mark(const struct tracer *t)
{
	return __atomic_load_n(t->producer_pos, __ATOMIC_ACQUIRE);
}

bool tracer_ring_read_past(const struct tracer *t, uint64_t mark)
{
	return __atomic_load_n(t->consumer_pos, __ATOMIC_ACQUIRE) >= mark;
}

/* Threads cache their session (bpf/ipctrace.bpf.c, current_traced): after a change, they look again. */
static void traced_changed(struct tracer *t)
{
	if (!++t->skel->data->traced_gen)
		t->skel->data->traced_gen = 1;
}

/* pid joins (1) or leaves (-1) the traced set's filter: before its entry is made, after it is removed. */
static void tgid_add(struct tracer *t, pid_t pid, int32_t n)
{
	__atomic_fetch_add(&t->skel->bss->tgid_count[(uint32_t)pid % IPCT_TGID_SLOTS], n, __ATOMIC_SEQ_CST);
}

static struct ipct_session_procs *slot(struct tracer *t, uint32_t session)
{
	return &t->skel->bss->session_procs[session % IPCT_SESSION_SLOTS];
}

/* n processes join (or, negative, leave) the session's count and its owner's, as the kernel side counts them. */
static void procs_add(struct tracer *t, struct ipct_session_procs *p, int64_t n)
{
	__atomic_fetch_add(&p->live, n, __ATOMIC_SEQ_CST);
	if (p->uslot)
		__atomic_fetch_add(&t->skel->bss->uid_procs[(p->uslot - 1) % IPCT_SESSION_SLOTS].live, n,
				   __ATOMIC_SEQ_CST);
}

int tracer_uid_open(struct tracer *t, uint32_t uid, uint64_t procs_max)
{
	struct ipct_uid_procs *u = t->skel->bss->uid_procs;

	for (uint32_t i = 0; i < IPCT_SESSION_SLOTS; i++) {
		if (u[i].max)
			continue;
		u[i].uid = uid;
		__atomic_store_n(&u[i].live, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&u[i].max, procs_max, __ATOMIC_RELEASE);
		return (int)i + 1;
	}
	return -ENOSPC;
}

void tracer_uid_close(struct tracer *t, uint32_t uslot)
{
	struct ipct_uid_procs *u = &t->skel->bss->uid_procs[(uslot - 1) % IPCT_SESSION_SLOTS];

	u->uid = 0;
	__atomic_store_n(&u->max, 0, __ATOMIC_RELEASE);
}

int tracer_session_open(struct tracer *t, uint32_t session, uint32_t flags, uint64_t procs_max, uint32_t uslot)
{
	struct ipct_session_procs *p = slot(t, session);

	if (__atomic_load_n(&p->session, __ATOMIC_ACQUIRE))
		return -EBUSY;
	p->live = 0;
	p->untraced = 0;
	p->lost = 0;
	p->left = 0;
	p->flags = flags;
	p->max = procs_max;
	p->inring = 0;
	p->uslot = uslot;
	p->cslot = 0;
	/* The kernel side counts into a slot only once it is the session's. */
	__atomic_store_n(&p->session, session, __ATOMIC_RELEASE);
	__atomic_fetch_add(&t->skel->bss->sessions_live, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int tracer_trace_pid(struct tracer *t, pid_t pid, uint32_t session, bool from_exec)
{
	struct ipct_session_procs *p = slot(t, session);
	__u32 key = pid, val = session | (from_exec ? IPCT_SESSION_HELD : 0);
	int err;

	/* Counted before the entry exists: the counts are never 0 while it does. */
	procs_add(t, p, 1);
	tgid_add(t, pid, 1);
	if (bpf_map__update_elem(t->skel->maps.traced, &key, sizeof(key), &val, sizeof(val), BPF_NOEXIST)) {
		err = -errno;
		tgid_add(t, pid, -1);
		procs_add(t, p, -1);
		return err;
	}
	return 0;
}

int64_t tracer_session_procs(struct tracer *t, uint32_t session)
{
	struct ipct_session_procs *p = slot(t, session);

	return __atomic_load_n(&p->session, __ATOMIC_ACQUIRE) == session ? __atomic_load_n(&p->live, __ATOMIC_SEQ_CST) : 0;
}

uint64_t tracer_filter_count(const struct tracer *t)
{
	uint64_t n = 0;

	for (size_t i = 0; i < IPCT_TGID_SLOTS; i++)
		n += __atomic_load_n(&t->skel->bss->tgid_count[i], __ATOMIC_RELAXED);
	return n;
}

void tracer_session_losses(struct tracer *t, uint32_t session, struct tracer_session_losses *out)
{
	struct ipct_session_procs *p = slot(t, session);

	*out = (struct tracer_session_losses){ 0 };
	if (__atomic_load_n(&p->session, __ATOMIC_ACQUIRE) != session)
		return;
	out->untraced = __atomic_load_n(&p->untraced, __ATOMIC_SEQ_CST);
	out->lost = __atomic_load_n(&p->lost, __ATOMIC_SEQ_CST);
	out->left = __atomic_load_n(&p->left, __ATOMIC_SEQ_CST);
}

_Static_assert(IPCT_COUNT_SLOTS <= 64, "a bit each in tracer.count_slots");

/*
 * Count slot i's keys, one per-CPU value each, in one call either way (a
 * key at a time would be IPCT_COUNT_KEYS system calls): with c, read and
 * added to c, their sum returned; without, zeroed.
 */
static int64_t count_slot(struct tracer *t, uint32_t i, struct ipct_counts *c)
{
	int fd = bpf_map__fd(t->skel->maps.counts), ncpus = libbpf_num_possible_cpus();
	uint32_t *keys = calloc(IPCT_COUNT_KEYS, sizeof(*keys)), first = i * IPCT_COUNT_KEYS, prev = first - 1, next;
	uint64_t *v = ncpus > 0 ? calloc((size_t)ncpus * IPCT_COUNT_KEYS, sizeof(*v)) : NULL;
	__u32 n = IPCT_COUNT_KEYS;
	int64_t total = 0;
	int err;

	if (!keys || !v) {
		total = -ENOMEM;
		goto out;
	}
	for (uint32_t key = 0; key < IPCT_COUNT_KEYS; key++)
		keys[key] = first + key;
	if (!c) {
		err = bpf_map_update_batch(fd, keys, v, &n, NULL);
		total = err ? -errno : 0;
		goto out;
	}
	/* An array's batch goes on after the key given (none: from key 0). */
	err = bpf_map_lookup_batch(fd, first ? &prev : NULL, &next, keys, v, &n, NULL);
	if (err && errno != ENOENT) {
		total = -errno;
		goto out;
	}
	for (uint32_t key = 0; key < n && key < IPCT_COUNT_KEYS; key++) {
		uint64_t sum = 0;

		for (int cpu = 0; cpu < ncpus; cpu++)
			sum += v[(size_t)key * ncpus + cpu];
		if (key < IPCT_NR_MAX)
			c->by_syscall[key] += sum;
		else
			c->by_type[key - IPCT_NR_MAX] += sum;
		total += (int64_t)sum;
	}
out:
	free(keys);
	free(v);
	return total;
}

int tracer_count_open(struct tracer *t, uint32_t session)
{
	int err;

	for (uint32_t i = 0; i < IPCT_COUNT_SLOTS; i++) {
		if (t->count_slots & (1ull << i))
			continue;
		/* A slot's counts go on from where its last session left them: from 0, now. */
		err = (int)count_slot(t, i, NULL);
		if (err < 0)
			return err;
		t->count_slots |= 1ull << i;
		__atomic_store_n(&slot(t, session)->cslot, i + 1, __ATOMIC_RELEASE);
		return 0;
	}
	return -ENOSPC;
}

int64_t tracer_count_close(struct tracer *t, uint32_t session, struct ipct_counts *c)
{
	struct ipct_session_procs *p = slot(t, session);
	uint32_t i = p->cslot - 1;

	if (!p->cslot)
		return 0;
	p->cslot = 0;
	t->count_slots &= ~(1ull << i);
	return count_slot(t, i, c);
}

/* Removes key from the traced set, and from its filter if this call removed it: 1 then. */
static int untrace_key(struct tracer *t, __u32 key)
{
	if (bpf_map__delete_elem(t->skel->maps.traced, &key, sizeof(key), 0))
		return 0;
	tgid_add(t, (pid_t)key, -1);
	return 1;
}

/* Removes pid from the traced set if it is there for session: 1 when this call removed it. */
static int untrace_pid(struct tracer *t, pid_t pid, uint32_t session)
{
	struct bpf_map *m = t->skel->maps.traced;
	__u32 key = (__u32)pid, val;

	if (bpf_map__lookup_elem(m, &key, sizeof(key), &val, sizeof(val), 0) ||
	    (val & ~IPCT_SESSION_HELD) != session)
		return 0;
	return untrace_key(t, key);
}

/*
 * The keys of a hash map for which keep() says so, in one walk: deleting
 * while walking would restart the walk (the current key is gone) each time.
 */
static size_t collect_keys(struct bpf_map *m, void *val, size_t val_size,
			   bool (*keep)(const void *val, void *ctx), void *ctx, __u32 **out)
{
	__u32 key, next, *keys = NULL, *k;
	size_t n = 0, cap = 0;
	bool first = true;

	while (!bpf_map__get_next_key(m, first ? NULL : &key, &next, sizeof(next))) {
		first = false;
		key = next;
		if (bpf_map__lookup_elem(m, &key, sizeof(key), val, val_size, 0) || !keep(val, ctx))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			k = realloc(keys, cap * sizeof(*keys));
			if (!k)
				break;
			keys = k;
		}
		keys[n++] = key;
	}
	*out = keys;
	return n;
}

static bool in_session(const void *val, void *ctx)
{
	return (*(const __u32 *)val & ~IPCT_SESSION_HELD) == *(const uint32_t *)ctx;
}

void tracer_session_untrace(struct tracer *t, uint32_t session, const pid_t *pids, size_t n)
{
	struct ipct_session_procs *p = slot(t, session);
	int64_t removed = 0;
	__u32 *keys, val;
	size_t nkeys;

	if (__atomic_load_n(&p->session, __ATOMIC_ACQUIRE) != session)
		return;
	for (size_t i = 0; i < n; i++)
		removed += untrace_pid(t, pids[i], session);
	/*
	 * The list came from fork records: when the ring lost some, the
	 * kernel's count says that processes are left, and a walk of the
	 * whole set finds them.
	 */
	if (__atomic_load_n(&p->live, __ATOMIC_SEQ_CST) > removed) {
		nkeys = collect_keys(t->skel->maps.traced, &val, sizeof(val), in_session, &session, &keys);
		for (size_t i = 0; i < nkeys; i++)
			untrace_key(t, keys[i]);
		free(keys);
	}
	/* Out of the set, they are counted no more (a fork that raced this counts its child, traced). */
	procs_add(t, p, -__atomic_load_n(&p->live, __ATOMIC_SEQ_CST));
	traced_changed(t);
}

void tracer_session_close(struct tracer *t, uint32_t session, const pid_t *pids, size_t n)
{
	struct ipct_session_procs *p = slot(t, session);

	if (__atomic_load_n(&p->session, __ATOMIC_ACQUIRE) != session)
		return;
	tracer_session_untrace(t, session, pids, n);
	__atomic_store_n(&p->session, 0, __ATOMIC_RELEASE);
	/* The kernel side counts into the slot no more: what it still counts leaves the owner's count. */
	procs_add(t, p, -__atomic_load_n(&p->live, __ATOMIC_SEQ_CST));
	__atomic_fetch_sub(&t->skel->bss->sessions_live, 1, __ATOMIC_SEQ_CST);
}

void tracer_untrace_stale(struct tracer *t, pid_t pid, uint32_t session)
{
	if (untrace_pid(t, pid, session))
		traced_changed(t);
}

int tracer_each_waiting(struct tracer *t, void (*fn)(const struct ipct_wait *w, void *ctx), void *ctx)
{
	/* Read in batches: a few syscalls for the whole machine's tasks. */
	static struct ipct_wait vals[256];
	size_t have = 0;
	ssize_t n;
	int fd;

	if (!t->waiters) {
		t->waiters = bpf_program__attach_iter(t->skel->progs.ipct_waiters, NULL);
		if (!t->waiters)
			return -errno;
	}
	fd = bpf_iter_create(bpf_link__fd(t->waiters));
	if (fd < 0)
		return -errno;
	while ((n = read(fd, (char *)vals + have, sizeof(vals) - have)) > 0) {
		size_t whole = (have + n) / sizeof(vals[0]);

		for (size_t i = 0; i < whole; i++)
			fn(&vals[i], ctx);
		have = (have + n) % sizeof(vals[0]);
		memmove(vals, &vals[whole], have);
	}
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
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
