/* Program start: crt0.S calls __libc_start_main with the registers of
 * <keel/start.h> after placing the main thread's TLS block at tp and its
 * record below it. */
#include <picolibc.h>
#include <picotls.h>
#include <stdlib.h>
#include "libc.h"

extern char **environ;
int main(int argc, char **argv, char **envp);
void __libc_init_array(void);

/* The auxiliary vector (a3; NULL until taskman passes one). */
__attribute__((visibility("hidden"))) void *__auxv;
/* The program's name: the last component of argv[0] (syslog's default). */
__attribute__((visibility("hidden"))) const char *__progname = "";

__attribute__((noreturn, used, visibility("hidden")))
void __libc_start_main(int argc, char **argv, char **envp, void *auxv);

void __libc_start_main(int argc, char **argv, char **envp, void *auxv)
{
	char *tp;

	__asm__("mv %0, tp" : "=r"(tp));
	_init_tls(tp);                  /* errno and friends: the TLS template */
	__pthread_init_main();
	__auxv = auxv;
	environ = envp ? envp : &argv[argc];
	if (argc > 0 && argv[0]) {
		__progname = argv[0];
		for (const char *c = argv[0]; *c; c++)
			if (*c == '/' && c[1])
				__progname = c + 1;
	}
	__libc_init_array();
	__spawn_apply(auxv);            /* after the constructors: it may open files */
	exit(main(argc, argv, environ));
}
