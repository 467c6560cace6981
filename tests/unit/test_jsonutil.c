/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bounded JSON parsing: what is accepted, and what each refusal says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "jsonutil.h"

static int parse(const char *text, size_t len, struct json_object **obj, struct err *e)
{
	memset(e, 0, sizeof(*e));
	return json_parse_bounded(text, len, "Graph response", obj, e);
}

static void object_with_trailing_whitespace_parses(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "{\"id\":\"scim.1\",\"n\":2}\r\n  ";
	assert_int_equal(parse(text, strlen(text), &obj, &e), 0);
	assert_string_equal(json_get_string(obj, "id", NULL), "scim.1");
	json_object_put(obj);
}

static void exact_length_is_honoured(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	/* Only the first 7 bytes are the document; what follows must not be read. */
	const char *text = "{\"a\":1}garbage";
	assert_int_equal(parse(text, 7, &obj, &e), 0);
	json_object_put(obj);
}

static void trailing_data_is_refused(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "{\"a\":1} {\"b\":2}";
	assert_int_equal(parse(text, strlen(text), &obj, &e), -1);
	assert_int_equal(e.kind, ERR_PARSE);
	assert_null(obj);
	/* Strict mode notices the second value itself. */
	assert_non_null(strstr(e.msg, "byte 8"));
}

static void truncated_document_says_truncated(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "{\"value\":[{\"id\":\"x\"";
	assert_int_equal(parse(text, strlen(text), &obj, &e), -1);
	assert_int_equal(e.kind, ERR_PARSE);
	assert_non_null(strstr(e.msg, "truncated"));
}

static void empty_document_is_refused(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	assert_int_equal(parse("", 0, &obj, &e), -1);
	assert_non_null(strstr(e.msg, "empty"));
	assert_int_equal(parse(NULL, 0, &obj, &e), -1);
}

static void nesting_beyond_the_limit_is_refused(void **state)
{
	(void)state;
	char text[2 * (JSON_MAX_DEPTH + 1) + 1];
	for (int i = 0; i <= JSON_MAX_DEPTH; i++) {
		text[i] = '[';
		text[2 * (JSON_MAX_DEPTH + 1) - 1 - i] = ']';
	}
	text[sizeof(text) - 1] = '\0';
	struct json_object *obj;
	struct err e;
	assert_int_equal(parse(text, strlen(text), &obj, &e), -1);
	assert_int_equal(e.kind, ERR_PARSE);
	assert_non_null(strstr(e.msg, "nested deeper than 64"));
}

static void nesting_at_the_limit_parses(void **state)
{
	(void)state;
	char text[2 * (JSON_MAX_DEPTH - 1) + 1];
	for (int i = 0; i < JSON_MAX_DEPTH - 1; i++) {
		text[i] = '[';
		text[2 * (JSON_MAX_DEPTH - 1) - 1 - i] = ']';
	}
	text[sizeof(text) - 1] = '\0';
	struct json_object *obj;
	struct err e;
	assert_int_equal(parse(text, strlen(text), &obj, &e), 0);
	json_object_put(obj);
}

static void invalid_utf8_is_refused(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "{\"message\":\"caf\xc3\x28\"}";
	assert_int_equal(parse(text, strlen(text), &obj, &e), -1);
	assert_int_equal(e.kind, ERR_PARSE);
	assert_non_null(strstr(e.msg, "not valid JSON"));
}

static void valid_utf8_and_escapes_parse(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "{\"m\":\"caf\xc3\xa9 \\u00e9 \\\"q\\\"\"}";
	assert_int_equal(parse(text, strlen(text), &obj, &e), 0);
	assert_string_equal(json_get_string(obj, "m", NULL), "caf\xc3\xa9 \xc3\xa9 \"q\"");
	json_object_put(obj);
}

static void embedded_nul_is_refused(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char text[] = "{\"a\":\"x\0y\"}";
	assert_int_equal(parse(text, sizeof(text) - 1, &obj, &e), -1);
	assert_non_null(strstr(e.msg, "NUL"));
}

static void garbage_says_where(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "<html>Bad Gateway</html>";
	assert_int_equal(parse(text, strlen(text), &obj, &e), -1);
	assert_non_null(strstr(e.msg, "Graph response is not valid JSON"));
	assert_non_null(strstr(e.msg, "byte 0"));
}

static void get_string_distinguishes_missing_null_and_wrong_type(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "{\"s\":\"v\",\"n\":null,\"i\":5,\"o\":{}}";
	assert_int_equal(parse(text, strlen(text), &obj, &e), 0);
	bool wrong = true;
	assert_string_equal(json_get_string(obj, "s", &wrong), "v");
	assert_false(wrong);
	assert_null(json_get_string(obj, "missing", &wrong));
	assert_false(wrong);
	wrong = true;
	assert_null(json_get_string(obj, "n", &wrong));
	assert_false(wrong);
	assert_null(json_get_string(obj, "i", &wrong));
	assert_true(wrong);
	assert_null(json_get_string(obj, "o", &wrong));
	assert_true(wrong);
	assert_null(json_get_string(NULL, "s", NULL));
	json_object_put(obj);
}

