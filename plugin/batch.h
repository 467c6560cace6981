/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Graph JSON batching: many reads in few calls (POST /{version}/$batch, at
 * most BATCH_MAX requests a call). Each item has its own answer: a 404 or a
 * 401 for one is that item's error, not the run's; a 429/503/504 for one is
 * retried, alone, after its Retry-After, while the deadline allows. */
#ifndef CES_BATCH_H
#define CES_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "graph.h"

#define BATCH_MAX 20

struct json_object;

struct batch_item {
	const char *path;       /* GET, relative to the version root: a graph_paths.h path */
	const char *permission; /* named when the item is refused with 401/403 */
	const char *roles;      /* and the directory role a delegated token needs for it
	                           (NULL: the synchronization endpoints' roles, "": none) */
	/* filled by graph_batch */
	long status;
	struct json_object *body; /* the item's JSON object on success (owned; batch_free) */
	bool failed;              /* err says why */
	struct err err;
};

/* Sends the n items in calls of BATCH_MAX, matches the answers by id in any
 * order, and retries throttled items; items refused with 401 on a cached
 * token are sent again once after renewing it (graph_call's rule for one
 * request). 0 when every call went through (an
 * item's own failure is in the item); -1 with e when a call itself failed
 * (no answer, the batch refused as a whole). */
int graph_batch(struct graph_client *g, struct batch_item *items, size_t n, struct err *e);
void batch_free(struct batch_item *items, size_t n);

/* The jobs of one service principal among many. */
struct sp_jobs {
	struct sync_job *jobs; /* malloc'd */
	size_t n;
	bool failed; /* err says why: this service principal only */
	bool empty;  /* failed because it has no jobs */
	struct err err;
};

/* Every job of each of the n service principals: their first pages in
 * batches, further pages (@odata.nextLink) with plain GETs. A service
 * principal without jobs is its own error, as with one. 0, or -1 with e when
 * the batches could not be sent at all. out[i] must be freed with
 * sp_jobs_free. */
int graph_read_jobs_many(struct graph_client *g, const struct sp_ref *sps, size_t n,
                         struct sp_jobs *out, struct err *e);
void sp_jobs_free(struct sp_jobs *out, size_t n);

#endif
