/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Graph paths: the one place that puts ids into them. */
#include "graph_paths.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "url.h"

static char *no_memory(struct err *e)
{
	err_set(e, ERR_INTERNAL, "out of memory");
	return NULL;
}

static char *fixed(const char *path, struct err *e)
{
	char *copy = strdup(path);
	if (copy == NULL)
		err_set(e, ERR_INTERNAL, "out of memory");
	return copy;
}

/* An OData string literal for a key segment: a quote is doubled, then the
 * whole is escaped. malloc'd, NULL on ENOMEM or an empty value. */
static char *odata_literal(const char *value)
{
	struct buf lit = {0};
	int rc = 0;
	for (const char *p = value; *p && rc == 0; p++) {
		rc = buf_append(&lit, p, 1);
		if (rc == 0 && *p == '\'')
			rc = buf_append(&lit, "'", 1);
	}
	char *out = rc == 0 && lit.data ? url_escape(lit.data) : NULL;
	buf_free(&lit);
	return out;
}

/* An id that would read as "." or ".." once in the path would name another
 * resource than the one meant (libcurl and servers fold dot segments). */
static int check_segment(const char *id, const char *what, struct err *e)
{
	if (id != NULL && url_segment_is_dot(id))
		return err_set(
		    e, ERR_USAGE,
		    "%s '%.12s' is a relative path segment, not an id: refusing to send it", what,
		    id);
	return 0;
}

/* "/servicePrincipals/{id}" or "/servicePrincipals(appId='{appId}')" into b. */
static int sp_path(struct buf *b, const struct sp_ref *sp)
{
	int rc;
	if (sp->id != NULL) {
		char *id = url_escape(sp->id);
		rc = id ? buf_printf(b, "/servicePrincipals/%s", id) : -1;
		free(id);
	} else {
		char *id = odata_literal(sp->app_id);
		rc = id ? buf_printf(b, "/servicePrincipals(appId='%s')", id) : -1;
		free(id);
	}
	return rc;
}

char *graph_path_jobs(const struct sp_ref *sp, const char *job_id, const char *action,
                      struct err *e)
{
	if (check_segment(sp->id, "service principal id", e) < 0 ||
	    check_segment(sp->app_id, "application id", e) < 0 ||
	    check_segment(job_id, "job id", e) < 0)
		return NULL;
	char *job = job_id != NULL ? url_escape(job_id) : NULL;
	struct buf b = {0};
	int rc = -1;
	if (job_id == NULL || job != NULL)
		rc = sp_path(&b, sp);
	if (rc == 0)
		rc = buf_printf(&b, "/synchronization/jobs%s%s%s%s", job ? "/" : "", job ? job : "",
		                action ? "/" : "", action ? action : "");
	free(job);
	if (rc < 0) {
		buf_free(&b);
		return no_memory(e);
	}
	return b.data;
}

char *graph_path_service_principals(struct err *e)
{
	return fixed("/servicePrincipals?$select=id,appId,displayName&$top=999", e);
}

char *graph_path_app_credentials(const char *app_id, struct err *e)
{
	char *lit = odata_literal(app_id);
	struct buf b = {0};
	int rc = lit != NULL
	             ? buf_printf(&b, "/applications(appId='%s')?$select=passwordCredentials", lit)
	             : -1;
	free(lit);
	if (rc < 0) {
		buf_free(&b);
		return no_memory(e);
	}
	return b.data;
}

char *graph_path_organization(bool password_sync, struct err *e)
{
	return fixed(password_sync ? "/organization?$select=id,onPremisesSyncEnabled,"
	                             "onPremisesLastSyncDateTime,onPremisesLastPasswordSyncDateTime"
	                           : "/organization?$select=id,onPremisesSyncEnabled,"
	                             "onPremisesLastSyncDateTime",
	             e);
}

char *graph_path_onprem_sync(struct err *e)
{
	return fixed("/directory/onPremisesSynchronization", e);
}

char *graph_path_batch(struct err *e)
{
	return fixed("/$batch", e);
}

static void iso_second(double t, char *out, size_t n)
{
	time_t s = (time_t)t;
	struct tm tm;
	if (gmtime_r(&s, &tm) == NULL || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, n, "1970-01-01T00:00:00Z");
}

/* The filter keeps to what Microsoft documents for this list: eq and gt/lt
 * (not ge/le), property names as the resource spells them (jobId,
 * provisioningStatusInfo/status, provisioningAction, activityDateTime),
 * values case-sensitive as the service's enums are written (failure,
 * stagedDelete). The cycle's bounds are widened to whole seconds (events
 * carry no fractions) and by PROVLOG_END_SLACK after its end. */
UNITTEST char *graph_provisioning_filter(enum provlog_kind kind, const char *job_id, double began,
                                         double ended)
{
	struct buf f = {0};
	int rc = buf_puts(&f, "jobId eq '");
	/* an OData string literal: a quote is doubled */
	for (const char *p = job_id; rc == 0 && *p; p++)
		rc = *p == '\'' ? buf_puts(&f, "''") : buf_append(&f, p, 1);
	char lo[32], hi[32];
	iso_second(floor(began) - 1.0, lo, sizeof(lo));
	iso_second(ceil(ended) + PROVLOG_END_SLACK + 1.0, hi, sizeof(hi));
	if (rc == 0)
		rc = buf_printf(&f, "' and %s and activityDateTime gt %s",
		                kind == PROVLOG_FAILURES
		                    ? "provisioningStatusInfo/status eq 'failure'"
		                    : "provisioningAction eq 'stagedDelete'",
		                lo);
	if (rc == 0 && ended > 0)
		rc = buf_printf(&f, " and activityDateTime lt %s", hi);
	if (rc < 0) {
		buf_free(&f);
		return NULL;
	}
	return f.data;
}

char *graph_path_provisioning(enum provlog_kind kind, const char *job_id, double began,
                              double ended, unsigned top, struct err *e)
{
	char *filter = graph_provisioning_filter(kind, job_id, began, ended);
	char *escaped = filter != NULL ? url_escape(filter) : NULL;
	struct buf b = {0};
	int rc = escaped != NULL
	             ? buf_printf(&b, "/auditLogs/provisioning?$filter=%s&$top=%u", escaped, top)
	             : -1;
	free(filter);
	free(escaped);
	if (rc < 0) {
		buf_free(&b);
		return no_memory(e);
	}
	return b.data;
}
