// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/graph.c: synthetic event sequences fed in ring order
 * (the BPF side's records, x[] laid out per syscall class), then the
 * session's objects as JSON, field by field, against docs/pipes.md, and
 * the diagnoses the graph hands to its callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <arpa/inet.h>

#include "check.h"
#include "graph.h"
#include "replay.h"

#define MAX_DIAGS 16

/* What the diagnosis callback collected, in order. */
struct diags {
	int n;
	uint32_t session[MAX_DIAGS];
	struct json_object *d[MAX_DIAGS];
};

static void collect(uint32_t session, struct json_object *diag, void *data)
{
	struct diags *c = data;

	check_diag_parts(diag);
	if (c->n < MAX_DIAGS) {
		c->session[c->n] = session;
		c->d[c->n] = json_object_get(diag);
	}
	c->n++;
}

static struct json_object *diag(const struct diags *c, int i)
{
	return i >= 0 && i < c->n && i < MAX_DIAGS ? c->d[i] : NULL;
}

static void diags_free(struct diags *c)
{
	for (int i = 0; i < c->n && i < MAX_DIAGS; i++)
		json_object_put(c->d[i]);
	memset(c, 0, sizeof(*c));
}

static struct ipct_graph *graph_new(struct diags *c, int64_t realtime_off)
{
	struct ipct_graph *g;

	memset(c, 0, sizeof(*c));
	g = ipct_graph_new(realtime_off, collect, c);
	if (!g) {
		fprintf(stderr, "ipct_graph_new failed\n");
		exit(EXIT_FAILURE);
	}
	return g;
}

static void feed(struct ipct_graph *g, struct ipct_event e)
{
	struct ipct_evctx cx = ipct_evctx(&e);

	ipct_graph_event(g, &cx);
}

/* ---- events ---- */

/* clone(CLONE_FILES): the child shares the parent's descriptor table. */
static struct ipct_event clone_files_ev(uint32_t pid, const char *comm, uint32_t child, uint64_t ts)
{
	struct ipct_event e = fork_ev(pid, comm, child, ts);

	e.flags |= IPCT_F_SHARED_FILES;
	return e;
}

/* unshare(flags) = ret */
static struct ipct_event unshare_ev(uint32_t pid, uint64_t flags, int64_t ret, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_unshare, ret, ts);

	e.sys.args[0] = flags;
	return e;
}

/* socket(family, type) = fd */
static struct ipct_event socket_ev(uint32_t pid, int family, int type, int fd, uint64_t ino, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_socket, fd, ts);

	e.sys.args[0] = (uint64_t)family;
	e.sys.args[1] = (uint64_t)type;
	e.sys.x[0] = ino;
	e.sys.x[1] = O_RDWR | FMODE(FM_READ | FM_WRITE);
	e.kind[0] = IPCT_KIND_SOCKET;
	return e;
}

/* dup2(oldfd, newfd) or dup3(oldfd, newfd, flags): oldfd is the pipe end ino with f_mode mode. */
static struct ipct_event dup2_ev(uint32_t pid, int nr, int oldfd, int newfd, uint64_t flags, uint64_t ino,
				 uint64_t mode, uint64_t ts)
{
	struct ipct_event e = sys(pid, nr, newfd, ts);

	e.sys.args[0] = (uint64_t)oldfd;
	e.sys.args[1] = (uint64_t)newfd;
	e.sys.args[2] = flags;
	e.sys.x[0] = ino;
	e.sys.x[1] = FMODE(mode);
	e.kind[0] = IPCT_KIND_PIPE;
	return e;
}

/* fcntl(fd, cmd, arg) = ret on an end of ino. */
static struct ipct_event fcntl_ev(uint32_t pid, int fd, int cmd, uint64_t arg, int64_t ret, uint64_t ino,
				  uint64_t mode, uint64_t ts)
{
	struct ipct_event e = io_ev(pid, __NR_fcntl, fd, IPCT_KIND_PIPE, ino, mode, ret, ts);

	e.sys.args[1] = (uint64_t)cmd;
	e.sys.args[2] = arg;
	return e;
}

/* ioctl(fd, req) = ret on an end of ino (only FIOCLEX and FIONCLEX are recorded). */
static struct ipct_event ioctl_ev(uint32_t pid, int fd, unsigned long req, int64_t ret, uint64_t ino,
				  uint64_t mode, uint64_t ts)
{
	struct ipct_event e = io_ev(pid, __NR_ioctl, fd, IPCT_KIND_PIPE, ino, mode, ret, ts);

	e.sys.args[1] = req;
	e.sys.args[2] = 0;
	return e;
}

/* close_range(first, last, flags) = ret */
static struct ipct_event close_range_ev(uint32_t pid, unsigned int first, unsigned int last,
					 unsigned int flags, int64_t ret, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_close_range, ret, ts);

	e.sys.args[0] = first;
	e.sys.args[1] = last;
	e.sys.args[2] = flags;
	return e;
}

/* An FD_RECEIVED record: fd, an end of ino with f_mode mode, arrived through the socket via_fd. */
static struct ipct_event received_ev(uint32_t pid, int fd, uint64_t ino, uint64_t mode, int via_fd, uint64_t ts)
{
	struct ipct_event e = ev(IPCT_EV_FD_RECEIVED, pid, "received", ts);

	e.nr = __NR_recvmsg;
	e.kind[0] = IPCT_KIND_PIPE;
	e.fdrecv.ino = ino;
	e.fdrecv.flags = FMODE(mode);
	e.fdrecv.fd = fd;
	e.fdrecv.via_fd = via_fd;
	return e;
}

/* pidfd_getfd(pidfd, targetfd, 0) = newfd: a close-on-exec copy of source's targetfd, an end of ino. */
static struct ipct_event getfd_ev(uint32_t pid, int pidfd, uint32_t source, int targetfd, int newfd,
				  uint64_t ino, uint64_t mode, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_pidfd_getfd, newfd, ts);

	e.sys.args[0] = (uint64_t)pidfd;
	e.sys.args[1] = (uint64_t)targetfd;
	e.sys.x[0] = ino;
	e.sys.x[1] = FMODE(mode) | IPCT_FD_CLOEXEC;
	e.sys.x[2] = source;
	e.kind[0] = IPCT_KIND_PIPE;
	return e;
}

/* splice(in, NULL, out, NULL, len, 0) = ret, or tee(in, out, len, 0) = ret: pipe to pipe. */
static struct ipct_event pipe_pair_ev(uint32_t pid, int nr, int in, uint64_t in_ino, int out,
				      uint64_t out_ino, int64_t ret, uint64_t ts)
{
	struct ipct_event e = sys(pid, nr, ret, ts);

	e.sys.args[0] = (uint64_t)in;
	e.sys.args[nr == __NR_splice ? 2 : 1] = (uint64_t)out;
	e.sys.args[nr == __NR_splice ? 4 : 2] = 65536;
	e.sys.x[0] = in_ino;
	e.sys.x[1] = FMODE(FM_READ);
	e.sys.x[2] = out_ino;
	e.sys.x[3] = FMODE(FM_WRITE) | O_WRONLY;
	e.kind[0] = e.kind[1] = IPCT_KIND_PIPE;
	return e;
}

/* ---- JSON ---- */

/* The fields every object has (docs/pipes.md, "Objects"), null where they do not apply. */
static const char *const object_fields[] = {
	"type", "session", "object", "kind", "inode", "path", "family", "socket_type", "local", "remote",
	"peer", "peer_holders", "created_ns", "writers", "readers", "holders", "bytes_written",
	"bytes_read", "writes", "reads", "eof_reads", "epipe_writes", "eagain", "warnings", NULL,
};

#define CHECK_NULL(o, key)                                                                         \
	do {                                                                                       \
		if (!jnull(o, key)) {                                                              \
			fprintf(stderr, "%s:%d: %s: field '%s' is %s, want null\n", __FILE__,      \
				__LINE__, #o, key, has(o, key) ? json_object_to_json_string(       \
					get(o, key)) : "missing");                                 \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

/* The fields of each list's entries. */
static const struct {
	const char *list;
	const char *fields[7];
} entry_fields[] = {
	{ "writers", { "pid", "comm", "fd", "bytes", "calls", "closed_ns", NULL } },
	{ "readers", { "pid", "comm", "fd", "bytes", "calls", "closed_ns", NULL } },
	{ "holders", { "pid", "comm", "fd", "closed_ns", NULL } },
	{ "peer_holders", { "pid", "comm", "fd", NULL } },
};

/* Every documented field in every object of the array; every list entry complete. */
static void check_fields(struct json_object *arr)
{
	CHECK(arr && json_object_is_type(arr, json_type_array));
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		const char *name = jstr(o, "object");

		for (const char *const *f = object_fields; *f; f++)
			if (!has(o, *f)) {
				fprintf(stderr, "%s: %s lacks field '%s'\n", __func__, name, *f);
				check_failures++;
			}
		CHECK_STR(jstr(o, "type"), "ipc_object");
		CHECK(json_object_is_type(get(o, "writers"), json_type_array));
		CHECK(json_object_is_type(get(o, "readers"), json_type_array));
		CHECK(json_object_is_type(get(o, "warnings"), json_type_array));
		for (size_t l = 0; l < sizeof(entry_fields) / sizeof(entry_fields[0]); l++) {
			struct json_object *list = get(o, entry_fields[l].list);

			for (size_t k = 0; list && k < json_object_array_length(list); k++) {
				struct json_object *h = json_object_array_get_idx(list, k);

				for (const char *const *f = entry_fields[l].fields; *f; f++)
					if (!has(h, *f)) {
						fprintf(stderr, "%s: an entry of %s of %s lacks '%s'\n",
							__func__, entry_fields[l].list, name, *f);
						check_failures++;
					}
			}
		}
	}
}

/* The session's objects, checked for completeness; the caller puts it. */
static struct json_object *session_json(struct ipct_graph *g, uint32_t session)
{
	struct json_object *arr = ipct_graph_session_json(g, session);

	check_fields(arr);
	return arr;
}

/* The object with that inode in arr, or NULL (which fails every field check). */
static struct json_object *object(struct json_object *arr, uint64_t ino)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		if (jint(o, "inode") == (long long)ino)
			return o;
	}
	fprintf(stderr, "no object with inode %llu\n", (unsigned long long)ino);
	return NULL;
}

/* The entry (pid, fd) of a holder list of o, or NULL. */
static struct json_object *entry(struct json_object *o, const char *list, uint32_t pid, int fd)
{
	struct json_object *arr = get(o, list);

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *h = json_object_array_get_idx(arr, i);

		if (jint(h, "pid") == pid && jint(h, "fd") == fd)
			return h;
	}
	return NULL;
}

/* Entry (pid, fd) of list: present, with that comm, bytes and calls, closed at closed (0: still open). */
#define CHECK_ENTRY(o, list, pid, fd, comm, bytes, calls, closed)                                  \
	do {                                                                                       \
		struct json_object *h_ = entry(o, list, pid, fd);                                  \
		if (!h_) {                                                                         \
			fprintf(stderr, "%s:%d: no %s entry pid %d fd %d in %s\n", __FILE__,       \
				__LINE__, list, (int)(pid), (int)(fd),                             \
				json_object_to_json_string(o));                                    \
			check_failures++;                                                          \
			break;                                                                     \
		}                                                                                  \
		CHECK_STR(jstr(h_, "comm"), comm);                                                 \
		CHECK_INT(jint(h_, "bytes"), bytes);                                               \
		CHECK_INT(jint(h_, "calls"), calls);                                               \
		if (closed)                                                                        \
			CHECK_INT(jint(h_, "closed_ns"), closed);                                  \
		else                                                                               \
			CHECK_NULL(h_, "closed_ns");                                               \
	} while (0)

static bool contains(const char *s, const char *part)
{
	if (s && strstr(s, part))
		return true;
	fprintf(stderr, "'%s' does not contain '%s'\n", s ? s : "(null)", part);
	return false;
}

/* The warnings of o contain one that contains part. */
static bool warned(struct json_object *o, const char *part)
{
	struct json_object *w = get(o, "warnings");

	for (size_t i = 0; w && i < json_object_array_length(w); i++)
		if (strstr(json_object_get_string(json_object_array_get_idx(w, i)), part))
			return true;
	return false;
}

/* ---- tests ---- */

/*
 * sh: seq | wc. The shell makes the pipe, forks both sides; each dup2s
 * its end onto 0 or 1, closes the pipe's fds and execs; the shell closes
 * its copies. seq writes, wc reads to EOF.
 */
