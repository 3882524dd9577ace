/*
 * msgcheck.h - checks on the numbers and escapes of client messages, shared by REST
 * (server/routes.c) and the buddy WebSocket's message decoder (requests.c), kept apart
 * so that they can be unit-tested and fuzzed.
 */
#ifndef VOXCART_MSGCHECK_H
#define VOXCART_MSGCHECK_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* A turn number from a message: an integer from 1 to 4294967295, else 0.  Any JSON
 * value is safe here (1e308, -1, 2.5, NaN-like input, a string): no float-to-integer
 * conversion happens outside the range. */
uint32_t msgcheck_turn(const cJSON *t);

/* A positive integer id (1 to 2^53) from a message, else 0. */
int64_t msgcheck_id(const cJSON *v);

/* An integer that fits an int, else def. */
int msgcheck_int(const cJSON *v, int def);

/* 1 when a JSON string in the raw text holds the escape \u0000 (it would end the C
 * string early and a value would be stored cut short). */
int msgcheck_nul_escape(const char *raw, size_t len);

#endif
