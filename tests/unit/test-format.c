// SPDX-License-Identifier: MIT
/* Unit tests for lib/format.c: the same event in text and JSON, field by field. */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>

#include "check.h"
#include "format.h"
#include "names.h"

static struct ipct_event ev(uint16_t type, const char *comm, uint32_t pid)
{
	struct ipct_event e = { .version = IPCT_EVENT_VERSION, .type = type, .pid = pid, .tid = pid,
				.session = 7, .ts_ns = 2500000000ull };

	memcpy(e.comm, comm, strnlen(comm, sizeof(e.comm)));
	return e;
}

static struct ipct_event write_ev(int64_t ret)
{
	struct ipct_event e = ev(IPCT_EV_SYSCALL, "writer", 100);

	e.nr = __NR_write;
	e.kind[0] = IPCT_KIND_PIPE;
	e.sys.args[0] = 4;
	e.sys.args[2] = 5;
	e.sys.ret = ret;
	e.sys.dur_ns = 2000000;
	e.sys.x[0] = 12345;
	e.sys.x[1] = 2ull << 32; /* FMODE_WRITE */
	return e;
}

static char *text(const struct ipct_event *e)
{
	static char line[512];
	struct ipct_fmt f = { .mode = IPCT_OUT_TEXT, .start_ns = 2000000000ull };
	struct ipct_buf b = { 0 };

	CHECK_INT(ipct_format_event(&f, e, &b), 0);
	snprintf(line, sizeof(line), "%.*s", (int)ipct_buf_len(&b), b.data + b.start);
	ipct_buf_free(&b);
	return line;
}

static struct json_object *json(const struct ipct_event *e)
{
	struct ipct_fmt f = { .mode = IPCT_OUT_JSON, .realtime_off = 1000 };
	struct ipct_buf b = { 0 };
	struct json_object *o;

	CHECK_INT(ipct_format_event(&f, e, &b), 0);
	CHECK(b.data[b.end - 1] == '\n');
	o = ipct_json_parse(b.data + b.start, ipct_buf_len(&b) - 1);
	CHECK(o != NULL);
	ipct_buf_free(&b);
	return o;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "(missing)";
	return json_object_is_type(v, json_type_null) ? "(null)" : json_object_get_string(v);
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -999999;
}

