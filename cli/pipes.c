// SPDX-License-Identifier: MIT
/*
 * The pipe graph for people (text), programs (JSON lines) and Graphviz
 * (dot), from the daemon's JSON objects (docs/pipes.md); and
 * `ipctrace pipes`, which asks the daemon for them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "report.h"
#include "say.h"

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : 0;
}

static struct json_object *list(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v && json_object_is_type(v, json_type_array) ? v : NULL;
}

static size_t len(struct json_object *arr)
{
	return arr ? json_object_array_length(arr) : 0;
}

/* ---- text ---- */

/* A name a traced program chose (command, path, address), escaped for a terminal into buf. */
static const char *esc(const char *s, char *buf, size_t len)
{
	ipct_text_escape(buf, len, s, SIZE_MAX);
	return buf;
}

/* A holder's role and what it did, by object: [0] writers, [1] readers; pipes, sockets and queues, semaphores. */
static const char *const roles[][2] = {
	{ N_("writer"), N_("reader") }, { N_("sender"), N_("receiver") }, { N_("poster"), N_("taker") },
};
/* TRANSLATORS: "12 bytes written in 3 calls": the past participle the holder line ends its amount with. */
static const char *const verbs[][2] = {
	{ N_("written"), N_("read") }, { N_("sent"), N_("received") }, { N_("posted"), N_("taken") },
};

/* The columns the wider of two translated words takes. */
static int wider(const char *a, const char *b)
{
	return ipct_text_width(a) > ipct_text_width(b) ? ipct_text_width(a) : ipct_text_width(b);
}

/* The widest of the translated strings of a table above: its column's width. */
static int widest(const char *const (*t)[2])
{
	int w = 0;

	for (size_t i = 0; i < 3; i++)
		w = wider(_(t[i][0]), _(t[i][1])) > w ? wider(_(t[i][0]), _(t[i][1])) : w;
	return w;
}

/*
 * One line per holder; for a terminal (which every process holds on 0, 1
 * and 2) only those that wrote or read through it, and how many did not.
 * kind: 0 a pipe's or FIFO's, 1 a socket's or queue's, 2 a semaphore
 * set's (which count "units" in "ops").
 */
static void text_holders(struct ipct_buf *out, struct json_object *o, bool readers, int kind, bool busy_only)
{
	struct json_object *arr = list(o, readers ? "readers" : "writers");
	const char *units = kind == 2 ? _("units") : _("bytes"), *calls = kind == 2 ? _("ops") : _("calls");
	int wunits = wider(_("units"), _("bytes")), wcalls = wider(_("ops"), _("calls"));
	size_t idle = 0;

	for (size_t i = 0; i < len(arr); i++) {
		struct json_object *h = json_object_array_get_idx(arr, i);
		char comm[8 * IPCT_COMM_LEN + 1], who[sizeof(comm) + 24];

		if (busy_only && !num(h, "calls")) {
			idle++;
			continue;
		}
		snprintf(who, sizeof(who), "%s[%" PRId64 "]", esc(str(h, "comm") ?: "?", comm, sizeof(comm)),
			 num(h, "pid"));
		/* Roles, units and verbs padded to the longest translation ("receiver", "received"): one table per object. */
		ipct_buf_printf(out, "  ");
		ipct_buf_pad(out, _(roles[kind][readers]), widest(roles));
		ipct_buf_printf(out, " ");
		ipct_buf_pad(out, who, 24);
		ipct_buf_printf(out, " fd %-4s %12" PRId64 " ", str(h, "fd") ?: "-", num(h, "bytes"));
		ipct_buf_pad(out, units, wunits);
		ipct_buf_printf(out, " ");
		ipct_buf_pad(out, _(verbs[kind][readers]), widest(verbs));
		/* TRANSLATORS: "... 12 bytes written in 3 calls": the word before the number of calls. */
		ipct_buf_printf(out, " %s %6" PRId64 " ", _("in"), num(h, "calls"));
		ipct_buf_pad(out, calls, wcalls);
		ipct_buf_printf(out, "  %s\n", str(h, "closed_ns") ? _("closed") : str(h, "fd") ? _("open at the end") : "");
	}
	if (idle && readers)
		ipct_buf_printf(out, ngettext("  (%zu more descriptor that read nothing)\n",
					      "  (%zu more descriptors that read nothing)\n", idle), idle);
	else if (idle)
		ipct_buf_printf(out, ngettext("  (%zu more descriptor that wrote nothing)\n",
					      "  (%zu more descriptors that wrote nothing)\n", idle), idle);
}

