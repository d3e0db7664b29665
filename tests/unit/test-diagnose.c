// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/diagnose.c: recorded event sequences replayed into a
 * pipe graph and the engine in ring order, surveys of where threads sleep,
 * then the diagnoses the engine (and the graph, which it drives for no_eof)
 * hands out, field by field against docs/diagnoses.md; and silence where
 * nothing is certain.
 */
#include <errno.h>
#include <inttypes.h>
#include <libintl.h>
#include <locale.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "spanish.h"
#include "diagnose.h"
#include "replay.h"
#include "selftext.h"

#define MAX_DIAGS 16
#define MS 1000000ull

struct t {
	struct ipct_graph *g;
	struct ipct_diag *dg;
	int n;
	struct json_object *d[MAX_DIAGS];
	struct ipct_diag_later *later;  /* a diagnosis handed over to wait for its handler's name */
	struct ipct_sym_pending *name;
	int nlater;
};

/* Both the graph's diagnoses and the engine's land here. */
static void collect(uint32_t session, struct json_object *diag, void *data)
{
	struct t *t = data;

	CHECK_INT(session, SESSION);
	check_diag_parts(diag);
	if (t->n < MAX_DIAGS)
		t->d[t->n] = json_object_get(diag);
	t->n++;
}

static void collect_later(uint32_t session, struct ipct_diag_later *later, struct ipct_sym_pending *name, void *data)
{
	struct t *t = data;

	CHECK_INT(session, SESSION);
	CHECK(!t->later);
	t->later = later;
	t->name = name;
	t->nlater++;
}

/* With syms (NULL: none) naming handlers, and diagnoses that wait for a name handed to collect_later. */
static void start_syms(struct t *t, struct ipct_syms *syms)
{
	memset(t, 0, sizeof(*t));
	t->g = ipct_graph_new(0, collect, t);
	t->dg = t->g ? ipct_diag_new(t->g, syms, collect, t) : NULL;
	if (!t->dg) {
		fprintf(stderr, "out of memory\n");
		exit(EXIT_FAILURE);
	}
	ipct_diag_session(t->dg, SESSION, 0, 0);
	ipct_diag_set_later(t->dg, collect_later);
}

static void start(struct t *t)
{
	start_syms(t, NULL);
}

static void finish(struct t *t)
{
	ipct_diag_free(t->dg);
	ipct_graph_free(t->g);
	for (int i = 0; i < t->n && i < MAX_DIAGS; i++)
		json_object_put(t->d[i]);
}

static void feed(struct t *t, struct ipct_event e)
{
	struct ipct_evctx cx = ipct_evctx(&e);

	ipct_graph_event(t->g, &cx);
	ipct_diag_event(t->dg, &cx);
}

/* `ipctrace run` holds the command before exec: seeded with no children, then its exec. */
static void launch(struct t *t, uint32_t pid, const char *comm, uint64_t sig_ign, uint64_t ts)
{
	struct ipct_diag_seed sd = { .pid = pid, .ppid = 1, .session = SESSION, .sig_ign = sig_ign, .held = true };

	snprintf(sd.comm, sizeof(sd.comm), "%s", comm);
	ipct_diag_seed(t->dg, &sd);
	feed(t, exec_ev(pid, comm, ts));
}

static struct json_object *diag(struct t *t, int i)
{
	return i >= 0 && i < t->n && i < MAX_DIAGS ? t->d[i] : NULL;
}

static bool contains(const char *s, const char *sub)
{
	if (!s || !strstr(s, sub)) {
		fprintf(stderr, "  %s\n  does not contain: %s\n", s ? s : "(null)", sub);
		return false;
	}
	return true;
}

/* The entry of the diagnosis's `processes` for pid. */
static struct json_object *proc_of(struct json_object *d, uint32_t pid)
{
	struct json_object *arr = get(d, "processes");

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (jint(json_object_array_get_idx(arr, i), "pid") == pid)
			return json_object_array_get_idx(arr, i);
	return NULL;
}

/* The fields every diagnosis has (docs/diagnoses.md). */
static void check_common(struct json_object *d, const char *kind)
{
	static const char *const fields[] = { "type", "kind", "session", "time_ns", "pid", "comm", "fd", "object",
					      "processes", "objects", "evidence", "message", NULL };

	for (int i = 0; fields[i]; i++)
		if (!has(d, fields[i])) {
			fprintf(stderr, "diagnosis %s has no field %s\n", kind, fields[i]);
			check_failures++;
		}
	CHECK_STR(jstr(d, "type"), "diagnosis");
	CHECK_STR(jstr(d, "kind"), kind);
	CHECK_INT(jint(d, "session"), SESSION);
	CHECK(jlen(d, "evidence") > 0);
	CHECK(jlen(d, "processes") > 0);
}

/* ---- more events ---- */

/* wait4(pid, &status, options) = ret, with the status read. */
static struct ipct_event wait4_ev(uint32_t pid, int64_t arg, uint64_t options, int64_t ret, int status, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_wait4, ret, ts);

	e.sys.args[0] = (uint64_t)arg;
	e.sys.args[2] = options;
	e.sys.x[0] = (uint32_t)status;
	e.flags = ret > 0 ? IPCT_F_NEW_VALID : 0;
	return e;
}

/* waitid(P_PID, child, &info, options) = 0, which collected code/status. */
static struct ipct_event waitid_ev(uint32_t pid, uint32_t child, uint64_t options, int code, int status, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_waitid, 0, ts);

	e.sys.args[0] = P_PID;
	e.sys.args[1] = child;
	e.sys.args[3] = options;
	e.sys.x[0] = child;
	e.sys.x[1] = (uint32_t)code | (uint64_t)(uint32_t)status << 32;
	e.flags = IPCT_F_NEW_VALID;
	return e;
}

/* rt_sigaction(sig, {handler, flags}) = 0 */
static struct ipct_event sigaction_ev(uint32_t pid, int sig, uint64_t handler, uint64_t flags, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_rt_sigaction, 0, ts);

	e.sys.args[0] = (uint64_t)sig;
	e.sys.x[0] = handler;
	e.sys.x[1] = flags;
	e.flags = IPCT_F_NEW_VALID;
	return e;
}

/* kill(target, sig) = ret, or another call of the family with its arguments. */
static struct ipct_event kill_ev(uint32_t pid, int nr, int64_t a0, int64_t a1, int64_t a2, int64_t ret, uint64_t ts)
{
	struct ipct_event e = sys(pid, nr, ret, ts);

	e.sys.args[0] = (uint64_t)a0;
	e.sys.args[1] = (uint64_t)a1;
	e.sys.args[2] = (uint64_t)a2;
	return e;
}

/* signal_generate in the context of `pid` (named comm) for `target`: code, and for SIGCHLD the child. */
static struct ipct_event gen_ev(uint32_t pid, const char *comm, int sig, int code, uint32_t target,
				const char *target_comm, uint32_t child, uint64_t ts)
{
	struct ipct_event e = ev(IPCT_EV_SIGNAL_GENERATE, pid, comm, ts);

	e.sig.sig = sig;
	e.sig.code = code;
	e.sig.target_pid = e.sig.target_tid = target;
	snprintf(e.sig.target_comm, sizeof(e.sig.target_comm), "%s", target_comm);
	e.sig.sifields[0] = child;
	e.sig.sys_nr = __NR_kill;
	e.flags = IPCT_F_GROUP;
	return e;
}

