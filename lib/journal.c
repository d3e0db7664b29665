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
 * torn block at the end of the last segment; opening checks the last
 * segment's hashes and cuts from the first bad block on. fdatasync runs on
 * a thread of its own (ipct_journal_sync_background), because syncing a
 * second of events takes tens of milliseconds, which the daemon's event
 * loop cannot spend without the ring buffer overflowing at high rates.
 * What is synced is dropped from the page cache (POSIX_FADV_DONTNEED, as
 * databases do with their write-ahead logs): a log is read far less than
 * it is written, and recycling the same pages makes writing it cheaper
 * than growing the cache with fresh ones (on this project's VMs, 90-120
 * instead of 150-250 ns of the daemon's CPU per event at 3 M events/s). The block
 * headers of every segment are kept in memory: a time-range query skips
 * whole blocks and segments without reading them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
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
};

struct segment {
	uint64_t num;
	uint64_t size;
	int64_t min_ns, max_ns; /* over all its blocks: the clock may have gone back between two */
	struct blkidx *blks;
	size_t nblks, cap;
};

/* Descriptors (dups) waiting for fdatasync on the syncer thread. */
#define SYNC_QUEUE 8

struct syncer {
	pthread_t thread;
	bool started;
	bool quit;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int fds[SYNC_QUEUE];
	size_t n;
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
	uint64_t bytes, records;
};

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

		memmove(&s->fds[0], &s->fds[1], --s->n * sizeof(s->fds[0]));
		pthread_mutex_unlock(&s->lock);
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/*
 * Has the syncer fdatasync a dup of fd, unless that file is already
 * waiting (or SYNC_QUEUE are: the kernel's own writeback still comes).
 */
static void sync_later(struct syncer *s, int fd)
{
	struct stat st, q;
	int dup_fd;

	if (!s->started) {
		pthread_mutex_init(&s->lock, NULL);
		pthread_cond_init(&s->wake, NULL);
		if (pthread_create(&s->thread, NULL, syncer_main, s)) {
			pthread_mutex_destroy(&s->lock);
			pthread_cond_destroy(&s->wake);
			fdatasync(fd);
			return;
		}
		s->started = true;
	}
	if (fstat(fd, &st) < 0)
		return;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++)
		if (fstat(s->fds[i], &q) == 0 && q.st_ino == st.st_ino && q.st_dev == st.st_dev)
			goto out;
	if (s->n < SYNC_QUEUE && (dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0) {
		s->fds[s->n++] = dup_fd;
		pthread_cond_signal(&s->wake);
	}
out:
	pthread_mutex_unlock(&s->lock);
}

