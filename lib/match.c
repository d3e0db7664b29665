// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipctrace/event.h"
#include "i18n.h"
#include "match.h"
#include "names.h"

/* "a, b, c" into buf: the valid field names or values, for an error message. */
static void list_names(char *buf, size_t len, const char *const *names, size_t stride)
{
	size_t used = 0;

	buf[0] = 0;
	for (const char *const *n = names; *n && used < len; n = (const void *)((const char *)n + stride))
		used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "", *n);
}

int ipct_match_kind(int kind)
{
	switch (kind) {
	case IPCT_KIND_PIPE:
	case IPCT_KIND_FIFO: return IPCT_MATCH_PIPE;
	case IPCT_KIND_SOCKET: return IPCT_MATCH_SOCKET;
	case IPCT_KIND_MQUEUE: return IPCT_MATCH_MQUEUE;
	case IPCT_KIND_MSGQ: return IPCT_MATCH_MSGQ;
	case IPCT_KIND_SEM: return IPCT_MATCH_SEM;
	case IPCT_KIND_SHM: return IPCT_MATCH_SHM;
	default: return -1;
	}
}

/*
 * "pipe:[N]", "socket:[N]", "mqueue:[N]", "shm:[N]" (a /dev/shm file), "sem:[N]" (a POSIX
 * semaphore's), "msq:ID", "sem:ID", "shm:ID" (System V) or "N": the inode, and the kind the
 * prefix names.
 */
static int parse_object(const char *s, struct ipct_match_term *t)
{
	static const struct {
		const char *prefix;
		int kind;
	} prefixes[] = { { "pipe:[", IPCT_MATCH_PIPE }, { "socket:[", IPCT_MATCH_SOCKET },
			 { "mqueue:[", IPCT_MATCH_MQUEUE }, { "msq:", IPCT_MATCH_MSGQ }, { "sem:", IPCT_MATCH_SEM },
			 { "sem:[", IPCT_MATCH_SEM }, { "shm:", IPCT_MATCH_SHM }, { "shm:[", IPCT_MATCH_SHM } };
	const char *num = s;
	char *end;
	unsigned long long ino;
	bool sysv;

	t->kind = IPCT_MATCH_ANY;
	/* The longest prefix that fits: "shm:[" after "shm:", "sem:[" after "sem:". */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(s, prefixes[i].prefix, strlen(prefixes[i].prefix))) {
			t->kind = prefixes[i].kind;
			num = s + strlen(prefixes[i].prefix);
		}
	/* A System V object is named by its id, without brackets. */
	sysv = t->kind != IPCT_MATCH_ANY && num[-1] == ':';
	errno = 0;
	ino = strtoull(num, &end, 10);
	if (errno || end == num || *num == '-' || ino > INT64_MAX ||
	    !(t->kind != IPCT_MATCH_ANY && !sysv ? !strcmp(end, "]") : !*end) || (sysv && ino > INT32_MAX))
		return -EINVAL;
	t->num = !sysv ? (int64_t)ino : t->kind == IPCT_MATCH_MSGQ ? (int64_t)IPCT_SYSV_INO(ino)
		 : t->kind == IPCT_MATCH_SEM ? (int64_t)IPCT_SYSV_SEM_INO(ino) : (int64_t)IPCT_SYSV_SHM_INO(ino);
	return 0;
}

