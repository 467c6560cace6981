/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The man page's STATE table: status mapping, overrides, last success, thresholds,
 * quarantine details. All at NOW = 2026-03-01T12:00:00Z. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

#define MAXO 8

struct setup {
	struct eval_config cfg;
	struct state_override ov[MAXO];
	struct sync_job job;
	struct job_result r;
};

static void cfg_init(struct setup *s)
{
	memset(s, 0, sizeof(*s));
	eval_config_init(&s->cfg);
	s->cfg.overrides = s->ov;
}

static void add_override(struct setup *s, const char *key, enum state st)
{
	assert_true(s->cfg.n_overrides < MAXO);
	str_copy(s->ov[s->cfg.n_overrides].key, sizeof(s->ov[0].key), key);
	s->ov[s->cfg.n_overrides++].state = st;
}

static void set_range(struct range *r, const char *text, bool durations)
{
	struct err e = {0};
	assert_int_equal(range_parse(text, durations, r, &e), 0);
}

static void run(struct setup *s, const char *json)
{
	eval_json(json, &s->cfg, &s->job, &s->r);
}

static struct setup S;

static void defaults_are_failures_0_and_2_and_nothing_else(void **state)
{
	(void)state;
	struct eval_config c;
	eval_config_init(&c);
	assert_string_equal(c.fail_warn.text, "0");
	assert_string_equal(c.fail_crit.text, "2");
	assert_false(c.age_warn.set || c.age_crit.set);
	assert_false(c.escrow_warn.set || c.escrow_crit.set);
	assert_int_equal(c.n_overrides, 0);
}

static void healthy_active_job_is_ok_with_default_age_thresholds(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_HEALTHY_CLOUD_SYNC);
	assert_int_equal(S.r.state, STATE_OK);
	assert_true(S.r.age_known);
	assert_true(S.r.last_success_age > 119.8 && S.r.last_success_age < 120.0);
	assert_string_equal(S.r.age_warn.text, "360");
	assert_string_equal(S.r.age_crit.text, "720");
	assert_string_equal(summary_of(&S.r), "active, last success 2m ago, every 2m");
	assert_false(S.r.quarantined);
	assert_true(S.r.quarantine_age == 0.0);
	assert_int_equal(S.r.quarantine_series, 0);
	assert_true(S.r.days_to_disable < 0);
}

static void detail_names_id_template_code_and_counts(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_HEALTHY_CLOUD_SYNC);
	assert_contains(detail_of(&S.r), "AD2AADProvisioning.fd1c9b9e8077402c8bc03a7186c8f976");
	assert_contains(detail_of(&S.r), "[AD2AADProvisioning]");
	assert_contains(detail_of(&S.r), "status Active");
	assert_contains(detail_of(&S.r), "schedule PT2M Active");
	assert_contains(detail_of(&S.r), "last success 2026-03-01 11:58:00Z");
	assert_contains(detail_of(&S.r), "escrowed 15, exported 3, imported 20");
	assert_contains(detail_of(&S.r), "successive failures 0");
}

static void last_success_takes_newest_of_the_three_sources(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S,
	    "{\"id\":\"scim.1\",\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"
	    "\"status\":{\"code\":\"Active\","
	    "\"lastSuccessfulExecution\":{\"timeEnded\":\"2026-03-01T10:00:00Z\"},"
	    "\"lastExecution\":{\"state\":\"Succeeded\",\"timeEnded\":\"2026-03-01T11:00:00Z\"},"
	    "\"steadyStateLastAchievedTime\":\"2026-03-01T11:30:00Z\"}}");
	assert_true(S.r.last_success == NOW - 1800);
	run(&S,
	    "{\"id\":\"scim.1\",\"status\":{\"code\":\"Active\","
	    "\"lastSuccessfulExecution\":{\"timeEnded\":\"2026-03-01T11:40:00Z\"},"
	    "\"lastExecution\":{\"state\":\"Succeeded\",\"timeEnded\":\"2026-03-01T11:00:00Z\"},"
	    "\"steadyStateLastAchievedTime\":\"2026-03-01T11:30:00Z\"}}");
	assert_true(S.r.last_success == NOW - 1200);
}

