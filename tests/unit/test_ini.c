/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ini reader of --extra-opts: sections, names and values, comments,
 * quotes, line ends, and the malformed lines it refuses with their number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ini.h"

#define S "check_entra_sync"

static struct ini_section read_ok(const char *text, size_t len)
{
	struct ini_section s;
	struct err e = {0};
	assert_int_equal(ini_read_section(text, len, S, &s, &e), 0);
	return s;
}

static void refused(const char *text, size_t len, const char *want)
{
	struct ini_section s;
	struct err e = {0};
	assert_int_equal(ini_read_section(text, len, S, &s, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_string_equal(e.msg, want);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
}

static void entry_is(const struct ini_section *s, size_t i, const char *key, const char *value,
                     unsigned line)
{
	assert_true(i < s->n);
	assert_string_equal(s->v[i].key, key);
	if (value == NULL)
		assert_null(s->v[i].value);
	else
		assert_string_equal(s->v[i].value, value);
	assert_int_equal(s->v[i].line, line);
}

static void names_values_and_bare_names(void **state)
{
	(void)state;
	const char *t = "[check_entra_sync]\n"
	                "tenant=contoso.onmicrosoft.com\n"
	                "  client-id   =   aaaaaaaa-0000-0000-0000-000000000001  \n"
	                "\tsecret-expiry\t\n"
	                "managed-identity=\n";
	struct ini_section s = read_ok(t, strlen(t));
	assert_true(s.found);
	assert_int_equal(s.n, 4);
	entry_is(&s, 0, "tenant", "contoso.onmicrosoft.com", 2);
	entry_is(&s, 1, "client-id", "aaaaaaaa-0000-0000-0000-000000000001", 3);
	entry_is(&s, 2, "secret-expiry", NULL, 4);
	entry_is(&s, 3, "managed-identity", "", 5);
	ini_section_free(&s);
}

static void comments_start_a_line_only(void **state)
{
	(void)state;
	const char *t = "# a comment before any section\n"
	                "; another\n"
	                "[check_entra_sync] # this one is ours\n"
	                "   # indented comment\n"
	                "\t; indented too\n"
	                "client-secret-file=/etc/check-entra-sync/a#b;c.secret\n"
	                "graph-url = https://graph.example # not a comment\n";
	struct ini_section s = read_ok(t, strlen(t));
	assert_int_equal(s.n, 2);
	entry_is(&s, 0, "client-secret-file", "/etc/check-entra-sync/a#b;c.secret", 6);
	entry_is(&s, 1, "graph-url", "https://graph.example # not a comment", 7);
	ini_section_free(&s);
}

static void one_pair_of_quotes_is_removed(void **state)
{
	(void)state;
	const char *t = "[check_entra_sync]\n"
	                "a = \"  spaced value  \"\n"
	                "b = 'single'\n"
	                "c = \"unbalanced\n"
	                "d = \"mixed'\n"
	                "e = \"\"\n"
	                "f = \"\n"
	                "g = \"a\" \"b\"\n";
	struct ini_section s = read_ok(t, strlen(t));
	assert_int_equal(s.n, 7);
	entry_is(&s, 0, "a", "  spaced value  ", 2);
	entry_is(&s, 1, "b", "single", 3);
	entry_is(&s, 2, "c", "\"unbalanced", 4);
	entry_is(&s, 3, "d", "\"mixed'", 5);
	entry_is(&s, 4, "e", "", 6);
	entry_is(&s, 5, "f", "\"", 7);
	entry_is(&s, 6, "g", "a\" \"b", 8);
	ini_section_free(&s);
}

static void every_section_of_the_name_counts_others_are_skipped_unread(void **state)
{
	(void)state;
	const char *t = "[check_disk]\n"
	                "anything goes here, as for the other plugins\n"
	                "=even this\n"
	                "[ check_entra_sync ]\n"
	                "service-principal=one\n"
	                "[Check_entra_sync]\n"
	                "service-principal=not ours: names compare exactly\n"
	                "[check_entra_sync_other]\n"
	                "service-principal=not ours either\n"
	                "[check_entra_sync]\n"
	                "service-principal=two\n";
	struct ini_section s = read_ok(t, strlen(t));
	assert_int_equal(s.n, 2);
	entry_is(&s, 0, "service-principal", "one", 5);
	entry_is(&s, 1, "service-principal", "two", 11);
	ini_section_free(&s);
}

static void a_missing_section_and_an_empty_one_differ(void **state)
{
	(void)state;
	const char *t = "[other]\nx=1\n";
	struct ini_section s = read_ok(t, strlen(t));
	assert_false(s.found);
	assert_int_equal(s.n, 0);
	ini_section_free(&s);
	t = "[check_entra_sync]\n; nothing yet\n[other]\nx=1\n";
	s = read_ok(t, strlen(t));
	assert_true(s.found);
	assert_int_equal(s.n, 0);
	ini_section_free(&s);
	s = read_ok("", 0);
	assert_false(s.found);
	ini_section_free(&s);
}

static void crlf_and_no_final_newline(void **state)
{
	(void)state;
	const char *t = "[check_entra_sync]\r\n"
	                "tenant = contoso\r\n"
	                "\r\n"
	                "client-id=abc";
	struct ini_section s = read_ok(t, strlen(t));
	assert_int_equal(s.n, 2);
	entry_is(&s, 0, "tenant", "contoso", 2);
	entry_is(&s, 1, "client-id", "abc", 4);
	ini_section_free(&s);
}

static void malformed_lines_are_refused_with_their_number(void **state)
{
	(void)state;
	const char *t = "[check_entra_sync]\ntenant=x\n  = a-pasted-secret~VALUE\n";
	refused(t, strlen(t), "line 3: '=' without an option name before it");
	t = "[check_entra_sync\ntenant=x\n";
	refused(t, strlen(t), "line 1: a section header reads [NAME]");
	t = "[]\n";
	refused(t, strlen(t), "line 1: a section header reads [NAME]");
	t = "[check_entra_sync] tenant=x\n";
	refused(t, strlen(t), "line 1: a section header reads [NAME]");
	t = "# fine\ntenant=x\n[check_entra_sync]\n";
	refused(t, strlen(t), "line 2: an option before the first [section]");
	/* even under a section that is not ours */
	t = "[other]\nx=1\n[check_entra_sync\n";
	refused(t, strlen(t), "line 3: a section header reads [NAME]");
}

static void nul_bytes_are_refused(void **state)
{
	(void)state;
	const char t[] = "[check_entra_sync]\ntenant=con\0toso\n";
	refused(t, sizeof(t) - 1, "line 2 holds a NUL byte");
}

static void long_lines_up_to_the_limit(void **state)
{
	(void)state;
	size_t head = strlen("[check_entra_sync]\nk=");
	char *t = malloc(head + INI_LINE_MAX + 8);
	memcpy(t, "[check_entra_sync]\nk=", head);
	/* the line is "k=" and INI_LINE_MAX - 2 bytes: exactly the limit */
	memset(t + head, 'v', INI_LINE_MAX - 2);
	memcpy(t + head + INI_LINE_MAX - 2, "\r\n", 2);
	struct ini_section s = read_ok(t, head + INI_LINE_MAX);
	assert_int_equal(s.n, 1);
	assert_int_equal(strlen(s.v[0].value), INI_LINE_MAX - 2);
	ini_section_free(&s);
	/* one byte more, in a section that is not even ours */
	const char *other = "[other]\nk=";
	size_t ohead = strlen(other);
	memcpy(t, other, ohead);
	memset(t + ohead, 'v', INI_LINE_MAX - 1);
	char want[64];
	snprintf(want, sizeof(want), "line 2 is longer than %u bytes", INI_LINE_MAX);
	refused(t, ohead + INI_LINE_MAX - 1, want);
	free(t);
}

static void messages_never_carry_a_value(void **state)
{
	(void)state;
	const char *t = "[check_entra_sync]\n=Q8~xSECRETVALUE\n";
	struct ini_section s;
	struct err e = {0};
	assert_int_equal(ini_read_section(t, strlen(t), S, &s, &e), -1);
	assert_null(strstr(e.msg, "SECRETVALUE"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_values_and_bare_names),
	    cmocka_unit_test(comments_start_a_line_only),
	    cmocka_unit_test(one_pair_of_quotes_is_removed),
	    cmocka_unit_test(every_section_of_the_name_counts_others_are_skipped_unread),
	    cmocka_unit_test(a_missing_section_and_an_empty_one_differ),
	    cmocka_unit_test(crlf_and_no_final_newline),
	    cmocka_unit_test(malformed_lines_are_refused_with_their_number),
	    cmocka_unit_test(nul_bytes_are_refused),
	    cmocka_unit_test(long_lines_up_to_the_limit),
	    cmocka_unit_test(messages_never_carry_a_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
