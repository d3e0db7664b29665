// SPDX-License-Identifier: MIT
/*
 * Event formatting. Every field is printed through one call (pr_int,
 * pr_str, ...) that either writes it as a JSON member or appends its text
 * form to the line, so the two outputs cannot drift apart (the iproute2
 * json_print idea).
 *
 * JSON goes straight into the output buffer, as iproute2's and bpftool's
 * json_writer do: building a json-c object per event and serialising it
 * cost about 2.5 us an event, more than the daemon spends on one, and
 * `-o json` could not keep up with a busy trace. Strings are escaped as
 * json-c escapes them; everything that parses JSON uses json-c.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/futex.h>
#include <sys/sem.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "format.h"
#include "i18n.h"
#include "lifecycle.h"
#include "names.h"
#include "safetext.h"
#include "syscalls.h"

#define COL_TIME 10
#define COL_PROC 24
#define COL_EVENT 16

struct pr {
	const struct ipct_fmt *f;
	struct ipct_buf *out;
	int members;                    /* JSON mode: members written */
	bool started;                   /* text mode: a detail has been written */
	bool high;                      /* JSON mode: a string had a byte past ASCII */
	int err;
};

/*
 * The words of text lines, in the user's language: looked up once (the
 * first line formatted), not per event. A word with a "%s" takes a value
 * there (a number, a signal's default action). JSON says none of them.
 */
enum word {
	W_TIME, W_PROCESS, W_EVENT, W_DETAILS,
	W_KERNEL_TERMINAL, W_BLOCKED_MS, W_INTERRUPTED, W_SIGRETURN,
	W_DEFAULT, W_IGNORE, W_HANDLER,
	W_QUEUED, W_IGNORED, W_MERGED, W_OVERFLOW, W_LOSE_INFO,
	W_CONTINUED, W_BLOCKED, W_BY_KERNEL, W_LOST, W_ENDS_AS_SIGKILL, W_NO_SIGNAL, W_FROM_PID,
	W_NOT_IPC, W_TOOK, W_CHILD, W_SHARING_FDS, W_NOT_TRACED, W_WAS_THREAD, W_PRIV_EXEC,
	W_MSGSIZE, W_SCM_RIGHTS, W_CLOSING, W_ANONYMOUS, W_WAS, W_SIGNAL, W_FUTEX_WAIT, W_FUTEX_WAKE, W_FUTEX_OP,
	W_WOKE, W_AT, W_PEER, W_MAPPED, W_EXITED, W_KILLED_BY, W_CORE_DUMPED, W_STOPPED_BY, W_RESUMED, W_STATUS,
	W_COUNT
};

static const char *const word_ids[W_COUNT] = {
	/* TRANSLATORS: the column headers of event lines; the value of each column is not translated. */
	[W_TIME] = N_("TIME"), [W_PROCESS] = N_("PROCESS"), [W_EVENT] = N_("EVENT"), [W_DETAILS] = N_("DETAILS"),
	/* TRANSLATORS: in the PROCESS column: a signal typed at a terminal, raised by the kernel's terminal driver. */
	[W_KERNEL_TERMINAL] = N_("kernel (terminal)"),
	/* TRANSLATORS: a system call that waited; %s is milliseconds, "1.5". */
	[W_BLOCKED_MS] = N_("[blocked %s ms]"),
	/* TRANSLATORS: the error EINTR or ERESTART*: a signal handler ran while the call waited. */
	[W_INTERRUPTED] = N_("interrupted by a signal"),
	/* TRANSLATORS: rt_sigreturn: a signal handler returned, the interrupted code resumes. */
	[W_SIGRETURN] = N_("handler returned, restoring"),
	/* TRANSLATORS: what a signal's delivery does: its default action, nothing (ignored), or run a handler. */
	[W_DEFAULT] = N_("default"), [W_IGNORE] = N_("ignore"), [W_HANDLER] = N_("handler"),
	/* TRANSLATORS: what became of a signal as it was generated (queued: now pending). */
	[W_QUEUED] = N_("queued"), [W_IGNORED] = N_("ignored"),
	/* TRANSLATORS: a signal generated while the same one was pending: merged into it, lost. */
	[W_MERGED] = N_("merged"),
	/* TRANSLATORS: a real-time signal that did not fit in the queue. */
	[W_OVERFLOW] = N_("overflow"),
	/* TRANSLATORS: a signal queued without its information (sender, value): the kernel ran out of memory. */
	[W_LOSE_INFO] = N_("lose_info"),
	[W_CONTINUED] = N_("continued (the kernel resumes the process as it generates SIGCONT)"),
	/* TRANSLATORS: a signal generated while the target blocks it: it stays pending. */
	[W_BLOCKED] = N_("blocked"),
	[W_BY_KERNEL] = N_("by the kernel"),
	[W_LOST] = N_("(already pending: this one is lost)"),
	/* TRANSLATORS: %s is the signal's default action as signal(7) names it: Term, Core. */
	[W_ENDS_AS_SIGKILL] = N_("(%s): the kernel ends the process (delivered as SIGKILL)"),
	[W_NO_SIGNAL] = N_(": the process ends (exit_group or exec), no signal was sent"),
	/* TRANSLATORS: %s is the process id of the signal's sender. */
	[W_FROM_PID] = N_("from pid %s"),
	/* TRANSLATORS: a descriptor that is no IPC object (a file, a terminal). */
	[W_NOT_IPC] = N_("(not IPC)"),
	/* TRANSLATORS: sigtimedwait or a signalfd took signals; the signals' names follow. */
	[W_TOOK] = N_("took"),
	/* TRANSLATORS: fork; %s is the new process's id. */
	[W_CHILD] = N_("child %s"),
	[W_SHARING_FDS] = N_("sharing its descriptor table"),
	[W_NOT_TRACED] = N_("(not traced: the traced set is full)"),
	/* TRANSLATORS: exec by a thread, which takes the process's id; %s is its old thread id. */
	[W_WAS_THREAD] = N_("(was thread %s)"),
	[W_PRIV_EXEC] = N_("(privileged exec: the program gained privileges (setuid, setgid or file capabilities); "
			   "tracing of this process stopped here)"),
	/* TRANSLATORS: mq_receive failed with EMSGSIZE; %s is the queue's mq_msgsize. */
	[W_MSGSIZE] = N_("(the buffer is smaller than the queue's mq_msgsize, %s)"),
	/* TRANSLATORS: a descriptor received in a message; %s is the socket's descriptor. */
	[W_SCM_RIGHTS] = N_("(SCM_RIGHTS through fd %s)"),
	/* TRANSLATORS: dup2 closed the descriptor it replaced; the object follows. */
	[W_CLOSING] = N_("closing"),
	/* TRANSLATORS: a shared mapping of no file. */
	[W_ANONYMOUS] = N_("anonymous"),
	/* TRANSLATORS: sigaction's previous handler; %s is SIG_DFL, SIG_IGN or the handler. */
	[W_WAS] = N_("(was %s)"),
	/* TRANSLATORS: a signal without a name; %s is its number. */
	[W_SIGNAL] = N_("signal %s"),
	/* TRANSLATORS: a futex call on a semaphore: a sem_wait that sleeps, a sem_post that wakes, another operation. */
	[W_FUTEX_WAIT] = N_("wait"), [W_FUTEX_WAKE] = N_("wake"), [W_FUTEX_OP] = N_("op"),
	/* TRANSLATORS: a futex wake; %s is how many waiters it woke. */
	[W_WOKE] = N_("woke %s"),
	/* TRANSLATORS: %s is an address in memory, 0x7f12... */
	[W_AT] = N_("at %s"),
	/* TRANSLATORS: a socket connected to another that the trace knows. */
	[W_PEER] = N_("peer"),
	/* TRANSLATORS: munmap of shared memory; %s is the length that was mapped there. */
	[W_MAPPED] = N_("(mapped %s)"),
	/* TRANSLATORS: how a process ended or changed (a wait status); %s is its exit code. */
	[W_EXITED] = N_("exited %s"),
	/* TRANSLATORS: %s is a signal's name, SIGTERM. */
	[W_KILLED_BY] = N_("killed by %s"), [W_CORE_DUMPED] = N_("(core dumped)"), [W_STOPPED_BY] = N_("stopped by %s"),
	/* TRANSLATORS: a stopped process resumed by SIGCONT (a wait status). */
	[W_RESUMED] = N_("continued"),
	/* TRANSLATORS: a wait status none of the above; %s is its value, 0x137f. */
	[W_STATUS] = N_("status %s"),
};

/* A word: its bytes, split at its "%s" (post: NULL without one); its columns, for the PROCESS column. */
static struct word_text {
	const char *all, *pre, *post;
	uint16_t npre, npost;
	int cols;
} words[W_COUNT];

/* The longest word: room for any of them. */
static size_t words_max;

/* " (was %s)" as a format for pr_str (sigaction's old handler, which may be a symbol to escape). */
static char was_format[256];

/* strerror's descriptions of the errors Linux has (NULL: out of memory, asked again), in the user's language. */
#define ERRNO_TEXTS 134
static char *errno_texts[ERRNO_TEXTS];

static pthread_once_t words_once = PTHREAD_ONCE_INIT;
static bool words_ready;

static void words_init(void)
{
	for (int i = 0; i < W_COUNT; i++) {
		const char *s = _(word_ids[i]), *pct = strstr(s, "%s");
		struct word_text *w = &words[i];
		size_t n = strlen(s);

		w->all = w->pre = s;
		w->npre = (uint16_t)(pct ? (size_t)(pct - s) : n);
		w->post = pct ? pct + 2 : NULL;
		w->npost = (uint16_t)(pct ? n - w->npre - 2 : 0);
		w->cols = ipct_text_width(s);
		if (n > words_max)
			words_max = n;
	}
	snprintf(was_format, sizeof(was_format), " %s", words[W_WAS].all);
	/* Kept for the process's life: a strerror per failed call cost hundreds of instructions. */
	for (int i = 0; i < ERRNO_TEXTS; i++)
		errno_texts[i] = strdup(strerror(i));
	__atomic_store_n(&words_ready, true, __ATOMIC_RELEASE);
}

/* The words looked up, once: a load and a test for every line after the first. */
static void words_need(void)
{
	if (!__atomic_load_n(&words_ready, __ATOMIC_ACQUIRE))
		pthread_once(&words_once, words_init);
}

/* Room for n more bytes at the end of the output, or NULL (p->err set). */
static char *room(struct pr *p, size_t n)
{
	if (ipct_buf_reserve(p->out, n) < 0) {
		p->err = -ENOMEM;
		return NULL;
	}
	return p->out->data + p->out->end;
}

static void advance(struct pr *p, const char *d)
{
	p->out->end = (size_t)(d - p->out->data);
}

/* "00" to "99": numbers are written two digits at a time. */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				  "8081828384858687888990919293949596979899";

/* v < 10000 in exactly four digits. */
static inline __attribute__((always_inline)) char *put4(char *d, uint32_t v)
{
	memcpy(d, digit_pairs + 2 * (v / 100), 2);
	memcpy(d + 2, digit_pairs + 2 * (v % 100), 2);
	return d + 4;
}

/* v < 10000 in its digits. */
static inline __attribute__((always_inline)) char *put_small(char *d, uint32_t v)
{
	if (v < 10) {
		*d = (char)('0' + v);
		return d + 1;
	}
	if (v < 100) {
		memcpy(d, digit_pairs + 2 * v, 2);
		return d + 2;
	}
	if (v < 1000) {
		*d = (char)('0' + v / 100);
		memcpy(d + 1, digit_pairs + 2 * (v % 100), 2);
		return d + 3;
	}
	return put4(d, v);
}

/* u >= 10000: the digits of u / 10^8 (again), then eight, a 64-bit division (a time_ns has 19). */
static char *put_large(char *d, uint64_t u)
{
	uint32_t lo;

	if (u < 100000000)
		return put4(put_small(d, (uint32_t)u / 10000), (uint32_t)u % 10000);
	d = u >= 100000000ull * 10000 ? put_large(d, u / 100000000) : put_small(d, (uint32_t)(u / 100000000));
	lo = (uint32_t)(u % 100000000);
	return put4(put4(d, lo / 10000), lo % 10000);
}

/*
 * Decimal digits, written at d (room for 20): printf's %" PRIu64 " without
 * printf, four digits at a time from a table of pairs. Inlined for the
 * small numbers most are (a pid, a descriptor, a count).
 */
static inline __attribute__((always_inline)) char *put_u64(char *d, uint64_t u)
{
	return u < 10000 ? put_small(d, (uint32_t)u) : put_large(d, u);
}

/*
 * Whether printf rounds up v / div (0 < v < 2^53) when v ends in exactly
 * half of the last digit it prints, kept the digits it keeps: printf rounds
 * the double nearest v / div, up when it lies above the half, to an even
 * last digit when it is the half (x.25, x.75 ms). Exact, in integers: the
 * double is m / 2^k (19 <= k <= 82 for these quotients), and m * div and
 * v * 2^k are compared as two 64-bit halves each (32-bit machines have no
 * 128-bit integers).
 */