static struct ipct_event exit_status(uint32_t pid, int status, uint64_t ts)
{
	struct ipct_event e = exit_ev(pid, ts);

	e.proc.exit_code = status;
	return e;
}

/* A thread asleep in syscall nr (first argument a0, second a1) since `since`. */
static struct ipct_diag_thread asleep(uint32_t pid, int nr, int64_t a0, int64_t a1, uint64_t since)
{
	return (struct ipct_diag_thread){ .pid = pid, .tid = pid, .nr = nr, .args = { (uint64_t)a0, (uint64_t)a1 },
					  .since_ns = since };
}

static struct ipct_diag_thread running(uint32_t pid)
{
	return (struct ipct_diag_thread){ .pid = pid, .tid = pid, .nr = -1 };
}

#define SURVEY(t, now, ...)                                                                        \
	do {                                                                                       \
		struct ipct_diag_thread th_[] = { __VA_ARGS__ };                                   \
		ipct_diag_survey((t)->dg, th_, sizeof(th_) / sizeof(th_[0]), (now));               \
	} while (0)

/* ---- deadlock ---- */

/* A parent and child sharing pipe ino (fds 3, 4); each closes the end given (-1: none). */
static void pipe_pair(struct t *t, uint64_t ino, int parent_closes, int child_closes)
{
	launch(t, 100, "waitpipe", 0, 1 * MS);
	feed(t, pipe_ev(100, 3, 4, ino, false, false, 2 * MS));
	feed(t, fork_ev(100, "waitpipe", 101, 3 * MS));
	if (parent_closes >= 0)
		feed(t, close_ev(100, parent_closes, IPCT_KIND_PIPE, ino, 4 * MS));
	if (child_closes >= 0)
		feed(t, close_ev(101, child_closes, IPCT_KIND_PIPE, ino, 5 * MS));
}

/* wait() before read(): the child blocks writing a full pipe, the parent in wait4 for it. */
static void test_deadlock_waitpipe(void)
{
	struct json_object *d, *p;
	struct t t;

	start(&t);
	pipe_pair(&t, 9001, 4, 3);
	/* Blocked half a second: nothing yet. */
	SURVEY(&t, SEC, asleep(100, __NR_wait4, 101, 0, SEC / 2), asleep(101, __NR_write, 4, 0, SEC / 2));
	CHECK_INT(t.n, 0);
	/* A second and more: the deadlock, once. */
	SURVEY(&t, 2 * SEC, asleep(100, __NR_wait4, 101, 0, SEC / 2), asleep(101, __NR_write, 4, 0, SEC / 2));
	SURVEY(&t, 3 * SEC, asleep(100, __NR_wait4, 101, 0, SEC / 2), asleep(101, __NR_write, 4, 0, SEC / 2));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	check_common(d, "deadlock");
	CHECK_INT(jint(d, "time_ns"), 2 * SEC);
	CHECK_INT(jint(d, "pid"), 100);
	CHECK_STR(jstr(d, "object"), "pipe:[9001]");
	CHECK_INT(jint(d, "fd"), 4);
	CHECK_INT(jlen(d, "processes"), 2);
	p = proc_of(d, 100);
	CHECK_STR(jstr(p, "role"), "member");
	CHECK_STR(jstr(p, "call"), "wait4");
	CHECK(jnull(p, "fd"));
	CHECK_INT(jint(p, "since_ns"), SEC / 2);
	CHECK_INT(jlen(p, "waits_for"), 1);
	p = proc_of(d, 101);
	CHECK_STR(jstr(p, "call"), "write");
	CHECK_INT(jint(p, "fd"), 4);
	CHECK_STR(jstr(p, "object"), "pipe:[9001]");
	CHECK_INT(jlen(d, "evidence"), 2);
	CHECK(contains(jstr(d, "message"), "waitpipe[100] and waitpipe[101] wait for each other"));
	CHECK(contains(jstr(d, "message"), "in wait4 for its child waitpipe[101]"));
	CHECK(contains(jstr(d, "message"), "in write to pipe:[9001] (fd 4): it is full"));
	CHECK(contains(jstr(d, "message"), "only waitpipe[100] (fd 3) can read it"));
	CHECK(contains(jstr(d, "message"), "waitpipe[100] must read pipe:[9001] until end of file before it waits"));
	/* Woken (the parent was interrupted), then blocked again: said again. */
	SURVEY(&t, 4 * SEC, running(100), asleep(101, __NR_write, 4, 0, SEC / 2));
	SURVEY(&t, 6 * SEC, asleep(100, __NR_wait4, -1, 0, 5 * SEC), asleep(101, __NR_write, 4, 0, SEC / 2));
	CHECK_INT(t.n, 2);
	CHECK(contains(jstr(diag(&t, 1), "message"), "in wait4 for any of its children (waitpipe[101])"));
	finish(&t);
}

/* The parent forgot to close its write end and waits for the child, which reads to EOF. */
static void test_deadlock_holdwrite(void)
{
	struct t t;

	start(&t);
	pipe_pair(&t, 9002, 3, 4);
	feed(&t, pipe_write(100, 4, 9002, 13, 6 * MS));
	feed(&t, pipe_read(101, 3, 9002, 13, 7 * MS));
	SURVEY(&t, 3 * SEC, asleep(100, __NR_wait4, 101, 0, SEC), asleep(101, __NR_read, 3, 0, SEC));
	/* The deadlock, and not the no_eof of the child: it is part of the circle. */
	CHECK_INT(t.n, 1);
	check_common(diag(&t, 0), "deadlock");
	CHECK(contains(jstr(diag(&t, 0), "message"), "in read on pipe:[9002] (fd 3): it is empty, and only "
						    "waitpipe[100] (fd 4) can write to it"));
	CHECK(contains(jstr(diag(&t, 0), "message"), "waitpipe[100] must close its end of pipe:[9002] before it "
						    "waits for waitpipe[101]"));
	finish(&t);
}

/* Two pipes, each process reads before it writes; then the same through two FIFOs. */
static void test_deadlock_two_reads(bool fifo)
{
	struct json_object *d;
	struct t t;

	start(&t);
	launch(&t, 200, "ask", 0, MS);
	feed(&t, fork_ev(200, "ask", 201, 2 * MS));
	if (fifo) {
		const char *a = "/tmp/to_parent", *b = "/tmp/to_child";

		feed(&t, openat_ev(200, 3, 7001, FM_READ, 3 * MS));
		feed(&t, objinfo_path(200, __NR_openat, 3, 7001, 0, 0, a, strlen(a), 3 * MS));
		feed(&t, openat_ev(201, 3, 7001, FM_WRITE, 3 * MS));
		feed(&t, openat_ev(201, 4, 7002, FM_READ, 4 * MS));
		feed(&t, objinfo_path(201, __NR_openat, 4, 7002, 0, 0, b, strlen(b), 4 * MS));
		feed(&t, openat_ev(200, 4, 7002, FM_WRITE, 4 * MS));
	} else {
		/* 7001 up (the child writes fd 4, the parent reads fd 3), 7002 down (5 -> 6). */
		feed(&t, pipe_ev(200, 3, 4, 7001, false, false, 3 * MS));
		feed(&t, pipe_ev(200, 6, 5, 7002, false, false, 3 * MS));
		feed(&t, fork_ev(200, "ask", 202, 3 * MS));
		feed(&t, exit_status(202, 0, 3 * MS));
		feed(&t, fork_ev(200, "ask", 201, 4 * MS));
		feed(&t, close_ev(200, 4, IPCT_KIND_PIPE, 7001, 5 * MS));
		feed(&t, close_ev(200, 6, IPCT_KIND_PIPE, 7002, 5 * MS));
		feed(&t, close_ev(201, 3, IPCT_KIND_PIPE, 7001, 5 * MS));
		feed(&t, close_ev(201, 5, IPCT_KIND_PIPE, 7002, 5 * MS));
	}
	SURVEY(&t, 2 * SEC, asleep(200, __NR_read, 3, 0, SEC / 2), asleep(201, __NR_read, fifo ? 4 : 6, 0, SEC / 2));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	check_common(d, "deadlock");
	CHECK_INT(jlen(d, "objects"), 2);
	CHECK(contains(jstr(d, "message"), "each waits to read what another has not written yet"));
	if (fifo) {
		CHECK(contains(jstr(d, "message"), "in read on the FIFO /tmp/to_parent (pipe:[7001], fd 3)"));
		CHECK(contains(jstr(d, "message"), "but a process that opens the FIFO"));
	} else {
		CHECK(contains(jstr(d, "message"), "in read on pipe:[7002] (fd 6): it is empty, and only ask[200] "
						   "(fd 5) can write to it"));
	}
	finish(&t);
}

