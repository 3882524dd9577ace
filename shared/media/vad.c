/*
 * vad.c - energy VAD with an adaptive noise floor (see vad.h).
 *
 * State machine: SILENCE -> (onset_ms voiced) -> SPEECH -> (end_silence_ms
 * unvoiced) -> SILENCE.  Durations are counted in milliseconds from each frame's
 * sample count, so frames of any length work.  The floor starts unknown and is set
 * by the first frame; it is clamped to [-96, -10] dBFS.
 */
#include "vad.h"

#include <math.h>
#include <stdlib.h>

#define FLOOR_MIN_DB  -96.0f
#define FLOOR_MAX_DB  -10.0f
#define FLOOR_DOWN     0.30f   /* per-frame pull towards a lower level */
#define FLOOR_UP       0.02f   /* per-frame pull towards a higher quiet level */
#define FLOOR_CREEP    0.004f  /* per-frame pull during speech (~5 s time constant) */

struct vad {
	struct vad_config cfg;
	int floor_known;
	float floor_db, level_db;
	int in_speech, barged;
	unsigned voiced_run_ms;  /* consecutive voiced ms (onset detection) */
	unsigned silence_run_ms; /* consecutive unvoiced ms inside speech */
	unsigned speech_ms;      /* voiced ms in the current utterance */
};

void vad_config_default(struct vad_config *c)
{
	c->sample_rate = 16000;
	c->end_silence_ms = 500;
	c->min_speech_ms = 300;
	c->onset_ms = 60;
	c->threshold_db = 10.0f;
	c->min_level_db = -50.0f;
}

static void fill_defaults(struct vad_config *c)
{
	struct vad_config d;

	vad_config_default(&d);
	if (c->sample_rate <= 0)
		c->sample_rate = d.sample_rate;
	if (c->end_silence_ms == 0)
		c->end_silence_ms = d.end_silence_ms;
	if (c->min_speech_ms == 0)
		c->min_speech_ms = d.min_speech_ms;
	if (c->onset_ms == 0)
		c->onset_ms = d.onset_ms;
	if (c->threshold_db <= 0.0f)
		c->threshold_db = d.threshold_db;
	if (c->min_level_db == 0.0f)
		c->min_level_db = d.min_level_db;
}

struct vad *vad_new(const struct vad_config *cfg)
{
	struct vad *v = calloc(1, sizeof *v);

	if (!v)
		return NULL;
	if (cfg)
		v->cfg = *cfg;
	fill_defaults(&v->cfg);
	vad_reset(v, 0);
	return v;
}

void vad_free(struct vad *v)
{
	free(v);
}

void vad_reset(struct vad *v, int keep_floor)
{
	if (!v)
		return;
	if (!keep_floor) {
		v->floor_known = 0;
		v->floor_db = FLOOR_MIN_DB;
	}
	v->level_db = FLOOR_MIN_DB;
	v->in_speech = v->barged = 0;
	v->voiced_run_ms = v->silence_run_ms = v->speech_ms = 0;
}

float vad_frame_db(const int16_t *pcm, size_t n)
{
	double sum = 0.0, ms;

	if (!pcm || n == 0)
		return FLOOR_MIN_DB;
	for (size_t i = 0; i < n; i++)
		sum += (double)pcm[i] * pcm[i];
	ms = sum / (double)n / (32768.0 * 32768.0);
	if (ms < 1e-10)
		return FLOOR_MIN_DB;
	return (float)(10.0 * log10(ms));
}

static void update_floor(struct vad *v, float level, int voiced)
{
	float rate;

	if (!v->floor_known) {
		v->floor_db = level;
		v->floor_known = 1;
	} else {
		if (level < v->floor_db)
			rate = FLOOR_DOWN;
		else
			rate = (voiced || v->in_speech) ? FLOOR_CREEP : FLOOR_UP;
		v->floor_db += rate * (level - v->floor_db);
	}
	if (v->floor_db < FLOOR_MIN_DB)
		v->floor_db = FLOOR_MIN_DB;
	if (v->floor_db > FLOOR_MAX_DB)
		v->floor_db = FLOOR_MAX_DB;
}

/* Advances the state machine by one frame of dur_ms. */
static enum vad_event step(struct vad *v, int voiced, unsigned dur_ms)
{
	if (!v->in_speech) {
		v->voiced_run_ms = voiced ? v->voiced_run_ms + dur_ms : 0;
		if (v->voiced_run_ms >= v->cfg.onset_ms) {
			v->in_speech = 1;
			v->barged = 0;
			v->speech_ms = v->voiced_run_ms;
			v->silence_run_ms = 0;
			return VAD_START;
		}
		return VAD_NONE;
	}
	if (voiced) {
		v->speech_ms += dur_ms;
		v->silence_run_ms = 0;
	} else {
		v->silence_run_ms += dur_ms;
		if (v->silence_run_ms >= v->cfg.end_silence_ms) {
			v->in_speech = 0;
			v->voiced_run_ms = 0;
			return VAD_END;
		}
	}
	if (!v->barged && v->speech_ms >= v->cfg.min_speech_ms) {
		v->barged = 1;
		return VAD_BARGE_IN;
	}
	return VAD_NONE;
}

enum vad_event vad_process(struct vad *v, const int16_t *pcm, size_t n)
{
	float level;
	int voiced;
	unsigned dur_ms;

	if (!v || !pcm || n == 0)
		return VAD_NONE;
	dur_ms = (unsigned)((n * 1000 + (size_t)v->cfg.sample_rate / 2) / (size_t)v->cfg.sample_rate);
	level = vad_frame_db(pcm, n);
	v->level_db = level;
	/* The first frame only teaches the floor: nothing to compare it with yet. */
	voiced = v->floor_known && level >= v->cfg.min_level_db &&
		 level >= v->floor_db + v->cfg.threshold_db;
	update_floor(v, level, voiced);
	return step(v, voiced, dur_ms);
}

int vad_in_speech(const struct vad *v)
{
	return v && v->in_speech;
}

unsigned vad_speech_ms(const struct vad *v)
{
	return v ? v->speech_ms : 0;
}

float vad_level_db(const struct vad *v)
{
	return v ? v->level_db : FLOOR_MIN_DB;
}

float vad_floor_db(const struct vad *v)
{
	return v ? v->floor_db : FLOOR_MIN_DB;
}
