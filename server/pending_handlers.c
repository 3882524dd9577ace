/*
 * pending_handlers.c - routes whose modules are being written; each answers 501.
 * Removed as cart.c, payments.c, orders.c, seller.c and conversations.c land.
 */
#include "handlers.h"

#define PENDING(name) HANDLER(name) { (void)req; api_error(resp, 501, "not_implemented", NULL, "Not implemented yet."); }

PENDING(h_cart_get)
PENDING(h_cart_add)
PENDING(h_cart_set)
PENDING(h_cart_remove)
PENDING(h_cart_clear)
PENDING(h_cards_create)
PENDING(h_cards_list)
PENDING(h_cards_delete)
PENDING(h_cards_patch)
PENDING(h_orders_create)
PENDING(h_orders_list)
PENDING(h_order_get)
PENDING(h_order_pay)
PENDING(h_order_cancel)
PENDING(h_seller_orders)
PENDING(h_seller_ship)
PENDING(h_seller_stats)
PENDING(h_buddy_message)
PENDING(h_conversations_list)
PENDING(h_conversation_get)
PENDING(h_conversation_delete)
