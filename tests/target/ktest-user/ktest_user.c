/* ktest-user: the kernel calls seen from user mode, as KTAP.  Run as the
 * first process: init=/bin/ktest-user.  With the argument `fault` it ends
 * by reading a kernel address, which must kill it with a report; with
 * `childfault` it also starts a child that faults and checks the report
 * its parent gets.  The cases live in files by area (ktest_user.h); this
 * one holds the first calls, the server thread they share, the table and
 * main. */
#include "ktest_user.h"

char stacks[4][8192] __attribute__((aligned(16)));
sync_t park_sem;

long raw_kcall(long n)
{
	register long a0 __asm__("a0") = 0;
	register long a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7)
			 : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a6");  /* <keel/kcall.h> */
	return a0;
}

void t_null_call(void)
{
	KTAP_EQ(KernelNop_r(), 0);
}

void t_unknown_call_enosys(void)
{
	KTAP_EQ(raw_kcall(999), -ENOSYS);
	KTAP_EQ(raw_kcall(-1), -ENOSYS);
}

void t_debug_string_bad_pointers(void)
{
	KTAP_EQ(DebugPutString_r(KERNEL_ADDR, 8), -EFAULT);
	KTAP_EQ(DebugPutString_r(UNMAPPED, 8), -EFAULT);
	KTAP_EQ(DebugPutString_r("x", (size_t)-1), -EINVAL);
	KTAP_EQ(DebugPutString_r("", 0), 0);
}

void t_clock(void)
{
	uint64_t a = 0, b = 0;

	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, 0, &a), 0);
	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, 0, &b), 0);
	KTAP_CHECK(b >= a && a > 0);
	KTAP_EQ(ClockTime_r(99, 0, &a), -EINVAL);
	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, 0, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(ClockTime(CLOCK_MONOTONIC, 0, UNMAPPED), -1);
	KTAP_EQ(errno, EFAULT);
}

void t_channel_ids(void)
{
	int chid = ChannelCreate_r(0);

	KTAP_CHECK(chid > 0);
	KTAP_EQ(ChannelDestroy_r(chid), 0);
	KTAP_EQ(ChannelDestroy_r(chid), -EINVAL);
	KTAP_EQ(ChannelDestroy_r(-5), -EINVAL);
	KTAP_EQ(ChannelCreate_r(0x10), -EINVAL);                /* no such flag */
	KTAP_EQ(ChannelCreate_r(0x80000000u), -EINVAL);
}

void t_connection_ids(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	int side = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);

	KTAP_CHECK(coid >= 0 && coid < _NTO_SIDE_CHANNEL);
	KTAP_CHECK(side & _NTO_SIDE_CHANNEL);
	KTAP_EQ(ConnectAttach_r(ND_LOCAL_NODE, 0, 77, 0, 0), -ESRCH);
	KTAP_EQ(ConnectAttach_r(ND_LOCAL_NODE, 4242, chid, 0, 0), -ESRCH);
	KTAP_EQ(ConnectDetach_r(coid), 0);
	KTAP_EQ(ConnectDetach_r(coid), -EINVAL);
	KTAP_EQ(ConnectDetach_r(side), 0);
	KTAP_EQ(ChannelDestroy_r(chid), 0);
}

/* ---- a server thread ------------------------------------------------------ */

