/*
 * auth.h - accounts and tokens.
 *
 * Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str).  Tokens are 256
 * random bits, base64url; only their SHA-256 is stored.  An access token lives
 * `access_ttl` seconds; its refresh token `refresh_ttl`; refreshing rotates both (the
 * old row is revoked, the new one keeps the login's login_id), logout revokes every
 * row of the login.  After `lockout_failures` failed
 * logins in a row an account is locked for `lockout_seconds` (423).
 */
#ifndef VOXCART_AUTH_H
#define VOXCART_AUTH_H

#include "api.h"

struct store;

/* Looks the access token up; fills user and returns 0 if it is live, else -1. */
int auth_check_token(struct store *db, const char *token, struct api_user *user);
/* 1 while the login has a live (not revoked, refreshable) token, else 0: a session
 * opened with one of its access tokens ends with it (logout, expiry). */
int auth_login_alive(struct store *db, int64_t login_id);

/* Random token (base64url, 43 chars + NUL) and its stored hash (64 hex + NUL). */
void auth_token_new(char out[44]);
void auth_token_hash(const char *token, char out[65]);

/* Hashes a password with the given cost ("interactive", "moderate", "min"); 0 ok. */
int auth_password_hash(const char *password, const char *cost, char out[128]);
int auth_password_verify(const char *hash, const char *password);

/* User JSON (PROTOCOL.md User) for the id, or NULL if there is none. */
cJSON *auth_user_json(struct store *db, int64_t user_id);

/* Creates a user with a hashed password (used by register and the demo loader).
 * Returns the new id, 0 if the email is taken, -1 on a database error. */
int64_t auth_create_user(struct store *db, const char *email, const char *password,
			 const char *name, const char *role, const char *cost);

/* Lower-cases an email into out and checks it has one '@' with text around it. */
int auth_normalize_email(const char *in, char *out, size_t outlen);

/* Checks an Address object (PROTOCOL.md); returns its canonical JSON text (malloc'd)
 * or NULL after setting a 422 naming the bad field. */
char *auth_address_text(const cJSON *addr, struct api_resp *resp);

#endif
