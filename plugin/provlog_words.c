/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "provlog_words.h"

#include <stdio.h>
#include <string.h>

#include "text.h"
#include "timeparse.h"

#define JOB_SHOWN 160 /* of a job id in a note: real ones are far shorter */

/* A code as shown: Microsoft leaves some failures without one. */
static const char *code_shown(const struct provlog_code *c)
{
	return c->code[0] ? c->code : "(no error code)";
}

static void count_words(const struct provlog_summary *s, struct buf *b)
{
	buf_printf(b, "%s%u failed object%s", s->capped ? "at least " : "", s->objects,
	           s->objects == 1 ? "" : "s");
}

void provlog_words_count(const struct provlog_result *o, struct buf *b)
{
	if (o == NULL || o->status != PROVLOG_KNOWN)
		return;
	count_words(&o->summary, b);
	buf_puts(b, " in the last cycle");
}

void provlog_words_mostly(const struct provlog_result *o, struct buf *b)
{
	if (o != NULL && o->status == PROVLOG_KNOWN && o->summary.n_top > 0)
		buf_printf(b, ", mostly %s", code_shown(&o->summary.top[0]));
}

static void example_words(const struct provlog_example *x, struct buf *b)
{
	buf_printf(b, ", e.g. %s", x->type[0] ? x->type : "object");
	if (x->name[0])
		buf_printf(b, " '%s'", x->name);
	if (x->id[0])
		buf_printf(b, " (%s)", x->id);
}

static void code_words(const struct provlog_code *c, struct buf *b)
{
	buf_printf(b, "; %s", code_shown(c));
	if (c->category[0])
		buf_printf(b, " (%s)", c->category);
	buf_printf(b, " %u object%s", c->objects, c->objects == 1 ? "" : "s");
	example_words(&c->example, b);
	if (c->reason[0])
		buf_printf(b, ": %s", c->reason);
}

void provlog_words_detail(const struct provlog_result *o, struct buf *b)
{
	if (o == NULL || o->status != PROVLOG_KNOWN)
		return;
	const struct provlog_summary *s = &o->summary;
	char began[48];
	time_format(s->cycle_began, began, sizeof(began));
	size_t start = b->len;
	buf_printf(b, ", object errors of the last cycle (%s %s",
	           s->cycle_ended > 0 ? "began" : "running since", began);
	buf_puts(b, "): ");
	if (s->objects == 0) {
		buf_puts(b, "no failed objects logged");
	} else {
		count_words(s, b);
		buf_printf(b, " in %u event%s, %u error code%s", s->events,
		           s->events == 1 ? "" : "s", s->codes, s->codes == 1 ? "" : "s");
		for (size_t i = 0; i < s->n_top; i++)
			code_words(&s->top[i], b);
	}
	if (s->staged_read)
		buf_printf(
		    b,
		    "; %s%u delete%s waiting for approval (provisioning logs, action StagedDelete)",
		    s->staged_capped ? "at least " : "", s->staged, s->staged == 1 ? "" : "s");
	text_clean_buf(b, start);
}

void provlog_words_clause(const struct provlog_result *o, char *out, size_t n)
{
	struct buf b = {0};
	if (o == NULL || o->status == PROVLOG_NOT_ASKED || o->status == PROVLOG_NO_CYCLE) {
		str_copy(out, n, "");
		return;
	}
	if (o->status == PROVLOG_KNOWN && o->summary.objects == 0) {
		buf_puts(&b, "no failed objects logged in the last cycle");
	} else if (o->status == PROVLOG_KNOWN) {
		const struct provlog_summary *s = &o->summary;
		buf_printf(&b, "top object error %s (%u of ", code_shown(&s->top[0]),
		           s->top[0].objects);
		count_words(s, &b);
		buf_puts(&b, " in the last cycle)");
	} else if (o->status == PROVLOG_NO_PERMISSION || o->status == PROVLOG_NO_LICENCE) {
		buf_printf(&b, "object errors not read: %s",
		           o->status == PROVLOG_NO_LICENCE
		               ? "the tenant has no Microsoft Entra ID P1 or P2"
		               : "no permission AuditLog.Read.All and Directory.Read.All");
	} else {
		buf_printf(&b, "object errors not read: %s", o->why);
	}
	if (o->status == PROVLOG_KNOWN && o->summary.staged_read)
		buf_printf(&b, ", %s%u deletes waiting for approval",
		           o->summary.staged_capped ? "at least " : "", o->summary.staged);
	text_copy(out, n, b.data != NULL ? b.data : "");
	buf_free(&b);
}

/* The refusal of the logs, in words, until when it is remembered. */
static void refusal_words(const struct provlog_result *o, struct buf *b)
{
	char until[48];
	time_format(o->checked_at + PROVLOG_DENIED_FOR, until, sizeof(until));
	if (o->status == PROVLOG_NO_LICENCE)
		buf_printf(
		    b,
		    "object errors not read: the tenant has no Microsoft Entra ID P1 or P2 "
		    "licence, which the provisioning logs need besides AuditLog.Read.All and "
		    "Directory.Read.All (asked again after %s)",
		    until);
	else
		buf_printf(
		    b,
		    "object errors not read: Graph refused the provisioning logs; they need %s "
		    "(asked again after %s)",
		    PROVLOG_NEEDS, until);
}

void provlog_words_notes(const struct job_result *r, size_t n, struct buf *refusal,
                         struct buf *skipped)
{
	size_t missed = 0;
	const struct job_result *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct provlog_result *o = r[i].objects;
		if (o == NULL)
			continue;
		if ((o->status == PROVLOG_NO_PERMISSION || o->status == PROVLOG_NO_LICENCE) &&
		    refusal->len == 0)
			refusal_words(o, refusal);
		if (o->status == PROVLOG_SKIPPED || o->status == PROVLOG_FAILED) {
			/* the worst job's reason: the reads went worst first */
			if (first == NULL || state_rank(r[i].state) > state_rank(first->state))
				first = &r[i];
			missed++;
		}
	}
	if (first != NULL) {
		char shown[JOB_SHOWN];
		text_copy(shown, sizeof(shown), first->job->id);
		if (missed == 1)
			buf_printf(skipped, "object errors of job %s not read: %s", shown,
			           first->objects->why);
		else
			buf_printf(skipped, "object errors of %zu jobs not read (job %s: %s)",
			           missed, shown, first->objects->why);
	}
	text_clean_buf(refusal, 0);
	text_clean_buf(skipped, 0);
}

bool provlog_words_failed_objects(const struct job_result *r, double *value)
{
	const struct provlog_result *o = r->objects;
	if (o == NULL)
		return false;
	if (o->status == PROVLOG_KNOWN) {
		*value = o->summary.objects;
		return true;
	}
	const struct task_execution *le = &r->job->last_execution;
	if (o->status == PROVLOG_NOT_ASKED && le->result == RUN_SUCCEEDED) {
		*value = 0;
		return true;
	}
	return false;
}
