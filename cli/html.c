// SPDX-License-Identifier: MIT
/*
 * -o html: a trace as one page to show in a lecture or hand to a teaching
 * assistant. Everything is inline (CSS, SVG): the file opens anywhere,
 * with no network and nothing to fetch.
 *
 * The lane picture is --view's (cli/view.c) on a page: one lane per
 * process, time downwards, each signal an arrow from its sender to its
 * target in the colour of what became of it, then its pending time, its
 * delivery and its handler's return on the target's lane. It is drawn
 * from the lifecycle records, which hold each signal's whole story, and
 * the process events, which give the lanes their start, name and end.
 * Rows are moments in time order, not a time scale: a signal delivered a
 * microsecond after it was sent still gets a row of its own.
 *
 * The object graph is the one `-o dot` writes, turned into SVG by
 * Graphviz's dot; without dot the page says so and keeps the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "graph.h"
#include "i18n.h"
#include "lifecycle.h"
#include "names.h"
#include "report.h"
#include "sigrec.h"
#include "syscalls.h"

/* The picture's geometry, in SVG units (pixels at 100%). */
#define LANE_W 260              /* between two lanes */
#define GUTTER_W 170            /* the times at the left, and "kernel" */
#define HEAD_H 70               /* the lane headers */
#define ROW_H 46
#define RIGHT_W 420             /* room for the last lane's labels */
#define KERNEL_W 90             /* a signal from the kernel starts this far left of its target */
/* The picture draws the first this many signals: more make no picture a person reads (the table has all). */
#define PICTURE_MAX 500

struct rproc {
	uint32_t pid, ppid;     /* ppid 0: not seen forked (the command, a process attached) */
	char comm[IPCT_COMM_LEN + 1];
	uint64_t fork_ns, exit_ns;      /* 0: not seen */
	int status;             /* wait status, with exit_ns */
	int lane;
};

/* A moment of the picture: one row. */
enum mkind { MK_FORK, MK_GEN, MK_DELIVER, MK_RETURN, MK_NEVER, MK_EXIT };

struct moment {
	uint64_t ts;
	enum mkind kind;
	size_t idx;             /* into procs (fork, exit) or recs */
	size_t seq;             /* ties keep the order they were made in */
};

struct report {
	char *title;
	unsigned flags;
	struct rproc *procs;
	size_t nprocs, capprocs;
	struct ipct_sigrec *recs;
	size_t nrecs, caprecs;
	struct json_object *diags, *objects, *notes;
	uint32_t sessions[64];  /* the sessions of the events (own models) */
	size_t nsessions;
	uint64_t last_ns;
	struct ipct_lc *lc;     /* REPORT_OWN_MODELS */
	struct ipct_graph *graph;
	bool failed;            /* out of memory on the way: the page would lie */
};

/* ---- the model ----------------------------------------------------------- */

static struct rproc *proc_find(const struct report *rp, uint32_t pid)
{
	for (size_t i = rp->nprocs; i-- > 0;)
		if (rp->procs[i].pid == pid)
			return &rp->procs[i];
	return NULL;
}

static struct rproc *proc_add(struct report *rp, uint32_t pid, const char *comm)
{
	struct rproc *p;

	if (rp->nprocs == rp->capprocs) {
		size_t cap = rp->capprocs ? 2 * rp->capprocs : 16;

		p = realloc(rp->procs, cap * sizeof(*p));
		if (!p) {
			rp->failed = true;
			return NULL;
		}
		rp->procs = p;
		rp->capprocs = cap;
	}
	p = &rp->procs[rp->nprocs++];
	*p = (struct rproc){ .pid = pid, .lane = (int)rp->nprocs - 1 };
	snprintf(p->comm, sizeof(p->comm), "%.*s", IPCT_COMM_LEN, comm);
	return p;
}

static void on_record(const struct ipct_sigrec *r, void *data)
{
	report_record(data, r);
}

static void on_diag(uint32_t session, struct json_object *d, void *data)
{
	(void)session;
	report_diag(data, d);
}

struct report *report_new(const char *title, unsigned flags)
{
	struct report *rp = calloc(1, sizeof(*rp));

	if (!rp)
		return NULL;
	rp->flags = flags;
	rp->title = strdup(title);
	rp->diags = json_object_new_array();
	rp->notes = json_object_new_array();
	if (flags & REPORT_OWN_MODELS) {
		rp->lc = ipct_lc_new(NULL, on_record, rp);
		rp->graph = ipct_graph_new(0, on_diag, rp);
	}
	if (!rp->title || !rp->diags || !rp->notes || ((flags & REPORT_OWN_MODELS) && (!rp->lc || !rp->graph))) {
		report_free(rp);
		return NULL;
	}
	return rp;
}

struct report *report_titled(const char *verb, char **args, int n, unsigned flags)
{
	struct ipct_buf title = { 0 };
	struct report *rp;

	ipct_buf_printf(&title, "ipctrace %s", verb);
	for (int i = 0; i < n; i++)
		ipct_buf_printf(&title, " %s", args[i]);
	ipct_buf_append(&title, "", 1);
	rp = report_new(title.data + title.start, flags);
	ipct_buf_free(&title);
	if (!rp)
		fprintf(stderr, _("ipctrace: out of memory\n"));
	return rp;
}

void report_free(struct report *rp)
{
	if (!rp)
		return;
	ipct_lc_free(rp->lc);
	ipct_graph_free(rp->graph);
	json_object_put(rp->diags);
	json_object_put(rp->objects);
	json_object_put(rp->notes);
	free(rp->procs);
	free(rp->recs);
	free(rp->title);
	free(rp);
}

