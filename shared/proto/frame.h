/*
 * frame.h - the binary audio frame of the buddy WebSocket (PROTOCOL.md section 4).
 *
 *   byte 0      kind   (PROTO_FRAME_MIC uplink, PROTO_FRAME_SPEECH downlink)
 *   byte 1      flags  (bit 0 PROTO_FRAME_LAST: last frame of the stream)
 *   bytes 2-3   reserved, must be 0
 *   bytes 4-7   turn id, u32 big-endian
 *   bytes 8-11  sequence number, u32 big-endian (0 for a turn's first frame)
 *   bytes 12-   one Opus packet of 20 ms mono audio (empty only on the last frame)
 *
 * The parser treats its input as hostile: anything that is not exactly such a frame
 * is rejected.  Parsing never copies: the parsed payload points into the caller's
 * buffer and lives as long as it does.
 */
#ifndef VOXCART_FRAME_H
#define VOXCART_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_FRAME_MIC     1
#define PROTO_FRAME_SPEECH  2
#define PROTO_FRAME_LAST    1
#define PROTO_FRAME_HEADER  12
/* The largest Opus packet (RFC 6716, 3.4). */
#define PROTO_FRAME_MAX_PAYLOAD 1275
#define PROTO_FRAME_MAX (PROTO_FRAME_HEADER + PROTO_FRAME_MAX_PAYLOAD)

struct proto_frame {
	uint8_t kind;
	uint8_t flags;
	uint32_t turn;
	uint32_t seq;
	const uint8_t *payload; /* points into the parsed buffer; NULL when len is 0 */
	size_t len;
};

/* Writes header + payload into out.  Returns the number of bytes written, or -1 when
 * kind or flags are invalid, the payload is too long (or empty without
 * PROTO_FRAME_LAST), or outcap is too small.  payload may be NULL when len is 0. */
int proto_frame_encode(uint8_t kind, uint8_t flags, uint32_t turn, uint32_t seq,
		       const uint8_t *payload, size_t len, uint8_t *out, size_t outcap);

/* Parses one whole frame of len bytes.  Returns 0 and fills f, or -1 for a short
 * buffer, an unknown kind, unknown flag bits, non-zero reserved bytes, an empty
 * payload on a frame that is not the last, or a payload over 1275 bytes. */
int proto_frame_parse(const uint8_t *buf, size_t len, struct proto_frame *f);

#endif
