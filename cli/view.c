// SPDX-License-Identifier: MIT
/*
 * ipctrace run --view: the trace drawn as a sequence diagram for a lecture
 * hall. Each process has a vertical lane, time runs downwards, and each
 * signal is drawn from its sender to its target, then through its delivery
 * and the return of its handler. Pipes, FIFOs, sockets and message queues
 * are drawn on the lanes of the processes that make, copy and close their
 * descriptors, and what goes through them as arrows from the writer's lane
 * to the reader's. A pipe graph of the view's own (lib/graph.c), fed every
 * event, knows each process's descriptors: what a fork copied, what a
 * process holds (its state line), and who can read what is written.
 *
 * Events draw what happens as it happens (generation, delivery, fork,
 * exec, exit). The daemon's lifecycle records, each arriving right after
 * the event that completes it, draw what no single event shows: that a
 * handler's return ended a signal's story, that a signal was taken by
 * sigwait, or that it was never delivered.
 *
 * The drawing only ever appends lines, so that it scrolls on a terminal
 * and reads the same in a file (a replay, cli/replay.c, goes back by
 * drawing again from the start). Each line is first laid out in a row of
 * cells, one per column, so that no line is wider than the terminal and
 * colour and glyphs are decided per cell: box drawing where the locale
 * says UTF-8, ASCII elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#include "graph.h"
#include "names.h"
#include "syscalls.h"
#include "i18n.h"
#include "view.h"

#define GUTTER 10               /* "+999.9 ms" and a space */
#define LANE_MIN 20             /* columns between lanes: a header, or an arrow with a word */
#define MIN_WIDTH 40
#define MAX_WIDTH 200
#define MAX_LANES ((MAX_WIDTH - GUTTER) / LANE_MIN)
#define NAME_LEN 32
#define MAX_CUTS 4

/* The glyphs, all in the WGL4 set that projector and console fonts have. */
#define G_VLINE 0x2502          /* │ */
#define G_HLINE 0x2500          /* ─ */
#define G_TEE_R 0x251c          /* ├ */
#define G_TEE_L 0x2524          /* ┤ */
#define G_END 0x2534            /* ┴ */
#define G_LOOP_OUT 0x2510       /* ┐ */
#define G_LOOP_IN 0x2518        /* ┘ */
#define G_HEAD_R 0x25ba         /* ► */
#define G_HEAD_L 0x25c4         /* ◄ */
#define G_DELIVER 0x25cf        /* ● */
#define G_RETURN 0x25cb         /* ○ */
#define G_LOST 0x00d7           /* × */
#define G_ELLIPSIS 0x2026       /* … */
#define G_OBJ 0x25a0            /* ■ a descriptor made */
#define G_CLOSE 0x25a1          /* □ a descriptor closed */
#define G_STATE 0x2261          /* ≡ what a process holds */
#define G_EOF 0x25ca            /* ◊ a read that returned 0 */

/* Consecutive transfers of at most this many bytes between the same two make one arrow. */
#define FOLD_BYTES 4096
/* A read or write that slept this long for another process says so. */
#define BLOCKED_NS 1000000ull
/* The descriptors a state line names, at most. */
#define MAX_HELD 32

enum color { C_PLAIN, C_BOLD, C_SIG, C_OK, C_WARN, C_BAD, C_INFO, C_DATA, C_COUNT };

static const char *const sgr[C_COUNT] = {
	[C_PLAIN] = "\033[0m",
	[C_BOLD] = "\033[0;1m",
	[C_SIG] = "\033[0;1;35m",
	[C_OK] = "\033[0;1;32m",
	[C_WARN] = "\033[0;1;33m",
	[C_BAD] = "\033[0;1;31m",
	[C_INFO] = "\033[0;36m",
	[C_DATA] = "\033[0;1;34m",
};

/* The marks drawn so far, for a legend that explains only those. */
enum mark { M_SENT = 1, M_DELIVERED = 2, M_RETURNED = 4, M_LOST = 8, M_EXIT = 16, M_FD = 32, M_DATA = 64 };

struct cell {
	uint32_t cp;            /* a code point: ASCII, or a glyph above */
	uint8_t color;
};

/*
 * Text laid out in cells before it is placed on a row. Its first part says
 * what happened; details follow, and where room is short the label is cut
 * back to one of the lengths in cut[], dropping the last details first.
 */
struct label {
	struct cell c[MAX_WIDTH];
	int len;
	int ncuts;
	int cut[MAX_CUTS];      /* ascending; cut[0] is the part that must stay */
	int must;               /* what must show besides: what does not fit goes on rows below */
};

struct vproc {
	uint32_t pid;
	int lane;
	char comm[IPCT_COMM_LEN + 1];   /* printable ASCII */
	char name[NAME_LEN];            /* comm[pid] */
	uint64_t ignored;               /* signals set to SIG_IGN (bit sig-1), as seen */
	uint64_t exec_ns;               /* its last exec; 0 none seen */
	uint64_t events;                /* events of it drawn: how active its lane is */
};

/* Who last wrote (sent) into an object: where the arrow of the next read starts. */
struct vwriter {
	uint32_t pid;           /* 0: none seen */
	char name[NAME_LEN];    /* its comm[pid]: it may be gone when the reader reads */
	int lane;               /* its lane, and the lane's generation then: */
	unsigned gen;           /* if nobody took the lane since, its arrows still start there */
	uint64_t writes;        /* writes since the last read drew them */
	uint64_t guessed;       /* writes a read counted before their records came */
	uint64_t unread;        /* bytes of the writes recorded that no read took yet */
	uint64_t ahead;         /* bytes reads took before the records of their writes came */
};

/* A pipe, FIFO, socket or message queue met in the trace. */
struct vobj {
	uint64_t ino;
	int kind;
	unsigned num;           /* pipe 1, pipe 2 ...: in the order met, per kind */
	char pair;              /* a socketpair's 'a' or 'b'; 0 otherwise */
	uint64_t peer;          /* a connected socket's other end: where its writes go; 0 none known */
	uint16_t lport, rport;  /* an AF_INET(6) socket's ports: its peer is the one with them swapped */
	struct vwriter w;
	char path[64];          /* a FIFO's path, a queue's name; "" unknown */
};

/* Transfers being folded into one arrow: drawn before any other line is. */
struct xfer {
	bool on, msgs;
	uint64_t ino;
	uint32_t from, to;
	char from_name[NAME_LEN];
	int from_lane;          /* the writer's lane and its generation, for a writer gone since */
	unsigned from_gen;
	uint64_t calls, bytes, last, ts, waited;
};

/* An open of a FIFO or queue, drawn with the OBJINFO record that names what it opened. */
struct opened {
	uint32_t pid;
	uint64_t ino;
	unsigned mode;
	const char *call;
};

struct lane {
	int x;                  /* the column of its line */
	int nprocs;             /* live processes drawn on it: 0 free, more than 1 shared */
	unsigned gen;           /* processes given it so far: whether it is still a gone one's */
};

struct view {
	int fd;
	const struct ipct_fmt *fmt;
	bool utf8;
	bool broken;            /* the output went away: stop drawing */
	bool tty;               /* drawn on a terminal, of `width` columns */
	int width, nlanes;
	struct lane lane[MAX_LANES];
	struct vproc **procs;
	size_t nprocs, cap;
	/* The last process to exit: its records (never delivered ...) follow its exit. */
	uint32_t gone_pid;
	int gone_x, gone_lane;
	char gone_name[NAME_LEN];
	uint32_t root_pid;      /* the command, named in the closing line */
	char root[IPCT_COMM_LEN + 1];
	unsigned marks;
	unsigned records, outcome[IPCT_OUTCOME_MAX], adopted;
	bool state_lines;       /* a state line at each fork and exec, not only at forks that copy some */
	struct ipct_graph *graph;       /* every process's descriptors */
	struct vobj *objs;
	size_t nobjs, capobjs;
	unsigned nkind[IPCT_KIND_MAX];
	struct xfer xfer;
	struct label spill;     /* a label's part that must show and had no room: the next rows' */
	int spill_x;
	struct opened opened;
	uint64_t lines;         /* lines drawn so far */
	struct cell row[MAX_WIDTH];
	char out[MAX_WIDTH * 16 + 16];  /* a row as bytes: 4 per glyph, colour changes */
};

/* A signal's state in words: text must stay, detail may go for room. */
struct state {
	const char *text, *detail;      /* untranslated (N_): the label translates them */
	enum color color;
	bool lost;              /* this instance ends here */
};

/* A translated message; "" stays "" (gettext would give the catalogue's header). */
static const char *tr(const char *s)
{
	return *s ? _(s) : s;
}

/* ---- cells and output ---------------------------------------------------- */

/* What a glyph becomes where the locale is not UTF-8; NULL for a code point we do not draw. */
static const char *ascii_of(uint32_t cp)
{
	switch (cp) {
	case G_VLINE: return "|";
	case G_HLINE: return "-";
	case G_TEE_R:
	case G_TEE_L:
	case G_END: return "+";
	case G_LOOP_OUT: return ".";
	case G_LOOP_IN: return "'";
	case G_HEAD_R: return ">";
	case G_HEAD_L: return "<";
	case G_DELIVER: return "*";
	case G_RETURN: return "o";
	case G_LOST: return "x";
	case G_ELLIPSIS: return "~";
	case G_OBJ: return "#";
	case G_CLOSE: return "]";
	case G_STATE: return "=";
	case G_EOF: return "e";
	case 0x2192: return "->";       /* → */
	case 0x00b5: return "u";        /* µ */
	case 0x00b7: return "-";        /* · */
	}
	return NULL;
}

static uint32_t glyph(const struct view *v, uint32_t cp)
{
	return v->utf8 || cp < 0x80 ? cp : (uint32_t)ascii_of(cp)[0];
}

