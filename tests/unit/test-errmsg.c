// SPDX-License-Identifier: MIT
/*
 * lib/errmsg.c: the daemon's errors on the wire as "error", "msgid" and
 * "args" (docs/protocol.md), said and read back through say.h, whose
 * parser and renderer test-say.c tests; and read in Spanish from the
 * build tree's catalogue, a %m through libc's.
 */
#include <errno.h>
#include <libintl.h>
#include <locale.h>
#include <stdarg.h>
#include <json-c/json.h>

#include "check.h"
#include "spanish.h"
#include "errmsg.h"

static struct json_object *make(const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	va_list ap;

	va_start(ap, fmt);
	ipct_errmsg_add(o, fmt, ap);
	va_end(ap);
	return o;
}

static const char *plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

static const char *said(const char *json, char *buf, size_t len)
{
	static char copy[256];
	struct json_object *o = json_tokener_parse(json);
	const char *s = ipct_errmsg_said(o, buf, len);

	snprintf(copy, sizeof(copy), "%s", s ? s : "(null)");
	json_object_put(o);
	return copy;
}

/* The wire form, to the byte: English text, the format as msgid, each conversion's text in args. */
static void test_add(void)
{
	struct json_object *o = make("detach: no session %lld", 42LL);

	CHECK_STR(plain(o), "{\"error\":\"detach: no session 42\",\"msgid\":\"detach: no session %lld\",\"args\":[\"42\"]}");
	json_object_put(o);

	errno = ENOENT;
	o = make("trace: %s failed: %m (%d%%)", "open", 3);
	CHECK_STR(plain(o), "{\"error\":\"trace: open failed: No such file or directory (3%)\","
			    "\"msgid\":\"trace: %s failed: %m (%d%%)\",\"args\":[\"open\",\"No such file or directory\",\"3\"]}");
	json_object_put(o);

	/* A format say.h cannot keep apart (a %N$ in the source): the English error alone. */
	o = make("%2$s %1$s", "a", "b");
	CHECK_STR(plain(o), "{\"error\":\"b a\"}");
	json_object_put(o);
}

/* Read back as the CLI does: the msgid's translation filled, else the English error, else nothing. */
static void test_said(void)
{
	struct json_object *o = make("pid %d of %s", 5, "init");
	char buf[64], small[8];

	CHECK_STR(ipct_errmsg_said(o, buf, sizeof(buf)), "pid 5 of init");
	/* Cut at the buffer, and still said. */
	CHECK_STR(ipct_errmsg_said(o, small, sizeof(small)), "pid 5 o");
	json_object_put(o);

	/* An older daemon's reply, and one before msgid: the same reading. */
	CHECK_STR(said("{\"ok\":false,\"error\":\"E\",\"msgid\":\"%s and %u\",\"args\":[\"a\",\"7\"]}", buf,
		       sizeof(buf)), "a and 7");
	CHECK_STR(said("{\"ok\":false,\"error\":\"E\"}", buf, sizeof(buf)), "E");
	/* args that do not fill msgid, or are no list of strings: the English error. */
	CHECK_STR(said("{\"error\":\"E\",\"msgid\":\"%s and %s\",\"args\":[\"a\"]}", buf, sizeof(buf)), "E");
	CHECK_STR(said("{\"error\":\"E\",\"msgid\":\"%s\",\"args\":\"a\"}", buf, sizeof(buf)), "E");
	CHECK_STR(said("{\"error\":\"E\",\"msgid\":\"%s\",\"args\":[7]}", buf, sizeof(buf)), "E");
	CHECK_STR(said("{\"error\":\"E\",\"msgid\":7,\"args\":[]}", buf, sizeof(buf)), "E");
	/* A format from the network is never handed to printf: %n is refused like any unknown conversion. */
	CHECK_STR(said("{\"error\":\"E\",\"msgid\":\"%n\",\"args\":[\"a\"]}", buf, sizeof(buf)), "E");
	CHECK_STR(said("{\"ok\":false}", buf, sizeof(buf)), "(null)");
}

/* In Spanish, from the build tree's catalogue (tests/unit/meson.build passes its directory); a %m from libc's. */
static void test_spanish(const char *localedir)
{
	struct json_object *o;
	char buf[256];

	if (!spanish("test_spanish", localedir)) {
		check_failures++;
		return;
	}
	/* The daemon never sets a locale: its English, its arguments' text. */
	o = json_tokener_parse("{\"ok\":false,\"error\":\"detach: no session 42\",\"msgid\":\"detach: no session %lld\","
			       "\"args\":[\"42\"]}");
	CHECK_STR(ipct_errmsg_said(o, buf, sizeof(buf)), "detach: no existe la sesión 42");
	json_object_put(o);
	o = json_tokener_parse("{\"ok\":false,\"error\":\"E\",\"msgid\":\"trace: failed to start tracing: %m\","
			       "\"args\":[\"Operation not permitted\"]}");
	CHECK_STR(ipct_errmsg_said(o, buf, sizeof(buf)), "trace: no se pudo empezar a trazar: Operación no permitida");
	json_object_put(o);
	/* An empty msgid is no message id: gettext("") would give the catalogue's header. */
	o = json_tokener_parse("{\"ok\":false,\"error\":\"E\",\"msgid\":\"\",\"args\":[]}");
	CHECK_STR(ipct_errmsg_said(o, buf, sizeof(buf)), "");
	json_object_put(o);
	setlocale(LC_ALL, "C");
}

int main(int argc, char **argv)
{
	test_add();
	test_said();
	test_spanish(argc > 1 ? argv[1] : NULL);
	return check_done("test-errmsg");
}
