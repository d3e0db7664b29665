// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/evfilter.c (the matches of `ipctrace log`, over the
 * fields of docs/events.md): synthetic events laid out as the BPF side
 * writes them (x[] per syscall class, include/ipctrace/event.h), every
 * field on its own, OR within a field and AND across fields, the state
 * that tree= keeps, the pids a filter names (for the journal to pass
 * over blocks without them), and the errors for bad terms. Then ipct_parse_time
 * (lib/names.h), the --since/--until times, with fixed now and boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

#include "check.h"
#include "evfilter.h"
#include "names.h"

#define SESSION 1
#define UID 1000
#define ERESTARTSYS 512

/* ---- events ---- */

static struct ipct_event ev(uint8_t type, uint32_t pid, uint32_t tid)
{
	struct ipct_event e = { .version = IPCT_EVENT_VERSION, .type = type, .pid = pid, .tid = tid,
				.session = SESSION, .uid = UID, .ts_ns = 1000 };

	snprintf(e.comm, sizeof(e.comm), "proc%u", pid);
	return e;
}

static struct ipct_event sys(uint32_t pid, int nr, int64_t ret)
{
	struct ipct_event e = ev(IPCT_EV_SYSCALL, pid, pid);

	e.nr = (uint16_t)nr;
	e.sys.ret = ret;
	return e;
}

/* A call on one fd (read, write, sendto, close ...): x[0] its inode, kind[0] its kind. */
static struct ipct_event fd_call(uint32_t pid, int nr, int fd, int kind, uint64_t ino, int64_t ret)
{
	struct ipct_event e = sys(pid, nr, ret);

	e.sys.args[0] = (uint64_t)fd;
	e.sys.args[2] = 100;
	e.kind[0] = (uint8_t)kind;
	e.sys.x[0] = ino;
	e.sys.x[1] = O_WRONLY | (uint64_t)2 << 32;
	return e;
}

/* kill(target, sig) */
static struct ipct_event kill_ev(uint32_t pid, uint32_t target, int sig)
{
	struct ipct_event e = sys(pid, __NR_kill, 0);

	e.sys.args[0] = target;
	e.sys.args[1] = (uint64_t)sig;
	return e;
}

static struct ipct_event sig_ev(uint8_t type, uint32_t pid, int sig, int result)
{
	struct ipct_event e = ev(type, pid, pid);

	e.sig.sig = sig;
	e.sig.code = SI_USER;
	e.sig.result = result;
	e.sig.target_pid = e.sig.target_tid = 500;
	e.sig.sys_nr = -1;
	return e;
}

static struct ipct_event fork_ev(uint32_t pid, uint32_t child)
{
	struct ipct_event e = ev(IPCT_EV_FORK, pid, pid);

	e.proc.child_pid = e.proc.child_tid = child;
	return e;
}

/* pipe2 / socketpair: x[0] the fd pair, x[1] and x[2] the inodes. */
static struct ipct_event pair_ev(uint32_t pid, int nr, int fd0, int fd1, int kind, uint64_t ino0, uint64_t ino1)
{
	struct ipct_event e = sys(pid, nr, 0);

	e.sys.x[0] = (uint32_t)fd0 | (uint64_t)(uint32_t)fd1 << 32;
	e.sys.x[1] = ino0;
	e.sys.x[2] = ino1;
	e.sys.x[3] = O_RDWR | (uint64_t)O_RDWR << 32;
	e.kind[0] = e.kind[1] = (uint8_t)kind;
	if (nr == __NR_socketpair) {
		e.sys.args[0] = AF_UNIX;
		e.sys.args[1] = SOCK_STREAM;
	}
	return e;
}

/* The object event after bind/connect/accept/open: family 0 for a FIFO. */
static struct ipct_event obj_ev(uint32_t pid, int fd, int family, uint64_t ino)
{
	struct ipct_event e = ev(IPCT_EV_OBJINFO, pid, pid);

	e.nr = family ? __NR_connect : __NR_openat;
	e.obj.ino = ino;
	e.obj.family = (uint16_t)family;
	e.obj.type = family ? SOCK_STREAM : 0;
	e.obj.fd = fd;
	return e;
}

/* An SCM_RIGHTS descriptor received: fd, on ino of that kind, through the socket at fd 4. */
static struct ipct_event received_ev(uint32_t pid, int fd, int kind, uint64_t ino)
{
	struct ipct_event e = ev(IPCT_EV_FD_RECEIVED, pid, pid);

	e.nr = __NR_recvmsg;
	e.kind[0] = (uint8_t)kind;
	e.fdrecv.ino = ino;
	e.fdrecv.fd = fd;
	e.fdrecv.via_fd = 4;
	return e;
}

/* pidfd_getfd(3, 9, 0) = newfd, an end of pipe ino, taken from pid 77. */
static struct ipct_event getfd_ev(uint32_t pid, int newfd, uint64_t ino)
{
	struct ipct_event e = sys(pid, __NR_pidfd_getfd, newfd);

	e.sys.args[0] = 3;
	e.sys.args[1] = 9;
	e.kind[0] = IPCT_KIND_PIPE;
	e.sys.x[0] = ino;
	e.sys.x[2] = 77;
	return e;
}

/* ---- filters ---- */

static struct ipct_evfilter *filter(const char *const *terms, int n)
{
	char err[1024] = "";
	struct ipct_evfilter *f = ipct_evfilter_new(terms, n, err, sizeof(err));

	if (!f) {
		fprintf(stderr, "ipct_evfilter_new failed: %s\n", err);
		exit(EXIT_FAILURE);
	}
	return f;
}

/* Does a fresh filter of these terms match e? */
static bool matchv(const char *const *terms, int n, struct ipct_event e)
{
	struct ipct_evfilter *f = filter(terms, n);
	bool r = ipct_evfilter_match(f, &e);

	ipct_evfilter_free(f);
	return r;
}

static bool match1(const char *term, struct ipct_event e)
{
	return matchv(&term, 1, e);
}

#define MATCH(term, e) CHECK(match1((term), (e)))
#define NO_MATCH(term, e) CHECK(!match1((term), (e)))

/* The terms are refused, and the message holds each of the expected pieces. */
static void check_error(const char *const *terms, int n, const char *const *pieces, int line)
{
	char err[1024] = "";
	struct ipct_evfilter *f = ipct_evfilter_new(terms, n, err, sizeof(err));

	if (f) {
		fprintf(stderr, "%s:%d: '%s' accepted\n", __FILE__, line, terms[n - 1]);
		check_failures++;
		ipct_evfilter_free(f);
		return;
	}
	for (const char *const *p = pieces; *p; p++)
		if (!strstr(err, *p)) {
			fprintf(stderr, "%s:%d: error for '%s' lacks '%s'\n  got: %s\n", __FILE__, line,
				terms[n - 1], *p, err);
			check_failures++;
		}
}

