// SPDX-License-Identifier: MIT
/*
 * Lifecycle records (docs/signals.md) as a table row for people or a JSON
 * object for programs, with a plain-language explanation of what went
 * wrong; and the fields `ipctrace signals` can match on.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "i18n.h"
#include "names.h"
#include "safetext.h"
#include "sigrec.h"
#include "syscalls.h"

/* JSON's values, English; marked for the text table, which shows them translated. */
static const char *const outcome_names[] = {
	"", N_("handled"), N_("terminated"), N_("core"), N_("stopped"), N_("continued"), N_("ignored"), N_("merged"),
	N_("never_delivered"), N_("accepted"), N_("dropped"), N_("unobserved"), N_("discarded"), NULL,
};
static const char *const action_names[] = { "none", "handler", "default", "ignore", "wait", "signalfd", NULL };
static const char *const cause_names[] = {
	"none", N_("child"), N_("pipe"), N_("fault"), N_("timer"), N_("terminal"), N_("kernel"), NULL,
};
static const char *const result_names[] = {
	N_("queued"), N_("ignored"), N_("merged"), N_("overflow"), N_("lose_info"), NULL,
};

/*
 * The explanations are said in the user's language in text, in English in
 * JSON: each function that says one takes tr, and marks its texts with TR.
 */
#define TR(s) (tr ? gettext(s) : (s))

static const char *table_name(const char *const *t, size_t n, int v)
{
	return v > 0 && (size_t)v < n - 1 ? t[v] : NULL;
}

const char *ipct_outcome_name(int outcome)
{
	return table_name(outcome_names, sizeof(outcome_names) / sizeof(*outcome_names), outcome);
}

const char *ipct_action_name(int action)
{
	return table_name(action_names, sizeof(action_names) / sizeof(*action_names), action);
}

const char *ipct_cause_name(int cause)
{
	return table_name(cause_names, sizeof(cause_names) / sizeof(*cause_names), cause);
}

static const char *via_name(const struct ipct_sigrec *r)
{
	return r->via_nr != IPCT_NR_NONE ? ipct_syscall_name(r->via_nr) : NULL;
}

static const char *sig_name(int sig)
{
	return ipct_sig_name(sig) ?: "signal";
}

/* "pipe:[N]" / "socket:[N]" for SIGPIPE's object, a signalfd's name, "" when unknown. */
static void object_str(const struct ipct_sigrec *r, char *buf, size_t len)
{
	buf[0] = 0;
	if (r->object_kind >= IPCT_KIND_PIPE)
		ipct_object_name(r->object_kind, r->object, buf, len);
}

/* SIGCHLD's news about the child, from its siginfo: "exited 0", "killed by SIGTERM", ... */
static void child_status_str(const struct ipct_sigrec *r, char *buf, size_t len)
{
	int st = (int32_t)(uint32_t)r->sifields[1];

	switch (r->code) {
	case CLD_EXITED: snprintf(buf, len, _("exited %d"), st); break;
	case CLD_KILLED: snprintf(buf, len, _("killed by %s"), sig_name(st)); break;
	case CLD_DUMPED: snprintf(buf, len, _("killed by %s (core dumped)"), sig_name(st)); break;
	case CLD_TRAPPED: snprintf(buf, len, _("trapped by %s"), sig_name(st)); break;
	case CLD_STOPPED: snprintf(buf, len, _("stopped by %s"), sig_name(st)); break;
	case CLD_CONTINUED: snprintf(buf, len, "%s", _("continued")); break;
	default: snprintf(buf, len, _("status %d"), st); break;
	}
}

static bool has_value(const struct ipct_sigrec *r)
{
	return r->code == SI_QUEUE || r->code == SI_TIMER;
}

static bool eintr(const struct ipct_sigrec *r)
{
	return (r->flags & IPCT_SR_INTERRUPTED) && !(r->flags & IPCT_SR_RESTARTED);
}

