/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Timestamps, ISO 8601 durations, command-line durations, Retry-After and the
 * human formats. Expected epochs were computed with Python's calendar.timegm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "timeparse.h"

#define T_2017     1500476158.0 /* 2017-07-19T14:55:58Z */
#define T_1994     784111777.0  /* 1994-11-06T08:49:37Z */
#define NEAR(a, b) assert_true(((a) - (b)) < 1e-6 && ((b) - (a)) < 1e-6)

static double valid_time(const char *s)
{
	double t = -1;
	assert_int_equal(iso_time_parse(s, &t), TIME_VALID);
	return t;
}

static void timestamp_without_fraction(void **state)
{
	(void)state;
	assert_true(valid_time("2017-07-19T14:55:58Z") == T_2017);
	assert_true(valid_time("1970-01-01T00:00:00Z") == 0.0);
}

static void timestamp_with_one_to_seven_fraction_digits(void **state)
{
	(void)state;
	NEAR(valid_time("2017-07-19T14:55:58.5Z"), T_2017 + 0.5);
	NEAR(valid_time("2017-07-19T14:55:58.54Z"), T_2017 + 0.54);
	NEAR(valid_time("2017-07-19T14:55:58.543Z"), T_2017 + 0.543);
	NEAR(valid_time("2017-07-19T14:55:58.5434Z"), T_2017 + 0.5434);
	NEAR(valid_time("2017-07-19T14:55:58.54344Z"), T_2017 + 0.54344);
	NEAR(valid_time("2017-07-19T14:55:58.543444Z"), T_2017 + 0.543444);
	NEAR(valid_time("2017-07-19T14:55:58.5434447Z"), T_2017 + 0.5434447);
}

static void timestamp_offsets_convert_to_utc(void **state)
{
	(void)state;
	assert_true(valid_time("2017-07-19T16:55:58+02:00") == T_2017);
	assert_true(valid_time("2017-07-19T09:25:58-05:30") == T_2017);
	assert_true(valid_time("2017-07-19T14:55:58+00:00") == T_2017);
	assert_true(valid_time("2017-07-19T16:55:58+0200") == T_2017);
	NEAR(valid_time("2017-07-20T00:55:58.25+10:00"), T_2017 + 0.25);
}

static void timestamp_without_zone_is_utc(void **state)
{
	(void)state;
	assert_true(valid_time("2017-07-19T14:55:58") == T_2017);
}

static void leap_day_is_valid_in_leap_years(void **state)
{
	(void)state;
	assert_true(valid_time("2000-02-29T00:00:00Z") == 951782400.0);
	double t;
	assert_int_equal(iso_time_parse("2100-02-29T00:00:00Z", &t), TIME_INVALID);
	assert_int_equal(iso_time_parse("2026-02-29T00:00:00Z", &t), TIME_INVALID);
}

static void null_empty_and_sentinel_mean_never(void **state)
{
	(void)state;
	double t = 5;
	assert_int_equal(iso_time_parse(NULL, &t), TIME_NEVER);
	assert_int_equal(iso_time_parse("", &t), TIME_NEVER);
	assert_int_equal(iso_time_parse("0001-01-01T00:00:00Z", &t), TIME_NEVER);
	assert_int_equal(iso_time_parse("0001-01-01T00:00:00.0000000Z", &t), TIME_NEVER);
	assert_int_equal(iso_time_parse("0001-01-01T00:00:00+00:00", &t), TIME_NEVER);
}

