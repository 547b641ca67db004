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

/*
 * Who handed a token set over (DESIGN.md "Helper"): root with "pam-jwt
 * store" (kept and renewed until logout or drop), or the module after a
 * login (kept while the user has a session open).  Kept in the sealed
 * record; a record written before the field existed reads as ADMIN.
 */
enum store_origin {
	STORE_ORIGIN_ADMIN = 0,	/* "stored_by_admin" */
	STORE_ORIGIN_LOGIN = 1	/* "login" */
};

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
	enum store_origin origin;
	/*
	 * Renewal state (renew.h), in memory only, not in the record: a
	 * restart schedules every entry afresh.
	 */
	int64_t renew_at_ms;	/* Unix ms; 0: not scheduled yet */
	unsigned renew_failures;	/* in a row */
	unsigned renewals;	/* since this helper started */
	int64_t rotated_at;	/* Unix seconds a new refresh token came;
				   0: none yet */
	bool login_needed;	/* the provider refused the grant */
	struct store_entry *next;
};

struct store_db;

/* One open login session of a user (op session_open). */
struct store_session {
	char *user;
	char *id;
	struct store_session *next;
};

/* At most this many sessions are counted at once, all users together. */
#define STORE_MAX_SESSIONS 65536

struct store {
	struct store_entry *head;
	size_t n;
	/*
	 * XXX open sessions are counted in memory only: after a restart
	 * of the helper no user has a session open until the next
	 * session_open; a session_close the helper does not know still
	 * counts as the user's last when no other is open.
	 */
	struct store_session *sessions;
	size_t n_sessions;
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
 * Count the session ID of USER as open (a second open of the same ID
 * counts once).  Returns PJ_OK with *COUNT the user's open sessions now,
 * PJ_ERR_NOMEM, or PJ_ERR_REFUSED when STORE_MAX_SESSIONS are open.
 */
int store_session_open(struct store *s, const char *user, const char *id,
    size_t *count);

/*
 * Count the session ID of USER as closed.  *WAS_OPEN tells whether it
 * was counted; *COUNT is the user's sessions still open.
 */
void store_session_close(struct store *s, const char *user, const char *id,
    bool *was_open, size_t *count);

/*
 * Whether USER has at least one session open.  For the renewal: a token
 * set of origin STORE_ORIGIN_LOGIN is renewed only while this holds.
 */
bool store_user_has_sessions(const struct store *s, const char *user);

/*
 * Whether E should be kept fresh now (DESIGN.md "Helper"): a set root
 * stored (STORE_ORIGIN_ADMIN) always, until logout or drop; a set a
 * login handed over while its user has a session open.
 */
bool store_entry_wants_renewal(const struct store *s,
    const struct store_entry *e);

/*
 * Drop and wipe every entry from memory and close the database (which
 * keeps them); S is then empty and memory only.  The session counts
 * are forgotten too.
 */
void store_clear(struct store *s);

#endif