static void explain_end(const struct ipct_sigrec *r, bool tr, char *buf, size_t len)
{
	const char *s = sig_name(r->sig);
	char obj[48];

	if (r->sig == SIGKILL) {
		snprintf(buf, len, "%s", TR("SIGKILL cannot be caught or ignored"));
	} else if (r->cause == IPCT_CAUSE_PIPE) {
		object_str(r, obj, sizeof(obj));
		if (obj[0])
			snprintf(buf, len, TR("terminated by SIGPIPE: wrote to %s (fd %d) after every reader had closed it"),
				 obj, r->fd);
		else
			snprintf(buf, len, "%s", TR("terminated by SIGPIPE: wrote to a pipe after every reader had closed it"));
	} else if (r->cause == IPCT_CAUSE_FAULT) {
		snprintf(buf, len, TR("terminated by %s: a fault at address 0x%" PRIx64 ", and no handler for it"),
			 s, (uint64_t)r->sifields[0]);
	} else if (r->outcome == IPCT_OUTCOME_CORE) {
		snprintf(buf, len, TR("terminated by %s: no handler was installed, and its default action ends the "
				      "process with a core dump"), s);
	} else {
		snprintf(buf, len, TR("terminated by %s: no handler was installed, and its default action ends the "
				      "process"), s);
	}
}

/* What discarded it: "rt_sigaction", or the signal, "SIGCONT". */
static const char *discarded_by(const struct ipct_sigrec *r)
{
	return r->discard_nr != IPCT_NR_NONE ? ipct_syscall_name(r->discard_nr) : ipct_sig_name(r->discard_sig);
}

static void explain_discarded(const struct ipct_sigrec *r, bool tr, char *buf, size_t len)
{
	const char *s = sig_name(r->sig);

	if (r->discard_nr == IPCT_NR_NONE && r->discard_sig == SIGCONT)
		snprintf(buf, len, TR("discarded: %s came while it was pending, and SIGCONT discards pending stop "
				      "signals"), sig_name(r->discard_sig));
	else if (r->discard_nr == IPCT_NR_NONE)
		snprintf(buf, len, TR("discarded: %s came while it was pending, and a stop signal discards a pending "
				      "SIGCONT"), sig_name(r->discard_sig));
	else if (r->handler == (uint64_t)SIG_IGN)
		snprintf(buf, len, TR("discarded: %s was set to SIG_IGN while it was pending, and the kernel "
				      "throws away a pending signal that becomes ignored"), s);
	else
		snprintf(buf, len, TR("discarded: %s was set to SIG_DFL, whose action is to ignore it, while it "
				      "was pending, and the kernel throws away a pending signal that becomes ignored"), s);
}

static void explain_never(const struct ipct_sigrec *r, bool tr, char *buf, size_t len)
{
	if (r->flags & IPCT_SR_TRACE_END)
		snprintf(buf, len, "%s", TR("never delivered: still pending when tracing stopped"));
	else if (r->flags & IPCT_SR_BLOCKED)
		snprintf(buf, len, "%s", TR("never delivered: blocked until the process exited"));
	else
		snprintf(buf, len, "%s", TR("never delivered: still pending when the process ended"));
}

/*
 * Why a call failed with EINTR after the handler ran. Only a call that
 * asks for a restart with ERESTARTSYS (read, write, wait4, ...) is restarted
 * by SA_RESTART; pause(), sigsuspend(), poll(), select() and nanosleep()
 * ask with ERESTARTNOHAND or ERESTART_RESTARTBLOCK, and sigwaitinfo(),
 * sigtimedwait() and epoll_wait() fail with EINTR outright: after any
 * handler they return EINTR, whatever the flags.
 */
