// SPDX-License-Identifier: MIT
// Example "POSIX semaphores": `semposix [leak]` makes the named semaphore /ipctrace-semposix-PID
// (sem_open O_CREAT, value 0) and an unnamed process-shared one (sem_init pshared=1) in shared
// anonymous memory. It forks a first child, which lets both go (sem_close, munmap) and exits:
// the others still have them. Then it forks a second child, which inherits both. For each
// semaphore in turn: the
// parent first takes it with sem_wait while the child has posted it already (no wait, no
// syscall), then with sem_trywait, which fails with EAGAIN (so the sem_wait that follows
// sleeps); the child waits until the parent sleeps in futex, sleeps 200 ms and posts it (a
// futex wake of the parent). The parent measures how long its sem_wait took (CLOCK_MONOTONIC).
// Last, the parent removes the name with sem_unlink (with `leak` it does not: rm
// /dev/shm/sem.NAME removes it), and makes a second named semaphore, NAME-b, by hand as sem_open
// does but with linkat (what a C library without a link syscall does): a file under a
// temporary name, linked in place, the temporary name unlinked; then removes it with
// sem_unlink. The report has the names, the waits that slept with their times, and the posts
// that woke a sleeper.
//
// `semposix deadlock`: two named semaphores, value 0; the parent waits on the first before it
// would post the second, the child on the second before it would post the first. Neither
// ever posts: both sleep until killed. The report (written before they sleep) has the names
// and the pids; the test removes the names.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "example.h"

#define HOLD_NS 200000000L      /* how long the child holds the parent back */

struct shared {
	int posted[2];          /* the child has made its first post of semaphore i */
	int taken[2];           /* the parent has taken it: the child may hold it back */
	long long blocked_ns[2];        /* the parent's sem_wait that slept, as it measured it */
	int slept[2], woke[2];  /* sem_waits that slept (sem_trywait said EAGAIN), posts that woke one */
};

static sem_t *open_sem(const char *name, unsigned value)
{
	sem_t *s = sem_open(name, O_CREAT | O_EXCL, 0600, value);

	if (s == SEM_FAILED)
		die("sem_open");
	return s;
}

static void sem_wait_all(sem_t *s)
{
	while (sem_wait(s) < 0)
		if (errno != EINTR)
			die("sem_wait");
}

/* The parent's side for semaphore i: an uncontended sem_wait, then one that sleeps. */
static void taker(sem_t *s, int i, struct shared *sh)
{
	long long t0;

	wait_nonzero(&sh->posted[i]);
	sem_wait_all(s);
	if (sem_trywait(s) == 0 || errno != EAGAIN)
		fail("sem_trywait: the semaphore should be 0");
	sh->slept[i]++;
	set_and_wake(&sh->taken[i]);
	t0 = now_ns();
	sem_wait_all(s);
	sh->blocked_ns[i] = now_ns() - t0;
}

/* The child's side: a post with nobody waiting, then one once the parent sleeps in sem_wait. */
static void poster(sem_t *s, int i, struct shared *sh)
{
	struct timespec hold = { 0, HOLD_NS };

	if (sem_post(s) < 0)
		die("sem_post");
	set_and_wake(&sh->posted[i]);
	wait_nonzero(&sh->taken[i]);
	wait_in_syscall(getppid(), SYS_futex, "the parent's sem_wait");
	while (nanosleep(&hold, &hold) < 0)
		if (errno != EINTR)
			die("nanosleep");
	if (sem_post(s) < 0)
		die("sem_post");
	sh->woke[i]++;
}

