/*
 * lexicon.c - phrase tables for intents, fillers, markers and word classes.
 *
 * Trigger levels decide between several triggers in one clause: 30 for verbs that
 * change something ("add", "remove", "check out"), 20 for nouns naming a thing the
 * shopper asks about ("cart", "total", "my order"), 15 for price and stock
 * questions, 10 for weak wants and questions ("i want", "show me", "what is"), 5 for
 * social words ("yes", "thanks").  The strongest wins; among equals the leftmost.
 */
#include "buddy/lexicon.h"
#include "buddy/numbers.h"
#include "buddy/terms.h"

#include <string.h>

static const struct lex_trigger triggers[] = {
	/* add */
	{ "add", UND_ADD, 30, 0 }, { "put", UND_ADD, 30, 0 }, { "throw in", UND_ADD, 30, 0 },
	{ "toss in", UND_ADD, 30, 0 }, { "pop in", UND_ADD, 30, 0 }, { "stick in", UND_ADD, 30, 0 },
	{ "include", UND_ADD, 30, 0 }, { "buy", UND_ADD, 30, 0 }, { "purchase", UND_ADD, 30, 0 },
	{ "order", UND_ADD, 30, LEX_START }, { "i will take", UND_ADD, 30, 0 },
	{ "i will have", UND_ADD, 30, 0 }, { "i will get", UND_ADD, 30, 0 },
	{ "i will go with", UND_ADD, 30, 0 }, { "go with", UND_ADD, 10, 0 },
	{ "i will grab", UND_ADD, 30, 0 }, { "take", UND_ADD, 10, LEX_START },
	{ "grab", UND_ADD, 10, 0 }, { "get me", UND_ADD, 10, 0 }, { "get", UND_ADD, 10, LEX_START },
	{ "give me", UND_ADD, 10, 0 }, { "can i have", UND_ADD, 10, 0 },
	{ "can i get", UND_ADD, 10, 0 }, { "could i have", UND_ADD, 10, 0 },
	{ "could i get", UND_ADD, 10, 0 }, { "may i have", UND_ADD, 10, 0 },
	{ "i want", UND_ADD, 10, 0 }, { "we want", UND_ADD, 10, 0 }, { "i would like", UND_ADD, 10, 0 },
	{ "we would like", UND_ADD, 10, 0 }, { "i would love", UND_ADD, 10, 0 },
	{ "let me have", UND_ADD, 10, 0 }, { "let me get", UND_ADD, 10, 0 },
	{ "i choose", UND_ADD, 10, 0 }, { "i pick", UND_ADD, 10, 0 }, { "i prefer", UND_ADD, 10, 0 },
	{ "i need", UND_ADD, 10, LEX_SOFT }, { "we need", UND_ADD, 10, LEX_SOFT },
	{ "need", UND_ADD, 10, LEX_SOFT | LEX_START }, { "we are out of", UND_ADD, 10, LEX_SOFT },
	{ "i am out of", UND_ADD, 10, LEX_SOFT }, { "i am after", UND_ADD, 10, LEX_SOFT },
	/* needs said as what happened: "we ran out of rice", "running low on eggs" */
	{ "ran out of", UND_ADD, 10, LEX_SOFT }, { "run out of", UND_ADD, 10, LEX_SOFT },
	{ "running out of", UND_ADD, 10, LEX_SOFT }, { "running low on", UND_ADD, 10, LEX_SOFT },
	{ "we are low on", UND_ADD, 10, LEX_SOFT }, { "i am low on", UND_ADD, 10, LEX_SOFT },
	{ "all out of", UND_ADD, 10, LEX_SOFT }, { "used up the", UND_ADD, 10, LEX_SOFT },
	{ "out of", UND_ADD, 9, LEX_SOFT | LEX_START },
	{ "another", UND_ADD, 30, LEX_MORE }, { "one more", UND_ADD, 30, LEX_MORE },
	{ "add another", UND_ADD, 30, LEX_MORE }, { "add one more", UND_ADD, 30, LEX_MORE },
	{ "same again", UND_ADD, 30, LEX_MORE }, { "an extra", UND_ADD, 30, LEX_MORE },
	{ "extra", UND_ADD, 30, LEX_MORE | LEX_START }, { "double", UND_SET, 30, LEX_START },
	{ "triple", UND_SET, 30, LEX_START }, { "quadruple", UND_SET, 30, LEX_START },
	{ "halve", UND_SET, 30, 0 },
	{ "do not add", UND_ADD, 35, LEX_NEG }, { "do not put", UND_ADD, 35, LEX_NEG },
	{ "do not include", UND_ADD, 35, LEX_NEG }, { "do not get", UND_ADD, 35, LEX_NEG },
	{ "do not buy", UND_ADD, 35, LEX_NEG }, { "without", UND_ADD, 8, LEX_NEG | LEX_START },
	{ "ad", UND_ADD, 30, LEX_START }, { "buy me", UND_ADD, 30, 0 }, { "just buy", UND_ADD, 30, 0 },
	{ "does the", UND_INFO, 9, LEX_START }, { "does it", UND_INFO, 9, LEX_START },
	{ "will the", UND_INFO, 9, LEX_START }, { "can the", UND_INFO, 9, LEX_START }, { "increase", UND_ADD, 30, LEX_MORE },
	{ "bump", UND_ADD, 30, LEX_MORE }, { "bump up", UND_ADD, 30, LEX_MORE },
	{ "raise", UND_ADD, 30, LEX_MORE },
	/* colloquial and British verbs of putting in: "pop a towel in my trolley" */
	{ "pop", UND_ADD, 30, LEX_START }, { "stick", UND_ADD, 30, LEX_START },
	{ "chuck", UND_ADD, 30, LEX_START }, { "toss", UND_ADD, 30, LEX_START },
	{ "bung", UND_ADD, 30, LEX_START }, { "throw", UND_ADD, 30, LEX_START },
	{ "adding", UND_ADD, 30, 0 }, { "to add", UND_ADD, 30, 0 },
	{ "wants", UND_ADD, 30, LEX_SOFT | LEX_SUBJ }, { "needs", UND_ADD, 30, LEX_SOFT | LEX_SUBJ },
	{ "would like", UND_ADD, 10, LEX_SUBJ }, { "i could use", UND_ADD, 10, LEX_SOFT }, { "could use", UND_ADD, 10, LEX_SOFT },
	{ "i fancy", UND_ADD, 10, LEX_SOFT }, { "i would fancy", UND_ADD, 10, LEX_SOFT },
	{ "let us do", UND_ADD, 10, 0 }, { "let us get", UND_ADD, 10, 0 },
	{ "let us go with", UND_ADD, 10, 0 }, { "we will take", UND_ADD, 30, 0 },
	/* remove */
	{ "remove", UND_REMOVE, 30, 0 }, { "delete", UND_REMOVE, 30, 0 },
	{ "take out", UND_REMOVE, 30, 0 }, { "take off", UND_REMOVE, 30, 0 },
	{ "take away", UND_REMOVE, 30, 0 }, { "drop", UND_REMOVE, 30, 0 },
	{ "get rid of", UND_REMOVE, 30, 0 }, { "i do not want", UND_REMOVE, 30, 0 },
	{ "do not want", UND_REMOVE, 30, 0 }, { "i do not need", UND_REMOVE, 30, 0 },
	{ "do not need", UND_REMOVE, 30, 0 }, { "no more", UND_REMOVE, 30, LEX_START },
	{ "lose", UND_REMOVE, 30, 0 }, { "ditch", UND_REMOVE, 30, 0 },
	{ "forget about", UND_REMOVE, 30, 0 }, { "forget", UND_REMOVE, 30, LEX_START },
	{ "skip", UND_REMOVE, 30, LEX_START }, { "put back", UND_REMOVE, 31, 0 },
	{ "scrap", UND_REMOVE, 30, 0 }, { "scrap that", UND_UNDO, 31, LEX_ALONE },
	{ "scratch", UND_REMOVE, 30, 0 }, { "strike", UND_REMOVE, 30, LEX_START },
	{ "minus", UND_REMOVE, 30, 0 }, { "nix", UND_REMOVE, 30, 0 }, { "cut", UND_REMOVE, 30, LEX_START },
	{ "cancel the", UND_REMOVE, 30, LEX_START }, { "take back", UND_REMOVE, 30, 0 },
	{ "can go", UND_REMOVE, 30, LEX_LAST }, { "has to go", UND_REMOVE, 30, LEX_LAST },
	{ "have to go", UND_REMOVE, 30, LEX_LAST }, { "needs to go", UND_REMOVE, 30, LEX_LAST },
	{ "need to go", UND_REMOVE, 30, LEX_LAST }, { "can come out", UND_REMOVE, 30, LEX_LAST },
	{ "can be removed", UND_REMOVE, 30, LEX_LAST }, { "is not needed", UND_REMOVE, 30, LEX_LAST },
	{ "are not needed", UND_REMOVE, 30, LEX_LAST },
	/* change quantity */
	{ "one less", UND_LESS, 31, 0 }, { "one fewer", UND_LESS, 31, 0 },
	{ "reduce", UND_LESS, 30, 0 }, { "decrease", UND_LESS, 30, 0 }, { "less", UND_LESS, 20, LEX_START },
	{ "fewer", UND_LESS, 20, LEX_START }, { "make it", UND_SET, 30, LEX_FIXQTY },
	{ "make that", UND_SET, 30, LEX_FIXQTY }, { "make them", UND_SET, 30, LEX_FIXQTY },
	{ "make those", UND_SET, 30, LEX_FIXQTY }, { "make this", UND_SET, 30, LEX_FIXQTY },
	{ "change", UND_SET, 30, 0 }, { "set", UND_SET, 30, 0 }, { "update", UND_SET, 30, 0 },
	{ "adjust", UND_SET, 30, 0 }, { "switch", UND_SET, 30, LEX_FIXQTY },
	{ "swap", UND_SET, 30, LEX_FIXQTY }, { "replace", UND_SET, 30, LEX_FIXQTY },
	{ "exchange", UND_SET, 30, LEX_FIXQTY }, { "substitute", UND_SET, 30, LEX_FIXQTY },
	{ "i only want", UND_SET, 31, 0 }, { "make", UND_SET, 29, 0 },
	{ "i only need", UND_SET, 31, 0 }, { "only need", UND_SET, 31, 0 },
	{ "i just need", UND_SET, 31, 0 }, { "we only need", UND_SET, 31, 0 },
	{ "i just want", UND_SET, 31, 0 }, { "only want", UND_SET, 31, 0 },
	{ "i meant", UND_SET, 30, LEX_FIXQTY | LEX_START }, { "i wanted", UND_SET, 30, LEX_FIXQTY | LEX_START }, { "i said", UND_SET, 30, LEX_FIXQTY | LEX_START },
	/* cart */
	{ "cart", UND_VIEW_CART, 20, 0 }, { "basket", UND_VIEW_CART, 20, 0 },
	{ "trolley", UND_VIEW_CART, 20, 0 }, { "what do i have", UND_VIEW_CART, 20, 0 },
	{ "what have i got", UND_VIEW_CART, 20, 0 }, { "what did i add", UND_VIEW_CART, 20, 0 },
	{ "what did i put", UND_VIEW_CART, 20, 0 }, { "read back", UND_VIEW_CART, 20, 0 },
	{ "read it back", UND_VIEW_CART, 20, 0 }, { "review", UND_VIEW_CART, 20, LEX_START },
	{ "what is in there", UND_VIEW_CART, 20, 0 }, { "so far", UND_VIEW_CART, 12, 0 },
	{ "what i have got", UND_VIEW_CART, 20, 0 }, { "remind me what", UND_VIEW_CART, 20, 0 },
	{ "what i have in", UND_VIEW_CART, 20, 0 }, { "run me through", UND_VIEW_CART, 20, 0 },
	{ "go over what", UND_VIEW_CART, 20, 0 },
	{ "total", UND_CART_TOTAL, 22, 0 }, { "subtotal", UND_CART_TOTAL, 22, 0 },
	{ "how much do i owe", UND_CART_TOTAL, 22, 0 }, { "how many items", UND_CART_TOTAL, 22, 0 },
	{ "how many things", UND_CART_TOTAL, 22, 0 }, { "what do i owe", UND_CART_TOTAL, 22, 0 },
	{ "altogether", UND_CART_TOTAL, 22, 0 }, { "all together", UND_CART_TOTAL, 22, 0 },
	{ "how much will it be", UND_CART_TOTAL, 22, 0 }, { "how much is it all", UND_CART_TOTAL, 22, 0 },
	{ "how much am i spending", UND_CART_TOTAL, 23, 0 }, { "what am i spending", UND_CART_TOTAL, 23, 0 },
	{ "what would i pay", UND_CART_TOTAL, 23, 0 }, { "how much would i pay", UND_CART_TOTAL, 23, 0 },
	{ "how much is everything", UND_CART_TOTAL, 22, 0 }, { "the damage", UND_CART_TOTAL, 22, 0 },
	/* "what does all that come to?", "where am i at?", "how much have i spent so far?" */
	{ "come to", UND_CART_TOTAL, 22, 0 }, { "comes to", UND_CART_TOTAL, 22, 0 },
	{ "coming to", UND_CART_TOTAL, 22, 0 }, { "add up to", UND_CART_TOTAL, 23, 0 },
	{ "adds up to", UND_CART_TOTAL, 23, 0 }, { "in total", UND_CART_TOTAL, 22, 0 },
	{ "running total", UND_CART_TOTAL, 23, 0 }, { "grand total", UND_CART_TOTAL, 23, 0 },
	{ "tally", UND_CART_TOTAL, 22, 0 }, { "how much have i spent", UND_CART_TOTAL, 23, 0 },
	{ "where am i at", UND_CART_TOTAL, 22, 0 }, { "what am i at", UND_CART_TOTAL, 22, 0 },
	{ "how much is all that", UND_CART_TOTAL, 23, 0 }, { "how much for all", UND_CART_TOTAL, 23, 0 },
	{ "how much for everything", UND_CART_TOTAL, 23, 0 }, { "what do i owe you", UND_CART_TOTAL, 23, 0 },
	{ "how much is all of it", UND_CART_TOTAL, 23, 0 }, { "what is it all", UND_CART_TOTAL, 22, 0 },
	/* "how much is all this gonna set me back", "tell me what i'm at now" */
	{ "set me back", UND_CART_TOTAL, 23, 0 }, { "how much is all this", UND_CART_TOTAL, 23, 0 },
	{ "what i am at", UND_CART_TOTAL, 22, 0 }, { "where i am at", UND_CART_TOTAL, 22, 0 },
	{ "what am i looking at", UND_CART_TOTAL, 22, 0 }, { "what i owe", UND_CART_TOTAL, 22, 0 },
	{ "empty", UND_CLEAR_CART, 30, 0 }, { "clear", UND_CLEAR_CART, 30, 0 },
	{ "start over", UND_CLEAR_CART, 30, 0 }, { "start again", UND_CLEAR_CART, 30, 0 },
	{ "remove everything", UND_CLEAR_CART, 31, 0 }, { "remove all", UND_CLEAR_CART, 31, 0 },
	{ "delete everything", UND_CLEAR_CART, 31, 0 }, { "delete all", UND_CLEAR_CART, 31, 0 },
	{ "get rid of everything", UND_CLEAR_CART, 31, 0 }, { "reset", UND_CLEAR_CART, 30, 0 },
	{ "take everything out", UND_CLEAR_CART, 31, 0 }, { "wipe", UND_CLEAR_CART, 30, 0 },
	{ "keep only", UND_CLEAR_CART, 31, LEX_KEEP }, { "only keep", UND_CLEAR_CART, 31, LEX_KEEP },
	{ "just keep", UND_CLEAR_CART, 31, LEX_KEEP },
	/* checkout */
	{ "check out", UND_CHECKOUT, 30, 0 }, { "check me out", UND_CHECKOUT, 30, 0 },
	{ "place the order", UND_CHECKOUT, 30, 0 }, { "place my order", UND_CHECKOUT, 30, 0 },
	{ "place an order", UND_CHECKOUT, 30, 0 }, { "place order", UND_CHECKOUT, 30, 0 },
	{ "place it", UND_CHECKOUT, 30, 0 }, { "pay", UND_CHECKOUT, 30, 0 },
	{ "ready to order", UND_CHECKOUT, 30, 0 }, { "complete the order", UND_CHECKOUT, 30, 0 },
	{ "complete my order", UND_CHECKOUT, 30, 0 }, { "complete the purchase", UND_CHECKOUT, 30, 0 },
	{ "finish the order", UND_CHECKOUT, 30, 0 }, { "finish my order", UND_CHECKOUT, 30, 0 },
	{ "finalize", UND_CHECKOUT, 30, 0 }, { "submit", UND_CHECKOUT, 30, 0 },
	{ "buy it all", UND_CHECKOUT, 31, 0 }, { "buy everything", UND_CHECKOUT, 31, 0 },
	{ "buy them all", UND_CHECKOUT, 31, 0 }, { "order it all", UND_CHECKOUT, 31, 0 },
	{ "order all of it", UND_CHECKOUT, 31, 0 }, { "order everything", UND_CHECKOUT, 31, 0 },
	{ "order the lot", UND_CHECKOUT, 31, 0 }, { "buy all of it", UND_CHECKOUT, 31, 0 },
	{ "buy the lot", UND_CHECKOUT, 31, 0 }, { "order them all", UND_CHECKOUT, 31, 0 },
	{ "put it through", UND_CHECKOUT, 31, 0 }, { "put them through", UND_CHECKOUT, 31, 0 },
	{ "put the order through", UND_CHECKOUT, 31, 0 }, { "put my order through", UND_CHECKOUT, 31, 0 },
	{ "that is all", UND_CHECKOUT, 25, LEX_ALONE }, { "that is it", UND_CHECKOUT, 25, LEX_ALONE },
	{ "i am done", UND_CHECKOUT, 25, LEX_ALONE }, { "i am finished", UND_CHECKOUT, 25, LEX_ALONE },
	{ "nothing else", UND_CHECKOUT, 25, LEX_ALONE }, { "that will be all", UND_CHECKOUT, 25, 0 },
	{ "ring me up", UND_CHECKOUT, 30, 0 }, { "ring it up", UND_CHECKOUT, 30, 0 },
	{ "charge my card", UND_CHECKOUT, 30, 0 }, { "charge it", UND_CHECKOUT, 30, 0 },
	{ "charge me", UND_CHECKOUT, 30, 0 },
	/* "that's everything for mum, can you send it off", "check it out for her" */
	{ "send it off", UND_CHECKOUT, 30, 0 }, { "send it through", UND_CHECKOUT, 30, 0 },
	{ "send the order", UND_CHECKOUT, 30, 0 }, { "send off the order", UND_CHECKOUT, 30, 0 },
	{ "send the order off", UND_CHECKOUT, 31, 0 }, { "check it out", UND_CHECKOUT, 30, 0 },
	{ "check it all out", UND_CHECKOUT, 31, 0 }, { "that is everything", UND_CHECKOUT, 25, LEX_ALONE },
	/* yes and no */
	{ "yes", UND_CONFIRM, 5, 0 }, { "yeah", UND_CONFIRM, 5, 0 }, { "yea", UND_CONFIRM, 5, 0 },
	{ "yep", UND_CONFIRM, 5, 0 }, { "yup", UND_CONFIRM, 5, 0 }, { "ya", UND_CONFIRM, 5, 0 },
	{ "sure", UND_CONFIRM, 5, 0 }, { "ok", UND_CONFIRM, 5, 0 }, { "okay", UND_CONFIRM, 5, 0 },
	{ "k", UND_CONFIRM, 5, LEX_ALONE }, { "all right", UND_CONFIRM, 5, 0 },
	{ "right", UND_CONFIRM, 5, LEX_ALONE }, { "go ahead", UND_CONFIRM, 6, 0 },
	{ "do it", UND_CONFIRM, 6, 0 }, { "please do", UND_CONFIRM, 6, 0 },
	{ "confirm", UND_CONFIRM, 6, 0 }, { "confirmed", UND_CONFIRM, 6, 0 },
	{ "sounds good", UND_CONFIRM, 6, 0 }, { "absolutely", UND_CONFIRM, 5, 0 },
	{ "definitely", UND_CONFIRM, 5, 0 }, { "of course", UND_CONFIRM, 5, 0 },
	{ "correct", UND_CONFIRM, 5, 0 }, { "that is right", UND_CONFIRM, 6, 0 },
	{ "affirmative", UND_CONFIRM, 5, 0 }, { "let us do it", UND_CONFIRM, 6, 0 },
	{ "go for it", UND_CONFIRM, 6, 0 }, { "fine", UND_CONFIRM, 5, LEX_ALONE },
	{ "why not", UND_CONFIRM, 5, 0 }, { "certainly", UND_CONFIRM, 5, 0 },
	{ "i do", UND_CONFIRM, 5, LEX_ALONE }, { "deal", UND_CONFIRM, 5, LEX_ALONE },
	{ "go on", UND_CONFIRM, 5, LEX_ALONE }, { "exactly", UND_CONFIRM, 5, 0 },
	{ "perfect", UND_CONFIRM, 5, LEX_ALONE }, { "please", UND_CONFIRM, 4, LEX_ALONE },
	{ "yes please", UND_CONFIRM, 6, 0 }, { "that works", UND_CONFIRM, 6, 0 },
	{ "fine by me", UND_CONFIRM, 6, 0 }, { "works for me", UND_CONFIRM, 6, 0 },
	{ "no", UND_DENY, 5, 0 }, { "nope", UND_DENY, 5, 0 }, { "nah", UND_DENY, 5, 0 },
	{ "not yet", UND_DENY, 6, 0 }, { "not now", UND_DENY, 6, 0 }, { "wait", UND_DENY, 5, 0 },
	{ "hold on", UND_DENY, 6, 0 }, { "hang on", UND_DENY, 6, 0 }, { "stop", UND_DENY, 6, 0 },
	{ "cancel", UND_DENY, 6, 0 }, { "never mind", UND_UNDO, 6, LEX_SOFT },
	{ "nevermind", UND_UNDO, 6, LEX_SOFT },
	{ "forget it", UND_DENY, 31, 0 }, { "no thanks", UND_DENY, 6, 0 },
	{ "no thank you", UND_DENY, 6, 0 }, { "later", UND_DENY, 5, LEX_ALONE },
	{ "not really", UND_DENY, 6, 0 }, { "negative", UND_DENY, 5, 0 },
	{ "i changed my mind", UND_DENY, 6, 0 }, { "do not", UND_DENY, 5, LEX_ALONE },
	{ "leave it", UND_DENY, 6, 0 }, { "not today", UND_DENY, 6, 0 },
	{ "do not do that", UND_DENY, 6, 0 }, { "do not do it", UND_DENY, 6, 0 },
	/* orders */
	{ "where is my order", UND_ORDER_STATUS, 25, 0 }, { "order status", UND_ORDER_STATUS, 25, 0 },
	{ "status", UND_ORDER_STATUS, 20, 0 }, { "track", UND_ORDER_STATUS, 20, 0 },
	{ "tracking", UND_ORDER_STATUS, 20, 0 }, { "shipped", UND_ORDER_STATUS, 20, 0 },
	{ "delivered", UND_ORDER_STATUS, 20, 0 }, { "arrive", UND_ORDER_STATUS, 20, 0 },
	{ "arriving", UND_ORDER_STATUS, 20, 0 }, { "my orders", UND_ORDER_STATUS, 20, 0 },
	{ "my order", UND_ORDER_STATUS, 20, 0 }, { "my last order", UND_ORDER_STATUS, 20, 0 },
	{ "past orders", UND_ORDER_STATUS, 20, 0 }, { "previous orders", UND_ORDER_STATUS, 20, 0 },
	{ "order history", UND_ORDER_STATUS, 20, 0 }, { "what did i order", UND_ORDER_STATUS, 32, 0 },
	/* the past: "how much did i pay", "what did i get last time" */
	{ "did i pay", UND_ORDER_STATUS, 32, 0 }, { "did i spend", UND_ORDER_STATUS, 32, 0 },
	{ "i paid", UND_ORDER_STATUS, 32, 0 }, { "did i order", UND_ORDER_STATUS, 32, 0 },
	{ "did i buy", UND_ORDER_STATUS, 32, 0 }, { "i ordered", UND_ORDER_STATUS, 32, 0 },
	{ "i bought", UND_ORDER_STATUS, 32, 0 }, { "did i get", UND_ORDER_STATUS, 32, 0 },
	{ "last order", UND_ORDER_STATUS, 32, 0 }, { "recent order", UND_ORDER_STATUS, 32, 0 },
	{ "previous order", UND_ORDER_STATUS, 32, 0 }, { "latest order", UND_ORDER_STATUS, 32, 0 },
	{ "last time", UND_ORDER_STATUS, 32, 0 }, { "last purchase", UND_ORDER_STATUS, 32, 0 },
	{ "in my order", UND_ORDER_STATUS, 32, 0 }, { "ship", UND_ORDER_STATUS, 20, 0 },
	{ "ships", UND_ORDER_STATUS, 20, 0 }, { "shipping", UND_ORDER_STATUS, 20, 0 },
	{ "go out", UND_ORDER_STATUS, 20, 0 },
	{ "gone out", UND_ORDER_STATUS, 20, 0 }, { "sent", UND_ORDER_STATUS, 20, 0 },
	{ "cancel my order", UND_CANCEL_ORDER, 32, 0 }, { "cancel the order", UND_CANCEL_ORDER, 32, 0 },
	{ "cancel my last order", UND_CANCEL_ORDER, 32, 0 }, { "cancel order", UND_CANCEL_ORDER, 32, 0 },
	{ "cancel that order", UND_CANCEL_ORDER, 32, 0 }, { "cancel my purchase", UND_CANCEL_ORDER, 32, 0 },
	{ "cancel the last order", UND_CANCEL_ORDER, 32, 0 },
	{ "undo", UND_UNDO, 30, 0 }, { "take that back", UND_UNDO, 31, 0 }, { "revert", UND_UNDO, 30, 0 },
	{ "scratch that", UND_UNDO, 30, LEX_ALONE },
	/* social */
	{ "help", UND_HELP, 20, 0 }, { "what can you do", UND_HELP, 20, 0 },
	{ "how does this work", UND_HELP, 20, 0 }, { "what can i say", UND_HELP, 20, 0 },
	{ "what do i say", UND_HELP, 20, 0 }, { "how do i use", UND_HELP, 20, 0 },
	{ "hi", UND_GREET, 5, 0 }, { "hello", UND_GREET, 5, 0 }, { "hey", UND_GREET, 5, 0 },
	{ "hiya", UND_GREET, 5, 0 }, { "good morning", UND_GREET, 5, 0 },
	{ "good afternoon", UND_GREET, 5, 0 }, { "good evening", UND_GREET, 5, 0 },
	{ "howdy", UND_GREET, 5, 0 }, { "how are you", UND_GREET, 5, 0 },
	{ "greetings", UND_GREET, 5, 0 }, { "yo", UND_GREET, 5, LEX_ALONE },
	{ "thanks", UND_THANKS, 5, 0 }, { "thank you", UND_THANKS, 5, 0 }, { "thx", UND_THANKS, 5, 0 },
	{ "cheers", UND_THANKS, 5, 0 }, { "appreciate it", UND_THANKS, 5, 0 },
	{ "much appreciated", UND_THANKS, 5, 0 }, { "ty", UND_THANKS, 5, LEX_ALONE },
	{ "bye", UND_BYE, 5, 0 }, { "goodbye", UND_BYE, 5, 0 }, { "good bye", UND_BYE, 5, 0 },
	{ "see you", UND_BYE, 5, 0 }, { "see ya", UND_BYE, 5, 0 }, { "good night", UND_BYE, 5, 0 },
	/* search and questions */
	{ "do you have", UND_SEARCH, 10, LEX_SOFT }, { "do you sell", UND_SEARCH, 10, 0 },
	{ "do you carry", UND_SEARCH, 10, 0 }, { "do you stock", UND_SEARCH, 10, 0 },
	{ "do you guys have", UND_SEARCH, 10, 0 }, { "have you got", UND_SEARCH, 10, 0 },
	{ "you got", UND_SEARCH, 10, 0 }, { "got any", UND_SEARCH, 10, 0 },
	{ "is there", UND_SEARCH, 10, 0 }, { "are there", UND_SEARCH, 10, 0 },
	{ "show me", UND_SEARCH, 10, 0 }, { "show", UND_SEARCH, 10, 0 },
	{ "let me see", UND_SEARCH, 10, 0 }, { "can i see", UND_SEARCH, 10, 0 },
	{ "find", UND_SEARCH, 10, 0 }, { "search", UND_SEARCH, 10, 0 },
	{ "look for", UND_SEARCH, 10, 0 }, { "looking for", UND_SEARCH, 10, 0 },
	{ "look up", UND_SEARCH, 10, 0 }, { "browse", UND_SEARCH, 10, 0 },
	{ "list", UND_SEARCH, 10, 0 }, { "what kind of", UND_SEARCH, 10, 0 },
	{ "what kinds of", UND_SEARCH, 10, 0 }, { "what type of", UND_SEARCH, 10, 0 },
	{ "what types of", UND_SEARCH, 10, 0 }, { "what sort of", UND_SEARCH, 10, 0 },
	{ "what do you have", UND_SEARCH, 10, 0 }, { "what have you got", UND_SEARCH, 10, 0 },
	{ "recommend", UND_SEARCH, 10, 0 }, { "suggest", UND_SEARCH, 10, 0 },
	{ "any", UND_SEARCH, 9, LEX_START }, { "i want to see", UND_SEARCH, 11, 0 },
	{ "i would like to see", UND_SEARCH, 11, 0 }, { "options for", UND_SEARCH, 10, 0 },
	{ "what are my options", UND_SEARCH, 10, 0 }, { "what are the options", UND_SEARCH, 10, 0 },
	{ "what options", UND_SEARCH, 10, 0 }, { "which options", UND_SEARCH, 10, 0 },
	{ "what kinds", UND_SEARCH, 10, 0 }, { "which kinds", UND_SEARCH, 10, 0 },
	{ "which kind", UND_SEARCH, 10, 0 }, { "which types", UND_SEARCH, 10, 0 },
	{ "what types", UND_SEARCH, 10, 0 }, { "what varieties", UND_SEARCH, 10, 0 },
	{ "which varieties", UND_SEARCH, 10, 0 }, { "what choices", UND_SEARCH, 10, 0 },
	{ "what else", UND_MORE_RESULTS, 12, 0 }, { "show more", UND_MORE_RESULTS, 12, 0 },
	{ "show me more", UND_MORE_RESULTS, 12, LEX_ALONE }, { "more options", UND_MORE_RESULTS, 12, 0 },
	{ "any others", UND_MORE_RESULTS, 12, 0 }, { "other options", UND_MORE_RESULTS, 12, 0 },
	{ "next", UND_MORE_RESULTS, 12, LEX_ALONE }, { "more", UND_MORE_RESULTS, 12, LEX_ALONE },
	{ "anything else", UND_MORE_RESULTS, 12, LEX_ALONE }, { "more results", UND_MORE_RESULTS, 12, 0 },
	{ "something cheaper", UND_CHEAPER, 13, 0 }, { "anything cheaper", UND_CHEAPER, 13, 0 },
	{ "cheaper ones", UND_CHEAPER, 13, 0 }, { "cheaper options", UND_CHEAPER, 13, 0 },
	{ "a cheaper one", UND_CHEAPER, 13, 0 }, { "any cheaper", UND_CHEAPER, 13, 0 },
	{ "cheaper alternatives", UND_CHEAPER, 13, 0 }, { "a cheaper", UND_CHEAPER, 13, 0 },
	{ "too expensive", UND_CHEAPER, 13, 0 }, { "too pricey", UND_CHEAPER, 13, 0 },
	{ "too much", UND_CHEAPER, 13, 0 }, { "cheaper version", UND_CHEAPER, 13, 0 },
	{ "tell me about", UND_INFO, 10, 0 }, { "tell me more about", UND_INFO, 10, 0 },
	{ "more about", UND_INFO, 10, 0 }, { "more info", UND_INFO, 10, 0 },
	{ "details", UND_INFO, 10, 0 }, { "describe", UND_INFO, 10, 0 },
	{ "what is", UND_INFO, 9, 0 }, { "what are", UND_INFO, 9, 0 },
	{ "info on", UND_INFO, 10, 0 }, { "information on", UND_INFO, 10, 0 },
	{ "how much", UND_PRICE, 15, 0 }, { "cost", UND_PRICE, 15, 0 }, { "costs", UND_PRICE, 15, 0 },
	{ "price", UND_PRICE, 15, 0 }, { "prices", UND_PRICE, 15, 0 }, { "priced", UND_PRICE, 15, 0 },
	{ "in stock", UND_STOCK, 16, 0 }, { "how many", UND_STOCK, 16, 0 },
	{ "available", UND_STOCK, 14, 0 }, { "availability", UND_STOCK, 16, 0 },
};

