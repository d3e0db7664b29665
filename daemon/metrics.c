// SPDX-License-Identifier: MIT
/*
 * --metrics-file PATH: the stats reply as Prometheus metrics
 * (lib/metrics.c, docs/metrics.md) in a file that node_exporter's
 * textfile collector reads, rewritten every --metrics-interval seconds
 * and once more at exit. A reader must never see half a file: each
 * version is written to a new file in the same directory, synced, and
 * renamed over the old one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon.h"
#include "metrics.h"

/* The daemon reads its own counters as root does: every user's. */
static struct client self = { .fd = -1, .privileged = true };

static int write_file(struct daemon *d)
{
	size_t len = strlen(d->metrics_path);
	char *tmp = malloc(len + sizeof(".tmp.XXXXXX"));
	struct json_object *stats;
	FILE *f;
	int fd, err = 0;

	if (!tmp)
		return -ENOMEM;
	/* Not *.prom: the collector never reads it half written. */
	memcpy(tmp, d->metrics_path, len);
	memcpy(tmp + len, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		goto out;
	}
	stats = stats_json(d, &self);
	err = ipct_metrics_write(f, stats);
	json_object_put(stats);
	/* node_exporter runs as a user of its own. */
	if (!err && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		err = -errno;
	if (fclose(f) != 0 && !err)
		err = -errno;
	if (!err && rename(tmp, d->metrics_path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(tmp);
	return err;
}

void metrics_write(struct daemon *d)
{
	uint64_t ticks;
	int err;

	if (d->metrics_timer < 0)
		return;
	if (read(d->metrics_timer, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	err = write_file(d);
	if (err && !d->metrics_failing)
		fprintf(stderr, "ipctraced: cannot write the metrics file %s: %s (said once until it works again)\n",
			d->metrics_path, strerror(-err));
	d->metrics_failing = err != 0;
}

int metrics_open(struct daemon *d)
{
	struct itimerspec every = { { d->metrics_every_s, 0 }, { d->metrics_every_s, 0 } };

	d->metrics_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->metrics_timer < 0 || timerfd_settime(d->metrics_timer, 0, &every, NULL) < 0)
		return -errno;
	metrics_write(d);
	return 0;
}

void metrics_close(struct daemon *d)
{
	if (d->metrics_timer < 0)
		return;
	metrics_write(d);
	close(d->metrics_timer);
	d->metrics_timer = -1;
}
