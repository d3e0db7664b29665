// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/match.c with the lifecycle record fields of
 * lib/sigrec.c (what `ipctrace signals MATCH...` filters on), and for a
 * record's JSON form and explanations (docs/signals.md).
 */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>

#include "check.h"
#include "names.h"
#include "sigrec.h"

#define NARGS(...) ((int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)))
/* Whether record r matches the terms: 1, 0, or -1 when they do not parse. */
#define MATCHES(r, ...) matches(r, (const char *const[]){ __VA_ARGS__ }, NARGS(__VA_ARGS__))

static int matches(const struct ipct_sigrec *r, const char *const *terms, int n)
{
	char err[1024] = "";
	struct ipct_match *m = ipct_match_parse(ipct_sigrec_fields, terms, n, err, sizeof(err));
	int ret;

	if (!m) {
		fprintf(stderr, "parse failed: %s\n", err);
		return -1;
	}
	ret = ipct_match_eval(m, ipct_sigrec_test, r);
	ipct_match_free(m);
	return ret;
}

/* The message for terms that must not parse; "(parsed)" when they did. */
static const char *parse_err(const char *const *terms, int n)
{
	static char err[1024];
	struct ipct_match *m;

	err[0] = 0;
	m = ipct_match_parse(ipct_sigrec_fields, terms, n, err, sizeof(err));
	if (m) {
		ipct_match_free(m);
		return "(parsed)";
	}
	return err;
}
#define PARSE_ERR(...) parse_err((const char *const[]){ __VA_ARGS__ }, NARGS(__VA_ARGS__))

/* err is a refusal that names each of the words. */
static void check_err_names(const char *err, const char *const *words)
{
	CHECK(strcmp(err, "(parsed)") != 0);
	CHECK(err[0] != 0);
	for (; *words; words++)
		if (!strstr(err, *words)) {
			fprintf(stderr, "error message does not name '%s': %s\n", *words, err);
			check_failures++;
		}
}
#define CHECK_ERR_NAMES(err, ...) check_err_names(err, (const char *const[]){ __VA_ARGS__, NULL })

static void comm(char *dst, const char *s)
{
	memset(dst, 0, IPCT_COMM_LEN);
	memcpy(dst, s, strnlen(s, IPCT_COMM_LEN));
}

/* SIGUSR1 from sender[200] to target[300] with kill(), handled. */
static struct ipct_sigrec base(void)
{
	struct ipct_sigrec r = {
		.version = IPCT_SIGREC_VERSION,
		.action = IPCT_ACT_HANDLER,
		.outcome = IPCT_OUTCOME_HANDLED,
		.flags = IPCT_SR_GENERATED | IPCT_SR_SENDER | IPCT_SR_GROUP | IPCT_SR_RETURNED,
		.via_nr = __NR_kill,
		.intr_nr = IPCT_NR_NONE,
		.session = 7,
		.id = 42,
		.sig = SIGUSR1,
		.code = SI_USER,
		.result = IPCT_SIG_QUEUED,
		.sender_pid = 200,
		.sender_tid = 200,
		.target_pid = 300,
		.delivered_tid = 300,
		.generated_ns = 1000000,
		.delivered_ns = 1250000,
		.returned_ns = 1300000,
		.handler = 0x401136,
		.sa_flags = SA_SIGINFO | IPCT_SA_RESTORER,
		.sifields = { 200 | 1000ull << 32, 0 },
		.fd = -1,
	};

	comm(r.sender_comm, "sender");
	comm(r.target_comm, "target");
	return r;
}

