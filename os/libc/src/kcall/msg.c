/* The scalar message calls: one buffer on each side, passed to the vector
 * kernel calls as a one-part I/O vector (both QNX shapes; MsgSend and
 * MsgReceive are kernel calls of their own: <keel/kcall.h>). */
#include <keel/neutrino.h>
#include "libc.h"

int MsgReceivePulse_r(int chid, void *pulse, size_t bytes, struct _msg_info *info)
{
	iov_t iov;

	SETIOV(&iov, pulse, bytes);
	return MsgReceivePulsev_r(chid, &iov, 1, info);
}

int MsgReceivePulse(int chid, void *pulse, size_t bytes, struct _msg_info *info)
{
	return (int)__syscall_ret(MsgReceivePulse_r(chid, pulse, bytes, info));
}

int MsgReply_r(int rcvid, long status, const void *msg, size_t bytes)
{
	iov_t iov;

	SETIOV(&iov, msg, bytes);
	return MsgReplyv_r(rcvid, status, &iov, 1);
}

int MsgReply(int rcvid, long status, const void *msg, size_t bytes)
{
	return (int)__syscall_ret(MsgReply_r(rcvid, status, msg, bytes));
}

long MsgRead_r(int rcvid, void *msg, size_t bytes, size_t offset)
{
	iov_t iov;

	SETIOV(&iov, msg, bytes);
	return MsgReadv_r(rcvid, &iov, 1, offset);
}

long MsgRead(int rcvid, void *msg, size_t bytes, size_t offset)
{
	return __syscall_ret(MsgRead_r(rcvid, msg, bytes, offset));
}

long MsgWrite_r(int rcvid, const void *msg, size_t bytes, size_t offset)
{
	iov_t iov;

	SETIOV(&iov, msg, bytes);
	return MsgWritev_r(rcvid, &iov, 1, offset);
}

long MsgWrite(int rcvid, const void *msg, size_t bytes, size_t offset)
{
	return __syscall_ret(MsgWrite_r(rcvid, msg, bytes, offset));
}
