/* bigbss: a program whose 1 GiB of zeroed data is more than the board's
 * memory.  Loading it must fail with ENOMEM and leave nothing behind; if it
 * ever runs, it says so. */
#include "urt.h"

static char big[1ul << 30];

int main(int argc, char **argv, char **envp)
{
	(void)argc; (void)argv; (void)envp;
	big[sizeof big - 1] = 1;
	printf("bigbss: running with %lu bytes of bss\n", (unsigned long)sizeof big);
	return big[sizeof big - 1] == 1 ? 0 : 1;
}