static void impossible_dates_are_invalid(void **state)
{
	(void)state;
	double t;
	const char *bad[] = {
	    "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
	    "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z",
	    "2026-01-01T23:60:00Z", "2026-01-01T23:59:61Z", "0000-01-01T00:00:00Z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(iso_time_parse(bad[i], &t), TIME_INVALID);
}

static void malformed_timestamps_are_invalid(void **state)
{
	(void)state;
	double t;
	const char *bad[] = {
	    "garbage",
	    "2017-07-19",
	    "2017-07-19 14:55:58Z",
	    "2017-7-19T14:55:58Z",
	    "2017-07-19T14:55Z",
	    "2017-07-19T14:55:58.Z",
	    "2017-07-19T14:55:58.5434447ZZ",
	    "2017-07-19T14:55:58Zjunk",
	    "2017-07-19T14:55:58+25:00",
	    "2017-07-19T14:55:58+02:",
	    "2017-07-19T14:55:58.1234567890Z",
	    " 2017-07-19T14:55:58Z",
	    "null",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(iso_time_parse(bad[i], &t), TIME_INVALID);
}

static double duration_ok(const char *s)
{
	double v = -1;
	assert_int_equal(iso_duration_parse(s, &v), 0);
	return v;
}

static void iso_durations_of_graph_schedules(void **state)
{
	(void)state;
	assert_true(duration_ok("PT40M") == 2400.0);
	assert_true(duration_ok("PT20M") == 1200.0);
	assert_true(duration_ok("PT2M") == 120.0);
	assert_true(duration_ok("PT1H30M") == 5400.0);
	assert_true(duration_ok("PT45S") == 45.0);
}

static void iso_durations_with_days_weeks_and_fractions(void **state)
{
	(void)state;
	assert_true(duration_ok("P1D") == 86400.0);
	assert_true(duration_ok("P2W") == 14 * 86400.0);
	assert_true(duration_ok("P1DT2H") == 93600.0);
	NEAR(duration_ok("PT5.5S"), 5.5);
	NEAR(duration_ok("PT0,25S"), 0.25);
	NEAR(duration_ok("PT1.5H"), 5400.0);
	NEAR(duration_ok("P1DT1H1M1.0000001S"), 90061.0000001);
	assert_true(duration_ok("PT0S") == 0.0);
}

static void timespan_max_is_disabled(void **state)
{
	(void)state;
	double v = duration_ok("P10675199DT2H48M5.4775807S");
	assert_true(v > 922337203685.0 && v < 922337203686.0);
	assert_true(iso_duration_is_disabled(v));
	assert_true(iso_duration_is_disabled(1e15));
	assert_false(iso_duration_is_disabled(duration_ok("PT40M")));
	assert_false(iso_duration_is_disabled(duration_ok("P10675198D")));
}

static void iso_durations_refuse_years_months_and_garbage(void **state)
{
	(void)state;
	double v;
	const char *bad[] = {"P1Y",  "P1M",    "P1Y2M", "P",     "PT",     "P1DT",
	                     "T40M", "PT4M0",  "PT-5M", "-PT5M", "PT5M4H", "P1D2W",
	                     "PT.S", "PT40MZ", "",      "40",    "PT40m x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(iso_duration_parse(bad[i], &v), -1);
	assert_int_equal(iso_duration_parse(NULL, &v), -1);
}

static double arg_ok(const char *s)
{
	double v = -1;
	assert_int_equal(duration_arg_parse(s, &v), 0);
	return v;
}

static void command_line_durations(void **state)
{
	(void)state;
	assert_true(arg_ok("10") == 10.0);
	assert_true(arg_ok("10s") == 10.0);
	assert_true(arg_ok("5m") == 300.0);
	assert_true(arg_ok("2h") == 7200.0);
	assert_true(arg_ok("1d") == 86400.0);
	assert_true(arg_ok("1.5h") == 5400.0);
	assert_true(arg_ok("0.5") == 0.5);
	assert_true(arg_ok("-30") == -30.0);
	assert_true(arg_ok("-1m") == -60.0);
	assert_true(arg_ok("2H") == 7200.0);
}

static void command_line_duration_garbage(void **state)
{
	(void)state;
	double v;
	const char *bad[] = {"", "m", "5x", "5mm", "5 m", "1e3", "inf", "--5", ".", "5m3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(duration_arg_parse(bad[i], &v), -1);
	assert_int_equal(duration_arg_parse(NULL, &v), -1);
}

static double retry_ok(const char *s, double now)
{
	double d = -1;
	assert_int_equal(retry_after_parse(s, now, &d), 0);
	return d;
}

static void retry_after_delta_seconds(void **state)
{
	(void)state;
	assert_true(retry_ok("120", 0) == 120.0);
	NEAR(retry_ok("2.128", 0), 2.128);
	assert_true(retry_ok("0", 0) == 0.0);
	assert_true(retry_ok(" 7 ", 0) == 7.0);
	assert_true(retry_ok("7\r\n", 0) == 7.0);
}

static void retry_after_negative_clamps_to_zero_and_huge_is_capped(void **state)
{
	(void)state;
	assert_true(retry_ok("-5", 0) == 0.0);
	assert_true(retry_ok("999999999", 0) == 86400.0);
	assert_true(retry_ok("99999999999999999999999999", 0) == 86400.0);
}

static void retry_after_http_dates(void **state)
{
	(void)state;
	assert_true(retry_ok("Sun, 06 Nov 1994 08:49:37 GMT", T_1994 - 30) == 30.0);
	assert_true(retry_ok("Sunday, 06-Nov-94 08:49:37 GMT", T_1994 - 30) == 30.0);
	assert_true(retry_ok("Sun Nov  6 08:49:37 1994", T_1994 - 30) == 30.0);
	assert_true(retry_ok("Sun Nov 06 08:49:37 1994", T_1994 - 30) == 30.0);
}

static void retry_after_date_in_the_past_is_no_wait(void **state)
{
	(void)state;
	assert_true(retry_ok("Sun, 06 Nov 1994 08:49:37 GMT", T_1994 + 100) == 0.0);
}

static void retry_after_far_future_date_is_capped(void **state)
{
	(void)state;
	assert_true(retry_ok("Fri, 31 Dec 2100 23:59:59 GMT", T_1994) == 86400.0);
}

static void retry_after_garbage_is_refused(void **state)
{
	(void)state;
	double d;
	const char *bad[] = {"",
	                     "soon",
	                     "1.2.3",
	                     "12abc",
	                     "nan",
	                     "Sun, 06 Nov 1994 08:49:37",
	                     "Sun, 31 Feb 1994 08:49:37 GMT",
	                     "Sun, 06 Foo 1994 08:49:37 GMT",
	                     "Sun Nov  6 08:49:37",
	                     "Sunday, 06-Nov-94 08:49 GMT"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(retry_after_parse(bad[i], 0, &d), -1);
	assert_int_equal(retry_after_parse(NULL, 0, &d), -1);
}

static void time_format_is_utc(void **state)
{
	(void)state;
	char b[32];
	time_format(T_2017 + 0.9, b, sizeof(b));
	assert_string_equal(b, "2017-07-19 14:55:58Z");
	time_format(0, b, sizeof(b));
	assert_string_equal(b, "1970-01-01 00:00:00Z");
	time_format(951782400.0 - 1, b, sizeof(b));
	assert_string_equal(b, "2000-02-28 23:59:59Z");
	time_format(-1, b, sizeof(b));
	assert_string_equal(b, "1969-12-31 23:59:59Z");
}

static void time_round_trips_through_format(void **state)
{
	(void)state;
	char b[32];
	time_format(valid_time("2024-02-29T23:59:59Z"), b, sizeof(b));
	assert_string_equal(b, "2024-02-29 23:59:59Z");
}

static void duration_format_rounds_to_two_units(void **state)
{
	(void)state;
	char b[32];
	duration_format(45, b, sizeof(b));
	assert_string_equal(b, "45s");
	duration_format(720, b, sizeof(b));
	assert_string_equal(b, "12m");
	duration_format(125, b, sizeof(b));
	assert_string_equal(b, "2m 5s");
	duration_format(3 * 3600 + 5 * 60 + 7, b, sizeof(b));
	assert_string_equal(b, "3h 5m");
	duration_format(2 * 86400 + 4 * 3600 + 59, b, sizeof(b));
	assert_string_equal(b, "2d 4h");
	duration_format(86400, b, sizeof(b));
	assert_string_equal(b, "1d");
	duration_format(0.4, b, sizeof(b));
	assert_string_equal(b, "0s");
	duration_format(119.88, b, sizeof(b));
	assert_string_equal(b, "2m");
	duration_format(-90, b, sizeof(b));
	assert_string_equal(b, "-1m 30s");
	duration_format(__builtin_inf(), b, sizeof(b));
	assert_string_equal(b, "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(timestamp_without_fraction),
	    cmocka_unit_test(timestamp_with_one_to_seven_fraction_digits),
	    cmocka_unit_test(timestamp_offsets_convert_to_utc),
	    cmocka_unit_test(timestamp_without_zone_is_utc),
	    cmocka_unit_test(leap_day_is_valid_in_leap_years),
	    cmocka_unit_test(null_empty_and_sentinel_mean_never),
	    cmocka_unit_test(impossible_dates_are_invalid),
	    cmocka_unit_test(malformed_timestamps_are_invalid),
	    cmocka_unit_test(iso_durations_of_graph_schedules),
	    cmocka_unit_test(iso_durations_with_days_weeks_and_fractions),
	    cmocka_unit_test(timespan_max_is_disabled),
	    cmocka_unit_test(iso_durations_refuse_years_months_and_garbage),
	    cmocka_unit_test(command_line_durations),
	    cmocka_unit_test(command_line_duration_garbage),
	    cmocka_unit_test(retry_after_delta_seconds),
	    cmocka_unit_test(retry_after_negative_clamps_to_zero_and_huge_is_capped),
	    cmocka_unit_test(retry_after_http_dates),
	    cmocka_unit_test(retry_after_date_in_the_past_is_no_wait),
	    cmocka_unit_test(retry_after_far_future_date_is_capped),
	    cmocka_unit_test(retry_after_garbage_is_refused),
	    cmocka_unit_test(time_format_is_utc),
	    cmocka_unit_test(time_round_trips_through_format),
	    cmocka_unit_test(duration_format_rounds_to_two_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
