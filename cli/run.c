// SPDX-License-Identifier: MIT
/*
 * ipctrace run: starts a command held before exec, has the daemon trace it
 * and everything it forks, then lets it go and prints its events until the
 * command has exited, and what it waited for (--follow-orphans: the last
 * process of the tree), or a second interrupt. Exits with the command's status.
 *
 * The held child waits in poll(), which is not traced, so the trace holds
 * nothing the program did not do itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "evfilter.h"
#include "i18n.h"
#include "names.h"
#include "perfetto.h"
#include "pidset.h"
#include "report.h"
#include "view.h"

/* The most -e a trace takes, as many as a log query's matches. */
#define SELECT_MAX 64

struct run {
	struct conn conn;
	struct ipct_fmt fmt;
	struct ipct_evfilter *select; /* -e: the events printed (all of them feed the rest) */
	struct ipct_buf out;
	pid_t child;
	int status;             /* the child's wait status, once reaped */
	bool reaped;
	bool ended;             /* the daemon said the session is over */
	int out_fd;             /* where the trace goes: stdout, or -O FILE */
	const char *out_name;   /* ... named for messages */
	bool stdout_gone;       /* the reader of our output went away, or writing it failed */
	int write_err;          /* why writing it failed (not a reader gone: EPIPE); the exit is 1 */
	const char *end_reason;
	int64_t events, lost;   /* from session_end: lost = lost_ring + lost_client */
	int64_t lost_ring;      /* the kernel's ring buffer was full */
	int64_t lost_client;    /* this client read too slowly */
	int64_t untraced;       /* children the daemon could not trace: its traced set was full */
	int64_t privileged;     /* processes that left the trace at a privileged exec */
	int64_t unprinted;      /* events that could not be formatted (out of memory) */
	int64_t carriers;       /* EXE_PATH records received: parts of an exec's line, not events of their own */
	bool follow_orphans;    /* --follow-orphans: wait for the processes that outlive the command */
	bool want_records;      /* --signals: print the lifecycle records at the end */
	struct view *view;      /* --view: draw instead of printing lines */
	struct ipct_pf *pf;     /* -o perfetto: the timeline the events make */
	struct report *page;    /* -o html: the page written at the end */
	bool want_pipes;        /* --pipes: print the pipe graph at the end */
	struct json_object *diags; /* --explain: every diagnosis, for the summary at the end */
	struct pidset shown;    /* -e: the processes whose events were printed (their live diagnoses are too) */
	struct json_object *graph; /* its objects, from the daemon's "graph" notice */
	struct ipct_sigrec *recs;
	size_t nrecs, caprecs;
	enum verb { RUN, ATTACH, TRACE_ALL } verb;
	bool count_only;        /* --count: no event lines, a count per event type at the end */
	struct json_object *counts; /* ... counted by the daemon, from its session_end notice */
	uint32_t session;
	bool detaching;         /* asked the daemon to stop, waiting for the end */
	bool detached_by_other; /* run: another client's `ipctrace detach` ended the session */
	int interrupts;         /* run: SIGINT, SIGTERM and SIGQUIT received; the first is the command's */
	int stop_sig;           /* run: the one after it, which stopped the trace */
	bool asked_outlived;    /* run: the command has exited, and the daemon was asked to let go of the rest */
	struct json_object *left; /* the processes still traced when the session was cut (session_end) */
};

static void run_usage(FILE *f)
{
	fputs(_("Usage: ipctrace run [OPTIONS] [--] COMMAND [ARGS...]\n"
		"\n"
		"Run COMMAND and trace its signals, pipes and sockets, and those of every\n"
		"process it starts, printing each event as it happens. Exits with\n"
		"COMMAND's status (128+N when a signal N killed it; 127 when it cannot be\n"
		"found, 126 when it cannot be executed), even when events were lost: a\n"
		"trace that lost any says so on stderr and in its summary (\"lost\").\n"
		"The first Ctrl-C (or SIGTERM, SIGQUIT) is COMMAND's; a second stops the\n"
		"trace (exit 128+N), naming what is still running. Processes that outlive\n"
		"COMMAND are named, not waited for.\n"
		"\n"
		"Options:\n"
		"  -o, --output FORMAT   text (default), json (one object per line, fields in\n"
		"                        docs/events.md), dot (with --pipes), perfetto (a\n"
		"                        timeline for ui.perfetto.dev, docs/perfetto.md) or\n"
		"                        html (a page with lanes, signals, graph, diagnoses:\n"
		"                        docs/report.md); with any but text on stdout,\n"
		"                        COMMAND's stdout goes to stderr\n"
		"  -O, --output-file FILE  the trace into FILE, not stdout (strace's -o)\n"
		"      --follow-orphans  trace and wait for the processes that outlive COMMAND\n"
		"  -e, --events EXPR     print only the events EXPR selects: FIELD=VALUE as\n"
		"                        for ipctrace log (type=kill, kind=pipe, pid=N) or\n"
		"                        trace=CLASS: signal, process, ipc, pipe, socket or\n"
		"                        queue; repeatable (same field: either; different\n"
		"                        fields: both); the other reports see every event\n"
		"      --signals         when COMMAND ends, print one line per signal sent:\n"
		"                        its whole life, from generated to handled, and what\n"
		"                        went wrong (docs/signals.md)\n"
		"      --pipes           when COMMAND ends, print every pipe, FIFO and socket:\n"
		"                        who held which end, what went through, what went\n"
		"                        wrong (docs/pipes.md); with -o dot, only that graph\n"
		"      --explain         when COMMAND ends, print what went wrong: every\n"
		"                        diagnosis, grouped and root causes first, with the\n"
		"                        events it rests on (docs/diagnoses.md)\n"
		"  -c, --count           no event lines: how many events of each type, at the\n"
		"                        end (like strace -c)\n"
		"      --view            instead of event lines, draw one lane per process and\n"
		"                        each signal travelling from sender to target, each\n"
		"                        pipe, FIFO, socket and queue made, copied and closed,\n"
		"                        and the bytes through them from writer to reader\n"
		"                        (for a terminal or a projector)\n"
		"      --view-state      with --view: after each fork and exec, what the\n"
		"                        process holds (\"0 = read end of pipe 1\")\n"), f);
	help_socket(f);
	fputs(_("                        (without a daemon there, root gets a private one)\n"
		"      --color WHEN      auto (default), always or never\n"
		"  -h, --help            show this help\n"), f);
}

