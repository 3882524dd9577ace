/*
 * understand.c - the parser: clean, cut into clauses, read each, merge.
 *
 * Cleaning drops fillers ("um", filler "like", "you know"), stutters ("ba-
 * bananas"), repeated words ("the, the") and repeated pairs.  Clauses end at
 * connectors ("and", "then"), at self-corrections ("no wait", "i mean"), and before
 * a second strong verb ("add apples remove the milk").  A clause's intent is its
 * strongest trigger phrase (see lexicon.c); the other words fill slots.  Merging
 * follows how people talk: a clause without a verb continues the one before ("add
 * apples and two bags of coffee"); after a correction marker it replaces what it
 * names ("three apples, no wait, two"); "don't add the milk" takes the milk back out
 * of an earlier request in the same breath.
 */
#include "buddy/understand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/lexicon.h"
#include "buddy/match.h"
#include "buddy/numbers.h"

enum marker { MARK_NONE, MARK_AND, MARK_CORRECTION,
	MARK_KEPT };	/* after a removal: a product kept or wanted instead */

static const char *const intent_names[UND_INTENT_COUNT] = {
	"none", "search", "more_results", "cheaper", "info", "price", "stock", "add", "remove",
	"set_quantity", "less", "view_cart", "cart_total", "clear_cart", "checkout", "confirm",
	"deny", "order_status", "cancel_order", "undo", "help", "greeting", "thanks", "bye",
};

const char *und_intent_name(enum und_intent intent)
{
	if ((int)intent < 0 || intent >= UND_INTENT_COUNT)
		return "none";
	return intent_names[intent];
}

int und_item_has_ref(const struct und_item *it)
{
	return it->ref != UND_REF_NONE || it->nwords > 0 || it->pick != UND_PICK_NONE;
}

static int is_function_word(const char *w)
{
	static const char *const words[] = { "a", "an", "the", "to", "i", "in", "it", "on", "of",
		"for", "or", "and", "no", "so", "me", "my", "is", "be", "do", "at", "up", "as", "we",
		"he", "us", "one", "two", "ten", "six", "add", "get", "all", "any", "not", "can", "per" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(w, words[i]))
			return 1;
	return num_word(w) >= 0;
}

/* Command words typed in a hurry ("chekout", "remvoe", "cancle") read as meant: a
 * word of five letters or more, one edit from a command word, with its first letter. */
static void fix_command_typos(struct text_words *t)
{
	static const struct { const char *typo_of; const char *a, *b; } cmds[] = {
		{ "checkout", "check", "out" }, { "remove", "remove", NULL }, { "delete", "delete", NULL },
		{ "cancel", "cancel", NULL }, { "basket", "basket", NULL }, { "trolley", "trolley", NULL },
		{ "search", "search", NULL }, { "order", "order", NULL }, { "total", "total", NULL },
		{ "subtotal", "subtotal", NULL },
	};
	for (int i = 0; i < t->n; i++) {
		size_t len = strlen(t->w[i]);
		if (len < 4)
			continue;
		for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++) {
			/* "totl", "ordr": four letters only as a letter left out of a five */
			if (len == 4 && strlen(cmds[k].typo_of) != 5)
				continue;
			if (t->w[i][0] != cmds[k].typo_of[0] || !strcmp(t->w[i], cmds[k].typo_of) ||
			    match_edit_distance(t->w[i], cmds[k].typo_of, 1) != 1)
				continue;
			/* "orders", "totals", "removed": a real word, not a slip */
			char stem[TEXT_WORD_LEN];
			match_stem(t->w[i], stem, sizeof stem);
			if (!strncmp(stem, cmds[k].typo_of, strlen(stem)) && strlen(stem) < len)
				break;
			if (len > strlen(cmds[k].typo_of) && !strncmp(t->w[i], cmds[k].typo_of, strlen(cmds[k].typo_of)))
				break;
			snprintf(t->w[i], TEXT_WORD_LEN, "%s", cmds[k].a);
			if (cmds[k].b && t->n < TEXT_MAX_WORDS) {
				memmove(&t->w[i + 2], &t->w[i + 1], (size_t)(t->n - i - 1) * sizeof t->w[0]);
				memmove(&t->brk[i + 2], &t->brk[i + 1], (size_t)(t->n - i - 1) * sizeof t->brk[0]);
				snprintf(t->w[i + 1], TEXT_WORD_LEN, "%s", cmds[k].b);
				t->brk[i + 1] = t->brk[i];
				t->brk[i] = 0;
				t->n++;
				i++;
			}
			break;
		}
	}
}

/* "sdfghjkl", "jjjjjjjjjkkkk": keys mashed, no word */
static int is_mash(const char *w)
{
	size_t n = strlen(w);
	if (n < 5 || strchr(w, '.') || (w[0] >= '0' && w[0] <= '9'))
		return 0;
	int vowels = 0, run = 1, longest = 1;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < 'a' || w[i] > 'z')
			return 0;	/* "ch520", "xm5": a model */
		vowels += strchr("aeiouy", w[i]) != NULL;
		run = i > 0 && w[i] == w[i - 1] ? run + 1 : 1;
		if (run > longest)
			longest = run;
	}
	return vowels == 0 || longest >= 4;
}

void und_clean(const char *text, struct text_words *t)
{
	text_split(text, t);
	fix_command_typos(t);
	for (int i = 0; i < t->n;) {
		if (is_mash(t->w[i])) {
			unsigned char b = t->brk[i];
			text_delete(t, i, 1);
			if (i > 0 && b > t->brk[i - 1])
				t->brk[i - 1] = b;
		} else {
			i++;
		}
	}
	for (int i = 0; i < t->n;) {
		int n = lex_filler_at(t, i);
		if (n) {
			/* "typing on the bus lol. need toothpaste": the filler's pause stays */
			unsigned char b = t->brk[i + n - 1];
			text_delete(t, i, n);
			if (i > 0 && b > t->brk[i - 1])
				t->brk[i - 1] = b;
		} else {
			i++;
		}
	}
	/* "..., dear?", "... in me basket, ta": a word of address or thanks at the end of a
	 * sentence names no product */
	for (int i = 1; i < t->n;) {
		static const char *const address[] = { "dear", "ta", "mate", "love", "luv", "darling",
			"pal", "hun", "sweetie", "cheers", "buddy", "friend" };
		int end = i + 1 >= t->n || t->brk[i] == 2;
		int hit = 0;
		for (size_t k = 0; k < sizeof address / sizeof *address && !hit; k++)
			hit = text_is(t, i, address[k]);
		/* "love" and "cheers" only after a pause or thanks: "i would love ..." is a verb */
		int after_thanks = text_is(t, i - 1, "thanks") || text_is(t, i - 1, "please") ||
				   (text_is(t, i - 1, "you") && text_is(t, i - 2, "thank"));
		if (hit && end && (t->brk[i - 1] || after_thanks ||
				   !(text_is(t, i, "love") || text_is(t, i, "cheers") ||
				     text_is(t, i, "friend") || text_is(t, i, "buddy"))) &&
		    !(i == 1 && !t->brk[0])) {
			unsigned char b = t->brk[i];
			text_delete(t, i, 1);
			if (b > t->brk[i - 1])
				t->brk[i - 1] = b;
			continue;
		}
		i++;
	}
	/* "i could really use", "we really need": an intensifier inside a verb phrase */
	for (int i = 1; i + 1 < t->n;) {
		static const char *const subj[] = { "i", "we", "could", "would", "will", "do", "am",
			"just", "you" };
		int after = 0;
		for (size_t k = 0; k < sizeof subj / sizeof *subj && !after; k++)
			after = text_is(t, i - 1, subj[k]);
		if (after && (text_is(t, i, "really") || text_is(t, i, "truly") || text_is(t, i, "totally") ||
			      text_is(t, i, "kinda") || text_is(t, i, "definitely")) && !t->brk[i - 1])
			text_delete(t, i, 1);
		else
			i++;
	}
	for (int i = 0; i + 1 < t->n;) {
		const char *a = t->w[i], *b = t->w[i + 1];
		size_t la = strlen(a);
		if (!strcmp(a, b) || (i + 3 < t->n && !strcmp(a, t->w[i + 2]) &&
				      !strcmp(b, t->w[i + 3]))) {
			int count = strcmp(a, b) ? 2 : 1;
			for (int k = 0; k < count; k++)
				t->brk[i + k] = 0;
			text_delete(t, i, count);
			continue;
		}
		/* "ba bananas", "cof coffee": a cut-off start of the next word */
		if (la <= 4 && la < strlen(b) && !strncmp(a, b, la) && !is_function_word(a) &&
		    !(i > 0 && (num_word(t->w[i - 1]) >= 0 || strchr(t->w[i - 1], '.')))) {
			t->brk[i] = 0;
			text_delete(t, i, 1);
			continue;
		}
		i++;
	}
}

/* "and" that belongs to a number or a price range rather than joining clauses. */
/* "so" at i and a verb that changes the cart, with the product named after it
 * ("... so take her milk off"): the request begins there.  With only a pronoun after
 * it ("... so take that out"), what came before names the product: no cut. */
static int so_starts_request(const struct text_words *t, int i)
{
	struct lex_trigger tr;
	int verb = (lex_trigger_at(t, i + 1, i + 1, t->n, &tr) && tr.level >= 30 && !(tr.flags & LEX_SOFT) &&
		    (tr.intent == UND_ADD || tr.intent == UND_REMOVE || tr.intent == UND_SET)) ||
		   text_is(t, i + 1, "take") || text_is(t, i + 1, "put") || text_is(t, i + 1, "knock") ||
		   text_is(t, i + 1, "throw");
	/* "so I need a cable": a want, read as the clause it is in */
	if (!verb || lex_opens_context(t, i + 1, t->n))
		return 0;
	for (int j = i + 2; j < t->n; j++) {
		if (!lex_is_stopword(t->w[j]))
			return 1;
		if (t->brk[j])
			break;
	}
	return 0;
}

static int and_is_inside(const struct text_words *t, int i)
{
	if (!text_is(t, i, "and") || i == 0 || i + 1 >= t->n)
		return 0;
	long v;
	if ((text_is(t, i - 1, "hundred") || text_is(t, i - 1, "thousand")) && num_word(t->w[i + 1]) >= 0)
		return 1;
	if (text_is(t, i - 1, "dozen") && text_match(t, i, t->n, "and a half"))
		return 1;	/* "a dozen and a half" */
	int prev_num = num_word(t->w[i - 1]) >= 0 || text_is(t, i - 1, "dollars") ||
		       text_is(t, i - 1, "bucks") || strchr(t->w[i - 1], '.') != NULL;
	if (prev_num && num_parse(t, i + 1, t->n, &v) > 0) {
		for (int k = i - 1; k >= 0 && k >= i - 5; k--)
			if (text_is(t, k, "between"))
				return 1;
	}
	/* "12 dollars and 50 cents" */
	if ((text_is(t, i - 1, "dollars") || text_is(t, i - 1, "dollar")) && num_parse(t, i + 1, t->n, &v) > 0)
		return 1;
	return 0;
}

struct clause {
	int a, b;
	enum marker marker;
};

/* "take out the loaf, the bagels will do", "ditch the penne, keep the spaghetti",
 * "i don't want black tea, give me the green tea": after a removal and a pause, words
 * that keep, settle for or ask for a product name what stays, not one more thing to
 * take out.  The span [*ka, *kb) names it (the cue and the settling words left out);
 * *end is where the part said after the pause ends.  0 when it is no such part. */
static int kept_part(const struct text_words *t, int i, int *ka, int *kb, int *end)
{
	int e = i;
	while (e < t->n - 1 && !t->brk[e])
		e++;
	*end = e + 1;
	int a = i, b = e + 1, cue = 0;
	/* "i'll just have", "we can make do with" */
	if (text_is(t, a, "i") || text_is(t, a, "we"))
		a++;
	while (text_is(t, a, "will") || text_is(t, a, "can") || text_is(t, a, "could") || text_is(t, a, "just") ||
	       text_is(t, a, "only"))
		a++;
	int m = lex_keep_cue_at(t, a, b);
	if (m) {
		a += m;
		cue = 1;
	}
	for (int k = a + 1; k < b && !cue; k++)
		if (lex_settle_at(t, k, b)) {
			b = k;
			cue = 1;
		}
	int content = 0;
	for (int k = a; k < b && !content; k++)
		content = !lex_is_stopword(t->w[k]) && num_word(t->w[k]) < 0 && !text_is_digits(t->w[k]);
	/* "..., take out the bose", "..., take the bose off": a removal again */
	int removal = text_is(t, e, "out") || text_is(t, e, "off") || text_is(t, a, "out") || text_is(t, a, "off");
	for (int k = i; k <= e && !removal; k++) {
		struct lex_trigger tr;
		removal = lex_trigger_at(t, k, i, e + 1, &tr) && tr.intent == UND_REMOVE;
	}
	if (!cue || !content || removal)
		return 0;
	*ka = a;
	*kb = b;
	return 1;
}

/* "beans that aren't dark roast or decaf", "no nuts or dairy": "or" after a "not"
 * in the same breath lists more of what is not wanted. */
static int or_in_negation(const struct text_words *t, int start, int i)
{
	if (!text_is(t, i, "or") && !text_is(t, i, "nor"))
		return 0;
	for (int k = i - 1; k >= start; k--) {
		if (t->brk[k])
			return 0;
		if (lex_is_negator(t->w[k]))
			return 1;
	}
	return 0;
}

static int is_social(enum und_intent in)
{
	return in == UND_CONFIRM || in == UND_DENY || in == UND_GREET || in == UND_THANKS || in == UND_BYE;
}

/* Cuts [0, n) into clauses.  Returns how many. */
/* "cancel that last order": the "cancel" (m words at i) is said of an order named
 * before the pause, so it does not stand alone */
static int cancels_order(const struct text_words *t, int i, int m)
{
	if (!text_is(t, i, "cancel"))
		return 0;
	for (int k = i + m; k < t->n && k < i + m + 4; k++) {
		if (lex_is_order_word(t->w[k]))
			return 1;
		if (t->brk[k])
			break;
	}
	return 0;
}

/* A reason said about the thing just named: "they're cheaper", "it's got less
 * sugar", "those are too sweet" (not "that's all", "it's fine", "that's wrong"). */
static int reason_at(const struct text_words *t, int i)
{
	static const char *const subj[] = { "it", "they", "those", "these" };
	static const char *const be[] = { "is", "are", "has", "have", "tastes", "taste", "looks",
		"look" };
	/* ("it's the whole milk one", "it's for my mum": which one, or what for) */
	if (text_is(t, i + 2, "the") || text_is(t, i + 2, "a") || text_is(t, i + 2, "an") ||
	    text_is(t, i + 2, "my") || text_is(t, i + 2, "for") || num_word(t->w[i + 2]) >= 0 ||
	    text_is_digits(t->w[i + 2]))
		return 0;
	int s = 0, b = 0;
	for (size_t k = 0; k < sizeof subj / sizeof *subj; k++)
		s |= text_is(t, i, subj[k]);
	for (size_t k = 0; k < sizeof be / sizeof *be; k++)
		b |= text_is(t, i + 1, be[k]);
	return s && b && i + 2 < t->n && !t->brk[i + 1] && !lex_settle_at(t, i + 1, t->n) &&
	       !lex_correction_at(t, i, t->n) && !text_is(t, i + 2, "all") && !text_is(t, i + 2, "it");
}

