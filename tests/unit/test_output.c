/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Presentation: every job shape through parse -> evaluate -> output, with the
 * exact first line and perfdata; multi-job summaries, labels and ordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "output.h"

#define MAXJ 4

struct run {
	struct sync_job jobs[MAXJ];
	struct job_result res[MAXJ];
	size_t n;
	char *text;
	enum state st;
};

static struct run R;

static void add(const char *json)
{
	assert_true(R.n < MAXJ);
	eval_default(json, &R.jobs[R.n], &R.res[R.n]);
	R.n++;
}

static void render(double http_seconds)
{
	size_t len = 0;
	FILE *f = open_memstream(&R.text, &len);
	assert_non_null(f);
	/* One job as with -j (bare labels), several as all the jobs of a
	 * service principal (prefixed labels). */
	struct output_options opt = {.max_bytes = OUTPUT_MAX_DEFAULT, .bare_labels = R.n == 1};
	struct run_facts facts = {.http_seconds = http_seconds};
	R.st = print_check(f, R.res, R.n, &opt, &facts);
	fclose(f);
}

static int reset(void **state)
{
	(void)state;
	free(R.text);
	memset(&R, 0, sizeof(R));
	return 0;
}

/* Line k (0-based) of the output, in a static buffer. */
static const char *line(int k)
{
	static char out[4096];
	const char *p = R.text;
	for (int i = 0; i < k && p != NULL; i++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	assert_non_null(p);
	size_t n = strcspn(p, "\n");
	assert_true(n < sizeof(out));
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

static int count_lines(void)
{
	int n = 0;
	for (const char *p = R.text; *p; p++)
		n += *p == '\n';
	return n;
}

static void expect_single(const char *json, enum state st, const char *first)
{
	add(json);
	render(0.25);
	assert_int_equal(R.st, st);
	assert_string_equal(line(0), first);
	assert_int_equal(count_lines(), 2);
	assert_true(strncmp(line(1), "[", 1) == 0);
}

static void healthy_cloud_sync_exact_output(void **state)
{
	(void)state;
	expect_single(J_HEALTHY_CLOUD_SYNC, STATE_OK,
	              "ENTRA SYNC OK - AD2AADProvisioning active, last success 2m ago, every 2m | "
	              "last_success_age=120s;360;720;0 successive_failures=0;0;2;0 "
	              "escrowed=15;;;0 exported=3 imported=20 quarantine_age=0s "
	              "quarantine_series=0 time=0.250s");
	assert_string_equal(line(1),
	                    "[OK] AD2AADProvisioning.fd1c9b9e8077402c8bc03a7186c8f976 "
	                    "[AD2AADProvisioning]: active, last success 2m ago, every 2m -- status "
	                    "Active, schedule PT2M Active, last success 2026-03-01 11:58:00Z, "
	                    "successive failures 0, last run Succeeded, escrowed 15, exported 3, "
	                    "imported 20");
}

static void quarantined_box_exact_first_line(void **state)
{
	(void)state;
	expect_single(
	    J_QUARANTINED_BOX, STATE_CRITICAL,
	    "ENTRA SYNC CRITICAL - Box quarantined for 9d 4h (EncounteredQuarantineException: "
	    "BoxInsufficientPermissions), automatic disable in 18d 20h; 6 successive "
	    "failures (> 2) | "
	    "successive_failures=6;0;2;0 escrowed=0;;;0 "
	    "exported=0 imported=0 quarantine_age=792000s quarantine_series=6 "
	    "time=0.250s");
	assert_contains(line(1), "[CRITICAL] Box.fedcba9876543210fedcba9876543210 [Box]: ");
	assert_contains(line(1), "error BoxInsufficientPermissions: The Box admin credentials "
	                         "lack the co-admin role. (tenant actionable)");
	assert_contains(line(1), "next attempt unknown");
}

static void quarantined_box_without_quarantine_error_exact_first_line(void **state)
{
	(void)state;
	expect_single(
	    J_QUARANTINED_BOX_NO_QERROR, STATE_CRITICAL,
	    "ENTRA SYNC CRITICAL - Box quarantined for 9d 4h (EncounteredQuarantineException: "
	    "BoxInsufficientPermissions), automatic disable in 18d 20h; 6 successive "
	    "failures (> 2) | "
	    "successive_failures=6;0;2;0 escrowed=0;;;0 "
	    "exported=0 imported=0 quarantine_age=792000s quarantine_series=6 "
	    "time=0.250s");
}

static void paused_doc_example_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_PAUSED_DOC_EXAMPLE, STATE_WARNING,
	              "ENTRA SYNC WARNING - SfSandboxOutDelta paused, schedule Paused - error "
	              "SalesforceInvalidCredentials: Invalid Salesforce credentials. | "
	              "successive_failures=0;0;2;0 "
	              "quarantine_age=0s quarantine_series=0 time=0.250s");
	assert_contains(line(1), "SalesforceInvalidCredentials: Invalid Salesforce credentials.");
}