static void test_parse_errors(void)
{
	const struct ipct_match_field *f;
	const char *err;
	char long_comm[80];

	err = PARSE_ERR("sig");
	CHECK_ERR_NAMES(err, "'sig'", "FIELD=VALUE");
	err = PARSE_ERR("=10");
	CHECK_ERR_NAMES(err, "'=10'", "FIELD=VALUE");

	/* An unknown field: named, and every valid field listed. */
	err = PARSE_ERR("colour=red");
	CHECK_ERR_NAMES(err, "'colour'", "valid fields");
	for (f = ipct_sigrec_fields; f->name; f++)
		CHECK_ERR_NAMES(err, f->name);
	CHECK_INT(f - ipct_sigrec_fields, 10);
	/* A field name is matched whole. */
	CHECK_ERR_NAMES(PARSE_ERR("si=10"), "'si'");
	CHECK_ERR_NAMES(PARSE_ERR("signal=10"), "'signal'");
	/* The bad term is refused even after a good one. */
	CHECK_ERR_NAMES(PARSE_ERR("sig=usr1", "bogus=1"), "'bogus'");

	err = PARSE_ERR("sig=nope");
	CHECK_ERR_NAMES(err, "sig", "'nope'");
	CHECK_ERR_NAMES(PARSE_ERR("sig=0"), "'0'");
	CHECK_ERR_NAMES(PARSE_ERR("sig=65"), "'65'");
	CHECK_ERR_NAMES(PARSE_ERR("sig="), "sig");

	/* A bad name lists the valid values. */
	err = PARSE_ERR("outcome=exploded");
	CHECK_ERR_NAMES(err, "outcome", "'exploded'", "handled", "terminated", "core", "stopped",
			"continued", "ignored", "merged", "never_delivered", "accepted", "dropped",
			"unobserved");
	err = PARSE_ERR("action=none");
	CHECK_ERR_NAMES(err, "action", "'none'", "handler", "default", "ignore", "wait");
	err = PARSE_ERR("cause=cosmic");
	CHECK_ERR_NAMES(err, "cause", "child", "pipe", "fault", "timer", "terminal", "kernel");
	err = PARSE_ERR("result=lost");
	CHECK_ERR_NAMES(err, "result", "queued", "ignored", "merged", "overflow", "lose_info");
	/* Names are whole, in any case (as sig=usr1). */
	CHECK_STR(PARSE_ERR("outcome=Handled"), "(parsed)");
	CHECK_ERR_NAMES(PARSE_ERR("outcome=handle"), "'handle'");

	/* Numbers: decimal, not negative. */
	CHECK_ERR_NAMES(PARSE_ERR("pid=-1"), "pid", "'-1'");
	CHECK_ERR_NAMES(PARSE_ERR("pid=abc"), "pid", "'abc'");
	CHECK_ERR_NAMES(PARSE_ERR("pid=12x"), "pid", "'12x'");
	CHECK_ERR_NAMES(PARSE_ERR("pid="), "pid");
	CHECK_ERR_NAMES(PARSE_ERR("pid=99999999999999999999"), "pid");
	CHECK_ERR_NAMES(PARSE_ERR("sender=-5"), "sender");
	CHECK_ERR_NAMES(PARSE_ERR("session=x"), "session");
	CHECK_STR(PARSE_ERR("pid=0"), "(parsed)");

	/* A name longer than the kernel keeps (15 bytes): refused, saying so. */
	memset(long_comm, 'a', sizeof(long_comm));
	memcpy(long_comm, "comm=", 5);
	long_comm[5 + IPCT_MATCH_STR_LEN] = 0;
	CHECK_ERR_NAMES(PARSE_ERR(long_comm), "comm", "15");
	long_comm[5 + 16] = 0;
	CHECK_ERR_NAMES(PARSE_ERR(long_comm), "comm", "longer than 15", "comm=aaaaaaaaaaaaaaa");
	long_comm[5 + 15] = 0;
	CHECK_STR(PARSE_ERR(long_comm), "(parsed)");
	/* Lists, and names in any case. */
	CHECK_STR(PARSE_ERR("pid=1,2,3"), "(parsed)");
	CHECK_STR(PARSE_ERR("outcome=HANDLED"), "(parsed)");
	CHECK_ERR_NAMES(PARSE_ERR("pid=1,a"), "pid", "'a'");

	/* A short buffer gets a truncated message, no overflow. */
	{
		const char *const t[] = { "colour=red" };
		char small[16];

		memset(small, 'x', sizeof(small));
		CHECK(ipct_match_parse(ipct_sigrec_fields, t, 1, small, sizeof(small)) == NULL);
		CHECK(memchr(small, 0, sizeof(small)) != NULL);
	}
}