static int split_clauses(const struct text_words *t, struct clause *out, int max)
{
	int n = 0, start = 0;
	enum marker next = MARK_NONE;
	int strong_seen = 0, content_since = 0;
	enum und_intent strong_intent = UND_NONE;	/* what the strong trigger asked */
#define CLOSE(end_)							\
	do {								\
		if ((end_) > start && n < max)				\
			out[n++] = (struct clause){ start, (end_), next }; \
		strong_seen = content_since = 0;			\
	} while (0)
	for (int i = 0; i < t->n;) {
		int m;
		struct lex_trigger tr;
		struct price_range pr = { -1, -1 };
		/* "but keep the eggs", "and leave the milk": nothing to do with those (after
		 * "clear the cart" they are what stays: the clause reads them as exceptions) */
		int clearing = 0;
		for (int k = start; k < i && !clearing; k++) {
			struct lex_trigger ct;
			clearing = lex_trigger_at(t, k, start, t->n, &ct) && ct.intent == UND_CLEAR_CART;
		}
		if (i > start && !clearing && (text_is(t, i, "but") || text_is(t, i, "and")) &&
		    (text_is(t, i + 1, "keep") || text_is(t, i + 1, "leave"))) {
			CLOSE(i);
			start = i = t->n;
			break;
		}
		/* "keep the bread but lose the butter": what is kept needs nothing done */
		if (i == start && (text_is(t, i, "keep") || text_is(t, i, "leave")) &&
		    !text_is(t, i + 1, "only") && !text_is(t, i + 1, "just")) {
			int j = i + 1;
			while (j < t->n && !text_is(t, j, "but") && !text_is(t, j, "and") && !t->brk[j - 1])
				j++;
			if (j < t->n && j > i + 1) {
				i = start = j + (text_is(t, j, "but") || text_is(t, j, "and"));
				continue;
			}
		}
		/* "nah, white ones, they're cheaper", "the plain one, it's got less sugar":
		 * after a pause, a pronoun and a verb of being say why, up to the next pause */
		if (i > start && t->brk[i - 1] && reason_at(t, i)) {
			CLOSE(i);
			int j = i;
			while (j < t->n - 1 && !t->brk[j])
				j++;
			i = start = j + 1;
			next = MARK_NONE;
			continue;
		}
		int ka, kb, kend;
		if (i > start && t->brk[i - 1] && strong_seen &&
		    (strong_intent == UND_REMOVE ||
		     (strong_intent == UND_ADD && (text_is(t, i - 1, "out") || text_is(t, i - 1, "off")))) &&
		    kept_part(t, i, &ka, &kb, &kend)) {
			CLOSE(i);
			if (n < max)
				out[n++] = (struct clause){ ka, kb, MARK_KEPT };
			i = start = kend;
			next = MARK_NONE;
			continue;
		}
		/* words of a price limit trigger nothing: "for no more than sixty dollars" */
		if ((m = price_parse_range(t, i, t->n, &pr)) > 0) {
			content_since = 1;
			i += m;
			continue;
		}
		/* "fine, buy it", "perfect, ring me up": a word that is a yes only when said
		 * alone, said alone before a pause */
		int alone_m = 0;
		if (i == start) {
			int b = i;
			while (b < t->n - 1 && b < i + 2 && !t->brk[b])
				b++;
			struct lex_trigger at;
			if (b < t->n - 1 && t->brk[b] && (alone_m = lex_trigger_at(t, i, i, b + 1, &at)) == b + 1 - i &&
			    (at.intent == UND_CONFIRM || at.intent == UND_GREET || at.intent == UND_THANKS) &&
			    !(lex_trigger_at(t, i, i, t->n, &tr) && is_social(tr.intent)))
				tr = at;
			else
				alone_m = 0;
		}
		/* a leading social phrase before more words: "yes, add apples", "hi, ..." */
		if (i == start && ((m = alone_m) || (m = lex_trigger_at(t, i, i, t->n, &tr))) && is_social(tr.intent) &&
		    i + m < t->n && !lex_connector_at(t, i + m, t->n) && !cancels_order(t, i, m) &&
		    !(tr.intent == UND_DENY && lex_correction_at(t, i, t->n) == m) &&
		    !(tr.intent == UND_DENY && (!strcmp(tr.phrase, "no") || !strcmp(tr.phrase, "nope")))) {
			CLOSE(i + m);
			next = MARK_NONE;
			i += m;
			start = i;
			continue;
		}
		/* "a dozen eggs... make it two dozen... eh, one's enough": after a pause, a
		 * count that settles corrects the count */
		long v;
		if (i > start && t->brk[i - 1] && (m = num_parse(t, i, t->n, &v)) && lex_settle_at(t, i + m, t->n)) {
			CLOSE(i);
			next = MARK_CORRECTION;
			start = i;
			i += m;
			continue;
		}
		if ((m = lex_correction_at(t, i, t->n)) && i + m < t->n) {
			if (i == 0 && (text_is(t, 0, "no") || text_is(t, 0, "nope"))) {
				/* "no, the bose one": a no that opens the turn */
				if (n < max)
					out[n++] = (struct clause){ 0, 1, MARK_NONE };
			} else {
				CLOSE(i);
			}
			next = MARK_CORRECTION;
			i += m;
			start = i;
			continue;
		}
		/* "add two watermelons, what's that come to": after a request and a pause,
		 * a question about the cart begins a clause of its own */
		if (i > start && t->brk[i - 1] && (strong_seen || content_since) &&
		    (text_is(t, i, "what") || text_is(t, i, "how"))) {
			int ask_cart = 0;
			for (int j = i + 1; j < t->n && j < i + 6 && !ask_cart; j++) {
				struct lex_trigger x;
				ask_cart = lex_trigger_at(t, j, i, t->n, &x) &&
					   (x.intent == UND_CART_TOTAL || x.intent == UND_VIEW_CART);
			}
			if (ask_cart) {
				CLOSE(i);
				next = MARK_NONE;
				start = i;
			}
		}
		if (i > start && t->brk[i - 1] == 2) {
			CLOSE(i);	/* a new sentence */
			next = MARK_NONE;
			start = i;
		}
		/* "jo's moved out so take her milk off": "so" and a verb that changes the
		 * cart begin the request; what came before is why */
		if (text_is(t, i, "so") && i > start && so_starts_request(t, i)) {
			CLOSE(i);
			next = MARK_NONE;
			i++;
			start = i;
			continue;
		}
		if ((m = lex_connector_at(t, i, t->n)) && !and_is_inside(t, i) && !or_in_negation(t, start, i)) {
			int empty = i == start;
			CLOSE(i);
			if (!(empty && next == MARK_CORRECTION))
				next = MARK_AND;
			i += m;
			start = i;
			continue;
		}
		if ((m = lex_trigger_at(t, i, start, t->n, &tr)) && (tr.flags & LEX_SUBJ) && text_is(t, i + m, "to"))
			m = 0;	/* "wants to know": no request */
		if (m && tr.intent == UND_CHECKOUT && price_parse_range(t, i + m, t->n, &pr) > 0)
			m = 0;	/* "i'd never pay above 25": a price, not the checkout */
		if (m) {
			/* "take out the last thing i put in", "remove the one we added": a verb
			 * after a subject inside the clause describes, it starts nothing */
			int relative = i >= 2 && (text_is(t, i - 1, "i") || text_is(t, i - 1, "we")) &&
				       !t->brk[i - 2] && !lex_connector_at(t, i - 2, t->n) &&
				       !text_is(t, i - 2, "and");
			/* ... and "tally please, i'll have a think": after a pause, a request
			 * that opens with its own subject begins anew */
			int paused = i > start && t->brk[i - 1] && (text_is(t, i, "i") || text_is(t, i, "we")) &&
				     strong_intent != UND_ADD && strong_intent != UND_REMOVE &&
				     strong_intent != UND_SET && strong_intent != UND_LESS;
			if (tr.level >= 30 && strong_seen && (content_since || paused) && !(tr.flags & LEX_FIXQTY) &&
			    !relative) {
				/* "sam wants oat milk, jo wants whole milk": jo begins the next */
				int at = i;
				if (tr.flags & LEX_SUBJ) {
					int sub = i;
					while (sub > start + 1 && !t->brk[sub - 1] && i - sub < 3)
						sub--;
					if (sub > start && t->brk[sub - 1])
						at = sub;
				}
				CLOSE(at);
				next = MARK_AND;
				start = at;
			}
			if (tr.level >= 10) {
				strong_seen = 1;
				strong_intent = tr.intent;
			}
			content_since = 0;
			i += m;
			continue;
		}
		if (!lex_is_stopword(t->w[i]))
			content_since = 1;
		i++;
	}
	CLOSE(t->n);
#undef CLOSE
	return n;
}

struct argstate {
	struct und_cmd *cmd;
	struct und_item *cur;	/* item being filled, or NULL */
	enum { MODE_ITEM, MODE_NEG, MODE_EXCEPT } mode;
	int new_on_content;	/* a comma closed the current item */
	int ctx;		/* inside a phrase of context ("for my niece") until a pause */
	int k;			/* the word being read */
	int with;		/* after "the bagels with": words describing the item until a pause */
};

static struct und_item *new_item(struct argstate *s)
{
	struct und_cmd *c = s->cmd;
	if (s->mode == MODE_EXCEPT) {
		if (c->nexcept >= UND_MAX_EXCEPT)
			return s->cur;
		s->cur = &c->except[c->nexcept++];
	} else {
		if (c->nitems >= UND_MAX_ITEMS)
			return s->cur;
		s->cur = &c->items[c->nitems++];
	}
	memset(s->cur, 0, sizeof *s->cur);
	s->cur->first = s->k;
	s->new_on_content = 0;
	s->ctx = 0;
	if (s->mode == MODE_NEG)
		s->mode = MODE_ITEM;
	return s->cur;
}

static struct und_item *item(struct argstate *s)
{
	return s->cur ? s->cur : new_item(s);
}

static void add_word(char words[][TEXT_WORD_LEN], int *n, const char *w)
{
	if (*n < UND_ITEM_WORDS)
		snprintf(words[(*n)++], TEXT_WORD_LEN, "%s", w);
}

static int is_content(const struct text_words *t, int k, int end)
{
	return k < end && !lex_is_stopword(t->w[k]) && num_word(t->w[k]) < 0 &&
	       !lex_is_cart_word(t->w[k]);
}

/* Pronoun and reference phrases at k; returns words used and sets ref. */
static int ref_phrase(const struct text_words *t, int k, int end, enum und_ref *ref)
{
	static const struct { const char *phrase; enum und_ref ref; } refs[] = {
		{ "all of them", UND_REF_THEM }, { "all of those", UND_REF_THEM },
		{ "both of them", UND_REF_THEM }, { "both of those", UND_REF_THEM },
		{ "both", UND_REF_THEM }, { "them all", UND_REF_THEM }, { "them", UND_REF_THEM },
		{ "those", UND_REF_THEM }, { "these", UND_REF_THEM }, { "they", UND_REF_THEM },
		{ "the other one", UND_REF_OTHER }, { "the other", UND_REF_OTHER },
		{ "other one", UND_REF_OTHER }, { "that one", UND_REF_IT }, { "this one", UND_REF_IT },
		{ "the same one", UND_REF_IT }, { "the same", UND_REF_IT }, { "same one", UND_REF_IT },
		{ "the rest of them", UND_REF_IT }, { "the rest of it", UND_REF_IT },
		{ "the rest", UND_REF_IT }, { "what is left of it", UND_REF_IT },
		{ "it all", UND_REF_ALL }, { "all of it", UND_REF_ALL }, { "everything", UND_REF_ALL },
		{ "the whole thing", UND_REF_ALL }, { "the lot", UND_REF_ALL },
		{ "all items", UND_REF_ALL }, { "the whole cart", UND_REF_ALL },
		{ "all the items", UND_REF_ALL }, { "it", UND_REF_IT }, { "that", UND_REF_IT },
		{ "this", UND_REF_IT },
	};
	for (size_t r = 0; r < sizeof refs / sizeof *refs; r++) {
		int n = text_match(t, k, end, refs[r].phrase);
		if (!n)
			continue;
		/* "that coffee", "this milk": a determiner, not a pronoun */
		if (refs[r].ref == UND_REF_IT && n == 1 && (text_is(t, k, "that") || text_is(t, k, "this")) &&
		    is_content(t, k + 1, end))
			return 0;
		if (refs[r].ref == UND_REF_THEM && n == 1 && is_content(t, k + 1, end))
			return 0;
		/* "the everything bagels", "the everything ones": a kind, not all */
		if (refs[r].ref == UND_REF_ALL && n == 1 &&
		    (is_content(t, k + 1, end) || text_is(t, k + 1, "one") || text_is(t, k + 1, "ones") ||
		     (k > 0 && text_is(t, k - 1, "the"))))
			return 0;
		*ref = refs[r].ref;
		return n;
	}
	/* "all" alone at the end: "remove all" */
	if (text_is(t, k, "all") && !is_content(t, k + 1, end)) {
		*ref = UND_REF_ALL;
		return 1;
	}
	return 0;
}

/* "cheapest", "the more expensive one"... sets pick and sort; returns words used. */
static int pick_phrase(const struct text_words *t, int k, int end, struct argstate *s)
{
	static const struct { const char *phrase; enum und_pick pick; int sort; } picks[] = {
		{ "lowest price to highest", UND_PICK_NONE, 1 }, { "low to high", UND_PICK_NONE, 1 },
		{ "lowest to highest", UND_PICK_NONE, 1 }, { "high to low", UND_PICK_NONE, 2 },
		{ "highest to lowest", UND_PICK_NONE, 2 }, { "highest price to lowest", UND_PICK_NONE, 2 },
		{ "least expensive", UND_PICK_CHEAPEST, 1 }, { "less expensive", UND_PICK_CHEAPEST, 1 },
		{ "lowest priced", UND_PICK_CHEAPEST, 1 }, { "lowest price", UND_PICK_CHEAPEST, 1 },
		{ "cheapest", UND_PICK_CHEAPEST, 1 }, { "cheaper", UND_PICK_CHEAPEST, 1 },
		{ "most expensive", UND_PICK_PRICIEST, 2 }, { "more expensive", UND_PICK_PRICIEST, 2 },
		{ "priciest", UND_PICK_PRICIEST, 2 }, { "pricier", UND_PICK_PRICIEST, 2 },
		{ "dearest", UND_PICK_PRICIEST, 2 }, { "highest priced", UND_PICK_PRICIEST, 2 },
		{ "bigger", UND_PICK_BIGGEST, 0 }, { "larger", UND_PICK_BIGGEST, 0 },
		{ "biggest", UND_PICK_BIGGEST, 0 }, { "largest", UND_PICK_BIGGEST, 0 },
		{ "smaller", UND_PICK_SMALLEST, 0 }, { "smallest", UND_PICK_SMALLEST, 0 },
		{ "cheap", UND_PICK_NONE, 1 }, { "affordable", UND_PICK_NONE, 1 },
		{ "budget", UND_PICK_NONE, 1 }, { "inexpensive", UND_PICK_NONE, 1 },
		{ "low cost", UND_PICK_NONE, 1 }, { "expensive", UND_PICK_NONE, 2 },
		{ "premium", UND_PICK_NONE, 2 }, { "high end", UND_PICK_NONE, 2 },
		{ "pricey", UND_PICK_NONE, 2 }, { "costly", UND_PICK_NONE, 2 },
	};
	for (size_t p = 0; p < sizeof picks / sizeof *picks; p++) {
		int n = text_match(t, k, end, picks[p].phrase);
		if (!n)
			continue;
		/* "white ones, they're cheaper": why the thing named was chosen, not which */
		if (k >= 2 && s->cur && s->cur->nwords && !text_is(t, k + n, "than") &&
		    (text_is(t, k - 1, "are") || text_is(t, k - 1, "is")) &&
		    (text_is(t, k - 2, "they") || text_is(t, k - 2, "it") || text_is(t, k - 2, "those") ||
		     text_is(t, k - 2, "these") || text_is(t, k - 2, "that")) &&
		    !(k >= 3 && (text_is(t, k - 3, "which") || text_is(t, k - 3, "what"))))
			return n;
		if (picks[p].sort)
			s->cmd->sort = picks[p].sort;
		/* "from cheapest to most expensive", "cheapest first": an order, not a pick */
		if ((k > 0 && text_is(t, k - 1, "from")) || text_is(t, k + n, "first") ||
		    (text_is(t, k + n, "to") && k + n + 1 < end)) {
			int used = n + (text_is(t, k + n, "first") ? 1 : 0);
			if (text_is(t, k + n, "to")) {
				struct argstate tmp = *s;
				struct und_cmd c2 = *s->cmd;
				tmp.cmd = &c2;
				tmp.cur = NULL;
				int m = pick_phrase(t, k + n + 1, end, &tmp);
				used = n + 1 + m;
			}
			return used;
		}
		enum und_pick pk = picks[p].pick;
		/* "the expensive ones", "the cheap one": one of those in mind, by price */
		if (pk == UND_PICK_NONE && k > 0 && text_is(t, k - 1, "the") &&
		    (text_is(t, k + n, "one") || text_is(t, k + n, "ones")))
			pk = picks[p].sort == 1 ? UND_PICK_CHEAPEST : UND_PICK_PRICIEST;
		/* "get rid of the expensive headphones", "make the cheap coffee two": in a
		 * change to the cart, which of the lines of that kind */
		if (pk == UND_PICK_NONE && k > 0 && text_is(t, k - 1, "the") && is_content(t, k + n, end) &&
		    (s->cmd->intent == UND_REMOVE || s->cmd->intent == UND_LESS || s->cmd->intent == UND_SET) &&
		    s->mode != MODE_NEG) {
			pk = picks[p].sort == 1 ? UND_PICK_CHEAPEST : UND_PICK_PRICIEST;
			s->cmd->sort = 0;
		}
		if (pk != UND_PICK_NONE) {
			struct und_item *it = item(s);
			if (it->ref != UND_REF_NONE && it->ref != UND_REF_WORDS && it->ref != UND_REF_IT)
				it = new_item(s);
			it->pick = pk;
		}
		/* "cheaper than the sony": a search below that product's price */
		if (text_is(t, k + n, "than") && (s->cmd->intent == UND_NONE || s->cmd->intent == UND_SEARCH ||
						  s->cmd->intent == UND_ADD)) {
			s->cmd->intent = UND_CHEAPER;
			if (s->cur)
				s->cur->pick = UND_PICK_NONE;
			n++;
		}
		if (text_is(t, k + n, "one") || text_is(t, k + n, "ones"))
			n++;
		/* "the cheaper of the two", "the cheapest of them": which of those, not how many */
		static const char *const of_those[] = { "of the two", "of the three", "of those two",
			"of these two", "of both", "of them", "of those", "of these", "of the lot" };
		for (size_t o = 0; o < sizeof of_those / sizeof *of_those; o++) {
			int m = text_match(t, k + n, end, of_those[o]);
			if (m) {
				n += m;
				break;
			}
		}
		return n;
	}
	return 0;
}

/* A quantity said at k; handles "x2", "times two", speech slips ("add to apples"). */
/* Words that join a thing's words into one phrase ("two bags of the gala apples",
 * "some cheap wireless headphones"). */
static int links_phrase(const struct text_words *t, int j)
{
	if (text_is(t, j, "the") || text_is(t, j, "a") || text_is(t, j, "an") || text_is(t, j, "of") ||
	    text_is(t, j, "some") || text_is(t, j, "any") || num_word(t->w[j]) >= 0 ||
	    text_is_digits(t->w[j]) || lex_is_unit(t->w[j]) || lex_size_unit(t->w[j]))
		return 1;
	struct und_cmd scratch;
	memset(&scratch, 0, sizeof scratch);
	struct argstate s = { &scratch, NULL, MODE_ITEM, 0, 0, j, 0 };
	return pick_phrase(t, j, j + 1, &s) == 1;
}

/* Sets wphrase for the item's last word, read at k: whether it begins a phrase and
 * whether a request cue opened that phrase (the clause start or the verb between
 * skip_a and skip_b, an article, "some", a number, "a bag of"). */
/* 1 when the clause from a to the pause after k says how things are ("the radio in my
 * van is broken", "pasta is my whole life now"): a story, not a list of things. */
static int story_clause(const struct text_words *t, int a, int k, int b)
{
	static const char *const be[] = { "is", "are", "was", "were", "am", "been", "isnt", "arent",
		"wasnt", "werent" };
	for (int j = a; j < b; j++) {
		for (size_t v = 0; v < sizeof be / sizeof *be; v++)
			if (text_is(t, j, be[v]))
				return 1;
		if (j >= k && t->brk[j])
			break;
	}
	return 0;
}

