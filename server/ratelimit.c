/*
 * ratelimit.c - token buckets in a small open-addressed table (see ratelimit.h).
 */
#include "ratelimit.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RL_SLOTS 4096
#define RL_PROBE 16

struct bucket {
	char client[64];
	double tokens;
	double last;
};

struct ratelimit {
	int per_sec, burst;
	struct bucket slots[RL_SLOTS];
};

struct ratelimit *ratelimit_new(int per_sec, int burst)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);
	if (rl) {
		rl->per_sec = per_sec;
		rl->burst = burst > 0 ? burst : (per_sec > 0 ? per_sec : 1);
	}
	return rl;
}

void ratelimit_free(struct ratelimit *rl) { free(rl); }

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int ratelimit_on(const struct ratelimit *rl)
{
	return rl && rl->per_sec > 0;
}

int ratelimit_take(struct ratelimit *rl, const char *client, double now)
{
	if (!rl || rl->per_sec <= 0)
		return 0;
	/* Keys are compared as stored: cut to the slot's size first. */
	char key[sizeof rl->slots[0].client];
	snprintf(key, sizeof key, "%s", client);
	client = key;
	uint32_t h = hash(client);
	struct bucket *b = NULL, *oldest = NULL;
	for (int i = 0; i < RL_PROBE; i++) {
		struct bucket *s = &rl->slots[(h + (uint32_t)i) % RL_SLOTS];
		if (strcmp(s->client, client) == 0) {
			b = s;
			break;
		}
		if (!oldest || s->last < oldest->last)
			oldest = s;
	}
	if (!b) {
		b = oldest;
		snprintf(b->client, sizeof b->client, "%s", client);
		b->tokens = rl->burst;
		b->last = now;
	}
	b->tokens = fmin((double)rl->burst, b->tokens + (now - b->last) * rl->per_sec);
	b->last = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 0;
	}
	int wait = (int)ceil((1.0 - b->tokens) / rl->per_sec);
	return wait < 1 ? 1 : wait;
}
