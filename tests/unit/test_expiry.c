/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Credential expiry (man page: CREDENTIAL EXPIRY): the thresholds, which of
 * the application's secrets is the one in use, the application JSON, the
 * cache entry, and the words. All at NOW = 2026-03-01T12:00:00Z. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "credential_cache.h"
#include "fixtures.h"

#define DAY 86400.0

static void thresholds(const char *warn, const char *crit, struct expiry_config *c)
{
	struct err e = {0};
	expiry_config_init(c);
	if (warn != NULL)
		assert_int_equal(expiry_threshold_parse(warn, &c->warn, &e), 0);
	if (crit != NULL)
		assert_int_equal(expiry_threshold_parse(crit, &c->crit, &e), 0);
}

/* The state of a credential ending `left` seconds from NOW. */
static enum state state_for(const struct expiry_config *c, double left)
{
	struct expiry_result r = {.status = EXPIRY_KNOWN, .end = NOW + left};
	expiry_judge(c, NOW, &r);
	assert_true(r.expires_in == left);
	return r.state;
}

static void defaults_warn_below_30_days_and_critical_below_7(void **state)
{
	(void)state;
	struct expiry_config c;
	thresholds(NULL, NULL, &c);
	assert_string_equal(c.warn.text, "2592000:");
	assert_string_equal(c.crit.text, "604800:");
	assert_int_equal(state_for(&c, 31 * DAY), STATE_OK);
	assert_int_equal(state_for(&c, 30 * DAY), STATE_OK); /* "below": the bound itself is OK */
	assert_int_equal(state_for(&c, 30 * DAY - 1), STATE_WARNING);
	assert_int_equal(state_for(&c, 7 * DAY), STATE_WARNING);
	assert_int_equal(state_for(&c, 7 * DAY - 1), STATE_CRITICAL);
}

static void expired_credential_is_critical(void **state)
{
	(void)state;
	struct expiry_config c;
	thresholds(NULL, NULL, &c);
	assert_int_equal(state_for(&c, -1), STATE_CRITICAL);
	assert_int_equal(state_for(&c, -400 * DAY), STATE_CRITICAL);
}

static void a_duration_means_alert_below_it(void **state)
{
	(void)state;
	struct expiry_config c;
	thresholds("14d", "2d", &c);
	assert_string_equal(c.warn.text, "1209600:");
	assert_string_equal(c.crit.text, "172800:");
	assert_int_equal(state_for(&c, 20 * DAY), STATE_OK);
	assert_int_equal(state_for(&c, 10 * DAY), STATE_WARNING);
	assert_int_equal(state_for(&c, DAY), STATE_CRITICAL);
	thresholds("3600", "60s", &c);
	assert_int_equal(state_for(&c, 3000), STATE_WARNING);
	assert_int_equal(state_for(&c, 30), STATE_CRITICAL);
}

static void a_range_is_taken_as_a_range(void **state)
{
	(void)state;
	struct expiry_config c;
	/* an admin's own choice: warn inside 0..10d, critical once expired */
	thresholds("@0:10d", "@~:0", &c);
	assert_string_equal(c.warn.text, "@0:864000");
	assert_int_equal(state_for(&c, 5 * DAY), STATE_WARNING);
	assert_int_equal(state_for(&c, 11 * DAY), STATE_OK);
	assert_int_equal(state_for(&c, -1), STATE_CRITICAL);
	thresholds("10d:", "1d:", &c);
	assert_int_equal(state_for(&c, 5 * DAY), STATE_WARNING);
	assert_int_equal(state_for(&c, 0.5 * DAY), STATE_CRITICAL);
}

static void garbage_threshold_is_a_usage_error(void **state)
{
	(void)state;
	struct range r;
	struct err e = {0};
	assert_int_equal(expiry_threshold_parse("soon", &r, &e), -1);
	assert_int_equal(e.kind, ERR_USAGE);
	assert_contains(e.msg, "neither a duration");
	assert_int_equal(expiry_threshold_parse("5x:", &r, &e), -1);
}

