/*
 * test_buddy.c - multi-turn dialogues with the buddy against a fake shop.
 *
 * Each test starts a fresh shop (buddy_fake.h) and a fresh dialogue state, says
 * things the way shoppers do (typos, fillers, corrections, references to earlier
 * turns) and checks what the cart holds, which actions were reported, and the key
 * words of the reply.  Replies are checked loosely (a word or two) so wording can
 * improve without breaking tests; cart contents are checked exactly.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/buddy.h"
#include "buddy_fake.h"

static struct fake_shop shop;
static struct buddy_tools tools;
static struct buddy_state *st;
static struct buddy_turn_info info;
static char reply[8192];
static char actions[2048];
static int deltas_ok;
static int cancel_after;	/* cancel after this many deltas (0: never) */
static int ndeltas;

static void on_delta(void *ctx, const char *text)
{
	(void)ctx;
	size_t n = strlen(text);
	ndeltas++;
	/* every piece is whole sentences: ends with ". ", "? " or "! " */
	if (n < 2 || text[n - 1] != ' ' || !strchr(".?!", text[n - 2]))
		deltas_ok = 0;
	strncat(reply, text, sizeof reply - strlen(reply) - 1);
}

static void on_action(void *ctx, const char *name, cJSON *args, cJSON *result)
{
	(void)ctx;
	(void)args;
	ck_assert_ptr_nonnull(name);
	if (!strcmp(name, "search"))
		ck_assert(cJSON_IsArray(cJSON_GetObjectItem(result, "items")));
	if (!strncmp(name, "cart.", 5))
		ck_assert(cJSON_IsObject(cJSON_GetObjectItem(result, "cart")));
	if (!strcmp(name, "checkout") || !strcmp(name, "order.cancel"))
		ck_assert(cJSON_IsObject(cJSON_GetObjectItem(result, "order")));
	strncat(actions, name, sizeof actions - strlen(actions) - 2);
	strcat(actions, " ");
}

static int on_cancelled(void *ctx)
{
	(void)ctx;
	return cancel_after > 0 && ndeltas >= cancel_after;
}

static const struct buddy_output out = { NULL, on_delta, on_action, on_cancelled };

static void setup(void)
{
	fake_init(&shop);
	tools = fake_tools(&shop);
	st = buddy_state_new();
	ck_assert_ptr_nonnull(st);
	cancel_after = 0;
}

static void teardown(void)
{
	buddy_state_free(st);
	fake_free(&shop);
}

/* One turn; returns the reply (lowercased for loose checks). */
static const char *say(const char *text)
{
	reply[0] = actions[0] = '\0';
	deltas_ok = 1;
	ndeltas = 0;
	ck_assert_int_eq(buddy_turn(st, &tools, &out, text, &info), 0);
	ck_assert_msg(deltas_ok, "reply pieces must be whole sentences: '%s'", reply);
	for (char *p = reply; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return reply;
}

#define HAS(s) ck_assert_msg(strstr(reply, (s)) != NULL, "reply lacks '%s': %s", (s), reply)
#define LACKS(s) ck_assert_msg(strstr(reply, (s)) == NULL, "reply has '%s': %s", (s), reply)
#define ACTED(s) ck_assert_msg(strstr(actions, (s)) != NULL, "no action '%s' in: %s (reply %s)", (s), actions, reply)
#define NOT_ACTED(s) ck_assert_msg(strstr(actions, (s)) == NULL, "unexpected action '%s': %s", (s), actions)
#define QTY(id, n) ck_assert_msg(fake_qty(&shop, (id)) == (n), "%s: have %d, want %d (reply: %s)", \
				 fake_find(id)->title, fake_qty(&shop, (id)), (n), reply)
#define LINES(n) ck_assert_msg(shop.nlines == (n), "cart has %d lines, want %d (reply: %s)", shop.nlines, (n), reply)

