// SPDX-License-Identifier: MIT
/*
 * Escaping of names that traced programs choose, as strace escapes them:
 * a process named "e\033[2Jx" must not clear the screen of whoever reads
 * the trace, nor a right-to-left override reorder a line, and JSON must
 * stay valid UTF-8 whatever bytes a name holds.
 */
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <json-c/json.h>

#include "safetext.h"

/* The code point of the UTF-8 sequence at s (at most n bytes) and its length; 0 when it is none. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and what lies past Unicode are not UTF-8. */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/* Characters that change how a terminal lays out what follows them. */
static bool layout_control(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x61c || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * A character's columns, as a UTF-8 terminal shows it, whatever this
 * process's locale (ipctrace does not call setlocale: its own text is
 * ASCII). -1: not printable.
 */
static locale_t utf8;

static void utf8_open(void)
{
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static int char_width(uint32_t c)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	locale_t old;
	int w;

	if (c < 0x80)
		return c >= 0x20 && c < 0x7f ? 1 : -1;
	/* The daemon's threads format too. */
	pthread_once(&once, utf8_open);
	if (!utf8)
		return 1;
	old = uselocale(utf8);
	w = wcwidth((wchar_t)c);
	uselocale(old);
	return w;
}

int ipct_text_escape(char *dst, size_t len, const char *s, size_t n)
{
	/* What is its own escape: printable ASCII but the backslash. */
	static const bool plain[256] = { [0x20 ... '\\' - 1] = true, ['\\' + 1 ... 0x7e] = true };
	const unsigned char *u = (const unsigned char *)s;
	size_t used = 0, k;
	int width = 0;

	n = strnlen(s, n);
	if (!len)
		return 0;
	for (size_t i = 0; i < n; i += k) {
		char esc[16];
		const char *piece = esc;
		uint32_t c;
		int w;

		/* Most names are printable ASCII: a run of it as it is, a column a byte. */
		if (plain[u[i]]) {
			size_t run = 1;

			while (i + run < n && plain[u[i + run]])
				run++;
			k = used + run < len ? run : len - 1 - used;
			memcpy(dst + used, s + i, k);
			used += k;
			width += (int)k;
			if (k < run)
				break;
			continue;
		}
		k = utf8_decode(u + i, n - i, &c);
		if (!k) {
			snprintf(esc, sizeof(esc), "\\x%02x", u[i]);
			k = 1;
		} else if (c == '\\') {
			strcpy(esc, "\\\\");
		} else if (c < 0x80 && (c < 0x20 || c == 0x7f)) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)c);
		} else if (layout_control(c) || (w = char_width(c)) < 0) {
			snprintf(esc, sizeof(esc), "\\u{%04x}", (unsigned)c);
		} else {
			piece = s + i;
			if (used + k >= len)
				break;
			memcpy(dst + used, piece, k);
			used += k;
			width += w;
			continue;
		}
		if (used + strlen(esc) >= len)
			break;
		memcpy(dst + used, esc, strlen(esc));
		used += strlen(esc);
		width += (int)strlen(esc);
	}
	dst[used] = 0;
	return width;
}

int ipct_text_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), k;
	int width = 0;

	for (size_t i = 0; i < n; i += k) {
		uint32_t c;
		int w;

		/* A colour (CSI ... m) is ours: names never hold a raw ESC once escaped. */
		if (u[i] == 0x1b && u[i + 1] == '[') {
			for (k = 2; i + k < n && (u[i + k] < 0x40 || u[i + k] > 0x7e); k++)
				;
			k += i + k < n;
			continue;
		}
		k = utf8_decode(u + i, n - i, &c);
		if (!k)
			k = 1;
		w = k > 1 ? char_width(c) : 1;
		width += w > 0 ? w : 0;
	}
	return width;
}

int ipct_buf_wrap(struct ipct_buf *out, const char *s, int indent, int width)
{
	char *line = strdup(s), *rest = line, *cut, *end;
	int err = 0, pad = 0;

	if (!line)
		return -ENOMEM;
	while (!err && *rest) {
		cut = NULL;
		if (ipct_text_width(rest) + pad > width) {
			/* The last space before which the line fits. */
			for (char *sp = strchr(rest + 1, ' '); sp; sp = strchr(sp + 1, ' ')) {
				bool fits;

				*sp = 0;
				fits = ipct_text_width(rest) + pad <= width;
				*sp = ' ';
				if (!fits)
					break;
				cut = sp;
			}
			/* A first word wider than the line: it stays whole. */
			if (!cut)
				cut = strchr(rest + 1, ' ');
		}
		if (!cut)
			cut = rest + strlen(rest);
		/* Columns pad; a line does not end in blanks. */
		for (end = cut; end > rest && end[-1] == ' '; end--)
			;
		err = ipct_buf_printf(out, "%*s%.*s\n", pad, "", (int)(end - rest), rest);
		for (rest = cut; *rest == ' '; rest++)
			;
		pad = indent;
	}
	free(line);
	return err < 0 ? -ENOMEM : 0;
}

int ipct_buf_pad(struct ipct_buf *out, const char *s, int width)
{
	int pad = width - ipct_text_width(s);

	if (ipct_buf_append(out, s, strlen(s)) < 0)
		return -ENOMEM;
	for (; pad > 0; pad--)
		if (ipct_buf_append(out, " ", 1) < 0)
			return -ENOMEM;
	return 0;
}

int ipct_json_fix_utf8(struct ipct_buf *out, size_t from)
{
	const unsigned char *u = (const unsigned char *)out->data + out->start + from;
	size_t n = ipct_buf_len(out) - from, i = 0, k;
	unsigned char *copy;
	uint32_t c;
	int err = 0;

	while (i < n && u[i] < 0x80)
		i++;
	while (i < n && (k = utf8_decode(u + i, n - i, &c)))
		i += k;
	if (i == n)
		return 0;
	/* Rare (a name with bytes that are not UTF-8): rewrite the rest of the line. */
	copy = malloc(n - i);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, u + i, n - i);
	out->end = out->start + from + i;
	for (size_t j = 0; j < n - i && !err; j += k) {
		k = utf8_decode(copy + j, n - i - j, &c);
		if (k)
			err = ipct_buf_append(out, copy + j, k);
		else
			err = ipct_buf_append(out, "\\ufffd", 6), k = 1;
	}
	free(copy);
	return err < 0 ? -ENOMEM : 0;
}

int ipct_json_line(struct ipct_buf *out, struct json_object *o)
{
	size_t from = ipct_buf_len(out), len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
							  &len);

	if (!s || ipct_buf_append(out, s, len) < 0 || ipct_json_fix_utf8(out, from) < 0)
		return -ENOMEM;
	return ipct_buf_append(out, "\n", 1);
}
