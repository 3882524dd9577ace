/*
 * turn/run.c - one buddy turn (see turn/run.h).
 *
 * The understanding engine (buddy/) streams reply text and actions through the
 * output callbacks here, and they go on to the sink at once.  When the turn is
 * spoken, each sentence, as soon as its end is seen, is synthesised and handed to
 * the sink as numbered 0x02 frames, so the shopper hears the first sentence while
 * the rest is still being worked out.  The last packet of every sentence is held
 * back until the next one exists, so the turn's final frame can carry the "last"
 * flag.
 */
#include "turn/run.h"
#include "buddy/buddy.h"
#include "buddy_tools.h"
#include "clock.h"
#include "conversations.h"
#include "frame.h"
#include "log.h"
#include "redact.h"
#include "server.h"
#include "store/store.h"
#include "turn/engine.h"
#include "voice/remote_tts.h"
#include "voice/tts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double buddy_now(void)
{
	return clock_mono_s();
}

double buddy_thread_cpu(void)
{
	return clock_thread_cpu_s();
}

static int run_cancelled(void *ctx)
{
	struct buddy_run *run = ctx;
	const struct turn_sink *k = run->sink;
	if (k->cancelled && k->cancelled(k->ctx, run->turn))
		run->cancelled = 1;
	return run->cancelled;
}

static void send_frame(struct buddy_run *run, const unsigned char *opus, size_t len, int last)
{
	unsigned char frame[PROTO_FRAME_MAX];
	int n = proto_frame_encode(PROTO_FRAME_SPEECH, last ? PROTO_FRAME_LAST : 0, run->turn,
				   (uint32_t)run->speech_frames, opus, len, frame, sizeof frame);
	if (n < 0)
		return;
	if (run->speech_frames == 0) {
		run->first_speech_ms = (buddy_now() - run->t_start) * 1000.0;
		if (run->cpu_start > 0)
			run->first_speech_cpu_ms = (buddy_thread_cpu() - run->cpu_start) * 1000.0;
	}
	run->speech_frames++;
	if (run->sink->speech_frame)
		run->sink->speech_frame(run->sink->ctx, run->turn, frame, (size_t)n);
}

static void on_packet(void *ctx, const uint8_t *opus, size_t len)
{
	struct buddy_run *run = ctx;
	if (run->first_packet_ms <= 0)
		run->first_packet_ms = (buddy_now() - run->t_start) * 1000.0;
	if (run->held)
		send_frame(run, run->held, run->held_len, 0);
	unsigned char *copy = realloc(run->held, len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, opus, len);
	run->held = copy;
	run->held_len = len;
}

/* The turn (sink, turn id) whose outside speech service failed: the rest of that
 * turn is spoken by eSpeak NG, so a dead service costs one timeout per turn, not one
 * per sentence.  A turn runs on one worker thread, hence thread-local. */
static _Thread_local struct {
	const void *sink;
	uint32_t turn;
} remote_tts_down;

/* [voice] tts = openai (voice/remote_tts.h): the service's audio for the sentence goes
 * through tts.c's resample + frame + Opus path.  Returns 0 when the sentence was
 * spoken (or the turn cancelled), -1 when eSpeak NG should speak it instead. */
static int speak_remote(struct buddy_run *run, const char *sentence)
{
	const struct config *cfg = &run->srv->cfg;
	struct remote_tts_config rc;
	char why[300];
	int has_word = 0;
	for (const char *p = sentence; *p && !has_word; p++)
		has_word = isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80;
	if (!has_word || !remote_tts_enabled(cfg) ||
	    (remote_tts_down.sink == run->sink->ctx && remote_tts_down.turn == run->turn))
		return -1;
	if (remote_tts_config_read(cfg, &rc, why, sizeof why) != 0) {
		log_warn("buddy", "%s; eSpeak NG speaks", why);
		return -1;
	}
	int16_t *pcm = NULL;
	size_t n = 0;
	int rate = 0;
	double t0 = buddy_now();
	int r = remote_tts_synth(&rc, sentence, run_cancelled, run, &pcm, &n, &rate, why, sizeof why);
	if (r == 1)
		return 0;
	if (r == 0) {
		/* packets may have gone out: no eSpeak NG repeat even if encoding fails */
		if (tts_speak_pcm(run->tts, pcm, n, rate, on_packet, run_cancelled, run, why, sizeof why) < 0)
			log_warn("buddy", "speech synthesis failed: %s", why);
		free(pcm);
		return 0;
	}
	log_warn("buddy", "outside speech synthesis failed after %.0f ms (%s, %s); eSpeak NG speaks "
		 "the rest of turn %u", (buddy_now() - t0) * 1000.0, why, rc.url, run->turn);
	remote_tts_down.sink = run->sink->ctx;
	remote_tts_down.turn = run->turn;
	return -1;
}

static void speak(struct buddy_run *run, const char *text, size_t len)
{
	if (!run->speech || !run->tts || len == 0 || run_cancelled(run))
		return;
	char *sentence = strndup(text, len);
	char err[200];
	/* optional outside voice first; eSpeak NG when it is off or fails */
	if (sentence && speak_remote(run, sentence) != 0 &&
	    tts_speak(run->tts, sentence, on_packet, run_cancelled, run, err, sizeof err) < 0)
		log_warn("buddy", "speech synthesis failed: %s", err);
	free(sentence);
}

