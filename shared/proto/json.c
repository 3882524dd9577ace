/*
 * json.c - field accessors over cJSON (json.h).
 */
#include "json.h"

static const cJSON *field(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = field(o, key);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

int64_t json_int_or(const cJSON *o, const char *key, int64_t def)
{
	const cJSON *v = field(o, key);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -9e18 && v->valuedouble <= 9e18))
		return def;
	return (int64_t)v->valuedouble;
}

int64_t json_int(const cJSON *o, const char *key)
{
	return json_int_or(o, key, 0);
}

double json_num(const cJSON *o, const char *key, double def)
{
	const cJSON *v = field(o, key);
	return cJSON_IsNumber(v) && v->valuedouble == v->valuedouble ? v->valuedouble : def;
}

int json_bool_or(const cJSON *o, const char *key, int def)
{
	const cJSON *v = field(o, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

int json_bool(const cJSON *o, const char *key)
{
	return json_bool_or(o, key, 0);
}

const cJSON *json_obj(const cJSON *o, const char *key)
{
	const cJSON *v = field(o, key);
	return cJSON_IsObject(v) ? v : NULL;
}
