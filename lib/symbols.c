// SPDX-License-Identifier: MIT
/*
 * Handler addresses to function names. The exec event carries the path and
 * mm->start_code, which the kernel sets to the load bias plus the lowest
 * p_vaddr of the executable PT_LOAD segments; so an address a in the
 * process is a - start_code + that p_vaddr in the file, whatever ASLR did.
 * This works after the process has exited, which /proc/PID/maps would not.
 *
 * Which file a process runs is settled when its exec event is handled (a
 * few ms after the exec): /proc/PID/exe, the file the process maps even
 * once its path names another, while the process still runs the program of
 * that exec (its text is where the event says); else the file at the path,
 * unless it changed after the exec (its ctime). Files are known by that
 * identity (device, inode, size, mtime), and read (libelf: .symtab, else
 * .dynsym) through a descriptor checked against it: a program rebuilt at
 * the same path is another file, never named by the old one's symbols.
 *
 * Files are cached up to IPCT_SYMS_FILES, the unreferenced ones in a
 * least-recently-used list, evicted from its tail. Processes are kept in a
 * tsearch(3) tree by pid. In the asynchronous form a worker thread does the
 * reading: the caller opens and checks the file (cheap), the worker parses
 * it, and the caller's thread applies the result; until then its state
 * (F_LOADING) keeps the caller away from what the worker writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "symbols.h"

#define NBUCKETS 64
/* Handlers named later at most: past that, the oldest goes unnamed. */
#define PENDING_MAX 4096

struct sym {
	uint64_t addr;
	uint64_t size;
	size_t name;            /* offset in the file's names */
};

/* What a file is, whatever its path: a rebuild at the same path is another one. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
};

enum { F_LOADING, F_READY };

struct elf_file {
	struct file_id id;
	int state;
	/* Written by the worker while F_LOADING: */
	int err;                /* 0, or why the file has no symbols */
	uint64_t text_vaddr;
	struct sym *syms;
	size_t nsyms;
	char *names;
	int fd;                 /* the file to read, opened and checked by the caller */
	/* The caller's: */
	uid_t owner;            /* the file as opened: who may read it */
	mode_t mode;
	unsigned refs;          /* processes and pending names (and a read in progress) */
	struct elf_file *hnext; /* hash chain, by identity */
	struct elf_file *lprev, *lnext; /* unreferenced and read: the LRU, most recent first */
	struct elf_file *qnext; /* the worker's queue, then its list of files read */
};

struct proc {
	uint32_t pid;           /* first: a bare pid is a key */
	uint32_t uid;           /* the user it runs as */
	bool known;             /* id is the file it runs */
	bool failed;            /* its file could not be had: not tried again */
	struct file_id id;
	char *path;             /* where to open it once /proc/PID/exe is gone */
	char *exe;              /* its exec's EXE_PATH records: the file's absolute path, or NULL */
	bool exe_cut;           /*   only its last names */
	char *next;             /* EXE_PATH records for the exec to come, being put together */
	bool next_cut;
	uint16_t next_len, next_have;
	uint64_t text_start, text_end;
	struct elf_file *file;  /* once a handler was looked up */
	uint64_t last_addr;     /* the last address resolved, and its name */
	const char *last_name;
};

struct ipct_sym_pending {
	uint32_t tid;
	uint64_t ts_ns;
	uint32_t uid;
	uint64_t offset;        /* the handler's address less the process's start_code */
	struct elf_file *file;
	struct ipct_sym_pending *next;
};

struct ipct_syms {
	void *procs;            /* tsearch tree of struct proc */
	struct elf_file *files[NBUCKETS];
	struct elf_file *lru_head, *lru_tail;
	struct ipct_sym_pending *pending, **pending_tail;
	struct ipct_syms_stats st;
	/* The asynchronous form's: */
	bool async;
	int efd;
	unsigned reading;       /* files handed to the worker, not yet applied */
	pthread_t worker;
	pthread_mutex_t lock;
	pthread_cond_t wake;    /* for the worker: a file to read, or stop */
	pthread_cond_t read;    /* for ipct_syms_wait: a file was read */
	struct elf_file *queue, **queue_tail, *done;    /* under lock */
	unsigned queued;        /* under lock: files handed over and not read yet */
	bool stop;
};

