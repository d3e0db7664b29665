// SPDX-License-Identifier: MIT
/* ipctrace log: the daemon's event log, filtered like journalctl, and followed with -f; and the
 * --since, --until and -n that signals and pipes take too. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "names.h"
#include "perfetto.h"
#include "i18n.h"
#include "replay.h"
#include "report.h"

static void log_usage(FILE *f)
{
	fputs(_("Usage: ipctrace log [OPTIONS] [FIELD=VALUE...]\n"
		"\n"
		"Show the events the daemon has logged, oldest first, filtered in the\n"
		"daemon. The same field twice means either value; different fields must\n"
		"all match. Users see only their own processes' events (root and the\n"
		"ipctrace group see all).\n"
		"\n"
		"Fields: pid, tid, comm, tree (a pid and its descendants), uid, type (kill,\n"
		"        write, signal_generate, ...), sig, fd, object (pipe:[N] or N),\n"
		"        kind (pipe, fifo, socket), result, errno (EPIPE, ...), session.\n"
		"Times:  as journalctl's (systemd.time(7)): now, boot, today, yesterday,\n"
		"        -5min, -1h30min, \"5 minutes ago\", @EPOCH, \"2026-11-24 10:00[:00]\",\n"
		"        2026-11-24T10:00:00[Z], 10:00 (today).\n"
		"Example: ipctrace log tree=1234 type=write errno=EPIPE --since -1h\n"
		"\n"
		"Options:\n"
		"  -S, --since TIME      events from TIME on\n"
		"  -U, --until TIME      events up to TIME\n"
		"  -n, --lines N         only the last N matching events, from 0 to 10000000\n"
		"                        (with -f, -n 0 prints only new events)\n"
		"  -f, --follow          then keep printing new events that match, until\n"
		"                        Ctrl-C; the last 10 first unless -n or --since\n"
		"                        says otherwise (not with --until)\n"
		"  -o, --output FORMAT   text (default), json (fields in docs/events.md),\n"
		"                        perfetto (a timeline, docs/perfetto.md; with\n"
		"                        session=N, the session's diagnoses too) or html\n"
		"                        (a page: docs/report.md; not with -f)\n"), f);
	help_socket(f);
	fputs(_("      --color WHEN      auto (default), always or never\n"
		"      --view            draw the events as ipctrace run --view does (a\n"
		"                        session: session=N), all at once\n"
		"      --step            --view one event per key: space next, b back a\n"
		"                        screen, s what each process holds, q quit\n"
		"      --speed F         --view in slowed real time: 0.1 ten times slower\n"
		"  -h, --help            show this help\n"
		"\n"
		"Times show their date unless all the events asked for are from today.\n"
		"\n"
		"Exit status: 0, or 3 when the answer may miss events (stderr says how\n"
		"many and why: the kernel's ring buffer was full, this output read too\n"
		"slowly, or rotation removed them while the query ran); 2 for a usage\n"
		"error, 1 for other failures.\n"), f);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int parse_when(const char *opt, const char *arg, int64_t *out)
{
	int64_t now = clock_ns(CLOCK_REALTIME);

	if (ipct_parse_time(arg, now, now - clock_ns(CLOCK_BOOTTIME), out) < 0) {
		fprintf(stderr, _("%s: %s: '%s' is not a time (try -5min, \"5 minutes ago\", today, boot, "
			"\"2026-11-24 10:00\", 2026-11-24T10:00:00, 10:00)\n"), cli_prog, opt, arg);
		return -EINVAL;
	}
	return 0;
}

int check_range(const struct time_range *t)
{
	char a[32], b[32];

	if (t->has_since && t->has_until && t->since > t->until) {
		local_time_str(t->since, a, sizeof(a));
		local_time_str(t->until, b, sizeof(b));
		fprintf(stderr, _("%s: --since (%s) is after --until (%s): nothing could match\n"), cli_prog, a, b);
		return -EINVAL;
	}
	return 0;
}

void add_range(const struct time_range *t, struct json_object *req)
{
	if (t->has_since)
		json_object_object_add(req, "since", json_object_new_int64(t->since));
	if (t->has_until)
		json_object_object_add(req, "until", json_object_new_int64(t->until));
	if (t->lines >= 0)
		json_object_object_add(req, "limit", json_object_new_int64(t->lines));
}

int range_option(struct time_range *t, int c)
{
	char *end;

	switch (c) {
	case 'S':
		t->has_since = true;
		return parse_when("--since", optarg, &t->since);
	case 'U':
		t->has_until = true;
		return parse_when("--until", optarg, &t->until);
	case 'n':
		t->lines = strtoll(optarg, &end, 10);
		if (*end || end == optarg || t->lines < 0 || t->lines > IPCT_LOG_LIMIT_MAX) {
			fprintf(stderr, _("%s: -n takes a number from 0 to %d (the most one query returns), not '%s'\n"),
				cli_prog, IPCT_LOG_LIMIT_MAX, optarg);
			return -EINVAL;
		}
		return 0;
	}
	return 1;
}

/* Whether every event of the range is from today: then their times need no date. */
static bool all_today(const struct time_range *t)
{
	int64_t now = clock_ns(CLOCK_REALTIME), midnight;
	char today[32], until[32];

	if (!t->has_since || ipct_parse_time("today", now, 0, &midnight) < 0 || t->since < midnight)
		return false;
	local_time_str(now, today, sizeof(today));
	local_time_str(t->has_until && t->until < now ? t->until : now, until, sizeof(until));
	return !strncmp(today, until, 10);
}

