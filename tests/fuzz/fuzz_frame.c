/*
 * fuzz_frame.c - libFuzzer harness: the audio frame header (shared/proto/frame.c) and the
 * Opus packets inside microphone frames, decoded as voice_turn.c does (at the
 * uplink rates a client may choose).  A frame that parses must re-encode to the
 * same bytes.
 */
#include "frame.h"
#include "opuscodec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct opus_dec *dec[2];
	static const int rates[2] = { 16000, 48000 };
	static int16_t pcm[48000 / 50 * 6]; /* 120 ms at 48 kHz */
	if (!dec[0]) {
		char err[128];
		for (int i = 0; i < 2; i++)
			if (!(dec[i] = opus_dec_new(rates[i], err, sizeof err)))
				abort();
	}
	struct proto_frame f;
	if (proto_frame_parse(data, size, &f) != 0)
		return 0;
	uint8_t again[PROTO_FRAME_MAX];
	int n = proto_frame_encode(f.kind, f.flags, f.turn, f.seq, f.payload, f.len, again,
				   sizeof again);
	if (n < 0 || (size_t)n != PROTO_FRAME_HEADER + f.len ||
	    memcmp(again + PROTO_FRAME_HEADER, f.payload ? f.payload : again, f.len) != 0)
		abort();
	if (f.kind == PROTO_FRAME_MIC)
		for (int i = 0; i < 2; i++)
			opus_dec_decode(dec[i], f.len ? f.payload : NULL, f.len, pcm,
					sizeof pcm / sizeof pcm[0]);
	return 0;
}
