/*
 * demo.h - loads the demo catalog and accounts into an empty database.
 *
 * Sellers come from demo_sellers.csv (seller,email,name) and products from
 * demo_catalog.csv (seller,title,description,price,stock,category,tags with tags
 * separated by ';'), both in the data directory.  A demo shopper and the sellers get
 * fixed, printed passwords: this is for trying voxcart out, never for production.
 * The demo shopper also gets a saved address and the sandbox test card 4242..., so
 * the demo can check out without typing either.
 * The same loader imports a catalog file for the benchmarks and the dialogue tests.
 */
#ifndef VOXCART_DEMO_H
#define VOXCART_DEMO_H

#include <stddef.h>

struct store;

struct server;

#define DEMO_SHOPPER_EMAIL "shopper@demo.voxcart"
#define DEMO_SHOPPER_PASSWORD "shop-demo-2026"
#define DEMO_SELLER_PASSWORD "sell-demo-2026"
/* The demo shopper's saved card (the sandbox test card that always succeeds, expiry
 * 12/2035) and shipping address, so that the demo can check out at once. */
#define DEMO_CARD_NUMBER "4242424242424242"
#define DEMO_SHOPPER_ADDRESS                                                                   \
	"{\"name\":\"Demo Shopper\",\"line1\":\"1 Demo Street\",\"city\":\"Springfield\","  \
	"\"postal_code\":\"12345\",\"country\":\"US\"}"

/* Loads the demo data when the database has no products; prints the credentials to
 * stdout.  Returns 0 (also when there was nothing to do), -1 with err on failure. */
int demo_load(struct server *srv, struct store *db, char *err, size_t errlen);

/* Imports products from a catalog CSV (demo format) in one transaction, creating
 * sellers named in it on the fly (seller key "x" -> x@demo.voxcart). */
int demo_import_catalog(struct server *srv, struct store *db, const char *path, long *count,
			char *err, size_t errlen);

#endif
