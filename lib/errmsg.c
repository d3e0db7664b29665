// SPDX-License-Identifier: MIT
/* The daemon's errors as message id and arguments: say.h's one clause, on the wire as protocol.md has it. */
#include <json-c/json.h>

#include "errmsg.h"
#include "say.h"

void ipct_errmsg_add(struct json_object *o, const char *fmt, va_list ap)
{
	struct ipct_text t = { .len = 0 };
	struct json_object *parts, *part;

	ipct_vsay(&t, fmt, ap);
	json_object_object_add(o, "error", json_object_new_string(t.buf));
	parts = ipct_text_parts(&t);
	if (!parts)
		return;
	part = json_object_array_get_idx(parts, 0);
	json_object_object_add(o, "msgid", json_object_get(json_object_array_get_idx(part, 0)));
	json_object_array_del_idx(part, 0, 1);
	json_object_object_add(o, "args", json_object_get(part));
	json_object_put(parts);
}

const char *ipct_errmsg_said(struct json_object *reply, char *buf, size_t len)
{
	struct json_object *id, *args, *err = NULL, *parts = NULL;
	const char *said;

	json_object_object_get_ex(reply, "error", &err);
	if (json_object_object_get_ex(reply, "msgid", &id) && json_object_object_get_ex(reply, "args", &args) &&
	    json_object_is_type(args, json_type_array)) {
		/* Back to the part [msgid, arg, ...] it was cut from. */
		struct json_object *part = json_object_new_array();

		json_object_array_add(part, json_object_get(id));
		for (size_t i = 0; i < json_object_array_length(args); i++)
			json_object_array_add(part, json_object_get(json_object_array_get_idx(args, i)));
		parts = json_object_new_array();
		json_object_array_add(parts, part);
	}
	said = ipct_said_parts(parts, err ? json_object_get_string(err) : NULL, buf, len);
	json_object_put(parts);
	return said;
}
