/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --directory-sync (man page: DIRECTORY SYNC): the Graph JSON, the table of
 * states (never, turned off, ages against the effective interval, password
 * hash sync, deletion prevention), overrides, and the words and perfdata.
 * All at NOW = 2026-03-01T12:00:00Z. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dirsync_output.h"
#include "fixtures.h"

/* An ISO time `ago` seconds before NOW, as a JSON value. */
static const char *at(double ago, char *buf, size_t n)
{
	time_t t = (time_t)(NOW - ago);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
	return buf;
}

struct tenant {
	const char *enabled;     /* "true", "false", "null", or NULL: member missing */
	double sync_ago;         /* < 0: null */
	double password_ago;     /* < 0: null; */
	bool password_field;     /* onPremisesLastPasswordSyncDateTime sent (beta) */
	const char *password_on; /* features.passwordSyncEnabled: "true", "false", NULL missing */
	const char *interval;    /* JSON value, or NULL: member missing (v1.0) */
	const char *customer;    /* JSON value, or NULL: member missing */
	const char *prevention;  /* JSON value of synchronizationPreventionType, NULL missing */
};

static struct tenant healthy(void)
{
	return (struct tenant){.enabled = "true",
	                       .sync_ago = 900,
	                       .password_ago = 120,
	                       .password_field = true,
	                       .password_on = "true",
	                       .interval = "\"PT30M\"",
	                       .customer = "null",
	                       .prevention = "\"enabledForCount\""};
}

struct dscase {
	struct dirsync_data d;
	struct dirsync_result r;
	struct eval_config cfg;
	struct state_override ov[4];
	char summary[512];
};

static struct dscase R;

static void cfg_reset(void)
{
	memset(&R, 0, sizeof(R));
	eval_config_init(&R.cfg);
	R.cfg.overrides = R.ov;
}

static void override(const char *key, enum state st)
{
	str_copy(R.ov[R.cfg.n_overrides].key, sizeof(R.ov[0].key), key);
	R.ov[R.cfg.n_overrides++].state = st;
}

static void thresholds(const char *w, const char *c)
{
	struct err e = {0};
	if (w != NULL)
		assert_int_equal(range_parse(w, true, &R.cfg.age_warn, &e), 0);
	if (c != NULL)
		assert_int_equal(range_parse(c, true, &R.cfg.age_crit, &e), 0);
}

static void load(const struct tenant *t, struct dirsync_data *d)
{
	char org[1024], sync[1024], s[40], p[40];
	int n = snprintf(org, sizeof(org), "{\"value\":[{\"id\":\"t\"");
	if (t->enabled != NULL)
		n +=
		    snprintf(org + n, sizeof(org) - n, ",\"onPremisesSyncEnabled\":%s", t->enabled);
	n += snprintf(org + n, sizeof(org) - n, ",\"onPremisesLastSyncDateTime\":%s",
	              t->sync_ago < 0 ? "null" : at(t->sync_ago, s, sizeof(s)));
	if (t->password_field)
		n +=
		    snprintf(org + n, sizeof(org) - n, ",\"onPremisesLastPasswordSyncDateTime\":%s",
		             t->password_ago < 0 ? "null" : at(t->password_ago, p, sizeof(p)));
	snprintf(org + n, sizeof(org) - n, "}]}");

	n = snprintf(sync, sizeof(sync), "{\"value\":[{\"id\":\"t\",\"configuration\":{");
	n += snprintf(sync + n, sizeof(sync) - n, "\"accidentalDeletionPrevention\":{");
	if (t->prevention != NULL)
		n += snprintf(sync + n, sizeof(sync) - n, "\"synchronizationPreventionType\":%s,",
		              t->prevention);
	n += snprintf(sync + n, sizeof(sync) - n, "\"alertThreshold\":500}");
	if (t->interval != NULL)
		n += snprintf(sync + n, sizeof(sync) - n, ",\"synchronizationInterval\":%s",
		              t->interval);
	if (t->customer != NULL)
		n += snprintf(sync + n, sizeof(sync) - n,
		              ",\"customerRequestedSynchronizationInterval\":%s", t->customer);
	n +=
	    snprintf(sync + n, sizeof(sync) - n, "},\"features\":{\"groupWriteBackEnabled\":false");
	if (t->password_on != NULL)
		n += snprintf(sync + n, sizeof(sync) - n, ",\"passwordSyncEnabled\":%s",
		              t->password_on);
	snprintf(sync + n, sizeof(sync) - n, "}}]}");

	struct json_object *o = json_tokener_parse(org), *y = json_tokener_parse(sync);
	assert_non_null(o);
	assert_non_null(y);
	struct err e = {0};
	assert_int_equal(dirsync_from_json(o, y, d, &e), 0);
	json_object_put(o);
	json_object_put(y);
}

