/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The writers of values (json, prometheus): escaping and the text rules,
 * a run that could not do its work, a check report, a --directory-sync
 * report, units and unknown values, exactly as printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json.h>
#include <math.h>

#include "dirsync_eval.h"
#include "dirsync_output.h"
#include "fixtures.h"
#include "format/values.h"
#include "output.h"
#include "text.h"

#define PREFIX_SAMPLE "entra_sync_"

/* What the writer of name prints for rep: a malloc'd string. */
static char *written(const char *name, const struct report *rep, const struct output_options *base)
{
	struct output_options opt = base != NULL ? *base : (struct output_options){0};
	struct err e = {0};
	assert_int_equal(format_parse(name, &opt, &e), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(format_write(f, rep, &opt, &e), (int)rep->state);
	fclose(f);
	return text;
}

/* text as JSON (asserting it is one document), or fails. */
static struct json_object *parsed(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	assert_non_null(o);
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	assert_int_equal(json_tokener_get_parse_end(tok), strlen(text)); /* nothing after */
	assert_int_equal(text[strlen(text) - 1], '\n');
	json_tokener_free(tok);
	return o;
}

/* The member at a path of names ("jobs", "0", "state"), or NULL. */
static struct json_object *at(struct json_object *o, const char *const *path)
{
	for (; o != NULL && *path != NULL; path++) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(*path));
		else if (!json_object_object_get_ex(o, *path, &o))
			return NULL;
	}
	return o;
}

#define AT(o, ...) at((o), (const char *const[]){__VA_ARGS__, NULL})

/* o has the member key, and it is null. */
static bool is_null(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	return json_object_object_get_ex(o, key, &v) && v == NULL;
}

static const char *str_at(struct json_object *o)
{
	assert_non_null(o);
	return json_object_get_string(o);
}

/* ---- the text rules ---- */

static void json_strings_escape_what_other_formats_hide(void **state)
{
	(void)state;
	struct buf b = {0};
	/* quote, backslash, C0, DEL, C1 (U+0085), U+2028, RLO, ZWSP, BOM,
	 * invalid bytes; e-acute and an emoji stay as they are */
	assert_int_equal(text_json_string("a\"b\\c\n\t\x01\x7f \xc2\x85 \xe2\x80\xa8 \xe2\x80\xae"
	                                  "x\xe2\x80\x8by\xef\xbb\xbf \xff\xc3 \xc3\xa9\xf0\x9f\x98"
	                                  "\x80",
	                                  &b),
	                 0);
	assert_string_equal(b.data,
	                    "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f \\u0085 \\u2028 "
	                    "\\u202ex\\u200by\\ufeff \\ufffd\\ufffd \xc3\xa9\xf0\x9f\x98\x80"
	                    "\"");
	buf_free(&b);
	assert_int_equal(text_json_string("\b\f\r\x1f", &b), 0);
	assert_string_equal(b.data, "\"\\b\\f\\r\\u001f\"");
	buf_free(&b);
	assert_int_equal(text_json_string(NULL, &b), 0);
	assert_string_equal(b.data, "\"\"");
	buf_free(&b);
}

static void label_values_are_made_safe_then_escaped(void **state)
{
	(void)state;
	struct buf b = {0};
	assert_int_equal(
	    text_label_value("a\"b\\c\nd|e \xe2\x80\xae\xe2\x80\x8b \xff \xc3\xa9", &b), 0);
	/* newline and hidden characters become spaces, '|' stays, an invalid
	 * byte is U+FFFD, '"' and '\' are escaped */
	assert_string_equal(b.data, "a\\\"b\\\\c d|e    \xef\xbf\xbd \xc3\xa9");
	buf_free(&b);
}

