// SPDX-License-Identifier: MIT
/* ipctrace stats and sessions: the daemon's counters, and its trace sessions. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <inttypes.h>

#include "cli.h"
#include "i18n.h"
#include "metrics.h"
#include "safetext.h"

static void stats_usage(FILE *f)
{
	fputs(_("Usage: ipctrace stats [OPTIONS]\n"
		"\n"
		"Show the daemon's counters: events, lost events, clients, sessions, and\n"
		"each user's connections, sessions, traced processes and queued output.\n"
		"\n"
		"Options:\n"
		"  -o, --output FORMAT   text (default), json or prometheus (the text exposition\n"
		"                        format: docs/metrics.md)\n"), f);
	help_socket(f);
	fputs(_("  -h, --help            show this help\n"), f);
}

/* The column the values of the text output start at: the widest label, translated. */
#define LABEL_MIN 32
static int label_width = LABEL_MIN;

/* The labels of print_losses, _journal, _symbols, _users and _by_type, for the column's width. */
static const char *const more_labels[] = {
	N_("lost, latest times"), N_("journal"), N_("journal time span"), N_("journal repaired"),
	N_("journal not read"), N_("journal damaged"), N_("journal write errors"), N_("journal sync errors"),
	N_("handler symbols"), N_("handler symbols missing"), N_("use by user"), N_("events by type"),
};

static void widen(const char *s)
{
	if (ipct_text_width(s) > label_width)
		label_width = ipct_text_width(s);
}

/* A label padded to the values' column (by display width: translations have accents). */
static void label(const char *s)
{
	fput_padded(stdout, s, label_width);
	putchar(' ');
}

static int64_t get_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : 0;
}

static void print_losses(struct json_object *reply)
{
	struct json_object *arr;
	char when[32];

	if (!json_object_object_get_ex(reply, "losses", &arr))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *l = json_object_array_get_idx(arr, i);

		local_time_str(get_int(l, "time_ns"), when, sizeof(when));
		label(i ? "" : _("lost, latest times"));
		printf(ngettext("%" PRId64 " event at %s\n", "%" PRId64 " events at %s\n",
				(unsigned long)get_int(l, "count")), get_int(l, "count"), when);
	}
}

static void print_journal(struct json_object *reply)
{
	struct json_object *j;
	char first[32], last[32];

	if (!json_object_object_get_ex(reply, "journal", &j) || !j) {
		label(_("journal"));
		puts(_("none (--no-journal)"));
		return;
	}
	label(_("journal"));
	printf(_("%.1f MiB in %" PRId64 " segments, %" PRId64 " records\n"),
	       get_int(j, "bytes") / 1048576.0, get_int(j, "segments"), get_int(j, "records"));
	if (get_int(j, "first_ns")) {
		local_time_str(get_int(j, "first_ns"), first, sizeof(first));
		local_time_str(get_int(j, "last_ns"), last, sizeof(last));
		label(_("journal time span"));
		printf(_("%s to %s\n"), first, last);
	}
	if (get_int(j, "repaired_bytes")) {
		label(_("journal repaired"));
		printf(_("%" PRId64 " bytes of a torn tail cut at start\n"), get_int(j, "repaired_bytes"));
	}
	if (get_int(j, "skipped_segments")) {
		label(_("journal not read"));
		printf(_("%" PRId64 " segments (%.1f MiB) of another version or format: kept, not read\n"),
		       get_int(j, "skipped_segments"), get_int(j, "skipped_bytes") / 1048576.0);
	}
	if (get_int(j, "bad_blocks") || get_int(j, "bad_bytes")) {
		label(_("journal damaged"));
		printf(_("%" PRId64 " damaged stretches, %" PRId64 " bytes: kept, not read\n"),
		       get_int(j, "bad_blocks"), get_int(j, "bad_bytes"));
	}
	if (get_int(j, "write_errors")) {
		label(_("journal write errors"));
		printf("%" PRId64 "\n", get_int(j, "write_errors"));
	}
	if (get_int(j, "sync_errors")) {
		label(_("journal sync errors"));
		printf("%" PRId64 "\n", get_int(j, "sync_errors"));
	}
}

