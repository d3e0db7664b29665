// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel side of ipctrace: raw tracepoint programs that record the IPC
 * of the traced processes into one ring buffer.
 *
 * Filtering happens before anything is reserved: a syscall number outside
 * the IPC set costs one array load; a process outside the traced set costs
 * one hash lookup. Read/write-family calls resolve their fd to the file's
 * inode and drop anything that is not a pipe, FIFO or socket, unless the
 * call failed because of its descriptor or closed or copied a standard
 * stream (fd_failed, std_copy: what a course's mistakes are). Records are
 * submitted without waking the consumer (the daemon drains on a timer); a
 * wake-up is forced only when the ring fills past a threshold or a process
 * exits, because one wake-up per record costs more than the tracing itself.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "ipctrace/event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Kernel pointers from raw tracepoint arguments and helper reads are
 * untrusted: each field read is a helper call (BPF_CORE_READ). Since 6.2
 * bpf_rdonly_cast makes such a pointer typed (the verifier turns the call
 * into a move), and a field is then one plain load, fault-safe like a
 * helper read but several times cheaper. The programs that read kernel
 * structures on hot paths come in two forms, KREAD(true, ...) and
 * KREAD(false, ...); the daemon loads the typed form where the kernel's
 * BTF has the kfunc, and the other one elsewhere, which never calls it.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

#define KCAST(p) ((typeof(p))bpf_rdonly_cast((p), bpf_core_type_id_kernel(typeof(*(p)))))
#define KREAD(typed, p, field) ((typed) ? KCAST(p)->field : BPF_CORE_READ((p), field))

#define S_IFMT   00170000
#define S_IFSOCK 0140000
#define S_IFIFO  0010000
#define S_IFCHR  0020000
#define PIPEFS_MAGIC 0x50495045
#define ANON_INODE_FS_MAGIC 0x09041934
#define MQUEUE_MAGIC 0x19800202
#define O_NONBLOCK 00004000
#define IPC_NOWAIT 04000
#define WNOHANG 0x00000001
#define MSG_DONTWAIT 0x40
#define IPC_STAT 2
#define MAP_SHARED 0x01
#define MAP_ANONYMOUS 0x20
/* <linux/futex.h>: a futex of the process's own memory; the commands that sleep. */
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CMD_MASK     127
#define FUTEX_WAIT         0
#define FUTEX_WAIT_BITSET  9
/* The shared mappings small enough to have their pages noted in sem_pages. */
#define SEM_PAGES_MAX      16
#define SI_USER   0
#define SI_KERNEL 0x80
#define SI_TIMER  (-2)
#define SIGCHLD   17
#define CLD_EXITED 1
#define CLD_DUMPED 3
#define PF_EXITING 0x00000004
#define AF_UNIX   1
#define AF_INET   2
#define AF_INET6  10
#define SIGNAL_GROUP_EXIT 0x00000004
#define EBADF    9
#define EINVAL   22
#define ESPIPE   29
#define EPIPE    32
#define ENOTSOCK 88
#define F_DUPFD  0
#define F_DUPFD_CLOEXEC 1030

/*
 * Set by the daemon before load: the class of each native syscall number
 * (with IPCT_SC_COMPAT where a traced 32-bit call has that number too);
 * each 32-bit number's class and native counterpart; socketcall's calls by
 * native number (lib/syscalls.c).
 */
const volatile __u32 daemon_tgid = 0;
const volatile __u64 wakeup_bytes = 1 << 20;
/* Fairness between sessions (reserve): past ring_half bytes waiting, a session with session_share records in the ring gets no more room. */
const volatile __u64 ring_half = 8 << 20;
const volatile __u64 session_share = 0;
const volatile __u8 sys_class[IPCT_NR_MAX] = {};
const volatile __u8 compat_class[IPCT_NR_MAX] = {};
const volatile __u16 compat_nr[IPCT_NR_MAX] = {};
const volatile __u16 socketcall_nr[IPCT_SOCKETCALL_MAX] = {};
/* write and writev: the calls whose sleep on a full pipe `waiting` notes (native numbers). */
const volatile long nr_write = -1, nr_writev = -1;
/* recvfrom and recvmsg: their sleep on an empty socket is noted too. */
const volatile long nr_recvfrom = -1, nr_recvmsg = -1;
/* semtimedop: a semop with a timeout (arg3) ends by itself, so it is no hang. */
const volatile long nr_semtimedop = -1;
/* dup and fcntl: copies of a standard stream are recorded whatever it is (native numbers). */
const volatile long nr_dup = -1, nr_fcntl = -1, nr_unlinkat = -1, nr_linkat = -1;
/* connect, sendto and sendmsg: the address they were given is recorded (ipct_sockaddr). */
const volatile long nr_connect = -1, nr_sendto = -1, nr_sendmsg = -1;
/* listen: what it leaves of a socket is what bind did, unless it bound it (ipct_sockinfo). */
const volatile long nr_listen = -1;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* tgid -> session id: the traced processes (the daemon may size it: --traced-max). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} traced SEC(".maps");

/* Each live session's count of its processes in `traced` (struct ipct_session_procs). */
struct ipct_session_procs session_procs[IPCT_SESSION_SLOTS];
/* Each unprivileged user's count of traced processes, over all its sessions (ipct_session_procs.uslot). */
struct ipct_uid_procs uid_procs[IPCT_SESSION_SLOTS];
/* How many sessions are live (the daemon's count): one alone may fill the whole ring. */
__u32 sessions_live = 0;

/*
 * The traced set's counting filter (include/ipctrace/event.h): while
 * something is traced, every call of the set that an untraced process
 * makes is asked whether it is traced; a 0 here answers without the
 * task-storage and hash lookups (bench/idle.py, read).
 */
__u32 tgid_count[IPCT_TGID_SLOTS];

static __always_inline __u32 *tgid_slot(__u32 tgid)
{
	return &tgid_count[tgid & (IPCT_TGID_SLOTS - 1)];
}

/* Whether tgid may be in the traced set; false: it is not. */
static __always_inline bool maybe_traced(__u32 tgid)
{
	return *tgid_slot(tgid) != 0;
}

/* tgid joins (1) or leaves (-1) the filter: before its entry is made, after it is removed. */
static __always_inline void tgid_add(__u32 tgid, int n)
{
	__sync_fetch_and_add(tgid_slot(tgid), n);
}

/* The session's slot; it counts for the session only while p->session == session. */
static __always_inline struct ipct_session_procs *procs_slot(__u32 session)
{
	return &session_procs[session & (IPCT_SESSION_SLOTS - 1)];
}

/* The count of the session's owner, for a session held to the per-user limit; else NULL. */
static __always_inline struct ipct_uid_procs *uid_slot(struct ipct_session_procs *sp)
{
	return sp->uslot ? &uid_procs[(sp->uslot - 1) & (IPCT_SESSION_SLOTS - 1)] : NULL;
}

/* A process joins or leaves the session's count, and its owner's. */
static __always_inline void procs_add(struct ipct_session_procs *sp, __s64 n)
{
	struct ipct_uid_procs *up = uid_slot(sp);

	__sync_fetch_and_add(&sp->live, n);
	if (up)
		__sync_fetch_and_add(&up->live, n);
}

/* Whether the session, or its owner's sessions together, trace as many processes as they may. */
static __always_inline bool procs_full(struct ipct_session_procs *sp)
{
	struct ipct_uid_procs *up = uid_slot(sp);

	return (sp->max && sp->live >= (__s64)sp->max) || (up && up->max && up->live >= (__s64)up->max);
}

/*
 * A semaphore set's size, by id, from the semget that made it: how many
 * values a semctl SETALL's array holds (the kernel side cannot look the set
 * up by its id). The oldest go first; a set made before the trace, or gone
 * from here, has its SETALL recorded without values.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} sem_nsems SEC(".maps");

/*
 * What sys_enter saw, for the sys_exit of the same thread: task-local
 * storage, so that a call costs no hash insert and delete.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ipct_inflight);
} inflight SEC(".maps");

enum { CNT_RB_FULL, CNT_TRACED_FULL, CNT_INFLIGHT_FULL, CNT_MAX };

/* Per-CPU counters of what could not be recorded (see ipct_counter in the daemon). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		(*c)++;
}

/* `run --count`: each counting session's slot of IPCT_COUNT_KEYS counts (struct ipct_session_procs.cslot). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IPCT_COUNT_SLOTS * IPCT_COUNT_KEYS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/*
 * The calls a counting session's records are spared: all but what maps
 * shared memory and the futexes on it, which the daemon names (or drops)
 * by its map of the session's mappings.
 */
static __always_inline bool countable(__u8 cls)
{
	return cls != IPCT_SC_FUTEX && cls != IPCT_SC_MMAP && cls != IPCT_SC_MUNMAP && cls != IPCT_SC_SHMAT &&
	       cls != IPCT_SC_SHMDT;
}

/* Whether the session is counted here: then key (a syscall number, or IPCT_NR_MAX + an event type) is counted. */
static __always_inline bool counted(__u32 session, __u32 key)
{
	struct ipct_session_procs *sp = procs_slot(session);
	__u32 k;
	__u64 *c;

	if (!sp->cslot || sp->session != session || key >= IPCT_COUNT_KEYS)
		return false;
	k = ((sp->cslot - 1) & (IPCT_COUNT_SLOTS - 1)) * IPCT_COUNT_KEYS + key;
	c = bpf_map_lookup_elem(&counts, &k);
	if (c)
		(*c)++;
	return true;
}

/*
 * System-wide tracing (`ipctrace trace --all`): every process but the
 * daemon and all_client is in this session; 0 when off. all_client is the
 * client the session streams to, whose reads of that stream would be
 * events of the session, streamed to it, read ...: a loop. Written by the
 * daemon through the skeleton's .bss.
 */
__u32 all_session = 0;

/*
 * Processes whose exit is recorded, by tgid and the start time of their
 * leader (a pid is reused; that pair is not): threads that exit together
 * all find the process dead (below), and only the first may report it. An
 * entry matters for the microseconds of such a race; the LRU bounds them.
 */
struct exit_key {
	__u32 tgid;
	__u32 _pad;
	__u64 start_time;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct exit_key);
	__type(value, __u8);
} exit_reported SEC(".maps");

/*
 * Processes that left their session at a privileged exec (leave_if_privileged),
 * by tgid and start: none of their threads, those it starts later included,
 * has its signals to the traced recorded. LRU: an entry outlives its process
 * harmlessly, a pid reused later has another start.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct exit_key);
	__type(value, __u8);
} left_privileged SEC(".maps");

/* The current process's key in exit_reported and left_privileged. */
static __always_inline struct exit_key current_key(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return (struct exit_key){ .tgid = bpf_get_current_pid_tgid() >> 32,
				  .start_time = BPF_CORE_READ(task, group_leader, start_time) };
}

__u32 all_client = 0;

/*
 * The device of the file system mounted on /dev/shm (the kernel's dev_t),
 * set by the daemon: its files are POSIX shared memory. 0: none.
 */
const volatile __u32 shm_dev = 0;

/*
 * Shared mappings (MAP_SHARED of a /dev/shm file, or anonymous) that an mmap
 * of a session returned, by address: a munmap of one is recorded, of any
 * other address dropped after this one lookup. By session, not process: a
 * child of fork has its parent's mappings at the same addresses.
 */
struct shared_map_key {
	__u32 session;
	__u32 _pad;
	__u64 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct shared_map_key);
	__type(value, __u64);           /* the length mapped */
} shared_maps SEC(".maps");

/*
 * The pages of the small shared mappings (SEM_PAGES_MAX pages at most: a
 * named POSIX semaphore's file is one) in shared_maps, by session and page
 * address: a futex call on one of them is a POSIX semaphore's wait or
 * wake-up, recorded; a futex on any other memory is dropped after this one
 * lookup (a memfd's, a private mapping's). Value: where the mapping starts.
 * A munmap leaves them, as it leaves shared_maps: the other processes of
 * the session that share the mapping may still have it (a child's
 * sem_close is no one else's); the daemon drops a futex on memory that the
 * process no longer has mapped.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct shared_map_key);
	__type(value, __u64);
} sem_pages SEC(".maps");

/*
 * Whether a futex call at addr is on a page of sem_pages: a global function,
 * so that sys_enter's states stay as they were.
 */