/* ---- files ---- */

static unsigned id_hash(const struct file_id *id)
{
	return (unsigned)((id->ino * 31 + id->dev) % NBUCKETS);
}

static bool id_equal(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns;
}

static void id_of(const struct stat *st, struct file_id *id)
{
	*id = (struct file_id){ st->st_dev, st->st_ino, st->st_size,
				(int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec };
}

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Collects the function symbols of one symbol table section. */
static int read_symtab(struct elf_file *f, Elf *elf, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0, used = 0, cap = 0;

	if (!data)
		return -EINVAL;
	f->syms = calloc(n ? n : 1, sizeof(*f->syms));
	if (!f->syms)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		size_t len;

		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    !sym.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		len = strlen(name) + 1;
		if (used + len > cap) {
			char *names = realloc(f->names, cap = (used + len) * 2);

			if (!names)
				return -ENOMEM;
			f->names = names;
		}
		memcpy(f->names + used, name, len);
		f->syms[f->nsyms++] = (struct sym){ sym.st_value, sym.st_size, used };
		used += len;
	}
	qsort(f->syms, f->nsyms, sizeof(*f->syms), sym_cmp);
	return 0;
}

/* Reads f->fd's symbols (the worker, or the caller when synchronous); closes it. */
static int elf_file_load(struct elf_file *f)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	GElf_Shdr sh, symsh;
	size_t nphdr;
	Elf *elf;
	int err = 0;

	elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nphdr)) {
		err = -ENOEXEC;
		goto out;
	}
	f->text_vaddr = UINT64_MAX;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    ph.p_vaddr < f->text_vaddr)
			f->text_vaddr = ph.p_vaddr;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
	}
	/* A stripped binary still names its exported functions in .dynsym. */
	scn = symtab ? symtab : dynsym;
	if (f->text_vaddr == UINT64_MAX || !scn || !gelf_getshdr(scn, &symsh))
		err = -ENOENT;
	else
		err = read_symtab(f, elf, scn, &symsh);
out:
	elf_end(elf);
	close(f->fd);
	f->fd = -1;
	return err;
}

static void elf_file_free(struct elf_file *f)
{
	free(f->syms);
	free(f->names);
	free(f);
}

static struct elf_file *file_find(struct ipct_syms *s, const struct file_id *id)
{
	struct elf_file *f = s->files[id_hash(id)];

	while (f && !id_equal(&f->id, id))
		f = f->hnext;
	return f;
}

static void lru_unlink(struct ipct_syms *s, struct elf_file *f)
{
	*(f->lprev ? &f->lprev->lnext : &s->lru_head) = f->lnext;
	*(f->lnext ? &f->lnext->lprev : &s->lru_tail) = f->lprev;
	f->lprev = f->lnext = NULL;
}

static struct elf_file *file_get(struct ipct_syms *s, struct elf_file *f)
{
	if (!f->refs++ && f->state == F_READY)
		lru_unlink(s, f);
	return f;
}

/* The last user gone, a read file waits in the LRU for the next, or for eviction. */
static void file_put(struct ipct_syms *s, struct elf_file *f)
{
	if (!f || --f->refs || f->state != F_READY)
		return;
	f->lprev = NULL;
	f->lnext = s->lru_head;
	*(s->lru_head ? &s->lru_head->lprev : &s->lru_tail) = f;
	s->lru_head = f;
}

static void file_evict(struct ipct_syms *s, struct elf_file *f)
{
	struct elf_file **pp = &s->files[id_hash(&f->id)];

	lru_unlink(s, f);
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	s->st.files--;
	s->st.evicted++;
	elf_file_free(f);
}

