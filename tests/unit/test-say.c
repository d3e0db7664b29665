// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/say.c: a message built a clause at a time is the text
 * printf gives, and its parts (JSON) give that text again; words and
 * clauses nest as arrays; a part renders its arguments in the order a
 * translation names them, and one that names an argument it lacks is
 * refused, so that the CLI shows the English message instead.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "say.h"

static const char *render(const char *json, char *buf, size_t len)
{
	struct json_object *parts = json_tokener_parse(json);
	int n = ipct_parts_render(parts, false, buf, len);

	json_object_put(parts);
	return n < 0 ? "(refused)" : buf;
}

static void test_conversions(void)
{
	struct ipct_text t = { .len = 0 };
	struct json_object *parts;
	char want[256], buf[256];

	ipct_say(&t, "%s[%u] %d%% %zu %ld %.1f|%5s|%-3d|%x|%.*s|%c", "cat", 12u, -3, (size_t)7, -8L, 2.25, "ab",
		 4, 255u, 2, "xyz", 'q');
	snprintf(want, sizeof(want), "%s[%u] %d%% %zu %ld %.1f|%5s|%-3d|%x|%.*s|%c", "cat", 12u, -3, (size_t)7, -8L,
		 2.25, "ab", 4, 255u, 2, "xyz", 'q');
	CHECK_STR(t.buf, want);
	CHECK_INT(t.len, strlen(want));
	parts = ipct_text_parts(&t);
	CHECK_STR(json_object_to_json_string_ext(parts, JSON_C_TO_STRING_PLAIN),
		  "[[\"%s[%u] %d%% %zu %ld %.1f|%5s|%-3d|%x|%.*s|%c\",\"cat\",\"12\",\"-3\",\"7\",\"-8\",\"2.2\","
		  "\"   ab\",\"4  \",\"ff\",\"xy\",\"q\"]]");
	CHECK(ipct_parts_render(parts, false, buf, sizeof(buf)) == (int)strlen(want));
	CHECK_STR(buf, want);
	json_object_put(parts);
}

static void test_words_and_clauses(void)
{
	struct ipct_text t = { .len = 0 };
	struct json_object *parts;
	char sub[64], buf[256];

	ipct_say(&t, "no %s %d; ", IPCT_W("thread id"), 5);
	ipct_say(&t, "it %s", ipct_sub(sub, sizeof(sub), "exited %d", 3));
	CHECK_STR(t.buf, "no thread id 5; it exited 3");
	parts = ipct_text_parts(&t);
	CHECK_STR(json_object_to_json_string_ext(parts, JSON_C_TO_STRING_PLAIN),
		  "[[\"no %s %d; \",[\"thread id\"],\"5\"],[\"it %s\",[\"exited %d\",\"3\"]]]");
	CHECK(ipct_parts_render(parts, false, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, t.buf);
	json_object_put(parts);
}

static void test_render(void)
{
	struct json_object *d;
	char buf[64], text[64];

	/* Positional conversions, as a translation reorders them. */
	CHECK_STR(render("[[\"%2$s then %1$s (%3$d%%)\",\"a\",\"b\",\"7\"]]", buf, sizeof(buf)), "b then a (7%)");
	/* A conversion with no argument left, or a nested word that is no list of strings: refused. */
	CHECK_STR(render("[[\"%s and %s\",\"a\"]]", buf, sizeof(buf)), "(refused)");
	CHECK_STR(render("[[\"%3$s\",\"a\",\"b\"]]", buf, sizeof(buf)), "(refused)");
	CHECK_STR(render("[[\"%s\",[\"%s\",[\"x\"]]]]", buf, sizeof(buf)), "(refused)");
	CHECK_STR(render("[[]]", buf, sizeof(buf)), "(refused)");
	CHECK_STR(render("\"text\"", buf, sizeof(buf)), "(refused)");
	/* Cut at the buffer, the length it wanted counted, as snprintf. */
	d = json_tokener_parse("[[\"%s\",\"abcdef\"]]");
	CHECK_INT(ipct_parts_render(d, false, buf, 4), 6);
	CHECK_STR(buf, "abc");
	json_object_put(d);

	/* ipct_said: the parts when they render, else the English text; NULL with neither. */
	d = json_tokener_parse("{\"message\":\"english\",\"message_parts\":[[\"%s!\",\"hi\"]]}");
	CHECK_STR(ipct_said(d, "message", text, sizeof(text)), "hi!");
	json_object_put(d);
	d = json_tokener_parse("{\"message\":\"english\",\"message_parts\":[[\"%s %s\",\"hi\"]]}");
	CHECK_STR(ipct_said(d, "message", text, sizeof(text)), "english");
	json_object_put(d);
	d = json_tokener_parse("{\"message\":\"english\",\"message_parts\":null}");
	CHECK_STR(ipct_said(d, "message", text, sizeof(text)), "english");
	json_object_put(d);
	d = json_tokener_parse("{}");
	CHECK(ipct_said(d, "message", text, sizeof(text)) == NULL);
	json_object_put(d);
}

/* A message longer than the text's room: cut as before, and without parts (the CLI shows the cut English). */
static void test_overflow(void)
{
	struct ipct_text t = { .len = 0 };

	for (int i = 0; i < 200; i++)
		ipct_say(&t, "clause %d of a long message; ", i);
	CHECK_INT(t.len, sizeof(t.buf) - 1);
	CHECK_INT(strlen(t.buf), sizeof(t.buf) - 1);
	CHECK(t.over);
	CHECK(ipct_text_parts(&t) == NULL);
}

int main(void)
{
	test_conversions();
	test_words_and_clauses();
	test_render();
	test_overflow();
	return check_done("test-say");
}