static void print_symbols(struct json_object *reply)
{
	struct json_object *y;

	if (!json_object_object_get_ex(reply, "symbols", &y) || !y)
		return;
	label(_("handler symbols"));
	printf(_("%" PRId64 " files in memory, %" PRId64 " read, %" PRId64 " evicted\n"),
	       get_int(y, "files"), get_int(y, "loads"), get_int(y, "evicted"));
	if (get_int(y, "refused") || get_int(y, "changed") || get_int(y, "unnamed")) {
		label(_("handler symbols missing"));
		printf(_("%" PRId64 " files not read (cache full of live ones), %" PRId64 " changed since exec, "
			 "%" PRId64 " handlers unnamed\n"), get_int(y, "refused"),
		       get_int(y, "changed"), get_int(y, "unnamed"));
	}
}

/* Each user's share of the daemon: what its limits (ipctraced(8)) are counted on. */
static void print_users(struct json_object *reply)
{
	struct json_object *a;

	if (!json_object_object_get_ex(reply, "users", &a) || !json_object_array_length(a))
		return;
	/* The numbers right-aligned under their translated headers. */
	const char *head[] = { _("connections"), _("sessions"), _("traced"), _("queued bytes") };
	int w[4] = { 11, 8, 7, 12 };

	label(_("use by user"));
	fput_padded(stdout, _("user"), 20);
	for (size_t k = 0; k < 4; k++) {
		if (ipct_text_width(head[k]) > w[k])
			w[k] = ipct_text_width(head[k]);
		printf(" %*s%s", w[k] - ipct_text_width(head[k]), "", head[k]);
	}
	putchar('\n');
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *u = json_object_array_get_idx(a, i);
		struct passwd *pw = getpwuid((uid_t)get_int(u, "uid"));
		char who[64];

		snprintf(who, sizeof(who), "%s(%" PRId64 ")", pw ? pw->pw_name : "?", get_int(u, "uid"));
		label("");
		printf("%-20s %*" PRId64 " %*" PRId64 " %*" PRId64 " %*" PRId64 "\n", who,
		       w[0], get_int(u, "connections"), w[1], get_int(u, "sessions"),
		       w[2], get_int(u, "traced_processes"), w[3], get_int(u, "queued_bytes"));
	}
}

static void print_by_type(struct json_object *reply)
{
	struct json_object *o;
	bool first = true;

	if (!json_object_object_get_ex(reply, "by_type", &o))
		return;
	json_object_object_foreach(o, key, val) {
		label(first ? _("events by type") : "");
		printf("%-18s %" PRId64 "\n", key, json_object_get_int64(val));
		first = false;
	}
}