static void new_job_with_empty_status_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_NEW_JOB, STATE_WARNING,
	              "ENTRA SYNC WARNING - scim not configured (no status yet) | "
	              "successive_failures=0;0;2;0 "
	              "quarantine_age=0s quarantine_series=0 time=0.250s");
}

static void disabled_schedule_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_DISABLED_SCHEDULE, STATE_OK,
	              "ENTRA SYNC OK - scim active, last success 30d ago, schedule disabled | "
	              "last_success_age=2592000s;;;0 successive_failures=0;0;2;0 "
	              "quarantine_age=0s quarantine_series=0 time=0.250s");
}

static void not_run_with_progress_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_NOT_RUN, STATE_OK,
	              "ENTRA SYNC OK - scim first cycle still running since 2026-03-01 11:00:00Z "
	              "(75% done) | successive_failures=0;0;2;0 "
	              "quarantine_age=0s quarantine_series=0 "
	              "progress=75% time=0.250s");
}

static void stale_active_job_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_ACTIVE_SUCCESS_AT("2026-03-01T07:00:00Z"), STATE_CRITICAL,
	              "ENTRA SYNC CRITICAL - scim last success 5h ago (> 4h) | "
	              "last_success_age=18000s;7200;14400;0 successive_failures=0;0;2;0 "
	              "escrowed=0;;;0 exported=1 imported=2 quarantine_age=0s quarantine_series=0 "
	              "time=0.250s");
}

static void never_succeeded_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_ACTIVE_NEVER_SUCCEEDED, STATE_OK,
	              "ENTRA SYNC OK - scim active, never succeeded, every 40m | "
	              "successive_failures=0;0;2;0 "
	              "quarantine_age=0s quarantine_series=0 time=0.250s");
}

static void failed_last_run_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_ACTIVE_LAST_RUN_FAILED, STATE_WARNING,
	              "ENTRA SYNC WARNING - scim last run failed (SystemForCrossDomainIdentity"
	              "ManagementServiceIncompatible: The SCIM endpoint answered 500.); 1 "
	              "successive failure (> 0) | last_success_age=3600s;7200;14400;0 "
	              "successive_failures=1;0;2;0 escrowed=0;;;0 "
	              "quarantine_age=0s quarantine_series=0 time=0.250s");
}

static void entry_level_errors_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_ENTRY_LEVEL_ERRORS, STATE_OK,
	              "ENTRA SYNC OK - scim active, last success 5m ago, every 40m | "
	              "last_success_age=300s;7200;14400;0 successive_failures=0;0;2;0 "
	              "escrowed=120;;;0 exported=7 imported=9 quarantine_age=0s "
	              "quarantine_series=0 time=0.250s");
}

