// SPDX-License-Identifier: MIT
/*
 * `run --explain`: every diagnosis of the run once it has ended, grouped by
 * the processes and objects they share and ranked, root causes first
 * (lib/diagnose.c, ipct_diag_explain), each with the events it rests on;
 * or one JSON object with the groups.
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "diagnose.h"

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

/* "comm[pid]" of an evidence entry, or "" when no process made it. */
static void who(struct json_object *e, char *buf, size_t len)
{
	struct json_object *pid;

	if (json_object_object_get_ex(e, "pid", &pid) && pid)
		snprintf(buf, len, "%s[%" PRId64 "]", str(e, "comm"), json_object_get_int64(pid));
	else
		buf[0] = 0;
}

static void text_diag(const struct ipct_fmt *f, struct json_object *d, bool first, size_t group,
		      struct ipct_buf *out)
{
	struct json_object *ev = NULL, *t;

	if (first)
		ipct_buf_printf(out, "%zu. ", group);
	else
		ipct_buf_printf(out, "   and ");
	ipct_buf_printf(out, "%s%s%s: %s\n", f->color ? "\033[1;31m" : "", str(d, "kind"), f->color ? "\033[0m" : "",
			str(d, "message"));
	json_object_object_get_ex(d, "evidence", &ev);
	for (size_t i = 0; ev && i < json_object_array_length(ev); i++) {
		struct json_object *e = json_object_array_get_idx(ev, i);
		int64_t ns = json_object_object_get_ex(e, "time_ns", &t) ? json_object_get_int64(t) : 0;
		char proc[48];

		who(e, proc, sizeof(proc));
		/* As the event lines count time: from the start of the trace. */
		ipct_buf_printf(out, "     %10.6f  %-24s %-16s %s\n",
				(double)(ns - f->realtime_off - (int64_t)f->start_ns) / 1e9, proc, str(e, "event"),
				str(e, "detail"));
	}
}

void print_explanation(const struct ipct_fmt *f, struct json_object *diags, struct ipct_buf *out)
{
	struct json_object *groups = ipct_diag_explain(diags);
	size_t n = diags ? json_object_array_length(diags) : 0;

	if (!groups) {
		fprintf(stderr, "ipctrace: out of memory\n");
		return;
	}
	if (f->mode == IPCT_OUT_JSON) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "type", json_object_new_string("explanation"));
		json_object_object_add(o, "groups", json_object_get(groups));
		ipct_buf_printf(out, "%s\n", json_object_to_json_string_ext(
					o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else if (!n) {
		ipct_buf_printf(out, "\nWhat went wrong: nothing that the trace can show.\n");
	} else {
		ipct_buf_printf(out, "\nWhat went wrong: %zu diagnos%s\n", n, n > 1 ? "es, root causes first" : "is");
		for (size_t g = 0; g < json_object_array_length(groups); g++) {
			struct json_object *grp = json_object_array_get_idx(groups, g);

			ipct_buf_printf(out, "\n");
			for (size_t i = 0; i < json_object_array_length(grp); i++)
				text_diag(f, json_object_array_get_idx(grp, i), i == 0, g + 1, out);
		}
	}
	json_object_put(groups);
}
