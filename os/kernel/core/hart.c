/* The table of harts.  Index 0 is always the boot hart; the others follow
 * in device-tree order.  Entries are filled before a hart starts and are
 * read-only afterwards except for the fields hart.h marks as shared. */
#include "arch.h"
#include "hart.h"
#include "kcall.h"

struct hart harts[MAX_HARTS] = { [0 ... MAX_HARTS - 1] = { .kcall_rows = kcall_rows } };
uint32_t nharts;
volatile uint32_t harts_online;

struct hart *hart_by_id(uint32_t hartid)
{
	for (uint32_t i = 0; i < nharts; i++)
		if (harts[i].hartid == hartid)
			return &harts[i];
	return 0;
}
