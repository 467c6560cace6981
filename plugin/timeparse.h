/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Time formats met on the wire and on the command line. All pure. */
#ifndef CES_TIMEPARSE_H
#define CES_TIMEPARSE_H

#include <stdbool.h>

enum time_result { TIME_INVALID = -1, TIME_NEVER = 0, TIME_VALID = 1 };

/* ISO 8601 UTC timestamp as Graph writes it ("2017-07-19T14:55:58.5434447Z",
 * 0 to 7 fraction digits, 'Z' or a numeric offset). NULL, "" and the
 * 0001-01-01T00:00:00Z sentinel give TIME_NEVER. *epoch is seconds since 1970. */
enum time_result iso_time_parse(const char *s, double *epoch);

/* A time of a past event (a run's end, a sync, a recorded start) more than
 * this far ahead of the clock is not a valid time: no event happened there,
 * and taking it would make a job look fresh for as long as it stays ahead. */
#define TIME_AHEAD_SLACK 300.0
/* True when t, said to be the time of a past event, is more than
 * TIME_AHEAD_SLACK ahead of now. */
bool time_ahead(double t, double now);

/* ISO 8601 duration: PnDTnHnMn.nS (also weeks PnW; years and months are refused:
 * not a fixed length). 0 and *seconds, or -1. */
int iso_duration_parse(const char *s, double *seconds);

/* True for TimeSpan.MaxValue (P10675199DT2H48M5.4775807S) and anything at
 * least that long: Graph's way to say the schedule never fires. */
bool iso_duration_is_disabled(double seconds);

/* Command-line duration: plain number of seconds or with suffix s, m, h, d.
 * Negative and fractional values allowed. 0 or -1. */
int duration_arg_parse(const char *s, double *seconds);

/* Retry-After value: delta seconds (fractions allowed, "2.128") or an HTTP date
 * (IMF-fixdate, RFC 850, asctime). now is the wall clock. The delay is clamped
 * at 0. 0 on success, -1 when the value is garbage. */
int retry_after_parse(const char *s, double now, double *delay);

/* An epoch's UTC calendar fields, whole seconds. */
struct civil_time {
	long year;
	int month, day, hour, minute, second;
};
/* false when epoch is not finite or beyond 1e15 seconds either way. */
bool time_civil(double epoch, struct civil_time *out);

/* Formats an epoch as "2026-11-30 01:02:03Z" (UTC), into buf (>= 24 bytes). */
void time_format(double epoch, char *buf, unsigned long n);
/* Formats seconds as a short human duration: "45s", "12m", "3h 5m", "2d 4h". */
void duration_format(double seconds, char *buf, unsigned long n);

#endif
