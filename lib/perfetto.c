// SPDX-License-Identifier: MIT
/*
 * `-o perfetto`: the Trace Event Format of docs/perfetto.md, streamed.
 *
 * Each event becomes its trace events at once; what needs a later event
 * waits in bounded state: a signal until its lifecycle record ends (the
 * correlator of lib/lifecycle.c, run here on the same events), the data a
 * write put into a channel until a read takes it. Times are CLOCK_BOOTTIME
 * in microseconds with three decimals (exact nanoseconds), as the events
 * have them, so that `run` and `log` of one session give the same trace.
 *
 * Flow arrows are the format's "s" and "f" events: "s" binds to the slice
 * that encloses it on its thread, "f" (with "bp":"e") too. Every endpoint
 * is put inside a slice made for it: a data flow inside its write's and
 * read's slices (flow_times), a signal at a slice of no length at its
 * generation (inside the kill that sent it, if any) and at its handler's
 * slice (or one of no length at its delivery), each written before its
 * endpoint at the same time, so that it is on the stack when the endpoint
 * is read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "i18n.h"
#include "lifecycle.h"
#include "names.h"
#include "perfetto.h"
#include "safetext.h"
#include "sigrec.h"
#include "syscalls.h"

#define NBUCKETS 1024
/* Writes not yet read (or reads not yet matched) kept per channel: past this, its flows stop. */
#define QUEUE_MAX 4096
/* A receive that did not say the priority of its message: it took the highest. */
#define KEY_HIGHEST (-2)
#define KEY_ANY (-1)
/*
 * Exited processes whose tracks are kept: their last records (the SIGCHLD
 * their exit sent) come after their exit event. Past this, the oldest is
 * forgotten (a pid used again is a new process).
 */
#define EXITED_KEPT 64

struct thread {
	uint32_t tid;
	struct thread *hnext;   /* in the table by tid */
	struct thread *pnext;   /* in its process's list */
};

struct proc {
	uint32_t pid, session;
	bool exited;
	char comm[IPCT_COMM_LEN + 1];
	struct thread *threads;
	struct proc *next;
};

/* A write's data not yet read, or a read whose write has not come yet: one end of a flow. */
struct io {
	struct io *next;
	uint32_t pid, tid;
	uint64_t start, end;    /* the call's slice */
	uint64_t left;          /* bytes (1 for a message) */
	int64_t key;            /* a message's priority (POSIX) or type (System V); KEY_ANY */
};

struct queue {
	struct io *head, **tail;
	unsigned n;
};

/* A pipe, FIFO, socket or queue: where writes wait for the reads that take them. */
struct chan {
	uint64_t ino;
	uint64_t peer;          /* a socket's other end: where its writes go (0: not known) */
	uint8_t kind;
	bool msgs;              /* datagrams or messages, not a byte stream */
	bool lost;              /* a queue overflowed: what matches what is not known any more */
	char name[48];          /* "pipe:[1234]": its arrows' name */
	struct queue w, r;
	struct chan *next;
};

struct ipct_pf {
	struct ipct_fmt f;      /* JSON mode: the args of each slice */
	struct ipct_lc *lc;
	struct ipct_buf *out;   /* while an event or the end is handled: where records go */
	struct ipct_buf tmp;
	struct proc *procs[NBUCKETS];
	struct thread *threads[NBUCKETS];
	struct chan *chans[NBUCKETS];
	uint64_t sort_index;    /* tracks in the order met */
	uint64_t flows;         /* flow ids */
	uint64_t last_ns;
	uint32_t exited[EXITED_KEPT];   /* a ring of pids, oldest at exited_at */
	unsigned exited_at;
	size_t nevents;
	int err;
};

/* ---- writing ---------------------------------------------------------------- */

/*
 * The writers: by hand, not printf, and a string copied as it is unless it
 * needs an escape (a trace has an event or two per event of the trace).
 */
static void put_mem(struct ipct_pf *p, const char *s, size_t n)
{
	if (ipct_buf_append(p->out, s, n) < 0)
		p->err = -ENOMEM;
}