static void put(struct view *v, int x, uint32_t cp, enum color c)
{
	if (x >= 0 && x < v->width)
		v->row[x] = (struct cell){ glyph(v, cp), c };
}

static void put_label(struct view *v, int x, const struct label *l)
{
	for (int i = 0; i < l->len; i++)
		if (x + i >= 0 && x + i < v->width)
			v->row[x + i] = l->c[i];
}

static int x_of(const struct view *v, const struct vproc *p)
{
	return v->lane[p->lane].x;
}

static void write_all(struct view *v, const char *p, size_t n)
{
	while (n && !v->broken) {
		ssize_t k = write(v->fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			struct pollfd pf = { .fd = v->fd, .events = POLLOUT };

			poll(&pf, 1, -1);
			continue;
		}
		if (k <= 0) {
			/* The reader is gone: tracing goes on, drawing stops. */
			v->broken = true;
			return;
		}
		p += k;
		n -= (size_t)k;
	}
}

static size_t utf8_encode(uint32_t cp, char *s)
{
	if (cp < 0x80) {
		s[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	s[0] = (char)(0xe0 | cp >> 12);
	s[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	s[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* Writes the row's first n cells (less the trailing blanks). */
static void row_flush_n(struct view *v, int n)
{
	size_t len = 0;
	uint8_t cur = C_PLAIN;

	while (n > 0 && v->row[n - 1].cp == ' ')
		n--;
	for (int i = 0; i < n; i++) {
		const struct cell *c = &v->row[i];

		/* A space shows no colour: not switching for it keeps the line short. */
		if (v->fmt->color && c->color != cur && c->cp != ' ') {
			cur = c->color;
			len += (size_t)sprintf(v->out + len, "%s", sgr[cur]);
		}
		len += utf8_encode(c->cp, v->out + len);
	}
	if (cur != C_PLAIN)
		len += (size_t)sprintf(v->out + len, "%s", sgr[C_PLAIN]);
	v->out[len++] = '\n';
	v->lines++;
	write_all(v, v->out, len);
}

static bool label_fit(struct label *l, int room);
static void label_tail(const struct label *l, int n, struct label *d);
static void label_cut(const struct view *v, struct label *l, int n);
static void row_start(struct view *v, uint64_t ts);

/* The line, and then what its label must still say, on as many rows as it takes. */
static void row_flush(struct view *v)
{
	row_flush_n(v, v->width);
	while (v->spill.len) {
		struct label l = v->spill;
		int room = v->width - v->spill_x, full = l.len;

		v->spill.len = 0;
		if (room <= 0)
			break;
		row_start(v, 0);
		if (!label_fit(&l, room))
			label_cut(v, &l, room);
		put_label(v, v->spill_x, &l);
		if (l.len < l.must) {
			int n = l.len;

			l.len = full;
			label_tail(&l, n, &v->spill);
		}
		row_flush_n(v, v->width);
	}
}

/* ---- labels -------------------------------------------------------------- */

static void label_init(struct label *l)
{
	l->len = l->ncuts = l->must = 0;
}

static void label_push(struct label *l, uint32_t cp, enum color c)
{
	if (l->len < MAX_WIDTH)
		l->c[l->len++] = (struct cell){ cp, c };
}

/* One code point from UTF-8 text; malformed bytes come out as one '?' each. */
static const char *utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	int n = u[0] >= 0xf0 ? 3 : u[0] >= 0xe0 ? 2 : u[0] >= 0xc0 ? 1 : 0;

	*cp = n ? u[0] & (0x3f >> n) : u[0];
	if (u[0] >= 0x80 && !n) {
		*cp = '?';
		return s + 1;
	}
	for (int i = 1; i <= n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = '?';
			return s + 1;
		}
		*cp = *cp << 6 | (u[i] & 0x3f);
	}
	return s + 1 + n;
}

/*
 * Only what takes one column reaches a row: ASCII, our own glyphs and, on
 * a UTF-8 terminal, the letters of a translation ("tubería"); anything
 * else (a control character, a wide or zero-width character in a comm)
 * would break the columns.
 */
static void label_text(const struct view *v, struct label *l, enum color c, const char *s)
{
	while (*s) {
		uint32_t cp;
		const char *a;

		s = utf8_next(s, &cp);
		a = cp < 0x80 ? NULL : ascii_of(cp);
		if (cp >= 0x80 && !a && v->utf8 && wcwidth((wchar_t)cp) == 1)
			label_push(l, cp, c);
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && !a))
			label_push(l, '?', c);
		else if (cp < 0x80 || v->utf8)
			label_push(l, cp, c);
		else
			while (*a)
				label_push(l, (uint8_t)*a++, c);
	}
}

static void __attribute__((format(printf, 4, 5)))
label_add(const struct view *v, struct label *l, enum color c, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	label_text(v, l, c, tmp);
}

/* The label may be cut back to what was added so far; the first call marks what must stay. */
static void label_keep(struct label *l)
{
	if (l->ncuts < MAX_CUTS)
		l->cut[l->ncuts++] = l->len;
}

/* What l says so far must show: where a line has no room for it, it goes on rows below. */
static void label_must(struct label *l)
{
	label_keep(l);
	l->must = l->len;
}

/* Cuts l back to the longest of its lengths that fits in room; false, l unchanged, if none does. */
static bool label_fit(struct label *l, int room)
{
	if (l->len <= room)
		return true;
	for (int i = l->ncuts; i-- > 0;) {
		if (l->cut[i] <= room) {
			l->len = l->cut[i];
			return true;
		}
	}
	return false;
}

static void label_cut(const struct view *v, struct label *l, int n)
{
	if (n <= 0) {
		l->len = 0;
	} else if (l->len > n) {
		l->len = n;
		l->c[n - 1].cp = glyph(v, G_ELLIPSIS);
	}
}

/* The part of l after its first n cells, without the separator that led into it. */
static void label_tail(const struct label *l, int n, struct label *d)
{
	while (n < l->len && (l->c[n].cp == ' ' || l->c[n].cp == ':' || l->c[n].cp == ',' ||
			      l->c[n].cp == '-' || l->c[n].cp == 0xb7))
		n++;
	label_init(d);
	d->must = l->must > n ? l->must - n : 0;
	d->len = l->len - n;
	memcpy(d->c, l->c + n, (size_t)d->len * sizeof(d->c[0]));
	for (int i = 0; i < l->ncuts; i++)
		if (l->cut[i] > n)
			d->cut[d->ncuts++] = l->cut[i] - n;
}

/*
 * Beside the drawing that covers columns a..b: right, where people read
 * on, else left. On the right, what must show and does not fit there
 * follows on the rows below, under its start.
 */
static bool place_beside(struct view *v, struct label *l, int a, int b)
{
	int full = l->len;

	if (label_fit(l, v->width - b - 2)) {
		put_label(v, b + 2, l);
		if (l->len < l->must) {
			int n = l->len;

			l->len = full;
			label_tail(l, n, &v->spill);
			v->spill_x = b + 2;
		}
		return true;
	}
	if (label_fit(l, a - 1 - GUTTER)) {
		put_label(v, a - 1 - l->len, l);
		return true;
	}
	return false;
}

/*
 * Puts a label on the row. On an arrow whose free stretch lo..hi has room
 * for what the label must say, it goes there, centred, and the details
 * that do not fit follow beside the drawing (columns a..b). Otherwise the
 * whole label goes beside the drawing, and failing that it is cut.
 */
static void place_label(struct view *v, struct label *l, int a, int b, int lo, int hi)
{
	int full = l->len, right = v->width - b - 2, left = a - 1 - GUTTER;

	if (hi >= lo && label_fit(l, hi - lo + 1 - 4)) {
		int n = l->len, x = lo + (hi - lo + 1 - n) / 2;
		struct label d;

		put(v, x - 1, ' ', C_PLAIN);
		put(v, x + n, ' ', C_PLAIN);
		put_label(v, x, l);
		l->len = full;
		label_tail(l, n, &d);
		if (d.len)
			place_beside(v, &d, a, b);
		return;
	}
	if (place_beside(v, l, a, b))
		return;
	/* Nowhere has room: cut it where the most shows. */
	if (hi - lo + 1 - 4 > right && hi - lo + 1 - 4 > left) {
		label_cut(v, l, hi - lo + 1 - 4);
		put(v, lo + 1, ' ', C_PLAIN);
		put_label(v, lo + 2, l);
		put(v, lo + 2 + l->len, ' ', C_PLAIN);
		return;
	}
	label_cut(v, l, right >= left ? right : left);
	put_label(v, right >= left ? b + 2 : a - 1 - l->len, l);
}

/* "+1.26 ms", "pending 2.00 s": three digits are what a person reads. */
static void fmt_dur(char *buf, size_t len, const char *prefix, uint64_t ns)
{
	if (ns < 999500)
		snprintf(buf, len, "%s%u µs", prefix, (unsigned)((ns + 500) / 1000));
	else if (ns < 9995000)
		snprintf(buf, len, "%s%.2f ms", prefix, ns / 1e6);
	else if (ns < 999950000)
		snprintf(buf, len, "%s%.1f ms", prefix, ns / 1e6);
	else if (ns < 59995000000ull)
		snprintf(buf, len, "%s%.2f s", prefix, ns / 1e9);
	else
		snprintf(buf, len, "%s%um%02us", prefix, (unsigned)(ns / 60000000000ull),
			 (unsigned)(ns / 1000000000 % 60));
}

/* A fresh row: the live lanes, and a time in the gutter unless ts is 0. */
static void xfer_draw(struct view *v);

static void row_start(struct view *v, uint64_t ts)
{
	/* The arrow being folded goes first: it happened before what this line draws. */
	if (v->xfer.on)
		xfer_draw(v);
	for (int x = 0; x < v->width; x++)
		v->row[x] = (struct cell){ ' ', C_PLAIN };
	for (int i = 0; i < v->nlanes; i++)
		if (v->lane[i].nprocs)
			put(v, v->lane[i].x, G_VLINE, C_PLAIN);
	if (ts) {
		struct label l;
		char t[32];

		label_init(&l);
		fmt_dur(t, sizeof(t), "+", ts > v->fmt->start_ns ? ts - v->fmt->start_ns : 0);
		label_text(v, &l, C_PLAIN, t);
		put_label(v, GUTTER - 1 - l.len, &l);
	}
}

/* ---- drawing ------------------------------------------------------------- */

/* An arrow from column xs to xt; the stretch a label may cover goes to *lo..*hi. */
static void draw_arrow(struct view *v, int xs, int xt, bool lost, enum color c, int *lo, int *hi)
{
	int dir = xt > xs ? 1 : -1;

	put(v, xs, dir > 0 ? G_TEE_R : G_TEE_L, c);
	for (int x = xs + dir; x != xt - dir; x += dir)
		put(v, x, G_HLINE, c);
	put(v, xt - dir, lost ? G_LOST : dir > 0 ? G_HEAD_R : G_HEAD_L, c);
	*lo = dir > 0 ? xs + 1 : xt + 2;
	*hi = dir > 0 ? xt - 2 : xs - 1;
}

/*
 * Something that has no lane (the kernel, an untraced process) as a name
 * beside lane x, with an arrow into the lane (inbound) or out of it: left
 * of the lane where there is room, else right. Sets the columns drawn.
 */
static void draw_box(struct view *v, int x, const char *name, bool inbound, bool lost, enum color c,
		     int *a, int *b)
{
	struct label l;
	uint32_t head;

	label_init(&l);
	label_text(v, &l, C_BOLD, name);
	if (x - 3 - l.len >= GUTTER) {
		head = lost ? G_LOST : inbound ? G_HEAD_R : G_HEAD_L;
		put_label(v, x - 3 - l.len, &l);
		put(v, x - 2, inbound ? G_HLINE : head, c);
		put(v, x - 1, inbound ? head : G_HLINE, c);
		if (!inbound)
			put(v, x, G_TEE_L, c);
		*a = x - 3 - l.len;
		*b = x;
		return;
	}
	head = lost ? G_LOST : inbound ? G_HEAD_L : G_HEAD_R;
	label_cut(v, &l, v->width - x - 4);
	if (!inbound)
		put(v, x, G_TEE_R, c);
	put(v, x + 1, inbound ? head : G_HLINE, c);
	put(v, x + 2, inbound ? G_HLINE : head, c);
	put_label(v, x + 4, &l);
	*a = x;
	*b = x + 3 + l.len;
}

/*
 * A lane's header: the process's name centred on its line, with the fork
 * arrow from its parent (when they have lanes apart) or the file it
 * executed beside it.
 */
static void draw_header(struct view *v, const struct vproc *p, const struct ipct_event *e,
			const struct vproc *parent)
{
	int x = x_of(v, p), room = LANE_MIN - 2, start, lo = 1, hi = 0, a, b;
	int pid_len = snprintf(NULL, 0, "[%u]", p->pid);
	char name[NAME_LEN];
	struct label l, note;

	snprintf(name, sizeof(name), "%.*s[%u]", room > pid_len ? room - pid_len : 1, p->comm, p->pid);
	label_init(&l);
	label_text(v, &l, C_BOLD, name);
	start = x - l.len / 2;
	if (start + l.len > v->width)
		start = v->width - l.len;
	if (start < GUTTER)
		start = GUTTER;
	row_start(v, e->ts_ns);
	put_label(v, start, &l);
	a = start;
	b = start + l.len - 1;
	label_init(&note);
	if (parent) {
		int px = x_of(v, parent);

		label_add(v, &note, C_INFO, "fork");
		label_keep(&note);
		/* The arrow needs a stretch between the parent's line and the name. */
		if (px < start - 3 || px > b + 3) {
			draw_arrow(v, px, px < start ? start : b, false, C_INFO, &lo, &hi);
			a = px < a ? px : a;
			b = px > b ? px : b;
		} else {
			label_add(v, &note, C_INFO, _(" of %s"), parent->name);
		}
	} else if (e->type == IPCT_EV_EXEC) {
		label_add(v, &note, C_INFO, "exec");
		label_keep(&note);
		label_add(v, &note, C_INFO, " %.*s", IPCT_PATH_LEN, e->proc.path);
	}
	if (note.len)
		place_label(v, &note, a, b, lo, hi);
	row_flush(v);
}

/* ---- processes and lanes ------------------------------------------------- */

static struct vproc *proc_find(const struct view *v, uint32_t pid)
{
	for (size_t i = v->nprocs; i-- > 0;)
		if (v->procs[i]->pid == pid)
			return v->procs[i];
	return NULL;
}

static bool lane_shared(const struct view *v, const struct vproc *p)
{
	return v->lane[p->lane].nprocs > 1;
}

/*
 * A free lane, or when all are taken the least active one (the fewest
 * events of its live processes): newcomers share it, and its lines name
 * them, so that the busy lanes stay one process each.
 */
static int lane_pick(const struct view *v)
{
	uint64_t load[MAX_LANES] = { 0 };
	int best = v->nlanes - 1;

	for (int i = 0; i < v->nlanes; i++)
		if (!v->lane[i].nprocs)
			return i;
	for (size_t i = 0; i < v->nprocs; i++)
		load[v->procs[i]->lane] += v->procs[i]->events;
	for (int i = v->nlanes; i-- > 0;)
		if (load[i] < load[best])
			best = i;
	return best;
}

static void set_comm(struct vproc *p, const char *comm)
{
	int i;

	for (i = 0; i < IPCT_COMM_LEN && comm[i]; i++)
		p->comm[i] = comm[i] >= 0x20 && comm[i] < 0x7f ? comm[i] : '?';
	p->comm[i] = 0;
	snprintf(p->name, sizeof(p->name), "%s[%u]", p->comm, p->pid);
}

static struct vproc *proc_add(struct view *v, uint32_t pid, const char *comm)
{
	struct vproc *p;

	if (v->nprocs == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		struct vproc **procs = realloc(v->procs, cap * sizeof(*procs));

		if (!procs)
			return NULL;
		v->procs = procs;
		v->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	set_comm(p, comm);
	p->lane = lane_pick(v);
	v->lane[p->lane].nprocs++;
	v->lane[p->lane].gen++;
	v->procs[v->nprocs++] = p;
	if (!v->root_pid) {
		v->root_pid = pid;
		snprintf(v->root, sizeof(v->root), "%s", p->comm);
	}
	return p;
}

static void proc_remove(struct view *v, struct vproc *p)
{
	for (size_t i = 0; i < v->nprocs; i++) {
		if (v->procs[i] == p) {
			v->procs[i] = v->procs[--v->nprocs];
			break;
		}
	}
	v->lane[p->lane].nprocs--;
	free(p);
}

/* The process that made e; one first met here gets its lane and header now. */
static struct vproc *proc_of(struct view *v, const struct ipct_event *e)
{
	struct vproc *p = proc_find(v, e->pid);

	if (p) {
		p->events++;
		return p;
	}
	p = proc_add(v, e->pid, e->comm);
	if (p && e->type != IPCT_EV_EXEC)
		draw_header(v, p, e, NULL);
	return p;
}

/* A label that starts with "[pid]" when the lane is shared: the lane's headers say whose pid. */
static void label_who(const struct view *v, struct label *l, const struct vproc *p)
{
	label_init(l);
	if (p && lane_shared(v, p))
		label_add(v, l, C_BOLD, "[%u] ", p->pid);
}

static void label_sig(const struct view *v, struct label *l, int sig)
{
	const char *name = ipct_sig_name(sig);

	if (name)
		label_add(v, l, C_SIG, "%s ", name);
	else
		label_add(v, l, C_SIG, _("signal %d "), sig);
}

/* "SIGUSR1 merged" that must stay, then ": already pending, lost" that may go. */
static void label_state(const struct view *v, struct label *l, int sig, const struct state *st)
{
	label_init(l);
	label_sig(v, l, sig);
	label_add(v, l, st->color, "%s", _(st->text));
	label_keep(l);
	label_add(v, l, st->color, "%s", tr(st->detail));
	label_keep(l);
}

static uint64_t sig_bit(int sig)
{
	return sig >= 1 && sig <= 64 ? 1ull << (sig - 1) : 0;
}

/* ---- events -------------------------------------------------------------- */

/*
 * Whether the kernel produced the signal rather than a process's kill,
 * tkill or sigqueue: SEND_SIG_NOINFO (SIGPIPE and friends) arrives as
 * SI_USER with no sender pid in the siginfo.
 */
static bool from_kernel(const struct ipct_sig *s)
{
	if (s->code == SI_USER)
		return (uint32_t)s->sifields[0] == 0;
	return s->code != SI_TKILL && s->code != SI_QUEUE;
}

/* Why the kernel generated it, in a few words, or NULL. */
static const char *kernel_cause(const struct ipct_event *e, char *buf, size_t len)
{
	/* TRANSLATORS: "child 1234 exited": what a SIGCHLD tells. */
	static const char *const child[] = { "", N_("exited"), N_("killed"), N_("dumped core"), N_("trapped"),
					     N_("stopped"), N_("continued") };
	const struct ipct_sig *s = &e->sig;
	int sig = s->sig, code = s->code;

	if (sig == SIGCHLD && code >= CLD_EXITED && code <= CLD_CONTINUED) {
		snprintf(buf, len, _("child %u %s"), (uint32_t)s->sifields[0], _(child[code]));
		return buf;
	}
	if (sig == SIGPIPE && code == SI_USER)
		return _("write with no reader");
	if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP) &&
	    code > 0 && code != SI_KERNEL) {
		snprintf(buf, len, _("fault at 0x%" PRIx64), (uint64_t)s->sifields[0]);
		return buf;
	}
	if (sig == SIGALRM || sig == SIGVTALRM || sig == SIGPROF || code == SI_TIMER)
		return _("timer");
	if (code == SI_KERNEL && (sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP || sig == SIGHUP ||
				  sig == SIGTTIN || sig == SIGTTOU || sig == SIGWINCH))
		return _("terminal");
	return NULL;
}

