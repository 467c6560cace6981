/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --event-handler: decide from the service state, re-read the job live and
 * start it only when check mode's own judgement calls for it, under a per-job
 * lock, a cooldown and a daily limit, the attempt recorded before the POST.
 * The rules are in the man page (EVENT HANDLER); the reasons in
 * doc/design.md. */
#include "handler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "batch.h"
#include "eventlog.h"
#include "expiry.h"
#include "graph.h"
#include "modes.h"
#include "options.h"
#include "output.h"
#include "provlog.h"
#include "provlog_words.h"
#include "run.h"
#include "securedir.h"
#include "statefile.h"
#include "text.h"
#include "timeparse.h"

/* Seconds of -t a read of the provisioning logs leaves for the start and
 * the re-read after it. */
#define OBJECTS_RESERVE 5.0

/* Exit statuses, in the order they override each other. */
enum {
	EXIT_DONE = 0,
	EXIT_RULES = 1,
	EXIT_GRAPH_REFUSED = 2,
	EXIT_UNKNOWN = 3,
};

/* The reasons started by default: those whose cause may be gone when a
 * start retries sooner than Microsoft's own schedule. No Microsoft page
 * lists reasons a start cures: a start clears the quarantine at once, and if
 * the cause remains the next cycle quarantines the job again (then the
 * backoff holds the next start). The man page, QUARANTINE REASONS, says why
 * each is in or out. */
static const char *const started_by_default[] = {
    "EncounteredBaseEscrowThreshold",
    "EncounteredTotalEscrowThreshold",
    "EncounteredEscrowProportionThreshold",
    "EncounteredQuarantineException",
    "IngestionInterrupted",
    "Unknown",
};

UNITTEST bool handler_reason_allowed(const struct handler_options *h, const char *reason)
{
	if (reason == NULL)
		reason = "";
	if (h->n_allow_reasons > 0) {
		for (size_t i = 0; i < h->n_allow_reasons; i++)
			if (strcasecmp(h->allow_reasons[i], reason) == 0)
				return true;
		return false;
	}
	for (size_t i = 0; i < sizeof(started_by_default) / sizeof(started_by_default[0]); i++)
		if (strcasecmp(started_by_default[i], reason) == 0)
			return true;
	return false;
}

static const char *reason_of(const struct sync_job *job)
{
	return job->quarantine.present ? job->quarantine.reason : "";
}

UNITTEST enum repair handler_decide(const struct handler_options *h, const struct job_result *r)
{
	if (r->state == STATE_OK)
		return REPAIR_NOTHING;
	const char *reason = reason_of(r->job);
	/* Microsoft paused it for the clean-up of its failing objects: a
	 * start would skip that, whatever --start-paused says. */
	if (r->job->escrows_pruned &&
	    (r->job->status == JOB_QUARANTINE || r->job->status == JOB_PAUSED))
		return REPAIR_ESCROWS_PRUNED;
	switch (r->job->status) {
	case JOB_QUARANTINE:
		return handler_reason_allowed(h, reason) ? REPAIR_START : REPAIR_REASON_DENIED;
	case JOB_PAUSED:
		if (!h->start_paused)
			return REPAIR_PAUSED_LEFT;
		/* A paused job may still carry the quarantine that paused it. */
		if (*reason && !handler_reason_allowed(h, reason))
			return REPAIR_REASON_DENIED;
		return REPAIR_START;
	default:
		return REPAIR_NOTHING;
	}
}

UNITTEST void handler_describe_state(const struct handler_options *h, char *out, size_t n)
{
	if (!h->have_service_state || !h->have_state_type) {
		snprintf(out, n, "service state not given");
		return;
	}
	int len = snprintf(out, n, "%s %s", state_name(h->service_state),
	                   h->state_hard ? "HARD" : "SOFT");
	if (h->attempt > 0 && len >= 0 && (size_t)len < n)
		snprintf(out + len, n - (size_t)len, " attempt %d", h->attempt);
}

UNITTEST bool handler_should_act(const struct handler_options *h)
{
	if (!h->have_service_state || !h->have_state_type || h->service_state != STATE_CRITICAL)
		return false;
	if (h->state_hard)
		return true;
	return h->on_soft_attempt > 0 && h->attempt == h->on_soft_attempt;
}

