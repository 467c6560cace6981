/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The --help text. */
#ifndef CES_USAGE_H
#define CES_USAGE_H

#include <stdio.h>

void usage_print(FILE *out);

#endif
