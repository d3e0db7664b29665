/* SPDX-License-Identifier: MIT */
/* The traced syscall set: number, name and how the BPF side treats each. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ipctrace/event.h"

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

/* The entries by number (NULL: not traced), filled before main. */
extern const struct ipct_syscall *ipct_syscalls_by_nr[IPCT_NR_MAX];

/* The entry for a syscall number, or NULL when it is not traced. Inline: every event asks, some twice. */
static inline const struct ipct_syscall *ipct_syscall_by_nr(int nr)
{
	return nr >= 0 && nr < IPCT_NR_MAX ? ipct_syscalls_by_nr[nr] : NULL;
}

/* Any syscall's name ("nanosleep"), traced or not; NULL for an unknown number. */
const char *ipct_syscall_name(int nr);

/* The number of the syscall of that name; -1 when there is none. */
int ipct_syscall_nr(const char *name);

/* The name of the 32-bit (x86-64: ia32) call of that number; NULL when there is none. */
const char *ipct_compat_syscall_name(int nr);

/*
 * How the kernel side reads a 32-bit process's calls, whose numbers are not
 * the native ones (ia32 `read` is 3, x86-64's `close`): each 32-bit
 * number's native counterpart (by name) and that one's class, and
 * socketcall's calls by native number (IPCT_NR_NONE where there is none).
 */
struct ipct_compat_map {
	bool known;                             /* this architecture's 32-bit numbers are known */
	uint16_t native[IPCT_NR_MAX];
	uint8_t cls[IPCT_NR_MAX];
	uint16_t socketcall[IPCT_SOCKETCALL_MAX];
};

void ipct_compat_map_fill(struct ipct_compat_map *m);
