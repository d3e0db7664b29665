// SPDX-License-Identifier: MIT
/*
 * The stats reply as Prometheus metrics (docs/metrics.md).
 *
 * The reply is walked as it is, not read field by field: a field a newer
 * daemon adds comes out too, named after its place in the reply
 * (ipctrace_OBJECT_FIELD), untyped, with a help line that points to
 * docs/protocol.md. The fields known here get their help text and type:
 * counters (which only grow while the daemon runs) end in _total, times
 * in nanoseconds become seconds. An object of counts (by_type) is one
 * metric with a label; a list of objects with a "uid" (each user's use)
 * is one metric per field, labelled by uid; other lists (the latest
 * losses, a history whose sum is a counter already) are left out.
 *
 * Help texts stay English, untranslated: the exposition format is read by
 * Prometheus and its tools, not by people at a terminal.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "metrics.h"

struct metric {
	const char *path;       /* in the reply: "events", "journal.bytes" */
	const char *name;       /* after ipctrace_, _total included; NULL: from the path */
	bool counter;
	const char *label;      /* an object of counts: one sample per key, with this label */
	const char *help;
};

static const struct metric known[] = {
	{ "events", NULL, true, NULL, "Events traced since the daemon started." },
	{ "lost", "lost_events_total", true, NULL, "Events lost because the kernel's ring buffer was full." },
	{ "untraced_children", NULL, true, NULL, "Children not added to the traced set: the kernel's map was full." },
	{ "lost_calls", NULL, true, NULL, "Calls not recorded: the kernel could give the thread no task storage." },
	{ "unwatched_reads", NULL, true, NULL,
	  "Always 0 (kept for existing dashboards): the survey of deadlocks has no map to fill." },
	{ "untracked_calls", NULL, true, NULL, "Calls left out of a session's pipe graph: it had 65536 objects." },
	{ "accept_pauses", NULL, true, NULL, "Times the daemon stopped accepting connections for want of descriptors." },
	{ "clients", NULL, false, NULL, "Clients connected." },
	{ "backlog_bytes", NULL, false, NULL, "Bytes waiting in the clients' output buffers." },
	{ "sessions", NULL, false, NULL, "Trace sessions." },
	{ "traced_processes", NULL, false, NULL, "Processes in the kernel's traced set." },
	{ "attached", NULL, false, NULL, "1 when the BPF programs are attached (a session is running)." },
	{ "bpf_reads", NULL, false, NULL, "Which form of the BPF programs is loaded: typed or core (label bpf_reads)." },
	{ "by_type", "events_by_type_total", true, "type", "Events traced since the daemon started, by type." },
	{ "users.connections", NULL, false, NULL, "Connections to the daemon, by uid." },
	{ "users.sessions", NULL, false, NULL, "Trace sessions, by the uid of their owner." },
	{ "users.traced_processes", NULL, false, NULL, "Traced processes, by the uid of their session's owner." },
	{ "users.queued_bytes", NULL, false, NULL, "Bytes waiting for the uid's clients." },
	{ "symbols.files", NULL, false, NULL, "ELF files in memory to name signal handlers (at most 64)." },
	{ "symbols.loads", NULL, true, NULL, "ELF files read to name signal handlers." },
	{ "symbols.evicted", NULL, true, NULL, "ELF files evicted from memory, least recently used first." },
	{ "symbols.refused", NULL, true, NULL, "ELF files not read: all 64 places held files of live processes." },
	{ "symbols.changed", NULL, true, NULL, "ELF files not read: the file at the program's path had changed." },
	{ "symbols.unnamed", NULL, true, NULL, "Signal handlers left unnamed: their file was not read in time." },
	{ "journal.bytes", NULL, false, NULL, "Bytes of every journal segment." },
	{ "journal.records", NULL, false, NULL, "Records in the journal's blocks that are read." },
	{ "journal.segments", NULL, false, NULL, "Journal segments." },
	{ "journal.first_ns", "journal_first_timestamp_seconds", false, NULL,
	  "Wall-clock time of the journal's oldest record." },
	{ "journal.last_ns", "journal_last_timestamp_seconds", false, NULL,
	  "Wall-clock time of the journal's newest record." },
	{ "journal.write_errors", NULL, true, NULL, "Journal writes that failed." },
	{ "journal.sync_errors", NULL, true, NULL, "Journal fdatasyncs that failed." },
	{ "journal.repaired_bytes", NULL, false, NULL, "Bytes of a torn tail cut from the journal at start." },
	{ "journal.skipped_segments", NULL, false, NULL,
	  "Journal segments of another event version or format: kept, not read." },
	{ "journal.skipped_bytes", NULL, false, NULL, "Bytes of the journal segments kept but not read." },
	{ "journal.bad_blocks", NULL, false, NULL,
	  "Damaged stretches found in the journal since the daemon started: kept, not read." },
	{ "journal.bad_bytes", NULL, false, NULL, "Bytes of the damaged stretches found in the journal." },
};

static const struct metric *find_known(const char *path)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].path, path))
			return &known[i];
	return NULL;
}

