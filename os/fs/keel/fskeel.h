#pragma once
/* fs-keel: Keel's inode file system.  This header is the format's
 * definition and the portable core's interface; the same core runs in the
 * host tools (mkfs-keel, fsck-keel, over an image file) and in the fs-keel
 * server (over a block driver).  The core makes no OS calls: it reaches the
 * disk only through struct fsk_blkdev and the clock only through its now_ns.
 *
 * ---- On-disk format, version 1 -------------------------------------------
 *
 * All integers are little-endian; every structure below is its own on-disk
 * image (fixed-width fields, natural alignment, sizes asserted).  A block is
 * 1, 2 or 4 KiB (superblock block_log2 10..12); block numbers are 32 bits.
 * With B blocks, N inodes and block size S:
 *
 *   block 0                  superblock (first 256 bytes; the rest is zero)
 *   1 ..                     inode bitmap: ceil((N + 1) / (8 S)) blocks
 *   ..                       block bitmap: ceil(B / (8 S)) blocks
 *   ..                       inode table: ceil(128 N / S) blocks
 *   data_start .. B - 2      data: file data, directories, indirect blocks
 *   B - 1                    backup superblock (a copy written by mkfs and fsck)
 *
 * The layout is a pure function of (S, B, N) (fsk_layout()); mount and fsck
 * recompute it and refuse a superblock whose stored geometry differs.
 * Bitmaps: bit i is byte i / 8, bit i % 8.  Inode bit 0 is always set (inode
 * 0 means "none"); block bits 0 .. data_start - 1 and B - 1 are always set;
 * the padding bits past N (inode) and past B (block) to the end of their
 * last bitmap block are set, so an allocator never hands them out.
 *
 * Inodes are numbered 1..N; inode i is 128 bytes at byte 128 (i - 1) of the
 * table.  Inode 1 is the root directory.  mode 0 means free.  Types are
 * regular file, directory and symbolic link (the POSIX S_IF* values).  A
 * block pointer 0 is a hole: reads give zeros, and for a directory a hole is
 * a block of free entries.  block[0..11] map file blocks 0..11 directly;
 * block[12] is a single, block[13] a double and block[14] a triple indirect
 * block of S / 4 pointers each.  No block is mapped past the end of the
 * file (ceil(size / S) blocks).  nblocks counts every block the inode owns,
 * indirect ones included.  A symbolic link of up to 60 bytes keeps its
 * target in block[] itself (no block is used, nblocks 0); a longer one
 * (up to S - 1 bytes and FSK_PATH_MAX) keeps it in one block at block[0].
 * Times are nanoseconds since 1970 (UTC).  A directory's nlink is 2 plus its
 * number of subdirectories; a file's is its number of names.
 *
 * Directories are arrays of fixed 64-byte entries (fsk_dirent), so an entry
 * never straddles a 512-byte sector and one sector write changes it whole.
 * ino 0 marks a free entry, whose other bytes are zero.  Entry 0 is "." and
 * entry 1 is ".." (the root's ".." is the root).  Names are 1..58 bytes,
 * without '/' or NUL, unique within the directory, and "." and ".." appear
 * only as entries 0 and 1.  A directory's size is a whole number of blocks;
 * directories do not shrink.  Fixed entries were chosen over variable ones
 * for their simplicity (insert, delete and check are slot operations, and a
 * torn sector cannot split an entry); the price is the 58-byte name limit.
 *
 * Feature flags: an unknown incompat flag refuses the mount, an unknown
 * ro_compat flag allows only a read-only mount, an unknown compat flag is
 * ignored.  Version 1 defines none.
 *
 * ---- Crash consistency: strictly ordered writes ---------------------------
 *
 * The core has no write-back cache: every change goes to the device at once,
 * in an order chosen so that a cut after any write leaves a volume whose
 * only faults are leaks.  The rules:
 *   1. allocate before use: a bitmap bit is set on disk before anything
 *      points at its block or inode;
 *   2. initialise before linking: a new inode, directory block, indirect
 *      block or data block is written before the pointer or entry naming it;
 *   3. count before naming: a link count goes up before a new name (or a
 *      subdirectory's "..") appears, and down only after the name is gone;
 *   4. unlink before freeing: a pointer or entry is cleared on disk before
 *      the bitmap bit of what it pointed at is cleared;
 *   5. a file's size grows only after its new blocks are linked, and shrinks
 *      before they are unlinked.
 * A barrier (fsk_blkdev.flush) sits between each dependent pair of writes,
 * so a device that reorders its cache cannot break the order.  A write
 * changes whole sectors, and each rule's unit (an inode, a directory entry,
 * a pointer, a bitmap bit) lies in one sector.  After a cut the volume may
 * therefore hold: bitmap bits set for unreferenced blocks and inodes, link
 * counts above the number of names, inodes with no name (a create or unlink
 * cut short), a moved directory with an old "..", or for a moment two names
 * for a renamed file; never a pointer to a free or uninitialised block.
 * fsck-keel repairs each of these without touching any named file, and
 * fsk_fsync() returns only after every write the core issued has passed a
 * barrier, so a file fsync'd (and its name, made before the fsync) is
 * intact after the cut.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FSK_MAGIC          0x4c45454bu    /* "KEEL" in byte order */
