/* tmpfs storage: nodes from the heap, file data in pages mapped from
 * taskman (mmap) a chunk at a time, handed out through a free list; the
 * size limit (-s, DEFAULT_BYTES without it) caps how much files may hold.
 * Freed pages stay with tmpfs for the next file.  A file's page table grows
 * only to its highest written page, so a file truncated to a large size
 * costs nothing: the gap reads as zeros. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "tmpfs.h"

#define DEFAULT_BYTES (8u << 20)
#define MAX_BYTES     (1ul << 30)
#define CHUNK_PAGES   64u               /* mapped at once: 256 KiB */
#define NODES_MAX     4096u

static unsigned char *chunk;            /* the newest chunk: pages below chunk_next handed out */
static size_t chunk_next = CHUNK_PAGES;
static void *free_pages;                /* freed pages: the first word links them */

size_t tmpfs_pages_used, tmpfs_pages_limit = DEFAULT_BYTES / TMPFS_PAGE;
size_t tmpfs_nodes, tmpfs_nodes_max = NODES_MAX;
static uint64_t next_ino = 1;

void store_set_limit(uint64_t bytes)
{
	uint64_t pages = bytes / TMPFS_PAGE;

	tmpfs_pages_limit = pages < MAX_BYTES / TMPFS_PAGE ? (size_t)pages : MAX_BYTES / TMPFS_PAGE;
}

/* A zeroed page, or NULL at the limit. */
static unsigned char *page_get(void)
{
	unsigned char *p;

	if (tmpfs_pages_used >= tmpfs_pages_limit)
		return NULL;
	if (free_pages) {
		p = free_pages;
		memcpy(&free_pages, p, sizeof free_pages);
		memset(p, 0, TMPFS_PAGE);
	} else {
		if (chunk_next == CHUNK_PAGES) {
			void *c = mmap(NULL, (size_t)CHUNK_PAGES * TMPFS_PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANON, -1, 0);
			if (c == MAP_FAILED)
				return NULL;
			chunk = c;
			chunk_next = 0;
		}
		p = chunk + chunk_next++ * TMPFS_PAGE;  /* mapped zeroed */
	}
	tmpfs_pages_used++;
	return p;
}

static void page_put(unsigned char *p)
{
	memcpy(p, &free_pages, sizeof free_pages);
	free_pages = p;
	tmpfs_pages_used--;
}

struct tnode *node_new(uint32_t mode, uint32_t uid, uint32_t gid)
{
	if (tmpfs_nodes >= tmpfs_nodes_max)
		return NULL;
	struct tnode *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	iofunc_attr_init(&n->attr, mode);
	n->attr.nlink = 0;
	n->attr.uid = uid;
	n->attr.gid = gid;
	n->attr.ino = next_ino++;
	n->attr.data = n;
	n->parent = n;
	n->next_pos = 2;
	tmpfs_nodes++;
	return n;
}

/* Frees the pages of n from page `from` on. */
static void pages_drop(struct tnode *n, size_t from)
{
	for (size_t i = from; i < n->npages; i++)
		if (n->pages[i]) {
			page_put(n->pages[i]);
			n->pages[i] = NULL;
		}
}

/* The pages a file's table of `entries` page pointers is charged: its
 * first page (a file of up to 2 MiB) is the node's, like the node itself
 * (nodes have their own limit); the rest counts as file pages do. */
static size_t table_pages(size_t entries)
{
	size_t p = (entries * sizeof(unsigned char *) + TMPFS_PAGE - 1) / TMPFS_PAGE;

	return p > 1 ? p - 1 : 0;
}

void node_release(struct tnode *n)
{
	if (n->attr.nlink > 0 || n->attr.count > 0 || n == tmpfs_root)
		return;
	pages_drop(n, 0);
	tmpfs_pages_used -= table_pages(n->npages);
	free(n->pages);
	free(n->target);
	free(n);
	tmpfs_nodes--;
}

int node_set_size(struct tnode *n, int64_t len)
{
	if (len > TMPFS_FILE_MAX)
		return EFBIG;
	if (len < n->attr.nbytes) {
		size_t keep = (size_t)((len + TMPFS_PAGE - 1) / TMPFS_PAGE);
		pages_drop(n, keep);
		size_t tail = (size_t)(len % TMPFS_PAGE);
		if (tail && keep <= n->npages && n->pages[keep - 1])
			memset(n->pages[keep - 1] + tail, 0, TMPFS_PAGE - tail);
	}
	n->attr.nbytes = len;
	return 0;
}

unsigned char *node_page(struct tnode *n, uint64_t off)
{
	size_t i = (size_t)(off / TMPFS_PAGE);

	if (i >= n->npages) {
		size_t want = n->npages ? n->npages : 4;
		while (want <= i)
			want *= 2;
		/* The table counts against the limit, as the pages do, and is
		 * not grown for a page the limit would refuse: one byte written
		 * near 4 GiB grew it to 8 MiB of this server's memory that no
		 * limit saw, on a full file system too. */
		size_t more = table_pages(want) - table_pages(n->npages);
		if (tmpfs_pages_used + more + 1 > tmpfs_pages_limit)
			return NULL;
		unsigned char **t = realloc(n->pages, want * sizeof *t);
		if (!t)
			return NULL;
		memset(t + n->npages, 0, (want - n->npages) * sizeof *t);
		n->pages = t;
		n->npages = want;
		tmpfs_pages_used += more;
	}
	if (!n->pages[i])
		n->pages[i] = page_get();
	return n->pages[i];
}

const unsigned char *node_page_peek(const struct tnode *n, uint64_t off)
{
	size_t i = (size_t)(off / TMPFS_PAGE);

	return i < n->npages ? n->pages[i] : NULL;
}

size_t node_pages(const struct tnode *n)
{
	size_t c = 0;

	for (size_t i = 0; i < n->npages; i++)
		c += n->pages[i] != NULL;
	return c;
}
