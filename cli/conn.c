// SPDX-License-Identifier: MIT
/*
 * The CLI's connection to ipctraced. When no daemon answers on the default
 * socket ($IPCTRACE_SOCKET, else the system's) and the user is root, a private daemon is started for the duration
 * of the command, so that `ipctrace run` works on a fresh machine; it dies
 * with the CLI (PR_SET_PDEATHSIG) and sits in its own process group, so a
 * ^C meant for the traced command does not stop the tracer.
 */
#include <errno.h>
#include <time.h>
#include <getopt.h>
#include <inttypes.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "errmsg.h"
#include "evfilter.h"
#include "graph.h"
#include "i18n.h"
#include "match.h"
#include "sigrec.h"

const char *default_socket(void)
{
	const char *path = getenv("IPCTRACE_SOCKET");

	return path && *path ? path : IPCT_SOCKET_PATH;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* ipctraced beside this executable (the build tree, or an install with both in one
 * directory), else where it is installed. */
static void daemon_path(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		snprintf(buf, len, "%s/ipctraced", dirname(self));
		if (access(buf, X_OK) == 0)
			return;
	}
	snprintf(buf, len, "%s", IPCTRACED_PATH);
}

static int start_private(struct conn *c, char *sock, size_t socklen)
{
	char tmpl[] = "/tmp/ipctrace.XXXXXX", exe[PATH_MAX], fdarg[16], buf[16];
	int ready[2];
	ssize_t n;
	pid_t pid;

	if (!mkdtemp(tmpl))
		return -errno;
	c->private_dir = strdup(tmpl);
	snprintf(sock, socklen, "%s/ipctrace.sock", tmpl);
	daemon_path(exe, sizeof(exe));
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* The write end must survive exec: the daemon reports readiness on it. */
		int wfd = dup(ready[1]);

		snprintf(fdarg, sizeof(fdarg), "%d", wfd);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setpgid(0, 0);
		/* One command's trace: nothing for the system's event log. */
		execl(exe, "ipctraced", "--socket", sock, "--ready-fd", fdarg, "--no-journal", (char *)NULL);
		fprintf(stderr, _("ipctrace: failed to start %s: %s\n"), exe, strerror(errno));
		_exit(127);
	}
	c->private_pid = pid;
	close(ready[1]);
	do
		n = read(ready[0], buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	close(ready[0]);
	if (n <= 0) {
		fprintf(stderr, _("ipctrace: the private ipctraced did not start (see its message above)\n"));
		return -ECHILD;
	}
	return 0;
}

int conn_open(struct conn *c, const char *path, bool allow_private)
{
	char sock[128];
	int fd, r;

	*c = (struct conn){ .fd = -1, .stop_fd = -1 };
	fd = connect_unix(path);
	if (fd >= 0) {
		c->fd = fd;
		c->path = strdup(path);
		return 0;
	}
	if (fd != -ENOENT && fd != -ECONNREFUSED) {
		fprintf(stderr, _("ipctrace: cannot connect to ipctraced at %s: %s\n"), path, strerror(-fd));
		return fd;
	}
	/* Every verb says it alike, with the way out that fits it. */
	if (!allow_private || geteuid() != 0) {
		fprintf(stderr, allow_private ?
			_("ipctrace: no ipctrace daemon is running (nothing answers at %s).\n"
			  "Start it with 'sudo systemctl start ipctraced' (or 'sudo ipctraced &'),\n"
			  "or run this command as root to use a private daemon.\n") :
			_("ipctrace: no ipctrace daemon is running (nothing answers at %s).\n"
			  "Start it with 'sudo systemctl start ipctraced' (or 'sudo ipctraced &');\n"
			  "without one, 'sudo ipctrace run -- CMD' traces CMD privately "
			  "(nothing is kept for log, signals, pipes, explain).\n"), path);
		return fd;
	}
	r = start_private(c, sock, sizeof(sock));
	if (r < 0) {
		if (r != -ECHILD)
			fprintf(stderr, _("ipctrace: failed to start a private ipctraced: %s\n"), strerror(-r));
		conn_close(c);
		return r;
	}
	fd = connect_unix(sock);
	if (fd < 0) {
		fprintf(stderr, _("ipctrace: cannot connect to the private ipctraced at %s: %s\n"), sock,
			strerror(-fd));
		conn_close(c);
		return fd;
	}
	c->fd = fd;
	c->path = strdup(sock);
	return 0;
}

void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	c->stop_fd = -1;
	ipct_buf_free(&c->in);
	free(c->path);
	c->path = NULL;
	if (c->private_pid > 0) {
		kill(c->private_pid, SIGTERM);
		waitpid(c->private_pid, NULL, 0);
		c->private_pid = 0;
	}
	if (c->private_dir) {
		char sock[128];

		snprintf(sock, sizeof(sock), "%s/ipctrace.sock", c->private_dir);
		unlink(sock);
		rmdir(c->private_dir);
		free(c->private_dir);
		c->private_dir = NULL;
	}
}

