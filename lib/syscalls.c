// SPDX-License-Identifier: MIT
/*
 * The IPC syscall set, by this architecture's numbers. The daemon turns it
 * into the BPF program's filter table; the formatter uses it for names.
 * Syscalls that an architecture lacks (pipe, dup2 on arm64) drop out with
 * their __NR_ macro.
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "ipctrace/event.h"
#include "syscalls.h"

#define SC(name_, cls_) { __NR_##name_, #name_, IPCT_SC_##cls_ }

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
	SC(read, FD),
	SC(write, FD),
	SC(readv, FD_IOV),
	SC(writev, FD_IOV),
	SC(splice, FD_PAIR02),
	SC(tee, FD_PAIR01),
	SC(vmsplice, FD),
	SC(sendfile, FD_PAIR01),
#ifdef __NR_open
	SC(open, OPEN),
#endif
	SC(openat, OPENAT),
	SC(close, CLOSE),
	SC(dup, FD),
#ifdef __NR_dup2
	SC(dup2, DUP2),
#endif
	SC(dup3, DUP2),
	SC(fcntl, FD),
	/* sockets */
	SC(socket, FD_RET),
	SC(socketpair, SOCKETPAIR),
	SC(bind, SOCK),
	SC(listen, SOCK),
	SC(connect, SOCK),
	SC(accept, FD_ACCEPT),
	SC(accept4, FD_ACCEPT),
	SC(sendto, FD),
	SC(recvfrom, FD),
	SC(sendmsg, FD),
	SC(recvmsg, FD),
	SC(sendmmsg, FD),
	SC(recvmmsg, FD),
	SC(shutdown, FD),
	{ 0, NULL, 0 },
};

const struct ipct_syscall *ipct_syscall_by_nr(int nr)
{
	for (const struct ipct_syscall *s = ipct_syscalls; s->name; s++)
		if (s->nr == nr)
			return s;
	return NULL;
}
