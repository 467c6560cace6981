/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Numbers and times for the writers of values. */
#include "values.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "range.h"
#include "timeparse.h"

/* Whole numbers are most values (ages, counts, timestamps) and snprintf
 * costs more than the rest of a metric: digits by hand. */
static size_t whole_text(long long v, char *out)
{
	char digits[24], *p = digits + sizeof(digits);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	size_t len = (size_t)(digits + sizeof(digits) - p);
	memcpy(out, p, len);
	out[len] = '\0';
	return len;
}

size_t value_text(double v, int decimals, char *out)
{
	out[0] = '\0';
	if (!isfinite(v))
		return 0;
	if (decimals == 0)
		v = round(v);
	if (v == floor(v) && fabs(v) < 1e15)
		return whole_text(v == 0.0 ? 0LL : (long long)v, out); /* never "-0" */
	if (decimals > 0)
		snprintf(out, VALUE_TEXT_MAX, "%.*f", decimals, v);
	else
		range_number_format(v, out, VALUE_TEXT_MAX);
	return strlen(out);
}

bool value_time(double epoch, char *out)
{
	time_format(epoch, out, VALUE_TEXT_MAX);
	char *space = strchr(out, ' ');
	if (space == NULL) /* out of range: "unknown" */
		return false;
	*space = 'T';
	return true;
}