static void explain_eintr(const struct ipct_sigrec *r, bool tr, char *buf, size_t len)
{
	const char *call = ipct_syscall_name(r->intr_nr) ?: TR("a call");

	if (r->intr_ret == -512 /* ERESTARTSYS */)
		snprintf(buf, len, TR("interrupted %s(), which failed with EINTR: the handler has no SA_RESTART"), call);
	else if (r->intr_ret == -EINTR)
		snprintf(buf, len, TR("interrupted %s(), which fails with EINTR whenever a handler runs: the kernel "
				      "never restarts it, SA_RESTART or not"), call);
	else
		snprintf(buf, len, TR("interrupted %s(), which returns EINTR after any handler, always: SA_RESTART "
				      "does not apply to it"), call);
}

/* comm[pid] or comm[pid/tid], the name escaped for a terminal. */
static void task_str(char *buf, size_t len, const char *comm, uint32_t pid, uint32_t tid)
{
	char safe[8 * IPCT_COMM_LEN + 1];

	ipct_text_escape(safe, sizeof(safe), comm, IPCT_COMM_LEN);
	if (tid && tid != pid)
		snprintf(buf, len, "%s[%u/%u]", safe, pid, tid);
	else
		snprintf(buf, len, "%s[%u]", safe, pid);
}

static void explain(const struct ipct_sigrec *r, bool tr, char *buf, size_t len)
{
	const char *s = sig_name(r->sig);
	char who[8 * IPCT_COMM_LEN + 16];

	buf[0] = 0;
	switch (r->outcome) {
	case IPCT_OUTCOME_MERGED:
		if (r->sig < SIGRTMIN)
			snprintf(buf, len, TR("merged: %s was already pending; standard signals are not queued, so this one is lost"), s);
		else
			snprintf(buf, len, TR("merged: %s was already pending, so this one is lost"), s);
		return;
	case IPCT_OUTCOME_IGNORED:
		if (r->action == IPCT_ACT_IGNORE)
			snprintf(buf, len, TR("ignored: %s is set to SIG_IGN, so the kernel discards it"), s);
		else
			snprintf(buf, len, TR("ignored: no handler for %s, and its default action is to ignore it"), s);
		return;
	case IPCT_OUTCOME_TERMINATED:
	case IPCT_OUTCOME_CORE:
		explain_end(r, tr, buf, len);
		return;
	case IPCT_OUTCOME_STOPPED:
		snprintf(buf, len, "%s", r->sig == SIGSTOP ? TR("SIGSTOP cannot be caught or ignored; stopped: the process "
							   "waits for SIGCONT")
						: TR("stopped: the process waits for SIGCONT"));
		return;
	case IPCT_OUTCOME_NEVER_DELIVERED:
		explain_never(r, tr, buf, len);
		return;
	case IPCT_OUTCOME_DISCARDED:
		explain_discarded(r, tr, buf, len);
		return;
	case IPCT_OUTCOME_DROPPED:
		snprintf(buf, len, "%s", TR("dropped: the real-time signal queue was full (RLIMIT_SIGPENDING); the sender "
					    "got EAGAIN"));
		return;
	case IPCT_OUTCOME_UNOBSERVED:
		if (!(r->flags & IPCT_SR_ADOPTED)) {
			snprintf(buf, len, TR("the target is not traced: what it did with %s is not recorded"), s);
			return;
		}
		task_str(who, sizeof(who), r->target_comm, r->target_pid, 0);
		snprintf(buf, len, TR("the child's parent exited without waiting for it, so %s adopted it; "
				      "this SIGCHLD tells the adopter, which reaps it"), who);
		return;
	case IPCT_OUTCOME_HANDLED:
		if (!(r->flags & IPCT_SR_RETURNED))
			snprintf(buf, len, "%s", TR("the handler never returned (it exited, jumped out with longjmp, or the "
						    "process was killed)"));
		else if (eintr(r))
			explain_eintr(r, tr, buf, len);
		return;
	}
}

void ipct_sigrec_explain(const struct ipct_sigrec *r, char *buf, size_t len)
{
	explain(r, true, buf, len);
}

