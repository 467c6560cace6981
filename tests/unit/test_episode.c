/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A repair over time (SPEC 6a): the start history with its episode, both
 * file formats, starts that did not help and the backoff they bring, and
 * what Microsoft says to do per quarantine reason. NOW = 2026-03-01T12:00Z. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fixtures.h"
#include "handler.h"
#include "options.h"
#include "statefile.h"

#define HOUR 3600.0
#define DAY  86400.0

static struct start_history h;
static struct sync_job job;
static struct job_result r;

/* A Box job quarantined for reason, the quarantine (re)imposed at current
 * (seconds before NOW), its series begun at series; last success at success
 * seconds before NOW (< 0: never). */
static void quarantined(const char *reason, double current, double series, double success)
{
	char cur[32], ser[32], ok[64] = "null";
	time_t c = (time_t)(NOW - current), s = (time_t)(NOW - series);
	strftime(cur, sizeof(cur), "%Y-%m-%dT%H:%M:%SZ", gmtime(&c));
	strftime(ser, sizeof(ser), "%Y-%m-%dT%H:%M:%SZ", gmtime(&s));
	if (success >= 0) {
		time_t t = (time_t)(NOW - success);
		char when[32];
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		snprintf(ok, sizeof(ok), "{\"state\":\"Succeeded\",\"timeEnded\":\"%s\"}", when);
	}
	char json[1024];
	snprintf(json, sizeof(json),
	         "{\"id\":\"Box.fedcba9876543210fedcba9876543210\",\"templateId\":\"Box\","
	         "\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"
	         "\"status\":{\"code\":\"Quarantine\",\"lastSuccessfulExecution\":%s,"
	         "\"quarantine\":{\"reason\":\"%s\",\"currentBegan\":\"%s\","
	         "\"seriesBegan\":\"%s\",\"seriesCount\":1}}}",
	         ok, reason, cur, ser);
	load_job(json, &job);
}

static void judge(void)
{
	struct eval_config cfg;
	eval_config_init(&cfg);
	struct start_record rec;
	start_history_summary(&h, NOW, &rec);
	struct job_context ctx = {.now = NOW, .starts = &rec};
	evaluate_job(&job, &cfg, &ctx, &r);
}

/* Starts at these ages (seconds before NOW), each of a job quarantined for
 * reason, the first opening an episode begun at began (age). */
static void started(const char *reason, double began, const double *ages, size_t n)
{
	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < n; i++)
		start_history_add(&h, NOW - ages[i], ORIGIN_HANDLER, reason, NOW - began, 0);
}

/* ---- the episode ---- */

static void starts_that_did_not_help_are_said_with_the_episode(void **state)
{
	(void)state;
	/* broken 17 days ago; started 3 times; quarantined again 20 min after the last */
	started("EncounteredQuarantineException", 17 * DAY, (double[]){5 * DAY, 2 * DAY, HOUR}, 3);
	quarantined("EncounteredQuarantineException", 40 * 60, 40 * 60, -1);
	judge();
	assert_true(r.episode_open);
	assert_true(r.futile);
	assert_int_equal(r.episode_starts, 3);
	assert_true(r.episode_age == 17 * DAY);
	/* Graph's series stays Graph's */
	assert_true(r.quarantine_age == 40 * 60);
	assert_contains(summary_of(&r),
	                "broken since 2026-02-12, 17d; 3 starts by this plugin did not help");
	assert_contains(detail_of(&r), "did not help, the last 1h ago");
	assert_contains(detail_of(&r), "the cause persists: Microsoft: the target application "
	                               "refused the credentials");
}

static void a_start_is_futile_only_for_the_same_reason_again_after_it(void **state)
{
	(void)state;
	started("EncounteredQuarantineException", DAY, (double[]){HOUR}, 1);
	quarantined("EncounteredEscrowProportionThreshold", 1800, 1800, -1);
	judge();
	assert_true(r.episode_open);
	assert_false(r.futile); /* another reason: the start may yet help */
	assert_contains(summary_of(&r), "1 start by this plugin so far");
	/* still the quarantine before the start: the start may not have reached Graph */
	quarantined("EncounteredQuarantineException", 2 * HOUR, 2 * HOUR, -1);
	judge();
	assert_false(r.futile);
}

static void a_successful_cycle_after_the_last_start_ends_the_episode(void **state)
{
	(void)state;
	started("EncounteredQuarantineException", DAY, (double[]){2 * HOUR}, 1);
	quarantined("EncounteredQuarantineException", 600, 600, HOUR);
	judge();
	assert_false(r.episode_open);
	assert_false(r.futile);
	assert_not_contains(summary_of(&r), "broken since");
	/* and the next start begins a new episode, at Graph's new series */
	start_history_add(&h, NOW, ORIGIN_HANDLER, "EncounteredQuarantineException", NOW - 600,
	                  NOW - HOUR);
	struct start_record rec;
	start_history_summary(&h, NOW, &rec);
	assert_int_equal(rec.episode_starts, 1);
	assert_true(rec.episode_began == NOW - 600);
}