/* Three processes in a circle, and their parent waiting for one of them. */
static void test_deadlock_circle(void)
{
	struct json_object *d;
	struct t t;

	start(&t);
	launch(&t, 299, "ring", 0, MS);
	feed(&t, fork_ev(299, "ring", 300, MS));
	/* 300 -> 301 over 8001, 301 -> 302 over 8002, 302 -> 300 over 8003. */
	feed(&t, pipe_ev(300, 3, 4, 8001, false, false, 2 * MS));
	feed(&t, pipe_ev(300, 5, 6, 8002, false, false, 2 * MS));
	feed(&t, pipe_ev(300, 7, 8, 8003, false, false, 2 * MS));
	feed(&t, fork_ev(300, "ring", 301, 3 * MS));
	feed(&t, fork_ev(300, "ring", 302, 3 * MS));
	for (uint32_t pid = 300; pid <= 302; pid++)
		for (int fd = 3; fd <= 8; fd++) {
			/* 300 keeps 7 (reads 8003) and 4; 301 keeps 3 and 6; 302 keeps 5 and 8. */
			bool keep = (pid == 300 && (fd == 7 || fd == 4)) || (pid == 301 && (fd == 3 || fd == 6)) ||
				    (pid == 302 && (fd == 5 || fd == 8));
			uint64_t ino = fd <= 4 ? 8001 : fd <= 6 ? 8002 : 8003;

			if (!keep)
				feed(&t, close_ev(pid, fd, IPCT_KIND_PIPE, ino, 4 * MS));
		}
	SURVEY(&t, 3 * SEC, asleep(300, __NR_read, 7, 0, SEC), asleep(301, __NR_read, 3, 0, SEC),
	       asleep(302, __NR_read, 5, 0, SEC), asleep(299, __NR_wait4, 300, 0, SEC));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	check_common(d, "deadlock");
	CHECK_INT(jlen(d, "processes"), 4);
	CHECK_STR(jstr(proc_of(d, 299), "role"), "waiting");
	CHECK_STR(jstr(proc_of(d, 302), "role"), "member");
	CHECK(contains(jstr(d, "message"), "ring[300], ring[301] and ring[302] wait for each other in a circle"));
	CHECK(contains(jstr(d, "message"), "ring[299] has been blocked for at least 2.00 s in wait4 for its child ring[300]"));
	finish(&t);
}

/* A System V call on object id (semget, msgget: the result; args a1, a2), as the kernel side records it. */
static struct ipct_event sysv_ev(uint32_t pid, int nr, int id, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t ts)
{
	bool sem = nr == __NR_semget || nr == __NR_semtimedop;
	struct ipct_event e = sys(pid, nr, nr == __NR_semget || nr == __NR_msgget ? id : 0, ts);

	e.sys.args[0] = a0;
	e.sys.args[1] = a1;
	e.sys.args[2] = a2;
	e.sys.x[0] = sem ? IPCT_SYSV_SEM_INO(id) : IPCT_SYSV_INO(id);
	e.kind[0] = sem ? IPCT_KIND_SEM : IPCT_KIND_MSGQ;
	return e;
}

/*
 * Each of two processes takes a semaphore of a set that only the other
 * posts: a deadlock through the set, said once both have used it. Not for a
 * set made before the trace (another process may post), nor while one of
 * its users runs; a queue's receiver likewise.
 */
static void test_deadlock_sysv(void)
{
	struct json_object *d;
	struct t t;

	start(&t);
	launch(&t, 200, "sems", 0, MS);
	feed(&t, sysv_ev(200, __NR_semget, 5, IPC_PRIVATE, 2, IPC_CREAT | 0600, 2 * MS));
	feed(&t, fork_ev(200, "sems", 201, 3 * MS));
	feed(&t, sysv_ev(200, __NR_semtimedop, 5, 5, 0, 1, 4 * MS));
	feed(&t, sysv_ev(201, __NR_semtimedop, 5, 5, 0, 1, 4 * MS));
	/* The set made elsewhere (no IPC_CREAT): not certain. */
	feed(&t, sysv_ev(200, __NR_semget, 6, 0x77, 1, 0, 5 * MS));
	feed(&t, sysv_ev(201, __NR_semtimedop, 6, 6, 0, 1, 5 * MS));
	/* A queue whose other user still runs. */
	feed(&t, sysv_ev(200, __NR_msgget, 7, IPC_PRIVATE, IPC_CREAT | 0600, 0, 6 * MS));
	feed(&t, sysv_ev(201, __NR_msgsnd, 7, 7, 0, 8, 6 * MS));
	SURVEY(&t, 2 * SEC, asleep(200, __NR_semtimedop, 6, 0, SEC / 2), asleep(201, __NR_semtimedop, 6, 0, SEC / 2));
	SURVEY(&t, 2 * SEC, asleep(200, __NR_msgrcv, 7, 0, SEC / 2), running(201));
	CHECK_INT(t.n, 0);
	SURVEY(&t, 2 * SEC, asleep(200, __NR_semtimedop, 5, 0, SEC / 2), asleep(201, __NR_semtimedop, 5, 0, SEC / 2));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	check_common(d, "deadlock");
	CHECK_STR(jstr(d, "object"), "sem:5");
	CHECK(jnull(d, "fd"));
	CHECK(jnull(proc_of(d, 201), "fd"));
	CHECK_STR(jstr(proc_of(d, 201), "object"), "sem:5");
	CHECK_INT(jlen(proc_of(d, 201), "waits_for"), 2);
	CHECK(contains(jstr(d, "message"), "sems[200] has been blocked for at least 1.50 s in semtimedop on the "
					   "semaphore set sem:5, which only itself and sems[201] use"));
	CHECK(contains(jstr(d, "message"), "each waits on a semaphore that only another of them would post"));
	finish(&t);
}