static void own_models(struct report *rp, const struct ipct_event *e, bool new_proc)
{
	struct ipct_evctx cx = ipct_evctx(e);
	size_t i;

	for (i = 0; i < rp->nsessions && rp->sessions[i] != e->session; i++)
		;
	if (i == rp->nsessions && i < sizeof(rp->sessions) / sizeof(rp->sessions[0]))
		rp->sessions[rp->nsessions++] = e->session;
	/* The log starts at the command's exec: the correlator must know it is traced. */
	if (new_proc)
		ipct_lc_track(rp->lc, e->pid, e->session);
	ipct_graph_event(rp->graph, &cx);
	ipct_lc_event(rp->lc, &cx);
}

void report_event(struct report *rp, const struct ipct_event *e)
{
	struct rproc *p = proc_find(rp, e->pid), *child;
	bool new_proc = !p;

	if (!p)
		p = proc_add(rp, e->pid, e->comm);
	if (p && e->type == IPCT_EV_FORK && !proc_find(rp, e->proc.child_pid)) {
		child = proc_add(rp, e->proc.child_pid, e->comm);
		if (child) {
			child->ppid = e->pid;
			child->fork_ns = e->ts_ns;
		}
	} else if (p && e->type == IPCT_EV_EXEC) {
		snprintf(p->comm, sizeof(p->comm), "%.*s", IPCT_COMM_LEN, e->comm);
	} else if (p && e->type == IPCT_EV_EXIT) {
		p->exit_ns = e->ts_ns;
		p->status = e->proc.exit_code;
	}
	rp->last_ns = e->ts_ns > rp->last_ns ? e->ts_ns : rp->last_ns;
	if (rp->flags & REPORT_OWN_MODELS)
		own_models(rp, e, new_proc);
}

void report_record(struct report *rp, const struct ipct_sigrec *r)
{
	if (rp->nrecs == rp->caprecs) {
		size_t cap = rp->caprecs ? 2 * rp->caprecs : 64;
		struct ipct_sigrec *n = realloc(rp->recs, cap * sizeof(*n));

		if (!n) {
			rp->failed = true;
			return;
		}
		rp->recs = n;
		rp->caprecs = cap;
	}
	rp->recs[rp->nrecs++] = *r;
}

void report_diag(struct report *rp, struct json_object *d)
{
	json_object_array_add(rp->diags, json_object_get(d));
}

void report_objects(struct report *rp, struct json_object *objects)
{
	json_object_put(rp->objects);
	rp->objects = json_object_get(objects);
}

void report_note(struct report *rp, const char *text)
{
	json_object_array_add(rp->notes, json_object_new_string(text));
}

bool record_from_process(const struct ipct_sigrec *r)
{
	return (r->flags & IPCT_SR_SENDER) && r->via_nr != IPCT_NR_NONE;
}

/* Records only (the signals verb): a lane for each process they show acting or being acted on. */
static void lanes_of_records(struct report *rp)
{
	for (size_t i = 0; i < rp->nrecs; i++) {
		const struct ipct_sigrec *r = &rp->recs[i];

		if (record_from_process(r) && !proc_find(rp, r->sender_pid))
			proc_add(rp, r->sender_pid, r->sender_comm);
		if (r->outcome != IPCT_OUTCOME_UNOBSERVED && !proc_find(rp, r->target_pid))
			proc_add(rp, r->target_pid, r->target_comm);
	}
}

/* Whether the picture draws r: one of its ends has a lane. */
static bool drawn(const struct report *rp, const struct ipct_sigrec *r)
{
	if (r->outcome == IPCT_OUTCOME_UNOBSERVED && !record_from_process(r))
		return false;   /* the kernel telling an untraced process (ipctrace: the command ended) */
	return (r->outcome != IPCT_OUTCOME_UNOBSERVED && proc_find(rp, r->target_pid)) ||
	       (record_from_process(r) && proc_find(rp, r->sender_pid));
}

/* ---- writing ------------------------------------------------------------- */

/* Text into HTML (also inside attributes): markup escaped, control characters shown as '?'. */
static void esc(struct ipct_buf *out, const char *s)
{
	while (*s) {
		size_t n = 0;

		/* The run of characters that go as they are, in one piece. */
		while (s[n] && !strchr("&<>\"", s[n]) && (unsigned char)s[n] >= 0x20 && s[n] != 0x7f)
			n++;
		ipct_buf_append(out, s, n);
		s += n;
		switch (*s) {
		case 0:
			return;
		case '&':
			ipct_buf_printf(out, "&amp;");
			break;
		case '<':
			ipct_buf_printf(out, "&lt;");
			break;
		case '>':
			ipct_buf_printf(out, "&gt;");
			break;
		case '"':
			ipct_buf_printf(out, "&quot;");
			break;
		default:
			ipct_buf_printf(out, "?");
		}
		s++;
	}
}

static void __attribute__((format(printf, 2, 3))) escf(struct ipct_buf *out, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	esc(out, buf);
}

/* The signal's name into buf: SIGUSR1, or "signal 40" for one without a name. */
static void sig_str(int sig, char *buf, size_t len)
{
	const char *name = ipct_sig_name(sig);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, _("signal %d"), sig);
}

static void task_name(char *buf, size_t len, const char *comm, uint32_t pid)
{
	snprintf(buf, len, "%.*s[%u]", IPCT_COMM_LEN, comm, pid);
}