/* A named semaphore made as sem_open makes one, with linkat for link. */
static void make_by_linkat(const char *name)
{
	char tmp[96], path[96];
	sem_t init;
	int fd;

	snprintf(tmp, sizeof(tmp), "/dev/shm/sem.%s-tmp", name + 1);
	snprintf(path, sizeof(path), "/dev/shm/sem.%s", name + 1);
	fd = open(tmp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		die("open");
	if (sem_init(&init, 1, 1) < 0 || write(fd, &init, sizeof(init)) != sizeof(init))
		die("write");
	if (linkat(AT_FDCWD, tmp, AT_FDCWD, path, 0) < 0)
		die("linkat");
	if (unlink(tmp) < 0)
		die("unlink");
	close(fd);
}

static int deadlock(void)
{
	char a[64], b[64];
	sem_t *sa, *sb;
	pid_t pid;
	FILE *f;

	snprintf(a, sizeof(a), "/ipctrace-semposix-%d-a", (int)getpid());
	snprintf(b, sizeof(b), "/ipctrace-semposix-%d-b", (int)getpid());
	sa = open_sem(a, 0);
	sb = open_sem(b, 0);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		sem_wait_all(sb);
		sem_post(sa);
		_exit(EXIT_SUCCESS);
	}
	f = report_open(stderr);
	fprintf(f, "{\"parent\":%d,\"child\":%d,\"names\":[\"%s\",\"%s\"]}\n", (int)getpid(), (int)pid, a, b);
	report_close(f);
	sem_wait_all(sa);
	sem_post(sb);
	return exited_ok("child", pid, wait_child(pid)) ? EXIT_SUCCESS : EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	bool leak = argc == 2 && !strcmp(argv[1], "leak");
	char name[64], alias[80];
	struct shared *sh;
	sem_t *named, *anon;
	pid_t pid, closer;
	FILE *f;

	ex_init("semposix");
	if (argc == 2 && !strcmp(argv[1], "deadlock"))
		return deadlock();
	if (argc > 2 || (argc == 2 && !leak))
		usage("[leak | deadlock]");
	snprintf(name, sizeof(name), "/ipctrace-semposix-%d", (int)getpid());
	sh = shared_alloc(sizeof(*sh));
	named = open_sem(name, 0);
	anon = mmap(NULL, sizeof(*anon), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		die("mmap");
	if (sem_init(anon, 1, 0) < 0)
		die("sem_init");
	closer = fork();
	if (closer < 0)
		die("fork");
	if (closer == 0) {
		if (sem_close(named) < 0 || munmap(anon, sizeof(*anon)) < 0)
			die("sem_close");
		_exit(EXIT_SUCCESS);
	}
	if (!exited_ok("first child", closer, wait_child(closer)))
		return EXIT_FAILURE;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		poster(named, 0, sh);
		poster(anon, 1, sh);
		_exit(EXIT_SUCCESS);
	}
	taker(named, 0, sh);
	taker(anon, 1, sh);
	if (!exited_ok("child", pid, wait_child(pid)))
		return EXIT_FAILURE;
	if (sem_close(named) < 0 || sem_destroy(anon) < 0)
		die("sem_close");
	if (!leak && sem_unlink(name) < 0)
		die("sem_unlink");
	snprintf(alias, sizeof(alias), "%s-b", name);
	make_by_linkat(alias);
	if (sem_unlink(alias) < 0)
		die("sem_unlink");
	f = report_open(stderr);
	fprintf(f, "{\"parent\":%d,\"closer\":%d,\"child\":%d,\"name\":\"%s\",\"alias\":\"%s\",\"anon_addr\":\"%p\",\"leaked\":%s,",
		(int)getpid(), (int)closer, (int)pid, name, alias, (void *)anon, leak ? "true" : "false");
	fprintf(f, "\"named\":{\"slept\":%d,\"woke\":%d,\"blocked_ns\":%lld},", sh->slept[0], sh->woke[0],
		sh->blocked_ns[0]);
	fprintf(f, "\"unnamed\":{\"slept\":%d,\"woke\":%d,\"blocked_ns\":%lld}}\n", sh->slept[1], sh->woke[1],
		sh->blocked_ns[1]);
	report_close(f);
	return EXIT_SUCCESS;
}
