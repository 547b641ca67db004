/*
 * The helper's token store: one entry per user with the token set root
 * handed over and what the verified access token says.  Entries live in
 * memory; with persist (the default) every change is also written, in
 * one SQLite transaction, to a database in state_dir before it is
 * acknowledged, each token set sealed with AES-256-GCM (store_seal.h),
 * and store_open() reads them back after a restart.  Tokens are wiped
 * from memory when an entry is dropped or replaced and when the store is
 * closed.
 */
#ifndef PJ_HELPERD_STORE_H
#define PJ_HELPERD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct store_entry {
	char *user;
	char *access_token;	/* secret: wiped */
	char *refresh_token;	/* secret, NULL when none was given */
	char *id_token;		/* secret, NULL when none was given */
	char *issuer;		/* from the verified access token */
	char *subject;		/* NULL when the token has no sub */
	char **groups;		/* NULL-terminated */
	size_t n_groups;
	int64_t exp;		/* the access token's exp */
	int64_t stored_at;	/* Unix seconds */
	struct store_entry *next;
};

struct store_db;

struct store {
	struct store_entry *head;
	size_t n;
	struct store_db *db;	/* NULL: memory only */
	const struct pj_log *log;
};

/* Where and whether store_open() keeps the entries on disk. */
struct store_options {
	bool persist;		/* false: memory only, no file at all */
	const char *state_dir;	/* the database's folder */
	/*
	 * The key file; NULL: $CREDENTIALS_DIRECTORY/token-key when that
	 * variable is set (systemd's LoadCredential), else
	 * STATE_DIR/token.key, which is made when missing.
	 */
	const char *token_key_file;
};

/* The database file in state_dir. */
#define STORE_DB_NAME "tokens.db"

/* An empty store, memory only. */
void store_init(struct store *s);

/*
 * Open the empty store S as O says, logging to LOG (kept).  With
 * O->persist, state_dir must be a folder owned by this process's user
 * with mode 0700, and the key file as store_key_load() wants it; the
 * database is made when missing, and every record in it is read into S.
 * A record that does not decrypt or decode is dropped from the database
 * with a log line, never used.  Returns PJ_OK, PJ_ERR_FILE (logged: the
 * folder, key or database is missing, unsafe or unusable) or
 * PJ_ERR_NOMEM; on error S stays empty and memory only.
 */
int store_open(struct store *s, const struct store_options *o,
    const struct pj_log *log);

/* The entry of USER, or NULL.  The store keeps ownership. */
struct store_entry *store_find(struct store *s, const char *user);

/*
 * Add E, replacing and wiping any entry of the same user; E is written
 * to the database (committed) first.  Takes ownership of E in every
 * case.  Returns PJ_OK, or PJ_ERR_FILE / PJ_ERR_NOMEM (logged) when it
 * could not be written: E is then wiped and the store, in memory and on
 * disk, is as before.
 */
int store_put(struct store *s, struct store_entry *e);

/*
 * Drop and wipe the entry of USER, from the database first.  Returns
 * PJ_OK with *DROPPED telling whether there was one, or PJ_ERR_FILE
 * (logged; nothing dropped).
 */
int store_drop(struct store *s, const char *user, bool *dropped);

/* Wipe and free E and everything it holds; NULL is fine. */
void store_entry_free(struct store_entry *e);

/*
 * Drop and wipe every entry from memory and close the database (which
 * keeps them); S is then empty and memory only.
 */
void store_clear(struct store *s);

#endif