static void unknown_end_is_never_a_state(void **state)
{
	(void)state;
	struct expiry_config c;
	thresholds(NULL, NULL, &c);
	enum expiry_status others[] = {EXPIRY_NOT_APPLICABLE, EXPIRY_NO_PERMISSION,
	                               EXPIRY_NO_APPLICATION, EXPIRY_NO_MATCH,
	                               EXPIRY_LOOKUP_FAILED};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct expiry_result r = {.status = others[i], .end = NOW - DAY};
		expiry_judge(&c, NOW, &r);
		assert_int_equal(r.state, STATE_OK);
	}
}

/* ---- hint matching ---- */

static void add_secret(struct app_credentials *c, const char *hint, double end, double start,
                       const char *name)
{
	struct app_secret *s = &c->secret[c->n++];
	c->total++;
	memset(s, 0, sizeof(*s));
	str_copy(s->hint, sizeof(s->hint), hint);
	str_copy(s->display_name, sizeof(s->display_name), name);
	snprintf(s->key_id, sizeof(s->key_id), "0000000%zu-0000-4000-8000-000000000000", c->n);
	s->end_valid = TIME_VALID;
	s->end = end;
	s->start_valid = TIME_VALID;
	s->start = start;
}

static const char SECRET[] = "abc~8Q.thesecretvalue";

static void the_secret_with_the_hint_is_chosen(void **state)
{
	(void)state;
	struct app_credentials c = {0};
	add_secret(&c, "xyz", NOW + 5 * DAY, NOW - DAY, "other");
	add_secret(&c, "abc", NOW + 90 * DAY, NOW - DAY, "monitoring");
	struct secret_choice ch;
	expiry_choose_secret(&c, SECRET, NOW, &ch);
	assert_true(ch.found);
	assert_int_equal(ch.index, 1);
	assert_int_equal(ch.matching, 1);
}

static void of_several_with_one_hint_the_one_ending_first_is_chosen(void **state)
{
	(void)state;
	struct app_credentials c = {0};
	add_secret(&c, "abc", NOW + 300 * DAY, NOW - DAY, "new");
	add_secret(&c, "abc", NOW + 3 * DAY, NOW - 400 * DAY, "old");
	add_secret(&c, "abc", NOW + 100 * DAY, NOW - 10 * DAY, "middle");
	struct secret_choice ch;
	expiry_choose_secret(&c, SECRET, NOW, &ch);
	assert_true(ch.found);
	assert_int_equal(ch.index, 1);
	assert_int_equal(ch.matching, 3);
}

static void an_ended_or_future_secret_cannot_be_the_one_in_use(void **state)
{
	(void)state;
	struct app_credentials c = {0};
	add_secret(&c, "abc", NOW - DAY, NOW - 400 * DAY, "ended yesterday");
	add_secret(&c, "abc", NOW + 800 * DAY, NOW + DAY, "starts tomorrow");
	add_secret(&c, "abc", NOW + 200 * DAY, NOW - DAY, "in use");
	struct secret_choice ch;
	expiry_choose_secret(&c, SECRET, NOW, &ch);
	assert_true(ch.found);
	assert_int_equal(ch.index, 2);
	assert_int_equal(ch.matching, 3);
}

static void when_all_matching_have_ended_the_last_to_end_is_chosen(void **state)
{
	(void)state;
	struct app_credentials c = {0};
	add_secret(&c, "abc", NOW - 30 * DAY, NOW - 400 * DAY, "long gone");
	add_secret(&c, "abc", NOW - 60, NOW - 400 * DAY, "just ended");
	struct secret_choice ch;
	expiry_choose_secret(&c, SECRET, NOW, &ch);
	assert_true(ch.found);
	assert_int_equal(ch.index, 1);
}

