// SPDX-License-Identifier: MIT
/*
 * Client connections: strict request parsing, replies, and buffered output
 * that never blocks the daemon. A client that reads too slowly loses events
 * (counted, and told so with a "lost" notice) instead of holding up the
 * ring buffer or the other clients.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "errmsg.h"
#include "i18n.h"
#include "sigrec.h"
#include "syscalls.h"

static void client_set_out(struct daemon *d, struct client *c, bool want)
{
	struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c };

	if (c->want_out == want || c->dead)
		return;
	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->want_out = want;
}

/* Whether the peer on fd has gid among its groups (SO_PEERGROUPS). */
static bool in_group(int fd, long gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (gid < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == (gid_t)gid)
			return true;
	return false;
}

/* {"ok": false, "error": msg}, and flag (when not NULL) true: what kind of error it is. */
static struct json_object *error_reply(const char *msg, const char *flag)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(r, "error", json_object_new_string(msg));
	if (flag)
		json_object_object_add(r, flag, json_object_new_boolean(1));
	return r;
}

/*
 * A connection over its user's limit gets the error as the reply to the
 * request it sends (the reply is in its socket before the hang-up, and
 * read before it), and costs the daemon nothing more.
 */
static void refuse(int fd, const char *msg)
{
	struct ipct_buf out = { 0 };
	struct json_object *r = error_reply(msg, "limit");

	if (ipct_msg_append_json(&out, r) == 0)
		ipct_buf_write_fd(&out, fd);
	ipct_buf_free(&out);
	json_object_put(r);
	close(fd);
}

int client_accept(struct daemon *d)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct epoll_event ev = { .events = EPOLLIN };
	struct ipct_uid_use *use;
	struct client *c;
	bool privileged;
	char msg[256];
	int fd;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(fd);
		return 0;
	}
	privileged = cred.uid == 0 || in_group(fd, d->group_gid);
	use = ipct_usage_get(&d->usage, cred.uid);
	if (!use) {
		close(fd);
		return -ENOMEM;
	}
	if (!privileged &&
	    ipct_limits_conn(&d->limits, use, d->usage.users_conns, d->users_max, msg, sizeof(msg)) < 0) {
		ipct_usage_put(&d->usage, use);
		refuse(fd, msg);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		ipct_usage_put(&d->usage, use);
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->privileged = privileged;
	c->use = use;
	c->queued_max = privileged ? UINT64_MAX : d->limits.queued;
	ev.data.ptr = c;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		ipct_usage_put(&d->usage, use);
		free(c);
		close(fd);
		return -errno;
	}
	use->conns++;
	if (!privileged)
		d->usage.users_conns++;
	c->next = d->clients;
	d->clients = c;
	return 0;
}

void client_account(struct client *c)
{
	size_t now = ipct_buf_len(&c->out);

	c->use->queued += now;
	c->use->queued -= c->queued;
	c->queued = now;
}

void client_queue_json(struct client *c, struct json_object *obj)
{
	if (c->dead)
		return;
	/* Replies and notices are small and rare: they are never dropped. */
	if (ipct_msg_append_json(&c->out, obj) < 0)
		c->dead = true;
	client_account(c);
}

/* Past its backlog: a stream frame is dropped (and counted). */
static inline bool backlogged(const struct client *c)
{
	return ipct_buf_len(&c->out) >= CLIENT_OUT_MAX || c->use->queued >= c->queued_max;
}

/* What client_queue_stream leaves: a buffer to grow, a send due, a frame to drop. */
static __attribute__((noinline)) bool queue_any(struct client *c, uint16_t type, const void *p, size_t len)
{
	if (c->dead)
		return true;
	if (backlogged(c) || ipct_msg_append(&c->out, type, p, len) < 0) {
		c->lost++;
		return false;
	}
	if (ipct_buf_len(&c->out) >= c->send_at + CLIENT_SEND_AT) {
		/* Never blocks: what the socket does not take waits for the loop's flush. */
		if (ipct_buf_write_fd(&c->out, c->fd) < 0)
			c->dead = true;
		c->send_at = ipct_buf_len(&c->out);
	}
	client_account(c);
	return true;
}

