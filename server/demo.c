/*
 * demo.c - demo accounts and catalog (see demo.h).
 */
#include "demo.h"
#include "auth.h"
#include "catalog.h"
#include "csv.h"
#include "log.h"
#include "money.h"
#include "payments.h"
#include "server.h"
#include "store/store.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, errlen, "%s: cannot read", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static int64_t user_by_email(struct store *store, const char *email)
{
	struct store_login l;
	return store_login_find(store, email, &l) == STORE_OK ? l.user_id : 0;
}

/* The seller's id for a catalog's seller key, creating the account if needed. */
static int64_t seller_for(struct server *srv, struct store *store, const char *key, const char *name)
{
	char email[256];
	snprintf(email, sizeof email, "%s@demo.voxcart", key);
	int64_t id = user_by_email(store, email);
	if (!id)
		id = auth_create_user(store, email, DEMO_SELLER_PASSWORD, name ? name : key, "seller",
				      srv->set.hash_cost);
	return id;
}

static char *tags_json(const char *field)
{
	cJSON *arr = cJSON_CreateArray();
	char *copy = strdup(field);
	for (char *save = NULL, *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save))
		if (*t && cJSON_GetArraySize(arr) < 20 && strlen(t) <= 32)
			cJSON_AddItemToArray(arr, cJSON_CreateString(t));
	free(copy);
	char *s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return s;
}

static int import_rows(struct server *srv, struct store *store, const char *data, size_t len,
		       long *count, char *err, size_t errlen)
{
	struct csv_reader *r = csv_open_mem(data, len);
	char **f;
	size_t nf;
	int line, rc, header = 1;
	char why[200];
	char last_key[128] = "";
	int64_t seller = 0;
	*count = 0;
	while ((rc = csv_next(r, &f, &nf, &line, why, sizeof why)) != 0) {
		if (rc < 0 || nf < 7) {
			log_warn("demo", "catalog line %d skipped: %s", line, rc < 0 ? why : "too few fields");
			continue;
		}
		if (header) {
			header = 0;
			continue;
		}
		int64_t price;
		if (money_parse(f[3], &price) != 0 || price > 100000000) {
			log_warn("demo", "catalog line %d skipped: bad price", line);
			continue;
		}
		if (strcmp(last_key, f[0]) != 0) {
			snprintf(last_key, sizeof last_key, "%s", f[0]);
			seller = seller_for(srv, store, f[0], NULL);
		}
		char *tags = tags_json(f[6]);
		int64_t id = seller > 0 ? catalog_insert(store, seller, f[1], f[2], price, atol(f[4]), f[5], tags) : -1;
		free(tags);
		if (id <= 0) {
			snprintf(err, errlen, "catalog line %d: cannot insert: %s", line,
				 store_errmsg(store));
			csv_close(r);
			return -1;
		}
		(*count)++;
	}
	csv_close(r);
	return 0;
}

int demo_import_catalog(struct server *srv, struct store *store, const char *path, long *count,
			char *err, size_t errlen)
{
	size_t len;
	char *data = read_file(path, &len, err, errlen);
	if (!data)
		return -1;
	int rc = store_tx_begin(store) == STORE_OK ? 0 : -1;
	if (rc == 0)
		rc = import_rows(srv, store, data, len, count, err, errlen);
	if (rc == 0)
		rc = store_tx_commit(store) == STORE_OK ? 0 : -1;
	store_tx_rollback(store);
	free(data);
	if (rc == 0)
		catalog_changed(srv);
	return rc;
}

static int load_sellers(struct server *srv, struct store *store, const char *path, char *err, size_t errlen)
{
	size_t len;
	char *data = read_file(path, &len, err, errlen);
	if (!data)
		return -1;
	struct csv_reader *r = csv_open_mem(data, len);
	char **f;
	size_t nf;
	int line, rc, header = 1;
	char why[200];
	while ((rc = csv_next(r, &f, &nf, &line, why, sizeof why)) != 0) {
		if (rc < 0 || nf < 3 || header) {
			header = 0;
			continue;
		}
		if (user_by_email(store, f[1]) == 0 &&
		    auth_create_user(store, f[1], DEMO_SELLER_PASSWORD, f[2], "seller", srv->set.hash_cost) <= 0) {
			snprintf(err, errlen, "cannot create demo seller %s", f[1]);
			csv_close(r);
			free(data);
			return -1;
		}
	}
	csv_close(r);
	free(data);
	return 0;
}

/* The demo shopper can check out at once: a saved address and the sandbox's
 * always-succeeding test card (DEMO_CARD_NUMBER). */
static int seed_shopper(struct store *store, int64_t shopper, char *err, size_t errlen)
{
	struct store_user u;
	int rc = store_user_get(store, shopper, &u) == STORE_OK ? 0 : -1;
	if (rc == 0 && !u.shipping_address)
		rc = store_user_update(store, shopper, NULL, 1, DEMO_SHOPPER_ADDRESS) == STORE_OK ? 0 : -1;
	store_user_free(&u);
	struct payment_card card;
	char field[32], msg[160];
	const struct payment_provider *prov = payments_provider("sandbox");
	if (rc == 0 && payments_default_id(store, shopper) == 0) {
		rc = prov && prov->tokenize(DEMO_CARD_NUMBER, 12, 2035, "123", store_now(), &card,
					    field, sizeof field, msg, sizeof msg) == 0 &&
		     payments_insert_card(store, shopper, &card) > 0 ? 0 : -1;
	}
	if (rc != 0)
		snprintf(err, errlen, "cannot give the demo shopper an address and a card: %s",
			 store_errmsg(store));
	return rc;
}

int demo_load(struct server *srv, struct store *store, char *err, size_t errlen)
{
	int64_t n = 0;
	long have = store_products_count(store, &n) == STORE_OK ? (long)n : -1;
	if (have != 0) {
		if (have > 0)
			printf("voxcartd: the database already has %ld products; demo data not loaded\n", have);
		return have < 0 ? -1 : 0;
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/demo_sellers.csv", srv->set.data_dir);
	if (load_sellers(srv, store, path, err, errlen) != 0)
		return -1;
	int64_t shopper = user_by_email(store, DEMO_SHOPPER_EMAIL);
	if (!shopper)
		shopper = auth_create_user(store, DEMO_SHOPPER_EMAIL, DEMO_SHOPPER_PASSWORD, "Demo Shopper",
					   "shopper", srv->set.hash_cost);
	if (shopper <= 0) {
		snprintf(err, errlen, "cannot create the demo shopper");
		return -1;
	}
	if (seed_shopper(store, shopper, err, errlen) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/demo_catalog.csv", srv->set.data_dir);
	long count = 0;
	if (demo_import_catalog(srv, store, path, &count, err, errlen) != 0)
		return -1;
	printf("voxcartd: demo data loaded: %ld products\n"
	       "  shopper: %s  password: %s (sandbox card %s and an address saved)\n"
	       "  sellers: freshmart@demo.voxcart, beanery@demo.voxcart, ...  password: %s\n",
	       count, DEMO_SHOPPER_EMAIL, DEMO_SHOPPER_PASSWORD, DEMO_CARD_NUMBER,
	       DEMO_SELLER_PASSWORD);
	fflush(stdout);
	return 0;
}
