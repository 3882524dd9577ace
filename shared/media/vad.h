/*
 * vad.h - energy-based voice activity detection on 16-bit mono frames (20 ms).
 *
 * Each frame's level (RMS, dBFS) is compared with an adaptive noise floor: a frame
 * is voiced when it is threshold_db above the floor and above an absolute minimum.
 * The floor follows quiet frames quickly downwards and slowly upwards, and creeps
 * up even during "speech" so a steady new noise (a fan switched on) is learnt as
 * background within a few seconds instead of holding the detector open.
 *
 * Events, at most one per frame:
 *   VAD_START    onset_ms of voiced frames in a row: an utterance began;
 *   VAD_BARGE_IN the utterance has lasted min_speech_ms (once per utterance): long
 *                enough to interrupt the buddy (a cough or click is not);
 *   VAD_END      end_silence_ms of unvoiced frames after speech: end of utterance.
 *
 * One detector per audio stream, one thread at a time; caller owns it.
 */
#ifndef VOXCART_VAD_H
#define VOXCART_VAD_H

#include <stddef.h>
#include <stdint.h>

struct vad_config {
	int sample_rate;         /* default 16000 */
	unsigned end_silence_ms; /* trailing silence that ends an utterance (500) */
	unsigned min_speech_ms;  /* speech needed for VAD_BARGE_IN (300) */
	unsigned onset_ms;       /* voiced run that starts an utterance (60) */
	float threshold_db;      /* above the noise floor to count as voiced (10) */
	float min_level_db;      /* absolute level a voiced frame must reach (-50 dBFS) */
};

enum vad_event { VAD_NONE = 0, VAD_START, VAD_BARGE_IN, VAD_END };

struct vad;

/* Fills cfg with the defaults above. */
void vad_config_default(struct vad_config *cfg);
/* cfg NULL means the defaults; zero fields take their default too. */
struct vad *vad_new(const struct vad_config *cfg);
void vad_free(struct vad *v);
/* Back to the initial state (keeps the learnt noise floor when keep_floor). */
void vad_reset(struct vad *v, int keep_floor);

/* Feeds one frame of n samples (normally 20 ms); returns the event it caused. */
enum vad_event vad_process(struct vad *v, const int16_t *pcm, size_t n);

/* 1 while inside an utterance (between VAD_START and VAD_END). */
int vad_in_speech(const struct vad *v);
/* Voiced milliseconds in the current (or last finished) utterance. */
unsigned vad_speech_ms(const struct vad *v);
/* The last frame's level and the current noise floor, in dBFS (for level meters). */
float vad_level_db(const struct vad *v);
float vad_floor_db(const struct vad *v);

/* RMS level of n samples in dBFS (-96 for silence). */
float vad_frame_db(const int16_t *pcm, size_t n);

#endif
