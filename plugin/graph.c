/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "graph.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "auth.h"
#include "credential.h"
#include "jsonutil.h"
#include "redact.h"
#include "text.h"
#include "url.h"

#define GRAPH_MAX_PAGES   100
#define GRAPH_MESSAGE_MAX 300

UNITTEST void graph_error_describe(long status, const char *body, size_t len,
                                   const struct graph_error_ctx *ctx, char *out, size_t n,
                                   char *detail, size_t dn);

void graph_sp_label(const struct sp_ref *sp, char *out, size_t n)
{
	if (sp->id != NULL)
		snprintf(out, n, "service principal %s", sp->id);
	else
		snprintf(out, n, "service principal appId=%s", sp->app_id ? sp->app_id : "");
	text_clean(out);
}

/* {graph_url}/{api_version}/servicePrincipals/.../synchronization/jobs[/{job}][/{action}].
 * malloc'd, or NULL with e. */
static char *jobs_url(const struct graph_client *g, const struct sp_ref *sp, const char *job_id,
                      const char *action, struct err *e)
{
	char *path = graph_path_jobs(sp, job_id, action, e);
	if (path == NULL)
		return NULL;
	char *url = graph_url(g, path);
	free(path);
	if (url == NULL)
		err_set(e, ERR_INTERNAL, "out of memory");
	return url;
}

