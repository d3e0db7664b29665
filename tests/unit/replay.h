/* SPDX-License-Identifier: MIT */
/*
 * What the unit tests of the graph and the diagnosis engine share: events
 * as the BPF side records them (x[] laid out per syscall class, in ring
 * order), and reading the JSON that comes out.
 */
#pragma once

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <json-c/json.h>

#include "ipctrace/event.h"
#include "check.h"
#include "say.h"

#define SESSION 1
#define SEC 1000000000ull

/* f_mode, as the BPF side puts it in the high word of an object's flags. */
#define FM_READ 1ull
#define FM_WRITE 2ull
#define FMODE(m) ((uint64_t)(m) << 32)

/* ---- events ---- */

static inline struct ipct_event ev(uint16_t type, uint32_t pid, const char *comm, uint64_t ts)
{
	struct ipct_event e = { .version = IPCT_EVENT_VERSION, .type = type, .pid = pid, .tid = pid,
				.session = SESSION, .ts_ns = ts };

	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	return e;
}

/* The graph takes a process's name from exec, fork and seeds only. */
static inline struct ipct_event sys(uint32_t pid, int nr, int64_t ret, uint64_t ts)
{
	struct ipct_event e = ev(IPCT_EV_SYSCALL, pid, "syscall", ts);

	e.nr = (uint16_t)nr;
	e.sys.ret = ret;
	return e;
}

static inline struct ipct_event fork_ev(uint32_t pid, const char *comm, uint32_t child, uint64_t ts)
{
	struct ipct_event e = ev(IPCT_EV_FORK, pid, comm, ts);

	e.proc.child_pid = e.proc.child_tid = child;
	return e;
}

static inline struct ipct_event exec_ev(uint32_t pid, const char *comm, uint64_t ts)
{
	struct ipct_event e = ev(IPCT_EV_EXEC, pid, comm, ts);

	e.proc.old_pid = pid;
	snprintf(e.proc.path, sizeof(e.proc.path), "/usr/bin/%s", comm);
	return e;
}

static inline struct ipct_event exit_ev(uint32_t pid, uint64_t ts)
{
	return ev(IPCT_EV_EXIT, pid, "exit", ts);
}

/* pipe2: fd0 the read end, fd1 the write end, one inode. */
static inline struct ipct_event pipe_ev(uint32_t pid, int fd0, int fd1, uint64_t ino, bool cloexec0, bool cloexec1,
				 uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_pipe2, 0, ts);
	uint64_t f0 = O_RDONLY | (cloexec0 ? IPCT_FD_CLOEXEC : 0);
	uint64_t f1 = O_WRONLY | (cloexec1 ? IPCT_FD_CLOEXEC : 0);

	e.sys.args[1] = cloexec0 && cloexec1 ? O_CLOEXEC : 0;
	e.sys.x[0] = (uint32_t)fd0 | (uint64_t)(uint32_t)fd1 << 32;
	e.sys.x[1] = e.sys.x[2] = ino;
	e.sys.x[3] = f0 | f1 << 32;
	e.kind[0] = e.kind[1] = IPCT_KIND_PIPE;
	return e;
}

static inline struct ipct_event socketpair_ev(uint32_t pid, int type, int fd0, int fd1, uint64_t ino0,
				       uint64_t ino1, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_socketpair, 0, ts);

	e.sys.args[0] = AF_UNIX;
	e.sys.args[1] = (uint64_t)type;
	e.sys.x[0] = (uint32_t)fd0 | (uint64_t)(uint32_t)fd1 << 32;
	e.sys.x[1] = ino0;
	e.sys.x[2] = ino1;
	e.sys.x[3] = O_RDWR | (uint64_t)O_RDWR << 32;
	e.kind[0] = e.kind[1] = IPCT_KIND_SOCKET;
	return e;
}

/* close(fd) of an object of that kind (resolved at entry). */
static inline struct ipct_event close_ev(uint32_t pid, int fd, int kind, uint64_t ino, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_close, 0, ts);

	e.sys.args[0] = (uint64_t)fd;
	e.sys.x[0] = ino;
	e.kind[0] = (uint8_t)kind;
	return e;
}

