/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --list: discovery. Every job of one service principal, of several, or of
 * the whole tenant (--all-service-principals) as a table, JSON, or
 * ready-to-paste Icinga 2 / Nagios service definitions that use the commands
 * of contrib/icinga2/entra_sync.conf and contrib/nagios/commands.cfg,
 * grouped by service principal. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "expiry.h"
#include "graph.h"
#include "job.h"
#include "modes.h"
#include "options.h"
#include "output.h"
#include "run.h"
#include "sps.h"
#include "text.h"
#include "url.h"

static const char *dash(const char *s)
{
	return s != NULL && *s ? s : "-";
}

static const char *status_of(const struct sync_job *j)
{
	return j->status_code_present ? j->status_code : "";
}

/* The jobs of one service principal. */
struct group {
	const char *sp_id;  /* object id, or NULL (addressed by -a) */
	const char *app_id; /* application id, or NULL */
	const char *name;   /* displayName, or NULL */
	const struct sync_job *jobs;
	size_t n;
};

/* "Contoso Box (5a1f...)", for headings. */
static void group_title(const struct group *g, char *out, size_t n)
{
	const char *id = g->sp_id != NULL ? g->sp_id : g->app_id;
	if (g->name != NULL && *g->name)
		snprintf(out, n, "%s (%s%s)", g->name, g->sp_id ? "" : "appId ", id);
	else
		snprintf(out, n, "service principal %s%s", g->sp_id ? "" : "appId ", id);
	text_clean(out);
}

/* An id from Graph goes into a definition only when it is made of these:
 * real ids are "templateId.32hex". Anything else could end a string, start
 * an Icinga 2 runtime macro ($...$), add a command argument through Nagios'
 * $ARGn$ or a shell metacharacter, or break a service name. */
static bool id_safe(const char *s)
{
	if (s == NULL || *s == '\0' || url_segment_is_dot(s))
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* Characters that survive an Icinga 2 string, a Nagios object value and the
 * single quotes of contrib/nagios/commands.cfg without escaping (for the
 * values the admin gave on this command line: tenant, client id, paths). */
static bool config_safe(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch >= 0x7f || strchr("\"'\\$;!`#{}", ch) != NULL)
			return false;
	}
	return true;
}

static int list_text_jobs(FILE *out, const struct sync_job *jobs, size_t n)
{
	int w_id = 6, w_tpl = 8, w_st = 6, w_iv = 8, w_sch = 8;
	for (size_t i = 0; i < n; i++) {
		const struct sync_job *j = &jobs[i];
		int l;
		if ((l = (int)strlen(j->id)) > w_id)
			w_id = l;
		if ((l = (int)strlen(j->template_id)) > w_tpl)
			w_tpl = l;
		if ((l = (int)strlen(status_of(j))) > w_st)
			w_st = l;
		if ((l = (int)strlen(j->schedule_interval)) > w_iv)
			w_iv = l;
		if ((l = (int)strlen(j->schedule_state)) > w_sch)
			w_sch = l;
	}
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w_id, "JOB ID", w_tpl, "TEMPLATE", w_st,
	        "STATUS", w_iv, "INTERVAL", w_sch, "SCHEDULE", "QUARANTINE");
	for (size_t i = 0; i < n; i++) {
		struct sync_job j = jobs[i];
		/* a column holds one line of valid UTF-8, whatever Graph sent */
		text_clean(j.id);
		text_clean(j.template_id);
		text_clean(j.status_code);
		text_clean(j.schedule_interval);
		text_clean(j.schedule_state);
		text_clean(j.quarantine.reason);
		const char *reason =
		    j.quarantine.present
		        ? (*j.quarantine.reason ? j.quarantine.reason : "(no reason given)")
		        : "-";
		fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w_id, j.id, w_tpl,
		        dash(j.template_id), w_st, dash(status_of(&j)), w_iv,
		        dash(j.schedule_interval), w_sch, dash(j.schedule_state), reason);
	}
	return 0;
}

static int list_text(FILE *out, const struct group *gs, size_t ng)
{
	for (size_t k = 0; k < ng; k++) {
		if (ng > 1) {
			char title[400];
			group_title(&gs[k], title, sizeof(title));
			fprintf(out, "%s== %s\n", k ? "\n" : "", title);
		}
		list_text_jobs(out, gs[k].jobs, gs[k].n);
	}
	return 0;
}

