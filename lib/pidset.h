/* SPDX-License-Identifier: MIT */
/* A small set of pids, scanned: the few processes a filter or a view follows. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct pidset {
	uint32_t *pids;
	size_t n, cap;
};

static inline bool pidset_has(const struct pidset *s, uint32_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->pids[i] == pid)
			return true;
	return false;
}

/* Adds pid (once); without memory, the set stays as it was. */
static inline void pidset_add(struct pidset *s, uint32_t pid)
{
	if (pidset_has(s, pid))
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		uint32_t *n = realloc(s->pids, cap * sizeof(*n));

		if (!n)
			return;
		s->pids = n;
		s->cap = cap;
	}
	s->pids[s->n++] = pid;
}