/* The end of the logged part: says so when the answer has holes; whether it has. */
static bool on_end(struct json_object *n)
{
	struct json_object *losses, *v;
	bool holes = false;

	if (json_object_object_get_ex(n, "losses", &losses)) {
		for (size_t i = 0; i < json_object_array_length(losses); i++) {
			struct json_object *l = json_object_array_get_idx(losses, i), *t, *c;
			char when[64] = "?";

			if (json_object_object_get_ex(l, "time_ns", &t))
				local_time_str(json_object_get_int64(t), when, sizeof(when));
			json_object_object_get_ex(l, "count", &c);
			fprintf(stderr, _("ipctrace: %" PRId64 " events were lost around %s (the ring buffer was full): "
				"this answer may miss some\n"), c ? json_object_get_int64(c) : 0, when);
			holes = true;
		}
	}
	if (json_object_object_get_ex(n, "rotated", &v) && json_object_get_boolean(v)) {
		fprintf(stderr, _("ipctrace: the journal's rotation removed events this query had not yet read: "
			"this answer misses them\n"));
		holes = true;
	}
	if (json_object_object_get_ex(n, "error", &v)) {
		/* The daemon's English strerror text, in the user's language by glibc's own catalogue. */
		fprintf(stderr, _("ipctrace: reading the journal failed (%s): this answer ends there\n"),
			dgettext("libc", json_object_get_string(v)));
		holes = true;
	}
	return holes;
}

/*
 * -o perfetto of one session (the matches are session=N and nothing else):
 * its diagnoses, which the journal keeps apart from its events, as the
 * trace's markers. The log's query is over: the connection is free. 0 or -ENOMEM.
 */
static int add_diagnoses(struct conn *conn, struct ipct_pf *pf, char **matches, int n, struct ipct_buf *out)
{
	struct json_object *req, *reply, *diags;
	char *end;
	long session;
	int err = 0;

	if (n != 1 || strncmp(matches[0], "session=", 8) || (session = strtol(matches[0] + 8, &end, 10)) <= 0 || *end)
		return 0;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("explain"));
	json_object_object_add(req, "session", json_object_new_int64(session));
	reply = conn_request(conn, req);
	json_object_put(req);
	if (reply && reply_error(reply))
		fprintf(stderr, _("ipctrace log: the session's diagnoses are not in the trace: %s\n"), reply_error(reply));
	else if (reply && json_object_object_get_ex(reply, "diagnoses", &diags))
		for (size_t i = 0; !err && i < json_object_array_length(diags); i++)
			err = ipct_pf_diag(pf, json_object_array_get_idx(diags, i), out);
	json_object_put(reply);
	return err;
}

