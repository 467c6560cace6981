/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Microsoft's limit on the Entra reporting APIs (the provisioning logs among
 * them): five requests per 10 seconds per application and tenant. Every
 * process of one application draws from one window of recent send times,
 * kept in a small file of the cache directory under an flock, so that forty
 * checks started together still send five requests in any ten seconds. */
#ifndef CES_REPORTS_BUCKET_H
#define CES_REPORTS_BUCKET_H

#include <stddef.h>

#include "common.h"

#define BUCKET_SLOTS 5
/* Microsoft's 10 s, and a second for a request to arrive: the window is
 * counted where a request is taken, Microsoft counts where it lands. */
#define BUCKET_WINDOW 11.0

/* Why a sliding window and not a refilling bucket: a bucket of five that
 * refills five per 10 s lets ten requests through in some 10 s. */
struct bucket {
	double sent[BUCKET_SLOTS]; /* wall-clock epochs of the last requests, oldest first */
	size_t n;
	double blocked_until; /* a 429's Retry-After, told to every process */
};

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* Seconds until a request may go at now (0: at once). Pure. */
double bucket_wait(const struct bucket *b, double now);
/* Records a request sent at now (forgetting the oldest). Pure. */
void bucket_take(struct bucket *b, double now);
/* Holds every request back until until (a 429's Retry-After). Pure. */
void bucket_block(struct bucket *b, double until);

/* Entry text. parse forgets what lies outside the window at now and treats
 * a time ahead of now (the clock went back) as now; -1 when the text is not
 * a complete entry. */
char *bucket_format(const struct bucket *b);
int bucket_parse(const char *data, size_t len, double now, struct bucket *b);
#endif

/* Waits for a free place in the window of name (in the cache directory
 * dirfd) and takes it, until the monotonic deadline. 0, or -1 with e:
 * ERR_THROTTLED when the deadline comes first (the message says how long
 * the next place is away), ERR_TIMEOUT or ERR_CONFIG for the lock. A missing
 * or damaged file is an empty window. *waited: seconds spent waiting. */
int bucket_acquire(int dirfd, const char *name, double deadline, double *waited, struct err *e);
/* Tells every process of the application to hold back until now + seconds
 * (Graph answered 429 with Retry-After). 0 or -1 with e. */
int bucket_hold(int dirfd, const char *name, double seconds, double deadline, struct err *e);

#endif
