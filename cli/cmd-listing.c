/*
 * cmd-listing.c - listing add|edit|rm|list|import: a seller's products.
 *
 * Values are checked here against the protocol's limits before anything is sent, so a
 * typo gets a precise message at once (and an import reports every bad row, with its
 * line number, without a round trip).  The server checks again; its word is final.
 *
 * `listing import` reads CSV (header: title,description,price,stock,category,tags,sku;
 * any order, description, tags and sku optional; tags separated by ";").  A row updates
 * the seller's listing with the same sku (the server does that for a POST with a
 * known sku), or, without a sku, the listing with exactly the same title; otherwise
 * it adds one.  Importing the same file twice changes nothing the second time but
 * the figures: "N added, M updated, K rejected".  Good rows are sent one by one over
 * one keep-alive connection; bad rows are reported as FILE:LINE: reason and skipped.  Deliberately not one transaction: a seller fixing
 * two typos in 150 rows wants 148 listed, not zero.  A rate limit (429) is waited
 * out, as the server asks; losing the server stops the import where it was.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "money.h"
#include "output.h"
#include "render.h"

#define MAX_IMPORT_BYTES (64L * 1024 * 1024)

/* What a listing command was given; NULL / -1 for "not given". */
struct listing {
	const char *title, *description, *category, *tags, *status, *sku;
	const char *price_text;
	int64_t price;
	long stock;
	char tag_sep;
};

/* Characters (UTF-8 code points) in s. */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Splits tags on sep into a JSON array, checking count and length.  NULL with err
 * filled when they break the rules. */
static cJSON *tags_json(const char *text, char sep, char *err, size_t errlen)
{
	cJSON *arr = cJSON_CreateArray();
	char *copy = strdup(text);
	if (!arr || !copy) {
		cJSON_Delete(arr);
		free(copy);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	char seps[2] = { sep, '\0' };
	char *save = NULL;
	int n = 0;
	for (char *t = strtok_r(copy, seps, &save); t; t = strtok_r(NULL, seps, &save)) {
		t = trim(t);
		if (!*t)
			continue;
		if (chars(t) > 32 || ++n > 20) {
			snprintf(err, errlen, n > 20 ? "tags: at most 20" :
				 "tags: \"%.40s\" is longer than 32 characters", t);
			cJSON_Delete(arr);
			free(copy);
			return NULL;
		}
		cJSON_AddItemToArray(arr, cJSON_CreateString(t));
	}
	free(copy);
	return arr;
}

/* Checks l and turns it into a request body: only the fields given, and for a new
 * listing (creating) an empty description and tags when those are not.  NULL with err
 * filled when a value breaks the protocol's rules. */
static cJSON *listing_body(const struct listing *l, int creating, char *err, size_t errlen)
{
	const char *bad = NULL;
	if (l->title && (chars(l->title) < 1 || chars(l->title) > 200))
		bad = "title: 1 to 200 characters";
	else if (l->description && chars(l->description) > 5000)
		bad = "description: at most 5000 characters";
	else if (l->category && (chars(l->category) < 1 || chars(l->category) > 64))
		bad = "category: 1 to 64 characters";
	else if (l->status && strcmp(l->status, "active") != 0 && strcmp(l->status, "archived") != 0)
		bad = "status: active or archived";
	else if (l->sku && (chars(l->sku) < 1 || chars(l->sku) > 64))
		bad = "sku: 1 to 64 characters";
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return NULL;
	}
	cJSON *b = cJSON_CreateObject();
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (l->tags) {
		cJSON *tags = tags_json(l->tags, l->tag_sep, err, errlen);
		if (!tags) {
			cJSON_Delete(b);
			return NULL;
		}
		cJSON_AddItemToObject(b, "tags", tags);
	}
	if (l->title)
		cJSON_AddStringToObject(b, "title", l->title);
	if (l->description)
		cJSON_AddStringToObject(b, "description", l->description);
	if (l->price >= 0)
		cJSON_AddNumberToObject(b, "price_cents", (double)l->price);
	if (l->stock >= 0)
		cJSON_AddNumberToObject(b, "stock", (double)l->stock);
	if (l->category)
		cJSON_AddStringToObject(b, "category", l->category);
	if (l->status)
		cJSON_AddStringToObject(b, "status", l->status);
	if (l->sku)
		cJSON_AddStringToObject(b, "sku", l->sku);
	if (creating && !l->description)
		cJSON_AddStringToObject(b, "description", "");
	if (creating && !l->tags)
		cJSON_AddItemToObject(b, "tags", cJSON_CreateArray());
	return b;
}

