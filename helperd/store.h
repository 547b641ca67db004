/*
 * The helper's token store, in memory only for now: one entry per user
 * with the token set root handed over and what the verified access token
 * says.  Tokens are wiped when an entry is dropped or replaced and when
 * the store is cleared.
 *
 * XXX persistence (SQLite in WAL mode, refresh tokens encrypted with
 * AES-256-GCM) is not written yet: a restart loses every user, which is
 * safe (users log in again) but not what issue 3 asks for.  The
 * interface below is what the persistent store will implement.
 */
#ifndef PJ_HELPERD_STORE_H
#define PJ_HELPERD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct store {
	struct store_entry *head;
	size_t n;
};

/* An empty store. */
void store_init(struct store *s);

/* The entry of USER, or NULL.  The store keeps ownership. */
struct store_entry *store_find(struct store *s, const char *user);

/*
 * Add E (taking ownership), replacing and wiping any entry of the same
 * user.  Never fails.
 */
void store_put(struct store *s, struct store_entry *e);

/* Drop and wipe the entry of USER.  Returns whether there was one. */
bool store_drop(struct store *s, const char *user);

/* Wipe and free E and everything it holds; NULL is fine. */
void store_entry_free(struct store_entry *e);

/* Drop and wipe every entry. */
void store_clear(struct store *s);

#endif
