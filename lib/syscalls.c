// SPDX-License-Identifier: MIT
/*
 * The IPC syscall set, by this architecture's numbers. The daemon turns it
 * into the BPF program's filter table; the formatter uses it for names.
 * Syscalls that an architecture lacks (pipe, dup2 on arm64) drop out with
 * their __NR_ macro. 32-bit processes make the same calls with numbers of
 * their own, which the kernel side maps to these (ipct_compat_map_fill).
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/net.h>
#include <sys/syscall.h>

#include "ipctrace/event.h"
#include "syscalls.h"

#define SC(name_, cls_) { __NR_##name_, #name_, IPCT_SC_##cls_, IPCT_IO_NONE }
#define IO(name_, cls_, io_) { __NR_##name_, #name_, IPCT_SC_##cls_, IPCT_IO_##io_ }

const struct ipct_syscall ipct_syscalls[] = {
	/* signals */
	SC(kill, PLAIN),
	SC(tkill, PLAIN),
	SC(tgkill, PLAIN),
	SC(rt_sigqueueinfo, SIGQUEUE),
	SC(rt_tgsigqueueinfo, TGSIGQUEUE),
	SC(pidfd_send_signal, PLAIN),
	SC(rt_sigaction, SIGACTION),
	SC(rt_sigprocmask, SIGPROCMASK),
	SC(rt_sigreturn, PLAIN),
	SC(rt_sigtimedwait, PLAIN),
	/* pipes and descriptors */
#ifdef __NR_pipe
	SC(pipe, PIPE),
#endif
	SC(pipe2, PIPE),
	IO(read, READ, READ),
	IO(write, FD, WRITE),
	IO(readv, READV, READ),
	IO(writev, FD_IOV, WRITE),
	SC(splice, FD_PAIR02),
	SC(tee, FD_PAIR01),
	IO(vmsplice, FD, BY_END),
	SC(sendfile, FD_PAIR01),
#ifdef __NR_open
	SC(open, OPEN),
#endif
	SC(openat, OPENAT),
	SC(close, CLOSE),
	SC(close_range, PLAIN),
	SC(dup, FD),
#ifdef __NR_dup2
	SC(dup2, DUP2),
#endif
	SC(dup3, DUP2),
	SC(fcntl, FD),
	SC(ioctl, IOCTL),       /* FIOCLEX and FIONCLEX only */
	SC(pidfd_getfd, GETFD),
	SC(unshare, PLAIN),     /* CLONE_FILES: the descriptor table is no longer shared */
	/* sockets */
	SC(socket, FD_RET),
	SC(socketpair, SOCKETPAIR),
	SC(bind, SOCK),
	SC(listen, SOCK),
	SC(connect, SOCK),
	SC(accept, FD_ACCEPT),
	SC(accept4, FD_ACCEPT),
	IO(sendto, FD, WRITE),
	IO(recvfrom, FD, READ),
	IO(sendmsg, FD, WRITE),
	IO(recvmsg, FD_MSG, READ),
	IO(sendmmsg, FD, WRITE_MSGS),
	IO(recvmmsg, FD_MMSG, READ_MSGS),
	SC(shutdown, FD),
	/* POSIX message queues: descriptors, so close, dup, fork and exec are the table's */
	SC(mq_open, MQ_OPEN),
	SC(mq_unlink, MQ_UNLINK),
	SC(mq_timedsend, MQ_SEND),
	SC(mq_timedreceive, MQ_RECV),
	SC(mq_notify, FD),
	SC(mq_getsetattr, FD),
	/* System V message queues: ids, not descriptors */
	SC(msgget, MSGGET),
	SC(msgsnd, MSGSND),
	SC(msgrcv, MSGRCV),
	SC(msgctl, MSGCTL),
	/* System V semaphore sets: ids too */
	SC(semget, SEMGET),
	SC(semop, SEMOP),
	SC(semtimedop, SEMOP),
	SC(semctl, SEMCTL),
	/* System V shared memory: ids and addresses; the reads and writes of it are no calls */
	SC(shmget, SHMGET),
	SC(shmat, SHMAT),
	SC(shmdt, SHMDT),
	SC(shmctl, SHMCTL),
	/* POSIX shared memory: files of /dev/shm (shm_open is an openat); shared mappings */
	SC(ftruncate, FD),
	SC(mmap, MMAP),
	SC(munmap, MUNMAP),
	SC(unlink, UNLINK),
	SC(unlinkat, UNLINK),
	/* POSIX semaphores: sem_open links its file in place; waits and wake-ups are futex calls */
	SC(link, LINK),
	SC(linkat, LINK),
	SC(futex, FUTEX),
	/* children: who waited for which, and what it collected */
	SC(wait4, WAIT4),
	SC(waitid, WAITID),
	{ 0, NULL, 0, 0 },
};