static void judge(const struct tenant *t)
{
	load(t, &R.d);
	dirsync_evaluate(&R.d, &R.cfg, NOW, &R.r);
	struct buf b = {0};
	output_dirsync_summary(&R.r, &b);
	str_copy(R.summary, sizeof(R.summary), b.data ? b.data : "");
	buf_free(&b);
}

/* ---- whether the tenant synchronizes ---- */

static void never_enabled_is_unknown_not_enabled(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.enabled = "null";
	t.sync_ago = -1;
	judge(&t);
	assert_int_equal(R.r.state, STATE_UNKNOWN);
	assert_int_equal(R.r.sync, DIRSYNC_NEVER);
	assert_string_equal(R.summary, "directory synchronization is not enabled");
	assert_int_equal(R.r.n_findings, 1); /* nothing else is judged */
}

static void never_enabled_can_be_made_ok(void **state)
{
	(void)state;
	cfg_reset();
	override("sync:never", STATE_OK);
	struct tenant t = healthy();
	t.enabled = "null";
	judge(&t);
	assert_int_equal(R.r.state, STATE_OK);
	assert_string_equal(R.summary, "directory synchronization is not enabled");
}

static void turned_off_after_syncing_is_critical(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.enabled = "false";
	t.sync_ago = 40 * 86400;
	t.password_ago = 40 * 86400;
	t.prevention = "\"disabled\"";
	judge(&t);
	assert_int_equal(R.r.state, STATE_CRITICAL);
	assert_int_equal(R.r.sync, DIRSYNC_DISABLED);
	assert_int_equal(R.r.n_findings, 1); /* ages and prevention are not judged */
	assert_string_equal(R.summary, "directory synchronization turned off, last sync 40d ago");
}

static void turned_off_override_lowers_it(void **state)
{
	(void)state;
	cfg_reset();
	override("SYNC:Disabled", STATE_WARNING);
	struct tenant t = healthy();
	t.enabled = "false";
	judge(&t);
	assert_int_equal(R.r.state, STATE_WARNING);
}

static void missing_sync_flag_is_unknown(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.enabled = NULL;
	judge(&t);
	assert_int_equal(R.r.state, STATE_UNKNOWN);
	assert_int_equal(R.r.sync, DIRSYNC_UNREPORTED);
	assert_contains(R.summary, "did not say whether directory synchronization is enabled");
}

static void healthy_tenant_is_ok_with_interval_thresholds(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	judge(&t);
	assert_int_equal(R.r.state, STATE_OK);
	assert_int_equal(R.r.n_findings, 0);
	assert_true(R.r.interval == 1800);
	assert_int_equal(R.r.interval_source, INTERVAL_CONFIGURED);
	assert_string_equal(R.r.warn.text, "5400");
	assert_string_equal(R.r.crit.text, "10800");
	assert_true(R.r.sync_age == 900);
	assert_int_equal(R.r.password, PASSWORD_JUDGED);
	assert_true(R.r.password_age == 120);
	assert_string_equal(
	    R.summary, "directory sync: last sync 15m ago (every 30m), password hash sync 2m ago");
}

/* ---- the age of the last sync ---- */

static void sync_older_than_three_intervals_warns_six_is_critical(void **state)
{
	(void)state;
	struct tenant t = healthy();
	double ages[] = {5400, 5401, 10800, 10801};
	enum state want[] = {STATE_OK, STATE_WARNING, STATE_WARNING, STATE_CRITICAL};
	for (size_t i = 0; i < 4; i++) {
		cfg_reset();
		t.sync_ago = ages[i];
		judge(&t);
		assert_int_equal(R.r.state, want[i]);
	}
	assert_string_equal(R.summary, "last directory sync 3h ago (> 3h)");
}