static void unknown_code_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_UNKNOWN_CODE, STATE_UNKNOWN,
	              "ENTRA SYNC UNKNOWN - scim unexpected status code 'Restarting' | "
	              "successive_failures=0;0;2;0 "
	              "quarantine_age=0s quarantine_series=0 time=0.250s");
}

static void not_configured_exact_first_line(void **state)
{
	(void)state;
	expect_single(J_NOT_CONFIGURED, STATE_WARNING,
	              "ENTRA SYNC WARNING - scim not configured | "
	              "successive_failures=0;0;2;0 "
	              "quarantine_age=0s quarantine_series=0 time=0.250s");
}

static void quarantine_without_start_time_has_unknown_age(void **state)
{
	(void)state;
	add("{\"id\":\"scim.1\",\"status\":{\"code\":\"Quarantine\",\"quarantine\":null}}");
	render(0);
	assert_contains(line(0), " quarantine_series=0 ");
}

static void escrow_thresholds_appear_in_perfdata(void **state)
{
	(void)state;
	struct eval_config cfg;
	eval_config_init(&cfg);
	range_parse("100", false, &cfg.escrow_warn, NULL);
	range_parse("@200:300", false, &cfg.escrow_crit, NULL);
	eval_json(J_ENTRY_LEVEL_ERRORS, &cfg, &R.jobs[0], &R.res[0]);
	R.n = 1;
	render(0);
	assert_int_equal(R.st, STATE_WARNING);
	assert_contains(line(0), " escrowed=120;100;@200:300;0 ");
	assert_contains(line(0), "WARNING - scim 120 escrowed (> 100) |");
}

static void two_jobs_prefix_labels_with_template_ids(void **state)
{
	(void)state;
	add(J_HEALTHY_CLOUD_SYNC);
	add(J_QUARANTINED_BOX);
	render(1.5);
	assert_int_equal(R.st, STATE_CRITICAL);
	assert_string_equal(
	    line(0),
	    "ENTRA SYNC CRITICAL - 1 of 2 jobs not OK: Box quarantined for 9d 4h "
	    "(EncounteredQuarantineException: BoxInsufficientPermissions), automatic disable in "
	    "18d 20h; 6 successive failures (> 2) "
	    "| Box_successive_failures=6;0;2;0 Box_escrowed=0;;;0 "
	    "Box_exported=0 Box_imported=0 Box_quarantine_age=792000s Box_quarantine_series=6 "
	    "AD2AADProvisioning_last_success_age=120s;360;720;0 "
	    "AD2AADProvisioning_successive_failures=0;0;2;0 AD2AADProvisioning_escrowed=15;;;0 "
	    "AD2AADProvisioning_exported=3 AD2AADProvisioning_imported=20 "
	    "AD2AADProvisioning_quarantine_age=0s AD2AADProvisioning_quarantine_series=0 "
	    "time=1.500s");
}

static void long_output_lists_worst_job_first(void **state)
{
	(void)state;
	add(J_HEALTHY_CLOUD_SYNC);
	add(J_NEW_JOB);
	add(J_QUARANTINED_BOX);
	render(0);
	assert_int_equal(count_lines(), 4);
	assert_true(strncmp(line(1), "[CRITICAL] Box.", 15) == 0);
	assert_true(strncmp(line(2), "[WARNING] scim.", 15) == 0);
	assert_true(strncmp(line(3), "[OK] AD2AADProvisioning.", 24) == 0);
}

static void summary_names_worst_job_and_counts_the_others(void **state)
{
	(void)state;
	add(J_HEALTHY_CLOUD_SYNC);
	add(J_NEW_JOB);
	add(J_QUARANTINED_BOX);
	render(0);
	assert_true(strncmp(line(0),
	                    "ENTRA SYNC CRITICAL - 2 of 3 jobs not OK: Box quarantined for 9d 4h "
	                    "(EncounteredQuarantineException",
	                    95) == 0);
	assert_contains(line(0), "(> 2); also scim |");
	const char *summary = strstr(line(0), " - ") + 3;
	assert_true(strcspn(summary, "|") - 1 <= SUMMARY_MAX);
}