static void test_pipeline(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	const uint64_t ino = 5001;
	struct json_object *arr, *o;

	feed(g, exec_ev(100, "sh", 1000));
	feed(g, pipe_ev(100, 3, 4, ino, false, false, 1100));
	feed(g, fork_ev(100, "sh", 101, 1200));
	feed(g, fork_ev(100, "sh", 102, 1300));
	/* seq's side */
	feed(g, dup2_ev(101, __NR_dup2, 4, 1, 0, ino, FM_WRITE, 1400));
	feed(g, close_ev(101, 3, IPCT_KIND_PIPE, ino, 1410));
	feed(g, close_ev(101, 4, IPCT_KIND_PIPE, ino, 1420));
	feed(g, exec_ev(101, "seq", 1500));
	/* wc's side */
	feed(g, dup2_ev(102, __NR_dup2, 3, 0, 0, ino, FM_READ, 1450));
	feed(g, close_ev(102, 3, IPCT_KIND_PIPE, ino, 1460));
	feed(g, close_ev(102, 4, IPCT_KIND_PIPE, ino, 1470));
	feed(g, exec_ev(102, "wc", 1550));
	/* the shell lets go */
	feed(g, close_ev(100, 3, IPCT_KIND_PIPE, ino, 1600));
	feed(g, close_ev(100, 4, IPCT_KIND_PIPE, ino, 1610));

	feed(g, pipe_write(101, 1, ino, 100, 2000));
	feed(g, pipe_read(102, 0, ino, 100, 2010));
	feed(g, pipe_write(101, 1, ino, 200, 2100));
	feed(g, pipe_write(101, 1, ino, 300, 2200));
	feed(g, pipe_read(102, 0, ino, 500, 2210));
	feed(g, exit_ev(101, 3000));
	feed(g, pipe_read(102, 0, ino, 0, 3100));       /* EOF */
	feed(g, exit_ev(102, 3200));
	feed(g, exit_ev(100, 3300));

	/* Nothing was wrong: the only write end exec'd was on fd 1. */
	CHECK_INT(c.n, 0);

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 1);
	o = object(arr, ino);
	CHECK_STR(jstr(o, "type"), "ipc_object");
	CHECK_INT(jint(o, "session"), SESSION);
	CHECK_STR(jstr(o, "object"), "pipe:[5001]");
	CHECK_STR(jstr(o, "kind"), "pipe");
	CHECK_INT(jint(o, "inode"), ino);
	CHECK_INT(jint(o, "created_ns"), 1100);
	CHECK_NULL(o, "path");
	CHECK_NULL(o, "family");
	CHECK_NULL(o, "socket_type");
	CHECK_NULL(o, "local");
	CHECK_NULL(o, "remote");
	CHECK_NULL(o, "peer");
	CHECK_NULL(o, "peer_holders");
	CHECK_NULL(o, "holders");

	/* Every copy of the write end: the shell's, the children's before exec, seq's stdout. */
	CHECK_INT(jlen(o, "writers"), 4);
	CHECK_ENTRY(o, "writers", 100, 4, "sh", 0, 0, 1610);
	CHECK_ENTRY(o, "writers", 101, 4, "sh", 0, 0, 1420);
	CHECK_ENTRY(o, "writers", 102, 4, "sh", 0, 0, 1470);
	CHECK_ENTRY(o, "writers", 101, 1, "seq", 600, 3, 3000);
	CHECK_INT(jlen(o, "readers"), 4);
	CHECK_ENTRY(o, "readers", 100, 3, "sh", 0, 0, 1600);
	CHECK_ENTRY(o, "readers", 101, 3, "sh", 0, 0, 1410);
	CHECK_ENTRY(o, "readers", 102, 3, "sh", 0, 0, 1460);
	/* Three successful reads, the last one at EOF. */
	CHECK_ENTRY(o, "readers", 102, 0, "wc", 600, 3, 3200);
	CHECK(!entry(o, "readers", 101, 1));
	CHECK(!entry(o, "writers", 102, 0));

	CHECK_INT(jint(o, "bytes_written"), 600);
	CHECK_INT(jint(o, "bytes_read"), 600);
	CHECK_INT(jint(o, "bytes_written"), jint(o, "bytes_read"));
	CHECK_INT(jint(o, "writes"), 3);
	CHECK_INT(jint(o, "reads"), 3);
	CHECK_INT(jint(o, "eof_reads"), 1);
	CHECK_INT(jint(o, "epipe_writes"), 0);
	CHECK_INT(jint(o, "eagain"), 0);
	CHECK_INT(jlen(o, "warnings"), 0);
	/* Everyone has exited: no copy is open. */
	for (int l = 0; l < 2; l++) {
		struct json_object *list = get(o, l ? "readers" : "writers");

		for (size_t i = 0; list && i < json_object_array_length(list); i++)
			CHECK(jint(json_object_array_get_idx(list, i), "closed_ns") != LLONG_MIN);
	}
	json_object_put(arr);
	ipct_graph_free(g);
}

struct held {
	int n;
	int fd[8];
	unsigned mode[8];
	uint64_t ino[8], made[8];
};

static void held_one(int fd, const struct ipct_graph_obj *obj, unsigned mode, uint64_t made_ns, void *ctx)
{
	struct held *h = ctx;

	if (h->n < 8) {
		h->fd[h->n] = fd;
		h->mode[h->n] = mode;
		h->ino[h->n] = obj->ino;
		h->made[h->n++] = made_ns;
	}
}

/* The descriptor at fd among what ipct_graph_proc_fds gave: its index, or -1. */
static int held_at(const struct held *h, int fd)
{
	for (int i = 0; i < h->n; i++)
		if (h->fd[i] == fd)
			return i;
	return -1;
}

/*
 * A process's table as the view's state lines read it: both ends after
 * pipe(), the same in a forked child with the times pipe() made them, the
 * dup2 copy with its own time, and nothing of a process the graph does not know.
 */
static void test_proc_fds(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	const uint64_t ino = 5101;
	struct held h = { 0 };
	int i;

	feed(g, exec_ev(100, "sh", 1000));
	feed(g, pipe_ev(100, 3, 4, ino, false, false, 1100));
	feed(g, fork_ev(100, "sh", 101, 1200));
	CHECK(ipct_graph_proc_fds(g, 101, held_one, &h));
	CHECK_INT(h.n, 2);
	CHECK((i = held_at(&h, 3)) >= 0 && h.mode[i] == 1 && h.ino[i] == ino && h.made[i] == 1100);
	CHECK((i = held_at(&h, 4)) >= 0 && h.mode[i] == 2 && h.ino[i] == ino && h.made[i] == 1100);
	feed(g, dup2_ev(101, __NR_dup2, 4, 1, 0, ino, FM_WRITE, 1400));
	feed(g, close_ev(101, 3, IPCT_KIND_PIPE, ino, 1410));
	feed(g, exec_ev(101, "ls", 1500));
	h.n = 0;
	CHECK(ipct_graph_proc_fds(g, 101, held_one, &h));
	CHECK_INT(h.n, 2);
	CHECK((i = held_at(&h, 1)) >= 0 && h.mode[i] == 2 && h.made[i] == 1400);
	/* Made before the exec at 1500: what the view calls leaked. */
	CHECK((i = held_at(&h, 4)) >= 0 && h.mode[i] == 2 && h.made[i] == 1100);
	CHECK(!ipct_graph_proc_fds(g, 999, held_one, &h));
	diags_free(&c);
	ipct_graph_free(g);
}

/* Diagnosis i says that fd, an end of object, leaked into an exec. */
static void check_leak(const struct diags *c, int i, int fd, const char *object)
{
	struct json_object *d = diag(c, i);

	CHECK_STR(jstr(d, "kind"), "leaked_write_end");
	CHECK_INT(jint(d, "fd"), fd);
	CHECK_STR(jstr(d, "object"), object);
}

/*
 * exec drops close-on-exec descriptors, and only those; dup2, dup3 and
 * fcntl set and copy the flag as the kernel does.
 */
static void test_cloexec(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o;

	feed(g, exec_ev(200, "prog", 1000));
	/* pipe2(O_CLOEXEC): both ends */
	feed(g, pipe_ev(200, 3, 4, 6001, true, true, 1100));
	/* dup2 makes a copy without FD_CLOEXEC */
	feed(g, dup2_ev(200, __NR_dup2, 3, 9, 0, 6001, FM_READ, 1150));
	/* a plain pipe; its read end made close-on-exec with F_SETFD */
	feed(g, pipe_ev(200, 5, 6, 6002, false, false, 1200));
	feed(g, fcntl_ev(200, 5, F_SETFD, FD_CLOEXEC, 0, 6002, FM_READ, 1300));
	/* F_DUPFD: a plain copy on the lowest free fd >= 10 */
	feed(g, fcntl_ev(200, 6, F_DUPFD, 10, 10, 6002, FM_WRITE, 1310));
	/* dup3(O_CLOEXEC) and F_DUPFD_CLOEXEC: close-on-exec copies */
	feed(g, dup2_ev(200, __NR_dup3, 6, 7, O_CLOEXEC, 6002, FM_WRITE, 1320));
	feed(g, fcntl_ev(200, 6, F_DUPFD_CLOEXEC, 0, 8, 6002, FM_WRITE, 1330));
	feed(g, close_ev(200, 6, IPCT_KIND_PIPE, 6002, 1340));
	/* a close-on-exec pipe whose read end has the flag cleared again */
	feed(g, pipe_ev(200, 11, 12, 6003, true, true, 1400));
	feed(g, fcntl_ev(200, 11, F_SETFD, 0, 0, 6003, FM_READ, 1410));
	/* a failed F_SETFD changes nothing */
	feed(g, fcntl_ev(200, 12, F_SETFD, 0, -EINVAL, 6003, FM_WRITE, 1420));
	CHECK_INT(c.n, 0);

	feed(g, exec_ev(200, "next", 2000));
	/* fd 10 is a write end of a pipe made in the trace, above 2 and not close-on-exec: a leak. */
	CHECK_INT(c.n, 1);
	check_leak(&c, 0, 10, "pipe:[6002]");
	/* The copy left open is written through, under the new name. */
	feed(g, pipe_write(200, 10, 6002, 7, 2100));

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 3);
	o = object(arr, 6001);
	CHECK_ENTRY(o, "readers", 200, 3, "prog", 0, 0, 2000);
	CHECK_ENTRY(o, "writers", 200, 4, "prog", 0, 0, 2000);
	CHECK_ENTRY(o, "readers", 200, 9, "next", 0, 0, 0);
	o = object(arr, 6002);
	CHECK_ENTRY(o, "readers", 200, 5, "prog", 0, 0, 2000);
	CHECK_ENTRY(o, "writers", 200, 6, "prog", 0, 0, 1340);
	CHECK_ENTRY(o, "writers", 200, 7, "prog", 0, 0, 2000);
	CHECK_ENTRY(o, "writers", 200, 8, "prog", 0, 0, 2000);
	CHECK_ENTRY(o, "writers", 200, 10, "next", 7, 1, 0);
	CHECK_INT(jlen(o, "writers"), 4);
	CHECK_INT(jlen(o, "readers"), 1);
	o = object(arr, 6003);
	CHECK_ENTRY(o, "readers", 200, 11, "next", 0, 0, 0);
	CHECK_ENTRY(o, "writers", 200, 12, "prog", 0, 0, 2000);
	json_object_put(arr);

	/* Its exit closes what is left. */
	feed(g, exit_ev(200, 3000));
	arr = session_json(g, SESSION);
	CHECK_ENTRY(object(arr, 6001), "readers", 200, 9, "next", 0, 0, 3000);
	CHECK_ENTRY(object(arr, 6002), "writers", 200, 10, "next", 7, 1, 3000);
	CHECK_ENTRY(object(arr, 6003), "readers", 200, 11, "next", 0, 0, 3000);
	json_object_put(arr);
	diags_free(&c);
	ipct_graph_free(g);
}

/*
 * close_range closes a range of descriptors, or with CLOSE_RANGE_CLOEXEC
 * marks them close-on-exec; FIOCLEX and FIONCLEX set and clear the flag.
 * What exec then drops, and what is left to diagnose, follows.
 */
static void test_close_range(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o;

	feed(g, exec_ev(250, "prog", 1000));
	feed(g, pipe_ev(250, 3, 4, 6101, false, false, 1100));
	feed(g, pipe_ev(250, 5, 6, 6102, false, false, 1110));
	feed(g, pipe_ev(250, 7, 8, 6103, true, true, 1120));
	feed(g, pipe_ev(250, 9, 10, 6104, false, false, 1130));
	/* 3..5 closed; a failed call changes nothing. */
	feed(g, close_range_ev(250, 3, 5, 0, 0, 1200));
	feed(g, close_range_ev(250, 6, ~0U, 0, -EINVAL, 1210));
	/* 6 and up made close-on-exec, then 8's flag cleared, and 10's set again. */
	feed(g, close_range_ev(250, 6, ~0U, CLOSE_RANGE_CLOEXEC, 0, 1300));
	feed(g, ioctl_ev(250, 8, FIONCLEX, 0, 6103, FM_WRITE, 1310));
	feed(g, ioctl_ev(250, 10, FIONCLEX, 0, 6104, FM_WRITE, 1320));
	feed(g, ioctl_ev(250, 10, FIOCLEX, 0, 6104, FM_WRITE, 1330));
	CHECK_INT(c.n, 0);

	feed(g, exec_ev(250, "next", 2000));
	/* The one write end left open: 8. */
	CHECK_INT(c.n, 1);
	check_leak(&c, 0, 8, "pipe:[6103]");
	arr = session_json(g, SESSION);
	o = object(arr, 6101);
	CHECK_ENTRY(o, "readers", 250, 3, "prog", 0, 0, 1200);
	CHECK_ENTRY(o, "writers", 250, 4, "prog", 0, 0, 1200);
	o = object(arr, 6102);
	CHECK_ENTRY(o, "readers", 250, 5, "prog", 0, 0, 1200);
	CHECK_ENTRY(o, "writers", 250, 6, "prog", 0, 0, 2000);
	o = object(arr, 6103);
	CHECK_ENTRY(o, "readers", 250, 7, "prog", 0, 0, 2000);
	CHECK_ENTRY(o, "writers", 250, 8, "next", 0, 0, 0);
	o = object(arr, 6104);
	CHECK_ENTRY(o, "readers", 250, 9, "prog", 0, 0, 2000);
	CHECK_ENTRY(o, "writers", 250, 10, "prog", 0, 0, 2000);
	json_object_put(arr);

	/* A descriptor the table does not know yet is learnt from the ioctl's object. */
	feed(g, ioctl_ev(250, 12, FIONCLEX, 0, 6105, FM_WRITE, 2100));
	feed(g, exec_ev(250, "last", 3000));
	/* Diagnosed at this exec: 8 again, and 12. */
	CHECK_INT(c.n, 3);
	CHECK_INT(jint(diag(&c, 1), "fd") + jint(diag(&c, 2), "fd"), 8 + 12);
	CHECK(jint(diag(&c, 1), "fd") == 12 || jint(diag(&c, 2), "fd") == 12);
	diags_free(&c);
	ipct_graph_free(g);
}

