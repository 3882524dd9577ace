/*
 * auth.c - register, login, refresh, logout, /me (see auth.h for the token rules).
 *
 * Failed logins: each wrong password increments users.failed_logins; the one that
 * reaches the limit sets locked_until.  While locked, even the right password gets
 * 423, so guessing cannot continue.  A success resets the count.  An unknown email
 * still costs one password verification, so timing does not reveal which emails
 * have accounts.
 */
#include "auth.h"
#include "log.h"
#include "server.h"
#include "store/store.h"
#include "utf8.h"
#include "handlers.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void auth_token_new(char out[44])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void auth_token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof h);
}

static void cost_params(const char *cost, unsigned long long *ops, size_t *mem)
{
	if (cost && strcmp(cost, "min") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_MIN;
		*mem = crypto_pwhash_MEMLIMIT_MIN;
	} else if (cost && strcmp(cost, "moderate") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_MEMLIMIT_MODERATE;
	} else {
		*ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	}
}

int auth_password_hash(const char *password, const char *cost, char out[128])
{
	unsigned long long ops;
	size_t mem;
	cost_params(cost, &ops, &mem);
	char buf[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str_alg(buf, password, strlen(password), ops, mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	snprintf(out, 128, "%s", buf);
	return 0;
}

int auth_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : -1;
}

int auth_normalize_email(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in);
	if (n < 3 || n >= outlen || n > 254)
		return -1;
	int at = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '@')
			at++;
		if (c <= ' ' || c == 0x7f)
			return -1;
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	const char *a = strchr(out, '@');
	if (at != 1 || a == out || a[1] == '\0')
		return -1;
	return 0;
}

int auth_check_token(struct store *store, const char *token, struct api_user *user)
{
	char hash[65];
	auth_token_hash(token, hash);
	struct store_token_user u;
	if (store_token_check(store, hash, store_now(), &u) != STORE_OK)
		return -1;
	user->id = u.user_id;
	snprintf(user->email, sizeof user->email, "%s", u.email);
	snprintf(user->name, sizeof user->name, "%s", u.name);
	snprintf(user->role, sizeof user->role, "%s", u.role);
	user->token_id = u.token_id;
	user->login_id = u.login_id;
	return 0;
}

int auth_login_alive(struct store *store, int64_t login_id)
{
	int alive = 0;
	return store_login_alive(store, login_id, store_now(), &alive) == STORE_OK && alive;
}

cJSON *auth_user_json(struct store *store, int64_t user_id)
{
	struct store_user su;
	if (store_user_get(store, user_id, &su) != STORE_OK)
		return NULL;
	cJSON *u = cJSON_CreateObject();
	cJSON_AddNumberToObject(u, "id", (double)su.id);
	cJSON_AddStringToObject(u, "email", su.email);
	cJSON_AddStringToObject(u, "name", su.name);
	cJSON_AddStringToObject(u, "role", su.role);
	cJSON_AddItemToObject(u, "shipping_address", api_parse_stored(su.shipping_address));
	api_add_time(u, "created_at", su.created_at);
	store_user_free(&su);
	return u;
}

int64_t auth_create_user(struct store *store, const char *email, const char *password,
			 const char *name, const char *role, const char *cost)
{
	char hash[128];
	if (auth_password_hash(password, cost, hash) != 0)
		return -1;
	int64_t id = 0;
	int rc = store_user_create(store, email, hash, name, role, store_now(), &id);
	return rc == STORE_OK ? id : rc == STORE_CONFLICT ? 0 : -1;
}

/* Issues a token pair for user_id and answers {"user",tokens...} with status.  The
 * pair belongs to login_id (a refresh), or starts a login of its own (0). */
static void issue_tokens(struct api_req *req, struct api_resp *resp, int64_t user_id,
			 int64_t login_id, int status)
{
	char access[44], refresh[44], ah[65], rh[65];
	auth_token_new(access);
	auth_token_new(refresh);
	auth_token_hash(access, ah);
	auth_token_hash(refresh, rh);
	int64_t now = store_now();
	const struct server_settings *set = &req->srv->set;
	cJSON *user = NULL;
	if (store_token_issue(req->store, user_id, ah, rh, now + set->access_ttl,
			      now + set->refresh_ttl, now, login_id, NULL) == STORE_OK)
		user = auth_user_json(req->store, user_id);
	if (!user) {
		api_store_failed(resp, req->store, "issue tokens");
		return;
	}
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "user", user);
	cJSON_AddStringToObject(out, "access_token", access);
	cJSON_AddStringToObject(out, "refresh_token", refresh);
	cJSON_AddNumberToObject(out, "expires_in", req->srv->set.access_ttl);
	api_json(resp, status, out);
}

