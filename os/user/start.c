/* Program start and exit (crt0.S calls __urt_start). */
#include "urt.h"

char **environ;
uint64_t urt_start_a3;

/* Called once by _start with the registers of <keel/start.h> (crt0 leaves
 * a0..a3 alone). */
__attribute__((noreturn, used)) void __urt_start(int argc, char **argv, char **envp, uint64_t a3);

void __urt_start(int argc, char **argv, char **envp, uint64_t a3)
{
	environ = envp;
	urt_start_a3 = a3;
	exit(main(argc, argv, envp));
}

void exit(int status)
{
	ProcessExit(status);
}