int conn_send(struct conn *c, struct json_object *req)
{
	struct ipct_buf out = { 0 };
	int r = ipct_msg_append_json(&out, req);

	if (!r)
		r = ipct_buf_write_all(&out, c->fd);
	ipct_buf_free(&out);
	return r;
}

int conn_next(struct conn *c, struct ipct_msg_hdr *h, const char **payload)
{
	for (;;) {
		int r = ipct_msg_peek(&c->in, SIZE_MAX, h, payload);

		if (r > 0)
			return 0;
		if (r < 0)
			return r;
		if (c->stop_fd >= 0) {
			struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = c->stop_fd, .events = POLLIN } };

			if (poll(p, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			if (p[1].revents)
				return -EINTR;
		}
		/* A stream of events comes in large reads: a syscall per thousands of events, not hundreds. */
		r = ipct_buf_reserve(&c->in, 256 << 10);
		if (r == 0)
			r = (int)ipct_buf_read_fd(&c->in, c->fd);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0)
			return r;
	}
}

struct json_object *conn_request(struct conn *c, struct json_object *req)
{
	struct ipct_msg_hdr h;
	const char *payload;
	struct json_object *reply = NULL;
	int r = conn_send(c, req);

	/* A daemon that refused the connection (a limit) has hung up, its reply waiting to be read. */
	if (r == 0 || r == -EPIPE || r == -ECONNRESET)
		r = conn_next(c, &h, &payload);
	if (r == 0) {
		if (h.type == IPCT_MSG_JSON)
			reply = ipct_json_parse(payload, h.len);
		ipct_buf_consume(&c->in, sizeof(h) + h.len);
		if (reply)
			return reply;
		r = -EBADMSG;
	}
	fprintf(stderr, _("ipctrace: request to ipctraced failed: %s\n"), strerror(-r));
	return NULL;
}

const char *cli_prog = "ipctrace";

void usage_short(void (*usage)(FILE *f))
{
	char *text = NULL, *end;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f) {
		usage(f);
		fclose(f);
	}
	/* The help begins with its "Usage:" lines (attach's and trace's share them); the rest is for --help. */
	end = text ? strstr(text, "\n\n") : NULL;
	fprintf(stderr, "%.*s\n", end ? (int)(end - text) : 0, end ? text : "");
	fprintf(stderr, _("See '%s --help'.\n"), cli_prog);
	free(text);
}

int query_option(struct query_opts *q, int c, unsigned more, void (*usage)(FILE *f), int *code)
{
	switch (c) {
	case 'o':
		*code = EXIT_USAGE;
		return parse_output(optarg, &q->mode, more) < 0 ? -1 : 0;
	case 's':
		q->socket_path = optarg;
		return 0;
	case 'C':
		*code = EXIT_USAGE;
		return parse_color(optarg, &q->color) < 0 ? -1 : 0;
	case 'h':
		usage(stdout);
		*code = 0;
		return -1;
	default:
		usage_short(usage);
		*code = EXIT_USAGE;
		return -1;
	}
}

