/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The event handler's decisions, apart from acting. Pure. */
#ifndef CES_HANDLER_H
#define CES_HANDLER_H

#include <stdbool.h>
#include <stddef.h>

#include "evaluate.h"

struct handler_options;

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* May a job quarantined for this reason be started? By default the reasons
 * whose cause may be gone by the time a start retries (the man page, EVENT
 * HANDLER, says why each): EncounteredBaseEscrowThreshold,
 * EncounteredTotalEscrowThreshold, EncounteredEscrowProportionThreshold,
 * EncounteredQuarantineException, IngestionInterrupted, Unknown; never an
 * empty reason, TooManyDeletes, QuarantinedOnDemand or a reason this plugin
 * does not know. --allow-reason replaces the set ('' allows the empty
 * reason). Case-insensitive. */
bool handler_reason_allowed(const struct handler_options *h, const char *reason);
#endif

enum repair {
	REPAIR_NOTHING,       /* healthy, or nothing a start repairs */
	REPAIR_START,         /* quarantined for an allowed reason, or Paused with --start-paused */
	REPAIR_REASON_DENIED, /* needs repair, but its reason is not allowed */
	REPAIR_PAUSED_LEFT,   /* Paused, and --start-paused not given */
	REPAIR_ESCROWS_PRUNED, /* escrows pruned: Microsoft paused it for clean-up, never started */
};

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* What the job, as check mode judged it, calls for. The evaluation decides
 * whether anything is wrong (a job --state declares OK is left alone); the
 * status and reason decide whether a start is the repair. */
enum repair handler_decide(const struct handler_options *h, const struct job_result *r);

/* Acts only on CRITICAL HARD, or CRITICAL SOFT at exactly --on-soft-attempt. */
bool handler_should_act(const struct handler_options *h);

/* "CRITICAL HARD attempt 3" from the configured service state. */
void handler_describe_state(const struct handler_options *h, char *out, size_t n);
#endif

#endif