/* "kill()": the syscall the task was in; NULL when the kernel could not tell (nr -1). */
static const char *call_name(int64_t nr, char *buf, size_t len)
{
	const char *name = nr >= 0 && nr < IPCT_NR_NONE ? ipct_syscall_name((int)nr) : NULL;

	if (!name)
		return NULL;
	snprintf(buf, len, "%s()", name);
	return buf;
}

/*
 * Something moving from snd's lane to tgt's (a signal, bytes through a
 * pipe), labelled l: an arrow between two lanes, out of a lane and back in
 * over two lines when both are one lane, or from (tgt only) or to (snd
 * only) a box named `box` beside the lane that has one.
 */
static void draw_link(struct view *v, uint64_t ts, const struct vproc *snd, const struct vproc *tgt,
		      const char *box, bool lost, enum color c, struct label *l)
{
	int a, b, lo = 1, hi = 0;

	row_start(v, ts);
	if (!tgt) {
		draw_box(v, x_of(v, snd), box, false, lost, c, &a, &b);
	} else if (!snd) {
		draw_box(v, x_of(v, tgt), box, true, lost, c, &a, &b);
	} else if (snd->lane != tgt->lane) {
		draw_arrow(v, x_of(v, snd), x_of(v, tgt), lost, c, &lo, &hi);
		a = x_of(v, snd) < x_of(v, tgt) ? x_of(v, snd) : x_of(v, tgt);
		b = a == x_of(v, snd) ? x_of(v, tgt) : x_of(v, snd);
	} else {
		/* To itself (or to a lane-mate): out and back in over two lines. */
		a = x_of(v, snd);
		b = a + 2;
		put(v, a, G_TEE_R, c);
		put(v, a + 1, G_HLINE, c);
		put(v, a + 2, G_LOOP_OUT, c);
	}
	place_label(v, l, a, b, lo, hi);
	row_flush(v);
	if (snd && tgt && snd->lane == tgt->lane) {
		row_start(v, 0);
		put(v, a + 1, lost ? G_LOST : G_HEAD_L, c);
		put(v, a + 2, G_LOOP_IN, c);
		row_flush(v);
	}
}