int do_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static const char *const labels[][2] = {
		{ "events", N_("events traced") },
		{ "lost", N_("events lost (ring buffer full)") },
		{ "untraced_children", N_("children not traced (map full)") },
		{ "lost_calls", N_("calls lost (no task storage)") },
		{ "untracked_calls", N_("calls left out of pipe graphs") },
		{ "clients", N_("clients connected") },
		{ "backlog_bytes", N_("bytes waiting for clients") },
		{ "sessions", N_("trace sessions") },
		{ "traced_processes", N_("traced processes") },
		{ "attached", N_("programs attached") },
		{ "bpf_reads", N_("kernel reads (typed/core)") },
		{ "accept_pauses", N_("accept paused (no descriptors)") },
	};
	enum ipct_output mode = IPCT_OUT_TEXT;
	const char *socket_path = default_socket();
	struct json_object *req, *reply;
	struct conn conn;
	bool prometheus = false;
	int c, ret = 1;

	while ((c = cli_getopt(argc, argv, "o:s:h", opts)) != -1) {
		switch (c) {
		case 'o':
			prometheus = !strcmp(optarg, "prometheus");
			if (prometheus)
				break;
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, _("ipctrace: unknown output format '%s' (text, json or prometheus)\n"),
					optarg);
				return EXIT_USAGE;
			}
			parse_output(optarg, &mode, 0);
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'h':
			stats_usage(stdout);
			return 0;
		default:
			usage_short(stats_usage);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("ipctrace stats: unexpected argument '%s'\n"), argv[optind]);
		return EXIT_USAGE;
	}
	if (conn_open(&conn, socket_path, false) < 0)
		return 1;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("stats"));
	reply = conn_request(&conn, req);
	json_object_put(req);
	if (!reply)
		goto out;
	if (reply_error(reply)) {
		fprintf(stderr, "ipctrace: %s\n", reply_error(reply));
		goto out;
	}
	json_object_object_del(reply, "ok");
	if (prometheus) {
		if (ipct_metrics_write(stdout, reply) < 0) {
			fprintf(stderr, _("ipctrace: writing the output failed: %s\n"), strerror(errno));
			goto out;
		}
	} else if (mode == IPCT_OUT_JSON) {
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
	} else {
		for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
			widen(_(labels[i][1]));
		for (size_t i = 0; i < sizeof(more_labels) / sizeof(more_labels[0]); i++)
			widen(_(more_labels[i]));
		for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
			struct json_object *v;

			if (json_object_object_get_ex(reply, labels[i][0], &v)) {
				label(_(labels[i][1]));
				printf("%s\n", json_object_get_string(v));
			}
		}
		print_losses(reply);
		print_journal(reply);
		print_symbols(reply);
		print_users(reply);
		print_by_type(reply);
	}
	ret = 0;
out:
	json_object_put(reply);
	conn_close(&conn);
	return ret;
}

static void sessions_usage(FILE *f)
{
	fputs(_("Usage: ipctrace sessions [OPTIONS]\n"
		"\n"
		"List the daemon's trace sessions, oldest first: those running (their\n"
		"client streams their events), in the background (attach --background:\n"
		"logged only, ended by `ipctrace detach ID`) and the latest 64 ended (kept\n"
		"in the journal across restarts). Users other than root see only their own.\n"
		"\n"
		"Columns: SESSION (what log session=N, pipes session=N, explain and detach\n"
		"take), USER, STATE (running, background, ending: its last records wait\n"
		"for handler names, or how it ended: exited, detached, client gone, daemon\n"
		"exit), START, PID (its first process), EVENTS, LOST, COMMAND (all: trace\n"
		"--all).\n"
		"\n"
		"Options:\n"
		"  -o, --output FORMAT   text (default) or json: one object per line, fields\n"
		"                        in docs/protocol.md\n"), f);
	help_socket(f);
	fputs(_("  -h, --help            show this help\n"), f);
}

/* How a session is: running, background, ending, or how it ended. */
static void session_state(struct json_object *s, char *buf, size_t len)
{
	struct json_object *v;
	const char *state = json_object_object_get_ex(s, "state", &v) ? json_object_get_string(v) : "?";

	static const char *const names[][2] = {
		{ "running", N_("running") }, { "background", N_("background") }, { "ending", N_("ending") },
		{ "exited", N_("exited") },
		{ "detached", N_("detached") }, { "client_gone", N_("client gone") },
		{ "daemon_exit", N_("daemon exit") },
	};

	if (!strcmp(state, "ended") && json_object_object_get_ex(s, "reason", &v))
		state = json_object_get_string(v);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(state, names[i][0]))
			state = _(names[i][1]);
	snprintf(buf, len, "%s", state);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
}

static void session_user(struct json_object *s, char *buf, size_t len)
{
	struct passwd *pw = getpwuid((uid_t)get_int(s, "uid"));

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%" PRId64, get_int(s, "uid"));
}

/* "2026-12-06 08:30:01", or "08:30:01" today. */
static void session_start(struct json_object *s, const char *today, char *buf, size_t len)
{
	char when[32];

	local_time_str(get_int(s, "start_ns"), when, sizeof(when));
	snprintf(buf, len, "%s", strncmp(when, today, strlen(today)) ? when : when + strlen(today) + 1);
}