/* To the worker: it holds a reference until the caller applies what it read. */
static void worker_queue(struct ipct_syms *s, struct elf_file *f)
{
	file_get(s, f);
	s->reading++;
	pthread_mutex_lock(&s->lock);
	f->qnext = NULL;
	*s->queue_tail = f;
	s->queue_tail = &f->qnext;
	s->queued++;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

/* A new file for fd (opened, checked, its stat st), referenced once; NULL when the cache is full of live ones. */
static struct elf_file *file_new(struct ipct_syms *s, int fd, const struct stat *st)
{
	struct elf_file *f;

	if (s->st.files >= IPCT_SYMS_FILES) {
		if (!s->lru_tail) {
			s->st.refused++;
			close(fd);
			return NULL;
		}
		file_evict(s, s->lru_tail);
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return NULL;
	}
	id_of(st, &f->id);
	f->owner = st->st_uid;
	f->mode = st->st_mode;
	f->fd = fd;
	f->refs = 1;
	f->hnext = s->files[id_hash(&f->id)];
	s->files[id_hash(&f->id)] = f;
	s->st.files++;
	s->st.loads++;
	if (s->async) {
		f->state = F_LOADING;
		worker_queue(s, f);
	} else {
		f->err = elf_file_load(f);
		f->state = F_READY;
	}
	return f;
}

/* fd if it is open on the file id, else -1 (closed). */
static int checked(int fd, const struct file_id *id, struct stat *st)
{
	struct file_id got;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) == 0) {
		id_of(st, &got);
		if (id_equal(&got, id))
			return fd;
	}
	close(fd);
	return -1;
}

/* The file p runs, found or opened (and read, or handed to the worker); NULL when it cannot be had. */
static struct elf_file *proc_file(struct ipct_syms *s, struct proc *p)
{
	char link[64];
	struct stat st;
	int fd;

	if (p->file || p->failed || !p->known)
		return p->file;
	p->file = file_find(s, &p->id);
	if (p->file)
		return file_get(s, p->file);
	/* The file as the process maps it; or, the process gone, the path, if it still holds that file. */
	snprintf(link, sizeof(link), "/proc/%u/exe", p->pid);
	fd = checked(open(link, O_RDONLY | O_CLOEXEC), &p->id, &st);
	if (fd < 0 && p->path)
		fd = checked(open(p->path, O_RDONLY | O_CLOEXEC), &p->id, &st);
	if (fd < 0) {
		s->st.changed++;
		p->failed = true;
		return NULL;
	}
	p->file = file_new(s, fd, &st);
	p->failed = !p->file;
	return p->file;
}

/* The function of f that holds vaddr (an address in the file). */
static const char *file_symbol(const struct elf_file *f, uint64_t vaddr)
{
	size_t lo = 0, hi;

	/* The last symbol starting at or below vaddr, if vaddr lies inside it. */
	hi = f->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct sym *sym = &f->syms[lo - 1];

	return vaddr < sym->addr + (sym->size ? sym->size : 1) ? f->names + sym->name : NULL;
}

/*
 * The name of the function at offset (from start_code) in a read file,
 * for a process of user uid. The daemon reads as root: it names a handler
 * only from a file that user could read (an execute-only program keeps its
 * symbols).
 */
static const char *name_in(const struct elf_file *f, uint32_t uid, uint64_t offset)
{
	if (f->err || (uid != 0 && !(f->mode & S_IROTH) && !(f->owner == uid && (f->mode & S_IRUSR))))
		return NULL;
	return file_symbol(f, offset + f->text_vaddr);
}

const char *ipct_elf_symbol(struct ipct_syms *s, const char *path, uint64_t vaddr)
{
	struct file_id id;
	struct stat st;
	struct elf_file *f;
	const char *name;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	id_of(&st, &id);
	f = file_find(s, &id);
	if (f) {
		close(fd);
		file_get(s, f);
	} else if (!(f = file_new(s, fd, &st))) {
		return NULL;
	}
	if (f->state != F_READY)
		ipct_syms_wait(s, 10000);
	name = f->state == F_READY && !f->err ? file_symbol(f, vaddr) : NULL;
	/* Cached, not held: an eviction can free what name points to only at the next file read. */
	file_put(s, f);
	return name;
}

