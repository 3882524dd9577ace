/*
 * cmd-talk.c - talk [--vad] [--input FILE.wav] [--output FILE.wav] [--fast] [--no-aec]:
 * talk to the buddy with your voice.
 *
 * With the microphone it is push-to-talk (Enter starts, Enter sends; a typed line is
 * sent as text) or, with --vad, hands-free: an energy VAD (vad.h) starts an utterance
 * on speech and ends it after 500 ms of silence, keeping 300 ms of audio from before
 * the onset so the first syllable is not lost.  What the buddy heard, its reply and
 * what it did are printed as in `voxcart chat`; its speech plays on the speaker, or is
 * written to --output.  The buddy is interrupted (barge-in: cancel) by Enter or
 * Ctrl-C while it talks, or by speaking over it for at least 300 ms (VAD_BARGE_IN).
 *
 * The buddy must not hear itself: the microphone goes through the echo canceller
 * (aec.h), with the speech played as its far end, before the VAD and the uplink.
 * Until the canceller has learnt the room (aec_converged), and with --no-aec
 * throughout, the microphone is gated while the speaker plays (and HOLD_S after), so
 * then only a key interrupts - except when the speech goes to a file, where there is
 * no echo.
 *
 * With --input the file is sent as one utterance (audio.start, 20 ms Opus frames paced
 * in real time or, with --fast, as fast as possible, audio.stop); talk prints the
 * final transcript and the reply, writes the speech to --output, and exits after
 * reply.done and the end of the speech.  With --json every event is one JSON line, and
 * a last line sums up the turn for tests:
 *   {"type":"talk.summary","transcript":...,"speech_frames":N,"frames_contiguous":
 *    true,"gaps":0,...}
 * With --vad and --input the file stands in for the microphone in the hands-free loop
 * (real time; the speech is written to --output in real time too, as a speaker would
 * play it, and is the echo canceller's far end); at the end of the file talk waits for
 * the reply and its speech, and --json ends with the summary of the last turn, which
 * also counts the utterances the VAD started ("utterances") and the barge-ins.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aec.h"
#include "cli.h"
#include "cmd-chat.h"
#include "log.h"
#include "opuscodec.h"
#include "vad.h"

#define FRAME OPUS_FRAME_SAMPLES(AUDIO_MIC_RATE)
#define PREROLL_FRAMES 15 /* 300 ms kept from before a VAD onset */
#define HOLD_S 0.5        /* the microphone stays gated this long after speech */

struct talk {
	struct cli *cli;
	struct chat ch;
	struct audio_source *src;
	struct vad *vad;
	struct aec *aec;    /* NULL with --no-aec or without speech */
	int use_vad, no_echo; /* no_echo: the speech goes to a file (or nowhere) */
	unsigned utterances, barge_ins;
	uint32_t rec_turn;  /* audio turn being recorded, 0 when none */
	uint32_t wait_turn; /* turn whose reply is awaited, 0 when none */
	uint32_t last_turn; /* the newest turn sent (its speech may still play) */
	unsigned errs;
	double quiet_from;  /* speech (and its echo) is over from this time on */
	int16_t preroll[PREROLL_FRAMES][FRAME];
	int npre, pre_next;
};

/* ---- one file, one utterance ---- */

static void print_summary(struct talk *t, uint32_t turn, int got_done)
{
	struct chat *ch = &t->ch;
	struct jitter_stats st = { 0 };
	if (ch->player)
		audio_player_stats(ch->player, &st);
	pthread_mutex_lock(&ch->lock);
	int mine = ch->frame_turn == turn;
	uint32_t frames = mine ? ch->frames : 0;
	int contiguous = !mine || (ch->contiguous &&
				   (ch->announced_frames == 0 || frames == ch->announced_frames));
	uint64_t gaps = ch->player ? st.gaps
		: (ch->announced_frames > frames ? ch->announced_frames - frames : 0);
	if (t->cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "talk.summary");
		cJSON_AddNumberToObject(o, "turn", turn);
		if (ch->transcript)
			cJSON_AddStringToObject(o, "transcript", ch->transcript);
		else
			cJSON_AddNullToObject(o, "transcript");
		cJSON_AddBoolToObject(o, "reply_done", got_done);
		cJSON_AddNumberToObject(o, "audio_frames_sent", buddy_client_audio_frames(ch->bc));
		cJSON_AddNumberToObject(o, "speech_frames", frames);
		cJSON_AddNumberToObject(o, "speech_frames_announced", ch->announced_frames);
		cJSON_AddBoolToObject(o, "frames_contiguous", contiguous);
		cJSON_AddNumberToObject(o, "gaps", (double)gaps);
		if (t->vad) {
			cJSON_AddNumberToObject(o, "utterances", t->utterances);
			cJSON_AddNumberToObject(o, "barge_ins", t->barge_ins);
			cJSON_AddBoolToObject(o, "aec", t->aec != NULL);
		}
		cli_print_json(o);
		cJSON_Delete(o);
	} else if (frames) {
		cli_note(t->cli, "(%u speech frames, %.1f s%s%s)\n", frames, frames * 0.02,
			 ch->opts.output ? ", written to " : "",
			 ch->opts.output ? ch->opts.output : "");
	}
	pthread_mutex_unlock(&ch->lock);
}

