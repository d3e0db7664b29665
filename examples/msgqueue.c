// SPDX-License-Identifier: MIT
// Example "a System V message queue": `msgqueue [N]` makes a queue with key 0x1c00PPPP (PPPP
// from its pid) and forks a consumer. The producer sends N requests of mtypes 21 to 23, in
// turn, of varying sizes; once they are all in, the consumer takes every mtype 22 one
// (msgrcv with mtype 22), then the mtype 21 ones (mtype -21: the lowest <= 21), then the rest
// (mtype 0: the first), and then answers each with its mtype - 20, which the producer takes
// with mtype -3 (the lowest <= 3: answers only). Around that: msgrcv IPC_NOWAIT on an empty queue (ENOMSG), one into a
// buffer too small (E2BIG), msgctl IPC_STAT and IPC_SET, and IPC_RMID at the end. Both
// processes report their own counts.

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "example.h"

#define MAXLEN 256

struct msg {
	long mtype;
	char text[MAXLEN];
};

struct side {
	int sent, received;
	long bytes_sent, bytes_received;
	int enomsg, e2big;
};

struct shared {
	int cons_ready;         /* the consumer has made its failure on the empty queue */
	int all_in;             /* the producer has sent every message */
	struct side prod, cons;
};

static void send_msg(int id, long mtype, size_t len, struct side *s)
{
	struct msg m = { .mtype = mtype };

	memset(m.text, 'a' + (int)mtype % 26, len);
	if (msgsnd(id, &m, len, 0) < 0)
		die("msgsnd");
	s->sent++;
	s->bytes_sent += (long)len;
}

/* One message of msgtyp (IPC_NOWAIT when nowait): its mtype, or 0 when there was none. */
static long recv_msg(int id, long msgtyp, bool nowait, size_t *len, struct side *s)
{
	struct msg m;
	ssize_t n = msgrcv(id, &m, MAXLEN, msgtyp, nowait ? IPC_NOWAIT : 0);

	if (n < 0 && nowait && errno == ENOMSG)
		return 0;
	if (n < 0)
		die("msgrcv");
	s->received++;
	s->bytes_received += n;
	*len = (size_t)n;
	return m.mtype;
}

static void consumer(int id, long n, struct shared *sh)
{
	struct msg small;
	struct msqid_ds ds;
	long order[] = { 22, -21, 0 };
	size_t len, lens[64];
	long types[64];
	int taken = 0;

	if (msgctl(id, IPC_STAT, &ds) < 0)
		die("msgctl IPC_STAT");
	if (msgrcv(id, &small, MAXLEN, 0, IPC_NOWAIT) >= 0 || errno != ENOMSG)
		fail("msgrcv on an empty queue did not fail with ENOMSG");
	sh->cons.enomsg++;
	set_and_wake(&sh->cons_ready);
	wait_nonzero(&sh->all_in);
	/* The first request (mtype 21) is larger than 4 bytes: without MSG_NOERROR, E2BIG. */
	if (msgrcv(id, &small, 4, 21, 0) >= 0 || errno != E2BIG)
		fail("msgrcv into 4 bytes did not fail with E2BIG");
	sh->cons.e2big++;
	for (int i = 0; i < 3; i++) {
		long t;

		while ((t = recv_msg(id, order[i], true, &len, &sh->cons)) > 0) {
			if ((order[i] > 0 && t != order[i]) || (order[i] < 0 && t > -order[i]) || taken == n)
				fail("msgrcv of mtype %ld took mtype %ld", order[i], t);
			types[taken] = t;
			lens[taken++] = len;
		}
	}
	if (taken != n)
		fail("the consumer took %d messages, not %ld", taken, n);
	/* The answers go in once every request is out: mtype 0 must not take one. */
	for (int i = 0; i < taken; i++)
		send_msg(id, types[i] - 20, lens[i] / 2 + 1, &sh->cons);
}

static void producer(int id, long n, struct shared *sh)
{
	struct msqid_ds ds;
	size_t len;

	wait_nonzero(&sh->cons_ready);
	for (long i = 0; i < n; i++)
		send_msg(id, 21 + i % 3, (size_t)(5 + i * 13 % (MAXLEN - 5)), &sh->prod);
	set_and_wake(&sh->all_in);
	for (long i = 0; i < n; i++)
		recv_msg(id, -3, false, &len, &sh->prod);
	if (msgctl(id, IPC_STAT, &ds) < 0)
		die("msgctl IPC_STAT");
	ds.msg_perm.mode = 0600;
	if (msgctl(id, IPC_SET, &ds) < 0)
		die("msgctl IPC_SET");
}

static void report_side(FILE *f, const char *role, int pid, const struct side *s)
{
	fprintf(f, "\"%s\":{\"pid\":%d,\"sent\":%d,\"bytes_sent\":%ld,\"received\":%d,"
		"\"bytes_received\":%ld,\"enomsg\":%d,\"e2big\":%d},",
		role, pid, s->sent, s->bytes_sent, s->received, s->bytes_received, s->enomsg, s->e2big);
}

int main(int argc, char **argv)
{
	key_t key = (key_t)(0x1c000000 | (getpid() & 0xffff));
	struct shared *sh;
	long n;
	pid_t pid;
	FILE *f;
	int id;

	ex_init("msgqueue");
	/* All N in the queue at once: the default msgmnb is 16384 bytes. */
	n = count_arg(argc, argv, 12, 60);
	sh = shared_alloc(sizeof(*sh));
	id = msgget(key, IPC_CREAT | IPC_EXCL | 0644);
	if (id < 0)
		die("msgget");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		consumer(id, n, sh);
		_exit(EXIT_SUCCESS);
	}
	producer(id, n, sh);
	if (!exited_ok("consumer", pid, wait_child(pid)))
		return EXIT_FAILURE;
	if (msgctl(id, IPC_RMID, NULL) < 0)
		die("msgctl IPC_RMID");
	f = report_open(stderr);
	fputc('{', f);
	report_side(f, "producer", (int)getpid(), &sh->prod);
	report_side(f, "consumer", (int)pid, &sh->cons);
	fprintf(f, "\"id\":%d,\"key\":%d}\n", id, (int)key);
	report_close(f);
	return EXIT_SUCCESS;
}
