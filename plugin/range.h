/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Monitoring Plugins threshold ranges: 10, 10:, ~:10, 10:20, @10:20. */
#ifndef CES_RANGE_H
#define CES_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

struct range {
	bool set;    /* false: no threshold given, never alerts */
	bool inside; /* '@': alert when inside [lo, hi] */
	bool lo_inf; /* '~' on the low side (an empty start means 0, per the guidelines) */
	bool hi_inf; /* "N:" form */
	double lo, hi;
	char text[64]; /* the range as given (or generated), for perfdata */
};

/* Parses text into r. When durations is true, numbers may carry s, m, h or d
 * (perfdata text then holds seconds). Returns 0, or -1 with e filled. */
int range_parse(const char *text, bool durations, struct range *r, struct err *e);
/* A range "0:hi" (alert above hi), as used for default age thresholds. */
void range_upper(struct range *r, double hi);
/* True when value v must raise an alert. An unset range never alerts. */
bool range_alerts(const struct range *r, double v);
/* A number for perfdata and range text: integers without a fraction, else %.15g.
 * Always a '.' decimal point (the program never calls setlocale). */
void range_number_format(double v, char *buf, size_t n);

#endif
