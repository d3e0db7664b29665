// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/journal.c (docs/journal.md): blocks written over
 * several flushes and read back after reopening, a torn or corrupted tail
 * cut on open, rotation of whole segments, time ranges that skip blocks,
 * the cursor of a long scan, forwards and backwards, blocks passed over
 * by the pids and types they hold; and what opening
 * must never cut: segments of other event versions or formats, and
 * damaged blocks anywhere but in the last segment's tail. Every case
 * works in a fresh directory under /tmp, removed at its end.
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
	bool bad;               /* damaged on disk: kept, never read */
};

struct mseg {
	uint64_t num, size;
	bool gone;              /* deleted by rotation */
	bool skipped;           /* another event version or format: kept, never read */
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
	m->s[0] = (struct mseg){ 1, SEG_HDR, false, false };
	m->nseg = 1;
}

static struct mseg *model_last(struct model *m)
{
	return &m->s[m->nseg - 1];
}

/* Whether the journal reads block b: it exists, intact, in a segment it reads. */
static bool blk_alive(const struct model *m, int b)
{
	for (int i = 0; i < m->nseg; i++)
		if (m->s[i].num == m->b[b].seg)
			return !m->s[i].gone && !m->s[i].skipped && !m->b[b].bad;
	return false;
}

static struct mseg *model_seg(struct model *m, uint64_t num)
{
	for (int i = 0; i < m->nseg; i++)
		if (m->s[i].num == num)
			return &m->s[i];
	fprintf(stderr, "model: no segment %" PRIu64 "\n", num);
	exit(EXIT_FAILURE);
}

