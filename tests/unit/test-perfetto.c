// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/perfetto.c: a recorded session (a parent that makes a
 * pipe and forks, a child that writes into it and signals the parent, whose
 * handler runs, a diagnosis) replayed into the converter, and the trace it
 * writes compared event by event: phases, tracks, times, durations, flows.
 */
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "check.h"
#include "perfetto.h"
#include "replay.h"

#define PARENT 100
#define CHILD 101
#define INO 77
#define HANDLER 0x401136ull
#define REALTIME_OFF 1000000000ll

static struct ipct_event named(struct ipct_event e, uint64_t dur)
{
	snprintf(e.comm, sizeof(e.comm), "%s", e.pid == PARENT ? "parent" : "child");
	e.sys.dur_ns = dur;
	return e;
}

static struct ipct_event sig_ev(int type, uint32_t pid, uint32_t target, uint64_t ts)
{
	struct ipct_event e = named(ev((uint16_t)type, pid, "", ts), 0);

	e.sig.sig = SIGUSR1;
	e.sig.code = SI_USER;
	e.sig.target_pid = e.sig.target_tid = target;
	snprintf(e.sig.target_comm, sizeof(e.sig.target_comm), "parent");
	e.sig.sys_nr = type == IPCT_EV_SIGNAL_GENERATE ? __NR_kill : -1;
	e.sig.sifields[0] = pid;
	e.sig.handler = type == IPCT_EV_SIGNAL_DELIVER ? HANDLER : 0;
	return e;
}

/* A string field, "-" when it is none. */
static const char *str(struct json_object *o, const char *key)
{
	const char *s = jstr(o, key);

	return s ? s : "-";
}

/* One line per trace event (those of phases in `phases`): phase, category, name, pid/tid, time, and the rest. */
static void summarize(struct json_object *te, const char *phases, struct ipct_buf *out)
{
	for (size_t i = 0; i < json_object_array_length(te); i++) {
		struct json_object *e = json_object_array_get_idx(te, i), *args = get(e, "args");

		if (!strchr(phases, str(e, "ph")[0]))
			continue;
		ipct_buf_printf(out, "%s %s %s %lld/%lld %.3f", str(e, "ph"), str(e, "cat"), str(e, "name"),
				jint(e, "pid"), jint(e, "tid"), json_object_get_double(get(e, "ts")));
		if (has(e, "dur"))
			ipct_buf_printf(out, " +%.3f", json_object_get_double(get(e, "dur")));
		if (has(e, "id"))
			ipct_buf_printf(out, " #%lld%s", jint(e, "id"), has(e, "bp") ? " bp=e" : "");
		if (has(e, "s"))
			ipct_buf_printf(out, " s=%s", jstr(e, "s"));
		if (has(args, "name"))
			ipct_buf_printf(out, " %s", str(args, "name"));
		if (has(args, "sort_index"))
			ipct_buf_printf(out, " %lld", jint(args, "sort_index"));
		if (has(args, "bytes"))
			ipct_buf_printf(out, " bytes=%lld", jint(args, "bytes"));
		if (has(args, "messages"))
			ipct_buf_printf(out, " messages=%lld", jint(args, "messages"));
		if (has(args, "event"))
			ipct_buf_printf(out, " event=%s", str(get(args, "event"), "type"));
		if (has(args, "record"))
			ipct_buf_printf(out, " record=%s", json_object_is_type(get(args, "record"), json_type_int)
								  ? "id" : str(get(args, "record"), "outcome"));
		ipct_buf_printf(out, "\n");
	}
}

