/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Timestamps as Graph writes them: iso_time_parse, then time_format of
 * every accepted value. */
#include <math.h>

#include "fuzz.h"
#include "timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	double epoch = 0;
	enum time_result r = iso_time_parse(text, &epoch);
	FUZZ_ASSERT(r == TIME_INVALID || r == TIME_NEVER || r == TIME_VALID);
	if (r == TIME_VALID) {
		FUZZ_ASSERT(isfinite(epoch));
		char *b = malloc(24); /* the documented minimum */
		if (b == NULL)
			abort();
		time_format(epoch, b, 24);
		FUZZ_ASSERT(memchr(b, '\0', 24) != NULL);
		free(b);
	}
	free(text);
	return 0;
}
