/* SPDX-License-Identifier: MIT */
/* Byte buffers and the framing of include/ipctrace/proto.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <json-c/json.h>

#include "ipctrace/proto.h"

struct ipct_buf {
	char *data;
	size_t start;           /* first unconsumed byte */
	size_t end;             /* one past the last byte */
	size_t cap;
};

void ipct_buf_free(struct ipct_buf *b);
static inline size_t ipct_buf_len(const struct ipct_buf *b)
{
	return b->end - b->start;
}
/* Makes room for n more bytes at the end (what ipct_buf_reserve does when there is none); -ENOMEM. */
int ipct_buf_grow(struct ipct_buf *b, size_t n);

/* Inline: the JSON writer appends a few bytes at a time, millions of times. */
static inline int ipct_buf_reserve(struct ipct_buf *b, size_t n)
{
	return b->cap - b->end >= n ? 0 : ipct_buf_grow(b, n);
}

static inline int ipct_buf_append(struct ipct_buf *b, const void *p, size_t n)
{
	int r = ipct_buf_reserve(b, n);

	if (r < 0)
		return r;
	memcpy(b->data + b->end, p, n);
	b->end += n;
	return 0;
}
void ipct_buf_consume(struct ipct_buf *b, size_t n);

/* Appends one frame to a buffer known to have room for it. */
static inline void ipct_msg_put(struct ipct_buf *b, uint16_t type, const void *payload, size_t len)
{
	struct ipct_msg_hdr h = { .len = (uint32_t)len, .type = type };

	memcpy(b->data + b->end, &h, sizeof(h));
	memcpy(b->data + b->end + sizeof(h), payload, len);
	b->end += sizeof(h) + len;
}

/* Appends one frame. Inline: the daemon streams events, whose frame of a known size is then copied without a call. */
static inline int ipct_msg_append(struct ipct_buf *b, uint16_t type, const void *payload, size_t len)
{
	int r = ipct_buf_reserve(b, sizeof(struct ipct_msg_hdr) + len);

	if (r < 0)
		return r;
	ipct_msg_put(b, type, payload, len);
	return 0;
}
int ipct_msg_append_json(struct ipct_buf *b, struct json_object *obj);

/*
 * The next complete frame at the start of b: 1 with hdr and payload set (the
 * caller consumes sizeof(hdr) + hdr->len), 0 when incomplete, -EMSGSIZE
 * when the header announces more than max bytes, -EBADMSG for a bad type.
 */
int ipct_msg_peek(const struct ipct_buf *b, size_t max, struct ipct_msg_hdr *hdr,
		  const char **payload);

/*
 * Parses a JSON frame's payload strictly: one object, nothing after it.
 * NULL with errno EBADMSG otherwise.
 */
struct json_object *ipct_json_parse(const char *p, size_t len);

/* Reads what the socket has into b: bytes read, 0 at EOF, -errno (-EAGAIN). */
ssize_t ipct_buf_read_fd(struct ipct_buf *b, int fd);
/* Writes what it can of b to a socket without blocking: -errno on failure, else 0. */
int ipct_buf_write_fd(struct ipct_buf *b, int fd);
/* Writes all of b, blocking: -errno. */
int ipct_buf_write_all(struct ipct_buf *b, int fd);

/* printf onto the end of b. */
int ipct_buf_printf(struct ipct_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
