/*
 * HTTP through libcurl, locked down: the options below are set on every
 * transfer and never relaxed.  TLS peer and host verification stay on
 * (a CA bundle may be named, never verification turned off), so that
 * only the provider itself can hand the helper a key set or tokens.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"
#include "reason.h"
#include "wipe.h"

#define HTTP_USER_AGENT "pam_jwt_helperd/" VERSION
#define HTTP_CC_MAX 512		/* bytes of Cache-Control kept */

/* What the callbacks fill during one transfer. */
struct sink {
	char *buf;
	size_t len;
	size_t cap;
	size_t max;
	bool too_large;
	bool nomem;
	char cc[HTTP_CC_MAX];	/* the last Cache-Control value */
};

bool
http_is_loopback(const char *host)
{
	char buf[INET6_ADDRSTRLEN + 2];
	unsigned char a[sizeof(struct in6_addr)];
	static const unsigned char one[16] = { [15] = 1 };
	size_t len;

	if (host == NULL)
		return false;
	len = strlen(host);
	if (len >= sizeof(buf))
		return false;
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		return inet_pton(AF_INET6, buf, a) == 1 &&
		    memcmp(a, one, 16) == 0;
	}
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	return inet_pton(AF_INET6, host, a) == 1 && memcmp(a, one, 16) == 0;
}

/*
 * Check URL: PJ_OK for https (*PLAIN false) or http to a loopback
 * address (*PLAIN true), HTTP_ERR_URL for anything else, PJ_ERR_NOMEM.
 */
static int
url_parts(const char *url, bool *plain)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int rc = HTTP_ERR_URL;

	*plain = false;
	u = curl_url();
	if (u == NULL)
		return PJ_ERR_NOMEM;
	/* Only an absolute URL of a scheme curl knows. */
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0')
		goto out;
	if (strcmp(scheme, "https") == 0) {
		rc = PJ_OK;
	} else if (strcmp(scheme, "http") == 0 && http_is_loopback(host)) {
		*plain = true;
		rc = PJ_OK;
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
http_check_url(const char *url)
{
	bool plain;

	return url_parts(url, &plain);
}

/* One directive's name at *P (a token); advances past it. */
static size_t
token_len(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && (isalnum((unsigned char)p[n]) ||
	    strchr("!#$%&'*+-.^_`|~", p[n]) != NULL))
		n++;
	return n;
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The seconds at P ("60" or "\"60\""); -1 when malformed. */
static long
delta_seconds(const char *p, const char **end)
{
	bool quoted = *p == '"';
	long v = 0;

	if (quoted)
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		/* RFC 9111 section 1.2.2: a huge value is "infinity". */
		if (v < HTTP_AGE_MAX)
			v = v * 10 + (*p - '0');
		p++;
	}
	if (quoted && *p++ != '"')
		return -1;
	*end = p;
	return v > HTTP_AGE_MAX ? HTTP_AGE_MAX : v;
}

long
http_parse_max_age(const char *value)
{
	const char *p = value, *end;
	long age = -1, v;
	bool no_cache = false, nc;
	size_t n;

	if (value == NULL)
		return -1;
	for (;;) {
		p = skip_ws(p);
		n = token_len(p);
		if (n == 0)
			return -1;
		if (n == 7 && strncasecmp(p, "max-age", 7) == 0 &&
		    p[7] == '=') {
			v = delta_seconds(p + 8, &end);
			if (v < 0)
				return -1;
			if (age < 0)
				age = v;
			p = end;
		} else {
			/*
			 * Any other directive, with its argument.  A bare
			 * no-store or no-cache forbids reuse; no-cache with
			 * field names (section 5.2.2.4) concerns those only.
			 */
			nc = n == 8 && (strncasecmp(p, "no-store", 8) == 0 ||
			    strncasecmp(p, "no-cache", 8) == 0);
			p += n;
			if (*p != '=' && nc)
				no_cache = true;
			if (*p == '=') {
				p++;
				if (*p == '"') {
					p = strchr(p + 1, '"');
					if (p == NULL)
						return -1;
					p++;
				} else {
					p += token_len(p);
				}
			}
		}
		p = skip_ws(p);
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -1;
	}
	return no_cache ? 0 : age;
}

/* Grow S to hold NEED bytes and a NUL; the old buffer is wiped. */
static bool
sink_grow(struct sink *s, size_t need)
{
	size_t cap = s->cap != 0 ? s->cap : 4096;
	char *nb;

	while (cap < need + 1)
		cap *= 2;
	nb = malloc(cap);
	if (nb == NULL)
		return false;
	if (s->buf != NULL) {
		memcpy(nb, s->buf, s->len);
		wipe_free(s->buf, s->cap);
	}
	s->buf = nb;
	s->cap = cap;
	return true;
}

