/*
 * main.c - voxcartd: options, start-up, the event loop, clean shutdown.
 *
 * Start-up order: settings (defaults < config file < flags), the database (opened,
 * migrated, demo data loaded if asked), the worker pool, then the listening socket.
 * SIGINT/SIGTERM set srv.stopping and wake the loop; shutdown finishes the requests
 * in the workers, then closes the connections and the database.
 */
#include "buddy_ws.h"
#include "catalog_feed.h"
#include "conversations.h"
#include "config.h"
#include "demo.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "product_cache.h"
#include "ratelimit.h"
#include "server.h"
#include "settings.h"
#include "store/store.h"
#include "voice_turn.h"
#include "warm.h"
#include "workers.h"

#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* The one global: signal handlers cannot be given an argument. */
static struct server *signal_target;

static void on_signal(int sig)
{
	(void)sig;
	if (signal_target) {
		signal_target->stopping = 1;
		http_wake(signal_target);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: voxcartd [--listen ADDR] [--port N] [--db PATH] [--config FILE]\n"
		"                [--demo] [--import-catalog FILE.csv] [--log-level LEVEL]\n"
		"\n"
		"  -l, --listen ADDR     address to listen on (default 127.0.0.1)\n"
		"  -p, --port N          port (default 8080)\n"
		"  -d, --db PATH|URL     database: a SQLite file or sqlite:PATH\n"
		"                        (default $XDG_DATA_HOME/voxcart/voxcart.db)\n"
		"  -c, --config FILE     configuration file (see voxcart.conf(5))\n"
		"      --demo            load the demo catalog and accounts into an empty database\n"
		"      --import-catalog FILE  import products from a catalog CSV, then serve\n"
		"      --log-level LEVEL error, warn, info (default) or debug\n"
		"  -h, --help            this help\n"
		"  -V, --version         print the version\n");
}

static int mkdir_parent(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	mkdir(dir, 0700);
	return 0;
}

struct cli_opts {
	const char *listen, *db, *config, *log_level, *import;
	int port, demo;
};

static int parse_args(int argc, char **argv, struct cli_opts *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' }, { "port", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },     { "config", required_argument, NULL, 'c' },
		{ "demo", no_argument, NULL, 'D' },         { "log-level", required_argument, NULL, 'L' },
		{ "import-catalog", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "l:p:d:c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': o->listen = optarg; break;
		case 'p': {
			char *end;
			long p = strtol(optarg, &end, 10);
			if (*end || p < 0 || p > 65535) {
				fprintf(stderr, "voxcartd: --port needs a number from 0 to 65535\n");
				return 2;
			}
			o->port = (int)p;
			break;
		}
		case 'd': o->db = optarg; break;
		case 'c': o->config = optarg; break;
		case 'D': o->demo = 1; break;
		case 'L': o->log_level = optarg; break;
		case 'I': o->import = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("voxcartd %s\n", VOXCART_VERSION); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "voxcartd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return 0;
}

static int configure(struct server *srv, const struct cli_opts *o)
{
	char err[512];
	settings_defaults(srv);
	if (o->config && config_load(&srv->cfg, o->config, err, sizeof err) != 0) {
		fprintf(stderr, "voxcartd: %s\n", err);
		return -1;
	}
	const char *level = o->log_level ? o->log_level : config_get(&srv->cfg, "server.log_level");
	if (level) {
		int l = log_level_parse(level);
		if (l < 0) {
			fprintf(stderr, "voxcartd: log level must be error, warn, info or debug\n");
			return -1;
		}
		log_set_level((enum log_level)l);
	}
	if (settings_from_config(srv, err, sizeof err) != 0) {
		fprintf(stderr, "voxcartd: %s: %s\n", o->config, err);
		return -1;
	}
	if (o->listen)
		snprintf(srv->set.listen, sizeof srv->set.listen, "%s", o->listen);
	if (o->port >= 0)
		srv->set.port = o->port;
	if (o->db)
		snprintf(srv->set.database, sizeof srv->set.database, "%s", o->db);
	return 0;
}

static int open_database(struct server *srv, const struct cli_opts *o)
{
	char err[512];
	enum store_backend backend;
	srv->set.db_path[0] = '\0';
	if (store_parse_url(srv->set.database, &backend, srv->set.db_path, sizeof srv->set.db_path,
			    err, sizeof err) != 0 ||
	    store_configure(srv->set.database, err, sizeof err) != 0) {
		fprintf(stderr, "voxcartd: %s\n", err);
		return -1;
	}
	if (backend == STORE_SQLITE)
		mkdir_parent(srv->set.db_path);
	else
		srv->set.db_path[0] = '\0'; /* it held the connection string */
	struct store *s = store_connect(srv->set.database, err, sizeof err);
	if (!s || store_upgrade(s, err, sizeof err) != 0) {
		fprintf(stderr, "voxcartd: %s\n", err);
		store_disconnect(s);
		return -1;
	}
	int rc = 0;
	if (o->demo && demo_load(srv, s, err, sizeof err) != 0) {
		fprintf(stderr, "voxcartd: demo data: %s\n", err);
		rc = -1;
	}
	long count = 0;
	if (rc == 0 && o->import &&
	    demo_import_catalog(srv, s, o->import, &count, err, sizeof err) != 0) {
		fprintf(stderr, "voxcartd: import: %s\n", err);
		rc = -1;
	} else if (o->import) {
		printf("voxcartd: imported %ld products from %s\n", count, o->import);
	}
	store_disconnect(s);
	return rc;
}

/* Every connection is a descriptor: take the open-file limit up to the hard limit, as
 * servers do, and say what it allows. */
static void raise_open_files(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rlim_t was = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = was;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536)
		log_info("voxcartd", "open files: %llu (the hard limit; raise it with ulimit -Hn or "
			 "LimitNOFILE= to hold more connections)", (unsigned long long)rl.rlim_cur);
	else if (rl.rlim_cur != was)
		log_info("voxcartd", "open files: raised to %llu", (unsigned long long)rl.rlim_cur);
}

