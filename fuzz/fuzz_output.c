/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The output layer under arbitrary words: job ids, template ids, status
 * codes, execution states, quarantine reasons, error codes and messages come
 * straight from the input (NUL-separated fields, up to six jobs), bypassing
 * the JSON parser, which would have refused invalid UTF-8; with one bit set,
 * up to 75 service principals that could not be read, their errors from
 * the input too. Whatever they hold, the output must keep its promises:
 * - one status line "ENTRA SYNC <STATE> - ", the worst state, one '|';
 * - perfdata in the strict grammar label=value[uom];warn;crit;min;max, with
 *   labels of [A-Za-z0-9_]{1,60}, unique, units s, % or none;
 * - valid UTF-8 throughout, no control character but the line ends;
 * - no more than --max-output bytes;
 * and the same report through the json writer parses with json-c as one
 * object, and through the prometheus writer keeps the exposition grammar
 * (fuzz_check_exposition), both in the same exit status and with no
 * control, bidi or zero-width character raw. */
#include <json.h>

#include "evaluate.h"
#include "format/format.h"
#include "fuzz.h"
#include "job.h"
#include "output.h"
#include "range.h"

#define NOW      1796000000.0
#define JOBS_MAX 6
#define ERRS_MAX 75

/* The next NUL-terminated field of the input (empty at the end). */
static const char *field(const uint8_t **p, const uint8_t *end, char *buf, size_t n)
{
	size_t i = 0;
	while (*p < end && **p != '\0') {
		if (i + 1 < n)
			buf[i++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	buf[i] = '\0';
	return buf;
}

static enum job_status status_of(const char *code)
{
	static const char *const names[] = {"NotConfigured", "NotRun", "Active", "Paused",
	                                    "Quarantine"};
	static const enum job_status st[] = {JOB_NOT_CONFIGURED, JOB_NOT_RUN, JOB_ACTIVE,
	                                     JOB_PAUSED, JOB_QUARANTINE};
	if (code[0] == '\0')
		return JOB_NO_STATUS;
	for (size_t i = 0; i < 5; i++)
		if (strcmp(code, names[i]) == 0)
			return st[i];
	return JOB_STATUS_OTHER;
}

static void fill_job(struct sync_job *j, const uint8_t **p, const uint8_t *end, unsigned bits)
{
	char buf[JOB_TEXT_MAX];
	memset(j, 0, sizeof(*j));
	str_copy(j->id, sizeof(j->id), field(p, end, buf, sizeof(buf)));
	str_copy(j->template_id, sizeof(j->template_id), field(p, end, buf, sizeof(buf)));
	/* The status code: either a known one (picked by a bit) or the input's. */
	static const char *const known[] = {"Active", "Quarantine", "Paused", "NotRun"};
	const char *code = field(p, end, buf, sizeof(buf));
	if (bits & 1)
		code = known[(bits >> 1) & 3];
	str_copy(j->status_code, sizeof(j->status_code), code);
	j->status_code_present = j->status_code[0] != '\0';
	j->status = status_of(j->status_code);
	str_copy(j->schedule_interval, sizeof(j->schedule_interval),
	         field(p, end, buf, sizeof(buf)));
	j->schedule_present = true;
	j->interval_valid = (bits & 8) != 0;
	j->interval_seconds = j->interval_valid ? 2400 : 0;
	str_copy(j->schedule_state, sizeof(j->schedule_state), "Active");

	struct task_execution *le = &j->last_execution;
	le->present = true;
	str_copy(le->state, sizeof(le->state), field(p, end, buf, sizeof(buf)));
	le->result = (bits & 16) ? RUN_FAILED : RUN_OTHER;
	le->began_valid = le->ended_valid = TIME_VALID;
	le->time_began = NOW - 4000;
	le->time_ended = NOW - 3900;
	le->has_count_escrowed = le->has_count_exported = (bits & 32) != 0;
	le->count_escrowed = (int64_t)bits * 7;
	le->error.present = true;
	str_copy(le->error.code, sizeof(le->error.code), field(p, end, buf, sizeof(buf)));
	str_copy(le->error.message, sizeof(le->error.message), field(p, end, buf, sizeof(buf)));

	struct quarantine *q = &j->quarantine;
	q->present = (bits & 64) != 0 || j->status == JOB_QUARANTINE;
	str_copy(q->reason, sizeof(q->reason), field(p, end, buf, sizeof(buf)));
	q->series_began_valid = TIME_VALID;
	q->series_began = NOW - (double)(bits % 40) * 86400;
	q->series_count = bits % 9;
	q->error = le->error;
	j->successive_failures = bits % 5;
	j->progress_known = (bits & 128) != 0;
	j->progress_percent = (bits % 101);
	str_copy(j->troubleshooting_url, sizeof(j->troubleshooting_url),
	         field(p, end, buf, sizeof(buf)));
}

/* The report in the format named, into *text (len bytes); its exit status. */
static int write_as(const char *format, const struct report *rep, char **text, size_t *len)
{
	struct output_options opt = {.mode = "check", .tenant = "contoso"};
	struct err e;
	FUZZ_ASSERT(format_parse(format, &opt, &e) == 0);
	FILE *out = open_memstream(text, len);
	if (out == NULL)
		abort();
	int st = format_write(out, rep, &opt, &e);
	fclose(out);
	return st;
}

static void check_json(const struct report *rep, enum state st)
{
	char *text = NULL;
	size_t len = 0;
	FUZZ_ASSERT(write_as("json", rep, &text, &len) == (int)st);
	fuzz_check_text(text, len);
	struct json_tokener *tok = json_tokener_new();
	struct json_object *doc = json_tokener_parse_ex(tok, text, (int)len);
	FUZZ_ASSERT(doc != NULL && json_object_is_type(doc, json_type_object));
	FUZZ_ASSERT(json_tokener_get_parse_end(tok) == len);
	struct json_object *code = NULL, *jobs = NULL;
	FUZZ_ASSERT(json_object_object_get_ex(doc, "exit_code", &code));
	FUZZ_ASSERT(json_object_get_int(code) == (int)st);
	FUZZ_ASSERT(json_object_object_get_ex(doc, "jobs", &jobs));
	FUZZ_ASSERT(json_object_array_length(jobs) == rep->n_jobs);
	json_object_put(doc);
	json_tokener_free(tok);
	free(text);
}

static void check_exposition(const struct report *rep, enum state st)
{
	char *text = NULL;
	size_t len = 0;
	FUZZ_ASSERT(write_as("prometheus", rep, &text, &len) == (int)st);
	fuzz_check_exposition(text, len);
	char state_line[96];
	snprintf(state_line, sizeof(state_line),
	         "\nentra_sync_state{mode=\"check\",tenant=\"contoso\"} %d\n", (int)st);
	FUZZ_ASSERT(strstr(text, state_line) != NULL);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t n = (size_t)(data[0] % JOBS_MAX) + 1;
	unsigned bits = data[1];
	size_t budget = OUTPUT_MAX_MIN + (size_t)data[2] * 40;
	const uint8_t *p = data + 3, *end = data + size;

	struct sync_job *jobs = calloc(n, sizeof(*jobs));
	struct job_result *res = calloc(n, sizeof(*res));
	if (jobs == NULL || res == NULL)
		abort();
	struct eval_config cfg;
	eval_config_init(&cfg);
	struct start_record rec = {.last = NOW - 60,
	                           .last_reason = "Unknown",
	                           .episode_began = NOW - 86400.0,
	                           .episode_starts = 2};
	struct job_context ctx = {.now = NOW, .starts = (bits & 4) ? &rec : NULL};
	for (size_t i = 0; i < n; i++) {
		fill_job(&jobs[i], &p, end, bits + (unsigned)i * 37);
		evaluate_job(&jobs[i], &cfg, &ctx, &res[i]);
	}

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (out == NULL)
		abort();
	/* the service principals that could not be read, and one that could */
	static char err_id[ERRS_MAX + 1][24], err_text[ERRS_MAX][JOB_TEXT_MAX];
	static struct report_sp sps[ERRS_MAX + 1];
	size_t n_errs = (bits & 8) ? (size_t)(bits >> 4) * 5 : 0;
	for (size_t k = 0; k <= n_errs; k++) {
		snprintf(err_id[k], sizeof(err_id[k]), "%zu", k);
		sps[k] = (struct report_sp){.id = err_id[k]};
		if (k < n_errs)
			sps[k].error = field(&p, end, err_text[k], sizeof(err_text[k]));
	}

	struct output_options opt = {.max_bytes = budget, .bare_labels = n == 1 && (bits & 2)};
	struct run_facts facts = {
	    .http_seconds = 0.25, .sps = sps, .n_sps = n_errs ? n_errs + 1 : 0};
	struct report rep = {0};
	struct err e;
	FUZZ_ASSERT(output_check(&rep, res, n, &opt, &facts, &e) == 0);
	enum state st = (enum state)format_write(out, &rep, &opt, &e);
	fclose(out);
	check_json(&rep, st);
	check_exposition(&rep, st);
	report_free(&rep);

	enum state want = results_worst(res, n);
	FUZZ_ASSERT(st == (n_errs ? state_worst(want, STATE_UNKNOWN) : want));
	fuzz_check_plugin_output(text, len, budget, OUTPUT_PREFIX, state_name(st), HEAD_MAX,
	                         LABEL_MAX);
	free(text);
	free(res);
	free(jobs);
	return 0;
}
