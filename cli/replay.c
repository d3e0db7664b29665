// SPDX-License-Identifier: MIT
/*
 * ipctrace log --view: a logged session replayed through the view.
 *
 * The log's answer is kept whole before anything is drawn, so that a step
 * back can draw again from the start: the view only ever appends lines,
 * and a screen back is the drawing up to an earlier event, redrawn on a
 * cleared screen. Keys are read from stdin with the terminal out of line
 * mode (no Enter needed, not echoed) and put back as they were however
 * the replay ends. On a terminal the title says which event is drawn
 * (tmux shows it as the pane's title): where in the session the class is.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "replay.h"
#include "view.h"

/* A gap longer than this between two events is played as this long (before the slowing). */
#define MAX_GAP_NS 1000000000ull

struct replay {
	struct replay_opts o;
	struct ipct_event *ev;
	size_t n, cap;
	uint64_t *lines_at;     /* the view's line count after each event */
};

static struct termios saved;
static bool raw;

int replay_option(struct replay_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case 'V':
		o->view = true;
		return 1;
	case 'T':
		o->step = o->view = true;
		return 1;
	case 'F':
		o->speed = strtod(arg, &end);
		if (*end || end == arg || !(o->speed > 0) || o->speed > 1000) {
			fprintf(stderr, _("ipctrace log: --speed takes a factor above 0 and at most 1000 (0.1: ten "
				"times slower than it ran), not '%s'\n"), arg);
			return -1;
		}
		o->view = true;
		return 1;
	}
	return 0;
}

struct replay *replay_new(const struct replay_opts *o)
{
	struct replay *r = calloc(1, sizeof(*r));

	if (r)
		r->o = *o;
	return r;
}

int replay_add(struct replay *r, const struct ipct_event *e)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct ipct_event *ev = realloc(r->ev, cap * sizeof(*ev));

		if (!ev)
			return -ENOMEM;
		r->ev = ev;
		r->cap = cap;
	}
	r->ev[r->n++] = *e;
	return 0;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	free(r->ev);
	free(r->lines_at);
	free(r);
}

/* ---- the terminal ---------------------------------------------------------- */

static void restore(void)
{
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	raw = false;
}

/* Ctrl-C (still a signal: ISIG stays on) must not leave the terminal without echo. */
static void on_stop(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void keys_open(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return;
	t = saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return;
	raw = true;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_stop);
}

/* The next key within timeout_ms (-1: however long): the key, 0 none in time, -1 stdin is done. */
static int key(int timeout_ms)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned char c;
	int k = poll(&p, 1, timeout_ms);

	if (k == 0)
		return 0;
	if (k < 0)
		return errno == EINTR ? 0 : -1;
	k = (int)read(STDIN_FILENO, &c, 1);
	if (k < 0 && errno == EINTR)
		return 0;
	return k == 1 ? c : -1;
}

static int rows(void)
{
	struct winsize ws;

	return ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 1 ? ws.ws_row : 24;
}

/* Where the replay is, in the terminal's title (ESC ] 2 ; ... BEL): out of the drawing's way. */
static void title(size_t at, size_t n)
{
	char text[128], buf[160];
	int len;

	if (!isatty(STDOUT_FILENO))
		return;
	snprintf(text, sizeof(text), _("ipctrace replay: event %zu of %zu"), at, n);
	len = snprintf(buf, sizeof(buf), "\033]2;%s\007", text);
	if (len >= (int)sizeof(buf) || write(STDOUT_FILENO, buf, (size_t)len) < 0)
		return;
}

/* ---- playing --------------------------------------------------------------- */

/* The drawing as it was after event `upto` (exclusive), on a cleared screen: a fresh view fed from the start. */
static struct view *redraw(struct replay *r, struct view *v, const struct ipct_fmt *fmt, size_t upto)
{
	static const char clear[] = "\033[H\033[2J";