static void times_are_iso_8601_utc_with_four_digit_years(void **state)
{
	(void)state;
	char t[VALUE_TEXT_MAX];
	assert_true(value_time(NOW + 0.9, t));
	assert_string_equal(t, "2026-03-01T12:00:00Z");
	assert_true(value_time(-1, t));
	assert_string_equal(t, "1969-12-31T23:59:59Z");
	assert_false(value_time(253402300800.0, t)); /* 10000-01-01 */
	assert_false(value_time(NAN, t));
	assert_int_equal(value_text(-0.4, 0, t), 1);
	assert_string_equal(t, "0"); /* never "-0" */
	assert_int_equal(value_text(1e20, 0, t), 21);
	assert_string_equal(t, "100000000000000000000"); /* plain decimals */
	assert_int_equal(value_text(1e300, 0, t), 0);    /* no number the plugin knows */
}

/* ---- a run that could not do its work ---- */

static void status_only_report(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->state = STATE_UNKNOWN;
	r->status_only = true;
	r->now = NOW;
	buf_puts(&r->summary, "sign-in failed (HTTP 401): \"wrong\" secret");
	report_note(r, "trace_id 1, correlation_id 2");
}

static void status_only_is_a_short_json_document(void **state)
{
	(void)state;
	struct report r;
	status_only_report(&r);
	struct output_options opt = {.mode = "check", .tenant = "contoso.example"};
	char *text = written("json", &r, &opt);
	assert_string_equal(text, "{\"plugin\":\"check_entra_sync\",\"version\":\"" PLUGIN_VERSION
	                          "\",\"mode\":\"check\",\"tenant\":\"contoso.example\","
	                          "\"time\":\"2026-03-01T12:00:00Z\",\"state\":\"UNKNOWN\","
	                          "\"exit_code\":3,\"summary\":\"sign-in failed (HTTP 401): "
	                          "\\\"wrong\\\" secret\",\"complete\":false,\"errors\":[],"
	                          "\"notes\":[\"trace_id 1, correlation_id 2\"]}\n");
	free(text);
	report_free(&r);
}

static void status_only_is_a_short_exposition(void **state)
{
	(void)state;
	struct report r;
	status_only_report(&r);
	struct output_options opt = {.mode = "directory_sync"};
	char *text = written("prometheus", &r, &opt);
	assert_string_equal(
	    text,
	    "# ENTRA SYNC UNKNOWN - sign-in failed (HTTP 401): \"wrong\" secret\n"
	    "# note: trace_id 1, correlation_id 2\n"
	    "# HELP entra_sync_up 1 when the run read what it checks, 0 when it could not "
	    "(the state says how bad).\n"
	    "# TYPE entra_sync_up gauge\n"
	    "entra_sync_up{mode=\"directory_sync\"} 0\n"
	    "# HELP entra_sync_state The run's state, its exit status: 0 OK, 1 WARNING, 2 "
	    "CRITICAL, 3 UNKNOWN.\n"
	    "# TYPE entra_sync_state gauge\n"
	    "entra_sync_state{mode=\"directory_sync\"} 3\n"
	    "# HELP entra_sync_run_timestamp_seconds When the run judged, in seconds since the "
	    "epoch.\n"
	    "# TYPE entra_sync_run_timestamp_seconds gauge\n"
	    "entra_sync_run_timestamp_seconds{mode=\"directory_sync\"} 1772366400\n");
	free(text);
	report_free(&r);
}

static void a_status_without_mode_or_time_says_null_and_no_labels(void **state)
{
	(void)state;
	struct report r;
	status_only_report(&r);
	r.now = 0;
	char *text = written("json", &r, NULL);
	assert_contains(text, "\"mode\":null,\"tenant\":null,\"time\":null,");
	free(text);
	text = written("prometheus", &r, NULL);
	assert_contains(text, "\nentra_sync_up 0\n");
	assert_not_contains(text, "run_timestamp");
	free(text);
	report_free(&r);
}

/* ---- a check ---- */

struct check {
	struct sync_job jobs[2];
	struct job_result res[2];
	struct report rep;
	struct report_sp sp[2];
	size_t job_sp[2];
};

static struct check C;

