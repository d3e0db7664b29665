// SPDX-License-Identifier: MIT
// Example "a socketpair ping-pong": parent and child bounce N messages over AF_UNIX.

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "socketpair"
#define MAX_COUNT 1000000

/* One per process, in MAP_SHARED memory; each process writes only its own. */
struct side {
	int sendto;
	int sendto_bytes;
	int recvfrom;
	int recvfrom_bytes;
	int fd;
};

struct shared {
	struct side parent;
	struct side child;
};

_Noreturn static void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s\n", PROG, what, strerror(err));
	exit(EXIT_FAILURE);
}

static int parse_count(int argc, char **argv, int def)
{
	char *end;
	long v;

	if (argc < 2)
		return def;
	if (argc > 2) {
		fprintf(stderr, "usage: %s [N]\n", PROG);
		exit(EXIT_FAILURE);
	}
	errno = 0;
	v = strtol(argv[1], &end, 10);
	if (errno || end == argv[1] || *end || v < 0 || v > MAX_COUNT) {
		fprintf(stderr, "%s: invalid count '%s' (0..%d)\n", PROG, argv[1], MAX_COUNT);
		exit(EXIT_FAILURE);
	}
	return (int) v;
}

/* send() is the sendto syscall on x86_64; count every call. */
static void send_all(struct side *s, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = send(s->fd, buf + done, len - done, 0);

		s->sendto++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("send");
		}
		s->sendto_bytes += (int) r;
		done += (size_t) r;
	}
}

/* recv() is the recvfrom syscall on x86_64; count every call. */
static void recv_all(struct side *s, char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = recv(s->fd, buf + done, len - done, 0);

		s->recvfrom++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("recv");
		}
		if (r == 0) {
			fprintf(stderr, "%s: recv: unexpected end of stream\n", PROG);
			exit(EXIT_FAILURE);
		}
		s->recvfrom_bytes += (int) r;
		done += (size_t) r;
	}
}

_Noreturn static void run_child(struct side *s, int n)
{
	char buf[61];

	for (int i = 0; i < n; i++) {
		size_t len = (size_t) (i % 61) + 1;

		recv_all(s, buf, len);
		send_all(s, buf, len);
	}
	if (close(s->fd) < 0)
		die("close");
	_exit(EXIT_SUCCESS);
}

static void run_parent(struct side *s, int n)
{
	char out[61], in[61];

	for (int i = 0; i < n; i++) {
		size_t len = (size_t) (i % 61) + 1;

		memset(out, 'A' + i % 26, len);
		send_all(s, out, len);
		recv_all(s, in, len);
		if (memcmp(in, out, len) != 0) {
			fprintf(stderr, "%s: round %d: echo differs from what was sent\n", PROG, i);
			exit(EXIT_FAILURE);
		}
	}
	if (close(s->fd) < 0)
		die("close");
}

static void print_side(FILE *f, const char *name, const struct side *s)
{
	fprintf(f, "\"%s\":{\"sendto\":%d,\"sendto_bytes\":%d,"
		"\"recvfrom\":%d,\"recvfrom_bytes\":%d,\"fd\":%d}",
		name, s->sendto, s->sendto_bytes, s->recvfrom, s->recvfrom_bytes, s->fd);
}

static void write_report(pid_t parent, pid_t child, const struct shared *sh)
{
	const char *path = getenv("IPCTRACE_REPORT");
	FILE *f;

	if (!path || !*path) {
		fprintf(stderr, "%s: parent %d sent %d bytes in %d sends, received %d in %d recvs; "
			"child %d sent %d bytes in %d sends, received %d in %d recvs\n",
			PROG, (int) parent, sh->parent.sendto_bytes, sh->parent.sendto,
			sh->parent.recvfrom_bytes, sh->parent.recvfrom,
			(int) child, sh->child.sendto_bytes, sh->child.sendto,
			sh->child.recvfrom_bytes, sh->child.recvfrom);
		return;
	}
	f = fopen(path, "w");
	if (!f)
		die("open IPCTRACE_REPORT");
	fprintf(f, "{\"parent_pid\":%d,\"child_pid\":%d,", (int) parent, (int) child);
	print_side(f, "parent", &sh->parent);
	fputc(',', f);
	print_side(f, "child", &sh->child);
	fputs("}\n", f);
	if (ferror(f) | fclose(f))
		die("write IPCTRACE_REPORT");
}

int main(int argc, char **argv)
{
	int n = parse_count(argc, argv, 50);
	struct shared *sh;
	int sv[2], status;
	pid_t child;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	sh->parent.fd = sv[0];
	sh->child.fd = sv[1];

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (close(sv[0]) < 0)
			die("close");
		run_child(&sh->child, n);
	}

	if (close(sv[1]) < 0)
		die("close");
	run_parent(&sh->parent, n);

	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: child %d failed (status 0x%x)\n", PROG, (int) child, status);
		return EXIT_FAILURE;
	}

	write_report(getpid(), child, sh);
	return EXIT_SUCCESS;
}
