/*
 * fuzz_asr_answer.c - libFuzzer harness: what an OpenAI-compatible transcription
 * endpoint sends back ([voice] asr = openai, server/voice/remote_asr.c).  The answer
 * is cut into the pieces curl hands over and collected as outside_perform does
 * (server/outside.c's on_body, with the module's 1 MB limit); a 200 answer goes
 * through parse_answer, an error status through http_error, and the reason through
 * outside_scrub as remote_asr_transcribe does.  Both files are compiled into this
 * harness (their readers are static).
 *
 * What must hold: a transcript is valid UTF-8 without control characters, trimmed,
 * no blank runs, and fits its buffer; a reason is one line that holds no part of the
 * API key (an endpoint's error may quote it).
 *
 * Input: byte 0 = piece size (1-256); byte 1 bit 0 = an HTTP error status instead of
 * 200, bits 1-7 = the transcript buffer's size (8 + 8 * value; 1024 when 0, as
 * voice_turn.c has it); the rest is the answer's body.
 */
#include "outside.c"
#include "voice/remote_asr.c"

#include <stdint.h>

static const char key[] = "sk-fuzzkey-0123456789abcdef";

static void check_reason(const char *why, size_t whylen)
{
	size_t n = strnlen(why, whylen);
	if (n == whylen)
		abort(); /* not terminated */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)why[i] < 0x20)
			abort(); /* one line */
	if (strstr(why, key))
		abort();
	/* A reason cut short may end inside the key: no 4 or more of its first characters
	 * may be left at the end. */
	for (size_t k = 4; k < sizeof key - 1 && k <= n; k++)
		if (memcmp(why + n - k, key, k) == 0) {
			fprintf(stderr, "the reason ends with %zu characters of the key: %s\n", k, why);
			abort();
		}
}

static void check_transcript(const char *out, size_t outlen)
{
	size_t n = strnlen(out, outlen);
	if (n == outlen || !utf8_valid(out, n))
		abort();
	if (n > 0 && (out[0] == ' ' || out[n - 1] == ' '))
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c < 0x20 || c == 0x7f || (c == ' ' && out[i + 1] == ' '))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t piece = (size_t)data[0] + 1;
	int error = data[1] & 1;
	size_t outlen = (data[1] >> 1) ? 8 + 8 * (size_t)(data[1] >> 1) : 1024;
	data += 2;
	size -= 2;

	struct outside_answer a = { NULL, 0 };
	struct whole w = { .a = &a, .max = BODY_MAX_BYTES };
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (size_t i = 0; i < size; i += piece) {
		size_t n = size - i < piece ? size - i : piece;
		if (on_body(copy + i, 1, n, &w) != n)
			abort(); /* far under the limit */
	}
	free(copy);
	if (a.len != size || (a.body && a.body[a.len] != '\0'))
		abort();

	char *out = malloc(outlen), why[300];
	if (!out) {
		free(a.body);
		return 0;
	}
	out[0] = '\0';
	snprintf(why, sizeof why, "failed");
	int rc;
	if (error) {
		http_error(&a, 503, why, sizeof why);
		rc = -1;
	} else {
		rc = parse_answer(&a, out, outlen, why, sizeof why);
	}
	outside_scrub(why, key);
	if (rc == 0)
		check_transcript(out, outlen);
	else
		check_reason(why, sizeof why);
	free(out);
	free(a.body);
	return 0;
}