/*
 * Processes that share one descriptor table (clone with CLONE_FILES): a
 * change by one is a change for all, until exec, unshare(CLONE_FILES),
 * close_range(CLOSE_RANGE_UNSHARE) or exit makes a table its own.
 */
static void test_shared_table(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o;

	feed(g, exec_ev(270, "prog", 1000));
	feed(g, pipe_ev(270, 3, 4, 6201, false, false, 1100));
	feed(g, clone_files_ev(270, "prog", 271, 1200));
	feed(g, clone_files_ev(270, "prog", 272, 1210));
	/* 271 closes the write end for all three, and makes a pipe that all three hold. */
	feed(g, close_ev(271, 4, IPCT_KIND_PIPE, 6201, 1300));
	feed(g, pipe_ev(271, 4, 5, 6202, false, false, 1310));
	/* 272 takes a table of its own, and closes the read end in it only. */
	feed(g, unshare_ev(272, CLONE_FILES, 0, 1320));
	feed(g, close_ev(272, 3, IPCT_KIND_PIPE, 6201, 1340));
	/* A failed unshare changes nothing: 271's close_range marks 5 close-on-exec for 270 too. */
	feed(g, unshare_ev(271, CLONE_FILES, -ENOMEM, 1350));
	feed(g, close_range_ev(271, 5, 5, CLOSE_RANGE_CLOEXEC, 0, 1360));
	CHECK_INT(c.n, 0);

	/* 272 execs with 6202's write end open in its own table: a leak. */
	feed(g, exec_ev(272, "other", 1400));
	CHECK_INT(c.n, 1);
	check_leak(&c, 0, 5, "pipe:[6202]");
	CHECK_INT(jint(diag(&c, 0), "pid"), 272);
	/* 271 leaves with close_range(CLOSE_RANGE_UNSHARE): it closes its own copy only. */
	feed(g, close_range_ev(271, 0, ~0U, CLOSE_RANGE_UNSHARE, 0, 1500));
	/* 270 execs: 6201's write end was closed by 271 for it, 6202's made close-on-exec. */
	feed(g, exec_ev(270, "next", 1600));
	CHECK_INT(c.n, 1);
	feed(g, exit_ev(271, 1700));
	feed(g, exit_ev(270, 1800));

	arr = session_json(g, SESSION);
	o = object(arr, 6201);
	CHECK_ENTRY(o, "writers", 270, 4, "prog", 0, 0, 1300);
	CHECK_ENTRY(o, "writers", 271, 4, "prog", 0, 0, 1300);
	CHECK_ENTRY(o, "writers", 272, 4, "prog", 0, 0, 1300);
	CHECK_ENTRY(o, "readers", 270, 3, "next", 0, 0, 1800);
	CHECK_ENTRY(o, "readers", 271, 3, "prog", 0, 0, 1500);
	CHECK_ENTRY(o, "readers", 272, 3, "prog", 0, 0, 1340);
	o = object(arr, 6202);
	CHECK_ENTRY(o, "writers", 270, 5, "prog", 0, 0, 1600);
	CHECK_ENTRY(o, "writers", 271, 5, "prog", 0, 0, 1500);
	CHECK_ENTRY(o, "writers", 272, 5, "other", 0, 0, 0);
	CHECK_ENTRY(o, "readers", 270, 4, "next", 0, 0, 1800);
	CHECK_ENTRY(o, "readers", 271, 4, "prog", 0, 0, 1500);
	CHECK_ENTRY(o, "readers", 272, 4, "other", 0, 0, 0);
	CHECK_INT(jlen(o, "writers"), 3);
	json_object_put(arr);
	diags_free(&c);
	ipct_graph_free(g);
}

/* A child exec'd with the write end of its parent's pipe on fd 4. */
static void test_leaked_write_end(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *d, *h, *arr, *o;

	feed(g, exec_ev(300, "make", 1000));
	feed(g, pipe_ev(300, 3, 4, 7001, false, false, 1100));
	feed(g, fork_ev(300, "make", 301, 1200));
	feed(g, close_ev(301, 3, IPCT_KIND_PIPE, 7001, 1250));
	CHECK_INT(c.n, 0);
	feed(g, exec_ev(301, "cc", 1300));
	CHECK_INT(c.n, 1);
	CHECK_INT(c.session[0], SESSION);
	d = diag(&c, 0);
	CHECK_STR(jstr(d, "type"), "diagnosis");
	CHECK_STR(jstr(d, "kind"), "leaked_write_end");
	CHECK_INT(jint(d, "session"), SESSION);
	CHECK_INT(jint(d, "time_ns"), 1300);
	CHECK_STR(jstr(d, "object"), "pipe:[7001]");
	CHECK_INT(jint(d, "pid"), 301);
	CHECK_STR(jstr(d, "comm"), "cc");
	CHECK_INT(jint(d, "fd"), 4);
	/* Every holder of the write end: the parent's copy and the child's. */
	CHECK_INT(jlen(d, "holders"), 2);
	h = entry(d, "holders", 300, 4);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "make");
	h = entry(d, "holders", 301, 4);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "cc");
	CHECK(contains(jstr(d, "message"), "cc[301]"));
	CHECK(contains(jstr(d, "message"), "pipe:[7001]"));
	CHECK(contains(jstr(d, "message"), "fd 4"));
	/* The object keeps it as a warning. */
	arr = session_json(g, SESSION);
	o = object(arr, 7001);
	CHECK_INT(jlen(o, "warnings"), 1);
	CHECK(warned(o, "cc[301]"));
	json_object_put(arr);

	/*
	 * A write end from before the trace (the launcher's, seeded from
	 * /proc): someone else's doing, not diagnosed.
	 */
	ipct_graph_seed(g, 310, SESSION, "launcher", 5, IPCT_KIND_PIPE, 7002, 2, false);
	ipct_graph_seed(g, 310, SESSION, "launcher", 6, IPCT_KIND_PIPE, 7002, 1, true);
	feed(g, exec_ev(310, "prog", 2000));
	CHECK_INT(c.n, 1);
	arr = session_json(g, SESSION);
	o = object(arr, 7002);
	CHECK_STR(jstr(o, "kind"), "pipe");
	CHECK_NULL(o, "created_ns");
	CHECK_ENTRY(o, "writers", 310, 5, "prog", 0, 0, 0);
	CHECK_ENTRY(o, "readers", 310, 6, "launcher", 0, 0, 2000);
	CHECK_INT(jlen(o, "warnings"), 0);
	json_object_put(arr);

	/* A read end left open, and a write end on fd 2, are no leak. */
	feed(g, exec_ev(320, "sh", 3000));
	feed(g, pipe_ev(320, 3, 4, 7003, false, false, 3100));
	feed(g, fork_ev(320, "sh", 321, 3200));
	feed(g, dup2_ev(321, __NR_dup2, 4, 2, 0, 7003, FM_WRITE, 3300));
	feed(g, close_ev(321, 4, IPCT_KIND_PIPE, 7003, 3310));
	feed(g, exec_ev(321, "tool", 3400));
	CHECK_INT(c.n, 1);
	diags_free(&c);
	ipct_graph_free(g);
}

/*
 * Descriptors that arrive from another table: SCM_RIGHTS (FD_RECEIVED
 * records after a recvmsg) and pidfd_getfd. The receiver holds them, and a
 * reader that got the write end too is told it will never see EOF.
 */
static void test_received(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *d, *arr, *o;
	const uint64_t since = 5 * SEC, now = since + 3 * SEC / 2;

	feed(g, exec_ev(450, "sender", 1000));
	feed(g, fork_ev(450, "sender", 451, 1050));
	feed(g, pipe_ev(450, 5, 6, 8101, false, false, 1100));
	feed(g, received_ev(451, 3, 8101, FM_READ, 4, 1200));
	feed(g, received_ev(451, 7, 8101, FM_WRITE, 4, 1200));
	feed(g, close_ev(450, 5, IPCT_KIND_PIPE, 8101, 1300));
	feed(g, close_ev(450, 6, IPCT_KIND_PIPE, 8101, 1310));
	ipct_graph_blocked(g, 451, 3, __NR_read, since, now);
	CHECK_INT(c.n, 1);
	d = diag(&c, 0);
	CHECK_STR(jstr(d, "kind"), "no_eof");
	CHECK_INT(jint(d, "pid"), 451);
	CHECK_INT(jint(d, "fd"), 3);
	CHECK_INT(jlen(d, "holders"), 1);
	CHECK(entry(d, "holders", 451, 7) != NULL);
	CHECK(contains(jstr(d, "message"), "will never see EOF"));

	/* Taken with pidfd_getfd: close-on-exec, so an exec drops it and nothing leaks. */
	feed(g, exec_ev(460, "taker", 2000));
	feed(g, getfd_ev(460, 3, 450, 6, 4, 8102, FM_WRITE, 2100));
	feed(g, exec_ev(460, "next", 2200));
	CHECK_INT(c.n, 1);
	/* A call that failed gives nothing. */
	feed(g, getfd_ev(460, 3, 450, 9, -EBADF, 0, 0, 2300));

	arr = session_json(g, SESSION);
	o = object(arr, 8101);
	CHECK_ENTRY(o, "readers", 451, 3, "sender", 0, 0, 0);
	CHECK_ENTRY(o, "writers", 451, 7, "sender", 0, 0, 0);
	CHECK_ENTRY(o, "writers", 450, 6, "sender", 0, 0, 1310);
	o = object(arr, 8102);
	CHECK_ENTRY(o, "writers", 460, 4, "taker", 0, 0, 2200);
	CHECK_INT(jlen(o, "writers"), 1);
	CHECK_INT(json_object_array_length(arr), 2);
	json_object_put(arr);
	diags_free(&c);
	ipct_graph_free(g);
}

/* A reader blocked on a pipe while write ends are open: its own (the forgotten close), or another's. */
static void test_no_eof(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *d, *h, *arr, *o;
	const uint64_t since = 5 * SEC, now = since + 3 * SEC / 2;

	feed(g, exec_ev(400, "reader", 1000));
	feed(g, pipe_ev(400, 3, 4, 8001, false, false, 1100));
	ipct_graph_blocked(g, 400, 3, __NR_read, since, now);
	CHECK_INT(c.n, 1);
	CHECK_INT(c.session[0], SESSION);
	d = diag(&c, 0);
	CHECK_STR(jstr(d, "type"), "diagnosis");
	CHECK_STR(jstr(d, "kind"), "no_eof");
	CHECK_INT(jint(d, "session"), SESSION);
	CHECK_INT(jint(d, "time_ns"), now);
	CHECK_STR(jstr(d, "object"), "pipe:[8001]");
	CHECK_INT(jint(d, "pid"), 400);
	CHECK_STR(jstr(d, "comm"), "reader");
	CHECK_INT(jint(d, "fd"), 3);
	CHECK_INT(jlen(d, "holders"), 1);
	h = entry(d, "holders", 400, 4);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "reader");
	CHECK(contains(jstr(d, "message"), "reader[400]"));
	CHECK(contains(jstr(d, "message"), "1.5 s"));
	CHECK(contains(jstr(d, "message"), "pipe:[8001]"));
	CHECK(contains(jstr(d, "message"), "(itself)"));
	/* Said once. */
	ipct_graph_blocked(g, 400, 3, __NR_read, since, now + SEC);
	CHECK_INT(c.n, 1);
	arr = session_json(g, SESSION);
	o = object(arr, 8001);
	CHECK_INT(jlen(o, "warnings"), 1);
	CHECK(warned(o, "(itself)"));
	json_object_put(arr);

	/* Blocked on the write end, on a socket, or on an fd it does not know: nothing. */
	ipct_graph_blocked(g, 400, 4, __NR_read, since, now);
	feed(g, socketpair_ev(400, SOCK_STREAM, 5, 6, 8101, 8102, 1200));
	ipct_graph_blocked(g, 400, 5, __NR_read, since, now);
	ipct_graph_blocked(g, 400, 42, __NR_read, since, now);
	ipct_graph_blocked(g, 4242, 3, __NR_read, since, now);
	CHECK_INT(c.n, 1);

	/*
	 * Two more pipes, then a fork: the child keeps both write ends, the
	 * reader closes its own. The child lets go of the second one.
	 */
	feed(g, pipe_ev(400, 7, 8, 8002, false, false, 1300));
	feed(g, pipe_ev(400, 9, 10, 8003, false, false, 1310));
	feed(g, fork_ev(400, "reader", 401, 1400));
	feed(g, close_ev(400, 8, IPCT_KIND_PIPE, 8002, 1410));
	feed(g, close_ev(400, 10, IPCT_KIND_PIPE, 8003, 1420));
	feed(g, close_ev(401, 7, IPCT_KIND_PIPE, 8002, 1430));
	feed(g, close_ev(401, 9, IPCT_KIND_PIPE, 8003, 1440));
	feed(g, close_ev(401, 10, IPCT_KIND_PIPE, 8003, 1450));
	/* Every write end of 8003 is closed: the reader will see EOF. */
	ipct_graph_blocked(g, 400, 9, __NR_read, since, now);
	CHECK_INT(c.n, 1);
	/* 8002's write end is open in the child only. */
	ipct_graph_blocked(g, 400, 7, __NR_readv, since, since + 2 * SEC);
	CHECK_INT(c.n, 2);
	d = diag(&c, 1);
	CHECK_STR(jstr(d, "kind"), "no_eof");
	CHECK_STR(jstr(d, "object"), "pipe:[8002]");
	CHECK_INT(jint(d, "pid"), 400);
	CHECK_INT(jint(d, "fd"), 7);
	CHECK_INT(jlen(d, "holders"), 1);
	h = entry(d, "holders", 401, 8);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "reader");
	CHECK(contains(jstr(d, "message"), "reader[401] fd 8"));
	CHECK(contains(jstr(d, "message"), "readv"));
	CHECK(!strstr(jstr(d, "message") ?: "", "(itself)"));
	diags_free(&c);
	ipct_graph_free(g);
}

