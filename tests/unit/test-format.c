// SPDX-License-Identifier: MIT
/* Unit tests for lib/format.c: the same event in text and JSON, field by field. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "check.h"
#include "format.h"
#include "names.h"

static struct ipct_event ev(uint16_t type, const char *comm, uint32_t pid)
{
	struct ipct_event e = { .version = IPCT_EVENT_VERSION, .type = type, .pid = pid, .tid = pid,
				.session = 7, .ts_ns = 2500000000ull };

	memcpy(e.comm, comm, strnlen(comm, sizeof(e.comm)));
	return e;
}

static struct ipct_event write_ev(int64_t ret)
{
	struct ipct_event e = ev(IPCT_EV_SYSCALL, "writer", 100);

	e.nr = __NR_write;
	e.kind[0] = IPCT_KIND_PIPE;
	e.sys.args[0] = 4;
	e.sys.args[2] = 5;
	e.sys.ret = ret;
	e.sys.dur_ns = 2000000;
	e.sys.x[0] = 12345;
	e.sys.x[1] = 2ull << 32; /* FMODE_WRITE */
	return e;
}

/* The line, with syms (fed the events before it) to name what it knows of processes, or NULL. */
static char *text_syms(const struct ipct_event *e, struct ipct_syms *syms)
{
	static char line[1024];
	struct ipct_fmt f = { .mode = IPCT_OUT_TEXT, .start_ns = 2000000000ull, .syms = syms };
	struct ipct_buf b = { 0 };

	CHECK_INT(ipct_format_event(&f, e, &b), 0);
	snprintf(line, sizeof(line), "%.*s", (int)ipct_buf_len(&b), b.data + b.start);
	ipct_buf_free(&b);
	return line;
}

static char *text(const struct ipct_event *e)
{
	return text_syms(e, NULL);
}

static struct json_object *json_syms(const struct ipct_event *e, struct ipct_syms *syms)
{
	struct ipct_fmt f = { .mode = IPCT_OUT_JSON, .realtime_off = 1000, .syms = syms };
	struct ipct_buf b = { 0 };
	struct json_object *o;

	CHECK_INT(ipct_format_event(&f, e, &b), 0);
	CHECK(b.data[b.end - 1] == '\n');
	o = ipct_json_parse(b.data + b.start, ipct_buf_len(&b) - 1);
	CHECK(o != NULL);
	ipct_buf_free(&b);
	return o;
}

static struct json_object *json(const struct ipct_event *e)
{
	return json_syms(e, NULL);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "(missing)";
	return json_object_is_type(v, json_type_null) ? "(null)" : json_object_get_string(v);
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -999999;
}

