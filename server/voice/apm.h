/*
 * apm.h - WebRTC's audio processing module (Debian's libwebrtc-audio-processing,
 * C++) behind a C interface: high-pass filter, noise suppression and adaptive
 * digital gain with its limiter, on 16 kHz mono int16 in 10 ms frames.  No echo
 * cancellation: the server hears only the shopper's uplink.
 *
 * Used by clean.c when [voice] cleaner = webrtc.  One instance per utterance
 * stream (a session's turn), never shared between threads: the module keeps its
 * noise estimate and gain inside.
 */
#ifndef VOXCART_APM_H
#define VOXCART_APM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APM_RATE  16000
#define APM_FRAME 160 /* 10 ms */

struct apm_config {
	int highpass;        /* 1: the module's high-pass filter */
	int ns_level;        /* noise suppression: 0 off, 1 low, 2 moderate, 3 high, 4 very high */
	int agc_gain_db;     /* adaptive digital gain's most gain, dB (0..90); -1: gain off */
	int agc_target_dbfs; /* the level the gain aims at, dB below full scale (0..31) */
};

struct apm;

/* Fills c with the defaults: high-pass on, noise suppression high, gain up to 9 dB
 * aiming at -3 dBFS (measured: tests/bench/voice_apm_compare.sh). */
void apm_config_default(struct apm_config *c);
/* NULL on bad settings or when the module cannot be made (err says why). */
struct apm *apm_new(const struct apm_config *c, char *err, size_t errlen);
void apm_free(struct apm *a);
/* Processes one APM_FRAME-sample frame in place.  0, or -1 (the frame is left as
 * it was). */
int apm_process(struct apm *a, int16_t *frame);

#ifdef __cplusplus
}
#endif

#endif