static void last_execution_counts_only_when_succeeded(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_ACTIVE_LAST_RUN_FAILED);
	assert_true(S.r.last_success_age == 3600.0);
	run(&S, J_ENTRY_LEVEL_ERRORS);
	/* EntryLevelErrors is not a success; steady state supplies the time. */
	assert_true(S.r.last_success_age == 300.0);
}

static void invalid_and_sentinel_times_are_not_successes(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"status\":{\"code\":\"Active\","
	        "\"lastSuccessfulExecution\":{\"timeEnded\":\"2026-02-30T00:00:00Z\"},"
	        "\"lastExecution\":{\"state\":\"Succeeded\",\"timeEnded\":\"\"},"
	        "\"steadyStateLastAchievedTime\":\"0001-01-01T00:00:00Z\"}}");
	assert_false(S.r.age_known);
	assert_contains(summary_of(&S.r), "never succeeded");
}

static void active_job_that_never_succeeded_is_ok_and_age_cannot_alert(void **state)
{
	(void)state;
	cfg_init(&S);
	set_range(&S.cfg.age_crit, "1s", true);
	run(&S, J_ACTIVE_NEVER_SUCCEEDED);
	assert_int_equal(S.r.state, STATE_OK);
	assert_false(S.r.age_known);
	assert_true(S.r.age_crit.set);
	assert_string_equal(summary_of(&S.r), "active, never succeeded, every 40m");
	assert_contains(detail_of(&S.r), "last success never");
}

static void success_older_than_six_intervals_is_critical(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_ACTIVE_SUCCESS_AT("2026-03-01T07:00:00Z"));
	assert_int_equal(S.r.state, STATE_CRITICAL);
	assert_string_equal(summary_of(&S.r), "last success 5h ago (> 4h)");
	assert_string_equal(S.r.age_warn.text, "7200");
	assert_string_equal(S.r.age_crit.text, "14400");
}

static void success_older_than_three_intervals_is_warning(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_ACTIVE_SUCCESS_AT("2026-03-01T09:30:00Z"));
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(summary_of(&S.r), "last success 2h 30m ago (> 2h)");
}

static void success_exactly_at_threshold_is_ok(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_ACTIVE_SUCCESS_AT("2026-03-01T10:00:00Z"));
	assert_int_equal(S.r.state, STATE_OK);
}

static void explicit_warning_replaces_both_defaults(void **state)
{
	(void)state;
	cfg_init(&S);
	set_range(&S.cfg.age_warn, "1h", true);
	run(&S, J_ACTIVE_SUCCESS_AT("2026-03-01T07:00:00Z"));
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(S.r.age_warn.text, "3600");
	assert_false(S.r.age_crit.set);
	assert_string_equal(summary_of(&S.r), "last success 5h ago (> 1h)");
}

static void explicit_critical_range_with_units(void **state)
{
	(void)state;
	cfg_init(&S);
	set_range(&S.cfg.age_crit, "10m", true);
	run(&S, J_ACTIVE_SUCCESS_AT("2026-03-01T11:45:00Z"));
	assert_int_equal(S.r.state, STATE_CRITICAL);
	assert_string_equal(summary_of(&S.r), "last success 15m ago (> 10m)");
}

static void explicit_inside_range_is_described_as_range(void **state)
{
	(void)state;
	cfg_init(&S);
	set_range(&S.cfg.age_warn, "@0:20m", true);
	run(&S, J_ACTIVE_SUCCESS_AT("2026-03-01T11:45:00Z"));
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(summary_of(&S.r), "last success 15m ago (range @0:1200)");
}

static void disabled_schedule_has_no_default_age_threshold(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_DISABLED_SCHEDULE);
	assert_int_equal(S.r.state, STATE_OK);
	assert_false(S.r.age_warn.set);
	assert_false(S.r.age_crit.set);
	assert_string_equal(summary_of(&S.r), "active, last success 30d ago, schedule disabled");
}

