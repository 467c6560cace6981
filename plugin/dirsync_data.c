/* SPDX-License-Identifier: GPL-3.0-or-later */
/* organization + onPremisesDirectorySynchronization JSON -> struct dirsync_data. */
#include "dirsync_data.h"

#include <json-c/json.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"

static bool has_member(struct json_object *obj, const char *key, struct json_object **v)
{
	*v = NULL;
	return obj != NULL && json_object_is_type(obj, json_type_object) &&
	       json_object_object_get_ex(obj, key, v);
}

static const char *type_name(struct json_object *v)
{
	return v == NULL ? "null" : json_type_to_name(json_object_get_type(v));
}

/* The first element of a collection's value array, or NULL when it is
 * empty; *rc -1 (with e) when the collection is not one. */
static struct json_object *first_of(struct json_object *page, const char *what, struct err *e,
                                    int *rc)
{
	struct json_object *value;
	*rc = 0;
	if (page == NULL || !json_object_is_type(page, json_type_object)) {
		*rc = err_set(e, ERR_PARSE, "%s is not a JSON object (%s)", what, type_name(page));
		return NULL;
	}
	if (!has_member(page, "value", &value) || !json_object_is_type(value, json_type_array)) {
		*rc = err_set(e, ERR_PARSE, "%s: value is missing or not an array (%s)", what,
		              type_name(value));
		return NULL;
	}
	if (json_object_array_length(value) == 0)
		return NULL;
	struct json_object *first = json_object_array_get_idx(value, 0);
	if (first == NULL || !json_object_is_type(first, json_type_object)) {
		*rc = err_set(e, ERR_PARSE, "%s: value[0] is not an object (%s)", what,
		              type_name(first));
		return NULL;
	}
	return first;
}

static enum tri tri_member(struct json_object *obj, const char *key, bool *wrong)
{
	struct json_object *v;
	*wrong = false;
	if (!has_member(obj, key, &v))
		return TRI_ABSENT;
	if (v == NULL)
		return TRI_NULL;
	if (!json_object_is_type(v, json_type_boolean)) {
		*wrong = true;
		return TRI_ABSENT;
	}
	return json_object_get_boolean(v) ? TRI_TRUE : TRI_FALSE;
}

static void time_member(struct json_object *obj, const char *key, struct dirsync_time *t)
{
	struct json_object *v;
	memset(t, 0, sizeof(*t));
	t->valid = TIME_NEVER;
	if (!has_member(obj, key, &v))
		return;
	t->present = true;
	if (v != NULL && !json_object_is_type(v, json_type_string)) {
		t->valid = TIME_INVALID;
		return;
	}
	t->valid = iso_time_parse(v != NULL ? json_object_get_string(v) : NULL, &t->t);
}

static void interval_member(struct json_object *obj, const char *key, struct dirsync_interval *iv)
{
	struct json_object *v;
	memset(iv, 0, sizeof(*iv));
	if (!has_member(obj, key, &v))
		return;
	iv->present = true;
	if (v == NULL)
		return;
	const char *text = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
	                                                            : json_object_to_json_string(v);
	str_copy(iv->text, sizeof(iv->text), text);
	iv->valid = json_object_is_type(v, json_type_string) &&
	            iso_duration_parse(iv->text, &iv->seconds) == 0 && iv->seconds > 0 &&
	            !iso_duration_is_disabled(iv->seconds);
	if (!iv->valid)
		iv->seconds = 0;
}

static void parse_prevention(struct json_object *config, struct dirsync_data *d)
{
	struct json_object *p =
	    json_member_typed(config, "accidentalDeletionPrevention", json_type_object);
	struct json_object *v;
	d->prevention = PREVENTION_ABSENT;
	if (p == NULL)
		return;
	if (has_member(p, "alertThreshold", &v) && v != NULL &&
	    json_object_is_type(v, json_type_int)) {
		d->has_alert_threshold = true;
		d->alert_threshold = json_object_get_int64(v);
	}
	if (!has_member(p, "synchronizationPreventionType", &v) || v == NULL)
		return;
	const char *type = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
	                                                            : json_object_to_json_string(v);
	str_copy(d->prevention_type, sizeof(d->prevention_type), type);
	static const char *const names[] = {"disabled", "enabledForCount", "enabledForPercentage"};
	static const enum deletion_prevention kinds[] = {PREVENTION_DISABLED, PREVENTION_COUNT,
	                                                 PREVENTION_PERCENTAGE};
	d->prevention = PREVENTION_OTHER;
	for (size_t i = 0; i < 3 && json_object_is_type(v, json_type_string); i++)
		if (strcasecmp(type, names[i]) == 0)
			d->prevention = kinds[i];
}

int dirsync_from_json(struct json_object *organization, struct json_object *sync,
                      struct dirsync_data *d, struct err *e)
{
	memset(d, 0, sizeof(*d));
	d->last_sync.valid = d->last_password_sync.valid = TIME_NEVER;
	int rc;
	struct json_object *org = first_of(organization, "organization", e, &rc);
	if (rc < 0)
		return -1;
	if (org == NULL)
		return err_set(e, ERR_PARSE, "organization: the collection holds no organization");
	bool wrong;
	d->sync_enabled = tri_member(org, "onPremisesSyncEnabled", &wrong);
	if (wrong)
		return err_set(e, ERR_PARSE,
		               "organization: onPremisesSyncEnabled is neither a boolean nor null");
	time_member(org, "onPremisesLastSyncDateTime", &d->last_sync);
	time_member(org, "onPremisesLastPasswordSyncDateTime", &d->last_password_sync);

	struct json_object *obj = first_of(sync, "onPremisesSynchronization", e, &rc);
	if (rc < 0)
		return -1;
	d->sync_object = obj != NULL;
	struct json_object *config = json_member_typed(obj, "configuration", json_type_object);
	interval_member(config, "synchronizationInterval", &d->interval);
	interval_member(config, "customerRequestedSynchronizationInterval", &d->customer_interval);
	parse_prevention(config, d);
	d->password_sync = tri_member(json_member_typed(obj, "features", json_type_object),
	                              "passwordSyncEnabled", &wrong);
	return 0;
}