static int parse_listing_flags(struct cli *cli, const char *sub, int argc, char **argv,
			       struct listing *l, int with_status)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "price", required_argument, NULL, 'p' },
		{ "stock", required_argument, NULL, 's' },
		{ "category", required_argument, NULL, 'c' },
		{ "description", required_argument, NULL, 'd' },
		{ "tags", required_argument, NULL, 'g' },
		{ "status", required_argument, NULL, 'S' },
		{ "sku", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	memset(l, 0, sizeof *l);
	l->price = -1;
	l->stock = -1;
	l->tag_sep = ',';
	int c;
	optind = 0;
	while ((c = cli_getopt(cli, sub, argc, argv, opts)) != -1) {
		switch (c) {
		case '?':
			return CLI_USAGE;
		case 't': l->title = optarg; break;
		case 'd': l->description = optarg; break;
		case 'c': l->category = optarg; break;
		case 'g': l->tags = optarg; break;
		case 'k': l->sku = optarg; break;
		case 'S':
			if (!with_status)
				return cli_usage_error(cli, sub, "--status is for listing edit");
			l->status = optarg;
			break;
		case 'p':
			if (cli_want_money(cli, sub, "--price", optarg, &l->price) != CLI_OK)
				return CLI_USAGE;
			break;
		case 's':
			if (cli_parse_long(optarg, 0, 1000000, &l->stock) != 0)
				return cli_usage_error(cli, sub, "--stock must be a whole number from 0 "
						       "to 1000000");
			break;
		}
	}
	return CLI_OK;
}

static void say_product(struct cli *cli, const char *verb, const cJSON *p)
{
	if (cli->quiet || cli->json)
		return;
	printf("%s #%lld ", verb, (long long)json_int(p, "id"));
	out_text(stdout, json_str(p, "title"), 0);
	printf(" at %s, stock %lld (%s)\n", render_money(json_int(p, "price_cents")),
	       (long long)json_int(p, "stock"), json_str(p, "status"));
}

static int listing_add(struct cli *cli, int argc, char **argv)
{
	struct listing l;
	if (parse_listing_flags(cli, "add", argc, argv, &l, 0) != CLI_OK)
		return CLI_USAGE;
	if (optind < argc)
		return cli_usage_error(cli, "add", "unexpected argument \"%s\"", argv[optind]);
	const char *missing = !l.title ? "--title" : l.price < 0 ? "--price" :
			      l.stock < 0 ? "--stock" : !l.category ? "--category" : NULL;
	if (missing)
		return cli_usage_error(cli, "add", "%s is required", missing);
	char err[256];
	cJSON *body = listing_body(&l, 1, err, sizeof err);
	if (!body)
		return cli_usage_error(cli, "add", "%s", err);
	struct rest_response resp;
	int rc = cli_call(cli, 1, "POST", body, &resp, "/api/v1/products");
	cJSON_Delete(body);
	if (rc == CLI_OK) /* 200: the seller's listing with this --sku was updated */
		say_product(cli, resp.status == 200 ? "Updated (same --sku)" : "Listed", resp.json);
	rest_response_free(&resp);
	return rc;
}

static int listing_edit(struct cli *cli, int argc, char **argv)
{
	struct listing l;
	int64_t id;
	if (parse_listing_flags(cli, "edit", argc, argv, &l, 1) != CLI_OK ||
	    cli_want_one_id(cli, "edit", "ID", argc - optind, argv + optind, &id) != CLI_OK)
		return CLI_USAGE;
	char err[256];
	cJSON *body = listing_body(&l, 0, err, sizeof err);
	if (!body)
		return cli_usage_error(cli, "edit", "%s", err);
	if (cJSON_GetArraySize(body) == 0) {
		cJSON_Delete(body);
		return cli_usage_error(cli, "edit", "nothing to change: give at least one flag");
	}
	struct rest_response resp;
	int rc = cli_call(cli, 1, "PATCH", body, &resp, "/api/v1/products/%lld", (long long)id);
	cJSON_Delete(body);
	if (rc == CLI_OK)
		say_product(cli, "Updated", resp.json);
	rest_response_free(&resp);
	return rc;
}

