/* SPDX-License-Identifier: MIT */
/*
 * The time each message spends in a message queue, from the send that put
 * it in to the receive that took it out, matched from the events alone:
 * messages of one priority (POSIX) or one mtype (System V) leave in the
 * order they came, and every receive event says which priority or mtype
 * it took. Pure: tested by replay (tests/unit/test-qtime.c).
 */
#pragma once

#include <stdint.h>

struct ipct_qtime;

/* NULL on ENOMEM. */
struct ipct_qtime *ipct_qtime_new(void);
void ipct_qtime_free(struct ipct_qtime *q);

/*
 * A send of a message with this key (priority or mtype) that returned at
 * ts. Events of two processes come in the order their calls returned, so
 * the receive that took a message can come first: then this send completes
 * it, and its queue time is returned (0 when the receive returned first:
 * the receiver was waiting). -1 when the message is now in the queue.
 */
int64_t ipct_qtime_send(struct ipct_qtime *q, int64_t key, uint64_t ts);

/*
 * A receive that took a message with this key and returned at ts: the
 * message's time in the queue, or -1 when its send is not known yet (it
 * is then matched by the next send of that key).
 */
int64_t ipct_qtime_recv(struct ipct_qtime *q, int64_t key, uint64_t ts);

/*
 * A receive that took a message whose key it does not say (a POSIX receive
 * without a priority pointer): the oldest of the highest key's messages,
 * which is what a POSIX queue gives out. Its time, or -1 when no send is
 * known (it is then not timed).
 */
int64_t ipct_qtime_recv_highest(struct ipct_qtime *q, uint64_t ts);

/* Messages sent and not yet taken, by what the events said. */
uint64_t ipct_qtime_queued(const struct ipct_qtime *q);