static void customer_requested_interval_wins(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.customer = "\"PT1H\"";
	t.sync_ago = 6000; /* stale against PT30M, fresh against PT1H */
	t.password_ago = 5900;
	judge(&t);
	assert_int_equal(R.r.state, STATE_OK);
	assert_int_equal(R.r.interval_source, INTERVAL_CUSTOMER);
	assert_true(R.r.interval == 3600);
	assert_string_equal(R.r.warn.text, "10800");
	assert_string_equal(R.r.crit.text, "21600");
}

static void unreadable_customer_interval_falls_back_and_says_so(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.customer = "\"P1Y\"";
	t.sync_ago = 6000;
	judge(&t);
	assert_int_equal(R.r.interval_source, INTERVAL_CONFIGURED);
	assert_true(R.r.interval_unreadable);
	assert_int_equal(R.r.state, STATE_WARNING);
}

static void without_intervals_30_minutes_are_assumed(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.interval = NULL; /* v1.0 carries neither */
	t.customer = NULL;
	t.sync_ago = 5401;
	judge(&t);
	assert_int_equal(R.r.interval_source, INTERVAL_DEFAULT);
	assert_true(R.r.interval_unavailable);
	assert_true(R.r.interval == 1800);
	assert_int_equal(R.r.state, STATE_WARNING);
	cfg_reset();
	t.interval = "null";
	t.customer = "null";
	judge(&t);
	assert_int_equal(R.r.interval_source, INTERVAL_DEFAULT);
	assert_false(R.r.interval_unavailable);
	assert_false(R.r.interval_unreadable);
}

static void zero_or_disabled_interval_is_not_an_interval(void **state)
{
	(void)state;
	const char *odd[] = {"\"PT0S\"", "\"P10675199DT2H48M5.4775807S\"", "1800", "\"\""};
	for (size_t i = 0; i < 4; i++) {
		cfg_reset();
		struct tenant t = healthy();
		t.interval = odd[i];
		judge(&t);
		assert_int_equal(R.r.interval_source, INTERVAL_DEFAULT);
		assert_true(R.r.interval == 1800);
	}
}

static void warning_and_critical_options_replace_the_interval(void **state)
{
	(void)state;
	cfg_reset();
	thresholds("10m", "20m");
	struct tenant t = healthy();
	t.sync_ago = 900;
	t.password_ago = 1500;
	judge(&t);
	assert_true(R.r.thresholds_given);
	assert_string_equal(R.r.warn.text, "600");
	assert_int_equal(R.r.state, STATE_CRITICAL);
	assert_int_equal(R.r.findings[0].kind, DSF_PASSWORD_AGE);
	assert_int_equal(R.r.findings[1].kind, DSF_SYNC_AGE);
	assert_string_equal(R.summary, "last password hash sync 25m ago (> 20m); last directory "
	                               "sync 15m ago (> 10m)");
	cfg_reset();
	thresholds(NULL, "1h"); /* -c alone: no warning threshold */
	t.password_ago = 60;
	judge(&t);
	assert_false(R.r.warn.set);
	assert_int_equal(R.r.state, STATE_OK);
}

static void enabled_without_a_last_sync_time_warns(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.sync_ago = -1;
	judge(&t);
	assert_int_equal(R.r.state, STATE_WARNING);
	assert_non_null(dirsync_finding(&R.r, DSF_SYNC_NO_TIME));
}

/* A healthy tenant whose last sync Graph says happened at when. */
static void synced_at(double when)
{
	cfg_reset();
	struct tenant t = healthy();
	t.sync_ago = -1;
	load(&t, &R.d);
	R.d.last_sync.valid = TIME_VALID;
	R.d.last_sync.t = when;
	dirsync_evaluate(&R.d, &R.cfg, NOW, &R.r);
}

static void a_sync_time_just_ahead_is_age_zero(void **state)
{
	(void)state;
	synced_at(NOW + 120); /* clocks drift by a minute or two */
	assert_true(R.r.sync_age == 0);
	assert_int_equal(R.r.state, STATE_OK);
}

