// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/journal.c (docs/journal.md): blocks written over
 * several flushes and read back after reopening, a torn or corrupted tail
 * cut on open, rotation of whole segments, time ranges that skip blocks,
 * and the cursor of a long scan. Every case works in a fresh directory
 * under /tmp, removed at its end.
 *
 * The test keeps its own model of what was written: every record (type,
 * length, id, CLOCK_MONOTONIC and wall-clock time, block), every block
 * (its records, span, segment, offset) and every segment (size, whether
 * rotation has deleted it), sized by the layout of docs/journal.md: a
 * 32-byte segment header, a 48-byte block header, a 16-byte record header.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ipctrace/event.h"
#include "journal.h"

#define SEG_HDR 32u
#define BLK_HDR 48u
#define REC_HDR 16u
#define SIGREC_LEN 240u         /* a lifecycle record's size; the journal never looks inside */

#define MAXR 2048
#define MAXB 256
#define MAXS 64

#define OFF0 1700000000000000000ll      /* CLOCK_REALTIME - CLOCK_MONOTONIC, about 2023 */
#define SEC 1000000000ll

/* ---- the model ---- */

struct mrec {
	uint16_t type, len;
	uint64_t id;            /* event: pid; loss: count; blob: its first 8 bytes */
	uint64_t ts;            /* CLOCK_MONOTONIC */
	int64_t rt;             /* ts + its block's offset */
	int blk;
};

struct mblk {
	int first, n;           /* records */
	int64_t off, min, max;
	uint64_t seg;           /* segment number */
	uint64_t pos;           /* offset in that segment */
	uint64_t bytes;         /* header and records */
};

struct mseg {
	uint64_t num, size;
	bool gone;              /* deleted by rotation */
};

struct model {
	uint64_t segment_bytes, max_bytes;
	bool mixed;             /* some lifecycle records and loss markers among the events */
	int n, nblk, nseg;
	uint64_t seq;           /* the next record's id */
	struct mrec r[MAXR];
	struct mblk b[MAXB];
	struct mseg s[MAXS];
};

static void model_init(struct model *m, uint64_t segment_bytes, uint64_t max_bytes, bool mixed)
{
	memset(m, 0, sizeof(*m));
	m->mixed = mixed;
	m->segment_bytes = segment_bytes;
	m->max_bytes = max_bytes;
	m->seq = 1;
	m->s[0] = (struct mseg){ 1, SEG_HDR, false };
	m->nseg = 1;
}

static struct mseg *model_last(struct model *m)
{
	return &m->s[m->nseg - 1];
}

static bool blk_alive(const struct model *m, int b)
{
	for (int i = 0; i < m->nseg; i++)
		if (m->s[i].num == m->b[b].seg)
			return !m->s[i].gone;
	return false;
}

static uint64_t model_bytes(const struct model *m)
{
	uint64_t sum = 0;

	for (int i = 0; i < m->nseg; i++)
		if (!m->s[i].gone)
			sum += m->s[i].size;
	return sum;
}

static unsigned model_segments(const struct model *m)
{
	unsigned n = 0;

	for (int i = 0; i < m->nseg; i++)
		n += !m->s[i].gone;
	return n;
}

static uint64_t model_records(const struct model *m)
{
	uint64_t n = 0;

	for (int b = 0; b < m->nblk; b++)
		if (blk_alive(m, b))
			n += (uint64_t)m->b[b].n;
	return n;
}

/* ---- records ---- */

static struct ipct_event event_rec(uint64_t id, uint64_t ts)
{
	struct ipct_event e = { .version = IPCT_EVENT_VERSION, .type = IPCT_EV_SYSCALL, .pid = (uint32_t)id,
				.tid = (uint32_t)id + 1, .session = 7, .uid = 1000, .ts_ns = ts };

	snprintf(e.comm, sizeof(e.comm), "rec%" PRIu64, id);
	e.sys.ret = (int64_t)id * 3;
	return e;
}

static void blob_rec(unsigned char *b, uint64_t id, uint64_t ts)
{
	memcpy(b, &id, 8);
	memcpy(b + 8, &ts, 8);
	for (unsigned i = 16; i < SIGREC_LEN; i++)
		b[i] = (unsigned char)(id + i);
}

/* The kind of record number id: mostly events, some lifecycle records and loss markers. */
static uint16_t rec_type(const struct model *m, uint64_t id)
{
	return !m->mixed ? IPCT_JREC_EVENT : id % 7 == 3 ? IPCT_JREC_LOSS : id % 7 == 5 ? IPCT_JREC_SIGREC : IPCT_JREC_EVENT;
}

static uint16_t rec_len(uint16_t type)
{
	return type == IPCT_JREC_EVENT ? sizeof(struct ipct_event)
	       : type == IPCT_JREC_LOSS ? sizeof(struct ipct_jloss) : SIGREC_LEN;
}

/*
 * Adds nrec records as one block and flushes it with the offset off;
 * the block's times start at `start` (CLOCK_MONOTONIC), one ms apart.
 * Updates the model the way docs/journal.md says the journal goes: a
 * new segment once the last one is at segment_bytes, then the oldest
 * deleted while the whole is over max_bytes (never the last one).
 */
