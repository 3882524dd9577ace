/*
 * fuzz_config.c - libFuzzer harness: the config file parser (shared/config.c) and
 * voxcartd's reading of it (server/settings.c: every key checked and converted).
 */
#include "config.h"
#include "server.h"
#include "settings.h"

#include "fuzz_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	static struct server srv;
	memset(&srv, 0, sizeof srv);
	char err[512];
	if (config_parse(&srv.cfg, text, err, sizeof err) == 0) {
		settings_defaults(&srv);
		settings_from_config(&srv, err, sizeof err);
		long v;
		int b;
		config_get_int(&srv.cfg, "server.port", 8080, 1, 65535, &v, err, sizeof err);
		config_get_bool(&srv.cfg, "buddy.speech", 1, &b);
		config_get_str(&srv.cfg, "buddy.engine", "builtin");
		for (size_t i = 0; i < srv.cfg.count; i++)
			config_get(&srv.cfg, srv.cfg.entries[i].key);
	}
	config_free(&srv.cfg);
	free(text);
	return 0;
}