static const char expected[] =
	"M __metadata process_name 100/100 1.000 parent[100]\n"
	"M __metadata process_sort_index 100/100 1.000 0\n"
	"M __metadata thread_name 100/100 1.000 parent[100]\n"
	"M __metadata thread_sort_index 100/100 1.000 1\n"
	"i process exec /usr/bin/parent 100/100 1.000 s=t event=exec\n"
	"X syscall pipe2 100/100 1.500 +0.500 event=pipe2\n"
	"i process fork: child 101 100/100 3.000 s=t event=fork\n"
	"M __metadata process_name 101/101 10.000 child[101]\n"
	"M __metadata process_sort_index 101/101 10.000 2\n"
	"M __metadata thread_name 101/101 10.000 child[101]\n"
	"M __metadata thread_sort_index 101/101 10.000 3\n"
	"X syscall write 101/101 9.000 +1.000 event=write\n"
	"X syscall write 101/101 11.000 +1.000 event=write\n"
	/* The read took the first write's 5 bytes and 1 of the second's: an arrow from each. */
	"X syscall read 100/100 5.000 +8.000 event=read\n"
	"s data pipe:[77] 101/101 9.500 #1 bytes=5\n"
	"f data pipe:[77] 100/100 9.500 #1 bp=e bytes=5\n"
	"s data pipe:[77] 101/101 11.500 #2 bytes=1\n"
	"f data pipe:[77] 100/100 11.500 #2 bp=e bytes=1\n"
	/* The next read, after the write had returned: from the middle of one to the middle of the other. */
	"X syscall read 100/100 19.000 +1.000 event=read\n"
	"s data pipe:[77] 101/101 11.500 #3 bytes=2\n"
	"f data pipe:[77] 100/100 19.500 #3 bp=e bytes=2\n"
	"X syscall kill 101/101 29.000 +2.000 event=kill\n"
	"X syscall rt_sigreturn 100/100 44.900 +0.100 event=rt_sigreturn\n"
	/* The signal's story ends at rt_sigreturn: its generation inside kill, the handler, the arrow. */
	"X signal SIGUSR1 to parent[100] 101/101 30.000 +0.000 record=handled\n"
	"X signal SIGUSR1 handler 0x401136 100/100 40.000 +5.000 record=handled\n"
	"s signal SIGUSR1 101/101 30.000 #4 record=id\n"
	"f signal SIGUSR1 100/100 40.000 #4 bp=e record=id\n"
	"i process exit: exited 0 101/101 50.000 s=t event=exit\n"
	"i diagnosis the child did that 100/100 60.000 s=p\n"
	"i process exit: exited 0 100/100 70.000 s=t event=exit\n";

/* The whole trace of evs, as summarize() gives the events of those phases. */
static void replay(const struct ipct_event *evs, size_t n, const char *phases, struct ipct_buf *sum)
{
	struct ipct_fmt f = { 0 };
	struct ipct_pf *p = ipct_pf_new(&f);
	struct ipct_buf out = { 0 };
	struct json_object *trace;

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_INT(ipct_pf_begin(p, &out), 0);
	for (size_t i = 0; i < n; i++)
		CHECK_INT(ipct_pf_event(p, &evs[i], &out), 0);
	CHECK_INT(ipct_pf_end(p, &out), 0);
	ipct_buf_append(&out, "", 1);
	trace = json_tokener_parse(out.data + out.start);
	CHECK(trace != NULL);
	summarize(get(trace, "traceEvents"), phases, sum);
	ipct_buf_append(sum, "", 1);
	json_object_put(trace);
	ipct_buf_free(&out);
	ipct_pf_free(p);
}

static struct ipct_event queue_ev(uint32_t pid, int nr, int kind, uint64_t key, int64_t ret, uint64_t ts)
{
	struct ipct_event e = named(sys(pid, nr, ret, ts), 100);

	e.sys.x[0] = kind == IPCT_KIND_MSGQ ? IPCT_SYSV_INO(3) : 700;
	e.sys.x[3] = key;
	e.kind[0] = (uint8_t)kind;
	e.flags = IPCT_F_NEW_VALID | IPCT_F_OLD_VALID;
	return e;
}

/*
 * Which write a read took: datagrams whole (one cut short too), a read
 * recorded before its write, a read of data from before the trace (no
 * arrow, and the next write is not its), POSIX queues by priority, System
 * V queues by type; a signal from outside the trace (its sender gets a
 * track) whose default action kills.
 */
