/* SPDX-License-Identifier: MIT */
/*
 * A message made in one process and read in another's language: the
 * daemon's errors to its clients (docs/protocol.md, "Errors"). The daemon
 * never chooses a language; it sends its English printf format as the
 * message id and each conversion's text apart, and the client fills the
 * translation of that id with them.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct json_object;

/*
 * Adds "error" (the English text), "msgid" (fmt) and "args" (what each
 * conversion of fmt printed, in order) to o. fmt's conversions: %s, %d, %i,
 * %u, %x, %c with the flags, width, precision ("*" too) and length modifiers
 * of printf; %m is strerror(errno). -EINVAL for another; -ENOMEM.
 */
int ipct_errmsg_add(struct json_object *o, const char *fmt, va_list ap);

/*
 * tmpl (a translated msgid) into buf with its conversions replaced by the
 * strings of args: in order, or as %N$ says; %% is %. A %m argument is
 * glibc's English strerror text, translated with libc's own catalogue.
 * -EINVAL when tmpl names an argument args lacks, -ENOSPC when buf is too
 * small (what fits is there).
 */
int ipct_errmsg_fill(char *buf, size_t len, const char *tmpl, struct json_object *args);
