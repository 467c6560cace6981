/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's builders: lines, errors, notes and metrics appended. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* v (holding n of *cap elements of size bytes) with room for one more:
 * v itself, a bigger copy, or NULL (v untouched). */
static void *room(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	size_t more = *cap ? *cap * 2 : 16;
	void *bigger = realloc(v, more * size);
	if (bigger != NULL)
		*cap = more;
	return bigger;
}

struct report_line *report_line(struct report *r, enum state st, const char *name)
{
	struct report_line *lines = room(r->line, &r->cap_lines, r->n_lines, sizeof(*lines));
	if (lines == NULL)
		return NULL;
	r->line = lines;
	struct report_line *l = &lines[r->n_lines++];
	memset(l, 0, sizeof(*l));
	l->state = st;
	l->name = name;
	return l;
}

struct buf *report_error(struct report *r)
{
	struct buf *errors = room(r->error, &r->cap_errors, r->n_errors, sizeof(*errors));
	if (errors == NULL)
		return NULL;
	r->error = errors;
	struct buf *b = &errors[r->n_errors++];
	memset(b, 0, sizeof(*b));
	return b;
}

int report_metric(struct report *r, const struct report_metric *m)
{
	struct report_metric *metrics =
	    room(r->metric, &r->cap_metrics, r->n_metrics, sizeof(*metrics));
	if (metrics == NULL)
		return -1;
	r->metric = metrics;
	metrics[r->n_metrics++] = *m;
	return 0;
}

void report_note(struct report *r, const char *text)
{
	size_t start = r->notes.len;
	buf_puts(&r->notes, text);
	text_clean_buf(&r->notes, start);
	buf_puts(&r->notes, "\n");
}

const char *metric_name(enum metric_id id)
{
	/* A switch without default: a new metric without a name is a warning. */
	switch (id) {
	case METRIC_LAST_SUCCESS_AGE:
		return "last_success_age";
	case METRIC_SUCCESSIVE_FAILURES:
		return "successive_failures";
	case METRIC_ESCROWED:
		return "escrowed";
	case METRIC_EXPORTED:
		return "exported";
	case METRIC_IMPORTED:
		return "imported";
	case METRIC_QUARANTINE_AGE:
		return "quarantine_age";
	case METRIC_QUARANTINE_SERIES:
		return "quarantine_series";
	case METRIC_EPISODE_AGE:
		return "episode_age";
	case METRIC_LAST_EXPORT_AGE:
		return "last_export_age";
	case METRIC_PROGRESS:
		return "progress";
	case METRIC_FAILED_OBJECTS:
		return "failed_objects";
	case METRIC_LAST_SYNC_AGE:
		return "last_sync_age";
	case METRIC_LAST_PASSWORD_SYNC_AGE:
		return "last_password_sync_age";
	case METRIC_SYNC_INTERVAL:
		return "sync_interval";
	case METRIC_CREDENTIAL_EXPIRES_IN:
		return "credential_expires_in";
	case METRIC_TIME:
		return "time";
	case METRIC_COUNT:
		break;
	}
	return "unknown";
}

void report_free(struct report *r)
{
	for (size_t k = 0; k < r->n_lines; k++)
		buf_free(&r->line[k].text);
	free(r->line);
	for (size_t k = 0; k < r->n_errors; k++)
		buf_free(&r->error[k]);
	free(r->error);
	free(r->metric);
	free(r->job);
	buf_free(&r->summary);
	buf_free(&r->notes);
	memset(r, 0, sizeof(*r));
}