/* Speaks every complete sentence not yet spoken; with all=1 the rest as well. */
static void speak_ready(struct buddy_run *run, int all)
{
	size_t start = run->spoken_upto, end = start;
	for (size_t i = start; i < run->reply_len; i++) {
		char c = run->reply[i];
		if ((c == '.' || c == '?' || c == '!') &&
		    (i + 1 == run->reply_len ? all : run->reply[i + 1] == ' ')) {
			end = i + 1;
			speak(run, run->reply + start, end - start);
			start = end;
		}
	}
	if (all && start < run->reply_len) {
		speak(run, run->reply + start, run->reply_len - start);
		start = run->reply_len;
	}
	run->spoken_upto = start;
}

static void on_delta(void *ctx, const char *text)
{
	struct buddy_run *run = ctx;
	size_t n = strlen(text);
	if (n == 0 || run_cancelled(run))
		return;
	if (run->first_text_ms <= 0)
		run->first_text_ms = (buddy_now() - run->t_start) * 1000.0;
	if (run->reply_len + n + 1 > run->reply_cap) {
		size_t cap = run->reply_cap ? run->reply_cap : 256;
		while (cap < run->reply_len + n + 1)
			cap *= 2;
		char *r = realloc(run->reply, cap);
		if (!r)
			return;
		run->reply = r;
		run->reply_cap = cap;
	}
	memcpy(run->reply + run->reply_len, text, n + 1);
	run->reply_len += n;
	/* The speech of this text starts at the next frame: sentences are spoken in
	 * order, and this one is synthesised right after the sink has the text. */
	int speech_seq = run->speech ? run->speech_frames + (run->held ? 1 : 0) : -1;
	if (run->sink->delta)
		run->sink->delta(run->sink->ctx, run->turn, run->delta_seq, text, speech_seq);
	run->delta_seq++;
	if (run->speech)
		speak_ready(run, 0);
}

static void on_action(void *ctx, const char *name, cJSON *args, cJSON *result)
{
	struct buddy_run *run = ctx;
	if (run->sink->action)
		run->sink->action(run->sink->ctx, run->turn, name, args, result);
}

/* Speaks what is left, flags the last frame and tells the sink the turn is over. */
static void finish(struct buddy_run *run)
{
	double think_ms = (buddy_now() - run->t_start) * 1000.0;
	if (!run_cancelled(run)) {
		speak_ready(run, 1);
		if (run->held && !run_cancelled(run))
			send_frame(run, run->held, run->held_len, 1);
	}
	if (!run->sink->done)
		return;
	struct buddy_event_done d = {
		.text = run->reply ? run->reply : "",
		.speech_frames = run->speech_frames,
		.cancelled = run->cancelled,
		.asr_ms = run->asr_ms,
		.think_ms = think_ms,
		.first_text_ms = run->first_text_ms,
		.first_packet_ms = run->first_packet_ms,
		.first_speech_ms = run->first_speech_ms,
		.cpu_known = run->cpu_start > 0,
		.asr_cpu_ms = run->asr_cpu_ms,
		.first_speech_cpu_ms = run->first_speech_cpu_ms,
	};
	run->sink->done(run->sink->ctx, run->turn, &d);
}

int buddy_run_turn(struct buddy_run *run, const char *text)
{
	struct buddy_tools tools;
	struct buddy_tools_ctx tctx = { run->srv, run->db, run->user_id, NULL };
	buddy_tools_init(&tools, &tctx);
	struct buddy_output out = { run, on_delta, on_action, run_cancelled };
	struct buddy_turn_info info;
	memset(&info, 0, sizeof info);

	/* Secrets typed by mistake are taken out before anything sees or keeps them. */
	int found = 0;
	char *clean = redact_secrets(text, &found);
	text = clean ? clean : "";
	if (found && !run_cancelled(run))
		out.delta(out.ctx, redact_warning(found));

	/* the first engine that answers owns the turn (turn/engine.h) */
	struct buddy_engine_turn et = { run->srv, run->db, run->conversation_id, run->state,
					&tools, &out, text };
	for (const struct buddy_engine *const *e = buddy_engines; *e; e++)
		if ((*e)->enabled(run->srv) && (*e)->turn(&et, &info) == 0)
			break;
	finish(run);
	/* the turn and, in the same write, the dialogue state, for a resume on another
	 * process (turn/engine.h) */
	char *saved = run->conversation_id > 0 ? engine_state_save(run->state) : NULL;
	if (run->conversation_id > 0 && !saved)
		log_warn("buddy", "conversation %lld: dialogue state not stored",
			 (long long)run->conversation_id);
	if (conv_add_turn(run->db, run->conversation_id, text, info.intent, info.sentiment,
			  run->reply ? run->reply : "", info.frustrated, saved) != 0)
		log_warn("buddy", "conversation %lld: turn not stored", (long long)run->conversation_id);
	free(saved);
	buddy_tools_cleanup(&tctx);
	free(clean);
	return 0;
}

int buddy_run_say(struct buddy_run *run, const char *text)
{
	struct buddy_output out = { run, on_delta, on_action, run_cancelled };
	if (!run_cancelled(run))
		out.delta(out.ctx, text);
	finish(run);
	return 0;
}

void buddy_run_cleanup(struct buddy_run *run)
{
	free(run->reply);
	free(run->held);
	run->reply = NULL;
	run->held = NULL;
}
