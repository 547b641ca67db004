/*
 * Getting a token into memory.  Reading grows the buffer by hand, copying
 * and wiping, since realloc() may leave the old block unwiped in the heap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readtoken.h"
#include "reason.h"
#include "wipe.h"

/* Double the buffer *P of *CAP bytes, N of them used; wipe the old one. */
static int
grow(char **p, size_t *cap, size_t n)
{
	char *grown;

	grown = malloc(*cap * 2);
	if (grown == NULL)
		return PJ_ERR_NOMEM;
	memcpy(grown, *p, n);
	wipe_free(*p, *cap);
	*p = grown;
	*cap *= 2;
	return PJ_OK;
}

int
readtoken_fd(int fd, size_t max, struct token_buf *t)
{
	size_t cap = 4096;
	size_t n = 0;
	char *p;
	ssize_t r;
	int err = PJ_ERR_NOMEM;

	memset(t, 0, sizeof(*t));
	p = malloc(cap);
	if (p == NULL)
		goto out;

	for (;;) {
		if (n + 1 >= cap && grow(&p, &cap, n) != PJ_OK)
			goto out;
		r = read(fd, p + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = PJ_ERR_FILE;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			err = PJ_ERR_REFUSED;
			goto out;
		}
	}
	p[n] = '\0';
	t->buf = p;
	t->len = n;
	t->size = cap;
	p = NULL;
	err = PJ_OK;
out:
	wipe_free(p, cap);
	return err;
}

int
readtoken_string(const char *s, struct token_buf *t)
{
	memset(t, 0, sizeof(*t));
	t->buf = strdup(s);
	if (t->buf == NULL)
		return PJ_ERR_NOMEM;
	t->len = strlen(s);
	t->size = t->len + 1;
	return PJ_OK;
}

void
readtoken_free(struct token_buf *t)
{
	wipe_free(t->buf, t->size);
	memset(t, 0, sizeof(*t));
}