static void add_block(struct ipct_journal *j, struct model *m, int nrec, uint64_t start, int64_t off)
{
	struct mblk *b = &m->b[m->nblk];
	struct mseg *s = model_last(m);

	if (m->nblk >= MAXB || m->n + nrec > MAXR) {
		fprintf(stderr, "model too small\n");
		exit(EXIT_FAILURE);
	}
	*b = (struct mblk){ .first = m->n, .n = nrec, .off = off, .seg = s->num, .pos = s->size,
			    .bytes = BLK_HDR };
	for (int i = 0; i < nrec; i++) {
		struct mrec *r = &m->r[m->n++];
		uint64_t id = m->seq++, ts = start + (uint64_t)i * 1000000;
		unsigned char blob[SIGREC_LEN];
		struct ipct_event e;
		struct ipct_jloss l;
		const void *p;

		*r = (struct mrec){ rec_type(m, id), rec_len(rec_type(m, id)), id, ts, (int64_t)ts + off, m->nblk };
		switch (r->type) {
		case IPCT_JREC_EVENT:
			e = event_rec(id, ts);
			p = &e;
			break;
		case IPCT_JREC_LOSS:
			l = (struct ipct_jloss){ ts, id };
			p = &l;
			break;
		default:
			blob_rec(blob, id, ts);
			p = blob;
		}
		CHECK_INT(ipct_journal_add(j, r->type, p, r->len, ts), 0);
		b->bytes += REC_HDR + r->len;
		if (!i || r->rt < b->min)
			b->min = r->rt;
		if (!i || r->rt > b->max)
			b->max = r->rt;
	}
	CHECK_INT(ipct_journal_flush(j, off), 0);
	m->nblk++;
	s->size += b->bytes;
	if (s->size >= m->segment_bytes) {
		if (m->nseg >= MAXS) {
			fprintf(stderr, "model too small\n");
			exit(EXIT_FAILURE);
		}
		m->s[m->nseg] = (struct mseg){ s->num + 1, SEG_HDR, false };
		m->nseg++;
	}
	for (int i = 0; i < m->nseg - 1 && model_bytes(m) > m->max_bytes; i++)
		m->s[i].gone = true;
}

/* The torn block is gone: the model forgets the last block of the last segment holding one. */
static void model_cut_last_block(struct model *m)
{
	struct mblk *b = &m->b[m->nblk - 1];

	for (int i = 0; i < m->nseg; i++)
		if (m->s[i].num == b->seg)
			m->s[i].size = b->pos;
	m->n = b->first;
	m->nblk--;
}

/* ---- what the scan hands over ---- */

struct grec {
	uint16_t type, len;
	uint64_t id, ts;
	int64_t rt;
	bool intact;            /* the record's content is what was written */
};

struct got {
	int n, calls;
	int stop_at;            /* return false at this call (0: never) */
	struct grec r[MAXR];
};

static bool collect(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx)
{
	struct got *g = ctx;
	struct grec r = { type, len, 0, 0, realtime_ns, false };

	g->calls++;
	if (type == IPCT_JREC_EVENT && len == sizeof(struct ipct_event)) {
		struct ipct_event e, want;

		memcpy(&e, rec, sizeof(e));
		r.id = e.pid;
		r.ts = e.ts_ns;
		want = event_rec(r.id, r.ts);
		r.intact = !memcmp(&e, &want, sizeof(e));
	} else if (type == IPCT_JREC_LOSS && len == sizeof(struct ipct_jloss)) {
		struct ipct_jloss l;

		memcpy(&l, rec, sizeof(l));
		r.id = l.count;
		r.ts = l.ts_ns;
		r.intact = true;
	} else if (type == IPCT_JREC_SIGREC && len == SIGREC_LEN) {
		unsigned char want[SIGREC_LEN];

		memcpy(&r.id, rec, 8);
		memcpy(&r.ts, (const char *)rec + 8, 8);
		blob_rec(want, r.id, r.ts);
		r.intact = !memcmp(rec, want, SIGREC_LEN);
	}
	if (g->n < MAXR)
		g->r[g->n++] = r;
	return !g->stop_at || g->calls < g->stop_at;
}

static void got_reset(struct got *g)
{
	memset(g, 0, sizeof(*g));
}

/* Is model record i delivered as got record k (in every field)? */
static void check_rec(const struct got *g, int k, const struct model *m, int i, int line)
{
	const struct grec *r = &g->r[k];
	const struct mrec *w = &m->r[i];

	if (r->type != w->type || r->len != w->len || r->id != w->id || r->ts != w->ts || r->rt != w->rt ||
	    !r->intact) {
		fprintf(stderr,
			"%s:%d: record %d\n  got:  type %u len %u id %" PRIu64 " ts %" PRIu64 " rt %" PRId64
			" intact %d\n  want: type %u len %u id %" PRIu64 " ts %" PRIu64 " rt %" PRId64 "\n",
			__FILE__, line, k, r->type, r->len, r->id, r->ts, r->rt, r->intact, w->type, w->len,
			w->id, w->ts, w->rt);
		check_failures++;
	}
}

