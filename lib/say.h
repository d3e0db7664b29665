/* SPDX-License-Identifier: MIT */
/*
 * Messages built a clause at a time, in English and in a form that can be
 * translated later, elsewhere (docs/diagnoses.md, "message_parts"): the
 * daemon, which never translates, builds a diagnosis; the CLI shows it in
 * its user's language. Each clause is kept as its printf format (the
 * msgid) and its arguments, each formatted alone; an argument may itself
 * be a translatable word (IPCT_W) or clause (ipct_sub). Rendering a
 * translated format puts the arguments back in the order it names them
 * ("%2$s" too); rendered untranslated, the parts give the English text
 * exactly.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/*
 * A word given as a %s argument that is translated with the message
 * ("reading", "them"): xgettext extracts it (--keyword=IPCT_W). The
 * prefix marks it; it never shows. (A process that names itself with
 * these two control bytes first is shown without them.)
 */
#define IPCT_SUB "\x01\x1f"
#define IPCT_W(s) (IPCT_SUB s)

/* A message: its English text, cut at the buffer's size, and its parts. */
struct ipct_text {
	char buf[2048];
	size_t len;
	char parts[4096];       /* each: argument count, format, arguments, NUL-terminated */
	size_t plen;
	bool over;              /* a part did not fit: the message has no parts */
};

/*
 * fmt's conversions are printf's (%m too, strerror(errno)), in order: a
 * format that names an argument (%N$), or has more than 16 conversions, is
 * said as printf says it, and the message has no parts.
 */
void ipct_say(struct ipct_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ipct_vsay(struct ipct_text *t, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/*
 * A clause to pass as a %s argument of ipct_say, translated with it (what
 * a descriptor was, how a process ended): written to buf, which it
 * returns. Its own arguments are plain (no words or clauses in them).
 */
const char *ipct_sub(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * t's parts as JSON: an array of [format, argument, ...], an argument a
 * string or, for a word or clause, an array [format, argument, ...]. NULL
 * when some did not fit (the English text was cut), or on ENOMEM.
 */
struct json_object *ipct_text_parts(const struct ipct_text *t);

/*
 * A message from its parts (as ipct_text_parts gives them): each format
 * through gettext() when translate, else as it is. Returns the length it
 * wanted (as snprintf), or -EINVAL when parts are not such an array or a
 * translation names an argument that is not there (the caller shows the
 * English text instead).
 */
int ipct_parts_render(struct json_object *parts, bool translate, char *buf, size_t len);

/*
 * o's text under key ("message", "detail") in the user's language: its
 * parts (key "_parts") rendered translated into buf, or, when it has none
 * (an older journal's) or they do not render, the English text o holds.
 * NULL when o has neither.
 */
const char *ipct_said(struct json_object *o, const char *key, char *buf, size_t len);
/* The same of a text (English) and its parts (may be NULL), kept apart: a graph object's warnings. */
const char *ipct_said_parts(struct json_object *parts, const char *text, char *buf, size_t len);
