/*
 * ratelimit.h - per-client token buckets (used on the event-loop thread only).
 *
 * Each client address has a bucket of `burst` tokens refilled at `per_sec` a second;
 * a request takes one.  The table has a fixed size: when it is full, the bucket that
 * was idle longest is reused (an idle bucket is full anyway).
 */
#ifndef VOXCART_RATELIMIT_H
#define VOXCART_RATELIMIT_H

struct ratelimit;

/* per_sec 0 disables limiting (ratelimit_take always allows). */
struct ratelimit *ratelimit_new(int per_sec, int burst);
void ratelimit_free(struct ratelimit *rl);
/* 0 when the request may go ahead; otherwise the seconds to wait (>= 1). */
int ratelimit_take(struct ratelimit *rl, const char *client, double now);
/* 1 when requests are limited at all (the client's address is needed), else 0. */
int ratelimit_on(const struct ratelimit *rl);

#endif