static struct state generate_state(const struct ipct_sig *s, uint32_t flags, const struct vproc *tgt)
{
	switch (s->result) {
	case IPCT_SIG_IGNORED:
		/* It resumes the process as it is generated, even when ignored: the kernel drops it after. */
		if (s->sig == SIGCONT)
			return (struct state){ N_("continued"), N_(": the kernel resumes it"), C_WARN, false };
		if (tgt && tgt->ignored & sig_bit(s->sig))
			return (struct state){ N_("ignored"), N_(" (SIG_IGN)"), C_BAD, true };
		/* SIGCHLD, SIGURG, SIGWINCH: being dropped is their normal fate. */
		if (!strcmp(ipct_sig_default_action(s->sig), "Ign"))
			return (struct state){ N_("ignored"), N_(" by default"), C_INFO, true };
		return (struct state){ N_("ignored"), "", C_BAD, true };
	case IPCT_SIG_MERGED:
		return (struct state){ N_("merged"), N_(": already pending, lost"), C_BAD, true };
	case IPCT_SIG_OVERFLOW:
		return (struct state){ N_("dropped"), N_(": queue full"), C_BAD, true };
	case IPCT_SIG_LOSE_INFO:
		return (struct state){ N_("generated"), N_(", its siginfo lost"), C_WARN, false };
	default:
		if (flags & IPCT_F_BLOCKED_SIG)
			return (struct state){ N_("pending"), N_(" (blocked)"), C_WARN, false };
		return (struct state){ N_("generated"), "", C_SIG, false };
	}
}

static void on_generate(struct view *v, const struct ipct_event *e)
{
	const struct ipct_sig *s = &e->sig;
	bool kernel = from_kernel(s);
	struct vproc *tgt = proc_find(v, s->target_pid);
	struct vproc *snd = kernel ? NULL : proc_find(v, e->pid);
	struct state st = generate_state(s, e->flags, tgt);
	char name[NAME_LEN] = "", buf[64];
	struct vproc gone = { .pid = v->gone_pid, .lane = v->gone_lane };
	bool orphan = false;
	const char *why;
	struct label l;

	/*
	 * The exit of a process whose parent had gone before it tells the
	 * process that adopted it (init, a subreaper): drawn from where its
	 * lane ended. The command's own exit tells ipctrace, which started
	 * it: the trace's business, not drawn.
	 */
	if (!tgt && !snd && kernel && s->sig == SIGCHLD && (uint32_t)s->sifields[0] == v->gone_pid &&
	    v->gone_pid != v->root_pid) {
		memcpy(gone.name, v->gone_name, sizeof(gone.name));
		snd = &gone;
		orphan = true;
	}
	/* Neither end is drawn: e.g. the kernel telling ipctrace that the command ended. */
	if (!tgt && !snd)
		return;
	if (orphan) {
		/* What it is must stay: the exit of an orphan, told to the process that adopted it. */
		label_init(&l);
		label_sig(v, &l, s->sig);
		label_add(v, &l, C_INFO, _("(orphan)"));
		label_keep(&l);
		label_add(v, &l, st.color, " %s%s", _(st.text), tr(st.detail));
	} else {
		label_state(v, &l, s->sig, &st);
	}
	why = kernel ? kernel_cause(e, buf, sizeof(buf)) : call_name(s->sys_nr, buf, sizeof(buf));
	if (why)
		label_add(v, &l, C_INFO, " · %s", why);
	label_keep(&l);
	/* A shared lane does not say who: the names do. */
	if (snd && snd != tgt && lane_shared(v, snd))
		label_add(v, &l, C_INFO, _(" · from %s"), snd->name);
	if (tgt && snd != tgt && lane_shared(v, tgt))
		label_add(v, &l, C_INFO, _(" · to %s"), tgt->name);

	if (orphan && s->target_pid == 1) {
		snprintf(name, sizeof(name), "init");
	} else if (!tgt) {
		snprintf(name, sizeof(name), "%.*s[%u]", IPCT_COMM_LEN, s->target_comm, s->target_pid);
		if (!orphan)
			label_add(v, &l, C_INFO, _(" (not traced)"));
	} else if (!snd) {
		snprintf(name, sizeof(name), "%.*s[%u]", IPCT_COMM_LEN, e->comm, e->pid);
	}
	draw_link(v, e->ts_ns, snd, tgt, kernel && !snd ? _("kernel") : name, st.lost, st.color, &l);
	v->marks |= st.lost ? M_LOST : M_SENT;
}

static struct state deliver_state(const struct ipct_sig *s)
{
	const char *def;

	if (s->handler > 1)
		return (struct state){ N_("delivered"), "", C_OK, false };
	if (s->handler == 1)
		return (struct state){ N_("delivered"), N_(": ignored (SIG_IGN)"), C_BAD, true };
	def = ipct_sig_default_action(s->sig);
	if (!strcmp(def, "Ign"))
		return (struct state){ N_("delivered"), N_(": ignored by default"), C_INFO, true };
	if (!strcmp(def, "Stop"))
		return (struct state){ N_("delivered"), N_(": stops it"), C_WARN, false };
	if (!strcmp(def, "Cont"))
		return (struct state){ N_("delivered"), N_(": continues it"), C_WARN, false };
	return (struct state){ N_("delivered"), N_(": kills it"), C_BAD, true };
}

static void on_deliver(struct view *v, const struct ipct_event *e)
{
	const struct ipct_sig *s = &e->sig;
	struct state st = deliver_state(s);
	struct vproc *p;
	struct label l;
	char buf[64];
	int x;

	/*
	 * A fatal signal makes the kernel end every thread, and each reports
	 * that as a SIGKILL delivery, whatever the signal was: the exit line
	 * names the real one.
	 */
	if (s->sig == SIGKILL && s->code == SI_KERNEL)
		return;
	p = proc_of(v, e);
	if (!p)
		return;
	label_who(v, &l, p);
	label_sig(v, &l, s->sig);
	label_add(v, &l, st.color, "%s%s", _(st.text), tr(st.detail));
	if (s->handler > 1) {
		const char *fn = v->fmt->syms ? ipct_syms_resolve(v->fmt->syms, e->pid, s->handler) : NULL;

		if (fn)
			label_add(v, &l, C_OK, " → %s()", fn);
		else
			label_add(v, &l, C_OK, _(" → handler 0x%" PRIx64), (uint64_t)s->handler);
	}
	label_keep(&l);
	/* EINTR is the lesson here: the call the signal broke into. */
	if ((s->sys_ret == -EINTR || ipct_errno_is_restart((int)-s->sys_ret)) &&
	    call_name(s->sys_nr, buf, sizeof(buf)))
		label_add(v, &l, C_INFO, _(" · interrupts %s"), buf);
	row_start(v, e->ts_ns);
	x = x_of(v, p);
	put(v, x, G_DELIVER, st.color);
	place_label(v, &l, x, x, 1, 0);
	row_flush(v);
	v->marks |= M_DELIVERED;
}

/*
 * A label too long for one line, from column x on (over the lanes), cut
 * at spaces into as many lines as it takes; mark on lane column mx first.
 */
