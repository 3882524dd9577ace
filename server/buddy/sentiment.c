/*
 * sentiment.c - a small valence lexicon with negation and intensity.
 *
 * The squash is x / sqrt(x*x + 15), so one mildly positive word gives about 0.25
 * and a string of strong ones approaches 1.  Negation flips (and damps) the valence
 * of the next three words; "not bad" ends up mildly positive, as people mean it.
 * Shouting (a run of capitals, "!!") is a cue of frustration, not of valence.
 */
#include "buddy/sentiment.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "buddy/text.h"

static const struct {
	const char *word;
	double valence;
} lexicon[] = {
	{ "great", 2.5 }, { "good", 1.8 }, { "nice", 1.8 }, { "perfect", 2.8 }, { "awesome", 3 },
	{ "excellent", 3 }, { "amazing", 3 }, { "wonderful", 3 }, { "fantastic", 3 },
	{ "love", 2.5 }, { "like", 0.5 }, { "thanks", 1.5 }, { "thank", 1.5 }, { "cool", 1.3 },
	{ "helpful", 2 }, { "brilliant", 2.8 }, { "lovely", 2.5 }, { "happy", 2.3 },
	{ "glad", 2 }, { "super", 2 }, { "fine", 0.8 }, { "easy", 1.2 }, { "cheers", 1.2 },
	{ "appreciate", 2 }, { "yay", 2.5 }, { "sweet", 1.5 }, { "best", 2 }, { "fast", 1 },
	{ "bad", -2.5 }, { "terrible", -3 }, { "awful", -3 }, { "horrible", -3 },
	{ "useless", -3 }, { "stupid", -3 }, { "dumb", -2.8 }, { "idiot", -3 }, { "hate", -3 },
	{ "wrong", -2 }, { "annoying", -2.5 }, { "annoyed", -2.5 }, { "ridiculous", -2.5 },
	{ "worst", -3 }, { "broken", -2 }, { "frustrating", -2.8 }, { "frustrated", -2.8 },
	{ "garbage", -3 }, { "rubbish", -3 }, { "ugh", -2 }, { "argh", -2.2 }, { "damn", -2.2 },
	{ "crap", -2.8 }, { "pointless", -2.8 }, { "hopeless", -2.8 }, { "slow", -1.5 },
	{ "confusing", -2 }, { "confused", -1.5 }, { "mad", -2.2 }, { "angry", -2.8 },
	{ "upset", -2.2 }, { "disappointed", -2.5 }, { "sucks", -2.8 }, { "suck", -2.8 },
	{ "fail", -2 }, { "failed", -2 }, { "wtf", -3 }, { "seriously", -1 }, { "sad", -2 },
	{ "pathetic", -3 }, { "incompetent", -3 }, { "mistake", -1.5 }, { "problem", -1.2 },
	{ "expensive", -0.8 }, { "sorry", -0.3 },
};

static const struct {
	const char *word;
	double factor;
} intensifiers[] = {
	{ "very", 1.5 }, { "really", 1.5 }, { "so", 1.4 }, { "extremely", 1.8 }, { "totally", 1.6 },
	{ "completely", 1.6 }, { "absolutely", 1.7 }, { "super", 1.5 }, { "incredibly", 1.8 },
	{ "quite", 1.2 }, { "bit", 0.5 }, { "slightly", 0.5 }, { "somewhat", 0.6 },
	{ "kinda", 0.6 }, { "little", 0.6 },
};

static const char *const negators[] = { "not", "never", "no", "nothing", "nobody", "neither",
	"nor", "without", "hardly" };

static double valence(const char *w)
{
	for (size_t i = 0; i < sizeof lexicon / sizeof *lexicon; i++)
		if (!strcmp(w, lexicon[i].word))
			return lexicon[i].valence;
	return 0;
}

int senti_is_emotive(const char *w)
{
	if (valence(w) != 0)
		return 1;
	static const char *const more[] = { "this", "is", "so", "very", "really", "just", "not",
		"you", "are", "it", "that", "again", "seriously", "oh", "god", "my", "come", "on" };
	for (size_t i = 0; i < sizeof more / sizeof *more; i++)
		if (!strcmp(w, more[i]))
			return 2;
	return 0;
}

