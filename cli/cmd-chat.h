/*
 * cmd-chat.h - one conversation with the buddy, as `voxcart chat` and `voxcart talk`
 * both hold it (cmd-chat.c): logging in to the WebSocket, printing what the buddy
 * says and does, playing or saving its speech, and waiting for the end of a turn.
 *
 * Printing happens on the buddy client's thread as events arrive - or, while speech
 * plays, as the player reaches each piece of the reply (the player's thread), so the
 * text is read as it is heard; the command's own thread sends turns and waits with
 * chat_wait().  All fields marked [lock] are shared
 * between the two and read under chat->lock.
 */
#ifndef VOXCART_CMD_CHAT_H
#define VOXCART_CMD_CHAT_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "audio_io.h"
#include "buddy_client.h"

struct cli;

struct chat_opts {
	int64_t conversation_id; /* 0: a new conversation */
	int speech;              /* ask for speech and play it */
	const char *output;      /* write speech to this WAV instead of the speaker */
	int realtime_output;     /* pace the WAV writer to real time */
	int speech_optional;     /* no speaker: say so and go on without playing */
	int vad;                 /* hello vad (the server ends audio turns) */
	int piped;               /* one reply per line on stdout, nothing else */
	int show_transcripts;    /* print what the buddy heard (talk) */
};

struct chat {
	struct cli *cli;
	struct chat_opts opts;
	struct buddy_client *bc;
	struct audio_player *player; /* NULL without speech */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* [lock] */
	int connected;          /* connect returned; before that events are held back */
	char **early;           /* --json lines of events that came while connecting */
	size_t nearly;
	uint32_t done_turn;     /* highest turn ended by reply.done or an error */
	unsigned untagged_errors; /* error events without a turn */
	int turn_failed;        /* the last ended turn ended with an error */
	int closed, close_code;
	char close_why[512];
	uint32_t text_turn;     /* turn whose reply text is on screen */
	int line_open;          /* reply text printed without its newline */
	int partial_open;       /* a partial transcript is on the terminal line */
	/* Word wrap of reply text on a terminal (cmd-chat.c wrap_*): the column reached,
	 * a space owed before the next word, and the word not yet ended (deltas may end
	 * inside a word).  wrap_width 0: no wrapping (stdout is not a terminal). */
	int wrap_width, wrap_col, wrap_space;
	char wrap_word[512];
	size_t wrap_len;
	char *transcript;       /* last final transcript (malloc'd) */
	uint32_t frame_turn, frames, next_seq; /* speech frames of the latest turn */
	int contiguous;
	uint32_t announced_frames; /* speech_frames of the last reply.done */
	uint32_t cancelled_upto; /* replies of these turns are not printed any more */
	struct buddy_sync sync; /* human output held until its speech plays (cmd-chat.c) */
	double last_event;      /* monotonic seconds */
};

extern volatile sig_atomic_t chat_interrupted;

/* Gets a token, connects and says hello (retrying once with a refreshed token after
 * 4001), and opens the speech player.  Returns CLI_OK, or the exit status after
 * reporting the failure (CLI_UNREACHABLE, CLI_AUTH, ...).  On failure nothing needs
 * closing. */
int chat_open(struct chat *ch, struct cli *cli, const struct chat_opts *opts);

/* Call before sending a turn: returns the count of untagged errors so far (for
 * chat_wait/chat_poll) and restarts the idle clock. */
unsigned chat_begin(struct chat *ch);
/* Restarts the idle clock (e.g. when an utterance that took long was sent). */
void chat_touch(struct chat *ch);

/* Where turn stands: -1 while it is going, else CLI_OK (reply.done came), CLI_FAIL
 * (the buddy answered with an error; reported), or the status of a lost connection
 * or of a minute without any event (reported). */
int chat_poll(struct chat *ch, uint32_t turn, unsigned errors_before);

/* chat_poll() until the turn ends.  Ctrl-C (chat_interrupted) interrupts the reply
 * (chat_barge_in). */
int chat_wait(struct chat *ch, uint32_t turn, unsigned errors_before);

/* Barge-in: the buddy stops turn's reply (its speech stops at once, its text is not
 * shown any more, and the server is told to cancel). */
void chat_barge_in(struct chat *ch, uint32_t turn);

/* Waits until the speech of the last turn has been played (Ctrl-C stops it). */
void chat_wait_speech(struct chat *ch);

/* Closes the connection and the player (a WAV is finished).  Returns CLI_OK, or
 * CLI_FAIL after reporting a WAV that could not be written. */
int chat_close(struct chat *ch);

/* Installs the Ctrl-C handler that sets chat_interrupted (on: 1), or the default
 * (on: 0). */
void chat_catch_interrupt(int on);

#endif
