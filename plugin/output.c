/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every word the check prints, and its metrics as values, filled into a
 * report: the summary naming the worst job, one line per job, worst
 * first, the service principals that could not be read. */
#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encode.h"
#include "provlog.h"
#include "provlog_words.h"
#include "text.h"
#include "timeparse.h"

#define SECONDS_PER_DAY 86400.0
/* An error message can be a paragraph; the first line of output cannot. */
#define SUMMARY_MESSAGE_MAX 120
#define DETAIL_MESSAGE_MAX  400

/* ---- the words for one job ---- */

static void fmt_time(enum time_result valid, double t, char *buf, size_t n)
{
	if (valid == TIME_VALID)
		time_format(t, buf, n);
	else
		str_copy(buf, n, valid == TIME_NEVER ? "unknown" : "invalid time");
}

/* " (Code: message)" of an error, message cut to max bytes. */
static void error_words(const struct sync_error *err, size_t max, struct buf *b)
{
	char msg[JOB_TEXT_MAX];
	str_copy(msg, sizeof(msg), err->message);
	size_t keep = utf8_prefix(msg, max);
	bool cut = keep < strlen(msg);
	msg[keep] = '\0';
	buf_printf(b, "%s%s%s%s", err->code, err->code[0] && msg[0] ? ": " : "", msg,
	           cut ? "..." : "");
}

/* "10h ago" into out. */
static void ago_words(double seconds, char *out, size_t n)
{
	char d[40];
	duration_format(seconds, d, sizeof(d));
	snprintf(out, n, "%s ago", d);
}

/* "cycle in progress: 42 %, observed 2m ago; last completed cycle 10h ago" */
static void progress_words(const struct job_result *r, struct buf *b)
{
	char seen[48], done[48];
	ago_words(r->progress_age, seen, sizeof(seen));
	buf_printf(b, "cycle in progress: %.0f %%, observed %s; ", r->progress.percent, seen);
	if (r->age_known) {
		ago_words(r->last_success_age, done, sizeof(done));
		buf_printf(b, "last completed cycle %s", done);
	} else {
		buf_puts(b, "no completed cycle yet");
	}
}

static void active_words(const struct sync_job *job, const struct job_result *r, struct buf *b)
{
	char age[48] = "", every[64] = "";
	if (r->age_known)
		duration_format(r->last_success_age, age, sizeof(age));
	if (job_schedule_disabled(job)) {
		str_copy(every, sizeof(every), ", schedule disabled");
	} else if (job->interval_valid) {
		char iv[32];
		duration_format(job->interval_seconds, iv, sizeof(iv));
		snprintf(every, sizeof(every), ", every %s", iv);
	}
	if (r->cycle_in_progress) {
		buf_puts(b, "active, ");
		progress_words(r, b);
		buf_puts(b, every);
	} else if (r->age_known) {
		buf_printf(b, "active, last success %s ago%s", age, every);
	} else {
		buf_printf(b, "active, never succeeded%s", every);
	}
}

static void notrun_words(const struct job_result *r, struct buf *b)
{
	const struct sync_job *job = r->job;
	const struct task_execution *le = &job->last_execution;
	buf_puts(b, "first cycle still running");
	if (le->result != RUN_NONE && le->began_valid == TIME_VALID) {
		char t[32];
		time_format(le->time_began, t, sizeof(t));
		buf_printf(b, " since %s", t);
	}
	if (r->progress_known)
		buf_printf(b, " (%.0f%% done)", r->progress.percent);
}

/* brief (the first line): how long, why, when Entra gives up; the long
 * output adds the start time and the series count. codes: name the error's
 * code (the first line leaves it out when it has no room for it). While an episode is
 * open the episode says how long (each start begins a new series in Graph,
 * and with it Microsoft's 28 days): the first line leaves the series out. */
static void quarantine_words(const struct job_result *r, bool brief, bool codes, struct buf *b)
{
	const struct quarantine *q = &r->job->quarantine;
	bool series = !(brief && r->episode_open);
	buf_puts(b, "quarantined");
	if (brief && series && r->quarantine_age_known && r->quarantine_age > 0) {
		char d[32];
		duration_format(r->quarantine_age, d, sizeof(d));
		buf_printf(b, " for %s", d);
	}
	buf_printf(b, " (%s", q->reason[0] ? q->reason : "no reason given");
	if (codes && r->cause != NULL && r->cause->code[0])
		buf_printf(b, ": %s", r->cause->code);
	buf_puts(b, ")");
	if (!brief && q->series_began_valid == TIME_VALID) {
		char t[32];
		time_format(q->series_began, t, sizeof(t));
		buf_printf(b, " since %s", t);
	}
	if (!brief)
		buf_printf(b, ", series count %lld", (long long)r->quarantine_series);
	if (!series)
		return;
	if (r->days_to_disable > 0.0) {
		char d[32];
		duration_format(r->days_to_disable * SECONDS_PER_DAY, d, sizeof(d));
		buf_printf(b, ", automatic disable in %s", d);
	} else if (r->days_to_disable == 0.0) {
		buf_puts(b, ", automatic disable due (28 days passed)");
	}
}

static void status_words(const struct job_result *r, bool brief, bool codes, struct buf *b)
{
	const struct sync_job *job = r->job;
	switch (job->status) {
	case JOB_ACTIVE:
		active_words(job, r, b);
		break;
	case JOB_NOT_RUN:
		notrun_words(r, b);
		break;
	case JOB_NO_STATUS:
		buf_puts(b, "not configured (no status yet)");
		break;
	case JOB_NOT_CONFIGURED:
		buf_puts(b, "not configured");
		break;
	case JOB_PAUSED:
		buf_printf(b, "paused, schedule %s",
		           job->schedule_state[0] ? job->schedule_state : "unknown");
		break;
	case JOB_QUARANTINE:
		quarantine_words(r, brief, codes, b);
		break;
	case JOB_STATUS_OTHER:
		buf_printf(b, "unexpected status code '%s'", job->status_code);
		break;
	}
}

