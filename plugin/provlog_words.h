/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every word about what the provisioning logs say (--object-errors): the
 * job's long-output clause, the finding's words, the event handler's clause
 * and the notes on what could not be read. */
#ifndef CES_PROVLOG_WORDS_H
#define CES_PROVLOG_WORDS_H

#include <stddef.h>

#include "common.h"
#include "evaluate.h"
#include "provlog.h"

/* The permissions and the licence the logs need, as every message names them. */
#define PROVLOG_NEEDS                                                                              \
	"the Microsoft Graph application permissions AuditLog.Read.All and Directory.Read.All "    \
	"(admin consent granted) and a tenant with Microsoft Entra ID P1 or P2"

/* Appends ", object errors of the last cycle ...: 12 failed objects, 2 error
 * codes; <code> (<category>) 9 objects, e.g. User 'name' (id): <reason>; ..."
 * for a summary that is known; nothing otherwise (a note says why). */
void provlog_words_detail(const struct provlog_result *o, struct buf *b);
/* "12 failed objects in the last cycle" (with "at least" when the read was
 * capped), for the finding of a threshold passed. */
void provlog_words_count(const struct provlog_result *o, struct buf *b);
/* ", mostly <code>" when a code is known, else nothing. */
void provlog_words_mostly(const struct provlog_result *o, struct buf *b);
/* The event handler's clause: "top object error <code> (9 of 12 failed
 * objects in the last cycle)", "no failed objects logged in the last
 * cycle" or "object errors not read: <why>"; "" when nothing was asked. */
void provlog_words_clause(const struct provlog_result *o, char *out, size_t n);
/* The notes of a run on logs it could not read, each into its buffer
 * (left empty when there is nothing to say): the refusal, once (naming the
 * permissions and the licence, and until when it is remembered), and the
 * jobs whose logs were skipped or failed, in one line naming the first. */
void provlog_words_notes(const struct job_result *r, size_t n, struct buf *refusal,
                         struct buf *skipped);
/* The metric failed_objects of r: the summary's objects; 0 for a job whose
 * last run succeeded without escrows (nothing failed, nothing to read), so
 * that a graph has no gap while the job is healthy. false when --object-errors
 * is off or nothing is known. */
bool provlog_words_failed_objects(const struct job_result *r, double *value);

#endif