static int check_reset(void **state)
{
	(void)state;
	report_free(&C.rep);
	memset(&C, 0, sizeof(C));
	return 0;
}

/* The quarantined Box job and the healthy cloud sync job of two service
 * principals (the second named), through output_check. */
static void two_jobs(double http_seconds)
{
	eval_default(J_QUARANTINED_BOX, &C.jobs[0], &C.res[0]);
	eval_default(J_HEALTHY_CLOUD_SYNC, &C.jobs[1], &C.res[1]);
	C.sp[0] = (struct report_sp){.id = "sp-one"};
	C.sp[1] = (struct report_sp){.id = "sp-two", .name = "Cloud \"sync\""};
	C.job_sp[0] = 0;
	C.job_sp[1] = 1;
	struct output_options opt = {.max_bytes = OUTPUT_MAX_DEFAULT};
	struct run_facts facts = {
	    .http_seconds = http_seconds, .now = NOW, .sps = C.sp, .n_sps = 2, .job_sp = C.job_sp};
	struct err e = {0};
	assert_int_equal(output_check(&C.rep, C.res, 2, &opt, &facts, &e), 0);
}

static void a_check_in_json_has_each_job_s_facts(void **state)
{
	(void)state;
	two_jobs(0.25);
	struct output_options opt = {.mode = "check"};
	char *text = written("json", &C.rep, &opt);
	struct json_object *doc = parsed(text);
	assert_string_equal(str_at(AT(doc, "state")), "CRITICAL");
	assert_int_equal(json_object_get_int(AT(doc, "exit_code")), 2);
	assert_string_equal(str_at(AT(doc, "service_principals", "1", "name")), "Cloud \"sync\"");
	/* worst first, as the lines */
	assert_string_equal(str_at(AT(doc, "jobs", "0", "id")),
	                    "Box.fedcba9876543210fedcba9876543210");
	assert_string_equal(str_at(AT(doc, "jobs", "0", "service_principal")), "sp-one");
	assert_string_equal(str_at(AT(doc, "jobs", "1", "service_principal")), "sp-two");
	assert_string_equal(str_at(AT(doc, "jobs", "0", "quarantine", "since")),
	                    "2026-02-20T08:00:00Z");
	/* Entra disables a job 28 days into its series */
	assert_string_equal(str_at(AT(doc, "jobs", "0", "quarantine", "disable_date")),
	                    "2026-03-20T08:00:00Z");
	assert_true(is_null(AT(doc, "jobs", "0", "quarantine"), "next_attempt")); /* sentinel */
	assert_true(is_null(AT(doc, "jobs", "0"), "last_success"));               /* never */
	assert_string_equal(str_at(AT(doc, "jobs", "0", "findings", "0", "kind")), "status");
	assert_string_equal(json_object_to_json_string(AT(doc, "jobs", "0", "findings")),
	                    "[ { \"kind\": \"status\", \"state\": \"CRITICAL\", \"threshold\": "
	                    "null }, { \"kind\": \"failures\", \"state\": \"CRITICAL\", "
	                    "\"threshold\": \"2\" }, { \"kind\": \"last_run\", \"state\": "
	                    "\"WARNING\", \"threshold\": null } ]");
	assert_string_equal(str_at(AT(doc, "jobs", "1", "last_success", "time")),
	                    "2026-03-01T11:58:00Z");
	assert_int_equal(json_object_get_int(AT(doc, "jobs", "1", "last_success", "age")), 120);
	/* a metric: value, unit, the thresholds as text and ends, min */
	struct json_object *age = AT(doc, "jobs", "1", "metrics", "last_success_age");
	assert_int_equal(json_object_get_int(AT(age, "value")), 120);
	assert_string_equal(str_at(AT(age, "unit")), "s");
	assert_string_equal(str_at(AT(age, "warn", "range")), "360");
	assert_int_equal(json_object_get_int(AT(age, "warn", "start")), 0);
	assert_int_equal(json_object_get_int(AT(age, "crit", "end")), 720);
	assert_false(json_object_get_boolean(AT(age, "crit", "alert_inside")));
	assert_int_equal(json_object_get_int(AT(age, "min")), 0);
	/* never succeeded: no age */
	assert_false(
	    json_object_object_get_ex(AT(doc, "jobs", "0", "metrics"), "last_success_age", NULL));
	struct json_object *time = AT(doc, "metrics", "time");
	assert_true(json_object_get_double(AT(time, "value")) == 0.25);
	assert_true(is_null(time, "warn") && is_null(time, "crit") && is_null(time, "min"));
	json_object_put(doc);
	free(text);
}

