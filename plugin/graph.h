/* Microsoft Graph synchronization calls: get, list (paged), start. Builds
 * every Graph path; nothing else does. */
#ifndef CES_GRAPH_H
#define CES_GRAPH_H

#include <stdbool.h>

#include "common.h"
#include "http.h"
#include "job.h"

struct auth_ctx;
struct app_credentials;
struct dirsync_data;

/* Where Graph is; filled by options.c, read-only here. */
struct graph_options {
	char *graph_url;   /* base URL, no trailing '/' */
	char *api_version; /* v1.0 | beta */
};

/* A service principal: by object id, or (id NULL) by application id. */
struct sp_ref {
	const char *id;
	const char *app_id;
};

#define GRAPH_JOBS_MAX 1000 /* per service principal and run, paging included */

struct graph_client {
	const struct graph_options *opt;
	struct http_client *http;
	struct auth_ctx *auth;
	char last_request_id[80]; /* request-id of the last Graph answer */
	long last_status;         /* HTTP status of the last Graph answer */
	unsigned pages;           /* list pages fetched */
};

/* GET .../jobs/{jobId} -> one job. */
int graph_get_job(struct graph_client *g, const struct sp_ref *sp, const char *job_id,
                  struct sync_job *job, struct err *e);
/* GET .../jobs, following @odata.nextLink (same origin as the Graph URL
 * only), at most GRAPH_JOBS_MAX jobs. */
int graph_list_jobs(struct graph_client *g, const struct sp_ref *sp, struct sync_job **jobs,
                    size_t *n, struct err *e);
/* What every mode reads: the job job_id, or (NULL) every job of sp. A
 * service principal without jobs watches nothing: that is an error here,
 * with the one message that says so. *jobs malloc'd. */
int graph_read_jobs(struct graph_client *g, const struct sp_ref *sp, const char *job_id,
                    struct sync_job **jobs, size_t *n, struct err *e);

enum start_outcome {
	START_DONE,    /* 204, as documented (or another 2xx) */
	START_MAYBE,   /* another answer, or none: the job may have started */
	START_REFUSED, /* a 4xx other than 429: Graph did not start it */
};
/* POST .../jobs/{jobId}/start (empty body). START_DONE, or the outcome with
 * e saying what happened (permission named on 401/403). */
enum start_outcome graph_start_job(struct graph_client *g, const struct sp_ref *sp,
                                   const char *job_id, struct err *e);

/* "sp <id>" or "sp appId=<appId>", for messages. */
void graph_sp_label(const struct sp_ref *sp, char *out, size_t n);

/* Turns a Graph error answer into one line:
 * "Graph 404 Request_ResourceNotFound: <message> (request-id <id>)" plus the
 * permission hint on 401/403 (need_write selects ReadWrite). token (may be
 * NULL) is scrubbed from the message before it is cut. Pure. */
void graph_error_describe(long status, const char *body, size_t len, const char *request_id,
                          bool need_write, const char *token, char *out, size_t n);

/* The same, naming permission in the hint on 401/403. */
void graph_error_describe_for(long status, const char *body, size_t len, const char *request_id,
                              const char *permission, const char *token, char *out, size_t n);

/* GET /{v}/applications(appId='{app_id}')?$select=passwordCredentials: the
 * monitoring application's own client secrets (never their values). 0, or
 * -1 with e (e->http_status set for an answer; 401/403 name
 * Application.Read.All). */
int graph_get_app_credentials(struct graph_client *g, const char *app_id,
                              struct app_credentials *out, struct err *e);

/* --directory-sync: the tenant's organization (onPremisesSyncEnabled, the
 * last sync, and on beta the last password hash sync) and
 * /directory/onPremisesSynchronization. 401/403 name Organization.Read.All
 * and OnPremDirectorySynchronization.Read.All. 0, or -1 with e. */
int graph_read_directory_sync(struct graph_client *g, struct dirsync_data *out, struct err *e);

#endif
