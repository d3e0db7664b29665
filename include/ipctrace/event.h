/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one definition of the record that the BPF programs write into the ring
 * buffer and that the daemon forwards to clients: shared by bpf/ (built with
 * clang -target bpf, which defines __bpf__) and by userspace.
 *
 * Every record has the same size: a 48-byte header and a 96-byte payload (144 bytes)
 * whose meaning depends on `type`. Fields are fixed-width and laid out so
 * that there is no implicit padding; the asserts below keep it that way.
 */
#ifndef IPCTRACE_EVENT_H
#define IPCTRACE_EVENT_H

#ifdef __bpf__
/* vmlinux.h (generated at build time) provides __u8 ... __u64. */
#else
#include <linux/types.h>
#endif

#define IPCT_EVENT_VERSION 2
#define IPCT_COMM_LEN 16
#define IPCT_PATH_LEN 64

/* Highest syscall number the in-kernel filter table covers. */
#define IPCT_NR_MAX 512
/* The signals a signalfd read names (struct ipct_sys, READ). */
#define IPCT_SIGNALFD_NAMED 16

/* The sembufs of a semop, the values of a semctl SETALL, that its record carries (x[1..3]). */
#define IPCT_SEM_OPS 4
#define IPCT_SEM_VALUES 11

/* A 16-bit syscall number that names no syscall. */
#define IPCT_NR_NONE 0xffff

enum ipct_event_type {
	IPCT_EV_SYSCALL = 1,    /* one record per syscall, emitted at exit */
	IPCT_EV_SIGNAL_GENERATE,
	IPCT_EV_SIGNAL_DELIVER,
	IPCT_EV_FORK,           /* a traced process created a process */
	IPCT_EV_EXEC,
	IPCT_EV_EXIT,           /* the last thread of a process exited */
	IPCT_EV_OBJINFO,        /* follows a syscall record: what a socket or FIFO is (addresses, path) */
	IPCT_EV_FD_RECEIVED,    /* follows a recvmsg/recvmmsg record: a descriptor SCM_RIGHTS installed */
	IPCT_EV_STDIO,          /* follows an exec record: what its descriptors 0, 1 and 2 are */
	IPCT_EV_ARGV,           /* follows an exec record: the program's arguments */
	IPCT_EV_EXE_PATH,       /* precedes an exec record whose path is relative or cut: the file's full path */
	IPCT_EV_TYPE_MAX,
};

/* What an fd was found to be, in the kernel. */
enum ipct_obj_kind {
	IPCT_KIND_NONE = 0,     /* no fd, or the fd was not open */
	IPCT_KIND_OTHER,        /* regular file, tty, ...: not IPC */
	IPCT_KIND_PIPE,         /* anonymous pipe (pipefs) */
	IPCT_KIND_FIFO,         /* named pipe */
	IPCT_KIND_SOCKET,
	IPCT_KIND_SIGNALFD,     /* a signalfd: recorded when read (the signals it returned) */
	IPCT_KIND_TTY,          /* a terminal (its ino is the device number, dev_t: major << 20 | minor) */
	IPCT_KIND_MQUEUE,       /* a POSIX message queue (an inode of the mqueue file system) */
	IPCT_KIND_MSGQ,         /* a System V message queue: no descriptor, named by its id */
	IPCT_KIND_SEM,          /* a System V semaphore set: named by its id */
	IPCT_KIND_SHM,          /* shared memory: a System V segment (no descriptor, named by its id),
				 * a POSIX one (a file of the /dev/shm file system), a shared anonymous mapping */
	IPCT_KIND_MAX,
};

/* The kinds that are channels between processes: pipes, FIFOs, sockets and message queues. */
#define IPCT_KIND_IS_CHANNEL(k) \
	(((k) >= IPCT_KIND_PIPE && (k) <= IPCT_KIND_SOCKET) || ((k) >= IPCT_KIND_MQUEUE && (k) < IPCT_KIND_MAX))
/* What the pipe graph keeps as objects: the channels, and terminals. */
#define IPCT_KIND_IS_GRAPHED(k) (IPCT_KIND_IS_CHANNEL(k) || (k) == IPCT_KIND_TTY)