/* "> 4h" for the usual upper bound, the range itself otherwise. */
static void range_words(const struct range *r, bool durations, struct buf *b)
{
	if (!r->inside && !r->lo_inf && !r->hi_inf && r->lo == 0.0) {
		char v[48];
		if (durations)
			duration_format(r->hi, v, sizeof(v));
		else
			range_number_format(r->hi, v, sizeof(v));
		buf_printf(b, "> %s", v);
	} else {
		buf_printf(b, "range %s", r->text);
	}
}

static void run_state_words(const struct task_execution *le, struct buf *b)
{
	if (le->result == RUN_FAILED)
		buf_puts(b, "failed");
	else if (le->result == RUN_OTHER)
		buf_printf(b, "state '%s' (unknown to this plugin)", le->state);
	else
		buf_puts(b, le->state);
}

static void waiting_words(const struct job_result *r, bool codes, struct buf *b)
{
	char ago[32];
	duration_format(r->waiting_for, ago, sizeof(ago));
	buf_printf(b, "started by this plugin %s ago, waiting for its next cycle", ago);
	const struct task_execution *le = &r->job->last_execution;
	if (le->result == RUN_FAILED) {
		buf_puts(b, " (the last run before the start failed");
		const struct sync_error *err = r->cause != NULL ? r->cause : &le->error;
		if (codes && err->present && err->code[0])
			buf_printf(b, ": %s", err->code);
		buf_puts(b, ")");
	}
}

/* What Microsoft documents for a quarantine reason, with the page it comes
 * from (the man page, QUARANTINE REASONS, lists the same). Reasons Microsoft
 * does not explain get none. */
#define PAGE_QUARANTINE                                                                            \
	"https://learn.microsoft.com/entra/identity/app-provisioning/"                             \
	"application-provisioning-quarantine-status"
static const struct {
	const char *reason;
	struct report_advice advice;
} reason_advice[] = {
    {"EncounteredQuarantineException",
     {"Microsoft: the target application refused the credentials; enter valid admin "
      "credentials (Provisioning, Admin Credentials, Test Connection), then restart "
      "provisioning",
      PAGE_QUARANTINE}},
    {"EncounteredEscrowProportionThreshold",
     {"Microsoft: more than 40 % of the provisioning events failed; fix the failing objects "
      "(provisioning logs), then restart provisioning with escrows cleared",
      PAGE_QUARANTINE}},
    /* Microsoft's page says what happened and names no step: the support
     * case is this plugin's suggestion, so it is not put in Microsoft's
     * mouth. */
    {"QuarantinedOnDemand",
     {"Microsoft: it detected an issue with the application and set the quarantine by hand "
      "(no step is documented; only Microsoft support can say what it found)",
      PAGE_QUARANTINE}},
    {"TooManyDeletes",
     {"Microsoft: the deletion threshold was met; review the deletes waiting in the "
      "provisioning logs (action StagedDelete), then allow them, or undo their cause and "
      "restart provisioning (not before)",
      "https://learn.microsoft.com/entra/identity/app-provisioning/accidental-deletions"}},
};

/* API-driven inbound provisioning (templates API2AAD, API2AD). Microsoft
 * names the missing e-mail as the probable cause of a quarantine right after
 * the job was started, whatever the reason Graph gives. */
static const struct report_advice advice_api_driven = {
    "Microsoft: an API-driven inbound job quarantined just after it was started probably "
    "has no notification e-mail set; set one (Edit Provisioning, Settings), then restart "
    "provisioning",
    "https://learn.microsoft.com/entra/identity/app-provisioning/"
    "inbound-provisioning-api-issues"};
static const struct report_advice advice_escrows_pruned = {
    "Microsoft: after its initial cycle the job pauses and waits for the failing objects to "
    "be cleaned up (provisioning logs)",
    "https://learn.microsoft.com/graph/api/resources/synchronization-synchronizationstatus"};

static bool api_driven(const struct sync_job *job)
{
	return strcasecmp(job->template_id, "API2AAD") == 0 ||
	       strcasecmp(job->template_id, "API2AD") == 0;
}

/* The advice that applies to the job, in the order the words give it;
 * how many (at most REPORT_ADVICE_MAX). */
static size_t advice_of(const struct sync_job *job, const struct report_advice **out)
{
	size_t n = 0;
	const char *reason = job->quarantine.present ? job->quarantine.reason : "";
	if (job->status == JOB_QUARANTINE || (job->quarantine.present && reason[0])) {
		for (size_t i = 0; i < sizeof(reason_advice) / sizeof(reason_advice[0]); i++)
			if (strcasecmp(reason, reason_advice[i].reason) == 0)
				out[n++] = &reason_advice[i].advice;
		if (job->status == JOB_QUARANTINE && api_driven(job))
			out[n++] = &advice_api_driven;
	}
	if (job->escrows_pruned)
		out[n++] = &advice_escrows_pruned;
	return n;
}

void output_advice(const struct sync_job *job, struct buf *b)
{
	const struct report_advice *advice[REPORT_ADVICE_MAX];
	size_t n = advice_of(job, advice);
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i > 0 ? "; " : "", advice[i]->text);
}

/* "2026-11-20" of an epoch. */
static void date_words(double t, char *out, size_t n)
{
	char full[32];
	time_format(t, full, sizeof(full));
	full[strcspn(full, " ")] = '\0';
	str_copy(out, n, full);
}

/* "broken since 2026-11-20, 17d; 3 starts by this plugin did not help".
 * The first line of a job waiting after its only start says the start
 * already. */
static void episode_words(const struct job_result *r, bool brief, struct buf *b)
{
	char since[32], age[40], last[48];
	if (brief)
		date_words(r->episode_began, since, sizeof(since));
	else
		time_format(r->episode_began, since, sizeof(since));
	duration_format(r->episode_age, age, sizeof(age));
	buf_printf(b, "broken since %s, %s", since, age);
	if (brief && r->episode_starts == 1 && result_finding(r, FINDING_WAITING) != NULL)
		return;
	buf_printf(b, "; %zu start%s by this plugin %s", r->episode_starts,
	           r->episode_starts == 1 ? "" : "s", r->futile ? "did not help" : "so far");
	if (!brief && r->last_start > 0) {
		ago_words(r->last_start_age, last, sizeof(last));
		buf_printf(b, ", the last %s", last);
	}
}

