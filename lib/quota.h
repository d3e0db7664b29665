/* SPDX-License-Identifier: MIT */
/*
 * What each user may hold of a shared ipctraced: connections, sessions,
 * traced processes, bytes queued to their clients; the use of each uid,
 * and the checks that refuse a request past a limit with a message that
 * names it. Root and the ipctrace group are not held to these (the daemon
 * does not ask): they are served from a reserve of descriptors the users
 * together cannot take.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipct_limits {
	uint32_t conns;         /* connections per uid (ipctraced --uid-connections) */
	uint32_t sessions;      /* live sessions per uid (--uid-sessions) */
	uint32_t procs;         /* processes traced per uid (--uid-processes) */
	uint32_t session_procs; /* processes traced per session (--session-processes) */
	uint64_t queued;        /* bytes waiting to be sent to a uid's clients (--uid-queued-mib) */
	uint32_t reserve;       /* descriptors kept for root, the ipctrace group and the daemon (--reserve) */
};

#define IPCT_LIMITS_DEFAULT { .conns = 64, .sessions = 16, .procs = 4096, .session_procs = 4096, \
			      .queued = 64u << 20, .reserve = 256 }

/* One user's use of the daemon; an entry lives while any of it is nonzero. */
struct ipct_uid_use {
	uint32_t uid;
	uint32_t conns;
	uint32_t sessions;
	uint64_t queued;
	uint32_t kslot;         /* the daemon's: its count of traced processes in the kernel side, while it has sessions */
	struct ipct_uid_use *next;
};

struct ipct_usage {
	struct ipct_uid_use *head;
	uint32_t users_conns;   /* connections of clients held to the limits, all uids */
};

/* uid's entry, made if it has none: NULL when out of memory. */
struct ipct_uid_use *ipct_usage_get(struct ipct_usage *u, uint32_t uid);
/* Frees e if nothing is counted in it any more. */
void ipct_usage_put(struct ipct_usage *u, struct ipct_uid_use *e);
void ipct_usage_free(struct ipct_usage *u);

/*
 * Whether a user (e) may have one more connection, with users_max the
 * most all users may hold together: 0, or -EDQUOT with msg naming the limit.
 */
int ipct_limits_conn(const struct ipct_limits *l, const struct ipct_uid_use *e,
		     uint32_t users_conns, uint32_t users_max, char *msg, size_t len);
/* Whether a user whose sessions trace procs processes now may start one more session. */
int ipct_limits_session(const struct ipct_limits *l, const struct ipct_uid_use *e, uint64_t procs,
			char *msg, size_t len);