/* The delivered records are exactly the model's live ones with keep(), in order. */
static void check_records(const struct got *g, const struct model *m, int from_blk, int line)
{
	int k = 0;

	for (int b = from_blk; b < m->nblk; b++) {
		if (!blk_alive(m, b))
			continue;
		for (int i = m->b[b].first; i < m->b[b].first + m->b[b].n; i++, k++) {
			if (k >= g->n) {
				fprintf(stderr, "%s:%d: record id %" PRIu64 " (block %d) missing: %d delivered\n",
					__FILE__, line, m->r[i].id, b, g->n);
				check_failures++;
				return;
			}
			check_rec(g, k, m, i, line);
		}
	}
	if (g->n != k) {
		fprintf(stderr, "%s:%d: %d records delivered, want %d\n", __FILE__, line, g->n, k);
		check_failures++;
	}
}

#define CHECK_RECORDS(g, m) check_records((g), (m), 0, __LINE__)

/* ---- files ---- */

struct tmp {
	char root[64];
	char dir[128];          /* the journal: root/var/journal, created by the journal */
};

static void tmp_new(struct tmp *t)
{
	snprintf(t->root, sizeof(t->root), "/tmp/ipct-test-journal-XXXXXX");
	if (!mkdtemp(t->root)) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	snprintf(t->dir, sizeof(t->dir), "%s/var/journal", t->root);
}

static void rm_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			rm_dir(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(path);
}

static void tmp_free(struct tmp *t)
{
	rm_dir(t->root);
}

static void seg_path(const struct tmp *t, uint64_t num, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%016" PRIx64 ".ipj", t->dir, num);
}

static long long file_size(const struct tmp *t, uint64_t num)
{
	char p[256];
	struct stat st;

	seg_path(t, num, p, sizeof(p));
	return stat(p, &st) < 0 ? -1 : (long long)st.st_size;
}

static void file_truncate(const struct tmp *t, uint64_t num, uint64_t size)
{
	char p[256];

	seg_path(t, num, p, sizeof(p));
	if (truncate(p, (off_t)size) < 0) {
		perror(p);
		exit(EXIT_FAILURE);
	}
}

static void file_flip(const struct tmp *t, uint64_t num, uint64_t pos)
{
	char p[256];
	unsigned char c;
	int fd;

	seg_path(t, num, p, sizeof(p));
	fd = open(p, O_RDWR);
	if (fd < 0 || pread(fd, &c, 1, (off_t)pos) != 1) {
		perror(p);
		exit(EXIT_FAILURE);
	}
	c ^= 0x5a;
	if (pwrite(fd, &c, 1, (off_t)pos) != 1) {
		perror(p);
		exit(EXIT_FAILURE);
	}
	close(fd);
}