static void the_episode_keeps_its_starts_past_a_day(void **state)
{
	(void)state;
	started("Unknown", 20 * DAY, (double[]){10 * DAY, 5 * DAY}, 2);
	start_history_add(&h, NOW, ORIGIN_OPERATOR, "Unknown", NOW - HOUR, 0);
	assert_int_equal(h.n, 3);
	struct start_record rec;
	start_history_summary(&h, NOW, &rec);
	assert_int_equal(rec.episode_starts, 3);
	assert_true(rec.episode_began == NOW - 20 * DAY);
	assert_int_equal(start_history_recent(&h, NOW), 1);
}

/* ---- the file: today's format, and the first one ---- */

static void a_state_file_of_the_first_format_is_still_read(void **state)
{
	(void)state;
	struct err e = {0};
	/* what the handler wrote before episodes and reasons were kept */
	const char *old =
	    "# check_entra_sync: starts of this job, epoch seconds and who started it\n"
	    "1772348400 handler\n"
	    "1772359200 operator\n";
	assert_int_equal(start_history_parse(old, &h, &e), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.e[0].reason, "?");
	assert_int_equal(h.e[1].origin, ORIGIN_OPERATOR);
	struct start_record rec;
	start_history_summary(&h, NOW, &rec);
	assert_true(rec.last == 1772359200.0);
	assert_int_equal(rec.episode_starts, 2);
	assert_true(rec.episode_began == 1772348400.0); /* its first start */
	/* a reason that was not recorded never makes a start futile */
	quarantined("Unknown", 600, 600, -1);
	struct eval_config cfg;
	eval_config_init(&cfg);
	struct job_context ctx = {.now = NOW, .starts = &rec};
	evaluate_job(&job, &cfg, &ctx, &r);
	assert_true(r.episode_open);
	assert_false(r.futile);
	/* the cooldown still holds: 3599 s was the rule then, and it is now */
	double wait;
	assert_int_equal(start_rules_check(&h, 1772359200.0 + 3599, 3600, 3, false, &wait),
	                 START_COOLDOWN);
}

static void the_history_round_trips_with_its_episode_and_reasons(void **state)
{
	(void)state;
	struct err e = {0};
	struct buf b = {0};
	memset(&h, 0, sizeof(h));
	start_history_add(&h, NOW - 2 * HOUR, ORIGIN_HANDLER, "TooManyDeletes", NOW - DAY, 0);
	start_history_add(&h, NOW - HOUR, ORIGIN_OPERATOR, "", NOW - DAY, 0);
	start_history_add(&h, NOW, ORIGIN_HANDLER, "odd reason with spaces", NOW - DAY, 0);
	assert_int_equal(start_history_format(&h, &b), 0);
	assert_contains(b.data, "\nepisode 1772280000\n");
	struct start_history back;
	assert_int_equal(start_history_parse(b.data, &back, &e), 0);
	assert_int_equal(back.n, 3);
	assert_true(back.episode_began == NOW - DAY);
	assert_int_equal(back.episode_first, 0);
	assert_string_equal(back.e[0].reason, "TooManyDeletes");
	assert_string_equal(back.e[1].reason, "-");
	assert_string_equal(back.e[2].reason, "?");
	buf_free(&b);
	assert_int_equal(start_history_parse("episode 0\n", &back, &e), -1);
	assert_int_equal(start_history_parse("1 handler bad|reason\n", &back, &e), -1);
}

/* ---- the backoff ---- */

static void a_start_that_did_not_help_doubles_the_wait(void **state)
{
	(void)state;
	double wait;
	/* one futile start 1 h ago: the next waits twice the cooldown */
	started("Unknown", DAY, (double[]){HOUR}, 1);
	assert_true(start_rules_gap(&h, NOW, 3600, true) == 2 * HOUR);
	assert_int_equal(start_rules_check(&h, NOW, 3600, 9, true, &wait), START_BACKOFF);
	assert_true(wait == HOUR);
	/* without the futility, the cooldown alone */
	assert_int_equal(start_rules_check(&h, NOW, 3600, 9, false, &wait), START_ALLOWED);
	/* starts 2 h apart, the last futile: twice that gap */
	started("Unknown", DAY, (double[]){3 * HOUR, HOUR}, 2);
	assert_true(start_rules_gap(&h, NOW, 3600, true) == 4 * HOUR);
	assert_int_equal(start_rules_check(&h, NOW, 3600, 9, true, &wait), START_BACKOFF);
	assert_true(wait == 3 * HOUR);
}

