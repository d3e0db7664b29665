// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/perfetto.c: a recorded session (a parent that makes a
 * pipe and forks, a child that writes into it and signals the parent, whose
 * handler runs, a diagnosis) replayed into the converter, and the trace it
 * writes compared event by event: phases, tracks, times, durations, flows.
 */
#include <signal.h>
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

/* One line per trace event: phase, category, name, pid/tid, time, and what else it has. */
static void summarize(struct json_object *te, struct ipct_buf *out)
{
	for (size_t i = 0; i < json_object_array_length(te); i++) {
		struct json_object *e = json_object_array_get_idx(te, i), *args = get(e, "args");

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
	summarize(get(trace, "traceEvents"), &sum);
	ipct_buf_append(&sum, "", 1);
	CHECK_STR(sum.data, expected);

	json_object_put(trace);
	json_object_put(diag);
	ipct_buf_free(&out);
	ipct_buf_free(&sum);
	ipct_pf_free(p);
	return check_done("test-perfetto");
}
