// SPDX-License-Identifier: MIT
// Example "processes that wait for each other": `deadlock CASE [DIR]` is a parent and a child
// written the way course code is, with one classic mistake each. HANGS BY DESIGN: both block
// for ever; kill them (the report, written before the parent blocks, has the pids).
//
//   waitpipe   the child writes more than a pipe holds; the parent waits for it before reading
//   holdwrite  the child reads to end of file; the parent waits for it without closing its write end
//   twopipes   two pipes, one each way: each process reads before it writes
//   fifo       the same through two FIFOs made in DIR, opened by path
//   socketpair one socketpair, both ends read before they write
//   semaphores a System V set of two: each process takes the one that only the other posts
//              (after it), both having used the set before
//   mqueues    two POSIX queues, one each way: each process receives before it sends
//   msgfull    two System V queues: the parent fills the first before it sends the "go" on the
//              second that the child waits for before it reads the first
//
// The objects the last two make outlive the processes: the report names them for removal.

#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

/* More than a pipe holds (64 KiB): the writer blocks until somebody reads. */
#define BIG 100000

/* pipe(), then fork(): the child's pid, 0 in the child. */
static pid_t pipe_and_fork(int fd[2])
{
	pid_t pid;

	if (pipe(fd) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	return pid;
}

/* waitpipe: the parent should read everything, then wait. */
static void waitpipe(void)
{
	static char out[BIG];
	int fd[2];
	pid_t pid;

	pid = pipe_and_fork(fd);
	if (pid == 0) {
		close(fd[0]);
		memset(out, 'x', sizeof(out));
		write_all(fd[1], out, sizeof(out), NULL);
		close(fd[1]);
		_exit(EXIT_SUCCESS);
	}
	close(fd[1]);
	report("{\"case\":\"waitpipe\",\"parent_pid\":%d,\"child_pid\":%d,\"inode\":%lu,\"read_fd\":%d,"
	       "\"write_fd\":%d,\"bytes\":%d}", (int) getpid(), (int) pid, inode_of(fd[0]), fd[0], fd[1], BIG);
	/* The mistake: wait first, read after. */
	wait_child(pid);
	read_to_eof(fd[0], NULL);
}

/* holdwrite: the parent writes a line, forgets close(fd[1]), and waits. */
static void holdwrite(void)
{
	static const char line[] = "hello, child\n";
	int fd[2];
	pid_t pid;

	pid = pipe_and_fork(fd);
	if (pid == 0) {
		close(fd[1]);
		read_to_eof(fd[0], NULL);
		_exit(EXIT_SUCCESS);
	}
	close(fd[0]);
	write_all(fd[1], line, strlen(line), NULL);
	report("{\"case\":\"holdwrite\",\"parent_pid\":%d,\"child_pid\":%d,\"inode\":%lu,\"read_fd\":%d,"
	       "\"write_fd\":%d,\"bytes\":%zu}", (int) getpid(), (int) pid, inode_of(fd[1]), fd[0], fd[1],
	       strlen(line));
	/* Here belongs close(fd[1]). */
	wait_child(pid);
}

/* twopipes: a request down, an answer up; both sides read first. */
static void twopipes(void)
{
	char buf[64];
	int down[2], up[2];
	pid_t pid;

	if (pipe(down) < 0 || pipe(up) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		read_some(down[0], buf, sizeof(buf), NULL);
		write_all(up[1], "answer\n", 7, NULL);
		_exit(EXIT_SUCCESS);
	}
	close(down[0]);
	close(up[1]);
	report("{\"case\":\"twopipes\",\"parent_pid\":%d,\"child_pid\":%d,"
	       "\"down\":{\"inode\":%lu,\"read_fd\":%d,\"write_fd\":%d},"
	       "\"up\":{\"inode\":%lu,\"read_fd\":%d,\"write_fd\":%d}}", (int) getpid(), (int) pid,
	       inode_of(down[1]), down[0], down[1], inode_of(up[0]), up[0], up[1]);
	/* The mistake: the answer is read before the request is written. */
	read_some(up[0], buf, sizeof(buf), NULL);
	write_all(down[1], "request\n", 8, NULL);
}

/* The child's descriptors, told through shared memory (no IPC of its own). */
struct fifo_fds {
	int a, b, ready;
};

/* fifo: the parent reads a and writes b, the child writes a and reads b; both read first. */
static void fifo(const char *dir)
{
	char a[4096], b[4096], buf[64];
	struct fifo_fds *child = shared_alloc(sizeof(*child));
	long long deadline;
	int fa, fb;
	pid_t pid;

	snprintf(a, sizeof(a), "%s/to_parent", dir);
	snprintf(b, sizeof(b), "%s/to_child", dir);
	if (mkfifo(a, 0600) < 0 || mkfifo(b, 0600) < 0)
		die("mkfifo");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* Opened in the parent's order, so that neither open waits for ever. */
		child->a = open(a, O_WRONLY);
		child->b = open(b, O_RDONLY);
		if (child->a < 0 || child->b < 0)
			die("open");
		__atomic_store_n(&child->ready, 1, __ATOMIC_RELEASE);
		read_some(child->b, buf, sizeof(buf), NULL);
		write_all(child->a, "answer\n", 7, NULL);
		_exit(EXIT_SUCCESS);
	}
	fa = open(a, O_RDONLY);
	fb = open(b, O_WRONLY);
	if (fa < 0 || fb < 0)
		die("open");
	deadline = now_ns() + HANDSHAKE_SECONDS * 1000000000LL;
	while (!__atomic_load_n(&child->ready, __ATOMIC_ACQUIRE))
		check_deadline(deadline, "the child never opened both FIFOs");
	report("{\"case\":\"fifo\",\"parent_pid\":%d,\"child_pid\":%d,"
	       "\"a\":{\"path\":\"%s\",\"inode\":%lu,\"parent_fd\":%d,\"child_fd\":%d},"
	       "\"b\":{\"path\":\"%s\",\"inode\":%lu,\"parent_fd\":%d,\"child_fd\":%d}}", (int) getpid(),
	       (int) pid, a, inode_of(fa), fa, child->a, b, inode_of(fb), fb, child->b);
	/* The mistake: the answer is read before the request is written. */
	read_some(fa, buf, sizeof(buf), NULL);
	write_all(fb, "request\n", 8, NULL);
}

