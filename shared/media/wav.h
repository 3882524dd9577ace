/*
 * wav.h - reading audio files into 16-bit mono PCM, and writing 16-bit mono WAV,
 * through libsndfile.  Used for `--input FILE.wav` / `--output FILE.wav` in the
 * clients and by tests.
 *
 * Reading accepts anything libsndfile opens (WAV in 8/16/24/32-bit integer or float,
 * AIFF, FLAC, ...): channels are mixed down to mono by averaging, samples are
 * clipped to int16, and the audio is resampled to the rate asked for.
 */
#ifndef VOXCART_WAV_H
#define VOXCART_WAV_H

#include <stddef.h>
#include <stdint.h>

/* Longest file wav_read_mono16() accepts, so a hostile file cannot ask for
 * gigabytes. */
#define WAV_MAX_SECONDS 600

/* Reads the file at path as mono int16 at target_rate (> 0).  On success returns 0,
 * *pcm is malloc'd (caller frees; NULL never returned on success) holding *n samples.
 * On failure returns -1 and err says why in words a user understands:
 * "PATH: no such file", "PATH: not a WAV/audio file", "PATH: empty", "PATH: too long
 * (over 600 s)", ... */
int wav_read_mono16(const char *path, int target_rate, int16_t **pcm, size_t *n,
		    char *err, size_t errlen);

struct wav_writer;

/* Creates (truncates) a 16-bit PCM mono WAV file at rate.  NULL and err on failure.
 * The caller owns the writer and must wav_writer_close() it (that finishes the
 * header). */
struct wav_writer *wav_writer_open(const char *path, int rate, char *err, size_t errlen);
/* Appends n samples.  0 on success, -1 on a write error. */
int wav_writer_write(struct wav_writer *w, const int16_t *pcm, size_t n);
/* Samples written so far. */
size_t wav_writer_samples(const struct wav_writer *w);
/* Finishes the file and frees w.  0 on success, -1 when the file could not be
 * completed.  NULL is a no-op returning 0. */
int wav_writer_close(struct wav_writer *w);

#endif
