// SPDX-License-Identifier: MIT
/* lib/errmsg.c: the daemon's errors as msgid and arguments, filled in again in any language. */
#include <errno.h>
#include <stdarg.h>
#include <json-c/json.h>

#include "check.h"
#include "errmsg.h"

static struct json_object *make(const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	va_list ap;

	va_start(ap, fmt);
	CHECK_INT(ipct_errmsg_add(o, fmt, ap), 0);
	va_end(ap);
	return o;
}

static const char *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* Each conversion's own text, and the English error printf would have made. */
static void test_add(void)
{
	struct json_object *o = make("trace: pid %d is a thread of process %d; %lld %u %.3s %% %-5s|", 12, 10,
				     (long long)-7, 4000000000u, "abcdef", "x");
	struct json_object *args;

	CHECK_STR(get(o, "error"), "trace: pid 12 is a thread of process 10; -7 4000000000 abc % x    |");
	CHECK_STR(get(o, "msgid"), "trace: pid %d is a thread of process %d; %lld %u %.3s %% %-5s|");
	CHECK(json_object_object_get_ex(o, "args", &args));
	CHECK_INT(json_object_array_length(args), 6);
	CHECK_STR(json_object_get_string(json_object_array_get_idx(args, 4)), "abc");
	json_object_put(o);

	/* A '*' width or precision takes its int first. */
	o = make("unknown command \"%.*s\"", 3, "signalsX");
	CHECK_STR(get(o, "error"), "unknown command \"sig\"");
	json_object_put(o);

	errno = ENOENT;
	o = make("failed: %m");
	CHECK_STR(get(o, "error"), "failed: No such file or directory");
	json_object_put(o);
}

/* A translation may reorder the arguments (%N$s); one that names an argument not sent is refused. */
static void test_fill(void)
{
	struct json_object *o = make("pid %d of %d", 5, 1);
	struct json_object *args;
	char buf[64], small[8];

	json_object_object_get_ex(o, "args", &args);
	CHECK_INT(ipct_errmsg_fill(buf, sizeof(buf), "el pid %d de %d", args), 0);
	CHECK_STR(buf, "el pid 5 de 1");
	CHECK_INT(ipct_errmsg_fill(buf, sizeof(buf), "de %2$d: el pid %1$d (100%%)", args), 0);
	CHECK_STR(buf, "de 1: el pid 5 (100%)");
	CHECK_INT(ipct_errmsg_fill(buf, sizeof(buf), "%d %d %d", args), -EINVAL);
	CHECK_INT(ipct_errmsg_fill(buf, sizeof(buf), "%3$d", args), -EINVAL);
	CHECK_INT(ipct_errmsg_fill(buf, sizeof(buf), "%0$d", args), -EINVAL);
	CHECK_INT(ipct_errmsg_fill(buf, sizeof(buf), "bad %q", args), -EINVAL);
	/* A format from the network is never handed to printf: %n is text like any other unknown. */
	CHECK_INT(ipct_errmsg_fill(buf, sizeof(buf), "%n", args), -EINVAL);
	CHECK_INT(ipct_errmsg_fill(small, sizeof(small), "pid %d of %d", args), -ENOSPC);
	CHECK_STR(small, "pid 5 o");
	CHECK_INT(ipct_errmsg_fill(buf, sizeof(buf), "pid %d", NULL), -EINVAL);
	json_object_put(o);
}

/* A conversion the daemon's messages never use is refused, not guessed. */
static int add(struct json_object *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ipct_errmsg_add(o, fmt, ap);
	va_end(ap);
	return r;
}

static void test_refused(void)
{
	struct json_object *o = json_object_new_object();

	CHECK_INT(add(o, "%f", 1.0), -EINVAL);
	CHECK(!json_object_object_get_ex(o, "error", NULL));
	json_object_put(o);
}

int main(void)
{
	test_add();
	test_fill();
	test_refused();
	return check_done("errmsg");
}