/* Words around a phrase that leave it "alone": "great, that's all then" */
static int only_padding(const struct text_words *t, int from, int to)
{
	static const char *const pad[] = { "then", "for", "now", "today", "thanks", "thank", "you",
		"ok", "okay", "so", "well", "great", "perfect", "cool", "good", "i", "think", "guess",
		"please", "buddy", "just", "really", "yeah", "yes", "alright", "all", "right", "oh",
		"hey", "that", "is", "it", "the", "lovely", "awesome", "nice", "fine" };
	for (int k = from; k < to; k++) {
		int ok = 0;
		for (size_t p = 0; p < sizeof pad / sizeof *pad && !ok; p++)
			ok = !strcmp(t->w[k], pad[p]);
		/* "that's all for my mum", "that's it for her" */
		ok |= lex_is_person(t->w[k]) || !strcmp(t->w[k], "my") || !strcmp(t->w[k], "her") ||
		      !strcmp(t->w[k], "him") || !strcmp(t->w[k], "them") || !strcmp(t->w[k], "our");
		if (!ok)
			return 0;
	}
	return 1;
}

static int flags_allow(const struct text_words *t, const struct lex_trigger *tr, int i, int n,
		       int start, int end)
{
	if (tr->flags & LEX_START) {
		/* "can you take ...", "please get ...": politeness may come first; and a
		 * pause starts anew ("we're off camping, toss in some chips") */
		int from = start;
		for (int k = i - 1; k >= start && !(tr->flags & LEX_FIXQTY); k--)
			if (t->brk[k]) {
				from = k + 1;
				break;
			}
		for (int k = from; k < i; k++)
			if (!lex_is_stopword(t->w[k]) || text_is(t, k, "the") || text_is(t, k, "a"))
				return 0;
	}
	if ((tr->flags & LEX_ALONE) && !(only_padding(t, start, i) && only_padding(t, i + n, end)))
		return 0;
	if ((tr->flags & LEX_LAST) &&
	    (only_padding(t, start, i) || !(only_padding(t, i + n, end) || t->brk[i + n - 1])))
		return 0;
	return 1;
}

