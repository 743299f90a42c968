#pragma once
/* ktest-user: what its files share (ktest_user.c holds the table and main). */
#include <keel/msg.h>
#include <keel/clock.h>
#include <keel/kcall.h>
#include <keel/procmgr.h>
#include <keel/sync.h>
#include "ktap.h"
#include "urt.h"

#define KERNEL_ADDR ((void *)0xffffffff80000000ul)
#define UNMAPPED    ((void *)0x00000012345000ul)

/* A server thread on a channel of its own (ktest_user.c). */
struct server {
	int chid;
	int mode;               /* what to do with each message */
	volatile int done;
	struct _msg_info info;
	char last[64];
};

enum { SRV_ECHO_UPPER, SRV_ERROR, SRV_READ_TAIL, SRV_BIG_REPLY, SRV_INFO_WRITE };

extern char stacks[4][8192];    /* thread stacks for the cases, one case at a time */
extern sync_t park_sem;         /* parked threads wait on it */
extern sync_t held;             /* a mutex a helper holds (sync.c) */
extern volatile int held_go;

/* Every function of the files, for the table and for each other. */
long int raw_kcall(long int n);
void t_null_call(void);
void t_unknown_call_enosys(void);
void t_debug_string_bad_pointers(void);
void t_clock(void);
void t_channel_ids(void);
void t_connection_ids(void);
void *serve_one(void *arg);
int start_server(struct server *s, int mode, int stack);
int connect_to(struct server *s);
void finish(struct server *s, int tid, int coid);
void t_send_receive_reply(void);
void t_truncation_both_ways(void);
void t_msg_error(void);
void t_msg_read_offset(void);
void t_msg_info_and_write(void);
void t_sched_get_set(void);
void t_client_info(void);
uint32_t my_tid(void);
void mutex_lock(sync_t *m, uint32_t me);
void mutex_unlock(sync_t *m, uint32_t me);
void *count_up(void *arg);
void t_mutex_exact_count(void);
void t_mutex_errors(void);
void *pp_other(void *arg);
void t_condvar_ping_pong(void);
void *consumer(void *arg);
void t_semaphore(void);
uint64_t now_ns(void);
int timeout_ms(unsigned int states, uint64_t ms);
void t_timeout_send_and_receive(void);
void *slow_server(void *arg);
void t_timeout_reply(void);
void *hold_mutex(void *arg);
void t_timeout_mutex_and_sem(void);
void *unblock_server(void *arg);
void t_unblock_pulse(void);
void *short_lived(void *arg);
/* A thread made (on stacks[1]) and joined: its THREADDEATH pulse comes on
 * chid within a second (sync.c). */
void death_pulse_comes(int chid);
void t_thread_death_pulse(void);
void *send_once(void *arg);
void t_receive_pulse_skips_messages(void);
void t_timer_pulses(void);
void t_timer_realtime_absolute(void);
void *event_server(void *arg);
void t_deliver_event(void);
int start_child(const char *from, const char *to);
void t_process_start_and_wait(void);
void t_unprivileged_child_gets_eperm(void);
void t_child_fault_reported(void);
void t_as_calls_check_arguments(void);
void t_connect_attach_bad_node(void);
void t_receive_bad_channel(void);
void *receive_until_destroyed(void *arg);
void pause_ms(uint64_t ms);
void t_channel_destroy_wakes_receiver(void);
void t_pulse_pool_exhaustion(void);
void t_thread_create_bad_args(void);
void t_thread_kernel_made_stack_goes_with_the_thread(void);
void t_thread_detach(void);
void t_thread_state(void);
void t_clock_set_realtime(void);
void t_timer_disarm(void);
void *report_priority(void *arg);
int served_at(unsigned int chflags, int client_prio);
void t_receiver_inherits_priority(void);
void t_sync_destroy_busy(void);
void t_msg_error_zero_is_einval(void);
void *serve_n(void *arg);
void t_zero_length_round_trip(void);
void t_iov_gather_scatter(void);
void *send_letter(void *arg);
void t_senders_queue_by_priority(void);
void t_many_receivers_one_channel(void);
void t_pulse_codes_and_side_channel(void);
void t_thread_ids_unique(void);
void t_semaphore_bad_count(void);
void t_process_wait_nohang(void);
void t_as_protect_then_run(void);
void *read_past_then_write(void *arg);
void t_msg_read_past_end_write_kept(void);
void t_connection_to_recreated_channel_is_stale(void);
void *wait_for_me(void *arg);
void t_thread_join_self_and_others(void);
void *park(void *arg);
int park_start(void);
void t_sched_set_other_thread(void);
void *bc_waiter(void *arg);
void t_condvar_broadcast(void);
void t_privileged_calls_allowed_for_init(void);
void t_timer_arguments(void);
int start_child_args(const char *from, const char *to, uint64_t a0, uint64_t a1);
int start_child_priv(const char *from, const char *to, uint64_t a0, uint64_t a1, uint32_t privs);
int start_child_granted(const char *from, const char *to, uint64_t a0, uint64_t a1,
			uint32_t privs, uint64_t gpa, uint64_t glen);
