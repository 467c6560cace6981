/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_entra_sync: set up the run, hand it to its mode, and the runtime
 * guard: whatever a mode could not do ends in one UNKNOWN line (or the -t
 * STATE on a timeout), the same for every mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "auth.h"
#include "common.h"
#include "eventlog.h"
#include "format/format.h"
#include "graph.h"
#include "http.h"
#include "modes.h"
#include "options.h"
#include "redact.h"
#include "run.h"

/* Every mode, one row each (git's commands[]): the option that chooses it,
 * its name in the formats of values, the function that runs it, and the rules the set-up and fail()
 * apply to it. The first row is the mode without an option. A new mode is a row here, its function
 * in modes.h, and its lines in usage.c. */
static const struct mode modes[] = {
    {NULL, "check", mode_check, MODE_CHECKS | MODE_OBJECT_ERRORS},
    {"event-handler", "event_handler", mode_event_handler,
     MODE_LOGS | MODE_SERVICE_STATE | MODE_OBJECT_ERRORS},
    {"start", "start", mode_start, MODE_LOGS | MODE_ONE_JOB},
    {"list", "list", mode_list, MODE_ALL_SPS},
    {"directory-sync", "directory_sync", mode_directory_sync,
     MODE_CHECKS | MODE_TENANT | MODE_BETA},
};

_Static_assert(sizeof(modes) / sizeof(modes[0]) <= MODES_MAX, "more modes than MODES_MAX");

/* The one way a run that could not find out ends: the message scrubbed of
 * every secret the run holds or has held, one line, the -t STATE for a
 * timeout of a check (plain or --directory-sync). The handler, --start and
 * --list exit 3 whatever -t says: their status is read as "did it", and a
 * timeout did not (a :ok state would make a half-read listing or handler
 * look done). The exit status: that state, or 3 when --output-file could
 * not be written. */
static int report_failure(const struct config *cfg, const struct auth_ctx *auth, struct err *e)
{
	enum state st = STATE_UNKNOWN;
	bool check = cfg != NULL && (cfg->mode->flags & MODE_CHECKS);
	if (e->kind == ERR_TIMEOUT && check)
		st = cfg->timeout_state;
	const char *secrets[AUTH_SECRETS_MAX];
	size_t n = auth_secrets(auth, &cfg->auth, secrets);
	redact_scrub(e->msg, secrets, n);
	redact_scrub(e->detail, secrets, n);
	if (e->msg[0] == '\0')
		str_copy(e->msg, sizeof(e->msg), "unexpected failure");
	/* What Microsoft support asks for (trace and correlation ids, dates)
	 * follows on the long output, keeping the first line short. A check
	 * says it in its --output-format (and --output-file); the others'
	 * output is a log. */
	return format_status(stdout, check ? &cfg->output : NULL, st, e->msg, e->detail);
}

static int fail(const struct config *cfg, const struct auth_ctx *auth, struct err *e)
{
	int rc = report_failure(cfg, auth, e);
	/* The handler and --start leave their decisions in syslog: so does
	 * their failure. */
	if (cfg != NULL && (cfg->mode->flags & MODE_LOGS))
		eventlog(cfg->handler.syslog_socket, LOG_ERR, e->msg);
	return rc;
}

static void say_endpoints(const struct config *cfg, struct run *run)
{
	run_say(run, 2, "cloud %s: login %s, graph %s/%s, scope %s, imds %s", cfg->cloud,
	        cfg->auth.login_url, cfg->graph.graph_url, cfg->graph.api_version, cfg->auth.scope,
	        cfg->auth.imds_url);
	run_say(run, 2, "identity: %s; token cache %s; state directory %s",
	        auth_method_name(cfg->auth.method),
	        cfg->auth.no_cache ? "off" : cfg->auth.cache_dir, cfg->handler.state_dir);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct err e = {0};
	config_init(&cfg, modes, sizeof(modes) / sizeof(modes[0]));
	int rc = config_parse(&cfg, argc, argv, stdout, &e);
	if (rc != 0) {
		/* A usage error is told in the format the command line asks for,
		 * wherever that came on it. */
		if (rc < 0)
			config_salvage_output(&cfg, argc, argv);
		rc = rc > 0 ? 0 : report_failure(&cfg, NULL, &e);
		config_free(&cfg);
		return rc;
	}
	struct run run;
	run_init(&run, cfg.timeout, cfg.verbose);
	say_endpoints(&cfg, &run);

	struct http_client http;
	struct auth_ctx auth;
	/* http_init first: it refuses trust files that would hold the run
	 * before libcurl's initialisation opens OpenSSL's configuration. */
	if (http_init(&http, &cfg.http, &run, &e) < 0) {
		rc = fail(&cfg, NULL, &e);
	} else {
		auth_init(&auth, &cfg.auth, &http, &run);
		struct graph_client g = {.opt = &cfg.graph, .http = &http, .auth = &auth};
		struct mode_env m = {.cfg = &cfg, .g = &g, .run = &run, .out = stdout};
		rc = cfg.mode->run(&m, &e);
		if (rc < 0)
			rc = fail(&cfg, &auth, &e);
		auth_cleanup(&auth);
		http_cleanup(&http);
	}
	/* Diagnostics only after the result: Icinga 2 takes the first line of
	 * stdout and stderr together as the service's output. */
	fflush(stdout);
	run_flush(&run, stderr);
	config_free(&cfg);
	return rc;
}
