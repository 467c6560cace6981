/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "extra_opts.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "paths.h"
#include "securedir.h"

/* Whoever can change the file chooses the plugin's options (its URLs, its
 * credential file): only root and the user running it may. */
static int trusted(const char *file, const struct stat *st, struct err *e)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		char owner[256], me[256];
		securedir_user(st->st_uid, owner, sizeof(owner));
		securedir_user(geteuid(), me, sizeof(me));
		return err_set(e, ERR_CONFIG,
		               "ini file %s belongs to %s, not to root%s%s, who runs the plugin: "
		               "whoever owns it chooses the plugin's options",
		               file, owner, geteuid() != 0 ? " or " : "", geteuid() != 0 ? me : "");
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return err_set(e, ERR_CONFIG,
		               "ini file %s is writable by group or others (mode %04o): chmod go-w "
		               "it, whoever can change it chooses the plugin's options",
		               file, (unsigned)(st->st_mode & 07777));
	return 0;
}

static int read_trusted(const char *file, struct buf *data, struct err *e)
{
	struct stat st;
	int fd = fio_open_read(AT_FDCWD, file, false, "ini file", &st, e);
	if (fd < 0)
		return -1;
	char what[600];
	snprintf(what, sizeof(what), "ini file %s", file);
	int rc =
	    trusted(file, &st, e) < 0 ? -1 : fio_read_fd(fd, EXTRA_OPTS_FILE_MAX, what, data, e);
	close(fd);
	return rc;
}

int extra_opts_read(const char *locator, struct ini_section *out, char **file, struct err *e)
{
	memset(out, 0, sizeof(*out));
	*file = NULL;
	const char *at = locator != NULL ? strchr(locator, '@') : NULL;
	size_t slen = locator == NULL ? 0 : at != NULL ? (size_t)(at - locator) : strlen(locator);
	char *section = slen > 0 ? strndup(locator, slen) : strdup(PLUGIN_NAME);
	if (section == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = 0;
	if (at != NULL && (at[1] == '\0' || strcmp(at + 1, "-") == 0))
		rc = err_set(e, ERR_USAGE,
		             "--extra-opts: no file name after '@' (standard input is not read: it "
		             "is the daemon's)");
	else if (at != NULL)
		rc = (*file = strdup(at + 1)) != NULL ? 0
		                                      : err_set(e, ERR_INTERNAL, "out of memory");
	else
		rc = paths_ini_file(file, e);
	struct buf data = {0};
	if (rc == 0)
		rc = read_trusted(*file, &data, e);
	if (rc == 0 && ini_read_section(data.data, data.len, section, out, e) < 0)
		rc = err_prefix(e, "ini file %s", *file);
	if (rc == 0 && !out->found)
		rc = err_set(e, ERR_USAGE, "ini file %s has no section [%s]", *file, section);
	buf_free(&data);
	free(section);
	if (rc < 0)
		ini_section_free(out);
	return rc;
}

int extra_opts_take(int argc, char **argv, struct extra_opts_argv *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->argv = calloc((size_t)argc + 1, sizeof(*out->argv));
	if (out->argv == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	static const char opt[] = "--extra-opts";
	bool options_end = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool bare = strcmp(a, opt) == 0;
		bool with_value =
		    strncmp(a, opt, sizeof(opt) - 1) == 0 && a[sizeof(opt) - 1] == '=';
		options_end |= strcmp(a, "--") == 0;
		if (i == 0 || options_end || (!bare && !with_value)) {
			out->argv[out->argc++] = argv[i];
			continue;
		}
		if (out->n == EXTRA_OPTS_MAX) {
			extra_opts_argv_free(out);
			return err_set(e, ERR_USAGE, "--extra-opts given more than %d times",
			               EXTRA_OPTS_MAX);
		}
		if (with_value)
			out->locators[out->n++] = a + sizeof(opt);
		else if (i + 1 < argc && argv[i + 1][0] != '-')
			out->locators[out->n++] = argv[++i];
		else
			out->locators[out->n++] = NULL;
	}
	return 0;
}

void extra_opts_argv_free(struct extra_opts_argv *a)
{
	free(a->argv);
	memset(a, 0, sizeof(*a));
}
