/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Presentation of --directory-sync: every word of that mode's output, its
 * perfdata, inside --max-output. Pure (writes to the FILE given). */
#ifndef CES_DIRSYNC_OUTPUT_H
#define CES_DIRSYNC_OUTPUT_H

#include <stdio.h>

#include "common.h"
#include "dirsync_eval.h"
#include "output.h"

/* Writes "ENTRA SYNC <STATE> - <summary> | <perfdata>" and the long output
 * (the sync, the interval and thresholds, password hash sync, deletion
 * prevention, the credential), and returns the overall state: the
 * evaluation's, made worse by the credential's. */
enum state output_dirsync(FILE *out, const struct dirsync_result *r,
                          const struct output_options *opt, const struct run_facts *facts);

/* The summary alone (what follows "ENTRA SYNC <STATE> - "), appended to b. */
void output_dirsync_summary(const struct dirsync_result *r, struct buf *b);

#endif