#define CHECK_ERROR(term, ...)                                                                     \
	do {                                                                                       \
		const char *t_[] = { (term) };                                                     \
		const char *p_[] = { __VA_ARGS__, NULL };                                          \
		check_error(t_, 1, p_, __LINE__);                                                  \
	} while (0)

/* ---- fields ---- */

static void test_pid_tid_uid_session(void)
{
	struct ipct_event e = fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, 10);

	e.tid = 101;
	MATCH("pid=100", e);
	NO_MATCH("pid=101", e);
	NO_MATCH("pid=10", e);
	/* A list: any of them. */
	MATCH("pid=1,100,3", e);
	MATCH("pid=100,7", e);
	NO_MATCH("pid=1,2,3", e);
	CHECK_ERROR("pid=1,,2", "pid", "not a number");
	CHECK_ERROR("pid=1,", "pid", "not a number");
	CHECK_ERROR("pid=1,x", "pid", "'x'");
	MATCH("tid=101", e);
	NO_MATCH("tid=100", e);
	MATCH("uid=1000", e);
	NO_MATCH("uid=0", e);
	MATCH("session=1", e);
	NO_MATCH("session=2", e);
	/* Every kind of event carries them. */
	MATCH("pid=100", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED));
	MATCH("pid=100", fork_ev(100, 200));
	MATCH("pid=100", ev(IPCT_EV_EXIT, 100, 100));
	MATCH("uid=1000", obj_ev(100, 3, AF_UNIX, 1));
	e = ev(IPCT_EV_EXIT, 100, 100);
	e.uid = 0;
	e.session = 7;
	MATCH("uid=0", e);
	NO_MATCH("uid=1000", e);
	MATCH("session=7", e);
	/* Fields the event does not use do not leak into pid or uid. */
	NO_MATCH("pid=500", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED));
	NO_MATCH("pid=200", fork_ev(100, 200));
}

static void test_comm(void)
{
	struct ipct_event e = ev(IPCT_EV_EXIT, 100, 100);

	snprintf(e.comm, sizeof(e.comm), "bash");
	MATCH("comm=bash", e);
	NO_MATCH("comm=bas", e);        /* exact, not a prefix */
	NO_MATCH("comm=bash2", e);
	NO_MATCH("comm=Bash", e);
	NO_MATCH("comm=", e);
	/* A 15-byte name and its NUL: the longest the kernel keeps. */
	snprintf(e.comm, sizeof(e.comm), "abcdefghijklmno");
	MATCH("comm=abcdefghijklmno", e);
	NO_MATCH("comm=abcdefghijklmn", e);
	/* A longer one could match nothing: refused, saying what to type instead. */
	CHECK_ERROR("comm=abcdefghijklmnop", "longer than 15", "comm=abcdefghijklmno");
	/* A comma is part of a name, not a list. */
	snprintf(e.comm, sizeof(e.comm), "a,b");
	MATCH("comm=a,b", e);
	NO_MATCH("comm=a", e);
}

static void test_tree(void)
{
	const char *root[] = { "tree=100" };
	const char *root_writes[] = { "tree=100", "type=write" };
	const char *two[] = { "tree=100", "tree=900" };
	struct ipct_evfilter *f = filter(root, 1);
	struct ipct_event e;

	/* The root's parent and its other children are not in it. */
	e = ev(IPCT_EV_EXEC, 1, 1);
	CHECK(!ipct_evfilter_match(f, &e));
	e = fork_ev(1, 100);            /* the root's own birth: seen from its parent */
	CHECK(!ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXEC, 100, 100);
	CHECK(ipct_evfilter_match(f, &e));
	/* A thread of the root: its pid is the root's. */
	e = fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, 1);
	e.tid = 150;
	CHECK(ipct_evfilter_match(f, &e));
	/* Not yet forked: not in it. */
	e = ev(IPCT_EV_EXEC, 200, 200);
	CHECK(!ipct_evfilter_match(f, &e));
	/* The root forks 200: the fork is the root's event, and 200 joins. */
	e = fork_ev(100, 200);
	CHECK(ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXEC, 200, 200);
	CHECK(ipct_evfilter_match(f, &e));
	/* A grandchild, and its child. */
	e = fork_ev(200, 300);
	CHECK(ipct_evfilter_match(f, &e));
	e = fork_ev(300, 301);
	CHECK(ipct_evfilter_match(f, &e));
	e = fd_call(301, __NR_read, 3, IPCT_KIND_PIPE, 5000, 1);
	CHECK(ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXIT, 300, 300);
	CHECK(ipct_evfilter_match(f, &e));
	/* A fork from outside the tree adds nothing. */
	e = fork_ev(50, 400);
	CHECK(!ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXEC, 400, 400);
	CHECK(!ipct_evfilter_match(f, &e));
	e = fork_ev(1, 500);            /* the root's parent forks again: a sibling */
	CHECK(!ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXEC, 500, 500);
	CHECK(!ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXEC, 1, 1);
	CHECK(!ipct_evfilter_match(f, &e));
	/* The same fork seen twice changes nothing. */
	e = fork_ev(100, 200);
	CHECK(ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXIT, 200, 200);
	CHECK(ipct_evfilter_match(f, &e));
	ipct_evfilter_free(f);

	/* The tree grows on forks that the other terms do not show. */
	f = filter(root_writes, 2);
	e = fork_ev(100, 200);
	CHECK(!ipct_evfilter_match(f, &e));
	e = fork_ev(200, 300);
	CHECK(!ipct_evfilter_match(f, &e));
	e = fd_call(300, __NR_write, 4, IPCT_KIND_PIPE, 5000, 1);
	CHECK(ipct_evfilter_match(f, &e));
	e = fd_call(300, __NR_read, 3, IPCT_KIND_PIPE, 5000, 1);
	CHECK(!ipct_evfilter_match(f, &e));
	e = fd_call(400, __NR_write, 4, IPCT_KIND_PIPE, 5000, 1);
	CHECK(!ipct_evfilter_match(f, &e));
	ipct_evfilter_free(f);

	/* Two trees: either; each grows on its own. */
	f = filter(two, 2);
	e = fork_ev(900, 901);
	CHECK(ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXIT, 901, 901);
	CHECK(ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXIT, 100, 100);
	CHECK(ipct_evfilter_match(f, &e));
	e = ev(IPCT_EV_EXIT, 200, 200);
	CHECK(!ipct_evfilter_match(f, &e));
	ipct_evfilter_free(f);

	/* A filter without tree= is not changed by forks. */
	MATCH("pid=100", fork_ev(100, 200));
	NO_MATCH("tree=100", ev(IPCT_EV_EXIT, 200, 200));
}

