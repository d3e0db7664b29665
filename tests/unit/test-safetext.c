// SPDX-License-Identifier: MIT
/*
 * Unit tests for lib/safetext.c: what a terminal is shown of a name a
 * traced program chose, its width in columns, and the JSON fix for bytes
 * that are not UTF-8.
 */
#include <json-c/json.h>

#include "check.h"
#include "safetext.h"

static void check_escape(const char *in, const char *want, int want_width)
{
	char buf[256];
	int w = ipct_text_escape(buf, sizeof(buf), in, strlen(in));

	CHECK_STR(buf, want);
	CHECK_INT(w, want_width);
	CHECK_INT(ipct_text_width(buf), want_width);
}

static void test_escape(void)
{
	check_escape("sleep", "sleep", 5);
	check_escape("e\033[2Jx", "e\\x1b[2Jx", 9);
	check_escape("a\tb\x7f", "a\\x09b\\x7f", 10);
	check_escape("back\\slash", "back\\\\slash", 11);
	check_escape("caf\xe9", "caf\\xe9", 7);
	check_escape("caf\xc3\xa9", "caf\xc3\xa9", 4);                  /* é is text */
	check_escape("\xc2\x9b" "2J", "\\u{009b}2J", 10);               /* C1 CSI */
	check_escape("a\xe2\x80\xae" "b", "a\\u{202e}b", 10);           /* RLO */
	check_escape("\xe2\x81\xa6x", "\\u{2066}x", 9);                 /* LRI */
	check_escape("\xe5\x90\x8d\xe5\x89\x8dx", "\xe5\x90\x8d\xe5\x89\x8dx", 5);
	check_escape("\xc0\x80", "\\xc0\\x80", 8);                      /* overlong NUL */
	check_escape("\xed\xa0\x80", "\\xed\\xa0\\x80", 12);            /* a surrogate */
	check_escape("\xe5\x90", "\\xe5\\x90", 8);                      /* cut short */
}

static void test_escape_cut(void)
{
	char buf[6];

	/* An escape that does not fit is left out whole, never half written. */
	ipct_text_escape(buf, sizeof(buf), "ab\033cd", 5);
	CHECK_STR(buf, "ab");
	ipct_text_escape(buf, sizeof(buf), "abcdefgh", 3);
	CHECK_STR(buf, "abc");
	/* A run of plain text is cut where the buffer ends, and counted as far as it goes. */
	CHECK_INT(ipct_text_escape(buf, sizeof(buf), "abcdefgh", 8), 5);
	CHECK_STR(buf, "abcde");
	CHECK_INT(ipct_text_escape(buf, sizeof(buf), "a\\bcdef", 7), 5);
	CHECK_STR(buf, "a\\\\bc");
}

static void test_pad(void)
{
	struct ipct_buf b = { 0 };

	CHECK_INT(ipct_buf_pad(&b, "\xe5\x90\x8dx", 6), 0);
	CHECK_INT(ipct_buf_len(&b), 4 + 3);     /* 3 columns of text, 3 spaces */
	ipct_buf_free(&b);
}

static void check_wrap(const char *in, int indent, int width, const char *want)
{
	struct ipct_buf b = { 0 };
	char *got;

	CHECK_INT(ipct_buf_wrap(&b, in, indent, width), 0);
	got = strndup(b.data + b.start, ipct_buf_len(&b));
	CHECK_STR(got, want);
	free(got);
	ipct_buf_free(&b);
}

static void test_wrap(void)
{
	check_wrap("short line", 4, 20, "short line\n");
	check_wrap("one two three four", 2, 9, "one two\n  three\n  four\n");
	/* Column padding is no line's end; a word wider than the line stays whole. */
	check_wrap("a      bbbbbbbbbbbb c", 1, 8, "a\n bbbbbbbbbbbb\n c\n");
	/* Colours take no columns. */
	check_wrap("\033[1mbold\033[0m text", 0, 9, "\033[1mbold\033[0m text\n");
	check_wrap("\xe5\x90\x8d\xe5\x89\x8d ab", 0, 6, "\xe5\x90\x8d\xe5\x89\x8d\nab\n");
}

static void test_json(void)
{
	struct ipct_buf b = { 0 };
	struct json_object *o = json_object_new_object();
	char *line;

	ipct_buf_printf(&b, "{\"keep\":\"caf\xc3\xa9\"}\n");
	json_object_object_add(o, "comm", json_object_new_string("caf\xe9\033"));
	CHECK_INT(ipct_json_line(&b, o), 0);
	line = strndup(b.data + b.start, ipct_buf_len(&b));
	CHECK_STR(line, "{\"keep\":\"caf\xc3\xa9\"}\n{\"comm\":\"caf\\ufffd\\u001b\"}\n");
	free(line);
	json_object_put(o);
	ipct_buf_free(&b);
}

int main(void)
{
	test_escape();
	test_escape_cut();
	test_pad();
	test_wrap();
	test_json();
	return check_done("test-safetext");
}
