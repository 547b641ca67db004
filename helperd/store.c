/*
 * The in-memory token store: a list, searched by user name.  A few
 * thousand users cost a few microseconds per request; the persistent
 * store will bring an index.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "wipe.h"

void
store_init(struct store *s)
{
	s->head = NULL;
	s->n = 0;
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

void
store_put(struct store *s, struct store_entry *e)
{
	store_drop(s, e->user);
	e->next = s->head;
	s->head = e;
	s->n++;
}

bool
store_drop(struct store *s, const char *user)
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

void
store_clear(struct store *s)
{
	struct store_entry *e, *next;

	for (e = s->head; e != NULL; e = next) {
		next = e->next;
		store_entry_free(e);
	}
	store_init(s);
}