void t_disconnect_pulse_when_client_dies(void);
void t_coiddeath_pulse_when_server_dies(void);
void t_bad_pointers_efault(void);
void t_bad_client_buffer_fails_only_the_client(void);
void t_stale_ids(void);
void t_pulses_by_priority(void);
void t_queued_pulse_into_bad_buffers(void);
void t_kcall_keeps_registers(void);
void *return_42(void *arg);
void t_thread_create_join(void);
void t_yield(void);
int child_status(const char *from, const char *to, uint64_t a0, uint32_t privs);
int find_uart(struct _hw_device *d);
void t_hwinfo_device(void);
void t_as_map_phys_checks(void);
void t_as_prot_none(void);
void t_as_map_oom(void);
void t_as_unmap(void);
void t_as_phys_unprivileged_eperm(void);
void t_as_phys_granted_only(void);
void t_mem_phys(void);
void t_hwinfo_entry(void);
void pulse_event(struct sigevent *ev, int coid, int code);
void t_interrupt_arguments(void);
void t_interrupt_privileges(void);
uint64_t rtc_now(void);
void rtc_alarm_in(uint64_t ns);
int pulse_within(int chid, uint64_t ms, struct _pulse *p);
void t_interrupt_rtc_alarm_pulse(void);
uint64_t clock_of(int id);
void burn_ms(uint64_t ms);
void *sleep_until_told(void *arg);
void t_clock_id_cpu_time(void);
void t_msg_send_scalar_forms(void);
long int join_within(int tid, uint64_t ms);
int wait_state(int tid, int state, uint64_t ms);
long int destroy_when_blocked(void *(*fn)(void *), void *arg, int state);
void *spin_forever(void *arg);
void t_thread_destroy_arguments(void);
void t_thread_runmask(void);
void t_semaphore_count_scribbled(void);
void t_thread_destroy_running(void);
void *receive_forever(void *arg);
void t_thread_destroy_receive_blocked(void);
void *send_forever(void *arg);
void t_thread_destroy_send_blocked(void);
void t_thread_destroy_reply_blocked(void);
void *lock_dm_mutex(void *arg);
void t_thread_destroy_mutex_blocked(void);
void *wait_dm_cond(void *arg);
void *watch_dm_cond(void *arg);
void t_thread_destroy_condvar_blocked(void);
void *wait_dm_sem(void *arg);
void t_thread_destroy_sem_blocked(void);
void *join_arg(void *arg);
void t_thread_destroy_join_blocked(void);
void *sleep_long(void *arg);
void t_thread_destroy_sleeping(void);
void t_disconnect_after_last_connection(void);
__attribute__((noreturn)) void clone_main(void (*fn)(long int), long int arg);
int start_clone(void(*fn)(long int), long int arg);
int wait_child_within(int pid, struct _proc_exit *ex, uint64_t ms);
void *kid_spin(void *arg);
void *kid_receive(void *arg);
void *kid_send(void *arg);
void *kid_lock(void *arg);
void *kid_sem_wait(void *arg);
void *kid_cond_wait(void *arg);
void *kid_join(void *arg);
void *kid_destroy_all(void *arg);
void kid_many_threads(long int arg);
void *send_to_kid(void *arg);
int kid_round(int chid, int mypid, _Bool destroy_all, int status);
void t_process_end_kills_all_threads(void);
void t_thread_destroy_all_ends_process(void);
int prio_of(int tid, _Bool base);
int cur_prio(int tid);
int wait_for_prio(int tid, int want);
void wait_for_flag(volatile int *f);
void *pi_low(void *arg);
void *pi_mid(void *arg);
void *pi_high(void *arg);
int pi_setup(void);
void t_pi_owner_boosted(void);
void t_pi_chain(void);
void t_pi_waiter_leaves(void);
void cvp_rounds(int side, uint32_t me);
void *cvp_other(void *arg);
void t_condvar_mutex_same_bucket(void);
void t_kernel_windows_closed_to_user(void);
