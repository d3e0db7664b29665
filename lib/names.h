/* SPDX-License-Identifier: MIT */
/* Names for the numbers a trace carries: signals, si_codes, errno, flags. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "say.h"       /* ipct_say: messages built a clause at a time */

/* "SIGUSR1", "SIGRTMIN+3"; NULL outside 1..64. */
const char *ipct_sig_name(int sig);
/* Parses "SIGUSR1", "usr1", "10", "SIGRTMIN+1", "RTMAX-2"; -EINVAL when it is none. */
int ipct_sig_parse(const char *s);
enum ipct_sig_dfl { IPCT_DFL_TERM, IPCT_DFL_CORE, IPCT_DFL_STOP, IPCT_DFL_CONT, IPCT_DFL_IGN };
/* The default action of sig. */
enum ipct_sig_dfl ipct_sig_default(int sig);
/* ... named: "Term", "Core", "Stop", "Cont" or "Ign". */
const char *ipct_sig_default_action(int sig);

/* "SI_USER", "CLD_EXITED", "SEGV_MAPERR", ...; NULL when unknown. */
const char *ipct_sigcode_name(int sig, int code);
/* "queued", "ignored", "merged", "overflow", "lose_info". */
const char *ipct_sig_result_name(int result);
/* "EPIPE", "ERESTARTSYS"; NULL when unknown. */
const char *ipct_errno_name(int err);
/* A kernel-internal restart code: a signal interrupted the call. */
bool ipct_errno_is_restart(int err);
/* "pipe", "fifo", "socket", "other", NULL for none. */
const char *ipct_kind_name(int kind);

struct ipct_stdio;
/* An object's name as /proc/PID/fd gives it: "pipe:[N]", "socket:[N]", "/dev/pts/3"; "" for other kinds. */
void ipct_object_name(int kind, uint64_t ino, char *buf, size_t len);
/* What descriptor fd (0-2) of an exec's record was: an object's name, "/dev/null", "a file (inode N)", "closed". */
void ipct_stdio_name(const struct ipct_stdio *s, int fd, char *buf, size_t len);
/* The same as a %s argument of ipct_say, its words translated with the message (ipct_sub). */
void ipct_stdio_clause(const struct ipct_stdio *s, int fd, char *buf, size_t len);

struct ipct_flag_name {
	uint64_t value;
	const char *name;
};

extern const struct ipct_flag_name ipct_open_flags[];   /* O_NONBLOCK, O_CLOEXEC, ... */
extern const struct ipct_flag_name ipct_open_call_flags[];      /* open's: O_CREAT, O_EXCL, ... (not the access mode) */
extern const struct ipct_flag_name ipct_sa_flags[];     /* SA_RESTART, ... */
/*
 * Flags left out of lists, ABI details that no program chose: the C
 * library sets SA_RESTORER on every handler, and x86 kernels mark the
 * handlers that 32-bit code installs (SA_IA32_ABI, SA_X32_ABI) at delivery.
 */
#define IPCT_SA_RESTORER 0x04000000ULL
#define IPCT_SA_HIDDEN (IPCT_SA_RESTORER | 0x02000000ULL | 0x01000000ULL)
extern const struct ipct_flag_name ipct_wait4_options[];  /* WNOHANG, WUNTRACED, ... */
extern const struct ipct_flag_name ipct_waitid_options[]; /* WNOHANG, WSTOPPED, WEXITED, ... */
extern const struct ipct_flag_name ipct_sock_families[];
extern const struct ipct_flag_name ipct_sock_types[];
extern const struct ipct_flag_name ipct_close_range_flags[]; /* CLOSE_RANGE_UNSHARE, CLOSE_RANGE_CLOEXEC */
extern const struct ipct_flag_name ipct_ioctl_requests[];    /* FIOCLEX, FIONCLEX: the ones traced */
extern const struct ipct_flag_name ipct_mq_open_flags[];     /* mq_open: O_WRONLY, O_CREAT, ... */
extern const struct ipct_flag_name ipct_ipc_flags[];         /* IPC_CREAT, IPC_NOWAIT, MSG_NOERROR, ... */
extern const struct ipct_flag_name ipct_msgctl_cmds[];       /* IPC_RMID, IPC_SET, IPC_STAT, ... */
extern const struct ipct_flag_name ipct_semctl_cmds[];       /* IPC_RMID, GETVAL, SETVAL, SETALL, ... */
extern const struct ipct_flag_name ipct_sembuf_flags[];      /* a sembuf's sem_flg: IPC_NOWAIT, SEM_UNDO */
extern const struct ipct_flag_name ipct_shmget_flags[];      /* IPC_CREAT, IPC_EXCL, SHM_HUGETLB, ... */
extern const struct ipct_flag_name ipct_shmat_flags[];       /* SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC */
extern const struct ipct_flag_name ipct_mmap_prots[];        /* PROT_READ, PROT_WRITE, PROT_EXEC */
extern const struct ipct_flag_name ipct_mmap_flags[];        /* MAP_SHARED, MAP_ANONYMOUS, ... */
extern const struct ipct_flag_name ipct_shmctl_cmds[];       /* IPC_RMID, IPC_SET, IPC_STAT, SHM_LOCK, ... */
extern const struct ipct_flag_name ipct_futex_ops[];         /* FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET, ... */
extern const struct ipct_flag_name ipct_unshare_flags[];     /* CLONE_FILES, CLONE_NEWNS, ... */

/*
 * Calls fn(name, data) for each flag of the table set in value, and once
 * with a hexadecimal rest for unnamed bits. Returns the number of calls.
 */
int ipct_flags_each(const struct ipct_flag_name *table, uint64_t value,
		    void (*fn)(const char *name, void *data), void *data);
/* The name of value in an enumeration table, or NULL. */
const char *ipct_enum_name(const struct ipct_flag_name *table, uint64_t value);

/*
 * A time for --since/--until, in wall-clock ns, in journalctl's syntax
 * (systemd.time(7)): "now", "boot", "today", "yesterday", "tomorrow" (in
 * any case); relative "-SPAN", "+SPAN" or "SPAN ago", a span being numbers
 * with units ("5min", "1h 30min", "5 minutes", "2d"; us, ms, s, sec,
 * second(s), m, min, minute(s), h, hr, hour(s), d, day(s), w, week(s),
 * M, month(s), y, year(s); none: seconds); "@EPOCH" (seconds); local
 * "YYYY-MM-DD[ HH:MM[:SS[.frac]]]" or ISO 8601 with T, "Z" or " UTC" at
 * the end for UTC; "HH:MM[:SS]" (today). Out-of-range fields (00:10:60,
 * 30 February) are refused, not rolled over. now and boot are wall-clock
 * ns. -EINVAL when it is none.
 */
int ipct_parse_time(const char *s, int64_t now, int64_t boot, int64_t *out);
