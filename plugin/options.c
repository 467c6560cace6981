/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Command line and environment -> struct config, then treated as read-only. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "eventlog.h"
#include "extra_opts.h"
#include "fileio.h"
#include "format/format.h"
#include "paths.h"
#include "text.h"
#include "url.h"
#include "usage.h"

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
#define SECRET_FILE_MAX  4096

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
	OPT_EXPORT_WARN,
	OPT_EXPORT_CRIT,
	OPT_STATE,
	OPT_MAX_OUTPUT,
	OPT_OUTPUT_FORMAT,
	OPT_OUTPUT_FILE,
	OPT_CACERT,
	OPT_CAPATH,
	OPT_PROXY,
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
	OPT_FORMAT,
	OPT_SECRET_EXPIRY,
	OPT_CRED_WARN,
	OPT_CRED_CRIT,
	OPT_SP_FILE,
	OPT_ALL_SPS,
	OPT_FORCE,
	OPT_OBJECT_ERRORS,
	OPT_OBJ_WARN,
	OPT_OBJ_CRIT,
	OPT_COUNT, /* not an option: the size of a table indexed by option */
};

static const struct option long_options[] = {
    {"tenant", required_argument, NULL, 'T'},
    {"client-id", required_argument, NULL, 'C'},
    {"client-secret-file", required_argument, NULL, OPT_SECRET_FILE},
    /* Listed so that getopt's prefix matching never turns "--client-secret VALUE"
     * into a file name that an error message would then print. */
    {"client-secret", optional_argument, NULL, OPT_SECRET_ON_ARGV},
    {"secret", optional_argument, NULL, OPT_SECRET_ON_ARGV},
    {"password", optional_argument, NULL, OPT_SECRET_ON_ARGV},
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
    {"export-warning", required_argument, NULL, OPT_EXPORT_WARN},
    {"export-critical", required_argument, NULL, OPT_EXPORT_CRIT},
    {"state", required_argument, NULL, OPT_STATE},
    {"max-output", required_argument, NULL, OPT_MAX_OUTPUT},
    {"output-format", required_argument, NULL, OPT_OUTPUT_FORMAT},
    {"output-file", required_argument, NULL, OPT_OUTPUT_FILE},
    {"timeout", required_argument, NULL, 't'},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"capath", required_argument, NULL, OPT_CAPATH},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
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
    {"format", required_argument, NULL, OPT_FORMAT},
    {"secret-expiry", no_argument, NULL, OPT_SECRET_EXPIRY},
    {"credential-warning", required_argument, NULL, OPT_CRED_WARN},
    {"credential-critical", required_argument, NULL, OPT_CRED_CRIT},
    {"service-principals-file", required_argument, NULL, OPT_SP_FILE},
    {"all-service-principals", no_argument, NULL, OPT_ALL_SPS},
    {"force", no_argument, NULL, OPT_FORCE},
    {"object-errors", no_argument, NULL, OPT_OBJECT_ERRORS},
    {"object-errors-warning", required_argument, NULL, OPT_OBJ_WARN},
    {"object-errors-critical", required_argument, NULL, OPT_OBJ_CRIT},
    {NULL, 0, NULL, 0},
};

#define SHORT_OPTIONS "T:C:s:a:j:w:c:t:vhV"

#define AT(field) offsetof(struct config, field)

/* Options that only store their argument. */
static const struct {
	int opt;
	size_t offset; /* of a char * in struct config */
} string_options[] = {
    {'T', AT(auth.tenant)},
    {'C', AT(auth.client_id)},
    {OPT_SECRET_FILE, AT(secret_file)},
    {OPT_CERTIFICATE, AT(auth.certificate)},
    {OPT_TOKEN_FILE, AT(auth.token_file)},
    {OPT_CLOUD, AT(cloud)},
    {OPT_LOGIN_URL, AT(auth.login_url)},
    {OPT_GRAPH_URL, AT(graph.graph_url)},
    {OPT_IMDS_URL, AT(auth.imds_url)},
    {OPT_TOKEN_CACHE, AT(auth.cache_dir)},
    {OPT_SP_FILE, AT(sp_file)},
    {'a', AT(app_id)},
    {'j', AT(job_id)},
    {OPT_CACERT, AT(http.cacert)},
    {OPT_CAPATH, AT(http.capath)},
    {OPT_PROXY, AT(http.proxy)},
    {OPT_STATE_DIR, AT(handler.state_dir)},
    {OPT_OUTPUT_FILE, AT(output_file)},
};

/* Options that only switch something on. */
static const struct {
	int opt;
	size_t offset; /* of a bool in struct config */
} flag_options[] = {
    {OPT_NO_TOKEN_CACHE, AT(auth.no_cache)}, {OPT_START_PAUSED, AT(handler.start_paused)},
    {OPT_DRY_RUN, AT(handler.dry_run)},      {OPT_FORCE, AT(handler.force)},
    {OPT_SECRET_EXPIRY, AT(secret_expiry)},  {OPT_ALL_SPS, AT(all_sps)},
    {OPT_OBJECT_ERRORS, AT(object_errors)},
};