#define FSK_VERSION        1u
#define FSK_SECTOR         512u           /* the device's unit of atomic writes */
#define FSK_SUPER_SIZE     256u
#define FSK_INODE_SIZE     128u
#define FSK_DIRENT_SIZE    64u
#define FSK_NAME_MAX       58u
#define FSK_INLINE_MAX     60u            /* longest symlink kept in the inode */
#define FSK_PATH_MAX       4095u          /* longest symlink target */
#define FSK_NDIRECT        12u
#define FSK_NPTR           15u            /* direct + single, double, triple */
#define FSK_ROOT_INO       1u
#define FSK_MIN_LOG2       10u
#define FSK_MAX_LOG2       12u
#define FSK_MAX_BLOCK      (1u << FSK_MAX_LOG2)
#define FSK_MIN_BLOCKS     32u
#define FSK_MIN_INODES     16u

#define FSK_STATE_CLEAN    1u             /* unmounted cleanly (or fsck'd) */
#define FSK_STATE_DIRTY    2u             /* mounted read-write */

#define FSK_FEAT_COMPAT_SUPP     0u
#define FSK_FEAT_RO_COMPAT_SUPP  0u
#define FSK_FEAT_INCOMPAT_SUPP   0u

/* File types and permission bits of fsk_inode.mode (POSIX values). */
#define FSK_S_IFMT   0170000u
#define FSK_S_IFREG  0100000u
#define FSK_S_IFDIR  0040000u
#define FSK_S_IFLNK  0120000u
#define FSK_S_PERM   07777u

/* fsk_dirent.type */
enum fsk_dtype { FSK_DT_NONE = 0, FSK_DT_REG = 1, FSK_DT_DIR = 2, FSK_DT_LNK = 3 };

struct fsk_super {
	uint32_t magic;
	uint32_t version;
	uint32_t feat_compat;
	uint32_t feat_ro_compat;
	uint32_t feat_incompat;
	uint32_t block_log2;
	uint32_t blocks;              /* B, both superblocks included */
	uint32_t inodes;              /* N */
	uint32_t ibitmap_start, ibitmap_blocks;
	uint32_t bbitmap_start, bbitmap_blocks;
	uint32_t itable_start, itable_blocks;
	uint32_t data_start;
	uint32_t root_ino;            /* FSK_ROOT_INO */
	uint32_t state;               /* FSK_STATE_* */
	uint32_t inode_size;          /* FSK_INODE_SIZE */
	uint64_t mkfs_time_ns;
	uint64_t mount_time_ns;
	uint8_t uuid[16];
	char label[32];               /* NUL-padded */
	uint8_t reserved[116];        /* zero */
	uint32_t crc;                 /* CRC-32C of the 252 bytes before it */
};
_Static_assert(sizeof(struct fsk_super) == FSK_SUPER_SIZE, "superblock is 256 bytes");
_Static_assert(offsetof(struct fsk_super, mkfs_time_ns) == 72, "superblock layout");
_Static_assert(offsetof(struct fsk_super, crc) == FSK_SUPER_SIZE - 4, "crc ends the superblock");

struct fsk_inode {
	uint32_t mode;                /* FSK_S_IF* | permission bits; 0: free */
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint64_t size;
	int64_t atime_ns;
	int64_t mtime_ns;
	int64_t ctime_ns;
	uint32_t block[FSK_NPTR];     /* or an inline symlink target */
	uint32_t nblocks;
	uint32_t generation;          /* bumped each time the inode is reused */
	uint32_t flags;               /* 0 in version 1 */
	uint8_t reserved[8];
};
_Static_assert(sizeof(struct fsk_inode) == FSK_INODE_SIZE, "inode is 128 bytes");
_Static_assert(offsetof(struct fsk_inode, block) == 48, "inode layout");
_Static_assert(FSK_SECTOR % FSK_INODE_SIZE == 0, "an inode never straddles a sector");