static void draw_wrapped(struct view *v, struct label *l, int x, int mx, uint32_t mark, enum color c)
{
	int room = v->width - x, at = 0;

	while (at < l->len) {
		int n = l->len - at;
		struct label part;

		if (n > room) {
			n = room;
			while (n > room / 2 && l->c[at + n].cp != ' ')
				n--;
		}
		row_start(v, 0);
		for (int i = x; i < v->width; i++)
			put(v, i, ' ', C_PLAIN);
		if (at == 0 && mx >= 0)
			put(v, mx, mark, c);
		label_init(&part);
		memcpy(part.c, l->c + at, (size_t)n * sizeof(part.c[0]));
		part.len = n;
		put_label(v, at ? x + 2 : x, &part);
		row_flush(v);
		at += n;
		while (at < l->len && l->c[at].cp == ' ')
			at++;
		room = v->width - x - 2;
	}
}

/* ---- pipes, FIFOs, sockets and message queues ---------------------------- */

static struct vobj *obj_find(const struct view *v, uint64_t ino)
{
	for (size_t i = 0; i < v->nobjs; i++)
		if (v->objs[i].ino == ino)
			return &v->objs[i];
	return NULL;
}

/* The object with inode ino, numbered in the order met among those of its kind; NULL on ENOMEM. */
static struct vobj *obj_get(struct view *v, uint64_t ino, int kind)
{
	struct vobj *o = obj_find(v, ino);

	if (o)
		return o;
	if (v->nobjs == v->capobjs) {
		size_t cap = v->capobjs ? 2 * v->capobjs : 16;
		struct vobj *objs = realloc(v->objs, cap * sizeof(*objs));

		if (!objs)
			return NULL;
		v->objs = objs;
		v->capobjs = cap;
	}
	o = &v->objs[v->nobjs++];
	*o = (struct vobj){ .ino = ino, .kind = kind };
	if (kind >= 0 && kind < IPCT_KIND_MAX)
		o->num = ++v->nkind[kind];
	return o;
}

/* "pipe 1", "FIFO 1", "socketpair 2", "queue 1", "msg queue 3" (its id): short, for arrows. */
static void obj_name(const struct vobj *o, char *buf, size_t len)
{
	static const char *const kinds[IPCT_KIND_MAX] = {
		[IPCT_KIND_PIPE] = N_("pipe"), [IPCT_KIND_FIFO] = N_("FIFO"), [IPCT_KIND_SOCKET] = N_("socket"),
		[IPCT_KIND_MQUEUE] = N_("queue"),
	};

	if (o->kind == IPCT_KIND_MSGQ)
		snprintf(buf, len, _("msg queue %u"), (uint32_t)o->ino);
	else if (o->pair)
		snprintf(buf, len, _("socketpair %u"), o->num);
	else
		snprintf(buf, len, "%s %u", o->kind > 0 && o->kind < IPCT_KIND_MAX && kinds[o->kind] ? _(kinds[o->kind])
													 : _("object"), o->num);
}

/* What a descriptor is: "write end of pipe 1", "end b of socketpair 1", "queue /q". */
static void fd_desc(const struct vobj *o, unsigned mode, char *buf, size_t len)
{
	char name[96];

	obj_name(o, name, sizeof(name));
	if ((o->kind == IPCT_KIND_PIPE || o->kind == IPCT_KIND_FIFO) && (mode == 1 || mode == 2))
		snprintf(buf, len, mode == 1 ? _("read end of %s") : _("write end of %s"), name);
	else if (o->pair)
		snprintf(buf, len, _("end %c of %s"), o->pair, name);
	else
		snprintf(buf, len, "%s", name);
}

/* The end a descriptor's flags (f_flags | f_mode << 32) open: 1 read, 2 write, 3 both. */
static unsigned mode_of(uint64_t flags)
{
	return (unsigned)(flags >> 32) & 3;
}

/* A line about p's descriptors: mark on its lane, then the label beside it. */
static void draw_note(struct view *v, struct vproc *p, uint64_t ts, uint32_t mark, enum color c, struct label *l)
{
	int x = x_of(v, p);

	row_start(v, ts);
	put(v, x, mark, c);
	place_label(v, l, x, x, 1, 0);
	row_flush(v);
}

static void __attribute__((format(printf, 5, 6)))
fd_note(struct view *v, const struct ipct_event *e, uint32_t mark, enum color c, const char *fmt, ...)
{
	struct vproc *p = proc_of(v, e);
	struct label l;
	char tmp[256];
	va_list ap;

	if (!p)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	label_who(v, &l, p);
	label_text(v, &l, c, tmp);
	label_keep(&l);
	draw_note(v, p, e->ts_ns, mark, c, &l);
	v->marks |= M_FD;
}

/* The folded transfer, drawn: writer's lane to reader's, or from the object when no writer was seen. */
static void xfer_draw(struct view *v)
{
	struct xfer *t = &v->xfer;
	struct vproc *from = proc_find(v, t->from), *to = proc_find(v, t->to);
	struct vproc gone = { .pid = t->from, .lane = t->from_lane };
	const struct vobj *o = obj_find(v, t->ino);
	char name[96];
	struct label l;

	t->on = false;
	if (!to || !o)
		return;
	/* A writer that has exited since: from where its lane was, while no one else has it. */
	if (!from && t->from && v->lane[t->from_lane].gen == t->from_gen && !v->lane[t->from_lane].nprocs) {
		memcpy(gone.name, t->from_name, sizeof(gone.name));
		from = &gone;
	}
	obj_name(o, name, sizeof(name));
	label_init(&l);
	label_add(v, &l, C_DATA, "%s", name);
	label_keep(&l);
	if (t->msgs)
		label_add(v, &l, C_DATA, ngettext(": %" PRIu64 " message", ": %" PRIu64 " messages",
						  (unsigned long)t->calls), t->calls);
	else if (t->calls > 1)
		label_add(v, &l, C_DATA, ngettext(": %" PRIu64 " write", ": %" PRIu64 " writes", (unsigned long)t->calls),
			  t->calls);
	label_add(v, &l, C_DATA, "%s", t->msgs || t->calls > 1 ? ", " : ": ");
	label_add(v, &l, C_DATA, ngettext("%" PRIu64 " byte", "%" PRIu64 " bytes", (unsigned long)t->bytes), t->bytes);
	label_must(&l);
	if (t->waited >= BLOCKED_NS) {
		char w[32];

		fmt_dur(w, sizeof(w), "", t->waited);
		label_add(v, &l, C_WARN, _(" · reader blocked %s"), w);
	}
	if (from && from != to && lane_shared(v, from))
		label_add(v, &l, C_INFO, _(" · from %s"), from->name);
	if (to != from && lane_shared(v, to))
		label_add(v, &l, C_INFO, _(" · to %s"), to->name);
	draw_link(v, t->ts, from, to, t->from ? t->from_name : name, false, C_DATA, &l);
	v->marks |= M_DATA;
}

/*
 * Bytes that reader took out of o (the reader is known only when it
 * reads): an arrow from the last process that wrote into o. Small ones in
 * a row between the same two make one arrow, drawn when something else is.
 */
static void xfer_add(struct view *v, struct vobj *o, const struct ipct_event *e, uint64_t bytes, uint64_t calls,
		     bool msgs)
{
	struct xfer *t = &v->xfer;
	uint32_t to = e->pid;
	uint64_t waited = e->sys.dur_ns;

	if (!proc_of(v, e))
		return;
	if (t->on && t->ino == o->ino && t->from == o->w.pid && t->to == to && t->msgs == msgs &&
	    bytes <= FOLD_BYTES && t->last <= FOLD_BYTES) {
		t->calls += calls;
		t->bytes += bytes;
		t->last = bytes;
		t->waited = t->waited > waited ? t->waited : waited;
		return;
	}
	if (t->on)
		xfer_draw(v);
	*t = (struct xfer){ .on = true, .ino = o->ino, .from = o->w.pid, .to = to, .calls = calls,
			    .bytes = bytes, .last = bytes, .ts = e->ts_ns, .waited = waited, .msgs = msgs,
			    .from_lane = o->w.lane, .from_gen = o->w.gen };
	memcpy(t->from_name, o->w.name, sizeof(t->from_name));
}

/*
 * Where what is written into o arrives: a connected socket's other end,
 * else o itself. A socket whose other end is not known yet keeps its own
 * writes until it is (obj_link), where they belong.
 */
static struct vobj *obj_dest(struct view *v, struct vobj *o)
{
	struct vobj *d = o->peer ? obj_get(v, o->peer, o->kind) : NULL;

	return d ? d : o;
}

/* Sockets a and b are the two ends of one connection: what each kept of its own writes goes to the other. */
static void obj_link(struct vobj *a, struct vobj *b)
{
	/* Until now, each end without a known peer kept its own writes: they are the other's to read. */
	struct vwriter to_b = a->peer ? b->w : a->w, to_a = b->peer ? a->w : b->w;

	if (a->peer == b->ino && b->peer == a->ino)
		return;
	a->w = to_a;
	b->w = to_b;
	a->peer = b->ino;
	b->peer = a->ino;
}

/*
 * A write (send) of e's process put something into o (bytes of a stream,
 * 0 for a message): the arrow that the read draws starts from it.
 */
static void obj_written(struct view *v, struct vobj *o, const struct ipct_event *e, uint64_t bytes)
{
	struct vproc *p = proc_of(v, e);
	uint64_t taken = bytes < o->w.ahead ? bytes : o->w.ahead;

	/* A read recorded before this write's record (its return woke the reader first) counted it already. */
	if (o->w.guessed)
		o->w.guessed--;
	else
		o->w.writes++;
	/* Of its bytes, such a read took some: the rest waits for a read. */
	o->w.ahead -= taken;
	o->w.unread += bytes - taken;
	o->w.pid = e->pid;
	if (!p)
		return;
	memcpy(o->w.name, p->name, sizeof(o->w.name));
	o->w.lane = p->lane;
	o->w.gen = v->lane[p->lane].gen;
}