static void test_type(void)
{
	struct ipct_event w = fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, 10);

	MATCH("type=write", w);
	NO_MATCH("type=read", w);
	NO_MATCH("type=kill", w);
	MATCH("type=kill", kill_ev(100, 200, SIGTERM));
	MATCH("type=KILL", kill_ev(100, 200, SIGTERM));
	MATCH("type=write,kill", kill_ev(100, 200, SIGTERM));
	MATCH("type=read,write", w);
	NO_MATCH("type=read,KILL", w);
	NO_MATCH("type=tkill", kill_ev(100, 200, SIGTERM));
	MATCH("type=read", fd_call(100, __NR_read, 3, IPCT_KIND_PIPE, 5000, 10));
	MATCH("type=pipe2", pair_ev(100, __NR_pipe2, 3, 4, IPCT_KIND_PIPE, 7000, 7000));
	MATCH("type=socketpair", pair_ev(100, __NR_socketpair, 3, 4, IPCT_KIND_SOCKET, 8000, 8001));
	MATCH("type=signal_generate", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED));
	NO_MATCH("type=signal_deliver", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED));
	MATCH("type=signal_deliver", sig_ev(IPCT_EV_SIGNAL_DELIVER, 100, SIGUSR1, 0));
	MATCH("type=fork", fork_ev(100, 200));
	MATCH("type=exec", ev(IPCT_EV_EXEC, 100, 100));
	MATCH("type=exe_path", ev(IPCT_EV_EXE_PATH, 100, 100));
	NO_MATCH("type=exec", ev(IPCT_EV_EXE_PATH, 100, 100));
	MATCH("type=exit", ev(IPCT_EV_EXIT, 100, 100));
	NO_MATCH("type=exit", fork_ev(100, 200));
	/* The object event names the call it follows in nr: still an object event. */
	MATCH("type=object", obj_ev(100, 3, AF_UNIX, 9000));
	NO_MATCH("type=connect", obj_ev(100, 3, AF_UNIX, 9000));
	MATCH("type=connect", fd_call(100, __NR_connect, 3, IPCT_KIND_SOCKET, 9000, 0));
	MATCH("type=fd_received", received_ev(100, 5, IPCT_KIND_PIPE, 5000));
	NO_MATCH("type=recvmsg", received_ev(100, 5, IPCT_KIND_PIPE, 5000));
	MATCH("type=pidfd_getfd", getfd_ev(100, 6, 5000));
	/* A syscall outside the traced set has no type a filter can name. */
	NO_MATCH("type=write", sys(100, __NR_getpid, 100));
}

static void test_sig(void)
{
	struct ipct_event e;

	/* Generated and delivered signals, by any spelling. */
	e = sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED);
	MATCH("sig=SIGUSR1", e);
	MATCH("sig=usr1", e);
	MATCH("sig=USR1", e);
	MATCH("sig=10", e);
	NO_MATCH("sig=SIGUSR2", e);
	MATCH("sig=SIGCHLD", sig_ev(IPCT_EV_SIGNAL_DELIVER, 100, SIGCHLD, 0));
	NO_MATCH("sig=SIGUSR1", sig_ev(IPCT_EV_SIGNAL_DELIVER, 100, SIGCHLD, 0));
	MATCH("sig=SIGRTMIN+1", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGRTMIN + 1, IPCT_SIG_QUEUED));
	NO_MATCH("sig=SIGRTMIN", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGRTMIN + 1, IPCT_SIG_QUEUED));

	/* Sent: kill(pid, sig), tkill(tid, sig), tgkill(pid, tid, sig), the sigqueue calls. */
	e = kill_ev(100, 200, SIGTERM);
	MATCH("sig=SIGTERM", e);
	MATCH("sig=15", e);
	NO_MATCH("sig=SIGINT", e);
	e = kill_ev(100, SIGUSR1, SIGTERM);     /* the target pid is no signal */
	NO_MATCH("sig=SIGUSR1", e);
	e = sys(100, __NR_tkill, 0);
	e.sys.args[0] = 201;
	e.sys.args[1] = SIGUSR2;
	MATCH("sig=SIGUSR2", e);
	e = sys(100, __NR_tgkill, 0);
	e.sys.args[0] = 200;
	e.sys.args[1] = SIGUSR2;        /* a tid that is also a signal's number */
	e.sys.args[2] = SIGHUP;
	MATCH("sig=SIGHUP", e);
	NO_MATCH("sig=SIGUSR2", e);
	e = sys(100, __NR_rt_sigqueueinfo, 0);
	e.sys.args[0] = 200;
	e.sys.args[1] = SIGRTMIN + 2;
	e.sys.x[0] = SI_QUEUE;
	MATCH("sig=SIGRTMIN+2", e);
	e = sys(100, __NR_rt_tgsigqueueinfo, 0);
	e.sys.args[0] = 200;
	e.sys.args[1] = 201;
	e.sys.args[2] = SIGUSR1;
	MATCH("sig=SIGUSR1", e);
	e = sys(100, __NR_pidfd_send_signal, 0);
	e.sys.args[0] = 5;
	e.sys.args[1] = SIGKILL;
	MATCH("sig=SIGKILL", e);
	NO_MATCH("sig=5", e);

	/* rt_sigaction(sig, ...): the signal whose action changes. */
	e = sys(100, __NR_rt_sigaction, 0);
	e.flags = IPCT_F_NEW_VALID;
	e.sys.args[0] = SIGINT;
	e.sys.x[0] = 0x401136;
	MATCH("sig=SIGINT", e);
	MATCH("sig=int", e);
	NO_MATCH("sig=SIGTERM", e);
	/* rt_sigtimedwait: the signal it took is its result (docs/events.md: `sig`). */
	e = sys(100, __NR_rt_sigtimedwait, SIGUSR1);
	MATCH("sig=SIGUSR1", e);
	NO_MATCH("sig=SIGUSR2", e);

	/* Events about no signal never match, whatever their numbers. */
	e = fd_call(100, __NR_write, SIGUSR1, IPCT_KIND_PIPE, SIGUSR1, SIGUSR1);
	NO_MATCH("sig=SIGUSR1", e);
	e = fork_ev(100, SIGUSR1);
	NO_MATCH("sig=SIGUSR1", e);
	NO_MATCH("sig=SIGUSR1", ev(IPCT_EV_EXIT, 100, 100));
}