__noinline bool ipct_futex_shared(__u32 session, __u64 addr)
{
	struct shared_map_key key = { .session = session, .addr = addr & ~4095ull };

	return bpf_map_lookup_elem(&sem_pages, &key) != NULL;
}

/*
 * Bumped by the daemon whenever a process leaves the traced set or the
 * system-wide session changes: the sessions that threads cached (below)
 * are then stale. Never 0, which marks a thread that has cached nothing.
 */
__u32 traced_gen = 1;

/* Removes tgid from the traced set, and from its filter if this call removed it: true then. */
static __always_inline bool untrace(__u32 tgid)
{
	if (bpf_map_delete_elem(&traced, &tgid))
		return false;
	tgid_add(tgid, -1);
	return true;
}

/* The session of a traced process; NULL when it is not traced, or held before exec. */
static __always_inline __u32 *session_of(__u32 tgid)
{
	__u32 *s = maybe_traced(tgid) ? bpf_map_lookup_elem(&traced, &tgid) : NULL;

	if (s)
		return *s & IPCT_SESSION_HELD ? NULL : s;
	if (all_session && tgid != daemon_tgid && tgid != all_client)
		return &all_session;
	return NULL;
}

/*
 * The current thread's storage if it is traced, with its session in
 * *session; else NULL. A thread looks its process up in the traced set once
 * per traced_gen and keeps the answer in its storage, created here for a
 * traced thread only (an untraced one costs a storage check that finds
 * none, and the lookup).
 */
static __always_inline struct ipct_inflight *current_traced(__u32 *session)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, gen, *s;
	struct ipct_inflight *in;

	/*
	 * Untraced, and no system-wide session: one load. (A thread whose
	 * process left the set may still cache its old session: not asked.)
	 */
	if (!all_session && !maybe_traced(tgid))
		return NULL;
	in = bpf_task_storage_get(&inflight, task, NULL, 0);
	gen = traced_gen;
	if (in && in->gen == gen) {
		*session = in->cached;
		return in;
	}
	s = session_of(tgid);
	if (!s)
		return NULL;
	if (!in)
		in = bpf_task_storage_get(&inflight, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in) {
		count(CNT_INFLIGHT_FULL);
		return NULL;
	}
	in->gen = gen;
	in->cached = *s;
	*session = *s;
	return in;
}

/*
 * A record of session's, if the ring has room for it. Sessions share the
 * ring: once it is half full (the daemon is behind), one that already has
 * a quarter of it waiting gets no more, so that a flood in one session
 * leaves room for the others' records. What is lost is counted for the
 * session whose record it was.
 */
static __always_inline struct ipct_event *reserve(__u16 type, __u32 session)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ipct_session_procs *sp = procs_slot(session);
	bool mine = sp->session == session;
	struct ipct_event *e = NULL;
	__u64 id;

	if (!mine || sessions_live < 2 || sp->inring < session_share ||
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < ring_half)
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(CNT_RB_FULL);
		if (mine)
			__sync_fetch_and_add(&sp->lost, 1);
		return NULL;
	}
	if (mine)
		__sync_fetch_and_add(&sp->inring, 1);
	id = bpf_get_current_pid_tgid();
	e->version = IPCT_EVENT_VERSION;
	e->type = type;
	e->nr = 0;
	e->kind[0] = e->kind[1] = IPCT_KIND_NONE;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->session = session;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->flags = 0;
	/* CLOCK_BOOTTIME: it goes on counting through a suspend, as wall-clock time does. */
	e->ts_ns = bpf_ktime_get_boot_ns();
	/* Two loads: bpf_get_current_comm() would cost a helper call and a string copy. */
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	/* The ring is not zeroed: never hand a client another record's bytes. */
	__builtin_memset(&e->sys, 0, sizeof(e->sys));
	return e;
}

static __always_inline void submit(struct ipct_event *e, bool urgent)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (urgent || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* The current task's open file at fd, and its fd table; NULL when not open. */
static __always_inline struct file *fd_file(long fd, struct fdtable **fdtp)
{
	/* Typed (BTF) pointers: plain loads, checked by the kernel, cheaper than helper reads. */
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt;
	struct file *f = NULL;

	if (fd < 0)
		return NULL;
	fdt = task->files->fdt;
	if ((unsigned long)fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), fdt->fd + fd);
	*fdtp = fdt;
	return f;
}

/*
 * Terminal devices: the virtual consoles and serial lines (major 4), the
 * controlling terminal and console (major 5: /dev/tty, /dev/console,
 * /dev/ptmx) and pseudo-terminal slaves (/dev/pts/N, majors 136-143).
 */
static __always_inline bool is_tty(__u32 rdev)
{
	__u32 major = rdev >> 20;

	return major == 4 || major == 5 || (major >= 136 && major <= 143);
}

/*
 * fd -> inode, kind and flags, in the current task's fd table. `how`:
 * R_COE for close-on-exec too (what the daemon's descriptor table needs
 * from calls that make or copy descriptors; a data call costs one read
 * less), R_TYPED for plain loads through bpf_rdonly_cast, R_SIGFD to tell
 * a signalfd from other files (what a read of one takes are signals).
 */
#define R_COE   1
#define R_TYPED 2
#define R_SIGFD 4
#define R_ANY   8

/* A signalfd is an anonymous inode's file that anon_inode_getfile() named "[signalfd]". */
static __always_inline bool is_signalfd(struct file *f, struct inode *inode, const bool typed)
{
	static const char name[] = "[signalfd]";
	struct super_block *sb = KREAD(typed, inode, i_sb);
	char got[sizeof(name)];

	if (KREAD(typed, sb, s_magic) != ANON_INODE_FS_MAGIC ||
	    bpf_probe_read_kernel(got, sizeof(got), BPF_CORE_READ(f, f_path.dentry, d_name.name)))
		return false;
	for (int i = 0; i < sizeof(name); i++)
		if (got[i] != name[i])
			return false;
	return true;
}

static __always_inline void fd_resolve_one(long fd, struct ipct_obj *o, unsigned int how)
{
	const bool typed = how & R_TYPED;
	struct fdtable *fdt = NULL;
	struct file *f = fd_file(fd, &fdt);
	struct inode *inode;
	unsigned long coe_bits = 0, *coe_words;
	unsigned int mode;

	o->kind = IPCT_KIND_NONE;
	if (!f)
		return;
	inode = KREAD(typed, f, f_inode);
	mode = KREAD(typed, inode, i_mode);
	switch (mode & S_IFMT) {
	case S_IFIFO: {
		struct super_block *sb = KREAD(typed, inode, i_sb);

		o->kind = KREAD(typed, sb, s_magic) == PIPEFS_MAGIC ? IPCT_KIND_PIPE : IPCT_KIND_FIFO;
		break;
	}
	case S_IFSOCK:
		o->kind = IPCT_KIND_SOCKET;
		break;
	case S_IFCHR:
		/* A terminal: its device, whichever inode opened it (/dev/pts/N, /dev/tty1, ...). */
		if (is_tty(KREAD(typed, inode, i_rdev))) {
			o->kind = IPCT_KIND_TTY;
			o->ino = KREAD(typed, inode, i_rdev);
			o->flags = KREAD(typed, f, f_flags) | (__u64)KREAD(typed, f, f_mode) << 32;
			goto coe;
		}
		/* fallthrough */
	default: {
		struct super_block *sb = KREAD(typed, inode, i_sb);

		if (KREAD(typed, sb, s_magic) == MQUEUE_MAGIC) {
			o->kind = IPCT_KIND_MQUEUE;
			break;
		}
		if (shm_dev && KREAD(typed, sb, s_dev) == shm_dev) {
			o->kind = IPCT_KIND_SHM;
			break;
		}
		o->kind = IPCT_KIND_OTHER;
		if ((how & R_SIGFD) && is_signalfd(f, inode, typed)) {
			o->kind = IPCT_KIND_SIGNALFD;
			/*
			 * Every signalfd shares one anonymous inode: what tells them apart
			 * is the set they take, the first member of their signalfd_ctx,
			 * which holds its complement (do_signalfd4).
			 */
			bpf_probe_read_kernel(&o->ino, sizeof(o->ino), KREAD(typed, f, private_data));
			o->ino = ~o->ino;
			o->flags = KREAD(typed, f, f_flags) | (__u64)KREAD(typed, f, f_mode) << 32;
			return;
		}
		if (!(how & R_ANY))
			return;
	}
	}
	o->ino = KREAD(typed, inode, i_ino);
	o->flags = KREAD(typed, f, f_flags) | (__u64)KREAD(typed, f, f_mode) << 32;
coe:
	if (!(how & R_COE))
		return;
	coe_words = fdt->close_on_exec;
	bpf_probe_read_kernel(&coe_bits, sizeof(coe_bits), coe_words + fd / 64);
	if (coe_bits >> (fd % 64) & 1)
		o->flags |= IPCT_FD_CLOEXEC;
}

/*
 * fd_resolve_one as a global function, one per program form: the verifier
 * checks it once, not at each of the many places that resolve a descriptor
 * (inlined, their branches multiplied the states of sys_exit past what
 * Linux 6.1's verifier explores: a million instructions). Global functions
 * take pointers to memory since Linux 5.12; o may be NULL for the verifier.
 */
__noinline int fd_resolve_core(long fd, struct ipct_obj *o, unsigned int how)
{
	if (o)
		fd_resolve_one(fd, o, how & ~R_TYPED);
	return 0;
}

__noinline int fd_resolve_typed(long fd, struct ipct_obj *o, unsigned int how)
{
	if (o)
		fd_resolve_one(fd, o, how | R_TYPED);
	return 0;
}

/* What fd is in the current task (struct ipct_obj; how: R_*): kind NONE when it is not open. */
static __always_inline void fd_resolve(long fd, struct ipct_obj *o, unsigned int how)
{
	if (how & R_TYPED)
		fd_resolve_typed(fd, o, how);
	else
		fd_resolve_core(fd, o, how);
}

static __always_inline bool is_ipc(const struct ipct_obj *o)
{
	return o->kind >= IPCT_KIND_PIPE;
}

/*
 * What a call on a descriptor that is not IPC is still recorded for: the
 * mistakes of course code (docs/diagnoses.md, bad_fd). A call that failed
 * because of its descriptor (not open, the wrong end or mode, not a socket,
 * not seekable, a pipe with no reader), and the calls that close or copy a
 * standard stream (0, 1, 2), whatever it is; an open whose new descriptor
 * is 0, 1 or 2. A successful call on a file costs one comparison more.
 */
static __always_inline bool fd_failed(long ret)
{
	return ret == -EBADF || ret == -EINVAL || ret == -ESPIPE || ret == -ENOTSOCK || ret == -EPIPE;
}

static __always_inline bool is_std(__u64 fd)
{
	return (__u32)fd <= 2;
}

/* dup or fcntl(F_DUPFD, F_DUPFD_CLOEXEC) from or to a standard stream. */
static __always_inline bool std_copy(long nr, const __u64 *args, long ret)
{
	if (nr != nr_dup && (nr != nr_fcntl || ((__u32)args[1] != F_DUPFD && (__u32)args[1] != F_DUPFD_CLOEXEC)))
		return false;
	return is_std(args[0]) || (ret >= 0 && ret <= 2);
}

/* The class of a native syscall number, with IPCT_SC_COMPAT if a 32-bit call has it too. */
static __always_inline __u8 class_of(long nr)
{
	if ((unsigned long)nr >= IPCT_NR_MAX)
		return IPCT_SC_NONE;
	return sys_class[nr];
}

/*
 * The syscall number and return value in the saved registers, the
 * arguments, and those of a 32-bit call (a[] must hold 6), each read with
 * rd: LOAD through a typed pointer, BPF_CORE_READ through any other. A
 * 32-bit call is one made through the 32-bit entry, whatever the code that
 * made it.
 */
#define LOAD(r, field) ((r)->field)
#if defined(__TARGET_ARCH_x86)
#define REG_NR  orig_ax
#define REG_RET ax
#define TS_COMPAT 0x0002
#define SYSCALL_ARGS(r, a, rd)                                                                     \
	do {                                                                                       \
		(a)[0] = rd(r, di);                                                                \
		(a)[1] = rd(r, si);                                                                \
		(a)[2] = rd(r, dx);                                                                \
		(a)[3] = rd(r, r10);                                                               \
		(a)[4] = rd(r, r8);                                                                \
		(a)[5] = rd(r, r9);                                                                \
	} while (0)