/* The body, refused as soon as it passes the limit. */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (n > s->max - s->len) {
		s->too_large = true;
		return 0;
	}
	if (s->len + n + 1 > s->cap && !sink_grow(s, s->len + n)) {
		s->nomem = true;
		return 0;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb, v;
	static const char name[] = "cache-control:";

	if (n > sizeof(name) - 1 &&
	    strncasecmp(data, name, sizeof(name) - 1) == 0) {
		v = n - (sizeof(name) - 1);
		if (v >= sizeof(s->cc))
			v = sizeof(s->cc) - 1;
		memcpy(s->cc, data + sizeof(name) - 1, v);
		s->cc[v] = '\0';
		/* Drop the line end. */
		s->cc[strcspn(s->cc, "\r\n")] = '\0';
	}
	return n;
}

/* The options every transfer has; PLAIN: http to loopback. */
static bool
set_common(CURL *c, const char *url, bool plain, const struct http_opts *o,
    struct sink *s, char *errbuf)
{
	const char *proto = plain ? "http" : "https";

	return curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, proto) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, proto) ==
	    CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
	    (o->ca_file == NULL ||
	    curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file) == CURLE_OK) &&
	    /* A loopback URL goes to loopback, never through a proxy. */
	    (!plain || curl_easy_setopt(c, CURLOPT_NOPROXY, "*") ==
	    CURLE_OK) &&
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    o->connect_ms > 0 ? o->connect_ms : HTTP_CONNECT_MS) ==
	    CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    o->total_ms > 0 ? o->total_ms : HTTP_TOTAL_MS) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)s->max) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) ==
	    CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, s) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) ==
	    CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, s) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_USERAGENT, HTTP_USER_AGENT) ==
	    CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
}

/* One transfer of URL; FORM set for a POST. */
static int
transfer(const char *url, const char *form, size_t form_len,
    const char *userpwd, const struct http_opts *o,
    const struct pj_log *log, struct http_response *r)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct sink s;
	CURL *c = NULL;
	CURLcode cc;
	bool plain;
	int rc;

	memset(r, 0, sizeof(*r));
	r->max_age = -1;
	memset(&s, 0, sizeof(s));
	s.max = o->max_body > 0 ? o->max_body : HTTP_MAX_BODY;
	errbuf[0] = '\0';
	rc = url_parts(url, &plain);
	if (rc != PJ_OK) {
		if (rc == HTTP_ERR_URL)
			pj_logf(log, LOG_WARNING, "refusing to fetch "
			    "%.200s: only https, or http to a loopback "
			    "address", url);
		goto out;
	}
	rc = PJ_ERR_NOMEM;
	c = curl_easy_init();
	if (c == NULL || !sink_grow(&s, 0))
		goto out;
	if (!set_common(c, url, plain, o, &s, errbuf))
		goto out;
	if (form != NULL) {
		hdrs = curl_slist_append(NULL, "Content-Type: "
		    "application/x-www-form-urlencoded");
		if (hdrs == NULL ||
		    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
		    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)form_len) != CURLE_OK ||
		    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form) != CURLE_OK)
			goto out;
		if (userpwd != NULL &&
		    (curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC) !=
		    CURLE_OK ||
		    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd) != CURLE_OK))
			goto out;
	}
	cc = curl_easy_perform(c);
	if (s.nomem)
		goto out;
	if (cc != CURLE_OK) {
		pj_logf(log, LOG_WARNING, "fetching %.200s failed: %s", url,
		    s.too_large ? "the response is too large" :
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
		rc = HTTP_ERR_TRANSFER;
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = s.buf;
	r->len = s.len;
	s.buf = NULL;
	r->max_age = http_parse_max_age(s.cc[0] != '\0' ? s.cc : NULL);
	rc = PJ_OK;
out:
	if (s.buf != NULL)
		wipe_free(s.buf, s.cap);
	if (c != NULL && userpwd != NULL)
		curl_easy_setopt(c, CURLOPT_USERPWD, "");
	curl_slist_free_all(hdrs);
	if (c != NULL)
		curl_easy_cleanup(c);
	return rc;
}

int
http_get(const char *url, const struct http_opts *o,
    const struct pj_log *log, struct http_response *r)
{
	return transfer(url, NULL, 0, NULL, o, log, r);
}

int
http_post_form(const char *url, const char *form, size_t form_len,
    const char *userpwd, const struct http_opts *o,
    const struct pj_log *log, struct http_response *r)
{
	return transfer(url, form, form_len, userpwd, o, log, r);
}

void
http_response_clear(struct http_response *r)
{
	if (r->body != NULL)
		wipe_free(r->body, r->len + 1);
	memset(r, 0, sizeof(*r));
	r->max_age = -1;
}

int
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? PJ_OK :
	    PJ_ERR_NOMEM;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}
