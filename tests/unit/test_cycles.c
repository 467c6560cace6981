/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a job itself may say that read wrong before (SPEC 4a): a long cycle in
 * progress, times of past events ahead of the clock, pruned escrows, an
 * expiring schedule. All at NOW = 2026-03-01T12:00:00Z. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

static struct state_override ov[4];
static struct eval_config cfg;
static struct sync_job job;
static struct job_result r;

static void judge(const char *json)
{
	eval_json(json, &cfg, &job, &r);
}

static void fresh(void)
{
	eval_config_init(&cfg);
	cfg.overrides = ov;
}

static void override(const char *key, enum state st)
{
	str_copy(ov[cfg.n_overrides].key, sizeof(ov[0].key), key);
	ov[cfg.n_overrides++].state = st;
}

static void thresholds(const char *warn, const char *crit)
{
	struct err e = {0};
	if (warn != NULL)
		assert_int_equal(range_parse(warn, true, &cfg.age_warn, &e), 0);
	if (crit != NULL)
		assert_int_equal(range_parse(crit, true, &cfg.age_crit, &e), 0);
}

/* An Active PT40M job whose last completed cycle ended 10 h ago, with one
 * progress entry (done of total, observed at obs). */
static const char *long_cycle(int done, int total, const char *obs)
{
	static char json[1024];
	snprintf(
	    json, sizeof(json),
	    "{\"id\":\"scim.66666666666666666666666666666666\",\"templateId\":\"scim\","
	    "\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"
	    "\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":0,"
	    "\"lastExecution\":{\"state\":\"Succeeded\",\"timeBegan\":\"2026-03-01T01:30:00Z\","
	    "\"timeEnded\":\"2026-03-01T02:00:00Z\"},"
	    "\"lastSuccessfulExecution\":{\"state\":\"Succeeded\","
	    "\"timeEnded\":\"2026-03-01T02:00:00Z\"},\"quarantine\":null,"
	    "\"progress\":[{\"completedUnits\":%d,\"totalUnits\":%d,\"units\":\"objects\","
	    "\"progressObservationDateTime\":\"%s\"}]}}",
	    done, total, obs);
	return json;
}

/* ---- a cycle in progress ---- */

static void an_advancing_cycle_is_not_a_stale_job(void **state)
{
	(void)state;
	fresh();
	judge(long_cycle(420, 1000, "2026-03-01T11:58:00Z"));
	assert_int_equal(r.state, STATE_OK);
	assert_true(r.cycle_in_progress);
	assert_true(r.progress_age == 120);
	/* the metric keeps the real age of the last completed cycle */
	assert_true(r.last_success_age == 10 * 3600);
	assert_string_equal(summary_of(&r),
	                    "active, cycle in progress: 42 %, observed 2m ago; last "
	                    "completed cycle 10h ago, every 40m");
}

static void a_cycle_that_stopped_advancing_is_judged_as_before(void **state)
{
	(void)state;
	fresh();
	/* observed 81 minutes ago: more than two 40-minute intervals */
	judge(long_cycle(420, 1000, "2026-03-01T10:39:00Z"));
	assert_false(r.cycle_in_progress);
	assert_int_equal(r.state, STATE_CRITICAL);
	assert_contains(summary_of(&r), "last success 10h ago (> 4h)");
}

static void a_finished_cycle_is_no_cycle_in_progress(void **state)
{
	(void)state;
	fresh();
	judge(long_cycle(1000, 1000, "2026-03-01T11:58:00Z"));
	assert_false(r.cycle_in_progress);
	assert_int_equal(r.state, STATE_CRITICAL);
}

static void explicit_thresholds_measure_the_observation_too(void **state)
{
	(void)state;
	fresh();
	thresholds(NULL, "4h"); /* the admin's -c 4h during a 10-hour initial cycle */
	judge(long_cycle(420, 1000, "2026-03-01T11:58:00Z"));
	assert_int_equal(r.state, STATE_OK);
	fresh();
	thresholds("1m", NULL);
	judge(long_cycle(420, 1000, "2026-03-01T11:58:00Z"));
	assert_int_equal(r.state, STATE_WARNING);
	assert_contains(summary_of(&r), "cycle in progress: 42 %, observed 2m ago (> 1m)");
}

/* ---- times ahead of the clock ---- */

static void a_steady_state_in_year_9999_never_makes_a_job_fresh(void **state)
{
	(void)state;
	fresh();
	judge("{\"id\":\"scim.77777777777777777777777777777770\",\"templateId\":\"scim\","
	      "\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"
	      "\"status\":{\"code\":\"Active\",\"lastExecution\":{\"state\":\"Succeeded\","
	      "\"timeBegan\":\"2019-05-01T00:00:00Z\",\"timeEnded\":\"2019-05-01T00:10:00Z\"},"
	      "\"lastSuccessfulExecution\":{\"state\":\"Succeeded\","
	      "\"timeEnded\":\"2019-05-01T00:10:00Z\"},"
	      "\"steadyStateLastAchievedTime\":\"9999-12-31T23:59:59Z\"}}");
	assert_int_equal(r.state, STATE_CRITICAL);
	assert_true(r.last_success == 1556669400.0); /* 2019 */
	assert_true(r.ahead & (1u << PAST_STEADY_STATE));
	assert_contains(detail_of(&r), "ahead of the clock, so not taken: "
	                               "steadyStateLastAchievedTime 9999-12-31 23:59:59Z");
}