START_TEST(add_with_fillers_and_repeats)
{
	say("um, put two of the, the bananas in");
	QTY(BANANAS, 2);
	ACTED("cart.add");
	HAS("bananas");
	ck_assert_str_eq(info.intent, "add");
}
END_TEST

START_TEST(add_defaults_to_one_and_typos)
{
	say("add banannas");
	QTY(BANANAS, 1);
	say("can you add some cofee beans please");
	HAS("did you mean");	/* dark roast or decaf */
	say("the decaf");
	QTY(DECAF, 1);
	say("add spinnach");
	QTY(SPINACH, 1);
}
END_TEST

START_TEST(self_correction_quantity)
{
	say("add three apples, no wait, two");
	QTY(APPLES, 2);
	say("add 4 lemons i mean three lemons");
	QTY(LEMONS, 3);
}
END_TEST

START_TEST(correction_next_turn)
{
	say("add three apples");
	QTY(APPLES, 3);
	say("no, two");
	QTY(APPLES, 2);
	say("add the dark roast coffee");
	QTY(DARK_ROAST, 1);
	say("actually make that the decaf");
	QTY(DARK_ROAST, 0);
	QTY(DECAF, 1);
	HAS("decaf");
}
END_TEST

START_TEST(several_requests_in_one)
{
	say("add apples and two bags of decaf coffee and show my cart");
	QTY(APPLES, 1);
	QTY(DECAF, 2);
	ACTED("cart.view");
	HAS("that comes to");
}
END_TEST

START_TEST(ambiguity_question_and_answers)
{
	say("add headphones");
	HAS("sony");
	HAS("bose");
	HAS("?");
	LINES(0);
	say("the sony one");
	QTY(SONY, 1);

	say("i want headphones");
	say("bose");
	QTY(BOSE, 1);

	say("add two headphones");
	say("the first");
	ck_assert_int_eq(fake_qty(&shop, SONY) + fake_qty(&shop, BOSE), 4);
}
END_TEST

START_TEST(ambiguity_negative_answer)
{
	say("add the coffee beans");
	HAS("did you mean");
	say("not the decaf");
	QTY(DARK_ROAST, 1);
	QTY(DECAF, 0);
}
END_TEST

START_TEST(cheaper_one_from_results)
{
	say("show me headphones");
	ACTED("search");
	HAS("sony");
	say("the cheaper one");
	QTY(BOSE, 1);
	QTY(SONY, 0);
}
END_TEST

START_TEST(ordinal_from_results)
{
	say("do you have coffee");
	ACTED("search");
	say("add the second one");
	ck_assert_int_eq(shop.nlines, 1);
	say("what about the last one");
	ck_assert(strlen(reply) > 0);
	say("number one please");
	ck_assert_int_eq(shop.nlines, 2);
}
END_TEST

START_TEST(one_more_and_pronouns)
{
	say("add oat milk");
	QTY(OAT_MILK, 1);
	say("one more");
	QTY(OAT_MILK, 2);
	say("and another one of those");
	QTY(OAT_MILK, 3);
	say("make it five");
	QTY(OAT_MILK, 5);
	say("how much is it");
	HAS("two dollars ninety nine");
	say("remove it");
	QTY(OAT_MILK, 0);
}
END_TEST

START_TEST(unknown_product_offers_alternatives)
{
	say("do you have mangos");
	HAS("don't have mangos");
	HAS("we do have");
	ACTED("search");
	say("add kiwis");
	HAS("don't have kiwis");
	LINES(0);
	say("the first one");
	LINES(1);
}
END_TEST

START_TEST(stock_limits_are_honest)
{
	say("add 10 strawberries");
	HAS("only have three");
	LINES(0);
	say("yes");
	QTY(STRAWBERRIES, 3);
	say("add blueberries");
	HAS("out of stock");
	QTY(BLUEBERRIES, 0);
}
END_TEST

