// SPDX-License-Identifier: MIT
// Example "a socketpair ping-pong": parent and child bounce N messages over AF_UNIX.

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "example.h"

#define MAX_COUNT 1000000

/*
 * One per process, in MAP_SHARED memory; each process writes only its own.
 * send() and recv() are the sendto and recvfrom syscalls on x86_64.
 */
struct side {
	struct traffic sent;
	struct traffic received;
	int fd;
};

struct shared {
	struct side parent;
	struct side child;
};

static void recv_echo(struct side *s, char *buf, size_t len)
{
	if (!recv_all(s->fd, buf, len, &s->received))
		fail("recv: unexpected end of stream");
}

_Noreturn static void run_child(struct side *s, int n)
{
	char buf[61];

	for (int i = 0; i < n; i++) {
		size_t len = (size_t) (i % 61) + 1;

		recv_echo(s, buf, len);
		send_all(s->fd, buf, len, &s->sent);
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
		send_all(s->fd, out, len, &s->sent);
		recv_echo(s, in, len);
		if (memcmp(in, out, len) != 0)
			fail("round %d: echo differs from what was sent", i);
	}
	if (close(s->fd) < 0)
		die("close");
}

static void print_side(FILE *f, const char *name, const struct side *s)
{
	fprintf(f, "\"%s\":{\"sendto\":%d,\"sendto_bytes\":%ld,"
		"\"recvfrom\":%d,\"recvfrom_bytes\":%ld,\"fd\":%d}",
		name, s->sent.calls, s->sent.bytes, s->received.calls, s->received.bytes, s->fd);
}

static void write_report(pid_t parent, pid_t child, const struct shared *sh)
{
	FILE *f = report_open(NULL);

	if (!f) {
		note("parent %d sent %ld bytes in %d sends, received %ld in %d recvs; "
		     "child %d sent %ld bytes in %d sends, received %ld in %d recvs",
		     (int) parent, sh->parent.sent.bytes, sh->parent.sent.calls,
		     sh->parent.received.bytes, sh->parent.received.calls,
		     (int) child, sh->child.sent.bytes, sh->child.sent.calls,
		     sh->child.received.bytes, sh->child.received.calls);
		return;
	}
	fprintf(f, "{\"parent_pid\":%d,\"child_pid\":%d,", (int) parent, (int) child);
	print_side(f, "parent", &sh->parent);
	fputc(',', f);
	print_side(f, "child", &sh->child);
	fputs("}\n", f);
	report_close(f);
}

int main(int argc, char **argv)
{
	struct shared *sh;
	int n, sv[2];
	pid_t child;

	ex_init("socketpair");
	n = count_arg(argc, argv, 50, MAX_COUNT);
	sh = shared_alloc(sizeof(*sh));

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

	if (!exited_ok("child", child, wait_child(child)))
		return EXIT_FAILURE;

	write_report(getpid(), child, sh);
	return EXIT_SUCCESS;
}
