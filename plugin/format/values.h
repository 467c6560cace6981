/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Numbers and times as the writers of values print them: plain decimals
 * rounded as the Nagios writer rounds them, ISO 8601 UTC. */
#ifndef CES_VALUES_H
#define CES_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#define VALUE_TEXT_MAX 48

/* v as plain decimals into out (VALUE_TEXT_MAX bytes): rounded to a whole
 * when decimals is 0, with that many digits after the point when it is
 * above, as short as it takes when it is below (thresholds, scaled
 * values). Its length; 0 when v is not finite or would take 48 digits or
 * more (nothing to print). */
size_t value_text(double v, int decimals, char *out);

/* An epoch as "2026-11-30T01:02:03Z" into out (VALUE_TEXT_MAX bytes):
 * false when its year has not four digits (ISO 8601 without extension). */
bool value_time(double epoch, char *out);

#endif