/*
 * Queues one stream frame unless the client is past its backlog: false (and
 * counted) when dropped. Inline, and the common case (room in the buffer, no
 * send due) with no call, so no registers to save: an event's frame, of a
 * known size, is copied in a few instructions.
 */
static inline bool client_queue_stream(struct client *c, uint16_t type, const void *p, size_t len)
{
	size_t frame = sizeof(struct ipct_msg_hdr) + len;

	if (c->dead || backlogged(c) || c->out.cap - c->out.end < frame ||
	    ipct_buf_len(&c->out) + frame >= c->send_at + CLIENT_SEND_AT)
		return queue_any(c, type, p, len);
	ipct_msg_put(&c->out, type, p, len);
	client_account(c);
	return true;
}

bool client_queue_event(struct client *c, const struct ipct_event *e)
{
	return client_queue_stream(c, IPCT_MSG_EVENT, e, sizeof(*e));
}

bool client_queue_record(struct client *c, const struct ipct_sigrec *r)
{
	return client_queue_stream(c, IPCT_MSG_SIGREC, r, sizeof(*r));
}

void client_flush(struct daemon *d, struct client *c)
{
	int r;

	if (c->dead)
		return;
	/* Tell a slow client what it lost as soon as there is room again. */
	if (c->lost && ipct_buf_len(&c->out) < CLIENT_OUT_MAX / 2) {
		struct json_object *n = json_object_new_object();

		json_object_object_add(n, "notice", json_object_new_string("lost"));
		json_object_object_add(n, "count", json_object_new_int64((int64_t)c->lost));
		client_queue_json(c, n);
		json_object_put(n);
		c->lost = 0;
	}
	r = ipct_buf_write_fd(&c->out, c->fd);
	c->send_at = ipct_buf_len(&c->out);
	client_account(c);
	if (r < 0) {
		c->dead = true;
		return;
	}
	client_set_out(d, c, ipct_buf_len(&c->out) > 0);
}

/* Sends {"ok": true, ...fields of r} and releases r. */
void reply_ok(struct client *c, struct json_object *r)
{
	json_object_object_add(r, "ok", json_object_new_boolean(1));
	client_queue_json(c, r);
	json_object_put(r);
}

static void queue_error(struct client *c, const char *msg, const char *flag)
{
	struct json_object *r = error_reply(msg, flag);

	client_queue_json(c, r);
	json_object_put(r);
}

void reply_error(struct client *c, const char *fmt, ...)
{
	struct json_object *r = json_object_new_object();
	va_list ap;

	/* In the client's language, not the daemon's: the CLI translates msgid and fills in args. */
	json_object_object_add(r, "ok", json_object_new_boolean(0));
	va_start(ap, fmt);
	ipct_errmsg_add(r, fmt, ap);
	va_end(ap);
	client_queue_json(c, r);
	json_object_put(r);
}

void reply_match_error(struct client *c, const char *cmd, const char *err)
{
	char msg[1100];

	snprintf(msg, sizeof(msg), "%s: %s", cmd, err);
	queue_error(c, msg, "bad_match");
}

/* The thread group of pid and the owner of /proc/pid: -ESRCH when it is gone. */
static int proc_identity(pid_t pid, pid_t *tgid, uid_t *uid)
{
	char path[64], line[256];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f) && found < 2) {
		unsigned a;

		if (sscanf(line, "Tgid: %u", &a) == 1) {
			*tgid = (pid_t)a;
			found++;
		} else if (sscanf(line, "Uid: %*u %u", &a) == 1) {
			*uid = (uid_t)a;        /* effective uid */
			found++;
		}
	}
	fclose(f);
	return found == 2 ? 0 : -ESRCH;
}

