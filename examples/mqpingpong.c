// SPDX-License-Identifier: MIT
// Example "POSIX message queues": `mqpingpong [N]` makes two queues, /ipct-mq-PID-req and
// /ipct-mq-PID-rep, and forks a consumer. Each round the producer sends a batch of BATCH
// requests of varying sizes with priorities 0..2 (taken highest first, FIFO within one),
// and the consumer, once the batch is all in, takes each one and answers on the reply
// queue. Then a last request waits HOLD_MS in the queue before it is taken. Around that:
// a nonblocking receive on the empty queue (EAGAIN), a timed one (ETIMEDOUT), a receive
// into a buffer smaller than mq_msgsize (EMSGSIZE), mq_getattr, mq_notify, mq_unlink. The
// held-back request is received without a priority pointer.
// Both processes report their own counts.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "example.h"

#define MAXMSG 8
#define MSGSIZE 128
#define BATCH 6
#define HOLD_MS 200

struct side {
	int sent, received;
	long bytes_sent, bytes_received;
	int eagain, etimedout, emsgsize;
};

struct shared {
	int batch_in[64];       /* the producer has sent batch i */
	int cons_ready;         /* the consumer has made its failures on the empty queue */
	int held_in;            /* the held-back request is in the queue */
	long long held_sent_ns, held_taken_ns;
	struct side prod, cons;
};

static mqd_t open_queue(const char *name, int flags)
{
	struct mq_attr attr = { .mq_maxmsg = MAXMSG, .mq_msgsize = MSGSIZE };
	mqd_t q = mq_open(name, flags, 0600, &attr);

	if (q == (mqd_t)-1)
		die(name);
	return q;
}

static void send_msg(mqd_t q, size_t len, unsigned prio, struct side *s)
{
	char buf[MSGSIZE];

	memset(buf, 'a' + (int)prio, len);
	if (mq_send(q, buf, len, prio) < 0)
		die("mq_send");
	s->sent++;
	s->bytes_sent += (long)len;
}

static ssize_t recv_msg(mqd_t q, unsigned *prio, struct side *s)
{
	char buf[MSGSIZE];
	ssize_t n = mq_receive(q, buf, sizeof(buf), prio);

	if (n < 0)
		die("mq_receive");
	s->received++;
	s->bytes_received += n;
	return n;
}

/* The failures each side makes once, on its own queue while it is empty. */
static void failures(mqd_t q, struct side *s)
{
	struct timespec past = { 0, 0 };
	char small[8];

	if (mq_timedreceive(q, small, sizeof(small), NULL, &past) >= 0 || errno != EMSGSIZE)
		fail("a receive into %zu bytes did not fail with EMSGSIZE", sizeof(small));
	s->emsgsize++;
	if (mq_timedreceive(q, (char[MSGSIZE]){ 0 }, MSGSIZE, NULL, &past) >= 0 || errno != ETIMEDOUT)
		fail("a timed receive on an empty queue did not time out");
	s->etimedout++;
}

static void consumer(const char *req_name, const char *rep_name, long rounds, struct shared *sh)
{
	mqd_t req = open_queue(req_name, O_RDONLY), rep = open_queue(rep_name, O_WRONLY);
	mqd_t nb = open_queue(req_name, O_RDONLY | O_NONBLOCK);
	struct mq_attr attr;
	unsigned prio, last = ~0u;

	if (mq_getattr(req, &attr) < 0)
		die("mq_getattr");
	if (attr.mq_msgsize != MSGSIZE || attr.mq_maxmsg != MAXMSG)
		fail("mq_getattr: %ld messages of %ld bytes", attr.mq_maxmsg, attr.mq_msgsize);
	if (mq_receive(nb, (char[MSGSIZE]){ 0 }, MSGSIZE, NULL) >= 0 || errno != EAGAIN)
		fail("a nonblocking receive on an empty queue did not fail with EAGAIN");
	sh->cons.eagain++;
	failures(req, &sh->cons);
	set_and_wake(&sh->cons_ready);
	for (long r = 0; r < rounds; r++) {
		wait_nonzero(&sh->batch_in[r]);
		for (int i = 0; i < BATCH; i++, last = prio) {
			ssize_t n = recv_msg(req, &prio, &sh->cons);

			if (i && prio > last)
				fail("priority %u after %u", prio, last);
			send_msg(rep, (size_t)n / 2 + 1, 0, &sh->cons);
		}
	}
	wait_nonzero(&sh->held_in);
	/* What is measured: the request waits in the queue while the consumer sleeps. */
	nanosleep(&(struct timespec){ 0, HOLD_MS * 1000000L }, NULL);
	/* Taken without asking its priority: the tracer then matches it as the queue gives it. */
	recv_msg(req, NULL, &sh->cons);
	sh->held_taken_ns = now_ns();
	mq_close(nb);
	mq_close(req);
	mq_close(rep);
}

