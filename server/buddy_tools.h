/*
 * buddy_tools.h - the buddy's tools (buddy/buddy.h struct buddy_tools) implemented
 * on the same functions as the REST handlers, for one user on one connection.
 *
 * The catalog vocabulary (for typo correction) is a shared snapshot rebuilt when
 * srv->catalog_version moves; a turn holds a reference to the snapshot it started
 * with, released by buddy_tools_cleanup().
 */
#ifndef VOXCART_BUDDY_TOOLS_H
#define VOXCART_BUDDY_TOOLS_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct server;
struct buddy_tools;
struct vocab;

struct buddy_tools_ctx {
	struct server *srv;
	struct store *db;
	int64_t user_id;
	struct vocab *vocab; /* taken on first use */
};

void buddy_tools_init(struct buddy_tools *tools, struct buddy_tools_ctx *ctx);
void buddy_tools_cleanup(struct buddy_tools_ctx *ctx);

/* The current vocabulary as plain arrays (for the recogniser's language model):
 * the caller gets a reference and must call buddy_vocab_release(). */
struct vocab *buddy_vocab_get(struct server *srv, struct store *db);
/* A snapshot of the catalog as it is now: the installed one when it is of the
 * current catalog version, else builds one (slow; for background work such as the
 * language model) and installs it if newer.  Returns a reference. */
struct vocab *buddy_vocab_get_current(struct server *srv, struct store *db);
void buddy_vocab_release(struct vocab *v);
void buddy_vocab_words(const struct vocab *v, const char *const **words, size_t *n,
		       const char *const **categories, size_t *ncat,
		       const char *const **titles, size_t *ntitles);
/* The snapshot's word index (stems, sound keys) for match_correct(), or NULL. */
struct match_index;
const struct match_index *buddy_vocab_index(const struct vocab *v);

#endif
