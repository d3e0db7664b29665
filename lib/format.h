/* SPDX-License-Identifier: MIT */
/* Events as text lines for people or JSON objects for programs, from one code path. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ipctrace/event.h"
#include "proto.h"
#include "symbols.h"

enum ipct_output {
	IPCT_OUT_TEXT,
	IPCT_OUT_JSON,
	IPCT_OUT_DOT,           /* Graphviz: the pipe graph only */
	IPCT_OUT_PERFETTO,      /* the Trace Event Format of a timeline (lib/perfetto.c) */
	IPCT_OUT_HTML,          /* one self-contained page (cli/html.c) */
	IPCT_OUT_MERMAID,       /* a Mermaid sequence diagram of the signals (cli/mermaid.c) */
};

struct ipct_fmt {
	enum ipct_output mode;
	uint64_t start_ns;      /* CLOCK_BOOTTIME of the session start: text times count from it */
	int64_t realtime_off;   /* CLOCK_REALTIME - CLOCK_BOOTTIME, for time_ns */
	bool dates;             /* without start_ns: the time of day after its date (output spanning days) */
	bool color;
	int width;              /* the columns tables fit in (a terminal's); 0: 80 */
	struct ipct_syms *syms; /* names handlers when set; fed every event by the caller */
};

/*
 * The signal a signal event is about, as the lifecycle tells it: a
 * delivery of SIGKILL that ends a thread group is the fatal signal's that
 * started it (SIGTERM's default action), and none (0) for exit_group or
 * exec, which send no signal. 0 for other events.
 */
int ipct_event_signal(const struct ipct_event *e);

/* The event's type name: "write", "signal_generate", "fork", ... */
const char *ipct_event_type_name(const struct ipct_event *e);

/*
 * Whether the event shows a signal handler, which is named from the
 * process's program (ipct_syms): the exec or fork before it must be known.
 */
bool ipct_event_names_handler(const struct ipct_event *e);

/* One event as one line ending in '\n', appended to out. -errno. */
int ipct_format_event(const struct ipct_fmt *f, const struct ipct_event *e, struct ipct_buf *out);

/* The column header that text output starts with (nothing in JSON mode). */
int ipct_format_header(const struct ipct_fmt *f, struct ipct_buf *out);

/* An OBJINFO's local or remote address ("127.0.0.1:80", "[::1]:80", "/tmp/s", "@abstract")
 * or a FIFO's path; "" when there is none. */
void ipct_objinfo_addr(const struct ipct_objinfo *o, bool remote, char *buf, size_t len);

/* "exited 3", "killed by SIGTERM (core dumped)", "stopped by SIGSTOP" for a wait status. */
void ipct_wait_status_str(int status, char *buf, size_t len);
/* The same in the user's language, for text a person reads (never JSON). */
void ipct_wait_status_text(int status, char *buf, size_t len);

/* waitid's si_code and si_status (CLD_EXITED and 3) as the wait status wait4 gives. */
int ipct_waitid_status(int code, int status);
