/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Certificate sign-in: PEM loading rules and the client assertion, checked
 * by decoding it and verifying its signature with libcrypto. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encode.h"
#include "jwt.h"
#include "run.h"

#define NOW       1700000000.0
#define TOKEN_URL "https://login.example/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token"
#define CLIENT    "aaaaaaaa-0000-0000-0000-000000000001"

struct keys {
	char dir[64];
	EVP_PKEY *k1, *k2, *ec;
	X509 *c1, *c2;
};

static struct keys K;

static X509 *self_signed(EVP_PKEY *key, const char *cn)
{
	X509 *c = X509_new();
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
	X509_gmtime_adj(X509_getm_notBefore(c), 0);
	X509_gmtime_adj(X509_getm_notAfter(c), 3600);
	X509_set_pubkey(c, key);
	X509_NAME *name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, name);
	X509_sign(c, key, EVP_sha256());
	return c;
}

/* A key of type EVP_PKEY_RSA (param: bits) or EVP_PKEY_EC (param: the curve's
 * NID). The EVP_PKEY_CTX calls rather than OpenSSL 3's EVP_RSA_gen and
 * EVP_EC_gen: the same code on 1.1.1 (Debian 11) and 3.x. */
static EVP_PKEY *generate(int type, int param)
{
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(type, NULL);
	int ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1;
	if (ok && type == EVP_PKEY_RSA)
		ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, param) == 1;
	else if (ok)
		ok = EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, param) == 1;
	if (ok && EVP_PKEY_keygen(ctx, &key) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static int group_setup(void **state)
{
	(void)state;
	strcpy(K.dir, "/tmp/test_jwt.XXXXXX");
	if (mkdtemp(K.dir) == NULL)
		return -1;
	K.k1 = generate(EVP_PKEY_RSA, 2048);
	K.k2 = generate(EVP_PKEY_RSA, 2048);
	K.ec = generate(EVP_PKEY_EC, NID_X9_62_prime256v1);
	if (K.k1 == NULL || K.k2 == NULL || K.ec == NULL)
		return -1;
	K.c1 = self_signed(K.k1, "one");
	K.c2 = self_signed(K.k2, "two");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(K.k1);
	EVP_PKEY_free(K.k2);
	EVP_PKEY_free(K.ec);
	X509_free(K.c1);
	X509_free(K.c2);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", K.dir);
	return system(cmd) == 0 ? 0 : -1;
}

enum part { END, CERT1, CERT2, KEY1, KEY2, KEY1_TRAD, KEY1_ENC, KEY1_TRAD_ENC, KEY_EC, JUNK };

/* Writes the parts in order into DIR/name (mode 0600) and returns the path. */
static const char *pem(const char *name, const enum part *parts)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", K.dir, name);
	BIO *b = BIO_new_file(path, "w");
	assert_non_null(b);
	for (; *parts != END; parts++) {
		switch (*parts) {
		case CERT1:
			PEM_write_bio_X509(b, K.c1);
			break;
		case CERT2:
			PEM_write_bio_X509(b, K.c2);
			break;
		case KEY1:
			PEM_write_bio_PrivateKey(b, K.k1, NULL, NULL, 0, NULL, NULL);
			break;
		case KEY2:
			PEM_write_bio_PrivateKey(b, K.k2, NULL, NULL, 0, NULL, NULL);
			break;
		case KEY1_TRAD:
			PEM_write_bio_PrivateKey_traditional(b, K.k1, NULL, NULL, 0, NULL, NULL);
			break;
		case KEY1_ENC:
			PEM_write_bio_PKCS8PrivateKey(b, K.k1, EVP_aes_256_cbc(), "pass", 4, NULL,
			                              NULL);
			break;
		case KEY1_TRAD_ENC:
			PEM_write_bio_PrivateKey_traditional(
			    b, K.k1, EVP_aes_256_cbc(), (unsigned char *)"pass", 4, NULL, NULL);
			break;
		case KEY_EC:
			PEM_write_bio_PrivateKey(b, K.ec, NULL, NULL, 0, NULL, NULL);
			break;
		case JUNK:
			BIO_puts(b, "Bag Attributes\n    friendlyName: test\n");
			break;
		case END:
			break;
		}
	}
	BIO_free(b);
	chmod(path, 0600);
	return path;
}