int lex_no_modifier(const struct text_words *t, int i, int end)
{
	if (!text_is(t, i, "no") || i + 1 >= end || t->brk[i])
		return 0;
	const char *w = t->w[i + 1];
	if (lex_is_stopword(w) || text_is_digits(w) || !strcmp(w, "no") || !strcmp(w, "wait") ||
	    !strcmp(w, "sorry") || !strcmp(w, "actually") || !strcmp(w, "nope") || !strcmp(w, "not") ||
	    !strcmp(w, "never") || !strcmp(w, "thanks") || !strcmp(w, "thank") || !strcmp(w, "problem") ||
	    !strcmp(w, "worries") || !strcmp(w, "way") || !strcmp(w, "need") || !strcmp(w, "rather"))
		return 0;
	static const char *const nums[] = { "one", "two", "three", "four", "five", "six", "seven",
		"eight", "nine", "ten", "a", "an", "zero", "twelve", "twenty", "dozen", "couple", "few" };
	for (size_t k = 0; k < sizeof nums / sizeof *nums; k++)
		if (!strcmp(w, nums[k]))
			return 0;
	return 1;
}

int lex_trigger_at(const struct text_words *t, int i, int clause_start, int clause_end,
		   struct lex_trigger *out)
{
	int best = 0;
	for (size_t k = 0; k < sizeof triggers / sizeof *triggers; k++) {
		int n = text_match(t, i, clause_end, triggers[k].phrase);
		if (n == 1 && triggers[k].intent == UND_DENY && lex_no_modifier(t, i, clause_end))
			continue;	/* "no pulp", "no decaf": a kind of product */
		/* "one set for me and one for my brother", "a set of towels": a noun */
		if (n == 1 && i > 0 && (num_word(t->w[i - 1]) >= 0 || text_is(t, i - 1, "a")) &&
		    (text_is(t, i, "set") || text_is(t, i, "sets")))
			continue;
		if (n > best && flags_allow(t, &triggers[k], i, n, clause_start, clause_end)) {
			best = n;
			*out = triggers[k];
		}
	}
	return best;
}

