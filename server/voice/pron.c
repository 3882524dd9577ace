/*
 * pron.c - text normalisation, CMU dictionary lookup, and the spelling-to-sound
 * fallback (see pron.h).
 *
 * Normalisation runs in two passes: clean() maps the input to lowercase ASCII with
 * number, letter and symbol tokens separated by spaces; then the tokens are turned
 * into words, numbers spelled out, units after numbers expanded and marked as
 * quantities (left out of the "core" name).
 *
 * The dictionary is read whole into one buffer that the entries point into; a hash
 * table of entry indexes finds a word's first variant, `next` chains the others.
 */
#include "pron.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKEN 64

/* ---- numbers ---- */

static const char *const ones[] = { "zero", "one", "two", "three", "four", "five", "six",
	"seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
	"sixteen", "seventeen", "eighteen", "nineteen" };
static const char *const tens[] = { "", "", "twenty", "thirty", "forty", "fifty", "sixty",
	"seventy", "eighty", "ninety" };

static int append(char *out, size_t outlen, size_t *pos, const char *word)
{
	size_t n = strlen(word), sep = *pos ? 1 : 0;

	if (*pos + sep + n + 1 > outlen)
		return -1;
	if (sep)
		out[(*pos)++] = ' ';
	memcpy(out + *pos, word, n + 1);
	*pos += n;
	return 0;
}

static int below_thousand(unsigned n, char *out, size_t outlen, size_t *pos)
{
	if (n >= 100) {
		if (append(out, outlen, pos, ones[n / 100]) || append(out, outlen, pos, "hundred"))
			return -1;
		n %= 100;
		if (n == 0)
			return 0;
	}
	if (n >= 20) {
		if (append(out, outlen, pos, tens[n / 10]))
			return -1;
		n %= 10;
		return n ? append(out, outlen, pos, ones[n]) : 0;
	}
	return append(out, outlen, pos, ones[n]);
}

int pron_number_words(unsigned long n, char *out, size_t outlen)
{
	static const char *const scale[] = { "million", "thousand", "" };
	static const unsigned long div[] = { 1000000UL, 1000UL, 1UL };
	size_t pos = 0;

	if (!out || outlen == 0 || n > 999999999UL)
		return -1;
	out[0] = '\0';
	if (n == 0)
		return append(out, outlen, &pos, "zero");
	for (int i = 0; i < 3; i++) {
		unsigned part = (unsigned)(n / div[i] % 1000);

		if (part == 0)
			continue;
		if (below_thousand(part, out, outlen, &pos))
			return -1;
		if (*scale[i] && append(out, outlen, &pos, scale[i]))
			return -1;
	}
	return 0;
}

/* Turns the last word of a cardinal into its ordinal in place ("twenty one" ->
 * "twenty first"); buf has room for cap bytes. */
static void make_ordinal(char *buf, size_t cap)
{
	static const char *const irregular[][2] = { { "one", "first" }, { "two", "second" },
		{ "three", "third" }, { "five", "fifth" }, { "eight", "eighth" }, { "nine", "ninth" },
		{ "twelve", "twelfth" } };
	char *last = strrchr(buf, ' ');
	size_t len;

	last = last ? last + 1 : buf;
	for (size_t i = 0; i < sizeof irregular / sizeof irregular[0]; i++) {
		if (strcmp(last, irregular[i][0]) == 0) {
			if ((size_t)(last - buf) + strlen(irregular[i][1]) < cap)
				strcpy(last, irregular[i][1]);
			return;
		}
	}
	len = strlen(buf);
	if (len + 4 >= cap)
		return;
	if (buf[len - 1] == 'y')
		strcpy(buf + len - 1, "ieth");
	else
		strcpy(buf + len, "th");
}

/* ---- pass 1: cleaning ---- */