/* A message queue's own line: its key or size, what is left in it, its messages' times in it. */
static void text_queue(struct ipct_buf *out, struct json_object *o)
{
	struct json_object *t = NULL;
	int64_t n;

	json_object_object_get_ex(o, "queue_time", &t);
	n = num(t, "messages");
	ipct_buf_printf(out, "  ");
	if (str(o, "key"))
		ipct_buf_printf(out, _("key 0x%" PRIx64 ", "), (uint64_t)(uint32_t)num(o, "key"));
	if (str(o, "msgsize"))
		ipct_buf_printf(out, _("%" PRId64 " messages of %" PRId64 " bytes at most, "), num(o, "maxmsg"),
				num(o, "msgsize"));
	if (str(o, "removed_ns"))
		ipct_buf_printf(out, ngettext("removed, %" PRId64 " message left in it",
					      "removed, %" PRId64 " messages left in it", (unsigned long)num(o, "in_queue")),
				num(o, "in_queue"));
	else
		ipct_buf_printf(out, ngettext("not removed, %" PRId64 " message left in it",
					      "not removed, %" PRId64 " messages left in it",
					      (unsigned long)num(o, "in_queue")), num(o, "in_queue"));
	if (n)
		ipct_buf_printf(out, ngettext("; time in the queue: mean %.3f ms, max %.3f ms (%" PRId64 " message)",
					      "; time in the queue: mean %.3f ms, max %.3f ms (%" PRId64 " messages)",
					      (unsigned long)n), num(t, "total_ns") / 1e6 / (double)n, num(t, "max_ns") / 1e6, n);
	ipct_buf_printf(out, "\n");
}

/* A semaphore set's own lines: its key and size, and each semaphore's operations and waits. */
static void text_sem(struct ipct_buf *out, struct json_object *o)
{
	struct json_object *nums = list(o, "semaphores");

	ipct_buf_printf(out, "  ");
	if (str(o, "key"))
		ipct_buf_printf(out, _("key 0x%" PRIx64 ", "), (uint64_t)(uint32_t)num(o, "key"));
	if (str(o, "nsems"))
		ipct_buf_printf(out, ngettext("%" PRId64 " semaphore, ", "%" PRId64 " semaphores, ",
					      (unsigned long)num(o, "nsems")), num(o, "nsems"));
	if (str(o, "removed_ns"))
		ipct_buf_printf(out, ngettext("removed, %" PRId64 " semop call", "removed, %" PRId64 " semop calls",
					      (unsigned long)num(o, "semops")), num(o, "semops"));
	else
		ipct_buf_printf(out, ngettext("not removed, %" PRId64 " semop call",
					      "not removed, %" PRId64 " semop calls", (unsigned long)num(o, "semops")),
				num(o, "semops"));
	if (num(o, "unseen_ops"))
		ipct_buf_printf(out, _(" (%" PRId64 " operations not counted below)"), num(o, "unseen_ops"));
	ipct_buf_printf(out, "\n");
	for (size_t i = 0; i < len(nums); i++) {
		struct json_object *n = json_object_array_get_idx(nums, i);

		ipct_buf_printf(out, _("  #%-4" PRId64 " %6" PRId64 " ops  +%-6" PRId64 " -%-6" PRId64 " %6" PRId64
				" waits, blocked %.1f ms in all, %.1f ms at most\n"), num(n, "sem_num"), num(n, "ops"),
				num(n, "ups"), num(n, "downs"), num(n, "waits"), num(n, "blocked_ns") / 1e6,
				num(n, "blocked_max_ns") / 1e6);
	}
}

