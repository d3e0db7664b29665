// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/syscalls.c: the traced set by number and by name, and
 * how a 32-bit process's calls map onto it (its numbers are others).
 */
#include <linux/net.h>
#include <sys/syscall.h>

#include "check.h"
#include "syscalls.h"

int main(void)
{
	struct ipct_compat_map m;

	CHECK_STR(ipct_syscall_by_nr(__NR_read)->name, "read");
	CHECK_INT(ipct_syscall_by_nr(__NR_read)->cls, IPCT_SC_READ);
	CHECK(ipct_syscall_by_nr(__NR_getpid) == NULL);
	CHECK_STR(ipct_syscall_name(__NR_nanosleep), "nanosleep");
	CHECK_INT(ipct_syscall_nr("write"), __NR_write);
	CHECK_INT(ipct_syscall_nr("no_such_call"), -1);

	ipct_compat_map_fill(&m);
#if defined(__x86_64__)
	/* ia32 numbers (<asm/unistd_32.h>): read 3 is x86-64's close, write 4 its stat. */
	CHECK(m.known);
	CHECK_STR(ipct_compat_syscall_name(3), "read");
	CHECK_INT(m.native[3], __NR_read);
	CHECK_INT(m.cls[3], IPCT_SC_READ);
	CHECK_INT(m.native[4], __NR_write);
	CHECK_INT(m.native[6], __NR_close);
	CHECK_INT(m.cls[6], IPCT_SC_CLOSE);
	CHECK_INT(m.native[37], __NR_kill);
	CHECK_INT(m.native[42], __NR_pipe);
	CHECK_INT(m.native[174], __NR_rt_sigaction);
	/* Another name for the same call: sigreturn (a handler without SA_SIGINFO), fcntl64. */
	CHECK_INT(m.native[119], __NR_rt_sigreturn);
	CHECK_INT(m.cls[119], IPCT_SC_PLAIN);
	CHECK_INT(m.native[221], __NR_fcntl);
	CHECK_INT(m.native[421], __NR_rt_sigtimedwait);
	/* Untraced calls map too (what a signal interrupts is named), classless. */
	CHECK_INT(m.native[162], __NR_nanosleep);
	CHECK_INT(m.cls[162], IPCT_SC_NONE);
	/* No counterpart: the old signal call. */
	CHECK_INT(m.native[48], IPCT_NR_NONE);
	/* socketcall(102) and its calls; send and recv are sendto and recvfrom. */
	CHECK_INT(m.cls[102], IPCT_SC_SOCKETCALL);
	CHECK_INT(m.native[102], IPCT_NR_NONE);
	CHECK_INT(m.socketcall[SYS_SOCKETPAIR], __NR_socketpair);
	CHECK_INT(m.socketcall[SYS_SEND], __NR_sendto);
	CHECK_INT(m.socketcall[SYS_RECV], __NR_recvfrom);
	CHECK_INT(m.socketcall[SYS_ACCEPT], __NR_accept);
	CHECK_INT(m.socketcall[SYS_GETSOCKOPT], IPCT_NR_NONE);
	CHECK_INT(m.socketcall[0], IPCT_NR_NONE);
#else
	/* 32-bit numbers unknown here: nothing maps (the kernel side drops 32-bit calls). */
	CHECK(!m.known);
	CHECK_INT(m.native[3], IPCT_NR_NONE);
	CHECK_INT(m.cls[3], IPCT_SC_NONE);
	CHECK_INT(m.socketcall[SYS_SEND], IPCT_NR_NONE);
#endif
	return check_done("test-syscalls");
}