/*
 * A System V object has an id, not an inode: the graph keys it by the id
 * with this bit set, which no inode number has.
 */
#define IPCT_SYSV_INO(id) ((1ull << 63) | (__u32)(id))
/* A semaphore set's id is in another space than a queue's: bit 62 keeps the two apart. */
#define IPCT_SYSV_SEM_INO(id) (IPCT_SYSV_INO(id) | 1ull << 62)
/* A segment's ids are not a queue's nor a set's: the same number may name all three (bit 61). */
#define IPCT_SYSV_SHM_INO(id) (IPCT_SYSV_INO(id) | 1ull << 61)

/*
 * How the BPF program treats a syscall number (the daemon fills a table
 * indexed by number, so the BPF side needs no per-architecture numbers).
 */
enum ipct_sys_class {
	IPCT_SC_NONE = 0,       /* not traced: dropped at the first test */
	IPCT_SC_PLAIN,          /* arguments and result only (kill, ...) */
	IPCT_SC_FD,             /* arg0 is an fd: resolved at exit, dropped unless IPC (note) */
	IPCT_SC_FD_RET,         /* the result is a new fd (socket, open): resolved, dropped unless IPC */
	IPCT_SC_FD_ACCEPT,      /* arg0 fd and a new fd in the result; an OBJINFO record follows */
	IPCT_SC_CLOSE,          /* arg0 resolved at entry (it is gone at exit); as FD, and 0-2 kept */
	IPCT_SC_DUP2,           /* arg0 resolved at exit, arg1 at entry (it may be closed); as CLOSE */
	IPCT_SC_PIPE,           /* int[2] written to arg0 */
	IPCT_SC_SOCKETPAIR,     /* int[2] written to arg3 */
	IPCT_SC_SIGACTION,      /* struct sigaction at arg1 (new) and arg2 (old) */
	IPCT_SC_SIGPROCMASK,    /* sigset at arg1 (new) and arg2 (old) */
	IPCT_SC_SIGQUEUE,       /* siginfo at arg2 (rt_sigqueueinfo) */
	IPCT_SC_TGSIGQUEUE,     /* siginfo at arg3 (rt_tgsigqueueinfo) */
	IPCT_SC_FD_PAIR01,      /* two fds, arg0 and arg1 (tee, sendfile: out, in) */
	IPCT_SC_FD_PAIR02,      /* two fds, arg0 and arg2 (splice: in, out) */
	IPCT_SC_FD_IOV,         /* arg0 fd, iovec array at arg1, count arg2: x[2] the bytes asked */
	IPCT_SC_SOCK,           /* arg0 a socket: an OBJINFO record follows (bind, listen, connect) */
	IPCT_SC_OPEN,           /* open: path at arg0, the new fd in the result; kept for FIFOs only */
	IPCT_SC_OPENAT,         /* openat: path at arg1 */
	IPCT_SC_IOCTL,          /* ioctl: FIOCLEX and FIONCLEX only (the rest dropped at entry); as FD */
	IPCT_SC_FD_MSG,         /* recvmsg: as FD; then an FD_RECEIVED record per IPC fd SCM_RIGHTS installed */
	IPCT_SC_FD_MMSG,        /* recvmmsg: the same for each message received */
	IPCT_SC_GETFD,          /* pidfd_getfd: the new fd (the result) resolved, dropped unless IPC */
	IPCT_SC_READ,           /* read: as FD; a read of a signalfd is recorded too */
	IPCT_SC_READV,          /* readv: as FD_IOV; likewise */
	IPCT_SC_SOCKETCALL,     /* 32-bit socketcall: the call at arg0, its arguments in an array at arg1 */
	IPCT_SC_WAIT4,          /* wait4: the status written to arg1; dropped when nothing was collected */
	IPCT_SC_WAITID,         /* waitid: the siginfo written to arg2; dropped when nothing was collected */
	IPCT_SC_MQ_OPEN,        /* mq_open: name at arg0, the new fd in the result; an OBJINFO record follows */
	IPCT_SC_MQ_UNLINK,      /* mq_unlink: name at arg0; an OBJINFO record follows */
	IPCT_SC_MQ_SEND,        /* mq_timedsend: as FD, with the queue's depth */
	IPCT_SC_MQ_RECV,        /* mq_timedreceive: the same, and the priority written to arg3 */
	IPCT_SC_MSGGET,         /* msgget: the queue's id is the result */
	IPCT_SC_MSGCTL,         /* msgctl: the queue's id is arg0 */
	IPCT_SC_MSGSND,         /* msgsnd: as MSGCTL, with the mtype the message at arg1 starts with */
	IPCT_SC_MSGRCV,         /* msgrcv: as MSGCTL, with the mtype of the message received into arg1 */
	IPCT_SC_SEMGET,         /* semget: the set's id is the result */
	IPCT_SC_SEMOP,          /* semop, semtimedop: the set's id is arg0, the first sembufs of arg1 copied */
	IPCT_SC_SEMCTL,         /* semctl: the set's id is arg0; SETALL's first values copied from arg3 */
	IPCT_SC_SHMGET,         /* shmget: the segment's id is the result */
	IPCT_SC_SHMAT,          /* shmat: the segment's id is arg0, the address the result */
	IPCT_SC_SHMDT,          /* shmdt: the address at arg0 (the graph knows what is attached there) */
	IPCT_SC_SHMCTL,         /* shmctl: the segment's id is arg0; IPC_STAT's size and attaches read */
	IPCT_SC_MMAP,           /* mmap: kept for MAP_SHARED of a /dev/shm file or anonymous memory only */
	IPCT_SC_MUNMAP,         /* munmap: kept for an address such an mmap returned in the session */
	IPCT_SC_UNLINK,         /* unlink (path arg0), unlinkat (arg1): kept under /dev/shm/ only; OBJINFO follows */
	IPCT_SC_LINK,           /* link, linkat: kept when the new path is under /dev/shm/; two OBJINFOs follow */
	IPCT_SC_FUTEX,          /* futex: private ones dropped at entry, the rest kept on a page of sem_pages */
	IPCT_SC_MAX,
};

