/*
 * test_events.c - the buddy WebSocket's events in one place (shared/proto/events.c):
 * each encoder writes the bytes voxcartd sent before the encoders existed (the wire
 * does not change), and the decoder reads back what the encoder wrote.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

/* The unformatted JSON of ev (taken). */
static char *print(cJSON *ev)
{
	ck_assert_ptr_nonnull(ev);
	char *s = cJSON_PrintUnformatted(ev);
	cJSON_Delete(ev);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void decode(const char *text, struct buddy_event *ev)
{
	ck_assert_int_eq(buddy_event_decode(text, strlen(text), ev), 0);
}

START_TEST(ready)
{
	cJSON *user = cJSON_Parse("{\"id\":7,\"email\":\"a@b.c\"}");
	char *s = print(buddy_event_ready("s-1", 42, user, "en-us", 1, "pocketsphinx", 16000));
	ck_assert_str_eq(s, "{\"type\":\"ready\",\"session\":\"s-1\",\"conversation_id\":42,"
			 "\"user\":{\"id\":7,\"email\":\"a@b.c\"},\"speech\":{\"codec\":\"opus\","
			 "\"sample_rate\":24000,\"frame_ms\":20,\"voice\":\"en-us\",\"enabled\":true},"
			 "\"asr\":{\"engine\":\"pocketsphinx\",\"sample_rate\":16000}}");
	struct buddy_event ev;
	decode(s, &ev);
	ck_assert_int_eq(ev.type, BUDDY_EV_READY);
	ck_assert_str_eq(ev.session, "s-1");
	ck_assert_int_eq(ev.conversation_id, 42);
	ck_assert_int_eq(ev.speech_rate, 24000);
	ck_assert_str_eq(ev.voice, "en-us");
	ck_assert_ptr_nonnull(ev.user);
	buddy_event_free(&ev);
	free(s);
	s = print(buddy_event_ready("s-2", 1, NULL, "en", 0, "openai", 8000));
	ck_assert_ptr_nonnull(strstr(s, "\"user\":null"));
	ck_assert_ptr_nonnull(strstr(s, "\"enabled\":false"));
	decode(s, &ev);
	ck_assert_ptr_null(ev.user);
	buddy_event_free(&ev);
	free(s);
}
END_TEST

START_TEST(turn_events)
{
	struct buddy_event ev;
	char *s = print(buddy_event_transcript(3, "add milk", 1));
	ck_assert_str_eq(s, "{\"type\":\"transcript\",\"turn\":3,\"text\":\"add milk\",\"final\":true}");
	decode(s, &ev);
	ck_assert_int_eq(ev.type, BUDDY_EV_TRANSCRIPT);
	ck_assert_uint_eq(ev.turn, 3);
	ck_assert_str_eq(ev.text, "add milk");
	ck_assert_int_eq(ev.final, 1);
	buddy_event_free(&ev);
	free(s);

	s = print(buddy_event_delta(4, 0, "Hi. ", -1));
	ck_assert_str_eq(s, "{\"type\":\"reply.delta\",\"turn\":4,\"seq\":0,\"text\":\"Hi. \"}");
	decode(s, &ev);
	ck_assert_int_eq(ev.speech_seq, -1);
	buddy_event_free(&ev);
	free(s);
	s = print(buddy_event_delta(4, 1, "Sure.", 12));
	ck_assert_str_eq(s, "{\"type\":\"reply.delta\",\"turn\":4,\"seq\":1,\"text\":\"Sure.\","
			 "\"speech_seq\":12}");
	decode(s, &ev);
	ck_assert_int_eq(ev.type, BUDDY_EV_REPLY_DELTA);
	ck_assert_uint_eq(ev.seq, 1);
	ck_assert_int_eq(ev.speech_seq, 12);
	buddy_event_free(&ev);
	free(s);

	cJSON *args = cJSON_Parse("{\"product_id\":5,\"quantity\":2}");
	s = print(buddy_event_action(4, "cart_add", args, NULL));
	ck_assert_str_eq(s, "{\"type\":\"action\",\"turn\":4,\"name\":\"cart_add\","
			 "\"args\":{\"product_id\":5,\"quantity\":2},\"result\":{}}");
	cJSON_Delete(args);
	decode(s, &ev);
	ck_assert_int_eq(ev.type, BUDDY_EV_ACTION);
	ck_assert_str_eq(ev.name, "cart_add");
	ck_assert_ptr_nonnull(ev.args);
	ck_assert_ptr_nonnull(ev.result);
	buddy_event_free(&ev);
	free(s);
}
END_TEST

START_TEST(done)
{
	struct buddy_event_done d = { .text = "Done.", .asr_ms = 3.4, .think_ms = 5.6,
				      .first_text_ms = 2.5 };
	char *s = print(buddy_event_done(9, &d));
	ck_assert_str_eq(s, "{\"type\":\"reply.done\",\"turn\":9,\"text\":\"Done.\","
			 "\"speech_frames\":0,\"cancelled\":false,\"timing\":{\"asr_ms\":3,"
			 "\"think_ms\":6,\"first_text_ms\":3,\"first_speech_ms\":null}}");
	struct buddy_event ev;
	decode(s, &ev);
	ck_assert_int_eq(ev.type, BUDDY_EV_REPLY_DONE);
	ck_assert_int_eq(ev.think_ms, 6);
	ck_assert_int_eq(ev.first_speech_ms, -1);
	buddy_event_free(&ev);
	free(s);
	d = (struct buddy_event_done){ .text = "Ok.", .speech_frames = 40, .cancelled = 1,
				       .asr_ms = 1, .think_ms = 2, .first_text_ms = 3,
				       .first_packet_ms = 4, .first_speech_ms = 5.5,
				       .cpu_known = 1, .asr_cpu_ms = 1.26,
				       .first_speech_cpu_ms = 7.04 };
	s = print(buddy_event_done(10, &d));
	ck_assert_str_eq(s, "{\"type\":\"reply.done\",\"turn\":10,\"text\":\"Ok.\","
			 "\"speech_frames\":40,\"cancelled\":true,\"timing\":{\"asr_ms\":1,"
			 "\"think_ms\":2,\"first_text_ms\":3,\"first_packet_ms\":4,"
			 "\"asr_cpu_ms\":1.3,\"first_speech_cpu_ms\":7,\"first_speech_ms\":6}}");
	decode(s, &ev);
	ck_assert_uint_eq(ev.speech_frames, 40);
	ck_assert_int_eq(ev.cancelled, 1);
	ck_assert_int_eq(ev.first_speech_ms, 6);
	buddy_event_free(&ev);
	free(s);
}
END_TEST

START_TEST(error_and_pong)
{
	char *s = print(buddy_event_error(0, "bad_request", "Send hello first."));
	ck_assert_str_eq(s, "{\"type\":\"error\",\"code\":\"bad_request\","
			 "\"message\":\"Send hello first.\"}");
	free(s);
	s = print(buddy_event_error(2, "internal", "x"));
	ck_assert_str_eq(s, "{\"type\":\"error\",\"turn\":2,\"code\":\"internal\",\"message\":\"x\"}");
	struct buddy_event ev;
	decode(s, &ev);
	ck_assert_int_eq(ev.type, BUDDY_EV_ERROR);
	ck_assert_str_eq(ev.code, "internal");
	ck_assert_str_eq(ev.message, "x");
	buddy_event_free(&ev);
	free(s);
	s = print(buddy_event_pong());
	ck_assert_str_eq(s, "{\"type\":\"pong\"}");
	decode(s, &ev);
	ck_assert_int_eq(ev.type, BUDDY_EV_PONG);
	buddy_event_free(&ev);
	free(s);
	/* not an event: refused, *ev zeroed */
	ck_assert_int_eq(buddy_event_decode("[1]", 3, &ev), -1);
	ck_assert_ptr_null(ev.json);
	ck_assert_int_eq(buddy_event_decode("{\"type\":\"later\"}", 16, &ev), 0);
	ck_assert_int_eq(ev.type, BUDDY_EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "later");
	buddy_event_free(&ev);
}
END_TEST

/* Numbers a server (hostile, or broken) sends out of range read as absent: they
 * reached a conversion to long/int before, which is undefined (fuzz_events found
 * asr_ms 4e40; UBSan: "outside the range of representable values"). */
START_TEST(numbers_out_of_range)
{
	const char *s = "{\"type\":\"reply.done\",\"turn\":1,\"timing\":{\"asr_ms\":4e40,"
			"\"think_ms\":-1e300,\"first_speech_ms\":9e18}}";
	struct buddy_event ev;
	ck_assert_int_eq(buddy_event_decode(s, strlen(s), &ev), 0);
	ck_assert_int_eq(ev.asr_ms, -1);
	ck_assert_int_eq(ev.think_ms, -1);
	ck_assert_int_eq(ev.first_speech_ms, -1);
	buddy_event_free(&ev);
	s = "{\"type\":\"ready\",\"speech\":{\"sample_rate\":1e300}}";
	ck_assert_int_eq(buddy_event_decode(s, strlen(s), &ev), 0);
	ck_assert_int_eq(ev.speech_rate, 24000);
	buddy_event_free(&ev);
	s = "{\"type\":\"ready\",\"speech\":{\"sample_rate\":16000}}";
	ck_assert_int_eq(buddy_event_decode(s, strlen(s), &ev), 0);
	ck_assert_int_eq(ev.speech_rate, 16000);
	buddy_event_free(&ev);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("events");
	tcase_add_test(tc, ready);
	tcase_add_test(tc, turn_events);
	tcase_add_test(tc, done);
	tcase_add_test(tc, numbers_out_of_range);
	tcase_add_test(tc, error_and_pong);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
