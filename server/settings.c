/*
 * settings.c - defaults and config keys of voxcartd (see settings.h).
 */
#include "settings.h"
#include "server.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void default_data_dir(char *out, size_t len)
{
	/* Beside the binary in a source tree (./server/data), else the installed copy. */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char probe[8300];
			snprintf(probe, sizeof probe, "%s/server/data/demo_catalog.csv", exe);
			if (access(probe, R_OK) == 0) {
				if (snprintf(out, len, "%s/server/data", exe) < (int)len)
					return;
			}
			snprintf(probe, sizeof probe, "%s/../share/voxcart/demo_catalog.csv", exe);
			if (access(probe, R_OK) == 0) {
				if (snprintf(out, len, "%s/../share/voxcart", exe) < (int)len)
					return;
			}
		}
	}
	snprintf(out, len, "/usr/local/share/voxcart");
}

static void default_db_path(char *out, size_t len)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char dir[4096];
	if (xdg && *xdg)
		snprintf(dir, sizeof dir, "%s/voxcart", xdg);
	else
		snprintf(dir, sizeof dir, "%s/.local/share/voxcart", home ? home : ".");
	if (snprintf(out, len, "%s/voxcart.db", dir) >= (int)len)
		snprintf(out, len, "voxcart.db");
}

void settings_defaults(struct server *srv)
{
	struct server_settings *s = &srv->set;
	snprintf(s->listen, sizeof s->listen, "127.0.0.1");
	s->port = 8080;
	default_db_path(s->database, sizeof s->database);
	s->workers = 4;
	s->max_body = 64 * 1024;
	s->turn_workers = 4;
	s->hash_workers = 2;
	s->hello_timeout = 10;
	s->write_timeout = 20;
	s->ws_msg_rate = 100;
	s->ws_msg_burst = 200;
	s->max_sessions_per_user = 8;
	s->rate_per_sec = 100;
	s->rate_burst = 200;
	s->access_ttl = 15 * 60;
	s->refresh_ttl = 30 * 24 * 3600;
	s->lockout_failures = 5;
	s->lockout_seconds = 15 * 60;
	snprintf(s->hash_cost, sizeof s->hash_cost, "interactive");
	s->pending_payment_ttl = 30 * 60;
	s->drain_seconds = 10;
	default_data_dir(s->data_dir, sizeof s->data_dir);
}

struct int_key {
	const char *key;
	long min, max, scale;
	size_t offset;
};

#define OFF(f) offsetof(struct server_settings, f)
static const struct int_key int_keys[] = {
	{ "server.port", 1, 65535, 1, OFF(port) },
	{ "server.workers", 1, 64, 1, OFF(workers) },
	{ "server.hash_workers", 1, 64, 1, OFF(hash_workers) },
	{ "buddy.workers", 1, 64, 1, OFF(turn_workers) },
	{ "buddy.hello_timeout", 1, 3600, 1, OFF(hello_timeout) },
	{ "buddy.write_timeout", 1, 3600, 1, OFF(write_timeout) },
	{ "buddy.message_rate", 0, 1000000, 1, OFF(ws_msg_rate) },
	{ "buddy.message_burst", 1, 1000000, 1, OFF(ws_msg_burst) },
	{ "buddy.sessions_per_user", 1, 100000, 1, OFF(max_sessions_per_user) },
	{ "server.rate_limit", 0, 1000000, 1, OFF(rate_per_sec) },
	{ "server.rate_burst", 1, 1000000, 1, OFF(rate_burst) },
	{ "server.drain_seconds", 0, 3600, 1, OFF(drain_seconds) },
	{ "auth.access_ttl", 10, 86400, 1, OFF(access_ttl) },
	{ "auth.refresh_ttl", 60, 365 * 86400, 1, OFF(refresh_ttl) },
	{ "auth.lockout_failures", 1, 1000, 1, OFF(lockout_failures) },
	{ "auth.lockout_minutes", 1, 100000, 60, OFF(lockout_seconds) },
	{ "orders.pending_payment_minutes", 1, 100000, 60, OFF(pending_payment_ttl) },
	{ "orders.pending_payment_seconds", 1, 100000000, 1, OFF(pending_payment_ttl) },
};

static int copy_str(const struct config *cfg, const char *key, char *dst, size_t len)
{
	const char *v = config_get(cfg, key);
	if (v)
		snprintf(dst, len, "%s", v);
	return 0;
}

int settings_from_config(struct server *srv, char *err, size_t errlen)
{
	struct server_settings *s = &srv->set;
	const struct config *cfg = &srv->cfg;
	for (size_t i = 0; i < sizeof int_keys / sizeof int_keys[0]; i++) {
		long v;
		if (!config_get(cfg, int_keys[i].key))
			continue;
		if (config_get_int(cfg, int_keys[i].key, 0, int_keys[i].min, int_keys[i].max, &v,
				   err, errlen) != 0)
			return -1;
		*(int *)((char *)s + int_keys[i].offset) = (int)(v * int_keys[i].scale);
	}
	long body;
	if (config_get_int(cfg, "server.max_body", s->max_body, 1024, 64L * 1024 * 1024, &body, err,
			   errlen) != 0)
		return -1;
	s->max_body = body;
	copy_str(cfg, "server.listen", s->listen, sizeof s->listen);
	/* server.db is the older name (a path); server.database wins when both are set. */
	copy_str(cfg, "server.db", s->database, sizeof s->database);
	copy_str(cfg, "server.database", s->database, sizeof s->database);
	copy_str(cfg, "server.data_dir", s->data_dir, sizeof s->data_dir);
	copy_str(cfg, "server.tls_cert", s->tls_cert, sizeof s->tls_cert);
	copy_str(cfg, "server.tls_key", s->tls_key, sizeof s->tls_key);
	copy_str(cfg, "auth.hash_cost", s->hash_cost, sizeof s->hash_cost);
	if (strcmp(s->hash_cost, "interactive") && strcmp(s->hash_cost, "moderate") &&
	    strcmp(s->hash_cost, "min")) {
		snprintf(err, errlen, "auth.hash_cost: expected interactive, moderate or min");
		return -1;
	}
	if (proxy_parse(config_get(cfg, "server.trusted_proxies"), &s->trusted_proxies, err,
			errlen) != 0)
		return -1;
	if (!!s->tls_cert[0] != !!s->tls_key[0]) {
		snprintf(err, errlen, "server.tls_cert and server.tls_key go together");
		return -1;
	}
	return 0;
}
