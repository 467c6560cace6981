/* Command line and environment -> struct config, then treated as read-only. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "eventlog.h"
#include "http.h"

struct cloud {
	const char *name;
	const char *login;
	const char *graph;
};

static const struct cloud clouds[] = {
    {"global", "https://login.microsoftonline.com", "https://graph.microsoft.com"},
    {"usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us"},
    {"dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"},
    {"china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"},
};

#define DEFAULT_IMDS_URL "http://169.254.169.254"

enum long_only {
	OPT_SECRET_FILE = 1000,
	OPT_SECRET_ON_ARGV,
	OPT_CERTIFICATE,
	OPT_JWT_ALG,
	OPT_MANAGED_IDENTITY,
	OPT_TOKEN_FILE,
	OPT_CLOUD,
	OPT_LOGIN_URL,
	OPT_GRAPH_URL,
	OPT_IMDS_URL,
	OPT_API_VERSION,
	OPT_TOKEN_CACHE,
	OPT_NO_TOKEN_CACHE,
	OPT_FAIL_WARN,
	OPT_FAIL_CRIT,
	OPT_ESC_WARN,
	OPT_ESC_CRIT,
	OPT_STATE,
	OPT_CACERT,
	OPT_CAPATH,
	OPT_PROXY,
	OPT_EVENT_HANDLER,
	OPT_SERVICE_STATE,
	OPT_STATE_TYPE,
	OPT_ATTEMPT,
	OPT_ON_SOFT,
	OPT_ALLOW_REASON,
	OPT_START_PAUSED,
	OPT_COOLDOWN,
	OPT_MAX_STARTS,
	OPT_STATE_DIR,
	OPT_DRY_RUN,
	OPT_START,
	OPT_LIST,
	OPT_FORMAT,
};

static const struct option long_options[] = {
    {"tenant", required_argument, NULL, 'T'},
    {"client-id", required_argument, NULL, 'C'},
    {"client-secret-file", required_argument, NULL, OPT_SECRET_FILE},
    /* Listed so that getopt's prefix matching never turns "--client-secret VALUE"
     * into a file name that an error message would then print. */
    {"client-secret", optional_argument, NULL, OPT_SECRET_ON_ARGV},
    {"secret", optional_argument, NULL, OPT_SECRET_ON_ARGV},
    {"certificate", required_argument, NULL, OPT_CERTIFICATE},
    {"jwt-alg", required_argument, NULL, OPT_JWT_ALG},
    {"managed-identity", optional_argument, NULL, OPT_MANAGED_IDENTITY},
    {"access-token-file", required_argument, NULL, OPT_TOKEN_FILE},
    {"cloud", required_argument, NULL, OPT_CLOUD},
    {"login-url", required_argument, NULL, OPT_LOGIN_URL},
    {"graph-url", required_argument, NULL, OPT_GRAPH_URL},
    {"imds-url", required_argument, NULL, OPT_IMDS_URL},
    {"api-version", required_argument, NULL, OPT_API_VERSION},
    {"token-cache", required_argument, NULL, OPT_TOKEN_CACHE},
    {"no-token-cache", no_argument, NULL, OPT_NO_TOKEN_CACHE},
    {"service-principal", required_argument, NULL, 's'},
    {"app-id", required_argument, NULL, 'a'},
    {"job", required_argument, NULL, 'j'},
    {"warning", required_argument, NULL, 'w'},
    {"critical", required_argument, NULL, 'c'},
    {"failures-warning", required_argument, NULL, OPT_FAIL_WARN},
    {"failures-critical", required_argument, NULL, OPT_FAIL_CRIT},
    {"escrow-warning", required_argument, NULL, OPT_ESC_WARN},
    {"escrow-critical", required_argument, NULL, OPT_ESC_CRIT},
    {"state", required_argument, NULL, OPT_STATE},
    {"timeout", required_argument, NULL, 't'},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"capath", required_argument, NULL, OPT_CAPATH},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"event-handler", no_argument, NULL, OPT_EVENT_HANDLER},
    {"service-state", required_argument, NULL, OPT_SERVICE_STATE},
    {"state-type", required_argument, NULL, OPT_STATE_TYPE},
    {"attempt", required_argument, NULL, OPT_ATTEMPT},
    {"on-soft-attempt", required_argument, NULL, OPT_ON_SOFT},
    {"allow-reason", required_argument, NULL, OPT_ALLOW_REASON},
    {"start-paused", no_argument, NULL, OPT_START_PAUSED},
    {"cooldown", required_argument, NULL, OPT_COOLDOWN},
    {"max-starts", required_argument, NULL, OPT_MAX_STARTS},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"start", no_argument, NULL, OPT_START},
    {"list", no_argument, NULL, OPT_LIST},
    {"format", required_argument, NULL, OPT_FORMAT},
    {NULL, 0, NULL, 0},
};

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = MODE_CHECK;
	c->jwt_alg = JWT_RS256;
	c->timeout = 20;
	c->timeout_state = STATE_UNKNOWN;
	c->cooldown = 3600;
	c->max_starts = 3;
	c->list_format = LIST_TEXT;
	eval_config_init(&c->eval);
	c->eval.overrides = c->overrides;
}