HANDLER(h_health)
{
	(void)req;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddStringToObject(o, "version", VOXCART_VERSION);
	api_json(resp, 200, o);
}

HANDLER(h_register)
{
	const char *email, *password, *name, *role;
	if (api_field_string(req->json, resp, "email", 1, 3, 254, &email) ||
	    api_field_string(req->json, resp, "password", 1, 8, 128, &password) ||
	    api_field_string(req->json, resp, "name", 1, 1, 100, &name) ||
	    api_field_string(req->json, resp, "role", 0, 1, 16, &role))
		return;
	char norm[256];
	if (auth_normalize_email(email, norm, sizeof norm) != 0) {
		api_error(resp, 422, "validation_failed", "email", "That is not an email address.");
		return;
	}
	if (!role)
		role = "shopper";
	if (strcmp(role, "shopper") != 0 && strcmp(role, "seller") != 0) {
		api_error(resp, 422, "validation_failed", "role", "role must be shopper or seller.");
		return;
	}
	int64_t id = auth_create_user(req->store, norm, password, name, role, req->srv->set.hash_cost);
	if (id == 0) {
		api_error(resp, 409, "conflict", "email", "An account with that email already exists.");
		return;
	}
	if (id < 0) {
		api_store_failed(resp, req->store, "register");
		return;
	}
	log_info("auth", "registered user %lld (%s)", (long long)id, role);
	issue_tokens(req, resp, id, 0, 201);
}

/* Counts a failed login (one atomic step in the store, so parallel guesses cannot
 * lose counts); the failure that reaches the limit sets the lock.  Returns the count
 * after it. */
static int record_failure(struct api_req *req, int64_t id)
{
	const struct server_settings *s = &req->srv->set;
	int64_t now = store_now();
	int failures = 0;
	if (store_login_failed(req->store, id, s->lockout_failures, now, now + s->lockout_seconds,
			       &failures) != STORE_OK)
		return 0;
	if (failures == s->lockout_failures)
		log_warn("auth", "user %lld locked after %d failed logins", (long long)id, failures);
	return failures;
}