/* What is not certain is not said. */
static void test_deadlock_uncertain(void)
{
	struct ipct_diag_seed sd = { .pid = 402, .ppid = 1, .session = SESSION, .held = false };
	struct t t;

	start(&t);
	pipe_pair(&t, 9003, 4, 3);
	/* A thread of the parent still runs: it could read. */
	SURVEY(&t, 3 * SEC, asleep(100, __NR_wait4, 101, 0, SEC), running(100),
	       asleep(101, __NR_write, 4, 0, SEC));
	/* The parent sleeps in a call no rule knows. */
	SURVEY(&t, 3 * SEC, asleep(100, __NR_nanosleep, 0, 0, SEC), asleep(101, __NR_write, 4, 0, SEC));
	/* A process the engine met running may have children from before: its wait(-1) is not certain. */
	snprintf(sd.comm, sizeof(sd.comm), "daemon");
	ipct_diag_seed(t.dg, &sd);
	feed(&t, pipe_ev(402, 3, 4, 9004, false, false, 6 * MS));
	feed(&t, fork_ev(402, "daemon", 403, 7 * MS));
	feed(&t, close_ev(402, 4, IPCT_KIND_PIPE, 9004, 8 * MS));
	feed(&t, close_ev(403, 3, IPCT_KIND_PIPE, 9004, 8 * MS));
	SURVEY(&t, 3 * SEC, asleep(402, __NR_wait4, -1, 0, SEC), asleep(403, __NR_write, 4, 0, SEC));
	/* A pipe from before the trace: others may hold it. */
	ipct_graph_seed(t.g, 403, SESSION, "daemon", 5, IPCT_KIND_PIPE, 9005, 1, false);
	SURVEY(&t, 3 * SEC, asleep(402, __NR_wait4, 403, 0, SEC), asleep(403, __NR_read, 5, 0, SEC));
	CHECK_INT(t.n, 0);
	finish(&t);
}

/* ---- no_eof, as the survey decides it ---- */

static void test_no_eof(void)
{
	struct t t;

	/* The child holds the write end itself; its parent waits for it: no_eof, no deadlock. */
	start(&t);
	pipe_pair(&t, 9101, 3, -1);
	feed(&t, close_ev(100, 4, IPCT_KIND_PIPE, 9101, 6 * MS));
	SURVEY(&t, 3 * SEC, asleep(100, __NR_wait4, 101, 0, SEC), asleep(101, __NR_read, 3, 0, SEC));
	CHECK_INT(t.n, 1);
	check_common(diag(&t, 0), "no_eof");
	CHECK_INT(jint(diag(&t, 0), "pid"), 101);
	CHECK(contains(jstr(diag(&t, 0), "message"), "it holds the write end itself"));
	finish(&t);

	/* A writer that runs is a slow writer, not a bug: nothing. */
	start(&t);
	pipe_pair(&t, 9102, 3, 4);
	SURVEY(&t, 3 * SEC, running(100), asleep(101, __NR_read, 3, 0, SEC));
	/* Nor is one asleep in a call no rule knows (sleep), nor one just blocked (maybe the circle). */
	SURVEY(&t, 3 * SEC, asleep(100, __NR_nanosleep, 0, 0, SEC), asleep(101, __NR_read, 3, 0, SEC));
	SURVEY(&t, 3 * SEC, asleep(100, __NR_wait4, 101, 0, 3 * SEC - MS), asleep(101, __NR_read, 3, 0, SEC));
	CHECK_INT(t.n, 0);
	finish(&t);
}

/* ---- not_waited ---- */

/* A parent forks 201 and 202, waits for 201 only, and exits: 202 is handed over. */
static void test_not_waited(void)
{
	struct json_object *d, *c;
	struct t t;

	start(&t);
	launch(&t, 200, "forker", 0, MS);
	feed(&t, fork_ev(200, "forker", 201, 2 * MS));
	feed(&t, fork_ev(200, "forker", 202, 3 * MS));
	feed(&t, exit_status(201, 0, 10 * MS));
	feed(&t, exit_status(202, 3 << 8, 20 * MS));
	feed(&t, wait4_ev(200, 201, 0, 201, 0, 30 * MS));
	CHECK(!ipct_diag_adopted(t.dg, SESSION, 202, 200));
	feed(&t, exit_status(200, 0, 500 * MS));
	/* Said once the handover to its new parent is seen (which the record of that SIGCHLD asks about first). */
	CHECK_INT(t.n, 0);
	CHECK(ipct_diag_adopted(t.dg, SESSION, 202, 1));
	CHECK(!ipct_diag_adopted(t.dg, SESSION, 202, 200));
	feed(&t, gen_ev(200, "forker", SIGCHLD, CLD_EXITED, 1, "init", 202, 501 * MS));
	CHECK_INT(t.n, 1);
	CHECK(ipct_diag_adopted(t.dg, SESSION, 202, 1));
	CHECK(!ipct_diag_adopted(t.dg, SESSION, 201, 1));
	feed(&t, gen_ev(200, "forker", SIGCHLD, CLD_EXITED, 1, "init", 200, 502 * MS));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	check_common(d, "not_waited");
	CHECK_INT(jint(d, "pid"), 200);
	CHECK_INT(jint(d, "time_ns"), 500 * MS);
	CHECK_INT(jlen(d, "children"), 1);
	c = json_object_array_get_idx(get(d, "children"), 0);
	CHECK_INT(jint(c, "pid"), 202);
	CHECK_STR(jstr(c, "status"), "exited 3");
	CHECK_INT(jint(c, "exited_ns"), 20 * MS);
	CHECK_INT(jint(c, "zombie_ns"), 480 * MS);
	CHECK_INT(jint(c, "adopted_by"), 1);
	CHECK_STR(jstr(proc_of(d, 200), "role"), "parent");
	CHECK(proc_of(d, 201) == NULL);
	CHECK(contains(jstr(d, "message"), "forker[200] never waited for 1 of its children"));
	CHECK(contains(jstr(d, "message"), "forker[202] (exited 3 at 0.020 s) had been a zombie for 480.0 ms"));
	CHECK(contains(jstr(d, "message"), "handed it to init[1]"));
	ipct_diag_end_session(t.dg, SESSION);
	CHECK_INT(t.n, 1);
	finish(&t);

	/*
	 * Two zombies: said once both are handed over, or once the parent has
	 * told its own parent (which comes last), whoever the daemon drains late.
	 */
	for (int last = 0; last < 2; last++) {
		start(&t);
		launch(&t, 200, "forker", 0, MS);
		feed(&t, fork_ev(200, "forker", 201, 2 * MS));
		feed(&t, fork_ev(200, "forker", 202, 2 * MS));
		feed(&t, exit_status(201, 0, 10 * MS));
		feed(&t, exit_status(202, 0, 10 * MS));
		feed(&t, exit_status(200, 0, 20 * MS));
		ipct_diag_tick(t.dg, SEC);
		feed(&t, gen_ev(200, "forker", SIGCHLD, CLD_EXITED, 1, "init", 201, 21 * MS));
		CHECK_INT(t.n, 0);
		feed(&t, gen_ev(200, "forker", SIGCHLD, CLD_EXITED, last ? 1 : 99, "launcher", last ? 202 : 200,
				22 * MS));
		CHECK_INT(t.n, 1);
		CHECK_INT(jlen(diag(&t, 0), "children"), 2);
		finish(&t);
	}

	/* Without the handover events, said after a while: by init or a subreaper. */
	start(&t);
	launch(&t, 200, "forker", 0, MS);
	feed(&t, fork_ev(200, "forker", 201, 2 * MS));
	feed(&t, exit_status(201, 0, 10 * MS));
	feed(&t, exit_status(200, 0, 20 * MS));
	ipct_diag_tick(t.dg, SEC);
	CHECK_INT(t.n, 0);
	ipct_diag_tick(t.dg, 3 * SEC);
	CHECK_INT(t.n, 1);
	CHECK(contains(jstr(diag(&t, 0), "message"), "to init (or the nearest subreaper)"));
	finish(&t);
}

