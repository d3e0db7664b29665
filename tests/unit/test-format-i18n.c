// SPDX-License-Identifier: MIT
/*
 * lib/format.c in Spanish: text lines say their words in the user's
 * language (looked up once, with the first line), JSON is the same bytes
 * as in the C locale. The C locale's JSON comes from a child formatting
 * the same events before any language is chosen (the words are looked up
 * once a process).
 *
 *   test-format-i18n BUILD/po    the catalogues meson built
 */
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "format.h"
#include "i18n.h"

#define NEVENTS 8

static struct ipct_event ev(uint16_t type, int nr, const char *comm, uint32_t pid)
{
	struct ipct_event e = { .version = IPCT_EVENT_VERSION, .type = type, .nr = (uint16_t)nr, .pid = pid,
				.tid = pid, .session = 7, .ts_ns = 2500000000ull };

	memcpy(e.comm, comm, strnlen(comm, sizeof(e.comm)));
	return e;
}

static void make_events(struct ipct_event *e)
{
	/* A signal sent while the same one was pending, to a target that blocks it. */
	e[0] = ev(IPCT_EV_SIGNAL_GENERATE, 0, "sender", 100);
	e[0].sig.sig = SIGUSR1;
	e[0].sig.result = IPCT_SIG_MERGED;
	e[0].sig.target_pid = e[0].sig.target_tid = 200;
	memcpy(e[0].sig.target_comm, "catcher", 7);
	e[0].sig.sifields[0] = 100;
	e[0].flags = IPCT_F_BLOCKED_SIG;
	/* SIGTERM at its default action, then the group exit it causes. */
	e[1] = ev(IPCT_EV_SIGNAL_DELIVER, 0, "catcher", 200);
	e[1].sig.sig = SIGTERM;
	e[1].sig.sifields[0] = 100;
	e[2] = ev(IPCT_EV_SIGNAL_DELIVER, 0, "catcher", 200);
	e[2].sig.sig = SIGKILL;
	e[2].sig.code = SI_KERNEL;
	e[2].sig.sifields[0] = SIGTERM;
	/* A pipe read that waited 1.5 ms and a handler interrupted (ERESTARTSYS: ours to say). */
	e[3] = ev(IPCT_EV_SYSCALL, SYS_read, "reader", 300);
	e[3].kind[0] = IPCT_KIND_PIPE;
	e[3].sys.args[0] = 3;
	e[3].sys.args[2] = 64;
	e[3].sys.ret = -512;
	e[3].sys.dur_ns = 1500000;
	e[3].sys.x[0] = 4242;
	e[3].sys.x[1] = 1ull << 32;
	e[4] = ev(IPCT_EV_SYSCALL, SYS_rt_sigreturn, "reader", 300);
	e[4].sys.ret = -4;
	e[5] = ev(IPCT_EV_FORK, 0, "shell", 400);
	e[5].proc.child_pid = 401;
	/* Ctrl-C: raised by the terminal's line discipline in a kworker. */
	e[6] = ev(IPCT_EV_SIGNAL_GENERATE, 0, "kworker/0:1", 12);
	e[6].sig.sig = SIGINT;
	e[6].sig.code = SI_KERNEL;
	e[6].sig.target_pid = e[6].sig.target_tid = 400;
	memcpy(e[6].sig.target_comm, "shell", 5);
	/* Killed by SIGSEGV, with a core. */
	e[7] = ev(IPCT_EV_EXIT, 0, "crasher", 500);
	e[7].proc.exit_code = SIGSEGV | 0x80;
}

/* The events as JSON lines, appended to b. */
static void json_lines(const struct ipct_event *e, struct ipct_buf *b)
{
	struct ipct_fmt f = { .mode = IPCT_OUT_JSON, .realtime_off = 1000 };

	for (int i = 0; i < NEVENTS; i++)
		CHECK_INT(ipct_format_event(&f, &e[i], b), 0);
}

