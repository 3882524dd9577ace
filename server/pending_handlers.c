/*
 * pending_handlers.c - routes whose modules are being written; each answers 501.
 * Removed as conversations.c lands.
 */
#include "handlers.h"

#define PENDING(name) HANDLER(name) { (void)req; api_error(resp, 501, "not_implemented", NULL, "Not implemented yet."); }





