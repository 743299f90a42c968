/* pthread_self, pthread_equal and the main thread's record. */
#include <string.h>
#include "libc.h"

pthread_t pthread_self(void)
{
	return __self();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

void __pthread_init_main(void)
{
	struct __pthread *t = __self();
	struct _client_info ci;

	memset(t, 0, sizeof *t);
	t->self = t;
	if (ConnectClientInfo_r(-1, &ci, 0) == 0)
		t->tid = (uint32_t)ci.tid;
}
