/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The table of writers, --output-format, and the one way every report
 * reaches stdout. */
#include "format.h"

#include <strings.h>

#include "text.h"

/* The first is the default. */
static const struct output_writer *const writers[] = {&nagios_writer};

#define N_WRITERS (sizeof(writers) / sizeof(writers[0]))

int format_parse(const char *name, struct output_options *opt, struct err *e)
{
	for (size_t i = 0; i < N_WRITERS; i++) {
		if (strcasecmp(name, writers[i]->name) == 0) {
			opt->writer = writers[i];
			return 0;
		}
	}
	struct buf choices = {0};
	for (size_t i = 0; i < N_WRITERS; i++) {
		const char *sep = i == 0 ? "" : i + 1 < N_WRITERS ? ", " : " or ";
		buf_printf(&choices, "%s%s", sep, writers[i]->name);
	}
	err_set(e, ERR_USAGE, "--output-format must be %s, not '%s'",
	        choices.data != NULL ? choices.data : "", name);
	buf_free(&choices);
	return -1;
}

int format_write(FILE *out, const struct report *r, const struct output_options *opt, struct err *e)
{
	const struct output_writer *w =
	    opt != NULL && opt->writer != NULL ? opt->writer : writers[0];
	if (w->write(out, r, opt) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory writing the output");
	return (int)r->state;
}

void format_status(FILE *out, const struct output_options *opt, enum state st, const char *msg,
                   const char *detail)
{
	struct report r = {.state = st, .status_only = true};
	buf_puts(&r.summary, msg != NULL ? msg : "");
	text_clean_buf(&r.summary, 0);
	if (detail != NULL && detail[0] != '\0')
		report_note(&r, detail);
	format_write(out, &r, opt, NULL);
	report_free(&r);
}