/* What became of a signal, as a CSS class: its colour in the picture and the table. */
static const char *state_class(const struct ipct_sigrec *r)
{
	switch (r->outcome) {
	case IPCT_OUTCOME_HANDLED:
	case IPCT_OUTCOME_ACCEPTED:
		return "ok";
	case IPCT_OUTCOME_STOPPED:
	case IPCT_OUTCOME_CONTINUED:
	case IPCT_OUTCOME_DISCARDED:
		return "warn";
	case IPCT_OUTCOME_IGNORED:
		/* SIGCHLD, SIGURG, SIGWINCH: being dropped by default is their normal fate. */
		return r->action == IPCT_ACT_DEFAULT ? "info" : "bad";
	case IPCT_OUTCOME_UNOBSERVED:
		return "info";
	default:
		return "bad";
	}
}

/* The state words at generation, as the terminal view says them (cli/view.c). */
static const char *generate_words(const struct ipct_sigrec *r)
{
	switch (r->outcome) {
	case IPCT_OUTCOME_MERGED:
		return _("merged: already pending, lost");
	case IPCT_OUTCOME_DROPPED:
		return _("dropped: queue full");
	case IPCT_OUTCOME_IGNORED:
		if (!r->delivered_ns)
			return r->action == IPCT_ACT_DEFAULT ? _("ignored by default") : _("ignored (SIG_IGN)");
		break;
	case IPCT_OUTCOME_UNOBSERVED:
		return _("sent (not traced)");
	}
	return r->flags & IPCT_SR_BLOCKED ? _("pending (blocked)") : _("generated");
}

static const char *deliver_words(const struct ipct_sigrec *r)
{
	switch (r->outcome) {
	case IPCT_OUTCOME_TERMINATED:
		return _("delivered: kills it");
	case IPCT_OUTCOME_CORE:
		return _("delivered: kills it (core)");
	case IPCT_OUTCOME_STOPPED:
		return _("delivered: stops it");
	case IPCT_OUTCOME_CONTINUED:
		return _("delivered: continues it");
	case IPCT_OUTCOME_IGNORED:
		return r->action == IPCT_ACT_DEFAULT ? _("delivered: ignored by default")
						     : _("delivered: ignored (SIG_IGN)");
	case IPCT_OUTCOME_ACCEPTED:
		return r->action == IPCT_ACT_SIGNALFD ? _("accepted by a signalfd read") : _("accepted by sigwait");
	}
	return _("delivered");
}

/* Why the kernel sent it, or the call a process sent it with. */
static void origin_words(const struct ipct_sigrec *r, char *buf, size_t len)
{
	const char *call = r->via_nr != IPCT_NR_NONE ? ipct_syscall_name(r->via_nr) : NULL;

	if (call)
		snprintf(buf, len, "%s()", call);
	else if (r->cause == IPCT_CAUSE_CHILD && (r->flags & IPCT_SR_SENDER))
		snprintf(buf, len, _("child %u ended"), r->sender_pid);
	else if (r->cause == IPCT_CAUSE_PIPE)
		snprintf(buf, len, "%s", _("write with no reader"));
	else if (r->cause == IPCT_CAUSE_FAULT)
		snprintf(buf, len, "%s", _("fault"));
	else if (r->cause == IPCT_CAUSE_TIMER)
		snprintf(buf, len, "%s", _("timer"));
	else if (r->cause == IPCT_CAUSE_TERMINAL)
		snprintf(buf, len, "%s", _("terminal"));
	else
		snprintf(buf, len, "%s", _("kernel"));
}

static void dur_str(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000)
		snprintf(buf, len, "%.2f s", (double)ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.1f µs", (double)ns / 1e3);
}

static int moment_cmp(const void *a, const void *b)
{
	const struct moment *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct picture {
	struct moment *m;
	size_t n;
	int *row_of_proc_start, *row_of_proc_end;
	size_t *gen_row;        /* per record: its generation's row */
};

static void add_moment(struct picture *pic, uint64_t ts, enum mkind kind, size_t idx)
{
	pic->m[pic->n] = (struct moment){ ts, kind, idx, pic->n };
	pic->n++;
}

static int lane_x(const struct rproc *p)
{
	return GUTTER_W + LANE_W / 2 + p->lane * LANE_W;
}

static int row_y(size_t row)
{
	return HEAD_H + 30 + (int)row * ROW_H;
}

/* A label at (x, y), anchored at its start; cls sets its colour. */
static void svg_text(struct ipct_buf *out, int x, int y, const char *cls, const char *text)
{
	ipct_buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"%s\">", x, y, cls);
	esc(out, text);
	ipct_buf_printf(out, "</text>\n");
}

