/* SPDX-License-Identifier: MIT */
/*
 * The pipe graph: each traced process's table of IPC descriptors, and for
 * every pipe, FIFO and socket who holds which end and what went through it
 * (docs/pipes.md). Fed the raw events in ring order; diagnoses the classic
 * bugs (a reader that cannot see EOF, a write end leaked into an exec, a
 * write after every reader closed) as soon as they can be seen.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "ipctrace/event.h"
#include "evctx.h"
#include "match.h"

struct ipct_graph;

/* A diagnosis, as a JSON object (docs/pipes.md); the callee takes no reference. */
typedef void (*ipct_graph_diag_fn)(uint32_t session, struct json_object *diag, void *data);

/* realtime_off turns event times into wall-clock times in JSON. NULL on ENOMEM. */
struct ipct_graph *ipct_graph_new(int64_t realtime_off, ipct_graph_diag_fn diag, void *data);
void ipct_graph_free(struct ipct_graph *g);

void ipct_graph_event(struct ipct_graph *g, const struct ipct_evctx *cx);

/*
 * pid is traced in session with this descriptor already open (a process
 * attached while running, or held before exec): from /proc/PID/fd.
 * mode: 1 read, 2 write, 3 both.
 */
void ipct_graph_seed(struct ipct_graph *g, uint32_t pid, uint32_t session, const char *comm, int fd,
		     int kind, uint64_t ino, unsigned mode, bool cloexec);

/* Whether the reader on pid's fd was already diagnosed (ipct_graph_blocked said it). */
bool ipct_graph_reader_said(struct ipct_graph *g, uint32_t pid, int fd);
/*
 * A thread of pid has been in read-family syscall nr on fd since
 * since_ns (CLOCK_BOOTTIME, the events' clock): a reader that may never see EOF.
 */
void ipct_graph_blocked(struct ipct_graph *g, uint32_t pid, int fd, int nr, uint64_t since_ns,
			uint64_t now_ns);

/* The session's times are shown with this clock offset (the one its client got). */
void ipct_graph_session_clock(struct ipct_graph *g, uint32_t session, int64_t realtime_off);

/*
 * Calls (and descriptors seeded) that involved a pipe, FIFO or socket left
 * out of the graph because its session already had the most objects a
 * session may (65536): of that session, or of all sessions ever with
 * session 0. A session's count is forgotten with the session.
 */
uint64_t ipct_graph_untracked(const struct ipct_graph *g, uint32_t session);

/* The session's objects as a JSON array (docs/pipes.md), oldest first. NULL on ENOMEM. */
struct json_object *ipct_graph_session_json(struct ipct_graph *g, uint32_t session);

/*
 * The session's processes are all gone (now_ns, CLOCK_BOOTTIME): what
 * outlives them is diagnosed (leaked_ipc: message queues made in the
 * trace and not removed). Before ipct_graph_session_json, whose warnings
 * then say it too.
 */
void ipct_graph_session_ends(struct ipct_graph *g, uint32_t session, uint64_t now_ns);

/* Forgets the session's processes and objects. */
void ipct_graph_end_session(struct ipct_graph *g, uint32_t session);

/*
 * What the diagnosis engine (lib/diagnose.c) reads of the graph: the object
 * behind a process's descriptor, and every descriptor open on an object.
 */
struct ipct_graph_obj {
	uint64_t ino;
	int kind;                       /* IPCT_KIND_PIPE, FIFO, SOCKET, ... SHM */
	const char *path;               /* a FIFO's path, shared memory's name; NULL when unknown */
	uint64_t peer_ino;              /* AF_UNIX: the socket at the other end, 0 when none */
	uint64_t bytes_written, bytes_read;
	bool complete;                  /* created in the trace and never held from before it: every holder is traced */
};

/*
 * What pid has attached (shmat) or mapped (mmap) at addr, where a shmdt or
 * munmap of addr lets it go: the inode the events name it by (a System V
 * segment's IPCT_SYSV_SHM_INO, a /dev/shm file's inode); 0 when nothing is
 * known there, or a shared anonymous mapping (which no event names).
 */
uint64_t ipct_graph_shm_at(struct ipct_graph *g, uint32_t pid, uint64_t addr);
/*
 * The shared memory that pid has mapped (mmap) where addr is, anywhere in
 * the mapping (a futex's, a POSIX semaphore's): the key the graph has it
 * by (a /dev/shm file's inode), *anon true for a shared anonymous mapping
 * (whose key no event names); 0 when nothing is known there.
 */
uint64_t ipct_graph_mapping_at(struct ipct_graph *g, uint32_t pid, uint64_t addr, bool *anon);

/* pid's descriptor fd: its object and end (1 read, 2 write, 3 both); false when the graph does not know it. */
bool ipct_graph_fd(struct ipct_graph *g, uint32_t pid, int fd, struct ipct_graph_obj *obj, unsigned *mode);

/*
 * What the graph knows of a process's descriptor beyond what it holds
 * (docs/diagnoses.md, bad_fd): for one that is closed, the call that last
 * closed it (close, close_range, exec's close-on-exec); for one that is
 * open, the call that made it (a pipe's, a socket's or a FIFO's, or a copy
 * of a file or terminal that a standard stream was).
 */
enum ipct_fdn_state {
	IPCT_FDN_NONE,                  /* the trace saw nothing of it */
	IPCT_FDN_UNKNOWN,               /* the process's notes overflowed, or the graph does not know it */
	IPCT_FDN_CLOSED,
	IPCT_FDN_OPEN,
};

struct ipct_graph_fdnote {
	enum ipct_fdn_state state;
	uint64_t ts;                    /* when */
	uint32_t pid;                   /* who (its parent before a fork, a process sharing the table) */
	char comm[IPCT_COMM_LEN + 1];
	const char *call;               /* "close", "close_range", "exec", "dup2", "pipe", ...; NULL: unknown */
	int from;                       /* dup, dup2, dup3, fcntl: the descriptor copied; else -1 */
	int kind;                       /* what it was or is: IPCT_KIND_*, NONE when unknown */
	uint64_t ino;
	unsigned mode;                  /* 1 read, 2 write, 3 both; 0 unknown */
	bool reopened;                  /* CLOSED: files were opened at that number and closed since */
};

void ipct_graph_fd_note(struct ipct_graph *g, uint32_t pid, int fd, struct ipct_graph_fdnote *out);

/*
 * Calls fn for every descriptor pid's table holds (in no particular order),
 * with its object, end and when the call that made it ran (a copy made by
 * fork keeps its original's time); false when the graph does not know pid.
 */
bool ipct_graph_proc_fds(struct ipct_graph *g, uint32_t pid,
			 void (*fn)(int fd, const struct ipct_graph_obj *obj, unsigned mode, uint64_t made_ns, void *ctx),
			 void *ctx);

/* Calls fn for every descriptor open on the session's object ino; false when there is no such object. */
bool ipct_graph_holders(struct ipct_graph *g, uint32_t session, uint64_t ino,
			void (*fn)(uint32_t pid, int fd, unsigned mode, void *ctx), void *ctx,
			struct ipct_graph_obj *obj);

/* The fields `ipctrace pipes` matches on; appends the objects of a JSON array that match m to out. */
extern const struct ipct_match_field ipct_graph_fields[];
void ipct_graph_filter(struct json_object *objects, const struct ipct_match *m, struct json_object *out);