/* The times that lay ahead of the clock: "steadyStateLastAchievedTime
 * 9999-12-31 23:59:59Z, ..." */
static void ahead_words(const struct job_result *r, struct buf *b)
{
	static const char *const names[PAST_COUNT] = {
	    [PAST_LAST_RUN_END] = "lastExecution.timeEnded",
	    [PAST_LAST_SUCCESS_END] = "lastSuccessfulExecution.timeEnded",
	    [PAST_EXPORTS_END] = "lastSuccessfulExecutionWithExports.timeEnded",
	    [PAST_STEADY_STATE] = "steadyStateLastAchievedTime",
	    [PAST_PROGRESS] = "progressObservationDateTime",
	    [PAST_SERIES_BEGAN] = "quarantine.seriesBegan",
	    [PAST_CURRENT_BEGAN] = "quarantine.currentBegan",
	    [PAST_RECORDED_START] = "a start recorded by this plugin",
	};
	size_t start = b->len;
	for (int i = 0; i < PAST_COUNT; i++) {
		if (!(r->ahead & (1u << i)))
			continue;
		char t[32];
		time_format(r->ahead_at[i], t, sizeof(t));
		buf_printf(b, "%s%s %s", b->len > start ? ", " : "", names[i], t);
	}
}

/* "schedule expires 2026-12-01 00:00:00Z (in 3d)" */
static void expiration_words(const struct job_result *r, struct buf *b)
{
	char when[32], d[40];
	time_format(r->job->expiration, when, sizeof(when));
	duration_format(fabs(r->expiration_in), d, sizeof(d));
	if (r->expiration_in > 0)
		buf_printf(b, "schedule expires %s (in %s)", when, d);
	else
		buf_printf(b, "schedule expired %s (%s ago)", when, d);
}

/* Microsoft pauses the job when the initial cycle whose errors it pruned
 * ends: only a Paused job is said to wait paused, so nobody looks for a
 * pause the portal does not show yet. */
static void escrows_pruned_words(const struct sync_job *job, bool brief, struct buf *b)
{
	bool paused = job->status == JOB_PAUSED;
	if (brief) {
		buf_puts(b, paused
		                ? "escrows pruned, paused for their clean-up"
		                : "escrows pruned in the initial cycle (Microsoft pauses the job "
		                  "for their clean-up)");
		return;
	}
	buf_printf(b,
	           "escrows pruned: the initial cycle reached the error threshold that would "
	           "quarantine the job; its per-object errors were dropped, and %s",
	           paused ? "the job waits paused for their clean-up"
	                  : "Microsoft pauses the job for their clean-up when that cycle ends");
}

/* The words of one finding; nothing when another finding already says it. */
static void finding_words(const struct job_result *r, const struct finding *f, bool brief,
                          bool codes, struct buf *b)
{
	const struct sync_job *job = r->job;
	const struct task_execution *le = &job->last_execution;
	switch (f->kind) {
	case FINDING_STATUS:
		status_words(r, brief, codes, b);
		break;
	case FINDING_LAST_RUN:
		if (r->run_error_is_cause && result_finding(r, FINDING_STATUS) != NULL &&
		    job->status == JOB_QUARANTINE)
			break; /* the quarantine's words already name its error */
		buf_puts(b, "last run ");
		run_state_words(le, b);
		if (codes && le->error.present && (le->error.code[0] || le->error.message[0])) {
			buf_puts(b, " (");
			error_words(&le->error, SUMMARY_MESSAGE_MAX, b);
			buf_puts(b, ")");
		}
		break;
	case FINDING_FAILURES:
		buf_printf(b, "%lld successive failure%s (", (long long)job->successive_failures,
		           job->successive_failures == 1 ? "" : "s");
		range_words(f->limit, false, b);
		buf_puts(b, ")");
		break;
	case FINDING_ESCROWED:
		buf_printf(b, "%lld escrowed (", (long long)le->count_escrowed);
		range_words(f->limit, false, b);
		buf_puts(b, ")");
		break;
	case FINDING_AGE:
		if (r->cycle_in_progress) {
			char seen[48];
			ago_words(r->progress_age, seen, sizeof(seen));
			buf_printf(b, "cycle in progress: %.0f %%, observed %s (",
			           r->progress.percent, seen);
			range_words(f->limit, true, b);
			buf_puts(b, ")");
			break;
		}
		/* fall through */
	case FINDING_EXPORT_AGE: {
		char age[48];
		bool exports = f->kind == FINDING_EXPORT_AGE;
		duration_format(exports ? r->last_export_age : r->last_success_age, age,
		                sizeof(age));
		buf_printf(b, "last %s %s ago (", exports ? "export" : "success", age);
		range_words(f->limit, true, b);
		buf_puts(b, ")");
		break;
	}
	case FINDING_INTERVAL:
		if (job->schedule_interval[0])
			buf_printf(b, "schedule interval '%s' cannot be read",
			           job->schedule_interval);
		else
			buf_puts(b, "the schedule has no interval");
		buf_puts(b, ", so no age thresholds apply (give -w/-c)");
		break;
	case FINDING_WAITING:
		waiting_words(r, codes, b);
		break;
	case FINDING_ESCROWS_PRUNED:
		escrows_pruned_words(job, brief, b);
		break;
	case FINDING_EXPIRATION:
		expiration_words(r, b);
		break;
	case FINDING_TIME_AHEAD:
		buf_puts(b, "success time ahead of this machine's clock, age unknown (");
		ahead_words(r, b);
		buf_puts(b, ")");
		break;
	case FINDING_OBJECT_ERRORS:
		provlog_words_count(r->objects, b);
		buf_puts(b, " (");
		range_words(f->limit, false, b);
		buf_puts(b, ")");
		provlog_words_mostly(r->objects, b);
		break;
	}
}

