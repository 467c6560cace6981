/* Check mode: acquire the jobs, judge each, present them. */
#include <stdlib.h>
#include <unistd.h>

#include "evaluate.h"
#include "expiry.h"
#include "graph.h"
#include "modes.h"
#include "options.h"
#include "output.h"
#include "run.h"
#include "securedir.h"
#include "statefile.h"

/* The handler's state directory, when there is one: a start it recorded
 * tells the check that a job is waiting for its next cycle. Never created
 * here; an unusable one only costs that knowledge. */
static int open_state_dir(const struct mode_env *m)
{
	struct err e = {0};
	bool missing = false;
	int fd =
	    securedir_open_existing(m->cfg->handler.state_dir, "state directory", &missing, &e);
	if (fd < 0 && !missing)
		run_say(m->run, 1, "starts recorded by the event handler not read: %s", e.msg);
	return fd;
}

int mode_check(const struct mode_env *m, struct err *e)
{
	const struct config *cfg = m->cfg;
	struct sync_job *jobs = NULL;
	size_t n = 0;
	if (graph_read_jobs(m->g, &cfg->sp, cfg->job_id, &jobs, &n, e) < 0)
		return -1;
	struct job_result *results = calloc(n, sizeof(*results));
	if (results == NULL) {
		free(jobs);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	int state_fd = open_state_dir(m);
	struct job_context ctx = {.now = clock_wall()};
	for (size_t i = 0; i < n; i++) {
		ctx.started_at = state_fd >= 0 ? job_state_last_start(state_fd, jobs[i].id) : 0;
		evaluate_job(&jobs[i], &cfg->eval, &ctx, &results[i]);
	}
	if (state_fd >= 0)
		close(state_fd);
	struct expiry_result expiry;
	mode_credential_expiry(m, &expiry);
	struct run_facts facts = {0};
	output_expiry_facts(&expiry, &facts);
	facts.http_seconds = m->g->http->seconds;
	enum state st = output_check(m->out, results, n, &cfg->output, &facts);
	free(results);
	free(jobs);
	return (int)st;
}
