/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The job model: every shape of graph-api-notes.md, wrong types, list pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

static void healthy_cloud_sync_job_reads_every_field(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_HEALTHY_CLOUD_SYNC, &j);
	assert_string_equal(j.id, "AD2AADProvisioning.fd1c9b9e8077402c8bc03a7186c8f976");
	assert_string_equal(j.template_id, "AD2AADProvisioning");
	assert_string_equal(j.schedule_interval, "PT2M");
	assert_true(j.interval_valid);
	assert_true(j.interval_seconds == 120.0);
	assert_string_equal(j.schedule_state, "Active");
	assert_true(j.status_code_present);
	assert_string_equal(j.status_code, "Active");
	assert_int_equal(j.successive_failures, 0);
	assert_true(j.last_execution.present);
	assert_string_equal(j.last_execution.state, "Succeeded");
	assert_true(j.last_execution.has_count_escrowed);
	assert_int_equal(j.last_execution.count_escrowed, 15);
	assert_int_equal(j.last_execution.count_exported, 3);
	assert_int_equal(j.last_execution.count_imported, 20);
	assert_false(j.last_execution.error.present);
	assert_int_equal(j.last_execution.ended_valid, TIME_VALID);
	assert_true(j.last_execution.time_ended > NOW - 120.0 &&
	            j.last_execution.time_ended < NOW - 119.0);
	assert_true(j.last_successful.present);
	assert_int_equal(j.last_successful.began_valid, TIME_NEVER);
	assert_true(j.last_successful.time_ended == NOW - 120.0);
	assert_int_equal(j.steady_last_valid, TIME_NEVER);
	assert_false(j.quarantine.present);
	assert_false(j.progress_known);
}

static void quarantined_box_job_reads_quarantine_and_error(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_QUARANTINED_BOX, &j);
	assert_string_equal(j.status_code, "Quarantine");
	assert_int_equal(j.successive_failures, 6);
	assert_true(j.interval_seconds == 2400.0);
	assert_string_equal(j.last_execution.state, "Failed");
	assert_true(j.last_execution.error.present);
	assert_string_equal(j.last_execution.error.code, "BoxInsufficientPermissions");
	assert_true(j.last_execution.error.tenant_actionable);
	assert_false(j.last_successful.present);
	assert_true(j.quarantine.present);
	assert_string_equal(j.quarantine.reason, "EncounteredQuarantineException");
	assert_int_equal(j.quarantine.series_count, 6);
	assert_int_equal(j.quarantine.series_began_valid, TIME_VALID);
	assert_true(j.quarantine.series_began == 1771574400.0);
	assert_int_equal(j.quarantine.current_began_valid, TIME_VALID);
	assert_int_equal(j.quarantine.next_attempt_valid, TIME_NEVER);
	assert_true(j.quarantine.error.present);
	assert_string_equal(j.quarantine.error.message,
	                    "The Box admin credentials lack the co-admin role.");
}

static void quarantine_without_error_member_has_no_error(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_QUARANTINED_BOX_NO_QERROR, &j);
	assert_true(j.quarantine.present);
	assert_false(j.quarantine.error.present);
	assert_int_equal(j.quarantine.series_count, 6);
}

static void paused_doc_example_keeps_empty_strings_as_never(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_PAUSED_DOC_EXAMPLE, &j);
	assert_string_equal(j.status_code, "Paused");
	assert_string_equal(j.schedule_state, "Paused");
	assert_false(j.last_execution.present);
	assert_false(j.last_successful.present);
	assert_true(j.quarantine.present);
	assert_string_equal(j.quarantine.reason, "");
	assert_int_equal(j.quarantine.current_began_valid, TIME_NEVER);
	assert_int_equal(j.quarantine.series_began_valid, TIME_NEVER);
	assert_int_equal(j.quarantine.next_attempt_valid, TIME_NEVER);
	assert_int_equal(j.quarantine.series_count, 2);
	assert_string_equal(j.quarantine.error.code, "SalesforceInvalidCredentials");
}

static void empty_status_object_means_no_code(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_NEW_JOB, &j);
	assert_false(j.status_code_present);
	assert_string_equal(j.status_code, "");
	assert_false(j.last_execution.present);
	assert_false(j.quarantine.present);
	assert_int_equal(j.steady_last_valid, TIME_NEVER);
}

static void missing_or_null_status_reads_like_empty_status(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"scim.1\",\"templateId\":\"scim\"}", &j);
	assert_false(j.status_code_present);
	load_job("{\"id\":\"scim.1\",\"status\":null}", &j);
	assert_false(j.status_code_present);
}

