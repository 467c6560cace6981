/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Graph synchronizationJob JSON -> struct sync_job.
 *
 * Graph's examples show nulls for whole objects, empty strings for times and
 * reasons, the 0001-01-01 sentinel, "status": {} and int64 counts sent either
 * as numbers or as strings. All of that is data, not an error. Only the
 * fields without which a job cannot be named or judged (id, status) refuse a
 * wrong type; any other wrongly typed member is read as absent. */
#include "job.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"

static void copy_string(struct json_object *obj, const char *key, char *dst, size_t n)
{
	struct json_object *v = json_member_typed(obj, key, json_type_string);
	str_copy(dst, n, v != NULL ? json_object_get_string(v) : "");
}

static enum time_result get_time(struct json_object *obj, const char *key, double *epoch)
{
	struct json_object *v = json_member_typed(obj, key, json_type_string);
	return iso_time_parse(v != NULL ? json_object_get_string(v) : NULL, epoch);
}

static bool string_to_int64(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0)
		return false;
	*out = (int64_t)v;
	return true;
}

/* int64 as a JSON integer, an integral double, or a decimal string
 * (OData's IEEE754Compatible form). false when absent or unusable. */
static bool get_int64(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object *v = json_member(obj, key);
	if (v == NULL)
		return false;
	switch (json_object_get_type(v)) {
	case json_type_int:
		*out = json_object_get_int64(v);
		return true;
	case json_type_double: {
		double d = json_object_get_double(v);
		if (!(d > -9.0e18 && d < 9.0e18) || d != (double)(int64_t)d)
			return false;
		*out = (int64_t)d;
		return true;
	}
	case json_type_string:
		return string_to_int64(json_object_get_string(v), out);
	default:
		return false;
	}
}

static void parse_error(struct json_object *obj, struct sync_error *err)
{
	memset(err, 0, sizeof(*err));
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return;
	err->present = true;
	copy_string(obj, "code", err->code, sizeof(err->code));
	copy_string(obj, "message", err->message, sizeof(err->message));
	struct json_object *ta = json_member_typed(obj, "tenantActionable", json_type_boolean);
	err->tenant_actionable = ta != NULL && json_object_get_boolean(ta);
}

/* The index of text in names (case-insensitive), or n. */
static size_t name_index(const char *text, const char *const *names, size_t n)
{
	size_t i = 0;
	while (i < n && strcasecmp(text, names[i]) != 0)
		i++;
	return i;
}

static enum run_result run_result_of(const struct task_execution *t)
{
	static const char *const names[] = {"Succeeded", "Failed", "EntryLevelErrors"};
	static const enum run_result results[] = {RUN_SUCCEEDED, RUN_FAILED, RUN_ENTRY_LEVEL_ERRORS,
	                                          RUN_OTHER};
	if (!t->present || t->placeholder)
		return RUN_NONE;
	return results[name_index(t->state, names, 3)];
}

static void parse_task(struct json_object *obj, struct task_execution *t)
{
	memset(t, 0, sizeof(*t));
	t->began_valid = t->ended_valid = TIME_NEVER;
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return;
	t->present = true;
	copy_string(obj, "state", t->state, sizeof(t->state));
	t->began_valid = get_time(obj, "timeBegan", &t->time_began);
	t->ended_valid = get_time(obj, "timeEnded", &t->time_ended);
	/* A brand-new job shows {state: "Failed", error: {code: "None"}, both
	 * times the sentinel}: not a failed run, no run at all. */
	t->placeholder = t->began_valid == TIME_NEVER && t->ended_valid == TIME_NEVER;
	t->has_count_escrowed = get_int64(obj, "countEscrowed", &t->count_escrowed);
	t->has_count_exported = get_int64(obj, "countExported", &t->count_exported);
	t->has_count_imported = get_int64(obj, "countImported", &t->count_imported);
	parse_error(json_member(obj, "error"), &t->error);
	t->result = run_result_of(t);
}

