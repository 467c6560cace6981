/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tenant's service principals (GET /servicePrincipals, paged): what
 * discovery of every provisioning job starts from. */
#ifndef CES_SPS_H
#define CES_SPS_H

#include <stddef.h>

#include "common.h"
#include "graph.h"

#define SPS_MAX 100000 /* service principals read in one run */

struct sp_info {
	char id[40];     /* object id (a GUID: anything else is left out) */
	char app_id[40]; /* application id, or "" */
	char name[256];  /* displayName, or "" */
};

/* Every service principal of the tenant, $select=id,appId,displayName and
 * $top=999 per page, following @odata.nextLink on the Graph origin. Needs
 * Application.Read.All (named on 401/403). Each service principal once,
 * however often the listing names it. *out malloc'd; *skipped counts
 * entries whose id is not a GUID. 0 or -1 with e. */
int graph_list_service_principals(struct graph_client *g, struct sp_info **out, size_t *n,
                                  size_t *skipped, struct err *e);

#endif
