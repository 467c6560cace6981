/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HTTP over libcurl with one deadline for the whole run, retries on
 * 429/503/504, capped bodies and a redacting trace. */
#ifndef CES_HTTP_H
#define CES_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "run.h"
#include "url.h"

#define HTTP_BODY_MAX (4u * 1024u * 1024u)

/* What the transport needs to know; filled by options.c, read-only here. */
struct http_options {
	char *cacert; /* trust these CA certificates, or NULL */
	char *capath; /* trust this hashed directory, or NULL */
	char *proxy;  /* or NULL: libcurl's proxy variables apply */
	/* The configured service bases (owned by the auth and graph options):
	 * they name the service in errors, and imds_url is the one plain-HTTP
	 * origin allowed (with HTTP_RETRY_IMDS) besides loopback. */
	const char *graph_url;
	const char *login_url;
	const char *imds_url;
};

struct http_client {
	void *curl; /* CURL *, reused for every request (connection reuse) */
	const struct http_options *opt;
	struct url_proxies proxies; /* --proxy and the proxy variables, read once */
	struct run *run;            /* the deadline, -v diagnostics */
	double seconds;             /* wall time spent in HTTP so far (the 'time' metric) */
	unsigned requests;          /* requests sent, retries included */
};

struct http_response {
	long status;
	struct buf body;      /* NUL-terminated */
	char request_id[80];  /* from the request-id header, or "" */
	char retry_after[80]; /* raw Retry-After header of the final answer, or "" */
	char location[512];   /* raw Location header, or "" */
};

/* Flags for http_request. */
enum {
	HTTP_NO_PROXY = 1u << 0,   /* managed identity: never through a proxy */
	HTTP_RETRY_IMDS = 1u << 1, /* also retry 404, 410 and every 5xx; allows
	                              plain http:// to the configured IMDS URL */
	HTTP_NO_RETRY = 1u << 2,   /* one attempt only */
	HTTP_ACTION = 1u << 3,     /* an action (start), sent once: on a connection of
	                              its own, so libcurl never resends it ("Connection
	                              died, retrying a fresh connect" when a reused one
	                              closes as it goes out); retried after a 429 only (not
	                              processed), never a 503/504 (may hide a start) */
};

/* Sets up the client for the run. Trust: cacert/capath when given, otherwise
 * the system's hashed certificate directory (falling back to the bundle when
 * there is none). */
int http_init(struct http_client *h, const struct http_options *opt, struct run *run,
              struct err *e);
void http_cleanup(struct http_client *h);

/* The retry backoff, here and for $batch items: HTTP_BACKOFF_FIRST seconds,
 * doubling to at most 30 s. http_next_backoff returns the wait (with up to
 * 25 % jitter) and doubles *backoff. */
#define HTTP_BACKOFF_FIRST 0.5
double http_next_backoff(double *backoff);

/* Sends one request and waits for the final answer, retrying 429/503/504 (and
 * more with HTTP_RETRY_IMDS) while the run's deadline allows: after the
 * delay Retry-After asks for, but never sooner than an exponential backoff
 * (0.5 s doubling, with jitter), so "Retry-After: 0" is no tight loop. headers: NULL-terminated
 * array of "Name: value" lines. body may be NULL (then an empty body with Content-Length: 0 for
 * POST). Refuses http:// for hosts other than loopback, and through a proxy off loopback (it takes
 * the proxy judged so, whatever libcurl would pick), never follows redirects. Any HTTP status is
 * a success here (0); -1 only when no usable answer came: network failure, deadline (ERR_TIMEOUT),
 * throttled past the deadline (ERR_THROTTLED, with the requested delay), body over HTTP_BODY_MAX
 * (ERR_PARSE). The trace at -vvv redacts Authorization, client_secret, client_assertion and
 * access_token values. */
int http_request(struct http_client *h, const char *method, const char *url,
                 const char *const *headers, const char *body, struct http_response *resp,
                 unsigned flags, struct err *e);
void http_response_free(struct http_response *resp);

#endif