/*
 * A reader that read, then closed (head in `yes | head`): the writer's EPIPE
 * is how a pipeline stops it, said as an info that warns of nothing.
 */
static void test_write_after_reading(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o, *d;

	feed(g, exec_ev(500, "writer", 1000));
	feed(g, pipe_ev(500, 3, 4, 9001, false, false, 1100));
	feed(g, pipe_write(500, 4, 9001, 10, 1150));
	feed(g, pipe_read(500, 3, 9001, 6, 1155));
	feed(g, close_ev(500, 3, IPCT_KIND_PIPE, 9001, 1160));
	feed(g, pipe_write(500, 4, 9001, -EPIPE, 1200));
	CHECK_INT(c.n, 1);
	d = diag(&c, 0);
	CHECK_STR(jstr(d, "kind"), "write_after_close");
	CHECK_STR(jstr(d, "severity"), "info");
	CHECK(contains(jstr(d, "message"), "after its readers had read 6 bytes"));
	CHECK(contains(jstr(d, "message"), "how a pipeline stops a writer"));
	arr = session_json(g, SESSION);
	o = object(arr, 9001);
	CHECK_INT(jint(o, "epipe_writes"), 1);
	CHECK(!warned(o, "EPIPE"));
	json_object_put(arr);
	diags_free(&c);
	ipct_graph_free(g);
}

/* Writes to a pipe nobody reads any more; non-blocking ends; vectored and multi-message calls. */
static void test_write_errors(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o, *d;

	feed(g, exec_ev(500, "writer", 1000));
	feed(g, pipe_ev(500, 3, 4, 9001, false, false, 1100));
	feed(g, pipe_write(500, 4, 9001, 10, 1150));
	feed(g, close_ev(500, 3, IPCT_KIND_PIPE, 9001, 1160));
	feed(g, pipe_write(500, 4, 9001, -EPIPE, 1200));
	CHECK_INT(c.n, 1);
	d = diag(&c, 0);
	CHECK_STR(jstr(d, "type"), "diagnosis");
	CHECK_STR(jstr(d, "kind"), "write_after_close");
	CHECK_INT(jint(d, "session"), SESSION);
	CHECK_INT(jint(d, "time_ns"), 1200);
	CHECK_STR(jstr(d, "object"), "pipe:[9001]");
	CHECK_INT(jint(d, "pid"), 500);
	CHECK_STR(jstr(d, "comm"), "writer");
	CHECK_INT(jint(d, "fd"), 4);
	CHECK(contains(jstr(d, "message"), "EPIPE"));
	/* Its reader closed without reading: a warning. */
	CHECK(jstr(d, "severity") == NULL);
	arr = session_json(g, SESSION);
	o = object(arr, 9001);
	CHECK_INT(jint(o, "epipe_writes"), 1);
	CHECK_INT(jint(o, "writes"), 1);
	CHECK_INT(jint(o, "bytes_written"), 10);
	CHECK(warned(o, "EPIPE"));
	json_object_put(arr);
	/* The same writer again: counted, not said again. */
	feed(g, pipe_write(500, 4, 9001, -EPIPE, 1300));
	CHECK_INT(c.n, 1);
	arr = session_json(g, SESSION);
	o = object(arr, 9001);
	CHECK_INT(jint(o, "epipe_writes"), 2);
	CHECK_INT(jint(o, "writes"), 1);
	CHECK_ENTRY(o, "writers", 500, 4, "writer", 10, 1, 0);
	CHECK_INT(jlen(o, "warnings"), 1);
	json_object_put(arr);

	/* Non-blocking ends: EAGAIN either way, no data call. */
	feed(g, pipe_ev(500, 5, 6, 9002, false, false, 1400));
	feed(g, pipe_read(500, 5, 9002, -EAGAIN, 1410));
	feed(g, pipe_write(500, 6, 9002, -EAGAIN, 1420));
	feed(g, io_ev(500, __NR_writev, 6, IPCT_KIND_PIPE, 9002, FM_WRITE, -EAGAIN, 1430));
	/* Other failures are none of these. */
	feed(g, pipe_read(500, 5, 9002, -EINTR, 1440));
	/* readv/writev count like read/write. */
	feed(g, io_ev(500, __NR_writev, 6, IPCT_KIND_PIPE, 9002, FM_WRITE, 64, 1450));
	feed(g, io_ev(500, __NR_readv, 5, IPCT_KIND_PIPE, 9002, FM_READ, 64, 1460));
	arr = session_json(g, SESSION);
	o = object(arr, 9002);
	CHECK_INT(jint(o, "eagain"), 3);
	CHECK_INT(jint(o, "writes"), 1);
	CHECK_INT(jint(o, "reads"), 1);
	CHECK_INT(jint(o, "bytes_written"), 64);
	CHECK_INT(jint(o, "bytes_read"), 64);
	CHECK_INT(jint(o, "epipe_writes"), 0);
	CHECK_INT(jint(o, "eof_reads"), 0);
	CHECK_ENTRY(o, "writers", 500, 6, "writer", 64, 1, 0);
	CHECK_ENTRY(o, "readers", 500, 5, "writer", 64, 1, 0);
	json_object_put(arr);

	/* sendmmsg/recvmmsg return messages: the calls count, no bytes. */
	feed(g, socketpair_ev(500, SOCK_DGRAM, 7, 8, 9101, 9102, 1500));
	feed(g, io_ev(500, __NR_sendmmsg, 7, IPCT_KIND_SOCKET, 9101, FM_READ | FM_WRITE, 3, 1510));
	feed(g, io_ev(500, __NR_recvmmsg, 8, IPCT_KIND_SOCKET, 9102, FM_READ | FM_WRITE, 3, 1520));
	feed(g, io_ev(500, __NR_sendmsg, 7, IPCT_KIND_SOCKET, 9101, FM_READ | FM_WRITE, 12, 1530));
	arr = session_json(g, SESSION);
	o = object(arr, 9101);
	CHECK_INT(jint(o, "writes"), 2);
	CHECK_INT(jint(o, "bytes_written"), 12);
	CHECK_INT(jint(o, "reads"), 0);
	CHECK_STR(jstr(o, "socket_type"), "SOCK_DGRAM");
	CHECK_ENTRY(o, "writers", 500, 7, "writer", 12, 2, 0);
	CHECK_INT(jlen(o, "readers"), 0);
	o = object(arr, 9102);
	CHECK_INT(jint(o, "reads"), 1);
	CHECK_INT(jint(o, "bytes_read"), 0);
	CHECK_INT(jint(o, "eof_reads"), 0);     /* 3 messages, not an end of file */
	CHECK_ENTRY(o, "readers", 500, 8, "writer", 0, 1, 0);
	CHECK_INT(jlen(o, "writers"), 0);
	json_object_put(arr);

	/*
	 * EPIPE from a socket (peer gone, or our own shutdown(SHUT_WR); with
	 * MSG_NOSIGNAL no SIGPIPE): counted, but write_after_close is about
	 * pipes (docs/pipes.md: "every reader had closed the pipe", object
	 * "pipe:[N]").
	 */
	feed(g, io_ev(500, __NR_sendto, 7, IPCT_KIND_SOCKET, 9101, FM_READ | FM_WRITE, -EPIPE, 1600));
	arr = session_json(g, SESSION);
	CHECK_INT(jint(object(arr, 9101), "epipe_writes"), 1);
	json_object_put(arr);
	CHECK_INT(c.n, 1);
	diags_free(&c);
	ipct_graph_free(g);
}

/* splice, tee and vmsplice move data as the kernel says. */
static void test_splice(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o;

	feed(g, exec_ev(550, "mover", 1000));
	feed(g, pipe_ev(550, 3, 4, 9201, false, false, 1100));
	feed(g, pipe_ev(550, 5, 6, 9202, false, false, 1110));
	feed(g, pipe_write(550, 4, 9201, 100, 1200));
	/* splice(3 -> 6): read from the first pipe, written to the second */
	feed(g, pipe_pair_ev(550, __NR_splice, 3, 9201, 6, 9202, 60, 1300));
	arr = session_json(g, SESSION);
	o = object(arr, 9201);
	CHECK_INT(jint(o, "bytes_written"), 100);
	CHECK_INT(jint(o, "bytes_read"), 60);
	CHECK_ENTRY(o, "readers", 550, 3, "mover", 60, 1, 0);
	o = object(arr, 9202);
	CHECK_INT(jint(o, "bytes_written"), 60);
	CHECK_INT(jint(o, "bytes_read"), 0);
	CHECK_ENTRY(o, "writers", 550, 6, "mover", 60, 1, 0);
	json_object_put(arr);

	/*
	 * tee(3 -> 6) duplicates the 40 bytes left without consuming them
	 * (tee(2)): they are still in the first pipe for the next read.
	 */
	feed(g, pipe_pair_ev(550, __NR_tee, 3, 9201, 6, 9202, 40, 1400));
	feed(g, pipe_read(550, 3, 9201, 40, 1410));
	arr = session_json(g, SESSION);
	o = object(arr, 9201);
	CHECK_INT(jint(o, "bytes_read"), 100);
	CHECK_INT(jint(o, "bytes_read"), jint(o, "bytes_written"));
	o = object(arr, 9202);
	CHECK_INT(jint(o, "bytes_written"), 100);
	json_object_put(arr);

	/*
	 * vmsplice on a write end maps user memory into the pipe; on a read
	 * end it copies out of the pipe (fs/splice.c, vmsplice_to_user).
	 */
	feed(g, io_ev(550, __NR_vmsplice, 6, IPCT_KIND_PIPE, 9202, FM_WRITE, 8, 1500));
	feed(g, io_ev(550, __NR_vmsplice, 5, IPCT_KIND_PIPE, 9202, FM_READ, 30, 1510));
	arr = session_json(g, SESSION);
	o = object(arr, 9202);
	CHECK_INT(jint(o, "bytes_written"), 108);
	CHECK_INT(jint(o, "bytes_read"), 30);
	CHECK_ENTRY(o, "readers", 550, 5, "mover", 30, 1, 0);
	json_object_put(arr);
	CHECK_INT(c.n, 0);
	ipct_graph_free(g);
}

/* socketpair, a fork that splits it: each end's peer and who holds it; who sent and received. */
static void test_socketpair(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o, *h;

	feed(g, exec_ev(600, "parent", 1000));
	feed(g, socketpair_ev(600, SOCK_STREAM, 3, 4, 10001, 10002, 1100));
	feed(g, fork_ev(600, "parent", 601, 1200));
	feed(g, close_ev(600, 4, IPCT_KIND_SOCKET, 10002, 1210));
	feed(g, close_ev(601, 3, IPCT_KIND_SOCKET, 10001, 1220));
	feed(g, exec_ev(601, "child", 1300));
	/* A socket on fd 4 across exec is no pipe write end. */
	CHECK_INT(c.n, 0);
	feed(g, io_ev(600, __NR_sendto, 3, IPCT_KIND_SOCKET, 10001, FM_READ | FM_WRITE, 10, 1400));
	feed(g, io_ev(601, __NR_recvfrom, 4, IPCT_KIND_SOCKET, 10002, FM_READ | FM_WRITE, 10, 1410));
	feed(g, io_ev(601, __NR_sendto, 4, IPCT_KIND_SOCKET, 10002, FM_READ | FM_WRITE, 5, 1420));
	feed(g, io_ev(600, __NR_recvfrom, 3, IPCT_KIND_SOCKET, 10001, FM_READ | FM_WRITE, 5, 1430));
	feed(g, io_ev(600, __NR_recvfrom, 3, IPCT_KIND_SOCKET, 10001, FM_READ | FM_WRITE, 0, 1440));

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 2);
	/* Oldest first; created together, in fd order. */
	CHECK_INT(jint(json_object_array_get_idx(arr, 0), "inode"), 10001);
	for (int i = 0; i < 2; i++) {
		uint64_t ino = i ? 10002 : 10001;

		o = object(arr, ino);
		CHECK_STR(jstr(o, "object"), i ? "socket:[10002]" : "socket:[10001]");
		CHECK_STR(jstr(o, "kind"), "socket");
		CHECK_STR(jstr(o, "family"), "AF_UNIX");
		CHECK_STR(jstr(o, "socket_type"), "SOCK_STREAM");
		CHECK_STR(jstr(o, "peer"), i ? "socket:[10001]" : "socket:[10002]");
		CHECK_INT(jint(o, "created_ns"), 1100);
		/* Unbound, unconnected by address. */
		CHECK_NULL(o, "path");
		CHECK_NULL(o, "local");
		CHECK_NULL(o, "remote");
	}
	o = object(arr, 10001);
	/* The peer (10002) is the child's. */
	h = entry(o, "peer_holders", 601, 4);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "child");
	CHECK_INT(jlen(o, "holders"), 2);
	h = entry(o, "holders", 600, 3);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "parent");
	CHECK_NULL(h, "closed_ns");
	h = entry(o, "holders", 601, 3);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "parent");
	CHECK_INT(jint(h, "closed_ns"), 1220);
	/* writers: the holders that sent; readers: that received. */
	CHECK_INT(jlen(o, "writers"), 1);
	CHECK_ENTRY(o, "writers", 600, 3, "parent", 10, 1, 0);
	CHECK_INT(jlen(o, "readers"), 1);
	CHECK_ENTRY(o, "readers", 600, 3, "parent", 5, 2, 0);
	CHECK_INT(jint(o, "bytes_written"), 10);
	CHECK_INT(jint(o, "bytes_read"), 5);
	CHECK_INT(jint(o, "writes"), 1);
	CHECK_INT(jint(o, "reads"), 2);
	CHECK_INT(jint(o, "eof_reads"), 1);
	o = object(arr, 10002);
	h = entry(o, "peer_holders", 600, 3);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "parent");
	CHECK_INT(jlen(o, "holders"), 2);
	CHECK(entry(o, "holders", 600, 4) != NULL);
	CHECK(entry(o, "holders", 601, 4) != NULL);
	CHECK_INT(jlen(o, "writers"), 1);
	CHECK_ENTRY(o, "writers", 601, 4, "child", 5, 1, 0);
	CHECK_INT(jlen(o, "readers"), 1);
	CHECK_ENTRY(o, "readers", 601, 4, "child", 10, 1, 0);
	CHECK_INT(jint(o, "bytes_written"), 5);
	CHECK_INT(jint(o, "bytes_read"), 10);
	CHECK_INT(jint(o, "eof_reads"), 0);
	json_object_put(arr);
	ipct_graph_free(g);
}

