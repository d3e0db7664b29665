// SPDX-License-Identifier: MIT
/*
 * Messages kept as their clauses, printf format and arguments, so that a
 * program other than the one that built them can translate them (say.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "i18n.h"
#include "say.h"

#define MAX_ARGS 16
#define SUB_LEN (sizeof(IPCT_SUB) - 1)
#define SEP '\x1f'      /* between a clause's format and its arguments, in a %s argument */

/* A clause: its format and each argument as text (a word or clause encoded: IPCT_SUB fmt SEP arg ...). */
struct clause {
	const char *fmt;
	const char *arg[MAX_ARGS];
	size_t n;
};

/* Output to a buffer that counts what did not fit, as snprintf does. */
struct out {
	char *buf;
	size_t len, pos;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->pos < o->len) {
		size_t room = o->len - o->pos - 1;

		memcpy(o->buf + o->pos, s, n < room ? n : room);
		o->buf[o->pos + (n < room ? n : room)] = '\0';
	}
	o->pos += n;
}

/*
 * One conversion of fmt at *p (just after its '%'): its argument's position
 * (1-based, 0 when it names none), its length modifier and conversion
 * letter. Moves *p past it; false when it is no conversion printf knows.
 * This is the one parser of printf conversions: the daemon's errors
 * (errmsg.c) are said through it too.
 */
static bool spec(const char **p, unsigned *pos, char mod[3], char *conv, bool *star_w, bool *star_p)
{
	const char *s = *p;
	unsigned n = 0;

	*pos = 0;
	*star_w = *star_p = false;
	for (const char *d = s; *d >= '0' && *d <= '9'; d++) {
		n = n * 10 + (unsigned)(*d - '0');
		if (d[1] == '$') {
			if (!n)
				return false;
			*pos = n;
			s = d + 2;
			break;
		}
	}
	s += strspn(s, "-+ #0'I");
	if (*s == '*') {
		*star_w = true;
		s++;
	}
	s += strspn(s, "0123456789");
	if (*s == '.') {
		s++;
		if (*s == '*') {
			*star_p = true;
			s++;
		}
		s += strspn(s, "0123456789");
	}
	mod[0] = mod[1] = mod[2] = '\0';
	for (int i = 0; i < 2 && strchr("hlLqjzt", *s); i++)
		mod[i] = *s++;
	/* %m: strerror(errno), glibc's; it takes no argument of printf's, but is one of the parts. */
	if (!*s || !strchr("diouxXeEfFgGaAcspm", *s))
		return false;
	*conv = *s++;
	*p = s;
	return true;
}

/* Each argument of fmt, formatted alone with its own conversion, into store. */
static int collect(struct clause *c, const char *fmt, va_list ap, char *store, size_t len)
{
	int errnum = errno;
	size_t used = 0;

	c->fmt = fmt;
	c->n = 0;
	for (const char *p = fmt; (p = strchr(p, '%'));) {
		const char *start = p++;
		char one[32], mod[3], conv;
		unsigned pos;
		bool sw, sp;
		int w = 0, pr = 0, k;

		if (*p == '%') {
			p++;
			continue;
		}
		if (!spec(&p, &pos, mod, &conv, &sw, &sp) || pos || c->n == MAX_ARGS ||
		    (size_t)(p - start) >= sizeof(one))
			return -EINVAL;
		memcpy(one, start, (size_t)(p - start));
		one[p - start] = '\0';
		if (sw)
			w = va_arg(ap, int);
		if (sp)
			pr = va_arg(ap, int);
		char *dst = store + used;
		size_t room = len - used;

#define FMT(v) (sw && sp ? snprintf(dst, room, one, w, pr, v) : sw ? snprintf(dst, room, one, w, v) : \
		sp ? snprintf(dst, room, one, pr, v) : snprintf(dst, room, one, v))
		switch (conv) {
		case 'd': case 'i':
			if (mod[0] == 'l' && mod[1] == 'l')
				k = FMT(va_arg(ap, long long));
			else if (mod[0] == 'l')
				k = FMT(va_arg(ap, long));
			else if (mod[0] == 'j')
				k = FMT(va_arg(ap, intmax_t));
			else if (mod[0] == 'z')
				k = FMT(va_arg(ap, ssize_t));
			else if (mod[0] == 't')
				k = FMT(va_arg(ap, ptrdiff_t));
			else
				k = FMT(va_arg(ap, int));
			break;
		case 'o': case 'u': case 'x': case 'X':
			if (mod[0] == 'l' && mod[1] == 'l')
				k = FMT(va_arg(ap, unsigned long long));
			else if (mod[0] == 'l')
				k = FMT(va_arg(ap, unsigned long));
			else if (mod[0] == 'j')
				k = FMT(va_arg(ap, uintmax_t));
			else if (mod[0] == 'z')
				k = FMT(va_arg(ap, size_t));
			else if (mod[0] == 't')
				k = FMT(va_arg(ap, ptrdiff_t));
			else
				k = FMT(va_arg(ap, unsigned));
			break;
		case 'c':
			k = FMT(va_arg(ap, int));
			break;
		case 's':
			k = FMT(va_arg(ap, const char *));
			break;
		case 'p':
			k = FMT(va_arg(ap, void *));
			break;
		case 'm':
			k = snprintf(dst, room, "%s", strerror(errnum));
			break;
		default:
			k = mod[0] == 'L' ? FMT(va_arg(ap, long double)) : FMT(va_arg(ap, double));
		}
#undef FMT
		if (k < 0 || (size_t)k >= room)
			return -ENOSPC;
		c->arg[c->n++] = dst;
		used += (size_t)k + 1;
	}
	return 0;
}