static void no_hint_matches_finds_nothing(void **state)
{
	(void)state;
	struct app_credentials c = {0};
	add_secret(&c, "abd", NOW + DAY, NOW - DAY, "near miss");
	add_secret(&c, "ABC", NOW + DAY, NOW - DAY, "case differs");
	add_secret(&c, "", NOW + DAY, NOW - DAY, "no hint");
	struct secret_choice ch;
	expiry_choose_secret(&c, SECRET, NOW, &ch);
	assert_false(ch.found);
	assert_int_equal(ch.matching, 0);
	struct expiry_result r = {0};
	expiry_from_secrets(&c, SECRET, NOW, &r);
	assert_int_equal(r.status, EXPIRY_NO_MATCH);
	assert_int_equal(r.secrets, 3);
}

static void a_matching_secret_without_an_end_is_not_reported(void **state)
{
	(void)state;
	struct app_credentials c = {0};
	add_secret(&c, "abc", NOW + DAY, NOW - DAY, "no end");
	c.secret[0].end_valid = TIME_NEVER;
	struct secret_choice ch;
	expiry_choose_secret(&c, SECRET, NOW, &ch);
	assert_false(ch.found);
}

static void a_secret_sent_with_a_null_end_never_expires(void **state)
{
	(void)state;
	struct json_object *o = json_tokener_parse(
	    "{\"passwordCredentials\":[{\"hint\":\"abc\",\"keyId\":\"k1\",\"displayName\":\"n\","
	    "\"endDateTime\":null},{\"hint\":\"abc\",\"keyId\":\"k2\"}]}");
	assert_non_null(o);
	struct app_credentials c;
	assert_int_equal(app_credentials_from_json(o, &c, NULL), 0);
	json_object_put(o);
	assert_true(c.secret[0].no_end);  /* null: no end */
	assert_false(c.secret[1].no_end); /* missing: nothing said */
	struct expiry_result r = {0};
	struct expiry_config cfg;
	expiry_config_init(&cfg);
	expiry_from_secrets(&c, SECRET, NOW, &r);
	expiry_judge(&cfg, NOW, &r);
	assert_int_equal(r.status, EXPIRY_NO_END);
	assert_string_equal(r.key_id, "k1");
	assert_int_equal(r.matching, 1);
	assert_int_equal(r.state, STATE_OK);
	/* one with an end ends first, and is the one to renew */
	add_secret(&c, "abc", NOW + 3 * DAY, NOW - DAY, "ends");
	memset(&r, 0, sizeof(r));
	expiry_from_secrets(&c, SECRET, NOW, &r);
	assert_int_equal(r.status, EXPIRY_KNOWN);
	assert_string_equal(r.name, "ends");
	assert_int_equal(r.matching, 2);
	/* ended, it can no longer be the one in use: the one without an end is */
	c.secret[2].end = NOW - DAY;
	memset(&r, 0, sizeof(r));
	expiry_from_secrets(&c, SECRET, NOW, &r);
	assert_int_equal(r.status, EXPIRY_NO_END);
}

static void the_chosen_secret_fills_the_result(void **state)
{
	(void)state;
	struct app_credentials c = {0};
	add_secret(&c, "abc", NOW + 5 * DAY, NOW - DAY, "monitoring");
	add_secret(&c, "abc", NOW + 50 * DAY, NOW - DAY, "rotated");
	struct expiry_result r = {0};
	struct expiry_config cfg;
	expiry_config_init(&cfg);
	expiry_from_secrets(&c, SECRET, NOW, &r);
	expiry_judge(&cfg, NOW, &r);
	assert_int_equal(r.status, EXPIRY_KNOWN);
	assert_int_equal(r.source, EXPIRY_SOURCE_SECRET);
	assert_string_equal(r.name, "monitoring");
	assert_string_equal(r.key_id, "00000001-0000-4000-8000-000000000000");
	assert_int_equal(r.matching, 2);
	assert_int_equal(r.secrets, 2);
	assert_int_equal(r.state, STATE_CRITICAL);
}

