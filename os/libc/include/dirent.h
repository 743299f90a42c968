#pragma once
/* <dirent.h> (the package's is an #error): directories are read as
 * records of <keel/iomsg.h>'s struct _io_dirent from the directory's
 * server; a DIR holds the descriptor and a buffer of records. */
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

#define NAME_MAX_DIRENT 255

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[NAME_MAX_DIRENT + 1];
};

typedef struct __dir DIR;

DIR *opendir(const char *path);
DIR *fdopendir(int fd);
struct dirent *readdir(DIR *d);
int readdir_r(DIR *restrict d, struct dirent *restrict entry, struct dirent **restrict result);
void rewinddir(DIR *d);
long telldir(DIR *d);
void seekdir(DIR *d, long pos);
int closedir(DIR *d);
int dirfd(DIR *d);
int scandir(const char *path, struct dirent ***list, int (*sel)(const struct dirent *),
	    int (*cmp)(const struct dirent **, const struct dirent **));
int alphasort(const struct dirent **a, const struct dirent **b);

#ifdef __cplusplus
}
#endif
