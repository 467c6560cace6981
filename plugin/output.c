/* Plugin output per the Monitoring Plugins guidelines: one status line with
 * perfdata, then one long-output line per job, worst first. */
#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The label a job goes by in text and perfdata: its template id, unless
 * another reported job shares it (or it has none); then the full job id. */
static const char *job_name(const struct job_result *r, size_t n, size_t i)
{
	const struct sync_job *job = r[i].job;
	if (job->template_id[0] == '\0')
		return job->id;
	for (size_t j = 0; j < n; j++) {
		if (j != i && strcmp(r[j].job->template_id, job->template_id) == 0)
			return job->id;
	}
	return job->template_id;
}

/* Indices sorted worst first; stable, so equal states keep the Graph order. */
static size_t *order_worst_first(const struct job_result *r, size_t n)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	if (idx == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		for (; j > 0 && state_rank(r[idx[j - 1]].state) < state_rank(r[i].state); j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	return idx;
}

static void summary_text(const struct job_result *r, size_t n, const size_t *idx, struct buf *b)
{
	if (n == 1) {
		buf_printf(b, "%s %s", job_name(r, n, 0), r[0].summary);
		return;
	}
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += r[i].state != STATE_OK;
	if (bad == 0) {
		buf_printf(b, "all %zu jobs OK", n);
		return;
	}
	buf_printf(b, "%zu of %zu jobs not OK: %s %s", bad, n, job_name(r, n, idx[0]),
	           r[idx[0]].summary);
	for (size_t k = 1; k < bad; k++)
		buf_printf(b, "%s%s %s", k == 1 ? "; also " : ", ", job_name(r, n, idx[k]),
		           state_name(r[idx[k]].state));
}

/* Quoted when it holds a space, '=' or a quote (doubled inside), as the
 * guidelines ask; '|' and control characters would end the perfdata, so
 * they become '_'. */
static void perf_label(struct buf *b, const char *prefix, const char *metric)
{
	char label[JOB_ID_MAX + 64];
	snprintf(label, sizeof(label), "%s%s", prefix, metric);
	bool quote = false;
	for (char *p = label; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '|' || c < 0x20 || c == 0x7f)
			*p = '_';
		if (c == ' ' || c == '=' || c == '\'')
			quote = true;
	}
	if (b->len > 0)
		buf_puts(b, " ");
	if (!quote) {
		buf_puts(b, label);
		return;
	}
	buf_puts(b, "'");
	for (const char *p = label; *p; p++) {
		if (*p == '\'')
			buf_puts(b, "''");
		else
			buf_append(b, p, 1);
	}
	buf_puts(b, "'");
}

/* label=value[uom];warn;crit;min with empty fields for unset thresholds. */
static void perf_item(struct buf *b, const char *prefix, const char *metric, bool known, double v,
                      const char *uom, const struct range *warn, const struct range *crit,
                      bool min0)
{
	char num[40];
	perf_label(b, prefix, metric);
	if (known) {
		/* Whole units are precise enough for graphs; %.0f rounds without libm. */
		snprintf(num, sizeof(num), "%.0f", v);
		buf_printf(b, "=%s%s", num, uom);
	} else {
		buf_puts(b, "=U");
	}
	if (warn == NULL && crit == NULL && !min0)
		return;
	buf_printf(b, ";%s;%s;%s", warn && warn->set ? warn->text : "",
	           crit && crit->set ? crit->text : "", min0 ? "0" : "");
}

static void perf_job(struct buf *b, const struct job_result *r, size_t n, size_t i)
{
	const struct job_result *jr = &r[i];
	const struct task_execution *le = &jr->job->last_execution;
	char prefix[JOB_ID_MAX + 2] = "";
	if (n > 1)
		snprintf(prefix, sizeof(prefix), "%s_", job_name(r, n, i));
	perf_item(b, prefix, "last_success_age", jr->age_known, jr->last_success_age, "s",
	          &jr->age_warn, &jr->age_crit, true);
	perf_item(b, prefix, "successive_failures", true, (double)jr->job->successive_failures, "",
	          &jr->fail_warn, &jr->fail_crit, true);
	perf_item(b, prefix, "escrowed", le->present && le->has_count_escrowed,
	          (double)le->count_escrowed, "", &jr->escrow_warn, &jr->escrow_crit, true);
	perf_item(b, prefix, "exported", le->present && le->has_count_exported,
	          (double)le->count_exported, "", NULL, NULL, false);
	perf_item(b, prefix, "imported", le->present && le->has_count_imported,
	          (double)le->count_imported, "", NULL, NULL, false);
	perf_item(b, prefix, "quarantine_age", jr->quarantine_age_known, jr->quarantine_age, "s",
	          NULL, NULL, false);
	perf_item(b, prefix, "quarantine_series", true, (double)jr->quarantine_series, "", NULL,
	          NULL, false);
	if (jr->job->progress_known)
		perf_item(b, prefix, "progress", true, jr->job->progress_percent, "%", NULL, NULL,
		          false);
}

static void write_first_line(FILE *out, enum state st, struct buf *summary, struct buf *perf)
{
	text_clean(summary->data);
	fprintf(out, "%s %s - %s | %s\n", OUTPUT_PREFIX, state_name(st),
	        summary->data ? summary->data : "", perf->data ? perf->data : "");
}

enum state output_check(FILE *out, const struct job_result *results, size_t n, double http_seconds)
{
	struct buf summary = {0}, perf = {0};
	size_t *idx = order_worst_first(results, n);
	if (idx == NULL) {
		output_status_line(out, STATE_UNKNOWN, "out of memory");
		return STATE_UNKNOWN;
	}
	/* A service principal without jobs watches nothing: that is not OK. */
	enum state st = n == 0 ? STATE_UNKNOWN : results_worst(results, n);
	if (n == 0)
		buf_puts(&summary, "no synchronization jobs found");
	else
		summary_text(results, n, idx, &summary);
	for (size_t i = 0; i < n; i++)
		perf_job(&perf, results, n, i);
	perf_label(&perf, "", "time");
	buf_printf(&perf, "=%.3fs",
	           isfinite(http_seconds) && http_seconds > 0 ? http_seconds : 0.0);
	write_first_line(out, st, &summary, &perf);
	for (size_t k = 0; k < n; k++) {
		char line[sizeof(results[0].detail)];
		str_copy(line, sizeof(line), results[idx[k]].detail);
		text_clean(line);
		fprintf(out, "[%s] %s\n", state_name(results[idx[k]].state), line);
	}
	free(idx);
	buf_free(&summary);
	buf_free(&perf);
	return st;
}

void output_status_line(FILE *out, enum state st, const char *msg)
{
	struct buf b = {0};
	buf_puts(&b, msg != NULL ? msg : "");
	text_clean(b.data);
	fprintf(out, "%s %s - %s\n", OUTPUT_PREFIX, state_name(st), b.data ? b.data : "");
	buf_free(&b);
}
