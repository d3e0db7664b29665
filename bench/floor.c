// SPDX-License-Identifier: MIT
/*
 * The floor tracer's loader (bench/floor.bpf.c; bench/README.md, "The floor
 * (issue 13)"): loads and attaches the programs, traces a command from its
 * exec, or an existing process, and consumes the ring itself as ipctraced
 * does (a drain every 20 ms, earlier when the kernel side wakes it), only
 * counting the records by type. A developer's tool: its messages are
 * English.
 *
 *   floor [--count-only] [-o FILE] -- CMD [ARG...]
 *       runs CMD held until the programs are attached (a pipe handshake
 *       before its exec), traces it and its children, exits with its status
 *   floor [--count-only] [-o FILE] -p PID
 *       traces PID (bench/idle.py: a sleeping process) until SIGINT or
 *       SIGTERM, or its end; prints "ready" on stdout once attached
 *
 * At the end "floor: N records, M lost" on stderr and, with -o, the
 * records by type as one JSON object (syscalls by name, signal_generate,
 * signal_deliver, fork, exec, exit). --count-only: the programs count in a
 * per-CPU map instead of writing records to the ring (nothing to consume).
 * With kernel.bpf_stats_enabled=1, then each program's runs and ns per run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "floor.h"
#include "floor.skel.h"
#include "syscalls.h"

/* ipctraced's DRAIN_MS: records are submitted without a wake-up below 1 MiB waiting. */
#define DRAIN_MS 20

_Static_assert(FLOOR_SLOT_EXIT == FLOOR_SLOT_SIGNAL_GENERATE + IPCT_EV_EXIT - IPCT_EV_SIGNAL_GENERATE,
	       "floor_slot() needs the record types from signal_generate to exit in a row");

static const char *const other_names[] = {
	[FLOOR_SLOT_SIGNAL_GENERATE - IPCT_NR_MAX] = "signal_generate",
	[FLOOR_SLOT_SIGNAL_DELIVER - IPCT_NR_MAX] = "signal_deliver",
	[FLOOR_SLOT_FORK - IPCT_NR_MAX] = "fork",
	[FLOOR_SLOT_EXEC - IPCT_NR_MAX] = "exec",
	[FLOOR_SLOT_EXIT - IPCT_NR_MAX] = "exit",
};

static __u64 counted[FLOOR_SLOTS];
static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct ipct_event *e = data;
	__u32 slot;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	slot = floor_slot(e->type, e->nr);
	if (slot < FLOOR_SLOT_LOST)
		counted[slot]++;
	return 0;
}

/* What the programs counted in their per-CPU map, summed into counted[]. */
static int read_counts(struct floor_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(skel->maps.counts);
	__u64 *v;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 slot = 0; slot < FLOOR_SLOTS; slot++) {
		if (bpf_map_lookup_elem(fd, &slot, v) < 0) {
			free(v);
			return -errno;
		}
		for (int c = 0; c < ncpu; c++)
			counted[slot] += v[c];
	}
	free(v);
	return 0;
}

static int write_counts(const char *path)
{
	FILE *f = fopen(path, "w");
	const char *sep = "";

	if (!f)
		return -errno;
	fputc('{', f);
	for (__u32 slot = 0; slot < FLOOR_SLOT_LOST; slot++) {
		const char *name = slot < IPCT_NR_MAX ? ipct_syscall_name(slot) : other_names[slot - IPCT_NR_MAX];

		if (!counted[slot])
			continue;
		if (name)
			fprintf(f, "%s\"%s\":%llu", sep, name, (unsigned long long)counted[slot]);
		else
			fprintf(f, "%s\"syscall_%u\":%llu", sep, slot, (unsigned long long)counted[slot]);
		sep = ",";
	}
	fputs("}\n", f);
	return fclose(f) ? -errno : 0;
}

