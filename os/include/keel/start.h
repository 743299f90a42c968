#pragma once
/* How a process and a thread start: the registers and memory the kernel (or
 * taskman, through ProcessStart) hands to the first user instruction.  Only
 * #defines here, so assembly may include it.
 *
 * A process starts at its ELF entry point in U-mode with
 *   a0  argc
 *   a1  argv: char *[argc + 1], NULL-terminated
 *   a2  envp: char *[], NULL-terminated (may be just the NULL)
 *   a3  the auxiliary vector (AT_* pairs of <keel/procmsg.h>) of a process
 *       taskman starts; for the first process (taskman itself) the length
 *       of the boot image, which the kernel maps read-only at
 *       KEEL_BOOTIMG_BASE (0 when the first process is not taskman)
 *   sp  16-byte aligned; the argv and envp arrays and their strings lie in
 *       the stack mapping above it
 *   every other register 0 (so ra = 0: crt0 must never return); gp is set
 *   by crt0 itself from __global_pointer$.
 * Every PT_LOAD segment of the image is mapped with its own protection, the
 * bytes past p_filesz up to p_memsz are zero, and nothing is mapped in the
 * first KEEL_USER_MIN bytes, so a NULL dereference faults.
 *
 * A thread made by ThreadCreate(pid, func, arg, attr) starts with
 *   pc  func        a0  arg
 *   sp  (attr->stackaddr + attr->stacksize) rounded down to 16
 *   ra  attr->exitfunc: func returning lands there with its value in a0
 *   tp  attr->tls   gp  the creating thread's gp
 *   every other register 0.
 * The TLS pointer is simply tp: the kernel saves and restores it with the
 * thread and never uses it itself, so a thread may also change it at will. */

/* The user half of an Sv39 space: [KEEL_USER_MIN, KEEL_USER_END). */
#define KEEL_USER_MIN          0x0000000000001000
#define KEEL_USER_END          0x0000004000000000
/* Where the kernel maps the boot image (the initrd CPIO) for taskman. */
#define KEEL_BOOTIMG_BASE      0x0000002000000000
/* Where static programs are linked (os/user/user.ld). */
#define KEEL_USER_LINK_BASE    0x0000000000010000
/* The first process's stack, as the kernel maps it (Keel's choice; taskman
 * may place the stacks of the processes it starts anywhere). */
#define KEEL_USER_STACK_TOP    0x0000003fffff0000
#define KEEL_USER_STACK_SIZE   0x0000000000020000