static int talk_file(struct talk *t)
{
	struct chat *ch = &t->ch;
	char err[512];
	unsigned errs = chat_begin(ch);
	uint32_t turn = buddy_client_audio_start(ch->bc);
	if (turn == 0)
		return cli_error_exit(t->cli, CLI_UNREACHABLE, "unreachable",
				      "the connection to voxcartd was lost");
	int16_t pcm[FRAME];
	int r, rc = CLI_OK;
	while (!chat_interrupted && (r = audio_source_read(t->src, pcm, -1, err, sizeof err)) == 1) {
		if (buddy_client_audio_frame(ch->bc, pcm, FRAME) != 0) {
			int st = chat_poll(ch, turn, errs); /* a closed connection is reported */
			rc = st < 0 ? cli_error(t->cli, "audio", "cannot send the audio (the "
						"connection is not keeping up)")
			     : st == CLI_OK ? CLI_FAIL : st;
			break;
		}
	}
	if (rc != CLI_OK)
		return rc;
	buddy_client_audio_stop(ch->bc);
	chat_touch(ch);
	rc = chat_wait(ch, turn, errs);
	int got_done = rc == CLI_OK;
	if (rc == CLI_OK || rc == CLI_FAIL)
		chat_wait_speech(ch);
	print_summary(t, turn, got_done);
	return rc;
}

/* ---- the microphone ---- */

static void keep_preroll(struct talk *t, const int16_t *pcm)
{
	memcpy(t->preroll[t->pre_next], pcm, sizeof t->preroll[0]);
	t->pre_next = (t->pre_next + 1) % PREROLL_FRAMES;
	if (t->npre < PREROLL_FRAMES)
		t->npre++;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 1 while the buddy's speech plays, and for HOLD_S after it: the device still has
 * audio queued when the player is done, and the room echoes. */
static int speaking(struct talk *t)
{
	if (!t->ch.player)
		return 0;
	if (audio_player_busy(t->ch.player)) {
		t->quiet_from = now_s() + HOLD_S;
		return 1;
	}
	return now_s() < t->quiet_from;
}

/* Stops the buddy: the reply awaited and the speech playing. */
static void interrupt(struct talk *t)
{
	uint32_t turn = t->wait_turn ? t->wait_turn : t->last_turn;
	chat_barge_in(&t->ch, turn);
	t->wait_turn = 0;
}

static int start_recording(struct talk *t, int with_preroll)
{
	if (t->wait_turn || speaking(t))
		interrupt(t);
	t->errs = chat_begin(&t->ch);
	t->rec_turn = buddy_client_audio_start(t->ch.bc);
	if (!t->rec_turn)
		return -1;
	t->last_turn = t->rec_turn;
	t->utterances++;
	for (int i = 0; with_preroll && i < t->npre; i++) {
		int at = (t->pre_next - t->npre + i + PREROLL_FRAMES) % PREROLL_FRAMES;
		buddy_client_audio_frame(t->ch.bc, t->preroll[at], FRAME);
	}
	t->npre = 0;
	if (!t->use_vad)
		cli_note(t->cli, "(recording - Enter to send)\n");
	return 0;
}

static void stop_recording(struct talk *t)
{
	if (!t->rec_turn)
		return;
	buddy_client_audio_stop(t->ch.bc);
	chat_touch(&t->ch);
	t->wait_turn = t->rec_turn;
	t->rec_turn = 0;
	if (t->vad)
		vad_reset(t->vad, 1);
}

/* A typed line while talking: sent as text. */
static void say_line(struct talk *t, char *line)
{
	char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return;
	if (t->wait_turn || speaking(t))
		interrupt(t);
	t->errs = chat_begin(&t->ch);
	t->wait_turn = t->last_turn = buddy_client_say(t->ch.bc, s);
}

/* Reads what was typed.  Returns 0 at end of input (Ctrl-D), else 1, with *enter set
 * when a line ended. */
static int read_keys(struct talk *t, int *enter)
{
	static char line[1024];
	static size_t len;
	*enter = 0;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	if (poll(&pfd, 1, 0) <= 0)
		return 1;
	char buf[256];
	ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
	if (n <= 0)
		return 0;
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (len + 1 < sizeof line)
				line[len++] = buf[i];
			continue;
		}
		line[len] = '\0';
		len = 0;
		if (*line && !t->rec_turn)
			say_line(t, line);
		else
			*enter = 1;
	}
	return 1;
}