/* ia32: in ebx, ecx, edx, esi, edi, ebp (what was above them is no argument's). */
#define SYSCALL_ARGS_COMPAT(r, a, rd)                                                              \
	do {                                                                                       \
		(a)[0] = (__u32)rd(r, bx);                                                         \
		(a)[1] = (__u32)rd(r, cx);                                                         \
		(a)[2] = (__u32)rd(r, dx);                                                         \
		(a)[3] = (__u32)rd(r, si);                                                         \
		(a)[4] = (__u32)rd(r, di);                                                         \
		(a)[5] = (__u32)rd(r, bp);                                                         \
	} while (0)
#define ENTRY_ARG(r, i, rd)                                                                        \
	((i) == 0 ? rd(r, di) : (i) == 1 ? rd(r, si) : (i) == 2 ? rd(r, dx) : (i) == 3 ? rd(r, r10) : \
	 rd(r, r8))
#define ENTRY_ARG_COMPAT(r, i, rd)                                                                 \
	((i) == 0 ? rd(r, bx) : (i) == 1 ? rd(r, cx) : (i) == 2 ? rd(r, dx) : (i) == 3 ? rd(r, si) :  \
	 rd(r, di))

/* in_ia32_syscall(): the task's thread_info says so while it is in the call. */
static __always_inline bool in_compat_syscall(struct pt_regs *regs)
{
	return bpf_get_current_task_btf()->thread_info.status & TS_COMPAT;
}
#elif defined(__TARGET_ARCH_arm64)
/* x0 holds the return value at exit; the first argument survives in orig_x0. */
#define REG_NR  syscallno
#define REG_RET regs[0]
#define PSR_MODE32_BIT 0x10
#define SYSCALL_ARGS(r, a, rd)                                                                     \
	do {                                                                                       \
		(a)[0] = rd(r, orig_x0);                                                           \
		(a)[1] = rd(r, regs[1]);                                                           \
		(a)[2] = rd(r, regs[2]);                                                           \
		(a)[3] = rd(r, regs[3]);                                                           \
		(a)[4] = rd(r, regs[4]);                                                           \
		(a)[5] = rd(r, regs[5]);                                                           \
	} while (0)
#define SYSCALL_ARGS_COMPAT(r, a, rd) SYSCALL_ARGS(r, a, rd)
#define ENTRY_ARG(r, i, rd) ((i) ? rd(r, regs[(i)]) : rd(r, orig_x0))
#define ENTRY_ARG_COMPAT(r, i, rd) ENTRY_ARG(r, i, rd)

/* An AArch32 task: its saved state says so. */
static __always_inline bool in_compat_syscall(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, pstate) & PSR_MODE32_BIT;
}
#else
#error "ipctrace: add this architecture's syscall registers"
#endif

#define CALL_ARGS(r, a, compat, rd)                                                                \
	do {                                                                                       \
		if (compat)                                                                        \
			SYSCALL_ARGS_COMPAT(r, a, rd);                                             \
		else                                                                               \
			SYSCALL_ARGS(r, a, rd);                                                    \
	} while (0)

/* Argument i (0 to 4) of the call being entered: plain loads in the typed form. */
static __always_inline __u64 entry_arg(struct pt_regs *regs, int i, bool compat, const bool typed)
{
	if (typed)
		return compat ? ENTRY_ARG_COMPAT(KCAST(regs), i, LOAD) : ENTRY_ARG(KCAST(regs), i, LOAD);
	return compat ? ENTRY_ARG_COMPAT(regs, i, BPF_CORE_READ) : ENTRY_ARG(regs, i, BPF_CORE_READ);
}

/*
 * The class and native number of a traced process's call, whose number
 * passed class_of(). A 32-bit process makes its calls with numbers of its
 * own (ia32 `read` is 3, x86-64's `close`; its `getpid` is 20, x86-64's
 * `writev`): the call's ABI decides which table applies.
 */
static __always_inline __u8 call_class(struct pt_regs *regs, long *nr, __u8 *compat)
{
	unsigned long n = *nr;

	*compat = 0;
	if (n >= IPCT_NR_MAX || !in_compat_syscall(regs))
		return class_of(n) & ~IPCT_SC_COMPAT;
	*compat = 1;
	*nr = compat_nr[n];
	return compat_class[n];
}

static __always_inline void read_user_pair(__u64 ptr, __u64 *a, __u64 *b)
{
	__u64 v[2] = {};

	if (ptr && !bpf_probe_read_user(v, sizeof(v), (void *)ptr)) {
		*a = v[0];
		*b = v[1];
	}
}

/* ---- close-on-exec by ioctl ---- */

#define FIONCLEX 0x5450
#define FIOCLEX  0x5451

/*
 * Of all ioctls, only FIOCLEX and FIONCLEX change what the daemon models
 * (close-on-exec): the others (a terminal's, a device's) are dropped at
 * entry by their request, before the traced set is even looked at.
 */
static __always_inline bool cloexec_request(unsigned long req)
{
	return (unsigned int)req == FIOCLEX || (unsigned int)req == FIONCLEX;
}

/* A struct sigaction's handler and flags: two longs, of 4 bytes each in a 32-bit process. */
static __always_inline void read_sigaction(__u64 ptr, bool compat, __u64 *handler, __u64 *flags)
{
	read_user_pair(ptr, handler, flags);
	if (compat) {
		*flags = *handler >> 32;
		*handler = (__u32)*handler;
	}
}

/* The bytes an iovec array asks for (its first 8 entries); a 32-bit one is of two 4-byte words. */
static __always_inline __u64 iov_bytes(__u64 iov, __u64 cnt, bool compat)
{
	const __u64 size = compat ? 8 : sizeof(struct iovec);
	__u64 sum = 0;

	for (int i = 0; i < 8 && i < cnt; i++) {
		__u64 v[2] = {};

		if (bpf_probe_read_user(v, size, (void *)(iov + i * size)))
			break;
		sum += compat ? v[0] >> 32 : v[1];
	}
	return sum;
}

/*
 * A call that may sleep until another process acts: a read, a write, a
 * receive or a send (of a pipe, FIFO, socket or message queue), a wait
 * for a child, a System V msgsnd or msgrcv, a semop, a futex wait of
 * sem_wait's. Calls with a timeout are left out: they end by themselves.
 * Whether it does sleep, and on what, is not decided here: the survey
 * (ipct_waiters) lists the threads that are asleep in such a call when it
 * runs, and the daemon's engine looks their descriptors up. So a call
 * costs a few register loads, and nothing is added or removed per call.
 * System-wide sessions are not diagnosed (every process would be).
 */
static __always_inline void note_sleeper(struct ipct_inflight *in, struct pt_regs *regs, bool compat, __u32 session,
					 const bool typed)
{
	bool sleeps;

	switch (in->cls) {
	case IPCT_SC_READ:
	case IPCT_SC_READV:
	case IPCT_SC_WAIT4:
	case IPCT_SC_WAITID:
	case IPCT_SC_MSGSND:
	case IPCT_SC_MSGRCV:
		sleeps = true;
		break;
	case IPCT_SC_MQ_SEND:
	case IPCT_SC_MQ_RECV:
		sleeps = !entry_arg(regs, 4, compat, typed);
		break;
	case IPCT_SC_SEMOP:
		sleeps = in->nr != nr_semtimedop || !entry_arg(regs, 3, compat, typed);
		break;
	case IPCT_SC_FUTEX: {
		__u64 cmd = entry_arg(regs, 1, compat, typed) & FUTEX_CMD_MASK;

		sleeps = (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && !entry_arg(regs, 3, compat, typed);
		break;
	}
	default:
		sleeps = in->nr == nr_recvfrom || in->nr == nr_recvmsg || in->nr == nr_write || in->nr == nr_writev;
	}
	in->sleeps = sleeps && !(all_session && session == all_session);
	if (!in->sleeps)
		return;
	for (int i = 0; i < 3; i++)
		in->args[i] = entry_arg(regs, i, compat, typed);
}

/*
 * A futex call of the process's own memory (FUTEX_PRIVATE_FLAG in its
 * operation, the second argument, still in the saved registers at exit):
 * never a process-shared semaphore's.
 */
static __always_inline bool futex_private(struct pt_regs *regs, const bool typed)
{
	return (typed ? PT_REGS_PARM2_SYSCALL(KCAST(regs)) : PT_REGS_PARM2_CORE_SYSCALL(regs)) & FUTEX_PRIVATE_FLAG;
}

static __always_inline int sys_enter(struct bpf_raw_tracepoint_args *ctx, const bool typed)
{
	const unsigned int rd = typed ? R_TYPED : 0;
	struct pt_regs *regs = (void *)ctx->args[0];
	struct ipct_inflight *in;
	long nr = ctx->args[1];
	__u32 session;
	__u8 compat, cls;
	bool counting;

	/*
	 * The number is in a table, natively or as a 32-bit call's: one load
	 * for most calls. Of all ioctls, only FIOCLEX and FIONCLEX matter: the
	 * others are dropped by their request before the traced set is looked
	 * at (a 32-bit process's, once its call is known).
	 */
	cls = class_of(nr);
	if (cls == IPCT_SC_NONE ||
	    (cls == IPCT_SC_IOCTL &&
	     !cloexec_request(typed ? PT_REGS_PARM2_SYSCALL(KCAST(regs)) : PT_REGS_PARM2_CORE_SYSCALL(regs))))
		return 0;
	/* Most futex calls, a process's own memory's (mutexes, private semaphores), go here. */
	if ((cls & ~IPCT_SC_COMPAT) == IPCT_SC_FUTEX && futex_private(regs, typed))
		return 0;
	in = current_traced(&session);
	if (!in)
		return 0;
	cls = call_class(regs, &nr, &compat);
	if (cls == IPCT_SC_NONE || (cls == IPCT_SC_IOCTL && compat && !cloexec_request(entry_arg(regs, 1, 1, typed))))
		return 0;
	/* A shared futex: recorded on a page of a traced shared mapping only. */
	if (cls == IPCT_SC_FUTEX && ((entry_arg(regs, 1, compat, typed) & FUTEX_PRIVATE_FLAG) ||
				     !ipct_futex_shared(session, entry_arg(regs, 0, compat, typed))))
		return 0;
	in->session = session;
	/* A call counted here (`run --count`) has no duration to keep nor sleeper to survey. */
	counting = procs_slot(session)->cslot && countable(cls);
	in->ts = counting ? 0 : bpf_ktime_get_boot_ns();
	in->nr = nr;
	in->cls = cls;
	in->compat = compat;
	in->active = 1;
	in->valid = 0;
	in->obj.kind = IPCT_KIND_NONE;
	switch (cls) {
	case IPCT_SC_CLOSE:
		fd_resolve((int)entry_arg(regs, 0, compat, typed), &in->obj, R_COE | rd);
		break;
	case IPCT_SC_DUP2:
		fd_resolve((int)entry_arg(regs, 1, compat, typed), &in->obj, R_COE | rd);
		break;
	case IPCT_SC_SIGACTION:
	case IPCT_SC_SIGPROCMASK: {
		__u64 ptr = entry_arg(regs, 1, compat, typed);

		if (ptr) {
			if (cls == IPCT_SC_SIGACTION)
				read_sigaction(ptr, compat, &in->val[0], &in->val[1]);
			else
				read_user_pair(ptr, &in->val[0], &in->val[1]);
			in->valid = 1;
		}
		break;
	}
	}
	if (counting)
		in->sleeps = 0;
	else
		note_sleeper(in, regs, compat, session, typed);
	return 0;
}

static __always_inline void put_obj(struct ipct_event *e, int slot, const struct ipct_obj *o)
{
	e->kind[slot] = o->kind;
	e->sys.x[slot * 2] = o->ino;
	e->sys.x[slot * 2 + 1] = o->flags;
}


/*
 * A 32-bit socketcall(call, array): the call it makes, by its native
 * number, with its arguments (4-byte words of the array) in args. The
 * class of that call, IPCT_SC_NONE when it is not traced.
 */
static __always_inline __u8 socketcall_args(__u64 *args, long *nr)
{
	/* How many arguments each call has (the kernel's nargs[], in words). */
	static const __u8 nargs[IPCT_SOCKETCALL_MAX] = { 0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4, 6, 6, 2, 5, 5, 3, 3, 4, 5, 4 };
	__u64 call = args[0], array = args[1];
	__u32 words[8] = {};    /* what `& 7` bounds the read to, for the verifier */
	__u8 cls;

	if (call >= IPCT_SOCKETCALL_MAX)
		return IPCT_SC_NONE;
	*nr = socketcall_nr[call];
	cls = class_of(*nr) & ~IPCT_SC_COMPAT;
	if (cls == IPCT_SC_NONE ||
	    bpf_probe_read_user(words, (nargs[call] & 7) * sizeof(__u32), (void *)array))
		return IPCT_SC_NONE;
	for (int i = 0; i < 6; i++)
		args[i] = words[i];
	return cls;
}

/* A signalfd read: the signals of the first siginfos it returned, a byte each in x[2..3]. */
static __always_inline void signalfd_signals(struct ipct_event *e, __u64 buf, long ret)
{
	__u8 *named = (__u8 *)&e->sys.x[2];
	long n = ret > 0 ? ret / sizeof(struct signalfd_siginfo) : 0;

	for (int i = 0; i < IPCT_SIGNALFD_NAMED && i < n; i++) {
		__u32 signo = 0;

		bpf_probe_read_user(&signo, sizeof(signo),
				    (void *)(buf + i * sizeof(struct signalfd_siginfo) +
					     offsetof(struct signalfd_siginfo, ssi_signo)));
		named[i] = signo;
	}
}

#define SOCK_BINDADDR_LOCK 4
#define SOCK_BINDPORT_LOCK 8

/*
 * An OBJINFO record for the socket at fd: family, type, addresses, AF_UNIX
 * peer. None after a listen that bound nothing: an AF_UNIX socket's
 * address is bind's, and so is an AF_INET one's that bind gave an address
 * or a port (the kernel's bind locks); one bound to neither, by bind or by
 * listen, has its ephemeral port told. A global function: the verifier
 * checks it once, whatever calls it in sys_exit.
 */
__noinline int ipct_sockinfo(__u32 session, __u16 nr, long fd)
{
	struct fdtable *fdt = NULL;
	struct file *f = fd_file(fd, &fdt);
	struct ipct_event *e;
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!f)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (nr == nr_listen &&
	    (family == AF_UNIX ||
	     (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_userlocks) & (SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK))))
		return 0;
	e = reserve(IPCT_EV_OBJINFO, session);
	if (!e)
		return 0;
	e->nr = nr;
	e->obj.fd = fd;
	e->obj.ino = BPF_CORE_READ(f, f_inode, i_ino);
	e->obj.type = BPF_CORE_READ(sock, type);
	e->obj.family = family;
	if (family == AF_UNIX) {
		struct unix_sock *u = (void *)sk;
		struct unix_address *ua = BPF_CORE_READ(u, addr);
		struct sock *peer = BPF_CORE_READ(u, peer);
		struct socket *ps = peer ? BPF_CORE_READ(peer, sk_socket) : NULL;

		if (ua) {
			int len = BPF_CORE_READ(ua, len) - 2;   /* less sun_family */

			e->obj.path_len = len < 0 ? 0 : len > 64 ? 64 : len;
			bpf_probe_read_kernel(e->obj.path, sizeof(e->obj.path), &ua->name[0].sun_path);
		}
		/* A socket's inode is the one it is allocated with (struct socket_alloc). */
		if (ps)
			e->obj.peer_ino = BPF_CORE_READ((struct socket_alloc *)ps, vfs_inode.i_ino);
	} else if (family == AF_INET || family == AF_INET6) {
		if (family == AF_INET) {
			BPF_CORE_READ_INTO((__u32 *)e->obj.laddr, sk, __sk_common.skc_rcv_saddr);
			BPF_CORE_READ_INTO((__u32 *)e->obj.raddr, sk, __sk_common.skc_daddr);
		} else {
			BPF_CORE_READ_INTO((struct in6_addr *)e->obj.laddr, sk, __sk_common.skc_v6_rcv_saddr);
			BPF_CORE_READ_INTO((struct in6_addr *)e->obj.raddr, sk, __sk_common.skc_v6_daddr);
		}
		e->obj.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		e->obj.rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	}
	submit(e, false);
	return 0;
}

