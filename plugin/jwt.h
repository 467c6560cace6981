/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Certificate sign-in: the signed JWT client assertion (RS256 or PS256). */
#ifndef CES_JWT_H
#define CES_JWT_H

#include <stddef.h>

#include "common.h"
#include "run.h"

enum jwt_alg { JWT_RS256, JWT_PS256 };

/* How long an assertion is valid (Entra accepts at most 10 minutes). */
#define JWT_LIFETIME 600

struct jwt_signer;

/* Loads an RSA certificate and its private key from one PEM file, in either
 * order (further certificates, e.g. a chain, are allowed: the one matching
 * the key is used). Encrypted keys are refused with the command that decrypts
 * them. A file readable by group or others gets a warning at -v. Returns 0
 * with *out, or -1 with e (ERR_CONFIG). */
int jwt_signer_load(const char *path, struct run *run, struct jwt_signer **out, struct err *e);
void jwt_signer_free(struct jwt_signer *s);

/* Identifies certificate and algorithm for the token cache key. 0 or -1. */
int jwt_signer_fingerprint(const struct jwt_signer *s, enum jwt_alg alg, unsigned char out[32]);

/* The compact JWT: header {alg, typ, x5t | x5t#S256}, claims aud = token_url,
 * iss = sub = client_id, a random jti GUID, nbf = iat = now,
 * exp = now + JWT_LIFETIME. malloc'd, or NULL with e. */
char *jwt_client_assertion(const struct jwt_signer *s, enum jwt_alg alg, const char *token_url,
                           const char *client_id, double now, struct err *e);

/* The certificate's notAfter, seconds since the epoch. */
double jwt_signer_not_after(const struct jwt_signer *s);

#endif