/* A TCP socket's OBJINFO: its addresses, as "A.B.C.D:PORT". */
static struct ipct_event tcp_ev(int nr, int fd, uint64_t ino, const char *local, int lport, const char *remote,
				int rport, uint64_t ts)
{
	struct ipct_event e = objinfo_ev(700, nr, fd, ino, AF_INET, SOCK_STREAM, ts);

	inet_pton(AF_INET, local, e.obj.laddr);
	inet_pton(AF_INET, remote, e.obj.raddr);
	e.obj.lport = (uint16_t)lport;
	e.obj.rport = (uint16_t)rport;
	return e;
}

/*
 * TCP connections both of whose ends are traced: the connecting and the
 * accepted socket are peers, whichever comes first; a connection to
 * elsewhere has none; an address record (where a call went) changes
 * nothing in the graph.
 */
static void test_tcp_peers(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr;
	struct ipct_event e;

	feed(g, exec_ev(700, "srv", 1000));
	for (int i = 0; i < 5; i++)
		feed(g, socket_ev(700, AF_INET, SOCK_STREAM, 3 + i, 12001 + i, 1100 + i));
	/* connect, then accept */
	e = tcp_ev(__NR_connect, 3, 12001, "127.0.0.1", 9000, "127.0.0.1", 80, 1200);
	e.flags = IPCT_F_ADDRESS;
	e.obj.lport = 0;
	e.obj.rport = 81;
	feed(g, e);
	feed(g, tcp_ev(__NR_connect, 3, 12001, "127.0.0.1", 5001, "127.0.0.1", 80, 1201));
	feed(g, tcp_ev(__NR_accept4, 4, 12002, "127.0.0.1", 80, "127.0.0.1", 5001, 1210));
	/* accept, then connect */
	feed(g, tcp_ev(__NR_accept4, 5, 12003, "127.0.0.1", 80, "127.0.0.1", 5002, 1300));
	feed(g, tcp_ev(__NR_connect, 6, 12004, "127.0.0.1", 5002, "127.0.0.1", 80, 1310));
	/* elsewhere */
	feed(g, tcp_ev(__NR_connect, 7, 12005, "10.0.0.1", 5003, "192.0.2.1", 80, 1400));

	arr = session_json(g, SESSION);
	CHECK_STR(jstr(object(arr, 12001), "remote"), "127.0.0.1:80");
	CHECK_STR(jstr(object(arr, 12001), "peer"), "socket:[12002]");
	CHECK_STR(jstr(object(arr, 12002), "peer"), "socket:[12001]");
	CHECK(entry(object(arr, 12002), "peer_holders", 700, 3) != NULL);
	CHECK_STR(jstr(object(arr, 12003), "peer"), "socket:[12004]");
	CHECK_STR(jstr(object(arr, 12004), "peer"), "socket:[12003]");
	CHECK_NULL(object(arr, 12005), "peer");
	json_object_put(arr);
	ipct_graph_free(g);
	diags_free(&c);
}

/* What OBJINFO records teach: addresses, paths, peers; a FIFO's path. */
static void test_objinfo(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o, *h;
	struct ipct_event e;

	feed(g, exec_ev(700, "srv", 1000));
	/* TCP over loopback */
	feed(g, socket_ev(700, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 3, 11001, 1100));
	e = objinfo_ev(700, __NR_connect, 3, 11001, AF_INET, SOCK_STREAM, 1110);
	inet_pton(AF_INET, "127.0.0.1", e.obj.laddr);
	inet_pton(AF_INET, "127.0.0.1", e.obj.raddr);
	e.obj.lport = 5000;
	e.obj.rport = 40000;
	feed(g, e);
	/* AF_UNIX bound to a path, and to an abstract name */
	feed(g, socket_ev(700, AF_UNIX, SOCK_STREAM, 4, 11002, 1200));
	feed(g, objinfo_path(700, __NR_bind, 4, 11002, AF_UNIX, SOCK_STREAM, "/tmp/s", 6, 1210));
	feed(g, socket_ev(700, AF_UNIX, SOCK_DGRAM, 5, 11003, 1300));
	feed(g, objinfo_path(700, __NR_bind, 5, 11003, AF_UNIX, SOCK_DGRAM, "\0x", 2, 1310));
	/* a client connects to /tmp/s; the server accepts */
	feed(g, socket_ev(700, AF_UNIX, SOCK_STREAM, 6, 11004, 1400));
	e = objinfo_ev(700, __NR_connect, 6, 11004, AF_UNIX, SOCK_STREAM, 1410);
	e.obj.peer_ino = 11005;
	feed(g, e);
	e = sys(700, __NR_accept4, 7, 1420);
	e.sys.args[0] = 4;
	e.sys.x[0] = 11002;
	e.sys.x[1] = FMODE(FM_READ | FM_WRITE) | O_RDWR;
	e.sys.x[2] = 11005;
	e.sys.x[3] = FMODE(FM_READ | FM_WRITE) | O_RDWR;
	e.kind[0] = e.kind[1] = IPCT_KIND_SOCKET;
	feed(g, e);
	e = objinfo_path(700, __NR_accept4, 7, 11005, AF_UNIX, SOCK_STREAM, "/tmp/s", 6, 1421);
	e.obj.peer_ino = 11004;
	feed(g, e);
	/* a FIFO opened for reading */
	feed(g, openat_ev(700, 8, 11010, FM_READ, 1500));
	feed(g, objinfo_path(700, __NR_openat, 8, 11010, 0, 0, "/tmp/f", 6, 1501));
	feed(g, io_ev(700, __NR_read, 8, IPCT_KIND_FIFO, 11010, FM_READ, 9, 1510));

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 6);

	o = object(arr, 11001);
	CHECK_STR(jstr(o, "object"), "socket:[11001]");
	CHECK_STR(jstr(o, "kind"), "socket");
	CHECK_STR(jstr(o, "family"), "AF_INET");
	CHECK_STR(jstr(o, "socket_type"), "SOCK_STREAM");
	CHECK_STR(jstr(o, "local"), "127.0.0.1:5000");
	CHECK_STR(jstr(o, "remote"), "127.0.0.1:40000");
	CHECK_NULL(o, "path");
	CHECK_NULL(o, "peer");
	CHECK_NULL(o, "peer_holders");
	CHECK_INT(jint(o, "created_ns"), 1100);
	CHECK_INT(jlen(o, "holders"), 1);
	CHECK(entry(o, "holders", 700, 3) != NULL);
	CHECK_INT(jlen(o, "writers"), 0);
	CHECK_INT(jlen(o, "readers"), 0);

	o = object(arr, 11002);
	CHECK_STR(jstr(o, "family"), "AF_UNIX");
	CHECK_STR(jstr(o, "path"), "/tmp/s");
	CHECK_STR(jstr(o, "local"), "/tmp/s");
	CHECK_NULL(o, "remote");
	CHECK_NULL(o, "peer");

	o = object(arr, 11003);
	CHECK_STR(jstr(o, "socket_type"), "SOCK_DGRAM");
	CHECK_STR(jstr(o, "path"), "@x");
	CHECK_STR(jstr(o, "local"), "@x");

	/* The client: unbound; its remote is the server's address, through its peer. */
	o = object(arr, 11004);
	CHECK_NULL(o, "path");
	CHECK_NULL(o, "local");
	CHECK_STR(jstr(o, "remote"), "/tmp/s");
	CHECK_STR(jstr(o, "peer"), "socket:[11005]");
	h = entry(o, "peer_holders", 700, 7);
	CHECK(h != NULL);
	CHECK_STR(jstr(h, "comm"), "srv");
	o = object(arr, 11005);
	CHECK_STR(jstr(o, "peer"), "socket:[11004]");
	CHECK_INT(jint(o, "created_ns"), 1420);
	CHECK(entry(o, "holders", 700, 7) != NULL);
	CHECK(entry(o, "peer_holders", 700, 6) != NULL);

	o = object(arr, 11010);
	CHECK_STR(jstr(o, "object"), "pipe:[11010]");
	CHECK_STR(jstr(o, "kind"), "fifo");
	CHECK_STR(jstr(o, "path"), "/tmp/f");
	CHECK_NULL(o, "family");
	CHECK_NULL(o, "socket_type");
	CHECK_NULL(o, "local");
	CHECK_NULL(o, "remote");
	CHECK_NULL(o, "peer");
	CHECK_NULL(o, "holders");
	CHECK_INT(jlen(o, "readers"), 1);
	CHECK_INT(jlen(o, "writers"), 0);
	CHECK_ENTRY(o, "readers", 700, 8, "srv", 9, 1, 0);
	json_object_put(arr);
	CHECK_INT(c.n, 0);
	ipct_graph_free(g);
}

/* A reader blocked on a FIFO that another process holds open for writing. */
static void test_fifo_no_eof(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *d;

	feed(g, exec_ev(750, "cat", 1000));
	feed(g, openat_ev(750, 3, 12001, FM_READ, 1100));
	feed(g, exec_ev(751, "logger", 1000));
	feed(g, openat_ev(751, 3, 12001, FM_WRITE, 1110));
	ipct_graph_blocked(g, 750, 3, __NR_read, 2 * SEC, 4 * SEC);
	CHECK_INT(c.n, 1);
	d = diag(&c, 0);
	CHECK_STR(jstr(d, "kind"), "no_eof");
	CHECK_STR(jstr(d, "object"), "pipe:[12001]");
	CHECK(entry(d, "holders", 751, 3) != NULL);
	CHECK(contains(jstr(d, "message"), "logger[751] fd 3"));
	diags_free(&c);
	ipct_graph_free(g);
}

/* Event times become wall-clock times in JSON. */
static void test_realtime(void)
{
	const int64_t off = 1700000000ll * (int64_t)SEC;
	struct diags c;
	struct ipct_graph *g = graph_new(&c, off);
	struct json_object *arr, *o;

	feed(g, exec_ev(800, "a", 1000));
	feed(g, pipe_ev(800, 3, 4, 13001, false, false, 1100));
	feed(g, close_ev(800, 3, IPCT_KIND_PIPE, 13001, 1200));
	feed(g, pipe_write(800, 4, 13001, -EPIPE, 1300));
	CHECK_INT(c.n, 1);
	CHECK_INT(jint(diag(&c, 0), "time_ns"), off + 1300);
	arr = session_json(g, SESSION);
	o = object(arr, 13001);
	CHECK_INT(jint(o, "created_ns"), off + 1100);
	CHECK_ENTRY(o, "readers", 800, 3, "a", 0, 0, off + 1200);
	CHECK_ENTRY(o, "writers", 800, 4, "a", 0, 0, 0);
	json_object_put(arr);
	diags_free(&c);
	ipct_graph_free(g);
}

/* Processes the graph does not know leave no trace. */
static void test_unknown(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr;

	feed(g, pipe_ev(900, 3, 4, 14001, false, false, 1100));
	feed(g, pipe_write(900, 4, 14001, 5, 1200));
	feed(g, exit_ev(900, 1300));
	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 0);
	json_object_put(arr);
	CHECK_INT(c.n, 0);
	ipct_graph_free(g);
}