static void mark_phrase(const struct text_words *t, int a, int b, int skip_a, int skip_b, struct und_item *it,
			int k)
{
	int i = it->nwords - 1, j = k - 1, cue = 0, with = 0;
	for (; j >= a && !t->brk[j] && links_phrase(t, j) && !(j >= skip_a && j < skip_b); j--)
		cue |= !text_is(t, j, "the");
	it->wpos[i] = (unsigned char)k;
	if (i > 0 && j >= a && j == it->wpos[i - 1] && !t->brk[j]) {
		it->wphrase[i] = it->wphrase[i - 1] & (UND_PHRASE_CUED | UND_PHRASE_WITH | UND_PHRASE_STORY);
		return;
	}
	/* "headphones with up to 30 hours of battery": what it has, up to a pause */
	for (int w = j; i > 0 && w > it->wpos[i - 1] && w >= a && !t->brk[w] && !with; w--)
		with = text_is(t, w, "with");
	if (i > 0 && (it->wphrase[i - 1] & UND_PHRASE_WITH) && (j < a || !t->brk[j]))
		with = 1;
	/* (the clause start cues only when no request verb follows and the clause is no
	 * story: "my headset died mid match, i need ...", "the radio is broken, ...") */
	int story = story_clause(t, a, k, b);
	cue |= (j < a && (a == 0 || t->brk[a - 1]) && !(skip_b > skip_a && k < skip_a) && !story) ||
	       (j >= skip_a && j < skip_b) || (j >= a && t->brk[j]);
	it->wphrase[i] = (unsigned char)(UND_PHRASE_NEW | (cue ? UND_PHRASE_CUED : 0) |
					 (with ? UND_PHRASE_WITH : 0) | (story ? UND_PHRASE_STORY : 0));
}

static int quantity_at(const struct text_words *t, int k, int end, int first_arg, long *v)
{
	int n = num_parse(t, k, end, v);
	if (n)
		return n;
	/* ("need to sleep", "want to bake": an infinitive, not a slip) */
	if (first_arg && is_content(t, k + 1, end) && !(k > 0 && lex_takes_infinitive(t->w[k - 1]))) {
		static const struct { const char *w; long v; } slips[] = {
			{ "to", 2 }, { "too", 2 }, { "for", 4 }, { "won", 1 }, { "tree", 3 }, { "free", 3 },
		};
		for (size_t s = 0; s < sizeof slips / sizeof *slips; s++) {
			if (text_is(t, k, slips[s].w)) {
				*v = slips[s].v;
				return 1;
			}
		}
	}
	return 0;
}

/* Words of feeling that never name a product: "great, add it", "ugh, remove it". */
static int is_interjection(const char *w)
{
	static const char *const words[] = { "great", "awesome", "perfect", "excellent", "amazing",
		"wonderful", "fantastic", "cool", "brilliant", "lovely", "yay", "ugh", "argh", "damn",
		"wtf", "seriously", "cheers", "nice", "sweet", "super" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(w, words[i]))
			return 1;
	return 0;
}

/* 1 when the clause says something besides words of feeling ("great, two of that"). */
static int other_content(const struct text_words *t, int a, int b)
{
	for (int k = a; k < b; k++)
		if ((is_content(t, k, b) && !is_interjection(t->w[k])) || num_word(t->w[k]) >= 0)
			return 1;
	return 0;
}

static void parse_args(const struct text_words *t, int a, int b, int skip_a, int skip_b,
		       struct und_cmd *cmd)
{
	struct argstate s = { cmd, NULL, MODE_ITEM, 0, 0, a, 0 };
	int first_arg = 1;
	if (cmd->keep) {
		s.mode = MODE_EXCEPT;
	}
	for (int k = a; k < b;) {
		if (k >= skip_a && k < skip_b) {
			k = skip_b;
			continue;
		}
		int n, fa = first_arg && k == skip_b && (cmd->intent == UND_ADD || cmd->intent == UND_REMOVE);
		first_arg = 0;
		s.k = k;
		long v;
		int idx;
		enum und_ref ref;
		if (k > a && t->brk[k - 1])
			s.ctx = s.with = 0;	/* a pause ends a phrase of context */
		/* "remove the bagels with all the seeds on top", "take out the one with nuts
		 * in it": in a change to a cart line, what follows "with" describes the thing
		 * named (its description says it), up to a pause */
		if (s.mode == MODE_ITEM && !s.ctx && (cmd->intent == UND_REMOVE || cmd->intent == UND_LESS) &&
		    text_is(t, k, "with") && k > a &&
		    ((s.cur && s.cur->nwords > 0) || text_is(t, k - 1, "one") || text_is(t, k - 1, "ones"))) {
			s.with = 1;
			if (!s.cur)
				item(&s);
			k++;
			continue;
		}
		if (s.with) {
			/* "on top", "in it": where, not what */
			if (text_is(t, k, "on") || text_is(t, k, "in") || text_is(t, k, "inside"))
				s.with = 2;
			if (s.with == 1 && is_content(t, k, b) && !lex_is_negator(t->w[k]) && num_word(t->w[k]) < 0) {
				struct und_item *it = s.cur;
				add_word(it->words, &it->nwords, t->w[k]);
				if (it->ref == UND_REF_NONE)
					it->ref = UND_REF_WORDS;
				it->with = 1;
			}
			k++;	/* "all the", "on top", "in it": no other item */
			continue;
		}
		if (k > a && t->brk[k - 1] && s.cur && s.mode == MODE_NEG) {
			/* "milk, not dairy, the oat one": the same thing described on */
			s.mode = MODE_ITEM;
		} else if (k > a && t->brk[k - 1] && s.cur && s.mode == MODE_ITEM) {
			s.new_on_content = 1;
		}
		/* a target quantity is no price: "bump the blueberries up to four" */
		int changes = cmd->intent == UND_SET || cmd->intent == UND_LESS ||
			      cmd->intent == UND_REMOVE || (cmd->intent == UND_ADD && cmd->more);
		if (!changes && (n = price_parse_range(t, k, b, &cmd->price))) {
			k += n;
			continue;
		}
		/* "remove anything over 10 dollars": a limit said in money within a
		 * removal (a bare number there is a count) */
		if (cmd->intent == UND_REMOVE) {
			struct price_range pr = { -1, -1 };
			int money = 0;
			n = price_parse_range(t, k, b, &pr);
			for (int j = k; j < k + n; j++)
				money |= lex_is_money_word(t->w[j]);
			if (n && money) {
				cmd->price = pr;
				k += n;
				continue;
			}
		}
		if (lex_is_cart_word(t->w[k])) {
			cmd->cart_said = 1;
			k++;
			continue;
		}
		if (lex_is_order_word(t->w[k])) {
			int j = k + 1 + text_is(t, k + 1, "number");
			if (j < b && num_parse(t, j, b, &v) && v > 0)
				cmd->order_id = v, k = j + num_parse(t, j, b, &v);
			else
				k++;
			continue;
		}
		if ((n = text_match(t, k, b, "in stock"))) {
			k += n;
			continue;
		}
		int was_neg = s.mode == MODE_NEG;
		if ((n = pick_phrase(t, k, b, &s))) {
			if (was_neg && cmd->sort && is_content(t, k + n, b)) {
				/* "not the cheap tunebox ones": the words that follow are what is
				 * not wanted; the price word only describes them */
				cmd->sort = 0;
				struct und_item *it = item(&s);
				it->pick = UND_PICK_NONE;
			} else if (was_neg && cmd->sort) {
				/* "not the expensive ones": the other end */
				struct und_item *it = item(&s);
				it->pick = cmd->sort == 2 ? UND_PICK_CHEAPEST : UND_PICK_PRICIEST;
				cmd->sort = 3 - cmd->sort;
				s.mode = MODE_ITEM;
			}
			k += n;
			continue;
		}
		/* "pulp free", "caffeine free": without it */
		if (is_content(t, k, b) && text_is(t, k + 1, "free") && s.mode != MODE_EXCEPT) {
			struct und_item *it = item(&s);
			add_word(it->neg, &it->nneg, t->w[k]);
			add_word(it->words, &it->nwords, "free");	/* "caffeine free" may be a tag */
			if (it->ref == UND_REF_NONE)
				it->ref = UND_REF_WORDS;
			k += 2;
			continue;
		}
		/* "the single bananas", "individual ones": sold by the piece */
		if ((text_is(t, k, "single") || text_is(t, k, "individual") || text_is(t, k, "loose")) &&
		    !(k > a && (text_is(t, k - 1, "a") || text_is(t, k - 1, "an")))) {
			struct und_item *it = item(&s);
			add_word(it->words, &it->nwords, "each");
			if (it->ref == UND_REF_NONE)
				it->ref = UND_REF_WORDS;
			k++;
			continue;
		}
		/* "64 oz", "the 12 pack", "a 1 kg bag": a size, which may be the title's */
		{
			long sz = 0;
			int sn = strchr(t->w[k], '.') && t->w[k][0] >= '0' && t->w[k][0] <= '9' ? 1 :
				 num_parse(t, k, b, &sz);
			const char *unit = sn ? lex_size_unit(k + sn < b ? t->w[k + sn] : "") : NULL;
			/* "two twelve packs of water", "2 avocado 4 packs": how many was said,
			 * so a second number before "packs" is the size of one */
			if (sn && !unit && s.cur && (s.cur->qty || s.cur->article) && !s.cur->size_num[0] &&
			    k + sn < b && (text_is(t, k + sn, "packs") || text_is(t, k + sn, "pks")))
				unit = "pack";
			/* "one pack of bagels": how many packs; "a 12 pack of water": a size */
			int count_of = unit && !strcmp(unit, "pack") && text_is(t, k + sn + 1, "of") && sz > 0 &&
				       sz < 4 && !(k > a && (text_is(t, k - 1, "a") || text_is(t, k - 1, "an") ||
							     text_is(t, k - 1, "the")));
			if (sn >= 1 && unit && s.mode == MODE_ITEM && !text_is(t, k, "a") && !text_is(t, k, "an") &&
			    !text_is(t, k + sn - 1, "dozen") && !count_of) {
				struct und_item *it = item(&s);
				if (it->size_num[0])
					it = new_item(&s);
				snprintf(it->size_num, sizeof it->size_num, "%ld", sz);
				if (strchr(t->w[k], '.'))
					snprintf(it->size_num, sizeof it->size_num, "%s", t->w[k]);
				snprintf(it->size_unit, sizeof it->size_unit, "%s", unit);
				k += sn + 1;
				if (text_is(t, k, "of"))
					k++;
				continue;
			}
		}
		/* "not the 2%", "not the 1 kg": the size that is not wanted */
		if (s.mode == MODE_NEG && s.cur && text_is_digits(t->w[k]) && k + 1 < b &&
		    lex_size_unit(t->w[k + 1])) {
			add_word(s.cur->neg, &s.cur->nneg, t->w[k]);
			k += 2;
			continue;
		}
		/* "not a bunch": an article names no product */
		if (s.mode == MODE_NEG && (text_is(t, k, "a") || text_is(t, k, "an"))) {
			k++;
			continue;
		}
		/* "i'm not spending more than 70", "never paying over 20": the "not" is the
		 * price's, the verb between names nothing */
		if (text_is(t, k, "not") || text_is(t, k, "never")) {
			struct price_range tmp = { -1, -1 };
			int j = k + 1, lim = 0;
			for (; j < b && j <= k + 3 && !lim; j++)
				lim = price_parse_range(t, j, b, &tmp) > 0;
			if (lim) {
				k = j - 1;
				continue;
			}
		}
		/* "the kids won't touch that", "can't use my grinder", "no way i can carry
		 * it": a negated verb or a remark is about the situation up to the pause or
		 * the next clause ("..., so ground coffee please") */
		if (s.mode != MODE_EXCEPT && lex_situation_negation_at(t, k, b)) {
			if (s.cur && s.mode == MODE_ITEM && s.cur->nwords && !s.cur->qty && !s.cur->nneg) {
				int persons = 1;	/* "the kids" was the subject, no product */
				for (int w = 0; w < s.cur->nwords; w++)
					persons &= lex_is_person(s.cur->words[w]);
				if (persons) {
					s.cur->nwords = 0;
					s.cur->ref = UND_REF_NONE;
				}
			}
			int j = k + 1;
			while (j < b && !t->brk[j - 1] && !text_is(t, j, "so") && !text_is(t, j, "but") &&
			       !text_is(t, j, "because") && !text_is(t, j, "and"))
				j++;
			k = j;
			s.mode = MODE_ITEM;
			continue;
		}
		/* "no the kids ...", "ugh no, that one": an answer, not a kind of product */
		if (text_is(t, k, "no") && !lex_no_modifier(t, k, b) && !text_is(t, k + 1, "more") &&
		    !text_is(t, k + 1, "added")) {
			k++;
			continue;
		}
		if ((n = text_match(t, k, b, "but nothing from")) || (n = text_match(t, k, b, "nothing from")) ||
		    (n = text_match(t, k, b, "nothing by")) || (n = text_match(t, k, b, "none from")) ||
		    ((n = text_match(t, k, b, "anything but")) && (cmd->question = 1)) ||
		    (n = text_match(t, k, b, "but not")) || (n = text_match(t, k, b, "nothing with")) ||
		    (n = text_match(t, k, b, "nothing containing")) || (n = text_match(t, k, b, "nothing that has")) ||
		    (n = text_match(t, k, b, "nothing made with")) || (n = text_match(t, k, b, "none with")) ||
		    (n = text_match(t, k, b, "not")) || (n = text_match(t, k, b, "no")) ||
		    (n = text_match(t, k, b, "without"))) {
			if (!s.cur)
				new_item(&s);
			s.mode = MODE_NEG;
			k += n;
			continue;
		}
		if ((n = text_match(t, k, b, "except for")) || (n = text_match(t, k, b, "except")) ||
		    (n = text_match(t, k, b, "other than")) || (n = text_match(t, k, b, "apart from")) ||
		    (n = text_match(t, k, b, "besides")) ||
		    ((cmd->intent == UND_CLEAR_CART || (s.cur && s.cur->ref == UND_REF_ALL)) &&
		     (n = text_match(t, k, b, "but")))) {
			s.mode = MODE_EXCEPT;
			s.cur = NULL;
			k += n;
			continue;
		}
		/* "add milk first": an adverb, not "the first one" */
		if ((text_is(t, k, "first") || text_is(t, k, "last")) && s.cur && s.cur->nwords &&
		    !text_is(t, k - 1, "the") && !text_is(t, k + 1, "one")) {
			k++;
			continue;
		}
		/* "wait, first take the chips off": "first" before the verb orders the acts */
		struct lex_trigger verb;
		if (text_is(t, k, "first") && !text_is(t, k - 1, "the") && !text_is(t, k - 1, "my") &&
		    k + 1 < b && ((lex_trigger_at(t, k + 1, k + 1, b, &verb) && verb.level >= 30) ||
				  lex_act_word(t->w[k + 1], 'a') || lex_act_word(t->w[k + 1], 'c'))) {
			k++;
			continue;
		}
		if ((n = num_parse_ordinal(t, k, b, &idx))) {
			struct und_item *it = item(&s);
			if (it->ref != UND_REF_NONE || it->nwords)
				it = new_item(&s);
			it->ref = UND_REF_ORDINAL;
			it->ordinal = idx;
			k += n;
			continue;
		}
		/* "instead of the milk"; "swap the milk for oat milk" */
		if ((n = text_match(t, k, b, "instead of")) || (n = text_match(t, k, b, "rather than"))) {
			struct und_item *it = new_item(&s);
			it->instead = 1;
			k += n;
			continue;
		}
		if ((cmd->fix || cmd->intent == UND_SET) && s.cur && !s.cur->instead &&
		    (s.cur->nwords || s.cur->ref == UND_REF_IT || s.cur->ref == UND_REF_THEM) &&
		    (text_is(t, k, "for") || text_is(t, k, "with") || text_is(t, k, "to")) &&
		    is_content(t, k + 1 + text_is(t, k + 1, "the"), b)) {
			s.cur->instead = 1;
			new_item(&s);
			k++;
			continue;
		}
		/* "bananas for my niece", "socks because we're off camping", "the tea she
		 * likes": after the product is named, a preposition, a conjunction or a
		 * person starts words about the situation, not about the product */
		int named = (s.cur && (s.cur->nwords > 0 || s.cur->ref == UND_REF_ALL)) ||
			    (k > a && (text_is(t, k - 1, "thing") || text_is(t, k - 1, "stuff") ||
				       text_is(t, k - 1, "something") || text_is(t, k - 1, "one") ||
				       text_is(t, k - 1, "kind") || text_is(t, k - 1, "things")));
		/* "for brunch on sunday: a six pack of bagels", "before the game starts, two
		 * bags of apples": a clause that opens with a preposition of time or purpose
		 * is about the situation until the pause */
		int opens_clause = (k == a || t->brk[k - 1]) && k + 1 < b && !s.cur &&
				   (text_is(t, k, "for") || text_is(t, k, "before") || text_is(t, k, "after") ||
				    text_is(t, k, "during") || text_is(t, k, "since") || text_is(t, k, "because") ||
				    text_is(t, k, "when") || text_is(t, k, "while")) &&
				   !text_is_digits(t->w[k + 1]) && num_word(t->w[k + 1]) < 0;
		if (opens_clause && s.mode == MODE_ITEM) {
			int j = k + 1;
			while (j < b && !t->brk[j - 1])
				j++;
			if (j < b) {	/* only when more follows the pause */
				item(&s);
				s.ctx = 1;
				k++;
				continue;
			}
		}
		if (s.mode == MODE_ITEM && !s.ctx && named && lex_opens_context(t, k, b)) {
			item(&s);
			s.ctx = 1;
			k++;
			continue;
		}
		/* "all the fruit", "all of my sony stuff": every product of a kind */
		/* "two of each kind of bagel", "a couple of each": the count is for every one */
		if (text_is(t, k, "each") && s.cur && (s.cur->qty || s.cur->article) && !s.cur->nwords &&
		    s.mode == MODE_ITEM && k > a && (text_is(t, k - 1, "of") || num_word(t->w[k - 1]) >= 0)) {
			s.cur->every = 1;
			s.cur->ref = UND_REF_THEM;
			k++;
			while (k < b && (text_is(t, k, "kind") || text_is(t, k, "type") || text_is(t, k, "sort") ||
					 text_is(t, k, "of") || text_is(t, k, "the") || text_is(t, k, "one")))
				k++;
			if (is_content(t, k, b))
				s.cur->ref = UND_REF_WORDS;
			continue;
		}
		/* "i don't want any tea", "remove any bagels": every one of them */
		if (text_is(t, k, "any") && (cmd->intent == UND_REMOVE || cmd->negated) && s.mode == MODE_ITEM &&
		    is_content(t, k + 1, b)) {
			struct und_item *it = item(&s);
			if (it->nwords || it->ref != UND_REF_NONE)
				it = new_item(&s);
			it->every = 1;
			k++;
			continue;
		}
		if ((text_is(t, k, "all") || text_is(t, k, "both") || text_is(t, k, "every")) &&
		    s.mode == MODE_ITEM) {
			/* "all three bagel packs", "both bagels", "every mug" */
			int j = k + 1;
			while (j < b && (text_is(t, j, "the") || text_is(t, j, "of") || text_is(t, j, "my") ||
					 text_is(t, j, "those") || text_is(t, j, "these") || text_is(t, j, "kinds") ||
					 text_is(t, j, "types") || text_is(t, j, "sorts") || text_is(t, j, "kind") ||
					 (num_word(t->w[j]) > 1 && !text_is(t, k, "every"))))
				j++;
			if (is_content(t, j, b)) {
				struct und_item *it = item(&s);
				if (it->nwords || it->ref != UND_REF_NONE)
					it = new_item(&s);
				it->every = 1;
				k = j;
				continue;
			}
		}
		if (s.mode == MODE_NEG && (n = ref_phrase(t, k, b, &ref)) &&
		    (ref == UND_REF_IT || ref == UND_REF_THEM)) {
			/* "no wait, not those, the everything ones": what was meant is wrong;
			 * the words that follow say what instead */
			s.mode = MODE_ITEM;
			k += n;
			if (text_is(t, k, "one") || text_is(t, k, "ones"))
				k++;
			continue;
		}
		/* "the same amount of gala", "same number of the sourdough" */
		n = text_is(t, k, "the");
		if (text_is(t, k + n, "same") && k + n + 1 < b && lex_is_amount_word(t->w[k + n + 1])) {
			struct und_item *it = item(&s);
			if (it->ref != UND_REF_NONE && it->ref != UND_REF_WORDS)
				it = new_item(&s);
			it->same_qty = 1;
			k += n + 2 + text_is(t, k + n + 2, "of");
			continue;
		}
		/* "a tea that isn't green", "beans which are not decaf": "that" right
		 * after the thing named opens what is said about it */
		if ((text_is(t, k, "that") || text_is(t, k, "which")) && k > a && !t->brk[k - 1] && s.cur &&
		    s.mode == MODE_ITEM &&
		    ((s.cur->nwords && is_content(t, k - 1, b)) || text_is(t, k - 1, "one") ||
		     text_is(t, k - 1, "ones")) &&
		    (text_is(t, k + 1, "is") || text_is(t, k + 1, "are") || text_is(t, k + 1, "has") ||
		     text_is(t, k + 1, "have") || text_is(t, k + 1, "does") || text_is(t, k + 1, "do"))) {
			k++;
			continue;
		}
		if ((n = ref_phrase(t, k, b, &ref))) {
			/* "that's a bit much", "it looks good": a remark, not a request */
			static const char *const verbs[] = { "is", "are", "was", "looks", "seems",
				"sounds", "feels", "tastes", "costs" };
			for (size_t v2 = 0; v2 < sizeof verbs / sizeof *verbs && ref != UND_REF_ALL; v2++)
				if (text_is(t, k + n, verbs[v2]) && cmd->intent == UND_NONE)
					cmd->comment = 1;
			struct und_item *it = item(&s);
			if (it->ref != UND_REF_NONE && it->ref != UND_REF_WORDS)
				it = new_item(&s);
			if (it->ref == UND_REF_NONE || ref == UND_REF_ALL)
				it->ref = ref;
			k += n;
			continue;
		}
		/* "x2", "times two" after a product */
		if ((text_is(t, k, "x") || text_is(t, k, "times")) && s.cur && num_parse(t, k + 1, b, &v)) {
			s.cur->qty = (int)(v > 10000 ? 10000 : v);
			k += 1 + num_parse(t, k + 1, b, &v);
			continue;
		}
		/* "which one is cheaper", "which ones": a question word, not a count */
		if ((text_is(t, k, "one") || text_is(t, k, "ones")) && k > a && text_is(t, k - 1, "which")) {
			if (text_is(t, k, "ones"))
				cmd->ask = 2;
			k++;
			continue;
		}
		/* "the sony one": a pronoun one */
		/* ("too many bagels, just one", "make it one": a count) */
		int count_one = text_is(t, k, "one") && k > a &&
				(t->brk[k - 1] || text_is(t, k - 1, "just") || text_is(t, k - 1, "only") ||
				 text_is(t, k - 1, "it") || text_is(t, k - 1, "that") || text_is(t, k - 1, "them"));
		/* ("the no pulp one": a kind said by what it lacks) */
		if ((text_is(t, k, "one") || text_is(t, k, "ones")) && s.cur && !count_one &&
		    (und_item_has_ref(s.cur) || s.cur->size_num[0] || (s.mode == MODE_NEG && s.cur->nneg)) &&
		    !is_content(t, k + 1, b)) {
			s.cur->ones = 1;
			if (text_is(t, k, "ones") && s.cur->nwords && s.mode != MODE_NEG)
				s.cur->every = 1;
			k++;
			continue;
		}
		if (s.mode == MODE_NEG && s.cur && (s.cur->qty || s.cur->nwords) &&
		    (n = num_parse(t, k, b, &v)) && !is_content(t, k + n, b)) {
			k += n;		/* "one green tea, not two": the number that was wrong */
			s.mode = MODE_ITEM;
			continue;
		}
		/* "i've only got twenty dollars", "budget's 15 dollars": money is no count;
		 * said in a request it is what the shopper can spend */
		{
			int64_t cents;
			int m = price_parse_amount(t, k, b, 0, &cents);
			const char *u = m ? t->w[k + m - 1] : "";
			if (m && (!strcmp(u, "dollars") || !strcmp(u, "dollar") || !strcmp(u, "bucks") ||
				  !strcmp(u, "buck") || !strcmp(u, "cents") || !strcmp(u, "quid") ||
				  !strcmp(u, "euros"))) {
				if (!changes && cmd->price.max_cents < 0 && cmd->price.min_cents < 0)
					cmd->price.max_cents = cents;
				k += m;
				continue;
			}
		}
		if ((n = quantity_at(t, k, b, fa, &v))) {
			struct und_item *it = item(&s);
			int after_to = k > a && text_is(t, k - 1, "to");
			int to_cur = it->qty == 0 && !it->zero && (cmd->intent == UND_SET || after_to) &&
				     s.mode == MODE_ITEM;
			if (!to_cur && (und_item_has_ref(it) || it->qty || it->article || it->zero))
				it = new_item(&s);
			it->qty = (int)(v > 10000 ? 10000 : v);
			it->zero = v == 0;
			it->to = after_to;
			for (int j = k; j < k + n; j++)
				it->dozen |= text_is(t, j, "dozen");
			k += n;
			if (text_is(t, k, "more") || text_is(t, k, "extra")) {
				cmd->more = 1;
				if (cmd->intent == UND_NONE)
					cmd->intent = UND_ADD;
				k++;
			} else if (text_is(t, k, "less") || text_is(t, k, "fewer")) {
				cmd->intent = UND_LESS;
				k++;
			}
			if (text_is(t, k, "of"))
				k++;
			continue;
		}
		/* "put in another cheese", "add an extra banana"; "add a second pint": one
		 * more ("a second" before a pause is a moment: "wait a second, ...") */
		int second = (text_is(t, k, "a") || text_is(t, k, "an")) &&
			     (text_is(t, k + 1, "second") || text_is(t, k + 1, "third")) && k + 2 < b && !t->brk[k + 1] &&
			     (is_content(t, k + 2, b) || text_is(t, k + 2, "one"));
		if (second || text_is(t, k, "another") || (text_is(t, k, "extra") && is_content(t, k + 1, b))) {
			struct und_item *it = item(&s);
			if (und_item_has_ref(it) || it->qty || it->article)
				it = new_item(&s);
			if (!it->qty)
				it->qty = 1;
			cmd->more = 1;
			k += second ? 2 + text_is(t, k + 2, "one") : 1;
			continue;
		}
		/* "wait a second, add pears", "give me a minute": a moment, no product */
		if ((text_is(t, k, "a") || text_is(t, k, "one")) &&
		    (text_is(t, k + 1, "second") || text_is(t, k + 1, "sec") || text_is(t, k + 1, "minute") ||
		     text_is(t, k + 1, "moment")) && (k + 2 >= b || t->brk[k + 1])) {
			k += 2;
			continue;
		}
		if (text_is(t, k, "a") || text_is(t, k, "an")) {
			struct und_item *it = item(&s);
			if (und_item_has_ref(it) || it->qty || it->article)
				it = new_item(&s);
			it->article = 1;
			k++;
			continue;
		}
		/* "a tenner's worth of ground coffee", "five dollars worth of bananas": how
		 * much of it, asked for; "as long as" only leads to a condition */
		if (text_is(t, k, "tenner") || text_is(t, k, "fiver") || text_match(t, k, b, "as long as")) {
			if (!changes && cmd->price.max_cents < 0 && !text_is(t, k, "as"))
				cmd->price.max_cents = text_is(t, k, "tenner") ? 1000 : 500;
			if (text_is(t, k, "as")) {
				k += 3;	/* "as long as it's under ten": the condition's subject too */
				if ((text_is(t, k, "it") || text_is(t, k, "they") || text_is(t, k, "that")) &&
				    (text_is(t, k + 1, "is") || text_is(t, k + 1, "are") || text_is(t, k + 1, "costs")))
					k += 2;
			} else {
				k++;
			}
			continue;
		}
		if (text_is(t, k, "worth") && text_is(t, k + 1, "of")) {
			item(&s)->container = 1;
			k += 2;
			continue;
		}
		if (lex_is_unit(t->w[k]) && text_is(t, k + 1, "of")) {
			if (s.cur && s.mode == MODE_ITEM)
				s.cur->container = 1;	/* "a pack of", "two boxes of" */
			k += 2;
			continue;
		}
		/* "2 x shampoo", "2x shampoo": the count's sign */
		if ((text_is(t, k, "x") || text_is(t, k, "times")) && k > a && num_word(t->w[k - 1]) >= 0 &&
		    s.cur && s.cur->qty) {
			k++;
			continue;
		}
		if (!is_content(t, k, b)) {
			k++;
			continue;
		}
		/* "great, add it": a feeling about the request, not a product */
		if ((cmd->intent != UND_NONE || other_content(t, a, b)) && is_interjection(t->w[k]) &&
		    !(k > a && (text_is(t, k - 1, "the") || text_is(t, k - 1, "a") || text_is(t, k - 1, "an")) &&
		      is_content(t, k + 1, b))) {
			/* ("the sweet snack": a word of the thing, not of feeling) */
			k++;
			continue;
		}
		struct und_item *it = item(&s);
		if (s.mode == MODE_NEG) {
			add_word(it->neg, &it->nneg, t->w[k]);
		} else {
			if (s.new_on_content && it->nwords)
				it = new_item(&s);
			s.new_on_content = 0;	/* "cheaper, the oat milk": one item from here */
			int had = it->nwords;
			add_word(it->words, &it->nwords, t->w[k]);
			it->wctx[it->nwords - 1] = (unsigned char)s.ctx;
			if (it->nwords > had)
				mark_phrase(t, a, b, skip_a, skip_b, it, k);
			if (it->ref == UND_REF_NONE)
				it->ref = UND_REF_WORDS;
		}
		k++;
	}
}