/* "850 ns", "12.3 us", "1.20 ms", "2.50 s": a duration for people. */
static void duration_str(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
}

static const char *outcome_color(int outcome)
{
	switch (outcome) {
	case IPCT_OUTCOME_HANDLED:
	case IPCT_OUTCOME_ACCEPTED:
	case IPCT_OUTCOME_CONTINUED:
		return "\033[1;32m";
	case IPCT_OUTCOME_IGNORED:
	case IPCT_OUTCOME_STOPPED:
	case IPCT_OUTCOME_UNOBSERVED:
	case IPCT_OUTCOME_DISCARDED:
		return "\033[1;33m";
	default:
		return "\033[1;31m";
	}
}

#define COL_TIME 12
#define COL_SIG 11
#define COL_RESULT 9
#define COL_PENDING 10
#define COL_ACTION 20
#define COL_OUTCOME 11
#define INDENT (COL_TIME + 1)           /* a record's lines after its first */
#define ROUTE_AT (INDENT + COL_SIG + 1) /* SENDER -> TARGET */

/*
 * s added to line, as "%-*s " would with cols - 1 (none with cols <= 0),
 * counting columns, not bytes: a word translated may take more bytes than
 * columns, and one wider than its column still ends with the space.
 */
static void pad(char *line, size_t len, const char *s, int cols)
{
	size_t n = strlen(line);
	int w = ipct_text_width(s);

	snprintf(line + n, len - n, "%s%*s", s, cols <= 0 ? 0 : cols - 1 > w ? cols - w : 1, "");
}

/* The columns a table fits in: the terminal's, or 80. */
static int table_width(const struct ipct_fmt *f)
{
	return f->width > 0 ? f->width : 80;
}

/*
 * Two header lines, as each record has two: when, what and between whom;
 * then what became of it. Details follow the outcome, and the lines wrap
 * (indented) where they would be wider than the table.
 */
int ipct_format_sigrec_header(const struct ipct_fmt *f, struct ipct_buf *out)
{
	char line[160];

	if (f->mode == IPCT_OUT_JSON)
		return 0;
	line[0] = '\0';
	pad(line, sizeof(line), _("TIME"), COL_TIME + 1);
	pad(line, sizeof(line), _("SIGNAL"), COL_SIG + 1);
	pad(line, sizeof(line), _("SENDER -> TARGET"), 0);
	if (ipct_buf_wrap(out, line, INDENT, table_width(f)) < 0)
		return -ENOMEM;
	line[0] = '\0';
	pad(line, sizeof(line), "", INDENT);
	pad(line, sizeof(line), _("RESULT"), COL_RESULT + 1);
	pad(line, sizeof(line), _("PENDING"), COL_PENDING + 1);
	pad(line, sizeof(line), _("ACTION"), COL_ACTION + 1);
	pad(line, sizeof(line), _("OUTCOME"), COL_OUTCOME + 1);
	pad(line, sizeof(line), _("DETAILS"), 0);
	return ipct_buf_wrap(out, line, INDENT, table_width(f));
}

static void time_str(const struct ipct_fmt *f, uint64_t ns, char *buf, size_t len)
{
	time_t t;
	struct tm tm;
	uint64_t real;

	if (f->start_ns) {
		snprintf(buf, len, "%.6f", (double)(int64_t)(ns - f->start_ns) / 1e9);
		return;
	}
	real = ns + (uint64_t)f->realtime_off;
	t = (time_t)(real / 1000000000);
	localtime_r(&t, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(real / 1000000 % 1000));
}

