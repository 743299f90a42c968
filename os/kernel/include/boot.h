#pragma once
/* What the boot hart learned, for later code and self-tests. */
#include <stdbool.h>

struct platform;

extern const struct platform *boot_platform;   /* the parsed device tree */
/* "Keel <version> (<git description>)": defined in core/main.c only, the
 * one object the build remakes when the git description changes. */
extern const char keel_version[];
bool cmdline_has(const char *word);            /* whole word in the command line */
