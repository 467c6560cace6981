/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON format: the run as one object, for scripts, Zabbix and
 * dashboards; contrib/json/check_entra_sync.schema.json describes it. Every
 * string from Graph or the words goes through text_json_string; there is no
 * budget. The document is built in memory and written at once.
 *
 * The document is made of parts, each a function writing some members of
 * one object: run_parts[] for the top level, job_parts[] for each job. A new
 * fact about a job is one function and one row of job_parts[] (and its
 * place in the schema). */
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
#include "timeparse.h"
#include "values.h"
#include "writer.h"

#define SECONDS_PER_DAY    86400.0
#define DISABLE_AFTER_DAYS 28.0 /* Entra disables a job quarantined this long */

/* The document as it is written, and what the parts look things up in. */
struct doc {
	struct buf b;
	bool comma;  /* a member or element came before, in the object or array open */
	bool failed; /* out of memory: the document is incomplete */
	const struct report *r;
	const struct output_options *opt;
	/* the metrics of job k are metric[order[first[k]]] ... metric[order[first[k + 1] - 1]];
	 * those of the run follow the last job's */
	size_t *order, *first;
};

/* ---- the writing of values ---- */

static void raw(struct doc *d, const char *s, size_t len)
{
	if (buf_append(&d->b, s, len) < 0)
		d->failed = true;
}

#define RAW(d, lit) raw((d), (lit), sizeof(lit) - 1)

static void sep(struct doc *d)
{
	if (d->comma)
		RAW(d, ",");
	d->comma = true;
}

/* A member's name (a constant of [a-z_]); its value follows. One append:
 * a document has a hundred of them per job. */
static void key(struct doc *d, const char *k)
{
	char text[64];
	size_t n = 0;
	if (d->comma)
		text[n++] = ',';
	text[n++] = '"';
	for (; *k != '\0' && n < sizeof(text) - 3; k++)
		text[n++] = *k;
	text[n++] = '"';
	text[n++] = ':';
	raw(d, text, n);
	d->comma = false;
}

/* A value's text (len bytes at text + 1, text[0] free for the comma). */
static void value(struct doc *d, char *text, size_t len)
{
	bool comma = d->comma;
	text[0] = ',';
	raw(d, comma ? text : text + 1, len + comma);
	d->comma = true;
}

static void begin(struct doc *d, char bracket)
{
	sep(d);
	raw(d, &bracket, 1);
	d->comma = false;
}

static void end(struct doc *d, char bracket)
{
	raw(d, &bracket, 1);
	d->comma = true;
}

static void put_null(struct doc *d)
{
	sep(d);
	RAW(d, "null");
}

static void boolean(struct doc *d, bool v)
{
	sep(d);
	if (v)
		RAW(d, "true");
	else
		RAW(d, "false");
}

static void str(struct doc *d, const char *s)
{
	sep(d);
	if (text_json_string(s, &d->b) < 0)
		d->failed = true;
}

/* s, or null when s is NULL or empty (Graph's "no value"). */
static void str_or_null(struct doc *d, const char *s)
{
	if (s == NULL || s[0] == '\0')
		put_null(d);
	else
		str(d, s);
}

static void integer(struct doc *d, long long v)
{
	char text[VALUE_TEXT_MAX + 1];
	value(d, text, value_text((double)v, 0, text + 1));
}

/* A number as values.h prints it; null when it is not finite. */
static void number(struct doc *d, double v, int decimals)
{
	char text[VALUE_TEXT_MAX + 1];
	size_t len = value_text(v, decimals, text + 1);
	if (len == 0)
		put_null(d);
	else
		value(d, text, len);
}

/* A range's end: a number, or null for an end at infinity. */
static void range_end(struct doc *d, bool infinite, double v)
{
	if (infinite)
		put_null(d);
	else
		number(d, v, -1);
}

/* ISO 8601 UTC, whole seconds: "2026-11-30T01:02:03Z". */
static void time_iso(struct doc *d, double epoch)
{
	char t[VALUE_TEXT_MAX + 3];
	if (!value_time(epoch, t + 2)) {
		put_null(d);
		return;
	}
	size_t len = strlen(t + 2);
	t[1] = '"';
	t[len + 2] = '"';
	value(d, t, len + 2);
}

