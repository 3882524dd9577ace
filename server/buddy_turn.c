/*
 * buddy_turn.c - the jobs of a buddy session, run on a worker (buddy_session.h):
 * hello (token, conversation, voice settings, the ready event), typed turns, and
 * audio turns (Opus decoded, recognised, then run as a typed turn would be).
 */
#include "auth.h"
#include "buddy/dialogue.h"
#include "buddy_session.h"
#include "conversations.h"
#include "events.h"
#include "log.h"
#include "requests.h"
#include "server.h"
#include "store/store.h"
#include "turn/engine.h"
#include "turn/run.h"
#include "voice/tts.h"
#include "voice_turn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buddy_session_release_job_parts(struct buddy_session *s)
{
	if (s->state) {
		if (s->conversation_id > 0)
			conv_state_put(s->srv, s->conversation_id, s->state);
		else
			engine_state_free(s->state);
		s->state = NULL;
	}
	tts_free(s->tts);
	s->tts = NULL;
	voice_turn_release(s);
}

static void refuse(struct buddy_session *s, const char *message)
{
	buddy_session_send_error(s, 0, "unauthorized", message);
	buddy_session_send_marker(s, OUT_CLOSE, 4001);
}

/* Voice settings: the config's [voice] section, then the hello's "voice" object. */
static int setup_speech(struct buddy_session *s, const struct buddy_req *hello)
{
	const struct config *cfg = &s->srv->cfg;
	struct tts_config tc;
	tts_config_default(&tc);
	snprintf(s->voice_name, sizeof s->voice_name, "%s",
		 hello->voice_name ? hello->voice_name : config_get_str(cfg, "voice.voice", tc.voice));
	tc.voice = s->voice_name;
	tc.rate_wpm = atoi(config_get_str(cfg, "voice.rate", "0"));
	tc.pitch = atoi(config_get_str(cfg, "voice.pitch", "-1"));
	if (tc.rate_wpm <= 0)
		tc.rate_wpm = 175;
	if (tc.pitch < 0)
		tc.pitch = 50;
	if (hello->has_rate)
		tc.rate_wpm = hello->rate;
	if (hello->has_pitch)
		tc.pitch = hello->pitch;
	tc.sample_rate = 24000;
	char err[200];
	s->tts = tts_new(&tc, err, sizeof err);
	if (!s->tts) {
		buddy_session_send_error(s, 0, "bad_request", err);
		return -1;
	}
	return 0;
}

static void run_hello(struct buddy_session *s, struct buddy_job *job)
{
	struct store *db = store_thread();
	const struct buddy_req *hello = job->hello;
	if (!db || !hello->token || auth_check_token(db, hello->token, &s->user) != 0) {
		refuse(s, "The token is missing, unknown, expired or revoked.");
		return;
	}
	if (buddy_session_count_user(s) != 0) {
		char m[160];
		snprintf(m, sizeof m, "This account already has %d buddy sessions open; close one first.",
			 s->srv->set.max_sessions_per_user);
		buddy_session_send_error(s, 0, "too_many_sessions", m);
		buddy_session_send_marker(s, OUT_CLOSE, 1008);
		return;
	}
	s->speech = hello->speech;
	s->uplink_rate = hello->sample_rate;
	if (s->uplink_rate != 8000 && s->uplink_rate != 12000 && s->uplink_rate != 16000 &&
	    s->uplink_rate != 24000 && s->uplink_rate != 48000) {
		buddy_session_send_error(s, 0, "bad_request",
					 "audio.sample_rate must be 8000, 12000, 16000, 24000 or 48000.");
		s->uplink_rate = 16000;
	}
	if (hello->has_conversation) {
		int64_t id = hello->conversation_id;
		if (conv_owned(db, id, s->user.id))
			s->conversation_id = id;
		else
			buddy_session_send_error(s, 0, "not_found",
						 "No such conversation; starting a new one.");
	}
	if (!s->conversation_id)
		s->conversation_id = conv_create(db, s->user.id);
	if (s->speech && setup_speech(s, hello) != 0)
		s->speech = 0;
	s->authed = 1;

	buddy_session_send_json(s, buddy_event_ready(s->id, s->conversation_id,
						     auth_user_json(db, s->user.id),
						     s->voice_name[0] ? s->voice_name : "en-us",
						     s->speech, voice_turn_engine(s->srv),
						     s->uplink_rate));
}

static void run_text_turn(struct buddy_session *s, uint32_t turn, const char *text,
			  double t_start, double asr_ms, double cpu_start, double asr_cpu_ms)
{
	struct buddy_run run = { 0 };
	run.srv = s->srv;
	run.db = store_thread();
	run.user_id = s->user.id;
	run.conversation_id = s->conversation_id;
	/* The dialogue state is taken at the first turn, not at hello: an idle session
	 * costs only its socket. */
	if (!s->state)
		s->state = conv_state_take(s->srv, s->conversation_id);
	run.state = s->state;
	struct turn_sink sink;
	buddy_session_sink(s, &sink);
	run.sink = &sink;
	run.speech = s->speech;
	run.tts = s->tts;
	run.turn = turn;
	run.t_start = t_start;
	run.asr_ms = asr_ms;
	run.cpu_start = cpu_start;
	run.asr_cpu_ms = asr_cpu_ms;
	if (!run.db) {
		buddy_session_send_error(s, turn, "internal", "The database is not available.");
		return;
	}
	buddy_run_turn(&run, text);
	buddy_run_cleanup(&run);
}

