/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The provisioning logs of a cycle: pages -> summary (objects, codes,
 * examples, what is not counted, the cap, hostile text), the cache entry
 * and its answering rule, the filter sent, the evaluation's thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "evaluate.h"
#include "graph_paths.h"
#include "provlog.h"
#include "provlog_cache.h"
#include "redact.h"

#define JOB   "scim.0123456789abcdef0123456789abcdef"
#define BEGAN 1772366400.0 /* 2026-03-01T12:00:00Z */
#define ENDED 1772367000.0 /* 12:10:00Z */

/* One event as Graph sends it (the documented failure example's shape,
 * trimmed to what is read). */
static void event(struct buf *b, const char *job, const char *when, const char *status,
                  const char *action, const char *code, const char *source_id, const char *reason)
{
	buf_printf(b,
	           "%s{\"id\":\"ev-%zu\",\"activityDateTime\":\"%s\",\"jobId\":\"%s\","
	           "\"provisioningAction\":\"%s\",\"sourceIdentity\":{\"id\":\"%s\","
	           "\"displayName\":\"Name of %s\",\"identityType\":\"User\",\"details\":{}},"
	           "\"targetIdentity\":{\"id\":\"\",\"displayName\":\"\"},"
	           "\"provisioningStatusInfo\":{\"status\":\"%s\",\"errorInformation\":"
	           "{\"errorCode\":\"%s\",\"reason\":\"%s\",\"additionalDetails\":null,"
	           "\"errorCategory\":\"nonServiceFailure\",\"recommendedAction\":null}}}",
	           b->len > 1 ? "," : "", b->len, when, job, action, source_id, source_id, status,
	           code, reason);
}

static struct json_object *page_of(struct buf *events, const char *next)
{
	struct buf page = {0};
	buf_printf(&page, "{\"value\":[%s]%s%s%s}", events->data ? events->data + 1 : "",
	           next ? ",\"@odata.nextLink\":\"" : "", next ? next : "", next ? "\"" : "");
	struct json_object *o = json_tokener_parse(page.data);
	assert_non_null(o);
	buf_free(&page);
	return o;
}

static void summarize(struct buf *events, struct provlog_summary *s)
{
	struct provlog_acc *a = provlog_acc_new(PROVLOG_FAILURES, JOB, BEGAN, ENDED);
	assert_non_null(a);
	struct json_object *p = page_of(events, NULL);
	char *next = NULL;
	assert_int_equal(provlog_acc_page(a, p, &next, NULL), 0);
	assert_null(next);
	assert_int_equal(provlog_acc_summary(a, NULL, NULL, s), 0);
	json_object_put(p);
	provlog_acc_free(a);
}

static void objects_are_distinct_sources_and_codes_rank_by_objects(void **state)
{
	(void)state;
	struct buf ev = {0};
	buf_puts(&ev, "[");
	/* u1 fails twice with A: one object; A has 2 objects, B 3 */
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "A", "u1", "r-a1");
	event(&ev, JOB, "2026-03-01T12:02:00Z", "failure", "update", "A", "u1", "r-a1b");
	event(&ev, JOB, "2026-03-01T12:03:00Z", "failure", "create", "A", "u2", "r-a2");
	for (int i = 0; i < 3; i++) {
		char id[8];
		snprintf(id, sizeof(id), "b%d", i);
		event(&ev, JOB, "2026-03-01T12:04:00Z", "failure", "create", "B", id, "r-b");
	}
	struct provlog_summary s;
	summarize(&ev, &s);
	assert_int_equal(s.events, 6);
	assert_int_equal(s.objects, 5);
	assert_int_equal(s.codes, 2);
	assert_int_equal(s.n_top, 2);
	assert_string_equal(s.top[0].code, "B");
	assert_int_equal(s.top[0].objects, 3);
	assert_string_equal(s.top[1].code, "A");
	assert_int_equal(s.top[1].objects, 2);
	assert_int_equal(s.top[1].events, 3);
	/* the first event read with A is its example */
	assert_string_equal(s.top[1].example.id, "u1");
	assert_string_equal(s.top[1].example.name, "Name of u1");
	assert_string_equal(s.top[1].example.type, "User");
	assert_string_equal(s.top[1].reason, "r-a1");
	assert_string_equal(s.top[1].category, "nonServiceFailure");
	assert_false(s.capped);
	buf_free(&ev);
}