static void test_fd(void)
{
	struct ipct_event e;

	/* read(fd, ...), write, sendto, close: args[0]. */
	e = fd_call(100, __NR_read, 5, IPCT_KIND_PIPE, 5000, 10);
	MATCH("fd=5", e);
	NO_MATCH("fd=6", e);
	NO_MATCH("fd=10", e);           /* the result is no descriptor */
	MATCH("fd=3", fd_call(100, __NR_close, 3, IPCT_KIND_PIPE, 5000, 0));
	MATCH("fd=7", fd_call(100, __NR_sendto, 7, IPCT_KIND_SOCKET, 6000, 4));
	/* socket(AF_UNIX, ...) = 7: the new descriptor. */
	e = sys(100, __NR_socket, 7);
	e.sys.args[0] = AF_UNIX;
	e.sys.args[1] = SOCK_STREAM;
	e.kind[0] = IPCT_KIND_SOCKET;
	e.sys.x[0] = 6000;
	MATCH("fd=7", e);
	NO_MATCH("fd=1", e);            /* AF_UNIX */
	/* openat(dirfd, path, flags) = 8, a FIFO. */
	e = sys(100, __NR_openat, 8);
	e.sys.args[0] = (uint64_t)AT_FDCWD;
	e.sys.args[2] = O_WRONLY;
	e.kind[0] = IPCT_KIND_FIFO;
	e.sys.x[0] = 9100;
	MATCH("fd=8", e);
	NO_MATCH("fd=1", e);            /* O_WRONLY */
	/* The object event: its fd. */
	MATCH("fd=9", obj_ev(100, 9, AF_UNIX, 9000));
	NO_MATCH("fd=3", obj_ev(100, 9, AF_UNIX, 9000));
	/* accept(3, ...) = 4: the listening descriptor. */
	e = sys(100, __NR_accept4, 4);
	e.sys.args[0] = 3;
	MATCH("fd=3", e);
	/* dup2(3, 1): the descriptor duplicated. */
	e = sys(100, __NR_dup3, 1);
	e.sys.args[0] = 3;
	e.sys.args[1] = 1;
	MATCH("fd=3", e);
	/* A descriptor received, or taken with pidfd_getfd: the new one. */
	MATCH("fd=5", received_ev(100, 5, IPCT_KIND_PIPE, 5000));
	NO_MATCH("fd=4", received_ev(100, 5, IPCT_KIND_PIPE, 5000));
	MATCH("fd=6", getfd_ev(100, 6, 5000));
	NO_MATCH("fd=3", getfd_ev(100, 6, 5000));
	NO_MATCH("fd=9", getfd_ev(100, 6, 5000));
	/* Calls and events with no descriptor: kill(5, ...), signals, forks. */
	e = kill_ev(100, 5, SIGTERM);
	NO_MATCH("fd=5", e);
	NO_MATCH("fd=0", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED));
	NO_MATCH("fd=0", fork_ev(100, 200));
	NO_MATCH("fd=0", ev(IPCT_EV_EXIT, 100, 100));
}

static void test_object(void)
{
	struct ipct_event e;

	/* A pipe: pipe:[N] and N, not socket:[N]. */
	e = fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, 10);
	MATCH("object=pipe:[5000]", e);
	MATCH("object=5000", e);
	NO_MATCH("object=socket:[5000]", e);
	NO_MATCH("object=pipe:[5001]", e);
	NO_MATCH("object=500", e);
	/* A socket: socket:[N] and N, not pipe:[N] (pipefs and sockfs number apart). */
	e = fd_call(100, __NR_sendto, 4, IPCT_KIND_SOCKET, 6000, 10);
	MATCH("object=socket:[6000]", e);
	MATCH("object=6000", e);
	NO_MATCH("object=pipe:[6000]", e);
	/* A FIFO is named pipe:[N] as well. */
	e = fd_call(100, __NR_read, 3, IPCT_KIND_FIFO, 9100, 10);
	MATCH("object=pipe:[9100]", e);
	MATCH("object=9100", e);
	NO_MATCH("object=socket:[9100]", e);
	/* An fd that is not IPC (kind other or none): no object, whatever x[0] holds. */
	e = fd_call(100, __NR_write, 1, IPCT_KIND_OTHER, 5000, 10);
	NO_MATCH("object=5000", e);
	e = fd_call(100, __NR_write, 1, IPCT_KIND_NONE, 5000, 10);
	NO_MATCH("object=5000", e);

	/* pipe2: both ends one inode, in x[1] and x[2]. */
	e = pair_ev(100, __NR_pipe2, 3, 4, IPCT_KIND_PIPE, 7000, 7000);
	MATCH("object=pipe:[7000]", e);
	MATCH("object=7000", e);
	NO_MATCH("object=socket:[7000]", e);
	/* ... the fd pair in x[0] is no object. */
	NO_MATCH("object=17179869187", e);      /* 3 | 4 << 32 */
	/* socketpair: `object` is the first socket (x[1]), `peer_object` the second (x[2]). */
	e = pair_ev(100, __NR_socketpair, 5, 6, IPCT_KIND_SOCKET, 8000, 8001);
	MATCH("object=socket:[8000]", e);
	MATCH("object=8000", e);
	MATCH("object=socket:[8001]", e);
	NO_MATCH("object=pipe:[8000]", e);
	NO_MATCH("object=25769803781", e);      /* 5 | 6 << 32 */

	/* Shared memory: a System V segment by its id, apart from the queue of that id; a /dev/shm file by inode. */
	e = sys(100, __NR_shmat, 0x7000);
	e.kind[0] = IPCT_KIND_SHM;
	e.sys.x[0] = IPCT_SYSV_SHM_INO(7);
	MATCH("object=shm:7", e);
	MATCH("kind=shm", e);
	NO_MATCH("object=msq:7", e);
	NO_MATCH("object=shm:[7]", e);
	NO_MATCH("kind=msgq", e);
	e = fd_call(100, __NR_ftruncate, 3, IPCT_KIND_SHM, 700, 0);
	MATCH("object=shm:[700]", e);
	MATCH("object=700", e);
	NO_MATCH("object=shm:700", e);
	NO_MATCH("object=pipe:[700]", e);
	CHECK_ERROR("object=shm:[7", "object", "shm:[N]");

	/* dup2(3, 4) over another pipe: either object. */
	e = sys(100, __NR_dup3, 4);
	e.sys.args[0] = 3;
	e.sys.args[1] = 4;
	e.kind[0] = e.kind[1] = IPCT_KIND_PIPE;
	e.sys.x[0] = 5000;
	e.sys.x[2] = 5001;
	MATCH("object=pipe:[5000]", e);
	MATCH("object=pipe:[5001]", e);
	NO_MATCH("object=pipe:[5002]", e);
	/* accept: the listening socket and the new one. */
	e = sys(100, __NR_accept4, 4);
	e.sys.args[0] = 3;
	e.kind[0] = e.kind[1] = IPCT_KIND_SOCKET;
	e.sys.x[0] = 6000;
	e.sys.x[2] = 6001;
	MATCH("object=socket:[6000]", e);
	MATCH("object=socket:[6001]", e);

	/* The object event: a socket, and a FIFO (family 0). */
	e = obj_ev(100, 3, AF_UNIX, 9000);
	MATCH("object=socket:[9000]", e);
	MATCH("object=9000", e);
	NO_MATCH("object=pipe:[9000]", e);
	NO_MATCH("object=socket:[9001]", e);
	e = obj_ev(100, 3, 0, 9100);
	MATCH("object=pipe:[9100]", e);
	MATCH("object=9100", e);
	NO_MATCH("object=socket:[9100]", e);

	/* A descriptor received, or taken with pidfd_getfd (not the source's pid in x[2]). */
	MATCH("object=pipe:[5000]", received_ev(100, 5, IPCT_KIND_PIPE, 5000));
	NO_MATCH("object=socket:[5000]", received_ev(100, 5, IPCT_KIND_PIPE, 5000));
	MATCH("object=socket:[6000]", received_ev(100, 5, IPCT_KIND_SOCKET, 6000));
	MATCH("object=pipe:[5000]", getfd_ev(100, 6, 5000));
	NO_MATCH("object=77", getfd_ev(100, 6, 5000));

	/* A semaphore set by its id, apart from a System V queue of the same id. */
	e = sys(100, __NR_semtimedop, 0);
	e.sys.args[0] = 7;
	e.kind[0] = IPCT_KIND_SEM;
	e.sys.x[0] = IPCT_SYSV_SEM_INO(7);
	MATCH("object=sem:7", e);
	NO_MATCH("object=msq:7", e);
	NO_MATCH("object=sem:8", e);
	MATCH("kind=sem", e);
	NO_MATCH("kind=msgq", e);

	/* Events with no object. */
	NO_MATCH("object=0", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED));
	NO_MATCH("object=200", fork_ev(100, 200));
}