/* What execvp would run, resolved before forking so that a missing command
 * is reported by us (exit 127) instead of by a traced child. */
static int resolve_command(const char *cmd, char *path, size_t len)
{
	const char *dirs = getenv("PATH");
	int err = ENOENT;
	struct stat st;

	if (strchr(cmd, '/')) {
		snprintf(path, len, "%s", cmd);
		if (stat(path, &st) < 0)
			return -errno;
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		return access(path, X_OK) < 0 ? -errno : 0;
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	while (*dirs) {
		size_t n = strcspn(dirs, ":");

		snprintf(path, len, "%.*s/%s", (int)n ?: 1, n ? dirs : ".", cmd);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(path, X_OK) == 0)
				return 0;
			err = EACCES;
		}
		dirs += n + (dirs[n] == ':');
	}
	return -err;
}

/* The first len bytes of the file at path (fewer if it is shorter, none if a read fails); -errno when it cannot be opened. */
static ssize_t file_head(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	return n < 0 ? 0 : n;
}

/*
 * The file to execve: path made absolute (our cwd before it, a leading
 * "./" dropped), because the exec record names the program's file by it,
 * and the daemon (whose cwd is not ours) reads the program's symbols from
 * that file once the process has exited (lib/symbols.c: a short-lived
 * command's handler would have no name). A #! script keeps path as it
 * is: the kernel hands the script's path to its interpreter as $0. The
 * program's argv[0] is the user's, either way.
 */
static void exec_file(const char *path, char *out, size_t len)
{
	char cwd[PATH_MAX], magic[2];

	snprintf(out, len, "%s", path);
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return;
	if (file_head(path, magic, sizeof(magic)) == 2 && !memcmp(magic, "#!", 2))
		return;
	while (path[0] == '.' && path[1] == '/')
		path += 2 + strspn(path + 2, "/");
	if ((size_t)snprintf(out, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) >= len)
		snprintf(out, len, "%s", path);
}

/*
 * Whether a file the kernel would not run is a binary (an ELF, or a NUL in
 * its first line, as bash judges) rather than a script for sh.
 */
static bool is_binary(const char *path)
{
	char buf[256];
	ssize_t n = file_head(path, buf, sizeof(buf));

	if (n < 0)
		return true;
	if (n >= 4 && !memcmp(buf, "\177ELF", 4))
		return true;
	for (ssize_t i = 0; i < n && buf[i] != '\n'; i++)
		if (!buf[i])
			return true;
	return false;
}

/* execv's ENOEXEC fallback, as glibc's execvp does it: /bin/sh PATH ARGS...; returns on failure. */
static void exec_sh(const char *path, char **argv)
{
	size_t n = 0;
	char **sh;

	while (argv[n])
		n++;
	sh = calloc(n + 2, sizeof(*sh));
	if (!sh)
		return;
	sh[0] = "/bin/sh";
	sh[1] = (char *)path;
	for (size_t i = 1; i < n; i++)
		sh[i + 1] = argv[i];
	execv("/bin/sh", sh);
	free(sh);
}

/*
 * The command, held before exec until *release_fd is closed. With
 * stdout_to_stderr its standard output is ours for errors: a trace that a
 * program reads (JSON, dot) on our stdout stays free of the command's own.
 * path is what resolve_command found; the child execs it as exec_file says.
 */
