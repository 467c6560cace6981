/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One run of the plugin: its deadline and what it has to say besides its
 * result. Created by main, handed to every module that waits or talks. */
#ifndef CES_RUN_H
#define CES_RUN_H

#include <stdio.h>

#include "common.h"

struct run {
	double timeout;  /* the -t value, seconds (for messages) */
	double deadline; /* clock_mono() value at which the run must end */
	int verbose;     /* 0..3 */
	/* Diagnostics at -v and -vv wait here until the status line is out:
	 * Icinga 2 reads stdout and stderr as one stream, and its first line is
	 * the service's output. At -vvv (a person at a terminal) they stream. */
	struct buf said;
};

/* deadline = now + timeout. */
void run_init(struct run *r, double timeout, int verbose);
/* Seconds left before the deadline (may be <= 0). */
double run_left(const struct run *r);
/* Keeps seconds of the deadline back for what the caller does after a
 * step that may wait (the handler's start after a log read): the deadline
 * moves that much closer until run_restore gives back the one returned. */
double run_reserve(struct run *r, double seconds);
void run_restore(struct run *r, double deadline);
/* A diagnostic line (no newline needed) shown at -v level and above. */
void run_say(struct run *r, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Writes what waited to err (after the caller printed the result) and
 * forgets it. */
void run_flush(struct run *r, FILE *err);

#endif
