/*
 * voice_turn.h - the hearing half of an audio turn: Opus packets from the client are
 * decoded and fed to the recogniser as they arrive (partial transcripts go out as
 * they change), and the final transcript ends the utterance.
 *
 * The recogniser's language model is built from the server's own catalog (see
 * voice/lm.h) in a background thread, and rebuilt when the catalog changes; until
 * the first one is ready, the stock en-us model is used.  Decoders are pooled: an
 * audio turn takes one and gives it back at the end of the turn, reloading the
 * newest model first if it has changed.
 */
#ifndef VOXCART_VOICE_TURN_H
#define VOXCART_VOICE_TURN_H

#include <stddef.h>
#include <stdint.h>

struct server;
struct buddy_session;
struct buddy_job;
struct turn_sink;
struct asr_hyp;

const char *voice_turn_engine(struct server *srv);
/* Starts the first language-model build (at start-up). */
void voice_turn_init(struct server *srv);
void voice_turn_shutdown(struct server *srv);

/* [job] Feeds the packets of the job that arrived since the last call; hands a
 * partial transcript to sink when the hypothesis changed.  Returns 1 when the session
 * uses vad and the end of the utterance was heard. */
int voice_turn_feed(struct buddy_session *s, struct buddy_job *job, const struct turn_sink *sink);
/* [job] Feeds the rest, ends the utterance, hands the final transcript to sink and
 * writes it to out.  The transcript is the reading that best fits the catalog and the
 * conversation's open question (voice/choose.h); for the latter the session's
 * dialogue state is taken (s->state) if the turn has not taken it yet.  asr_ms: time from audio.stop to the final transcript.  0, or -1 when
 * nothing could be recognised (an error event was sent). */
int voice_turn_recognise(struct buddy_session *s, struct buddy_job *job,
			 const struct turn_sink *sink, char *out, size_t outlen, double *asr_ms,
			 int *unsure);
/* *unsure (above) is 1 when the transcript asks for a cart change that the server is
 * not sure it heard: [voice] readback = unsure and another reading within
 * readback_margin of the best asks for a different one (see below), or the
 * recogniser's best reading, taken as it is, has a posterior (asr_posterior())
 * below -readback_posterior; or readback = always; never with readback = off (the
 * default).  The turn then reads it back as a
 * question instead of doing it (buddy_turn.c).
 *
 * voice_turn_unsure: among readings h[0..n) (the recogniser's best score is h[0]'s)
 * with the one chosen, 1 when the chosen one changes the cart (add, remove, set,
 * take away, empty) and another within margin asks for another cart change or the
 * checkout ("check me out" heard as "add ..."), or for the same change with another
 * number said ("two" and "ten"), or another product ("oil" and "towel"); readings
 * that ask for nothing do not count.  A change named only by a size ("add one
 * gallon") or said without a verb ("twelve green tea", "just the towels"; not while
 * a question is open: then it is the answer) is always unsure: that is how "check
 * me out" comes out in noise.  A change that names no product ("get me a")
 * is not: the dialogue asks which one anyway. */
int voice_turn_unsure(const struct asr_hyp *h, size_t n, size_t chosen, int32_t margin);
/* The action a text asks for, for read-back: 1 when it would change the cart. */
int voice_turn_changes_cart(const char *text);
/* [job] Returns the session's decoder to the pool. */
void voice_turn_release(struct buddy_session *s);

#endif