/* An optional boolean field of a trace request (false when absent); false after an error reply. */
static bool bool_option(struct client *c, struct json_object *req, const char *key, bool *v)
{
	struct json_object *j;

	*v = false;
	if (!json_object_object_get_ex(req, key, &j))
		return true;
	if (!json_object_is_type(j, json_type_boolean)) {
		reply_error(c, N_("%s: \"%s\" must be true or false"), json_object_get_string(
				    json_object_object_get(req, "cmd")), key);
		return false;
	}
	*v = json_object_get_boolean(j);
	return true;
}

/* Whether c may trace pid (a whole process, alive, its own unless c is root): replies when not. */
static bool traceable(struct client *c, int64_t v)
{
	pid_t pid = (pid_t)v, tgid = 0;
	uid_t owner = 0;

	if (v <= 0 || v > INT32_MAX) {
		reply_error(c, N_("trace: pid %lld is not a process id"), (long long)v);
		return false;
	}
	if (pid == getpid()) {
		reply_error(c, N_("trace: pid %d is ipctraced itself, which is never traced"), pid);
		return false;
	}
	if (proc_identity(pid, &tgid, &owner) < 0) {
		reply_error(c, N_("trace: no process with pid %d"), pid);
		return false;
	}
	if (tgid != pid) {
		reply_error(c, N_("trace: pid %d is a thread of process %d; trace %d"), pid, tgid, tgid);
		return false;
	}
	if (c->uid != 0 && owner != c->uid) {
		reply_error(c, N_("trace: permission denied: process %d belongs to uid %u; "
			    "you may trace only your own processes"), pid, owner);
		return false;
	}
	return true;
}

/*
 * {"cmd":"trace", "pid":N | "pids":[N,...] | "all":true, "from_exec", "records",
 * "pipes", "background", "count", "count_only"}: a new session.
 */
static void do_trace(struct daemon *d, struct client *c, struct json_object *req)
{
	struct json_object *jpid, *jpids, *r;
	pid_t pids[64];
	struct trace_opts o;
	struct session *s;
	char msg[256];
	size_t n = 0;
	int err;

	if (!bool_option(c, req, "from_exec", &o.from_exec) || !bool_option(c, req, "records", &o.records) ||
	    !bool_option(c, req, "pipes", &o.pipes) || !bool_option(c, req, "all", &o.all) ||
	    !bool_option(c, req, "background", &o.background) || !bool_option(c, req, "count", &o.count) ||
	    !bool_option(c, req, "count_only", &o.count_only))
		return;
	if (json_object_object_get_ex(req, "pid", &jpid)) {
		if (!json_object_is_type(jpid, json_type_int)) {
			reply_error(c, N_("trace: \"pid\" must be a process id (a positive integer)"));
			return;
		}
		if (!traceable(c, json_object_get_int64(jpid)))
			return;
		pids[n++] = (pid_t)json_object_get_int64(jpid);
	} else if (json_object_object_get_ex(req, "pids", &jpids)) {
		if (!json_object_is_type(jpids, json_type_array) || !json_object_array_length(jpids) ||
		    json_object_array_length(jpids) > 64) {
			reply_error(c, N_("trace: \"pids\" must be a list of 1 to 64 process ids"));
			return;
		}
		for (n = 0; n < json_object_array_length(jpids); n++) {
			jpid = json_object_array_get_idx(jpids, n);
			if (!json_object_is_type(jpid, json_type_int)) {
				reply_error(c, N_("trace: \"pids\" must be a list of process ids"));
				return;
			}
			if (!traceable(c, json_object_get_int64(jpid)))
				return;
			pids[n] = (pid_t)json_object_get_int64(jpid);
		}
	} else if (!o.all) {
		reply_error(c, N_("trace: say what to trace: \"pid\", \"pids\" or \"all\""));
		return;
	}
	if (o.all && (n || !c->privileged)) {
		if (n)
			reply_error(c, N_("trace: \"all\" goes without pids"));
		else
			reply_error(c, N_("trace: permission denied: tracing every process needs root or the "
					  "ipctrace group"));
		return;
	}
	if (!c->privileged &&
	    ipct_limits_session(&d->limits, c->use, sessions_uid_procs(d, c->uid), msg, sizeof(msg)) < 0) {
		queue_error(c, msg, "limit");
		return;
	}
	err = session_start(d, c, pids, n, &o, &s);
	if (err == -EEXIST) {
		if (o.all)
			reply_error(c, N_("trace: every process is already being traced"));
		else
			reply_error(c, N_("trace: a process given is already being traced"));
		return;
	}
	if (err < 0) {
		errno = -err;
		reply_error(c, N_("trace: failed to start tracing: %m"));
		return;
	}
	r = json_object_new_object();
	json_object_object_add(r, "session", json_object_new_int64(s->id));
	json_object_object_add(r, "start_ns", json_object_new_int64((int64_t)s->start_ns));
	json_object_object_add(r, "realtime_offset_ns", json_object_new_int64(s->realtime_off));
	reply_ok(c, r);
	/* After the reply, as the session's first events: what the attached processes' streams are. */
	for (size_t i = 0; !o.from_exec && i < n; i++)
		pipes_stdio(d, pids[i], s->id);
}