/* A data call (FD class) on fd, an end of ino with f_mode mode. */
static inline struct ipct_event io_ev(uint32_t pid, int nr, int fd, int kind, uint64_t ino, uint64_t mode,
			       int64_t ret, uint64_t ts)
{
	struct ipct_event e = sys(pid, nr, ret, ts);

	e.sys.args[0] = (uint64_t)fd;
	e.sys.args[2] = ret > 0 ? (uint64_t)ret : 4096;
	e.sys.x[0] = ino;
	e.sys.x[1] = FMODE(mode) | (mode == FM_WRITE ? O_WRONLY : mode == FM_READ ? O_RDONLY : O_RDWR);
	e.kind[0] = (uint8_t)kind;
	return e;
}

static inline struct ipct_event pipe_write(uint32_t pid, int fd, uint64_t ino, int64_t ret, uint64_t ts)
{
	return io_ev(pid, __NR_write, fd, IPCT_KIND_PIPE, ino, FM_WRITE, ret, ts);
}

static inline struct ipct_event pipe_read(uint32_t pid, int fd, uint64_t ino, int64_t ret, uint64_t ts)
{
	return io_ev(pid, __NR_read, fd, IPCT_KIND_PIPE, ino, FM_READ, ret, ts);
}

/* OPENAT of a FIFO = fd, with f_mode mode; the OBJINFO record with its path follows. */
static inline struct ipct_event openat_ev(uint32_t pid, int fd, uint64_t ino, uint64_t mode, uint64_t ts)
{
	struct ipct_event e = sys(pid, __NR_openat, fd, ts);

	e.sys.args[0] = (uint64_t)AT_FDCWD;
	e.sys.args[2] = mode == FM_WRITE ? O_WRONLY : mode == FM_READ ? O_RDONLY : O_RDWR;
	e.sys.x[0] = ino;
	e.sys.x[1] = FMODE(mode) | e.sys.args[2];
	e.kind[0] = IPCT_KIND_FIFO;
	return e;
}

static inline struct ipct_event objinfo_ev(uint32_t pid, int nr, int fd, uint64_t ino, int family, int type,
				    uint64_t ts)
{
	struct ipct_event e = ev(IPCT_EV_OBJINFO, pid, "objinfo", ts);

	e.nr = (uint16_t)nr;
	e.obj.ino = ino;
	e.obj.fd = fd;
	e.obj.family = (uint16_t)family;
	e.obj.type = (uint16_t)type;
	return e;
}

/* An AF_UNIX or FIFO objinfo with a path of len bytes (an abstract name starts with a NUL). */
static inline struct ipct_event objinfo_path(uint32_t pid, int nr, int fd, uint64_t ino, int family, int type,
				      const char *path, size_t len, uint64_t ts)
{
	struct ipct_event e = objinfo_ev(pid, nr, fd, ino, family, type, ts);

	memcpy(e.obj.path, path, len);
	e.obj.path_len = (uint16_t)len;
	return e;
}

/* ---- JSON ---- */

static inline bool has(struct json_object *o, const char *key)
{
	return o && json_object_object_get_ex(o, key, NULL);
}

static inline struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

/* A string field, NULL when null or missing. */
static inline const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* An integer field; LLONG_MIN when null, missing or not an integer. */
static inline long long jint(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_int) ? (long long)json_object_get_int64(v) : LLONG_MIN;
}

static inline size_t jlen(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

/* Present and null. */
static inline bool jnull(struct json_object *o, const char *key)
{
	return has(o, key) && !get(o, key);
}


/* o's text under key, rendered from its parts untranslated: the same English, to the byte. */
static inline void check_parts(struct json_object *o, const char *key, const char *parts)
{
	char buf[4096];
	struct json_object *p = get(o, parts);

	CHECK(p != NULL);
	CHECK(ipct_parts_render(p, false, buf, sizeof(buf)) >= 0);
	CHECK_STR(buf, jstr(o, key));
}

/* A diagnosis's message and evidence details, each what its parts give (docs/diagnoses.md, "Translation"). */
static inline void check_diag_parts(struct json_object *d)
{
	struct json_object *ev = get(d, "evidence");

	check_parts(d, "message", "message_parts");
	for (size_t i = 0; ev && i < json_object_array_length(ev); i++)
		check_parts(json_object_array_get_idx(ev, i), "detail", "detail_parts");
}