static void parse_quarantine(struct json_object *obj, struct quarantine *q)
{
	memset(q, 0, sizeof(*q));
	q->series_began_valid = q->current_began_valid = q->next_attempt_valid = TIME_NEVER;
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return;
	q->present = true;
	copy_string(obj, "reason", q->reason, sizeof(q->reason));
	q->series_began_valid = get_time(obj, "seriesBegan", &q->series_began);
	q->current_began_valid = get_time(obj, "currentBegan", &q->current_began);
	q->next_attempt_valid = get_time(obj, "nextAttempt", &q->next_attempt);
	if (!get_int64(obj, "seriesCount", &q->series_count))
		q->series_count = 0;
	parse_error(json_member(obj, "error"), &q->error);
}

/* Graph keeps one progress entry per observation; the newest with a known
 * total is the one that describes the cycle now running. */
static void parse_progress(struct json_object *arr, struct sync_job *job)
{
	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return;
	double newest = -INFINITY;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);
		int64_t done, total;
		if (!get_int64(p, "totalUnits", &total) || total <= 0 ||
		    !get_int64(p, "completedUnits", &done))
			continue;
		double when;
		enum time_result valid = get_time(p, "progressObservationDateTime", &when);
		if (valid != TIME_VALID)
			when = -HUGE_VAL;
		if (job->progress_known && when < newest)
			continue;
		newest = when;
		double pct = 100.0 * (double)done / (double)total;
		job->progress_percent = pct < 0.0 ? 0.0 : pct > 100.0 ? 100.0 : pct;
		job->progress_completed = done;
		job->progress_total = total;
		job->progress_observed_valid = valid;
		job->progress_observed = valid == TIME_VALID ? when : 0.0;
		job->progress_known = true;
	}
}

static void parse_schedule(struct json_object *obj, struct sync_job *job)
{
	job->schedule_present = obj != NULL;
	copy_string(obj, "interval", job->schedule_interval, sizeof(job->schedule_interval));
	copy_string(obj, "state", job->schedule_state, sizeof(job->schedule_state));
	job->expiration_valid = get_time(obj, "expiration", &job->expiration);
	job->interval_valid =
	    iso_duration_parse(job->schedule_interval, &job->interval_seconds) == 0;
	if (!job->interval_valid)
		job->interval_seconds = 0.0;
}

/* A non-string code is kept as its JSON text so that evaluation can quote it
 * as an unexpected value instead of taking it for a missing one. */
static void parse_status_code(struct json_object *status, struct sync_job *job)
{
	struct json_object *code = json_member(status, "code");
	if (code == NULL)
		return;
	const char *text = json_object_is_type(code, json_type_string)
	                       ? json_object_get_string(code)
	                       : json_object_to_json_string(code);
	str_copy(job->status_code, sizeof(job->status_code), text);
	job->status_code_present = job->status_code[0] != '\0';
}

static enum job_status status_of(const struct sync_job *job)
{
	static const char *const names[] = {"NotConfigured", "NotRun", "Active", "Paused",
	                                    "Quarantine"};
	static const enum job_status statuses[] = {JOB_NOT_CONFIGURED, JOB_NOT_RUN,
	                                           JOB_ACTIVE,         JOB_PAUSED,
	                                           JOB_QUARANTINE,     JOB_STATUS_OTHER};
	if (!job->status_code_present)
		return JOB_NO_STATUS;
	return statuses[name_index(job->status_code, names, 5)];
}

static void parse_status(struct json_object *status, struct sync_job *job)
{
	parse_status_code(status, job);
	job->status = status_of(job);
	if (!get_int64(status, "countSuccessiveCompleteFailures", &job->successive_failures))
		job->successive_failures = 0;
	parse_task(json_member(status, "lastExecution"), &job->last_execution);
	parse_task(json_member(status, "lastSuccessfulExecution"), &job->last_successful);
	parse_task(json_member(status, "lastSuccessfulExecutionWithExports"),
	           &job->last_with_exports);
	struct json_object *pruned = json_member_typed(status, "escrowsPruned", json_type_boolean);
	job->escrows_pruned = pruned != NULL && json_object_get_boolean(pruned);
	copy_string(status, "troubleshootingUrl", job->troubleshooting_url,
	            sizeof(job->troubleshooting_url));
	job->steady_last_valid = get_time(status, "steadyStateLastAchievedTime", &job->steady_last);
	parse_quarantine(json_member(status, "quarantine"), &job->quarantine);
	parse_progress(json_member(status, "progress"), job);
}

static const char *type_name(struct json_object *v)
{
	return v == NULL ? "null" : json_type_to_name(json_object_get_type(v));
}