/* A string literal. */
#define put_lit(p, s) put_mem(p, s, sizeof(s) - 1)

static void put_u64(struct ipct_pf *p, uint64_t v)
{
	char buf[20], *d = buf + sizeof(buf);

	do
		*--d = (char)('0' + v % 10);
	while (v /= 10);
	put_mem(p, d, (size_t)(buf + sizeof(buf) - d));
}

/* Nanoseconds as microseconds with three decimals: exact. */
static void put_us(struct ipct_pf *p, uint64_t ns)
{
	char frac[4] = { '.', (char)('0' + ns / 100 % 10), (char)('0' + ns / 10 % 10), (char)('0' + ns % 10) };

	put_u64(p, ns / 1000);
	put_mem(p, frac, sizeof(frac));
}

/*
 * s as a JSON string: as it is when it is printable ASCII without quotes
 * or backslashes (our own words, most names), else escaped as json-c
 * escapes and made valid UTF-8 (what a program chose may be anything).
 */
static void put_str(struct ipct_pf *p, const char *s)
{
	size_t n = 0, from = ipct_buf_len(p->out);
	struct json_object *o;

	while (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
		n++;
	if (!s[n]) {
		put_lit(p, "\"");
		put_mem(p, s, n);
		put_lit(p, "\"");
		return;
	}
	o = json_object_new_string(s);
	if (!o) {
		p->err = -ENOMEM;
		return;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	put_mem(p, s, strlen(s));
	json_object_put(o);
	if (ipct_json_fix_utf8(p->out, from) < 0)
		p->err = -ENOMEM;
}

/*
 * A trace event's start: its phase, time (ns, as microseconds), track,
 * category and name. The time comes before any string: Perfetto's
 * tokenizer reads the keys in order up to "ts", and some of its versions
 * give up on a \u escape on the way (a name a program chose may have one).
 */
static void ev_open(struct ipct_pf *p, char ph, const char *cat, const char *name, uint32_t pid, uint32_t tid,
		    uint64_t ns)
{
	char phase[] = "{\"ph\":\"?\",\"ts\":";

	if (p->nevents++)
		put_lit(p, ",\n");
	phase[7] = ph;
	put_lit(p, phase);
	put_us(p, ns);
	put_lit(p, ",\"pid\":");
	put_u64(p, pid);
	put_lit(p, ",\"tid\":");
	put_u64(p, tid);
	put_lit(p, ",\"cat\":\"");
	put_mem(p, cat, strlen(cat));
	put_lit(p, "\",\"name\":");
	put_str(p, name);
}

static void put_dur(struct ipct_pf *p, uint64_t ns)
{
	put_lit(p, ",\"dur\":");
	put_us(p, ns);
}

/* ,"args":{"KEY": the JSON line in p->tmp (valid UTF-8 already), without its '\n'}} and the event's end. */
static void put_args_tmp(struct ipct_pf *p, const char *key)
{
	size_t n = ipct_buf_len(&p->tmp);

	put_lit(p, ",\"args\":{\"");
	put_mem(p, key, strlen(key));
	put_lit(p, "\":");
	put_mem(p, p->tmp.data + p->tmp.start, n && p->tmp.data[p->tmp.end - 1] == '\n' ? n - 1 : n);
	ipct_buf_consume(&p->tmp, n);
	put_lit(p, "}}");
}

/* The event as `-o json` gives it (docs/events.md), as the args of its trace event. */
static void put_event_args(struct ipct_pf *p, const struct ipct_event *e)
{
	if (ipct_format_event(&p->f, e, &p->tmp) < 0)
		p->err = -ENOMEM;
	put_args_tmp(p, "event");
}

static void put_record_args(struct ipct_pf *p, const struct ipct_sigrec *r)
{
	if (ipct_format_sigrec(&p->f, r, &p->tmp) < 0)
		p->err = -ENOMEM;
	put_args_tmp(p, "record");
}

/* "comm[pid]", as every output names a process. */
static void who(char *buf, size_t len, const char *comm, uint32_t pid)
{
	snprintf(buf, len, "%.*s[%" PRIu32 "]", IPCT_COMM_LEN, comm, pid);
}

/* ---- tracks ------------------------------------------------------------------ */

static struct proc *proc_find(struct ipct_pf *p, uint32_t pid)
{
	struct proc *pr = p->procs[pid % NBUCKETS];

	while (pr && pr->pid != pid)
		pr = pr->next;
	return pr;
}

/* A track's name, and (when first met) its place among the others. */
static void name_track(struct ipct_pf *p, bool process, uint32_t pid, uint32_t tid, const char *comm, uint64_t ns,
		       bool first)
{
	char name[IPCT_COMM_LEN + 16];

	who(name, sizeof(name), comm, process ? pid : tid);
	ev_open(p, 'M', "__metadata", process ? "process_name" : "thread_name", pid, tid, ns);
	put_lit(p, ",\"args\":{\"name\":");
	put_str(p, name);
	put_lit(p, "}}");
	if (first) {
		ev_open(p, 'M', "__metadata", process ? "process_sort_index" : "thread_sort_index", pid, tid, ns);
		put_lit(p, ",\"args\":{\"sort_index\":");
		put_u64(p, p->sort_index++);
		put_lit(p, "}}");
	}
}

/* The tracks of pid and tid, named when first met (comm: the name they have now). */
static struct proc *track(struct ipct_pf *p, uint32_t pid, uint32_t tid, const char *comm, uint32_t session,
			  uint64_t ns)
{
	struct proc *pr = proc_find(p, pid);
	struct thread *t;

	if (!pr) {
		pr = calloc(1, sizeof(*pr));
		if (!pr) {
			p->err = -ENOMEM;
			return NULL;
		}
		pr->pid = pid;
		pr->session = session;
		memcpy(pr->comm, comm, IPCT_COMM_LEN);
		pr->next = p->procs[pid % NBUCKETS];
		p->procs[pid % NBUCKETS] = pr;
		name_track(p, true, pid, pid, comm, ns, true);
	}
	for (t = p->threads[tid % NBUCKETS]; t && t->tid != tid; t = t->hnext)
		;
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t) {
			p->err = -ENOMEM;
			return pr;
		}
		t->tid = tid;
		t->hnext = p->threads[tid % NBUCKETS];
		p->threads[tid % NBUCKETS] = t;
		t->pnext = pr->threads;
		pr->threads = t;
		name_track(p, false, pid, tid, comm, ns, true);
	}
	return pr;
}

