/*
 * handlers.h - the REST handlers, one group per module (auth.c, catalog.c, cart.c,
 * payments.c, orders.c, seller.c, conversations.c).  Each takes the request
 * (authenticated and with its body parsed, as the route table says) and fills the
 * response.  They run on worker threads with req->db as their connection.
 */
#ifndef VOXCART_HANDLERS_H
#define VOXCART_HANDLERS_H

#include "api.h"

#define HANDLER(name) void name(struct api_req *req, struct api_resp *resp)

/* auth.c */
HANDLER(h_health);
HANDLER(h_register);
HANDLER(h_login);
HANDLER(h_refresh);
HANDLER(h_logout);
HANDLER(h_me_get);
HANDLER(h_me_patch);

/* catalog.c */
HANDLER(h_products_list);
HANDLER(h_product_get);
HANDLER(h_categories);
HANDLER(h_product_create);
HANDLER(h_product_patch);
HANDLER(h_product_delete);
HANDLER(h_seller_products);

/* product_list.c: the product list from memory, else h_products_list */
HANDLER(h_products_list_fast);

/* cart.c */
HANDLER(h_cart_get);
HANDLER(h_cart_add);
HANDLER(h_cart_set);
HANDLER(h_cart_remove);
HANDLER(h_cart_clear);

/* payments.c */
HANDLER(h_cards_create);
HANDLER(h_cards_list);
HANDLER(h_cards_delete);
HANDLER(h_cards_patch);

/* orders.c */
HANDLER(h_orders_create);
HANDLER(h_orders_list);
HANDLER(h_order_get);
HANDLER(h_order_pay);
HANDLER(h_order_cancel);

/* seller.c */
HANDLER(h_seller_orders);
HANDLER(h_seller_ship);
HANDLER(h_seller_stats);

/* buddy_rest.c: a buddy turn over REST */
HANDLER(h_buddy_message);

/* conversations.c: stored conversations */
HANDLER(h_conversations_list);
HANDLER(h_conversation_get);
HANDLER(h_conversation_delete);

#endif
