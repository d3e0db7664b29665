// SPDX-License-Identifier: MIT
/* lib/qtime.c: per-message queue times matched by replaying sends and receives. */
#include "check.h"
#include "qtime.h"

/* POSIX: taken highest priority first, FIFO within one priority. */
static void test_priorities(void)
{
	struct ipct_qtime *q = ipct_qtime_new();

	CHECK(q);
	CHECK_INT(ipct_qtime_send(q, 0, 100), -1);
	CHECK_INT(ipct_qtime_send(q, 2, 110), -1);
	CHECK_INT(ipct_qtime_send(q, 0, 120), -1);
	CHECK_INT(ipct_qtime_send(q, 2, 130), -1);
	CHECK_INT(ipct_qtime_queued(q), 4);
	/* The two of priority 2, oldest first, then those of 0. */
	CHECK_INT(ipct_qtime_recv(q, 2, 200), 90);
	CHECK_INT(ipct_qtime_recv(q, 2, 210), 80);
	CHECK_INT(ipct_qtime_recv(q, 0, 220), 120);
	CHECK_INT(ipct_qtime_recv(q, 0, 230), 110);
	CHECK_INT(ipct_qtime_queued(q), 0);
	ipct_qtime_free(q);
}

/*
 * System V: msgrcv with mtype 2, then -1 (the lowest <= 1), then 0 (the
 * first): whatever it asked for, the event says which mtype it took.
 */
static void test_mtypes(void)
{
	struct ipct_qtime *q = ipct_qtime_new();

	for (int i = 0; i < 6; i++)
		CHECK_INT(ipct_qtime_send(q, 1 + i % 3, 1000 + 10 * i), -1);
	CHECK_INT(ipct_qtime_recv(q, 2, 2000), 990);    /* sent at 1010 */
	CHECK_INT(ipct_qtime_recv(q, 2, 2000), 960);    /* 1040 */
	CHECK_INT(ipct_qtime_recv(q, 1, 2000), 1000);   /* 1000 */
	CHECK_INT(ipct_qtime_recv(q, 1, 2000), 970);    /* 1030 */
	CHECK_INT(ipct_qtime_recv(q, 3, 2000), 980);    /* 1020 */
	CHECK_INT(ipct_qtime_recv(q, 3, 2000), 950);    /* 1050 */
	ipct_qtime_free(q);
}

/* A waiting receiver's event can come before its sender's: matched when the send comes. */
static void test_receive_first(void)
{
	struct ipct_qtime *q = ipct_qtime_new();

	CHECK_INT(ipct_qtime_recv(q, 5, 500), -1);
	CHECK_INT(ipct_qtime_queued(q), 0);
	CHECK_INT(ipct_qtime_send(q, 5, 499), 1);
	/* Returned before its sender did: it waited, the message did not. */
	CHECK_INT(ipct_qtime_recv(q, 5, 600), -1);
	CHECK_INT(ipct_qtime_send(q, 5, 601), 0);
	/* Then the FIFO holds sends again. */
	CHECK_INT(ipct_qtime_send(q, 5, 700), -1);
	CHECK_INT(ipct_qtime_recv(q, 5, 900), 200);
	ipct_qtime_free(q);
}

/* A POSIX receive that does not say the priority it took: the highest's oldest. */
static void test_highest(void)
{
	struct ipct_qtime *q = ipct_qtime_new();

	CHECK_INT(ipct_qtime_recv_highest(q, 10), -1);
	CHECK_INT(ipct_qtime_queued(q), 0);
	CHECK_INT(ipct_qtime_send(q, 1, 100), -1);
	CHECK_INT(ipct_qtime_send(q, 7, 110), -1);
	CHECK_INT(ipct_qtime_send(q, 7, 120), -1);
	CHECK_INT(ipct_qtime_recv_highest(q, 200), 90);
	CHECK_INT(ipct_qtime_recv_highest(q, 210), 90);
	CHECK_INT(ipct_qtime_recv_highest(q, 220), 120);
	CHECK_INT(ipct_qtime_queued(q), 0);
	/* A receive with its priority, before its send, is not taken for a send. */
	CHECK_INT(ipct_qtime_recv(q, 3, 300), -1);
	CHECK_INT(ipct_qtime_recv_highest(q, 310), -1);
	ipct_qtime_free(q);
}

/* A queue that never drains keeps at most 65536 unmatched sends per key, the newest. */
static void test_bounded(void)
{
	struct ipct_qtime *q = ipct_qtime_new();

	for (uint64_t i = 0; i < 70000; i++)
		ipct_qtime_send(q, 0, i);
	CHECK_INT(ipct_qtime_queued(q), 65536);
	CHECK_INT(ipct_qtime_recv(q, 0, 100000), 100000 - (70000 - 65536));
	ipct_qtime_free(q);
}

int main(void)
{
	test_priorities();
	test_mtypes();
	test_receive_first();
	test_highest();
	test_bounded();
	return check_done("qtime");
}
