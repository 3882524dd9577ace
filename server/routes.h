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

/* Which worker pool a request belongs on: what is slow by nature (a buddy turn,
 * password hashing) waits in its own queue, so REST stays fast whatever it does. */
enum route_lane { ROUTE_LANE_FAST, ROUTE_LANE_TURN, ROUTE_LANE_HASH };
enum route_lane routes_lane(enum api_method method, const char *path);

#endif