/* ---- acting ---- */

struct handler_run {
	const struct mode_env *m;
	const struct handler_options *h;
	int dir_fd;
	/* The credential's end, known after the first Graph request: a
	 * credential about to expire does not stop a repair, but every
	 * decision line says so. */
	bool expiry_known;
	char expiry_clause[300];
};

static void learn_expiry(struct handler_run *r)
{
	if (r->expiry_known)
		return;
	struct expiry_result x;
	mode_credential_expiry(r->m, &x);
	output_expiry_clause(&x, r->expiry_clause, sizeof(r->expiry_clause));
	r->expiry_known = true;
}

/* One decision: one line on stdout and the same line in syslog. */
static void report(struct handler_run *r, int prio, const char *job, const char *action,
                   const char *why, const char *request_id)
{
	char line[2048], shown[JOB_ID_SHOWN];
	text_copy(shown, sizeof(shown), job);
	int len = snprintf(line, sizeof(line), "job %s: %s - %s", shown, action, why);
	if (len >= 0 && (size_t)len < sizeof(line) && r->expiry_clause[0])
		len += snprintf(line + len, sizeof(line) - (size_t)len, "; note: %s",
		                r->expiry_clause);
	if (len >= 0 && (size_t)len < sizeof(line)) {
		if (request_id == NULL)
			snprintf(line + len, sizeof(line) - (size_t)len, " (no Graph request)");
		else if (*request_id && strstr(why, request_id) == NULL)
			snprintf(line + len, sizeof(line) - (size_t)len, " (request-id %s)",
			         request_id);
	}
	text_clean(line);
	fprintf(r->m->out, "%s\n", line);
	eventlog(r->h->syslog_socket, prio, line);
}

static int worse_exit(int a, int b)
{
	return a > b ? a : b;
}

/* --object-errors: what the logs of the job's last cycle say, after the
 * decision ("; top object error ..."). */
static void objects_clause(const struct handler_run *r, const struct job_result *jr, char *out,
                           size_t n)
{
	if (!r->m->cfg->object_errors || !evaluate_wants_object_errors(jr))
		return;
	struct provlog_result o;
	char clause[700];
	mode_object_errors(r->m, jr, 1, OBJECTS_RESERVE, &o);
	provlog_words_clause(&o, clause, sizeof(clause));
	size_t len = strlen(out);
	if (clause[0] && len < n)
		snprintf(out + len, n - len, "; %s", clause);
}

/* The decision in words: "quarantined (EncounteredQuarantineException)". */
static void repair_words(const struct handler_run *r, const struct job_result *jr, enum repair d,
                         char *out, size_t n)
{
	const char *reason = reason_of(jr->job);
	const char *shown = *reason ? reason : "no reason given";
	switch (d) {
	case REPAIR_START:
		if (jr->job->status == JOB_PAUSED)
			snprintf(out, n, "paused (--start-paused)");
		else
			snprintf(out, n, "quarantined (%s)", shown);
		return;
	case REPAIR_REASON_DENIED:
		if (strcasecmp(reason, "TooManyDeletes") == 0)
			snprintf(out, n,
			         "quarantined (%s): an administrator must approve or reject "
			         "the deletes, never started automatically",
			         shown);
		else if (strcasecmp(reason, "QuarantinedOnDemand") == 0)
			snprintf(out, n,
			         "quarantined (%s): Microsoft quarantined it by hand, never "
			         "started automatically",
			         shown);
		else if (*reason == '\0')
			snprintf(out, n,
			         "quarantined with no reason given: not started (allow with "
			         "--allow-reason '')");
		else if (r->h->n_allow_reasons > 0)
			snprintf(out, n, "quarantined (%s): not in --allow-reason, not started",
			         shown);
		else
			snprintf(out, n,
			         "quarantined (%s): a reason this plugin does not know, never "
			         "started blindly (see --allow-reason)",
			         shown);
		return;
	case REPAIR_PAUSED_LEFT:
		snprintf(out, n, "paused, left alone without --start-paused");
		return;
	case REPAIR_ESCROWS_PRUNED:
		snprintf(out, n,
		         "%s with escrows pruned: Microsoft pauses such a job for the clean-up of "
		         "its failing objects, never started automatically (--start --force after "
		         "the clean-up)",
		         jr->job->status == JOB_PAUSED ? "paused" : "quarantined");
		return;
	case REPAIR_NOTHING:
		break;
	}
	if (result_finding(jr, FINDING_WAITING) != NULL) {
		char ago[32];
		duration_format(jr->waiting_for, ago, sizeof(ago));
		snprintf(out, n, "%s, started by this plugin %s ago and waiting for its next cycle",
		         jr->job->status_code, ago);
	} else if (jr->state == STATE_OK)
		snprintf(out, n, "%s, nothing to repair",
		         jr->job->status_code_present ? jr->job->status_code : "no status yet");
	else
		snprintf(out, n, "%s (%s), not something a start repairs",
		         jr->job->status_code_present ? jr->job->status_code : "no status yet",
		         state_name(jr->state));
}