/*
 * A shared memory segment (or a POSIX named semaphore's file): its key and
 * size, its attaches and detaches, and each holder's. What goes through it
 * is no call: nothing to count but the waits of the POSIX semaphores in it
 * that slept, and the posts that woke them.
 */
static void text_shm(struct ipct_buf *out, struct json_object *o)
{
	struct json_object *holders = list(o, "holders");

	ipct_buf_printf(out, "\n  ");
	if (str(o, "key"))
		ipct_buf_printf(out, _("key 0x%" PRIx64 ", "), (uint64_t)(uint32_t)num(o, "key"));
	if (str(o, "size"))
		ipct_buf_printf(out, _("%" PRId64 " bytes, "), num(o, "size"));
	ipct_buf_printf(out, _("%" PRId64 " attaches, %" PRId64 " detaches, %s (its reads and writes are no "
			"system calls: not seen)\n"), num(o, "attaches"), num(o, "detaches"),
			str(o, "path") && !strncmp(str(o, "path"), "anon:", 5)
			? (str(o, "destroyed_ns") ? _("freed at its last unmap") : _("still mapped"))
			: str(o, "destroyed_ns") ? _("removed and freed") : str(o, "removed_ns") ? _("removed, still attached")
			: _("not removed"));
	if (num(o, "sem_waits") || num(o, "sem_wakes"))
		ipct_buf_printf(out, _("  %" PRId64 " sem_wait(s) slept, %.1f ms in all, %.1f ms at most; %" PRId64
				" sem_post(s) woke %" PRId64 " (uncontended ones make no system call: not seen)\n"),
				num(o, "sem_waits"), num(o, "sem_blocked_ns") / 1e6, num(o, "sem_blocked_max_ns") / 1e6,
				num(o, "sem_wakes"), num(o, "sem_woken"));
	for (size_t i = 0; i < len(holders); i++) {
		struct json_object *h = json_object_array_get_idx(holders, i);
		char comm[8 * IPCT_COMM_LEN + 1], who[sizeof(comm) + 24];

		snprintf(who, sizeof(who), "%s[%" PRId64 "]", esc(str(h, "comm") ?: "?", comm, sizeof(comm)),
			 num(h, "pid"));
		ipct_buf_printf(out, "  ");
		ipct_buf_pad(out, _("holder"), widest(roles));
		ipct_buf_printf(out, " ");
		ipct_buf_pad(out, who, 24);
		/* A POSIX object's descriptors are holders too. */
		if (str(h, "fd"))
			ipct_buf_printf(out, " fd %-4s %s\n", str(h, "fd"), str(h, "closed_ns") ? _("closed") : _("open at the end"));
		else
			ipct_buf_printf(out, _(" %4" PRId64 " attaches %4" PRId64 " detaches  %s\n"), num(h, "attaches"),
					num(h, "detaches"), num(h, "attached") ? _("attached at the end") : _("detached"));
	}
}

/* An object's kind (a JSON value, docs/pipes.md) as a person reads it. */
static const char *kind_name(const char *kind)
{
	static const char *const kinds[][2] = {
		{ "pipe", N_("pipe") }, { "fifo", N_("fifo") }, { "socket", N_("socket") }, { "tty", N_("tty") },
		{ "mqueue", N_("mqueue") }, { "msgq", N_("msgq") }, { "shm", N_("shm") }, { "sem", N_("sem") },
	};

	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i][0]))
			return _(kinds[i][1]);
	return kind ?: "?";
}

