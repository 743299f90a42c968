/* The ktest runner: every KTEST() case in link order, reported as KTAP. */
#include "kprintf.h"
#include "ktest.h"
#include "sched.h"

extern const struct ktest_case __ktest_start[], __ktest_end[];
const char *ktest_skip_reason;

void ktest_diag(const char *file, int line, const char *what, uint64_t a, uint64_t b)
{
	if (a || b)
		kprintf("# %s:%d: failed: %s (0x%lx vs 0x%lx)\n", file, line, what, a, b);
	else
		kprintf("# %s:%d: failed: %s\n", file, line, what);
}

int ktest_run_all(void)
{
	int n = (int)(__ktest_end - __ktest_start), failed = 0;

	/* Cases treat hart 0 as "here" and the others as "elsewhere". */
	sched_set_runmask(1);
	kprintf("KTAP version 1\n1..%d\n", n);
	for (int i = 0; i < n; i++) {
		const struct ktest_case *c = &__ktest_start[i];
		int r = c->fn();
		if (r == KTEST_SKIP) {
			kprintf("ok %d %s # SKIP %s\n", i + 1, c->name, ktest_skip_reason);
			continue;
		}
		failed += r != 0;
		kprintf("%sok %d %s\n", r ? "not " : "", i + 1, c->name);
	}
	kprintf("keel: ktest done: %d passed, %d failed\n", n - failed, failed);
	return failed;
}
