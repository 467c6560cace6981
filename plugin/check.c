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

/* What one run read: every job, and for each the name of its service
 * principal (several only) and the failures of those that could not be read. */
struct acquired {
	struct sync_job *jobs;
	const char **owner;
	size_t n;
	char **errors;
	size_t n_errors;
};

static void acquired_free(struct acquired *a)
{
	free(a->jobs);
	free(a->owner);
	strv_free(a->errors, a->n_errors);
}

static const char *sp_name(const struct config *cfg, size_t i)
{
	return cfg->sp_names[i] != NULL ? cfg->sp_names[i] : cfg->sp_ids[i];
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
	size_t total = 0, failed = 0;
	for (size_t i = 0; i < cfg->n_sps; i++) {
		total += per[i].n;
		failed += per[i].failed;
	}
	a->jobs = calloc(total ? total : 1, sizeof(*a->jobs));
	a->owner = calloc(total ? total : 1, sizeof(*a->owner));
	a->errors = calloc(failed ? failed : 1, sizeof(*a->errors));
	int rc = a->jobs && a->owner && a->errors ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
	for (size_t i = 0; rc == 0 && i < cfg->n_sps; i++) {
		if (per[i].failed) {
			struct buf b = {0};
			if (cfg->sp_names[i] != NULL)
				buf_printf(&b, "service principal %s (%s): %s", cfg->sp_names[i],
				           cfg->sp_ids[i], per[i].err.msg);
			else
				buf_printf(&b, "service principal %s: %s", cfg->sp_ids[i],
				           per[i].err.msg);
			a->errors[a->n_errors++] = b.data;
			continue;
		}
		for (size_t k = 0; k < per[i].n; k++) {
			a->jobs[a->n] = per[i].jobs[k];
			a->owner[a->n++] = sp_name(cfg, i);
		}
	}
	sp_jobs_free(per, cfg->n_sps);
	free(per);
	if (rc == 0 && a->n == 0)
		rc =
		    err_set(e, ERR_GRAPH, "none of the %zu service principals could be read: %s",
		            cfg->n_sps, a->n_errors > 0 && a->errors[0] ? a->errors[0] : "no jobs");
	return rc;
}

static int acquire(const struct mode_env *m, struct acquired *a, struct err *e)
{
	memset(a, 0, sizeof(*a));
	if (m->cfg->n_sps > 1)
		return acquire_many(m, a, e);
	if (graph_read_jobs(m->g, &m->cfg->sp, m->cfg->job_id, &a->jobs, &a->n, e) < 0)
		return -1;
	a->owner = calloc(a->n, sizeof(*a->owner));
	return a->owner != NULL ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
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
		results[i].owner = a.owner[i];
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
	struct run_facts facts = {.sp_errors = (const char *const *)a.errors,
	                          .n_sp_errors = a.n_errors,
	                          .n_sps = cfg->n_sps > 1 ? cfg->n_sps : 0};
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
