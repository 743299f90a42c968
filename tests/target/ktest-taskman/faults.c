/* ktest-taskman: children that fault on purpose, run only by the `faults`
 * boot: each must be reported to its parent as killed by SIGSEGV. */
#include "ktest_taskman.h"

/* ---- a store through NULL ---------------------------------------------------------------- */

void t_fault_is_sigsegv(void)
{
	struct _proc_wait_reply r;
	int pid = child("fault", 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.code, _PROC_CLD_KILLED);
	KTAP_EQ(r.signo, 11);
	KTAP_EQ(r.status, _PROC_W_SIGNALED(11));
}

/* ---- stacks and mappings ----------------------------------------------------------------- */

static void killed_by_sigsegv(int pid)
{
	struct _proc_wait_reply r;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.code, _PROC_CLD_KILLED);
	KTAP_EQ(r.signo, SIGSEGV);
	KTAP_EQ(r.status, _PROC_W_SIGNALED(SIGSEGV));
}

void t_below_the_stack_is_sigsegv(void)
{
	killed_by_sigsegv(child("stackguard", 0, 0));
}

/* Forks a child that runs body, which faults before it returns (exit 1:
 * its setup failed; 2: no fault); the child's pid. */
static int fork_to_fault(void (*body)(void))
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		body();
		ProcessExit(2);
	}
	return pid;
}

static void store_below_map_stack(void)
{
	uint64_t a = 0;

	if (mmap_(0, 4 * 4096, RW, ANON_PRIV | _PROC_MAP_STACK, &a))
		ProcessExit(1);
	*(volatile int *)a = 1;                 /* its lowest page is there */
	*(volatile int *)(a - 8) = 1;           /* the guard below is not */
}

static void store_to_read_only(void)
{
	uint64_t a = 0;

	if (mmap_(0, 4096, RW, ANON_PRIV, &a) || mem_op(_PROC_MPROTECT, a, 4096, PROT_READ))
		ProcessExit(1);
	*(volatile int *)a = 1;
}

static void load_from_unmapped(void)
{
	uint64_t a = 0;

	if (mmap_(0, 4096, RW, ANON_PRIV, &a) || mem_op(_PROC_MUNMAP, a, 4096, 0))
		ProcessExit(1);
	ProcessExit(*(volatile int *)a + 3);
}

void t_map_stack_guard_is_sigsegv(void)
{
	killed_by_sigsegv(fork_to_fault(store_below_map_stack));
}

void t_mprotect_readonly_store_is_sigsegv(void)
{
	killed_by_sigsegv(fork_to_fault(store_to_read_only));
}

void t_munmapped_load_is_sigsegv(void)
{
	killed_by_sigsegv(fork_to_fault(load_from_unmapped));
}