/* The strongest trigger of a clause, by the rules in lexicon.c. */
static int choose_trigger(const struct text_words *t, int a, int b, struct lex_trigger *best,
			  int *pos, int *len, int *seen)
{
	int found = 0;
	for (int i = a; i < b;) {
		struct lex_trigger tr;
		struct price_range pr = { -1, -1 };
		/* "before the guests arrive, two bags of apples": words of a leading phrase
		 * about the situation trigger nothing */
		if ((i == a || t->brk[i - 1]) && (text_is(t, i, "before") || text_is(t, i, "after") ||
						  text_is(t, i, "during") || text_is(t, i, "since") ||
						  text_is(t, i, "because") || text_is(t, i, "when") ||
						  text_is(t, i, "while"))) {
			int j = i + 1;
			while (j < b && !t->brk[j - 1])
				j++;
			if (j < b) {
				i = j;
				continue;
			}
		}
		int m = price_parse_range(t, i, b, &pr);
		if (m > 0) {
			i += m;
			continue;
		}
		int n = lex_trigger_at(t, i, a, b, &tr);
		/* "she wants to know how much it is": a wish to do, not a thing wanted */
		if (n && (tr.flags & LEX_SUBJ) && text_is(t, i + n, "to"))
			n = 0;
		/* "ground coffee, any kind", "any brand is fine": which one does not matter */
		if (n && tr.intent == UND_SEARCH && !strcmp(tr.phrase, "any") && i > a &&
		    (text_is(t, i + 1, "kind") || text_is(t, i + 1, "sort") || text_is(t, i + 1, "type") ||
		     text_is(t, i + 1, "brand") || text_is(t, i + 1, "one") || text_is(t, i + 1, "will") ||
		     text_is(t, i + 1, "is")))
			n = 0;
		/* "guests arrive tonight", "my parents are arriving": people coming, no order */
		if (n && tr.intent == UND_ORDER_STATUS && tr.level <= 20 && i > a &&
		    (lex_is_person(t->w[i - 1]) ||
		     (i > a + 1 && lex_is_person(t->w[i - 2]) &&
		      (text_is(t, i - 1, "are") || text_is(t, i - 1, "is") || text_is(t, i - 1, "will")))))
			n = 0;
		/* "i'd never pay above 25": paying a price, not the checkout */
		struct price_range pp = { -1, -1 };
		if (n && tr.intent == UND_CHECKOUT && price_parse_range(t, i + n, b, &pp) > 0)
			n = 0;
		if (!n) {
			i++;
			continue;
		}
		seen[tr.intent] = 1;
		if (!found || tr.level > best->level) {
			*best = tr;
			*pos = i;
			*len = n;
			found = 1;
		}
		i += n;
	}
	return found;
}

static int only_units(const struct und_item *it)
{
	for (int i = 0; i < it->nwords; i++)
		if (!lex_is_unit(it->words[i]))
			return 0;
	return 1;
}

static void drop_item(struct und_cmd *c, int i)
{
	memmove(&c->items[i], &c->items[i + 1], (size_t)(c->nitems - i - 1) * sizeof c->items[0]);
	c->nitems--;
}

/* b's words after a's, each with what it was in b (a phrase of its own). */
static void take_words(struct und_item *a, const struct und_item *b)
{
	for (int w = 0; w < b->nwords && a->nwords < UND_ITEM_WORDS; w++) {
		int n = a->nwords;
		add_word(a->words, &a->nwords, b->words[w]);
		a->wctx[n] = b->wctx[w];
		a->wphrase[n] = (unsigned char)(b->wphrase[w] | (w == 0 ? UND_PHRASE_NEW : 0));
		a->wpos[n] = b->wpos[w];
	}
}

/* Pieces of one thing said apart: "chamomile tea, three boxes", "bread x2", "the
 * dark roast beans, the 12 ounce one", "strawberries, the organic ones".  A later
 * item that only counts, sizes or describes joins the item before it. */
static void join_items(struct und_cmd *c)
{
	for (int i = 1; i < c->nitems; i++) {
		struct und_item *a = &c->items[i - 1], *b = &c->items[i];
		/* "not the white eggs, the brown ones": the kind named in the "not" is the
		 * kind of the "ones"; only its other words are excluded */
		if (a->nwords == 0 && a->nneg >= 2 && b->ones && b->nwords > 0 && b->nneg == 0 &&
		    !b->instead && !a->instead) {
			char head[TEXT_WORD_LEN], word[TEXT_WORD_LEN];
			snprintf(head, sizeof head, "%s", a->neg[a->nneg - 1]);
			int has = 0;
			for (int w = 0; w < b->nwords; w++)
				has |= !strcmp(b->words[w], head);
			if (!has)
				add_word(b->words, &b->nwords, head);
			for (int w = 0; w + 1 < a->nneg; w++) {
				snprintf(word, sizeof word, "%s", a->neg[w]);
				add_word(b->neg, &b->nneg, word);
			}
			if (!b->qty)
				b->qty = a->qty;
			drop_item(c, i - 1);
			i--;
			continue;
		}
		/* "the unsweetened almond one, two of them": how many of the thing named */
		if (a->ref == UND_REF_WORDS && !a->qty && !a->zero && !a->instead && !b->instead &&
		    (b->ref == UND_REF_THEM || b->ref == UND_REF_IT) && b->nwords == 0 && b->qty > 0 &&
		    b->pick == UND_PICK_NONE) {
			a->qty = b->qty;
			a->article = 0;
			drop_item(c, i);
			i--;
			continue;
		}
		if (a->ref != UND_REF_WORDS || a->instead || b->instead || b->pick != UND_PICK_NONE ||
		    (b->ref != UND_REF_NONE && b->ref != UND_REF_WORDS))
			continue;
		int counts = (b->qty || b->zero) && only_units(b) && !a->qty && !a->zero;
		int sizes = b->size_num[0] && !a->size_num[0] && only_units(b) && !b->qty;
		int describes = b->ones && !b->qty && !b->article && b->nwords > 0 && !only_units(b);
		int bare = b->nwords > 0 && only_units(b) && !b->qty && !b->zero && !b->article &&
			   !b->size_num[0];	/* "the dark roast, the bag": a unit names nothing */
		if (!counts && !sizes && !describes && !bare)
			continue;
		if (bare)
			take_words(a, b);
		if (counts) {
			a->qty = b->qty;
			a->zero = b->zero;
			a->dozen = b->dozen;
			a->to = b->to;
		}
		if (b->size_num[0] && !a->size_num[0]) {
			memcpy(a->size_num, b->size_num, sizeof a->size_num);
			memcpy(a->size_unit, b->size_unit, sizeof a->size_unit);
		}
		if (describes)
			take_words(a, b);
		for (int w = 0; w < b->nneg; w++)
			add_word(a->neg, &a->nneg, b->neg[w]);
		drop_item(c, i);
		i--;
	}
	/* "not green tea" while asking for tea: the shared word is not excluded */
	for (int i = 0; i < c->nitems; i++) {
		struct und_item *it = &c->items[i];
		for (int n = 0; n < it->nneg; n++) {
			int shared = 0;
			for (int w = 0; w < it->nwords && !shared; w++) {
				char x[TEXT_WORD_LEN], y[TEXT_WORD_LEN];
				match_stem(it->neg[n], x, sizeof x);
				match_stem(it->words[w], y, sizeof y);
				shared = !strcmp(x, y);
			}
			if (shared && it->nneg > 1) {
				memmove(it->neg[n], it->neg[n + 1], (size_t)(it->nneg - n - 1) * sizeof it->neg[0]);
				it->nneg--;
				n--;
			}
		}
	}
}