static void set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = value ? strdup(value) : NULL;
}

void config_free(struct config *c)
{
	char **strs[] = {&c->tenant,       &c->client_id,       &c->secret_file,
	                 &c->certificate,  &c->mi_client_id,    &c->access_token_file,
	                 &c->cloud,        &c->login_url,       &c->graph_url,
	                 &c->imds_url,     &c->scope,           &c->mi_resource,
	                 &c->api_version,  &c->token_cache_dir, &c->sp_id,
	                 &c->app_id,       &c->job_id,          &c->cacert,
	                 &c->capath,       &c->proxy,           &c->state_dir,
	                 &c->syslog_socket};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		set_str(strs[i], NULL);
	if (c->secret != NULL) {
		/* explicit_bzero is not C11; a volatile loop keeps the wipe */
		volatile char *p = c->secret;
		while (*p)
			*p++ = '\0';
		free(c->secret);
		c->secret = NULL;
	}
	for (size_t i = 0; i < c->n_allow_reasons; i++)
		free(c->allow_reasons[i]);
	c->n_allow_reasons = 0;
}

static int parse_long(const char *text, long min, long max, const char *what, long *out,
                      struct err *e)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
		return err_set(e, ERR_USAGE, "%s must be a whole number from %ld to %ld, not '%s'",
		               what, min, max, text);
	*out = v;
	return 0;
}

static int parse_timeout(struct config *c, const char *text, struct err *e)
{
	char num[64];
	str_copy(num, sizeof(num), text);
	char *colon = strchr(num, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (state_parse(colon + 1, &c->timeout_state) < 0)
			return err_set(e, ERR_USAGE,
			               "-t: state after ':' must be ok, warning, critical or "
			               "unknown, not '%s'",
			               colon + 1);
	}
	char *end = NULL;
	errno = 0;
	double v = strtod(num, &end);
	if (errno != 0 || end == num || *end != '\0' || !(v > 0) || v > 3600)
		return err_set(e, ERR_USAGE,
		               "-t: timeout must be a number of seconds above 0 and at most 3600, "
		               "not '%s'",
		               text);
	c->timeout = v;
	return 0;
}

static int parse_override(struct config *c, const char *text, struct err *e)
{
	const char *eq = strrchr(text, '=');
	if (eq == NULL || eq == text)
		return err_set(e, ERR_USAGE,
		               "--state takes KEY=STATE (e.g. Paused=ok, quarantine:TooManyDeletes="
		               "warning, execution:Failed=critical), not '%s'",
		               text);
	if (c->eval.n_overrides >= MAX_OVERRIDES)
		return err_set(e, ERR_USAGE, "--state given more than %d times", MAX_OVERRIDES);
	struct state_override *o = &c->overrides[c->eval.n_overrides];
	size_t klen = (size_t)(eq - text);
	if (klen >= sizeof(o->key))
		return err_set(e, ERR_USAGE, "--state: key too long in '%s'", text);
	if (state_parse(eq + 1, &o->state) < 0)
		return err_set(
		    e, ERR_USAGE,
		    "--state: '%s' is not a state (ok, warning, critical, unknown or 0-3)", eq + 1);
	memcpy(o->key, text, klen);
	o->key[klen] = '\0';
	c->eval.n_overrides++;
	return 0;
}

static int parse_state_type(struct config *c, const char *text, struct err *e)
{
	if (strcasecmp(text, "HARD") == 0)
		c->state_hard = true;
	else if (strcasecmp(text, "SOFT") == 0)
		c->state_hard = false;
	else
		return err_set(e, ERR_USAGE, "state type must be SOFT or HARD, not '%s'", text);
	c->have_state_type = true;
	return 0;
}