static void a_sync_time_far_ahead_is_no_time(void **state)
{
	(void)state;
	synced_at(253402300799.0); /* 9999-12-31T23:59:59Z */
	assert_false(R.r.sync_age_known);
	assert_true(R.r.sync_ahead);
	assert_int_equal(R.r.state, STATE_WARNING);
	assert_non_null(dirsync_finding(&R.r, DSF_SYNC_NO_TIME));
	struct buf b = {0};
	output_dirsync_summary(&R.r, &b);
	assert_non_null(strstr(b.data, "9999-12-31 23:59:59Z lies ahead of this machine's clock"));
	buf_free(&b);
}

static void a_password_sync_time_far_ahead_is_no_time(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.sync_ago = 600;
	t.password_ago = 120;
	load(&t, &R.d);
	R.d.last_password_sync.t = NOW + 7200;
	dirsync_evaluate(&R.d, &R.cfg, NOW, &R.r);
	assert_true(R.r.password_ahead);
	assert_int_equal(R.r.state, STATE_WARNING);
	assert_non_null(dirsync_finding(&R.r, DSF_PASSWORD_NONE));
}

/* ---- password hash sync ---- */

static void stale_password_hash_sync_is_judged_like_the_sync(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.sync_ago = 600;
	t.password_ago = 93600;
	judge(&t);
	assert_int_equal(R.r.state, STATE_CRITICAL);
	assert_string_equal(R.summary, "last password hash sync 1d 2h ago (> 3h)");
	cfg_reset();
	t.password_ago = 6000;
	judge(&t);
	assert_int_equal(R.r.state, STATE_WARNING);
}

static void password_hash_sync_on_without_a_run_warns(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.password_ago = -1;
	judge(&t);
	assert_int_equal(R.r.state, STATE_WARNING);
	assert_string_equal(R.summary, "password hash sync on but no run reported");
}

static void password_hash_sync_off_is_not_judged(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.password_on = "false";
	t.password_ago = 999999;
	judge(&t);
	assert_int_equal(R.r.password, PASSWORD_OFF);
	assert_int_equal(R.r.state, STATE_OK);
}

static void password_time_missing_on_v1_is_not_judged(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.password_field = false;
	judge(&t);
	assert_int_equal(R.r.password, PASSWORD_NO_TIME);
	assert_int_equal(R.r.state, STATE_OK);
	cfg_reset();
	t.password_on = NULL;
	judge(&t);
	assert_int_equal(R.r.password, PASSWORD_UNREPORTED);
}

/* ---- accidental deletion prevention ---- */

static void deletion_prevention_disabled_warns(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.prevention = "\"disabled\"";
	judge(&t);
	assert_int_equal(R.r.state, STATE_WARNING);
	assert_string_equal(R.summary, "accidental deletion prevention disabled");
	cfg_reset();
	t.prevention = "\"Disabled\""; /* enums are matched case-insensitively */
	judge(&t);
	assert_int_equal(R.r.state, STATE_WARNING);
}

static void deletion_prevention_override(void **state)
{
	(void)state;
	cfg_reset();
	override("deletion-prevention:disabled", STATE_OK);
	struct tenant t = healthy();
	t.prevention = "\"disabled\"";
	judge(&t);
	assert_int_equal(R.r.state, STATE_OK);
	cfg_reset();
	override("deletion-prevention:disabled", STATE_CRITICAL);
	judge(&t);
	assert_int_equal(R.r.state, STATE_CRITICAL);
}

static void deletion_prevention_kinds(void **state)
{
	(void)state;
	const char *types[] = {"\"enabledForCount\"", "\"enabledForPercentage\"",
	                       "\"enabledForVibes\"", NULL};
	enum state want[] = {STATE_OK, STATE_OK, STATE_WARNING, STATE_OK};
	for (size_t i = 0; i < 4; i++) {
		cfg_reset();
		struct tenant t = healthy();
		t.prevention = types[i];
		judge(&t);
		assert_int_equal(R.r.state, want[i]);
	}
	assert_int_equal(R.d.prevention, PREVENTION_ABSENT);
	cfg_reset();
	struct tenant t = healthy();
	t.prevention = "\"enabledForVibes\"";
	judge(&t);
	assert_string_equal(
	    R.summary, "accidental deletion prevention 'enabledForVibes' (unknown to this plugin)");
}

