/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plugin output as a page of parts under a byte budget (--max-output):
 * the first line and its metrics, the lines of jobs that are not OK, of
 * service principals that could not be read, of OK jobs, and notes. When
 * they do not fit, page_write gives up parts in a fixed order, least useful
 * first, and says what it left out; whatever was given, the whole output
 * is at most the budget. Presentation only: output.c fills the page. */
#ifndef CES_PAGE_H
#define CES_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"

struct metric {
	char text[160]; /* 'label=value[uom];warn;crit;min' */
	int tier;       /* 1: kept longest; 2: dropped first */
	bool ok_job;    /* of a job that is OK (dropped before a troubled job's) */
	bool keep;
};

struct metrics {
	struct metric *m;
	size_t n, cap;
};

struct page_line {
	struct buf text;  /* one line, no newline, clean */
	enum state state; /* of the job */
	const char *name; /* the job's short name, for the folded line of OK jobs */
};

struct page {
	struct buf head; /* "ENTRA SYNC X - summary", at most HEAD_MAX bytes */
	struct page_line *line;
	size_t n;       /* lines, not-OK jobs first, worst first */
	size_t ok_from; /* lines [ok_from, n) are the OK jobs' */
	struct buf *err;
	size_t n_errs;       /* "[UNKNOWN] service principal ..." lines */
	struct metrics perf; /* in print order */
	struct buf extra;    /* note lines after the jobs' (each ending in '\n') */
};

/* Writes the page within budget bytes (at least OUTPUT_MAX_MIN). */
void page_write(FILE *out, struct page *p, size_t budget);
void page_free(struct page *p);

#endif
