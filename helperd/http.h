/*
 * The helper's HTTP client over libcurl: what it fetches from the
 * provider (the discovery document, the key set, later the token and
 * revocation endpoints).  TLS verification is always on; only https is
 * spoken, plain http only to a loopback address (DESIGN.md "Helper"); no
 * redirect is followed; every transfer has a connect and a total timeout
 * and a limit on the response size.
 */
#ifndef PJ_HELPERD_HTTP_H
#define PJ_HELPERD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define HTTP_MAX_BODY (1024 * 1024)	/* bytes of a response body */
#define HTTP_CONNECT_MS 2000
#define HTTP_TOTAL_MS 4000

/* Results besides PJ_OK and PJ_ERR_NOMEM; they do not overlap others. */
enum http_err {
	HTTP_ERR_URL = -60,	/* not https, nor http to loopback */
	HTTP_ERR_TRANSFER = -61	/* connect, TLS, timeout, size... */
};

struct http_opts {
	const char *ca_file;	/* CA bundle; NULL: the system's */
	long connect_ms;	/* 0: HTTP_CONNECT_MS */
	long total_ms;		/* 0: HTTP_TOTAL_MS */
	size_t max_body;	/* 0: HTTP_MAX_BODY */
};

struct http_response {
	long status;		/* the HTTP status code */
	char *body;		/* LEN bytes and a NUL; wiped when cleared */
	size_t len;
	long max_age;		/* Cache-Control max-age, -1 without */
};

/*
 * Whether HOST (as it appears in a URL, IPv6 with or without brackets)
 * is a loopback address: 127.0.0.0/8 or ::1.  Names, "localhost"
 * included, are not: what they resolve to is not the URL's to decide.
 */
bool http_is_loopback(const char *host);

/*
 * Whether URL may be fetched: https with a host, or http with a loopback
 * address as its host.  Returns PJ_OK, HTTP_ERR_URL or PJ_ERR_NOMEM.
 */
int http_check_url(const char *url);

/*
 * The max-age of the Cache-Control header value VALUE (RFC 9111 section
 * 5.2.2.1): its seconds (at most HTTP_AGE_MAX), 0 when VALUE says
 * no-store or no-cache, -1 when it names no age or is malformed.
 */
#define HTTP_AGE_MAX (366L * 86400)
long http_parse_max_age(const char *value);

/*
 * GET URL into *R (cleared first; release with http_response_clear).
 * Returns PJ_OK whatever the HTTP status (check R->status), HTTP_ERR_URL
 * for a URL that http_check_url refuses, HTTP_ERR_TRANSFER (connection,
 * TLS, timeout, a body over the limit...; logged at LOG_WARNING with
 * curl's message) or PJ_ERR_NOMEM.
 */
int http_get(const char *url, const struct http_opts *o,
    const struct pj_log *log, struct http_response *r);

/*
 * POST the application/x-www-form-urlencoded FORM (FORM_LEN bytes; not
 * copied, not logged) to URL, with HTTP Basic USERPWD ("id:secret") when
 * not NULL.  As http_get otherwise.  The body of R may hold secrets: it
 * is wiped by http_response_clear.
 */
int http_post_form(const char *url, const char *form, size_t form_len,
    const char *userpwd, const struct http_opts *o,
    const struct pj_log *log, struct http_response *r);

/* Wipe and free what R holds; R can be used again. */
void http_response_clear(struct http_response *r);

/* curl_global_init, once at start; PJ_OK or PJ_ERR_NOMEM. */
int http_global_init(void);
void http_global_cleanup(void);

#endif