/* Nothing to say: waited (wait4, waitid), reaped by the kernel (SIG_IGN), a killed parent, lost events. */
static void test_not_waited_silent(void)
{
	struct t t;

	start(&t);
	launch(&t, 200, "ok", 0, MS);
	feed(&t, fork_ev(200, "ok", 201, 2 * MS));
	feed(&t, fork_ev(200, "ok", 202, 3 * MS));
	feed(&t, exit_status(201, 0, 10 * MS));
	feed(&t, exit_status(202, SIGTERM, 11 * MS));
	feed(&t, wait4_ev(200, -1, 0, 201, 0, 12 * MS));
	feed(&t, waitid_ev(200, 202, WEXITED, CLD_KILLED, SIGTERM, 13 * MS));
	feed(&t, exit_status(200, 0, 20 * MS));
	ipct_diag_end_session(t.dg, SESSION);
	CHECK_INT(t.n, 0);
	finish(&t);

	/* A stop collected is not a reap; WNOWAIT is not one either. */
	start(&t);
	launch(&t, 200, "stops", 0, MS);
	feed(&t, fork_ev(200, "stops", 201, 2 * MS));
	feed(&t, wait4_ev(200, 201, WUNTRACED, 201, SIGSTOP << 8 | 0x7f, 5 * MS));
	feed(&t, exit_status(201, 0, 10 * MS));
	feed(&t, waitid_ev(200, 201, WEXITED | WNOWAIT, CLD_EXITED, 0, 12 * MS));
	feed(&t, exit_status(200, 0, 20 * MS));
	ipct_diag_end_session(t.dg, SESSION);
	CHECK_INT(t.n, 1);
	finish(&t);

	/* SIGCHLD ignored, from before exec (SigIgn) or by sigaction, or SA_NOCLDWAIT: reaped at exit. */
	for (int how = 0; how < 3; how++) {
		start(&t);
		launch(&t, 200, "ign", how == 0 ? 1ull << (SIGCHLD - 1) : 0, MS);
		if (how)
			feed(&t, sigaction_ev(200, SIGCHLD, how == 1 ? (uint64_t)(uintptr_t)SIG_IGN : 0x4000,
					      how == 2 ? SA_NOCLDWAIT : 0, 2 * MS));
		feed(&t, fork_ev(200, "ign", 201, 3 * MS));
		feed(&t, exit_status(201, 0, 10 * MS));
		feed(&t, exit_status(200, 0, 20 * MS));
		ipct_diag_end_session(t.dg, SESSION);
		CHECK_INT(t.n, 0);
		finish(&t);
	}

	/* Killed before it could wait; and events lost. */
	for (int lost = 0; lost < 2; lost++) {
		start(&t);
		launch(&t, 200, "cut", 0, MS);
		feed(&t, fork_ev(200, "cut", 201, 2 * MS));
		feed(&t, exit_status(201, 0, 10 * MS));
		if (lost)
			ipct_diag_lost(t.dg, SESSION);
		feed(&t, exit_status(200, lost ? 0 : SIGKILL, 20 * MS));
		ipct_diag_end_session(t.dg, SESSION);
		CHECK_INT(t.n, 0);
		finish(&t);
	}
}

/* ---- kill_failed ---- */

static void test_kill_failed(void)
{
	struct json_object *d;
	struct t t;

	start(&t);
	launch(&t, 300, "killer", 0, MS);
	feed(&t, fork_ev(300, "killer", 301, 2 * MS));
	feed(&t, exit_status(301, 0, 100 * MS));
	feed(&t, wait4_ev(300, 301, 0, 301, 0, 200 * MS));
	/* A kill that works, then one of the child it has reaped. */
	feed(&t, kill_ev(300, __NR_kill, 300, SIGUSR1, 0, 0, 250 * MS));
	feed(&t, kill_ev(300, __NR_kill, 301, SIGTERM, 0, -ESRCH, 300 * MS));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	check_common(d, "kill_failed");
	CHECK_INT(jint(d, "pid"), 300);
	CHECK_STR(jstr(d, "call"), "kill");
	CHECK_INT(jint(d, "target_pid"), 301);
	CHECK_STR(jstr(d, "sig"), "SIGTERM");
	CHECK_STR(jstr(d, "errno"), "ESRCH");
	CHECK_STR(jstr(proc_of(d, 301), "role"), "target");
	CHECK_INT(jlen(d, "evidence"), 3);
	CHECK(contains(jstr(d, "message"), "killer[300]: kill(301, SIGTERM) failed with ESRCH: pid 301 was "
					   "killer[301], which exited at 0.100 s (exited 0) and was reaped at 0.200 s "
					   "by killer[300]"));
	/* The same again: said once. */
	feed(&t, kill_ev(300, __NR_kill, 301, SIGTERM, 0, -ESRCH, 310 * MS));
	CHECK_INT(t.n, 1);
	/* A pid the trace never saw, a group that does not exist. */
	feed(&t, kill_ev(300, __NR_kill, 4242, SIGTERM, 0, -ESRCH, 320 * MS));
	CHECK(contains(jstr(diag(&t, 1), "message"), "no process of this trace ever had pid 4242"));
	feed(&t, kill_ev(300, __NR_kill, -301, SIGTERM, 0, -ESRCH, 330 * MS));
	CHECK(contains(jstr(diag(&t, 2), "message"), "a negative pid names a process group, and there is no "
						    "group 301. To signal the process 301, pass 301"));
	/* EPERM of a traced process of another user; EINVAL of a bad signal number. */
	feed(&t, fork_ev(300, "killer", 302, 340 * MS));
	feed(&t, kill_ev(300, __NR_kill, 302, SIGUSR1, 0, -EPERM, 350 * MS));
	CHECK_STR(jstr(diag(&t, 3), "errno"), "EPERM");
	CHECK(contains(jstr(diag(&t, 3), "message"), "a process may signal only its own user's processes"));
	feed(&t, kill_ev(300, __NR_kill, 302, 99, 0, -EINVAL, 360 * MS));
	CHECK(jnull(diag(&t, 4), "sig"));
	CHECK_INT(jint(diag(&t, 4), "signo"), 99);
	CHECK(contains(jstr(diag(&t, 4), "message"), "kill(302, 99) failed with EINVAL: 99 is not a signal number"));
	/* tgkill of a thread that is not there; other errors are not diagnosed. */
	feed(&t, kill_ev(300, __NR_tgkill, 302, 9999, SIGUSR1, -ESRCH, 370 * MS));
	CHECK(contains(jstr(diag(&t, 5), "message"), "killer[302] has no thread 9999"));
	CHECK_INT(jint(diag(&t, 5), "target_tid"), 9999);
	feed(&t, kill_ev(300, __NR_pidfd_send_signal, 5, SIGUSR1, 0, -EBADF, 380 * MS));
	CHECK_INT(t.n, 6);
	/* Once events are lost, a pid never seen may have been missed. */
	ipct_diag_lost(t.dg, SESSION);
	feed(&t, kill_ev(300, __NR_kill, 4343, SIGTERM, 0, -ESRCH, 390 * MS));
	CHECK_INT(t.n, 6);
	finish(&t);
}

