/* hello-libc: the smallest program on Keel's libc (its stripped size is a
 * figure the libc issue tracks).  Prints its arguments through stdio. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from libc:");
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	return 0;
}
