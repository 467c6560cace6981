/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Durations: iso_duration_parse (schedule.interval), duration_arg_parse
 * (-w/-c values), iso_duration_is_disabled and duration_format. */
#include <math.h>

#include "fuzz.h"
#include "timeparse.h"

static void format_into_exact(double seconds)
{
	for (unsigned long n = 1; n <= 33; n += 8) {
		char *b = malloc(n);
		if (b == NULL)
			abort();
		duration_format(seconds, b, n);
		FUZZ_ASSERT(memchr(b, '\0', n) != NULL);
		free(b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	double sec = 0;
	if (iso_duration_parse(text, &sec) == 0) {
		FUZZ_ASSERT(!isnan(sec));
		FUZZ_ASSERT(sec >= 0);
		(void)iso_duration_is_disabled(sec);
		format_into_exact(sec);
	}
	if (duration_arg_parse(text, &sec) == 0) {
		FUZZ_ASSERT(!isnan(sec));
		format_into_exact(sec);
	}
	free(text);
	return 0;
}
