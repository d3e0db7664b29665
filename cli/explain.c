// SPDX-License-Identifier: MIT
/*
 * `run --explain`: every diagnosis of the run once it has ended, grouped by
 * the processes and objects they share and ranked, root causes first
 * (lib/diagnose.c, ipct_diag_explain), each with the events it rests on;
 * or one JSON object with the groups. `ipctrace explain SESSION` says the
 * same of a logged session, from the diagnoses the journal kept.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diagnose.h"
#include "i18n.h"
#include "say.h"

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

/* "comm[pid]" of an evidence entry, or "" when no process made it. */
static void who(struct json_object *e, char *buf, size_t len)
{
	struct json_object *pid;

	char comm[8 * IPCT_COMM_LEN + 1];

	ipct_text_escape(comm, sizeof(comm), str(e, "comm"), SIZE_MAX);
	if (json_object_object_get_ex(e, "pid", &pid) && pid)
		snprintf(buf, len, "%s[%" PRId64 "]", comm, json_object_get_int64(pid));
	else
		buf[0] = 0;
}

static void text_diag(const struct ipct_fmt *f, struct json_object *d, bool first, size_t group,
		      struct ipct_buf *out)
{
	struct json_object *ev = NULL, *t;
	char text[4096], safe[4096];    /* messages and details name processes: their names are escaped */
	const char *kind = str(d, "kind");

	if (first)
		ipct_buf_printf(out, "%zu. ", group);
	else
		ipct_buf_printf(out, "%s", _("   and "));
	ipct_text_escape(safe, sizeof(safe), ipct_said(d, "message", text, sizeof(text)) ?: "", SIZE_MAX);
	/* The kind stays as JSON and docs/diagnoses.md name it. */
	ipct_buf_printf(out, "%s%s%s%s: %s\n", f->color && !diag_is_info(d) ? "\033[1;31m" : "", kind,
			diag_is_info(d) ? _(" (as designed)") : "", f->color && !diag_is_info(d) ? "\033[0m" : "", safe);
	json_object_object_get_ex(d, "evidence", &ev);
	for (size_t i = 0; ev && i < json_object_array_length(ev); i++) {
		struct json_object *e = json_object_array_get_idx(ev, i);
		int64_t ns = json_object_object_get_ex(e, "time_ns", &t) ? json_object_get_int64(t) : 0;
		char proc[8 * IPCT_COMM_LEN + 24];

		who(e, proc, sizeof(proc));
		ipct_text_escape(safe, sizeof(safe), ipct_said(e, "detail", text, sizeof(text)) ?: "", SIZE_MAX);
		/* As the event lines count time: from the start of the trace. */
		ipct_buf_printf(out, "     %10.6f  ", (double)(ns - f->realtime_off - (int64_t)f->start_ns) / 1e9);
		ipct_buf_pad(out, proc, 24);
		ipct_buf_printf(out, " %-16s %s\n", str(e, "event"), safe);
	}
}

bool diag_is_info(struct json_object *d)
{
	return !strcmp(str(d, "severity"), "info");
}

void print_explanation(const struct ipct_fmt *f, struct json_object *diags, struct ipct_buf *out)
{
	struct json_object *groups = ipct_diag_explain(diags);
	size_t n = diags ? json_object_array_length(diags) : 0;

	if (!groups) {
		fprintf(stderr, _("ipctrace: out of memory\n"));
		return;
	}
	if (f->mode == IPCT_OUT_JSON) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "type", json_object_new_string("explanation"));
		json_object_object_add(o, "groups", json_object_get(groups));
		ipct_json_line(out, o);
		json_object_put(o);
	} else if (!n) {
		ipct_buf_printf(out, "\n%s\n", _("What went wrong: nothing that the trace can show."));
	} else {
		ipct_buf_printf(out, "\n");
		ipct_buf_printf(out, ngettext("What went wrong: %zu diagnosis", "What went wrong: %zu diagnoses, root causes first",
					      n), n);
		ipct_buf_printf(out, "\n");
		for (size_t g = 0; g < json_object_array_length(groups); g++) {
			struct json_object *grp = json_object_array_get_idx(groups, g);

			ipct_buf_printf(out, "\n");
			for (size_t i = 0; i < json_object_array_length(grp); i++)
				text_diag(f, json_object_array_get_idx(grp, i), i == 0, g + 1, out);
		}
	}
	json_object_put(groups);
}

static void explain_usage(FILE *f)
{
	fputs(_("Usage: ipctrace explain [OPTIONS] SESSION\n"
		"\n"
		"Say what went wrong in a logged session, as 'ipctrace run --explain' does\n"
		"when its command ends: every diagnosis the daemon made, grouped by the\n"
		"processes and objects they share, root causes first, each with the events\n"
		"it rests on (docs/diagnoses.md). The session number is the one 'ipctrace\n"
		"log' shows (session=S); the daemon must keep a journal. Root and the\n"
		"ipctrace group may explain every session, other users their own.\n"
		"\n"
		"Options:\n"
		"  -o, --output FORMAT   text (default) or json: one object, as\n"
		"                        'run --explain -o json' prints it\n"), f);
	fputs(SOCKET_HELP, f);
	fputs(_("      --color WHEN      auto (default), always or never\n"
		"  -h, --help            show this help\n"), f);
}

int do_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "color", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct query_opts q = QUERY_OPTS_INIT;
	struct json_object *req, *reply = NULL, *v, *diags = NULL;
	struct ipct_fmt fmt = { 0 };
	struct ipct_buf out = { 0 };
	unsigned long long id;
	struct conn conn;
	char *end, when[32];
	int c, ret = 1;

	while ((c = cli_getopt(argc, argv, "o:s:h", opts)) != -1)
		if (query_option(&q, c, 0, explain_usage, &ret) < 0)
			return ret;
	/* An option taken leaves its would-be usage status behind. */
	ret = 1;
	if (optind != argc - 1) {
		fprintf(stderr, _("ipctrace explain: %s\n"), optind < argc ? _("one session at a time") : _("which session?"));
		usage_short(explain_usage);
		return EXIT_USAGE;
	}
	errno = 0;
	id = strtoull(argv[optind], &end, 10);
	if (errno || *end || end == argv[optind] || argv[optind][0] == '-' || !id || id > UINT32_MAX) {
		fprintf(stderr, _("ipctrace explain: '%s' is not a session number\n"), argv[optind]);
		return EXIT_USAGE;
	}
	fmt.mode = q.mode;
	fmt.color = query_color(&q);
	if (conn_open(&conn, q.socket_path, false) < 0)
		return 1;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("explain"));
	json_object_object_add(req, "session", json_object_new_int64((int64_t)id));
	reply = conn_request(&conn, req);
	json_object_put(req);
	if (!reply)
		goto out;
	if (reply_error(reply)) {
		fprintf(stderr, "ipctrace %s\n", reply_error(reply));
		goto out;
	}
	json_object_object_get_ex(reply, "diagnoses", &diags);
	/* Evidence times count from the session's start, a wall-clock time here. */
	if (json_object_object_get_ex(reply, "start_ns", &v))
		fmt.realtime_off = json_object_get_int64(v);
	if (fmt.mode == IPCT_OUT_TEXT) {
		local_time_str(fmt.realtime_off, when, sizeof(when));
		ipct_buf_printf(&out, _("Session %llu, started %s\n"), id, when);
	}
	print_explanation(&fmt, diags, &out);
	ret = write_stdout(&out) < 0 ? 1 : 0;
out:
	json_object_put(reply);
	conn_close(&conn);
	ipct_buf_free(&out);
	return ret;
}