static void sender_str(const struct ipct_sigrec *r, char *buf, size_t len)
{
	if (r->cause != IPCT_CAUSE_NONE)
		snprintf(buf, len, _("kernel (%s)"), _(ipct_cause_name(r->cause) ?: "?"));
	else if (r->flags & IPCT_SR_SENDER && r->sender_comm[0])
		task_str(buf, len, r->sender_comm, r->sender_pid, r->sender_tid);
	else if (r->flags & IPCT_SR_SENDER)
		snprintf(buf, len, _("pid %u"), r->sender_pid);
	else
		snprintf(buf, len, "?");
}

static void action_str(const struct ipct_sigrec *r, char *buf, size_t len)
{
	switch (r->action) {
	case IPCT_ACT_HANDLER:
		if (!r->handler_name[0]) {
			snprintf(buf, len, _("handler 0x%" PRIx64), (uint64_t)r->handler);
			return;
		}
		/* A symbol of the program's own ELF file: its bytes are the program's choice. */
		snprintf(buf, len, "%s ", _("handler"));
		ipct_text_escape(buf + strlen(buf), len - strlen(buf), r->handler_name, IPCT_HANDLER_NAME_LEN);
		return;
	case IPCT_ACT_DEFAULT:
		snprintf(buf, len, _("default (%s)"), ipct_sig_default_action(r->sig));
		return;
	case IPCT_ACT_IGNORE:
		snprintf(buf, len, "SIG_IGN");
		return;
	case IPCT_ACT_WAIT:
		snprintf(buf, len, "sigwait");
		return;
	case IPCT_ACT_SIGNALFD:
		snprintf(buf, len, _("signalfd read fd %d"), r->fd);
		return;
	default:
		snprintf(buf, len, "-");
	}
}

/* The DETAILS column: what else there is to know, briefly. */
static int details(const struct ipct_sigrec *r, struct ipct_buf *out)
{
	char tmp[64];
	const char *via = via_name(r);
	int err = 0;

	if (via && strcmp(via, "kill"))
		err |= ipct_buf_printf(out, _(" via %s"), via);
	if (r->flags & IPCT_SR_BLOCKED)
		err |= ipct_buf_printf(out, "%s", _(" blocked"));
	if (r->delivered_tid && r->delivered_tid != r->target_pid)
		err |= ipct_buf_printf(out, _(" thread %u"), r->delivered_tid);
	if (r->cause == IPCT_CAUSE_CHILD) {
		child_status_str(r, tmp, sizeof(tmp));
		err |= ipct_buf_printf(out, _(" child %u %s"), (uint32_t)r->sifields[0], tmp);
	}
	if (r->cause == IPCT_CAUSE_FAULT)
		err |= ipct_buf_printf(out, _(" %s addr 0x%" PRIx64), ipct_sigcode_name(r->sig, r->code) ?: "",
				       (uint64_t)r->sifields[0]);
	if (has_value(r))
		err |= ipct_buf_printf(out, _(" value %d"), (int32_t)(uint32_t)r->sifields[1]);
	if (r->cause == IPCT_CAUSE_PIPE && r->fd >= 0) {
		object_str(r, tmp, sizeof(tmp));
		err |= ipct_buf_printf(out, _(" write fd %d %s"), r->fd, tmp);
	}
	if (r->outcome == IPCT_OUTCOME_MERGED && r->merged_into)
		err |= ipct_buf_printf(out, _(" into #%" PRIu64), (uint64_t)r->merged_into);
	if (r->outcome == IPCT_OUTCOME_DISCARDED)
		err |= ipct_buf_printf(out, _(" by %s"), discarded_by(r) ?: "?");
	if (r->flags & IPCT_SR_INTERRUPTED)
		err |= ipct_buf_printf(out, _(" interrupted %s (%s)"), ipct_syscall_name(r->intr_nr) ?: "?",
				       r->flags & IPCT_SR_RESTARTED ? _("restarted") : "EINTR");
	return err;
}

