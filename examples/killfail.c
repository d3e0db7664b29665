// SPDX-License-Identifier: MIT
// Example "a kill() that fails": `killfail CASE`, the mistakes course code makes with kill().
// Each kill fails, the program reports what it got and ends normally.
//
//   reaped   kills its child after it has already waited for it (ESRCH)
//   group    kill(-pid, ...) for a child that leads no process group (ESRCH)
//   eperm    a child that gave up root (setuid) signals its parent, which still runs as root (EPERM)
//   einval   a signal number that does not exist (EINVAL)

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"

#define NOBODY 65534
#define BAD_SIGNAL 99

static void write_report(const char *name, pid_t sender, pid_t target, int sig, int err, int sender_uid)
{
	report("{\"case\":\"%s\",\"pid\":%d,\"sender\":%d,\"sender_uid\":%d,\"target\":%d,\"sig\":%d,"
	       "\"errno\":\"%s\"}", name, (int) getpid(), (int) sender, sender_uid, (int) target, sig,
	       strerrorname_np(err) ? strerrorname_np(err) : "0");
}

/* A child that waits for its end in pause(), once it sleeps there. */
static pid_t sleeping_child(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0)
		for (;;)
			pause();
#ifdef SYS_pause
	wait_in_syscall(pid, SYS_pause, "the child never slept in pause()");
#else
	wait_in_syscall(pid, SYS_ppoll, "the child never slept in pause()");
#endif
	return pid;
}

/* kill() that is meant to fail: its errno. */
static int failed_kill(pid_t pid, int sig)
{
	if (kill(pid, sig) == 0)
		fail("kill(%d, %d) worked", (int) pid, sig);
	return errno;
}

int main(int argc, char **argv)
{
	const char *c = argc == 2 ? argv[1] : "";
	pid_t pid;
	int err;

	ex_init("killfail");
	if (!strcmp(c, "reaped")) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(EXIT_SUCCESS);
		wait_child(pid);
		/* The mistake: the child is gone once waited for. */
		err = failed_kill(pid, SIGTERM);
		write_report(c, getpid(), pid, SIGTERM, err, 0);
	} else if (!strcmp(c, "group")) {
		pid = sleeping_child();
		/* The mistake: -pid names a process group, which the child does not lead. */
		err = failed_kill(-pid, SIGTERM);
		write_report(c, getpid(), -pid, SIGTERM, err, 0);
		if (kill(pid, SIGKILL) < 0)
			die("kill");
		wait_child(pid);
	} else if (!strcmp(c, "eperm")) {
		/* The child's errno, for the parent's report (nobody may not write it). */
		int *child_err = shared_alloc(sizeof(*child_err));
		pid_t parent = getpid();

		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
				die("setuid");
			*child_err = failed_kill(parent, SIGUSR1);
			_exit(EXIT_SUCCESS);
		}
		if (!exited_ok("child", pid, wait_child(pid)))
			return EXIT_FAILURE;
		write_report(c, pid, parent, SIGUSR1, *child_err, NOBODY);
	} else if (!strcmp(c, "einval")) {
		pid = sleeping_child();
		err = failed_kill(pid, BAD_SIGNAL);
		write_report(c, getpid(), pid, BAD_SIGNAL, err, 0);
		if (kill(pid, SIGKILL) < 0)
			die("kill");
		wait_child(pid);
	} else {
		usage("reaped|group|eperm|einval");
	}
	return EXIT_SUCCESS;
}
