// SPDX-License-Identifier: MIT
/*
 * lib/metrics.c: a stats reply (docs/protocol.md) in the Prometheus text
 * format, exactly: known fields with their help and type, counters with
 * _total, times in seconds, counts by type as labels, each user's use by
 * uid, a field it does not know (a newer daemon's) untyped, a missing
 * value as a family without a sample, label values escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "metrics.h"

static const char stats[] =
	"{\"ok\": true, \"events\": 12, \"lost\": 3, \"bpf_reads\": \"typed\", \"attached\": true,"
	" \"by_type\": {\"write\": 10, \"we\\\"ird\": 2},"
	" \"users\": [{\"uid\": 0, \"connections\": 2, \"sessions\": 1},"
	"            {\"uid\": 1000, \"connections\": 5, \"sessions\": 0}],"
	" \"losses\": [{\"time_ns\": 1, \"count\": 3}],"
	" \"newer_field\": 7,"
	" \"journal\": {\"bytes\": 4096, \"first_ns\": null, \"last_ns\": 1700000000123456789}}";

static const char want[] =
	"# HELP ipctrace_events_total Events traced since the daemon started.\n"
	"# TYPE ipctrace_events_total counter\n"
	"ipctrace_events_total 12\n"
	"# HELP ipctrace_lost_events_total Events lost because the kernel's ring buffer was full.\n"
	"# TYPE ipctrace_lost_events_total counter\n"
	"ipctrace_lost_events_total 3\n"
	"# HELP ipctrace_bpf_reads Which form of the BPF programs is loaded: typed or core (label bpf_reads).\n"
	"# TYPE ipctrace_bpf_reads gauge\n"
	"ipctrace_bpf_reads{bpf_reads=\"typed\"} 1\n"
	"# HELP ipctrace_attached 1 when the BPF programs are attached (a session is running).\n"
	"# TYPE ipctrace_attached gauge\n"
	"ipctrace_attached 1\n"
	"# HELP ipctrace_events_by_type_total Events traced since the daemon started, by type.\n"
	"# TYPE ipctrace_events_by_type_total counter\n"
	"ipctrace_events_by_type_total{type=\"write\"} 10\n"
	"ipctrace_events_by_type_total{type=\"we\\\"ird\"} 2\n"
	"# HELP ipctrace_users_connections Connections to the daemon, by uid.\n"
	"# TYPE ipctrace_users_connections gauge\n"
	"ipctrace_users_connections{uid=\"0\"} 2\n"
	"ipctrace_users_connections{uid=\"1000\"} 5\n"
	"# HELP ipctrace_users_sessions Trace sessions, by the uid of their owner.\n"
	"# TYPE ipctrace_users_sessions gauge\n"
	"ipctrace_users_sessions{uid=\"0\"} 1\n"
	"ipctrace_users_sessions{uid=\"1000\"} 0\n"
	"# HELP ipctrace_newer_field The stats reply's newer_field (docs/protocol.md).\n"
	"# TYPE ipctrace_newer_field untyped\n"
	"ipctrace_newer_field 7\n"
	"# HELP ipctrace_journal_bytes Bytes of every journal segment.\n"
	"# TYPE ipctrace_journal_bytes gauge\n"
	"ipctrace_journal_bytes 4096\n"
	"# HELP ipctrace_journal_first_timestamp_seconds Wall-clock time of the journal's oldest record.\n"
	"# TYPE ipctrace_journal_first_timestamp_seconds gauge\n"
	"# HELP ipctrace_journal_last_timestamp_seconds Wall-clock time of the journal's newest record.\n"
	"# TYPE ipctrace_journal_last_timestamp_seconds gauge\n"
	"ipctrace_journal_last_timestamp_seconds 1700000000.123456789\n";

int main(void)
{
	struct json_object *o = json_tokener_parse(stats);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK(o != NULL);
	CHECK(f != NULL);
	CHECK_INT(ipct_metrics_write(f, o), 0);
	fclose(f);
	CHECK_STR(out, want);
	free(out);
	json_object_put(o);
	return check_done("test-metrics");
}