/* An encoded word or clause (IPCT_SUB fmt SEP arg ...) as a clause; its text is cut in place, in buf. */
static int decode(struct clause *c, const char *s, char *buf, size_t len)
{
	size_t n = strlen(s + SUB_LEN);
	char *p;

	if (n >= len)
		return -ENOSPC;
	memcpy(buf, s + SUB_LEN, n + 1);
	c->fmt = buf;
	c->n = 0;
	for (p = buf; (p = strchr(p, SEP)); ) {
		if (c->n == MAX_ARGS)
			return -EINVAL;
		*p++ = '\0';
		c->arg[c->n++] = p;
	}
	return 0;
}

static bool is_sub(const char *s)
{
	return !strncmp(s, IPCT_SUB, SUB_LEN);
}

/* c's format (translated when translate) with its arguments put back, words and clauses rendered in turn. */
static int render(const struct clause *c, bool translate, struct out *o)
{
	/* (gettext("") is the catalogue's header.) */
	const char *f = translate && *c->fmt ? gettext(c->fmt) : c->fmt;
	size_t next = 0;

	for (const char *p; (p = strchr(f, '%')); ) {
		const char *arg;
		char mod[3], conv;
		unsigned pos;
		bool sw, sp;

		put(o, f, (size_t)(p - f));
		f = p + 1;
		if (*f == '%') {
			put(o, "%", 1);
			f++;
			continue;
		}
		/*
		 * A translation keeps each argument's conversion (msgfmt --check);
		 * widths and precisions, a '*' one's too, were applied already.
		 */
		if (!spec(&f, &pos, mod, &conv, &sw, &sp))
			return -EINVAL;
		pos = pos ? pos - 1 : (unsigned)next++;
		if (pos >= c->n)
			return -EINVAL;
		arg = c->arg[pos];
		if (is_sub(arg)) {
			char buf[1024];
			struct clause sub;

			if (decode(&sub, arg, buf, sizeof(buf)) || render(&sub, translate, o))
				return -EINVAL;
		} else {
			/* A %m argument is glibc's English strerror text: libc's catalogue has it. */
			if (conv == 'm' && translate)
				arg = dgettext("libc", arg);
			put(o, arg, strlen(arg));
		}
	}
	put(o, f, strlen(f));
	return 0;
}

void ipct_vsay(struct ipct_text *t, const char *fmt, va_list ap)
{
	char store[2048];
	struct clause c;
	struct out o = { t->buf, sizeof(t->buf), t->len };
	size_t need;
	va_list aq;

	if (t->len >= sizeof(t->buf) - 1)
		return;
	va_copy(aq, ap);
	if (collect(&c, fmt, aq, store, sizeof(store)) || render(&c, false, &o)) {
		/* Not a format this knows: the text as printf gives it, without parts. */
		t->over = true;
		vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
		t->len += strlen(t->buf + t->len);
		va_end(aq);
		return;
	}
	va_end(aq);
	t->len = o.pos < sizeof(t->buf) ? o.pos : sizeof(t->buf) - 1;
	if (o.pos >= sizeof(t->buf) - 1)
		t->over = true;
	need = 1 + strlen(fmt) + 1;
	for (size_t i = 0; i < c.n; i++)
		need += strlen(c.arg[i]) + 1;
	if (t->over || need > sizeof(t->parts) - t->plen) {
		t->over = true;
		return;
	}
	t->parts[t->plen++] = (char)c.n;
	memcpy(t->parts + t->plen, fmt, strlen(fmt) + 1);
	t->plen += strlen(fmt) + 1;
	for (size_t i = 0; i < c.n; i++) {
		memcpy(t->parts + t->plen, c.arg[i], strlen(c.arg[i]) + 1);
		t->plen += strlen(c.arg[i]) + 1;
	}
}