/*
 * A call on an fd (FD, FD_IOV, READ(V), SOCK, FD_MSG(S), FD_PAIR*, CLOSE,
 * DUP2) that is not IPC is dropped, except when it failed with EBADF,
 * EINVAL, ESPIPE, ENOTSOCK or EPIPE, or is a close, dup, dup2, dup3 or
 * fcntl(F_DUPFD*) from or to fd 0, 1 or 2: its object is then of kind
 * IPCT_KIND_OTHER (a file, terminal, ...) or IPCT_KIND_NONE (not open).
 */

/*
 * In the kernel side's table by number: a 32-bit call of this number is
 * traced too (its class is another table's), so the ABI must be checked.
 */
#define IPCT_SC_COMPAT 0x80

/* socketcall(2)'s calls: SYS_SOCKET (1) to SYS_SENDMMSG (20) of <linux/net.h>. */
#define IPCT_SOCKETCALL_MAX 21

/*
 * Set in a traced map value while the process is held before exec by the
 * launcher: nothing it does is recorded until its exec, so the launcher's
 * own last steps (closing its end of the hold pipe) never show.
 */
#define IPCT_SESSION_HELD 0x80000000u

/* In an object's flags (x[1], x[3]): the descriptor is close-on-exec. */
#define IPCT_FD_CLOEXEC 0x80000000ull

/* Header flags. */
#define IPCT_F_BLOCKED_SIG  0x1  /* signal_generate: the target's mask held the signal */
#define IPCT_F_GROUP        0x2  /* signal_generate: process-directed */
#define IPCT_F_NEW_VALID    0x4  /* sigaction/sigprocmask, wait4/waitid: x[0..1] were read from user memory */
#define IPCT_F_OLD_VALID    0x8  /* sigaction/sigprocmask: x[2..3] were read from user memory */
#define IPCT_F_SHARED_FILES 0x80 /* fork: the child shares the parent's descriptor table (CLONE_FILES) */
#define IPCT_F_TARGET       0x10 /* signal_generate: the target is a live traced process (of this session) */
#define IPCT_F_KERNEL_CTX   0x20 /* signal_generate: raised by the kernel in no task's name (a timer, an
				  * interrupt, another task's I/O): pid, tid, comm and uid are the target's */
