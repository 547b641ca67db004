/*
 * Discovery.  The document comes over a verified TLS connection from
 * the configured URL, but its issuer is compared anyway: a discovery
 * URL pointing at another provider must not hand this issuer's policy
 * someone else's keys (OpenID Connect Discovery 1.0 section 4.3).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "jsonstrict.h"
#include "reason.h"

/* String member NAME of DOC copied into *OUT; absent is fine. */
static int
take_str(struct json_object *doc, const char *name, char **out)
{
	struct json_object *v = jsonstrict_get(doc, name);
	const char *s;

	*out = NULL;
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return PJ_OK;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return DISCOVERY_ERR_DOC;
	*out = strdup(s);
	return *out != NULL ? PJ_OK : PJ_ERR_NOMEM;
}

/* Read BODY into D; the failure explained in *WHY. */
static int
read_doc(const struct http_response *r, const char *issuer,
    struct discovery *d, const char **why)
{
	struct json_object *doc = NULL, *iss;
	int err;

	*why = "not one strict JSON object";
	err = jsonstrict_parse_object(r->body, r->len, &doc);
	if (err != PJ_OK)
		goto out;
	err = DISCOVERY_ERR_DOC;
	iss = jsonstrict_get(doc, "issuer");
	*why = "its \"issuer\" is not the configured issuer";
	if (iss == NULL || !json_object_is_type(iss, json_type_string) ||
	    (size_t)json_object_get_string_len(iss) != strlen(issuer) ||
	    memcmp(json_object_get_string(iss), issuer, strlen(issuer)) != 0)
		goto out;
	*why = "malformed members";
	err = take_str(doc, "jwks_uri", &d->jwks_uri);
	if (err == PJ_OK)
		err = take_str(doc, "token_endpoint", &d->token_endpoint);
	if (err == PJ_OK)
		err = take_str(doc, "revocation_endpoint",
		    &d->revocation_endpoint);
	if (err != PJ_OK)
		goto out;
	err = DISCOVERY_ERR_DOC;
	*why = "no usable \"jwks_uri\" (https, or http to loopback)";
	if (d->jwks_uri == NULL || http_check_url(d->jwks_uri) != PJ_OK)
		goto out;
	err = PJ_OK;
out:
	if (doc != NULL)
		json_object_put(doc);
	if (err == PJ_ERR_REFUSED)
		err = DISCOVERY_ERR_DOC;
	return err;
}

int
discovery_fetch(const char *url, const char *issuer,
    const struct http_opts *o, const struct pj_log *log,
    struct discovery *d)
{
	struct http_response r;
	const char *why = NULL;
	int err;

	memset(d, 0, sizeof(*d));
	err = http_get(url, o, log, &r);
	if (err != PJ_OK)
		goto out;
	if (r.status != 200) {
		pj_logf(log, LOG_WARNING, "discovery %.200s: HTTP status %ld",
		    url, r.status);
		err = DISCOVERY_ERR_STATUS;
		goto out;
	}
	err = read_doc(&r, issuer, d, &why);
	if (err == DISCOVERY_ERR_DOC)
		pj_logf(log, LOG_WARNING, "discovery %.200s: refused: %s",
		    url, why);
out:
	http_response_clear(&r);
	if (err != PJ_OK)
		discovery_clear(d);
	return err;
}

void
discovery_clear(struct discovery *d)
{
	free(d->jwks_uri);
	free(d->token_endpoint);
	free(d->revocation_endpoint);
	memset(d, 0, sizeof(*d));
}