static int listing_rm(struct cli *cli, int argc, char **argv)
{
	int64_t id;
	if (cli_want_one_id(cli, "rm", "ID", argc - 1, argv + 1, &id) != CLI_OK)
		return CLI_USAGE;
	int rc = cli_call(cli, 1, "DELETE", NULL, NULL, "/api/v1/products/%lld", (long long)id);
	if (rc == CLI_OK)
		cli_say(cli, "Archived listing #%lld: no longer for sale, kept in past orders "
			"(bring it back with: voxcart listing edit %lld --status active)\n",
			(long long)id, (long long)id);
	return rc;
}

/* Lists every page of the seller's products (or the one page asked for). */
static int listing_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	long limit = 100, offset = 0;
	int one_page = 0, c;
	optind = 0;
	while ((c = cli_getopt(cli, "list", argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		long *dst = c == 'l' ? &limit : &offset;
		if (cli_parse_long(optarg, c == 'l' ? 1 : 0, c == 'l' ? 100 : 1000000000L, dst) != 0)
			return cli_usage_error(cli, "list", "bad %s", c == 'l' ? "--limit (1..100)" :
					       "--offset");
		one_page = 1;
	}
	if (optind < argc)
		return cli_usage_error(cli, "list", "unexpected argument \"%s\"", argv[optind]);
	cJSON *all = cJSON_CreateObject();
	cJSON *items = cJSON_AddArrayToObject(all, "items");
	long long total = 0;
	int rc = CLI_OK;
	for (;;) {
		struct rest_response resp;
		rc = cli_call(cli, 1, "GET", NULL, &resp, "/api/v1/seller/products?limit=%ld&offset=%ld",
			      limit, offset);
		if (rc != CLI_OK)
			break;
		cJSON *page = cJSON_GetObjectItemCaseSensitive(resp.json, "items"), *p;
		int n = cJSON_GetArraySize(page);
		cJSON_ArrayForEach(p, page)
			cJSON_AddItemToArray(items, cJSON_Duplicate(p, 1));
		total = json_int(resp.json, "total");
		rest_response_free(&resp);
		offset += n;
		if (one_page || n == 0 || offset >= total)
			break;
	}
	cJSON_AddNumberToObject(all, "total", (double)total);
	cJSON_AddNumberToObject(all, "offset", one_page ? (double)(offset - cJSON_GetArraySize(items)) : 0);
	if (rc == CLI_OK && !cli->json)
		render_products(all, 1, "You have no listings yet (add one: voxcart listing add).");
	cJSON_Delete(all);
	return rc;
}

/* ---- import ---- */

#define NCOLS 7

struct import {
	struct cli *cli;
	const char *file;
	int col[NCOLS]; /* index of title, description, price, stock, category, tags, sku; -1 */
	size_t ncols;
	int rows, imported, rejected, dry_run, progress;
	int added, updated;
	int total_rows; /* data records in the file, for the progress bar */
	cJSON *mine;    /* the seller's listings: {"title": id} for matching rows without sku */
};

enum { COL_TITLE, COL_DESCRIPTION, COL_PRICE, COL_STOCK, COL_CATEGORY, COL_TAGS, COL_SKU };
static const char *const col_names[NCOLS] = { "title", "description", "price", "stock",
					      "category", "tags", "sku" };

static void progress_clear(struct import *im)
{
	if (im->progress)
		fprintf(stderr, "\r\033[K");
}

static void progress_draw(struct import *im)
{
	if (!im->progress || im->total_rows == 0)
		return;
	int width = 30;
	int filled = (int)((double)im->rows / (double)im->total_rows * width);
	fprintf(stderr, "\rimporting [");
	for (int i = 0; i < width; i++)
		fputc(i < filled ? '#' : '.', stderr);
	fprintf(stderr, "] %d/%d rows, %d rejected", im->rows, im->total_rows, im->rejected);
	fflush(stderr);
}

static void reject(struct import *im, int line, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void reject(struct import *im, int line, const char *code, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	out_scrub(msg, 0);
	im->rejected++;
	progress_clear(im);
	fprintf(stderr, "%s:%d: %s\n", im->file, line, msg);
	if (im->cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "line", line);
		cJSON *e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "code", code);
		cJSON_AddStringToObject(e, "message", msg);
		cli_print_json(o);
		cJSON_Delete(o);
	}
	progress_draw(im);
}

