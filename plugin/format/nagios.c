/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Nagios format (Monitoring Plugins guidelines): "ENTRA SYNC <STATE> -
 * <summary> | <perfdata>", then the long output, all of it within
 * --max-output bytes. When the report does not fit, the page gives up
 * parts in a fixed order, least useful first, and says what it left out;
 * whatever the report holds, the output is at most the budget. It knows
 * lines, tiers and bytes; the report's words name what it hides. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "report.h"
#include "text.h"
#include "writer.h"

/* Over budget, a line that does not fold (a not-OK job's) is cut to
 * DETAIL_SHORT bytes, then to DETAIL_SHORTEST, before any is dropped; the
 * folded line of OK jobs holds at most FOLD_MAX bytes; NOTE_ROOM is kept
 * for the line saying how many metrics were left out. */
#define DETAIL_SHORT    160
#define DETAIL_SHORTEST 100
#define FOLD_MAX        200
#define NOTE_ROOM       80
#define MORE_MAX        160 /* a "more" line, with a 20-digit count and budget */

/* A metric as perfdata text, and whether the page keeps it. */
struct metric {
	char text[160]; /* 'label=value[uom];warn;crit;min' */
	int tier;       /* 1: kept longest; 2: dropped first */
	bool ok_job;    /* of a job that is OK (dropped before a troubled job's) */
	bool keep;
};

/* The report as the page prints it: the first line, and the metrics. */
struct page {
	const struct report *r;
	struct buf head;     /* "ENTRA SYNC X - summary", at most HEAD_MAX bytes */
	struct metric *perf; /* in print order */
	size_t n_perf;
};

/* What the page gives up, as it stands. */
struct fit {
	bool fold;         /* lines [fold_from, n_lines) (OK jobs) folded into one */
	struct buf folded; /* that line */
	size_t cut;        /* lines [0, fold_from) and error lines cut to this (0: whole) */
	size_t shown;      /* lines [0, fold_from) shown */
	size_t errs_shown; /* error lines shown */
	size_t dropped;    /* metrics left out */
	/* the last resorts, for a budget a few hundred bytes long */
	bool no_extra, no_fold_line, no_more, no_note;
};

static const char note_fmt[] = "(%zu of %zu metrics left out to fit --max-output %zu)\n";

static size_t cut_len(size_t len, size_t cut)
{
	return cut && len > cut ? cut : len;
}

/* The worst state of lines [from, fold_from), which a "more" line names:
 * for jobs, worst first, that of the first hidden. */
static enum state worst_hidden(const struct report *r, size_t from)
{
	enum state st = r->line[from].state;
	for (size_t k = from + 1; k < r->fold_from; k++)
		st = state_worst(st, r->line[k].state);
	return st;
}

/* The line saying how many lines [0, fold_from) (lines true) or error lines
 * are not shown, into out (at least 160 bytes), newline included; "" when
 * all are. Measured and printed alike. "... N more" below those shown, "N"
 * alone when none is. */
static void more_line(const struct page *p, const struct fit *f, size_t budget, bool lines,
                      char *out, size_t n)
{
	const struct report *r = p->r;
	size_t total = lines ? r->fold_from : r->n_errors, shown = lines ? f->shown : f->errs_shown;
	out[0] = '\0';
	if (shown >= total || f->no_more)
		return;
	snprintf(out, n, "[%s] %s%zu %s%s, not shown to fit --max-output %zu\n",
	         state_name(lines ? worst_hidden(r, shown) : STATE_UNKNOWN),
	         shown > 0 ? "... " : "", total - shown, shown ? "more " : "",
	         lines ? r->words.hidden : r->words.errors, budget);
}

static size_t more_len(const struct page *p, const struct fit *f, size_t budget, bool lines)
{
	char line[MORE_MAX];
	more_line(p, f, budget, lines, line, sizeof(line));
	return strlen(line);
}

static size_t perf_bytes(const struct page *p)
{
	size_t total = 0;
	for (size_t i = 0; i < p->n_perf; i++)
		if (p->perf[i].keep)
			total += 1 + strlen(p->perf[i].text);
	return total;
}

