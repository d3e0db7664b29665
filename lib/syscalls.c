// SPDX-License-Identifier: MIT
/*
 * The IPC syscall set, by this architecture's numbers. The daemon turns it
 * into the BPF program's filter table; the formatter uses it for names.
 * Syscalls that an architecture lacks (pipe, dup2 on arm64) drop out with
 * their __NR_ macro.
 */
#include <stdbool.h>
#include <stddef.h>
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
	IO(read, FD, READ),
	IO(write, FD, WRITE),
	IO(readv, FD_IOV, READ),
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
	/* children: who waited for which, and what it collected */
	SC(wait4, WAIT4),
	SC(waitid, WAITID),
	{ 0, NULL, 0, 0 },
};

const struct ipct_syscall *ipct_syscall_by_nr(int nr)
{
	/* Every event asks: a table by number, filled on first use. */
	static const struct ipct_syscall *by_nr[IPCT_NR_MAX];
	static bool filled;

	if (!filled) {
		for (const struct ipct_syscall *s = ipct_syscalls; s->name; s++)
			if (s->nr >= 0 && s->nr < IPCT_NR_MAX)
				by_nr[s->nr] = s;
		filled = true;
	}
	return nr >= 0 && nr < IPCT_NR_MAX ? by_nr[nr] : NULL;
}
