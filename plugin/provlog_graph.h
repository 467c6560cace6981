/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading the provisioning logs of one job's cycle from Graph
 * (GET /auditLogs/provisioning, filtered and paged), every request paced by
 * the application's shared window (reports_bucket.h). */
#ifndef CES_PROVLOG_GRAPH_H
#define CES_PROVLOG_GRAPH_H

#include <stdbool.h>

#include "common.h"
#include "graph.h"
#include "provlog.h"

#define PROVLOG_PERMISSIONS "AuditLog.Read.All and Directory.Read.All"
#define PROVLOG_PAGE_SIZE   500 /* $top: Microsoft's own example asks for 500 */

struct provlog_read {
	const char *job_id;
	double began, ended; /* the cycle (epoch); ended 0: still running */
	bool staged;         /* count its staged deletes too (a TooManyDeletes quarantine) */
	int window_fd;       /* the cache directory holding the shared window, or -1: none */
	const char *window;  /* the window's file name there */
};

/* Reads the failed events of the cycle (and its staged deletes), within the
 * run's deadline: a 429 or 503 waits its Retry-After (and tells the other
 * processes, for a 429) when the deadline allows. 0 with *out; or -1 with e
 * and *status: NO_PERMISSION or NO_LICENCE (Graph's 401/403), SKIPPED (the
 * shared window, throttling or the deadline left no room), FAILED. */
int provlog_graph_read(struct graph_client *g, const struct provlog_read *q,
                       struct provlog_summary *out, enum provlog_status *status, struct err *e);

#endif
