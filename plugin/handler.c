/* --event-handler: decide from the service state, re-read the job live and
 * start it only when it is quarantined for an allowed reason, under a per-job
 * lock, a cooldown and a daily limit (SPEC section 6). */
#include "handler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "eventlog.h"
#include "graph.h"
#include "http.h"
#include "job.h"
#include "modes.h"
#include "options.h"
#include "securedir.h"
#include "statefile.h"
#include "timeparse.h"

/* Exit statuses of SPEC section 6, in the order they override each other. */
enum {
	EXIT_DONE = 0,
	EXIT_RULES = 1,
	EXIT_GRAPH_REFUSED = 2,
	EXIT_UNKNOWN = 3,
};

static const char *const default_denied[] = {"TooManyDeletes", "QuarantinedOnDemand"};

struct handler_run {
	const struct config *c;
	struct graph_client *g;
	FILE *out;
	int dir_fd;
};

bool handler_reason_allowed(const struct config *c, const char *reason)
{
	if (reason == NULL)
		reason = "";
	if (c->n_allow_reasons > 0) {
		for (size_t i = 0; i < c->n_allow_reasons; i++)
			if (strcasecmp(c->allow_reasons[i], reason) == 0)
				return true;
		return false;
	}
	if (*reason == '\0')
		return false;
	for (size_t i = 0; i < sizeof(default_denied) / sizeof(default_denied[0]); i++)
		if (strcasecmp(default_denied[i], reason) == 0)
			return false;
	return true;
}

static const char *reason_of(const struct sync_job *job)
{
	return job->quarantine.present ? job->quarantine.reason : "";
}

static const char *denied_hint(const char *reason)
{
	if (strcasecmp(reason, "TooManyDeletes") == 0)
		return ": an administrator must approve or reject the deletes";
	if (strcasecmp(reason, "QuarantinedOnDemand") == 0)
		return ": Microsoft quarantined it by hand";
	if (*reason == '\0')
		return ": Graph gave no reason (allow with --allow-reason '')";
	return " (see --allow-reason)";
}

enum job_action handler_job_action(const struct config *c, const struct sync_job *job, char *why,
                                   size_t n)
{
	const char *reason = reason_of(job);
	const char *shown = *reason ? reason : "no reason given";
	if (!job->status_code_present) {
		snprintf(why, n, "status not reported (new job), nothing to repair");
		return JOB_SKIP;
	}
	if (strcmp(job->status_code, "Quarantine") == 0) {
		if (!handler_reason_allowed(c, reason)) {
			snprintf(why, n, "quarantined (%s), a reason not started automatically%s",
			         shown, denied_hint(reason));
			return JOB_SKIP;
		}
		snprintf(why, n, "quarantined (%s)", shown);
		return JOB_START;
	}
	if (strcmp(job->status_code, "Paused") == 0) {
		if (!c->start_paused) {
			snprintf(why, n, "paused, left alone without --start-paused");
			return JOB_SKIP;
		}
		/* A paused job may still carry the quarantine that paused it. */
		if (*reason && !handler_reason_allowed(c, reason)) {
			snprintf(why, n, "paused with quarantine reason %s, not started%s", reason,
			         denied_hint(reason));
			return JOB_SKIP;
		}
		snprintf(why, n, "paused (--start-paused)");
		return JOB_START;
	}
	snprintf(why, n, "status %s, nothing to repair (a running job is never started)",
	         job->status_code);
	return JOB_SKIP;
}

void handler_describe_state(const struct config *c, char *out, size_t n)
{
	if (!c->have_service_state || !c->have_state_type) {
		snprintf(out, n, "service state not given");
		return;
	}
	int len = snprintf(out, n, "%s %s", state_name(c->service_state),
	                   c->state_hard ? "HARD" : "SOFT");
	if (c->attempt > 0 && len >= 0 && (size_t)len < n)
		snprintf(out + len, n - (size_t)len, " attempt %d", c->attempt);
}

int handler_should_act(const struct config *c)
{
	if (!c->have_service_state || !c->have_state_type || c->service_state != STATE_CRITICAL)
		return 0;
	if (c->state_hard)
		return 1;
	return c->on_soft_attempt > 0 && c->attempt == c->on_soft_attempt;
}

/* One decision: one line on stdout and the same line in syslog. */
static void report(struct handler_run *r, int prio, const char *job, const char *action,
                   const char *why, const char *request_id)
{
	char line[2048];
	int len = snprintf(line, sizeof(line), "job %s: %s - %s", job, action, why);
	if (len >= 0 && (size_t)len < sizeof(line)) {
		if (request_id == NULL)
			snprintf(line + len, sizeof(line) - (size_t)len, " (no Graph request)");
		else if (*request_id && strstr(why, request_id) == NULL)
			snprintf(line + len, sizeof(line) - (size_t)len, " (request-id %s)",
			         request_id);
	}
	text_clean(line);
	fprintf(r->out, "%s\n", line);
	eventlog(r->c->syslog_socket, prio, line);
}