/* 32-bit calls whose native counterpart has another name (old ones, 64-bit time ones). */
static const struct {
	const char *name;
	int nr;
} compat_aliases[] = {
	{ "sigreturn", __NR_rt_sigreturn },             /* a handler without SA_SIGINFO returns */
	{ "fcntl64", __NR_fcntl },
	{ "sendfile64", __NR_sendfile },
	{ "rt_sigtimedwait_time64", __NR_rt_sigtimedwait },
	{ "recvmmsg_time64", __NR_recvmmsg },
	{ "mq_timedsend_time64", __NR_mq_timedsend },
	{ "mq_timedreceive_time64", __NR_mq_timedreceive },
	{ "semtimedop_time64", __NR_semtimedop },
	{ "futex_time64", __NR_futex },
	/* mmap2 is mmap with the offset in pages; the 32-bit mmap passes its arguments in a struct: left out. */
	{ "mmap2", __NR_mmap },
	{ "mmap", -1 },
};

/* socketcall's calls, by the native syscall each one is (send and recv are sendto and recvfrom). */
static const struct {
	int call;
	int nr;
} socketcalls[] = {
	{ SYS_SOCKET, __NR_socket }, { SYS_BIND, __NR_bind }, { SYS_CONNECT, __NR_connect },
	{ SYS_LISTEN, __NR_listen }, { SYS_ACCEPT, __NR_accept }, { SYS_SOCKETPAIR, __NR_socketpair },
	{ SYS_SEND, __NR_sendto }, { SYS_RECV, __NR_recvfrom }, { SYS_SENDTO, __NR_sendto },
	{ SYS_RECVFROM, __NR_recvfrom }, { SYS_SHUTDOWN, __NR_shutdown }, { SYS_SENDMSG, __NR_sendmsg },
	{ SYS_RECVMSG, __NR_recvmsg }, { SYS_ACCEPT4, __NR_accept4 }, { SYS_RECVMMSG, __NR_recvmmsg },
	{ SYS_SENDMMSG, __NR_sendmmsg },
};

/* The native counterpart of the 32-bit call of that name: the call of that name, or an alias's. */
static int compat_native_nr(const char *name)
{
	for (size_t i = 0; i < sizeof(compat_aliases) / sizeof(*compat_aliases); i++)
		if (!strcmp(compat_aliases[i].name, name))
			return compat_aliases[i].nr;
	return ipct_syscall_nr(name);
}

void ipct_compat_map_fill(struct ipct_compat_map *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < IPCT_NR_MAX; i++)
		m->native[i] = IPCT_NR_NONE;
	for (int i = 0; i < IPCT_SOCKETCALL_MAX; i++)
		m->socketcall[i] = IPCT_NR_NONE;
	for (int nr32 = 0; nr32 < IPCT_NR_MAX; nr32++) {
		const char *name = ipct_compat_syscall_name(nr32);
		const struct ipct_syscall *s;
		int nr;

		if (!name)
			continue;
		m->known = true;
		/* The 32-bit C library makes its socket calls through socketcall. */
		if (!strcmp(name, "socketcall")) {
			m->cls[nr32] = IPCT_SC_SOCKETCALL;
			continue;
		}
		nr = compat_native_nr(name);
		if (nr < 0 || nr >= IPCT_NR_MAX)
			continue;
		m->native[nr32] = (uint16_t)nr;
		s = ipct_syscall_by_nr(nr);
		m->cls[nr32] = s ? s->cls : IPCT_SC_NONE;
	}
	for (size_t i = 0; m->known && i < sizeof(socketcalls) / sizeof(*socketcalls); i++)
		m->socketcall[socketcalls[i].call] = (uint16_t)socketcalls[i].nr;
}

const struct ipct_syscall *ipct_syscalls_by_nr[IPCT_NR_MAX];

/* Filled before main: every event asks (ipct_syscall_by_nr), from any thread, and never waits for it. */
static __attribute__((constructor)) void fill_by_nr(void)
{
	for (const struct ipct_syscall *s = ipct_syscalls; s->name; s++)
		if (s->nr >= 0 && s->nr < IPCT_NR_MAX)
			ipct_syscalls_by_nr[s->nr] = s;
}
