/* --list: discovery. Every job of the service principal as a table, JSON, or
 * ready-to-paste Icinga 2 / Nagios service definitions that use the commands
 * of contrib/icinga2/entra_sync.conf and contrib/nagios/commands.cfg. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expiry.h"
#include "graph.h"
#include "job.h"
#include "modes.h"
#include "options.h"
#include "output.h"
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

static int list_text(FILE *out, const struct sync_job *jobs, size_t n)
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

static struct json_object *string_or_null(const char *s, bool present)
{
	return present ? json_object_new_string(s) : NULL;
}

static int list_json(FILE *out, const struct config *c, const struct sync_job *jobs, size_t n,
                     const struct expiry_result *x)
{
	struct json_object *root = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	if (root == NULL || arr == NULL) {
		json_object_put(root);
		json_object_put(arr);
		return -1;
	}
	json_object_object_add(root, c->sp_id ? "servicePrincipal" : "appId",
	                       json_object_new_string(c->sp_id ? c->sp_id : c->app_id));
	json_object_object_add(root, "jobs", arr);
	if (x->status == EXPIRY_KNOWN) {
		json_object_object_add(root, "credentialExpiresIn",
		                       json_object_new_int64((int64_t)x->expires_in));
		json_object_object_add(root, "credentialState",
		                       json_object_new_string(state_name(x->state)));
	}
	for (size_t i = 0; i < n; i++) {
		const struct sync_job *j = &jobs[i];
		struct json_object *o = json_object_new_object();
		struct json_object *sch = json_object_new_object();
		if (o == NULL || sch == NULL) {
			json_object_put(o);
			json_object_put(sch);
			json_object_put(root);
			return -1;
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
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = text != NULL ? 0 : -1;
	if (text != NULL)
		fprintf(out, "%s\n", text);
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
static void service_name(const struct sync_job *jobs, size_t n, size_t i, char *out, size_t len)
{
	bool shared = jobs[i].template_id[0] == '\0';
	for (size_t k = 0; k < n && !shared; k++)
		shared = k != i && strcmp(jobs[k].template_id, jobs[i].template_id) == 0;
	snprintf(out, len, "Entra sync %s", shared ? jobs[i].id : jobs[i].template_id);
}

static void icinga2_var(FILE *out, const char *name, const char *value)
{
	if (config_safe(value))
		fprintf(out, "\tvars.%s = \"%s\"\n", name, value);
}

static void icinga2_identity(FILE *out, const struct config *c)
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
	if (c->sp_id != NULL)
		icinga2_var(out, "entra_sync_service_principal", c->sp_id);
	else
		icinga2_var(out, "entra_sync_app_id", c->app_id);
}

static int list_icinga2(FILE *out, const struct config *c, const struct sync_job *jobs, size_t n)
{
	char host[300], name[400];
	host_name(c, host, sizeof(host));
	fprintf(out,
	        "/* check_entra_sync --list --format=icinga2: one service per synchronization\n"
	        " * job, using CheckCommand \"entra_sync\" and EventCommand \"entra_sync_repair\"\n"
	        " * from contrib/icinga2/entra_sync.conf. Adjust host_name to your host. The\n"
	        " * event handler's identity needs Synchronization.ReadWrite.All. */\n");
	for (size_t i = 0; i < n; i++) {
		const char *why = unsafe_why(&jobs[i]);
		if (why != NULL) {
			fprintf(out, "\n/* job %zu of %zu left out: %s */\n", i + 1, n, why);
			continue;
		}
		service_name(jobs, n, i, name, sizeof(name));
		fprintf(out, "\nobject Service \"%s\" {\n", name);
		fprintf(out, "\thost_name = \"%s\"\n", host);
		fprintf(out, "\tcheck_command = \"entra_sync\"\n");
		fprintf(out, "\tevent_command = \"entra_sync_repair\"\n");
		icinga2_identity(out, c);
		fprintf(out, "\tvars.entra_sync_job = \"%s\"\n", jobs[i].id);
		fprintf(out, "}\n");
	}
	return 0;
}