/* A yes/no question about a product: an auxiliary verb opening the clause before the
 * thing asked about ("is the bread sliced", "do the sony earbuds come with a case",
 * "would the tea go well with milk"), or "can i put/use the mug in the dishwasher"
 * (in anything but the cart).  "do you have", "is there", "can i get" are not. */
static int yesno_question(const struct text_words *t, int a, int b)
{
	static const char *const aux[] = { "is", "are", "does", "do", "will", "would", "can",
		"could", "should", "has", "have" };
	static const char *const subj[] = { "the", "it", "they", "this", "that", "these", "those",
		"your" };
	static const char *const use[] = { "put", "use", "wash", "microwave", "freeze", "keep",
		"store", "cook", "heat", "boil" };
	int q = a;
	while (q < b && (text_is(t, q, "so") || text_is(t, q, "and") || text_is(t, q, "ok") ||
			 text_is(t, q, "okay") || text_is(t, q, "hey") || text_is(t, q, "well") ||
			 text_is(t, q, "but") || text_is(t, q, "hmm") || text_is(t, q, "also")))
		q++;
	if (q + 2 >= b)
		return 0;
	int is_aux = 0;
	for (size_t k = 0; k < sizeof aux / sizeof *aux && !is_aux; k++)
		is_aux = text_is(t, q, aux[k]);
	if (!is_aux)
		return 0;
	for (size_t k = 0; k < sizeof subj / sizeof *subj; k++)
		if (text_is(t, q + 1, subj[k]))
			return !(text_is(t, q + 1, "it") && text_is(t, q + 2, "in") && text_is(t, q + 3, "stock"));
	if (!(text_is(t, q, "can") || text_is(t, q, "could") || text_is(t, q, "should")) ||
	    !(text_is(t, q + 1, "i") || text_is(t, q + 1, "we")))
		return 0;
	int verb = 0;
	for (size_t k = 0; k < sizeof use / sizeof *use && !verb; k++)
		verb = text_is(t, q + 2, use[k]);
	if (!verb)
		return 0;
	if (!text_is(t, q + 2, "put"))
		return 1;
	/* "can i put the mug in the dishwasher": in something that is not the cart */
	for (int i = q + 3; i + 1 < b; i++) {
		if (!text_is(t, i, "in") && !text_is(t, i, "into") && !text_is(t, i, "on"))
			continue;
		int j = i + 1;
		while (j < b && (text_is(t, j, "the") || text_is(t, j, "a") || text_is(t, j, "my")))
			j++;
		return j < b && !lex_is_cart_word(t->w[j]);
	}
	return 0;
}

/* "that's everything", "i'm done" said in the clause, alone or not: the shopper has
 * finished choosing (the checkout phrases the lexicon lets stand only alone) */
static int done_said(const struct text_words *t, int a, int b)
{
	for (int i = a; i < b; i++)
		for (int e = i + 1; e <= b && e <= i + 4; e++) {
			struct lex_trigger tr;
			if (lex_trigger_at(t, i, i, e, &tr) == e - i && tr.intent == UND_CHECKOUT &&
			    (tr.flags & LEX_ALONE))
				return 1;
		}
	return 0;
}

/* Every word of the item is context ("everything for the wake"): it names nothing. */
static int only_context(const struct und_item *it)
{
	for (int w = 0; w < it->nwords; w++)
		if (!it->wctx[w] && !lex_is_stopword(it->words[w]))
			return 0;
	return 1;
}

static void parse_clause(const struct text_words *t, int a, int b, struct und_cmd *cmd)
{
	memset(cmd, 0, sizeof *cmd);
	cmd->price.min_cents = cmd->price.max_cents = -1;
	struct lex_trigger tr = { "", UND_NONE, 0, 0 };
	int pos = b, len = 0, seen[UND_INTENT_COUNT] = { 0 };
	if (choose_trigger(t, a, b, &tr, &pos, &len, seen)) {
		cmd->intent = tr.intent;
		cmd->soft = (tr.flags & LEX_SOFT) != 0;
		cmd->negated = (tr.flags & LEX_NEG) != 0;
		cmd->more = (tr.flags & LEX_MORE) != 0;
		cmd->keep = (tr.flags & LEX_KEEP) != 0;
		cmd->fix = (tr.flags & LEX_FIXQTY) != 0;
		cmd->done = tr.intent == UND_CHECKOUT && (tr.flags & LEX_ALONE);
		int weak = tr.level < 30;
		if (weak && (seen[UND_VIEW_CART] || cmd->intent == UND_VIEW_CART) &&
		    (seen[UND_PRICE] || seen[UND_CART_TOTAL]))
			cmd->intent = UND_CART_TOTAL;
		else if (weak && seen[UND_VIEW_CART] && (cmd->intent == UND_SEARCH || cmd->intent == UND_INFO))
			cmd->intent = UND_VIEW_CART;
		if (cmd->intent == UND_INFO && seen[UND_STOCK])
			cmd->intent = UND_STOCK;
		if (!strcmp(tr.phrase, "one more") || !strcmp(tr.phrase, "add one more") ||
		    !strcmp(tr.phrase, "another") || !strcmp(tr.phrase, "add another") ||
		    !strcmp(tr.phrase, "an extra") || !strcmp(tr.phrase, "same again"))
			cmd->qty = 1;
		if (!strcmp(tr.phrase, "one less") || !strcmp(tr.phrase, "one fewer"))
			cmd->qty = 1;
		int num = 0, den = 1;
		if (lex_count_factor_at(t, pos, a, b, &num, &den))
			cmd->times = 2 * num / den;	/* "double", "triple", "halve" */
	}
	/* "and the cookies out of my basket", "and the milk from the cart": the cart is
	 * where from, no question about it */
	if (cmd->intent == UND_VIEW_CART) {
		int j = pos - 1;
		if (j >= a && (text_is(t, j, "my") || text_is(t, j, "the")))
			j--;
		if (j >= a && (text_is(t, j, "from") || text_is(t, j, "off") ||
			       (text_is(t, j, "of") && j > a && text_is(t, j - 1, "out")))) {
			cmd->intent = UND_NONE;
			cmd->cart_said = 1;
		}
	}
	/* "two bags of the cheaper ones": which of them, not a search for cheaper ones;
	 * "nothing too pricey", "not too expensive": a wish about the price of what is
	 * asked for, not a search for cheaper ones either */
	if (cmd->intent == UND_CHEAPER && pos > a &&
	    (text_is(t, pos - 1, "the") || text_is(t, pos - 1, "nothing") || text_is(t, pos - 1, "not"))) {
		memset(cmd, 0, sizeof *cmd);
		cmd->price.min_cents = cmd->price.max_cents = -1;
		tr = (struct lex_trigger){ "", UND_NONE, 0, 0 };
		pos = b;
		len = 0;
		memset(seen, 0, sizeof seen);
		if (choose_trigger(t, a, b, &tr, &pos, &len, seen) && tr.intent != UND_CHEAPER) {
			cmd->intent = tr.intent;
			cmd->soft = (tr.flags & LEX_SOFT) != 0;
			cmd->more = (tr.flags & LEX_MORE) != 0;
		} else {
			tr = (struct lex_trigger){ "", UND_NONE, 0, 0 };
			pos = b;
			len = 0;
		}
	}
	/* a question: "which one is cheaper", "is there one without caffeine" */
	{
		int q = a;
		while (q < b && (text_is(t, q, "so") || text_is(t, q, "and") || text_is(t, q, "ok") ||
				 text_is(t, q, "okay") || text_is(t, q, "hey") || text_is(t, q, "well") ||
				 text_is(t, q, "but")))
			q++;
		cmd->ask = text_match(t, q, b, "which ones") ? 2 : text_is(t, q, "which") || text_match(t, q, b, "what is") ||
			   text_match(t, q, b, "what are") || text_match(t, q, b, "is there") ||
			   text_match(t, q, b, "are there") || text_match(t, q, b, "is it") ||
			   text_match(t, q, b, "are they") || text_match(t, q, b, "do you have") ||
			   text_match(t, q, b, "have you got") || text_match(t, q, b, "do they");
	}
	cmd->yesno = yesno_question(t, a, b);
	/* "which apples for a pie", "do you do oat milk": a question, however typed */
	{
		static const char *const opens[] = { "which", "what", "do", "does", "is", "are", "have",
			"has", "can", "could", "would", "should", "will", "how", "where", "why", "who",
			"any", "got" };
		int q = a;
		while (q < b && (text_is(t, q, "so") || text_is(t, q, "and") || text_is(t, q, "ok") ||
				 text_is(t, q, "okay") || text_is(t, q, "hey") || text_is(t, q, "well") ||
				 text_is(t, q, "but") || text_is(t, q, "hmm") || text_is(t, q, "also")))
			q++;
		for (size_t k = 0; k < sizeof opens / sizeof *opens; k++)
			cmd->question |= text_is(t, q, opens[k]);
		for (int i = a; i < b; i++)
			cmd->question |= text_is(t, i, "which") || text_match(t, i, b, "what kind") ||
					 (text_is(t, i, "what") && (text_is(t, i + 1, "can") || text_is(t, i + 1, "could") ||
								    text_is(t, i + 1, "do") || text_is(t, i + 1, "would") ||
								    text_is(t, i + 1, "should")));
		cmd->question |= cmd->ask || cmd->yesno;
		/* "for the vanilla one obviously", "with the lime one": the end of what
		 * was said before, not a request of its own */
		cmd->question |= text_is(t, q, "for") || text_is(t, q, "with") || text_is(t, q, "to") ||
				 text_is(t, q, "into");
	}
	if (cmd->yesno && (cmd->intent == UND_ADD || cmd->intent == UND_NONE))
		cmd->intent = UND_INFO;	/* "can i put the mug in the dishwasher?" */
	/* separable verbs: "take one lemon out", "put the milk back" */
	if (cmd->intent == UND_ADD && (!strcmp(tr.phrase, "take") || !strcmp(tr.phrase, "put") ||
				       !strcmp(tr.phrase, "get"))) {
		for (int i = pos + len; i < b; i++)
			if (text_is(t, i, "out") || text_is(t, i, "off") || text_is(t, i, "away") ||
			    text_is(t, i, "back"))
				cmd->intent = UND_REMOVE;
		/* "take the cheese and the milk out": the particle closes the list, in the
		 * clauses after "and" up to a pause or another verb */
		for (int i = b; i < t->n && cmd->intent == UND_ADD && !t->brk[i - 1]; i++) {
			/* ("we're out of milk" is no particle; "out of my basket" is) */
			int of_cart = text_is(t, i + 1, "of") &&
				      ((i + 2 < t->n && lex_is_cart_word(t->w[i + 2])) ||
				       (i + 3 < t->n && lex_is_cart_word(t->w[i + 3])));
			if ((text_is(t, i, "out") && (!text_is(t, i + 1, "of") || of_cart)) || text_is(t, i, "off") ||
			    text_is(t, i, "away")) {
				cmd->intent = UND_REMOVE;
				break;
			}
			struct lex_trigger other;
			if (lex_trigger_at(t, i, i, t->n, &other) && !text_is(t, i, "and"))
				break;
		}
	}
	/* "way too many bagels, just one": the count that follows corrects the line */
	for (int i = a; i < b; i++)
		if (text_match(t, i, b, "too many") || text_match(t, i, b, "too much"))
			cmd->correction = 1;
	if (text_match(t, a, b, "what about") || text_match(t, a, b, "how about") ||
	    text_match(t, a, b, "and what about") || text_match(t, a, b, "what of"))
		cmd->follow = 1;
	cmd->buy = !strcmp(tr.phrase, "buy me") || !strcmp(tr.phrase, "just buy");
	for (int i = a; i < b; i++)
		cmd->polite |= text_is(t, i, "please") || text_is(t, i, "pls") || text_is(t, i, "plz");
	/* "cut the sparkling water in half", "double the bananas", "can you triple the
	 * apples": a multiple of what is there */
	for (int i = a; i < b; i++) {
		int num = 0, den = 1;
		if (lex_count_factor_at(t, i, a, b, &num, &den)) {
			cmd->intent = UND_SET;
			cmd->times = 2 * num / den;
		}
	}
	/* "baby spinach will do then", "the small bag would do": the thing named is what
	 * the shopper settles for, a request */
	int end = b;
	/* "a loaf of the sourdough thanks": thanks after what is asked for */
	if (cmd->intent == UND_THANKS && pos > a && pos + len == b && is_content(t, pos - 1, b)) {
		cmd->intent = UND_NONE;
		cmd->polite = 1;
		end = pos;
		pos = b;
		len = 0;
		tr = (struct lex_trigger){ "", UND_NONE, 0, 0 };
	}
	for (int i = a + 1; i < b; i++) {
		int m = lex_settle_at(t, i, b);
		if (!m || (pos < b && i < pos + len))
			continue;
		int j = i + m;
		while (j < b && (text_is(t, j, "then") || text_is(t, j, "thanks") || text_is(t, j, "please") ||
				 text_is(t, j, "fine") || text_is(t, j, "i") || text_is(t, j, "think") ||
				 text_is(t, j, "guess") || text_is(t, j, "for") || text_is(t, j, "now")))
			j++;
		if (j == b && is_content(t, i - 1, b)) {
			cmd->polite = 1;
			end = i;
			break;
		}
		/* "no, two is fine", "one's enough": how many it settles for */
		if (j == b && num_word(t->w[i - 1]) >= 0) {
			end = i;
			break;
		}
	}
	/* "sam wants oat milk", "the kids need juice": who wants it is no product */
	int from = pos;
	if ((tr.flags & LEX_SUBJ) && pos < b) {
		int sub = pos;
		while (sub > a && !t->brk[sub - 1] && pos - sub < 4 && num_word(t->w[sub - 1]) < 0 &&
		       !text_is(t, sub - 1, "a") && !text_is(t, sub - 1, "an"))
			sub--;
		if (sub == a || t->brk[sub - 1])
			from = sub;
	}
	parse_args(t, a, end, from, pos + len, cmd);
	join_items(cmd);
	for (int i = 0; i < cmd->nitems; i++)
		cmd->polite |= cmd->items[i].container && (cmd->items[i].article || cmd->items[i].qty);
	/* "i need 18 bagels altogether", "24 cans in total": how many there should be in
	 * all, not the cart's total */
	if (cmd->intent == UND_CART_TOTAL && cmd->nitems > 0 && cmd->items[0].qty > 0 &&
	    cmd->items[0].ref == UND_REF_WORDS && cmd->items[0].nwords > 0) {
		cmd->intent = UND_ADD;
		cmd->soft = 1;
	}
	/* "how many bags of chips do i have": a question about the cart */
	for (int i = a; i + 1 < b; i++)
		if (text_is(t, i, "i") && (text_is(t, i + 1, "have") || text_is(t, i + 1, "got")) &&
		    (cmd->intent == UND_STOCK || cmd->intent == UND_INFO))
			cmd->cart_said = 1, cmd->intent = UND_STOCK;
	/* "reduce the socks to one", "bump the blueberries up to four": a target */
	if ((cmd->intent == UND_LESS || (cmd->intent == UND_ADD && cmd->more)) && cmd->nitems > 0 &&
	    cmd->items[0].to && (cmd->items[0].qty || cmd->items[0].zero))
		cmd->intent = UND_SET, cmd->more = 0;
	if (cmd->intent == UND_DENY && !strcmp(tr.phrase, "cancel")) {
		int order = 0;
		for (int i = a; i < b; i++)
			order |= lex_is_order_word(t->w[i]);
		if (order)
			cmd->intent = UND_CANCEL_ORDER;
		else if (cmd->nitems > 0 && und_item_has_ref(&cmd->items[0]))
			cmd->intent = UND_REMOVE;
	}
	/* "cancel the tea order", "cancel the order with the kettle": "cancel" with an
	 * order word cancels an order, whatever trigger won */
	if (cmd->intent == UND_REMOVE || cmd->intent == UND_DENY || cmd->intent == UND_ORDER_STATUS) {
		/* "i ordered a kettle by mistake, can you cancel that": the past order said */
		int order = cmd->intent == UND_ORDER_STATUS, cancel = 0;
		for (int i = a; i < b; i++) {
			order |= lex_is_order_word(t->w[i]);
			cancel |= text_is(t, i, "cancel");
		}
		if (order && cancel)
			cmd->intent = UND_CANCEL_ORDER;
	}
	if (cmd->intent == UND_CANCEL_ORDER) {
		/* the products said name the order ("the tea order") */
		cmd->norder_words = 0;
		for (int k = 0; k < cmd->nitems; k++)
			for (int w = 0; w < cmd->items[k].nwords && cmd->norder_words < UND_ITEM_WORDS; w++) {
				const char *x = cmd->items[k].words[w];
				if (lex_is_order_word(x) || lex_is_common(x) || lex_is_stopword(x) ||
				    !strcmp(x, "cancel") || lex_is_cart_word(x))
					continue;
				snprintf(cmd->order_words[cmd->norder_words++], TEXT_WORD_LEN, "%s", x);
			}
	}
	/* "buy it now", "order them please": a buy of what is meant; with nothing in mind
	 * that is the cart (dialogue.c goes to the checkout).  "that's everything,
	 * please order it", "order it all": the shopper is done, so it is the cart */
	if (cmd->intent == UND_ADD && (!strcmp(tr.phrase, "buy") || !strcmp(tr.phrase, "order")) &&
	    cmd->nitems > 0) {
		int pron = 1, all = done_said(t, a, b);
		for (int i = 0; i < cmd->nitems; i++) {
			const struct und_item *it = &cmd->items[i];
			all |= it->ref == UND_REF_ALL;
			pron &= (it->ref == UND_REF_IT || it->ref == UND_REF_THEM ||
				 (it->ref == UND_REF_ALL && only_context(it))) &&
				(it->nwords == 0 || only_context(it)) && it->qty == 0 && !it->nneg;
		}
		if (pron && all) {
			cmd->intent = UND_CHECKOUT;
			cmd->nitems = 0;
		} else {
			cmd->buy |= pron;
		}
	}
	if (cmd->intent == UND_ORDER_STATUS || cmd->intent == UND_CANCEL_ORDER) {
		/* "cancel order 12", "where is order number 7" */
		for (int i = a; i < b && cmd->order_id == 0; i++) {
			long v = num_word(t->w[i]);
			if (v > 0 && text_is_digits(t->w[i]))
				cmd->order_id = v;
		}
		cmd->nitems = 0;
	}
	/* "actually none of that", "none of those": take back what was just added */
	for (int i = a; i + 2 < b + 1 && i + 1 < b; i++) {
		if (text_is(t, i, "none") && text_is(t, i + 1, "of") &&
		    (text_is(t, i + 2, "that") || text_is(t, i + 2, "those") || text_is(t, i + 2, "it") ||
		     text_is(t, i + 2, "them") || text_is(t, i + 2, "this") || text_is(t, i + 2, "these")) &&
		    (cmd->intent == UND_NONE || cmd->intent == UND_DENY || cmd->intent == UND_UNDO ||
		     cmd->intent == UND_REMOVE || cmd->intent == UND_ADD)) {
			cmd->intent = UND_UNDO;
			cmd->undo_all = 1;
			cmd->nitems = 0;
			break;
		}
	}
	if (cmd->intent == UND_REMOVE && cmd->nitems == 1 && cmd->items[0].ref == UND_REF_ALL &&
	    cmd->items[0].nwords == 0)
		cmd->intent = UND_CLEAR_CART, cmd->nitems = 0;
	/* "remove all the bagels", "delete all three mugs": every one of a kind, not the cart */
	if (cmd->intent == UND_CLEAR_CART && cmd->nitems > 0 && cmd->nexcept == 0 &&
	    cmd->items[0].ref == UND_REF_WORDS && cmd->items[0].nwords > 0 &&
	    (!strcmp(tr.phrase, "remove all") || !strcmp(tr.phrase, "delete all") ||
	     !strcmp(tr.phrase, "get rid of everything") || !strcmp(tr.phrase, "take everything out"))) {
		cmd->intent = UND_REMOVE;
		cmd->items[0].every = 1;
	}
	if (cmd->intent == UND_CLEAR_CART)
		cmd->nitems = 0;
	/* "what is the cheapest coffee": a search answered with one product */
	if ((cmd->intent == UND_INFO || cmd->intent == UND_NONE) && cmd->nitems > 0 &&
	    cmd->items[0].pick != UND_PICK_NONE && cmd->items[0].nwords > 0 &&
	    cmd->items[0].ref == UND_REF_WORDS) {
		int named = 0;	/* "the cheap one is fine": nothing named */
		for (int i = 0; i < cmd->items[0].nwords; i++)	/* "the smaller bag": no name */
			named |= !lex_is_common(cmd->items[0].words[i]) && !lex_is_unit(cmd->items[0].words[i]);
		if (named)
			cmd->intent = UND_SEARCH;
	}
	if ((cmd->intent == UND_INFO || cmd->intent == UND_NONE || cmd->intent == UND_PRICE) &&
	    (cmd->price.min_cents >= 0 || cmd->price.max_cents >= 0) &&
	    !(cmd->intent == UND_NONE && cmd->polite))
		cmd->intent = UND_SEARCH;	/* "fruit that costs more than five dollars" */
	/* "then two bags", "three boxes": a count and a container name no product; they
	 * count the one in mind */
	for (int i = 0; i < cmd->nitems; i++) {
		struct und_item *it = &cmd->items[i];
		if (it->ref == UND_REF_WORDS && it->nwords > 0 && only_units(it) && it->qty > 0 &&
		    !it->nneg && it->pick == UND_PICK_NONE && !it->size_num[0] && cmd->nitems == 1 &&
		    (cmd->intent == UND_NONE || cmd->intent == UND_ADD)) {
			it->ref = UND_REF_IT;
			it->nwords = 0;
		}
	}
	/* quantities with nothing named refer to the product in focus: "make it three" */
	int acts = cmd->intent == UND_ADD || cmd->intent == UND_REMOVE || cmd->intent == UND_SET ||
		   cmd->intent == UND_LESS;
	for (int i = 0; acts && i < cmd->nitems; i++)
		if (!und_item_has_ref(&cmd->items[i]) && (cmd->items[i].qty || cmd->items[i].article ||
							  cmd->items[i].zero))
			cmd->items[i].ref = UND_REF_IT;
	if (acts && cmd->nitems == 0) {
		cmd->nitems = 1;
		memset(&cmd->items[0], 0, sizeof cmd->items[0]);
		cmd->items[0].ref = UND_REF_IT;
		if (cmd->intent == UND_SET || cmd->intent == UND_ADD)
			cmd->items[0].qty = cmd->qty > 0 ? cmd->qty : 0;
	}
	if (cmd->intent == UND_LESS && cmd->qty > 0 && cmd->nitems > 0 && cmd->items[0].qty == 0)
		cmd->items[0].qty = cmd->qty;
	if (cmd->intent == UND_ADD && cmd->more && cmd->qty > 0 && cmd->nitems > 0 &&
	    cmd->items[0].qty == 0)
		cmd->items[0].qty = cmd->qty;
}