static int parse_value(const struct ipct_match_field *f, const char *v, struct ipct_match_term *t,
		       char *err, size_t errlen)
{
	char valid[1024], *end;

	switch (f->type) {
	case IPCT_MT_INT:
		errno = 0;
		t->num = strtoll(v, &end, 10);
		if (errno || !*v || *end || t->num < 0) {
			snprintf(err, errlen, _("bad value for %s: '%s' is not a number"), f->name, v);
			return -EINVAL;
		}
		return 0;
	case IPCT_MT_SIG:
		t->num = ipct_sig_parse(v);
		if (t->num < 0) {
			snprintf(err, errlen,
				 _("bad value for %s: '%s' is not a signal (try SIGUSR1, usr1, 10 or SIGRTMIN+1)"),
				 f->name, v);
			return -EINVAL;
		}
		return 0;
	case IPCT_MT_NAME:
		for (t->num = 0; f->names[t->num]; t->num++)
			if (!strcasecmp(f->names[t->num], v))
				return 0;
		list_names(valid, sizeof(valid), f->names, sizeof(f->names[0]));
		snprintf(err, errlen, _("bad value for %s: '%s' (valid: %s)"), f->name, v, valid);
		return -EINVAL;
	case IPCT_MT_STR:
		if (strlen(v) >= sizeof(t->str)) {
			snprintf(err, errlen, _("bad value for %s: longer than %zu bytes"), f->name,
				 sizeof(t->str) - 1);
			return -EINVAL;
		}
		strcpy(t->str, v);
		return 0;
	case IPCT_MT_COMM:
		/* A longer name could never match: say why rather than match nothing. */
		if (strlen(v) > 15) {
			snprintf(err, errlen, _("bad value for %s: '%s' is longer than 15 characters, and the kernel "
				 "cuts command names to 15: use %s=%.15s"), f->name, v, f->name, v);
			return -EINVAL;
		}
		strcpy(t->str, v);
		return 0;
	case IPCT_MT_OBJECT:
		if (parse_object(v, t) < 0) {
			snprintf(err, errlen, _("bad value for %s: '%s' (try pipe:[N], socket:[N], mqueue:[N], shm:[N], sem:[N], "
				   "msq:ID, sem:ID, shm:ID or N)"),
				 f->name, v);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

/* The values a term's value holds: one, or for a list A,B,C each. */
static bool splits(const struct ipct_match_field *f)
{
	return f->type != IPCT_MT_STR && f->type != IPCT_MT_COMM;
}

/* The field a term names, or -1 with the error said. */
static int find_field(const struct ipct_match_field *fields, const char *term, char *err, size_t errlen)
{
	const char *eq = strchr(term, '=');
	char valid[512];
	int f;

	if (!eq || eq == term) {
		snprintf(err, errlen, _("bad match '%s': use FIELD=VALUE"), term);
		return -1;
	}
	for (f = 0; fields[f].name; f++)
		if (strlen(fields[f].name) == (size_t)(eq - term) && !strncmp(fields[f].name, term, eq - term))
			return f;
	list_names(valid, sizeof(valid), &fields[0].name, sizeof(fields[0]));
	snprintf(err, errlen, _("unknown field '%.*s' (valid fields: %s)"), (int)(eq - term), term, valid);
	return -1;
}

struct ipct_match *ipct_match_parse(const struct ipct_match_field *fields, const char *const *terms,
				    int n, char *err, size_t errlen)
{
	struct ipct_match *m;
	size_t total = 0;
	int f;

	for (int i = 0; i < n; i++) {
		f = find_field(fields, terms[i], err, errlen);
		if (f < 0)
			return NULL;
		total++;
		for (const char *p = strchr(terms[i], '='); splits(&fields[f]) && (p = strchr(p + 1, ','));)
			total++;
	}
	m = calloc(1, sizeof(*m) + total * sizeof(m->terms[0]));
	if (!m) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return NULL;
	}
	m->fields = fields;
	for (int i = 0; i < n; i++) {
		const char *v = strchr(terms[i], '=') + 1;

		f = find_field(fields, terms[i], err, errlen);
		do {
			size_t len = splits(&fields[f]) ? strcspn(v, ",") : strlen(v);
			char one[256];

			if (len >= sizeof(one) && splits(&fields[f])) {
				snprintf(err, errlen, _("bad value for %s: longer than %zu bytes"), fields[f].name,
					 sizeof(one) - 1);
				goto fail;
			}
			snprintf(one, sizeof(one), "%.*s", (int)len, v);
			m->terms[m->nterms].field = f;
			if (parse_value(&fields[f], splits(&fields[f]) ? one : v, &m->terms[m->nterms], err,
					errlen) < 0)
				goto fail;
			m->nterms++;
			v += len;
		} while (*v++ == ',');
	}
	return m;
fail:
	free(m);
	return NULL;
}

void ipct_match_free(struct ipct_match *m)
{
	free(m);
}

bool ipct_match_eval(const struct ipct_match *m,
		     bool (*test)(const void *obj, const struct ipct_match_term *t), const void *obj)
{
	if (!m)
		return true;
	/* For each field named: does any of its terms hold? */
	for (int i = 0; i < m->nterms; i++) {
		int f = m->terms[i].field;
		bool seen_earlier = false, any = false;

		for (int j = 0; j < i && !seen_earlier; j++)
			seen_earlier = m->terms[j].field == f;
		if (seen_earlier)
			continue;
		for (int j = i; j < m->nterms && !any; j++)
			any = m->terms[j].field == f && test(obj, &m->terms[j]);
		if (!any)
			return false;
	}
	return true;
}