static void text_object(struct ipct_buf *out, struct json_object *o, bool color)
{
	const char *kind = str(o, "kind"), *path = str(o, "path");
	struct json_object *warn = list(o, "warnings"), *holders;
	bool queue = kind && (!strcmp(kind, "mqueue") || !strcmp(kind, "msgq"));
	bool sock = kind && !strcmp(kind, "socket"), tty = kind && !strcmp(kind, "tty");
	/* Shared memory, and a POSIX named semaphore (its /dev/shm file): attached, not written. */
	bool shm = str(o, "attaches") != NULL;
	bool sem = kind && !strcmp(kind, "sem") && !shm;
	bool msgs = sock || queue;      /* sent and received, not written and read */
	char safe[2048];

	ipct_buf_printf(out, "%s%s%s %s", color ? "\033[1m" : "", str(o, "object"), color ? "\033[0m" : "",
			kind_name(kind));
	if (sock)
		ipct_buf_printf(out, " %s %s", str(o, "family") ?: "?", str(o, "socket_type") ?: "");
	/* A queue's or shared memory's name is its object's. */
	if (path && !queue && !shm)
		ipct_buf_printf(out, " %s", esc(path, safe, sizeof(safe)));
	if (sock && str(o, "local") && !path)
		ipct_buf_printf(out, _(" local %s"), esc(str(o, "local"), safe, sizeof(safe)));
	if (sock && str(o, "remote"))
		ipct_buf_printf(out, _(" remote %s"), esc(str(o, "remote"), safe, sizeof(safe)));
	if (str(o, "peer")) {
		ipct_buf_printf(out, _(" peer %s"), str(o, "peer"));
		holders = list(o, "peer_holders");
		for (size_t i = 0; i < len(holders); i++) {
			struct json_object *h = json_object_array_get_idx(holders, i);

			ipct_buf_printf(out, "%s%s[%" PRId64 "] fd %" PRId64, i ? ", " : " (",
					esc(str(h, "comm") ?: "?", safe, sizeof(safe)), num(h, "pid"), num(h, "fd"));
		}
		if (len(holders))
			ipct_buf_printf(out, ")");
	}
	if (shm) {
		text_shm(out, o);
		goto warnings;
	}
	if (sem)
		ipct_buf_printf(out, _("\n  %" PRId64 " units posted in %" PRId64 " ops, %" PRId64 " taken in %" PRId64
				" ops"), num(o, "bytes_written"), num(o, "writes"), num(o, "bytes_read"), num(o, "reads"));
	else
		ipct_buf_printf(out, msgs ? _("\n  %" PRId64 " bytes sent in %" PRId64 " calls, %" PRId64 " bytes "
					      "received in %" PRId64 " calls")
				   : _("\n  %" PRId64 " bytes written in %" PRId64 " calls, %" PRId64 " bytes read in %"
				       PRId64 " calls"),
				num(o, "bytes_written"), num(o, "writes"), num(o, "bytes_read"), num(o, "reads"));
	if (num(o, "eof_reads"))
		ipct_buf_printf(out, _(", EOF seen %" PRId64 "x"), num(o, "eof_reads"));
	if (num(o, "epipe_writes"))
		ipct_buf_printf(out, _(", %" PRId64 " EPIPE"), num(o, "epipe_writes"));
	if (num(o, "eagain"))
		ipct_buf_printf(out, ", %" PRId64 " %s", num(o, "eagain"), str(o, "key") && !sem ? "ENOMSG" : "EAGAIN");
	if (num(o, "etimedout"))
		ipct_buf_printf(out, _(", %" PRId64 " ETIMEDOUT"), num(o, "etimedout"));
	if (num(o, "emsgsize"))
		ipct_buf_printf(out, ", %" PRId64 " %s", num(o, "emsgsize"), str(o, "key") ? "E2BIG" : "EMSGSIZE");
	ipct_buf_printf(out, "\n");
	if (queue)
		text_queue(out, o);
	if (sem)
		text_sem(out, o);
	text_holders(out, o, false, sem ? 2 : msgs, tty);
	text_holders(out, o, true, sem ? 2 : msgs, tty);
warnings:
	/* Warnings name processes: their names are escaped. In the user's language, from their parts. */
	for (size_t i = 0; i < len(warn); i++) {
		struct json_object *parts = list(o, "warning_parts");
		char text[4096];
		const char *w = ipct_said_parts(i < len(parts) ? json_object_array_get_idx(parts, i) : NULL,
						json_object_get_string(json_object_array_get_idx(warn, i)), text,
						sizeof(text));

		ipct_buf_printf(out, "  %s!! %s%s\n", color ? "\033[1;31m" : "", esc(w, safe, sizeof(safe)),
				color ? "\033[0m" : "");
	}
}

