/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --extra-opts[=SECTION][@FILE]: finds the ini file, makes sure nobody but
 * root or the user running the plugin can change it, and reads the section.
 * Which names are options, and how they meet the command line, is
 * options.c's business. */
#ifndef CES_EXTRA_OPTS_H
#define CES_EXTRA_OPTS_H

#include "common.h"
#include "ini.h"

#define EXTRA_OPTS_FILE_MAX (1024u * 1024u)
#define EXTRA_OPTS_MAX      8 /* --extra-opts on one command line */

/* A command line with its --extra-opts taken out. */
struct extra_opts_argv {
	char **argv; /* malloc'd, NULL-terminated; the strings are the caller's */
	int argc;
	const char *locators[EXTRA_OPTS_MAX]; /* NULL: the bare option */
	size_t n;
};

/* Takes --extra-opts out of argv, as the Monitoring Plugins do, wherever it
 * stands before a "--": "--extra-opts=LOCATOR", "--extra-opts LOCATOR" when
 * the next word does not start with '-', or the bare "--extra-opts". 0, or
 * -1 with e. */
int extra_opts_take(int argc, char **argv, struct extra_opts_argv *out, struct err *e);
void extra_opts_argv_free(struct extra_opts_argv *a);

/* The entries of every [SECTION] (default: the plugin's name) of FILE
 * (default: paths_ini_file()) named by locator (NULL for the bare option).
 * *file receives the file's name for messages (malloc'd; NULL when none was
 * found). 0, or -1 with e (ERR_USAGE for what the user wrote, ERR_CONFIG for
 * a file that cannot be read or trusted). */
int extra_opts_read(const char *locator, struct ini_section *out, char **file, struct err *e);

#endif
