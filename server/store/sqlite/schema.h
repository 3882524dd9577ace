/*
 * store/sqlite/schema.h - the SQLite database schema as numbered migrations.
 * Migration N (1-based) is schema_migrations[N-1]; PRAGMA user_version holds the last one applied.  A released
 * migration is never edited: changes go into a new one at the end.
 */
#ifndef VOXCART_SCHEMA_H
#define VOXCART_SCHEMA_H

/* Each migration is a NULL-terminated list of SQL statements. */
extern const char *const *const schema_migrations[];
extern const int schema_count;

#endif
