/*
 * frame.c - encoding and parsing of the 12-byte audio frame header (see frame.h).
 * All multi-byte integers are big-endian; bytes are assembled by shifting so the
 * code does not depend on host byte order or alignment.
 */
#include "frame.h"

#include <string.h>

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int kind_valid(uint8_t kind)
{
	return kind == PROTO_FRAME_MIC || kind == PROTO_FRAME_SPEECH;
}

/* A frame is acceptable when its kind is known, only known flag bits are set, and
 * its payload is non-empty (unless last) and no longer than one Opus packet. */
static int frame_valid(uint8_t kind, uint8_t flags, size_t len)
{
	if (!kind_valid(kind) || (flags & ~PROTO_FRAME_LAST) != 0)
		return 0;
	if (len > PROTO_FRAME_MAX_PAYLOAD)
		return 0;
	if (len == 0 && !(flags & PROTO_FRAME_LAST))
		return 0;
	return 1;
}

int proto_frame_encode(uint8_t kind, uint8_t flags, uint32_t turn, uint32_t seq,
		       const uint8_t *payload, size_t len, uint8_t *out, size_t outcap)
{
	if (!out || !frame_valid(kind, flags, len) || (len > 0 && !payload))
		return -1;
	if (outcap < PROTO_FRAME_HEADER + len)
		return -1;
	out[0] = kind;
	out[1] = flags;
	out[2] = 0;
	out[3] = 0;
	put_u32(out + 4, turn);
	put_u32(out + 8, seq);
	if (len > 0)
		memcpy(out + PROTO_FRAME_HEADER, payload, len);
	return (int)(PROTO_FRAME_HEADER + len);
}

int proto_frame_parse(const uint8_t *buf, size_t len, struct proto_frame *f)
{
	size_t plen;

	if (!buf || !f || len < PROTO_FRAME_HEADER)
		return -1;
	if (buf[2] != 0 || buf[3] != 0)
		return -1;
	plen = len - PROTO_FRAME_HEADER;
	if (!frame_valid(buf[0], buf[1], plen))
		return -1;
	f->kind = buf[0];
	f->flags = buf[1];
	f->turn = get_u32(buf + 4);
	f->seq = get_u32(buf + 8);
	f->payload = plen ? buf + PROTO_FRAME_HEADER : NULL;
	f->len = plen;
	return 0;
}
