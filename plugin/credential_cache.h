/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the daily look-up of the application's client secrets found, cached
 * beside the identity's token ("<token key>.expiry" in the token cache
 * directory, the same private directory and the same rules: 0600, replaced
 * atomically, never through a symlink, never another user's). An entry holds
 * the outcome, the secret's end, its name and counts: never the secret, nor
 * its hint. */
#ifndef CES_CREDENTIAL_CACHE_H
#define CES_CREDENTIAL_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#define CRED_ENTRY_MAX 4096

struct cred_entry {
	double checked_at; /* epoch of the look-up */
	char outcome[24];  /* "known", "no-match", ...; read back as [A-Za-z0-9-] */
	bool end_known;
	double end;        /* epoch, when end_known */
	unsigned matching; /* secrets sharing the hint */
	unsigned secrets;  /* secrets on the application */
	char name[128];    /* one line, no control characters */
	char key_id[48];   /* [0-9A-Za-z-] only */
};

/* Entry text: serialises (malloc'd, NULL when a field cannot be written) and
 * parses (0, or -1 when the text is not a complete, well-formed entry). */
#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
char *cred_entry_format(const struct cred_entry *c);
int cred_entry_parse(const char *data, size_t len, struct cred_entry *c);
#endif

/* Reads the entry of key (the token cache key) in dirfd: 1 with *c, 0 when
 * there is none usable (missing, corrupted, a symlink, not a regular file,
 * another user's). Never fails otherwise. */
int cred_cache_lookup(int dirfd, const char *key, struct cred_entry *c);
/* Stores it atomically and durably. 0 or -1 with e. */
int cred_cache_store(int dirfd, const char *key, const struct cred_entry *c, struct err *e);
/* Takes "<key>.expiry.lock" until the monotonic deadline, so that concurrent
 * runs look up once. The lock fd, or -1 with e. */
int cred_cache_lock(int dirfd, const char *key, double deadline, struct err *e);

#endif