/* ---- the worker ---- */

static void *worker_main(void *arg)
{
	struct ipct_syms *s = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct elf_file *f;

		while (!s->queue && !s->stop)
			pthread_cond_wait(&s->wake, &s->lock);
		if (s->stop)
			break;
		f = s->queue;
		s->queue = f->qnext;
		if (!s->queue)
			s->queue_tail = &s->queue;
		pthread_mutex_unlock(&s->lock);
		f->err = elf_file_load(f);
		pthread_mutex_lock(&s->lock);
		f->qnext = s->done;
		s->done = f;
		s->queued--;
		pthread_cond_broadcast(&s->read);
		if (write(s->efd, &one, sizeof(one)) < 0) {
			/* The counter cannot overflow at one per file: nothing to do. */
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int ipct_syms_fd(const struct ipct_syms *s)
{
	return s->async ? s->efd : -1;
}

unsigned ipct_syms_apply(struct ipct_syms *s)
{
	struct elf_file *f, *next;
	unsigned applied = 0;
	uint64_t n;

	if (!s->async)
		return 0;
	if (read(s->efd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing was signalled since; the list says the same. */
	}
	pthread_mutex_lock(&s->lock);
	f = s->done;
	s->done = NULL;
	pthread_mutex_unlock(&s->lock);
	for (; f; f = next) {
		next = f->qnext;
		f->state = F_READY;
		s->reading--;
		file_put(s, f);
		applied++;
	}
	return applied;
}

bool ipct_syms_wait(struct ipct_syms *s, int timeout_ms)
{
	struct timespec until;

	if (!s->async)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->lock);
	while (s->queued && pthread_cond_timedwait(&s->read, &s->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&s->lock);
	ipct_syms_apply(s);
	return s->reading == 0;
}

/* ---- life ---- */

static struct ipct_syms *syms_alloc(void)
{
	struct ipct_syms *s;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = ENOSYS;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pending_tail = &s->pending;
	s->queue_tail = &s->queue;
	s->efd = -1;
	return s;
}

struct ipct_syms *ipct_syms_new(void)
{
	return syms_alloc();
}

struct ipct_syms *ipct_syms_new_async(void)
{
	struct ipct_syms *s = syms_alloc();
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	if (!s)
		return NULL;
	s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->efd < 0) {
		err = errno;
		goto fail;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->read, &ca);
	pthread_condattr_destroy(&ca);
	/* The thread takes no signals: they are the program's (a signalfd, or their default action). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&s->worker, NULL, worker_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_cond_destroy(&s->read);
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		close(s->efd);
		goto fail;
	}
	/* Told apart from the loop's thread in ps -L and top -H, and /proc/PID/task/TID/comm. */
	pthread_setname_np(s->worker, "ipct-syms");
	s->async = true;
	return s;
fail:
	free(s);
	errno = err;
	return NULL;
}

static void proc_free(void *node)
{
	struct proc *p = node;

	free(p->path);
	free(p->exe);
	free(p->next);
	free(p);
}

void ipct_syms_free(struct ipct_syms *s)
{
	if (!s)
		return;
	if (s->async) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->worker, NULL);
		/* What the worker did not get to: its descriptors are still open. */
		for (struct elf_file *f = s->queue; f; f = f->qnext)
			close(f->fd);
		pthread_cond_destroy(&s->read);
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		close(s->efd);
	}
	while (s->pending) {
		struct ipct_sym_pending *p = s->pending;

		s->pending = p->next;
		free(p);
	}
	for (int b = 0; b < NBUCKETS; b++)
		while (s->files[b]) {
			struct elf_file *f = s->files[b];

			s->files[b] = f->hnext;
			elf_file_free(f);
		}
	tdestroy(s->procs, proc_free);
	free(s);
}