/* exec: the process and the thread that made it (its only one now) have a new name from now on. */
static void rename_tracks(struct ipct_pf *p, struct proc *pr, const struct ipct_event *e)
{
	if (!memcmp(pr->comm, e->comm, IPCT_COMM_LEN))
		return;
	memcpy(pr->comm, e->comm, IPCT_COMM_LEN);
	name_track(p, true, e->pid, e->pid, e->comm, e->ts_ns, false);
	name_track(p, false, e->pid, e->tid, e->comm, e->ts_ns, false);
}

/* The process's tracks are forgotten. */
static void proc_forget(struct ipct_pf *p, uint32_t pid)
{
	struct proc **pp = &p->procs[pid % NBUCKETS], *pr;

	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->next;
	if (!(pr = *pp))
		return;
	*pp = pr->next;
	while (pr->threads) {
		struct thread *t = pr->threads, **tp = &p->threads[t->tid % NBUCKETS];

		while (*tp != t)
			tp = &(*tp)->hnext;
		*tp = t->hnext;
		pr->threads = t->pnext;
		free(t);
	}
	free(pr);
}

/* The process has exited: kept a while for its last records, then forgotten. */
static void proc_exited(struct ipct_pf *p, uint32_t pid)
{
	struct proc *pr = proc_find(p, pid), *old;

	if (!pr || pr->exited)
		return;
	pr->exited = true;
	old = p->exited[p->exited_at] ? proc_find(p, p->exited[p->exited_at]) : NULL;
	if (old && old->exited)
		proc_forget(p, old->pid);
	p->exited[p->exited_at] = pid;
	p->exited_at = (p->exited_at + 1) % EXITED_KEPT;
}