/* ---- dot ---- */

/* A Graphviz string: quotes and backslashes escaped, newlines as Graphviz's line breaks. */
static void dot_quoted(struct ipct_buf *out, const char *s)
{
	ipct_buf_append(out, "\"", 1);
	for (; s && *s; s++) {
		if (*s == '\n') {
			ipct_buf_append(out, "\\n", 2);
			continue;
		}
		if (*s == '"' || *s == '\\')
			ipct_buf_append(out, "\\", 1);
		ipct_buf_append(out, s, 1);
	}
	ipct_buf_append(out, "\"", 1);
}

/* One box per process, named by its latest command name. */
static void dot_processes(struct ipct_buf *out, struct json_object *objects)
{
	static const char *const lists[] = { "writers", "readers", "holders" };
	struct json_object *seen = json_object_new_object();
	struct json_object_iterator it, end;

	for (size_t i = 0; i < len(objects); i++)
		for (size_t l = 0; l < 3; l++) {
			struct json_object *arr = list(json_object_array_get_idx(objects, i), lists[l]);

			for (size_t k = 0; k < len(arr); k++) {
				struct json_object *h = json_object_array_get_idx(arr, k);
				char pid[24];

				snprintf(pid, sizeof(pid), "%" PRId64, num(h, "pid"));
				/* The name it used the object under (after exec), else the first seen. */
				if (num(h, "calls") || !json_object_object_get_ex(seen, pid, NULL))
					json_object_object_add(seen, pid, json_object_new_string(str(h, "comm") ?: "?"));
			}
		}
	it = json_object_iter_begin(seen);
	end = json_object_iter_end(seen);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		char label[64];

		snprintf(label, sizeof(label), "%s\n%s", json_object_get_string(json_object_iter_peek_value(&it)),
			 json_object_iter_peek_name(&it));
		ipct_buf_printf(out, "  p%s [shape=box, style=rounded, label=", json_object_iter_peek_name(&it));
		dot_quoted(out, label);
		ipct_buf_printf(out, "];\n");
	}
	json_object_put(seen);
}

/*
 * An object's node: "o" and its inode; a System V queue, which has none, "q"
 * and its id; a semaphore set "s" and its id; shared memory (an anonymous
 * mapping has neither) its name.
 */
static void dot_node(struct ipct_buf *out, struct json_object *o)
{
	if (!strcmp(str(o, "kind") ?: "", "shm"))
		dot_quoted(out, str(o, "object"));
	else if (str(o, "id") && str(o, "semaphores"))
		ipct_buf_printf(out, "s%" PRId64, num(o, "id"));
	else if (str(o, "id"))
		ipct_buf_printf(out, "q%" PRId64, num(o, "id"));
	else
		ipct_buf_printf(out, "o%" PRId64, num(o, "inode"));
}

static void dot_edges(struct ipct_buf *out, struct json_object *o, const char *key, bool to_object)
{
	struct json_object *arr = list(o, key);

	for (size_t i = 0; i < len(arr); i++) {
		struct json_object *h = json_object_array_get_idx(arr, i);

		if (to_object) {
			ipct_buf_printf(out, "  p%" PRId64 " -> ", num(h, "pid"));
			dot_node(out, o);
		} else {
			ipct_buf_printf(out, "  ");
			dot_node(out, o);
			ipct_buf_printf(out, " -> p%" PRId64, num(h, "pid"));
		}
		/* A holder that never used its end is drawn dashed: often the bug. A System V queue has no fd. */
		ipct_buf_printf(out, " [label=\"");
		if (str(h, "fd"))
			ipct_buf_printf(out, "fd %" PRId64 "\\n", num(h, "fd"));
		/* A semaphore set's: the units posted (+) or taken (-). */
		if (str(o, "semaphores"))
			ipct_buf_printf(out, "%c%" PRId64 "\"%s];\n", to_object ? '+' : '-', num(h, "bytes"),
					num(h, "calls") ? "" : ", style=dashed");
		else
			ipct_buf_printf(out, "%" PRId64 " B\"%s];\n", num(h, "bytes"),
					num(h, "calls") ? "" : ", style=dashed");
	}
}

