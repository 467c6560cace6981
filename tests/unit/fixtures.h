/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Job JSON as Graph sends it, one literal per shape of graph-api-notes.md,
 * all relative to NOW (2026-03-01T12:00:00Z). Include after cmocka.h. */
#ifndef TEST_FIXTURES_H
#define TEST_FIXTURES_H

#include <json-c/json.h>
#include <string.h>

#include "evaluate.h"
#include "format/format.h"
#include "job.h"
#include "output.h"

#define NOW 1772366400.0 /* 2026-03-01T12:00:00Z */

/* Cloud sync, healthy: PT2M, Succeeded with 15 escrows, null activity id,
 * sentinel timeBegan, quarantine null. Last success 2 minutes ago. */
#define J_HEALTHY_CLOUD_SYNC                                                                       \
	"{\"id\":\"AD2AADProvisioning.fd1c9b9e8077402c8bc03a7186c8f976\","                         \
	"\"templateId\":\"AD2AADProvisioning\","                                                   \
	"\"schedule\":{\"expiration\":null,\"interval\":\"PT2M\",\"state\":\"Active\"},"           \
	"\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":0,"                   \
	"\"escrowsPruned\":false,"                                                                 \
	"\"lastExecution\":{\"activityIdentifier\":\"a1\",\"countEntitled\":0,"                    \
	"\"countEscrowed\":15,\"countExported\":3,\"countImported\":20,\"error\":null,"            \
	"\"state\":\"Succeeded\",\"timeBegan\":\"2026-03-01T11:57:30.1Z\","                        \
	"\"timeEnded\":\"2026-03-01T11:58:00.1234567Z\"},"                                         \
	"\"lastSuccessfulExecution\":{\"activityIdentifier\":null,\"countEscrowed\":0,"            \
	"\"error\":null,\"state\":\"Succeeded\",\"timeBegan\":\"0001-01-01T00:00:00Z\","           \
	"\"timeEnded\":\"2026-03-01T11:58:00Z\"},"                                                 \
	"\"lastSuccessfulExecutionWithExports\":null,\"progress\":[],\"quarantine\":null,"         \
	"\"steadyStateFirstAchievedTime\":\"0001-01-01T00:00:00Z\","                               \
	"\"steadyStateLastAchievedTime\":\"0001-01-01T00:00:00Z\","                                \
	"\"synchronizedEntryCountByType\":[{\"key\":\"user to User\",\"value\":12}],"              \
	"\"troubleshootingUrl\":null},"                                                            \
	"\"synchronizationJobSettings\":[]}"

/* The quarantined Box job: PT40M, Failed with BoxInsufficientPermissions,
 * no last success, seriesBegan 2026-02-20T08:00Z (9d 4h ago), seriesCount
 * 6, nextAttempt the sentinel. */
#define J_QUARANTINED_BOX_Q(quarantine_error)                                                      \
	"{\"id\":\"Box.fedcba9876543210fedcba9876543210\",\"templateId\":\"Box\","                 \
	"\"schedule\":{\"expiration\":null,\"interval\":\"PT40M\",\"state\":\"Active\"},"          \
	"\"status\":{\"code\":\"Quarantine\",\"countSuccessiveCompleteFailures\":6,"               \
	"\"escrowsPruned\":false,"                                                                 \
	"\"lastExecution\":{\"activityIdentifier\":\"b2\",\"countEscrowed\":0,"                    \
	"\"countExported\":0,\"countImported\":0,"                                                 \
	"\"error\":{\"code\":\"BoxInsufficientPermissions\","                                      \
	"\"message\":\"The Box admin credentials lack the co-admin role.\","                       \
	"\"tenantActionable\":true},"                                                              \
	"\"state\":\"Failed\",\"timeBegan\":\"2026-03-01T08:00:00Z\","                             \
	"\"timeEnded\":\"2026-03-01T08:00:05.12Z\"},"                                              \
	"\"lastSuccessfulExecution\":null,\"lastSuccessfulExecutionWithExports\":null,"            \
	"\"progress\":[],"                                                                         \
	"\"quarantine\":{\"currentBegan\":\"2026-02-27T12:00:00Z\","                               \
	"\"nextAttempt\":\"0001-01-01T00:00:00Z\","                                                \
	"\"reason\":\"EncounteredQuarantineException\","                                           \
	"\"seriesBegan\":\"2026-02-20T08:00:00Z\",\"seriesCount\":6" quarantine_error "},"         \
	"\"steadyStateLastAchievedTime\":\"0001-01-01T00:00:00Z\","                                \
	"\"troubleshootingUrl\":\"\"}}"

#define J_QUARANTINED_BOX                                                                          \
	J_QUARANTINED_BOX_Q(",\"error\":{\"code\":\"BoxInsufficientPermissions\","                 \
	                    "\"message\":\"The Box admin credentials lack the co-admin role.\","   \
	                    "\"tenantActionable\":true}")