/*
 * Bytes (or a message) that e's process read from o: an arrow from o's
 * last writer. A message is one, whatever was sent meanwhile; bytes count
 * the writes recorded since the last read, and one more whose record is
 * yet to come when they are more than those writes left unread. A read of
 * what is left of a write already counted counts none.
 */
static void obj_read(struct view *v, struct vobj *o, const struct ipct_event *e, uint64_t bytes, bool msgs)
{
	uint64_t calls = 1;

	if (!msgs) {
		calls = o->w.writes;
		if (bytes > o->w.unread) {
			o->w.ahead += bytes - o->w.unread;
			o->w.unread = 0;
			o->w.guessed++;
			calls++;
		} else {
			o->w.unread -= bytes;
		}
	}
	o->w.writes = 0;
	xfer_add(v, o, e, bytes, calls, msgs);
}

static void on_io(struct view *v, const struct ipct_event *e, const struct ipct_syscall *sc)
{
	const struct ipct_sys *s = &e->sys;
	struct vobj *o = obj_get(v, s->x[0], e->kind[0]);
	bool msgs = sc->io == IPCT_IO_READ_MSGS || sc->io == IPCT_IO_WRITE_MSGS;
	bool write;
	char name[96];

	if (!o)
		return;
	write = sc->io == IPCT_IO_BY_END ? (mode_of(s->x[1]) & 2) != 0
					 : sc->io == IPCT_IO_WRITE || sc->io == IPCT_IO_WRITE_MSGS;
	obj_name(o, name, sizeof(name));
	if (write && s->ret > 0)
		obj_written(v, obj_dest(v, o), e, msgs ? 0 : (uint64_t)s->ret);
	else if (write && s->ret == -EPIPE)
		fd_note(v, e, G_LOST, C_BAD, _("%s(%d) on %s: EPIPE, no reader"), sc->name, (int)s->args[0], name);
	else if (!write && s->ret > 0)
		obj_read(v, o, e, msgs ? 0 : (uint64_t)s->ret, msgs);
	else if (!write && s->ret == 0 && !msgs)
		fd_note(v, e, G_EOF, C_WARN, _("EOF: %s(%d) on %s returned 0"), sc->name, (int)s->args[0], name);
}

/* mq_timedsend/receive, msgsnd/msgrcv: one message from sender to receiver. */
static void on_queue_io(struct view *v, const struct ipct_event *e, bool send)
{
	const struct ipct_sys *s = &e->sys;
	uint64_t key = s->x[0];
	struct vobj *o;

	/*
	 * A System V queue often carries both ways, told apart by the
	 * message's type: who sent a message is followed per type (the
	 * upper half of the key; the name is the lower one's id).
	 */
	if (e->kind[0] == IPCT_KIND_MSGQ && (e->flags & IPCT_F_NEW_VALID))
		key ^= (s->x[3] & 0x7fffffff) << 32;
	o = obj_get(v, key, e->kind[0]);

	if (!o || s->ret < 0)
		return;
	if (send) {
		obj_written(v, o, e, 0);
		return;
	}
	obj_read(v, o, e, (uint64_t)s->ret, true);
}

/* A FIFO's or queue's open, drawn once the OBJINFO record after it has given its name. */
static void on_objinfo(struct view *v, const struct ipct_event *e)
{
	const struct ipct_objinfo *oi = &e->obj;
	/* A socket's record names no kind: FIFOs' and queues' do. */
	int kind = e->kind[0] ? e->kind[0] : IPCT_KIND_SOCKET;
	struct vobj *o, *peer;
	char d[128];

	if (!oi->ino || !IPCT_KIND_IS_CHANNEL(kind))
		return;
	o = obj_get(v, oi->ino, kind);
	if (!o)
		return;
	if (!o->path[0] && oi->path_len && oi->path[0] && (kind == IPCT_KIND_FIFO || kind == IPCT_KIND_MQUEUE))
		snprintf(o->path, sizeof(o->path), "%.*s", oi->path_len < sizeof(oi->path) ? oi->path_len
											 : (int)sizeof(oi->path), oi->path);
	/* The other end: AF_UNIX says it; on loopback, the socket with the ports swapped is it. */
	if (oi->peer_ino && (peer = obj_get(v, oi->peer_ino, IPCT_KIND_SOCKET))) {
		o = obj_find(v, oi->ino);       /* the peer's arrival may have moved the table */
		obj_link(o, peer);
	} else if ((oi->family == AF_INET || oi->family == AF_INET6) && oi->lport && oi->rport) {
		o->lport = oi->lport;
		o->rport = oi->rport;
		for (size_t i = 0; i < v->nobjs; i++)
			if (v->objs[i].lport == o->rport && v->objs[i].rport == o->lport && &v->objs[i] != o)
				obj_link(o, &v->objs[i]);
	}
	/* Its path or name once, here; the arrows go by the short name. */
	if (v->opened.pid == e->pid && v->opened.ino == oi->ino) {
		fd_desc(o, v->opened.mode, d, sizeof(d));
		fd_note(v, e, G_OBJ, C_BOLD, "%s: %d = %s (%s%s)", v->opened.call, oi->fd, d,
			kind == IPCT_KIND_MQUEUE ? "/" : "", o->path);
	}
	v->opened.pid = 0;
}

static void on_pair(struct view *v, const struct ipct_event *e, bool pipe)
{
	const struct ipct_sys *s = &e->sys;
	int fd0 = (int)(uint32_t)s->x[0], fd1 = (int)(s->x[0] >> 32);
	struct vobj *a = obj_get(v, s->x[1], e->kind[0]), *b;
	char name[96];

	if (!a)
		return;
	if (pipe) {
		obj_name(a, name, sizeof(name));
		fd_note(v, e, G_OBJ, C_BOLD, _("%s: %d = read end, %d = write end"), name, fd0, fd1);
		return;
	}
	b = obj_get(v, s->x[2], e->kind[1]);
	if (!b)
		return;
	a = obj_find(v, s->x[1]);       /* b's arrival may have moved the table */
	/* One number for the pair: the second socket takes the first's. */
	if (b->num == v->nkind[IPCT_KIND_SOCKET] && b->num == a->num + 1)
		v->nkind[IPCT_KIND_SOCKET]--;
	b->num = a->num;
	a->pair = 'a';
	b->pair = 'b';
	obj_link(a, b);
	obj_name(a, name, sizeof(name));
	fd_note(v, e, G_OBJ, C_BOLD, _("%s: %d = end a, %d = end b"), name, fd0, fd1);
}

static void on_channel_call(struct view *v, const struct ipct_event *e)
{
	const struct ipct_syscall *sc = ipct_syscall_by_nr(e->nr);
	const struct ipct_sys *s = &e->sys;
	struct vobj *o;
	char d[128];
	int to;

	if (!sc)
		return;
	switch (sc->cls) {
	case IPCT_SC_PIPE:
	case IPCT_SC_SOCKETPAIR:
		if (s->ret == 0)
			on_pair(v, e, sc->cls == IPCT_SC_PIPE);
		return;
	case IPCT_SC_OPEN:
	case IPCT_SC_OPENAT:
	case IPCT_SC_MQ_OPEN:
		if (s->ret >= 0 && (e->kind[0] == IPCT_KIND_FIFO || e->kind[0] == IPCT_KIND_MQUEUE))
			v->opened = (struct opened){ e->pid, s->x[0], mode_of(s->x[1]), sc->name };
		return;
	case IPCT_SC_DUP2:
	case IPCT_SC_FD:
		to = sc->cls == IPCT_SC_DUP2 ? (int)s->args[1] : (int)s->ret;
		if (s->ret < 0 || !IPCT_KIND_IS_CHANNEL(e->kind[0]) ||
		    (sc->cls == IPCT_SC_FD && strcmp(sc->name, "dup") &&
		     (strcmp(sc->name, "fcntl") || (s->args[1] != F_DUPFD && s->args[1] != F_DUPFD_CLOEXEC))))
			break;
		o = obj_get(v, s->x[0], e->kind[0]);
		if (!o)
			return;
		fd_desc(o, mode_of(s->x[1]), d, sizeof(d));
		fd_note(v, e, G_OBJ, C_BOLD, "%s(%d, %d): %d = %s", sc->name, (int)s->args[0], to, to, d);
		return;
	case IPCT_SC_CLOSE:
		if (s->ret != 0 || !IPCT_KIND_IS_CHANNEL(e->kind[0]))
			return;
		o = obj_get(v, s->x[0], e->kind[0]);
		if (!o)
			return;
		fd_desc(o, mode_of(s->x[1]), d, sizeof(d));
		fd_note(v, e, G_CLOSE, C_PLAIN, _("close(%d): the %s"), (int)s->args[0], d);
		return;
	case IPCT_SC_MQ_SEND:
	case IPCT_SC_MQ_RECV:
	case IPCT_SC_MSGSND:
	case IPCT_SC_MSGRCV:
		on_queue_io(v, e, sc->cls == IPCT_SC_MQ_SEND || sc->cls == IPCT_SC_MSGSND);
		return;
	}
	if (sc->io != IPCT_IO_NONE && IPCT_KIND_IS_CHANNEL(e->kind[0]) && e->kind[0] != IPCT_KIND_MQUEUE)
		on_io(v, e, sc);
}

/* ---- state lines ---------------------------------------------------------- */

struct held {
	int fd;
	unsigned mode;
	uint64_t ino, made_ns;
	int kind;
};

