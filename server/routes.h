/*
 * routes.h - the REST route table and dispatcher.
 *
 * Every endpoint of PROTOCOL.md is one row: method, path pattern ("{id}" matches a
 * positive integer), who may call it, whether it takes a JSON body, and its handler.
 * routes_dispatch() runs on a worker thread: it finds the row (404 unknown path,
 * 405 known path with another method), checks the token and role, parses and checks
 * the body, and calls the handler.
 */
#ifndef VOXCART_ROUTES_H
#define VOXCART_ROUTES_H

#include "api.h"

void routes_dispatch(struct api_req *req, struct api_resp *resp);

#endif