static void time_or_null(struct doc *d, enum time_result valid, double epoch)
{
	if (valid == TIME_VALID)
		time_iso(d, epoch);
	else
		put_null(d);
}

static void state_members(struct doc *d, enum state st)
{
	key(d, "state");
	str(d, state_name(st));
	key(d, "state_code");
	integer(d, (long long)st);
}

/* A threshold: its text as given (Monitoring Plugins range syntax), its
 * ends (null at infinity) and whether it alerts inside; null when none. */
static void threshold(struct doc *d, const struct range *t)
{
	if (t == NULL || !t->set) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "range");
	str(d, t->text);
	key(d, "start");
	range_end(d, t->lo_inf, t->lo);
	key(d, "end");
	range_end(d, t->hi_inf, t->hi);
	key(d, "alert_inside");
	boolean(d, t->inside);
	end(d, '}');
}

/* {"time": ..., "age": seconds}, or null when never. */
static void when(struct doc *d, bool known, double t, double age)
{
	if (!known) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "time");
	time_iso(d, t);
	key(d, "age");
	number(d, age, 0);
	end(d, '}');
}

/* ---- metrics ---- */

static void metric(struct doc *d, const struct report_metric *m)
{
	key(d, m->name);
	begin(d, '{');
	key(d, "value");
	number(d, m->value, m->decimals);
	key(d, "unit");
	str(d, m->unit);
	key(d, "warn");
	threshold(d, m->warn);
	key(d, "crit");
	threshold(d, m->crit);
	key(d, "min");
	if (m->has_min)
		number(d, m->min, -1);
	else
		put_null(d);
	end(d, '}');
}

/* The metrics of subject k (the run: n_jobs) as one object by name; a
 * value that is not finite is left out, as the Nagios writer leaves out
 * what it cannot print. */
static void metrics_of(struct doc *d, size_t k)
{
	begin(d, '{');
	for (size_t i = d->first[k]; i < d->first[k + 1]; i++) {
		const struct report_metric *m = &d->r->metric[d->order[i]];
		if (isfinite(m->value))
			metric(d, m);
	}
	end(d, '}');
}

/* Groups the metrics by subject, in their order within each (a counting
 * sort: linear in jobs and metrics). */
static int index_metrics(struct doc *d)
{
	const struct report *r = d->r;
	d->first = calloc(r->n_jobs + 2, sizeof(*d->first));
	d->order = calloc(r->n_metrics ? r->n_metrics : 1, sizeof(*d->order));
	if (d->first == NULL || d->order == NULL)
		return -1;
	for (size_t i = 0; i < r->n_metrics; i++) {
		size_t k = r->metric[i].job < r->n_jobs ? r->metric[i].job : r->n_jobs;
		d->first[k + 1]++;
	}
	for (size_t k = 0; k <= r->n_jobs; k++)
		d->first[k + 1] += d->first[k];
	size_t *next = malloc((r->n_jobs + 1) * sizeof(*next));
	if (next == NULL)
		return -1;
	memcpy(next, d->first, (r->n_jobs + 1) * sizeof(*next));
	for (size_t i = 0; i < r->n_metrics; i++) {
		size_t k = r->metric[i].job < r->n_jobs ? r->metric[i].job : r->n_jobs;
		d->order[next[k]++] = i;
	}
	free(next);
	return 0;
}

/* ---- a job ---- */

typedef void job_part(struct doc *d, size_t k);

static const struct job_result *result_of(const struct doc *d, size_t k)
{
	return d->r->job[k].result;
}

static void job_ids(struct doc *d, size_t k)
{
	const struct report_job *j = &d->r->job[k];
	const struct sync_job *job = j->result->job;
	key(d, "id");
	str(d, job->id);
	key(d, "service_principal");
	if (j->sp < d->r->n_sp) {
		const struct report_sp *sp = &d->r->sp[j->sp];
		str(d, sp->id != NULL ? sp->id : sp->app_id);
	} else {
		put_null(d);
	}
	key(d, "template");
	str(d, job->template_id);
	key(d, "name");
	str(d, j->line < d->r->n_lines && d->r->line[j->line].name != NULL
	           ? d->r->line[j->line].name
	           : job->id);
}