/* The decision, then what the logs say about the job. */
static void decision_words(const struct handler_run *r, const struct job_result *jr, enum repair d,
                           char *out, size_t n)
{
	repair_words(r, jr, d, out, n);
	objects_clause(r, jr, out, n);
}

static int exit_for(enum repair d)
{
	return d == REPAIR_REASON_DENIED || d == REPAIR_PAUSED_LEFT || d == REPAIR_ESCROWS_PRUNED
	           ? EXIT_RULES
	           : EXIT_DONE;
}

/* "; the start 40m ago did not help (...)" when the last start was futile,
 * and "; a start recorded for <time> lies ahead of the clock ..." when the
 * history holds one no clock can have made. */
static void history_words(const struct job_result *jr, const struct start_record *rec, char *out,
                          size_t n)
{
	int len = 0;
	out[0] = '\0';
	if (jr->futile) {
		char ago[32];
		duration_format(jr->last_start_age, ago, sizeof(ago));
		/* "earlier": the line may report the start that makes one more */
		len = snprintf(out, n,
		               "; the start %s ago did not help (quarantined again for the same "
		               "reason, no successful cycle since; %zu earlier start%s in this "
		               "episode)",
		               ago, jr->episode_starts, jr->episode_starts == 1 ? "" : "s");
	}
	if (rec != NULL && rec->ahead > 0 && len >= 0 && (size_t)len < n) {
		char when[32];
		time_format(rec->ahead, when, sizeof(when));
		snprintf(out + len, n - (size_t)len,
		         "; a start recorded for %s lies ahead of the clock and is not waited on",
		         when);
	}
}

/* Appends "; <what Microsoft says to do>" for the job to a decision. */
static void add_advice(const struct sync_job *job, char *why, size_t n)
{
	struct buf b = {0};
	output_advice(job, &b);
	size_t used = strlen(why);
	if (b.len > 0 && used < n)
		snprintf(why + used, n - used, "; %s", b.data);
	buf_free(&b);
}

static void describe_refusal(enum start_verdict v, const struct handler_options *h,
                             const struct job_state *js, double now, double wait, const char *what,
                             char *out, size_t n)
{
	char wait_text[32];
	duration_format(wait, wait_text, sizeof(wait_text));
	if (v == START_COOLDOWN || v == START_BACKOFF) {
		char age_text[32], gap_text[32];
		double gap = start_rules_gap(&js->history, now, h->cooldown, v == START_BACKOFF);
		duration_format(gap - wait, age_text, sizeof(age_text));
		duration_format(gap, gap_text, sizeof(gap_text));
		if (v == START_BACKOFF)
			snprintf(
			    out, n,
			    "%s, so the next start waits twice the previous gap (%s; --cooldown "
			    "%lds, at most 7d): allowed in %s",
			    what, gap_text, h->cooldown, wait_text);
		else
			snprintf(
			    out, n,
			    "%s, but the last start was %s ago; --cooldown %lds allows the next "
			    "in %s",
			    what, age_text, h->cooldown, wait_text);
	} else if (h->max_starts <= 0) {
		snprintf(out, n, "%s, but --max-starts 0 allows no start", what);
	} else {
		snprintf(out, n,
		         "%s, but %zu starts in the last 24 h reach --max-starts %d; next start "
		         "allowed in %s",
		         what, start_history_recent(&js->history, now), h->max_starts, wait_text);
	}
}

