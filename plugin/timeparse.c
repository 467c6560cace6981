/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Time formats: ISO 8601 timestamps and durations, command-line durations,
 * Retry-After. Calendar arithmetic is done here rather than with timegm() or
 * mktime() so that results never depend on TZ or the C library. */
#include "timeparse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SECONDS_PER_DAY 86400.0
/* TimeSpan.MaxValue in whole seconds; .NET writes it for "never fires". */
#define TIMESPAN_MAX_SECONDS 922337203685.0
/* A Retry-After beyond a day is not a plan anyone will wait for. */
#define RETRY_AFTER_CAP SECONDS_PER_DAY
/* Bounds the digits accepted in one number so that nothing overflows. */
#define MAX_NUMBER_DIGITS 18

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly n digits at *p as an integer; advances *p. */
static bool take_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* Unsigned decimal number with an optional fraction; the fraction separator
 * may be ',' where ISO 8601 allows it. The syntax is checked here, by hand;
 * the value comes from strtod on a copy with '.', which rounds correctly
 * (adding digit by digit does not: 99999999999999999 became
 * 100000000000000016). The program never calls setlocale(), so strtod reads
 * '.' whatever the environment says. Fraction digits past what a double
 * holds are read and dropped. */
static bool take_number(const char **p, bool comma_ok, double *out)
{
	const char *s = *p;
	char text[2 * MAX_NUMBER_DIGITS + 4];
	size_t t = 0;
	int digits = 0;
	for (; is_digit(*s); s++) {
		if (++digits > MAX_NUMBER_DIGITS)
			return false;
		text[t++] = *s;
	}
	if (*s == '.' || (comma_ok && *s == ',')) {
		s++;
		text[t++] = '.';
		int frac = 0;
		for (; is_digit(*s); s++, frac++)
			if (frac < MAX_NUMBER_DIGITS + 2)
				text[t++] = *s;
		digits += frac;
		if (frac == 0 && digits == 0)
			return false;
	}
	if (digits == 0)
		return false;
	text[t] = '\0';
	*p = s;
	*out = strtod(text, NULL);
	return true;
}

static bool is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, int m)
{
	static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool date_valid(long y, int mo, int d, int h, int mi, int s)
{
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	/* 60 admits a leap second; it simply rolls into the next minute. */
	return h <= 23 && mi <= 59 && s <= 60;
}

static double epoch_of(long y, int mo, int d, int h, int mi, int s)
{
	return (double)days_from_civil(y, mo, d) * SECONDS_PER_DAY + h * 3600.0 + mi * 60.0 + s;
}

/* "Z", "+hh:mm", "+hhmm", "+hh" or nothing (Graph documents its times as UTC,
 * so a missing zone is read as UTC rather than refused). */
static bool take_zone(const char **p, double *offset)
{
	*offset = 0.0;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return true;
	}
	if (**p != '+' && **p != '-')
		return true;
	int sign = **p == '-' ? -1 : 1;
	int hh, mm = 0;
	(*p)++;
	if (!take_digits(p, 2, &hh))
		return false;
	if (**p == ':') {
		(*p)++;
		if (!take_digits(p, 2, &mm))
			return false;
	} else if (is_digit(**p) && !take_digits(p, 2, &mm)) {
		return false;
	}
	if (hh > 23 || mm > 59)
		return false;
	*offset = sign * (hh * 3600.0 + mm * 60.0);
	return true;
}

static bool take_fraction(const char **p, double *frac)
{
	*frac = 0.0;
	if (**p != '.' && **p != ',')
		return true;
	(*p)++;
	double scale = 0.1;
	int n = 0;
	for (; is_digit(**p); (*p)++, n++) {
		*frac += (**p - '0') * scale;
		scale /= 10.0;
	}
	/* Graph sends 0 to 7 digits; up to 9 (nanoseconds) is still a timestamp. */
	return n >= 1 && n <= 9;
}

enum time_result iso_time_parse(const char *s, double *epoch)
{
	*epoch = 0.0;
	if (s == NULL || *s == '\0')
		return TIME_NEVER;
	const char *p = s;
	int y, mo, d, h, mi, sec;
	double frac, offset;
	if (!take_digits(&p, 4, &y) || !take_char(&p, '-') || !take_digits(&p, 2, &mo) ||
	    !take_char(&p, '-') || !take_digits(&p, 2, &d))
		return TIME_INVALID;
	if (*p != 'T' && *p != 't')
		return TIME_INVALID;
	p++;
	if (!take_digits(&p, 2, &h) || !take_char(&p, ':') || !take_digits(&p, 2, &mi) ||
	    !take_char(&p, ':') || !take_digits(&p, 2, &sec))
		return TIME_INVALID;
	if (!take_fraction(&p, &frac) || !take_zone(&p, &offset) || *p != '\0')
		return TIME_INVALID;
	if (y == 0 || !date_valid(y, mo, d, h, mi, sec))
		return TIME_INVALID;
	/* Year 1 is .NET's DateTime.MinValue: Graph's "never happened". */
	if (y == 1)
		return TIME_NEVER;
	*epoch = epoch_of(y, mo, d, h, mi, sec) + frac - offset;
	return TIME_VALID;
}