static void job_state(struct doc *d, size_t k)
{
	const struct job_result *res = result_of(d, k);
	state_members(d, res->state);
	key(d, "status_code");
	if (res->job->status_code_present)
		str(d, res->job->status_code);
	else
		put_null(d);
}

static void job_schedule(struct doc *d, size_t k)
{
	const struct sync_job *job = result_of(d, k)->job;
	key(d, "schedule");
	if (!job->schedule_present) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "interval");
	str_or_null(d, job->schedule_interval);
	key(d, "interval_seconds");
	if (job->interval_valid)
		number(d, job->interval_seconds, 0);
	else
		put_null(d);
	key(d, "state");
	str_or_null(d, job->schedule_state);
	key(d, "expiration");
	time_or_null(d, job->expiration_valid, job->expiration);
	end(d, '}');
}

static void job_findings(struct doc *d, size_t k)
{
	const struct job_result *res = result_of(d, k);
	key(d, "findings");
	begin(d, '[');
	for (size_t i = 0; i < res->n_findings; i++) {
		const struct finding *f = &res->findings[i];
		begin(d, '{');
		key(d, "kind");
		str(d, finding_kind_name(f->kind));
		key(d, "state");
		str(d, state_name(f->state));
		key(d, "threshold");
		if (f->limit != NULL && f->limit->set)
			str(d, f->limit->text);
		else
			put_null(d);
		end(d, '}');
	}
	end(d, ']');
}

static void sync_error(struct doc *d, const struct sync_error *err)
{
	if (err == NULL || !err->present || (!err->code[0] && !err->message[0])) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "code");
	str_or_null(d, err->code);
	key(d, "message");
	str_or_null(d, err->message);
	key(d, "tenant_actionable");
	boolean(d, err->tenant_actionable);
	end(d, '}');
}

static void job_last_run(struct doc *d, size_t k)
{
	const struct task_execution *le = &result_of(d, k)->job->last_execution;
	key(d, "last_run");
	if (le->result == RUN_NONE) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "state");
	str_or_null(d, le->state);
	key(d, "began");
	time_or_null(d, le->began_valid, le->time_began);
	key(d, "ended");
	time_or_null(d, le->ended_valid, le->time_ended);
	key(d, "error");
	sync_error(d, &le->error);
	end(d, '}');
}

/* The error that explains the job (the quarantine's, or the one it carries
 * whatever its status). */
static void job_error(struct doc *d, size_t k)
{
	key(d, "error");
	sync_error(d, result_of(d, k)->cause);
}

static void job_quarantine(struct doc *d, size_t k)
{
	const struct job_result *res = result_of(d, k);
	const struct quarantine *q = &res->job->quarantine;
	key(d, "quarantine");
	if (!res->quarantined || !q->present) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "reason");
	str_or_null(d, q->reason);
	key(d, "since");
	time_or_null(d, q->series_began_valid, q->series_began);
	key(d, "current_began");
	time_or_null(d, q->current_began_valid, q->current_began);
	key(d, "series_count");
	integer(d, (long long)q->series_count);
	key(d, "next_attempt");
	time_or_null(d, q->next_attempt_valid, q->next_attempt);
	key(d, "disable_date");
	time_or_null(d, q->series_began_valid,
	             q->series_began + DISABLE_AFTER_DAYS * SECONDS_PER_DAY);
	key(d, "age");
	if (res->quarantine_age_known)
		number(d, res->quarantine_age, 0);
	else
		put_null(d);
	key(d, "error");
	sync_error(d, &q->error);
	end(d, '}');
}

static void job_last_success(struct doc *d, size_t k)
{
	const struct job_result *res = result_of(d, k);
	key(d, "last_success");
	when(d, res->age_known, res->last_success, res->last_success_age);
}

/* The progress entry that describes the job, and whether the age
 * thresholds measured its observation instead of the last success (a cycle
 * in progress). */
