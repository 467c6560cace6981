/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Prometheus format: the text exposition format (version 0.0.4) that
 * node_exporter's textfile collector reads. Every family is a gauge with
 * # HELP and # TYPE, its samples together; names start with entra_sync_
 * and end in base units (_seconds, _ratio); a job's samples carry the
 * labels service_principal, sync_job and template (never "job", which
 * Prometheus sets to the scrape job), the run's mode and tenant. A value
 * that is not known is left out, as the Nagios format leaves out U. The
 * summary, errors and notes lead as comments, for a person reading the
 * file. Thresholds are not exported: alerts read the plugin's own
 * judgement (the state gauges, entra_sync_job_finding), which a threshold
 * alone cannot repeat (ranges, --state, the default thresholds derived per
 * job, a cycle in progress). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dirsync_eval.h"
#include "evaluate.h"
#include "expiry.h"
#include "job.h"
#include "provlog.h"
#include "report.h"
#include "text.h"
#include "values.h"
#include "writer.h"

#define PREFIX "entra_sync_"

/* A metric of the report as a family: its name and help, and the factor
 * from its unit to the base unit. */
struct family {
	const char *name;
	const char *help;
	double scale;
};

/* Every metric the report can carry has its row (test_formats.c walks
 * enum metric_id); one without a row would be left out of this format. */
static const struct family families[METRIC_COUNT] = {
    [METRIC_LAST_SUCCESS_AGE] = {PREFIX "job_last_success_age_seconds",
                                 "Seconds from the job's last successful cycle to the run.", 1},
    [METRIC_SUCCESSIVE_FAILURES] =
        {PREFIX "job_successive_failures",
         "Cycles in a row that failed completely (countSuccessiveCompleteFailures).", 1},
    [METRIC_ESCROWED] = {PREFIX "job_escrowed", "Objects escrowed by the job's last run.", 1},
    [METRIC_EXPORTED] = {PREFIX "job_exported", "Objects exported by the job's last run.", 1},
    [METRIC_IMPORTED] = {PREFIX "job_imported", "Objects imported by the job's last run.", 1},
    [METRIC_QUARANTINE_AGE] =
        {PREFIX "job_quarantine_age_seconds",
         "Seconds since the job's quarantine series began; 0 when not quarantined.", 1},
    [METRIC_QUARANTINE_SERIES] =
        {PREFIX "job_quarantine_series",
         "Quarantines in the job's current series (seriesCount); 0 when not quarantined.", 1},
    [METRIC_EPISODE_AGE] = {PREFIX "job_episode_age_seconds",
                            "Seconds since the job broke, while this plugin's starts have not "
                            "repaired it (the episode; each start begins a new quarantine "
                            "series).",
                            1},
    [METRIC_LAST_EXPORT_AGE] =
        {PREFIX "job_last_export_age_seconds",
         "Seconds from the job's last successful cycle with exports to the run.", 1},
    [METRIC_PROGRESS] = {PREFIX "job_progress_ratio", "Share of the job's current cycle done.",
                         0.01},
    [METRIC_FAILED_OBJECTS] = {PREFIX "job_failed_objects",
                               "Distinct objects that failed in the job's last cycle, from the "
                               "provisioning logs (--object-errors); 0 for a job whose last run "
                               "succeeded without escrows.",
                               1},
    [METRIC_LAST_SYNC_AGE] =
        {PREFIX "directory_sync_last_sync_age_seconds",
         "Seconds from the tenant's last directory synchronization to the run.", 1},
    [METRIC_LAST_PASSWORD_SYNC_AGE] =
        {PREFIX "directory_sync_last_password_sync_age_seconds",
         "Seconds from the tenant's last password hash synchronization to the run.", 1},
    [METRIC_SYNC_INTERVAL] = {PREFIX "directory_sync_interval_seconds",
                              "The directory synchronization interval the thresholds derive "
                              "from.",
                              1},
    [METRIC_CREDENTIAL_EXPIRES_IN] = {PREFIX "credential_expires_in_seconds",
                                      "Seconds until the credential the run signed in with "
                                      "expires; negative once expired.",
                                      1},
    [METRIC_TIME] = {PREFIX "http_seconds", "Seconds the run spent on HTTP.", 1},
};

#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

/* The exposition as it is written. */
struct expo {
	struct buf b;
	bool failed;
	const struct report *r;
	const char *pending;      /* a family whose header waits for its first sample */
	const char *pending_help; /* its help */
	struct buf run;           /* the run's labels, escaped: mode="check",tenant="..." */
	struct buf jobs;          /* each job's labels, escaped, one after another */
	size_t *job_at;           /* where job k's start in jobs (n_jobs + 1 offsets) */
};

