/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The query (graph_paths.c) asks for one job's cycle; the model checks
 * every event against the same bounds again, whatever the server did with
 * the filter. A page is fetched once per place in the application's
 * shared window: a 429 or 503 is retried here, never by the transport. */
#include "provlog_graph.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "graph_paths.h"
#include "jsonutil.h"
#include "redact.h"
#include "reports_bucket.h"
#include "timeparse.h"
#include "url.h"

#define MAX_PAGES    100 /* empty pages that keep pointing on are no log */
#define LICENCE_CODE "Authentication_RequestFromNonPremiumTenantOrB2CTenant"

static char *query_url(const struct graph_client *g, enum provlog_kind kind,
                       const struct provlog_read *q, struct err *e)
{
	char *path =
	    graph_path_provisioning(kind, q->job_id, q->began, q->ended, PROVLOG_PAGE_SIZE, e);
	char *url = path != NULL ? graph_url(g, path) : NULL;
	if (path != NULL && url == NULL)
		err_set(e, ERR_INTERNAL, "out of memory");
	free(path);
	return url;
}

/* Graph's error.code of the answer into code (n bytes); "" when none. */
static void error_code(const struct http_response *resp, char *code, size_t n)
{
	struct json_object *root = NULL;
	code[0] = '\0';
	if (json_parse_bounded(resp->body.data, resp->body.len, "", &root, NULL) == 0) {
		const char *c = json_get_string(json_member(root, "error"), "code", NULL);
		str_copy(code, n, c != NULL ? c : "");
	}
	json_object_put(root);
}

/* An answer that is not the page: what it says, and how the run takes it. */
static int refused(struct graph_client *g, const struct http_response *resp,
                   enum provlog_status *status, struct err *e)
{
	*status = PROVLOG_FAILED;
	if (resp->status == 401 || resp->status == 403) {
		char code[64];
		error_code(resp, code, sizeof(code));
		if (strcmp(code, "InvalidAuthenticationToken") != 0)
			*status = strcmp(code, LICENCE_CODE) == 0 ? PROVLOG_NO_LICENCE
			                                          : PROVLOG_NO_PERMISSION;
	}
	return graph_answer_error(g, resp->status, resp->body.data, resp->body.len,
	                          resp->request_id, PROVLOG_PERMISSIONS,
	                          "Reports Reader or Global Reader", e);
}

/* Throttled: wait what Graph asks (at least a backoff), telling the other
 * processes of the application for a 429, when the deadline allows. */
static int wait_throttled(struct graph_client *g, const struct provlog_read *q,
                          const struct http_response *resp, double *backoff,
                          enum provlog_status *status, struct err *e)
{
	double asked = -1;
	if (resp->retry_after[0] == '\0' ||
	    retry_after_parse(resp->retry_after, clock_wall(), &asked) < 0)
		asked = -1;
	double wait = http_next_backoff(backoff);
	if (asked > wait)
		wait = asked;
	struct run *run = g->http->run;
	if (resp->status == 429 && q->window_fd >= 0)
		bucket_hold(q->window_fd, q->window, wait, run->deadline, NULL);
	double left = run_left(run);
	if (wait < left) {
		run_say(run, 2, "provisioning logs: HTTP %ld, retrying in %.1fs", resp->status,
		        wait);
		clock_sleep(wait);
		return 0;
	}
	/* The header as read, never as sent: a server or proxy that echoes a
	 * secret there would have it printed. */
	char said[32] = "none";
	if (asked >= 0)
		snprintf(said, sizeof(said), "%g", asked);
	else if (resp->retry_after[0] != '\0')
		str_copy(said, sizeof(said), "unreadable");
	*status = PROVLOG_SKIPPED;
	return err_set(e, ERR_THROTTLED,
	               "Graph throttled the provisioning logs (HTTP %ld, Retry-After %s); the "
	               "wait of %.1fs does not fit the %.1fs left",
	               resp->status, said, wait, left > 0 ? left : 0);
}

