/*
 * aec.h - acoustic echo cancellation and noise suppression for the microphone, on
 * speexdsp (speex_echo + speex_preprocess), so the buddy does not hear itself.
 *
 * The far end (the reference) is what was sent to the speaker, at the AEC's rate
 * (16 kHz mono: the player resamples its 24 kHz speech).  The near end is what the
 * microphone picked up, one frame at a time.  aec_capture() pairs each near frame
 * with the far samples that were playing when it was captured, removes their echo
 * with speex's adaptive filter (tail_ms long), then runs speex's preprocessor on the
 * result: noise suppression, and residual echo suppression driven by the echo
 * canceller's state.
 *
 * Alignment.  The far samples wait in a FIFO, each run of them stamped with the time
 * it plays: a run plays when it is handed over, or right after the run before it if
 * that is still playing (a device queues what it is given; a blocking write keeps the
 * producer at most one device buffer ahead, so the stamps follow the device's own
 * clock).  A near frame is taken to end delay_ms before it is processed (the input
 * latency of the device plus what was waiting to be read: aec_set_delay_ms).  At the
 * start of a far run the FIFO is aligned by these times (silence first if the far end
 * starts later, stale samples dropped if it started earlier); while the far end keeps
 * playing, frames are paired by sample count, so thread scheduling jitter does not
 * move the echo under the filter, and only a drift of more than 40 ms realigns.
 * When nothing plays the far end is silence.
 *
 * Threads: aec_playback() may run on one thread (the player's) while aec_capture()
 * runs on another (the capture loop): the FIFO and the delay are under a mutex, the
 * speex states belong to the capturing thread.  aec_set_delay_ms() and
 * aec_set_clock() may be called from any thread; aec_reset() and aec_free() only when
 * no capture is running.
 */
#ifndef VOXCART_AEC_H
#define VOXCART_AEC_H

#include <stddef.h>
#include <stdint.h>

#define AEC_RATE 16000       /* the microphone's rate */
#define AEC_FRAME 320        /* 20 ms at 16 kHz */
#define AEC_TAIL_MS 200      /* echo path length the filter covers */

struct aec;

/* A canceller for frames of frame samples at sample_rate, covering echoes up to
 * tail_ms long.  NULL on bad arguments or out of memory. */
struct aec *aec_new(int sample_rate, int frame, unsigned tail_ms);
void aec_free(struct aec *a);

/* Forgets the echo path learnt and the far end queued. */
void aec_reset(struct aec *a);

/* How long before aec_capture() a near frame's last sample was picked up (input
 * latency plus what waited to be read).  Default 0. */
void aec_set_delay_ms(struct aec *a, unsigned ms);

/* The clock the stamps use, in seconds (default CLOCK_MONOTONIC).  Tests and
 * simulations give their own, advanced in step with the audio. */
typedef double (*aec_clock_fn)(void *user);
void aec_set_clock(struct aec *a, aec_clock_fn fn, void *user);

/* n samples of the far end, as they are handed to the speaker. */
void aec_playback(struct aec *a, const int16_t *far, size_t n);

/* One near frame (frame samples) in, the echo-cancelled, noise-suppressed frame out
 * (out may be near). */
void aec_capture(struct aec *a, const int16_t *near, int16_t *out);

/* 1 when the far end of the last frame captured carried sound (the speaker played
 * something the microphone may hear). */
int aec_far_active(const struct aec *a);

/* 1 once the filter has learnt the echo path: it removed 12 dB of the microphone
 * over about 200 ms of far-end sound, or the far end has sounded for 2 s in all
 * (headphones: nothing to learn).  Until then the echo may still be loud enough to
 * look like speech, so a client does not let the voice interrupt the buddy. */
int aec_converged(const struct aec *a);

#endif
