/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What bench/floor.bpf.c and its loader bench/floor.c share: where each
 * kind of record is counted. A syscall's slot is its number; the other
 * records follow, in the order of enum ipct_event_type.
 */
#ifndef IPCTRACE_BENCH_FLOOR_H
#define IPCTRACE_BENCH_FLOOR_H

#include "ipctrace/event.h"

enum floor_slot {
	FLOOR_SLOT_SIGNAL_GENERATE = IPCT_NR_MAX,
	FLOOR_SLOT_SIGNAL_DELIVER,
	FLOOR_SLOT_FORK,
	FLOOR_SLOT_EXEC,
	FLOOR_SLOT_EXIT,
	FLOOR_SLOT_LOST,        /* records the ring had no room for */
	FLOOR_SLOTS,
};

/* In a traced map value: the command is held before its exec (as IPCT_SESSION_HELD), not recorded yet. */
#define FLOOR_HELD 1u

/* The slot of a record of that type (and, for a syscall, that number < IPCT_NR_MAX). */
static inline __u32 floor_slot(__u8 type, __u16 nr)
{
	return type == IPCT_EV_SYSCALL ? nr : FLOOR_SLOT_SIGNAL_GENERATE + type - IPCT_EV_SIGNAL_GENERATE;
}

#endif
