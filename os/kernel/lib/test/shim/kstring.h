#pragma once
/* Host stand-in for the kernel's kstring.h: the C library has the same names. */
#include <string.h>
