/* Small string helpers shared by the core, the module and the tool. */
#ifndef PJ_STRUTIL_H
#define PJ_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Skip surrounding whitespace (space, tab, CR, LF) of the LEN bytes at S:
 * sets *START and *OUTLEN to the trimmed span.  Nothing inside is touched.
 */
void strutil_trim(const char *s, size_t len, const char **start,
    size_t *outlen);

/*
 * Copy at most MAX bytes of the LEN bytes at S into OUT (of OUTSIZE bytes,
 * always NUL-terminated) for a log line: bytes outside printable ASCII,
 * space, '"', '\\' and '=' become \xHH, and a cut value ends in "...".
 * Token-derived values go through this before they reach a log line.
 */
void strutil_escape(const char *s, size_t len, size_t max, char *out,
    size_t outsize);

/*
 * Split a comma-separated list into trimmed, non-empty items.  Returns
 * PJ_OK with *ITEMS (NULL-terminated, free with strutil_free_list) and
 * *COUNT, or PJ_ERR_NOMEM.
 */
int strutil_split_list(const char *s, char ***items, size_t *count);

/* Free a list from strutil_split_list; NULL is fine. */
void strutil_free_list(char **items);

/*
 * Parse a decimal integer in [MIN, MAX] with nothing after it.  Returns
 * true and sets *OUT, or false.
 */
bool strutil_parse_long(const char *s, long min, long max, long *out);

/* Parse yes/no/true/false/1/0/on/off.  Returns true and sets *OUT. */
bool strutil_parse_bool(const char *s, bool *out);

/* The value of the hex digit C (0-9, a-f, A-F), or -1 for any other. */
int strutil_hex_value(int c);

/* Constant-time comparison of two LEN-byte buffers: true if equal. */
bool strutil_ct_equal(const void *a, const void *b, size_t len);

#endif