int lex_filler_at(const struct text_words *t, int i)
{
	static const char *const fillers[] = { "um", "umm", "uh", "uhh", "uhm", "er", "erm", "ehm",
		"hmm", "hm", "mm", "mmm", "ah", "ahh", "eh", "oh", "you know", "i guess", "basically",
		"literally", "kind of like", "sort of like", "lol", "after all", "at all", "to be honest",
		"tbh", "honestly" };
	for (size_t k = 0; k < sizeof fillers / sizeof *fillers; k++) {
		int n = text_match(t, i, t->n, fillers[k]);
		if (n)
			return n;
	}
	/* "like" is a filler unless it is the verb: "i would like", "i like" */
	if (text_is(t, i, "like") && !(i > 0 && (text_is(t, i - 1, "would") || text_is(t, i - 1, "i") ||
						text_is(t, i - 1, "we") || text_is(t, i - 1, "you") ||
						text_is(t, i - 1, "not") || text_is(t, i - 1, "they") ||
						text_is(t, i - 1, "really") || text_is(t, i - 1, "also") ||
						text_is(t, i - 1, "looks") || text_is(t, i - 1, "things") ||
						text_is(t, i - 1, "something") || text_is(t, i - 1, "just"))))
		return 1;
	return 0;
}

int lex_correction_at(const struct text_words *t, int i, int end)
{
	static const char *const markers[] = { "no let us say", "let us say", "or let us say",
		"no make that", "no wait", "wait no", "no no", "oh wait", "sorry i mean",
		"no i mean", "i mean", "or rather", "rather", "actually", "no actually",
		"scratch that", "oops", "sorry", "correction", "wait", "no sorry",
		/* "that's not what i said", "that's wrong", "that's too many": what follows fixes it */
		"that is not what i said", "that is not what i asked for", "that is not what i wanted",
		"that is not what i meant", "that is wrong", "that is not right", "that is too many",
		"that is way too many", "that is not right", "wrong one",
		/* "the jbl speaker, no forget that, just the earbuds", "on second thought ..." */
		"on second thought", "on second thoughts", "no forget that", "forget that",
		"no forget it", "actually no", "no scratch that",
		/* "i said that wrong, the one with no pulp", "my bad, honeycrisp" */
		"i said that wrong", "i said it wrong", "i got that wrong", "i got it wrong",
		"i said the wrong thing", "my mistake", "my bad",
		/* "actually i'd prefer the honeycrisp": the thing that replaces */
		"i would prefer to have", "i would prefer", "i would rather have", "i would rather get",
		"i would rather", "i prefer", "nah", "no", "nope" };
	for (size_t k = 0; k < sizeof markers / sizeof *markers; k++) {
		int n = text_match(t, i, end, markers[k]);
		if (!n)
			continue;
		/* "no more", "no thanks", "no longer" are not corrections */
		if (!strcmp(markers[k], "no") && (lex_no_modifier(t, i, end) || lex_situation_negation_at(t, i, end)))
			return 0;
		if ((!strcmp(markers[k], "no") || !strcmp(markers[k], "nope") || !strcmp(markers[k], "nah")) &&
		    (text_is(t, i + 1, "more") || text_is(t, i + 1, "thanks") || text_is(t, i + 1, "thank") ||
		     text_is(t, i + 1, "longer") || i + 1 >= end))
			return 0;
		/* "rather" inside "i would rather have" */
		if (!strcmp(markers[k], "rather") && i > 0 && text_is(t, i - 1, "would"))
			return 0;
		return n;
	}
	return 0;
}

