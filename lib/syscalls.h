/* SPDX-License-Identifier: MIT */
/* The traced syscall set: number, name and how the BPF side treats each. */
#pragma once

#include <stdint.h>

struct ipct_syscall {
	int nr;
	const char *name;
	uint8_t cls;            /* enum ipct_sys_class */
};

/* The traced set, terminated by an entry with a NULL name. */
extern const struct ipct_syscall ipct_syscalls[];

/* The entry for a syscall number, or NULL when it is not traced. */
const struct ipct_syscall *ipct_syscall_by_nr(int nr);

/* Any syscall's name ("nanosleep"), traced or not; NULL for an unknown number. */
const char *ipct_syscall_name(int nr);
