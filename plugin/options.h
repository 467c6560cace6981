/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Command line and environment -> one configuration, read-only afterwards.
 * It holds each lower module's own options struct (the module defines it,
 * options fills it) and the options of the modes. */
#ifndef CES_OPTIONS_H
#define CES_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "auth.h"
#include "common.h"
#include "evaluate.h"
#include "expiry.h"
#include "format/writer.h"
#include "graph.h"
#include "http.h"
#include "range.h"

struct mode_env;

/* What a mode's row tells the code that sets a run up and ends it. */
enum mode_flag {
	/* Its exit status is a check's state: a timeout ends in -t's STATE, and
	 * its failure line follows --output-format. */
	MODE_CHECKS = 1u << 0,
	/* It leaves its decisions in syslog, and so its failure too. */
	MODE_LOGS = 1u << 1,
	/* It watches the tenant: -s, -a, -j and the service principal options
	 * do not apply. */
	MODE_TENANT = 1u << 2,
	/* It reads Graph's beta unless --api-version is given. */
	MODE_BETA = 1u << 3,
	/* It acts on the one job -j names, of one -s; --force applies. */
	MODE_ONE_JOB = 1u << 4,
	/* It may read every service principal (--all-service-principals). */
	MODE_ALL_SPS = 1u << 5,
	/* It takes the daemon's $SERVICESTATE$ $SERVICESTATETYPE$
	 * $SERVICEATTEMPT$, as options or as arguments. */
	MODE_SERVICE_STATE = 1u << 6,
	/* It can read the provisioning logs of troubled jobs (--object-errors). */
	MODE_OBJECT_ERRORS = 1u << 7,
};

/* A mode is one row of main.c's table (git's commands[]). The first row is
 * the mode no option chooses; each other row is chosen by its option. */
struct mode {
	const char *option; /* the long option without "--"; NULL in the first row */
	const char *name;   /* in the formats of values: "check", "directory_sync", ... */
	int (*run)(const struct mode_env *m, struct err *e);
	unsigned flags; /* enum mode_flag */
};

#define MODES_MAX 8

enum list_format { LIST_TEXT, LIST_JSON, LIST_ICINGA2, LIST_NAGIOS, LIST_IDS };

#define MAX_OVERRIDES 64
#define MAX_REASONS   32
#define MAX_SPS       10000 /* service principals in one run */
#define SP_FILE_MAX   (4u * 1024u * 1024u)

/* The event handler's rules (and --start's bookkeeping). */
struct handler_options {
	bool have_service_state;
	enum state service_state;
	bool have_state_type;
	bool state_hard;
	int attempt;                      /* 0 = not given */
	int on_soft_attempt;              /* 0 = never act on SOFT */
	char *allow_reasons[MAX_REASONS]; /* replaces the default set when given */
	size_t n_allow_reasons;
	bool start_paused;
	long cooldown;   /* seconds, default 3600 */
	int max_starts;  /* per job per 24 h, default 3 */
	char *state_dir; /* paths_state_dir() */
	bool dry_run;
	bool force; /* --start: past the guard rails (status, escrows pruned, cooldown, cap) */
	char *syslog_socket; /* EVENTLOG_SOCKET, or CHECK_ENTRA_SYNC_SYSLOG_SOCKET (tests) */
};

struct config {
	const struct mode *mode;  /* a row of modes */
	const struct mode *modes; /* main.c's table, n_modes rows */
	size_t n_modes;

	struct http_options http;
	struct auth_options auth;
	struct graph_options graph;
	char *cloud;       /* global | usgov | dod | china */
	char *secret_file; /* --client-secret-file, for messages and --list */

	/* what to check: one service principal (-s or -a) or many (-s repeated,
	 * --service-principals-file); sp is the first, sps all of them */
	struct sp_ref sp;
	struct sp_ref *sps;
	char **sp_names; /* display names from the file, or NULL each */
	size_t n_sps;
	size_t sp_cap; /* room in sp_ids and sp_names */
	char **sp_ids; /* owned strings behind sps */
	char *sp_id;   /* the first -s */
	char *app_id;
	char *job_id;
	char *sp_file;     /* --service-principals-file */
	char *output_file; /* --output-file, behind output.file */
	bool all_sps;      /* --list --all-service-principals */

	struct eval_config eval;
	struct state_override overrides[MAX_OVERRIDES];
	struct expiry_config expiry; /* --credential-warning / --credential-critical */
	bool secret_expiry;          /* --secret-expiry: look up the client secret's end daily */
	bool object_errors; /* --object-errors: read the provisioning logs of troubled jobs */
	struct output_options output;

	double timeout; /* seconds, default 20 (120 for --all-service-principals) */
	bool timeout_given;
	enum state timeout_state; /* default UNKNOWN */
	int verbose;              /* 0..3 */

	struct handler_options handler;
	enum list_format list_format;
};

/* Sets every default; the modes the command line chooses from are the n
 * rows of modes (at most MODES_MAX), the first the default. */
void config_init(struct config *c, const struct mode *modes, size_t n);
/* Parses argv and the AZURE_* environment. Returns 0, 1 when --help or
 * --version was handled (printed to out, caller exits 0), or -1 with e
 * (ERR_USAGE / ERR_CONFIG). Resolves the cloud table, URL overrides, the
 * identity method and reads the secret file. */
int config_parse(struct config *c, int argc, char **argv, FILE *out, struct err *e);
void config_free(struct config *c);

/* After config_parse failed: c->output and c->mode as the whole command
 * line gives them (--output-format, --output-file, the mode, the tenant),
 * whatever came before the error, so that the error is told in the format
 * asked for, where it was asked for. */
void config_salvage_output(struct config *c, int argc, char **argv);

#endif
