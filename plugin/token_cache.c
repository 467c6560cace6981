/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "token_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "encode.h"
#include "fileio.h"
#include "text.h"

#define ENTRY_MAGIC "check_entra_sync token v1\n"

static int digest_field(EVP_MD_CTX *ctx, const char *name, const void *data, size_t len)
{
	char head[96];
	int n = snprintf(head, sizeof(head), "%s:%zu:", name, len);
	if (EVP_DigestUpdate(ctx, head, (size_t)n) != 1)
		return -1;
	if (len > 0 && EVP_DigestUpdate(ctx, data, len) != 1)
		return -1;
	return 0;
}

static int digest_str(EVP_MD_CTX *ctx, const char *name, const char *s)
{
	if (s == NULL)
		s = "";
	return digest_field(ctx, name, s, strlen(s));
}

int token_cache_key(const char *login_url, const char *tenant, const char *client_id,
                    const char *scope, const unsigned char fingerprint[TOKEN_FINGERPRINT_LEN],
                    char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc = -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    digest_str(ctx, "login", login_url) == 0 && digest_str(ctx, "tenant", tenant) == 0 &&
	    digest_str(ctx, "client", client_id) == 0 && digest_str(ctx, "scope", scope) == 0 &&
	    digest_field(ctx, "credential", fingerprint, TOKEN_FINGERPRINT_LEN) == 0 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32) {
		hex_encode(md, mdlen, out);
		rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

int token_fingerprint(const char *kind, const void *data, size_t len,
                      unsigned char out[TOKEN_FINGERPRINT_LEN])
{
	unsigned int mdlen = 0;
	int rc = -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 && digest_str(ctx, "kind", kind) == 0 &&
	    digest_field(ctx, "value", data, len) == 0 &&
	    EVP_DigestFinal_ex(ctx, out, &mdlen) == 1 && mdlen == TOKEN_FINGERPRINT_LEN)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	return rc;
}

UNITTEST char *token_entry_format(const char *token, double expires_at)
{
	if (token == NULL || !text_is_token(token, strlen(token)) || !isfinite(expires_at))
		return NULL;
	struct buf b = {0};
	if (buf_printf(&b, "%sexpires_at=%lld\naccess_token=%s\nend\n", ENTRY_MAGIC,
	               (long long)expires_at, token) < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* Matches "prefix<value>\n" at *p, returning the value's extent. */
UNITTEST int token_entry_parse(const char *data, size_t len, char **token, double *expires_at)
{
	const char *p = data, *end = data + len;
	const char *v;
	size_t vlen;
	*token = NULL;
	size_t mlen = strlen(ENTRY_MAGIC);
	if (len < mlen || memcmp(data, ENTRY_MAGIC, mlen) != 0)
		return -1;
	p += mlen;
	if (fio_take_line(&p, end, "expires_at=", &v, &vlen) < 0 || vlen == 0 || vlen > 20)
		return -1;
	long long when = 0;
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9' || when > (LLONG_MAX - 9) / 10)
			return -1;
		when = when * 10 + (v[i] - '0');
	}
	const char *tok;
	size_t toklen;
	if (fio_take_line(&p, end, "access_token=", &tok, &toklen) < 0 ||
	    !text_is_token(tok, toklen))
		return -1;
	if (fio_take_line(&p, end, "end", &v, &vlen) < 0 || vlen != 0 || p != end)
		return -1;
	char *t = malloc(toklen + 1);
	if (t == NULL)
		return -1;
	memcpy(t, tok, toklen);
	t[toklen] = '\0';
	*token = t;
	*expires_at = (double)when;
	return 0;
}

int token_cache_lookup(int dirfd, const char *key, double now, char **token, double *expires_at)
{
	*token = NULL;
	struct stat st;
	struct buf data = {0};
	double when = 0;
	int found = 0;
	/* Never blocks (a FIFO planted under the entry's name) and never
	 * follows a symlink; an entry of another user is not ours to trust. */
	int fd = fio_open_read(dirfd, key, true, "token cache entry", &st, NULL);
	if (fd < 0)
		return 0;
	if (st.st_uid == geteuid() && st.st_size > 0 && st.st_size <= (off_t)TOKEN_ENTRY_MAX &&
	    fio_read_fd(fd, TOKEN_ENTRY_MAX, "token cache entry", &data, NULL) == 0 &&
	    token_entry_parse(data.data, data.len, token, &when) == 0) {
		if (when - now > TOKEN_RENEW_MARGIN) {
			*expires_at = when;
			found = 1;
		} else {
			free(*token);
			*token = NULL;
		}
	}
	fio_wipe(&data);
	close(fd);
	return found;
}

int token_cache_store(int dirfd, const char *key, const char *token, double expires_at,
                      struct err *e)
{
	char *text = token_entry_format(token, expires_at);
	if (text == NULL)
		return err_set(e, ERR_INTERNAL, "cannot format token cache entry");
	size_t len = strlen(text);
	int rc = fio_replace(dirfd, key, text, len, "token cache entry", e);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

void token_cache_drop(int dirfd, const char *key)
{
	unlinkat(dirfd, key, 0);
}

int token_cache_lock(int dirfd, const char *key, double deadline, struct err *e)
{
	char name[128];
	snprintf(name, sizeof(name), "%s.lock", key);
	return fio_lock(dirfd, name, deadline, "another check_entra_sync process to sign in", e);
}