START_TEST(checkout_needs_confirmation)
{
	say("add two bananas");
	say("checkout");
	HAS("shall i place the order");
	HAS("visa");
	HAS("four two four two");
	HAS("springfield");
	HAS("four dollars ninety eight");
	ck_assert_int_eq(shop.calls_checkout, 0);
	NOT_ACTED("checkout");
	say("yes please");
	ck_assert_int_eq(shop.calls_checkout, 1);
	ACTED("checkout");
	LINES(0);
	HAS("order 100");
	ck_assert_str_eq(info.intent, "checkout");
}
END_TEST

START_TEST(checkout_confirmation_only_next_turn)
{
	say("add bananas");
	say("i'm ready to check out");
	/* a question in between is answered and the confirmation stays asked */
	say("what's my total");
	HAS("shall i place");
	ck_assert_int_eq(shop.calls_checkout, 0);
	say("show my cart");
	say("yes");
	ck_assert_int_eq(shop.calls_checkout, 0);
	say("place my order");
	HAS("shall i");
	say("no not yet");
	ck_assert_int_eq(shop.calls_checkout, 0);
	QTY(BANANAS, 1);
	say("yes");
	ck_assert_int_eq(shop.calls_checkout, 0);
}
END_TEST

START_TEST(checkout_cart_changed_in_between)
{
	say("add bananas");
	say("check out");
	say("wait, add some milk first");
	QTY(WHOLE_MILK, 1);
	ck_assert_int_eq(shop.calls_checkout, 0);
	say("go ahead");
	ck_assert_int_eq(shop.calls_checkout, 0);
	say("check me out");
	say("sure");
	ck_assert_int_eq(shop.calls_checkout, 1);
}
END_TEST

START_TEST(checkout_missing_card_or_address)
{
	shop.has_card = 0;
	say("add apples");
	say("checkout");
	HAS("no saved card");
	say("yes");
	ck_assert_int_eq(shop.calls_checkout, 0);
	shop.has_card = 1;
	shop.has_address = 0;
	say("checkout");
	HAS("address");
	say("empty my cart");
	say("checkout");
	HAS("empty");
}
END_TEST

START_TEST(checkout_declined)
{
	shop.decline = 1;
	say("add apples");
	say("checkout");
	say("yes");
	HAS("declined");
	QTY(APPLES, 1);
}
END_TEST

START_TEST(remove_and_except)
{
	say("add apples, bananas and whole milk");
	LINES(3);
	say("remove everything except the milk");
	LINES(1);
	QTY(WHOLE_MILK, 1);
	say("add three lemons");
	say("take one lemon out");
	QTY(LEMONS, 2);
	say("i don't want the lemons anymore");
	QTY(LEMONS, 0);
	say("clear my cart");
	LINES(0);
	ACTED("cart.clear");
}
END_TEST

START_TEST(dont_add_in_same_breath)
{
	say("add apples and bananas, actually don't add the bananas");
	QTY(APPLES, 1);
	QTY(BANANAS, 0);
}
END_TEST

START_TEST(cart_questions)
{
	say("what's in my cart");
	HAS("empty");
	say("add 2 cola");
	say("how much is my cart");
	HAS("nine dollars ninety eight");
	ck_assert_str_eq(info.intent, "cart_total");
	say("what do i have");
	HAS("cola");
}
END_TEST

START_TEST(search_with_price)
{
	say("do you have any headphones under 300 dollars");
	HAS("bose");
	LACKS("sony");
	say("show me snacks between 2 and 3 dollars");
	ACTED("search");
	LACKS("nuts");
	say("what's the cheapest coffee");
	HAS("espresso");
	say("yes");
	QTY(ESPRESSO, 1);
}
END_TEST

START_TEST(cheaper_alternatives)
{
	say("tell me about the sony headphones");
	ACTED("product.show");
	say("anything cheaper");
	HAS("bose");
}
END_TEST