/* The bytes page_write would print with these choices. */
static size_t fit_bytes(const struct page *p, const struct fit *f, size_t budget)
{
	const struct report *r = p->r;
	size_t total = p->head.len + 2 + perf_bytes(p) + 1;
	for (size_t k = 0; k < r->fold_from && k < f->shown; k++)
		total += cut_len(r->line[k].text.len, f->cut) + 1;
	total += more_len(p, f, budget, true);
	for (size_t k = 0; k < f->errs_shown; k++)
		total += cut_len(r->error[k].len, f->cut) + 1;
	total += more_len(p, f, budget, false);
	if (!f->fold)
		for (size_t k = r->fold_from; k < r->n_lines; k++)
			total += r->line[k].text.len + 1;
	else if (!f->no_fold_line)
		total += f->folded.len + 1;
	if (!f->no_extra)
		total += r->notes.len;
	if (f->dropped && !f->no_note)
		total += NOTE_ROOM;
	return total;
}

static bool over(const struct page *p, const struct fit *f, size_t budget)
{
	return fit_bytes(p, f, budget) > budget;
}

/* Drops metrics of a tier (of OK jobs only, or any), the last first, while
 * the page does not fit. Linear: the size is measured once and then follows
 * each metric dropped (1,000 jobs have 6,000 metrics). */
static void drop_metrics(struct page *p, struct fit *f, size_t budget, int tier, bool ok_only)
{
	size_t bytes = fit_bytes(p, f, budget);
	for (size_t i = p->n_perf; i-- > 0 && bytes > budget;) {
		struct metric *m = &p->perf[i];
		if (m->keep && m->tier == tier && (!ok_only || m->ok_job)) {
			m->keep = false;
			bytes -= 1 + strlen(m->text);
			if (f->dropped++ == 0)
				bytes += NOTE_ROOM;
		}
	}
}

/* "[OK] N more jobs OK: a b c ..." in at most about room bytes. */
static void fold_lines(const struct report *r, size_t room, struct buf *b)
{
	size_t count = r->n_lines - r->fold_from;
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
	buf_printf(b, "[OK] %zu more %s:", count,
	           count == 1 ? r->words.folded_one : r->words.folded_many);
	for (size_t k = r->fold_from; k < r->n_lines; k++) {
		const char *name = r->line[k].name != NULL ? r->line[k].name : "";
		if (b->len + strlen(name) + 6 > room) {
			buf_puts(b, " ...");
			break;
		}
		buf_printf(b, " %s", name);
	}
	text_clean_buf(b, 0); /* names come from Graph */
}

/* Sets *count (lines shown) to the most in [floor, top] that fit, or floor.
 * The bytes grow with the lines shown below top: each line outweighs the
 * digit the count in the "more" line may lose. At top that line is gone,
 * so top is tried first; below it a binary search (one step of a linear
 * one costs a measure of the whole page, and 10,000 service principals may
 * be unreadable). */
static void settle(struct page *p, struct fit *f, size_t budget, size_t *count, size_t floor,
                   size_t top)
{
	*count = top;
	if (top <= floor || !over(p, f, budget))
		return;
	size_t lo = floor, hi = top - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		*count = mid;
		if (over(p, f, budget))
			hi = mid - 1;
		else
			lo = mid;
	}
	*count = lo;
}

/* Shows fewer lines, down to floor, while the page does not fit; but not
 * when that prints more: a short line gives way to a longer "more" line. */
static void shrink(struct page *p, struct fit *f, size_t budget, size_t *count, size_t floor)
{
	size_t top = *count;
	if (top <= floor || !over(p, f, budget))
		return;
	size_t before = fit_bytes(p, f, budget);
	settle(p, f, budget, count, floor, top - 1);
	if (over(p, f, budget) && fit_bytes(p, f, budget) >= before)
		*count = top;
}

/* Takes back metrics of one tier, of jobs not OK or of OK jobs, in print
 * order, while they fit. Linear, like drop_metrics. */