/* Base letter for UTF-8 C3 80..C3 BF (Latin-1 supplement), 0 for none. */
static char latin1_base(unsigned char c2)
{
	static const char map[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyts"  /* C3 80-9F */
				  "aaaaaaaceeeeiiiidnooooo/ouuuuyty"; /* C3 A0-BF */
	unsigned idx = (unsigned)c2 - 0x80;
	char b;

	if (idx >= 64)
		return 0;
	b = map[idx];
	return b == '/' ? 0 : b;
}

static int put(char *out, size_t cap, size_t *pos, char c)
{
	if (*pos + 2 > cap)
		return -1;
	out[(*pos)++] = c;
	return 0;
}

static int put_str(char *out, size_t cap, size_t *pos, const char *s)
{
	while (*s)
		if (put(out, cap, pos, *s++))
			return -1;
	return 0;
}

static int kind_of(char c)
{
	return isdigit((unsigned char)c) ? 1 : isalpha((unsigned char)c) ? 2 : 0;
}

/* Maps in to lowercase ASCII tokens separated by spaces; see the file comment. */
static void clean(const char *in, char *out, size_t cap)
{
	size_t pos = 0;
	const unsigned char *p = (const unsigned char *)in;
	char prev = ' ';

	for (; *p; p++) {
		char c = 0;
		const char *sym = NULL;

		if (*p < 0x80 && isalnum(*p)) {
			c = (char)tolower(*p);
		} else if (*p == 0xC3 && p[1]) {
			c = latin1_base(*++p);
		} else if (*p == 0xE2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99)) {
			p += 2;
			c = '\'';
		} else if (*p >= 0x80) {
			while ((p[1] & 0xC0) == 0x80)
				p++;
		} else if (*p == '\'' || *p == '.' || *p == ',' || *p == '/') {
			c = (char)*p;
		} else if (*p == '&') {
			sym = " and ";
		} else if (*p == '%') {
			sym = " percent ";
		} else if (*p == '+') {
			sym = " plus ";
		} else if (*p == '@') {
			sym = " at ";
		} else if (*p == '$') {
			sym = " $ ";
		}
		if (sym) {
			if (put_str(out, cap, &pos, sym))
				break;
			prev = ' ';
			continue;
		}
		/* Keep . , / only between digits, ' only after a letter and before one. */
		if (c == '.' || c == ',' || c == '/')
			c = (kind_of(prev) == 1 && isdigit(p[1])) ? c : 0;
		else if (c == '\'')
			c = (kind_of(prev) == 2 && isalpha(p[1])) ? c : 0;
		if (!c)
			c = ' ';
		if (kind_of(c) && kind_of(prev) && kind_of(c) != kind_of(prev) && put(out, cap, &pos, ' '))
			break;
		if (put(out, cap, &pos, c))
			break;
		prev = c;
	}
	out[pos] = '\0';
}

/* ---- pass 2: words ---- */

struct unit {
	const char *abbr, *one, *many;
};

static const struct unit units[] = {
	{ "kg", "kilogram", "kilograms" }, { "kgs", "kilogram", "kilograms" },
	{ "g", "gram", "grams" }, { "gr", "gram", "grams" }, { "mg", "milligram", "milligrams" },
	{ "lb", "pound", "pounds" }, { "lbs", "pound", "pounds" }, { "oz", "ounce", "ounces" },
	{ "ml", "milliliter", "milliliters" }, { "cl", "centiliter", "centiliters" },
	{ "l", "liter", "liters" }, { "ltr", "liter", "liters" }, { "gal", "gallon", "gallons" },
	{ "qt", "quart", "quarts" }, { "pt", "pint", "pints" }, { "ct", "count", "count" },
	{ "pk", "pack", "pack" }, { "pc", "piece", "pieces" }, { "pcs", "piece", "pieces" },
	{ "in", "inch", "inch" }, { "ft", "foot", "feet" }, { "cm", "centimeter", "centimeters" },
	{ "mm", "millimeter", "millimeters" }, { "m", "meter", "meters" },
	{ "gb", "gigabyte", "gigabytes" }, { "tb", "terabyte", "terabytes" },
	{ "mb", "megabyte", "megabytes" }, { "w", "watt", "watts" }, { "v", "volt", "volts" },
	{ "mah", "milliamp", "milliamp" }, { "hz", "hertz", "hertz" }, { "x", "by", "by" },
	{ "k", "k", "k" }, /* 4K */
};