/* ---- flows -------------------------------------------------------------------- */

/* One end of an arrow: its id, and its one argument (key: value). */
static void flow_end(struct ipct_pf *p, uint64_t id, const char *key, uint64_t value)
{
	put_lit(p, ",\"id\":");
	put_u64(p, id);
	put_lit(p, ",\"args\":{\"");
	put_mem(p, key, strlen(key));
	put_lit(p, "\":");
	put_u64(p, value);
	put_lit(p, "}}");
}

/* An arrow: "s" at (pid, tid, from_ns), "f" at (to_pid, to_tid, to_ns); both with the argument key: value. */
static void flow(struct ipct_pf *p, const char *cat, const char *name, uint32_t pid, uint32_t tid, uint64_t from_ns,
		 uint32_t to_pid, uint32_t to_tid, uint64_t to_ns, const char *key, uint64_t value)
{
	uint64_t id = ++p->flows;

	ev_open(p, 's', cat, name, pid, tid, from_ns);
	flow_end(p, id, key, value);
	ev_open(p, 'f', cat, name, to_pid, to_tid, to_ns);
	put_lit(p, ",\"bp\":\"e\"");
	flow_end(p, id, key, value);
}

/*
 * Where an arrow from write w to read r starts and ends: inside each
 * call's slice, and never backwards (a viewer sorts by time, and an end
 * before its start is no arrow): the middle of the time both calls were
 * in, else the middle of each. False when r ended before w began.
 */
static bool flow_times(const struct io *w, const struct io *r, uint64_t *from, uint64_t *to)
{
	uint64_t lo = w->start > r->start ? w->start : r->start, hi = w->end < r->end ? w->end : r->end;

	if (lo <= hi) {
		*from = *to = lo + (hi - lo) / 2;
		return true;
	}
	*from = w->start + (w->end - w->start) / 2;
	*to = r->start + (r->end - r->start) / 2;
	return *from <= *to;
}

/* ---- signals ------------------------------------------------------------------ */

/* What a delivery that ran no handler did, for its slice's name. */
static const char *taken_as(int action)
{
	switch (action) {
	case IPCT_ACT_DEFAULT:
		return N_("%s: default action");
	case IPCT_ACT_IGNORE:
		return N_("%s ignored");
	case IPCT_ACT_WAIT:
		return N_("%s accepted by sigwaitinfo");
	case IPCT_ACT_SIGNALFD:
		return N_("%s read from a signalfd");
	}
	return N_("%s delivered");
}

/*
 * A signal's story has ended: a slice where it was generated (on the
 * sender's thread, or the target's when the kernel raised it in no task's
 * name and the target is traced: no track for init, say, which adopted a
 * zombie), one where it was delivered (the handler's, until rt_sigreturn),
 * and the arrow between them.
 */
