/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The output budget (page.c) on pages no job list would make: random sizes
 * of everything, from a fixed seed, so every run checks the same 5,000
 * pages. Whatever the page holds, what page_write prints keeps the
 * promises of --max-output: at most the budget, the first line whole, the
 * metrics note counting exactly the metrics left out, and a "not shown"
 * line exactly when lines were hidden. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"
#include "page.h"

static unsigned long long seed = 88172645463325252ULL;

static size_t rnd(size_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return n ? (size_t)(seed % n) : 0;
}

/* pre, then 'x' and two-byte 'é' up to about len bytes */
static void fill(struct buf *b, const char *pre, size_t len)
{
	buf_puts(b, pre);
	while (b->len < len)
		buf_puts(b, rnd(10) == 0 ? "\xc3\xa9" : "x");
}

struct shape {
	size_t budget, bad, ok, errs, metrics, line_len, err_len, extra_len, metric_len;
};

static void make_page(const struct shape *s, struct page *p)
{
	static const char *const names[] = {"scim", "slack", "AD2AADProvisioning", "box"};
	memset(p, 0, sizeof(*p));
	fill(&p->head, "ENTRA SYNC CRITICAL - ", 22 + rnd(HEAD_MAX - 21));
	p->n = s->bad + s->ok;
	p->ok_from = s->bad;
	p->line = calloc(p->n + 1, sizeof(*p->line));
	assert_non_null(p->line);
	for (size_t k = 0; k < p->n; k++) {
		bool bad = k < s->bad;
		p->line[k].state =
		    bad ? (k < s->bad / 2 ? STATE_CRITICAL : STATE_WARNING) : STATE_OK;
		fill(&p->line[k].text, bad ? "[CRITICAL] job " : "[OK] job ",
		     12 + rnd(s->line_len));
		p->line[k].name = names[rnd(4)];
	}
	p->err = calloc(s->errs + 1, sizeof(*p->err));
	assert_non_null(p->err);
	p->n_errs = s->errs;
	for (size_t k = 0; k < s->errs; k++)
		fill(&p->err[k], "[UNKNOWN] service principal ", 30 + s->err_len);
	p->perf.m = calloc(s->metrics + 1, sizeof(*p->perf.m));
	assert_non_null(p->perf.m);
	p->perf.n = p->perf.cap = s->metrics;
	for (size_t i = 0; i < s->metrics; i++) {
		struct metric *m = &p->perf.m[i];
		size_t len = 5 + rnd(s->metric_len);
		memset(m->text, 'm', len);
		m->text[len] = '\0';
		m->tier = 1 + (int)rnd(2);
		m->ok_job = rnd(2) != 0;
		m->keep = true;
	}
	if (s->extra_len) {
		fill(&p->extra, "note ", s->extra_len);
		buf_puts(&p->extra, "\n");
	}
}

static void check_page(const struct shape *s)
{
	struct page p;
	make_page(s, &p);
	char *head = strdup(p.head.data);
	assert_non_null(head);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	page_write(f, &p, s->budget);
	fclose(f);

	if (len > s->budget)
		fail_msg("%zu bytes printed for a budget of %zu", len, s->budget);
	assert_true(strncmp(out, head, strlen(head)) == 0); /* the first line whole */
	assert_true(strncmp(out + strlen(head), " |", 2) == 0);
	const char *eol = strchr(out, '\n');
	assert_non_null(eol);
	size_t kept = 0;
	for (const char *c = out + strlen(head) + 2; c < eol; c++)
		kept += *c == ' ';
	size_t left_out = s->metrics - kept;
	const char *note = strstr(out, " metrics left out to fit --max-output ");
	if (note != NULL) {
		const char *start = note;
		while (start > out && start[-1] != '\n')
			start--;
		size_t said = 0, of = 0;
		assert_int_equal(sscanf(start, "(%zu of %zu", &said, &of), 2);
		assert_int_equal(said, left_out);
		assert_int_equal(of, s->metrics);
	}
	/* hidden lines are said: a count line, or (the last resort) no line
	 * at all but then nothing after the not-OK lines either */
	size_t shown_bad = 0, shown_err = 0;
	for (const char *l = eol + 1; *l; l = strchr(l, '\n') + 1) {
		shown_bad += strncmp(l, "[CRITICAL] job ", 15) == 0;
		shown_err += strncmp(l, "[UNKNOWN] service principal ", 28) == 0;
	}
	bool said_bad = strstr(out, "jobs not OK, not shown to fit") != NULL;
	bool said_err = strstr(out, "service principals not read, not shown to fit") != NULL;
	if (said_bad)
		assert_true(shown_bad < s->bad);
	if (said_err)
		assert_true(shown_err < s->errs);
	if (shown_err < s->errs && !said_err)
		assert_null(strstr(out, "not shown to fit")); /* no_more: neither is said */
	page_free(&p);
	free(head);
	free(out);
}

static void random_pages_keep_the_budget_promises(void **state)
{
	(void)state;
	for (int i = 0; i < 5000; i++) {
		struct shape s = {
		    .budget = OUTPUT_MAX_MIN + rnd(3) * rnd(3000) + rnd(100),
		    .bad = rnd(3) ? rnd(12) : 0,
		    .ok = rnd(3) ? rnd(40) : 0,
		    .errs = rnd(2) ? rnd(30) : 0,
		    .metrics = rnd(60),
		    .line_len = rnd(3) ? 300 : 40,
		    .err_len = rnd(2) ? 60 : 200,
		    .extra_len = rnd(3) ? 0 : rnd(300),
		    .metric_len = rnd(2) ? 40 : 150,
		};
		check_page(&s);
	}
}

/* A short line is not hidden behind a longer "N more" line: two not-OK
 * lines of 36 bytes and what is left over go to the metrics instead. */
static void a_short_line_is_not_traded_for_a_longer_count(void **state)
{
	(void)state;
	struct page p = {0};
	buf_puts(&p.head, "ENTRA SYNC WARNING - 2 of 2 jobs not OK");
	p.n = p.ok_from = 2;
	p.line = calloc(2, sizeof(*p.line));
	p.err = calloc(1, sizeof(*p.err));
	p.perf.m = calloc(40, sizeof(*p.perf.m));
	assert_true(p.line && p.err && p.perf.m);
	for (size_t k = 0; k < 2; k++) {
		p.line[k].state = STATE_WARNING;
		buf_printf(&p.line[k].text, "[WARNING] job%zu: last success 3h ago", k);
	}
	p.perf.n = p.perf.cap = 40;
	for (size_t i = 0; i < 40; i++) {
		snprintf(p.perf.m[i].text, sizeof(p.perf.m[i].text), "metric_%02zu=1", i);
		p.perf.m[i].tier = 1;
		p.perf.m[i].keep = true;
	}
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	page_write(f, &p, OUTPUT_MAX_MIN);
	fclose(f);
	assert_true(len <= OUTPUT_MAX_MIN);
	assert_non_null(strstr(out, "\n[WARNING] job0: last success 3h ago\n"));
	assert_non_null(strstr(out, "\n[WARNING] job1: last success 3h ago\n"));
	assert_null(strstr(out, "not shown"));
	assert_non_null(strstr(out, "metrics left out to fit --max-output 512)\n"));
	page_free(&p);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(random_pages_keep_the_budget_promises),
	    cmocka_unit_test(a_short_line_is_not_traded_for_a_longer_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