static void empty_status_code_counts_as_missing(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"scim.1\",\"status\":{\"code\":\"\"}}", &j);
	assert_false(j.status_code_present);
}

static void disabled_schedule_parses_timespan_max(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_DISABLED_SCHEDULE, &j);
	assert_true(j.interval_valid);
	assert_true(iso_duration_is_disabled(j.interval_seconds));
	assert_string_equal(j.schedule_state, "Disabled");
}

static void progress_takes_newest_observation(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_NOT_RUN, &j);
	assert_true(j.progress_known);
	assert_true(j.progress_percent == 75.0);
	assert_string_equal(j.status_code, "NotRun");
	assert_int_equal(j.last_execution.began_valid, TIME_VALID);
	assert_int_equal(j.last_execution.ended_valid, TIME_NEVER);
}

static void progress_keeps_units_and_observation_time(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_NOT_RUN, &j);
	assert_true(j.progress_completed == 150 && j.progress_total == 200);
	assert_int_equal(j.progress_observed_valid, TIME_VALID);
	assert_true(j.progress_observed == NOW - 600); /* 11:50Z */
	load_job("{\"id\":\"a.1\",\"status\":{\"code\":\"Active\",\"progress\":["
	         "{\"completedUnits\":5,\"totalUnits\":10}]}}",
	         &j);
	assert_true(j.progress_known);
	assert_int_equal(j.progress_observed_valid, TIME_NEVER);
}

static void schedule_expiration_is_read_null_as_none(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_HEALTHY_CLOUD_SYNC, &j);
	assert_int_equal(j.expiration_valid, TIME_NEVER);
	load_job("{\"id\":\"a.1\",\"schedule\":{\"expiration\":\"2026-03-04T12:00:00Z\","
	         "\"interval\":\"PT40M\",\"state\":\"Active\"},\"status\":{}}",
	         &j);
	assert_int_equal(j.expiration_valid, TIME_VALID);
	assert_true(j.expiration == NOW + 3 * 86400);
	load_job("{\"id\":\"a.1\",\"schedule\":{\"expiration\":\"0001-01-01T00:00:00Z\"},"
	         "\"status\":{}}",
	         &j);
	assert_int_equal(j.expiration_valid, TIME_NEVER);
}

static void progress_without_total_is_unknown(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"a.1\",\"status\":{\"code\":\"Active\",\"progress\":["
	         "{\"completedUnits\":5,\"totalUnits\":0},{\"completedUnits\":5}]}}",
	         &j);
	assert_false(j.progress_known);
	load_job("{\"id\":\"a.1\",\"status\":{\"code\":\"Active\",\"progress\":"
	         "{\"completedUnits\":5,\"totalUnits\":10}}}",
	         &j);
	assert_false(j.progress_known);
}

static void progress_above_total_is_clamped(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"a.1\",\"status\":{\"progress\":["
	         "{\"completedUnits\":15,\"totalUnits\":10}]}}",
	         &j);
	assert_true(j.progress_known);
	assert_true(j.progress_percent == 100.0);
}

static void int64_counts_as_strings_and_doubles(void **state)
{
	(void)state;
	struct sync_job j;
	load_job(J_ENTRY_LEVEL_ERRORS, &j);
	assert_int_equal(j.last_execution.count_escrowed, 120);
	assert_int_equal(j.last_execution.count_exported, 7);
	assert_int_equal(j.last_execution.count_imported, 9);
	assert_true(j.last_execution.has_count_imported);
	assert_int_equal(j.successive_failures, 0);
}

static void large_int64_counts_survive(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"a.1\",\"status\":{\"countSuccessiveCompleteFailures\":"
	         "9007199254740993,\"lastExecution\":{\"countEscrowed\":\"9223372036854775807\"}}}",
	         &j);
	assert_true(j.successive_failures == 9007199254740993LL);
	assert_true(j.last_execution.count_escrowed == INT64_MAX);
}

static void id_must_be_a_non_empty_string(void **state)
{
	(void)state;
	struct err e = {0};
	load_job_fails("{\"id\":42,\"status\":{}}", &e);
	assert_contains(e.msg, "id");
	load_job_fails("{\"status\":{}}", &e);
	assert_contains(e.msg, "id");
	load_job_fails("{\"id\":null}", &e);
	assert_contains(e.msg, "id");
	load_job_fails("{\"id\":\"\"}", &e);
	assert_contains(e.msg, "id");
}

static void status_must_be_an_object(void **state)
{
	(void)state;
	struct err e = {0};
	load_job_fails("{\"id\":\"scim.1\",\"status\":\"Active\"}", &e);
	assert_contains(e.msg, "status");
	assert_contains(e.msg, "scim.1");
	load_job_fails("{\"id\":\"scim.1\",\"status\":[]}", &e);
	assert_contains(e.msg, "status");
}