static void disabled_schedule_obeys_explicit_thresholds(void **state)
{
	(void)state;
	cfg_init(&S);
	set_range(&S.cfg.age_crit, "7d", true);
	run(&S, J_DISABLED_SCHEDULE);
	assert_int_equal(S.r.state, STATE_CRITICAL);
	assert_contains(summary_of(&S.r), "last success 30d ago (> 7d)");
}

static void timespan_max_interval_alone_disables_the_default(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"schedule\":{\"interval\":\"P10675199DT2H48M5.4775807S\","
	        "\"state\":\"Active\"},\"status\":{\"code\":\"Active\","
	        "\"steadyStateLastAchievedTime\":\"2025-01-01T00:00:00Z\"}}");
	assert_int_equal(S.r.state, STATE_OK);
	assert_false(S.r.age_warn.set);
}

static void unparsable_interval_is_warning_naming_it(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"schedule\":{\"interval\":\"P1M\",\"state\":\"Active\"},"
	        "\"status\":{\"code\":\"Active\","
	        "\"steadyStateLastAchievedTime\":\"2025-01-01T00:00:00Z\"}}");
	/* no default age thresholds can be derived: a job silent for a year
	 * must not read as OK */
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_false(S.r.age_warn.set);
	assert_non_null(result_finding(&S.r, FINDING_INTERVAL));
	assert_string_equal(summary_of(&S.r), "schedule interval 'P1M' cannot be read, so no age "
	                                      "thresholds apply (give -w/-c)");
}

static void paused_schedule_has_no_default_age_threshold(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Paused\"},"
	        "\"status\":{\"code\":\"Active\","
	        "\"steadyStateLastAchievedTime\":\"2025-01-01T00:00:00Z\"}}");
	assert_int_equal(S.r.state, STATE_OK);
	assert_false(S.r.age_crit.set);
}

static void paused_job_is_warning_naming_schedule_state(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_PAUSED_DOC_EXAMPLE);
	assert_int_equal(S.r.state, STATE_WARNING);
	/* the error the quarantine object carries is named on the first line */
	assert_string_equal(summary_of(&S.r), "paused, schedule Paused - error "
	                                      "SalesforceInvalidCredentials: Invalid Salesforce "
	                                      "credentials.");
	assert_false(S.r.quarantined);
	assert_int_equal(S.r.quarantine_series, 0);
	assert_false(S.r.age_warn.set);
	assert_contains(detail_of(&S.r), "SalesforceInvalidCredentials");
	assert_contains(detail_of(&S.r), "series count 2");
}

static void paused_override_to_ok_lowers_the_state(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "paused", STATE_OK);
	run(&S, J_PAUSED_DOC_EXAMPLE);
	assert_int_equal(S.r.state, STATE_OK);
	assert_string_equal(summary_of(&S.r), "paused, schedule Paused - error "
	                                      "SalesforceInvalidCredentials: Invalid Salesforce "
	                                      "credentials.");
}

static void empty_status_is_warning_not_configured(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_NEW_JOB);
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(summary_of(&S.r), "not configured (no status yet)");
	assert_contains(detail_of(&S.r), "status (none)");
}

static void not_configured_override_covers_empty_status(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "NotConfigured", STATE_CRITICAL);
	run(&S, J_NEW_JOB);
	assert_int_equal(S.r.state, STATE_CRITICAL);
}

static void not_configured_code_is_warning(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_NOT_CONFIGURED);
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(summary_of(&S.r), "not configured");
}

static void unexpected_code_is_unknown_and_quoted(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_UNKNOWN_CODE);
	assert_int_equal(S.r.state, STATE_UNKNOWN);
	assert_string_equal(summary_of(&S.r), "unexpected status code 'Restarting'");
}

static void non_string_code_is_unknown_not_missing(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"status\":{\"code\":7}}");
	assert_int_equal(S.r.state, STATE_UNKNOWN);
	assert_string_equal(summary_of(&S.r), "unexpected status code '7'");
}

static void unexpected_code_can_be_overridden(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "restarting", STATE_OK);
	run(&S, J_UNKNOWN_CODE);
	assert_int_equal(S.r.state, STATE_OK);
}