/* Maps the header row to columns.  -1 after a message when it is unusable. */
static int read_header(struct import *im, char **fields, size_t n)
{
	for (int i = 0; i < NCOLS; i++)
		im->col[i] = -1;
	im->ncols = n;
	for (size_t f = 0; f < n; f++) {
		char *name = trim(fields[f]);
		int i = 0;
		while (i < NCOLS && strcasecmp(name, col_names[i]) != 0)
			i++;
		if (i == NCOLS) {
			progress_clear(im);
			fprintf(stderr, "%s:1: ignoring unknown column \"%.40s\"\n", im->file, name);
		} else if (im->col[i] >= 0) {
			fprintf(stderr, "voxcart: %s: column \"%s\" appears twice\n", im->file, name);
			return -1;
		} else {
			im->col[i] = (int)f;
		}
	}
	for (int i = 0; i < NCOLS; i++) {
		if (im->col[i] < 0 && i != COL_DESCRIPTION && i != COL_TAGS && i != COL_SKU) {
			fprintf(stderr, "voxcart: %s: the header row has no \"%s\" column (expected "
				"title,description,price,stock,category,tags,sku)\n", im->file,
				col_names[i]);
			return -1;
		}
	}
	return 0;
}

static const char *cell(struct import *im, char **fields, int col)
{
	return im->col[col] >= 0 ? trim(fields[im->col[col]]) : NULL;
}

/* Sends one listing (POST, or PATCH of the listing `id` when id > 0), waiting out
 * rate limits.  Returns 1 added, 2 updated, 0 rejected, -1 the import cannot go on
 * (resp holds why). */
static int send_listing(struct import *im, int64_t id, const cJSON *body, int line,
			struct rest_response *resp)
{
	struct cli *cli = im->cli;
	char path[64];
	if (id > 0)
		snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)id);
	for (int attempt = 0;; attempt++) {
		int status = session_request(cli_session(cli), cli->rest, id > 0 ? "PATCH" : "POST",
					     id > 0 ? path : "/api/v1/products", body, NULL, resp);
		if (status == 201)
			return 1;
		if (status == 200) /* a PATCH, or a POST whose sku the seller already had */
			return 2;
		if (status == 429 && attempt < 5) {
			int wait = resp->retry_after > 0 && resp->retry_after <= 60 ? resp->retry_after : 1;
			rest_response_free(resp);
			sleep((unsigned)wait);
			continue;
		}
		if (status <= 0 || status == 401 || status == 403)
			return -1;
		reject(im, line, *resp->error_code ? resp->error_code : "rejected", "%s%s%s",
		       *resp->error_field && !strstr(resp->error, resp->error_field) ?
		       resp->error_field : "", *resp->error_field &&
		       !strstr(resp->error, resp->error_field) ? ": " : "", resp->error);
		rest_response_free(resp);
		return 0;
	}
}

