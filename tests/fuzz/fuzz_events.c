/*
 * fuzz_events.c - libFuzzer harness: the buddy WebSocket's event decoder that every
 * client runs on what a server sends (shared/proto/events.c, buddy_event_decode, and
 * the buddy client's buddy_event_parse on top of it).  A client must survive any
 * server: each decoded string must be a readable NUL-terminated string, the JSON
 * pointers inside the message.
 */
#include "buddy_client.h"
#include "events.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t touch(const char *s)
{
	if (!s)
		abort(); /* strings are never NULL */
	return strlen(s);
}

static size_t check(const struct buddy_event *ev)
{
	size_t n = touch(ev->type_name) + touch(ev->text) + touch(ev->name) + touch(ev->code) +
		   touch(ev->message) + touch(ev->session) + touch(ev->voice);
	if (ev->args)
		n += (size_t)cJSON_IsObject(ev->args);
	if (ev->result)
		n += (size_t)cJSON_GetArraySize(ev->result);
	if (ev->user)
		n += (size_t)cJSON_IsObject(ev->user);
	return n + ev->turn + ev->seq + ev->speech_frames + (size_t)ev->speech_rate;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buddy_event ev;
	size_t sum = 0;
	if (buddy_event_decode((const char *)data, size, &ev) == 0) {
		sum += check(&ev);
		buddy_event_free(&ev);
	} else if (ev.json || ev.type != BUDDY_EV_UNKNOWN) {
		abort(); /* a refused message leaves *ev zeroed */
	}
	if (buddy_event_parse((const char *)data, size, &ev) == 0) {
		sum += check(&ev);
		buddy_event_free(&ev);
	}
	return sum == (size_t)-1;
}
