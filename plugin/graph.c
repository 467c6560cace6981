#include "graph.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "jsonutil.h"
#include "options.h"

#define GRAPH_MAX_PAGES   100
#define GRAPH_MESSAGE_MAX 300

static const char perm_read[] = "Synchronization.Read.All";
static const char perm_write[] = "Synchronization.ReadWrite.All";

/* {graph_url}/{api_version}{sp_path}/synchronization/jobs[/{job}][/{action}]. malloc'd. */
static char *jobs_url(const struct config *cfg, const char *job_id, const char *action)
{
	char *sp = config_sp_path(cfg);
	char *job = job_id != NULL ? url_escape(job_id) : NULL;
	struct buf b = {0};
	int rc = -1;
	if (sp != NULL && (job_id == NULL || job != NULL))
		rc = buf_printf(&b, "%s/%s%s/synchronization/jobs%s%s%s%s", cfg->graph_url,
		                cfg->api_version, sp, job ? "/" : "", job ? job : "",
		                action ? "/" : "", action ? action : "");
	free(sp);
	free(job);
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

static int send_with_token(struct graph_client *g, const char *method, const char *url,
                           struct http_response *resp, struct err *e)
{
	struct buf auth = {0};
	if (buf_printf(&auth, "Authorization: Bearer %s", g->auth->token) < 0) {
		buf_free(&auth);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	const char *headers[] = {auth.data, NULL};
	/* Retrying a POST start after a 503/504 could start the job twice. */
	unsigned flags = strcmp(method, "POST") == 0 ? HTTP_RETRY_429_ONLY : 0;
	int rc = http_request(g->http, method, url, headers, NULL, resp, flags, e);
	explicit_bzero(auth.data, auth.len);
	buf_free(&auth);
	if (rc == 0)
		str_copy(g->last_request_id, sizeof(g->last_request_id), resp->request_id);
	return rc;
}

/* One authenticated request; renews a cached token once after a 401. This
 * includes Graph's missing-permission answer (401 UnknownError, empty
 * message): a token cached before admin consent was granted lacks the new
 * role, and a fresh one carries it. A rejected --access-token-file token
 * cannot be renewed; the auth module says so. */
static int graph_request(struct graph_client *g, const char *method, const char *url,
                         struct http_response *resp, struct err *e)
{
	if (g->auth->token == NULL && auth_get_token(g->auth, e) < 0)
		return -1;
	if (send_with_token(g, method, url, resp, e) < 0)
		return -1;
	if (resp->status != 401 || (!g->auth->from_cache && g->cfg->auth != AUTH_TOKEN_FILE))
		return 0;
	http_response_free(resp);
	if (auth_renew_after_401(g->auth, e) < 0)
		return -1;
	return send_with_token(g, method, url, resp, e);
}

static int graph_failure(const struct http_response *resp, bool need_write, struct err *e)
{
	char text[ERR_MSG_MAX];
	graph_error_describe(resp->status, resp->body.data, resp->body.len, resp->request_id,
	                     need_write, text, sizeof(text));
	if (resp->status >= 300 && resp->status < 400 && resp->location[0] != '\0') {
		char where[200];
		str_copy(where, sizeof(where), resp->location);
		text_clean(where);
		size_t used = strlen(text);
		snprintf(text + used, sizeof(text) - used, " (redirect to %s not followed)", where);
	}
	if (e != NULL)
		e->http_status = resp->status;
	return err_set(e, ERR_GRAPH, "%s", text);
}

int graph_get_job(struct graph_client *g, const char *job_id, struct sync_job *job, struct err *e)
{
	char *url = jobs_url(g->cfg, job_id, NULL);
	if (url == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	struct http_response resp;
	int rc = graph_request(g, "GET", url, &resp, e);
	free(url);
	if (rc < 0)
		return -1;
	if (resp.status != 200) {
		graph_failure(&resp, false, e);
		http_response_free(&resp);
		return -1;
	}
	struct json_object *root = NULL;
	rc = json_parse_bounded(resp.body.data, resp.body.len, "Graph response", &root, e);
	http_response_free(&resp);
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

int graph_list_jobs(struct graph_client *g, struct sync_job **jobs, size_t *n, struct err *e)
{
	*jobs = NULL;
	*n = 0;
	g->pages = 0;
	char *url = jobs_url(g->cfg, NULL, NULL);
	if (url == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");

	int rc = 0;
	while (url != NULL && rc == 0) {
		if (g->pages >= GRAPH_MAX_PAGES) {
			rc = err_set(e, ERR_PARSE, "Graph job list has more than %d pages",
			             GRAPH_MAX_PAGES);
			break;
		}
		struct http_response resp;
		rc = graph_request(g, "GET", url, &resp, e);
		free(url);
		url = NULL;
		if (rc < 0)
			break;
		g->pages++;
		if (resp.status != 200) {
			rc = graph_failure(&resp, false, e);
			http_response_free(&resp);
			break;
		}
		struct json_object *page = NULL;
		rc = json_parse_bounded(resp.body.data, resp.body.len, "Graph job list", &page, e);
		http_response_free(&resp);
		if (rc < 0)
			break;
		if (!json_object_is_type(page, json_type_object))
			rc = err_set(e, ERR_PARSE, "Graph job list is not a JSON object");
		else
			rc = jobs_from_page(page, jobs, n, &url, e);
		json_object_put(page);
		if (rc == 0 && url != NULL && !url_same_origin(url, g->cfg->graph_url)) {
			/* The bearer token must never leave the configured Graph origin. */
			rc = err_set(e, ERR_PARSE,
			             "Graph job list points its next page (@odata.nextLink) away "
			             "from %s; refusing to send the token there",
			             g->cfg->graph_url);
		}
	}
	free(url);
	if (rc < 0) {
		free(*jobs);
		*jobs = NULL;
		*n = 0;
	}
	return rc;
}

int graph_start_job(struct graph_client *g, const char *job_id, struct err *e)
{
	char *url = jobs_url(g->cfg, job_id, "start");
	if (url == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	struct http_response resp;
	int rc = graph_request(g, "POST", url, &resp, e);
	free(url);
	if (rc < 0)
		return -1;
	if (resp.status != 204)
		rc = graph_failure(&resp, true, e);
	http_response_free(&resp);
	return rc;
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
}

/* request-id from innerError, which may nest. */
static const char *inner_request_id(struct json_object *error)
{
	struct json_object *inner = NULL;
	for (int depth = 0; depth < 8; depth++) {
		if (!json_object_object_get_ex(error, "innerError", &inner) &&
		    !json_object_object_get_ex(error, "innererror", &inner))
			return NULL;
		const char *id = json_get_string(inner, "request-id", NULL);
		if (id != NULL && *id != '\0')
			return id;
		error = inner;
	}
	return NULL;
}

void graph_error_describe(long status, const char *body, size_t len, const char *request_id,
                          bool need_write, char *out, size_t n)
{
	char code[128] = "";
	char message[GRAPH_MESSAGE_MAX + 8] = "";
	char rid[80] = "";
	struct json_object *root = NULL;
	struct json_object *error = NULL;

	str_copy(rid, sizeof(rid), request_id);
	if (body != NULL && len > 0 && json_parse_bounded(body, len, "", &root, NULL) == 0 &&
	    json_object_object_get_ex(root, "error", &error) &&
	    json_object_is_type(error, json_type_object)) {
		const char *c = json_get_string(error, "code", NULL);
		const char *m = json_get_string(error, "message", NULL);
		if (c != NULL)
			one_line(c, strlen(c), code, sizeof(code), sizeof(code) - 4);
		if (m != NULL)
			one_line(m, strlen(m), message, sizeof(message), GRAPH_MESSAGE_MAX);
		if (rid[0] == '\0')
			str_copy(rid, sizeof(rid), inner_request_id(error));
	} else if (body != NULL && len > 0) {
		char snippet[128];
		one_line(body, len, snippet, sizeof(snippet), 100);
		snprintf(message, sizeof(message), "unexpected answer: %s", snippet);
	}
	json_object_put(root);
	text_clean(rid);

	int used = snprintf(out, n, "Graph HTTP %ld%s%s%s%s", status, code[0] ? " " : "", code,
	                    message[0] ? ": " : "", message);
	if (used >= 0 && (size_t)used < n && rid[0] != '\0')
		used += snprintf(out + used, n - (size_t)used, " (request-id %s)", rid);
	if (used < 0 || (size_t)used >= n || (status != 401 && status != 403))
		return;
	/* A rejected token is not a permission problem; everything else on
	 * 401/403 is (Graph's missing-permission answer is a bare 401 UnknownError). */
	if (strcmp(code, "InvalidAuthenticationToken") == 0)
		snprintf(out + used, n - (size_t)used,
		         " - the access token was rejected (expired, revoked or not for this "
		         "Graph)");
	else
		snprintf(out + used, n - (size_t)used,
		         " - the application needs the Microsoft Graph application permission "
		         "%s (admin consent granted)",
		         need_write ? perm_write : perm_read);
}