static void producer(mqd_t req, mqd_t rep, long rounds, struct shared *sh)
{
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	unsigned prio;

	/* Registered and removed: nothing comes of it. */
	if (mq_notify(rep, &none) < 0 || mq_notify(rep, NULL) < 0)
		die("mq_notify");
	wait_nonzero(&sh->cons_ready);
	for (long r = 0; r < rounds; r++) {
		for (int i = 0; i < BATCH; i++)
			send_msg(req, (size_t)(1 + (r * BATCH + i) * 7 % MSGSIZE), (unsigned)(i % 3), &sh->prod);
		set_and_wake(&sh->batch_in[r]);
		for (int i = 0; i < BATCH; i++)
			recv_msg(rep, &prio, &sh->prod);
	}
	send_msg(req, MSGSIZE, 1, &sh->prod);
	sh->held_sent_ns = now_ns();
	set_and_wake(&sh->held_in);
}

static void report_side(FILE *f, const char *role, int pid, const struct side *s)
{
	fprintf(f, "\"%s\":{\"pid\":%d,\"sent\":%d,\"bytes_sent\":%ld,\"received\":%d,"
		"\"bytes_received\":%ld,\"eagain\":%d,\"etimedout\":%d,\"emsgsize\":%d},",
		role, pid, s->sent, s->bytes_sent, s->received, s->bytes_received, s->eagain,
		s->etimedout, s->emsgsize);
}

int main(int argc, char **argv)
{
	char req_name[64], rep_name[64];
	struct shared *sh;
	mqd_t req, rep;
	FILE *f;
	long rounds;
	pid_t pid;

	ex_init("mqpingpong");
	rounds = count_arg(argc, argv, 4, 64);
	snprintf(req_name, sizeof(req_name), "/ipct-mq-%d-req", (int)getpid());
	snprintf(rep_name, sizeof(rep_name), "/ipct-mq-%d-rep", (int)getpid());
	sh = shared_alloc(sizeof(*sh));
	req = open_queue(req_name, O_CREAT | O_EXCL | O_WRONLY);
	rep = open_queue(rep_name, O_CREAT | O_EXCL | O_RDONLY);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		mq_close(req);
		mq_close(rep);
		consumer(req_name, rep_name, rounds, sh);
		_exit(EXIT_SUCCESS);
	}
	failures(rep, &sh->prod);
	producer(req, rep, rounds, sh);
	if (!exited_ok("consumer", pid, wait_child(pid)))
		return EXIT_FAILURE;
	if (mq_unlink(req_name) < 0 || mq_unlink(rep_name) < 0)
		die("mq_unlink");
	f = report_open(stderr);
	fputc('{', f);
	report_side(f, "producer", (int)getpid(), &sh->prod);
	report_side(f, "consumer", (int)pid, &sh->cons);
	fprintf(f, "\"request\":\"%s\",\"reply\":\"%s\",\"held_ns\":%lld,\"maxmsg\":%d,\"msgsize\":%d}\n",
		req_name, rep_name, sh->held_taken_ns - sh->held_sent_ns, MAXMSG, MSGSIZE);
	report_close(f);
	return EXIT_SUCCESS;
}
