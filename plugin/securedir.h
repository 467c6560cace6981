/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private directories for the token cache and the handler state. */
#ifndef CES_SECUREDIR_H
#define CES_SECUREDIR_H

#include <sys/types.h>

#include "common.h"

/* The names of the two private directories in messages; a directory of
 * another user is refused with the option that names another one. */
#define SECUREDIR_CACHE "token cache directory"
#define SECUREDIR_STATE "state directory"

/* Opens (creating with 0700 when missing, parents must exist) a directory that
 * must be owned by the current user and not writable by group or others, and
 * must not be a symlink. Returns an O_DIRECTORY fd, or -1 with e (ERR_CONFIG)
 * saying which rule was broken. */
int securedir_open(const char *path, struct err *e);
/* The same with another name in the messages (SECUREDIR_STATE). */
int securedir_open_as(const char *path, const char *what, struct err *e);
/* The same checks on a directory that must already exist (never created):
 * -1 with e (ERR_CONFIG; e->http_status 0) otherwise, and *missing true when
 * it does not exist. */
int securedir_open_existing(const char *path, const char *what, bool *missing, struct err *e);

/* The user's name into name (n bytes) and true; "uid N" and false for a uid
 * without one. */
bool securedir_user(uid_t uid, char *name, size_t n);

#endif