static void do_detach(struct daemon *d, struct client *c, struct json_object *req)
{
	struct json_object *jid, *r;
	struct session *s;
	bool outlived;
	int64_t id;

	if (!json_object_object_get_ex(req, "session", &jid) || !json_object_is_type(jid, json_type_int)) {
		reply_error(c, N_("detach: \"session\" must be a session id (an integer)"));
		return;
	}
	if (!bool_option(c, req, "outlived", &outlived))
		return;
	id = json_object_get_int64(jid);
	s = id > 0 && id <= UINT32_MAX ? session_find(d, (uint32_t)id) : NULL;
	/* One that is ending or detaching has ended as far as a detach goes: its notice is on the way. */
	if (!s || session_stopped(s)) {
		reply_error(c, N_("detach: no session %lld"), (long long)id);
		return;
	}
	if (c->uid != 0 && s->uid != c->uid) {
		reply_error(c, N_("detach: permission denied: session %lld belongs to uid %u"),
			    (long long)id, s->uid);
		return;
	}
	/* "outlived": only if processes are left (`run` whose command has exited); else it ends as usual. */
	if (outlived && tracer_session_procs(d->tracer, s->id) == 0) {
		r = json_object_new_object();
		json_object_object_add(r, "detached", json_object_new_boolean(0));
		reply_ok(c, r);
		return;
	}
	/* Its owner hears of it first (the notice), then the requester gets the reply: once its records are read. */
	session_detach(d, s, c);
}

/* Each uid's use of the daemon, lowest uid first; a client held to the limits sees its own only. */
static struct json_object *users_json(struct daemon *d, struct client *c)
{
	struct json_object *a = json_object_new_array();
	int64_t last = -1;

	for (;;) {
		struct ipct_uid_use *next = NULL;
		struct json_object *u;

		for (struct ipct_uid_use *e = d->usage.head; e; e = e->next)
			if ((int64_t)e->uid > last && (!next || e->uid < next->uid) &&
			    (c->privileged || e->uid == c->uid))
				next = e;
		if (!next)
			return a;
		last = next->uid;
		u = json_object_new_object();
		json_object_object_add(u, "uid", json_object_new_int64(next->uid));
		json_object_object_add(u, "connections", json_object_new_int64(next->conns));
		json_object_object_add(u, "sessions", json_object_new_int64(next->sessions));
		json_object_object_add(u, "traced_processes", json_object_new_int64((int64_t)sessions_uid_procs(d, next->uid)));
		json_object_object_add(u, "queued_bytes", json_object_new_int64((int64_t)next->queued));
		json_object_array_add(a, u);
	}
}