static void not_run_is_ok_with_since_and_progress(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_NOT_RUN);
	assert_int_equal(S.r.state, STATE_OK);
	assert_string_equal(summary_of(&S.r),
	                    "first cycle still running since 2026-03-01 11:00:00Z (75% done)");
	assert_contains(detail_of(&S.r), "progress 75%");
}

static void not_run_without_start_time_says_only_running(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"status\":{\"code\":\"NotRun\",\"lastExecution\":null}}");
	assert_int_equal(S.r.state, STATE_OK);
	assert_string_equal(summary_of(&S.r), "first cycle still running");
}

static void quarantined_box_is_critical_with_every_detail(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_QUARANTINED_BOX);
	assert_int_equal(S.r.state, STATE_CRITICAL);
	assert_true(S.r.quarantined);
	assert_string_equal(
	    summary_of(&S.r),
	    "quarantined for 9d 4h (EncounteredQuarantineException: BoxInsufficientPermissions),"
	    " automatic disable in 18d 20h; 6 successive failures (> 2)");
	assert_contains(detail_of(&S.r), "quarantined (EncounteredQuarantineException: "
	                                 "BoxInsufficientPermissions) since 2026-02-20 08:00:00Z, "
	                                 "series count 6, automatic disable in 18d 20h");
	assert_true(S.r.quarantine_age == 9 * 86400.0 + 4 * 3600.0);
	assert_int_equal(S.r.quarantine_series, 6);
	assert_true(S.r.days_to_disable > 18.83 && S.r.days_to_disable < 18.84);
	assert_contains(detail_of(&S.r), "The Box admin credentials lack the co-admin role.");
	assert_contains(detail_of(&S.r), "(tenant actionable)");
	assert_contains(detail_of(&S.r), "next attempt unknown");
	assert_contains(detail_of(&S.r), "series since 2026-02-20 08:00:00Z");
	assert_contains(detail_of(&S.r), "automatic disable in 18.8 days");
	assert_false(S.r.age_known);
	assert_false(S.r.age_warn.set);
}

static void quarantine_without_own_error_uses_last_execution_error(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_QUARANTINED_BOX_NO_QERROR);
	assert_int_equal(S.r.state, STATE_CRITICAL);
	assert_contains(summary_of(&S.r),
	                "(EncounteredQuarantineException: BoxInsufficientPermissions)");
	assert_contains(detail_of(&S.r), "error BoxInsufficientPermissions: The Box admin");
}

static void quarantine_reason_override_lowers_to_warning(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "quarantine:EncounteredQuarantineException", STATE_WARNING);
	set_range(&S.cfg.fail_crit, "10", false);
	run(&S, J_QUARANTINED_BOX);
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_contains(summary_of(&S.r), "quarantined for 9d 4h (EncounteredQuarantineException");
}

static void quarantine_reason_override_is_case_insensitive(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "QUARANTINE:encounteredquarantineexception", STATE_OK);
	add_override(&S, "Execution:FAILED", STATE_OK);
	S.cfg.fail_warn.set = S.cfg.fail_crit.set = false;
	run(&S, J_QUARANTINED_BOX);
	assert_int_equal(S.r.state, STATE_OK);
	assert_contains(summary_of(&S.r), "quarantined");
}

static void reason_override_wins_over_code_override(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "quarantine:EncounteredQuarantineException", STATE_OK);
	add_override(&S, "Quarantine", STATE_CRITICAL);
	add_override(&S, "execution:Failed", STATE_OK);
	S.cfg.fail_warn.set = S.cfg.fail_crit.set = false;
	run(&S, J_QUARANTINED_BOX);
	assert_int_equal(S.r.state, STATE_OK);
}

static void code_override_applies_to_every_quarantine_reason(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "Quarantine", STATE_WARNING);
	add_override(&S, "quarantine:TooManyDeletes", STATE_CRITICAL);
	S.cfg.fail_warn.set = S.cfg.fail_crit.set = false;
	run(&S, J_QUARANTINED_BOX);
	assert_int_equal(S.r.state, STATE_WARNING);
}

