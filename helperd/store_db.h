/*
 * The store's database (SQLite, WAL, synchronous=FULL): one row per user
 * holding that user's sealed token set.  Used by store.c only.
 */
#ifndef PJ_HELPERD_STORE_DB_H
#define PJ_HELPERD_STORE_DB_H

#include "log.h"
#include "store.h"

/*
 * Check O->state_dir, load the key, open (or make) the database.
 * Returns PJ_OK and *OUT, PJ_ERR_FILE (logged) or PJ_ERR_NOMEM.
 */
int store_db_open(const struct store_options *o, const struct pj_log *log,
    struct store_db **out);

/*
 * Read every record into S with ADD (which takes ownership of each
 * entry); records that do not open are deleted, with a log line.
 * Returns PJ_OK, PJ_ERR_FILE (logged) or PJ_ERR_NOMEM.
 */
int store_db_load(struct store_db *db, struct store *s,
    void (*add)(struct store *s, struct store_entry *e));

/* Write E's row in one transaction.  PJ_OK, or PJ_ERR_* (logged). */
int store_db_put(struct store_db *db, const struct store_entry *e);

/* Delete USER's row in one transaction.  PJ_OK, or PJ_ERR_* (logged). */
int store_db_drop(struct store_db *db, const char *user);

/* Close DB and wipe its key; NULL is fine. */
void store_db_close(struct store_db *db);

#endif