static void a_job_whose_only_success_lies_ahead_is_warning(void **state)
{
	(void)state;
	fresh();
	judge(J_ACTIVE_SUCCESS_AT("2027-03-01T12:00:00Z"));
	assert_false(r.age_known);
	assert_int_equal(r.state, STATE_WARNING);
	assert_non_null(result_finding(&r, FINDING_TIME_AHEAD));
	assert_contains(summary_of(&r), "success time ahead of this machine's clock");
	assert_contains(summary_of(&r), "lastSuccessfulExecution.timeEnded 2027-03-01 12:00:00Z");
}

static void a_time_just_ahead_is_age_zero(void **state)
{
	(void)state;
	fresh();
	judge(J_ACTIVE_SUCCESS_AT("2026-03-01T12:04:00Z"));
	assert_true(r.age_known && r.last_success_age == 0);
	assert_int_equal(r.ahead, 0);
	assert_int_equal(r.state, STATE_OK);
}

static void a_progress_observation_ahead_is_no_cycle_in_progress(void **state)
{
	(void)state;
	fresh();
	judge(long_cycle(420, 1000, "2026-03-02T12:00:00Z"));
	assert_false(r.cycle_in_progress);
	assert_true(r.ahead & (1u << PAST_PROGRESS));
	assert_int_equal(r.state, STATE_CRITICAL);
}

static void a_series_begun_ahead_falls_back_to_current_began(void **state)
{
	(void)state;
	fresh();
	judge("{\"id\":\"Box.1\",\"status\":{\"code\":\"Quarantine\",\"quarantine\":{"
	      "\"reason\":\"Unknown\",\"seriesBegan\":\"2030-01-01T00:00:00Z\","
	      "\"currentBegan\":\"2026-03-01T11:00:00Z\",\"seriesCount\":1}}}");
	assert_true(r.quarantine_age == 3600);
	assert_true(r.days_to_disable < 0); /* Microsoft's 28 days follow the series: unknown */
	assert_true(r.ahead & (1u << PAST_SERIES_BEGAN));
}

/* ---- escrows pruned ---- */

#define J_PRUNED(code)                                                                             \
	"{\"id\":\"salesforce.88888888888888888888888888888888\",\"templateId\":\"salesforce\","   \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"                              \
	"\"status\":{\"code\":\"" code "\",\"escrowsPruned\":true,"                                \
	"\"lastExecution\":{\"state\":\"EntryLevelErrors\",\"countEscrowed\":0,"                   \
	"\"timeBegan\":\"2026-03-01T11:00:00Z\",\"timeEnded\":\"2026-03-01T11:50:00Z\"},"          \
	"\"lastSuccessfulExecution\":{\"state\":\"Succeeded\","                                    \
	"\"timeEnded\":\"2026-03-01T11:50:00Z\"}}}"

static void pruned_escrows_are_warning_named_first(void **state)
{
	(void)state;
	fresh();
	judge(J_PRUNED("Active"));
	assert_int_equal(r.state, STATE_WARNING);
	assert_int_equal(r.findings[0].kind, FINDING_ESCROWS_PRUNED);
	assert_contains(summary_of(&r), "escrows pruned");
	assert_contains(detail_of(&r), "waits for the failing objects to be cleaned up");
	fresh();
	override("escrows-pruned", STATE_CRITICAL);
	judge(J_PRUNED("Paused"));
	assert_int_equal(r.state, STATE_CRITICAL);
}

/* ---- an expiring schedule ---- */

static const char *expiring(const char *when)
{
	static char json[600];
	snprintf(json, sizeof(json),
	         "{\"id\":\"workday.99999999999999999999999999999999\",\"templateId\":\"workday\","
	         "\"schedule\":{\"expiration\":\"%s\",\"interval\":\"PT40M\",\"state\":\"Active\"},"
	         "\"status\":{\"code\":\"Active\",\"lastSuccessfulExecution\":{\"state\":"
	         "\"Succeeded\",\"timeEnded\":\"2026-03-01T11:50:00Z\"}}}",
	         when);
	return json;
}

static void a_schedule_ending_within_7_days_is_warning_naming_the_date(void **state)
{
	(void)state;
	fresh();
	judge(expiring("2026-03-04T12:00:00Z"));
	assert_int_equal(r.state, STATE_WARNING);
	assert_string_equal(summary_of(&r), "schedule expires 2026-03-04 12:00:00Z (in 3d)");
	judge(expiring("2026-02-27T12:00:00Z"));
	assert_int_equal(r.state, STATE_WARNING);
	assert_string_equal(summary_of(&r), "schedule expired 2026-02-27 12:00:00Z (2d ago)");
	judge(expiring("2026-03-09T12:00:00Z"));
	assert_int_equal(r.state, STATE_OK);
	override("schedule-expiration", STATE_CRITICAL);
	judge(expiring("2026-03-02T12:00:00Z"));
	assert_int_equal(r.state, STATE_CRITICAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(an_advancing_cycle_is_not_a_stale_job),
	    cmocka_unit_test(a_cycle_that_stopped_advancing_is_judged_as_before),
	    cmocka_unit_test(a_finished_cycle_is_no_cycle_in_progress),
	    cmocka_unit_test(explicit_thresholds_measure_the_observation_too),
	    cmocka_unit_test(a_steady_state_in_year_9999_never_makes_a_job_fresh),
	    cmocka_unit_test(a_job_whose_only_success_lies_ahead_is_warning),
	    cmocka_unit_test(a_time_just_ahead_is_age_zero),
	    cmocka_unit_test(a_progress_observation_ahead_is_no_cycle_in_progress),
	    cmocka_unit_test(a_series_begun_ahead_falls_back_to_current_began),
	    cmocka_unit_test(pruned_escrows_are_warning_named_first),
	    cmocka_unit_test(a_schedule_ending_within_7_days_is_warning_naming_the_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
