#pragma once
/* Trap handling entry points and the ktest breakpoint hook (arch-internal). */
#include <stdint.h>

struct trap_frame;

void trap_kernel(struct trap_frame *f);
struct trap_frame *trap_user(struct trap_frame *f);
const char *trap_cause_name(uint64_t cause);

/* ktest: the next breakpoint(s) on this hart are expected; each one is
 * counted and skipped, and `nest` of them take a nested breakpoint. */
void trap_break_arm(uint32_t nest);
/* Returns the number of breakpoints taken since arm. */
uint32_t trap_break_disarm(uint64_t *sscratch_seen);
