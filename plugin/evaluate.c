/* SPEC section 4: one job, its thresholds and the time -> state and words.
 *
 * A job is judged on independent aspects, each with a default state that a
 * --state override replaces (raising or lowering it): the status code (for a
 * quarantined job the more specific quarantine:<Reason> key wins over
 * Quarantine), the last execution's result, and the thresholds on successive
 * failures, escrows and the age of the last success. The worst aspect wins.
 *
 * Decisions where the SPEC is silent:
 * - A job that never succeeded has no age: the metric is 'U' and the age
 *   thresholds cannot alert; the text says "never succeeded". An Active job
 *   that never succeeded is therefore judged by its other aspects (a failed
 *   last run, successive failures), which do alert when something is wrong.
 * - -w/-c given: they are used as given (the missing one stays unset); the
 *   schedule defaults apply only when neither is given.
 * - The schedule defaults apply only to jobs expected to run: status Active or
 *   NotRun and a schedule that is neither Disabled nor Paused. A paused,
 *   unconfigured or quarantined job already says why nothing syncs, and its
 *   --state override must not be undone by a growing age.
 * - "Quarantined" means status.code Quarantine; a quarantine object on a
 *   job with another code (Graph's Paused example) is shown, not judged. */
#include "evaluate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DISABLE_AFTER_DAYS 28.0
#define SECONDS_PER_DAY    86400.0
#define MAX_REASONS        8
#define REASON_MAX         320
/* An error message can be a paragraph; the first line of output cannot. */
#define SUMMARY_MESSAGE_MAX 120

struct reason {
	enum state state;
	char text[REASON_MAX];
};

struct reasons {
	struct reason r[MAX_REASONS];
	size_t n;
};

