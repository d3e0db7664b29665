// SPDX-License-Identifier: MIT
/* The daemon's errors as message id and arguments, and their text in the client's language. */
#include <errno.h>
#include <libintl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "errmsg.h"

/* The length of the conversion spec at s (just after its '%'), with *conv its letter; 0 when malformed. */
static size_t spec_len(const char *s, char *conv, bool *pos)
{
	size_t i = strspn(s, "0123456789");

	/* "%2$s": a translation's own order for the arguments. */
	*pos = i && s[i] == '$';
	i = *pos ? i + 1 : 0;
	i += strspn(s + i, "-+ #0");
	i += strspn(s + i, "0123456789*");
	if (s[i] == '.') {
		i++;
		i += strspn(s + i, "0123456789*");
	}
	i += strspn(s + i, "hlzjt");
	if (!s[i] || !strchr("sdiuxcm", s[i]))
		return 0;
	*conv = s[i];
	return i + 1;
}

int ipct_errmsg_add(struct json_object *o, const char *fmt, va_list ap)
{
	struct json_object *args = json_object_new_array();
	const char *errtext = strerror(errno);
	char spec[32], one[512], text[1024];
	int err;

	for (const char *p = fmt; (p = strchr(p, '%')); ) {
		bool pos, star_w = false, star_p = false;
		int w = 0, prec = 0;
		size_t n;
		char conv;

		if (p[1] == '%') {
			p += 2;
			continue;
		}
		n = spec_len(p + 1, &conv, &pos);
		if (!n || pos || n + 2 > sizeof(spec)) {
			err = -EINVAL;
			goto fail;
		}
		snprintf(spec, sizeof(spec), "%%%.*s", (int)n, p + 1);
		p += n + 1;
		/* A '*' takes an int argument before the value. */
		star_w = strchr(spec, '*') && (!strchr(spec, '.') || strchr(spec, '*') < strchr(spec, '.'));
		star_p = strchr(spec, '.') && strchr(strchr(spec, '.'), '*');
		if (star_w)
			w = va_arg(ap, int);
		if (star_p)
			prec = va_arg(ap, int);
#define ONE(type)                                                                          \
	do {                                                                               \
		type v = va_arg(ap, type);                                                 \
		if (star_w && star_p)                                                      \
			snprintf(one, sizeof(one), spec, w, prec, v);                      \
		else if (star_w || star_p)                                                 \
			snprintf(one, sizeof(one), spec, star_w ? w : prec, v);            \
		else                                                                       \
			snprintf(one, sizeof(one), spec, v);                               \
	} while (0)
		if (conv == 'm') {
			snprintf(one, sizeof(one), "%s", errtext);
		} else if (conv == 's') {
			ONE(const char *);
		} else if (strstr(spec, "ll") || strchr(spec, 'j')) {
			ONE(long long);
		} else if (strchr(spec, 'l') || strchr(spec, 'z') || strchr(spec, 't')) {
			ONE(long);
		} else {
			ONE(int);
		}
#undef ONE
		json_object_array_add(args, json_object_new_string(one));
	}
	/* The English text is the msgid filled like any translation of it. */
	err = ipct_errmsg_fill(text, sizeof(text), fmt, args);
	if (err < 0 && err != -ENOSPC)
		goto fail;
	json_object_object_add(o, "error", json_object_new_string(text));
	json_object_object_add(o, "msgid", json_object_new_string(fmt));
	json_object_object_add(o, "args", args);
	return 0;
fail:
	json_object_put(args);
	return err;
}

static int append(char *buf, size_t len, size_t *used, const char *s, size_t n)
{
	size_t room = len - *used - 1;

	memcpy(buf + *used, s, n < room ? n : room);
	*used += n < room ? n : room;
	buf[*used] = '\0';
	return n <= room ? 0 : -ENOSPC;
}

int ipct_errmsg_fill(char *buf, size_t len, const char *tmpl, struct json_object *args)
{
	size_t used = 0, next = 0, nargs = json_object_is_type(args, json_type_array) ?
						   json_object_array_length(args) : 0;
	const char *p = tmpl, *pct;
	int err = 0;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	while (!err && (pct = strchr(p, '%'))) {
		struct json_object *a;
		const char *s;
		size_t n, idx;
		bool pos;
		char conv;

		err = append(buf, len, &used, p, (size_t)(pct - p));
		if (pct[1] == '%') {
			err = err ?: append(buf, len, &used, "%", 1);
			p = pct + 2;
			continue;
		}
		n = spec_len(pct + 1, &conv, &pos);
		if (!n)
			return -EINVAL;
		idx = pos ? strtoul(pct + 1, NULL, 10) - 1 : next++;
		if (idx >= nargs)
			return -EINVAL;
		a = json_object_array_get_idx(args, idx);
		s = json_object_get_string(a);
		if (!json_object_is_type(a, json_type_string))
			return -EINVAL;
		if (conv == 'm')
			s = dgettext("libc", s);
		err = err ?: append(buf, len, &used, s, strlen(s));
		p = pct + 1 + n;
	}
	return err ?: append(buf, len, &used, p, strlen(p));
}