static void test_kind(void)
{
	struct ipct_event e;

	e = fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, 10);
	MATCH("kind=pipe", e);
	NO_MATCH("kind=fifo", e);
	NO_MATCH("kind=socket", e);
	MATCH("kind=fifo", fd_call(100, __NR_read, 3, IPCT_KIND_FIFO, 9100, 10));
	MATCH("kind=socket", fd_call(100, __NR_sendto, 3, IPCT_KIND_SOCKET, 6000, 10));
	NO_MATCH("kind=pipe", fd_call(100, __NR_sendto, 3, IPCT_KIND_SOCKET, 6000, 10));
	/* A terminal's writes. */
	MATCH("kind=tty", fd_call(100, __NR_write, 1, IPCT_KIND_TTY, (136u << 20) | 3, 10));
	NO_MATCH("kind=tty", e);
	/* Either object of a call. */
	e = sys(100, __NR_splice, 10);
	e.kind[0] = IPCT_KIND_PIPE;
	e.kind[1] = IPCT_KIND_SOCKET;
	MATCH("kind=pipe", e);
	MATCH("kind=socket", e);
	NO_MATCH("kind=fifo", e);
	/* Object events: a socket, or a FIFO (family 0). */
	MATCH("kind=socket", obj_ev(100, 3, AF_UNIX, 9000));
	NO_MATCH("kind=fifo", obj_ev(100, 3, AF_UNIX, 9000));
	MATCH("kind=fifo", obj_ev(100, 3, 0, 9100));
	NO_MATCH("kind=pipe", obj_ev(100, 3, 0, 9100));
	MATCH("kind=fifo", received_ev(100, 5, IPCT_KIND_FIFO, 9100));
	NO_MATCH("kind=pipe", received_ev(100, 5, IPCT_KIND_FIFO, 9100));
	/* No kind. */
	NO_MATCH("kind=pipe", fd_call(100, __NR_write, 1, IPCT_KIND_OTHER, 5000, 10));
	NO_MATCH("kind=pipe", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED));
	NO_MATCH("kind=pipe", kill_ev(100, 200, SIGTERM));
}

static void test_result(void)
{
	struct ipct_event e = sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_MERGED);

	MATCH("result=merged", e);
	NO_MATCH("result=queued", e);
	MATCH("result=queued", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_QUEUED));
	MATCH("result=ignored", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGUSR1, IPCT_SIG_IGNORED));
	MATCH("result=overflow", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGRTMIN, IPCT_SIG_OVERFLOW));
	MATCH("result=lose_info", sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGRTMIN, IPCT_SIG_LOSE_INFO));
	/* Only a generation has a result: not a delivery, not a kill call. */
	NO_MATCH("result=queued", sig_ev(IPCT_EV_SIGNAL_DELIVER, 100, SIGUSR1, 0));
	NO_MATCH("result=queued", kill_ev(100, 200, SIGTERM));
	NO_MATCH("result=queued", fork_ev(100, 200));
}

