/* mkdisk-keel: makes a disk image with a GUID partition table holding one
 * fs-keel partition (1 MiB aligned, to the end of the usable area), for
 * mkfs-keel to format.
 *
 *   mkdisk-keel IMAGE SIZE
 *
 * SIZE takes K, M, G suffixes and is rounded down to 512-byte sectors; the
 * file is created or cut to exactly SIZE.  On success it prints the
 * partition's byte offset and size, "OFFSET SIZE", for mkfs-keel -o.
 * Exit status 0, or 1 with a one-line reason. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "blkfile.h"
#include "gpt.h"

#define LBS 512u

static int fd_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	int fd = *(int *)ctx;
	size_t len = (size_t)count * LBS;

	return pwrite(fd, buf, len, (off_t)(lba * LBS)) == (ssize_t)len ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const char name[] = "keel";
	struct gpt_part part = { 0 };
	uint8_t guid[16];
	uint64_t size, lbas, first, last;

	if (argc != 3 || !parse_size(argv[2], &size)) {
		fprintf(stderr, "usage: mkdisk-keel IMAGE SIZE\n");
		return 1;
	}
	lbas = size / LBS;
	if (lbas < 2048 + 64) {
		fprintf(stderr, "mkdisk-keel: %s: %s is too small (at least 1088 KiB)\n", argv[1], argv[2]);
		return 1;
	}
	int fd = open(argv[1], O_RDWR | O_CREAT, 0644);
	if (fd < 0 || ftruncate(fd, 0) || ftruncate(fd, (off_t)(lbas * LBS))) {
		fprintf(stderr, "mkdisk-keel: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	gpt_usable(LBS, lbas, &first, &last);
	first = (first + 2047) / 2048 * 2048;
	memcpy(part.type, gpt_type_fskeel, 16);
	random_uuid(part.uuid);
	random_uuid(guid);
	part.first_lba = first;
	part.last_lba = last;
	for (unsigned i = 0; name[i]; i++)
		part.name[i] = (uint16_t)name[i];
	int r = gpt_write(fd_write, &fd, LBS, lbas, guid, &part, 1);
	if (r || fsync(fd) || close(fd)) {
		fprintf(stderr, "mkdisk-keel: %s: cannot write the partition table (%s)\n", argv[1],
			r ? gpt_strerror(r) : strerror(errno));
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)(first * LBS),
	       (unsigned long long)((last - first + 1) * LBS));
	return 0;
}