/* Whether the terms parse and how many objects of arr they pass (-1: refused). */
static int filter_count(struct json_object *arr, const char *const *terms, int n)
{
	char err[1024] = "";
	struct ipct_match *m = ipct_match_parse(ipct_graph_fields, terms, n, err, sizeof(err));
	struct json_object *out;
	int k;

	if (!m) {
		fprintf(stderr, "parse failed: %s\n", err);
		return -1;
	}
	out = json_object_new_array();
	ipct_graph_filter(arr, m, out);
	k = (int)json_object_array_length(out);
	ipct_match_free(m);
	json_object_put(out);
	return k;
}

#define NARGS(...) ((int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)))
#define COUNT(arr, ...) filter_count(arr, (const char *const[]){ __VA_ARGS__ }, NARGS(__VA_ARGS__))

/* The inode of the only object the terms pass, 0 when not exactly one. */
static long long filter_one(struct json_object *arr, const char *term)
{
	char err[1024] = "";
	struct ipct_match *m = ipct_match_parse(ipct_graph_fields, &term, 1, err, sizeof(err));
	struct json_object *out;
	long long ino = 0;

	if (!m) {
		fprintf(stderr, "parse failed: %s\n", err);
		return -1;
	}
	out = json_object_new_array();
	ipct_graph_filter(arr, m, out);
	if (json_object_array_length(out) == 1)
		ino = jint(json_object_array_get_idx(out, 0), "inode");
	ipct_match_free(m);
	json_object_put(out);
	return ino;
}

static void test_matches(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *s2;
	char err[1024] = "";
	const char *bad[] = { "colour=red" };
	const char *badkind[] = { "kind=tube" };
	struct ipct_event e;

	/* session 1: a pipe from sh (1000) to wc (1002), a FIFO opened by 1003, a socket of 1003 */
	feed(g, exec_ev(1000, "sh", 100));
	feed(g, pipe_ev(1000, 3, 4, 15001, false, false, 110));
	feed(g, fork_ev(1000, "sh", 1002, 120));
	feed(g, dup2_ev(1002, __NR_dup2, 3, 0, 0, 15001, FM_READ, 130));
	feed(g, close_ev(1002, 3, IPCT_KIND_PIPE, 15001, 131));
	feed(g, close_ev(1002, 4, IPCT_KIND_PIPE, 15001, 132));
	feed(g, exec_ev(1002, "wc", 140));
	feed(g, exec_ev(1003, "fifo", 150));
	feed(g, openat_ev(1003, 3, 15002, FM_WRITE, 160));
	feed(g, objinfo_path(1003, __NR_openat, 3, 15002, 0, 0, "/run/ctl", 8, 161));
	feed(g, socket_ev(1003, AF_INET6, SOCK_DGRAM, 4, 15003, 170));
	/* session 2: a pipe of its own */
	e = exec_ev(2000, "other", 200);
	e.session = 2;
	feed(g, e);
	e = pipe_ev(2000, 3, 4, 15004, false, false, 210);
	e.session = 2;
	feed(g, e);

	arr = session_json(g, SESSION);
	s2 = session_json(g, 2);
	CHECK_INT(json_object_array_length(arr), 3);
	CHECK_INT(json_object_array_length(s2), 1);
	/* Both sessions in one list, as `ipctrace pipes` has them. */
	json_object_array_add(arr, json_object_get(json_object_array_get_idx(s2, 0)));

	CHECK_INT(filter_one(arr, "kind=fifo"), 15002);
	CHECK_INT(filter_one(arr, "kind=socket"), 15003);
	CHECK_INT(COUNT(arr, "kind=pipe"), 2);
	CHECK_INT(filter_one(arr, "comm=wc"), 15001);
	CHECK_INT(filter_one(arr, "comm=other"), 15004);
	CHECK_INT(COUNT(arr, "comm=nobody"), 0);
	/* Any holder: the shell's copies count as much as wc's. */
	CHECK_INT(filter_one(arr, "pid=1002"), 15001);
	CHECK_INT(filter_one(arr, "pid=1000"), 15001);
	CHECK_INT(COUNT(arr, "pid=1003"), 2);
	CHECK_INT(filter_one(arr, "object=pipe:[15002]"), 15002);
	CHECK_INT(filter_one(arr, "object=15002"), 15002);
	CHECK_INT(filter_one(arr, "object=socket:[15003]"), 15003);
	CHECK_INT(COUNT(arr, "object=pipe:[15003]"), 0);
	CHECK_INT(filter_one(arr, "path=/run/ctl"), 15002);
	CHECK_INT(filter_one(arr, "session=2"), 15004);
	CHECK_INT(COUNT(arr, "session=1"), 3);
	/* The same field twice: either; different fields: both. */
	CHECK_INT(COUNT(arr, "kind=fifo", "kind=socket"), 2);
	CHECK_INT(COUNT(arr, "kind=pipe", "session=1"), 1);
	CHECK_INT(COUNT(arr, "kind=pipe", "comm=fifo"), 0);
	CHECK_INT(COUNT(arr), 4);

	/* Refused: an unknown field, with the valid ones listed; a kind that is none. */
	CHECK(ipct_match_parse(ipct_graph_fields, bad, 1, err, sizeof(err)) == NULL);
	CHECK(contains(err, "colour"));
	CHECK(contains(err, "kind"));
	CHECK(contains(err, "object"));
	err[0] = 0;
	CHECK(ipct_match_parse(ipct_graph_fields, badkind, 1, err, sizeof(err)) == NULL);
	CHECK(contains(err, "tube"));
	CHECK(contains(err, "fifo"));

	json_object_put(arr);
	json_object_put(s2);
	CHECK_INT(c.n, 0);
	diags_free(&c);
	ipct_graph_free(g);
}

/* Ending a session forgets its processes and objects, and nothing else. */
static void test_end_session(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr;
	struct ipct_event e;

	feed(g, exec_ev(1100, "one", 100));
	feed(g, pipe_ev(1100, 3, 4, 16001, false, false, 110));
	feed(g, socketpair_ev(1100, SOCK_STREAM, 5, 6, 16002, 16003, 120));
	e = exec_ev(1200, "two", 130);
	e.session = 2;
	feed(g, e);
	e = pipe_ev(1200, 3, 4, 16004, false, false, 140);
	e.session = 2;
	feed(g, e);

	ipct_graph_end_session(g, SESSION);
	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 0);
	json_object_put(arr);
	/* 1100 is no longer followed: what it does makes nothing. */
	feed(g, pipe_ev(1100, 7, 8, 16005, false, false, 150));
	feed(g, pipe_write(1100, 4, 16001, 5, 160));
	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 0);
	json_object_put(arr);

	/* Session 2 goes on. */
	e = pipe_write(1200, 4, 16004, 11, 170);
	e.session = 2;
	feed(g, e);
	arr = session_json(g, 2);
	CHECK_INT(json_object_array_length(arr), 1);
	CHECK_INT(jint(object(arr, 16004), "session"), 2);
	CHECK_INT(jint(object(arr, 16004), "bytes_written"), 11);
	CHECK_ENTRY(object(arr, 16004), "writers", 1200, 4, "two", 11, 1, 0);
	json_object_put(arr);
	ipct_graph_end_session(g, 2);
	arr = session_json(g, 2);
	CHECK_INT(json_object_array_length(arr), 0);
	json_object_put(arr);
	CHECK_INT(c.n, 0);
	ipct_graph_free(g);
}

/*
 * The object cap is per session and counted: a session past 65536 objects
 * has the rest untracked and the calls on them counted for it (one per
 * call, though a pipe2 names its inode twice), while another session still
 * gets its own objects (the cap was one for the whole daemon, and silent).
 */
static void test_object_cap(void)
{
	enum { CAP = 65536 };
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr;
	struct ipct_event e;

	feed(g, exec_ev(1300, "many", 100));
	for (uint64_t i = 0; i < CAP + 2; i++)
		feed(g, pipe_ev(1300, 3, 4, 20000 + i, false, false, 110 + i));
	CHECK_INT(ipct_graph_untracked(g, SESSION), 2);
	e = exec_ev(1400, "other", 200);
	e.session = 2;
	feed(g, e);
	e = pipe_ev(1400, 3, 4, 90001, false, false, 210);
	e.session = 2;
	feed(g, e);
	arr = session_json(g, 2);
	CHECK_INT(json_object_array_length(arr), 1);
	CHECK_INT(jint(object(arr, 90001), "session"), 2);
	json_object_put(arr);
	CHECK_INT(ipct_graph_untracked(g, 2), 0);
	CHECK_INT(ipct_graph_untracked(g, 0), 2);
	/* Its count goes with the session; the daemon's total stays. */
	ipct_graph_end_session(g, SESSION);
	CHECK_INT(ipct_graph_untracked(g, SESSION), 0);
	CHECK_INT(ipct_graph_untracked(g, 0), 2);
	CHECK_INT(c.n, 0);
	ipct_graph_free(g);
}


/* ---- message queues ---- */

/* mq_open(name, flags) = fd on queue ino (maxmsg 8, msgsize 64), then its OBJINFO with the name. */
static void mq_open_ev(struct ipct_graph *g, uint32_t pid, int fd, uint64_t ino, int flags, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_mq_open, fd, ts), oi;
	uint64_t mode = (flags & O_ACCMODE) == O_WRONLY ? FM_WRITE : (flags & O_ACCMODE) == O_RDONLY ? FM_READ
											       : FM_READ | FM_WRITE;

	e.sys.args[1] = (uint64_t)flags;
	e.sys.x[0] = ino;
	e.sys.x[1] = FMODE(mode) | (uint64_t)(flags & O_ACCMODE);
	e.sys.x[2] = 64ull << 32;
	e.sys.x[3] = 8;
	e.kind[0] = IPCT_KIND_MQUEUE;
	e.flags = IPCT_F_NEW_VALID;
	feed(g, e);
	oi = objinfo_path(pid, __NR_mq_open, fd, ino, 0, 0, "q", 1, ts);
	oi.kind[0] = IPCT_KIND_MQUEUE;
	feed(g, oi);
}

/* mq_timedsend (bytes of priority prio) or mq_timedreceive (that took one) on fd. */
static void mq_io_ev(struct ipct_graph *g, uint32_t pid, bool send, int fd, uint64_t ino, int64_t bytes,
		     uint32_t prio, int64_t ret, uint64_t ts)
{
	struct ipct_event e = io_ev(pid, send ? __NR_mq_timedsend : __NR_mq_timedreceive, fd, IPCT_KIND_MQUEUE, ino,
				    send ? FM_WRITE : FM_READ, ret, ts);

	e.sys.args[2] = (uint64_t)bytes;
	e.sys.x[2] = 64ull << 32;
	e.sys.x[3] = prio;
	/* A receive's priority was read from its pointer. */
	e.flags = IPCT_F_NEW_VALID | (send ? 0 : IPCT_F_OLD_VALID);
	feed(g, e);
}

/* A System V queue call on id (msgget: the result), with the message's mtype. */
static void msg_ev(struct ipct_graph *g, uint32_t pid, int nr, int id, uint64_t a1, uint64_t a2, int64_t mtype,
		   int64_t ret, uint64_t ts)
{
	struct ipct_event e = sys(pid, nr, ret, ts);

	e.sys.args[0] = nr == __NR_msgget ? 0x1234 : (uint64_t)id;
	e.sys.args[1] = a1;
	e.sys.args[2] = a2;
	e.sys.x[0] = IPCT_SYSV_INO(id);
	e.sys.x[3] = (uint64_t)mtype;
	e.kind[0] = IPCT_KIND_MSGQ;
	e.flags = IPCT_F_NEW_VALID;
	feed(g, e);
}

static struct json_object *named(struct json_object *arr, const char *name)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		if (jstr(o, "object") && !strcmp(jstr(o, "object"), name))
			return o;
	}
	fprintf(stderr, "no object %s\n", name);
	return NULL;
}

/*
 * A POSIX queue held through descriptors (a fork copies them), a System V
 * one by whoever used it; messages each way, each one's time in its queue
 * (by priority, by mtype); both left behind are leaked_ipc once the
 * session ends, and an unlinked one is not.
 */