/* The signal arrow of r at row y: from its sender's lane (or the kernel) to its target's (or a box). */
static void draw_signal(struct report *rp, const struct ipct_sigrec *r, int y, struct ipct_buf *out)
{
	const struct rproc *snd = record_from_process(r) ? proc_find(rp, r->sender_pid) : NULL;
	const struct rproc *tgt = r->outcome != IPCT_OUTCOME_UNOBSERVED ? proc_find(rp, r->target_pid) : NULL;
	const char *cls = state_class(r);
	bool lost = r->outcome == IPCT_OUTCOME_MERGED || r->outcome == IPCT_OUTCOME_DROPPED ||
		    (r->outcome == IPCT_OUTCOME_IGNORED && !r->delivered_ns);
	char sig[32], from[64], to[64], origin[64], label[256];
	int xs, xt;

	sig_str(r->sig, sig, sizeof(sig));
	origin_words(r, origin, sizeof(origin));
	snprintf(label, sizeof(label), "%s %s · %s", sig, generate_words(r), origin);
	if (snd)
		task_name(from, sizeof(from), snd->comm, snd->pid);
	else if (record_from_process(r))
		task_name(from, sizeof(from), r->sender_comm, r->sender_pid);
	else
		snprintf(from, sizeof(from), "kernel");
	task_name(to, sizeof(to), r->target_comm, r->target_pid);
	ipct_buf_printf(out, "<g class=\"signal %s\" data-id=\"%" PRIu64 "\" data-sig=\"%s\" data-from=\"", cls,
			(uint64_t)r->id, sig);
	esc(out, from);
	ipct_buf_printf(out, "\" data-to=\"");
	esc(out, to);
	ipct_buf_printf(out, "\" data-via=\"%s\" data-outcome=\"%s\">\n",
			r->via_nr != IPCT_NR_NONE && ipct_syscall_name(r->via_nr) ? ipct_syscall_name(r->via_nr)
										     : "kernel",
			ipct_outcome_name(r->outcome) ?: "?");
	ipct_buf_printf(out, "<title>");
	escf(out, "#%" PRIu64 " %s %s -> %s", (uint64_t)r->id, sig, from, to);
	ipct_buf_printf(out, "</title>\n");
	if (tgt)
		xt = lane_x(tgt);
	else
		xt = lane_x(snd) + LANE_W * 2 / 3;      /* an untraced target: a box right of the sender */
	xs = snd ? lane_x(snd) : xt - KERNEL_W;
	if (snd && tgt && snd == tgt) {
		/* To itself: out of the lane and back in. */
		ipct_buf_printf(out, "<path class=\"arrow\" d=\"M%d %d h40 v%d h-34\" marker-end=\"url(#%s)\"/>\n",
				xs, y - 12, ROW_H / 2, lost ? "x" : "head");
		svg_text(out, xs + 48, y - 2, "label", label);
	} else {
		ipct_buf_printf(out, "<line class=\"arrow\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
				"marker-end=\"url(#%s)\"/>\n", xs, y, xt + (xt > xs ? -6 : 6), y, lost ? "x" : "head");
		/* From the kernel: beside the target's lane, clear of the arrow's start. */
		if (snd || !tgt)
			svg_text(out, (xs < xt ? xs : xt) + 8, y - 8, "label", label);
		else
			svg_text(out, xt + 14, y + 6, "label", label);
	}
	if (!snd)
		svg_text(out, xs - 6, y + 6, "kernel", record_from_process(r) ? from : _("kernel"));
	if (!tgt) {
		snprintf(label, sizeof(label), _("%s (not traced)"), to);
		svg_text(out, xt + 6, y + 6, "box", label);
	}
	ipct_buf_printf(out, "</g>\n");
}

/* A mark on a lane at row y: delivered (filled), returned (hollow), never delivered (a cross). */
static void draw_mark(const struct rproc *p, enum mkind kind, const struct ipct_sigrec *r, int y,
		      struct ipct_buf *out)
{
	char sig[32], label[256], t[32];
	int x = lane_x(p);

	sig_str(r->sig, sig, sizeof(sig));
	if (kind == MK_DELIVER) {
		const char *words = deliver_words(r);

		if (r->action == IPCT_ACT_HANDLER && r->handler_name[0])
			snprintf(label, sizeof(label), "%s %s → %.*s()", sig, words, IPCT_HANDLER_NAME_LEN,
				 r->handler_name);
		else if (r->action == IPCT_ACT_HANDLER)
			snprintf(label, sizeof(label), _("%s %s → handler 0x%" PRIx64), sig, words,
				 (uint64_t)r->handler);
		else
			snprintf(label, sizeof(label), "%s %s", sig, words);
		if (r->generated_ns && r->delivered_ns > r->generated_ns &&
		    ((r->flags & IPCT_SR_BLOCKED) || r->delivered_ns - r->generated_ns >= 1000000)) {
			dur_str(r->delivered_ns - r->generated_ns, t, sizeof(t));
			snprintf(label + strlen(label), sizeof(label) - strlen(label), _(" · was pending %s"), t);
		}
		ipct_buf_printf(out, "<circle class=\"deliver %s\" cx=\"%d\" cy=\"%d\" r=\"8\"/>\n", state_class(r), x,
				y);
	} else if (kind == MK_RETURN) {
		snprintf(label, sizeof(label), _("%s handled · %.*s() returned"), sig, IPCT_HANDLER_NAME_LEN,
			 r->handler_name[0] ? r->handler_name : "handler");
		ipct_buf_printf(out, "<circle class=\"return\" cx=\"%d\" cy=\"%d\" r=\"8\"/>\n", x, y);
	} else {
		snprintf(label, sizeof(label), "%s %s", sig,
			 r->outcome == IPCT_OUTCOME_DISCARDED ? _("discarded while pending")
			 : r->flags & IPCT_SR_TRACE_END ? _("never delivered: pending when tracing stopped")
			 : r->flags & IPCT_SR_BLOCKED ? _("never delivered: still blocked at exit")
						      : _("never delivered: still pending at exit"));
		ipct_buf_printf(out, "<path class=\"never\" d=\"M%d %d l14 14 m0 -14 l-14 14\"/>\n", x - 7, y - 7);
	}
	svg_text(out, x + 14, y + 6, kind == MK_NEVER ? "label bad" : "label", label);
}

