/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tenant's on-premises directory synchronization (Entra Connect /
 * Connect Cloud Sync) as Graph describes it in two resources, organization
 * and onPremisesDirectorySynchronization: Graph JSON in, plain C struct out.
 * What only beta carries (the interval, the customer's interval, the last
 * password hash sync) is told apart from what is null. */
#ifndef CES_DIRSYNC_DATA_H
#define CES_DIRSYNC_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "timeparse.h"

struct json_object;

#define DIRSYNC_TEXT_MAX 64

/* A boolean member that may also be null or missing. */
enum tri { TRI_ABSENT, TRI_NULL, TRI_FALSE, TRI_TRUE };

struct dirsync_time {
	bool present; /* the member is in the answer (null included) */
	enum time_result valid;
	double t; /* epoch, when valid */
};

struct dirsync_interval {
	bool present;                /* the member is in the answer */
	char text[DIRSYNC_TEXT_MAX]; /* as sent, "" when null */
	bool valid;                  /* an ISO 8601 duration above 0 */
	double seconds;
};

/* accidentalDeletionPrevention.synchronizationPreventionType, read
 * case-insensitively; a value the plugin does not know is kept as sent. */
enum deletion_prevention {
	PREVENTION_ABSENT, /* no accidentalDeletionPrevention, or no type */
	PREVENTION_DISABLED,
	PREVENTION_COUNT,      /* enabledForCount */
	PREVENTION_PERCENTAGE, /* enabledForPercentage */
	PREVENTION_OTHER,
};

struct dirsync_data {
	/* organization */
	enum tri sync_enabled;                  /* onPremisesSyncEnabled */
	struct dirsync_time last_sync;          /* onPremisesLastSyncDateTime */
	struct dirsync_time last_password_sync; /* onPremisesLastPasswordSyncDateTime (beta) */
	/* onPremisesDirectorySynchronization */
	bool sync_object;                 /* the collection held an object */
	struct dirsync_interval interval; /* configuration.synchronizationInterval (beta) */
	struct dirsync_interval customer_interval; /* ...customerRequestedSynchronizationInterval */
	enum deletion_prevention prevention;
	char prevention_type[DIRSYNC_TEXT_MAX]; /* as sent */
	bool has_alert_threshold;
	int64_t alert_threshold;
	enum tri password_sync; /* features.passwordSyncEnabled */
};

/* Fills d from the organization collection ({"value":[organization]}) and
 * the onPremisesSynchronization collection ({"value":[object]}). An
 * organization collection without an organization, or an
 * onPremisesSyncEnabled that is neither a boolean nor null, is refused;
 * other wrongly typed members read as absent. 0, or -1 with e (ERR_PARSE). */
int dirsync_from_json(struct json_object *organization, struct json_object *sync,
                      struct dirsync_data *d, struct err *e);

#endif