static int worse_exit(int a, int b)
{
	return a > b ? a : b;
}

static void describe_refusal(enum start_verdict v, const struct config *c,
                             const struct job_state *js, double now, double wait, const char *what,
                             char *out, size_t n)
{
	char wait_text[32];
	duration_format(wait, wait_text, sizeof(wait_text));
	if (v == START_COOLDOWN) {
		char age_text[32];
		duration_format((double)c->cooldown - wait, age_text, sizeof(age_text));
		snprintf(out, n,
		         "%s, but the last start was %s ago; --cooldown %lds allows the next in %s",
		         what, age_text, c->cooldown, wait_text);
	} else if (c->max_starts <= 0) {
		snprintf(out, n, "%s, but --max-starts 0 allows no start", what);
	} else {
		snprintf(out, n,
		         "%s, but %zu starts in the last 24 h reach --max-starts %d; next start "
		         "allowed in %s",
		         what, start_history_recent(&js->history, now), c->max_starts, wait_text);
	}
}

/* A start whose answer never came may have happened: record it so that the
 * cooldown applies rather than risk starting a running job again. */
static bool outcome_unknown(const struct err *e)
{
	return e->kind == ERR_NETWORK || e->kind == ERR_TIMEOUT;
}

static int record_start(struct job_state *js, char *note, size_t n)
{
	struct err e = {0};
	start_history_add(&js->history, clock_wall(), ORIGIN_HANDLER);
	if (job_state_save(js, &e) < 0) {
		snprintf(note, n, "; the start could not be recorded (%s)", e.msg);
		return -1;
	}
	note[0] = '\0';
	return 0;
}

static int start_and_report(struct handler_run *r, const char *job_id, struct job_state *js,
                            const char *what)
{
	struct err e = {0};
	char why[1536], note[1200] = "";
	if (graph_start_job(r->g, job_id, &e) < 0) {
		int rc = e.kind == ERR_GRAPH ? EXIT_GRAPH_REFUSED : EXIT_UNKNOWN;
		if (outcome_unknown(&e) && record_start(js, note, sizeof(note)) == 0)
			str_copy(note, sizeof(note), "; recorded as a start in case it happened");
		snprintf(why, sizeof(why), "%s; %s: %s%s", what,
		         rc == EXIT_GRAPH_REFUSED ? "Graph refused the start"
		                                  : "the start did not complete",
		         e.msg, note);
		job_state_release(js);
		report(r, rc == EXIT_GRAPH_REFUSED ? LOG_WARNING : LOG_ERR, job_id,
		       rc == EXIT_GRAPH_REFUSED ? "refused" : "error", why, r->g->last_request_id);
		return rc;
	}
	char request_id[sizeof(r->g->last_request_id)];
	str_copy(request_id, sizeof(request_id), r->g->last_request_id);
	int rc = record_start(js, note, sizeof(note)) < 0 ? EXIT_UNKNOWN : EXIT_DONE;
	job_state_release(js);

	struct sync_job *after = calloc(1, sizeof(*after));
	char now_text[600];
	if (after == NULL)
		snprintf(now_text, sizeof(now_text), "status afterwards unknown: out of memory");
	else if (graph_get_job(r->g, job_id, after, &e) < 0)
		snprintf(now_text, sizeof(now_text), "status afterwards unknown: %s", e.msg);
	else if (!after->status_code_present)
		snprintf(now_text, sizeof(now_text), "status afterwards not reported");
	else if (after->quarantine.present && after->quarantine.reason[0])
		snprintf(now_text, sizeof(now_text), "now %s (%s)", after->status_code,
		         after->quarantine.reason);
	else
		snprintf(now_text, sizeof(now_text), "now %s", after->status_code);
	free(after);
	snprintf(why, sizeof(why), "was %s; %s%s", what, now_text, note);
	report(r, rc == EXIT_DONE ? LOG_NOTICE : LOG_ERR, job_id, "started", why, request_id);
	return rc;
}

/* Lock, re-read live, decide, check the rules, start, record, unlock. The
 * re-read under the lock is what keeps two handlers fired together from
 * starting one job twice even with --cooldown 0: the second one sees the job
 * running. */