/* The job as check mode judges it, with this plugin's starts when known. */
static void evaluate_live(const struct handler_run *r, const struct sync_job *job,
                          const struct start_record *rec, struct job_result *out)
{
	struct job_context ctx = {.now = clock_wall(), .starts = rec};
	evaluate_job(job, &r->m->cfg->eval, &ctx, out);
}

/* After the POST: the job's status as Graph now reports it. */
static void status_afterwards(struct handler_run *r, const struct sp_ref *sp, const char *job_id,
                              char *out, size_t n)
{
	struct err e = {0};
	struct sync_job *after = calloc(1, sizeof(*after));
	if (after == NULL)
		snprintf(out, n, "status afterwards unknown: out of memory");
	else if (graph_get_job(r->m->g, sp, job_id, after, &e) < 0)
		snprintf(out, n, "status afterwards unknown: %s", e.msg);
	else if (!after->status_code_present)
		snprintf(out, n, "status afterwards not reported");
	else if (after->quarantine.present && after->quarantine.reason[0])
		snprintf(out, n, "now %s (%s)", after->status_code, after->quarantine.reason);
	else
		snprintf(out, n, "now %s", after->status_code);
	free(after);
}

/* Records the attempt, then starts. A start that cannot be recorded is not
 * made: the cooldown and the cap would not see it. */
static int start_recorded(struct handler_run *r, const struct sp_ref *sp,
                          const struct job_result *jr, struct job_state *js, const char *what)
{
	struct err e = {0};
	const char *job_id = jr->job->id;
	char why[1536], after[600];
	double when = clock_wall();
	if (job_state_record(js, when, ORIGIN_HANDLER, reason_of(jr->job), jr->broken_since,
	                     jr->age_known ? jr->last_success : 0, &e) < 0) {
		job_state_release(js);
		snprintf(why, sizeof(why),
		         "%s; not started: the attempt could not be recorded first "
		         "(%s)",
		         what, e.msg);
		report(r, LOG_ERR, job_id, "error", why, NULL);
		return EXIT_UNKNOWN;
	}
	enum start_outcome out = graph_start_job(r->m->g, sp, job_id, &e);
	char request_id[sizeof(r->m->g->last_request_id)];
	str_copy(request_id, sizeof(request_id), r->m->g->last_request_id);
	if (out == START_REFUSED || out == START_NOT_SENT) {
		struct err u = {0};
		char note[700] = "";
		if (job_state_unrecord(js, when, &u) < 0)
			snprintf(note, sizeof(note), " (still counted: %s)", u.msg);
		job_state_release(js);
		if (out == START_NOT_SENT) {
			snprintf(why, sizeof(why), "%s; no start was sent: %s%s", what, e.msg,
			         note);
			report(r, LOG_ERR, job_id, "error", why, NULL);
			return EXIT_UNKNOWN;
		}
		snprintf(why, sizeof(why), "%s; Graph refused the start: %s%s", what, e.msg, note);
		report(r, LOG_WARNING, job_id, "refused", why, request_id);
		return EXIT_GRAPH_REFUSED;
	}
	job_state_release(js);
	if (out == START_MAYBE) {
		snprintf(why, sizeof(why),
		         "%s; the start may have happened (%s); counted as a start for --cooldown "
		         "and --max-starts",
		         what, e.msg);
		report(r, LOG_ERR, job_id, "error", why, request_id);
		return EXIT_UNKNOWN;
	}
	status_afterwards(r, sp, job_id, after, sizeof(after));
	snprintf(why, sizeof(why), "was %s; %s", what, after);
	add_advice(jr->job, why, sizeof(why));
	report(r, LOG_NOTICE, job_id, "started", why, request_id);
	return EXIT_DONE;
}

/* Lock, re-read live, judge (with the job's start history), check the
 * rules, record, start, unlock. The re-read under the lock keeps two
 * handlers fired together from starting one job twice even with --cooldown
 * 0: the second sees the job running. job_id is as Graph spells it. */
