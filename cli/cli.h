/* SPDX-License-Identifier: MIT */
/* The ipctrace command: verbs, and what they share (options, the daemon connection). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "format.h"
#include "proto.h"
#include "safetext.h"
#include "sigrec.h"

/* Exit codes of the CLI itself (a traced command's own status passes through `run`). */
#define EXIT_USAGE 2
/* The answer may miss events, and stderr said which and why (docs/protocol.md, "lost"). */
#define EXIT_INCOMPLETE 3

struct conn {
	int fd;
	int stop_fd;            /* conn_next returns -EINTR once this is readable (-1: none) */
	struct ipct_buf in;
	char *path;             /* the socket connected to (a private daemon's, if started) */
	pid_t private_pid;      /* a private ipctraced started for this command, or 0 */
	char *private_dir;
};

/* Standard output was closed when we started (it is held by /dev/null now). */
extern bool stdout_closed;

/* The daemon's socket when -s is not given: $IPCTRACE_SOCKET when set, else IPCT_SOCKET_PATH. */
const char *default_socket(void);
/* The -s line of every verb's help. */
#define SOCKET_HELP                                                                      \
	"  -s, --socket PATH     the daemon's socket (default $IPCTRACE_SOCKET if set,\n" \
	"                        else " IPCT_SOCKET_PATH ")\n"
/* The same, translated (a help text is a few translated pieces: macros do not reach xgettext). */
void help_socket(FILE *f);

/* Connects to the daemon at path; with allow_private and root, starts a private one
 * when none answers. Prints what went wrong; -errno. */
int conn_open(struct conn *c, const char *path, bool allow_private);
void conn_close(struct conn *c);
/* Sends one request and waits for its reply (events that arrive first are an error). NULL on failure, printed. */
struct json_object *conn_request(struct conn *c, struct json_object *req);
/* Waits for the next whole frame; the caller consumes it (sizeof(*h) + h->len). -errno;
 * -EINTR when stop_fd became readable first. */
int conn_next(struct conn *c, struct ipct_msg_hdr *h, const char **payload);
/* Sends one request without waiting. -errno. */
int conn_send(struct conn *c, struct json_object *req);
/*
 * A query verb's request, {"cmd": cmd, "match": [matches...]} added to req
 * (NULL: a new object; taken either way): the ok
 * reply, or NULL with the error printed and *exit_code set (2 for a bad
 * match, 1 otherwise).
 */
struct json_object *conn_query(struct conn *c, const char *cmd, char **matches, int n, struct json_object *req,
			       int *exit_code);

/* What the query verbs (signals, pipes, log) share: -o, -s, --color, -h. */
struct query_opts {
	enum ipct_output mode;
	const char *socket_path;
	const char *color;
};
#define QUERY_OPTS_INIT { IPCT_OUT_TEXT, default_socket(), "auto" }
/* "ipctrace VERB", for messages: set by main before the verb runs. */
extern const char *cli_prog;
struct option;
/*
 * getopt_long(argc, argv, optstring, longopts, NULL), its errors said in
 * the user's language (glibc says them in English: its catalogue's msgids
 * are older than its messages): '?' for any error, said on stderr.
 */
int cli_getopt(int argc, char **argv, const char *optstring, const struct option *longopts);
/* A usage error's few lines on stderr: the usage's Usage: lines and where the rest is. */
void usage_short(void (*usage)(FILE *f));
/* One of those options (more: -o's formats beyond text and json, as for parse_output): 0 taken,
 * -1 to exit with *code (help, or an error said). */
int query_option(struct query_opts *q, int c, unsigned more, void (*usage)(FILE *f), int *code);
bool query_color(const struct query_opts *q);
/* --since, --until and -n of log, signals and pipes (cli/log.c). */
struct time_range {
	int64_t since, until;   /* wall-clock ns */
	bool has_since, has_until;
	int64_t lines;          /* the last N; -1: all */
};
#define TIME_RANGE_INIT { 0, 0, false, false, -1 }
/* Their options (S, U, n): 0 taken, -errno when wrong (said), 1 when c is another. */
int range_option(struct time_range *t, int c);
/* --since after --until: said, -EINVAL. */
int check_range(const struct time_range *t);
/* Into a request: "since", "until", "limit" (docs/protocol.md). */
void add_range(const struct time_range *t, struct json_object *req);
/* The help lines of those options, translated. */
void help_range(FILE *f);
/* "2026-11-24 10:00:00", local time, for wall-clock ns. */
void local_time_str(int64_t ns, char *buf, size_t len);
/*
 * The reply's error in the user's language (its "msgid" translated and filled
 * with its "args", docs/protocol.md; else its English "error"), or NULL when it
 * says ok. Valid until the next call.
 */
const char *reply_error(struct json_object *reply);
/*
 * A "lost" notice: says on stderr how many events ipctraced dropped for this
 * client, and why. How many; 0 for another notice.
 */
int64_t notice_lost(struct json_object *n);
/* Blocks the n signals given and returns a signalfd that reads them (nonblocking). -errno. */
int signals_fd(const int *sigs, size_t n);

/* parse_output's formats beyond text and json, as a mask of these. */
#define OUT_ALLOW(mode) (1u << (mode))
/* Output format options shared by the verbs: -o text|json, and those of `more` (OUT_ALLOW
 * bits: dot where the verb draws graphs, perfetto, html, mermaid). Prints what is wrong. */
int parse_output(const char *arg, enum ipct_output *out, unsigned more);
/* The whole buffer to standard output; an error is printed. */
int write_stdout(struct ipct_buf *out);
/* --color auto|always|never: *when is arg; an error is printed. */
int parse_color(const char *arg, const char **when);
bool want_color(int fd);
/* A terminal's columns; 0 when fd is no terminal. */
int term_width(int fd);
/* s (translated text, no escapes needed) and spaces up to width columns, as a terminal shows it. */
void fput_padded(FILE *f, const char *s, int width);

/* Lifecycle records, oldest generation first, as a table (with its header) or JSON lines. */
void print_records(const struct ipct_fmt *f, struct ipct_sigrec *recs, size_t n, struct ipct_buf *out);

/* Whether a diagnosis says what is normal (severity "info", docs/diagnoses.md): no warning. */
bool diag_is_info(struct json_object *d);
/* `run --explain`: the run's diagnoses (JSON objects, in arrival order) grouped and ranked, with their evidence. */
void print_explanation(const struct ipct_fmt *f, struct json_object *diags, struct ipct_buf *out);

/* The pipe graph's objects (docs/pipes.md) as text, JSON lines or Graphviz. */
void print_graph(enum ipct_output mode, bool color, struct json_object *objects, struct ipct_buf *out);

int do_run(int argc, char **argv);
int do_pipes(int argc, char **argv);
int do_log(int argc, char **argv);
int do_attach(int argc, char **argv);
int do_trace(int argc, char **argv);
int do_detach(int argc, char **argv);
int do_signals(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_explain(int argc, char **argv);
int do_sessions(int argc, char **argv);
