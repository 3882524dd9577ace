/*
 * turn/run.h - one buddy turn, whatever the transport: an utterance in, the reply
 * out through a sink (turn/sink.h): the WebSocket session (events streamed, speech
 * synthesised sentence by sentence) or the REST collector of POST /buddy/messages
 * (the reply and actions gathered into one answer).
 */
#ifndef VOXCART_TURN_RUN_H
#define VOXCART_TURN_RUN_H

#include "api.h"
#include "turn/sink.h"

struct server;
struct store;
struct buddy_state;
struct tts;

struct buddy_run {
	/* in */
	struct server *srv;
	struct store *db;
	int64_t user_id;
	int64_t conversation_id;
	struct buddy_state *state;
	const struct turn_sink *sink;  /* where the output goes */
	int speech;                    /* the reply is spoken (reply.delta says where) */
	struct tts *tts;               /* ... by this synthesiser (with speech) */
	uint32_t turn;
	double t_start;                /* monotonic seconds when the turn began */
	double asr_ms;
	/* out */
	char *reply;                   /* malloc'd whole reply */
	size_t reply_len, reply_cap;
	int delta_seq;
	int speech_frames;
	double first_speech_ms;        /* the first speech frame handed to the socket */
	double first_text_ms;          /* the first reply text (understanding done) */
	double first_packet_ms;        /* the first speech packet synthesised and encoded */
	double cpu_start;              /* buddy_thread_cpu() when the turn's job began; 0 unknown */
	double asr_cpu_ms;             /* this thread's CPU for recognition after audio.stop */
	double first_speech_cpu_ms;    /* ... and up to the first speech frame */
	int cancelled;
	/* speech */
	size_t spoken_upto;            /* reply bytes already sent to synthesis */
	unsigned char *held;           /* last speech packet, held back to flag it last */
	size_t held_len;
};

/* Runs the turn (understanding, tools, events, storage).  Returns 0. */
int buddy_run_turn(struct buddy_run *run, const char *text);
/* Answers with a fixed text (spoken like any reply), without the engine and without
 * storing a turn: for an utterance nothing could be heard in. */
int buddy_run_say(struct buddy_run *run, const char *text);
void buddy_run_cleanup(struct buddy_run *run);

double buddy_now(void);
/* CPU seconds this thread has used (CLOCK_THREAD_CPUTIME_ID): the work a stage
 * costs, whatever else the machine is doing. */
double buddy_thread_cpu(void);

#endif