static void later_override_of_same_key_wins(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "Paused", STATE_CRITICAL);
	add_override(&S, "Paused", STATE_OK);
	run(&S, J_PAUSED_DOC_EXAMPLE);
	assert_int_equal(S.r.state, STATE_OK);
}

static void quarantine_override_ignored_when_not_quarantined(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "quarantine:", STATE_CRITICAL);
	run(&S, J_PAUSED_DOC_EXAMPLE);
	assert_int_equal(S.r.state, STATE_WARNING);
}

static void quarantine_code_without_quarantine_object(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"status\":{\"code\":\"Quarantine\",\"quarantine\":null}}");
	assert_int_equal(S.r.state, STATE_CRITICAL);
	assert_string_equal(summary_of(&S.r), "quarantined (no reason given)");
	assert_contains(detail_of(&S.r), "quarantined (no reason given), series count 0");
	assert_false(S.r.quarantine_age_known);
	assert_true(S.r.days_to_disable < 0);
}

static void quarantine_series_unknown_falls_back_to_current_began(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"status\":{\"code\":\"Quarantine\",\"quarantine\":"
	        "{\"reason\":\"TooManyDeletes\",\"seriesBegan\":\"\","
	        "\"currentBegan\":\"2026-03-01T11:00:00Z\",\"seriesCount\":1}}}");
	assert_true(S.r.quarantine_age_known);
	assert_true(S.r.quarantine_age == 3600.0);
	assert_true(S.r.days_to_disable < 0);
	assert_string_equal(summary_of(&S.r), "quarantined for 1h (TooManyDeletes)");
	assert_contains(detail_of(&S.r), "quarantined (TooManyDeletes), series count 1");
}

static void quarantine_past_28_days_says_disable_due(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"status\":{\"code\":\"Quarantine\",\"quarantine\":"
	        "{\"reason\":\"Unknown\",\"seriesBegan\":\"2026-01-01T00:00:00Z\","
	        "\"seriesCount\":30}}}");
	assert_true(S.r.days_to_disable == 0.0);
	assert_contains(summary_of(&S.r), "automatic disable due");
}

static void quarantine_next_attempt_shown_when_known(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"status\":{\"code\":\"Quarantine\",\"quarantine\":"
	        "{\"reason\":\"Unknown\",\"seriesBegan\":\"2026-03-01T06:00:00Z\","
	        "\"nextAttempt\":\"2026-03-01T18:00:00.5Z\",\"seriesCount\":1}}}");
	assert_contains(detail_of(&S.r), "next attempt 2026-03-01 18:00:00Z");
	assert_contains(summary_of(&S.r), "automatic disable in 27d 18h");
}

static void failed_last_run_is_warning_with_code_and_message(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_ACTIVE_LAST_RUN_FAILED);
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(summary_of(&S.r),
	                    "last run failed (SystemForCrossDomainIdentityManagementService"
	                    "Incompatible: The SCIM endpoint answered 500.); 1 successive failure "
	                    "(> 0)");
}

static void failed_last_run_without_error_object(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim.1\",\"status\":{\"code\":\"Active\",\"lastExecution\":"
	        "{\"state\":\"Failed\",\"error\":null,\"timeBegan\":\"2026-03-01T11:00:00Z\","
	        "\"timeEnded\":\"2026-03-01T11:01:00Z\"}}}");
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(summary_of(&S.r), "last run failed");
}

static void execution_override_raises_failed_to_critical(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "execution:Failed", STATE_CRITICAL);
	run(&S, J_ACTIVE_LAST_RUN_FAILED);
	assert_int_equal(S.r.state, STATE_CRITICAL);
	assert_contains(summary_of(&S.r), "last run failed");
}

static void execution_override_lowers_failed_to_ok(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "execution:failed", STATE_OK);
	S.cfg.fail_warn.set = false;
	run(&S, J_ACTIVE_LAST_RUN_FAILED);
	assert_int_equal(S.r.state, STATE_OK);
	assert_string_equal(summary_of(&S.r), "active, last success 1h ago, every 40m");
}

static void entry_level_errors_are_ok_by_default(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_ENTRY_LEVEL_ERRORS);
	assert_int_equal(S.r.state, STATE_OK);
}

