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

static void clean_replaces_bidi_and_zero_width_characters(void **state)
{
	(void)state;
	/* "Box RLO gpj.exe PDF": a web UI would show it reversed */
	clean_is("Box \xe2\x80\xae"
	         "fdp.exe",
	         "Box  fdp.exe");
	clean_is("a\xe2\x80\xaa"
	         "b\xe2\x80\xac"
	         "c",
	         "a b c");                            /* U+202A, U+202C */
	clean_is("\xe2\x81\xa6x\xe2\x81\xa9", " x "); /* U+2066 ... U+2069 */
	clean_is("\xe2\x80\x8e\xe2\x80\x8f", "  ");   /* U+200E, U+200F */
	clean_is("\xd8\x9c", " ");                    /* U+061C */
	clean_is("sc\xe2\x80\x8bim", "sc im");        /* U+200B */
	clean_is("\xe2\x80\x8c\xe2\x80\x8d", "  ");   /* U+200C, U+200D */
	clean_is("\xe2\x81\xa0\xef\xbb\xbf", "  ");   /* U+2060, U+FEFF */
	/* their neighbours stay */
	clean_is("\xe2\x80\x8a\xe2\x80\xaf\xe2\x81\xa1\xe2\x81\xaa",
	         "\xe2\x80\x8a\xe2\x80\xaf\xe2\x81\xa1\xe2\x81\xaa");
	clean_is("\xd8\x9b\xef\xbb\xbe", "\xd8\x9b\xef\xbb\xbe");
	char s[32] = "a|\xe2\x80\xae"
	             "b";
	text_clean_trace(s);
	assert_string_equal(s, "a| b"); /* the trace keeps '|' */
}

static void json_text_escapes_what_it_would_otherwise_show_raw(void **state)
{
	(void)state;
	struct buf b = {0};
	assert_int_equal(text_json_safe("{\"n\":\"a\xe2\x80\xae"
	                                "b\xc2\x85\xe2\x80\xa8\xef\xbb\xbf|\xc3\xa9\xff\"}",
	                                &b),
	                 0);
	assert_string_equal(b.data, "{\"n\":\"a\\u202eb\\u0085\\u2028\\ufeff|\xc3\xa9\\ufffd\"}");
	buf_free(&b);
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
	    cmocka_unit_test(clean_replaces_bidi_and_zero_width_characters),
	    cmocka_unit_test(json_text_escapes_what_it_would_otherwise_show_raw),
	    cmocka_unit_test(prefix_never_splits_a_character),
	    cmocka_unit_test(copy_cuts_with_an_ellipsis),
	    cmocka_unit_test(tokens_are_printable_ascii_without_spaces),
	    cmocka_unit_test(guids_have_the_8_4_4_4_12_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