static struct json_object *string_or_null(const char *s, bool present)
{
	return present ? json_object_new_string(s) : NULL;
}

static struct json_object *jobs_json(const struct sync_job *jobs, size_t n)
{
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; arr != NULL && i < n; i++) {
		const struct sync_job *j = &jobs[i];
		struct json_object *o = json_object_new_object();
		struct json_object *sch = json_object_new_object();
		if (o == NULL || sch == NULL) {
			json_object_put(o);
			json_object_put(sch);
			json_object_put(arr);
			return NULL;
		}
		json_object_object_add(o, "id", json_object_new_string(j->id));
		json_object_object_add(o, "templateId",
		                       string_or_null(j->template_id, *j->template_id));
		json_object_object_add(o, "status",
		                       string_or_null(j->status_code, j->status_code_present));
		json_object_object_add(sch, "interval",
		                       string_or_null(j->schedule_interval, *j->schedule_interval));
		json_object_object_add(sch, "state",
		                       string_or_null(j->schedule_state, *j->schedule_state));
		json_object_object_add(o, "schedule", sch);
		json_object_object_add(o, "quarantineReason",
		                       string_or_null(j->quarantine.reason, j->quarantine.present));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* One service principal: {"servicePrincipal": id, "jobs": [...]} as ever;
 * several: {"servicePrincipals": [{"id", "appId", "displayName", "jobs"}]}. */
static int list_json(FILE *out, const struct group *gs, size_t ng, bool many,
                     const struct expiry_result *x)
{
	struct json_object *root = json_object_new_object();
	if (root == NULL)
		return -1;
	if (x->status == EXPIRY_KNOWN || x->status == EXPIRY_NO_END) {
		/* null: the secret in use never expires */
		json_object_object_add(root, "credentialExpiresIn",
		                       x->status == EXPIRY_KNOWN
		                           ? json_object_new_int64((int64_t)x->expires_in)
		                           : NULL);
		json_object_object_add(root, "credentialState",
		                       json_object_new_string(state_name(x->state)));
	}
	if (!many) {
		json_object_object_add(
		    root, gs[0].sp_id ? "servicePrincipal" : "appId",
		    json_object_new_string(gs[0].sp_id ? gs[0].sp_id : gs[0].app_id));
		json_object_object_add(root, "jobs", jobs_json(gs[0].jobs, gs[0].n));
	} else {
		struct json_object *arr = json_object_new_array();
		json_object_object_add(root, "servicePrincipals", arr);
		for (size_t k = 0; arr != NULL && k < ng; k++) {
			struct json_object *o = json_object_new_object();
			if (o == NULL)
				break;
			json_object_object_add(o, "id",
			                       string_or_null(gs[k].sp_id, gs[k].sp_id != NULL));
			json_object_object_add(
			    o, "appId",
			    string_or_null(gs[k].app_id, gs[k].app_id && *gs[k].app_id));
			json_object_object_add(
			    o, "displayName",
			    string_or_null(gs[k].name, gs[k].name && *gs[k].name));
			json_object_object_add(o, "jobs", jobs_json(gs[k].jobs, gs[k].n));
			json_object_array_add(arr, o);
		}
	}
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
	/* Names from Graph and the ids file keep their value, but a bidi or
	 * zero-width character is written as its escape, not raw. */
	struct buf safe = {0};
	int rc = text != NULL ? text_json_safe(text, &safe) : -1;
	if (rc == 0)
		fprintf(out, "%s\n", safe.data != NULL ? safe.data : "");
	buf_free(&safe);
	json_object_put(root);
	return rc;
}

/* "entra-<tenant>": a host to hang the services on; the comment says to adjust it. */
static void host_name(const struct config *c, char *out, size_t n)
{
	if (config_safe(c->auth.tenant) && strchr(c->auth.tenant, ' ') == NULL)
		snprintf(out, n, "entra-%s", c->auth.tenant);
	else
		str_copy(out, n, "entra");
}

/* Why a job cannot be written into a definition, or NULL when it can. */
static const char *unsafe_why(const struct sync_job *j)
{
	if (!id_safe(j->id))
		return "its id is a relative path segment or has characters other than letters, "
		       "digits, '.', '_' and '-'";
	if (j->template_id[0] != '\0' && !id_safe(j->template_id))
		return "its templateId has characters other than letters, digits, '.', '_' and '-'";
	return NULL;
}

/* "Entra sync <templateId>", or the job id when another job shares the
 * template. Both are id_safe, so none of Nagios' illegal_object_name_chars
 * can appear. */
static void service_name(const struct group *gs, size_t ng, const struct sync_job *job, char *out,
                         size_t len)
{
	size_t same = 0;
	for (size_t k = 0; k < ng && same < 2; k++)
		for (size_t i = 0; i < gs[k].n && same < 2; i++)
			same += strcmp(gs[k].jobs[i].template_id, job->template_id) == 0;
	bool shared = job->template_id[0] == '\0' || same > 1;
	snprintf(out, len, "Entra sync %s", shared ? job->id : job->template_id);
}

#define SERVICE_NAME_MAX 400

/* The service each job of the listing would define, in the order printed
 * ("" for a job left out as unsafe), and which repeat an earlier one: a
 * daemon refuses a configuration that defines one service twice, so the
 * second is left out with a comment. */
struct services {
	char (*name)[SERVICE_NAME_MAX];
	bool *repeat;
	size_t at; /* the next job's index while printing */
};

static int services_name(const struct group *gs, size_t ng, struct services *sv)
{
	size_t total = 0;
	for (size_t k = 0; k < ng; k++)
		total += gs[k].n;
	sv->at = 0;
	sv->name = calloc(total ? total : 1, sizeof(*sv->name));
	sv->repeat = calloc(total ? total : 1, sizeof(*sv->repeat));
	const char **names = calloc(total ? total : 1, sizeof(*names));
	int rc = sv->name && sv->repeat && names ? 0 : -1;
	for (size_t k = 0, i = 0; rc == 0 && k < ng; k++)
		for (size_t j = 0; j < gs[k].n; j++, i++) {
			if (unsafe_why(&gs[k].jobs[j]) == NULL)
				service_name(gs, ng, &gs[k].jobs[j], sv->name[i], SERVICE_NAME_MAX);
			names[i] = sv->name[i];
		}
	if (rc == 0)
		rc = strv_mark_repeats(names, total, sv->repeat);
	free(names);
	return rc;
}

static void services_free(struct services *sv)
{
	free(sv->name);
	free(sv->repeat);
}

/* Why the next job is left out of a definition, or NULL: unsafe, or its
 * service defined above. why holds the words. */
static const char *left_out(struct services *sv, const struct sync_job *job, char *why, size_t n)
{
	size_t i = sv->at++;
	const char *unsafe = unsafe_why(job);
	if (unsafe != NULL)
		return unsafe;
	if (!sv->repeat[i])
		return NULL;
	snprintf(why, n, "the service \"%s\" is defined above (the listing repeats it)",
	         sv->name[i]);
	return why;
}

static void icinga2_var(FILE *out, const char *name, const char *value)
{
	if (config_safe(value))
		fprintf(out, "\tvars.%s = \"%s\"\n", name, value);
}

static void icinga2_identity(FILE *out, const struct config *c, const struct group *g)
{
	icinga2_var(out, "entra_sync_tenant", c->auth.tenant);
	icinga2_var(out, "entra_sync_client_id", c->auth.client_id);
	switch (c->auth.method) {
	case AUTH_SECRET:
		if (c->secret_file != NULL)
			icinga2_var(out, "entra_sync_client_secret_file", c->secret_file);
		else
			fprintf(out, "\t/* set vars.entra_sync_client_secret_file (or "
			             "entra_sync_client_secret) */\n");
		break;
	case AUTH_CERTIFICATE:
		icinga2_var(out, "entra_sync_certificate", c->auth.certificate);
		if (c->auth.jwt_alg == JWT_PS256)
			icinga2_var(out, "entra_sync_jwt_alg", "PS256");
		break;
	case AUTH_MANAGED_IDENTITY:
		fprintf(out, "\tvars.entra_sync_managed_identity = true\n");
		icinga2_var(out, "entra_sync_managed_identity_client_id", c->auth.mi_client_id);
		break;
	case AUTH_TOKEN_FILE:
		icinga2_var(out, "entra_sync_access_token_file", c->auth.token_file);
		break;
	case AUTH_NONE:
		break;
	}
	if (c->cloud != NULL && strcmp(c->cloud, "global") != 0)
		icinga2_var(out, "entra_sync_cloud", c->cloud);
	if (g->sp_id != NULL)
		icinga2_var(out, "entra_sync_service_principal", g->sp_id);
	else
		icinga2_var(out, "entra_sync_app_id", g->app_id);
}

static int list_icinga2(FILE *out, const struct config *c, const struct group *gs, size_t ng)
{
	char host[300], title[400], why_buf[SERVICE_NAME_MAX + 80];
	struct services sv;
	if (services_name(gs, ng, &sv) < 0) {
		services_free(&sv);
		return -1;
	}
	host_name(c, host, sizeof(host));
	fprintf(out,
	        "/* check_entra_sync --list --format=icinga2: one service per synchronization\n"
	        " * job, using CheckCommand \"entra_sync\" and EventCommand \"entra_sync_repair\"\n"
	        " * of entra_sync.conf (include <entra_sync.conf>). Adjust host_name to your\n"
	        " * host. The event handler's identity needs Synchronization.ReadWrite.All. */\n");
	for (size_t k = 0; k < ng; k++) {
		const struct sync_job *jobs = gs[k].jobs;
		size_t n = gs[k].n;
		if (ng > 1) {
			group_title(&gs[k], title, sizeof(title));
			/* a comment must not be ended by what Graph names a service principal */
			for (char *p = strstr(title, "*/"); p != NULL; p = strstr(p, "*/"))
				*p = '_';
			fprintf(out, "\n/* %s */\n", title);
		}
		for (size_t i = 0; i < n; i++) {
			const char *why = left_out(&sv, &jobs[i], why_buf, sizeof(why_buf));
			if (why != NULL) {
				fprintf(out, "\n/* job %zu of %zu left out: %s */\n", i + 1, n,
				        why);
				continue;
			}
			fprintf(out, "\nobject Service \"%s\" {\n", sv.name[sv.at - 1]);
			fprintf(out, "\thost_name = \"%s\"\n", host);
			fprintf(out, "\tcheck_command = \"entra_sync\"\n");
			fprintf(out, "\tevent_command = \"entra_sync_repair\"\n");
			icinga2_identity(out, c, &gs[k]);
			fprintf(out, "\tvars.entra_sync_job = \"%s\"\n", jobs[i].id);
			fprintf(out, "}\n");
		}
	}
	services_free(&sv);
	return 0;
}

static int list_nagios(FILE *out, const struct config *c, const struct group *gs, size_t ng)
{
	char host[300], title[400], why_buf[SERVICE_NAME_MAX + 80];
	struct services sv;
	if (services_name(gs, ng, &sv) < 0) {
		services_free(&sv);
		return -1;
	}
	host_name(c, host, sizeof(host));
	const char *secret_file = c->auth.method == AUTH_SECRET && config_safe(c->secret_file)
	                              ? c->secret_file
	                              : "/etc/check-entra-sync/entra-sync.secret";
	fprintf(out, "# check_entra_sync --list --format=nagios: one service per synchronization\n"
	             "# job, using the template entra-sync-service and the commands\n"
	             "# check_entra_sync and entra_sync_repair of\n"
	             "# /usr/share/doc/check-entra-sync/examples/nagios/. Adjust host_name;\n"
	             "# _ENTRA_SECRET_FILE must name a file only the nagios user can read. The\n"
	             "# event handler's identity needs Synchronization.ReadWrite.All.\n");
	if (c->auth.method != AUTH_SECRET)
		fprintf(out, "# The contrib commands sign in with a client secret file; this run "
		             "used another method.\n");
	for (size_t k = 0; k < ng; k++) {
		const struct sync_job *jobs = gs[k].jobs;
		size_t n = gs[k].n;
		if (ng > 1) {
			group_title(&gs[k], title, sizeof(title));
			fprintf(out, "\n# %s\n", title);
		}
		for (size_t i = 0; i < n; i++) {
			const char *why = left_out(&sv, &jobs[i], why_buf, sizeof(why_buf));
			if (why != NULL) {
				fprintf(out, "\n# job %zu of %zu left out: %s\n", i + 1, n, why);
				continue;
			}
			fprintf(out, "\ndefine service {\n");
			fprintf(out, "\tuse\t\t\tentra-sync-service\n");
			fprintf(out, "\thost_name\t\t%s\n", host);
			fprintf(out, "\tservice_description\t%s\n", sv.name[sv.at - 1]);
			if (config_safe(c->auth.tenant))
				fprintf(out, "\t_ENTRA_TENANT\t\t%s\n", c->auth.tenant);
			if (config_safe(c->auth.client_id))
				fprintf(out, "\t_ENTRA_CLIENT_ID\t%s\n", c->auth.client_id);
			fprintf(out, "\t_ENTRA_SECRET_FILE\t%s\n", secret_file);
			fprintf(out, "\t_ENTRA_SP\t\t%s\n", gs[k].sp_id);
			fprintf(out, "\tcheck_command\t\tcheck_entra_sync!--job %s\n", jobs[i].id);
			fprintf(out, "\tevent_handler\t\tentra_sync_repair!--job %s\n", jobs[i].id);
			fprintf(out, "}\n");
		}
	}
	services_free(&sv);
	return 0;
}

/* The service principals, as a --service-principals-file: object id, a
 * tab, the display name on one line. */
static int list_ids(FILE *out, const struct group *gs, size_t ng)
{
	fprintf(out, "# check_entra_sync --list --format=ids: service principals with "
	             "synchronization\n# jobs, for --service-principals-file (object id, "
	             "display name)\n");
	for (size_t k = 0; k < ng; k++) {
		char name[300];
		text_copy(name, sizeof(name), gs[k].name != NULL ? gs[k].name : "");
		fprintf(out, "%s%s%s\n", gs[k].sp_id, *name ? "\t" : "", name);
	}
	return 0;
}

/* Keeps the first of each job a service principal's listing repeats, for
 * every format. 0, or -1 when out of memory. */
static int drop_repeated_jobs(struct sync_job *jobs, size_t *n)
{
	const char **ids = malloc((*n ? *n : 1) * sizeof(*ids));
	bool *repeat = malloc((*n ? *n : 1) * sizeof(*repeat));
	int rc = ids && repeat ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < *n; i++)
		ids[i] = jobs[i].id;
	if (rc == 0)
		rc = strv_mark_repeats(ids, *n, repeat);
	size_t kept = 0;
	for (size_t i = 0; rc == 0 && i < *n; i++)
		if (!repeat[i])
			memmove(&jobs[kept++], &jobs[i], sizeof(*jobs));
	if (rc == 0)
		*n = kept;
	free(ids);
	free(repeat);
	return rc;
}

