// SPDX-License-Identifier: MIT
// Example "signal cases": `sigcases CASE` plays one signal scenario (merged
// standard signals, fatal signals, SIGPIPE, SIGCHLD storms, queued real-time
// signals, threads, interrupted calls, pending signals discarded, signals
// taken by a signalfd or sigwait, ...) and reports what it observed.

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "example.h"

#define PROG "sigcases"
#define MERGE_KILLS 5
#define NCHILD 20
#define RT_COUNT 10
#define RT_FIRST 100
#define SFD_RT 20			/* real-time signals that `signalfd` takes in one read */
#define SFD_READS 4
#define PENDING_NS 200000000LL		/* how long `pending` keeps its signal blocked */
#define ALARM_US 50000			/* the `alarm` timer */
#define ALARMS 50			/* the `alarms` timers */
#define ALARMS_US 1000

/* The case being run, for the report and error messages. */
static const char *case_name = "?";

/* on_usr1 runs; in `restart`, also counted in memory the child sees. */
static volatile sig_atomic_t handled;
static int *shared_handled;

static volatile sig_atomic_t winch_runs;
static volatile sig_atomic_t chld_runs;
static volatile sig_atomic_t alrm_runs;

static volatile sig_atomic_t rt_count;
static volatile int rt_values[RT_COUNT];

static volatile sig_atomic_t handler_tid;
static int wake_fds[2] = { -1, -1 };

/* Not static, so that the symbols show up in tracer output. */
void on_usr1(int sig);
void on_usr1_thread(int sig);
void on_winch(int sig);
void on_chld(int sig);
void on_rt(int sig, siginfo_t *si, void *uc);
void on_alrm(int sig);

void on_usr1(int sig)
{
	(void) sig;
	handled++;
	if (shared_handled)
		__atomic_add_fetch(shared_handled, 1, __ATOMIC_RELEASE);
}

void on_usr1_thread(int sig)
{
	int saved = errno;
	ssize_t n;

	(void) sig;
	handler_tid = gettid();
	/* Wakes the worker's read(); a byte written before the read is not lost. */
	n = write(wake_fds[1], "x", 1);
	(void) n;
	errno = saved;
}

void on_winch(int sig)
{
	(void) sig;
	winch_runs++;
}

void on_chld(int sig)
{
	(void) sig;
	chld_runs++;
}

void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void) sig;
	(void) uc;
	if (rt_count < RT_COUNT)
		rt_values[rt_count] = si->si_value.sival_int;
	rt_count++;
}

void on_alrm(int sig)
{
	(void) sig;
	alrm_runs++;
}

/* Writes {"case":CASE,FIELDS} to $IPCTRACE_REPORT, or to stderr without one. */
__attribute__((format(printf, 1, 2)))
static void case_report(const char *fmt, ...)
{
	FILE *f = report_open(stderr);
	va_list ap;

	fprintf(f, "{\"case\":\"%s\",", case_name);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, "}\n");
	report_close(f);
}

/* "[a,b,c]" into buf. */
static const char *int_list(char *buf, size_t len, const int *v, int n)
{
	size_t used = 0;

	buf[used++] = '[';
	for (int i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%d", i ? "," : "", v[i]);

		if (w < 0 || (size_t) w >= len - used)
			fail("report list too long");
		used += (size_t) w;
	}
	if (used + 2 > len)
		fail("report list too long");
	buf[used++] = ']';
	buf[used] = '\0';
	return buf;
}

/* A JSON string or null for an errno value (0: the call succeeded). */
static const char *errno_json(char *buf, size_t len, int err)
{
	const char *name = err ? strerrorname_np(err) : NULL;

	if (!err)
		snprintf(buf, len, "null");
	else
		snprintf(buf, len, "\"%s\"", name ? name : "?");
	return buf;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		die("sigaction");
}

static void set_info_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { .sa_sigaction = fn, .sa_flags = SA_SIGINFO | flags };

	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		die("sigaction");
}

static void mask_one(int how, int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigprocmask(how, &set, NULL) < 0)
		die("sigprocmask");
}

static void xkill(pid_t pid, int sig)
{
	if (kill(pid, sig) < 0)
		die("kill");
}

static void xpipe(int fds[2])
{
	if (pipe(fds) < 0)
		die("pipe");
}

static void xclose(int fd)
{
	if (close(fd) < 0)
		die("close");
}