#define IPCT_F_COMPAT       0x40 /* syscall: a 32-bit call, recorded as its native counterpart */
#define IPCT_F_UNTRACED     0x100 /* fork: the traced set or the session's cap was full; the child is not traced */
#define IPCT_F_PRIV_EXEC    0x200 /* exec: the program gained privileges (setuid, setgid, file capabilities)
				  * in a session of an unprivileged user: the process leaves the trace here */
#define IPCT_F_ADDRESS      0x400 /* objinfo: the address a connect, sendto or sendmsg gave (ipct_objinfo) */
#define IPCT_F_CONTEXT      0x8000 /* from a log query: not a match, sent for context (fork, exec) */

/*
 * Syscall payload. x[] holds what the kernel side resolved, by class:
 *   FD, FD_RET, CLOSE:  x[0] inode of the fd, x[1] file flags | f_mode << 32
 *   FD_ACCEPT:          x[0]/x[1] as FD for arg0, x[2]/x[3] for the new fd
 *   DUP2:               x[0]/x[1] for arg0, x[2]/x[3] for what arg1 was before
 *   PIPE, SOCKETPAIR:   x[0] fd pair (lo: first, hi: second), x[1]/x[2] inodes
 *   SIGACTION:          x[0] new handler, x[1] new sa_flags, x[2] old handler, x[3] old sa_flags
 *   SIGPROCMASK:        x[0] new set, x[2] old set
 *   SIGQUEUE/TGSIGQUEUE: x[0] si_code, x[1] si_value
 *   FD_PAIR01/02:       x[0]/x[1] for the first fd, x[2]/x[3] for the second
 *   FD_IOV:             x[0]/x[1] as FD, x[2] the bytes the iovecs ask for (first 8)
 *   SOCK, OPEN, OPENAT: x[0]/x[1] for the socket / the new fd
 *   IOCTL, FD_MSG(S):   as FD
 *   GETFD:              x[0]/x[1] for the new fd, x[2] the pid the pidfd (arg0) refers to (0: unknown)
 *   READ, READV:        as FD, FD_IOV; for a signalfd (kind IPCT_KIND_SIGNALFD), x[0] is
 *                       the signals it accepts (bit sig-1), not the anonymous inode that
 *                       every signalfd shares, and a read's x[2..3] are the ssi_signo of
 *                       the first IPCT_SIGNALFD_NAMED siginfos it returned, a byte each
 *                       (ret / 128 of them in all)
 *   WAIT4:              x[0] the wait status (IPCT_F_NEW_VALID: read from user memory)
 *   WAITID:             x[0] si_pid, x[1] si_code | si_status << 32 (IPCT_F_NEW_VALID: read)
 *   MQ_OPEN, MQ_SEND,
 *   MQ_RECV:            x[0]/x[1] for the queue (the new fd, arg0), x[2] the messages in it
 *                       after the call | its mq_msgsize << 32 (IPCT_F_NEW_VALID: read in
 *                       the kernel); x[3] mq_open: its mq_maxmsg; send: the priority
 *                       (arg3); receive: the priority of the message received
 *                       (IPCT_F_OLD_VALID: read; a receive without arg3 has none)
 *   MQ_UNLINK:          nothing: the OBJINFO record that follows has the name
 *   MSGGET, MSGCTL:     x[0] IPCT_SYSV_INO(the queue's id), kind[0] IPCT_KIND_MSGQ
 *   MSGSND, MSGRCV:     as MSGCTL, x[3] the message's mtype (IPCT_F_NEW_VALID: read)
 *   SEMGET, SEMCTL:     x[0] IPCT_SYSV_SEM_INO(the set's id), kind[0] IPCT_KIND_SEM; SEMCTL
 *                       SETALL: x[1..3] the first values of the array at arg3, as many as
 *                       the set has (its semget's nsems) up to IPCT_SEM_VALUES, their count
 *                       in x[3] >> 48 (IPCT_F_NEW_VALID: read; not without the set's semget)
 *   SEMOP:              as SEMGET, x[1..3] the first IPCT_SEM_OPS struct sembufs (sem_num,
 *                       sem_op, sem_flg: 6 bytes each) of arg1 (IPCT_F_NEW_VALID: read);
 *                       arg2 is how many the call made
 *   SHMGET, SHMAT,
 *   SHMCTL:             x[0] IPCT_SYSV_SHM_INO(the segment's id), kind[0] IPCT_KIND_SHM; a
 *                       successful 64-bit IPC_STAT: x[2] shm_segsz, x[3] shm_nattch
 *                       (IPCT_F_NEW_VALID: read from the buffer at arg2)
 *   SHMDT:              kind[0] IPCT_KIND_SHM, nothing else: the address is arg0
 *   MMAP:               a file's: x[0]/x[1] as FD for arg4 (kind IPCT_KIND_SHM); anonymous
 *                       memory: kind[0] IPCT_KIND_SHM, x[0] 0
 *   MUNMAP:             kind[0] IPCT_KIND_SHM, x[2] the length that mmap mapped there
 *   UNLINK:             nothing: the OBJINFO record that follows has the path
 * The kinds of x[0] and x[2]'s objects are in the header's kind[0] and kind[1].
 */