static void equal_states_keep_graph_order(void **state)
{
	(void)state;
	add(J_NOT_CONFIGURED);
	add(J_PAUSED_DOC_EXAMPLE);
	render(0);
	assert_true(strncmp(line(1), "[WARNING] scim.8888", 19) == 0);
	assert_true(strncmp(line(2), "[WARNING] SfSandboxOutDelta.", 28) == 0);
	assert_contains(line(0), "2 of 2 jobs not OK: scim not configured; also "
	                         "SfSandboxOutDelta |");
}

static void all_ok_jobs_say_so(void **state)
{
	(void)state;
	add(J_HEALTHY_CLOUD_SYNC);
	add(J_ENTRY_LEVEL_ERRORS);
	render(0);
	assert_int_equal(R.st, STATE_OK);
	assert_true(strncmp(line(0), "ENTRA SYNC OK - all 2 jobs OK | ", 32) == 0);
}

static void colliding_template_ids_get_a_stable_suffix_from_the_job_id(void **state)
{
	(void)state;
	add(J_NEW_JOB);
	add(J_ENTRY_LEVEL_ERRORS);
	add(J_QUARANTINED_BOX);
	render(0);
	/* the first 6 hex digits of SHA-256 of each job id: no dots, and the
	 * same whatever else the service principal holds */
	assert_contains(line(0), " scim_bdea6c_successive_failures=0;0;2;0 ");
	assert_contains(line(0), " scim_7e82b4_escrowed=120;;;0 ");
	assert_contains(line(0), " Box_quarantine_series=6 ");
	assert_not_contains(strchr(line(0), '|'), "scim.");
	assert_contains(line(0), "also scim.0123456789abcdef0123456789abcdef |");
}

/* Found by fuzzing: a template id that spells, at full length, the numbered
 * prefix another job gets (two jobs sent with one id) made numbering
 * produce the same prefix again on every pass. */
static void a_template_spelling_a_numbered_prefix_cannot_make_labels_collide(void **state)
{
	(void)state;
	struct sync_job j[3];
	struct job_result r[3];
	char p[3][SUBJECT_MAX];
	memset(j, 0, sizeof(j));
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 3; i++)
		r[i].job = &j[i];
	memset(j[0].template_id, 'a', 40);
	memset(j[1].template_id, 'a', 40);
	strcpy(j[0].id, "dup");
	strcpy(j[1].id, "dup");
	assert_int_equal(output_prefixes(r, 2, p), 0);
	assert_int_equal(strlen(p[1]), 40);
	assert_string_equal(p[1] + 38, "_2");
	/* a third job whose template is exactly the second one's prefix */
	str_copy(j[2].template_id, sizeof(j[2].template_id), p[1]);
	strcpy(j[2].id, "other");
	char want_own[SUBJECT_MAX];
	memcpy(want_own, p[1], sizeof(want_own));
	assert_int_equal(output_prefixes(r, 3, p), 0);
	assert_string_not_equal(p[0], p[1]);
	assert_string_not_equal(p[0], p[2]);
	assert_string_not_equal(p[1], p[2]);
	assert_string_equal(p[2], want_own);  /* its own template, untouched */
	assert_string_equal(p[1] + 38, "_3"); /* "_2" is taken: the next number */
}

static void worst_state_unknown_ranks_below_warning(void **state)
{
	(void)state;
	add(J_UNKNOWN_CODE);
	add(J_NOT_CONFIGURED);
	render(0);
	assert_int_equal(R.st, STATE_WARNING);
	assert_true(strncmp(line(0), "ENTRA SYNC WARNING - 2 of 2 jobs not OK: scim.8888", 50) ==
	            0);
	assert_true(strncmp(line(2), "[UNKNOWN] scim.7777", 19) == 0);
}