	view_free(v);
	if (isatty(STDOUT_FILENO) && write(STDOUT_FILENO, clear, sizeof(clear) - 1) < 0)
		return NULL;
	v = view_new(STDOUT_FILENO, fmt, VIEW_OWN_DIAGNOSES);
	for (size_t i = 0; v && i < upto; i++)
		view_event(v, &r->ev[i]);
	return v;
}

/* The event after which the drawing was a screen shorter than it is after event at - 1; 0 for the start. */
static size_t screen_back(const struct replay *r, size_t at)
{
	uint64_t now = at ? r->lines_at[at - 1] : 0, want;
	size_t i = at ? at - 1 : 0;

	want = now > (uint64_t)rows() - 1 ? now - ((uint64_t)rows() - 1) : 0;
	while (i > 0 && r->lines_at[i - 1] > want)
		i--;
	return i;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* The wait before event i, slowed: keys meanwhile, q ends it. False when q came. */
static bool pace(struct replay *r, size_t i, bool *keys)
{
	uint64_t gap = i && r->ev[i].ts_ns > r->ev[i - 1].ts_ns ? r->ev[i].ts_ns - r->ev[i - 1].ts_ns : 0;
	uint64_t end = monotonic_ns() + (uint64_t)((double)(gap < MAX_GAP_NS ? gap : MAX_GAP_NS) / r->o.speed);

	for (uint64_t now = monotonic_ns(); now < end; now = monotonic_ns()) {
		/* Whole milliseconds, rounded up: poll's unit. */
		int ms = (int)((end - now + 999999) / 1000000);

		if (!*keys) {
			poll(NULL, 0, ms);
			continue;
		}
		switch (key(ms)) {
		case 'q':
			return false;
		case -1:
			*keys = false;      /* stdin is done (or not a terminal's): only time from now on */
			break;
		}
	}
	return true;
}

int replay_play(struct replay *r, struct ipct_fmt *fmt)
{
	bool keys = r->o.step || r->o.speed > 0, quit = false;
	int status = -1, ret = 0;
	struct view *v;
	size_t i = 0;

	r->lines_at = calloc(r->n ? r->n : 1, sizeof(*r->lines_at));
	if (!r->lines_at)
		goto oom;
	fmt->start_ns = r->n ? r->ev[0].ts_ns : 0;
	/* The command is the first process of the log: its exit is the closing line's. */
	for (size_t k = 0; k < r->n; k++)
		if (r->ev[k].type == IPCT_EV_EXIT && r->ev[k].pid == r->ev[0].pid)
			status = r->ev[k].proc.exit_code;
	v = view_new(STDOUT_FILENO, fmt, VIEW_OWN_DIAGNOSES);
	if (!v)
		goto oom;
	if (keys)
		keys_open();
	while (i < r->n && !quit) {
		uint64_t before = view_lines(v);

		if (r->o.speed > 0 && !pace(r, i, &keys))
			break;
		view_event(v, &r->ev[i]);
		r->lines_at[i] = view_lines(v);
		i++;
		/* A step is an event that drew something: the rest go by without a key. */
		if (!r->o.step || view_lines(v) == before || i == r->n)
			continue;
		title(i, r->n);
		for (bool next = false; !next && !quit;) {
			switch (key(-1)) {
			case ' ':
			case '\n':
			case 'n':
				next = true;
				break;
			case 's':
				view_state(v);
				break;
			case 'b':
				i = screen_back(r, i);
				v = redraw(r, v, fmt, i);
				if (!v)
					goto oom;
				title(i, r->n);
				break;
			case 'q':
			case -1:
				quit = true;
				break;
			}
		}
	}
	if (!quit) {
		title(r->n, r->n);
		view_end(v, status);
	}
	view_free(v);
	restore();
	return ret;
oom:
	restore();
	fprintf(stderr, _("ipctrace: out of memory\n"));
	return 1;
}
