/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "dirsync_graph.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "batch.h"
#include "dirsync_data.h"

static const char perm_org_read[] = "Organization.Read.All";
static const char perm_onprem_read[] = "OnPremDirectorySynchronization.Read.All";

/* Why the two answers cannot be used, or 0. Both refused for want of a
 * permission (an application's token): one message naming both. */
static int tenant_failure(const struct graph_client *g, const struct batch_item *items,
                          const char *const *what, struct err *e)
{
	size_t failed = 0, denied = 0;
	for (size_t i = 0; i < 2; i++) {
		if (!items[i].failed)
			continue;
		failed++;
		/* a rejected token is not a missing permission */
		denied += (items[i].status == 401 || items[i].status == 403) &&
		          strstr(items[i].err.msg, "InvalidAuthenticationToken") == NULL;
	}
	if (failed == 0)
		return 0;
	if (denied == 2 && !auth_token_delegated(g->auth)) {
		err_set(e, ERR_GRAPH,
		        "Graph HTTP %ld on %s and HTTP %ld on %s - the application needs the "
		        "Microsoft Graph application permissions %s and %s (admin consent granted)",
		        items[0].status, what[0], items[1].status, what[1], items[0].permission,
		        items[1].permission);
		if (e != NULL)
			e->http_status = items[0].status;
		return -1;
	}
	size_t i = items[0].failed ? 0 : 1;
	if (e != NULL)
		*e = items[i].err;
	return err_prefix(e, "%s", what[i]);
}

int graph_read_directory_sync(struct graph_client *g, struct dirsync_data *out, struct err *e)
{
	/* onPremisesLastPasswordSyncDateTime exists on beta only: selecting it
	 * on v1.0 is a 400. */
	bool beta = strcmp(g->opt->api_version, "beta") == 0;
	char *org = graph_path_organization(beta, e);
	char *onprem = org != NULL ? graph_path_onprem_sync(e) : NULL;
	static const char *const what[2] = {"organization", "onPremisesSynchronization"};
	struct batch_item items[2] = {
	    {.path = org, .permission = perm_org_read, .roles = ""},
	    {.path = onprem, .permission = perm_onprem_read, .roles = "Global Administrator"},
	};
	/* Two reads, one request. */
	int rc = onprem != NULL ? graph_batch(g, items, 2, e) : -1;
	if (rc == 0)
		rc = tenant_failure(g, items, what, e);
	if (rc == 0)
		rc = dirsync_from_json(items[0].body, items[1].body, out, e);
	batch_free(items, 2);
	free(org);
	free(onprem);
	return rc;
}
