/*
 * handlers.h - the REST handlers, grouped by the file that defines them (auth.c,
 * catalog.c, product_list.c, listings.c, cart.c, payments.c, orders.c, order_view.c, seller.c,
 * buddy_rest.c, conversations.c); routes.c maps paths to them.  Each takes the request
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

/* catalog.c: browsing, and a seller's own listings */
HANDLER(h_products_list);
HANDLER(h_product_get);
HANDLER(h_categories);
HANDLER(h_seller_products);

/* listings.c: a seller's changes to the catalog */
HANDLER(h_product_create);
HANDLER(h_product_patch);
HANDLER(h_product_delete);

/* product_list.c: the product list from memory, else h_products_list; a product by
 * id (h_product_get) after starting, once, the serialisation of every product */
HANDLER(h_products_list_fast);
HANDLER(h_product_get_warm);

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

/* orders.c: placing, paying and cancelling */
HANDLER(h_orders_create);
HANDLER(h_order_pay);
HANDLER(h_order_cancel);

/* order_view.c: reading orders */
HANDLER(h_orders_list);
HANDLER(h_order_get);

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