static int format_text(const struct ipct_fmt *f, const struct ipct_sigrec *r, struct ipct_buf *out)
{
	char when[32], from[160], to[160], line[1024], pend[24], action[96], why[256];
	const char *outcome = ipct_outcome_name(r->outcome), *result = ipct_sig_result_name(r->result);
	struct ipct_buf more = { 0 };
	int err, width = table_width(f);

	time_str(f, r->generated_ns ? r->generated_ns : r->delivered_ns, when, sizeof(when));
	sender_str(r, from, sizeof(from));
	task_str(to, sizeof(to), r->target_comm, r->target_pid, r->target_tid);
	/* Its id ends the line: what a merged record's "into #N" names (JSON: id, merged_into). */
	snprintf(line, sizeof(line), "%-*s %-*s %s -> %s  #%" PRIu64, COL_TIME, when, COL_SIG, sig_name(r->sig), from,
		 to, (uint64_t)r->id);
	err = ipct_buf_wrap(out, line, ROUTE_AT, width);
	if (r->delivered_ns && r->generated_ns)
		duration_str(r->delivered_ns - r->generated_ns, pend, sizeof(pend));
	else
		snprintf(pend, sizeof(pend), "-");
	action_str(r, action, sizeof(action));
	err |= details(r, &more);
	err |= ipct_buf_append(&more, "", 1);
	/* The words in the user's language; the padding after the colour's end; details() starts each detail with a space. */
	outcome = outcome && outcome[0] ? _(outcome) : "?";
	line[0] = '\0';
	pad(line, sizeof(line), "", INDENT);
	pad(line, sizeof(line), result ? _(result) : "-", COL_RESULT + 1);
	pad(line, sizeof(line), pend, COL_PENDING + 1);
	pad(line, sizeof(line), action, COL_ACTION + 1);
	pad(line, sizeof(line), f->color ? outcome_color(r->outcome) : "", 0);
	pad(line, sizeof(line), outcome, 0);
	pad(line, sizeof(line), f->color ? "\033[0m" : "", COL_OUTCOME - ipct_text_width(outcome));
	pad(line, sizeof(line), err ? "" : more.data + more.start, 0);
	ipct_buf_free(&more);
	err |= ipct_buf_wrap(out, line, INDENT, width);
	ipct_sigrec_explain(r, why, sizeof(why));
	if (why[0]) {
		/* TRANSLATORS: before a signal's explanation; the lines after it are indented by its width. */
		const char *label = _("why: ");

		snprintf(line, sizeof(line), "%*s%s%s%s%s", INDENT, "", f->color ? "\033[3m" : "", label, why,
			 f->color ? "\033[0m" : "");
		err |= ipct_buf_wrap(out, line, INDENT + ipct_text_width(label), width);
	}
	return err < 0 ? -ENOMEM : 0;
}

static struct json_object *opt_int(bool have, int64_t v)
{
	return have ? json_object_new_int64(v) : NULL;
}

static struct json_object *opt_str(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static struct json_object *hex(uint64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "0x%" PRIx64, v);
	return json_object_new_string(tmp);
}

static void add_sa_flag(const char *name, void *arr)
{
	json_object_array_add(arr, json_object_new_string(name));
}

static struct json_object *to_json(const struct ipct_fmt *f, const struct ipct_sigrec *r)
{
	struct json_object *o = json_object_new_object(), *flags;
	bool delivered = r->delivered_ns != 0, handler = r->action == IPCT_ACT_HANDLER;
	bool discarded = r->outcome == IPCT_OUTCOME_DISCARDED;
	bool sender = r->flags & IPCT_SR_SENDER, child = r->cause == IPCT_CAUSE_CHILD;
	bool has_fd = (r->cause == IPCT_CAUSE_PIPE || r->action == IPCT_ACT_SIGNALFD) && r->fd >= 0;
	char comm[IPCT_COMM_LEN + 1], tmp[256];
	int64_t off = f->realtime_off;

