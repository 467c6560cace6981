/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --start -j JOB: the operator starts one job now, with the handler's guard
 * rails. It reads the job first and starts only a job that is quarantined or
 * paused (Microsoft warns against starting a running job), and keeps the
 * cooldown, the backoff after a start that did not help and the daily cap;
 * --force overrides all of that, and a job whose escrows were pruned needs it.
 * The start is taken under the job's lock and recorded before the request,
 * keyed by the id as Graph spells it, so the handler and the check see it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "auth.h"
#include "evaluate.h"
#include "eventlog.h"
#include "expiry.h"
#include "format/format.h"
#include "graph.h"
#include "modes.h"
#include "options.h"
#include "output.h"
#include "run.h"
#include "securedir.h"
#include "statefile.h"
#include "text.h"
#include "timeparse.h"

/* Prints the status line and writes the same text to syslog; a credential
 * about to expire is mentioned (the start's state is the start's). */
static int finish(const struct mode_env *m, enum state st, int prio, const char *msg)
{
	char line[2048], clause[300] = "";
	if (m->g->auth->token != NULL) {
		struct expiry_result x;
		mode_credential_expiry(m, &x);
		output_expiry_clause(&x, clause, sizeof(clause));
	}
	struct buf b = {0};
	if (buf_printf(&b, "%s%s%s", msg, clause[0] ? "; note: " : "", clause) < 0)
		buf_free(&b);
	text_copy(line, sizeof(line), b.data != NULL ? b.data : msg);
	buf_free(&b);
	format_status(m->out, NULL, st, line, NULL);
	eventlog(m->cfg->handler.syslog_socket, prio, line);
	return (int)st;
}

/* What --start is about to do, and with what it judged. */
struct start_run {
	const struct mode_env *m;
	struct job_state *js;
	char shown[JOB_ID_SHOWN]; /* the job id as messages show it */
	struct sync_job job;      /* as read under the lock */
	struct job_result jr;
	struct start_record rec;
};

/* "Quarantine (EncounteredQuarantineException)", "Paused", "Active". */
static void status_words(const struct sync_job *job, char *out, size_t n)
{
	const char *code = job->status_code_present ? job->status_code : "no status yet";
	if (job->quarantine.present && job->quarantine.reason[0])
		snprintf(out, n, "%s (%s)", code, job->quarantine.reason);
	else
		snprintf(out, n, "%s", code);
}

/* Why the guard rails keep this job from being started, into why; false
 * when nothing does. */
static bool refused(struct start_run *s, char *why, size_t n)
{
	const struct config *c = s->m->cfg;
	const struct sync_job *job = &s->job;
	const char *id = s->shown;
	char status[200];
	status_words(job, status, sizeof(status));
	if (job->status != JOB_QUARANTINE && job->status != JOB_PAUSED) {
		snprintf(
		    why, n,
		    "job %s is %s: not started (only a quarantined or paused job is; Microsoft "
		    "warns that starting a running job can make the service stop running "
		    "it); --force starts it anyway",
		    id, status);
		return true;
	}
	if (job->escrows_pruned) {
		snprintf(
		    why, n,
		    "job %s is %s with escrows pruned: not started, Microsoft paused it for the "
		    "clean-up of its failing objects; --force starts it once they are cleaned "
		    "up",
		    id, status);
		return true;
	}
	double now = clock_wall(), wait = 0;
	enum start_verdict v = start_rules_check(&s->js->history, now, c->handler.cooldown,
	                                         c->handler.max_starts, s->jr.futile, &wait);
	if (v == START_ALLOWED)
		return false;
	char wait_text[32], ago[32];
	duration_format(wait, wait_text, sizeof(wait_text));
	duration_format(s->jr.last_start_age, ago, sizeof(ago));
	if (v == START_BACKOFF)
		snprintf(why, n,
		         "job %s is %s: not started, the start %s ago did not help (quarantined "
		         "again for the same reason) and the next waits twice the previous gap: "
		         "allowed in %s; --force starts it now",
		         id, status, ago, wait_text);
	else if (v == START_COOLDOWN)
		snprintf(why, n,
		         "job %s is %s: not started, the last start was %s ago and --cooldown %lds "
		         "allows the next in %s; --force starts it now",
		         id, status, ago, c->handler.cooldown, wait_text);
	else
		snprintf(why, n,
		         "job %s is %s: not started, %zu starts in the last 24 h reach "
		         "--max-starts %d; --force starts it now",
		         id, status, start_history_recent(&s->js->history, now),
		         c->handler.max_starts);
	return true;
}

/* Records the coming start. A start the history does not hold would slip
 * past the handler's cooldown, backoff and daily cap, so one that cannot be
 * recorded is not made, --force or not (the handler's rule). */
static int record(struct start_run *s, double when, struct err *e)
{
	const struct job_result *jr = &s->jr;
	const char *reason = s->job.quarantine.present ? s->job.quarantine.reason : NULL;
	return job_state_record(s->js, when, ORIGIN_OPERATOR, reason, jr->broken_since,
	                        jr->age_known ? jr->last_success : 0, e);
}