static void a_check_in_prometheus_groups_families_and_labels_jobs(void **state)
{
	(void)state;
	two_jobs(0.25);
	struct output_options opt = {.mode = "check", .tenant = "t\"1"};
	char *text = written("prometheus", &C.rep, &opt);
	const char *box =
	    "{service_principal=\"sp-one\",sync_job=\"Box.fedcba9876543210fedcba9876543210\","
	    "template=\"Box\"}";
	const char *cloud = "{service_principal=\"sp-two\",sync_job=\"AD2AADProvisioning."
	                    "fd1c9b9e8077402c8bc03a7186c8f976\",template=\"AD2AADProvisioning\"}";
	char want[512];
	snprintf(want, sizeof(want),
	         "# TYPE entra_sync_job_state gauge\nentra_sync_job_state%s 2\n"
	         "entra_sync_job_state%s 0\n",
	         box, cloud);
	assert_contains(text, want);
	snprintf(want, sizeof(want), "\nentra_sync_job_quarantine_age_seconds%s 792000\n", box);
	assert_contains(text, want); /* 9d 4h */
	snprintf(want, sizeof(want), "\nentra_sync_job_last_success_age_seconds%s 120\n", cloud);
	assert_contains(text, want);
	snprintf(want, sizeof(want),
	         "\nentra_sync_job_last_success_timestamp_seconds%s 1772366280\n", cloud);
	assert_contains(text, want);
	assert_contains(text, "\nentra_sync_http_seconds{mode=\"check\",tenant=\"t\\\"1\"} 0.25\n");
	assert_contains(text,
	                "\nentra_sync_service_principal_up{service_principal=\"sp-two\"} 1\n");
	snprintf(want, sizeof(want),
	         "\nentra_sync_job_finding{service_principal=\"sp-one\",sync_job=\"Box."
	         "fedcba9876543210fedcba9876543210\",template=\"Box\",kind=\"failures\"} 2\n");
	assert_contains(text, want);
	/* the Box job never succeeded: no age, no timestamp, no NaN */
	snprintf(want, sizeof(want), "_last_success_age_seconds%s", box);
	assert_not_contains(text, want);
	assert_not_contains(text, "NaN");
	/* each family once: HELP and TYPE, then all its samples */
	for (const char *p = strstr(text, "# TYPE "); p != NULL; p = strstr(p + 1, "# TYPE ")) {
		char name[128];
		assert_int_equal(sscanf(p, "# TYPE %127s gauge", name), 1);
		char again[160];
		snprintf(again, sizeof(again), "# TYPE %s ", name);
		assert_null(strstr(p + 1, again));
	}
	free(text);
}