struct fsk_dirent {
	uint32_t ino;                 /* 0: free entry */
	uint8_t type;                 /* enum fsk_dtype of the inode */
	uint8_t name_len;             /* 1..FSK_NAME_MAX */
	char name[FSK_NAME_MAX];      /* not terminated; zero past name_len */
};
_Static_assert(sizeof(struct fsk_dirent) == FSK_DIRENT_SIZE, "directory entry is 64 bytes");
_Static_assert(FSK_SECTOR % FSK_DIRENT_SIZE == 0, "an entry never straddles a sector");

/* Where each area lies, derived from (block size, blocks, inodes). */
struct fsk_geometry {
	uint32_t block_log2, block_size;
	uint32_t blocks, inodes;
	uint32_t ibitmap_start, ibitmap_blocks;
	uint32_t bbitmap_start, bbitmap_blocks;
	uint32_t itable_start, itable_blocks;
	uint32_t data_start;
	uint32_t backup;              /* blocks - 1 */
};

/* Computes the layout of a volume of `blocks` blocks of 2^block_log2 bytes
 * with `inodes` inodes.  Returns 0, or -EINVAL if any size is out of range
 * or the metadata leaves fewer than two data blocks (then *g is partly set). */
int fsk_layout(uint32_t block_log2, uint32_t blocks, uint32_t inodes, struct fsk_geometry *g);

/* The number of file blocks (2^block_log2 bytes each) reachable through
 * direct and indirect pointers. */
uint64_t fsk_max_file_blocks(uint32_t block_log2);

/* ---- block device ---------------------------------------------------------
 *
 * Offsets and lengths are bytes, multiples of FSK_SECTOR, relative to the
 * volume's start; size_bytes is the volume's length.  read and write return
 * 0 or a negative errno and either move all len bytes or fail.  A write is
 * atomic per sector.  flush returns once every completed write is durable;
 * it may be NULL for a device without a volatile cache.  now_ns gives the
 * time for inode stamps (may be NULL: times are then 0). */
struct fsk_blkdev {
	void *ctx;
	uint64_t size_bytes;
	int (*read)(void *ctx, uint64_t off, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t off, const void *buf, size_t len);
	int (*flush)(void *ctx);
	int64_t (*now_ns)(void *ctx);
};

/* ---- formatting -------------------------------------------------------------- */

struct fsk_format_opts {
	uint32_t block_log2;          /* 0: 12 (4 KiB) */
	uint32_t blocks;              /* 0: as many as fit the device */
	uint32_t inodes;              /* 0: one per 4 blocks (at least FSK_MIN_INODES) */
	uint8_t uuid[16];
	const char *label;            /* NULL: none; longer than 31 bytes is cut */
	uint32_t root_mode;           /* permission bits of /; 0: 0755 */
	uint32_t root_uid, root_gid;
};

/* Writes an empty file system over the device: zeroed bitmaps and inode
 * table, the root directory, both superblocks (the primary last, so a
 * format cut short never mounts).  Returns 0, -EINVAL for options or a
 * device that do not give a valid layout, or a device error. */
int fsk_format(const struct fsk_blkdev *dev, const struct fsk_format_opts *o);

/* ---- mounting -------------------------------------------------------------- */

/* A mounted volume.  Any number of threads may call the calls below on one
 * volume at once (fsk_impl.h says how the core locks); fsk_unmount comes
 * after every other call has returned. */
struct fsk;

#define FSK_MOUNT_RDONLY   1u
#define FSK_REASON_MAX     96u

/* Reads and checks the superblock (magic, version, checksum, features,
 * geometry against fsk_layout() and the device size), the bitmaps and the
 * root inode, and for a read-write mount marks the volume dirty.  The device
 * must stay valid until fsk_unmount().  Returns 0 with *out set, or a
 * negative errno (-EINVAL for a corrupt or foreign volume, -EROFS for a
 * read-write mount that unknown ro_compat features forbid, -ENOMEM, a device
 * error) with a one-line reason in why[0..whylen) (may be NULL). */
int fsk_mount(const struct fsk_blkdev *dev, unsigned flags, struct fsk **out,
	      char *why, size_t whylen);

