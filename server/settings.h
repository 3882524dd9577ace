/*
 * settings.h - voxcartd's settings: defaults, then the config file, then the
 * command line (the later wins).  Every config key is documented in config.example
 * and voxcart.conf(5).
 */
#ifndef VOXCART_SETTINGS_H
#define VOXCART_SETTINGS_H

#include <stddef.h>

struct server;

void settings_defaults(struct server *srv);
/* Reads srv->cfg into srv->set; -1 with err naming the bad key. */
int settings_from_config(struct server *srv, char *err, size_t errlen);

#endif
