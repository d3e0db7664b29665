// SPDX-License-Identifier: MIT
/* Unit tests for lib/quota.c: per-uid use, the checks and their messages, session caps. */
#include <errno.h>

#include "check.h"
#include "quota.h"

static void test_usage(void)
{
	struct ipct_usage u = { 0 };
	struct ipct_uid_use *a = ipct_usage_get(&u, 1000), *b = ipct_usage_get(&u, 1001);

	CHECK(a && b && a != b);
	CHECK(ipct_usage_get(&u, 1000) == a);
	a->conns = 1;
	/* Still in use: kept. */
	ipct_usage_put(&u, a);
	CHECK(ipct_usage_get(&u, 1000) == a);
	a->conns = 0;
	ipct_usage_put(&u, a);
	CHECK(u.head == b && !b->next);
	ipct_usage_put(&u, NULL);
	ipct_usage_free(&u);
	CHECK(!u.head);
}

static void test_conn(void)
{
	struct ipct_limits l = IPCT_LIMITS_DEFAULT;
	struct ipct_uid_use e = { .uid = 65534, .conns = 63 };
	char msg[256] = "";

	CHECK_INT(ipct_limits_conn(&l, &e, 63, 1000, msg, sizeof(msg)), 0);
	e.conns = 64;
	CHECK_INT(ipct_limits_conn(&l, &e, 64, 1000, msg, sizeof(msg)), -EDQUOT);
	CHECK_STR(msg, "connection limit reached: uid 65534 has 64 connections open, the most a user "
		  "may have (ipctraced --uid-connections)");
	/* Under its own limit, but the users together are at theirs. */
	e.conns = 3;
	CHECK_INT(ipct_limits_conn(&l, &e, 1000, 1000, msg, sizeof(msg)), -EDQUOT);
	CHECK_STR(msg, "connection limit reached: users hold 1000 connections, the most all users "
		  "together may; the rest are kept for root and the ipctrace group (ipctraced --reserve)");
}

static void test_session(void)
{
	struct ipct_limits l = IPCT_LIMITS_DEFAULT;
	struct ipct_uid_use e = { .uid = 1000, .sessions = 15 };
	char msg[256] = "";

	CHECK_INT(ipct_limits_session(&l, &e, 4095, msg, sizeof(msg)), 0);
	CHECK_INT(ipct_limits_session(&l, &e, 4096, msg, sizeof(msg)), -EDQUOT);
	CHECK_STR(msg, "traced process limit reached: uid 1000's sessions trace 4096 processes, the most "
		  "a user may (ipctraced --uid-processes)");
	e.sessions = 16;
	CHECK_INT(ipct_limits_session(&l, &e, 0, msg, sizeof(msg)), -EDQUOT);
	CHECK_STR(msg, "session limit reached: uid 1000 has 16 sessions, the most a user may have "
		  "(ipctraced --uid-sessions)");
}

int main(void)
{
	test_usage();
	test_conn();
	test_session();
	return check_done("quota");
}
