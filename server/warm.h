/*
 * warm.h - what the first requests would otherwise build, built at start-up.
 */
#ifndef VOXCART_WARM_H
#define VOXCART_WARM_H

struct server;

/* Builds the in-memory search index (searchidx.h) and the buddy's catalog vocabulary
 * with its typo index (buddy_tools.h), and maps WordNet, before the server takes
 * requests: on a 100,000-product catalog these take a second or two, which the first
 * shopper's turn paid before (it also answered from SQLite while the index was being
 * built).  The two builds run on two threads (the index is SQLite's only).  Logs what it built and how long it took. */
void warm_catalog(struct server *srv);

#endif