static void job_must_be_an_object(void **state)
{
	(void)state;
	struct err e = {0};
	load_job_fails("[1,2]", &e);
	assert_contains(e.msg, "job");
	load_job_fails("\"job\"", &e);
	struct sync_job j;
	assert_int_equal(job_from_json(NULL, &j, &e), -1);
}

static void wrongly_typed_optional_fields_read_as_absent(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"scim.1\",\"templateId\":7,\"schedule\":\"PT40M\","
	         "\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":\"many\","
	         "\"lastExecution\":\"yesterday\",\"lastSuccessfulExecution\":[1],"
	         "\"quarantine\":[],\"progress\":{},\"steadyStateLastAchievedTime\":12}}",
	         &j);
	assert_string_equal(j.template_id, "scim");
	assert_false(j.interval_valid);
	assert_string_equal(j.schedule_interval, "");
	assert_int_equal(j.successive_failures, 0);
	assert_false(j.last_execution.present);
	assert_false(j.last_successful.present);
	assert_false(j.quarantine.present);
	assert_false(j.progress_known);
	assert_int_equal(j.steady_last_valid, TIME_NEVER);
}

static void wrongly_typed_members_inside_executions_read_as_absent(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"scim.1\",\"status\":{\"code\":\"Active\",\"lastExecution\":"
	         "{\"state\":5,\"countEscrowed\":true,\"countExported\":1.5,\"error\":\"boom\","
	         "\"timeEnded\":[]},\"quarantine\":{\"reason\":{},\"seriesCount\":null,"
	         "\"error\":{\"code\":1,\"message\":null,\"tenantActionable\":\"yes\"}}}}",
	         &j);
	assert_true(j.last_execution.present);
	assert_string_equal(j.last_execution.state, "");
	assert_false(j.last_execution.has_count_escrowed);
	assert_false(j.last_execution.has_count_exported);
	assert_false(j.last_execution.error.present);
	assert_int_equal(j.last_execution.ended_valid, TIME_NEVER);
	assert_string_equal(j.quarantine.reason, "");
	assert_int_equal(j.quarantine.series_count, 0);
	assert_true(j.quarantine.error.present);
	assert_string_equal(j.quarantine.error.code, "");
	assert_false(j.quarantine.error.tenant_actionable);
}

static void non_string_status_code_is_kept_as_text(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"scim.1\",\"status\":{\"code\":5}}", &j);
	assert_true(j.status_code_present);
	assert_string_equal(j.status_code, "5");
}

static void template_id_is_derived_from_id_when_missing(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"Box.fedcba9876543210fedcba9876543210\",\"status\":{}}", &j);
	assert_string_equal(j.template_id, "Box");
	load_job("{\"id\":\"nodot\",\"templateId\":\"\",\"status\":{}}", &j);
	assert_string_equal(j.template_id, "nodot");
}

static void garbage_timestamp_is_invalid_not_never(void **state)
{
	(void)state;
	struct sync_job j;
	load_job("{\"id\":\"scim.1\",\"status\":{\"steadyStateLastAchievedTime\":\"soon\","
	         "\"lastSuccessfulExecution\":{\"timeEnded\":\"2026-02-30T00:00:00Z\"}}}",
	         &j);
	assert_int_equal(j.steady_last_valid, TIME_INVALID);
	assert_int_equal(j.last_successful.ended_valid, TIME_INVALID);
}

static void overlong_strings_are_truncated(void **state)
{
	(void)state;
	char json[4096];
	char msg[2000];
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	snprintf(json, sizeof(json),
	         "{\"id\":\"scim.1\",\"status\":{\"lastExecution\":{\"error\":"
	         "{\"code\":\"C\",\"message\":\"%s\"}}}}",
	         msg);
	struct sync_job j;
	load_job(json, &j);
	assert_int_equal(strlen(j.last_execution.error.message), JOB_TEXT_MAX - 1);
}

static struct json_object *parse(const char *s)
{
	struct json_object *o = json_tokener_parse(s);
	assert_non_null(o);
	return o;
}

