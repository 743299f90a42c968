/* ktest-proc: signals. */
#include "proc.h"

const struct ktap_case sig_cases[] = {
	{ 0, 0 },
};
const unsigned n_sig_cases = 0;