static int cmd_is_empty(const struct und_cmd *c)
{
	return c->intent == UND_NONE && c->nitems == 0 && c->nexcept == 0 && c->qty == 0 &&
	       c->price.min_cents < 0 && c->price.max_cents < 0 && c->sort == 0;
}

static int continues(enum und_intent in)
{
	return in == UND_ADD || in == UND_REMOVE || in == UND_SEARCH || in == UND_INFO ||
	       in == UND_PRICE || in == UND_STOCK || in == UND_SET || in == UND_LESS;
}

void und_amend_item(struct und_item *dst, const struct und_item *src)
{
	if (src->qty)
		dst->qty = src->qty;
	/* "two of them", "make it three": only how many */
	int pronoun = (src->ref == UND_REF_IT || src->ref == UND_REF_THEM) && !src->nwords;
	if (src->nwords || (src->ref != UND_REF_NONE && !pronoun) || (pronoun && !src->qty)) {
		int qty = dst->qty;
		struct und_item old = *dst;
		*dst = *src;
		dst->qty = src->qty ? src->qty : qty;
		/* "the everything bagels, no, the plain ones": the same kind of thing */
		if (src->ones && src->nwords > 0 && old.ref == UND_REF_WORDS && old.nwords > 1) {
			const char *head = old.words[old.nwords - 1];
			int has = 0;
			for (int i = 0; i < dst->nwords; i++)
				has |= !strcmp(dst->words[i], head);
			if (!has)
				add_word(dst->words, &dst->nwords, head);
		}
	} else if (src->size_num[0] && !src->qty) {
		/* "whole milk, i mean two percent": the same thing in that size */
		struct und_item old = *dst;
		*dst = *src;
		dst->qty = old.qty;
		if (old.ref == UND_REF_WORDS && old.nwords > 0) {
			add_word(dst->words, &dst->nwords, old.words[old.nwords - 1]);
			dst->ref = UND_REF_WORDS;
		}
	} else if (src->nneg) {
		for (int i = 0; i < src->nneg; i++) {
			add_word(dst->neg, &dst->nneg, src->neg[i]);
			/* "juice with pulp, no, without": the word is now ruled out */
			char x[TEXT_WORD_LEN], y[TEXT_WORD_LEN];
			match_stem(src->neg[i], x, sizeof x);
			for (int w = 0; w < dst->nwords && dst->nwords > 1; w++) {
				match_stem(dst->words[w], y, sizeof y);
				if (strcmp(x, y))
					continue;
				memmove(dst->words[w], dst->words[w + 1], (size_t)(dst->nwords - w - 1) * sizeof dst->words[0]);
				memmove(&dst->wctx[w], &dst->wctx[w + 1], (size_t)(dst->nwords - w - 1));
				memmove(&dst->wphrase[w], &dst->wphrase[w + 1], (size_t)(dst->nwords - w - 1));
				memmove(&dst->wpos[w], &dst->wpos[w + 1], (size_t)(dst->nwords - w - 1));
				dst->nwords--;
				w--;
			}
		}
	}
}

/* "orange juice with pulp - no actually without": a correction that is only
 * "without" (or "no") takes back what "with" added before it.  Fills c with one
 * item ruling those words out and returns 1. */
static int dangling_without(const struct text_words *t, int a, int b, struct und_cmd *c)
{
	int k = a;
	while (k < b && (text_is(t, k, "no") || text_is(t, k, "actually") || text_is(t, k, "wait") ||
			 text_is(t, k, "sorry") || text_is(t, k, "oh") || text_is(t, k, "make") ||
			 text_is(t, k, "it") || text_is(t, k, "that")))
		k++;
	if (k >= b || !(text_is(t, k, "without") || text_is(t, k, "no")) || !(k + 1 == b || t->brk[k]))
		return 0;
	int with = -1;
	for (int j = a - 1; j >= 0 && j >= a - 12 && with < 0; j--)
		if (text_is(t, j, "with"))
			with = j;
	struct und_item it;
	memset(&it, 0, sizeof it);
	for (int j = with + 1; with >= 0 && j < a && !(j > with + 1 && t->brk[j - 1]); j++) {
		if (lex_correction_at(t, j, b) || !is_content(t, j, b))
			break;
		add_word(it.neg, &it.nneg, t->w[j]);
	}
	/* "strawberries, the organic ones - no, without": the kind said by "the X ones" */
	for (int j = a - 1; with < 0 && j > 0 && j >= a - 6; j--) {
		if (!text_is(t, j, "one") && !text_is(t, j, "ones"))
			continue;
		int d = j - 1;
		while (d >= 0 && d > j - 4 && !text_is(t, d, "the") && is_content(t, d, j))
			d--;
		if (d < 0 || !text_is(t, d, "the"))
			break;
		for (int w = d + 1; w < j; w++)
			add_word(it.neg, &it.nneg, t->w[w]);
		break;
	}
	if (!it.nneg)
		return 0;
	memset(c, 0, sizeof *c);
	c->intent = UND_NONE;
	c->correction = 1;
	c->nitems = 1;
	c->items[0] = it;
	c->items[0].first = a;
	c->price.min_cents = c->price.max_cents = -1;
	return 1;
}

static int words_overlap(const struct und_item *a, const struct und_item *b)
{
	for (int i = 0; i < a->nwords; i++)
		for (int j = 0; j < b->nwords; j++)
			if (!strncmp(a->words[i], b->words[j], 4))
				return 1;
	return 0;
}

/* "don't add the milk" after "add apples and milk": drop the milk. Returns 1 if found. */
static int take_back(struct und_result *r, const struct und_cmd *neg)
{
	int found = 0;
	for (int c = 0; c < r->n; c++) {
		struct und_cmd *p = &r->cmd[c];
		if (p->intent != UND_ADD || p->negated)
			continue;
		for (int i = 0; i < p->nitems; i++) {
			for (int j = 0; j < neg->nitems; j++) {
				if (!words_overlap(&p->items[i], &neg->items[j]))
					continue;
				memmove(&p->items[i], &p->items[i + 1],
					(size_t)(p->nitems - i - 1) * sizeof p->items[0]);
				p->nitems--;
				i--;
				found = 1;
				break;
			}
		}
	}
	return found;
}

static void push(struct und_result *r, const struct und_cmd *c)
{
	if (r->n < UND_MAX_CMDS)
		r->cmd[r->n++] = *c;
}

/* 1 when the clause a..b opens with its negation ("not decaf", "and nothing with
 * caffeine", "but no chocolate"): what follows rules out a kind of the thing named
 * before, unlike "i can't even boil water", which is about the situation. */
static int neg_opens(const struct text_words *t, int a, int b)
{
	while (a < b && (text_is(t, a, "and") || text_is(t, a, "but") || text_is(t, a, "though") ||
			 text_is(t, a, "just") || text_is(t, a, "also") || text_is(t, a, "plus") ||
			 text_is(t, a, "oh") || text_is(t, a, "although")))
		a++;
	return a < b && (text_is(t, a, "not") || text_is(t, a, "no") || text_is(t, a, "nothing") ||
			 text_is(t, a, "without") || text_is(t, a, "none") || text_is(t, a, "never"));
}

static void merge(struct und_result *r, struct und_cmd *c, enum marker m, int negated_kind)
{
	c->and_said = m == MARK_AND;
	struct und_cmd *prev = r->n > 0 && !r->cmd[r->n - 1].lead ? &r->cmd[r->n - 1] : NULL;
	if (prev && c->intent == prev->intent && (c->intent == UND_CONFIRM || c->intent == UND_DENY) &&
	    c->nitems == 0 && prev->nitems == 0)
		return;	/* "yes, go ahead", "sure do it": one answer said twice */
	if (c->intent == UND_NONE) {
		if (cmd_is_empty(c))
			return;
		/* "oh yes, spaghetti. 2": how many of the thing just named */
		if (prev && (prev->intent == UND_NONE || prev->intent == UND_CONFIRM) && prev->nitems == 1 &&
		    m == MARK_NONE &&
		    prev->items[0].ref == UND_REF_WORDS && !prev->items[0].qty && c->nitems == 1 &&
		    c->items[0].qty > 0 && c->items[0].ref == UND_REF_NONE && !c->items[0].nwords &&
		    !c->items[0].size_num[0]) {
			prev->items[0].qty = c->items[0].qty;
			prev->items[0].article = 0;
			prev->polite = 1;
			prev->intent = UND_NONE;	/* "oh yes, spaghetti. 2": a yes of memory */
			return;
		}
		/* "ground coffee please. not decaf", "a tea, and nothing with caffeine":
		 * what is not wanted of the thing just named */
		int neg_only = c->nitems == 1 && c->items[0].nwords == 0 && c->items[0].ref == UND_REF_NONE &&
			       c->items[0].nneg && !c->items[0].qty;
		if (prev && prev->intent == UND_NONE && prev->nitems > 0 && neg_only &&
		    (negated_kind || m == MARK_CORRECTION) &&
		    prev->items[prev->nitems - 1].ref == UND_REF_WORDS) {
			und_amend_item(&prev->items[prev->nitems - 1], &c->items[0]);
			return;
		}
		if (prev && continues(prev->intent) && prev->nitems > 0 &&
		    (m == MARK_CORRECTION || (c->nitems == 1 && c->items[0].nwords == 0 &&
					      c->items[0].ref == UND_REF_NONE && c->items[0].nneg))) {
			und_amend_item(&prev->items[prev->nitems - 1], &c->items[0]);
			for (int i = 1; i < c->nitems && prev->nitems < UND_MAX_ITEMS; i++)
				prev->items[prev->nitems++] = c->items[i];
			return;
		}
		if (prev && continues(prev->intent) && prev->nitems > 0 && c->nitems == 1 &&
		    (c->items[0].ref == UND_REF_THEM || c->items[0].ref == UND_REF_IT) &&
		    c->items[0].nwords == 0 && c->items[0].qty > 0 &&
		    prev->items[prev->nitems - 1].ref == UND_REF_WORDS) {
			prev->items[prev->nitems - 1].qty = c->items[0].qty;	/* "and two of them" */
			return;
		}
		/* "the bagels with the garlic and onion on them": the description goes on */
		if (prev && m == MARK_AND && prev->nitems > 0 && prev->items[prev->nitems - 1].with &&
		    c->nitems == 1 && c->items[0].ref == UND_REF_WORDS && !c->items[0].qty &&
		    !c->items[0].article && !c->items[0].nneg) {
			struct und_item *last = &prev->items[prev->nitems - 1];
			for (int w = 0; w < c->items[0].nwords; w++)
				add_word(last->words, &last->nwords, c->items[0].words[w]);
			return;
		}
		if (prev && continues(prev->intent) && m != MARK_CORRECTION) {
			for (int i = 0; i < c->nitems && prev->nitems < UND_MAX_ITEMS; i++) {
				prev->items[prev->nitems] = c->items[i];
				prev->items[prev->nitems++].joined = m == MARK_AND;
			}
			if (c->price.max_cents >= 0)
				prev->price.max_cents = c->price.max_cents;
			if (c->price.min_cents >= 0)
				prev->price.min_cents = c->price.min_cents;
			if (c->sort)
				prev->sort = c->sort;
			return;
		}
		c->correction |= m == MARK_CORRECTION;
		push(r, c);
		return;
	}
	if ((m == MARK_CORRECTION || c->fix) && prev &&
	    (prev->intent == UND_ADD || prev->intent == UND_SET || prev->intent == UND_NONE) &&
	    prev->nitems > 0 && c->nitems == 1 && c->items[0].qty > 0 &&
	    (c->items[0].nwords == 0 || only_units(&c->items[0])) &&
	    (c->intent == UND_ADD || c->intent == UND_SET || c->fix)) {
		/* "a bunch of bananas, no wait, make that two bunches": only a count and a
		 * unit, so the count of the thing just named changes (a unit is no product). */
		prev->items[prev->nitems - 1].qty = c->items[0].qty;
		prev->items[prev->nitems - 1].article = 0;
		return;
	}
	if (c->fix && prev && (prev->intent == UND_ADD || prev->intent == UND_SET) && prev->nitems > 0 &&
	    c->nitems > 0) {
		und_amend_item(&prev->items[prev->nitems - 1], &c->items[0]);
		return;
	}
	if (c->intent == UND_ADD && c->negated && take_back(r, c))
		return;
	if (m == MARK_CORRECTION && prev && c->intent == UND_DENY) {
		r->n--;		/* "add apples, no wait, never mind" */
		return;
	}
	if (m == MARK_CORRECTION && prev && !is_social(c->intent) &&
	    (c->intent == prev->intent || prev->intent == UND_SEARCH)) {
		*prev = *c;	/* "add apples, actually add pears" */
		return;
	}
	c->correction |= m == MARK_CORRECTION;
	push(r, c);
}

