/*
 * server.h - the state of one voxcartd: settings read from the command line and the
 * config file, and the parts built from them, passed down to whatever needs them.
 * New state goes here.  Older process-wide state still lives in its file as statics
 * (one voxcartd per process is assumed there): caches of what the database holds (the
 * search index in searchidx.c, serialised products in product_cache.c, product counts
 * and the category list in catalog.c, the vocabulary snapshot in vocab.c), the
 * database URL and per-thread connection in store/store.c, outside-service curl
 * pools (voice/remote_*.c), and one-time set-up flags (auth.c's dummy hash,
 * orders.c's expiry job, the PocketSphinx log flag).
 */
#ifndef VOXCART_SERVER_H
#define VOXCART_SERVER_H

#include "config.h"
#include "proxy.h"

#include <stdatomic.h>
#include <stdint.h>

struct lws_context;
struct workers;
struct ratelimit;
struct http_state;
struct buddy_hub;
struct conv_cache;
struct hear;

struct server_settings {
	char listen[128];
	int port;
	char database[4096];      /* URL or plain path, as configured (store/store.h) */
	char db_path[4096];       /* the SQLite file ("" for another backend); set at start */
	int workers;              /* REST requests */
	int turn_workers;         /* buddy turns (typed and spoken, WebSocket and REST) */
	int hash_workers;         /* password hashing (register, login, password change) */
	int hello_timeout;        /* seconds a buddy socket may stay without hello */
	int write_timeout;        /* seconds a buddy client may leave a write unread */
	int ws_msg_rate;          /* buddy socket messages per second (0: no limit) */
	int ws_msg_burst;
	int max_sessions_per_user; /* open buddy sessions of one account */
	long max_body;           /* bytes */
	int rate_per_sec;        /* per client address; 0 disables */
	int rate_burst;
	int access_ttl;          /* seconds */
	int refresh_ttl;         /* seconds */
	int lockout_failures;    /* failed logins in a row before a lock */
	int lockout_seconds;
	char hash_cost[16];      /* "interactive", "moderate", "min" (tests only) */
	int drain_seconds;       /* SIGTERM: most seconds spent finishing work */
	int pending_payment_ttl; /* seconds before an unpaid order is cancelled */
	char data_dir[4096];     /* where demo_catalog.csv lives */
	char tls_cert[4096];
	char tls_key[4096];
	struct proxy_list trusted_proxies; /* whose X-Forwarded-For is believed */
};

struct server {
	struct server_settings set;
	struct config cfg;
	struct lws_context *lws;
	struct workers *pool;      /* REST requests: kept fast */
	struct workers *turn_pool; /* buddy turns: slow, never in the way of REST */
	struct workers *hash_pool; /* Argon2id: a cap on concurrent password hashing */
	struct ratelimit *limiter;
	struct http_state *http;
	struct buddy_hub *buddy;
	struct conv_cache *conv_cache; /* dialogue states of recent conversations */
	struct hear *hear;         /* voice_turn.c: language model builds, decoder pool */
	atomic_uint_fast64_t catalog_version; /* bumped on every catalog change */
	atomic_int stopping;
};

#endif
