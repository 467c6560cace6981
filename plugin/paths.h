/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the plugin keeps and finds its files when no option names them: the
 * start history and the token cache (the Debian package's directories, else
 * per-user ones) and the ini file of --extra-opts. One answer for every mode,
 * whoever runs it, whatever its environment. */
#ifndef CES_PATHS_H
#define CES_PATHS_H

#include "common.h"

/* What the Debian package creates, 0700, owned by the monitoring user. */
#define PATHS_STATE_DIR "/var/lib/check-entra-sync"
#define PATHS_CACHE_DIR "/var/cache/check-entra-sync"

/* The state directory (start history and locks of the handler and --start,
 * read by the check): given (--state-dir) when not NULL; else
 * PATHS_STATE_DIR when anything exists there (a user it does not belong to
 * is told so when the directory is opened, rather than sent to a history of
 * its own that the others never see); else /tmp/check_entra_sync-UID-state.
 * No environment variable changes it. malloc'd, NULL when out of memory. */
char *paths_state_dir(const char *given);

/* The token cache (and the daily credential look-up): given (--token-cache)
 * when not NULL; else PATHS_CACHE_DIR when it is a directory (not a symlink)
 * of the user running the plugin that nobody else may write; else
 * ${XDG_RUNTIME_DIR:-/tmp}/check_entra_sync-UID. A cache is private to its
 * user, so another user's simply is not used. malloc'd, or NULL. */
char *paths_cache_dir(const char *given);

/* The ini file --extra-opts reads when it names none, as the Monitoring
 * Plugins look for theirs: $MP_CONFIG_FILE; else monitoring-plugins.ini,
 * plugins.ini or nagios-plugins.ini in a directory of $NAGIOS_CONFIG_PATH
 * (colon-separated); else the first of their standard files that exists
 * (paths_ini_standard). malloc'd, or -1 with e (ERR_USAGE) naming where it
 * looked. */
int paths_ini_file(char **out, struct err *e);

/* The standard ini files, in the order they are tried, NULL-terminated. */
extern const char *const paths_ini_standard[];

#endif