static void test_eval(void)
{
	static const char *const outcomes[] = {
		"handled", "terminated", "core", "stopped", "continued", "ignored", "merged",
		"never_delivered", "accepted", "dropped", "unobserved",
	};
	static const char *const actions[] = { "handler", "default", "ignore", "wait" };
	static const char *const causes[] = { "child", "pipe", "fault", "timer", "terminal", "kernel" };
	static const char *const results[] = { "queued", "ignored", "merged", "overflow", "lose_info" };
	struct ipct_sigrec r = base(), r2;
	struct ipct_match *m;
	char term[64];

	/* An empty match matches everything. */
	m = ipct_match_parse(ipct_sigrec_fields, NULL, 0, term, sizeof(term));
	CHECK(m != NULL);
	CHECK(ipct_match_eval(m, ipct_sigrec_test, &r));
	ipct_match_free(m);
	CHECK(ipct_match_eval(NULL, ipct_sigrec_test, &r));

	/* Signals by any of their names. */
	CHECK_INT(MATCHES(&r, "sig=usr1"), 1);
	CHECK_INT(MATCHES(&r, "sig=10"), 1);
	CHECK_INT(MATCHES(&r, "sig=SIGUSR1"), 1);
	CHECK_INT(MATCHES(&r, "sig=usr2"), 0);
	CHECK_INT(MATCHES(&r, "sig=12"), 0);
	r2 = base();
	r2.sig = SIGRTMIN + 1;
	CHECK_INT(MATCHES(&r2, "sig=SIGRTMIN+1"), 1);
	CHECK_INT(MATCHES(&r2, "sig=35"), 1);
	CHECK_INT(MATCHES(&r2, "sig=SIGRTMIN"), 0);
	CHECK_INT(MATCHES(&r2, "sig=usr1"), 0);

	/* The same field twice: either; different fields: both. */
	r2 = base();
	r2.sig = SIGUSR2;
	CHECK_INT(MATCHES(&r, "sig=usr1", "sig=usr2"), 1);
	CHECK_INT(MATCHES(&r2, "sig=usr1", "sig=usr2"), 1);
	CHECK_INT(MATCHES(&r2, "sig=usr1", "sig=term"), 0);
	CHECK_INT(MATCHES(&r, "sig=usr1", "outcome=handled"), 1);
	CHECK_INT(MATCHES(&r, "sig=usr1", "outcome=merged"), 0);
	CHECK_INT(MATCHES(&r, "outcome=merged", "sig=usr1"), 0);
	CHECK_INT(MATCHES(&r2, "sig=usr1", "outcome=handled"), 0);
	CHECK_INT(MATCHES(&r, "sig=usr2", "outcome=handled", "sig=usr1"), 1);
	CHECK_INT(MATCHES(&r, "sig=usr2", "outcome=handled", "sig=term"), 0);
	CHECK_INT(MATCHES(&r, "outcome=merged", "sig=usr1", "outcome=handled", "pid=300"), 1);
	CHECK_INT(MATCHES(&r, "outcome=merged", "sig=usr1", "outcome=handled", "pid=301"), 0);

	/* Processes: pid is the sender or the target. */
	CHECK_INT(MATCHES(&r, "pid=200"), 1);
	CHECK_INT(MATCHES(&r, "pid=300"), 1);
	CHECK_INT(MATCHES(&r, "pid=400"), 0);
	CHECK_INT(MATCHES(&r, "sender=200"), 1);
	CHECK_INT(MATCHES(&r, "sender=300"), 0);
	CHECK_INT(MATCHES(&r, "target=300"), 1);
	CHECK_INT(MATCHES(&r, "target=200"), 0);
	CHECK_INT(MATCHES(&r, "session=7"), 1);
	CHECK_INT(MATCHES(&r, "session=8"), 0);

	/* comm is the sender's or the target's, whole. */
	CHECK_INT(MATCHES(&r, "comm=sender"), 1);
	CHECK_INT(MATCHES(&r, "comm=target"), 1);
	CHECK_INT(MATCHES(&r, "comm=other"), 0);
	CHECK_INT(MATCHES(&r, "comm=send"), 0);
	CHECK_INT(MATCHES(&r, "comm=senders"), 0);
	/* The longest name, 15 bytes. */
	snprintf(r2.target_comm, IPCT_COMM_LEN, "abcdefghijklmno");
	CHECK_INT(MATCHES(&r2, "comm=abcdefghijklmno"), 1);
	CHECK_INT(MATCHES(&r2, "comm=abcdefghijklmn"), 0);
	/* A list of values: any. */
	CHECK_INT(MATCHES(&r, "sender=300,200"), 1);
	CHECK_INT(MATCHES(&r, "sender=300,400"), 0);

	/* Without a known sender (generated before the trace, timers), sender_* are not matched. */
	r2 = base();
	r2.flags &= ~IPCT_SR_SENDER;
	CHECK_INT(MATCHES(&r2, "comm=sender"), 0);
	CHECK_INT(MATCHES(&r2, "comm=target"), 1);
	CHECK_INT(MATCHES(&r2, "pid=200"), 0);
	CHECK_INT(MATCHES(&r2, "pid=300"), 1);
	CHECK_INT(MATCHES(&r2, "sender=200"), 0);

	/* Every outcome, action, cause and result by its name, and only that one. */
	for (int i = 0; i < (int)(sizeof(outcomes) / sizeof(*outcomes)); i++) {
		CHECK_STR(ipct_outcome_name(i + 1), outcomes[i]);
		r2 = base();
		r2.outcome = (uint8_t)(i + 1);
		snprintf(term, sizeof(term), "outcome=%s", outcomes[i]);
		CHECK_INT(MATCHES(&r2, term), 1);
		r2.outcome = (uint8_t)(i + 2);
		CHECK_INT(MATCHES(&r2, term), 0);
		r2.outcome = (uint8_t)i;
		CHECK_INT(MATCHES(&r2, term), 0);
	}
	CHECK_STR(ipct_outcome_name(0), NULL);
	CHECK_STR(ipct_outcome_name(IPCT_OUTCOME_MAX), NULL);
	for (int i = 0; i < (int)(sizeof(actions) / sizeof(*actions)); i++) {
		CHECK_STR(ipct_action_name(i + 1), actions[i]);
		r2 = base();
		r2.action = (uint8_t)(i + 1);
		snprintf(term, sizeof(term), "action=%s", actions[i]);
		CHECK_INT(MATCHES(&r2, term), 1);
		r2.action = (uint8_t)((i + 1) % 4 + 1);
		CHECK_INT(MATCHES(&r2, term), 0);
		r2.action = IPCT_ACT_NONE;
		CHECK_INT(MATCHES(&r2, term), 0);
	}
	CHECK_STR(ipct_action_name(IPCT_ACT_NONE), NULL);
	for (int i = 0; i < (int)(sizeof(causes) / sizeof(*causes)); i++) {
		CHECK_STR(ipct_cause_name(i + 1), causes[i]);
		r2 = base();
		r2.cause = (uint8_t)(i + 1);
		snprintf(term, sizeof(term), "cause=%s", causes[i]);
		CHECK_INT(MATCHES(&r2, term), 1);
		r2.cause = (uint8_t)((i + 1) % 6 + 1);
		CHECK_INT(MATCHES(&r2, term), 0);
		r2.cause = IPCT_CAUSE_NONE;
		CHECK_INT(MATCHES(&r2, term), 0);
	}
	for (int i = 0; i < (int)(sizeof(results) / sizeof(*results)); i++) {
		r2 = base();
		r2.result = i;
		snprintf(term, sizeof(term), "result=%s", results[i]);
		CHECK_INT(MATCHES(&r2, term), 1);
		r2.result = (i + 1) % 5;
		CHECK_INT(MATCHES(&r2, term), 0);
		/* Not generated in the trace: no result to match. */
		r2.result = i;
		r2.flags &= ~IPCT_SR_GENERATED;
		CHECK_INT(MATCHES(&r2, term), 0);
	}
}

