/*
 * audio_io.h - the clients' audio: where microphone audio comes from, where the
 * buddy's speech goes, and the player between the WebSocket and the speaker.  Used by
 * voxcart (chat --speech, talk) and voxcart-tui; nothing here prints.
 *
 * Devices and files go through one code path:
 *   source  the PortAudio microphone, or an audio file (anything libsndfile reads,
 *           mixed to mono and resampled), handed out in 20 ms frames either paced in
 *           real time or as fast as the caller reads (tests, --fast);
 *   sink    the PortAudio speaker, or a 16-bit mono WAV file (paced in real time or
 *           written as fast as frames come).
 * Devices that do not offer the rate asked for are opened at 48 or 44.1 kHz and
 * resampled (speexdsp), so callers always see the rate they asked for.
 *
 * The player takes the server's 0x02 speech frames from any thread (normally the
 * buddy client's thread), orders them in a jitter buffer (jitter.h), decodes them
 * (Opus packet-loss concealment on a gap) and writes them to its sink on its own
 * playback thread.  It reports how much of the current turn has been played, so a
 * UI can show text in step with speech, and whether speech is playing (to gate the
 * microphone while the buddy talks when there is no echo cancellation).
 *
 * Echo cancellation (aec.h) joins the two ends: the player hands what it writes to
 * its sink to the canceller as the far end (resampled to AEC_RATE), and the source
 * runs every frame it reads through it, so what the caller gets has the buddy's own
 * speech removed (and the noise suppressed).  With files the same happens: the
 * speech written to the --output file is the far end, the --input file the
 * microphone.
 *
 * Threads: a source and a sink are used by one thread at a time.  Every
 * audio_player_* function is thread-safe.  Messages in err are sentences for people:
 *   "no sound device found; use --input FILE.wav / --output FILE.wav"
 *   "the sound device is busy (another program is using it)"
 *   "x.wav: not a WAV/audio file"
 * While PortAudio starts, stderr is silenced (its ALSA back end prints probing noise
 * there) unless the log level is debug.
 */
#ifndef VOXCART_AUDIO_IO_H
#define VOXCART_AUDIO_IO_H

#include <stddef.h>
#include <stdint.h>

#include "aec.h"
#include "frame.h"
#include "jitter.h"

#define AUDIO_MIC_RATE 16000    /* uplink rate the clients announce */
#define AUDIO_SPEECH_RATE 24000 /* the server's usual downlink rate */

/* ---- sources ---- */

struct audio_source;

/* The default input device, mono, at rate.  NULL and err when there is none, it is
 * busy, or it cannot be opened. */
struct audio_source *audio_source_mic(int rate, char *err, size_t errlen);
/* The file at path, read whole, as mono at rate.  realtime: frames are handed out
 * 20 ms apart (like a microphone); otherwise as fast as they are read. */
struct audio_source *audio_source_file(const char *path, int rate, int realtime, char *err,
				       size_t errlen);
/* Reads the next 20 ms frame (rate / 50 samples) into pcm.  Returns 1 with a frame
 * (the file's last one padded with silence), 0 at the end of a file, -2 when the
 * microphone had nothing within timeout_ms (< 0 waits as long as it takes), or -1 on
 * a device error (err filled). */
int audio_source_read(struct audio_source *s, int16_t *pcm, int timeout_ms, char *err,
		      size_t errlen);
/* Runs every frame read from now on through a (echo cancellation and noise
 * suppression), telling it how old each frame is (the device's input latency and
 * what waited in the ring).  a works at AEC_RATE in AEC_FRAME frames; a source at
 * another rate is left as it is (-1).  NULL stops.  The caller keeps a.  0 ok. */
int audio_source_set_aec(struct audio_source *s, struct aec *a);
/* Drops what the microphone captured and nobody read yet (e.g. while muted). */
void audio_source_flush(struct audio_source *s);
int audio_source_rate(const struct audio_source *s);
/* 1 for a file source. */
int audio_source_is_file(const struct audio_source *s);
/* Length of a file source in milliseconds (0 for the microphone). */
uint64_t audio_source_duration_ms(const struct audio_source *s);
void audio_source_close(struct audio_source *s);

/* ---- sinks ---- */