/* Words that, right after a number, are part of the quantity. */
static const char *const unit_words[] = { "kilogram", "kilograms", "gram", "grams", "pound",
	"pounds", "ounce", "ounces", "liter", "liters", "litre", "litres", "gallon", "gallons",
	"quart", "quarts", "pint", "pints", "count", "pack", "packs", "piece", "pieces", "inch",
	"inches", "foot", "feet", "meter", "meters", "dozen", "percent", "dollars", "dollar",
	"cents", "fluid", "milliliters", "hours", "hour", "hour", "minutes", "days", "year",
	"years", "month", "months", "by", "bag", "bags", "can", "cans", "box", "boxes", "jar",
	"jars", "bottle", "bottles", "carton", "cartons", "roll", "rolls", "loaf", "loaves",
	"bunch", "bunches", "sheets", "sticks", "cups", "tubs", "pouches", "packets" };

/* How a quantity is packed, after its unit ("3 lb bag", "15 oz can"): part of the
 * quantity, not of the product's name. */
static const char *const packaging[] = { "bag", "bags", "can", "cans", "box", "boxes",
	"jar", "jars", "bottle", "bottles", "carton", "cartons", "pack", "packs", "tub",
	"pouch", "bunch", "loaf", "tin", "tins" };

static const struct unit *find_unit(const char *tok)
{
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(tok, units[i].abbr) == 0)
			return &units[i];
	return NULL;
}

static int is_unit_word(const char *tok)
{
	for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++)
		if (strcmp(tok, unit_words[i]) == 0)
			return 1;
	return 0;
}

static int is_packaging(const char *tok)
{
	for (size_t i = 0; i < sizeof packaging / sizeof packaging[0]; i++)
		if (strcmp(tok, packaging[i]) == 0)
			return 1;
	return 0;
}

struct emitter {
	char *out, *core;
	size_t outlen, corelen, pos, corepos;
	int words;
};

/* Emits one or more space-separated words; quantities stay out of core. */
static void emit(struct emitter *e, const char *words, int quantity)
{
	if (!*words)
		return;
	if (append(e->out, e->outlen, &e->pos, words) != 0)
		return;
	e->words++;
	for (const char *s = words; *s; s++)
		e->words += *s == ' ';
	if (!quantity && e->core)
		append(e->core, e->corelen, &e->corepos, words);
}

/* Spells a number token ("12", "1,000", "2.5", "1/2"); *value gets its integer part
 * (or -1 when not a plain integer).  Returns 0, or -1 for nonsense. */
static int spell_number(const char *tok, char *buf, size_t cap, long *value)
{
	char digits[MAX_TOKEN], *dot, *slash;
	size_t n = 0, pos;
	unsigned long v;

	for (const char *s = tok; *s && n + 1 < sizeof digits; s++)
		if (*s != ',')
			digits[n++] = *s;
	digits[n] = '\0';
	dot = strchr(digits, '.');
	slash = strchr(digits, '/');
	if (dot)
		*dot = '\0';
	if (slash)
		*slash = '\0';
	if (strlen(digits) > 9)
		return -1;
	v = strtoul(digits, NULL, 10);
	*value = (dot || slash) ? -1 : (long)v;
	if (slash) {
		unsigned long d = strtoul(slash + 1, NULL, 10);

		if (v == 1 && d == 2)
			return snprintf(buf, cap, "one half") < (int)cap ? 0 : -1;
		if (d == 4 && v < 4)
			return snprintf(buf, cap, "%s %s", ones[v], v == 1 ? "quarter" : "quarters") < (int)cap ? 0 : -1;
		if (pron_number_words(v, buf, cap) != 0 || d > 999999999UL)
			return -1;
		pos = strlen(buf);
		return append(buf, cap, &pos, "over") || pron_number_words(d, buf + pos + 1, cap - pos - 1)
			? -1 : (buf[pos] = ' ', 0);
	}
	if (pron_number_words(v, buf, cap) != 0)
		return -1;
	if (dot) {
		pos = strlen(buf);
		if (append(buf, cap, &pos, "point"))
			return -1;
		for (const char *d = dot + 1; *d; d++)
			if (isdigit((unsigned char)*d) && append(buf, cap, &pos, ones[*d - '0']))
				return -1;
	}
	return 0;
}

