/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const paths_ini_standard[] = {
    "/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
    "/usr/local/etc/monitoring-plugins.ini",
    "/etc/monitoring-plugins/monitoring-plugins.ini",
    "/etc/monitoring-plugins.ini",
    "/etc/nagios/plugins.ini",
    "/usr/local/nagios/etc/plugins.ini",
    "/usr/local/etc/nagios/plugins.ini",
    "/etc/opt/nagios/plugins.ini",
    "/etc/nagios-plugins.ini",
    "/usr/local/etc/nagios-plugins.ini",
    "/etc/opt/nagios-plugins.ini",
    NULL,
};

/* Test seam (man page, ENVIRONMENT): a directory put in front of every
 * fixed path here, so that tests never meet what the machine has in
 * /var/lib, /var/cache, /tmp or /etc. */
static const char *root(void)
{
	const char *r = getenv("CHECK_ENTRA_SYNC_ROOT");
	return r != NULL && r[0] == '/' ? r : "";
}

static char *joined(const char *a, const char *b, const char *c)
{
	struct buf out = {0};
	if (buf_printf(&out, "%s%s%s", a, b, c) < 0) {
		buf_free(&out);
		return NULL;
	}
	return out.data;
}

char *paths_state_dir(const char *given)
{
	if (given != NULL)
		return strdup(given);
	char *packaged = joined(root(), PATHS_STATE_DIR, "");
	struct stat st;
	if (packaged == NULL || lstat(packaged, &st) == 0)
		return packaged;
	free(packaged);
	char tail[64];
	snprintf(tail, sizeof(tail), "/tmp/check_entra_sync-%lu-state", (unsigned long)geteuid());
	return joined(root(), tail, "");
}

/* The rules of securedir.c, looked at without opening: the cache is used
 * only where securedir_open will accept it. */
static bool own_private_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

char *paths_cache_dir(const char *given)
{
	if (given != NULL)
		return strdup(given);
	char *packaged = joined(root(), PATHS_CACHE_DIR, "");
	if (packaged == NULL || own_private_dir(packaged))
		return packaged;
	free(packaged);
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char tail[64];
	snprintf(tail, sizeof(tail), "/check_entra_sync-%lu", (unsigned long)geteuid());
	if (xdg != NULL && xdg[0] == '/')
		return joined(xdg, tail, "");
	return joined(root(), "/tmp", tail);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The first of the three names in a directory of NAGIOS_CONFIG_PATH. */
static char *in_config_path(const char *list)
{
	static const char *const names[] = {"monitoring-plugins.ini", "plugins.ini",
	                                    "nagios-plugins.ini"};
	for (const char *p = list; *p != '\0';) {
		size_t n = strcspn(p, ":");
		for (size_t i = 0; n > 0 && i < sizeof(names) / sizeof(names[0]); i++) {
			struct buf b = {0};
			if (buf_printf(&b, "%.*s/%s", (int)n, p, names[i]) < 0) {
				buf_free(&b);
				return NULL;
			}
			if (exists(b.data))
				return b.data;
			buf_free(&b);
		}
		p += n;
		p += *p == ':';
	}
	return NULL;
}

int paths_ini_file(char **out, struct err *e)
{
	*out = NULL;
	const char *env = getenv("MP_CONFIG_FILE");
	if (env != NULL && *env != '\0') {
		*out = strdup(env);
		return *out != NULL ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
	}
	env = getenv("NAGIOS_CONFIG_PATH");
	if (env != NULL && (*out = in_config_path(env)) != NULL)
		return 0;
	for (size_t i = 0; paths_ini_standard[i] != NULL; i++) {
		char *p = joined(root(), paths_ini_standard[i], "");
		if (p == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		if (exists(p)) {
			*out = p;
			return 0;
		}
		free(p);
	}
	return err_set(e, ERR_USAGE,
	               "--extra-opts names no file (SECTION@FILE) and none of the standard ones "
	               "exists (%s, %s, ... %s; MP_CONFIG_FILE or NAGIOS_CONFIG_PATH name others)",
	               paths_ini_standard[0], paths_ini_standard[2], paths_ini_standard[10]);
}
