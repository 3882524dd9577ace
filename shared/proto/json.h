/*
 * json.h - reading the fields of a JSON object (cJSON): the one set of accessors for
 * the server, the clients and the tests.
 *
 * Each takes a NULL `o` (or one that is no object) as "absent", and a field of another
 * type than asked for as absent too, so a caller can chain them over untrusted input.
 */
#ifndef VOXCART_JSON_H
#define VOXCART_JSON_H

#include <stdint.h>

#include <cJSON.h>

/* The string, or "" when absent. */
const char *json_str(const cJSON *o, const char *key);

/* A number truncated toward zero; def when absent, NaN or beyond +-9e18. */
int64_t json_int_or(const cJSON *o, const char *key, int64_t def);

/* json_int_or(o, key, 0). */
int64_t json_int(const cJSON *o, const char *key);

/* The number; def when absent or NaN. */
double json_num(const cJSON *o, const char *key, double def);

/* 1 for true, 0 for false; def when absent. */
int json_bool_or(const cJSON *o, const char *key, int def);

/* 1 only for true. */
int json_bool(const cJSON *o, const char *key);

/* The object, or NULL when absent. */
const cJSON *json_obj(const cJSON *o, const char *key);

#endif