/* A segment's holders: one line each, undirected (what goes through shared memory is not seen). */
static void dot_attached(struct ipct_buf *out, struct json_object *o)
{
	struct json_object *arr = list(o, "holders");

	for (size_t i = 0; i < len(arr); i++) {
		struct json_object *h = json_object_array_get_idx(arr, i);

		ipct_buf_printf(out, "  p%" PRId64 " -> ", num(h, "pid"));
		dot_node(out, o);
		ipct_buf_printf(out, " [dir=none, label=\"attached %" PRId64 "x\"%s];\n", num(h, "attaches"),
				num(h, "attaches") ? "" : ", style=dashed");
	}
}

static void dot_graph(struct ipct_buf *out, struct json_object *objects)
{
	ipct_buf_printf(out, "digraph ipctrace {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n"
			     "  edge [fontname=\"Helvetica\", fontsize=10];\n");
	dot_processes(out, objects);
	for (size_t i = 0; i < len(objects); i++) {
		struct json_object *o = json_object_array_get_idx(objects, i);
		long long peer;
		char label[256];

		snprintf(label, sizeof(label), "%s%s%s", str(o, "object") ?: "?", str(o, "path") ? "\n" : "",
			 str(o, "path") ?: "");
		ipct_buf_printf(out, "  ");
		dot_node(out, o);
		ipct_buf_printf(out, " [shape=%s, label=", !strcmp(str(o, "kind") ?: "", "socket") ? "hexagon"
							   : str(o, "queue_time") ? "box3d"
							   : str(o, "semaphores") ? "octagon" : str(o, "attaches") ? "box" : "ellipse");
		dot_quoted(out, label);
		ipct_buf_printf(out, "];\n");
		dot_edges(out, o, "writers", true);
		dot_edges(out, o, "readers", false);
		if (str(o, "attaches"))
			dot_attached(out, o);
		/* "socket:[N]": each pair once, from its lower inode. */
		peer = str(o, "peer") ? strtoll(str(o, "peer") + strlen("socket:["), NULL, 10) : 0;
		if (peer > num(o, "inode"))
			ipct_buf_printf(out, "  o%" PRId64 " -> o%lld [dir=both, style=dotted, label=\"peer\"];\n",
					num(o, "inode"), peer);
	}
	ipct_buf_printf(out, "}\n");
}

void print_graph(enum ipct_output mode, bool color, struct json_object *objects, struct ipct_buf *out)
{
	if (mode == IPCT_OUT_DOT) {
		dot_graph(out, objects);
		return;
	}
	if (mode == IPCT_OUT_TEXT)
		ipct_buf_printf(out, "%s", ipct_buf_len(out) ? "\n" : "");
	for (size_t i = 0; i < len(objects); i++) {
		struct json_object *o = json_object_array_get_idx(objects, i);

		if (mode == IPCT_OUT_JSON)
			ipct_json_line(out, o);
		else
			text_object(out, o, color);
	}
	if (!len(objects) && mode == IPCT_OUT_TEXT)
		ipct_buf_printf(out, "%s\n", _("(no pipes, FIFOs or sockets)"));
}

