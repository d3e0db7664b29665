// SPDX-License-Identifier: MIT
// Example "a pipe handed over": the parent makes a pipe after the fork, so the child cannot
// inherit it, and hands both ends to the child, which reads to end of file. But the child
// holds the write end it was given, so end of file never comes. HANGS BY DESIGN: kill both
// (the report has the pids).
//
// fdpass MODE:
//   scm    the parent sends both ends over a socketpair (sendmsg, SCM_RIGHTS); the child
//          receives them with recvmsg
//   mmsg   the same, received with recvmmsg
//   getfd  the child takes both ends from the parent with pidfd_open and pidfd_getfd
//
// Either way the parent then writes a few messages, closes its ends and waits.

#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

/* In MAP_SHARED memory: the handshakes, the parent's pipe and counts. */
struct shared {
	int made;               /* getfd: the parent's pipe is in fds */
	int taken;              /* getfd: the child has taken both ends */
	int go;                 /* the parent has written and closed its ends */
	int fds[2];
	struct traffic written;
};

static const char *const messages[] = { "ping\n", "handed over\n", "you will not see EOF\n" };

/* One byte with both ends of the pipe as SCM_RIGHTS. */
static void send_fds(int sock, const int fds[2])
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, 2 * sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		die("sendmsg SCM_RIGHTS");
}

/* The two descriptors recvmsg (or recvmmsg) installed. */
static void recv_fds(bool mmsg, int sock, int fds[2])
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct mmsghdr mm = { .msg_hdr = msg };
	struct cmsghdr *c;

	if (mmsg) {
		if (recvmmsg(sock, &mm, 1, 0, NULL) != 1 || mm.msg_len != 1)
			die("recvmmsg");
		msg = mm.msg_hdr;
	} else if (recvmsg(sock, &msg, 0) != 1) {
		die("recvmsg");
	}
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(2 * sizeof(int)))
		fail("recvmsg: no SCM_RIGHTS with two descriptors");
	memcpy(fds, CMSG_DATA(c), 2 * sizeof(int));
}

static void take_fds(pid_t parent, struct shared *sh, int fds[2])
{
	int pidfd;

	wait_nonzero(&sh->made);
	pidfd = (int) syscall(SYS_pidfd_open, parent, 0);
	if (pidfd < 0)
		die("pidfd_open");
	for (int i = 0; i < 2; i++) {
		fds[i] = (int) syscall(SYS_pidfd_getfd, pidfd, sh->fds[i], 0);
		if (fds[i] < 0)
			die("pidfd_getfd");
	}
	if (close(pidfd) < 0)
		die("close pidfd");
	set_and_wake(&sh->taken);
}

/* The bug: the write end it was given is still open here, so read blocks for good. */
_Noreturn static void run_child(const char *mode, pid_t parent, int sock, struct shared *sh)
{
	int fds[2];

	if (sock >= 0)
		recv_fds(!strcmp(mode, "mmsg"), sock, fds);
	else
		take_fds(parent, sh, fds);
	wait_nonzero(&sh->go);
	if (!report("{\"mode\":\"%s\",\"parent_pid\":%d,\"child_pid\":%d,\"inode\":%lu,"
		    "\"sender_read_fd\":%d,\"sender_write_fd\":%d,\"socket_fd\":%d,"
		    "\"read_fd\":%d,\"write_fd\":%d,\"writes\":%d,\"bytes_written\":%ld}",
		    mode, (int) parent, (int) getpid(), inode_of(fds[0]),
		    sh->fds[0], sh->fds[1], sock, fds[0], fds[1], sh->written.calls,
		    sh->written.bytes))
		note("child %d got the pipe's ends as fds %d and %d and reads to end of file",
		     (int) getpid(), fds[0], fds[1]);
	read_to_eof(fds[0], NULL);
	note("the child saw end of file, which cannot happen");
	_exit(EXIT_FAILURE);
}

int main(int argc, char **argv)
{
	const char *mode = argc == 2 ? argv[1] : "";
	bool scm = !strcmp(mode, "scm") || !strcmp(mode, "mmsg");
	struct shared *sh;
	pid_t parent = getpid(), child;
	int sv[2] = { -1, -1 }, status;

	ex_init("fdpass");
	if (!scm && strcmp(mode, "getfd"))
		usage("scm|mmsg|getfd (hangs forever by design)");
	sh = shared_alloc(sizeof(*sh));
	if (scm && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (scm && close(sv[0]) < 0)
			die("close");
		run_child(mode, parent, sv[1], sh);
	}

	if (scm && close(sv[1]) < 0)
		die("close");
	if (pipe(sh->fds) < 0)
		die("pipe");
	if (scm) {
		send_fds(sv[0], sh->fds);
	} else {
		set_and_wake(&sh->made);
		wait_nonzero(&sh->taken);
	}
	if (close(sh->fds[0]) < 0)
		die("close read end");
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		write_all(sh->fds[1], messages[i], strlen(messages[i]), &sh->written);
	if (close(sh->fds[1]) < 0)
		die("close write end");
	set_and_wake(&sh->go);

	status = wait_child(child);
	fail("child %d ended (status 0x%x)", (int) child, status);
}