static void units_become_base_units_and_unknown_values_stay_out(void **state)
{
	(void)state;
	struct report r = {.state = STATE_OK, .now = NOW};
	struct report_metric m[] = {
	    {.job = REPORT_RUN, .name = "time", .value = 0.12345, .unit = "s", .decimals = 3},
	    {.job = REPORT_RUN, .name = "progress", .value = 42.4, .unit = "%"},
	    {.job = REPORT_RUN, .name = "credential_expires_in", .value = -86400.4, .unit = "s"},
	    {.job = REPORT_RUN, .name = "sync_interval", .value = NAN, .unit = "s"},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		assert_int_equal(report_metric(&r, &m[i]), 0);
	char *text = written("prometheus", &r, NULL);
	assert_contains(text, "\nentra_sync_http_seconds 0.123\n");
	assert_contains(text, "\nentra_sync_job_progress_ratio 0.42\n");
	assert_contains(text, "\nentra_sync_credential_expires_in_seconds -86400\n");
	assert_not_contains(text, "interval");
	free(text);
	text = written("json", &r, NULL);
	assert_contains(text, "\"time\":{\"value\":0.123,\"unit\":\"s\",");
	assert_contains(text, "\"progress\":{\"value\":42,\"unit\":\"%\",");
	assert_contains(text, "\"credential_expires_in\":{\"value\":-86400,");
	assert_not_contains(text, "sync_interval");
	free(text);
	report_free(&r);
}

/* ---- the repair (SPEC 4a, 6a) as values ---- */

#define DAY 86400.0

/* One job judged at NOW with the start history rec (or none), through
 * output_check into C.rep. */
static void repair_report(const char *json, const struct start_record *rec)
{
	load_job(json, &C.jobs[0]);
	struct eval_config cfg;
	eval_config_init(&cfg);
	struct job_context ctx = {.now = NOW, .starts = rec};
	evaluate_job(&C.jobs[0], &cfg, &ctx, &C.res[0]);
	C.sp[0] = (struct report_sp){.id = "sp-one"};
	struct output_options opt = {.max_bytes = OUTPUT_MAX_DEFAULT};
	struct run_facts facts = {.now = NOW, .sps = C.sp, .n_sps = 1, .job_sp = C.job_sp};
	struct err e = {0};
	assert_int_equal(output_check(&C.rep, C.res, 1, &opt, &facts, &e), 0);
}

static void a_futile_start_is_data_in_json_and_prometheus(void **state)
{
	(void)state;
	/* broken since ten days, two starts; the last, three days ago, was
	 * followed by the quarantine of 2026-02-27 for the same reason */
	struct start_record rec = {.last = NOW - 3 * DAY,
	                           .last_reason = "EncounteredQuarantineException",
	                           .episode_began = NOW - 10 * DAY,
	                           .episode_starts = 2};
	repair_report(J_QUARANTINED_BOX, &rec);
	char *text = written("json", &C.rep, NULL);
	assert_contains(
	    text,
	    "\"last_start\":{\"time\":\"2026-02-26T12:00:00Z\",\"age\":259200},"
	    "\"episode\":{\"since\":\"2026-02-19T12:00:00Z\",\"age\":864000,\"starts\":2,"
	    "\"last_start_futile\":true},"
	    "\"advice\":[{\"text\":\"Microsoft: the target application refused the credentials; "
	    "enter valid admin credentials (Provisioning, Admin Credentials, Test Connection), "
	    "then "
	    "restart provisioning\",\"source\":\"https://learn.microsoft.com/entra/identity/"
	    "app-provisioning/application-provisioning-quarantine-status\"}],\"times_ahead\":[],");
	assert_contains(text, "\"episode_age\":{\"value\":864000,\"unit\":\"s\",");
	free(text);
	text = written("prometheus", &C.rep, NULL);
	const char *box = "{service_principal=\"sp-one\",sync_job=\"Box."
	                  "fedcba9876543210fedcba9876543210\",template=\"Box\"}";
	char want[256];
	snprintf(want, sizeof(want), "\nentra_sync_job_episode_age_seconds%s 864000\n", box);
	assert_contains(text, want);
	snprintf(want, sizeof(want), "\nentra_sync_job_episode_starts%s 2\n", box);
	assert_contains(text, want);
	snprintf(want, sizeof(want), "\nentra_sync_job_last_start_futile%s 1\n", box);
	assert_contains(text, want);
	free(text);
	report_free(&C.rep);
	/* a start that may yet help: quarantined again, but for another reason */
	str_copy(rec.last_reason, sizeof(rec.last_reason), "TooManyDeletes");
	repair_report(J_QUARANTINED_BOX, &rec);
	text = written("prometheus", &C.rep, NULL);
	snprintf(want, sizeof(want), "\nentra_sync_job_last_start_futile%s 0\n", box);
	assert_contains(text, want);
	free(text);
}

static void no_start_no_episode_and_no_advice_for_a_reason_microsoft_does_not_explain(void **state)
{
	(void)state;
	repair_report(J_HEALTHY_CLOUD_SYNC, NULL);
	char *text = written("json", &C.rep, NULL);
	assert_contains(text, "\"progress\":null,\"last_start\":null,\"episode\":null,"
	                      "\"advice\":[],\"times_ahead\":[],");
	assert_contains(text, "\"state\":\"Active\",\"expiration\":null}");
	free(text);
	text = written("prometheus", &C.rep, NULL);
	assert_not_contains(text, "episode");
	free(text);
	report_free(&C.rep);
	/* quarantined for a reason Microsoft does not explain */
	repair_report("{\"id\":\"scim.1\",\"templateId\":\"scim\",\"status\":{\"code\":"
	              "\"Quarantine\",\"quarantine\":{\"reason\":\"IngestionInterrupted\"}}}",
	              NULL);
	text = written("json", &C.rep, NULL);
	assert_contains(text, "\"advice\":[],");
	free(text);
}

/* A cycle in progress, an expiring schedule, and times ahead of the clock:
 * a steady state in year 9999 and a start recorded a year ahead. */
#define J_CYCLE_EXPIRING_AHEAD                                                                     \
	"{\"id\":\"scim.99999999999999999999999999999999\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\","                               \
	"\"expiration\":\"2026-03-04T12:00:00Z\"},"                                                \
	"\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":0,"                   \
	"\"lastSuccessfulExecution\":{\"state\":\"Succeeded\","                                    \
	"\"timeEnded\":\"2026-03-01T02:00:00Z\"},"                                                 \
	"\"steadyStateLastAchievedTime\":\"9999-12-31T23:59:59Z\","                                \
	"\"progress\":[{\"completedUnits\":420,\"totalUnits\":1000,"                               \
	"\"progressObservationDateTime\":\"2026-03-01T11:58:00Z\"}]}}"

static void a_cycle_in_progress_an_expiring_schedule_and_times_ahead_in_json(void **state)
{
	(void)state;
	struct start_record rec = {.ahead = NOW + 365 * DAY};
	repair_report(J_CYCLE_EXPIRING_AHEAD, &rec);
	char *text = written("json", &C.rep, NULL);
	/* 10 h since the last success, but observed at work 2 minutes ago */
	assert_contains(text, "\"findings\":[{\"kind\":\"expiration\",\"state\":\"WARNING\",");
	assert_contains(text, "\"expiration\":\"2026-03-04T12:00:00Z\"}");
	assert_contains(text, "\"progress\":{\"percent\":42,\"completed_units\":420,"
	                      "\"total_units\":1000,\"observed\":\"2026-03-01T11:58:00Z\","
	                      "\"cycle_in_progress\":true,\"observed_age\":120},"
	                      "\"last_start\":null,\"episode\":null,");
	assert_contains(text, "\"times_ahead\":[{\"event\":\"steady_state\",\"time\":"
	                      "\"9999-12-31T23:59:59Z\"},{\"event\":\"recorded_start\",\"time\":"
	                      "\"2027-03-01T12:00:00Z\"}],");
	free(text);
	report_free(&C.rep);
	/* observed ahead of the clock: no valid time, so no cycle in progress */
	struct sync_job *job = &C.jobs[0];
	load_job(J_CYCLE_EXPIRING_AHEAD, job);
	job->progress_observed = NOW + DAY;
	struct eval_config cfg;
	eval_config_init(&cfg);
	struct job_context ctx = {.now = NOW};
	evaluate_job(job, &cfg, &ctx, &C.res[0]);
	struct output_options opt = {.max_bytes = OUTPUT_MAX_DEFAULT};
	struct err e = {0};
	assert_int_equal(output_check(&C.rep, C.res, 1, &opt, NULL, &e), 0);
	text = written("json", &C.rep, NULL);
	assert_contains(text,
	                "\"observed\":null,\"cycle_in_progress\":false,\"observed_age\":null}");
	assert_contains(text,
	                "{\"event\":\"progress_observation\",\"time\":\"2026-03-02T12:00:00Z\"}");
	free(text);
}

/* How many lines of text start with prefix; the rest of the last one, up
 * to a space, into last. */
static size_t lines_starting(const char *text, const char *prefix, char *last, size_t n)
{
	size_t count = 0, len = strlen(prefix);
	for (const char *l = text; *l != '\0';
	     l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != '\0')) {
		if (strncmp(l, prefix, len) != 0)
			continue;
		count++;
		snprintf(last, n, "%.*s", (int)strcspn(l + len, " \n"), l + len);
	}
	return count;
}