/* Push-to-talk: Enter starts and stops recording; Enter while the buddy talks
 * interrupts it and starts recording. */
static int on_enter(struct talk *t)
{
	if (t->rec_turn) {
		stop_recording(t);
		return 0;
	}
	if (t->use_vad) {
		if (t->wait_turn || speaking(t))
			interrupt(t);
		return 0;
	}
	return start_recording(t, 0);
}

/* 1 when the voice may not interrupt the buddy now that it talks: its echo could
 * sound like speech (no canceller, or one still learning the room). */
static int gated(struct talk *t)
{
	return !t->no_echo && (!t->aec || !aec_converged(t->aec));
}

/* One microphone frame (echo-cancelled when t->aec) through the VAD (hands-free) or
 * to the recording turn. */
static int on_frame(struct talk *t, const int16_t *pcm)
{
	int busy = speaking(t);
	if (t->rec_turn) {
		buddy_client_audio_frame(t->ch.bc, pcm, FRAME);
		if (t->vad && vad_process(t->vad, pcm, FRAME) == VAD_END)
			stop_recording(t);
		return 0;
	}
	if (!t->vad)
		return 0;
	if (busy && gated(t)) { /* the buddy must not hear itself */
		vad_reset(t->vad, 1);
		t->npre = 0;
		return 0;
	}
	enum vad_event ev = vad_process(t->vad, pcm, FRAME);
	keep_preroll(t, pcm);
	if (ev == VAD_BARGE_IN && busy)
		t->barge_ins++;
	if ((ev == VAD_START && !busy) || (ev == VAD_BARGE_IN && busy))
		return start_recording(t, 1);
	return 0;
}

/* The end of an --input file in the hands-free loop: the utterance going is sent,
 * and the reply and its speech are waited for. */
static int finish_file(struct talk *t)
{
	if (t->rec_turn)
		stop_recording(t);
	int rc = CLI_OK, got_done = 0;
	if (t->wait_turn) {
		rc = chat_wait(&t->ch, t->wait_turn, t->errs);
		got_done = rc == CLI_OK;
		t->wait_turn = 0;
	}
	if (rc == CLI_OK || rc == CLI_FAIL)
		chat_wait_speech(&t->ch);
	print_summary(t, t->last_turn, got_done);
	return rc;
}

static int talk_mic(struct talk *t)
{
	struct chat *ch = &t->ch;
	char err[512];
	int rc = CLI_OK, keys = t->cli->stdin_tty;
	if (!audio_source_is_file(t->src))
		cli_note(t->cli, t->use_vad
			 ? "Listening: just speak (Ctrl-D or Ctrl-C to leave).\n"
			 : "Press Enter to talk and Enter again to send; type to send text; "
			   "Ctrl-D to leave.\n");
	for (;;) {
		int16_t pcm[FRAME];
		int r = audio_source_read(t->src, pcm, 100, err, sizeof err);
		if (r == -1) {
			rc = cli_error(t->cli, "audio", "%s", err);
			break;
		}
		if (r == 0) { /* the end of an --input file */
			rc = finish_file(t);
			break;
		}
		int enter = 0;
		if (keys && !read_keys(t, &enter))
			break;
		if (chat_interrupted) {
			chat_interrupted = 0;
			if (!t->rec_turn && !t->wait_turn && !speaking(t))
				break;
			if (t->rec_turn)
				stop_recording(t);
			interrupt(t);
		}
		if ((enter && on_enter(t) != 0) || (r == 1 && on_frame(t, pcm) != 0)) {
			rc = chat_poll(ch, ~0u, t->errs); /* a closed connection is reported */
			if (rc < 0)
				rc = cli_error(t->cli, "audio", "cannot start a turn");
			break;
		}
		if (t->wait_turn) {
			int st = chat_poll(ch, t->wait_turn, t->errs);
			if (st >= 0)
				t->wait_turn = 0;
			if (st != -1 && st != CLI_OK && st != CLI_FAIL) {
				rc = st;
				break;
			}
		}
	}
	if (t->rec_turn)
		buddy_client_audio_stop(ch->bc);
	return rc;
}

