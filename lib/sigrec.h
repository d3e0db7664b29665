/* SPDX-License-Identifier: MIT */
/* Lifecycle records for people and programs: names, explanations, text and JSON, matches. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ipctrace/sigrec.h"
#include "format.h"
#include "match.h"

/* "handled", "merged", ...; "handler", "default", ...; "child", "pipe", ...: NULL for none. */
const char *ipct_outcome_name(int outcome);
const char *ipct_action_name(int action);
const char *ipct_cause_name(int cause);

/*
 * Plain words about an abnormal outcome, in the user's language (JSON says
 * them in English), or "" when there is nothing to explain.
 */
void ipct_sigrec_explain(const struct ipct_sigrec *r, char *buf, size_t len);

/* The table's header (text) or nothing (JSON). */
int ipct_format_sigrec_header(const struct ipct_fmt *f, struct ipct_buf *out);
/* One record: a table row (and its explanation line), or one JSON object; ends in '\n'. -errno. */
int ipct_format_sigrec(const struct ipct_fmt *f, const struct ipct_sigrec *r, struct ipct_buf *out);

/* The fields `ipctrace signals` matches on, and the test for one term. */
extern const struct ipct_match_field ipct_sigrec_fields[];
bool ipct_sigrec_test(const void *rec, const struct ipct_match_term *t);