/* Threshold options: a range, seconds (with s, m, h, d) or plain numbers. */
static const struct {
	int opt;
	size_t offset; /* of a struct range in struct config */
	bool durations;
	const char *name;
} range_options[] = {
    {'w', AT(eval.age_warn), true, "-w"},
    {'c', AT(eval.age_crit), true, "-c"},
    {OPT_FAIL_WARN, AT(eval.fail_warn), false, "--failures-warning"},
    {OPT_FAIL_CRIT, AT(eval.fail_crit), false, "--failures-critical"},
    {OPT_ESC_WARN, AT(eval.escrow_warn), false, "--escrow-warning"},
    {OPT_ESC_CRIT, AT(eval.escrow_crit), false, "--escrow-critical"},
    {OPT_EXPORT_WARN, AT(eval.export_warn), true, "--export-warning"},
    {OPT_EXPORT_CRIT, AT(eval.export_crit), true, "--export-critical"},
    {OPT_OBJ_WARN, AT(eval.objects_warn), false, "--object-errors-warning"},
    {OPT_OBJ_CRIT, AT(eval.objects_crit), false, "--object-errors-critical"},
};

/* Whole-number options with their bounds. */
static const struct {
	int opt;
	size_t offset; /* of a long in struct config */
	long min, max;
	const char *name;
} number_options[] = {
    {OPT_COOLDOWN, AT(handler.cooldown), 0, 30L * 86400, "--cooldown"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void config_init(struct config *c, const struct mode *modes, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->modes = modes;
	c->n_modes = n;
	c->mode = &modes[0];
	c->auth.jwt_alg = JWT_RS256;
	c->timeout = 20;
	c->timeout_state = STATE_UNKNOWN;
	c->handler.cooldown = 3600;
	c->handler.max_starts = 3;
	c->list_format = LIST_TEXT;
	c->output.max_bytes = OUTPUT_MAX_DEFAULT;
	c->output.mode = modes[0].name;
	eval_config_init(&c->eval);
	c->eval.overrides = c->overrides;
	expiry_config_init(&c->expiry);
}

static void set_str(char **dst, const char *value)
{
	free(*dst);
	*dst = value ? strdup(value) : NULL;
}

static char **string_at(struct config *c, size_t offset)
{
	return (char **)(void *)((char *)c + offset);
}

static void wipe_str(char **s)
{
	if (*s != NULL) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < COUNT(string_options); i++)
		set_str(string_at(c, string_options[i].offset), NULL);
	char **more[] = {&c->auth.mi_client_id, &c->auth.scope, &c->auth.mi_resource,
	                 &c->graph.api_version, &c->handler.syslog_socket};
	for (size_t i = 0; i < COUNT(more); i++)
		set_str(more[i], NULL);
	wipe_str(&c->auth.secret);
	for (size_t i = 0; i < c->n_sps; i++) {
		free(c->sp_ids[i]);
		if (c->sp_names != NULL)
			free(c->sp_names[i]);
	}
	free(c->sp_ids);
	free(c->sp_names);
	free(c->sps);
	c->sp_ids = c->sp_names = NULL;
	c->sps = NULL;
	c->n_sps = c->sp_cap = 0;
	free(c->sp_id);
	c->sp_id = NULL;
	for (size_t i = 0; i < c->handler.n_allow_reasons; i++)
		free(c->handler.allow_reasons[i]);
	c->handler.n_allow_reasons = 0;
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
	/* SPEC 4a: Microsoft paused such a job for clean-up; it is never OK. */
	if (o->state == STATE_OK && strcasecmp(o->key, "escrows-pruned") == 0)
		return err_set(
		    e, ERR_USAGE,
		    "--state escrows-pruned: a job whose escrows were pruned is never OK "
		    "(give warning, critical or unknown)");
	c->eval.n_overrides++;
	return 0;
}

static int parse_state_type(struct config *c, const char *text, struct err *e)
{
	if (strcasecmp(text, "HARD") == 0)
		c->handler.state_hard = true;
	else if (strcasecmp(text, "SOFT") == 0)
		c->handler.state_hard = false;
	else
		return err_set(e, ERR_USAGE, "state type must be SOFT or HARD, not '%s'", text);
	c->handler.have_state_type = true;
	return 0;
}

static int parse_service_state(struct config *c, const char *text, struct err *e)
{
	if (state_parse(text, &c->handler.service_state) < 0)
		return err_set(e, ERR_USAGE,
		               "service state must be OK, WARNING, CRITICAL or UNKNOWN, not '%s'",
		               text);
	c->handler.have_service_state = true;
	return 0;
}

static int parse_int(const char *text, long min, long max, const char *what, int *out,
                     struct err *e)
{
	long v;
	if (parse_long(text, min, max, what, &v, e) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* getopt's table: the options above, then one per mode that an option
 * chooses. getopt stores the row's index in *chosen and returns 0; distinct
 * values keep an abbreviation of two modes' options ambiguous. */
static void option_table(const struct config *c, int *chosen,
                         struct option out[COUNT(long_options) + MODES_MAX])
{
	size_t n = 0;
	for (; long_options[n].name != NULL; n++)
		out[n] = long_options[n];
	for (size_t i = 1; i < c->n_modes; i++)
		out[n++] = (struct option){c->modes[i].option, no_argument, chosen, (int)i};
	out[n] = (struct option){NULL, 0, NULL, 0};
}

static int set_mode(struct config *c, const struct mode *m, struct err *e)
{
	if (c->mode != &c->modes[0] && c->mode != m) {
		char names[MODES_MAX * 40] = "";
		for (size_t i = 1; i < c->n_modes; i++) {
			const char *sep = i == 1 ? "" : i + 1 < c->n_modes ? ", " : " and ";
			size_t used = strlen(names);
			snprintf(names + used, sizeof(names) - used, "%s--%s", sep,
			         c->modes[i].option);
		}
		return err_set(e, ERR_USAGE, "%s exclude each other", names);
	}
	c->mode = m;
	/* only the checks speak the formats of values */
	c->output.mode = m->flags & MODE_CHECKS ? m->name : NULL;
	return 0;
}

static int parse_format(struct config *c, const char *text, struct err *e)
{
	static const char *const names[] = {"text", "json", "icinga2", "nagios", "ids"};
	for (size_t i = 0; i < COUNT(names); i++) {
		if (strcasecmp(text, names[i]) == 0) {
			c->list_format = (enum list_format)i;
			return 0;
		}
	}
	return err_set(e, ERR_USAGE,
	               "--format must be text, json, icinga2, nagios or ids, not '%s'", text);
}

/* A service principal more; name may be NULL. Duplicates are dropped once
 * all are in (dedupe_sps). */
static int add_sp(struct config *c, const char *id, const char *name, struct err *e)
{
	if (c->n_sps >= 10 * MAX_SPS)
		return err_set(e, ERR_USAGE, "more than %d service principals", MAX_SPS);
	if (c->n_sps == c->sp_cap) {
		size_t cap = c->sp_cap ? 2 * c->sp_cap : 16;
		char **ids = realloc(c->sp_ids, cap * sizeof(*ids));
		if (ids != NULL)
			c->sp_ids = ids;
		char **names = realloc(c->sp_names, cap * sizeof(*names));
		if (names != NULL)
			c->sp_names = names;
		if (ids == NULL || names == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		c->sp_cap = cap;
	}
	char *copy = strdup(id);
	char *label = name != NULL && *name ? strdup(name) : NULL;
	if (copy == NULL || (name != NULL && *name && label == NULL)) {
		free(copy);
		free(label);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (label != NULL)
		text_clean(label);
	c->sp_ids[c->n_sps] = copy;
	c->sp_names[c->n_sps] = label;
	c->n_sps++;
	if (c->sp_id == NULL)
		set_str(&c->sp_id, id);
	return 0;
}

/* Drops repeated service principals (case aside), keeping the first of
 * each where it stood. */
static int dedupe_sps(struct config *c, struct err *e)
{
	size_t n = c->n_sps;
	bool *repeat = malloc((n ? n : 1) * sizeof(*repeat));
	if (repeat == NULL || strv_mark_repeats((const char *const *)c->sp_ids, n, repeat) < 0) {
		free(repeat);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (repeat[i]) {
			free(c->sp_ids[i]);
			free(c->sp_names[i]);
			continue;
		}
		c->sp_ids[kept] = c->sp_ids[i];
		c->sp_names[kept++] = c->sp_names[i];
	}
	free(repeat);
	c->n_sps = kept;
	if (kept > MAX_SPS)
		return err_set(e, ERR_USAGE, "more than %d service principals", MAX_SPS);
	return 0;
}

/* One id a line, optionally followed by the display name; '#' starts a
 * comment line; blank lines are ignored. */
static int read_sp_file(struct config *c, struct err *e)
{
	struct buf data = {0};
	if (fio_read_file(AT_FDCWD, c->sp_file, false, SP_FILE_MAX, "service principals file",
	                  &data, NULL, e) < 0) {
		buf_free(&data);
		return -1;
	}
	int rc = 0;
	unsigned lineno = 0;
	for (char *line = data.data; rc == 0 && line != NULL && *line != '\0';) {
		char *nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != '#') {
			size_t idlen = strcspn(p, " \t");
			if (!text_is_guid(p, idlen)) { /* never a path to send */
				rc = err_set(
				    e, ERR_USAGE,
				    "%s line %u: not a service principal object id (a GUID, "
				    "then an optional display name)",
				    c->sp_file, lineno);
				break;
			}
			char *name = p + idlen;
			while (*name == ' ' || *name == '\t')
				name++;
			p[idlen] = '\0';
			rc = add_sp(c, p, name, e);
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	if (rc == 0 && c->n_sps == 0)
		rc = err_set(e, ERR_USAGE, "%s names no service principal", c->sp_file);
	buf_free(&data);
	return rc;
}

/* The options of the tables; 1 when opt is not one of them. */
static int apply_table_option(struct config *c, int opt, const char *arg, struct err *e)
{
	for (size_t i = 0; i < COUNT(string_options); i++)
		if (string_options[i].opt == opt) {
			set_str(string_at(c, string_options[i].offset), arg);
			return 0;
		}
	for (size_t i = 0; i < COUNT(flag_options); i++)
		if (flag_options[i].opt == opt) {
			*(bool *)(void *)((char *)c + flag_options[i].offset) = true;
			return 0;
		}
	for (size_t i = 0; i < COUNT(range_options); i++)
		if (range_options[i].opt == opt) {
			struct range *r =
			    (struct range *)(void *)((char *)c + range_options[i].offset);
			if (range_parse(arg, range_options[i].durations, r, e) < 0)
				return err_prefix(e, "%s", range_options[i].name);
			return 0;
		}
	for (size_t i = 0; i < COUNT(number_options); i++)
		if (number_options[i].opt == opt)
			return parse_long(arg, number_options[i].min, number_options[i].max,
			                  number_options[i].name,
			                  (long *)(void *)((char *)c + number_options[i].offset),
			                  e);
	return 1;
}

/* Handles one option; 1 for help/version, 0 to go on, -1 on error. */
static int apply_option(struct config *c, int opt, const char *arg, FILE *out, struct err *e)
{
	int rc = apply_table_option(c, opt, arg, e);
	if (rc <= 0)
		return rc;
	long v;
	switch (opt) {
	case OPT_SECRET_ON_ARGV:
		return err_set(e, ERR_USAGE,
		               "secrets are not accepted on the command line (other users see "
		               "them in ps): use --client-secret-file FILE or AZURE_CLIENT_SECRET");
	case OPT_JWT_ALG:
		if (strcasecmp(arg, "RS256") == 0)
			c->auth.jwt_alg = JWT_RS256;
		else if (strcasecmp(arg, "PS256") == 0)
			c->auth.jwt_alg = JWT_PS256;
		else
			return err_set(e, ERR_USAGE, "--jwt-alg must be RS256 or PS256, not '%s'",
			               arg);
		return 0;
	case OPT_MANAGED_IDENTITY:
		c->auth.method = AUTH_MANAGED_IDENTITY;
		set_str(&c->auth.mi_client_id, arg && *arg ? arg : NULL);
		return 0;
	case OPT_API_VERSION:
		if (strcmp(arg, "v1.0") != 0 && strcmp(arg, "beta") != 0)
			return err_set(e, ERR_USAGE, "--api-version must be v1.0 or beta, not '%s'",
			               arg);
		set_str(&c->graph.api_version, arg);
		return 0;
	case OPT_STATE:
		return parse_override(c, arg, e);
	case OPT_MAX_OUTPUT:
		if (parse_long(arg, OUTPUT_MAX_MIN, 1L << 20, "--max-output", &v, e) < 0)
			return -1;
		c->output.max_bytes = (size_t)v;
		return 0;
	case OPT_OUTPUT_FORMAT:
		return format_parse(arg, &c->output, e);
	case 't':
		c->timeout_given = true;
		return parse_timeout(c, arg, e);
	case 's':
		return add_sp(c, arg, NULL, e);
	case 'v':
		if (c->verbose < 3)
			c->verbose++;
		return 0;
	case 'h':
		usage_print(out);
		return 1;
	case 'V':
		fprintf(out, "%s %s\n%s\n", PLUGIN_NAME, PLUGIN_VERSION, PLUGIN_LICENSE);
		return 1;
	case OPT_SERVICE_STATE:
		return parse_service_state(c, arg, e);
	case OPT_STATE_TYPE:
		return parse_state_type(c, arg, e);
	case OPT_ATTEMPT:
		return parse_int(arg, 1, 1000000, "attempt", &c->handler.attempt, e);
	case OPT_ON_SOFT:
		return parse_int(arg, 1, 1000, "--on-soft-attempt", &c->handler.on_soft_attempt, e);
	case OPT_MAX_STARTS:
		return parse_int(arg, 0, 1000, "--max-starts", &c->handler.max_starts, e);
	case OPT_ALLOW_REASON:
		if (c->handler.n_allow_reasons >= MAX_REASONS)
			return err_set(e, ERR_USAGE, "--allow-reason given more than %d times",
			               MAX_REASONS);
		c->handler.allow_reasons[c->handler.n_allow_reasons] = strdup(arg);
		if (c->handler.allow_reasons[c->handler.n_allow_reasons] == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		c->handler.n_allow_reasons++;
		return 0;
	case OPT_FORMAT:
		return parse_format(c, arg, e);
	case OPT_CRED_WARN:
	case OPT_CRED_CRIT:
		if (expiry_threshold_parse(
		        arg, opt == OPT_CRED_WARN ? &c->expiry.warn : &c->expiry.crit, e) < 0)
			return err_prefix(e, "%s",
			                  opt == OPT_CRED_WARN ? "--credential-warning"
			                                       : "--credential-critical");
		return 0;
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
	if (!(c->mode->flags & MODE_SERVICE_STATE))
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
	    parse_state_type(c, argv[first + 1], e) < 0 ||
	    parse_int(argv[first + 2], 1, 1000000, "attempt", &c->handler.attempt, e) < 0)
		return -1;
	return 0;
}

/* A base URL without trailing slashes. The rule for which URLs may be used
 * at all (https, plain http only to loopback or IMDS) is enforced once, for
 * every request, in url.c. */
static int base_url(char **url, const char *fallback, const char *opt, struct err *e)
{
	char *s = strdup(*url != NULL ? *url : fallback);
	if (s == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	free(*url);
	*url = s;
	if (strncasecmp(s, "https://", 8) != 0 && strncasecmp(s, "http://", 7) != 0)
		return err_set(e, ERR_USAGE, "%s must be an http:// or https:// URL, not '%s'", opt,
		               s);
	/* The services take a token or a form, never a password in the URL,
	 * and one on the command line is anybody's to read (ps). */
	if (url_has_userinfo(s))
		return err_set(e, ERR_USAGE, "%s must not carry a user name or password", opt);
	return 0;
}

static int resolve_endpoints(struct config *c, struct err *e)
{
	const struct cloud *cl = &clouds[0];
	if (c->cloud != NULL) {
		cl = NULL;
		for (size_t i = 0; i < COUNT(clouds); i++)
			if (strcasecmp(c->cloud, clouds[i].name) == 0)
				cl = &clouds[i];
		if (cl == NULL)
			return err_set(e, ERR_USAGE,
			               "--cloud must be global, usgov, dod or china, not '%s'",
			               c->cloud);
	}
	set_str(&c->cloud, cl->name);
	if (base_url(&c->auth.login_url, cl->login, "--login-url", e) < 0 ||
	    base_url(&c->graph.graph_url, cl->graph, "--graph-url", e) < 0 ||
	    base_url(&c->auth.imds_url, DEFAULT_IMDS_URL, "--imds-url", e) < 0)
		return -1;
	c->http.login_url = c->auth.login_url;
	c->http.graph_url = c->graph.graph_url;
	c->http.imds_url = c->auth.imds_url;

	struct buf b = {0};
	if (buf_printf(&b, "%s/.default", cl->graph) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	c->auth.scope = b.data;
	set_str(&c->auth.mi_resource, cl->graph);
	/* Only beta carries the sync interval and the last password hash
	 * sync: --directory-sync reads beta unless told otherwise. */
	if (c->graph.api_version == NULL)
		set_str(&c->graph.api_version, c->mode->flags & MODE_BETA ? "beta" : "v1.0");
	return 0;
}

static int read_secret_file(struct config *c, struct err *e)
{
	struct buf data = {0};
	if (fio_read_file(AT_FDCWD, c->secret_file, false, SECRET_FILE_MAX, "client secret file",
	                  &data, NULL, e) < 0) {
		fio_wipe(&data);
		return -1;
	}
	int rc = 0;
	if (data.len == 0)
		rc = err_set(e, ERR_CONFIG, "client secret file %s is empty", c->secret_file);
	data.data[strcspn(data.data, "\r\n")] = '\0';
	if (rc == 0 && data.data[0] == '\0')
		rc = err_set(e, ERR_CONFIG, "client secret file %s: the first line is empty",
		             c->secret_file);
	if (rc == 0) {
		c->auth.secret = strdup(data.data);
		if (c->auth.secret == NULL)
			rc = err_set(e, ERR_INTERNAL, "out of memory");
	}
	fio_wipe(&data);
	return rc;
}

static const char *env_value(const char *name)
{
	const char *v = getenv(name);
	return v != NULL && *v ? v : NULL;
}

static int resolve_identity(struct config *c, struct err *e)
{
	struct auth_options *a = &c->auth;
	const char *env;
	if (a->tenant == NULL && (env = env_value("AZURE_TENANT_ID")) != NULL)
		set_str(&a->tenant, env);
	if (a->client_id == NULL && (env = env_value("AZURE_CLIENT_ID")) != NULL)
		set_str(&a->client_id, env);

	int explicit = (c->secret_file != NULL) + (a->certificate != NULL) +
	               (a->method == AUTH_MANAGED_IDENTITY) + (a->token_file != NULL);
	if (explicit > 1)
		return err_set(e, ERR_USAGE,
		               "give only one of --client-secret-file, --certificate, "
		               "--managed-identity and --access-token-file");
	if (c->secret_file != NULL) {
		a->method = AUTH_SECRET;
		if (read_secret_file(c, e) < 0)
			return -1;
	} else if (a->certificate != NULL) {
		a->method = AUTH_CERTIFICATE;
	} else if (a->method == AUTH_MANAGED_IDENTITY) {
		/* set by the option itself */
	} else if (a->token_file != NULL) {
		a->method = AUTH_TOKEN_FILE;
	} else if ((env = env_value("AZURE_CLIENT_SECRET")) != NULL) {
		a->method = AUTH_SECRET;
		a->secret = strdup(env);
		if (a->secret == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
	} else if ((env = env_value("AZURE_CLIENT_CERTIFICATE_PATH")) != NULL) {
		a->method = AUTH_CERTIFICATE;
		set_str(&a->certificate, env);
	} else {
		return err_set(e, ERR_USAGE,
		               "no credential: give --client-secret-file, --certificate, "
		               "--managed-identity or --access-token-file (or set "
		               "AZURE_CLIENT_SECRET)");
	}
	if (a->method == AUTH_SECRET || a->method == AUTH_CERTIFICATE) {
		if (a->tenant == NULL || *a->tenant == '\0')
			return err_set(e, ERR_USAGE,
			               "-T/--tenant (or AZURE_TENANT_ID) is required for sign-in");
		if (a->client_id == NULL || *a->client_id == '\0')
			return err_set(
			    e, ERR_USAGE,
			    "-C/--client-id (or AZURE_CLIENT_ID) is required for sign-in");
	}
	return 0;
}

/* The test seams (man page, ENVIRONMENT) move the clock, the default
 * directories and where syslog lines go. Against the real Graph a stray one
 * would open the guard rails: a clock days ahead passes the cooldown and the
 * cap and records a start the daemon's handler then takes for one ahead of
 * the clock; another root keeps a start history of its own; and a check's
 * ages would lie. So they apply only when Graph is on loopback (the
 * emulator), and are cleared here for any other run, before anything that
 * reads them (paths.c, clock_wall(), the syslog socket below). */
static void drop_test_seams(const struct config *c)
{
	static const char *const seams[] = {"CHECK_ENTRA_SYNC_CLOCK_OFFSET",
	                                    "CHECK_ENTRA_SYNC_ROOT",
	                                    "CHECK_ENTRA_SYNC_SYSLOG_SOCKET"};
	if (url_host_is_loopback(c->graph.graph_url))
		return;
	for (size_t i = 0; i < COUNT(seams); i++)
		unsetenv(seams[i]);
}

static int resolve_dirs(struct config *c, struct err *e)
{
	/* Test seam (documented in the man page, ENVIRONMENT): tests read the
	 * handler's syslog lines from a socket of their own instead of /dev/log. */
	const char *log = env_value("CHECK_ENTRA_SYNC_SYSLOG_SOCKET");
	set_str(&c->handler.syslog_socket, log != NULL ? log : EVENTLOG_SOCKET);
	/* One resolution for every mode (paths.h): the check, the handler and
	 * --start of one user find the same history whatever else they are given. */
	char *cache = paths_cache_dir(c->auth.cache_dir);
	char *state = paths_state_dir(c->handler.state_dir);
	free(c->auth.cache_dir);
	free(c->handler.state_dir);
	c->auth.cache_dir = cache;
	c->handler.state_dir = state;
	if (c->handler.syslog_socket == NULL || cache == NULL || state == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	return 0;
}

/* An id given with -s (each of them), -a or -j: not empty, and not a dot
 * segment, which would change the request's path. */
static int check_id_arg(const char *opt, const char *id, struct err *e)
{
	if (id == NULL)
		return 0;
	if (!*id)
		return err_set(e, ERR_USAGE, "%s must not be empty", opt);
	if (url_segment_is_dot(id))
		return err_set(e, ERR_USAGE,
		               "%s '%s' is a relative path segment, not an id: it would change the "
		               "request's path",
		               opt, id);
	return 0;
}

static int check_target(struct config *c, struct err *e)
{
	/* The tenant is the target: no service principal, no job. */
	if (c->mode->flags & MODE_TENANT) {
		if (c->n_sps > 0 || c->sp_file != NULL || c->all_sps || c->app_id != NULL ||
		    c->job_id != NULL)
			return err_set(e, ERR_USAGE,
			               "--directory-sync checks the tenant's directory "
			               "synchronization: -s, -a, -j, --service-principals-file and "
			               "--all-service-principals do not apply");
		return 0;
	}
	if (c->sp_file != NULL && read_sp_file(c, e) < 0)
		return -1;
	if (dedupe_sps(c, e) < 0)
		return -1;
	if (c->all_sps) {
		if (!(c->mode->flags & MODE_ALL_SPS))
			return err_set(e, ERR_USAGE, "--all-service-principals goes with --list");
		if (c->n_sps > 0 || c->app_id != NULL || c->job_id != NULL)
			return err_set(e, ERR_USAGE,
			               "--all-service-principals takes no -s, -a, -j or "
			               "--service-principals-file");
		if (!c->timeout_given)
			c->timeout = 120;
		return 0;
	}
	if (c->n_sps > 0 && c->app_id != NULL)
		return err_set(e, ERR_USAGE, "give -s or -a, not both");
	if (c->n_sps == 0 && c->app_id == NULL)
		return err_set(e, ERR_USAGE,
		               "-s/--service-principal ID or -a/--app-id APPID is required");
	for (size_t i = 0; i < c->n_sps; i++)
		if (check_id_arg("-s", c->sp_ids[i], e) < 0)
			return -1;
	if (check_id_arg("-a", c->app_id, e) < 0 || check_id_arg("-j", c->job_id, e) < 0)
		return -1;
	if (c->n_sps > 1 && c->job_id != NULL)
		return err_set(e, ERR_USAGE,
		               "-j names one job of one service principal: give one -s");
	if (c->n_sps > 1 && (c->mode->flags & MODE_ONE_JOB))
		return err_set(e, ERR_USAGE, "--start takes one -s");
	c->sp.id = c->sp_id;
	c->sp.app_id = c->app_id;
	if (c->n_sps > 0) {
		c->sps = calloc(c->n_sps, sizeof(*c->sps));
		if (c->sps == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		for (size_t i = 0; i < c->n_sps; i++)
			c->sps[i].id = c->sp_ids[i];
	}
	c->output.bare_labels = c->job_id != NULL;
	if ((c->mode->flags & MODE_ONE_JOB) && c->job_id == NULL)
		return err_set(e, ERR_USAGE, "--start needs -j JOB (the job to start)");
	if (c->mode->flags & MODE_SERVICE_STATE) {
		const struct handler_options *h = &c->handler;
		if (!h->have_service_state || !h->have_state_type)
			return err_set(e, ERR_USAGE,
			               "--event-handler needs the service state and state type: "
			               "--service-state, --state-type, --attempt or the "
			               "arguments $SERVICESTATE$ $SERVICESTATETYPE$ "
			               "$SERVICEATTEMPT$");
		if (!h->state_hard && h->attempt == 0 && h->on_soft_attempt > 0)
			return err_set(e, ERR_USAGE,
			               "--on-soft-attempt needs the attempt number (--attempt)");
	}
	return 0;
}

/* The command line giving one option of a group sets aside the ini file's
 * whole group: one credential, one way to name what to check, one choice of
 * token cache. Any other option is a group of its own. */
static const struct {
	int opt, group;
} option_groups[] = {
    {OPT_CERTIFICATE, OPT_SECRET_FILE},
    {OPT_MANAGED_IDENTITY, OPT_SECRET_FILE},
    {OPT_TOKEN_FILE, OPT_SECRET_FILE},
    {'a', 's'},
    {OPT_SP_FILE, 's'},
    {OPT_ALL_SPS, 's'},
    {OPT_NO_TOKEN_CACHE, OPT_TOKEN_CACHE},
};

static int group_of(int opt)
{
	for (size_t i = 0; i < COUNT(option_groups); i++)
		if (option_groups[i].opt == opt)
			return option_groups[i].group;
	return opt;
}

#define SECRET_IN_FILE                                                                             \
	"would hold a secret, which no ini file does: put the secret in a file of its own and "    \
	"name that (client-secret-file=PATH)"

/* What an ini file may not set, and why. */
static const struct {
	int opt;
	const char *why;
} not_in_file[] = {
    {OPT_SECRET_ON_ARGV, SECRET_IN_FILE},
    {OPT_SERVICE_STATE, "is the daemon's to pass on each call"},
    {OPT_STATE_TYPE, "is the daemon's to pass on each call"},
    {OPT_ATTEMPT, "is the daemon's to pass on each call"},
    /* in a section --start reads, it would skip the guard rails of every
     * start: it is a decision about one start */
    {OPT_FORCE, "overrides the guard rails of one start: give it on the command line"},
    {'h', "is for the command line"},
    {'V', "is for the command line"},
};

/* A name that is no option: what it probably meant. Only a name-like key
 * is echoed (a stray line may be a secret pasted without its name). */
static int unknown_key(const struct option *opts, const char *key, unsigned line, struct err *e)
{
	char norm[64] = "";
	size_t n = strlen(key);
	bool name_like = n > 0 && n < sizeof(norm);
	for (size_t i = 0; name_like && i < n; i++) {
		name_like = isalnum((unsigned char)key[i]) || key[i] == '-' || key[i] == '_';
		norm[i] = key[i] == '_' ? '-' : (char)tolower((unsigned char)key[i]);
	}
	if (!name_like)
		return err_set(e, ERR_USAGE,
		               "line %u: not an option name (not shown: it may be a value pasted "
		               "without its name)",
		               line);
	if ((strstr(norm, "secret") != NULL || strstr(norm, "password") != NULL) &&
	    strcmp(norm, "client-secret-file") != 0)
		return err_set(e, ERR_USAGE, "line %u: %s " SECRET_IN_FILE, line, key);
	if (strcmp(norm, "extra-opts") == 0)
		return err_set(e, ERR_USAGE, "line %u: an ini file names no other (extra-opts)",
		               line);
	for (size_t i = 0; opts[i].name != NULL; i++) {
		const struct option *o = &opts[i];
		if (strcmp(norm, o->name) == 0)
			return err_set(e, ERR_USAGE, "line %u: '%s' is written '%s'", line, key,
			               o->name);
		if (n == 1 && o->val == key[0])
			return err_set(e, ERR_USAGE,
			               "line %u: '%s' is a short option; the file takes long names "
			               "('%s')",
			               line, key, o->name);
	}
	return err_set(e, ERR_USAGE, "line %u: '%s' is not an option of " PLUGIN_NAME, line, key);
}

/* One entry of the file as the option it sets: -1 with e when it is not one
 * the file may set, or lacks or has a value it should not. */
static int file_option(const struct option *opts, const struct ini_entry *x, int *opt,
                       struct err *e)
{
	const struct option *o = NULL;
	for (size_t i = 0; o == NULL && opts[i].name != NULL; i++)
		if (strcmp(x->key, opts[i].name) == 0)
			o = &opts[i];
	if (o == NULL)
		return unknown_key(opts, x->key, x->line, e);
	if (o->flag != NULL) /* a mode's option */
		return err_set(e, ERR_USAGE,
		               "line %u: %s chooses the mode: give it on the command line", x->line,
		               x->key);
	for (size_t i = 0; i < COUNT(not_in_file); i++)
		if (not_in_file[i].opt == o->val)
			return err_set(e, ERR_USAGE, "line %u: %s %s", x->line, x->key,
			               not_in_file[i].why);
	if (o->has_arg == required_argument && x->value == NULL)
		return err_set(e, ERR_USAGE, "line %u: %s needs a value (%s=...)", x->line, x->key,
		               x->key);
	if (o->has_arg == no_argument && x->value != NULL)
		return err_set(e, ERR_USAGE, "line %u: %s takes no value: write the name alone",
		               x->line, x->key);
	*opt = o->val;
	return 0;
}

/* A proxy's password may be given only where other users cannot read it:
 * not on the command line (ps shows it to everyone), not in an ini file
 * others may read. Its value is never echoed. */
static bool proxy_password(int opt, const char *arg)
{
	return opt == OPT_PROXY && arg != NULL && url_has_userinfo(arg);
}

/* The ini file's options, before the command line's, except for the groups
 * the command line gives. */
static int apply_file(struct config *c, const char *locator, const bool *given, FILE *out,
                      struct err *e)
{
	struct ini_section s;
	char *file = NULL;
	bool others_read = true;
	int rc = extra_opts_read(locator, &s, &file, &others_read, e);
	/* what the command line sets aside is still checked, on a scratch copy:
	 * a bad line shows at once, not when a command stops overriding it */
	struct config *aside = calloc(1, sizeof(*aside));
	if (rc == 0 && aside == NULL)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	if (aside != NULL)
		config_init(aside, c->modes, c->n_modes);
	int chosen = 0;
	struct option opts[COUNT(long_options) + MODES_MAX];
	option_table(c, &chosen, opts);
	for (size_t i = 0; rc == 0 && i < s.n; i++) {
		int opt = 0;
		if (file_option(opts, &s.v[i], &opt, e) < 0)
			rc = err_prefix(e, "ini file %s", file);
		else if (others_read && proxy_password(opt, s.v[i].value))
			rc = err_set(e, ERR_USAGE,
			             "ini file %s: line %u: proxy carries a user name or password, "
			             "and every user may read the file: chmod o-r it, or set "
			             "https_proxy in the daemon's environment",
			             file, s.v[i].line);
		else if (apply_option(given[group_of(opt)] ? aside : c, opt, s.v[i].value, out,
		                      e) != 0)
			rc = err_prefix(e, "ini file %s: line %u", file, s.v[i].line);
	}
	if (aside != NULL)
		config_free(aside);
	free(aside);
	ini_section_free(&s);
	free(file);
	return rc;
}

/* One pass over the command line; with given, only notes which groups it
 * sets, otherwise applies them. 1 for help/version, 0, or -1 with e. */
static int parse_command_line(struct config *c, int argc, char **argv, bool *given, FILE *out,
                              struct err *e)
{
	int chosen = 0;
	struct option opts[COUNT(long_options) + MODES_MAX];
	option_table(c, &chosen, opts);
	opterr = 0;
	optind = 1;
	for (;;) {
		int index = 0;
		int opt = getopt_long(argc, argv, SHORT_OPTIONS, opts, &index);
		if (opt == -1)
			break;
		if (opt == '?' || opt == ':')
			return bad_option(argv, optind, optopt, e);
		if (given != NULL) {
			given[group_of(opt)] = true;
			continue;
		}
		if (proxy_password(opt, optarg))
			return err_set(
			    e, ERR_USAGE,
			    "--proxy carries a user name or password, which every user "
			    "sees in ps: set it in https_proxy in the daemon's environment, "
			    "or in an ini file others cannot read (--extra-opts)");
		int rc = opt == 0 ? set_mode(c, &c->modes[chosen], e)
		                  : apply_option(c, opt, optarg, out, e);
		if (rc != 0)
			return rc;
	}
	return given != NULL ? 0 : take_positionals(c, argc, argv, optind, e);
}

/* --extra-opts first, then the command line, which wins: whatever group of
 * options it gives, the file's are set aside. */
static int parse_all(struct config *c, const struct extra_opts_argv *a, FILE *out, struct err *e)
{
	bool given[OPT_COUNT] = {false};
	if (a->n > 0 && parse_command_line(c, a->argc, a->argv, given, out, e) < 0)
		return -1;
	/* --help and --version answer without reading any file */
	for (size_t i = 0; i < a->n && !given['h'] && !given['V']; i++)
		if (apply_file(c, a->locators[i], given, out, e) < 0)
			return -1;
	return parse_command_line(c, a->argc, a->argv, NULL, out, e);
}

int config_parse(struct config *c, int argc, char **argv, FILE *out, struct err *e)
{
	struct extra_opts_argv a;
	if (extra_opts_take(argc, argv, &a, e) < 0)
		return -1;
	int rc = parse_all(c, &a, out, e);
	extra_opts_argv_free(&a);
	if (rc != 0)
		return rc;
	if (c->handler.force && !(c->mode->flags & MODE_ONE_JOB))
		return err_set(
		    e, ERR_USAGE,
		    "--force goes with --start only (the event handler keeps its rules)");
	/* A threshold on the failed objects asks for them. */
	if (c->eval.objects_warn.set || c->eval.objects_crit.set)
		c->object_errors = true;
	if (c->object_errors && !(c->mode->flags & MODE_OBJECT_ERRORS))
		return err_set(e, ERR_USAGE,
		               "--object-errors (and its thresholds) go with check mode and "
		               "--event-handler");
	if (check_target(c, e) < 0 || resolve_endpoints(c, e) < 0)
		return -1;
	drop_test_seams(c);
	if (resolve_identity(c, e) < 0 || resolve_dirs(c, e) < 0)
		return -1;
	if (c->output_file != NULL && c->output_file[0] == '\0')
		return err_set(e, ERR_USAGE, "--output-file must name a file");
	c->output.file = c->output_file;
	c->output.tenant = c->auth.tenant;
	return 0;
}

void config_salvage_output(struct config *c, int argc, char **argv)
{
	int chosen = 0;
	struct option opts[COUNT(long_options) + MODES_MAX];
	option_table(c, &chosen, opts);
	opterr = 0;
	optind = 1;
	struct err ignored;
	for (;;) {
		int opt = getopt_long(argc, argv, SHORT_OPTIONS, opts, NULL);
		if (opt == -1)
			break;
		if (opt == 0)
			(void)set_mode(c, &c->modes[chosen], &ignored);
		else if (opt == OPT_OUTPUT_FORMAT)
			(void)format_parse(optarg, &c->output, &ignored);
		else if (opt == OPT_OUTPUT_FILE && optarg[0] != '\0')
			set_str(&c->output_file, optarg);
		else if (opt == 'T')
			set_str(&c->auth.tenant, optarg);
	}
	const char *env = env_value("AZURE_TENANT_ID");
	if (c->auth.tenant == NULL && env != NULL)
		set_str(&c->auth.tenant, env);
	c->output.file =
	    c->output_file != NULL && c->output_file[0] != '\0' ? c->output_file : NULL;
	c->output.tenant = c->auth.tenant;
}