static void put(struct expo *x, const char *s, size_t len)
{
	if (buf_append(&x->b, s, len) < 0)
		x->failed = true;
}

static void puts_(struct expo *x, const char *s)
{
	put(x, s, strlen(s));
}

/* The family the next samples belong to; its header is written with the
 * first of them, so a family without samples says nothing. */
static void family(struct expo *x, const char *name, const char *help)
{
	x->pending = name;
	x->pending_help = help;
}

static void header(struct expo *x)
{
	if (x->pending == NULL)
		return;
	puts_(x, "# HELP ");
	puts_(x, x->pending);
	puts_(x, " ");
	puts_(x, x->pending_help);
	puts_(x, "\n# TYPE ");
	puts_(x, x->pending);
	puts_(x, " gauge\n");
	x->pending = NULL;
}

/* One sample of the family named: labels (escaped, may be empty) and one
 * more label (value made safe here) when extra_name is not NULL; nothing
 * when v is not finite. Times come rounded to the second: a double has no
 * digits to spare for fractions of an epoch. */
static void sample(struct expo *x, const char *name, const char *labels, size_t labels_len,
                   const char *extra_name, const char *extra_value, double v)
{
	char text[VALUE_TEXT_MAX];
	size_t len = value_text(v, -1, text);
	if (len == 0)
		return;
	header(x);
	puts_(x, name);
	if (labels_len > 0 || extra_name != NULL) {
		put(x, "{", 1);
		put(x, labels, labels_len);
		if (extra_name != NULL) {
			if (labels_len > 0)
				put(x, ",", 1);
			puts_(x, extra_name);
			put(x, "=\"", 2);
			if (text_label_value(extra_value, &x->b) < 0)
				x->failed = true;
			put(x, "\"", 1);
		}
		put(x, "}", 1);
	}
	put(x, " ", 1);
	put(x, text, len);
	put(x, "\n", 1);
}

static void run_sample(struct expo *x, const char *name, double v)
{
	sample(x, name, x->run.data, x->run.len, NULL, NULL, v);
}

static void job_sample(struct expo *x, const char *name, size_t k, const char *extra_name,
                       const char *extra_value, double v)
{
	const char *labels = x->jobs.data != NULL ? x->jobs.data + x->job_at[k] : "";
	sample(x, name, labels, x->job_at[k + 1] - x->job_at[k], extra_name, extra_value, v);
}

/* name="value" (the value made safe and escaped), after a comma unless
 * first. */
static void label(struct buf *b, bool first, const char *name, const char *value, bool *failed)
{
	if (buf_printf(b, "%s%s=\"", first ? "" : ",", name) < 0 ||
	    text_label_value(value, b) < 0 || buf_append(b, "\"", 1) < 0)
		*failed = true;
}

static int make_labels(struct expo *x, const struct output_options *opt)
{
	const struct report *r = x->r;
	if (opt != NULL && opt->mode != NULL)
		label(&x->run, true, "mode", opt->mode, &x->failed);
	if (opt != NULL && opt->tenant != NULL)
		label(&x->run, x->run.len == 0, "tenant", opt->tenant, &x->failed);
	x->job_at = calloc(r->n_jobs + 1, sizeof(*x->job_at));
	if (x->job_at == NULL)
		return -1;
	for (size_t k = 0; k < r->n_jobs; k++) {
		const struct report_job *j = &r->job[k];
		const struct report_sp *sp = j->sp < r->n_sp ? &r->sp[j->sp] : NULL;
		const char *sp_id = sp == NULL ? "" : sp->id != NULL ? sp->id : sp->app_id;
		label(&x->jobs, true, "service_principal", sp_id, &x->failed);
		label(&x->jobs, false, "sync_job", j->result->job->id, &x->failed);
		label(&x->jobs, false, "template", j->result->job->template_id, &x->failed);
		x->job_at[k + 1] = x->jobs.len;
	}
	return x->failed ? -1 : 0;
}

/* ---- the run ---- */

/* The summary, the errors and the notes, each a comment line. */
static void comments(struct expo *x)
{
	const struct report *r = x->r;
	puts_(x, "# " OUTPUT_PREFIX " ");
	puts_(x, state_name(r->state));
	puts_(x, " - ");
	puts_(x, r->summary.data != NULL ? r->summary.data : "");
	puts_(x, "\n");
	for (size_t i = 0; i < r->n_errors; i++) {
		puts_(x, "# error: ");
		puts_(x, r->error[i].data != NULL ? r->error[i].data : "");
		puts_(x, "\n");
	}
	const char *n = r->notes.data;
	for (size_t at = 0; n != NULL && at < r->notes.len;) {
		const char *end = memchr(n + at, '\n', r->notes.len - at);
		size_t len = end != NULL ? (size_t)(end - (n + at)) : r->notes.len - at;
		puts_(x, "# note: ");
		put(x, n + at, len);
		puts_(x, "\n");
		at += len + 1;
	}
}