static void worst_finding_comes_first(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.prevention = "\"disabled\"";
	t.sync_ago = 20000;
	judge(&t);
	assert_int_equal(R.r.state, STATE_CRITICAL);
	assert_int_equal(R.r.n_findings, 2);
	assert_int_equal(R.r.findings[0].kind, DSF_SYNC_AGE);
	assert_string_equal(R.summary, "last directory sync 5h 33m ago (> 3h); accidental deletion "
	                               "prevention disabled");
}

/* ---- the JSON ---- */

static int parse_pair(const char *org, const char *sync, struct dirsync_data *d, struct err *e)
{
	struct json_object *o = json_tokener_parse(org), *y = json_tokener_parse(sync);
	assert_non_null(o);
	assert_non_null(y);
	int rc = dirsync_from_json(o, y, d, e);
	json_object_put(o);
	json_object_put(y);
	return rc;
}

static void wrong_shapes_are_refused(void **state)
{
	(void)state;
	struct dirsync_data d;
	struct err e = {0};
	const char *ok_sync = "{\"value\":[{}]}";
	assert_int_equal(parse_pair("{\"value\":[]}", ok_sync, &d, &e), -1);
	assert_contains(e.msg, "holds no organization");
	assert_int_equal(
	    parse_pair("{\"value\":[{\"onPremisesSyncEnabled\":\"yes\"}]}", ok_sync, &d, &e), -1);
	assert_contains(e.msg, "neither a boolean nor null");
	assert_int_equal(parse_pair("{\"value\":{}}", ok_sync, &d, &e), -1);
	assert_int_equal(parse_pair("{\"value\":[{\"onPremisesSyncEnabled\":true}]}", "[]", &d, &e),
	                 -1);
	assert_int_equal(e.kind, ERR_PARSE);
}

static void an_empty_sync_collection_reports_nothing_of_it(void **state)
{
	(void)state;
	struct dirsync_data d;
	struct err e = {0};
	assert_int_equal(parse_pair("{\"value\":[{\"onPremisesSyncEnabled\":true,"
	                            "\"onPremisesLastSyncDateTime\":\"2026-03-01T11:50:00Z\"}]}",
	                            "{\"value\":[]}", &d, &e),
	                 0);
	assert_false(d.sync_object);
	assert_int_equal(d.prevention, PREVENTION_ABSENT);
	assert_int_equal(d.password_sync, TRI_ABSENT);
	assert_false(d.interval.present);
	cfg_reset();
	dirsync_evaluate(&d, &R.cfg, NOW, &R.r);
	assert_int_equal(R.r.state, STATE_OK);
	assert_int_equal(R.r.password, PASSWORD_UNREPORTED);
}

static void odd_times_are_not_times(void **state)
{
	(void)state;
	struct dirsync_data d;
	struct err e = {0};
	assert_int_equal(parse_pair("{\"value\":[{\"onPremisesSyncEnabled\":true,"
	                            "\"onPremisesLastSyncDateTime\":\"yesterday\","
	                            "\"onPremisesLastPasswordSyncDateTime\":42}]}",
	                            "{\"value\":[{\"features\":{\"passwordSyncEnabled\":true}}]}",
	                            &d, &e),
	                 0);
	assert_int_equal(d.last_sync.valid, TIME_INVALID);
	assert_int_equal(d.last_password_sync.valid, TIME_INVALID);
	cfg_reset();
	dirsync_evaluate(&d, &R.cfg, NOW, &R.r);
	assert_int_equal(R.r.state, STATE_WARNING);
	assert_non_null(dirsync_finding(&R.r, DSF_SYNC_NO_TIME));
	assert_non_null(dirsync_finding(&R.r, DSF_PASSWORD_NONE));
}

/* ---- the whole output ---- */

static char *render(const struct run_facts *f, size_t budget, enum state *st)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	struct output_options opt = {.max_bytes = budget};
	struct report rep = {0};
	struct err e = {0};
	assert_int_equal(output_dirsync(&rep, &R.r, f, &e), 0);
	*st = (enum state)format_write(out, &rep, &opt, &e);
	report_free(&rep);
	fclose(out);
	return text;
}

