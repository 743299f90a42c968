/* ktest-proc: the kernel mechanism for the process manager (fork, exec,
 * copy-on-write clones, credentials, groups) and signals.  Run as the
 * first process: `ktest-proc` runs the ordinary cases; `ktest-proc faults`
 * runs the ones whose children fault on purpose (each fault prints a
 * report line, which only that boot expects). */
#include "proc.h"

__asm__(".pushsection .text\n"
	".globl clone_entry\n"
	"clone_entry:\n"
	".option push\n.option norelax\n lla gp, __global_pointer$\n.option pop\n"
	" mv t0, a0\n mv a0, a1\n jalr t0\n"
	" li a7, 2\n ecall\n"                 /* ProcessExit(fn's value) */
	"1: j 1b\n"
	".popsection\n");
_Static_assert(KCALL_ProcessExit == 2, "clone_entry's call number");
extern const char clone_entry[];

#define CHILD_STACK 16384
static char child_stack[CHILD_STACK] __attribute__((aligned(16)));

int clone_child(long (*fn)(long), long arg, uint32_t privs)
{
	int as = AsClone_r(0);

	if (as < 0)
		return as;
	struct _proc_start st;
	memset(&st, 0, sizeof st);
	st.entry = (uint64_t)(uintptr_t)clone_entry;
	st.sp = (uint64_t)(uintptr_t)(child_stack + CHILD_STACK);
	st.argc = (uint64_t)(uintptr_t)fn;
	st.argv = (uint64_t)arg;
	st.privileges = privs;
	int pid = ProcessStart_r(as, &st);
	if (pid < 0)
		AsDestroy_r(as);
	return pid;
}

int wait_status(int pid)
{
	struct _proc_exit ex;
	int r = ProcessWait_r(pid, &ex, 0);

	if (r != pid)
		return 2000 + (r < 0 ? -r : r);
	return ex.how == _PROC_EXITED ? ex.status : 1000 + ex.how;
}

int my_pid(void)
{
	struct _client_info ci;

	return ConnectClientInfo_r(-1, &ci, 0) == 0 ? ci.pid : -1;
}

void pause_ms(unsigned ms)
{
	uint64_t t0 = 0, t1 = 0;

	ClockTime_r(CLOCK_MONOTONIC, 0, &t0);
	do {
		SchedYield_r();
		ClockTime_r(CLOCK_MONOTONIC, 0, &t1);
	} while (t1 - t0 < (uint64_t)ms * 1000000u);
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc > 1 && !strcmp(argv[1], "faults")) {
		ktap_run(fault_cases, n_fault_cases);
		return ktap_done("ktest-proc faults") ? 1 : 0;
	}
	static struct ktap_case all[64];
	unsigned n = 0;
	for (unsigned i = 0; i < n_proc_cases; i++)
		all[n++] = proc_cases[i];
	for (unsigned i = 0; i < n_sig_cases; i++)
		all[n++] = sig_cases[i];
	ktap_run(all, n);
	return ktap_done("ktest-proc") ? 1 : 0;
}
