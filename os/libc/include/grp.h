#pragma once
/* <grp.h>: the package's, plus getgrouplist (a common extension that
 * id(1) and login-like programs use to list a user's groups). */
#include_next <grp.h>

#ifdef __cplusplus
extern "C" {
#endif

int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups);

#ifdef __cplusplus
}
#endif