struct held_list {
	struct held h[MAX_HELD];
	int n;
};

static void held_one(int fd, const struct ipct_graph_obj *obj, unsigned mode, uint64_t made_ns, void *ctx)
{
	struct held_list *hl = ctx;

	if (hl->n < MAX_HELD && IPCT_KIND_IS_CHANNEL(obj->kind))
		hl->h[hl->n++] = (struct held){ fd, mode, obj->ino, made_ns, obj->kind };
}

static int held_cmp(const void *a, const void *b)
{
	return ((const struct held *)a)->fd - ((const struct held *)b)->fd;
}

/*
 * "wc[123]: 0 = read end of pipe 1": the pipes, FIFOs, sockets and queues
 * p holds, by descriptor. One above 2 that came through its last exec is
 * leaked: the new program never asked for it (and a write end held so
 * keeps the reader from its EOF). Nothing drawn when empty unless asked.
 */
static void draw_state(struct view *v, struct vproc *p, bool asked)
{
	struct held_list hl = { .n = 0 };
	struct label l;
	char d[128];

	ipct_graph_proc_fds(v->graph, p->pid, held_one, &hl);
	if (!hl.n && !asked)
		return;
	qsort(hl.h, (size_t)hl.n, sizeof(hl.h[0]), held_cmp);
	label_init(&l);
	label_add(v, &l, C_INFO, "%s:", p->name);
	label_keep(&l);
	if (!hl.n)
		label_add(v, &l, C_INFO, _(" no pipe, socket or queue"));
	for (int i = 0; i < hl.n; i++) {
		struct vobj *o = obj_get(v, hl.h[i].ino, hl.h[i].kind);
		bool leaked = hl.h[i].fd > 2 && p->exec_ns && hl.h[i].made_ns < p->exec_ns &&
			      (hl.h[i].kind == IPCT_KIND_PIPE || hl.h[i].kind == IPCT_KIND_FIFO);

		if (!o)
			return;
		fd_desc(o, hl.h[i].mode, d, sizeof(d));
		label_add(v, &l, C_INFO, "%s %d = %s", i ? "," : "", hl.h[i].fd, d);
		if (leaked)
			label_add(v, &l, C_BAD, _(" (leaked)"));
	}
	/* Beside its lane when it fits there, else from the gutter on, over the lanes: one line if it can. */
	draw_wrapped(v, &l, l.len <= v->width - x_of(v, p) - 2 ? x_of(v, p) + 2 : GUTTER, x_of(v, p), G_STATE, C_INFO);
}

/* The 's' key of a replay: every live process's state line. */
void view_state(struct view *v)
{
	if (!v || v->broken)
		return;
	for (size_t i = 0; i < v->nprocs; i++)
		draw_state(v, v->procs[i], true);
}

/*
 * text with each "pipe:[N]" and "socket:[N]" the view has a name for
 * renamed to it ("pipe 1"), as the lanes call them; malloc'd, NULL on ENOMEM.
 */
static char *rename_objects(const struct view *v, const char *text)
{
	char *out = strdup(text);

	for (size_t i = 0; out && i < v->nobjs; i++) {
		char kname[64], vname[96], *at;

		ipct_object_name(v->objs[i].kind, v->objs[i].ino, kname, sizeof(kname));
		obj_name(&v->objs[i], vname, sizeof(vname));
		while (out && (at = strstr(out, kname))) {
			char *n;

			if (asprintf(&n, "%.*s%s%s", (int)(at - out), out, vname, at + strlen(kname)) < 0)
				n = NULL;
			free(out);
			out = n;
		}
	}
	return out;
}

/* A diagnosis (docs/diagnoses.md): its message, in full, over as many lines as it takes. */
void view_diag(struct view *v, struct json_object *d)
{
	char text[4096], *msg;
	const char *m = ipct_said(d, "message", text, sizeof(text)), *s;
	int room = v ? v->width - GUTTER - 3 : 0;

	if (!v || v->broken || !m)
		return;
	msg = rename_objects(v, m);
	s = msg ? msg : m;
	for (bool first = true; *s; first = false) {
		int n = (int)strlen(s);
		struct label l;

		if (n > room) {
			n = room;
			while (n > room / 2 && s[n] != ' ')
				n--;
		}
		label_init(&l);
		label_add(v, &l, C_BAD, "%s %.*s", first ? "!!" : "  ", n, s);
		row_start(v, 0);
		put_label(v, GUTTER, &l);
		row_flush(v);
		s += n;
		while (*s == ' ')
			s++;
	}
	free(msg);
}

/* rt_sigaction: only SIG_IGN is remembered, to tell "ignored" from "ignored by default". */
static void on_sigaction(struct view *v, const struct ipct_event *e)
{
	int sig = (int)e->sys.args[0];
	struct vproc *p;

	if (e->sys.ret || !(e->flags & IPCT_F_NEW_VALID) || !sig_bit(sig))
		return;
	p = proc_find(v, e->pid);
	if (!p)
		return;
	if (e->sys.x[0] == (uint64_t)(uintptr_t)SIG_IGN)
		p->ignored |= sig_bit(sig);
	else
		p->ignored &= ~sig_bit(sig);
}

static void on_fork(struct view *v, const struct ipct_event *e)
{
	struct vproc *parent = proc_of(v, e), *child;

	if (!parent || proc_find(v, e->proc.child_pid))
		return;
	child = proc_add(v, e->proc.child_pid, e->comm);
	if (!child)
		return;
	child->ignored = parent->ignored;
	child->exec_ns = parent->exec_ns;
	draw_header(v, child, e, parent);
	/* What fork copied: the same ends, now held twice. */
	draw_state(v, child, false);
}

static void on_exec(struct view *v, const struct ipct_event *e)
{
	struct vproc *p = proc_of(v, e);

	if (!p)
		return;
	set_comm(p, e->comm);
	if (p->pid == v->root_pid)
		snprintf(v->root, sizeof(v->root), "%s", p->comm);
	p->exec_ns = e->ts_ns;
	draw_header(v, p, e, NULL);
	if (v->state_lines)
		draw_state(v, p, false);
}

static void on_exit_event(struct view *v, const struct ipct_event *e)
{
	struct vproc *p = proc_find(v, e->pid);
	int status = e->proc.exit_code, x;
	bool killed = WIFSIGNALED(status);
	char text[64];
	struct label l;

	if (!p)
		return;
	x = x_of(v, p);
	/* The wait status names the signal that killed it, never the kernel's SIGKILL stand-in. */
	ipct_wait_status_text(status, text, sizeof(text));
	label_who(v, &l, p);
	label_add(v, &l, killed ? C_BAD : C_BOLD, "%s", text);
	label_keep(&l);
	row_start(v, e->ts_ns);
	put(v, x, killed ? G_LOST : G_END, killed ? C_BAD : C_BOLD);
	place_label(v, &l, x, x, 1, 0);
	row_flush(v);
	v->marks |= killed ? M_LOST : M_EXIT;
	v->gone_pid = p->pid;
	v->gone_x = x;
	v->gone_lane = p->lane;
	memcpy(v->gone_name, p->name, sizeof(v->gone_name));
	proc_remove(v, p);
}

void view_event(struct view *v, const struct ipct_event *e)
{
	struct ipct_evctx cx = ipct_evctx(e);

	if (!v)
		return;
	/* First, so that a line drawn for this event sees the tables as they are after it. */
	ipct_graph_event(v->graph, &cx);
	if (v->broken)
		return;
	switch (e->type) {
	case IPCT_EV_SYSCALL:
		if (e->nr == SYS_rt_sigaction)
			on_sigaction(v, e);
		else
			on_channel_call(v, e);
		break;
	case IPCT_EV_OBJINFO:
		on_objinfo(v, e);
		break;
	case IPCT_EV_SIGNAL_GENERATE:
		on_generate(v, e);
		break;
	case IPCT_EV_SIGNAL_DELIVER:
		on_deliver(v, e);
		break;
	case IPCT_EV_FORK:
		on_fork(v, e);
		break;
	case IPCT_EV_EXEC:
		on_exec(v, e);
		break;
	case IPCT_EV_EXIT:
		on_exit_event(v, e);
		break;
	}
}

/* ---- records ------------------------------------------------------------- */

static const char *never_why(const struct ipct_sigrec *r)
{
	if (r->outcome == IPCT_OUTCOME_DISCARDED)
		return r->discard_nr != IPCT_NR_NONE ? _("its action became ignore")
		       : r->sig == SIGCONT ? _("a stop signal came") : _("SIGCONT came");
	if (r->flags & IPCT_SR_TRACE_END)
		return _("pending when tracing stopped");
	return r->flags & IPCT_SR_BLOCKED ? _("still blocked at exit") : _("still pending at exit");
}

