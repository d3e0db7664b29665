// SPDX-License-Identifier: MIT
#include "counts.h"
#include "format.h"

struct json_object *ipct_counts_json(const struct ipct_counts *c)
{
	struct json_object *o = json_object_new_object();
	struct ipct_event probe = { .type = IPCT_EV_SYSCALL };

	for (int nr = 0; nr < IPCT_NR_MAX; nr++)
		if (c->by_syscall[nr]) {
			probe.nr = (uint16_t)nr;
			json_object_object_add(o, ipct_event_type_name(&probe),
					       json_object_new_int64((int64_t)c->by_syscall[nr]));
		}
	for (int t = IPCT_EV_SYSCALL + 1; t < IPCT_EV_TYPE_MAX; t++)
		if (c->by_type[t]) {
			probe.type = (uint8_t)t;
			json_object_object_add(o, ipct_event_type_name(&probe),
					       json_object_new_int64((int64_t)c->by_type[t]));
		}
	return o;
}