static void output_has_perfdata_and_one_line_per_aspect(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	judge(&t);
	struct run_facts f = {.http_seconds = 0.25};
	enum state st;
	char *text = render(&f, 8192, &st);
	assert_int_equal(st, STATE_OK);
	assert_contains(text, "ENTRA SYNC OK - directory sync: last sync 15m ago (every 30m), "
	                      "password hash sync 2m ago | last_sync_age=900s;5400;10800;0 "
	                      "last_password_sync_age=120s;5400;10800;0 sync_interval=1800s "
	                      "time=0.250s\n");
	assert_contains(text, "\n[OK] directory synchronization: enabled, last sync 2026-03-01 "
	                      "11:45:00Z (15m ago)\n");
	assert_contains(text, "\ninterval 30m (synchronizationInterval PT30M); thresholds warning "
	                      "> 1h 30m, critical > 3h (3x and 6x the interval)\n");
	assert_contains(text, "\n[OK] password hash sync: on, last run 2026-03-01 11:58:00Z (2m "
	                      "ago)\n");
	assert_contains(text, "\n[OK] accidental deletion prevention enabledForCount, alert "
	                      "threshold 500 objects\n");
	free(text);
}

static void turned_off_output_has_the_age_without_thresholds(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.enabled = "false";
	t.sync_ago = 86400;
	judge(&t);
	enum state st;
	char *text = render(NULL, 8192, &st);
	assert_int_equal(st, STATE_CRITICAL);
	assert_contains(text, "| last_sync_age=86400s;;;0 time=0.000s\n");
	assert_not_contains(text, "last_password_sync_age");
	assert_not_contains(text, "password hash sync:");
	free(text);
}

static void v1_output_says_what_it_could_not_judge(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	t.interval = NULL;
	t.customer = NULL;
	t.password_field = false;
	judge(&t);
	enum state st;
	char *text = render(NULL, 8192, &st);
	assert_contains(text, "interval 30m assumed (Entra Connect's default): this API version "
	                      "does not report it (--api-version beta does)");
	assert_contains(text, "password hash sync: on; this API version does not report its last "
	                      "run (--api-version beta does), so it is not judged");
	assert_not_contains(text, "last_password_sync_age");
	free(text);
}

/* A certificate that ends in 3 days (CRITICAL), its thresholds w and c, and
 * note for its line. */
static struct run_facts expiring_certificate(struct range *w, struct range *c, const char *note)
{
	range_parse("2592000:", true, w, NULL);
	range_parse("604800:", true, c, NULL);
	struct run_facts f = {.credential_known = true,
	                      .credential_expires_in = 3 * 86400,
	                      .credential_state = STATE_CRITICAL,
	                      .credential_warn = w,
	                      .credential_crit = c};
	str_copy(f.credential_what, sizeof(f.credential_what), "certificate");
	str_copy(f.note, sizeof(f.note), note);
	return f;
}

static void credential_makes_it_worse_and_is_named(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	judge(&t);
	struct range w, c;
	struct run_facts f = expiring_certificate(&w, &c, "[CRITICAL] certificate ends soon");
	enum state st;
	char *text = render(&f, 8192, &st);
	assert_int_equal(st, STATE_CRITICAL);
	assert_contains(text,
	                "ENTRA SYNC CRITICAL - directory sync: last sync 15m ago (every 30m), "
	                "password hash sync 2m ago; certificate expires in 3d |");
	assert_contains(text, " credential_expires_in=259200s;2592000:;604800:; time=");
	assert_contains(text, "\n[CRITICAL] certificate ends soon\n");
	free(text);
}

/* Short of room the aspects' lines are cut, then hidden from the last (the
 * credential's line is the last), and the line that counts them names the
 * worst state among them: here the credential's, behind an OK one. The
 * metrics stay. */
