// SPDX-License-Identifier: MIT
// Example "POSIX shared memory": `shmposix [N] [leak]` makes /ipctrace-shmposix-PID with
// shm_open, sizes it with ftruncate, maps it (mmap MAP_SHARED) and closes its descriptor; it
// also maps shared anonymous memory, then forks a consumer, which inherits both mappings. The
// producer writes N numbers into the named object, one at a time; the consumer opens it
// again read-only, maps it once more (PROT_READ), adds the numbers up and writes the sum into
// the anonymous mapping. The consumer unmaps its own mapping and the inherited one of the
// named object, and exits with the anonymous one still mapped (exit drops it). The producer
// reads the sum, unmaps both and removes the name with shm_unlink; with `leak` it does not:
// the object outlives the program (rm /dev/shm/NAME removes it). Last, it makes a second
// object, NAME-2, closes it and removes it with unlinkat of its path under /dev/shm (what a C
// library without an unlink syscall does). Each process reports its shm_open, mmap and
// munmap calls; the report has the names and the sizes.

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "example.h"

#define SIZE 8192               /* the named object: room for the numbers */
#define ANON_SIZE (3 * 4096)    /* the anonymous mapping */
#define MAX_N 1000

struct data {
	long n;
	long values[MAX_N];
};

struct side {
	int opens, maps, unmaps;
};

struct shared {
	int turn[MAX_N];        /* value i is in the object */
	int done;               /* the consumer has written the sum */
	struct side prod, cons;
};

static int open_shm(const char *name, int flags, struct side *s)
{
	int fd = shm_open(name, flags, 0600);

	if (fd < 0)
		die("shm_open");
	s->opens++;
	return fd;
}

static void *map(size_t len, int prot, int flags, int fd, struct side *s)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED | flags, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	s->maps++;
	return p;
}

static void unmap(void *p, size_t len, struct side *s)
{
	if (munmap(p, len) < 0)
		die("munmap");
	s->unmaps++;
}

static void consumer(const char *name, struct data *inherited, long *sum, struct shared *sh)
{
	int fd = open_shm(name, O_RDONLY, &sh->cons);
	const struct data *ro = map(SIZE, PROT_READ, 0, fd, &sh->cons);
	long total = 0;

	close(fd);
	for (long i = 0; i < ro->n; i++) {
		wait_nonzero(&sh->turn[i]);
		total += ro->values[i];
	}
	*sum = total;
	set_and_wake(&sh->done);
	unmap((void *)ro, SIZE, &sh->cons);
	unmap(inherited, SIZE, &sh->cons);
}

static void report_side(FILE *f, const char *role, int pid, const struct side *s)
{
	fprintf(f, "\"%s\":{\"pid\":%d,\"opens\":%d,\"maps\":%d,\"unmaps\":%d},", role, pid, s->opens, s->maps,
		s->unmaps);
}

int main(int argc, char **argv)
{
	bool leak = argc > 1 && !strcmp(argv[argc - 1], "leak");
	long n, expect = 0, *sum;
	struct shared *sh;
	struct data *data;
	char name[64], path[96];
	pid_t pid;
	FILE *f;
	int fd;

	ex_init("shmposix");
	n = count_arg(argc - leak, argv, 16, MAX_N);
	snprintf(name, sizeof(name), "/ipctrace-shmposix-%d", (int)getpid());
	sh = shared_alloc(sizeof(*sh));
	fd = open_shm(name, O_CREAT | O_EXCL | O_RDWR, &sh->prod);
	if (ftruncate(fd, SIZE) < 0)
		die("ftruncate");
	data = map(SIZE, PROT_READ | PROT_WRITE, 0, fd, &sh->prod);
	close(fd);
	sum = map(ANON_SIZE, PROT_READ | PROT_WRITE, MAP_ANONYMOUS, -1, &sh->prod);
	data->n = n;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		consumer(name, data, sum, sh);
		_exit(EXIT_SUCCESS);
	}
	for (long i = 0; i < n; i++) {
		data->values[i] = i * 3 + 2;
		expect += data->values[i];
		set_and_wake(&sh->turn[i]);
	}
	wait_nonzero(&sh->done);
	if (*sum != expect)
		fail("the consumer's sum is %ld, not %ld", *sum, expect);
	if (!exited_ok("consumer", pid, wait_child(pid)))
		return EXIT_FAILURE;
	f = report_open(stderr);
	fputc('{', f);
	fprintf(f, "\"anon_addr\":\"%p\",", (void *)sum);
	unmap(sum, ANON_SIZE, &sh->prod);
	unmap(data, SIZE, &sh->prod);
	if (!leak && shm_unlink(name) < 0)
		die("shm_unlink");
	snprintf(path, sizeof(path), "/dev/shm%s-2", name);
	close(open_shm(path + strlen("/dev/shm"), O_CREAT | O_EXCL | O_RDWR, &sh->prod));
	if (unlinkat(AT_FDCWD, path, 0) < 0)
		die("unlinkat");
	report_side(f, "producer", (int)getpid(), &sh->prod);
	report_side(f, "consumer", (int)pid, &sh->cons);
	fprintf(f, "\"name\":\"%s\",\"second\":\"%s\",\"size\":%d,\"anon_size\":%d,\"leaked\":%s,\"sum\":%ld}\n", name,
		path + strlen("/dev/shm"), SIZE, ANON_SIZE, leak ? "true" : "false", expect);
	report_close(f);
	return EXIT_SUCCESS;
}