	if (!o)
		return NULL;
#define ADD(k, v) json_object_object_add(o, k, v)
	ADD("type", json_object_new_string("lifecycle"));
	ADD("id", json_object_new_int64((int64_t)r->id));
	ADD("session", json_object_new_int64(r->session));
	ADD("sig", opt_str(ipct_sig_name(r->sig)));
	ADD("signo", json_object_new_int(r->sig));
	ADD("code", opt_str(ipct_sigcode_name(r->sig, r->code)));
	ADD("via", json_object_new_string(r->cause == IPCT_CAUSE_NONE ? via_name(r) ?: "unknown" : "kernel"));
	ADD("cause", opt_str(r->cause ? ipct_cause_name(r->cause) : NULL));
	snprintf(comm, sizeof(comm), "%.*s", IPCT_COMM_LEN, r->sender_comm);
	ADD("sender_pid", opt_int(sender, r->sender_pid));
	ADD("sender_tid", opt_int(sender, r->sender_tid));
	ADD("sender_comm", sender ? opt_str(comm) : NULL);
	snprintf(comm, sizeof(comm), "%.*s", IPCT_COMM_LEN, r->target_comm);
	ADD("target_pid", json_object_new_int64(r->target_pid));
	ADD("target_tid", opt_int(r->target_tid, r->target_tid));
	ADD("target_comm", opt_str(comm));
	ADD("result", opt_str((r->flags & IPCT_SR_GENERATED) ? ipct_sig_result_name(r->result) : NULL));
	ADD("blocked", json_object_new_boolean(r->flags & IPCT_SR_BLOCKED));
	ADD("generated_ns", opt_int(r->generated_ns, (int64_t)r->generated_ns + off));
	ADD("delivered_ns", opt_int(delivered, (int64_t)r->delivered_ns + off));
	ADD("pending_ns", opt_int(delivered && r->generated_ns, (int64_t)(r->delivered_ns - r->generated_ns)));
	ADD("delivered_tid", opt_int(delivered, r->delivered_tid));
	ADD("action", opt_str(ipct_action_name(r->action)));
	ADD("default_action", opt_str(r->action == IPCT_ACT_DEFAULT ? ipct_sig_default_action(r->sig) : NULL));
	ADD("handler", !handler ? NULL : r->handler_name[0] ? json_object_new_string_len(r->handler_name, (int)strnlen(r->handler_name, sizeof(r->handler_name))) : hex(r->handler));
	ADD("handler_addr", handler ? hex(r->handler) : NULL);
	flags = NULL;
	if (delivered && r->action != IPCT_ACT_WAIT && r->action != IPCT_ACT_SIGNALFD) {
		flags = json_object_new_array();
		ipct_flags_each(ipct_sa_flags, r->sa_flags & ~IPCT_SA_HIDDEN, add_sa_flag, flags);
	}
	ADD("sa_flags", flags);
	ADD("returned_ns", opt_int(r->flags & IPCT_SR_RETURNED, (int64_t)r->returned_ns + off));
	ADD("outcome", opt_str(ipct_outcome_name(r->outcome)));
	ADD("merged_into", opt_int(r->merged_into, (int64_t)r->merged_into));
	ADD("discarded_by", discarded ? opt_str(discarded_by(r)) : NULL);
	ADD("discarded_ns", opt_int(discarded, (int64_t)r->discarded_ns + off));
	ADD("discarded_tid", opt_int(discarded && r->discard_nr != IPCT_NR_NONE, r->discarded_tid));
	ADD("interrupted", r->flags & IPCT_SR_INTERRUPTED ? opt_str(ipct_syscall_name(r->intr_nr)) : NULL);
	ADD("interrupted_errno", eintr(r) ? json_object_new_string("EINTR") : NULL);
	ADD("restarted", r->flags & IPCT_SR_INTERRUPTED ? json_object_new_boolean(r->flags & IPCT_SR_RESTARTED)
						       : NULL);
	ipct_wait_status_str(r->exit_status, tmp, sizeof(tmp));
	ADD("exit_status", r->flags & IPCT_SR_EXIT_STATUS ? json_object_new_string(tmp) : NULL);
	ADD("child_pid", opt_int(child, (uint32_t)r->sifields[0]));
	child_status_str(r, tmp, sizeof(tmp));
	ADD("child_status", child ? json_object_new_string(tmp) : NULL);
	ADD("addr", r->cause == IPCT_CAUSE_FAULT ? hex(r->sifields[0]) : NULL);
	ADD("value", opt_int(has_value(r), (int32_t)(uint32_t)r->sifields[1]));
	ADD("fd", opt_int(has_fd, r->fd));
	object_str(r, tmp, sizeof(tmp));
	ADD("object", has_fd ? opt_str(tmp) : NULL);
	explain(r, false, tmp, sizeof(tmp));
	ADD("explanation", opt_str(tmp));
#undef ADD
	return o;
}