static void job_progress(struct doc *d, size_t k)
{
	const struct job_result *res = result_of(d, k);
	const struct sync_progress *p = &res->progress;
	key(d, "progress");
	if (!res->progress_known) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "percent");
	number(d, p->percent, 0);
	key(d, "completed_units");
	integer(d, (long long)p->completed);
	key(d, "total_units");
	integer(d, (long long)p->total);
	key(d, "observed");
	/* a time ahead of the clock was not taken: times_ahead names it */
	time_or_null(d, p->observed_valid, p->observed);
	key(d, "cycle_in_progress");
	boolean(d, res->cycle_in_progress);
	key(d, "observed_age");
	if (res->cycle_in_progress)
		number(d, res->progress_age, 0);
	else
		put_null(d);
	end(d, '}');
}

/* This plugin's newest start (the handler's or --start's), from the state
 * directory the check shares with them. */
static void job_last_start(struct doc *d, size_t k)
{
	const struct job_result *res = result_of(d, k);
	key(d, "last_start");
	when(d, res->last_start > 0, res->last_start, res->last_start_age);
}

/* The repair episode while it is open: since when the job has been broken
 * (Graph's seriesBegan at the first start), the starts made in it, and
 * whether the last one did not help. */
static void job_episode(struct doc *d, size_t k)
{
	const struct job_result *res = result_of(d, k);
	key(d, "episode");
	if (!res->episode_open) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "since");
	time_iso(d, res->episode_began);
	key(d, "age");
	number(d, res->episode_age, 0);
	key(d, "starts");
	integer(d, (long long)res->episode_starts);
	key(d, "last_start_futile");
	boolean(d, res->futile);
	end(d, '}');
}

/* What Microsoft documents to do, each with its page. */
static void job_advice(struct doc *d, size_t k)
{
	const struct report_job *j = &d->r->job[k];
	key(d, "advice");
	begin(d, '[');
	for (size_t i = 0; i < j->n_advice; i++) {
		begin(d, '{');
		key(d, "text");
		str(d, j->advice[i]->text);
		key(d, "source");
		str(d, j->advice[i]->source);
		end(d, '}');
	}
	end(d, ']');
}

/* The times of past events that lay ahead of the clock and were not taken. */
static void job_times_ahead(struct doc *d, size_t k)
{
	const struct job_result *res = result_of(d, k);
	key(d, "times_ahead");
	begin(d, '[');
	for (int i = 0; i < PAST_COUNT; i++) {
		if (!(res->ahead & (1u << i)))
			continue;
		begin(d, '{');
		key(d, "event");
		str(d, past_time_name((enum past_time)i));
		key(d, "time");
		time_iso(d, res->ahead_at[i]);
		end(d, '}');
	}
	end(d, ']');
}

static void job_flags(struct doc *d, size_t k)
{
	const struct sync_job *job = result_of(d, k)->job;
	key(d, "escrows_pruned");
	boolean(d, job->escrows_pruned);
	key(d, "troubleshooting_url");
	str_or_null(d, job->troubleshooting_url);
}

static void code_object(struct doc *d, const struct provlog_code *c)
{
	begin(d, '{');
	key(d, "code");
	str(d, c->code);
	key(d, "category");
	str_or_null(d, c->category);
	key(d, "objects");
	integer(d, c->objects);
	key(d, "events");
	integer(d, c->events);
	key(d, "example");
	begin(d, '{');
	key(d, "type");
	str_or_null(d, c->example.type);
	key(d, "name");
	str_or_null(d, c->example.name);
	key(d, "id");
	str_or_null(d, c->example.id);
	end(d, '}');
	key(d, "reason");
	str_or_null(d, c->reason);
	end(d, '}');
}

/* A known summary's counts (null for a status that has none). */
static void summary_members(struct doc *d, const struct provlog_result *o)
{
	bool known = o->status == PROVLOG_KNOWN;
	const struct provlog_summary *s = &o->summary;
	key(d, "cycle");
	if (known) {
		begin(d, '{');
		key(d, "began");
		time_iso(d, s->cycle_began);
		key(d, "ended");
		time_or_null(d, s->cycle_ended > 0 ? TIME_VALID : TIME_NEVER, s->cycle_ended);
		end(d, '}');
	} else {
		put_null(d);
	}
	const unsigned counts[] = {s->objects, s->events, s->codes};
	const char *names[] = {"failed_objects", "events", "codes"};
	for (size_t i = 0; i < 3; i++) {
		key(d, names[i]);
		if (known)
			integer(d, counts[i]);
		else
			put_null(d);
	}
	key(d, "capped");
	boolean(d, known && s->capped);
	key(d, "top");
	begin(d, '[');
	for (size_t i = 0; known && i < s->n_top; i++)
		code_object(d, &s->top[i]);
	end(d, ']');
	key(d, "staged_deletes");
	if (known && s->staged_read)
		integer(d, s->staged);
	else
		put_null(d);
	key(d, "staged_capped");
	boolean(d, known && s->staged_read && s->staged_capped);
}