START_TEST(orders_status_and_cancel)
{
	say("where is my order");
	HAS("haven't");
	say("add apples");
	say("checkout");
	say("yes");
	say("where's my order");
	ACTED("order.status");
	HAS("100");
	/* irreversible: read back, done only on a yes */
	say("cancel my last order");
	NOT_ACTED("order.cancel");
	HAS("refund");
	HAS("shall i cancel it?");
	say("no, leave it");
	NOT_ACTED("order.cancel");
	HAS("stays");
	say("cancel my last order");
	NOT_ACTED("order.cancel");
	say("yes, go ahead and cancel it");
	ACTED("order.cancel");
	HAS("cancelled");
	HAS("refund");
}
END_TEST

START_TEST(undo_last_change)
{
	say("add two apples");
	say("undo");
	QTY(APPLES, 0);
}
END_TEST

START_TEST(social_and_help)
{
	say("hello");
	HAS("hi");
	say("what can you do");
	HAS("cart");
	say("thanks");
	HAS("welcome");
	say("bye");
	HAS("goodbye");
}
END_TEST

START_TEST(frustration_is_noticed)
{
	say("add apples");
	say("no! i said bananas. this is useless");
	ck_assert_int_eq(info.frustrated, 1);
	ck_assert(info.sentiment < 0);
	HAS("sorry");
	QTY(BANANAS, 1);
	QTY(APPLES, 0);
	say("great, thanks");
	ck_assert(info.sentiment > 0);
}
END_TEST

/* issue 10: a need with one product that fits is added, and said so */
START_TEST(soft_need_asks_first)
{
	say("i need some milk");
	ck_assert_int_eq(shop.nlines, 1);
	HAS("added");
	LACKS("?");
	say("yes");
	ck_assert_int_eq(shop.nlines, 1);
}
END_TEST