/* One "<number><designator>" component, if the next designator is one of
 * those still allowed (in order). Returns the index of the designator in
 * allowed, -1 when the number is missing or malformed, -2 at end of part. */
static int take_component(const char **p, const char *allowed, double *v)
{
	if (**p == '\0' || **p == 'T')
		return -2;
	if (!take_number(p, true, v))
		return -1;
	const char *hit = **p ? strchr(allowed, **p) : NULL;
	if (hit == NULL)
		return -1;
	(*p)++;
	return (int)(hit - allowed);
}

/* Parses components in designator order; factors[i] gives seconds per unit. */
static int take_part(const char **p, const char *order, const double *factors, double *total,
                     int *count)
{
	const char *allowed = order;
	for (;;) {
		double v;
		int i = take_component(p, allowed, &v);
		if (i == -2)
			return 0;
		if (i < 0)
			return -1;
		size_t pos = (size_t)(allowed - order) + (size_t)i;
		*total += v * factors[pos];
		(*count)++;
		allowed = order + pos + 1;
	}
}

int iso_duration_parse(const char *s, double *seconds)
{
	static const double date_factors[] = {7 * SECONDS_PER_DAY, SECONDS_PER_DAY};
	static const double time_factors[] = {3600.0, 60.0, 1.0};
	if (s == NULL || (*s != 'P' && *s != 'p'))
		return -1;
	const char *p = s + 1;
	double total = 0.0;
	int date_n = 0, time_n = 0;
	/* Years and months have no fixed length, so "Y" and "M" here fail. */
	if (take_part(&p, "WD", date_factors, &total, &date_n) < 0)
		return -1;
	if (*p == 'T') {
		p++;
		if (take_part(&p, "HMS", time_factors, &total, &time_n) < 0 || time_n == 0)
			return -1;
	}
	if (*p != '\0' || date_n + time_n == 0)
		return -1;
	*seconds = total;
	return 0;
}

bool iso_duration_is_disabled(double seconds)
{
	return seconds >= TIMESPAN_MAX_SECONDS;
}

static double unit_factor(char c)
{
	switch (c) {
	case 's':
	case 'S':
		return 1.0;
	case 'm':
	case 'M':
		return 60.0;
	case 'h':
	case 'H':
		return 3600.0;
	case 'd':
	case 'D':
		return SECONDS_PER_DAY;
	default:
		return 0.0;
	}
}

int duration_arg_parse(const char *s, double *seconds)
{
	if (s == NULL)
		return -1;
	const char *p = s;
	double sign = 1.0, v, factor = 1.0;
	if (*p == '-' || *p == '+')
		sign = *p++ == '-' ? -1.0 : 1.0;
	if (!take_number(&p, false, &v))
		return -1;
	if (*p != '\0') {
		factor = unit_factor(*p);
		if (factor == 0.0 || p[1] != '\0')
			return -1;
	}
	*seconds = sign * v * factor;
	return 0;
}

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const day_names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const long_day_names[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                             "Friday", "Saturday", "Sunday"};

/* Matches one of the names (case-insensitive) at *p; returns its index or -1. */
static int take_name(const char **p, const char *const *names, int n)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		if (strncasecmp(*p, names[i], len) == 0) {
			*p += len;
			return i;
		}
	}
	return -1;
}

static bool take_hms(const char **p, int *h, int *mi, int *s)
{
	return take_digits(p, 2, h) && take_char(p, ':') && take_digits(p, 2, mi) &&
	       take_char(p, ':') && take_digits(p, 2, s);
}

