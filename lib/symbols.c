// SPDX-License-Identifier: MIT
/*
 * Handler addresses to function names. The exec event carries the path and
 * mm->start_code, which the kernel sets to the load bias plus the lowest
 * p_vaddr of the executable PT_LOAD segments; so an address a in the
 * process is a - start_code + that p_vaddr in the file, whatever ASLR did.
 * This works after the process has exited, which /proc/PID/maps would not.
 *
 * Files are read once with libelf (.symtab, else .dynsym); processes are
 * kept in a tsearch(3) tree by pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols.h"

struct sym {
	uint64_t addr;
	uint64_t size;
	char *name;
};

struct elf_file {
	char *path;
	int err;                /* 0, or why the file has no symbols */
	uid_t owner;            /* the file as opened: who may read it */
	mode_t mode;
	uint64_t text_vaddr;
	struct sym *syms;
	size_t nsyms;
	struct elf_file *next;
};

struct proc {
	uint32_t pid;
	uint32_t uid;           /* the user it runs as */
	char path[PATH_MAX];
	uint64_t text_start, text_end;
	struct elf_file *file;  /* path's, once a handler was looked up */
	uint64_t last_addr;     /* the last address resolved, and its name */
	const char *last_name;
};

struct ipct_syms {
	struct elf_file *files;
	void *procs;            /* tsearch tree of struct proc */
};

/* By pid, a proc's first member: a bare pid is a key (no 4 KiB struct to clear per lookup). */
static int proc_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct ipct_syms *ipct_syms_new(void)
{
	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = ENOSYS;
		return NULL;
	}
	return calloc(1, sizeof(struct ipct_syms));
}

static void elf_file_free(struct elf_file *f)
{
	for (size_t i = 0; i < f->nsyms; i++)
		free(f->syms[i].name);
	free(f->syms);
	free(f->path);
	free(f);
}

void ipct_syms_free(struct ipct_syms *s)
{
	if (!s)
		return;
	while (s->files) {
		struct elf_file *next = s->files->next;

		elf_file_free(s->files);
		s->files = next;
	}
	tdestroy(s->procs, free);
	free(s);
}

/* Collects the function symbols of one symbol table section. */
static int read_symtab(struct elf_file *f, Elf *elf, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	if (!data)
		return -EINVAL;
	f->syms = calloc(n ? n : 1, sizeof(*f->syms));
	if (!f->syms)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    !sym.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		f->syms[f->nsyms].addr = sym.st_value;
		f->syms[f->nsyms].size = sym.st_size;
		f->syms[f->nsyms].name = strdup(name);
		if (!f->syms[f->nsyms].name)
			return -ENOMEM;
		f->nsyms++;
	}
	qsort(f->syms, f->nsyms, sizeof(*f->syms), sym_cmp);
	return 0;
}

static int elf_file_load(struct elf_file *f)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	GElf_Shdr sh, symsh;
	struct stat st;
	size_t nphdr;
	Elf *elf;
	int fd, err = 0;

	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0) {
		f->owner = st.st_uid;
		f->mode = st.st_mode;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
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
	close(fd);
	return err;
}

static struct elf_file *elf_file_get(struct ipct_syms *s, const char *path)
{
	struct elf_file *f;

	for (f = s->files; f; f = f->next)
		if (!strcmp(f->path, path))
			return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = strdup(path);
	if (!f->path) {
		free(f);
		return NULL;
	}
	f->err = elf_file_load(f);
	f->next = s->files;
	s->files = f;
	return f;
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

	return vaddr < sym->addr + (sym->size ? sym->size : 1) ? sym->name : NULL;
}

