/*
 * test_requests.c - the buddy WebSocket's client messages in one place
 * (shared/proto/requests.c): each encoder writes the bytes the clients sent before the
 * encoders existed (the wire does not change), and the server's decoder reads them
 * back, refuses what is no message, and checks numbers the way msgcheck does.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "requests.h"

static char *print(cJSON *m)
{
	ck_assert_ptr_nonnull(m);
	char *s = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void decode(const char *text, struct buddy_req *r)
{
	const char *code = NULL, *message = NULL;
	ck_assert_msg(buddy_req_decode(text, strlen(text), r, &code, &message) == 0, "%s: %s",
		      text, message ? message : "");
}

START_TEST(hello)
{
	struct buddy_req_hello h = { .token = "tok-1", .client = "voxcart/0.1.0", .sample_rate = 16000,
				     .frame_ms = 20, .speech = 1, .vad = 0, .conversation_id = 42 };
	char *s = print(buddy_req_hello(&h));
	ck_assert_str_eq(s, "{\"type\":\"hello\",\"audio\":{\"codec\":\"opus\",\"sample_rate\":16000,"
			 "\"frame_ms\":20},\"token\":\"tok-1\",\"client\":\"voxcart/0.1.0\","
			 "\"speech\":true,\"vad\":false,\"conversation_id\":42}");
	struct buddy_req r;
	decode(s, &r);
	ck_assert_int_eq(r.type, BUDDY_REQ_HELLO);
	ck_assert_str_eq(r.token, "tok-1");
	ck_assert_int_eq(r.speech, 1);
	ck_assert_int_eq(r.vad, 0);
	ck_assert_int_eq(r.sample_rate, 16000);
	ck_assert_int_eq(r.has_conversation, 1);
	ck_assert_int_eq(r.conversation_id, 42);
	ck_assert_ptr_null(r.voice_name);
	buddy_req_free(&r);
	free(s);
	h.conversation_id = 0; /* a new conversation: no field */
	h.vad = 1;
	s = print(buddy_req_hello(&h));
	ck_assert_ptr_null(strstr(s, "conversation_id"));
	ck_assert_ptr_nonnull(strstr(s, "\"vad\":true"));
	free(s);
	/* what other clients may send: defaults, voice as a name or an object */
	decode("{\"type\":\"hello\",\"token\":\"t\"}", &r);
	ck_assert_int_eq(r.speech, 1);
	ck_assert_int_eq(r.sample_rate, 16000);
	ck_assert_int_eq(r.has_conversation, 0);
	ck_assert_int_eq(r.has_rate, 0);
	buddy_req_free(&r);
	decode("{\"type\":\"hello\",\"voice\":\"en-gb\",\"speech\":false,\"audio\":{\"sample_rate\":48000},"
	       "\"conversation_id\":\"7\"}", &r);
	ck_assert_ptr_null(r.token);
	ck_assert_str_eq(r.voice_name, "en-gb");
	ck_assert_int_eq(r.speech, 0);
	ck_assert_int_eq(r.sample_rate, 48000);
	ck_assert_int_eq(r.has_conversation, 0); /* not a number */
	buddy_req_free(&r);
	decode("{\"type\":\"hello\",\"voice\":{\"name\":\"en-us\",\"rate\":200,\"pitch\":2.5},"
	       "\"audio\":{\"sample_rate\":1e300},\"conversation_id\":-3}", &r);
	ck_assert_str_eq(r.voice_name, "en-us");
	ck_assert_int_eq(r.has_rate, 1);
	ck_assert_int_eq(r.rate, 200);
	ck_assert_int_eq(r.has_pitch, 0); /* not an integer */
	ck_assert_int_eq(r.sample_rate, 16000);
	ck_assert_int_eq(r.has_conversation, 1);
	ck_assert_int_eq(r.conversation_id, 0); /* a number, but no conversation's id */
	buddy_req_free(&r);
}
END_TEST

START_TEST(turn_messages)
{
	char *s = print(buddy_req_say(3, "add milk"));
	ck_assert_str_eq(s, "{\"type\":\"say\",\"turn\":3,\"text\":\"add milk\"}");
	struct buddy_req r;
	decode(s, &r);
	ck_assert_int_eq(r.type, BUDDY_REQ_SAY);
	ck_assert_uint_eq(r.turn, 3);
	ck_assert_str_eq(r.text, "add milk");
	buddy_req_free(&r);
	free(s);
	static const struct { enum buddy_req_type type; const char *want; } t[] = {
		{ BUDDY_REQ_AUDIO_START, "{\"type\":\"audio.start\",\"turn\":4}" },
		{ BUDDY_REQ_AUDIO_STOP, "{\"type\":\"audio.stop\",\"turn\":4}" },
		{ BUDDY_REQ_CANCEL, "{\"type\":\"cancel\",\"turn\":4}" },
		{ BUDDY_REQ_PING, "{\"type\":\"ping\"}" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = print(buddy_req_turn(t[i].type, 4));
		ck_assert_str_eq(s, t[i].want);
		decode(s, &r);
		ck_assert_int_eq(r.type, t[i].type);
		ck_assert_uint_eq(r.turn, t[i].type == BUDDY_REQ_PING ? 0 : 4);
		buddy_req_free(&r);
		free(s);
	}
	ck_assert_ptr_null(buddy_req_turn(BUDDY_REQ_SAY, 1));
	ck_assert_ptr_null(buddy_req_turn(BUDDY_REQ_HELLO, 1));
	/* turns the server must not take: 0, negative, fractional, too big, strings */
	static const char *const bad[] = {
		"{\"type\":\"say\",\"turn\":0,\"text\":\"x\"}", "{\"type\":\"say\",\"turn\":-1}",
		"{\"type\":\"say\",\"turn\":1.5}", "{\"type\":\"say\",\"turn\":4294967296}",
		"{\"type\":\"say\",\"turn\":\"2\"}", "{\"type\":\"say\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		decode(bad[i], &r);
		ck_assert_uint_eq(r.turn, 0);
		buddy_req_free(&r);
	}
	decode("{\"type\":\"say\",\"turn\":4294967295,\"text\":5}", &r);
	ck_assert_uint_eq(r.turn, 4294967295u);
	ck_assert_ptr_null(r.text); /* not a string */
	buddy_req_free(&r);
}
END_TEST

START_TEST(refused)
{
	struct buddy_req r;
	const char *code, *message;
	static const struct { const char *text, *code; } t[] = {
		{ "not json", "invalid_json" },
		{ "{\"type\":\"say\",\"text\":\"a\\u0000b\"}", "invalid_json" },
		{ "[1,2]", "bad_request" },
		{ "{\"turn\":1}", "bad_request" },
		{ "{\"type\":7}", "bad_request" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		ck_assert_int_eq(buddy_req_decode(t[i].text, strlen(t[i].text), &r, &code, &message), -1);
		ck_assert_str_eq(code, t[i].code);
		ck_assert_ptr_null(r.msg);
	}
	/* a length shorter than the text: only that much is read */
	ck_assert_int_eq(buddy_req_decode("{\"type\":\"ping\"}xyz", 15, &r, &code, &message), 0);
	ck_assert_int_eq(r.type, BUDDY_REQ_PING);
	buddy_req_free(&r);
	decode("{\"type\":\"later\"}", &r);
	ck_assert_int_eq(r.type, BUDDY_REQ_UNKNOWN);
	ck_assert_str_eq(r.type_name, "later");
	buddy_req_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("requests");
	TCase *tc = tcase_create("requests");
	tcase_add_test(tc, hello);
	tcase_add_test(tc, turn_messages);
	tcase_add_test(tc, refused);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
