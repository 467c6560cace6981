/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --start -j JOB: the operator starts one job now. No cooldown applies (it is
 * a deliberate act), but the start is taken under the job's lock and recorded
 * before the request, so the event handler's cooldown and daily limit see it. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "auth.h"
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

/* Records the coming start; on failure, note says so (the start still
 * happens: the operator asked for it). */
static bool record(struct job_state *js, double when, char *note, size_t n)
{
	struct err e = {0};
	if (job_state_record(js, when, ORIGIN_OPERATOR, &e) == 0)
		return true;
	snprintf(note, n, "; not recorded for the event handler's cooldown: %s", e.msg);
	return false;
}

static int start_locked(const struct mode_env *m, struct job_state *js, char *note, size_t note_n)
{
	const struct config *c = m->cfg;
	char msg[2048], id[JOB_ID_SHOWN];
	struct err e = {0};
	text_copy(id, sizeof(id), c->job_id);
	if (c->handler.dry_run) {
		snprintf(msg, sizeof(msg), "would start job %s (dry-run, nothing sent)%s", id,
		         note);
		return finish(m, STATE_OK, LOG_INFO, msg);
	}
	double when = clock_wall();
	bool recorded = record(js, when, note, note_n);
	enum start_outcome out = graph_start_job(m->g, &c->sp, c->job_id, &e);
	if (out == START_REFUSED) {
		if (recorded)
			job_state_unrecord(js, when, NULL);
		snprintf(msg, sizeof(msg), "Graph refused to start job %s: %s%s", id, e.msg, note);
		return finish(m, STATE_CRITICAL, LOG_WARNING, msg);
	}
	if (out == START_NOT_SENT) {
		if (recorded)
			job_state_unrecord(js, when, NULL);
		snprintf(msg, sizeof(msg), "job %s not started: %s (no start was sent)%s", id,
		         e.msg, note);
		return finish(m, STATE_UNKNOWN, LOG_ERR, msg);
	}
	if (out == START_MAYBE) {
		snprintf(msg, sizeof(msg), "could not start job %s: %s (it may have started%s)%s",
		         id, e.msg, recorded ? "; counted as a start" : "", note);
		return finish(m, STATE_UNKNOWN, LOG_ERR, msg);
	}
	snprintf(msg, sizeof(msg), "started job %s (HTTP %ld, request-id %s)%s", id,
	         m->g->last_status, m->g->last_request_id[0] ? m->g->last_request_id : "none",
	         note);
	return finish(m, STATE_OK, LOG_NOTICE, msg);
}

int mode_start(const struct mode_env *m, struct err *e)
{
	const struct config *c = m->cfg;
	char note[1200] = "";
	struct job_state js;
	/* A start the history does not hold would slip past the handler's
	 * cooldown and daily cap: without a usable state directory (another
	 * user's, say) nothing is started, and the message says whose it is. */
	int dir_fd = securedir_open_as(c->handler.state_dir, SECUREDIR_STATE, e);
	if (dir_fd < 0)
		return err_prefix(e, "job %s not started", c->job_id);
	if (job_state_acquire(dir_fd, c->job_id, m->run->deadline, &js, e) < 0) {
		char id[JOB_ID_SHOWN];
		text_copy(id, sizeof(id), c->job_id);
		close(dir_fd);
		return err_prefix(e, "job %s not started", id);
	}
	int rc = start_locked(m, &js, note, sizeof(note));
	job_state_release(&js);
	close(dir_fd);
	return rc;
}