static int send_with_token(struct graph_client *g, const char *method, const char *url,
                           const char *json_body, unsigned flags, struct http_response *resp,
                           struct err *e)
{
	struct buf auth = {0};
	if (buf_printf(&auth, "Authorization: Bearer %s", g->auth->token) < 0) {
		buf_free(&auth);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	const char *headers[] = {auth.data, json_body ? "Content-Type: application/json" : NULL,
	                         NULL};
	/* Sending a POST start twice could start the job twice, whether the
	 * transport resends it or a 503/504 is retried; a $batch of reads may
	 * be sent again. */
	if (strcmp(method, "POST") == 0 && json_body == NULL)
		flags |= HTTP_ACTION;
	int rc = http_request(g->http, method, url, headers, json_body, resp, flags, e);
	explicit_bzero(auth.data, auth.len);
	buf_free(&auth);
	if (rc == 0) {
		str_copy(g->last_request_id, sizeof(g->last_request_id), resp->request_id);
		g->last_status = resp->status;
	}
	return rc;
}

/* One authenticated request; renews a cached token once after a 401. This
 * includes Graph's missing-permission answer (401 UnknownError, empty
 * message): a token cached before admin consent was granted lacks the new
 * role, and a fresh one carries it. A rejected --access-token-file token
 * cannot be renewed; the auth module says so. */
static int call_with(struct graph_client *g, const char *method, const char *url,
                     const char *json_body, unsigned flags, struct http_response *resp,
                     struct err *e)
{
	if (g->auth->token == NULL && auth_get_token(g->auth, e) < 0)
		return -1;
	if (send_with_token(g, method, url, json_body, flags, resp, e) < 0)
		return -1;
	if (resp->status != 401 || !auth_can_renew(g->auth))
		return 0;
	http_response_free(resp);
	if (auth_renew(g->auth, e) < 0)
		return -1;
	return send_with_token(g, method, url, json_body, flags, resp, e);
}

int graph_call(struct graph_client *g, const char *method, const char *url, const char *json_body,
               struct http_response *resp, struct err *e)
{
	return call_with(g, method, url, json_body, 0, resp, e);
}

int graph_get_once(struct graph_client *g, const char *url, struct http_response *resp,
                   struct err *e)
{
	return call_with(g, "GET", url, NULL, HTTP_NO_RETRY, resp, e);
}

char *graph_url(const struct graph_client *g, const char *path)
{
	struct buf b = {0};
	if (buf_printf(&b, "%s/%s%s", g->opt->graph_url, g->opt->api_version, path) < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

int graph_answer_error(const struct graph_client *g, long status, const char *body, size_t len,
                       const char *request_id, const char *permission, const char *roles,
                       struct err *e)
{
	char text[ERR_MSG_MAX], detail[ERR_MSG_MAX];
	const char *secrets[AUTH_SECRETS_MAX];
	struct graph_error_ctx ctx = {.request_id = request_id,
	                              .permission = permission,
	                              .roles = roles,
	                              .delegated = auth_token_delegated(g->auth),
	                              .secrets = secrets};
	ctx.n_secrets = auth_secrets(g->auth, NULL, secrets);
	graph_error_describe(status, body, len, &ctx, text, sizeof(text), detail, sizeof(detail));
	const char *why = status == 401 ? auth_why_no_renewal(g->auth) : NULL;
	if (why != NULL) {
		size_t used = strlen(text);
		snprintf(text + used, sizeof(text) - used, " (%s)", why);
	}
	err_set(e, ERR_GRAPH, "%s", text);
	err_detail(e, "%s", detail);
	if (e != NULL)
		e->http_status = status;
	return -1;
}

/* An answer that is not the one wanted, as e. */
static int graph_failure(const struct graph_client *g, const struct http_response *resp,
                         const char *permission, const char *roles, struct err *e)
{
	graph_answer_error(g, resp->status, resp->body.data, resp->body.len, resp->request_id,
	                   permission, roles, e);
	if (e != NULL && resp->status >= 300 && resp->status < 400 && resp->location[0] != '\0') {
		char where[200];
		text_copy(where, sizeof(where), resp->location);
		size_t used = strlen(e->msg);
		snprintf(e->msg + used, sizeof(e->msg) - used, " (redirect to %s not followed)",
		         where);
	}
	return -1;
}

int graph_fetch_json(struct graph_client *g, const char *method, const char *url,
                     const char *json_body, const char *what, const char *permission,
                     const char *roles, struct json_object **root, struct err *e)
{
	*root = NULL;
	struct http_response resp;
	if (graph_call(g, method, url, json_body, &resp, e) < 0)
		return -1;
	int rc = resp.status == 200
	             ? json_parse_bounded(resp.body.data, resp.body.len, what, root, e)
	             : graph_failure(g, &resp, permission, roles, e);
	http_response_free(&resp);
	return rc;
}

int graph_get_job(struct graph_client *g, const struct sp_ref *sp, const char *job_id,
                  struct sync_job *job, struct err *e)
{
	char *url = jobs_url(g, sp, job_id, NULL, e);
	if (url == NULL)
		return -1;
	struct json_object *root = NULL;
	int rc = graph_fetch_json(g, "GET", url, NULL, "Graph response", GRAPH_PERM_READ, NULL,
	                          &root, e);
	free(url);
	if (rc < 0)
		return -1;
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return err_set(e, ERR_PARSE, "Graph response is not a JSON object");
	}
	rc = job_from_json(root, job, e);
	json_object_put(root);
	return rc;
}

/* Appends the jobs of one page and takes its next link, which must stay on
 * the configured Graph origin (the bearer token goes where it points). */
static int take_page(struct graph_client *g, struct json_object *page, struct sync_job **jobs,
                     size_t *n, char **next, struct err *e)
{
	if (!json_object_is_type(page, json_type_object))
		return err_set(e, ERR_PARSE, "Graph job list is not a JSON object");
	if (jobs_from_page(page, GRAPH_JOBS_MAX, jobs, n, next, e) < 0)
		return -1;
	if (*next != NULL && !url_same_origin(*next, g->opt->graph_url))
		return err_set(e, ERR_PARSE,
		               "Graph job list points its next page (@odata.nextLink) away "
		               "from %s; refusing to send the token there",
		               g->opt->graph_url);
	return 0;
}

/* Reads pages from url on (or, with first, from that page already read). */
static int list_pages(struct graph_client *g, char *url, struct json_object *first,
                      struct sync_job **jobs, size_t *n, struct err *e)
{
	int rc = 0;
	unsigned pages = 0;
	if (first != NULL) {
		pages++;
		rc = take_page(g, first, jobs, n, &url, e);
	}
	while (url != NULL && rc == 0) {
		if (pages >= GRAPH_MAX_PAGES) {
			rc = err_set(e, ERR_PARSE, "Graph job list has more than %d pages",
			             GRAPH_MAX_PAGES);
			break;
		}
		struct json_object *page = NULL;
		pages++;
		rc = graph_fetch_json(g, "GET", url, NULL, "Graph job list", GRAPH_PERM_READ, NULL,
		                      &page, e);
		free(url);
		url = NULL;
		if (rc == 0)
			rc = take_page(g, page, jobs, n, &url, e);
		json_object_put(page);
	}
	free(url);
	if (rc < 0) {
		free(*jobs);
		*jobs = NULL;
		*n = 0;
	}
	return rc;
}

int graph_list_jobs(struct graph_client *g, const struct sp_ref *sp, struct sync_job **jobs,
                    size_t *n, struct err *e)
{
	*jobs = NULL;
	*n = 0;
	char *url = jobs_url(g, sp, NULL, NULL, e);
	if (url == NULL)
		return -1;
	return list_pages(g, url, NULL, jobs, n, e);
}

int graph_jobs_from_page(struct graph_client *g, struct json_object *page, struct sync_job **jobs,
                         size_t *n, struct err *e)
{
	*jobs = NULL;
	*n = 0;
	return list_pages(g, NULL, page, jobs, n, e);
}

int graph_no_jobs_error(const struct sp_ref *sp, struct err *e)
{
	char who[300];
	graph_sp_label(sp, who, sizeof(who));
	return err_set(e, ERR_GRAPH, "%s has no synchronization jobs to check", who);
}

/* The job whose id is job_id but for case, from the list: Graph's own
 * spelling keys the start history. The exact spelling wins; two that differ
 * only in case make the name ambiguous. 0 with *out, or -1 (none). */
static int match_listed(const struct sync_job *jobs, size_t n, const char *job_id,
                        struct sync_job *out, struct err *e)
{
	size_t found = n, count = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(jobs[i].id, job_id) == 0) {
			*out = jobs[i];
			return 0;
		}
		if (strcasecmp(jobs[i].id, job_id) == 0) {
			found = i;
			count++;
		}
	}
	if (count > 1)
		return err_set(e, ERR_GRAPH,
		               "job '%.200s' names %zu jobs that differ only in case: give the id "
		               "as Graph spells it",
		               job_id, count);
	if (count == 0)
		return -1;
	*out = jobs[found];
	return 0;
}