static void run_state(struct expo *x)
{
	const struct report *r = x->r;
	family(x, PREFIX "up",
	       "1 when the run read what it checks, 0 when it could not (the state says how bad).");
	run_sample(x, PREFIX "up", r->status_only ? 0 : 1);
	family(x, PREFIX "state",
	       "The run's state, its exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	run_sample(x, PREFIX "state", r->state);
	family(x, PREFIX "run_timestamp_seconds",
	       "When the run judged, in seconds since the epoch.");
	if (r->now > 0)
		run_sample(x, PREFIX "run_timestamp_seconds", round(r->now));
}

static void service_principals(struct expo *x)
{
	const struct report *r = x->r;
	family(x, PREFIX "service_principal_up",
	       "1 when the jobs of the service principal were read, 0 when they could not be.");
	for (size_t i = 0; i < r->n_sp; i++)
		sample(x, PREFIX "service_principal_up", NULL, 0, "service_principal",
		       r->sp[i].id != NULL ? r->sp[i].id : r->sp[i].app_id,
		       r->sp[i].error == NULL ? 1 : 0);
}

/* The repair episode while it is open (the state directory the check
 * shares with the event handler): its starts, and whether the last one did
 * not help, for a rule that tells a repair that failed from one under way. */
static void episodes(struct expo *x)
{
	const struct report *r = x->r;
	family(x, PREFIX "job_episode_starts",
	       "Starts this plugin made in the job's open repair episode (no sample when none is "
	       "open).");
	for (size_t k = 0; k < r->n_jobs; k++)
		if (r->job[k].result->episode_open)
			job_sample(x, PREFIX "job_episode_starts", k, NULL, NULL,
			           (double)r->job[k].result->episode_starts);
	family(
	    x, PREFIX "job_last_start_futile",
	    "1 when this plugin's last start did not help (quarantined again for the same reason, "
	    "no success since; the next start backs off), else 0; while an episode is open.");
	for (size_t k = 0; k < r->n_jobs; k++)
		if (r->job[k].result->episode_open)
			job_sample(x, PREFIX "job_last_start_futile", k, NULL, NULL,
			           r->job[k].result->futile ? 1 : 0);
}

static void jobs(struct expo *x)
{
	const struct report *r = x->r;
	family(x, PREFIX "job_state",
	       "The job's state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (--state and thresholds "
	       "applied).");
	for (size_t k = 0; k < r->n_jobs; k++)
		job_sample(x, PREFIX "job_state", k, NULL, NULL, r->job[k].result->state);
	family(x, PREFIX "job_quarantined", "1 when the job's status code is Quarantine, else 0.");
	for (size_t k = 0; k < r->n_jobs; k++)
		job_sample(x, PREFIX "job_quarantined", k, NULL, NULL,
		           r->job[k].result->quarantined ? 1 : 0);
	family(x, PREFIX "job_finding",
	       "One aspect of the job that is not OK (kind), valued by its state: 1 WARNING, 2 "
	       "CRITICAL, 3 UNKNOWN.");
	for (size_t k = 0; k < r->n_jobs; k++) {
		const struct job_result *res = r->job[k].result;
		for (size_t i = 0; i < res->n_findings; i++)
			job_sample(x, PREFIX "job_finding", k, "kind",
			           finding_kind_name(res->findings[i].kind),
			           res->findings[i].state);
	}
	family(x, PREFIX "job_last_success_timestamp_seconds",
	       "When the job's last successful cycle ended, in seconds since the epoch.");
	for (size_t k = 0; k < r->n_jobs; k++)
		if (r->job[k].result->age_known)
			job_sample(x, PREFIX "job_last_success_timestamp_seconds", k, NULL, NULL,
			           round(r->job[k].result->last_success));
	episodes(x);
}

/* --object-errors: the objects of each of the top error codes, and the
 * deletes a TooManyDeletes quarantine holds back. */
static void object_errors(struct expo *x)
{
	const struct report *r = x->r;
	family(x, PREFIX "job_error_code_objects",
	       "Distinct objects that failed with the error code (code) in the job's last cycle, "
	       "for its top codes (--object-errors).");
	for (size_t k = 0; k < r->n_jobs; k++) {
		const struct provlog_result *o = r->job[k].result->objects;
		for (size_t i = 0; o != NULL && o->status == PROVLOG_KNOWN && i < o->summary.n_top;
		     i++)
			job_sample(x, PREFIX "job_error_code_objects", k, "code",
			           o->summary.top[i].code, o->summary.top[i].objects);
	}
	family(x, PREFIX "job_staged_deletes",
	       "Objects a TooManyDeletes quarantine holds back for approval to be deleted "
	       "(--object-errors).");
	for (size_t k = 0; k < r->n_jobs; k++) {
		const struct provlog_result *o = r->job[k].result->objects;
		if (o != NULL && o->status == PROVLOG_KNOWN && o->summary.staged_read)
			job_sample(x, PREFIX "job_staged_deletes", k, NULL, NULL,
			           o->summary.staged);
	}
}

static void directory_sync(struct expo *x)
{
	const struct dirsync_result *ds = x->r->dirsync;
	family(x, PREFIX "directory_sync_enabled",
	       "1 when the tenant synchronizes its on-premises directory (onPremisesSyncEnabled).");
	run_sample(x, PREFIX "directory_sync_enabled", ds->sync == DIRSYNC_ENABLED ? 1 : 0);
	family(x, PREFIX "directory_sync_finding",
	       "One aspect of directory synchronization that is not OK (kind), valued by its "
	       "state: 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	for (size_t i = 0; i < ds->n_findings; i++)
		sample(x, PREFIX "directory_sync_finding", x->run.data, x->run.len, "kind",
		       dirsync_finding_kind_name(ds->findings[i].kind), ds->findings[i].state);
	family(x, PREFIX "directory_sync_last_sync_timestamp_seconds",
	       "When the tenant last synchronized its directory, in seconds since the epoch.");
	if (ds->sync_age_known)
		run_sample(x, PREFIX "directory_sync_last_sync_timestamp_seconds",
		           round(ds->data->last_sync.t));
}

static void credential(struct expo *x)
{
	const struct expiry_result *c = x->r->credential;
	if (c == NULL || c->status != EXPIRY_KNOWN)
		return;
	family(x, PREFIX "credential_state",
	       "The credential's state by --credential-warning/-critical: 0 OK, 1 WARNING, 2 "
	       "CRITICAL.");
	run_sample(x, PREFIX "credential_state", c->state);
	family(x, PREFIX "credential_expiry_timestamp_seconds",
	       "When the credential the run signed in with expires, in seconds since the epoch.");
	run_sample(x, PREFIX "credential_expiry_timestamp_seconds", round(c->end));
}

/* ---- the report's metrics ---- */

static const struct family *family_of(const char *metric)
{
	for (size_t i = 0; i < N_FAMILIES; i++)
		if (families[i].name != NULL && strcmp(metric_name((enum metric_id)i), metric) == 0)
			return &families[i];
	return NULL;
}

/* Each family of the report's metrics, its samples together, in the order
 * of the table; a metric the table does not name is left out. */
static void metrics(struct expo *x)
{
	const struct report *r = x->r;
	unsigned char *which = malloc(r->n_metrics ? r->n_metrics : 1);
	if (which == NULL) {
		x->failed = true;
		return;
	}
	for (size_t i = 0; i < r->n_metrics; i++) {
		const struct family *f = family_of(r->metric[i].name);
		which[i] = f != NULL ? (unsigned char)(f - families) : (unsigned char)N_FAMILIES;
	}
	for (size_t fi = 0; fi < N_FAMILIES; fi++) {
		const struct family *f = &families[fi];
		if (f->name == NULL)
			continue;
		family(x, f->name, f->help);
		for (size_t i = 0; i < r->n_metrics; i++) {
			const struct report_metric *m = &r->metric[i];
			if (which[i] != fi || !isfinite(m->value))
				continue;
			/* rounded as the Nagios format rounds it */
			double unit = pow(10.0, m->decimals);
			double v = round(m->value * unit) / unit;
			if (m->job < r->n_jobs)
				job_sample(x, f->name, m->job, NULL, NULL, v * f->scale);
			else
				run_sample(x, f->name, v * f->scale);
		}
	}
	free(which);
}

static int prometheus_write(FILE *out, const struct report *r, const struct output_options *opt)
{
	struct expo x = {.r = r};
	if (make_labels(&x, opt) < 0)
		x.failed = true;
	comments(&x);
	run_state(&x);
	if (!r->status_only) {
		service_principals(&x);
		jobs(&x);
		object_errors(&x);
		if (r->dirsync != NULL)
			directory_sync(&x);
		credential(&x);
		metrics(&x);
	}
	if (!x.failed)
		fwrite(x.b.data, 1, x.b.len, out);
	buf_free(&x.b);
	buf_free(&x.run);
	buf_free(&x.jobs);
	free(x.job_at);
	return x.failed ? -1 : 0;
}

const struct output_writer prometheus_writer = {"prometheus", prometheus_write};
