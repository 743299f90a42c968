/* The first user program: proves that a process starts in U-mode, can make
 * kernel calls and ends with a status. */
#include "urt.h"

int main(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	printf("hello from user mode\n");
	return 0;
}
