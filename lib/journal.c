// SPDX-License-Identifier: MIT
/*
 * The journal (docs/journal.md).
 *
 * DIR/NNNNNNNNNNNNNNNN.ipj: segments, numbered in order. A segment is a
 * 32-byte header and then blocks; a block is a 48-byte header (its length,
 * record count, wall-clock span and an XXH3 hash of its records) and its
 * records, each a 16-byte header (type, length, CLOCK_BOOTTIME time) and
 * the record as the programs share it (struct ipct_event, ...).
 *
 * Blocks are written with one writev() each, so a crash leaves at most one
 * torn block at the end of the last segment: opening checks the hashes of
 * the last two segments (the one before the last may have lost its last
 * blocks with a power loss before its final sync), cuts a torn tail from
 * the last one only, and keeps everything else it cannot read (segments
 * of another event version or format, blocks that fail their hash,
 * damaged block headers: reading goes on at the next block magic whose
 * block's hash matches) as it is, unread and said so, until rotation
 * removes it: an upgrade or a downgrade must never erase a journal, nor
 * damage in its middle what follows it. Older blocks are checked when
 * first read. fdatasync runs on
 * a thread of its own (ipct_journal_sync_background), because syncing a
 * second of events takes tens of milliseconds, which the daemon's event
 * loop cannot spend without the ring buffer overflowing at high rates.
 * What is synced is dropped from the page cache (POSIX_FADV_DONTNEED, as
 * databases do with their write-ahead logs): a log is read far less than
 * it is written, and recycling the same pages makes writing it cheaper
 * than growing the cache with fresh ones (on this project's VMs, 90-120
 * instead of 150-250 ns of the daemon's CPU per event at 3 M events/s). The block
 * headers of every segment are kept in memory: a time-range query skips
 * whole blocks and segments without reading them, and `log -n` walks
 * back from the last block without reading the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#ifdef IPCT_XXH_DISPATCH
/* XXH3_64bits_withSeed becomes the dispatcher's: the same hash, 4-5 times fewer instructions with AVX2. */
#include <xxh_x86dispatch.h>
#endif

#include "ipctrace/event.h"
#include "journal.h"

#define SEG_MAGIC "IPCTJRN1"
#define SEG_VERSION 1
#define BLK_MAGIC 0x4b4c4249u   /* "IBLK" */

struct seg_hdr {
	char magic[8];
	uint32_t version;
	uint32_t event_version;
	uint64_t created_ns;    /* wall clock */
	uint64_t _pad;
};

struct blk_hdr {
	uint32_t magic;
	uint32_t len;           /* bytes of records after this header */
	uint32_t nrec;
	uint32_t _pad;
	int64_t realtime_off;   /* CLOCK_REALTIME - CLOCK_MONOTONIC when written */
	int64_t min_ns, max_ns; /* wall-clock span of its records */
	uint64_t hash;          /* XXH3 of the records, seeded with len and nrec */
};

struct rec_hdr {
	uint16_t type;
	uint16_t len;
	uint32_t _pad;
	uint64_t ts_ns;
};

_Static_assert(sizeof(struct seg_hdr) == 32, "seg_hdr layout");
_Static_assert(sizeof(struct blk_hdr) == 48, "blk_hdr layout");
_Static_assert(sizeof(struct rec_hdr) == 16, "rec_hdr layout");

struct blkidx {
	uint64_t off;
	uint32_t len, nrec;
	int64_t realtime_off, min_ns, max_ns;
	bool checked;           /* its hash matched (or this journal wrote it) */
	bool bad;               /* its hash did not match: never read */
	bool summed;            /* pids, types and other are known (struct ipct_journal_skip) */
	bool other;             /* it holds records that are no event */
	uint32_t types;
	uint64_t pids;
};

struct segment {
	uint64_t num;
	uint64_t size;          /* of the file: what rotation counts */
	bool skipped;           /* another event version or format: kept, never read nor appended to */
	int64_t min_ns, max_ns; /* over all its blocks: the clock may have gone back between two */
	struct blkidx *blks;    /* the blocks that can be read */
	size_t nblks, cap;
};

/*
 * Descriptors (dups) waiting for fdatasync on the syncer thread. The
 * queue grows as it must: a sync asked for is never dropped (a finished
 * segment's last second would then reach the disk only by the kernel's
 * writeback, and a power loss could tear a segment that is not the last).
 */
struct syncer {
	pthread_t thread;
	bool started;
	bool quit;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int *fds;
	size_t n, cap;
	uint64_t errors;        /* fdatasync calls that failed */
};

struct ipct_journal {
	struct syncer sync;
	int dirfd;
	int lockfd;             /* DIR/lock, held while open: one writer per journal */
	struct ipct_journal_opts opts;
	struct segment *segs;
	size_t nsegs, cap;
	int fd;                 /* the last segment, for appending */
	/* The block being built. */
	char *buf;
	size_t len, bufcap;
	uint32_t nrec;
	uint64_t min_ts, max_ts;
	size_t block_max;       /* a block this long is written at once (a quarter of a segment) */
	struct blkidx sum;      /* its summary (summed, other, types, pids) */
	uint64_t bytes, records;
	uint64_t bad_blocks;    /* found at open, or when first read */
	uint64_t bad_bytes;     /* ... their bytes, and those after a segment's last whole block */
	/* Where each record of a block starts, to walk it backwards. */
	uint32_t *offs;
	size_t offcap;
	/*
	 * Reading: the segment last read, kept open, and its block last read
	 * (header and records), kept until another is: a query that pauses
	 * for its client goes on in the same block without reading it again.
	 */
	int rfd;
	uint64_t rseg;
	char *rbuf;
	size_t rcap;
	uint64_t rblk_off;      /* rbuf holds the block at this offset of rseg (UINT64_MAX: none) */
};

