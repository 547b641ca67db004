/*
 * Getting a token into memory, for the tool's subcommands: from a file
 * descriptor (standard input, a token file) up to a bound, or from a
 * string (an argument, an environment variable).  The buffer may hold a
 * token: it grows without leaving unwiped copies behind and is wiped
 * when freed.
 */
#ifndef PJ_READTOKEN_H
#define PJ_READTOKEN_H

#include <stddef.h>

/* A token in memory; all zero when empty.  Free with readtoken_free. */
struct token_buf {
	char *buf;		/* NUL-terminated; NULL when empty */
	size_t len;		/* bytes before the NUL */
	size_t size;		/* bytes allocated, all wiped when freed */
};

/*
 * Read file descriptor FD to its end into T.  Returns PJ_OK, PJ_ERR_REFUSED
 * when there is more than MAX bytes, PJ_ERR_FILE when read fails (errno
 * kept) or PJ_ERR_NOMEM; T is empty unless PJ_OK.  Logs nothing.
 */
int readtoken_fd(int fd, size_t max, struct token_buf *t);

/*
 * Copy the string S into T.  Returns PJ_OK, or PJ_ERR_NOMEM with T empty.
 * Logs nothing.
 */
int readtoken_string(const char *s, struct token_buf *t);

/* Wipe and free what T holds, and empty it. */
void readtoken_free(struct token_buf *t);

#endif