const char *ipct_elf_symbol(struct ipct_syms *s, const char *path, uint64_t vaddr)
{
	struct elf_file *f = elf_file_get(s, path);

	return f && !f->err ? file_symbol(f, vaddr) : NULL;
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

/* The executable as an absolute path: the process's own link while it lives,
 * else the exec path (relative ones are taken from our directory, which a
 * traced command starts in). */
static void exe_path(const struct ipct_event *e, char *buf, size_t len)
{
	char link[64], path[IPCT_PATH_LEN + 1];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/exe", e->pid);
	n = readlink(link, buf, len - 1);
	if (n > 0) {
		buf[n] = 0;
		return;
	}
	snprintf(path, sizeof(path), "%.*s", IPCT_PATH_LEN, e->proc.path);
	if (!realpath(path, buf))
		snprintf(buf, len, "%s", path);
}

/*
 * A process first seen delivering to a handler ran before the trace began
 * (attach -p, trace --all): what its exec event would have told, from
 * /proc while it lives. mm->start_code and end_code are the 26th and 27th
 * fields of its stat; the 3rd follows the ')' that ends the name.
 */
static void proc_learn(struct ipct_syms *s, const struct ipct_event *e)
{
	unsigned long long start, end;
	char path[64], line[1024], *f;
	struct proc *p;
	FILE *stat;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/stat", e->pid);
	stat = fopen(path, "re");
	if (!stat)
		return;
	f = fgets(line, sizeof(line), stat) ? strrchr(line, ')') : NULL;
	fclose(stat);
	for (int field = 2; f && field < 26; field++)
		f = strchr(f + 1, ' ');
	if (!f || sscanf(f, " %llu %llu", &start, &end) != 2 || !start || !(p = proc_add(s, e->pid)))
		return;
	snprintf(path, sizeof(path), "/proc/%u/exe", e->pid);
	n = readlink(path, p->path, sizeof(p->path) - 1);
	p->path[n > 0 ? n : 0] = 0;
	p->uid = e->uid;
	p->text_start = start;
	p->text_end = end;
}

void ipct_syms_on_event(struct ipct_syms *s, const struct ipct_event *e)
{
	struct proc *p, *parent, key;

	switch (e->type) {
	case IPCT_EV_SIGNAL_DELIVER:
		if (e->sig.handler > 1 && !proc_find(s, e->pid))
			proc_learn(s, e);
		break;
	case IPCT_EV_EXEC:
		p = proc_add(s, e->pid);
		if (!p)
			return;
		exe_path(e, p->path, sizeof(p->path));
		p->file = NULL;
		p->last_addr = 0;
		p->uid = e->uid;
		p->text_start = e->proc.text_start;
		p->text_end = e->proc.text_end;
		break;
	case IPCT_EV_FORK:
		parent = proc_find(s, e->pid);
		if (!parent)
			return;
		key = *parent;
		p = proc_add(s, e->proc.child_pid);
		if (p) {
			key.pid = p->pid;
			*p = key;
		}
		break;
	case IPCT_EV_EXIT:
		p = proc_find(s, e->pid);
		if (p) {
			tdelete(p, &s->procs, proc_cmp);
			free(p);
		}
		break;
	}
}

const char *ipct_syms_resolve(struct ipct_syms *s, uint32_t pid, uint64_t addr)
{
	struct proc *p = proc_find(s, pid);
	const struct elf_file *f;

	if (!p || addr < p->text_start || addr >= p->text_end)
		return NULL;
	/* A process delivers to the same few handlers over and over. */
	if (addr == p->last_addr)
		return p->last_name;
	if (!p->file)
		p->file = elf_file_get(s, p->path);
	f = p->file;
	/*
	 * The daemon reads as root: it names a handler only from a file the
	 * process's own user could read (an execute-only program keeps its
	 * symbols, and swapping the path under us gains nothing).
	 */
	if (!f || f->err ||
	    (p->uid != 0 && !(f->mode & S_IROTH) && !(f->owner == p->uid && (f->mode & S_IRUSR))))
		return NULL;
	p->last_addr = addr;
	p->last_name = file_symbol(f, addr - p->text_start + f->text_vaddr);
	return p->last_name;
}
