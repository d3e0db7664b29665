// SPDX-License-Identifier: MIT
/*
 * ipctraced: loads the BPF object, serves clients on a Unix socket and
 * routes the traced processes' events to them, all from one epoll loop
 * (client sockets, the ring buffer, a signalfd). The ring is drained every
 * DRAIN_MS while something is traced, and early when the BPF side forces a
 * wake-up (ring filling up, or a process exit). The ring's fd is watched
 * edge-triggered: level-triggered, it is ready whenever one record waits,
 * and a busy machine would have the daemon drain a few records at a time,
 * as fast as it can loop, paying a loop's fixed costs per handful of
 * records and pulling each one across CPUs as soon as it is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "kfeatures.h"

#define DRAIN_MS 20

static bool verbose;

/* Tags for the epoll entries that are not clients. */
static char tag_listen, tag_signal, tag_ring, tag_syms, tag_metrics, tag_backoff;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	if (!verbose && level == LIBBPF_INFO)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ipctraced [OPTIONS]\n"
		"\n"
		"The ipctrace daemon: traces signals, pipes and sockets of the processes\n"
		"clients ask for, with eBPF, and streams the events to them. Needs root.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH    listen on PATH (default " IPCT_SOCKET_PATH ")\n"
		"      --ring-mib N     ring buffer size in MiB, a power of two (default 16)\n"
		"      --traced-max N   trace at most N processes at a time (default 65536);\n"
		"                       children past that are counted, not traced\n"
		"      --ready-fd FD    write \"ready\\n\" to FD and close it once serving\n"
		"      --journal DIR    keep the event log in DIR (default " IPCT_JOURNAL_DIR ")\n"
		"      --journal-max-mib N  the log's size limit; the oldest goes first (default 1024)\n"
		"      --no-journal     keep no event log (private daemons of ipctrace run)\n"
		"      --nice N         run at this nice value, -20 to 19 (default -5: ahead of\n"
		"                       the processes it traces, so that it keeps up; 0: as started)\n"
		"      --metrics-file PATH  keep Prometheus metrics in PATH (a node_exporter\n"
		"                       textfile), rewritten atomically every --metrics-interval\n"
		"      --metrics-interval N  seconds between rewrites, 1 to 3600 (default 15)\n"
		"      --uid-connections N  connections a user may hold (default 64)\n"
		"      --uid-sessions N     trace sessions a user may run at once (default 16)\n"
		"      --uid-processes N    processes a user's sessions may trace (default 4096)\n"
		"      --session-processes N  processes one session of a user may trace\n"
		"                       (default 4096); children past that are counted, not traced\n"
		"      --uid-queued-mib N   output waiting for a user's clients before their\n"
		"                       streams lose events (default 64)\n"
		"      --reserve N      descriptors kept for root, the ipctrace group and the\n"
		"                       daemon's own files: users together may hold the\n"
		"                       descriptor limit less this many connections (default 256)\n"
		"      --core-reads     load the BPF programs' forms for kernels before 6.2\n"
		"                       (one helper call per kernel field read; for testing)\n"
		"      --check-kernel   list what the daemon needs of the kernel, with the Linux\n"
		"                       release of each, and whether this kernel has it; exit\n"
		"                       0 when it has everything\n"
		"  -v, --verbose        show libbpf's messages\n"
		"  -h, --help           show this help\n"
		"  -V, --version        show the version\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || !*s || *end || *out > max || s[0] == '-' ? -EINVAL : 0;
}

/*
 * Creates the socket's directory, or takes the one there, never through
 * a symbolic link (O_NOFOLLOW on the last component) and only if nobody
 * but its owner, root or this daemon's user, can put another socket in
 * its place: not writable by others, unless sticky like /tmp. The
 * directory is 0755 so that every user reaches the socket.
 */
