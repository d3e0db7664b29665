/* SPDX-License-Identifier: MIT */
/*
 * The daemon's counters (the stats reply, docs/protocol.md) in the
 * Prometheus text exposition format (docs/metrics.md): `ipctrace stats
 * -o prometheus` and `ipctraced --metrics-file`.
 */
#ifndef IPCTRACE_METRICS_H
#define IPCTRACE_METRICS_H

#include <stdio.h>
#include <json-c/json.h>

/* Writes stats as metrics named ipctrace_*, each with its HELP and TYPE lines. -EIO when f failed. */
int ipct_metrics_write(FILE *f, struct json_object *stats);

#endif
