// SPDX-License-Identifier: MIT
/* Unit tests for lib/names.c: signal names both ways, si_codes, errno, flags. */
#include <errno.h>
#include <signal.h>

#include "check.h"
#include "names.h"

static void join(const char *name, void *data)
{
	char *buf = data;

	if (*buf)
		strcat(buf, "|");
	strcat(buf, name);
}

int main(void)
{
	char buf[256];

	CHECK_STR(ipct_sig_name(SIGUSR1), "SIGUSR1");
	CHECK_STR(ipct_sig_name(SIGCHLD), "SIGCHLD");
	CHECK_STR(ipct_sig_name(SIGRTMIN), "SIGRTMIN");
	CHECK_STR(ipct_sig_name(SIGRTMIN + 1), "SIGRTMIN+1");
	CHECK_STR(ipct_sig_name(SIGRTMAX), "SIGRTMAX");
	CHECK_STR(ipct_sig_name(SIGRTMAX - 2), "SIGRTMAX-2");
	CHECK_STR(ipct_sig_name(0), NULL);
	CHECK_STR(ipct_sig_name(65), NULL);

	CHECK_INT(ipct_sig_parse("SIGUSR1"), SIGUSR1);
	CHECK_INT(ipct_sig_parse("usr2"), SIGUSR2);
	CHECK_INT(ipct_sig_parse("15"), SIGTERM);
	CHECK_INT(ipct_sig_parse("SIGRTMIN+1"), SIGRTMIN + 1);
	CHECK_INT(ipct_sig_parse("RTMAX-2"), SIGRTMAX - 2);
	CHECK_INT(ipct_sig_parse("SIGCLD"), SIGCHLD);
	/* Names round-trip for every signal. */
	for (int sig = 1; sig <= 64; sig++)
		if (ipct_sig_name(sig) && sig >= SIGRTMIN)
			CHECK_INT(ipct_sig_parse(ipct_sig_name(sig)), sig);
	for (int sig = 1; sig < 32; sig++)
		if (ipct_sig_name(sig))
			CHECK_INT(ipct_sig_parse(ipct_sig_name(sig)), sig);
	CHECK_INT(ipct_sig_parse("SIGFOO"), -EINVAL);
	CHECK_INT(ipct_sig_parse("0"), -EINVAL);
	CHECK_INT(ipct_sig_parse("65"), -EINVAL);
	CHECK_INT(ipct_sig_parse("10x"), -EINVAL);
	CHECK_INT(ipct_sig_parse("SIGRTMIN+99"), -EINVAL);
	CHECK_INT(ipct_sig_parse(""), -EINVAL);

	CHECK_STR(ipct_sig_default_action(SIGTERM), "Term");
	CHECK_STR(ipct_sig_default_action(SIGSEGV), "Core");
	CHECK_STR(ipct_sig_default_action(SIGCHLD), "Ign");
	CHECK_STR(ipct_sig_default_action(SIGTSTP), "Stop");
	CHECK_STR(ipct_sig_default_action(SIGCONT), "Cont");

	CHECK_STR(ipct_sigcode_name(SIGUSR1, SI_USER), "SI_USER");
	CHECK_STR(ipct_sigcode_name(SIGUSR1, SI_QUEUE), "SI_QUEUE");
	CHECK_STR(ipct_sigcode_name(SIGCHLD, CLD_EXITED), "CLD_EXITED");
	CHECK_STR(ipct_sigcode_name(SIGCHLD, CLD_KILLED), "CLD_KILLED");
	CHECK_STR(ipct_sigcode_name(SIGSEGV, SEGV_MAPERR), "SEGV_MAPERR");
	CHECK_STR(ipct_sigcode_name(SIGPIPE, SI_KERNEL), "SI_KERNEL");
	CHECK_STR(ipct_sigcode_name(SIGUSR1, 77), NULL);

	CHECK_STR(ipct_sig_result_name(0), "queued");
	CHECK_STR(ipct_sig_result_name(2), "merged");
	CHECK_STR(ipct_sig_result_name(4), "lose_info");
	CHECK_STR(ipct_sig_result_name(5), NULL);

	CHECK_STR(ipct_errno_name(EPIPE), "EPIPE");
	CHECK_STR(ipct_errno_name(EAGAIN), "EAGAIN");
	CHECK_STR(ipct_errno_name(512), "ERESTARTSYS");
	CHECK(ipct_errno_is_restart(512));
	CHECK(!ipct_errno_is_restart(EINTR));

	buf[0] = 0;
	CHECK_INT(ipct_flags_each(ipct_sa_flags, SA_RESTART | SA_SIGINFO, join, buf), 2);
	CHECK_STR(buf, "SA_SIGINFO|SA_RESTART");
	buf[0] = 0;
	CHECK_INT(ipct_flags_each(ipct_sa_flags, SA_RESTART | 0x40000000000ULL, join, buf), 2);
	CHECK_STR(buf, "SA_RESTART|0x40000000000");
	buf[0] = 0;
	CHECK_INT(ipct_flags_each(ipct_open_flags, 0, join, buf), 0);
	CHECK_STR(ipct_kind_name(3), "fifo");
	return check_done("test-names");
}
