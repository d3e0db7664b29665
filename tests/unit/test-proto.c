// SPDX-License-Identifier: MIT
/* Unit tests for lib/proto.c: buffers, framing, strict JSON parsing. */
#include <errno.h>

#include "check.h"
#include "proto.h"

int main(void)
{
	struct ipct_buf b = { 0 };
	struct ipct_msg_hdr h;
	const char *payload;
	struct json_object *o;
	char big[10000];

	/* Frames come out as they went in, also when split across reads. */
	CHECK_INT(ipct_msg_append(&b, IPCT_MSG_JSON, "{\"a\":1}", 7), 0);
	CHECK_INT(ipct_msg_append(&b, IPCT_MSG_EVENT, "xyz", 3), 0);
	CHECK_INT(ipct_msg_peek(&b, 100, &h, &payload), 1);
	CHECK_INT(h.type, IPCT_MSG_JSON);
	CHECK_INT(h.len, 7);
	CHECK(!memcmp(payload, "{\"a\":1}", 7));
	ipct_buf_consume(&b, sizeof(h) + h.len);
	CHECK_INT(ipct_msg_peek(&b, 100, &h, &payload), 1);
	CHECK_INT(h.type, IPCT_MSG_EVENT);
	ipct_buf_consume(&b, sizeof(h) + h.len);
	CHECK_INT(ipct_buf_len(&b), 0);

	/* An incomplete frame waits; an oversized or unknown one is an error. */
	CHECK_INT(ipct_msg_append(&b, IPCT_MSG_JSON, "{}", 2), 0);
	b.end--;
	CHECK_INT(ipct_msg_peek(&b, 100, &h, &payload), 0);
	b.end++;
	CHECK_INT(ipct_msg_peek(&b, 1, &h, &payload), -EMSGSIZE);
	b.data[b.start + 4] = 9;
	CHECK_INT(ipct_msg_peek(&b, 100, &h, &payload), -EBADMSG);
	ipct_buf_consume(&b, ipct_buf_len(&b));

	/* Growth and sliding keep the bytes. */
	memset(big, 'q', sizeof(big));
	for (int i = 0; i < 100; i++)
		CHECK_INT(ipct_buf_append(&b, big, sizeof(big)), 0);
	ipct_buf_consume(&b, 999999);
	CHECK_INT(ipct_buf_len(&b), 1);
	CHECK_INT(ipct_buf_printf(&b, "%d-%s", 42, "x"), 0);
	CHECK(!memcmp(b.data + b.start, "q42-x", 5));
	ipct_buf_free(&b);

	/* Strict JSON: one object, nothing after it. */
	o = ipct_json_parse("{\"cmd\":\"stats\"}", 15);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK(ipct_json_parse("{\"cmd\":\"stats\"} x", 17) == NULL);
	CHECK(ipct_json_parse("[1,2]", 5) == NULL);
	CHECK(ipct_json_parse("{nope", 5) == NULL);
	CHECK(ipct_json_parse("", 0) == NULL);
	CHECK(ipct_json_parse("{\"a\":1}{\"b\":2}", 14) == NULL);
	return check_done("test-proto");
}
