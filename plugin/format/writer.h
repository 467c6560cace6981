/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every output format shares: the options a writer takes, the limits
 * of the output, and the shape of a writer (one row of format.c's table,
 * as curl's vtls backends are rows of struct Curl_ssl). */
#ifndef CES_WRITER_H
#define CES_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

#define OUTPUT_MAX_DEFAULT 8192 /* Nagios Core keeps 8 KiB of plugin output */
#define OUTPUT_MAX_MIN     512
#define HEAD_MAX           199 /* the first line's text before '|', "ENTRA SYNC ..." included */
#define SUMMARY_MAX        (HEAD_MAX - 22) /* after "ENTRA SYNC CRITICAL - " */
#define LABEL_MAX          60

struct output_writer;

struct output_options {
	const struct output_writer *writer; /* --output-format; NULL: nagios */
	size_t max_bytes;                   /* --max-output: everything printed on stdout */
	bool bare_labels;                   /* -j: one job, metric names without a job prefix */
	const char *file;                   /* --output-file, or NULL: stdout */
	/* For writers of values, known even when the run fails: */
	const char *mode;   /* "check" or "directory_sync", or NULL */
	const char *tenant; /* -T as given, or NULL */
};

struct output_writer {
	const char *name; /* as --output-format takes it */
	/* 0, or -1 when out of memory before anything was written */
	int (*write)(FILE *out, const struct report *r, const struct output_options *opt);
};

/* The writers (format.c lists them). */
extern const struct output_writer nagios_writer;
extern const struct output_writer json_writer;
extern const struct output_writer prometheus_writer;

#endif
