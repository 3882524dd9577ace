/*
 * test_frame.c - audio frame header (shared/proto/frame.c): round trips, byte layout,
 * and hostile input (short, unknown kind, reserved bytes, empty/oversized payload).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

START_TEST(test_roundtrip)
{
	uint8_t payload[100], buf[PROTO_FRAME_MAX];
	struct proto_frame f;
	int n;

	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7);
	n = proto_frame_encode(PROTO_FRAME_SPEECH, 0, 0x01020304u, 0xA0B0C0D0u, payload,
			       sizeof payload, buf, sizeof buf);
	ck_assert_int_eq(n, PROTO_FRAME_HEADER + 100);
	ck_assert_int_eq(proto_frame_parse(buf, (size_t)n, &f), 0);
	ck_assert_uint_eq(f.kind, PROTO_FRAME_SPEECH);
	ck_assert_uint_eq(f.flags, 0);
	ck_assert_uint_eq(f.turn, 0x01020304u);
	ck_assert_uint_eq(f.seq, 0xA0B0C0D0u);
	ck_assert_uint_eq(f.len, 100);
	ck_assert_ptr_eq(f.payload, buf + PROTO_FRAME_HEADER);
	ck_assert_mem_eq(f.payload, payload, 100);
}
END_TEST

START_TEST(test_layout_big_endian)
{
	uint8_t p = 0xEE, buf[32];
	const uint8_t want[13] = { 1, 1, 0, 0, 0, 0, 0, 7, 0, 0, 1, 2, 0xEE };

	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, PROTO_FRAME_LAST, 7, 258, &p, 1,
					    buf, sizeof buf), 13);
	ck_assert_mem_eq(buf, want, 13);
}
END_TEST

START_TEST(test_empty_last_frame)
{
	uint8_t buf[PROTO_FRAME_HEADER];
	struct proto_frame f;

	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, PROTO_FRAME_LAST, 3, 9, NULL, 0,
					    buf, sizeof buf), PROTO_FRAME_HEADER);
	ck_assert_int_eq(proto_frame_parse(buf, sizeof buf, &f), 0);
	ck_assert_uint_eq(f.len, 0);
	ck_assert_ptr_null(f.payload);
	ck_assert_uint_eq(f.flags & PROTO_FRAME_LAST, PROTO_FRAME_LAST);
	/* Without the last flag an empty payload is refused both ways. */
	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, 0, 3, 9, NULL, 0, buf, sizeof buf), -1);
	buf[1] = 0;
	ck_assert_int_eq(proto_frame_parse(buf, sizeof buf, &f), -1);
}
END_TEST

START_TEST(test_hostile)
{
	uint8_t good[PROTO_FRAME_HEADER + 4], bad[sizeof good], big[PROTO_FRAME_MAX + 1];
	uint8_t p[4] = { 1, 2, 3, 4 };
	struct proto_frame f;

	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_SPEECH, 0, 1, 1, p, 4, good, sizeof good),
			 (int)sizeof good);
	/* short buffers, including every truncation of the header */
	for (size_t len = 0; len < PROTO_FRAME_HEADER; len++)
		ck_assert_int_eq(proto_frame_parse(good, len, &f), -1);
	ck_assert_int_eq(proto_frame_parse(NULL, 16, &f), -1);
	ck_assert_int_eq(proto_frame_parse(good, sizeof good, NULL), -1);
	/* unknown kinds */
	for (int k = 0; k < 256; k++) {
		memcpy(bad, good, sizeof bad);
		bad[0] = (uint8_t)k;
		ck_assert_int_eq(proto_frame_parse(bad, sizeof bad, &f),
				 (k == PROTO_FRAME_MIC || k == PROTO_FRAME_SPEECH) ? 0 : -1);
	}
	/* reserved bytes */
	memcpy(bad, good, sizeof bad);
	bad[2] = 1;
	ck_assert_int_eq(proto_frame_parse(bad, sizeof bad, &f), -1);
	memcpy(bad, good, sizeof bad);
	bad[3] = 0x80;
	ck_assert_int_eq(proto_frame_parse(bad, sizeof bad, &f), -1);
	/* unknown flag bits */
	memcpy(bad, good, sizeof bad);
	bad[1] = 0x02;
	ck_assert_int_eq(proto_frame_parse(bad, sizeof bad, &f), -1);
	/* oversized payload: 1275 is fine, 1276 is not */
	memset(big, 0, sizeof big);
	big[0] = PROTO_FRAME_MIC;
	ck_assert_int_eq(proto_frame_parse(big, PROTO_FRAME_MAX, &f), 0);
	ck_assert_uint_eq(f.len, PROTO_FRAME_MAX_PAYLOAD);
	ck_assert_int_eq(proto_frame_parse(big, PROTO_FRAME_MAX + 1, &f), -1);
}
END_TEST

START_TEST(test_encode_limits)
{
	uint8_t p[PROTO_FRAME_MAX_PAYLOAD + 1], buf[PROTO_FRAME_MAX + 8];

	memset(p, 0x55, sizeof p);
	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, 0, 0, 0, p, PROTO_FRAME_MAX_PAYLOAD,
					    buf, sizeof buf), PROTO_FRAME_MAX);
	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, 0, 0, 0, p, sizeof p, buf, sizeof buf), -1);
	/* too little room */
	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, 0, 0, 0, p, 10, buf, 21), -1);
	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, 0, 0, 0, p, 10, buf, 22), 22);
	/* bad kind, bad flags, NULL payload with a length */
	ck_assert_int_eq(proto_frame_encode(3, 0, 0, 0, p, 10, buf, sizeof buf), -1);
	ck_assert_int_eq(proto_frame_encode(0, 0, 0, 0, p, 10, buf, sizeof buf), -1);
	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, 4, 0, 0, p, 10, buf, sizeof buf), -1);
	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, 0, 0, 0, NULL, 10, buf, sizeof buf), -1);
	ck_assert_int_eq(proto_frame_encode(PROTO_FRAME_MIC, 0, 0, 0, p, 10, NULL, 100), -1);
}
END_TEST

/* Random bytes never crash the parser and anything it accepts re-encodes exactly. */
START_TEST(test_fuzz)
{
	uint8_t buf[64], again[64];
	struct proto_frame f;

	srand(1234);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand() % 40);

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rand();
		if (i % 3 == 0 && len >= 4) {
			buf[0] = (uint8_t)(1 + rand() % 2);
			buf[1] = (uint8_t)(rand() % 2);
			buf[2] = buf[3] = 0;
		}
		if (proto_frame_parse(buf, len, &f) == 0) {
			int n = proto_frame_encode(f.kind, f.flags, f.turn, f.seq, f.payload, f.len,
						   again, sizeof again);
			ck_assert_int_eq(n, (int)len);
			ck_assert_mem_eq(again, buf, len);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_layout_big_endian);
	tcase_add_test(tc, test_empty_last_frame);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_encode_limits);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