static void answer_locked(struct api_resp *resp, int64_t locked_until, int64_t now)
{
	api_error(resp, 423, "locked", NULL,
		  "Too many failed logins; the account is locked for %lld more minutes.",
		  (long long)((locked_until - now + 59) / 60));
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[128];
static const char *dummy_cost;

static void make_dummy_hash(void)
{
	auth_password_hash("not a password of anyone", dummy_cost, dummy_hash);
}

HANDLER(h_login)
{
	dummy_cost = req->srv->set.hash_cost;
	const char *email, *password;
	if (api_field_string(req->json, resp, "email", 1, 1, 254, &email) ||
	    api_field_string(req->json, resp, "password", 1, 1, 1024, &password))
		return;
	char norm[256];
	if (auth_normalize_email(email, norm, sizeof norm) != 0)
		norm[0] = '\0';
	struct store_login l;
	int found = store_login_find(req->store, norm, &l);
	if (found == STORE_ERROR) {
		api_store_failed(resp, req->store, "login");
		return;
	}
	int64_t id = found == STORE_OK ? l.user_id : 0;
	int64_t locked_until = found == STORE_OK ? l.locked_until : 0;
	int64_t now = store_now();
	if (id && locked_until > now) {
		answer_locked(resp, locked_until, now);
		return;
	}
	if (!id) {
		/* Spend the same time as a real check. */
		pthread_once(&dummy_once, make_dummy_hash);
		auth_password_verify(dummy_hash, password);
		api_error(resp, 401, "unauthorized", NULL, "Wrong email or password.");
		return;
	}
	if (locked_until) /* a lock that has run out starts the count afresh */
		store_login_reset(req->store, id, store_now());
	if (auth_password_verify(l.password_hash, password) != 0) {
		int n = record_failure(req, id);
		if (n > req->srv->set.lockout_failures)
			answer_locked(resp, now + req->srv->set.lockout_seconds, now);
		else
			api_error(resp, 401, "unauthorized", NULL, "Wrong email or password.");
		return;
	}
	/* Guesses running beside this one may have locked the account meanwhile. */
	if (store_login_locked_until(req->store, id, &locked_until) != STORE_OK)
		locked_until = 0;
	if (locked_until > now) {
		answer_locked(resp, locked_until, now);
		return;
	}
	store_login_reset(req->store, id, 0);
	issue_tokens(req, resp, id, 0, 200);
}

HANDLER(h_refresh)
{
	const char *token;
	if (api_field_string(req->json, resp, "refresh_token", 1, 1, 512, &token))
		return;
	char hash[65];
	auth_token_hash(token, hash);
	/* Revoke-and-read in one step: of two racing refreshes only one wins. */
	int64_t user_id = 0, login_id = 0;
	enum store_refresh_why why = STORE_REFRESH_UNKNOWN;
	int rc = store_token_refresh(req->store, hash, store_now(), &user_id, &login_id, &why);
	if (rc == STORE_ERROR) {
		api_store_failed(resp, req->store, "refresh");
		return;
	}
	if (rc != STORE_OK || !user_id) {
		/* The client tells "log in again, it ran out" from "you are not logged in". */
		if (why == STORE_REFRESH_EXPIRED)
			api_error(resp, 401, "session_expired", NULL,
				  "The refresh token has expired: log in again.");
		else
			api_error(resp, 401, "unauthorized", NULL,
				  why == STORE_REFRESH_LOGGED_OUT ? "The login was logged out."
				  : why == STORE_REFRESH_USED ? "The refresh token was already used."
				  : "The refresh token is unknown to this server.");
		return;
	}
	issue_tokens(req, resp, user_id, login_id, 200);
}

HANDLER(h_logout)
{
	/* Ends the whole login: every token it was refreshed into. */
	if (store_login_end(req->store, req->user.login_id, req->user.token_id) != STORE_OK) {
		api_store_failed(resp, req->store, "logout");
		return;
	}
	api_empty(resp, 204);
}

HANDLER(h_me_get)
{
	cJSON *u = auth_user_json(req->store, req->user.id);
	if (!u) {
		api_store_failed(resp, req->store, "me");
		return;
	}
	api_json(resp, 200, u);
}

char *auth_address_text(const cJSON *addr, struct api_resp *resp)
{
	static const struct { const char *name; int required; size_t max; } fields[] = {
		{ "name", 1, 100 }, { "line1", 1, 200 }, { "line2", 0, 200 },
		{ "city", 1, 100 }, { "postal_code", 1, 20 }, { "country", 1, 56 },
	};
	if (!cJSON_IsObject(addr)) {
		api_error(resp, 422, "validation_failed", "shipping_address",
			  "shipping_address must be an object with name, line1, city, postal_code, country.");
		return NULL;
	}
	cJSON *out = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v;
		if (api_field_string(addr, resp, fields[i].name, fields[i].required, 1, fields[i].max, &v)) {
			char field[64];
			snprintf(field, sizeof field, "shipping_address.%s", fields[i].name);
			api_error(resp, 422, "validation_failed", field,
				  "%s is required and at most %zu characters.", field, fields[i].max);
			cJSON_Delete(out);
			return NULL;
		}
		if (v)
			cJSON_AddStringToObject(out, fields[i].name, v);
	}
	char *text = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	return text;
}

HANDLER(h_me_patch)
{
	const char *name;
	if (api_field_string(req->json, resp, "name", 0, 1, 100, &name))
		return;
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(req->json, "shipping_address");
	char *addr_text = NULL;
	if (addr && !cJSON_IsNull(addr) && !(addr_text = auth_address_text(addr, resp)))
		return;
	/* A JSON null address clears it (addr_text NULL). */
	int rc = store_user_update(req->store, req->user.id, name, addr != NULL, addr_text);
	free(addr_text);
	if (rc != STORE_OK) {
		api_store_failed(resp, req->store, "me patch");
		return;
	}
	h_me_get(req, resp);
}