/* Formatting one record. */
static struct json_object *json(const struct ipct_sigrec *r)
{
	struct ipct_fmt f = { .mode = IPCT_OUT_JSON, .realtime_off = 1000 };
	struct ipct_buf b = { 0 };
	struct json_object *o;

	CHECK_INT(ipct_format_sigrec(&f, r, &b), 0);
	CHECK(ipct_buf_len(&b) > 0 && b.data[b.end - 1] == '\n');
	CHECK(ipct_buf_len(&b) > 0 && memchr(b.data + b.start, '\n', ipct_buf_len(&b)) == b.data + b.end - 1);
	o = ipct_buf_len(&b) ? ipct_json_parse(b.data + b.start, ipct_buf_len(&b) - 1) : NULL;
	CHECK(o != NULL);
	ipct_buf_free(&b);
	return o ? o : json_object_new_object();
}

static char *text(const struct ipct_sigrec *r)
{
	static char out[1024];
	struct ipct_fmt f = { .mode = IPCT_OUT_TEXT, .start_ns = 1000000 };
	struct ipct_buf b = { 0 };

	CHECK_INT(ipct_format_sigrec(&f, r, &b), 0);
	snprintf(out, sizeof(out), "%.*s", (int)ipct_buf_len(&b), b.data + b.start);
	ipct_buf_free(&b);
	return out;
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

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -999999;
	return json_object_get_int64(v);
}

static const char *jtype(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "(missing)";
	return json_type_to_name(json_object_get_type(v));
}

/* The fields of docs/signals.md, "JSON fields". */
static const char *const doc_fields[] = {
	"type", "id", "session", "sig", "signo", "code", "via", "cause", "sender_pid", "sender_tid",
	"sender_comm", "target_pid", "target_comm", "target_tid", "result", "blocked", "generated_ns",
	"delivered_ns", "pending_ns", "delivered_tid", "action", "default_action", "handler",
	"handler_addr", "sa_flags", "returned_ns", "outcome", "merged_into", "discarded_by",
	"discarded_ns", "discarded_tid", "interrupted",
	"interrupted_errno", "restarted", "exit_status", "child_pid", "child_status", "addr", "value",
	"fd", "object", "explanation", NULL,
};