/* Codes that show alike are one code: two would be two samples of one
 * Prometheus series (code="X"), which a collector refuses. */
static void codes_that_show_alike_are_one_code(void **state)
{
	(void)state;
	struct buf ev = {0};
	buf_puts(&ev, "[");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "X", "u1", "r");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "X ", "u2", "r");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "X\\u200b", "u3", "r");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "\\u0001X", "u4", "r");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "Y", "u5", "r");
	struct provlog_summary s;
	summarize(&ev, &s);
	assert_int_equal(s.objects, 5);
	assert_int_equal(s.codes, 2);
	assert_int_equal(s.n_top, 2);
	assert_string_equal(s.top[0].code, "X");
	assert_int_equal(s.top[0].objects, 4);
	assert_string_equal(s.top[1].code, "Y");
	buf_free(&ev);
}

static void other_jobs_statuses_and_cycles_are_not_counted(void **state)
{
	(void)state;
	struct buf ev = {0};
	buf_puts(&ev, "[");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "A", "u1", "");
	event(&ev, "scim.other", "2026-03-01T12:01:00Z", "failure", "create", "A", "u2", "");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "success", "create", "A", "u3", "");
	event(&ev, JOB, "2026-03-01T11:00:00Z", "failure", "create", "A", "u4", "");
	event(&ev, JOB, "2026-03-01T12:10:45Z", "failure", "create", "A", "u5", "");
	event(&ev, JOB, "2026-03-01T13:00:00Z", "failure", "create", "A", "u6", "");
	/* job ids compare without regard to case; status too */
	event(&ev, "SCIM.0123456789ABCDEF0123456789ABCDEF", "2026-03-01T12:05:00Z", "Failure",
	      "create", "A", "u7", "");
	struct provlog_summary s;
	summarize(&ev, &s);
	/* u1, u5 (within a minute of the end) and u7 */
	assert_int_equal(s.objects, 3);
	buf_free(&ev);
}

static void pages_are_followed_and_the_cap_says_at_least(void **state)
{
	(void)state;
	struct provlog_acc *a = provlog_acc_new(PROVLOG_FAILURES, JOB, BEGAN, ENDED);
	unsigned pages = 0;
	char *next = NULL;
	do {
		free(next);
		next = NULL;
		struct buf ev = {0};
		buf_puts(&ev, "[");
		for (int i = 0; i < 400; i++) {
			char id[16];
			snprintf(id, sizeof(id), "p%u-%d", pages, i);
			event(&ev, JOB, "2026-03-01T12:05:00Z", "failure", "create", "Flood", id,
			      "");
		}
		struct json_object *p = page_of(&ev, "https://graph.example/next");
		assert_int_equal(provlog_acc_page(a, p, &next, NULL), 0);
		json_object_put(p);
		buf_free(&ev);
		pages++;
	} while (next != NULL && pages < 10);
	assert_int_equal(pages, 3); /* 400 + 400 + 200 of the third */
	struct provlog_summary s;
	assert_int_equal(provlog_acc_summary(a, NULL, NULL, &s), 0);
	assert_int_equal(s.objects, PROVLOG_EVENTS_MAX);
	assert_true(s.capped);
	provlog_acc_free(a);
}

static void malformed_pages_are_errors_and_odd_events_are_skipped(void **state)
{
	(void)state;
	const char *bad[] = {"[]", "{\"value\":{}}", "{}", "{\"value\":[],\"@odata.nextLink\":5}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct provlog_acc *a = provlog_acc_new(PROVLOG_FAILURES, JOB, BEGAN, ENDED);
		struct json_object *p = json_tokener_parse(bad[i]);
		char *next = NULL;
		struct err e = {0};
		assert_int_equal(provlog_acc_page(a, p, &next, &e), -1);
		assert_int_equal(e.kind, ERR_PARSE);
		json_object_put(p);
		provlog_acc_free(a);
	}
	/* events that are not objects, or with wrong types, count as far as they can */
	struct provlog_acc *a = provlog_acc_new(PROVLOG_FAILURES, JOB, BEGAN, ENDED);
	struct json_object *p = json_tokener_parse(
	    "{\"value\":[1,null,\"x\",{\"jobId\":\"" JOB "\",\"provisioningStatusInfo\":"
	    "{\"status\":\"failure\",\"errorInformation\":{\"errorCode\":7}},"
	    "\"sourceIdentity\":[],\"activityDateTime\":false}]}");
	char *next = NULL;
	assert_int_equal(provlog_acc_page(a, p, &next, NULL), 0);
	struct provlog_summary s;
	assert_int_equal(provlog_acc_summary(a, NULL, NULL, &s), 0);
	assert_int_equal(s.objects, 1);
	assert_string_equal(s.top[0].code, "");
	json_object_put(p);
	provlog_acc_free(a);
}