static void entry_level_errors_override_raises(void **state)
{
	(void)state;
	cfg_init(&S);
	add_override(&S, "execution:EntryLevelErrors", STATE_WARNING);
	run(&S, J_ENTRY_LEVEL_ERRORS);
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(summary_of(&S.r), "last run EntryLevelErrors");
}

static void escrow_thresholds_raise_warning_then_critical(void **state)
{
	(void)state;
	cfg_init(&S);
	set_range(&S.cfg.escrow_warn, "100", false);
	set_range(&S.cfg.escrow_crit, "1000", false);
	run(&S, J_ENTRY_LEVEL_ERRORS);
	assert_int_equal(S.r.state, STATE_WARNING);
	assert_string_equal(summary_of(&S.r), "120 escrowed (> 100)");
	set_range(&S.cfg.escrow_crit, "110", false);
	run(&S, J_ENTRY_LEVEL_ERRORS);
	assert_int_equal(S.r.state, STATE_CRITICAL);
	assert_string_equal(summary_of(&S.r), "120 escrowed (> 110)");
}

static void escrow_threshold_ignores_unknown_count(void **state)
{
	(void)state;
	cfg_init(&S);
	set_range(&S.cfg.escrow_crit, "@0:", false);
	run(&S, J_ACTIVE_NEVER_SUCCEEDED);
	assert_int_equal(S.r.state, STATE_OK);
}

static void failures_warn_at_one_and_critical_at_three(void **state)
{
	(void)state;
	const enum state want[] = {STATE_OK, STATE_WARNING, STATE_WARNING, STATE_CRITICAL};
	char json[256];
	for (int n = 0; n <= 3; n++) {
		cfg_init(&S);
		snprintf(json, sizeof(json),
		         "{\"id\":\"scim.1\",\"status\":{\"code\":\"Active\","
		         "\"countSuccessiveCompleteFailures\":%d}}",
		         n);
		run(&S, json);
		assert_int_equal(S.r.state, want[n]);
	}
	assert_string_equal(summary_of(&S.r), "3 successive failures (> 2)");
}

static void failure_ranges_can_be_replaced(void **state)
{
	(void)state;
	cfg_init(&S);
	set_range(&S.cfg.fail_warn, "10", false);
	set_range(&S.cfg.fail_crit, "20", false);
	run(&S, J_QUARANTINED_BOX);
	assert_not_contains(summary_of(&S.r), "successive");
	assert_string_equal(S.r.fail_warn.text, "10");
}

static void success_in_the_future_has_age_zero(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, J_ACTIVE_SUCCESS_AT("2026-03-01T12:05:00Z"));
	assert_true(S.r.last_success_age == 0.0);
	assert_int_equal(S.r.state, STATE_OK);
}

static void text_never_carries_pipes_or_newlines(void **state)
{
	(void)state;
	cfg_init(&S);
	run(&S, "{\"id\":\"scim|1\",\"status\":{\"code\":\"Active\",\"lastExecution\":"
	        "{\"state\":\"Failed\",\"timeEnded\":\"2026-03-01T11:01:00Z\","
	        "\"error\":{\"code\":\"A|B\",\"message\":\"x|y\\nz\\r\\t\"}}}}");
	assert_null(strchr(summary_of(&S.r), '|'));
	assert_null(strchr(detail_of(&S.r), '|'));
	assert_null(strchr(summary_of(&S.r), '\n'));
	assert_null(strchr(detail_of(&S.r), '\n'));
	assert_contains(summary_of(&S.r), "A/B: x/y z");
}

