/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every Graph path the plugin sends, relative to the version root. */
#ifndef CES_GRAPH_PATHS_H
#define CES_GRAPH_PATHS_H

#include <stdbool.h>

#include "common.h"
#include "provlog.h"

/* A service principal: by object id, or (id NULL) by application id. */
struct sp_ref {
	const char *id;
	const char *app_id;
};

/* One function per resource read or acted on. Each returns the path after
 * {graph_url}/{api_version}, starting with '/', with every id escaped here
 * (an id is data, never a piece of path or query), malloc'd; or NULL with
 * e: ERR_USAGE for an id that would change the path, ERR_INTERNAL when out
 * of memory. graph_url() puts the origin and version in front; a $batch
 * item carries the path as it is. */

/* /servicePrincipals/{id} or /servicePrincipals(appId='{appId}'), then
 * /synchronization/jobs, /{jobId} when job_id is given and /{action} (e.g.
 * "start") when action is. */
char *graph_path_jobs(const struct sp_ref *sp, const char *job_id, const char *action,
                      struct err *e);
/* The tenant's service principals, the fields --list needs, 999 a page. */
char *graph_path_service_principals(struct err *e);
/* The application app_id's client secrets (never their values). */
char *graph_path_app_credentials(const char *app_id, struct err *e);
/* The organization's directory sync fields; with password_sync also
 * onPremisesLastPasswordSyncDateTime, which only beta has (selecting it on
 * v1.0 is a 400). */
char *graph_path_organization(bool password_sync, struct err *e);
/* The tenant's onPremisesSynchronization (its interval, deletion prevention). */
char *graph_path_onprem_sync(struct err *e);
/* Where a JSON batch is posted. */
char *graph_path_batch(struct err *e);
/* The provisioning logs of job_id's cycle (began, ended; ended 0: still
 * running): its failed events, or its staged deletes, top a page. */
char *graph_path_provisioning(enum provlog_kind kind, const char *job_id, double began,
                              double ended, unsigned top, struct err *e);

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* The $filter of that path as sent before escaping: "jobId eq '...' and
 * provisioningStatusInfo/status eq 'failure' and activityDateTime gt ...".
 * malloc'd, NULL when out of memory. */
char *graph_provisioning_filter(enum provlog_kind kind, const char *job_id, double began,
                                double ended);
#endif

#endif