/* Every metric the words can give a report (enum metric_id) has a family of
 * its own: a report carrying it gets one more family, with # HELP and
 * # TYPE, and its sample; no two metrics share a family. */
static void every_metric_has_a_prometheus_family_of_its_own(void **state)
{
	(void)state;
	char family[METRIC_COUNT][128], last[128];
	struct report empty = {.state = STATE_OK, .now = NOW};
	char *text = written("prometheus", &empty, NULL);
	size_t types = lines_starting(text, "# TYPE ", last, sizeof(last));
	size_t samples = lines_starting(text, PREFIX_SAMPLE, last, sizeof(last));
	free(text);
	for (int id = 0; id < METRIC_COUNT; id++) {
		struct report r = {.state = STATE_OK, .now = NOW};
		struct report_metric m = {.job = REPORT_RUN,
		                          .name = metric_name((enum metric_id)id),
		                          .value = 1,
		                          .unit = ""};
		assert_int_equal(report_metric(&r, &m), 0);
		text = written("prometheus", &r, NULL);
		if (lines_starting(text, PREFIX_SAMPLE, last, sizeof(last)) != samples + 1 ||
		    lines_starting(text, "# TYPE ", family[id], sizeof(family[id])) != types + 1)
			fail_msg("metric %s has no family of its own:\n%s", m.name, text);
		/* the last sample is the metric's (the report's metrics come last) */
		assert_string_equal(last, family[id] + strlen(PREFIX_SAMPLE));
		for (int other = 0; other < id; other++)
			if (strcmp(family[other], family[id]) == 0)
				fail_msg("metrics %s and %s share the family %s",
				         metric_name((enum metric_id)other), m.name, family[id]);
		free(text);
		report_free(&r);
	}
}