/* A record's verdict on its target's lane: ○ handled, ● accepted, × never delivered or discarded. */
static void draw_verdict(struct view *v, const struct ipct_sigrec *r)
{
	struct vproc *p = proc_find(v, r->target_pid);
	bool discarded = r->outcome == IPCT_OUTCOME_DISCARDED;
	bool never = r->outcome == IPCT_OUTCOME_NEVER_DELIVERED || discarded;
	bool handled = r->outcome == IPCT_OUTCOME_HANDLED;
	uint64_t ts = handled ? r->returned_ns : r->delivered_ns, waited = 0;
	struct label l;
	char t[32];
	int x;

	/* The process may have just exited: its lane's column is still where its story ends. */
	if (!p && r->target_pid != v->gone_pid)
		return;
	x = p ? x_of(v, p) : v->gone_x;
	label_who(v, &l, p);
	label_sig(v, &l, r->sig);
	if (never)
		label_add(v, &l, discarded ? C_WARN : C_BAD, "%s · %s", discarded ? _("discarded") : _("never delivered"),
			  never_why(r));
	else
		label_add(v, &l, C_OK, "%s", handled ? _("handled")
				       : r->action == IPCT_ACT_SIGNALFD ? _("accepted by a signalfd read")
									  : _("accepted by sigwait"));
	label_keep(&l);
	/* Worth a word when it had to wait: blocked, or for a millisecond or more. */
	if (!never && r->generated_ns && r->delivered_ns > r->generated_ns)
		waited = r->delivered_ns - r->generated_ns;
	if (((r->flags & IPCT_SR_BLOCKED) && waited) || waited >= 1000000) {
		fmt_dur(t, sizeof(t), _("pending "), waited);
		label_add(v, &l, C_INFO, _(" · was %s"), t);
		label_keep(&l);
	}
	if (handled && r->handler_name[0])
		label_add(v, &l, C_INFO, _(" · %.*s() returned"), IPCT_HANDLER_NAME_LEN, r->handler_name);
	row_start(v, discarded ? r->discarded_ns : never ? 0 : ts);
	put(v, x, never ? G_LOST : handled ? G_RETURN : G_DELIVER, discarded ? C_WARN : never ? C_BAD : C_OK);
	place_label(v, &l, x, x, 1, 0);
	row_flush(v);
	v->marks |= never ? M_LOST : handled ? M_RETURNED : M_DELIVERED;
}

void view_record(struct view *v, const struct ipct_sigrec *r)
{
	if (!v || r->outcome >= IPCT_OUTCOME_MAX)
		return;
	v->records++;
	/* A SIGCHLD to whoever adopted an orphan is not a signal sent away: it is the orphan's story. */
	if (r->outcome == IPCT_OUTCOME_UNOBSERVED && r->flags & IPCT_SR_ADOPTED)
		v->adopted++;
	else
		v->outcome[r->outcome]++;
	if (v->broken)
		return;
	/* A handler that never returned (exit, longjmp, death) has no line of its own. */
	if ((r->outcome == IPCT_OUTCOME_HANDLED && r->flags & IPCT_SR_RETURNED) ||
	    r->outcome == IPCT_OUTCOME_ACCEPTED || r->outcome == IPCT_OUTCOME_NEVER_DELIVERED ||
	    r->outcome == IPCT_OUTCOME_DISCARDED)
		draw_verdict(v, r);
}

/* ---- the end ------------------------------------------------------------- */

/*
 * A line of the summary (the tally, the legend): on a terminal, wrapped at
 * its width where an item starts (brk[]), the rest indented by two; on
 * anything else whole, as wide as a line goes (MAX_WIDTH), since a file or
 * a pipe has no width to fit.
 */
static void put_wrapped(struct view *v, const struct label *l, const int *brk, int nbrk)
{
	int width = v->tty ? v->width : MAX_WIDTH, start = 0, indent = 0;

	while (start < l->len) {
		int end = l->len;

		if (end - start + indent > width) {
			end = start;
			for (int i = 0; i < nbrk; i++)
				if (brk[i] > start && brk[i] - start + indent <= width)
					end = brk[i];
			/* An item wider than the line alone: cut it there. */
			if (end == start)
				end = start + width - indent;
		}
		for (int x = 0; x < MAX_WIDTH; x++)
			v->row[x] = (struct cell){ ' ', C_PLAIN };
		for (int i = start; i < end; i++)
			v->row[indent + i - start] = l->c[i];
		row_flush_n(v, width);
		start = end;
		while (start < l->len && l->c[start].cp == ' ')
			start++;
		indent = 2;
	}
}

static void draw_tally(struct view *v)
{
	static const struct {
		const char *text;
		enum color color;
	} names[IPCT_OUTCOME_MAX] = {
		[IPCT_OUTCOME_HANDLED] = { N_("handled"), C_OK },
		[IPCT_OUTCOME_TERMINATED] = { N_("killed the process"), C_BAD },
		[IPCT_OUTCOME_CORE] = { N_("killed the process (core)"), C_BAD },
		[IPCT_OUTCOME_STOPPED] = { N_("stopped it"), C_WARN },
		[IPCT_OUTCOME_CONTINUED] = { N_("continued it"), C_WARN },
		[IPCT_OUTCOME_IGNORED] = { N_("ignored"), C_INFO },
		[IPCT_OUTCOME_MERGED] = { N_("merged (lost)"), C_BAD },
		[IPCT_OUTCOME_NEVER_DELIVERED] = { N_("never delivered"), C_BAD },
		[IPCT_OUTCOME_ACCEPTED] = { N_("accepted (sigwait, signalfd)"), C_OK },
		[IPCT_OUTCOME_DROPPED] = { N_("dropped (queue full)"), C_BAD },
		[IPCT_OUTCOME_UNOBSERVED] = { N_("sent outside the trace"), C_INFO },
		[IPCT_OUTCOME_DISCARDED] = { N_("discarded"), C_WARN },
	};
	const char *sep = ": ";
	int brk[IPCT_OUTCOME_MAX + 1], nbrk = 0;
	struct label l;

	label_init(&l);
	label_add(v, &l, C_BOLD, ngettext(" %u signal", " %u signals", v->records), v->records);
	for (int i = 0; i < IPCT_OUTCOME_MAX; i++) {
		if (!v->outcome[i] || !names[i].text)
			continue;
		label_add(v, &l, C_PLAIN, "%s", sep);
		brk[nbrk++] = l.len;
		label_add(v, &l, names[i].color, "%u %s", v->outcome[i], _(names[i].text));
		sep = ", ";
	}
	if (v->adopted) {
		label_add(v, &l, C_PLAIN, "%s", sep);
		brk[nbrk++] = l.len;
		label_add(v, &l, C_INFO, _("%u to an orphan's adopter"), v->adopted);
	}
	put_wrapped(v, &l, brk, nbrk);
}

static void draw_legend(struct view *v)
{
	static const struct {
		unsigned mark;
		uint32_t glyph;
		enum color color;
		const char *text;
	} items[] = {
		{ M_SENT, G_HEAD_R, C_SIG, N_("generated") },
		{ M_DELIVERED, G_DELIVER, C_OK, N_("delivered") },
		{ M_RETURNED, G_RETURN, C_OK, N_("handled") },
		{ M_LOST, G_LOST, C_BAD, N_("lost, ignored, killed") },
		{ M_EXIT, G_END, C_BOLD, N_("exited") },
		{ M_FD, G_OBJ, C_BOLD, N_("descriptors") },
		{ M_DATA, G_HEAD_R, C_DATA, N_("bytes") },
	};
	int brk[sizeof(items) / sizeof(items[0])], nbrk = 0;
	struct label l;

	label_init(&l);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (!(v->marks & items[i].mark))
			continue;
		label_add(v, &l, C_PLAIN, " ");
		brk[nbrk++] = l.len;
		label_push(&l, glyph(v, items[i].glyph), items[i].color);
		label_add(v, &l, C_PLAIN, " %s ", _(items[i].text));
	}
	put_wrapped(v, &l, brk, nbrk);
}

void view_end(struct view *v, int status)
{
	char text[64];
	struct label l;

	if (!v || v->broken)
		return;
	if (v->xfer.on)
		xfer_draw(v);
	for (int x = 0; x < v->width; x++)
		v->row[x] = (struct cell){ glyph(v, G_HLINE), C_PLAIN };
	row_flush(v);
	label_init(&l);
	label_add(v, &l, C_BOLD, " %s ", v->root[0] ? v->root : _("the command"));
	if (status < 0) {
		label_add(v, &l, C_BOLD, _("had not exited where the log ends"));
	} else {
		ipct_wait_status_text(status, text, sizeof(text));
		label_add(v, &l, WIFSIGNALED(status) ? C_BAD : C_BOLD, "%s", text);
	}
	row_start(v, 0);
	label_cut(v, &l, v->width);
	put_label(v, 0, &l);
	row_flush(v);
	if (v->records)
		draw_tally(v);
	if (v->marks)
		draw_legend(v);
}

/* ---- setup --------------------------------------------------------------- */

/* As the C library would decide after setlocale(LC_CTYPE, ""), which this program does not call. */
static bool locale_utf8(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *s = getenv(vars[i]);

		if (s && *s)
			return strcasestr(s, "UTF-8") || strcasestr(s, "utf8");
	}
	return false;
}

static void diag_drawn(uint32_t session, struct json_object *diag, void *data)
{
	(void)session;
	view_diag(data, diag);
}

struct view *view_new(int fd, const struct ipct_fmt *fmt, unsigned flags)
{
	struct view *v = calloc(1, sizeof(*v));
	struct winsize ws;

	if (!v)
		return NULL;
	v->graph = ipct_graph_new(0, flags & VIEW_OWN_DIAGNOSES ? diag_drawn : NULL, v);
	if (!v->graph) {
		free(v);
		return NULL;
	}
	v->state_lines = flags & VIEW_STATE_LINES;
	v->fd = fd;
	v->fmt = fmt;
	v->utf8 = locale_utf8();
	v->tty = ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col;
	v->width = v->tty ? ws.ws_col : 80;
	if (v->width < MIN_WIDTH)
		v->width = MIN_WIDTH;
	if (v->width > MAX_WIDTH)
		v->width = MAX_WIDTH;
	v->nlanes = (v->width - GUTTER) / LANE_MIN;
	/* Spare columns go to the right, where labels have the most to say. */
	for (int i = 0; i < v->nlanes; i++)
		v->lane[i].x = GUTTER + LANE_MIN / 2 + i * LANE_MIN;
	return v;
}

void view_free(struct view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nprocs; i++)
		free(v->procs[i]);
	free(v->procs);
	free(v->objs);
	ipct_graph_free(v->graph);
	free(v);
}

uint64_t view_lines(const struct view *v)
{
	return v ? v->lines : 0;
}
