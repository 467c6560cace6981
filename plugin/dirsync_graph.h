/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Graph reads of --directory-sync: the tenant's organization and its
 * onPremisesSynchronization, both in one $batch request. */
#ifndef CES_DIRSYNC_GRAPH_H
#define CES_DIRSYNC_GRAPH_H

#include "common.h"
#include "graph.h"

struct dirsync_data;

/* --directory-sync: the tenant's organization (onPremisesSyncEnabled, the
 * last sync, and on beta the last password hash sync) and
 * /directory/onPremisesSynchronization, in one $batch request. 401/403 name
 * Organization.Read.All and OnPremDirectorySynchronization.Read.All (both
 * in one message when both are refused). 0, or -1 with e. */
int graph_read_directory_sync(struct graph_client *g, struct dirsync_data *out, struct err *e);

#endif