/* --object-errors: what the provisioning logs of the job's last cycle say;
 * null without the option or when nothing called for a read. */
static void job_object_errors(struct doc *d, size_t k)
{
	const struct provlog_result *o = result_of(d, k)->objects;
	key(d, "object_errors");
	if (o == NULL || o->status == PROVLOG_NOT_ASKED) {
		put_null(d);
		return;
	}
	begin(d, '{');
	key(d, "status");
	str(d, provlog_status_name(o->status));
	key(d, "from_cache");
	boolean(d, o->from_cache);
	key(d, "checked_at");
	time_or_null(d, o->checked_at > 0 ? TIME_VALID : TIME_NEVER, o->checked_at);
	key(d, "why");
	str_or_null(d, o->status == PROVLOG_SKIPPED || o->status == PROVLOG_FAILED ? o->why : "");
	summary_members(d, o);
	end(d, '}');
}

/* The job's long-output line, as the Nagios format prints it. */
static void job_text(struct doc *d, size_t k)
{
	size_t line = d->r->job[k].line;
	key(d, "text");
	str(d, line < d->r->n_lines ? d->r->line[line].text.data : "");
}

static void job_metrics(struct doc *d, size_t k)
{
	key(d, "metrics");
	metrics_of(d, k);
}

/* The members of each job, in order. */
static job_part *const job_parts[] = {
    job_ids,         job_state,        job_schedule, job_findings,      job_last_run, job_error,
    job_quarantine,  job_last_success, job_progress, job_last_start,    job_episode,  job_advice,
    job_times_ahead, job_flags,        job_text,     job_object_errors, job_metrics,
};

/* ---- --directory-sync ---- */

static const char *sync_name(enum dirsync_sync s)
{
	switch (s) {
	case DIRSYNC_ENABLED:
		return "enabled";
	case DIRSYNC_NEVER:
		return "never";
	case DIRSYNC_DISABLED:
		return "disabled";
	case DIRSYNC_UNREPORTED:
		return "unreported";
	}
	return "unreported";
}

static const char *interval_source_name(enum dirsync_interval_source s)
{
	switch (s) {
	case INTERVAL_CUSTOMER:
		return "customer";
	case INTERVAL_CONFIGURED:
		return "configured";
	case INTERVAL_DEFAULT:
		return "default";
	}
	return "default";
}

static const char *password_name(enum dirsync_password p)
{
	switch (p) {
	case PASSWORD_OFF:
		return "off";
	case PASSWORD_JUDGED:
		return "judged";
	case PASSWORD_NO_TIME:
		return "no_time";
	case PASSWORD_UNREPORTED:
		return "unreported";
	}
	return "unreported";
}

static const char *prevention_name(enum deletion_prevention p)
{
	switch (p) {
	case PREVENTION_ABSENT:
		return "unreported";
	case PREVENTION_DISABLED:
		return "disabled";
	case PREVENTION_COUNT:
		return "count";
	case PREVENTION_PERCENTAGE:
		return "percentage";
	case PREVENTION_OTHER:
		return "other";
	}
	return "other";
}

static void dirsync_findings(struct doc *d, const struct dirsync_result *ds)
{
	key(d, "findings");
	begin(d, '[');
	for (size_t i = 0; i < ds->n_findings; i++) {
		const struct dirsync_finding *f = &ds->findings[i];
		bool aged = f->kind == DSF_SYNC_AGE || f->kind == DSF_PASSWORD_AGE;
		const struct range *passed = f->crit ? &ds->crit : &ds->warn;
		begin(d, '{');
		key(d, "kind");
		str(d, dirsync_finding_kind_name(f->kind));
		key(d, "state");
		str(d, state_name(f->state));
		key(d, "threshold");
		if (aged && passed->set)
			str(d, passed->text);
		else
			put_null(d);
		end(d, '}');
	}
	end(d, ']');
}