/* Marks a read-write volume clean, flushes and frees fs.  Returns 0 or the
 * device error of the final writes (fs is freed either way). */
int fsk_unmount(struct fsk *fs);

/* True if the volume was not cleanly unmounted before this mount. */
bool fsk_was_dirty(const struct fsk *fs);

/* The geometry fs was mounted with. */
const struct fsk_geometry *fsk_geom(const struct fsk *fs);

/* ---- operations -------------------------------------------------------------
 *
 * Inodes are named by number.  Names are NUL-terminated, 1..FSK_NAME_MAX
 * bytes without '/'.  Every call validates what it reads from the disk and
 * answers -EIO for a corrupt value, never trusting it.  Errors are negative
 * errno values; a read-only mount answers -EROFS to every change.  No call
 * checks permissions: that is the caller's policy. */

struct fsk_stat {
	uint32_t ino, mode, uid, gid, nlink, generation;
	uint64_t size, blocks;        /* blocks: 512-byte units allocated */
	int64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t blksize;
};

struct fsk_dirinfo {
	uint32_t ino;
	uint8_t type;                 /* enum fsk_dtype */
	char name[FSK_NAME_MAX + 1];  /* NUL-terminated */
};

struct fsk_statvfs {
	uint32_t bsize;
	uint64_t blocks, bfree;       /* data blocks in all and free */
	uint64_t files, ffree;        /* inodes in all and free */
	uint32_t namemax;
	bool rdonly;
};

/* fsk_setattr() mask bits. */
#define FSK_ATTR_MODE  1u         /* permission bits only; the type stays */
#define FSK_ATTR_UID   2u
#define FSK_ATTR_GID   4u
#define FSK_ATTR_ATIME 8u
#define FSK_ATTR_MTIME 16u

struct fsk_attr {
	uint32_t mode, uid, gid;
	int64_t atime_ns, mtime_ns;
};

int fsk_stat(struct fsk *fs, uint32_t ino, struct fsk_stat *st);
int fsk_setattr(struct fsk *fs, uint32_t ino, const struct fsk_attr *a, unsigned mask);
int fsk_statvfs(struct fsk *fs, struct fsk_statvfs *sv);

/* Finds name in directory dir ("." and ".." included).  Returns 0 with *ino
 * set, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -EINVAL (bad name) or -EIO. */
int fsk_lookup(struct fsk *fs, uint32_t dir, const char *name, uint32_t *ino);

/* Resolves an absolute or root-relative path, following symbolic links in
 * every component and, if follow, in the last (at most 8 links in all:
 * -ELOOP).  ".." at the root stays at the root.  Returns 0 with *ino set. */
int fsk_resolve(struct fsk *fs, const char *path, bool follow, uint32_t *ino);

/* The entry at or after slot *pos of directory dir into *d; *pos moves past
 * it.  Returns 1 with *d filled, 0 at the end, or a negative errno. */
int fsk_readdir(struct fsk *fs, uint32_t dir, uint64_t *pos, struct fsk_dirinfo *d);

/* New regular file, directory or symbolic link named name in dir.  mode's
 * permission bits are kept (its type bits are ignored).  Return 0 with *ino
 * set (ino may be NULL), -EEXIST, -ENOSPC (no inode, block or entry),
 * -EMLINK (dir's link count is full) and the lookup errors. */
int fsk_create(struct fsk *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
	       uint32_t gid, uint32_t *ino);
int fsk_mkdir(struct fsk *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
	      uint32_t gid, uint32_t *ino);
/* target: 1..FSK_PATH_MAX bytes (and shorter than a block), else -ENAMETOOLONG. */
int fsk_symlink(struct fsk *fs, uint32_t dir, const char *name, const char *target, uint32_t uid,
		uint32_t gid, uint32_t *ino);

/* A new name for ino (not a directory: -EPERM; one whose names all went:
 * -ENOENT). */
int fsk_link(struct fsk *fs, uint32_t ino, uint32_t dir, const char *name);

/* Removes a name that is not a directory (-EISDIR); frees the inode with its
 * last name, unless the server has it open (fsk_set_in_use): then the
 * inode stays, nameless with nlink 0, readable and writable through its
 * number until fsk_forget.  A cut meanwhile leaves an inode with no name,
 * which fsck-keel frees like any other.  fsk_rmdir removes an empty
 * directory (-ENOTEMPTY, -ENOTDIR; "." and ".." -EINVAL, the root -EBUSY);
 * one the server has open stays the same way, with no entries (it reads as
 * empty) and taking no new names, until fsk_forget. */
