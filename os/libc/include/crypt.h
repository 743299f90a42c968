#pragma once
/* crypt (XSI <unistd.h>; also <crypt.h> by common practice): "$6$"
 * SHA-512 hashes only. */
char *crypt(const char *key, const char *setting);