/* The credential about to end is said once, after the list, as each format
 * comments (one line: no name in it can end the comment); json carries it
 * as members. */
static int print_groups(const struct mode_env *m, const struct group *gs, size_t ng, bool many)
{
	const struct config *c = m->cfg;
	FILE *out = m->out;
	struct expiry_result x;
	char clause[300];
	mode_credential_expiry(m, &x);
	output_expiry_clause(&x, clause, sizeof(clause));
	int rc = 0;
	const char *note = "";
	switch (c->list_format) {
	case LIST_TEXT:
		rc = list_text(out, gs, ng);
		note = "note: ";
		break;
	case LIST_JSON:
		return list_json(out, gs, ng, many, &x);
	case LIST_ICINGA2:
		rc = list_icinga2(out, c, gs, ng);
		note = "\n// note: ";
		break;
	case LIST_NAGIOS:
		rc = list_nagios(out, c, gs, ng);
		note = "\n# note: ";
		break;
	case LIST_IDS:
		rc = list_ids(out, gs, ng);
		note = "# note: ";
		break;
	}
	if (rc == 0 && clause[0])
		fprintf(out, "%s%s\n", note, clause);
	return rc;
}

/* What could not be read, where the format allows a comment; exit 3 then:
 * discovery that missed something must not look complete. */