void *serve_one(void *arg)
{
	struct server *s = arg;
	char buf[16];
	int rcvid = MsgReceive_r(s->chid, buf, sizeof buf, &s->info);

	if (rcvid <= 0) {
		s->done = rcvid ? rcvid : -1;
		return 0;
	}
	memcpy(s->last, buf, sizeof buf);
	if (s->mode == SRV_ERROR) {
		MsgError(rcvid, EBUSY);
	} else if (s->mode == SRV_READ_TAIL) {
		char tail[8] = { 0 };
		long n = MsgRead_r(rcvid, tail, sizeof tail - 1, 20);
		MsgReply(rcvid, n, tail, sizeof tail);
	} else if (s->mode == SRV_INFO_WRITE) {
		struct _msg_info mi;
		long r = MsgInfo_r(rcvid, &mi);
		MsgWrite_r(rcvid, "WORLD", 5, 6);       /* into the reply buffer at 6 */
		MsgReply(rcvid, r == 0 ? mi.srcmsglen * 100 + mi.dstmsglen : r, "hello ", 6);
	} else if (s->mode == SRV_BIG_REPLY) {
		static const char big[] = "0123456789abcdefghijklmnopqrstuvwxyz";
		MsgReply(rcvid, 99, big, sizeof big);
	} else {
		for (int i = 0; i < (int)sizeof buf; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] = (char)(buf[i] - 32);
		MsgReply(rcvid, 7, buf, sizeof buf);
	}
	s->done = 1;
	return 0;
}


int start_server(struct server *s, int mode, int stack)
{
	s->chid = ChannelCreate_r(0);
	s->mode = mode;
	s->done = 0;
	return urt_thread_create(serve_one, s, stacks[stack], sizeof stacks[stack], 10);
}

int connect_to(struct server *s)
{
	return ConnectAttach_r(ND_LOCAL_NODE, 0, s->chid, 0, 0);
}

void finish(struct server *s, int tid, int coid)
{
	ThreadJoin_r(tid, 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(s->chid);
}

void t_send_receive_reply(void)
{
	static struct server s;
	char reply[16] = { 0 };
	int tid = start_server(&s, SRV_ECHO_UPPER, 0);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	long st = MsgSend_r(coid, "hello, keel", 12, reply, sizeof reply);
	KTAP_EQ(st, 7);
	KTAP_CHECK(!strcmp(reply, "HELLO, KEEL"));
	finish(&s, tid, coid);
	KTAP_EQ(s.done, 1);
	KTAP_EQ(s.info.msglen, 12);
	KTAP_EQ(s.info.srcmsglen, 12);
	KTAP_EQ(s.info.dstmsglen, 16);
	KTAP_EQ(s.info.coid, coid);
}

/* The server's 16-byte buffer takes only part of a 30-byte message; a
 * 37-byte reply is cut to the client's 10 bytes. */
void t_truncation_both_ways(void)
{
	static struct server s;
	char reply[10];
	int tid = start_server(&s, SRV_BIG_REPLY, 1);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, "abcdefghijklmnopqrstuvwxyz0123", 30, reply, sizeof reply), 99);
	KTAP_CHECK(!memcmp(reply, "0123456789", 10));
	finish(&s, tid, coid);
	KTAP_EQ(s.info.msglen, 16);
	KTAP_EQ(s.info.srcmsglen, 30);
	KTAP_CHECK(!memcmp(s.last, "abcdefghijklmnop", 16));
}

/* Lengths past INT32_MAX (an iov may claim them: only what is copied must
 * be mapped) reach the server as INT32_MAX, not as a negative int32 that
 * an unsigned comparison takes for 2^64 - something. */
void t_huge_lengths_say_int32_max(void)
{
	static struct server s;
	static char buf[64] = "huge";
	int tid = start_server(&s, SRV_ECHO_UPPER, 1);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, buf, 0x80000010ul, buf, 0x100000000ul), 7);
	finish(&s, tid, coid);
	KTAP_EQ(s.info.msglen, 16);
	KTAP_EQ(s.info.srcmsglen, INT32_MAX);
	KTAP_EQ(s.info.dstmsglen, INT32_MAX);
	KTAP_CHECK(!strcmp(buf, "HUGE"));
}

