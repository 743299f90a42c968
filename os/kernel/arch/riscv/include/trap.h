#pragma once
/* Trap handling entry points and the test hooks of the trap path
 * (arch-internal; the hooks are in test/trap_hooks.c). */
#include <stdbool.h>
#include <stdint.h>

struct trap_frame;

void trap_kernel(struct trap_frame *f);
struct trap_frame *trap_user(struct trap_frame *f);
/* The way back to user mode: user_exit.h. */
const char *trap_cause_name(uint64_t cause);

/* ktest: the next breakpoint(s) on this hart are expected; each one is
 * counted and skipped, and `nest` of them take a nested breakpoint. */
void trap_break_arm(uint32_t nest);
/* Returns the number of breakpoints taken since arm. */
uint32_t trap_break_disarm(uint64_t *sscratch_seen);
/* Called for a kernel breakpoint: true if it was expected (armed), counted
 * and stepped over; false if it is a real one. */
bool trap_break_expected(struct trap_frame *f);

/* kbench: while set, timer interrupts taken in the kernel go through
 * trap_timer_costed, which handles them and counts their instructions. */
extern volatile uint32_t trap_timer_cost_on;
void trap_timer_costed(struct trap_frame *f);
