// SPDX-License-Identifier: MIT
/* ipctrace signals: the daemon's lifecycle records, one line per signal instance. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "report.h"

static void signals_usage(FILE *f)
{
	fputs(_("Usage: ipctrace signals [OPTIONS] [FIELD=VALUE...]\n"
		"\n"
		"Show the life of every signal the daemon has seen in its traces (the\n"
		"latest 65536): who sent it, whether it was queued, merged or ignored, how\n"
		"long it was pending, what the target did with it and how that ended, with\n"
		"a plain explanation of what went wrong. Matches select records: the same\n"
		"field twice means either value, different fields must all match.\n"
		"\n"
		"Fields: sig (SIGUSR1, usr1, 10), pid (sender or target), sender, target,\n"
		"        comm, outcome, result, cause, action, session.\n"
		"Example: ipctrace signals sig=SIGCHLD outcome=merged\n"
		"\n"
		"Options:\n"), f);
	help_range(f);
	fputs(_("                        (by when each signal was generated)\n"
		"  -o, --output FORMAT   text (default), json (one object per line, fields\n"
		"                        in docs/signals.md), html (a page: docs/report.md)\n"
		"                        or mermaid (a sequence diagram)\n"), f);
	help_socket(f);
	fputs(_("      --color WHEN      auto (default), always or never\n"
		"  -h, --help            show this help\n"), f);
}

static int by_id(const void *a, const void *b)
{
	const struct ipct_sigrec *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void print_records(const struct ipct_fmt *f, struct ipct_sigrec *recs, size_t n, struct ipct_buf *out)
{
	/* Records finish in any order; people read them in the order they began. */
	qsort(recs, n, sizeof(*recs), by_id);
	if (f->mode == IPCT_OUT_TEXT)
		ipct_buf_printf(out, "%s", ipct_buf_len(out) ? "\n" : "");
	ipct_format_sigrec_header(f, out);
	for (size_t i = 0; i < n; i++)
		ipct_format_sigrec(f, &recs[i], out);
	if (!n && f->mode == IPCT_OUT_TEXT)
		ipct_buf_printf(out, "%s\n", _("(no signals)"));
}

/* Reads the `count` SIGREC frames that follow the reply. */
static int read_records(struct conn *conn, size_t count, struct ipct_sigrec **recs)
{
	struct ipct_msg_hdr h;
	const char *payload;
	int err;

	*recs = calloc(count ? count : 1, sizeof(**recs));
	if (!*recs)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		err = conn_next(conn, &h, &payload);
		if (err < 0)
			return err;
		if (h.type != IPCT_MSG_SIGREC || h.len < sizeof(**recs))
			return -EBADMSG;
		memcpy(&(*recs)[i], payload, sizeof(**recs));
		ipct_buf_consume(&conn->in, sizeof(h) + h.len);
	}
	return 0;
}

/* The records as a page, titled with the matches that chose them. */
static int html_records(const struct ipct_fmt *fmt, const struct ipct_sigrec *recs, size_t n, char **matches,
			int nmatches, struct ipct_buf *out)
{
	struct report *rp = report_titled("signals", matches, nmatches, 0);
	int err;

	if (!rp)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		report_record(rp, &recs[i]);
	err = report_html(rp, fmt, out);
	report_free(rp);
	return err;
}

int do_signals(int argc, char **argv)
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
	struct ipct_fmt fmt = { 0 };
	struct json_object *reply = NULL, *v;
	struct ipct_sigrec *recs = NULL;
	struct ipct_buf out = { 0 };
	struct conn conn;
	size_t count = 0, kept = 0, first;
	unsigned more = OUT_ALLOW(IPCT_OUT_HTML) | OUT_ALLOW(IPCT_OUT_MERMAID);
	int c, r, err, ret = 1;

	while ((c = cli_getopt(argc, argv, "S:U:n:o:s:h", opts)) != -1) {
		r = range_option(&range, c);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0 && query_option(&q, c, more, signals_usage, &ret) < 0)
			return ret;
	}
	if (check_range(&range) < 0)
		return EXIT_USAGE;
	fmt.mode = q.mode;
	fmt.color = query_color(&q);
	fmt.width = term_width(STDOUT_FILENO);
	if (conn_open(&conn, q.socket_path, false) < 0)
		return 1;
	reply = conn_query(&conn, "signals", argv + optind, argc - optind, NULL, &ret);
	if (!reply)
		goto out;
	if (json_object_object_get_ex(reply, "count", &v))
		count = (size_t)json_object_get_int64(v);
	if (json_object_object_get_ex(reply, "realtime_offset_ns", &v))
		fmt.realtime_off = json_object_get_int64(v);
	err = read_records(&conn, count, &recs);
	if (err < 0) {
		fprintf(stderr, _("ipctrace: reading records from ipctraced failed: %s\n"), strerror(-err));
		goto out;
	}
	/* The range, by generation (delivery for a signal pending before the trace); then the last N. */
	for (size_t i = 0; i < count; i++) {
		int64_t when = (int64_t)(recs[i].generated_ns ?: recs[i].delivered_ns) + fmt.realtime_off;

		if ((!range.has_since || when >= range.since) && (!range.has_until || when <= range.until))
			recs[kept++] = recs[i];
	}
	qsort(recs, kept, sizeof(*recs), by_id);
	first = range.lines >= 0 && (size_t)range.lines < kept ? kept - (size_t)range.lines : 0;
	if (fmt.mode == IPCT_OUT_HTML)
		err = html_records(&fmt, recs + first, kept - first, argv + optind, argc - optind, &out);
	else if (fmt.mode == IPCT_OUT_MERMAID)
		print_mermaid(recs + first, kept - first, &out);
	else
		print_records(&fmt, recs + first, kept - first, &out);
	ret = err < 0 || write_stdout(&out) < 0 ? 1 : 0;
out:
	json_object_put(reply);
	conn_close(&conn);
	ipct_buf_free(&out);
	free(recs);
	return ret;
}
