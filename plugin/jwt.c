/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "jwt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "encode.h"
#include "fileio.h"
#include "token_cache.h"

#define PEM_FILE_MAX (1024 * 1024)
#define MAX_CERTS    16

struct jwt_signer {
	X509 *cert;
	EVP_PKEY *key;
	unsigned char *der; /* the certificate, DER */
	size_t der_len;
	char *x5t;      /* base64url SHA-1 of der */
	char *x5t_s256; /* base64url SHA-256 of der */
};

void jwt_signer_free(struct jwt_signer *s)
{
	if (s == NULL)
		return;
	X509_free(s->cert);
	EVP_PKEY_free(s->key);
	OPENSSL_free(s->der);
	free(s->x5t);
	free(s->x5t_s256);
	free(s);
}

/* Reads the whole file (bounded) and warns about loose permissions: the key
 * is as sensitive as a client secret. */
static int read_pem_file(const char *path, struct run *run, struct buf *data, struct err *e)
{
	struct stat st;
	if (fio_read_file(AT_FDCWD, path, false, PEM_FILE_MAX, "certificate file", data, &st, e) <
	    0)
		return -1;
	if (st.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH))
		run_say(run, 1,
		        "warning: %s holds a private key and is readable by group or others "
		        "(mode %04o); chmod 600 it",
		        path, (unsigned)(st.st_mode & 07777));
	return 0;
}

static bool is_key_block(const char *name)
{
	size_t n = strlen(name);
	return n >= 11 && strcmp(name + n - 11, "PRIVATE KEY") == 0;
}

static bool is_cert_block(const char *name)
{
	return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

/* One PEM block: a certificate appended to certs, or the private key. */
static int take_block(const char *path, const char *name, const char *header,
                      const unsigned char *der, long der_len, X509 **certs, int *ncerts,
                      EVP_PKEY **key, struct err *e)
{
	const unsigned char *p = der;
	if (is_cert_block(name)) {
		if (*ncerts >= MAX_CERTS)
			return 0;
		X509 *c = d2i_X509(NULL, &p, der_len);
		if (c == NULL)
			return err_set(e, ERR_CONFIG,
			               "%s holds a certificate that cannot be parsed", path);
		certs[(*ncerts)++] = c;
		return 0;
	}
	if (!is_key_block(name) || *key != NULL)
		return 0;
	if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0 || strstr(header, "ENCRYPTED") != NULL)
		return err_set(e, ERR_CONFIG,
		               "the private key in %s is encrypted; decrypt it with: openssl pkey "
		               "-in %s -out %s.dec",
		               path, path, path);
	if (strcmp(name, "RSA PRIVATE KEY") == 0)
		*key = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, der_len);
	else
		*key = d2i_AutoPrivateKey(NULL, &p, der_len);
	if (*key == NULL)
		return err_set(e, ERR_CONFIG, "the private key in %s cannot be parsed", path);
	/* EVP_PKEY_base_id rather than OpenSSL 3's EVP_PKEY_is_a: the same
	 * answer on 1.1.1 (Debian 11) and 3.x, one path to test. */
	if (EVP_PKEY_base_id(*key) != EVP_PKEY_RSA)
		return err_set(e, ERR_CONFIG,
		               "the private key in %s is not an RSA key (Entra ID certificate "
		               "sign-in needs RSA)",
		               path);
	return 0;
}

static int scan_pem(const char *path, const char *data, size_t len, X509 **certs, int *ncerts,
                    EVP_PKEY **key, struct err *e)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = 0;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long der_len = 0;
	while (rc == 0 && PEM_read_bio(bio, &name, &header, &der, &der_len) == 1) {
		rc = take_block(path, name, header, der, der_len, certs, ncerts, key, e);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, (size_t)der_len);
		name = header = NULL;
		der = NULL;
	}
	/* PEM_read_bio ends every scan with a "no start line" error. */
	ERR_clear_error();
	BIO_free(bio);
	return rc;
}

static int digest_b64(const X509 *cert, const EVP_MD *md, char **out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (X509_digest(cert, md, d, &dlen) != 1)
		return -1;
	*out = base64url_encode(d, dlen);
	return *out == NULL ? -1 : 0;
}

static int finish_signer(struct jwt_signer *s, const char *path, struct err *e)
{
	int n = i2d_X509(s->cert, &s->der);
	if (n <= 0)
		return err_set(e, ERR_CONFIG, "cannot encode the certificate in %s", path);
	s->der_len = (size_t)n;
	if (digest_b64(s->cert, EVP_sha1(), &s->x5t) < 0 ||
	    digest_b64(s->cert, EVP_sha256(), &s->x5t_s256) < 0)
		return err_set(e, ERR_INTERNAL, "cannot compute the certificate thumbprint");
	return 0;
}

