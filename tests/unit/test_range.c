/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Range parsing and alerting against the table of the Monitoring Plugins
 * guidelines, endpoints included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "range.h"

static struct range parse_ok(const char *text, bool durations)
{
	struct range r;
	struct err e = {0};
	assert_int_equal(range_parse(text, durations, &r, &e), 0);
	assert_true(r.set);
	return r;
}

static void parse_fails(const char *text, bool durations)
{
	struct range r;
	struct err e = {0};
	assert_int_equal(range_parse(text, durations, &r, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_non_null(strstr(e.msg, text));
	assert_null(strchr(e.msg, '\n'));
}

static void plain_number_alerts_below_zero_or_above_it(void **state)
{
	(void)state;
	struct range r = parse_ok("10", false);
	assert_true(range_alerts(&r, -0.001));
	assert_false(range_alerts(&r, 0));
	assert_false(range_alerts(&r, 5));
	assert_false(range_alerts(&r, 10));
	assert_true(range_alerts(&r, 10.001));
	assert_string_equal(r.text, "10");
}

static void start_colon_alerts_below_start(void **state)
{
	(void)state;
	struct range r = parse_ok("10:", false);
	assert_true(range_alerts(&r, 9.99));
	assert_false(range_alerts(&r, 10));
	assert_false(range_alerts(&r, 1e12));
	assert_string_equal(r.text, "10:");
}

static void tilde_alerts_above_end_only(void **state)
{
	(void)state;
	struct range r = parse_ok("~:10", false);
	assert_false(range_alerts(&r, -1e9));
	assert_false(range_alerts(&r, 10));
	assert_true(range_alerts(&r, 10.5));
	assert_string_equal(r.text, "~:10");
}

static void start_end_alerts_outside_inclusive(void **state)
{
	(void)state;
	struct range r = parse_ok("10:20", false);
	assert_true(range_alerts(&r, 9));
	assert_false(range_alerts(&r, 10));
	assert_false(range_alerts(&r, 15));
	assert_false(range_alerts(&r, 20));
	assert_true(range_alerts(&r, 21));
	assert_string_equal(r.text, "10:20");
}

static void at_alerts_inside_inclusive(void **state)
{
	(void)state;
	struct range r = parse_ok("@10:20", false);
	assert_false(range_alerts(&r, 9.9));
	assert_true(range_alerts(&r, 10));
	assert_true(range_alerts(&r, 15));
	assert_true(range_alerts(&r, 20));
	assert_false(range_alerts(&r, 20.1));
	assert_string_equal(r.text, "@10:20");
}

static void zero_range_alerts_on_anything_positive(void **state)
{
	(void)state;
	struct range r = parse_ok("0", false);
	assert_false(range_alerts(&r, 0));
	assert_true(range_alerts(&r, 1));
	assert_true(range_alerts(&r, -1));
}

static void empty_start_means_zero(void **state)
{
	(void)state;
	struct range r = parse_ok(":10", false);
	assert_false(r.lo_inf);
	assert_true(range_alerts(&r, -1));
	assert_false(range_alerts(&r, 0));
	assert_true(range_alerts(&r, 11));
}

static void negative_and_fractional_bounds(void **state)
{
	(void)state;
	struct range r = parse_ok("-5.5:2.25", false);
	assert_true(range_alerts(&r, -5.6));
	assert_false(range_alerts(&r, -5.5));
	assert_false(range_alerts(&r, 2.25));
	assert_true(range_alerts(&r, 2.3));
	assert_string_equal(r.text, "-5.5:2.25");
}

static void at_with_tilde_alerts_below_end(void **state)
{
	(void)state;
	struct range r = parse_ok("@~:5", false);
	assert_true(range_alerts(&r, -100));
	assert_true(range_alerts(&r, 5));
	assert_false(range_alerts(&r, 6));
	assert_string_equal(r.text, "@~:5");
}

static void tilde_to_infinity_never_alerts(void **state)
{
	(void)state;
	struct range r = parse_ok("~:", false);
	assert_false(range_alerts(&r, -1e300));
	assert_false(range_alerts(&r, 1e300));
}

static void equal_bounds_are_accepted(void **state)
{
	(void)state;
	struct range r = parse_ok("5:5", false);
	assert_false(range_alerts(&r, 5));
	assert_true(range_alerts(&r, 5.01));
}

static void durations_carry_units_and_print_seconds(void **state)
{
	(void)state;
	struct range r = parse_ok("2h", true);
	assert_true(r.hi == 7200.0);
	assert_string_equal(r.text, "7200");
	r = parse_ok("5m:1d", true);
	assert_true(r.lo == 300.0 && r.hi == 86400.0);
	assert_string_equal(r.text, "300:86400");
	r = parse_ok("@30s:90", true);
	assert_string_equal(r.text, "@30:90");
	r = parse_ok("~:1.5h", true);
	assert_string_equal(r.text, "~:5400");
	r = parse_ok("10m:", true);
	assert_string_equal(r.text, "600:");
	assert_true(range_alerts(&r, 599));
}

static void units_are_refused_without_durations(void **state)
{
	(void)state;
	parse_fails("5m", false);
	parse_fails("1h:2h", false);
}

static void garbage_is_refused_with_the_text_named(void **state)
{
	(void)state;
	parse_fails("abc", false);
	parse_fails("10:5", false);
	parse_fails("1:2:3", false);
	parse_fails("@", false);
	parse_fails("~", false);
	parse_fails("10x", true);
	parse_fails("5mm", true);
	parse_fails("inf", false);
	parse_fails("nan", false);
	parse_fails("0x10", false);
	parse_fails(" 10", false);
	parse_fails("1e3", false);
	parse_fails("", false);
}

static void null_text_is_refused(void **state)
{
	(void)state;
	struct range r;
	struct err e = {0};
	assert_int_equal(range_parse(NULL, false, &r, &e), -1);
	assert_false(r.set);
}

static void unset_range_never_alerts(void **state)
{
	(void)state;
	struct range r = {0};
	assert_false(range_alerts(&r, 1e300));
	assert_false(range_alerts(NULL, 1));
}

static void unknown_value_never_alerts(void **state)
{
	(void)state;
	struct range r = parse_ok("10", false);
	assert_false(range_alerts(&r, __builtin_nan("")));
	r = parse_ok("@~:", false);
	assert_false(range_alerts(&r, __builtin_nan("")));
}

static void upper_range_alerts_above_only(void **state)
{
	(void)state;
	struct range r;
	range_upper(&r, 7200);
	assert_true(r.set);
	assert_string_equal(r.text, "7200");
	assert_false(range_alerts(&r, 7200));
	assert_true(range_alerts(&r, 7201));
	range_upper(&r, 0.5);
	assert_string_equal(r.text, "0.5");
}

static void number_format_is_plain_decimal(void **state)
{
	(void)state;
	char b[32];
	range_number_format(1234567, b, sizeof(b));
	assert_string_equal(b, "1234567");
	range_number_format(-3, b, sizeof(b));
	assert_string_equal(b, "-3");
	range_number_format(2.128, b, sizeof(b));
	assert_string_equal(b, "2.128");
	range_number_format(922337203685.0, b, sizeof(b));
	assert_string_equal(b, "922337203685");
}

/* Values are the nearest doubles to what was typed: summing digit by digit
 * made 99999999999999999 print as 100000000000000016 and 0.3 differ from
 * 0.3. */
static void values_are_rounded_correctly(void **state)
{
	(void)state;
	static const char *const typed[] = {"99999999999999999", "0.3", "123456.789", "0.0000001",
	                                    "86400.000000000001"};
	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
		struct range r = parse_ok(typed[i], false);
		assert_true(r.hi == strtod(typed[i], NULL));
	}
	struct range big = parse_ok("99999999999999999", false);
	char text[32];
	range_number_format(big.hi, text, sizeof(text));
	assert_string_equal(text, "100000000000000000");
	struct range d = parse_ok("1.5h", true);
	assert_true(d.hi == 5400.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_number_alerts_below_zero_or_above_it),
	    cmocka_unit_test(start_colon_alerts_below_start),
	    cmocka_unit_test(tilde_alerts_above_end_only),
	    cmocka_unit_test(start_end_alerts_outside_inclusive),
	    cmocka_unit_test(at_alerts_inside_inclusive),
	    cmocka_unit_test(zero_range_alerts_on_anything_positive),
	    cmocka_unit_test(empty_start_means_zero),
	    cmocka_unit_test(negative_and_fractional_bounds),
	    cmocka_unit_test(at_with_tilde_alerts_below_end),
	    cmocka_unit_test(tilde_to_infinity_never_alerts),
	    cmocka_unit_test(equal_bounds_are_accepted),
	    cmocka_unit_test(durations_carry_units_and_print_seconds),
	    cmocka_unit_test(units_are_refused_without_durations),
	    cmocka_unit_test(garbage_is_refused_with_the_text_named),
	    cmocka_unit_test(null_text_is_refused),
	    cmocka_unit_test(unset_range_never_alerts),
	    cmocka_unit_test(unknown_value_never_alerts),
	    cmocka_unit_test(upper_range_alerts_above_only),
	    cmocka_unit_test(number_format_is_plain_decimal),
	    cmocka_unit_test(values_are_rounded_correctly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