static void test_matching(void)
{
	struct ipct_event evs[] = {
		named(socketpair_ev(PARENT, SOCK_DGRAM, 3, 4, 500, 501, 1000), 100),
		named(io_ev(PARENT, __NR_sendto, 3, IPCT_KIND_SOCKET, 500, FM_READ | FM_WRITE, 10, 2000), 100),
		named(io_ev(PARENT, __NR_sendto, 3, IPCT_KIND_SOCKET, 500, FM_READ | FM_WRITE, 20, 3000), 100),
		named(io_ev(CHILD, __NR_recvfrom, 4, IPCT_KIND_SOCKET, 501, FM_READ | FM_WRITE, 5, 4000), 100),
		named(io_ev(CHILD, __NR_recvfrom, 4, IPCT_KIND_SOCKET, 501, FM_READ | FM_WRITE, 20, 5000), 100),
		named(pipe_read(CHILD, 5, 600, 4, 7000), 2000),
		named(pipe_write(PARENT, 6, 600, 4, 7100), 3000),
		named(pipe_read(CHILD, 5, 600, 3, 8000), 100),
		named(pipe_write(PARENT, 6, 600, 3, 9000), 100),
		queue_ev(PARENT, __NR_mq_timedsend, IPCT_KIND_MQUEUE, 1, 0, 10000),
		queue_ev(PARENT, __NR_mq_timedsend, IPCT_KIND_MQUEUE, 5, 0, 11000),
		queue_ev(CHILD, __NR_mq_timedreceive, IPCT_KIND_MQUEUE, 5, 8, 12000),
		queue_ev(CHILD, __NR_mq_timedreceive, IPCT_KIND_MQUEUE, 0, 8, 13000),
		queue_ev(PARENT, __NR_msgsnd, IPCT_KIND_MSGQ, 2, 0, 14000),
		queue_ev(PARENT, __NR_msgsnd, IPCT_KIND_MSGQ, 1, 0, 15000),
		queue_ev(CHILD, __NR_msgrcv, IPCT_KIND_MSGQ, 1, 8, 16000),
		sig_ev(IPCT_EV_SIGNAL_GENERATE, 999, PARENT, 17000),
		sig_ev(IPCT_EV_SIGNAL_DELIVER, PARENT, PARENT, 18000),
		named(exit_ev(PARENT, 19000), 0),
	};
	struct ipct_buf sum = { 0 };

	/* The second receive did not say its priority: it took the highest. */
	evs[12].flags &= (uint16_t)~IPCT_F_OLD_VALID;
	snprintf(evs[16].comm, sizeof(evs[16].comm), "bash");
	evs[16].flags |= IPCT_F_TARGET;
	evs[16].sig.sig = evs[17].sig.sig = SIGTERM;
	evs[17].sig.handler = (uint64_t)SIG_DFL;
	evs[18].proc.exit_code = SIGTERM;
	replay(evs, sizeof(evs) / sizeof(evs[0]), "Msf", &sum);
	CHECK_STR(sum.data,
		  "M __metadata process_name 100/100 1.000 parent[100]\n"
		  "M __metadata process_sort_index 100/100 1.000 0\n"
		  "M __metadata thread_name 100/100 1.000 parent[100]\n"
		  "M __metadata thread_sort_index 100/100 1.000 1\n"
		  "M __metadata process_name 101/101 4.000 child[101]\n"
		  "M __metadata process_sort_index 101/101 4.000 2\n"
		  "M __metadata thread_name 101/101 4.000 child[101]\n"
		  "M __metadata thread_sort_index 101/101 4.000 3\n"
		  /* A datagram is read whole, even into a buffer too short for it. */
		  "s data socket:[501] 100/100 1.950 #1 messages=1\n"
		  "f data socket:[501] 101/101 3.950 #1 bp=e messages=1\n"
		  "s data socket:[501] 100/100 2.950 #2 messages=1\n"
		  "f data socket:[501] 101/101 4.950 #2 bp=e messages=1\n"
		  /* The read came first, the write that fed it after: the time both were in. */
		  "s data pipe:[600] 100/100 6.000 #3 bytes=4\n"
		  "f data pipe:[600] 101/101 6.000 #3 bp=e bytes=4\n"
		  /* POSIX: the priority the receive returned (5), then the highest left (1). */
		  "s data mqueue:[700] 100/100 10.950 #4 messages=1\n"
		  "f data mqueue:[700] 101/101 11.950 #4 bp=e messages=1\n"
		  "s data mqueue:[700] 100/100 9.950 #5 messages=1\n"
		  "f data mqueue:[700] 101/101 12.950 #5 bp=e messages=1\n"
		  /* System V: the type received (1), not the oldest message (2). */
		  "s data msgq:[3] 100/100 14.950 #6 messages=1\n"
		  "f data msgq:[3] 101/101 15.950 #6 bp=e messages=1\n"
		  "M __metadata process_name 999/999 17.000 bash[999]\n"
		  "M __metadata process_sort_index 999/999 17.000 4\n"
		  "M __metadata thread_name 999/999 17.000 bash[999]\n"
		  "M __metadata thread_sort_index 999/999 17.000 5\n"
		  "s signal SIGTERM 999/999 17.000 #7 record=id\n"
		  "f signal SIGTERM 100/100 18.000 #7 bp=e record=id\n");
	ipct_buf_free(&sum);

	/* Its generation and its delivery, which ran no handler and killed the process. */
	replay(evs + 16, 3, "X", &sum);
	CHECK_STR(sum.data,
		  "X signal SIGTERM to parent[100] 999/999 17.000 +0.000 record=terminated\n"
		  "X signal SIGTERM: default action 100/100 18.000 +0.000 record=terminated\n");
	ipct_buf_free(&sum);
}

