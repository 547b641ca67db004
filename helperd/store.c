/*
 * The token store: a list in memory, searched by user name, in front of
 * the database (store_db.c) when persist is on.  Every change reaches
 * the database, committed, before memory: what a client was told is
 * stored survives a crash, and memory never holds what the disk lacks.
 * A few thousand users cost a few microseconds per lookup.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "reason.h"
#include "store.h"
#include "store_db.h"
#include "wipe.h"

void
store_init(struct store *s)
{
	s->head = NULL;
	s->n = 0;
	s->sessions = NULL;
	s->n_sessions = 0;
	s->db = NULL;
	s->log = NULL;
}

struct store_entry *
store_find(struct store *s, const char *user)
{
	struct store_entry *e;

	for (e = s->head; e != NULL; e = e->next) {
		if (strcmp(e->user, user) == 0)
			return e;
	}
	return NULL;
}

void
store_entry_free(struct store_entry *e)
{
	size_t i;

	if (e == NULL)
		return;
	wipe_free_str(e->access_token);
	wipe_free_str(e->refresh_token);
	wipe_free_str(e->id_token);
	free(e->user);
	free(e->issuer);
	free(e->subject);
	for (i = 0; i < e->n_groups; i++)
		free(e->groups[i]);
	free(e->groups);
	wipe(e, sizeof(*e));
	free(e);
}

/* Unlink and wipe the entry of USER from memory; whether there was one. */
static bool
mem_drop(struct store *s, const char *user)
{
	struct store_entry **pp, *e;

	for (pp = &s->head; *pp != NULL; pp = &(*pp)->next) {
		e = *pp;
		if (strcmp(e->user, user) != 0)
			continue;
		*pp = e->next;
		s->n--;
		store_entry_free(e);
		return true;
	}
	return false;
}

static void
mem_put(struct store *s, struct store_entry *e)
{
	mem_drop(s, e->user);
	e->next = s->head;
	s->head = e;
	s->n++;
}

int
store_open(struct store *s, const struct store_options *o,
    const struct pj_log *log)
{
	int rc;

	s->log = log;
	if (!o->persist)
		return PJ_OK;
	rc = store_db_open(o, log, &s->db);
	if (rc != PJ_OK) {
		s->db = NULL;
		return rc;
	}
	rc = store_db_load(s->db, s, mem_put);
	if (rc != PJ_OK)
		store_clear(s);
	return rc;
}

int
store_put(struct store *s, struct store_entry *e)
{
	int rc = PJ_OK;

	if (s->db != NULL)
		rc = store_db_put(s->db, e);
	if (rc != PJ_OK) {
		store_entry_free(e);
		return rc;
	}
	mem_put(s, e);
	return PJ_OK;
}

int
store_drop(struct store *s, const char *user, bool *dropped)
{
	int rc = PJ_OK;

	*dropped = false;
	if (s->db != NULL)
		rc = store_db_drop(s->db, user);
	if (rc != PJ_OK)
		return rc;
	*dropped = mem_drop(s, user);
	return PJ_OK;
}

static void
session_free(struct store_session *ss)
{
	free(ss->user);
	free(ss->id);
	free(ss);
}

static size_t
sessions_of(const struct store *s, const char *user)
{
	const struct store_session *ss;
	size_t n = 0;

	for (ss = s->sessions; ss != NULL; ss = ss->next) {
		if (strcmp(ss->user, user) == 0)
			n++;
	}
	return n;
}

int
store_session_open(struct store *s, const char *user, const char *id,
    size_t *count)
{
	struct store_session *ss;
	int rc = PJ_ERR_NOMEM;

	*count = sessions_of(s, user);
	for (ss = s->sessions; ss != NULL; ss = ss->next) {
		if (strcmp(ss->user, user) == 0 && strcmp(ss->id, id) == 0) {
			rc = PJ_OK;
			goto out;
		}
	}
	if (s->n_sessions >= STORE_MAX_SESSIONS) {
		rc = PJ_ERR_REFUSED;
		goto out;
	}
	ss = calloc(1, sizeof(*ss));
	if (ss == NULL)
		goto out;
	ss->user = strdup(user);
	ss->id = strdup(id);
	if (ss->user == NULL || ss->id == NULL) {
		session_free(ss);
		goto out;
	}
	ss->next = s->sessions;
	s->sessions = ss;
	s->n_sessions++;
	(*count)++;
	rc = PJ_OK;
out:
	return rc;
}

void
store_session_close(struct store *s, const char *user, const char *id,
    bool *was_open, size_t *count)
{
	struct store_session **pp, *ss;

	*was_open = false;
	for (pp = &s->sessions; *pp != NULL; pp = &(*pp)->next) {
		ss = *pp;
		if (strcmp(ss->user, user) == 0 && strcmp(ss->id, id) == 0) {
			*pp = ss->next;
			session_free(ss);
			s->n_sessions--;
			*was_open = true;
			break;
		}
	}
	*count = sessions_of(s, user);
}

bool
store_user_has_sessions(const struct store *s, const char *user)
{
	return sessions_of(s, user) > 0;
}

bool
store_entry_wants_renewal(const struct store *s,
    const struct store_entry *e)
{
	return e->origin == STORE_ORIGIN_ADMIN ||
	    store_user_has_sessions(s, e->user);
}

void
store_clear(struct store *s)
{
	struct store_entry *e, *next;
	struct store_session *ss, *ssnext;
	const struct pj_log *log = s->log;

	for (e = s->head; e != NULL; e = next) {
		next = e->next;
		store_entry_free(e);
	}
	for (ss = s->sessions; ss != NULL; ss = ssnext) {
		ssnext = ss->next;
		session_free(ss);
	}
	store_db_close(s->db);
	store_init(s);
	s->log = log;
}
