/*
 * fuzz_state.c - libFuzzer harness: the stored dialogue state loader
 * (server/buddy/state_io.c, buddy_state_load), which reads conversations.state text
 * from the database when a conversation is resumed.  Whatever the text, loading
 * must not crash; a state that loads must save, and what it saves must load again
 * and save to the same text (the loader keeps nothing it would not write back).
 */
#include "buddy/buddy.h"
#include "fuzz_text.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The catalog: every id not divisible by 3 is a product (so some ids are "gone"). */
static cJSON *product(void *ctx, int64_t id)
{
	(void)ctx;
	if (id % 3 == 0)
		return NULL;
	cJSON *p = cJSON_CreateObject();
	char title[48];
	snprintf(title, sizeof title, "Product %lld", (long long)id);
	cJSON_AddNumberToObject(p, "id", (double)id);
	cJSON_AddStringToObject(p, "title", title);
	cJSON_AddNumberToObject(p, "price_cents", (double)(id % 10000));
	cJSON_AddNumberToObject(p, "stock", 5);
	cJSON_AddNumberToObject(p, "quantity", 1);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct buddy_state *st = buddy_state_load(text, product, NULL);
	free(text);
	if (!st)
		return 0;
	char *once = buddy_state_save(st);
	buddy_state_free(st);
	if (!once)
		return 0;
	st = buddy_state_load(once, product, NULL);
	if (!st)
		abort(); /* what it saved does not load */
	char *twice = buddy_state_save(st);
	buddy_state_free(st);
	if (!twice || strcmp(once, twice) != 0)
		abort(); /* saving a loaded state changed it */
	free(once);
	free(twice);
	return 0;
}