struct ipct_sys {
	__u64 args[6];
	__s64 ret;
	__u64 dur_ns;           /* time from entry to exit: how long the call blocked */
	__u64 x[4];
};

/* signal_generate and signal_deliver. */
struct ipct_sig {
	__s32 sig;
	__s32 code;             /* si_code; SI_USER / SI_KERNEL for the special infos */
	__s32 si_errno;
	__s32 result;           /* generate: enum ipct_sig_result; deliver: 0 */
	__u32 target_pid;       /* generate: target thread group and thread */
	__u32 target_tid;
	__u64 sifields[2];      /* the first 16 bytes of siginfo's union, raw; a delivery
				 * without siginfo (SIGKILL, SI_KERNEL: a group exit):
				 * [0] the group's exit code, the fatal signal | 0x80
				 * for a core dump, or exit_group's code << 8 */
	__u64 handler;          /* deliver: sa_handler (0 SIG_DFL, 1 SIG_IGN) */
	__u64 sa_flags;
	__u64 blocked;          /* the receiving thread's blocked mask (signals 1..64) */
	char target_comm[IPCT_COMM_LEN];
	/*
	 * The syscall the current task is in (-1: none, or not known on this
	 * kernel) and, at delivery, the value it is about to return: for
	 * generate the sender's call (kill, write ...), for deliver the call
	 * the signal interrupts when sys_ret is -EINTR or a restart code.
	 */
	__s64 sys_nr;
	__s64 sys_ret;
};

enum ipct_sig_result {          /* the kernel's TRACE_SIGNAL_* values */
	IPCT_SIG_QUEUED = 0,
	IPCT_SIG_IGNORED,
	IPCT_SIG_MERGED,        /* already pending: this instance is lost */
	IPCT_SIG_OVERFLOW,
	IPCT_SIG_LOSE_INFO,
};

/*
 * OBJINFO: what a socket, FIFO or POSIX message queue is, recorded right
 * after the syscall record (same tid, header nr = that syscall) that bound,
 * connected, accepted or opened it (or, for a queue, unlinked it). The
 * header's kind[0] is IPCT_KIND_MQUEUE for a queue; path is then its name
 * as the call gave it (without the leading '/' that the C library strips),
 * and ino 0 when the call failed or unlinked it. After an openat of a file
 * of /dev/shm (POSIX shared memory) or an unlink of one, kind[0] is
 * IPCT_KIND_SHM and path the path as given ("/dev/shm/NAME").
 *
 * With IPCT_F_ADDRESS (header flags), the record follows a connect (failed
 * or not), a sendto with a destination or a sendmsg with msg_name, and is
 * the address that call gave, read from the program's memory: family;
 * AF_UNIX: path (the first 64 bytes of sun_path; path_len its length, up to
 * 108; an abstract name starts with '\0'); AF_INET/AF_INET6: raddr, rport.
 * ino is the socket's; lport, laddr, type and peer_ino are 0.
 */
