/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Retry-After header values: delta seconds or an HTTP date. A delay must
 * never be negative or NaN: the retry loop compares it with the deadline. */
#include <math.h>

#include "fuzz.h"
#include "timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	double delay = -1;
	if (retry_after_parse(text, 1796000000.0, &delay) == 0) {
		FUZZ_ASSERT(!isnan(delay));
		FUZZ_ASSERT(delay >= 0);
	}
	free(text);
	return 0;
}
