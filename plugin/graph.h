/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Microsoft Graph synchronization calls: get, list (paged), start; the one
 * authenticated request every Graph read goes through, and Graph's errors
 * worded. The paths come from graph_paths.h. */
#ifndef CES_GRAPH_H
#define CES_GRAPH_H

#include <stdbool.h>

#include "common.h"
#include "graph_paths.h"
#include "http.h"
#include "job.h"

struct app_credentials;
struct auth_ctx;
struct json_object;

/* Where Graph is; filled by options.c, read-only here. */
struct graph_options {
	char *graph_url;   /* base URL, no trailing '/' */
	char *api_version; /* v1.0 | beta */
};

/* The application permissions the reads and the start need, as named in
 * messages. */
#define GRAPH_PERM_READ     "Synchronization.Read.All"
#define GRAPH_PERM_WRITE    "Synchronization.ReadWrite.All"
#define GRAPH_PERM_APP_READ "Application.Read.All"

#define GRAPH_JOBS_MAX 1000 /* per service principal and run, paging included */

struct graph_client {
	const struct graph_options *opt;
	struct http_client *http;
	struct auth_ctx *auth;
	char last_request_id[80]; /* request-id of the last Graph answer */
	long last_status;         /* HTTP status of the last Graph answer */
};

/* One authenticated request to url (a full URL, from graph_url()), with an
 * optional JSON body; a cached token refused with 401 is renewed once. Any
 * HTTP status is a success here; -1 when no answer came. */
int graph_call(struct graph_client *g, const char *method, const char *url, const char *json_body,
               struct http_response *resp, struct err *e);
/* graph_call for a GET the transport sends once, whatever the answer (no
 * retry of a 429, 503 or 504): for reads paced against a limit shared with
 * other processes, whose caller waits and retries itself. */
int graph_get_once(struct graph_client *g, const char *url, struct http_response *resp,
                   struct err *e);
/* graph_call for an answer that must be 200 with JSON: *root (the caller
 * puts it). Any other status becomes the error Graph described, naming
 * permission and roles as graph_answer_error does, and a redirect
 * not followed; what names the body in a parse error. 0 or -1. */
int graph_fetch_json(struct graph_client *g, const char *method, const char *url,
                     const char *json_body, const char *what, const char *permission,
                     const char *roles, struct json_object **root, struct err *e);
/* {graph_url}/{api_version}{path}; path starts with '/'. malloc'd. */
char *graph_url(const struct graph_client *g, const char *path);
/* Turns a Graph error answer into e (ERR_GRAPH, the second line for
 * support), naming permission on 401/403 and roles as what a delegated
 * token needs besides it (NULL: the synchronization endpoints' roles, "":
 * none). Returns -1. */
int graph_answer_error(const struct graph_client *g, long status, const char *body, size_t len,
                       const char *request_id, const char *permission, const char *roles,
                       struct err *e);

/* GET .../jobs/{jobId} -> one job. */
int graph_get_job(struct graph_client *g, const struct sp_ref *sp, const char *job_id,
                  struct sync_job *job, struct err *e);
/* GET .../jobs, following @odata.nextLink (same origin as the Graph URL
 * only), at most GRAPH_JOBS_MAX jobs. */
int graph_list_jobs(struct graph_client *g, const struct sp_ref *sp, struct sync_job **jobs,
                    size_t *n, struct err *e);
/* The jobs of a list page already read (a $batch answer) and the pages
 * after it. */
int graph_jobs_from_page(struct graph_client *g, struct json_object *page, struct sync_job **jobs,
                         size_t *n, struct err *e);
/* The one message for a service principal without jobs. Returns -1. */
int graph_no_jobs_error(const struct sp_ref *sp, struct err *e);

/* What every mode reads: the job job_id, or (NULL) every job of sp. A
 * service principal without jobs watches nothing: that is an error here,
 * with the one message that says so. job_id is matched without regard to
 * case (the list is read when Graph does not know the spelling given), and
 * the job read carries its id as Graph spells it: the one key of its start
 * history, whatever the operator typed. *jobs malloc'd. */
int graph_read_jobs(struct graph_client *g, const struct sp_ref *sp, const char *job_id,
                    struct sync_job **jobs, size_t *n, struct err *e);

enum start_outcome {
	START_DONE,     /* 204, as documented (or another 2xx) */
	START_MAYBE,    /* another answer, or none: the job may have started */
	START_REFUSED,  /* a 4xx other than 429: Graph did not start it */
	START_NOT_SENT, /* no start reached Graph (no token, a refused URL) */
};
/* POST .../jobs/{jobId}/start (empty body). START_DONE, or the outcome with
 * e saying what happened (permission named on 401/403). */
enum start_outcome graph_start_job(struct graph_client *g, const struct sp_ref *sp,
                                   const char *job_id, struct err *e);

/* "sp <id>" or "sp appId=<appId>", for messages. */
void graph_sp_label(const struct sp_ref *sp, char *out, size_t n);

/* What describing a Graph error needs besides the answer. */
struct graph_error_ctx {
	const char *request_id;     /* from the request-id header, or "" */
	const char *permission;     /* named on 401/403 */
	const char *roles;          /* a delegated token's directory role for it: NULL for the
	                               synchronization endpoints' roles, "" for none */
	bool delegated;             /* the token is a user's: a directory role is needed too */
	const char *const *secrets; /* scrubbed from the message: auth_secrets */
	size_t n_secrets;
};

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* Turns a Graph error answer into one line,
 * "Graph HTTP 404 Request_ResourceNotFound: <message> (request-id <id>)",
 * plus the permission hint on 401/403, and a second line (detail) with what
 * support asks for: the nested innerError codes, date, client-request-id and
 * where the request-id came from. The secrets are scrubbed from the
 * message before it is cut. Pure. */
void graph_error_describe(long status, const char *body, size_t len,
                          const struct graph_error_ctx *ctx, char *out, size_t n, char *detail,
                          size_t dn);
#endif

/* GET /{v}/applications(appId='{app_id}')?$select=passwordCredentials: the
 * monitoring application's own client secrets (never their values). 0, or
 * -1 with e (e->http_status set for an answer; 401/403 name
 * Application.Read.All). */
int graph_get_app_credentials(struct graph_client *g, const char *app_id,
                              struct app_credentials *out, struct err *e);

#endif