/* ConnectClientOf: a process's connection, per channel of the caller. */
void t_connect_client_of_names_the_channel(void)
{
	int a = ChannelCreate_r(0), b = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, a, _NTO_SIDE_CHANNEL, 0);

	KTAP_REQUIRE(a > 0 && b > 0 && coid >= 0);
	KTAP_EQ(ConnectClientOf_r(-1, a), 0);
	KTAP_EQ(ConnectClientOf_r(-1, b), -ENOTCONN);   /* a connection to a is none to b */
	KTAP_EQ(ConnectClientOf_r(-1, 999), -EINVAL);   /* not our channel */
	KTAP_EQ(ConnectClientOf_r(0x7ffffff0, a), -ESRCH);
	KTAP_EQ(ConnectDetach_r(coid), 0);
	KTAP_EQ(ConnectClientOf_r(-1, a), -ENOTCONN);
	ChannelDestroy_r(a);
	ChannelDestroy_r(b);
}

void t_msg_error(void)
{
	static struct server s;
	int tid = start_server(&s, SRV_ERROR, 2);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, "x", 1, 0, 0), -EBUSY);
	finish(&s, tid, coid);
}

void t_msg_read_offset(void)
{
	static struct server s;
	char reply[8] = { 0 };
	int tid = start_server(&s, SRV_READ_TAIL, 3);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, "....................TAIL", 24, reply, sizeof reply), 4);
	KTAP_CHECK(!strcmp(reply, "TAIL"));
	finish(&s, tid, coid);
}

void t_msg_info_and_write(void)
{
	static struct server s;
	char reply[12] = { 0 };
	int tid = start_server(&s, SRV_INFO_WRITE, 0);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, "abc", 3, reply, 11), 3 * 100 + 11);
	KTAP_CHECK(!strcmp(reply, "hello WORLD"));
	finish(&s, tid, coid);
	KTAP_EQ(MsgInfo_r(tid, 0), -ESRCH);                             /* not a client */
}

void t_sched_get_set(void)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof sp);
	int pol = SchedGet_r(0, 0, &sp);
	KTAP_CHECK(pol == SCHED_RR || pol == SCHED_FIFO || pol == SCHED_OTHER);
	int base = sp.sched_priority;
	sp.sched_priority = base + 3;
	KTAP_EQ(SchedSet_r(0, 0, SCHED_FIFO, &sp), 0);
	memset(&sp, 0, sizeof sp);
	KTAP_EQ(SchedGet_r(0, 0, &sp), SCHED_FIFO);
	KTAP_EQ(sp.sched_priority, base + 3);
	KTAP_EQ(sp.sched_curpriority, base + 3);
	sp.sched_priority = 0;
	KTAP_EQ(SchedSet_r(0, 0, SCHED_RR, &sp), -EINVAL);
	sp.sched_priority = base;
	KTAP_EQ(SchedSet_r(0, 0, 77, &sp), -EINVAL);
	KTAP_EQ(SchedSet_r(0, 0, pol, &sp), 0);
	KTAP_EQ(SchedGet_r(0, 0x7fff0003, &sp), -ESRCH);
	KTAP_EQ(SchedGet_r(4242, 0, &sp), -ESRCH);
	KTAP_EQ(SchedGet_r(0, 0, KERNEL_ADDR), -EFAULT);
}

void t_client_info(void)
{
	struct _client_info ci;

	memset(&ci, 0xff, sizeof ci);
	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	KTAP_EQ(ci.pid > 1, 1);                 /* taskman (pid 1) started us */
	KTAP_EQ(ci.cred.euid, 0);
	KTAP_EQ(ConnectClientInfo_r(4242, &ci, 0), -ESRCH);
	KTAP_EQ(ConnectClientInfo_r(-1, KERNEL_ADDR, 0), -EFAULT);
}