static void output_fits_max_output(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	judge(&t);
	struct range w, c;
	struct run_facts f =
	    expiring_certificate(&w, &c, "[CRITICAL] certificate ends 2026-03-04 12:00:00Z, in 3d");
	enum state st;
	char *text = render(&f, 512, &st);
	assert_int_equal(st, STATE_CRITICAL);
	assert_true(strlen(text) <= 512);
	assert_contains(text, " | last_sync_age=900s;5400;10800;0 "
	                      "last_password_sync_age=120s;5400;10800;0 sync_interval=1800s "
	                      "credential_expires_in=259200s;2592000:;604800:; time=0.000s\n"
	                      "[OK] directory synchronization: enabled, last sync 2026-03-01 "
	                      "11:45:00Z (15m ago)\n");
	/* the last line */
	assert_string_equal(strstr(text, "\n[CRITICAL] ... ") + 1,
	                    "[CRITICAL] ... 4 more lines, not shown to fit --max-output 512\n");
	free(text);
}

/* The tenant's metrics are the run's, as values: the ages kept longest
 * under a budget, the interval given up first; one line per aspect, none
 * folding; the result behind them for writers of values. */
static void report_holds_the_metrics_as_values(void **state)
{
	(void)state;
	cfg_reset();
	struct tenant t = healthy();
	judge(&t);
	struct report rep = {0};
	struct err e = {0};
	assert_int_equal(output_dirsync(&rep, &R.r, NULL, &e), 0);
	assert_ptr_equal(rep.dirsync, &R.r);
	assert_int_equal(rep.n_lines, 4);
	assert_int_equal(rep.fold_from, 4);
	assert_int_equal(rep.n_metrics, 4);
	const char *names[] = {"last_sync_age", "last_password_sync_age", "sync_interval", "time"};
	const int tiers[] = {1, 1, 2, 1};
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(rep.metric[i].name, names[i]);
		assert_int_equal(rep.metric[i].tier, tiers[i]);
		assert_true(rep.metric[i].job == REPORT_RUN);
		assert_string_equal(rep.metric[i].unit, "s");
	}
	assert_true(rep.metric[0].value == 900.0 && rep.metric[0].warn == &R.r.warn);
	report_free(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(never_enabled_is_unknown_not_enabled),
	    cmocka_unit_test(never_enabled_can_be_made_ok),
	    cmocka_unit_test(turned_off_after_syncing_is_critical),
	    cmocka_unit_test(turned_off_override_lowers_it),
	    cmocka_unit_test(missing_sync_flag_is_unknown),
	    cmocka_unit_test(healthy_tenant_is_ok_with_interval_thresholds),
	    cmocka_unit_test(sync_older_than_three_intervals_warns_six_is_critical),
	    cmocka_unit_test(customer_requested_interval_wins),
	    cmocka_unit_test(unreadable_customer_interval_falls_back_and_says_so),
	    cmocka_unit_test(without_intervals_30_minutes_are_assumed),
	    cmocka_unit_test(zero_or_disabled_interval_is_not_an_interval),
	    cmocka_unit_test(warning_and_critical_options_replace_the_interval),
	    cmocka_unit_test(enabled_without_a_last_sync_time_warns),
	    cmocka_unit_test(a_sync_time_just_ahead_is_age_zero),
	    cmocka_unit_test(a_sync_time_far_ahead_is_no_time),
	    cmocka_unit_test(a_password_sync_time_far_ahead_is_no_time),
	    cmocka_unit_test(stale_password_hash_sync_is_judged_like_the_sync),
	    cmocka_unit_test(password_hash_sync_on_without_a_run_warns),
	    cmocka_unit_test(password_hash_sync_off_is_not_judged),
	    cmocka_unit_test(password_time_missing_on_v1_is_not_judged),
	    cmocka_unit_test(deletion_prevention_disabled_warns),
	    cmocka_unit_test(deletion_prevention_override),
	    cmocka_unit_test(deletion_prevention_kinds),
	    cmocka_unit_test(worst_finding_comes_first),
	    cmocka_unit_test(wrong_shapes_are_refused),
	    cmocka_unit_test(an_empty_sync_collection_reports_nothing_of_it),
	    cmocka_unit_test(odd_times_are_not_times),
	    cmocka_unit_test(output_has_perfdata_and_one_line_per_aspect),
	    cmocka_unit_test(turned_off_output_has_the_age_without_thresholds),
	    cmocka_unit_test(v1_output_says_what_it_could_not_judge),
	    cmocka_unit_test(credential_makes_it_worse_and_is_named),
	    cmocka_unit_test(output_fits_max_output),
	    cmocka_unit_test(report_holds_the_metrics_as_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