/* Finishes the syncs asked for, and the thread. */
static void syncer_stop(struct syncer *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
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

/*
 * Reads a segment's block headers into its index. With `verify`, also
 * checks every block's hash, and cuts the file at the first bad block.
 */
static int seg_load(struct ipct_journal *j, struct segment *s, bool verify, struct ipct_journal_repair *rep)
{
	char name[32];
	struct seg_hdr sh;
	struct stat st;
	uint64_t off = sizeof(sh);
	char *recs = NULL;
	int fd, err = 0;

	seg_name(s->num, name, sizeof(name));
	fd = openat(j->dirfd, name, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (pread(fd, &sh, sizeof(sh), 0) != sizeof(sh) || memcmp(sh.magic, SEG_MAGIC, 8) ||
	    sh.version != SEG_VERSION || sh.event_version != IPCT_EVENT_VERSION) {
		/* Torn before its header was whole, or not ours: start it again. */
		off = 0;
		goto cut;
	}
	while (off + sizeof(struct blk_hdr) <= (uint64_t)st.st_size) {
		struct blk_hdr bh;
		struct blkidx b;

		if (pread(fd, &bh, sizeof(bh), (off_t)off) != sizeof(bh) || bh.magic != BLK_MAGIC ||
		    off + sizeof(bh) + bh.len > (uint64_t)st.st_size)
			break;
		if (verify) {
			char *n = realloc(recs, bh.len ? bh.len : 1);

			if (!n) {
				err = -ENOMEM;
				goto out;
			}
			recs = n;
			if (pread(fd, recs, bh.len, (off_t)(off + sizeof(bh))) != (ssize_t)bh.len ||
			    blk_hash(recs, bh.len, bh.nrec) != bh.hash)
				break;
		}
		b = (struct blkidx){ off, bh.len, bh.nrec, bh.realtime_off, bh.min_ns, bh.max_ns };
		err = blk_add(s, &b);
		if (err)
			goto out;
		j->records += bh.nrec;
		off += sizeof(bh) + bh.len;
	}
cut:
	if (off < (uint64_t)st.st_size) {
		if (ftruncate(fd, (off_t)off) < 0) {
			err = -errno;
			goto out;
		}
		snprintf(rep->segment, sizeof(rep->segment), "%s", name);
		rep->bytes_cut += (uint64_t)st.st_size - off;
		rep->blocks_kept = s->nblks;
	}
	s->size = off;
	j->bytes += off;
out:
	free(recs);
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
	fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
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
	j->fd = -1;
	j->lockfd = -1;
	*err = mkdirs(o->dir);
	if (*err)
		goto fail;
	j->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0) {
		*err = -errno;
		goto fail;
	}
	/* Before anything is read or repaired: another writer's last block is not torn. */
	j->lockfd = openat(j->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->lockfd < 0 || flock(j->lockfd, LOCK_EX | LOCK_NB) < 0) {
		*err = j->lockfd < 0 ? -errno : -EBUSY;
		goto fail;
	}
	*err = list_segments(j->dirfd, &nums, &n);
	for (size_t i = 0; !*err && i < n; i++) {
		struct segment *s = seg_add(j, nums[i]);

		/* Only the last segment can have been torn by a crash. */
		*err = s ? seg_load(j, s, i == n - 1, rep) : -ENOMEM;
	}
	if (!*err && n) {
		char name[32];

		seg_name(nums[n - 1], name, sizeof(name));
		j->fd = openat(j->dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (j->fd < 0)
			*err = -errno;
		/* An empty last segment (its header torn) starts again. */
		else if (j->segs[n - 1].size == 0) {
			j->nsegs--;
			*err = seg_create(j, nums[n - 1]);
		}
	} else if (!*err) {
		*err = seg_create(j, 1);
	}
	free(nums);
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
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd > 0)
		close(j->dirfd);
	if (j->lockfd >= 0)
		close(j->lockfd);
	for (size_t i = 0; i < j->nsegs; i++)
		free(j->segs[i].blks);
	free(j->segs);
	free(j->buf);
	free(j);
}

int ipct_journal_add(struct ipct_journal *j, uint16_t type, const void *rec, uint16_t len, uint64_t ts_ns)
{
	struct rec_hdr rh = { .type = type, .len = len, .ts_ns = ts_ns };
	size_t need = j->len + sizeof(rh) + len;

	if (need > j->bufcap) {
		size_t cap = j->bufcap ? j->bufcap : 64 * 1024;
		char *n;

		while (cap < need)
			cap *= 2;
		n = realloc(j->buf, cap);
		if (!n)
			return -ENOMEM;
		j->buf = n;
		j->bufcap = cap;
	}
	memcpy(j->buf + j->len, &rh, sizeof(rh));
	memcpy(j->buf + j->len + sizeof(rh), rec, len);
	j->len = need;
	if (!j->nrec || ts_ns < j->min_ts)
		j->min_ts = ts_ns;
	if (!j->nrec || ts_ns > j->max_ts)
		j->max_ts = ts_ns;
	j->nrec++;
	return 0;
}

/* Drops the oldest segments while the journal is over its size. */
static void rotate(struct ipct_journal *j)
{
	while (j->bytes > j->opts.max_bytes && j->nsegs > 1) {
		char name[32];

		seg_name(j->segs[0].num, name, sizeof(name));
		unlinkat(j->dirfd, name, 0);
		j->bytes -= j->segs[0].size;
		for (size_t i = 0; i < j->segs[0].nblks; i++)
			j->records -= j->segs[0].blks[i].nrec;
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
	struct blkidx b = { s->size, bh.len, bh.nrec, realtime_off, bh.min_ns, bh.max_ns };
	ssize_t n;
	int err;

	if (!j->nrec)
		return 0;
	bh.hash = blk_hash(j->buf, bh.len, bh.nrec);
	n = writev(j->fd, iov, 2);
	j->len = 0;
	j->nrec = 0;
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

int ipct_journal_step(struct ipct_journal *j, struct ipct_journal_cursor *cur, int64_t since, int64_t until,
		      size_t max_blocks, ipct_journal_fn fn, void *ctx)
{
	size_t done = 0;
	bool paused = false;

	for (size_t i = 0; i < j->nsegs && !cur->done && done < max_blocks; i++) {
		struct segment *s = &j->segs[i];
		char name[32];
		void *map;
		int fd;

		/* Segments rotate away during a long query: the cursor names them by number. */
		if (s->num < cur->seg)
			continue;
		if (s->num > cur->seg) {
			cur->seg = s->num;
			cur->blk = 0;
			cur->rec = 0;
		}
		if (cur->blk >= s->nblks || s->max_ns < since || s->min_ns > until) {
			cur->seg = s->num + 1;
			cur->blk = 0;
			cur->rec = 0;
			continue;
		}
		seg_name(s->num, name, sizeof(name));
		fd = openat(j->dirfd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		map = mmap(NULL, s->size, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (map == MAP_FAILED)
			return -errno;
		for (; cur->blk < s->nblks && done < max_blocks; cur->blk++) {
			const struct blkidx *b = &s->blks[cur->blk];

			if (b->max_ns < since || b->min_ns > until)
				continue;
			done++;
			if (!scan_block((const char *)map + b->off + sizeof(struct blk_hdr), b, &cur->rec, fn, ctx)) {
				paused = true;
				break;
			}
		}
		munmap(map, s->size);
		if (paused)
			return 0;
		if (cur->blk >= s->nblks) {
			cur->seg = s->num + 1;
			cur->blk = 0;
		}
	}
	/* Past the last block written so far. */
	if (!cur->done && (!j->nsegs || cur->seg > j->segs[j->nsegs - 1].num ||
			   (cur->seg == j->segs[j->nsegs - 1].num && cur->blk >= j->segs[j->nsegs - 1].nblks)))
		cur->done = true;
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
		err = ipct_journal_step(j, &cur, since, until, SIZE_MAX, whole_scan_fn, &w);
	return err;
}

void ipct_journal_stats(const struct ipct_journal *j, struct ipct_journal_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->bytes = j->bytes;
	st->records = j->records;
	st->segments = (unsigned)j->nsegs;
	for (size_t i = 0; i < j->nsegs; i++) {
		const struct segment *s = &j->segs[i];

		if (!s->nblks)
			continue;
		if (!st->first_ns || s->min_ns < st->first_ns)
			st->first_ns = s->min_ns;
		if (s->max_ns > st->last_ns)
			st->last_ns = s->max_ns;
	}
}