static void on_record(const struct ipct_sigrec *r, void *data)
{
	struct ipct_pf *p = data;
	const char *sig = ipct_sig_name(r->sig);
	bool sender = r->flags & IPCT_SR_SENDER;
	uint32_t gpid = sender ? r->sender_pid : r->target_pid;
	uint32_t gtid = sender ? r->sender_tid : r->target_tid ? r->target_tid : r->target_pid;
	bool generated = (r->flags & IPCT_SR_GENERATED) && r->generated_ns && gpid &&
			 (sender || proc_find(p, r->target_pid));
	bool delivered = r->delivered_ns && r->delivered_tid && r->action != IPCT_ACT_NONE;
	char name[160], target[IPCT_COMM_LEN + 16];

	if (generated) {
		/* A sender outside the trace (kill from a shell) gets its track here. */
		track(p, gpid, gtid, sender ? r->sender_comm : r->target_comm, r->session, r->generated_ns);
		who(target, sizeof(target), r->target_comm, r->target_pid);
		snprintf(name, sizeof(name), _("%s to %s"), sig, target);
		ev_open(p, 'X', "signal", name, gpid, gtid, r->generated_ns);
		put_dur(p, 0);
		put_record_args(p, r);
	}
	if (!delivered)
		return;
	track(p, r->target_pid, r->delivered_tid, r->target_comm, r->session, r->delivered_ns);
	if (r->action == IPCT_ACT_HANDLER) {
		char addr[32];

		snprintf(addr, sizeof(addr), "0x%" PRIx64, (uint64_t)r->handler);
		snprintf(name, sizeof(name), _("%s handler %s"), sig, r->handler_name[0] ? r->handler_name : addr);
	} else {
		snprintf(name, sizeof(name), _(taken_as(r->action)), sig);
	}
	ev_open(p, 'X', "signal", name, r->target_pid, r->delivered_tid, r->delivered_ns);
	put_dur(p, (r->flags & IPCT_SR_RETURNED) && r->returned_ns > r->delivered_ns ? r->returned_ns - r->delivered_ns
										       : 0);
	put_record_args(p, r);
	if (generated)
		flow(p, "signal", sig, gpid, gtid, r->generated_ns, r->target_pid, r->delivered_tid, r->delivered_ns,
		     "record", r->id);
}

/* ---- data --------------------------------------------------------------------- */

static struct chan *chan_find(struct ipct_pf *p, uint64_t ino)
{
	struct chan *c = p->chans[ino % NBUCKETS];

	while (c && c->ino != ino)
		c = c->next;
	return c;
}

static struct chan *chan_get(struct ipct_pf *p, uint64_t ino, int kind)
{
	struct chan *c = chan_find(p, ino);

	if (c || !ino)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c) {
		p->err = -ENOMEM;
		return NULL;
	}
	c->ino = ino;
	c->kind = (uint8_t)kind;
	/* As the pipe graph names it: a System V queue by its id. */
	snprintf(c->name, sizeof(c->name), "%s:[%" PRIu64 "]", ipct_kind_name(kind),
		 kind == IPCT_KIND_MSGQ ? (uint32_t)ino : ino);
	c->msgs = kind == IPCT_KIND_MQUEUE || kind == IPCT_KIND_MSGQ;
	c->w.tail = &c->w.head;
	c->r.tail = &c->r.head;
	c->next = p->chans[ino % NBUCKETS];
	p->chans[ino % NBUCKETS] = c;
	return c;
}

static void queue_clear(struct queue *q)
{
	while (q->head) {
		struct io *x = q->head;

		q->head = x->next;
		free(x);
	}
	q->tail = &q->head;
	q->n = 0;
}

static void queue_push(struct ipct_pf *p, struct chan *c, struct queue *q, const struct io *x)
{
	struct io *n;

	/* Unbounded waiting would be unbounded memory: past the bound, which read took what is not known. */
	if (q->n == QUEUE_MAX) {
		c->lost = true;
		queue_clear(&c->w);
		queue_clear(&c->r);
		return;
	}
	n = malloc(sizeof(*n));
	if (!n) {
		p->err = -ENOMEM;
		return;
	}
	*n = *x;
	n->next = NULL;
	*q->tail = n;
	q->tail = &n->next;
	q->n++;
}

static void queue_unlink(struct queue *q, struct io **at)
{
	struct io *x = *at;

	*at = x->next;
	if (q->tail == &x->next)
		q->tail = at;
	q->n--;
	free(x);
}

/* The waiting message that a message with key k takes (KEY_HIGHEST: the highest priority's oldest). */
static struct io **match_msg(struct queue *q, int64_t k)
{
	struct io **best = NULL;

	for (struct io **at = &q->head; *at; at = &(*at)->next) {
		int64_t wk = (*at)->key;

		if (k == KEY_HIGHEST) {
			if (!best || wk > (*best)->key)
				best = at;
		} else if (k == KEY_ANY || wk == KEY_ANY || wk == k) {
			return at;
		}
	}
	return best;
}

