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
#include "store.h"
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

int auth_check_token(sqlite3 *db, const char *token, struct api_user *user)
{
	char hash[65];
	auth_token_hash(token, hash);
	sqlite3_stmt *st = store_prepare(db,
		"SELECT u.id, u.email, u.name, u.role, t.id, t.login_id FROM tokens t"
		" JOIN users u ON u.id = t.user_id"
		" WHERE t.access_hash = ? AND t.revoked = 0 AND t.access_expires > ?");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, store_now());
	int rc = -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		user->id = sqlite3_column_int64(st, 0);
		snprintf(user->email, sizeof user->email, "%s", sqlite3_column_text(st, 1));
		snprintf(user->name, sizeof user->name, "%s", sqlite3_column_text(st, 2));
		snprintf(user->role, sizeof user->role, "%s", sqlite3_column_text(st, 3));
		user->token_id = sqlite3_column_int64(st, 4);
		user->login_id = sqlite3_column_int64(st, 5);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int auth_login_alive(sqlite3 *db, int64_t login_id)
{
	/* Logout marks the login's rows revoked = 2, a refresh its old row revoked = 1:
	 * a login mid-refresh (old row revoked, new one not yet written) stays alive. */
	sqlite3_stmt *st = store_prepare(db,
		"SELECT MAX(revoked = 2), MAX(refresh_expires) FROM tokens WHERE login_id = ?");
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, login_id);
	int alive = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
		    sqlite3_column_int64(st, 0) == 0 && sqlite3_column_int64(st, 1) > store_now();
	sqlite3_finalize(st);
	return alive;
}

cJSON *auth_user_json(sqlite3 *db, int64_t user_id)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT id, email, name, role, shipping_address, created_at FROM users WHERE id = ?");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, user_id);
	cJSON *u = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		u = cJSON_CreateObject();
		cJSON_AddNumberToObject(u, "id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(u, "email", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(u, "name", (const char *)sqlite3_column_text(st, 2));
		cJSON_AddStringToObject(u, "role", (const char *)sqlite3_column_text(st, 3));
		cJSON_AddItemToObject(u, "shipping_address",
				      api_parse_stored((const char *)sqlite3_column_text(st, 4)));
		api_add_time(u, "created_at", sqlite3_column_int64(st, 5));
	}
	sqlite3_finalize(st);
	return u;
}

int64_t auth_create_user(sqlite3 *db, const char *email, const char *password,
			 const char *name, const char *role, const char *cost)
{
	char hash[128];
	if (auth_password_hash(password, cost, hash) != 0)
		return -1;
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO users (email, password_hash, name, role, created_at) VALUES (?,?,?,?,?)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, store_now());
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return 0;
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_last_insert_rowid(db);
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
	sqlite3_stmt *st = store_prepare(req->db,
		"INSERT INTO tokens (user_id, access_hash, refresh_hash, access_expires,"
		" refresh_expires, created_at, login_id) VALUES (?,?,?,?,?,?,?)");
	if (!st) {
		api_internal(resp, req->db, "issue tokens");
		return;
	}
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, ah, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rh, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now + req->srv->set.access_ttl);
	sqlite3_bind_int64(st, 5, now + req->srv->set.refresh_ttl);
	sqlite3_bind_int64(st, 6, now);
	if (login_id > 0)
		sqlite3_bind_int64(st, 7, login_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE && login_id <= 0) {
		st = store_prepare(req->db, "UPDATE tokens SET login_id = id WHERE id = ?");
		rc = st ? SQLITE_ERROR : rc;
		if (st) {
			sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(req->db));
			rc = sqlite3_step(st);
			sqlite3_finalize(st);
		}
	}
	cJSON *user = rc == SQLITE_DONE ? auth_user_json(req->db, user_id) : NULL;
	if (!user) {
		api_internal(resp, req->db, "issue tokens");
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
	int64_t id = auth_create_user(req->db, norm, password, name, role, req->srv->set.hash_cost);
	if (id == 0) {
		api_error(resp, 409, "conflict", "email", "An account with that email already exists.");
		return;
	}
	if (id < 0) {
		api_internal(resp, req->db, "register");
		return;
	}
	log_info("auth", "registered user %lld (%s)", (long long)id, role);
	issue_tokens(req, resp, id, 0, 201);
}

/* Counts a failed login in one statement, so parallel guesses cannot lose counts;
 * the failure that reaches the limit sets the lock.  Returns the count after it. */