static int socket_dir(const char *path)
{
	char *copy = strdup(path), *dir;
	struct stat st;
	int fd, r = 0;

	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		goto out;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = errno == ELOOP || errno == ENOTDIR ? -ENOTDIR : -errno;
		if (r == -ENOTDIR)
			fprintf(stderr, "ipctraced: %s is not a directory (a symbolic link is not followed)\n", dir);
		goto close;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))) {
		fprintf(stderr, "ipctraced: %s (uid %u, mode %04o) is writable by others: another user could "
			"replace the socket\n", dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		r = -EPERM;
	}
close:
	if (fd >= 0)
		close(fd);
out:
	free(copy);
	return r;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "ipctraced: socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	r = socket_dir(path);
	if (r < 0) {
		fprintf(stderr, "ipctraced: failed to create the directory of %s: %s\n", path, strerror(-r));
		return r;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket that answers belongs to a running daemon; one that does not is stale. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		fprintf(stderr, "ipctraced: another ipctraced is already serving %s\n", path);
		close(fd);
		return -EADDRINUSE;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		r = -errno;
		fprintf(stderr, "ipctraced: failed to listen on %s: %s\n", path, strerror(errno));
		close(fd);
		return r;
	}
	/* Anybody may connect; what each client may see is decided per request. */
	chmod(path, 0666);
	return fd;
}

static int signals_fd(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int epoll_add(int epfd, int fd, uint32_t events, void *tag)
{
	struct epoll_event ev = { .events = events, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/*
 * Out of descriptors or memory, accept fails for as long as the cause
 * lasts, and a listener still watched would wake the loop for it at
 * once, again and again: it is left alone for a while (100 ms, doubled
 * up to 1 s while that goes on) and the clients that are in are served.
 */
static void accept_pause(struct daemon *d)
{
	struct itimerspec t = { 0 };

	d->backoff_ms = d->backoff_ms ? (d->backoff_ms * 2 > 1000 ? 1000 : d->backoff_ms * 2) : 100;
	t.it_value.tv_sec = d->backoff_ms / 1000;
	t.it_value.tv_nsec = (long)(d->backoff_ms % 1000) * 1000000;
	if (epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->listen_fd, NULL) < 0 ||
	    timerfd_settime(d->backoff_fd, 0, &t, NULL) < 0) {
		fprintf(stderr, "ipctraced: cannot pause accepting: %s\n", strerror(errno));
		d->quit = true;
		return;
	}
	if (d->accept_pauses++ % 64 == 0)
		fprintf(stderr, "ipctraced: cannot accept connections (%s): paused %u ms\n",
			strerror(errno), d->backoff_ms);
}

static void accept_all(struct daemon *d)
{
	bool any = false;
	int r;

	while ((r = client_accept(d)) == 0 || r == -ECONNABORTED)
		any = true;
	if (r == -EMFILE || r == -ENFILE || r == -ENOBUFS || r == -ENOMEM) {
		errno = -r;
		accept_pause(d);
	} else if (any) {
		d->backoff_ms = 0;
	}
}

static void accept_resume(struct daemon *d)
{
	uint64_t n;

	if (read(d->backoff_fd, &n, sizeof(n)) < 0 ||
	    epoll_add(d->epfd, d->listen_fd, EPOLLIN, &tag_listen) < 0) {
		fprintf(stderr, "ipctraced: cannot resume accepting: %s\n", strerror(errno));
		d->quit = true;
	}
}

/* Drains the ring and ends finished sessions; after a loss, asks about every session once. */
static void drain(struct daemon *d)
{
	struct tracer_counters cnt;
	uint64_t now;

	tracer_drain(d->tracer);
	if (tracer_counters(d->tracer, &cnt) == 0 && cnt.ring_full != d->ring_lost) {
		struct ipct_jloss l = { boottime_ns(), cnt.ring_full - d->ring_lost };

		/* The log says where it has a hole, and stats when. */
		log_add(d, IPCT_JREC_LOSS, &l, sizeof(l), l.ts_ns);
		d->losses[d->nlosses % 16].time_ns = (int64_t)l.ts_ns + realtime_offset_ns();
		d->losses[d->nlosses++ % 16].count = l.count;
		d->ring_lost = cnt.ring_full;
		fprintf(stderr, "ipctraced: ring buffer full: %llu records lost so far\n",
			(unsigned long long)d->ring_lost);
		/* An exit's record may be among them: the kernel side's counts say. */
		for (struct session *s = d->sessions; s; s = s->next)
			s->check_end = true;
	}
	now = boottime_ns();
	pipes_scan_blocked(d, now);
	sessions_check(d);
	/*
	 * What is held and can go by now goes (a walk stops at 64 sessions
	 * that wait, records.c), and the ends that wait for handler names
	 * are held to their bound.
	 */
	records_release(d);
	sessions_settle(d, false);
	log_flush(d, now);
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sig_fd, &si, sizeof(si)) == sizeof(si))
		d->quit = true;
}

