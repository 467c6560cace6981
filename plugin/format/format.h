/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The output formats: --output-format picks one writer from a table, and
 * every report of the run is printed through it. */
#ifndef CES_FORMAT_H
#define CES_FORMAT_H

#include <stdio.h>

#include "common.h"
#include "report.h"
#include "writer.h"

/* --output-format NAME (any case) into opt->writer: 0, or -1 with e naming
 * the formats there are. */
int format_parse(const char *name, struct output_options *opt, struct err *e);

/* Writes r in the format opt names (opt or its writer NULL: nagios) to out,
 * or with opt->file into that file, replacing it atomically, and returns
 * the exit status, r's state, the same in every format. When the file
 * cannot be written, out gets an UNKNOWN in that format saying why, and
 * the status is 3. -1 with e when out of memory before anything was
 * written. */
int format_write(FILE *out, const struct report *r, const struct output_options *opt,
                 struct err *e);

/* A run that ended without its result: state st, one message (made safe:
 * one line, valid UTF-8) and, unless NULL or empty, a second line (the ids
 * support asks for); written as format_write writes. The exit status. The
 * handler's and --start's decision lines too, with opt NULL. */
int format_status(FILE *out, const struct output_options *opt, enum state st, const char *msg,
                  const char *detail);

#endif
