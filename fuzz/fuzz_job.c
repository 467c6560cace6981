/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Graph job JSON -> model -> evaluation -> output, as check mode runs it.
 * The input is one job object or a list page {"value":[...]}. Besides memory
 * errors it checks the promises of the man page (OUTPUT): the first line names the
 * worst state and '|' appears only once, as the perfdata separator. */
#include <json-c/json.h>

#include "evaluate.h"
#include "format/format.h"
#include "fuzz.h"
#include "job.h"
#include "jsonutil.h"
#include "output.h"
#include "range.h"

#define NOW 1796000000.0 /* 2026-11-29, a fixed clock keeps runs reproducible */

static void config_for(size_t variant, struct eval_config *cfg, struct state_override *ov)
{
	struct err e;
	eval_config_init(cfg);
	switch (variant % 3) {
	case 0:
		break;
	case 1:
		range_parse("1h", true, &cfg->age_warn, &e);
		range_parse("@2d:3d", true, &cfg->age_crit, &e);
		range_parse("~:5", false, &cfg->escrow_warn, &e);
		range_parse("10:", false, &cfg->escrow_crit, &e);
		break;
	default:
		str_copy(ov[0].key, sizeof ov[0].key, "Paused");
		ov[0].state = STATE_OK;
		str_copy(ov[1].key, sizeof ov[1].key, "quarantine:TooManyDeletes");
		ov[1].state = STATE_UNKNOWN;
		str_copy(ov[2].key, sizeof ov[2].key, "execution:Failed");
		ov[2].state = STATE_CRITICAL;
		cfg->overrides = ov;
		cfg->n_overrides = 3;
		break;
	}
}

static void check_output(const char *text, size_t len, enum state st)
{
	char prefix[64];
	FUZZ_ASSERT(memchr(text, '\0', len) == NULL);
	snprintf(prefix, sizeof prefix, "%s %s - ", OUTPUT_PREFIX, state_name(st));
	FUZZ_ASSERT(strncmp(text, prefix, strlen(prefix)) == 0);
	size_t bars = 0;
	for (size_t i = 0; i < len; i++)
		bars += text[i] == '|';
	FUZZ_ASSERT(bars <= 1);
	const char *nl = memchr(text, '\n', len);
	FUZZ_ASSERT(nl != NULL);
	FUZZ_ASSERT(text[len - 1] == '\n');
}

static void evaluate_and_print(const struct sync_job *jobs, size_t n, size_t variant)
{
	struct eval_config cfg;
	struct state_override ov[3];
	config_for(variant, &cfg, ov);

	struct job_result *res = calloc(n ? n : 1, sizeof *res);
	if (res == NULL)
		abort();
	/* a start 5 minutes ago in an episode of 3 that began 17 days ago, its
	 * reason the most common one; or a start a year ahead of the clock */
	struct start_record rec = {.last = NOW - 300,
	                           .last_reason = "EncounteredQuarantineException",
	                           .episode_began = NOW - 17 * 86400.0,
	                           .episode_starts = 3,
	                           .ahead = variant % 4 == 3 ? NOW + 365 * 86400.0 : 0};
	struct job_context ctx = {.now = NOW, .starts = variant % 2 ? &rec : NULL};
	for (size_t i = 0; i < n; i++) {
		evaluate_job(&jobs[i], &cfg, &ctx, &res[i]);
		FUZZ_ASSERT(res[i].state >= STATE_OK && res[i].state <= STATE_UNKNOWN);
	}

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (out == NULL)
		abort();
	struct output_options opt = {.max_bytes = OUTPUT_MAX_DEFAULT, .bare_labels = n == 1};
	struct run_facts facts = {.http_seconds = 0.123};
	struct report rep = {0};
	struct err e;
	FUZZ_ASSERT(output_check(&rep, res, n, &opt, &facts, &e) == 0);
	enum state st = (enum state)format_write(out, &rep, &opt, &e);
	report_free(&rep);
	fclose(out);
	FUZZ_ASSERT(st == results_worst(res, n));
	check_output(text, len, st);
	free(text);
	free(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *root = NULL;
	struct err e;
	if (json_parse_bounded((const char *)data, size, "fuzz input", &root, &e) < 0) {
		FUZZ_ASSERT(e.kind == ERR_PARSE || e.kind == ERR_INTERNAL);
		FUZZ_ASSERT(fuzz_one_line(e.msg));
		return 0;
	}

	struct sync_job *jobs = NULL;
	size_t n = 0;
	struct json_object *value = NULL;
	if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "value", &value)) {
		char *next = NULL;
		if (jobs_from_page(root, 1000, &jobs, &n, &next, &e) < 0) {
			FUZZ_ASSERT(e.kind == ERR_PARSE || e.kind == ERR_INTERNAL);
			n = 0;
		}
		free(next);
	} else {
		jobs = calloc(1, sizeof *jobs);
		if (jobs == NULL)
			abort();
		if (job_from_json(root, jobs, &e) == 0)
			n = 1;
		else
			FUZZ_ASSERT(e.kind == ERR_PARSE);
	}
	if (n > 0)
		evaluate_and_print(jobs, n, size);
	free(jobs);
	json_object_put(root);
	return 0;
}