int jwt_signer_load(const char *path, struct run *run, struct jwt_signer **out, struct err *e)
{
	struct buf data = {0};
	*out = NULL;
	if (read_pem_file(path, run, &data, e) < 0) {
		fio_wipe(&data);
		return -1;
	}
	X509 *certs[MAX_CERTS];
	int ncerts = 0;
	EVP_PKEY *key = NULL;
	int rc = scan_pem(path, data.data, data.len, certs, &ncerts, &key, e);
	fio_wipe(&data);

	struct jwt_signer *s = NULL;
	if (rc == 0 && key == NULL)
		rc = err_set(e, ERR_CONFIG, "%s holds no private key (PEM \"PRIVATE KEY\" block)",
		             path);
	if (rc == 0 && ncerts == 0)
		rc = err_set(e, ERR_CONFIG, "%s holds no certificate (PEM \"CERTIFICATE\" block)",
		             path);
	int match = -1;
	for (int i = 0; rc == 0 && i < ncerts && match < 0; i++)
		if (X509_check_private_key(certs[i], key) == 1)
			match = i;
	ERR_clear_error();
	if (rc == 0 && match < 0)
		rc = err_set(e, ERR_CONFIG, "the private key in %s does not match its certificate",
		             path);
	if (rc == 0) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			rc = err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (rc == 0) {
		s->cert = certs[match];
		certs[match] = NULL;
		s->key = key;
		key = NULL;
		rc = finish_signer(s, path, e);
	}
	for (int i = 0; i < ncerts; i++)
		X509_free(certs[i]);
	EVP_PKEY_free(key);
	if (rc < 0) {
		jwt_signer_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

double jwt_signer_not_after(const struct jwt_signer *s)
{
	struct tm tm;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(s->cert), &tm) != 1)
		return 0;
	return (double)timegm(&tm);
}

int jwt_signer_fingerprint(const struct jwt_signer *s, enum jwt_alg alg, unsigned char out[32])
{
	return token_fingerprint(alg == JWT_PS256 ? "certificate-PS256" : "certificate-RS256",
	                         s->der, s->der_len, out);
}

/* A JSON string literal; the values here are URLs and GUIDs, but a client
 * id with a quote must still not break the document. */
static int json_str(struct buf *b, const char *s)
{
	if (buf_puts(b, "\"") < 0)
		return -1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;
		if (c == '"' || c == '\\')
			rc = buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			rc = buf_printf(b, "\\u%04x", c);
		else
			rc = buf_append(b, s, 1);
		if (rc < 0)
			return -1;
	}
	return buf_puts(b, "\"");
}

static int sign(const struct jwt_signer *s, enum jwt_alg alg, const char *input, size_t len,
                unsigned char **sig, size_t *siglen)
{
	int rc = -1;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	*sig = NULL;
	if (md == NULL || EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, s->key) != 1)
		goto out;
	if (alg == JWT_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0))
		goto out;
	if (EVP_DigestSign(md, NULL, siglen, (const unsigned char *)input, len) != 1)
		goto out;
	*sig = OPENSSL_malloc(*siglen);
	if (*sig == NULL ||
	    EVP_DigestSign(md, *sig, siglen, (const unsigned char *)input, len) != 1)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		OPENSSL_free(*sig);
		*sig = NULL;
	}
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return rc;
}

static char *b64_text(const struct buf *b)
{
	return base64url_encode((const unsigned char *)b->data, b->len);
}

char *jwt_client_assertion(const struct jwt_signer *s, enum jwt_alg alg, const char *token_url,
                           const char *client_id, double now, struct err *e)
{
	struct buf head = {0}, claims = {0}, out = {0};
	char *h64 = NULL, *c64 = NULL, *s64 = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char jti[37];
	long long t = (long long)now;
	bool ps = alg == JWT_PS256;

	if (guid_new(jti) < 0) {
		err_set(e, ERR_INTERNAL, "no random bytes for the assertion id");
		goto fail;
	}
	if (buf_printf(&head, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"%s\":\"%s\"}",
	               ps ? "PS256" : "RS256", ps ? "x5t#S256" : "x5t",
	               ps ? s->x5t_s256 : s->x5t) < 0 ||
	    buf_puts(&claims, "{\"aud\":") < 0 || json_str(&claims, token_url) < 0 ||
	    buf_puts(&claims, ",\"iss\":") < 0 || json_str(&claims, client_id) < 0 ||
	    buf_puts(&claims, ",\"sub\":") < 0 || json_str(&claims, client_id) < 0 ||
	    buf_printf(&claims, ",\"jti\":\"%s\",\"nbf\":%lld,\"iat\":%lld,\"exp\":%lld}", jti, t,
	               t, t + JWT_LIFETIME) < 0) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	h64 = b64_text(&head);
	c64 = b64_text(&claims);
	if (h64 == NULL || c64 == NULL || buf_printf(&out, "%s.%s", h64, c64) < 0) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	if (sign(s, alg, out.data, out.len, &sig, &siglen) < 0) {
		err_set(e, ERR_CONFIG, "cannot sign the client assertion with the key");
		goto fail;
	}
	s64 = base64url_encode(sig, siglen);
	if (s64 == NULL || buf_printf(&out, ".%s", s64) < 0) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	OPENSSL_free(sig);
	buf_free(&head);
	buf_free(&claims);
	free(h64);
	free(c64);
	free(s64);
	return out.data;
fail:
	OPENSSL_free(sig);
	buf_free(&head);
	buf_free(&claims);
	buf_free(&out);
	free(h64);
	free(c64);
	free(s64);
	return NULL;
}