static const struct ktap_case cases[] = {
	{ "null_call", t_null_call },
	{ "unknown_call_enosys", t_unknown_call_enosys },
	{ "debug_string_bad_pointers", t_debug_string_bad_pointers },
	{ "clock_time", t_clock },
	{ "channel_ids", t_channel_ids },
	{ "connection_ids", t_connection_ids },
	{ "send_receive_reply", t_send_receive_reply },
	{ "truncation_both_ways", t_truncation_both_ways },
	{ "huge_lengths_say_int32_max", t_huge_lengths_say_int32_max },
	{ "connect_client_of_names_the_channel", t_connect_client_of_names_the_channel },
	{ "msg_error", t_msg_error },
	{ "msg_read_offset", t_msg_read_offset },
	{ "msg_info_and_write", t_msg_info_and_write },
	{ "sched_get_set", t_sched_get_set },
	{ "client_info", t_client_info },
	{ "bad_pointers_efault", t_bad_pointers_efault },
	{ "bad_client_buffer_fails_only_the_client", t_bad_client_buffer_fails_only_the_client },
	{ "stale_ids", t_stale_ids },
	{ "pulses_by_priority", t_pulses_by_priority },
	{ "queued_pulse_into_bad_buffers", t_queued_pulse_into_bad_buffers },
	{ "kcall_keeps_registers", t_kcall_keeps_registers },
	{ "thread_create_join", t_thread_create_join },
	{ "sched_yield", t_yield },
	{ "mutex_exact_count", t_mutex_exact_count },
	{ "mutex_errors", t_mutex_errors },
	{ "condvar_ping_pong", t_condvar_ping_pong },
	{ "semaphore", t_semaphore },
	{ "timeout_send_and_receive", t_timeout_send_and_receive },
	{ "timeout_reply", t_timeout_reply },
	{ "timeout_mutex_and_sem", t_timeout_mutex_and_sem },
	{ "unblock_pulse", t_unblock_pulse },
	{ "thread_death_pulse", t_thread_death_pulse },
	{ "receive_pulse_skips_messages", t_receive_pulse_skips_messages },
	{ "timer_pulses", t_timer_pulses },
	{ "timer_realtime_absolute", t_timer_realtime_absolute },
	{ "deliver_event", t_deliver_event },
	{ "process_start_and_wait", t_process_start_and_wait },
	{ "unprivileged_child_gets_eperm", t_unprivileged_child_gets_eperm },
	{ "as_calls_check_arguments", t_as_calls_check_arguments },
	{ "connect_attach_bad_node", t_connect_attach_bad_node },
	{ "receive_bad_channel", t_receive_bad_channel },
	{ "channel_destroy_wakes_receiver", t_channel_destroy_wakes_receiver },
	{ "pulse_pool_exhaustion", t_pulse_pool_exhaustion },
	{ "thread_create_bad_args", t_thread_create_bad_args },
	{ "thread_kernel_made_stack_goes_with_the_thread",
	  t_thread_kernel_made_stack_goes_with_the_thread },
	{ "thread_detach", t_thread_detach },
	{ "thread_state_as_the_kernel_sees_it", t_thread_state },
	{ "clock_set_realtime", t_clock_set_realtime },
	{ "timer_disarm", t_timer_disarm },
	{ "receiver_inherits_priority", t_receiver_inherits_priority },
	{ "sync_destroy_busy", t_sync_destroy_busy },
	{ "msg_error_and_read_arguments", t_msg_error_zero_is_einval },
	{ "zero_length_round_trip", t_zero_length_round_trip },
	{ "iov_gather_scatter", t_iov_gather_scatter },
	{ "senders_queue_by_priority", t_senders_queue_by_priority },
	{ "many_receivers_one_channel", t_many_receivers_one_channel },
	{ "pulse_codes_and_side_channel", t_pulse_codes_and_side_channel },
	{ "thread_ids_unique", t_thread_ids_unique },
	{ "semaphore_bad_count", t_semaphore_bad_count },
	{ "process_wait_nohang", t_process_wait_nohang },
	{ "as_protect_then_run", t_as_protect_then_run },
	{ "msg_read_past_end_write_kept", t_msg_read_past_end_write_kept },
	{ "connection_to_recreated_channel_is_stale", t_connection_to_recreated_channel_is_stale },
	{ "thread_join_self_and_others", t_thread_join_self_and_others },
	{ "sched_set_other_thread", t_sched_set_other_thread },
	{ "condvar_broadcast", t_condvar_broadcast },
	{ "privileged_calls_allowed_for_init", t_privileged_calls_allowed_for_init },
	{ "timer_arguments", t_timer_arguments },
	{ "disconnect_pulse_when_client_dies", t_disconnect_pulse_when_client_dies },
	{ "coiddeath_pulse_when_server_dies", t_coiddeath_pulse_when_server_dies },
	{ "hwinfo_device", t_hwinfo_device },
	{ "hwinfo_entry", t_hwinfo_entry },
	{ "as_map_phys_checks", t_as_map_phys_checks },
	{ "as_unmap", t_as_unmap },
	{ "as_map_out_of_memory_enomem_nothing_left", t_as_map_oom },
	{ "as_prot_none_and_executable_devices_refused", t_as_prot_none },
	{ "as_phys_unprivileged_eperm", t_as_phys_unprivileged_eperm },
	{ "as_phys_granted_only", t_as_phys_granted_only },
	{ "mem_phys", t_mem_phys },
	{ "interrupt_arguments", t_interrupt_arguments },
	{ "interrupt_privileges", t_interrupt_privileges },
	{ "interrupt_rtc_alarm_pulse", t_interrupt_rtc_alarm_pulse },
	{ "clock_id_cpu_time", t_clock_id_cpu_time },
	{ "msg_send_scalar_forms", t_msg_send_scalar_forms },
	{ "thread_destroy_arguments", t_thread_destroy_arguments },
	{ "thread_destroy_running", t_thread_destroy_running },
	{ "thread_destroy_receive_blocked", t_thread_destroy_receive_blocked },
	{ "thread_destroy_send_blocked", t_thread_destroy_send_blocked },
	{ "thread_destroy_reply_blocked", t_thread_destroy_reply_blocked },
	{ "thread_destroy_mutex_blocked", t_thread_destroy_mutex_blocked },
	{ "thread_destroy_condvar_blocked", t_thread_destroy_condvar_blocked },
	{ "thread_destroy_sem_blocked", t_thread_destroy_sem_blocked },
	{ "thread_destroy_join_blocked", t_thread_destroy_join_blocked },
	{ "thread_destroy_sleeping", t_thread_destroy_sleeping },
	{ "disconnect_after_last_connection", t_disconnect_after_last_connection },
	{ "process_end_kills_all_threads", t_process_end_kills_all_threads },
	{ "thread_destroy_all_ends_process", t_thread_destroy_all_ends_process },
	{ "pi_owner_boosted", t_pi_owner_boosted },
	{ "pi_chain", t_pi_chain },
	{ "pi_waiter_leaves", t_pi_waiter_leaves },
	{ "condvar_mutex_same_bucket", t_condvar_mutex_same_bucket },
	{ "thread_runmask", t_thread_runmask },
	{ "semaphore_count_scribbled", t_semaphore_count_scribbled },
};

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	ktap_run(cases, sizeof cases / sizeof cases[0]);
	int failed = ktap_done("ktest-user");

	if (argc > 1 && !strcmp(argv[1], "childfault")) {
		/* A child faulting on purpose prints a fault report: only in the
		 * boot that expects it. */
		static const struct ktap_case faulting[] = {
			{ "child_fault_reported", t_child_fault_reported },
			{ "kernel_windows_closed_to_user", t_kernel_windows_closed_to_user },
		};
		ktap_run(faulting, sizeof faulting / sizeof faulting[0]);
		failed = ktap_done("ktest-user faults");
	}
	if (argc > 1 && !strcmp(argv[1], "fault")) {
		printf("ktest-user: reading a kernel address\n");
		(void)*(volatile int *)KERNEL_ADDR;
		printf("ktest-user: still alive after reading a kernel address\n");
	}
	return failed ? 1 : 0;
}