static int parse_service_state(struct config *c, const char *text, struct err *e)
{
	if (state_parse(text, &c->service_state) < 0)
		return err_set(e, ERR_USAGE,
		               "service state must be OK, WARNING, CRITICAL or UNKNOWN, not '%s'",
		               text);
	c->have_service_state = true;
	return 0;
}

static int parse_attempt(struct config *c, const char *text, struct err *e)
{
	long v;
	if (parse_long(text, 1, 1000000, "attempt", &v, e) < 0)
		return -1;
	c->attempt = (int)v;
	return 0;
}

static int set_mode(struct config *c, enum mode m, struct err *e)
{
	if (c->mode != MODE_CHECK && c->mode != m)
		return err_set(e, ERR_USAGE,
		               "--event-handler, --start and --list exclude each other");
	c->mode = m;
	return 0;
}

static int parse_format(struct config *c, const char *text, struct err *e)
{
	static const char *const names[] = {"text", "json", "icinga2", "nagios"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i]) == 0) {
			c->list_format = (enum list_format)i;
			return 0;
		}
	}
	return err_set(e, ERR_USAGE, "--format must be text, json, icinga2 or nagios, not '%s'",
	               text);
}

static int parse_range_opt(struct range *r, const char *text, bool durations, const char *opt,
                           struct err *e)
{
	if (range_parse(text, durations, r, e) < 0)
		return err_prefix(e, "%s", opt);
	return 0;
}

/* Handles one option; 1 for help/version, 0 to go on, -1 on error. */
static int apply_option(struct config *c, int opt, const char *arg, FILE *out, struct err *e)
{
	long v;
	switch (opt) {
	case 'T':
		set_str(&c->tenant, arg);
		return 0;
	case 'C':
		set_str(&c->client_id, arg);
		return 0;
	case OPT_SECRET_FILE:
		set_str(&c->secret_file, arg);
		return 0;
	case OPT_SECRET_ON_ARGV:
		return err_set(e, ERR_USAGE,
		               "secrets are not accepted on the command line (other users see "
		               "them in ps): use --client-secret-file FILE or AZURE_CLIENT_SECRET");
	case OPT_CERTIFICATE:
		set_str(&c->certificate, arg);
		return 0;
	case OPT_JWT_ALG:
		if (strcasecmp(arg, "RS256") == 0)
			c->jwt_alg = JWT_RS256;
		else if (strcasecmp(arg, "PS256") == 0)
			c->jwt_alg = JWT_PS256;
		else
			return err_set(e, ERR_USAGE, "--jwt-alg must be RS256 or PS256, not '%s'",
			               arg);
		return 0;
	case OPT_MANAGED_IDENTITY:
		c->managed_identity = true;
		set_str(&c->mi_client_id, arg && *arg ? arg : NULL);
		return 0;
	case OPT_TOKEN_FILE:
		set_str(&c->access_token_file, arg);
		return 0;
	case OPT_CLOUD:
		set_str(&c->cloud, arg);
		return 0;
	case OPT_LOGIN_URL:
		set_str(&c->login_url, arg);
		return 0;
	case OPT_GRAPH_URL:
		set_str(&c->graph_url, arg);
		return 0;
	case OPT_IMDS_URL:
		set_str(&c->imds_url, arg);
		return 0;
	case OPT_API_VERSION:
		if (strcmp(arg, "v1.0") != 0 && strcmp(arg, "beta") != 0)
			return err_set(e, ERR_USAGE, "--api-version must be v1.0 or beta, not '%s'",
			               arg);
		set_str(&c->api_version, arg);
		return 0;
	case OPT_TOKEN_CACHE:
		set_str(&c->token_cache_dir, arg);
		return 0;
	case OPT_NO_TOKEN_CACHE:
		c->no_token_cache = true;
		return 0;
	case 's':
		set_str(&c->sp_id, arg);
		return 0;
	case 'a':
		set_str(&c->app_id, arg);
		return 0;
	case 'j':
		set_str(&c->job_id, arg);
		return 0;
	case 'w':
		return parse_range_opt(&c->eval.age_warn, arg, true, "-w", e);
	case 'c':
		return parse_range_opt(&c->eval.age_crit, arg, true, "-c", e);
	case OPT_FAIL_WARN:
		return parse_range_opt(&c->eval.fail_warn, arg, false, "--failures-warning", e);
	case OPT_FAIL_CRIT:
		return parse_range_opt(&c->eval.fail_crit, arg, false, "--failures-critical", e);
	case OPT_ESC_WARN:
		return parse_range_opt(&c->eval.escrow_warn, arg, false, "--escrow-warning", e);
	case OPT_ESC_CRIT:
		return parse_range_opt(&c->eval.escrow_crit, arg, false, "--escrow-critical", e);
	case OPT_STATE:
		return parse_override(c, arg, e);
	case 't':
		return parse_timeout(c, arg, e);
	case OPT_CACERT:
		set_str(&c->cacert, arg);
		return 0;
	case OPT_CAPATH:
		set_str(&c->capath, arg);
		return 0;
	case OPT_PROXY:
		set_str(&c->proxy, arg);
		return 0;
	case 'v':
		if (c->verbose < 3)
			c->verbose++;
		return 0;
	case 'h':
		usage_print(out);
		return 1;
	case 'V':
		fprintf(out, "%s %s\n", PLUGIN_NAME, PLUGIN_VERSION);
		return 1;
	case OPT_EVENT_HANDLER:
		return set_mode(c, MODE_EVENT_HANDLER, e);
	case OPT_SERVICE_STATE:
		return parse_service_state(c, arg, e);
	case OPT_STATE_TYPE:
		return parse_state_type(c, arg, e);
	case OPT_ATTEMPT:
		return parse_attempt(c, arg, e);
	case OPT_ON_SOFT:
		if (parse_long(arg, 1, 1000, "--on-soft-attempt", &v, e) < 0)
			return -1;
		c->on_soft_attempt = (int)v;
		return 0;
	case OPT_ALLOW_REASON:
		if (c->n_allow_reasons >= MAX_REASONS)
			return err_set(e, ERR_USAGE, "--allow-reason given more than %d times",
			               MAX_REASONS);
		c->allow_reasons[c->n_allow_reasons++] = strdup(arg);
		return 0;
	case OPT_START_PAUSED:
		c->start_paused = true;
		return 0;
	case OPT_COOLDOWN:
		if (parse_long(arg, 0, 30L * 86400, "--cooldown", &v, e) < 0)
			return -1;
		c->cooldown = v;
		return 0;
	case OPT_MAX_STARTS:
		if (parse_long(arg, 0, 1000, "--max-starts", &v, e) < 0)
			return -1;
		c->max_starts = (int)v;
		return 0;
	case OPT_STATE_DIR:
		set_str(&c->state_dir, arg);
		return 0;
	case OPT_DRY_RUN:
		c->dry_run = true;
		return 0;
	case OPT_START:
		return set_mode(c, MODE_START, e);
	case OPT_LIST:
		return set_mode(c, MODE_LIST, e);
	case OPT_FORMAT:
		return parse_format(c, arg, e);
	}
	return err_set(e, ERR_USAGE, "internal: unhandled option %d", opt);
}

