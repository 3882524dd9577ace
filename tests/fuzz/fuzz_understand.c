/*
 * fuzz_understand.c - libFuzzer harness: the buddy's understanding parser
 * (server/buddy/understand.c, und_parse), which reads whatever a shopper types or
 * the recogniser hears.  Any bytes, no NUL inside (the callers pass C strings).
 */
#include "buddy/understand.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4000) /* the longest utterance buddy_ws and REST accept */
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	static struct und_result r; /* large: not on the stack */
	und_parse(text, &r);
	for (int i = 0; i < r.n; i++) {
		const char *name = und_intent_name(r.cmd[i].intent);
		if (!name)
			abort();
		for (int k = 0; k < r.cmd[i].nitems && k < UND_MAX_ITEMS; k++)
			(void)und_item_has_ref(&r.cmd[i].items[k]);
	}
	static struct text_words t;
	und_clean(text, &t);
	free(text);
	return 0;
}
