// SPDX-License-Identifier: MIT
/*
 * Per-uid accounting for ipctraced (quota.h): a list of the users who hold
 * something (a few hundred on a lab's machine: found at accept and session
 * start only; the hot paths keep a pointer to their entry).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "i18n.h"
#include "quota.h"

struct ipct_uid_use *ipct_usage_get(struct ipct_usage *u, uint32_t uid)
{
	struct ipct_uid_use *e;

	for (e = u->head; e; e = e->next)
		if (e->uid == uid)
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->uid = uid;
	e->next = u->head;
	u->head = e;
	return e;
}

void ipct_usage_put(struct ipct_usage *u, struct ipct_uid_use *e)
{
	if (!e || e->conns || e->sessions || e->queued)
		return;
	for (struct ipct_uid_use **pp = &u->head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			free(e);
			return;
		}
	}
}

void ipct_usage_free(struct ipct_usage *u)
{
	while (u->head) {
		struct ipct_uid_use *e = u->head;

		u->head = e->next;
		free(e);
	}
}

int ipct_limits_conn(const struct ipct_limits *l, const struct ipct_uid_use *e,
		     uint32_t users_conns, uint32_t users_max, char *msg, size_t len)
{
	if (e->conns >= l->conns) {
		snprintf(msg, len, _("connection limit reached: uid %u has %u connections open, the most "
			 "a user may have (ipctraced --uid-connections)"), e->uid, e->conns);
		return -EDQUOT;
	}
	if (users_conns >= users_max) {
		snprintf(msg, len, _("connection limit reached: users hold %u connections, the most all "
			 "users together may; the rest are kept for root and the ipctrace group "
			 "(ipctraced --reserve)"), users_conns);
		return -EDQUOT;
	}
	return 0;
}

int ipct_limits_session(const struct ipct_limits *l, const struct ipct_uid_use *e, uint64_t procs,
			char *msg, size_t len)
{
	if (e->sessions >= l->sessions) {
		snprintf(msg, len, _("session limit reached: uid %u has %u sessions, the most a user may "
			 "have (ipctraced --uid-sessions)"), e->uid, e->sessions);
		return -EDQUOT;
	}
	if (procs >= l->procs) {
		snprintf(msg, len, _("traced process limit reached: uid %u's sessions trace %llu processes, "
			 "the most a user may (ipctraced --uid-processes)"), e->uid, (unsigned long long)procs);
		return -EDQUOT;
	}
	return 0;
}

