// SPDX-License-Identifier: MIT
/* Names for signals, si_codes, errno values, descriptor and socket flags. */
#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "ipctrace/event.h"
#include "names.h"

#define IPCT_NSIG 64

static const char *const std_sig_names[32] = {
	[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",       [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO",       [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

/*
 * Real-time signals are named as a C program names them, relative to the
 * C library's SIGRTMIN (glibc keeps the kernel's first two for itself).
 */
const char *ipct_sig_name(int sig)
{
	static char rt_names[IPCT_NSIG + 1][24];
	int min = SIGRTMIN, max = SIGRTMAX;

	if (sig < 1 || sig > IPCT_NSIG)
		return NULL;
	if (sig < 32)
		return std_sig_names[sig];
	if (!rt_names[sig][0]) {
		if (sig < min)
			snprintf(rt_names[sig], sizeof(rt_names[sig]), "SIG%d", sig);
		else if (sig == min)
			snprintf(rt_names[sig], sizeof(rt_names[sig]), "SIGRTMIN");
		else if (sig == max)
			snprintf(rt_names[sig], sizeof(rt_names[sig]), "SIGRTMAX");
		else if (sig - min <= max - sig)
			snprintf(rt_names[sig], sizeof(rt_names[sig]), "SIGRTMIN+%d", sig - min);
		else
			snprintf(rt_names[sig], sizeof(rt_names[sig]), "SIGRTMAX-%d", max - sig);
	}
	return rt_names[sig];
}

static int parse_offset(const char *s, int base, int sign)
{
	char *end;
	long off;

	if (!*s)
		return base;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	off = strtol(s, &end, 10);
	if (errno || *end || off > IPCT_NSIG)
		return -EINVAL;
	off = base + sign * off;
	return off >= SIGRTMIN && off <= SIGRTMAX ? (int)off : -EINVAL;
}

int ipct_sig_parse(const char *s)
{
	const char *name = s;
	char *end;
	long n;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		n = strtol(s, &end, 10);
		return !errno && !*end && n >= 1 && n <= IPCT_NSIG ? (int)n : -EINVAL;
	}
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (int sig = 1; sig < 32; sig++)
		if (std_sig_names[sig] && !strcasecmp(name, std_sig_names[sig] + 3))
			return sig;
	if (!strcasecmp(name, "CLD"))
		return SIGCHLD;
	if (!strcasecmp(name, "POLL"))
		return SIGIO;
	if (!strcasecmp(name, "IOT"))
		return SIGABRT;
	if (!strncasecmp(name, "RTMIN", 5))
		return name[5] == '+' || !name[5] ? parse_offset(name + 5 + !!name[5], SIGRTMIN, 1)
						  : -EINVAL;
	if (!strncasecmp(name, "RTMAX", 5))
		return name[5] == '-' || !name[5] ? parse_offset(name + 5 + !!name[5], SIGRTMAX, -1)
						  : -EINVAL;
	return -EINVAL;
}

enum ipct_sig_dfl ipct_sig_default(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return IPCT_DFL_IGN;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return IPCT_DFL_STOP;
	case SIGCONT:
		return IPCT_DFL_CONT;
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return IPCT_DFL_CORE;
	default:
		return IPCT_DFL_TERM;
	}
}

const char *ipct_sig_default_action(int sig)
{
	static const char *const names[] = {
		[IPCT_DFL_TERM] = "Term", [IPCT_DFL_CORE] = "Core", [IPCT_DFL_STOP] = "Stop",
		[IPCT_DFL_CONT] = "Cont", [IPCT_DFL_IGN] = "Ign",
	};

	return names[ipct_sig_default(sig)];
}

#define N(x) { x, #x }

static const struct ipct_flag_name si_codes_generic[] = {
	N(SI_USER), N(SI_KERNEL), N(SI_QUEUE), N(SI_TIMER), N(SI_MESGQ),
	N(SI_ASYNCIO), N(SI_SIGIO), N(SI_TKILL), { 0, NULL },
};
static const struct ipct_flag_name si_codes_chld[] = {
	N(CLD_EXITED), N(CLD_KILLED), N(CLD_DUMPED), N(CLD_TRAPPED), N(CLD_STOPPED),
	N(CLD_CONTINUED), { 0, NULL },
};
static const struct ipct_flag_name si_codes_segv[] = {
	N(SEGV_MAPERR), N(SEGV_ACCERR), { 0, NULL },
};
static const struct ipct_flag_name si_codes_bus[] = {
	N(BUS_ADRALN), N(BUS_ADRERR), N(BUS_OBJERR), { 0, NULL },
};
static const struct ipct_flag_name si_codes_fpe[] = {
	N(FPE_INTDIV), N(FPE_INTOVF), N(FPE_FLTDIV), N(FPE_FLTOVF), N(FPE_FLTUND),
	N(FPE_FLTRES), N(FPE_FLTINV), N(FPE_FLTSUB), { 0, NULL },
};
static const struct ipct_flag_name si_codes_ill[] = {
	N(ILL_ILLOPC), N(ILL_ILLOPN), N(ILL_ILLADR), N(ILL_ILLTRP), N(ILL_PRVOPC),
	N(ILL_PRVREG), N(ILL_COPROC), N(ILL_BADSTK), { 0, NULL },
};
static const struct ipct_flag_name si_codes_trap[] = {
	N(TRAP_BRKPT), N(TRAP_TRACE), { 0, NULL },
};
static const struct ipct_flag_name si_codes_poll[] = {
	N(POLL_IN), N(POLL_OUT), N(POLL_MSG), N(POLL_ERR), N(POLL_PRI), N(POLL_HUP), { 0, NULL },
};

const char *ipct_enum_name(const struct ipct_flag_name *table, uint64_t value)
{
	for (; table->name; table++)
		if (table->value == value)
			return table->name;
	return NULL;
}

const char *ipct_sigcode_name(int sig, int code)
{
	const struct ipct_flag_name *t = NULL;

	/* Positive codes are per-signal; zero and negative ones are generic. */
	if (code > 0 && code != SI_KERNEL) {
		switch (sig) {
		case SIGCHLD: t = si_codes_chld; break;
		case SIGSEGV: t = si_codes_segv; break;
		case SIGBUS: t = si_codes_bus; break;
		case SIGFPE: t = si_codes_fpe; break;
		case SIGILL: t = si_codes_ill; break;
		case SIGTRAP: t = si_codes_trap; break;
		case SIGIO: t = si_codes_poll; break;
		}
		return t ? ipct_enum_name(t, (uint64_t)code) : NULL;
	}
	return ipct_enum_name(si_codes_generic, (uint64_t)(int64_t)code);
}

const char *ipct_sig_result_name(int result)
{
	static const char *const names[] = {
		[IPCT_SIG_QUEUED] = "queued",     [IPCT_SIG_IGNORED] = "ignored",
		[IPCT_SIG_MERGED] = "merged",     [IPCT_SIG_OVERFLOW] = "overflow",
		[IPCT_SIG_LOSE_INFO] = "lose_info",
	};

	return result >= 0 && result <= IPCT_SIG_LOSE_INFO ? names[result] : NULL;
}

/*
 * Kernel-internal codes that sys_exit sees when a signal interrupts a call:
 * the kernel then restarts the call or turns the code into EINTR,
 * depending on the handler's SA_RESTART.
 */
static const struct ipct_flag_name restart_codes[] = {
	{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" }, { 514, "ERESTARTNOHAND" },
	{ 516, "ERESTART_RESTARTBLOCK" }, { 0, NULL },
};

const char *ipct_errno_name(int err)
{
	return ipct_enum_name(restart_codes, (uint64_t)err) ?: strerrorname_np(err);
}

bool ipct_errno_is_restart(int err)
{
	return ipct_enum_name(restart_codes, (uint64_t)err) != NULL;
}

const char *ipct_kind_name(int kind)
{
	switch (kind) {
	case IPCT_KIND_PIPE: return "pipe";
	case IPCT_KIND_FIFO: return "fifo";
	case IPCT_KIND_SOCKET: return "socket";
	case IPCT_KIND_SIGNALFD: return "signalfd";
	case IPCT_KIND_TTY: return "tty";
	case IPCT_KIND_MQUEUE: return "mqueue";
	case IPCT_KIND_MSGQ: return "msgq";
	case IPCT_KIND_SEM: return "sem";
	case IPCT_KIND_SHM: return "shm";
	case IPCT_KIND_OTHER: return "other";
	default: return NULL;
	}
}

/* A terminal's name from its device number (the kernel's dev_t: major << 20 | minor). */
static void tty_name(uint64_t rdev, char *buf, size_t len)
{
	unsigned major = (unsigned)(rdev >> 20), minor = (unsigned)(rdev & 0xfffff);

	if (major >= 136 && major <= 143)
		snprintf(buf, len, "/dev/pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(buf, len, "/dev/tty%u", minor);
	else if (major == 4)
		snprintf(buf, len, "/dev/ttyS%u", minor - 64);
	else if (major == 5 && minor == 0)
		snprintf(buf, len, "/dev/tty");
	else if (major == 5 && minor == 1)
		snprintf(buf, len, "/dev/console");
	else
		snprintf(buf, len, "tty:%u:%u", major, minor);
}

/* "pipe:[%" PRIu64 "]" without printf: every data call's line names its pipe or socket. */
static void bracket_name(char *buf, size_t len, const char *prefix, uint64_t ino)
{
	char digits[20], *d = digits + sizeof(digits);
	size_t np = strlen(prefix), nd;

	do {
		*--d = (char)('0' + ino % 10);
		ino /= 10;
	} while (ino);
	nd = (size_t)(digits + sizeof(digits) - d);
	if (np + nd + 3 > len) {
		snprintf(buf, len, "%s[%.*s]", prefix, (int)nd, d);
		return;
	}
	memcpy(buf, prefix, np);
	buf[np] = '[';
	memcpy(buf + np + 1, d, nd);
	memcpy(buf + np + 1 + nd, "]", 2);
}

void ipct_object_name(int kind, uint64_t ino, char *buf, size_t len)
{
	switch (kind) {
	case IPCT_KIND_PIPE:
	case IPCT_KIND_FIFO:
		bracket_name(buf, len, "pipe:", ino);
		break;
	case IPCT_KIND_SOCKET:
		bracket_name(buf, len, "socket:", ino);
		break;
	case IPCT_KIND_SIGNALFD:
		/* As /proc/PID/fd names it: every signalfd is the same anonymous inode. */
		snprintf(buf, len, "anon_inode:[signalfd]");
		break;
	case IPCT_KIND_TTY:
		tty_name(ino, buf, len);
		break;
	case IPCT_KIND_MQUEUE:
		snprintf(buf, len, "mqueue:[%" PRIu64 "]", ino);
		break;
	case IPCT_KIND_MSGQ:
		/* A System V queue is known by its id (the graph keys it by IPCT_SYSV_INO). */
		snprintf(buf, len, "msq:%u", (uint32_t)ino);
		break;
	case IPCT_KIND_SEM:
	case IPCT_KIND_SHM:
		/*
		 * A System V set or segment by its id (the graph keys them by
		 * IPCT_SYSV_SEM_INO, _SHM_INO); a /dev/shm file (POSIX) by inode.
		 */
		if (ino & 1ull << 63)
			snprintf(buf, len, "%s:%u", kind == IPCT_KIND_SEM ? "sem" : "shm", (uint32_t)ino);
		else
			snprintf(buf, len, "%s:[%" PRIu64 "]", kind == IPCT_KIND_SEM ? "sem" : "shm", ino);
		break;
	default:
		snprintf(buf, len, "%s", "");
	}
}

/* English words as they are, or (clause) as a clause that ipct_say translates with its message. */
#define WORDS(clause, buf, len, ...) \
	((clause) ? (void)ipct_sub(buf, len, __VA_ARGS__) : (void)snprintf(buf, len, __VA_ARGS__))

static void stdio_name(const struct ipct_stdio *s, int fd, bool clause, char *buf, size_t len)
{
	const struct ipct_obj *o = &s->fd[fd];
	unsigned major = s->rdev[fd] >> 20, minor = s->rdev[fd] & 0xfffff;

	if (o->kind == IPCT_KIND_NONE)
		WORDS(clause, buf, len, "closed");
	else if (o->kind != IPCT_KIND_OTHER)
		ipct_object_name(o->kind, o->ino, buf, len);
	else if (S_ISREG(s->mode[fd]))
		WORDS(clause, buf, len, "a file (inode %" PRIu64 ")", (uint64_t)o->ino);
	else if (S_ISCHR(s->mode[fd]) && major == 1 && minor == 3)
		snprintf(buf, len, "/dev/null");
	else if (S_ISCHR(s->mode[fd]))
		WORDS(clause, buf, len, "a device (%u:%u)", major, minor);
	else if (S_ISDIR(s->mode[fd]))
		WORDS(clause, buf, len, "a directory (inode %" PRIu64 ")", (uint64_t)o->ino);
	else
		WORDS(clause, buf, len, "a file of another kind (inode %" PRIu64 ")", (uint64_t)o->ino);
}

void ipct_stdio_name(const struct ipct_stdio *s, int fd, char *buf, size_t len)
{
	stdio_name(s, fd, false, buf, len);
}

void ipct_stdio_clause(const struct ipct_stdio *s, int fd, char *buf, size_t len)
{
	stdio_name(s, fd, true, buf, len);
}

const struct ipct_flag_name ipct_open_flags[] = {
	N(O_NONBLOCK), N(O_CLOEXEC), N(O_DIRECT), N(O_APPEND), { 0, NULL },
};

/* O_SYNC includes O_DSYNC's bit, and O_TMPFILE O_DIRECTORY's: each goes before the other. */
const struct ipct_flag_name ipct_open_call_flags[] = {
	N(O_CREAT), N(O_EXCL), N(O_TRUNC), N(O_APPEND), N(O_NONBLOCK), N(O_CLOEXEC), N(O_NOCTTY),
	N(O_SYNC), N(O_DSYNC), N(O_TMPFILE), N(O_DIRECTORY), N(O_NOFOLLOW), N(O_DIRECT), N(O_NOATIME),
	N(O_PATH), N(O_ASYNC), { 0, NULL },
};

const struct ipct_flag_name ipct_sa_flags[] = {
	N(SA_NOCLDSTOP), N(SA_NOCLDWAIT), N(SA_SIGINFO), N(SA_ONSTACK), N(SA_RESTART),
	N(SA_NODEFER), N(SA_RESETHAND), { 0, NULL },
};

const struct ipct_flag_name ipct_wait4_options[] = {
	N(WNOHANG), N(WUNTRACED), N(WCONTINUED), N(__WNOTHREAD), N(__WALL), N(__WCLONE), { 0, NULL },
};

/* waitid's WSTOPPED is wait4's WUNTRACED. */
const struct ipct_flag_name ipct_waitid_options[] = {
	N(WNOHANG), N(WSTOPPED), N(WEXITED), N(WCONTINUED), N(WNOWAIT), N(__WNOTHREAD), N(__WALL),
	N(__WCLONE), { 0, NULL },
};

const struct ipct_flag_name ipct_sock_families[] = {
	N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_NETLINK), N(AF_PACKET), { 0, NULL },
};

const struct ipct_flag_name ipct_sock_types[] = {
	N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_RAW), N(SOCK_SEQPACKET), { 0, NULL },
};

const struct ipct_flag_name ipct_close_range_flags[] = {
	N(CLOSE_RANGE_UNSHARE), N(CLOSE_RANGE_CLOEXEC), { 0, NULL },
};

const struct ipct_flag_name ipct_ioctl_requests[] = {
	N(FIOCLEX), N(FIONCLEX), { 0, NULL },
};

const struct ipct_flag_name ipct_mq_open_flags[] = {
	N(O_WRONLY), N(O_RDWR), N(O_CREAT), N(O_EXCL), N(O_NONBLOCK), N(O_CLOEXEC), { 0, NULL },
};

const struct ipct_flag_name ipct_ipc_flags[] = {
	N(IPC_CREAT), N(IPC_EXCL), N(IPC_NOWAIT), N(MSG_NOERROR), N(MSG_EXCEPT), N(MSG_COPY), { 0, NULL },
};

const struct ipct_flag_name ipct_msgctl_cmds[] = {
	N(IPC_RMID), N(IPC_SET), N(IPC_STAT), N(IPC_INFO), N(MSG_STAT), N(MSG_INFO), N(MSG_STAT_ANY), { 0, NULL },
};

const struct ipct_flag_name ipct_semctl_cmds[] = {
	N(IPC_RMID), N(IPC_SET), N(IPC_STAT), N(IPC_INFO), N(GETPID), N(GETVAL), N(GETALL), N(GETNCNT),
	N(GETZCNT), N(SETVAL), N(SETALL), N(SEM_STAT), N(SEM_INFO), N(SEM_STAT_ANY), { 0, NULL },
};

const struct ipct_flag_name ipct_sembuf_flags[] = { N(IPC_NOWAIT), N(SEM_UNDO), { 0, NULL } };
const struct ipct_flag_name ipct_shmget_flags[] = {
	N(IPC_CREAT), N(IPC_EXCL), N(SHM_HUGETLB), N(SHM_NORESERVE), { 0, NULL },
};

const struct ipct_flag_name ipct_shmat_flags[] = {
	N(SHM_RDONLY), N(SHM_RND), N(SHM_REMAP), N(SHM_EXEC), { 0, NULL },
};

const struct ipct_flag_name ipct_mmap_prots[] = {
	N(PROT_READ), N(PROT_WRITE), N(PROT_EXEC), { 0, NULL },
};

const struct ipct_flag_name ipct_mmap_flags[] = {
	N(MAP_SHARED), N(MAP_PRIVATE), N(MAP_FIXED), N(MAP_ANONYMOUS), N(MAP_NORESERVE), N(MAP_POPULATE),
	N(MAP_LOCKED), N(MAP_FIXED_NOREPLACE), { 0, NULL },
};

const struct ipct_flag_name ipct_shmctl_cmds[] = {
	N(IPC_RMID), N(IPC_SET), N(IPC_STAT), N(IPC_INFO), N(SHM_STAT), N(SHM_INFO), N(SHM_LOCK), N(SHM_UNLOCK),
	N(SHM_STAT_ANY), { 0, NULL },
};

const struct ipct_flag_name ipct_futex_ops[] = {
	N(FUTEX_WAIT), N(FUTEX_WAKE), N(FUTEX_FD), N(FUTEX_REQUEUE), N(FUTEX_CMP_REQUEUE), N(FUTEX_WAKE_OP),
	N(FUTEX_LOCK_PI), N(FUTEX_UNLOCK_PI), N(FUTEX_TRYLOCK_PI), N(FUTEX_WAIT_BITSET), N(FUTEX_WAKE_BITSET),
	N(FUTEX_WAIT_REQUEUE_PI), N(FUTEX_CMP_REQUEUE_PI), N(FUTEX_LOCK_PI2), { 0, NULL },
};

const struct ipct_flag_name ipct_unshare_flags[] = {
	N(CLONE_FILES), N(CLONE_FS), N(CLONE_SYSVSEM), N(CLONE_NEWNS), N(CLONE_NEWCGROUP), N(CLONE_NEWUTS),
	N(CLONE_NEWIPC), N(CLONE_NEWUSER), N(CLONE_NEWPID), N(CLONE_NEWNET), N(CLONE_NEWTIME),
	N(CLONE_THREAD), N(CLONE_SIGHAND), N(CLONE_VM), { 0, NULL },
};

int ipct_flags_each(const struct ipct_flag_name *table, uint64_t value,
		    void (*fn)(const char *name, void *data), void *data)
{
	char rest[24];
	int n = 0;

	for (; table->name && value; table++) {
		if (table->value && (value & table->value) == table->value) {
			fn(table->name, data);
			value &= ~table->value;
			n++;
		}
	}
	if (value) {
		snprintf(rest, sizeof(rest), "0x%llx", (unsigned long long)value);
		fn(rest, data);
		n++;
	}
	return n;
}

/* The local midnight that begins the day days after now's (mktime counts a day with a DST change right). */
static int64_t local_midnight(int64_t now, int days)
{
	time_t t = (time_t)(now / 1000000000);
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000000000;
}

/* A span's units, as systemd.time(7) spells them ("m" is minutes, "M" months). */
static const struct {
	const char *name;
	int64_t ns;
} span_units[] = {
	{ "us", 1000 }, { "usec", 1000 }, { "ms", 1000000 }, { "msec", 1000000 },
	{ "s", 1000000000LL }, { "sec", 1000000000LL }, { "second", 1000000000LL }, { "seconds", 1000000000LL },
	{ "m", 60000000000LL }, { "min", 60000000000LL }, { "minute", 60000000000LL },
	{ "minutes", 60000000000LL },
	{ "h", 3600000000000LL }, { "hr", 3600000000000LL }, { "hour", 3600000000000LL },
	{ "hours", 3600000000000LL },
	{ "d", 86400000000000LL }, { "day", 86400000000000LL }, { "days", 86400000000000LL },
	{ "w", 604800000000000LL }, { "week", 604800000000000LL }, { "weeks", 604800000000000LL },
	{ "M", 2629800000000000LL }, { "month", 2629800000000000LL }, { "months", 2629800000000000LL },
	{ "y", 31557600000000000LL }, { "year", 31557600000000000LL }, { "years", 31557600000000000LL },
};

/* The longest span taken: a century, far from int64's limit. */
#define SPAN_MAX (36525LL * 86400000000000LL)

/* The first len bytes of s, a span: "5min", "1h 30min", "5 minutes", "90" (seconds). ns, or -1. */
static int64_t span_ns(const char *s, size_t len)
{
	const char *end = s + len;
	int64_t total = 0;
	bool any = false;

	while (s < end) {
		const char *unit;
		int64_t v = 0, mul = -1;
		size_t n;

		if (!isdigit((unsigned char)*s))
			return -1;
		for (; s < end && isdigit((unsigned char)*s); s++) {
			v = v * 10 + (*s - '0');
			if (v > SPAN_MAX / 1000)
				return -1;
		}
		while (s < end && *s == ' ')
			s++;
		for (unit = s; s < end && isalpha((unsigned char)*s); s++)
			;
		n = (size_t)(s - unit);
		if (!n)
			mul = 1000000000LL;
		for (size_t i = 0; n && i < sizeof(span_units) / sizeof(span_units[0]); i++)
			if (strlen(span_units[i].name) == n && !strncmp(span_units[i].name, unit, n))
				mul = span_units[i].ns;
		if (mul < 0 || v > (SPAN_MAX - total) / mul)
			return -1;
		total += v * mul;
		any = true;
		while (s < end && *s == ' ')
			s++;
	}
	return any ? total : -1;
}

/* A date and time of day as the formats read it, local or UTC: 0, or -EINVAL when it is no such time. */
static int date_ns(const char *s, int64_t now, bool utc, int64_t *out)
{
	static const char *const formats[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
					       "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%H:%M:%S", "%H:%M" };

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct tm tm = { 0 }, want, got;
		int64_t frac = 0;
		const char *end;
		time_t t;

		end = strptime(s, formats[i], &tm);
		if (!end)
			continue;
		/* Fractions of a second, after seconds only. */
		if (*end == '.' && strstr(formats[i], "%S")) {
			int digits = 0;

			for (end++; isdigit((unsigned char)*end) && digits < 9; end++, digits++)
				frac = frac * 10 + (*end - '0');
			if (!digits)
				continue;
			for (; digits < 9; digits++)
				frac *= 10;
		}
		if (*end)
			continue;
		if (formats[i][1] == 'H') {     /* a time of day: today's */
			time_t today = (time_t)(now / 1000000000);
			struct tm d;

			if (utc)
				gmtime_r(&today, &d);
			else
				localtime_r(&today, &d);
			tm.tm_year = d.tm_year;
			tm.tm_mon = d.tm_mon;
			tm.tm_mday = d.tm_mday;
		}
		want = tm;
		tm.tm_isdst = -1;
		t = utc ? timegm(&tm) : mktime(&tm);
		/* mktime rolls 30 February over into March, and 00:10:60 into 00:11:00: neither is a time. */
		if (t == (time_t)-1 || !(utc ? gmtime_r(&t, &got) : localtime_r(&t, &got)) ||
		    got.tm_mday != want.tm_mday || got.tm_mon != want.tm_mon || got.tm_year != want.tm_year ||
		    got.tm_hour != want.tm_hour || got.tm_min != want.tm_min || got.tm_sec != want.tm_sec)
			return -EINVAL;
		*out = (int64_t)t * 1000000000 + frac;
		return 0;
	}
	return -EINVAL;
}