static void print_sessions(struct json_object *list, struct ipct_buf *out)
{
	size_t n = json_object_array_length(list);
	/* TRANSLATORS: the column headers of `ipctrace sessions`, capitals as in ps. */
	const char *head[] = { _("SESSION"), _("USER"), _("STATE"), _("START"), _("PID"), _("EVENTS"), _("LOST"),
			       _("COMMAND") };
	int w[8] = { 7, 0, 0, 0, 7, 9, 6, 0 };
	char user[64], state[32], start[32], today[16];
	time_t now = time(NULL);
	struct tm tm;

	if (!n) {
		ipct_buf_printf(out, "%s\n", _("(no sessions)"));
		return;
	}
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	/* Columns as wide as their widest value: user names and dates vary. */
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(list, i);

		session_user(s, user, sizeof(user));
		session_state(s, state, sizeof(state));
		session_start(s, today, start, sizeof(start));
		w[1] = ipct_text_width(user) > w[1] ? ipct_text_width(user) : w[1];
		w[2] = ipct_text_width(state) > w[2] ? ipct_text_width(state) : w[2];
		w[3] = ipct_text_width(start) > w[3] ? ipct_text_width(start) : w[3];
	}
	for (size_t k = 0; k < 8; k++) {
		w[k] = ipct_text_width(head[k]) > w[k] ? ipct_text_width(head[k]) : w[k];
		ipct_buf_pad(out, head[k], k < 7 ? w[k] + 1 : 0);
	}
	ipct_buf_printf(out, "\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(list, i), *v;
		const char *command = json_object_object_get_ex(s, "command", &v) ? json_object_get_string(v) : "";
		char safe[4 * 8 * IPCT_COMM_LEN];

		/* A program chose its name: escaped, as on event lines. */
		ipct_text_escape(safe, sizeof(safe), command, SIZE_MAX);
		session_user(s, user, sizeof(user));
		session_state(s, state, sizeof(state));
		session_start(s, today, start, sizeof(start));
		ipct_buf_printf(out, "%-*" PRId64 " ", w[0], get_int(s, "session"));
		ipct_buf_pad(out, user, w[1] + 1);
		ipct_buf_pad(out, state, w[2] + 1);
		ipct_buf_pad(out, start, w[3] + 1);
		ipct_buf_printf(out, "%-*" PRId64 " %-*" PRId64 " %-*" PRId64 " %s\n", w[4], get_int(s, "pid"),
				w[5], get_int(s, "events"), w[6], get_int(s, "lost"),
				json_object_object_get_ex(s, "all", &v) && json_object_get_boolean(v) ? _("(all)") :
				*safe ? safe : "?");
	}
}

int do_sessions(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct query_opts q = QUERY_OPTS_INIT;
	struct json_object *req, *reply, *list;
	struct ipct_buf out = { 0 };
	struct conn conn;
	int c, ret = 1;

	while ((c = cli_getopt(argc, argv, "o:s:h", opts)) != -1)
		if (query_option(&q, c, 0, sessions_usage, &ret) < 0)
			return ret;
	if (optind < argc) {
		fprintf(stderr, _("%s: unexpected argument '%s'\n"), cli_prog, argv[optind]);
		usage_short(sessions_usage);
		return EXIT_USAGE;
	}
	if (conn_open(&conn, q.socket_path, false) < 0)
		return 1;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("sessions"));
	reply = conn_request(&conn, req);
	json_object_put(req);
	if (!reply)
		goto out;
	if (reply_error(reply) || !json_object_object_get_ex(reply, "sessions", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		fprintf(stderr, "ipctrace: %s\n", reply_error(reply) ?: _("ipctraced sent no session list"));
		goto out;
	}
	if (q.mode == IPCT_OUT_JSON)
		for (size_t i = 0; i < json_object_array_length(list); i++)
			ipct_json_line(&out, json_object_array_get_idx(list, i));
	else
		print_sessions(list, &out);
	ret = write_stdout(&out) < 0 ? 1 : 0;
out:
	json_object_put(reply);
	conn_close(&conn);
	ipct_buf_free(&out);
	return ret;
}