static void pipes_usage(FILE *f)
{
	fputs(_("Usage: ipctrace pipes [OPTIONS] [FIELD=VALUE...]\n"
		"\n"
		"Show the pipes, FIFOs and sockets of the daemon's traces (the latest 64\n"
		"sessions and the live ones): who held which end, what went through, and\n"
		"what went wrong. Matches select objects: the same field twice means either\n"
		"value, different fields must all match.\n"
		"\n"
		"Fields: session, pid (a holder), comm, kind (pipe, fifo, socket, tty,\n"
		"        mqueue, msgq, shm), object (pipe:[N], msq:ID, shm:ID or N), path.\n"
		"Example: ipctrace pipes -o dot session=3 | dot -Tsvg > pipes.svg\n"
		"\n"
		"Options:\n"), f);
	help_range(f);
	fputs(_("                        (objects in use in the range; the last N made)\n"
		"  -o, --output FORMAT   text (default), json (fields in docs/pipes.md),\n"
		"                        dot (Graphviz) or html (a page: docs/report.md)\n"), f);
	help_socket(f);
	fputs(_("      --color WHEN      auto (default), always or never\n"
		"  -h, --help            show this help\n"), f);
}

/* The last time a holder of o closed it; INT64_MAX when one held it to the end. */
static int64_t last_close(struct json_object *o)
{
	static const char *const keys[] = { "writers", "readers", "holders" };
	int64_t last = 0;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		struct json_object *arr = list(o, keys[k]);

		for (size_t i = 0; i < len(arr); i++) {
			struct json_object *h = json_object_array_get_idx(arr, i);

			if (!str(h, "closed_ns"))
				return INT64_MAX;
			last = num(h, "closed_ns") > last ? num(h, "closed_ns") : last;
		}
	}
	return last;
}

/* The objects in use during the range (made before its end, held after its start), the last N of them. */
static struct json_object *in_range(struct json_object *objects, const struct time_range *t)
{
	struct json_object *kept = json_object_new_array();
	size_t n = 0, first;

	for (size_t i = 0; i < len(objects); i++) {
		struct json_object *o = json_object_array_get_idx(objects, i);

		if ((!t->has_until || !str(o, "created_ns") || num(o, "created_ns") <= t->until) &&
		    (!t->has_since || last_close(o) >= t->since))
			json_object_array_add(kept, json_object_get(o));
	}
	n = len(kept);
	first = t->lines >= 0 && (size_t)t->lines < n ? n - (size_t)t->lines : 0;
	if (first)
		json_object_array_del_idx(kept, 0, first);
	return kept;
}

/* The objects as a page: the graph, and their warnings. */
static int html_objects(struct json_object *objects, char **matches, int n, struct ipct_buf *out)
{
	struct ipct_fmt fmt = { 0 };
	struct report *rp = report_titled("pipes", matches, n, 0);
	int err;

	if (!rp)
		return -ENOMEM;
	report_objects(rp, objects);
	err = report_html(rp, &fmt, out);
	report_free(rp);
	return err;
}

int do_pipes(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "lines", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "color", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct query_opts q = QUERY_OPTS_INIT;
	struct time_range range = TIME_RANGE_INIT;
	struct json_object *reply, *objects = NULL;
	struct ipct_buf out = { 0 };
	struct conn conn;
	unsigned more = OUT_ALLOW(IPCT_OUT_DOT) | OUT_ALLOW(IPCT_OUT_HTML);
	int c, r, ret = 1;

	while ((c = cli_getopt(argc, argv, "S:U:n:o:s:h", opts)) != -1) {
		r = range_option(&range, c);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0 && query_option(&q, c, more, pipes_usage, &ret) < 0)
			return ret;
	}
	if (check_range(&range) < 0)
		return EXIT_USAGE;
	if (conn_open(&conn, q.socket_path, false) < 0)
		return 1;
	reply = conn_query(&conn, "pipes", argv + optind, argc - optind, NULL, &ret);
	if (!reply)
		goto out;
	json_object_object_get_ex(reply, "objects", &objects);
	objects = in_range(objects, &range);
	ret = 0;
	if (q.mode == IPCT_OUT_HTML)
		ret = html_objects(objects, argv + optind, argc - optind, &out) < 0;
	else
		print_graph(q.mode, query_color(&q), objects, &out);
	ret = ret || write_stdout(&out) < 0 ? 1 : 0;
out:
	json_object_put(objects);
	json_object_put(reply);
	conn_close(&conn);
	ipct_buf_free(&out);
	return ret;
}