static void data_flow(struct ipct_pf *p, const struct chan *c, const struct io *w, const struct io *r, uint64_t n)
{
	uint64_t from, to;

	if (flow_times(w, r, &from, &to))
		flow(p, "data", c->name, w->pid, w->tid, from, r->pid, r->tid, to, c->msgs ? "messages" : "bytes", n);
}

/*
 * A read took x->left bytes (or a message) out of c: an arrow from each
 * write it took them from, oldest first. What is not there yet was written
 * by calls whose records come later (a writer that returns after the
 * reader it woke): it waits for them.
 */
static void on_read(struct ipct_pf *p, struct chan *c, struct io *x)
{
	struct io **at;

	if (c->msgs) {
		at = match_msg(&c->w, x->key);
		if (at) {
			data_flow(p, c, *at, x, 1);
			queue_unlink(&c->w, at);
			return;
		}
	}
	while (!c->msgs && x->left && c->w.head) {
		struct io *w = c->w.head;
		uint64_t n = w->left < x->left ? w->left : x->left;

		data_flow(p, c, w, x, n);
		x->left -= n;
		w->left -= n;
		if (!w->left)
			queue_unlink(&c->w, &c->w.head);
	}
	if (x->left)
		queue_push(p, c, &c->r, x);
}

/* A write put x->left bytes (or a message) into c: first to the reads that took them already. */
static void on_write(struct ipct_pf *p, struct chan *c, struct io *x)
{
	struct io **at = &c->r.head;

	while (*at && x->left) {
		struct io *r = *at;
		uint64_t n;

		/* A read that returned before this write began did not take its data: its own came untraced. */
		if (r->end < x->start) {
			queue_unlink(&c->r, at);
			continue;
		}
		if (c->msgs && r->key != KEY_ANY && x->key != KEY_ANY && r->key != x->key && r->key != KEY_HIGHEST) {
			at = &r->next;
			continue;
		}
		n = c->msgs ? 1 : r->left < x->left ? r->left : x->left;
		data_flow(p, c, x, r, n);
		x->left -= n;
		r->left -= c->msgs ? r->left : n;
		if (!r->left)
			queue_unlink(&c->r, at);
		else
			at = &r->next;
	}
	if (x->left)
		queue_push(p, c, &c->w, x);
}

/* The two ends of a socket connection: what one writes, the other reads. */
static void link_sockets(struct ipct_pf *p, uint64_t a, uint64_t b, int type)
{
	struct chan *ca = chan_get(p, a, IPCT_KIND_SOCKET), *cb = chan_get(p, b, IPCT_KIND_SOCKET);

	if (!ca || !cb)
		return;
	ca->peer = b;
	cb->peer = a;
	if (type)
		ca->msgs = cb->msgs = (type & 0xf) != SOCK_STREAM;
}