int lex_settle_at(const struct text_words *t, int i, int end)
{
	static const char *const settle[] = { "should do it", "will do it", "would do it",
		"will do", "would do", "should do", "will work", "would work", "will be fine",
		"would be fine", "does the job", "will do the job", "is fine", "is enough",
		"is plenty", "are fine", "are enough", "is good", "enough", "plenty" };
	for (size_t k = 0; k < sizeof settle / sizeof *settle; k++) {
		int n = text_match(t, i, end, settle[k]);
		if (n)
			return n;
	}
	return 0;
}

int lex_connector_at(const struct text_words *t, int i, int end)
{
	static const char *const connectors[] = { "and then", "and also", "and after that",
		"after that", "and", "then", "also", "plus", "as well as", "along with", "or" };
	for (size_t k = 0; k < sizeof connectors / sizeof *connectors; k++) {
		int n = text_match(t, i, end, connectors[k]);
		if (n)
			return n;
	}
	return 0;
}

static int in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w, list[i]))
			return 1;
	return 0;
}

int lex_is_stopword(const char *w)
{
	static const char *const words[] = { "the", "a", "an", "some", "any", "my", "me", "to",
		"into", "in", "on", "from", "for", "please", "of", "can", "could", "would", "will",
		"you", "i", "we", "us", "our", "your", "want", "like", "do", "does", "did", "have",
		"has", "is", "are", "was", "be", "there", "what", "which", "how", "much", "many",
		"with", "too", "also", "as", "well", "just", "now", "so", "ok", "okay", "thanks",
		"kind", "type", "types", "kinds", "sort", "options", "option", "items", "item",
		"products", "product", "stuff", "things", "thing", "something", "anything",
		"maybe", "think", "let", "go", "ahead", "instead", "buddy", "hey", "yeah", "then",
		"really", "pretty", "quite", "very", "that", "this", "these", "those", "it",
		"them", "they", "one", "ones", "at", "by", "get", "got", "need", "know", "see",
		"show", "here", "again", "still", "am", "im", "its", "cost", "costs", "price",
		"else", "right", "actually", "um", "uh", "if", "possible", "thank", "please",
		"order", "bit", "lot", "lots", "couple", "all", "shopping", "list", "selection",
		"currently", "today", "please", "exactly", "only", "about", "good", "left", "put",
		"should", "shall", "may", "might", "must", "sell", "carry", "stock", "looking",
		"look", "find", "search", "brand", "version", "variety", "same", "add", "or",
		"sorry", "and", "but", "okay", "alright", "oh", "well", "hello", "hi", "gonna", "going",
		"wanna", "need", "needs", "tell", "give", "take", "make", "those", "number",
		"anymore", "longer", "first", "please", "mate", "guys", "folks", "though", "out", "off",
		"away", "back", "about", "pls", "plz", "itself", "themselves", "yourself", "by",
		"thx", "up" };
	return in_list(w, words, sizeof words / sizeof *words) || lex_is_cart_word(w);
}