/* Says text as the turn's whole reply (no engine, no stored turn). */
static void say_only(struct buddy_session *s, uint32_t turn, double t0, double asr_ms,
		     const char *text)
{
	struct buddy_run run = { 0 };
	struct turn_sink sink;
	buddy_session_sink(s, &sink);
	run.srv = s->srv;
	run.sink = &sink;
	run.speech = s->speech;
	run.tts = s->tts;
	run.turn = turn;
	run.t_start = t0;
	run.asr_ms = asr_ms;
	buddy_run_say(&run, text);
	buddy_run_cleanup(&run);
}

/* A spoken cart change the server was not sure it heard (voice_turn.h): read back as a
 * question, kept in the conversation's state for the next turn.  Any question the
 * dialogue had open is dropped: a "yes" now answers this one. */
static void read_back(struct buddy_session *s, uint32_t turn, double t0, double asr_ms,
		      const char *heard)
{
	if (!s->state)
		s->state = conv_state_take(s->srv, s->conversation_id);
	if (!s->state) {
		say_only(s, turn, t0, asr_ms, "Sorry, I didn't catch that. Could you say it again?");
		return;
	}
	snprintf(s->state->heard, sizeof s->state->heard, "%s", heard);
	s->state->pending = DLG_PENDING_NONE;
	char q[400];
	snprintf(q, sizeof q, "Did you say \"%.300s\"?", heard);
	log_debug("buddy", "turn %u: read back \"%s\"", turn, heard);
	say_only(s, turn, t0, asr_ms, q);
}

/* The answer to a read-back question, when one is open: 1 yes (the request is
 * copied to out), 2 no; 0 none open or text is no answer (a new request: the one
 * read back is dropped). */
static int readback_answer(struct buddy_session *s, const char *text, char *out, size_t outlen)
{
	if (!s->state)
		s->state = conv_state_take(s->srv, s->conversation_id);
	if (!s->state || !s->state->heard[0])
		return 0;
	int rc = 0;
	struct und_result *r = malloc(sizeof *r);
	if (r) {
		und_parse(text, r);
		if (r->n == 1 && r->cmd[0].intent == UND_CONFIRM && r->cmd[0].nitems == 0)
			rc = 1;
		else if (r->n == 1 && r->cmd[0].intent == UND_DENY && r->cmd[0].nitems == 0)
			rc = 2;
		free(r);
	}
	if (rc == 1)
		snprintf(out, outlen, "%s", s->state->heard);
	s->state->heard[0] = '\0';
	return rc;
}

void buddy_job_run(struct buddy_session *s, struct buddy_job *job)
{
	if (job->kind == JOB_HELLO) {
		run_hello(s, job);
		return;
	}
	if (!s->authed) {
		buddy_session_send_error(s, job->turn, "unauthorized", "The session is not logged in.");
		return;
	}
	/* A session lives as long as its login: after a logout (or once the login can no
	 * longer be refreshed) no turn acts for it. */
	struct store *db = store_thread();
	if (!db || !auth_login_alive(db, s->user.login_id)) {
		s->authed = 0;
		buddy_session_send_error(s, job->turn, "unauthorized",
					 "The login behind this session has ended; log in again.");
		buddy_session_send_marker(s, OUT_CLOSE, 4001);
		return;
	}
	char held[256];
	if (job->kind == JOB_SAY) {
		double t0 = buddy_now();
		int ans = readback_answer(s, job->text, held, sizeof held);
		if (ans == 2)
			say_only(s, job->turn, t0, 0, "All right, I won't. What would you like?");
		else
			run_text_turn(s, job->turn, ans == 1 ? held : job->text, t0, 0,
				      buddy_thread_cpu(), 0);
		return;
	}
	/* Audio: recognise, then answer what was heard. */
	double t0 = job->t_stop > 0 ? job->t_stop : buddy_now(), c0 = buddy_thread_cpu();
	char heard[1024] = "";
	double asr_ms = 0;
	int unsure = 0;
	struct turn_sink sink;
	buddy_session_sink(s, &sink);
	int rc = voice_turn_recognise(s, job, &sink, heard, sizeof heard, &asr_ms, &unsure);
	double asr_cpu_ms = (buddy_thread_cpu() - c0) * 1000.0;
	if (rc != 0 || !heard[0]) {
		say_only(s, job->turn, t0, asr_ms, "Sorry, I didn't catch that. Could you say it again?");
		return;
	}
	int ans = readback_answer(s, heard, held, sizeof held);
	if (ans == 2) {
		say_only(s, job->turn, t0, asr_ms, "All right, I won't. What would you like?");
		return;
	}
	if (ans == 0 && unsure) {
		read_back(s, job->turn, t0, asr_ms, heard);
		return;
	}
	run_text_turn(s, job->turn, ans == 1 ? held : heard, t0, asr_ms, c0, asr_cpu_ms);
}
