/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ini files of --extra-opts, as the Monitoring Plugins read theirs:
 * [section] headers, "name = value" or a bare "name", comment lines. */
#ifndef CES_INI_H
#define CES_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#define INI_LINE_MAX 8192u /* bytes of one line, its end of line aside */

struct ini_entry {
	char *key;
	char *value; /* NULL for a bare name */
	unsigned line;
};

struct ini_section {
	struct ini_entry *v;
	size_t n;
	bool found; /* a header of the section was seen, even with nothing under it */
};

/* Collects, in file order, the entries under every [name] header of text
 * (len bytes; the last line needs no newline). Lines end in LF or CRLF;
 * blanks around names, values and section names are dropped; a line whose
 * first non-blank is '#' or ';' is a comment (elsewhere both are text); a
 * value wholly inside one pair of double or single quotes loses them (and
 * keeps the blanks inside). Section names compare exactly. Lines under
 * other sections are skipped unread, as the Monitoring Plugins do, but
 * every line must be short enough, free of NUL bytes, and no option may come
 * before the first header. 0, or -1 with e (ERR_USAGE, "line N: what is
 * wrong"; never a value, which could be a secret pasted by mistake). */
int ini_read_section(const char *text, size_t len, const char *name, struct ini_section *out,
                     struct err *e);
void ini_section_free(struct ini_section *s);

#endif
