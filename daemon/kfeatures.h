/* SPDX-License-Identifier: MIT */
/*
 * What the BPF programs need of the running kernel, each feature with the
 * Linux release that brought it: checked before loading, so that an old
 * kernel gets a message that names what it lacks instead of a verifier log.
 */
#pragma once

#include <stdio.h>

struct kfeature {
	const char *what;       /* as a person names it */
	const char *since;      /* the Linux release that has it, "5.12" */
	int (*probe)(void);     /* 1 present, 0 missing, -errno when the probe itself failed */
};

extern const struct kfeature kfeatures[];
/* The release that has them all: the newest `since` of the table. */
const char *kfeatures_min_linux(void);

/*
 * The first feature that `probe` (a kfeature's own, or a stand-in) finds
 * missing, NULL when none is. A probe that cannot tell (an error) does
 * not count as missing: the load that follows reports what goes wrong.
 */
const struct kfeature *kfeatures_missing(int (*probe)(const struct kfeature *f));
/* Calls a kfeature's own probe. */
int kfeature_probe(const struct kfeature *f);

/* Every feature, its release and whether this kernel has it; 0 when it has them all, else 1. */
int kfeatures_print(FILE *out);