/* Older responses carry no quarantine.error at all. */
#define J_QUARANTINED_BOX_NO_QERROR J_QUARANTINED_BOX_Q("")

/* Graph's documented Get example: Paused, quarantine with empty strings. */
#define J_PAUSED_DOC_EXAMPLE                                                                       \
	"{\"id\":\"SfSandboxOutDelta.e4bbf44533ea4eabb17027f3a92e92aa\","                          \
	"\"templateId\":\"SfSandboxOutDelta\","                                                    \
	"\"schedule\":{\"expiration\":null,\"interval\":\"PT20M\",\"state\":\"Paused\"},"          \
	"\"status\":{\"code\":\"Paused\",\"countSuccessiveCompleteFailures\":0,"                   \
	"\"escrowsPruned\":false,\"lastExecution\":null,\"lastSuccessfulExecution\":null,"         \
	"\"lastSuccessfulExecutionWithExports\":null,\"progress\":[],"                             \
	"\"quarantine\":{\"currentBegan\":\"\",\"nextAttempt\":\"\",\"reason\":\"\","              \
	"\"seriesBegan\":\"\",\"seriesCount\":2,"                                                  \
	"\"error\":{\"code\":\"SalesforceInvalidCredentials\","                                    \
	"\"message\":\"Invalid Salesforce credentials.\",\"tenantActionable\":true}},"             \
	"\"steadyStateLastAchievedTime\":\"0001-01-01T00:00:00Z\","                                \
	"\"synchronizedEntryCountByType\":[],\"troubleshootingUrl\":\"\"},"                        \
	"\"synchronizationJobSettings\":[{\"name\":\"QuarantineTooManyDeletesThreshold\","         \
	"\"value\":\"500\"}]}"

/* Just created: status {}. */
#define J_NEW_JOB                                                                                  \
	"{\"id\":\"scim.0123456789abcdef0123456789abcdef\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"expiration\":null,\"interval\":\"PT40M\",\"state\":\"Active\"},"          \
	"\"status\":{}}"

/* Schedule TimeSpan.MaxValue and Disabled; last success 30 days ago. */
#define J_DISABLED_SCHEDULE                                                                        \
	"{\"id\":\"scim.11111111111111111111111111111111\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"expiration\":null,\"interval\":\"P10675199DT2H48M5.4775807S\","           \
	"\"state\":\"Disabled\"},"                                                                 \
	"\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":0,"                   \
	"\"lastExecution\":null,\"quarantine\":null,"                                              \
	"\"lastSuccessfulExecution\":{\"state\":\"Succeeded\","                                    \
	"\"timeEnded\":\"2026-01-30T12:00:00Z\"}}}"

/* First cycle still running, two progress observations (newest 75 %). */
#define J_NOT_RUN                                                                                  \
	"{\"id\":\"scim.22222222222222222222222222222222\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"                              \
	"\"status\":{\"code\":\"NotRun\",\"countSuccessiveCompleteFailures\":0,"                   \
	"\"lastExecution\":{\"state\":\"\",\"timeBegan\":\"2026-03-01T11:00:00Z\","                \
	"\"timeEnded\":\"\"},\"lastSuccessfulExecution\":null,\"quarantine\":null,"                \
	"\"progress\":[{\"completedUnits\":150,\"totalUnits\":200,"                                \
	"\"progressObservationDateTime\":\"2026-03-01T11:50:00Z\"},"                               \
	"{\"completedUnits\":50,\"totalUnits\":200,"                                               \
	"\"progressObservationDateTime\":\"2026-03-01T11:10:00Z\"}]}}"

/* Active with a given last success time (lastSuccessfulExecution.timeEnded). */
#define J_ACTIVE_SUCCESS_AT(when)                                                                  \
	"{\"id\":\"scim.33333333333333333333333333333333\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"                              \
	"\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":0,"                   \
	"\"lastExecution\":{\"state\":\"Succeeded\",\"countEscrowed\":0,"                          \
	"\"countExported\":1,\"countImported\":2,\"timeEnded\":\"" when "\"},"                     \
	"\"lastSuccessfulExecution\":{\"state\":\"Succeeded\",\"timeEnded\":\"" when "\"},"        \
	"\"quarantine\":null}}"

/* Active job that has never succeeded: all success times null or sentinel. */
#define J_ACTIVE_NEVER_SUCCEEDED                                                                   \
	"{\"id\":\"scim.44444444444444444444444444444444\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"                              \
	"\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":0,"                   \
	"\"lastExecution\":null,\"lastSuccessfulExecution\":null,\"quarantine\":null,"             \
	"\"steadyStateLastAchievedTime\":\"0001-01-01T00:00:00Z\"}}"

