/*
 * The provider's discovery document (OpenID Connect Discovery 1.0
 * section 4; RFC 8414 section 3): where its key set and endpoints are.
 */
#ifndef PJ_HELPERD_DISCOVERY_H
#define PJ_HELPERD_DISCOVERY_H

#include "http.h"
#include "log.h"

/* What the helper takes from the document; NULL when absent. */
struct discovery {
	char *jwks_uri;
	char *token_endpoint;
	char *revocation_endpoint;
};

/* Results besides PJ_OK, PJ_ERR_NOMEM and http_get's. */
#define DISCOVERY_ERR_STATUS (-65)	/* HTTP status other than 200 */
#define DISCOVERY_ERR_DOC (-66)	/* not strict JSON, wrong issuer... */

/*
 * Fetch URL and read it into *D (zeroed first; release with
 * discovery_clear).  The document must be one strict JSON object whose
 * "issuer" equals ISSUER byte for byte (Discovery 1.0 section 4.3) and
 * whose "jwks_uri" is a URL http_check_url accepts; token_endpoint and
 * revocation_endpoint are taken when they are strings.  Returns PJ_OK,
 * DISCOVERY_ERR_STATUS, DISCOVERY_ERR_DOC, an error of http_get or
 * PJ_ERR_NOMEM; every failure is logged at LOG_WARNING.
 */
int discovery_fetch(const char *url, const char *issuer,
    const struct http_opts *o, const struct pj_log *log,
    struct discovery *d);

/* Free what D holds and zero it. */
void discovery_clear(struct discovery *d);

#endif
