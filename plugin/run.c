/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "run.h"

#include <stdarg.h>
#include <string.h>

#include "text.h"

void run_init(struct run *r, double timeout, int verbose)
{
	memset(r, 0, sizeof(*r));
	r->timeout = timeout;
	r->deadline = clock_mono() + timeout;
	r->verbose = verbose;
}

double run_left(const struct run *r)
{
	return r->deadline - clock_mono();
}

double run_reserve(struct run *r, double seconds)
{
	double deadline = r->deadline;
	r->deadline -= seconds;
	return deadline;
}

void run_restore(struct run *r, double deadline)
{
	r->deadline = deadline;
}

void run_say(struct run *r, int level, const char *fmt, ...)
{
	if (r == NULL || r->verbose < level)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	text_clean(line);
	if (r->verbose >= 3) {
		fprintf(stderr, "%s\n", line);
		return;
	}
	buf_printf(&r->said, "%s\n", line);
}

void run_flush(struct run *r, FILE *err)
{
	if (r->said.len > 0)
		fwrite(r->said.data, 1, r->said.len, err);
	fflush(err);
	buf_free(&r->said);
}