static void svg_lanes(struct report *rp, const struct ipct_fmt *fmt, struct ipct_buf *out)
{
	struct picture pic = { 0 };
	size_t nrows, *rec_row = NULL, *start_row = NULL, *end_row = NULL, shown = 0, all = 0;
	int width, height;
	uint64_t t0;

	/* Each record has at most four moments, each process two. */
	pic.m = calloc(rp->nrecs * 4 + rp->nprocs * 2 + 1, sizeof(*pic.m));
	rec_row = calloc(rp->nrecs * 4 + 1, sizeof(*rec_row));
	start_row = calloc(rp->nprocs + 1, sizeof(*start_row));
	end_row = calloc(rp->nprocs + 1, sizeof(*end_row));
	if (!pic.m || !rec_row || !start_row || !end_row) {
		rp->failed = true;
		goto out;
	}
	for (size_t i = 0; i < rp->nprocs; i++) {
		if (rp->procs[i].fork_ns)
			add_moment(&pic, rp->procs[i].fork_ns, MK_FORK, i);
		if (rp->procs[i].exit_ns)
			add_moment(&pic, rp->procs[i].exit_ns, MK_EXIT, i);
	}
	for (size_t i = 0; i < rp->nrecs; i++) {
		const struct ipct_sigrec *r = &rp->recs[i];
		const struct rproc *tgt = proc_find(rp, r->target_pid);
		bool never = r->outcome == IPCT_OUTCOME_NEVER_DELIVERED || r->outcome == IPCT_OUTCOME_DISCARDED;

		if (!drawn(rp, r) || all++ >= PICTURE_MAX)
			continue;
		shown++;
		add_moment(&pic, r->generated_ns ?: r->delivered_ns, MK_GEN, i);
		if (r->delivered_ns && r->outcome != IPCT_OUTCOME_UNOBSERVED && !never)
			add_moment(&pic, r->delivered_ns, MK_DELIVER, i);
		if (r->outcome == IPCT_OUTCOME_HANDLED && (r->flags & IPCT_SR_RETURNED))
			add_moment(&pic, r->returned_ns, MK_RETURN, i);
		if (never)
			add_moment(&pic, r->outcome == IPCT_OUTCOME_DISCARDED ? r->discarded_ns
					 : tgt && tgt->exit_ns ? tgt->exit_ns : r->generated_ns, MK_NEVER, i);
	}
	qsort(pic.m, pic.n, sizeof(*pic.m), moment_cmp);
	/* A lane runs from its fork (or the top) to its exit (or the bottom). */
	nrows = pic.n;
	for (size_t i = 0; i < rp->nprocs; i++)
		end_row[i] = nrows;
	for (size_t row = 0; row < pic.n; row++) {
		if (pic.m[row].kind == MK_FORK)
			start_row[pic.m[row].idx] = row;
		else if (pic.m[row].kind == MK_EXIT)
			end_row[pic.m[row].idx] = row;
		else if (pic.m[row].kind == MK_GEN)
			rec_row[pic.m[row].idx] = row;
	}
	width = GUTTER_W + (int)rp->nprocs * LANE_W + RIGHT_W;
	height = row_y(nrows) + 20;
	t0 = fmt->start_ns ? fmt->start_ns : pic.n ? pic.m[0].ts : 0;
	ipct_buf_printf(out, "<svg class=\"lanes\" viewBox=\"0 0 %d %d\" width=\"%d\" role=\"img\" "
			"aria-label=\"%s\">\n", width, height, width, _("signals between processes"));
	ipct_buf_printf(out, "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
			"markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
			"<path d=\"M0 0 L10 5 L0 10 z\" fill=\"context-stroke\"/></marker>"
			"<marker id=\"x\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"5\" markerWidth=\"9\" "
			"markerHeight=\"9\"><path d=\"M1 1 L9 9 M9 1 L1 9\" stroke=\"#c62828\" stroke-width=\"2\"/>"
			"</marker></defs>\n");
	/* The lanes: a header with comm[pid], a line from its start to its end. */
	for (size_t i = 0; i < rp->nprocs; i++) {
		const struct rproc *p = &rp->procs[i];
		int x = lane_x(p), y0 = p->fork_ns ? row_y(start_row[i]) : HEAD_H;
		int y1 = p->exit_ns ? row_y(end_row[i]) : row_y(nrows);
		char name[64];

		task_name(name, sizeof(name), p->comm, p->pid);
		ipct_buf_printf(out, "<g class=\"lane\" data-pid=\"%u\" data-comm=\"", p->pid);
		esc(out, p->comm);
		ipct_buf_printf(out, "\">\n<line class=\"lifeline\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x,
				y0, x, y1);
		ipct_buf_printf(out, "<rect class=\"head\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"34\" rx=\"6\"/>\n",
				x - LANE_W / 2 + 10, y0 - 44, LANE_W - 20);
		ipct_buf_printf(out, "<text class=\"name\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, y0 - 20);
		esc(out, name);
		ipct_buf_printf(out, "</text>\n");
		if (p->exit_ns) {
			char st[64];
			bool killed = WIFSIGNALED(p->status);

			ipct_wait_status_text(p->status, st, sizeof(st));
			ipct_buf_printf(out, "<rect class=\"end%s\" x=\"%d\" y=\"%d\" width=\"20\" height=\"6\"/>\n",
					killed ? " bad" : "", x - 10, y1 - 3);
			svg_text(out, x + 14, y1 + 6, killed ? "label bad" : "label", st);
		}
		ipct_buf_printf(out, "</g>\n");
	}
	for (size_t row = 0; row < pic.n; row++) {
		const struct moment *m = &pic.m[row];
		int y = row_y(row);
		char t[32];

		snprintf(t, sizeof(t), "%+.3f ms", (double)(int64_t)(m->ts - t0) / 1e6);
		svg_text(out, 8, y + 6, "time", t);
		if (m->kind == MK_FORK) {
			const struct rproc *c = &rp->procs[m->idx], *parent = proc_find(rp, c->ppid);

			if (parent)
				ipct_buf_printf(out, "<line class=\"fork\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
						lane_x(parent), y - 30, lane_x(c) - LANE_W / 2 + 10, y - 30);
		} else if (m->kind == MK_GEN) {
			draw_signal(rp, &rp->recs[m->idx], y, out);
		} else if (m->kind != MK_EXIT) {
			const struct ipct_sigrec *r = &rp->recs[m->idx];
			const struct rproc *tgt = proc_find(rp, r->target_pid);
			int yg = row_y(rec_row[m->idx]);

			if (!tgt)
				continue;
			/* Pending: the time between generation and delivery, on the target's lane. */
			if (m->kind == MK_DELIVER && r->generated_ns && r->delivered_ns > r->generated_ns &&
			    ((r->flags & IPCT_SR_BLOCKED) || r->delivered_ns - r->generated_ns >= 1000000))
				ipct_buf_printf(out, "<line class=\"pending%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
						"y2=\"%d\"/>\n", r->flags & IPCT_SR_BLOCKED ? " blocked" : "",
						lane_x(tgt) + 5, yg + 4, lane_x(tgt) + 5, y - 10);
			draw_mark(tgt, m->kind, r, y, out);
		}
	}
	ipct_buf_printf(out, "</svg>\n");
	if (shown < all) {
		ipct_buf_printf(out, "<p class=\"notes\">");
		escf(out, _("The picture shows the first %zu of %zu signals; the table has them all."), shown, all);
		ipct_buf_printf(out, "</p>\n");
	}
out:
	free(pic.m);
	free(rec_row);
	free(start_row);
	free(end_row);
}

static const char *const legend[][2] = {
	{ "arrow", N_("a signal, from its sender (or the kernel) to its target") },
	{ "deliver ok", N_("delivered: its handler runs, or sigwait takes it") },
	{ "return", N_("the handler returned: the signal is handled") },
	{ "pending", N_("pending between generation and delivery (dashed: blocked)") },
	{ "bad", N_("red: lost (merged, ignored, dropped), or it killed the process") },
};

static void html_legend(struct ipct_buf *out)
{
	ipct_buf_printf(out, "<ul class=\"legend\">\n");
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]); i++) {
		ipct_buf_printf(out, "<li><span class=\"key %s\"></span>", legend[i][0]);
		esc(out, _(legend[i][1]));
		ipct_buf_printf(out, "</li>\n");
	}
	ipct_buf_printf(out, "</ul>\n");
}