/*
 * An OBJINFO record for a FIFO just opened, or a POSIX queue opened or
 * unlinked (kind IPCT_KIND_MQUEUE): its path or name, as the program gave it.
 */
static __always_inline void emit_named(__u32 session, __u16 nr, __u8 kind, long fd, __u64 ino, __u64 path)
{
	struct ipct_event *e = reserve(IPCT_EV_OBJINFO, session);
	long n;

	if (!e)
		return;
	e->nr = nr;
	e->kind[0] = kind;
	e->obj.fd = fd;
	e->obj.ino = ino;
	n = bpf_probe_read_user_str(e->obj.path, sizeof(e->obj.path), (void *)path);
	e->obj.path_len = n > 0 ? n - 1 : 0;
	submit(e, false);
}

/* ipct_sockaddr's len for a msghdr at ptr, whose msg_name is the address: a native one, a 32-bit one. */
#define SA_MSGHDR        -1
#define SA_MSGHDR_COMPAT -2

/* A call's arguments, for a global function (which takes at most 5 arguments, and pointers to memory). */
struct call_args {
	__u64 a[6];
};

/*
 * After a connect, sendto or sendmsg on a socket: an OBJINFO record
 * (IPCT_F_ADDRESS) with the address the program gave, a struct sockaddr
 * (or a msghdr's msg_name) read from its memory as the call left it: an
 * AF_UNIX path or abstract name (its first 64 bytes; path_len says how long
 * it was), an AF_INET or AF_INET6 address and port. None for another call,
 * a call without an address, or an address of another family. A global
 * function: the verifier checks it once, and sys_exit's paths only reach
 * one call (each branch there multiplies the states of Linux 6.1's verifier).
 */
__noinline int ipct_sockaddr(__u32 session, long nr, const struct call_args *args, bool compat)
{
	struct fdtable *fdt = NULL;
	struct ipct_event *e;
	struct file *f;
	__u64 w[2] = {}, ptr;
	__u16 family = 0;
	long len;
	__u32 n;
	int fd;

	if (!args)
		return 0;
	fd = args->a[0];
	if (nr == nr_connect) {
		ptr = args->a[1];
		len = (__u32)args->a[2];
	} else if (nr == nr_sendto) {
		ptr = args->a[4];
		len = (__u32)args->a[5];
	} else if (nr == nr_sendmsg) {
		ptr = args->a[1];
		len = compat ? SA_MSGHDR_COMPAT : SA_MSGHDR;
	} else {
		return 0;
	}
	if (len == SA_MSGHDR || len == SA_MSGHDR_COMPAT) {
		if (bpf_probe_read_user(w, sizeof(w), (void *)ptr))
			return 0;
		/* msg_name, msg_namelen: a pointer and an int, of 4 bytes each in a 32-bit msghdr. */
		ptr = len == SA_MSGHDR ? w[0] : (__u32)w[0];
		len = len == SA_MSGHDR ? (__u32)w[1] : (__u32)(w[0] >> 32);
	}
	/* Most sends have no address (a stream's): they cost the tests above. */
	if (!ptr || len < (long)sizeof(family) ||
	    bpf_probe_read_user(&family, sizeof(family), (void *)ptr) ||
	    (family != AF_UNIX && family != AF_INET && family != AF_INET6))
		return 0;
	f = fd_file(fd, &fdt);
	if (!f)
		return 0;
	e = reserve(IPCT_EV_OBJINFO, session);
	if (!e)
		return 0;
	e->nr = nr;
	e->flags |= IPCT_F_ADDRESS;
	e->kind[0] = IPCT_KIND_SOCKET;
	e->obj.fd = fd;
	e->obj.ino = BPF_CORE_READ(f, f_inode, i_ino);
	e->obj.family = family;
	if (family == AF_UNIX) {
		/* sun_path, after the 2 bytes of sun_family: at most 108 bytes. */
		n = len - 2 > 108 ? 108 : len - 2;
		e->obj.path_len = n;
		n = n > sizeof(e->obj.path) ? sizeof(e->obj.path) : n;
		/* 1 to 64, in a form the verifier follows (a plain clamp, clang may fold away). */
		if (n)
			bpf_probe_read_user(e->obj.path, ((n - 1) & (sizeof(e->obj.path) - 1)) + 1, (void *)(ptr + 2));
	} else {
		/* sin_port, then sin_addr; sin6_port, sin6_flowinfo, then sin6_addr. */
		__be16 port = 0;

		bpf_probe_read_user(&port, sizeof(port), (void *)(ptr + 2));
		e->obj.rport = bpf_ntohs(port);
		if (family == AF_INET)
			bpf_probe_read_user(e->obj.raddr, 4, (void *)(ptr + 4));
		else
			bpf_probe_read_user(e->obj.raddr, 16, (void *)(ptr + 8));
	}
	submit(e, false);
	return 0;
}

/* ---- descriptors that arrive from elsewhere: SCM_RIGHTS, pidfd_getfd ---- */

#define SOL_SOCKET 1
#define SCM_RIGHTS 1
/* The kernel passes at most this many descriptors in one message (SCM_MAX_FD). */
#define SCM_MAX_FD 253
/*
 * A received message carries its SCM_RIGHTS after at most SCM_SECURITY,
 * SCM_CREDENTIALS and SCM_PIDFD (unix_stream_read_generic, scm_recv).
 */
#define CMSGS_MAX 4

/*
 * These run after the call's own record, off the hot path, as global
 * functions: the verifier checks each once, whatever calls it.
 *
 * An FD_RECEIVED record for fd, just installed in the current task's
 * table; dropped unless IPC.
 */
__noinline int ipct_fd_received(__u32 session, __u16 nr, int fd, int via_fd)
{
	struct ipct_event *e;
	struct ipct_obj o;

	/* Inline: this global function is already deep in sys_exit's calls (the stack of them all counts). */
	fd_resolve_one(fd, &o, R_COE);
	if (!is_ipc(&o))
		return 0;
	e = reserve(IPCT_EV_FD_RECEIVED, session);
	if (!e)
		return 0;
	e->nr = nr;
	e->kind[0] = o.kind;
	e->fdrecv.ino = o.ino;
	e->fdrecv.flags = o.flags;
	e->fdrecv.fd = fd;
	e->fdrecv.via_fd = via_fd;
	submit(e, false);
	return 0;
}

/*
 * After a recvmsg that returned: the descriptors its SCM_RIGHTS message
 * installed, read from the caller's msghdr at msg, where the kernel has
 * set msg_controllen to what it wrote (and, when the buffer was too small
 * for them all, cmsg_len to what it installed).
 */
__noinline int ipct_scm_rights(__u32 session, __u16 nr, int sock_fd, __u64 msg)
{
	struct user_msghdr *m = (void *)msg;
	struct cmsghdr h;
	__u64 control, len, off = 0;

	if (bpf_probe_read_user(&control, sizeof(control), &m->msg_control) ||
	    bpf_probe_read_user(&len, sizeof(len), &m->msg_controllen))
		return 0;
	for (int i = 0; i < CMSGS_MAX; i++) {
		if (off + sizeof(h) > len || bpf_probe_read_user(&h, sizeof(h), (void *)(control + off)) ||
		    h.cmsg_len < sizeof(h))
			return 0;
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			__u64 n = (h.cmsg_len - sizeof(h)) / sizeof(int), ints = control + off + sizeof(h);

			for (int j = 0; j < SCM_MAX_FD && j < n; j++) {
				int fd;

				if (bpf_probe_read_user(&fd, sizeof(fd), (void *)(ints + j * sizeof(int))))
					return 0;
				ipct_fd_received(session, nr, fd, sock_fd);
			}
			return 0;
		}
		off += (h.cmsg_len + sizeof(long) - 1) & ~(sizeof(long) - 1);
	}
	return 0;
}

/* The kernel receives at most this many messages in one recvmmsg (UIO_MAXIOV). */
#define MMSG_MAX 1024

/* After a recvmmsg that returned n messages: the descriptors each one's SCM_RIGHTS installed. */
__noinline int ipct_scm_rights_mmsg(__u32 session, __u16 nr, int sock_fd, __u64 vec, __u64 n)
{
	for (int i = 0; i < MMSG_MAX && i < n; i++)
		ipct_scm_rights(session, nr, sock_fd, vec + i * sizeof(struct mmsghdr));
	return 0;
}