static void the_backoff_stops_at_7_days_but_never_below_the_cooldown(void **state)
{
	(void)state;
	started("Unknown", 30 * DAY, (double[]){20 * DAY, 14 * DAY}, 2);
	assert_true(start_rules_gap(&h, NOW, 3600, true) == 7 * DAY);
	assert_true(start_rules_gap(&h, NOW, 10 * (long)DAY, true) == 10 * DAY);
	/* a previous gap shorter than the cooldown (--start --force) doubles the cooldown */
	started("Unknown", DAY, (double[]){HOUR + 60, HOUR}, 2);
	assert_true(start_rules_gap(&h, NOW, 3600, true) == 2 * HOUR);
}

/* ---- a start recorded ahead of the clock ---- */

static void a_start_recorded_ahead_is_said_not_waited_on(void **state)
{
	(void)state;
	memset(&h, 0, sizeof(h));
	h.e[0] = (struct start_entry){.when = NOW + 365 * DAY, .origin = ORIGIN_HANDLER};
	str_copy(h.e[0].reason, sizeof(h.e[0].reason), "Unknown");
	h.n = 1;
	load_job(J_ACTIVE_SUCCESS_AT("2026-03-01T11:00:00Z"), &job);
	judge();
	assert_int_equal(r.state, STATE_OK); /* not "waiting for its next cycle" */
	assert_true(r.ahead & (1u << PAST_RECORDED_START));
	assert_contains(detail_of(&r), "a start recorded by this plugin 2027-03-01 12:00:00Z");
	start_history_add(&h, NOW, ORIGIN_HANDLER, "Unknown", 0, 0);
	assert_int_equal(h.n, 1); /* the next record drops it */
	assert_true(h.e[0].when == NOW);
}

/* ---- what Microsoft says to do ---- */

static const char *advice_for(const char *reason, const char *template_id)
{
	static struct buf b;
	memset(&job, 0, sizeof(job));
	job.status = JOB_QUARANTINE;
	job.quarantine.present = true;
	str_copy(job.quarantine.reason, sizeof(job.quarantine.reason), reason);
	str_copy(job.template_id, sizeof(job.template_id), template_id);
	buf_free(&b);
	output_advice(&job, &b);
	return b.data != NULL ? b.data : "";
}

static void each_reason_carries_what_microsoft_documents_and_no_more(void **state)
{
	(void)state;
	assert_contains(advice_for("EncounteredQuarantineException", "Box"),
	                "enter valid admin credentials");
	assert_contains(advice_for("EncounteredEscrowProportionThreshold", "Box"),
	                "restart provisioning with escrows cleared");
	assert_contains(advice_for("QuarantinedOnDemand", "Box"), "contact Microsoft support");
	assert_contains(advice_for("TooManyDeletes", "Box"), "StagedDelete");
	/* reasons Microsoft does not explain get nothing invented */
	const char *unexplained[] = {"EncounteredBaseEscrowThreshold",
	                             "EncounteredTotalEscrowThreshold",
	                             "IngestionInterrupted",
	                             "Unknown",
	                             "",
	                             "EncounteredNewReason"};
	for (size_t i = 0; i < sizeof(unexplained) / sizeof(unexplained[0]); i++)
		assert_string_equal(advice_for(unexplained[i], "Box"), "");
	assert_contains(advice_for("Unknown", "API2AAD"), "no notification e-mail is set");
}

static void the_handler_never_starts_a_job_with_pruned_escrows(void **state)
{
	(void)state;
	struct handler_options o;
	memset(&o, 0, sizeof(o));
	o.start_paused = true;
	load_job("{\"id\":\"salesforce.1\",\"schedule\":{\"interval\":\"PT40M\","
	         "\"state\":\"Paused\"},\"status\":{\"code\":\"Paused\",\"escrowsPruned\":true}}",
	         &job);
	memset(&h, 0, sizeof(h));
	judge();
	assert_int_equal(handler_decide(&o, &r), REPAIR_ESCROWS_PRUNED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(starts_that_did_not_help_are_said_with_the_episode),
	    cmocka_unit_test(a_start_is_futile_only_for_the_same_reason_again_after_it),
	    cmocka_unit_test(a_successful_cycle_after_the_last_start_ends_the_episode),
	    cmocka_unit_test(the_episode_keeps_its_starts_past_a_day),
	    cmocka_unit_test(a_state_file_of_the_first_format_is_still_read),
	    cmocka_unit_test(the_history_round_trips_with_its_episode_and_reasons),
	    cmocka_unit_test(a_start_that_did_not_help_doubles_the_wait),
	    cmocka_unit_test(the_backoff_stops_at_7_days_but_never_below_the_cooldown),
	    cmocka_unit_test(a_start_recorded_ahead_is_said_not_waited_on),
	    cmocka_unit_test(each_reason_carries_what_microsoft_documents_and_no_more),
	    cmocka_unit_test(the_handler_never_starts_a_job_with_pruned_escrows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