/* ---- the command ---- */

static int exec_talk(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vad", no_argument, NULL, 'v' },
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "fast", no_argument, NULL, 'f' },
		{ "no-aec", no_argument, NULL, 'e' },
		{ "conversation", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct talk *t = calloc(1, sizeof *t);
	if (!t)
		return cli_error(cli, "internal", "out of memory");
	t->cli = cli;
	struct chat_opts co = { .speech = 1, .speech_optional = 1, .show_transcripts = 1 };
	const char *input = NULL;
	int fast = 0, no_aec = 0, c, rc = CLI_OK;
	while (rc == CLI_OK && (c = cli_getopt(cli, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case 'v': t->use_vad = 1; break;
		case 'i': input = optarg; break;
		case 'o': co.output = optarg; break;
		case 'f': fast = 1; break;
		case 'e': no_aec = 1; break;
		case 'c':
			rc = cli_want_id(cli, NULL, "--conversation", optarg, &co.conversation_id);
			break;
		case 'j': cli->json = 1; break;
		case 'q': cli->quiet = 1; break;
		default: rc = CLI_USAGE; break;
		}
	}
	if (rc == CLI_OK && optind < argc)
		rc = cli_usage_error(cli, NULL, "unexpected argument \"%s\"", argv[optind]);
	if (rc == CLI_OK && fast && !input)
		rc = cli_usage_error(cli, NULL, "--fast goes with --input FILE.wav");
	if (rc == CLI_OK && fast && t->use_vad)
		rc = cli_usage_error(cli, NULL, "--vad reads --input in real time, as a "
				     "microphone; drop --fast");
	int loop = !input || t->use_vad; /* the microphone loop (a file stands in) */
	co.realtime_output = input && t->use_vad;
	if (rc == CLI_OK && !input && !t->use_vad && !cli->stdin_tty)
		rc = cli_usage_error(cli, NULL, "push-to-talk needs a terminal (Enter starts and "
				     "stops); use --vad, or --input FILE.wav");
	char err[512];
	if (rc == CLI_OK) {
		t->src = input ? audio_source_file(input, AUDIO_MIC_RATE, !fast, err, sizeof err)
			       : audio_source_mic(AUDIO_MIC_RATE, err, sizeof err);
		if (!t->src)
			rc = cli_error(cli, "audio", "%s", err);
	}
	if (rc == CLI_OK && t->use_vad && !(t->vad = vad_new(NULL)))
		rc = cli_error(cli, "internal", "out of memory");
	if (rc == CLI_OK)
		rc = chat_open(&t->ch, cli, &co);
	if (rc == CLI_OK) {
		t->no_echo = !t->ch.player || co.output != NULL;
		/* the echo canceller, with the speech played as its far end */
		if (loop && !no_aec && t->ch.player &&
		    (!(t->aec = aec_new(AUDIO_MIC_RATE, FRAME, AEC_TAIL_MS)) ||
		     audio_player_set_aec(t->ch.player, t->aec) != 0)) {
			aec_free(t->aec);
			t->aec = NULL;
			log_warn("audio", "no echo cancellation (out of memory)");
		}
		if (t->aec)
			audio_source_set_aec(t->src, t->aec);
		chat_catch_interrupt(1);
		rc = loop ? talk_mic(t) : talk_file(t);
		chat_catch_interrupt(0);
		int crc = chat_close(&t->ch);
		if (rc == CLI_OK)
			rc = crc;
	}
	audio_source_close(t->src);
	aec_free(t->aec); /* the player, which fed it, is closed */
	vad_free(t->vad);
	free(t);
	return rc;
}

const struct cmd_entry cmd_talk_entry = {
	"talk", NULL,
	"[--vad] [--input FILE.wav] [--output FILE.wav] [--fast] [--no-aec] [--conversation ID] "
	"[--json]",
	"talk to the shopping buddy: push-to-talk, hands-free (--vad), or a WAV file",
	exec_talk,
};