/* One fdatasync, and the pages it wrote leave the page cache; false when it failed. */
static bool sync_fd(int fd)
{
	bool ok = fdatasync(fd) == 0;

	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return ok;
}

static void *syncer_main(void *arg)
{
	struct syncer *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->n && !s->quit)
			pthread_cond_wait(&s->wake, &s->lock);
		if (!s->n)
			break;
		int fd = s->fds[0];
		bool ok;

		memmove(&s->fds[0], &s->fds[1], --s->n * sizeof(s->fds[0]));
		pthread_mutex_unlock(&s->lock);
		ok = sync_fd(fd);
		close(fd);
		pthread_mutex_lock(&s->lock);
		s->errors += !ok;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Whether fd's file is among those waiting (a sync yet to start covers what was written since). */
static bool sync_queued(const struct syncer *s, int fd)
{
	struct stat st, q;

	if (fstat(fd, &st) < 0)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (fstat(s->fds[i], &q) == 0 && q.st_ino == st.st_ino && q.st_dev == st.st_dev)
			return true;
	return false;
}

/*
 * Has the syncer fdatasync a dup of fd, unless that file is already
 * waiting. When the thread, the dup or the queue's memory cannot be had,
 * the sync is done here and now: slower, never skipped.
 */
static void sync_later(struct syncer *s, int fd)
{
	bool queued = false;
	int dup_fd;

	pthread_mutex_lock(&s->lock);
	if (!s->started && !pthread_create(&s->thread, NULL, syncer_main, s))
		s->started = true;
	if (s->started && s->n == s->cap) {
		int *n = realloc(s->fds, (s->cap ? s->cap * 2 : 8) * sizeof(*n));

		if (n) {
			s->fds = n;
			s->cap = s->cap ? s->cap * 2 : 8;
		}
	}
	if (s->started && sync_queued(s, fd)) {
		queued = true;
	} else if (s->started && s->n < s->cap && (dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0) {
		s->fds[s->n++] = dup_fd;
		pthread_cond_signal(&s->wake);
		queued = true;
	}
	pthread_mutex_unlock(&s->lock);
	if (!queued && !sync_fd(fd)) {
		pthread_mutex_lock(&s->lock);
		s->errors++;
		pthread_mutex_unlock(&s->lock);
	}
}

/* Finishes the syncs asked for, and the thread. */
static void syncer_stop(struct syncer *s)
{
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	if (s->started)
		pthread_join(s->thread, NULL);
	s->started = false;
}

static void seg_name(uint64_t num, char *buf, size_t len)
{
	snprintf(buf, len, "%016" PRIx64 ".ipj", num);
}

static uint64_t blk_hash(const void *recs, uint32_t len, uint32_t nrec)
{
	return XXH3_64bits_withSeed(recs, len, (uint64_t)len << 32 | nrec);
}

/* Adds a record to a block's summary (struct ipct_journal_skip). */
static inline void blk_sum(struct blkidx *b, uint16_t type, const void *rec, uint16_t len)
{
	const struct ipct_event *e = rec;

	if (type == IPCT_JREC_EVENT && len >= sizeof(*e) && e->type < 32) {
		b->types |= 1u << e->type;
		b->pids |= ipct_journal_pid_bit(e->pid);
	} else {
		b->other = true;
	}
}

/* Whether a cursor may pass over block b unread. */
static bool blk_skip(const struct ipct_journal_cursor *cur, const struct blkidx *b)
{
	return cur->skip && b->summed && !b->other && !(b->types & cur->skip->types) && !(b->pids & cur->skip->pids);
}

static int blk_add(struct segment *s, const struct blkidx *b)
{
	if (!s->nblks || b->min_ns < s->min_ns)
		s->min_ns = b->min_ns;
	if (!s->nblks || b->max_ns > s->max_ns)
		s->max_ns = b->max_ns;
	if (s->nblks == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct blkidx *n = realloc(s->blks, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->blks = n;
		s->cap = cap;
	}
	s->blks[s->nblks++] = *b;
	return 0;
}

static struct segment *seg_add(struct ipct_journal *j, uint64_t num)
{
	if (j->nsegs == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;
		struct segment *n = realloc(j->segs, cap * sizeof(*n));

		if (!n)
			return NULL;
		j->segs = n;
		j->cap = cap;
	}
	memset(&j->segs[j->nsegs], 0, sizeof(j->segs[0]));
	j->segs[j->nsegs].num = num;
	return &j->segs[j->nsegs++];
}

static void jwarn(const struct ipct_journal *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void jwarn(const struct ipct_journal *j, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!j->opts.warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j->opts.warn(msg, j->opts.warn_ctx);
}

/*
 * Gives a segment its mode (0640) and the group that may read it: one
 * written by an older ipctraced, or changed by hand, is set right.
 */
static void seg_mode(struct ipct_journal *j, int fd, const char *name)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return;
	if (j->opts.set_gid && st.st_gid != j->opts.gid && fchown(fd, (uid_t)-1, j->opts.gid) < 0)
		jwarn(j, "%s: cannot give it to group %u: %s", name, (unsigned)j->opts.gid, strerror(errno));
	if ((st.st_mode & 07777) != 0640 && fchmod(fd, 0640) < 0)
		jwarn(j, "%s: cannot set its mode 0640: %s", name, strerror(errno));
}

/*
 * The journal's directory: whoever could write to it could delete or
 * replace what root logged, so one writable by its group or others is
 * refused; the ipctrace group may read it (0750).
 */
static int dir_check(struct ipct_journal *j, const char *dir)
{
	struct stat st;

	if (fstat(j->dirfd, &st) < 0)
		return -errno;
	if (st.st_mode & 022) {
		jwarn(j, "%s: writable by %s (mode %04o): a journal's directory must be writable by its owner only "
		      "(chmod go-w)", dir, st.st_mode & 002 ? "anyone" : "its group", (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	if (!j->opts.set_gid)
		return 0;
	if (st.st_gid != j->opts.gid && fchown(j->dirfd, (uid_t)-1, j->opts.gid) < 0)
		jwarn(j, "%s: cannot give it to group %u: %s", dir, (unsigned)j->opts.gid, strerror(errno));
	if ((st.st_mode & 07777) != 0750 && fchmod(j->dirfd, 0750) < 0)
		jwarn(j, "%s: cannot set its mode 0750: %s", dir, strerror(errno));
	return 0;
}

/*
 * Whether the n bytes of a segment header read are what a crash can
 * leave of one being written: a prefix of the magic, or zeros (the size
 * reached the disk, the data did not).
 */
static bool header_torn(const struct seg_hdr *sh, size_t n)
{
	const unsigned char *p = (const void *)sh;
	bool zeros = true;

	for (size_t i = 0; i < n; i++)
		zeros &= !p[i];
	return zeros || (n < sizeof(*sh) && !memcmp(sh->magic, SEG_MAGIC, n < 8 ? n : 8));
}

/*
 * Whether the segment's header is one whose blocks this journal reads:
 * if not, the segment is kept as it is and said so (a segment of the
 * previous event version after an upgrade, a newer one after a
 * downgrade, a file that is not a segment at all).
 */
static bool seg_readable(struct ipct_journal *j, struct segment *s, const char *name, const struct seg_hdr *sh,
			 ssize_t n)
{
	if (n < (ssize_t)sizeof(*sh))
		jwarn(j, "%s: %" PRIu64 " bytes, too short for a segment header: kept as it is, not read", name,
		     s->size);
	else if (memcmp(sh->magic, SEG_MAGIC, 8))
		jwarn(j, "%s: not a journal segment (no IPCTJRN1 header): kept as it is, not read", name);
	else if (sh->version != SEG_VERSION)
		jwarn(j, "%s: segment format %u, this ipctraced reads format %u: kept as it is, not read", name,
		     sh->version, SEG_VERSION);
	else if (sh->event_version != IPCT_EVENT_VERSION)
		jwarn(j, "%s: events of version %u, this ipctraced reads version %u: kept as it is (%" PRIu64
		     " bytes), not read; rotation removes it in its turn", name, sh->event_version,
		     IPCT_EVENT_VERSION, s->size);
	else
		return true;
	s->skipped = true;
	return false;
}

/*
 * Where the next block could start, from off on: the next block magic.
 * Damage is passed by the magic, not by the damaged block's length, which
 * may be what was damaged; what is found there counts only if its hash
 * matches.
 */
static uint64_t next_magic(const char *map, uint64_t off, uint64_t end)
{
	const char *p = off < end ? memmem(map + off, end - off, "IBLK", 4) : NULL;

	return p ? (uint64_t)(p - map) : end;
}

/*
 * Damage found right after a block whose hash was not checked: that
 * block's length may be what was damaged. Checks it now; when it fails,
 * it is part of the damaged stretch, which then starts at it. Returns
 * where the stretch starts.
 */
static uint64_t suspect_prev(struct ipct_journal *j, struct segment *s, const char *map, uint64_t good_end)
{
	struct blkidx *p = &s->blks[s->nblks - 1];
	struct blk_hdr bh;

	memcpy(&bh, map + p->off, sizeof(bh));
	p->checked = true;
	p->bad = blk_hash(map + p->off + sizeof(bh), p->len, p->nrec) != bh.hash;
	if (!p->bad)
		return good_end;
	j->records -= p->nrec;
	return p->off;
}

/*
 * Reads a segment's block headers into its index. With `verify`, also
 * checks every block's hash: a block that fails it is not indexed. A
 * damaged stretch (a block that fails its hash, or bytes that are no
 * block at all, its header damaged) is passed to the next block whose
 * hash matches. Only the last segment (`last`) is ever changed: a torn
 * tail, what follows its last good block, is cut. Anything else that
 * cannot be read is kept as it is, said so, and left for rotation.
 */
static int seg_load(struct ipct_journal *j, struct segment *s, bool last, bool verify,
		    struct ipct_journal_repair *rep)
{
	char name[32];
	struct seg_hdr sh = { 0 };
	struct stat st;
	uint64_t off = sizeof(sh), good_end = sizeof(sh), bad = 0, bad_bytes = 0;
	const char *map = MAP_FAILED;
	ssize_t n;
	int fd, err = 0;

	seg_name(s->num, name, sizeof(name));
	fd = openat(j->dirfd, name, (last ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	seg_mode(j, fd, name);
	s->size = (uint64_t)st.st_size;
	n = pread(fd, &sh, sizeof(sh), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	if (last && (n < (ssize_t)sizeof(sh) || !memcmp(&sh, &(struct seg_hdr){ 0 }, sizeof(sh))) &&
	    header_torn(&sh, (size_t)n)) {
		/* Torn before its header was whole: it holds nothing, and starts again. */
		good_end = 0;
		goto cut;
	}
	if (!seg_readable(j, s, name, &sh, n))
		goto out;
	if (s->size > sizeof(sh)) {
		map = mmap(NULL, s->size, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			err = -errno;
			goto out;
		}
	}
	while (off + sizeof(struct blk_hdr) <= s->size) {
		struct blk_hdr bh;
		struct blkidx b;
		/* After damage a block counts only once its hash is checked. */
		bool check = verify || off != good_end;

		memcpy(&bh, map + off, sizeof(bh));
		if (bh.magic != BLK_MAGIC || bh.len > s->size - off - sizeof(bh) ||
		    (check && blk_hash(map + off + sizeof(bh), bh.len, bh.nrec) != bh.hash)) {
			if (!check && s->nblks)
				good_end = suspect_prev(j, s, map, good_end);
			off = next_magic(map, off + 1, s->size);
			continue;
		}
		if (off != good_end) {
			/* Damage with a good block after it: not torn, only damaged. */
			bad++;
			bad_bytes += off - good_end;
		}
		b = (struct blkidx){ .off = off, .len = bh.len, .nrec = bh.nrec, .realtime_off = bh.realtime_off,
				     .min_ns = bh.min_ns, .max_ns = bh.max_ns, .checked = check };
		err = blk_add(s, &b);
		if (err)
			goto out;
		j->records += bh.nrec;
		off += sizeof(bh) + bh.len;
		good_end = off;
	}
	if (!last && good_end < s->size) {
		/* Not ours to change: a later segment follows it. */
		jwarn(j, "%s: %" PRIu64 " bytes after its last good block: kept as they are, not read", name,
		      s->size - good_end);
		rep->bad_blocks++;
		j->bad_blocks++;
		j->bad_bytes += s->size - good_end;
	}
	if (bad) {
		jwarn(j, "%s: blocks that fail their checksum: %" PRIu64 " (%" PRIu64 " bytes), kept as they are, "
		      "not read", name, bad, bad_bytes);
		rep->bad_blocks += bad;
		j->bad_blocks += bad;
		j->bad_bytes += bad_bytes;
	}
	if (!last)
		goto out;
cut:
	if (good_end < s->size) {
		if (ftruncate(fd, (off_t)good_end) < 0) {
			err = -errno;
			goto out;
		}
		snprintf(rep->segment, sizeof(rep->segment), "%s", name);
		rep->bytes_cut += s->size - good_end;
		rep->blocks_kept = s->nblks;
		s->size = good_end;
	}
out:
	j->bytes += s->size;
	if (map != MAP_FAILED)
		munmap((void *)map, st.st_size);
	if (fd >= 0)
		close(fd);
	return err;
}

/* Starts segment num: its header written, open for appending. */
static int seg_create(struct ipct_journal *j, uint64_t num)
{
	struct seg_hdr sh = { .version = SEG_VERSION, .event_version = IPCT_EVENT_VERSION };
	struct timespec now;
	struct segment *s;
	char name[32];
	int fd;

	memcpy(sh.magic, SEG_MAGIC, 8);
	clock_gettime(CLOCK_REALTIME, &now);
	sh.created_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	seg_name(num, name, sizeof(name));
	fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -errno;
	seg_mode(j, fd, name);
	if (write(fd, &sh, sizeof(sh)) != sizeof(sh)) {
		close(fd);
		return -EIO;
	}
	s = seg_add(j, num);
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->size = sizeof(sh);
	j->bytes += sizeof(sh);
	if (j->fd >= 0) {
		/* The segment's last second of blocks reaches the disk as the others did. */
		sync_later(&j->sync, j->fd);
		close(j->fd);
	}
	j->fd = fd;
	return 0;
}

static int num_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The segment numbers in dir, sorted. */
static int list_segments(int dirfd, uint64_t **nums, size_t *n)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t cap = 0;

	*nums = NULL;
	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		uint64_t num;
		char tail[8];

		if (sscanf(de->d_name, "%16" SCNx64 "%7s", &num, tail) != 2 || strcmp(tail, ".ipj") ||
		    strlen(de->d_name) != 20)
			continue;
		if (*n == cap) {
			uint64_t *nn = realloc(*nums, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn) {
				closedir(d);
				return -ENOMEM;
			}
			*nums = nn;
		}
		(*nums)[(*n)++] = num;
	}
	closedir(d);
	/* An empty directory has no array to sort (qsort's is never NULL). */
	if (*n)
		qsort(*nums, *n, sizeof(**nums), num_cmp);
	return 0;
}

/* mkdir -p, for a path whose parents may be missing. */
static int mkdirs(const char *dir)
{
	char path[4096], *p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(path, 0750) < 0 && errno != EEXIST ? -errno : 0;
}

/* Opens the last segment for appending; a new one follows it when it is not ours to append to. */
static int open_last(struct ipct_journal *j)
{
	struct segment *s = &j->segs[j->nsegs - 1];
	char name[32];

	if (s->skipped)
		return seg_create(j, s->num + 1);
	/* Its header was torn: it starts again. */
	if (!s->size) {
		j->nsegs--;
		return seg_create(j, s->num);
	}
	seg_name(s->num, name, sizeof(name));
	j->fd = openat(j->dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
	return j->fd < 0 ? -errno : 0;
}

struct ipct_journal *ipct_journal_open(const struct ipct_journal_opts *o, struct ipct_journal_repair *rep,
				       int *err)
{
	struct ipct_journal *j = calloc(1, sizeof(*j));
	uint64_t *nums = NULL;
	size_t n = 0;

	memset(rep, 0, sizeof(*rep));
	if (!j) {
		*err = -ENOMEM;
		return NULL;
	}
	j->opts = *o;
	j->block_max = o->segment_bytes / 4;
	j->fd = -1;
	j->lockfd = -1;
	j->dirfd = -1;
	j->rfd = -1;
	j->rblk_off = UINT64_MAX;
	pthread_mutex_init(&j->sync.lock, NULL);
	pthread_cond_init(&j->sync.wake, NULL);
	*err = mkdirs(o->dir);
	if (*err)
		goto fail;
	j->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0) {
		*err = -errno;
		goto fail;
	}
	*err = dir_check(j, o->dir);
	if (*err)
		goto fail;
	/* Before anything is read or repaired: another writer's last block is not torn. */
	j->lockfd = openat(j->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (j->lockfd < 0 || flock(j->lockfd, LOCK_EX | LOCK_NB) < 0) {
		*err = j->lockfd < 0 ? -errno : -EBUSY;
		goto fail;
	}
	*err = list_segments(j->dirfd, &nums, &n);
	for (size_t i = 0; !*err && i < n; i++) {
		struct segment *s = seg_add(j, nums[i]);

		/*
		 * A crash can tear the last segment; a power loss, the one
		 * before it too, if it came before that one's final sync.
		 */
		*err = s ? seg_load(j, s, i == n - 1, i + 2 >= n, rep) : -ENOMEM;
	}
	free(nums);
	if (!*err)
		*err = n ? open_last(j) : seg_create(j, 1);
	if (*err)
		goto fail;
	return j;
fail:
	ipct_journal_close(j);
	return NULL;
}

void ipct_journal_close(struct ipct_journal *j)
{
	if (!j)
		return;
	syncer_stop(&j->sync);
	pthread_mutex_destroy(&j->sync.lock);
	pthread_cond_destroy(&j->sync.wake);
	free(j->sync.fds);
	if (j->fd >= 0)
		close(j->fd);
	if (j->rfd >= 0)
		close(j->rfd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	if (j->lockfd >= 0)
		close(j->lockfd);
	for (size_t i = 0; i < j->nsegs; i++)
		free(j->segs[i].blks);
	free(j->segs);
	free(j->buf);
	free(j->offs);
	free(j->rbuf);
	free(j);
}

/* Makes room in the block being built for need bytes: -ENOMEM. */
static int block_room(struct ipct_journal *j, size_t need)
{
	size_t cap = j->bufcap ? j->bufcap : 64 * 1024;
	char *n;

	while (cap < need)
		cap *= 2;
	n = realloc(j->buf, cap);
	if (!n)
		return -ENOMEM;
	j->buf = n;
	j->bufcap = cap;
	return 0;
}

/*
 * A record (type, rec, len) was put at the block's end, which is now need
 * bytes long: its time into the block's span, its type and pid into the
 * block's summary.
 */
static inline int rec_added(struct ipct_journal *j, uint16_t type, const void *rec, uint16_t len, size_t need,
			    uint64_t ts_ns)
{
	blk_sum(&j->sum, type, rec, len);
	j->len = need;
	if (!j->nrec || ts_ns < j->min_ts)
		j->min_ts = ts_ns;
	if (!j->nrec || ts_ns > j->max_ts)
		j->max_ts = ts_ns;
	j->nrec++;
	return j->len >= j->block_max;
}

/* Any record, the block grown as needed. */
static __attribute__((noinline)) int add_any(struct ipct_journal *j, uint16_t type, const void *rec, uint16_t len,
					     uint64_t ts_ns)
{
	struct rec_hdr rh = { .type = type, .len = len, .ts_ns = ts_ns };
	size_t need = j->len + sizeof(rh) + len;

	if (need > j->bufcap && block_room(j, need) < 0)
		return -ENOMEM;
	memcpy(j->buf + j->len, &rh, sizeof(rh));
	memcpy(j->buf + j->len + sizeof(rh), rec, len);
	return rec_added(j, type, rec, len, need, ts_ns);
}

int ipct_journal_add(struct ipct_journal *j, uint16_t type, const void *rec, uint16_t len, uint64_t ts_ns)
{
	struct rec_hdr rh = { .type = type, .len = len, .ts_ns = ts_ns };
	size_t need = j->len + sizeof(rh) + sizeof(struct ipct_event);
	char *p;

	/*
	 * Nearly every record is an event that fits: a copy of a known size,
	 * unrolled, and no call, so no registers to save; the rest go to add_any.
	 */
	if (len != sizeof(struct ipct_event) || need > j->bufcap)
		return add_any(j, type, rec, len, ts_ns);
	p = j->buf + j->len;
	memcpy(p, &rh, sizeof(rh));
	memcpy(p + sizeof(rh), rec, sizeof(struct ipct_event));
	return rec_added(j, type, rec, len, need, ts_ns);
}

/* Drops the oldest segments while the journal is over its size. */
static void rotate(struct ipct_journal *j)
{
	while (j->bytes > j->opts.max_bytes && j->nsegs > 1) {
		char name[32];

		seg_name(j->segs[0].num, name, sizeof(name));
		unlinkat(j->dirfd, name, 0);
		/* An open descriptor would keep its space in use. */
		if (j->rfd >= 0 && j->rseg == j->segs[0].num) {
			close(j->rfd);
			j->rfd = -1;
			j->rblk_off = UINT64_MAX;
		}
		j->bytes -= j->segs[0].size;
		for (size_t i = 0; i < j->segs[0].nblks; i++)
			j->records -= j->segs[0].blks[i].bad ? 0 : j->segs[0].blks[i].nrec;
		free(j->segs[0].blks);
		memmove(&j->segs[0], &j->segs[1], --j->nsegs * sizeof(j->segs[0]));
	}
}

int ipct_journal_flush(struct ipct_journal *j, int64_t realtime_off)
{
	struct segment *s = &j->segs[j->nsegs - 1];
	struct blk_hdr bh = {
		.magic = BLK_MAGIC,
		.len = (uint32_t)j->len,
		.nrec = j->nrec,
		.realtime_off = realtime_off,
		.min_ns = (int64_t)j->min_ts + realtime_off,
		.max_ns = (int64_t)j->max_ts + realtime_off,
	};
	struct iovec iov[2] = { { &bh, sizeof(bh) }, { j->buf, j->len } };
	struct blkidx b = { .off = s->size, .len = bh.len, .nrec = bh.nrec, .realtime_off = realtime_off,
			    .min_ns = bh.min_ns, .max_ns = bh.max_ns, .checked = true, .summed = true,
			    .other = j->sum.other, .types = j->sum.types, .pids = j->sum.pids };
	ssize_t n;
	int err;

	if (!j->nrec)
		return 0;
	bh.hash = blk_hash(j->buf, bh.len, bh.nrec);
	n = writev(j->fd, iov, 2);
	j->len = 0;
	j->nrec = 0;
	j->sum = (struct blkidx){ 0 };
	if (n != (ssize_t)(sizeof(bh) + bh.len)) {
		/* Leave no partial block for the next one to follow. */
		err = n < 0 ? -errno : -ENOSPC;
		if (ftruncate(j->fd, (off_t)s->size) < 0)
			err = -errno;
		return err;
	}
	err = blk_add(s, &b);
	if (err)
		return err;
	s->size += (uint64_t)n;
	j->bytes += (uint64_t)n;
	j->records += bh.nrec;
	if (s->size >= j->opts.segment_bytes) {
		err = seg_create(j, s->num + 1);
		if (err)
			return err;
	}
	rotate(j);
	return 0;
}

int ipct_journal_sync(struct ipct_journal *j)
{
	return fdatasync(j->fd) < 0 ? -errno : 0;
}

void ipct_journal_sync_background(struct ipct_journal *j)
{
	sync_later(&j->sync, j->fd);
}

void ipct_journal_end(const struct ipct_journal *j, struct ipct_journal_cursor *cur)
{
	const struct segment *s = &j->segs[j->nsegs - 1];

	*cur = (struct ipct_journal_cursor){ .seg = s->num, .blk = s->nblks };
}

/*
 * The records of block b of segment s, read into the journal's read
 * buffer (a query's steps mostly go on in the block the last one read:
 * then it is not read again); NULL with *err set when reading failed, or
 * with *err 0 when the block fails its hash. Reading copies each block
 * once into the same buffer, which stays in the CPU's cache, rather than
 * mapping the segment: a mapping costs a page fault per few pages and
 * its unmapping, at every step.
 *
 * Opening checks only the last two segments' hashes (it must know where
 * a torn tail starts); an older block is checked when it is first read,
 * which for every block is the daemon's scan at start.
 */
static const char *blk_read(struct ipct_journal *j, const struct segment *s, struct blkidx *b, int *err)
{
	size_t need = sizeof(struct blk_hdr) + b->len, got = 0;
	struct blk_hdr bh;
	char name[32];

	*err = 0;
	if (b->checked && b->bad)
		return NULL;
	if (j->rfd >= 0 && j->rseg == s->num && j->rblk_off == b->off)
		return j->rbuf + sizeof(bh);
	if (j->rfd < 0 || j->rseg != s->num) {
		if (j->rfd >= 0)
			close(j->rfd);
		seg_name(s->num, name, sizeof(name));
		j->rfd = openat(j->dirfd, name, O_RDONLY | O_CLOEXEC);
		j->rseg = s->num;
		if (j->rfd < 0) {
			*err = -errno;
			return NULL;
		}
	}
	j->rblk_off = UINT64_MAX;
	if (need > j->rcap) {
		char *n = realloc(j->rbuf, need);

		if (!n) {
			*err = -ENOMEM;
			return NULL;
		}
		j->rbuf = n;
		j->rcap = need;
	}
	while (got < need) {
		ssize_t n = pread(j->rfd, j->rbuf + got, need - got, (off_t)(b->off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? -errno : -EIO;
			return NULL;
		}
		got += (size_t)n;
	}
	if (!b->checked) {
		memcpy(&bh, j->rbuf, sizeof(bh));
		b->checked = true;
		b->bad = blk_hash(j->rbuf + sizeof(bh), b->len, b->nrec) != bh.hash;
	}
	if (b->bad) {
		seg_name(s->num, name, sizeof(name));
		jwarn(j, "%s: the block at offset %" PRIu64 " (%" PRIu64 " bytes) fails its checksum: kept as it is, "
		      "not read", name, b->off, (uint64_t)sizeof(bh) + b->len);
		j->bad_blocks++;
		j->bad_bytes += sizeof(bh) + b->len;
		j->records -= b->nrec;
		return NULL;
	}
	if (!b->summed) {
		for (const char *p = j->rbuf + sizeof(bh), *end = p + b->len; p + sizeof(struct rec_hdr) <= end;) {
			struct rec_hdr rh;

			memcpy(&rh, p, sizeof(rh));
			if (p + sizeof(rh) + rh.len > end)
				break;
			if (rh.type == IPCT_JREC_EVENT && rh.len >= sizeof(struct ipct_event)) {
				struct ipct_event e;

				/* A record need not lie aligned for the event's fields. */
				memcpy(&e, p + sizeof(rh), sizeof(e));
				blk_sum(b, rh.type, &e, sizeof(e));
			} else {
				blk_sum(b, rh.type, NULL, rh.len);
			}
			p += sizeof(rh) + rh.len;
		}
		b->summed = true;
	}
	j->rblk_off = b->off;
	return j->rbuf + sizeof(bh);
}

/* Records *rec on of a block; false (and *rec at that record) when fn says to pause. */
static bool scan_block(const char *p, const struct blkidx *b, uint32_t *rec, ipct_journal_fn fn, void *ctx)
{
	const char *end = p + b->len;

	for (uint32_t i = 0; p + sizeof(struct rec_hdr) <= end; i++) {
		struct rec_hdr rh;

		memcpy(&rh, p, sizeof(rh));
		if (p + sizeof(rh) + rh.len > end)
			break;
		if (i >= *rec && !fn(rh.type, p + sizeof(rh), rh.len, (int64_t)rh.ts_ns + b->realtime_off, ctx)) {
			*rec = i;
			return false;
		}
		p += sizeof(rh) + rh.len;
	}
	*rec = 0;
	return true;
}

int ipct_journal_step(struct ipct_journal *j, struct ipct_journal_cursor *cur, const struct ipct_journal_cursor *end,
		      int64_t since, int64_t until, size_t max_blocks, ipct_journal_fn fn, void *ctx)
{
	struct ipct_journal_cursor live;
	size_t done = 0;
	bool paused = false;

	/* What it had still to read went with the oldest segments. */
	if (!cur->done && cur->seg && cur->seg < j->segs[0].num)
		cur->rotated = true;
	for (size_t i = 0; i < j->nsegs && !cur->done && done < max_blocks; i++) {
		struct segment *s = &j->segs[i];
		size_t nblks = s->nblks;

		if (end && s->num > end->seg)
			break;
		if (end && s->num == end->seg && end->blk < nblks)
			nblks = end->blk;
		/* Segments rotate away during a long query: the cursor names them by number. */
		if (s->num < cur->seg)
			continue;
		if (s->num > cur->seg) {
			cur->seg = s->num;
			cur->blk = 0;
			cur->rec = 0;
		}
		if (cur->blk >= nblks || s->max_ns < since || s->min_ns > until) {
			cur->seg = s->num + 1;
			cur->blk = 0;
			cur->rec = 0;
			continue;
		}
		for (; cur->blk < nblks && done < max_blocks; cur->blk++) {
			struct blkidx *b = &s->blks[cur->blk];
			const char *recs;
			int err;

			if (b->max_ns < since || b->min_ns > until || blk_skip(cur, b)) {
				cur->rec = 0;
				continue;
			}
			recs = blk_read(j, s, b, &err);
			if (err)
				return err;
			if (!recs)
				continue;
			done++;
			if (!scan_block(recs, b, &cur->rec, fn, ctx)) {
				paused = true;
				break;
			}
		}
		if (paused)
			return 0;
		if (cur->blk >= s->nblks) {
			cur->seg = s->num + 1;
			cur->blk = 0;
		}
	}
	/* Past the end (given, or the last block written so far). */
	if (!end) {
		ipct_journal_end(j, &live);
		end = &live;
	}
	if (!cur->done && (cur->seg > end->seg || (cur->seg == end->seg && cur->blk >= end->blk)))
		cur->done = true;
	return 0;
}

/*
 * Calls fn for the records before *rec in a block, newest first. False
 * (and *rec at the record fn stopped at) when fn says to stop.
 */
static int scan_block_back(struct ipct_journal *j, const char *p, const struct blkidx *b, uint32_t *rec,
			   ipct_journal_fn fn, void *ctx)
{
	uint32_t n = 0;

	/* Records have their own lengths: where each starts is known only from the first. */
	if (j->offcap < b->nrec) {
		uint32_t *o = realloc(j->offs, b->nrec * sizeof(*o));

		if (!o)
			return -ENOMEM;
		j->offs = o;
		j->offcap = b->nrec;
	}
	for (uint32_t off = 0; n < b->nrec && n < *rec && off + sizeof(struct rec_hdr) <= b->len; n++) {
		struct rec_hdr rh;

		memcpy(&rh, p + off, sizeof(rh));
		if (off + sizeof(rh) + rh.len > b->len)
			break;
		j->offs[n] = off;
		off += sizeof(rh) + rh.len;
	}
	while (n--) {
		struct rec_hdr rh;

		memcpy(&rh, p + j->offs[n], sizeof(rh));
		if (!fn(rh.type, p + j->offs[n] + sizeof(rh), rh.len, (int64_t)rh.ts_ns + b->realtime_off, ctx)) {
			*rec = n;
			return 0;
		}
	}
	*rec = 0;
	return 1;
}

int ipct_journal_step_back(struct ipct_journal *j, struct ipct_journal_cursor *cur, int64_t since, int64_t until,
			   size_t max_blocks, ipct_journal_fn fn, void *ctx)
{
	size_t done = 0;

	for (size_t i = j->nsegs; i-- > 0 && !cur->done;) {
		struct segment *s = &j->segs[i];
		int r = 1;

		if (s->num > cur->seg)
			continue;
		if (s->num < cur->seg) {
			cur->seg = s->num;
			cur->blk = s->nblks;
			cur->rec = 0;
		}
		if (s->max_ns < since || s->min_ns > until) {
			cur->blk = 0;
			cur->rec = 0;
		}
		/* Before (blk, rec): the records of its blocks before blk, and the first rec of blk. */
		while (cur->blk || cur->rec) {
			const char *recs;
			struct blkidx *b;
			int err;

			if (!cur->rec) {
				if (done == max_blocks)
					break;
				cur->blk--;
				cur->rec = s->blks[cur->blk].nrec;
			}
			b = &s->blks[cur->blk];
			if (b->max_ns < since || b->min_ns > until || blk_skip(cur, b)) {
				cur->rec = 0;
				continue;
			}
			recs = blk_read(j, s, b, &err);
			if (err)
				return err;
			if (!recs) {
				cur->rec = 0;
				continue;
			}
			done++;
			r = scan_block_back(j, recs, b, &cur->rec, fn, ctx);
			if (r <= 0)
				break;
		}
		if (r <= 0)
			return r;
		if (cur->blk || cur->rec)
			return 0;       /* max_blocks: the next step goes on from here */
	}
	/* Nothing older left: from here, a forward scan reads everything there is. */
	if (!cur->done) {
		cur->seg = j->segs[0].num;
		cur->blk = 0;
		cur->rec = 0;
		cur->done = true;
	}
	return 0;
}

struct whole_scan {
	ipct_journal_fn fn;
	void *ctx;
	bool stopped;
};

static bool whole_scan_fn(uint16_t type, const void *rec, uint16_t len, int64_t realtime_ns, void *ctx)
{
	struct whole_scan *w = ctx;

	w->stopped = !w->fn(type, rec, len, realtime_ns, w->ctx);
	return !w->stopped;
}

int ipct_journal_scan(struct ipct_journal *j, int64_t since, int64_t until, ipct_journal_fn fn, void *ctx)
{
	struct ipct_journal_cursor cur = { 0 };
	struct whole_scan w = { fn, ctx, false };
	int err = 0;

	/* Here a pause is the end. */
	while (!err && !cur.done && !w.stopped)
		err = ipct_journal_step(j, &cur, NULL, since, until, SIZE_MAX, whole_scan_fn, &w);
	return err;
}

void ipct_journal_stats(struct ipct_journal *j, struct ipct_journal_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->bytes = j->bytes;
	st->records = j->records;
	st->segments = (unsigned)j->nsegs;
	st->bad_blocks = j->bad_blocks;
	st->bad_bytes = j->bad_bytes;
	for (size_t i = 0; i < j->nsegs; i++) {
		const struct segment *s = &j->segs[i];

		if (s->skipped) {
			st->skipped_segments++;
			st->skipped_bytes += s->size;
		}
		if (!s->nblks)
			continue;
		if (!st->first_ns || s->min_ns < st->first_ns)
			st->first_ns = s->min_ns;
		if (s->max_ns > st->last_ns)
			st->last_ns = s->max_ns;
	}
	pthread_mutex_lock(&j->sync.lock);
	st->sync_errors = j->sync.errors;
	pthread_mutex_unlock(&j->sync.lock);
}