double senti_score(const char *text)
{
	struct text_words t;
	text_split(text, &t);
	double sum = 0, boost = 1.0;
	int negate_left = 0;
	for (int i = 0; i < t.n; i++) {
		const char *w = t.w[i];
		int handled = 0;
		for (size_t k = 0; k < sizeof negators / sizeof *negators; k++) {
			if (!strcmp(w, negators[k])) {
				negate_left = 3;
				handled = 1;
			}
		}
		for (size_t k = 0; !handled && k < sizeof intensifiers / sizeof *intensifiers; k++) {
			if (!strcmp(w, intensifiers[k].word)) {
				boost *= intensifiers[k].factor;
				handled = 1;
			}
		}
		if (handled)
			continue;
		double v = valence(w);
		/* "no thanks", "thank you" aside: a polite "no" is not negative */
		if (!strcmp(w, "like") && i > 0 &&
		    (text_is(&t, i - 1, "would") || text_is(&t, i - 1, "i")))
			v = 0;
		if (v != 0) {
			if (negate_left > 0 && !(v > 0 && (!strcmp(w, "thanks") || !strcmp(w, "thank"))))
				v = -v * (v < 0 ? 0.5 : 0.75);
			sum += v * boost;
			boost = 1.0;
		} else if (strcmp(w, "a")) {
			boost = 1.0;
		}
		if (negate_left > 0)
			negate_left--;
	}
	if (text) {
		/* exclamation marks strengthen whatever was said */
		size_t bangs = 0;
		for (const char *p = text; *p && p - text < TEXT_MAX_INPUT; p++)
			bangs += *p == '!';
		if (bangs > 0 && sum != 0)
			sum *= 1.0 + 0.1 * (double)(bangs > 3 ? 3 : bangs);
	}
	return sum / sqrt(sum * sum + 15.0);
}

static const char *const cue_phrases[] = {
	"i said", "i already said", "i told you", "i just said", "are you listening",
	"you are not listening", "not listening", "not what i asked", "not what i said",
	"not what i wanted", "that is not what", "that is wrong", "you got it wrong",
	"wrong again", "how many times", "for the last time", "this is useless",
	"you are useless", "this is ridiculous", "this is stupid", "this is annoying",
	"doesnt work", "does not work", "not working", "what is wrong with you",
	"come on", "oh my god", "are you kidding", "are you serious", "listen to me",
	"again no", "no no no", "stop it", "forget it", "ugh", "argh",
	"give up", "i give up", "so annoying", "you are stupid", "you are not helping",
	"not helping", "useless", "again",
};

/* The letters of text are mostly capitals, with enough of them to mean it. */
static int shouting(const char *text)
{
	int upper = 0, letters = 0;
	for (const char *p = text; *p && p - text < TEXT_MAX_INPUT; p++) {
		if (isalpha((unsigned char)*p)) {
			letters++;
			upper += isupper((unsigned char)*p) != 0;
		}
	}
	return letters >= 2 && upper * 10 >= letters * 8;
}

int senti_cues(const char *text)
{
	if (!text)
		return 0;
	struct text_words t;
	text_split(text, &t);
	int cues = 0;
	for (size_t k = 0; k < sizeof cue_phrases / sizeof *cue_phrases; k++) {
		for (int i = 0; i < t.n; i++) {
			if (text_match(&t, i, t.n, cue_phrases[k])) {
				cues++;
				break;
			}
		}
	}
	if (shouting(text))
		cues++;
	/* "no!" or "No!!" opening the turn */
	if (t.n > 0 && text_is(&t, 0, "no") && strchr(text, '!'))
		cues++;
	if (strstr(text, "!!") || strstr(text, "?!"))
		cues++;
	return cues;
}

int senti_frustrated(double score, int cues, int recent_corrections)
{
	if (score <= -0.45)
		return 1;
	if (cues >= 2 || (cues >= 1 && score < -0.1))
		return 1;
	if (recent_corrections >= 2 && (cues >= 1 || score < 0))
		return 1;
	if (recent_corrections >= 3)
		return 1;
	return 0;
}
