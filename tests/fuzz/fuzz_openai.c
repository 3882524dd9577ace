/*
 * fuzz_openai.c - libFuzzer harness: what an OpenAI-compatible chat endpoint sends
 * back ([buddy] engine = openai, server/engine_openai.c): the event stream (SSE lines,
 * chat.completion.chunk JSON with text and tool-call pieces, [DONE]), a whole
 * chat.completion answer, or an error body, cut into the pieces curl hands over.
 * The engine's file is compiled into this harness (its readers are static); the
 * answer goes through on_body and round_finish as in a turn, the reply text through
 * the sentence splitter, and the tool calls are counted (not run: no database here).
 *
 * Input: byte 0 = piece size (1-256), byte 1 bit 0 = an HTTP error status instead of
 * 200; the rest is the answer.
 */
#include "engine_openai.c"

#include <stdint.h>

static size_t said;

static void on_delta(void *ctx, const char *text)
{
	(void)ctx;
	size_t n = strlen(text);
	/* whole sentences: each ends with an end mark and a space */
	if (n < 2 || text[n - 1] != ' ')
		abort();
	said += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t piece = (size_t)data[0] + 1;
	int error = data[1] & 1;
	data += 2;
	size -= 2;
	static const struct buddy_output out = { .delta = on_delta };
	struct oa_turn t;
	memset(&t, 0, sizeof t);
	t.out = &out;
	t.cfg.timeout_ms = 1000;
	struct oa_round r;
	memset(&r, 0, sizeof r);
	r.t = &t;
	r.status = error ? 500 : 200;
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (size_t i = 0; i < size; i += piece) {
		size_t n = size - i < piece ? size - i : piece;
		if (on_body(copy + i, 1, n, &r) != n)
			break;
	}
	round_finish(&r, CURLE_OK);
	if (!r.bad) {
		say_ready(&t, 1);
		int calls = named_calls(&r);
		if (calls < 0 || calls > MAX_CALLS || r.ncalls > MAX_CALLS)
			abort();
		for (int i = 0; i < r.ncalls; i++) {
			cJSON *args = cJSON_Parse(buf_str(&r.calls[i].args));
			cJSON_Delete(args);
		}
	}
	if (strlen(r.why) >= sizeof r.why)
		abort();
	round_free(&r);
	buf_free(&t.pending);
	buf_free(&t.reply);
	free(copy);
	return 0;
}