static void print_failures(const struct config *c, FILE *out, char **fails, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (c->list_format == LIST_JSON)
			fprintf(stderr, "%s\n", fails[i]);
		else if (c->list_format == LIST_ICINGA2)
			fprintf(out, "\n/* not read: %s */\n", fails[i]);
		else
			fprintf(out, "%s# not read: %s\n",
			        c->list_format == LIST_NAGIOS ? "\n" : "", fails[i]);
	}
}

/* Several service principals (the -s list, or every one of the tenant):
 * their jobs in batches. skip_empty: a service principal without jobs is
 * simply not provisioning (discovery), not an error. */
static int list_many(const struct mode_env *m, const struct sp_ref *sps, const char *const *names,
                     const char *const *app_ids, size_t n, bool skip_empty, struct err *e)
{
	const struct config *c = m->cfg;
	struct sp_jobs *per = calloc(n ? n : 1, sizeof(*per));
	struct group *gs = calloc(n ? n : 1, sizeof(*gs));
	char **fails = calloc(n ? n : 1, sizeof(*fails));
	size_t ng = 0, nf = 0;
	int rc = per && gs && fails ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
	bool tty = isatty(STDERR_FILENO);
	for (size_t at = 0; rc == 0 && at < n; at += 200) {
		size_t chunk = n - at < 200 ? n - at : 200;
		rc = graph_read_jobs_many(m->g, sps + at, chunk, per + at, e);
		if (tty)
			fprintf(stderr, "\rreading jobs: %zu of %zu service principals", at + chunk,
			        n);
	}
	if (tty)
		fputc('\n', stderr);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!per[i].failed && drop_repeated_jobs(per[i].jobs, &per[i].n) < 0)
			rc = err_set(e, ERR_INTERNAL, "out of memory");
		if (rc < 0)
			break;
		if (per[i].failed) {
			if (skip_empty && per[i].empty)
				continue; /* not provisioning */
			struct buf b = {0};
			buf_printf(&b, "service principal %s: %s", sps[i].id, per[i].err.msg);
			text_clean_buf(&b, 0);
			fails[nf++] = b.data;
			continue;
		}
		gs[ng++] = (struct group){sps[i].id, app_ids ? app_ids[i] : NULL,
		                          names ? names[i] : NULL, per[i].jobs, per[i].n};
	}
	if (rc == 0 && ng == 0 && nf == 0)
		rc = err_set(e, ERR_GRAPH,
		             "no service principal of the %zu has synchronization jobs", n);
	if (rc == 0 && print_groups(m, gs, ng, true) < 0)
		rc = err_set(e, ERR_INTERNAL, "out of memory while formatting the list");
	if (rc == 0) {
		print_failures(c, m->out, fails, nf);
		rc = nf > 0 ? STATE_UNKNOWN : STATE_OK;
	}
	if (per != NULL)
		sp_jobs_free(per, n);
	strv_free(fails, nf);
	free(per);
	free(gs);
	return rc;
}