/* A call that moved data through a channel: where it went, or what it took. */
static void on_data(struct ipct_pf *p, const struct ipct_event *e, const struct ipct_syscall *sc)
{
	const struct ipct_sys *s = &e->sys;
	struct io x = { .pid = e->pid, .tid = e->tid, .end = e->ts_ns, .left = s->ret > 0 ? (uint64_t)s->ret : 0,
			.key = KEY_ANY };
	bool mmsg = sc->io == IPCT_IO_READ_MSGS || sc->io == IPCT_IO_WRITE_MSGS, write, ok;
	struct chan *c;

	if (!IPCT_KIND_IS_CHANNEL(e->kind[0]) || !s->x[0])
		return;
	x.start = e->ts_ns > s->dur_ns ? e->ts_ns - s->dur_ns : 0;
	switch (sc->cls) {
	case IPCT_SC_MQ_SEND:
	case IPCT_SC_MSGSND:
		write = true;
		ok = s->ret == 0;
		x.left = 1;
		if (sc->cls == IPCT_SC_MQ_SEND || (e->flags & IPCT_F_NEW_VALID))
			x.key = (int64_t)s->x[3];
		break;
	case IPCT_SC_MQ_RECV:
	case IPCT_SC_MSGRCV:
		write = false;
		ok = s->ret >= 0;
		x.left = 1;
		if (sc->cls == IPCT_SC_MQ_RECV)
			x.key = e->flags & IPCT_F_OLD_VALID ? (int64_t)s->x[3] : KEY_HIGHEST;
		else if (e->flags & IPCT_F_NEW_VALID)
			x.key = (int64_t)s->x[3];
		break;
	default:
		if (sc->io == IPCT_IO_NONE)
			return;
		write = sc->io == IPCT_IO_BY_END ? ((s->x[1] >> 32) & 2) != 0
						 : sc->io == IPCT_IO_WRITE || sc->io == IPCT_IO_WRITE_MSGS;
		ok = s->ret > 0;
	}
	if (!ok || !(c = chan_get(p, s->x[0], e->kind[0])))
		return;
	/* A socket's writes go to the other end, when it is known. */
	if (write && c->kind == IPCT_KIND_SOCKET && !(c = c->peer ? chan_find(p, c->peer) : NULL))
		return;
	/* sendmmsg and recvmmsg count messages: each is one (of a stream, their bytes are not known). */
	if (c->lost || (mmsg && !c->msgs))
		return;
	for (uint64_t i = 0, n = mmsg ? x.left : 1; i < n; i++) {
		struct io one = x;

		if (c->msgs)
			one.left = 1;
		if (write)
			on_write(p, c, &one);
		else
			on_read(p, c, &one);
	}
}

/* ---- events ------------------------------------------------------------------- */

static void on_syscall(struct ipct_pf *p, const struct ipct_event *e)
{
	const struct ipct_syscall *sc = ipct_syscall_by_nr(e->nr);
	uint64_t start = e->ts_ns > e->sys.dur_ns ? e->ts_ns - e->sys.dur_ns : 0;

	ev_open(p, 'X', "syscall", ipct_event_type_name(e), e->pid, e->tid, start);
	put_dur(p, e->ts_ns - start);
	put_event_args(p, e);
	if (!sc)
		return;
	if (sc->cls == IPCT_SC_SOCKETPAIR && e->sys.ret == 0)
		link_sockets(p, e->sys.x[1], e->sys.x[2], (int)e->sys.args[1]);
	on_data(p, e, sc);
}

/* fork, exec, exit: an instant on the thread that made it. */
static void instant(struct ipct_pf *p, const struct ipct_event *e, const char *name)
{
	ev_open(p, 'i', "process", name, e->pid, e->tid, e->ts_ns);
	put_lit(p, ",\"s\":\"t\"");
	put_event_args(p, e);
}

static void on_proc(struct ipct_pf *p, struct proc *pr, const struct ipct_event *e)
{
	char name[IPCT_PATH_LEN + 64], what[64];

	switch (e->type) {
	case IPCT_EV_FORK:
		/* Its pid was an exited process's, still kept: the child is another. */
		if ((pr = proc_find(p, e->proc.child_pid)) && pr->exited)
			proc_forget(p, pr->pid);
		snprintf(name, sizeof(name), _("fork: child %u"), (unsigned)e->proc.child_pid);
		instant(p, e, name);
		break;
	case IPCT_EV_EXEC:
		if (pr)
			rename_tracks(p, pr, e);
		snprintf(name, sizeof(name), _("exec %.*s"), IPCT_PATH_LEN, e->proc.path);
		instant(p, e, name);
		break;
	case IPCT_EV_EXIT:
		ipct_wait_status_text(e->proc.exit_code, what, sizeof(what));
		snprintf(name, sizeof(name), _("exit: %s"), what);
		instant(p, e, name);
		break;
	}
}

struct ipct_pf *ipct_pf_new(const struct ipct_fmt *f)
{
	struct ipct_pf *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->f = *f;
	p->f.mode = IPCT_OUT_JSON;
	p->lc = ipct_lc_new(f->syms, on_record, p);
	if (!p->lc) {
		free(p);
		return NULL;
	}
	return p;
}