static void test_errno(void)
{
	struct ipct_event e = fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, -EPIPE);

	MATCH("errno=EPIPE", e);
	NO_MATCH("errno=EAGAIN", e);
	NO_MATCH("errno=EINTR", e);
	MATCH("errno=EAGAIN", fd_call(100, __NR_read, 3, IPCT_KIND_PIPE, 5000, -EAGAIN));
	MATCH("errno=EINTR", fd_call(100, __NR_read, 3, IPCT_KIND_PIPE, 5000, -EINTR));
	/* A restart code: a signal interrupted the call. */
	e = fd_call(100, __NR_read, 3, IPCT_KIND_PIPE, 5000, -ERESTARTSYS);
	MATCH("errno=ERESTARTSYS", e);
	NO_MATCH("errno=EINTR", e);
	MATCH("errno=ERESTART_RESTARTBLOCK", fd_call(100, __NR_read, 3, IPCT_KIND_PIPE, 5000, -516));
	/* Successful calls have none: not the result 32 (EPIPE), not 0. */
	NO_MATCH("errno=EPIPE", fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, EPIPE));
	NO_MATCH("errno=EPIPE", fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, 0));
	/* Nor do events other than calls (a SIGPIPE's si_errno is no failed call). */
	e = sig_ev(IPCT_EV_SIGNAL_GENERATE, 100, SIGPIPE, IPCT_SIG_QUEUED);
	e.sig.si_errno = EPIPE;
	NO_MATCH("errno=EPIPE", e);
	NO_MATCH("errno=EPIPE", ev(IPCT_EV_EXIT, 100, 100));
	/* Unknown names are refused. */
	CHECK_ERROR("errno=EBOGUS", "errno", "EBOGUS");
	/* Names in any case, as sig=usr1. */
	e = fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, -EPIPE);
	MATCH("errno=epipe", e);
	MATCH("errno=Epipe", e);
	CHECK_ERROR("errno=32", "errno", "32");
	CHECK_ERROR("errno=", "errno");
}

/* The same field twice: either value; different fields: all of them. */
static void test_and_or(void)
{
	const char *two_pids[] = { "pid=100", "pid=200" };
	const char *pid_type[] = { "pid=100", "type=write" };
	const char *mixed[] = { "pid=100", "type=write", "pid=200", "type=read" };
	const char *three[] = { "kind=pipe", "errno=EPIPE", "comm=proc100" };
	const char *none[] = { NULL };
	struct ipct_event w100 = fd_call(100, __NR_write, 4, IPCT_KIND_PIPE, 5000, -EPIPE);
	struct ipct_event r100 = fd_call(100, __NR_read, 3, IPCT_KIND_PIPE, 5000, 1);
	struct ipct_event w200 = fd_call(200, __NR_write, 4, IPCT_KIND_PIPE, 5000, 1);
	struct ipct_event r200 = fd_call(200, __NR_read, 3, IPCT_KIND_PIPE, 5000, 1);
	struct ipct_event w300 = fd_call(300, __NR_write, 4, IPCT_KIND_PIPE, 5000, 1);
	struct ipct_event c200 = fd_call(200, __NR_close, 3, IPCT_KIND_PIPE, 5000, 0);

	CHECK(matchv(two_pids, 2, w100));
	CHECK(matchv(two_pids, 2, r200));
	CHECK(!matchv(two_pids, 2, w300));

	CHECK(matchv(pid_type, 2, w100));
	CHECK(!matchv(pid_type, 2, r100));
	CHECK(!matchv(pid_type, 2, w200));

	CHECK(matchv(mixed, 4, w100));
	CHECK(matchv(mixed, 4, r100));
	CHECK(matchv(mixed, 4, w200));
	CHECK(matchv(mixed, 4, r200));
	CHECK(!matchv(mixed, 4, w300));
	CHECK(!matchv(mixed, 4, c200));

	CHECK(matchv(three, 3, w100));
	CHECK(!matchv(three, 3, w200));         /* no error */
	w100.kind[0] = IPCT_KIND_SOCKET;
	CHECK(!matchv(three, 3, w100));

	/* No terms: everything. */
	CHECK(matchv(none, 0, w300));
	CHECK(matchv(none, 0, fork_ev(1, 2)));
}

/* The pids every match has one of (what lets the journal pass over blocks), or -1 when the terms name none. */
static int pids_of(const char *const *terms, int n, uint32_t *pids, int max)
{
	struct ipct_evfilter *f = filter(terms, n);
	int r = ipct_evfilter_pids(f, pids, max);

	ipct_evfilter_free(f);
	return r;
}

static void test_pids(void)
{
	const char *list[] = { "pid=100,200", "type=write" };
	const char *tree[] = { "tree=100" };
	const char *comm[] = { "comm=proc100" };
	const char *none[] = { NULL };
	uint32_t pids[4] = { 0 };

	CHECK_INT(pids_of(list, 2, pids, 4), 2);
	CHECK_INT(pids[0], 100);
	CHECK_INT(pids[1], 200);
	/* More than there is room for: as if none were named. */
	CHECK_INT(pids_of(list, 2, pids, 1), -1);
	/* A tree grows with its forks; a name, a type: any pid. */
	CHECK_INT(pids_of(tree, 1, pids, 4), -1);
	CHECK_INT(pids_of(comm, 1, pids, 4), -1);
	CHECK_INT(pids_of(none, 0, pids, 4), -1);
}

static void test_errors(void)
{
	static const char *const fields[] = { "pid", "tid", "comm", "tree", "uid", "type", "sig", "fd",
					      "object", "kind", "result", "errno", "session" };
	char err[1024] = "";
	const char *bad_second[] = { "pid=100", "colour=red" };

	/* An unknown field: named, with every valid one. */
	{
		const char *t[] = { "colour=red" };

		CHECK(!ipct_evfilter_new(t, 1, err, sizeof(err)));
		CHECK(strstr(err, "colour") != NULL);
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strstr(err, fields[i])) {
				fprintf(stderr, "%s:%d: '%s' not among the valid fields\n  got: %s\n", __FILE__,
					__LINE__, fields[i], err);
				check_failures++;
			}
	}
	/* ... also as a later term. */
	err[0] = 0;
	CHECK(!ipct_evfilter_new(bad_second, 2, err, sizeof(err)));
	CHECK(strstr(err, "colour") != NULL);
	CHECK(strstr(err, "valid fields") != NULL);
	CHECK_ERROR("PID=100", "PID");
	CHECK_ERROR("pids=100", "pids");
	/* Not FIELD=VALUE. */
	CHECK_ERROR("pid", "pid", "FIELD=VALUE");
	CHECK_ERROR("=100", "FIELD=VALUE");
	/* Bad values: the field and the value named. */
	CHECK_ERROR("pid=abc", "pid", "abc");
	CHECK_ERROR("pid=", "pid");
	CHECK_ERROR("pid=-1", "pid", "-1");
	CHECK_ERROR("pid=12x", "pid", "12x");
	CHECK_ERROR("tid=x", "tid", "x");
	CHECK_ERROR("tree=me", "tree", "me");
	CHECK_ERROR("uid=root", "uid", "root");
	CHECK_ERROR("fd=stdin", "fd", "stdin");
	CHECK_ERROR("session=one", "session", "one");
	CHECK_ERROR("sig=SIGBOGUS", "sig", "SIGBOGUS");
	CHECK_ERROR("sig=0", "sig", "0");
	CHECK_ERROR("sig=65", "sig", "65");
	/* Names: the valid values listed. */
	CHECK_ERROR("type=wrte", "type", "wrte", "write", "signal_generate", "object");
	CHECK_ERROR("kind=file", "kind", "file", "pipe", "fifo", "socket", "tty");
	CHECK_ERROR("result=lost", "result", "lost", "queued", "merged", "lose_info");
	/* An object that is none of pipe:[N], socket:[N], N (not read as inode 0). */
	CHECK_ERROR("object=abc", "object", "abc");
	CHECK_ERROR("object=socket:[x]", "object", "socket:[x]");
	/* A comm longer than any. */
	CHECK_ERROR("comm=0123456789012345678901234567890123456789012345678901234567890123456789", "comm");
}

