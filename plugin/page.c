/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "page.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Over budget, a not-OK line is cut to DETAIL_SHORT bytes, then to
 * DETAIL_SHORTEST, before any is dropped; the folded line of OK jobs holds
 * at most FOLD_MAX bytes; NOTE_ROOM is kept for the line saying how many
 * metrics were left out. */
#define DETAIL_SHORT    160
#define DETAIL_SHORTEST 100
#define FOLD_MAX        200
#define NOTE_ROOM       80
#define MORE_MAX        160 /* a "more" line, with a 20-digit count and budget */

/* What the page gives up, as it stands. */
struct fit {
	bool fold;         /* OK jobs folded into one line */
	struct buf folded; /* that line */
	size_t cut;        /* not-OK and error lines cut to this many bytes (0: whole) */
	size_t shown;      /* not-OK lines shown */
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

/* The line saying how many jobs not OK (jobs true) or service principals
 * not read are not shown, into out (at least 160 bytes), newline included;
 * "" when all are. Measured and printed alike. "... N more" below those
 * shown, "N" alone when none is. */
static void more_line(const struct page *p, const struct fit *f, size_t budget, bool jobs,
                      char *out, size_t n)
{
	size_t total = jobs ? p->ok_from : p->n_errs, shown = jobs ? f->shown : f->errs_shown;
	out[0] = '\0';
	if (shown >= total || f->no_more)
		return;
	const char *more = shown > 0 ? "... " : "";
	if (jobs)
		snprintf(out, n, "[%s] %s%zu %sjobs not OK, not shown to fit --max-output %zu\n",
		         state_name(p->line[shown].state), more, total - shown,
		         shown ? "more " : "", budget);
	else
		snprintf(out, n,
		         "[UNKNOWN] %s%zu %sservice principals not read, not shown to fit "
		         "--max-output %zu\n",
		         more, total - shown, shown ? "more " : "", budget);
}

static size_t more_len(const struct page *p, const struct fit *f, size_t budget, bool jobs)
{
	char line[MORE_MAX];
	more_line(p, f, budget, jobs, line, sizeof(line));
	return strlen(line);
}

static size_t perf_bytes(const struct metrics *ms)
{
	size_t total = 0;
	for (size_t i = 0; i < ms->n; i++)
		if (ms->m[i].keep)
			total += 1 + strlen(ms->m[i].text);
	return total;
}

/* The bytes page_write would print with these choices. */
static size_t fit_bytes(const struct page *p, const struct fit *f, size_t budget)
{
	size_t total = p->head.len + 2 + perf_bytes(&p->perf) + 1;
	for (size_t k = 0; k < p->ok_from && k < f->shown; k++)
		total += cut_len(p->line[k].text.len, f->cut) + 1;
	total += more_len(p, f, budget, true);
	for (size_t k = 0; k < f->errs_shown; k++)
		total += cut_len(p->err[k].len, f->cut) + 1;
	total += more_len(p, f, budget, false);
	if (!f->fold)
		for (size_t k = p->ok_from; k < p->n; k++)
			total += p->line[k].text.len + 1;
	else if (!f->no_fold_line)
		total += f->folded.len + 1;
	if (!f->no_extra)
		total += p->extra.len;
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
	for (size_t i = p->perf.n; i-- > 0 && bytes > budget;) {
		struct metric *m = &p->perf.m[i];
		if (m->keep && m->tier == tier && (!ok_only || m->ok_job)) {
			m->keep = false;
			bytes -= 1 + strlen(m->text);
			if (f->dropped++ == 0)
				bytes += NOTE_ROOM;
		}
	}
}

/* "[OK] N more jobs OK: a b c ..." in at most about room bytes. */
static void fold_ok_jobs(const struct page *p, size_t room, struct buf *b)
{
	size_t count = p->n - p->ok_from;
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
	buf_printf(b, "[OK] %zu more job%s OK:", count, count == 1 ? "" : "s");
	for (size_t k = p->ok_from; k < p->n; k++) {
		const char *name = p->line[k].name != NULL ? p->line[k].name : "";
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
	for (size_t i = 0; i < p->perf.n && f->dropped > 0; i++) {
		struct metric *m = &p->perf.m[i];
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
	settle(p, f, budget, &f->shown, f->shown, p->ok_from);
	restore_metrics(p, f, budget, 1, true);
	restore_metrics(p, f, budget, 2, false);
	restore_metrics(p, f, budget, 2, true);
	settle(p, f, budget, &f->errs_shown, f->errs_shown, p->n_errs);
}

/* Gives up parts, least useful first, until the page fits. */
static void fit_page(struct page *p, struct fit *f, size_t budget)
{
	f->shown = p->ok_from;
	f->errs_shown = p->n_errs;
	if (over(p, f, budget) && p->ok_from < p->n) {
		f->fold = true;
		fold_ok_jobs(p, FOLD_MAX, &f->folded);
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
		fold_ok_jobs(p, f->folded.len > excess ? f->folded.len - excess : 0, &f->folded);
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

void page_write(FILE *out, struct page *p, size_t budget)
{
	struct fit f = {0};
	fit_page(p, &f, budget);

	fwrite(p->head.data, 1, p->head.len, out);
	fputs(" |", out);
	for (size_t i = 0; i < p->perf.n; i++)
		if (p->perf.m[i].keep)
			fprintf(out, " %s", p->perf.m[i].text);
	fputc('\n', out);
	for (size_t k = 0; k < p->ok_from && k < f.shown; k++)
		write_line(out, &p->line[k].text, f.cut);
	char more[MORE_MAX];
	more_line(p, &f, budget, true, more, sizeof(more));
	fputs(more, out);
	for (size_t k = 0; k < f.errs_shown; k++)
		write_line(out, &p->err[k], f.cut);
	more_line(p, &f, budget, false, more, sizeof(more));
	fputs(more, out);
	if (!f.fold)
		for (size_t k = p->ok_from; k < p->n; k++)
			write_line(out, &p->line[k].text, 0);
	else if (!f.no_fold_line)
		write_line(out, &f.folded, 0);
	if (!f.no_extra && p->extra.len > 0)
		fwrite(p->extra.data, 1, p->extra.len, out);
	if (f.dropped > 0 && !f.no_note)
		fprintf(out, note_fmt, f.dropped, p->perf.n, budget);
	buf_free(&f.folded);
}

void page_free(struct page *p)
{
	for (size_t k = 0; k < p->n; k++)
		buf_free(&p->line[k].text);
	free(p->line);
	for (size_t k = 0; k < p->n_errs; k++)
		buf_free(&p->err[k]);
	free(p->err);
	free(p->perf.m);
	buf_free(&p->head);
	buf_free(&p->extra);
	memset(p, 0, sizeof(*p));
}