/* --all-service-principals: every service principal, then their jobs. */
static int list_tenant(const struct mode_env *m, struct err *e)
{
	struct sp_info *all = NULL;
	size_t n = 0, skipped = 0;
	if (graph_list_service_principals(m->g, &all, &n, &skipped, e) < 0)
		return -1;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "%zu service principals in the tenant\n", n);
	if (skipped > 0)
		run_say(m->run, 1, "%zu service principals without a GUID id left out", skipped);
	struct sp_ref *sps = calloc(n ? n : 1, sizeof(*sps));
	const char **names = calloc(n ? n : 1, sizeof(*names));
	const char **apps = calloc(n ? n : 1, sizeof(*apps));
	int rc = sps && names && apps ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sps[i].id = all[i].id;
		names[i] = all[i].name;
		apps[i] = all[i].app_id;
	}
	if (rc == 0)
		rc = n == 0 ? err_set(e, ERR_GRAPH, "the tenant lists no service principal")
		            : list_many(m, sps, names, apps, n, true, e);
	free(sps);
	free(names);
	free(apps);
	free(all);
	return rc;
}

int mode_list(const struct mode_env *m, struct err *e)
{
	const struct config *c = m->cfg;
	if (c->list_format == LIST_NAGIOS && !c->all_sps &&
	    (c->sp_id == NULL || !config_safe(c->sp_id)))
		return err_set(e, ERR_USAGE,
		               "--format=nagios needs the service principal's object id (-s): "
		               "the command check_entra_sync of the Nagios examples passes "
		               "--service-principal");
	if (c->list_format == LIST_IDS && !c->all_sps && c->sp_id == NULL)
		return err_set(e, ERR_USAGE,
		               "--format=ids needs the service principal's object id (-s), "
		               "not -a");
	if (c->all_sps)
		return list_tenant(m, e);
	if (c->n_sps > 1)
		return list_many(m, c->sps, (const char *const *)c->sp_names, NULL, c->n_sps, false,
		                 e);
	struct sync_job *jobs = NULL;
	size_t n = 0;
	if (graph_read_jobs(m->g, &c->sp, NULL, &jobs, &n, e) < 0)
		return -1;
	struct group g = {c->sp_id, c->app_id, c->n_sps ? c->sp_names[0] : NULL, jobs, n};
	int rc = drop_repeated_jobs(jobs, &g.n);
	if (rc == 0)
		rc = print_groups(m, &g, 1, false);
	free(jobs);
	if (rc < 0)
		return err_set(e, ERR_INTERNAL, "out of memory while formatting the list");
	return STATE_OK;
}
