// SPDX-License-Identifier: MIT
// Example "whose table is it": the parent makes a pipe (p1, not close-on-exec); another task
// then closes p1's write end and makes a second pipe (p2, not close-on-exec). Which of them
// the parent still holds when it execs depends on whether that task shared its descriptor
// table. The parent checks (fstat), reports, and execs `holds`, whose exit status (the
// command's) says again what the exec'd program got.
//
// clonefiles MODE, MODE one of:
//   shared       the task is a process made by clone(CLONE_FILES): one table, so the
//                parent loses p1's write end and gets p2
//   unshare      the same, but the task first calls unshare(CLONE_FILES): its own table,
//                so the parent keeps p1's write end and never sees p2
//   close_range  the same, with close_range(w1, w1, CLOSE_RANGE_UNSHARE) for unshare and close
//   thread       the task is a thread: its process's table
//   vfork        the task is a vfork child, which has a copy of the table (as after fork):
//                it closes p1's write end in its copy and execs `holds` itself, without
//                making p2; the parent keeps p1's write end

#define _GNU_SOURCE
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

/* The pipes: p1's ends, then p2's (made by the other task). */
enum { R1, W1, R2, W2, NFDS };

static int fds[NFDS] = { -1, -1, -1, -1 };
static unsigned long inodes[NFDS];
static const char *mode;
/* The other task's pid (a thread's tid). */
static pid_t other;

/* In MAP_SHARED memory: p2 as the clone(CLONE_FILES) child made it. */
struct shared {
	int fds[2];
	unsigned long inode;
};

/* What the other task does to the table it runs on. */
static void change_table(void)
{
	int p2[2];

	if (!strcmp(mode, "unshare") && unshare(CLONE_FILES) < 0)
		die("unshare CLONE_FILES");
	if (!strcmp(mode, "close_range")) {
		if (syscall(SYS_close_range, fds[W1], fds[W1], CLOSE_RANGE_UNSHARE) < 0)
			die("close_range CLOSE_RANGE_UNSHARE");
	} else if (close(fds[W1]) < 0) {
		die("close");
	}
	if (pipe(p2) < 0)
		die("pipe");
	fds[R2] = p2[0];
	fds[W2] = p2[1];
	inodes[R2] = inodes[W2] = inode_of(p2[0]);
}

static void *thread_main(void *arg)
{
	(void) arg;
	other = gettid();
	change_table();
	return NULL;
}

/* Starts the other task (sets `other`); returns the process to wait for, or 0. */
static pid_t run_other(struct shared *sh)
{
	pid_t pid;

	if (!strcmp(mode, "thread")) {
		pthread_t t;
		int err = pthread_create(&t, NULL, thread_main, NULL);

		if (err || (err = pthread_join(t, NULL)))
			fail("pthread: %s", strerror(err));
		return 0;
	}
	if (!strcmp(mode, "vfork")) {
		char **argv = holds_argv(2, inodes, fds);

		pid = vfork();
		if (pid < 0)
			die("vfork");
		if (pid == 0) {
			close(fds[W1]);
			execv(argv[0], argv);
			_exit(127);
		}
		return other = pid;
	}
	pid = (pid_t) syscall(SYS_clone, CLONE_FILES | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		die("clone CLONE_FILES");
	if (pid == 0) {
		change_table();
		sh->fds[0] = fds[R2];
		sh->fds[1] = fds[W2];
		sh->inode = inodes[R2];
		_exit(0);
	}
	return other = pid;
}

static bool holds(int fd, unsigned long inode)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && st.st_ino == inode;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "shared", "unshare", "close_range", "thread", "vfork", NULL };
	struct shared *sh;
	int p1[2], other_held = -1, n = 2;
	pid_t waited;
	size_t i;

	ex_init("clonefiles");
	mode = argc == 2 ? argv[1] : "";
	for (i = 0; modes[i] && strcmp(modes[i], mode); i++)
		;
	if (!modes[i])
		usage("shared|unshare|close_range|thread|vfork");
	sh = shared_alloc(sizeof(*sh));
	if (pipe(p1) < 0)
		die("pipe");
	fds[R1] = p1[0];
	fds[W1] = p1[1];
	inodes[R1] = inodes[W1] = inode_of(p1[0]);

	waited = run_other(sh);
	if (waited) {
		int status = wait_child(waited);

		if (!strcmp(mode, "vfork")) {
			other_held = holds_result(waited, status);
		} else if (!exited_ok("child", waited, status)) {
			return EXIT_FAILURE;
		} else {
			fds[R2] = sh->fds[0];
			fds[W2] = sh->fds[1];
			inodes[R2] = inodes[W2] = sh->inode;
		}
	}
	if (fds[R2] >= 0)
		n = NFDS;
	if (!report("{\"mode\":\"%s\",\"parent_pid\":%d,\"other_pid\":%d,\"inode1\":%lu,\"read1\":%d,"
		    "\"write1\":%d,\"inode2\":%lu,\"read2\":%d,\"write2\":%d,"
		    "\"holds\":[%s,%s,%s,%s],\"other_holds\":%d}",
		    mode, (int) getpid(), (int) other, inodes[R1], fds[R1], fds[W1], inodes[R2], fds[R2],
		    fds[W2], holds(fds[R1], inodes[R1]) ? "true" : "false",
		    holds(fds[W1], inodes[W1]) ? "true" : "false",
		    holds(fds[R2], inodes[R2]) ? "true" : "false",
		    holds(fds[W2], inodes[W2]) ? "true" : "false", other_held))
		note("%s: the parent holds p1's write end: %s, p2's: %s", mode,
		     holds(fds[W1], inodes[W1]) ? "yes" : "no", holds(fds[W2], inodes[W2]) ? "yes" : "no");
	argv = holds_argv(n, inodes, fds);
	execv(argv[0], argv);
	die("execv holds");
}