/* How long the loop may sleep: until the next drain is due, if any is. */
static int wait_ms(const struct daemon *d, bool busy, uint64_t next_drain)
{
	uint64_t now;

	if (busy)
		return 0;
	if (!d->sessions && !tracer_attached(d->tracer))
		return -1;
	now = boottime_ns();
	return now >= next_drain ? 0 : (int)((next_drain - now + 999999) / 1000000);
}

static void run(struct daemon *d)
{
	struct epoll_event evs[64];
	bool busy = false;      /* log queries have more to read */
	uint64_t next_drain = 0;

	while (!d->quit) {
		int n = epoll_wait(d->epfd, evs, 64, wait_ms(d, busy, next_drain));
		bool woken = false;

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "ipctraced: epoll_wait: %s\n", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;
			struct client *c = tag;

			if (tag == &tag_listen) {
				accept_all(d);
			} else if (tag == &tag_backoff) {
				accept_resume(d);
			} else if (tag == &tag_signal) {
				on_signal(d);
			} else if (tag == &tag_ring) {
				woken = true;   /* drained below */
			} else if (tag == &tag_metrics) {
				metrics_write(d);
			} else if (tag == &tag_syms) {
				/* Files read by the symbols' worker: the records and diagnoses that waited for their names go. */
				ipct_syms_apply(d->syms);
				records_release(d);
				/* ... and the ends that waited for them finish. */
				sessions_settle(d, false);
			} else {
				if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
					client_on_input(d, c);
				if (evs[i].events & EPOLLOUT)
					client_flush(d, c);
			}
		}
		if ((d->sessions || tracer_attached(d->tracer)) &&
		    (woken || boottime_ns() >= next_drain)) {
			drain(d);
			next_drain = boottime_ns() + DRAIN_MS * 1000000ull;
		}
		busy = d->journal && log_step(d);
		/* Records that a request completed (a detach) reach the disk without waiting for a drain. */
		log_flush(d, boottime_ns());
		for (struct client *c = d->clients; c; c = c->next)
			if (ipct_buf_len(&c->out) || c->lost)
				client_flush(d, c);
		clients_reap(d);
	}
}