/* ---- bad_fd ---- */

/* A call of class FD on fd (nothing there: kind none) that failed with EBADF. */
static struct ipct_event ebadf(uint32_t pid, int nr, int fd, uint64_t ts)
{
	return io_ev(pid, nr, fd, IPCT_KIND_NONE, 0, 0, -EBADF, ts);
}

static void test_bad_fd(void)
{
	struct ipct_event e;
	struct json_object *d;
	struct t t;

	start(&t);
	launch(&t, 400, "shell", 0, MS);
	feed(&t, pipe_ev(400, 3, 4, 77, false, true, 2 * MS));
	/* The parent closes the read end, then forks: the child inherits the closed fd. */
	feed(&t, close_ev(400, 3, IPCT_KIND_PIPE, 77, 3 * MS));
	feed(&t, fork_ev(400, "shell", 401, 4 * MS));
	feed(&t, ebadf(401, __NR_read, 3, 5 * MS));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	check_common(d, "bad_fd");
	CHECK_INT(jint(d, "pid"), 401);
	CHECK_INT(jint(d, "fd"), 3);
	CHECK_STR(jstr(d, "call"), "read");
	CHECK_STR(jstr(d, "errno"), "EBADF");
	CHECK_STR(jstr(d, "cause"), "closed");
	CHECK_STR(jstr(d, "closed_by"), "close");
	CHECK_INT(jint(d, "closed_ns"), 3 * MS);
	CHECK_STR(jstr(proc_of(d, 400), "role"), "closer");
	CHECK_INT(jlen(d, "evidence"), 2);
	CHECK(contains(jstr(d, "message"), "shell[401]: read(3) failed with EBADF: fd 3 was closed at 0.003 s by "
					   "close(3) in shell[400], where it was pipe:[77] (the last close of it the "
					   "trace saw)"));
	/* Said once per descriptor and close. */
	feed(&t, ebadf(401, __NR_read, 3, 6 * MS));
	CHECK_INT(t.n, 1);
	/* The write end was close-on-exec: gone once the child execs. */
	feed(&t, exec_ev(401, "worker", 7 * MS));
	feed(&t, ebadf(401, __NR_write, 4, 8 * MS));
	CHECK_INT(t.n, 2);
	CHECK_STR(jstr(diag(&t, 1), "closed_by"), "exec");
	CHECK(contains(jstr(diag(&t, 1), "message"), "fd 4 was closed when worker[401] exec'd at 0.007 s: it was "
						    "close-on-exec, where it was the write end of pipe:[77]"));
	/* A second close, and close_range. */
	feed(&t, close_ev(400, 4, IPCT_KIND_PIPE, 77, 9 * MS));
	e = close_ev(400, 4, IPCT_KIND_NONE, 0, 10 * MS);
	e.sys.ret = -EBADF;
	feed(&t, e);
	CHECK_INT(t.n, 3);
	CHECK(contains(jstr(diag(&t, 2), "message"), "close(4) failed with EBADF: fd 4 was already closed at "
						    "0.009 s by close(4) in shell[400]"));
	e = sys(400, __NR_close_range, 0, 11 * MS);
	e.sys.args[0] = 5;
	e.sys.args[1] = ~0u;
	feed(&t, e);
	feed(&t, ebadf(400, __NR_write, 9, 12 * MS));
	CHECK_INT(t.n, 4);
	CHECK_STR(jstr(diag(&t, 3), "closed_by"), "close_range");
	/* Never seen: a possibility above 2, closed before the trace at 0 to 2. */
	feed(&t, ebadf(401, __NR_write, 2, 13 * MS));
	CHECK_STR(jstr(diag(&t, 4), "cause"), "closed_before_trace");
	/* Not a mistake: close of what the trace never saw open, close(-1), fcntl's probe. */
	e = close_ev(401, 8, IPCT_KIND_NONE, 0, 14 * MS);
	e.sys.ret = -EBADF;
	feed(&t, e);
	e.sys.args[0] = (uint64_t)-1;
	feed(&t, e);
	feed(&t, ebadf(401, __NR_fcntl, 6, 15 * MS));
	CHECK_INT(t.n, 5);
	feed(&t, ebadf(401, __NR_write, -1, 16 * MS));
	CHECK_STR(jstr(diag(&t, 5), "cause"), "negative");
	feed(&t, ebadf(401, __NR_write, 6, 17 * MS));
	CHECK_STR(jstr(diag(&t, 6), "cause"), "never_opened");
	CHECK(contains(jstr(diag(&t, 6), "message"), "most likely it was never opened"));
	/* The wrong end, made so by dup2; a write end open the right way is no mistake. */
	feed(&t, pipe_ev(401, 3, 4, 88, false, false, 18 * MS));
	e = sys(401, __NR_dup2, 1, 19 * MS);
	e.sys.args[0] = 3;
	e.sys.args[1] = 1;
	e.sys.x[0] = 88;
	e.sys.x[1] = FMODE(FM_READ);
	e.kind[0] = IPCT_KIND_PIPE;
	feed(&t, e);
	feed(&t, io_ev(401, __NR_write, 1, IPCT_KIND_PIPE, 88, FM_READ, -EBADF, 20 * MS));
	CHECK_INT(t.n, 8);
	d = diag(&t, 7);
	CHECK_STR(jstr(d, "cause"), "wrong_end");
	CHECK_STR(jstr(d, "object"), "pipe:[88]");
	CHECK_INT(jint(d, "other_end_fd"), 4);
	CHECK(contains(jstr(d, "message"), "fd 1 is the read end of pipe:[88] (since dup2(3, 1) at 0.019 s); its "
					   "write end is fd 4"));
	feed(&t, io_ev(401, __NR_write, 4, IPCT_KIND_PIPE, 88, FM_WRITE, -EBADF, 21 * MS));
	CHECK_INT(t.n, 8);
	/* Once events are lost, a descriptor never seen may have been missed. */
	ipct_diag_lost(t.dg, SESSION);
	feed(&t, ebadf(401, __NR_write, 12, 22 * MS));
	CHECK_INT(t.n, 8);
	finish(&t);
}

/* ---- handler_race ---- */

#define HANDLER 0x401234ull

