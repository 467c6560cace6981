/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Threshold ranges exactly as the Monitoring Plugins guidelines tabulate them:
 *   10      alert if < 0 or > 10
 *   10:     alert if < 10
 *   ~:10    alert if > 10
 *   10:20   alert if < 10 or > 20
 *   @10:20  alert if >= 10 and <= 20
 * An empty start (":10") means 0, as the guidelines say the start may be
 * omitted when it is 0. */
#include "range.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "timeparse.h"

#define SIDE_MAX 48

void range_number_format(double v, char *buf, size_t n)
{
	/* Plain decimals only (perfdata and range syntax know no exponent),
	 * with a '.' point: the program never calls setlocale(). */
	if (!isfinite(v)) {
		str_copy(buf, n, "0");
		return;
	}
	if (v == floor(v) || fabs(v) >= 1e15) {
		snprintf(buf, n, "%.0f", v);
		return;
	}
	snprintf(buf, n, "%.12f", v);
	char *dot = strchr(buf, '.');
	if (dot == NULL)
		return;
	size_t len = strlen(buf);
	while (len > (size_t)(dot - buf) + 2 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (strcmp(buf, "-0.0") == 0 || strcmp(buf, "0.0") == 0)
		str_copy(buf, n, "0");
}

/* Regenerates the text from the values, so that durations read "300" not "5m". */
static void range_text(struct range *r)
{
	char lo[32], hi[32];
	range_number_format(r->lo, lo, sizeof(lo));
	range_number_format(r->hi, hi, sizeof(hi));
	const char *at = r->inside ? "@" : "";
	if (r->lo_inf)
		snprintf(r->text, sizeof(r->text), "%s~:%s", at, r->hi_inf ? "" : hi);
	else if (r->hi_inf)
		snprintf(r->text, sizeof(r->text), "%s%s:", at, lo);
	else if (r->lo == 0.0 && !r->inside)
		snprintf(r->text, sizeof(r->text), "%s", hi);
	else
		snprintf(r->text, sizeof(r->text), "%s%s:%s", at, lo, hi);
}

/* A plain number must not carry a unit; a duration may. Both go through the
 * same strict, locale-independent parser. */
static int parse_side(const char *s, bool durations, double *v)
{
	size_t len = strlen(s);
	if (len == 0)
		return -1;
	char last = s[len - 1];
	if (!durations && !(last >= '0' && last <= '9') && last != '.')
		return -1;
	return duration_arg_parse(s, v);
}

static int range_fail(const char *text, const char *why, struct err *e)
{
	return err_set(e, ERR_USAGE, "invalid range '%.80s': %s", text, why);
}

int range_parse(const char *text, bool durations, struct range *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	if (text == NULL || *text == '\0')
		return range_fail("", "empty", e);
	const char *p = text;
	bool inside = *p == '@';
	if (inside)
		p++;
	char lo[SIDE_MAX], hi[SIDE_MAX];
	const char *colon = strchr(p, ':');
	if (strlen(p) >= SIDE_MAX)
		return range_fail(text, "too long", e);
	if (colon == NULL) {
		str_copy(lo, sizeof(lo), "0");
		str_copy(hi, sizeof(hi), p);
	} else {
		size_t n = (size_t)(colon - p);
		memcpy(lo, p, n);
		lo[n] = '\0';
		str_copy(hi, sizeof(hi), colon + 1);
		if (strchr(hi, ':') != NULL)
			return range_fail(text, "more than one ':'", e);
	}
	struct range t = {.set = true, .inside = inside};
	if (strcmp(lo, "~") == 0)
		t.lo_inf = true;
	else if (*lo == '\0')
		t.lo = 0.0;
	else if (parse_side(lo, durations, &t.lo) < 0)
		return range_fail(text,
		                  durations ? "bad start (number with optional s, m, h, d)"
		                            : "bad start (not a number)",
		                  e);
	if (colon != NULL && *hi == '\0')
		t.hi_inf = true;
	else if (parse_side(hi, durations, &t.hi) < 0)
		return range_fail(text,
		                  durations ? "bad end (number with optional s, m, h, d)"
		                            : "bad end (not a number)",
		                  e);
	if (!t.lo_inf && !t.hi_inf && t.lo > t.hi)
		return range_fail(text, "start is greater than end", e);
	*r = t;
	range_text(r);
	return 0;
}

void range_upper(struct range *r, double hi)
{
	memset(r, 0, sizeof(*r));
	r->set = true;
	r->hi = hi;
	range_text(r);
}

bool range_alerts(const struct range *r, double v)
{
	/* An unknown value (NaN) can be neither inside nor outside. */
	if (r == NULL || !r->set || isnan(v))
		return false;
	bool outside = (!r->lo_inf && v < r->lo) || (!r->hi_inf && v > r->hi);
	return r->inside ? !outside : outside;
}