/* Checks one data row and creates its listing.  -1 when the import must stop. */
static int import_row(struct import *im, char **fields, size_t n, int line)
{
	if (n != im->ncols) {
		reject(im, line, "validation_failed", "expected %zu fields, found %zu", im->ncols, n);
		return 0;
	}
	struct listing l = { 0 };
	l.tag_sep = ';';
	l.title = cell(im, fields, COL_TITLE);
	l.description = cell(im, fields, COL_DESCRIPTION);
	l.category = cell(im, fields, COL_CATEGORY);
	l.tags = cell(im, fields, COL_TAGS);
	l.sku = cell(im, fields, COL_SKU);
	if (l.sku && !*l.sku)
		l.sku = NULL;
	const char *price = cell(im, fields, COL_PRICE), *stock = cell(im, fields, COL_STOCK);
	if (money_parse(price, &l.price) != 0 || l.price > 100000000) {
		reject(im, line, "validation_failed", "price: \"%.40s\" is not an amount from 0 to "
		       "1,000,000.00", price);
		return 0;
	}
	if (cli_parse_long(stock, 0, 1000000, &l.stock) != 0) {
		reject(im, line, "validation_failed", "stock: \"%.40s\" is not a whole number from 0 "
		       "to 1000000", stock);
		return 0;
	}
	char err[256];
	cJSON *body = listing_body(&l, 1, err, sizeof err);
	if (!body) {
		reject(im, line, "validation_failed", "%s", err);
		return 0;
	}
	/* Without a sku, a listing of the seller with exactly this title is the same one. */
	int64_t same = 0;
	if (!l.sku) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(im->mine, l.title);
		same = cJSON_IsNumber(m) ? (int64_t)m->valuedouble : 0;
	}
	if (same > 0) { /* an update sends the fields the row has, nothing else */
		cJSON_DeleteItemFromObjectCaseSensitive(body, "description");
		cJSON_DeleteItemFromObjectCaseSensitive(body, "tags");
		if (l.description)
			cJSON_AddStringToObject(body, "description", l.description);
		if (l.tags) {
			char e2[256];
			cJSON *tags = tags_json(l.tags, l.tag_sep, e2, sizeof e2);
			if (tags)
				cJSON_AddItemToObject(body, "tags", tags);
		}
	}
	if (im->dry_run) {
		cJSON_Delete(body);
		im->imported++;
		if (same > 0) /* (a row with a sku is counted as added: only the server knows) */
			im->updated++;
		else
			im->added++;
		return 0;
	}
	struct rest_response resp;
	int ok = send_listing(im, same, body, line, &resp);
	cJSON_Delete(body);
	if (ok == 1 || ok == 2) {
		if (ok == 1)
			im->added++;
		else
			im->updated++;
		/* a title added now is matched by a later row of the same file */
		if (ok == 1 && !l.sku && !cJSON_GetObjectItemCaseSensitive(im->mine, l.title))
			cJSON_AddNumberToObject(im->mine, l.title, (double)json_int(resp.json, "id"));
		im->imported++;
		if (im->cli->json)
			cli_print_json(resp.json);
		rest_response_free(&resp);
	} else if (ok < 0) {
		progress_clear(im);
		im->progress = 0;
		fprintf(stderr, "%s:%d: import stopped here\n", im->file, line);
		int rc = cli_fail(im->cli, &resp);
		rest_response_free(&resp);
		return rc;
	}
	return 0;
}

/* Reads all of path ("-" for stdin) into a malloc'd buffer. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0, got;
	char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = cap * 2 <= (size_t)MAX_IMPORT_BYTES ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				snprintf(err, errlen, "%s: too large (limit %ld MiB)", path,
					 MAX_IMPORT_BYTES >> 20);
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	} else if (!buf && !*err) {
		snprintf(err, errlen, "out of memory");
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

/* Records in data (a cheap first pass, so the progress bar knows the end). */
static int count_records(const char *data, size_t len)
{
	struct csv_reader *r = csv_open_mem(data, len);
	char **fields, err[200];
	size_t n;
	int line, count = 0;
	while (r && csv_next(r, &fields, &n, &line, err, sizeof err) != 0)
		count++;
	csv_close(r);
	return count;
}

/* Loads the seller's listings (every page) into im->mine (title -> id; the newest
 * wins).  CLI_OK, or the failure's exit status. */
static int load_mine(struct import *im)
{
	long offset = 0;
	for (;;) {
		char path[96];
		snprintf(path, sizeof path, "/api/v1/seller/products?limit=100&offset=%ld", offset);
		struct rest_response resp;
		int rc = cli_do(im->cli, 1, "GET", path, NULL, NULL, &resp);
		if (rc != CLI_OK)
			return rc;
		const cJSON *page = cJSON_GetObjectItemCaseSensitive(resp.json, "items"), *p;
		int n = cJSON_GetArraySize(page);
		cJSON_ArrayForEach(p, page) {
			const char *t = json_str(p, "title");
			if (*t && !cJSON_GetObjectItemCaseSensitive(im->mine, t))
				cJSON_AddNumberToObject(im->mine, t, (double)json_int(p, "id"));
		}
		long long total = json_int(resp.json, "total");
		rest_response_free(&resp);
		offset += n;
		if (n == 0 || offset >= total)
			return CLI_OK;
	}
}

