/* SPDX-License-Identifier: MIT */
/*
 * The on-disk journal (docs/journal.md): time-ordered segment files of
 * checksummed blocks of fixed-layout records (events, lifecycle records,
 * loss markers). One block per drain of the ring buffer. Opening cuts a
 * torn tail from the last segment only; segments of another event version
 * or format, and blocks whose checksum does not match, are kept unread.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipct_jrec_type {
	IPCT_JREC_EVENT = 1,    /* struct ipct_event */
	IPCT_JREC_SIGREC = 2,   /* struct ipct_sigrec */
	IPCT_JREC_LOSS = 3,     /* struct ipct_jloss */
	IPCT_JREC_SESSION = 4,  /* struct ipct_jsession: a session began */
	IPCT_JREC_DIAG = 5,     /* struct ipct_jdiag: a diagnosis of a session */
	IPCT_JREC_GRAPH_OBJECT = 6, /* struct ipct_jdiag: one pipe-graph object of an ended session */
	IPCT_JREC_SESSION_END = 7, /* struct ipct_jdiag: an ended session's entry in `ipctrace sessions` */
};

/* Readers skip the types they do not know: older ones read a newer journal. */

/* A session's start, for `explain`: who may see it, and where its times begin. */
struct ipct_jsession {
	uint32_t session;
	uint32_t uid;           /* its owner: root, the ipctrace group and this uid see it */
	int64_t start_ns;       /* wall-clock start (its client's clock offset applied) */
};

/* A diagnosis (docs/diagnoses.md) as its session's client got it: JSON text, no NUL. */
struct ipct_jdiag {
	uint32_t session;
	uint32_t uid;           /* the session's owner */
	char json[];
};
/* The longest JSON a record holds (records have a 16-bit length). */
#define IPCT_JDIAG_JSON_MAX (UINT16_MAX - sizeof(struct ipct_jdiag))

/* Records lost before they reached the daemon (the BPF ring was full). */
struct ipct_jloss {
	uint64_t ts_ns;         /* CLOCK_BOOTTIME when the daemon noticed */
	uint64_t count;         /* records lost since the previous marker */
};

struct ipct_journal_opts {
	const char *dir;
	uint64_t max_bytes;     /* the oldest segments go past this */
	uint64_t segment_bytes; /* a new segment starts past this */
	/* Told in words of each thing opening keeps but cannot read (NULL: not told). */
	void (*warn)(const char *msg, void *ctx);
	void *warn_ctx;
	/* The group that may read the journal (files 0640, directory 0750): the ipctrace group. */
	bool set_gid;
	gid_t gid;
};

/* What opening found wrong. */
struct ipct_journal_repair {
	char segment[64];       /* the last segment, when a torn tail was cut from it; "" */
	uint64_t bytes_cut;
	uint64_t blocks_kept;   /* in that segment */
	uint64_t bad_blocks;    /* damaged stretches in the last two segments, good blocks after them: kept, not read */
};

struct ipct_journal;

/*
 * Opens dir (created if missing) and locks it (-EBUSY: another process
 * has it open), checks the last two segments and cuts a torn tail from
 * the last. NULL with -errno in *err.
 */
struct ipct_journal *ipct_journal_open(const struct ipct_journal_opts *o, struct ipct_journal_repair *rep,
				       int *err);
void ipct_journal_close(struct ipct_journal *j);

/*
 * Adds a record to the block being built; ts_ns is its CLOCK_BOOTTIME time.
 * 1 when the block is full (a quarter of a segment): flush it before the
 * next, so that no block outgrows a segment and rotation never drops the
 * newest records with it. 0, or -errno.
 */
int ipct_journal_add(struct ipct_journal *j, uint16_t type, const void *rec, uint16_t len, uint64_t ts_ns);
/* Writes the block (realtime_off turns its times into wall-clock times); rotates. -errno. */
int ipct_journal_flush(struct ipct_journal *j, int64_t realtime_off);
/* Makes what was written durable. -errno. */
int ipct_journal_sync(struct ipct_journal *j);
/*
 * ... on a thread of the journal's own, without waiting; close waits for
 * it. Never dropped: done here when the thread cannot take it.
 */