static bool take_gmt(const char **p)
{
	if (strncmp(*p, "GMT", 3) != 0)
		return false;
	*p += 3;
	return true;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static bool http_date_imf(const char *p, double *epoch)
{
	int d, y, h, mi, s, mo;
	if (take_name(&p, day_names, 7) < 0 || !take_char(&p, ',') || !take_char(&p, ' ') ||
	    !take_digits(&p, 2, &d) || !take_char(&p, ' '))
		return false;
	if ((mo = take_name(&p, month_names, 12)) < 0 || !take_char(&p, ' ') ||
	    !take_digits(&p, 4, &y) || !take_char(&p, ' ') || !take_hms(&p, &h, &mi, &s) ||
	    !take_char(&p, ' ') || !take_gmt(&p) || *p != '\0')
		return false;
	if (!date_valid(y, mo + 1, d, h, mi, s))
		return false;
	*epoch = epoch_of(y, mo + 1, d, h, mi, s);
	return true;
}

/* "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year below 70 is 20xx. */
static bool http_date_rfc850(const char *p, double *epoch)
{
	int d, y, h, mi, s, mo;
	if (take_name(&p, long_day_names, 7) < 0 || !take_char(&p, ',') || !take_char(&p, ' ') ||
	    !take_digits(&p, 2, &d) || !take_char(&p, '-'))
		return false;
	if ((mo = take_name(&p, month_names, 12)) < 0 || !take_char(&p, '-') ||
	    !take_digits(&p, 2, &y) || !take_char(&p, ' ') || !take_hms(&p, &h, &mi, &s) ||
	    !take_char(&p, ' ') || !take_gmt(&p) || *p != '\0')
		return false;
	y += y < 70 ? 2000 : 1900;
	if (!date_valid(y, mo + 1, d, h, mi, s))
		return false;
	*epoch = epoch_of(y, mo + 1, d, h, mi, s);
	return true;
}

/* "Sun Nov  6 08:49:37 1994" (day padded with a space or a zero). */
static bool http_date_asctime(const char *p, double *epoch)
{
	int d, y, h, mi, s, mo;
	if (take_name(&p, day_names, 7) < 0 || !take_char(&p, ' '))
		return false;
	if ((mo = take_name(&p, month_names, 12)) < 0 || !take_char(&p, ' '))
		return false;
	if (*p == ' ')
		p++;
	if (is_digit(p[0]) && is_digit(p[1])) {
		if (!take_digits(&p, 2, &d))
			return false;
	} else if (!take_digits(&p, 1, &d)) {
		return false;
	}
	if (!take_char(&p, ' ') || !take_hms(&p, &h, &mi, &s) || !take_char(&p, ' ') ||
	    !take_digits(&p, 4, &y) || *p != '\0')
		return false;
	if (!date_valid(y, mo + 1, d, h, mi, s))
		return false;
	*epoch = epoch_of(y, mo + 1, d, h, mi, s);
	return true;
}

/* floor() as an integer; callers keep |x| below 1e15. */
static long long floor_ll(double x)
{
	return (long long)floor(x);
}

static double clamp_delay(double d)
{
	if (!(d > 0.0))
		return 0.0;
	return d > RETRY_AFTER_CAP ? RETRY_AFTER_CAP : d;
}

int retry_after_parse(const char *s, double now, double *delay)
{
	if (s == NULL)
		return -1;
	char v[128];
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
	                   s[len - 1] == '\n'))
		len--;
	if (len == 0 || len >= sizeof(v))
		return -1;
	memcpy(v, s, len);
	v[len] = '\0';

	const char *p = v;
	bool negative = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if (is_digit(*p) || *p == '.') {
		double n;
		/* Too many digits is still a number: the server wants a long pause. */
		size_t digits = strspn(p, "0123456789");
		if (digits > MAX_NUMBER_DIGITS && p[digits] == '\0') {
			*delay = negative ? 0.0 : RETRY_AFTER_CAP;
			return 0;
		}
		if (!take_number(&p, false, &n) || *p != '\0')
			return -1;
		*delay = clamp_delay(negative ? -n : n);
		return 0;
	}
	double when;
	if (http_date_imf(v, &when) || http_date_rfc850(v, &when) || http_date_asctime(v, &when)) {
		*delay = clamp_delay(when - now);
		return 0;
	}
	return -1;
}

bool time_ahead(double t, double now)
{
	return t > now + TIME_AHEAD_SLACK;
}

bool time_civil(double epoch, struct civil_time *out)
{
	if (!isfinite(epoch) || epoch > 1e15 || epoch < -1e15)
		return false;
	long long whole = floor_ll(epoch);
	long days = (long)(whole / 86400 - (whole % 86400 < 0));
	long rem = (long)(whole - (long long)days * 86400);
	civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(rem / 3600);
	out->minute = (int)(rem / 60 % 60);
	out->second = (int)(rem % 60);
	return true;
}

void time_format(double epoch, char *buf, unsigned long n)
{
	if (n == 0)
		return;
	struct civil_time t;
	if (!time_civil(epoch, &t)) {
		snprintf(buf, n, "unknown");
		return;
	}
	snprintf(buf, n, "%04ld-%02d-%02d %02d:%02d:%02dZ", t.year, t.month, t.day, t.hour,
	         t.minute, t.second);
}

void duration_format(double seconds, char *buf, unsigned long n)
{
	if (n == 0)
		return;
	if (!isfinite(seconds) || seconds >= 1e15 || seconds <= -1e15) {
		snprintf(buf, n, "unknown");
		return;
	}
	const char *sign = seconds < 0 ? "-" : "";
	long long s = floor_ll((seconds < 0 ? -seconds : seconds) + 0.5);
	long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
	/* Two most significant units: short enough for a pager, exact enough to act on. */
	if (d > 0)
		snprintf(buf, n, h ? "%s%lldd %lldh" : "%s%lldd", sign, d, h);
	else if (h > 0)
		snprintf(buf, n, m ? "%s%lldh %lldm" : "%s%lldh", sign, h, m);
	else if (m > 0)
		snprintf(buf, n, sec ? "%s%lldm %llds" : "%s%lldm", sign, m, sec);
	else
		snprintf(buf, n, "%s%llds", sign, sec);
}