/* The episode follows the words of the job's status (or of its wait for
 * the next cycle): how long it has been broken is the next thing to know. */
static bool episode_follows(const struct job_result *r, const struct finding *f)
{
	return r->episode_open && r->state != STATE_OK &&
	       (f->kind == FINDING_STATUS || f->kind == FINDING_WAITING);
}

/* Returns where the episode's words end in b (0: none said). */
static size_t job_words(const struct job_result *r, bool brief, bool codes, struct buf *b)
{
	size_t start = b->len, episode_end = 0;
	bool episode_said = false;
	for (size_t i = 0; i < r->n_findings; i++) {
		size_t before = b->len;
		if (b->len > start)
			buf_puts(b, "; ");
		size_t words = b->len;
		finding_words(r, &r->findings[i], brief, codes, b);
		if (b->len == words) { /* nothing to add: take the separator back */
			b->len = before;
			if (b->data != NULL)
				b->data[before] = '\0';
		} else if (!episode_said && episode_follows(r, &r->findings[i])) {
			buf_puts(b, "; ");
			episode_words(r, brief, b);
			episode_said = true;
			episode_end = b->len;
		}
	}
	if (b->len == start)
		status_words(r, brief, codes, b);
	if (r->episode_open && r->state != STATE_OK && !episode_said) {
		buf_puts(b, "; ");
		episode_words(r, brief, b);
		episode_end = b->len;
	}
	/* An error the job carries is named on the first line, whatever its
	 * status, unless the words above already name it. */
	if (r->cause != NULL && r->job->status != JOB_QUARANTINE) {
		buf_puts(b, " - error ");
		error_words(r->cause, SUMMARY_MESSAGE_MAX, b);
	}
	text_clean_buf(b, start);
	return episode_end;
}

UNITTEST size_t output_job_summary(const struct job_result *r, struct buf *b)
{
	return job_words(r, true, true, b);
}

static void detail_counts(const struct task_execution *le, struct buf *b)
{
	if (le->result == RUN_NONE) {
		buf_puts(b, le->placeholder ? ", no execution yet (placeholder)"
		                            : ", no execution yet");
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

static void detail_quarantine(const struct job_result *r, struct buf *b)
{
	const struct quarantine *q = &r->job->quarantine;
	if (!q->present)
		return;
	char since[48], next[48];
	fmt_time(q->series_began_valid, q->series_began, since, sizeof(since));
	fmt_time(q->next_attempt_valid, q->next_attempt, next, sizeof(next));
	buf_printf(b, ", quarantine reason %s, series since %s, series count %lld, next attempt %s",
	           q->reason[0] ? q->reason : "(none)", since, (long long)q->series_count, next);
	if (r->days_to_disable >= 0.0)
		buf_printf(b, ", automatic disable in %.1f days", r->days_to_disable);
}

/* The error the long output explains: the cause, or the failed last run's. */
static const struct sync_error *detail_error(const struct job_result *r)
{
	if (r->cause != NULL)
		return r->cause;
	const struct task_execution *le = &r->job->last_execution;
	if (le->result != RUN_NONE && le->error.present &&
	    (le->error.code[0] || le->error.message[0]))
		return &le->error;
	return NULL;
}

UNITTEST void output_job_detail(const struct job_result *r, struct buf *b)
{
	const struct sync_job *job = r->job;
	size_t start = b->len;
	buf_printf(b, "%s [%s]: ", job->id, job->template_id);
	job_words(r, false, true, b);
	buf_printf(b, " -- status %s, schedule %s %s",
	           job->status_code_present ? job->status_code : "(none)",
	           job->schedule_interval[0] ? job->schedule_interval : "(none)",
	           job->schedule_state[0] ? job->schedule_state : "(none)");
	if (r->age_known) {
		char when[48];
		time_format(r->last_success, when, sizeof(when));
		buf_printf(b, ", last success %s", when);
	} else {
		buf_puts(b, ", last success never");
	}
	if (r->export_age_known) {
		char when[48];
		time_format(job->last_with_exports.time_ended, when, sizeof(when));
		buf_printf(b, ", last export %s", when);
	}
	buf_printf(b, ", successive failures %lld", (long long)job->successive_failures);
	detail_counts(&job->last_execution, b);
	if (r->progress_known)
		buf_printf(b, ", progress %.0f%%", r->progress.percent);
	const struct sync_error *err = detail_error(r);
	if (err != NULL) {
		buf_printf(b, ", error %s: ", err->code[0] ? err->code : "(no code)");
		struct sync_error copy = *err;
		copy.code[0] = '\0';
		error_words(&copy, DETAIL_MESSAGE_MAX, b);
		if (err->tenant_actionable)
			buf_puts(b, " (tenant actionable)");
	}
	detail_quarantine(r, b);
	if (r->ahead) {
		buf_puts(b, ", ahead of the clock, so not taken: ");
		ahead_words(r, b);
	}
	/* A start that did not help says so whether or not Microsoft
	 * documents a step for the reason (none is invented). */
	struct buf advice = {0};
	output_advice(job, &advice);
	if (advice.len > 0)
		buf_printf(b, "; %s%s", r->futile ? "the cause persists: " : "", advice.data);
	else if (r->futile)
		buf_puts(b, "; the cause persists");
	buf_free(&advice);
	if (job->troubleshooting_url[0])
		buf_printf(b, ", troubleshooting %s", job->troubleshooting_url);
	provlog_words_detail(r->objects, b);
	text_clean_buf(b, start);
}

/* ---- names, labels and order ---- */

struct view {
	const struct job_result *r;
	size_t index;             /* position in the results, for stable sorting */
	const char *name;         /* in text: the template, or the job id when shared */
	char prefix[SUBJECT_MAX]; /* perfdata label prefix */
};

static int by_state_then_index(const void *a, const void *b)
{
	const struct view *x = a, *y = b;
	int d = state_rank(y->r->state) - state_rank(x->r->state);
	if (d != 0)
		return d;
	return (x->index > y->index) - (x->index < y->index);
}

static const char *template_of(const struct job_result *r)
{
	return r->job->template_id;
}

static int by_template(const void *a, const void *b)
{
	const struct view *const *x = a, *const *y = b;
	int d = strcmp(template_of((*x)->r), template_of((*y)->r));
	return d != 0 ? d : ((*x)->index > (*y)->index) - ((*x)->index < (*y)->index);
}

/* Text names in O(n log n): the template, unless another job shares it. */
static int assign_names(struct view *v, size_t n)
{
	struct view **p = malloc((n ? n : 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		p[i] = &v[i];
	qsort(p, n, sizeof(*p), by_template);
	for (size_t i = 0; i < n; i++) {
		const char *t = template_of(p[i]->r);
		bool shared = (i > 0 && strcmp(t, template_of(p[i - 1]->r)) == 0) ||
		              (i + 1 < n && strcmp(t, template_of(p[i + 1]->r)) == 0);
		p[i]->name = shared || t[0] == '\0' ? p[i]->r->job->id : t;
	}
	free(p);
	return 0;
}

/* The longest metric name decides how long a prefix may be. */
#define METRIC_LONGEST 19 /* "successive_failures" */
#define PREFIX_ROOM    (LABEL_MAX - 1 - METRIC_LONGEST)
#define SUFFIX_HEX     6

static void reduce(const char *template_id, char *out, size_t room)
{
	size_t o = 0;
	for (const char *c = template_id; *c && o < room; c++) {
		unsigned char ch = (unsigned char)*c;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '_';
		out[o++] = ok ? (char)ch : '_';
	}
	out[o] = '\0';
	if (o == 0)
		str_copy(out, room + 1, "job");
}

static int by_prefix(const void *a, const void *b)
{
	const struct view *const *x = a, *const *y = b;
	int d = strcmp((*x)->prefix, (*y)->prefix);
	return d != 0 ? d : ((*x)->index > (*y)->index) - ((*x)->index < (*y)->index);
}

/* Where two or more jobs share a prefix, each gets "_" and hex digits of the
 * SHA-256 of its job id: stable for the job, whatever else the service
 * principal holds. Returns how many prefixes are still shared. */
static size_t suffix_shared(struct view **p, size_t n, size_t hex_digits)
{
	qsort(p, n, sizeof(*p), by_prefix);
	size_t still = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(p[j]->prefix, p[i]->prefix) == 0)
			j++;
		for (size_t k = i; j - i > 1 && k < j; k++) {
			unsigned char md[SHA256_LEN];
			char hex[2 * SHA256_LEN + 1];
			const char *id = p[k]->r->job->id;
			if (sha256(id, strlen(id), md) < 0)
				memset(md, 0, sizeof(md));
			hex_encode(md, sizeof(md), hex);
			hex[hex_digits] = '\0';
			size_t base = PREFIX_ROOM - 1 - hex_digits;
			if (strlen(p[k]->prefix) > base)
				p[k]->prefix[base] = '\0';
			size_t len = strlen(p[k]->prefix);
			snprintf(p[k]->prefix + len, SUBJECT_MAX - len, "_%s", hex);
			still++;
		}
		i = j;
	}
	return still;
}

static bool prefix_taken(struct view *const *p, size_t n, const char *candidate)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i]->prefix, candidate) == 0)
			return true;
	return false;
}