void ipct_journal_sync_background(struct ipct_journal *j);

/*
 * Calls fn for every record whose block may hold times in [since, until]
 * (wall-clock ns; the callee checks each record's own time), oldest first.
 * fn returns false to stop. -errno.
 */
typedef bool (*ipct_journal_fn)(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx);
int ipct_journal_scan(struct ipct_journal *j, int64_t since, int64_t until, ipct_journal_fn fn, void *ctx);

/*
 * A place between two records, where a long scan stands so that it can go
 * on later (it survives rotation): before record `rec` of block `blk` of
 * segment `seg`. { 0 } is before everything.
 */
struct ipct_journal_cursor {
	const struct ipct_journal_skip *skip; /* blocks it may pass over unread (NULL: none) */
	uint64_t seg;           /* segment number */
	size_t blk;             /* block index in it */
	uint32_t rec;           /* record index in that block */
	bool done;              /* past the end (forward), or before the start (back) */
	bool rotated;           /* rotation deleted records the scan had not reached yet */
};

/*
 * Which blocks a query may pass over without reading them: a block holds
 * in its index a bit of each of its events' pids (ipct_journal_pid_bit),
 * a bit of each of their types, and whether it holds records that are no
 * event (losses, sessions, diagnoses); a block is passed over when it
 * holds only events, none of whose pid bits are in `pids` and none of
 * whose types are in `types`. Bits of pids collide: what is read is
 * still filtered record by record.
 */
struct ipct_journal_skip {
	uint64_t pids;          /* ipct_journal_pid_bit of each pid wanted */
	uint32_t types;         /* 1 << type of each event type read whatever its pid */
};

static inline uint64_t ipct_journal_pid_bit(uint32_t pid)
{
	return 1ull << ((pid * 0x9e3779b1u) >> 26);
}

/* After the last block written so far. */
void ipct_journal_end(const struct ipct_journal *j, struct ipct_journal_cursor *cur);

/*
 * Scans at most max_blocks matching blocks from cur on, advancing it, up
 * to end (a place ipct_journal_end gave; NULL: the last block written).
 * When fn returns false the scan pauses at that record: the next step
 * starts with it again (so a reader can wait for room). -errno.
 */
int ipct_journal_step(struct ipct_journal *j, struct ipct_journal_cursor *cur, const struct ipct_journal_cursor *end,
		      int64_t since, int64_t until, size_t max_blocks, ipct_journal_fn fn, void *ctx);

/*
 * The same backwards: the records before cur, newest first, in at most
 * max_blocks matching blocks. When fn returns false, cur is left just
 * before that record (a forward scan from cur starts with it; the walk
 * back goes on with the one before). done, with cur before the oldest
 * record, once nothing is left. -errno.
 */
int ipct_journal_step_back(struct ipct_journal *j, struct ipct_journal_cursor *cur, int64_t since, int64_t until,
			   size_t max_blocks, ipct_journal_fn fn, void *ctx);

struct ipct_journal_stats {
	uint64_t bytes;                 /* of every segment, read or not */
	uint64_t records;               /* in the blocks that are read */
	unsigned segments;
	unsigned skipped_segments;      /* another event version or format: kept, not read */
	uint64_t skipped_bytes;
	/*
	 * Damaged stretches, kept and not read: blocks that fail their
	 * checksum (at open, or when first read), bytes between two good
	 * blocks that are no block (a damaged header), the bytes after the
	 * last good block of a segment that is not the last; and their bytes.
	 */
	uint64_t bad_blocks;
	uint64_t bad_bytes;
	uint64_t sync_errors;           /* fdatasync calls that failed */
	int64_t first_ns, last_ns;      /* wall-clock span; 0 when empty */
};
void ipct_journal_stats(struct ipct_journal *j, struct ipct_journal_stats *st);