static void dirsync_interval(struct doc *d, const struct dirsync_result *ds)
{
	const struct dirsync_data *data = ds->data;
	key(d, "interval");
	begin(d, '{');
	key(d, "seconds");
	number(d, ds->interval, 0);
	key(d, "source");
	str(d, interval_source_name(ds->interval_source));
	key(d, "configured");
	str_or_null(d, data->interval.text);
	key(d, "customer_requested");
	str_or_null(d, data->customer_interval.text);
	end(d, '}');
}

static void dirsync_password(struct doc *d, const struct dirsync_result *ds)
{
	key(d, "password_hash_sync");
	begin(d, '{');
	key(d, "status");
	str(d, password_name(ds->password));
	key(d, "last");
	when(d, ds->password_age_known, ds->data->last_password_sync.t, ds->password_age);
	end(d, '}');
}

static void dirsync_prevention(struct doc *d, const struct dirsync_result *ds)
{
	const struct dirsync_data *data = ds->data;
	key(d, "deletion_prevention");
	begin(d, '{');
	key(d, "status");
	str(d, prevention_name(data->prevention));
	key(d, "type");
	str_or_null(d, data->prevention_type);
	key(d, "alert_threshold");
	if (data->has_alert_threshold)
		integer(d, (long long)data->alert_threshold);
	else
		put_null(d);
	key(d, "state");
	str(d, state_name(ds->prevention_state));
	end(d, '}');
}

static void directory_sync(struct doc *d)
{
	const struct dirsync_result *ds = d->r->dirsync;
	key(d, "directory_sync");
	begin(d, '{');
	state_members(d, ds->state);
	key(d, "sync");
	str(d, sync_name(ds->sync));
	key(d, "last_sync");
	when(d, ds->sync_age_known, ds->data->last_sync.t, ds->sync_age);
	dirsync_interval(d, ds);
	key(d, "thresholds_given");
	boolean(d, ds->thresholds_given);
	dirsync_password(d, ds);
	dirsync_prevention(d, ds);
	dirsync_findings(d, ds);
	end(d, '}');
}

/* ---- the run ---- */

static const char *mode_of(const struct doc *d)
{
	if (d->r->dirsync != NULL)
		return "directory_sync";
	if (d->opt != NULL && d->opt->mode != NULL)
		return d->opt->mode;
	return d->r->status_only ? NULL : "check";
}

static void run_head(struct doc *d)
{
	const struct report *r = d->r;
	key(d, "plugin");
	str(d, PLUGIN_NAME);
	key(d, "version");
	str(d, PLUGIN_VERSION);
	key(d, "mode");
	str_or_null(d, mode_of(d));
	key(d, "tenant");
	str_or_null(d, d->opt != NULL ? d->opt->tenant : NULL);
	key(d, "time");
	if (r->now > 0)
		time_iso(d, r->now);
	else
		put_null(d);
	key(d, "state");
	str(d, state_name(r->state));
	key(d, "exit_code");
	integer(d, (long long)r->state);
	key(d, "summary");
	str(d, r->summary.data != NULL ? r->summary.data : "");
	key(d, "complete");
	boolean(d, !r->status_only);
}

static void service_principals(struct doc *d)
{
	const struct report *r = d->r;
	key(d, "service_principals");
	begin(d, '[');
	for (size_t i = 0; i < r->n_sp; i++) {
		begin(d, '{');
		key(d, "id");
		str_or_null(d, r->sp[i].id);
		key(d, "app_id");
		str_or_null(d, r->sp[i].app_id);
		key(d, "name");
		str_or_null(d, r->sp[i].name);
		key(d, "error");
		str_or_null(d, r->sp[i].error);
		end(d, '}');
	}
	end(d, ']');
}

static void jobs(struct doc *d)
{
	key(d, "jobs");
	begin(d, '[');
	for (size_t k = 0; k < d->r->n_jobs; k++) {
		begin(d, '{');
		for (size_t p = 0; p < sizeof(job_parts) / sizeof(job_parts[0]); p++)
			job_parts[p](d, k);
		end(d, '}');
	}
	end(d, ']');
}

