#pragma once
/* What the boot hart learned, for later code and self-tests. */
#include <stdbool.h>

struct platform;

extern const struct platform *boot_platform;   /* the parsed device tree */
bool cmdline_has(const char *word);            /* whole word in the command line */
