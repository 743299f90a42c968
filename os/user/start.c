/* Program start and exit (crt0.S calls __urt_start). */
#include "urt.h"

char **environ;

/* Called once by _start with the registers of <keel/start.h>. */
__attribute__((noreturn, used)) void __urt_start(int argc, char **argv, char **envp);

void __urt_start(int argc, char **argv, char **envp)
{
	environ = envp;
	exit(main(argc, argv, envp));
}

void exit(int status)
{
	ProcessExit(status);
}