int do_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "lines", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "color", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		REPLAY_OPTIONS,
		{},
	};
	struct query_opts q = QUERY_OPTS_INIT;
	struct replay_opts ro = { 0 };
	struct replay *rp = NULL;
	struct ipct_pf *pf = NULL;
	struct report *page = NULL;
	struct ipct_fmt fmt = { 0 };
	struct json_object *req, *reply = NULL, *v;
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct time_range range = TIME_RANGE_INIT;
	int64_t lost = 0;
	bool follow = false, ended = false, holes = false;
	struct ipct_buf out = { 0 };
	struct conn conn;
	int c, r, ret = 1;

	while ((c = cli_getopt(argc, argv, "S:U:n:fo:s:h", opts)) != -1) {
		if (c == 'f') {
			follow = true;
			continue;
		}
		r = replay_option(&ro, c, optarg);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		r = range_option(&range, c);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0 && query_option(&q, c, OUT_ALLOW(IPCT_OUT_PERFETTO) | OUT_ALLOW(IPCT_OUT_HTML), log_usage, &ret) < 0)
			return ret;
	}
	if (ro.view && (follow || q.mode != IPCT_OUT_TEXT || (ro.step && ro.speed > 0))) {
		fprintf(stderr, _("ipctrace log: --view draws a logged session: not with -f or -o, and --step or --speed, "
			"not both\n"));
		return EXIT_USAGE;
	}
	if (check_range(&range) < 0)
		return EXIT_USAGE;
	if (follow && q.mode == IPCT_OUT_HTML) {
		fprintf(stderr, _("ipctrace log: -o html writes one page of what is logged: not with -f\n"));
		return EXIT_USAGE;
	}
	/* journalctl -f refuses an end too: following is for what has not happened yet. */
	if (follow && range.has_until) {
		fprintf(stderr, _("ipctrace log: -f follows new events until Ctrl-C: it does not go with --until\n"));
		return EXIT_USAGE;
	}
	/* As journalctl -f: the last 10, then what comes, unless -n or --since says which. */
	if (follow && range.lines < 0 && !range.has_since)
		range.lines = 10;
	fmt.mode = q.mode;
	fmt.dates = !all_today(&range);
	fmt.color = query_color(&q);
	fmt.syms = ipct_syms_new();
	ret = 1;
	if (ro.view && !(rp = replay_new(&ro)))
		goto out_free;
	if (q.mode == IPCT_OUT_HTML && !(page = report_titled("log", argv + optind, argc - optind, REPORT_OWN_MODELS)))
		goto out_free;
	if (conn_open(&conn, q.socket_path, false) < 0)
		goto out_free;
	req = json_object_new_object();
	add_range(&range, req);
	json_object_object_add(req, "follow", json_object_new_boolean(follow));
	reply = conn_query(&conn, "log", argv + optind, argc - optind, req, &ret);
	if (!reply)
		goto out;
	ret = 1;
	if (json_object_object_get_ex(reply, "realtime_offset_ns", &v))
		fmt.realtime_off = json_object_get_int64(v);
	if (q.mode == IPCT_OUT_PERFETTO && (!(pf = ipct_pf_new(&fmt)) || ipct_pf_begin(pf, &out) < 0)) {
		fprintf(stderr, _("ipctrace: out of memory\n"));
		goto out;
	}
	if (!rp && !pf && !page)
		ipct_format_header(&fmt, &out);
	/* Followed until a signal says to stop: then the exit status says whether anything was lost. */
	if (follow) {
		conn.stop_fd = signals_fd(stop_sigs, sizeof(stop_sigs) / sizeof(stop_sigs[0]));
		if (conn.stop_fd < 0) {
			fprintf(stderr, "ipctrace: signalfd: %s\n", strerror(-conn.stop_fd));
			goto out;
		}
	}
	while (!ended || follow) {
		struct ipct_msg_hdr h;
		const char *payload;
		int err = conn_next(&conn, &h, &payload);

		if (err == -EINTR)
			break;
		if (err < 0) {
			fprintf(stderr, _("ipctrace: lost the connection to ipctraced: %s\n"), strerror(-err));
			goto out;
		}
		if (h.type == IPCT_MSG_EVENT && h.len >= sizeof(struct ipct_event)) {
			const struct ipct_event *e = (const void *)payload;

			ipct_syms_on_event(fmt.syms, e);
			/* Context (a fork or exec outside the matches) only names handlers. */
			if (!(e->flags & IPCT_F_CONTEXT)) {
				if (pf) {
					if (ipct_pf_event(pf, e, &out) < 0)
						goto oom;
				} else if (page)
					report_event(page, e);
				else if (!rp)
					ipct_format_event(&fmt, e, &out);
				else if (replay_add(rp, e) < 0)
					goto out;
			}
		} else if (h.type == IPCT_MSG_JSON) {
			struct json_object *n = ipct_json_parse(payload, h.len);

			if (n && json_object_object_get_ex(n, "notice", &v) &&
			    !strcmp(json_object_get_string(v), "log_end")) {
				holes |= on_end(n);
				ended = true;
			} else if (n) {
				lost += notice_lost(n);
			}
			json_object_put(n);
		}
		ipct_buf_consume(&conn.in, sizeof(h) + h.len);
		/* Print what has come whenever the daemon has nothing more right now. */
		if (ended || ipct_buf_len(&conn.in) == 0 || ipct_buf_len(&out) > (1u << 20)) {
			if (write_stdout(&out) < 0)
				goto out;
			ipct_buf_consume(&out, ipct_buf_len(&out));
		}
	}
	if (pf && ((!follow && add_diagnoses(&conn, pf, argv + optind, argc - optind, &out) < 0) || ipct_pf_end(pf, &out) < 0))
		goto oom;
	if (page && report_html(page, &fmt, &out) < 0)
		goto out;
	if (write_stdout(&out) < 0 || (rp && replay_play(rp, &fmt)))
		goto out;
	if (lost)
		fprintf(stderr, _("ipctrace log: %" PRId64 " events in all were dropped for this output: it is "
			"incomplete\n"), lost);
	ret = lost || holes ? EXIT_INCOMPLETE : 0;
	goto out;
oom:
	fprintf(stderr, _("ipctrace: out of memory\n"));
out:
	json_object_put(reply);
	conn_close(&conn);
out_free:
	ipct_pf_free(pf);
	replay_free(rp);
	report_free(page);
	ipct_buf_free(&out);
	ipct_syms_free(fmt.syms);
	return ret;
}