struct json_object *stats_json(struct daemon *d, struct client *c)
{
	struct json_object *r = json_object_new_object();
	struct tracer_counters cnt = { 0 };
	struct json_object *losses = json_object_new_array(), *sym;
	struct ipct_syms_stats sst;
	int nclients = 0, nsessions = 0;
	int64_t traced = 0, backlog = 0;

	(void)c;

	for (struct client *x = d->clients; x; x = x->next) {
		nclients++;
		backlog += (int64_t)ipct_buf_len(&x->out);
	}
	for (struct session *s = d->sessions; s; s = s->next) {
		nsessions++;
		traced += tracer_session_procs(d->tracer, s->id);
	}
	tracer_counters(d->tracer, &cnt);
	json_object_object_add(r, "users", users_json(d, c));
	json_object_object_add(r, "accept_pauses", json_object_new_int64((int64_t)d->accept_pauses));
	json_object_object_add(r, "events", json_object_new_int64((int64_t)d->events));
	json_object_object_add(r, "lost", json_object_new_int64((int64_t)cnt.ring_full));
	json_object_object_add(r, "untraced_children", json_object_new_int64((int64_t)cnt.traced_full));
	/* Calls of threads the kernel could give no task storage: not recorded. */
	json_object_object_add(r, "lost_calls", json_object_new_int64((int64_t)cnt.inflight_full));
	/* Reads that could not be watched for a reader that never sees EOF: the kernel's map was full. */
	/* Always 0: the survey reads the sleepers from the tasks, no map to fill (docs/protocol.md). */
	json_object_object_add(r, "unwatched_reads", json_object_new_int64(0));
	/* Calls left out of sessions' pipe graphs: a session had the most objects it may. */
	json_object_object_add(r, "untracked_calls", json_object_new_int64((int64_t)ipct_graph_untracked(d->graph, 0)));
	json_object_object_add(r, "clients", json_object_new_int(nclients));
	json_object_object_add(r, "backlog_bytes", json_object_new_int64(backlog));
	json_object_object_add(r, "sessions", json_object_new_int(nsessions));
	json_object_object_add(r, "attached", json_object_new_boolean(tracer_attached(d->tracer)));
	json_object_object_add(r, "bpf_reads", json_object_new_string(tracer_typed_reads(d->tracer) ? "typed" : "core"));
	json_object_object_add(r, "traced_processes", json_object_new_int64(traced));
	json_object_object_add(r, "traced_filter", json_object_new_int64((int64_t)tracer_filter_count(d->tracer)));
	json_object_object_add(r, "by_type", ipct_counts_json(&d->counts));
	ipct_syms_stats(d->syms, &sst);
	sym = json_object_new_object();
	json_object_object_add(sym, "files", json_object_new_int64((int64_t)sst.files));
	json_object_object_add(sym, "loads", json_object_new_int64((int64_t)sst.loads));
	json_object_object_add(sym, "evicted", json_object_new_int64((int64_t)sst.evicted));
	json_object_object_add(sym, "refused", json_object_new_int64((int64_t)sst.refused));
	json_object_object_add(sym, "changed", json_object_new_int64((int64_t)sst.changed));
	json_object_object_add(sym, "unnamed", json_object_new_int64((int64_t)d->records.unnamed));
	json_object_object_add(r, "symbols", sym);
	json_object_object_add(r, "losses", losses);
	for (size_t i = d->nlosses > 16 ? d->nlosses - 16 : 0; i < d->nlosses; i++) {
		struct json_object *l = json_object_new_object();

		json_object_object_add(l, "time_ns", json_object_new_int64(d->losses[i % 16].time_ns));
		json_object_object_add(l, "count", json_object_new_int64((int64_t)d->losses[i % 16].count));
		json_object_array_add(losses, l);
	}
	if (d->journal) {
		struct ipct_journal_stats js;
		struct json_object *j = json_object_new_object();

		ipct_journal_stats(d->journal, &js);
		json_object_object_add(j, "bytes", json_object_new_int64((int64_t)js.bytes));
		json_object_object_add(j, "records", json_object_new_int64((int64_t)js.records));
		json_object_object_add(j, "segments", json_object_new_int(js.segments));
		json_object_object_add(j, "first_ns", js.first_ns ? json_object_new_int64(js.first_ns) : NULL);
		json_object_object_add(j, "last_ns", js.last_ns ? json_object_new_int64(js.last_ns) : NULL);
		json_object_object_add(j, "write_errors", json_object_new_int64((int64_t)d->journal_errors));
		json_object_object_add(j, "repaired_bytes", json_object_new_int64((int64_t)d->repair.bytes_cut));
		json_object_object_add(j, "skipped_segments", json_object_new_int(js.skipped_segments));
		json_object_object_add(j, "skipped_bytes", json_object_new_int64((int64_t)js.skipped_bytes));
		json_object_object_add(j, "bad_blocks", json_object_new_int64((int64_t)js.bad_blocks));
		json_object_object_add(j, "bad_bytes", json_object_new_int64((int64_t)js.bad_bytes));
		json_object_object_add(j, "sync_errors", json_object_new_int64((int64_t)js.sync_errors));
		json_object_object_add(r, "journal", j);
	} else {
		json_object_object_add(r, "journal", NULL);
	}
	return r;
}

