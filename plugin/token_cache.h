/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Access tokens cached in a private directory, one file per identity, so that
 * a check signs in once per token lifetime rather than once per run. */
#ifndef CES_TOKEN_CACHE_H
#define CES_TOKEN_CACHE_H

#include <stddef.h>

#include "common.h"

/* A cached token this close to expiry (seconds) counts as missing. */
#define TOKEN_RENEW_MARGIN 300.0
/* Entries larger than this are not tokens. */
#define TOKEN_ENTRY_MAX (64u * 1024u)

#define TOKEN_FINGERPRINT_LEN 32

/* Hex SHA-256 over the fields (NULL reads as ""), each length-prefixed so that
 * no two different inputs hash alike. fingerprint identifies the credential
 * without holding it. 0, or -1 when libcrypto fails. */
int token_cache_key(const char *login_url, const char *tenant, const char *client_id,
                    const char *scope, const unsigned char fingerprint[TOKEN_FINGERPRINT_LEN],
                    char out[65]);

/* SHA-256 of a credential with a label naming its kind ("client-secret", ...),
 * so different kinds of credential never share a fingerprint. 0 or -1. */
int token_fingerprint(const char *kind, const void *data, size_t len,
                      unsigned char out[TOKEN_FINGERPRINT_LEN]);

/* Entry text: serialises and parses one entry. parse returns 0 with *token
 * malloc'd, or -1 when the text is not a complete, well-formed entry. */
#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
char *token_entry_format(const char *token, double expires_at);
int token_entry_parse(const char *data, size_t len, char **token, double *expires_at);
#endif

/* Reads the entry named key in dirfd. Returns 1 with *token (malloc'd) and
 * *expires_at when a well-formed entry has more than TOKEN_RENEW_MARGIN left
 * at now; 0 when there is none usable (missing, corrupted, truncated, a
 * symlink, not a regular file, expiring). Never fails otherwise. */
int token_cache_lookup(int dirfd, const char *key, double now, char **token, double *expires_at);

/* Stores an entry atomically: a fresh 0600 file with a random name, then
 * renameat over key (a symlink there is replaced, never followed). 0 or -1. */
int token_cache_store(int dirfd, const char *key, const char *token, double expires_at,
                      struct err *e);

/* Removes the entry (not its lock file). Missing is not an error. */
void token_cache_drop(int dirfd, const char *key);

/* Takes an exclusive flock on "<key>.lock", polling until the monotonic time
 * deadline. Returns the lock fd (close it to unlock), or -1 with e
 * (ERR_TIMEOUT when the deadline passed, ERR_CONFIG otherwise). */
int token_cache_lock(int dirfd, const char *key, double deadline, struct err *e);

#endif