static void restore_metrics(struct page *p, struct fit *f, size_t budget, int tier, bool ok_job)
{
	size_t bytes = fit_bytes(p, f, budget);
	size_t note = f->no_note ? 0 : NOTE_ROOM; /* counted while anything is left out */
	for (size_t i = 0; i < p->n_perf && f->dropped > 0; i++) {
		struct metric *m = &p->perf[i];
		if (m->keep || m->tier != tier || m->ok_job != ok_job)
			continue;
		size_t with = bytes + 1 + strlen(m->text) - (f->dropped == 1 ? note : 0);
		if (with <= budget) {
			m->keep = true;
			f->dropped--;
			bytes = with;
		}
	}
}

/* Fills again what a later step freed (cutting the details often frees
 * more than the counters dropped before it), in the reverse order of
 * giving up: the not-OK jobs' metrics and lines, the OK jobs' metrics, the
 * counters, the error lines. */
static void restore(struct page *p, struct fit *f, size_t budget)
{
	restore_metrics(p, f, budget, 1, false);
	settle(p, f, budget, &f->shown, f->shown, p->r->fold_from);
	restore_metrics(p, f, budget, 1, true);
	restore_metrics(p, f, budget, 2, false);
	restore_metrics(p, f, budget, 2, true);
	settle(p, f, budget, &f->errs_shown, f->errs_shown, p->r->n_errors);
}

/* Gives up parts, least useful first, until the page fits. */
static void fit_page(struct page *p, struct fit *f, size_t budget)
{
	const struct report *r = p->r;
	f->shown = r->fold_from;
	f->errs_shown = r->n_errors;
	if (over(p, f, budget) && r->fold_from < r->n_lines) {
		f->fold = true;
		fold_lines(r, FOLD_MAX, &f->folded);
	}
	/* the summary counts the service principals not read; one line says why */
	shrink(p, f, budget, &f->errs_shown, 1);
	drop_metrics(p, f, budget, 2, true);
	drop_metrics(p, f, budget, 2, false);
	if (over(p, f, budget))
		f->cut = DETAIL_SHORT;
	drop_metrics(p, f, budget, 1, true);
	if (over(p, f, budget))
		f->cut = DETAIL_SHORTEST;
	shrink(p, f, budget, &f->shown, 1);
	drop_metrics(p, f, budget, 1, false);
	shrink(p, f, budget, &f->errs_shown, 0);
	shrink(p, f, budget, &f->shown, 0);
	if (f->fold && !f->no_fold_line && over(p, f, budget)) {
		size_t excess = fit_bytes(p, f, budget) - budget;
		fold_lines(r, f->folded.len > excess ? f->folded.len - excess : 0, &f->folded);
	}
	/* The last resorts; the first line alone (at most HEAD_MAX + 3 bytes)
	 * always fits OUTPUT_MAX_MIN. */
	bool *last[] = {&f->no_extra, &f->no_fold_line, &f->no_more, &f->no_note};
	for (size_t i = 0; i < sizeof(last) / sizeof(last[0]) && over(p, f, budget); i++)
		*last[i] = true;
	/* twice: the last metric taken back also frees the note's room */
	restore(p, f, budget);
	restore(p, f, budget);
}

static void write_line(FILE *out, const struct buf *b, size_t cut)
{
	size_t len = b->len;
	if (cut && len > cut) {
		len = utf8_prefix(b->data, cut - 3);
		fwrite(b->data, 1, len, out);
		fputs("...\n", out);
		return;
	}
	fwrite(b->data, 1, len, out);
	fputc('\n', out);
}