static void do_stats(struct daemon *d, struct client *c, struct json_object *req)
{
	(void)req;
	reply_ok(c, stats_json(d, c));
}

int match_terms(struct client *c, struct json_object *req, const char *cmd, const char *terms[MATCH_TERMS_MAX])
{
	struct json_object *jm = NULL;
	size_t n;

	if (json_object_object_get_ex(req, "match", &jm) &&
	    (!json_object_is_type(jm, json_type_array) || json_object_array_length(jm) > MATCH_TERMS_MAX)) {
		reply_error(c, N_("%s: \"match\" must be a list of at most 64 \"FIELD=VALUE\" strings"), cmd);
		return -1;
	}
	n = jm ? json_object_array_length(jm) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(jm, i);

		if (!json_object_is_type(t, json_type_string)) {
			reply_error(c, N_("%s: \"match\" must be a list of \"FIELD=VALUE\" strings"), cmd);
			return -1;
		}
		terms[i] = json_object_get_string(t);
	}
	return (int)n;
}

/* The "match" list parsed against fields: NULL after an error reply (which names the bad term). */
static struct ipct_match *parse_match(struct client *c, struct json_object *req, const char *cmd,
				      const struct ipct_match_field *fields)
{
	const char *terms[MATCH_TERMS_MAX];
	struct ipct_match *m;
	char err[1024];
	int n = match_terms(c, req, cmd, terms);

	if (n < 0)
		return NULL;
	m = ipct_match_parse(fields, terms, n, err, sizeof(err));
	if (!m)
		reply_match_error(c, cmd, err);
	return m;
}

/*
 * {"cmd":"signals","match":["sig=SIGUSR1",...]}: the reply says how many
 * records follow ("count"), then come that many SIGREC frames, oldest
 * first. A client that is not root sees only its own sessions' records.
 */
static void do_signals(struct daemon *d, struct client *c, struct json_object *req)
{
	struct ipct_match *m = parse_match(c, req, "signals", ipct_sigrec_fields);
	struct json_object *r;

	if (!m)
		return;
	r = json_object_new_object();
	json_object_object_add(r, "count", json_object_new_int64((int64_t)records_query(d, c, m, false)));
	json_object_object_add(r, "realtime_offset_ns", json_object_new_int64(realtime_offset_ns()));
	reply_ok(c, r);
	records_query(d, c, m, true);
	ipct_match_free(m);
}