static void test_queues(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o, *t;

	feed(g, exec_ev(100, "prod", 10));
	mq_open_ev(g, 100, 3, 500, O_CREAT | O_RDWR, 20);
	feed(g, fork_ev(100, "prod", 101, 30));
	mq_io_ev(g, 100, true, 3, 500, 10, 1, 0, 1000);
	mq_io_ev(g, 100, true, 3, 500, 20, 5, 0, 1100);
	/* The child's copy of fd 3: the higher priority first. */
	mq_io_ev(g, 101, false, 3, 500, 4096, 5, 20, 1300);
	mq_io_ev(g, 101, false, 3, 500, 8, 0, -EMSGSIZE, 1400);
	mq_io_ev(g, 101, false, 3, 500, 4096, 1, 10, 1500);
	mq_io_ev(g, 101, false, 3, 500, 4096, 0, -EAGAIN, 1600);
	msg_ev(g, 100, __NR_msgget, 7, IPC_CREAT | 0600, 0, 0, 7, 2000);
	msg_ev(g, 100, __NR_msgsnd, 7, 0, 30, 3, 0, 2100);
	msg_ev(g, 101, __NR_msgrcv, 7, 0, 4096, 3, 30, 2700);
	/* A call on an id that is no queue makes no object. */
	msg_ev(g, 101, __NR_msgsnd, 9, 0, 30, 1, -EINVAL, 2800);

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 2);
	o = named(arr, "mqueue:/q");
	CHECK_STR(jstr(o, "kind"), "mqueue");
	CHECK_INT(jint(o, "inode"), 500);
	CHECK_INT(jint(o, "maxmsg"), 8);
	CHECK_INT(jint(o, "msgsize"), 64);
	CHECK_ENTRY(o, "writers", 100, 3, "prod", 30, 2, 0);
	CHECK_ENTRY(o, "readers", 101, 3, "prod", 30, 2, 0);
	CHECK_INT(jint(o, "eagain"), 1);
	CHECK_INT(jint(o, "emsgsize"), 1);
	CHECK_INT(jint(o, "in_queue"), 0);
	t = get(o, "queue_time");
	CHECK_INT(jint(t, "messages"), 2);
	CHECK_INT(jint(t, "total_ns"), 200 + 500);
	CHECK_INT(jint(t, "max_ns"), 500);
	o = named(arr, "msq:7");
	CHECK_STR(jstr(o, "kind"), "msgq");
	CHECK(get(o, "inode") == NULL);
	CHECK_INT(jint(o, "id"), 7);
	CHECK_INT(jint(o, "key"), 0x1234);
	CHECK_INT(json_object_array_length(get(o, "writers")), 1);
	CHECK_INT(jint(json_object_array_get_idx(get(o, "writers"), 0), "pid"), 100);
	CHECK_INT(jint(json_object_array_get_idx(get(o, "readers"), 0), "pid"), 101);
	CHECK_INT(jint(json_object_array_get_idx(get(o, "readers"), 0), "bytes"), 30);
	CHECK(get(json_object_array_get_idx(get(o, "holders"), 0), "fd") == NULL);
	CHECK_INT(jint(get(o, "queue_time"), "max_ns"), 600);
	json_object_put(arr);

	/* The POSIX queue is unlinked, the other is not. */
	feed(g, sys(100, __NR_mq_unlink, 0, 3000));
	{
		struct ipct_event oi = objinfo_path(100, __NR_mq_unlink, 0, 0, 0, 0, "q", 1, 3000);

		oi.kind[0] = IPCT_KIND_MQUEUE;
		feed(g, oi);
	}
	ipct_graph_session_ends(g, SESSION, 4000);
	CHECK_INT(c.n, 1);
	CHECK_STR(jstr(diag(&c, 0), "kind"), "leaked_ipc");
	CHECK_STR(jstr(diag(&c, 0), "object"), "msq:7");
	CHECK_STR(jstr(diag(&c, 0), "command"), "ipcrm -q 7");
	CHECK_INT(jint(diag(&c, 0), "pid"), 100);
	CHECK_STR(jstr(json_object_array_get_idx(get(diag(&c, 0), "evidence"), 0), "event"), "msgget");
	arr = session_json(g, SESSION);
	CHECK(jint(named(arr, "mqueue:/q"), "removed_ns") == 3000);
	CHECK_INT(json_object_array_length(get(named(arr, "msq:7"), "warnings")), 1);
	json_object_put(arr);
	diags_free(&c);
	ipct_graph_free(g);
}

/* A semaphore call on set id (semget: the result) with up to IPCT_SEM_OPS operations {num, op, flg}. */
static void sem_ev(struct ipct_graph *g, uint32_t pid, int nr, int id, uint64_t a1, uint64_t a2,
		   const short (*ops)[3], int nops, int64_t ret, uint64_t dur, uint64_t ts)
{
	struct ipct_event e = sys(pid, nr, ret, ts);
	uint8_t raw[3 * sizeof(uint64_t)] = { 0 };

	e.sys.args[0] = nr == __NR_semget ? 0x5e00 : (uint64_t)id;
	e.sys.args[1] = a1;
	e.sys.args[2] = nr == __NR_semtimedop ? (uint64_t)nops : a2;
	e.sys.dur_ns = dur;
	e.sys.x[0] = IPCT_SYSV_SEM_INO(id);
	e.kind[0] = IPCT_KIND_SEM;
	for (int i = 0; i < nops && i < IPCT_SEM_OPS; i++)
		memcpy(raw + 6 * i, ops[i], 6);
	memcpy(&e.sys.x[1], raw, sizeof(raw));
	if (nops)
		e.flags = IPCT_F_NEW_VALID;
	feed(g, e);
}

/*
 * A System V semaphore set: the posters and takers with their units, each
 * semaphore's operations, waits and blocked time; EAGAIN; operations past
 * the 4 an event carries; a set with the id of a queue is another object;
 * left behind, leaked_ipc with ipcrm -s.
 */
static void test_semaphores(void)
{
	static const short down0[][3] = { { 0, -1, 0 } }, up0[][3] = { { 0, 1, 0 } };
	static const short nowait[][3] = { { 0, -1, IPC_NOWAIT } }, zero1[][3] = { { 1, 0, 0 } };
	static const short five[][3] = { { 0, 2, 0 }, { 1, 1, 0 }, { 0, -1, 0 }, { 1, -1, 0 }, { 0, 1, 0 } };
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o, *n;

	feed(g, exec_ev(100, "prod", 10));
	feed(g, fork_ev(100, "prod", 101, 30));
	sem_ev(g, 100, __NR_semget, 7, 2, IPC_CREAT | 0600, NULL, 0, 7, 0, 100);
	/* A queue with the same id. */
	msg_ev(g, 100, __NR_msgget, 7, IPC_CREAT | 0600, 0, 0, 7, 150);
	sem_ev(g, 101, __NR_semtimedop, 7, 0, 0, nowait, 1, -EAGAIN, 0, 200);
	sem_ev(g, 101, __NR_semtimedop, 7, 0, 0, down0, 1, 0, 200000000, 200000300);
	sem_ev(g, 100, __NR_semtimedop, 7, 0, 0, up0, 1, 0, 1000, 200000200);
	sem_ev(g, 101, __NR_semtimedop, 7, 0, 0, zero1, 1, 0, 5000, 200000400);
	/* Five operations: the fifth is not in the event. */
	sem_ev(g, 100, __NR_semtimedop, 7, 0, 0, five, 5, 0, 300, 200000500);
	sem_ev(g, 100, __NR_semctl, 7, 0, SETVAL, NULL, 0, 0, 0, 200000600);

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 2);
	CHECK_STR(jstr(named(arr, "msq:7"), "kind"), "msgq");
	o = named(arr, "sem:7");
	CHECK_STR(jstr(o, "kind"), "sem");
	CHECK(get(o, "inode") == NULL);
	CHECK_INT(jint(o, "id"), 7);
	CHECK_INT(jint(o, "key"), 0x5e00);
	CHECK_INT(jint(o, "nsems"), 2);
	CHECK_INT(jint(o, "semops"), 4);
	CHECK_INT(jint(o, "unseen_ops"), 1);
	CHECK_INT(jint(o, "eagain"), 1);
	/* pid 100: ups of 1, 2 and 1 (three ops, 4 units), downs of 1 and 1; pid 101: a down, a wait for zero. */
	CHECK_INT(json_object_array_length(get(o, "writers")), 1);
	CHECK_INT(json_object_array_length(get(o, "readers")), 2);
	n = json_object_array_get_idx(get(o, "writers"), 0);
	CHECK(jint(n, "pid") == 100 && jint(n, "bytes") == 4 && jint(n, "calls") == 3 && !get(n, "fd"));
	n = json_object_array_get_idx(get(o, "readers"), 0);
	CHECK(jint(n, "pid") == 100 && jint(n, "bytes") == 2 && jint(n, "calls") == 2);
	n = json_object_array_get_idx(get(o, "readers"), 1);
	CHECK(jint(n, "pid") == 101 && jint(n, "bytes") == 1 && jint(n, "calls") == 2);
	n = json_object_array_get_idx(get(o, "semaphores"), 0);
	CHECK_INT(jint(n, "sem_num"), 0);
	CHECK_INT(jint(n, "ops"), 4);
	CHECK_INT(jint(n, "ups"), 3);
	CHECK_INT(jint(n, "downs"), 2);
	CHECK_INT(jint(n, "waits"), 2);
	CHECK_INT(jint(n, "blocked_ns"), 200000000 + 300);
	CHECK_INT(jint(n, "blocked_max_ns"), 200000000);
	n = json_object_array_get_idx(get(o, "semaphores"), 1);
	CHECK_INT(jint(n, "sem_num"), 1);
	CHECK_INT(jint(n, "ops"), 3);
	CHECK_INT(jint(n, "waits"), 2);
	CHECK_INT(jint(n, "blocked_max_ns"), 5000);
	CHECK(get(o, "removed_ns") == NULL);
	/* Matches: the set's kind and name, not the queue of the same id. */
	CHECK_INT(COUNT(arr, "kind=sem"), 1);
	CHECK_INT(COUNT(arr, "object=sem:7"), 1);
	CHECK_INT(COUNT(arr, "object=sem:7", "kind=msgq"), 0);
	CHECK_INT(COUNT(arr, "object=msq:7"), 1);
	CHECK_INT(COUNT(arr, "object=sem:8"), 0);
	json_object_put(arr);

	/* The queue is removed, the set is not. */
	msg_ev(g, 100, __NR_msgctl, 7, IPC_RMID, 0, 0, 0, 300000000);
	ipct_graph_session_ends(g, SESSION, 400000000);
	CHECK_INT(c.n, 1);
	CHECK_STR(jstr(diag(&c, 0), "kind"), "leaked_ipc");
	CHECK_STR(jstr(diag(&c, 0), "object"), "sem:7");
	CHECK_STR(jstr(diag(&c, 0), "command"), "ipcrm -s 7");
	CHECK(get(diag(&c, 0), "messages_left") == NULL);
	CHECK_STR(jstr(json_object_array_get_idx(get(diag(&c, 0), "evidence"), 0), "event"), "semget");
	diags_free(&c);
	ipct_graph_free(g);
}

/* ---- shared memory ---- */

/* A System V segment call: shmget (key 0x5678, size, flags; the id is the result), shmat (id; the address), shmdt (address), shmctl. */
static void shm_ev(struct ipct_graph *g, uint32_t pid, int nr, int id, uint64_t a1, uint64_t a2, int64_t ret,
		   uint64_t ts)
{
	struct ipct_event e = sys(pid, nr, ret, ts);

	e.sys.args[0] = nr == __NR_shmget ? 0x5678 : nr == __NR_shmdt ? a1 : (uint64_t)id;
	e.sys.args[1] = nr == __NR_shmdt ? 0 : a1;
	e.sys.args[2] = a2;
	if (nr != __NR_shmdt)
		e.sys.x[0] = IPCT_SYSV_SHM_INO(id);
	e.kind[0] = IPCT_KIND_SHM;
	feed(g, e);
}

/* The holder entry of pid's attachments or mappings (fd null) in a segment's holders. */
static struct json_object *shm_holder(struct json_object *o, uint32_t pid)
{
	struct json_object *arr = get(o, "holders");

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (jint(json_object_array_get_idx(arr, i), "pid") == pid &&
		    !get(json_object_array_get_idx(arr, i), "fd"))
			return json_object_array_get_idx(arr, i);
	fprintf(stderr, "no holder %u\n", pid);
	return NULL;
}

/*
 * Segments by replay: attached by shmat and inherited at fork, detached by
 * address (shmdt), exec and exit; freed at the last detach after IPC_RMID;
 * one never removed is leaked_ipc at the session's end. A segment and a
 * queue of the same id are two objects.
 */