static void test_handler_race(void)
{
	struct json_object *d;
	struct t t;

	/* The parent installs the handler after the fork, then signals the child at once. */
	start(&t);
	launch(&t, 400, "race", 0, MS);
	feed(&t, fork_ev(400, "race", 401, 10 * MS));
	feed(&t, sigaction_ev(400, SIGUSR1, HANDLER, SA_RESTART, 11 * MS));
	feed(&t, gen_ev(400, "race", SIGUSR1, SI_USER, 401, "race", 0, 12 * MS));
	feed(&t, exit_status(401, SIGUSR1, 13 * MS));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	check_common(d, "handler_race");
	CHECK_INT(jint(d, "pid"), 401);
	CHECK_STR(jstr(d, "sig"), "SIGUSR1");
	CHECK_STR(jstr(proc_of(d, 401), "role"), "killed");
	CHECK_STR(jstr(proc_of(d, 400), "role"), "sender");
	CHECK_INT(jlen(d, "evidence"), 4);
	CHECK(contains(jstr(d, "message"), "race[401] was killed by SIGUSR1, sent by race[400] at 0.012 s, 2.0 ms "
					   "after it was forked and before it had made a single traced system call"));
	CHECK(contains(jstr(d, "message"), "its parent race[400] installed a handler (0x401234) at 0.011 s, after "
					   "forking it"));
	finish(&t);

	/* A sibling running the same code installed it; this one had not yet. */
	start(&t);
	launch(&t, 400, "race", 0, MS);
	feed(&t, fork_ev(400, "race", 401, 10 * MS));
	feed(&t, sigaction_ev(401, SIGUSR1, HANDLER, 0, 11 * MS));
	feed(&t, fork_ev(400, "race", 402, 12 * MS));
	feed(&t, pipe_read(402, 0, 1, 0, 13 * MS));
	feed(&t, gen_ev(400, "race", SIGUSR1, SI_USER, 401, "race", 0, 14 * MS));
	feed(&t, gen_ev(400, "race", SIGUSR1, SI_USER, 402, "race", 0, 14 * MS));
	feed(&t, exit_status(402, SIGUSR1, 15 * MS));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	CHECK_INT(jint(d, "pid"), 402);
	CHECK_STR(jstr(proc_of(d, 401), "role"), "installer");
	CHECK(contains(jstr(d, "message"), "race[401], running the same code, installed a handler (0x401234) at "
					   "0.011 s"));
	CHECK(!strstr(jstr(d, "message") ?: "", "single system call"));
	finish(&t);

	/* No evidence; the child reset it itself; another program; SIGKILL; a sender outside the trace. */
	for (int c = 0; c < 5; c++) {
		start(&t);
		launch(&t, 400, "race", 0, MS);
		feed(&t, fork_ev(400, "race", 401, 10 * MS));
		if (c == 1) {
			feed(&t, sigaction_ev(400, SIGUSR1, HANDLER, 0, 11 * MS));
			feed(&t, sigaction_ev(401, SIGUSR1, 0, 0, 11 * MS));
		} else if (c == 2) {
			feed(&t, exec_ev(401, "other", 11 * MS));
			feed(&t, sigaction_ev(400, SIGUSR1, HANDLER, 0, 11 * MS));
		} else if (c >= 3) {
			feed(&t, sigaction_ev(400, SIGUSR1, HANDLER, 0, 11 * MS));
		}
		feed(&t, gen_ev(c == 4 ? 999 : 400, "race", c == 3 ? SIGKILL : SIGUSR1, SI_USER, 401, "race", 0,
				12 * MS));
		feed(&t, exit_status(401, c == 3 ? SIGKILL : SIGUSR1, 13 * MS));
		CHECK_INT(t.n, 0);
		finish(&t);
	}
}

/* Not static and not inlined: a function symbol of this binary, to stand for a traced program's handler. */
__attribute__((noinline)) void race_handler(int sig)
{
	(void)sig;
}

/*
 * `race parent` by this very process (its own pid and text, for the
 * symbols to read), the handler race_handler: with sync, its file is read
 * when the handler is installed, and the diagnosis said at once; else its
 * file is read on the worker, and nothing is applied here until the test
 * says so. The parent's pid is this process's; its child's made up.
 */
static void race_by_self(struct t *t, struct ipct_syms *s)
{
	uint32_t pid = (uint32_t)getpid();
	struct ipct_event e = { .type = IPCT_EV_EXEC, .pid = pid };

	CHECK_INT(text_range(&e.proc.text_start, &e.proc.text_end), 0);
	snprintf(e.proc.path, sizeof(e.proc.path), "/proc/self/exe");
	ipct_syms_on_event(s, &e);
	start_syms(t, s);
	launch(t, pid, "race", 0, MS);
	feed(t, fork_ev(pid, "race", pid + 1, 10 * MS));
	feed(t, sigaction_ev(pid, SIGUSR1, (uint64_t)(uintptr_t)&race_handler, SA_RESTART, 11 * MS));
	feed(t, gen_ev(pid, "race", SIGUSR1, SI_USER, pid + 1, "race", 0, 12 * MS));
	feed(t, exit_status(pid + 1, SIGUSR1, 13 * MS));
}

/*
 * A handler_race whose installer's file is still being read is handed over
 * (ipct_diag_set_later), not waited for: said later, it is exactly what the
 * diagnosis said at once would be, with the name once read, and with the
 * handler's address when said without it.
 */
static void test_handler_race_later(void)
{
	struct ipct_syms *sync = ipct_syms_new(), *async = ipct_syms_new_async();
	struct json_object *d, *unnamed;
	const char *name = NULL;
	char addr[64];
	struct t now, later;

	CHECK(sync && async);
	if (!sync || !async)
		return;
	race_by_self(&now, sync);
	CHECK_INT(now.n, 1);
	CHECK_INT(now.nlater, 0);
	CHECK(now.n == 1 && contains(jstr(diag(&now, 0), "message"), "its parent race[") &&
	      contains(jstr(diag(&now, 0), "message"), "installed race_handler at 0.011 s, after forking it"));

	race_by_self(&later, async);
	CHECK_INT(later.n, 0);
	CHECK_INT(later.nlater, 1);
	if (later.later && later.name) {
		CHECK(!ipct_sym_pending_name(later.name, &name));
		unnamed = ipct_diag_later_json(later.later, NULL);
		check_diag_parts(unnamed);
		snprintf(addr, sizeof(addr), "installed a handler (0x%" PRIx64 ") at 0.011 s",
			 (uint64_t)(uintptr_t)&race_handler);
		CHECK(contains(jstr(unnamed, "message"), addr));
		json_object_put(unnamed);
		/* The file read and applied: the name, and the very diagnosis said at once. */
		CHECK(ipct_syms_wait(async, 10000));
		CHECK(ipct_sym_pending_name(later.name, &name));
		CHECK_STR(name, "race_handler");
		d = ipct_diag_later_json(later.later, name);
		check_diag_parts(d);
		if (now.n == 1)
			CHECK_STR(json_object_to_json_string(d), json_object_to_json_string(diag(&now, 0)));
		json_object_put(d);
	}
	/* The engine let go of its session; what it handed over is the caller's. */
	finish(&later);
	ipct_diag_later_free(later.later);
	ipct_sym_pending_free(async, later.name);
	finish(&now);
	ipct_syms_free(async);
	ipct_syms_free(sync);
}

/* ---- run --explain ---- */

static struct json_object *fake(const char *kind, int64_t time, uint32_t pid, const char *object)
{
	struct json_object *d = json_object_new_object(), *objs = json_object_new_array();

	json_object_object_add(d, "kind", json_object_new_string(kind));
	json_object_object_add(d, "time_ns", json_object_new_int64(time));
	json_object_object_add(d, "pid", json_object_new_int64(pid));
	json_object_object_add(d, "object", object ? json_object_new_string(object) : NULL);
	json_object_object_add(d, "processes", json_object_new_array());
	if (object)
		json_object_array_add(objs, json_object_new_string(object));
	json_object_object_add(d, "objects", objs);
	return d;
}