static struct jwt_signer *load_ok(const char *path)
{
	struct jwt_signer *s = NULL;
	struct err e = {0};
	int rc = jwt_signer_load(path, NULL, &s, &e);
	if (rc != 0)
		fail_msg("load failed: %s", e.msg);
	return s;
}

static void load_fails_with(const char *path, const char *want)
{
	struct jwt_signer *s = NULL;
	struct err e = {0};
	assert_int_equal(jwt_signer_load(path, NULL, &s, &e), -1);
	assert_null(s);
	assert_int_equal(e.kind, ERR_CONFIG);
	if (strstr(e.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, want);
}

/* --- base64url --- */

static void base64url_matches_rfc4648_without_padding(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} v[] = {{"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
	         {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *o = base64url_encode((const unsigned char *)v[i].in, strlen(v[i].in));
		assert_string_equal(o, v[i].out);
		free(o);
	}
	const unsigned char url[] = {0xfb, 0xff, 0xbf};
	char *o = base64url_encode(url, sizeof(url));
	assert_string_equal(o, "-_-_");
	free(o);
}

/* --- loading --- */

static void key_then_certificate_loads(void **state)
{
	(void)state;
	jwt_signer_free(load_ok(pem("a.pem", (enum part[]){KEY1, CERT1, END})));
}

static void certificate_then_key_loads(void **state)
{
	(void)state;
	jwt_signer_free(load_ok(pem("b.pem", (enum part[]){JUNK, CERT1, JUNK, KEY1, END})));
}

static void traditional_rsa_key_loads(void **state)
{
	(void)state;
	jwt_signer_free(load_ok(pem("c.pem", (enum part[]){CERT1, KEY1_TRAD, END})));
}

static void chain_certificate_before_the_leaf_is_skipped(void **state)
{
	(void)state;
	struct jwt_signer *a = load_ok(pem("d.pem", (enum part[]){CERT2, CERT1, KEY1, END}));
	struct jwt_signer *b = load_ok(pem("e.pem", (enum part[]){CERT1, KEY1, END}));
	unsigned char fa[32], fb[32];
	jwt_signer_fingerprint(a, JWT_RS256, fa);
	jwt_signer_fingerprint(b, JWT_RS256, fb);
	assert_memory_equal(fa, fb, 32);
	jwt_signer_free(a);
	jwt_signer_free(b);
}

static void encrypted_pkcs8_key_is_refused_with_the_decrypt_command(void **state)
{
	(void)state;
	const char *p = pem("enc.pem", (enum part[]){KEY1_ENC, CERT1, END});
	char want[300];
	snprintf(want, sizeof(want),
	         "the private key in %s is encrypted; decrypt it with: openssl pkey -in %s -out "
	         "%s.dec",
	         p, p, p);
	load_fails_with(p, want);
}

static void encrypted_traditional_key_is_refused(void **state)
{
	(void)state;
	load_fails_with(pem("enc2.pem", (enum part[]){CERT1, KEY1_TRAD_ENC, END}),
	                "is encrypted; decrypt it with: openssl pkey");
}

static void key_not_matching_certificate_is_refused(void **state)
{
	(void)state;
	load_fails_with(pem("mis.pem", (enum part[]){CERT1, KEY2, END}),
	                "does not match its certificate");
}

static void file_without_key_or_certificate_is_refused(void **state)
{
	(void)state;
	load_fails_with(pem("nokey.pem", (enum part[]){CERT1, END}), "holds no private key");
	load_fails_with(pem("nocert.pem", (enum part[]){KEY1, END}), "holds no certificate");
	load_fails_with(pem("empty.pem", (enum part[]){END}), "holds no private key");
}

static void non_rsa_key_is_refused(void **state)
{
	(void)state;
	load_fails_with(pem("ec.pem", (enum part[]){KEY_EC, CERT1, END}), "is not an RSA key");
}

static void missing_file_is_refused(void **state)
{
	(void)state;
	load_fails_with("/nonexistent/cert.pem", "cannot open certificate file /nonexistent");
}

static void group_readable_file_warns_only_when_verbose(void **state)
{
	(void)state;
	const char *p = pem("loose.pem", (enum part[]){KEY1, CERT1, END});
	chmod(p, 0644);
	for (int verbose = 0; verbose <= 1; verbose++) {
		struct run run;
		run_init(&run, 20, verbose);
		struct jwt_signer *s = NULL;
		struct err e = {0};
		assert_int_equal(jwt_signer_load(p, &run, &s, &e), 0);
		jwt_signer_free(s);
		/* said after the status line, and only at -v */
		if (verbose == 0)
			assert_int_equal(run.said.len, 0);
		else
			assert_non_null(
			    strstr(run.said.data, "readable by group or others (mode 0644)"));
		buf_free(&run.said);
	}
}

static void fingerprint_differs_by_certificate_and_algorithm(void **state)
{
	(void)state;
	struct jwt_signer *a = load_ok(pem("f1.pem", (enum part[]){KEY1, CERT1, END}));
	struct jwt_signer *b = load_ok(pem("f2.pem", (enum part[]){KEY2, CERT2, END}));
	unsigned char a_rs[32], a_ps[32], b_rs[32];
	jwt_signer_fingerprint(a, JWT_RS256, a_rs);
	jwt_signer_fingerprint(a, JWT_PS256, a_ps);
	jwt_signer_fingerprint(b, JWT_RS256, b_rs);
	assert_memory_not_equal(a_rs, a_ps, 32);
	assert_memory_not_equal(a_rs, b_rs, 32);
	jwt_signer_free(a);
	jwt_signer_free(b);
}

/* --- the assertion --- */

static unsigned char *b64url_decode(const char *s, size_t len, size_t *out_len)
{
	size_t pad = (4 - len % 4) % 4;
	char *std = calloc(1, len + pad + 1);
	for (size_t i = 0; i < len; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	memset(std + len, '=', pad);
	unsigned char *out = malloc(len + pad);
	int n = EVP_DecodeBlock(out, (unsigned char *)std, (int)(len + pad));
	assert_true(n >= 0);
	*out_len = (size_t)n - pad;
	free(std);
	return out;
}

static struct json_object *decode_part(const char *s, size_t len)
{
	size_t n;
	unsigned char *raw = b64url_decode(s, len, &n);
	char *text = strndup((char *)raw, n);
	struct json_object *o = json_tokener_parse(text);
	assert_non_null(o);
	free(raw);
	free(text);
	return o;
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;
	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

static int64_t member_int(struct json_object *o, const char *key)
{
	struct json_object *v;
	assert_true(json_object_object_get_ex(o, key, &v));
	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static char *thumbprint(const EVP_MD *md)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n;
	X509_digest(K.c1, md, d, &n);
	return base64url_encode(d, n);
}

static void check_assertion(enum jwt_alg alg)
{
	struct jwt_signer *s = load_ok(pem("sig.pem", (enum part[]){KEY1, CERT1, END}));
	struct err e = {0};
	char *jwt = jwt_client_assertion(s, alg, TOKEN_URL, CLIENT, NOW, &e);
	assert_non_null(jwt);
	char *dot1 = strchr(jwt, '.');
	char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	assert_non_null(dot2);
	assert_null(strchr(dot2 + 1, '.'));
	assert_null(strchr(jwt, '='));

	struct json_object *h = decode_part(jwt, (size_t)(dot1 - jwt));
	struct json_object *c = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	assert_string_equal(member(h, "typ"), "JWT");
	char *x5t = thumbprint(alg == JWT_PS256 ? EVP_sha256() : EVP_sha1());
	if (alg == JWT_PS256) {
		assert_string_equal(member(h, "alg"), "PS256");
		assert_string_equal(member(h, "x5t#S256"), x5t);
		assert_false(json_object_object_get_ex(h, "x5t", NULL));
	} else {
		assert_string_equal(member(h, "alg"), "RS256");
		assert_string_equal(member(h, "x5t"), x5t);
		assert_false(json_object_object_get_ex(h, "x5t#S256", NULL));
	}
	free(x5t);
	assert_string_equal(member(c, "aud"), TOKEN_URL);
	assert_string_equal(member(c, "iss"), CLIENT);
	assert_string_equal(member(c, "sub"), CLIENT);
	const char *jti = member(c, "jti");
	assert_int_equal(strlen(jti), 36);
	assert_int_equal(jti[14], '4');
	assert_int_equal(jti[8], '-');
	assert_int_equal(member_int(c, "nbf"), (int64_t)NOW);
	assert_int_equal(member_int(c, "exp"), (int64_t)NOW + 600);

	size_t siglen;
	unsigned char *sig = b64url_decode(dot2 + 1, strlen(dot2 + 1), &siglen);
	assert_int_equal(siglen, 256);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	assert_int_equal(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, K.k1), 1);
	if (alg == JWT_PS256) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32);
		EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
	}
	assert_int_equal(
	    EVP_DigestVerify(md, sig, siglen, (unsigned char *)jwt, (size_t)(dot2 - jwt)), 1);
	/* A changed claim must not verify. */
	jwt[dot1 - jwt + 3] ^= 1;
	EVP_MD_CTX_free(md);
	md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, K.k1), 1);
	if (alg == JWT_PS256) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32);
	}
	assert_int_not_equal(
	    EVP_DigestVerify(md, sig, siglen, (unsigned char *)jwt, (size_t)(dot2 - jwt)), 1);
	EVP_MD_CTX_free(md);
	free(sig);
	json_object_put(h);
	json_object_put(c);
	free(jwt);
	jwt_signer_free(s);
}

