/* SPDX-License-Identifier: MIT */
/* The traced syscall set: number, name and how the BPF side treats each. */
#pragma once

#include <stdint.h>

/* What a data call does to the object behind its fd. */
enum ipct_io {
	IPCT_IO_NONE = 0,
	IPCT_IO_READ,           /* read, readv, recvfrom, recvmsg */
	IPCT_IO_WRITE,          /* write, writev, sendto, sendmsg */
	IPCT_IO_READ_MSGS,      /* recvmmsg: returns messages, not bytes */
	IPCT_IO_WRITE_MSGS,     /* sendmmsg */
	IPCT_IO_BY_END,         /* vmsplice: the direction is the end's */
};

struct ipct_syscall {
	int nr;
	const char *name;
	uint8_t cls;            /* enum ipct_sys_class */
	uint8_t io;             /* enum ipct_io */
};

/* The traced set, terminated by an entry with a NULL name. */
extern const struct ipct_syscall ipct_syscalls[];

/* The entry for a syscall number, or NULL when it is not traced. */
const struct ipct_syscall *ipct_syscall_by_nr(int nr);

/* Any syscall's name ("nanosleep"), traced or not; NULL for an unknown number. */
const char *ipct_syscall_name(int nr);