/* Every documented field is there, and nothing else. */
static void check_fields(struct json_object *o)
{
	for (const char *const *k = doc_fields; *k; k++)
		if (!json_object_object_get_ex(o, *k, NULL)) {
			fprintf(stderr, "JSON record lacks documented field '%s'\n", *k);
			check_failures++;
		}
	json_object_object_foreach(o, key, val) {
		const char *const *k = doc_fields;

		(void)val;
		while (*k && strcmp(*k, key))
			k++;
		if (!*k) {
			fprintf(stderr, "JSON record has undocumented field '%s'\n", key);
			check_failures++;
		}
	}
}

static void explain(const struct ipct_sigrec *r, char *buf, size_t len)
{
	memset(buf, 'x', len);
	ipct_sigrec_explain(r, buf, len);
}

/* Calls that return EINTR after any handler, whatever SA_RESTART says, and why. */
static const struct {
	int nr;
	int ret;
	const char *why;
} always[] = {
	{ __NR_pause, -514 /* ERESTARTNOHAND */,
	  "interrupted pause(), which returns EINTR after any handler, always: SA_RESTART does not apply to it" },
	{ __NR_nanosleep, -516 /* ERESTART_RESTARTBLOCK */,
	  "interrupted nanosleep(), which returns EINTR after any handler, always: SA_RESTART does not apply to it" },
	{ __NR_rt_sigtimedwait, -EINTR,
	  "interrupted rt_sigtimedwait(), which fails with EINTR whenever a handler runs: the kernel never restarts "
	  "it, SA_RESTART or not" },
};

