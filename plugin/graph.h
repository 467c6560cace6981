/* Microsoft Graph synchronization calls: get, list (paged), start. */
#ifndef CES_GRAPH_H
#define CES_GRAPH_H

#include "common.h"
#include "http.h"
#include "job.h"

struct config;
struct auth_ctx;

struct graph_client {
	const struct config *cfg;
	struct http_client *http;
	struct auth_ctx *auth;
	char last_request_id[80]; /* request-id of the last Graph answer */
	unsigned pages;           /* list pages fetched */
};

/* GET .../jobs/{jobId} -> one job. */
int graph_get_job(struct graph_client *g, const char *job_id, struct sync_job *job, struct err *e);
/* GET .../jobs, following @odata.nextLink (same origin as the Graph URL only). */
int graph_list_jobs(struct graph_client *g, struct sync_job **jobs, size_t *n, struct err *e);
/* POST .../jobs/{jobId}/start (empty body). 0 on 204; -1 otherwise with e
 * (ERR_GRAPH, http_status set, permission named on 401/403). */
int graph_start_job(struct graph_client *g, const char *job_id, struct err *e);

/* Turns a Graph error answer into one line:
 * "Graph 404 Request_ResourceNotFound: <message> (request-id <id>)" plus the
 * permission hint on 401/403 (need_write selects ReadWrite). Pure. */
void graph_error_describe(long status, const char *body, size_t len, const char *request_id,
                          bool need_write, char *out, size_t n);

#endif