/* templateId is "<template>" and the id "<template>.<32 hex>"; when Graph
 * leaves templateId out, the id still tells. */
static void template_from_id(struct sync_job *job)
{
	const char *dot = strchr(job->id, '.');
	size_t n = dot != NULL ? (size_t)(dot - job->id) : strlen(job->id);
	if (n >= sizeof(job->template_id))
		n = sizeof(job->template_id) - 1;
	memcpy(job->template_id, job->id, n);
	job->template_id[n] = '\0';
}

int job_from_json(struct json_object *obj, struct sync_job *job, struct err *e)
{
	memset(job, 0, sizeof(*job));
	job->steady_last_valid = job->expiration_valid = job->progress_observed_valid = TIME_NEVER;
	parse_task(NULL, &job->last_execution);
	parse_task(NULL, &job->last_successful);
	parse_task(NULL, &job->last_with_exports);
	parse_quarantine(NULL, &job->quarantine);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return err_set(e, ERR_PARSE, "job is not an object (%s)", type_name(obj));

	struct json_object *id = json_member(obj, "id");
	if (id == NULL || !json_object_is_type(id, json_type_string) ||
	    json_object_get_string_len(id) == 0)
		return err_set(e, ERR_PARSE, "job.id is missing or not a non-empty string (%s)",
		               type_name(id));
	str_copy(job->id, sizeof(job->id), json_object_get_string(id));
	copy_string(obj, "templateId", job->template_id, sizeof(job->template_id));
	if (job->template_id[0] == '\0')
		template_from_id(job);

	parse_schedule(json_member_typed(obj, "schedule", json_type_object), job);

	/* A missing or null status is a job Graph has not filled in yet: the
	 * same as status {}. Any other non-object is a broken answer. */
	struct json_object *status = json_member(obj, "status");
	if (status != NULL && !json_object_is_type(status, json_type_object))
		return err_set(e, ERR_PARSE, "job '%.100s': status is not an object (%s)", job->id,
		               type_name(status));
	parse_status(status, job);
	return 0;
}

static int append_jobs(struct json_object *value, size_t max, struct sync_job **jobs, size_t *n,
                       struct err *e)
{
	size_t count = json_object_array_length(value);
	if (count == 0)
		return 0;
	if (count > max || *n > max - count)
		return err_set(e, ERR_PARSE,
		               "more than %zu synchronization jobs (%zu so far); refusing a list "
		               "this long",
		               max, *n + count);
	struct sync_job *grown = realloc(*jobs, (*n + count) * sizeof(**jobs));
	if (grown == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory for %zu jobs", *n + count);
	*jobs = grown;
	for (size_t i = 0; i < count; i++) {
		if (job_from_json(json_object_array_get_idx(value, i), &grown[*n + i], e) < 0)
			return err_prefix(e, "value[%zu]", i);
	}
	*n += count;
	return 0;
}

int jobs_from_page(struct json_object *page, size_t max, struct sync_job **jobs, size_t *n,
                   char **next_link, struct err *e)
{
	*next_link = NULL;
	if (page == NULL || !json_object_is_type(page, json_type_object))
		return err_set(e, ERR_PARSE, "job list is not an object (%s)", type_name(page));
	struct json_object *value = json_member(page, "value");
	if (value == NULL || !json_object_is_type(value, json_type_array))
		return err_set(e, ERR_PARSE, "job list: value is missing or not an array (%s)",
		               type_name(value));
	/* A wrongly typed next link would silently cut the list short: refuse it. */
	struct json_object *next = json_member(page, "@odata.nextLink");
	if (next != NULL && !json_object_is_type(next, json_type_string))
		return err_set(e, ERR_PARSE, "job list: @odata.nextLink is not a string (%s)",
		               type_name(next));
	if (append_jobs(value, max, jobs, n, e) < 0)
		return -1;
	if (next != NULL && json_object_get_string_len(next) > 0) {
		*next_link = strdup(json_object_get_string(next));
		if (*next_link == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
	}
	return 0;
}

bool job_schedule_disabled(const struct sync_job *job)
{
	return strcasecmp(job->schedule_state, "Disabled") == 0 ||
	       (job->interval_valid && iso_duration_is_disabled(job->interval_seconds));
}
