/*
 * config.h - the INI-style configuration file shared by voxcartd and the clients.
 *
 *   # comment            ; comment
 *   [section]
 *   key = value          (value runs to the end of the line, trimmed; "quotes" removed)
 *
 * Keys are looked up as "section.key" (keys before any section have no prefix).
 * A config owns all of its strings; config_free() releases them.
 */
#ifndef VOXCART_CONFIG_H
#define VOXCART_CONFIG_H

#include <stddef.h>

struct config_entry {
	char *key;   /* "section.key" */
	char *value;
	int line;
};

struct config {
	struct config_entry *entries;
	size_t count;
};

/* Parses text into cfg (which must be zeroed).  On a syntax error returns -1 and
 * writes "line N: why" into err. */
int config_parse(struct config *cfg, const char *text, char *err, size_t errlen);
/* Reads and parses a file; a missing file is an error (errno text in err). */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
void config_free(struct config *cfg);

/* Later entries win.  Returns NULL / def when the key is absent. */
const char *config_get(const struct config *cfg, const char *key);
const char *config_get_str(const struct config *cfg, const char *key, const char *def);
/* Integer value; def when absent; -1 return and err filled when not an integer in
 * [min,max]. */
int config_get_int(const struct config *cfg, const char *key, long def, long min, long max,
		   long *out, char *err, size_t errlen);
/* "true/yes/on/1" and "false/no/off/0"; returns -1 on anything else. */
int config_get_bool(const struct config *cfg, const char *key, int def, int *out);

#endif
