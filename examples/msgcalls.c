// SPDX-License-Identifier: MIT
// Example "socket calls": `msgcalls [N]` listens on an abstract AF_UNIX address
// and connects to it twice (socket, bind, listen, connect, accept, accept4).
// On the first connection it sends a forked child N messages of three iovecs
// (sendmsg) and shuts its sending side down (SHUT_WR): the child, reading with
// recvmsg, sees the end of the stream although both processes still hold that
// socket, and answers with the byte count it got. On the second it sends and
// receives N messages with send and recv (the sendto and recvfrom syscalls).
// Over a datagram socketpair it passes N messages of three iovecs with
// sendmsg/recvmsg and N batches with sendmmsg/recvmmsg. Each process logs every
// call it makes with what it passed and got back (example.h's call log).
//
// accept() is made raw: the C library may make it accept4.

#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 10000
#define BATCH 4			/* messages per sendmmsg/recvmmsg: the datagram queue holds 10 */
#define LOG_BYTES(n) (8192 + (size_t) (n) * 2048)

static struct calllog *calls;	/* this process's log: the parent's, or in the child its own */


static int xsocket(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	calllog_add(calls, "\"type\":\"socket\",\"family\":\"AF_UNIX\",\"socktype\":\"SOCK_STREAM\","
		    "\"fd\":%d,\"object\":\"%s\",\"ret\":%d", fd, object_of(fd), fd);
	return fd;
}

/* bind, listen or connect: the call's name, and its result 0. */
static void logged_ok(const char *call, int fd, int r)
{
	if (r < 0)
		die(call);
	calllog_add(calls, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\",\"ret\":0", call, fd, object_of(fd));
}

/* accept (raw), or accept4 with flags. */
static int xaccept(int fd, bool four, int flags)
{
	long r = four ? accept4(fd, NULL, NULL, flags) : syscall(SYS_accept, fd, NULL, NULL);

	if (r < 0)
		die(four ? "accept4" : "accept");
	calllog_add(calls, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\",\"newfd\":%ld,\"new_object\":\"%s\""
		    "%s%s,\"ret\":%ld", four ? "accept4" : "accept", fd, object_of(fd), r, object_of((int) r),
		    four ? ",\"flags\":" : "", four ? flags_json(flags) : "", r);
	return (int) r;
}

/* One sendmsg or recvmsg of cnt iovecs; returns what it moved. */
static size_t xmsg(bool send_, int fd, struct iovec *iov, int cnt)
{
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t) cnt };
	ssize_t r = send_ ? sendmsg(fd, &m, 0) : recvmsg(fd, &m, 0);

	if (r < 0)
		die(send_ ? "sendmsg" : "recvmsg");
	calllog_add(calls, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\",\"bytes\":%zd,\"ret\":%zd",
		    send_ ? "sendmsg" : "recvmsg", fd, object_of(fd), r, r);
	return (size_t) r;
}

/* One sendmmsg or recvmmsg of BATCH messages, two iovecs each; returns the messages. */
static int xmmsg(bool send_, int fd, char (*bufs)[2][32])
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH][2];
	int r;

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < BATCH; i++) {
		iov[i][0] = (struct iovec) { bufs[i][0], send_ ? (size_t) i + 1 : sizeof(bufs[i][0]) };
		iov[i][1] = (struct iovec) { bufs[i][1], sizeof(bufs[i][1]) };
		mm[i].msg_hdr.msg_iov = iov[i];
		mm[i].msg_hdr.msg_iovlen = 2;
	}
	r = send_ ? sendmmsg(fd, mm, BATCH, 0) : recvmmsg(fd, mm, BATCH, 0, NULL);
	if (r < 0)
		die(send_ ? "sendmmsg" : "recvmmsg");
	calllog_add(calls, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\",\"bytes\":%d,\"ret\":%d",
		    send_ ? "sendmmsg" : "recvmmsg", fd, object_of(fd), r, r);
	return r;
}

/* send() or recv(): the sendto and recvfrom syscalls. */
static size_t xsendrecv(bool send_, int fd, void *buf, size_t len)
{
	ssize_t r = send_ ? send(fd, buf, len, 0) : recv(fd, buf, len, 0);

	if (r < 0)
		die(send_ ? "send" : "recv");
	calllog_add(calls, "\"type\":\"%s\",\"fd\":%d,\"object\":\"%s\",\"count\":%zu,\"bytes\":%zd,"
		    "\"ret\":%zd", send_ ? "sendto" : "recvfrom", fd, object_of(fd), len, r, r);
	return (size_t) r;
}

static void xshutdown(int fd, int how)
{
	static const char *const hows[] = { "SHUT_RD", "SHUT_WR", "SHUT_RDWR" };

	if (shutdown(fd, how) < 0)
		die("shutdown");
	calllog_add(calls, "\"type\":\"shutdown\",\"fd\":%d,\"object\":\"%s\",\"how\":\"%s\",\"ret\":0",
		    fd, object_of(fd), hows[how]);
}