static void staged_deletes_count_stageddelete_actions(void **state)
{
	(void)state;
	struct provlog_acc *a = provlog_acc_new(PROVLOG_STAGED_DELETES, JOB, BEGAN, ENDED);
	struct buf ev = {0};
	buf_puts(&ev, "[");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "skipped", "stagedDelete", "", "d1", "");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "skipped", "StagedDelete", "", "d2", "");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "skipped", "stagedDelete", "", "d1", "");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "success", "delete", "", "d3", "");
	struct json_object *p = page_of(&ev, NULL);
	char *next = NULL;
	assert_int_equal(provlog_acc_page(a, p, &next, NULL), 0);
	bool capped = true;
	assert_int_equal(provlog_acc_objects(a, &capped), 2);
	assert_false(capped);
	json_object_put(p);
	buf_free(&ev);
	provlog_acc_free(a);
}

static char *scrub_with(const char *s, size_t len, size_t max, const void *ctx)
{
	const char *const *secrets = ctx;
	return redact_scrubbed_prefix(s, len, max, secrets, 1);
}

static void hostile_text_is_scrubbed_before_it_is_cut(void **state)
{
	(void)state;
	const char *token = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJtZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
	struct buf reason = {0};
	/* the token straddles the cut: no piece of it may survive */
	for (int i = 0; i < PROVLOG_REASON_MAX - 20; i++)
		buf_puts(&reason, "x");
	buf_printf(&reason, " %s \\u202e|\\u0007\\\"quoted\\\"", token);
	struct buf ev = {0};
	buf_puts(&ev, "[");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "Bad|Code\\u2066", "u1",
	      reason.data);
	struct provlog_acc *a = provlog_acc_new(PROVLOG_FAILURES, JOB, BEGAN, ENDED);
	struct json_object *p = page_of(&ev, NULL);
	char *next = NULL;
	assert_int_equal(provlog_acc_page(a, p, &next, NULL), 0);
	struct provlog_summary s;
	const char *secrets[] = {token};
	assert_int_equal(provlog_acc_summary(a, scrub_with, secrets, &s), 0);
	assert_null(strstr(s.top[0].reason, "eyJ0eXAi"));
	assert_null(strstr(s.top[0].reason, "eyJ"));
	assert_null(strchr(s.top[0].reason, '|'));
	assert_null(strstr(s.top[0].reason, "\xe2\x80\xae"));
	assert_true(strlen(s.top[0].reason) < PROVLOG_REASON_MAX);
	assert_string_equal(s.top[0].code, "Bad/Code");
	json_object_put(p);
	provlog_acc_free(a);
	buf_free(&ev);
	buf_free(&reason);
}

static void a_100_kb_reason_is_kept_bounded(void **state)
{
	(void)state;
	struct buf reason = {0};
	for (int i = 0; i < 100000; i++)
		buf_puts(&reason, i % 7 ? "y" : " ");
	struct buf ev = {0};
	buf_puts(&ev, "[");
	event(&ev, JOB, "2026-03-01T12:01:00Z", "failure", "create", "Long", "u1", reason.data);
	struct provlog_summary s;
	summarize(&ev, &s);
	assert_true(strlen(s.top[0].reason) < PROVLOG_REASON_MAX);
	assert_non_null(strstr(s.top[0].reason, "..."));
	buf_free(&ev);
	buf_free(&reason);
}

/* ---- the cache entry ---- */

