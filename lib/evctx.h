/* SPDX-License-Identifier: MIT */
/*
 * An event as the modules fed with it (graph, diagnosis, lifecycle) take
 * it: what each of them would otherwise work out again from the event,
 * worked out once by whoever feeds them all (the daemon, a CLI replay, a
 * unit test).
 */
#pragma once

#include <stdbool.h>

#include "ipctrace/event.h"
#include "syscalls.h"

struct ipct_evctx {
	const struct ipct_event *e;
	const struct ipct_syscall *sc;  /* a traced call's entry; NULL for other events */
	bool io;                        /* a read or write (sc->io) that succeeded: most events */
};

static inline struct ipct_evctx ipct_evctx(const struct ipct_event *e)
{
	const struct ipct_syscall *sc = e->type == IPCT_EV_SYSCALL ? ipct_syscall_by_nr(e->nr) : NULL;

	return (struct ipct_evctx){
		.e = e,
		.sc = sc,
		.io = sc && e->sys.ret >= 0 && (sc->io == IPCT_IO_READ || sc->io == IPCT_IO_WRITE),
	};
}
