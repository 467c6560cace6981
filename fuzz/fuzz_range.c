/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Threshold ranges: range_parse (plain and with duration suffixes),
 * range_alerts and range_number_format. */
#include <math.h>

#include "fuzz.h"
#include "range.h"

static const double probes[] = {-1e300, -86400, -1,   -0.5,  0,    0.5,   1,        9.99,     10,
                                10.01,  20,     3600, 86400, 1e15, 1e300, INFINITY, -INFINITY};

static void check_range(const struct range *r)
{
	FUZZ_ASSERT(r->set);
	FUZZ_ASSERT(memchr(r->text, '\0', sizeof r->text) != NULL);
	FUZZ_ASSERT(!isnan(r->lo) && !isnan(r->hi));
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
		(void)range_alerts(r, probes[i]);

	/* The perfdata text of every bound fits a small buffer and is C-locale. */
	char buf[32];
	range_number_format(r->lo, buf, sizeof buf);
	FUZZ_ASSERT(strchr(buf, ',') == NULL);
	range_number_format(r->hi, buf, sizeof buf);
	FUZZ_ASSERT(strchr(buf, ',') == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	for (int durations = 0; durations <= 1; durations++) {
		struct range r;
		struct err e;
		memset(&r, 0, sizeof r);
		e.kind = ERR_NONE;
		if (range_parse(text, durations, &r, &e) == 0)
			check_range(&r);
		else
			FUZZ_ASSERT(e.kind != ERR_NONE);
	}

	/* Short exact-size buffers for the number formatter. */
	if (size >= sizeof(double)) {
		double v;
		memcpy(&v, data, sizeof v);
		for (size_t n = 1; n <= 24; n += 7) {
			char *b = malloc(n);
			if (b == NULL)
				abort();
			range_number_format(v, b, n);
			FUZZ_ASSERT(memchr(b, '\0', n) != NULL);
			free(b);
		}
	}
	free(text);
	return 0;
}