/* The command, forked and held at a pipe read until its pid is in the set; returns its pid. */
static pid_t start_held(struct floor_bpf *skel, char **argv)
{
	__u32 held = FLOOR_HELD, tgid;
	int hold[2];
	pid_t pid;
	char c;

	if (pipe2(hold, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (read(hold[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "floor: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(hold[0]);
	tgid = (__u32)pid;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.traced), &tgid, &held, BPF_ANY) < 0 ||
	    write(hold[1], "g", 1) != 1) {
		int err = -errno;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return err;
	}
	close(hold[1]);
	return pid;
}

/* Drains until the command ends (its status in *status) or, for -p, until told to stop. */
static int consume(struct ring_buffer *rb, pid_t child, pid_t target, int *status)
{
	for (;;) {
		if (child > 0) {
			pid_t r = waitpid(child, status, rb ? WNOHANG : 0);

			if (r == child)
				break;
			if (r < 0 && errno != EINTR)
				return -errno;
		} else if (stop || (kill(target, 0) < 0 && errno == ESRCH)) {
			break;
		} else if (!rb) {
			usleep(DRAIN_MS * 1000);
		}
		if (rb) {
			int err = ring_buffer__poll(rb, DRAIN_MS);

			if (err >= 0)
				err = ring_buffer__consume(rb);
			if (err < 0 && err != -EINTR)
				return err;
		}
	}
	return rb ? ring_buffer__consume(rb) : 0;
}

/* With kernel.bpf_stats_enabled=1: each program's runs and average time (bench/progstats.py). */
static void print_prog_stats(struct floor_bpf *skel)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) < 0 || !info.run_cnt)
			continue;
		fprintf(stderr, "floor: %s: %llu runs, %.1f ns/run\n", bpf_program__name(prog),
			(unsigned long long)info.run_cnt, (double)info.run_time_ns / info.run_cnt);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: floor [--count-only] [-o FILE] -- CMD [ARG...]\n"
		   "       floor [--count-only] [-o FILE] -p PID\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count-only", no_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct sigaction sa = { .sa_handler = on_stop };
	struct ring_buffer *rb = NULL;
	struct floor_bpf *skel = NULL;
	const char *out = NULL;
	bool count_only = false;
	pid_t child = 0, target = 0;
	int opt, err, status = 0, ret = 1;
	__u64 records = 0;

	while ((opt = getopt_long(argc, argv, "+co:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			count_only = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			target = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if ((target > 0) == (optind < argc)) {
		usage(stderr);
		return 2;
	}

	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	for (const struct ipct_syscall *s = ipct_syscalls; s->name; s++)
		if (s->nr >= 0 && s->nr < IPCT_NR_MAX && s->nr != __NR_rt_sigreturn)
			skel->rodata->traced_nr[s->nr] = 1;
	skel->rodata->nr_rt_sigreturn = __NR_rt_sigreturn;
	skel->rodata->count_only = count_only;
	err = floor_bpf__load(skel);
	if (!err)
		err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: cannot load or attach the BPF programs: %s\n", strerror(-err));
		goto out;
	}
	if (!count_only) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, NULL, NULL);
		if (!rb) {
			fprintf(stderr, "floor: ring_buffer__new: %s\n", strerror(errno));
			goto out;
		}
	}

	if (target > 0) {
		__u32 tgid = (__u32)target, zero = 0;

		/* Not SA_RESTART: the drain's epoll_wait returns at once. */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.traced), &tgid, &zero, BPF_ANY) < 0) {
			fprintf(stderr, "floor: cannot trace %d: %s\n", target, strerror(errno));
			goto out;
		}
		printf("ready\n");
		fflush(stdout);
	} else {
		child = start_held(skel, argv + optind);
		if (child < 0) {
			fprintf(stderr, "floor: cannot start %s: %s\n", argv[optind], strerror(-child));
			goto out;
		}
	}
	err = consume(rb, child, target, &status);
	if (!err)
		err = read_counts(skel);
	if (err) {
		fprintf(stderr, "floor: %s\n", strerror(-err));
		goto out;
	}

	for (__u32 slot = 0; slot < FLOOR_SLOT_LOST; slot++)
		records += counted[slot];
	fprintf(stderr, "floor: %llu records, %llu lost\n", (unsigned long long)records,
		(unsigned long long)counted[FLOOR_SLOT_LOST]);
	print_prog_stats(skel);
	if (out && (err = write_counts(out)) < 0) {
		fprintf(stderr, "floor: %s: %s\n", out, strerror(-err));
		goto out;
	}
	if (child > 0)
		ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	else
		ret = 0;
out:
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	return ret;
}
