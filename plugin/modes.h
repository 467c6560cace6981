/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The modes: check, event handler, start, list, directory sync, each a row
 * of main.c's modes[]. Each returns the process exit status, or -1 with e
 * when it could not do its work at all; main then prints the one UNKNOWN
 * line every mode shares. */
#ifndef CES_MODES_H
#define CES_MODES_H

#include <stdio.h>

#include "common.h"

struct config;
struct expiry_result;
struct graph_client;
struct job_result;
struct provlog_result;
struct run;

/* The most of a job id a decision line shows: real ids are templateId and
 * 32 hex digits; a longer -j is cut so that the action taken still shows. */
#define JOB_ID_SHOWN 160

struct mode_env {
	const struct config *cfg;
	struct graph_client *g;
	struct run *run;
	FILE *out;
};

int mode_check(const struct mode_env *m, struct err *e);
/* --event-handler: decides from the service state, re-reads the job live and
 * starts it when it is quarantined for an allowed reason, under the guard
 * rails of statefile.h. */
int mode_event_handler(const struct mode_env *m, struct err *e);
/* --start -j JOB: the operator's start, recorded for the handler's rules. */
int mode_start(const struct mode_env *m, struct err *e);
/* --list --format=text|json|icinga2|nagios. */
int mode_list(const struct mode_env *m, struct err *e);
/* --directory-sync: the tenant's on-premises directory synchronization. */
int mode_directory_sync(const struct mode_env *m, struct err *e);

/* The end of the credential the run signed in with (a certificate's
 * notAfter; with --secret-expiry the client secret's end, read from the
 * application at most once a day). Call after the mode's first Graph
 * request. Never fails: what cannot be found out is a status to note. */
void mode_credential_expiry(const struct mode_env *m, struct expiry_result *out);

/* --object-errors: for each of the n results that calls for it
 * (evaluate_wants_object_errors), what the provisioning logs of its job's
 * last cycle say, out[i] for results[i]: from the cache (one read per job
 * and cycle, shared by the check and the handler) or read under the job's
 * lock, within the application's shared request window and the deadline,
 * keeping reserve seconds of -t for the mode. Worst jobs first. Never
 * fails: what could not be read is a status with a reason. */
void mode_object_errors(const struct mode_env *m, const struct job_result *results, size_t n,
                        double reserve, struct provlog_result *out);

#endif
