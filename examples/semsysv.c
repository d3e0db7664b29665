// SPDX-License-Identifier: MIT
// Example "a System V semaphore set": `semsysv [N]` makes a set of two semaphores, #0 the
// items and #1 the free slots (SETALL 0, 2), and forks a consumer. The producer puts N items:
// a down on #1, then an up on #0; the consumer takes them: a down on #0, then an up on #1.
// Before that, the consumer tries a down on #0 with IPC_NOWAIT (EAGAIN: the set is still
// empty), and then blocks in its first down until the producer, once it sees the consumer
// asleep in the call, has slept 200 ms: the consumer measures how long that down blocked. At
// the end, the consumer makes one semop of two operations (an up on each: the semop call
// itself, where the C library's semop makes the semtimedop call) and one wait for
// zero on #0; the producer sets #0 back to 0 (SETVAL), reads it (GETVAL), and removes the set
// (IPC_RMID). Each process reports its semop calls (the parent its semctl calls too), and
// per semaphore its operations, the units it added (ups) and took (downs), and its EAGAINs.

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "example.h"

#define HOLD_MS 200

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

struct side {
	int calls, raw, eagain;
	int ops[2], ups[2], downs[2];
};

struct shared {
	int cons_ready;         /* the consumer has had its EAGAIN */
	long long blocked_ns;   /* the consumer's first down, as it measured it */
	struct side prod, cons;
};

/*
 * One semop of n operations: counted, per semaphore, unless it failed. The
 * C library's semop is the semtimedop call; raw makes the semop call itself.
 */
static int sem_ops(int id, struct sembuf *ops, size_t n, struct side *s, bool raw)
{
	if ((raw ? syscall(SYS_semop, id, ops, n) : semop(id, ops, n)) < 0)
		return -errno;
	s->calls++;
	s->raw += raw;
	for (size_t i = 0; i < n; i++) {
		s->ops[ops[i].sem_num]++;
		if (ops[i].sem_op > 0)
			s->ups[ops[i].sem_num] += ops[i].sem_op;
		else
			s->downs[ops[i].sem_num] -= ops[i].sem_op;
	}
	return 0;
}

static void sem_op1(int id, unsigned short num, short op, struct side *s)
{
	struct sembuf b = { .sem_num = num, .sem_op = op };

	if (sem_ops(id, &b, 1, s, false) < 0)
		die("semop");
}

static void consumer(int id, long n, struct shared *sh)
{
	struct sembuf nowait = { .sem_num = 0, .sem_op = -1, .sem_flg = IPC_NOWAIT };
	struct sembuf both[2] = { { .sem_num = 0, .sem_op = 1 }, { .sem_num = 1, .sem_op = 1 } };
	struct sembuf zero = { .sem_num = 0, .sem_op = 0 };
	long long t0;

	if (sem_ops(id, &nowait, 1, &sh->cons, false) != -EAGAIN)
		fail("a down on an empty semaphore with IPC_NOWAIT did not fail with EAGAIN");
	sh->cons.eagain++;
	set_and_wake(&sh->cons_ready);
	t0 = now_ns();
	sem_op1(id, 0, -1, &sh->cons);
	sh->blocked_ns = now_ns() - t0;
	sem_op1(id, 1, 1, &sh->cons);
	for (long i = 1; i < n; i++) {
		sem_op1(id, 0, -1, &sh->cons);
		sem_op1(id, 1, 1, &sh->cons);
	}
	if (sem_ops(id, both, 2, &sh->cons, true) < 0)
		die("semop");
	sem_op1(id, 0, -1, &sh->cons);
	if (sem_ops(id, &zero, 1, &sh->cons, false) < 0)
		die("semop");
}

static void producer(int id, pid_t cons, long n, struct shared *sh)
{
	struct timespec hold = { .tv_nsec = HOLD_MS * 1000000L };

	wait_nonzero(&sh->cons_ready);
	/* glibc's semop is the semtimedop call without a timeout. */
	wait_in_syscall(cons, SYS_semtimedop, "the consumer blocked in its first down");
	nanosleep(&hold, NULL);
	for (long i = 0; i < n; i++) {
		sem_op1(id, 1, -1, &sh->prod);
		sem_op1(id, 0, 1, &sh->prod);
	}
}

static void report_side(FILE *f, const char *role, int pid, const struct side *s)
{
	fprintf(f, "\"%s\":{\"pid\":%d,\"calls\":%d,\"semop_calls\":%d,\"eagain\":%d,\"ops\":[%d,%d],\"ups\":[%d,%d],"
		"\"downs\":[%d,%d]},",
		role, pid, s->calls, s->raw, s->eagain, s->ops[0], s->ops[1], s->ups[0], s->ups[1], s->downs[0],
		s->downs[1]);
}

int main(int argc, char **argv)
{
	key_t key = (key_t)(0x5e000000 | (getpid() & 0xffff));
	unsigned short init[2] = { 0, 2 };
	struct shared *sh;
	int id, val, ctls = 0;
	long n;
	pid_t pid;
	FILE *f;

	ex_init("semsysv");
	n = count_arg(argc, argv, 10, 10000);
	if (n < 1)
		usage("[N >= 1]");
	sh = shared_alloc(sizeof(*sh));
	id = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		die("semget");
	if (semctl(id, 0, SETALL, (union semun){ .array = init }) < 0)
		die("semctl SETALL");
	ctls++;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		consumer(id, n, sh);
		_exit(EXIT_SUCCESS);
	}
	producer(id, pid, n, sh);
	if (!exited_ok("consumer", pid, wait_child(pid)))
		return EXIT_FAILURE;
	if (semctl(id, 0, SETVAL, (union semun){ .val = 0 }) < 0)
		die("semctl SETVAL");
	val = semctl(id, 0, GETVAL);
	if (val != 0)
		fail("semctl GETVAL: %d, not 0", val);
	if (semctl(id, 0, IPC_RMID) < 0)
		die("semctl IPC_RMID");
	ctls += 3;
	f = report_open(stderr);
	fputc('{', f);
	report_side(f, "producer", (int)getpid(), &sh->prod);
	report_side(f, "consumer", (int)pid, &sh->cons);
	fprintf(f, "\"id\":%d,\"key\":%d,\"nsems\":2,\"init\":[%d,%d],\"semctls\":%d,\"hold_ms\":%d,"
		"\"blocked_ns\":%lld}\n", id, (int)key, init[0], init[1], ctls, HOLD_MS, sh->blocked_ns);
	report_close(f);
	return EXIT_SUCCESS;
}