static void labels_hold_only_letters_digits_and_underscores(void **state)
{
	(void)state;
	add("{\"id\":\"my app.1\",\"templateId\":\"my app\",\"status\":{\"code\":\"Active\"}}");
	add("{\"id\":\"o'neil.2\",\"templateId\":\"o'neil\",\"status\":{\"code\":\"Active\"}}");
	add("{\"id\":\"a=b.3\",\"templateId\":\"a=b\",\"status\":{\"code\":\"Active\"}}");
	render(0);
	assert_contains(line(0), " my_app_successive_failures=0;0;2;0 ");
	assert_contains(line(0), " o_neil_quarantine_series=0 ");
	assert_contains(line(0), " ");
	assert_null(strchr(line(0), '\''));
}

static void pipes_never_reach_text_or_labels(void **state)
{
	(void)state;
	add("{\"id\":\"x|y.1\",\"templateId\":\"x|y\",\"status\":{\"code\":\"Active\","
	    "\"lastExecution\":{\"state\":\"Failed\",\"timeEnded\":\"2026-03-01T11:00:00Z\","
	    "\"error\":{\"code\":\"E|1\","
	    "\"message\":\"bad | worse\\nline two\"}}}}");
	add(J_HEALTHY_CLOUD_SYNC);
	render(0);
	const char *first = line(0);
	assert_int_equal(strchr(first, '|'), strrchr(first, '|'));
	assert_contains(first, "");
	assert_contains(first, "E/1: bad / worse line two");
	assert_int_equal(count_lines(), 3);
	assert_null(strchr(line(1), '|'));
}

static void time_metric_is_never_negative_or_nan(void **state)
{
	(void)state;
	render(-3);
	assert_contains(R.text, "| time=0.000s\n");
	free(R.text);
	render(__builtin_nan(""));
	assert_contains(R.text, "| time=0.000s\n");
}

/* 200 service principals that could not be read beside a quarantined job,
 * in an NRPE version 2 packet (1023 bytes): the job's line stays, the error
 * lines fold into a count, and the output fits. */
static void unreadable_service_principals_fold_into_a_count(void **state)
{
	(void)state;
	enum { N_ERRS = 200 };
	static char ids[N_ERRS + 1][48];
	static struct report_sp sps[N_ERRS + 1];
	for (size_t k = 0; k <= N_ERRS; k++) {
		snprintf(ids[k], sizeof(ids[k]), "%08zx-0000-0000-0000-000000000000", k);
		sps[k] =
		    (struct report_sp){.id = ids[k], .error = k < N_ERRS ? "Graph HTTP 404" : NULL};
	}
	add(J_QUARANTINED_BOX);
	size_t len = 0;
	FILE *f = open_memstream(&R.text, &len);
	assert_non_null(f);
	struct output_options opt = {.max_bytes = 1023};
	struct run_facts facts = {.sps = sps, .n_sps = N_ERRS + 1};
	R.st = print_check(f, R.res, R.n, &opt, &facts);
	fclose(f);
	assert_int_equal(R.st, STATE_CRITICAL); /* CRITICAL beats the UNKNOWN of the others */
	assert_true(len <= 1023);
	assert_contains(line(0), "; 200 of 201 service principals not read");
	assert_true(strncmp(line(1), "[CRITICAL] ", 11) == 0);
	/* The detail is cut to 160 bytes; the room that frees takes back all
	 * seven metrics and as many error lines as fit: five of 81 bytes. */
	assert_int_equal(strlen(line(1)), 160);
	for (int k = 0; k < 5; k++) {
		char want[96];
		snprintf(
		    want, sizeof(want),
		    "[UNKNOWN] service principal %08x-0000-0000-0000-000000000000: Graph HTTP 404",
		    k);
		assert_string_equal(line(2 + k), want);
	}
	assert_string_equal(line(7), "[UNKNOWN] ... 195 more service principals not read, not "
	                             "shown to fit --max-output 1023");
	assert_int_equal(count_lines(), 8); /* no metric left out, so no note */
	assert_contains(line(0), " Box_quarantine_series=6 time=0.000s");
}

