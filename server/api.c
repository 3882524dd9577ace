/*
 * api.c - response helpers and the request conventions of PROTOCOL.md section 1.
 */
#include "api.h"
#include "log.h"
#include "store/store.h"
#include "utf8.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_json(struct api_resp *resp, int status, cJSON *obj)
{
	free(resp->body);
	resp->status = status;
	resp->body = obj ? cJSON_PrintUnformatted(obj) : NULL;
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	cJSON_Delete(obj);
	if (obj && !resp->body) {
		resp->status = 500;
		resp->body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
		resp->body_len = resp->body ? strlen(resp->body) : 0;
	}
}

void api_error(struct api_resp *resp, int status, const char *code, const char *field,
	       const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *root = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", msg);
	if (field)
		cJSON_AddStringToObject(err, "field", field);
	api_json(resp, status, root);
}

void api_empty(struct api_resp *resp, int status)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->status = status;
}

void api_store_failed(struct api_resp *resp, struct store *s, const char *where)
{
	log_error("api", "%s: %s", where, store_errmsg(s));
	api_error(resp, 500, "internal", NULL, "Something went wrong on the server.");
}

const char *api_query(const struct api_req *req, const char *name)
{
	for (int i = 0; i < req->query_count; i++)
		if (strcmp(req->query_names[i], name) == 0)
			return req->query_values[i];
	return NULL;
}

int api_query_int(const struct api_req *req, struct api_resp *resp, const char *name,
		  int64_t def, int64_t min, int64_t max, int64_t *out)
{
	const char *v = api_query(req, name);
	if (!v) {
		*out = def;
		return 0;
	}
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno || n < min || n > max) {
		api_error(resp, 400, "bad_request", name,
			  "Query parameter %s must be an integer from %lld to %lld.", name,
			  (long long)min, (long long)max);
		return -1;
	}
	*out = n;
	return 0;
}

int api_page(const struct api_req *req, struct api_resp *resp, int64_t *limit, int64_t *offset)
{
	if (api_query_int(req, resp, "limit", 20, 1, 100, limit) != 0)
		return -1;
	return api_query_int(req, resp, "offset", 0, 0, INT32_MAX, offset);
}

cJSON *api_page_json(cJSON *items, int64_t total, int64_t limit, int64_t offset)
{
	cJSON *page = cJSON_CreateObject();
	cJSON_AddItemToObject(page, "items", items);
	cJSON_AddNumberToObject(page, "total", (double)total);
	cJSON_AddNumberToObject(page, "limit", (double)limit);
	cJSON_AddNumberToObject(page, "offset", (double)offset);
	return page;
}

int api_field_string(const cJSON *obj, struct api_resp *resp, const char *name, int required,
		     size_t minlen, size_t maxlen, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		api_error(resp, 422, "validation_failed", name, "%s is required.", name);
		return -1;
	}
	if (!cJSON_IsString(v)) {
		api_error(resp, 422, "validation_failed", name, "%s must be a string.", name);
		return -1;
	}
	size_t n = utf8_length(v->valuestring);
	if (n < minlen || n > maxlen) {
		api_error(resp, 422, "validation_failed", name,
			  "%s must be %zu to %zu characters long.", name, minlen, maxlen);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

int api_field_int(const cJSON *obj, struct api_resp *resp, const char *name, int required,
		  int64_t min, int64_t max, int64_t *out, int *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (present)
		*present = 0;
	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		api_error(resp, 422, "validation_failed", name, "%s is required.", name);
		return -1;
	}
	double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
	if (!cJSON_IsNumber(v) || !isfinite(d) || d != floor(d) || d < (double)min ||
	    d > (double)max) {
		api_error(resp, 422, "validation_failed", name,
			  "%s must be an integer from %lld to %lld.", name, (long long)min,
			  (long long)max);
		return -1;
	}
	*out = (int64_t)d;
	if (present)
		*present = 1;
	return 0;
}

void api_add_time(cJSON *obj, const char *name, int64_t t)
{
	char buf[32];
	cJSON_AddStringToObject(obj, name, store_time_str(t, buf));
}

cJSON *api_parse_stored(const char *text)
{
	cJSON *v = text ? cJSON_Parse(text) : NULL;
	return v ? v : cJSON_CreateNull();
}