/* ---- the application JSON ---- */

static struct json_object *parse(const char *json)
{
	struct json_object *o = json_tokener_parse(json);
	assert_non_null(o);
	return o;
}

static void application_json_reads_hints_names_and_times(void **state)
{
	(void)state;
	struct json_object *o = parse(
	    "{\"passwordCredentials\":[{\"customKeyIdentifier\":null,\"displayName\":\"mon\","
	    "\"endDateTime\":\"2026-03-31T12:00:00Z\",\"hint\":\"abc\","
	    "\"keyId\":\"k1\",\"secretText\":null,\"startDateTime\":\"2026-01-01T00:00:00Z\"},"
	    "{\"displayName\":null,\"endDateTime\":\"2027-01-01T00:00:00.1234567Z\","
	    "\"hint\":\"waytoolong\",\"keyId\":7},"
	    "42]}");
	struct app_credentials c;
	struct err e = {0};
	assert_int_equal(app_credentials_from_json(o, &c, &e), 0);
	json_object_put(o);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.total, 2);
	assert_string_equal(c.secret[0].hint, "abc");
	assert_string_equal(c.secret[0].display_name, "mon");
	assert_string_equal(c.secret[0].key_id, "k1");
	assert_int_equal(c.secret[0].end_valid, TIME_VALID);
	assert_true(c.secret[0].end == NOW + 30 * DAY);
	assert_int_equal(c.secret[0].start_valid, TIME_VALID);
	assert_string_equal(c.secret[1].hint, "");   /* not a hint */
	assert_string_equal(c.secret[1].key_id, ""); /* wrong type reads as absent */
	assert_string_equal(c.secret[1].display_name, "");
}

static void application_without_secrets_has_none(void **state)
{
	(void)state;
	const char *docs[] = {"{}", "{\"passwordCredentials\":null}",
	                      "{\"passwordCredentials\":[]}"};
	for (size_t i = 0; i < 3; i++) {
		struct json_object *o = parse(docs[i]);
		struct app_credentials c;
		assert_int_equal(app_credentials_from_json(o, &c, NULL), 0);
		assert_int_equal(c.n, 0);
		json_object_put(o);
	}
}

static void application_with_wrong_shape_is_refused(void **state)
{
	(void)state;
	struct err e = {0};
	struct app_credentials c;
	struct json_object *o = parse("{\"passwordCredentials\":{\"hint\":\"abc\"}}");
	assert_int_equal(app_credentials_from_json(o, &c, &e), -1);
	assert_int_equal(e.kind, ERR_PARSE);
	json_object_put(o);
	o = parse("[1]");
	assert_int_equal(app_credentials_from_json(o, &c, &e), -1);
	json_object_put(o);
}

static void more_secrets_than_kept_are_counted(void **state)
{
	(void)state;
	struct buf b = {0};
	buf_puts(&b, "{\"passwordCredentials\":[");
	for (int i = 0; i < CREDENTIALS_MAX + 6; i++)
		buf_printf(&b, "%s{\"hint\":\"h%02d\",\"endDateTime\":\"2026-04-01T00:00:00Z\"}",
		           i ? "," : "", i);
	buf_puts(&b, "]}");
	struct json_object *o = parse(b.data);
	buf_free(&b);
	struct app_credentials c;
	assert_int_equal(app_credentials_from_json(o, &c, NULL), 0);
	json_object_put(o);
	assert_int_equal(c.n, CREDENTIALS_MAX);
	assert_int_equal(c.total, CREDENTIALS_MAX + 6);
}

/* ---- the cache entry ---- */