/* At the smallest budget not even one error line fits beside the job's:
 * the count line then says how many, not "N more". */
static void no_error_line_shown_is_counted_without_more(void **state)
{
	(void)state;
	/* long lines (the count line is shorter than either) */
	static const struct report_sp sps[] = {
	    {.id = "a",
	     .error = "Graph HTTP 404 Request_ResourceNotFound: Resource "
	              "'00000000-0000-0000-0000-00000000000a' does not exist or one of its queried "
	              "reference-property objects are not present."},
	    {.id = "b",
	     .error = "Graph HTTP 404 Request_ResourceNotFound: Resource "
	              "'00000000-0000-0000-0000-00000000000b' does not exist or one of its queried "
	              "reference-property objects are not present."},
	    {.id = "c"}};
	add(J_QUARANTINED_BOX);
	size_t len = 0;
	FILE *f = open_memstream(&R.text, &len);
	assert_non_null(f);
	struct output_options opt = {.max_bytes = OUTPUT_MAX_MIN};
	struct run_facts facts = {.sps = sps, .n_sps = 3};
	R.st = print_check(f, R.res, R.n, &opt, &facts);
	fclose(f);
	assert_true(len <= OUTPUT_MAX_MIN);
	assert_true(strncmp(line(1), "[CRITICAL] ", 11) == 0);
	assert_string_equal(line(2), "[UNKNOWN] 2 service principals not read, not shown to fit "
	                             "--max-output 512");
	assert_string_equal(line(3), "(5 of 7 metrics left out to fit --max-output 512)");
	assert_int_equal(count_lines(), 4);
}

static void status_line_is_cleaned(void **state)
{
	(void)state;
	size_t len = 0;
	FILE *f = open_memstream(&R.text, &len);
	format_status(f, NULL, STATE_UNKNOWN, "Graph 401 | UnknownError\nsecond", NULL);
	format_status(f, NULL, STATE_CRITICAL, NULL, "");
	fclose(f);
	assert_string_equal(R.text, "ENTRA SYNC UNKNOWN - Graph 401 / UnknownError second\n"
	                            "ENTRA SYNC CRITICAL - \n");
}

/* The metric of subject job (REPORT_RUN: the run) and name, or NULL. */
static const struct report_metric *metric_of(const struct report *rep, size_t job, const char *name)
{
	for (size_t i = 0; i < rep->n_metrics; i++)
		if (rep->metric[i].job == job && strcmp(rep->metric[i].name, name) == 0)
			return &rep->metric[i];
	return NULL;
}

/* What a writer of values finds in the report: the jobs worst first with
 * their facts and subjects, the metrics as numbers with unit, thresholds,
 * minimum and tier, subject and name apart, and words only in the lines. */
