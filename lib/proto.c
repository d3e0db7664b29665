// SPDX-License-Identifier: MIT
/* Growable byte buffers and the frame format shared by ipctraced and its clients. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"

void ipct_buf_free(struct ipct_buf *b)
{
	free(b->data);
	*b = (struct ipct_buf){ 0 };
}

int ipct_buf_grow(struct ipct_buf *b, size_t n)
{
	size_t len = ipct_buf_len(b), cap;
	char *p;

	/* Slide the unconsumed bytes down before growing. */
	if (b->start && b->cap - len >= n) {
		memmove(b->data, b->data + b->start, len);
		b->start = 0;
		b->end = len;
		return 0;
	}
	cap = b->cap ? b->cap : 4096;
	while (cap - len < n)
		cap *= 2;
	p = malloc(cap);
	if (!p)
		return -ENOMEM;
	if (len)
		memcpy(p, b->data + b->start, len);
	free(b->data);
	b->data = p;
	b->cap = cap;
	b->start = 0;
	b->end = len;
	return 0;
}

void ipct_buf_consume(struct ipct_buf *b, size_t n)
{
	b->start += n;
	if (b->start >= b->end)
		b->start = b->end = 0;
}

int ipct_msg_append_json(struct ipct_buf *b, struct json_object *obj)
{
	size_t len;
	const char *s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	return s ? ipct_msg_append(b, IPCT_MSG_JSON, s, len) : -ENOMEM;
}

int ipct_msg_peek(const struct ipct_buf *b, size_t max, struct ipct_msg_hdr *hdr,
		  const char **payload)
{
	if (ipct_buf_len(b) < sizeof(*hdr))
		return 0;
	memcpy(hdr, b->data + b->start, sizeof(*hdr));
	if (hdr->type < IPCT_MSG_JSON || hdr->type > IPCT_MSG_SIGREC)
		return -EBADMSG;
	if (hdr->len > max)
		return -EMSGSIZE;
	if (ipct_buf_len(b) < sizeof(*hdr) + hdr->len)
		return 0;
	*payload = b->data + b->start + sizeof(*hdr);
	return 1;
}

struct json_object *ipct_json_parse(const char *p, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj;

	if (len > IPCT_MAX_REQUEST) {
		errno = EBADMSG;
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		errno = ENOMEM;
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, p, (int)len);
	/* One complete object and nothing after it. */
	if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
		errno = EBADMSG;
	}
	json_tokener_free(tok);
	return obj;
}

ssize_t ipct_buf_read_fd(struct ipct_buf *b, int fd)
{
	ssize_t n;
	int r = ipct_buf_reserve(b, 65536);

	if (r < 0)
		return r;
	do
		n = read(fd, b->data + b->end, b->cap - b->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	b->end += (size_t)n;
	return n;
}

int ipct_buf_write_fd(struct ipct_buf *b, int fd)
{
	while (ipct_buf_len(b)) {
		ssize_t n = send(fd, b->data + b->start, ipct_buf_len(b), MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		ipct_buf_consume(b, (size_t)n);
	}
	return 0;
}

int ipct_buf_write_all(struct ipct_buf *b, int fd)
{
	while (ipct_buf_len(b)) {
		ssize_t n = send(fd, b->data + b->start, ipct_buf_len(b), MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ipct_buf_consume(b, (size_t)n);
	}
	return 0;
}

int ipct_buf_printf(struct ipct_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	r = ipct_buf_reserve(b, (size_t)n + 1);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->data + b->end, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->end += (size_t)n;
	return 0;
}
