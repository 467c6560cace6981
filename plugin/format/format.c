/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The table of writers, --output-format, and the one way every report
 * reaches stdout. */
#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fileio.h"
#include "text.h"

/* The first is the default. */
static const struct output_writer *const writers[] = {&nagios_writer, &json_writer,
                                                      &prometheus_writer};

#define N_WRITERS (sizeof(writers) / sizeof(writers[0]))

int format_parse(const char *name, struct output_options *opt, struct err *e)
{
	for (size_t i = 0; i < N_WRITERS; i++) {
		if (strcasecmp(name, writers[i]->name) == 0) {
			opt->writer = writers[i];
			return 0;
		}
	}
	struct buf choices = {0};
	for (size_t i = 0; i < N_WRITERS; i++) {
		const char *sep = i == 0 ? "" : i + 1 < N_WRITERS ? ", " : " or ";
		buf_printf(&choices, "%s%s", sep, writers[i]->name);
	}
	err_set(e, ERR_USAGE, "--output-format must be %s, not '%s'",
	        choices.data != NULL ? choices.data : "", name);
	buf_free(&choices);
	return -1;
}

/* The bytes w writes for r: *text (malloc'd, *len bytes). 0 or -1. */
static int render(const struct output_writer *w, const struct report *r,
                  const struct output_options *opt, char **text, size_t *len)
{
	FILE *mem = open_memstream(text, len);
	if (mem == NULL)
		return -1;
	int rc = w->write(mem, r, opt);
	if (fclose(mem) != 0)
		rc = -1;
	return rc;
}

/* text replaces the file path at once: a reader (a textfile collector)
 * sees the old output or the new, never part of one. */
static int publish(const char *path, const char *text, size_t len, struct err *e)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash != NULL ? slash + 1 : path;
	char *dir = slash == NULL   ? strdup(".")
	            : slash == path ? strdup("/")
	                            : strndup(path, (size_t)(slash - path));
	char what[PATH_MAX + 32];
	snprintf(what, sizeof(what), "--output-file %s", path);
	if (dir == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = 0;
	int dirfd = name[0] != '\0' ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (name[0] == '\0')
		rc = err_set(e, ERR_CONFIG, "%s names a directory, not a file", what);
	else if (dirfd < 0)
		rc = err_set(e, ERR_CONFIG, "cannot write %s: %s: %s", what, dir, strerror(errno));
	else
		rc = fio_replace_shared(dirfd, name, text, len, what, e);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	return rc;
}

/* The output file could not be written: out gets an UNKNOWN saying why, in
 * the format asked for, and what the run found as a note. */
static int unpublished(FILE *out, const struct report *r, const struct output_options *opt,
                       const struct err *why)
{
	struct output_options here = *opt;
	here.file = NULL;
	struct buf found = {0};
	buf_printf(&found, "the run found: %s - %s", state_name(r->state),
	           r->summary.data != NULL ? r->summary.data : "");
	format_status(out, &here, STATE_UNKNOWN, why->msg, found.data);
	buf_free(&found);
	return STATE_UNKNOWN;
}

int format_write(FILE *out, const struct report *r, const struct output_options *opt, struct err *e)
{
	const struct output_writer *w =
	    opt != NULL && opt->writer != NULL ? opt->writer : writers[0];
	if (opt == NULL || opt->file == NULL) {
		if (w->write(out, r, opt) < 0)
			return err_set(e, ERR_INTERNAL, "out of memory writing the output");
		return (int)r->state;
	}
	char *text = NULL;
	size_t len = 0;
	if (render(w, r, opt, &text, &len) < 0) {
		free(text);
		return err_set(e, ERR_INTERNAL, "out of memory writing the output");
	}
	struct err why = {0};
	int rc = publish(opt->file, text, len, &why);
	free(text);
	return rc == 0 ? (int)r->state : unpublished(out, r, opt, &why);
}

int format_status(FILE *out, const struct output_options *opt, enum state st, const char *msg,
                  const char *detail)
{
	struct report r = {.state = st, .status_only = true, .now = clock_wall()};
	buf_puts(&r.summary, msg != NULL ? msg : "");
	text_clean_buf(&r.summary, 0);
	if (detail != NULL && detail[0] != '\0')
		report_note(&r, detail);
	int rc = format_write(out, &r, opt, NULL);
	report_free(&r);
	return rc < 0 ? (int)st : rc;
}