struct ipct_objinfo {
	__u64 ino;
	__u64 peer_ino;         /* AF_UNIX: the socket at the other end, 0 none */
	__u16 family;           /* AF_*; 0 for a FIFO */
	__u16 type;             /* SOCK_STREAM, ... */
	__u16 lport, rport;     /* AF_INET/AF_INET6, host order */
	__s32 fd;
	__u16 path_len;         /* bytes of path: a FIFO's path as opened, a queue's name, or the socket's
				 * AF_UNIX address (an abstract name starts with '\0') */
	__u16 _pad;
	union {
		struct {
			__u8 laddr[16]; /* AF_INET: 4 bytes; AF_INET6: 16 */
			__u8 raddr[16];
		};
		char path[64];
	};
};

/*
 * FD_RECEIVED: a descriptor that the kernel put in the receiving process's
 * table, recorded right after the recvmsg or recvmmsg record (same tid,
 * header nr = that syscall) whose SCM_RIGHTS message carried it. The
 * object's kind is in the header's kind[0]; descriptors that are not IPC
 * are left out.
 */
struct ipct_fdrecv {
	__u64 ino;
	__u64 flags;            /* as an object's: f_flags | f_mode << 32 | IPCT_FD_CLOEXEC */
	__s32 fd;               /* the new descriptor */
	__s32 via_fd;           /* the socket it came through */
	__u8 _pad[72];
};

/* fork, exec, exit. */
struct ipct_proc {
	__u32 child_pid;        /* fork */
	__u32 child_tid;
	__s32 exit_code;        /* exit: wait status (code << 8 | signal | 0x80 core) */
	__u32 old_pid;          /* exec */
	char path[IPCT_PATH_LEN]; /* exec: the file executed */
	__u64 text_start;       /* exec: the executable's text (mm->start_code) */
	__u64 text_end;         /*       and its end: handler addresses resolve against it */
};

/*
 * ARGV: the arguments an exec gave the program, recorded right after its
 * exec record (same tid), read from the new program's memory
 * (mm->arg_start .. arg_end): each argument ends in a NUL byte. The first
 * IPCT_ARGV_LEN bytes of them; `total` says how many there were in all (a
 * larger total: the last one here is cut).
 */
#define IPCT_ARGV_LEN 88

struct ipct_argv {
	__u32 argc;             /* the arguments in all (bprm->argc) */
	__u32 total;            /* their bytes in all, NULs included */
	char args[IPCT_ARGV_LEN];
};

/*
 * EXE_PATH: the file an exec ran, by its absolute path (as the kernel
 * reaches it from the root: symbolic links resolved), when the exec
 * record's own path (the file as the caller named it, its first
 * IPCT_PATH_LEN - 1 bytes) is relative or did not fit. The path's bytes
 * [off, off + IPCT_EXE_PART_LEN) at most, in records of the exec's thread
 * right before its exec record, off 0 first; `len` bytes in all, no NUL.
 * `cut`: the path is longer than IPCT_EXE_PATH_MAX bytes or
 * IPCT_EXE_PATH_DEPTH names: these are its last names only, not a path to
 * open.
 */
#define IPCT_EXE_PART_LEN 88
#define IPCT_EXE_PATH_MAX 512
#define IPCT_EXE_PATH_DEPTH 48

struct ipct_exepath {
	__u16 len;
	__u16 off;
	__u8 cut;
	__u8 _pad[3];
	char part[IPCT_EXE_PART_LEN];
};

/*
 * Does an exec's path (as its record holds it, NUL-padded) come after
 * EXE_PATH records: relative, unread, or as long as the record holds (and
 * so perhaps cut)? The kernel side sends them by this rule, and readers
 * look for them by it.
 */
