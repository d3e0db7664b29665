// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/say.c: a message built a clause at a time is the text
 * printf gives, and its parts (JSON) give that text again; words and
 * clauses nest as arrays; a part renders its arguments in the order a
 * translation names them, and one that names an argument it lacks is
 * refused, so that the CLI shows the English message instead. say.c
 * holds the one parser of printf conversions (the daemon's errors,
 * lib/errmsg.c, go through it too): it is tested here, both ways.
 */
#include <errno.h>
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

	/* %m is strerror(errno), kept as an argument; %% none. */
	t = (struct ipct_text){ .len = 0 };
	errno = EPERM;
	ipct_say(&t, "%s: %m (100%%, %#llx %hhu %+.2e)", "kill", 0x1fULL, (unsigned char)200, 1.5);
	CHECK_STR(t.buf, "kill: Operation not permitted (100%, 0x1f 200 +1.50e+00)");
	parts = ipct_text_parts(&t);
	CHECK_STR(json_object_to_json_string_ext(parts, JSON_C_TO_STRING_PLAIN),
		  "[[\"%s: %m (100%%, %#llx %hhu %+.2e)\",\"kill\",\"Operation not permitted\",\"0x1f\",\"200\","
		  "\"+1.50e+00\"]]");
	json_object_put(parts);
}

/*
 * What a format of the source cannot keep apart is said as printf says it,
 * without parts (the CLI shows that English): a %N$ (the source names its
 * arguments in order), more conversions than a clause holds.
 */
static void test_unkept(void)
{
	struct ipct_text t = { .len = 0 };
	char sub[64];

	ipct_say(&t, "%2$s %1$s", "a", "b");
	CHECK_STR(t.buf, "b a");
	CHECK(t.over && !ipct_text_parts(&t));

	t = (struct ipct_text){ .len = 0 };
	ipct_say(&t, "%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7);
	CHECK_STR(t.buf, "12345678901234567");
	CHECK(t.over && !ipct_text_parts(&t));

	/* A clause that cannot be kept apart is its English text, a plain argument. */
	CHECK_STR(ipct_sub(sub, sizeof(sub), "%2$s-%1$s", "a", "b"), "b-a");
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

	/*
	 * A format as a translation has it: the arguments in order, or where
	 * %N$ says (again, too); widths, precisions, '*', flags and length
	 * modifiers were applied in the source and take nothing here.
	 */
	static const struct {
		const char *parts, *want;
	} cases[] = {
		{ "[[\"%2$s then %1$s (%3$d%%)\",\"a\",\"b\",\"7\"]]", "b then a (7%)" },
		{ "[[\"%1$s=%1$s, %2$u\",\"a\",\"3\"]]", "a=a, 3" },
		{ "[[\"%-5s|%.3s|%*d|%08.2f|%lld|%zu|%#x\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"]]", "a|b|c|d|e|f|g" },
		{ "[[\"%m, %s\",\"No such file or directory\",\"x\"]]", "No such file or directory, x" },
		{ "[[\"%%s 100%%\"]]", "%s 100%" },
		{ "[[\"%s \",\"a\"],[\"%s\",\"b\"]]", "a b" },
		{ "[[\"\"]]", "" },
		/* More conversions than arguments, a position past them or 0: refused. */
		{ "[[\"%s and %s\",\"a\"]]", "(refused)" },
		{ "[[\"%3$s\",\"a\",\"b\"]]", "(refused)" },
		{ "[[\"%0$s\",\"a\"]]", "(refused)" },
		/* Malformed: no conversion letter, one printf lacks, %n (a format from elsewhere is never printf's). */
		{ "[[\"50%\",\"a\"]]", "(refused)" },
		{ "[[\"%5$\",\"a\"]]", "(refused)" },
		{ "[[\"bad %q\",\"a\"]]", "(refused)" },
		{ "[[\"%n\",\"a\"]]", "(refused)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(render(cases[i].parts, buf, sizeof(buf)), cases[i].want);
	/* A nested word that is no list of strings, a part that is no list: refused. */
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
	test_unkept();
	test_words_and_clauses();
	test_render();
	test_overflow();
	return check_done("test-say");
}