int ipct_parse_time(const char *s, int64_t now, int64_t boot, int64_t *out)
{
	size_t len = strlen(s);
	int64_t span;

	if (!strcasecmp(s, "now")) {
		*out = now;
	} else if (!strcasecmp(s, "boot")) {
		*out = boot;
	} else if (!strcasecmp(s, "today") || !strcasecmp(s, "yesterday") || !strcasecmp(s, "tomorrow")) {
		*out = local_midnight(now, !strcasecmp(s, "yesterday") ? -1 : !strcasecmp(s, "tomorrow") ? 1 : 0);
	} else if (s[0] == '@') {
		for (size_t i = 1; i < len; i++)
			if (!isdigit((unsigned char)s[i]))
				return -EINVAL;
		span = span_ns(s + 1, len - 1);
		if (span < 0)
			return -EINVAL;
		*out = span;
	} else if (s[0] == '-' || s[0] == '+') {
		span = span_ns(s + 1, len - 1);
		if (span < 0)
			return -EINVAL;
		*out = s[0] == '-' ? now - span : now + span;
	} else if (len > 4 && !strcmp(s + len - 4, " ago")) {
		span = span_ns(s, len - 4);
		if (span < 0)
			return -EINVAL;
		*out = now - span;
	} else if (len > 1 && s[len - 1] == 'Z') {
		char local[64];

		snprintf(local, sizeof(local), "%.*s", (int)(len - 1), s);
		return len < sizeof(local) ? date_ns(local, now, true, out) : -EINVAL;
	} else if (len > 4 && !strcmp(s + len - 4, " UTC")) {
		char local[64];

		snprintf(local, sizeof(local), "%.*s", (int)(len - 4), s);
		return len < sizeof(local) ? date_ns(local, now, true, out) : -EINVAL;
	} else {
		return date_ns(s, now, false, out);
	}
	return 0;
}
