/*
 * screen-search.c - the search box, the filters (category, price range, sort) and
 * the results list.
 *
 * Each search gets a request number; an answer that is not for the newest search
 * is dropped, so typing fast never shows old results over new ones.  Results the
 * buddy found (a "search" action) replace the list at once and are marked as the
 * buddy's.  Rows are drawn by display width: the title takes what the price (and,
 * on wide terminals, the category) leave, so wide characters never push a price out
 * of its column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "money.h"
#include "rest.h"

#define PAGE_SIZE 30

enum { FL_CATEGORY, FL_MIN, FL_MAX, FL_SORT };

static const char *const sort_names[] = { "best match / newest", "price: low to high",
					  "price: high to low", "newest" };
static const char *const sort_params[] = { NULL, "price_asc", "price_desc", "newest" };

void search_init(struct app *a)
{
	struct search_state *s = &a->search;
	s->query = (struct form_field){ .kind = FORM_TEXT, .label = "Search", .maxlen = 200 };
	s->filter_fields[FL_CATEGORY] = (struct form_field){ .kind = FORM_CHOICE, .label = "Category" };
	s->filter_fields[FL_MIN] = (struct form_field){ .kind = FORM_TEXT, .label = "Min price",
							.maxlen = 16 };
	s->filter_fields[FL_MAX] = (struct form_field){ .kind = FORM_TEXT, .label = "Max price",
							.maxlen = 16 };
	s->filter_fields[FL_SORT] = (struct form_field){ .kind = FORM_CHOICE, .label = "Sort" };
	for (int i = 0; i < 4; i++)
		s->filter_fields[FL_SORT].choices[i] = sort_names[i];
	s->filter_fields[FL_SORT].nchoices = 4;
	s->filter_fields[FL_CATEGORY].choices[0] = "any";
	s->filter_fields[FL_CATEGORY].nchoices = 1;
	s->filters = (struct form){ s->filter_fields, SEARCH_FIELDS, 0 };
	s->min_cents = s->max_cents = -1;
}

void search_free(struct app *a)
{
	struct search_state *s = &a->search;
	cJSON_Delete(s->results);
	s->results = NULL;
	for (int i = 0; i < s->ncategories; i++)
		free(s->categories[i]);
	s->ncategories = 0;
}

int search_text_active(const struct app *a)
{
	return a->screen == SCREEN_SEARCH && (a->search.editing || a->search.filtering);
}

void search_start_editing(struct app *a)
{
	app_set_screen(a, SCREEN_SEARCH);
	a->search.filtering = 0;
	a->search.editing = 1;
	/* "/" starts a new search, as in less and vi: the box opens empty. */
	form_field_set(&a->search.query, "");
}

void search_run(struct app *a)
{
	struct search_state *s = &a->search;
	char *path = strdup("/api/v1/products");
	char num[32];
	if (s->q[0])
		rest_query_add(&path, "q", s->q);
	if (s->category[0])
		rest_query_add(&path, "category", s->category);
	if (s->min_cents >= 0) {
		snprintf(num, sizeof num, "%lld", (long long)s->min_cents);
		rest_query_add(&path, "min_price", num);
	}
	if (s->max_cents >= 0) {
		snprintf(num, sizeof num, "%lld", (long long)s->max_cents);
		rest_query_add(&path, "max_price", num);
	}
	if (sort_params[s->sort])
		rest_query_add(&path, "sort", sort_params[s->sort]);
	snprintf(num, sizeof num, "%d", PAGE_SIZE);
	rest_query_add(&path, "limit", num);
	snprintf(num, sizeof num, "%d", s->offset);
	rest_query_add(&path, "offset", num);
	if (!path) {
		app_status(a, 1, "out of memory");
		return;
	}
	s->seq = app_request(a, TAG_SEARCH, "GET", path);
	s->loading = 1;
	free(path);
}