static int act_on_job(struct handler_run *r, const struct sp_ref *sp, const char *job_id)
{
	struct err e = {0};
	struct job_state *js = calloc(1, sizeof(*js));
	struct sync_job *job = calloc(1, sizeof(*job));
	char why[1536];
	if (js == NULL || job == NULL) {
		free(js);
		free(job);
		report(r, LOG_ERR, job_id, "error", "out of memory", NULL);
		return EXIT_UNKNOWN;
	}
	int rc = EXIT_UNKNOWN;
	if (job_state_acquire(r->dir_fd, job_id, r->m->run->deadline, js, &e) < 0) {
		snprintf(why, sizeof(why), "cannot use the state directory %s: %s", r->h->state_dir,
		         e.msg);
		report(r, LOG_ERR, job_id, "error", why, NULL);
		goto done;
	}
	if (graph_get_job(r->m->g, sp, job_id, job, &e) < 0) {
		job_state_release(js);
		snprintf(why, sizeof(why), "could not read the job: %s", e.msg);
		report(r, LOG_ERR, job_id, "error", why, r->m->g->last_request_id);
		goto done;
	}
	learn_expiry(r);
	double now = clock_wall();
	struct start_record rec;
	start_history_summary(&js->history, now, &rec);
	struct job_result jr;
	evaluate_live(r, job, &rec, &jr);
	enum repair d = handler_decide(r->h, &jr);
	char what[1024], history[300];
	decision_words(r, &jr, d, what, sizeof(what));
	history_words(&jr, &rec, history, sizeof(history));
	if (d != REPAIR_START) {
		job_state_release(js);
		snprintf(why, sizeof(why), "%s%s", what, history);
		add_advice(job, why, sizeof(why));
		report(r, LOG_INFO, job_id, "skipped", why, r->m->g->last_request_id);
		rc = exit_for(d);
		goto done;
	}
	char full[1400];
	snprintf(full, sizeof(full), "%s%s", what, history);
	double wait = 0;
	enum start_verdict v = start_rules_check(&js->history, now, r->h->cooldown,
	                                         r->h->max_starts, jr.futile, &wait);
	if (v != START_ALLOWED) {
		describe_refusal(v, r->h, js, now, wait, full, why, sizeof(why));
		job_state_release(js);
		add_advice(job, why, sizeof(why));
		report(r, LOG_WARNING, job_id, "refused", why, r->m->g->last_request_id);
		rc = EXIT_RULES;
		goto done;
	}
	if (r->h->dry_run) {
		snprintf(why, sizeof(why), "%s; %zu of --max-starts %d used in the last 24 h", full,
		         start_history_recent(&js->history, now), r->h->max_starts);
		job_state_release(js);
		add_advice(job, why, sizeof(why));
		report(r, LOG_INFO, job_id, "would start (dry-run)", why, r->m->g->last_request_id);
		rc = EXIT_DONE;
		goto done;
	}
	rc = start_recorded(r, sp, &jr, js, full);
done:
	free(job);
	free(js);
	return rc;
}

/* The jobs of one service principal, as just listed: each judged as the
 * check judges it, with its start history (read without the lock: a state
 * file is only ever replaced whole); the candidates acted on (re-read live
 * under their lock). */
static int act_on_listed(struct handler_run *r, const struct sp_ref *sp,
                         const struct sync_job *jobs, size_t n, const char *list_request_id)
{
	int rc = EXIT_DONE;
	for (size_t i = 0; i < n; i++) {
		struct job_result jr;
		struct start_record rec;
		bool known = job_state_summary(r->dir_fd, jobs[i].id, clock_wall(), &rec) == 0;
		evaluate_live(r, &jobs[i], known ? &rec : NULL, &jr);
		enum repair d = handler_decide(r->h, &jr);
		if (d == REPAIR_START) {
			rc = worse_exit(rc, act_on_job(r, sp, jobs[i].id));
			continue;
		}
		char what[1200];
		decision_words(r, &jr, d, what, sizeof(what));
		add_advice(&jobs[i], what, sizeof(what));
		report(r, LOG_INFO, jobs[i].id, "skipped", what, list_request_id);
		rc = worse_exit(rc, exit_for(d));
	}
	return rc;
}

