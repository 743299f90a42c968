/* The calls kfuzz makes: KCALL_TABLE expanded (names, argument counts,
 * privileges), and hints saying what kind each argument is.  A call with no
 * hint row is still fuzzed, every argument ARG_ANY; a hint makes more of its
 * calls reach the code behind argument checking, and keeps kfuzz from
 * destroying itself (ARG_TID and the _OWN kinds never name kfuzz's own
 * threads or its servers; ARG_VADDR never names kfuzz's own image). */
#include "kfuzz.h"

#define NAME_(num, name, nargs, priv) [num] = #name,
const char *const call_name[KCALL_COUNT] = { KCALL_TABLE(NAME_) };
#undef NAME_

#define NARGS_(num, name, nargs, priv) [num] = (nargs),
const uint8_t call_nargs[KCALL_COUNT] = { KCALL_TABLE(NARGS_) };
#undef NARGS_

#define PRIV_(num, name, nargs, priv) [num] = (priv),
const uint8_t call_priv[KCALL_COUNT] = { KCALL_TABLE(PRIV_) };
#undef PRIV_

#define H(name, ...) [KCALL_##name] = { __VA_ARGS__ }
const uint8_t call_hint[KCALL_COUNT][KCALL_MAX_ARGS] = {
	H(DebugPutString, ARG_TEXT, ARG_TEXTLEN),
	H(ProcessExit, ARG_STATUS),
	H(ChannelCreate, ARG_FLAGS),
	H(ChannelDestroy, ARG_CHID_OWN),
	H(ConnectAttach, ARG_ND, ARG_PID, ARG_CHID, ARG_FLAGS, ARG_FLAGS),
	H(ConnectDetach, ARG_COID_OWN),
	H(ConnectClientInfo, ARG_SCOID, ARG_CLIENTINFO, ARG_LEN),
	H(ConnectClientOf, ARG_SCOID, ARG_CHID),
	H(MsgSendv, ARG_COID, ARG_IOV, ARG_NIOV, ARG_IOV, ARG_NIOV),
	H(MsgSendvs, ARG_COID, ARG_IOV, ARG_NIOV, ARG_BUF_OUT, ARG_LEN),
	H(MsgSendsv, ARG_COID, ARG_BUF_IN, ARG_LEN, ARG_IOV, ARG_NIOV),
	H(MsgReceivev, ARG_CHID, ARG_IOV, ARG_NIOV, ARG_MSGINFO),
	H(MsgReceivePulsev, ARG_CHID, ARG_IOV, ARG_NIOV, ARG_MSGINFO),
	H(MsgReplyv, ARG_RCVID, ARG_STATUS, ARG_IOV, ARG_NIOV),
	H(MsgError, ARG_RCVID, ARG_STATUS),
	H(MsgReplyReceivev, ARG_RCVID_CHID, ARG_STATUS, ARG_IOV, ARG_NIOV2, ARG_IOV, ARG_MSGINFO),
	H(MsgSend, ARG_COID, ARG_BUF_IN, ARG_LEN, ARG_BUF_OUT, ARG_LEN),
	H(MsgReplyReceives, ARG_RCVID_CHID, ARG_STATUS, ARG_BUF_IN, ARG_LEN2, ARG_BUF_OUT,
	  ARG_MSGINFO),
	H(MsgReceive, ARG_CHID, ARG_BUF_OUT, ARG_LEN, ARG_MSGINFO),
	H(MsgReadv, ARG_RCVID, ARG_IOV, ARG_NIOV, ARG_LEN),
	H(MsgWritev, ARG_RCVID, ARG_IOV, ARG_NIOV, ARG_LEN),
	H(MsgInfo, ARG_RCVID, ARG_MSGINFO),
	H(MsgSendPulse, ARG_COID, ARG_PRIO, ARG_INT, ARG_INT),
	H(MsgDeliverEvent, ARG_RCVID, ARG_EVENT),
	H(ThreadCreate, ARG_PID, ARG_FUNC, ARG_STATUS, ARG_ATTR),
	H(ThreadDestroy, ARG_TID, ARG_PRIO, ARG_STATUS),
	H(ThreadJoin, ARG_TID, ARG_STATUSP),
	H(ThreadDetach, ARG_TID),
	H(SchedGet, ARG_PID, ARG_TID_ANY, ARG_SPARAM_OUT),
	H(SchedSet, ARG_PID, ARG_TID_ANY, ARG_POLICY, ARG_SPARAM),
	H(SyncTypeCreate, ARG_SYNCTYPE, ARG_SYNC, ARG_SATTR),
	H(SyncDestroy, ARG_SYNC),
	H(SyncMutexLock, ARG_SYNC),
	H(SyncMutexUnlock, ARG_MUTEX),
	H(SyncCondvarWait, ARG_SYNC, ARG_MUTEX),
	H(SyncCondvarSignal, ARG_SYNC, ARG_FLAGS),
	H(SyncSemPost, ARG_SYNC),
	H(SyncSemWait, ARG_SYNC, ARG_FLAGS),
	H(ClockTime, ARG_CLOCK, ARG_NS, ARG_NS_OUT),
	H(ClockId, ARG_PID, ARG_TID_ANY),
	H(TimerCreate, ARG_CLOCK, ARG_EVENT),
	H(TimerSettime, ARG_TIMER, ARG_FLAGS, ARG_ITIMER, ARG_ITIMER_OUT),
	H(TimerDestroy, ARG_TIMER),
	H(TimerTimeout, ARG_CLOCK, ARG_TOFLAGS, ARG_EVENT, ARG_NS, ARG_NS_OUT),
	H(InterruptAttachEvent, ARG_IRQ, ARG_EVENT, ARG_FLAGS),
	H(InterruptDetach, ARG_INTR),
	H(InterruptUnmask, ARG_IRQ, ARG_INTR),
	H(AsDestroy, ARG_AS),
	H(AsMap, ARG_AS, ARG_VADDR, ARG_VLEN, ARG_PROT, ARG_MAPFLAGS, ARG_PADDR),
	H(AsUnmap, ARG_AS, ARG_VADDR, ARG_VLEN),
	H(AsProtect, ARG_AS, ARG_VADDR, ARG_VLEN, ARG_PROT),
	H(AsWrite, ARG_AS, ARG_VADDR, ARG_BUF_IN, ARG_LEN),
	H(ProcessStart, ARG_AS, ARG_START),
	H(ProcessWait, ARG_PID, ARG_PEXIT, ARG_FLAGS),
	H(HwInfoDevice, ARG_STR, ARG_INT, ARG_HWDEV),
	H(AsClone, ARG_FPID),
	H(AsOpen, ARG_FPID),
	H(SysInfo, ARG_INT, ARG_INT, ARG_BUF_OUT, ARG_LEN),
	H(ThreadCtl, ARG_INT, ARG_BUF_OUT),
	H(ProcessFork, ARG_FPID, ARG_FTID, ARG_FAS),
	H(ProcessExec, ARG_FPID, ARG_FTID, ARG_FAS, ARG_START),
	H(SignalKill, ARG_PID, ARG_TID_ANY, ARG_SIGNO, ARG_INT, ARG_INT),
	H(SignalAction, ARG_FPID, ARG_FUNC, ARG_SIGNO, ARG_SIGACT, ARG_SIGACT_OUT),
	H(SignalProcmask, ARG_PID, ARG_TID_ANY, ARG_HOW, ARG_SIGSET, ARG_SIGSET_OUT),
	H(SignalSuspend, ARG_SIGSET),
	H(SignalWaitinfo, ARG_SIGSET, ARG_SIGINFO_OUT),
	H(ThreadState, ARG_TID_ANY),
	H(KernelObjects, ARG_BUF_OUT),
	H(ConsoleWrite, ARG_TEXT, ARG_TEXTLEN),
	H(MemPhys, ARG_VADDR, ARG_VLEN, ARG_NS_OUT),
	H(HwInfoEntry, ARG_STR, ARG_INT, ARG_INT, ARG_INT, ARG_BUF_OUT),
	H(AsInfo, ARG_AS, ARG_BUF_OUT),
};
#undef H
