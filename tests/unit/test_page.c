/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The output budget (format/nagios.c) on reports no job list would make:
 * random sizes of everything, from a fixed seed, so every run checks the
 * same 5,000 pages. Whatever the report holds, what the Nagios writer
 * prints keeps the promises of --max-output: at most the budget, the first
 * line whole, the metrics note counting exactly the metrics left out, and a
 * "not shown" line exactly when lines were hidden. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format/format.h"

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

static const struct report_words words = {.hidden = "jobs not OK",
                                          .folded_one = "job OK",
                                          .folded_many = "jobs OK",
                                          .errors = "service principals not read"};

/* A metric whose perfdata text is len (at least 5) bytes long: "m...m=0",
 * and ";1...1;2...2;" when the name alone cannot make it that long. */
static void metric_of_len(size_t len, struct report_metric *m, struct range *warn,
                          struct range *crit)
{
	static char names[LABEL_MAX + 1];
	memset(names, 'm', LABEL_MAX);
	size_t rest = len - 2 <= LABEL_MAX - 2 ? 0 : len - 2 - (LABEL_MAX - 2);
	if (rest > 0 && rest < 3)
		rest = 3; /* ";;;" is the shortest */
	size_t name = len - 2 - rest;
	*m =
	    (struct report_metric){.job = REPORT_RUN, .name = names + LABEL_MAX - name, .unit = ""};
	if (rest == 0)
		return;
	size_t w = rest - 3 < sizeof(warn->text) - 1 ? rest - 3 : sizeof(warn->text) - 1;
	memset(warn, 0, sizeof(*warn));
	memset(crit, 0, sizeof(*crit));
	warn->set = crit->set = true;
	memset(warn->text, '1', w);
	memset(crit->text, '2', rest - 3 - w);
	m->warn = warn;
	m->crit = crit;
}

static void make_report(const struct shape *s, struct report *r, struct range (*ranges)[2])
{
	static const char *const names[] = {"scim", "slack", "AD2AADProvisioning", "box"};
	memset(r, 0, sizeof(*r));
	r->state = STATE_CRITICAL;
	r->words = words;
	fill(&r->summary, "", rnd(HEAD_MAX - 21));
	for (size_t k = 0; k < s->bad + s->ok; k++) {
		bool bad = k < s->bad;
		struct report_line *l = report_line(
		    r, bad ? (k < s->bad / 2 ? STATE_CRITICAL : STATE_WARNING) : STATE_OK, NULL);
		assert_non_null(l);
		fill(&l->text, bad ? "[CRITICAL] job " : "[OK] job ", 12 + rnd(s->line_len));
		l->name = names[rnd(4)];
	}
	r->fold_from = s->bad;
	for (size_t k = 0; k < s->errs; k++) {
		struct buf *b = report_error(r);
		assert_non_null(b);
		fill(b, "[UNKNOWN] service principal ", 30 + s->err_len);
	}
	for (size_t i = 0; i < s->metrics; i++) {
		struct report_metric m;
		metric_of_len(5 + rnd(s->metric_len), &m, &ranges[i][0], &ranges[i][1]);
		m.tier = 1 + (int)rnd(2);
		m.ok = rnd(2) != 0;
		assert_int_equal(report_metric(r, &m), 0);
	}
	if (s->extra_len) {
		fill(&r->notes, "note ", s->extra_len);
		buf_puts(&r->notes, "\n");
	}
}

static void check_page(const struct shape *s)
{
	static struct range ranges[64][2];
	struct report r;
	assert_true(s->metrics <= 64);
	make_report(s, &r, ranges);
	struct buf head = {0};
	buf_printf(&head, "ENTRA SYNC CRITICAL - %s", r.summary.data ? r.summary.data : "");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	struct output_options opt = {.max_bytes = s->budget};
	assert_int_equal(format_write(f, &r, &opt, NULL), STATE_CRITICAL);
	fclose(f);

	if (len > s->budget)
		fail_msg("%zu bytes printed for a budget of %zu", len, s->budget);
	assert_true(strncmp(out, head.data, head.len) == 0); /* the first line whole */
	assert_true(strncmp(out + head.len, " |", 2) == 0);
	const char *eol = strchr(out, '\n');
	assert_non_null(eol);
	size_t kept = 0;
	for (const char *c = out + head.len + 2; c < eol; c++)
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
	report_free(&r);
	buf_free(&head);
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
	static const char *const names[] = {
	    "metric_00", "metric_01", "metric_02", "metric_03", "metric_04", "metric_05",
	    "metric_06", "metric_07", "metric_08", "metric_09", "metric_10", "metric_11",
	    "metric_12", "metric_13", "metric_14", "metric_15", "metric_16", "metric_17",
	    "metric_18", "metric_19", "metric_20", "metric_21", "metric_22", "metric_23",
	    "metric_24", "metric_25", "metric_26", "metric_27", "metric_28", "metric_29",
	    "metric_30", "metric_31", "metric_32", "metric_33", "metric_34", "metric_35",
	    "metric_36", "metric_37", "metric_38", "metric_39"};
	struct report r = {.state = STATE_WARNING, .words = words, .fold_from = 2};
	buf_puts(&r.summary, "2 of 2 jobs not OK");
	for (size_t k = 0; k < 2; k++) {
		struct report_line *l = report_line(&r, STATE_WARNING, NULL);
		assert_non_null(l);
		buf_printf(&l->text, "[WARNING] job%zu: last success 3h ago", k);
	}
	for (size_t i = 0; i < 40; i++) {
		struct report_metric m = {
		    .job = REPORT_RUN, .name = names[i], .value = 1, .unit = "", .tier = 1};
		assert_int_equal(report_metric(&r, &m), 0);
	}
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	struct output_options opt = {.max_bytes = OUTPUT_MAX_MIN};
	format_write(f, &r, &opt, NULL);
	fclose(f);
	assert_true(len <= OUTPUT_MAX_MIN);
	assert_non_null(strstr(out, "\n[WARNING] job0: last success 3h ago\n"));
	assert_non_null(strstr(out, "\n[WARNING] job1: last success 3h ago\n"));
	assert_null(strstr(out, "not shown"));
	assert_non_null(strstr(out, "metrics left out to fit --max-output 512)\n"));
	report_free(&r);
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