/* GET .../jobs/{job_id}; when Graph does not know that spelling (404), the
 * job whose id matches without regard to case in the list. The answer must
 * be that job: its id, as Graph spells it, is the one every mode keys its
 * history by. */
static int read_named_job(struct graph_client *g, const struct sp_ref *sp, const char *job_id,
                          struct sync_job *job, struct err *e)
{
	if (graph_get_job(g, sp, job_id, job, e) == 0) {
		if (strcasecmp(job->id, job_id) != 0)
			return err_set(e, ERR_PARSE,
			               "Graph answered job '%.200s' when asked for '%.200s'",
			               job->id, job_id);
		return 0;
	}
	/* Graph's own 404, not a sign-in that answered 404 on the way. */
	if (e == NULL || e->kind != ERR_GRAPH || e->http_status != 404)
		return -1;
	struct err not_found = *e, list_err = {0};
	struct sync_job *jobs = NULL;
	size_t n = 0;
	int rc = graph_list_jobs(g, sp, &jobs, &n, &list_err);
	if (rc == 0)
		rc = match_listed(jobs, n, job_id, job, &list_err);
	free(jobs);
	if (rc == 0)
		return 0;
	*e = list_err.kind != ERR_NONE ? list_err : not_found;
	return -1;
}

int graph_read_jobs(struct graph_client *g, const struct sp_ref *sp, const char *job_id,
                    struct sync_job **jobs, size_t *n, struct err *e)
{
	*jobs = NULL;
	*n = 0;
	if (job_id == NULL) {
		if (graph_list_jobs(g, sp, jobs, n, e) < 0)
			return -1;
		if (*n > 0)
			return 0;
		free(*jobs);
		*jobs = NULL;
		return graph_no_jobs_error(sp, e);
	}
	*jobs = calloc(1, sizeof(**jobs));
	if (*jobs == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (read_named_job(g, sp, job_id, *jobs, e) < 0) {
		free(*jobs);
		*jobs = NULL;
		return -1;
	}
	*n = 1;
	return 0;
}

enum start_outcome graph_start_job(struct graph_client *g, const struct sp_ref *sp,
                                   const char *job_id, struct err *e)
{
	char *url = jobs_url(g, sp, job_id, "start", e);
	if (url == NULL)
		return START_NOT_SENT;
	/* The token first: a sign-in that fails sends no start (--start has
	 * read nothing before, so this is its first request). */
	if (g->auth->token == NULL && auth_get_token(g->auth, e) < 0) {
		free(url);
		return START_NOT_SENT;
	}
	struct http_response resp;
	int rc = graph_call(g, "POST", url, NULL, &resp, e);
	free(url);
	/* A URL refused before sending, or a renewal that failed after Graph
	 * answered 401 (it did not act): no start. Anything else may be one. */
	if (rc < 0)
		return e != NULL && (e->kind == ERR_USAGE || e->kind == ERR_AUTH) ? START_NOT_SENT
		                                                                  : START_MAYBE;
	/* 204 is documented; any other 2xx is a start all the same. */
	enum start_outcome out = START_DONE;
	if (resp.status < 200 || resp.status > 299) {
		graph_failure(g, &resp, GRAPH_PERM_WRITE, NULL, e);
		/* Only a 4xx says Graph did not act; a 429 (not retried past the
		 * deadline) and everything else may hide a start. */
		out = resp.status >= 400 && resp.status < 500 && resp.status != 429 ? START_REFUSED
		                                                                    : START_MAYBE;
	}
	http_response_free(&resp);
	return out;
}

/* Copies s into out as one clean line: control characters and runs of white
 * space become one space, cut at max bytes with "...". */
static void one_line(const char *s, size_t len, char *out, size_t n, size_t max)
{
	size_t o = 0;
	bool space = false;
	if (max + 4 > n)
		max = n > 4 ? n - 4 : 0;
	for (size_t i = 0; i < len && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isspace(c) || c < 0x20 || c == 0x7f) {
			space = o > 0;
			continue;
		}
		if (o >= max) {
			out[o] = '\0';
			o = utf8_prefix(out, o); /* never half a character */
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (space && o + 1 < max)
			out[o++] = ' ';
		space = false;
		out[o++] = c == '|' ? '/' : (char)c;
	}
	out[o] = '\0';
	text_clean(out);
}

/* A server's text that may echo a secret: scrubbed, then cut. */
static void scrubbed_line(const char *s, size_t len, const struct graph_error_ctx *ctx, char *out,
                          size_t n, size_t max)
{
	char *whole = redact_scrubbed_prefix(s, len, max, ctx->secrets, ctx->n_secrets);
	if (whole == NULL) {
		str_copy(out, n, "");
		return;
	}
	one_line(whole, strlen(whole), out, n, max);
	free(whole);
}

/* What innerError says, which may nest (Graph's error guide: the inner codes
 * are more specific, read them too): the codes, innermost last, and the
 * first request-id, client-request-id and date found. */
struct inner_info {
	char codes[200];
	char request_id[80], client_request_id[80], date[64];
};

static void copy_once(char *dst, size_t n, struct json_object *obj, const char *key)
{
	const char *v = json_get_string(obj, key, NULL);
	if (dst[0] == '\0' && v != NULL)
		text_copy(dst, n, v);
}

static void read_inner(struct json_object *error, struct inner_info *in)
{
	memset(in, 0, sizeof(*in));
	struct json_object *inner = NULL;
	for (int depth = 0; depth < 8; depth++) {
		if (!json_object_object_get_ex(error, "innerError", &inner) &&
		    !json_object_object_get_ex(error, "innererror", &inner))
			return;
		if (!json_object_is_type(inner, json_type_object))
			return;
		const char *code = json_get_string(inner, "code", NULL);
		if (code != NULL && *code != '\0') {
			size_t used = strlen(in->codes);
			snprintf(in->codes + used, sizeof(in->codes) - used, "%s%s",
			         used ? " > " : "", code);
		}
		copy_once(in->request_id, sizeof(in->request_id), inner, "request-id");
		copy_once(in->client_request_id, sizeof(in->client_request_id), inner,
		          "client-request-id");
		copy_once(in->date, sizeof(in->date), inner, "date");
		error = inner;
	}
}

static void permission_hint(long status, const char *code, const struct graph_error_ctx *ctx,
                            char *out, size_t n)
{
	const char *roles = ctx->roles != NULL ? ctx->roles
	                                       : "Application Administrator or Cloud Application "
	                                         "Administrator (Hybrid Identity Administrator for "
	                                         "Cloud Sync)";
	out[0] = '\0';
	if (status != 401 && status != 403)
		return;
	/* A rejected token is not a permission problem; everything else on
	 * 401/403 is (Graph's missing-permission answer is a bare 401 UnknownError). */
	if (strcmp(code, "InvalidAuthenticationToken") == 0)
		snprintf(out, n,
		         " - the access token was rejected (expired, revoked or not for this "
		         "Graph)");
	else if (ctx->delegated)
		snprintf(out, n,
		         " - a delegated token needs the permission %s (delegated, consented)%s%s",
		         ctx->permission, roles[0] ? " and a directory role: " : "", roles);
	else
		snprintf(out, n,
		         " - the application needs the Microsoft Graph application permission "
		         "%s (admin consent granted)",
		         ctx->permission);
}

UNITTEST void graph_error_describe(long status, const char *body, size_t len,
                                   const struct graph_error_ctx *ctx, char *out, size_t n,
                                   char *detail, size_t dn)
{
	char code[128] = "";
	char message[GRAPH_MESSAGE_MAX + 8] = "";
	char rid[80] = "";
	const char *rid_from = "";
	struct inner_info in;
	struct json_object *root = NULL;
	struct json_object *error = NULL;

	memset(&in, 0, sizeof(in));
	text_copy(rid, sizeof(rid), ctx->request_id);
	if (body != NULL && len > 0 && json_parse_bounded(body, len, "", &root, NULL) == 0 &&
	    json_object_object_get_ex(root, "error", &error) &&
	    json_object_is_type(error, json_type_object)) {
		const char *c = json_get_string(error, "code", NULL);
		const char *m = json_get_string(error, "message", NULL);
		if (c != NULL)
			one_line(c, strlen(c), code, sizeof(code), sizeof(code) - 4);
		if (m != NULL)
			scrubbed_line(m, strlen(m), ctx, message, sizeof(message),
			              GRAPH_MESSAGE_MAX);
		read_inner(error, &in);
		if (rid[0] == '\0' && in.request_id[0] != '\0') {
			str_copy(rid, sizeof(rid), in.request_id);
			rid_from = " (from the error body: the answer had no request-id header)";
		}
	} else if (body != NULL && len > 0) {
		char snippet[128];
		scrubbed_line(body, len < 4096 ? len : 4096, ctx, snippet, sizeof(snippet), 100);
		snprintf(message, sizeof(message), "unexpected answer: %s", snippet);
	}
	json_object_put(root);

	char hint[400];
	permission_hint(status, code, ctx, hint, sizeof(hint));
	snprintf(out, n, "Graph HTTP %ld%s%s%s%s%s%s%s%s", status, code[0] ? " " : "", code,
	         message[0] ? ": " : "", message, rid[0] ? " (request-id " : "", rid,
	         rid[0] ? ")" : "", hint);
	/* The code, the ids and the inner codes are the server's text too: a
	 * piece of the token in any of them goes (pieces of 8 or more). */
	redact_scrub(out, ctx->secrets, ctx->n_secrets);

	if (detail == NULL || dn == 0)
		return;
	struct buf b = {0};
	if (in.codes[0])
		buf_printf(&b, "inner error %s", in.codes);
	if (in.date[0])
		buf_printf(&b, "%sdate %s", b.len ? "; " : "", in.date);
	if (rid_from[0]) /* the header's request-id is on the first line already */
		buf_printf(&b, "%srequest-id %s%s", b.len ? "; " : "", rid, rid_from);
	if (in.client_request_id[0])
		buf_printf(&b, "%sclient-request-id %s", b.len ? "; " : "", in.client_request_id);
	if (b.data != NULL)
		redact_scrub(b.data, ctx->secrets, ctx->n_secrets);
	text_copy(detail, dn, b.data ? b.data : "");
	buf_free(&b);
}

int graph_get_app_credentials(struct graph_client *g, const char *app_id,
                              struct app_credentials *out, struct err *e)
{
	if (app_id == NULL || *app_id == '\0')
		return err_set(e, ERR_USAGE, "no client id to look up");
	char *path = graph_path_app_credentials(app_id, e);
	if (path == NULL)
		return -1;
	char *url = graph_url(g, path);
	free(path);
	if (url == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	struct json_object *root = NULL;
	int rc = graph_fetch_json(g, "GET", url, NULL, "Graph application", GRAPH_PERM_APP_READ, "",
	                          &root, e);
	free(url);
	if (rc < 0)
		return -1;
	rc = app_credentials_from_json(root, out, e);
	json_object_put(root);
	return rc;
}