static void rs256_assertion_has_x5t_and_verifies(void **state)
{
	(void)state;
	check_assertion(JWT_RS256);
}

static void ps256_assertion_has_x5t_s256_and_verifies_with_pss(void **state)
{
	(void)state;
	check_assertion(JWT_PS256);
}

static void every_assertion_has_a_fresh_jti(void **state)
{
	(void)state;
	struct jwt_signer *s = load_ok(pem("jti.pem", (enum part[]){KEY1, CERT1, END}));
	struct err e = {0};
	char *a = jwt_client_assertion(s, JWT_RS256, TOKEN_URL, CLIENT, NOW, &e);
	char *b = jwt_client_assertion(s, JWT_RS256, TOKEN_URL, CLIENT, NOW, &e);
	char *ca = strchr(a, '.') + 1, *cb = strchr(b, '.') + 1;
	struct json_object *ja = decode_part(ca, (size_t)(strchr(ca, '.') - ca));
	struct json_object *jb = decode_part(cb, (size_t)(strchr(cb, '.') - cb));
	assert_string_not_equal(member(ja, "jti"), member(jb, "jti"));
	json_object_put(ja);
	json_object_put(jb);
	free(a);
	free(b);
	jwt_signer_free(s);
}

static void client_id_with_quotes_stays_valid_json(void **state)
{
	(void)state;
	struct jwt_signer *s = load_ok(pem("q.pem", (enum part[]){KEY1, CERT1, END}));
	struct err e = {0};
	char *a = jwt_client_assertion(s, JWT_RS256, TOKEN_URL, "a\"b\\c", NOW, &e);
	char *c = strchr(a, '.') + 1;
	struct json_object *j = decode_part(c, (size_t)(strchr(c, '.') - c));
	assert_string_equal(member(j, "iss"), "a\"b\\c");
	json_object_put(j);
	free(a);
	jwt_signer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(base64url_matches_rfc4648_without_padding),
	    cmocka_unit_test(key_then_certificate_loads),
	    cmocka_unit_test(certificate_then_key_loads),
	    cmocka_unit_test(traditional_rsa_key_loads),
	    cmocka_unit_test(chain_certificate_before_the_leaf_is_skipped),
	    cmocka_unit_test(encrypted_pkcs8_key_is_refused_with_the_decrypt_command),
	    cmocka_unit_test(encrypted_traditional_key_is_refused),
	    cmocka_unit_test(key_not_matching_certificate_is_refused),
	    cmocka_unit_test(file_without_key_or_certificate_is_refused),
	    cmocka_unit_test(non_rsa_key_is_refused),
	    cmocka_unit_test(missing_file_is_refused),
	    cmocka_unit_test(group_readable_file_warns_only_when_verbose),
	    cmocka_unit_test(fingerprint_differs_by_certificate_and_algorithm),
	    cmocka_unit_test(rs256_assertion_has_x5t_and_verifies),
	    cmocka_unit_test(ps256_assertion_has_x5t_s256_and_verifies_with_pss),
	    cmocka_unit_test(every_assertion_has_a_fresh_jti),
	    cmocka_unit_test(client_id_with_quotes_stays_valid_json),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