static int run_import(struct import *im, const char *data, size_t len)
{
	struct csv_reader *r = csv_open_mem(data, len);
	if (!r)
		return cli_error(im->cli, "internal", "out of memory");
	char **fields, err[200];
	size_t n;
	int line, got, rc = CLI_OK, header = 0;
	im->total_rows = count_records(data, len) - 1;
	while (rc == CLI_OK && (got = csv_next(r, &fields, &n, &line, err, sizeof err)) != 0) {
		if (!header) {
			if (got < 0 || read_header(im, fields, n) != 0) {
				if (got < 0)
					fprintf(stderr, "voxcart: %s:%d: %s\n", im->file, line, err);
				rc = CLI_FAIL;
				break;
			}
			header = 1;
			continue;
		}
		im->rows++;
		if (got < 0)
			reject(im, line, "malformed", "%s", err);
		else
			rc = import_row(im, fields, n, line);
		progress_draw(im);
	}
	csv_close(r);
	if (!header && rc == CLI_OK)
		return cli_error(im->cli, "validation_failed", "%s: empty file (expected a header "
				 "row: title,description,price,stock,category,tags)", im->file);
	return rc;
}

static int listing_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct import im = { .cli = cli };
	int c;
	optind = 0;
	while ((c = cli_getopt(cli, "import", argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		im.dry_run = 1;
	}
	if (argc - optind != 1)
		return cli_usage_error(cli, "import", argc - optind ? "one FILE only" : "missing FILE");
	im.file = argv[optind];
	if (!im.dry_run) {
		struct rest *r = cli_rest(cli);
		if (!r)
			return CLI_USAGE;
		if (!session_logged_in(cli_session(cli), rest_base_url(r))) {
			struct rest_response none = { .status = SESSION_NOT_LOGGED_IN };
			snprintf(none.error, sizeof none.error, "not logged in to %s", rest_base_url(r));
			return cli_fail(cli, &none);
		}
	}
	char err[512] = "";
	size_t len;
	char *data = slurp(im.file, &len, err, sizeof err);
	if (!data)
		return cli_error(cli, "io", "%s", err);
	im.progress = cli->stderr_tty && !cli->quiet && !cli->json;
	int rc = CLI_OK;
	im.mine = cJSON_CreateObject();
	if (session_logged_in(cli_session(cli), cli->server))
		rc = load_mine(&im);
	if (rc == CLI_OK)
		rc = run_import(&im, data, len);
	cJSON_Delete(im.mine);
	free(data);
	progress_clear(&im);
	if (im.rows == 0 && rc == CLI_OK) {
		cli_say(cli, "No rows to import in %s.\n", im.file);
	} else if (rc == CLI_OK || im.imported > 0) {
		if (cli->json) {
			printf("{\"imported\":%d,\"added\":%d,\"updated\":%d,\"rejected\":%d,"
			       "\"rows\":%d,\"dry_run\":%s}\n", im.imported, im.added, im.updated,
			       im.rejected, im.rows, im.dry_run ? "true" : "false");
		} else if (!cli->quiet || im.rejected) {
			printf("%s %d of %d rows: %d %sadded, %d %supdated, %d rejected\n",
			       im.dry_run ? "checked: would import" : "imported", im.imported, im.rows,
			       im.added, im.dry_run ? "to be " : "", im.updated,
			       im.dry_run ? "to be " : "", im.rejected);
		}
	}
	if (rc == CLI_OK && im.rejected > 0)
		rc = CLI_FAIL;
	return rc;
}

static int exec_listing(struct cli *cli, int argc, char **argv)
{
	static const struct cli_sub subs[] = { /* the first is the default */
		{ "list", listing_list }, { "add", listing_add }, { "edit", listing_edit },
		{ "rm", listing_rm }, { "import", listing_import }, { NULL, NULL },
	};
	return cli_run_sub(cli, argc, argv, subs);
}

const struct cmd_entry cmd_listing_entry = {
	"listing", "listings",
	"add --title TITLE --price 12.99 --stock N --category CATEGORY [--description TEXT] "
	"[--tags a,b] [--sku SKU]\n"
	"edit ID [--title TITLE] [--price 12.99] [--stock N] [--category CATEGORY] "
	"[--description TEXT] [--tags a,b] [--status active|archived] [--sku SKU]\n"
	"rm ID\n"
	"[list] [--limit N] [--offset N]\n"
	"import [--dry-run] FILE.csv",
	"sell: add, change, withdraw, list and bulk-import your products (sellers)",
	exec_listing,
};