/* The pid (as the initial namespace numbers it) that the pidfd at fd refers to; 0 if unknown. */
static __always_inline __u32 pidfd_pid_nr(long fd)
{
	struct fdtable *fdt = NULL;
	struct file *f = fd_file(fd, &fdt);
	struct pid *pid;

	if (!f)
		return 0;
	/* Since 6.9 (pidfs) the pid is the inode's private data; before, the file's. */
	pid = BPF_CORE_READ(f, f_inode, i_private);
	if (!pid)
		pid = BPF_CORE_READ(f, private_data);
	return pid ? BPF_CORE_READ(pid, numbers[0].nr) : 0;
}

/*
 * A POSIX queue's state after a call on fd (x[2] and x[3] of MQ_OPEN, MQ_SEND
 * and MQ_RECV): its inode is the vfs_inode of a struct mqueue_inode_info
 * (ipc/mqueue.c), whose attr has the messages in it, mq_msgsize and
 * mq_maxmsg. For a descriptor fd_resolve() found to be a queue; false
 * when it is not open.
 */
static __always_inline bool mq_state(long fd, __u64 *depth_size, __u64 *maxmsg)
{
	struct fdtable *fdt = NULL;
	struct file *f = fd_file(fd, &fdt);
	struct mqueue_inode_info *info;

	if (!f)
		return false;
	info = (void *)BPF_CORE_READ(f, f_inode) - bpf_core_field_offset(struct mqueue_inode_info, vfs_inode);
	*depth_size = (__u32)BPF_CORE_READ(info, attr.mq_curmsgs) |
		      (__u64)BPF_CORE_READ(info, attr.mq_msgsize) << 32;
	*maxmsg = BPF_CORE_READ(info, attr.mq_maxmsg);
	return true;
}

/* A System V message's mtype, the long that the buffer at ptr starts with (a 32-bit one's is 4 bytes). */
static __always_inline bool read_mtype(__u64 ptr, bool compat, __u64 *mtype)
{
	if (compat) {
		__s32 t;

		if (bpf_probe_read_user(&t, sizeof(t), (void *)ptr))
			return false;
		*mtype = (__s64)t;
		return true;
	}
	return !bpf_probe_read_user(mtype, sizeof(*mtype), (void *)ptr);
}

/*
 * What a semaphore call carries beyond the set's id, into x[1..3]: a semop's
 * first IPCT_SEM_OPS struct sembufs (arg1), as many as it made (arg2); a
 * semctl SETALL's first values (the array at arg3), as many as the set has
 * (sem_nsems), at most IPCT_SEM_VALUES, their count in x[3]'s top 16 bits.
 * A semget that made a set notes its size. SETALL is 17 (<linux/sem.h>),
 * IPC_64 (0x100) aside.
 */
static __noinline bool sem_values(int cls, const __u64 *args, __s64 ret, __u64 *x)
{
	__u32 id, size, *nsems;
	__u64 n;

	switch (cls) {
	case IPCT_SC_SEMGET:
		id = ret;
		size = args[1];
		if (ret >= 0 && size)
			bpf_map_update_elem(&sem_nsems, &id, &size, BPF_ANY);
		return false;
	case IPCT_SC_SEMOP:
		/* One sembuf (6 bytes) at a time: reads of a constant size, which 6.1's verifier bounds. */
		n = args[2] < IPCT_SEM_OPS ? args[2] : IPCT_SEM_OPS;
		for (int i = 0; i < IPCT_SEM_OPS; i++)
			if (i < n && bpf_probe_read_user((char *)x + 6 * i, 6, (void *)(args[1] + 6 * i)))
				return false;
		return n > 0;
	default:
		if ((args[2] & 0xff) != 17)
			return false;
		id = args[0];
		nsems = bpf_map_lookup_elem(&sem_nsems, &id);
		if (!nsems)
			return false;
		n = *nsems < IPCT_SEM_VALUES ? *nsems : IPCT_SEM_VALUES;
		for (int i = 0; i < IPCT_SEM_VALUES; i++)
			if (i < n && bpf_probe_read_user((char *)x + 2 * i, 2, (void *)(args[3] + 2 * i)))
				return false;
		x[2] = (x[2] & 0xffffffffffffull) | n << 48;
		return true;
	}
}

/* The pages of a shared mapping of len bytes at addr go into sem_pages. */
static __always_inline void sem_pages_note(__u32 session, __u64 addr, __u64 len)
{
	struct shared_map_key key = { .session = session };

	if (len > SEM_PAGES_MAX * 4096)
		return;
	for (int i = 0; i < SEM_PAGES_MAX && i * 4096 < len; i++) {
		key.addr = addr + i * 4096;
		bpf_map_update_elem(&sem_pages, &key, &addr, BPF_ANY);
	}
}

/*
 * A link or linkat that made a name under /dev/shm/ (sem_open links its
 * file in place): OBJINFO records with the old path (fd -3), then the new
 * one (fd -2). A global function, apart from sys_exit.
 */
__noinline int ipct_link_names(__u32 session, __u16 nr, __u64 old, __u64 new)
{
	emit_named(session, nr, IPCT_KIND_SHM, -3, 0, old);
	emit_named(session, nr, IPCT_KIND_SHM, -2, 0, new);
	return 0;
}

/*
 * Whether an mmap, munmap or unlink concerns shared memory, in which case it
 * is recorded. mmap (a shared mapping, of len at addr): noted in shared_maps;
 * munmap (of addr): an address noted there, whose length goes to *len;
 * unlink, unlinkat (of the path at ptr): it starts with "/dev/shm/". A
 * global function: sys_exit's states stay as they were.
 */
__noinline bool ipct_shm_call(__u32 session, __u8 cls, __u64 addr, __u64 ptr, __u64 *len)
{
	struct shared_map_key key = { .session = session, .addr = addr };
	char path[9];
	__u64 *l;

	if (!len)
		return false;
	switch (cls) {
	case IPCT_SC_MMAP:
		bpf_map_update_elem(&shared_maps, &key, &ptr, BPF_ANY);
		sem_pages_note(session, addr, ptr);
		return true;
	case IPCT_SC_MUNMAP:
		l = bpf_map_lookup_elem(&shared_maps, &key);
		if (!l)
			return false;
		*len = *l;
		return true;
	case IPCT_SC_UNLINK:
		if (bpf_probe_read_user(path, sizeof(path), (void *)ptr))
			return false;
		for (int i = 0; i < sizeof(path); i++)
			if (path[i] != "/dev/shm/"[i])
				return false;
		return true;
	}
	return false;
}