static void fill_entry(struct provlog_entry *c)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(provlog_job_hash(JOB, c->job), 0);
	c->began = BEGAN + 0.123;
	c->ended = ENDED;
	c->read_at = ENDED + 3600;
	c->status = PROVLOG_KNOWN;
	c->summary.events = 9;
	c->summary.objects = 7;
	c->summary.codes = 2;
	c->summary.n_top = 1;
	c->summary.staged_read = true;
	c->summary.staged = 4;
	struct provlog_code *k = &c->summary.top[0];
	strcpy(k->code, "A");
	strcpy(k->category, "nonServiceFailure");
	strcpy(k->reason, "reason = with = signs");
	strcpy(k->example.type, "User");
	strcpy(k->example.name, "Jane");
	strcpy(k->example.id, "u1");
	k->objects = 5;
	k->events = 6;
}

static void entry_text_round_trips(void **state)
{
	(void)state;
	struct provlog_entry c, back;
	fill_entry(&c);
	char *text = provlog_entry_format(&c);
	assert_non_null(text);
	assert_int_equal(provlog_entry_parse(text, strlen(text), &back), 0);
	assert_string_equal(back.job, c.job);
	assert_true(back.began == BEGAN + 0.123 && back.ended == ENDED);
	assert_int_equal(back.summary.objects, 7);
	assert_true(back.summary.staged_read);
	assert_int_equal(back.summary.staged, 4);
	assert_string_equal(back.summary.top[0].reason, "reason = with = signs");
	assert_int_equal(back.summary.top[0].events, 6);
	/* any line missing or changed in kind is a broken entry */
	for (size_t cut = 0; cut < strlen(text); cut += 7)
		assert_int_equal(provlog_entry_parse(text, cut, &back), -1);
	free(text);
}

/* A fuzz finding: a read_at of 15 digits parsed, and the entry could not
 * be written again. What parses must be what format writes. */
static void an_epoch_format_would_refuse_is_refused(void **state)
{
	(void)state;
	struct provlog_entry c, back;
	fill_entry(&c);
	char *text = provlog_entry_format(&c);
	char read_at[32];
	snprintf(read_at, sizeof(read_at), "read_at=%lld\n", (long long)c.read_at);
	char *at = strstr(text, read_at);
	assert_non_null(at);
	struct buf forged = {0};
	buf_append(&forged, text, (size_t)(at - text));
	buf_printf(&forged, "read_at=179601796003600\n%s", at + strlen(read_at));
	assert_int_equal(provlog_entry_parse(forged.data, forged.len, &back), -1);
	buf_free(&forged);
	free(text);
}

static void a_newline_in_a_text_cannot_forge_a_field(void **state)
{
	(void)state;
	struct provlog_entry c, back;
	fill_entry(&c);
	strcpy(c.summary.top[0].reason, "x\nobjects=999999\nend");
	char *text = provlog_entry_format(&c);
	assert_int_equal(provlog_entry_parse(text, strlen(text), &back), 0);
	assert_int_equal(back.summary.top[0].objects, 5);
	free(text);
}

static void an_entry_answers_for_its_cycle_while_it_should(void **state)
{
	(void)state;
	struct provlog_entry c;
	fill_entry(&c);
	/* read an hour after the end: final, whatever its age */
	assert_true(provlog_entry_answers(&c, BEGAN + 0.123, ENDED, ENDED + 30 * 86400.0));
	/* another cycle */
	assert_false(provlog_entry_answers(&c, BEGAN, ENDED, ENDED + 3700));
	assert_false(provlog_entry_answers(&c, BEGAN + 0.123, ENDED + 1, ENDED + 3700));
	/* read a minute after the end: ten minutes, then no more */
	c.read_at = ENDED + 60;
	assert_true(provlog_entry_answers(&c, BEGAN + 0.123, ENDED, ENDED + 60 + 599));
	assert_false(provlog_entry_answers(&c, BEGAN + 0.123, ENDED, ENDED + 60 + 601));
	/* a running cycle: ten minutes */
	c.ended = 0;
	c.read_at = BEGAN + 100;
	assert_true(provlog_entry_answers(&c, BEGAN + 0.123, 0, BEGAN + 699));
	assert_false(provlog_entry_answers(&c, BEGAN + 0.123, 0, BEGAN + 701));
	/* read in the future: the clock went back */
	assert_false(provlog_entry_answers(&c, BEGAN + 0.123, 0, BEGAN - 400));
	/* a refusal answers for no cycle */
	c.status = PROVLOG_NO_PERMISSION;
	assert_false(provlog_entry_answers(&c, BEGAN + 0.123, 0, BEGAN + 200));
}