/* {"cmd":"pipes","match":[...]}: {"ok":true,"objects":[...]}, the graphs' objects that match. */
static void do_pipes(struct daemon *d, struct client *c, struct json_object *req)
{
	struct ipct_match *m = parse_match(c, req, "pipes", ipct_graph_fields);
	struct json_object *r;

	if (!m)
		return;
	r = json_object_new_object();
	json_object_object_add(r, "objects", pipes_query(d, c, m));
	reply_ok(c, r);
	ipct_match_free(m);
}

/* {"cmd":"sessions"}: {"ok":true,"sessions":[...]}, those the client may see. */
static void do_sessions(struct daemon *d, struct client *c, struct json_object *req)
{
	struct json_object *r = json_object_new_object();

	(void)req;
	json_object_object_add(r, "sessions", sessions_list(d, c));
	reply_ok(c, r);
}

static const struct {
	const char *name;
	void (*fn)(struct daemon *d, struct client *c, struct json_object *req);
} commands[] = {
	{ "trace", do_trace },
	{ "detach", do_detach },
	{ "stats", do_stats },
	{ "signals", do_signals },
	{ "pipes", do_pipes },
	{ "log", do_log },
	{ "explain", do_explain },
	{ "sessions", do_sessions },
};

static void handle_request(struct daemon *d, struct client *c, const char *p, size_t len)
{
	struct json_object *req = ipct_json_parse(p, len), *jcmd;
	const char *cmd;

	if (!req) {
		reply_error(c, N_("malformed request: expected one JSON object"));
		return;
	}
	if (!json_object_object_get_ex(req, "cmd", &jcmd) || !json_object_is_type(jcmd, json_type_string)) {
		reply_error(c, N_("malformed request: \"cmd\" must be a string"));
		goto out;
	}
	cmd = json_object_get_string(jcmd);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(cmd, commands[i].name)) {
			commands[i].fn(d, c, req);
			goto out;
		}
	}
	reply_error(c, N_("unknown command \"%.64s\"; valid commands: trace, detach, stats, signals, pipes, log, explain, sessions"), cmd);
out:
	json_object_put(req);
}

void client_on_input(struct daemon *d, struct client *c)
{
	struct ipct_msg_hdr h;
	const char *payload;
	ssize_t n;
	int r;

	n = ipct_buf_read_fd(&c->in, c->fd);
	if (n == 0 || (n < 0 && n != -EAGAIN)) {
		c->dead = true;
		return;
	}
	/* Requests without reading the replies would grow the backlog without bound. */
	if (ipct_buf_len(&c->out) >= CLIENT_OUT_MAX) {
		c->dead = true;
		return;
	}
	while ((r = ipct_msg_peek(&c->in, IPCT_MAX_REQUEST, &h, &payload)) > 0) {
		if (h.type != IPCT_MSG_JSON)
			reply_error(c, N_("malformed request: clients send JSON frames only"));
		else
			handle_request(d, c, payload, h.len);
		ipct_buf_consume(&c->in, sizeof(h) + h.len);
	}
	if (r < 0) {
		/* A frame we cannot skip: answer, then hang up once the answer is out. */
		if (r == -EMSGSIZE)
			reply_error(c, N_("malformed request: frame larger than 64 KiB"));
		else
			reply_error(c, N_("malformed request: bad frame header"));
		ipct_buf_write_all(&c->out, c->fd);
		client_account(c);
		c->dead = true;
	}
}

void clients_reap(struct daemon *d)
{
	struct client **pp = &d->clients;

	while (*pp) {
		struct client *c = *pp;

		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		sessions_drop_client(d, c);
		log_free(d, c->logq);
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		ipct_buf_free(&c->in);
		ipct_buf_free(&c->out);
		client_account(c);
		c->use->conns--;
		if (!c->privileged)
			d->usage.users_conns--;
		ipct_usage_put(&d->usage, c->use);
		free(c);
	}
}
