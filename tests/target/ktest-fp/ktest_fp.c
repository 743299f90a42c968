/* ktest-fp: the kernel keeps each user thread's floating-point registers
 * (f0..f31 and fcsr) across switches, on one hart and across harts, and a
 * thread's first FP instruction sees zeroed registers, never another
 * thread's values.  Built with F and D (prog.mk); the runtime stays lp64. */
#include <keel/kcall.h>
#include "ktap.h"
#include "urt.h"

#define NTHREADS 8
#define ROUNDS   300
#define STACK    16384

static char stacks[NTHREADS][STACK] __attribute__((aligned(16)));

#define FREGS_ALL "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", \
	"f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", \
	"f24", "f25", "f26", "f27", "f28", "f29", "f30", "f31"
#define IRP_ALL "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"

/* Loads in[] into f0..f31 and fcsr, makes SchedYield with nothing but the
 * kernel in between, then stores the registers to out[] and returns fcsr. */
static uint64_t load_yield_store(const uint64_t *in, uint64_t fcsr, uint64_t *out)
{
	uint64_t got;

	__asm__ volatile(
		".irp n, " IRP_ALL "\n fld f\\n, (8 * \\n)(%[in])\n .endr\n"
		"fscsr %[fi]\n"
		"li a7, %[yield]\n ecall\n"
		".irp n, " IRP_ALL "\n fsd f\\n, (8 * \\n)(%[out])\n .endr\n"
		"frcsr %[fo]\n"
		: [fo] "=&r"(got)
		: [in] "r"(in), [out] "r"(out), [fi] "r"(fcsr), [yield] "i"(KCALL_SchedYield)
		: "a0", "a7", "memory", FREGS_ALL, "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a6");  /* <keel/kcall.h> */
	return got;
}

/* The registers as the thread finds them, without writing any first. */
static uint64_t store_now(uint64_t *out)
{
	uint64_t got;

	__asm__ volatile(
		".irp n, " IRP_ALL "\n fsd f\\n, (8 * \\n)(%[out])\n .endr\n"
		"frcsr %[fo]\n"
		: [fo] "=&r"(got) : [out] "r"(out) : "memory");
	return got;
}

static void fill(uint64_t *regs, uint64_t k, uint64_t round)
{
	for (uint64_t n = 0; n < 32; n++)
		regs[n] = 0x5a00000000000000ul ^ k << 48 ^ round << 16 ^ n;
}

/* frm stays a valid rounding mode (0..4); fflags take any 5 bits. */
static uint64_t fcsr_for(uint64_t k, uint64_t round)
{
	return ((k + round) % 5) << 5 | ((k * 7 + round) & 0x1f);
}

static volatile long mismatches[NTHREADS];

static void *churn(void *arg)
{
	uint64_t k = (uint64_t)arg, in[32], out[32];

	for (uint64_t r = 0; r < ROUNDS; r++) {
		fill(in, k, r);
		uint64_t fcsr = load_yield_store(in, fcsr_for(k, r), out);
		for (int n = 0; n < 32; n++)
			if (out[n] != in[n])
				mismatches[k]++;
		if (fcsr != fcsr_for(k, r))
			mismatches[k]++;
	}
	return 0;
}

static void run_churners(int n)
{
	int tids[NTHREADS];

	for (int k = 0; k < n; k++) {
		mismatches[k] = 0;
		tids[k] = urt_thread_create(churn, (void *)(uintptr_t)k, stacks[k], STACK, 0);
		KTAP_REQUIRE(tids[k] > 0);
	}
	for (int k = 0; k < n; k++) {
		KTAP_EQ(ThreadJoin_r(tids[k], 0), 0);
		KTAP_EQ(mismatches[k], 0);
	}
}

static void t_two_threads_keep_fp_registers(void)
{
	run_churners(2);
}

static void t_many_threads_keep_fp_registers(void)
{
	run_churners(NTHREADS);
}

static uint64_t seen[32], seen_fcsr;

static void *look(void *arg)
{
	(void)arg;
	seen_fcsr = store_now(seen);
	return 0;
}

/* The creator's registers are full of a pattern when the thread starts. */
static void t_new_thread_starts_with_zeroed_fp(void)
{
	uint64_t in[32], out[32];

	fill(in, 0x77, 1);
	memset(seen, 0xff, sizeof seen);
	seen_fcsr = ~0ul;
	load_yield_store(in, 0x7f & ~0x60, out);        /* and they stay loaded here */
	int tid = urt_thread_create(look, 0, stacks[0], STACK, 0);
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	for (int n = 0; n < 32; n++)
		KTAP_EQ(seen[n], 0);
	KTAP_EQ(seen_fcsr, 0);
}

static volatile double d_three = 3.0;

/* Compiled FP code: arithmetic and a conversion give exact answers. */
static void t_fp_arithmetic(void)
{
	volatile double a = 1.5, b = 2.0;
	double c = a * b;

	KTAP_CHECK(c == d_three);
	KTAP_EQ((long)(c * 1000.0), 3000);
	volatile float f = 0.1f;
	KTAP_EQ((long)(f * 100.0f + 0.5f), 10);
}

static const struct ktap_case cases[] = {
	{ "fp_arithmetic", t_fp_arithmetic },
	{ "new_thread_starts_with_zeroed_fp", t_new_thread_starts_with_zeroed_fp },
	{ "two_threads_keep_fp_registers", t_two_threads_keep_fp_registers },
	{ "many_threads_keep_fp_registers", t_many_threads_keep_fp_registers },
};

int main(int argc, char **argv, char **envp)
{
	(void)argc; (void)argv; (void)envp;
	ktap_run(cases, sizeof cases / sizeof cases[0]);
	return ktap_done("ktest-fp") ? 1 : 0;
}