static int record_failure(struct api_req *req, int64_t id)
{
	const struct server_settings *s = &req->srv->set;
	int64_t now = store_now();
	sqlite3_stmt *st = store_prepare(req->db,
		"UPDATE users SET failed_logins = failed_logins + 1,"
		" locked_until = CASE WHEN failed_logins + 1 >= ?1 AND locked_until <= ?2"
		"   THEN ?3 ELSE locked_until END"
		" WHERE id = ?4 RETURNING failed_logins");
	if (!st)
		return 0;
	sqlite3_bind_int(st, 1, s->lockout_failures);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now + s->lockout_seconds);
	sqlite3_bind_int64(st, 4, id);
	int failures = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (failures == s->lockout_failures)
		log_warn("auth", "user %lld locked after %d failed logins", (long long)id, failures);
	return failures;
}

/* Runs a statement on one user id; for the small updates of the login path. */
static void user_update(sqlite3 *db, const char *sql, int64_t id)
{
	sqlite3_stmt *st = store_prepare(db, sql);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
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
	sqlite3_stmt *st = store_prepare(req->db,
		"SELECT id, password_hash, failed_logins, locked_until FROM users WHERE email = ?");
	if (!st) {
		api_internal(resp, req->db, "login");
		return;
	}
	sqlite3_bind_text(st, 1, norm, -1, SQLITE_STATIC);
	int64_t id = 0, locked_until = 0;
	int failures = 0;
	char hash[160] = "";
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(hash, sizeof hash, "%s", sqlite3_column_text(st, 1));
		failures = sqlite3_column_int(st, 2);
		locked_until = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	int64_t now = store_now();
	(void)failures;
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
		user_update(req->db, "UPDATE users SET failed_logins = 0, locked_until = 0"
				     " WHERE id = ?1 AND locked_until <= strftime('%s','now')", id);
	if (auth_password_verify(hash, password) != 0) {
		int n = record_failure(req, id);
		if (n > req->srv->set.lockout_failures)
			answer_locked(resp, now + req->srv->set.lockout_seconds, now);
		else
			api_error(resp, 401, "unauthorized", NULL, "Wrong email or password.");
		return;
	}
	/* Guesses running beside this one may have locked the account meanwhile. */
	sqlite3_stmt *chk = store_prepare(req->db, "SELECT locked_until FROM users WHERE id = ?");
	if (chk) {
		sqlite3_bind_int64(chk, 1, id);
		locked_until = sqlite3_step(chk) == SQLITE_ROW ? sqlite3_column_int64(chk, 0) : 0;
		sqlite3_finalize(chk);
	}
	if (locked_until > now) {
		answer_locked(resp, locked_until, now);
		return;
	}
	user_update(req->db, "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?1", id);
	issue_tokens(req, resp, id, 0, 200);
}

HANDLER(h_refresh)
{
	const char *token;
	if (api_field_string(req->json, resp, "refresh_token", 1, 1, 512, &token))
		return;
	char hash[65];
	auth_token_hash(token, hash);
	/* Revoke-and-read in one statement: of two racing refreshes only one wins. */
	sqlite3_stmt *st = store_prepare(req->db,
		"UPDATE tokens SET revoked = 1 WHERE refresh_hash = ? AND revoked = 0"
		" AND refresh_expires > ? RETURNING user_id, login_id");
	if (!st) {
		api_internal(resp, req->db, "refresh");
		return;
	}
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, store_now());
	int64_t user_id = 0, login_id = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		user_id = sqlite3_column_int64(st, 0);
		login_id = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (!user_id) {
		api_error(resp, 401, "unauthorized", NULL,
			  "The refresh token is unknown, expired or already used.");
		return;
	}
	issue_tokens(req, resp, user_id, login_id, 200);
}

HANDLER(h_logout)
{
	/* Ends the whole login: every token it was refreshed into (revoked = 2: logged out). */
	sqlite3_stmt *st = store_prepare(req->db,
		"UPDATE tokens SET revoked = 2 WHERE login_id = ? OR id = ?");
	if (!st) {
		api_internal(resp, req->db, "logout");
		return;
	}
	sqlite3_bind_int64(st, 1, req->user.login_id);
	sqlite3_bind_int64(st, 2, req->user.token_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		api_internal(resp, req->db, "logout");
		return;
	}
	api_empty(resp, 204);
}

HANDLER(h_me_get)
{
	cJSON *u = auth_user_json(req->db, req->user.id);
	if (!u) {
		api_internal(resp, req->db, "me");
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
	sqlite3_stmt *st = store_prepare(req->db,
		"UPDATE users SET name = coalesce(?, name),"
		" shipping_address = CASE WHEN ? THEN ? ELSE shipping_address END WHERE id = ?");
	if (!st) {
		free(addr_text);
		api_internal(resp, req->db, "me patch");
		return;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, addr != NULL);
	sqlite3_bind_text(st, 3, addr_text, -1, SQLITE_STATIC); /* JSON null clears it */
	sqlite3_bind_int64(st, 4, req->user.id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(addr_text);
	if (rc != SQLITE_DONE) {
		api_internal(resp, req->db, "me patch");
		return;
	}
	h_me_get(req, resp);
}