void search_show_items(struct app *a, const cJSON *items, const char *query)
{
	struct search_state *s = &a->search;
	cJSON_Delete(s->results);
	s->results = cJSON_Duplicate(items, 1);
	s->total = cJSON_GetArraySize(s->results);
	s->offset = s->sel = s->top = 0;
	s->from_buddy = 1;
	s->loading = 0;
	s->seq = ++a->seq; /* an older search answer is stale now */
	snprintf(s->q, sizeof s->q, "%s", query ? query : "");
	if (a->screen == SCREEN_SEARCH || a->screen == SCREEN_PRODUCT)
		a->screen = SCREEN_SEARCH;
	a->dirty = 1;
}

static void set_categories(struct app *a, const cJSON *json)
{
	struct search_state *s = &a->search;
	struct form_field *f = &s->filter_fields[FL_CATEGORY];
	const char *cur = f->choice > 0 && f->choice < f->nchoices ? f->choices[f->choice] : NULL;
	char keep[80];
	snprintf(keep, sizeof keep, "%s", cur ? cur : s->category);
	for (int i = 0; i < s->ncategories; i++)
		free(s->categories[i]);
	s->ncategories = 0;
	f->nchoices = 1;
	f->choice = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(json, "items"))
	{
		if (f->nchoices >= FORM_CHOICES_MAX)
			break;
		char *name = strdup(json_str(it, "name"));
		if (!name)
			break;
		s->categories[s->ncategories++] = name;
		if (strcmp(name, keep) == 0)
			f->choice = f->nchoices;
		f->choices[f->nchoices++] = name;
	}
}

void search_result(struct app *a, struct worker_job *job)
{
	struct search_state *s = &a->search;
	if (job->tag == TAG_CATEGORIES) {
		if (job->status == 200)
			set_categories(a, job->json);
		return;
	}
	if (job->seq != s->seq)
		return; /* an older search */
	s->loading = 0;
	if (job->status != 200) {
		app_status_job(a, "Search failed", job);
		return;
	}
	cJSON_Delete(s->results);
	s->results = cJSON_DetachItemFromObjectCaseSensitive(job->json, "items");
	s->total = (int)json_int(job->json, "total");
	s->from_buddy = 0;
	s->sel = s->top = 0;
}

/* Applies the filter form; 0 ok, -1 after a message about a bad price. */
static int apply_filters(struct app *a)
{
	struct search_state *s = &a->search;
	char buf[64];
	int64_t lo = -1, hi = -1;
	form_field_utf8(&s->filter_fields[FL_MIN], buf, sizeof buf);
	if (buf[0] && money_parse(buf, &lo) != 0) {
		app_status(a, 1, "Min price: \"%s\" is not an amount (like 4.99)", buf);
		form_focus(&s->filters, FL_MIN);
		return -1;
	}
	form_field_utf8(&s->filter_fields[FL_MAX], buf, sizeof buf);
	if (buf[0] && money_parse(buf, &hi) != 0) {
		app_status(a, 1, "Max price: \"%s\" is not an amount (like 20)", buf);
		form_focus(&s->filters, FL_MAX);
		return -1;
	}
	if (lo >= 0 && hi >= 0 && lo > hi) {
		app_status(a, 1, "The min price is above the max price.");
		return -1;
	}
	s->min_cents = lo;
	s->max_cents = hi;
	const struct form_field *c = &s->filter_fields[FL_CATEGORY];
	snprintf(s->category, sizeof s->category, "%s", c->choice > 0 ? c->choices[c->choice] : "");
	s->sort = s->filter_fields[FL_SORT].choice;
	return 0;
}

