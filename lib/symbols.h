/* SPDX-License-Identifier: MIT */
/*
 * Names for code addresses in traced processes (signal handlers), from the
 * executable's ELF symbols, and the per-process facts needed for that:
 * which file each process runs and where its text was mapped.
 */
#pragma once

#include <stdint.h>

#include "ipctrace/event.h"

struct ipct_syms;

struct ipct_syms *ipct_syms_new(void);
void ipct_syms_free(struct ipct_syms *s);

/* Follows fork, exec and exit events to know each process's executable. */
void ipct_syms_on_event(struct ipct_syms *s, const struct ipct_event *e);

/* The function containing addr in process pid, or NULL when unknown. */
const char *ipct_syms_resolve(struct ipct_syms *s, uint32_t pid, uint64_t addr);

/* The function containing the address `vaddr` of an ELF file, as linked (not as loaded); NULL. */
const char *ipct_elf_symbol(struct ipct_syms *s, const char *path, uint64_t vaddr);