static int fetch_page(struct graph_client *g, const struct provlog_read *q, const char *url,
                      struct json_object **page, enum provlog_status *status, struct err *e)
{
	double backoff = HTTP_BACKOFF_FIRST;
	for (;;) {
		double waited = 0;
		if (q->window_fd >= 0 && bucket_acquire(q->window_fd, q->window,
		                                        g->http->run->deadline, &waited, e) < 0) {
			*status =
			    e != NULL && e->kind == ERR_CONFIG ? PROVLOG_FAILED : PROVLOG_SKIPPED;
			return -1;
		}
		if (waited > 0.05)
			run_say(g->http->run, 2,
			        "provisioning logs: waited %.1fs for the shared window", waited);
		struct http_response resp;
		if (graph_get_once(g, url, &resp, e) < 0) {
			*status =
			    e != NULL && e->kind == ERR_TIMEOUT ? PROVLOG_SKIPPED : PROVLOG_FAILED;
			return -1;
		}
		int rc = 0;
		bool again = false;
		if (resp.status == 200) {
			rc = json_parse_bounded(resp.body.data, resp.body.len,
			                        "provisioning log page", page, e);
			*status = PROVLOG_FAILED;
		} else if (resp.status == 429 || resp.status == 503 || resp.status == 504) {
			rc = wait_throttled(g, q, &resp, &backoff, status, e);
			again = rc == 0;
		} else {
			rc = refused(g, &resp, status, e);
		}
		http_response_free(&resp);
		if (!again)
			return rc;
	}
}

/* Every page of one query into acc. */
static int read_query(struct graph_client *g, const struct provlog_read *q, enum provlog_kind kind,
                      struct provlog_acc *acc, enum provlog_status *status, struct err *e)
{
	char *url = query_url(g, kind, q, e);
	if (url == NULL) {
		*status = PROVLOG_FAILED;
		return -1;
	}
	int rc = 0;
	for (unsigned pages = 0; url != NULL && rc == 0; pages++) {
		struct json_object *page = NULL;
		*status = PROVLOG_FAILED;
		if (pages == MAX_PAGES)
			rc = err_set(e, ERR_PARSE, "the provisioning logs have more than %d pages",
			             MAX_PAGES);
		else
			rc = fetch_page(g, q, url, &page, status, e);
		free(url);
		url = NULL;
		if (rc == 0)
			rc = provlog_acc_page(acc, page, &url, e);
		json_object_put(page);
		if (rc == 0 && url != NULL && !url_same_origin(url, g->opt->graph_url))
			rc =
			    err_set(e, ERR_PARSE,
			            "the provisioning logs point their next page (@odata.nextLink) "
			            "away from %s; refusing to send the token there",
			            g->opt->graph_url);
	}
	free(url);
	return rc;
}

struct scrub_ctx {
	const char *secrets[AUTH_SECRETS_MAX];
	size_t n;
};

static char *scrub(const char *s, size_t len, size_t max, const void *ctx)
{
	const struct scrub_ctx *c = ctx;
	return redact_scrubbed_prefix(s, len, max, c->secrets, c->n);
}

int provlog_graph_read(struct graph_client *g, const struct provlog_read *q,
                       struct provlog_summary *out, enum provlog_status *status, struct err *e)
{
	memset(out, 0, sizeof(*out));
	*status = PROVLOG_FAILED;
	struct provlog_acc *failed =
	    provlog_acc_new(PROVLOG_FAILURES, q->job_id, q->began, q->ended);
	struct provlog_acc *staged =
	    q->staged ? provlog_acc_new(PROVLOG_STAGED_DELETES, q->job_id, q->began, q->ended)
	              : NULL;
	int rc = failed != NULL && (!q->staged || staged != NULL)
	             ? read_query(g, q, PROVLOG_FAILURES, failed, status, e)
	             : err_set(e, ERR_INTERNAL, "out of memory");
	if (rc == 0 && staged != NULL)
		rc = read_query(g, q, PROVLOG_STAGED_DELETES, staged, status, e);
	if (rc == 0) {
		struct scrub_ctx ctx;
		ctx.n = auth_secrets(g->auth, NULL, ctx.secrets);
		rc = provlog_acc_summary(failed, scrub, &ctx, out) == 0
		         ? 0
		         : err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (rc == 0 && staged != NULL) {
		out->staged_read = true;
		out->staged = provlog_acc_objects(staged, &out->staged_capped);
	}
	if (rc == 0)
		*status = PROVLOG_KNOWN;
	provlog_acc_free(failed);
	provlog_acc_free(staged);
	return rc;
}
