/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One job, its thresholds and what the run knows -> state, findings and
 * metrics (the table of the man page, section "STATE").
 *
 * A job is judged on independent aspects, each with a default state that a
 * --state override replaces (raising or lowering it): the status code (for a
 * quarantined job the more specific quarantine:<Reason> key wins over
 * Quarantine), the last execution's result, and the thresholds on successive
 * failures, escrows, the age of the last success and of the last export. The
 * worst aspect wins. Every aspect that is not OK is kept as a finding, so the
 * words (output.c) and the event handler (handler.c) work from the same
 * judgement.
 *
 * Decisions (doc/design.md has the reasons):
 * - A job that never succeeded has no age and cannot alert on it; its other
 *   aspects (a failed run, successive failures) still do.
 * - -w/-c given: used as given (the missing one stays unset); the schedule
 *   defaults apply only when neither is given, and only to jobs expected to
 *   run (Active or NotRun with a schedule neither Disabled nor Paused).
 * - "Quarantined" means status.code Quarantine; a quarantine object on a
 *   job with another code (Graph's Paused example) explains it, and its error
 *   is the job's cause, but it is not judged as a quarantine.
 * - An execution whose times are both missing or the sentinel is a
 *   placeholder (a brand-new job shows one with state "Failed" and error
 *   "None"): no run, nothing to judge.
 * - A job this plugin started, that is Active again and has not run since,
 *   is waiting for its next cycle: WARNING, whatever the runs before the
 *   start said, until one more cycle should have run.
 * - A time of a past event more than TIME_AHEAD_SLACK ahead of the clock is
 *   no valid time (like the sentinel): it never makes a job look fresh nor
 *   holds a wait. A job whose only success times lie ahead is WARNING: with
 *   nothing else to go on it would read "never succeeded", OK.
 * - A cycle in progress (SPEC 4a) is measured by its last observation, by
 *   the default thresholds and by -w/-c alike: they ask how long the job may
 *   go unseen at work, and a 10-hour initial cycle after a restart is work.
 *   last_success_age still reports the last completed cycle.
 * - The episode and whether the last start helped come from the start
 *   history (statefile.h) and Graph's times; nothing here writes. */
#include "evaluate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "provlog.h"
#include "timeparse.h"

#define DISABLE_AFTER_DAYS 28.0
#define SECONDS_PER_DAY    86400.0
/* How long a started job may wait for its next cycle before the runs before
 * the start count again: two intervals, at least 10 minutes, at most 6 h. */
#define WAIT_MIN     600.0
#define WAIT_MAX     21600.0
#define WAIT_DEFAULT 3600.0

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

bool eval_override(const struct eval_config *cfg, const char *prefix, const char *value,
                   enum state *st)
{
	return override_find(cfg, prefix, value, st);
}

/* Ages cannot be negative: a time in the future is clock skew. */
static double non_negative(double v)
{
	return v > 0.0 ? v : 0.0;
}

static void add_finding(struct job_result *out, enum finding_kind kind, enum state st,
                        const struct range *limit)
{
	if (st == STATE_OK || out->n_findings >= FINDINGS_MAX)
		return;
	/* Kept worst first; equal states keep the order of the aspects. */
	size_t i = out->n_findings++;
	while (i > 0 && state_rank(out->findings[i - 1].state) < state_rank(st)) {
		out->findings[i] = out->findings[i - 1];
		i--;
	}
	out->findings[i] = (struct finding){kind, st, limit};
}

/* A valid time of a past event that is not ahead of the clock; one that is
 * ahead is kept in out->ahead for the words. */
static bool take_past(enum time_result valid, double t, double now, enum past_time which,
                      struct job_result *out)
{
	if (valid != TIME_VALID)
		return false;
	if (time_ahead(t, now)) {
		/* of several (progress entries), the newest is named */
		if (!(out->ahead & (1u << which)) || t > out->ahead_at[which])
			out->ahead_at[which] = t;
		out->ahead |= 1u << which;
		return false;
	}
	return true;
}

static void newer(double t, bool *have, double *best)
{
	if (!*have || t > *best) {
		*best = t;
		*have = true;
	}
}

static void last_success(const struct sync_job *job, double now, struct job_result *out)
{
	bool have = false;
	double best = 0.0;
	const struct task_execution *le = &job->last_execution;
	const struct task_execution *ls = &job->last_successful;
	if (take_past(ls->ended_valid, ls->time_ended, now, PAST_LAST_SUCCESS_END, out))
		newer(ls->time_ended, &have, &best);
	if (le->result != RUN_NONE &&
	    take_past(le->ended_valid, le->time_ended, now, PAST_LAST_RUN_END, out) &&
	    le->result == RUN_SUCCEEDED)
		newer(le->time_ended, &have, &best);
	if (take_past(job->steady_last_valid, job->steady_last, now, PAST_STEADY_STATE, out))
		newer(job->steady_last, &have, &best);
	out->age_known = have;
	out->last_success = best;
	out->last_success_age = have ? non_negative(now - best) : NAN;

	const struct task_execution *lx = &job->last_with_exports;
	out->export_age_known =
	    lx->present && take_past(lx->ended_valid, lx->time_ended, now, PAST_EXPORTS_END, out);
	out->last_export_age = out->export_age_known ? non_negative(now - lx->time_ended) : NAN;
}

static bool expects_runs(const struct sync_job *job)
{
	return (job->status == JOB_ACTIVE || job->status == JOB_NOT_RUN) &&
	       strcasecmp(job->schedule_state, "Paused") != 0 && !job_schedule_disabled(job);
}

static bool interval_usable(const struct sync_job *job)
{
	return job->interval_valid && job->interval_seconds > 0.0;
}

static void age_thresholds(const struct sync_job *job, const struct eval_config *cfg,
                           struct job_result *out)
{
	if (cfg->age_warn.set || cfg->age_crit.set) {
		out->age_warn = cfg->age_warn;
		out->age_crit = cfg->age_crit;
		return;
	}
	if (!expects_runs(job))
		return;
	if (!interval_usable(job)) {
		/* No default thresholds can be derived: say so rather than never
		 * alerting on a job that stopped syncing years ago. */
		if (job->schedule_present)
			add_finding(out, FINDING_INTERVAL, STATE_WARNING, NULL);
		return;
	}
	range_upper(&out->age_warn, 3.0 * job->interval_seconds);
	range_upper(&out->age_crit, 6.0 * job->interval_seconds);
}

static void quarantine_metrics(const struct sync_job *job, double now, struct job_result *out)
{
	const struct quarantine *q = &job->quarantine;
	out->days_to_disable = -1.0;
	out->quarantine_age_known = true;
	out->quarantined = job->status == JOB_QUARANTINE;
	bool series = q->present && take_past(q->series_began_valid, q->series_began, now,
	                                      PAST_SERIES_BEGAN, out);
	bool current = q->present && take_past(q->current_began_valid, q->current_began, now,
	                                       PAST_CURRENT_BEGAN, out);
	out->broken_since = series ? q->series_began : current ? q->current_began : 0.0;
	if (!out->quarantined)
		return;
	out->quarantine_series = q->present ? q->series_count : 0;
	if (series) {
		out->quarantine_age = non_negative(now - q->series_began);
		out->days_to_disable =
		    non_negative(DISABLE_AFTER_DAYS - out->quarantine_age / SECONDS_PER_DAY);
	} else if (current) {
		out->quarantine_age = non_negative(now - q->current_began);
	} else {
		out->quarantine_age_known = false;
	}
}

static bool error_says_something(const struct sync_error *err)
{
	return err->present && (err->code[0] || err->message[0]);
}

/* The error that explains the job: a quarantine object's own (also on a
 * Paused job), or, for a quarantine without one (older responses), the
 * failed last run's. */
static void find_cause(const struct sync_job *job, struct job_result *out)
{
	const struct sync_error *qe = &job->quarantine.error;
	const struct task_execution *le = &job->last_execution;
	out->cause = NULL;
	if (job->quarantine.present && error_says_something(qe))
		out->cause = qe;
	else if (job->status == JOB_QUARANTINE && le->result == RUN_FAILED &&
	         error_says_something(&le->error))
		out->cause = &le->error;
	out->run_error_is_cause =
	    out->cause != NULL && le->result == RUN_FAILED &&
	    (out->cause == &le->error || (strcmp(le->error.code, out->cause->code) == 0 &&
	                                  strcmp(le->error.message, out->cause->message) == 0));
}

/* The status code's own state, by the table of the man page. */
static enum state status_state(const struct sync_job *job, const struct eval_config *cfg)
{
	static const enum state by_status[] = {
	    [JOB_NO_STATUS] = STATE_WARNING,    [JOB_NOT_CONFIGURED] = STATE_WARNING,
	    [JOB_NOT_RUN] = STATE_OK,           [JOB_ACTIVE] = STATE_OK,
	    [JOB_PAUSED] = STATE_WARNING,       [JOB_QUARANTINE] = STATE_CRITICAL,
	    [JOB_STATUS_OTHER] = STATE_UNKNOWN,
	};
	enum state st = by_status[job->status];
	override_find(cfg, "", job->status_code_present ? job->status_code : "NotConfigured", &st);
	if (job->status == JOB_QUARANTINE)
		override_find(cfg, "quarantine:", job->quarantine.reason, &st);
	return st;
}

static void last_run_aspect(const struct sync_job *job, const struct eval_config *cfg,
                            struct job_result *out)
{
	const struct task_execution *le = &job->last_execution;
	enum state st;
	switch (le->result) {
	case RUN_FAILED:
		st = STATE_WARNING;
		break;
	case RUN_OTHER:
		/* A value Microsoft added after this plugin was written: not OK
		 * until someone has looked (an empty state says nothing). */
		if (le->state[0] == '\0')
			return;
		st = STATE_WARNING;
		break;
	case RUN_SUCCEEDED:
	case RUN_ENTRY_LEVEL_ERRORS:
		st = STATE_OK;
		break;
	case RUN_NONE:
	default:
		return;
	}
	override_find(cfg, "execution:", le->state, &st);
	add_finding(out, FINDING_LAST_RUN, st, NULL);
}

static enum state range_state(const struct range *warn, const struct range *crit, double v,
                              const struct range **passed)
{
	*passed = NULL;
	if (range_alerts(crit, v)) {
		*passed = crit;
		return STATE_CRITICAL;
	}
	if (range_alerts(warn, v)) {
		*passed = warn;
		return STATE_WARNING;
	}
	return STATE_OK;
}

static void threshold_aspects(const struct sync_job *job, struct job_result *out)
{
	const struct range *passed;
	enum state st = range_state(&out->fail_warn, &out->fail_crit,
	                            (double)job->successive_failures, &passed);
	add_finding(out, FINDING_FAILURES, st, passed);
	const struct task_execution *le = &job->last_execution;
	if (le->result != RUN_NONE && le->has_count_escrowed) {
		st = range_state(&out->escrow_warn, &out->escrow_crit, (double)le->count_escrowed,
		                 &passed);
		add_finding(out, FINDING_ESCROWED, st, passed);
	}
	if (out->cycle_in_progress || out->age_known) {
		double age = out->cycle_in_progress ? out->progress_age : out->last_success_age;
		st = range_state(&out->age_warn, &out->age_crit, age, &passed);
		add_finding(out, FINDING_AGE, st, passed);
	}
	if (out->export_age_known) {
		st = range_state(&out->export_warn, &out->export_crit, out->last_export_age,
		                 &passed);
		add_finding(out, FINDING_EXPORT_AGE, st, passed);
	}
}

/* A cycle is running when any progress entry is not complete and was seen
 * at work less than two intervals ago (Graph updates the observation as the
 * cycle goes; an older one has stopped advancing, and a cycle that stopped
 * is judged as before). Entries observed together (one per kind of object,
 * say) are judged alike whatever their order, and one ahead of the clock
 * hides none that is not. */
static void cycle_progress(const struct sync_job *job, double now, struct job_result *out)
{
	const struct sync_progress *running = NULL, *taken = NULL, *newest = NULL;
	bool may_run = expects_runs(job) && interval_usable(job);
	for (size_t i = 0; i < job->n_progress; i++) {
		const struct sync_progress *p = &job->progress[i];
		if (newest == NULL ||
		    progress_observed_or_never(p) > progress_observed_or_never(newest))
			newest = p;
		if (!take_past(p->observed_valid, p->observed, now, PAST_PROGRESS, out))
			continue;
		if (taken == NULL || p->observed > taken->observed)
			taken = p;
		if (may_run && p->completed < p->total &&
		    now - p->observed < 2.0 * job->interval_seconds &&
		    (running == NULL || p->observed > running->observed))
			running = p;
	}
	const struct sync_progress *chosen = running ? running : taken ? taken : newest;
	if (chosen == NULL)
		return;
	out->progress_known = true;
	out->progress = *chosen;
	if (chosen != running && chosen != taken)
		out->progress.observed_valid = TIME_NEVER; /* ahead, or none: not taken */
	if (running != NULL) {
		out->cycle_in_progress = true;
		out->progress_age = non_negative(now - running->observed);
	}
}

/* The quarantine reason now is the one recorded with the last start. */
static bool same_reason(const struct start_record *s, const struct sync_job *job)
{
	char now[REASON_TOKEN_MAX];
	start_reason_token(job->quarantine.present ? job->quarantine.reason : "", now, sizeof(now));
	return strcmp(s->last_reason, "?") != 0 && strcmp(now, "?") != 0 &&
	       strcasecmp(s->last_reason, now) == 0;
}

/* Quarantined (again) after when: the quarantine was (re)imposed since. */
static bool quarantined_since(const struct sync_job *job, double now, double when)
{
	const struct quarantine *q = &job->quarantine;
	double t;
	if (q->current_began_valid == TIME_VALID && !time_ahead(q->current_began, now))
		t = q->current_began;
	else if (q->series_began_valid == TIME_VALID && !time_ahead(q->series_began, now))
		t = q->series_began;
	else
		return false;
	return t >= when;
}

/* What this plugin's starts say: the episode, and whether the last start
 * helped. */
static void start_facts(const struct sync_job *job, const struct job_context *ctx,
                        struct job_result *out)
{
	const struct start_record *s = ctx->starts;
	if (s == NULL)
		return;
	if (s->ahead > 0) {
		out->ahead |= 1u << PAST_RECORDED_START;
		out->ahead_at[PAST_RECORDED_START] = s->ahead;
	}
	out->last_start = s->last;
	out->last_start_age = non_negative(ctx->now - s->last);
	bool helped = s->last > 0 && out->age_known && out->last_success > s->last;
	out->episode_open = s->episode_starts > 0 && !helped;
	if (!out->episode_open)
		return;
	out->episode_began = s->episode_began;
	out->episode_age = non_negative(ctx->now - s->episode_began);
	out->episode_starts = s->episode_starts;
	out->futile = job->status == JOB_QUARANTINE && same_reason(s, job) &&
	              quarantined_since(job, ctx->now, s->last);
}

/* Started by this plugin (handler or --start), Active again, and no cycle
 * has ended since: the runs before the start no longer describe the job. */
static bool waiting_for_cycle(const struct sync_job *job, const struct job_context *ctx,
                              const struct job_result *out)
{
	double started = out->last_start;
	if (started <= 0 || job->status != JOB_ACTIVE)
		return false;
	/* A run that ended after the start ran since (it may have begun
	 * before: a cycle takes time). One that ended ahead of the clock did
	 * not end at all. */
	const struct task_execution *le = &job->last_execution;
	if (le->result != RUN_NONE && le->ended_valid == TIME_VALID &&
	    !(out->ahead & (1u << PAST_LAST_RUN_END)) && le->time_ended >= started)
		return false;
	double limit = interval_usable(job) ? 2.0 * job->interval_seconds : WAIT_DEFAULT;
	limit = limit < WAIT_MIN ? WAIT_MIN : limit > WAIT_MAX ? WAIT_MAX : limit;
	return ctx->now - started < limit;
}

/* What Graph says besides the runs: escrows pruned, an expiring schedule,
 * success times that all lie ahead of the clock. */
static void standing_aspects(const struct sync_job *job, const struct eval_config *cfg, double now,
                             struct job_result *out)
{
	enum state st;
	if (job->escrows_pruned) {
		st = STATE_WARNING;
		override_find(cfg, "", "escrows-pruned", &st);
		add_finding(out, FINDING_ESCROWS_PRUNED, st, NULL);
	}
	if (job->expiration_valid == TIME_VALID && job->expiration - now <= SCHEDULE_EXPIRY_WARN) {
		out->expiration_in = job->expiration - now;
		st = STATE_WARNING;
		override_find(cfg, "", "schedule-expiration", &st);
		add_finding(out, FINDING_EXPIRATION, st, NULL);
	}
	unsigned success_times =
	    1u << PAST_LAST_SUCCESS_END | 1u << PAST_STEADY_STATE |
	    (job->last_execution.result == RUN_SUCCEEDED ? 1u << PAST_LAST_RUN_END : 0u);
	if (!out->age_known && (out->ahead & success_times))
		add_finding(out, FINDING_TIME_AHEAD, STATE_WARNING, NULL);
}

void evaluate_job(const struct sync_job *job, const struct eval_config *cfg,
                  const struct job_context *ctx, struct job_result *out)
{
	memset(out, 0, sizeof(*out));
	out->job = job;
	out->fail_warn = cfg->fail_warn;
	out->fail_crit = cfg->fail_crit;
	out->escrow_warn = cfg->escrow_warn;
	out->escrow_crit = cfg->escrow_crit;
	out->export_warn = cfg->export_warn;
	out->export_crit = cfg->export_crit;
	last_success(job, ctx->now, out);
	quarantine_metrics(job, ctx->now, out);
	find_cause(job, out);
	cycle_progress(job, ctx->now, out);
	start_facts(job, ctx, out);

	if (waiting_for_cycle(job, ctx, out)) {
		out->waiting_for = non_negative(ctx->now - out->last_start);
		add_finding(out, FINDING_WAITING, STATE_WARNING, NULL);
	} else {
		add_finding(out, FINDING_STATUS, status_state(job, cfg), NULL);
		last_run_aspect(job, cfg, out);
		age_thresholds(job, cfg, out);
		threshold_aspects(job, out);
	}
	standing_aspects(job, cfg, ctx->now, out);
	out->state = out->n_findings > 0 ? out->findings[0].state : STATE_OK;
}

bool evaluate_wants_object_errors(const struct job_result *r)
{
	const struct task_execution *le = &r->job->last_execution;
	return r->state != STATE_OK || le->result == RUN_FAILED ||
	       le->result == RUN_ENTRY_LEVEL_ERRORS ||
	       (le->result != RUN_NONE && le->has_count_escrowed && le->count_escrowed > 0);
}

void evaluate_object_errors(struct job_result *r, const struct provlog_result *o,
                            const struct eval_config *cfg)
{
	r->objects = o;
	r->objects_warn = cfg->objects_warn;
	r->objects_crit = cfg->objects_crit;
	if (o == NULL || o->status != PROVLOG_KNOWN)
		return;
	const struct range *passed;
	enum state st =
	    range_state(&r->objects_warn, &r->objects_crit, (double)o->summary.objects, &passed);
	add_finding(r, FINDING_OBJECT_ERRORS, st, passed);
	r->state = r->n_findings > 0 ? r->findings[0].state : STATE_OK;
}

enum state results_worst(const struct job_result *r, size_t n)
{
	enum state worst = STATE_OK;
	for (size_t i = 0; i < n; i++)
		worst = state_worst(worst, r[i].state);
	return worst;
}

const struct finding *result_finding(const struct job_result *r, enum finding_kind kind)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].kind == kind)
			return &r->findings[i];
	return NULL;
}