static void test_explain(void)
{
	struct json_object *in = json_object_new_array(), *out, *g;

	/* A no_eof whose cause is a leaked write end (same pipe); apart from them, a failed kill. */
	json_object_array_add(in, fake("kill_failed", 5, 10, NULL));
	json_object_array_add(in, fake("no_eof", 20, 11, "pipe:[1]"));
	json_object_array_add(in, fake("leaked_write_end", 30, 12, "pipe:[1]"));
	json_object_array_add(in, fake("not_waited", 40, 10, NULL));
	out = ipct_diag_explain(in);
	CHECK_INT(json_object_array_length(out), 2);
	g = json_object_array_get_idx(out, 0);
	CHECK_INT(json_object_array_length(g), 2);
	CHECK_STR(jstr(json_object_array_get_idx(g, 0), "kind"), "leaked_write_end");
	CHECK_STR(jstr(json_object_array_get_idx(g, 1), "kind"), "no_eof");
	g = json_object_array_get_idx(out, 1);
	CHECK_INT(json_object_array_length(g), 2);
	CHECK_STR(jstr(json_object_array_get_idx(g, 0), "kind"), "kill_failed");
	CHECK_STR(jstr(json_object_array_get_idx(g, 1), "kind"), "not_waited");
	json_object_put(out);
	json_object_put(in);
	out = ipct_diag_explain(NULL);
	CHECK_INT(json_object_array_length(out), 0);
	json_object_put(out);
}

/* A diagnosis too long for a journal record loses evidence from its end, and says how much. */
static void test_text_fit(void)
{
	struct json_object *d = json_object_new_object(), *ev = json_object_new_array(), *hold, *back, *v;
	const char *text;

	json_object_object_add(d, "kind", json_object_new_string("deadlock"));
	for (int i = 0; i < 1000; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "detail", json_object_new_int(i));
		json_object_object_add(e, "event", json_object_new_string("read of an empty pipe, asleep since long"));
		json_object_array_add(ev, e);
	}
	json_object_object_add(d, "evidence", ev);
	text = ipct_diag_text(d, 1u << 20, &hold);
	CHECK(text && !strstr(text, "evidence_truncated"));
	json_object_put(hold);

	text = ipct_diag_text(d, 4000, &hold);
	CHECK(text && strlen(text) <= 4000);
	back = text ? json_tokener_parse(text) : NULL;
	CHECK(back != NULL);
	if (back) {
		size_t kept = json_object_array_length(json_object_object_get(back, "evidence"));

		CHECK(kept > 0 && kept < 1000);
		v = json_object_object_get(back, "evidence_truncated");
		CHECK_INT(json_object_get_int(v) + (long long)kept, 1000);
		/* The oldest entries stay, and as many as fit. */
		CHECK_INT(json_object_get_int(json_object_object_get(
				  json_object_array_get_idx(json_object_object_get(back, "evidence"), 0), "detail")), 0);
		CHECK(strlen(text) + 2 * strlen(json_object_to_json_string_ext(
				  json_object_array_get_idx(ev, kept), JSON_C_TO_STRING_PLAIN)) > 4000);
		json_object_put(back);
	}
	json_object_put(hold);
	/* The caller's diagnosis (sent whole to the client) is unchanged. */
	CHECK_INT(json_object_array_length(ev), 1000);

	CHECK(!ipct_diag_text(d, 20, &hold));
	json_object_put(hold);
	json_object_put(d);
}

/* A diagnosis as the CLI shows it, in the current locale. */
static const char *said(struct json_object *o, const char *key)
{
	static char buf[2][4096];
	static int i;

	i ^= 1;
	return ipct_said(o, key, buf[i], sizeof(buf[i])) ?: "(none)";
}

/*
 * The CLI's rendering (ipct_said) of diagnoses the engine made in English:
 * in Spanish from the build tree's catalogue, the arguments in their
 * places (reordered where Spanish puts them elsewhere); in the C locale,
 * the English message to the byte; and from a journal written before
 * message_parts, the English message.
 */
static void test_spanish(const char *localedir)
{
	struct json_object *d, *ev, *old;
	struct t t;

	if (!spanish("test_spanish", localedir)) {
		check_failures++;
		return;
	}

	/* not_waited: a zombie handed to init, its evidence, a clause (how it exited) inside the message. */
	start(&t);
	launch(&t, 200, "forker", 0, MS);
	feed(&t, fork_ev(200, "forker", 202, 3 * MS));
	feed(&t, exit_status(202, 3 << 8, 20 * MS));
	feed(&t, exit_status(200, 0, 500 * MS));
	feed(&t, gen_ev(200, "forker", SIGCHLD, CLD_EXITED, 1, "init", 202, 501 * MS));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	CHECK(contains(said(d, "message"), "forker[200] nunca esperó a 1 de sus hijos: cuando terminó en 0.500 s, "
					 "forker[202] (terminó con 3 en 0.020 s) llevaba 480.0 ms como proceso zombi; "
					 "el núcleo lo entregó entonces, huérfano, a init[1], que lo recogió. Un hijo que "
					 "ha terminado queda como proceso zombi"));
	ev = json_object_array_get_idx(get(d, "evidence"), 1);
	CHECK_STR(said(ev, "detail"), "terminó con 0, sin esperarlos");
	/* Journals from before message_parts: the English message. */
	old = json_object_new_object();
	json_object_object_add(old, "message", json_object_new_string("an old message"));
	CHECK_STR(said(old, "message"), "an old message");
	json_object_put(old);
	finish(&t);

	/* bad_fd on the wrong end of a pipe: words and a clause (which end) translated with the message. */
	start(&t);
	launch(&t, 400, "shell", 0, MS);
	feed(&t, pipe_ev(400, 3, 4, 77, false, false, 2 * MS));
	feed(&t, io_ev(400, __NR_write, 3, IPCT_KIND_PIPE, 77, 1, -EBADF, 3 * MS));
	CHECK_INT(t.n, 1);
	CHECK(contains(said(diag(&t, 0), "message"), "shell[400]: write(3) falló con EBADF: el descriptor de archivo 3 "
						      "es el extremo de lectura de pipe:[77] (desde pipe2() en 0.002 s); "
						      "su extremo de escritura es el descriptor 4. En una tubería"));
	finish(&t);

	/* write_after_close, said by the pipe graph. */
	start(&t);
	pipe_pair(&t, 9301, 3, 4);
	feed(&t, pipe_write(100, 4, 9301, 0, 6 * MS));
	feed(&t, close_ev(101, 3, IPCT_KIND_PIPE, 9301, 7 * MS));
	feed(&t, pipe_write(100, 4, 9301, -EPIPE, 8 * MS));
	CHECK_INT(t.n, 1);
	d = diag(&t, 0);
	CHECK(contains(said(d, "message"), "waitpipe[100] escribió en pipe:[9301] (descriptor 4) después de que todos "
					 "los lectores lo cerraran: la escritura falló con EPIPE y generó SIGPIPE"));
	CHECK_STR(said(json_object_array_get_idx(get(d, "evidence"), 0), "detail"),
		  "write, descriptor 4 sobre pipe:[9301]");

	/* In the C locale the parts give back the message the daemon sent. */
	setlocale(LC_ALL, "C");
	CHECK_STR(said(d, "message"), jstr(d, "message"));
	finish(&t);
}

int main(int argc, char **argv)
{
	test_deadlock_waitpipe();
	test_deadlock_holdwrite();
	test_deadlock_two_reads(false);
	test_deadlock_two_reads(true);
	test_deadlock_circle();
	test_deadlock_sysv();
	test_deadlock_uncertain();
	test_no_eof();
	test_not_waited();
	test_not_waited_silent();
	test_kill_failed();
	test_bad_fd();
	test_handler_race();
	test_handler_race_later();
	test_explain();
	test_text_fit();
	/* The catalogues of the build tree (tests/unit/meson.build passes their directory). */
	if (argc > 1)
		test_spanish(argv[1]);
	else
		check_failures++;
	return check_done("test-diagnose");
}