static int act_on_job(struct handler_run *r, const char *job_id)
{
	struct err e = {0};
	struct job_state js;
	char why[1536];
	double deadline = clock_mono() + http_time_left(r->g->http);
	if (job_state_acquire(r->dir_fd, job_id, deadline, &js, &e) < 0) {
		snprintf(why, sizeof(why), "cannot use the state directory %s: %s", r->c->state_dir,
		         e.msg);
		report(r, LOG_ERR, job_id, "error", why, NULL);
		return EXIT_UNKNOWN;
	}
	struct sync_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		job_state_release(&js);
		report(r, LOG_ERR, job_id, "error", "out of memory", NULL);
		return EXIT_UNKNOWN;
	}
	if (graph_get_job(r->g, job_id, job, &e) < 0) {
		free(job);
		job_state_release(&js);
		snprintf(why, sizeof(why), "could not read the job: %s", e.msg);
		report(r, LOG_ERR, job_id, "error", why, r->g->last_request_id);
		return EXIT_UNKNOWN;
	}
	char what[600];
	enum job_action action = handler_job_action(r->c, job, what, sizeof(what));
	free(job);
	if (action == JOB_SKIP) {
		job_state_release(&js);
		report(r, LOG_INFO, job_id, "skipped", what, r->g->last_request_id);
		return EXIT_DONE;
	}
	double now = clock_wall();
	double wait = 0;
	enum start_verdict v =
	    start_rules_check(&js.history, now, r->c->cooldown, r->c->max_starts, &wait);
	if (v != START_ALLOWED) {
		describe_refusal(v, r->c, &js, now, wait, what, why, sizeof(why));
		job_state_release(&js);
		report(r, LOG_WARNING, job_id, "refused", why, r->g->last_request_id);
		return EXIT_RULES;
	}
	if (r->c->dry_run) {
		snprintf(why, sizeof(why), "%s; %zu of --max-starts %d used in the last 24 h", what,
		         start_history_recent(&js.history, now), r->c->max_starts);
		job_state_release(&js);
		report(r, LOG_INFO, job_id, "would start (dry-run)", why, r->g->last_request_id);
		return EXIT_DONE;
	}
	return start_and_report(r, job_id, &js, what);
}

static int act_on_all_jobs(struct handler_run *r, const char *label)
{
	struct err e = {0};
	struct sync_job *jobs = NULL;
	size_t n = 0;
	if (graph_list_jobs(r->g, &jobs, &n, &e) < 0) {
		char why[1536];
		free(jobs);
		snprintf(why, sizeof(why), "could not list the jobs: %s", e.msg);
		report(r, LOG_ERR, label, "error", why, r->g->last_request_id);
		return EXIT_UNKNOWN;
	}
	if (n == 0)
		report(r, LOG_INFO, label, "skipped", "the service principal has no jobs",
		       r->g->last_request_id);
	char list_request_id[sizeof(r->g->last_request_id)];
	str_copy(list_request_id, sizeof(list_request_id), r->g->last_request_id);
	int rc = EXIT_DONE;
	for (size_t i = 0; i < n; i++) {
		char what[600];
		if (handler_job_action(r->c, &jobs[i], what, sizeof(what)) == JOB_SKIP)
			report(r, LOG_INFO, jobs[i].id, "skipped", what, list_request_id);
		else
			rc = worse_exit(rc, act_on_job(r, jobs[i].id));
	}
	free(jobs);
	return rc;
}

static void report_not_acting(struct handler_run *r, const char *label)
{
	char state[64], why[256];
	handler_describe_state(r->c, state, sizeof(state));
	if (r->c->on_soft_attempt > 0)
		snprintf(why, sizeof(why),
		         "service %s; acts only on CRITICAL HARD or CRITICAL SOFT attempt %d",
		         state, r->c->on_soft_attempt);
	else
		snprintf(why, sizeof(why),
		         "service %s; acts only on CRITICAL HARD (see --on-soft-attempt)", state);
	report(r, LOG_INFO, label, "skipped", why, NULL);
}

int mode_event_handler(const struct config *c, struct graph_client *g, FILE *out)
{
	struct handler_run r = {.c = c, .g = g, .out = out, .dir_fd = -1};
	char label[600];
	if (c->job_id != NULL)
		str_copy(label, sizeof(label), c->job_id);
	else
		snprintf(label, sizeof(label), "* (every job of service principal %s%s)",
		         c->sp_id ? "" : "appId=", c->sp_id ? c->sp_id : c->app_id);

	int rc = EXIT_DONE;
	if (!handler_should_act(c)) {
		report_not_acting(&r, label);
	} else {
		struct err e = {0};
		r.dir_fd = securedir_open_as(c->state_dir, "state directory", &e);
		if (r.dir_fd < 0) {
			report(&r, LOG_ERR, label, "error", e.msg, NULL);
			rc = EXIT_UNKNOWN;
		} else if (c->job_id != NULL) {
			rc = act_on_job(&r, c->job_id);
		} else {
			rc = act_on_all_jobs(&r, label);
		}
		if (r.dir_fd >= 0)
			close(r.dir_fd);
	}
	return rc;
}
