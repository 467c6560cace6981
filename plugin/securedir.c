/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "securedir.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool securedir_user(uid_t uid, char *name, size_t n)
{
	struct passwd pw, *found = NULL;
	char scratch[1024];
	if (getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found) == 0 && found != NULL) {
		snprintf(name, n, "%s", found->pw_name);
		return true;
	}
	snprintf(name, n, "uid %lu", (unsigned long)uid);
	return false;
}

/* Which option names another directory, for the message that says what to do. */
static const char *option_for(const char *what)
{
	if (strcmp(what, SECUREDIR_STATE) == 0)
		return "--state-dir";
	if (strcmp(what, SECUREDIR_CACHE) == 0)
		return "--token-cache";
	return NULL;
}

static int wrong_owner(const char *path, const char *what, uid_t owner, struct err *e)
{
	char name[256], me[256], owner_who[300], me_who[300], remedy[600];
	bool named = securedir_user(owner, name, sizeof(name));
	snprintf(owner_who, sizeof(owner_who), named ? "%s (uid %lu)" : "%s", name,
	         (unsigned long)owner);
	snprintf(me_who, sizeof(me_who),
	         securedir_user(geteuid(), me, sizeof(me)) ? "%s (uid %lu)" : "%s", me,
	         (unsigned long)geteuid());
	const char *opt = option_for(what);
	snprintf(remedy, sizeof(remedy), "run it as %s%s%s%s%s%s", name, named ? " (sudo -u " : "",
	         named ? name : "", named ? ")" : "", opt != NULL ? " or name another with " : "",
	         opt != NULL ? opt : "");
	return err_set(e, ERR_CONFIG, "%s %s belongs to %s, not to %s, who runs the plugin: %s",
	               what, path, owner_who, me_who, remedy);
}

static int check_dir(int fd, const char *path, const char *what, struct err *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(e, ERR_CONFIG, "cannot stat directory %s: %s", path,
		               strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ERR_CONFIG, "%s is not a directory", path);
	if (st.st_uid != geteuid())
		return wrong_owner(path, what, st.st_uid, e);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return err_set(e, ERR_CONFIG,
		               "%s %s is writable by group or others (mode %04o); chmod 700 it",
		               what, path, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* O_NOFOLLOW refuses a symlink only as the last component; lstat tells the
 * user what is wrong instead of a bare ELOOP. */
static int open_error(const char *path, const char *what, int saved, struct err *e)
{
	struct stat st;
	if (saved == ELOOP || (saved == ENOTDIR && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)))
		return err_set(e, ERR_CONFIG, "%s %s is a symbolic link", what, path);
	if (saved == ENOTDIR)
		return err_set(e, ERR_CONFIG, "%s %s is not a directory", what, path);
	return err_set(e, ERR_CONFIG, "cannot open %s %s: %s", what, path, strerror(saved));
}

int securedir_open(const char *path, struct err *e)
{
	return securedir_open_as(path, SECUREDIR_CACHE, e);
}

int securedir_open_as(const char *path, const char *what, struct err *e)
{
	if (path == NULL || *path == '\0')
		return err_set(e, ERR_CONFIG, "empty %s name", what);
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(path, flags);
	if (fd < 0 && errno == ENOENT) {
		/* Another process may create it between our open and mkdir: EEXIST is
		 * fine, the re-open below checks whatever is there now. */
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return err_set(e, ERR_CONFIG, "cannot create %s %s: %s", what, path,
			               strerror(errno));
		fd = open(path, flags);
	}
	if (fd < 0)
		return open_error(path, what, errno, e);
	if (check_dir(fd, path, what, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int securedir_open_existing(const char *path, const char *what, bool *missing, struct err *e)
{
	*missing = false;
	if (path == NULL || *path == '\0')
		return err_set(e, ERR_CONFIG, "empty %s name", what);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*missing = errno == ENOENT;
		return open_error(path, what, errno, e);
	}
	if (check_dir(fd, path, what, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
