/* Certificate sign-in: the signed JWT client assertion (RS256 or PS256). */
#ifndef CES_JWT_H
#define CES_JWT_H

#include <stddef.h>

#include "common.h"
#include "options.h"

/* How long an assertion is valid (Entra accepts at most 10 minutes). */
#define JWT_LIFETIME 600

struct jwt_signer;

/* Loads an RSA certificate and its private key from one PEM file, in either
 * order (further certificates, e.g. a chain, are allowed: the one matching
 * the key is used). Encrypted keys are refused with the command that decrypts
 * them. When verbose > 0, a file readable by group or others gets a warning
 * on stderr. Returns 0 with *out, or -1 with e (ERR_CONFIG). */
int jwt_signer_load(const char *path, int verbose, struct jwt_signer **out, struct err *e);
void jwt_signer_free(struct jwt_signer *s);

/* Identifies certificate and algorithm for the token cache key. 0 or -1. */
int jwt_signer_fingerprint(const struct jwt_signer *s, enum jwt_alg alg, unsigned char out[32]);

/* The compact JWT: header {alg, typ, x5t | x5t#S256}, claims aud = token_url,
 * iss = sub = client_id, a random jti GUID, nbf = iat = now,
 * exp = now + JWT_LIFETIME. malloc'd, or NULL with e. */
char *jwt_client_assertion(const struct jwt_signer *s, enum jwt_alg alg, const char *token_url,
                           const char *client_id, double now, struct err *e);

/* Base64url without padding. malloc'd, NULL on ENOMEM. */
char *base64url_encode(const unsigned char *data, size_t len);

#endif
