/* SPDX-License-Identifier: MIT */
/*
 * Strings a traced program chose (its command name, a path, a handler's
 * symbol) made safe to print: escaped for a terminal, valid UTF-8 for
 * JSON, and measured in terminal columns. docs/events.md ("Names that
 * are not plain text") says what each output shows.
 */
#pragma once

#include <stddef.h>

#include "proto.h"

struct json_object;

/*
 * The first n bytes of s (fewer at a NUL) for a terminal, NUL-terminated
 * in dst (cut before an escape that does not fit): a backslash as "\\",
 * C0 controls, DEL and bytes that are not UTF-8 as "\xHH", C1 controls,
 * bidirectional controls, line separators and unprintable characters as
 * "\u{HHHH}"; the rest as it is. Returns dst's width in columns.
 */
int ipct_text_escape(char *dst, size_t len, const char *s, size_t n);

/* The columns a string ipct_text_escape wrote takes on a terminal (colour sequences take none). */
int ipct_text_width(const char *s);

/*
 * Appends the line s (no '\n') and a '\n', broken at spaces into lines of
 * at most width columns, each after the first indented by `indent` spaces
 * (a word wider than that stays whole). -ENOMEM.
 */
int ipct_buf_wrap(struct ipct_buf *out, const char *s, int indent, int width);

/* Appends s (already escaped) and spaces up to width columns; -ENOMEM. */
int ipct_buf_pad(struct ipct_buf *out, const char *s, int width);

/*
 * JSON: every byte after the first `from` bytes of out (its ipct_buf_len
 * before the JSON was appended) that is not part of a valid UTF-8 sequence
 * becomes "\ufffd" (such bytes occur only inside strings, whose controls
 * the JSON writers already escape). -ENOMEM.
 */
int ipct_json_fix_utf8(struct ipct_buf *out, size_t from);

/* o as one line of JSON, made valid UTF-8 as above, then '\n'. -ENOMEM. */
int ipct_json_line(struct ipct_buf *out, struct json_object *o);