/* How many segment files the directory holds. */
static int seg_files(const struct tmp *t)
{
	DIR *d = opendir(t->dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strlen(de->d_name) == 20 && !strcmp(de->d_name + 16, ".ipj");
	closedir(d);
	return n;
}

/* The segment files are exactly the model's live segments, each of its size. */
static void check_files(const struct tmp *t, const struct model *m, int line)
{
	int live = 0;

	for (int i = 0; i < m->nseg; i++) {
		long long size = file_size(t, m->s[i].num);

		if (m->s[i].gone ? size != -1 : size != (long long)m->s[i].size) {
			fprintf(stderr, "%s:%d: segment %" PRIu64 ": size %lld, want %lld\n", __FILE__, line,
				m->s[i].num, size, m->s[i].gone ? -1 : (long long)m->s[i].size);
			check_failures++;
		}
		live += !m->s[i].gone;
	}
	if (seg_files(t) != live) {
		fprintf(stderr, "%s:%d: %d segment files, want %d\n", __FILE__, line, seg_files(t), live);
		check_failures++;
	}
}

static void check_stats(const struct ipct_journal *j, const struct model *m, int line)
{
	struct ipct_journal_stats st;
	int64_t first = 0, last = 0;
	bool any = false;

	ipct_journal_stats(j, &st);
	for (int b = 0; b < m->nblk; b++) {
		if (!blk_alive(m, b))
			continue;
		if (!any || m->b[b].min < first)
			first = m->b[b].min;
		if (!any || m->b[b].max > last)
			last = m->b[b].max;
		any = true;
	}
	if (st.bytes != model_bytes(m) || st.records != model_records(m) || st.segments != model_segments(m) ||
	    st.first_ns != first || st.last_ns != last) {
		fprintf(stderr,
			"%s:%d: stats\n  got:  bytes %" PRIu64 " records %" PRIu64 " segments %u first %" PRId64
			" last %" PRId64 "\n  want: bytes %" PRIu64 " records %" PRIu64 " segments %u first %" PRId64
			" last %" PRId64 "\n",
			__FILE__, line, st.bytes, st.records, st.segments, st.first_ns, st.last_ns, model_bytes(m),
			model_records(m), model_segments(m), first, last);
		check_failures++;
	}
}

#define CHECK_FILES(t, m) check_files((t), (m), __LINE__)
#define CHECK_STATS(j, m) check_stats((j), (m), __LINE__)

static struct ipct_journal *jopen(const struct tmp *t, uint64_t segment_bytes, uint64_t max_bytes,
				  struct ipct_journal_repair *rep)
{
	struct ipct_journal_opts o = { t->dir, max_bytes, segment_bytes };
	struct ipct_journal_repair r;
	struct ipct_journal *j;
	int err = 1;

	j = ipct_journal_open(&o, rep ? rep : &r, &err);
	if (!j) {
		fprintf(stderr, "ipct_journal_open(%s): %s\n", t->dir, strerror(-err));
		exit(EXIT_FAILURE);
	}
	return j;
}

/* A full scan, into g. */
static void scan_all(struct ipct_journal *j, struct got *g)
{
	got_reset(g);
	CHECK_INT(ipct_journal_scan(j, INT64_MIN, INT64_MAX, collect, g), 0);
}

#define NO_REPAIR(rep)                                                                             \
	do {                                                                                       \
		CHECK_STR((rep).segment, "");                                                      \
		CHECK_INT((rep).bytes_cut, 0);                                                     \
		CHECK_INT((rep).blocks_kept, 0);                                                   \
	} while (0)

/* ---- cases ---- */

/* Blocks over several flushes, each with its own clock offset, read back before and after reopening. */
static void test_roundtrip(void)
{
	static const int sizes[] = { 3, 1, 7, 2, 5, 4 };
	static struct model m;
	struct ipct_journal_repair rep;
	struct ipct_journal_stats st;
	struct ipct_journal *j;
	static struct got g;
	struct tmp t;

	tmp_new(&t);
	model_init(&m, 1 << 20, 1 << 30, true);
	/* The directory and its missing parent are created. */
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	NO_REPAIR(rep);

	/* Empty: nothing to scan, no span. */
	ipct_journal_stats(j, &st);
	CHECK_INT(st.records, 0);
	CHECK_INT(st.segments, 1);
	CHECK_INT(st.bytes, SEG_HDR);
	CHECK_INT(st.first_ns, 0);
	CHECK_INT(st.last_ns, 0);
	scan_all(j, &g);
	CHECK_INT(g.calls, 0);
	CHECK_INT(file_size(&t, 1), SEG_HDR);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		add_block(j, &m, sizes[i], 10 * SEC + i * SEC, OFF0 + (int64_t)i * 1234567);
	/* Nothing pending: a flush writes no block. */
	CHECK_INT(ipct_journal_flush(j, OFF0), 0);
	CHECK_INT(ipct_journal_sync(j), 0);
	/* The thread that syncs in the background starts here, and close waits for it. */
	ipct_journal_sync_background(j);
	CHECK_INT(m.n, 22);
	/* ids 3, 10, 17 are loss markers, 5, 12, 19 lifecycle records, the other 16 events. */
	CHECK_INT(model_last(&m)->size, SEG_HDR + 6 * BLK_HDR + 22 * REC_HDR + 16 * 144 + 3 * 16 + 3 * 240);

	/* Scanned while open. */
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	ipct_journal_close(j);

	/* And after reopening: the same, nothing repaired. */
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	NO_REPAIR(rep);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_STATS(j, &m);
	ipct_journal_stats(j, &st);
	CHECK_INT(st.records, 22);
	CHECK_INT(st.segments, 1);
	CHECK_INT(st.first_ns, 10 * SEC + OFF0);
	CHECK_INT(st.last_ns, 15 * SEC + 3 * 1000000 + OFF0 + 5 * 1234567);
	CHECK_INT(st.bytes, file_size(&t, 1));

	/* Appending goes on after the blocks already there. */
	add_block(j, &m, 3, 20 * SEC, OFF0 - 5);
	ipct_journal_close(j);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	NO_REPAIR(rep);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	ipct_journal_close(j);

	/* Records added but never flushed are not written. */
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	{
		struct ipct_event e = event_rec(999, 30 * SEC);

		CHECK_INT(ipct_journal_add(j, IPCT_JREC_EVENT, &e, sizeof(e), e.ts_ns), 0);
	}
	ipct_journal_close(j);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	NO_REPAIR(rep);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_FILES(&t, &m);
	ipct_journal_close(j);
	tmp_free(&t);
}

/*
 * Three blocks (2, 3 and 4 records) closed cleanly, then the file cut by
 * k bytes from its end (or one byte changed at pos, when pos >= 0); the
 * reopened journal must report and cut from the last block on.
 */
static void torn_case(long long k, long long flip_at, const char *what)
{
	static const int sizes[] = { 2, 3, 4 };
	static struct model m;
	struct ipct_journal_repair rep;
	struct ipct_journal *j;
	static struct got g;
	struct tmp t;
	uint64_t size, last;
	int nblk, before = check_failures;

	tmp_new(&t);
	model_init(&m, 1 << 20, 1 << 30, true);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	for (int i = 0; i < 3; i++)
		add_block(j, &m, sizes[i], (uint64_t)(i + 1) * SEC, OFF0);
	ipct_journal_close(j);
	size = model_last(&m)->size;
	last = m.b[2].pos;
	CHECK_INT(file_size(&t, 1), size);
	CHECK_INT(size - last, m.b[2].bytes);

	if (flip_at >= 0)
		file_flip(&t, 1, last + (uint64_t)flip_at);
	else
		file_truncate(&t, 1, size - (uint64_t)k);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	if (flip_at < 0 && (uint64_t)k == m.b[2].bytes) {
		/* Cut exactly at a block's end: nothing torn. */
		NO_REPAIR(rep);
	} else {
		CHECK_STR(rep.segment, "0000000000000001.ipj");
		CHECK_INT(rep.bytes_cut, flip_at >= 0 ? (long long)m.b[2].bytes : (long long)m.b[2].bytes - k);
		CHECK_INT(rep.blocks_kept, 2);
	}
	if (check_failures != before)
		fprintf(stderr, "  (torn tail: %s)\n", what);
	model_cut_last_block(&m);
	nblk = m.nblk;
	CHECK_INT(nblk, 2);
	CHECK_INT(file_size(&t, 1), last);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_INT(g.n, 5);
	CHECK_STATS(j, &m);

	/* Appending after the repair, then reading it all back. */
	add_block(j, &m, 2, 10 * SEC, OFF0 + 77);
	CHECK_INT(file_size(&t, 1), last + m.b[2].bytes);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	ipct_journal_close(j);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	NO_REPAIR(rep);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_INT(g.n, 7);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	ipct_journal_close(j);
	tmp_free(&t);
}

static void test_torn_tail(void)
{
	/* The last block: a 48-byte header and 4 records (ids 6 to 9, all events). */
	long long blk = BLK_HDR + 4 * (REC_HDR + 144);

	torn_case(1, -1, "1 byte short");
	torn_case(100, -1, "inside the last record");
	torn_case(blk - BLK_HDR - 10, -1, "inside the first record");
	torn_case(blk - BLK_HDR, -1, "only the block header left");
	torn_case(blk - 20, -1, "20 bytes of the block header left");
	torn_case(blk - 1, -1, "1 byte of the block header left");
	torn_case(blk, -1, "at the block boundary");
	/* One byte changed in the records: the hash fails. */
	torn_case(0, BLK_HDR + 5, "corrupt first record header's padding");
	torn_case(0, BLK_HDR + 8, "corrupt first record's time");
	torn_case(0, BLK_HDR + 200, "corrupt record");
	torn_case(0, blk - 1, "corrupt last byte");
	/* ... or in the header's length or count, which seed the hash. */
	torn_case(0, 8, "corrupt record count");
	torn_case(0, 4, "corrupt block length");
	torn_case(0, 0, "corrupt block magic");
}

/* A torn tail in the second segment: only that segment is checked and cut. */
static void test_torn_second_segment(void)
{
	static struct model m;
	struct ipct_journal_repair rep;
	struct ipct_journal *j;
	static struct got g;
	struct tmp t;

	tmp_new(&t);
	/* Blocks of 2 events (48 + 2 * 160 = 368 bytes): three fill a 1000-byte segment. */
	model_init(&m, 1000, 1 << 30, false);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	for (int i = 0; i < 5; i++)
		add_block(j, &m, 2, (uint64_t)(i + 1) * SEC, OFF0);
	ipct_journal_close(j);
	CHECK_INT(m.nseg, 2);
	CHECK_INT(m.b[4].seg, 2);
	CHECK_INT(m.b[3].seg, 2);
	CHECK_FILES(&t, &m);

	file_truncate(&t, 2, m.s[1].size - 30);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_STR(rep.segment, "0000000000000002.ipj");
	CHECK_INT(rep.bytes_cut, m.b[4].bytes - 30);
	CHECK_INT(rep.blocks_kept, 1);
	model_cut_last_block(&m);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	/* Two more blocks fill segment 2: segment 3 begins, empty. */
	add_block(j, &m, 2, 9 * SEC, OFF0);
	add_block(j, &m, 2, 10 * SEC, OFF0);
	ipct_journal_close(j);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	NO_REPAIR(rep);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	ipct_journal_close(j);

	/* The last segment's own header torn (a crash as it began): it starts again, empty. */
	CHECK_INT(m.nseg, 3);
	CHECK_INT(model_last(&m)->size, SEG_HDR);
	file_truncate(&t, 3, 10);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_STR(rep.segment, "0000000000000003.ipj");
	CHECK_INT(rep.bytes_cut, 10);
	CHECK_INT(rep.blocks_kept, 0);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	add_block(j, &m, 1, 12 * SEC, OFF0);
	ipct_journal_close(j);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	NO_REPAIR(rep);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	ipct_journal_close(j);
	tmp_free(&t);
}

/* Small segments and a small total: the oldest segments go, whole. */
static void test_rotation(void)
{
	static struct model m;
	struct ipct_journal_repair rep;
	struct ipct_journal_stats st;
	struct ipct_journal *j;
	static struct got g;
	struct tmp t;

	tmp_new(&t);
	/*
	 * Blocks of 2 events, 368 bytes: a segment takes three (32 + 3 * 368 =
	 * 1136 >= 1000, and a new one starts); at most 3000 bytes are kept.
	 */
	model_init(&m, 1000, 3000, false);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	for (int i = 0; i < 20; i++) {
		int before = check_failures;

		add_block(j, &m, 2, (uint64_t)(i + 1) * SEC, OFF0 + i);
		CHECK_STATS(j, &m);
		CHECK_FILES(&t, &m);
		if (check_failures != before)
			fprintf(stderr, "  (after block %d)\n", i);
	}
	/* 20 blocks: segments 1..6 full, 7 with two blocks; 1..5 deleted. */
	CHECK_INT(m.nseg, 7);
	CHECK_INT(model_segments(&m), 2);
	ipct_journal_stats(j, &st);
	CHECK_INT(st.segments, 2);
	CHECK_INT(st.records, 10);
	CHECK_INT(st.bytes, 1136 + 32 + 2 * 368);
	CHECK_INT(st.first_ns, 16 * SEC + OFF0 + 15);
	CHECK_INT(st.last_ns, 20 * SEC + 1000000 + OFF0 + 19);
	CHECK(st.bytes <= m.max_bytes);
	CHECK_INT(seg_files(&t), 2);
	CHECK_INT(file_size(&t, 5), -1);
	CHECK_INT(file_size(&t, 6), 1136);
	CHECK_INT(file_size(&t, 7), 32 + 2 * 368);

	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_INT(g.n, 10);
	CHECK_INT(g.n ? g.r[0].id : 0, 31);    /* the oldest kept first */
	ipct_journal_close(j);

	/* Reopened: the same. */
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	NO_REPAIR(rep);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	CHECK_STATS(j, &m);
	/* ... and rotation goes on from there. */
	for (int i = 20; i < 24; i++)
		add_block(j, &m, 2, (uint64_t)(i + 1) * SEC, OFF0 + i);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	ipct_journal_close(j);

	/* A larger limit given on reopening: nothing more goes. */
	j = jopen(&t, m.segment_bytes, 1 << 20, &rep);
	m.max_bytes = 1 << 20;
	add_block(j, &m, 2, 30 * SEC, OFF0);
	CHECK_STATS(j, &m);
	CHECK_FILES(&t, &m);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	ipct_journal_close(j);
	tmp_free(&t);
}

/* A scan over [since, until]: which records reach the callback. */
static void check_range(struct ipct_journal *j, const struct model *m, int64_t since, int64_t until, int line)
{
	static struct got g;
	int calls = 0, k = 0, inside = 0;

	got_reset(&g);
	CHECK_INT(ipct_journal_scan(j, since, until, collect, &g), 0);
	/* Every record of every block overlapping the range, nothing else, in order. */
	for (int b = 0; b < m->nblk; b++) {
		if (!blk_alive(m, b) || m->b[b].max < since || m->b[b].min > until)
			continue;
		for (int i = m->b[b].first; i < m->b[b].first + m->b[b].n; i++, calls++)
			if (calls < g.n)
				check_rec(&g, calls, m, i, line);
	}
	if (g.calls != calls) {
		fprintf(stderr, "%s:%d: range [%" PRId64 ", %" PRId64 "]: %d calls, want %d\n", __FILE__, line,
			since, until, g.calls, calls);
		check_failures++;
	}
	/* After the callee's own filter: exactly the model's records inside the range. */
	for (int i = 0; i < m->n; i++) {
		if (!blk_alive(m, m->r[i].blk) || m->r[i].rt < since || m->r[i].rt > until)
			continue;
		inside++;
		while (k < g.n && (g.r[k].rt < since || g.r[k].rt > until))
			k++;
		if (k >= g.n || g.r[k].id != m->r[i].id) {
			fprintf(stderr, "%s:%d: range [%" PRId64 ", %" PRId64 "]: record id %" PRIu64 " missing\n",
				__FILE__, line, since, until, m->r[i].id);
			check_failures++;
			return;
		}
		k++;
	}
	while (k < g.n && (g.r[k].rt < since || g.r[k].rt > until))
		k++;
	if (k != g.n) {
		fprintf(stderr, "%s:%d: range: an extra record id %" PRIu64 " inside it\n", __FILE__, line,
			g.r[k].id);
		check_failures++;
	}
	(void)inside;
}

#define CHECK_RANGE(j, m, since, until) check_range((j), (m), (since), (until), __LINE__)

static void test_time_range(void)
{
	static struct model m;
	struct ipct_journal *j;
	static struct got g;
	struct tmp t;
	int64_t b0min, b2min, b2max, b3min, b4max, end;

	tmp_new(&t);
	/* Blocks of 4 events (688 bytes): two to a 1400-byte segment. */
	model_init(&m, 1400, 1 << 30, false);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	/* Block i at i * 10 s, its 4 records 1 ms apart; the clock offset changes by i us. */
	for (int i = 0; i < 8; i++)
		add_block(j, &m, 4, (uint64_t)(i + 1) * 10 * SEC, OFF0 + i * 1000);
	CHECK_INT(m.nseg, 5);
	b0min = m.b[0].min;
	b2min = m.b[2].min;
	b2max = m.b[2].max;
	b3min = m.b[3].min;
	b4max = m.b[4].max;
	end = m.b[7].max;
	CHECK_INT(b2min, 30 * SEC + OFF0 + 2000);
	CHECK_INT(b2max, 30 * SEC + 3000000 + OFF0 + 2000);

	/* Everything, twice over. */
	CHECK_RANGE(j, &m, INT64_MIN, INT64_MAX);
	CHECK_RANGE(j, &m, b0min, end);
	/* From inside block 2 to inside block 4: blocks 2, 3, 4 read, the rest skipped. */
	CHECK_RANGE(j, &m, b2min + 1500000, b4max - 1500000);
	/* One record's time exactly: its block only. */
	CHECK_RANGE(j, &m, b2min + 1000000, b2min + 1000000);
	CHECK_RANGE(j, &m, b2min, b2min);
	CHECK_RANGE(j, &m, b2max, b2max);
	/* Open ends. */
	CHECK_RANGE(j, &m, INT64_MIN, b3min);
	CHECK_RANGE(j, &m, b3min, INT64_MAX);
	CHECK_RANGE(j, &m, b2max + 1, INT64_MAX);

	/* Before everything, after everything, in the gap between two blocks: no call at all. */
	got_reset(&g);
	CHECK_INT(ipct_journal_scan(j, 0, b0min - 1, collect, &g), 0);
	CHECK_INT(g.calls, 0);
	got_reset(&g);
	CHECK_INT(ipct_journal_scan(j, INT64_MIN, b0min - 1, collect, &g), 0);
	CHECK_INT(g.calls, 0);
	got_reset(&g);
	CHECK_INT(ipct_journal_scan(j, end + 1, INT64_MAX, collect, &g), 0);
	CHECK_INT(g.calls, 0);
	got_reset(&g);
	CHECK_INT(ipct_journal_scan(j, b2max + 1, b3min - 1, collect, &g), 0);
	CHECK_INT(g.calls, 0);
	CHECK_RANGE(j, &m, b2max + 1, b3min - 1);

	/* The same after reopening (the index is rebuilt from the block headers). */
	ipct_journal_close(j);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	CHECK_RANGE(j, &m, b2min + 1500000, b4max - 1500000);
	CHECK_RANGE(j, &m, b2max, b2max);
	got_reset(&g);
	CHECK_INT(ipct_journal_scan(j, 0, b0min - 1, collect, &g), 0);
	CHECK_INT(g.calls, 0);
	ipct_journal_close(j);
	tmp_free(&t);
}

/*
 * The wall clock set back by 100 s between two blocks of one segment (the
 * offset of each block says so): a range still finds every block whose
 * own span overlaps it, wherever it lies in the segment.
 */
static void test_clock_step(void)
{
	static struct model m;
	struct ipct_journal *j;
	static struct got g;
	struct tmp t;

	tmp_new(&t);
	model_init(&m, 1 << 20, 1 << 30, false);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	add_block(j, &m, 3, 10 * SEC, OFF0);                    /* OFF0 + 10 s */
	add_block(j, &m, 3, 20 * SEC, OFF0 - 100 * SEC);        /* OFF0 - 80 s */
	add_block(j, &m, 3, 30 * SEC, OFF0 - 100 * SEC);        /* OFF0 - 70 s */
	CHECK_INT(m.nseg, 1);
	scan_all(j, &g);
	CHECK_RECORDS(&g, &m);
	/* The first block only: its span is later than the segment's last block's. */
	CHECK_RANGE(j, &m, OFF0 + 10 * SEC, OFF0 + 10 * SEC + 2000000);
	/* The second block only: its span is earlier than the segment's first block's. */
	CHECK_RANGE(j, &m, OFF0 - 80 * SEC, OFF0 - 80 * SEC + 2000000);
	/* Both sides. */
	CHECK_RANGE(j, &m, OFF0 - 71 * SEC, OFF0 + 11 * SEC);
	CHECK_RANGE(j, &m, INT64_MIN, INT64_MAX);
	ipct_journal_close(j);
	tmp_free(&t);
}

/* Steps of one block: how many steps and what they delivered. */
static int step_until_done(struct ipct_journal *j, struct ipct_journal_cursor *cur, struct got *g, int max_steps)
{
	int steps = 0;

	while (!cur->done && steps < max_steps) {
		int before = g->calls;

		CHECK_INT(ipct_journal_step(j, cur, INT64_MIN, INT64_MAX, 1, collect, g), 0);
		steps++;
		/* At most one block a step: at most 3 records here. */
		CHECK(g->calls - before <= 3);
	}
	return steps;
}

static void test_cursor(void)
{
	static struct model m;
	struct ipct_journal_cursor cur = { 0 };
	struct ipct_journal *j;
	static struct got g, full;
	struct tmp t;
	int steps;

	tmp_new(&t);
	/* Blocks of 1 to 3 records; segments of about three blocks. */
	model_init(&m, 1000, 1 << 30, true);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	for (int i = 0; i < 10; i++)
		add_block(j, &m, 1 + i % 3, (uint64_t)(i + 1) * SEC, OFF0 + i);
	CHECK(m.nseg >= 3);
	scan_all(j, &full);
	CHECK_RECORDS(&full, &m);

	/* One block a step: the same records as the full scan, then done. */
	got_reset(&g);
	steps = step_until_done(j, &cur, &g, 100);
	CHECK(cur.done);
	CHECK(steps >= 10 && steps <= 11);
	CHECK_RECORDS(&g, &m);
	/* A cursor that is done stays done and delivers nothing. */
	CHECK_INT(ipct_journal_step(j, &cur, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK(cur.done);
	CHECK_INT(g.calls, full.calls);

	/* The first step delivers the first block, whole. */
	memset(&cur, 0, sizeof(cur));
	got_reset(&g);
	CHECK_INT(ipct_journal_step(j, &cur, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK_INT(g.calls, m.b[0].n);
	CHECK(!cur.done);
	/* Two blocks a step. */
	CHECK_INT(ipct_journal_step(j, &cur, INT64_MIN, INT64_MAX, 2, collect, &g), 0);
	CHECK_INT(g.calls, m.b[0].n + m.b[1].n + m.b[2].n);
	CHECK(!cur.done);

	/* Blocks appended before the cursor is done are included, across a new segment. */
	for (int i = 10; i < 14; i++)
		add_block(j, &m, 1 + i % 3, (uint64_t)(i + 1) * SEC, OFF0 + i);
	step_until_done(j, &cur, &g, 100);
	CHECK(cur.done);
	CHECK_RECORDS(&g, &m);

	/* With one block left to go, more appended: included too. */
	memset(&cur, 0, sizeof(cur));
	got_reset(&g);
	for (int i = 0; i < m.nblk - 1; i++)
		CHECK_INT(ipct_journal_step(j, &cur, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK(!cur.done);
	add_block(j, &m, 2, 20 * SEC, OFF0);
	add_block(j, &m, 3, 21 * SEC, OFF0);
	step_until_done(j, &cur, &g, 100);
	CHECK(cur.done);
	CHECK_RECORDS(&g, &m);

	/* The callback pauses at its 4th record (the first of block 2): not done, and that record comes again. */
	memset(&cur, 0, sizeof(cur));
	got_reset(&g);
	g.stop_at = 4;
	CHECK_INT(ipct_journal_step(j, &cur, INT64_MIN, INT64_MAX, 100, collect, &g), 0);
	CHECK(!cur.done);
	CHECK_INT(g.calls, 4);
	g.stop_at = 0;
	CHECK_INT(ipct_journal_step(j, &cur, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK_INT(g.calls > 4 ? g.r[4].id : 0, 4);
	/* The same for a whole scan. */
	got_reset(&g);
	g.stop_at = 4;
	CHECK_INT(ipct_journal_scan(j, INT64_MIN, INT64_MAX, collect, &g), 0);
	CHECK_INT(g.calls, 4);
	CHECK_INT(g.n ? g.r[3].id : 0, 4);
	ipct_journal_close(j);
	tmp_free(&t);
}

/* A cursor whose segment rotates away goes on from the oldest segment left. */
static void test_cursor_rotation(void)
{
	static struct model m;
	struct ipct_journal_cursor cur = { 0 };
	struct ipct_journal *j;
	static struct got g;
	struct tmp t;
	int first_kept = -1;

	tmp_new(&t);
	/* Blocks of 2 events, three to a segment, at most 3000 bytes (two segments or so). */
	model_init(&m, 1000, 3000, false);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	for (int i = 0; i < 5; i++)
		add_block(j, &m, 2, (uint64_t)(i + 1) * SEC, OFF0);
	CHECK_INT(model_segments(&m), 2);
	got_reset(&g);
	CHECK_INT(ipct_journal_step(j, &cur, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK_INT(g.calls, 2);
	CHECK(!cur.done);
	for (int i = 5; i < 12; i++)
		add_block(j, &m, 2, (uint64_t)(i + 1) * SEC, OFF0);
	CHECK(!blk_alive(&m, 1));
	step_until_done(j, &cur, &g, 100);
	CHECK(cur.done);
	/* The first block's 2 records, then everything still there. */
	for (int b = 0; b < m.nblk && first_kept < 0; b++)
		if (blk_alive(&m, b))
			first_kept = b;
	CHECK(first_kept > 1);
	CHECK_INT(g.n, 2 + (int)model_records(&m));
	if (g.n >= 2) {
		CHECK_INT(g.r[0].id, 1);
		CHECK_INT(g.r[1].id, 2);
		memmove(&g.r[0], &g.r[2], (size_t)(g.n - 2) * sizeof(g.r[0]));
		g.n -= 2;
		check_records(&g, &m, first_kept, __LINE__);
	}
	ipct_journal_close(j);
	tmp_free(&t);
}

int main(void)
{
	test_roundtrip();
	test_torn_tail();
	test_torn_second_segment();
	test_rotation();
	test_time_range();
	test_clock_step();
	test_cursor();
	test_cursor_rotation();
	return check_done("test-journal");
}
