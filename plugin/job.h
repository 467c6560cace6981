/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The synchronization job model: Graph JSON in, plain C struct out. */
#ifndef CES_JOB_H
#define CES_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "timeparse.h"

struct json_object;

#define JOB_ID_MAX    256
#define JOB_SHORT_MAX 128
#define JOB_TEXT_MAX  512

/* status.code, read once with the one case rule (Graph's enums carry no
 * unknownFutureValue, and their case has varied): case-insensitive. */
enum job_status {
	JOB_NO_STATUS,      /* status {} (a job just created) or no code */
	JOB_NOT_CONFIGURED, /* NotConfigured */
	JOB_NOT_RUN,        /* NotRun */
	JOB_ACTIVE,         /* Active */
	JOB_PAUSED,         /* Paused */
	JOB_QUARANTINE,     /* Quarantine */
	JOB_STATUS_OTHER,   /* a value this plugin does not know: status_code holds it */
};

/* taskExecution.state, the same way. */
enum run_result {
	RUN_NONE,      /* no execution, or a placeholder (both times missing or the sentinel) */
	RUN_SUCCEEDED, /* Succeeded */
	RUN_FAILED,    /* Failed */
	RUN_ENTRY_LEVEL_ERRORS, /* EntryLevelErrors */
	RUN_OTHER, /* a value this plugin does not know: state holds it ("" when absent) */
};

struct sync_error {
	bool present;
	char code[JOB_SHORT_MAX];
	char message[JOB_TEXT_MAX];
	bool tenant_actionable;
};

struct task_execution {
	bool present;     /* false when null or absent */
	bool placeholder; /* present, but both times missing or the sentinel: no run */
	enum run_result result;
	char state[JOB_SHORT_MAX]; /* as sent: Succeeded | Failed | EntryLevelErrors | ... | "" */
	enum time_result began_valid;
	double time_began;
	enum time_result ended_valid;
	double time_ended;
	int64_t count_escrowed, count_exported, count_imported;
	bool has_count_escrowed, has_count_exported, has_count_imported;
	struct sync_error error;
};

struct quarantine {
	bool present;               /* false when null or absent */
	char reason[JOB_SHORT_MAX]; /* may be "" */
	enum time_result series_began_valid, current_began_valid, next_attempt_valid;
	double series_began, current_began, next_attempt;
	int64_t series_count;
	struct sync_error error;
};

struct sync_job {
	char id[JOB_ID_MAX];
	char template_id[JOB_SHORT_MAX];

	bool schedule_present;                 /* a schedule object was sent */
	char schedule_interval[JOB_SHORT_MAX]; /* as sent, "" when absent */
	bool interval_valid;
	double interval_seconds;
	char schedule_state[JOB_SHORT_MAX]; /* Active | Disabled | Paused | "" */
	enum time_result
	    expiration_valid; /* schedule.expiration: null, "" or the sentinel = none */
	double expiration;

	bool status_code_present; /* false for status: {} */
	char status_code[JOB_SHORT_MAX];
	enum job_status status;
	int64_t successive_failures;
	struct task_execution last_execution;
	struct task_execution last_successful;
	struct task_execution last_with_exports; /* lastSuccessfulExecutionWithExports */
	enum time_result steady_last_valid;
	double steady_last;
	struct quarantine quarantine;
	/* The newest progress entry with totalUnits > 0 (by its observation
	 * time): the cycle now running, or the last one. */
	bool progress_known;
	double progress_percent;
	int64_t progress_completed, progress_total;
	enum time_result progress_observed_valid;
	double progress_observed;               /* progressObservationDateTime */
	bool escrows_pruned;                    /* status.escrowsPruned */
	char troubleshooting_url[JOB_TEXT_MAX]; /* "" when null, empty or absent */
};

/* Fills job from one job object. Tolerates every documented quirk (null
 * objects, empty strings, the sentinel, missing status); refuses wrong types
 * for the fields it needs (id must be a string, status an object, ...).
 * 0, or -1 with e (ERR_PARSE) saying which field was wrong. */
int job_from_json(struct json_object *obj, struct sync_job *job, struct err *e);

/* Appends the jobs of one list page ({"value":[...], "@odata.nextLink":...})
 * to the array *jobs of length *n (realloc'd), refusing to hold more than
 * max jobs (before converting any: memory stays bounded). *next_link
 * receives a malloc'd copy of the next link or NULL. 0 or -1. */
int jobs_from_page(struct json_object *page, size_t max, struct sync_job **jobs, size_t *n,
                   char **next_link, struct err *e);

/* The schedule runs nothing: state Disabled, or an interval that disables
 * it (the judgement and the words both ask here). */
bool job_schedule_disabled(const struct sync_job *job);

#endif
