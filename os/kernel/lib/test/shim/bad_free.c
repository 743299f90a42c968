#include "bad_free.h"
#include "pmm.h"

struct bad_free_log bad_free_log;

void pmm_bad_free(uint64_t pa, const char *why, uintptr_t from)
{
	(void)from;
	bad_free_log.count++;
	bad_free_log.pa = pa;
	bad_free_log.why = why;
}