static void cache_entry_round_trips_and_holds_no_hint(void **state)
{
	(void)state;
	struct cred_entry in = {
	    .checked_at = NOW, .end_known = true, .end = NOW + DAY, .matching = 2, .secrets = 3};
	str_copy(in.outcome, sizeof(in.outcome), "known");
	str_copy(in.name, sizeof(in.name), "line\none|two");
	str_copy(in.key_id, sizeof(in.key_id), "69f525fd-ee64-520a-a95a-c334f2971277");
	char *text = cred_entry_format(&in);
	assert_non_null(text);
	assert_not_contains(text, "hint");
	assert_not_contains(text, "line\none"); /* a newline in a name cannot forge a field */
	struct cred_entry out;
	assert_int_equal(cred_entry_parse(text, strlen(text), &out), 0);
	assert_true(out.checked_at == NOW && out.end_known && out.end == NOW + DAY);
	assert_int_equal(out.matching, 2);
	assert_int_equal(out.secrets, 3);
	assert_string_equal(out.outcome, "known");
	assert_string_equal(out.name, "line one/two");
	assert_string_equal(out.key_id, in.key_id);
	free(text);
}

static void cache_entry_without_end_round_trips(void **state)
{
	(void)state;
	struct cred_entry in = {.checked_at = NOW};
	str_copy(in.outcome, sizeof(in.outcome), "no-permission");
	char *text = cred_entry_format(&in);
	assert_non_null(text);
	struct cred_entry out;
	assert_int_equal(cred_entry_parse(text, strlen(text), &out), 0);
	assert_false(out.end_known);
	assert_string_equal(out.outcome, "no-permission");
	free(text);
}

static void broken_cache_entries_are_refused(void **state)
{
	(void)state;
	struct cred_entry in = {.checked_at = NOW};
	str_copy(in.outcome, sizeof(in.outcome), "known");
	char *text = cred_entry_format(&in);
	assert_non_null(text);
	struct cred_entry out;
	size_t len = strlen(text);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(cred_entry_parse(text, cut, &out), -1);
	char *p = strstr(text, "checked_at=");
	assert_non_null(p);
	p[11] = 'x';
	assert_int_equal(cred_entry_parse(text, len, &out), -1);
	free(text);
	str_copy(in.outcome, sizeof(in.outcome), "bad word");
	assert_null(cred_entry_format(&in));
}

/* ---- the words ---- */

static void words_name_the_secret_its_end_and_the_thresholds(void **state)
{
	(void)state;
	struct expiry_config cfg;
	expiry_config_init(&cfg);
	struct expiry_result r = {.status = EXPIRY_KNOWN,
	                          .source = EXPIRY_SOURCE_SECRET,
	                          .end = NOW + 5 * DAY,
	                          .matching = 2,
	                          .secrets = 3,
	                          .checked_at = NOW - 3600};
	str_copy(r.name, sizeof(r.name), "monitoring");
	str_copy(r.key_id, sizeof(r.key_id), "k1");
	expiry_judge(&cfg, NOW, &r);
	struct run_facts f = {0};
	output_expiry_facts(&r, &f);
	assert_true(f.credential_known);
	assert_int_equal(f.credential_state, STATE_CRITICAL);
	assert_string_equal(f.credential_what, "client secret 'monitoring'");
	assert_string_equal(f.note, "[CRITICAL] client secret 'monitoring' (Secret ID k1) ends "
	                            "2026-03-06 12:00:00Z, in 5d (warning below 30d, critical "
	                            "below 7d); 2 of the application's 3 client secrets share "
	                            "its hint (the first three characters): the one ending first "
	                            "is reported; application read 1h ago, again after a day");
	char clause[200];
	output_expiry_clause(&r, clause, sizeof(clause));
	assert_string_equal(clause, "client secret 'monitoring' expires in 5d (CRITICAL)");
}