/* ---- processes ---- */

/* By pid, a proc's first member: a bare pid is a key (no struct to fill per lookup). */
static int proc_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct proc *proc_find(struct ipct_syms *s, uint32_t pid)
{
	void *node = tfind(&pid, &s->procs, proc_cmp);

	return node ? *(struct proc **)node : NULL;
}

static struct proc *proc_add(struct ipct_syms *s, uint32_t pid)
{
	struct proc *p = proc_find(s, pid), **node;

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	node = tsearch(p, &s->procs, proc_cmp);
	if (!node) {
		free(p);
		return NULL;
	}
	return *node;
}

/* What the process ran forgets the file it ran. */
static void proc_reset(struct ipct_syms *s, struct proc *p)
{
	file_put(s, p->file);
	p->file = NULL;
	p->failed = false;
	p->known = false;
	p->last_addr = 0;
	free(p->path);
	p->path = NULL;
	free(p->exe);
	p->exe = NULL;
	free(p->next);
	p->next = NULL;
}

/*
 * One EXE_PATH record of an exec to come: its parts come in order, the
 * first at offset 0; one missing (lost) leaves no path.
 */
static void exe_part(struct proc *p, const struct ipct_exepath *x)
{
	size_t n;

	if (!x->off) {
		free(p->next);
		p->next = x->len && x->len <= IPCT_EXE_PATH_MAX ? calloc(1, x->len + 1u) : NULL;
		p->next_len = x->len;
		p->next_have = 0;
		p->next_cut = x->cut;
	}
	if (!p->next || x->off != p->next_have || x->len != p->next_len) {
		free(p->next);
		p->next = NULL;
		return;
	}
	n = x->len - x->off < IPCT_EXE_PART_LEN ? x->len - x->off : IPCT_EXE_PART_LEN;
	memcpy(p->next + x->off, x->part, n);
	p->next_have += n;
}