/*
 * Names: an exec that renames the process names its tracks again; a pid
 * that an exited process had, met again in a fork, is a new process; init,
 * sent a SIGCHLD in no task's name (it adopted a zombie), gets no track. A
 * channel with more writes waiting than it keeps gets no more arrows.
 */
static void test_tracks(void)
{
	struct ipct_event evs[] = {
		named(sys(PARENT, __NR_close, 0, 1000), 100),
		exec_ev(PARENT, "wc", 2000),
		fork_ev(PARENT, "wc", CHILD, 3000),
		named(sys(CHILD, __NR_close, 0, 4000), 100),
		exit_ev(CHILD, 5000),
		fork_ev(PARENT, "wc", CHILD, 6000),
		named(sys(CHILD, __NR_close, 0, 7000), 100),
		sig_ev(IPCT_EV_SIGNAL_GENERATE, CHILD, 1, 8000),
	};
	static struct ipct_event flood[4098];
	struct ipct_event odd = named(sys(PARENT, __NR_close, 0, 1000), 100);
	struct ipct_buf sum = { 0 };

	/* A name a program chose: a quote, a control, a byte that is not UTF-8; the trace stays JSON. */
	memcpy(odd.comm, "a\"b\001\377", 6);
	replay(&odd, 1, "M", &sum);
	CHECK_STR(sum.data,
		  "M __metadata process_name 100/100 1.000 a\"b\001\357\277\275[100]\n"
		  "M __metadata process_sort_index 100/100 1.000 0\n"
		  "M __metadata thread_name 100/100 1.000 a\"b\001\357\277\275[100]\n"
		  "M __metadata thread_sort_index 100/100 1.000 1\n");
	ipct_buf_free(&sum);

	snprintf(evs[0].comm, sizeof(evs[0].comm), "sh");
	snprintf(evs[4].comm, sizeof(evs[4].comm), "child");
	snprintf(evs[6].comm, sizeof(evs[6].comm), "again");
	evs[7].sig.sig = SIGCHLD;
	evs[7].sig.code = CLD_EXITED;
	evs[7].sig.sifields[0] = 555;   /* the zombie, not the task that exits */
	evs[7].sig.sys_nr = -1;
	replay(evs, sizeof(evs) / sizeof(evs[0]), "M", &sum);
	CHECK_STR(sum.data,
		  "M __metadata process_name 100/100 1.000 sh[100]\n"
		  "M __metadata process_sort_index 100/100 1.000 0\n"
		  "M __metadata thread_name 100/100 1.000 sh[100]\n"
		  "M __metadata thread_sort_index 100/100 1.000 1\n"
		  /* Renamed in place: no new sort index. */
		  "M __metadata process_name 100/100 2.000 wc[100]\n"
		  "M __metadata thread_name 100/100 2.000 wc[100]\n"
		  "M __metadata process_name 101/101 4.000 child[101]\n"
		  "M __metadata process_sort_index 101/101 4.000 2\n"
		  "M __metadata thread_name 101/101 4.000 child[101]\n"
		  "M __metadata thread_sort_index 101/101 4.000 3\n"
		  "M __metadata process_name 101/101 7.000 again[101]\n"
		  "M __metadata process_sort_index 101/101 7.000 4\n"
		  "M __metadata thread_name 101/101 7.000 again[101]\n"
		  "M __metadata thread_sort_index 101/101 7.000 5\n");
	ipct_buf_free(&sum);

	for (size_t i = 0; i < 4097; i++)
		flood[i] = named(pipe_write(PARENT, 4, INO, 1, 1000 + i * 1000), 100);
	flood[4097] = named(pipe_read(CHILD, 3, INO, 1, 5000000), 100);
	replay(flood, sizeof(flood) / sizeof(flood[0]), "sf", &sum);
	CHECK_STR(sum.data, "");
	ipct_buf_free(&sum);
	/* One write fewer: the oldest is the read's. */
	flood[4096] = flood[4097];
	replay(flood, 4097, "s", &sum);
	CHECK_STR(sum.data, "s data pipe:[77] 100/100 0.950 #1 bytes=1\n");
	ipct_buf_free(&sum);

	/* An EXE_PATH record only carries its exec's path: no track, no instant, as if it were not there. */
	evs[0] = ev(IPCT_EV_EXE_PATH, PARENT, "sh", 1000);
	evs[1] = exec_ev(PARENT, "wc", 2000);
	replay(evs, 2, "Mi", &sum);
	CHECK_STR(sum.data,
		  "M __metadata process_name 100/100 2.000 wc[100]\n"
		  "M __metadata process_sort_index 100/100 2.000 0\n"
		  "M __metadata thread_name 100/100 2.000 wc[100]\n"
		  "M __metadata thread_sort_index 100/100 2.000 1\n"
		  "i process exec /usr/bin/wc 100/100 2.000 s=t event=exec\n");
	ipct_buf_free(&sum);
}

