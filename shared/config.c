/*
 * config.c - INI-style config parser (see config.h for the format).
 *
 * Parsing is line by line; every entry keeps its line number so that a bad value
 * can be reported where it was written.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int add_entry(struct config *cfg, const char *section, const char *key,
		     const char *value, int line)
{
	struct config_entry *e = realloc(cfg->entries, (cfg->count + 1) * sizeof *e);
	if (!e)
		return -1;
	cfg->entries = e;
	size_t klen = strlen(section) + strlen(key) + 2;
	char *full = malloc(klen);
	char *val = strdup(value);
	if (!full || !val) {
		free(full);
		free(val);
		return -1;
	}
	if (*section)
		snprintf(full, klen, "%s.%s", section, key);
	else
		snprintf(full, klen, "%s", key);
	for (char *p = full; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	e[cfg->count++] = (struct config_entry){ full, val, line };
	return 0;
}

int config_parse(struct config *cfg, const char *text, char *err, size_t errlen)
{
	char section[64] = "";
	char *copy = strdup(text ? text : "");
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int lineno = 0, rc = 0;
	/* Split by hand: strtok would skip empty lines and miscount them. */
	char *p = copy;
	while (p && *p != '\0' && rc == 0) {
		char *next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *line = trim(p);
		p = next;
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *close = strchr(line, ']');
			if (!close || close[1] != '\0' || close - line - 1 <= 0 ||
			    (size_t)(close - line - 1) >= sizeof section) {
				snprintf(err, errlen, "line %d: bad section header", lineno);
				rc = -1;
				break;
			}
			*close = '\0';
			snprintf(section, sizeof section, "%s", trim(line + 1));
			continue;
		}
		char *eq = strchr(line, '=');
		if (!eq) {
			snprintf(err, errlen, "line %d: expected key = value", lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		char *key = trim(line);
		char *value = trim(eq + 1);
		if (*key == '\0') {
			snprintf(err, errlen, "line %d: empty key", lineno);
			rc = -1;
			break;
		}
		size_t vlen = strlen(value);
		if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
			value[vlen - 1] = '\0';
			value++;
		}
		if (add_entry(cfg, section, key, value, lineno) != 0) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
	}
	free(copy);
	if (rc != 0)
		config_free(cfg);
	return rc;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	buf[len] = '\0';
	char perr[200];
	int rc = config_parse(cfg, buf, perr, sizeof perr);
	if (rc != 0)
		snprintf(err, errlen, "%s: %s", path, perr);
	free(buf);
	return rc;
}

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->count; i++) {
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	cfg->entries = NULL;
	cfg->count = 0;
}

const char *config_get(const struct config *cfg, const char *key)
{
	if (!cfg)
		return NULL;
	for (size_t i = cfg->count; i-- > 0;)
		if (strcasecmp(cfg->entries[i].key, key) == 0)
			return cfg->entries[i].value;
	return NULL;
}

const char *config_get_str(const struct config *cfg, const char *key, const char *def)
{
	const char *v = config_get(cfg, key);
	return v ? v : def;
}

int config_get_int(const struct config *cfg, const char *key, long def, long min, long max,
		   long *out, char *err, size_t errlen)
{
	const char *v = config_get(cfg, key);
	if (!v) {
		*out = def;
		return 0;
	}
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0' || n < min || n > max) {
		snprintf(err, errlen, "%s: expected an integer from %ld to %ld, got \"%s\"", key,
			 min, max, v);
		return -1;
	}
	*out = n;
	return 0;
}

int config_get_bool(const struct config *cfg, const char *key, int def, int *out)
{
	const char *v = config_get(cfg, key);
	if (!v) {
		*out = def;
		return 0;
	}
	static const char *yes[] = { "true", "yes", "on", "1" }, *no[] = { "false", "no", "off", "0" };
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}
