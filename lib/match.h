/* SPDX-License-Identifier: MIT */
/*
 * journalctl-style matches: FIELD=VALUE terms; the same field given twice
 * means either value (OR), different fields must all match (AND). The
 * field set and how each value is read come from the caller's table; the
 * daemon parses and evaluates, so a bad term is refused before anything
 * runs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipct_match_type {
	IPCT_MT_INT,            /* a decimal number (pid, session) */
	IPCT_MT_SIG,            /* a signal: SIGUSR1, usr1, 10, SIGRTMIN+1 */
	IPCT_MT_NAME,           /* one of the names in `names` */
	IPCT_MT_STR,            /* any string up to IPCT_MATCH_STR_LEN-1 bytes (a path) */
	IPCT_MT_COMM,           /* a command name: at most 15 bytes, as the kernel keeps it */
	IPCT_MT_OBJECT,         /* pipe:[N], socket:[N], mqueue:[N], shm:[N], sem:[N], msq:ID, sem:ID, shm:ID or the inode N */
};

#define IPCT_MATCH_STR_LEN 64

struct ipct_match_field {
	const char *name;
	enum ipct_match_type type;
	const char *const *names;       /* IPCT_MT_NAME: the valid values, NULL-terminated */
	const char *help;               /* what it matches, for the list of valid fields */
};

/* The kind an OBJECT term names: any (a bare inode), a pipe or FIFO, a socket, a queue, a semaphore set, a segment. */
enum { IPCT_MATCH_ANY, IPCT_MATCH_PIPE, IPCT_MATCH_SOCKET, IPCT_MATCH_MQUEUE, IPCT_MATCH_MSGQ, IPCT_MATCH_SEM,
       IPCT_MATCH_SHM };

/* The OBJECT kind of an object of that kind (enum ipct_obj_kind); -1 for none. */
int ipct_match_kind(int kind);

struct ipct_match_term {
	int field;                      /* index in the field table */
	int64_t num;                    /* INT, SIG; NAME: the index in names; OBJECT: the inode
					 * (a System V queue's: IPCT_SYSV_INO(id), a set's IPCT_SYSV_SEM_INO(id),
					 * a segment's IPCT_SYSV_SHM_INO(id)) */
	int kind;                       /* OBJECT: IPCT_MATCH_ANY, _PIPE, _SOCKET, _MQUEUE, _MSGQ, _SEM or _SHM */
	char str[IPCT_MATCH_STR_LEN];   /* STR, COMM */
};

struct ipct_match {
	const struct ipct_match_field *fields;
	int nterms;
	struct ipct_match_term terms[];
};

/*
 * Parses n terms against fields (terminated by a NULL name). A value list,
 * FIELD=A,B, is FIELD=A FIELD=B (but for STR and COMM, whose values may hold
 * commas); NAME values are matched case-insensitively. NULL with a message
 * in err (naming the bad term and listing the valid fields or values) when
 * a term is wrong or memory is short.
 */
struct ipct_match *ipct_match_parse(const struct ipct_match_field *fields, const char *const *terms,
				    int n, char *err, size_t errlen);
void ipct_match_free(struct ipct_match *m);

/*
 * Whether an object matches: test(obj, term) says whether one term holds;
 * the grouping (OR within a field, AND across fields) is done here.
 */
bool ipct_match_eval(const struct ipct_match *m,
		     bool (*test)(const void *obj, const struct ipct_match_term *t), const void *obj);
