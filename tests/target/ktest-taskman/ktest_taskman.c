/* ktest-taskman: taskman's messages seen from a client, as KTAP.  Run as
 * the first program (init=/bin/ktest-taskman): taskman starts it, so it is
 * also the heir of orphans.  The children are /bin/tm-child, whose exit
 * status says whether what it saw was right.  With the argument `faults`
 * it runs only the cases whose children fault on purpose (their fault
 * reports belong in a boot that expects them).  The cases live in files by
 * area (ktest_taskman.h); this one holds the helpers that start, reap and
 * inspect children, the case tables in their KTAP order, and main. */
#include "ktest_taskman.h"

/* ---- children ---------------------------------------------------------------------------- */

int child(const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { "tm-child", a1, a2, a3, 0 };

	return urt_tm_spawn(CHILD, argv, 0, 0, 0, 0, 0);
}

/* Waits for pid; its status word, or -errno. */
int reap(int pid)
{
	struct _proc_wait_reply r;
	int got = urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r);

	return got == pid ? r.status : got < 0 ? got : -1000;
}

int spawn_flags(uint32_t flags, int32_t pgroup, const char *a1)
{
	const char *argv[] = { "tm-child", a1, "30", "0", 0 };  /* sleep 30 ms or exit 30 */

	return urt_tm_spawn(CHILD, argv, 0, flags, pgroup, 0, 0);
}

int my_pid(void)
{
	struct _client_info ci;

	return ConnectClientInfo_r(-1, &ci, 0) == 0 ? ci.pid : -1;
}

/* Runs fn in a forked child, whose exit code is fn's result (0: every
 * check held, else the number of the first that failed); its status word. */
int in_child(int (*fn)(void))
{
	int pid = urt_tm_fork();

	if (pid == 0)
		ProcessExit(fn());
	return pid < 0 ? pid : reap(pid);
}

/* A child that lives until end_child(): for checks that need it alive
 * (a short sleeper may end before a slow machine gets to them). */
int long_child(uint32_t flags, int32_t pgroup)
{
	const char *argv[] = { "tm-child", "sleep", "5000", "0", 0 };

	return urt_tm_spawn(CHILD, argv, 0, flags, pgroup, 0, 0);
}

/* Kills and reaps a long_child: its status word. */
int end_child(int pid)
{
	int r = SignalKill_r(pid, 0, SIGKILL, 0, 0);

	return r < 0 ? r : reap(pid);
}

/* Runs tm-child's check `what` to its end: its status word, or -errno. */
int child_status(const char *what)
{
	int pid = child(what, 0, 0);

	return pid > 0 ? reap(pid) : pid;
}

int info_of(int pid, struct _proc_info *r)
{
	struct _proc_info_req m = { .hdr.type = _PROC_INFO, .pid = pid };

	return (int)urt_tm_send(&m, sizeof m, r, sizeof *r);
}

/* ---- the cases, in their KTAP order ------------------------------------------------------ */