static void reason_add(struct reasons *rs, enum state st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reason_add(struct reasons *rs, enum state st, const char *fmt, ...)
{
	if (rs->n >= MAX_REASONS)
		return;
	struct reason *r = &rs->r[rs->n++];
	r->state = st;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

void eval_config_init(struct eval_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	range_parse("0", false, &cfg->fail_warn, NULL);
	range_parse("2", false, &cfg->fail_crit, NULL);
}

/* The last matching override wins, so a later --state corrects an earlier one. */
static bool override_find(const struct eval_config *cfg, const char *prefix, const char *value,
                          enum state *out)
{
	char key[sizeof(cfg->overrides[0].key) + JOB_SHORT_MAX];
	snprintf(key, sizeof(key), "%s%s", prefix, value);
	bool found = false;
	for (size_t i = 0; cfg->overrides != NULL && i < cfg->n_overrides; i++) {
		if (strcasecmp(cfg->overrides[i].key, key) == 0) {
			*out = cfg->overrides[i].state;
			found = true;
		}
	}
	return found;
}

/* Ages cannot be negative: a time in the future is clock skew. (Not fmax:
 * the build links no libm.) */
static double non_negative(double v)
{
	return v > 0.0 ? v : 0.0;
}

static bool code_is(const struct sync_job *job, const char *code)
{
	return job->status_code_present && strcasecmp(job->status_code, code) == 0;
}

static bool time_newer(enum time_result valid, double t, bool *have, double *best)
{
	if (valid != TIME_VALID || (*have && t <= *best))
		return false;
	*best = t;
	*have = true;
	return true;
}

static void last_success(const struct sync_job *job, double now, struct job_result *out)
{
	bool have = false;
	double best = 0.0;
	const struct task_execution *le = &job->last_execution;
	time_newer(job->last_successful.ended_valid, job->last_successful.time_ended, &have, &best);
	if (le->present && strcasecmp(le->state, "Succeeded") == 0)
		time_newer(le->ended_valid, le->time_ended, &have, &best);
	time_newer(job->steady_last_valid, job->steady_last, &have, &best);
	out->age_known = have;
	out->last_success = best;
	out->last_success_age = have ? non_negative(now - best) : NAN;
}

static bool schedule_disabled(const struct sync_job *job)
{
	return strcasecmp(job->schedule_state, "Disabled") == 0 ||
	       (job->interval_valid && iso_duration_is_disabled(job->interval_seconds));
}

static void age_thresholds(const struct sync_job *job, const struct eval_config *cfg,
                           struct job_result *out)
{
	if (cfg->age_warn.set || cfg->age_crit.set) {
		out->age_warn = cfg->age_warn;
		out->age_crit = cfg->age_crit;
		return;
	}
	bool expects_runs = (code_is(job, "Active") || code_is(job, "NotRun")) &&
	                    strcasecmp(job->schedule_state, "Paused") != 0 &&
	                    !schedule_disabled(job);
	if (!expects_runs || !job->interval_valid || !(job->interval_seconds > 0.0))
		return;
	range_upper(&out->age_warn, 3.0 * job->interval_seconds);
	range_upper(&out->age_crit, 6.0 * job->interval_seconds);
}

static void quarantine_metrics(const struct sync_job *job, double now, struct job_result *out)
{
	const struct quarantine *q = &job->quarantine;
	out->days_to_disable = -1.0;
	out->quarantine_age_known = true;
	out->quarantined = code_is(job, "Quarantine");
	if (!out->quarantined)
		return;
	out->quarantine_series = q->present ? q->series_count : 0;
	if (q->present && q->series_began_valid == TIME_VALID) {
		out->quarantine_age = non_negative(now - q->series_began);
		out->days_to_disable =
		    non_negative(DISABLE_AFTER_DAYS - out->quarantine_age / SECONDS_PER_DAY);
	} else if (q->present && q->current_began_valid == TIME_VALID) {
		out->quarantine_age = non_negative(now - q->current_began);
	} else {
		out->quarantine_age_known = false;
	}
}

/* The error that explains a quarantine: its own, or (older responses have
 * none) the last execution's. */
static const struct sync_error *quarantine_error(const struct sync_job *job)
{
	const struct sync_error *qe = &job->quarantine.error;
	if (qe->present && (qe->code[0] || qe->message[0]))
		return qe;
	const struct sync_error *le = &job->last_execution.error;
	if (job->last_execution.present && le->present && (le->code[0] || le->message[0]))
		return le;
	return NULL;
}

static void fmt_time(enum time_result valid, double t, char *buf, size_t n)
{
	if (valid == TIME_VALID)
		time_format(t, buf, n);
	else
		str_copy(buf, n, valid == TIME_NEVER ? "unknown" : "invalid time");
}

static void active_text(const struct sync_job *job, const struct job_result *out, char *buf,
                        size_t n)
{
	char age[48] = "", every[64] = "";
	if (out->age_known)
		duration_format(out->last_success_age, age, sizeof(age));
	if (schedule_disabled(job))
		str_copy(every, sizeof(every), ", schedule disabled");
	else if (job->interval_valid) {
		char iv[32];
		duration_format(job->interval_seconds, iv, sizeof(iv));
		snprintf(every, sizeof(every), ", every %s", iv);
	}
	if (out->age_known)
		snprintf(buf, n, "active, last success %s ago%s", age, every);
	else
		snprintf(buf, n, "active, never succeeded%s", every);
}

static void notrun_text(const struct sync_job *job, char *buf, size_t n)
{
	char since[48] = "", progress[32] = "";
	const struct task_execution *le = &job->last_execution;
	if (le->present && le->began_valid == TIME_VALID) {
		char t[32];
		time_format(le->time_began, t, sizeof(t));
		snprintf(since, sizeof(since), " since %s", t);
	}
	if (job->progress_known)
		snprintf(progress, sizeof(progress), " (%.0f%% done)", job->progress_percent);
	snprintf(buf, n, "first cycle still running%s%s", since, progress);
}

static void quarantine_text(const struct sync_job *job, const struct job_result *out, char *buf,
                            size_t n)
{
	const struct quarantine *q = &job->quarantine;
	const struct sync_error *qe = quarantine_error(job);
	char since[48] = "", left[64] = "", code[JOB_SHORT_MAX + 2] = "";
	if (qe != NULL && qe->code[0])
		snprintf(code, sizeof(code), ": %s", qe->code);
	if (q->series_began_valid == TIME_VALID) {
		char t[32];
		time_format(q->series_began, t, sizeof(t));
		snprintf(since, sizeof(since), " since %s", t);
	}
	if (out->days_to_disable > 0.0) {
		char d[32];
		duration_format(out->days_to_disable * SECONDS_PER_DAY, d, sizeof(d));
		snprintf(left, sizeof(left), ", automatic disable in %s", d);
	} else if (out->days_to_disable == 0.0) {
		str_copy(left, sizeof(left), ", automatic disable due (28 days passed)");
	}
	snprintf(buf, n, "quarantined (%s%s)%s, series count %lld%s",
	         q->reason[0] ? q->reason : "no reason given", code, since,
	         (long long)out->quarantine_series, left);
}

/* Status code aspect: state by the table of SPEC section 4, words for the text. */
static enum state status_aspect(const struct sync_job *job, const struct eval_config *cfg,
                                const struct job_result *out, char *buf, size_t n)
{
	enum state st;
	const char *key = job->status_code_present ? job->status_code : "NotConfigured";
	if (code_is(job, "Active")) {
		st = STATE_OK;
		active_text(job, out, buf, n);
	} else if (code_is(job, "NotRun")) {
		st = STATE_OK;
		notrun_text(job, buf, n);
	} else if (!job->status_code_present || code_is(job, "NotConfigured")) {
		st = STATE_WARNING;
		snprintf(buf, n, "not configured%s",
		         job->status_code_present ? "" : " (no status yet)");
	} else if (code_is(job, "Paused")) {
		st = STATE_WARNING;
		snprintf(buf, n, "paused, schedule %s",
		         job->schedule_state[0] ? job->schedule_state : "unknown");
	} else if (code_is(job, "Quarantine")) {
		st = STATE_CRITICAL;
		quarantine_text(job, out, buf, n);
	} else {
		st = STATE_UNKNOWN;
		snprintf(buf, n, "unexpected status code '%s'", job->status_code);
	}
	override_find(cfg, "", key, &st);
	if (out->quarantined)
		override_find(cfg, "quarantine:", job->quarantine.reason, &st);
	return st;
}

static bool same_error(const struct sync_error *a, const struct sync_error *b)
{
	return a != NULL && b != NULL && strcmp(a->code, b->code) == 0 &&
	       strcmp(a->message, b->message) == 0;
}

/* quarantine_shown: the quarantine words (with their error) are already in
 * the summary, so a failed run with the same error only adds its state. */
static void execution_aspect(const struct sync_job *job, const struct eval_config *cfg,
                             bool quarantine_shown, struct reasons *rs)
{
	const struct task_execution *le = &job->last_execution;
	if (!le->present || le->state[0] == '\0')
		return;
	bool failed = strcasecmp(le->state, "Failed") == 0;
	enum state st = failed ? STATE_WARNING : STATE_OK;
	override_find(cfg, "execution:", le->state, &st);
	if (st == STATE_OK)
		return;
	const struct sync_error *err = le->error.present ? &le->error : NULL;
	if (quarantine_shown && (err == NULL || same_error(err, quarantine_error(job)))) {
		reason_add(rs, st, "%s", "");
		return;
	}
	const char *what = failed ? "failed" : le->state;
	if (err != NULL && (err->code[0] || err->message[0]))
		reason_add(rs, st, "last run %s (%s%s%.*s)", what, err->code,
		           err->code[0] && err->message[0] ? ": " : "", SUMMARY_MESSAGE_MAX,
		           err->message);
	else
		reason_add(rs, st, "last run %s", what);
}

static enum state range_state(const struct range *warn, const struct range *crit, double v)
{
	if (range_alerts(crit, v))
		return STATE_CRITICAL;
	return range_alerts(warn, v) ? STATE_WARNING : STATE_OK;
}

/* "> 4h" for the usual upper bound, the range itself otherwise. */
static void describe_range(const struct range *r, bool durations, char *buf, size_t n)
{
	if (!r->inside && !r->lo_inf && !r->hi_inf && r->lo == 0.0) {
		char v[32];
		if (durations)
			duration_format(r->hi, v, sizeof(v));
		else
			range_number_format(r->hi, v, sizeof(v));
		snprintf(buf, n, "> %s", v);
	} else {
		snprintf(buf, n, "range %s", r->text);
	}
}

static void threshold_aspects(const struct sync_job *job, const struct job_result *out,
                              struct reasons *rs)
{
	char lim[96];
	double fails = (double)job->successive_failures;
	enum state st = range_state(&out->fail_warn, &out->fail_crit, fails);
	if (st != STATE_OK) {
		describe_range(st == STATE_CRITICAL ? &out->fail_crit : &out->fail_warn, false, lim,
		               sizeof(lim));
		reason_add(rs, st, "%lld successive failure%s (%s)",
		           (long long)job->successive_failures,
		           job->successive_failures == 1 ? "" : "s", lim);
	}
	const struct task_execution *le = &job->last_execution;
	if (le->present && le->has_count_escrowed) {
		st = range_state(&out->escrow_warn, &out->escrow_crit, (double)le->count_escrowed);
		if (st != STATE_OK) {
			describe_range(st == STATE_CRITICAL ? &out->escrow_crit : &out->escrow_warn,
			               false, lim, sizeof(lim));
			reason_add(rs, st, "%lld escrowed (%s)", (long long)le->count_escrowed,
			           lim);
		}
	}
	if (out->age_known) {
		st = range_state(&out->age_warn, &out->age_crit, out->last_success_age);
		if (st != STATE_OK) {
			char age[48];
			duration_format(out->last_success_age, age, sizeof(age));
			describe_range(st == STATE_CRITICAL ? &out->age_crit : &out->age_warn, true,
			               lim, sizeof(lim));
			reason_add(rs, st, "last success %s ago (%s)", age, lim);
		}
	}
}

/* Problems worst first; when there is none, the status words. */
static void compose_summary(const struct reasons *rs, const char *status_text,
                            struct job_result *out)
{
	struct buf b = {0};
	for (int rank = state_rank(STATE_CRITICAL); rank > 0; rank--) {
		for (size_t i = 0; i < rs->n; i++) {
			if (state_rank(rs->r[i].state) != rank || rs->r[i].text[0] == '\0')
				continue;
			buf_printf(&b, "%s%s", b.len ? "; " : "", rs->r[i].text);
		}
	}
	str_copy(out->summary, sizeof(out->summary), b.len ? b.data : status_text);
	buf_free(&b);
}

static void detail_counts(const struct task_execution *le, struct buf *b)
{
	if (!le->present) {
		buf_puts(b, ", no execution yet");
		return;
	}
	buf_printf(b, ", last run %s", le->state[0] ? le->state : "unknown");
	if (le->has_count_escrowed)
		buf_printf(b, ", escrowed %lld", (long long)le->count_escrowed);
	if (le->has_count_exported)
		buf_printf(b, ", exported %lld", (long long)le->count_exported);
	if (le->has_count_imported)
		buf_printf(b, ", imported %lld", (long long)le->count_imported);
}

static void detail_quarantine(const struct sync_job *job, const struct job_result *out,
                              struct buf *b)
{
	const struct quarantine *q = &job->quarantine;
	if (!q->present)
		return;
	char since[48], next[48];
	fmt_time(q->series_began_valid, q->series_began, since, sizeof(since));
	fmt_time(q->next_attempt_valid, q->next_attempt, next, sizeof(next));
	buf_printf(b, ", quarantine reason %s, series since %s, series count %lld, next attempt %s",
	           q->reason[0] ? q->reason : "(none)", since, (long long)q->series_count, next);
	if (out->days_to_disable >= 0.0)
		buf_printf(b, ", automatic disable in %.1f days", out->days_to_disable);
}

/* A quarantine object explains a pause as well (Graph's Paused example), so
 * its error is shown whatever the status code. */
static const struct sync_error *detail_error(const struct sync_job *job)
{
	if (job->quarantine.present)
		return quarantine_error(job);
	const struct sync_error *le = &job->last_execution.error;
	return job->last_execution.present && le->present ? le : NULL;
}

static void compose_detail(const struct sync_job *job, struct job_result *out)
{
	struct buf b = {0};
	buf_printf(&b, "%s [%s]: %s -- status %s, schedule %s %s", job->id, job->template_id,
	           out->summary, job->status_code_present ? job->status_code : "(none)",
	           job->schedule_interval[0] ? job->schedule_interval : "(none)",
	           job->schedule_state[0] ? job->schedule_state : "(none)");
	if (out->age_known) {
		char when[48];
		time_format(out->last_success, when, sizeof(when));
		buf_printf(&b, ", last success %s", when);
	} else {
		buf_puts(&b, ", last success never");
	}
	buf_printf(&b, ", successive failures %lld", (long long)job->successive_failures);
	detail_counts(&job->last_execution, &b);
	if (job->progress_known)
		buf_printf(&b, ", progress %.0f%%", job->progress_percent);
	const struct sync_error *err = detail_error(job);
	if (err != NULL)
		buf_printf(&b, ", error %s: %s%s", err->code[0] ? err->code : "(no code)",
		           err->message, err->tenant_actionable ? " (tenant actionable)" : "");
	detail_quarantine(job, out, &b);
	str_copy(out->detail, sizeof(out->detail), b.data);
	buf_free(&b);
}

void evaluate_job(const struct sync_job *job, const struct eval_config *cfg, double now,
                  struct job_result *out)
{
	memset(out, 0, sizeof(*out));
	out->job = job;
	out->fail_warn = cfg->fail_warn;
	out->fail_crit = cfg->fail_crit;
	out->escrow_warn = cfg->escrow_warn;
	out->escrow_crit = cfg->escrow_crit;
	last_success(job, now, out);
	age_thresholds(job, cfg, out);
	quarantine_metrics(job, now, out);

	struct reasons rs = {.n = 0};
	char status_text[REASON_MAX];
	enum state st = status_aspect(job, cfg, out, status_text, sizeof(status_text));
	if (st != STATE_OK)
		reason_add(&rs, st, "%s", status_text);
	execution_aspect(job, cfg, out->quarantined && st != STATE_OK, &rs);
	threshold_aspects(job, out, &rs);

	out->state = STATE_OK;
	for (size_t i = 0; i < rs.n; i++)
		out->state = state_worst(out->state, rs.r[i].state);
	compose_summary(&rs, status_text, out);
	compose_detail(job, out);
	text_clean(out->summary);
	text_clean(out->detail);
}

enum state results_worst(const struct job_result *r, size_t n)
{
	enum state worst = STATE_OK;
	for (size_t i = 0; i < n; i++)
		worst = state_worst(worst, r[i].state);
	return worst;
}