/* socketpair: a conversation over one socketpair; both sides wait for the other to speak first. */
static void socketpair_case(void)
{
	unsigned long ino[2];
	char buf[64];
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	ino[0] = inode_of(sv[0]);
	ino[1] = inode_of(sv[1]);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(sv[0]);
		read_some(sv[1], buf, sizeof(buf), NULL);
		write_all(sv[1], "answer\n", 7, NULL);
		_exit(EXIT_SUCCESS);
	}
	close(sv[1]);
	report("{\"case\":\"socketpair\",\"parent_pid\":%d,\"child_pid\":%d,"
	       "\"parent\":{\"inode\":%lu,\"fd\":%d},\"child\":{\"inode\":%lu,\"fd\":%d}}", (int) getpid(),
	       (int) pid, ino[0], sv[0], ino[1], sv[1]);
	/* The mistake: the answer is read before the request is written. */
	read_some(sv[0], buf, sizeof(buf), NULL);
	write_all(sv[0], "request\n", 8, NULL);
}

/* One semop of one operation on semaphore num; dies when it fails. */
static void sem_op1(int id, unsigned short num, short op)
{
	struct sembuf b = { .sem_num = num, .sem_op = op };

	if (semop(id, &b, 1) < 0)
		die("semop");
}

/*
 * semaphores: #0 is the parent's to take and the child's to post, #1 the
 * other way round; both start at 0. The mistake: each takes before it posts.
 */
static void semaphores(void)
{
	int id = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	pid_t pid;

	if (id < 0)
		die("semget");
	pid = fork();
	if (pid < 0)
		die("fork");
	/* Each uses the set once (a wait for zero returns at once): both hold it. */
	if (pid == 0) {
		sem_op1(id, 1, 0);
		sem_op1(id, 1, -1);
		sem_op1(id, 0, 1);
		_exit(EXIT_SUCCESS);
	}
	sem_op1(id, 0, 0);
	report("{\"case\":\"semaphores\",\"parent_pid\":%d,\"child_pid\":%d,\"semid\":%d}", (int) getpid(),
	       (int) pid, id);
	sem_op1(id, 0, -1);
	sem_op1(id, 1, 1);
}

