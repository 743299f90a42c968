/* Self-tests of the RISC-V layer: SBI, traps, sscratch, PLIC, page table. */
#include "csr.h"
#include "hart.h"
#include "ktest.h"
#include "plic.h"
#include "sbi.h"
#include "smp.h"
#include "trap.h"
#include "vm.h"

extern char _start_image[], _etext[], _srodata[], _erodata[], _sdata[], _end[];

KTEST(sbi_extensions_present)
{
	long v = sbi_spec_version();

	KT_ASSERT(v >= (0l << 24 | 2));                 /* SBI v0.2 or newer */
	KT_ASSERT(sbi_probe(SBI_EXT_TIME));
	KT_ASSERT(sbi_probe(SBI_EXT_IPI));
	KT_ASSERT(sbi_probe(SBI_EXT_RFNC));
	KT_ASSERT(sbi_probe(SBI_EXT_HSM));
	return 0;
}

KTEST(trap_nested_breakpoints)
{
	uint64_t ss = 1;

	trap_break_arm(1);
	__asm__ volatile("ebreak");
	uint32_t hits = trap_break_disarm(&ss);
	KT_EQ(hits, 2);                 /* the outer one and the nested one */
	KT_EQ(ss, 0);                   /* sscratch is 0 inside kernel traps */
	return 0;
}

static void read_state(void *arg)
{
	uint64_t *out = arg;
	struct hart *h = this_hart();

	out[0] = csr_read(sscratch);
	out[1] = h->index;
	out[2] = (csr_read(sie) & (SIE_SSIE | SIE_STIE)) == (SIE_SSIE | SIE_STIE);
	out[3] = csr_read(satp) == vm_kernel_satp();
}

KTEST(every_hart_kernel_state)
{
	for (uint32_t i = 0; i < nharts; i++) {
		uint64_t out[4] = { ~0ul, ~0ul, 0, 0 };
		KT_EQ(smp_call_on(&harts[i], read_state, out, 2000), 0);
		KT_EQ(out[0], 0);
		KT_EQ(out[1], i);
		KT_EQ(out[2], 1);
		KT_EQ(out[3], 1);
	}
	return 0;
}

KTEST(plic_context_per_hart)
{
	KT_ASSERT(plic_present());
	for (uint32_t i = 0; i < nharts; i++) {
		KT_ASSERT(harts[i].plic_sctx >= 0);
		KT_EQ(plic_read_threshold(harts[i].plic_sctx), 0);
		for (uint32_t j = 0; j < i; j++)
			KT_ASSERT(harts[j].plic_sctx != harts[i].plic_sctx);
	}
	return 0;
}

/* W^X over the whole image, A on every leaf, D on every writable leaf. */
KTEST(kernel_map_w_xor_x)
{
	for (uint64_t va = (uint64_t)_start_image; va < (uint64_t)_end; va += PAGE_SIZE) {
		unsigned q = vm_kernel_query(va, 0);
		unsigned want;
		if (va < (uint64_t)_etext)
			want = VMQ_R | VMQ_X;
		else if (va < (uint64_t)_erodata)
			want = VMQ_R;
		else
			want = VMQ_R | VMQ_W;
		KT_EQ(q & (VMQ_R | VMQ_W | VMQ_X | VMQ_U), want);
		KT_ASSERT(q & VMQ_A);
		KT_ASSERT(q & VMQ_G);
		if (q & VMQ_W)
			KT_ASSERT(q & VMQ_D);
	}
	return 0;
}
