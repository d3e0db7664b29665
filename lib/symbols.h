/* SPDX-License-Identifier: MIT */
/*
 * Names for code addresses in traced processes (signal handlers), from the
 * executable's ELF symbols, and the per-process facts needed for that:
 * which file each process runs and where its text was mapped.
 *
 * Files are known by identity (device, inode, size, modification time),
 * never by path: a program rebuilt at the same path is another file. At
 * most IPCT_SYMS_FILES are kept, the least recently used unreferenced one
 * going first.
 *
 * Synchronous (ipct_syms_new): a file is read when first needed, in the
 * caller. Asynchronous (ipct_syms_new_async, the daemon): a worker thread
 * reads it from the moment the process installs a handler (rt_sigaction),
 * ahead of the first delivery, and the caller applies what it read
 * (ipct_syms_apply, when ipct_syms_fd is readable). A handler delivered
 * while its file is still being read is named later: ipct_syms_take_pending
 * by the delivery.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "ipctrace/event.h"

#define IPCT_SYMS_FILES 64

struct ipct_syms;

struct ipct_syms *ipct_syms_new(void);
/* NULL, errno set, when the worker thread cannot start. */
struct ipct_syms *ipct_syms_new_async(void);
void ipct_syms_free(struct ipct_syms *s);

/* An event that ipct_syms_on_event does not pass at once. */
void ipct_syms_other(struct ipct_syms *s, const struct ipct_event *e);

/*
 * Follows fork, exec and exit events to know each process's executable;
 * asynchronous, starts reading a file when a handler of it is installed or
 * delivered. Most events are calls other than rt_sigaction, which concern
 * no handler: passed here, with no call.
 */
static inline void ipct_syms_on_event(struct ipct_syms *s, const struct ipct_event *e)
{
	if (e->type != IPCT_EV_SYSCALL || e->nr == SYS_rt_sigaction)
		ipct_syms_other(s, e);
}

/*
 * The absolute path of the file process pid runs, from the EXE_PATH records
 * that came before its exec (an exec whose own path was relative or cut):
 * NULL when that exec had none. *cut: the path's last names only, not a
 * path to open. Valid from its exec event until the process's next exec or
 * exit event is passed in.
 */
const char *ipct_syms_exe_path(struct ipct_syms *s, uint32_t pid, bool *cut);

/* The function containing addr in process pid, or NULL when unknown (or not read yet). */
const char *ipct_syms_resolve(struct ipct_syms *s, uint32_t pid, uint64_t addr);

/* The function containing the address `vaddr` of an ELF file, as linked (not as loaded); NULL. */
const char *ipct_elf_symbol(struct ipct_syms *s, const char *path, uint64_t vaddr);

/*
 * Asynchronous: readable when the worker has read files; ipct_syms_apply
 * then makes them usable, and says how many it made so (0: none was read
 * since; it may be called at any time, without waiting).
 */
int ipct_syms_fd(const struct ipct_syms *s);
unsigned ipct_syms_apply(struct ipct_syms *s);
/* Waits up to timeout_ms for every file being read, and applies them: false on timeout. */
bool ipct_syms_wait(struct ipct_syms *s, int timeout_ms);

/*
 * A handler whose file was still being read when it was delivered, taken
 * (once) by the delivery's thread and time; NULL when there is none.
 */
struct ipct_sym_pending;
struct ipct_sym_pending *ipct_syms_take_pending(struct ipct_syms *s, uint32_t tid, uint64_t ts_ns);
/*
 * The name at addr in pid's program, to be had later even if pid exits
 * meanwhile (its file may still be being read); NULL when pid or its file
 * is unknown. Freed with ipct_sym_pending_free.
 */
struct ipct_sym_pending *ipct_syms_hold(struct ipct_syms *s, uint32_t pid, uint64_t addr);
/* Whether its file has been read; then *name is the handler's (NULL: it has none). */
bool ipct_sym_pending_name(const struct ipct_sym_pending *p, const char **name);
/* Another hold of the same name, for another owner (the file is read once for both); NULL on ENOMEM. */
struct ipct_sym_pending *ipct_sym_pending_dup(struct ipct_syms *s, const struct ipct_sym_pending *p);
void ipct_sym_pending_free(struct ipct_syms *s, struct ipct_sym_pending *p);

struct ipct_syms_stats {
	uint64_t files;         /* in memory now */
	uint64_t loads;         /* files read */
	uint64_t evicted;       /* dropped, least recently used first, to stay within IPCT_SYMS_FILES */
	uint64_t refused;       /* not read: IPCT_SYMS_FILES in use by live processes */
	uint64_t changed;       /* not read: the file at the path is no longer the one executed */
	uint64_t pending;       /* handlers delivered while their file was being read, not yet taken */
};

void ipct_syms_stats(const struct ipct_syms *s, struct ipct_syms_stats *st);