/* What the arithmetic of a sentence says about counts: "one pack per person, there's 3
 * of us", "a banana a day for a week".  Marks are where a multiplier was said (word
 * index after the words that said it were taken out). */
struct arith {
	int people;		/* "there's 3 of us", "my 4 kids": how many it is for */
	int nmark;
	struct arith_mark { int pos, per_person, factor; } mark[8];
	int listed;		/* the utterance is a list after a colon */
	int list_start, list_end;	/* its words */
	int each_qty, each_pos;	/* "one box each of A, B and C": from each_pos on */
};

/* "it's 38 degrees out", "up at 3 in the morning", "my phone's on 2 percent", "we
 * start at 9 tomorrow": a number that measures the situation counts no product; it
 * goes with its measure (and a leading "at"), so it is never read as a quantity. */
static void read_story_numbers(struct text_words *t)
{
	for (int i = 0; i < t->n; i++) {
		long v;
		int n = num_parse(t, i, t->n, &v);
		if (!n || text_is(t, i, "a") || text_is(t, i, "an") || text_is(t, i, "one"))
			continue;
		int j = i + n;
		/* "at 9:30", "10:15 tomorrow": a clock time */
		long mm;
		if (t->brk[j - 1] == 3 && j < t->n && text_is_digits(t->w[j]) && strlen(t->w[j]) == 2 &&
		    num_parse(t, j, t->n, &mm) == 1 && mm < 60 && v <= 24) {
			t->brk[j - 1] = 0;
			j++;
		}
		const char *before = i > 0 && !t->brk[i - 1] ? t->w[i - 1] : NULL;
		int m = lex_story_measure_at(t, j, t->n, before);
		if (m < 0 && j > i + n)
			m = 0;		/* the clock time alone */
		if (m < 0)
			continue;
		int a = before && text_is(t, i - 1, "at") ? i - 1 : i;
		/* "my phone's on 2 percent", "our kid is 5 years old": what the measure is
		 * of is the situation too, back to where its clause began */
		int s = a;
		while (s > 0 && a - s < 6 && !t->brk[s - 1] && !text_is(t, s - 1, "and") && !text_is(t, s - 1, "so") &&
		       !text_is(t, s - 1, "but") && !text_is(t, s - 1, "because"))
			s--;
		static const char *const subject[] = { "my", "our", "his", "her", "their", "the", "i", "we",
			"it", "she", "he", "they", "its", "there" };
		int subj = text_is(t, j, "percent");	/* a charge: of a phone, a battery */
		for (size_t k = 0; k < sizeof subject / sizeof *subject && s < a; k++)
			subj |= text_is(t, s, subject[k]);
		for (int k = s; k < a && subj; k++) {
			struct lex_trigger tr;
			long nv;
			if (lex_trigger_at(t, k, s, a, &tr) || num_parse(t, k, a, &nv))
				subj = 0;
		}
		if (subj)
			a = s;
		unsigned char b = t->brk[j + m - 1];
		text_delete(t, a, j + m - a);
		if (a > 0 && b > t->brk[a - 1])
			t->brk[a - 1] = b;
		i = a - 1;
	}
}

static int is_people_word(const char *w)
{
	static const char *const words[] = { "people", "persons", "guests", "kids", "children",
		"flatmates", "roommates", "housemates", "friends", "adults", "colleagues", "boys",
		"girls", "grandkids", "teenagers", "visitors", "players", "students" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(w, words[i]))
			return 1;
	return 0;
}

static void add_mark(struct arith *ar, int pos, int per_person, int factor)
{
	if (ar->nmark < (int)(sizeof ar->mark / sizeof *ar->mark))
		ar->mark[ar->nmark++] = (struct arith_mark){ pos, per_person, factor };
}

/* "there's 3 of us", "for 6 people", "my 4 kids", "each of my 4 kids": how many the
 * shopping is for; the words go (the count is no quantity of a product). */
static void read_people(struct text_words *t, struct arith *ar)
{
	for (int i = 0; i < t->n; i++) {
		long v;
		int n = num_parse(t, i, t->n, &v);
		if (!n || v < 2 || v > 100 || text_is(t, i, "a"))
			continue;
		int j = i + n, a = i, b = 0, each = 0;
		if (text_is(t, j, "of") && text_is(t, j + 1, "us"))
			b = j + 2;
		else if (j < t->n && is_people_word(t->w[j]) && !t->brk[i + n - 1])
			b = j + 1;
		if (!b)
			continue;
		/* the words that lead to the count: "there are", "for", "all", "each of my" */
		while (a > 0 && !t->brk[a - 1] &&
		       (text_is(t, a - 1, "there") || text_is(t, a - 1, "is") || text_is(t, a - 1, "are") ||
			text_is(t, a - 1, "for") || text_is(t, a - 1, "all") || text_is(t, a - 1, "my") ||
			text_is(t, a - 1, "our") || text_is(t, a - 1, "the") || text_is(t, a - 1, "of") ||
			text_is(t, a - 1, "each") || text_is(t, a - 1, "we") || text_is(t, a - 1, "feeding") ||
			text_is(t, a - 1, "serves") || text_is(t, a - 1, "serving")))
			each |= text_is(t, --a, "each");
		if (a > 0 && text_is(t, a - 1, "each") && !t->brk[a - 1])
			each = 1, a--;
		ar->people = (int)v;
		text_delete(t, a, b - a);
		if (each)
			add_mark(ar, a, 1, 0);	/* "each of my 4 kids needs ..." */
		i = a - 1;
	}
}

/* Days a phrase of time at i lasts ("for a week", "for the next 5 days"), with the
 * words used in *len; 0 if none. */
static int duration_at(const struct text_words *t, int i, int *len)
{
	/* "4 weeks worth", "a fortnight's worth" */
	long w = 1;
	int wn = text_is(t, i, "a") ? 1 : num_parse(t, i, t->n, &w);
	if (wn && w >= 1 && w <= 366 && text_is(t, i + wn + 1, "worth")) {
		int unit = text_is(t, i + wn, "day") || text_is(t, i + wn, "days") ? 1 :
			   text_is(t, i + wn, "week") || text_is(t, i + wn, "weeks") ? 7 :
			   text_is(t, i + wn, "fortnight") ? 14 :
			   text_is(t, i + wn, "month") || text_is(t, i + wn, "months") ? 30 : 0;
		if (unit) {
			*len = wn + 2 + text_is(t, i + wn + 2, "of");
			return unit * (int)w;
		}
	}
	if (!text_is(t, i, "for") && !text_is(t, i, "over") && !text_is(t, i, "this"))
		return 0;
	int j = i + 1;
	while (text_is(t, j, "the") || text_is(t, j, "next") || text_is(t, j, "whole") ||
	       text_is(t, j, "coming") || text_is(t, j, "entire"))
		j++;
	long v = 1;
	int n = 0;
	if (text_is(t, j, "a") || text_is(t, j, "one"))
		n = 1;
	else if ((n = num_parse(t, j, t->n, &v)) == 0)
		v = 1;
	if (v < 1 || v > 366)
		return 0;
	j += n;
	int days = 0;
	if (text_is(t, j, "day") || text_is(t, j, "days") || text_is(t, j, "night") || text_is(t, j, "nights"))
		days = 1;
	else if (text_is(t, j, "week") || text_is(t, j, "weeks"))
		days = 7;
	else if (text_is(t, j, "fortnight"))
		days = 14;
	else if (text_is(t, j, "month") || text_is(t, j, "months"))
		days = 30;
	if (!days || (text_is(t, i, "this") && n))
		return 0;
	*len = j + 1 - i;
	return days * (int)v;
}

/* Days one "a day", "every night", "a week" covers at i, words in *len; 0 if none. */
static int period_at(const struct text_words *t, int i, int *len)
{
	if (!(text_is(t, i, "a") || text_is(t, i, "per") || text_is(t, i, "every") || text_is(t, i, "each")))
		return 0;
	static const struct { const char *w; int days; } units[] = {
		{ "day", 1 }, { "night", 1 }, { "morning", 1 }, { "evening", 1 }, { "lunch", 1 },
		{ "breakfast", 1 }, { "dinner", 1 }, { "week", 7 },
	};
	for (size_t k = 0; k < sizeof units / sizeof *units; k++)
		if (text_is(t, i + 1, units[k].w)) {
			*len = 2;
			return units[k].days;
		}
	return 0;
}

/* The multipliers of a sentence: "per person", "one each" (with how many people),
 * "a day ... for a week"; their words go, a mark stays. */
static void read_multipliers(struct text_words *t, struct arith *ar)
{
	for (int i = 0; i < t->n; i++) {
		int n = 0;
		/* "one box each of green, english breakfast and chamomile": the count is
		 * every one's */
		long v;
		if (text_match(t, i, t->n, "each of") && i > 0 && !text_is(t, i - 1, "of") && !text_is(t, i + 2, "us") &&
		    !text_is(t, i + 2, "them") && !text_is(t, i + 2, "my") && !text_is(t, i + 2, "our")) {
			int q = i - 1;
			if (q > 0 && lex_is_unit(t->w[q]))
				q--;
			int qn = 0;
			for (int s = q; s >= 0 && s >= q - 2 && !qn; s--)
				if ((qn = num_parse(t, s, i, &v)) && s + qn <= i && s + qn >= q)
					ar->each_qty = (int)v, ar->each_pos = s;
				else
					qn = 0;
			if (qn) {
				text_delete(t, i, 2);
				i--;
				continue;
			}
		}
		/* "we each want", "they each need" */
		if (text_is(t, i, "each") && i > 0 && (text_is(t, i - 1, "we") || text_is(t, i - 1, "they")) &&
		    ar->people) {
			text_delete(t, i, 1);
			add_mark(ar, i, 1, 0);
			i--;
			continue;
		}
		/* "our own", "their own": whose it is */
		if (text_is(t, i, "own") && i > 0 && (text_is(t, i - 1, "our") || text_is(t, i - 1, "their") ||
						   text_is(t, i - 1, "his") || text_is(t, i - 1, "her"))) {
			text_delete(t, i - 1, 2);
			i -= 2;
			continue;
		}
		static const char *const one_of_them[] = { "person", "head", "kid", "child", "guest",
			"adult", "flatmate", "roommate", "housemate", "friend", "student", "player" };
		for (size_t k = 0; k < sizeof one_of_them / sizeof *one_of_them && !n; k++)
			if ((text_is(t, i, "per") || text_is(t, i, "each") ||
			     (text_is(t, i, "a") && strcmp(one_of_them[k], "head") == 0)) &&
			    text_is(t, i + 1, one_of_them[k]))
				n = 2;
		if (n || (n = text_match(t, i, t->n, "per person")) || (n = text_match(t, i, t->n, "per head")) ||
		    (n = text_match(t, i, t->n, "a head")) || (n = text_match(t, i, t->n, "apiece")) ||
		    (n = text_match(t, i, t->n, "each of us")) || (n = text_match(t, i, t->n, "for each of us")) ||
		    (n = text_match(t, i, t->n, "for everyone")) || (n = text_match(t, i, t->n, "a person")) ||
		    (n = text_match(t, i, t->n, "for each person")) ||
		    (ar->people && i > 0 && text_is(t, i, "each") && num_word(t->w[i - 1]) >= 0 &&
		     (i + 1 >= t->n || t->brk[i]) && (n = 1))) {
			if (!ar->people)
				continue;
			text_delete(t, i, n);
			add_mark(ar, i, 1, 0);
			i--;
			continue;
		}
		int plen = 0, per = period_at(t, i, &plen);
		if (!per)
			continue;
		/* the time it is for, said before or after: "for the week, a banana a day" */
		int dlen = 0, days = 0, d = -1;
		for (int j = 0; j < t->n && !days; j++)
			if (j < i || j >= i + plen)
				if ((days = duration_at(t, j, &dlen)))
					d = j;
		if (!days || days <= per)
			continue;
		int factor = days / per;
		if (d > i) {
			text_delete(t, d, dlen);
			text_delete(t, i, plen);
			add_mark(ar, i, 0, factor);
		} else {
			text_delete(t, i, plen);
			text_delete(t, d, dlen);
			add_mark(ar, i - dlen, 0, factor);
		}
		i = -1;
	}
}

/* "shared bathroom stuff: toothpaste x2, shampoo x1", "gift for my dad: the french
 * press and ...": the words before a colon that opens a list say what the list is
 * for; only a request verb among them stays ("i need: milk, eggs"). */
static void read_heading(struct text_words *t, struct arith *ar)
{
	int h = -1;
	for (int i = 0; i + 1 < t->n && h < 0; i++)
		if (t->brk[i] == 3)
			h = i;
	/* "putting together a cheese board, so a sourdough loaf and ...", "we're making
	 * fruit skewers, so blueberries ...": what the shopper is doing, then what for */
	for (int i = 1; h < 0 && i + 1 < t->n; i++) {
		if (!text_is(t, i, "so") || t->brk[i - 1] != 1 || t->brk[i])
			continue;
		int a = i;
		while (a > 0 && t->brk[a - 1] != 2)
			a--;
		int g = a;
		while (g < i && (text_is(t, g, "i") || text_is(t, g, "we") || text_is(t, g, "am") ||
				 text_is(t, g, "are") || text_is(t, g, "just") || text_is(t, g, "currently")))
			g++;
		size_t len = strlen(t->w[g]);
		int story = len > 4 && !strcmp(t->w[g] + len - 3, "ing");
		for (int k = a; k < i && story; k++) {
			struct lex_trigger tr;
			story = !lex_trigger_at(t, k, a, i, &tr);
		}
		if (!story)
			continue;
		text_delete(t, a, i + 1 - a);
		if (a > 0 && t->brk[a - 1] < 2)
			t->brk[a - 1] = 2;
		return;
	}
	if (h < 0)
		return;
	int a = h;
	while (a > 0 && t->brk[a - 1] != 2)
		a--;
	int list = 0, content = 0;
	for (int i = h + 1; i < t->n && t->brk[i - 1] != 2; i++)
		list |= (t->brk[i - 1] == 1 && i > h + 1) || text_is(t, i, "and") || text_is(t, i, "plus");
	for (int i = a; i <= h; i++)
		content += is_content(t, i, h + 1);
	t->brk[h] = 1;
	if (!list && content < 2)
		return;
	/* a verb of request said in the heading stays */
	int keep_a = -1, keep_n = 0;
	for (int i = a; i <= h && keep_a < 0; i++) {
		struct lex_trigger tr;
		int m = lex_trigger_at(t, i, a, h + 1, &tr);
		if (m && (tr.intent == UND_ADD || tr.intent == UND_SEARCH) && tr.level >= 10 &&
		    !(tr.flags & (LEX_SUBJ | LEX_NEG)))
			keep_a = i, keep_n = m;
	}
	ar->list_start = a;
	if (keep_a >= 0) {
		text_delete(t, keep_a + keep_n, h + 1 - keep_a - keep_n);
		text_delete(t, a, keep_a - a);
		t->brk[a + keep_n - 1] = 0;
		ar->list_start = a + keep_n;
	} else {
		text_delete(t, a, h + 1 - a);
		if (a > 0 && t->brk[a - 1] < 2)
			t->brk[a - 1] = 2;
	}
	ar->listed = 1;
}

/* The multipliers said go to the item they were said with (the last begun before
 * them, else the first after). */
static void apply_arith(struct und_result *r, const struct arith *ar)
{
	for (int c = 0; ar->each_qty > 0 && c < r->n; c++) {
		struct und_cmd *cmd = &r->cmd[c];
		if (cmd->intent != UND_NONE && cmd->intent != UND_ADD)
			continue;
		for (int i = 0; i < cmd->nitems; i++)
			if (cmd->items[i].first >= ar->each_pos && cmd->items[i].qty == 0 &&
			    cmd->items[i].ref == UND_REF_WORDS)
				cmd->items[i].qty = ar->each_qty, cmd->items[i].article = 0;
	}
	const struct und_item *done[8];
	int ndone = 0;
	for (int m = 0; m < ar->nmark; m++) {
		int factor = ar->mark[m].per_person ? ar->people : ar->mark[m].factor;
		if (factor < 2)
			continue;
		struct und_item *best = NULL, *after = NULL;
		for (int c = 0; c < r->n; c++) {
			struct und_cmd *cmd = &r->cmd[c];
			if (cmd->intent != UND_NONE && cmd->intent != UND_ADD)
				continue;
			for (int i = 0; i < cmd->nitems; i++) {
				struct und_item *it = &cmd->items[i];
				if (!und_item_has_ref(it) || it->instead)
					continue;
				if (it->first < ar->mark[m].pos && (!best || it->first >= best->first))
					best = it;
				if (it->first >= ar->mark[m].pos && !after)
					after = it;
			}
		}
		struct und_item *it = best ? best : after;
		int seen = 0;	/* "each of my 4 kids needs one, get one each": said twice */
		for (int d = 0; d < ndone; d++)
			seen |= done[d] == it;
		if (!it || seen)
			continue;
		if (ndone < 8)
			done[ndone++] = it;
		long q = (long)(it->qty > 0 ? it->qty : it->dozen ? 12 : 1) * factor;
		it->qty = (int)(q > 10000 ? 10000 : q);
		it->article = 0;
	}
}

