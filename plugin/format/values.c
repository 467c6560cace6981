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
	int len = -1;
	if (decimals > 0 || v == floor(v))
		len = snprintf(out, VALUE_TEXT_MAX, "%.*f", decimals > 0 ? decimals : 0, v);
	else
		range_number_format(v, out, VALUE_TEXT_MAX); /* below 2^52: it fits */
	size_t n = len < 0 ? strlen(out) : (size_t)len;
	if (n >= VALUE_TEXT_MAX) { /* a number too long to be one the plugin knows */
		out[0] = '\0';
		return 0;
	}
	return n;
}

/* n digits of v at out, zero-padded. */
static void digits(long v, int n, char *out)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

bool value_time(double epoch, char *out)
{
	struct civil_time t;
	if (!time_civil(epoch, &t) || t.year < 0 || t.year > 9999)
		return false;
	/* by hand: a job has four times, and snprintf costs more than the rest */
	memcpy(out, "0000-00-00T00:00:00Z", 21);
	digits(t.year, 4, out);
	digits(t.month, 2, out + 5);
	digits(t.day, 2, out + 8);
	digits(t.hour, 2, out + 11);
	digits(t.minute, 2, out + 14);
	digits(t.second, 2, out + 17);
	return true;
}
