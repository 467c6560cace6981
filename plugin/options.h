/* Command line and environment -> one read-only configuration. */
#ifndef CES_OPTIONS_H
#define CES_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "common.h"
#include "evaluate.h"
#include "range.h"

enum mode { MODE_CHECK, MODE_EVENT_HANDLER, MODE_START, MODE_LIST };
enum auth_method {
	AUTH_NONE,
	AUTH_SECRET,
	AUTH_CERTIFICATE,
	AUTH_MANAGED_IDENTITY,
	AUTH_TOKEN_FILE
};
enum jwt_alg { JWT_RS256, JWT_PS256 };
enum list_format { LIST_TEXT, LIST_JSON, LIST_ICINGA2, LIST_NAGIOS };

#define MAX_OVERRIDES 64
#define MAX_REASONS   32

struct config {
	enum mode mode;

	/* identity */
	enum auth_method auth;
	char *tenant;
	char *client_id;
	char *secret; /* the secret value, read from file or AZURE_CLIENT_SECRET; never from argv */
	char *secret_file;
	char *certificate; /* PEM path */
	enum jwt_alg jwt_alg;
	bool managed_identity;
	char *mi_client_id; /* user-assigned identity, or NULL */
	char *access_token_file;

	/* endpoints: after config_resolve, all of these are set (no trailing '/') */
	char *cloud; /* global | usgov | dod | china */
	char *login_url;
	char *graph_url;
	char *imds_url;
	char *scope;           /* {cloud graph}/.default */
	char *mi_resource;     /* {cloud graph} */
	char *api_version;     /* v1.0 | beta */
	char *token_cache_dir; /* resolved default when not given */
	bool no_token_cache;

	/* what to check */
	char *sp_id;
	char *app_id;
	char *job_id;

	/* evaluation */
	struct eval_config eval;
	struct state_override overrides[MAX_OVERRIDES];

	/* connection */
	double timeout;           /* seconds, default 20 */
	enum state timeout_state; /* default UNKNOWN */
	char *cacert;
	char *capath;
	char *proxy;
	int verbose; /* 0..3 */

	/* event handler */
	bool have_service_state;
	enum state service_state;
	bool have_state_type;
	bool state_hard;
	int attempt;         /* 0 = not given */
	int on_soft_attempt; /* 0 = never act on SOFT */
	char *allow_reasons[MAX_REASONS];
	size_t n_allow_reasons; /* 0 = default set */
	bool start_paused;
	long cooldown;   /* seconds, default 3600 */
	int max_starts;  /* per job per 24 h, default 3 */
	char *state_dir; /* default: beside the token cache */
	bool dry_run;
	char *syslog_socket; /* EVENTLOG_SOCKET, or CHECK_ENTRA_SYNC_SYSLOG_SOCKET (tests) */

	/* list */
	enum list_format list_format;
};

/* Sets every default. */
void config_init(struct config *c);
/* Parses argv and the AZURE_* environment. Returns 0, 1 when --help or
 * --version was handled (printed to out, caller exits 0), or -1 with e
 * (ERR_USAGE / ERR_CONFIG). Resolves the cloud table, URL overrides, the
 * identity method and reads the secret file. */
int config_parse(struct config *c, int argc, char **argv, FILE *out, struct err *e);
void config_free(struct config *c);

/* The URL path prefix naming the service principal:
 * "/servicePrincipals/{id}" or "/servicePrincipals(appId='{appId}')", escaped. malloc'd. */
char *config_sp_path(const struct config *c);

void usage_print(FILE *out);

#endif