static int list_nagios(FILE *out, const struct config *c, const struct sync_job *jobs, size_t n)
{
	char host[300], name[400];
	host_name(c, host, sizeof(host));
	const char *secret_file = c->auth.method == AUTH_SECRET && config_safe(c->secret_file)
	                              ? c->secret_file
	                              : "/etc/nagios4/entra-sync.secret";
	fprintf(out, "# check_entra_sync --list --format=nagios: one service per synchronization\n"
	             "# job, using the template entra-sync-service (contrib/nagios/services.cfg)\n"
	             "# and the commands check_entra_sync and entra_sync_repair\n"
	             "# (contrib/nagios/commands.cfg). Adjust host_name; _ENTRA_SECRET_FILE must\n"
	             "# name a file only the nagios user can read. The event handler's identity\n"
	             "# needs Synchronization.ReadWrite.All.\n");
	if (c->auth.method != AUTH_SECRET)
		fprintf(out, "# The contrib commands sign in with a client secret file; this run "
		             "used another method.\n");
	for (size_t i = 0; i < n; i++) {
		const char *why = unsafe_why(&jobs[i]);
		if (why != NULL) {
			fprintf(out, "\n# job %zu of %zu left out: %s\n", i + 1, n, why);
			continue;
		}
		service_name(jobs, n, i, name, sizeof(name));
		fprintf(out, "\ndefine service {\n");
		fprintf(out, "\tuse\t\t\tentra-sync-service\n");
		fprintf(out, "\thost_name\t\t%s\n", host);
		fprintf(out, "\tservice_description\t%s\n", name);
		if (config_safe(c->auth.tenant))
			fprintf(out, "\t_ENTRA_TENANT\t\t%s\n", c->auth.tenant);
		if (config_safe(c->auth.client_id))
			fprintf(out, "\t_ENTRA_CLIENT_ID\t%s\n", c->auth.client_id);
		fprintf(out, "\t_ENTRA_SECRET_FILE\t%s\n", secret_file);
		fprintf(out, "\t_ENTRA_SP\t\t%s\n", c->sp_id);
		fprintf(out, "\tcheck_command\t\tcheck_entra_sync!--job %s\n", jobs[i].id);
		fprintf(out, "\tevent_handler\t\tentra_sync_repair!--job %s\n", jobs[i].id);
		fprintf(out, "}\n");
	}
	return 0;
}

int mode_list(const struct mode_env *m, struct err *e)
{
	const struct config *c = m->cfg;
	FILE *out = m->out;
	struct sync_job *jobs = NULL;
	size_t n = 0;
	if (c->list_format == LIST_NAGIOS && (c->sp_id == NULL || !config_safe(c->sp_id)))
		return err_set(e, ERR_USAGE,
		               "--format=nagios needs the service principal's object id (-s): "
		               "contrib/nagios/commands.cfg passes --service-principal");
	if (graph_read_jobs(m->g, &c->sp, NULL, &jobs, &n, e) < 0)
		return -1;
	struct expiry_result x;
	char clause[300];
	mode_credential_expiry(m, &x);
	output_expiry_clause(&x, clause, sizeof(clause));
	int rc = 0;
	switch (c->list_format) {
	case LIST_TEXT:
		rc = list_text(out, jobs, n);
		if (clause[0])
			fprintf(out, "note: %s\n", clause);
		break;
	case LIST_JSON:
		rc = list_json(out, c, jobs, n, &x);
		break;
	case LIST_ICINGA2:
		rc = list_icinga2(out, c, jobs, n);
		if (clause[0])
			fprintf(out, "\n// note: %s\n",
			        clause); /* one line: a name cannot end it */
		break;
	case LIST_NAGIOS:
		rc = list_nagios(out, c, jobs, n);
		if (clause[0])
			fprintf(out, "\n# note: %s\n", clause);
		break;
	}
	free(jobs);
	if (rc < 0)
		return err_set(e, ERR_INTERNAL, "out of memory while formatting the list");
	return STATE_OK;
}