static void words_for_an_expired_certificate(void **state)
{
	(void)state;
	struct expiry_config cfg;
	expiry_config_init(&cfg);
	struct expiry_result r = {
	    .status = EXPIRY_KNOWN, .source = EXPIRY_SOURCE_CERTIFICATE, .end = NOW - 2 * DAY};
	str_copy(r.name, sizeof(r.name), "/etc/icinga2/entra.pem");
	expiry_judge(&cfg, NOW, &r);
	struct run_facts f = {0};
	output_expiry_facts(&r, &f);
	assert_string_equal(f.credential_what, "certificate");
	assert_string_equal(f.note, "[CRITICAL] certificate (/etc/icinga2/entra.pem) ended "
	                            "2026-02-27 12:00:00Z, 2d ago (warning below 30d, critical "
	                            "below 7d)");
	char clause[200];
	output_expiry_clause(&r, clause, sizeof(clause));
	assert_string_equal(clause, "certificate has expired (CRITICAL)");
}

static void nothing_to_say_when_ok_or_not_applicable(void **state)
{
	(void)state;
	struct expiry_config cfg;
	expiry_config_init(&cfg);
	struct expiry_result r = {
	    .status = EXPIRY_KNOWN, .source = EXPIRY_SOURCE_SECRET, .end = NOW + 90 * DAY};
	expiry_judge(&cfg, NOW, &r);
	char clause[200];
	output_expiry_clause(&r, clause, sizeof(clause));
	assert_string_equal(clause, "");
	struct expiry_result none = {.status = EXPIRY_NOT_APPLICABLE};
	expiry_judge(&cfg, NOW, &none);
	struct run_facts f = {0};
	output_expiry_facts(&none, &f);
	assert_false(f.credential_known);
	assert_string_equal(f.note, "");
}

static void no_permission_note_names_application_read_all(void **state)
{
	(void)state;
	struct expiry_result r = {.status = EXPIRY_NO_PERMISSION, .source = EXPIRY_SOURCE_SECRET};
	struct expiry_config cfg;
	expiry_config_init(&cfg);
	expiry_judge(&cfg, NOW, &r);
	struct run_facts f = {0};
	output_expiry_facts(&r, &f);
	assert_false(f.credential_known);
	assert_contains(f.note, "Application.Read.All");
	assert_contains(f.note, "asked again after a day");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_warn_below_30_days_and_critical_below_7),
	    cmocka_unit_test(expired_credential_is_critical),
	    cmocka_unit_test(a_duration_means_alert_below_it),
	    cmocka_unit_test(a_range_is_taken_as_a_range),
	    cmocka_unit_test(garbage_threshold_is_a_usage_error),
	    cmocka_unit_test(unknown_end_is_never_a_state),
	    cmocka_unit_test(the_secret_with_the_hint_is_chosen),
	    cmocka_unit_test(of_several_with_one_hint_the_one_ending_first_is_chosen),
	    cmocka_unit_test(an_ended_or_future_secret_cannot_be_the_one_in_use),
	    cmocka_unit_test(when_all_matching_have_ended_the_last_to_end_is_chosen),
	    cmocka_unit_test(no_hint_matches_finds_nothing),
	    cmocka_unit_test(a_secret_sent_with_a_null_end_never_expires),
	    cmocka_unit_test(a_matching_secret_without_an_end_is_not_reported),
	    cmocka_unit_test(the_chosen_secret_fills_the_result),
	    cmocka_unit_test(application_json_reads_hints_names_and_times),
	    cmocka_unit_test(application_without_secrets_has_none),
	    cmocka_unit_test(application_with_wrong_shape_is_refused),
	    cmocka_unit_test(more_secrets_than_kept_are_counted),
	    cmocka_unit_test(cache_entry_round_trips_and_holds_no_hint),
	    cmocka_unit_test(cache_entry_without_end_round_trips),
	    cmocka_unit_test(broken_cache_entries_are_refused),
	    cmocka_unit_test(words_name_the_secret_its_end_and_the_thresholds),
	    cmocka_unit_test(words_for_an_expired_certificate),
	    cmocka_unit_test(nothing_to_say_when_ok_or_not_applicable),
	    cmocka_unit_test(no_permission_note_names_application_read_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
