/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Credential expiry: which of the application's client secrets is the one in
 * use, and how its end (or a certificate's notAfter) compares with
 * --credential-warning / --credential-critical. Facts only: output.c writes
 * the words. Pure (now passed in). */
#ifndef CES_EXPIRY_H
#define CES_EXPIRY_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "credential.h"
#include "range.h"

#define EXPIRY_WARN_DEFAULT (30.0 * 86400.0)
#define EXPIRY_CRIT_DEFAULT (7.0 * 86400.0)

struct expiry_config {
	struct range warn, crit; /* on credential_expires_in; default "30d:" and "7d:" */
};

/* Defaults: WARNING below 30 days, CRITICAL below 7 days. */
void expiry_config_init(struct expiry_config *cfg);

/* --credential-warning/-critical: a duration (s, m, h, d) means "alert when
 * fewer seconds than this are left" (the range "N:"); text with ':' or a
 * leading '@' is a range as for -w. 0, or -1 with e (ERR_USAGE). */
int expiry_threshold_parse(const char *text, struct range *r, struct err *e);

/* The secret in use among the application's secrets, found by its hint (the
 * first three characters of the value). Several may share a hint: the
 * candidates are those that can be the one this run signs in with (started,
 * not yet ended at now), and of them the one that ends first is chosen, so
 * a rotation that left an old secret with the same hint warns rather than
 * hides it; a secret without an end date ends last of all. With no such
 * candidate, the matching secret that ended last. */
struct secret_choice {
	bool found;
	size_t index;    /* into app_credentials.secret */
	size_t matching; /* secrets whose hint matches (with an end date, or none) */
};
#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
void expiry_choose_secret(const struct app_credentials *creds, const char *secret, double now,
                          struct secret_choice *out);
#endif

enum expiry_source { EXPIRY_SOURCE_NONE, EXPIRY_SOURCE_CERTIFICATE, EXPIRY_SOURCE_SECRET };

enum expiry_status {
	EXPIRY_NOT_APPLICABLE, /* nothing to report (managed identity, token file, secret
	                          without --secret-expiry) */
	EXPIRY_KNOWN,          /* end holds the credential's end */
	EXPIRY_NO_END,         /* the secret in use has no end date: it never expires */
	EXPIRY_NO_PERMISSION,  /* the application could not be read: 401/403 */
	EXPIRY_NO_APPLICATION, /* 404: no application object of this client id in the tenant */
	EXPIRY_NO_MATCH,       /* no client secret with the hint of the one in use */
	EXPIRY_LOOKUP_FAILED,  /* network, throttling, server error, malformed answer */
};

struct expiry_result {
	enum expiry_status status;
	enum expiry_source source;
	double end;        /* KNOWN: epoch */
	double expires_in; /* KNOWN: end - now, negative once expired */
	enum state state;  /* KNOWN and a threshold passed; OK otherwise */
	bool passed_crit;  /* state came from crit (else from warn, when not OK) */
	struct range warn, crit;
	size_t matching;          /* SECRET: secrets sharing the hint */
	size_t secrets;           /* SECRET: client secrets on the application */
	char name[CRED_NAME_MAX]; /* the secret's displayName, or the certificate file */
	char key_id[48];          /* SECRET: the chosen secret's keyId (the portal's Secret ID) */
	double checked_at;        /* SECRET: when the application was read */
	double checked_age;       /* SECRET: seconds since then */
	bool from_cache;          /* SECRET: the lookup is a cached one */
	char why[200];            /* LOOKUP_FAILED: what went wrong */
};

/* Sets expires_in, state and the thresholds from r->status and r->end. */
void expiry_judge(const struct expiry_config *cfg, double now, struct expiry_result *r);

/* r (status KNOWN or NO_END, source SECRET, name, key_id, matching,
 * secrets) from the chosen secret, or status NO_MATCH. */
void expiry_from_secrets(const struct app_credentials *creds, const char *secret, double now,
                         struct expiry_result *r);

#endif
