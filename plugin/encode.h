/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The small encoders: hex, base64url, SHA-256 and random GUIDs (libcrypto). */
#ifndef CES_ENCODE_H
#define CES_ENCODE_H

#include <stddef.h>

#define SHA256_LEN 32

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void hex_encode(const unsigned char *in, size_t len, char *out);
/* Base64url without padding. malloc'd, NULL on ENOMEM. */
char *base64url_encode(const unsigned char *data, size_t len);
/* Base64url (padding optional) decoded into a malloc'd, NUL-terminated
 * buffer; *len gets its length. NULL when the text is not base64url. */
unsigned char *base64url_decode(const char *text, size_t text_len, size_t *len);
/* SHA-256 of data. 0, or -1 when libcrypto fails. */
int sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Cryptographically random bytes. 0 or -1. */
int random_bytes(unsigned char *out, size_t n);
/* A random (version 4) GUID, lower-case with dashes. 0 or -1. */
int guid_new(char out[37]);

#endif