int lex_is_common(const char *w)
{
	/* everyday words that are not things sold: function words, verbs, time and
	 * people words, and adjectives of feeling or judgement */
	static const char *const words[] = {
		"were", "was", "been", "being", "am", "use", "using", "used", "yet", "already",
		"still", "ever", "never", "always", "usually", "often", "sometimes", "soon",
		"tomorrow", "tonight", "yesterday", "week", "weekend", "morning", "evening",
		"afternoon", "night", "monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday", "kids", "kid", "children", "child", "daughter", "son", "wife",
		"husband", "mom", "mum", "dad", "mother", "father", "friend", "friends", "family",
		"guests", "party", "people", "everyone", "somebody", "someone", "gym", "music",
		"work", "school", "office", "home", "house", "trip", "down", "broke", "broken",
		"boxes", "regular", "better", "best", "worse", "wrong", "said", "say", "wanted",
		"meant", "mean", "asked", "ask", "tell", "told", "thought", "think", "guess",
		"hope", "wish", "feel", "felt", "try", "trying", "tried", "start", "starting",
		"drinking", "eating", "making", "cooking", "having", "doing", "getting", "going",
		"coming", "come", "came", "went", "gone", "run", "running", "ran", "low", "out",
		"over", "again", "more", "less", "difference", "different", "same", "kind",
		"each", "every", "either", "neither", "both", "another", "other", "else",
		"ugh", "hmm", "oops", "wow", "huh", "hey", "lol", "ok", "okay", "sure", "fine",
		"pretty", "really", "very", "quite", "totally", "mind", "please", "cheers",
		"anymore", "any", "some", "few", "several", "enough", "lot", "lots", "much",
		"many", "most", "way", "time", "times", "day", "days", "thing", "things",
		"stuff", "need", "needs", "needed", "want", "wants", "like", "love", "fancy",
		"buy", "bought", "get", "got", "take", "took", "give", "gave", "keep", "kept",
		"find", "found", "looking", "look", "seen", "see", "saw", "know", "knew",
		"sorry", "thanks", "thank", "actually", "maybe", "perhaps", "probably",
		"definitely", "just", "only", "also", "too", "either", "when", "where", "why",
		"while", "because", "since", "until", "though", "although", "if", "unless",
		"whether", "about", "around", "through", "during", "before", "after", "above",
		"below", "between", "into", "onto", "upon", "within", "without", "towards",
		"ship", "shipped", "arrive", "arrived", "deliver", "delivered", "bring",
		"brought", "put", "set", "let", "lets", "make", "made", "should", "would",
		"could", "might", "must", "shall", "gonna", "wanna", "real", "really", "right",
		"left", "here", "there", "now", "then", "today", "later", "earlier", "first",
		"last", "next", "previous", "whole", "entire", "all", "none", "nothing",
		"anything", "something", "everything", "someone", "quick", "quickly",
		"whichever", "whatever", "gift", "gifts", "present", "presents", "treat", "idea",
		"ideas", "suggestion", "suggestions", "recommendation", "alternative", "alternatives",
		"substitute", "substitutes", "options", "option", "choices", "replacement",
		"recommend", "suggest", "help", "helps", "work", "works", "suit", "suits",
		/* things in general: "a few bits for dad", "the week's groceries" */
		"meal", "meals", "groceries", "bits", "bobs",
	};
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_is_person(const char *w)
{
	static const char *const words[] = { "kid", "kids", "son", "sons", "daughter", "daughters",
		"wife", "husband", "partner", "mom", "mum", "dad", "child", "children", "baby",
		"toddler", "family", "friend", "friends", "sister", "brother", "guest", "guests",
		"boyfriend", "girlfriend", "roommate", "flatmate", "niece", "nephew", "grandma",
		"grandpa", "mother", "father", "everyone", "somebody", "someone", "parents", "parent",
		"grandad", "granddad", "nan", "nana", "gran", "granny", "grandmother", "grandfather",
		"neighbour", "neighbor", "neighbours", "neighbors", "visitors", "visitor", "relatives",
		"inlaws", "aunt", "uncle", "cousin", "cousins", "colleague", "colleagues", "boss",
		"team", "folks", "laws", "housemate", "roommates", "flatmates", "housemates", "people" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_is_unit(const char *w)
{
	static const char *const words[] = { "bag", "bags", "pack", "packs", "packet", "packets",
		"box", "boxes", "bottle", "bottles", "carton", "cartons", "jar", "jars", "tin",
		"tins", "bunch", "bunches", "loaf", "loaves", "piece", "pieces", "kilo", "kilos",
		"kg", "kilogram", "kilograms", "gram", "grams", "litre", "litres", "liter",
		"liters", "pound", "pounds", "lb", "lbs", "unit", "units", "tub", "tubs", "can",
		"cans", "container", "containers", "case", "cases", "roll", "rolls", "bar", "bars",
		"cup", "cups", "pair", "pairs", "set", "sets", "dozen", "punnet", "punnets", "block",
		"blocks", "tube", "tubes", "tray", "trays", "jug", "jugs", "sack", "sacks", "crate",
		"crates", "pot", "pots" };
	return in_list(w, words, sizeof words / sizeof *words);
}

const char *lex_size_unit(const char *w)
{
	static const struct { const char *w, *unit; } units[] = {
		{ "oz", "oz" }, { "ounce", "oz" }, { "ounces", "oz" }, { "lb", "lb" }, { "lbs", "lb" },
		{ "pound", "lb" }, { "pounds", "lb" }, { "kg", "kg" }, { "kilo", "kg" }, { "kilos", "kg" },
		{ "kilogram", "kg" }, { "kilograms", "kg" }, { "g", "g" }, { "gram", "g" }, { "grams", "g" },
		{ "ml", "ml" }, { "milliliter", "ml" }, { "milliliters", "ml" }, { "millilitre", "ml" },
		{ "millilitres", "ml" }, { "l", "l" }, { "liter", "l" }, { "liters", "l" }, { "litre", "l" },
		{ "litres", "l" }, { "gallon", "gallon" }, { "pint", "pint" }, { "pack", "pack" },
		{ "pk", "pack" }, { "count", "ct" }, { "ct", "ct" }, { "quart", "quart" },
		{ "watt", "w" }, { "watts", "w" }, { "w", "w" }, { "percent", "%" }, { "pc", "%" },
		{ "inch", "in" }, { "inches", "in" }, { "mah", "mah" }, { "gb", "gb" },
	};
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (!strcmp(w, units[i].w))
			return units[i].unit;
	return NULL;
}

int lex_is_soft(const char *w)
{
	static const char *const words[] = { "fresh", "nice", "good", "great", "new", "big",
		"small", "large", "little", "best", "favorite", "favourite", "usual", "regular",
		"normal", "decent", "quality", "tasty", "yummy", "lovely", "proper", "real",
		"cheap", "cheapest", "expensive", "affordable", "budget", "inexpensive", "premium",
		"spare", "backup", "replacement",
		"fancy", "simple", "basic", "plain", "whole", "extra", "more", "few", "other",
		"different", "similar", "quick", "cold", "hot", "free" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_is_delegation(const char *w)
{
	static const char *const words[] = { "whichever", "whatever", "whichevers", "whatevers" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_takes_infinitive(const char *w)
{
	static const char *const words[] = { "need", "needs", "want", "wants", "wanted", "have",
		"has", "had", "going", "got", "like", "love", "hate", "try", "trying", "hope",
		"plan", "planning", "wish", "able", "used", "supposed", "forgot", "remember",
		"prefer", "mean", "meant", "start", "started", "decided", "tend", "ought" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_is_purpose_verb(const char *w)
{
	static const char *const words[] = { "leave", "keep", "eat", "drink", "make", "use", "take",
		"bring", "share", "give", "wear", "carry", "cook", "bake", "snack", "serve", "store",
		"stash", "pack", "sip", "munch", "nibble", "brew", "boil", "heat", "warm", "cool",
		"feed", "hand", "put", "hang", "listen", "play", "replace", "last", "see", "get",
		"go", "tide", "stop", "help", "calm", "settle", "sleep", "start", "finish", "celebrate",
		"pass", "stay", "wake", "cheer", "perk", "face", "survive", "fuel" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_opens_context(const struct text_words *t, int i, int end)
{
	static const char *const words[] = { "for", "because", "since", "cause", "cuz", "coz",
		"so", "as", "my", "his", "her", "our", "their", "i", "he", "she", "we",
		"they", "him", "when", "while", "if", "til", "till", "until",
		"before", "after", "during", "at", "on", "in", "to" };
	if (i >= end)
		return 0;
	for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
		if (!text_is(t, i, words[k]))
			continue;
		/* "for 5 dollars", "for two": a price or a count, read elsewhere; so is "for
		 * under 30 bucks", "for less than ten", "for about twenty" */
		if (i + 1 < end && (text_is_digits(t->w[i + 1]) || strchr(t->w[i + 1], '.')))
			return 0;
		static const char *const price_leads[] = { "under", "less", "below", "about", "around",
			"roughly", "over", "more", "above", "between", "no", "not", "max", "maximum", "up" };
		for (size_t p = 0; !strcmp(words[k], "for") && i + 1 < end && p < sizeof price_leads / sizeof *price_leads; p++)
			if (text_is(t, i + 1, price_leads[p]))
				return 0;
		/* "a spare charger to just leave at work", "too nervous to eat breakfast": an
		 * infinitive of purpose or feeling says what it is for, not what it is */
		if (!strcmp(words[k], "to")) {
			int v = i + 1 + (text_is(t, i + 1, "just") || text_is(t, i + 1, "really") ||
					 text_is(t, i + 1, "actually") || text_is(t, i + 1, "quickly"));
			return v < end && lex_is_purpose_verb(t->w[v]);
		}
		/* "on the bus", "in my studio": a place, after the thing named ("ten bucks on
		 * me", "in half" are no place) */
		if ((!strcmp(words[k], "on") || !strcmp(words[k], "in")) &&
		    !(text_is(t, i + 1, "the") || text_is(t, i + 1, "my") || text_is(t, i + 1, "our") ||
		      text_is(t, i + 1, "his") || text_is(t, i + 1, "her") || text_is(t, i + 1, "their") ||
		      text_is(t, i + 1, "a") || text_is(t, i + 1, "an") || text_is(t, i + 1, "this") ||
		      text_is(t, i + 1, "your")))
			return 0;
		/* "my cart", "as well": no situation */
		if (i + 1 < end && (lex_is_cart_word(t->w[i + 1]) || text_is(t, i + 1, "well") ||
				    text_is(t, i + 1, "sale") || text_is(t, i + 1, "offer") || text_is(t, i + 1, "special") ||
				    text_is(t, i + 1, "long") || text_is(t, i + 1, "much")))
			return 0;
		if (i + 1 >= end && text_is(t, i, "so"))
			return 0;
		return 1;
	}
	return 0;
}

int lex_polarity_at(const struct text_words *t, int i, int end, int *len)
{
	static const char *const yes[] = { "yes please", "yes", "yeah", "yea", "yep", "yup", "ya",
		"sure", "ok", "okay", "alright", "all right", "fine", "go ahead", "go on", "do it",
		"please do", "sounds good", "sounds great", "absolutely", "definitely", "of course",
		"correct", "that is right", "why not", "certainly", "perfect", "great", "lovely",
		"cool", "that works", "works for me", "go for it", "let us do it", "fair enough",
		"affirmative", "aye", "right then", "very well", "by all means", "please" };
	static const char *const no[] = { "no", "nope", "nah", "not yet", "not now", "not really",
		"hold on", "hang on", "wait", "stop", "never mind", "nevermind", "forget it",
		"do not", "not", "rather not", "changed my mind", "leave it", "negative", "later",
		"no thanks", "no thank you" };
	for (size_t k = 0; k < sizeof no / sizeof *no; k++) {
		int n = text_match(t, i, end, no[k]);
		/* "no pulp", "not the decaf" are kinds, handled by whoever reads them */
		if (n && !(!strcmp(no[k], "no") && lex_no_modifier(t, i, end))) {
			*len = n;
			return -1;
		}
	}
	for (size_t k = 0; k < sizeof yes / sizeof *yes; k++) {
		int n = text_match(t, i, end, yes[k]);
		if (n) {
			*len = n;
			return 1;
		}
	}
	*len = 0;
	return 0;
}

int lex_act_word(const char *w, char which)
{
	static const char *const checkout[] = { "place", "order", "through", "pay", "charge",
		"checkout", "check", "submit", "send", "buy", "confirm", "proceed", "complete",
		"finish", "finalize", "finalise", "process" };
	static const char *const cancel[] = { "cancel", "refund", "cancelled", "confirm" };
	static const char *const add[] = { "add", "take", "have", "get", "grab", "want", "put",
		"include", "chuck", "pop", "throw", "toss", "stick", "buy" };
	if (which == 'c')
		return in_list(w, checkout, sizeof checkout / sizeof *checkout);
	if (which == 'x')
		return in_list(w, cancel, sizeof cancel / sizeof *cancel);
	return in_list(w, add, sizeof add / sizeof *add);
}

int lex_all_offered_at(const struct text_words *t, int i, int end)
{
	static const char *const all[] = { "what is left", "whatever is left", "whatever you have",
		"whatever you have got", "all that is left", "all you have", "all of them",
		"all of those", "all of it", "the lot", "the rest", "them all", "every one",
		"all the rest", "all three", "all four", "all five", "each of them", "each", "both",
		"all" };
	for (size_t k = 0; k < sizeof all / sizeof *all; k++) {
		int n = text_match(t, i, end, all[k]);
		if (n)
			return n;
	}
	return 0;
}

int lex_is_amount_word(const char *w)
{
	static const char *const words[] = { "amount", "number", "quantity", "count" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_is_total_word(const char *w)
{
	static const char *const words[] = { "total", "altogether", "overall", "all together" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_asks_done_at(const struct text_words *t, int i, int end)
{
	static const char *const phrases[] = { "did you actually", "did you really", "did you", "have you",
		"has it been", "did it get", "did that get", "did they get", "was it" };
	for (size_t k = 0; k < sizeof phrases / sizeof *phrases; k++) {
		int n = text_match(t, i, end, phrases[k]);
		if (n)
			return n;
	}
	return 0;
}

int lex_is_removed_word(const char *w)
{
	static const char *const words[] = { "removed", "taken", "deleted", "dropped", "out", "off" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_is_negator(const char *w)
{
	static const char *const words[] = { "not", "no", "without", "except", "nothing", "none",
		"neither", "nor", "zero", "non", "minus" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_situation_negation_at(const struct text_words *t, int i, int end)
{
	static const char *const modals[] = { "can", "could", "will", "would", "should", "shall",
		"do", "does", "did", "must", "might", "may" };
	static const char *const possessive[] = { "my", "our", "his", "her", "their", "your" };
	if (i + 1 >= end || t->brk[i])
		return 0;
	if ((text_is(t, i, "not") || text_is(t, i, "never")) && i > 0 &&
	    in_list(t->w[i - 1], modals, sizeof modals / sizeof *modals)) {
		/* the verb's object is a pronoun or a thing of the shopper's own ("won't
		 * touch that", "can't use my grinder"); "can't afford the headphones",
		 * "won't eat the crunchy one" say what is not wanted */
		static const char *const pronouns[] = { "that", "it", "this", "them", "those", "these",
			"anything", "any" };
		if (i + 2 >= end || t->brk[i + 1])
			return 0;
		const char *o = t->w[i + 2];
		int own = in_list(o, possessive, sizeof possessive / sizeof *possessive);
		int pron = in_list(o, pronouns, sizeof pronouns / sizeof *pronouns);
		static const char *const asks[] = { "want", "need", "take", "get", "add", "buy", "order",
			"have", "include", "put", "send", "bring", "do" };
		return own || (pron && !in_list(t->w[i + 1], asks, sizeof asks / sizeof *asks));
	}
	/* "no way i can carry that", "no one's cutting sourdough": a remark */
	if (text_is(t, i, "no") && (text_is(t, i + 1, "way") || text_is(t, i + 1, "one")) &&
	    i + 2 < end && !t->brk[i + 1]) {
		const char *w = t->w[i + 2];
		size_t l = strlen(w);
		static const char *const next[] = { "i", "we", "you", "he", "she", "they", "it", "that",
			"this", "is", "was", "will", "would", "can", "could", "does", "did", "wants",
			"likes", "eats", "drinks", "needs", "uses", "in", "am", "are" };
		return in_list(w, next, sizeof next / sizeof *next) || (l > 4 && !strcmp(w + l - 3, "ing"));
	}
	return 0;
}

int lex_is_cart_word(const char *w)
{
	return !strcmp(w, "cart") || !strcmp(w, "basket") || !strcmp(w, "trolley") ||
	       !strcmp(w, "carts") || !strcmp(w, "card") || !strcmp(w, "kart");
}

int lex_is_order_word(const char *w)
{
	return !strcmp(w, "order") || !strcmp(w, "orders") || !strcmp(w, "purchase") ||
	       !strcmp(w, "delivery") || !strcmp(w, "package") || !strcmp(w, "parcel") ||
	       !strcmp(w, "shipment") || !strcmp(w, "purchases");
}

int lex_is_money_word(const char *w)
{
	static const char *const money[] = { "dollar", "dollars", "buck", "bucks", "cent", "cents",
		"quid", "pound", "pounds", "euro", "euros", "tenner", "fiver", "usd" };
	if (w[0] == '$')
		return 1;
	for (size_t i = 0; i < sizeof money / sizeof *money; i++)
		if (!strcmp(w, money[i]))
			return 1;
	return 0;
}

int lex_story_measure_at(const struct text_words *t, int i, int end, const char *before)
{
	/* never a count of a product: a temperature, an age, a time, a delay */
	static const char *const always[] = { "degrees", "degree", "years old", "year old", "yrs old",
		"yr old", "years of age", "am", "pm", "a m", "p m", "o clock", "oclock", "in the morning",
		"in the afternoon", "in the evening", "at night", "in the night", "hours ago",
		"minutes ago", "days ago", "weeks ago", "hours late", "minutes late", "hours behind",
		"hours ahead", "hour flight", "hour shift", "hour drive", "hour day", "hour time difference" };
	/* after "at": "at 9 tomorrow", "at 3, wide awake" */
	static const char *const day[] = { "tomorrow", "tonight", "today", "sharp", "ish", "on",
		"this", "every", "next", "and", "so", "but", "then", "when", "again", "latest", "till",
		"until", "for", "because", "or" };
	/* "the phone's on 2 percent", "down to 5 percent": a battery's charge, not milk */
	static const char *const charge[] = { "on", "at", "to", "below", "under", "is" };
	for (size_t k = 0; k < sizeof always / sizeof *always; k++) {
		int n = text_match(t, i, end, always[k]);
		if (n)
			return n;
	}
	if (!before)
		return -1;
	if (text_is(t, i, "percent")) {
		for (size_t k = 0; k < sizeof charge / sizeof *charge; k++)
			if (!strcmp(before, charge[k]) && (i + 1 >= end || t->brk[i] || lex_is_stopword(t->w[i + 1])))
				return 1;
		return -1;
	}
	if (strcmp(before, "at"))
		return -1;
	if (i >= end || t->brk[i - 1])
		return 0;
	for (size_t k = 0; k < sizeof day / sizeof *day; k++)
		if (text_is(t, i, day[k]))
			return 0;
	return -1;
}

static const char *const fruit[] = { "fruit", "fruits", NULL };
static const char *const veg[] = { "vegetable", "vegetables", "veg", "produce", NULL };
static const char *const dairy[] = { "dairy", "milk", NULL };
static const char *const coffee[] = { "coffee", NULL };
static const char *const tea[] = { "tea", "drinks", NULL };
static const char *const drinks[] = { "drinks", "drink", "beverages", "juice", NULL };
static const char *const audio[] = { "headphones", "earbuds", "audio", "speaker", NULL };
static const char *const bakery[] = { "bakery", "bread", NULL };
static const char *const snacks[] = { "snacks", "snack", "chocolate", "chips", NULL };
static const char *const meat[] = { "meat", "chicken", "beef", NULL };
static const char *const fish[] = { "fish", "seafood", NULL };
static const char *const cleaning[] = { "cleaning", "household", NULL };
static const char *const electronics[] = { "electronics", "tech", NULL };

static const struct {
	const char *word;
	const char *const *broader;
} broader[] = {
	{ "mango", fruit }, { "papaya", fruit }, { "kiwi", fruit }, { "pineapple", fruit },
	{ "peach", fruit }, { "pear", fruit }, { "plum", fruit }, { "grape", fruit },
	{ "cherry", fruit }, { "melon", fruit }, { "watermelon", fruit }, { "lemon", fruit },
	{ "lime", fruit }, { "apricot", fruit }, { "fig", fruit }, { "berry", fruit },
	{ "strawberry", fruit }, { "raspberry", fruit }, { "blueberry", fruit }, { "orange", fruit },
	{ "apple", fruit }, { "banana", fruit }, { "avocado", fruit }, { "nectarine", fruit },
	{ "coconut", fruit }, { "pomegranate", fruit }, { "grapefruit", fruit }, { "tangerine", fruit },
	{ "carrot", veg }, { "potato", veg }, { "tomato", veg }, { "onion", veg }, { "lettuce", veg },
	{ "broccoli", veg }, { "spinach", veg }, { "cucumber", veg }, { "pepper", veg },
	{ "cabbage", veg }, { "kale", veg }, { "zucchini", veg }, { "celery", veg }, { "garlic", veg },
	{ "cheese", dairy }, { "yogurt", dairy }, { "yoghurt", dairy }, { "butter", dairy },
	{ "cream", dairy }, { "egg", dairy }, { "kefir", dairy },
	{ "espresso", coffee }, { "latte", coffee }, { "cappuccino", coffee }, { "decaf", coffee },
	{ "mocha", coffee }, { "arabica", coffee }, { "robusta", coffee },
	{ "chai", tea }, { "matcha", tea }, { "herbal", tea },
	{ "soda", drinks }, { "cola", drinks }, { "lemonade", drinks }, { "water", drinks },
	{ "beer", drinks }, { "wine", drinks }, { "smoothie", drinks },
	{ "earphone", audio }, { "earbud", audio }, { "headset", audio }, { "airpod", audio },
	{ "earpiece", audio }, { "headphone", audio },
	{ "bagel", bakery }, { "croissant", bakery }, { "muffin", bakery }, { "baguette", bakery },
	{ "roll", bakery }, { "cake", bakery }, { "donut", bakery }, { "doughnut", bakery },
	{ "crisp", snacks }, { "cookie", snacks }, { "biscuit", snacks }, { "candy", snacks },
	{ "popcorn", snacks }, { "pretzel", snacks }, { "nut", snacks }, { "cracker", snacks },
	{ "steak", meat }, { "pork", meat }, { "ham", meat }, { "bacon", meat }, { "sausage", meat },
	{ "turkey", meat }, { "lamb", meat }, { "salmon", fish }, { "tuna", fish }, { "shrimp", fish },
	{ "cod", fish }, { "prawn", fish }, { "soap", cleaning }, { "detergent", cleaning },
	{ "bleach", cleaning }, { "sponge", cleaning }, { "phone", electronics },
	{ "charger", electronics }, { "cable", electronics }, { "laptop", electronics },
	{ "tablet", electronics }, { "speaker", audio },
};

const char *lex_synonym(const char *w)
{
	/* British and American names of the same thing, both ways (terms.def) */
	return terms_synonym(w);
}

const char *const *lex_broader(const char *w)
{
	for (size_t i = 0; i < sizeof broader / sizeof *broader; i++)
		if (!strcmp(w, broader[i].word))
			return broader[i].broader;
	return NULL;
}

int lex_share_of(const struct text_words *t, int i, int end)
{
	static const struct { const char *w; int n; } shares[] = {
		{ "half", 2 }, { "halves", 2 }, { "halfs", 2 }, { "third", 3 }, { "thirds", 3 },
		{ "quarter", 4 }, { "quarters", 4 }, { "fifth", 5 },
	};
	if (i >= end)
		return 0;
	for (size_t k = 0; k < sizeof shares / sizeof *shares; k++)
		if (!strcmp(t->w[i], shares[k].w))
			return shares[k].n;
	/* "split it three ways", "between the 4 of us" */
	long n = num_word(t->w[i]);
	if (n >= 2 && n <= 20 && i + 1 < end && (text_is(t, i + 1, "ways") || text_is(t, i + 1, "way")))
		return (int)n;
	if (n >= 2 && n <= 20 && i >= 2 && i + 2 < end && text_is(t, i - 1, "the") &&
	    text_is(t, i - 2, "between") && text_is(t, i + 1, "of") && text_is(t, i + 2, "us"))
		return (int)n;
	return 0;
}

int lex_repeat_at(const struct text_words *t, int i, int end)
{
	static const char *const phrases[] = { "what was it again", "what was that again",
		"what was the total again", "what is it again", "what was that", "say that again",
		"say it again", "say again", "come again", "repeat that", "repeat it", "repeat yourself",
		"repeat the total", "pardon", "i did not catch that", "i missed that", "did not catch that",
		"what did you say", "what did you just say", "once more" };
	for (size_t k = 0; k < sizeof phrases / sizeof *phrases; k++) {
		int n = text_match(t, i, end, phrases[k]);
		if (n)
			return n;
	}
	return 0;
}

int lex_is_whole_word(const char *w)
{
	static const char *const words[] = { "all", "everything", "together", "altogether", "overall",
		"combined", "total", "lot" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_is_bought_word(const char *w)
{
	static const char *const words[] = { "ordered", "bought", "got", "gotten", "had", "purchased",
		"picked", "grabbed", "reordered" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_past_at(const struct text_words *t, int i, int end, int *kind)
{
	/* said alone, they point at the orders: the newest one, or what is bought as a rule */
	static const struct {
		const char *phrase;
		int kind;
	} phrases[] = {
		{ "last time", LEX_PAST_ORDER }, { "last order", LEX_PAST_ORDER },
		{ "previous order", LEX_PAST_ORDER }, { "previous time", LEX_PAST_ORDER },
		{ "recent order", LEX_PAST_ORDER }, { "last purchase", LEX_PAST_ORDER },
		{ "previous purchase", LEX_PAST_ORDER }, { "last shop", LEX_PAST_ORDER },
		{ "last delivery", LEX_PAST_ORDER }, { "reorder", LEX_PAST_ORDER },
		{ "re order", LEX_PAST_ORDER }, { "same as before", LEX_PAST_ORDER },
		{ "as before", LEX_PAST_ORDER }, { "like before", LEX_PAST_ORDER },
		{ "as last time", LEX_PAST_ORDER },
		{ "my usual", LEX_PAST_USUAL }, { "the usual", LEX_PAST_USUAL }, { "usual", LEX_PAST_USUAL },
		{ "regular order", LEX_PAST_USUAL }, { "standing order", LEX_PAST_USUAL },
		/* when: with a word of buying ("the pasta i got before") or "from" ("the coffee
		 * from last week") */
		{ "last week", LEX_PAST_WHEN }, { "last month", LEX_PAST_WHEN },
		{ "the other day", LEX_PAST_WHEN }, { "other day", LEX_PAST_WHEN },
		{ "before", LEX_PAST_WHEN }, { "previously", LEX_PAST_WHEN }, { "earlier", LEX_PAST_WHEN },
		{ "yesterday", LEX_PAST_WHEN }, { "monday", LEX_PAST_WHEN }, { "tuesday", LEX_PAST_WHEN },
		{ "wednesday", LEX_PAST_WHEN }, { "thursday", LEX_PAST_WHEN }, { "friday", LEX_PAST_WHEN },
		{ "saturday", LEX_PAST_WHEN }, { "sunday", LEX_PAST_WHEN }, { "last weekend", LEX_PAST_WHEN },
		{ "weekend", LEX_PAST_WHEN }, { "a while back", LEX_PAST_WHEN },
		{ "a while ago", LEX_PAST_WHEN }, { "ago", LEX_PAST_WHEN }, { "recently", LEX_PAST_WHEN },
		{ "again", LEX_PAST_WHEN }, { "same", LEX_PAST_WHEN },
		/* as a rule: next to a word of buying ("the milk i always get") */
		{ "always", LEX_PAST_HABIT }, { "usually", LEX_PAST_HABIT }, { "normally", LEX_PAST_HABIT },
		{ "regularly", LEX_PAST_HABIT }, { "every week", LEX_PAST_HABIT },
		{ "each week", LEX_PAST_HABIT }, { "every time", LEX_PAST_HABIT },
	};
	for (size_t k = 0; k < sizeof phrases / sizeof *phrases; k++) {
		int n = text_match(t, i, end, phrases[k].phrase);
		if (n) {
			*kind = phrases[k].kind;
			return n;
		}
	}
	return 0;
}

int lex_is_except_word(const char *w)
{
	static const char *const words[] = { "except", "excluding", "exclude", "minus", "skip", "without",
		"apart", "omit", "leave", "hold" };
	return lex_is_negator(w) || in_list(w, words, sizeof words / sizeof *words);
}

int lex_size_direction(const char *w)
{
	static const char *const up[] = { "bigger", "biggest", "larger", "largest" };
	static const char *const down[] = { "smaller", "smallest", "littler" };
	return in_list(w, up, sizeof up / sizeof *up) ? 1 : in_list(w, down, sizeof down / sizeof *down) ? -1 : 0;
}

int lex_is_time_unit(const char *w)
{
	static const char *const words[] = { "minute", "minutes", "hour", "hours", "day", "days", "night",
		"nights", "week", "weeks", "month", "months", "year", "years", "time", "times", "weekend",
		"weekends" };
	return in_list(w, words, sizeof words / sizeof *words);
}

int lex_count_change_at(const struct text_words *t, int i, int end, int *kind)
{
	static const struct {
		const char *phrase;
		int kind;
	} phrases[] = {
		{ "back down to", LEX_COUNT_SET }, { "back up to", LEX_COUNT_SET }, { "down to", LEX_COUNT_SET },
		{ "up to", LEX_COUNT_SET }, { "back to", LEX_COUNT_SET },
		{ "down by", LEX_COUNT_DOWN_BY }, { "up by", LEX_COUNT_UP_BY },
		{ "make it", LEX_COUNT_MAKE }, { "make that", LEX_COUNT_MAKE }, { "make them", LEX_COUNT_MAKE },
		{ "make those", LEX_COUNT_MAKE }, { "make this", LEX_COUNT_MAKE }, { "make these", LEX_COUNT_MAKE },
		{ "more", LEX_COUNT_MORE }, { "extra", LEX_COUNT_MORE }, { "less", LEX_COUNT_FEWER },
		{ "fewer", LEX_COUNT_FEWER }, { "another", LEX_COUNT_ANOTHER },
	};
	for (size_t k = 0; k < sizeof phrases / sizeof *phrases; k++) {
		int n = text_match(t, i, end, phrases[k].phrase);
		if (n) {
			*kind = phrases[k].kind;
			return n;
		}
	}
	return 0;
}

int lex_count_factor_at(const struct text_words *t, int i, int start, int end, int *num, int *den)
{
	static const struct {
		const char *phrase;
		int num, den;
		int object;	/* a verb: needs what it multiplies after it ("double the
				 * bananas", not "a double pack", "double check") */
	} phrases[] = {
		{ "in half", 1, 2, 0 }, { "by half", 1, 2, 0 }, { "half as many", 1, 2, 0 },
		{ "half as much", 1, 2, 0 }, { "halve", 1, 2, 0 },
		{ "twice as many", 2, 1, 0 }, { "twice as much", 2, 1, 0 },
		{ "three times as many", 3, 1, 0 }, { "three times as much", 3, 1, 0 },
		{ "double", 2, 1, 1 }, { "triple", 3, 1, 1 }, { "quadruple", 4, 1, 1 },
	};
	static const char *const objects[] = { "the", "it", "that", "this", "them", "those", "these",
		"my", "our", "up", "everything", "all" };
	for (size_t k = 0; k < sizeof phrases / sizeof *phrases; k++) {
		int n = text_match(t, i, end, phrases[k].phrase);
		if (!n)
			continue;
		int ok = !phrases[k].object || i == start;
		for (size_t o = 0; o < sizeof objects / sizeof *objects && !ok; o++)
			ok = i + n < end && text_is(t, i + n, objects[o]);
		if (!ok || (phrases[k].object && i > 0 && (text_is(t, i - 1, "a") || text_is(t, i - 1, "the"))))
			continue;
		*num = phrases[k].num;
		*den = phrases[k].den;
		return n;
	}
	return 0;
}

int lex_ends_count_at(const struct text_words *t, int i, int end)
{
	static const char *const words[] = { "please", "pls", "thanks", "thank", "cheers", "then",
		"now", "of", "for", "is", "will", "should", "would", "mate", "actually", "really" };
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (i < end && text_is(t, i, words[k]))
			return 1;
	return 0;
}

int lex_keep_cue_at(const struct text_words *t, int i, int end)
{
	static const char *const cues[] = { "keep", "leave", "have", "take", "stick with",
		"go with", "survive with", "make do with", "settle for", "manage with", "give me",
		"get me", "grab me", "want", "need" };
	for (size_t k = 0; k < sizeof cues / sizeof *cues; k++) {
		int n = text_match(t, i, end, cues[k]);
		if (n)
			return n;
	}
	return 0;
}
