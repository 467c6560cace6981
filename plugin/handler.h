/* The event handler's pure decisions (SPEC section 6), apart from acting. */
#ifndef CES_HANDLER_H
#define CES_HANDLER_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct sync_job;

/* May a job quarantined for this reason be started? Without --allow-reason
 * every non-empty reason except TooManyDeletes and QuarantinedOnDemand; with
 * it, exactly the listed ones. An empty or missing reason is allowed only
 * when listed as "" (--allow-reason ''): Graph did not say why, so it could
 * be a deletion threshold. Case-insensitive. */
bool handler_reason_allowed(const struct config *c, const char *reason);

enum job_action { JOB_SKIP, JOB_START };

/* What to do with a job as just read: start it only when its status is
 * Quarantine with an allowed reason, or Paused with --start-paused (and no
 * disallowed quarantine reason attached). Never a running job. why receives
 * the reason in a few words. */
enum job_action handler_job_action(const struct config *c, const struct sync_job *job, char *why,
                                   size_t n);

/* "CRITICAL HARD attempt 3" from the configured service state. */
void handler_describe_state(const struct config *c, char *out, size_t n);

#endif