/* The path put together for the exec now seen, if whole (the caller frees it). */
static char *exe_take(struct proc *p, bool *cut)
{
	char *path = p->next && p->next_have == p->next_len ? p->next : NULL;

	if (!path)
		free(p->next);
	p->next = NULL;
	*cut = p->next_cut;
	return path;
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* mm->start_code and end_code of a live process: fields 26 and 27 of its stat. */
static bool proc_text(uint32_t pid, uint64_t *start, uint64_t *end)
{
	unsigned long long a, b;
	char path[64], line[1024], *f;
	FILE *stat;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	stat = fopen(path, "re");
	if (!stat)
		return false;
	f = fgets(line, sizeof(line), stat) ? strrchr(line, ')') : NULL;
	fclose(stat);
	for (int field = 2; f && field < 26; field++)
		f = strchr(f + 1, ' ');
	if (!f || sscanf(f, " %llu %llu", &a, &b) != 2)
		return false;
	*start = a;
	*end = b;
	return true;
}

/*
 * The file process pid runs now (/proc/PID/exe) becomes p's, with its path
 * for when the process is gone: false when it is gone already. The path is
 * read first: a process that exits between the two calls is gone for both,
 * never known by a file it leaves no path to.
 */
static bool running_file(struct proc *p, uint32_t pid)
{
	char link[64], buf[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0 || stat(link, &st) != 0)
		return false;
	buf[n] = 0;
	p->path = strdup(buf);
	id_of(&st, &p->id);
	p->known = true;
	return true;
}

/*
 * Which file the exec of e ran. While the process still runs that program
 * (its text where the event says: not gone, nor exec'd again),
 * /proc/PID/exe is it, even if its path now names a rebuild. Else the
 * file at the path, unless its ctime is after the exec (the event's time,
 * CLOCK_BOOTTIME, in wall-clock time). Relative paths are taken from our
 * directory: a private daemon's is the `ipctrace run` that started it, and
 * `run` execs its command by an absolute path (cli/run.c) for any other.
 * A traced program's own exec of a relative path is its directory's, which
 * /proc/PID/cwd would tell only while it lives, when /proc/PID/exe does.
 */
static void exec_file(struct proc *p, const struct ipct_event *e)
{
	char buf[PATH_MAX], named[IPCT_PATH_LEN + 1];
	const char *path = named;
	uint64_t start, end;
	struct stat st;

	if (proc_text(e->pid, &start, &end) && start == e->proc.text_start && end == e->proc.text_end &&
	    running_file(p, e->pid))
		return;
	/* A relative name, or one cut in the record: the kernel gave the file's whole path. */
	if (p->exe && !p->exe_cut)
		path = p->exe;
	else
		snprintf(named, sizeof(named), "%.*s", IPCT_PATH_LEN, e->proc.path);
	p->path = strdup(realpath(path, buf) ? buf : path);
	if (p->path && stat(p->path, &st) == 0 &&
	    (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec <=
		    clock_ns(CLOCK_REALTIME) - (clock_ns(CLOCK_BOOTTIME) - (int64_t)e->ts_ns)) {
		id_of(&st, &p->id);
		p->known = true;
	}
}

/* A reference to the name at addr in p's file (p->file known), whenever that file is read. */
static struct ipct_sym_pending *pending_new(struct ipct_syms *s, struct proc *p, uint64_t addr)
{
	struct ipct_sym_pending *d = calloc(1, sizeof(*d));

	if (d)
		*d = (struct ipct_sym_pending){ .uid = p->uid, .offset = addr - p->text_start,
						.file = file_get(s, p->file) };
	return d;
}

/*
 * A handler delivered while its file is being read: kept with a reference
 * to the file, for the record of that delivery to take.
 */
static void defer(struct ipct_syms *s, struct proc *p, const struct ipct_event *e)
{
	struct ipct_sym_pending *d;

	if (s->st.pending >= PENDING_MAX) {
		d = s->pending;
		s->pending = d->next;
		if (!s->pending)
			s->pending_tail = &s->pending;
		s->st.pending--;
		ipct_sym_pending_free(s, d);
	}
	d = pending_new(s, p, e->sig.handler);
	if (!d)
		return;
	d->tid = e->tid;
	d->ts_ns = e->ts_ns;
	*s->pending_tail = d;
	s->pending_tail = &d->next;
	s->st.pending++;
}

static bool in_text(const struct proc *p, uint64_t addr)
{
	return addr >= p->text_start && addr < p->text_end;
}

/*
 * A process first seen delivering to a handler ran before the trace began
 * (attach -p, trace --all): what its exec event would have told, from
 * /proc while it lives.
 */
static void proc_learn(struct ipct_syms *s, const struct ipct_event *e)
{
	uint64_t start, end;
	struct proc *p;

	if (!proc_text(e->pid, &start, &end) || !start || !(p = proc_add(s, e->pid)))
		return;
	p->uid = e->uid;
	p->text_start = start;
	p->text_end = end;
	running_file(p, e->pid);
}

void ipct_syms_other(struct ipct_syms *s, const struct ipct_event *e)
{
	struct proc *p, *parent;
	char *exe;
	bool cut;

	switch (e->type) {
	case IPCT_EV_EXE_PATH:
		p = proc_add(s, e->pid);
		if (p)
			exe_part(p, &e->exe);
		break;
	case IPCT_EV_EXEC:
		p = proc_add(s, e->pid);
		if (!p)
			return;
		exe = exe_take(p, &cut);
		proc_reset(s, p);
		p->exe = exe;
		p->exe_cut = cut;
		p->uid = e->uid;
		p->text_start = e->proc.text_start;
		p->text_end = e->proc.text_end;
		exec_file(p, e);
		break;
	case IPCT_EV_FORK:
		parent = proc_find(s, e->pid);
		p = parent ? proc_add(s, e->proc.child_pid) : NULL;
		if (!p)
			return;
		proc_reset(s, p);
		p->uid = parent->uid;
		p->known = parent->known;
		p->failed = parent->failed;
		p->id = parent->id;
		p->path = parent->path ? strdup(parent->path) : NULL;
		p->text_start = parent->text_start;
		p->text_end = parent->text_end;
		p->file = parent->file ? file_get(s, parent->file) : NULL;
		break;
	case IPCT_EV_EXIT:
		p = proc_find(s, e->pid);
		if (p) {
			proc_reset(s, p);
			tdelete(p, &s->procs, proc_cmp);
			proc_free(p);
		}
		break;
	case IPCT_EV_SYSCALL:
		/* A handler installed: its file is read from now, ahead of the first delivery. */
		if (s->async && e->nr == SYS_rt_sigaction && !e->sys.ret && (e->flags & IPCT_F_NEW_VALID) &&
		    e->sys.x[0] > 1 && (p = proc_find(s, e->pid)) && in_text(p, e->sys.x[0]))
			proc_file(s, p);
		break;
	case IPCT_EV_SIGNAL_DELIVER:
		if (e->sig.handler > 1 && !proc_find(s, e->pid))
			proc_learn(s, e);
		/* The record of this delivery will want its handler's name: it can have it later. */
		p = proc_find(s, e->pid);
		if (s->async && p && in_text(p, e->sig.handler) && proc_file(s, p) &&
		    p->file->state == F_LOADING)
			defer(s, p, e);
		break;
	}
}

const char *ipct_syms_exe_path(struct ipct_syms *s, uint32_t pid, bool *cut)
{
	struct proc *p = proc_find(s, pid);

	if (!p || !p->exe)
		return NULL;
	*cut = p->exe_cut;
	return p->exe;
}

const char *ipct_syms_resolve(struct ipct_syms *s, uint32_t pid, uint64_t addr)
{
	struct proc *p = proc_find(s, pid);
	const struct elf_file *f;

	if (!p || !in_text(p, addr))
		return NULL;
	f = proc_file(s, p);
	if (!f || f->state != F_READY)
		return NULL;
	/* A process delivers to the same few handlers over and over. */
	if (addr == p->last_addr)
		return p->last_name;
	p->last_addr = addr;
	p->last_name = name_in(f, p->uid, addr - p->text_start);
	return p->last_name;
}

/* ---- names given later ---- */

struct ipct_sym_pending *ipct_syms_take_pending(struct ipct_syms *s, uint32_t tid, uint64_t ts_ns)
{
	struct ipct_sym_pending **pp = &s->pending, *d;

	for (; (d = *pp); pp = &d->next) {
		if (d->tid != tid || d->ts_ns != ts_ns)
			continue;
		*pp = d->next;
		if (s->pending_tail == &d->next)
			s->pending_tail = pp;
		s->st.pending--;
		d->next = NULL;
		return d;
	}
	return NULL;
}

struct ipct_sym_pending *ipct_syms_hold(struct ipct_syms *s, uint32_t pid, uint64_t addr)
{
	struct proc *p = proc_find(s, pid);

	return p && in_text(p, addr) && proc_file(s, p) ? pending_new(s, p, addr) : NULL;
}

bool ipct_sym_pending_name(const struct ipct_sym_pending *p, const char **name)
{
	if (p->file->state != F_READY)
		return false;
	*name = name_in(p->file, p->uid, p->offset);
	return true;
}

struct ipct_sym_pending *ipct_sym_pending_dup(struct ipct_syms *s, const struct ipct_sym_pending *p)
{
	struct ipct_sym_pending *d = malloc(sizeof(*d));

	if (d) {
		*d = *p;
		d->next = NULL;
		file_get(s, d->file);
	}
	return d;
}

void ipct_sym_pending_free(struct ipct_syms *s, struct ipct_sym_pending *p)
{
	if (!p)
		return;
	file_put(s, p->file);
	free(p);
}

void ipct_syms_stats(const struct ipct_syms *s, struct ipct_syms_stats *st)
{
	*st = s->st;
}
