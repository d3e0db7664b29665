// SPDX-License-Identifier: MIT
/* ipctrace stats: the daemon's counters. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <inttypes.h>

#include "cli.h"
#include "metrics.h"

static void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: ipctrace stats [OPTIONS]\n"
		"\n"
		"Show the daemon's counters: events, lost events, clients, sessions, and\n"
		"each user's connections, sessions, traced processes and queued output.\n"
		"\n"
		"Options:\n"
		"  -o, --output FORMAT   text (default), json or prometheus (the text exposition\n"
		"                        format: docs/metrics.md)\n"
		SOCKET_HELP
		"  -h, --help            show this help\n");
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
		printf("%-32s %" PRId64 " events at %s\n", i ? "" : "lost, latest times", get_int(l, "count"), when);
	}
}

static void print_journal(struct json_object *reply)
{
	struct json_object *j;
	char first[32], last[32];

	if (!json_object_object_get_ex(reply, "journal", &j) || !j) {
		printf("%-32s %s\n", "journal", "none (--no-journal)");
		return;
	}
	printf("%-32s %.1f MiB in %" PRId64 " segments, %" PRId64 " records\n", "journal",
	       get_int(j, "bytes") / 1048576.0, get_int(j, "segments"), get_int(j, "records"));
	if (get_int(j, "first_ns")) {
		local_time_str(get_int(j, "first_ns"), first, sizeof(first));
		local_time_str(get_int(j, "last_ns"), last, sizeof(last));
		printf("%-32s %s to %s\n", "journal time span", first, last);
	}
	if (get_int(j, "repaired_bytes"))
		printf("%-32s %" PRId64 " bytes of a torn tail cut at start\n", "journal repaired",
		       get_int(j, "repaired_bytes"));
	if (get_int(j, "skipped_segments"))
		printf("%-32s %" PRId64 " segments (%.1f MiB) of another version or format: kept, not read\n",
		       "journal not read", get_int(j, "skipped_segments"), get_int(j, "skipped_bytes") / 1048576.0);
	if (get_int(j, "bad_blocks") || get_int(j, "bad_bytes"))
		printf("%-32s %" PRId64 " damaged stretches, %" PRId64 " bytes: kept, not read\n", "journal damaged",
		       get_int(j, "bad_blocks"), get_int(j, "bad_bytes"));
	if (get_int(j, "write_errors"))
		printf("%-32s %" PRId64 "\n", "journal write errors", get_int(j, "write_errors"));
	if (get_int(j, "sync_errors"))
		printf("%-32s %" PRId64 "\n", "journal sync errors", get_int(j, "sync_errors"));
}

static void print_symbols(struct json_object *reply)
{
	struct json_object *y;

	if (!json_object_object_get_ex(reply, "symbols", &y) || !y)
		return;
	printf("%-32s %" PRId64 " files in memory, %" PRId64 " read, %" PRId64 " evicted\n", "handler symbols",
	       get_int(y, "files"), get_int(y, "loads"), get_int(y, "evicted"));
	if (get_int(y, "refused") || get_int(y, "changed") || get_int(y, "unnamed"))
		printf("%-32s %" PRId64 " files not read (cache full of live ones), %" PRId64 " changed since exec, "
		       "%" PRId64 " handlers unnamed\n", "handler symbols missing", get_int(y, "refused"),
		       get_int(y, "changed"), get_int(y, "unnamed"));
}

/* Each user's share of the daemon: what its limits (ipctraced(8)) are counted on. */
static void print_users(struct json_object *reply)
{
	struct json_object *a;

	if (!json_object_object_get_ex(reply, "users", &a) || !json_object_array_length(a))
		return;
	printf("%-32s %-20s %11s %8s %7s %12s\n", "use by user", "user", "connections", "sessions",
	       "traced", "queued bytes");
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *u = json_object_array_get_idx(a, i);
		struct passwd *pw = getpwuid((uid_t)get_int(u, "uid"));
		char who[64];

		snprintf(who, sizeof(who), "%s(%" PRId64 ")", pw ? pw->pw_name : "?", get_int(u, "uid"));
		printf("%-32s %-20s %11" PRId64 " %8" PRId64 " %7" PRId64 " %12" PRId64 "\n", "", who,
		       get_int(u, "connections"), get_int(u, "sessions"), get_int(u, "traced_processes"),
		       get_int(u, "queued_bytes"));
	}
}

static void print_by_type(struct json_object *reply)
{
	struct json_object *o;
	bool first = true;

	if (!json_object_object_get_ex(reply, "by_type", &o))
		return;
	json_object_object_foreach(o, key, val) {
		printf("%-32s %-18s %" PRId64 "\n", first ? "events by type" : "", key, json_object_get_int64(val));
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
		{ "events", "events traced" },
		{ "lost", "events lost (ring buffer full)" },
		{ "untraced_children", "children not traced (map full)" },
		{ "lost_calls", "calls lost (no task storage)" },
		{ "unwatched_reads", "waits not watched (map full)" },
		{ "untracked_calls", "calls left out of pipe graphs" },
		{ "clients", "clients connected" },
		{ "backlog_bytes", "bytes waiting for clients" },
		{ "sessions", "trace sessions" },
		{ "traced_processes", "traced processes" },
		{ "attached", "programs attached" },
		{ "bpf_reads", "kernel reads (typed/core)" },
		{ "accept_pauses", "accept paused (no descriptors)" },
	};
	enum ipct_output mode = IPCT_OUT_TEXT;
	const char *socket_path = default_socket();
	struct json_object *req, *reply;
	struct conn conn;
	bool prometheus = false;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			prometheus = !strcmp(optarg, "prometheus");
			if (prometheus)
				break;
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "ipctrace: unknown output format '%s' (text, json or prometheus)\n",
					optarg);
				return EXIT_USAGE;
			}
			parse_output(optarg, &mode, false);
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'h':
			stats_usage(stdout);
			return 0;
		default:
			stats_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ipctrace stats: unexpected argument '%s'\n", argv[optind]);
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
			fprintf(stderr, "ipctrace: writing the output failed: %s\n", strerror(errno));
			goto out;
		}
	} else if (mode == IPCT_OUT_JSON) {
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
	} else {
		for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
			struct json_object *v;

			if (json_object_object_get_ex(reply, labels[i][0], &v))
				printf("%-32s %s\n", labels[i][1], json_object_get_string(v));
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
