// SPDX-License-Identifier: MIT
// Example "32-bit": built with -m32 (where the compiler can), it makes the
// usual IPC calls with the 32-bit numbers and argument layouts of its ABI
// (ia32 `read` is 3, x86-64's `close`; its C library sends through
// socketcall), and reports what each returned: a pipe written to (write,
// writev) and read, a descriptor copied with fcntl, a socketpair with a
// send and a recv, a datagram sent with sendto and one with sendmsg to an
// abstract AF_UNIX address (a 32-bit msghdr), SIGUSR1 to a plain handler
// (which returns through sigreturn) and SIGUSR2 queued with a value to an
// SA_SIGINFO one.

#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "example.h"

#define PROG "compat32"

static volatile sig_atomic_t usr1_runs, usr2_runs, usr2_value;

/* Not static, so that the symbols show up in tracer output. */
void on_usr1(int sig);
void on_usr2(int sig, siginfo_t *si, void *uc);

void on_usr1(int sig)
{
	(void) sig;
	usr1_runs++;
}

void on_usr2(int sig, siginfo_t *si, void *uc)
{
	(void) sig;
	(void) uc;
	usr2_runs++;
	usr2_value = si->si_value.sival_int;
}

int main(int argc, char **argv)
{
	struct sigaction plain = { .sa_handler = on_usr1 }, info = { .sa_sigaction = on_usr2, .sa_flags = SA_SIGINFO };
	struct iovec iov[2] = { { "abc", 3 }, { "defg", 4 } };
	union sigval v = { .sival_int = 42 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct iovec one = { "dgram", 5 };
	struct msghdr m = { .msg_name = &sun, .msg_iov = &one, .msg_iovlen = 1 };
	socklen_t sun_len;
	int p[2], sv[2], copy, drx, dtx;
	size_t got, wrote, sent, received;
	ssize_t vec;
	char buf[64];

	(void) argv;
	ex_init(PROG);
	if (argc != 1)
		usage("");

	if (pipe(p) < 0)
		die("pipe");
	wrote = write_some(p[1], "hello", 5, NULL);
	vec = writev(p[1], iov, 2);
	if (vec < 0)
		die("writev");
	got = read_some(p[0], buf, sizeof(buf), NULL);
	copy = fcntl(p[1], F_DUPFD_CLOEXEC, 10);
	if (copy < 0)
		die("fcntl");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	sent = send_some(sv[0], "ping", 4, NULL);
	received = recv_some(sv[1], buf, sizeof(buf), NULL);

	/* An abstract name: '@' in the report, a NUL byte in the address (as long as the length says). */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "@ipctrace-c32-%d", (int) getpid());
	sun_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(sun.sun_path));
	sun.sun_path[0] = 0;
	m.msg_namelen = sun_len;
	drx = socket(AF_UNIX, SOCK_DGRAM, 0);
	dtx = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (drx < 0 || dtx < 0 || bind(drx, (struct sockaddr *) &sun, sun_len) < 0)
		die("datagram socket");
	if (sendto(dtx, "dgram", 5, 0, (struct sockaddr *) &sun, sun_len) != 5 || sendmsg(dtx, &m, 0) != 5)
		die("send a datagram");
	sun.sun_path[0] = '@';

	sigemptyset(&plain.sa_mask);
	sigemptyset(&info.sa_mask);
	if (sigaction(SIGUSR1, &plain, NULL) < 0 || sigaction(SIGUSR2, &info, NULL) < 0)
		die("sigaction");
	if (kill(getpid(), SIGUSR1) < 0)
		die("kill");
	if (sigqueue(getpid(), SIGUSR2, v) < 0)
		die("sigqueue");

	if (!report("{\"pid\":%d,\"pipe\":[%d,%d],\"pipe_inode\":%lu,\"written\":%zu,\"writev\":%zd,\"read\":%zu,"
		    "\"dupfd\":%d,\"socketpair\":[%d,%d],\"socket_inodes\":[%lu,%lu],\"sent\":%zu,\"received\":%zu,"
		    "\"usr1_handled\":%d,\"usr2_handled\":%d,\"usr2_value\":%d,"
		    "\"dgram\":[%d,%d],\"dgram_address\":\"%s\"}",
		    (int) getpid(), p[0], p[1], inode_of(p[0]), wrote, vec, got, copy, sv[0], sv[1],
		    inode_of(sv[0]), inode_of(sv[1]), sent, received, (int) usr1_runs, (int) usr2_runs,
		    (int) usr2_value, drx, dtx, sun.sun_path))
		note("done");
	close(p[0]);
	close(p[1]);
	close(copy);
	close(sv[0]);
	close(sv[1]);
	close(drx);
	close(dtx);
	return usr1_runs == 1 && usr2_runs == 1 && usr2_value == 42 ? EXIT_SUCCESS : EXIT_FAILURE;
}