void ipct_pf_free(struct ipct_pf *p)
{
	if (!p)
		return;
	ipct_lc_free(p->lc);
	for (int b = 0; b < NBUCKETS; b++) {
		while (p->procs[b])
			proc_forget(p, p->procs[b]->pid);
		while (p->chans[b]) {
			struct chan *c = p->chans[b];

			p->chans[b] = c->next;
			queue_clear(&c->w);
			queue_clear(&c->r);
			free(c);
		}
	}
	ipct_buf_free(&p->tmp);
	free(p);
}

int ipct_pf_begin(struct ipct_pf *p, struct ipct_buf *out)
{
	p->out = out;
	/* No "displayTimeUnit": Perfetto takes it for the unit of "ts", which is microseconds here. */
	put_lit(p, "{\"traceEvents\":[\n");
	return p->err;
}

int ipct_pf_event(struct ipct_pf *p, const struct ipct_event *e, struct ipct_buf *out)
{
	struct ipct_evctx cx = ipct_evctx(e);
	struct proc *pr;

	p->out = out;
	p->last_ns = e->ts_ns > p->last_ns ? e->ts_ns : p->last_ns;
	/* What follows a record (its addresses, descriptors, arguments) is in that record's args. */
	if (e->type == IPCT_EV_OBJINFO) {
		if (e->obj.peer_ino && e->obj.ino)
			link_sockets(p, e->obj.ino, e->obj.peer_ino, e->obj.type);
	} else if (e->type < IPCT_EV_OBJINFO) {
		/*
		 * One attached while running is met first here: the correlator
		 * follows it from now (not a sender from outside the trace, whose
		 * kill is the only event of it).
		 */
		if (!proc_find(p, e->pid) && e->type != IPCT_EV_SIGNAL_GENERATE)
			ipct_lc_track(p->lc, e->pid, e->session);
		pr = track(p, e->pid, e->tid, e->comm, e->session, e->ts_ns);
		if (e->type == IPCT_EV_SYSCALL)
			on_syscall(p, e);
		else
			on_proc(p, pr, e);
	}
	/* Its records come out through on_record. */
	ipct_lc_event(p->lc, &cx);
	if (e->type == IPCT_EV_EXIT)
		proc_exited(p, e->pid);
	return p->err;
}

int ipct_pf_diag(struct ipct_pf *p, struct json_object *d, struct ipct_buf *out)
{
	struct json_object *v;
	int64_t t = json_object_object_get_ex(d, "time_ns", &v) ? json_object_get_int64(v) - p->f.realtime_off : 0;
	uint32_t pid = json_object_object_get_ex(d, "pid", &v) && v ? (uint32_t)json_object_get_int64(v) : 0;
	const char *msg = json_object_object_get_ex(d, "message", &v) && v ? json_object_get_string(v) : "", *text;
	size_t from;

	p->out = out;
	/* About one process: on its track; else on the trace's. */
	ev_open(p, 'i', "diagnosis", msg, pid, pid, t > 0 ? (uint64_t)t : 0);
	if (pid)
		put_lit(p, ",\"s\":\"p\",\"args\":{\"diagnosis\":");
	else
		put_lit(p, ",\"s\":\"g\",\"args\":{\"diagnosis\":");
	from = ipct_buf_len(out);
	text = json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	put_mem(p, text, strlen(text));
	put_lit(p, "}}");
	/* Names in it are a program's choice. */
	if (ipct_json_fix_utf8(out, from) < 0)
		p->err = -ENOMEM;
	return p->err;
}

int ipct_pf_end(struct ipct_pf *p, struct ipct_buf *out)
{
	p->out = out;
	/* Processes still traced: what their signals came to so far. */
	for (int b = 0; b < NBUCKETS; b++)
		for (struct proc *pr = p->procs[b]; pr; pr = pr->next)
			if (!pr->exited)
				ipct_lc_end_session(p->lc, pr->session, p->last_ns);
	put_lit(p, "\n]}\n");
	return p->err;
}
