/* --start -j JOB: the operator starts one job now. No cooldown applies (it is
 * a deliberate act), but the start is taken under the job's lock and recorded
 * in the state file, so the event handler's cooldown and daily limit see it. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "eventlog.h"
#include "graph.h"
#include "http.h"
#include "modes.h"
#include "options.h"
#include "output.h"
#include "securedir.h"
#include "statefile.h"

/* Prints the status line and writes the same text to syslog. */
static int finish(const struct config *c, FILE *out, enum state st, int prio, const char *msg)
{
	char line[2048];
	str_copy(line, sizeof(line), msg);
	text_clean(line);
	output_status_line(out, st, line);
	eventlog(c->syslog_socket, prio, line);
	return (int)st;
}

/* Records the start; on failure describes why in note. */
static void record(struct job_state *js, char *note, size_t n)
{
	struct err e = {0};
	start_history_add(&js->history, clock_wall(), ORIGIN_OPERATOR);
	if (job_state_save(js, &e) < 0)
		snprintf(note, n, "; not recorded for the event handler's cooldown: %s", e.msg);
}

static int start_locked(const struct config *c, struct graph_client *g, FILE *out,
                        struct job_state *js, char *note, size_t note_n)
{
	char msg[2048];
	struct err e = {0};
	if (c->dry_run) {
		snprintf(msg, sizeof(msg), "would start job %s (dry-run, nothing sent)%s",
		         c->job_id, note);
		return finish(c, out, STATE_OK, LOG_INFO, msg);
	}
	if (graph_start_job(g, c->job_id, &e) < 0) {
		/* No answer: the start may have happened; the cooldown should see it. */
		bool unknown = e.kind == ERR_NETWORK || e.kind == ERR_TIMEOUT;
		if (unknown && js != NULL)
			record(js, note, note_n);
		if (e.kind == ERR_GRAPH) {
			snprintf(msg, sizeof(msg), "Graph refused to start job %s: %s%s", c->job_id,
			         e.msg, note);
			return finish(c, out, STATE_CRITICAL, LOG_WARNING, msg);
		}
		snprintf(msg, sizeof(msg), "could not start job %s: %s%s%s", c->job_id, e.msg,
		         unknown ? " (it may have started)" : "", note);
		return finish(c, out, STATE_UNKNOWN, LOG_ERR, msg);
	}
	if (js != NULL)
		record(js, note, note_n);
	snprintf(msg, sizeof(msg), "started job %s (HTTP 204, request-id %s)%s", c->job_id,
	         g->last_request_id[0] ? g->last_request_id : "none", note);
	return finish(c, out, STATE_OK, LOG_NOTICE, msg);
}

int mode_start(const struct config *c, struct graph_client *g, FILE *out)
{
	char note[1200] = "";
	struct err e = {0};
	struct job_state js;
	bool locked = false;

	if (c->job_id == NULL)
		return finish(c, out, STATE_UNKNOWN, LOG_ERR, "--start needs -j JOB");
	/* An unusable state directory does not stop a deliberate start; it only
	 * means the handler will not know about it, which the output says. */
	int dir_fd = securedir_open_as(c->state_dir, "state directory", &e);
	if (dir_fd < 0) {
		snprintf(note, sizeof(note), "; not recorded for the event handler's cooldown: %s",
		         e.msg);
	} else {
		double deadline = clock_mono() + http_time_left(g->http);
		if (job_state_acquire(dir_fd, c->job_id, deadline, &js, &e) < 0) {
			char msg[1400];
			snprintf(msg, sizeof(msg), "job %s not started: %s", c->job_id, e.msg);
			close(dir_fd);
			return finish(c, out, STATE_UNKNOWN, LOG_ERR, msg);
		}
		locked = true;
	}
	int rc = start_locked(c, g, out, locked ? &js : NULL, note, sizeof(note));
	if (locked)
		job_state_release(&js);
	if (dir_fd >= 0)
		close(dir_fd);
	return rc;
}