/* Stops the workers (finishing what they hold), then frees every part that was built;
 * for a clean exit and for a start that failed half-way. */
static void server_free(struct server *srv)
{
	workers_stop(srv->turn_pool);
	workers_stop(srv->hash_pool);
	workers_stop(srv->pool);
	http_stop(srv);
	buddy_ws_shutdown(srv);
	voice_turn_shutdown(srv);
	conv_state_cache_free(srv);
	ratelimit_free(srv->limiter);
	config_free(&srv->cfg);
	free(srv);
}

int main(int argc, char **argv)
{
	struct cli_opts o = { .port = -1 };
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	if (sodium_init() < 0) {
		fprintf(stderr, "voxcartd: libsodium failed to initialise\n");
		return 1;
	}
	struct server *srv = calloc(1, sizeof *srv);
	if (!srv || configure(srv, &o) != 0 || open_database(srv, &o) != 0)
		return 1;

	raise_open_files();
	/* changes made here reach the cache of serialised products once committed */
	store_on_product_change(product_cache_changed);
	srv->limiter = ratelimit_new(srv->set.rate_per_sec, srv->set.rate_burst);
	srv->pool = workers_start(srv->set.workers, 1);
	srv->turn_pool = workers_start(srv->set.turn_workers, 1);
	srv->hash_pool = workers_start(srv->set.hash_workers, 0);
	char err[512];
	if (!srv->limiter || !srv->pool || !srv->turn_pool || !srv->hash_pool) {
		fprintf(stderr, "voxcartd: cannot start the worker threads\n");
		return 1;
	}
	if (conv_cache_init(srv) != 0) {
		fprintf(stderr, "voxcartd: out of memory\n");
		return 1;
	}
	/* PostgreSQL: other processes' edits, heard from before the builds below read
	 * the catalog, so that none falls between them */
	struct catalog_feed *feed = catalog_feed_start(srv);
	/* before the first request: no shopper's turn pays for these builds */
	warm_catalog(srv);
	if (buddy_ws_init(srv, err, sizeof err) != 0 || http_start(srv, err, sizeof err) != 0) {
		fprintf(stderr, "voxcartd: %s\n", err);
		atomic_store(&srv->stopping, 1);
		catalog_feed_stop(feed);
		server_free(srv);
		return 1;
	}
	voice_turn_init(srv);
	signal_target = srv;
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	srv->set.port = http_port(srv);
	log_info("voxcartd", "listening on http://%s:%d (database %s)", srv->set.listen,
		 srv->set.port, srv->set.db_path[0] ? srv->set.db_path : "PostgreSQL");
	printf("voxcartd %s listening on http://%s:%d\n", VOXCART_VERSION, srv->set.listen,
	       srv->set.port);
	fflush(stdout);
	http_run(srv);
	catalog_feed_stop(feed);

	log_info("voxcartd", "shutting down");
	server_free(srv);
	return 0;
}
