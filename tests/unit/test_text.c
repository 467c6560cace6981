/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The text every line printed goes through: cleaning, cutting on UTF-8
 * boundaries, and the shape checks for tokens and GUIDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void clean_is(const char *in, const char *want)
{
	char s[128];
	strcpy(s, in);
	text_clean(s);
	assert_string_equal(s, want);
}

static void clean_replaces_controls_pipes_and_bad_utf8(void **state)
{
	(void)state;
	clean_is("plain", "plain");
	clean_is("a\nb\rc\td", "a b c d");
	clean_is("x|y", "x/y");
	clean_is("\x7f", " ");
	clean_is("caf\xc3\xa9", "caf\xc3\xa9"); /* é stays */
	clean_is("\xc3", "?");                  /* cut sequence */
	clean_is("\xc0\xaf", "??");             /* overlong '/' */
	clean_is("\xed\xa0\x80", "???");        /* surrogate */
	clean_is("\xc2\x85", " ");              /* C1 NEL */
	clean_is("a\xe2\x80\xa8"
	         "b",
	         "a b"); /* U+2028: length shrinks */
}

static void prefix_never_splits_a_character(void **state)
{
	(void)state;
	const char *s = "ab\xc3\xa9"
	                "cd"; /* a b é c d: é is bytes 2-3 */
	assert_int_equal(utf8_prefix(s, 2), 2);
	assert_int_equal(utf8_prefix(s, 3), 2);
	assert_int_equal(utf8_prefix(s, 4), 4);
	assert_int_equal(utf8_prefix(s, 100), strlen(s));
	assert_int_equal(utf8_prefix("", 5), 0);
}

static void copy_cuts_with_an_ellipsis(void **state)
{
	(void)state;
	char d[8];
	text_copy(d, sizeof(d), "short");
	assert_string_equal(d, "short");
	text_copy(d, sizeof(d), "a much longer text");
	assert_string_equal(d, "a mu...");
	text_copy(d, sizeof(d), "a\nb|c");
	assert_string_equal(d, "a b/c");
	text_copy(d, sizeof(d), "abc\xc3\xa9\xc3\xa9\xc3\xa9"); /* no half é before ... */
	assert_string_equal(d, "abc...");
}

static void tokens_are_printable_ascii_without_spaces(void **state)
{
	(void)state;
	assert_true(text_is_token("eyJ0eXAi.abc-_~+/=", 18));
	assert_false(text_is_token("", 0));
	assert_false(text_is_token("a b", 3));
	assert_false(text_is_token("a\nb", 3));
	assert_false(text_is_token("caf\xc3\xa9", 5));
}

static void guids_have_the_8_4_4_4_12_shape(void **state)
{
	(void)state;
	const char *g = "5a1f0c2e-0000-4000-8000-000000000001";
	assert_true(text_is_guid(g, strlen(g)));
	assert_true(text_is_guid("5A1F0C2E-ABCD-4000-8000-00000000000F", 36));
	assert_false(text_is_guid(g, 35));
	assert_false(text_is_guid(NULL, 36));
	assert_false(text_is_guid("5a1f0c2e-0000-4000-8000-00000000000g", 36));
	assert_false(text_is_guid("5a1f0c2e00000-4000-8000-000000000001", 36));
	assert_false(text_is_guid("../../../../etc/passwd/../../../../x", 36));
	assert_false(text_is_guid("{a1f0c2e-0000-4000-8000-00000000001}", 36));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(clean_replaces_controls_pipes_and_bad_utf8),
	    cmocka_unit_test(prefix_never_splits_a_character),
	    cmocka_unit_test(copy_cuts_with_an_ellipsis),
	    cmocka_unit_test(tokens_are_printable_ascii_without_spaces),
	    cmocka_unit_test(guids_have_the_8_4_4_4_12_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