/* What the check reads: its service principals and their jobs; or the
 * tenant's directory synchronization. */
static void run_subject(struct doc *d)
{
	if (d->r->dirsync != NULL) {
		directory_sync(d);
		return;
	}
	service_principals(d);
	jobs(d);
}

static const char *source_name(enum expiry_source s)
{
	return s == EXPIRY_SOURCE_CERTIFICATE ? "certificate" : "client_secret";
}

static const char *expiry_status_name(enum expiry_status s)
{
	switch (s) {
	case EXPIRY_NOT_APPLICABLE:
		return "not_applicable";
	case EXPIRY_KNOWN:
		return "known";
	case EXPIRY_NO_END:
		return "no_end";
	case EXPIRY_NO_PERMISSION:
		return "no_permission";
	case EXPIRY_NO_APPLICATION:
		return "no_application";
	case EXPIRY_NO_MATCH:
		return "no_match";
	case EXPIRY_LOOKUP_FAILED:
		return "lookup_failed";
	}
	return "lookup_failed";
}

/* The end of the credential the run signed in with: null when the sign-in
 * method knows none. */
static void credential(struct doc *d)
{
	const struct expiry_result *x = d->r->credential;
	key(d, "credential");
	if (x == NULL || x->status == EXPIRY_NOT_APPLICABLE) {
		put_null(d);
		return;
	}
	bool known = x->status == EXPIRY_KNOWN;
	begin(d, '{');
	key(d, "kind");
	str(d, source_name(x->source));
	key(d, "status");
	str(d, expiry_status_name(x->status));
	key(d, "name");
	str_or_null(d, x->name);
	key(d, "key_id");
	str_or_null(d, x->key_id);
	key(d, "end");
	if (known)
		time_iso(d, x->end);
	else
		put_null(d);
	key(d, "expires_in");
	if (known)
		number(d, x->expires_in, 0);
	else
		put_null(d);
	key(d, "state");
	str(d, state_name(x->state));
	end(d, '}');
}

static void run_metrics(struct doc *d)
{
	key(d, "metrics");
	metrics_of(d, d->r->n_jobs);
}

static void errors(struct doc *d)
{
	key(d, "errors");
	begin(d, '[');
	for (size_t i = 0; i < d->r->n_errors; i++)
		str(d, d->r->error[i].data != NULL ? d->r->error[i].data : "");
	end(d, ']');
}

/* One string per line of the notes. */
static void notes(struct doc *d)
{
	const struct buf *n = &d->r->notes;
	key(d, "notes");
	begin(d, '[');
	for (size_t at = 0; at < n->len;) {
		const char *end = memchr(n->data + at, '\n', n->len - at);
		size_t len = end != NULL ? (size_t)(end - (n->data + at)) : n->len - at;
		char *line = strndup(n->data + at, len);
		if (line == NULL)
			d->failed = true;
		else
			str(d, line);
		free(line);
		at += len + 1;
	}
	end(d, ']');
}

typedef void run_part(struct doc *d);

/* The members of the document of a run that did its work, in order; a run
 * that could not (status_only) has the first and the last two alone. */
static run_part *const run_parts[] = {run_head,    run_subject, credential,
                                      run_metrics, errors,      notes};

static int json_write(FILE *out, const struct report *r, const struct output_options *opt)
{
	struct doc d = {.r = r, .opt = opt};
	size_t n_parts = sizeof(run_parts) / sizeof(run_parts[0]);
	if (!r->status_only && index_metrics(&d) < 0)
		d.failed = true;
	begin(&d, '{');
	for (size_t p = 0; p < n_parts && !d.failed; p++)
		if (!r->status_only || p == 0 || p + 2 >= n_parts)
			run_parts[p](&d);
	end(&d, '}');
	RAW(&d, "\n");
	if (!d.failed)
		fwrite(d.b.data, 1, d.b.len, out);
	free(d.first);
	free(d.order);
	buf_free(&d.b);
	return d.failed ? -1 : 0;
}

const struct output_writer json_writer = {"json", json_write};
