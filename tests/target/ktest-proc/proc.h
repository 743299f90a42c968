#pragma once
/* ktest-proc: shared helpers.  The program plays the process manager (the
 * first process holds its privilege): it clones its own address space and
 * starts C functions of this program in the clones as child processes. */
#include <keel/kcall.h>
#include <keel/signal.h>
#include "ktap.h"
#include "urt.h"

/* A child process running fn(arg) in a copy-on-write clone of this
 * program's space, on its own stack, with privileges privs; its exit
 * status is fn's return value.  The pid, or -errno. */
int clone_child(long (*fn)(long), long arg, uint32_t privs);
/* Wait for child pid: its exit status, or 1000 + how if it did not exit. */
int wait_status(int pid);
/* This process's pid. */
int my_pid(void);
/* Sleep about ms milliseconds. */
void pause_ms(unsigned ms);

extern const struct ktap_case proc_cases[], sig_cases[], fault_cases[];
extern const unsigned n_proc_cases, n_sig_cases, n_fault_cases;