static void test_json(void)
{
	struct ipct_sigrec r;
	struct json_object *o;
	char why[256];
	const char *t;

	/* SIGPIPE from a write to a pipe nobody reads: killed. */
	r = base();
	r.sig = SIGPIPE;
	r.code = SI_USER;
	r.cause = IPCT_CAUSE_PIPE;
	r.via_nr = IPCT_NR_NONE;
	r.flags = IPCT_SR_GENERATED | IPCT_SR_SENDER | IPCT_SR_EXIT_STATUS;
	r.sender_pid = r.target_pid = 813;
	r.sender_tid = r.target_tid = r.delivered_tid = 814;
	comm(r.sender_comm, "writer");
	comm(r.target_comm, "writer");
	r.action = IPCT_ACT_DEFAULT;
	r.outcome = IPCT_OUTCOME_TERMINATED;
	r.handler = 0;
	r.sa_flags = 0;
	r.returned_ns = 0;
	r.exit_status = SIGPIPE;
	r.sifields[0] = 0;
	r.fd = 4;
	r.object = 40211;
	r.object_kind = IPCT_KIND_PIPE;
	o = json(&r);
	check_fields(o);
	CHECK_STR(jstr(o, "type"), "lifecycle");
	CHECK_INT(jint(o, "id"), 42);
	CHECK_INT(jint(o, "session"), 7);
	CHECK_STR(jstr(o, "sig"), "SIGPIPE");
	CHECK_INT(jint(o, "signo"), SIGPIPE);
	CHECK_STR(jstr(o, "code"), "SI_USER");
	CHECK_STR(jstr(o, "via"), "kernel");
	CHECK_STR(jstr(o, "cause"), "pipe");
	CHECK_INT(jint(o, "sender_pid"), 813);
	CHECK_INT(jint(o, "sender_tid"), 814);
	CHECK_STR(jstr(o, "sender_comm"), "writer");
	CHECK_INT(jint(o, "target_pid"), 813);
	CHECK_INT(jint(o, "target_tid"), 814);
	CHECK_STR(jstr(o, "target_comm"), "writer");
	CHECK_STR(jstr(o, "result"), "queued");
	CHECK_STR(jtype(o, "blocked"), "boolean");
	CHECK_STR(jstr(o, "blocked"), "false");
	CHECK_INT(jint(o, "generated_ns"), 1001000);
	CHECK_INT(jint(o, "delivered_ns"), 1251000);
	CHECK_INT(jint(o, "pending_ns"), 250000);
	CHECK_INT(jint(o, "delivered_tid"), 814);
	CHECK_STR(jstr(o, "action"), "default");
	CHECK_STR(jstr(o, "default_action"), "Term");
	CHECK_STR(jstr(o, "handler"), "(null)");
	CHECK_STR(jstr(o, "handler_addr"), "(null)");
	CHECK_STR(jtype(o, "sa_flags"), "array");
	CHECK_STR(jstr(o, "returned_ns"), "(null)");
	CHECK_STR(jstr(o, "outcome"), "terminated");
	CHECK_STR(jstr(o, "merged_into"), "(null)");
	CHECK_STR(jstr(o, "interrupted"), "(null)");
	CHECK_STR(jstr(o, "interrupted_errno"), "(null)");
	CHECK_STR(jstr(o, "restarted"), "(null)");
	CHECK_STR(jstr(o, "exit_status"), "killed by SIGPIPE");
	CHECK_STR(jstr(o, "child_pid"), "(null)");
	CHECK_STR(jstr(o, "child_status"), "(null)");
	CHECK_STR(jstr(o, "addr"), "(null)");
	CHECK_STR(jstr(o, "value"), "(null)");
	CHECK_INT(jint(o, "fd"), 4);
	CHECK_STR(jstr(o, "object"), "pipe:[40211]");
	CHECK_STR(jstr(o, "explanation"),
		  "terminated by SIGPIPE: wrote to pipe:[40211] (fd 4) after every reader had closed it");
	json_object_put(o);
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "terminated by SIGPIPE: wrote to pipe:[40211] (fd 4) after every reader had closed it");
	t = text(&r);
	CHECK(strstr(t, "kernel (pipe) -> writer[813/814]") != NULL);
	CHECK(strstr(t, "write fd 4 pipe:[40211]") != NULL);
	CHECK(strstr(t, "\n             why: terminated by SIGPIPE: wrote to pipe:[40211] (fd 4)") != NULL);
	/* Without the write seen: no fd, no object, still an explanation. */
	r.fd = -1;
	r.object = 0;
	r.object_kind = IPCT_KIND_NONE;
	o = json(&r);
	CHECK_STR(jstr(o, "fd"), "(null)");
	CHECK_STR(jstr(o, "object"), "(null)");
	json_object_put(o);
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "terminated by SIGPIPE: wrote to a pipe after every reader had closed it");

	/* A handler that returned; it interrupted read(), which failed with EINTR. */
	r = base();
	r.flags |= IPCT_SR_INTERRUPTED;
	r.intr_nr = __NR_read;
	r.intr_ret = -512;
	snprintf(r.handler_name, sizeof(r.handler_name), "on_usr1");
	o = json(&r);
	check_fields(o);
	CHECK_STR(jstr(o, "via"), "kill");
	CHECK_STR(jstr(o, "cause"), "(null)");
	CHECK_STR(jstr(o, "target_tid"), "(null)");         /* process-directed */
	CHECK_STR(jstr(o, "action"), "handler");
	CHECK_STR(jstr(o, "default_action"), "(null)");
	CHECK_STR(jstr(o, "handler"), "on_usr1");
	CHECK_STR(jstr(o, "handler_addr"), "0x401136");
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "sa_flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"SA_SIGINFO\"]");
	CHECK_INT(jint(o, "returned_ns"), 1301000);
	CHECK_STR(jstr(o, "outcome"), "handled");
	CHECK_STR(jstr(o, "interrupted"), "read");
	CHECK_STR(jstr(o, "interrupted_errno"), "EINTR");
	CHECK_STR(jtype(o, "restarted"), "boolean");
	CHECK_STR(jstr(o, "restarted"), "false");
	CHECK_STR(jstr(o, "exit_status"), "(null)");
	CHECK_STR(jstr(o, "fd"), "(null)");
	CHECK_STR(jstr(o, "explanation"), "interrupted read(), which failed with EINTR: the handler has no SA_RESTART");
	json_object_put(o);
	/* ... restarted: nothing to explain. */
	r.flags |= IPCT_SR_RESTARTED;
	o = json(&r);
	CHECK_STR(jstr(o, "interrupted_errno"), "(null)");
	CHECK_STR(jstr(o, "restarted"), "true");
	CHECK_STR(jstr(o, "explanation"), "(null)");
	json_object_put(o);
	/* No symbol: the handler is its address. */
	r.handler_name[0] = 0;
	o = json(&r);
	CHECK_STR(jstr(o, "handler"), "0x401136");
	json_object_put(o);
	/*
	 * pause() (ERESTARTNOHAND), nanosleep() (ERESTART_RESTARTBLOCK) and
	 * rt_sigtimedwait() (EINTR itself) return EINTR after any handler, SA_RESTART or not.
	 */
	r.flags &= ~IPCT_SR_RESTARTED;
	r.sa_flags |= SA_RESTART;
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		r.intr_nr = (uint16_t)always[i].nr;
		r.intr_ret = always[i].ret;
		explain(&r, why, sizeof(why));
		CHECK_STR(why, always[i].why);
	}

	/* A SIGCHLD to the process that adopted a child whose parent exited first. */
	r = base();
	r.outcome = IPCT_OUTCOME_UNOBSERVED;
	r.action = IPCT_ACT_NONE;
	r.sig = SIGCHLD;
	r.code = CLD_EXITED;
	r.cause = IPCT_CAUSE_CHILD;
	r.target_pid = 1;
	comm(r.target_comm, "init");
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "the target is not traced: what it did with SIGCHLD is not recorded");
	r.flags |= IPCT_SR_ADOPTED;
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "the child's parent exited without waiting for it, so init[1] adopted it; this SIGCHLD tells "
		       "the adopter, which reaps it");

	/* Merged into a pending one. */
	r = base();
	r.outcome = IPCT_OUTCOME_MERGED;
	r.result = IPCT_SIG_MERGED;
	r.action = IPCT_ACT_NONE;
	r.flags = IPCT_SR_GENERATED | IPCT_SR_SENDER | IPCT_SR_GROUP;
	r.delivered_ns = r.returned_ns = 0;
	r.delivered_tid = 0;
	r.merged_into = 41;
	o = json(&r);
	check_fields(o);
	CHECK_STR(jstr(o, "result"), "merged");
	CHECK_STR(jstr(o, "outcome"), "merged");
	CHECK_INT(jint(o, "merged_into"), 41);
	CHECK_STR(jstr(o, "delivered_ns"), "(null)");
	CHECK_STR(jstr(o, "pending_ns"), "(null)");
	CHECK_STR(jstr(o, "delivered_tid"), "(null)");
	CHECK_STR(jstr(o, "action"), "(null)");
	CHECK_STR(jstr(o, "sa_flags"), "(null)");
	CHECK(strstr(jstr(o, "explanation"),
		     "SIGUSR1 was already pending; standard signals are not queued, so this one is lost") != NULL);
	json_object_put(o);
	explain(&r, why, sizeof(why));
	CHECK(strstr(why, "SIGUSR1 was already pending; standard signals are not queued, so this one is lost") != NULL);
	t = text(&r);
	CHECK(strstr(t, "sender[200] -> target[300]") != NULL);
	CHECK(strstr(t, "into #41") != NULL);
	CHECK(strstr(t, "why: ") != NULL);

	/* SIGKILL. */
	r = base();
	r.sig = SIGKILL;
	r.action = IPCT_ACT_DEFAULT;
	r.outcome = IPCT_OUTCOME_TERMINATED;
	r.flags = IPCT_SR_GENERATED | IPCT_SR_SENDER | IPCT_SR_GROUP | IPCT_SR_EXIT_STATUS;
	r.exit_status = SIGKILL;
	r.returned_ns = 0;
	r.handler = 0;
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "SIGKILL cannot be caught or ignored");
	o = json(&r);
	check_fields(o);
	CHECK_STR(jstr(o, "exit_status"), "killed by SIGKILL");
	CHECK_STR(jstr(o, "explanation"), "SIGKILL cannot be caught or ignored");
	json_object_put(o);

	/* Never delivered: blocked until the end. */
	r = base();
	r.sig = SIGUSR2;
	r.outcome = IPCT_OUTCOME_NEVER_DELIVERED;
	r.action = IPCT_ACT_NONE;
	r.flags = IPCT_SR_GENERATED | IPCT_SR_SENDER | IPCT_SR_GROUP | IPCT_SR_BLOCKED;
	r.delivered_ns = r.returned_ns = 0;
	r.delivered_tid = 0;
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "never delivered: blocked until the process exited");
	o = json(&r);
	check_fields(o);
	CHECK_STR(jstr(o, "blocked"), "true");
	CHECK_STR(jstr(o, "outcome"), "never_delivered");
	CHECK_STR(jstr(o, "delivered_ns"), "(null)");
	CHECK_STR(jstr(o, "pending_ns"), "(null)");
	CHECK_STR(jstr(o, "returned_ns"), "(null)");
	CHECK_STR(jstr(o, "action"), "(null)");
	CHECK_STR(jstr(o, "explanation"), "never delivered: blocked until the process exited");
	json_object_put(o);
	r.flags |= IPCT_SR_TRACE_END;
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "never delivered: still pending when tracing stopped");

	/* Discarded: by the SIGCONT that came, or by an action set to ignore it. */
	r.flags = IPCT_SR_GENERATED | IPCT_SR_BLOCKED;
	r.outcome = IPCT_OUTCOME_DISCARDED;
	r.sig = SIGSTOP;
	r.discard_nr = IPCT_NR_NONE;
	r.discard_sig = SIGCONT;
	r.discarded_ns = 1240000;
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "discarded: SIGCONT came while it was pending, and SIGCONT discards pending stop signals");
	o = json(&r);
	check_fields(o);
	CHECK_STR(jstr(o, "outcome"), "discarded");
	CHECK_STR(jstr(o, "discarded_by"), "SIGCONT");
	CHECK_INT(jint(o, "discarded_ns"), 1241000);
	CHECK_STR(jstr(o, "discarded_tid"), "(null)");
	CHECK_STR(jstr(o, "delivered_ns"), "(null)");
	CHECK_STR(jstr(o, "returned_ns"), "(null)");
	CHECK_STR(jstr(o, "interrupted"), "(null)");
	json_object_put(o);
	r.sig = SIGUSR1;
	r.discard_nr = __NR_rt_sigaction;
	r.discarded_tid = 1200;
	r.handler = (uint64_t)SIG_IGN;
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "discarded: SIGUSR1 was set to SIG_IGN while it was pending, and the kernel throws away "
		  "a pending signal that becomes ignored");
	o = json(&r);
	check_fields(o);
	CHECK_STR(jstr(o, "discarded_by"), "rt_sigaction");
	CHECK_INT(jint(o, "discarded_tid"), 1200);
	CHECK_STR(jstr(o, "handler"), "(null)");
	json_object_put(o);
	r.sig = SIGWINCH;
	r.handler = (uint64_t)SIG_DFL;
	explain(&r, why, sizeof(why));
	CHECK_STR(why, "discarded: SIGWINCH was set to SIG_DFL, whose action is to ignore it, while it was "
		  "pending, and the kernel throws away a pending signal that becomes ignored");

	/* Generated before the trace began: no generation time, result or pending time. */
	r = base();
	r.flags = IPCT_SR_RETURNED;
	r.generated_ns = 0;
	o = json(&r);
	check_fields(o);
	CHECK_STR(jstr(o, "generated_ns"), "(null)");
	CHECK_STR(jstr(o, "result"), "(null)");
	CHECK_STR(jstr(o, "pending_ns"), "(null)");
	CHECK_STR(jstr(o, "sender_pid"), "(null)");
	CHECK_STR(jstr(o, "sender_comm"), "(null)");
	CHECK_INT(jint(o, "delivered_ns"), 1251000);
	json_object_put(o);

	/* SIGCHLD: the child and its news; a fault: the address; SI_QUEUE: the value. */
	r = base();
	r.sig = SIGCHLD;
	r.code = CLD_KILLED;
	r.cause = IPCT_CAUSE_CHILD;
	r.via_nr = IPCT_NR_NONE;
	r.sifields[0] = 555;
	r.sifields[1] = SIGTERM;
	o = json(&r);
	CHECK_STR(jstr(o, "code"), "CLD_KILLED");
	CHECK_STR(jstr(o, "via"), "kernel");
	CHECK_STR(jstr(o, "cause"), "child");
	CHECK_INT(jint(o, "child_pid"), 555);
	CHECK_STR(jstr(o, "child_status"), "killed by SIGTERM");
	CHECK_STR(jstr(o, "addr"), "(null)");
	json_object_put(o);
	r = base();
	r.sig = SIGSEGV;
	r.code = SEGV_MAPERR;
	r.cause = IPCT_CAUSE_FAULT;
	r.via_nr = IPCT_NR_NONE;
	r.action = IPCT_ACT_DEFAULT;
	r.outcome = IPCT_OUTCOME_CORE;
	r.flags |= IPCT_SR_EXIT_STATUS;
	r.exit_status = SIGSEGV | 0x80;
	r.sifields[0] = 0x10;
	o = json(&r);
	CHECK_STR(jstr(o, "code"), "SEGV_MAPERR");
	CHECK_STR(jstr(o, "addr"), "0x10");
	CHECK_STR(jstr(o, "default_action"), "Core");
	CHECK_STR(jstr(o, "exit_status"), "killed by SIGSEGV (core dumped)");
	CHECK_STR(jstr(o, "child_pid"), "(null)");
	json_object_put(o);
	r = base();
	r.sig = SIGRTMIN + 1;
	r.code = SI_QUEUE;
	r.via_nr = __NR_rt_sigqueueinfo;
	r.sifields[1] = (uint32_t)-7;
	o = json(&r);
	CHECK_STR(jstr(o, "sig"), "SIGRTMIN+1");
	CHECK_STR(jstr(o, "code"), "SI_QUEUE");
	CHECK_STR(jstr(o, "via"), "rt_sigqueueinfo");
	CHECK_INT(jint(o, "value"), -7);
	json_object_put(o);
}

int main(void)
{
	test_parse_errors();
	test_eval();
	test_json();
	return check_done("test-match");
}
