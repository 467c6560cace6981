/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check mode: acquire the jobs (of one service principal, or of many in
 * batches), judge each, present them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "evaluate.h"
#include "expiry.h"
#include "format/format.h"
#include "graph.h"
#include "modes.h"
#include "options.h"
#include "output.h"
#include "provlog.h"
#include "run.h"
#include "securedir.h"
#include "statefile.h"

/* The handler's state directory, when there is one: the starts it recorded
 * tell the check that a job is waiting for its next cycle, since when it has
 * been broken and whether the starts helped. Read only, never created here:
 * a check must not fail because it cannot write, and nothing it learns needs
 * writing (an episode ends by Graph's own success time). */
static int open_state_dir(const struct mode_env *m)
{
	struct err e = {0};
	bool missing = false;
	int fd = securedir_open_existing(m->cfg->handler.state_dir, SECUREDIR_STATE, &missing, &e);
	if (fd < 0 && !missing)
		run_say(m->run, 1, "starts recorded by the event handler not read: %s", e.msg);
	return fd;
}

/* What one run read: every job and, of each, the index of its service
 * principal; the service principals asked about as data, with the error of
 * each that could not be read. */
struct acquired {
	struct sync_job *jobs;
	size_t *job_sp;
	size_t n;
	struct report_sp *sps;
	char **errors; /* of each service principal: why it could not be read, or NULL */
	size_t n_sps;
};

static void acquired_free(struct acquired *a)
{
	free(a->jobs);
	free(a->job_sp);
	free(a->sps);
	strv_free(a->errors, a->n_sps);
}

static int sps_alloc(struct acquired *a, size_t n, size_t jobs, struct err *e)
{
	a->n_sps = n;
	a->sps = calloc(n, sizeof(*a->sps));
	a->errors = calloc(n, sizeof(*a->errors));
	a->job_sp = calloc(jobs ? jobs : 1, sizeof(*a->job_sp));
	return a->sps && a->errors && a->job_sp ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
}

/* Many service principals: their jobs in batches; one that cannot be read
 * is its own error, and the run goes on with the others. */
static int acquire_many(const struct mode_env *m, struct acquired *a, struct err *e)
{
	const struct config *cfg = m->cfg;
	struct sp_jobs *per = calloc(cfg->n_sps, sizeof(*per));
	if (per == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (graph_read_jobs_many(m->g, cfg->sps, cfg->n_sps, per, e) < 0) {
		free(per);
		return -1;
	}
	size_t total = 0;
	for (size_t i = 0; i < cfg->n_sps; i++)
		total += per[i].n;
	a->jobs = calloc(total ? total : 1, sizeof(*a->jobs));
	int rc = sps_alloc(a, cfg->n_sps, total, e) == 0 && a->jobs != NULL
	             ? 0
	             : err_set(e, ERR_INTERNAL, "out of memory");
	size_t failed = 0;
	for (size_t i = 0; rc == 0 && i < cfg->n_sps; i++) {
		a->sps[i].id = cfg->sp_ids[i];
		a->sps[i].name = cfg->sp_names[i];
		if (per[i].failed) {
			a->errors[i] = strdup(per[i].err.msg);
			if (a->errors[i] == NULL)
				rc = err_set(e, ERR_INTERNAL, "out of memory");
			a->sps[i].error = a->errors[i];
			failed += a->errors[i] != NULL;
			continue;
		}
		for (size_t k = 0; k < per[i].n; k++) {
			a->jobs[a->n] = per[i].jobs[k];
			a->job_sp[a->n++] = i;
		}
	}
	sp_jobs_free(per, cfg->n_sps);
	free(per);
	if (rc == 0 && a->n == 0) {
		struct buf why = {0};
		for (size_t i = 0; failed > 0 && why.len == 0 && i < a->n_sps; i++)
			if (a->sps[i].error != NULL)
				output_sp_error(&a->sps[i], &why);
		rc = err_set(e, ERR_GRAPH, "none of the %zu service principals could be read: %s",
		             cfg->n_sps, why.data != NULL ? why.data : "no jobs");
		buf_free(&why);
	}
	return rc;
}

static int acquire(const struct mode_env *m, struct acquired *a, struct err *e)
{
	memset(a, 0, sizeof(*a));
	if (m->cfg->n_sps > 1)
		return acquire_many(m, a, e);
	if (graph_read_jobs(m->g, &m->cfg->sp, m->cfg->job_id, &a->jobs, &a->n, e) < 0)
		return -1;
	if (sps_alloc(a, 1, a->n, e) < 0)
		return -1;
	a->sps[0].id = m->cfg->sp.id;
	a->sps[0].app_id = m->cfg->sp.app_id;
	a->sps[0].name = m->cfg->n_sps > 0 ? m->cfg->sp_names[0] : NULL;
	return 0;
}

int mode_check(const struct mode_env *m, struct err *e)
{
	const struct config *cfg = m->cfg;
	struct acquired a;
	if (acquire(m, &a, e) < 0) {
		acquired_free(&a);
		return -1;
	}
	struct job_result *results = calloc(a.n, sizeof(*results));
	if (results == NULL) {
		acquired_free(&a);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	int state_fd = open_state_dir(m);
	struct job_context ctx = {.now = clock_wall()};
	for (size_t i = 0; i < a.n; i++) {
		/* keyed by the id as Graph spells it, as the handler and --start
		 * record it; a history that cannot be read only costs its facts */
		struct start_record rec;
		bool known =
		    state_fd >= 0 && job_state_summary(state_fd, a.jobs[i].id, ctx.now, &rec) == 0;
		ctx.starts = known ? &rec : NULL;
		evaluate_job(&a.jobs[i], &cfg->eval, &ctx, &results[i]);
	}
	if (state_fd >= 0)
		close(state_fd);
	struct provlog_result *objects = NULL;
	if (cfg->object_errors && (objects = calloc(a.n, sizeof(*objects))) != NULL) {
		mode_object_errors(m, results, a.n, 0, objects);
		for (size_t i = 0; i < a.n; i++)
			evaluate_object_errors(&results[i], &objects[i], &cfg->eval);
	}
	struct expiry_result expiry;
	mode_credential_expiry(m, &expiry);
	struct run_facts facts = {
	    .now = ctx.now, .sps = a.sps, .n_sps = a.n_sps, .job_sp = a.job_sp};
	output_expiry_facts(&expiry, &facts);
	facts.http_seconds = m->g->http->seconds;
	struct report rep = {0};
	int rc = output_check(&rep, results, a.n, &cfg->output, &facts, e);
	if (rc == 0)
		rc = format_write(m->out, &rep, &cfg->output, e);
	report_free(&rep);
	free(objects);
	free(results);
	acquired_free(&a);
	return rc;
}