/* "ground coffee, whichever's cheapest, two bags": the choice left to the buddy
 * ("whichever", "whatever" with a pick) is said of the product named just before, so
 * it goes with it (its count too), and the product keeps the word that left the
 * choice to the buddy. */
static void delegate_picks(struct und_result *r)
{
	for (int i = 0; i < r->n; i++) {
		struct und_cmd *c = &r->cmd[i];
		for (int k = 1; k < c->nitems; k++) {
			struct und_item *it = &c->items[k], *prev = &c->items[k - 1];
			int only = it->nwords > 0 && it->pick != UND_PICK_NONE && it->ref == UND_REF_WORDS &&
				   lex_is_delegation(it->words[0]);
			for (int w = 1; only && w < it->nwords; w++)
				only = !strcmp(it->words[w], "each") || !strcmp(it->words[w], "both");
			if (!only || prev->ref != UND_REF_WORDS || prev->nwords == 0 || prev->pick != UND_PICK_NONE)
				continue;
			/* "eggs and bread, whatever's cheapest (of each)": said of every one of
			 * the list it ends */
			for (int j = i; j >= 0; j--) {
				struct und_cmd *o = &r->cmd[j];
				if (j < i && (o->intent != c->intent || o->nitems == 0))
					break;
				for (int m = 0; m < (j == i ? k - 1 : o->nitems); m++) {
					struct und_item *x = &o->items[m];
					if (x->ref != UND_REF_WORDS || x->pick != UND_PICK_NONE || x->nwords == 0)
						continue;
					x->pick = it->pick;
					if (x->nwords < UND_ITEM_WORDS) {
						memcpy(x->words[x->nwords], it->words[0], sizeof x->words[0]);
						x->wctx[x->nwords++] = 0;
					}
				}
				o->sort = c->sort;
				if (!o->and_said && j < i)
					break;
				if (j == i && !c->and_said)
					break;
			}
			prev->pick = it->pick;
			if (!prev->qty)
				prev->qty = it->qty;
			if (prev->nwords < UND_ITEM_WORDS) {
				memcpy(prev->words[prev->nwords], it->words[0], sizeof prev->words[0]);
				prev->wctx[prev->nwords++] = 0;
			}
			memmove(it, it + 1, (size_t)(c->nitems - k - 1) * sizeof *it);
			c->nitems--;
			k--;
		}
	}
}

/* 1 when the shopper (or the household) is who did w at i: "i got", "we always
 * buy", not "my flatmate grabbed", "i have got six people coming" */
static int shopper_did(const struct text_words *tw, int i)
{
	int j = i - 1;
	while (j >= 0 && (text_is(tw, j, "always") || text_is(tw, j, "usually") || text_is(tw, j, "normally") ||
			  text_is(tw, j, "just") || text_is(tw, j, "already") || text_is(tw, j, "previously") ||
			  text_is(tw, j, "ever") || text_is(tw, j, "last") || text_is(tw, j, "regularly") ||
			  text_is(tw, j, "have") || text_is(tw, j, "had")))
		j--;
	if (j < 0 || !(text_is(tw, j, "i") || text_is(tw, j, "we")))
		return 0;
	return !(text_is(tw, i, "got") && (text_is(tw, i - 1, "have") || text_is(tw, i - 1, "has")));
}

/* How the words point at the past: 0 not at all, else LEX_PAST_ORDER or
 * LEX_PAST_USUAL; marks the words of the pointing in used[]. */
static int points_at_past(const struct text_words *tw, unsigned char *used)
{
	int kind = 0, bought = -1, said_order = 0;
	for (int i = 0; i < tw->n; i++) {
		/* "place the order, i need it before monday": the order of a checkout
		 * phrase is the cart about to be ordered, no past one */
		struct lex_trigger tr;
		int n = lex_trigger_at(tw, i, 0, tw->n, &tr);
		if (n > 1 && tr.intent == UND_CHECKOUT) {
			i += n - 1;
			continue;
		}
		if (lex_is_bought_word(tw->w[i]) && bought < 0 && shopper_did(tw, i))
			bought = i;
		said_order |= lex_is_order_word(tw->w[i]);
	}
	for (int i = 0; i < tw->n; i++) {
		int k = 0, n = lex_past_at(tw, i, tw->n, &k);
		if (!n)
			continue;
		int ok = 0;
		if (k == LEX_PAST_ORDER)
			ok = 1;
		else if (k == LEX_PAST_USUAL)
			/* "my usual", not "his usual" or "more than usual" */
			ok = !text_is(tw, i - 1, "than") && !text_is(tw, i - 1, "his") && !text_is(tw, i - 1, "her") &&
			     !text_is(tw, i - 1, "their") && !text_is(tw, i - 1, "as");
		else if (k == LEX_PAST_WHEN && said_order && text_is(tw, i, "again"))
			/* "can you do that order again", "the same order again please" */
			ok = 1;
		else if (k == LEX_PAST_WHEN)
			/* "the eggs i ordered a while back", "the earbuds i bought from you, the
			 * same ones again"; "the coffee from last week", "same as on monday",
			 * "the order last week" */
			ok = bought >= 0 ||
			     ((n > 1 || (!text_is(tw, i, "again") && !text_is(tw, i, "same"))) &&
			     (text_is(tw, i - 1, "from") || text_is(tw, i - 1, "as") || text_is(tw, i - 1, "like") ||
			      ((text_is(tw, i - 1, "on") || text_is(tw, i - 1, "in")) &&
			       (text_is(tw, i - 2, "from") || text_is(tw, i - 2, "as"))) ||
			      said_order));
		else if (k == LEX_PAST_HABIT)
			/* "the milk i always get", "what we usually buy" */
			ok = i + n < tw->n && (text_is(tw, i - 1, "i") || text_is(tw, i - 1, "we")) &&
			     (lex_is_bought_word(tw->w[i + n]) || text_is(tw, i + n, "get") || text_is(tw, i + n, "buy") ||
			      text_is(tw, i + n, "order") || text_is(tw, i + n, "have"));
		if (!ok)
			continue;
		for (int j = i; j < i + n; j++)
			used[j] = 1;
		if (k == LEX_PAST_USUAL || k == LEX_PAST_HABIT)
			kind = LEX_PAST_USUAL;
		else if (!kind)
			kind = LEX_PAST_ORDER;
		i += n - 1;
	}
	if (kind && bought >= 0)
		used[bought] = 1;
	return kind;
}

/* What the words say of the past orders (history.c acts on it): whether they point
 * at them, and whether they ask for them again ("repeat my last order", "the coffee
 * from last week but two of them"), or what was paid ("what did i pay for the oil
 * last time?").  "place the order, i need it before monday": the order of a checkout
 * phrase is the cart's, so a time said beside it is no past order. */
static void read_past(const struct text_words *tw, struct und_past *pa)
{
	memset(pa, 0, sizeof *pa);
	pa->times = 1;
	pa->again = -1;
	int kind = points_at_past(tw, pa->used);
	if (!kind) {
		/* "ok add all of that again", "same again please": a request again for
		 * what was in mind (not a question about it) */
		int question = text_is(tw, 0, "what") || text_is(tw, 0, "which") || text_is(tw, 0, "how") ||
			       text_is(tw, 0, "did") || text_is(tw, 0, "was") || text_is(tw, 0, "is");
		for (int i = 0; i < tw->n && !question; i++)
			if (text_is(tw, i, "again"))
				pa->again = i;
		return;
	}
	int again = 0, add = 0, price = 0, status = 0, remark = 0;
	for (int i = 0; i < tw->n; i++) {
		again |= text_is(tw, i, "again") || text_is(tw, i, "repeat") || text_is(tw, i, "same") ||
			 text_is(tw, i, "back") || text_is(tw, i, "another") || text_is(tw, i, "more") ||
			 text_match(tw, i, tw->n, "reorder") || text_match(tw, i, tw->n, "re order");
		add |= lex_act_word(tw->w[i], 'a') || text_is(tw, i, "reorder") || text_is(tw, i, "repeat");
		price |= text_match(tw, i, tw->n, "did i pay") || text_match(tw, i, tw->n, "how much was") ||
			 text_match(tw, i, tw->n, "how much did") || text_match(tw, i, tw->n, "what did it cost");
		status |= text_is(tw, i, "where") || text_is(tw, i, "status") || text_is(tw, i, "arrive") ||
			  text_is(tw, i, "shipped") || text_is(tw, i, "track") || text_is(tw, i, "cancel") ||
			  text_is(tw, i, "delivered") || text_is(tw, i, "refund") || text_is(tw, i, "return");
		/* "the bananas i got last time were awful": said about them, not asked for */
		remark |= text_is(tw, i, "was") || text_is(tw, i, "were") || text_is(tw, i, "is") ||
			  text_is(tw, i, "are") || text_is(tw, i, "wasnt") || text_is(tw, i, "werent");
		if (text_is(tw, i, "double") || text_is(tw, i, "twice"))
			pa->times = 2;
		if (text_is(tw, i, "triple"))
			pa->times = 3;
	}
	/* "what did i get last time?" asks what was in it: the order status tells that */
	int question = text_is(tw, 0, "what") || text_is(tw, 0, "which") || text_is(tw, 0, "how") ||
		       text_is(tw, 0, "when") || text_is(tw, 0, "did") || text_is(tw, 0, "was") ||
		       text_is(tw, 0, "were") || text_is(tw, 0, "is") || text_is(tw, 0, "do") ||
		       text_is(tw, 0, "does");
	/* "my flatmate got toothpaste earlier so remove that": a removal; "... and check
	 * out": placed after the adding */
	int removal = 0;
	for (int i = 0; i < tw->n; i++) {
		struct lex_trigger tr;
		int n = lex_trigger_at(tw, i, 0, tw->n, &tr);
		if (!n)
			continue;
		if (tr.intent == UND_REMOVE && !lex_is_except_word(tw->w[i]) && !text_is(tw, i - 1, "but"))
			removal = 1;
		if (tr.intent == UND_CHECKOUT && i > 0)
			pa->checkout = 1;
		i += n - 1;
	}
	int asked_for = !removal && (add || again || (!question && !remark));
	if (status || (!price && (!asked_for || (question && !again))))
		return;
	pa->kind = kind;
	pa->price = price;
	pa->reorder = 1;
}

static void drop_cmd(struct und_result *r, int i)
{
	memmove(&r->cmd[i], &r->cmd[i + 1], (size_t)(r->n - i - 1) * sizeof r->cmd[0]);
	r->n--;
}

/* One reading of what is asked about orders.  "cancel that last order, i ordered it
 * by mistake", "cancel it, i didn't mean to place it": beside a cancel, what was said
 * of the order is the reason, not a question about it or a checkout.  "that's
 * everything, what's it come to?": the question is what is asked; finishing is said
 * by the way, and the checkout waits for a request of its own. */
static void settle_orders(struct und_result *r)
{
	int cancel = 0, asks_total = 0;
	for (int i = 0; i < r->n; i++) {
		cancel |= r->cmd[i].intent == UND_CANCEL_ORDER;
		asks_total |= r->cmd[i].intent == UND_CART_TOTAL || r->cmd[i].intent == UND_VIEW_CART;
	}
	for (int i = 0; i < r->n; i++) {
		const struct und_cmd *c = &r->cmd[i];
		int reason = cancel && ((c->intent == UND_ORDER_STATUS && !c->ask && !c->order_id) ||
					c->intent == UND_CHECKOUT ||
					(c->intent == UND_DENY && c->nitems == 0 && r->n > 1));
		int by_the_way = asks_total && c->intent == UND_CHECKOUT && c->done;
		if (reason || by_the_way) {
			drop_cmd(r, i);
			i--;
		}
	}
}

/* "milk. which kinds do you have?", "coffee beans. how much are they": a question
 * that names nothing, right after a bare name, is asked of that name (one question,
 * not a list of milk and a search for "kinds") */
static void ask_of_fragment(struct und_result *r)
{
	for (int i = 1; i < r->n; i++) {
		struct und_cmd *q = &r->cmd[i], *f = &r->cmd[i - 1];
		enum und_intent in = q->intent;
		if ((in != UND_SEARCH && in != UND_INFO && in != UND_PRICE && in != UND_STOCK) || q->nitems > 0 ||
		    f->intent != UND_NONE || f->nitems == 0 || f->lead || f->correction || q->correction)
			continue;
		/* a bare name: one short thing, no words about the situation */
		const struct und_item *it = &f->items[0];
		int names = f->nitems == 1 && it->ref == UND_REF_WORDS && it->nwords > 0 && it->nwords <= 3 &&
			    !it->qty && !it->nneg;
		for (int w = 0; names && w < it->nwords; w++)
			names = !it->wctx[w];
		if (!names)
			continue;
		q->nitems = f->nitems;
		memcpy(q->items, f->items, (size_t)f->nitems * sizeof f->items[0]);
		drop_cmd(r, i - 1);
		i--;
	}
}

/* "we're gonna need more of that fizzy water, double it": the multiple says how much
 * more; the wish before it names what, and adds nothing of its own */
static void multiple_of_named(struct und_result *r)
{
	for (int i = 1; i < r->n; i++) {
		struct und_cmd *m = &r->cmd[i], *w = &r->cmd[i - 1];
		if (m->intent != UND_SET || m->times <= 0 || m->nitems != 1 || m->items[0].nwords > 0 ||
		    (m->items[0].ref != UND_REF_IT && m->items[0].ref != UND_REF_THEM) ||
		    w->intent != UND_ADD || w->nitems != 1 || w->items[0].qty || w->items[0].ref != UND_REF_WORDS)
			continue;
		struct und_item *it = &w->items[0];
		int more = w->more;
		for (int k = 0; k < it->nwords; k++)
			if (!strcmp(it->words[k], "more")) {
				memmove(&it->words[k], &it->words[k + 1], (size_t)(it->nwords - k - 1) * sizeof it->words[0]);
				memmove(&it->wctx[k], &it->wctx[k + 1], (size_t)(it->nwords - k - 1));
				it->nwords--;
				more = 1;
				k--;
			}
		if (!more || it->nwords == 0)
			continue;
		m->items[0] = *it;
		drop_cmd(r, i - 1);
		i--;
	}
}

void und_parse(const char *text, struct und_result *r)
{
	struct text_words *t = malloc(sizeof *t);
	memset(r, 0, sizeof *r);
	if (!t)
		return;
	und_clean(text, t);
	r->nwords = t->n;
	read_past(t, &r->past);
	und_read_edit(t, &r->edit);
	struct arith ar = { 0 };
	read_story_numbers(t);
	read_people(t, &ar);
	read_heading(t, &ar);
	read_multipliers(t, &ar);
	ar.list_end = ar.list_start;	/* the list ends with its sentence */
	while (ar.listed && ar.list_end < t->n && (ar.list_end == 0 || t->brk[ar.list_end - 1] != 2 ||
						   ar.list_end == ar.list_start))
		ar.list_end++;
	struct clause cl[UND_MAX_CMDS * 3];
	int n = split_clauses(t, cl, (int)(sizeof cl / sizeof *cl));
	struct und_cmd *c = malloc(sizeof *c);
	if (!c) {
		free(t);
		return;
	}
	for (int i = 0; i < n; i++) {
		parse_clause(t, cl[i].a, cl[i].b, c);
		if (cl[i].marker == MARK_KEPT) {
			/* what stays, or comes in place of what went: added only when
			 * the cart does not hold it (the dialogue's part) */
			if (c->nitems > 0 && c->items[0].ref == UND_REF_WORDS && c->items[0].nwords > 0) {
				c->intent = UND_ADD;
				c->kept = 1;
				c->soft = 0;
				push(r, c);
			}
			continue;
		}
		if (cl[i].marker == MARK_CORRECTION && i > 0)
			dangling_without(t, cl[i].a, cl[i].b, c);
		if (i == 0 && cl[i].b == 1 && n > 1 && cl[1].marker == MARK_CORRECTION &&
		    c->intent == UND_DENY)
			c->lead = 1;
		if (c->lead) {
			push(r, c);
			continue;
		}
		merge(r, c, cl[i].marker, neg_opens(t, cl[i].a, cl[i].b));
	}
	apply_arith(r, &ar);
	multiple_of_named(r);
	delegate_picks(r);
	settle_orders(r);
	ask_of_fragment(r);
	/* "remind me what i've got and how much it is": the cart read back says its
	 * total, so "how much is it" right after it asks nothing more */
	for (int i = 1; i < r->n; i++) {
		struct und_cmd *c = &r->cmd[i];
		enum und_intent before = r->cmd[i - 1].intent;
		if (c->intent == UND_PRICE && (before == UND_VIEW_CART || before == UND_CART_TOTAL) &&
		    c->nitems == 1 && c->items[0].nwords == 0 &&
		    (c->items[0].ref == UND_REF_IT || c->items[0].ref == UND_REF_THEM || c->items[0].ref == UND_REF_ALL)) {
			memmove(c, c + 1, (size_t)(r->n - i - 1) * sizeof *c);
			r->n--;
			i--;
		}
	}
	/* "a pack of the lime fizzy water, cheers": thanks said with a request */
	int thanked = 0;
	text_split(text, t);
	for (int i = 1; i < t->n; i++)
		thanked |= (text_is(t, i, "cheers") || text_is(t, i, "ta") || text_is(t, i, "thanks") ||
			    text_is(t, i, "thx") || (text_is(t, i, "thank") && text_is(t, i + 1, "you"))) &&
			   !text_is(t, i - 1, "no");
	for (int i = 0; i < r->n; i++) {
		if (r->cmd[i].intent != UND_NONE && r->cmd[i].intent != UND_ADD)
			continue;
		int in_list = 0;
		/* every part of a list is asked for: what is not sold is said so */
		for (int k = 0; ar.listed && k < r->cmd[i].nitems; k++) {
			struct und_item *it = &r->cmd[i].items[k];
			if (it->first < ar.list_start || it->first >= ar.list_end)
				continue;
			it->joined = it->listed = 1;
			in_list = 1;
		}
		r->cmd[i].polite |= thanked || in_list;
		r->cmd[i].question |= text && strchr(text, '?') != NULL;
	}
	free(c);
	free(t);
}