/* Jobs that still share a prefix (Graph sent one job id twice, or a
 * template spells another job's suffixed prefix) are told apart by their
 * order: the first keeps it, the others get "_2", "_3", ..., skipping any
 * number whose result another job already holds. One pass leaves every
 * prefix unique: each new one is checked against all the others. */
static void number_duplicates(struct view **p, size_t n)
{
	qsort(p, n, sizeof(*p), by_prefix); /* ties keep their index order */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(p[j]->prefix, p[i]->prefix) == 0)
			j++;
		size_t number = 2;
		for (size_t k = i + 1; k < j; k++) {
			char base[SUBJECT_MAX], candidate[SUBJECT_MAX];
			memcpy(base, p[k]->prefix, sizeof(base));
			do {
				char tag[24];
				snprintf(tag, sizeof(tag), "_%zu", number++);
				size_t room = PREFIX_ROOM - strlen(tag);
				snprintf(candidate, sizeof(candidate), "%.*s%s", (int)room, base,
				         tag);
			} while (prefix_taken(p, n, candidate));
			memcpy(p[k]->prefix, candidate, sizeof(candidate));
		}
		i = j;
	}
}

static bool any_shared(struct view **p, size_t n)
{
	qsort(p, n, sizeof(*p), by_prefix);
	for (size_t i = 1; i < n; i++)
		if (strcmp(p[i]->prefix, p[i - 1]->prefix) == 0)
			return true;
	return false;
}