int ipct_format_sigrec(const struct ipct_fmt *f, const struct ipct_sigrec *r, struct ipct_buf *out)
{
	struct json_object *o;
	int err;

	if (f->mode != IPCT_OUT_JSON)
		return format_text(f, r, out);
	o = to_json(f, r);
	if (!o)
		return -ENOMEM;
	err = ipct_json_line(out, o);
	json_object_put(o);
	return err;
}

enum { F_SIG, F_PID, F_SENDER, F_TARGET, F_COMM, F_OUTCOME, F_RESULT, F_CAUSE, F_ACTION, F_SESSION };

const struct ipct_match_field ipct_sigrec_fields[] = {
	[F_SIG] = { "sig", IPCT_MT_SIG, NULL, "the signal" },
	[F_PID] = { "pid", IPCT_MT_INT, NULL, "sender or target process" },
	[F_SENDER] = { "sender", IPCT_MT_INT, NULL, "sending process" },
	[F_TARGET] = { "target", IPCT_MT_INT, NULL, "target process" },
	[F_COMM] = { "comm", IPCT_MT_COMM, NULL, "sender or target command name" },
	[F_OUTCOME] = { "outcome", IPCT_MT_NAME, outcome_names + 1, "how it ended" },
	[F_RESULT] = { "result", IPCT_MT_NAME, result_names, "what generation did" },
	[F_CAUSE] = { "cause", IPCT_MT_NAME, cause_names + 1, "why the kernel sent it" },
	[F_ACTION] = { "action", IPCT_MT_NAME, action_names + 1, "what delivery did" },
	[F_SESSION] = { "session", IPCT_MT_INT, NULL, "trace session" },
	{ NULL, 0, NULL, NULL },
};

static bool comm_is(const char *comm, const char *s)
{
	return !strncmp(comm, s, IPCT_COMM_LEN) && strlen(s) <= IPCT_COMM_LEN;
}

bool ipct_sigrec_test(const void *rec, const struct ipct_match_term *t)
{
	const struct ipct_sigrec *r = rec;
	bool sender = r->flags & IPCT_SR_SENDER;

	switch (t->field) {
	case F_SIG: return r->sig == t->num;
	case F_PID: return (int64_t)r->target_pid == t->num || (sender && (int64_t)r->sender_pid == t->num);
	case F_SENDER: return sender && (int64_t)r->sender_pid == t->num;
	case F_TARGET: return (int64_t)r->target_pid == t->num;
	case F_COMM: return comm_is(r->target_comm, t->str) || (sender && comm_is(r->sender_comm, t->str));
	/* Name tables start at the first real value: index + 1 is the enum. */
	case F_OUTCOME: return r->outcome == t->num + 1;
	case F_RESULT: return (r->flags & IPCT_SR_GENERATED) && r->result == t->num;
	case F_CAUSE: return r->cause == t->num + 1;
	case F_ACTION: return r->action == t->num + 1;
	case F_SESSION: return (int64_t)r->session == t->num;
	}
	return false;
}