static void write_byte(int fd)
{
	write_some(fd, "x", 1, NULL);
}

/* One byte from a handshake pipe; its end of file means the writer died. */
static void read_byte(int fd)
{
	char c;

	if (read_some(fd, &c, 1, NULL) == 0)
		fail("handshake pipe closed before its byte came");
}

static pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	return pid;
}

/* Every case starts from a known state: nothing blocked. */
static void reset_mask(void)
{
	sigset_t set;

	sigemptyset(&set);
	if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
		die("sigprocmask");
}

/* ------------------------------------------------------------------------ */

/* 5 SIGUSR1 while blocked: one pends, 4 merge; one SIGUSR2 ignored. */
static int case_merge(void)
{
	pid_t self = getpid();
	int kills = 0, ignored_kills = 0;

	set_handler(SIGUSR1, on_usr1, 0);
	mask_one(SIG_BLOCK, SIGUSR1);
	for (int i = 0; i < MERGE_KILLS; i++) {
		xkill(self, SIGUSR1);
		kills++;
	}
	set_handler(SIGUSR2, SIG_IGN, 0);
	xkill(self, SIGUSR2);
	ignored_kills++;
	/* The pending SIGUSR1 is delivered as this call returns. */
	mask_one(SIG_UNBLOCK, SIGUSR1);

	case_report("\"pid\":%d,\"kills\":%d,\"ignored_kills\":%d,\"handled\":%d",
	            (int) self, kills, ignored_kills, (int) handled);
	return handled == 1 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A child waiting in pause() is killed by sig (default action). */
static int case_fatal(int sig)
{
	int ready[2], status;
	pid_t pid;

	if (sig != SIGKILL)
		set_handler(sig, SIG_DFL, 0);
	xpipe(ready);
	pid = xfork();
	if (pid == 0) {
		xclose(ready[0]);
		write_byte(ready[1]);
		for (;;)
			pause();
	}
	xclose(ready[1]);
	read_byte(ready[0]);
	xkill(pid, sig);
	status = wait_child(pid);

	case_report("\"pid\":%d,\"child\":%d,\"status\":%d,\"termsig\":%d",
	            (int) getpid(), (int) pid, status, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == sig ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A child writes through a null pointer. */
static int case_segv(void)
{
	int status;
	pid_t pid;

	pid = xfork();
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		/* The pointer itself is volatile, so the compiler cannot see it is null. */
		volatile int *volatile p = NULL;

		/* No core file in the working directory. */
		if (setrlimit(RLIMIT_CORE, &none) < 0)
			die("setrlimit");
		set_handler(SIGSEGV, SIG_DFL, 0);
		*p = 1;
		_exit(EXIT_FAILURE);
	}
	status = wait_child(pid);

	case_report("\"pid\":%d,\"child\":%d,\"status\":%d,\"termsig\":%d,\"core\":%s",
	            (int) getpid(), (int) pid, status, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
	            WIFSIGNALED(status) && WCOREDUMP(status) ? "true" : "false");
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A child writes to a pipe that has no reader left. */
static int case_sigpipe(void)
{
	unsigned long inode;
	int fds[2], status;
	pid_t pid;

	xpipe(fds);
	inode = inode_of(fds[1]);
	xclose(fds[0]);
	set_handler(SIGPIPE, SIG_DFL, 0);
	pid = xfork();
	if (pid == 0) {
		ssize_t n = write(fds[1], "x", 1);

		(void) n;
		_exit(EXIT_FAILURE);	/* SIGPIPE should have killed us */
	}
	xclose(fds[1]);
	status = wait_child(pid);

	case_report("\"pid\":%d,\"child\":%d,\"fd\":%d,\"inode\":%lu,\"status\":%d,\"termsig\":%d",
		    (int) getpid(), (int) pid, fds[1], inode, status,
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* NCHILD children exit together; SIGCHLD has a handler. */
static int case_sigchld(void)
{
	int start[2], pids[NCHILD], failed = 0;
	char buf[512];

	set_handler(SIGCHLD, on_chld, 0);
	xpipe(start);
	for (int i = 0; i < NCHILD; i++) {
		pid_t pid = xfork();

		if (pid == 0) {
			char c;
			ssize_t n;

			xclose(start[1]);
			/* Until every writer has closed: the parent's close starts us all. */
			while ((n = read(start[0], &c, 1)) != 0)
				if (n < 0 && errno != EINTR)
					die("read");
			_exit(EXIT_SUCCESS);
		}
		pids[i] = (int) pid;
	}
	xclose(start[1]);
	xclose(start[0]);
	for (int i = 0; i < NCHILD; i++) {
		int status = wait_child(pids[i]);

		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "%s %s: child %d: status 0x%x\n", PROG, case_name, pids[i], status);
			failed = 1;
		}
	}

	/* Each SIGCHLD was generated before waitpid saw its child, and delivered before it returned. */
	case_report("\"pid\":%d,\"children\":%s,\"handler_runs\":%d",
	            (int) getpid(), int_list(buf, sizeof(buf), pids, NCHILD), (int) chld_runs);
	return failed || chld_runs < 1 || chld_runs > NCHILD ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* RT_COUNT queued real-time signals, each with its own value. */
static int case_rtqueue(void)
{
	int sig = SIGRTMIN + 1, sent[RT_COUNT], received[RT_COUNT], n;
	char sbuf[256], rbuf[256];
	pid_t self = getpid();
	bool same;

	set_info_handler(sig, on_rt, 0);
	mask_one(SIG_BLOCK, sig);
	for (int i = 0; i < RT_COUNT; i++) {
		union sigval v = { .sival_int = RT_FIRST + i };

		if (sigqueue(self, sig, v) < 0)
			die("sigqueue");
		sent[i] = v.sival_int;
	}
	mask_one(SIG_UNBLOCK, sig);

	n = rt_count < RT_COUNT ? rt_count : RT_COUNT;
	same = rt_count == RT_COUNT;
	for (int i = 0; i < n; i++) {
		received[i] = rt_values[i];
		same = same && received[i] == sent[i];
	}
	case_report("\"pid\":%d,\"sig\":\"SIGRTMIN+1\",\"signo\":%d,\"sent\":%s,\"received\":%s,\"handled\":%d",
	            (int) self, sig, int_list(sbuf, sizeof(sbuf), sent, RT_COUNT),
	            int_list(rbuf, sizeof(rbuf), received, n), (int) rt_count);
	return same ? EXIT_SUCCESS : EXIT_FAILURE;
}

static volatile sig_atomic_t worker_tid;

static void *worker(void *arg)
{
	int ready = *(int *) arg;
	sigset_t set;
	char c;
	ssize_t n;
	int err;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	err = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (err) {
		errno = err;
		die("pthread_sigmask");
	}
	worker_tid = gettid();
	write_byte(ready);
	/* The handler writes the byte: the read ends whether it ran before or during it. */
	do
		n = read(wake_fds[0], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		die("read wake pipe");
	return NULL;
}

/* A process-directed SIGUSR1 that only the worker thread can take. */
static int case_thread(void)
{
	pthread_t th;
	sigset_t set;
	int ready[2], err;

	set_handler(SIGUSR1, on_usr1_thread, SA_RESTART);
	xpipe(wake_fds);
	xpipe(ready);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	err = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (!err)
		err = pthread_create(&th, NULL, worker, &ready[1]);
	if (!err) {
		read_byte(ready[0]);
		xkill(getpid(), SIGUSR1);
		err = pthread_join(th, NULL);
	}
	if (err) {
		errno = err;
		die("pthread");
	}

	case_report("\"pid\":%d,\"main_tid\":%d,\"worker_tid\":%d,\"handler_tid\":%d",
	            (int) getpid(), (int) gettid(), (int) worker_tid, (int) handler_tid);
	return handler_tid == worker_tid ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A blocked SIGUSR2 that is still pending at exit. */
static int case_never(void)
{
	pid_t self = getpid();

	set_handler(SIGUSR2, SIG_DFL, 0);
	mask_one(SIG_BLOCK, SIGUSR2);
	xkill(self, SIGUSR2);
	case_report("\"pid\":%d", (int) self);
	return EXIT_SUCCESS;
}

/* A SIGUSR1 blocked for PENDING_NS before it is delivered. */
static int case_pending(void)
{
	struct timespec left = { PENDING_NS / 1000000000LL, PENDING_NS % 1000000000LL };
	pid_t self = getpid();
	long long before, t0, t1, after;

	set_handler(SIGUSR1, on_usr1, 0);
	mask_one(SIG_BLOCK, SIGUSR1);
	/*
	 * The signal is generated between `before` and t0 and delivered between
	 * t1 and `after` (as the unblocking call returns): its pending time lies
	 * between t1 - t0 and after - before, whatever the machine's speed.
	 */
	before = now_ns();
	xkill(self, SIGUSR1);
	t0 = now_ns();
	/* The workload: keep the signal pending (nothing else can interrupt this). */
	while (nanosleep(&left, &left) < 0)
		if (errno != EINTR)
			die("nanosleep");
	t1 = now_ns();
	mask_one(SIG_UNBLOCK, SIGUSR1);
	after = now_ns();

	case_report("\"pid\":%d,\"blocked_ns\":%lld,\"measured_ns\":%lld,\"outer_ns\":%lld,"
	            "\"handled\":%d",
	            (int) self, PENDING_NS, t1 - t0, after - before, (int) handled);
	return handled == 1 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * The parent blocks in read() on an empty pipe whose write end it holds; a
 * child sees it sleep there and sends SIGUSR1. Without SA_RESTART the read
 * fails with EINTR; with it, the read is restarted and gets the byte the
 * child writes once the handler has run.
 */
static int case_interrupt(bool restart)
{
	char buf[16], ebuf[32];
	pid_t parent = getpid(), pid;
	int fds[2], status, err;
	ssize_t n;

	shared_handled = shared_alloc(sizeof(*shared_handled));
	set_handler(SIGUSR1, on_usr1, restart ? SA_RESTART : 0);
	xpipe(fds);
	pid = xfork();
	if (pid == 0) {
		long long deadline;

		xclose(fds[0]);
		wait_in_syscall(parent, SYS_read, "the parent never blocked in read()");
		xkill(parent, SIGUSR1);
		if (restart) {
			/* Not before the handler ran: the byte must come after the interruption. */
			deadline = now_ns() + HANDSHAKE_SECONDS * 1000000000LL;
			while (__atomic_load_n(shared_handled, __ATOMIC_ACQUIRE) < 1)
				check_deadline(deadline, "the parent's handler never ran");
			write_byte(fds[1]);
		}
		_exit(EXIT_SUCCESS);
	}
	/* One call, whatever it returns: no retry on EINTR. */
	n = read(fds[0], buf, sizeof(buf));
	err = n < 0 ? errno : 0;
	xclose(fds[0]);
	xclose(fds[1]);
	status = wait_child(pid);

	case_report("\"pid\":%d,\"child\":%d,\"sa_restart\":%s,\"read_ret\":%d,\"read_errno\":%s,"
	            "\"bytes\":%d,\"handled\":%d,\"child_status\":%d",
	            (int) parent, (int) pid, restart ? "true" : "false", (int) n,
	            errno_json(ebuf, sizeof(ebuf), err), n > 0 ? (int) n : 0, (int) handled, status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || handled != 1)
		return EXIT_FAILURE;
	if (restart)
		return n == 1 ? EXIT_SUCCESS : EXIT_FAILURE;
	return n < 0 && err == EINTR ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * SIGALRM with a handler (SA_RESTART, as signal() gives it: sigsuspend
 * fails with EINTR all the same), blocked until sigsuspend() unblocks it
 * atomically (alarm_wait), so that a timer cannot fire before the wait
 * begins (pause() would hang if it did). The mask to wait with goes to
 * *wait_mask.
 */
static void alarm_setup(sigset_t *wait_mask)
{
	sigset_t block;

	set_handler(SIGALRM, on_alrm, SA_RESTART);
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	if (sigprocmask(SIG_BLOCK, &block, wait_mask) < 0)
		die("sigprocmask");
	sigdelset(wait_mask, SIGALRM);
}

/* A one-shot ITIMER_REAL of us microseconds, waited for in sigsuspend(): its errno. */
static int alarm_wait(long us, const sigset_t *wait_mask)
{
	struct itimerval it = { .it_value = { 0, us } };

	if (setitimer(ITIMER_REAL, &it, NULL) < 0)
		die("setitimer");
	return sigsuspend(wait_mask) < 0 ? errno : 0;
}

/* A one-shot ITIMER_REAL interrupts sigsuspend(). */
static int case_alarm(void)
{
	sigset_t wait_mask;
	char ebuf[32];
	int err;

	alarm_setup(&wait_mask);
	err = alarm_wait(ALARM_US, &wait_mask);

	case_report("\"pid\":%d,\"timer_us\":%d,\"handled\":%d,\"wait_errno\":%s",
	            (int) getpid(), ALARM_US, (int) alrm_runs, errno_json(ebuf, sizeof(ebuf), err));
	return alrm_runs == 1 && err == EINTR ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * ALARMS timers in a row, each of ALARMS_US, each waited for. The kernel
 * raises SIGALRM from the timer interrupt, in the context of whatever task
 * that interrupts.
 */
static int case_alarms(void)
{
	sigset_t wait_mask;
	int waits = 0;

	alarm_setup(&wait_mask);
	for (int i = 0; i < ALARMS; i++)
		waits += alarm_wait(ALARMS_US, &wait_mask) == EINTR;

	case_report("\"pid\":%d,\"uid\":%d,\"timers\":%d,\"handled\":%d", (int) getpid(), (int) getuid(),
		    ALARMS, (int) alrm_runs);
	return alrm_runs == ALARMS && waits == ALARMS ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * Pending signals that the kernel discards: SIGUSR1 set to SIG_IGN, and
 * SIGWINCH set to SIG_DFL (whose action is to ignore it), while each is
 * blocked and pending. With their handlers back, a second instance of
 * each is delivered: one handler run each.
 */
static int case_discard(void)
{
	pid_t self = getpid();
	sigset_t block, pending;
	int left = 0;

	set_handler(SIGUSR1, on_usr1, 0);
	set_handler(SIGWINCH, on_winch, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &block, NULL) < 0)
		die("sigprocmask");
	xkill(self, SIGUSR1);
	xkill(self, SIGWINCH);
	set_handler(SIGUSR1, SIG_IGN, 0);
	set_handler(SIGWINCH, SIG_DFL, 0);
	/* What the kernel kept: nothing. */
	if (sigpending(&pending) < 0)
		die("sigpending");
	left = sigismember(&pending, SIGUSR1) + sigismember(&pending, SIGWINCH);
	set_handler(SIGUSR1, on_usr1, 0);
	set_handler(SIGWINCH, on_winch, 0);
	xkill(self, SIGUSR1);
	xkill(self, SIGWINCH);
	if (sigprocmask(SIG_UNBLOCK, &block, NULL) < 0)
		die("sigprocmask");

	case_report("\"pid\":%d,\"pending_after_discard\":%d,\"usr1_handled\":%d,\"winch_handled\":%d",
	            (int) self, left, (int) handled, (int) winch_runs);
	return left == 0 && handled == 1 && winch_runs == 1 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* What one read of a signalfd returned. */
struct sfd_read {
	const char *call;
	int n;
	int sig[SFD_RT];
	int value[SFD_RT];
};

/* One read (or readv) of up to room siginfos. */
static void sfd_take(int fd, int room, bool vec, struct sfd_read *r)
{
	struct signalfd_siginfo si[SFD_RT];
	struct iovec iov = { si, room * sizeof(si[0]) };
	ssize_t n;

	r->call = vec ? "readv" : "read";
	n = vec ? readv(fd, &iov, 1) : read(fd, si, room * sizeof(si[0]));
	/* Before 6.x a signalfd has no read_iter: readv fails, and read does the same. */
	if (n < 0 && vec && errno == EINVAL) {
		r->call = "read";
		n = read(fd, si, room * sizeof(si[0]));
	}
	if (n < 0)
		die("read signalfd");
	r->n = (int) (n / sizeof(si[0]));
	for (int i = 0; i < r->n; i++) {
		r->sig[i] = (int) si[i].ssi_signo;
		r->value[i] = si[i].ssi_int;
	}
}

/*
 * Signals taken by reading a signalfd, never delivered: SIGUSR1 alone; then
 * SIGUSR1 and SIGUSR2 in one read; SFD_RT queued SIGRTMIN+1 in one read;
 * SIGUSR2 by readv. Then SIGUSR1, no longer blocked, runs its handler once.
 */
static int case_signalfd(void)
{
	int rt = SIGRTMIN + 1, fd, left;
	struct sfd_read reads[SFD_READS];
	pid_t self = getpid();
	sigset_t set;
	FILE *f;

	set_handler(SIGUSR1, on_usr1, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, rt);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		die("signalfd");
	xkill(self, SIGUSR1);
	sfd_take(fd, 1, false, &reads[0]);
	xkill(self, SIGUSR1);
	xkill(self, SIGUSR2);
	sfd_take(fd, 4, false, &reads[1]);
	for (int i = 0; i < SFD_RT; i++) {
		union sigval v = { .sival_int = RT_FIRST + i };

		if (sigqueue(self, rt, v) < 0)
			die("sigqueue");
	}
	sfd_take(fd, SFD_RT, false, &reads[2]);
	xkill(self, SIGUSR2);
	sfd_take(fd, 1, true, &reads[3]);
	xclose(fd);
	xkill(self, SIGUSR1);
	mask_one(SIG_UNBLOCK, SIGUSR1);
	left = handled;

	f = report_open(stderr);
	fprintf(f, "{\"case\":\"%s\",\"pid\":%d,\"fd\":%d,\"handled\":%d,\"reads\":[", case_name, (int) self,
		fd, left);
	for (int i = 0; i < SFD_READS; i++) {
		fprintf(f, "%s{\"call\":\"%s\",\"signals\":[", i ? "," : "", reads[i].call);
		for (int k = 0; k < reads[i].n; k++)
			fprintf(f, "%s%d", k ? "," : "", reads[i].sig[k]);
		fprintf(f, "],\"values\":[");
		for (int k = 0; k < reads[i].n; k++)
			fprintf(f, "%s%d", k ? "," : "", reads[i].value[k]);
		fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
	report_close(f);
	return left == 1 && reads[2].n == SFD_RT ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * Signals taken by sigwaitinfo() and sigtimedwait(), never delivered; a
 * sigtimedwait that times out takes none. Then SIGUSR1, unblocked, runs
 * its handler once.
 */
static int case_sigwait(void)
{
	struct timespec none = { 0, 0 };
	pid_t self = getpid();
	int got1, got2, timeout;
	sigset_t set;

	set_handler(SIGUSR1, on_usr1, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
	xkill(self, SIGUSR1);
	got1 = sigwaitinfo(&set, NULL);
	xkill(self, SIGUSR2);
	got2 = sigtimedwait(&set, NULL, &none);
	timeout = sigtimedwait(&set, NULL, &none) < 0 && errno == EAGAIN;
	xkill(self, SIGUSR1);
	mask_one(SIG_UNBLOCK, SIGUSR1);

	case_report("\"pid\":%d,\"sigwaitinfo\":%d,\"sigtimedwait\":%d,\"timed_out\":%s,\"handled\":%d",
		    (int) self, got1, got2, timeout ? "true" : "false", (int) handled);
	return got1 == SIGUSR1 && got2 == SIGUSR2 && timeout && handled == 1 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int case_term(void)
{
	return case_fatal(SIGTERM);
}

static int case_kill(void)
{
	return case_fatal(SIGKILL);
}

static int case_eintr(void)
{
	return case_interrupt(false);
}

static int case_restart(void)
{
	return case_interrupt(true);
}

static const struct {
	const char *name;
	int (*run)(void);
} cases[] = {
	{ "merge", case_merge },
	{ "term", case_term },
	{ "kill", case_kill },
	{ "segv", case_segv },
	{ "sigpipe", case_sigpipe },
	{ "sigchld", case_sigchld },
	{ "rtqueue", case_rtqueue },
	{ "thread", case_thread },
	{ "never", case_never },
	{ "pending", case_pending },
	{ "eintr", case_eintr },
	{ "restart", case_restart },
	{ "alarm", case_alarm },
	{ "alarms", case_alarms },
	{ "discard", case_discard },
	{ "signalfd", case_signalfd },
	{ "sigwait", case_sigwait },
};

int main(int argc, char **argv)
{
	if (argc == 2)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (strcmp(argv[1], cases[i].name) == 0) {
				static char prog[64];

				/* Messages start "sigcases CASE: ". */
				case_name = cases[i].name;
				snprintf(prog, sizeof(prog), "%s %s", PROG, case_name);
				ex_init(prog);
				reset_mask();
				return cases[i].run();
			}

	fprintf(stderr, "usage: %s CASE\ncases:", PROG);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		fprintf(stderr, " %s", cases[i].name);
	fprintf(stderr, "\n");
	return EXIT_FAILURE;
}