static void test_shm(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o, *h;

	feed(g, exec_ev(100, "prod", 10));
	shm_ev(g, 100, __NR_shmget, 7, 8192, IPC_CREAT | 0600, 7, 20);
	shm_ev(g, 100, __NR_shmget, 9, 100, IPC_CREAT | 0600, 9, 25);
	msg_ev(g, 100, __NR_msgget, 7, IPC_CREAT | 0600, 0, 0, 7, 30);
	shm_ev(g, 100, __NR_shmat, 7, 0, 0, 0x7000, 40);
	/* A failed attach attaches nothing. */
	shm_ev(g, 100, __NR_shmat, 7, 0, 0, -EACCES, 45);
	feed(g, fork_ev(100, "prod", 101, 50));
	feed(g, fork_ev(100, "prod", 102, 55));
	shm_ev(g, 101, __NR_shmat, 7, 0, SHM_RDONLY, 0x9000, 60);
	/* What is where: its own attachment, the inherited one; nothing in the parent at the child's address. */
	CHECK(ipct_graph_shm_at(g, 101, 0x9000) == IPCT_SYSV_SHM_INO(7));
	CHECK(ipct_graph_shm_at(g, 101, 0x7000) == IPCT_SYSV_SHM_INO(7));
	CHECK(ipct_graph_shm_at(g, 100, 0x9000) == 0);
	shm_ev(g, 101, __NR_shmdt, 0, 0x9000, 0, 0, 70);
	/* An address with nothing attached detaches nothing. */
	shm_ev(g, 101, __NR_shmdt, 0, 0xa000, 0, -EINVAL, 75);
	/* 102 execs: its inherited attachment goes. */
	feed(g, exec_ev(102, "other", 80));
	shm_ev(g, 100, __NR_shmctl, 7, IPC_RMID, 0, 0, 90);
	shm_ev(g, 100, __NR_shmdt, 0, 0x7000, 0, 0, 100);
	feed(g, exit_ev(101, 110));

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 3);
	o = named(arr, "shm:7");
	CHECK_STR(jstr(o, "kind"), "shm");
	CHECK(get(o, "inode") == NULL);
	CHECK_INT(jint(o, "id"), 7);
	CHECK_INT(jint(o, "key"), 0x5678);
	CHECK_INT(jint(o, "size"), 8192);
	CHECK_INT(jint(o, "attaches"), 2);
	CHECK_INT(jint(o, "detaches"), 2);
	CHECK_INT(jint(o, "removed_ns"), 90);
	/* 101 still had its inherited attachment until its exit. */
	CHECK_INT(jint(o, "destroyed_ns"), 110);
	CHECK_INT(json_object_array_length(get(o, "writers")), 0);
	CHECK_INT(json_object_array_length(get(o, "readers")), 0);
	CHECK_INT(json_object_array_length(get(o, "holders")), 3);
	h = shm_holder(o, 100);
	CHECK_INT(jint(h, "attaches"), 1);
	CHECK_INT(jint(h, "detaches"), 1);
	CHECK_INT(jint(h, "attached"), 0);
	CHECK_INT(jint(h, "attached_ns"), 40);
	CHECK_INT(jint(h, "closed_ns"), 100);
	CHECK(get(h, "fd") == NULL);
	h = shm_holder(o, 101);
	CHECK_INT(jint(h, "attaches"), 1);
	CHECK_INT(jint(h, "detaches"), 1);
	CHECK_INT(jint(h, "attached_ns"), 50);
	CHECK_INT(jint(h, "closed_ns"), 110);
	h = shm_holder(o, 102);
	CHECK_INT(jint(h, "attaches"), 0);
	CHECK_INT(jint(h, "detaches"), 0);
	CHECK_INT(jint(h, "closed_ns"), 80);
	CHECK_STR(jstr(h, "comm"), "prod");
	CHECK(named(arr, "msq:7") != NULL);
	o = named(arr, "shm:9");
	CHECK_INT(jint(o, "size"), 100);
	CHECK_INT(json_object_array_length(get(o, "holders")), 0);
	CHECK(get(o, "removed_ns") == NULL);

	/* Matches: kind=shm, and shm:ID is the segment, not the queue of that id. */
	CHECK_INT(COUNT(arr, "kind=shm"), 2);
	CHECK_INT(COUNT(arr, "object=shm:7"), 1);
	CHECK_INT(COUNT(arr, "object=shm:7", "kind=shm"), 1);
	CHECK_INT(COUNT(arr, "object=msq:7", "kind=msgq"), 1);
	CHECK_INT(COUNT(arr, "object=shm:7", "kind=msgq"), 0);
	json_object_put(arr);

	ipct_graph_session_ends(g, SESSION, 200);
	/* The queue and shm:9 were not removed. */
	CHECK_INT(c.n, 2);
	for (int i = 0; i < c.n; i++) {
		if (strcmp(jstr(diag(&c, i), "object"), "shm:9"))
			continue;
		CHECK_STR(jstr(diag(&c, i), "kind"), "leaked_ipc");
		CHECK_STR(jstr(diag(&c, i), "command"), "ipcrm -m 9");
		CHECK_INT(jint(diag(&c, i), "size"), 100);
		CHECK_STR(jstr(json_object_array_get_idx(get(diag(&c, i), "evidence"), 0), "event"), "shmget");
	}
	CHECK(strcmp(jstr(diag(&c, 0), "object"), jstr(diag(&c, 1), "object")));
	diags_free(&c);
	ipct_graph_free(g);
}

/* shm_open(path, flags) = fd on /dev/shm inode ino: its openat, then the OBJINFO with the path. */
static void shm_open_ev(struct ipct_graph *g, uint32_t pid, int fd, uint64_t ino, int flags, const char *path,
			uint64_t ts)
{
	struct ipct_event e = openat_ev(pid, fd, ino, FM_READ | FM_WRITE, ts), oi;

	e.sys.args[2] |= (uint64_t)flags;
	e.kind[0] = IPCT_KIND_SHM;
	feed(g, e);
	oi = objinfo_path(pid, __NR_openat, fd, ino, 0, 0, path, strlen(path), ts);
	oi.kind[0] = IPCT_KIND_SHM;
	feed(g, oi);
}

/* mmap(len) = addr, shared: of /dev/shm inode ino, or anonymous (ino 0); munmap(addr, len). */
static void mmap_ev(struct ipct_graph *g, uint32_t pid, bool map, uint64_t ino, uint64_t addr, uint64_t len,
		    uint64_t ts)
{
	struct ipct_event e = sys(pid, map ? __NR_mmap : __NR_munmap, map ? (int64_t)addr : 0, ts);

	e.sys.args[0] = map ? 0 : addr;
	e.sys.args[1] = len;
	e.sys.x[0] = ino;
	e.kind[0] = IPCT_KIND_SHM;
	feed(g, e);
}

/*
 * POSIX shared memory and a shared anonymous mapping by replay: held by
 * descriptors and by mappings, sized by ftruncate, mappings inherited at
 * fork and unmapped by range; freed once unlinked, unmapped and closed
 * (the anonymous one at its last unmapping); one not unlinked is leaked_ipc.
 */
static void test_shm_posix(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o;
	struct ipct_event e;

	feed(g, exec_ev(100, "prod", 10));
	shm_open_ev(g, 100, 3, 700, O_CREAT, "/dev/shm/x", 20);
	e = io_ev(100, __NR_ftruncate, 3, IPCT_KIND_SHM, 700, FM_READ | FM_WRITE, 0, 30);
	e.sys.args[1] = 4096;
	feed(g, e);
	mmap_ev(g, 100, true, 700, 0x1000, 4096, 40);
	mmap_ev(g, 100, true, 0, 0x5000, 8192, 50);
	shm_open_ev(g, 100, 4, 701, O_CREAT, "/dev/shm/y", 55);
	feed(g, fork_ev(100, "prod", 101, 60));
	/* A /dev/shm file by its inode; anonymous memory, which no event names, not at all. */
	CHECK(ipct_graph_shm_at(g, 101, 0x1000) == 700);
	CHECK(ipct_graph_shm_at(g, 101, 0x5000) == 0);
	feed(g, close_ev(100, 3, IPCT_KIND_SHM, 700, 70));
	feed(g, close_ev(101, 3, IPCT_KIND_SHM, 700, 75));
	/* The child's inherited mapping of x goes. */
	mmap_ev(g, 101, false, 0, 0x1000, 4096, 80);
	e = objinfo_path(100, __NR_unlink, -1, 0, 0, 0, "/dev/shm/x", 10, 90);
	e.kind[0] = IPCT_KIND_SHM;
	feed(g, e);
	/* One munmap over both of 100's mappings: x is then freed; the child still has the anonymous one. */
	mmap_ev(g, 100, false, 0, 0, 0x10000, 100);
	feed(g, exit_ev(101, 110));

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 3);
	o = named(arr, "shm:/x");
	CHECK_INT(jint(o, "inode"), 700);
	CHECK(get(o, "id") == NULL);
	CHECK_INT(jint(o, "size"), 4096);
	CHECK_INT(jint(o, "attaches"), 1);
	CHECK_INT(jint(o, "detaches"), 2);
	CHECK_INT(jint(o, "removed_ns"), 90);
	CHECK_INT(jint(o, "destroyed_ns"), 100);
	/* Descriptors 3 of both, and both mappings. */
	CHECK_INT(json_object_array_length(get(o, "holders")), 4);
	CHECK_INT(jint(shm_holder(o, 101), "detaches"), 1);
	o = named(arr, "shm:anon:100:0x5000");
	CHECK(get(o, "inode") == NULL);
	CHECK_INT(jint(o, "size"), 8192);
	CHECK_INT(jint(o, "attaches"), 1);
	CHECK_INT(jint(o, "detaches"), 1);
	CHECK(get(o, "removed_ns") == NULL);
	CHECK_INT(jint(o, "destroyed_ns"), 110);
	CHECK_INT(COUNT(arr, "kind=shm"), 3);
	CHECK_INT(COUNT(arr, "object=700"), 1);
	json_object_put(arr);

	ipct_graph_session_ends(g, SESSION, 200);
	CHECK_INT(c.n, 1);
	CHECK_STR(jstr(diag(&c, 0), "object"), "shm:/y");
	CHECK_STR(jstr(diag(&c, 0), "command"), "rm /dev/shm/y");
	CHECK_STR(jstr(json_object_array_get_idx(get(diag(&c, 0), "evidence"), 0), "event"), "openat");
	diags_free(&c);
	ipct_graph_free(g);
}

/* futex(addr, op) = ret, after dur ns: a POSIX semaphore's wait or wake. */
static void futex_ev(struct ipct_graph *g, uint32_t pid, uint64_t addr, int op, int64_t ret, uint64_t dur,
		     uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_futex, ret, ts);

	e.sys.args[0] = addr;
	e.sys.args[1] = (uint64_t)op;
	e.sys.dur_ns = dur;
	e.kind[0] = IPCT_KIND_SEM;
	feed(g, e);
}

/* A link's two OBJINFO records: the old path (fd -3), the new one (fd -2). */
static void link_ev(struct ipct_graph *g, uint32_t pid, const char *from, const char *to, uint64_t ts)
{
	struct ipct_event e = objinfo_path(pid, __NR_link, -3, 0, 0, 0, from, strlen(from), ts);

	e.kind[0] = IPCT_KIND_SHM;
	feed(g, e);
	e = objinfo_path(pid, __NR_link, -2, 0, 0, 0, to, strlen(to), ts);
	e.kind[0] = IPCT_KIND_SHM;
	feed(g, e);
}

/*
 * POSIX semaphores by replay: sem_open's file, made under a temporary name
 * and linked in place, is sem:/NAME of kind sem; futex waits and wakes
 * anywhere in a mapping count on its object (a child's on the mapping it
 * inherited too), and an anonymous mapping's on that one; a link from a
 * path no object has changes nothing; not removed, it is leaked_ipc.
 */
static void test_sem_posix(void)
{
	struct diags c;
	struct ipct_graph *g = graph_new(&c, 0);
	struct json_object *arr, *o;
	bool anon = true;

	feed(g, exec_ev(100, "semp", 10));
	shm_open_ev(g, 100, 3, 800, O_CREAT, "/dev/shm/sem.Ab12Cd", 20);
	mmap_ev(g, 100, true, 800, 0x1000, 32, 30);
	link_ev(g, 100, "/dev/shm/sem.Ab12Cd", "/dev/shm/sem.s", 40);
	link_ev(g, 100, "/dev/shm/sem.none", "/dev/shm/sem.t", 41);
	mmap_ev(g, 100, true, 0, 0x5000, 4096, 50);
	feed(g, fork_ev(100, "semp", 101, 60));
	CHECK(ipct_graph_mapping_at(g, 101, 0x1010, &anon) == 800 && !anon);
	CHECK(ipct_graph_mapping_at(g, 101, 0x5008, &anon) != 0 && anon);
	/* Anywhere in the mapping's page (mmap maps whole pages), not past it. */
	CHECK(ipct_graph_mapping_at(g, 101, 0x1ff0, &anon) == 800);
	CHECK(ipct_graph_mapping_at(g, 101, 0x2000, &anon) == 0);
	futex_ev(g, 100, 0x1000, FUTEX_WAIT_BITSET, 0, 2000, 70);
	futex_ev(g, 100, 0x1000, FUTEX_WAIT_BITSET, 0, 5000, 80);
	futex_ev(g, 101, 0x1000, FUTEX_WAKE, 1, 10, 81);
	futex_ev(g, 101, 0x5008, FUTEX_WAIT, 0, 700, 90);
	futex_ev(g, 100, 0x5008, FUTEX_WAKE, 1, 10, 91);
	/* Nothing mapped there: nothing counted. */
	futex_ev(g, 100, 0x9000, FUTEX_WAKE, 0, 10, 92);

	arr = session_json(g, SESSION);
	CHECK_INT(json_object_array_length(arr), 2);
	o = named(arr, "sem:/s");
	CHECK_STR(jstr(o, "kind"), "sem");
	CHECK_STR(jstr(o, "path"), "/sem.s");
	CHECK_INT(jint(o, "sem_waits"), 2);
	CHECK_INT(jint(o, "sem_blocked_ns"), 7000);
	CHECK_INT(jint(o, "sem_blocked_max_ns"), 5000);
	CHECK_INT(jint(o, "sem_wakes"), 1);
	CHECK_INT(jint(o, "sem_woken"), 1);
	o = named(arr, "shm:anon:100:0x5000");
	CHECK_INT(jint(o, "sem_waits"), 1);
	CHECK_INT(jint(o, "sem_wakes"), 1);
	CHECK_INT(COUNT(arr, "kind=sem"), 1);
	CHECK_INT(COUNT(arr, "object=sem:[800]"), 1);
	json_object_put(arr);

	ipct_graph_session_ends(g, SESSION, 200);
	CHECK_INT(c.n, 1);
	CHECK_STR(jstr(diag(&c, 0), "object"), "sem:/s");
	CHECK_STR(jstr(diag(&c, 0), "command"), "rm /dev/shm/sem.s");
	CHECK(strstr(jstr(diag(&c, 0), "message"), "(sem_unlink)") != NULL);
	diags_free(&c);
	ipct_graph_free(g);
}

int main(void)
{
	test_pipeline();
	test_cloexec();
	test_close_range();
	test_shared_table();
	test_leaked_write_end();
	test_no_eof();
	test_received();
	test_write_errors();
	test_write_after_reading();
	test_splice();
	test_socketpair();
	test_objinfo();
	test_tcp_peers();
	test_fifo_no_eof();
	test_realtime();
	test_unknown();
	test_matches();
	test_end_session();
	test_object_cap();
	test_queues();
	test_semaphores();
	test_shm();
	test_shm_posix();
	test_sem_posix();
	test_proc_fds();
	return check_done("test-graph");
}