static pid_t spawn_held(const char *path, char **argv, bool stdout_to_stderr, int *release_fd)
{
	char file[PATH_MAX];
	int hold[2];
	pid_t pid;

	exec_file(path, file, sizeof(file));
	if (pipe2(hold, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(hold[0]);
		close(hold[1]);
		return -errno;
	}
	if (pid == 0) {
		struct pollfd p = { .fd = hold[0], .events = POLLIN };

		close(hold[1]);
		if (stdout_to_stderr)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		/* Released when the parent closes its end (POLLHUP). */
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		execv(file, argv);
		/* A script without #! is the shell's, as execvp(3) and every shell run it. */
		if (errno == ENOEXEC && !is_binary(path))
			exec_sh(path, argv);
		/*
		 * As a shell says it (held, nothing of this is traced): found, but
		 * not a program this kernel runs (ENOEXEC: a corrupt or 32-bit one
		 * where 32-bit emulation is off, say) is 126, gone meanwhile 127.
		 */
		fprintf(stderr, _("ipctrace: %s: cannot execute: %s\n"), path, strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(hold[0]);
	*release_fd = hold[1];
	return pid;
}

static void flush_out(struct run *r)
{
	while (ipct_buf_len(&r->out) && !r->stdout_gone) {
		ssize_t n = write(r->out_fd, r->out.data + r->out.start, ipct_buf_len(&r->out));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/*
			 * Keep tracing (the command runs on), but stop printing. A
			 * reader that went away (`| head`) is normal; anything else
			 * (a full disk, /dev/full) loses the trace: said, and the exit is 1.
			 */
			r->stdout_gone = true;
			if (errno != EPIPE) {
				r->write_err = errno;
				fprintf(stderr, _("ipctrace: cannot write the trace to %s: %s\n"), r->out_name,
					strerror(errno));
			}
			break;
		}
		ipct_buf_consume(&r->out, (size_t)n);
	}
	ipct_buf_consume(&r->out, ipct_buf_len(&r->out));
}

/* With -e, whether a diagnosis concerns a process whose events were printed (else it is not shown live). */
static bool diag_selected(const struct run *r, struct json_object *d)
{
	struct json_object *procs, *pid;

	if (!r->select)
		return true;
	if (json_object_object_get_ex(d, "pid", &pid) && pid &&
	    pidset_has(&r->shown, (uint32_t)json_object_get_int64(pid)))
		return true;
	if (!json_object_object_get_ex(d, "processes", &procs) || !json_object_is_type(procs, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(procs); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(procs, i), "pid", &pid) &&
		    pidset_has(&r->shown, (uint32_t)json_object_get_int64(pid)))
			return true;
	return false;
}

/* A diagnosis, live: a line that stands out among the events, or the object as it is. */
static void on_diagnosis(struct run *r, struct json_object *d)
{
	char text[4096], safe[4096];    /* the message names processes: their names are escaped */
	const char *msg = ipct_said(d, "message", text, sizeof(text));

	if (r->diags)
		json_object_array_add(r->diags, json_object_get(d));

	if (!diag_selected(r, d))
		return;
	if (r->view)
		view_diag(r->view, d);
	else if (r->pf) {
		if (ipct_pf_diag(r->pf, d, &r->out) < 0)
			r->unprinted++;
	} else if (r->fmt.mode == IPCT_OUT_JSON)
		ipct_json_line(&r->out, d);
	else if (msg && ipct_text_escape(safe, sizeof(safe), msg, SIZE_MAX) >= 0) {
		bool warn = !diag_is_info(d);

		/* After the events that came before it, which wait in the output buffer. */
		flush_out(r);
		fprintf(stderr, "%s%s %s%s\n", r->fmt.color && warn ? "\033[1;31m" : "", warn ? "!!" : "--", safe,
			r->fmt.color && warn ? "\033[0m" : "");
	}
}

static void on_notice(struct run *r, struct json_object *n)
{
	struct json_object *v;
	const char *kind = "";

	if (json_object_object_get_ex(n, "type", &v) && !strcmp(json_object_get_string(v), "diagnosis")) {
		on_diagnosis(r, n);
		return;
	}

	if (json_object_object_get_ex(n, "notice", &v))
		kind = json_object_get_string(v);
	if (!strcmp(kind, "session_end")) {
		r->ended = true;
		if (json_object_object_get_ex(n, "counts", &v))
			r->counts = json_object_get(v);
		/* The daemon counts EXE_PATH records too; a person sees them only in their exec's line. */
		if (r->counts && json_object_object_get_ex(r->counts, "exe_path", &v)) {
			r->carriers += json_object_get_int64(v);
			json_object_object_del(r->counts, "exe_path");
		}
		if (json_object_object_get_ex(n, "events", &v))
			r->events = json_object_get_int64(v) - r->carriers;
		if (json_object_object_get_ex(n, "lost", &v))
			r->lost = json_object_get_int64(v);
		if (json_object_object_get_ex(n, "lost_ring", &v))
			r->lost_ring = json_object_get_int64(v);
		if (json_object_object_get_ex(n, "lost_client", &v))
			r->lost_client = json_object_get_int64(v);
		if (json_object_object_get_ex(n, "untraced_processes", &v))
			r->untraced = json_object_get_int64(v);
		if (json_object_object_get_ex(n, "privileged_execs", &v))
			r->privileged = json_object_get_int64(v);
		if (json_object_object_get_ex(n, "processes", &v))
			r->left = json_object_get(v);
		/*
		 * Anything but the tree's own end means the trace was cut short.
		 * A detach is not a failure: attach and trace end by their own
		 * (Ctrl-C) or another's; run by its own (a second Ctrl-C, or its
		 * command left others running), or by another client's
		 * `ipctrace detach`, after which it waits for its command untraced.
		 */
		if (json_object_object_get_ex(n, "reason", &v) && !strcmp(json_object_get_string(v), "detached")) {
			r->detached_by_other = r->verb == RUN && !r->detaching;
			r->detaching = true;
		} else if (json_object_object_get_ex(n, "reason", &v) && strcmp(json_object_get_string(v), "exited"))
			r->end_reason = !strcmp(json_object_get_string(v), "daemon_exit") ? "daemon_exit"
											 : "cut";
	} else if (!strcmp(kind, "graph")) {
		if (json_object_object_get_ex(n, "objects", &v))
			r->graph = json_object_get(v);
		if (json_object_object_get_ex(n, "untracked_calls", &v) && json_object_get_int64(v))
			fprintf(stderr, _("ipctrace: the pipe graph is incomplete: the session had 65536 pipes, "
				"FIFOs and sockets, the most a graph holds, and %lld calls on more were left out\n"),
				(long long)json_object_get_int64(v));
	} else {
		notice_lost(n);
	}
}

/* One row of --count's table. */
struct count_row {
	const char *name;
	int64_t n;
};

static int by_count(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

/* --count: events by type, most frequent first, as a table or one JSON object. */
static void print_counts(struct run *r)
{
	struct count_row rows[IPCT_NR_MAX + IPCT_EV_TYPE_MAX];
	size_t n = 0;

	if (r->counts) {
		json_object_object_foreach(r->counts, key, val) {
			if (n < sizeof(rows) / sizeof(rows[0]))
				rows[n++] = (struct count_row){ key, json_object_get_int64(val) };
		}
	}
	qsort(rows, n, sizeof(rows[0]), by_count);
	if (r->fmt.mode == IPCT_OUT_JSON) {
		ipct_buf_printf(&r->out, "{\"type\":\"counts\"");
	} else {
		/* TRANSLATORS: the column headers of run --count; event types stay as in the JSON. */
		const char *count = _("COUNT");
		int w = ipct_text_width(count);

		ipct_buf_pad(&r->out, _("EVENT"), 21);
		ipct_buf_printf(&r->out, "%*s%s\n", w < 12 ? 12 - w : 0, "", count);
	}
	for (size_t i = 0; i < n; i++)
		ipct_buf_printf(&r->out, r->fmt.mode == IPCT_OUT_JSON ? ",\"%s\":%" PRId64 : "%-20s %12" PRId64 "\n",
				rows[i].name, rows[i].n);
	if (r->fmt.mode == IPCT_OUT_JSON)
		ipct_buf_printf(&r->out, "}\n");
	flush_out(r);
}

static int keep_record(struct run *r, const struct ipct_sigrec *rec)
{
	if (r->nrecs == r->caprecs) {
		size_t cap = r->caprecs ? r->caprecs * 2 : 64;
		struct ipct_sigrec *n = realloc(r->recs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->recs = n;
		r->caprecs = cap;
	}
	r->recs[r->nrecs++] = *rec;
	return 0;
}

/* Handles the whole frames received: 0, or -EBADMSG. */
static int on_frames(struct run *r)
{
	struct ipct_msg_hdr h;
	const char *payload;
	int k;

	while ((k = ipct_msg_peek(&r->conn.in, SIZE_MAX, &h, &payload)) > 0) {
		if (h.type == IPCT_MSG_EVENT && h.len >= sizeof(struct ipct_event)) {
			const struct ipct_event *e = (const void *)payload;

			r->carriers += e->type == IPCT_EV_EXE_PATH;
			if (r->fmt.syms)
				ipct_syms_on_event(r->fmt.syms, e);
			if (r->view)
				view_event(r->view, e);
			else if (r->pf) {
				if (ipct_pf_event(r->pf, e, &r->out) < 0)
					r->unprinted++;
			} else if (r->page)
				report_event(r->page, e);
			else if (r->fmt.mode != IPCT_OUT_DOT && !r->stdout_gone &&
				 (!r->select || ipct_evfilter_match(r->select, e))) {
				if (r->select)
					pidset_add(&r->shown, e->pid);
				if (ipct_format_event(&r->fmt, e, &r->out) < 0)
					r->unprinted++;
			}
		} else if (h.type == IPCT_MSG_SIGREC && h.len >= sizeof(struct ipct_sigrec)) {
			if (r->view)
				view_record(r->view, (const void *)payload);
			if (r->want_records && keep_record(r, (const void *)payload) < 0)
				r->unprinted++;
		} else if (h.type == IPCT_MSG_JSON) {
			struct json_object *o = ipct_json_parse(payload, h.len);

			if (o)
				on_notice(r, o);
			json_object_put(o);
		}
		ipct_buf_consume(&r->conn.in, sizeof(h) + h.len);
	}
	flush_out(r);
	return k < 0 ? -EBADMSG : 0;
}

/* Handles what the daemon sent: 0, or -ECONNRESET when it hung up. */
static int on_daemon(struct run *r)
{
	ssize_t n = ipct_buf_read_fd(&r->conn.in, r->conn.fd);

	if (n == 0 || (n < 0 && n != -EAGAIN))
		return -ECONNRESET;
	return on_frames(r);
}

/* Never leaves the held command behind when the trace cannot start. */
static void abandon(struct run *r)
{
	kill(r->child, SIGKILL);
	waitpid(r->child, NULL, 0);
}

static void reap(struct run *r, bool block)
{
	if (r->reaped)
		return;
	if (waitpid(r->child, &r->status, block ? 0 : WNOHANG) == r->child)
		r->reaped = true;
}

/*
 * Asks on a connection of its own, whose backlog is empty: the daemon drops
 * a client that sends requests while its events wait (a slow reader). The
 * session_end notice comes on the stream, after its events, and ends the
 * loop. With outlived, the daemon detaches only if processes are left;
 * else the session ends as usual.
 */
static void request_detach(struct run *r, bool outlived)
{
	struct json_object *req = json_object_new_object(), *reply;
	struct conn side;

	json_object_object_add(req, "cmd", json_object_new_string("detach"));
	json_object_object_add(req, "session", json_object_new_int64(r->session));
	if (outlived)
		json_object_object_add(req, "outlived", json_object_new_boolean(1));
	if (conn_open(&side, r->conn.path, false) == 0) {
		reply = conn_request(&side, req);
		/* An error: the session has ended meanwhile, and its notice is on the way. */
		if (reply && !reply_error(reply))
			r->detaching = true;
		json_object_put(reply);
		conn_close(&side);
	}
	json_object_put(req);
}

static void on_signal(struct run *r, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (r->verb != RUN) {
			/* Ctrl-C ends the trace, not the traced processes. */
			if (si.ssi_signo != SIGCHLD && !r->detaching)
				request_detach(r, false);
		} else if (si.ssi_signo == SIGCHLD) {
			reap(r, false);
			/* The command is done: what it left running is not waited for, unless asked. */
			if (r->reaped && !r->follow_orphans && !r->asked_outlived) {
				r->asked_outlived = true;
				request_detach(r, true);
			}
		} else if (si.ssi_signo == SIGHUP || ++r->interrupts == 1) {
			/* The terminal signals the whole foreground group, the command included;
			 * a signal sent to us alone is passed on. */
			if (si.ssi_code != SI_KERNEL)
				kill(r->child, (int)si.ssi_signo);
		} else if (!r->stop_sig) {
			/* The command did not stop at the first: the second stops the trace. */
			r->stop_sig = (int)si.ssi_signo;
			request_detach(r, false);
		} else {
			/* A third: the daemon is slow to answer; stop waiting for it. */
			r->ended = true;
		}
	}
}

/* The processes the cut session left, "sleep[1234], sh[1233]", those still alive; how many. */
static int left_alive(struct run *r, struct ipct_buf *out)
{
	int n = 0;

	for (size_t i = 0; r->left && i < json_object_array_length(r->left); i++) {
		int pid = json_object_get_int(json_object_array_get_idx(r->left, i));
		char path[64], comm[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
		ipct_buf_printf(out, "%s%s[%d]", n++ ? ", " : "", comm, pid);
	}
	return n;
}

/* run's end when it did not wait for every process: what it leaves running. */
static void say_left(struct run *r)
{
	struct ipct_buf names = { 0 };
	int n = left_alive(r, &names);

	if (r->stop_sig && n)
		fprintf(stderr, _("ipctrace: stopped tracing at %s, a second interrupt; still running, untraced from "
			"now on: %.*s\n"),
			ipct_sig_name(r->stop_sig), (int)ipct_buf_len(&names), names.data + names.start);
	else if (r->stop_sig)
		fprintf(stderr, _("ipctrace: stopped tracing at %s, a second interrupt\n"), ipct_sig_name(r->stop_sig));
	else if (n)
		fprintf(stderr, ngettext("ipctrace: %d process outlived the command: %.*s, not followed; "
					 "use --follow-orphans to wait for it\n",
					 "ipctrace: %d processes outlived the command: %.*s, not followed; "
					 "use --follow-orphans to wait for them\n", (unsigned long)n),
			n, (int)ipct_buf_len(&names), names.data + names.start);
	ipct_buf_free(&names);
}

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* What run exits with: the command's status, or 128+N when a second interrupt N stopped the trace. */
static int run_exit_code(const struct run *r)
{
	return r->stop_sig ? 128 + r->stop_sig : exit_code_of(r->status);
}

/* Why a session ended (run's end_reason, or detached), as a person reads it. */
static const char *end_reason_text(const char *why)
{
	static const char *const reasons[][2] = {
		{ "detached", N_("detached") }, { "every process exited", N_("every process exited") },
		{ "connection_lost", N_("connection lost") }, { "daemon_exit", N_("daemon exit") },
		{ "cut", N_("cut") },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcmp(why, reasons[i][0]))
			return _(reasons[i][1]);
	return why;
}

/* -o perfetto: the timeline's end, however the trace ended (a viewer opens only a whole file). */
static void close_timeline(struct run *r)
{
	if (!r->pf)
		return;
	if (ipct_pf_end(r->pf, &r->out) < 0)
		r->unprinted++;
	flush_out(r);
}

/* -o html: the page of the whole trace, with how it ended under its title. */
static void write_page(struct run *r, const char *cmd, const char *status)
{
	char note[512];

	snprintf(note, sizeof(note), _("%s %s; %lld events, %lld lost"), cmd, status, (long long)r->events,
		 (long long)r->lost);
	report_note(r->page, note);
	for (size_t i = 0; i < r->nrecs; i++)
		report_record(r->page, &r->recs[i]);
	for (size_t i = 0; i < json_object_array_length(r->diags); i++)
		report_diag(r->page, json_object_array_get_idx(r->diags, i));
	if (!r->graph)
		r->graph = json_object_new_array();     /* no notice came: no objects */
	report_objects(r->page, r->graph);
	if (report_html(r->page, &r->fmt, &r->out) < 0)
		r->write_err = ENOMEM;
	flush_out(r);
}

static void print_summary(struct run *r, const char *cmd)
{
	/* The JSON summary's "status" is English (a value scripts read); the text's is translated. */
	char status[128], json_status[128];
	const char *why = r->end_reason ? r->end_reason : r->detaching ? "detached" : "every process exited";

	if (r->verb == RUN && !r->reaped && r->stop_sig) {
		snprintf(json_status, sizeof(json_status), "left running at %s", ipct_sig_name(r->stop_sig));
		snprintf(status, sizeof(status), _("left running at %s"), ipct_sig_name(r->stop_sig));
	} else if (r->verb == RUN) {
		ipct_wait_status_text(r->status, status, sizeof(status));
		ipct_wait_status_str(r->status, json_status, sizeof(json_status));
	} else {
		snprintf(json_status, sizeof(json_status), "session %u ended (%s)", r->session, why);
		snprintf(status, sizeof(status), _("session %u ended (%s)"), r->session, end_reason_text(why));
	}
	if (r->unprinted)
		fprintf(stderr, _("ipctrace: %lld events could not be printed (out of memory)\n"),
			(long long)r->unprinted);
	if (r->count_only)
		print_counts(r);
	if (r->page) {
		write_page(r, cmd, status);
	} else if (r->want_records && r->fmt.mode != IPCT_OUT_DOT) {
		print_records(&r->fmt, r->recs, r->nrecs, &r->out);
		flush_out(r);
	}
	if (r->want_pipes && !r->page) {
		print_graph(r->fmt.mode, r->fmt.color, r->graph, &r->out);
		flush_out(r);
	}
	if (r->diags && r->fmt.mode != IPCT_OUT_DOT && !r->page) {
		print_explanation(&r->fmt, r->diags, &r->out);
		flush_out(r);
	}
	close_timeline(r);
	if (r->fmt.mode == IPCT_OUT_JSON) {
		ipct_buf_printf(&r->out,
				"{\"type\":\"summary\",\"events\":%lld,\"lost\":%lld,\"lost_ring\":%lld,"
				"\"lost_client\":%lld,\"untraced_processes\":%lld,\"privileged_execs\":%lld,"
				"\"exit_code\":%d,\"status\":\"%s\"}\n",
				(long long)r->events, (long long)r->lost, (long long)r->lost_ring,
				(long long)r->lost_client, (long long)r->untraced, (long long)r->privileged,
				run_exit_code(r), json_status);
		flush_out(r);
	} else {
		/* TRANSLATORS: "ipctrace: ./a.out exited 0; 12 events, 0 lost". */
		fprintf(stderr, ngettext("ipctrace: %s %s; %lld event, %lld lost\n",
					 "ipctrace: %s %s; %lld events, %lld lost\n", (unsigned long)r->events),
			cmd, status, (long long)r->events, (long long)r->lost);
		if (r->untraced)
			fprintf(stderr, _("ipctrace: %lld processes were not traced: the daemon's traced set, or "
				"the session's share of it, was full (ipctraced --traced-max, --session-processes)\n"),
				(long long)r->untraced);
	}
	/* Said in JSON mode too: it is why the trace ends early. */
	if (r->privileged)
		fprintf(stderr, ngettext("ipctrace: %lld process gained privileges when it ran a setuid, setgid or "
					 "file-capability program: it is not traced from that exec on, nor its children "
					 "(a user's trace never follows a program into privileges)\n",
					 "ipctrace: %lld processes gained privileges when they ran a setuid, setgid or "
					 "file-capability program: they are not traced from that exec on, nor their "
					 "children (a user's trace never follows a program into privileges)\n",
					 (unsigned long)r->privileged), (long long)r->privileged);
	if (r->lost)
		fprintf(stderr, _("ipctrace: this trace is incomplete: %lld events lost while the kernel's ring buffer "
			"was full, %lld dropped because this output read too slowly\n"),
			(long long)r->lost_ring, (long long)r->lost_client);
}

/* The options every tracing verb shares, and -p / --all / --background for attach and trace. */
static const struct option trace_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "events", required_argument, NULL, 'e' },
	{ "output-file", required_argument, NULL, 'O' },
	{ "follow-orphans", no_argument, NULL, 'F' },
	{ "socket", required_argument, NULL, 's' },
	{ "color", required_argument, NULL, 'C' },
	{ "signals", no_argument, NULL, 'S' },
	{ "view", no_argument, NULL, 'V' },
	{ "view-state", no_argument, NULL, 'W' },
	{ "pipes", no_argument, NULL, 'P' },
	{ "explain", no_argument, NULL, 'E' },
	{ "count", no_argument, NULL, 'c' },
	{ "pid", required_argument, NULL, 'p' },
	{ "all", no_argument, NULL, 'A' },
	{ "background", no_argument, NULL, 'B' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

struct trace_args {
	const char *socket_path, *color, *pids, *output_file;
	const char *select[SELECT_MAX];  /* -e */
	int nselect;
	bool socket_given, want_view, view_state, all, background;
};

static void attach_usage(FILE *f)
{
	fputs(_("Usage: ipctrace attach [OPTIONS] -p PID[,PID...]\n"
		"       ipctrace trace [OPTIONS] --all\n"
		"\n"
		"Trace running processes and every process they start from now on (attach),\n"
		"or every process on the machine but ipctraced and this command (trace --all),\n"
		"printing events as they happen until the processes exit or Ctrl-C, which\n"
		"stops the trace and leaves the processes running. Everything is logged\n"
		"(ipctrace log session=N). Users may attach only to their own processes;\n"
		"trace --all needs root or the ipctrace group. Exits 0; 3 when events were\n"
		"lost (stderr says how many and why); 1 when the trace was cut short.\n"
		"\n"
		"Options:\n"
		"  -p, --pid PID[,PID]   the processes to attach to (attach)\n"
		"      --all             every process (trace)\n"
		"      --background      print the session id and return; the trace goes on\n"
		"                        into the log until `ipctrace detach N`\n"
		"  -o, --output FORMAT   text (default), json, dot (with --pipes), perfetto\n"
		"                        or html\n"
		"  -O, --output-file FILE  the trace into FILE, not stdout\n"
		"  -e, --events EXPR     print only the events EXPR selects (as for run)\n"
		"      --signals, --pipes, --explain, --view, --view-state, --count\n"
		"                        as for ipctrace run\n"), f);
	help_socket(f);
	fputs(_("      --color WHEN      auto (default), always or never\n"
		"  -h, --help            show this help\n"), f);
}

/* Where the trace goes: -O FILE, else standard output, which must be open. -1 (said why) when neither is there. */
static int open_output(struct run *r, const char *file)
{
	r->out_fd = STDOUT_FILENO;
	r->out_name = _("standard output");
	if (file) {
		r->out_fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (r->out_fd < 0) {
			fprintf(stderr, _("ipctrace: cannot open %s: %s\n"), file, strerror(errno));
			return -1;
		}
		r->out_name = file;
	} else if (stdout_closed) {
		fprintf(stderr, _("ipctrace: standard output is closed: nowhere to write the trace "
			"(give a file with -O FILE)\n"));
		return -1;
	}
	return 0;
}

/* Parses the options of run (stopping at the command), attach and trace. -1: exit with *code. */
static int parse_trace_args(struct run *r, struct trace_args *a, int argc, char **argv, int *code)
{
	void (*usage)(FILE *) = r->verb == RUN ? run_usage : attach_usage;
	char err[1024];
	int c;

	*code = EXIT_USAGE;
	/* '+': options end at run's command, whose own options are its business. */
	while ((c = cli_getopt(argc, argv, r->verb == RUN ? "+o:O:e:s:ch" : "o:O:e:p:s:ch", trace_opts)) != -1) {
		switch (c) {
		case 'o':
			if (parse_output(optarg, &r->fmt.mode, OUT_ALLOW(IPCT_OUT_DOT) | OUT_ALLOW(IPCT_OUT_PERFETTO) |
					 OUT_ALLOW(IPCT_OUT_HTML)) < 0) {
				/* strace's -o FILE is -O FILE here: -o is the format. */
				fprintf(stderr, _("ipctrace: -o is the format; to write the trace to a file, "
					"use -O %s (--output-file)\n"), optarg);
				return -1;
			}
			break;
		case 'O':
			a->output_file = optarg;
			break;
		case 'F':
			if (r->verb != RUN) {
				fprintf(stderr, _("ipctrace: --follow-orphans goes with run only\n"));
				return -1;
			}
			r->follow_orphans = true;
			break;
		case 'e':
			if (a->nselect == SELECT_MAX) {
				fprintf(stderr, _("ipctrace: at most %d -e\n"), SELECT_MAX);
				return -1;
			}
			a->select[a->nselect++] = optarg;
			break;
		case 's':
			a->socket_path = optarg;
			a->socket_given = true;
			break;
		case 'C':
			if (parse_color(optarg, &a->color) < 0)
				return -1;
			break;
		case 'S':
			r->want_records = true;
			break;
		case 'V':
			a->want_view = true;
			break;
		case 'W':
			a->want_view = a->view_state = true;
			break;
		case 'P':
			r->want_pipes = true;
			break;
		case 'E':
			if (!r->diags && !(r->diags = json_object_new_array())) {
				fprintf(stderr, _("ipctrace: out of memory\n"));
				return -1;
			}
			break;
		case 'c':
			r->count_only = true;
			break;
		case 'p':
		case 'A':
		case 'B':
			if (r->verb == RUN || (c == 'p' && r->verb != ATTACH) || (c == 'A' && r->verb != TRACE_ALL)) {
				fprintf(stderr, _("ipctrace: option %s does not go with this verb\n"), argv[optind - 1]);
				usage_short(usage);
				return -1;
			}
			if (c == 'p')
				a->pids = optarg;
			a->all |= c == 'A';
			a->background |= c == 'B';
			break;
		case 'h':
			usage(stdout);
			*code = 0;
			return -1;
		default:
			usage_short(usage);
			return -1;
		}
	}
	if (a->want_view && r->fmt.mode != IPCT_OUT_TEXT) {
		fprintf(stderr, _("ipctrace: --view draws for people; it does not go with -o json, dot, perfetto or html\n"));
		return -1;
	}
	if (r->count_only && (a->want_view || r->fmt.mode == IPCT_OUT_DOT || r->fmt.mode == IPCT_OUT_HTML)) {
		fprintf(stderr, _("ipctrace: --count prints counts only: not with --view, -o dot or -o html\n"));
		return -1;
	}
	if (r->fmt.mode == IPCT_OUT_PERFETTO && (a->want_view || r->count_only || r->want_records || r->want_pipes ||
						  r->diags || a->nselect)) {
		fprintf(stderr, _("ipctrace: -o perfetto writes the whole trace as one timeline: not with -e, --view, "
				  "--count, --signals, --pipes or --explain\n"));
		return -1;
	}
	/* The page has it all: the records, the pipe graph and the diagnoses. */
	if (r->fmt.mode == IPCT_OUT_HTML) {
		r->want_records = r->want_pipes = true;
		if (!r->diags)
			r->diags = json_object_new_array();
		r->page = report_titled(r->verb == RUN ? "run" : r->verb == ATTACH ? "attach" : "trace", argv + optind,
					argc - optind, 0);
		if (!r->diags || !r->page)
			return -1;
	}
	if (r->fmt.mode == IPCT_OUT_DOT && !r->want_pipes) {
		fprintf(stderr, _("ipctrace: -o dot draws the pipe graph: add --pipes\n"));
		return -1;
	}
	if ((r->verb == ATTACH && !a->pids) || (r->verb == TRACE_ALL && !a->all)) {
		fprintf(stderr, _("ipctrace %s: say what to trace: %s\n"), r->verb == ATTACH ? "attach" : "trace",
			r->verb == ATTACH ? "-p PID[,PID...]" : "--all");
		usage_short(usage);
		return -1;
	}
	if (r->verb != RUN && optind < argc) {
		fprintf(stderr, _("ipctrace: unexpected argument '%s'\n"), argv[optind]);
		return -1;
	}
	if (a->nselect && !(r->select = ipct_evfilter_select(a->select, a->nselect, err, sizeof(err)))) {
		fprintf(stderr, _("ipctrace: -e: %s\n"), err);
		return -1;
	}
	if (a->output_file && a->background) {
		fprintf(stderr, _("ipctrace: --background traces into the log: not with --output-file\n"));
		return -1;
	}
	*code = 1;
	if (open_output(r, a->output_file) < 0)
		return -1;
	r->fmt.color = !strcmp(a->color, "always") || (!strcmp(a->color, "auto") && want_color(r->out_fd));
	r->fmt.width = term_width(r->out_fd);
	/* Without it handlers show as addresses: worth a trace, not worth failing one. */
	r->fmt.syms = ipct_syms_new();
	return 0;
}

static bool has_pid(struct json_object *arr, long pid)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (json_object_get_int64(json_object_array_get_idx(arr, i)) == pid)
			return true;
	return false;
}

/* "12,34" as a JSON array of pids, each once; NULL (said why) when it is not one. */
static struct json_object *parse_pids(const char *s)
{
	struct json_object *arr = json_object_new_array();

	do {
		char *end;
		long pid = strtol(s, &end, 10);

		if (end == s || pid <= 0 || pid > INT32_MAX || (*end && *end != ',')) {
			fprintf(stderr, _("ipctrace attach: -p takes process ids separated by commas, not '%s'\n"), s);
			json_object_put(arr);
			return NULL;
		}
		/* A process named twice is traced once (the daemon would refuse it as already traced). */
		if (!has_pid(arr, pid))
			json_object_array_add(arr, json_object_new_int64(pid));
		s = *end ? end + 1 : end;
	} while (*s);
	return arr;
}

/* Sends the trace request; on success the stream is set up. -1 on failure (said why). */
static int start_trace(struct run *r, struct trace_args *a, struct json_object *req)
{
	struct json_object *reply, *v;

	json_object_object_add(req, "cmd", json_object_new_string("trace"));
	json_object_object_add(req, "records", json_object_new_boolean(r->want_records || a->want_view));
	json_object_object_add(req, "pipes", json_object_new_boolean(r->want_pipes));
	if (a->background)
		json_object_object_add(req, "background", json_object_new_boolean(1));
	if (r->count_only)
		json_object_object_add(req, "count", json_object_new_boolean(1));
	/* Nothing but the counts: the kernel side may count, at a fraction of a record's cost. */
	if (r->count_only && !r->want_records && !r->want_pipes && !r->diags)
		json_object_object_add(req, "count_only", json_object_new_boolean(1));
	reply = conn_request(&r->conn, req);
	json_object_put(req);
	if (!reply || reply_error(reply)) {
		if (reply)
			fprintf(stderr, "ipctrace: %s\n", reply_error(reply));
		json_object_put(reply);
		return -1;
	}
	if (json_object_object_get_ex(reply, "session", &v))
		r->session = (uint32_t)json_object_get_int64(v);
	if (json_object_object_get_ex(reply, "start_ns", &v))
		r->fmt.start_ns = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(reply, "realtime_offset_ns", &v))
		r->fmt.realtime_off = json_object_get_int64(v);
	json_object_put(reply);
	if (a->background)
		return 0;
	/* What `log session=N`, `pipes session=N` and `explain N` take; stdout stays the trace's. */
	if (r->fmt.mode == IPCT_OUT_TEXT)
		fprintf(stderr, _("ipctrace: session %u\n"), r->session);
	if (a->want_view) {
		r->view = view_new(r->out_fd, &r->fmt, a->view_state ? VIEW_STATE_LINES : 0);
		if (!r->view) {
			fprintf(stderr, _("ipctrace: out of memory\n"));
			return -1;
		}
	} else if (r->fmt.mode == IPCT_OUT_PERFETTO) {
		r->pf = ipct_pf_new(&r->fmt);
		if (!r->pf || ipct_pf_begin(r->pf, &r->out) < 0) {
			fprintf(stderr, _("ipctrace: out of memory\n"));
			return -1;
		}
		flush_out(r);
	} else if (!r->count_only) {
		ipct_format_header(&r->fmt, &r->out);
		flush_out(r);
	}
	return 0;
}

/* Events until the session ends (or the daemon goes away). */
static void stream(struct run *r, int sfd)
{
	/* What came with the trace's reply (an attach's first events, a diagnosis) is read already. */
	if (on_frames(r) < 0) {
		r->end_reason = "connection_lost";
		return;
	}
	while (!r->ended) {
		struct pollfd p[2] = { { .fd = r->conn.fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			on_signal(r, sfd);
		if (p[0].revents && on_daemon(r) < 0) {
			r->end_reason = "connection_lost";
			break;
		}
	}
}

/* Signals become events of the loop: blocked here, read from a signalfd. */
static int trace_signals_fd(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD };

	signal(SIGPIPE, SIG_IGN);
	/* Blocked only in this process: a child keeps the mask we were given. */
	return signals_fd(sigs, sizeof(sigs) / sizeof(sigs[0]));
}

static void run_free(struct run *r)
{
	if (r->out_fd > STDOUT_FILENO)
		close(r->out_fd);
	conn_close(&r->conn);
	ipct_buf_free(&r->out);
	ipct_syms_free(r->fmt.syms);
	ipct_evfilter_free(r->select);
	free(r->shown.pids);
	free(r->recs);
	view_free(r->view);
	ipct_pf_free(r->pf);
	report_free(r->page);
	json_object_put(r->graph);
	json_object_put(r->counts);
	json_object_put(r->diags);
	json_object_put(r->left);
}

int do_run(int argc, char **argv)
{
	struct run r = { .conn = { .fd = -1, .stop_fd = -1 }, .verb = RUN };
	struct trace_args a = { .socket_path = default_socket(), .color = "auto" };
	struct json_object *req;
	char path[PATH_MAX];
	int err, release_fd = -1, sfd, ret;

	if (parse_trace_args(&r, &a, argc, argv, &ret) < 0)
		goto out;
	ret = 1;
	if (optind >= argc) {
		fprintf(stderr, _("ipctrace run: no command given\n"));
		usage_short(run_usage);
		ret = EXIT_USAGE;
		goto out;
	}
	err = resolve_command(argv[optind], path, sizeof(path));
	if (err < 0) {
		if (err == -ENOENT)
			fprintf(stderr, _("ipctrace: %s: command not found\n"), argv[optind]);
		else
			fprintf(stderr, _("ipctrace: %s: cannot execute: %s\n"), argv[optind], strerror(-err));
		ret = err == -ENOENT ? 127 : 126;
		goto out;
	}
	if (conn_open(&r.conn, a.socket_path, !a.socket_given) < 0)
		goto out;
	/* Machine-readable on our stdout: the command's stdout must not land among its lines. */
	r.child = spawn_held(path, argv + optind, r.out_fd == STDOUT_FILENO && r.fmt.mode != IPCT_OUT_TEXT,
			     &release_fd);
	if (r.child < 0) {
		fprintf(stderr, _("ipctrace: failed to start %s: %s\n"), argv[optind], strerror(-r.child));
		goto out;
	}
	sfd = trace_signals_fd();
	req = json_object_new_object();
	json_object_object_add(req, "pid", json_object_new_int(r.child));
	/* The held child's own last steps before exec are not the program's. */
	json_object_object_add(req, "from_exec", json_object_new_boolean(1));
	if (start_trace(&r, &a, req) < 0) {
		abandon(&r);
		goto out;
	}
	close(release_fd);
	release_fd = -1;
	stream(&r, sfd);
	if (r.stop_sig) {
		print_summary(&r, argv[optind]);
		say_left(&r);
		ret = r.write_err ? 1 : run_exit_code(&r);
		goto out;
	}
	if (r.detached_by_other)
		fprintf(stderr, _("ipctrace: session %u was detached by `ipctrace detach`; %s (pid %d) goes on untraced, "
			"and is waited for\n"), r.session, argv[optind], r.child);
	if (r.end_reason) {
		fprintf(stderr, !strcmp(r.end_reason, "daemon_exit") ?
				_("ipctrace: ipctraced stopped while tracing; %s (pid %d) continues untraced\n") :
				_("ipctrace: lost the connection to ipctraced while tracing; %s (pid %d) continues "
				  "untraced\n"), argv[optind], r.child);
		close_timeline(&r);
		reap(&r, true);
		goto out;
	}
	reap(&r, true);
	if (r.view)
		view_end(r.view, r.status);
	print_summary(&r, argv[optind]);
	say_left(&r);
	/* A trace that could not be written is a failure, whatever the command did. */
	ret = r.write_err ? 1 : run_exit_code(&r);
out:
	if (release_fd >= 0)
		close(release_fd);
	run_free(&r);
	return ret;
}

/* attach -p and trace --all: running processes, until they exit or Ctrl-C. */
static int attach_main(int argc, char **argv, enum verb verb)
{
	struct run r = { .conn = { .fd = -1, .stop_fd = -1 }, .verb = verb };
	struct trace_args a = { .socket_path = default_socket(), .color = "auto" };
	struct json_object *req, *pids = NULL;
	int sfd, ret;

	if (parse_trace_args(&r, &a, argc, argv, &ret) < 0)
		goto out;
	ret = EXIT_USAGE;
	if (verb == ATTACH && !(pids = parse_pids(a.pids)))
		goto out;
	ret = 1;
	/* A private daemon dies with us: a background trace needs the system's. */
	if (conn_open(&r.conn, a.socket_path, !a.socket_given && !a.background) < 0)
		goto out;
	sfd = trace_signals_fd();
	req = json_object_new_object();
	if (pids)
		json_object_object_add(req, "pids", json_object_get(pids));
	else
		json_object_object_add(req, "all", json_object_new_boolean(1));
	if (start_trace(&r, &a, req) < 0)
		goto out;
	if (a.background) {
		printf("%u\n", r.session);
		fprintf(stderr, _("ipctrace: session %u is tracing in the background; see it with "
			"`ipctrace log -f session=%u`, stop it with `ipctrace detach %u`\n"),
			r.session, r.session, r.session);
		ret = 0;
		goto out;
	}
	stream(&r, sfd);
	if (r.view)
		view_end(r.view, 0);
	print_summary(&r, verb == ATTACH ? a.pids : _("everything"));
	ret = (r.end_reason && strcmp(r.end_reason, "detached")) || r.write_err ? 1 : r.lost ? EXIT_INCOMPLETE : 0;
out:
	json_object_put(pids);
	run_free(&r);
	return ret;
}

int do_attach(int argc, char **argv)
{
	return attach_main(argc, argv, ATTACH);
}

int do_trace(int argc, char **argv)
{
	return attach_main(argc, argv, TRACE_ALL);
}

static void detach_usage(FILE *f)
{
	fputs(_("Usage: ipctrace detach [OPTIONS] SESSION\n"
		"\n"
		"Stop trace session SESSION: its processes go on untraced, and its client,\n"
		"if any, is told that it was detached. `ipctrace sessions` lists the sessions.\n"
		"\n"
		"Options:\n"), f);
	help_socket(f);
	fputs(_("  -h, --help            show this help\n"), f);
}

int do_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *socket_path = default_socket();
	struct json_object *req, *reply;
	struct conn conn;
	char *end;
	long id;
	int c, ret = 1;

	while ((c = cli_getopt(argc, argv, "s:h", opts)) != -1) {
		switch (c) {
		case 's':
			socket_path = optarg;
			break;
		case 'h':
			detach_usage(stdout);
			return 0;
		default:
			usage_short(detach_usage);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (id = strtol(argv[optind], &end, 10)) <= 0 || *end) {
		fprintf(stderr, _("ipctrace detach: give one session number\n"));
		usage_short(detach_usage);
		return EXIT_USAGE;
	}
	if (conn_open(&conn, socket_path, false) < 0)
		return 1;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("detach"));
	json_object_object_add(req, "session", json_object_new_int64(id));
	reply = conn_request(&conn, req);
	json_object_put(req);
	if (reply && reply_error(reply))
		fprintf(stderr, "ipctrace: %s\n", reply_error(reply));
	else if (reply)
		ret = 0;
	json_object_put(reply);
	conn_close(&conn);
	return ret;
}