struct audio_sink;

/* The default output device, mono, at rate. */
struct audio_sink *audio_sink_speaker(int rate, char *err, size_t errlen);
/* A 16-bit mono WAV at rate; realtime paces writes to 20 ms per frame. */
struct audio_sink *audio_sink_file(const char *path, int rate, int realtime, char *err,
				   size_t errlen);
/* Plays or writes n samples (normally one 20 ms frame).  A speaker blocks until the
 * device has room.  0 ok, -1 error (err filled). */
int audio_sink_write(struct audio_sink *k, const int16_t *pcm, size_t n, char *err,
		     size_t errlen);
/* Milliseconds between audio_sink_write() and the sound leaving the speaker (the
 * device's output latency; 0 for a file). */
unsigned audio_sink_latency_ms(const struct audio_sink *k);
int audio_sink_rate(const struct audio_sink *k);
/* Plays out what is queued (speaker) or finishes the WAV header (file), then frees
 * k.  0 ok, -1 and err when the file could not be completed.  NULL is a no-op. */
int audio_sink_close(struct audio_sink *k, char *err, size_t errlen);

/* ---- the player ---- */

struct audio_player;

/* Called on the playback thread after each 20 ms of a turn went to the sink;
 * played_ms counts from the start of that turn, minus the sink's latency. */
typedef void (*audio_played_fn)(void *user, uint32_t turn, uint32_t played_ms);

/* Called on the playback thread once the speech of turn is over: its last frame (or
 * the last one announced by audio_player_expect_end) went to the sink, or the turn was
 * cancelled (audio_player_cancel: turn and every older one).  Each turn is told at
 * most once, in increasing order. */
typedef void (*audio_ended_fn)(void *user, uint32_t turn);

/* A player decoding Opus at rate (the ready event's speech rate) into sink, which it
 * takes over (closed by audio_player_close).  jcfg NULL: jitter defaults.  on_played
 * may be NULL.  NULL and err on failure (sink is then closed too). */
struct audio_player *audio_player_new(struct audio_sink *sink, int rate,
				      const struct jitter_config *jcfg,
				      audio_played_fn on_played, void *user,
				      char *err, size_t errlen);
/* Sets the callback for the end of a turn's speech (NULL: none); it gets the user
 * given to audio_player_new.  Set it before the first push. */
void audio_player_on_ended(struct audio_player *p, audio_ended_fn on_ended);
/* Offers one parsed 0x02 frame (payload copied).  Returns the jitter verdict. */
enum jitter_push_result audio_player_push(struct audio_player *p, const struct proto_frame *f);
/* The turn has total frames in all (reply.done's speech_frames). */
void audio_player_expect_end(struct audio_player *p, uint32_t turn, uint32_t total);
/* Barge-in: stops turn (and older ones) at once, also frames still to come. */
void audio_player_cancel(struct audio_player *p, uint32_t turn);
/* 1 while a turn is playing or waiting for its next frame. */
int audio_player_busy(struct audio_player *p);
/* Waits until the current turn has been played to its end (its last frame, or the
 * count given to audio_player_expect_end), or timeout_ms passed (< 0: no limit).
 * 1 done, 0 timed out. */
int audio_player_wait_done(struct audio_player *p, int timeout_ms);
/* The turn playing (or last played) and how far: played_ms as in audio_played_fn.
 * 0 when nothing has been played yet. */
int audio_player_position(struct audio_player *p, uint32_t *turn, uint32_t *played_ms);
/* The jitter buffer's counters (gaps = frames concealed). */
void audio_player_stats(struct audio_player *p, struct jitter_stats *st);
/* Hands every sample written to the sink from now on to a as the far end
 * (aec_playback, resampled to AEC_RATE); NULL stops.  The caller keeps a, and
 * detaches it (or closes the player) before freeing it.  0, or -1 out of memory. */
int audio_player_set_aec(struct audio_player *p, struct aec *a);
/* Stops the playback thread (frames not yet played are dropped: wait first if they
 * matter), closes the sink and frees p.  0 ok, -1 and err when the sink could not be
 * finished (a WAV write error).  NULL is a no-op returning 0. */
int audio_player_close(struct audio_player *p, char *err, size_t errlen);

#endif
