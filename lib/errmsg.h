/* SPDX-License-Identifier: MIT */
/*
 * A message made in one process and read in another's language: the
 * daemon's errors to its clients (docs/protocol.md, "Errors"). The daemon
 * never chooses a language; it says the error as one clause of say.h, and
 * sends that clause's format as the message id and its arguments apart,
 * for the client to fill the translation of that id with them. (An error
 * is always one clause, so the wire keeps the flat form clients know:
 * "msgid" and "args" are the part [format, argument, ...] of
 * message_parts, cut after its format.)
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct json_object;

/*
 * Adds "error" (the English text), and "msgid" (fmt) and "args" (what
 * each conversion of fmt printed, in order) to o; fmt's conversions are
 * say.h's, %m too (strerror(errno)). A format say.h cannot keep apart (a
 * %N$ in it, a conversion it does not know) or a message too long for
 * it: "error" alone.
 */
void ipct_errmsg_add(struct json_object *o, const char *fmt, va_list ap);

/*
 * The error of reply in the user's language: its msgid translated and
 * filled with its args (in order, or as %N$ says; a %m argument through
 * libc's catalogue), into buf; or, when it has none or they do not fill
 * (an unknown conversion, one naming an argument args lacks), its English
 * "error". NULL when it has neither.
 */
const char *ipct_errmsg_said(struct json_object *reply, char *buf, size_t len);