static __always_inline int sys_exit(struct bpf_raw_tracepoint_args *ctx, const bool typed)
{
	const unsigned int rd = typed ? R_TYPED : 0;
	struct pt_regs *uregs = (void *)ctx->args[0];
	struct ipct_inflight *in;
	struct ipct_obj a = {}, b = {};
	struct ipct_event *e;
	__u64 args[6];
	__u64 entry_ts = 0, val[2] = {};
	__s32 waited[5] = {};   /* wait4: the status; waitid: siginfo from si_code to si_status */
	__u32 session, valid = 0;
	long ret = ctx->args[1];
	__u8 cls, compat;
	long nr;

	/* Every syscall on the machine comes here: read the number alone first. */
	nr = KREAD(typed, uregs, REG_NR);
	/*
	 * rt_sigreturn restores the registers of the interrupted code and sets
	 * the syscall number to -1 (so that nothing restarts): its number is
	 * only known from the entry.
	 */
	if (nr != -1 && class_of(nr) == IPCT_SC_NONE)
		return 0;
	/* The futex calls that sys_enter dropped by their operation, again without a lookup. */
	if (nr != -1 && (class_of(nr) & ~IPCT_SC_COMPAT) == IPCT_SC_FUTEX && futex_private(uregs, typed))
		return 0;
	/*
	 * Only a call that sys_enter noted: it checked the traced set then, so
	 * an untraced thread costs one task-storage lookup here, not a hash.
	 * It also classified the call, and knew its native number.
	 */
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
	if (!in || !in->active)
		return 0;
	in->active = 0;
	session = in->session;
	cls = in->cls;
	if (nr == -1 && cls != IPCT_SC_PLAIN)
		return 0;
	nr = in->nr;
	compat = in->compat;
	entry_ts = in->ts;
	b = in->obj;
	val[0] = in->val[0];
	val[1] = in->val[1];
	valid = in->valid;
	/* The arguments are still in the saved registers: typed loads where the kernel allows. */
	if (typed) {
		CALL_ARGS(KCAST(uregs), args, compat, LOAD);
	} else if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		struct pt_regs *r = (void *)bpf_task_pt_regs(bpf_get_current_task_btf());

		CALL_ARGS(r, args, compat, LOAD);
	} else {
		/*
		 * Before 5.15, one read per argument: a copy of the whole
		 * pt_regs would take 168 bytes of the 512 of stack that this
		 * program shares with ipct_scm_rights() and ipct_fd_received().
		 */
		CALL_ARGS(uregs, args, compat, BPF_CORE_READ);
	}
	if (cls == IPCT_SC_SOCKETCALL && (cls = socketcall_args(args, &nr)) == IPCT_SC_NONE)
		return 0;

	/* Resolve, and drop what is not IPC, before reserving anything. */
	switch (cls) {
	case IPCT_SC_FD:
	case IPCT_SC_FD_IOV:
	case IPCT_SC_SOCK:
	case IPCT_SC_IOCTL:
	case IPCT_SC_FD_MSG:
	case IPCT_SC_FD_MMSG:
	case IPCT_SC_READ:
	case IPCT_SC_READV:
		/* Data calls, the bulk; dup and fcntl's copies take close-on-exec from their arguments. */
		fd_resolve(args[0], &a, rd | (cls == IPCT_SC_READ || cls == IPCT_SC_READV ? R_SIGFD : 0));
		if (!is_ipc(&a) && !fd_failed(ret) && !std_copy(nr, args, ret))
			return 0;
		break;
	case IPCT_SC_FD_RET:
	case IPCT_SC_GETFD:
		fd_resolve(ret, &a, R_COE | rd);
		if (!is_ipc(&a))
			return 0;
		break;
	case IPCT_SC_MQ_SEND:
	case IPCT_SC_MQ_RECV:
		fd_resolve(args[0], &a, rd);
		if (a.kind != IPCT_KIND_MQUEUE)
			return 0;
		break;
	case IPCT_SC_MQ_OPEN:
		fd_resolve(ret, &a, R_COE | rd);
		break;
	case IPCT_SC_OPEN:
	case IPCT_SC_OPENAT:
		fd_resolve(ret, &a, R_COE | rd);
		/* A file that gets a standard stream's number: what the stream was is gone. */
		if (a.kind != IPCT_KIND_FIFO && a.kind != IPCT_KIND_SHM && !(ret >= 0 && ret <= 2))
			return 0;
		break;
	case IPCT_SC_MMAP:
		/* Private mappings, the bulk, fail the first test. */
		if (!(args[3] & MAP_SHARED) || ret < 0)
			return 0;
		if (!(args[3] & MAP_ANONYMOUS)) {
			fd_resolve(args[4], &a, rd);
			if (a.kind != IPCT_KIND_SHM)
				return 0;
		}
		ipct_shm_call(session, cls, ret, args[1], &val[0]);
		break;
	case IPCT_SC_MUNMAP:
		if (!ipct_shm_call(session, cls, args[0], 0, &val[0]))
			return 0;
		break;
	case IPCT_SC_UNLINK:
		if (ret != 0 || !ipct_shm_call(session, cls, 0, args[nr == nr_unlinkat ? 1 : 0], &val[0]))
			return 0;
		break;
	case IPCT_SC_LINK:
		if (ret != 0 || !ipct_shm_call(session, IPCT_SC_UNLINK, 0, args[nr == nr_linkat ? 3 : 1], &val[0]))
			return 0;
		break;
	case IPCT_SC_FD_PAIR01:
	case IPCT_SC_FD_PAIR02:
		fd_resolve(args[0], &a, R_COE | rd);
		fd_resolve(args[cls == IPCT_SC_FD_PAIR01 ? 1 : 2], &b, R_COE | rd);
		if (!is_ipc(&a) && !is_ipc(&b) && !fd_failed(ret))
			return 0;
		break;
	case IPCT_SC_FD_ACCEPT:
		fd_resolve(args[0], &a, R_COE | rd);
		fd_resolve(ret, &b, R_COE | rd);
		break;
	case IPCT_SC_CLOSE:
		if (!is_ipc(&b) && !fd_failed(ret) && !is_std(args[0]))
			return 0;
		a = b;
		b.kind = IPCT_KIND_NONE;
		break;
	case IPCT_SC_DUP2:
		fd_resolve(args[0], &a, R_COE | rd);
		if (!is_ipc(&a) && !is_ipc(&b) && !fd_failed(ret) && !is_std(args[0]) && !is_std(args[1]))
			return 0;
		break;
	case IPCT_SC_WAIT4:
		/* WNOHANG with no child to collect: a polling loop would flood the ring. */
		if (ret == 0)
			return 0;
		break;
	case IPCT_SC_WAITID:
		/*
		 * siginfo: si_signo, si_errno, then si_code, pad, si_pid, si_uid,
		 * si_status. Without one (infop NULL) nobody can tell what it collected.
		 */
		if (ret == 0 && args[2] && !bpf_probe_read_user(waited, sizeof(waited), (void *)(args[2] + 8))) {
			if (waited[2] == 0)
				return 0;
			valid = 1;
		}
		break;
	}

	/* `run --count`: the call is counted, not recorded. */
	if (countable(cls) && counted(session, nr))
		goto follow;
	e = reserve(IPCT_EV_SYSCALL, session);
	if (!e)
		return 0;
	e->nr = nr;
	if (compat)
		e->flags |= IPCT_F_COMPAT;
	__builtin_memcpy(e->sys.args, args, sizeof(args));
	e->sys.ret = ret;
	e->sys.dur_ns = entry_ts ? e->ts_ns - entry_ts : 0;

	switch (cls) {
	case IPCT_SC_FD:
	case IPCT_SC_FD_RET:
	case IPCT_SC_CLOSE:
	case IPCT_SC_SOCK:
	case IPCT_SC_OPEN:
	case IPCT_SC_OPENAT:
	case IPCT_SC_IOCTL:
	case IPCT_SC_FD_MSG:
	case IPCT_SC_FD_MMSG:
		put_obj(e, 0, &a);
		break;
	case IPCT_SC_GETFD:
		put_obj(e, 0, &a);
		e->sys.x[2] = pidfd_pid_nr(args[0]);
		break;
	case IPCT_SC_READ:
		put_obj(e, 0, &a);
		if (a.kind == IPCT_KIND_SIGNALFD)
			signalfd_signals(e, args[1], ret);
		break;
	case IPCT_SC_FD_IOV:
	case IPCT_SC_READV:
		put_obj(e, 0, &a);
		e->sys.x[2] = iov_bytes(args[1], args[2], compat);
		break;
	case IPCT_SC_FD_ACCEPT:
	case IPCT_SC_DUP2:
	case IPCT_SC_FD_PAIR01:
	case IPCT_SC_FD_PAIR02:
		put_obj(e, 0, &a);
		put_obj(e, 1, &b);
		break;
	case IPCT_SC_PIPE:
	case IPCT_SC_SOCKETPAIR: {
		int fds[2] = { -1, -1 };

		if (ret == 0 &&
		    !bpf_probe_read_user(fds, sizeof(fds),
					 (void *)args[cls == IPCT_SC_PIPE ? 0 : 3])) {
			fd_resolve(fds[0], &a, R_COE | rd);
			fd_resolve(fds[1], &b, R_COE | rd);
			e->kind[0] = a.kind;
			e->kind[1] = b.kind;
			e->sys.x[0] = (__u32)fds[0] | (__u64)(__u32)fds[1] << 32;
			e->sys.x[1] = a.ino;
			e->sys.x[2] = b.ino;
			e->sys.x[3] = (a.flags & 0xffffffff) | (b.flags & 0xffffffff) << 32;
		}
		break;
	}
	case IPCT_SC_SIGACTION:
		if (valid) {
			e->sys.x[0] = val[0];
			e->sys.x[1] = val[1];
			e->flags |= IPCT_F_NEW_VALID;
		}
		if (ret == 0 && args[2]) {
			read_sigaction(args[2], compat, &e->sys.x[2], &e->sys.x[3]);
			e->flags |= IPCT_F_OLD_VALID;
		}
		break;
	case IPCT_SC_SIGPROCMASK:
		if (valid) {
			e->sys.x[0] = val[0];
			e->flags |= IPCT_F_NEW_VALID;
		}
		if (ret == 0 && args[2]) {
			bpf_probe_read_user(&e->sys.x[2], sizeof(__u64), (void *)args[2]);
			e->flags |= IPCT_F_OLD_VALID;
		}
		break;
	case IPCT_SC_WAIT4:
		if (ret > 0 && args[1] && !bpf_probe_read_user(&waited[0], sizeof(waited[0]), (void *)args[1])) {
			e->sys.x[0] = (__u32)waited[0];
			e->flags |= IPCT_F_NEW_VALID;
		}
		break;
	case IPCT_SC_WAITID:
		if (valid) {
			e->sys.x[0] = (__u32)waited[2];
			e->sys.x[1] = (__u32)waited[0] | (__u64)(__u32)waited[4] << 32;
			e->flags |= IPCT_F_NEW_VALID;
		}
		break;
	case IPCT_SC_MQ_OPEN:
	case IPCT_SC_MQ_SEND:
	case IPCT_SC_MQ_RECV: {
		__u64 fd = cls == IPCT_SC_MQ_OPEN ? ret : args[0];
		__u32 prio;

		put_obj(e, 0, &a);
		if (a.kind == IPCT_KIND_MQUEUE && mq_state(fd, &e->sys.x[2], &e->sys.x[3]))
			e->flags |= IPCT_F_NEW_VALID;
		if (cls == IPCT_SC_MQ_OPEN)
			break;
		/* mq_timedsend's priority is arg3; mq_timedreceive writes the one it took to *arg3. */
		e->sys.x[3] = cls == IPCT_SC_MQ_SEND ? args[3] : 0;
		if (cls == IPCT_SC_MQ_RECV && ret >= 0 && args[3] &&
		    !bpf_probe_read_user(&prio, sizeof(prio), (void *)args[3])) {
			e->sys.x[3] = prio;
			e->flags |= IPCT_F_OLD_VALID;
		}
		break;
	}
	case IPCT_SC_MSGGET:
	case IPCT_SC_MSGCTL:
	case IPCT_SC_MSGSND:
	case IPCT_SC_MSGRCV:
		e->kind[0] = IPCT_KIND_MSGQ;
		e->sys.x[0] = IPCT_SYSV_INO(cls == IPCT_SC_MSGGET ? ret : args[0]);
		/* msgrcv writes the mtype of the message it took where msgsnd's was. */
		if ((cls == IPCT_SC_MSGSND || (cls == IPCT_SC_MSGRCV && ret >= 0)) &&
		    read_mtype(args[1], compat, &e->sys.x[3]))
			e->flags |= IPCT_F_NEW_VALID;
		break;
	case IPCT_SC_SEMGET:
	case IPCT_SC_SEMOP:
	case IPCT_SC_SEMCTL:
		e->kind[0] = IPCT_KIND_SEM;
		e->sys.x[0] = IPCT_SYSV_SEM_INO(cls == IPCT_SC_SEMGET ? ret : args[0]);
		if (sem_values(cls, args, ret, &e->sys.x[1]))
			e->flags |= IPCT_F_NEW_VALID;
		break;
	case IPCT_SC_MMAP:
		put_obj(e, 0, &a);
		e->kind[0] = IPCT_KIND_SHM;
		break;
	case IPCT_SC_MUNMAP:
	case IPCT_SC_UNLINK:
	case IPCT_SC_LINK:
		/* munmap: the length mapped (0 for unlink and link, whose paths the OBJINFO records have). */
		e->kind[0] = IPCT_KIND_SHM;
		e->sys.x[2] = val[0];
		break;
	case IPCT_SC_FUTEX:
		/* The semaphore's object (x[0]) is the daemon's to add: it knows what is mapped there. */
		e->kind[0] = IPCT_KIND_SEM;
		break;
	case IPCT_SC_SHMGET:
	case IPCT_SC_SHMAT:
	case IPCT_SC_SHMDT:
	case IPCT_SC_SHMCTL:
		e->kind[0] = IPCT_KIND_SHM;
		if (cls != IPCT_SC_SHMDT)
			e->sys.x[0] = IPCT_SYSV_SHM_INO(cls == IPCT_SC_SHMGET ? ret : args[0]);
		/* struct shmid64_ds: a 48-byte ipc64_perm, shm_segsz, three times, two pids, shm_nattch. */
		if (cls == IPCT_SC_SHMCTL && ret == 0 && !compat && (args[1] & 0xff) == IPC_STAT &&
		    !bpf_probe_read_user(&e->sys.x[2], sizeof(e->sys.x[2]), (void *)(args[2] + 48)) &&
		    !bpf_probe_read_user(&e->sys.x[3], sizeof(e->sys.x[3]), (void *)(args[2] + 88)))
			e->flags |= IPCT_F_NEW_VALID;
		break;
	case IPCT_SC_SIGQUEUE:
	case IPCT_SC_TGSIGQUEUE: {
		/*
		 * siginfo: si_signo, si_errno, si_code, pad; then pid, uid, sigval
		 * (a 32-bit one: no pad, and a 4-byte sigval).
		 */
		__u64 ptr = args[cls == IPCT_SC_SIGQUEUE ? 2 : 3];
		__s32 code = 0;
		__u64 value = 0;

		if (ptr) {
			bpf_probe_read_user(&code, sizeof(code), (void *)(ptr + 8));
			bpf_probe_read_user(&value, compat ? 4 : sizeof(value), (void *)(ptr + (compat ? 20 : 24)));
		}
		e->sys.x[0] = (__u32)code;
		e->sys.x[1] = value;
		break;
	}
	}
	submit(e, false);

follow:
	/* Where a connect, sendto or sendmsg went (UDP's destinations), before what the socket is. */
	if (a.kind == IPCT_KIND_SOCKET)
		ipct_sockaddr(session, nr, (struct call_args *)args, compat);

	/* What the socket or FIFO is, once the call has made it so. */
	if (ret >= 0 && cls == IPCT_SC_SOCK)
		ipct_sockinfo(session, nr, args[0]);
	else if (ret >= 0 && cls == IPCT_SC_FD_ACCEPT)
		ipct_sockinfo(session, nr, ret);
	else if ((cls == IPCT_SC_OPEN || cls == IPCT_SC_OPENAT) && (a.kind == IPCT_KIND_FIFO || a.kind == IPCT_KIND_SHM))
		emit_named(session, nr, a.kind, ret, a.ino, args[cls == IPCT_SC_OPEN ? 0 : 1]);
	else if (cls == IPCT_SC_UNLINK)
		emit_named(session, nr, IPCT_KIND_SHM, -1, 0, args[nr == nr_unlinkat ? 1 : 0]);
	else if (cls == IPCT_SC_LINK)
		ipct_link_names(session, nr, args[nr == nr_linkat ? 1 : 0], args[nr == nr_linkat ? 3 : 1]);
	else if (cls == IPCT_SC_MQ_OPEN || cls == IPCT_SC_MQ_UNLINK)
		emit_named(session, nr, IPCT_KIND_MQUEUE, ret, a.kind == IPCT_KIND_MQUEUE ? a.ino : 0, args[0]);
	else if (ret >= 0 && cls == IPCT_SC_FD_MSG)
		ipct_scm_rights(session, nr, args[0], args[1]);
	else if (ret > 0 && cls == IPCT_SC_FD_MMSG)
		ipct_scm_rights_mmsg(session, nr, args[0], args[1], ret);
	return 0;
}

/*
 * The syscall the current task is in, from its saved user registers: the
 * sender's call at generation, and at delivery the call the signal
 * interrupts, with the value it is about to return (-EINTR, -ERESTARTSYS
 * ...). Entry code sets the number to -1 for interrupts and faults, so a
 * number >= 0 means a syscall. Needs bpf_task_pt_regs (5.15); older
 * kernels report -1.
 */