static void refused(const char *text, const char *expect)
{
	struct json_object *obj = NULL;
	struct err e;
	assert_int_equal(parse(text, strlen(text), &obj, &e), -1);
	assert_null(obj);
	assert_int_equal(e.kind, ERR_PARSE);
	assert_non_null(strstr(e.msg, expect));
}

static void duplicated_key_is_refused(void **state)
{
	(void)state;
	refused("{\"status\":{\"code\":\"Quarantine\",\"code\":\"Active\"}}",
	        "the key \"code\" twice");
}

static void duplicated_key_in_a_later_array_element_is_refused(void **state)
{
	(void)state;
	refused("{\"value\":[{\"id\":\"a\"},{\"id\":\"b\",\"x\":1,\"id\":\"c\"}]}",
	        "the key \"id\" twice");
}

static void same_key_in_sibling_objects_parses(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "{\"a\":{\"id\":\"x\",\"s\":\"id\"},\"b\":{\"id\":\"y\"},"
	                   "\"id\":[\"id\",\"id\"]}";
	assert_int_equal(parse(text, strlen(text), &obj, &e), 0);
	json_object_put(obj);
}

static void duplicated_key_written_with_an_escape_is_refused(void **state)
{
	(void)state;
	refused("{\"code\":\"Quarantine\",\"c\\u006fde\":\"Active\"}", "written with escapes");
}

static void empty_objects_parse(void **state)
{
	(void)state;
	struct json_object *obj;
	struct err e;
	const char *text = "{\"status\":{},\"value\":[{},{}]}";
	assert_int_equal(parse(text, strlen(text), &obj, &e), 0);
	json_object_put(obj);
}

static void infinite_number_is_refused(void **state)
{
	(void)state;
	refused("{\"lastExecution\":{\"countEscrowed\":1e400}}",
	        "number out of range in \"countEscrowed\"");
}

static void integer_past_int64_is_refused(void **state)
{
	(void)state;
	refused("{\"countSuccessiveCompleteFailures\":99999999999999999999999}",
	        "number out of range");
}

static struct json_object *accepted(const char *text)
{
	struct json_object *obj = NULL;
	struct err e;
	int rc = parse(text, strlen(text), &obj, &e);
	if (rc != 0)
		fail_msg("refused: %s", e.msg);
	assert_non_null(obj);
	return obj;
}

/* json-c 0.18 refuses these in its strict mode ("invalid string sequence"):
 * every byte above 0x7f looks like a control character to it. */
static void raw_non_ascii_text_parses_byte_for_byte(void **state)
{
	(void)state;
	struct json_object *obj = accepted("{\"m\":\"caf\xc3\xa9\"}");
	assert_string_equal(json_get_string(obj, "m", NULL), "caf\xc3\xa9");
	json_object_put(obj);
	/* 2, 3 and 4 bytes: Zoë, Cyrillic, Japanese, an emoji; in a key too. */
	obj = accepted("{\"displayName\":\"Zo\xc3\xab \xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2 "
	               "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\",\"\xc3\xa9t\xc3\xa9\":1}");
	assert_string_equal(json_get_string(obj, "displayName", NULL),
	                    "Zo\xc3\xab \xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2 \xe6\x97\xa5\xe6\x9c\xac "
	                    "\xf0\x9f\x98\x80");
	assert_non_null(json_member(obj, "\xc3\xa9t\xc3\xa9"));
	json_object_put(obj);
}

static void escaped_surrogate_pair_becomes_four_bytes(void **state)
{
	(void)state;
	struct json_object *obj = accepted("{\"m\":\"\\ud83d\\ude00\"}");
	assert_string_equal(json_get_string(obj, "m", NULL), "\xf0\x9f\x98\x80");
	json_object_put(obj);
}

static void utf8_that_is_not_a_character_is_refused(void **state)
{
	(void)state;
	refused("{\"m\":\"\xc0\xaf\"}", "invalid UTF-8 at byte 6");         /* overlong '/' */
	refused("{\"m\":\"\xed\xa0\x80\"}", "invalid UTF-8 at byte 6");     /* a surrogate */
	refused("{\"m\":\"\xf4\x90\x80\x80\"}", "invalid UTF-8 at byte 6"); /* above U+10FFFF */
	refused("{\"m\":\"a\x80\"}", "invalid UTF-8 at byte 7");    /* a lone continuation */
	refused("{\"m\":\"\xe6\x97\"}", "invalid UTF-8 at byte 6"); /* cut short */
}

static void raw_control_character_in_a_string_is_refused(void **state)
{
	(void)state;
	refused("{\"m\":\"a\tb\"}", "control character in a string at byte 7");
	refused("{\"m\x01\":1}", "control character in a string at byte 3");
}

/* What json-c's strict mode refused on some releases and not on others, or
 * not at all ("1."): refused here whatever json-c the plugin is built with. */
