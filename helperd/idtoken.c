/*
 * The ID token check: a configuration derived from the helper's own,
 * holding for one issuer the policies that name a client_id, each a
 * shallow copy whose audience rules are the client's.  The copies borrow
 * every string from the configuration; only the arrays made here are
 * freed.  A verifier is made for each check, so that a key file the
 * upkeep has just replaced is read as it is now.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idtoken.h"
#include "verify.h"

/* OpenID Connect Core 1.0, 2: the client is named in "aud". */
static char idtoken_aud_claim[] = "aud";

bool
idtoken_can_verify(const struct config *cfg, const char *issuer)
{
	size_t i;

	for (i = 0; issuer != NULL && i < cfg->n_policies; i++) {
		if (cfg->policies[i].client_id != NULL &&
		    strcmp(cfg->policies[i].issuer, issuer) == 0)
			return true;
	}
	return false;
}

/* The derived policy of P for its client: see idtoken.h. */
static void
derive(struct policy *d, const struct policy *p, char **aud)
{
	*d = *p;
	aud[0] = p->client_id;
	aud[1] = NULL;
	d->audience = aud;
	d->n_audience = 1;
	d->audience_claim = idtoken_aud_claim;
	d->typ = NULL;
	d->n_typ = 0;
	d->token_use = NULL;
	d->require_scope = NULL;
	d->n_require_scope = 0;
	d->require_group = NULL;
	d->n_require_group = 0;
}

/*
 * *D: CFG with only ISSUER's policies that name a client_id, derived.
 * Returns PJ_OK (free D->policies and *AUDS), or PJ_ERR_NOMEM.
 */
static int
derive_config(struct config *d, const struct config *cfg,
    const char *issuer, char ***auds)
{
	size_t i, n = 0;

	*d = *cfg;
	d->policies = calloc(cfg->n_policies + 1, sizeof(*d->policies));
	*auds = calloc(2 * (cfg->n_policies + 1), sizeof(**auds));
	if (d->policies == NULL || *auds == NULL) {
		free(d->policies);
		free(*auds);
		d->policies = NULL;
		*auds = NULL;
		return PJ_ERR_NOMEM;
	}
	for (i = 0; i < cfg->n_policies; i++) {
		if (cfg->policies[i].client_id == NULL ||
		    strcmp(cfg->policies[i].issuer, issuer) != 0)
			continue;
		derive(&d->policies[n], &cfg->policies[i], *auds + 2 * n);
		n++;
	}
	d->n_policies = n;
	return PJ_OK;
}

int
idtoken_verify(const struct config *cfg, const struct pj_log *log,
    const char *token, const char *user, const char *issuer,
    const char *subject, int64_t now, enum reason *why, char *msg,
    size_t msg_size)
{
	struct config d;
	struct verifier *v = NULL;
	struct verdict vd;
	char **auds = NULL;
	int err, rc = PJ_ERR_REFUSED;

	memset(&vd, 0, sizeof(vd));
	memset(&d, 0, sizeof(d));
	*why = REASON_NONE;
	msg[0] = '\0';
	err = derive_config(&d, cfg, issuer, &auds);
	if (err == PJ_OK && d.n_policies == 0)
		err = PJ_ERR_CONFIG;
	if (err == PJ_OK)
		err = verifier_new(&d, log, &v);
	if (err != PJ_OK) {
		snprintf(msg, msg_size, "the helper cannot verify ID tokens "
		    "now: see its log");
		rc = err;
		goto out;
	}
	err = verifier_verify(v, token, strlen(token), user, now, NULL, &vd);
	if (err == PJ_ERR_REFUSED || err == PJ_ERR_NOT_TOKEN) {
		*why = vd.reason != REASON_NONE ? vd.reason :
		    REASON_MALFORMED;
		snprintf(msg, msg_size, "%s", vd.message[0] != '\0' ?
		    vd.message : "not a JWT");
		goto out;
	}
	if (err != PJ_OK) {
		snprintf(msg, msg_size, "the helper cannot verify ID tokens "
		    "now: see its log");
		rc = err;
		goto out;
	}
	/* OpenID Connect Core 1.0, 3.1.3.7: the same end-user. */
	if (subject != NULL && (vd.claims.sub == NULL ||
	    strcmp(vd.claims.sub, subject) != 0)) {
		*why = REASON_USER_MISMATCH;
		snprintf(msg, msg_size, "the ID token names another subject "
		    "than the access token");
		goto out;
	}
	rc = PJ_OK;
out:
	verdict_clear(&vd);
	verifier_free(v);
	free(d.policies);
	free(auds);
	return rc;
}