/* Names the offending option without its value (which could be a secret). */
static int bad_option(char *const *argv, int index, int optopt_char, struct err *e)
{
	char name[64] = "";
	if (optopt_char > 0 && optopt_char < 256 && isprint(optopt_char))
		snprintf(name, sizeof(name), "-%c", optopt_char);
	else if (index > 0 && argv[index - 1] != NULL) {
		str_copy(name, sizeof(name), argv[index - 1]);
		name[strcspn(name, "=")] = '\0';
	}
	return err_set(e, ERR_USAGE, "unknown option or missing value: %s (see --help)", name);
}

/* Arguments are never echoed: a stray one may be a secret pasted without its
 * option. */
static int take_positionals(struct config *c, int argc, char **argv, int first, struct err *e)
{
	int n = argc - first;
	if (n == 0)
		return 0;
	if (c->mode != MODE_EVENT_HANDLER)
		return err_set(
		    e, ERR_USAGE,
		    "unexpected argument at position %d (not shown): only --event-handler "
		    "takes arguments, $SERVICESTATE$ $SERVICESTATETYPE$ $SERVICEATTEMPT$",
		    first);
	if (n != 3)
		return err_set(e, ERR_USAGE,
		               "--event-handler needs three arguments, $SERVICESTATE$ "
		               "$SERVICESTATETYPE$ $SERVICEATTEMPT$, not %d",
		               n);
	if (parse_service_state(c, argv[first], e) < 0 ||
	    parse_state_type(c, argv[first + 1], e) < 0 || parse_attempt(c, argv[first + 2], e) < 0)
		return -1;
	return 0;
}