static void page_write(FILE *out, struct page *p, size_t budget)
{
	const struct report *r = p->r;
	struct fit f = {0};
	fit_page(p, &f, budget);

	fwrite(p->head.data, 1, p->head.len, out);
	fputs(" |", out);
	for (size_t i = 0; i < p->n_perf; i++)
		if (p->perf[i].keep)
			fprintf(out, " %s", p->perf[i].text);
	fputc('\n', out);
	for (size_t k = 0; k < r->fold_from && k < f.shown; k++)
		write_line(out, &r->line[k].text, f.cut);
	char more[MORE_MAX];
	more_line(p, &f, budget, true, more, sizeof(more));
	fputs(more, out);
	for (size_t k = 0; k < f.errs_shown; k++)
		write_line(out, &r->error[k], f.cut);
	more_line(p, &f, budget, false, more, sizeof(more));
	fputs(more, out);
	if (!f.fold)
		for (size_t k = r->fold_from; k < r->n_lines; k++)
			write_line(out, &r->line[k].text, 0);
	else if (!f.no_fold_line)
		write_line(out, &f.folded, 0);
	if (!f.no_extra && r->notes.len > 0)
		fwrite(r->notes.data, 1, r->notes.len, out);
	if (f.dropped > 0 && !f.no_note)
		fprintf(out, note_fmt, f.dropped, p->n_perf, budget);
	buf_free(&f.folded);
}

/* ---- perfdata and the first line ---- */

/* The perfdata label of a metric: its subject and name joined by '_' (the
 * name alone for subject ""), only [A-Za-z0-9_], at most LABEL_MAX bytes. */
static void label_of(const char *subject, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s", subject, subject[0] ? "_" : "", name);
	for (char *c = out; *c; c++) {
		unsigned char ch = (unsigned char)*c;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9')))
			*c = '_';
	}
	if (strlen(out) > LABEL_MAX)
		out[LABEL_MAX] = '\0';
}

/* 'label=value[uom];warn;crit;min': numbers in plain decimals, whole
 * unless the metric asks for decimals; the thresholds only when it has
 * any (or a minimum). */
static void metric_text(const struct report *r, const struct report_metric *m, char *out, size_t n)
{
	char label[LABEL_MAX + 8], num[48];
	label_of(m->job == REPORT_RUN ? "" : r->job[m->job].subject, m->name, label, sizeof(label));
	if (m->decimals > 0) {
		snprintf(num, sizeof(num), "%.*f", m->decimals,
		         isfinite(m->value) ? m->value : 0.0);
	} else {
		double whole = round(m->value);
		range_number_format(whole == 0 ? 0.0 : whole, num, sizeof(num)); /* never "-0" */
	}
	int len = snprintf(out, n, "%s=%s%s", label, num, m->unit);
	if (len < 0 || (size_t)len >= n || (m->warn == NULL && m->crit == NULL && !m->has_min))
		return;
	char min[48] = "";
	if (m->has_min)
		range_number_format(m->min, min, sizeof(min));
	snprintf(out + len, n - (size_t)len, ";%s;%s;%s",
	         m->warn && m->warn->set ? m->warn->text : "",
	         m->crit && m->crit->set ? m->crit->text : "", min);
}

static int nagios_write(FILE *out, const struct report *r, const struct output_options *opt)
{
	struct page p = {.r = r};
	buf_printf(&p.head, "%s %s - %s", OUTPUT_PREFIX, state_name(r->state),
	           r->summary.data != NULL ? r->summary.data : "");
	if (r->status_only) {
		fprintf(out, "%s\n", p.head.data != NULL ? p.head.data : "");
		if (r->notes.len > 0)
			fwrite(r->notes.data, 1, r->notes.len, out);
		buf_free(&p.head);
		return 0;
	}
	p.perf = calloc(r->n_metrics ? r->n_metrics : 1, sizeof(*p.perf));
	if (p.perf == NULL) {
		buf_free(&p.head);
		return -1;
	}
	p.n_perf = r->n_metrics;
	for (size_t i = 0; i < r->n_metrics; i++) {
		metric_text(r, &r->metric[i], p.perf[i].text, sizeof(p.perf[i].text));
		p.perf[i].tier = r->metric[i].tier;
		p.perf[i].ok_job = r->metric[i].ok;
		p.perf[i].keep = true;
	}
	page_write(out, &p, opt != NULL && opt->max_bytes ? opt->max_bytes : OUTPUT_MAX_DEFAULT);
	free(p.perf);
	buf_free(&p.head);
	return 0;
}

const struct output_writer nagios_writer = {"nagios", nagios_write};