static void filter_summary(const struct search_state *s, char *buf, size_t len)
{
	char lo[MONEY_BUFSZ], hi[MONEY_BUFSZ], price[80] = "any price";
	if (s->min_cents >= 0 && s->max_cents >= 0)
		snprintf(price, sizeof price, "%s to %s", money_format(s->min_cents, lo, sizeof lo),
			 money_format(s->max_cents, hi, sizeof hi));
	else if (s->min_cents >= 0)
		snprintf(price, sizeof price, "from %s", money_format(s->min_cents, lo, sizeof lo));
	else if (s->max_cents >= 0)
		snprintf(price, sizeof price, "up to %s", money_format(s->max_cents, hi, sizeof hi));
	snprintf(buf, len, "%s, %s, %s  (f: filters)", s->category[0] ? s->category : "all categories",
		 price, sort_names[s->sort]);
}

static void draw_rows(struct app *a, struct rect r, int focused)
{
	struct search_state *s = &a->search;
	int n = cJSON_GetArraySize(s->results);
	app_clamp_list(n, r.h, &s->sel, &s->top);
	int wide = r.w >= 70;
	int pricew = 11, catw = wide ? 16 : 0;
	for (int i = 0; i < r.h && s->top + i < n; i++) {
		const cJSON *p = cJSON_GetArrayItem(s->results, s->top + i);
		int sel = s->top + i == s->sel;
		enum ui_role role = sel ? (focused ? UI_SELECTED : UI_SELECTED_DIM) : UI_NORMAL;
		int y = r.y + i;
		ui_fill(y, r.x, r.w, role);
		char num[16], price[MONEY_BUFSZ];
		snprintf(num, sizeof num, "%2d.", s->offset + s->top + i + 1);
		int x = r.x + ui_text(y, r.x, 4, num, role) + 1;
		int titlew = r.w - (x - r.x) - pricew - catw - 1;
		ui_text(y, x, titlew, json_str(p, "title"), role);
		if (wide)
			ui_text(y, r.x + r.w - pricew - catw, catw - 1, json_str(p, "category"),
				sel ? role : UI_DIM);
		money_format(json_int(p, "price_cents"), price, sizeof price);
		if (json_int(p, "stock") <= 0)
			snprintf(price, sizeof price, "sold out");
		ui_text_right(y, r.x + r.w - pricew, pricew, price, sel ? role : UI_PRICE);
	}
}

void search_draw(struct app *a, struct rect r, int focused)
{
	struct search_state *s = &a->search;
	char title[600];
	if (s->from_buddy)
		snprintf(title, sizeof title, "Found by the buddy%s%s", s->q[0] ? ": " : "", s->q);
	else if (s->q[0])
		snprintf(title, sizeof title, "Search: %s", s->q);
	else
		snprintf(title, sizeof title, "Products");
	struct rect in = ui_box(r, title, focused);
	if (in.h < 4)
		return;
	/* the search box */
	ui_text(in.y, in.x, 2, "/", UI_KEY);
	if (s->editing) {
		int cx;
		form_field_draw(&s->query, in.y, in.x + 2, in.w - 2, 1, &cx);
		a->cursor_y = in.y;
		a->cursor_x = cx;
	} else {
		ui_text(in.y, in.x + 2, in.w - 2, s->q[0] ? s->q : "type / to search", s->q[0] ? UI_NORMAL : UI_DIM);
	}
	char sum[300];
	filter_summary(s, sum, sizeof sum);
	ui_text(in.y + 1, in.x, in.w, sum, UI_DIM);
	struct rect list = { in.y + 3, in.x, in.h - 3, in.w };
	if (s->filtering) {
		int cy, cx;
		ui_text(in.y + 2, in.x, in.w, "Filters (Enter applies, Esc cancels)", UI_BUDDY);
		form_draw(&s->filters, list.y, list.x, list.w, 12, focused, &cy, &cx);
		if (cy >= 0) {
			a->cursor_y = cy;
			a->cursor_x = cx;
		}
		return;
	}
	int n = cJSON_GetArraySize(s->results);
	if (s->loading)
		ui_text(in.y + 2, in.x, in.w, "Searching...", UI_DIM);
	else if (s->results && n == 0)
		ui_text(in.y + 2, in.x, in.w, "No products match.", UI_DIM);
	else if (s->results)
		ui_textf(in.y + 2, in.x, in.w, UI_DIM, "%d-%d of %d", s->offset + 1, s->offset + n,
			 s->total > n ? s->total : s->offset + n);
	draw_rows(a, list, focused);
}

