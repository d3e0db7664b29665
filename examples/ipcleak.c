// SPDX-License-Identifier: MIT
// Example "queues left behind": `ipcleak` makes a POSIX queue /ipct-leak-PID and a System V
// queue (IPC_PRIVATE), puts a message in each, makes a System V semaphore set (IPC_PRIVATE),
// and exits without removing any: all three outlive it. It reports the queue's name and the
// ids; whoever runs it removes them.

#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <unistd.h>

#include "example.h"

int main(int argc, char **argv)
{
	struct { long mtype; char text[4]; } m = { 1, "leak" };
	char name[64];
	mqd_t q;
	int id, semid;

	ex_init("ipcleak");
	count_arg(argc, argv, 0, 0);
	snprintf(name, sizeof(name), "/ipct-leak-%d", (int)getpid());
	q = mq_open(name, O_CREAT | O_EXCL | O_WRONLY, 0600, NULL);
	if (q == (mqd_t)-1)
		die(name);
	if (mq_send(q, "leak", 4, 0) < 0)
		die("mq_send");
	id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0)
		die("msgget");
	if (msgsnd(id, &m, sizeof(m.text), 0) < 0)
		die("msgsnd");
	semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (semid < 0)
		die("semget");
	if (!report("{\"mqueue\":\"%s\",\"msqid\":%d,\"semid\":%d}", name, id, semid))
		note("left %s, msq:%d and sem:%d behind", name, id, semid);
	return EXIT_SUCCESS;
}
