#pragma once
/* The kernel monitor: a small command loop on the console, the boot hart's
 * job until there is a user space to hand it to. */
void kmon_run(void) __attribute__((noreturn));