static __always_inline void current_syscall(struct ipct_event *e)
{
	e->sig.sys_nr = -1;
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		struct pt_regs *r = (void *)bpf_task_pt_regs(bpf_get_current_task_btf());
		long nr = r->REG_NR;

		/* A 32-bit call by its native counterpart's number, or -1 for none. */
		if (nr >= 0 && in_compat_syscall(r)) {
			nr = (unsigned long)nr < IPCT_NR_MAX ? compat_nr[nr] : IPCT_NR_NONE;
			if (nr == IPCT_NR_NONE)
				nr = -1;
		}
		e->sig.sys_nr = nr;
		e->sig.sys_ret = r->REG_RET;
	}
}

/* The si_code: SEND_SIG_NOINFO (0) and SEND_SIG_PRIV (1) are markers, not pointers. */
static __always_inline int sig_code(struct kernel_siginfo *info, const bool typed)
{
	if ((unsigned long)info <= 1)
		return info ? SI_KERNEL : SI_USER;
	return KREAD(typed, info, si_code);
}

static __always_inline void read_siginfo(struct ipct_event *e, struct kernel_siginfo *info,
					 const bool typed)
{
	e->sig.code = sig_code(info, typed);
	if ((unsigned long)info <= 1)
		return;
	e->sig.si_errno = KREAD(typed, info, si_errno);
	if (typed)
		__builtin_memcpy(e->sig.sifields, &KCAST(info)->_sifields, sizeof(e->sig.sifields));
	else
		bpf_probe_read_kernel(e->sig.sifields, sizeof(e->sig.sifields), &info->_sifields);
}

/*
 * Whether the kernel raised the signal in none of its parties' context: a
 * timer, an interrupt, another task's I/O (SIGIO). The task running then,
 * whatever the interrupt stopped, took no part: its pid, comm, user and
 * session say nothing about the signal. Such a signal has a kernel si_code
 * (SI_KERNEL, SI_TIMER, or a positive one, but SIGCHLD's, which the child
 * sends as it exits or stops), and the task is not one of the target's
 * (whose own faults, CPU timers and writes to a closed pipe run in it).
 */
static __always_inline bool kernel_context(int sig, int code, __u32 ttgid)
{
	if (ttgid == bpf_get_current_pid_tgid() >> 32)
		return false;
	return code == SI_KERNEL || code == SI_TIMER || (code > 0 && sig != SIGCHLD);
}

static __always_inline int signal_generate(struct bpf_raw_tracepoint_args *ctx, const bool typed)
{
	int sig = ctx->args[0];
	struct kernel_siginfo *info = (void *)ctx->args[1];
	struct task_struct *t = (void *)ctx->args[2];
	struct ipct_inflight *in;
	struct ipct_event *e;
	__u32 ttgid = KREAD(typed, t, tgid);
	int code = sig_code(info, typed);
	bool kctx = kernel_context(sig, code, ttgid);
	struct signal_struct *tsig;
	__u32 *sess, session;
	bool target;

	/* A signal to a traced process, or one sent by it to anybody ... */
	sess = session_of(ttgid);
	/*
	 * ... whose target the daemon may not have seen start (a process that
	 * ran before `trace --all`): it learns of it here, unless it is dying.
	 */
	tsig = sess ? KREAD(typed, t, signal) : NULL;
	target = tsig && KREAD(typed, tsig, live.counter) > 0;
	if (!sess && !kctx)
		sess = session_of(bpf_get_current_pid_tgid() >> 32);
	/* A process that left at a privileged exec shows nothing more, not even its signals to the traced. */
	if (sess && !kctx) {
		struct exit_key key = current_key();

		if (bpf_map_lookup_elem(&left_privileged, &key))
			return 0;
	}
	if (sess) {
		session = *sess;
	} else if (kctx) {
		return 0;
	} else {
		/* ... even the SIGCHLD of its exit, sent once it has left the traced set. */
		in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
		if (!in || !in->exited)
			return 0;
		session = in->session;
	}
	/*
	 * `run --count`: counted, not recorded; but for an exiting process's
	 * exit signal to its parent, which tells the daemon that it is done.
	 */
	if (!(code >= CLD_EXITED && code <= CLD_DUMPED && (bpf_get_current_task_btf()->flags & PF_EXITING)) &&
	    counted(session, IPCT_NR_MAX + IPCT_EV_SIGNAL_GENERATE))
		return 0;
	e = reserve(IPCT_EV_SIGNAL_GENERATE, session);
	if (!e)
		return 0;
	e->sig.sig = sig;
	e->sig.result = ctx->args[4];
	e->sig.target_pid = ttgid;
	e->sig.target_tid = KREAD(typed, t, pid);
	/*
	 * The mask the program set: in sigwaitinfo/sigtimedwait the kernel
	 * unblocks the awaited signals for the wait, keeping the mask in
	 * real_blocked (empty at any other time).
	 */
	e->sig.blocked = KREAD(typed, t, blocked.sig[0]) | KREAD(typed, t, real_blocked.sig[0]);
	if (typed)
		__builtin_memcpy(e->sig.target_comm, KCAST(t)->comm, sizeof(e->sig.target_comm));
	else
		BPF_CORE_READ_STR_INTO(&e->sig.target_comm, t, comm);
	if (kctx) {
		/* The target's event, if anybody's: its user is the one who may see it. */
		e->pid = ttgid;
		e->tid = e->sig.target_tid;
		e->uid = BPF_CORE_READ(t, cred, uid.val);
		__builtin_memcpy(e->comm, e->sig.target_comm, sizeof(e->comm));
		e->flags |= IPCT_F_KERNEL_CTX;
	}
	if (ctx->args[3])
		e->flags |= IPCT_F_GROUP;
	if (target)
		e->flags |= IPCT_F_TARGET;
	if (sig >= 1 && sig <= 64 && (e->sig.blocked >> (sig - 1) & 1))
		e->flags |= IPCT_F_BLOCKED_SIG;
	read_siginfo(e, info, typed);
	if (kctx)
		e->sig.sys_nr = -1;
	else
		current_syscall(e);
	submit(e, false);
	return 0;
}

static __always_inline int signal_deliver(struct bpf_raw_tracepoint_args *ctx, const bool typed)
{
	struct kernel_siginfo *info = (void *)ctx->args[1];
	struct k_sigaction *ka = (void *)ctx->args[2];
	struct task_struct *task = bpf_get_current_task_btf();
	struct ipct_event *e;
	__u32 session;

	if (!current_traced(&session) || counted(session, IPCT_NR_MAX + IPCT_EV_SIGNAL_DELIVER))
		return 0;
	e = reserve(IPCT_EV_SIGNAL_DELIVER, session);
	if (!e)
		return 0;
	e->sig.sig = ctx->args[0];
	e->sig.target_pid = e->pid;
	e->sig.target_tid = e->tid;
	e->sig.handler = (__u64)KREAD(typed, ka, sa.sa_handler);
	e->sig.sa_flags = KREAD(typed, ka, sa.sa_flags);
	e->sig.blocked = task->blocked.sig[0];
	/*
	 * At delivery, no siginfo means the group exit that a fatal signal
	 * started (reported as SIGKILL): the kernel's doing, not a sender's.
	 */
	if (!info) {
		e->sig.code = SI_KERNEL;
		/* What the group exit is for: the fatal signal (| 0x80 core) or exit_group's code << 8. */
		e->sig.sifields[0] = (__u32)BPF_CORE_READ(task, signal, group_exit_code);
	} else {
		read_siginfo(e, info, typed);
	}
	current_syscall(e);
	submit(e, false);
	return 0;
}

/*
 * Each hot program in its two forms (see KREAD), both made from the
 * function named after the tracepoint: "_core" is the one for kernels
 * before 6.2.
 */
#define TWO_FORMS(tp)                                                                              \
	SEC("raw_tracepoint/" #tp)                                                                 \
	int ipct_##tp(struct bpf_raw_tracepoint_args *ctx)                                         \
	{                                                                                          \
		return tp(ctx, true);                                                              \
	}                                                                                          \
	SEC("raw_tracepoint/" #tp)                                                                 \
	int ipct_##tp##_core(struct bpf_raw_tracepoint_args *ctx)                                  \
	{                                                                                          \
		return tp(ctx, false);                                                             \
	}

TWO_FORMS(sys_enter)
TWO_FORMS(sys_exit)
TWO_FORMS(signal_generate)
TWO_FORMS(signal_deliver)

/* <linux/sched.h>: the states of a task asleep. */
#define TASK_INTERRUPTIBLE   0x0001
#define TASK_UNINTERRUPTIBLE 0x0002

/* Before 5.14 the state was `state`. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline bool task_asleep(struct task_struct *task)
{
	unsigned int state;

	if (bpf_core_field_exists(task->__state))
		state = BPF_CORE_READ(task, __state);
	else
		state = BPF_CORE_READ((struct task_struct___pre514 *)task, state);
	return state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE);
}

/*
 * The survey of sleepers: the daemon reads this iterator (bpf_iter_create)
 * and gets a struct ipct_wait for each traced thread asleep in a call that
 * note_sleeper() noted. It walks every task on the machine, a few hundred
 * ns each, once per survey (at most one a second, less when surveys take
 * long: pipes_scan_blocked), instead of a map insert and delete in every
 * call that might sleep. The call's fields are written by its own thread:
 * one that returned and entered another while they were copied has
 * another entry time, and is left for the next survey.
 */
SEC("iter/task")
int ipct_waiters(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct ipct_inflight *in;
	struct ipct_wait w = {};

	if (!task)
		return 0;
	in = bpf_task_storage_get(&inflight, task, NULL, 0);
	if (!in || !in->active || !in->sleeps)
		return 0;
	w.since_ns = in->ts;
	w.session = in->session;
	w.nr = in->nr;
	for (int i = 0; i < 3; i++)
		w.args[i] = in->args[i];
	asm volatile("" ::: "memory");
	if (!task_asleep(task) || !in->active || in->ts != w.since_ns)
		return 0;
	w.pid = BPF_CORE_READ(task, tgid);
	w.tid = BPF_CORE_READ(task, pid);
	w.threads = BPF_CORE_READ(task, signal, nr_threads);
	bpf_seq_write(ctx->meta->seq, &w, sizeof(w));
	return 0;
}

SEC("raw_tracepoint/sched_process_fork")
int ipct_process_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (void *)ctx->args[0];
	struct task_struct *child = (void *)ctx->args[1];
	struct ipct_session_procs *sp;
	struct ipct_event *e;
	__u32 ctgid, *sess, s;
	bool untraced = false;

	sess = session_of(BPF_CORE_READ(parent, tgid));
	if (!sess)
		return 0;
	ctgid = BPF_CORE_READ(child, tgid);
	/* A new thread is covered by its thread group already. */
	if (BPF_CORE_READ(child, pid) != ctgid || ctgid == daemon_tgid)
		return 0;
	s = *sess;
	/* System-wide, the child is covered without an entry. */
	if (sess != &all_session) {
		sp = procs_slot(s);
		/* A session that ended (a detach racing this fork) takes no more. */
		if (sp->session != s)
			return 0;
		/*
		 * The child cannot run, let alone exit, before this program has
		 * counted it. In the filter before its entry: an entry that
		 * replaces another's (a stale one) leaves its slot counted once
		 * too many, which costs lookups, never an event.
		 */
		untraced = procs_full(sp);
		if (!untraced) {
			tgid_add(ctgid, 1);
			untraced = bpf_map_update_elem(&traced, &ctgid, &s, BPF_ANY) != 0;
			if (untraced)
				tgid_add(ctgid, -1);
		}
		if (untraced) {
			count(CNT_TRACED_FULL);
			__sync_fetch_and_add(&sp->untraced, 1);
		} else {
			procs_add(sp, 1);
		}
	}
	e = reserve(IPCT_EV_FORK, s);
	if (!e)
		return 0;
	if (untraced)
		e->flags |= IPCT_F_UNTRACED;
	e->proc.child_pid = ctgid;
	e->proc.child_tid = ctgid;
	/* clone(CLONE_FILES): one descriptor table for both, until one execs or unshares it. */
	if (BPF_CORE_READ(child, files) == BPF_CORE_READ(parent, files))
		e->flags |= IPCT_F_SHARED_FILES;
	submit(e, false);
	return 0;
}

/* After an exec: what its descriptors 0, 1 and 2 are (struct ipct_stdio). */
static __always_inline void emit_stdio(__u32 session)
{
	struct ipct_event *e = reserve(IPCT_EV_STDIO, session);
	struct fdtable *fdt = NULL;

	if (!e)
		return;
	for (int fd = 0; fd < 3; fd++) {
		struct file *f = fd_file(fd, &fdt);
		struct inode *inode = f ? BPF_CORE_READ(f, f_inode) : NULL;

		e->stdio.fd[fd] = (struct ipct_obj){};
		fd_resolve(fd, &e->stdio.fd[fd], R_COE | R_SIGFD | R_ANY);
		e->stdio.mode[fd] = inode ? BPF_CORE_READ(inode, i_mode) : 0;
		e->stdio.rdev[fd] = inode ? BPF_CORE_READ(inode, i_rdev) : 0;
	}
	submit(e, false);
}

/*
 * After an exec: the arguments the program was given (struct ipct_argv),
 * where the kernel copied them on its new stack: the exec's task is current
 * at this tracepoint, its new mm in place.
 */
static __always_inline void emit_argv(__u32 session, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct ipct_event *e = reserve(IPCT_EV_ARGV, session);
	__u64 start, n;

	if (!e)
		return;
	start = BPF_CORE_READ(task, mm, arg_start);
	n = BPF_CORE_READ(task, mm, arg_end) - start;
	e->argv.argc = BPF_CORE_READ(bprm, argc);
	e->argv.total = n;
	n = n > IPCT_ARGV_LEN ? IPCT_ARGV_LEN : n;
	/* Kept in a register as clamped: clang may otherwise size the read from the unclamped value. */
	asm volatile("" : "+r"(n));
	if (n > 0 && n <= IPCT_ARGV_LEN)
		bpf_probe_read_user(e->argv.args, n, (void *)start);
	submit(e, false);
}

/* Where an exec's file name is read, and its absolute path built (emit_exe_path). */
struct exe_scratch {
	char name[IPCT_PATH_LEN];
	char buf[2 * IPCT_EXE_PATH_MAX];
	__u32 off;              /* where the path being built starts in buf */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exe_scratch);
} exe_scratch SEC(".maps");