const char *finding_kind_name(enum finding_kind kind)
{
	/* A switch without default: a new kind without a name is a warning. */
	switch (kind) {
	case FINDING_STATUS:
		return "status";
	case FINDING_LAST_RUN:
		return "last_run";
	case FINDING_FAILURES:
		return "failures";
	case FINDING_ESCROWED:
		return "escrowed";
	case FINDING_AGE:
		return "age";
	case FINDING_EXPORT_AGE:
		return "export_age";
	case FINDING_INTERVAL:
		return "interval";
	case FINDING_WAITING:
		return "waiting";
	case FINDING_ESCROWS_PRUNED:
		return "escrows_pruned";
	case FINDING_EXPIRATION:
		return "expiration";
	case FINDING_TIME_AHEAD:
		return "time_ahead";
	case FINDING_OBJECT_ERRORS:
		return "object_errors";
	}
	return "unknown";
}

const char *past_time_name(enum past_time which)
{
	/* A switch without default: a new time without a name is a warning. */
	switch (which) {
	case PAST_LAST_RUN_END:
		return "last_run_end";
	case PAST_LAST_SUCCESS_END:
		return "last_success_end";
	case PAST_EXPORTS_END:
		return "last_export_end";
	case PAST_STEADY_STATE:
		return "steady_state";
	case PAST_PROGRESS:
		return "progress_observation";
	case PAST_SERIES_BEGAN:
		return "quarantine_series_began";
	case PAST_CURRENT_BEGAN:
		return "quarantine_current_began";
	case PAST_RECORDED_START:
		return "recorded_start";
	case PAST_COUNT:
		break;
	}
	return "unknown";
}