/* The C locale's JSON, from a child that has not looked up any word yet. */
static void c_locale_json(const struct ipct_event *e, struct ipct_buf *want)
{
	struct ipct_buf b = { 0 };
	int fds[2], status;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	CHECK_INT(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		json_lines(e, &b);
		_exit(write(fds[1], b.data + b.start, ipct_buf_len(&b)) == (ssize_t)ipct_buf_len(&b) ? 0 : 1);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
		CHECK_INT(ipct_buf_append(want, chunk, (size_t)n), 0);
	close(fds[0]);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK_INT(status, 0);
}

/* Line i of the text (the header first). */
static const char *line(const struct ipct_buf *b, int i)
{
	static char l[512];
	const char *p = b->data + b->start, *end = b->data + b->end, *nl;

	for (; i > 0 && (nl = memchr(p, '\n', (size_t)(end - p))); i--)
		p = nl + 1;
	nl = memchr(p, '\n', (size_t)(end - p));
	snprintf(l, sizeof(l), "%.*s", nl ? (int)(nl - p) : 0, p);
	return l;
}

#define CHECK_HAS(hay, needle) CHECK_STR(strstr((hay), (needle)) ? (needle) : (hay), (needle))

int main(int argc, char **argv)
{
	static const char *const english[] = {
		"blocked", "merged", "pending", "lost", "default", "kernel", "the process", "handler", "restoring",
		"interrupted", "child", "TIME", "PROCESS", "DETAILS", "killed", "core dumped",
	};
	struct ipct_fmt f = { .mode = IPCT_OUT_TEXT, .start_ns = 2000000000ull };
	struct ipct_buf want = { 0 }, got = { 0 }, text = { 0 };
	struct ipct_event e[NEVENTS];
	char status[64];
	bool ci = getenv("CI") && !strcmp(getenv("CI"), "true");

	if (argc != 2) {
		fprintf(stderr, "usage: test-format-i18n BUILD/po\n");
		return 2;
	}
	make_events(e);
	c_locale_json(e, &want);

	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "es_ES.UTF-8", 1);
	ipct_i18n_init();
	if (strcmp(setlocale(LC_MESSAGES, NULL), "es_ES.UTF-8")) {
		/* scripts/setup generates it. */
		fprintf(stderr, "test-format-i18n: no es_ES.UTF-8 locale (locale-gen)\n");
		return ci ? EXIT_FAILURE : 77;
	}
	bindtextdomain(GETTEXT_PACKAGE, argv[1]);

	CHECK_INT(ipct_format_header(&f, &text), 0);
	for (int i = 0; i < NEVENTS; i++)
		CHECK_INT(ipct_format_event(&f, &e[i], &text), 0);
	CHECK_STR(line(&text, 0), "TIEMPO      PROCESO                  EVENTO           DETALLES");
	CHECK_HAS(line(&text, 1), "SIGUSR1 -> catcher[200] fusionada bloqueada (ya pendiente: esta se pierde) "
				  "SI_USER del pid 100");
	CHECK_HAS(line(&text, 2), "SIGTERM por defecto (Term) SI_USER del pid 100");
	CHECK_HAS(line(&text, 3), "SIGTERM por defecto (Term): el núcleo termina el proceso (entregada como SIGKILL)");
	/* Numbers keep their decimal point: the C library's LC_NUMERIC stays "C". */
	CHECK_HAS(line(&text, 4), "fd=3 pipe:[4242] count=64 = -512 ERESTARTSYS (interrumpida por una señal)  "
				  "[bloqueada 1.5 ms]");
	/* EINTR's text is the C library's strerror, in its own translation. */
	CHECK_HAS(line(&text, 5), "el manejador volvió, restaurando = -4 EINTR (");
	CHECK_HAS(line(&text, 6), "hijo 401");
	/* The PROCESS column is measured in columns, not bytes: "ú" is two. */
	CHECK_HAS(line(&text, 7), "  0.500000  núcleo (terminal)        signal_generate  SIGINT -> shell[400] pendiente");
	CHECK_HAS(line(&text, 8), "exit             terminado por SIGSEGV (core generado)");
	for (int i = 0; i <= NEVENTS; i++)
		for (size_t w = 0; w < sizeof(english) / sizeof(*english); w++)
			if (strstr(line(&text, i), english[w]))
				CHECK_STR(line(&text, i), english[w]);

	json_lines(e, &got);
	CHECK_INT(ipct_buf_len(&got), ipct_buf_len(&want));
	CHECK(ipct_buf_len(&got) == ipct_buf_len(&want) &&
	      !memcmp(got.data + got.start, want.data + want.start, ipct_buf_len(&got)));
	CHECK(strstr(want.data + want.start, "\"result\":\"merged\",\"group\":false,\"blocked\":true") != NULL);
	CHECK(strstr(want.data + want.start, "\"action\":\"default\"") != NULL);

	/* What other modules put in JSON values (a signal record's exit_status) stays English. */
	ipct_wait_status_str(SIGSEGV | 0x80, status, sizeof(status));
	CHECK_STR(status, "killed by SIGSEGV (core dumped)");
	ipct_wait_status_str(3 << 8, status, sizeof(status));
	CHECK_STR(status, "exited 3");

	ipct_buf_free(&want);
	ipct_buf_free(&got);
	ipct_buf_free(&text);
	return check_done("test-format-i18n");
}