static int assign_prefixes(struct view *v, size_t n)
{
	struct view **p = malloc((n ? n : 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		reduce(template_of(v[i].r), v[i].prefix, PREFIX_ROOM);
		p[i] = &v[i];
	}
	/* One round almost always does; longer suffixes only for a hash
	 * collision between jobs of one template. */
	size_t digits = SUFFIX_HEX;
	while (suffix_shared(p, n, digits) > 0 && any_shared(p, n) && digits < 14) {
		for (size_t i = 0; i < n; i++)
			reduce(template_of(v[i].r), v[i].prefix, PREFIX_ROOM);
		digits += 4;
	}
	/* Still shared: one job id sent twice, or a template that spells
	 * another job's suffixed prefix. */
	if (any_shared(p, n))
		number_duplicates(p, n);
	free(p);
	return 0;
}

#ifdef UNITTESTS
int output_prefixes(const struct job_result *r, size_t n, char (*out)[SUBJECT_MAX])
{
	struct view *v = calloc(n ? n : 1, sizeof(*v));
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v[i].r = &r[i];
		v[i].index = i;
	}
	int rc = assign_prefixes(v, n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		memcpy(out[i], v[i].prefix, SUBJECT_MAX);
	free(v);
	return rc;
}
#endif

/* ---- metrics ---- */

/* A metric without a value (a job that never succeeded has no age) is left
 * out rather than printed as 'U': Icinga 2 warns about every 'U' on every
 * check and its writers drop it anyway, so the graph shows the same gap.
 * Out of memory, the metric is left out too. */
static void metric_add(struct report *rep, size_t job, int tier, enum metric_id id, bool known,
                       double v, const char *unit, const struct range *warn,
                       const struct range *crit, bool min0)
{
	if (!known)
		return;
	struct report_metric m = {.job = job,
	                          .name = metric_name(id),
	                          .value = v,
	                          .unit = unit,
	                          .warn = warn,
	                          .crit = crit,
	                          .has_min = min0,
	                          .tier = tier};
	(void)report_metric(rep, &m);
}

static void job_metrics(struct report *rep, size_t k, const struct job_result *r)
{
	size_t first = rep->n_metrics;
	const struct task_execution *le = &r->job->last_execution;
	bool run = le->result != RUN_NONE;
	metric_add(rep, k, 1, METRIC_LAST_SUCCESS_AGE, r->age_known, r->last_success_age, "s",
	           &r->age_warn, &r->age_crit, true);
	metric_add(rep, k, 1, METRIC_SUCCESSIVE_FAILURES, true, (double)r->job->successive_failures,
	           "", &r->fail_warn, &r->fail_crit, true);
	metric_add(rep, k, 2, METRIC_ESCROWED, run && le->has_count_escrowed,
	           (double)le->count_escrowed, "", &r->escrow_warn, &r->escrow_crit, true);
	metric_add(rep, k, 2, METRIC_EXPORTED, run && le->has_count_exported,
	           (double)le->count_exported, "", NULL, NULL, false);
	metric_add(rep, k, 2, METRIC_IMPORTED, run && le->has_count_imported,
	           (double)le->count_imported, "", NULL, NULL, false);
	metric_add(rep, k, 1, METRIC_QUARANTINE_AGE, r->quarantine_age_known, r->quarantine_age,
	           "s", NULL, NULL, false);
	metric_add(rep, k, 2, METRIC_QUARANTINE_SERIES, true, (double)r->quarantine_series, "",
	           NULL, NULL, false);
	metric_add(rep, k, 2, METRIC_EPISODE_AGE, r->episode_open, r->episode_age, "s", NULL, NULL,
	           false);
	if (r->export_age_known || r->export_warn.set || r->export_crit.set)
		metric_add(rep, k, 2, METRIC_LAST_EXPORT_AGE, r->export_age_known,
		           r->last_export_age, "s", &r->export_warn, &r->export_crit, true);
	if (r->progress_known)
		metric_add(rep, k, 2, METRIC_PROGRESS, true, r->progress.percent, "%", NULL, NULL,
		           false);
	double failed;
	if (provlog_words_failed_objects(r, &failed))
		metric_add(rep, k, r->objects_warn.set || r->objects_crit.set ? 1 : 2,
		           METRIC_FAILED_OBJECTS, true, failed, "", &r->objects_warn,
		           &r->objects_crit, true);
	for (size_t i = first; i < rep->n_metrics; i++)
		rep->metric[i].ok = r->state == STATE_OK;
}

void output_run_facts(struct report *rep, const struct run_facts *facts)
{
	if (facts != NULL && facts->credential_known)
		metric_add(rep, REPORT_RUN, 1, METRIC_CREDENTIAL_EXPIRES_IN, true,
		           facts->credential_expires_in, "s", facts->credential_warn,
		           facts->credential_crit, false);
	double t = facts != NULL && isfinite(facts->http_seconds) && facts->http_seconds > 0
	               ? facts->http_seconds
	               : 0.0;
	struct report_metric time = {.job = REPORT_RUN,
	                             .name = metric_name(METRIC_TIME),
	                             .value = t,
	                             .unit = "s",
	                             .decimals = 3,
	                             .tier = 1};
	(void)report_metric(rep, &time);
	if (facts != NULL) {
		rep->credential = facts->credential;
		rep->now = facts->now;
	}
}

/* ---- the whole output ---- */

/* How many of the service principals asked about could not be read. */
static size_t sps_failed(const struct run_facts *facts)
{
	size_t n = 0;
	for (size_t i = 0; facts != NULL && i < facts->n_sps; i++)
		n += facts->sps[i].error != NULL;
	return n;
}

static const struct report_sp *first_failed(const struct run_facts *facts)
{
	for (size_t i = 0; i < facts->n_sps; i++)
		if (facts->sps[i].error != NULL)
			return &facts->sps[i];
	return NULL;
}

void output_sp_error(const struct report_sp *sp, struct buf *b)
{
	const char *id = sp->id != NULL ? sp->id : sp->app_id != NULL ? sp->app_id : "";
	if (sp->name != NULL)
		buf_printf(b, "service principal %s (%s): %s", sp->name, id,
		           sp->error != NULL ? sp->error : "");
	else
		buf_printf(b, "service principal %s: %s", id, sp->error != NULL ? sp->error : "");
}

/* Appends text to b cut (on a character boundary, with "...") to room bytes. */
static void append_cut(struct buf *b, const char *text, size_t room)
{
	size_t len = strlen(text);
	if (len <= room) {
		buf_puts(b, text);
		return;
	}
	size_t keep = room > 3 ? utf8_prefix(text, room - 3) : 0;
	buf_append(b, text, keep);
	buf_puts(b, "...");
}

/* The worst job's name and words into the empty why. When the episode (how
 * long it has been broken, the starts that did not help) would be cut off,
 * the error codes give way: the long output names them. */
static void worst_job_words(const struct view *v, size_t room, struct buf *why)
{
	buf_printf(why, "%s ", v->name);
	size_t episode_end = output_job_summary(v->r, why);
	if (episode_end <= room)
		return;
	why->len = 0;
	why->data[0] = '\0';
	buf_printf(why, "%s ", v->name);
	job_words(v->r, true, false, why);
}

/* Under SUMMARY_MAX bytes whatever the number of jobs: the worst job and
 * why (cut to leave room), then the other jobs that are not OK by name, as
 * many as fit ("; also scim, slack and 3 more"). */
static void summary_line(const struct view *v, size_t n, const struct run_facts *facts,
                         struct buf *b)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += v[i].r->state != STATE_OK;
	struct buf why = {0}, also = {0}, cred = {0};
	output_credential_clause(facts, &cred);
	size_t failed = sps_failed(facts);
	if (failed > 0)
		buf_printf(&cred, "; %zu of %zu service principals not read", failed, facts->n_sps);
	if (n == 0 && failed > 0) {
		buf_puts(&why, ": ");
		output_sp_error(first_failed(facts), &why);
	}
	for (size_t k = 1; k < bad; k++) {
		char more[48];
		snprintf(more, sizeof(more), " and %zu more", bad - k);
		if (also.len + strlen(v[k].name) + 2 + strlen(more) > 60) {
			buf_puts(&also, more);
			break;
		}
		buf_printf(&also, "%s%s", k == 1 ? "; also " : ", ", v[k].name);
	}
	if (n == 0)
		buf_puts(b, "no job could be read");
	else if (n > 1 && bad == 0)
		buf_printf(b, "all %zu jobs OK", n);
	else if (n > 1)
		buf_printf(b, "%zu of %zu jobs not OK: ", bad, n);
	size_t tail = also.len + (cred.len < 80 ? cred.len : 80);
	size_t room = SUMMARY_MAX > b->len + tail ? SUMMARY_MAX - b->len - tail : 8;
	if (n == 1 || bad > 0)
		worst_job_words(&v[0], room, &why);
	if (why.len > 0)
		append_cut(b, why.data, room);
	if (also.len > 0)
		buf_puts(b, also.data);
	if (cred.len > 0)
		append_cut(b, cred.data, SUMMARY_MAX > b->len ? SUMMARY_MAX - b->len : 0);
	buf_free(&why);
	buf_free(&also);
	buf_free(&cred);
	text_clean_buf(b, 0);
	if (b->len > SUMMARY_MAX) { /* names alone can be long */
		size_t keep = utf8_prefix(b->data, SUMMARY_MAX - 3);
		b->len = keep;
		b->data[keep] = '\0';
		buf_puts(b, "...");
	}
}