static inline int ipct_exec_path_partial(const char path[IPCT_PATH_LEN])
{
	return path[0] != '/' || path[IPCT_PATH_LEN - 2];
}

/* The BPF side's note of a call in flight, per thread (task storage). */
struct ipct_obj {
	__u64 ino;
	__u64 flags;            /* f_flags | f_mode << 32 | IPCT_FD_CLOEXEC */
	__u8 kind;
	__u8 _pad[7];
};

struct ipct_inflight {
	__u64 ts;               /* entry, CLOCK_BOOTTIME */
	__s64 nr;               /* the call's native number */
	__u64 val[2];           /* sigaction/sigprocmask: the new value, read at entry */
	__u32 valid;            /* val holds what the call was given */
	__u32 active;           /* between this thread's sys_enter and its sys_exit */
	__u32 session;          /* the thread's session at entry (or at its exit) */
	__u32 exited;           /* the process has exited: what it still does (SIGCHLD) is in session */
	__u32 gen;              /* traced_gen when `cached` was looked up (0: never) */
	__u32 cached;           /* the thread's session then */
	__u32 sleeps;           /* a call that may sleep until another process acts: args are its first */
	__u8 cls;               /* the call's class (enum ipct_sys_class), and */
	__u8 compat;            /* whether it is a 32-bit call (nr is then its native counterpart) */
	__u8 _pad[2];
	struct ipct_obj obj;    /* close/dup2: the fd that the call closes */
	__s64 args[3];          /* (sleeps) the call's first arguments, for the survey (struct ipct_wait) */
};

/*
 * Each live session's count of its processes in the kernel's traced set,
 * in the BPF side's .bss, kept where entries are made and removed (fork,
 * exit; the daemon for the processes it adds), so it is right even when
 * the ring loses their records: the daemon learns that a session's
 * processes are all gone with one load, whatever the size of the traced
 * set. Slot session % IPCT_SESSION_SLOTS is a session's while `session`
 * says so (the daemon claims it at the start and frees it at the end);
 * `untraced` counts the children that could not join (the set was full).
 */
#define IPCT_SESSION_SLOTS 4096

/*
 * The traced set's counting filter, in the BPF side's .bss (tgid_count):
 * slot tgid % IPCT_TGID_SLOTS counts the processes in the traced set whose
 * tgid falls there, each counted before its entry is made and uncounted
 * after it is removed, by whoever makes or removes it (the BPF programs,
 * the daemon). A 0 says, with one load, that a process is not traced.
 */
#define IPCT_TGID_SLOTS 65536

struct ipct_session_procs {
	__u32 session;
	__u32 flags;            /* IPCT_SP_*, set by the daemon before session */
	__s64 live;
	__u64 untraced;         /* children not traced: the traced set or the cap below was full */
	__u64 max;              /* the most processes it may trace at once; 0: no cap */
	__u64 lost;             /* its records the ring buffer had no room for */
	__u64 left;             /* processes that left at a privileged exec (IPCT_F_PRIV_EXEC) */
	__u64 inring;           /* its records in the ring, not yet drained (the daemon counts them out) */
	__u32 uslot;            /* 1 + its owner's slot in uid_procs, for an owner held to the per-user limit; 0: none */
	__u32 cslot;            /* 1 + its slot in the kernel side's counts (`run --count`); 0: its events are records */
};

/*
 * `ipctrace run --count` alone (no lifecycle records, pipe graph or
 * diagnoses wanted): the kernel side counts the session's calls and
 * signals per CPU, by syscall number (0 .. IPCT_NR_MAX - 1) and by event
 * type (IPCT_NR_MAX + type), instead of recording each: the ring's
 * reserve is most of what a record costs. What the daemon needs to follow
 * the session's processes still comes as records. The daemon claims one
 * of IPCT_COUNT_SLOTS slots for such a session; when none is free its
 * events are records, counted by the daemon, as for any other session.
 */
#define IPCT_COUNT_SLOTS 64
#define IPCT_COUNT_KEYS (IPCT_NR_MAX + IPCT_EV_TYPE_MAX)