static bool half_rounds_up(uint64_t v, uint32_t div, uint64_t kept)
{
	double q = (double)v / div;
	uint64_t bits, m, lo, mid, hi, vlo, vhi;
	int k;

	memcpy(&bits, &q, sizeof(bits));
	m = (bits & ((1ull << 52) - 1)) | 1ull << 52;
	k = 1075 - (int)(bits >> 52 & 0x7ff);
	lo = (m & 0xffffffff) * div;
	mid = (m >> 32) * div;
	hi = (mid >> 32) + (lo + (mid << 32) < lo);
	lo += mid << 32;
	vhi = k >= 64 ? v << (k - 64) : v >> (64 - k);
	vlo = k >= 64 ? 0 : v << k;
	if (hi != vhi || lo != vlo)
		return hi > vhi || (hi == vhi && lo > vlo);
	return kept & 1;
}

/* "[pid]", or "[pid/tid]" for a thread: room for 24. */
static char *put_pid_tid(char *d, uint32_t pid, uint32_t tid)
{
	*d++ = '[';
	d = put_u64(d, pid);
	if (pid != tid) {
		*d++ = '/';
		d = put_u64(d, tid);
	}
	*d++ = ']';
	return d;
}

/* %" PRId64 ": room for 21. */
static char *put_i64(char *d, int64_t v)
{
	if (v < 0)
		*d++ = '-';
	return put_u64(d, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

static bool json_mode(const struct pr *p)
{
	return p->f->mode == IPCT_OUT_JSON;
}

static void json_raw(struct pr *p, const char *s, size_t n)
{
	if (ipct_buf_append(p->out, s, n) < 0)
		p->err = -ENOMEM;
}

/* Appends what JSON needs no escape for, between quotes when `quoted`. */
static void json_plain(struct pr *p, const char *s, size_t n, bool quoted)
{
	char *d;

	if (ipct_buf_reserve(p->out, n + 2) < 0) {
		p->err = -ENOMEM;
		return;
	}
	d = p->out->data + p->out->end;
	if (quoted)
		*d++ = '"';
	memcpy(d, s, n);
	d += n;
	if (quoted)
		*d++ = '"';
	p->out->end = (size_t)(d - p->out->data);
}

static bool json_escaped(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* What json_string's scan stops at: the end, an escape, a byte past ASCII (a table: every byte asks). */
static bool json_stop(unsigned char c)
{
	static const uint8_t stop[256] = {
		[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
	};

	return stop[c];
}

static void json_string(struct pr *p, const char *s)
{
	static const char hex[] = "0123456789abcdef", ctl[] = "\b\f\n\r\t", ctl_esc[] = "bfnrt";
	const char *run = s, *short_esc;

	/* Most strings need no escape: one copy. */
	for (;;) {
		while (!json_stop((unsigned char)*s))
			s++;
		if (!*s || json_escaped((unsigned char)*s))
			break;
		p->high = true;
		s++;
	}
	if (!*s) {
		json_plain(p, run, (size_t)(s - run), true);
		return;
	}
	json_raw(p, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\' };
		size_t n = 2;

		p->high |= c >= 0x80;
		if (!json_escaped(c))
			continue;
		json_raw(p, run, (size_t)(s - run));
		short_esc = memchr(ctl, c, sizeof(ctl) - 1);
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
		} else if (short_esc) {
			esc[1] = ctl_esc[short_esc - ctl];
		} else {
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		json_raw(p, esc, n);
		run = s + 1;
	}
	json_raw(p, run, (size_t)(s - run));
	json_raw(p, "\"", 1);
}

static void json_int(struct pr *p, int64_t v)
{
	char *d = room(p, 21);

	if (d)
		advance(p, put_i64(d, v));
}

/*
 * "key": of the next member, in place (keys are our own identifiers:
 * nothing to escape). Inlined, as the pr_ calls that take a key are: a
 * literal key's length is a constant, and its copy a few moves.
 */
static inline __attribute__((always_inline)) void json_key(struct pr *p, const char *key)
{
	size_t n = strlen(key);
	char *d = room(p, n + 4);

	if (!d)
		return;
	if (p->members++)
		*d++ = ',';
	*d++ = '"';
	memcpy(d, key, n);
	d += n;
	*d++ = '"';
	*d++ = ':';
	advance(p, d);
}

/* A text fragment, at most TEXT_MAX bytes (what the formats were cut at). */
#define TEXT_MAX 255

/*
 * Ends the fragment appended since `from`: cut at TEXT_MAX bytes; fragments
 * carry their own leading separator, and the first one needs none.
 */
static void text_end(struct pr *p, size_t from)
{
	char *d = p->out->data;
	size_t sp = from;

	if (p->out->end - from > TEXT_MAX)
		p->out->end = from + TEXT_MAX;
	if (!p->started) {
		while (sp < p->out->end && d[sp] == ' ')
			sp++;
		memmove(d + from, d + sp, p->out->end - sp);
		p->out->end -= sp - from;
	}
	p->started |= p->out->end > from;
}

/* Text only: appended to the line as printf formats it. */
static void __attribute__((format(printf, 2, 3))) pr_text(struct pr *p, const char *fmt, ...)
{
	va_list ap;
	char tmp[TEXT_MAX + 1];
	size_t from = p->out->end;

	if (json_mode(p))
		return;
	/* Words alone ("handler returned, restoring"): no printf. */
	if (!strchr(fmt, '%')) {
		json_raw(p, fmt, strlen(fmt));
		text_end(p, from);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	json_raw(p, tmp, strlen(tmp));
	text_end(p, from);
}

/*
 * Text only, what most fields print: a format with one %s (str) or
 * %" PRId64 " (else v), appended without printf. Returns false for other
 * formats, which the caller hands to pr_text.
 */
static bool text_value(struct pr *p, const char *fmt, const char *str, int64_t v)
{
	const char *pct = NULL, *rest;
	size_t from = p->out->end, n, vlen = str ? strlen(str) : 0;
	char *d;

	/* One '%' and no other: one pass over the format. */
	for (n = 0; fmt[n]; n++) {
		if (fmt[n] != '%')
			continue;
		if (pct)
			return false;
		pct = fmt + n;
	}
	if (!pct)
		return false;
	if (str && pct[1] == 's')
		rest = pct + 2;
	else if (!str && !strncmp(pct + 1, PRId64, sizeof(PRId64) - 1))
		rest = pct + sizeof(PRId64);
	else
		return false;
	n = (size_t)(fmt + n - rest);
	d = room(p, (size_t)(pct - fmt) + vlen + 21 + n);
	if (!d)
		return true;
	memcpy(d, fmt, (size_t)(pct - fmt));
	d += pct - fmt;
	if (str) {
		memcpy(d, str, vlen);
		d += vlen;
	} else {
		d = put_i64(d, v);
	}
	memcpy(d, rest, n);
	advance(p, d + n);
	text_end(p, from);
	return true;
}

static void text_int(struct pr *p, const char *text, int64_t v)
{
	if (!text_value(p, text, NULL, v))
		pr_text(p, text, v);
}

/* A string that needs no escape in text: ours, or escaped already. */
static void text_word(struct pr *p, const char *text, const char *s)
{
	if (!text_value(p, text, s, 0))
		pr_text(p, text, s);
}

static void text_str(struct pr *p, const char *text, const char *s)
{
	char safe[256];

	ipct_text_escape(safe, sizeof(safe), s, strlen(s));
	text_word(p, text, safe);
}

static void text_bool(struct pr *p, const char *text)
{
	size_t from = p->out->end;

	json_raw(p, text, strlen(text));
	text_end(p, from);
}

static void json_string_or_null(struct pr *p, const char *s)
{
	if (s)
		json_string(p, s);
	else
		json_raw(p, "null", 4);
}

/*
 * text is a printf format for the value in text mode, or NULL to leave it
 * out there. These three are inlined for json_key's sake (the rest is not).
 */
static inline __attribute__((always_inline)) void pr_int(struct pr *p, const char *key, const char *text,
							  int64_t v)
{
	if (json_mode(p)) {
		json_key(p, key);
		json_int(p, v);
	} else if (text) {
		text_int(p, text, v);
	}
}

static inline __attribute__((always_inline)) void pr_str(struct pr *p, const char *key, const char *text,
							  const char *s)
{
	if (json_mode(p)) {
		json_key(p, key);
		json_string_or_null(p, s);
	} else if (text && s) {
		text_str(p, text, s);
	}
}

/*
 * pr_str for our own words, from our tables (a signal's name, an errno's,
 * an object's "pipe:[ino]"): plain ASCII, nothing to escape in either
 * output. What a program chose (comm, paths, symbols) goes through pr_str.
 */
static void json_word(struct pr *p, const char *s)
{
	if (s)
		json_plain(p, s, strlen(s), true);
	else
		json_raw(p, "null", 4);
}

static inline __attribute__((always_inline)) void pr_word(struct pr *p, const char *key, const char *text,
							   const char *s)
{
	if (json_mode(p)) {
		json_key(p, key);
		json_word(p, s);
	} else if (text && s) {
		text_word(p, text, s);
	}
}

static inline __attribute__((always_inline)) void pr_bool(struct pr *p, const char *key, const char *text,
							   bool v)
{
	if (json_mode(p)) {
		json_key(p, key);
		json_raw(p, v ? "true" : "false", v ? 4 : 5);
	} else if (text && v) {
		text_bool(p, text);
	}
}

/*
 * The one-pass writers of the lines a busy trace is made of (the head of
 * every line, a data call on a pipe or socket, kill, a signal's generation
 * and delivery, rt_sigreturn, every call's result): a cursor into room
 * made once for what follows (line_room), literal JSON keys and text,
 * words from the table, no format to read. The pr_ calls above write the
 * rarer fields one by one; settle() hands the line back to them.
 */
#define LINE_ROOM 1024

/*
 * Room for what a writer puts before it asks again: at most an escaped
 * command name (511 bytes), names and numbers (under 300), and four words
 * of the table. NULL when out of memory.
 */
static char *line_room(struct pr *p)
{
	return room(p, LINE_ROOM + 4 * words_max);
}

/* The cursor's text written: the pr_ calls go on from there (a text fragment needs its separator). */
static void settle(struct pr *p, char *d)
{
	advance(p, d);
	p->started = true;
}

#define LIT(d, s) ((char *)memcpy((d), (s), sizeof(s) - 1) + sizeof(s) - 1)

static char *put_str(char *d, const char *s, size_t n)
{
	memcpy(d, s, n);
	return d + n;
}

static char *put_cstr(char *d, const char *s)
{
	return put_str(d, s, strlen(s));
}

/* A word of the table, v (n bytes) at its "%s". */
static char *put_word(char *d, enum word w, const char *v, size_t n)
{
	const struct word_text *t = &words[w];

	d = put_str(d, t->pre, t->npre);
	if (t->post) {
		d = put_str(d, v, n);
		d = put_str(d, t->post, t->npost);
	}
	return d;
}

static char *put_word_int(char *d, enum word w, int64_t v)
{
	char num[24];

	return put_word(d, w, num, (size_t)(put_i64(num, v) - num));
}

/* A JSON string of our own (nothing to escape), or null. */
static char *put_jword(char *d, const char *s)
{
	if (!s)
		return LIT(d, "null");
	*d++ = '"';
	d = put_cstr(d, s);
	*d++ = '"';
	return d;
}

static char *put_jbool(char *d, bool v)
{
	return v ? LIT(d, "true") : LIT(d, "false");
}

/* Sixteen bytes compared at once (a command name's), where the machine has vectors. */
typedef uint8_t name_vec __attribute__((vector_size(IPCT_COMM_LEN)));

/*
 * How many bytes of a command name are copied as they are: up to the
 * first NUL, control, byte past ASCII or backslash, in JSON also quote.
 */
static size_t plain_len(const char *s, bool json)
{
	name_vec x, stop;
	uint64_t half[2];

	memcpy(&x, s, sizeof(x));
	stop = (name_vec)((x < 0x20) | (x > 0x7e) | (x == '\\'));
	if (json)
		stop |= (name_vec)(x == '"');
	memcpy(half, &stop, sizeof(half));
	/* The first byte lowest, whatever the machine's order. */
	for (int i = 0; i < 2; i++)
		if (half[i])
			return (size_t)(8 * i + __builtin_ctzll(le64toh(half[i])) / 8);
	return IPCT_COMM_LEN;
}

/* put_comm's name with something to escape: apart, so that the usual name needs no buffer on the stack. */
static __attribute__((noinline)) char *put_odd_comm(struct pr *p, char *d, const char *s, int *cols)
{
	char tmp[4 * 8 * IPCT_COMM_LEN];

	if (!json_mode(p)) {
		*cols = ipct_text_escape(tmp, sizeof(tmp), s, IPCT_COMM_LEN);
		return put_cstr(d, tmp);
	}
	snprintf(tmp, sizeof(tmp), "%.*s", IPCT_COMM_LEN, s);
	advance(p, d);
	json_string(p, tmp);
	return line_room(p);
}

/*
 * A command name (IPCT_COMM_LEN bytes, NUL-terminated when shorter), which
 * a program chose: as ipct_text_escape writes it in text (*cols: its
 * columns), as json_string does in JSON; copied as it is when it is
 * printable ASCII, as names nearly always are. NULL when out of memory.
 */
static char *put_comm(struct pr *p, char *d, const char *s, int *cols)
{
	bool json = json_mode(p);
	size_t n = plain_len(s, json);

	if (n < IPCT_COMM_LEN && s[n])
		return put_odd_comm(p, d, s, cols);
	*cols = (int)n;
	if (json)
		*d++ = '"';
	/* Both halves of a command name, whatever its length: two moves, not a call. */
	memcpy(d, s, IPCT_COMM_LEN);
	d += n;
	if (json)
		*d++ = '"';
	return d;
}

/* A signal: text its name ("signal N" without one), JSON "sig" (null without a name) and "signo". */
static char *put_sig(char *d, bool json, int sig)
{
	const char *name = ipct_sig_name(sig);

	if (json) {
		d = LIT(d, ",\"sig\":");
		d = put_jword(d, name);
		d = LIT(d, ",\"signo\":");
		return put_i64(d, sig);
	}
	return name ? put_cstr(d, name) : put_word_int(d, W_SIGNAL, sig);
}

/* The name of a pipe or socket, as /proc/PID/fd shows it: "pipe:[ino]", "socket:[ino]". */
static char *put_ipc_name(char *d, int kind, uint64_t ino)
{
	d = kind == IPCT_KIND_SOCKET ? LIT(d, "socket:[") : LIT(d, "pipe:[");
	d = put_u64(d, ino);
	*d++ = ']';
	return d;
}

/* A pipe's or FIFO's end (JSON "end"), from the descriptor's f_mode. */
static char *put_end(char *d, uint64_t flags)
{
	unsigned mode = (flags >> 32) & 3;

	d = LIT(d, ",\"end\":");
	return mode == 1 ? LIT(d, "\"read\"") : mode == 2 ? LIT(d, "\"write\"") : LIT(d, "\"read_write\"");
}

/* What a read or write asked for and did: "count", "bytes", end of file, a partial transfer. */
static char *put_transfer(char *d, bool json, bool rd, uint64_t count, int64_t ret)
{
	bool eof = rd && ret == 0 && count > 0, part = ret > 0 && (uint64_t)ret < count;

	d = json ? LIT(d, ",\"count\":") : LIT(d, " count=");
	d = put_i64(d, (int64_t)count);
	if (ret < 0)
		return d;
	if (!json)
		/* Short reads are how pipes work: JSON says so, text only for writes. */
		return eof ? LIT(d, " EOF") : part && !rd ? LIT(d, " short") : d;
	d = LIT(d, ",\"bytes\":");
	d = put_i64(d, ret);
	d = LIT(d, ",\"eof\":");
	d = put_jbool(d, eof);
	d = LIT(d, ",\"short\":");
	return put_jbool(d, part);
}

/* Text only: a word (v at its "%s"), after a space unless it starts the details. */
static void pr_say(struct pr *p, enum word w, const char *v)
{
	char *d;

	if (json_mode(p) || !(d = line_room(p)))
		return;
	if (p->started)
		*d++ = ' ';
	settle(p, put_word(d, w, v, v ? strlen(v) : 0));
}

static void pr_say_int(struct pr *p, enum word w, int64_t v)
{
	char num[24];

	*put_i64(num, v) = 0;
	pr_say(p, w, num);
}

/* "0x%" PRIx64 */
static char *put_hex(char *d, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	int n = v ? (64 - __builtin_clzll(v) + 3) / 4 : 1;

	d = LIT(d, "0x");
	for (int i = n - 1; i >= 0; i--, v >>= 4)
		d[i] = hex[v & 15];
	return d + n;
}

static void pr_hex(struct pr *p, const char *key, const char *text, uint64_t v)
{
	char tmp[24];

	*put_hex(tmp, v) = 0;
	pr_str(p, key, text, tmp);
}

/* Where something is in memory: JSON "addr", text "at 0x7f...". */
static void pr_at(struct pr *p, uint64_t addr)
{
	char tmp[24];

	*put_hex(tmp, addr) = 0;
	pr_str(p, "addr", NULL, tmp);
	pr_say(p, W_AT, tmp);
}

/* A list of names: JSON array, text "A|B". */
struct pr_list {
	struct pr *p;
	int n;
};

static void pr_list_add(const char *name, void *data)
{
	struct pr_list *l = data;

	if (json_mode(l->p)) {
		if (l->n++)
			json_raw(l->p, ",", 1);
		json_string(l->p, name);
	} else {
		pr_text(l->p, "%s%s", l->n++ ? "|" : "", name);
	}
}

static void pr_flags(struct pr *p, const char *key, const char *prefix,
		     const struct ipct_flag_name *table, uint64_t v)
{
	struct pr_list l = { .p = p };

	if (json_mode(p)) {
		json_key(p, key);
		json_raw(p, "[", 1);
		ipct_flags_each(table, v, pr_list_add, &l);
		json_raw(p, "]", 1);
	} else if (v && prefix) {
		pr_text(p, "%s", prefix);
		ipct_flags_each(table, v, pr_list_add, &l);
	}
}

static void sigset_each(uint64_t set, void (*fn)(const char *, void *), void *data)
{
	for (int sig = 1; sig <= 64; sig++)
		if (set >> (sig - 1) & 1)
			fn(ipct_sig_name(sig), data);
}

/*
 * A signal set: a JSON array of names; in text as strace prints one, the
 * members "[SIGINT SIGTERM]", or when more than half are in it the ones
 * that are not: "~[SIGCHLD]", and "~[]" for all 64.
 */
static void pr_sigset(struct pr *p, const char *key, const char *prefix, uint64_t set)
{
	struct pr_list l = { .p = p };
	bool inverted = __builtin_popcountll(set) > 32;
	int n = 0;

	if (json_mode(p)) {
		json_key(p, key);
		json_raw(p, "[", 1);
		sigset_each(set, pr_list_add, &l);
		json_raw(p, "]", 1);
		return;
	}
	pr_text(p, "%s%s[", prefix, inverted ? "~" : "");
	for (int sig = 1; sig <= 64; sig++)
		if ((set >> (sig - 1) & 1) != inverted)
			pr_text(p, n++ ? " %s" : "%s", ipct_sig_name(sig));
	pr_text(p, "]");
}

static void pr_sig(struct pr *p, int sig)
{
	char *d = line_room(p);

	if (d)
		settle(p, put_sig(d, json_mode(p), sig));
}

static void pr_object(struct pr *p, const char *key, const char *kind_key, int kind, uint64_t ino)
{
	char obj[48];
	const char *k = ipct_kind_name(kind);

	/* A failed call on a file or terminal, or a standard stream closed or copied: no IPC object. */
	if (kind == IPCT_KIND_OTHER && kind_key) {
		if (json_mode(p))
			pr_str(p, kind_key, NULL, k);
		else
			pr_say(p, W_NOT_IPC, NULL);
	}
	if (kind < IPCT_KIND_PIPE)
		return;
	if (kind == IPCT_KIND_PIPE || kind == IPCT_KIND_FIFO || kind == IPCT_KIND_SOCKET)
		*put_ipc_name(obj, kind, ino) = 0;
	else
		ipct_object_name(kind, ino, obj, sizeof(obj));
	pr_word(p, key, " %s", obj);
	if (kind == IPCT_KIND_FIFO)
		pr_text(p, " (fifo)");
	if (kind_key)
		pr_str(p, kind_key, NULL, k);
}

/* Which end of a pipe or FIFO a descriptor is (JSON only). */
static void pr_end(struct pr *p, int kind, uint64_t flags)
{
	char *d;

	if (!json_mode(p) || (kind != IPCT_KIND_PIPE && kind != IPCT_KIND_FIFO) || !(d = room(p, 32)))
		return;
	advance(p, put_end(d, flags));
}

/*
 * "  [blocked 1.5 ms]", printf's %.1f of ns / 1e6 by hand (exactly half of
 * 0.1 ms as printf rounds the double), but past 2^53 ns, where the double
 * is not exact.
 */
static char *put_blocked(char *d, uint64_t ns)
{
	uint64_t tenths = ns / 100000 +
			  (ns % 100000 == 50000 ? half_rounds_up(ns, 1000000, ns / 100000) : ns % 100000 > 50000);
	char ms[32], *m = ms;

	if (ns >= 1ull << 53) {
		m += snprintf(ms, sizeof(ms), "%.1f", ns / 1e6);
	} else {
		m = put_u64(m, tenths / 10);
		*m++ = '.';
		*m++ = (char)('0' + tenths % 10);
	}
	d = LIT(d, "  ");
	return put_word(d, W_BLOCKED_MS, ms, (size_t)(m - ms));
}

/*
 * What a system call's line ends with: [32-bit] for the 32-bit ABI's
 * number, the result, an error by name and in words, and how long it
 * took (text: only a call that waited, which is worth a person's
 * attention).
 */
static void pr_ret(struct pr *p, const struct ipct_event *e)
{
	int64_t ret = e->sys.ret;
	bool json = json_mode(p);
	char *d = line_room(p);

	if (!d)
		return;
	if (!json && p->started)
		*d++ = ' ';
	if (e->flags & IPCT_F_COMPAT)
		d = json ? LIT(d, ",\"compat\":true") : LIT(d, "[32-bit] ");
	d = json ? LIT(d, ",\"ret\":") : LIT(d, "= ");
	d = put_i64(d, ret);
	if (ret < 0 && ret >= -4095) {
		const char *name = ipct_errno_name((int)-ret) ?: "E?";

		if (json) {
			d = LIT(d, ",\"errno\":");
			d = put_jword(d, name);
		} else {
			*d++ = ' ';
			d = put_cstr(d, name);
			d = LIT(d, " (");
			if (ipct_errno_is_restart((int)-ret))
				d = put_word(d, W_INTERRUPTED, NULL, 0);
			else
				d = put_cstr(d, -ret < ERRNO_TEXTS && errno_texts[-ret] ? errno_texts[-ret]
										       : strerror((int)-ret));
			*d++ = ')';
		}
	}
	if (json) {
		d = LIT(d, ",\"duration_ns\":");
		d = put_i64(d, (int64_t)e->sys.dur_ns);
	} else if (e->sys.dur_ns >= 1000000) {
		d = put_blocked(d, e->sys.dur_ns);
	}
	settle(p, d);
}

/* A handler's function name, where the executable's symbols tell it. */
static const char *handler_name(struct pr *p, const struct ipct_event *e, uint64_t h)
{
	return p->f->syms ? ipct_syms_resolve(p->f->syms, e->pid, h) : NULL;
}

/* A handler by its function name, else by address. */
static void pr_handler(struct pr *p, const struct ipct_event *e, const char *key,
		       const char *addr_key, const char *text, uint64_t h)
{
	const char *name = handler_name(p, e, h);

	if (name)
		pr_str(p, key, text, name);
	else
		pr_hex(p, key, text, h);
	pr_hex(p, addr_key, NULL, h);
}

bool ipct_event_names_handler(const struct ipct_event *e)
{
	const struct ipct_syscall *sc;

	/* SIG_DFL (0) and SIG_IGN (1) are not code: named without the program. */
	if (e->type == IPCT_EV_SIGNAL_DELIVER)
		return e->sig.handler > 1;
	if (e->type != IPCT_EV_SYSCALL || !(sc = ipct_syscall_by_nr(e->nr)) || sc->cls != IPCT_SC_SIGACTION)
		return false;
	return ((e->flags & IPCT_F_NEW_VALID) && e->sys.x[0] > 1) || ((e->flags & IPCT_F_OLD_VALID) && e->sys.x[2] > 1);
}

static void fmt_sigaction_handler(struct pr *p, const struct ipct_event *e, const char *key,
				  const char *addr_key, const char *text, uint64_t h)
{
	if (h == (uint64_t)(uintptr_t)SIG_DFL)
		pr_str(p, key, text, "SIG_DFL");
	else if (h == (uint64_t)(uintptr_t)SIG_IGN)
		pr_str(p, key, text, "SIG_IGN");
	else
		pr_handler(p, e, key, addr_key, text, h);
}

/*
 * fcntl's command, by its number in JSON and by name in text, and the
 * argument of the commands that take an integer: what F_SETFL set, where
 * F_DUPFD began its search.
 */
static void fmt_fcntl(struct pr *p, const struct ipct_sys *s)
{
	static const struct {
		int cmd;
		const char *name;
		bool arg;
	} cmds[] = {
		{ F_DUPFD, "F_DUPFD", true }, { F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC", true },
		{ F_GETFD, "F_GETFD", false }, { F_SETFD, "F_SETFD", true },
		{ F_GETFL, "F_GETFL", false }, { F_SETFL, "F_SETFL", true },
		{ F_GETPIPE_SZ, "F_GETPIPE_SZ", false }, { F_SETPIPE_SZ, "F_SETPIPE_SZ", true },
		{ F_GETOWN, "F_GETOWN", false }, { F_SETOWN, "F_SETOWN", true },
		{ F_GETSIG, "F_GETSIG", false }, { F_SETSIG, "F_SETSIG", true },
	};
	int cmd = (int)s->args[1];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]) && cmds[i].cmd != cmd; i++)
		;
	if (i < sizeof(cmds) / sizeof(cmds[0])) {
		pr_int(p, "cmd", NULL, cmd);
		pr_text(p, " %s", cmds[i].name);
		if (cmds[i].arg)
			pr_int(p, "arg", " %" PRId64, (int)s->args[2]);
	} else {
		pr_int(p, "cmd", " cmd=%" PRId64, cmd);
	}
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && s->ret >= 0)
		pr_int(p, "newfd", " -> fd=%" PRId64, s->ret);
}

/* A read of a signalfd: the signals it returned (the first IPCT_SIGNALFD_NAMED by name), and those it takes. */
static void pr_signalfd(struct pr *p, const struct ipct_event *e, bool named)
{
	const uint8_t *sigs = (const uint8_t *)&e->sys.x[2];
	int64_t n = e->sys.ret > 0 ? e->sys.ret / (int64_t)sizeof(struct signalfd_siginfo) : 0;
	struct pr_list l = { .p = p };

	pr_int(p, "signal_count", NULL, n);
	if (json_mode(p)) {
		json_key(p, "signals");
		json_raw(p, "[", 1);
	} else if (n) {
		pr_say(p, W_TOOK, NULL);
		pr_text(p, " ");
	}
	for (int64_t i = 0; named && i < n && i < IPCT_SIGNALFD_NAMED; i++)
		pr_list_add(ipct_sig_name(sigs[i]) ?: "?", &l);
	if (json_mode(p))
		json_raw(p, "]", 1);
	else if (n > l.n)
		pr_text(p, "%s%" PRId64 " signal%s", l.n ? " and " : "", n - l.n, n - l.n == 1 ? "" : "s");
	if (json_mode(p))
		pr_sigset(p, "accepts", NULL, e->sys.x[0]);
}

/*
 * read, write, sendto or recvfrom on a pipe, FIFO or socket: the
 * descriptor, the object, what was asked and done. Its flags are
 * O_NONBLOCK or none: a non-blocking descriptor's go through pr_flags.
 */
static void fmt_data(struct pr *p, const struct ipct_event *e, bool rd)
{
	const struct ipct_sys *s = &e->sys;
	bool json = json_mode(p);
	int kind = e->kind[0];
	char *d = line_room(p);

	if (!d)
		return;
	d = json ? LIT(d, ",\"fd\":") : LIT(d, "fd=");
	d = put_i64(d, (int)s->args[0]);
	d = json ? LIT(d, ",\"object\":\"") : LIT(d, " ");
	d = put_ipc_name(d, kind, s->x[0]);
	if (json) {
		d = LIT(d, "\",\"kind\":");
		d = put_jword(d, ipct_kind_name(kind));
		if (kind != IPCT_KIND_SOCKET)
			d = put_end(d, s->x[1]);
	} else if (kind == IPCT_KIND_FIFO) {
		d = LIT(d, " (fifo)");
	}
	d = put_transfer(d, json, rd, s->args[2], s->ret);
	if (json && !(s->x[1] & O_NONBLOCK))
		d = LIT(d, ",\"fd_flags\":[]");
	settle(p, d);
	if (s->x[1] & O_NONBLOCK)
		pr_flags(p, "fd_flags", " ", ipct_open_flags, O_NONBLOCK);
}

static void fmt_fd_call(struct pr *p, const struct ipct_event *e, int nr)
{
	const struct ipct_sys *s = &e->sys;
	bool data = nr == __NR_read || nr == __NR_write || nr == __NR_sendto || nr == __NR_recvfrom;
	/* Vectored calls: bytes (for sendmmsg and recvmmsg, messages: docs/events.md). */
	bool vec = nr == __NR_readv || nr == __NR_writev || nr == __NR_sendmsg || nr == __NR_recvmsg ||
		   nr == __NR_vmsplice || nr == __NR_sendmmsg || nr == __NR_recvmmsg;
	int64_t fd = nr == __NR_socket ? s->ret : (int)s->args[0];
	int kind = e->kind[0];
	bool ipc = kind == IPCT_KIND_PIPE || kind == IPCT_KIND_FIFO || kind == IPCT_KIND_SOCKET;
	bool rd = nr == __NR_read || nr == __NR_recvfrom;

	if (data && ipc) {
		fmt_data(p, e, rd);
		return;
	}
	if (nr == __NR_socket) {
		const char *fam = ipct_enum_name(ipct_sock_families, s->args[0]);
		const char *type = ipct_enum_name(ipct_sock_types, s->args[1] & 0xf);

		pr_str(p, "family", " %s", fam);
		pr_str(p, "socktype", " %s", type);
	}
	pr_int(p, "fd", " fd=%" PRId64, fd);
	pr_object(p, "object", "kind", e->kind[0], s->x[0]);
	pr_end(p, e->kind[0], s->x[1]);
	if (e->kind[0] == IPCT_KIND_SIGNALFD)
		pr_signalfd(p, e, nr == __NR_read);
	if (data) {
		char *d = line_room(p);

		if (d)
			settle(p, put_transfer(d, json_mode(p), rd, s->args[2], s->ret));
	} else if (vec) {
		if (nr == __NR_readv || nr == __NR_writev) {
			pr_int(p, "iovcnt", " iovcnt=%" PRId64, (int64_t)s->args[2]);
			pr_int(p, "count", " count=%" PRId64, (int64_t)s->x[2]);
		}
		if (s->ret >= 0)
			pr_int(p, "bytes", NULL, s->ret);
	} else if (nr == __NR_dup) {
		pr_int(p, "newfd", " -> fd=%" PRId64, s->ret);
	} else if (nr == __NR_fcntl) {
		fmt_fcntl(p, s);
	} else if (nr == __NR_ioctl) {
		pr_str(p, "request", " %s", ipct_enum_name(ipct_ioctl_requests, (uint32_t)s->args[1]));
	} else if (nr == __NR_ftruncate) {
		pr_int(p, "bytes", " size=%" PRId64, (int64_t)s->args[1]);
	} else if (nr == __NR_shutdown) {
		static const char *const how[] = { "SHUT_RD", "SHUT_WR", "SHUT_RDWR" };

		pr_str(p, "how", " %s", s->args[1] < 3 ? how[s->args[1]] : NULL);
	}
	if (ipc)
		pr_flags(p, "fd_flags", " ", ipct_open_flags, s->x[1] & (O_NONBLOCK));
}

/*
 * open's flags as open(2) spells them, "O_WRONLY|O_NONBLOCK"; in JSON the
 * access mode is `end` (what the descriptor became), and `flags` the rest.
 */
static void fmt_open_flags(struct pr *p, uint64_t flags)
{
	static const char *const modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	pr_text(p, " %s", modes[flags & O_ACCMODE]);
	pr_flags(p, "flags", "|", ipct_open_call_flags, flags & ~(uint64_t)O_ACCMODE);
}

/* A word with v at its "%s" (none: v unused) in buf; snprintf's count. A translation is no format. */
static int word_into(char *buf, size_t len, const char *word, const char *v)
{
	const char *pct = strstr(word, "%s");

	if (!pct)
		return snprintf(buf, len, "%s", word);
	return snprintf(buf, len, "%.*s%s%s", (int)(pct - word), word, v, pct + 2);
}

/*
 * A wait status in words: in English for ipct_wait_status_str (JSON
 * values and other modules' messages use it), in the user's language for
 * text lines (words_init has run).
 */
static void wait_status_words(int status, char *buf, size_t len, bool translated)
{
	const char *v = NULL;
	char num[16];
	enum word w;
	int n;

	if (WIFEXITED(status)) {
		snprintf(num, sizeof(num), "%d", WEXITSTATUS(status));
		w = W_EXITED, v = num;
	} else if (WIFSIGNALED(status)) {
		w = W_KILLED_BY, v = ipct_sig_name(WTERMSIG(status)) ?: "signal";
	} else if (WIFSTOPPED(status)) {
		w = W_STOPPED_BY, v = ipct_sig_name(WSTOPSIG(status)) ?: "signal";
	} else if (WIFCONTINUED(status)) {
		w = W_RESUMED;
	} else {
		snprintf(num, sizeof(num), "0x%x", status);
		w = W_STATUS, v = num;
	}
	n = word_into(buf, len, translated ? words[w].all : word_ids[w], v);
	if (WIFSIGNALED(status) && WCOREDUMP(status) && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %s", translated ? words[W_CORE_DUMPED].all : word_ids[W_CORE_DUMPED]);
}

void ipct_wait_status_str(int status, char *buf, size_t len)
{
	wait_status_words(status, buf, len, false);
}

void ipct_wait_status_text(int status, char *buf, size_t len)
{
	words_need();
	wait_status_words(status, buf, len, true);
}

/* A wait status, as the exit event and wait4/waitid show it: the raw value and its meaning. */
static void pr_wait_status(struct pr *p, int st)
{
	char text[64];

	pr_int(p, "status", NULL, st);
	if (WIFEXITED(st)) {
		pr_int(p, "exit_code", NULL, WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		pr_str(p, "exit_signal", NULL, ipct_sig_name(WTERMSIG(st)));
		pr_bool(p, "core", NULL, WCOREDUMP(st));
	} else if (WIFSTOPPED(st)) {
		pr_str(p, "stop_signal", NULL, ipct_sig_name(WSTOPSIG(st)));
	} else if (WIFCONTINUED(st)) {
		pr_bool(p, "continued", NULL, true);
	}
	wait_status_words(st, text, sizeof(text), true);
	pr_text(p, "%s", text);
}

/*
 * wait4(pid, &status, options, rusage) and waitid(idtype, id, &info,
 * options): which children it waited for, and the child and status it
 * collected (the BPF side drops the calls that collected nothing).
 */
static void fmt_wait(struct pr *p, const struct ipct_event *e, bool waitid)
{
	static const struct ipct_flag_name idtypes[] = {
		{ P_ALL, "P_ALL" }, { P_PID, "P_PID" }, { P_PGID, "P_PGID" }, { 3, "P_PIDFD" }, { 0, NULL },
	};
	const struct ipct_sys *s = &e->sys;
	bool valid = e->flags & IPCT_F_NEW_VALID;

	if (waitid) {
		pr_str(p, "idtype", "%s", ipct_enum_name(idtypes, s->args[0]));
		pr_int(p, "id", " %" PRId64, (int)s->args[1]);
		pr_flags(p, "options", " ", ipct_waitid_options, s->args[3]);
	} else {
		pr_int(p, "target_pid", "pid=%" PRId64, (int)s->args[0]);
		pr_flags(p, "options", " ", ipct_wait4_options, s->args[2]);
	}
	if (waitid ? !valid : s->ret <= 0)
		return;
	pr_int(p, "child_pid", NULL, waitid ? (int)(uint32_t)s->x[0] : s->ret);
	pr_text(p, " ->");
	pr_say_int(p, W_CHILD, waitid ? (int)(uint32_t)s->x[0] : s->ret);
	if (waitid)
		pr_str(p, "code", NULL, ipct_sigcode_name(SIGCHLD, (int)(uint32_t)s->x[1]));
	if (valid) {
		pr_text(p, " ");
		pr_wait_status(p, waitid ? ipct_waitid_status((int)(uint32_t)s->x[1], (int)(s->x[1] >> 32))
					 : (int)(uint32_t)s->x[0]);
	}
}

/*
 * POSIX queue calls: the queue, the message's size and priority, and the
 * messages in the queue after the call. A receive into a buffer smaller
 * than the queue's mq_msgsize fails with EMSGSIZE whatever the queue
 * holds: said in words, it is the classic mistake.
 */
static void fmt_mq(struct pr *p, const struct ipct_event *e, int cls)
{
	const struct ipct_sys *s = &e->sys;
	bool known = e->flags & IPCT_F_NEW_VALID;
	uint32_t msgsize = (uint32_t)(s->x[2] >> 32);

	if (cls == IPCT_SC_MQ_OPEN) {
		pr_flags(p, "flags", "", ipct_mq_open_flags, s->args[1]);
		if (s->ret < 0)
			return;
		pr_int(p, "fd", " -> fd=%" PRId64, s->ret);
	} else {
		pr_int(p, "fd", "fd=%" PRId64, (int)s->args[0]);
	}
	pr_object(p, "object", "kind", e->kind[0], s->x[0]);
	if (cls == IPCT_SC_MQ_OPEN) {
		pr_int(p, "maxmsg", " maxmsg=%" PRId64, known ? (int64_t)s->x[3] : -1);
		pr_int(p, "msgsize", " msgsize=%" PRId64, known ? (int64_t)msgsize : -1);
	} else {
		bool send = cls == IPCT_SC_MQ_SEND;

		pr_int(p, "count", " count=%" PRId64, (int64_t)s->args[2]);
		if (s->ret >= 0) {
			pr_int(p, "bytes", NULL, send ? (int64_t)s->args[2] : s->ret);
			/* A receive without a priority pointer does not say it. */
			if (send || (e->flags & IPCT_F_OLD_VALID))
				pr_int(p, "priority", " prio=%" PRId64, (uint32_t)s->x[3]);
		}
		if (known) {
			pr_int(p, "msgsize", NULL, msgsize);
			pr_int(p, "depth", " depth=%" PRId64, (uint32_t)s->x[2]);
		}
	}
	if (cls == IPCT_SC_MQ_RECV && s->ret == -EMSGSIZE && known && s->args[2] < msgsize)
		pr_say_int(p, W_MSGSIZE, msgsize);
}

/* System V queue calls: the queue by its id, and the message's mtype and size. */
static void fmt_msg(struct pr *p, const struct ipct_event *e, const char *name)
{
	const struct ipct_sys *s = &e->sys;
	bool known = e->flags & IPCT_F_NEW_VALID;

	if (!strcmp(name, "msgget")) {
		pr_hex(p, "key", "key=%s", (uint32_t)s->args[0]);
		pr_flags(p, "flags", " ", ipct_ipc_flags, s->args[1] & ~0777ull);
		pr_int(p, "mode", NULL, (int64_t)(s->args[1] & 0777));
		if (s->ret >= 0)
			pr_object(p, "object", "kind", IPCT_KIND_MSGQ, s->x[0]);
	} else {
		pr_object(p, "object", "kind", IPCT_KIND_MSGQ, s->x[0]);
		pr_text(p, " ");
	}
	if (!strcmp(name, "msgctl")) {
		/* IPC_64, which some C libraries add, is no command of its own. */
		pr_str(p, "cmd", "%s", ipct_enum_name(ipct_msgctl_cmds, s->args[1] & 0xff));
	} else if (!strcmp(name, "msgsnd") || !strcmp(name, "msgrcv")) {
		bool snd = name[3] == 's';

		pr_int(p, "count", "count=%" PRId64, (int64_t)s->args[2]);
		if (!snd)
			pr_int(p, "msgtyp", " msgtyp=%" PRId64, (int64_t)s->args[3]);
		pr_flags(p, "flags", " ", ipct_ipc_flags, s->args[snd ? 3 : 4]);
		if (s->ret >= 0)
			pr_int(p, "bytes", NULL, snd ? (int64_t)s->args[2] : s->ret);
		if (known)
			pr_int(p, "mtype", " mtype=%" PRId64, (int64_t)s->x[3]);
	}
}

/* A semop's operations, the first IPCT_SEM_OPS: "#0 -1, #1 +1 [SEM_UNDO]"; JSON objects. */
static void pr_sembufs(struct pr *p, const struct ipct_event *e)
{
	const struct ipct_sys *s = &e->sys;
	uint64_t nsops = s->args[2];
	uint8_t raw[3 * sizeof(uint64_t)];
	int n = (e->flags & IPCT_F_NEW_VALID) ? (int)(nsops < IPCT_SEM_OPS ? nsops : IPCT_SEM_OPS) : 0;

	memcpy(raw, &s->x[1], sizeof(raw));
	pr_int(p, "nsops", NULL, (int64_t)nsops);
	if (json_mode(p)) {
		json_key(p, "ops");
		json_raw(p, "[", 1);
	}
	for (int i = 0; i < n; i++) {
		struct { uint16_t num; int16_t op; int16_t flg; } b;
		int members;

		memcpy(&b, raw + 6 * i, sizeof(b));
		if (!json_mode(p)) {
			/* sem_op 0 waits until the semaphore is zero. */
			pr_text(p, b.op ? "%s#%u %+d" : "%s#%u =0", i ? ", " : " ", b.num, b.op);
			pr_flags(p, "flags", " ", ipct_sembuf_flags, (uint16_t)b.flg);
			continue;
		}
		json_raw(p, i ? ",{" : "{", i ? 2 : 1);
		members = p->members;
		p->members = 0;
		pr_int(p, "sem_num", NULL, b.num);
		pr_int(p, "sem_op", NULL, b.op);
		pr_flags(p, "flags", NULL, ipct_sembuf_flags, (uint16_t)b.flg);
		p->members = members;
		json_raw(p, "}", 1);
	}
	if (json_mode(p))
		json_raw(p, "]", 1);
	else if (nsops > (uint64_t)n)
		pr_text(p, "%s%" PRIu64 " op%s", n ? " and " : " ", nsops - (uint64_t)n,
			nsops - (uint64_t)n == 1 ? "" : "s");
}

/* System V semaphore calls: the set by its id, a semop's operations, semctl's command and values. */
static void fmt_sem(struct pr *p, const struct ipct_event *e, int cls)
{
	const struct ipct_sys *s = &e->sys;
	bool one;
	int cmd;

	if (cls == IPCT_SC_SEMGET) {
		pr_hex(p, "key", "key=%s", (uint32_t)s->args[0]);
		pr_int(p, "nsems", " nsems=%" PRId64, (int)s->args[1]);
		pr_flags(p, "flags", " ", ipct_ipc_flags, s->args[2] & ~0777ull);
		pr_int(p, "mode", NULL, (int64_t)(s->args[2] & 0777));
		if (s->ret >= 0)
			pr_object(p, "object", "kind", IPCT_KIND_SEM, s->x[0]);
		return;
	}
	pr_object(p, "object", "kind", IPCT_KIND_SEM, s->x[0]);
	if (cls == IPCT_SC_SEMOP) {
		pr_sembufs(p, e);
		return;
	}
	/* IPC_64, which some C libraries add, is no command of its own. */
	cmd = (int)(s->args[2] & 0xff);
	one = cmd == GETVAL || cmd == SETVAL || cmd == GETPID || cmd == GETNCNT || cmd == GETZCNT;
	pr_str(p, "cmd", " %s", ipct_enum_name(ipct_semctl_cmds, (uint64_t)cmd));
	/* The semaphore's number matters to the commands on one semaphore only. */
	pr_int(p, "semnum", one ? " #%" PRId64 : NULL, (int)s->args[1]);
	if (cmd == SETVAL)
		pr_int(p, "value", " value=%" PRId64, (int)s->args[3]);
	if (cmd == SETALL && (e->flags & IPCT_F_NEW_VALID)) {
		uint16_t v[IPCT_SEM_VALUES];
		int n = (int)(s->x[3] >> 48);

		memcpy(v, &s->x[1], sizeof(v));
		if (json_mode(p)) {
			json_key(p, "values");
			json_raw(p, "[", 1);
		} else {
			pr_text(p, " values=");
		}
		for (int i = 0; i < n && i < IPCT_SEM_VALUES; i++) {
			if (json_mode(p)) {
				if (i)
					json_raw(p, ",", 1);
				json_int(p, v[i]);
			} else {
				pr_text(p, "%s%u", i ? "," : "", v[i]);
			}
		}
		if (json_mode(p))
			json_raw(p, "]", 1);
	}
}

/* What a shmdt or munmap let go, when the daemon named it (ino; 0: not known, or anonymous memory). */
static void pr_shm_at(struct pr *p, uint64_t ino)
{
	if (ino)
		pr_object(p, "object", "kind", IPCT_KIND_SHM, ino);
	else
		pr_str(p, "kind", NULL, "shm");
}

/*
 * A futex call on a traced shared mapping: a POSIX semaphore's sem_wait
 * that sleeps (a wait) or sem_post that wakes a sleeper (a wake). The
 * daemon adds the /dev/shm file mapped there (x[0]; 0: anonymous memory).
 */
static void fmt_futex(struct pr *p, const struct ipct_event *e)
{
	const struct ipct_sys *s = &e->sys;
	int cmd = (int)(s->args[1] & FUTEX_CMD_MASK);
	bool wake = cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET;

	pr_say(p, cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET ? W_FUTEX_WAIT : wake ? W_FUTEX_WAKE : W_FUTEX_OP, NULL);
	pr_str(p, "op", NULL, ipct_enum_name(ipct_futex_ops, (uint64_t)cmd));
	if (s->x[0]) {
		pr_object(p, "object", "kind", IPCT_KIND_SEM, s->x[0]);
	} else {
		pr_str(p, "object", " %s", "sem:anon");
		pr_str(p, "kind", NULL, "sem");
	}
	pr_at(p, s->args[0]);
	if (wake && s->ret >= 0) {
		pr_int(p, "woken", NULL, s->ret);
		pr_say_int(p, W_WOKE, s->ret);
	}
}

/*
 * Shared memory calls: a System V segment by its id, its size, where it is
 * attached; mmap and munmap of shared memory. shmdt and munmap name an
 * address: the daemon adds the object that was there (docs/events.md).
 */
static void fmt_shm(struct pr *p, const struct ipct_event *e, int cls)
{
	const struct ipct_sys *s = &e->sys;

	switch (cls) {
	case IPCT_SC_SHMGET:
		pr_hex(p, "key", "key=%s", (uint32_t)s->args[0]);
		pr_int(p, "size", " size=%" PRId64, (int64_t)s->args[1]);
		pr_flags(p, "flags", " ", ipct_shmget_flags, s->args[2] & ~0777ull);
		pr_int(p, "mode", NULL, (int64_t)(s->args[2] & 0777));
		if (s->ret >= 0) {
			pr_object(p, "object", "kind", IPCT_KIND_SHM, s->x[0]);
			pr_int(p, "bytes", NULL, (int64_t)s->args[1]);
		}
		break;
	case IPCT_SC_SHMAT:
		pr_object(p, "object", "kind", IPCT_KIND_SHM, s->x[0]);
		pr_flags(p, "flags", " ", ipct_shmat_flags, s->args[2]);
		if (s->ret >= 0 || s->ret < -4095)
			pr_at(p, (uint64_t)s->ret);
		break;
	case IPCT_SC_SHMDT:
		pr_hex(p, "addr", "addr=%s", s->args[0]);
		pr_shm_at(p, s->x[0]);
		break;
	case IPCT_SC_MMAP:
		/* mmap(addr, length, prot, flags, fd, offset): a shared mapping, of a /dev/shm file or anonymous. */
		if (s->x[0]) {
			pr_int(p, "fd", "fd=%" PRId64, (int)s->args[4]);
			pr_object(p, "object", "kind", IPCT_KIND_SHM, s->x[0]);
		} else {
			pr_say(p, W_ANONYMOUS, NULL);
			pr_str(p, "object", NULL, "shm:anon");
			pr_str(p, "kind", NULL, "shm");
		}
		pr_int(p, "bytes", " length=%" PRId64, (int64_t)s->args[1]);
		pr_flags(p, "prot", " ", ipct_mmap_prots, s->args[2]);
		pr_flags(p, "flags", " ", ipct_mmap_flags, s->args[3]);
		if (s->ret >= 0)
			pr_at(p, (uint64_t)s->ret);
		break;
	case IPCT_SC_MUNMAP:
		pr_hex(p, "addr", "addr=%s", s->args[0]);
		pr_shm_at(p, s->x[0]);
		pr_int(p, "bytes", " length=%" PRId64, (int64_t)s->args[1]);
		pr_int(p, "mapped", NULL, (int64_t)s->x[2]);
		pr_say_int(p, W_MAPPED, (int64_t)s->x[2]);
		break;
	case IPCT_SC_SHMCTL:
		pr_object(p, "object", "kind", IPCT_KIND_SHM, s->x[0]);
		/* IPC_64, which some C libraries add, is no command of its own. */
		pr_str(p, "cmd", " %s", ipct_enum_name(ipct_shmctl_cmds, s->args[1] & 0xff));
		if (e->flags & IPCT_F_NEW_VALID) {
			pr_int(p, "bytes", " size=%" PRId64, (int64_t)s->x[2]);
			pr_int(p, "attached", " attached=%" PRId64, (int64_t)s->x[3]);
		}
		break;
	}
}

/* kill(pid, sig), tkill(tid, sig), tgkill(pid, tid, sig). */
static void fmt_kill(struct pr *p, const struct ipct_event *e, int nr)
{
	const __u64 *a = e->sys.args;
	bool json = json_mode(p);
	char *d = line_room(p);

	if (!d)
		return;
	if (nr == __NR_tkill)
		d = json ? LIT(d, ",\"target_tid\":") : LIT(d, "tid=");
	else
		d = json ? LIT(d, ",\"target_pid\":") : LIT(d, "pid=");
	d = put_i64(d, (int)a[0]);
	if (nr == __NR_tgkill) {
		d = json ? LIT(d, ",\"target_tid\":") : LIT(d, " tid=");
		d = put_i64(d, (int)a[1]);
	}
	if (!json)
		*d++ = ' ';
	settle(p, put_sig(d, json, (int)a[nr == __NR_tgkill ? 2 : 1]));
}

static void fmt_syscall(struct pr *p, const struct ipct_event *e)
{
	const struct ipct_syscall *sc = ipct_syscall_by_nr(e->nr);
	const struct ipct_sys *s = &e->sys;
	const char *name = sc ? sc->name : "syscall";

	if (!sc)
		pr_int(p, "nr", " nr=%" PRId64, e->nr);
	switch (sc ? sc->cls : IPCT_SC_PLAIN) {
	case IPCT_SC_PLAIN: {
		/* By number: these are the calls that signals and traces are made of. */
		int nr = sc ? sc->nr : -1;

		if (nr == __NR_kill || nr == __NR_tkill || nr == __NR_tgkill) {
			fmt_kill(p, e, nr);
		} else if (nr == __NR_rt_sigreturn) {
			/* The result is the interrupted code's, restored from the signal frame. */
			char *d = json_mode(p) ? NULL : line_room(p);

			if (d)
				settle(p, put_word(d, W_SIGRETURN, NULL, 0));
		} else if (nr == __NR_rt_sigtimedwait && s->ret > 0) {
			/* The signal it took, without a delivery. */
			pr_say(p, W_TOOK, NULL);
			pr_text(p, " ");
			pr_sig(p, (int)s->ret);
		} else if (nr == __NR_pidfd_send_signal) {
			pr_int(p, "pidfd", "pidfd=%" PRId64 " ", (int)s->args[0]);
			pr_sig(p, (int)s->args[1]);
		} else if (nr == __NR_close_range) {
			pr_int(p, "first", "fds %" PRId64, (uint32_t)s->args[0]);
			pr_int(p, "last", "..%" PRId64, (uint32_t)s->args[1]);
			pr_flags(p, "flags", " ", ipct_close_range_flags, s->args[2]);
		} else if (nr == __NR_unshare) {
			pr_flags(p, "flags", "", ipct_unshare_flags, s->args[0]);
		}
		break;
	}
	case IPCT_SC_SIGQUEUE:
	case IPCT_SC_TGSIGQUEUE: {
		bool tg = sc->cls == IPCT_SC_TGSIGQUEUE;

		pr_int(p, "target_pid", "pid=%" PRId64, (int)s->args[0]);
		if (tg)
			pr_int(p, "target_tid", " tid=%" PRId64, (int)s->args[1]);
		pr_text(p, " ");
		pr_sig(p, (int)s->args[tg ? 2 : 1]);
		pr_str(p, "code", " %s", ipct_sigcode_name((int)s->args[tg ? 2 : 1], (int)s->x[0]));
		pr_int(p, "value", " value=%" PRId64, (int)s->x[1]);
		break;
	}
	case IPCT_SC_SIGACTION:
		pr_sig(p, (int)s->args[0]);
		if (e->flags & IPCT_F_NEW_VALID) {
			fmt_sigaction_handler(p, e, "handler", "handler_addr", " handler=%s", s->x[0]);
			pr_flags(p, "sa_flags", " ", ipct_sa_flags, s->x[1] & ~IPCT_SA_HIDDEN);
		}
		if (e->flags & IPCT_F_OLD_VALID) {
			fmt_sigaction_handler(p, e, "old_handler", "old_handler_addr", was_format, s->x[2]);
			pr_flags(p, "old_sa_flags", NULL, ipct_sa_flags, s->x[3] & ~IPCT_SA_HIDDEN);
		}
		break;
	case IPCT_SC_SIGPROCMASK: {
		static const char *const how[] = { "SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK" };

		if (e->flags & IPCT_F_NEW_VALID) {
			pr_str(p, "how", "%s", s->args[0] < 3 ? how[s->args[0]] : "?");
			pr_sigset(p, "set", " ", s->x[0]);
		}
		if (e->flags & IPCT_F_OLD_VALID) {
			pr_sigset(p, "oldset", " (was ", s->x[2]);
			pr_text(p, ")");
		}
		break;
	}
	case IPCT_SC_PIPE:
	case IPCT_SC_SOCKETPAIR: {
		bool pair = sc->cls == IPCT_SC_SOCKETPAIR;

		if (pair) {
			pr_str(p, "family", "%s ", ipct_enum_name(ipct_sock_families, s->args[0]));
			pr_str(p, "socktype", "%s ", ipct_enum_name(ipct_sock_types, s->args[1] & 0xf));
		}
		if (s->ret == 0) {
			int fd0 = (int)(uint32_t)s->x[0], fd1 = (int)(s->x[0] >> 32);

			if (json_mode(p)) {
				json_key(p, "fds");
				json_raw(p, "[", 1);
				json_int(p, fd0);
				json_raw(p, ",", 1);
				json_int(p, fd1);
				json_raw(p, "]", 1);
			} else {
				pr_text(p, "[%d, %d]", fd0, fd1);
			}
			pr_object(p, "object", "kind", e->kind[0], s->x[1]);
			if (pair)
				pr_object(p, "peer_object", NULL, e->kind[1], s->x[2]);
		}
		pr_flags(p, "flags", " ", ipct_open_flags,
			 pair ? s->args[1] & ~0xfULL : (!strcmp(name, "pipe2") ? s->args[1] : 0));
		break;
	}
	case IPCT_SC_FD:
	case IPCT_SC_FD_RET:
	case IPCT_SC_FD_IOV:
	case IPCT_SC_CLOSE:
	case IPCT_SC_SOCK:
	case IPCT_SC_IOCTL:
	case IPCT_SC_FD_MSG:
	case IPCT_SC_FD_MMSG:
	case IPCT_SC_READ:
	case IPCT_SC_READV:
		fmt_fd_call(p, e, sc->nr);
		break;
	case IPCT_SC_OPEN:
	case IPCT_SC_OPENAT:
		pr_int(p, "fd", "fd=%" PRId64, s->ret);
		pr_object(p, "object", "kind", e->kind[0], s->x[0]);
		pr_end(p, e->kind[0], s->x[1]);
		fmt_open_flags(p, s->args[sc->cls == IPCT_SC_OPEN ? 1 : 2]);
		break;
	case IPCT_SC_FD_PAIR01:
	case IPCT_SC_FD_PAIR02: {
		/* splice(in, off, out, off, len), tee(in, out, len), sendfile(out, in, off, count) */
		bool splice = sc->cls == IPCT_SC_FD_PAIR02, sendfile = !strcmp(name, "sendfile");

		pr_int(p, sendfile ? "fd_out" : "fd_in", sendfile ? "out=%" PRId64 : "in=%" PRId64,
		       (int)s->args[0]);
		pr_object(p, sendfile ? "out_object" : "in_object", NULL, e->kind[0], s->x[0]);
		pr_int(p, sendfile ? "fd_in" : "fd_out", sendfile ? " in=%" PRId64 : " out=%" PRId64,
		       (int)s->args[splice ? 2 : 1]);
		pr_object(p, sendfile ? "in_object" : "out_object", NULL, e->kind[1], s->x[2]);
		pr_int(p, "count", " count=%" PRId64, (int64_t)s->args[splice ? 4 : sendfile ? 3 : 2]);
		if (s->ret >= 0)
			pr_int(p, "bytes", NULL, s->ret);
		break;
	}
	case IPCT_SC_GETFD:
		/* pidfd_getfd(pidfd, targetfd, flags): a copy of another process's descriptor. */
		pr_int(p, "pidfd", "pidfd=%" PRId64, (int)s->args[0]);
		if (s->x[2])
			pr_int(p, "source_pid", " pid %" PRId64, (uint32_t)s->x[2]);
		pr_int(p, "source_fd", " fd=%" PRId64, (int)s->args[1]);
		if (s->ret >= 0) {
			pr_int(p, "newfd", " -> fd=%" PRId64, s->ret);
			pr_object(p, "object", "kind", e->kind[0], s->x[0]);
			pr_end(p, e->kind[0], s->x[1]);
		}
		break;
	case IPCT_SC_FD_ACCEPT:
		fmt_fd_call(p, e, sc->nr);
		if (s->ret >= 0) {
			pr_int(p, "newfd", " -> fd=%" PRId64, s->ret);
			pr_object(p, "new_object", NULL, e->kind[1], s->x[2]);
		}
		/* SOCK_CLOEXEC and SOCK_NONBLOCK are O_CLOEXEC and O_NONBLOCK. */
		if (!strcmp(name, "accept4"))
			pr_flags(p, "flags", " ", ipct_open_flags, s->args[3]);
		break;
	case IPCT_SC_WAIT4:
	case IPCT_SC_WAITID:
		fmt_wait(p, e, sc->cls == IPCT_SC_WAITID);
		break;
	case IPCT_SC_MQ_OPEN:
	case IPCT_SC_MQ_SEND:
	case IPCT_SC_MQ_RECV:
		fmt_mq(p, e, sc->cls);
		break;
	case IPCT_SC_MSGGET:
	case IPCT_SC_MSGCTL:
	case IPCT_SC_MSGSND:
	case IPCT_SC_MSGRCV:
		fmt_msg(p, e, name);
		break;
	case IPCT_SC_SEMGET:
	case IPCT_SC_SEMOP:
	case IPCT_SC_SEMCTL:
		fmt_sem(p, e, sc->cls);
		break;
	case IPCT_SC_SHMGET:
	case IPCT_SC_SHMAT:
	case IPCT_SC_SHMDT:
	case IPCT_SC_SHMCTL:
	case IPCT_SC_MMAP:
	case IPCT_SC_MUNMAP:
		fmt_shm(p, e, sc->cls);
		break;
	case IPCT_SC_UNLINK:
	case IPCT_SC_LINK:
		/* Only a (un)link under /dev/shm/ (shm_unlink, sem_open) is recorded: its object events have the paths. */
		pr_str(p, "kind", "%s", ipct_kind_name(e->kind[0]));
		break;
	case IPCT_SC_FUTEX:
		fmt_futex(p, e);
		break;
	case IPCT_SC_DUP2:
		pr_int(p, "fd", "fd=%" PRId64, (int)s->args[0]);
		pr_object(p, "object", "kind", e->kind[0], s->x[0]);
		pr_end(p, e->kind[0], s->x[1]);
		pr_int(p, "newfd", " -> fd=%" PRId64, (int)s->args[1]);
		/* The descriptor dup2 replaced: closing it can be what ends a pipe. */
		if (e->kind[1] >= IPCT_KIND_PIPE && (e->kind[0] != e->kind[1] || s->x[0] != s->x[2])) {
			pr_say(p, W_CLOSING, NULL);
			pr_object(p, "closed_object", NULL, e->kind[1], s->x[2]);
		}
		if (!strcmp(name, "dup3"))
			pr_flags(p, "flags", " ", ipct_open_flags, s->args[2]);
		break;
	}
	pr_ret(p, e);
}

/* What a siginfo says beyond its code: a child's pid and status, a fault's address, the sender. */
static char *put_siginfo(struct pr *p, const struct ipct_event *e, char *d)
{
	const struct ipct_sig *s = &e->sig;
	uint32_t lo = (uint32_t)s->sifields[0], hi = (uint32_t)(s->sifields[0] >> 32);
	bool json = json_mode(p);

	if (s->sig == SIGCHLD && s->code > 0 && s->code != SI_KERNEL) {
		d = json ? LIT(d, ",\"child_pid\":") : LIT(d, " child=");
		d = put_i64(d, (int32_t)lo);
		d = json ? LIT(d, ",\"child_status\":") : LIT(d, " status=");
		return put_i64(d, (int32_t)(uint32_t)s->sifields[1]);
	}
	if (s->code > 0 && s->code != SI_KERNEL &&
	    (s->sig == SIGSEGV || s->sig == SIGBUS || s->sig == SIGFPE || s->sig == SIGILL ||
	     s->sig == SIGTRAP)) {
		d = json ? LIT(d, ",\"addr\":\"") : LIT(d, " addr=");
		d = put_hex(d, s->sifields[0]);
		if (json)
			*d++ = '"';
		return d;
	}
	if (s->code != SI_USER && s->code != SI_TKILL && s->code != SI_QUEUE)
		return d;
	/* info == SEND_SIG_NOINFO leaves the fields zero: the sender is the current task. */
	if (lo || e->type == IPCT_EV_SIGNAL_DELIVER) {
		if (json) {
			d = LIT(d, ",\"sender_pid\":");
			d = put_i64(d, (int32_t)lo);
			d = LIT(d, ",\"sender_uid\":");
			d = put_u64(d, hi);
		} else {
			*d++ = ' ';
			d = put_word_int(d, W_FROM_PID, (int32_t)lo);
		}
	}
	if (s->code == SI_QUEUE) {
		d = json ? LIT(d, ",\"value\":") : LIT(d, " value=");
		d = put_i64(d, (int32_t)(uint32_t)s->sifields[1]);
	}
	return d;
}

/* Typed at a terminal: its line discipline raised it. */
static bool terminal_signal(const struct ipct_event *e)
{
	return e->type == IPCT_EV_SIGNAL_GENERATE && e->sig.code == SI_KERNEL &&
	       ipct_sig_kernel_cause(e->sig.sig) == IPCT_CAUSE_TERMINAL;
}

static bool group_exit(const struct ipct_event *e)
{
	return e->type == IPCT_EV_SIGNAL_DELIVER && e->sig.sig == SIGKILL && e->sig.code == SI_KERNEL;
}

int ipct_event_signal(const struct ipct_event *e)
{
	uint64_t code = e->sig.sifields[0];

	if (e->type != IPCT_EV_SIGNAL_GENERATE && e->type != IPCT_EV_SIGNAL_DELIVER)
		return 0;
	if (!group_exit(e))
		return e->sig.sig;
	/* A fatal signal's number (| 0x80 for a core dump); exit_group's code << 8, or 0 for exec. */
	return code & 0x7f && !(code >> 8) ? (int)(code & 0x7f) : 0;
}

/* A word of text after a space. */
static char *put_sp_word(char *d, enum word w)
{
	*d++ = ' ';
	return put_word(d, w, NULL, 0);
}

/*
 * The kernel ends a thread group by a SIGKILL to each thread: for a fatal
 * signal, name that signal (the kernel's view stays in kernel_sig); for
 * exit_group or an exec, no signal was sent.
 */
static void fmt_group_exit(struct pr *p, const struct ipct_event *e, char *d)
{
	bool json = json_mode(p);
	int sig = ipct_event_signal(e);

	d = put_sig(d, json, sig ?: SIGKILL);
	if (json)
		d = LIT(d, ",\"kernel_sig\":\"SIGKILL\",\"group_exit\":true,\"action\":\"default\",\"handler\":null");
	else
		d = put_sp_word(d, W_DEFAULT);
	if (sig) {
		const char *act = ipct_sig_default_action(sig);

		if (json) {
			d = LIT(d, ",\"default_action\":");
			d = put_jword(d, act);
		} else if (act) {
			*d++ = ' ';
			d = put_word(d, W_ENDS_AS_SIGKILL, act, strlen(act));
		}
	} else if (!json) {
		d = put_word(d, W_NO_SIGNAL, NULL, 0);
	}
	settle(p, d);
	pr_flags(p, "sa_flags", " ", ipct_sa_flags, e->sig.sa_flags & ~IPCT_SA_HIDDEN);
	pr_str(p, "code", NULL, ipct_sigcode_name(e->sig.sig, e->sig.code));
}

/* signal_generate: the target, what became of the signal, and why it was so. */
static char *put_generate(struct pr *p, const struct ipct_event *e, char *d)
{
	static const enum word results[] = {
		[IPCT_SIG_QUEUED] = W_QUEUED,     [IPCT_SIG_IGNORED] = W_IGNORED,
		[IPCT_SIG_MERGED] = W_MERGED,     [IPCT_SIG_OVERFLOW] = W_OVERFLOW,
		[IPCT_SIG_LOSE_INFO] = W_LOSE_INFO,
	};
	const struct ipct_sig *s = &e->sig;
	const char *result = ipct_sig_result_name(s->result);
	/*
	 * SIGCONT at its default action does its work as it is generated
	 * (the process resumes) and the kernel then drops it as ignored:
	 * it continued the process, as its lifecycle record says.
	 */
	bool json = json_mode(p), cont = s->sig == SIGCONT && s->result == IPCT_SIG_IGNORED;
	int cols;

	if (json) {
		d = LIT(d, ",\"target_pid\":");
		d = put_u64(d, s->target_pid);
		d = LIT(d, ",\"target_tid\":");
		d = put_u64(d, s->target_tid);
		d = LIT(d, ",\"target_comm\":");
	} else {
		d = LIT(d, " -> ");
	}
	d = put_comm(p, d, s->target_comm, &cols);
	if (!d)
		return NULL;
	if (!json) {
		d = put_pid_tid(d, s->target_pid, s->target_tid);
		if (cont)
			d = put_sp_word(d, W_CONTINUED);
		else if (result)
			d = put_sp_word(d, results[s->result]);
		if (e->flags & IPCT_F_BLOCKED_SIG)
			d = put_sp_word(d, W_BLOCKED);
		if (e->flags & IPCT_F_KERNEL_CTX)
			d = put_sp_word(d, W_BY_KERNEL);
		return s->result == IPCT_SIG_MERGED ? put_sp_word(d, W_LOST) : d;
	}
	d = LIT(d, ",\"result\":");
	d = put_jword(d, result);
	if (cont)
		d = LIT(d, ",\"continued\":true");
	d = LIT(d, ",\"group\":");
	d = put_jbool(d, e->flags & IPCT_F_GROUP);
	d = LIT(d, ",\"blocked\":");
	d = put_jbool(d, e->flags & IPCT_F_BLOCKED_SIG);
	d = LIT(d, ",\"kernel_context\":");
	d = put_jbool(d, e->flags & IPCT_F_KERNEL_CTX);
	return terminal_signal(e) ? LIT(d, ",\"cause\":\"terminal\"") : d;
}

/* signal_deliver: the action taken, the handler, its flags. */
static char *put_deliver(struct pr *p, const struct ipct_event *e, char *d)
{
	static const char *const actions[] = { "default", "ignore", "handler" };
	static const enum word action_words[] = { W_DEFAULT, W_IGNORE, W_HANDLER };
	const struct ipct_sig *s = &e->sig;
	uint64_t sa_flags = s->sa_flags & ~IPCT_SA_HIDDEN;
	int action = s->handler > 1 ? 2 : (int)s->handler;
	bool json = json_mode(p);

	if (json) {
		d = LIT(d, ",\"action\":");
		d = put_jword(d, actions[action]);
	} else {
		d = put_sp_word(d, action_words[action]);
	}
	if (s->handler > 1) {
		const char *name = handler_name(p, e, s->handler);

		/* A symbol is the program's to choose: escaped, by pr_str. */
		if (name) {
			settle(p, d);
			pr_str(p, "handler", " %s", name);
			if (!(d = line_room(p)))
				return NULL;
		} else {
			d = json ? LIT(d, ",\"handler\":\"") : LIT(d, " ");
			d = put_hex(d, s->handler);
			if (json)
				*d++ = '"';
		}
		if (json) {
			d = LIT(d, ",\"handler_addr\":\"");
			d = put_hex(d, s->handler);
			*d++ = '"';
		}
	} else if (json) {
		d = LIT(d, ",\"handler\":null");
	}
	if (s->handler == 0) {
		const char *act = ipct_sig_default_action(s->sig);

		if (json) {
			d = LIT(d, ",\"default_action\":");
			d = put_jword(d, act);
		} else if (act) {
			d = LIT(d, " (");
			d = put_cstr(d, act);
			*d++ = ')';
		}
	}
	if (!sa_flags)
		return json ? LIT(d, ",\"sa_flags\":[]") : d;
	settle(p, d);
	pr_flags(p, "sa_flags", " ", ipct_sa_flags, sa_flags);
	return line_room(p);
}

static void fmt_signal(struct pr *p, const struct ipct_event *e)
{
	const struct ipct_sig *s = &e->sig;
	const char *code = ipct_sigcode_name(s->sig, s->code);
	bool json = json_mode(p);
	char *d = line_room(p);

	if (!d)
		return;
	if (group_exit(e)) {
		fmt_group_exit(p, e, d);
		return;
	}
	d = put_sig(d, json, s->sig);
	d = e->type == IPCT_EV_SIGNAL_GENERATE ? put_generate(p, e, d) : put_deliver(p, e, d);
	if (!d)
		return;
	if (json) {
		d = LIT(d, ",\"code\":");
		d = put_jword(d, code);
	} else if (code) {
		*d++ = ' ';
		d = put_cstr(d, code);
	}
	if (!code) {
		d = json ? LIT(d, ",\"code_value\":") : LIT(d, " code=");
		d = put_i64(d, s->code);
	}
	settle(p, d);
	if ((d = line_room(p)))
		settle(p, put_siginfo(p, e, d));
}

int ipct_waitid_status(int code, int status)
{
	switch (code) {
	case CLD_EXITED: return (status & 0xff) << 8;
	case CLD_KILLED: return status & 0x7f;
	case CLD_DUMPED: return (status & 0x7f) | 0x80;
	case CLD_STOPPED:
	case CLD_TRAPPED: return (status & 0xff) << 8 | 0x7f;
	case CLD_CONTINUED: return 0xffff;
	default: return status;
	}
}

void ipct_objinfo_addr(const struct ipct_objinfo *o, bool remote, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	size_t n = o->path_len < sizeof(o->path) ? o->path_len : sizeof(o->path);
	const uint8_t *a = remote ? o->raddr : o->laddr;
	uint16_t port = remote ? o->rport : o->lport;
	static const uint8_t zero[16];

	buf[0] = 0;
	switch (o->family) {
	case 0:         /* a FIFO */
	case AF_UNIX:
		if (remote || !n)
			return;
		if (o->path[0])
			snprintf(buf, len, "%.*s", (int)strnlen(o->path, n), o->path);
		else    /* abstract: a name that starts with a NUL byte */
			snprintf(buf, len, "@%.*s", (int)n - 1, o->path + 1);
		/* A longer AF_UNIX address (an IPCT_F_ADDRESS record's) than the record holds. */
		if (o->path_len > sizeof(o->path) && (!o->path[0] || !memchr(o->path, 0, sizeof(o->path))) &&
		    strlen(buf) + 4 <= len)
			strcat(buf, "...");
		return;
	case AF_INET:
	case AF_INET6:
		if (!port && !memcmp(a, zero, o->family == AF_INET ? 4 : 16))
			return;
		inet_ntop(o->family, a, ip, sizeof(ip));
		snprintf(buf, len, o->family == AF_INET ? "%s:%u" : "[%s]:%u", ip, port);
		return;
	}
}

/*
 * OBJINFO: what a socket or FIFO is, after the call that bound, connected,
 * accepted or opened it; or (IPCT_F_ADDRESS) the address a connect, sendto
 * or sendmsg gave. The line follows that call's, which named the descriptor
 * and the object: text does not name them again (JSON does, for queries).
 */
static void fmt_objinfo(struct pr *p, const struct ipct_event *e)
{
	const struct ipct_objinfo *o = &e->obj;
	bool sock = o->family != 0;
	char addr[128];

	pr_int(p, "fd", NULL, o->fd);
	if (e->kind[0] == IPCT_KIND_MQUEUE) {
		/* A queue's name, as mq_open and mq_unlink name it (the C library strips its '/'). */
		if (!o->ino)
			pr_str(p, "kind", NULL, "mqueue");
		else if (json_mode(p))
			pr_object(p, "object", "kind", IPCT_KIND_MQUEUE, o->ino);
		snprintf(addr, sizeof(addr), "/%.*s", (int)sizeof(o->path), o->path);
		pr_str(p, "name", " %s", addr);
		return;
	}
	if (e->kind[0] == IPCT_KIND_SHM) {
		/* A /dev/shm file opened (shm_open) or unlinked (shm_unlink; fd -1), by its path as given. */
		if (!o->ino)
			pr_str(p, "kind", NULL, "shm");
		else if (json_mode(p))
			pr_object(p, "object", "kind", IPCT_KIND_SHM, o->ino);
		snprintf(addr, sizeof(addr), "%.*s", (int)sizeof(o->path), o->path);
		pr_str(p, "path", " %s", addr);
		return;
	}
	if (json_mode(p))
		pr_object(p, "object", "kind", sock ? IPCT_KIND_SOCKET : IPCT_KIND_FIFO, o->ino);
	if (!sock) {
		ipct_objinfo_addr(o, false, addr, sizeof(addr));
		pr_str(p, "path", " %s", addr);
		return;
	}
	pr_str(p, "family", e->flags & IPCT_F_ADDRESS ? NULL : " %s", ipct_enum_name(ipct_sock_families, o->family));
	if (e->flags & IPCT_F_ADDRESS) {
		const struct ipct_syscall *sc = ipct_syscall_by_nr(e->nr);

		/* "connect /run/x.sock", "sendto 127.0.0.1:53": an AF_UNIX address is a path, an AF_INET one remote. */
		ipct_objinfo_addr(o, o->family != AF_UNIX, addr, sizeof(addr));
		pr_text(p, "%s", sc ? sc->name : "to");
		pr_str(p, "address", " %s", addr);
		return;
	}
	pr_str(p, "socktype", " %s", ipct_enum_name(ipct_sock_types, o->type & 0xf));
	ipct_objinfo_addr(o, false, addr, sizeof(addr));
	pr_str(p, "local", " local=%s", addr[0] ? addr : NULL);
	ipct_objinfo_addr(o, true, addr, sizeof(addr));
	pr_str(p, "remote", " remote=%s", addr[0] ? addr : NULL);
	/* The other end, said to be it: the line names no other socket. */
	if (o->peer_ino) {
		pr_say(p, W_PEER, NULL);
		pr_object(p, "peer_object", NULL, IPCT_KIND_SOCKET, o->peer_ino);
	} else
		pr_str(p, "peer_object", NULL, NULL);
}

/* FD_RECEIVED: a descriptor an SCM_RIGHTS message put in the receiver's table. */
static void fmt_fd_received(struct pr *p, const struct ipct_event *e)
{
	const struct ipct_fdrecv *r = &e->fdrecv;

	pr_int(p, "fd", "fd=%" PRId64, r->fd);
	pr_object(p, "object", "kind", e->kind[0], r->ino);
	pr_end(p, e->kind[0], r->flags);
	pr_bool(p, "cloexec", " O_CLOEXEC", r->flags & IPCT_FD_CLOEXEC);
	pr_int(p, "socket_fd", NULL, r->via_fd);
	pr_say_int(p, W_SCM_RIGHTS, r->via_fd);
}

/* "0=/dev/pts/3 1=pipe:[12] 2=/dev/pts/3"; JSON "stdin", "stdout", "stderr" and their kinds. */
static void fmt_stdio(struct pr *p, const struct ipct_event *e)
{
	static const char *const keys[3][2] = { { "stdin", "stdin_kind" }, { "stdout", "stdout_kind" },
						{ "stderr", "stderr_kind" } };
	char name[64];

	for (int fd = 0; fd < 3; fd++) {
		const char *kind = ipct_kind_name(e->stdio.fd[fd].kind);

		ipct_stdio_name(&e->stdio, fd, name, sizeof(name));
		pr_text(p, " %d=%s", fd, name);
		pr_str(p, keys[fd][0], NULL, name);
		pr_str(p, keys[fd][1], NULL, kind ? kind : "none");
	}
}

/*
 * ARGV: the program's arguments, as a JSON array, in text each one
 * between single quotes when a shell would need them (empty, spaces,
 * quotes, ...); "..." when the record holds only their start.
 */
static void fmt_argv(struct pr *p, const struct ipct_event *e)
{
	const struct ipct_argv *a = &e->argv;
	size_t len = a->total < sizeof(a->args) ? a->total : sizeof(a->args);
	bool cut = a->total > sizeof(a->args);
	char word[sizeof(a->args) + 1];

	pr_int(p, "argc", NULL, a->argc);
	if (json_mode(p)) {
		json_key(p, "argv");
		json_raw(p, "[", 1);
	}
	for (size_t i = 0, n = 0; i < len; i += strlen(word) + 1, n++) {
		snprintf(word, sizeof(word), "%.*s", (int)(len - i), a->args + i);
		if (json_mode(p)) {
			if (n)
				json_raw(p, ",", 1);
			json_string(p, word);
		} else if (!word[0] || word[strcspn(word, " \t\n'\"\\$`!*?;&|<>()[]{}#~")]) {
			/* A quote inside is written as the shell reads it back: '\'' */
			pr_text(p, " '");
			for (char *w = word, *q; *w; w = q + 1) {
				q = strchr(w, '\'');
				pr_text(p, q ? "%.*s'\\''" : "%.*s", q ? (int)(q - w) : (int)strlen(w), w);
				if (!q)
					break;
			}
			pr_text(p, "'");
		} else {
			pr_text(p, " %s", word);
		}
	}
	if (json_mode(p))
		json_raw(p, "]", 1);
	pr_bool(p, "argv_truncated", " ...", cut);
}

/*
 * An exec's file by its absolute path, as ipct_syms put it together from
 * the EXE_PATH records before the exec. Text shows it whole, past the
 * TEXT_MAX that other fragments are cut at: it has up to
 * IPCT_EXE_PATH_MAX bytes. A cut one is its last names only ("/b/c"), after "…".
 */
static void pr_exe_file(struct pr *p, const char *file, bool cut)
{
	char safe[4 * IPCT_EXE_PATH_MAX + 1];  /* an escape is at most 4 bytes a byte ("\xHH") */

	if (json_mode(p)) {
		pr_str(p, "file", NULL, file);
		if (cut)
			pr_bool(p, "file_cut", NULL, true);
		return;
	}
	if (cut)
		pr_text(p, "\u2026");
	ipct_text_escape(safe, sizeof(safe), file, strlen(file));
	for (size_t n = strlen(safe), k, i = 0; i < n; i += k) {
		size_t from = p->out->end;

		k = n - i < TEXT_MAX ? n - i : TEXT_MAX;
		json_raw(p, safe + i, k);
		text_end(p, from);
	}
}

static void fmt_proc(struct pr *p, const struct ipct_event *e)
{
	const struct ipct_proc *s = &e->proc;
	char path[IPCT_PATH_LEN + 1];
	const char *file;
	bool cut = false;

	switch (e->type) {
	case IPCT_EV_FORK:
		pr_int(p, "child_pid", NULL, s->child_pid);
		pr_say_int(p, W_CHILD, s->child_pid);
		pr_bool(p, "shared_fd_table", NULL, e->flags & IPCT_F_SHARED_FILES);
		if (e->flags & IPCT_F_SHARED_FILES)
			pr_say(p, W_SHARING_FDS, NULL);
		pr_bool(p, "untraced", NULL, e->flags & IPCT_F_UNTRACED);
		if (e->flags & IPCT_F_UNTRACED)
			pr_say(p, W_NOT_TRACED, NULL);
		break;
	case IPCT_EV_EXEC:
		snprintf(path, sizeof(path), "%.*s", IPCT_PATH_LEN, s->path);
		file = p->f->syms ? ipct_syms_exe_path(p->f->syms, e->pid, &cut) : NULL;
		/* The file as the caller named it (relative, or cut): text shows the one that ran instead. */
		pr_str(p, "filename", file ? NULL : "%s", path);
		if (file)
			pr_exe_file(p, file, cut);
		if (s->old_pid != e->tid) {
			pr_int(p, "old_tid", NULL, s->old_pid);
			pr_say_int(p, W_WAS_THREAD, s->old_pid);
		}
		pr_bool(p, "privileged_exec", NULL, e->flags & IPCT_F_PRIV_EXEC);
		if (e->flags & IPCT_F_PRIV_EXEC)
			pr_say(p, W_PRIV_EXEC, NULL);
		break;
	case IPCT_EV_EXIT:
		pr_wait_status(p, s->exit_code);
		break;
	}
}

const char *ipct_event_type_name(const struct ipct_event *e)
{
	const struct ipct_syscall *sc;

	switch (e->type) {
	case IPCT_EV_SYSCALL:
		sc = ipct_syscall_by_nr(e->nr);
		return sc ? sc->name : "syscall";
	case IPCT_EV_SIGNAL_GENERATE: return "signal_generate";
	case IPCT_EV_SIGNAL_DELIVER: return "signal_deliver";
	case IPCT_EV_FORK: return "fork";
	case IPCT_EV_EXEC: return "exec";
	case IPCT_EV_EXIT: return "exit";
	case IPCT_EV_OBJINFO: return "object";
	case IPCT_EV_FD_RECEIVED: return "fd_received";
	case IPCT_EV_STDIO: return "stdio";
	case IPCT_EV_ARGV: return "argv";
	case IPCT_EV_EXE_PATH: return "exe_path";
	default: return "unknown";
	}
}

static const char *event_color(const struct ipct_event *e)
{
	switch (e->type) {
	case IPCT_EV_SIGNAL_GENERATE:
	case IPCT_EV_SIGNAL_DELIVER:
		return "\033[1;35m";
	case IPCT_EV_FORK:
	case IPCT_EV_EXEC:
	case IPCT_EV_EXIT:
		return "\033[1;34m";
	default:
		return e->sys.ret < 0 && e->sys.ret >= -4095 ? "\033[1;31m" : "\033[1m";
	}
}

/* A trace counts seconds from its start; the log (no start) shows the time of day. */
static int time_width(const struct ipct_fmt *f)
{
	return f->start_ns ? COL_TIME : f->dates ? 26 : 15;
}

/* The line's time in buf; its length. */
static int event_time(const struct ipct_fmt *f, uint64_t ts, char *buf, size_t len)
{
	int64_t real = (int64_t)ts + f->realtime_off, rel = (int64_t)(ts - f->start_ns);
	time_t t = (time_t)(real / 1000000000);
	struct tm tm;

	/*
	 * Seconds since the start, "%.6f" of rel / 1e9: by hand (exactly half a
	 * microsecond as printf rounds the double), but for a negative time
	 * and past 2^53 ns, where the double is not exact.
	 */
	if (f->start_ns && rel >= 0 && rel < (1ll << 53)) {
		uint64_t us = (uint64_t)rel / 1000 +
			      (rel % 1000 == 500 ? half_rounds_up((uint64_t)rel, 1000000000, (uint64_t)rel / 1000)
						 : rel % 1000 > 500);
		uint32_t frac = (uint32_t)(us % 1000000);
		char *d = put_u64(buf, us / 1000000);

		*d++ = '.';
		memcpy(d, digit_pairs + 2 * (frac / 10000), 2);
		memcpy(d + 2, digit_pairs + 2 * (frac / 100 % 100), 2);
		memcpy(d + 4, digit_pairs + 2 * (frac % 100), 2);
		d[6] = 0;
		return (int)(d + 6 - buf);
	}
	if (f->start_ns)
		snprintf(buf, len, "%.6f", (double)rel / 1e9);
	else if (localtime_r(&t, &tm), f->dates)
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%06d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(real / 1000 % 1000000));
	else
		snprintf(buf, len, "%02d:%02d:%02d.%06d", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(real / 1000 % 1000000));
	return (int)strlen(buf);
}

/* The header's column: its word and spaces up to width columns. */
static char *put_column(char *d, enum word w, int width)
{
	d = put_word(d, w, NULL, 0);
	for (int pad = width - words[w].cols; pad > 0; pad--)
		*d++ = ' ';
	return d;
}

int ipct_format_header(const struct ipct_fmt *f, struct ipct_buf *out)
{
	struct pr p = { .f = f, .out = out };
	char *d;

	if (f->mode != IPCT_OUT_TEXT)
		return 0;
	words_need();
	if (!(d = line_room(&p)))
		return p.err;
	d = put_column(d, W_TIME, time_width(f));
	d = LIT(d, "  ");
	d = put_column(d, W_PROCESS, COL_PROC);
	*d++ = ' ';
	d = put_column(d, W_EVENT, COL_EVENT);
	*d++ = ' ';
	d = put_word(d, W_DETAILS, NULL, 0);
	*d++ = '\n';
	advance(&p, d);
	return 0;
}

/* n spaces (none when n <= 0, at most PAD_MAX): a constant width written, n of it kept. */
#define PAD_MAX 32
static char *put_pad(char *d, int n)
{
	memset(d, ' ', PAD_MAX);
	return n > 0 ? d + n : d;
}

/*
 * "%*s  %-*s %s%-*s%s ": the time, comm[pid] or comm[pid/tid] in COL_PROC
 * columns, the type in COL_EVENT.
 */
static void head_text(struct pr *p, const struct ipct_event *e, const char *type)
{
	const struct ipct_fmt *f = p->f;
	size_t ntype = strlen(type);
	int nwhen, width;
	char when[64], *d;

	nwhen = event_time(f, e->ts_ns, when, sizeof(when));
	if (!(d = line_room(p)))
		return;
	d = put_pad(d, time_width(f) - nwhen);
	d = put_str(d, when, (size_t)nwhen);
	d = LIT(d, "  ");
	/*
	 * A signal typed at a terminal is raised by its line discipline, in
	 * whatever task runs it (a kworker): the terminal sent it, as its
	 * lifecycle record says.
	 */
	if (terminal_signal(e)) {
		d = put_word(d, W_KERNEL_TERMINAL, NULL, 0);
		width = words[W_KERNEL_TERMINAL].cols;
	} else {
		char *w;

		d = put_comm(p, d, e->comm, &width);
		w = d;
		d = put_pid_tid(d, e->pid, e->tid);
		width += (int)(d - w);
	}
	d = put_pad(d, COL_PROC - width);
	*d++ = ' ';
	if (f->color)
		d = put_cstr(d, event_color(e));
	d = put_str(d, type, ntype);
	d = put_pad(d, COL_EVENT - (int)ntype);
	if (f->color)
		d = LIT(d, "\033[0m");
	*d++ = ' ';
	advance(p, d);
}

/*
 * time_ns, 19 digits: the seconds' ten change once a second, so they are
 * kept from the line before (per thread) and only the nanoseconds' nine
 * written; a negative time (a clock set before 1970) as put_i64 does.
 */
static char *put_time_ns(char *d, int64_t t)
{
	static __thread uint64_t last_sec = UINT64_MAX;
	static __thread char last_digits[24];
	static __thread size_t last_n;
	uint64_t sec;
	uint32_t ns;

	if (t < 1000000000)
		return put_i64(d, t);
	sec = (uint64_t)t / 1000000000;
	ns = (uint32_t)((uint64_t)t - sec * 1000000000);
	if (sec != last_sec) {
		last_n = (size_t)(put_u64(last_digits, sec) - last_digits);
		last_sec = sec;
	}
	memcpy(d, last_digits, sizeof(last_digits));
	d += last_n;
	*d++ = (char)('0' + ns / 100000000);
	ns %= 100000000;
	return put4(put4(d, ns / 10000), ns % 10000);
}

static void head_json(struct pr *p, const struct ipct_event *e, const char *type)
{
	char *d = line_room(p);
	int cols;

	if (!d)
		return;
	d = LIT(d, "{\"time_ns\":");
	d = put_time_ns(d, (int64_t)e->ts_ns + p->f->realtime_off);
	d = LIT(d, ",\"type\":");
	d = put_jword(d, type);
	d = LIT(d, ",\"pid\":");
	d = put_u64(d, e->pid);
	d = LIT(d, ",\"tid\":");
	d = put_u64(d, e->tid);
	d = LIT(d, ",\"comm\":");
	if (!(d = put_comm(p, d, e->comm, &cols)))
		return;
	d = LIT(d, ",\"session\":");
	d = put_u64(d, e->session);
	d = LIT(d, ",\"uid\":");
	d = put_u64(d, e->uid);
	advance(p, d);
	p->members = 7;
}

int ipct_format_event(const struct ipct_fmt *f, const struct ipct_event *e, struct ipct_buf *out)
{
	struct pr p = { .f = f, .out = out };
	const char *type = ipct_event_type_name(e);
	size_t from = ipct_buf_len(out);

	/* It carries its exec's path, which the exec's line shows (ipct_syms put it together): no line. */
	if (e->type == IPCT_EV_EXE_PATH)
		return 0;
	words_need();
	if (f->mode == IPCT_OUT_JSON)
		head_json(&p, e, type);
	else
		head_text(&p, e, type);
	if (p.err)
		return p.err;

	switch (e->type) {
	case IPCT_EV_SYSCALL:
		fmt_syscall(&p, e);
		break;
	case IPCT_EV_SIGNAL_GENERATE:
	case IPCT_EV_SIGNAL_DELIVER:
		fmt_signal(&p, e);
		break;
	case IPCT_EV_OBJINFO:
		fmt_objinfo(&p, e);
		break;
	case IPCT_EV_FD_RECEIVED:
		fmt_fd_received(&p, e);
		break;
	case IPCT_EV_STDIO:
		fmt_stdio(&p, e);
		break;
	case IPCT_EV_ARGV:
		fmt_argv(&p, e);
		break;
	default:
		fmt_proc(&p, e);
		break;
	}

	if (f->mode == IPCT_OUT_JSON) {
		json_raw(&p, "}", 1);
		/* Only a string can hold what is not UTF-8, and json_string saw every byte. */
		if (!p.err && p.high)
			p.err = ipct_json_fix_utf8(out, from);
	}
	return p.err ? p.err : ipct_buf_append(out, "\n", 1);
}