static void shutdown_daemon(struct daemon *d)
{
	for (struct session *s = d->sessions, *next; s; s = next) {
		next = s->next;
		session_end(d, s, "daemon_exit");
	}
	/* Quitting: no more waiting for handler names. */
	sessions_settle(d, true);
	for (struct client *c = d->clients; c; c = c->next) {
		ipct_buf_write_fd(&c->out, c->fd);
		c->dead = true;
	}
	clients_reap(d);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "ring-mib", required_argument, NULL, 'r' },
		{ "traced-max", required_argument, NULL, 'T' },
		{ "ready-fd", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "journal", required_argument, NULL, 'j' },
		{ "journal-max-mib", required_argument, NULL, 'J' },
		{ "no-journal", no_argument, NULL, 'N' },
		{ "core-reads", no_argument, NULL, 'C' },
		{ "nice", required_argument, NULL, 'n' },
		{ "check-kernel", no_argument, NULL, 'K' },
		{ "metrics-file", required_argument, NULL, 'M' },
		{ "metrics-interval", required_argument, NULL, 'I' },
		{ "uid-connections", required_argument, NULL, 'L' + 256 },
		{ "uid-sessions", required_argument, NULL, 'S' + 256 },
		{ "uid-processes", required_argument, NULL, 'P' + 256 },
		{ "session-processes", required_argument, NULL, 'p' + 256 },
		{ "uid-queued-mib", required_argument, NULL, 'Q' + 256 },
		{ "reserve", required_argument, NULL, 'r' + 256 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct daemon d = { .listen_fd = -1, .sig_fd = -1, .epfd = -1, .backoff_fd = -1,
			    .socket_path = IPCT_SOCKET_PATH, .limits = IPCT_LIMITS_DEFAULT,
			    .metrics_timer = -1, .metrics_every_s = 15 };
	struct rlimit nofile;
	unsigned long v;
	struct tracer_opts topts = { .wakeup_bytes = 0, .on_event = sessions_on_event, .ctx = &d };
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned long ring_mib = 16, ready_fd = 0, journal_mib = 1024, traced_max = 0, metrics_s = 15;
	long nice_value = -5;
	const char *journal_dir = IPCT_JOURNAL_DIR;
	struct group *grp;
	const struct kfeature *missing;
	struct utsname uts;
	bool have_ready = false, check_kernel = false;
	int c, err, ret = 1, option_index = 0;

	/*
	 * Memory freed is kept for the next allocation, not given back to the
	 * kernel (glibc maps blocks of 128 KiB and more on their own, and trims
	 * the heap's free top past 128 KiB): touching fresh pages again costs a
	 * page fault each, dear in a VM (about 16 us on bench/'s guest). The
	 * kernel's BTF (5 MiB), read twice at start, and the clients' growing
	 * buffers are read into memory already touched. What is kept is bounded
	 * by the peak the daemon reached.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);

	while ((c = getopt_long(argc, argv, "s:vhV", opts, &option_index)) != -1) {
		switch (c) {
		case 's':
			d.socket_path = optarg;
			break;
		case 'r':
			if (parse_uint(optarg, 4096, &ring_mib) < 0 || !ring_mib ||
			    (ring_mib & (ring_mib - 1))) {
				fprintf(stderr, "ipctraced: --ring-mib takes a power of two from 1 to 4096, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'T':
			if (parse_uint(optarg, 1 << 22, &traced_max) < 0 || !traced_max) {
				fprintf(stderr, "ipctraced: --traced-max takes a number of processes from 1 to 4194304, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'R':
			if (parse_uint(optarg, 1 << 20, &ready_fd) < 0) {
				fprintf(stderr, "ipctraced: --ready-fd takes a file descriptor, not '%s'\n", optarg);
				return 2;
			}
			have_ready = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'j':
			journal_dir = optarg;
			break;
		case 'J':
			if (parse_uint(optarg, 1 << 20, &journal_mib) < 0 || journal_mib < 4) {
				fprintf(stderr, "ipctraced: --journal-max-mib takes a size in MiB from 4, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'N':
			journal_dir = NULL;
			break;
		case 'C':
			topts.core_reads = true;
			break;
		case 'n': {
			char *end;

			errno = 0;
			nice_value = strtol(optarg, &end, 10);
			if (errno || !*optarg || *end || nice_value < -20 || nice_value > 19) {
				fprintf(stderr, "ipctraced: --nice takes a nice value from -20 to 19, not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'K':
			check_kernel = true;
			break;
		case 'M':
			d.metrics_path = optarg;
			break;
		case 'I':
			if (parse_uint(optarg, 3600, &metrics_s) < 0 || !metrics_s) {
				fprintf(stderr, "ipctraced: --metrics-interval takes seconds from 1 to 3600, not '%s'\n",
					optarg);
				return 2;
			}
			d.metrics_every_s = (unsigned)metrics_s;
			break;
		case 'L' + 256:
		case 'S' + 256:
		case 'P' + 256:
		case 'p' + 256:
		case 'Q' + 256:
		case 'r' + 256:
			if (parse_uint(optarg, c == 'Q' + 256 ? 1 << 20 : 1 << 22, &v) < 0 || (!v && c != 'r' + 256)) {
				fprintf(stderr, "ipctraced: --%s takes a number from %d to %d, not '%s'\n",
					opts[option_index].name, c != 'r' + 256, c == 'Q' + 256 ? 1 << 20 : 1 << 22, optarg);
				return 2;
			}
			if (c == 'L' + 256)
				d.limits.conns = (uint32_t)v;
			else if (c == 'S' + 256)
				d.limits.sessions = (uint32_t)v;
			else if (c == 'P' + 256)
				d.limits.procs = (uint32_t)v;
			else if (c == 'p' + 256)
				d.limits.session_procs = (uint32_t)v;
			else if (c == 'Q' + 256)
				d.limits.queued = (uint64_t)v << 20;
			else
				d.limits.reserve = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ipctraced %s\n", IPCTRACE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ipctraced: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	/* Without root the probes cannot load anything: they say "unknown". */
	if (check_kernel)
		return kfeatures_print(stdout);
	if (geteuid() != 0) {
		fprintf(stderr, "ipctraced: must run as root (loading BPF programs needs it); "
			"try: sudo ipctraced\n");
		return 1;
	}

	libbpf_set_print(libbpf_print);
	/* Older kernels charge BPF memory to RLIMIT_MEMLOCK; newer ones ignore it. */
	setrlimit(RLIMIT_MEMLOCK, &rl);
	/* An old kernel is told what it lacks, not handed a verifier log. */
	missing = kfeatures_missing(kfeature_probe);
	if (missing) {
		uname(&uts);
		fprintf(stderr, "ipctraced: this kernel (Linux %s) has no %s, which came with Linux %s: "
			"ipctrace needs Linux %s or later, built with BTF (ipctraced --check-kernel "
			"lists what it needs)\n", uts.release, missing->what, missing->since, kfeatures_min_linux());
		return 1;
	}
	/*
	 * The traced processes fill the ring as fast as the CPU lets them; a
	 * daemon that gets only its fair share of a busy machine falls behind
	 * and the ring overflows. Ahead of them (as auditd's priority_boost),
	 * it keeps up, and the load slows the producers instead.
	 */
	if (nice_value && setpriority(PRIO_PROCESS, 0, (int)nice_value) < 0)
		fprintf(stderr, "ipctraced: cannot set nice %ld (%s): running at %d, where a busy "
			"machine can make it lose events; give it CAP_SYS_NICE or use --nice 0\n",
			nice_value, strerror(errno), getpriority(PRIO_PROCESS, 0));

	topts.ring_bytes = (uint32_t)(ring_mib << 20);
	topts.traced_max = (uint32_t)traced_max;
	/* Wake the daemon early once an eighth of the ring is waiting. */
	topts.wakeup_bytes = topts.ring_bytes / 8;
	d.tracer = tracer_new(&topts);
	if (!d.tracer) {
		fprintf(stderr, "ipctraced: failed to load the BPF programs: %s%s\n", strerror(errno),
			verbose ? "" : " (run with -v for libbpf's messages)");
		return 1;
	}
	/*
	 * Every connection is a descriptor: as many as the hard limit allows,
	 * of which users together may hold all but the reserve.
	 */
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	if (getrlimit(RLIMIT_NOFILE, &nofile) < 0)
		nofile.rlim_cur = 1024;
	if (nofile.rlim_cur > UINT32_MAX)
		nofile.rlim_cur = UINT32_MAX;
	d.users_max = nofile.rlim_cur > d.limits.reserve ? (uint32_t)(nofile.rlim_cur - d.limits.reserve) : 0;
	grp = getgrnam("ipctrace");
	d.group_gid = grp ? (long)grp->gr_gid : -1;
	if (journal_dir && log_open(&d, journal_dir, (uint64_t)journal_mib << 20) < 0)
		goto out;
	/* ELF files are read on a thread of their own, not in the event loop. */
	d.syms = ipct_syms_new_async();
	/*
	 * On some kernels (6.1 is one) a process whose children get another
	 * time namespace (`unshare --time` without --fork) may not create
	 * threads (EINVAL): then they are read in the loop.
	 */
	if (!d.syms && errno != ENOMEM) {
		fprintf(stderr, "ipctraced: cannot start the thread that reads ELF files (%s): "
			"handler names are read in the event loop\n", strerror(errno));
		d.syms = ipct_syms_new();
	}
	d.lc = d.syms ? ipct_lc_new(d.syms, records_on_record, &d) : NULL;
	d.graph = ipct_graph_new(realtime_offset_ns(), pipes_on_diag, &d);
	d.diag = d.graph ? ipct_diag_new(d.graph, d.syms, pipes_on_diag, &d) : NULL;
	if (!d.lc || !d.diag) {
		fprintf(stderr, "ipctraced: out of memory\n");
		goto out;
	}
	pipes_check_init(&d);
	ipct_diag_set_later(d.diag, pipes_on_diag_later);
	records_load(&d);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	d.sig_fd = signals_fd();
	d.backoff_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d.epfd < 0 || d.sig_fd < 0 || d.backoff_fd < 0) {
		fprintf(stderr, "ipctraced: failed to set up the event loop: %s\n", strerror(errno));
		goto out;
	}
	d.listen_fd = listen_on(d.socket_path);
	if (d.listen_fd < 0)
		goto out;
	err = epoll_add(d.epfd, d.listen_fd, EPOLLIN, &tag_listen);
	if (!err)
		err = epoll_add(d.epfd, d.sig_fd, EPOLLIN, &tag_signal);
	if (!err)
		err = epoll_add(d.epfd, d.backoff_fd, EPOLLIN, &tag_backoff);
	if (!err)
		err = epoll_add(d.epfd, tracer_wake_fd(d.tracer), EPOLLIN | EPOLLET, &tag_ring);
	if (!err && ipct_syms_fd(d.syms) >= 0)
		err = epoll_add(d.epfd, ipct_syms_fd(d.syms), EPOLLIN, &tag_syms);
	if (!err && d.metrics_path) {
		err = metrics_open(&d);
		if (!err)
			err = epoll_add(d.epfd, d.metrics_timer, EPOLLIN, &tag_metrics);
	}
	if (err) {
		fprintf(stderr, "ipctraced: failed to set up the event loop: %s\n", strerror(-err));
		goto out;
	}
	/* Said before "ready": whoever waits for ready may read it at once. */
	if (verbose)
		fprintf(stderr, "ipctraced: serving %s\n", d.socket_path);
	if (have_ready) {
		dprintf((int)ready_fd, "ready\n");
		close((int)ready_fd);
	}
	run(&d);
	ret = 0;
	shutdown_daemon(&d);
	/* What the daemon counted last: its sessions ended. */
	metrics_close(&d);
out:
	if (d.listen_fd >= 0) {
		close(d.listen_fd);
		unlink(d.socket_path);
	}
	tracer_free(d.tracer);
	log_close(&d);
	ipct_lc_free(d.lc);
	pipes_free(&d);
	sessions_free(&d);
	records_free(&d);
	ipct_syms_free(d.syms);
	if (d.sig_fd >= 0)
		close(d.sig_fd);
	if (d.backoff_fd >= 0)
		close(d.backoff_fd);
	ipct_usage_free(&d.usage);
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.metrics_timer >= 0)
		close(d.metrics_timer);
	return ret;
}