/* ---- --directory-sync ---- */

static void a_directory_sync_report_in_both_formats(void **state)
{
	(void)state;
	struct json_object *org = json_tokener_parse(
	    "{\"value\":[{\"onPremisesSyncEnabled\":true,"
	    "\"onPremisesLastSyncDateTime\":\"2026-03-01T10:00:00Z\","
	    "\"onPremisesLastPasswordSyncDateTime\":\"2026-03-01T11:58:00Z\"}]}");
	struct json_object *sync = json_tokener_parse(
	    "{\"value\":[{\"configuration\":{\"synchronizationInterval\":\"PT30M\","
	    "\"customerRequestedSynchronizationInterval\":null,\"accidentalDeletionPrevention\":"
	    "{\"synchronizationPreventionType\":\"enabledForCount\",\"alertThreshold\":500}},"
	    "\"features\":{\"passwordSyncEnabled\":true}}]}");
	struct dirsync_data d;
	struct err e = {0};
	assert_int_equal(dirsync_from_json(org, sync, &d, &e), 0);
	json_object_put(org);
	json_object_put(sync);
	struct eval_config cfg;
	eval_config_init(&cfg);
	struct dirsync_result res;
	dirsync_evaluate(&d, &cfg, NOW, &res);
	struct report rep = {0};
	struct run_facts facts = {.now = NOW, .http_seconds = 0.5};
	assert_int_equal(output_dirsync(&rep, &res, &facts, &e), 0);
	assert_int_equal(rep.state, STATE_WARNING); /* 2h > 3 x 30m */

	struct output_options opt = {.mode = "directory_sync", .tenant = "contoso"};
	char *text = written("json", &rep, &opt);
	struct json_object *doc = parsed(text);
	assert_string_equal(str_at(AT(doc, "mode")), "directory_sync");
	assert_false(json_object_object_get_ex(doc, "jobs", NULL));
	assert_string_equal(str_at(AT(doc, "directory_sync", "sync")), "enabled");
	assert_string_equal(str_at(AT(doc, "directory_sync", "last_sync", "time")),
	                    "2026-03-01T10:00:00Z");
	assert_int_equal(json_object_get_int(AT(doc, "directory_sync", "interval", "seconds")),
	                 1800);
	assert_string_equal(str_at(AT(doc, "directory_sync", "interval", "source")), "configured");
	assert_string_equal(str_at(AT(doc, "directory_sync", "findings", "0", "kind")), "sync_age");
	assert_string_equal(str_at(AT(doc, "directory_sync", "findings", "0", "threshold")),
	                    "5400");
	assert_string_equal(str_at(AT(doc, "directory_sync", "deletion_prevention", "status")),
	                    "count");
	assert_int_equal(json_object_get_int(AT(doc, "metrics", "last_sync_age", "value")), 7200);
	json_object_put(doc);
	free(text);

	text = written("prometheus", &rep, &opt);
	const char *run = "{mode=\"directory_sync\",tenant=\"contoso\"}";
	char want[256];
	snprintf(want, sizeof(want), "\nentra_sync_directory_sync_last_sync_age_seconds%s 7200\n",
	         run);
	assert_contains(text, want);
	snprintf(want, sizeof(want),
	         "\nentra_sync_directory_sync_finding{mode=\"directory_sync\",tenant=\"contoso\","
	         "kind=\"sync_age\"} 1\n");
	assert_contains(text, want);
	snprintf(want, sizeof(want), "\nentra_sync_directory_sync_enabled%s 1\n", run);
	assert_contains(text, want);
	snprintf(want, sizeof(want),
	         "\nentra_sync_directory_sync_last_sync_timestamp_seconds%s 1772359200\n", run);
	assert_contains(text, want);
	assert_not_contains(text, "entra_sync_job_");
	free(text);
	report_free(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(json_strings_escape_what_other_formats_hide),
	    cmocka_unit_test(label_values_are_made_safe_then_escaped),
	    cmocka_unit_test(times_are_iso_8601_utc_with_four_digit_years),
	    cmocka_unit_test(status_only_is_a_short_json_document),
	    cmocka_unit_test(status_only_is_a_short_exposition),
	    cmocka_unit_test(a_status_without_mode_or_time_says_null_and_no_labels),
	    cmocka_unit_test_teardown(a_check_in_json_has_each_job_s_facts, check_reset),
	    cmocka_unit_test_teardown(a_check_in_prometheus_groups_families_and_labels_jobs,
	                              check_reset),
	    cmocka_unit_test(units_become_base_units_and_unknown_values_stay_out),
	    cmocka_unit_test_teardown(a_futile_start_is_data_in_json_and_prometheus, check_reset),
	    cmocka_unit_test_teardown(
	        no_start_no_episode_and_no_advice_for_a_reason_microsoft_does_not_explain,
	        check_reset),
	    cmocka_unit_test_teardown(
	        a_cycle_in_progress_an_expiring_schedule_and_times_ahead_in_json, check_reset),
	    cmocka_unit_test(every_metric_has_a_prometheus_family_of_its_own),
	    cmocka_unit_test(a_directory_sync_report_in_both_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