void ipct_say(struct ipct_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ipct_vsay(t, fmt, ap);
	va_end(ap);
}

const char *ipct_sub(char *buf, size_t len, const char *fmt, ...)
{
	char store[512];
	struct clause c;
	struct out o = { buf, len, 0 };
	va_list ap;

	va_start(ap, fmt);
	if (collect(&c, fmt, ap, store, sizeof(store))) {
		/* A format collect() does not know, or arguments too long: said in English, plainly. */
		va_end(ap);
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
		return buf;
	}
	va_end(ap);
	put(&o, IPCT_SUB, SUB_LEN);
	put(&o, fmt, strlen(fmt));
	for (size_t i = 0; i < c.n; i++) {
		put(&o, (const char[]){ SEP }, 1);
		put(&o, c.arg[i], strlen(c.arg[i]));
	}
	return buf;
}

/* A %s argument as JSON: a string, or a word or clause as [format, argument, ...]. */
static struct json_object *arg_json(const char *s)
{
	char buf[1024];
	struct clause c;
	struct json_object *a;

	if (!is_sub(s) || decode(&c, s, buf, sizeof(buf)))
		return json_object_new_string(s);
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string(c.fmt));
	for (size_t i = 0; i < c.n; i++)
		json_object_array_add(a, json_object_new_string(c.arg[i]));
	return a;
}

struct json_object *ipct_text_parts(const struct ipct_text *t)
{
	struct json_object *parts;

	if (t->over || !(parts = json_object_new_array()))
		return NULL;
	for (size_t i = 0; i < t->plen;) {
		size_t n = (unsigned char)t->parts[i++];
		struct json_object *part = json_object_new_array();

		for (size_t k = 0; k <= n; k++) {
			const char *s = t->parts + i;

			json_object_array_add(part, k ? arg_json(s) : json_object_new_string(s));
			i += strlen(s) + 1;
		}
		json_object_array_add(parts, part);
	}
	return parts;
}

/* A JSON part [format, argument, ...] as a clause; words and clauses among its arguments encoded in store. */
static int from_json(struct clause *c, struct json_object *part, char *store, size_t len)
{
	size_t n = json_object_is_type(part, json_type_array) ? json_object_array_length(part) : 0;
	size_t used = 0;

	if (!n || n > MAX_ARGS + 1 || !json_object_is_type(json_object_array_get_idx(part, 0), json_type_string))
		return -EINVAL;
	c->fmt = json_object_get_string(json_object_array_get_idx(part, 0));
	c->n = 0;
	for (size_t i = 1; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(part, i);
		struct out o = { store + used, len - used, 0 };

		if (json_object_is_type(a, json_type_string)) {
			c->arg[c->n++] = json_object_get_string(a);
			continue;
		}
		/* A word or clause, whose arguments are plain: encoded as ipct_sub does, for render() to translate. */
		size_t m = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;

		if (!m || c->n == MAX_ARGS)
			return -EINVAL;
		for (size_t k = 0; k < m; k++) {
			struct json_object *x = json_object_array_get_idx(a, k);

			if (!json_object_is_type(x, json_type_string) || is_sub(json_object_get_string(x)))
				return -EINVAL;
			put(&o, k ? (const char[]){ SEP } : IPCT_SUB, k ? 1 : SUB_LEN);
			put(&o, json_object_get_string(x), strlen(json_object_get_string(x)));
		}
		if (o.pos >= o.len)
			return -ENOSPC;
		c->arg[c->n++] = store + used;
		used += o.pos + 1;
	}
	return 0;
}

int ipct_parts_render(struct json_object *parts, bool translate, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	if (!json_object_is_type(parts, json_type_array))
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(parts); i++) {
		char store[2048];
		struct clause c;

		if (from_json(&c, json_object_array_get_idx(parts, i), store, sizeof(store)) ||
		    render(&c, translate, &o))
			return -EINVAL;
	}
	return (int)o.pos;
}

const char *ipct_said(struct json_object *o, const char *key, char *buf, size_t len)
{
	struct json_object *parts = NULL, *text;
	char name[32];

	snprintf(name, sizeof(name), "%s_parts", key);
	json_object_object_get_ex(o, name, &parts);
	if (!json_object_object_get_ex(o, key, &text) || !text)
		text = NULL;
	return ipct_said_parts(parts, text ? json_object_get_string(text) : NULL, buf, len);
}

const char *ipct_said_parts(struct json_object *parts, const char *text, char *buf, size_t len)
{
	return parts && ipct_parts_render(parts, true, buf, len) >= 0 ? buf : text;
}
