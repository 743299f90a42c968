#pragma once
/* ktest-taskman: what its files share.  ktest_taskman.c holds the case
 * tables, main and the helpers that start, reap and inspect children; the
 * cases live in one file per area, each declared here for the tables. */
#include <keel/clock.h>
#include <keel/errno.h>
#include <keel/kcall.h>
#include <keel/procmgr.h>
#include <keel/signal.h>
#include "ktap.h"
#include "urt.h"
#include "urt_tm.h"

#define CHILD "/bin/tm-child"

/* The status word of an exit with code c. */
#define EXITED(c) _PROC_W_EXITCODE(c)
/* The status word of a child ended by SIGKILL (end_child's usual result). */
#define KILLED _PROC_W_SIGNALED(SIGKILL)

/* Protections and flags of most anonymous mappings the cases make. */
#define RW        (PROT_READ | PROT_WRITE)
#define ANON_PRIV (_PROC_MAP_PRIVATE | _PROC_MAP_ANON)

/* ---- children (ktest_taskman.c) ----------------------------------------------------------- */

/* Spawns tm-child with the arguments a1 a2 a3 (a null one ends the list):
 * its pid, or -errno. */
int child(const char *a1, const char *a2, const char *a3);
/* Waits for pid, which must be our child; its status word, or -errno. */
int reap(int pid);
/* Spawns tm-child with spawn flags and pgroup to run a1 ("sleep": 30 ms
 * then exit 0; "exit": exit 30 at once): its pid, or -errno. */
int spawn_flags(uint32_t flags, int32_t pgroup, const char *a1);
/* The caller's pid as the kernel knows it, or -1. */
int my_pid(void);
/* Runs fn in a forked child, whose exit code is fn's result (0: every
 * check held, else the number of the first that failed); its status word,
 * or -errno if the fork failed. */
int in_child(int (*fn)(void));
/* Spawns a tm-child that sleeps until end_child() (flags and pgroup as
 * struct _proc_spawn): its pid, or -errno. */
int long_child(uint32_t flags, int32_t pgroup);
/* Kills and reaps a long_child: its status word (KILLED), or -errno. */
int end_child(int pid);
/* Runs tm-child's check `what` to its end: its status word, or -errno. */
int child_status(const char *what);
/* _PROC_INFO for pid (0: the caller) into *r: 0, or -errno. */
int info_of(int pid, struct _proc_info *r);

/* ---- ids, credentials, limits (ids.c) ----------------------------------------------------- */

/* _PROC_SETPGID of pid (0: the caller) into group pgid (0: its own): 0, or -errno. */
int setpgid_(int pid, int pgid);
/* The caller's credentials into *c: 0, or -errno. */
int my_cred(struct _cred_info *c);
/* _PROC_SETCRED with subtype sub and the ids a, b, c: 0, or -errno. */
int setcred(int sub, int a, int b, int c);
/* _PROC_RLIMIT of resource res: sub 0 gets it, sub 1 sets it from *cur
 * and *max; on success both hold taskman's reply.  0, or -errno. */
int rlimit(int sub, int res, uint64_t *cur, uint64_t *max);
/* Drops root for uid (real, effective and saved), then sets limit res to
 * cur and max: whether both went through.  Root is gone for good, so only
 * a forked child (in_child) calls it. */
bool as_uid_with_limit(int uid, int res, uint64_t cur, uint64_t max);

/* ---- memory (memory.c) -------------------------------------------------------------------- */

/* _PROC_MMAP: 0 with the mapping's address in *got (if got is not null;
 * 0 there on failure), or -errno. */
int mmap_(uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags, uint64_t *got);
/* A _PROC_MUNMAP or _PROC_MPROTECT (type) of len bytes at addr: 0, or -errno. */
int mem_op(int type, uint64_t addr, uint64_t len, uint32_t prot);

/* ---- the cases, by file ------------------------------------------------------------------- */

/* spawn.c: posix_spawn and its attributes, limits and malformed messages. */
void t_spawn_exit_status(void);
void t_spawn_exit_status_low_byte(void);
void t_spawn_argv_envp(void);
void t_spawn_auxv_and_data(void);
void t_spawn_missing_enoent(void);
void t_spawn_not_elf_enoexec(void);
void t_spawn_truncated_enoexec(void);
void t_spawn_script_runs_interpreter(void);
void t_spawn_script_bad_interpreter(void);
void t_spawn_relative_path(void);
void t_spawn_malformed_einval(void);
void t_spawn_e2big(void);
void t_spawn_bad_pointer_efault(void);
void t_spawn_setpgroup(void);
void t_spawn_setpgroup_negative_einval(void);
void t_spawn_setsid(void);
void t_spawn_many_in_a_row(void);
void t_failed_spawns_leave_nothing(void);
void t_spawn_resetids(void);
void t_spawn_iopriv_needs_privilege(void);
void t_spawn_devices_granted_only(void);
void t_spawn_rlimit_nproc_eagain(void);
void t_spawn_args_beyond_stack_e2big(void);
void t_spawn_env_and_cwd_malformed_einval(void);
void t_spawn_cwd_too_long_enametoolong(void);
void t_spawn_sigmask_reaches_child(void);
void t_spawn_nozombie_is_not_waited_for(void);
void t_spawn_keeps_ignored_signals_but_sigdefault(void);