/* ---- times ---- */

#define NS 1000000000ll
#define NOW (1795534245ll * NS + 123456789)    /* 2026-11-24 15:30:45.123456789 UTC */
#define BOOT (1795200000ll * NS + 5)
#define MIDNIGHT (1795478400ll * NS)            /* 2026-11-24 00:00:00 UTC */

static void check_time(const char *s, int64_t want, int line)
{
	int64_t got = -1;
	int r = ipct_parse_time(s, NOW, BOOT, &got);

	if (r != 0 || got != want) {
		fprintf(stderr, "%s:%d: ipct_parse_time(\"%s\")\n  got:  %d, %lld\n  want: 0, %lld\n", __FILE__,
			line, s, r, (long long)got, (long long)want);
		check_failures++;
	}
}

static void check_bad_time(const char *s, int line)
{
	int64_t got = 12345;
	int r = ipct_parse_time(s, NOW, BOOT, &got);

	if (r != -EINVAL) {
		fprintf(stderr, "%s:%d: ipct_parse_time(\"%s\") = %d (%lld), want -EINVAL\n", __FILE__, line, s,
			r, (long long)got);
		check_failures++;
	}
}

#define CHECK_TIME(s, want) check_time((s), (want), __LINE__)
#define CHECK_BAD_TIME(s) check_bad_time((s), __LINE__)

static void test_time(void)
{
	CHECK_TIME("now", NOW);
	CHECK_TIME("boot", BOOT);
	CHECK_TIME("today", MIDNIGHT);
	CHECK_TIME("yesterday", MIDNIGHT - 86400 * NS);
	/* Relative. */
	CHECK_TIME("-5m", NOW - 300 * NS);
	CHECK_TIME("-30s", NOW - 30 * NS);
	CHECK_TIME("-2h", NOW - 7200 * NS);
	CHECK_TIME("-1d", NOW - 86400 * NS);
	CHECK_TIME("-0s", NOW);
	CHECK_TIME("10m ago", NOW - 600 * NS);
	CHECK_TIME("2h ago", NOW - 7200 * NS);
	/* A bare number of seconds. */
	CHECK_TIME("-10", NOW - 10 * NS);
	CHECK_TIME("10 ago", NOW - 10 * NS);
	/* Epoch seconds. */
	CHECK_TIME("@1700000000", 1700000000ll * NS);
	CHECK_TIME("@0", 0);
	/* Local (here UTC) dates and times. */
	CHECK_TIME("2026-11-24 10:00:00", 1795514400ll * NS);
	CHECK_TIME("2026-11-24 10:00", 1795514400ll * NS);
	CHECK_TIME("2026-11-24", MIDNIGHT);
	CHECK_TIME("2026-11-23 23:59:59", MIDNIGHT - NS);
	CHECK_TIME("2024-02-29", 1709164800ll * NS);
	/* A time of day: today's. */
	CHECK_TIME("10:00", 1795514400ll * NS);
	CHECK_TIME("10:00:30", 1795514430ll * NS);
	CHECK_TIME("00:00", MIDNIGHT);
	CHECK_TIME("23:59:59", MIDNIGHT + 86399 * NS);
	/* journalctl's spellings (systemd.time(7)). */
	CHECK_TIME("NOW", NOW);
	CHECK_TIME("Today", MIDNIGHT);
	CHECK_TIME("tomorrow", MIDNIGHT + 86400 * NS);
	CHECK_TIME("-5min", NOW - 300 * NS);
	CHECK_TIME("5 minutes ago", NOW - 300 * NS);
	CHECK_TIME("1 minute ago", NOW - 60 * NS);
	CHECK_TIME("-1h 30min", NOW - 5400 * NS);
	CHECK_TIME("-1h30min", NOW - 5400 * NS);
	CHECK_TIME("2 days ago", NOW - 2 * 86400 * NS);
	CHECK_TIME("-1w", NOW - 7 * 86400 * NS);
	CHECK_TIME("-500ms", NOW - 500000000);
	CHECK_TIME("-2hours", NOW - 7200 * NS);
	CHECK_TIME("+5min", NOW + 300 * NS);
	CHECK_TIME("-1M", NOW - 2629800 * NS);  /* a month: 30.44 days, as systemd counts it */
	/* ISO 8601, local or UTC, with fractions of a second. */
	CHECK_TIME("2026-11-24T10:00:00", 1795514400ll * NS);
	CHECK_TIME("2026-11-24T10:00", 1795514400ll * NS);
	CHECK_TIME("2026-11-24T10:00:00.25", 1795514400ll * NS + 250000000);
	CHECK_TIME("2026-11-24 10:00:00.000001", 1795514400ll * NS + 1000);
	CHECK_TIME("2026-11-24T10:00:00Z", 1795514400ll * NS);
	CHECK_TIME("2026-11-24 10:00:00 UTC", 1795514400ll * NS);

	CHECK_BAD_TIME("");
	CHECK_BAD_TIME("-");
	CHECK_BAD_TIME("-5x");
	CHECK_BAD_TIME("-5mm");
	CHECK_BAD_TIME("5m");           /* a span needs - or ago */
	CHECK_BAD_TIME("abc");
	CHECK_BAD_TIME("Nowx");
	CHECK_BAD_TIME("00:10:60");     /* no 61st second: not 00:11:00 */
	CHECK_BAD_TIME("2026-11-24 10:00:60");
	CHECK_BAD_TIME("2026-11-24T10:00:00.");
	CHECK_BAD_TIME("10:00.5");      /* a fraction after seconds only */
	CHECK_BAD_TIME("-5 lightyears");
	CHECK_BAD_TIME("-min");
	CHECK_BAD_TIME("5 minutes");
	CHECK_BAD_TIME("-5 minutes ago");
	CHECK_BAD_TIME("-99999999999d"); /* past a century */
	CHECK_BAD_TIME("Z");
	CHECK_BAD_TIME("2026-11-24T25:00:00Z");
	CHECK_BAD_TIME("now ");
	CHECK_BAD_TIME("2026-13-01");
	CHECK_BAD_TIME("2026-11-24 10");
	CHECK_BAD_TIME("2026-11-24 10:00:00x");
	CHECK_BAD_TIME("2026-02-30");   /* no such day: not 2 March */
	CHECK_BAD_TIME("2026-11-31");
	CHECK_BAD_TIME("25:00");
	CHECK_BAD_TIME("10:60");
	CHECK_BAD_TIME("-5m ago");
	CHECK_BAD_TIME("5x ago");
	CHECK_BAD_TIME("ago");
	CHECK_BAD_TIME(" ago");
	CHECK_BAD_TIME("@");
	CHECK_BAD_TIME("@abc");
	CHECK_BAD_TIME("@-5");
	CHECK_BAD_TIME("@5m");
	CHECK_BAD_TIME("@5 ago");
}