static char *url_base(const char *url)
{
	char *s = strdup(url);
	if (s == NULL)
		return NULL;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

static int check_url(const char *opt, const char *url, struct err *e)
{
	if (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0)
		return err_set(e, ERR_USAGE, "%s must be an http:// or https:// URL, not '%s'", opt,
		               url);
	if (strncasecmp(url, "http://", 7) == 0 && !url_host_is_loopback(url))
		return err_set(e, ERR_USAGE,
		               "%s: plain http:// is allowed only for loopback hosts (tests); use "
		               "https://",
		               opt);
	return 0;
}

static int resolve_endpoints(struct config *c, struct err *e)
{
	const struct cloud *cl = &clouds[0];
	if (c->cloud != NULL) {
		cl = NULL;
		for (size_t i = 0; i < sizeof(clouds) / sizeof(clouds[0]); i++)
			if (strcasecmp(c->cloud, clouds[i].name) == 0)
				cl = &clouds[i];
		if (cl == NULL)
			return err_set(e, ERR_USAGE,
			               "--cloud must be global, usgov, dod or china, not '%s'",
			               c->cloud);
	}
	set_str(&c->cloud, cl->name);
	char *login = url_base(c->login_url ? c->login_url : cl->login);
	char *graph = url_base(c->graph_url ? c->graph_url : cl->graph);
	char *imds = url_base(c->imds_url ? c->imds_url : DEFAULT_IMDS_URL);
	free(c->login_url);
	free(c->graph_url);
	free(c->imds_url);
	c->login_url = login;
	c->graph_url = graph;
	c->imds_url = imds;
	if (login == NULL || graph == NULL || imds == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (check_url("--login-url", login, e) < 0 || check_url("--graph-url", graph, e) < 0)
		return -1;
	/* IMDS is plain HTTP on a link-local address by design. */
	if (strncasecmp(imds, "http://", 7) != 0 && strncasecmp(imds, "https://", 8) != 0)
		return err_set(e, ERR_USAGE, "--imds-url must be an http:// URL, not '%s'", imds);

	struct buf b = {0};
	if (buf_printf(&b, "%s/.default", cl->graph) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	c->scope = b.data;
	set_str(&c->mi_resource, cl->graph);
	if (c->api_version == NULL)
		set_str(&c->api_version, "v1.0");
	return 0;
}

static int read_secret_file(struct config *c, struct err *e)
{
	int fd = open_regular_file(c->secret_file, "client secret file", e);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	char line[4096];
	char *got = fgets(line, sizeof(line), f);
	fclose(f);
	if (got == NULL)
		return err_set(e, ERR_CONFIG, "client secret file %s is empty", c->secret_file);
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0')
		return err_set(e, ERR_CONFIG, "client secret file %s: the first line is empty",
		               c->secret_file);
	c->secret = strdup(line);
	memset(line, 0, sizeof(line));
	return c->secret ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
}

static int resolve_identity(struct config *c, struct err *e)
{
	const char *env;
	if (c->tenant == NULL && (env = getenv("AZURE_TENANT_ID")) != NULL && *env)
		set_str(&c->tenant, env);
	if (c->client_id == NULL && (env = getenv("AZURE_CLIENT_ID")) != NULL && *env)
		set_str(&c->client_id, env);

	int explicit = (c->secret_file != NULL) + (c->certificate != NULL) + c->managed_identity +
	               (c->access_token_file != NULL);
	if (explicit > 1)
		return err_set(e, ERR_USAGE,
		               "give only one of --client-secret-file, --certificate, "
		               "--managed-identity and --access-token-file");
	if (c->secret_file != NULL) {
		c->auth = AUTH_SECRET;
		if (read_secret_file(c, e) < 0)
			return -1;
	} else if (c->certificate != NULL) {
		c->auth = AUTH_CERTIFICATE;
	} else if (c->managed_identity) {
		c->auth = AUTH_MANAGED_IDENTITY;
	} else if (c->access_token_file != NULL) {
		c->auth = AUTH_TOKEN_FILE;
	} else if ((env = getenv("AZURE_CLIENT_SECRET")) != NULL && *env) {
		c->auth = AUTH_SECRET;
		c->secret = strdup(env);
	} else if ((env = getenv("AZURE_CLIENT_CERTIFICATE_PATH")) != NULL && *env) {
		c->auth = AUTH_CERTIFICATE;
		set_str(&c->certificate, env);
	} else {
		return err_set(e, ERR_USAGE,
		               "no credential: give --client-secret-file, --certificate, "
		               "--managed-identity or --access-token-file (or set "
		               "AZURE_CLIENT_SECRET)");
	}
	if (c->auth == AUTH_SECRET || c->auth == AUTH_CERTIFICATE) {
		if (c->tenant == NULL || *c->tenant == '\0')
			return err_set(e, ERR_USAGE,
			               "-T/--tenant (or AZURE_TENANT_ID) is required for sign-in");
		if (c->client_id == NULL || *c->client_id == '\0')
			return err_set(
			    e, ERR_USAGE,
			    "-C/--client-id (or AZURE_CLIENT_ID) is required for sign-in");
	}
	return 0;
}

static int resolve_dirs(struct config *c, struct err *e)
{
	/* Test seam (documented in the man page): tests read the handler's
	 * syslog lines from a socket of their own instead of /dev/log. */
	const char *log = getenv("CHECK_ENTRA_SYNC_SYSLOG_SOCKET");
	set_str(&c->syslog_socket, log != NULL && *log ? log : EVENTLOG_SOCKET);
	if (c->syslog_socket == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (c->token_cache_dir == NULL) {
		c->token_cache_dir = auth_default_cache_dir();
		if (c->token_cache_dir == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (c->state_dir == NULL) {
		struct buf b = {0};
		if (buf_printf(&b, "%s-state", c->token_cache_dir) < 0)
			return err_set(e, ERR_INTERNAL, "out of memory");
		c->state_dir = b.data;
	}
	return 0;
}

static int check_target(struct config *c, struct err *e)
{
	if (c->sp_id != NULL && c->app_id != NULL)
		return err_set(e, ERR_USAGE, "give -s or -a, not both");
	if (c->sp_id == NULL && c->app_id == NULL)
		return err_set(e, ERR_USAGE,
		               "-s/--service-principal ID or -a/--app-id APPID is required");
	if ((c->sp_id && !*c->sp_id) || (c->app_id && !*c->app_id) || (c->job_id && !*c->job_id))
		return err_set(e, ERR_USAGE, "-s, -a and -j must not be empty");
	if (c->mode == MODE_START && c->job_id == NULL)
		return err_set(e, ERR_USAGE, "--start needs -j JOB (the job to start)");
	if (c->mode == MODE_EVENT_HANDLER) {
		if (!c->have_service_state || !c->have_state_type)
			return err_set(e, ERR_USAGE,
			               "--event-handler needs the service state and state type: "
			               "--service-state, --state-type, --attempt or the "
			               "arguments $SERVICESTATE$ $SERVICESTATETYPE$ "
			               "$SERVICEATTEMPT$");
		if (!c->state_hard && c->attempt == 0 && c->on_soft_attempt > 0)
			return err_set(e, ERR_USAGE,
			               "--on-soft-attempt needs the attempt number (--attempt)");
	}
	return 0;
}

int config_parse(struct config *c, int argc, char **argv, FILE *out, struct err *e)
{
	opterr = 0;
	optind = 1;
	for (;;) {
		int index = 0;
		int opt = getopt_long(argc, argv, "T:C:s:a:j:w:c:t:vhV", long_options, &index);
		if (opt == -1)
			break;
		if (opt == '?' || opt == ':')
			return bad_option(argv, optind, optopt, e);
		int rc = apply_option(c, opt, optarg, out, e);
		if (rc != 0)
			return rc;
	}
	if (take_positionals(c, argc, argv, optind, e) < 0)
		return -1;
	if (check_target(c, e) < 0 || resolve_endpoints(c, e) < 0 || resolve_identity(c, e) < 0 ||
	    resolve_dirs(c, e) < 0)
		return -1;
	return 0;
}

char *config_sp_path(const struct config *c)
{
	struct buf b = {0};
	int rc;
	if (c->sp_id != NULL) {
		char *id = url_escape(c->sp_id);
		rc = id ? buf_printf(&b, "/servicePrincipals/%s", id) : -1;
		free(id);
	} else {
		/* OData string literal: a quote is doubled, then the whole is escaped. */
		struct buf lit = {0};
		rc = 0;
		for (const char *p = c->app_id; *p && rc == 0; p++) {
			rc = buf_append(&lit, p, 1);
			if (rc == 0 && *p == '\'')
				rc = buf_append(&lit, "'", 1);
		}
		char *id = rc == 0 && lit.data ? url_escape(lit.data) : NULL;
		rc = id ? buf_printf(&b, "/servicePrincipals(appId='%s')", id) : -1;
		free(id);
		buf_free(&lit);
	}
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}