/* "$4.99" -> "four dollars ninety nine"; returns 1 when it handled tok. */
static int dollars_and_cents(struct emitter *e, const char *tok)
{
	const char *dot = strchr(tok, '.');
	char whole[MAX_TOKEN], buf[128];
	size_t n = dot ? (size_t)(dot - tok) : 0;
	long v, cents;

	if (!dot || strlen(dot + 1) != 2 || !isdigit((unsigned char)dot[1]) ||
	    !isdigit((unsigned char)dot[2]) || n == 0 || n >= sizeof whole)
		return 0;
	memcpy(whole, tok, n);
	whole[n] = '\0';
	cents = (dot[1] - '0') * 10 + (dot[2] - '0');
	if (spell_number(whole, buf, sizeof buf, &v) != 0)
		return 0;
	emit(e, buf, 1);
	emit(e, v == 1 ? "dollar" : "dollars", 1);
	if (cents > 0 && pron_number_words((unsigned long)cents, buf, sizeof buf) == 0)
		emit(e, buf, 1);
	return 1;
}

/* Handles a number token at toks[i] and the suffix/unit after it; returns how many
 * tokens it used. */
static int number_token(struct emitter *e, char **toks, int i, int ntok, int dollars)
{
	char buf[256];
	long value;
	int used = 1;
	const char *next = i + 1 < ntok ? toks[i + 1] : "";

	if (dollars && dollars_and_cents(e, toks[i]))
		return 1;
	if (spell_number(toks[i], buf, sizeof buf, &value) != 0)
		return 1;
	if (value >= 0 && (!strcmp(next, "st") || !strcmp(next, "nd") || !strcmp(next, "rd") ||
			   !strcmp(next, "th"))) {
		make_ordinal(buf, sizeof buf);
		emit(e, buf, 0);
		return 2;
	}
	emit(e, buf, 1);
	if (dollars) {
		emit(e, value == 1 ? "dollar" : "dollars", 1);
	} else if (!strcmp(next, "fl") && i + 2 < ntok && !strcmp(toks[i + 2], "oz")) {
		emit(e, "fluid ounces", 1);
		used = 3;
	} else if (find_unit(next)) {
		const struct unit *u = find_unit(next);

		emit(e, value == 1 ? u->one : u->many, 1);
		used = 2;
	} else if (is_unit_word(next)) {
		emit(e, next, 1);
		used = 2;
	}
	if (used > 1 && i + used < ntok && is_packaging(toks[i + used])) {
		emit(e, toks[i + used], 1);
		used++;
	}
	return used;
}