/* How the Nagios writer names the jobs it hides or folds. */
static const struct report_words check_words = {.hidden = "jobs not OK",
                                                .folded_one = "job OK",
                                                .folded_many = "jobs OK",
                                                .errors = "service principals not read"};

/* One job's line and facts, the k-th of the report. */
static int add_job(struct report *rep, size_t k, const struct view *v, bool bare,
                   const struct run_facts *facts)
{
	const struct job_result *r = v->r;
	struct report_job *j = &rep->job[k];
	j->result = r;
	memcpy(j->subject, bare ? "" : v->prefix, bare ? 1 : SUBJECT_MAX);
	j->sp = facts != NULL && facts->job_sp != NULL ? facts->job_sp[v->index] : REPORT_NONE;
	j->line = rep->n_lines;
	if (r->state == STATE_OK && rep->fold_from == rep->n_jobs)
		rep->fold_from = k;
	struct report_line *l = report_line(rep, r->state, v->name);
	if (l == NULL)
		return -1;
	buf_printf(&l->text, "[%s] ", state_name(r->state));
	/* Several service principals: each line names its job's. */
	if (j->sp != REPORT_NONE && facts->n_sps > 1) {
		const struct report_sp *sp = &facts->sps[j->sp];
		buf_printf(&l->text, "(%s) ", sp->name != NULL ? sp->name : sp->id);
	}
	output_job_detail(r, &l->text);
	text_clean_buf(&l->text, 0);
	j->n_advice = advice_of(r->job, j->advice);
	job_metrics(rep, k, r);
	return 0;
}

int output_check(struct report *rep, const struct job_result *results, size_t n,
                 const struct output_options *opt, const struct run_facts *facts, struct err *e)
{
	struct view *v = calloc(n ? n : 1, sizeof(*v));
	rep->job = calloc(n ? n : 1, sizeof(*rep->job));
	if (v == NULL || rep->job == NULL) {
		free(v);
		return err_set(e, ERR_INTERNAL, "out of memory writing the output");
	}
	for (size_t i = 0; i < n; i++) {
		v[i].r = &results[i];
		v[i].index = i;
	}
	if (assign_names(v, n) < 0 || (!opt->bare_labels && assign_prefixes(v, n) < 0)) {
		free(v);
		return err_set(e, ERR_INTERNAL, "out of memory writing the output");
	}
	qsort(v, n, sizeof(*v), by_state_then_index);

	size_t n_errs = sps_failed(facts);
	rep->state = results_worst(results, n);
	if (facts != NULL && facts->credential_known)
		rep->state = state_worst(rep->state, facts->credential_state);
	if (n_errs > 0)
		rep->state = state_worst(rep->state, STATE_UNKNOWN);
	summary_line(v, n, facts, &rep->summary);
	rep->words = check_words;
	rep->n_jobs = n;
	rep->fold_from = n;
	if (facts != NULL) {
		rep->sp = facts->sps;
		rep->n_sp = facts->n_sps;
	}
	int rc = 0;
	for (size_t k = 0; rc == 0 && k < n; k++)
		rc = add_job(rep, k, &v[k], opt->bare_labels, facts);
	free(v);
	for (size_t i = 0; rc == 0 && n_errs > 0 && i < facts->n_sps; i++) {
		if (facts->sps[i].error == NULL)
			continue;
		struct buf *b = report_error(rep);
		if (b == NULL) {
			rc = -1;
			break;
		}
		buf_puts(b, "[UNKNOWN] ");
		output_sp_error(&facts->sps[i], b);
		text_clean_buf(b, 0);
	}
	if (rc < 0)
		return err_set(e, ERR_INTERNAL, "out of memory writing the output");
	output_run_facts(rep, facts);
	if (facts != NULL && facts->note[0])
		report_note(rep, facts->note);
	struct buf refusal = {0}, skipped = {0};
	provlog_words_notes(results, n, &refusal, &skipped);
	if (refusal.len > 0)
		report_note(rep, refusal.data);
	if (skipped.len > 0)
		report_note(rep, skipped.data);
	buf_free(&refusal);
	buf_free(&skipped);
	return 0;
}