/* A new segment that opening starts after a last one it does not append to. */
static void model_new_segment(struct model *m)
{
	m->s[m->nseg] = (struct mseg){ model_last(m)->num + 1, SEG_HDR, false, false };
	m->nseg++;
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
		b->bytes += REC_HDR + r->len;
		/* 1 once the block holds a quarter of a segment: the caller flushes it then. */
		CHECK_INT(ipct_journal_add(j, r->type, p, r->len, ts), b->bytes - BLK_HDR >= m->segment_bytes / 4);
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
		model_new_segment(m);
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

/*
 * The delivered records are exactly the model's readable ones from block
 * from_blk on, in order; newest first when `back` (a walk from the end).
 */
static void check_order(const struct got *g, const struct model *m, int from_blk, bool back, int line)
{
	int k = 0;

	for (int x = from_blk; x < m->nblk; x++) {
		int b = back ? m->nblk - 1 - (x - from_blk) : x;

		if (!blk_alive(m, b))
			continue;
		for (int y = 0; y < m->b[b].n; y++, k++) {
			int i = back ? m->b[b].first + m->b[b].n - 1 - y : m->b[b].first + y;

			if (k >= g->n) {
				fprintf(stderr, "%s:%d: record id %" PRIu64 " (block %d) missing: %d delivered%s\n",
					__FILE__, line, m->r[i].id, b, g->n, back ? " walking back" : "");
				check_failures++;
				return;
			}
			check_rec(g, k, m, i, line);
		}
	}
	if (g->n != k) {
		fprintf(stderr, "%s:%d: %d records delivered, want %d%s\n", __FILE__, line, g->n, k,
			back ? " walking back" : "");
		check_failures++;
	}
}

static void check_records(const struct got *g, const struct model *m, int from_blk, int line)
{
	check_order(g, m, from_blk, false, line);
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

/* The whole file, to compare before and after (malloc'd; *len its size). */
static unsigned char *file_bytes(const struct tmp *t, uint64_t num, size_t *len)
{
	char p[256];
	unsigned char *b;
	struct stat st;
	int fd;

	seg_path(t, num, p, sizeof(p));
	fd = open(p, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || !(b = malloc((size_t)st.st_size + 1)) ||
	    read(fd, b, (size_t)st.st_size) != st.st_size) {
		perror(p);
		exit(EXIT_FAILURE);
	}
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

/* A 32-bit field of a segment file (its header's format or event version) set to v. */
static void file_put32(const struct tmp *t, uint64_t num, uint64_t pos, uint32_t v)
{
	char p[256];
	int fd;

	seg_path(t, num, p, sizeof(p));
	fd = open(p, O_RDWR);
	if (fd < 0 || pwrite(fd, &v, 4, (off_t)pos) != 4) {
		perror(p);
		exit(EXIT_FAILURE);
	}
	close(fd);
}

/* Segment files whose bytes must come through an open unchanged. */
struct kept {
	int n;
	uint64_t num[8];
	unsigned char *bytes[8];
	size_t len[8];
};

static void keep_file(struct kept *k, const struct tmp *t, uint64_t num)
{
	k->num[k->n] = num;
	k->bytes[k->n] = file_bytes(t, num, &k->len[k->n]);
	k->n++;
}

static void check_kept(struct kept *k, const struct tmp *t, int line)
{
	for (int i = 0; i < k->n; i++) {
		size_t len;
		unsigned char *now = file_bytes(t, k->num[i], &len);

		if (len != k->len[i] || memcmp(now, k->bytes[i], len)) {
			fprintf(stderr, "%s:%d: segment %" PRIu64 " changed: %zu bytes, were %zu\n", __FILE__, line,
				k->num[i], len, k->len[i]);
			check_failures++;
		}
		free(now);
	}
}

static void kept_free(struct kept *k)
{
	for (int i = 0; i < k->n; i++)
		free(k->bytes[i]);
	k->n = 0;
}

#define CHECK_KEPT(k, t) check_kept((k), (t), __LINE__)

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

static void check_stats(struct ipct_journal *j, const struct model *m, int line)
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

/* What the last open said it kept but could not read. */
static struct {
	int n;
	char msg[8][512];
} warns;

static void collect_warn(const char *msg, void *ctx)
{
	(void)ctx;
	if (warns.n < 8)
		snprintf(warns.msg[warns.n], sizeof(warns.msg[0]), "%s", msg);
	warns.n++;
}

/* Whether a warning names what (a segment) and says every word of words (NULL-terminated). */
static bool warned(const char *what, const char *const *words)
{
	for (int i = 0; i < warns.n && i < 8; i++) {
		bool all = strstr(warns.msg[i], what) != NULL;

		for (const char *const *w = words; all && *w; w++)
			all = strstr(warns.msg[i], *w) != NULL;
		if (all)
			return true;
	}
	return false;
}

#define CHECK_WARNED(what, ...)                                                                    \
	do {                                                                                       \
		static const char *const words_[] = { __VA_ARGS__, NULL };                          \
		if (!warned((what), words_)) {                                                     \
			fprintf(stderr, "%s:%d: no warning about %s saying %s; %d warnings:\n",      \
				__FILE__, __LINE__, (what), #__VA_ARGS__, warns.n);                 \
			for (int i_ = 0; i_ < warns.n && i_ < 8; i_++)                             \
				fprintf(stderr, "  %s\n", warns.msg[i_]);                          \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

static struct ipct_journal *jopen(const struct tmp *t, uint64_t segment_bytes, uint64_t max_bytes,
				  struct ipct_journal_repair *rep)
{
	struct ipct_journal_opts o = { .dir = t->dir, .max_bytes = max_bytes, .segment_bytes = segment_bytes,
				       .warn = collect_warn };
	struct ipct_journal_repair r;
	struct ipct_journal *j;
	int err = 1;

	memset(&warns, 0, sizeof(warns));
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
		CHECK_INT((rep).bad_blocks, 0);                                                    \
		CHECK_INT(warns.n, 0);                                                             \
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

		CHECK_INT(ipct_journal_step(j, cur, NULL, INT64_MIN, INT64_MAX, 1, collect, g), 0);
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
	CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK(cur.done);
	CHECK_INT(g.calls, full.calls);

	/* The first step delivers the first block, whole. */
	memset(&cur, 0, sizeof(cur));
	got_reset(&g);
	CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK_INT(g.calls, m.b[0].n);
	CHECK(!cur.done);
	/* Two blocks a step. */
	CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 2, collect, &g), 0);
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
		CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
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
	CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 100, collect, &g), 0);
	CHECK(!cur.done);
	CHECK_INT(g.calls, 4);
	g.stop_at = 0;
	CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
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
	CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
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

/* The segment header's fields (docs/journal.md): format version at 8, event version at 12. */
#define SEG_FORMAT_AT 8
#define SEG_EVENT_AT 12

/* Blocks of 2 events (368 bytes), three to a 1000-byte segment: 8 blocks make segments 1-3, 3 the last. */
static void three_segments(struct ipct_journal **j, struct tmp *t, struct model *m)
{
	tmp_new(t);
	model_init(m, 1000, 1 << 30, false);
	*j = jopen(t, m->segment_bytes, m->max_bytes, NULL);
	for (int i = 0; i < 8; i++)
		add_block(*j, m, 2, (uint64_t)(i + 1) * SEC, OFF0);
	ipct_journal_close(*j);
	CHECK_INT(m->nseg, 3);
	CHECK_INT(m->b[7].seg, 3);
}

/* After open, the journal reads exactly the model (forwards and backwards), and says so in stats. */
static void check_journal(struct ipct_journal *j, const struct tmp *t, const struct model *m, int line);

/*
 * An upgrade: segments written with another event version, older or newer,
 * among them the last one. They are kept byte for byte, not read, said so,
 * counted; new blocks go to a new segment; rotation removes them in turn.
 */
static void test_other_versions(void)
{
	static struct model m;
	struct ipct_journal_repair rep;
	struct ipct_journal_stats st;
	struct ipct_journal *j;
	struct kept k = { 0 };
	struct tmp t;

	three_segments(&j, &t, &m);
	file_put32(&t, 1, SEG_EVENT_AT, IPCT_EVENT_VERSION - 1);
	file_put32(&t, 3, SEG_EVENT_AT, IPCT_EVENT_VERSION + 1);
	keep_file(&k, &t, 1);
	keep_file(&k, &t, 3);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_STR(rep.segment, "");
	CHECK_INT(rep.bytes_cut, 0);
	CHECK_INT(rep.bad_blocks, 0);
	CHECK_INT(warns.n, 2);
	CHECK_WARNED("0000000000000001.ipj", "events of version 1", "kept as it is", "not read");
	CHECK_WARNED("0000000000000003.ipj", "events of version 3", "kept as it is", "not read");
	CHECK_KEPT(&k, &t);
	model_seg(&m, 1)->skipped = true;
	model_seg(&m, 3)->skipped = true;
	/* The last segment is not appended to: a new one follows it. */
	model_new_segment(&m);
	CHECK_FILES(&t, &m);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_stats(j, &st);
	CHECK_INT(st.skipped_segments, 2);
	CHECK_INT(st.skipped_bytes, k.len[0] + k.len[1]);
	CHECK_INT(st.records, 6);

	/* New blocks go to segment 4; reopened, the same again. */
	add_block(j, &m, 2, 20 * SEC, OFF0);
	CHECK_INT(m.b[8].seg, 4);
	ipct_journal_close(j);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_INT(warns.n, 2);
	CHECK_INT(rep.bytes_cut, 0);
	CHECK_KEPT(&k, &t);
	CHECK_FILES(&t, &m);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_close(j);

	/* Rotation takes them in their turn: the oldest (segment 1) goes first, whole. */
	m.max_bytes = model_bytes(&m) + 368 - 1;
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	add_block(j, &m, 2, 21 * SEC, OFF0);
	CHECK(model_seg(&m, 1)->gone);
	CHECK(!model_seg(&m, 2)->gone);
	CHECK_FILES(&t, &m);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_close(j);
	kept_free(&k);
	tmp_free(&t);
}

/*
 * Segments it cannot read at all: one too short for a header (not the last:
 * nothing is torn there), one that is no segment, and a last one of a newer
 * segment format. All kept as they are, said so; a new segment follows.
 */
static void test_unreadable_headers(void)
{
	static struct model m;
	struct ipct_journal_repair rep;
	struct ipct_journal *j;
	struct kept k = { 0 };
	struct tmp t;

	three_segments(&j, &t, &m);
	file_truncate(&t, 1, 10);
	model_seg(&m, 1)->size = 10;
	file_put32(&t, 2, 0, 0x12345678);
	file_put32(&t, 3, SEG_FORMAT_AT, 2);
	for (uint64_t i = 1; i <= 3; i++) {
		keep_file(&k, &t, i);
		model_seg(&m, i)->skipped = true;
	}
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_STR(rep.segment, "");
	CHECK_INT(rep.bytes_cut, 0);
	CHECK_INT(warns.n, 3);
	CHECK_WARNED("0000000000000001.ipj", "10 bytes", "too short", "kept as it is");
	CHECK_WARNED("0000000000000002.ipj", "not a journal segment", "kept as it is");
	CHECK_WARNED("0000000000000003.ipj", "segment format 2", "kept as it is");
	CHECK_KEPT(&k, &t);
	model_new_segment(&m);
	CHECK_FILES(&t, &m);
	check_journal(j, &t, &m, __LINE__);
	add_block(j, &m, 3, 30 * SEC, OFF0);
	CHECK_INT(m.b[m.nblk - 1].seg, 4);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_close(j);
	kept_free(&k);
	tmp_free(&t);
}

/*
 * Damage that is not a torn tail: a block that fails its checksum in the
 * middle of the segment before the last, and one in the last followed by
 * a good block; then the segment before the last cut short in its last
 * block. Nothing is cut: the damaged blocks are kept, not read, counted,
 * whether opening found them or a read did.
 */
static void test_damaged_blocks(void)
{
	static struct model m;
	struct ipct_journal_repair rep;
	struct ipct_journal_stats st;
	struct ipct_journal *j;
	struct kept k = { 0 };
	struct tmp t;

	three_segments(&j, &t, &m);
	CHECK_INT(m.b[4].seg, 2);
	CHECK_INT(m.b[6].seg, 3);
	file_flip(&t, 2, m.b[4].pos + BLK_HDR + 20);
	file_flip(&t, 3, m.b[6].pos + BLK_HDR + 100);
	m.b[4].bad = m.b[6].bad = true;
	keep_file(&k, &t, 2);
	keep_file(&k, &t, 3);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_STR(rep.segment, "");
	CHECK_INT(rep.bytes_cut, 0);
	CHECK_INT(rep.bad_blocks, 2);
	CHECK_WARNED("0000000000000002.ipj", "blocks that fail their checksum: 1 (368 bytes)", "kept as they are");
	CHECK_WARNED("0000000000000003.ipj", "blocks that fail their checksum: 1 (368 bytes)", "kept as they are");
	CHECK_KEPT(&k, &t);
	CHECK_FILES(&t, &m);
	check_journal(j, &t, &m, __LINE__);
	/* Appending goes on after the last good block, which is the segment's end. */
	add_block(j, &m, 2, 20 * SEC, OFF0);
	CHECK_INT(m.b[8].seg, 3);
	ipct_journal_close(j);
	kept_free(&k);

	/*
	 * Segment 4 began: segment 2 is no longer among the last two, checked
	 * at open. Its damaged block is found when it is first read.
	 */
	CHECK_INT(m.nseg, 4);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_INT(rep.bad_blocks, 1);
	ipct_journal_stats(j, &st);
	CHECK_INT(st.bad_blocks, 1);
	CHECK_INT(warns.n, 1);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_stats(j, &st);
	CHECK_INT(st.bad_blocks, 2);
	CHECK_INT(warns.n, 2);
	CHECK_WARNED("0000000000000002.ipj", "the block at offset 400 (368 bytes) fails its checksum", "not read");
	/* Once: it is known bad from then on. */
	check_journal(j, &t, &m, __LINE__);
	CHECK_INT(warns.n, 2);
	ipct_journal_close(j);

	/* The segment before the last cut short inside its last block: kept, the whole blocks read. */
	file_truncate(&t, 2, model_seg(&m, 2)->size - 30);
	model_seg(&m, 2)->size -= 30;
	m.b[5].bad = true;
	keep_file(&k, &t, 2);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_STR(rep.segment, "");
	CHECK_INT(rep.bytes_cut, 0);
	/* Its damaged block 4 just before is part of what is not read: checked once damage followed it. */
	CHECK_WARNED("0000000000000002.ipj", "706 bytes after its last good block", "kept as they are");
	CHECK_KEPT(&k, &t);
	CHECK_FILES(&t, &m);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_close(j);
	kept_free(&k);
	tmp_free(&t);
}

/*
 * Damage to a block's header in the middle of a segment: its magic in the
 * last segment (a good block follows it: not a torn tail, nothing is
 * cut), its length in the segment before (the length still fits in the
 * file: its hash fails). Reading goes on at the next good block; then the
 * same once that segment is no longer among the last two, whose hashes
 * open checks: a block found after damage is read only if its hash
 * matches.
 */
static void test_damaged_headers(void)
{
	static struct model m;
	struct ipct_journal_repair rep;
	struct ipct_journal_stats st;
	struct ipct_journal *j;
	struct kept k = { 0 };
	struct tmp t;

	three_segments(&j, &t, &m);
	CHECK_INT(m.b[3].seg, 2);
	CHECK_INT(m.b[4].seg, 2);
	CHECK_INT(m.b[6].seg, 3);
	file_flip(&t, 2, m.b[3].pos + 4);
	file_flip(&t, 3, m.b[6].pos);
	m.b[3].bad = m.b[6].bad = true;
	keep_file(&k, &t, 2);
	keep_file(&k, &t, 3);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_STR(rep.segment, "");
	CHECK_INT(rep.bytes_cut, 0);
	CHECK_INT(rep.bad_blocks, 2);
	CHECK_WARNED("0000000000000002.ipj", "blocks that fail their checksum: 1 (368 bytes)", "kept as they are");
	CHECK_WARNED("0000000000000003.ipj", "blocks that fail their checksum: 1 (368 bytes)", "kept as they are");
	CHECK_KEPT(&k, &t);
	CHECK_FILES(&t, &m);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_stats(j, &st);
	CHECK_INT(st.bad_blocks, 2);
	CHECK_INT(st.bad_bytes, 2 * 368);
	add_block(j, &m, 2, 20 * SEC, OFF0);
	ipct_journal_close(j);
	kept_free(&k);

	/* Segment 2 is now checked only where damage was passed. */
	CHECK_INT(m.nseg, 4);
	j = jopen(&t, m.segment_bytes, m.max_bytes, &rep);
	CHECK_INT(rep.bad_blocks, 2);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_stats(j, &st);
	CHECK_INT(st.bad_blocks, 2);
	ipct_journal_close(j);
	tmp_free(&t);
}

/* The whole journal backwards, a block a step. */
static void walk_back(struct ipct_journal *j, struct got *g)
{
	struct ipct_journal_cursor cur;
	int steps = 0;

	got_reset(g);
	ipct_journal_end(j, &cur);
	while (!cur.done && steps++ < 1000) {
		int before = g->calls;

		CHECK_INT(ipct_journal_step_back(j, &cur, INT64_MIN, INT64_MAX, 1, collect, g), 0);
		CHECK(g->calls - before <= 3);
	}
	CHECK(cur.done);
}

static void check_journal(struct ipct_journal *j, const struct tmp *t, const struct model *m, int line)
{
	static struct got g;
	int before = check_failures;

	scan_all(j, &g);
	check_records(&g, m, 0, line);
	walk_back(j, &g);
	check_order(&g, m, 0, true, line);
	check_stats(j, m, line);
	check_files(t, m, line);
	if (check_failures != before)
		fprintf(stderr, "  (checked from line %d)\n", line);
}

/*
 * Walking back (what `log -n` does): every record newest first, across
 * segments; stopped at the N-th, a forward scan from there gives exactly
 * the last N, and the walk back goes on with the one before; time ranges;
 * a forward scan bounded by an earlier end; a cursor whose unread segment
 * rotates away says so.
 */
static void test_step_back(void)
{
	static struct model m;
	struct ipct_journal_cursor cur, end;
	struct ipct_journal *j;
	static struct got g, fwd;
	struct tmp t;
	int total;

	tmp_new(&t);
	/* Blocks of 1 to 3 records, of every kind; segments of about three blocks. */
	model_init(&m, 1000, 1 << 30, true);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	/* Empty: done at once, before the start of the only segment. */
	ipct_journal_end(j, &cur);
	got_reset(&g);
	CHECK_INT(ipct_journal_step_back(j, &cur, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK(cur.done);
	CHECK_INT(g.calls, 0);
	for (int i = 0; i < 12; i++)
		add_block(j, &m, 1 + i % 3, (uint64_t)(i + 1) * SEC, OFF0 + i);
	CHECK(m.nseg >= 4);
	total = m.n;
	check_journal(j, &t, &m, __LINE__);

	for (int n = 1; n <= total; n++) {
		int before = check_failures;

		/* Back to the n-th last record, in steps of 2 blocks. */
		ipct_journal_end(j, &cur);
		got_reset(&g);
		g.stop_at = n;
		while (!cur.done && g.calls < n)
			CHECK_INT(ipct_journal_step_back(j, &cur, INT64_MIN, INT64_MAX, 2, collect, &g), 0);
		CHECK_INT(g.calls, n);
		CHECK_INT(g.r[n - 1].id, m.r[total - n].id);
		CHECK(!cur.done);
		/* Forward from there: the last n, exactly. */
		end = cur;
		got_reset(&fwd);
		while (!end.done)
			CHECK_INT(ipct_journal_step(j, &end, NULL, INT64_MIN, INT64_MAX, 1, collect, &fwd), 0);
		CHECK_INT(fwd.n, n);
		for (int i = 0; i < fwd.n && i < n; i++)
			check_rec(&fwd, i, &m, total - n + i, __LINE__);
		/* Back from there: the ones before, newest first, then done. */
		got_reset(&g);
		while (!cur.done)
			CHECK_INT(ipct_journal_step_back(j, &cur, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
		CHECK_INT(g.n, total - n);
		for (int i = 0; i < g.n; i++)
			check_rec(&g, i, &m, total - n - 1 - i, __LINE__);
		/* Done leaves the cursor before everything: forward from it, all of it. */
		cur.done = false;
		got_reset(&fwd);
		while (!cur.done)
			CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 100, collect, &fwd), 0);
		CHECK_RECORDS(&fwd, &m);
		if (check_failures != before)
			fprintf(stderr, "  (walking back to the %d-th last record)\n", n);
	}

	/* A time range: the blocks overlapping it, newest first, nothing else. */
	{
		int64_t since = m.b[3].max, until = m.b[8].min;
		static struct got want;
		int k = 0;

		got_reset(&want);
		CHECK_INT(ipct_journal_scan(j, since, until, collect, &want), 0);
		ipct_journal_end(j, &cur);
		got_reset(&g);
		while (!cur.done)
			CHECK_INT(ipct_journal_step_back(j, &cur, since, until, 1, collect, &g), 0);
		CHECK_INT(g.n, want.n);
		CHECK_INT(want.n, m.b[3].n + m.b[4].n + m.b[5].n + m.b[6].n + m.b[7].n + m.b[8].n);
		for (int i = 0; i < g.n && i < want.n; i++)
			k += g.r[i].id == want.r[want.n - 1 - i].id;
		CHECK_INT(k, want.n);
	}

	/* An end given: what was appended after it is not read; without it, it is. */
	ipct_journal_end(j, &end);
	for (int i = 12; i < 16; i++)
		add_block(j, &m, 2, (uint64_t)(i + 1) * SEC, OFF0);
	memset(&cur, 0, sizeof(cur));
	got_reset(&g);
	while (!cur.done)
		CHECK_INT(ipct_journal_step(j, &cur, &end, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK_INT(g.n, total);
	CHECK(!cur.rotated);
	memset(&cur, 0, sizeof(cur));
	got_reset(&g);
	while (!cur.done)
		CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK_RECORDS(&g, &m);
	ipct_journal_close(j);

	/*
	 * A scan paused in segment 1 while rotation takes segments 1 and 2: it
	 * says so. The next block (2 records: at most 48 + 2 * (16 + 240)
	 * bytes, perhaps with a new segment's header) takes segment 1 alone.
	 */
	CHECK(model_seg(&m, 1)->size > 1000);
	m.max_bytes = model_bytes(&m) - model_seg(&m, 1)->size + BLK_HDR + 2 * (REC_HDR + SIGREC_LEN) + SEG_HDR;
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	memset(&cur, 0, sizeof(cur));
	got_reset(&g);
	CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK_INT(cur.seg, 1);
	/* ... and one that had read segment 1 through does not. */
	memset(&end, 0, sizeof(end));
	got_reset(&fwd);
	while (end.seg < 2)
		CHECK_INT(ipct_journal_step(j, &end, NULL, INT64_MIN, INT64_MAX, 1, collect, &fwd), 0);
	add_block(j, &m, 2, 30 * SEC, OFF0);
	CHECK(model_seg(&m, 1)->gone);
	CHECK(!model_seg(&m, 2)->gone);
	CHECK_INT(ipct_journal_step(j, &end, NULL, INT64_MIN, INT64_MAX, 1, collect, &fwd), 0);
	CHECK(!end.rotated);
	while (model_seg(&m, 2)->gone == false)
		add_block(j, &m, 2, 31 * SEC, OFF0);
	CHECK_INT(ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	CHECK(cur.rotated);
	check_journal(j, &t, &m, __LINE__);
	ipct_journal_close(j);
	tmp_free(&t);
}

/*
 * The records a walk with a skip must hand over: those of every block it
 * may not pass over (one with a record that is no event, a pid bit asked
 * for, or a type asked for), in order (newest first with `back`).
 */
static void check_skip(struct ipct_journal *j, const struct model *m, const struct ipct_journal_skip *skip, bool back,
		       int line)
{
	static struct got g;
	struct ipct_journal_cursor cur = { .skip = skip };
	int want[MAXR], n = 0, steps = 0;

	got_reset(&g);
	if (back)
		ipct_journal_end(j, &cur);
	cur.skip = skip;
	for (int b = 0; b < m->nblk; b++) {
		bool read = false;

		for (int i = m->b[b].first; i < m->b[b].first + m->b[b].n; i++)
			read |= m->r[i].type != IPCT_JREC_EVENT || (ipct_journal_pid_bit((uint32_t)m->r[i].id) & skip->pids) ||
				(skip->types & 1u << IPCT_EV_SYSCALL);
		for (int i = m->b[b].first; read && i < m->b[b].first + m->b[b].n; i++)
			want[n++] = i;
	}
	while (!cur.done && steps++ < 1000)
		CHECK_INT(back ? ipct_journal_step_back(j, &cur, INT64_MIN, INT64_MAX, 1, collect, &g)
			       : ipct_journal_step(j, &cur, NULL, INT64_MIN, INT64_MAX, 1, collect, &g), 0);
	if (g.n != n) {
		fprintf(stderr, "%s:%d: %s walk with a skip got %d records, want %d\n", __FILE__, line,
			back ? "backward" : "forward", g.n, n);
		check_failures++;
		return;
	}
	for (int k = 0; k < n; k++)
		check_rec(&g, k, m, want[back ? n - 1 - k : k], line);
}

/* Blocks that cannot hold the pids a query asks for are passed over unread, before and after reopening. */
static void test_skip(void)
{
	static struct model m;
	struct ipct_journal_skip skip = { 0 };
	struct ipct_journal *j;
	struct tmp t;

	tmp_new(&t);
	model_init(&m, 1 << 20, 1 << 30, false);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	/* Events whose pids are their ids, three to a block. */
	for (int i = 0; i < 12; i++)
		add_block(j, &m, 3, 10 * SEC + (uint64_t)i * SEC, OFF0);
	/* One pid: its block, and those whose pids share its bit. */
	skip.pids = ipct_journal_pid_bit(16);
	check_skip(j, &m, &skip, false, __LINE__);
	check_skip(j, &m, &skip, true, __LINE__);
	/* A type asked for is read whatever its pids. */
	skip.types = 1u << IPCT_EV_SYSCALL;
	check_skip(j, &m, &skip, false, __LINE__);
	skip.types = 1u << IPCT_EV_FORK;
	check_skip(j, &m, &skip, false, __LINE__);
	/* Reopened: a block is read whole until it has been read once (summed up), then passed over. */
	ipct_journal_close(j);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	skip = (struct ipct_journal_skip){ .pids = ipct_journal_pid_bit(4) | ipct_journal_pid_bit(30) };
	{
		static struct got g;
		struct ipct_journal_cursor cur = { .skip = &skip };

		got_reset(&g);
		step_until_done(j, &cur, &g, 100);
		CHECK_RECORDS(&g, &m);
	}
	check_skip(j, &m, &skip, false, __LINE__);
	check_skip(j, &m, &skip, true, __LINE__);
	ipct_journal_close(j);
	tmp_free(&t);

	/* Losses and lifecycle records among the events: their blocks are always read. */
	tmp_new(&t);
	model_init(&m, 1 << 20, 1 << 30, true);
	j = jopen(&t, m.segment_bytes, m.max_bytes, NULL);
	for (int i = 0; i < 6; i++)
		add_block(j, &m, i % 2 ? 2 : 1, 10 * SEC + (uint64_t)i * SEC, OFF0);
	skip = (struct ipct_journal_skip){ .pids = ipct_journal_pid_bit(1) };
	check_skip(j, &m, &skip, false, __LINE__);
	check_skip(j, &m, &skip, true, __LINE__);
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
	test_other_versions();
	test_unreadable_headers();
	test_damaged_blocks();
	test_damaged_headers();
	test_step_back();
	test_skip();
	return check_done("test-journal");
}
