/*
 * redact.h - secrets a shopper types to the buddy, taken out before the message is
 * stored or sent to an outside engine.
 *
 * Removed: card-like numbers (13 to 19 digits, optionally grouped with single
 * spaces or dashes, passing the Luhn check) and the word after "password",
 * "passcode", "CVC", "CVV" or "security code" (after an optional "is", ":" or "=").
 * Card numbers are entered through the payment-methods screen, never in a chat.
 */
#ifndef VOXCART_REDACT_H
#define VOXCART_REDACT_H

#define REDACT_CARD   1 /* a card number was removed */
#define REDACT_SECRET 2 /* a password or security code was removed */

/* The text with every secret replaced by "[removed]"; *found gets the REDACT_ bits
 * (0 when nothing was removed).  Returns a malloc'd string, NULL when out of memory. */
char *redact_secrets(const char *text, int *found);

/* The reply line telling the shopper not to type such things ("" for found == 0). */
const char *redact_warning(int found);

#endif