/* A queue of that name, opened with flags (and made if need be). */
static mqd_t mq_open_or_die(const char *name, int flags)
{
	mqd_t q = mq_open(name, flags | O_CREAT, 0600, NULL);

	if (q == (mqd_t)-1)
		die(name);
	return q;
}

/*
 * mqueues: requests go down /ipct-dl-down-PID, answers up /ipct-dl-up-PID;
 * each process opens the end it uses of each. The mistake: the parent waits
 * for the answer before it sends the request, and the child waits for the
 * request before it answers.
 */
static void mqueues(void)
{
	char up[64], down[64], buf[8192];
	pid_t pid;
	mqd_t r, w;

	snprintf(up, sizeof(up), "/ipct-dl-up-%d", (int) getpid());
	snprintf(down, sizeof(down), "/ipct-dl-down-%d", (int) getpid());
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		r = mq_open_or_die(down, O_RDONLY);
		w = mq_open_or_die(up, O_WRONLY);
		if (mq_receive(r, buf, sizeof(buf), NULL) < 0)
			die("mq_receive");
		if (mq_send(w, "answer", 6, 0) < 0)
			die("mq_send");
		_exit(EXIT_SUCCESS);
	}
	r = mq_open_or_die(up, O_RDONLY);
	w = mq_open_or_die(down, O_WRONLY);
	report("{\"case\":\"mqueues\",\"parent_pid\":%d,\"child_pid\":%d,\"up\":\"%s\",\"down\":\"%s\","
	       "\"parent\":{\"read_fd\":%d,\"write_fd\":%d}}", (int) getpid(), (int) pid, up, down, (int) r, (int) w);
	if (mq_receive(r, buf, sizeof(buf), NULL) < 0)
		die("mq_receive");
	if (mq_send(w, "request", 7, 0) < 0)
		die("mq_send");
}

/* A System V queue of its own (IPC_PRIVATE). */
static int msgq_or_die(void)
{
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	if (id < 0)
		die("msgget");
	return id;
}

/*
 * msgfull: data goes down one queue, a "go" down the other; the child reads
 * the data once it has the go. The mistake: the parent sends all the data
 * (more than a queue holds, 16384 bytes by default) before the go.
 */
static void msgfull(void)
{
	struct { long mtype; char text[1024]; } m = { .mtype = 1 };
	int data = msgq_or_die(), go = msgq_or_die();
	struct msqid_ds ds;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* It looks at both first: it uses both. */
		if (msgctl(data, IPC_STAT, &ds) < 0 || msgctl(go, IPC_STAT, &ds) < 0)
			die("msgctl IPC_STAT");
		if (msgrcv(go, &m, sizeof(m.text), 0, 0) < 0)
			die("msgrcv");
		while (msgrcv(data, &m, sizeof(m.text), 0, IPC_NOWAIT) >= 0)
			;
		_exit(EXIT_SUCCESS);
	}
	report("{\"case\":\"msgfull\",\"parent_pid\":%d,\"child_pid\":%d,\"data\":%d,\"go\":%d}", (int) getpid(),
	       (int) pid, data, go);
	memset(m.text, 'd', sizeof(m.text));
	for (int i = 0; i < 64; i++)
		if (msgsnd(data, &m, sizeof(m.text), 0) < 0)
			die("msgsnd");
	if (msgsnd(go, &m, 1, 0) < 0)
		die("msgsnd");
}

int main(int argc, char **argv)
{
	ex_init("deadlock");
	if (argc == 2 && !strcmp(argv[1], "waitpipe"))
		waitpipe();
	else if (argc == 2 && !strcmp(argv[1], "holdwrite"))
		holdwrite();
	else if (argc == 2 && !strcmp(argv[1], "twopipes"))
		twopipes();
	else if (argc == 3 && !strcmp(argv[1], "fifo"))
		fifo(argv[2]);
	else if (argc == 2 && !strcmp(argv[1], "socketpair"))
		socketpair_case();
	else if (argc == 2 && !strcmp(argv[1], "semaphores"))
		semaphores();
	else if (argc == 2 && !strcmp(argv[1], "mqueues"))
		mqueues();
	else if (argc == 2 && !strcmp(argv[1], "msgfull"))
		msgfull();
	else
		usage("waitpipe|holdwrite|twopipes|fifo DIR|socketpair|semaphores|mqueues|msgfull (hangs by design)");
	fail("the deadlock ended, which cannot happen");
}
