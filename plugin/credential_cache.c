/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "credential_cache.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "text.h"

#define ENTRY_MAGIC "check_entra_sync credential v1\n"

static void name_of(char *out, size_t n, const char *key)
{
	snprintf(out, n, "%s.expiry", key);
}

static bool word_ok(const char *s, const char *extra)
{
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(extra, c) != NULL))
			return false;
	}
	return true;
}

static bool epoch_ok(double v)
{
	return isfinite(v) && v >= 0 && v < 1e15;
}

UNITTEST char *cred_entry_format(const struct cred_entry *c)
{
	if (!word_ok(c->outcome, "-") || !epoch_ok(c->checked_at) ||
	    (c->end_known && !epoch_ok(c->end)) || (c->key_id[0] && !word_ok(c->key_id, "-")))
		return NULL;
	char name[sizeof(c->name)];
	str_copy(name, sizeof(name), c->name);
	text_clean(name); /* one line: no newline can forge a field */
	struct buf b = {0};
	int rc = buf_printf(&b, "%schecked_at=%lld\noutcome=%s\n", ENTRY_MAGIC,
	                    (long long)c->checked_at, c->outcome);
	if (rc == 0 && c->end_known)
		rc = buf_printf(&b, "ends_at=%lld\n", (long long)c->end);
	else if (rc == 0)
		rc = buf_puts(&b, "ends_at=-\n");
	if (rc == 0)
		rc = buf_printf(&b, "matching=%u\nsecrets=%u\nkey_id=%s\nname=%s\nend\n",
		                c->matching, c->secrets, c->key_id, name);
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

UNITTEST int cred_entry_parse(const char *data, size_t len, struct cred_entry *c)
{
	memset(c, 0, sizeof(*c));
	const char *p = data, *end = data + len;
	if (fio_take_magic(&p, end, ENTRY_MAGIC) < 0)
		return -1;
	char v[160];
	unsigned long long n;
	if (fio_take_number(&p, end, "checked_at=", 999999999999999ULL, &n) < 0)
		return -1;
	c->checked_at = (double)n;
	if (fio_take_text(&p, end, "outcome=", c->outcome, sizeof(c->outcome)) < 0 ||
	    !word_ok(c->outcome, "-"))
		return -1;
	if (fio_take_text(&p, end, "ends_at=", v, sizeof(v)) < 0)
		return -1;
	if (strcmp(v, "-") != 0) {
		if (fio_parse_number(v, 999999999999999ULL, &n) < 0)
			return -1;
		c->end_known = true;
		c->end = (double)n;
	}
	if (fio_take_number(&p, end, "matching=", UINT_MAX, &n) < 0)
		return -1;
	c->matching = (unsigned)n;
	if (fio_take_number(&p, end, "secrets=", UINT_MAX, &n) < 0)
		return -1;
	c->secrets = (unsigned)n;
	if (fio_take_text(&p, end, "key_id=", c->key_id, sizeof(c->key_id)) < 0 ||
	    (c->key_id[0] && !word_ok(c->key_id, "-")))
		return -1;
	if (fio_take_text(&p, end, "name=", c->name, sizeof(c->name)) < 0)
		return -1;
	text_clean(c->name);
	if (fio_take_text(&p, end, "end", v, sizeof(v)) < 0 || v[0] != '\0' || p != end)
		return -1;
	return 0;
}

int cred_cache_lookup(int dirfd, const char *key, struct cred_entry *c)
{
	char name[128];
	name_of(name, sizeof(name), key);
	struct stat st;
	struct buf data = {0};
	int fd = fio_open_read(dirfd, name, true, "credential cache entry", &st, NULL);
	if (fd < 0)
		return 0;
	int found = st.st_uid == geteuid() && st.st_size > 0 &&
	            st.st_size <= (off_t)CRED_ENTRY_MAX &&
	            fio_read_fd(fd, CRED_ENTRY_MAX, "credential cache entry", &data, NULL) == 0 &&
	            cred_entry_parse(data.data, data.len, c) == 0;
	buf_free(&data);
	close(fd);
	return found;
}

int cred_cache_store(int dirfd, const char *key, const struct cred_entry *c, struct err *e)
{
	char name[128];
	name_of(name, sizeof(name), key);
	char *text = cred_entry_format(c);
	if (text == NULL)
		return err_set(e, ERR_INTERNAL, "cannot format the credential cache entry");
	int rc = fio_replace(dirfd, name, text, strlen(text), "credential cache entry", e);
	free(text);
	return rc;
}

int cred_cache_lock(int dirfd, const char *key, double deadline, struct err *e)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.expiry.lock", key);
	return fio_lock(dirfd, name, deadline,
	                "another check_entra_sync process reading the "
	                "application's secrets",
	                e);
}