/* The child: reads fd to its end (the parent's shutdown), answers with the byte count. */
_Noreturn static void run_reader(int fd, long *got)
{
	char a[8], b[16], c[32], answer[32];
	struct iovec in[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec out;
	size_t r;

	while ((r = xmsg(false, fd, in, 3)) > 0)
		*got += (long) r;
	out.iov_base = answer;
	out.iov_len = (size_t) snprintf(answer, sizeof(answer), "%ld", *got);
	xmsg(true, fd, &out, 1);
	log_close(calls, fd);
	_exit(EXIT_SUCCESS);
}

/* The parent's side of the first connection: n messages, SHUT_WR, then the child's answer. */
static long stream_with_shutdown(int fd, int n, long *sent)
{
	static char a[9], b[8], c[16];
	struct iovec out[3] = { { a, 0 }, { b, sizeof(b) }, { c, sizeof(c) } };
	char answer[32];
	struct iovec in = { answer, sizeof(answer) - 1 };
	size_t len = 0, r;

	for (int i = 0; i < n; i++) {
		out[0].iov_len = (size_t) (i % (int) sizeof(a)) + 1;
		*sent += (long) xmsg(true, fd, out, 3);
	}
	xshutdown(fd, SHUT_WR);
	while ((r = xmsg(false, fd, &in, 1)) > 0) {
		len += r;
		in.iov_base = answer + len;
		in.iov_len = sizeof(answer) - 1 - len;
	}
	answer[len] = '\0';
	return strtol(answer, NULL, 10);
}

static void datagrams(const int d[2], int n)
{
	static char a[5], b[7], c[11], in1[16], in2[16], in3[64], bufs[BATCH][2][32];
	struct iovec out[3] = { { a, 0 }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec in[3] = { { in1, sizeof(in1) }, { in2, sizeof(in2) }, { in3, sizeof(in3) } };

	/* One message, one receive, the same bytes: a datagram is never merged nor split. */
	for (int i = 0; i < n; i++) {
		size_t sent;

		out[0].iov_len = (size_t) (i % (int) sizeof(a)) + 1;
		sent = xmsg(true, d[0], out, 3);
		if (xmsg(false, d[1], in, 3) != sent)
			fail("a datagram of %zu bytes came out in another size", sent);
	}
	for (int i = 0; i < n; i++)
		if (xmmsg(true, d[0], bufs) != BATCH || xmmsg(false, d[1], bufs) != BATCH)
			fail("a batch of %d datagrams was split", BATCH);
}

static void sends_and_recvs(int c, int s, int n)
{
	char buf[64], in[128];

	memset(buf, 'm', sizeof(buf));
	for (int i = 0; i < n; i++) {
		size_t sent = xsendrecv(true, c, buf, (size_t) (i % (int) sizeof(buf)) + 1);

		if (xsendrecv(false, s, in, sizeof(in)) != sent)
			fail("recv got another size than send sent");
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct calllog *parent_calls, *child_calls;
	int n, srv, c1, s1, c2, s2, d[2];
	socklen_t addr_len;
	long sent = 0, answer, *got;
	pid_t child;
	FILE *f;

	ex_init("msgcalls");
	n = count_arg(argc, argv, 3, MAX_COUNT);
	parent_calls = calls = calllog_new(LOG_BYTES(n));
	child_calls = calllog_new(LOG_BYTES(n));
	got = shared_alloc(sizeof(*got));

	/* An abstract address ("@name"): nothing in the file system to clean up. */
	snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "ipctrace-msgcalls-%d", (int) getpid());
	addr_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(addr.sun_path + 1));

	srv = xsocket();
	logged_ok("bind", srv, bind(srv, (struct sockaddr *) &addr, addr_len));
	logged_ok("listen", srv, listen(srv, 4));
	c1 = xsocket();
	logged_ok("connect", c1, connect(c1, (struct sockaddr *) &addr, addr_len));
	s1 = xaccept(srv, false, 0);
	c2 = xsocket();
	logged_ok("connect", c2, connect(c2, (struct sockaddr *) &addr, addr_len));
	s2 = xaccept(srv, true, SOCK_CLOEXEC);
	log_close(calls, srv);

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		calls = child_calls;
		run_reader(s1, got);
	}
	log_close(calls, s1);
	answer = stream_with_shutdown(c1, n, &sent);
	if (!exited_ok("child", child, log_wait4(calls, child)))
		return EXIT_FAILURE;

	sends_and_recvs(c2, s2, n);
	log_socketpair(calls, SOCK_DGRAM, d);
	datagrams(d, n);

	log_close(calls, c1);
	log_close(calls, c2);
	log_close(calls, s2);
	log_close(calls, d[0]);
	log_close(calls, d[1]);

	f = report_open(stderr);
	fprintf(f, "{\"pid\":%d,\"child_pid\":%d,\"n\":%d,\"address\":\"@%s\",\"listen_fd\":%d,"
		"\"stream_sent\":%ld,\"stream_got\":%ld,\"answer\":%ld,\"batch\":%d,\"calls\":",
		(int) getpid(), (int) child, n, addr.sun_path + 1, srv, sent, *got, answer, BATCH);
	calllog_print(f, parent_calls);
	fputs(",\"child_calls\":", f);
	calllog_print(f, child_calls);
	fputs("}\n", f);
	report_close(f);
	if (answer != sent || *got != sent)
		fail("sent %ld bytes; the child got %ld and answered %ld", sent, *got, answer);
	return EXIT_SUCCESS;
}