static void list_page_gives_jobs_and_next_link(void **state)
{
	(void)state;
	struct json_object *page =
	    parse("{\"@odata.context\":\"x\",\"value\":[" J_HEALTHY_CLOUD_SYNC "," J_QUARANTINED_BOX
	          "],\"@odata.nextLink\":"
	          "\"https://graph.microsoft.com/v1.0/next?$skiptoken=a\"}");
	struct sync_job *jobs = NULL;
	size_t n = 0;
	char *next = NULL;
	struct err e = {0};
	assert_int_equal(jobs_from_page(page, 1000, &jobs, &n, &next, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(jobs[0].template_id, "AD2AADProvisioning");
	assert_string_equal(jobs[1].template_id, "Box");
	assert_string_equal(next, "https://graph.microsoft.com/v1.0/next?$skiptoken=a");
	free(next);
	json_object_put(page);

	page = parse("{\"value\":[" J_NEW_JOB "]}");
	assert_int_equal(jobs_from_page(page, 1000, &jobs, &n, &next, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(jobs[2].template_id, "scim");
	assert_null(next);
	assert_string_equal(jobs[0].template_id, "AD2AADProvisioning");
	free(jobs);
	json_object_put(page);
}

static void empty_value_array_gives_no_jobs(void **state)
{
	(void)state;
	struct json_object *page = parse("{\"value\":[],\"@odata.nextLink\":null}");
	struct sync_job *jobs = NULL;
	size_t n = 0;
	char *next = (char *)"stale";
	struct err e = {0};
	assert_int_equal(jobs_from_page(page, 1000, &jobs, &n, &next, &e), 0);
	assert_int_equal(n, 0);
	assert_null(next);
	free(jobs);
	json_object_put(page);
}

static void page_fails(const char *json, const char *needle)
{
	struct json_object *page = parse(json);
	struct sync_job *jobs = NULL;
	size_t n = 0;
	char *next = NULL;
	struct err e = {0};
	assert_int_equal(jobs_from_page(page, 1000, &jobs, &n, &next, &e), -1);
	assert_int_equal(e.kind, ERR_PARSE);
	assert_contains(e.msg, needle);
	assert_int_equal(n, 0);
	assert_null(next);
	free(jobs);
	json_object_put(page);
}

static void page_without_value_array_is_refused(void **state)
{
	(void)state;
	page_fails("{}", "value");
	page_fails("{\"value\":null}", "value");
	page_fails("{\"value\":{}}", "value");
	page_fails("{\"value\":\"jobs\"}", "value");
	page_fails("[]", "not an object");
}

static void page_with_bad_job_names_its_index(void **state)
{
	(void)state;
	page_fails("{\"value\":[" J_NEW_JOB ",{\"id\":1}]}", "value[1]");
}

static void page_with_non_string_next_link_is_refused(void **state)
{
	(void)state;
	page_fails("{\"value\":[],\"@odata.nextLink\":5}", "nextLink");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(healthy_cloud_sync_job_reads_every_field),
	    cmocka_unit_test(quarantined_box_job_reads_quarantine_and_error),
	    cmocka_unit_test(quarantine_without_error_member_has_no_error),
	    cmocka_unit_test(paused_doc_example_keeps_empty_strings_as_never),
	    cmocka_unit_test(empty_status_object_means_no_code),
	    cmocka_unit_test(missing_or_null_status_reads_like_empty_status),
	    cmocka_unit_test(empty_status_code_counts_as_missing),
	    cmocka_unit_test(disabled_schedule_parses_timespan_max),
	    cmocka_unit_test(progress_takes_newest_observation),
	    cmocka_unit_test(progress_keeps_units_and_observation_time),
	    cmocka_unit_test(schedule_expiration_is_read_null_as_none),
	    cmocka_unit_test(progress_without_total_is_unknown),
	    cmocka_unit_test(progress_above_total_is_clamped),
	    cmocka_unit_test(int64_counts_as_strings_and_doubles),
	    cmocka_unit_test(large_int64_counts_survive),
	    cmocka_unit_test(id_must_be_a_non_empty_string),
	    cmocka_unit_test(status_must_be_an_object),
	    cmocka_unit_test(job_must_be_an_object),
	    cmocka_unit_test(wrongly_typed_optional_fields_read_as_absent),
	    cmocka_unit_test(wrongly_typed_members_inside_executions_read_as_absent),
	    cmocka_unit_test(non_string_status_code_is_kept_as_text),
	    cmocka_unit_test(template_id_is_derived_from_id_when_missing),
	    cmocka_unit_test(garbage_timestamp_is_invalid_not_never),
	    cmocka_unit_test(overlong_strings_are_truncated),
	    cmocka_unit_test(list_page_gives_jobs_and_next_link),
	    cmocka_unit_test(empty_value_array_gives_no_jobs),
	    cmocka_unit_test(page_without_value_array_is_refused),
	    cmocka_unit_test(page_with_bad_job_names_its_index),
	    cmocka_unit_test(page_with_non_string_next_link_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