int pron_normalize(const char *in, char *out, size_t outlen, char *core, size_t corelen)
{
	struct emitter e = { out, core, outlen, core ? corelen : 0, 0, 0, 0 };
	size_t cap;
	char *tmp, *save = NULL, **toks;
	int ntok = 0;

	if (!out || outlen == 0)
		return 0;
	out[0] = '\0';
	if (core && corelen)
		core[0] = '\0';
	if (!in)
		return 0;
	cap = strlen(in) * 10 + 16;
	tmp = malloc(cap);
	toks = malloc((cap / 2 + 1) * sizeof *toks);
	if (!tmp || !toks) {
		free(tmp);
		free(toks);
		return 0;
	}
	clean(in, tmp, cap);
	for (char *t = strtok_r(tmp, " ", &save); t; t = strtok_r(NULL, " ", &save))
		toks[ntok++] = t;
	for (int i = 0; i < ntok;) {
		int dollars = 0;

		if (!strcmp(toks[i], "$")) {
			dollars = i + 1 < ntok && isdigit((unsigned char)toks[i + 1][0]);
			i++;
			if (!dollars)
				continue;
		}
		if (isdigit((unsigned char)toks[i][0])) {
			i += number_token(&e, toks, i, ntok, dollars);
		} else if (!strcmp(toks[i], "half") && i + 1 < ntok &&
			   (is_unit_word(toks[i + 1]) ||
			    (find_unit(toks[i + 1]) && strlen(toks[i + 1]) > 1 && strcmp(toks[i + 1], "in")))) {
			/* "half gallon", "half lb" */
			const struct unit *u = find_unit(toks[i + 1]);

			emit(&e, "half", 1);
			emit(&e, u ? u->one : toks[i + 1], 1);
			i += 2;
		} else if (strlen(toks[i]) < MAX_TOKEN) {
			emit(&e, toks[i], 0);
			i++;
		} else {
			i++;
		}
	}
	free(tmp);
	free(toks);
	return e.words;
}

/* ---- dictionary ---- */

struct entry {
	const char *word, *pron;
	int next; /* index of the word's next variant, -1 for none */
};

struct pron_dict {
	char *text;        /* the whole file, split in place */
	struct entry *entries;
	size_t count;
	int *table;        /* open addressing: entry index + 1, 0 for empty */
	size_t mask;
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int find_first(const struct pron_dict *dict, const char *word)
{
	for (size_t i = hash_str(word) & dict->mask;; i = (i + 1) & dict->mask) {
		int idx = dict->table[i] - 1;

		if (idx < 0)
			return -1;
		if (strcmp(dict->entries[idx].word, word) == 0)
			return idx;
	}
}

/* Adds entry idx to the table, chaining it after the word's earlier variants. */
static void insert(struct pron_dict *dict, int idx)
{
	const char *word = dict->entries[idx].word;

	for (size_t i = hash_str(word) & dict->mask;; i = (i + 1) & dict->mask) {
		int other = dict->table[i] - 1;

		if (other < 0) {
			dict->table[i] = idx + 1;
			return;
		}
		if (strcmp(dict->entries[other].word, word) == 0) {
			while (dict->entries[other].next >= 0)
				other = dict->entries[other].next;
			dict->entries[other].next = idx;
			return;
		}
	}
}

/* Splits one line "word(2)  PH PH" in place into an entry; 0 when usable. */
static int parse_line(char *line, struct entry *e)
{
	char *w = line, *p, *paren;

	while (*w == ' ' || *w == '\t')
		w++;
	if (!*w || *w == ';' || *w == '#')
		return -1;
	p = w + strcspn(w, " \t");
	if (!*p)
		return -1;
	*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	paren = strchr(w, '(');
	if (paren && paren != w)
		*paren = '\0';
	for (char *end = p + strlen(p); end > p && isspace((unsigned char)end[-1]);)
		*--end = '\0';
	if (!*p)
		return -1;
	e->word = w;
	e->pron = p;
	e->next = -1;
	return 0;
}

static char *slurp(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size + 1)) != NULL) {
		if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		} else {
			buf[size] = '\0';
		}
	}
	if (!buf)
		snprintf(err, errlen, "%s: cannot read", path);
	fclose(f);
	return buf;
}

