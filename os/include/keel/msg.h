#pragma once
/* Channels, connections, messages and pulses: the structures and flags of
 * ChannelCreate, ConnectAttach, MsgSend*, MsgReceive*, MsgReply*, MsgRead*,
 * MsgWrite*, MsgInfo, MsgSendPulse and ConnectClientInfo.  Names and values
 * follow QNX Neutrino; the layouts are Keel's (64-bit, fixed by the asserts). */
#include <stddef.h>
#include <stdint.h>
#include "sigevent.h"

/* ---- I/O vectors --------------------------------------------------------- */

/* One piece of a message.  Keel's tag (libc's struct iovec has this layout). */
typedef struct _iovec {
	void *iov_base;
	size_t iov_len;
} iov_t;

#define SETIOV(iov, base, len) \
	((void)((iov)->iov_base = (void *)(base), (iov)->iov_len = (size_t)(len)))
#define GETIOVBASE(iov) ((iov)->iov_base)
#define GETIOVLEN(iov)  ((iov)->iov_len)

_Static_assert(sizeof(iov_t) == 16, "iov_t layout");

/* The most parts either side of one message may have (MsgSendv's sparts
 * and rparts, MsgReplyv's, MsgReadv's ...): more is EINVAL.  The kernel
 * copies a vector onto its own stack and into the thread, so it is small;
 * libc's IOV_MAX is this less the part an I/O message's header takes: 17
 * leaves readv and writev XSI's least, _XOPEN_IOV_MAX (16). */
#define KEEL_MSG_PARTS_MAX 17

/* ---- channels ------------------------------------------------------------ */

/* ChannelCreate flags (QNX values). */
#define _NTO_CHF_FIXED_PRIORITY   0x0001u  /* receivers keep their own priority */
#define _NTO_CHF_UNBLOCK          0x0002u  /* a REPLY-blocked client's unblock is a pulse */
#define _NTO_CHF_THREAD_DEATH     0x0004u  /* a pulse when a thread of this process dies */
#define _NTO_CHF_DISCONNECT       0x0008u  /* a pulse when a client's last connection goes */
#define _NTO_CHF_COID_DISCONNECT  0x0040u  /* a pulse when a server we connect to dies */
/* Every flag ChannelCreate knows; any other bit is EINVAL. */
#define _NTO_CHF_KNOWN            (_NTO_CHF_FIXED_PRIORITY | _NTO_CHF_UNBLOCK | \
				   _NTO_CHF_THREAD_DEATH | _NTO_CHF_DISCONNECT | \
				   _NTO_CHF_COID_DISCONNECT)

/* ---- connections --------------------------------------------------------- */

/* ConnectAttach: node descriptor of this machine. */
#define ND_LOCAL_NODE             0u
/* ConnectAttach index: take the lowest free id at or above this one, apart
 * from the file-descriptor range (QNX value). */
#define _NTO_SIDE_CHANNEL         0x40000000
/* ConnectAttach flags (QNX value). */
#define _NTO_COF_CLOEXEC          0x0001

/* ---- pulses -------------------------------------------------------------- */

/* struct _pulse type and subtype (QNX values). */
#define _PULSE_TYPE               0
#define _PULSE_SUBTYPE            0

/* Codes the kernel sends; user codes are _PULSE_CODE_MINAVAIL..MAXAVAIL. */
#define _PULSE_CODE_UNBLOCK       (-32)   /* value: rcvid of the client to unblock */
#define _PULSE_CODE_DISCONNECT    (-33)   /* scoid: the client whose connections are gone */
#define _PULSE_CODE_THREADDEATH   (-34)   /* value: tid of the dead thread */
#define _PULSE_CODE_COIDDEATH     (-35)   /* value: coid to the dead server */
#define _PULSE_CODE_MINAVAIL      0
#define _PULSE_CODE_MAXAVAIL      127

/* What MsgReceive* writes for a pulse (its return value is then 0). */
struct _pulse {
	uint16_t type;                  /* _PULSE_TYPE */
	uint16_t subtype;               /* _PULSE_SUBTYPE */
	int8_t code;
	uint8_t zero[3];
	union sigval value;
	int32_t scoid;                  /* server connection of the sender */
	uint32_t reserved;
};

_Static_assert(sizeof(struct _pulse) == 24, "struct _pulse layout");
_Static_assert(offsetof(struct _pulse, code) == 4, "struct _pulse layout");
_Static_assert(offsetof(struct _pulse, value) == 8, "struct _pulse layout");
_Static_assert(offsetof(struct _pulse, scoid) == 16, "struct _pulse layout");

/* ---- message information -------------------------------------------------- */

/* _msg_info.flags (QNX values). */
#define _NTO_MI_ENDIAN_BIG        0x0001  /* sender is big endian (never on Keel) */
#define _NTO_MI_ENDIAN_DIFF       0x0002  /* sender's endianness differs (never) */
#define _NTO_MI_UNBLOCK_REQ       0x0100  /* the client asked to be unblocked */

/* Filled by MsgReceivev (for messages) and MsgInfo. */
struct _msg_info {
	uint32_t nd;                    /* ND_LOCAL_NODE */
	uint32_t srcnd;                 /* ND_LOCAL_NODE */
	int32_t pid;                    /* sender's process */
	int32_t tid;                    /* sender's thread */
	int32_t chid;                   /* channel it arrived on */
	int32_t scoid;                  /* server connection: names the client */
	int32_t coid;                   /* the sender's connection id */
	int32_t msglen;                 /* bytes copied into the receive buffer */
	int32_t srcmsglen;              /* bytes the sender sent */
	int32_t dstmsglen;              /* bytes the sender can take as a reply */
	int16_t priority;               /* sender's priority */
	int16_t flags;                  /* _NTO_MI_* */
	uint32_t reserved;
};

_Static_assert(sizeof(struct _msg_info) == 48, "struct _msg_info layout");
_Static_assert(offsetof(struct _msg_info, msglen) == 28, "struct _msg_info layout");
_Static_assert(offsetof(struct _msg_info, priority) == 40, "struct _msg_info layout");

/* ---- client credentials ---------------------------------------------------- */

/* Supplementary groups reported by ConnectClientInfo (Keel's limit). */
#define _NTO_CLIENT_NGROUPS       8

struct _cred_info {
	uint32_t ruid, euid, suid;
	uint32_t rgid, egid, sgid;
	uint32_t ngroups;               /* groups the process has (may exceed the array) */
	uint32_t grouplist[_NTO_CLIENT_NGROUPS];
};

/* _client_info.flags (Keel's): the process ignores SIGTTOU, so a terminal
 * lets it write and change settings from the background (POSIX.1 11.1.4). */
#define _NTO_CI_TTOU_IGNORED  0x0001u

/* Filled by ConnectClientInfo(scoid, info, ngroups): the process behind a
 * server connection, or the caller itself for scoid -1. */
struct _client_info {
	uint32_t nd;                    /* ND_LOCAL_NODE */
	int32_t pid;
	int32_t sid;                    /* session (taskman's), 0 before it set one */
	int32_t tid;                    /* Keel: the calling thread for scoid -1, else 0 */
	uint32_t flags;                 /* _NTO_CI_* */
	int32_t pgid;                   /* Keel: process group (taskman's), 0 before it set one */
	struct _cred_info cred;
};

_Static_assert(sizeof(struct _cred_info) == 60, "struct _cred_info layout");
_Static_assert(sizeof(struct _client_info) == 84, "struct _client_info layout");