static int send_start(struct start_run *s)
{
	const struct mode_env *m = s->m;
	const struct config *c = m->cfg;
	const char *id = s->shown;
	char msg[2048], status[200];
	struct err e = {0};
	status_words(&s->job, status, sizeof(status));
	if (c->handler.dry_run) {
		snprintf(msg, sizeof(msg), "would start job %s, %s (dry-run, nothing sent)", id,
		         status);
		return finish(m, STATE_OK, LOG_INFO, msg);
	}
	double when = clock_wall();
	if (record(s, when, &e) < 0) {
		snprintf(msg, sizeof(msg),
		         "job %s not started: the start could not be recorded first for the event "
		         "handler's cooldown and cap: %s",
		         id, e.msg);
		return finish(m, STATE_UNKNOWN, LOG_ERR, msg);
	}
	enum start_outcome out = graph_start_job(m->g, &c->sp, s->job.id, &e);
	if (out == START_REFUSED || out == START_NOT_SENT) {
		job_state_unrecord(s->js, when, NULL);
		if (out == START_REFUSED)
			snprintf(msg, sizeof(msg), "Graph refused to start job %s: %s", id, e.msg);
		else
			snprintf(msg, sizeof(msg), "job %s not started: %s (no start was sent)", id,
			         e.msg);
		return finish(m, out == START_REFUSED ? STATE_CRITICAL : STATE_UNKNOWN,
		              out == START_REFUSED ? LOG_WARNING : LOG_ERR, msg);
	}
	if (out == START_MAYBE) {
		snprintf(msg, sizeof(msg),
		         "could not start job %s: %s (it may have started; counted as a start)", id,
		         e.msg);
		return finish(m, STATE_UNKNOWN, LOG_ERR, msg);
	}
	snprintf(msg, sizeof(msg), "started job %s, was %s (HTTP %ld, request-id %s)", id, status,
	         m->g->last_status, m->g->last_request_id[0] ? m->g->last_request_id : "none");
	return finish(m, STATE_OK, LOG_NOTICE, msg);
}

/* Under the lock: read the job as Graph spells it, judge it with its
 * starts, keep the rails, start. */
static int start_locked(struct start_run *s, const char *job_id, struct err *e)
{
	const struct mode_env *m = s->m;
	if (graph_get_job(m->g, &m->cfg->sp, job_id, &s->job, e) < 0)
		return err_prefix(e, "job %s not started (no start was sent): could not read it",
		                  s->shown);
	double now = clock_wall();
	start_history_summary(&s->js->history, now, &s->rec);
	struct job_context ctx = {.now = now, .starts = &s->rec};
	evaluate_job(&s->job, &m->cfg->eval, &ctx, &s->jr);
	char why[2048];
	if (!m->cfg->handler.force && refused(s, why, sizeof(why))) {
		struct buf advice = {0};
		output_advice(&s->job, &advice);
		size_t used = strlen(why);
		if (advice.len > 0 && used < sizeof(why))
			snprintf(why + used, sizeof(why) - used, "; %s", advice.data);
		buf_free(&advice);
		return finish(m, STATE_WARNING, LOG_WARNING, why);
	}
	return send_start(s);
}

int mode_start(const struct mode_env *m, struct err *e)
{
	const struct config *c = m->cfg;
	char shown[JOB_ID_SHOWN];
	text_copy(shown, sizeof(shown), c->job_id);
	/* A start the history does not hold would slip past the handler's
	 * cooldown, backoff and daily cap: without a usable state directory
	 * (another user's, say) nothing is started, --force or not, nothing is
	 * asked of Graph, and the message says whose it is. */
	int dir_fd = securedir_open_as(c->handler.state_dir, SECUREDIR_STATE, e);
	if (dir_fd < 0)
		return err_prefix(e, "job %s not started", shown);
	/* Graph's spelling of the id, whatever case -j was typed in: one
	 * history per job. Nothing is decided, and nothing said, before the
	 * job is known to exist. */
	struct sync_job *named = NULL;
	size_t n = 0;
	if (graph_read_jobs(m->g, &c->sp, c->job_id, &named, &n, e) < 0) {
		close(dir_fd);
		return err_prefix(e, "job %s not started (no start was sent): could not read it",
		                  shown);
	}
	char id[JOB_ID_MAX];
	str_copy(id, sizeof(id), named[0].id);
	free(named);
	struct start_run *s = calloc(1, sizeof(*s));
	if (s != NULL)
		s->js = calloc(1, sizeof(*s->js));
	int rc;
	if (s == NULL || s->js == NULL) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	} else {
		s->m = m;
		text_copy(s->shown, sizeof(s->shown), id);
		if (job_state_acquire(dir_fd, id, m->run->deadline, s->js, e) < 0) {
			rc = err_prefix(e, "job %s not started", s->shown);
		} else {
			rc = start_locked(s, id, e);
			job_state_release(s->js);
		}
	}
	if (s != NULL)
		free(s->js);
	free(s);
	close(dir_fd);
	return rc;
}