int fsk_unlink(struct fsk *fs, uint32_t dir, const char *name);
int fsk_rmdir(struct fsk *fs, uint32_t dir, const char *name);

/* The server's opens: in_use(ctx, ino) says whether inode ino is open (the
 * unlink above and a rename over a name keep such an inode when its last
 * name goes).  NULL (the default): nothing is. */
void fsk_set_in_use(struct fsk *fs, bool (*in_use)(void *ctx, uint32_t ino), void *ctx);
/* Frees inode ino if it has no name left (nlink 0): the last open of a file
 * whose names all went, or of a directory removed while open.  0 when it still has a name (nothing to do), or an
 * error. */
int fsk_forget(struct fsk *fs, uint32_t ino);

/* Renames sdir/sname to ddir/dname, replacing dname if it exists (a file by
 * a file, a directory by an empty directory: else -EISDIR, -ENOTDIR,
 * -ENOTEMPTY).  Moving a directory into itself or below itself is -EINVAL.
 * Renaming a name onto another name of the same inode does nothing. */
int fsk_rename(struct fsk *fs, uint32_t sdir, const char *sname, uint32_t ddir, const char *dname);

/* Reads up to len bytes at off; holes read as zeros.  Returns the count
 * (0 at or past the end), or -EISDIR, -EINVAL (not a regular file), -EIO. */
int64_t fsk_read(struct fsk *fs, uint32_t ino, uint64_t off, void *buf, size_t len);

/* Writes len bytes at off, growing the file; skipped ranges stay holes.
 * Returns the count written (short only when space ran out after some
 * progress), -ENOSPC, -EFBIG (past the largest file), or another errno. */
int64_t fsk_write(struct fsk *fs, uint32_t ino, uint64_t off, const void *buf, size_t len);

/* Sets a regular file's size; growing leaves a hole, shrinking frees blocks. */
int fsk_truncate(struct fsk *fs, uint32_t ino, uint64_t size);

/* Copies a symbolic link's target to buf (NUL-terminated, cut to len - 1).
 * Returns the target's full length, -EINVAL (not a link) or -EIO. */
int fsk_readlink(struct fsk *fs, uint32_t ino, char *buf, size_t len);

/* Makes every change so far durable (the core writes through; this is the
 * device's barrier).  fsk_fsync names the file for the server's benefit;
 * the durability covers the whole volume. */
int fsk_fsync(struct fsk *fs, uint32_t ino);
int fsk_sync(struct fsk *fs);

/* Maps file block lblk of ino to its disk block (0 for a hole).  Returns 0,
 * -EFBIG (past the largest file) or -EIO.  For tools and tests. */
int fsk_bmap(struct fsk *fs, uint32_t ino, uint64_t lblk, uint32_t *pblk);

/* ---- checking and repair (fsck-keel's engine) ----------------------------- */

#define FSK_CHECK_REPAIR   1u     /* write repairs (else only report) */

/* fsk_check() results, fsck-keel's exit statuses. */
enum fsk_check_status {
	FSK_CHECK_CLEAN = 0,      /* nothing found */
	FSK_CHECK_FIXED = 1,      /* findings, all repaired */
	FSK_CHECK_UNFIXED = 4,    /* findings left (not repairing, or beyond repair) */
	FSK_CHECK_FAILED = 8,     /* the check could not run (device error, memory) */
};

struct fsk_check_result {
	unsigned found;           /* findings */
	unsigned fixed;           /* of them repaired */
	uint32_t files, dirs, symlinks;   /* reachable, after repair */
	uint32_t used_blocks;     /* data-area blocks in use, after repair */
};

/* One line per finding, without a newline. */
typedef void fsk_say_fn(void *ctx, const char *line);

/* Checks every invariant of the format above on an unmounted volume:
 * superblock (checksum, geometry; a bad primary is restored from a good
 * backup), each inode's fields and block pointers (range, past end of file,
 * claimed twice), directory structure (".", "..", names, entries naming free
 * inodes, a second name for a directory, type bytes), reachability (an inode
 * with no name is freed), link counts, bitmaps against what is reachable,
 * nblocks.  With FSK_CHECK_REPAIR each finding is repaired.  Returns an
 * enum fsk_check_status and fills *r. */
int fsk_check(const struct fsk_blkdev *dev, unsigned flags, fsk_say_fn *say, void *ctx,
	      struct fsk_check_result *r);