/* Active, last run Failed (not quarantined), one complete failure. */
#define J_ACTIVE_LAST_RUN_FAILED                                                                   \
	"{\"id\":\"scim.55555555555555555555555555555555\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"                              \
	"\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":1,"                   \
	"\"lastExecution\":{\"state\":\"Failed\",\"countEscrowed\":0,"                             \
	"\"error\":{\"code\":\"SystemForCrossDomainIdentityManagementServiceIncompatible\","       \
	"\"message\":\"The SCIM endpoint answered 500.\",\"tenantActionable\":false},"             \
	"\"timeEnded\":\"2026-03-01T11:50:00Z\"},"                                                 \
	"\"lastSuccessfulExecution\":{\"state\":\"Succeeded\","                                    \
	"\"timeEnded\":\"2026-03-01T11:00:00Z\"},\"quarantine\":null}}"

/* Active, EntryLevelErrors with 120 escrows, counts sent as strings. */
#define J_ENTRY_LEVEL_ERRORS                                                                       \
	"{\"id\":\"scim.66666666666666666666666666666666\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"                              \
	"\"status\":{\"code\":\"Active\",\"countSuccessiveCompleteFailures\":\"0\","               \
	"\"lastExecution\":{\"state\":\"EntryLevelErrors\",\"countEscrowed\":\"120\","             \
	"\"countExported\":\"7\",\"countImported\":9.0,"                                           \
	"\"timeEnded\":\"2026-03-01T11:55:00Z\"},"                                                 \
	"\"lastSuccessfulExecution\":null,\"quarantine\":null,"                                    \
	"\"steadyStateLastAchievedTime\":\"2026-03-01T11:55:00Z\"}}"

/* Status code from the future. */
#define J_UNKNOWN_CODE                                                                             \
	"{\"id\":\"scim.77777777777777777777777777777777\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"                              \
	"\"status\":{\"code\":\"Restarting\"}}"

#define J_NOT_CONFIGURED                                                                           \
	"{\"id\":\"scim.88888888888888888888888888888888\",\"templateId\":\"scim\","               \
	"\"schedule\":{\"interval\":\"PT40M\",\"state\":\"Active\"},"                              \
	"\"status\":{\"code\":\"NotConfigured\",\"lastExecution\":null}}"

/* Parses json into job; the test fails if the parser refuses it. */
static inline void load_job(const char *json, struct sync_job *job)
{
	struct json_object *o = json_tokener_parse(json);
	assert_non_null(o);
	struct err e = {0};
	int rc = job_from_json(o, job, &e);
	json_object_put(o);
	if (rc != 0)
		fail_msg("job_from_json: %s", e.msg);
}

/* Parses json and expects a refusal; returns the message in e. */
static inline void load_job_fails(const char *json, struct err *e)
{
	struct sync_job job;
	struct json_object *o = json_tokener_parse(json);
	assert_non_null(o);
	assert_int_equal(job_from_json(o, &job, e), -1);
	assert_int_equal(e->kind, ERR_PARSE);
	json_object_put(o);
}

static inline void eval_json(const char *json, const struct eval_config *cfg, struct sync_job *job,
                             struct job_result *r)
{
	load_job(json, job);
	struct job_context ctx = {.now = NOW, .starts = NULL};
	evaluate_job(job, cfg, &ctx, r);
}

/* The check's output as the plugin prints it: output_check's report
 * through the writer opt names. Returns the exit status. */
static inline enum state print_check(FILE *out, const struct job_result *r, size_t n,
                                     const struct output_options *opt,
                                     const struct run_facts *facts)
{
	struct report rep = {0};
	struct err e = {0};
	assert_int_equal(output_check(&rep, r, n, opt, facts, &e), 0);
	int st = format_write(out, &rep, opt, &e);
	assert_true(st >= 0);
	report_free(&rep);
	return (enum state)st;
}

/* The words output.c writes for a result (the summary, the long-output
 * line), in a buffer that lives until the next call. */
static inline const char *summary_of(const struct job_result *r)
{
	static struct buf b;
	buf_free(&b);
	output_job_summary(r, &b);
	return b.data ? b.data : "";
}

static inline const char *detail_of(const struct job_result *r)
{
	static struct buf b;
	buf_free(&b);
	output_job_detail(r, &b);
	return b.data ? b.data : "";
}

static inline void eval_default(const char *json, struct sync_job *job, struct job_result *r)
{
	struct eval_config cfg;
	eval_config_init(&cfg);
	eval_json(json, &cfg, job, r);
}

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (strstr((hay), (needle)) == NULL)                                               \
			fail_msg("'%s' not found in '%s'", (needle), (hay));                       \
	} while (0)

#define assert_not_contains(hay, needle)                                                           \
	do {                                                                                       \
		if (strstr((hay), (needle)) != NULL)                                               \
			fail_msg("'%s' unexpectedly in '%s'", (needle), (hay));                    \
	} while (0)

#endif