void local_time_str(int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

bool query_color(const struct query_opts *q)
{
	return !strcmp(q->color, "always") || (!strcmp(q->color, "auto") && want_color(STDOUT_FILENO));
}

/*
 * The matches checked here first, by the parser the daemon uses, so that a
 * bad one is said in the user's language (the daemon answers in English);
 * the daemon checks them again. False when one is bad (said on stderr).
 */
static bool matches_valid(const char *cmd, char **matches, int n)
{
	const char *const *terms = (const char *const *)matches;
	char err[1024];

	if (!strcmp(cmd, "log")) {
		struct ipct_evfilter *f = ipct_evfilter_new(terms, n, err, sizeof(err));
		bool ok = f;

		ipct_evfilter_free(f);
		if (ok)
			return true;
	} else {
		const struct ipct_match_field *fields = !strcmp(cmd, "signals") ? ipct_sigrec_fields :
							!strcmp(cmd, "pipes")   ? ipct_graph_fields :
										  NULL;
		struct ipct_match *m = fields ? ipct_match_parse(fields, terms, n, err, sizeof(err)) : NULL;
		bool ok = !fields || m;

		ipct_match_free(m);
		if (ok)
			return true;
	}
	fprintf(stderr, "ipctrace %s: %s\n", cmd, err);
	return false;
}

struct json_object *conn_query(struct conn *c, const char *cmd, char **matches, int n, struct json_object *req,
			       int *exit_code)
{
	struct json_object *match, *reply;

	if (!matches_valid(cmd, matches, n)) {
		json_object_put(req);
		*exit_code = EXIT_USAGE;
		return NULL;
	}
	match = json_object_new_array();
	if (!req)
		req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	for (int i = 0; i < n; i++)
		json_object_array_add(match, json_object_new_string(matches[i]));
	json_object_object_add(req, "match", match);
	reply = conn_request(c, req);
	json_object_put(req);
	*exit_code = 1;
	if (reply && reply_error(reply)) {
		struct json_object *bad;

		/* The daemon checks the matches: its message names the bad one, a usage error. */
		fprintf(stderr, "ipctrace %s\n", reply_error(reply));
		if (json_object_object_get_ex(reply, "bad_match", &bad) && json_object_get_boolean(bad))
			*exit_code = EXIT_USAGE;
		json_object_put(reply);
		return NULL;
	}
	return reply;
}

const char *reply_error(struct json_object *reply)
{
	static char msg[1024];
	struct json_object *ok;

	if (json_object_object_get_ex(reply, "ok", &ok) && json_object_get_boolean(ok))
		return NULL;
	/* The daemon speaks English; its message id in the user's language, when this CLI knows it. */
	return ipct_errmsg_said(reply, msg, sizeof(msg)) ?: _("malformed reply");
}

int64_t notice_lost(struct json_object *n)
{
	struct json_object *v;
	int64_t count;

	if (!json_object_object_get_ex(n, "notice", &v) || strcmp(json_object_get_string(v), "lost"))
		return 0;
	count = json_object_object_get_ex(n, "count", &v) ? json_object_get_int64(v) : 0;
	fprintf(stderr, ngettext("ipctrace: ipctraced dropped %" PRId64 " event for this output, which could not "
				 "keep up (more than 16 MiB were waiting for it): it is incomplete\n",
				 "ipctrace: ipctraced dropped %" PRId64 " events for this output, which could not "
				 "keep up (more than 16 MiB were waiting for it): it is incomplete\n",
				 (unsigned long)count), count);
	return count;
}

int signals_fd(const int *sigs, size_t n)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	for (size_t i = 0; i < n; i++)
		sigaddset(&mask, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int parse_output(const char *arg, enum ipct_output *out, unsigned more)
{
	/* By enum ipct_output: the names -o takes. */
	static const char *const names[] = { "text", "json", "dot", "perfetto", "html", "mermaid" };
	unsigned allowed = more | OUT_ALLOW(IPCT_OUT_TEXT) | OUT_ALLOW(IPCT_OUT_JSON);
	char list[64] = "";

	for (unsigned m = 0; m < sizeof(names) / sizeof(names[0]); m++) {
		if (!(allowed & OUT_ALLOW(m)))
			continue;
		if (!strcmp(arg, names[m])) {
			*out = (enum ipct_output)m;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? ", " : "", names[m]);
	}
	fprintf(stderr, _("ipctrace: unknown output format '%s' (%s)\n"), arg, list);
	return -EINVAL;
}

int write_stdout(struct ipct_buf *out)
{
	if (stdout_closed) {
		fprintf(stderr, _("ipctrace: standard output is closed: nowhere to write the answer\n"));
		return -EBADF;
	}
	if (fwrite(out->data + out->start, 1, ipct_buf_len(out), stdout) != ipct_buf_len(out) ||
	    fflush(stdout) == EOF) {
		fprintf(stderr, _("ipctrace: writing the output failed: %s\n"), strerror(errno));
		return -EIO;
	}
	return 0;
}

int parse_color(const char *arg, const char **when)
{
	if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never")) {
		fprintf(stderr, _("ipctrace: --color takes auto, always or never, not '%s'\n"), arg);
		return -EINVAL;
	}
	*when = arg;
	return 0;
}

void help_socket(FILE *f)
{
	fprintf(f, _("  -s, --socket PATH     the daemon's socket (default $IPCTRACE_SOCKET if set,\n"
		     "                        else %s)\n"), IPCT_SOCKET_PATH);
}

void help_range(FILE *f)
{
	fputs(_("  -S, --since TIME      from TIME on (times as for `ipctrace log`)\n"
		"  -U, --until TIME      up to TIME\n"
		"  -n, --lines N         only the last N, from 0 to 10000000\n"), f);
}

void fput_padded(FILE *f, const char *s, int width)
{
	fprintf(f, "%s%*s", s, width > ipct_text_width(s) ? width - ipct_text_width(s) : 0, "");
}

int term_width(int fd)
{
	struct winsize ws;

	return ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 0;
}

bool want_color(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && !getenv("NO_COLOR") && term && strcmp(term, "dumb");
}