static void what_rfc_8259_does_not_allow_is_refused(void **state)
{
	(void)state;
	refused("{\"a\":[1,]}", "unexpected character at byte 8");
	refused("{\"a\":1,}", "unexpected character at byte 7");
	refused("{'a':1}", "unexpected character at byte 1");
	refused("{\"a\":1 /* c */}", "unexpected character at byte 7");
	refused("{\"a\":NaN}", "unexpected character at byte 5");
	refused("{\"a\":TRUE}", "unexpected character at byte 5");
	refused("{\"a\":tru}", "unexpected character at byte 8");
	refused("{\"a\":01}", "unexpected character at byte 6");
	refused("{\"a\":1.}", "unexpected character at byte 7");
	refused("{\"a\":-}", "unexpected character at byte 6");
	refused("{\"a\":1e}", "unexpected character at byte 7");
	refused("{\"a\":\"\\x\"}", "unexpected character at byte 7");
	refused("{\"a\":\"\\u12g4\"}", "unexpected character at byte 10");
	refused("{a:1}", "unexpected character at byte 1");
	refused("{\"a\" 1}", "unexpected character at byte 5");
	refused("[1 2]", "unexpected character at byte 3");
	refused("{\"a\":1}\f", "trailing data after the JSON at byte 7");
}

static void numbers_rfc_8259_allows_parse(void **state)
{
	(void)state;
	struct json_object *obj = accepted("[0,-0,12,-3.25,1e3,1E+2,2.5e-1,-0.0]");
	assert_int_equal(json_object_array_length(obj), 8);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(obj, 4)), 1000);
	json_object_put(obj);
}

static void a_bare_value_is_not_a_document(void **state)
{
	(void)state;
	refused("\"text\"", "is not a JSON object or array");
	refused(" 42 ", "is not a JSON object or array");
	refused("null", "is not a JSON object or array");
}

/* The limit counts as json-c does: an empty array 64 deep is at the limit,
 * a number inside it is past it. */
static void depth_counts_values_like_json_c(void **state)
{
	(void)state;
	char text[2 * JSON_MAX_DEPTH + 2];
	memset(text, '[', JSON_MAX_DEPTH);
	memset(text + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	text[2 * JSON_MAX_DEPTH] = '\0';
	json_object_put(accepted(text));
	memset(text, '[', JSON_MAX_DEPTH);
	text[JSON_MAX_DEPTH] = '1';
	memset(text + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH);
	text[2 * JSON_MAX_DEPTH + 1] = '\0';
	refused(text, "nested deeper than 64");
}

static void duplicated_non_ascii_key_is_refused(void **state)
{
	(void)state;
	refused("{\"\xc3\xa9\":1,\"\xc3\xa9\":2}", "the key \"\xc3\xa9\" twice");
	refused("{\"\xc3\xa9\":1,\"\\u00e9\":2}", "written with escapes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(object_with_trailing_whitespace_parses),
	    cmocka_unit_test(exact_length_is_honoured),
	    cmocka_unit_test(trailing_data_is_refused),
	    cmocka_unit_test(truncated_document_says_truncated),
	    cmocka_unit_test(empty_document_is_refused),
	    cmocka_unit_test(nesting_beyond_the_limit_is_refused),
	    cmocka_unit_test(nesting_at_the_limit_parses),
	    cmocka_unit_test(invalid_utf8_is_refused),
	    cmocka_unit_test(valid_utf8_and_escapes_parse),
	    cmocka_unit_test(embedded_nul_is_refused),
	    cmocka_unit_test(garbage_says_where),
	    cmocka_unit_test(get_string_distinguishes_missing_null_and_wrong_type),
	    cmocka_unit_test(duplicated_key_is_refused),
	    cmocka_unit_test(duplicated_key_in_a_later_array_element_is_refused),
	    cmocka_unit_test(same_key_in_sibling_objects_parses),
	    cmocka_unit_test(duplicated_key_written_with_an_escape_is_refused),
	    cmocka_unit_test(empty_objects_parse),
	    cmocka_unit_test(infinite_number_is_refused),
	    cmocka_unit_test(integer_past_int64_is_refused),
	    cmocka_unit_test(raw_non_ascii_text_parses_byte_for_byte),
	    cmocka_unit_test(escaped_surrogate_pair_becomes_four_bytes),
	    cmocka_unit_test(utf8_that_is_not_a_character_is_refused),
	    cmocka_unit_test(raw_control_character_in_a_string_is_refused),
	    cmocka_unit_test(what_rfc_8259_does_not_allow_is_refused),
	    cmocka_unit_test(numbers_rfc_8259_allows_parse),
	    cmocka_unit_test(a_bare_value_is_not_a_document),
	    cmocka_unit_test(depth_counts_values_like_json_c),
	    cmocka_unit_test(duplicated_non_ascii_key_is_refused),
	};
	return cmocka_run_group_tests_name("jsonutil", tests, NULL, NULL);
}