struct pron_dict *pron_dict_load(const char *dict_path, char *err, size_t errlen)
{
	struct pron_dict *dict = calloc(1, sizeof *dict);
	size_t lines = 1, size = 1024;
	char *save = NULL;

	if (!dict || !dict_path || !(dict->text = slurp(dict_path, err, errlen))) {
		if (dict && !dict_path)
			snprintf(err, errlen, "no dictionary path");
		free(dict);
		return NULL;
	}
	for (const char *s = dict->text; *s; s++)
		lines += *s == '\n';
	while (size < lines * 2)
		size *= 2;
	dict->entries = malloc(lines * sizeof *dict->entries);
	dict->table = calloc(size, sizeof *dict->table);
	dict->mask = size - 1;
	if (!dict->entries || !dict->table) {
		snprintf(err, errlen, "out of memory");
		pron_dict_free(dict);
		return NULL;
	}
	for (char *l = strtok_r(dict->text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (parse_line(l, &dict->entries[dict->count]) == 0) {
			insert(dict, (int)dict->count);
			dict->count++;
		}
	}
	if (dict->count == 0) {
		snprintf(err, errlen, "%s: no pronunciations in the file", dict_path);
		pron_dict_free(dict);
		return NULL;
	}
	return dict;
}

void pron_dict_free(struct pron_dict *dict)
{
	if (!dict)
		return;
	free(dict->text);
	free(dict->entries);
	free(dict->table);
	free(dict);
}

int pron_dict_has(const struct pron_dict *dict, const char *word)
{
	return dict && word && find_first(dict, word) >= 0;
}

int pron_dict_write(const struct pron_dict *dict, FILE *f, const char *word, int *guessed)
{
	char pron[512];
	int idx = dict ? find_first(dict, word) : -1, n = 0;

	if (guessed)
		*guessed = idx < 0;
	if (idx < 0) {
		if (pron_guess(word, pron, sizeof pron) != 0)
			return 0;
		return fprintf(f, "%s %s\n", word, pron) < 0 ? -1 : 1;
	}
	for (; idx >= 0; idx = dict->entries[idx].next, n++) {
		int rc = n == 0 ? fprintf(f, "%s %s\n", word, dict->entries[idx].pron)
				: fprintf(f, "%s(%d) %s\n", word, n + 1, dict->entries[idx].pron);
		if (rc < 0)
			return -1;
	}
	return n;
}

int pron_starts_with_vowel(const struct pron_dict *dict, const char *word)
{
	char guess[512];
	const char *pron;
	int idx;

	if (!word || !*word)
		return 0;
	idx = dict ? find_first(dict, word) : -1;
	if (idx >= 0)
		pron = dict->entries[idx].pron;
	else if (pron_guess(word, guess, sizeof guess) == 0)
		pron = guess;
	else
		return 0;
	while (*pron == ' ' || *pron == '\t')
		pron++;
	/* every CMU vowel phone (AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW) starts
	 * with a vowel letter, no consonant phone does */
	return *pron && strchr("AEIOU", *pron) != NULL;
}

/* ---- spelling to sound ---- */

static const char *const letter_names[26] = { "EY", "B IY", "S IY", "D IY", "IY", "EH F",
	"JH IY", "EY CH", "AY", "JH EY", "K EY", "EH L", "EH M", "EH N", "OW", "P IY", "K Y UW",
	"AA R", "EH S", "T IY", "Y UW", "V IY", "D AH B AH L Y UW", "EH K S", "W AY", "Z IY" };

struct rule {
	const char *letters, *phones; /* phones "" = silent */
};

/* Tried in order at each position: longer spellings first. */
static const struct rule rules[] = {
	{ "tch", "CH" }, { "sch", "S K" }, { "igh", "AY" }, { "ough", "AO" }, { "tion", "SH AH N" },
	{ "sion", "ZH AH N" }, { "ture", "CH ER" }, { "ch", "CH" }, { "sh", "SH" }, { "th", "TH" },
	{ "ph", "F" }, { "wh", "W" }, { "ck", "K" }, { "ng", "NG" }, { "qu", "K W" }, { "gh", "" },
	{ "ee", "IY" }, { "ea", "IY" }, { "oo", "UW" }, { "ou", "AW" }, { "ow", "OW" }, { "oi", "OY" },
	{ "oy", "OY" }, { "ai", "EY" }, { "ay", "EY" }, { "au", "AO" }, { "aw", "AO" }, { "ie", "IY" },
	{ "ei", "EY" }, { "ey", "IY" }, { "ue", "UW" }, { "ew", "UW" }, { "oa", "OW" }, { "ar", "AA R" },
	{ "er", "ER" }, { "ir", "ER" }, { "ur", "ER" }, { "or", "AO R" }, { "x", "K S" }, { "a", "AE" },
	{ "e", "EH" }, { "i", "IH" }, { "o", "AA" }, { "u", "AH" }, { "b", "B" }, { "d", "D" },
	{ "f", "F" }, { "h", "HH" }, { "j", "JH" }, { "k", "K" }, { "l", "L" }, { "m", "M" },
	{ "n", "N" }, { "p", "P" }, { "r", "R" }, { "s", "S" }, { "t", "T" }, { "v", "V" }, { "w", "W" },
	{ "z", "Z" },
};

static int is_vowel(char c)
{
	return c && strchr("aeiouy", c) != NULL;
}

static int spell_letters(const char *word, char *out, size_t outlen)
{
	size_t pos = 0;

	out[0] = '\0';
	for (; *word; word++)
		if (*word >= 'a' && *word <= 'z' && append(out, outlen, &pos, letter_names[*word - 'a']))
			return -1;
	return pos ? 0 : -1;
}

/* Phones for the letters at w[i]; *used gets how many letters they cover. */
static const char *phones_at(const char *w, size_t i, size_t len, size_t *used)
{
	char c = w[i], n = w[i + 1];

	*used = 1;
	if (i > 0 && c == w[i - 1] && !is_vowel(c))
		return ""; /* doubled consonant */
	if (c == 'e' && i == len - 1 && len > 3 && !is_vowel(w[i - 1]))
		return ""; /* silent final e */
	if (i == len - 1 && (c == 'a' || c == 'o' || c == 'i'))
		return c == 'a' ? "AH" : c == 'o' ? "OW" : "IY";
	if (c == 'c' && n != 'h')
		return (n == 'e' || n == 'i' || n == 'y') ? "S" : "K";
	if (c == 'g' && n != 'h')
		return (n == 'e' || n == 'i' || n == 'y') ? "JH" : "G";
	if (c == 'k' && n == 'n' && i == 0)
		return "";
	if (c == 'y')
		return i == 0 ? "Y" : (i == len - 1 ? "IY" : "IH");
	if (c == 's' && i == len - 1 && i > 0 && !strchr("ptkf", w[i - 1]))
		return "Z";
	for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
		size_t l = strlen(rules[r].letters);

		if (strncmp(w + i, rules[r].letters, l) == 0) {
			*used = l;
			return rules[r].phones;
		}
	}
	return ""; /* apostrophes and anything unknown */
}

int pron_guess(const char *word, char *out, size_t outlen)
{
	size_t len, pos = 0, vowels = 0;

	if (!word || !out || outlen == 0)
		return -1;
	out[0] = '\0';
	len = strlen(word);
	for (size_t i = 0; i < len; i++)
		vowels += is_vowel(word[i]);
	if (vowels == 0 || len <= 2)
		return spell_letters(word, out, outlen);
	for (size_t i = 0; i < len;) {
		size_t used;
		const char *ph = phones_at(word, i, len, &used);

		if (*ph && append(out, outlen, &pos, ph))
			return -1;
		i += used;
	}
	return pos ? 0 : -1;
}
