/*
 * payments.h - the payment provider interface, the built-in `sandbox` provider, and
 * the shopper's saved cards (PROTOCOL.md PaymentMethod).
 *
 * A provider turns a card (number, expiry, CVC) into what may be stored: brand,
 * last4, expiry and an opaque token only the provider understands.  The number and
 * the CVC never leave tokenize(): they are not stored, logged or returned.  Charges
 * and refunds go through the provider that tokenized the card (its name is stored
 * beside the token).
 *
 * sandbox needs no outside service.  Test cards: 4242424242424242 succeeds,
 * 4000000000000002 is declined (card_declined), 4000000000009995 fails with
 * insufficient_funds; any other Luhn-valid number with a future expiry succeeds.  The
 * outcome is remembered in the token, so the card number itself is never kept.
 */
#ifndef VOXCART_PAYMENTS_H
#define VOXCART_PAYMENTS_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* What is kept about a card. */
struct payment_card {
	int64_t id;            /* payment_methods row; 0 before it is stored */
	char provider[16];
	char brand[16];        /* visa, mastercard, amex, discover, jcb, diners, unknown */
	char last4[5];
	int exp_month;         /* 1..12 */
	int exp_year;          /* four digits */
	char token[64];
};

/* The outcome of a charge or refund. */
struct payment_result {
	char ref[64];          /* the provider's id of the charge or refund */
	char code[32];         /* decline code: card_declined, insufficient_funds, expired_card */
	char message[160];     /* a sentence for the shopper */
};

struct payment_provider {
	const char *name;
	/* Checks a card and fills `card` (not id).  Returns 0, or -1 with the field at
	 * fault (card_number, exp_month, exp_year, cvc) and a message.  `now` is seconds
	 * since the epoch (expiry is checked against its UTC month). */
	int (*tokenize)(const char *number, int64_t exp_month, int64_t exp_year,
			const char *cvc, int64_t now, struct payment_card *card, char *field,
			size_t fieldlen, char *msg, size_t msglen);
	/* Charges amount_cents.  Returns 0 (res->ref set), 1 declined (res->code and
	 * res->message set), or -1 when the provider could not be reached. */
	int (*charge)(const struct payment_card *card, int64_t amount_cents,
		      const char *currency, int64_t now, struct payment_result *res);
	/* Refunds a charge in full.  Returns 0, or -1 (res->message set). */
	int (*refund)(const char *charge_ref, int64_t amount_cents, struct payment_result *res);
};

/* The provider by name ("sandbox"), or NULL. */
const struct payment_provider *payments_provider(const char *name);

/* A charge made inside a database transaction, kept so that it can be refunded when
 * the transaction does not commit. */
struct payment_charge {
	char provider[16];
	char ref[64];          /* "" when nothing was charged */
	int64_t amount;
};

/* Charges the card through the provider that tokenized it.  Returns 0 (charge filled),
 * 402 declined, or 500 (unknown provider, provider unreachable); msg gets a sentence
 * for the shopper.  Logs the outcome (never card data). */
int payments_charge(const struct payment_card *card, int64_t amount_cents, const char *currency,
		    struct payment_charge *charge, char *msg, size_t msglen);
/* Refunds the charge in full and clears charge->ref.  0 (also when there is nothing
 * to refund), or -1 when the provider refused (logged). */
int payments_refund(struct payment_charge *charge);

/* Card helpers (used by sandbox; exposed for tests and other providers). */
/* Copies the digits of `in` into out, skipping spaces and dashes; -1 on any other
 * character or a length outside 12..19 digits. */
int payments_card_digits(const char *in, char *out, size_t outlen);
int payments_luhn_ok(const char *digits);        /* 1 when the check digit is right */
const char *payments_brand(const char *digits);  /* from the number's prefix */
int64_t payments_full_year(int64_t year);        /* 27 -> 2027; 4-digit years as they are */
/* 1 when a card valid through exp_month/exp_year has expired at `now`, else 0. */
int payments_expired(int64_t exp_month, int64_t exp_year, int64_t now);

/* Saved cards. */
/* {"items":[PaymentMethod],"provider"} of the user's cards (not deleted), default
 * first; provider is the one a new card is tokenized by ("sandbox"). */
cJSON *payments_list_json(struct store *db, int64_t user_id);
/* Loads the user's card `id` (not deleted).  0 found, 1 none such, -1 database error. */
int payments_method_get(struct store *db, int64_t user_id, int64_t id, struct payment_card *card);
/* Stores a tokenized card for the user (the default when it is their first); inside
 * the caller's transaction.  The new id, or -1 on a database error. */
int64_t payments_insert_card(struct store *db, int64_t user_id, const struct payment_card *c);
/* The id of the user's default card, or 0 when there is none. */
int64_t payments_default_id(struct store *db, int64_t user_id);

#endif