static void page(struct app *a, int dir)
{
	struct search_state *s = &a->search;
	if (s->from_buddy)
		return;
	int off = s->offset + dir * PAGE_SIZE;
	if (off < 0 || (dir > 0 && off >= s->total))
		return;
	s->offset = off;
	search_run(a);
}

static int editing_key(struct app *a, int is_key, wint_t key)
{
	struct search_state *s = &a->search;
	if ((!is_key && key == '\t') || (is_key && key == KEY_BTAB)) {
		s->editing = 0;
		return 0; /* the pane switch */
	}
	switch (form_field_key(&s->query, is_key, key)) {
	case FORM_SUBMIT:
		form_field_utf8(&s->query, s->q, sizeof s->q);
		s->editing = 0;
		s->offset = 0;
		search_run(a);
		return 1;
	case FORM_CANCEL:
		s->editing = 0;
		return 1;
	case FORM_HANDLED:
		return 1;
	default:
		return is_key && (key == KEY_UP || key == KEY_DOWN) ? 0 : 1;
	}
}

static int filter_key(struct app *a, int is_key, wint_t key)
{
	struct search_state *s = &a->search;
	if ((!is_key && key == '\t') || (is_key && key == KEY_BTAB))
		return 0;
	switch (form_key(&s->filters, is_key, key)) {
	case FORM_SUBMIT:
		if (apply_filters(a) == 0) {
			s->filtering = 0;
			s->offset = 0;
			search_run(a);
		}
		return 1;
	case FORM_CANCEL:
		s->filtering = 0;
		return 1;
	default:
		return 1;
	}
}

static void open_filters(struct app *a)
{
	struct search_state *s = &a->search;
	char buf[MONEY_BUFSZ];
	form_field_set(&s->filter_fields[FL_MIN],
		       s->min_cents >= 0 ? money_format(s->min_cents, buf, sizeof buf) : "");
	form_field_set(&s->filter_fields[FL_MAX],
		       s->max_cents >= 0 ? money_format(s->max_cents, buf, sizeof buf) : "");
	s->filter_fields[FL_SORT].choice = s->sort;
	struct form_field *c = &s->filter_fields[FL_CATEGORY];
	c->choice = 0;
	for (int i = 1; i < c->nchoices; i++)
		if (strcmp(c->choices[i], s->category) == 0)
			c->choice = i;
	s->filters.focus = 0;
	s->filtering = 1;
	if (s->ncategories == 0)
		app_request(a, TAG_CATEGORIES, "GET", "/api/v1/categories");
}

int search_key(struct app *a, int is_key, wint_t key)
{
	struct search_state *s = &a->search;
	if (s->editing)
		return editing_key(a, is_key, key);
	if (s->filtering)
		return filter_key(a, is_key, key);
	int n = cJSON_GetArraySize(s->results);
	if (app_list_key(is_key, key, n, a->main.h - 6, &s->sel))
		return 1;
	const cJSON *p = cJSON_GetArrayItem(s->results, s->sel);
	int enter = (!is_key && (key == '\r' || key == '\n' || key == 'l')) ||
		    (is_key && (key == KEY_ENTER || key == KEY_RIGHT));
	if (enter && p) {
		product_open(a, json_int(p, "id"), p);
		return 1;
	}
	if (is_key)
		return 0;
	switch (key) {
	case 'a':
		if (p)
			cart_add(a, json_int(p, "id"), 1, json_str(p, "title"));
		return 1;
	case 'f':
		open_filters(a);
		return 1;
	case 'n':
		page(a, 1);
		return 1;
	case 'p':
		page(a, -1);
		return 1;
	case 'r':
		search_run(a);
		return 1;
	}
	return 0;
}
