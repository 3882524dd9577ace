/*
 * msgcheck.c - checks on the numbers and escapes of client messages (see msgcheck.h).
 */
#include "msgcheck.h"

#include <limits.h>
#include <string.h>

uint32_t msgcheck_turn(const cJSON *t)
{
	if (!cJSON_IsNumber(t))
		return 0;
	double d = t->valuedouble;
	/* the comparisons are false for NaN, so NaN is refused too */
	if (!(d >= 1.0 && d <= 4294967295.0))
		return 0;
	uint32_t turn = (uint32_t)d;
	return (double)turn == d ? turn : 0;
}

int64_t msgcheck_id(const cJSON *v)
{
	if (!cJSON_IsNumber(v))
		return 0;
	double d = v->valuedouble;
	if (!(d >= 1.0 && d <= 9007199254740992.0))
		return 0;
	int64_t id = (int64_t)d;
	return (double)id == d ? id : 0;
}

int msgcheck_int(const cJSON *v, int def)
{
	if (!cJSON_IsNumber(v))
		return def;
	double d = v->valuedouble;
	if (!(d >= (double)INT_MIN && d <= (double)INT_MAX))
		return def;
	int n = (int)d;
	return (double)n == d ? n : def;
}

int msgcheck_nul_escape(const char *s, size_t n)
{
	int in_string = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in_string) {
			in_string = s[i] == '"';
			continue;
		}
		if (s[i] == '"') {
			in_string = 0;
		} else if (s[i] == '\\' && i + 1 < n) {
			if (s[i + 1] == 'u' && i + 5 < n && strncmp(s + i + 2, "0000", 4) == 0)
				return 1;
			i++; /* skip the escaped character */
		}
	}
	return 0;
}
