/* SPDX-License-Identifier: MIT */
/*
 * The protocol between ipctraced and its clients, over a Unix stream socket.
 *
 * Both directions carry frames: an 8-byte header, then `len` bytes. A
 * client sends only JSON frames (one request object each, at most
 * IPCT_MAX_REQUEST bytes). The daemon answers each request with one JSON
 * frame ({"ok":true,...} or {"ok":false,"error":"..."}), and streams a
 * subscribed session as EVENT frames (one struct ipct_event each), SIGREC
 * frames (one lifecycle record each, as a signal's story ends) and JSON
 * notices ({"notice":"session_end",...}, {"notice":"lost",...}).
 * docs/protocol.md describes every request and notice.
 */
#ifndef IPCTRACE_PROTO_H
#define IPCTRACE_PROTO_H

#include <linux/types.h>

#define IPCT_SOCKET_PATH "/run/ipctrace/ipctrace.sock"
#define IPCT_JOURNAL_DIR "/var/lib/ipctrace/journal"
#define IPCT_PROTO_VERSION 1
#define IPCT_MAX_REQUEST (64 * 1024)
/*
 * The most events a log query's "limit" (ipctrace log -n) may ask for:
 * more than a journal of the default 1 GiB holds. The daemon walks back
 * from the journal's end and streams, so its memory does not grow with it.
 */
#define IPCT_LOG_LIMIT_MAX 10000000

enum ipct_msg_type {
	IPCT_MSG_JSON = 1,
	IPCT_MSG_EVENT = 2,
	IPCT_MSG_SIGREC = 3,    /* one struct ipct_sigrec (ipctrace/sigrec.h) */
};

struct ipct_msg_hdr {
	__u32 len;              /* payload bytes after this header */
	__u16 type;             /* enum ipct_msg_type */
	__u16 flags;            /* 0 */
};

_Static_assert(sizeof(struct ipct_msg_hdr) == 8, "ipct_msg_hdr layout");

#endif /* IPCTRACE_PROTO_H */