static void results_worst_uses_plugin_order(void **state)
{
	(void)state;
	struct job_result r[3];
	memset(r, 0, sizeof(r));
	assert_int_equal(results_worst(r, 0), STATE_OK);
	r[0].state = STATE_OK;
	r[1].state = STATE_UNKNOWN;
	r[2].state = STATE_WARNING;
	assert_int_equal(results_worst(r, 2), STATE_UNKNOWN);
	assert_int_equal(results_worst(r, 3), STATE_WARNING);
	r[0].state = STATE_CRITICAL;
	assert_int_equal(results_worst(r, 3), STATE_CRITICAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_are_failures_0_and_2_and_nothing_else),
	    cmocka_unit_test(healthy_active_job_is_ok_with_default_age_thresholds),
	    cmocka_unit_test(detail_names_id_template_code_and_counts),
	    cmocka_unit_test(last_success_takes_newest_of_the_three_sources),
	    cmocka_unit_test(last_execution_counts_only_when_succeeded),
	    cmocka_unit_test(invalid_and_sentinel_times_are_not_successes),
	    cmocka_unit_test(active_job_that_never_succeeded_is_ok_and_age_cannot_alert),
	    cmocka_unit_test(success_older_than_six_intervals_is_critical),
	    cmocka_unit_test(success_older_than_three_intervals_is_warning),
	    cmocka_unit_test(success_exactly_at_threshold_is_ok),
	    cmocka_unit_test(explicit_warning_replaces_both_defaults),
	    cmocka_unit_test(explicit_critical_range_with_units),
	    cmocka_unit_test(explicit_inside_range_is_described_as_range),
	    cmocka_unit_test(disabled_schedule_has_no_default_age_threshold),
	    cmocka_unit_test(disabled_schedule_obeys_explicit_thresholds),
	    cmocka_unit_test(timespan_max_interval_alone_disables_the_default),
	    cmocka_unit_test(unparsable_interval_is_warning_naming_it),
	    cmocka_unit_test(paused_schedule_has_no_default_age_threshold),
	    cmocka_unit_test(paused_job_is_warning_naming_schedule_state),
	    cmocka_unit_test(paused_override_to_ok_lowers_the_state),
	    cmocka_unit_test(empty_status_is_warning_not_configured),
	    cmocka_unit_test(not_configured_override_covers_empty_status),
	    cmocka_unit_test(not_configured_code_is_warning),
	    cmocka_unit_test(unexpected_code_is_unknown_and_quoted),
	    cmocka_unit_test(non_string_code_is_unknown_not_missing),
	    cmocka_unit_test(unexpected_code_can_be_overridden),
	    cmocka_unit_test(not_run_is_ok_with_since_and_progress),
	    cmocka_unit_test(not_run_without_start_time_says_only_running),
	    cmocka_unit_test(quarantined_box_is_critical_with_every_detail),
	    cmocka_unit_test(quarantine_without_own_error_uses_last_execution_error),
	    cmocka_unit_test(quarantine_reason_override_lowers_to_warning),
	    cmocka_unit_test(quarantine_reason_override_is_case_insensitive),
	    cmocka_unit_test(reason_override_wins_over_code_override),
	    cmocka_unit_test(code_override_applies_to_every_quarantine_reason),
	    cmocka_unit_test(later_override_of_same_key_wins),
	    cmocka_unit_test(quarantine_override_ignored_when_not_quarantined),
	    cmocka_unit_test(quarantine_code_without_quarantine_object),
	    cmocka_unit_test(quarantine_series_unknown_falls_back_to_current_began),
	    cmocka_unit_test(quarantine_past_28_days_says_disable_due),
	    cmocka_unit_test(quarantine_next_attempt_shown_when_known),
	    cmocka_unit_test(failed_last_run_is_warning_with_code_and_message),
	    cmocka_unit_test(failed_last_run_without_error_object),
	    cmocka_unit_test(execution_override_raises_failed_to_critical),
	    cmocka_unit_test(execution_override_lowers_failed_to_ok),
	    cmocka_unit_test(entry_level_errors_are_ok_by_default),
	    cmocka_unit_test(entry_level_errors_override_raises),
	    cmocka_unit_test(escrow_thresholds_raise_warning_then_critical),
	    cmocka_unit_test(escrow_threshold_ignores_unknown_count),
	    cmocka_unit_test(failures_warn_at_one_and_critical_at_three),
	    cmocka_unit_test(failure_ranges_can_be_replaced),
	    cmocka_unit_test(success_in_the_future_has_age_zero),
	    cmocka_unit_test(text_never_carries_pipes_or_newlines),
	    cmocka_unit_test(results_worst_uses_plugin_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
