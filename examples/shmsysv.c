// SPDX-License-Identifier: MIT
// Example "System V shared memory": `shmsysv [N] [leak]` makes a segment with key 0x5d00PPPP
// (PPPP from its pid) and a private one (IPC_PRIVATE), attaches both and forks a consumer,
// which inherits both attachments. The producer writes N numbers into the first segment, one
// at a time; the consumer, which attached it once more read-only (SHM_RDONLY), adds them up
// and writes the sum into the private one. The consumer detaches what it attached and the
// private segment it inherited, and exits with the first one's inherited attachment still
// there (exit drops it). The producer reads the sum, checks the first segment's size with
// IPC_STAT, removes it with IPC_RMID while still attached (the kernel frees it at the last
// detach), then detaches both and removes the private one. With `leak`, the first segment is
// not removed: it outlives the program (ipcrm -m ID removes it). Each process reports its
// own attaches and detaches; the report has each segment's id, key and size, and
// the producer's shmctl calls.

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "example.h"

#define DATA_SIZE 6000          /* the first segment: room for the numbers */
#define SUM_SIZE 12345          /* the private one: an odd size, not a page */
#define MAX_N 1000

struct data {
	long n;
	long values[MAX_N];
};

struct side {
	int attaches, detaches;
};

struct shared {
	int turn[MAX_N];        /* value i is in the segment */
	int done;               /* the consumer has written the sum */
	struct side prod, cons;
};

static void *attach(int id, int flags, struct side *s)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		die("shmat");
	s->attaches++;
	return p;
}

static void detach(const void *p, struct side *s)
{
	if (shmdt(p) < 0)
		die("shmdt");
	s->detaches++;
}

static void consumer(int data_id, long *sum, struct shared *sh)
{
	const struct data *ro = attach(data_id, SHM_RDONLY, &sh->cons);
	long total = 0;

	for (long i = 0; i < ro->n; i++) {
		wait_nonzero(&sh->turn[i]);
		total += ro->values[i];
	}
	*sum = total;
	set_and_wake(&sh->done);
	detach(ro, &sh->cons);
	/* The private segment came with the fork: detached by address, as any other. */
	detach(sum, &sh->cons);
}

static void report_side(FILE *f, const char *role, int pid, const struct side *s)
{
	fprintf(f, "\"%s\":{\"pid\":%d,\"attaches\":%d,\"detaches\":%d},", role, pid, s->attaches, s->detaches);
}

int main(int argc, char **argv)
{
	key_t key = (key_t)(0x5d000000 | (getpid() & 0xffff));
	bool leak = argc > 1 && !strcmp(argv[argc - 1], "leak");
	long n, expect = 0, *sum;
	struct shmid_ds ds;
	struct shared *sh;
	struct data *data;
	int data_id, sum_id, ctls = 0;
	pid_t pid;
	FILE *f;

	ex_init("shmsysv");
	n = count_arg(argc - leak, argv, 16, MAX_N);
	sh = shared_alloc(sizeof(*sh));
	data_id = shmget(key, DATA_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (data_id < 0)
		die("shmget");
	sum_id = shmget(IPC_PRIVATE, SUM_SIZE, 0600);
	if (sum_id < 0)
		die("shmget IPC_PRIVATE");
	data = attach(data_id, 0, &sh->prod);
	sum = attach(sum_id, 0, &sh->prod);
	data->n = n;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		consumer(data_id, sum, sh);
		_exit(EXIT_SUCCESS);
	}
	for (long i = 0; i < n; i++) {
		data->values[i] = i * 7 + 1;
		expect += data->values[i];
		set_and_wake(&sh->turn[i]);
	}
	wait_nonzero(&sh->done);
	if (*sum != expect)
		fail("the consumer's sum is %ld, not %ld", *sum, expect);
	if (!exited_ok("consumer", pid, wait_child(pid)))
		return EXIT_FAILURE;
	if (shmctl(data_id, IPC_STAT, &ds) < 0)
		die("shmctl IPC_STAT");
	ctls++;
	if (ds.shm_segsz != DATA_SIZE || ds.shm_nattch != 1)
		fail("IPC_STAT: size %zu, %lu attached", ds.shm_segsz, (unsigned long)ds.shm_nattch);
	if (!leak && shmctl(data_id, IPC_RMID, NULL) < 0)
		die("shmctl IPC_RMID");
	ctls += !leak;
	detach(data, &sh->prod);
	detach(sum, &sh->prod);
	if (shmctl(sum_id, IPC_RMID, NULL) < 0)
		die("shmctl IPC_RMID");
	ctls++;
	f = report_open(stderr);
	fputc('{', f);
	report_side(f, "producer", (int)getpid(), &sh->prod);
	report_side(f, "consumer", (int)pid, &sh->cons);
	fprintf(f, "\"segments\":[{\"id\":%d,\"key\":%d,\"size\":%d},{\"id\":%d,\"key\":0,\"size\":%d}],"
		"\"shmctl_calls\":%d,\"leaked\":%s,\"sum\":%ld}\n", data_id, (int)key, DATA_SIZE, sum_id,
		SUM_SIZE, ctls, leak ? "true" : "false", expect);
	report_close(f);
	return EXIT_SUCCESS;
}