/* The mount a vfsmount is part of (the kernel's real_mount). */
static __always_inline struct mount *real_mount(struct vfsmount *m)
{
	return (void *)m - bpf_core_field_offset(struct mount, mnt);
}

/* A walk up from a file to the current task's root (file_path). */
struct path_walk {
	struct dentry *d, *root;
	struct mount *mnt, *root_mnt;
	int end;                /* 0 going on; 1 the root reached; -1 no path (too long, or no root) */
};

/*
 * One step of it, under bpf_loop: the verifier checks it once, not once
 * per name of the longest path. Its name goes before those in the buffer,
 * or, at a mount's root, the walk goes on from where that is mounted.
 */
static long path_step(__u32 i, void *arg)
{
	struct path_walk *w = arg;
	/* Copied out: a CO-RE read relocates every access in its argument, and path_walk is ours. */
	struct dentry *d = w->d;
	struct mount *mnt = w->mnt;
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	struct exe_scratch *sc;
	struct mount *up;
	struct qstr name;
	__u32 zero = 0, off;

	if (d == w->root && mnt == w->root_mnt) {
		w->end = 1;
		return 1;
	}
	if (d == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		up = BPF_CORE_READ(mnt, mnt_parent);
		w->end = up == mnt;
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return w->end;
	}
	sc = bpf_map_lookup_elem(&exe_scratch, &zero);
	name = BPF_CORE_READ(d, d_name);
	/* The root of a file system mounted nowhere (unmounted since): no path leads here. */
	if (!sc || d == parent || name.len + 1 > sc->off) {
		w->end = -1;
		return 1;
	}
	off = sc->off - (name.len + 1);
	sc->buf[off & (IPCT_EXE_PATH_MAX - 1)] = '/';
	bpf_probe_read_kernel(&sc->buf[(off + 1) & (IPCT_EXE_PATH_MAX - 1)], name.len & (IPCT_EXE_PATH_MAX - 1),
			      name.name);
	sc->off = off;
	w->d = parent;
	return 0;
}

/*
 * The absolute path of file as the current task sees it (d_path): from its
 * names up to the task's root (a chroot's, say), built backwards into
 * sc->buf[sc->off, IPCT_EXE_PATH_MAX). False when it did not fit in
 * IPCT_EXE_PATH_MAX bytes and IPCT_EXE_PATH_DEPTH steps, or reaches no
 * root: then it holds only its last names.
 */
static __always_inline bool file_path(struct exe_scratch *sc, struct file *file)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct path_walk w = {
		.d = BPF_CORE_READ(file, f_path.dentry),
		.mnt = real_mount(BPF_CORE_READ(file, f_path.mnt)),
		.root = BPF_CORE_READ(task, fs, root.dentry),
		.root_mnt = real_mount(BPF_CORE_READ(task, fs, root.mnt)),
	};

	sc->off = IPCT_EXE_PATH_MAX;
	bpf_loop(IPCT_EXE_PATH_DEPTH, path_step, &w, 0);
	return w.end > 0;
}

/* The EXE_PATH records of one path (emit_exe_path). */
struct path_parts {
	__u32 session;
	__u32 len;              /* the path's bytes, at sc->off in the scratch buffer */
	bool cut;
};

/* The i-th record, under bpf_loop (checked once): 1 when there is no more, or no room. */
static long emit_part(__u32 i, void *arg)
{
	struct path_parts *pp = arg;
	__u32 zero = 0, at = i * IPCT_EXE_PART_LEN, len = pp->len;
	struct exe_scratch *sc = bpf_map_lookup_elem(&exe_scratch, &zero);
	struct ipct_event *e;
	__u64 part;

	if (!sc || at >= len || len > IPCT_EXE_PATH_MAX)
		return 1;
	part = len - at > IPCT_EXE_PART_LEN ? IPCT_EXE_PART_LEN : len - at;
	/* Kept in a register as clamped, and checked again: the verifier sees the bound. */
	asm volatile("" : "+r"(part));
	if (part > IPCT_EXE_PART_LEN)
		return 1;
	e = reserve(IPCT_EV_EXE_PATH, pp->session);
	if (!e)
		return 1;
	e->exe.len = len;
	e->exe.off = at;
	e->exe.cut = pp->cut;
	bpf_probe_read_kernel(e->exe.part, part, &sc->buf[(IPCT_EXE_PATH_MAX - len + at) & (IPCT_EXE_PATH_MAX - 1)]);
	submit(e, false);
	return 0;
}

/*
 * Before the exec record, when the name its caller gave (sc->name, read
 * NUL-padded) is relative or does not fit in the record: the file's
 * absolute path, in EXE_PATH records (struct ipct_exepath), which consumers
 * need to open the file once the process is gone (handler names).
 */
static __always_inline void emit_exe_path(__u32 session, struct exe_scratch *sc, struct file *file)
{
	struct path_parts pp = { .session = session };

	if (!ipct_exec_path_partial(sc->name))
		return;
	pp.cut = !file_path(sc, file);
	pp.len = IPCT_EXE_PATH_MAX - sc->off;
	bpf_loop((IPCT_EXE_PATH_MAX + IPCT_EXE_PART_LEN - 1) / IPCT_EXE_PART_LEN, emit_part, &pp, 0);
}

/*
 * A process of an unprivileged user's session that gained privileges at
 * this exec (setuid, setgid, file capabilities, an LSM's transition: the
 * kernel's own AT_SECURE verdict) leaves the traced set: its owner could
 * not ptrace it either. Its thread forgets its cached session, and
 * remembers that it left (its signals to the traced are not recorded).
 */
static __always_inline bool leave_if_privileged(struct linux_binprm *bprm, __u32 tgid, __u32 s)
{
	struct ipct_session_procs *sp = procs_slot(s);
	struct exit_key key = current_key();
	struct ipct_inflight *in;
	__u8 one = 1;

	if (sp->session != s || !(sp->flags & IPCT_SP_UNPRIV) ||
	    !BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec))
		return false;
	if (untrace(tgid)) {
		procs_add(sp, -1);
		__sync_fetch_and_add(&sp->left, 1);
	}
	bpf_map_update_elem(&left_privileged, &key, &one, BPF_ANY);
	/* Its one thread (exec ended the others) forgets the session it cached. */
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
	if (in)
		in->gen = 0;
	return true;
}

SEC("raw_tracepoint/sched_process_exec")
int ipct_process_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct linux_binprm *bprm = (void *)ctx->args[2];
	struct exe_scratch *sc;
	struct ipct_event *e;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 *sess, s, zero = 0;
	bool left;

	/* A held command starts being traced here. */
	sess = bpf_map_lookup_elem(&traced, &tgid);
	if (sess)
		*sess &= ~IPCT_SESSION_HELD;
	else
		sess = session_of(tgid);
	if (!sess)
		return 0;
	s = *sess;
	/* System-wide sessions are privileged ones. */
	left = sess != &all_session && leave_if_privileged(bprm, tgid, s);
	sc = bpf_map_lookup_elem(&exe_scratch, &zero);
	if (!sc)
		return 0;
	/* What follows the name stays zero, as in a fresh record: never another exec's bytes. */
	__builtin_memset(sc->name, 0, sizeof(sc->name));
	bpf_probe_read_kernel_str(sc->name, sizeof(sc->name), BPF_CORE_READ(bprm, filename));
	emit_exe_path(s, sc, BPF_CORE_READ(bprm, file));
	e = reserve(IPCT_EV_EXEC, s);
	if (!e)
		return 0;
	if (left)
		e->flags |= IPCT_F_PRIV_EXEC;
	e->proc.old_pid = ctx->args[1];
	e->proc.text_start = BPF_CORE_READ((struct task_struct *)ctx->args[0], mm, start_code);
	e->proc.text_end = BPF_CORE_READ((struct task_struct *)ctx->args[0], mm, end_code);
	__builtin_memcpy(e->proc.path, sc->name, sizeof(e->proc.path));
	submit(e, false);
	/* What the program starts with; nothing of one that left the trace. */
	if (!left) {
		emit_argv(s, bprm);
		emit_stdio(s);
	}
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int ipct_process_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *p = (void *)ctx->args[0];
	struct exit_key key = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct signal_struct *sig = BPF_CORE_READ(p, signal);
	struct ipct_session_procs *sp;
	struct ipct_inflight *in;
	struct ipct_event *e;
	__u32 *sess, s;
	bool removed;
	__u8 one = 1;

	/* Held or not: a command that never got to exec still ends its session. */
	sess = bpf_map_lookup_elem(&traced, &key.tgid);
	if (!sess)
		sess = session_of(key.tgid);
	if (!sess)
		return 0;
	/*
	 * Only the last thread ends the process. Older kernels do not pass
	 * group_dead to the tracepoint, but do_exit() has already dropped
	 * signal->live by now on every kernel; so threads that exit together
	 * can all find it at 0.
	 */
	if (BPF_CORE_READ(sig, live.counter) != 0)
		return 0;
	s = *sess & ~IPCT_SESSION_HELD;
	/* Only the one who removes the entry counts it out (system-wide: none), once its record is in the ring. */
	removed = untrace(key.tgid);
	/* exit_notify() sends the parent its SIGCHLD after this: the task remembers its session. */
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (in) {
		in->session = s;
		in->exited = 1;
	}
	key.start_time = BPF_CORE_READ(p, group_leader, start_time);
	if (bpf_map_update_elem(&exit_reported, &key, &one, BPF_NOEXIST))
		goto out;
	e = reserve(IPCT_EV_EXIT, s);
	if (!e)
		goto out;
	/*
	 * The process's status, as wait() gives it, not this thread's own exit
	 * code: since 5.19 the last thread to start exiting sets the group's
	 * (synchronize_group_exit), as exit_group and fatal signals always did;
	 * before, a process none of whose threads called exit_group ends with
	 * its leader's code.
	 */
	if (BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT)
		e->proc.exit_code = BPF_CORE_READ(sig, group_exit_code);
	else
		e->proc.exit_code = BPF_CORE_READ(p, group_leader, exit_code);
	submit(e, true);
out:
	/*
	 * The daemon ends a session once it counts no process and has the
	 * exits it saw notified: counted out before its record was in the
	 * ring, an exit could be missed by the session's last drain.
	 */
	if (removed) {
		sp = procs_slot(s);
		if (sp->session == s)
			procs_add(sp, -1);
	}
	return 0;
}
