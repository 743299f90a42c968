#pragma once
/* The shadow password database, /etc/shadow (root's alone, mode 0600):
 * lines of name:hash:lastchg:min:max:warn:inactive:expire:flag.  The day
 * counts are days since 1970-01-01; an empty number is -1. */
#include <stddef.h>

struct spwd {
	char *sp_namp;                  /* the user */
	char *sp_pwdp;                  /* the hash ("$6$salt$..."), or "*" / "!" locked */
	long sp_lstchg;                 /* day of the last change */
	long sp_min, sp_max, sp_warn, sp_inact, sp_expire;
	unsigned long sp_flag;
};

/* The entry of name, or NULL (errno set when the database could not be
 * read: EACCES for a caller that may not).  getspnam's result lives until
 * the next call. */
struct spwd *getspnam(const char *name);
int getspnam_r(const char *name, struct spwd *sp, char *buf, size_t len, struct spwd **res);
