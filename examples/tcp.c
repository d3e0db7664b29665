// SPDX-License-Identifier: MIT
// Example "TCP over loopback": `tcp [UP [DOWN]]` listens on 127.0.0.1 (an ephemeral port),
// forks a client that connects and sends UP bytes; the server receives them, answers with DOWN
// bytes, and reads until the client closes. Every send/recv and its bytes are counted.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "tcp"
#define MAX_COUNT 100000000
#define CHUNK 7000

/* One per process, in MAP_SHARED memory; each process fills only its own. */
struct side {
	int pid;
	int fd;
	unsigned long inode;
	int port;		/* the local port of this socket */
	int peer_port;		/* the remote port, as the process sees it */
	int sendto;		/* send() calls (the sendto syscall), failed ones too */
	long sendto_bytes;
	int recvfrom;		/* recv() calls (the recvfrom syscall), with a final 0 */
	long recvfrom_bytes;
};

struct shared {
	struct side server;	/* the accepted socket */
	struct side client;
};

_Noreturn static void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s\n", PROG, what, strerror(err));
	exit(EXIT_FAILURE);
}

static long parse_count(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > MAX_COUNT) {
		fprintf(stderr, "%s: invalid count '%s' (0..%d)\n", PROG, s, MAX_COUNT);
		exit(EXIT_FAILURE);
	}
	return v;
}

static unsigned long inode_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat");
	return (unsigned long) st.st_ino;
}

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
		ssize_t r = send(s->fd, buf, len, 0);

		s->sendto++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("send");
		}
		s->sendto_bytes += r;
		done += r;
	}
}

/* Receives exactly n bytes (n < 0: until end of stream); returns the bytes received. */
static long recv_n(struct side *s, long n)
{
	static char buf[65536];
	long done = 0;

	while (n < 0 || done < n) {
		size_t len = n < 0 || n - done > (long) sizeof(buf) ? sizeof(buf) : (size_t) (n - done);
		ssize_t r = recv(s->fd, buf, len, 0);

		s->recvfrom++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("recv");
		}
		if (r == 0)
			break;
		s->recvfrom_bytes += r;
		done += r;
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
		fprintf(stderr, "%s: client: the server closed early\n", PROG);
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
		s->sendto, s->sendto_bytes, s->recvfrom, s->recvfrom_bytes);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	long up = 100000, down = 30000;
	const char *path = getenv("IPCTRACE_REPORT");
	struct shared *sh;
	unsigned long linode;
	int lfd, port, status;
	pid_t child;
	FILE *f = stderr;

	if (argc > 3) {
		fprintf(stderr, "usage: %s [UP [DOWN]]\n", PROG);
		return EXIT_FAILURE;
	}
	if (argc > 1)
		up = parse_count(argv[1]);
	if (argc > 2)
		down = parse_count(argv[2]);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");

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
	if (recv_n(&sh->server, up) != up) {
		fprintf(stderr, "%s: server: the client closed early\n", PROG);
		return EXIT_FAILURE;
	}
	send_n(&sh->server, down, 'd');
	if (recv_n(&sh->server, -1) != 0) {
		fprintf(stderr, "%s: server: more bytes than expected\n", PROG);
		return EXIT_FAILURE;
	}
	if (close(sh->server.fd) < 0 || close(lfd) < 0)
		die("close");

	if (waitpid(child, &status, 0) < 0)
		die("waitpid");

	if (path && *path) {
		f = fopen(path, "w");
		if (!f)
			die("open IPCTRACE_REPORT");
	}
	fprintf(f, "{\"server_pid\":%d,\"client_pid\":%d,\"server_port\":%d,\"up\":%ld,"
		"\"down\":%ld,\"listen_fd\":%d,\"listen_inode\":%lu,",
		(int) getpid(), (int) child, port, up, down, lfd, linode);
	print_side(f, "server", &sh->server);
	fputc(',', f);
	print_side(f, "client", &sh->client);
	fputs("}\n", f);
	if (f != stderr && (ferror(f) | fclose(f)))
		die("write IPCTRACE_REPORT");

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: client %d failed (status 0x%x)\n", PROG, (int) child, status);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
