/*
 * conversations.h - stored buddy conversations and the dialogue states that go
 * with them.
 *
 * A conversation row belongs to one user; every turn adds the user's message (with
 * its intent and sentiment score) and the buddy's reply, in one transaction.  A turn
 * where the shopper sounded frustrated flags the conversation.
 *
 * Dialogue state (what was just shown, what waits for a yes) lives in memory: a
 * small cache keyed by conversation id lets a later turn, over REST or a resumed
 * WebSocket, pick up where the last one left off.  It is bounded; the oldest state
 * goes first, and a conversation without a cached state starts fresh.
 */
#ifndef VOXCART_CONVERSATIONS_H
#define VOXCART_CONVERSATIONS_H

#include "api.h"

struct store;

struct server;
struct buddy_state;

/* New conversation for the user; its id, or -1. */
int64_t conv_create(struct store *db, int64_t user_id);
/* 1 when the conversation exists and is the user's. */
int conv_owned(struct store *db, int64_t conv_id, int64_t user_id);
/* Stores one turn, and with it the dialogue state as text (NULL: the stored one
 * stays); 0 on success. */
int conv_add_turn(struct store *db, int64_t conv_id, const char *user_text, const char *intent,
		  double sentiment, const char *reply, int frustrated, const char *state);

/* The cache of dialogue states (in the server struct); 0, or -1 out of memory.
 * Without one (tools and tests that never call it) states are not kept. */
int conv_cache_init(struct server *srv);
/* Takes the cached state of a conversation (the caller owns it), or a new one. */
struct buddy_state *conv_state_take(struct server *srv, int64_t conv_id);
/* Gives a state back to the cache (which owns it from then on). */
void conv_state_put(struct server *srv, int64_t conv_id, struct buddy_state *st);
void conv_state_cache_free(struct server *srv);

#endif
