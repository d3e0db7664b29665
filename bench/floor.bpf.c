// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of tracing (bench/README.md, "The floor (issue 13)"): the least
 * any tracer with ipctrace's coverage must do on the raw tracepoints
 * ipctrace attaches, so that ipctrace's cost can be put beside it.
 *
 * The same filters in the same order as bpf/ipctrace.bpf.c (the syscall
 * number against a table first, then the traced set, a hash of tgids), and
 * for each call or signal of a traced process one record of ipctrace's size
 * in a ring buffer, submitted with ipctrace's wake-up policy. Nothing else:
 * no descriptor is resolved (reads and writes of files are recorded too),
 * no argument read, no entry state kept, no session, no fairness between
 * sessions. With count_only, a per-CPU counter stands in for the record.
 *
 * Typed loads (bpf_rdonly_cast) everywhere: the floor is for kernels >= 6.2,
 * where ipctrace loads the same form of its programs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "floor.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#define KCAST(p) ((typeof(p))bpf_rdonly_cast((p), bpf_core_type_id_kernel(typeof(*(p)))))

#define SI_USER   0
#define SI_KERNEL 0x80
#define SI_TIMER  (-2)
#define SIGCHLD   17

#if defined(__TARGET_ARCH_x86)
#define REG_NR orig_ax
#elif defined(__TARGET_ARCH_arm64)
#define REG_NR syscallno
#endif

/* Set by the loader: 1 for each native syscall number ipctrace traces (lib/syscalls.c). */
const volatile __u8 traced_nr[IPCT_NR_MAX] = {};
/* rt_sigreturn's: its exit has the number -1 (the restored registers), so it is recorded at entry. */
const volatile long nr_rt_sigreturn = -1;
const volatile bool count_only = false;
/* ipctrace's submit(): the consumer is woken once this much waits, else it drains on a timer. */
const volatile __u64 wakeup_bytes = 1 << 20;

/* ipctrace's default ring (ipctraced --ring-mib 16). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* tgid -> FLOOR_HELD or 0: the traced processes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOOR_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void bump(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&counts, &slot);

	if (n)
		(*n)++;
}

static __always_inline bool active(__u32 tgid)
{
	__u32 *v = bpf_map_lookup_elem(&traced, &tgid);

	return v && !(*v & FLOOR_HELD);
}

static __always_inline bool current_active(void)
{
	return active(bpf_get_current_pid_tgid() >> 32);
}

/*
 * One record: what ipctrace's reserve() fills that any tracer needs (who,
 * when, which call, its result); the rest of the 144 bytes is left as the
 * ring had it, as nobody reads it.
 */
static __always_inline void emit(__u8 type, __u16 nr, __s64 val)
{
	__u64 id, flags = BPF_RB_NO_WAKEUP;
	struct ipct_event *e;

	if (count_only) {
		bump(floor_slot(type, nr));
		return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		bump(FLOOR_SLOT_LOST);
		return;
	}
	id = bpf_get_current_pid_tgid();
	e->version = IPCT_EVENT_VERSION;
	e->type = type;
	e->nr = nr;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->sys.ret = val;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

SEC("raw_tracepoint/sys_enter")
int floor_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	if ((long)ctx->args[1] != nr_rt_sigreturn || !current_active())
		return 0;
	emit(IPCT_EV_SYSCALL, nr_rt_sigreturn, 0);
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int floor_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (void *)ctx->args[0];
	long nr = KCAST(regs)->REG_NR;

	if (nr < 0 || nr >= IPCT_NR_MAX || !traced_nr[nr] || !current_active())
		return 0;
	emit(IPCT_EV_SYSCALL, nr, ctx->args[1]);
	return 0;
}

/*
 * A signal to a traced process, or sent by one; not one that the kernel
 * raises for an untraced target in no task's name (a timer, an interrupt,
 * SIGIO) while a traced process happens to run: ipctrace's
 * kernel_context(), which any tracer with its coverage needs on a busy
 * machine. Such a signal has a kernel si_code: SI_KERNEL (SEND_SIG_PRIV,
 * info 1, too), SI_TIMER, or a positive one other than SIGCHLD's.
 */
SEC("raw_tracepoint/signal_generate")
int floor_signal_generate(struct bpf_raw_tracepoint_args *ctx)
{
	int sig = ctx->args[0];
	struct kernel_siginfo *info = (void *)ctx->args[1];
	struct task_struct *t = (void *)ctx->args[2];
	int code;

	if (!active(KCAST(t)->tgid)) {
		code = (unsigned long)info <= 1 ? (info ? SI_KERNEL : SI_USER) : KCAST(info)->si_code;
		if (code == SI_KERNEL || code == SI_TIMER || (code > 0 && sig != SIGCHLD) || !current_active())
			return 0;
	}
	emit(IPCT_EV_SIGNAL_GENERATE, 0, sig);
	return 0;
}

SEC("raw_tracepoint/signal_deliver")
int floor_signal_deliver(struct bpf_raw_tracepoint_args *ctx)
{
	if (!current_active())
		return 0;
	emit(IPCT_EV_SIGNAL_DELIVER, 0, ctx->args[0]);
	return 0;
}

/* A traced process's child joins the set, held or not as its parent is. */
SEC("raw_tracepoint/sched_process_fork")
int floor_process_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (void *)ctx->args[0];
	struct task_struct *child = (void *)ctx->args[1];
	__u32 ptgid = KCAST(parent)->tgid, ctgid = KCAST(child)->tgid;
	__u32 *v = bpf_map_lookup_elem(&traced, &ptgid);
	__u32 state;

	/* A new thread is covered by its thread group already. */
	if (!v || KCAST(child)->pid != ctgid)
		return 0;
	state = *v;
	if (bpf_map_update_elem(&traced, &ctgid, &state, BPF_ANY) == 0 && !(state & FLOOR_HELD))
		emit(IPCT_EV_FORK, 0, ctgid);
	return 0;
}

/* The command held by the loader until its exec is recorded from here on. */
SEC("raw_tracepoint/sched_process_exec")
int floor_process_exec(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 *v = bpf_map_lookup_elem(&traced, &tgid);

	if (!v)
		return 0;
	*v &= ~FLOOR_HELD;
	emit(IPCT_EV_EXEC, 0, 0);
	return 0;
}

/*
 * The last thread leaves the set. The SIGCHLD it sends its parent comes
 * after this: seen only when the parent is traced (ipctrace remembers the
 * exit in task storage to record that one too).
 */
SEC("raw_tracepoint/sched_process_exit")
int floor_process_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *p = (void *)ctx->args[0];
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 *v = bpf_map_lookup_elem(&traced, &tgid);
	bool was_active;

	if (!v || KCAST(p)->signal->live.counter != 0)
		return 0;
	was_active = !(*v & FLOOR_HELD);
	if (bpf_map_delete_elem(&traced, &tgid) == 0 && was_active)
		emit(IPCT_EV_EXIT, 0, 0);
	return 0;
}
