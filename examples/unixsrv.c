// SPDX-License-Identifier: MIT
// Example "an AF_UNIX echo server": `unixsrv PATH [K]` binds a stream socket to PATH, listens,
// forks 3 clients that connect to it, accepts them, and echoes what each sends: K messages of
// different sizes per client. Every send/recv and its bytes are counted per process.

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "example.h"

#define NCLIENTS 3
#define MAX_MSG 5000
#define MAX_COUNT 100000

/* One per socket a process uses, in MAP_SHARED memory; each process fills only its own. */
struct side {
	int pid;
	int fd;
	unsigned long inode;
	int peer_pid;			/* accepted sockets: the client, from SO_PEERCRED */
	struct traffic sent;		/* send() calls: the sendto syscall */
	struct traffic received;	/* recv() calls: the recvfrom syscall, with the final 0 */
};

struct shared {
	struct side accepted[NCLIENTS];	/* the server's end of each connection, in accept order */
	struct side clients[NCLIENTS];	/* in fork order */
};

static size_t msg_len(int client, int i)
{
	return (size_t) (1 + (client * 997 + i * 613) % MAX_MSG);
}

_Noreturn static void run_client(int idx, const char *path, int k, struct side *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char out[MAX_MSG], in[MAX_MSG];
	int fd;

	s->pid = (int) getpid();
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	s->fd = fd;
	s->inode = inode_of(fd);
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		die("connect");
	for (int i = 0; i < k; i++) {
		size_t len = msg_len(idx, i);

		memset(out, 'a' + (idx * 7 + i) % 26, len);
		send_all(fd, out, len, &s->sent);
		if (!recv_all(fd, in, len, &s->received)) {
			note("client %d: unexpected end of stream", idx);
			_exit(EXIT_FAILURE);
		}
		if (memcmp(in, out, len) != 0) {
			note("client %d: echo %d differs", idx, i);
			_exit(EXIT_FAILURE);
		}
	}
	if (close(fd) < 0)
		die("close");
	_exit(EXIT_SUCCESS);
}

/* Echoes everything until the client closes its end. */
static void serve(struct side *s)
{
	char buf[65536];

	for (;;) {
		size_t n = recv_some(s->fd, buf, sizeof(buf), &s->received);

		if (n == 0)
			break;
		send_all(s->fd, buf, n, &s->sent);
	}
	if (close(s->fd) < 0)
		die("close");
}

static void print_side(FILE *f, const struct side *s, int with_peer)
{
	fprintf(f, "{\"pid\":%d,\"fd\":%d,\"inode\":%lu,", s->pid, s->fd, s->inode);
	if (with_peer)
		fprintf(f, "\"peer_pid\":%d,", s->peer_pid);
	fprintf(f, "\"sendto\":%d,\"sendto_bytes\":%ld,\"recvfrom\":%d,\"recvfrom_bytes\":%ld}",
		s->sent.calls, s->sent.bytes, s->received.calls, s->received.bytes);
}

static void write_report(const char *sock_path, int k, int lfd, unsigned long linode,
			 const struct shared *sh)
{
	FILE *f = report_open(stderr);

	fprintf(f, "{\"server_pid\":%d,\"path\":\"%s\",\"messages\":%d,\"listen_fd\":%d,"
		"\"listen_inode\":%lu,\"accepted\":[", (int) getpid(), sock_path, k, lfd, linode);
	for (int i = 0; i < NCLIENTS; i++) {
		if (i)
			fputc(',', f);
		print_side(f, &sh->accepted[i], 1);
	}
	fputs("],\"clients\":[", f);
	for (int i = 0; i < NCLIENTS; i++) {
		if (i)
			fputc(',', f);
		print_side(f, &sh->clients[i], 0);
	}
	fputs("]}\n", f);
	report_close(f);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct shared *sh;
	pid_t pids[NCLIENTS];
	int lfd, k = 10, failed = 0;
	unsigned long linode;

	ex_init("unixsrv");
	if (argc < 2 || argc > 3)
		usage("PATH [K]");
	if (strlen(argv[1]) >= sizeof(sa.sun_path))
		fail("socket path too long");
	if (argc == 3)
		k = parse_count(argv[2], 1, MAX_COUNT);
	sh = shared_alloc(sizeof(*sh));

	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	linode = inode_of(lfd);
	strcpy(sa.sun_path, argv[1]);
	if (bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		die("bind");
	/* Listening before the clients exist is the handshake: their connects cannot come early. */
	if (listen(lfd, NCLIENTS) < 0)
		die("listen");

	for (int i = 0; i < NCLIENTS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			if (close(lfd) < 0)
				die("close listening socket");
			run_client(i, argv[1], k, &sh->clients[i]);
		}
	}

	for (int i = 0; i < NCLIENTS; i++) {
		struct side *s = &sh->accepted[i];
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			die("accept");
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
			die("getsockopt SO_PEERCRED");
		s->pid = (int) getpid();
		s->fd = fd;
		s->inode = inode_of(fd);
		s->peer_pid = (int) cred.pid;
	}
	for (int i = 0; i < NCLIENTS; i++)
		serve(&sh->accepted[i]);
	if (close(lfd) < 0)
		die("close listening socket");

	for (int i = 0; i < NCLIENTS; i++)
		if (!exited_ok("client", pids[i], wait_child(pids[i])))
			failed = 1;
	if (unlink(argv[1]) < 0)
		die("unlink");
	write_report(argv[1], k, lfd, linode, sh);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
