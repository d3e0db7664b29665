// SPDX-License-Identifier: MIT
// Example "where the calls went": `addrs N` makes the calls whose address a trace shows.
// UDP on 127.0.0.1: a socket bound to an ephemeral port receives N datagrams that another
// sends with sendto and one it sends with sendmsg (msg_name); an AF_UNIX datagram socket
// bound to an abstract name, that a second one connects to; and a connect to a path where
// nothing listens (ENOENT); a TCP socket that listen binds (no bind: an ephemeral port). The
// report says each address as the program gave it, and the port listen took.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 1000

/* An AF_UNIX address of name (abstract: name starts with '@', kept as a NUL byte), and its length. */
static socklen_t unix_addr(struct sockaddr_un *sa, const char *name)
{
	size_t n = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@')
		sa->sun_path[0] = 0;
	/* An abstract name is as long as the length says; a path ends at its NUL. */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] != '@'));
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, lsa;
	socklen_t len = sizeof(sin);
	struct sockaddr_un sun;
	char abstract[64], missing[] = "/nonexistent/ipctrace-addrs.sock", buf[16] = "datagram";
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_name = &sin, .msg_namelen = sizeof(sin), .msg_iov = &iov, .msg_iovlen = 1 };
	long n;
	int rx, tx, ubound, uconn, bad, connect_errno, lsn;
	FILE *f;

	ex_init("addrs");
	n = count_arg(argc, argv, 3, MAX_COUNT);

	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (rx < 0 || tx < 0)
		die("socket");
	if (bind(rx, (struct sockaddr *)&sin, sizeof(sin)) < 0 || getsockname(rx, (struct sockaddr *)&sin, &len) < 0)
		die("bind");
	for (long i = 0; i < n; i++)
		if (sendto(tx, buf, sizeof(buf), 0, (struct sockaddr *)&sin, sizeof(sin)) != sizeof(buf))
			die("sendto");
	if (sendmsg(tx, &m, 0) != sizeof(buf))
		die("sendmsg");
	for (long i = 0; i <= n; i++)
		if (recv(rx, buf, sizeof(buf), 0) != sizeof(buf))
			die("recv");

	snprintf(abstract, sizeof(abstract), "@ipctrace-addrs-%d", (int)getpid());
	ubound = socket(AF_UNIX, SOCK_DGRAM, 0);
	uconn = socket(AF_UNIX, SOCK_DGRAM, 0);
	bad = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ubound < 0 || uconn < 0 || bad < 0)
		die("socket");
	len = unix_addr(&sun, abstract);
	if (bind(ubound, (struct sockaddr *)&sun, len) < 0)
		die("bind");
	if (connect(uconn, (struct sockaddr *)&sun, len) < 0)
		die("connect");
	len = unix_addr(&sun, missing);
	if (connect(bad, (struct sockaddr *)&sun, len) == 0)
		fail("connect to %s succeeded", missing);
	connect_errno = errno;

	lsn = socket(AF_INET, SOCK_STREAM, 0);
	len = sizeof(lsa);
	if (lsn < 0 || listen(lsn, 1) < 0 || getsockname(lsn, (struct sockaddr *)&lsa, &len) < 0)
		die("listen");

	f = report_open(stderr);
	fprintf(f, "{\"udp\":{\"address\":\"127.0.0.1:%d\",\"fd\":%d,\"inode\":%lu,\"sendto\":%ld,\"sendmsg\":1},"
		"\"abstract\":{\"address\":\"%s\",\"fd\":%d,\"inode\":%lu},"
		"\"missing\":{\"address\":\"%s\",\"fd\":%d,\"inode\":%lu,\"errno\":%d},"
		"\"listen\":{\"fd\":%d,\"port\":%d}}\n",
		ntohs(sin.sin_port), tx, inode_of(tx), n, abstract, uconn, inode_of(uconn),
		missing, bad, inode_of(bad), connect_errno, lsn, ntohs(lsa.sin_port));
	report_close(f);
	return 0;
}
