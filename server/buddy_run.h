/*
 * buddy_run.h - the turn is turn/run.h now; this name stays for voice_turn.c (which
 * wants buddy_now and buddy_thread_cpu) until the hear module replaces that file.
 */
#ifndef VOXCART_BUDDY_RUN_H
#define VOXCART_BUDDY_RUN_H

#include "turn/run.h"

#endif