/* Several service principals: their jobs in batches, each one that cannot
 * be read reported (exit 3), the others acted on with the same rules. */
static int act_on_many(struct handler_run *r, struct err *e)
{
	const struct config *c = r->m->cfg;
	struct sp_jobs *per = calloc(c->n_sps, sizeof(*per));
	if (per == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (graph_read_jobs_many(r->m->g, c->sps, c->n_sps, per, e) < 0) {
		free(per);
		return -1;
	}
	/* the last $batch's request-id, before the expiry look-up may send
	 * another request */
	char list_request_id[sizeof(r->m->g->last_request_id)];
	str_copy(list_request_id, sizeof(list_request_id), r->m->g->last_request_id);
	learn_expiry(r);
	int rc = EXIT_DONE;
	for (size_t i = 0; i < c->n_sps; i++) {
		if (per[i].failed) {
			char label[160];
			snprintf(label, sizeof(label), "* (service principal %s)", c->sp_ids[i]);
			report(r, LOG_ERR, label, "error", per[i].err.msg, NULL);
			rc = worse_exit(rc, EXIT_UNKNOWN);
			continue;
		}
		rc = worse_exit(
		    rc, act_on_listed(r, &c->sps[i], per[i].jobs, per[i].n, list_request_id));
	}
	sp_jobs_free(per, c->n_sps);
	free(per);
	return rc;
}

/* Every job of the service principal, or the one -j names: read first, so
 * that the job's lock and history are keyed by its id as Graph spells it,
 * whatever case -j was typed in. */
static int act_on_jobs(struct handler_run *r, const char *job_id, struct err *e)
{
	if (r->m->cfg->n_sps > 1)
		return act_on_many(r, e);
	struct sync_job *jobs = NULL;
	size_t n = 0;
	if (graph_read_jobs(r->m->g, &r->m->cfg->sp, job_id, &jobs, &n, e) < 0) {
		if (job_id == NULL)
			return -1;
		char why[1200];
		snprintf(why, sizeof(why), "could not read the job: %s", e->msg);
		report(r, LOG_ERR, job_id, "error", why, r->m->g->last_request_id);
		return EXIT_UNKNOWN;
	}
	/* before the expiry look-up may send another request */
	char list_request_id[sizeof(r->m->g->last_request_id)];
	str_copy(list_request_id, sizeof(list_request_id), r->m->g->last_request_id);
	learn_expiry(r);
	int rc = act_on_listed(r, &r->m->cfg->sp, jobs, n, list_request_id);
	free(jobs);
	return rc;
}

static void report_not_acting(struct handler_run *r, const char *label)
{
	char state[64], why[256];
	handler_describe_state(r->h, state, sizeof(state));
	if (r->h->on_soft_attempt > 0)
		snprintf(why, sizeof(why),
		         "service %s; acts only on CRITICAL HARD or CRITICAL SOFT attempt %d",
		         state, r->h->on_soft_attempt);
	else
		snprintf(why, sizeof(why),
		         "service %s; acts only on CRITICAL HARD (see --on-soft-attempt)", state);
	report(r, LOG_INFO, label, "skipped", why, NULL);
}

int mode_event_handler(const struct mode_env *m, struct err *e)
{
	const struct config *c = m->cfg;
	struct handler_run r = {.m = m, .h = &c->handler, .dir_fd = -1};
	if (!handler_should_act(r.h)) {
		char label[600];
		if (c->job_id != NULL)
			str_copy(label, sizeof(label), c->job_id);
		else if (c->n_sps > 1)
			snprintf(label, sizeof(label), "* (every job of %zu service principals)",
			         c->n_sps);
		else
			snprintf(label, sizeof(label), "* (every job of service principal %s%s)",
			         c->sp_id ? "" : "appId=", c->sp_id ? c->sp_id : c->app_id);
		report_not_acting(&r, label);
		return EXIT_DONE;
	}
	r.dir_fd = securedir_open_as(r.h->state_dir, "state directory", e);
	if (r.dir_fd < 0)
		return -1;
	int rc = act_on_jobs(&r, c->job_id, e);
	close(r.dir_fd);
	return rc;
}
