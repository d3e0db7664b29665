// SPDX-License-Identifier: MIT
// Example "TCP over loopback": `tcp [UP [DOWN]]` listens on 127.0.0.1 (an ephemeral port),
// forks a client that connects and sends UP bytes; the server receives them, answers with DOWN
// bytes, and reads until the client closes. Every send/recv and its bytes are counted.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 100000000
#define CHUNK 7000

/* One per process, in MAP_SHARED memory; each process fills only its own. */
struct side {
	int pid;
	int fd;
	unsigned long inode;
	int port;			/* the local port of this socket */
	int peer_port;			/* the remote port, as the process sees it */
	struct traffic sent;		/* send() calls: the sendto syscall */
	struct traffic received;	/* recv() calls: the recvfrom syscall, with a final 0 */
};

struct shared {
	struct side server;	/* the accepted socket */
	struct side client;
};

static int local_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *) &sa, &len) < 0)
		die("getsockname");
	return ntohs(sa.sin_port);
}

static void send_n(struct side *s, long n, char fill)
{
	static char buf[CHUNK];
	long done = 0;

	memset(buf, fill, sizeof(buf));
	while (done < n) {
		size_t len = n - done < CHUNK ? (size_t) (n - done) : CHUNK;

		done += (long) send_some(s->fd, buf, len, &s->sent);
	}
}

/* Receives exactly n bytes (n < 0: until end of stream); returns the bytes received. */
static long recv_n(struct side *s, long n)
{
	static char buf[65536];
	long done = 0;

	while (n < 0 || done < n) {
		size_t len = n < 0 || n - done > (long) sizeof(buf) ? sizeof(buf) : (size_t) (n - done);
		size_t r = recv_some(s->fd, buf, len, &s->received);

		if (r == 0)
			break;
		done += (long) r;
	}
	return done;
}

_Noreturn static void run_client(int lfd, int port, long up, long down, struct side *s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	if (close(lfd) < 0)
		die("close listening socket");
	s->pid = (int) getpid();
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->fd < 0)
		die("socket");
	s->inode = inode_of(s->fd);
	if (connect(s->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		die("connect");
	s->port = local_port(s->fd);
	s->peer_port = port;
	send_n(s, up, 'u');
	if (recv_n(s, down) != down) {
		note("client: the server closed early");
		_exit(EXIT_FAILURE);
	}
	if (close(s->fd) < 0)
		die("close");
	_exit(EXIT_SUCCESS);
}

static void print_side(FILE *f, const char *name, const struct side *s)
{
	fprintf(f, "\"%s\":{\"pid\":%d,\"fd\":%d,\"inode\":%lu,\"port\":%d,\"peer_port\":%d,"
		"\"sendto\":%d,\"sendto_bytes\":%ld,\"recvfrom\":%d,\"recvfrom_bytes\":%ld}",
		name, s->pid, s->fd, s->inode, s->port, s->peer_port,
		s->sent.calls, s->sent.bytes, s->received.calls, s->received.bytes);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	long up = 100000, down = 30000;
	struct shared *sh;
	unsigned long linode;
	int lfd, port, status;
	pid_t child;
	FILE *f;

	ex_init("tcp");
	if (argc > 3)
		usage("[UP [DOWN]]");
	if (argc > 1)
		up = parse_count(argv[1], 0, MAX_COUNT);
	if (argc > 2)
		down = parse_count(argv[2], 0, MAX_COUNT);
	sh = shared_alloc(sizeof(*sh));

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	linode = inode_of(lfd);
	if (bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		die("bind");
	port = local_port(lfd);
	/* Listening before the client exists is the handshake: its connect cannot come early. */
	if (listen(lfd, 1) < 0)
		die("listen");

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		run_client(lfd, port, up, down, &sh->client);

	sh->server.pid = (int) getpid();
	sh->server.fd = accept(lfd, (struct sockaddr *) &peer, &plen);
	if (sh->server.fd < 0)
		die("accept");
	sh->server.inode = inode_of(sh->server.fd);
	sh->server.port = local_port(sh->server.fd);
	sh->server.peer_port = ntohs(peer.sin_port);
	if (recv_n(&sh->server, up) != up)
		fail("server: the client closed early");
	send_n(&sh->server, down, 'd');
	if (recv_n(&sh->server, -1) != 0)
		fail("server: more bytes than expected");
	if (close(sh->server.fd) < 0 || close(lfd) < 0)
		die("close");

	status = wait_child(child);

	/* The report; without $IPCTRACE_REPORT, on stderr. */
	f = report_open(stderr);
	fprintf(f, "{\"server_pid\":%d,\"client_pid\":%d,\"server_port\":%d,\"up\":%ld,"
		"\"down\":%ld,\"listen_fd\":%d,\"listen_inode\":%lu,",
		(int) getpid(), (int) child, port, up, down, lfd, linode);
	print_side(f, "server", &sh->server);
	fputc(',', f);
	print_side(f, "client", &sh->client);
	fputs("}\n", f);
	report_close(f);

	return exited_ok("client", child, status) ? EXIT_SUCCESS : EXIT_FAILURE;
}
