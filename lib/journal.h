/* SPDX-License-Identifier: MIT */
/*
 * The on-disk journal (docs/journal.md): time-ordered segment files of
 * checksummed blocks of fixed-layout records (events, lifecycle records,
 * loss markers). One block per drain of the ring buffer; a block whose
 * checksum does not match ends the journal (a torn tail is cut on open).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipct_jrec_type {
	IPCT_JREC_EVENT = 1,    /* struct ipct_event */
	IPCT_JREC_SIGREC = 2,   /* struct ipct_sigrec */
	IPCT_JREC_LOSS = 3,     /* struct ipct_jloss */
};

/* Records lost before they reached the daemon (the BPF ring was full). */
struct ipct_jloss {
	uint64_t ts_ns;         /* CLOCK_BOOTTIME when the daemon noticed */
	uint64_t count;         /* records lost since the previous marker */
};

struct ipct_journal_opts {
	const char *dir;
	uint64_t max_bytes;     /* the oldest segments go past this */
	uint64_t segment_bytes; /* a new segment starts past this */
};

/* What opening found wrong with the previous run's tail. */
struct ipct_journal_repair {
	char segment[64];       /* file name; "" when nothing was cut */
	uint64_t bytes_cut;
	uint64_t blocks_kept;   /* in that segment */
};

struct ipct_journal;

/*
 * Opens dir (created if missing) and locks it (-EBUSY: another process
 * has it open), cuts a torn tail. NULL with -errno in *err.
 */
struct ipct_journal *ipct_journal_open(const struct ipct_journal_opts *o, struct ipct_journal_repair *rep,
				       int *err);
void ipct_journal_close(struct ipct_journal *j);

/* Adds a record to the block being built; ts_ns is its CLOCK_BOOTTIME time. -errno. */
int ipct_journal_add(struct ipct_journal *j, uint16_t type, const void *rec, uint16_t len, uint64_t ts_ns);
/* Writes the block (realtime_off turns its times into wall-clock times); rotates. -errno. */
int ipct_journal_flush(struct ipct_journal *j, int64_t realtime_off);
/* Makes what was written durable. -errno. */
int ipct_journal_sync(struct ipct_journal *j);
/* ... on a thread of the journal's own, without waiting; close waits for it. */
void ipct_journal_sync_background(struct ipct_journal *j);

/*
 * Calls fn for every record whose block may hold times in [since, until]
 * (wall-clock ns; the callee checks each record's own time), oldest first.
 * fn returns false to stop. -errno.
 */
typedef bool (*ipct_journal_fn)(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx);
int ipct_journal_scan(struct ipct_journal *j, int64_t since, int64_t until, ipct_journal_fn fn, void *ctx);

/* Where a long scan stands, so that it can go on later (it survives rotation). */
struct ipct_journal_cursor {
	uint64_t seg;           /* segment number */
	size_t blk;             /* block index in it */
	uint32_t rec;           /* record index in that block */
	bool done;              /* past the end */
};

/*
 * Scans at most max_blocks matching blocks from cur on, advancing it.
 * When fn returns false the scan pauses at that record: the next step
 * starts with it again (so a reader can wait for room). -errno.
 */
int ipct_journal_step(struct ipct_journal *j, struct ipct_journal_cursor *cur, int64_t since, int64_t until,
		      size_t max_blocks, ipct_journal_fn fn, void *ctx);

struct ipct_journal_stats {
	uint64_t bytes;
	uint64_t records;
	unsigned segments;
	int64_t first_ns, last_ns;      /* wall-clock span; 0 when empty */
};
void ipct_journal_stats(const struct ipct_journal *j, struct ipct_journal_stats *st);