static bool jhas(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

/* Details that follow a call (object, argv) and open's flags: what each line says, once. */
static void test_details(void)
{
	struct ipct_event e = write_ev(5);
	struct json_object *o;
	char want[128];

	/* A FIFO's open: text names the flags as open(2) does; JSON's flags are the rest, all named. */
	e.nr = __NR_openat;
	e.kind[0] = IPCT_KIND_FIFO;
	e.sys.dur_ns = 0;
	e.sys.args[2] = O_WRONLY | O_NONBLOCK;
	CHECK(strstr(text(&e), "openat           fd=5 pipe:[12345] (fifo) O_WRONLY|O_NONBLOCK = 5\n") != NULL);
	e.sys.args[2] = O_RDONLY;
	CHECK(strstr(text(&e), "(fifo) O_RDONLY = 5\n") != NULL);
	e.sys.args[2] = O_RDWR | O_CREAT | O_TRUNC;
	CHECK(strstr(text(&e), "(fifo) O_RDWR|O_CREAT|O_TRUNC = 5\n") != NULL);
	o = json(&e);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"O_CREAT\",\"O_TRUNC\"]");
	json_object_put(o);

	/* An object line continues its call's: no fd, no object again (JSON has both). */
	e = ev(IPCT_EV_OBJINFO, "srv", 9);
	e.obj.fd = 3;
	e.obj.ino = 55;
	e.obj.family = AF_UNIX;
	e.obj.type = SOCK_STREAM;
	memcpy(e.obj.path, "/run/x.sock", 11);
	e.obj.path_len = 12;
	CHECK(strstr(text(&e), "object           AF_UNIX SOCK_STREAM local=/run/x.sock\n") != NULL);
	e.obj.peer_ino = 56;
	CHECK(strstr(text(&e), "object           AF_UNIX SOCK_STREAM local=/run/x.sock peer socket:[56]\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "fd"), 3);
	CHECK_STR(jstr(o, "object"), "socket:[55]");
	CHECK_STR(jstr(o, "local"), "/run/x.sock");
	CHECK_STR(jstr(o, "peer_object"), "socket:[56]");
	CHECK(!jhas(o, "address"));
	json_object_put(o);
	e.obj.peer_ino = 0;

	/* The address a connect gave: a path, an abstract name (cut past 64 bytes), an AF_INET6 address. */
	e.flags = IPCT_F_ADDRESS;
	e.nr = __NR_connect;
	CHECK(strstr(text(&e), "object           connect /run/x.sock\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "address"), "/run/x.sock");
	CHECK_STR(jstr(o, "family"), "AF_UNIX");
	CHECK(!jhas(o, "local") && !jhas(o, "socktype"));
	json_object_put(o);
	memset(e.obj.path, 'a', sizeof(e.obj.path));
	e.obj.path[0] = 0;
	e.obj.path_len = 100;
	snprintf(want, sizeof(want), "connect @%.*s...\n", (int)sizeof(e.obj.path) - 1, e.obj.path + 1);
	CHECK(strstr(text(&e), want) != NULL);
	memset(e.obj.path, 0, sizeof(e.obj.path));
	e.obj.family = AF_INET6;
	e.obj.raddr[15] = 1;
	e.obj.rport = 53;
	e.nr = __NR_sendto;
	CHECK(strstr(text(&e), "object           sendto [::1]:53\n") != NULL);

	/* argv: a JSON array; in text, quoted as a shell reads it back, and cut with "...". */
	e = ev(IPCT_EV_ARGV, "wc", 12);
	e.argv.argc = 5;
	/* The last argument is empty: its NUL is the literal's own. */
	memcpy(e.argv.args, "wc\0-l\0a b\0it's\0", 16);
	e.argv.total = 16;
	CHECK(strstr(text(&e), "argv             wc -l 'a b' 'it'\\''s' ''\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "argc"), 5);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "argv"), JSON_C_TO_STRING_PLAIN),
		  "[\"wc\",\"-l\",\"a b\",\"it's\",\"\"]");
	CHECK_STR(jstr(o, "argv_truncated"), "false");
	json_object_put(o);
	memset(e.argv.args, 'x', sizeof(e.argv.args));
	e.argv.args[2] = 0;
	e.argv.argc = 2;
	e.argv.total = 200;
	CHECK(strstr(text(&e), "argv             xx xxxxxxxxxx") != NULL);
	CHECK(strstr(text(&e), "xxx ...\n") != NULL);
	o = json(&e);
	CHECK_INT(json_object_array_length(json_object_object_get(o, "argv")), 2);
	CHECK_INT(strlen(json_object_get_string(json_object_array_get_idx(json_object_object_get(o, "argv"), 1))),
		  IPCT_ARGV_LEN - 3);
	CHECK_STR(jstr(o, "argv_truncated"), "true");
	json_object_put(o);
}

/* Feeds syms the EXE_PATH records of path (the file pid's exec ran), in parts, as the kernel side sends them. */
static void feed_exe_path(struct ipct_syms *syms, uint32_t pid, const char *path, bool cut)
{
	size_t len = strlen(path);

	for (size_t off = 0; off < len; off += IPCT_EXE_PART_LEN) {
		struct ipct_event e = ev(IPCT_EV_EXE_PATH, "sh", pid);
		struct ipct_buf b = { 0 };

		e.exe.len = (uint16_t)len;
		e.exe.off = (uint16_t)off;
		e.exe.cut = cut;
		memcpy(e.exe.part, path + off, len - off < IPCT_EXE_PART_LEN ? len - off : IPCT_EXE_PART_LEN);
		ipct_syms_on_event(syms, &e);
		/* A carrier: no line of its own, in either output. */
		for (int mode = IPCT_OUT_TEXT; mode <= IPCT_OUT_JSON; mode++) {
			struct ipct_fmt f = { .mode = (enum ipct_output)mode, .syms = syms };

			CHECK_INT(ipct_format_event(&f, &e, &b), 0);
			CHECK_INT(ipct_buf_len(&b), 0);
		}
		CHECK_STR(ipct_event_type_name(&e), "exe_path");
	}
}

/* An absolute path of len bytes, a name every 20, ending in "/prog". */
static void make_path(char *path, size_t len)
{
	memset(path, 'd', len);
	for (size_t i = 0; i < len; i += 20)
		path[i] = '/';
	memcpy(path + len - 5, "/prog", 5);
	path[len] = 0;
}

/*
 * An exec whose own path is relative (or was cut at 63 bytes): text shows
 * the file that ran, by its absolute path from the EXE_PATH records before
 * it; JSON keeps the caller's `filename` and adds `file`.
 */
static void test_exe_path(void)
{
	struct ipct_syms *syms = ipct_syms_new();
	struct ipct_event e = ev(IPCT_EV_EXEC, "prog", 4000001);
	struct json_object *o;
	char path[IPCT_EXE_PATH_MAX + 1], want[IPCT_EXE_PATH_MAX + 32];

	CHECK(syms != NULL);
	/* 120 bytes: two parts. */
	make_path(path, 120);
	strcpy(e.proc.path, "./prog");
	e.proc.old_pid = e.tid;
	feed_exe_path(syms, e.pid, path, false);
	ipct_syms_on_event(syms, &e);
	snprintf(want, sizeof(want), "exec             %s\n", path);
	CHECK(strstr(text_syms(&e, syms), want) != NULL);
	CHECK(strstr(text_syms(&e, syms), "./prog") == NULL);
	o = json_syms(&e, syms);
	CHECK_STR(jstr(o, "filename"), "./prog");
	CHECK_STR(jstr(o, "file"), path);
	CHECK(!jhas(o, "file_cut"));
	json_object_put(o);

	/* The longest: text shows it whole too. */
	e.pid = e.tid = e.proc.old_pid = 4000004;
	make_path(path, IPCT_EXE_PATH_MAX);
	feed_exe_path(syms, e.pid, path, false);
	ipct_syms_on_event(syms, &e);
	snprintf(want, sizeof(want), "exec             %s\n", path);
	CHECK(strstr(text_syms(&e, syms), want) != NULL);

	/* Too long or too deep: its last names only, after "…". */
	e.pid = e.tid = e.proc.old_pid = 4000002;
	feed_exe_path(syms, e.pid, "/deep/er/prog", true);
	ipct_syms_on_event(syms, &e);
	CHECK(strstr(text_syms(&e, syms), "exec             \u2026/deep/er/prog\n") != NULL);
	o = json_syms(&e, syms);
	CHECK_STR(jstr(o, "filename"), "./prog");
	CHECK_STR(jstr(o, "file"), "/deep/er/prog");
	CHECK_STR(jstr(o, "file_cut"), "true");
	json_object_put(o);

	/* An exec with none before it: its own path, and no `file`. */
	e.pid = e.tid = e.proc.old_pid = 4000003;
	strcpy(e.proc.path, "/usr/bin/prog");
	ipct_syms_on_event(syms, &e);
	CHECK(strstr(text_syms(&e, syms), "exec             /usr/bin/prog\n") != NULL);
	o = json_syms(&e, syms);
	CHECK(!jhas(o, "file") && !jhas(o, "file_cut"));
	json_object_put(o);
	ipct_syms_free(syms);
}

/*
 * What the formatter writes without printf (times, the blocked time,
 * integers, hex) is what printf writes, at the edges of its rounding and
 * of the digits; the times printf would round otherwise (exactly half a
 * microsecond) go through printf.
 */
static void test_printf_free(void)
{
	static const int64_t rel[] = {
		0, 1, 499, 500, 501, 999, 1000, 1499, 1500, 999999499, 999999500, 999999999, 1000000000,
		1000000500, 123456789012, 86400000000500, (1ll << 53) - 1, (1ll << 53) + 500, -1, -500, -1000000500,
	};
	static const uint64_t blocked[] = {
		1000000, 1049999, 1050000, 1050001, 1949999, 1950000, 999999999, 12345678901, (1ull << 53) + 50000,
		/* Exactly x.25 and x.75 ms, which the double holds: printf rounds them to even. */
		1250000, 1750000, 2250000, 74883750000,
	};
	static const uint64_t addrs[] = { 2, 0x401a30, 0xffffffffffffffffull, 0x7f0000000000ull };
	struct ipct_event e = write_ev(5);
	char want[128], num[64];
	struct json_object *o;

	for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
		e.ts_ns = 2000000000ull + (uint64_t)rel[i];
		snprintf(num, sizeof(num), "%.6f", (double)rel[i] / 1e9);
		snprintf(want, sizeof(want), "%10s  writer[100]", num);
		CHECK_STR(strstr(text(&e), want) == text(&e) ? want : text(&e), want);
	}
	e = write_ev(5);
	for (size_t i = 0; i < sizeof(blocked) / sizeof(*blocked); i++) {
		e.sys.dur_ns = blocked[i];
		snprintf(want, sizeof(want), "= 5  [blocked %.1f ms]\n", blocked[i] / 1e6);
		CHECK_STR(strstr(text(&e), want) ? want : text(&e), want);
	}
	e = write_ev(5);
	for (int k = 0; k <= 19; k++) {
		for (int d = -1; d <= 1; d++) {
			uint64_t p10 = 1;
			int64_t v;

			for (int j = 0; j < k; j++)
				p10 *= 10;
			v = (int64_t)(p10 + (uint64_t)d);
			for (int neg = 0; neg < 2; neg++, v = (int64_t)-(uint64_t)v) {
				e.sys.args[2] = (uint64_t)v;
				snprintf(want, sizeof(want), " count=%" PRId64 " ", v);
				CHECK_STR(strstr(text(&e), want) ? want : text(&e), want);
				CHECK_INT(jint(o = json(&e), "count"), v);
				json_object_put(o);
			}
		}
	}
	e = ev(IPCT_EV_SIGNAL_DELIVER, "catcher", 200);
	e.sig.sig = SIGUSR1;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(*addrs); i++) {
		e.sig.handler = addrs[i];
		snprintf(want, sizeof(want), "SIGUSR1 handler 0x%" PRIx64 " ", addrs[i]);
		CHECK_STR(strstr(text(&e), want) ? want : text(&e), want);
		snprintf(want, sizeof(want), "0x%" PRIx64, addrs[i]);
		CHECK_STR(jstr(o = json(&e), "handler_addr"), want);
		json_object_put(o);
	}
}

int main(void)
{
	struct ipct_event e;
	struct json_object *o;
	const char *t;

	test_details();
	test_exe_path();
	test_printf_free();

	/* A successful pipe write. */
	e = write_ev(5);
	t = text(&e);
	CHECK(strstr(t, "0.500000") == t + 2);
	CHECK(strstr(t, "writer[100]") != NULL);
	CHECK(strstr(t, "write            fd=4 pipe:[12345] count=5 = 5  [blocked 2.0 ms]\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "time_ns"), 2500001000ll);
	CHECK_STR(jstr(o, "type"), "write");
	CHECK_INT(jint(o, "pid"), 100);
	CHECK_INT(jint(o, "tid"), 100);
	CHECK_STR(jstr(o, "comm"), "writer");
	CHECK_INT(jint(o, "session"), 7);
	CHECK_INT(jint(o, "fd"), 4);
	CHECK_STR(jstr(o, "object"), "pipe:[12345]");
	CHECK_STR(jstr(o, "kind"), "pipe");
	CHECK_STR(jstr(o, "end"), "write");
	CHECK_INT(jint(o, "count"), 5);
	CHECK_INT(jint(o, "bytes"), 5);
	CHECK_INT(jint(o, "ret"), 5);
	CHECK_INT(jint(o, "duration_ns"), 2000000);
	CHECK(!jhas(o, "errno"));
	json_object_put(o);

	/* A 32-bit process's write, by its native counterpart; others say nothing of it. */
	CHECK(!jhas(o = json(&e), "compat"));
	json_object_put(o);
	e.flags |= IPCT_F_COMPAT;
	CHECK(strstr(text(&e), "write            fd=4 pipe:[12345] count=5 [32-bit] = 5") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "compat"), "true");
	json_object_put(o);

	/* A write that failed: errno by name, no bytes. */
	e = write_ev(-EPIPE);
	CHECK(strstr(text(&e), "= -32 EPIPE (Broken pipe)") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "errno"), "EPIPE");
	CHECK(!jhas(o, "bytes"));
	json_object_put(o);

	/*
	 * A read of a signalfd: the signals it returned (the first 16 named),
	 * those it takes, no inode (they all share one).
	 */
	e = ev(IPCT_EV_SYSCALL, "reader", 150);
	e.nr = __NR_read;
	e.kind[0] = IPCT_KIND_SIGNALFD;
	e.sys.args[0] = 3;
	e.sys.args[2] = 2560;
	e.sys.ret = 18 * 128;
	e.sys.x[0] = 1ull << (SIGUSR1 - 1) | 1ull << (SIGUSR2 - 1);
	memset(&e.sys.x[2], SIGUSR2, 16);
	((uint8_t *)&e.sys.x[2])[0] = SIGUSR1;
	CHECK(strstr(text(&e), "read             fd=3 anon_inode:[signalfd] took SIGUSR1|SIGUSR2|SIGUSR2|") != NULL);
	CHECK(strstr(text(&e), "|SIGUSR2 and 2 signals count=2560 = 2304\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "object"), "anon_inode:[signalfd]");
	CHECK_STR(jstr(o, "kind"), "signalfd");
	CHECK_INT(jint(o, "signal_count"), 18);
	CHECK_INT(json_object_array_length(json_object_object_get(o, "signals")), 16);
	CHECK_STR(json_object_get_string(json_object_array_get_idx(json_object_object_get(o, "signals"), 0)),
		  "SIGUSR1");
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "accepts"), JSON_C_TO_STRING_PLAIN),
		  "[\"SIGUSR1\",\"SIGUSR2\"]");
	CHECK(!jhas(o, "end"));
	json_object_put(o);
	/* By readv: how many, none named. */
	e.nr = __NR_readv;
	e.sys.ret = 128;
	CHECK(strstr(text(&e), "readv            fd=3 anon_inode:[signalfd] took 1 signal iovcnt=") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "signal_count"), 1);
	CHECK_INT(json_object_array_length(json_object_object_get(o, "signals")), 0);
	json_object_put(o);

	/* A sem_wait that slept 200 ms on a named POSIX semaphore (the daemon named its file, x[0]). */
	e = ev(IPCT_EV_SYSCALL, "waiter", 160);
	e.nr = __NR_futex;
	e.kind[0] = IPCT_KIND_SEM;
	e.sys.args[0] = 0x7f0000001000;
	e.sys.args[1] = FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME;
	e.sys.dur_ns = 200100000;
	e.sys.x[0] = 800;
	CHECK(strstr(text(&e), "futex            wait sem:[800] at 0x7f0000001000 = 0  [blocked 200.1 ms]\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "op"), "FUTEX_WAIT_BITSET");
	CHECK_STR(jstr(o, "object"), "sem:[800]");
	CHECK_STR(jstr(o, "kind"), "sem");
	CHECK_INT(jint(o, "duration_ns"), 200100000);
	CHECK(!jhas(o, "woken"));
	json_object_put(o);
	/* The sem_post that woke it, in anonymous memory. */
	e.sys.args[1] = FUTEX_WAKE;
	e.sys.ret = 1;
	e.sys.dur_ns = 5000;
	e.sys.x[0] = 0;
	CHECK(strstr(text(&e), "futex            wake sem:anon at 0x7f0000001000 woke 1 = 1\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "op"), "FUTEX_WAKE");
	CHECK_STR(jstr(o, "object"), "sem:anon");
	CHECK_INT(jint(o, "woken"), 1);
	json_object_put(o);

	/* kill(1234, SIGUSR1). */
	e = ev(IPCT_EV_SYSCALL, "sender", 200);
	e.nr = __NR_kill;
	e.sys.args[0] = 1234;
	e.sys.args[1] = SIGUSR1;
	CHECK(strstr(text(&e), "kill             pid=1234 SIGUSR1 = 0\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "target_pid"), 1234);
	CHECK_STR(jstr(o, "sig"), "SIGUSR1");
	json_object_put(o);

	/* fcntl: the command by number in JSON, by name in text, with its argument. */
	e = write_ev(0);
	e.nr = __NR_fcntl;
	e.sys.args[1] = F_SETFL;
	e.sys.args[2] = O_NONBLOCK;
	e.sys.x[1] |= O_NONBLOCK;
	CHECK(strstr(text(&e), "fcntl            fd=4 pipe:[12345] F_SETFL 2048 O_NONBLOCK = 0") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "cmd"), F_SETFL);
	CHECK_INT(jint(o, "arg"), O_NONBLOCK);
	CHECK(!jhas(o, "newfd"));
	json_object_put(o);
	e.sys.args[1] = F_DUPFD_CLOEXEC;
	e.sys.args[2] = 10;
	e.sys.ret = 12;
	CHECK(strstr(text(&e), "F_DUPFD_CLOEXEC 10 -> fd=12 ") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "cmd"), F_DUPFD_CLOEXEC);
	CHECK_INT(jint(o, "arg"), 10);
	CHECK_INT(jint(o, "newfd"), 12);
	json_object_put(o);
	/* No argument for a command that takes none; an unknown one by number. */
	e.sys.args[1] = F_GETFL;
	e.sys.ret = O_WRONLY;
	o = json(&e);
	CHECK(!jhas(o, "arg"));
	json_object_put(o);
	e.sys.args[1] = 9999;
	CHECK(strstr(text(&e), " cmd=9999 ") != NULL);

	/* dup3 and accept4 name their flags. */
	e = write_ev(7);
	e.nr = __NR_dup3;
	e.sys.args[1] = 7;
	e.sys.args[2] = O_CLOEXEC;
	CHECK(strstr(text(&e), "fd=4 pipe:[12345] -> fd=7 O_CLOEXEC = 7") != NULL);
	o = json(&e);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"O_CLOEXEC\"]");
	json_object_put(o);
	e.nr = __NR_accept4;
	e.kind[0] = e.kind[1] = IPCT_KIND_SOCKET;
	e.sys.args[3] = O_NONBLOCK;
	o = json(&e);
	CHECK_INT(jint(o, "newfd"), 7);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"O_NONBLOCK\"]");
	json_object_put(o);
	e.nr = __NR_accept;
	o = json(&e);
	CHECK(!jhas(o, "flags"));
	json_object_put(o);

	/* sendmmsg's result is a number of messages, and said so. */
	e.nr = __NR_sendmmsg;
	e.sys.ret = 4;
	o = json(&e);
	CHECK_INT(jint(o, "bytes"), 4);
	json_object_put(o);

	/* A FIFO's open: the access mode is its end, not a flag. */
	e = write_ev(5);
	e.nr = __NR_openat;
	e.kind[0] = IPCT_KIND_FIFO;
	e.sys.args[2] = O_RDWR | O_NONBLOCK;
	e.sys.x[1] = 3ull << 32;
	o = json(&e);
	CHECK_STR(jstr(o, "end"), "read_write");
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"O_NONBLOCK\"]");
	/* close_range(3, ~0U, CLOSE_RANGE_CLOEXEC): the range and its flags. */
	e = ev(IPCT_EV_SYSCALL, "closer", 200);
	e.nr = __NR_close_range;
	e.sys.args[0] = 3;
	e.sys.args[1] = ~0U;
	e.sys.args[2] = CLOSE_RANGE_CLOEXEC;
	CHECK(strstr(text(&e), "close_range      fds 3..4294967295 CLOSE_RANGE_CLOEXEC = 0\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "first"), 3);
	CHECK_INT(jint(o, "last"), 4294967295ll);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"CLOSE_RANGE_CLOEXEC\"]");
	json_object_put(o);

	/* ioctl(4, FIONCLEX) on a pipe's write end. */
	e = write_ev(0);
	e.nr = __NR_ioctl;
	e.sys.args[1] = FIONCLEX;
	e.sys.dur_ns = 0;
	CHECK(strstr(text(&e), "ioctl            fd=4 pipe:[12345] FIONCLEX = 0\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "fd"), 4);
	CHECK_STR(jstr(o, "object"), "pipe:[12345]");
	CHECK_STR(jstr(o, "end"), "write");
	CHECK_STR(jstr(o, "request"), "FIONCLEX");
	json_object_put(o);

	/* A pipe's write end received through the socket at fd 4, close-on-exec. */
	e = ev(IPCT_EV_FD_RECEIVED, "receiver", 300);
	e.nr = __NR_recvmsg;
	e.kind[0] = IPCT_KIND_PIPE;
	e.fdrecv.ino = 777;
	e.fdrecv.flags = 2ull << 32 | IPCT_FD_CLOEXEC;
	e.fdrecv.fd = 6;
	e.fdrecv.via_fd = 4;
	CHECK(strstr(text(&e), "fd_received      fd=6 pipe:[777] O_CLOEXEC (SCM_RIGHTS through fd 4)\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "type"), "fd_received");
	CHECK_INT(jint(o, "fd"), 6);
	CHECK_STR(jstr(o, "object"), "pipe:[777]");
	CHECK_STR(jstr(o, "kind"), "pipe");
	CHECK_STR(jstr(o, "end"), "write");
	CHECK(json_object_get_boolean(json_object_object_get(o, "cloexec")));
	CHECK_INT(jint(o, "socket_fd"), 4);
	json_object_put(o);

	/* pidfd_getfd(3, 5, 0) = 6 from pid 1234. */
	e = ev(IPCT_EV_SYSCALL, "taker", 300);
	e.nr = __NR_pidfd_getfd;
	e.kind[0] = IPCT_KIND_PIPE;
	e.sys.args[0] = 3;
	e.sys.args[1] = 5;
	e.sys.ret = 6;
	e.sys.x[0] = 777;
	e.sys.x[1] = 1ull << 32 | IPCT_FD_CLOEXEC;
	e.sys.x[2] = 1234;
	CHECK(strstr(text(&e), "pidfd_getfd      pidfd=3 pid 1234 fd=5 -> fd=6 pipe:[777] = 6\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "pidfd"), 3);
	CHECK_INT(jint(o, "source_pid"), 1234);
	CHECK_INT(jint(o, "source_fd"), 5);
	CHECK_INT(jint(o, "newfd"), 6);
	CHECK_STR(jstr(o, "object"), "pipe:[777]");
	CHECK_STR(jstr(o, "end"), "read");
	json_object_put(o);

	/* unshare(CLONE_FILES), and a fork whose child shares the descriptor table. */
	e = ev(IPCT_EV_SYSCALL, "sharer", 300);
	e.nr = __NR_unshare;
	e.sys.args[0] = CLONE_FILES;
	CHECK(strstr(text(&e), "unshare          CLONE_FILES = 0\n") != NULL);
	o = json(&e);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"CLONE_FILES\"]");
	json_object_put(o);
	e = ev(IPCT_EV_FORK, "sharer", 300);
	e.proc.child_pid = 301;
	e.flags = IPCT_F_SHARED_FILES;
	CHECK(strstr(text(&e), "fork             child 301 sharing its descriptor table\n") != NULL);
	o = json(&e);
	CHECK(json_object_get_boolean(json_object_object_get(o, "shared_fd_table")));
	json_object_put(o);
	e.flags = 0;
	o = json(&e);
	CHECK(!json_object_get_boolean(json_object_object_get(o, "shared_fd_table")));
	CHECK(jhas(o, "shared_fd_table"));
	json_object_put(o);

	/* A merged generation says that the instance is lost. */
	e = ev(IPCT_EV_SIGNAL_GENERATE, "sender", 200);
	e.sig.sig = SIGUSR1;
	e.sig.code = SI_USER;
	e.sig.result = IPCT_SIG_MERGED;
	e.sig.target_pid = e.sig.target_tid = 300;
	strcpy(e.sig.target_comm, "target");
	e.sig.sifields[0] = 200;
	CHECK(strstr(text(&e), "SIGUSR1 -> target[300] merged (already pending: this one is lost) SI_USER from pid 200") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "type"), "signal_generate");
	CHECK_STR(jstr(o, "result"), "merged");
	CHECK_STR(jstr(o, "code"), "SI_USER");
	CHECK_INT(jint(o, "target_pid"), 300);
	CHECK_STR(jstr(o, "target_comm"), "target");
	CHECK_INT(jint(o, "sender_pid"), 200);
	CHECK_STR(jstr(o, "kernel_context"), "false");
	json_object_put(o);
	/* A timer's SIGALRM, raised while another task ran: the event is the target's. */
	e.pid = e.tid = 300;
	memcpy(e.comm, "target", 7);
	e.sig.sig = SIGALRM;
	e.sig.code = SI_KERNEL;
	e.sig.result = IPCT_SIG_QUEUED;
	e.flags |= IPCT_F_KERNEL_CTX;
	CHECK(strstr(text(&e), "target[300]              signal_generate  SIGALRM -> target[300] queued by the kernel "
		      "SI_KERNEL\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "kernel_context"), "true");
	CHECK_INT(jint(o, "pid"), 300);
	json_object_put(o);

	/* Delivery to a handler. */
	e = ev(IPCT_EV_SIGNAL_DELIVER, "target", 300);
	e.sig.sig = SIGUSR1;
	e.sig.handler = 0x401136;
	e.sig.sa_flags = SA_RESTART | IPCT_SA_RESTORER | 0x02000000; /* and x86's SA_IA32_ABI */
	o = json(&e);
	CHECK_STR(jstr(o, "action"), "handler");
	CHECK_STR(jstr(o, "handler"), "0x401136");
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "sa_flags"), JSON_C_TO_STRING_PLAIN),
		  "[\"SA_RESTART\"]");
	json_object_put(o);
	e.sig.handler = 0;
	e.sig.sig = SIGTERM;
	CHECK(strstr(text(&e), "SIGTERM default (Term)") != NULL);
	/* A null field (no handler) is null in JSON, not a reason to drop the event. */
	o = json(&e);
	CHECK_STR(jstr(o, "action"), "default");
	CHECK_STR(jstr(o, "handler"), "(null)");
	CHECK_STR(jstr(o, "default_action"), "Term");
	json_object_put(o);

	/* Exit by a signal. */
	e = ev(IPCT_EV_EXIT, "victim", 400);
	e.proc.exit_code = SIGTERM;
	CHECK(strstr(text(&e), "exit             killed by SIGTERM\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "exit_signal"), "SIGTERM");
	CHECK(!jhas(o, "exit_code"));
	json_object_put(o);
	e.proc.exit_code = 3 << 8;
	o = json(&e);
	CHECK_INT(jint(o, "exit_code"), 3);
	json_object_put(o);

	/* wait4(-1, &status, 0) collected child 401, which a signal killed with a core dump. */
	e = ev(IPCT_EV_SYSCALL, "parent", 400);
	e.nr = __NR_wait4;
	e.sys.args[0] = (uint64_t)-1;
	e.sys.ret = 401;
	e.sys.dur_ns = 3000000;
	e.sys.x[0] = SIGSEGV | 0x80;
	e.flags = IPCT_F_NEW_VALID;
	CHECK(strstr(text(&e), "wait4            pid=-1 -> child 401 killed by SIGSEGV (core dumped) = 401  "
			       "[blocked 3.0 ms]\n") != NULL);
	o = json(&e);
	CHECK_INT(jint(o, "target_pid"), -1);
	CHECK_STR(jstr(o, "options"), "[ ]");
	CHECK_INT(jint(o, "child_pid"), 401);
	CHECK_INT(jint(o, "status"), SIGSEGV | 0x80);
	CHECK_STR(jstr(o, "exit_signal"), "SIGSEGV");
	CHECK_STR(jstr(o, "core"), "true");
	CHECK_INT(jint(o, "ret"), 401);
	json_object_put(o);
	/* waitpid(402, NULL, WNOHANG | WUNTRACED): a stopped child, status not read; ECHILD. */
	e.sys.args[0] = 402;
	e.sys.args[2] = WNOHANG | WUNTRACED;
	e.sys.ret = 402;
	e.flags = 0;
	CHECK(strstr(text(&e), "wait4            pid=402 WNOHANG|WUNTRACED -> child 402 = 402") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "options"), "[ \"WNOHANG\", \"WUNTRACED\" ]");
	CHECK(!jhas(o, "status"));
	json_object_put(o);
	e.sys.ret = -ECHILD;
	o = json(&e);
	CHECK(!jhas(o, "child_pid"));
	CHECK_STR(jstr(o, "errno"), "ECHILD");
	json_object_put(o);

	/* waitid(P_PID, 403, &info, WEXITED) collected an exit with code 7. */
	e.nr = __NR_waitid;
	e.sys.args[0] = P_PID;
	e.sys.args[1] = 403;
	e.sys.args[3] = WEXITED;
	e.sys.ret = 0;
	e.sys.x[0] = 403;
	e.sys.x[1] = CLD_EXITED | 7ull << 32;
	e.flags = IPCT_F_NEW_VALID;
	CHECK(strstr(text(&e), "waitid           P_PID 403 WEXITED -> child 403 exited 7 = 0") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "idtype"), "P_PID");
	CHECK_INT(jint(o, "id"), 403);
	CHECK_INT(jint(o, "child_pid"), 403);
	CHECK_STR(jstr(o, "code"), "CLD_EXITED");
	CHECK_INT(jint(o, "status"), 7 << 8);
	CHECK_INT(jint(o, "exit_code"), 7);
	json_object_put(o);
	/* ... and a stop (WSTOPPED), a continue (WCONTINUED) as wait4 statuses. */
	CHECK_INT(ipct_waitid_status(CLD_STOPPED, SIGSTOP), SIGSTOP << 8 | 0x7f);
	CHECK_INT(ipct_waitid_status(CLD_CONTINUED, SIGCONT), 0xffff);
	CHECK_INT(ipct_waitid_status(CLD_KILLED, SIGTERM), SIGTERM);
	CHECK_INT(ipct_waitid_status(CLD_DUMPED, SIGABRT), SIGABRT | 0x80);
	e.sys.x[1] = CLD_STOPPED | (uint64_t)SIGSTOP << 32;
	o = json(&e);
	CHECK_STR(jstr(o, "stop_signal"), "SIGSTOP");
	json_object_put(o);
	e.sys.x[1] = CLD_CONTINUED | (uint64_t)SIGCONT << 32;
	CHECK(strstr(text(&e), "-> child 403 continued = 0") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "continued"), "true");
	json_object_put(o);

	/* Columns line up whatever the process name's length. */
	e = ev(IPCT_EV_FORK, "a", 1);
	e.proc.child_pid = 2;
	t = text(&e);
	CHECK(strstr(t, "fork") - t == 37);
	e = ev(IPCT_EV_FORK, "a-much-longer-n", 123456);
	t = text(&e);
	CHECK(strstr(t, "fork") - t == 37);

	/* JSON strings come out escaped (the writer is ours): names as a program may set them. */
	e = ev(IPCT_EV_EXEC, "q\"b\\n\nc\001t\t\xc3\xa9/", 9);
	strcpy(e.proc.path, "/tmp/a \"b\"\r\b\f\x7f");
	o = json(&e);
	CHECK_STR(jstr(o, "comm"), "q\"b\\n\nc\001t\t\xc3\xa9/");
	CHECK_STR(jstr(o, "filename"), "/tmp/a \"b\"\r\b\f\x7f");
	json_object_put(o);
	/* And integers at their extremes. */
	e = write_ev(INT64_MIN);
	e.ts_ns = UINT64_MAX - 1000;
	o = json(&e);
	CHECK_INT(jint(o, "ret"), INT64_MIN);
	CHECK_INT(jint(o, "time_ns"), -1);
	json_object_put(o);

	/* Which events show a handler (and need the process's program to name it): code, not SIG_DFL or SIG_IGN. */
	e = ev(IPCT_EV_SIGNAL_DELIVER, "h", 5);
	CHECK(!ipct_event_names_handler(&e));
	e.sig.handler = 1;
	CHECK(!ipct_event_names_handler(&e));
	e.sig.handler = 0x401000;
	CHECK(ipct_event_names_handler(&e));
	e = ev(IPCT_EV_SYSCALL, "h", 5);
	e.nr = __NR_rt_sigaction;
	e.sys.x[0] = 0x401000;
	e.sys.x[2] = 0x402000;
	CHECK(!ipct_event_names_handler(&e));   /* neither was read from the process */
	e.flags = IPCT_F_NEW_VALID;
	CHECK(ipct_event_names_handler(&e));
	e.sys.x[0] = 1;
	CHECK(!ipct_event_names_handler(&e));
	e.flags |= IPCT_F_OLD_VALID;
	CHECK(ipct_event_names_handler(&e));
	e.sys.x[2] = 0;
	CHECK(!ipct_event_names_handler(&e));
	e = write_ev(5);
	e.sys.x[0] = 0x401000;
	e.flags = IPCT_F_NEW_VALID;
	CHECK(!ipct_event_names_handler(&e));
	/* Signal masks as strace prints them: the members, or what is left out when most are in. */
	e = ev(IPCT_EV_SYSCALL, "masker", 9);
	e.nr = __NR_rt_sigprocmask;
	e.flags = IPCT_F_NEW_VALID | IPCT_F_OLD_VALID;
	e.sys.args[0] = SIG_BLOCK;
	e.sys.x[0] = ~0ull;
	e.sys.x[2] = ~(1ull << (SIGCHLD - 1));
	CHECK(strstr(text(&e), "rt_sigprocmask   SIG_BLOCK ~[] (was ~[SIGCHLD]) = 0\n") != NULL);
	e.sys.x[0] = 1ull << (SIGINT - 1) | 1ull << (SIGTERM - 1);
	e.sys.x[2] = 0;
	CHECK(strstr(text(&e), "SIG_BLOCK [SIGINT SIGTERM] (was []) = 0\n") != NULL);
	o = json(&e);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "set"), JSON_C_TO_STRING_PLAIN),
		  "[\"SIGINT\",\"SIGTERM\"]");
	json_object_put(o);

	/* Names a program chose: escaped in text, the column still aligned; valid UTF-8 in JSON. */
	e = write_ev(5);
	memcpy(e.comm, "e\033[2Jx\xe9", 8);
	CHECK(strstr(text(&e), "e\\x1b[2Jx\\xe9[100]       write ") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "comm"), "e\033[2Jx\xef\xbf\xbd");
	json_object_put(o);
	/* Without an escape before it (the JSON writer's fast path). */
	memcpy(e.comm, "caf\xe9\0", 5);
	CHECK_STR(jstr(o = json(&e), "comm"), "caf\xef\xbf\xbd");
	json_object_put(o);
	memset(e.comm, 0, sizeof(e.comm));
	memcpy(e.comm, "\xe5\x90\x8d", 3);   /* one character two columns wide */
	CHECK(strstr(text(&e), "  \xe5\x90\x8d[100]" "                  write ") != NULL);

	/* A group exit's SIGKILL named by the signal that started it; none sent for exit_group. */
	e = ev(IPCT_EV_SIGNAL_DELIVER, "victim", 12);
	e.sig.sig = SIGKILL;
	e.sig.code = SI_KERNEL;
	e.sig.sifields[0] = SIGTERM;
	CHECK(strstr(text(&e), "signal_deliver   SIGTERM default (Term): the kernel ends the process "
		     "(delivered as SIGKILL)\n") != NULL);
	CHECK_INT(ipct_event_signal(&e), SIGTERM);
	o = json(&e);
	CHECK_STR(jstr(o, "sig"), "SIGTERM");
	CHECK_STR(jstr(o, "kernel_sig"), "SIGKILL");
	CHECK_STR(jstr(o, "group_exit"), "true");
	CHECK_STR(jstr(o, "default_action"), "Term");
	json_object_put(o);
	e.sig.sifields[0] = SIGSEGV | 0x80;
	CHECK_INT(ipct_event_signal(&e), SIGSEGV);
	e.sig.sifields[0] = 3 << 8;
	CHECK_INT(ipct_event_signal(&e), 0);
	CHECK(strstr(text(&e), "SIGKILL default: the process ends (exit_group or exec), no signal was sent\n"));

	/* SIGCONT continues the process as it is generated; the kernel then calls it ignored. */
	e = ev(IPCT_EV_SIGNAL_GENERATE, "shell", 20);
	e.sig.sig = SIGCONT;
	e.sig.result = IPCT_SIG_IGNORED;
	e.sig.target_pid = e.sig.target_tid = 21;
	memcpy(e.sig.target_comm, "sleep", 6);
	e.sig.code = SI_USER;
	t = text(&e);
	CHECK(strstr(t, "SIGCONT -> sleep[21] continued (") != NULL && !strstr(t, "ignored"));
	o = json(&e);
	CHECK_STR(jstr(o, "result"), "ignored");
	CHECK_STR(jstr(o, "continued"), "true");
	json_object_put(o);

	/* Ctrl-C: raised by the terminal's line discipline in a kworker; the terminal sent it. */
	e = ev(IPCT_EV_SIGNAL_GENERATE, "kworker/u8:2", 77);
	e.sig.sig = SIGINT;
	e.sig.code = SI_KERNEL;
	e.sig.target_pid = e.sig.target_tid = 21;
	memcpy(e.sig.target_comm, "sleep", 6);
	t = text(&e);
	CHECK(strstr(t, "  kernel (terminal)        signal_generate  SIGINT -> sleep[21] queued") != NULL);
	CHECK(!strstr(t, "kworker"));
	o = json(&e);
	CHECK_STR(jstr(o, "cause"), "terminal");
	CHECK_STR(jstr(o, "comm"), "kworker/u8:2");
	json_object_put(o);


	/* A semop of five operations: the first four, each with its flags; a wait for zero as "=0". */
	e = ev(IPCT_EV_SYSCALL, "sems", 100);
	e.nr = __NR_semtimedop;
	e.kind[0] = IPCT_KIND_SEM;
	e.flags = IPCT_F_NEW_VALID;
	e.sys.args[0] = 3;
	e.sys.args[2] = 5;
	e.sys.x[0] = IPCT_SYSV_SEM_INO(3);
	e.sys.dur_ns = 200100000;
	{
		const int16_t ops[4][3] = { { 0, -1, 0 }, { 1, 2, SEM_UNDO }, { 2, 0, 0 }, { 3, -1, IPC_NOWAIT } };

		memcpy(&e.sys.x[1], ops, sizeof(ops));
	}
	CHECK(strstr(text(&e), "semtimedop       sem:3 #0 -1, #1 +2 SEM_UNDO, #2 =0, #3 -1 IPC_NOWAIT and 1 op = 0  "
			       "[blocked 200.1 ms]") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "object"), "sem:3");
	CHECK_STR(jstr(o, "kind"), "sem");
	CHECK_INT(jint(o, "nsops"), 5);
	CHECK_INT(json_object_array_length(json_object_object_get(o, "ops")), 4);
	CHECK_INT(jint(json_object_array_get_idx(json_object_object_get(o, "ops"), 1), "sem_op"), 2);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "ops"), JSON_C_TO_STRING_PLAIN),
		  "[{\"sem_num\":0,\"sem_op\":-1,\"flags\":[]},{\"sem_num\":1,\"sem_op\":2,\"flags\":[\"SEM_UNDO\"]},"
		  "{\"sem_num\":2,\"sem_op\":0,\"flags\":[]},{\"sem_num\":3,\"sem_op\":-1,\"flags\":[\"IPC_NOWAIT\"]}]");
	json_object_put(o);
	/* semctl SETALL: as many values as the kernel side copied (the set's size). */
	e.nr = __NR_semctl;
	e.sys.args[1] = 0;
	e.sys.args[2] = SETALL;
	e.sys.x[1] = 0x0002000100000007ull;
	e.sys.x[3] = 3ull << 48;
	e.sys.dur_ns = 0;
	CHECK(strstr(text(&e), "semctl           sem:3 SETALL values=7,0,1 = 0\n") != NULL);
	o = json(&e);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "values"), JSON_C_TO_STRING_PLAIN),
		  "[7,0,1]");
	json_object_put(o);
	e.sys.args[1] = 1;
	e.sys.args[2] = SETVAL;
	e.sys.args[3] = 4;
	CHECK(strstr(text(&e), "semctl           sem:3 SETVAL #1 value=4 = 0\n") != NULL);
	/* Shared memory: shmget's key, size and segment; shmat's address; a shared anonymous mmap. */
	e = ev(IPCT_EV_SYSCALL, "shm", 200);
	e.nr = __NR_shmget;
	e.kind[0] = IPCT_KIND_SHM;
	e.sys.args[0] = 0x5d00;
	e.sys.args[1] = 6000;
	e.sys.args[2] = IPC_CREAT | IPC_EXCL | 0600;
	e.sys.ret = 7;
	e.sys.x[0] = IPCT_SYSV_SHM_INO(7);
	CHECK(strstr(text(&e), "shmget           key=0x5d00 size=6000 IPC_CREAT|IPC_EXCL shm:7 = 7\n") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "object"), "shm:7");
	CHECK_STR(jstr(o, "kind"), "shm");
	CHECK_INT(jint(o, "bytes"), 6000);
	CHECK_INT(jint(o, "mode"), 0600);
	json_object_put(o);
	e.nr = __NR_shmat;
	e.sys.args[0] = 7;
	e.sys.args[2] = SHM_RDONLY;
	e.sys.ret = 0x7f0000001000;
	CHECK(strstr(text(&e), "shmat            shm:7 SHM_RDONLY at 0x7f0000001000 = ") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "addr"), "0x7f0000001000");
	json_object_put(o);
	e.nr = __NR_mmap;
	e.sys.args[0] = 0;
	e.sys.args[1] = 8192;
	e.sys.args[2] = PROT_READ | PROT_WRITE;
	e.sys.args[3] = MAP_SHARED | MAP_ANONYMOUS;
	e.sys.x[0] = 0;
	CHECK(strstr(text(&e), "mmap             anonymous length=8192 PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS "
			       "at 0x7f0000001000 = ") != NULL);
	o = json(&e);
	CHECK_STR(jstr(o, "object"), "shm:anon");
	CHECK_STR(jstr(o, "kind"), "shm");
	CHECK_INT(jint(o, "bytes"), 8192);
	CHECK(!jhas(o, "fd"));
	json_object_put(o);

	return check_done("test-format");
}