/* ---- the filter, and the thresholds ---- */

static void the_filter_keeps_to_the_documented_operators(void **state)
{
	(void)state;
	char *f = graph_provisioning_filter(PROVLOG_FAILURES, "sc'im.1", BEGAN + 0.5, ENDED + 0.25);
	assert_string_equal(f,
	                    "jobId eq 'sc''im.1' and provisioningStatusInfo/status eq 'failure' "
	                    "and activityDateTime gt 2026-03-01T11:59:59Z and activityDateTime lt "
	                    "2026-03-01T12:11:02Z");
	free(f);
	f = graph_provisioning_filter(PROVLOG_STAGED_DELETES, "j", BEGAN, 0);
	assert_string_equal(f, "jobId eq 'j' and provisioningAction eq 'stagedDelete' and "
	                       "activityDateTime gt 2026-03-01T11:59:59Z");
	free(f);
}

static void failed_objects_pass_thresholds_only_when_known(void **state)
{
	(void)state;
	struct sync_job job = {0};
	strcpy(job.id, JOB);
	job.status = JOB_ACTIVE;
	job.status_code_present = true;
	strcpy(job.status_code, "Active");
	job.last_execution.present = true;
	job.last_execution.result = RUN_ENTRY_LEVEL_ERRORS;
	job.last_execution.has_count_escrowed = true;
	job.last_execution.count_escrowed = 3;
	struct eval_config cfg;
	eval_config_init(&cfg);
	struct job_context ctx = {.now = ENDED + 60};
	struct job_result r;
	evaluate_job(&job, &cfg, &ctx, &r);
	assert_int_equal(r.state, STATE_OK);
	assert_true(evaluate_wants_object_errors(&r));
	struct provlog_result o = {.status = PROVLOG_KNOWN};
	o.summary.objects = 12;
	evaluate_object_errors(&r, &o, &cfg);
	assert_int_equal(r.state, STATE_OK); /* no threshold: no change */
	assert_int_equal(range_parse("10", false, &cfg.objects_warn, NULL), 0);
	evaluate_job(&job, &cfg, &ctx, &r);
	evaluate_object_errors(&r, &o, &cfg);
	assert_int_equal(r.state, STATE_WARNING);
	assert_non_null(result_finding(&r, FINDING_OBJECT_ERRORS));
	/* logs not read: no finding, whatever the threshold */
	o.status = PROVLOG_NO_PERMISSION;
	evaluate_job(&job, &cfg, &ctx, &r);
	evaluate_object_errors(&r, &o, &cfg);
	assert_int_equal(r.state, STATE_OK);
	/* a healthy job without escrows is not read at all */
	job.last_execution.result = RUN_SUCCEEDED;
	job.last_execution.count_escrowed = 0;
	evaluate_job(&job, &cfg, &ctx, &r);
	assert_false(evaluate_wants_object_errors(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(objects_are_distinct_sources_and_codes_rank_by_objects),
	    cmocka_unit_test(codes_that_show_alike_are_one_code),
	    cmocka_unit_test(other_jobs_statuses_and_cycles_are_not_counted),
	    cmocka_unit_test(pages_are_followed_and_the_cap_says_at_least),
	    cmocka_unit_test(malformed_pages_are_errors_and_odd_events_are_skipped),
	    cmocka_unit_test(staged_deletes_count_stageddelete_actions),
	    cmocka_unit_test(hostile_text_is_scrubbed_before_it_is_cut),
	    cmocka_unit_test(a_100_kb_reason_is_kept_bounded),
	    cmocka_unit_test(entry_text_round_trips),
	    cmocka_unit_test(an_epoch_format_would_refuse_is_refused),
	    cmocka_unit_test(a_newline_in_a_text_cannot_forge_a_field),
	    cmocka_unit_test(an_entry_answers_for_its_cycle_while_it_should),
	    cmocka_unit_test(the_filter_keeps_to_the_documented_operators),
	    cmocka_unit_test(failed_objects_pass_thresholds_only_when_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