int main(void)
{
	struct ipct_fmt f = { .realtime_off = REALTIME_OFF };
	struct ipct_pf *p = ipct_pf_new(&f);
	struct ipct_buf out = { 0 }, sum = { 0 };
	struct ipct_event evs[] = {
		named(exec_ev(PARENT, "parent", 1000), 0),
		named(pipe_ev(PARENT, 3, 4, INO, false, false, 2000), 500),
		named(fork_ev(PARENT, "parent", CHILD, 3000), 0),
		named(pipe_write(CHILD, 4, INO, 5, 10000), 1000),
		named(pipe_write(CHILD, 4, INO, 3, 12000), 1000),
		named(pipe_read(PARENT, 3, INO, 6, 13000), 8000),
		named(pipe_read(PARENT, 3, INO, 2, 20000), 1000),
		sig_ev(IPCT_EV_SIGNAL_GENERATE, CHILD, PARENT, 30000),
		named(sys(CHILD, __NR_kill, 0, 31000), 2000),
		sig_ev(IPCT_EV_SIGNAL_DELIVER, PARENT, PARENT, 40000),
		named(sys(PARENT, __NR_rt_sigreturn, 0, 45000), 100),
		named(exit_ev(CHILD, 50000), 0),
	};
	struct ipct_event last = named(exit_ev(PARENT, 70000), 0);
	struct json_object *diag, *trace;

	CHECK(p != NULL);
	if (!p)
		return check_done("test-perfetto");
	CHECK_INT(ipct_pf_begin(p, &out), 0);
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		CHECK_INT(ipct_pf_event(p, &evs[i], &out), 0);
	diag = json_tokener_parse("{\"type\":\"diagnosis\",\"kind\":\"not_waited\",\"time_ns\":1000060000,"
				  "\"pid\":100,\"message\":\"the child did that\"}");
	CHECK_INT(ipct_pf_diag(p, diag, &out), 0);
	CHECK_INT(ipct_pf_event(p, &last, &out), 0);
	CHECK_INT(ipct_pf_end(p, &out), 0);
	ipct_buf_append(&out, "", 1);

	/* Each event on a line of its own, "ph" and "ts" first (Perfetto reads up to "ts" in order). */
	for (const char *line = strchr(out.data + out.start, '\n') + 1; *line != ']'; line = strchr(line, '\n') + 1) {
		if (strncmp(line, "{\"ph\":\"", 7) || strncmp(line + 8, "\",\"ts\":", 7)) {
			fprintf(stderr, "an event that does not start with ph and ts: %.80s\n", line);
			check_failures++;
			break;
		}
	}

	/* One JSON object, its events in "traceEvents", the diagnosis whole in its marker's args. */
	trace = json_tokener_parse(out.data + out.start);
	CHECK(trace != NULL);
	CHECK(json_object_is_type(get(trace, "traceEvents"), json_type_array));
	summarize(get(trace, "traceEvents"), "MXisf", &sum);
	ipct_buf_append(&sum, "", 1);
	CHECK_STR(sum.data, expected);

	json_object_put(trace);
	json_object_put(diag);
	ipct_buf_free(&out);
	ipct_buf_free(&sum);
	ipct_pf_free(p);
	test_matching();
	test_tracks();
	return check_done("test-perfetto");
}