static const struct ktap_case cases[] = {
	{ "spawn_exit_status", t_spawn_exit_status },
	{ "spawn_exit_status_low_byte", t_spawn_exit_status_low_byte },
	{ "spawn_argv_envp", t_spawn_argv_envp },
	{ "spawn_auxv_and_data", t_spawn_auxv_and_data },
	{ "spawn_missing_enoent", t_spawn_missing_enoent },
	{ "spawn_not_elf_enoexec", t_spawn_not_elf_enoexec },
	{ "spawn_truncated_enoexec", t_spawn_truncated_enoexec },
	{ "spawn_script_runs_interpreter", t_spawn_script_runs_interpreter },
	{ "spawn_script_bad_interpreter", t_spawn_script_bad_interpreter },
	{ "spawn_relative_path", t_spawn_relative_path },
	{ "spawn_malformed_einval", t_spawn_malformed_einval },
	{ "spawn_e2big", t_spawn_e2big },
	{ "spawn_bad_pointer_efault", t_spawn_bad_pointer_efault },
	{ "spawn_setpgroup", t_spawn_setpgroup },
	{ "spawn_setpgroup_negative_einval", t_spawn_setpgroup_negative_einval },
	{ "spawn_setsid", t_spawn_setsid },
	{ "spawn_many_in_a_row", t_spawn_many_in_a_row },
	{ "failed_spawns_leave_nothing", t_failed_spawns_leave_nothing },
	{ "wait_no_children_echild", t_wait_no_children_echild },
	{ "wait_wnohang_running", t_wait_wnohang_running },
	{ "wait_blocks_until_exit", t_wait_blocks_until_exit },
	{ "wait_of_a_destroyed_thread_takes_nothing", t_wait_of_a_destroyed_thread_takes_nothing },
	{ "wait_parked_per_process_bounded", t_wait_parked_per_process_bounded },
	{ "wait_any_reports_each_once", t_wait_any_reports_each_once },
	{ "wait_by_group", t_wait_by_group },
	{ "wait_wnowait_leaves_it", t_wait_wnowait_leaves_it },
	{ "wait_bad_options_einval", t_wait_bad_options_einval },
	{ "zombie_until_reaped", t_zombie_until_reaped },
	{ "orphans_go_to_init", t_orphans_go_to_init },
	{ "daemon_leaves_parent", t_daemon_leaves_parent },
	{ "ids_of_self", t_ids_of_self },
	{ "ids_seen_by_child", t_ids_seen_by_child },
	{ "setpgid_child", t_setpgid_child },
	{ "setpgid_other_session_eperm", t_setpgid_other_session_eperm },
	{ "setpgid_not_a_child_esrch", t_setpgid_not_a_child_esrch },
	{ "setsid_rules", t_setsid_rules },
	{ "rlimit_get_set", t_rlimit_get_set },
	{ "rlimit_errors", t_rlimit_errors },
	{ "rlimit_inherited", t_rlimit_inherited },
	{ "path_attach_and_resolve", t_path_attach_and_resolve },
	{ "path_directory_and_longest_first", t_path_directory_and_longest_first },
	{ "path_union_order", t_path_union_order },
	{ "path_symlink", t_path_symlink },
	{ "path_bad_names_einval", t_path_bad_names_einval },
	{ "path_connect_malformed_einval", t_path_connect_malformed_einval },
	{ "path_names_go_with_their_server", t_path_names_go_with_their_server },
	{ "path_link_target_checked", t_path_link_needs_root_target_checked },
	{ "unknown_message_enosys", t_unknown_message_enosys },
	{ "short_message_einval", t_short_message_einval },
	{ "info_walk", t_info_walk },
	{ "sigchld_names_the_child", t_sigchld_names_the_child },
	{ "kill_is_wifsignaled", t_kill_is_wifsignaled },
	{ "stop_and_continue_reported", t_stop_and_continue_reported },
	{ "sigkill_ends_a_stopped_child", t_sigkill_ends_a_stopped_child },
	{ "kill_a_group", t_kill_a_group },
	{ "taskman_is_shielded", t_taskman_is_shielded },
	{ "credentials", t_credentials },
	{ "setgroups_as_root", t_setgroups_as_root },
	{ "fork_child_returns_zero", t_fork_child_returns_zero },
	{ "fork_copy_on_write", t_fork_copy_on_write },
	{ "fork_child_ids", t_fork_child_ids },
	{ "fork_threaded_enosys", t_fork_threaded_enosys },
	{ "fork_many", t_fork_many },
	{ "exec_replaces_image", t_exec_replaces_image },
	{ "exec_keeps_pid_and_parent", t_exec_keeps_pid_and_parent },
	{ "exec_failure_returns", t_exec_failure_returns },
	{ "exec_setpgid_after_exec_eacces", t_exec_setpgid_after_exec_eacces },
	{ "mmap_contig_is_one_run", t_mmap_contig_is_one_run },
	{ "spawn_resetids", t_spawn_resetids },
	{ "spawn_iopriv_needs_privilege", t_spawn_iopriv_needs_privilege },
	{ "spawn_devices_granted_only", t_spawn_devices_granted_only },
	{ "spawn_rlimit_nproc_eagain", t_spawn_rlimit_nproc_eagain },
	{ "spawn_args_beyond_stack_e2big", t_spawn_args_beyond_stack_e2big },
	{ "spawn_env_and_cwd_malformed_einval", t_spawn_env_and_cwd_malformed_einval },
	{ "spawn_cwd_too_long_enametoolong", t_spawn_cwd_too_long_enametoolong },
	{ "wait_not_a_child_echild", t_wait_not_a_child_echild },
	{ "wait_wnohang_sees_a_stop", t_wait_wnohang_sees_a_stop },
	{ "wait_pgid_zero_is_callers_group", t_wait_pgid_zero_is_callers_group },
	{ "wait_reports_child_uid", t_wait_reports_child_uid },
	{ "info_of_a_child", t_info_of_a_child },
	{ "info_stopped_is_t", t_info_stopped_is_t },
	{ "info_errors", t_info_errors },
	{ "info_args_cut", t_info_args_cut },
	{ "getids_of_a_child_and_errors", t_getids_of_a_child_and_errors },
	{ "getids_orphaned_group", t_getids_orphaned_group },
	{ "setpgid_join_a_group", t_setpgid_join_a_group },
	{ "setpgid_session_leader_eperm", t_setpgid_session_leader_eperm },
	{ "setgid_family_rules", t_setgid_family_rules },
	{ "kill_same_uid_only", t_kill_same_uid_only },
	{ "rlimit_hard_limit_nonroot_eperm", t_rlimit_hard_limit_nonroot_eperm },
	{ "rlimit_defaults", t_rlimit_defaults },
	{ "rlimit_as_bounds_mmap", t_rlimit_as_bounds_mmap },
	{ "mmap_anon_zeroed_and_counted", t_mmap_anon_zeroed_and_counted },
	{ "mmap_bad_arguments_einval", t_mmap_bad_arguments_einval },
	{ "mmap_fixed_and_noreplace", t_mmap_fixed_and_noreplace },
	{ "mmap_shared_seen_by_fork", t_mmap_shared_seen_by_fork },
	{ "mprotect_round_trip", t_mprotect_round_trip },
	{ "shm_grant_maps_the_same_pages", t_shm_grant_maps_the_same_pages },
	{ "shm_grants_of_one_leave_anothers", t_shm_grants_of_one_leave_anothers },
	{ "shm_read_only_shares_per_process_bounded", t_shm_read_only_shares_per_process_bounded },
	{ "shm_read_only_shares_survive_a_fork_tree", t_shm_read_only_shares_survive_a_fork_tree },
	{ "path_detach_by_another_eperm", t_path_detach_by_another_eperm },
	{ "path_attach_link_and_sysreset_need_root", t_path_attach_link_and_sysreset_need_root },
	{ "setctty_rules", t_setctty_rules },
	{ "bootimg_reads", t_bootimg_reads },
	{ "exec_ends_other_threads", t_exec_ends_other_threads },
	{ "exec_runs_a_script", t_exec_runs_a_script },
	{ "exec_malformed_einval", t_exec_malformed_einval },
	{ "fork_inherits_group_creds_limits", t_fork_inherits_group_creds_limits },
	{ "spawn_sigmask_reaches_child", t_spawn_sigmask_reaches_child },
	{ "spawn_nozombie_is_not_waited_for", t_spawn_nozombie_is_not_waited_for },
	{ "fork_rlimit_nproc_eagain", t_fork_rlimit_nproc_eagain },
	{ "spawn_keeps_ignored_signals_but_sigdefault", t_spawn_keeps_ignored_signals_but_sigdefault },
};

static const struct ktap_case fault_cases[] = {
	{ "fault_is_sigsegv", t_fault_is_sigsegv },
	{ "below_the_stack_is_sigsegv", t_below_the_stack_is_sigsegv },
	{ "map_stack_guard_is_sigsegv", t_map_stack_guard_is_sigsegv },
	{ "mprotect_readonly_store_is_sigsegv", t_mprotect_readonly_store_is_sigsegv },
	{ "munmapped_load_is_sigsegv", t_munmapped_load_is_sigsegv },
};

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc > 1 && !strcmp(argv[1], "faults")) {
		ktap_run(fault_cases, sizeof fault_cases / sizeof fault_cases[0]);
		return ktap_done("ktest-taskman faults") ? 1 : 0;
	}
	ktap_run(cases, sizeof cases / sizeof cases[0]);
	return ktap_done("ktest-taskman") ? 1 : 0;
}