/*
 * An unprivileged user's traced processes over all its sessions, kept with
 * each session's count (a session points at its owner's slot, which the
 * daemon claims at the user's first session and frees after the last), so
 * that the kernel holds the user to its limit as processes fork, in every
 * session at once.
 */
struct ipct_uid_procs {
	__s64 live;
	__u64 max;              /* ipctraced --uid-processes */
	__u32 uid;              /* the slot's owner; 0 with max 0: free */
	__u32 _pad;
};

/* The session's owner is neither root nor in the ipctrace group: a privileged exec ends its trace. */
#define IPCT_SP_UNPRIV 0x1

/*
 * A traced thread in a call that sleeps until another process acts, keyed
 * by thread id in the BPF side's map `waiting` from the call's entry until
 * it returns: a read of a pipe or FIFO that was empty with write ends open,
 * a write to one that was full with read ends open (both in blocking
 * mode), a wait4 or waitid without WNOHANG, a POSIX queue receive from an
 * empty queue or send to a full one (blocking, no timeout), a System V
 * msgsnd or msgrcv without IPC_NOWAIT, a semop or semtimedop without a
 * timeout (which may not sleep at all: the survey checks /proc). What the daemon surveys for
 * deadlocks and readers that never see EOF, instead of every traced thread.
 */
struct ipct_wait {
	__u64 since_ns;         /* the call's entry, CLOCK_BOOTTIME */
	__s64 args[3];          /* the call's first arguments */
	__u32 pid, tid;
	__u32 session;
	__s32 nr;               /* native number, a 32-bit call's too */
	__u32 threads;          /* the process's threads at the call's entry */
	__u32 pad;
};

/*
 * What a process's standard streams are when it execs (IPCT_EV_STDIO): the
 * descriptors it starts with, whatever they are: a pipe, a terminal, a
 * file (kind IPCT_KIND_OTHER: its inode, its type in mode, its device
 * number in rdev for a device such as /dev/null), or nothing (not open).
 */
struct ipct_stdio {
	struct ipct_obj fd[3];
	__u32 mode[3];          /* i_mode: S_IFREG, S_IFCHR, ... */
	__u32 rdev[3];          /* i_rdev of a device, dev_t as the kernel keeps it */
};

struct ipct_event {
	__u8 version;
	__u8 type;              /* enum ipct_event_type */
	__u16 nr;               /* syscall number (IPCT_EV_SYSCALL) */
	__u8 kind[2];           /* enum ipct_obj_kind of the objects in the payload */
	__u16 flags;            /* IPCT_F_* */
	__u32 pid;              /* thread group of the task that made the event */
	__u32 tid;
	__u32 session;          /* trace session the process belongs to */
	__u32 uid;              /* that task's user: who may see the event */
	__u64 ts_ns;            /* CLOCK_BOOTTIME (docs/events.md, "Times") */
	char comm[IPCT_COMM_LEN];
	union {
		struct ipct_sys sys;
		struct ipct_sig sig;
		struct ipct_proc proc;
		struct ipct_objinfo obj;
		struct ipct_fdrecv fdrecv;
		struct ipct_stdio stdio;
		struct ipct_argv argv;
		struct ipct_exepath exe;
	};
};

_Static_assert(sizeof(struct ipct_sys) == 96, "ipct_sys layout");
_Static_assert(sizeof(struct ipct_sig) == 96, "ipct_sig layout");
_Static_assert(sizeof(struct ipct_proc) == 96, "ipct_proc layout");
_Static_assert(sizeof(struct ipct_objinfo) == 96, "ipct_objinfo layout");
_Static_assert(sizeof(struct ipct_fdrecv) == 96, "ipct_fdrecv layout");
_Static_assert(sizeof(struct ipct_argv) == 96, "ipct_argv layout");
_Static_assert(sizeof(struct ipct_exepath) == 96, "ipct_exepath layout");
_Static_assert(sizeof(struct ipct_event) == 144, "ipct_event layout");

#endif /* IPCTRACE_EVENT_H */