/* ---- the credential's end ---- */

static void expiry_what(const struct expiry_result *x, char *out, size_t n)
{
	if (x->source == EXPIRY_SOURCE_CERTIFICATE)
		str_copy(out, n, "certificate");
	else if (x->name[0])
		snprintf(out, n, "client secret '%s'", x->name);
	else
		str_copy(out, n, "client secret");
	text_clean(out);
}

/* "below 30d" for the usual lower bound, the range itself otherwise. */
static void below_words(const struct range *r, struct buf *b)
{
	if (r->set && r->hi_inf && !r->lo_inf && !r->inside) {
		char d[48];
		duration_format(r->lo, d, sizeof(d));
		buf_printf(b, "below %s", d);
	} else if (r->set) {
		buf_printf(b, "range %s", r->text);
	} else {
		buf_puts(b, "none");
	}
}

static void expiry_known_line(const struct expiry_result *x, struct buf *b)
{
	char what[200], when[48], left[48];
	expiry_what(x, what, sizeof(what));
	time_format(x->end, when, sizeof(when));
	duration_format(fabs(x->expires_in), left, sizeof(left));
	buf_printf(b, "[%s] %s", state_name(x->state), what);
	if (x->source == EXPIRY_SOURCE_CERTIFICATE && x->name[0])
		buf_printf(b, " (%s)", x->name);
	else if (x->key_id[0])
		buf_printf(b, " (Secret ID %s)", x->key_id);
	if (x->expires_in > 0)
		buf_printf(b, " ends %s, in %s (warning ", when, left);
	else
		buf_printf(b, " ended %s, %s ago (warning ", when, left);
	below_words(&x->warn, b);
	buf_puts(b, ", critical ");
	below_words(&x->crit, b);
	buf_puts(b, ")");
	if (x->matching > 1)
		buf_printf(b,
		           "; %zu of the application's %zu client secrets share its hint (the "
		           "first three characters): the one ending first is reported",
		           x->matching, x->secrets);
	if (x->source == EXPIRY_SOURCE_SECRET) {
		char ago[48];
		duration_format(x->checked_age > 0 ? x->checked_age : 0, ago, sizeof(ago));
		buf_printf(b, "; application read %s ago, again after a day", ago);
	}
}

/* Graph sends no end date: what is true is that it does not expire, and no
 * credential_expires_in can say so (none is printed). */
static void expiry_no_end_line(const struct expiry_result *x, struct buf *b)
{
	char what[200], ago[48];
	expiry_what(x, what, sizeof(what));
	buf_printf(b, "[OK] %s", what);
	if (x->key_id[0])
		buf_printf(b, " (Secret ID %s)", x->key_id);
	duration_format(x->checked_age > 0 ? x->checked_age : 0, ago, sizeof(ago));
	buf_printf(b,
	           " has no end date: it never expires; application read %s ago, again after a "
	           "day",
	           ago);
}

static void expiry_note(const struct expiry_result *x, struct buf *b)
{
	switch (x->status) {
	case EXPIRY_NOT_APPLICABLE:
		return;
	case EXPIRY_KNOWN:
		expiry_known_line(x, b);
		return;
	case EXPIRY_NO_END:
		expiry_no_end_line(x, b);
		return;
	case EXPIRY_NO_PERMISSION:
		buf_puts(b, "client secret expiry unknown: reading the application needs the "
		            "Microsoft Graph application permission Application.Read.All; asked "
		            "again after a day");
		return;
	case EXPIRY_NO_APPLICATION:
		buf_puts(b, "client secret expiry unknown: the tenant holds no application object "
		            "for this client id (registered in another tenant?); asked again after "
		            "a day");
		return;
	case EXPIRY_NO_MATCH:
		buf_printf(b,
		           "client secret expiry unknown: none of the application's %zu client "
		           "secret%s has the hint (the first three characters) of the one in use; "
		           "asked again after a day",
		           x->secrets, x->secrets == 1 ? "" : "s");
		return;
	case EXPIRY_LOOKUP_FAILED:
		buf_printf(b, "client secret expiry unknown (asked again within the hour): %s",
		           x->why);
		return;
	}
}

void output_expiry_facts(const struct expiry_result *x, struct run_facts *f)
{
	f->credential = x;
	f->credential_known = x->status == EXPIRY_KNOWN;
	f->credential_expires_in = x->expires_in;
	f->credential_state = x->state;
	f->credential_warn = &x->warn;
	f->credential_crit = &x->crit;
	expiry_what(x, f->credential_what, sizeof(f->credential_what));
	struct buf b = {0};
	expiry_note(x, &b);
	text_copy(f->note, sizeof(f->note), b.data != NULL ? b.data : "");
	buf_free(&b);
}

/* "<what> expires in 20d" or "<what> has expired". */
static void expiry_words(const char *what, double expires_in, char *out, size_t n)
{
	char left[48];
	duration_format(expires_in, left, sizeof(left));
	if (expires_in > 0)
		snprintf(out, n, "%s expires in %s", what, left);
	else
		snprintf(out, n, "%s has expired", what);
}

void output_credential_clause(const struct run_facts *f, struct buf *b)
{
	if (f == NULL || !f->credential_known || f->credential_state == STATE_OK)
		return;
	char words[sizeof(f->credential_what) + 64];
	expiry_words(f->credential_what, f->credential_expires_in, words, sizeof(words));
	buf_printf(b, "; %s", words);
}

void output_expiry_clause(const struct expiry_result *x, char *out, size_t n)
{
	str_copy(out, n, "");
	if (x->status != EXPIRY_KNOWN || x->state == STATE_OK)
		return;
	char what[200], words[280];
	expiry_what(x, what, sizeof(what));
	expiry_words(what, x->expires_in, words, sizeof(words));
	snprintf(out, n, "%s (%s)", words, state_name(x->state));
	text_clean(out);
}
