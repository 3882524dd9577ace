/*
 * voice.h - the buddy's connection and the audio for voxcart-tui.
 *
 * Wraps buddy_client.h (the WebSocket on its own thread) and audio_io.h (microphone
 * and speaker, or WAV files) so that the UI thread only ever queues work and reads
 * events: the client's callbacks copy each event into a struct voice_event and post
 * it through a pipe that the UI polls beside stdin, as the REST worker does.  Speech
 * frames go straight from the client thread to the audio player.  The UI thread owns
 * struct voice; it is freed with voice_stop().
 */
#ifndef VOXCART_TUI_VOICE_H
#define VOXCART_TUI_VOICE_H

#include <stdint.h>

#include <cJSON.h>

enum voice_event_type {
	VOICE_READY,       /* connected; text is the user's email */
	VOICE_TRANSCRIPT,  /* text, final */
	VOICE_DELTA,       /* a piece of the reply (text) */
	VOICE_ACTION,      /* name, result (owned), summary in text */
	VOICE_DONE,        /* the turn ended; text is the whole reply */
	VOICE_ERROR,       /* code, text */
	VOICE_CLOSED,      /* the connection ended; text says why; code the close code */
	VOICE_MIC_DONE,    /* the input file ran out: the audio turn was stopped */
	VOICE_AUDIO_ERROR, /* text says why */
};

struct voice_event {
	enum voice_event_type type;
	uint32_t turn;
	int final;
	int cancelled;
	int code;
	char *text;        /* owned; never NULL */
	char name[64];     /* action name */
	char err_code[64];
	cJSON *result;     /* action result; owned */
	cJSON *args;       /* action args; owned */
};

struct voice_opts {
	const char *server;      /* base URL */
	const char *input_wav;   /* NULL: the microphone */
	const char *output_wav;  /* NULL: the speaker */
	int speech;              /* ask for speech audio */
	int no_aec;              /* no echo cancellation (also VOXCART_NO_AEC=1) */
};

struct voice;

/* Starts connecting with token (copied; the connection runs on its own thread and
 * reports VOICE_READY or VOICE_CLOSED).  NULL and err filled on failure. */
struct voice *voice_start(const struct voice_opts *opts, const char *token, char *err,
			  size_t errlen);
void voice_stop(struct voice *v);
/* The same on a thread of its own, so the UI does not wait for the connection to
 * close; v must not be used any more.  (At exit use voice_stop: it waits for the
 * --output file to be finished.) */
void voice_stop_async(struct voice *v);

/* The read end of the event pipe, for poll(). */
int voice_fd(const struct voice *v);
/* The next event, or NULL.  Free with voice_event_free(). */
struct voice_event *voice_take(struct voice *v);
void voice_event_free(struct voice_event *ev);

/* Sends typed text as a turn; returns its id or 0. */
uint32_t voice_say(struct voice *v, const char *text);
/* The talk key: starts an audio turn (interrupting speech that plays) or, while
 * one is going, ends it.  Returns 1 when now listening, 0 when stopped, -1 with err
 * filled when the audio cannot start. */
int voice_talk(struct voice *v, char *err, size_t errlen);
/* Stops the speech that plays and cancels its turn on the server (barge-in by key). */
void voice_interrupt(struct voice *v);

/* Hands-free on or off: the microphone stays open and a pause ends each turn (the
 * talk key stops it).  0, or -1 with err filled when it cannot start. */
int voice_handsfree(struct voice *v, int on, char *err, size_t errlen);
int voice_is_handsfree(const struct voice *v);
/* 1 while hands-free hears speech (the VAD is inside an utterance). */
int voice_hearing(const struct voice *v);

int voice_listening(const struct voice *v);
/* 1 while the buddy's speech plays. */
int voice_speaking(const struct voice *v);
/* Microphone level 0..1 (peak of the last frames, decaying). */
double voice_level(const struct voice *v);
/* 1 once ready came. */
int voice_ready(const struct voice *v);
/* 1 when audio (the device or the files) is usable; err says why not. */
int voice_audio_ok(const struct voice *v, char *err, size_t errlen);

#endif
