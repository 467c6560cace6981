/* check_entra_sync: acquire -> evaluate -> present, and the runtime guard
 * that turns every failure into one UNKNOWN line. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "common.h"
#include "evaluate.h"
#include "graph.h"
#include "http.h"
#include "job.h"
#include "modes.h"
#include "options.h"
#include "output.h"

/* The state a failure maps to: the -t STATE for a timeout, UNKNOWN otherwise. */
static int fail(const struct config *cfg, const struct err *e)
{
	enum state st = STATE_UNKNOWN;
	if (e->kind == ERR_TIMEOUT && cfg != NULL)
		st = cfg->timeout_state;
	output_status_line(stdout, st, e->msg[0] ? e->msg : "unexpected failure");
	return (int)st;
}

static void print_endpoints(const struct config *cfg)
{
	static const char *const methods[] = {"none", "client secret", "certificate",
	                                      "managed identity", "access token file"};
	fprintf(stderr, "cloud %s: login %s, graph %s/%s, scope %s, imds %s\n", cfg->cloud,
	        cfg->login_url, cfg->graph_url, cfg->api_version, cfg->scope, cfg->imds_url);
	fprintf(stderr, "identity: %s; token cache %s\n", methods[cfg->auth],
	        cfg->no_token_cache ? "off" : cfg->token_cache_dir);
}

static int run_check(const struct config *cfg, struct graph_client *g, struct err *e)
{
	struct sync_job *jobs = NULL;
	size_t n = 0;
	if (cfg->job_id != NULL) {
		jobs = calloc(1, sizeof(*jobs));
		if (jobs == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		n = 1;
		if (graph_get_job(g, cfg->job_id, jobs, e) < 0) {
			free(jobs);
			return -1;
		}
	} else if (graph_list_jobs(g, &jobs, &n, e) < 0) {
		free(jobs);
		return -1;
	}
	if (n == 0) {
		free(jobs);
		return err_set(e, ERR_GRAPH,
		               "service principal %s has no synchronization jobs to check",
		               cfg->sp_id ? cfg->sp_id : cfg->app_id);
	}
	struct job_result *results = calloc(n, sizeof(*results));
	if (results == NULL) {
		free(jobs);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	double now = clock_wall();
	for (size_t i = 0; i < n; i++)
		evaluate_job(&jobs[i], &cfg->eval, now, &results[i]);
	enum state st = output_check(stdout, results, n, g->http->seconds);
	free(results);
	free(jobs);
	return (int)st;
}

static int run_mode(const struct config *cfg, struct graph_client *g, struct err *e)
{
	switch (cfg->mode) {
	case MODE_EVENT_HANDLER:
		return mode_event_handler(cfg, g, stdout);
	case MODE_START:
		return mode_start(cfg, g, stdout);
	case MODE_LIST:
		return mode_list(cfg, g, stdout);
	case MODE_CHECK:
		break;
	}
	int rc = run_check(cfg, g, e);
	return rc < 0 ? fail(cfg, e) : rc;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct err e = {0};
	config_init(&cfg);
	int rc = config_parse(&cfg, argc, argv, stdout, &e);
	if (rc != 0) {
		rc = rc > 0 ? 0 : fail(NULL, &e);
		config_free(&cfg);
		return rc;
	}
	if (cfg.verbose >= 2)
		print_endpoints(&cfg);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		config_free(&cfg);
		err_set(&e, ERR_INTERNAL, "libcurl failed to initialise");
		return fail(NULL, &e);
	}
	struct http_client http;
	struct auth_ctx auth;
	if (http_init(&http, &cfg, &e) < 0) {
		rc = fail(&cfg, &e);
	} else {
		auth_init(&auth, &cfg, &http);
		struct graph_client g = {.cfg = &cfg, .http = &http, .auth = &auth};
		rc = run_mode(&cfg, &g, &e);
		auth_cleanup(&auth);
		http_cleanup(&http);
	}
	curl_global_cleanup();
	config_free(&cfg);
	fflush(stdout);
	return rc;
}
