#pragma once
/* Share counts of physical pages mapped by more than one address space
 * (copy-on-write after AsClone).  A page's count is the number of extra
 * mappings: 0, the default for every page, means it has one owner, so pages
 * never shared cost nothing.  All operations are atomic and lock-free; they
 * may be called with any lock held and with interrupts off. */
#include <stdbool.h>
#include <stdint.h>

/* One more space maps pa.  0, or -ENOMEM when the count for pa cannot be
 * kept (no memory for its table, or pa beyond the tracked range). */
int pageref_share(uint64_t pa);
/* One space stops mapping pa.  True if it was the last: the caller owns
 * the page alone (to free it, or to write it in place); false if others
 * still map it (count decremented). */
bool pageref_drop(uint64_t pa);
/* True if more than one space maps pa now. */
bool pageref_shared(uint64_t pa);
/* Shared memory (AS_MAP_SHARED): pa, just allocated and mapped once, is a
 * page of a shared object: every space that maps it writes the page itself,
 * never a copy (no copy-on-write, also not after a clone).  The mark goes
 * with the last pageref_drop.  0, or -ENOMEM as pageref_share. */
int pageref_mark_object(uint64_t pa);
/* True if pa is such a page. */
bool pageref_object(uint64_t pa);
