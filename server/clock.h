/*
 * clock.h - the monotonic clock and this thread's CPU clock in seconds, for timing
 * and deadlines (a leaf: any module may include it without depending on another).
 */
#ifndef VOXCART_CLOCK_H
#define VOXCART_CLOCK_H

#include <time.h>

static inline double clock_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds this thread has used (0 when the clock cannot be read). */
static inline double clock_thread_cpu_s(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