START_TEST(hostile_inputs_never_crash)
{
	char big[20000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (size_t i = 0; i < sizeof big - 1; i += 7)
		big[i] = ' ';
	say(big);
	say("");
	char bin[256];
	for (int i = 0; i < 255; i++)
		bin[i] = (char)(i + 1);
	bin[255] = '\0';
	say(bin);
	say("\xff\xfe\xc3\x28 add \xe2\x82 bananas \xf0\x9f\x8d\x8c");
	say("add -5 apples");
	say("add 99999999999999999999 apples");
	say("the the the the and and and no no wait wait");
	ck_assert_int_eq(buddy_turn(st, &tools, &out, NULL, &info), 0);
	ck_assert_int_eq(buddy_turn(st, &tools, &out, "hi", NULL), 0);
	ck_assert_int_eq(buddy_turn(NULL, &tools, &out, "hi", &info), 0);
}
END_TEST

/* Classes of failures found by the dialogue corpus, as conversations. */
START_TEST(cart_lines_must_match_the_words)
{
	say("add oat milk");
	QTY(OAT_MILK, 1);
	say("remove the whole milk");
	QTY(OAT_MILK, 1);
	ck_assert(strstr(reply, "no ") || strstr(reply, "n't"));
	say("add 3 cookies");
	say("reduce the cookies to 1");
	QTY(COOKIES, 1);
	say("make the oat milk zero");
	QTY(OAT_MILK, 0);
	say("i only need one cookie");
	QTY(COOKIES, 1);
	/* the only line in the cart is what "make it three" means */
	say("tell me about the sony headphones");
	say("make it three");
	QTY(COOKIES, 3);
	say("one less");
	QTY(COOKIES, 2);
}
END_TEST

START_TEST(yes_with_trailing_words_confirms)
{
	say("add two bananas");
	say("checkout");
	HAS("shall i place the order");
	say("hold on, how much is it again?");
	HAS("four dollars ninety eight");
	HAS("shall i place the order");
	ck_assert_int_eq(shop.calls_checkout, 0);
	say("yes, charge my card");
	ck_assert_int_eq(shop.calls_checkout, 1);
	NOT_ACTED("search");
	say("how much did i pay for my last order");
	HAS("four dollars ninety eight");
	HAS("bananas");
}
END_TEST

START_TEST(sizes_negation_and_swaps)
{
	say("add 2 of the 500 g greek yogurt");
	QTY(YOGURT, 2);
	say("grab a 6 pack of sparkling water");
	QTY(SPARKLING, 1);
	say("add whole milk");
	QTY(WHOLE_MILK, 1);
	say("no, i said oat milk, not whole milk");
	QTY(WHOLE_MILK, 0);
	QTY(OAT_MILK, 1);
	say("show me coffee, no decaf");
	LACKS("Decaf");
	say("add cheddar cheese");
	QTY(CHEDDAR, 1);
	say("never mind");
	QTY(CHEDDAR, 0);
}
END_TEST

START_TEST(references_and_stock_answers)
{
	say("do you have cheddar?");
	say("great, add it");
	QTY(CHEDDAR, 1);
	say("look for tea");
	say("the black one");
	QTY(EARL_GREY, 1);
	QTY(GREEN_TEA, 0);
	say("do you have blueberries?");
	HAS("out of stock");
	say("how many cheddar cheese do i have?");
	HAS("one");
	NOT_ACTED("cart.add");
	say("2 bags of carots pls");
	QTY(CARROTS, 2);
}
END_TEST

START_TEST(cancel_stops_output)
{
	cancel_after = 1;
	say("add apples and bananas and milk and show my cart");
	ck_assert_int_le(ndeltas, 1);
}
END_TEST

START_TEST(dozen_means_a_pack)
{
	say("i'd like a dozen eggs and half a dozen bagels");
	QTY(EGGS, 1);
	QTY(BAGELS, 1);
	say("add a couple of lemons");
	QTY(LEMONS, 2);
}
END_TEST

START_TEST(spoken_quantities_and_slips)
{
	say("add twenty one carrots");
	QTY(CARROTS, 21);
	say("add to onions");
	QTY(ONIONS, 2);
	say("put 2x rice in my basket");
	QTY(RICE, 2);
}
END_TEST

START_TEST(more_results)
{
	say("what do you have under 3 dollars");
	HAS("matches");
	say("show me more");
	ACTED("search");
	HAS("also have");
}
END_TEST

START_TEST(follow_up_questions)
{
	say("how much is the bose");
	HAS("two hundred seventy nine");
	say("and the sony?");
	HAS("three hundred forty nine");
	LINES(0);
	say("what about the decaf");
	HAS("decaf");
	LINES(0);
}
END_TEST

START_TEST(yes_with_a_different_choice)
{
	say("how much is the sony");
	say("tell me about the sony");
	say("ok i'll take the bose one");
	QTY(BOSE, 1);
	QTY(SONY, 0);
	say("is there any tea");
	say("yes, the second one");
	QTY(EARL_GREY, 1);
}
END_TEST

START_TEST(swaps)
{
	say("add whole milk and eggs");
	say("swap the whole milk for oat milk");
	QTY(WHOLE_MILK, 0);
	QTY(OAT_MILK, 1);
	say("add two decaf");
	QTY(DECAF, 2);
	say("add the espresso instead of the decaf");
	QTY(DECAF, 0);
	QTY(ESPRESSO, 2);
}
END_TEST

START_TEST(politeness_and_separable_verbs)
{
	say("could you please get me two lemons");
	QTY(LEMONS, 2);
	say("can you take the lemons out");
	QTY(LEMONS, 0);
	say("hey buddy, i'd like to order some rice please");
	QTY(RICE, 1);
}
END_TEST

START_TEST(remarks_are_not_requests)
{
	say("add the sony headphones");
	say("hmm, that's a bit much. remove it");
	QTY(SONY, 0);
	NOT_ACTED("product.show");
	say("add bananas");
	say("great, that's all");
	HAS("shall i place the order");
	say("yep");
	ck_assert_int_eq(shop.calls_checkout, 1);
}
END_TEST

START_TEST(and_inside_a_product_name)
{
	say("add macaroni and cheese and apples");
	QTY(MAC_CHEESE, 1);
	QTY(APPLES, 1);
	LINES(2);
}
END_TEST

START_TEST(list_of_needs_is_added)
{
	say("i also need eggs, milk and some bread");
	QTY(EGGS, 1);
	QTY(WHOLE_MILK, 1);
	QTY(SOURDOUGH, 1);
}
END_TEST

START_TEST(reply_is_speakable)
{
	say("add organic bananas");
	LACKS("(");
	LACKS("$");
	say("what's in my cart");
	HAS("two dollars forty nine");
	say("show me everything under 5 dollars");
	/* at most three products read out */
	int commas = 0;
	for (const char *p = reply; (p = strstr(p, " for ")); p++)
		commas++;
	ck_assert_int_le(commas, 3);
}
END_TEST

/* F: colloquial and British verbs; everyday words are never "missing" products */
START_TEST(colloquial_verbs_and_everyday_words)
{
	say("pop two lemons in my trolley");
	QTY(LEMONS, 2);
	say("would you mind adding the rice for me please");
	QTY(RICE, 1);
	say("add the sony headphones");
	say("how much were they again");
	LACKS("don't have");
	HAS("three hundred forty nine");
	say("i'm having some friends over on saturday");
	LACKS("don't have");
	NOT_ACTED("search");
}
END_TEST

/* C: frustration that corrects the last change acts on it, and never goes silent */
START_TEST(frustrated_corrections_act)
{
	say("put four packs of cookies in");
	QTY(COOKIES, 4);
	say("hmm that's too many just one");
	QTY(COOKIES, 1);
	ck_assert_msg(reply[0] != '\0', "every turn says something");
	say("add the dark roast coffee");
	QTY(DARK_ROAST, 1);
	say("ugh that's wrong i wanted decaf");
	QTY(DARK_ROAST, 0);
	QTY(DECAF, 1);
	say("add whole milk and eggs");
	say("better make it three cartons of eggs");
	QTY(EGGS, 3);
	QTY(WHOLE_MILK, 1);
}
END_TEST

/* B: questions about what was shown are answered, not acted on */
START_TEST(questions_are_answered_not_acted_on)
{
	say("which is cheaper the cola or the sparkling water");
	NOT_ACTED("cart.add");
	HAS("sparkling water");
	HAS("four dollars forty nine");
	say("ok two of the cheaper one");
	QTY(SPARKLING, 2);
	QTY(COLA, 0);
	say("show me noise cancelling headphones");
	say("which one is cheaper");
	NOT_ACTED("cart.add");
	HAS("bose");
	say("okay i'll take that one");
	QTY(BOSE, 1);
	say("what milk do you have");
	say("which ones are vegan");
	NOT_ACTED("cart.add");
}
END_TEST

/* D: "all the fruit" is a category, never the whole cart; "cancel it" after an
 * order is that order */
START_TEST(remove_a_kind_and_cancel_the_order_just_placed)
{
	say("add apples, bananas and whole milk");
	LINES(3);
	say("get rid of all the fruit");
	QTY(APPLES, 0);
	QTY(BANANAS, 0);
	QTY(WHOLE_MILK, 1);
	NOT_ACTED("cart.clear");
	say("checkout");
	say("yes");
	ACTED("checkout");
	say("wait actually i don't need that anymore can you cancel it");
	NOT_ACTED("order.cancel");
	HAS("shall i cancel it?");
	say("sure, do it");
	ACTED("order.cancel");
	HAS("cancelled");
}
END_TEST

/* G: typos in command words and in the last product word of a clear match */
START_TEST(typos_of_commands_and_nouns)
{
	say("add a bottle of olive oli");
	QTY(OLIVE_OIL, 1);
	LACKS("would you like");
	say("chekout");
	HAS("shall i place the order");
}
END_TEST

/* A: numbers that are sizes, and "three instead of one" */
START_TEST(numbers_inside_names_and_instead)
{
	say("add a seventy percent chocolate bar");
	QTY(DARK_CHOC, 1);
	say("add 2 sparkling water 6 packs");
	QTY(SPARKLING, 2);
	say("can you make the sparkling water three instead of two");
	QTY(SPARKLING, 3);
}
END_TEST

/* C/E: a variant named alone swaps within the same kind of thing */
START_TEST(variant_swaps_keep_the_kind)
{
	say("add a milk chocolate bar");
	QTY(MILK_CHOC, 1);
	say("change the chocolate bar to dark");
	QTY(MILK_CHOC, 0);
	QTY(DARK_CHOC, 1);
}
END_TEST

/* G: questions are answered from the product's own words, never turned into a sale */
START_TEST(questions_answered_from_descriptions)
{
	say("is the dish soap lemon scented?");
	HAS("yes");
	LACKS("don't have");
	LACKS("shall i add");
	NOT_ACTED("cart.add");
	say("is the sourdough bread sliced?");
	HAS("doesn't mention");
	LACKS("don't have");
	NOT_ACTED("cart.add");
	say("how much would two bags of gala apples cost?");
	HAS("seven dollars ninety eight");
	say("which headphones have the longest battery?");
	HAS("bose");
	LACKS("don't have");
	say("what's cheaper, the oat milk or the whole milk?");
	HAS("whole milk");
	LACKS("chocolate");
	LINES(0);
}
END_TEST

/* A, B: follow-ups are about the item just added */
START_TEST(follow_ups_refine_the_last_add)
{
	say("add creamy peanut butter");
	QTY(CREAMY_PB, 1);
	say("the other kind");
	QTY(CREAMY_PB, 0);
	QTY(CRUNCHY_PB, 1);
	say("no wait, not those, the creamy ones");
	QTY(CREAMY_PB, 1);
	QTY(CRUNCHY_PB, 0);
	say("crunchy");
	QTY(CREAMY_PB, 0);
	QTY(CRUNCHY_PB, 1);
	say("add the rolled oats");
	HAS("did you mean");
	say("the bigger one");
	QTY(OATS_BIG, 1);
	QTY(OATS_SMALL, 0);
	say("actually the smaller bag");
	QTY(OATS_BIG, 0);
	QTY(OATS_SMALL, 1);
	say("add the sony headphones");
	QTY(SONY, 1);
	say("hmm too pricey, get the bose ones instead");
	QTY(SONY, 0);
	QTY(BOSE, 1);
}
END_TEST

START_TEST(follow_ups_across_turns)
{
	say("how much are the sony headphones?");
	say("and the bose?");
	say("add the cheaper of the two");
	QTY(BOSE, 1);
	QTY(SONY, 0);
	say("add chips, cookies and cola");
	QTY(CHIPS, 1);
	QTY(COOKIES, 1);
	QTY(COLA, 1);
	say("actually none of that");
	QTY(CHIPS, 0);
	QTY(COOKIES, 0);
	QTY(COLA, 0);
	QTY(BOSE, 1);
}
END_TEST

/* E, F: removal phrasings; a title match outranks a description mention */
START_TEST(removal_phrasings_and_title_ranking)
{
	say("add oranges and spinach");
	QTY(ORANGES, 1);
	say("never mind the oranges");
	QTY(ORANGES, 0);
	QTY(SPINACH, 1);
	say("add sourdough bread and butter");
	QTY(BUTTER, 1);
	say("keep the bread but lose the butter");
	QTY(BUTTER, 0);
	QTY(SOURDOUGH, 1);
	say("show me peanut butter");
	LACKS("celery");
	say("add both");
	QTY(CREAMY_PB, 1);
	QTY(CRUNCHY_PB, 1);
	QTY(CELERY, 0);
}
END_TEST

/* H: no stray "we don't have dear", no offer of what was just added, "no, hold on"
 * at the checkout is heard, the total is read once */
START_TEST(reply_defects)
{
	say("add the sourdough bread please, dear");
	QTY(SOURDOUGH, 1);
	LACKS("don't have");
	say("i need cheddar cheese, add it");
	QTY(CHEDDAR, 1);
	LACKS("shall i add");
	say("check out");
	HAS("shall i place the order");
	say("no, hold on");
	HAS("won't place");
	ck_assert_int_eq(shop.calls_checkout, 0);
	say("what's my total before i check out?");
	const char *first = strstr(reply, "your total is");
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_null(strstr(first + 1, "your total is"));
	HAS("shall i place the order");
}
END_TEST

static Suite *buddy_suite(void)
{
	Suite *s = suite_create("buddy");
	TCase *tc = tcase_create("dialogues");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, add_with_fillers_and_repeats);
	tcase_add_test(tc, add_defaults_to_one_and_typos);
	tcase_add_test(tc, self_correction_quantity);
	tcase_add_test(tc, correction_next_turn);
	tcase_add_test(tc, several_requests_in_one);
	tcase_add_test(tc, ambiguity_question_and_answers);
	tcase_add_test(tc, ambiguity_negative_answer);
	tcase_add_test(tc, cheaper_one_from_results);
	tcase_add_test(tc, ordinal_from_results);
	tcase_add_test(tc, one_more_and_pronouns);
	tcase_add_test(tc, unknown_product_offers_alternatives);
	tcase_add_test(tc, stock_limits_are_honest);
	tcase_add_test(tc, checkout_needs_confirmation);
	tcase_add_test(tc, checkout_confirmation_only_next_turn);
	tcase_add_test(tc, checkout_cart_changed_in_between);
	tcase_add_test(tc, checkout_missing_card_or_address);
	tcase_add_test(tc, checkout_declined);
	tcase_add_test(tc, remove_and_except);
	tcase_add_test(tc, dont_add_in_same_breath);
	tcase_add_test(tc, cart_questions);
	tcase_add_test(tc, search_with_price);
	tcase_add_test(tc, cheaper_alternatives);
	tcase_add_test(tc, orders_status_and_cancel);
	tcase_add_test(tc, undo_last_change);
	tcase_add_test(tc, social_and_help);
	tcase_add_test(tc, frustration_is_noticed);
	tcase_add_test(tc, soft_need_asks_first);
	tcase_add_test(tc, hostile_inputs_never_crash);
	tcase_add_test(tc, cancel_stops_output);
	tcase_add_test(tc, dozen_means_a_pack);
	tcase_add_test(tc, spoken_quantities_and_slips);
	tcase_add_test(tc, more_results);
	tcase_add_test(tc, follow_up_questions);
	tcase_add_test(tc, yes_with_a_different_choice);
	tcase_add_test(tc, swaps);
	tcase_add_test(tc, politeness_and_separable_verbs);
	tcase_add_test(tc, remarks_are_not_requests);
	tcase_add_test(tc, list_of_needs_is_added);
	tcase_add_test(tc, and_inside_a_product_name);
	tcase_add_test(tc, reply_is_speakable);
	tcase_add_test(tc, cart_lines_must_match_the_words);
	tcase_add_test(tc, yes_with_trailing_words_confirms);
	tcase_add_test(tc, sizes_negation_and_swaps);
	tcase_add_test(tc, references_and_stock_answers);
	tcase_add_test(tc, colloquial_verbs_and_everyday_words);
	tcase_add_test(tc, frustrated_corrections_act);
	tcase_add_test(tc, questions_are_answered_not_acted_on);
	tcase_add_test(tc, remove_a_kind_and_cancel_the_order_just_placed);
	tcase_add_test(tc, typos_of_commands_and_nouns);
	tcase_add_test(tc, numbers_inside_names_and_instead);
	tcase_add_test(tc, variant_swaps_keep_the_kind);
	tcase_add_test(tc, questions_answered_from_descriptions);
	tcase_add_test(tc, follow_ups_refine_the_last_add);
	tcase_add_test(tc, follow_ups_across_turns);
	tcase_add_test(tc, removal_phrasings_and_title_ranking);
	tcase_add_test(tc, reply_defects);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(buddy_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
