/* The scalar message calls: one buffer on each side, passed to the vector
 * kernel calls as a one-part I/O vector (MsgSend and MsgReceive are kernel
 * calls of their own: <keel/kcall.h>). */
#include "urt.h"

int MsgReceivePulse_r(int chid, void *pulse, size_t bytes, struct _msg_info *info)
{
	iov_t iov;

	SETIOV(&iov, pulse, bytes);
	return MsgReceivePulsev_r(chid, &iov, 1, info);
}

int MsgReply_r(int rcvid, long status, const void *msg, size_t bytes)
{
	iov_t iov;

	SETIOV(&iov, msg, bytes);
	return MsgReplyv_r(rcvid, status, &iov, 1);
}

int MsgReplyReceive_r(int rcvid, long status, const void *rmsg, size_t rbytes, int chid,
		      void *msg, size_t bytes, struct _msg_info *info)
{
	if ((rbytes | bytes) >> 32) {   /* more than the one-register form holds */
		iov_t r, m;

		SETIOV(&r, rmsg, rbytes);
		SETIOV(&m, msg, bytes);
		return MsgReplyReceivev_r(_MSG_RR_IDS(rcvid, chid), status, &r,
					  _MSG_RR_PARTS(1, 1), &m, info);
	}
	return MsgReplyReceives_r(_MSG_RR_IDS(rcvid, chid), status, rmsg,
				  _MSG_RR_PARTS(rbytes, bytes), msg, info);
}

long MsgRead_r(int rcvid, void *msg, size_t bytes, size_t offset)
{
	iov_t iov;

	SETIOV(&iov, msg, bytes);
	return MsgReadv_r(rcvid, &iov, 1, offset);
}

long MsgWrite_r(int rcvid, const void *msg, size_t bytes, size_t offset)
{
	iov_t iov;

	SETIOV(&iov, msg, bytes);
	return MsgWritev_r(rcvid, &iov, 1, offset);
}

int MsgReplyReceive(int rcvid, long status, const void *rmsg, size_t rbytes, int chid,
		    void *msg, size_t bytes, struct _msg_info *info)
{
	return (int)urt_errno(MsgReplyReceive_r(rcvid, status, rmsg, rbytes, chid, msg, bytes,
						info));
}

int MsgReceivePulse(int chid, void *pulse, size_t bytes, struct _msg_info *info)
{
	return (int)urt_errno(MsgReceivePulse_r(chid, pulse, bytes, info));
}

int MsgReply(int rcvid, long status, const void *msg, size_t bytes)
{
	return (int)urt_errno(MsgReply_r(rcvid, status, msg, bytes));
}

long MsgRead(int rcvid, void *msg, size_t bytes, size_t offset)
{
	return urt_errno(MsgRead_r(rcvid, msg, bytes, offset));
}

long MsgWrite(int rcvid, const void *msg, size_t bytes, size_t offset)
{
	return urt_errno(MsgWrite_r(rcvid, msg, bytes, offset));
}