static int by_id(const void *a, const void *b)
{
	const struct ipct_sigrec *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void html_table(struct report *rp, const struct ipct_fmt *fmt, struct ipct_buf *out)
{
	ipct_buf_printf(out, "<table class=\"signals\">\n<thead><tr><th>#</th><th>%s</th><th>%s</th><th>%s</th>"
			"<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n", _("time"),
			_("signal"), _("sender → target"), _("result"), _("pending"), _("action"), _("outcome"));
	for (size_t i = 0; i < rp->nrecs; i++) {
		const struct ipct_sigrec *r = &rp->recs[i];
		uint64_t when = r->generated_ns ?: r->delivered_ns;
		char sig[32], from[64], to[64], t[64], pend[32] = "-", why[512];

		sig_str(r->sig, sig, sizeof(sig));
		if (r->flags & IPCT_SR_SENDER)
			task_name(from, sizeof(from), r->sender_comm, r->sender_pid);
		else
			snprintf(from, sizeof(from), "kernel");
		if (!record_from_process(r))
			origin_words(r, from, sizeof(from));
		task_name(to, sizeof(to), r->target_comm, r->target_pid);
		if (fmt->start_ns)
			snprintf(t, sizeof(t), "%.6f", (double)(int64_t)(when - fmt->start_ns) / 1e9);
		else
			local_time_str((int64_t)when + fmt->realtime_off, t, sizeof(t));
		if (r->delivered_ns && r->generated_ns)
			dur_str(r->delivered_ns - r->generated_ns, pend, sizeof(pend));
		ipct_buf_printf(out, "<tr class=\"%s\"><td>%" PRIu64 "</td><td>%s</td><td>%s</td><td>", state_class(r),
				(uint64_t)r->id, t, sig);
		escf(out, "%s → %s", from, to);
		ipct_buf_printf(out, "</td><td>%s</td><td>%s</td><td>%s</td><td class=\"outcome\">%s</td></tr>\n",
				r->flags & IPCT_SR_GENERATED ? ipct_sig_result_name(r->result) ?: "-" : "-", pend,
				ipct_action_name(r->action) ?: "-", ipct_outcome_name(r->outcome) ?: "?");
		ipct_sigrec_explain(r, why, sizeof(why));
		if (why[0]) {
			ipct_buf_printf(out, "<tr class=\"why\"><td></td><td colspan=\"7\">");
			esc(out, why);
			ipct_buf_printf(out, "</td></tr>\n");
		}
	}
	ipct_buf_printf(out, "</tbody></table>\n");
}

/* dot's SVG of the graph into out; -errno, -ENOENT when dot is not there. */
static int run_dot(struct json_object *objects, struct ipct_buf *out)
{
	struct ipct_buf in = { 0 }, svg = { 0 };
	int memfd = -1, pipefd[2] = { -1, -1 }, status, err = 0;
	const char *start;
	ssize_t n;
	pid_t pid;

	print_graph(IPCT_OUT_DOT, false, objects, &in);
	memfd = memfd_create("ipctrace-dot", MFD_CLOEXEC);
	if (memfd < 0 || write(memfd, in.data + in.start, ipct_buf_len(&in)) != (ssize_t)ipct_buf_len(&in) ||
	    lseek(memfd, 0, SEEK_SET) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		err = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0) {
		if (dup2(memfd, STDIN_FILENO) < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0)
			_exit(126);
		execlp("dot", "dot", "-Tsvg", (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	while ((n = ipct_buf_read_fd(&svg, pipefd[0])) > 0 || n == -EINTR)
		;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		err = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
		goto out;
	}
	ipct_buf_append(&svg, "", 1);
	/* From <svg on: the XML prolog and DOCTYPE are a file's, not a page's. */
	start = strstr(svg.data + svg.start, "<svg");
	if (!start) {
		err = -EIO;
		goto out;
	}
	/* Inline SVG needs no namespace: the page names no address at all. */
	for (const char *s = start; *s;) {
		static const char *const drop[] = { " xmlns=\"http://www.w3.org/2000/svg\"",
						    " xmlns:xlink=\"http://www.w3.org/1999/xlink\"" };
		size_t k;

		for (k = 0; k < 2 && strncmp(s, drop[k], strlen(drop[k])); k++)
			;
		if (k < 2) {
			s += strlen(drop[k]);
			continue;
		}
		ipct_buf_append(out, s, 1);
		s++;
	}
out:
	if (memfd >= 0)
		close(memfd);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	ipct_buf_free(&in);
	ipct_buf_free(&svg);
	return err;
}

static void html_graph(struct report *rp, struct ipct_buf *out)
{
	int err;

	if (!json_object_array_length(rp->objects)) {
		ipct_buf_printf(out, "<p class=\"none\">%s</p>\n", _("(no pipes, FIFOs or sockets)"));
		return;
	}
	ipct_buf_printf(out, "<div class=\"graph\">\n");
	err = run_dot(rp->objects, out);
	ipct_buf_printf(out, "</div>\n");
	if (!err)
		return;
	if (err == -ENOENT) {
		fprintf(stderr, _("ipctrace: Graphviz's dot was not found: the report has no object graph "
				  "(install graphviz)\n"));
		ipct_buf_printf(out, "<p class=\"missing\">%s</p>\n",
				_("Graphviz's dot was not found when this report was written: the object graph is "
				  "left out (install graphviz). `ipctrace pipes` shows the objects as text."));
	} else {
		fprintf(stderr, _("ipctrace: dot failed to draw the object graph: %s\n"), strerror(-err));
		ipct_buf_printf(out, "<p class=\"missing\">%s</p>\n", _("dot failed to draw the object graph."));
	}
}

/* A diagnosis's line: its kind, then its message. */
static void diag_item(struct ipct_buf *out, bool info, const char *kind, const char *msg)
{
	ipct_buf_printf(out, "<li class=\"%s\">", info ? "info" : "bad");
	if (kind) {
		ipct_buf_printf(out, "<span class=\"kind\">");
		esc(out, kind);
		ipct_buf_printf(out, "</span> ");
	}
	esc(out, msg);
	ipct_buf_printf(out, "</li>\n");
}

/* The diagnoses; the pipes verb has none but its objects' warnings, which are their messages. */
static void html_diags(struct report *rp, struct ipct_buf *out)
{
	size_t n = json_object_array_length(rp->diags), items = 0;

	ipct_buf_printf(out, "<ul class=\"diags\">\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(rp->diags, i), *m, *k;

		if (json_object_object_get_ex(d, "message", &m) && ++items)
			diag_item(out, diag_is_info(d),
				  json_object_object_get_ex(d, "kind", &k) ? json_object_get_string(k) : NULL,
				  json_object_get_string(m));
	}
	for (size_t i = 0; !n && rp->objects && i < json_object_array_length(rp->objects); i++) {
		struct json_object *o = json_object_array_get_idx(rp->objects, i), *w;

		if (!json_object_object_get_ex(o, "warnings", &w))
			continue;
		for (size_t k = 0; k < json_object_array_length(w); k++, items++)
			diag_item(out, false, NULL, json_object_get_string(json_object_array_get_idx(w, k)));
	}
	ipct_buf_printf(out, "</ul>\n");
	if (!items)
		ipct_buf_printf(out, "<p class=\"none\">%s</p>\n", _("Nothing went wrong that ipctrace could see."));
}

/* Projector first: large type, strong colours; print: black on white, no page breaks inside a picture. */
static const char css[] =
	"body{font:22px/1.45 system-ui,sans-serif;margin:1.5em;color:#111;background:#fff}"
	"h1{font-size:1.8em;margin:0 0 .3em}h2{font-size:1.35em;margin:1.6em 0 .5em;"
	"border-bottom:3px solid #ddd}"
	".notes{color:#444}.lanes{max-width:100%;height:auto;display:block}"
	/* A white halo: words stay readable where they cross a lane. */
	".lanes text{font-size:17px;font-family:system-ui,sans-serif;paint-order:stroke;stroke:#fff;"
	"stroke-width:5px;stroke-linejoin:round}"
	".lanes .name{font-size:19px;font-weight:bold}.lanes .time{fill:#666;font-size:15px}"
	".lanes .head{fill:#eef2f7;stroke:#34495e;stroke-width:2}"
	".lifeline{stroke:#34495e;stroke-width:3}.fork{stroke:#999;stroke-width:2;stroke-dasharray:4 4}"
	".end{fill:#34495e}.end.bad{fill:#c62828}"
	".arrow{stroke:#6a1b9a;stroke-width:3;fill:none}"
	".signal.ok .arrow{stroke:#2e7d32}.signal.bad .arrow{stroke:#c62828}"
	".signal.warn .arrow{stroke:#e65100}.signal.info .arrow{stroke:#00838f}"
	".label{fill:#111}.label.bad,.signal.bad .label{fill:#b71c1c}.kernel{fill:#555;text-anchor:end}"
	".box{fill:#555;font-style:italic}"
	".deliver{fill:#2e7d32}.deliver.bad{fill:#c62828}.deliver.warn{fill:#e65100}.deliver.info{fill:#00838f}"
	".return{fill:#fff;stroke:#2e7d32;stroke-width:3}.never{stroke:#c62828;stroke-width:3}"
	".pending{stroke:#e65100;stroke-width:4}.pending.blocked{stroke-dasharray:6 5}"
	".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4em 1.6em;font-size:.85em}"
	".key{display:inline-block;width:1.6em;height:.5em;margin-right:.4em;vertical-align:middle;"
	"background:#6a1b9a}.key.deliver{height:.8em;width:.8em;border-radius:50%;background:#2e7d32}"
	".key.return{height:.8em;width:.8em;border-radius:50%;background:#fff;border:3px solid #2e7d32}"
	".key.pending{background:#e65100}.key.bad{background:#c62828}"
	"table{border-collapse:collapse;font-size:.9em}th,td{padding:.25em .6em;text-align:left;"
	"border-bottom:1px solid #ddd}th{background:#f3f3f3}"
	"tr.bad .outcome{color:#b71c1c;font-weight:bold}tr.ok .outcome{color:#2e7d32}"
	"tr.warn .outcome{color:#e65100}tr.why td{border-bottom:2px solid #ccc;font-style:italic;color:#333}"
	".graph svg{max-width:100%;height:auto}"
	".diags li{margin:.4em 0}.diags li.bad{color:#b71c1c}.kind{font-family:monospace;background:#f3f3f3;"
	"padding:0 .3em;color:#111}"
	".missing{color:#b71c1c;font-weight:bold}"
	"@media print{body{font-size:12pt;margin:0}h2{break-after:avoid}svg,tr{break-inside:avoid}"
	".lanes,.graph svg{max-width:100%}}";

int report_html(struct report *rp, const struct ipct_fmt *fmt, struct ipct_buf *out)
{
	for (size_t i = 0; rp->lc && i < rp->nsessions; i++)
		ipct_lc_end_session(rp->lc, rp->sessions[i], rp->last_ns);
	if (rp->graph) {
		struct json_object *all = json_object_new_array();

		for (size_t i = 0; all && i < rp->nsessions; i++) {
			struct json_object *objs = ipct_graph_session_json(rp->graph, rp->sessions[i]);

			for (size_t k = 0; objs && k < json_object_array_length(objs); k++)
				json_object_array_add(all, json_object_get(json_object_array_get_idx(objs, k)));
			json_object_put(objs);
		}
		report_objects(rp, all);
		json_object_put(all);
	}
	if (!rp->nprocs)
		lanes_of_records(rp);
	qsort(rp->recs, rp->nrecs, sizeof(*rp->recs), by_id);
	ipct_buf_printf(out, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
	esc(out, rp->title);
	ipct_buf_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
	esc(out, rp->title);
	ipct_buf_printf(out, "</h1>\n");
	for (size_t i = 0; i < json_object_array_length(rp->notes); i++) {
		ipct_buf_printf(out, "<p class=\"notes\">");
		esc(out, json_object_get_string(json_object_array_get_idx(rp->notes, i)));
		ipct_buf_printf(out, "</p>\n");
	}
	if (rp->nprocs || rp->nrecs) {
		ipct_buf_printf(out, "<h2>%s</h2>\n", _("Signals between processes"));
		svg_lanes(rp, fmt, out);
		html_legend(out);
		ipct_buf_printf(out, "<h2>%s</h2>\n", _("Every signal"));
		if (rp->nrecs)
			html_table(rp, fmt, out);
		else
			ipct_buf_printf(out, "<p class=\"none\">%s</p>\n", _("(no signals)"));
	}
	if (rp->objects) {
		ipct_buf_printf(out, "<h2>%s</h2>\n", _("Pipes, FIFOs and sockets"));
		html_graph(rp, out);
	}
	/* The signals verb has no diagnoses to show; run, log and pipes have them, or none. */
	if (rp->objects || json_object_array_length(rp->diags)) {
		ipct_buf_printf(out, "<h2>%s</h2>\n", _("What went wrong"));
		html_diags(rp, out);
	}
	ipct_buf_printf(out, "</body>\n</html>\n");
	if (rp->failed) {
		fprintf(stderr, _("ipctrace: out of memory\n"));
		return -ENOMEM;
	}
	return 0;
}