/* wait.c: wait, zombies, orphans, process information and the message loop. */
void t_wait_no_children_echild(void);
void t_wait_wnohang_running(void);
void t_wait_blocks_until_exit(void);
void t_wait_of_a_destroyed_thread_takes_nothing(void);
void t_wait_parked_per_process_bounded(void);
void t_wait_any_reports_each_once(void);
void t_wait_by_group(void);
void t_wait_wnowait_leaves_it(void);
void t_wait_bad_options_einval(void);
void t_zombie_until_reaped(void);
void t_orphans_go_to_init(void);
void t_daemon_leaves_parent(void);
void t_wait_not_a_child_echild(void);
void t_wait_wnohang_sees_a_stop(void);
void t_wait_pgid_zero_is_callers_group(void);
void t_wait_reports_child_uid(void);
void t_unknown_message_enosys(void);
void t_short_message_einval(void);
void t_info_walk(void);
void t_info_of_a_child(void);
void t_info_stopped_is_t(void);
void t_info_errors(void);
void t_info_args_cut(void);

/* signals.c: signals and children. */
void t_sigchld_names_the_child(void);
void t_kill_is_wifsignaled(void);
void t_stop_and_continue_reported(void);
void t_sigkill_ends_a_stopped_child(void);
void t_kill_a_group(void);
void t_taskman_is_shielded(void);
void t_kill_same_uid_only(void);

/* ids.c: ids, groups, sessions, credentials and resource limits. */
void t_ids_of_self(void);
void t_ids_seen_by_child(void);
void t_setpgid_child(void);
void t_setpgid_other_session_eperm(void);
void t_setpgid_not_a_child_esrch(void);
void t_setsid_rules(void);
void t_getids_of_a_child_and_errors(void);
void t_getids_orphaned_group(void);
void t_setpgid_join_a_group(void);
void t_setpgid_session_leader_eperm(void);
void t_credentials(void);
void t_setgroups_as_root(void);
void t_setgid_family_rules(void);
void t_rlimit_get_set(void);
void t_rlimit_errors(void);
void t_rlimit_inherited(void);
void t_rlimit_hard_limit_nonroot_eperm(void);
void t_rlimit_defaults(void);
void t_rlimit_as_bounds_mmap(void);

/* path.c: the path space, controlling terminals, system reset and the boot image. */
void t_path_attach_and_resolve(void);
void t_path_directory_and_longest_first(void);
void t_path_union_order(void);
void t_path_symlink(void);
void t_path_bad_names_einval(void);
void t_path_connect_malformed_einval(void);
void t_path_names_go_with_their_server(void);
void t_path_link_needs_root_target_checked(void);
void t_path_detach_by_another_eperm(void);
void t_path_attach_link_and_sysreset_need_root(void);
void t_setctty_rules(void);
void t_bootimg_reads(void);

/* memory.c: memory: mmap, munmap, mprotect, shared-memory grants. */
void t_mmap_anon_zeroed_and_counted(void);
void t_mmap_bad_arguments_einval(void);
void t_mmap_fixed_and_noreplace(void);
void t_mmap_shared_seen_by_fork(void);
void t_mprotect_round_trip(void);
void t_shm_grant_maps_the_same_pages(void);
void t_shm_grants_of_one_leave_anothers(void);
void t_shm_read_only_shares_survive_a_fork_tree(void);
void t_shm_read_only_shares_per_process_bounded(void);
void t_mmap_contig_is_one_run(void);

/* fork_exec.c: fork and exec. */
void t_fork_child_returns_zero(void);
void t_fork_copy_on_write(void);
void t_fork_child_ids(void);
void t_fork_threaded_enosys(void);
void t_fork_many(void);
void t_exec_replaces_image(void);
void t_exec_keeps_pid_and_parent(void);
void t_exec_failure_returns(void);
void t_exec_setpgid_after_exec_eacces(void);
void t_exec_ends_other_threads(void);
void t_exec_runs_a_script(void);
void t_exec_malformed_einval(void);
void t_fork_inherits_group_creds_limits(void);
void t_fork_rlimit_nproc_eagain(void);

/* faults.c: faults (the `faults` run). */
void t_fault_is_sigsegv(void);
void t_below_the_stack_is_sigsegv(void);
void t_map_stack_guard_is_sigsegv(void);
void t_mprotect_readonly_store_is_sigsegv(void);
void t_munmapped_load_is_sigsegv(void);