static bool jhas(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

int main(void)
{
	struct ipct_event e;
	struct json_object *o;
	const char *t;

	/* A successful pipe write. */
	e = write_ev(5);
	t = text(&e);
	CHECK(strstr(t, "0.500000") == t + 2);
	CHECK(strstr(t, "writer[100]") != NULL);
	CHECK(strstr(t, "write            fd=4 pipe:[12345] count=5 = 5  [blocked 2.0 ms]\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "time_ns"), 2500001000ll);
	CHECK_STR(jstr(o, "type"), "write");
	CHECK_INT(jint(o, "pid"), 100);
	CHECK_INT(jint(o, "tid"), 100);
	CHECK_STR(jstr(o, "comm"), "writer");
	CHECK_INT(jint(o, "session"), 7);
	CHECK_INT(jint(o, "fd"), 4);
	CHECK_STR(jstr(o, "object"), "pipe:[12345]");
	CHECK_STR(jstr(o, "kind"), "pipe");
	CHECK_STR(jstr(o, "end"), "write");
	CHECK_INT(jint(o, "count"), 5);
	CHECK_INT(jint(o, "bytes"), 5);
	CHECK_INT(jint(o, "ret"), 5);
	CHECK_INT(jint(o, "duration_ns"), 2000000);
	CHECK(!jhas(o, "errno"));
	json_object_put(o);

	/* A write that failed: errno by name, no bytes. */
	e = write_ev(-EPIPE);
	CHECK(strstr(text(&e), "= -32 EPIPE (Broken pipe)") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "errno"), "EPIPE");
	CHECK(!jhas(o, "bytes"));
	json_object_put(o);

	/* kill(1234, SIGUSR1). */
	e = ev(IPCT_EV_SYSCALL, "sender", 200);
	e.nr = __NR_kill;
	e.sys.args[0] = 1234;
	e.sys.args[1] = SIGUSR1;
	CHECK(strstr(text(&e), "kill             pid=1234 SIGUSR1 = 0\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "target_pid"), 1234);
	CHECK_STR(jstr(o, "sig"), "SIGUSR1");
	json_object_put(o);

	/* A merged generation says that the instance is lost. */
	e = ev(IPCT_EV_SIGNAL_GENERATE, "sender", 200);
	e.sig.sig = SIGUSR1;
	e.sig.code = SI_USER;
	e.sig.result = IPCT_SIG_MERGED;
	e.sig.target_pid = e.sig.target_tid = 300;
	strcpy(e.sig.target_comm, "target");
	e.sig.sifields[0] = 200;
	CHECK(strstr(text(&e), "SIGUSR1 -> target[300] merged (already pending: this one is lost) SI_USER from pid 200") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "type"), "signal_generate");
	CHECK_STR(jstr(o, "result"), "merged");
	CHECK_STR(jstr(o, "code"), "SI_USER");
	CHECK_INT(jint(o, "target_pid"), 300);
	CHECK_STR(jstr(o, "target_comm"), "target");
	CHECK_INT(jint(o, "sender_pid"), 200);
	json_object_put(o);

	/* Delivery to a handler. */
	e = ev(IPCT_EV_SIGNAL_DELIVER, "target", 300);
	e.sig.sig = SIGUSR1;
	e.sig.handler = 0x401136;
	e.sig.sa_flags = SA_RESTART | IPCT_SA_RESTORER;
	o = json(&e);
	CHECK_STR(jstr(o, "action"), "handler");
	CHECK_STR(jstr(o, "handler"), "0x401136");
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "sa_flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"SA_RESTART\"]");
	json_object_put(o);
	e.sig.handler = 0;
	e.sig.sig = SIGTERM;
	CHECK(strstr(text(&e), "SIGTERM default (Term)") != NULL);
	/* A null field (no handler) is null in JSON, not a reason to drop the event. */
	o = json(&e);
	CHECK_STR(jstr(o, "action"), "default");
	CHECK_STR(jstr(o, "handler"), "(null)");
	CHECK_STR(jstr(o, "default_action"), "Term");
	json_object_put(o);

	/* Exit by a signal. */
	e = ev(IPCT_EV_EXIT, "victim", 400);
	e.proc.exit_code = SIGTERM;
	CHECK(strstr(text(&e), "exit             killed by SIGTERM\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "exit_signal"), "SIGTERM");
	CHECK(!jhas(o, "exit_code"));
	json_object_put(o);
	e.proc.exit_code = 3 << 8;
	o = json(&e);
	CHECK_INT(jint(o, "exit_code"), 3);
	json_object_put(o);

	/* Columns line up whatever the process name's length. */
	e = ev(IPCT_EV_FORK, "a", 1);
	e.proc.child_pid = 2;
	t = text(&e);
	CHECK(strstr(t, "fork") - t == 37);
	e = ev(IPCT_EV_FORK, "a-much-longer-n", 123456);
	t = text(&e);
	CHECK(strstr(t, "fork") - t == 37);

	/* JSON strings come out escaped (the writer is ours): names as a program may set them. */
	e = ev(IPCT_EV_EXEC, "q\"b\\n\nc\001t\t\xc3\xa9/", 9);
	strcpy(e.proc.path, "/tmp/a \"b\"\r\b\f\x7f");
	o = json(&e);
	CHECK_STR(jstr(o, "comm"), "q\"b\\n\nc\001t\t\xc3\xa9/");
	CHECK_STR(jstr(o, "filename"), "/tmp/a \"b\"\r\b\f\x7f");
	json_object_put(o);
	/* And integers at their extremes. */
	e = write_ev(INT64_MIN);
	e.ts_ns = UINT64_MAX - 1000;
	o = json(&e);
	CHECK_INT(jint(o, "ret"), INT64_MIN);
	CHECK_INT(jint(o, "time_ns"), -1);
	json_object_put(o);

	/* Which events show a handler (and need the process's program to name it): code, not SIG_DFL or SIG_IGN. */
	e = ev(IPCT_EV_SIGNAL_DELIVER, "h", 5);
	CHECK(!ipct_event_names_handler(&e));
	e.sig.handler = 1;
	CHECK(!ipct_event_names_handler(&e));
	e.sig.handler = 0x401000;
	CHECK(ipct_event_names_handler(&e));
	e = ev(IPCT_EV_SYSCALL, "h", 5);
	e.nr = __NR_rt_sigaction;
	e.sys.x[0] = 0x401000;
	e.sys.x[2] = 0x402000;
	CHECK(!ipct_event_names_handler(&e));   /* neither was read from the process */
	e.flags = IPCT_F_NEW_VALID;
	CHECK(ipct_event_names_handler(&e));
	e.sys.x[0] = 1;
	CHECK(!ipct_event_names_handler(&e));
	e.flags |= IPCT_F_OLD_VALID;
	CHECK(ipct_event_names_handler(&e));
	e.sys.x[2] = 0;
	CHECK(!ipct_event_names_handler(&e));
	e = write_ev(5);
	e.sys.x[0] = 0x401000;
	e.flags = IPCT_F_NEW_VALID;
	CHECK(!ipct_event_names_handler(&e));
	return check_done("test-format");
}