static void report_holds_the_metrics_as_values(void **state)
{
	(void)state;
	add(J_HEALTHY_CLOUD_SYNC);
	add(J_QUARANTINED_BOX);
	struct output_options opt = {.max_bytes = OUTPUT_MAX_DEFAULT};
	struct run_facts facts = {.http_seconds = 0.25};
	struct report rep = {0};
	struct err e = {0};
	assert_int_equal(output_check(&rep, R.res, R.n, &opt, &facts, &e), 0);
	assert_int_equal(rep.state, STATE_CRITICAL);
	assert_int_equal(rep.n_jobs, 2);
	assert_ptr_equal(rep.job[0].result, &R.res[1]); /* the quarantined job first */
	assert_string_equal(rep.job[0].subject, "Box");
	assert_string_equal(rep.job[1].subject, "AD2AADProvisioning");
	assert_int_equal(rep.n_lines, 2);
	assert_int_equal(rep.fold_from, 1);
	assert_int_equal(rep.line[0].state, STATE_CRITICAL);
	assert_string_equal(rep.line[1].name, "AD2AADProvisioning");
	assert_string_equal(rep.words.hidden, "jobs not OK");

	const struct report_metric *m = metric_of(&rep, 0, "quarantine_series");
	assert_non_null(m);
	assert_true(m->value == 6.0 && m->unit[0] == '\0' && m->tier == 2 && !m->ok);
	m = metric_of(&rep, 1, "last_success_age");
	assert_non_null(m);
	assert_true(m->value > 119.8 && m->value < 120.0); /* 11:58:00.123Z */
	assert_true(strcmp(m->unit, "s") == 0 && m->tier == 1 && m->ok);
	assert_ptr_equal(m->warn, &R.res[0].age_warn);
	assert_ptr_equal(m->crit, &R.res[0].age_crit);
	assert_true(m->has_min && m->min == 0.0);
	assert_null(metric_of(&rep, 0, "last_success_age")); /* never succeeded: no value */
	m = metric_of(&rep, REPORT_RUN, "time");
	assert_non_null(m);
	assert_true(m->value == 0.25 && m->decimals == 3 && m->warn == NULL && !m->has_min);
	report_free(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(healthy_cloud_sync_exact_output, reset),
	    cmocka_unit_test_teardown(quarantined_box_exact_first_line, reset),
	    cmocka_unit_test_teardown(quarantined_box_without_quarantine_error_exact_first_line,
	                              reset),
	    cmocka_unit_test_teardown(paused_doc_example_exact_first_line, reset),
	    cmocka_unit_test_teardown(new_job_with_empty_status_exact_first_line, reset),
	    cmocka_unit_test_teardown(disabled_schedule_exact_first_line, reset),
	    cmocka_unit_test_teardown(not_run_with_progress_exact_first_line, reset),
	    cmocka_unit_test_teardown(stale_active_job_exact_first_line, reset),
	    cmocka_unit_test_teardown(never_succeeded_exact_first_line, reset),
	    cmocka_unit_test_teardown(failed_last_run_exact_first_line, reset),
	    cmocka_unit_test_teardown(entry_level_errors_exact_first_line, reset),
	    cmocka_unit_test_teardown(unknown_code_exact_first_line, reset),
	    cmocka_unit_test_teardown(not_configured_exact_first_line, reset),
	    cmocka_unit_test_teardown(quarantine_without_start_time_has_unknown_age, reset),
	    cmocka_unit_test_teardown(escrow_thresholds_appear_in_perfdata, reset),
	    cmocka_unit_test_teardown(two_jobs_prefix_labels_with_template_ids, reset),
	    cmocka_unit_test_teardown(long_output_lists_worst_job_first, reset),
	    cmocka_unit_test_teardown(summary_names_worst_job_and_counts_the_others, reset),
	    cmocka_unit_test_teardown(equal_states_keep_graph_order, reset),
	    cmocka_unit_test_teardown(all_ok_jobs_say_so, reset),
	    cmocka_unit_test_teardown(colliding_template_ids_get_a_stable_suffix_from_the_job_id,
	                              reset),
	    cmocka_unit_test_teardown(worst_state_unknown_ranks_below_warning, reset),
	    cmocka_unit_test_teardown(labels_hold_only_letters_digits_and_underscores, reset),
	    cmocka_unit_test_teardown(
	        a_template_spelling_a_numbered_prefix_cannot_make_labels_collide, reset),
	    cmocka_unit_test_teardown(pipes_never_reach_text_or_labels, reset),
	    cmocka_unit_test_teardown(time_metric_is_never_negative_or_nan, reset),
	    cmocka_unit_test_teardown(unreadable_service_principals_fold_into_a_count, reset),
	    cmocka_unit_test_teardown(no_error_line_shown_is_counted_without_more, reset),
	    cmocka_unit_test_teardown(status_line_is_cleaned, reset),
	    cmocka_unit_test_teardown(report_holds_the_metrics_as_values, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
