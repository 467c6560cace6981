/* Presentation: the first line, long output and perfdata. Pure. */
#ifndef CES_OUTPUT_H
#define CES_OUTPUT_H

#include <stdio.h>

#include "common.h"
#include "evaluate.h"

/* Writes the complete check output for n results (sorted worst first inside,
 * the array itself is not modified) and returns the overall state. The
 * first line is "ENTRA SYNC <STATE> - <summary> | <perfdata>". http_seconds
 * becomes the once-per-run 'time' metric. Numbers in the C locale. */
enum state output_check(FILE *out, const struct job_result *results, size_t n, double http_seconds);

/* Prints "ENTRA SYNC <STATE> - <msg>" (msg cleaned with text_clean) and a newline. */
void output_status_line(FILE *out, enum state st, const char *msg);

#endif
