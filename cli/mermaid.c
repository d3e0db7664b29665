// SPDX-License-Identifier: MIT
/*
 * ipctrace signals -o mermaid: the signals as a Mermaid sequence diagram,
 * for slides and notes (Markdown renders it where Mermaid is supported).
 * Participants are the processes, comm[pid], and the kernel; each signal
 * is one arrow from its sender to its target (a cross where it was lost),
 * with a note on the target for what happened to it beyond being
 * delivered: how long it waited, merged, ignored, never delivered.
 *
 * Mermaid reads a line up to its end: names and notes keep to characters
 * that mean nothing to it (no ';', '#', ':' or '%' of its syntax).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "names.h"
#include "report.h"

/* A participant's id: p<pid>, or kernel. */
static void part_id(char *buf, size_t len, bool kernel, uint32_t pid)
{
	if (kernel)
		snprintf(buf, len, "kernel");
	else
		snprintf(buf, len, "p%u", pid);
}

/* comm[pid], with whatever Mermaid could read as syntax made '_'. */
static void part_name(char *buf, size_t len, const char *comm, uint32_t pid)
{
	char safe[IPCT_COMM_LEN + 1];
	size_t i;

	for (i = 0; i < IPCT_COMM_LEN && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		safe[i] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  c == '-' || c == '_' || c == '.' || c == '/' ? (char)c : '_';
	}
	safe[i] = 0;
	snprintf(buf, len, "%s[%u]", safe, pid);
}

/* Declares a participant the first time it appears (seen: its ids so far, n of them). */
static void declare(struct ipct_buf *out, char (*seen)[24], size_t *n, size_t max, const char *id,
		    const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(seen[i], id))
			return;
	if (*n < max)
		snprintf(seen[(*n)++], sizeof(seen[0]), "%s", id);
	ipct_buf_printf(out, "    participant %s as %s\n", id, name);
}

/* What the note on the target says; NULL when the arrow says it all. */
static const char *note_of(const struct ipct_sigrec *r, char *buf, size_t len)
{
	uint64_t waited = r->delivered_ns > r->generated_ns && r->generated_ns ? r->delivered_ns - r->generated_ns : 0;

	switch (r->outcome) {
	case IPCT_OUTCOME_MERGED:
		if (r->merged_into)
			snprintf(buf, len, _("merged into signal %" PRIu64 ", already pending, lost"),
				 (uint64_t)r->merged_into);
		else
			snprintf(buf, len, "%s", _("merged, already pending, lost"));
		return buf;
	case IPCT_OUTCOME_IGNORED:
		return r->action == IPCT_ACT_DEFAULT ? _("ignored by default") : _("ignored (SIG_IGN)");
	case IPCT_OUTCOME_DROPPED:
		return _("dropped, queue full");
	case IPCT_OUTCOME_NEVER_DELIVERED:
		return _("never delivered, still pending");
	case IPCT_OUTCOME_DISCARDED:
		return _("discarded while pending");
	}
	if ((r->flags & IPCT_SR_BLOCKED) || waited >= 1000000) {
		snprintf(buf, len, r->flags & IPCT_SR_BLOCKED ? _("pending %.3f ms (blocked)") : _("pending %.3f ms"),
			 (double)waited / 1e6);
		return buf;
	}
	return NULL;
}

void print_mermaid(const struct ipct_sigrec *recs, size_t n, struct ipct_buf *out)
{
	char seen[256][24];
	size_t nseen = 0;

	ipct_buf_printf(out, "sequenceDiagram\n");
	/* Participants in the order they first appear, so the diagram reads left to right. */
	for (size_t i = 0; i < n; i++) {
		const struct ipct_sigrec *r = &recs[i];
		bool kernel = !record_from_process(r);
		char id[24], name[48];

		part_id(id, sizeof(id), kernel, r->sender_pid);
		if (kernel)
			snprintf(name, sizeof(name), "kernel");
		else
			part_name(name, sizeof(name), r->sender_comm, r->sender_pid);
		declare(out, seen, &nseen, sizeof(seen) / sizeof(seen[0]), id, name);
		part_id(id, sizeof(id), false, r->target_pid);
		part_name(name, sizeof(name), r->target_comm, r->target_pid);
		declare(out, seen, &nseen, sizeof(seen) / sizeof(seen[0]), id, name);
	}
	for (size_t i = 0; i < n; i++) {
		const struct ipct_sigrec *r = &recs[i];
		const char *sig = ipct_sig_name(r->sig), *outcome = ipct_outcome_name(r->outcome) ?: "unknown";
		const char *note;
		bool lost = r->outcome == IPCT_OUTCOME_MERGED || r->outcome == IPCT_OUTCOME_DROPPED ||
			    r->outcome == IPCT_OUTCOME_NEVER_DELIVERED || r->outcome == IPCT_OUTCOME_DISCARDED ||
			    r->outcome == IPCT_OUTCOME_IGNORED;
		char from[24], to[24], signame[24], buf[128];

		part_id(from, sizeof(from), !record_from_process(r), r->sender_pid);
		part_id(to, sizeof(to), false, r->target_pid);
		if (!sig)
			snprintf(signame, sizeof(signame), _("signal %d"), r->sig);
		ipct_buf_printf(out, "    %s%s%s: %s %s\n", from, lost ? "-x" : "->>", to, sig ?: signame, outcome);
		note = note_of(r, buf, sizeof(buf));
		if (note)
			ipct_buf_printf(out, "    Note over %s: %s\n", to, note);
	}
}
