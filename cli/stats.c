// SPDX-License-Identifier: MIT
/* ipctrace stats: the daemon's counters. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: ipctrace stats [OPTIONS]\n"
		"\n"
		"Show the daemon's counters: events, lost events, clients, sessions.\n"
		"\n"
		"Options:\n"
		"  -o, --output FORMAT   text (default) or json\n"
		"  -s, --socket PATH     the daemon's socket (default " IPCT_SOCKET_PATH ")\n"
		"  -h, --help            show this help\n");
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
		{ "clients", "clients connected" },
		{ "sessions", "trace sessions" },
		{ "attached", "programs attached" },
	};
	enum ipct_output mode = IPCT_OUT_TEXT;
	const char *socket_path = IPCT_SOCKET_PATH;
	struct json_object *req, *reply;
	struct conn conn;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (parse_output(optarg, &mode, false) < 0)
				return EXIT_USAGE;
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
	if (mode == IPCT_OUT_JSON) {
		printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
	} else {
		for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
			struct json_object *v;

			if (json_object_object_get_ex(reply, labels[i][0], &v))
				printf("%-32s %s\n", labels[i][1], json_object_get_string(v));
		}
	}
	ret = 0;
out:
	json_object_put(reply);
	conn_close(&conn);
	return ret;
}
