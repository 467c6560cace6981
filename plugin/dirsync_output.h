/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Presentation of --directory-sync: every word of that mode's output and its
 * metrics as values, filled into a report. Pure: prints nothing. */
#ifndef CES_DIRSYNC_OUTPUT_H
#define CES_DIRSYNC_OUTPUT_H

#include "common.h"
#include "dirsync_eval.h"
#include "output.h"

/* Fills the empty report rep: the overall state (the evaluation's, made
 * worse by the credential's), the summary, one line per aspect in a fixed
 * order (the sync, the interval and thresholds, password hash sync,
 * deletion prevention; none folds), the credential's note, and the metrics
 * (tier 1: the ages, the credential's end, the time; tier 2, given up
 * first under a budget: the interval). 0, or -1 with e when out of memory. */
int output_dirsync(struct report *rep, const struct dirsync_result *r,
                   const struct run_facts *facts, struct err *e);

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* The summary alone (what follows "ENTRA SYNC <STATE> - "), appended to b. */
void output_dirsync_summary(const struct dirsync_result *r, struct buf *b);
#endif

#endif