/* A group exit's SIGKILL is the fatal signal's: sig=SIGKILL matches only a SIGKILL someone sent. */
static void test_group_exit_sig(void)
{
	struct ipct_event e = sig_ev(IPCT_EV_SIGNAL_DELIVER, 5, SIGKILL, 0);

	e.sig.code = SI_KERNEL;
	e.sig.sifields[0] = SIGTERM;
	NO_MATCH("sig=SIGKILL", e);
	MATCH("sig=SIGTERM", e);
	e.sig.sifields[0] = 1 << 8;     /* exit_group(1): no signal */
	NO_MATCH("sig=SIGKILL", e);
	e.sig.sifields[0] = SIGKILL;    /* kill -9 */
	MATCH("sig=SIGKILL", e);
}

/* -e of run, attach and trace: the match terms, and strace-like classes of which an event is in one. */
static bool selects(const char *const *exprs, int n, struct ipct_event e)
{
	char err[1024] = "";
	struct ipct_evfilter *f = ipct_evfilter_select(exprs, n, err, sizeof(err));
	bool r;

	if (!f) {
		fprintf(stderr, "ipct_evfilter_select failed: %s\n", err);
		exit(EXIT_FAILURE);
	}
	r = ipct_evfilter_match(f, &e);
	ipct_evfilter_free(f);
	return r;
}

static void test_select(void)
{
	static const char *const sig[] = { "trace=signal" }, *const proc[] = { "trace=process" },
				 *const pipe_sock[] = { "trace=pipe,socket" }, *const ipc[] = { "trace=ipc" },
				 *const queue[] = { "trace=queue" }, *const all[] = { "trace=all" },
				 *const sig_pid[] = { "trace=signal", "pid=5" }, *const types[] = { "type=kill", "type=write" },
				 *const bad[] = { "trace=files" }, *const bad_term[] = { "trace=signal", "colour=red" };
	char err[1024] = "";

	CHECK(selects(sig, 1, kill_ev(5, 6, SIGTERM)));
	CHECK(selects(sig, 1, sig_ev(IPCT_EV_SIGNAL_DELIVER, 5, SIGTERM, 0)));
	CHECK(selects(sig, 1, sys(5, __NR_rt_sigprocmask, 0)));
	CHECK(!selects(sig, 1, fd_call(5, __NR_write, 4, IPCT_KIND_PIPE, 9, 1)));
	CHECK(!selects(sig, 1, fork_ev(5, 6)));
	CHECK(selects(proc, 1, fork_ev(5, 6)));
	CHECK(selects(proc, 1, sys(5, __NR_wait4, 6)));
	CHECK(!selects(proc, 1, kill_ev(5, 6, SIGTERM)));
	CHECK(selects(pipe_sock, 1, fd_call(5, __NR_write, 4, IPCT_KIND_PIPE, 9, 1)));
	CHECK(selects(pipe_sock, 1, fd_call(5, __NR_write, 4, IPCT_KIND_FIFO, 9, 1)));
	CHECK(selects(pipe_sock, 1, fd_call(5, __NR_sendto, 4, IPCT_KIND_SOCKET, 9, 1)));
	CHECK(selects(pipe_sock, 1, obj_ev(5, 4, AF_UNIX, 9)));
	CHECK(!selects(pipe_sock, 1, fd_call(5, __NR_mq_timedsend, 4, IPCT_KIND_MQUEUE, 9, 0)));
	CHECK(selects(queue, 1, fd_call(5, __NR_mq_timedsend, 4, IPCT_KIND_MQUEUE, 9, 0)));
	CHECK(selects(ipc, 1, fd_call(5, __NR_mq_timedsend, 4, IPCT_KIND_MQUEUE, 9, 0)));
	CHECK(selects(ipc, 1, received_ev(5, 7, IPCT_KIND_PIPE, 9)));
	CHECK(!selects(ipc, 1, fd_call(5, __NR_write, 1, IPCT_KIND_OTHER, 9, 1)));
	CHECK(!selects(ipc, 1, kill_ev(5, 6, SIGTERM)));
	CHECK(selects(all, 1, fork_ev(5, 6)));
	/* A class and a term: both. */
	CHECK(selects(sig_pid, 2, kill_ev(5, 6, SIGTERM)));
	CHECK(!selects(sig_pid, 2, kill_ev(7, 6, SIGTERM)));
	CHECK(!selects(sig_pid, 2, fork_ev(5, 6)));
	CHECK(selects(types, 2, kill_ev(5, 6, SIGTERM)));
	CHECK(selects(types, 2, fd_call(5, __NR_write, 4, IPCT_KIND_PIPE, 9, 1)));
	CHECK(!selects(types, 2, fork_ev(5, 6)));
	CHECK(!ipct_evfilter_select(bad, 1, err, sizeof(err)));
	CHECK(strstr(err, "'files'") && strstr(err, "signal, process, ipc, pipe, socket, queue"));
	CHECK(!ipct_evfilter_select(bad_term, 2, err, sizeof(err)));
	CHECK(strstr(err, "colour") != NULL);
}

int main(void)
{
	/* Local times in the tests are UTC, wherever they run. */
	setenv("TZ", "UTC", 1);
	tzset();

	test_pid_tid_uid_session();
	test_comm();
	test_tree();
	test_type();
	test_sig();
	test_fd();
	test_object();
	test_kind();
	test_result();
	test_errno();
	test_and_or();
	test_pids();
	test_errors();
	test_time();
	test_select();
	test_group_exit_sig();
	return check_done("test-evfilter");
}