/* ipctrace_ and the name, [a-zA-Z0-9_] only; _total for a counter; a time in ns, in seconds. */
static void metric_name(const struct metric *m, const char *path, char *buf, size_t len, bool *seconds)
{
	size_t n = strlen(path);
	char *p;

	*seconds = n > 3 && !strcmp(path + n - 3, "_ns");
	if (m && m->name)
		snprintf(buf, len, "ipctrace_%s", m->name);
	else
		snprintf(buf, len, "ipctrace_%.*s%s%s", (int)(*seconds ? n - 3 : n), path, *seconds ? "_seconds" : "",
			 m && m->counter ? "_total" : "");
	for (p = buf; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9'))
			*p = '_';
}

static void header(FILE *f, const struct metric *m, const char *name, const char *path)
{
	if (m)
		fprintf(f, "# HELP %s %s\n", name, m->help);
	else
		fprintf(f, "# HELP %s The stats reply's %s (docs/protocol.md).\n", name, path);
	fprintf(f, "# TYPE %s %s\n", name, !m ? "untyped" : m->counter ? "counter" : "gauge");
}

/* A label's value, escaped as the format wants. */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void sample(FILE *f, const char *name, const char *label, const char *lvalue, struct json_object *v,
		   bool seconds)
{
	fputs(name, f);
	if (label) {
		fprintf(f, "{%s=\"", label);
		label_value(f, lvalue);
		fputs("\"}", f);
	}
	if (json_object_is_type(v, json_type_double))
		fprintf(f, " %.17g\n", json_object_get_double(v) * (seconds ? 1e-9 : 1));
	else if (seconds)
		fprintf(f, " %" PRId64 ".%09" PRId64 "\n", json_object_get_int64(v) / 1000000000,
			json_object_get_int64(v) % 1000000000);
	else
		fprintf(f, " %" PRId64 "\n", json_object_get_int64(v));
}

static bool is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double) ||
	       json_object_is_type(v, json_type_boolean);
}

/* A list of objects with a "uid": one metric per field of the first, each sample labelled by uid. */
static void emit_by_uid(FILE *f, struct json_object *arr, const char *path)
{
	struct json_object *first = json_object_array_get_idx(arr, 0), *uid;

	/* No uid yet (nobody connected): the known families still have their HELP and TYPE, and no sample. */
	if (!json_object_is_type(first, json_type_object) || !json_object_object_get_ex(first, "uid", &uid)) {
		size_t n = strlen(path);

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			char name[300];
			bool seconds;

			if (strncmp(known[i].path, path, n) || known[i].path[n] != '.')
				continue;
			metric_name(&known[i], known[i].path, name, sizeof(name), &seconds);
			header(f, &known[i], name, known[i].path);
		}
		return;
	}
	json_object_object_foreach(first, field, v0) {
		const struct metric *m;
		char fpath[256], name[300];
		bool seconds;

		if (!strcmp(field, "uid") || !is_number(v0) ||
		    snprintf(fpath, sizeof(fpath), "%s.%s", path, field) >= (int)sizeof(fpath))
			continue;
		m = find_known(fpath);
		metric_name(m, fpath, name, sizeof(name), &seconds);
		header(f, m, name, fpath);
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *e = json_object_array_get_idx(arr, i), *v, *u;

			if (json_object_object_get_ex(e, field, &v) && is_number(v) &&
			    json_object_object_get_ex(e, "uid", &u))
				sample(f, name, "uid", json_object_get_string(u), v, seconds);
		}
	}
}

static void emit_object(FILE *f, struct json_object *o, const char *prefix)
{
	json_object_object_foreach(o, key, v) {
		const struct metric *m;
		char path[256], name[300];
		bool seconds;

		if ((!prefix && !strcmp(key, "ok")) ||
		    snprintf(path, sizeof(path), "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key) >=
			    (int)sizeof(path))
			continue;
		m = find_known(path);
		metric_name(m, path, name, sizeof(name), &seconds);
		if (!v) {
			/* No value yet (an empty journal's times): the family is there, without a sample. */
			if (m)
				header(f, m, name, path);
		} else if (is_number(v)) {
			header(f, m, name, path);
			sample(f, name, NULL, NULL, v, seconds);
		} else if (json_object_is_type(v, json_type_string)) {
			/* A state, as an info-style metric: 1 with the state as a label. */
			struct json_object *one = json_object_new_int(1);

			header(f, m, name, path);
			sample(f, name, key, json_object_get_string(v), one, false);
			json_object_put(one);
		} else if (json_object_is_type(v, json_type_object) && m && m->label) {
			header(f, m, name, path);
			json_object_object_foreach(v, k, n)
				if (is_number(n))
					sample(f, name, m->label, k, n, seconds);
		} else if (json_object_is_type(v, json_type_object)) {
			emit_object(f, v, path);
		} else if (json_object_is_type(v, json_type_array)) {
			emit_by_uid(f, v, path);
		}
	}
}

int ipct_metrics_write(FILE *f, struct json_object *stats)
{
	emit_object(f, stats, NULL);
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}
