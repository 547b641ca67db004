/*
 * Renewal.  The order of one renewal: discovery (once per policy, again
 * after a failure), the refresh_token grant at token_endpoint, the
 * response read strictly, a rotated refresh token committed with the old
 * access token, then the new access token verified for the same user
 * and committed.  A crash between the two commits leaves a usable set:
 * the new refresh token and the old, still valid, access token.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "discovery.h"
#include "http.h"
#include "idtoken.h"
#include "jsonstrict.h"
#include "proto.h"
#include "reason.h"
#include "renew.h"
#include "safefile.h"
#include "strutil.h"
#include "wipe.h"

#define RENEW_LOG_SIZE 260
#define RENEW_SECRET_MAX 4096
/*
 * Renewals run in the daemon's only thread: after this many in one go it
 * goes back to serving its clients, and resumes at once after.
 */
#define RENEW_BATCH 8

struct renew_disc {
	const struct policy *p;
	struct discovery d;
	bool have;
};

struct renew {
	const struct config *cfg;
	const struct pj_log *log;
	struct store *store;
	struct verifier **verifier;
	struct renew_disc *disc;	/* one per policy */
	size_t n;
};

int64_t
renew_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
renew_at_ms(int64_t received_ms, int64_t exp, long margin, uint32_t rnd)
{
	int64_t exp_ms = exp * 1000, life, by_margin, half, at, jmax;

	if (margin < 0)
		margin = 0;
	life = exp_ms > received_ms ? exp_ms - received_ms : 0;
	by_margin = exp_ms - (int64_t)margin * 1000;
	half = received_ms + life / 2;
	at = by_margin > half ? by_margin : half;
	jmax = (int64_t)margin * 1000 * RENEW_JITTER_PCT / 100;
	if (life * RENEW_JITTER_PCT / 100 < jmax)
		jmax = life * RENEW_JITTER_PCT / 100;
	at -= (int64_t)(rnd % (uint64_t)(jmax + 1));
	if (at < received_ms)
		at = received_ms;
	return at;
}

long
renew_backoff(unsigned failures)
{
	long v = RENEW_RETRY_MIN;
	unsigned i;

	for (i = 1; i < failures && v < RENEW_RETRY_MAX; i++)
		v *= 2;
	return v > RENEW_RETRY_MAX ? RENEW_RETRY_MAX : v;
}

int
renew_new(const struct config *cfg, const struct pj_log *log,
    struct store *store, struct verifier **verifier, struct renew **out)
{
	struct renew *r;
	size_t i;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return PJ_ERR_NOMEM;
	r->disc = calloc(cfg->n_policies + 1, sizeof(*r->disc));
	if (r->disc == NULL) {
		free(r);
		return PJ_ERR_NOMEM;
	}
	r->cfg = cfg;
	r->log = log;
	r->store = store;
	r->verifier = verifier;
	r->n = cfg->n_policies;
	for (i = 0; i < r->n; i++)
		r->disc[i].p = &cfg->policies[i];
	*out = r;
	return PJ_OK;
}

void
renew_free(struct renew *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		discovery_clear(&r->disc[i].d);
	free(r->disc);
	free(r);
}

static const char *
esc(const char *s, char *buf)
{
	strutil_escape(s, strlen(s), 64, buf, RENEW_LOG_SIZE);
	return buf;
}

/* The policy entry of ISSUER with a client_id, or NULL. */
static struct renew_disc *
disc_of(struct renew *r, const char *issuer)
{
	size_t i;

	for (i = 0; issuer != NULL && i < r->n; i++) {
		if (strcmp(r->disc[i].p->issuer, issuer) == 0)
			return r->disc[i].p->client_id != NULL ?
			    &r->disc[i] : NULL;
	}
	return NULL;
}

static void
http_opts_of(const struct policy *p, struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ca_file = p->ca_file;
}

/* Discovery for RD, fetched when not yet had.  PJ_OK or an error. */
static int
need_discovery(struct renew *r, struct renew_disc *rd)
{
	struct http_opts o;
	int err;

	if (rd->have)
		return PJ_OK;
	if (rd->p->discovery_url == NULL)
		return DISCOVERY_ERR_DOC;
	http_opts_of(rd->p, &o);
	err = discovery_fetch(rd->p->discovery_url, rd->p->issuer, &o,
	    r->log, &rd->d);
	rd->have = err == PJ_OK;
	return err;
}

/* Append "NAME=urlencoded(VALUE)" (with "&" before unless first). */
static bool
form_add(char **form, size_t *len, const char *name, const char *value)
{
	char *v, *n;
	size_t need;

	v = curl_easy_escape(NULL, value, 0);
	if (v == NULL)
		return false;
	need = *len + (*len > 0) + strlen(name) + 1 + strlen(v) + 1;
	n = malloc(need);
	if (n == NULL) {
		wipe(v, strlen(v));
		curl_free(v);
		return false;
	}
	snprintf(n, need, "%s%s%s=%s", *form != NULL ? *form : "",
	    *len > 0 ? "&" : "", name, v);
	wipe(v, strlen(v));
	curl_free(v);
	if (*form != NULL)
		wipe_free(*form, *len + 1);
	*form = n;
	*len = need - 1;
	return true;
}

/*
 * The client's authentication (RFC 6749 section 2.3.1): HTTP Basic with
 * the form-encoded id and secret into *USERPWD when client_secret_file
 * is set, else client_id in the form.  Returns PJ_OK or an error.
 */
static int
client_auth(struct renew *r, const struct policy *p, char **form,
    size_t *len, char **userpwd)
{
	struct safefile_rule rule;
	char *secret = NULL, *id = NULL, *sec = NULL;
	size_t slen = 0, need;
	int err = PJ_ERR_NOMEM;

	*userpwd = NULL;
	if (p->client_secret_file == NULL)
		return form_add(form, len, "client_id", p->client_id) ?
		    PJ_OK : PJ_ERR_NOMEM;
	memset(&rule, 0, sizeof(rule));
	rule.owners[0] = 0;
	rule.owners[1] = geteuid();
	rule.n_owners = 2;
	rule.secret = true;
	rule.secret_gid = (gid_t)-1;
	rule.max_size = RENEW_SECRET_MAX;
	err = safefile_read(p->client_secret_file, &rule, r->log, &secret,
	    &slen, NULL);
	if (err != PJ_OK)
		return err;
	while (slen > 0 && (secret[slen - 1] == '\n' ||
	    secret[slen - 1] == '\r'))
		secret[--slen] = '\0';
	err = PJ_ERR_NOMEM;
	id = curl_easy_escape(NULL, p->client_id, 0);
	sec = curl_easy_escape(NULL, secret, (int)slen);
	if (id == NULL || sec == NULL)
		goto out;
	need = strlen(id) + 1 + strlen(sec) + 1;
	*userpwd = malloc(need);
	if (*userpwd == NULL)
		goto out;
	snprintf(*userpwd, need, "%s:%s", id, sec);
	err = PJ_OK;
out:
	if (sec != NULL) {
		wipe(sec, strlen(sec));
		curl_free(sec);
	}
	curl_free(id);
	wipe_free(secret, slen);
	return err;
}

static void
userpwd_free(char *s)
{
	if (s != NULL)
		wipe_free(s, strlen(s));
}

/* What the token endpoint answered, read strictly (RFC 6749 5.1, 5.2). */
struct grant_answer {
	bool invalid_grant;
	char *access_token;
	char *refresh_token;
	char *id_token;
};

static void
answer_clear(struct grant_answer *a)
{
	if (a->access_token != NULL)
		wipe_free(a->access_token, strlen(a->access_token));
	if (a->refresh_token != NULL)
		wipe_free(a->refresh_token, strlen(a->refresh_token));
	if (a->id_token != NULL)
		wipe_free(a->id_token, strlen(a->id_token));
	memset(a, 0, sizeof(*a));
}

/* Optional non-empty string member NAME of O into *OUT. */
static bool
opt_str(struct json_object *o, const char *name, char **out)
{
	const char *s;
	size_t len;

	*out = NULL;
	if (!jsonstrict_has(o, name))
		return true;
	if (!jsonstrict_get_string(jsonstrict_get(o, name), &s, &len) ||
	    len == 0 || strlen(s) != len)
		return false;
	*out = strdup(s);
	return *out != NULL;
}

/*
 * Read response RESP.  Returns PJ_OK with A filled (A->invalid_grant for
 * a 400 naming invalid_grant), or PJ_ERR_REFUSED with WHY.
 */
static int
read_answer(const struct http_response *resp, struct grant_answer *a,
    char *why, size_t why_size)
{
	struct json_object *o = NULL, *ei;
	const char *s;
	size_t len;
	int rc = PJ_ERR_REFUSED;

	memset(a, 0, sizeof(*a));
	if (jsonstrict_parse_object(resp->body, resp->len, &o) != PJ_OK) {
		snprintf(why, why_size, "HTTP %ld, not a JSON object",
		    resp->status);
		goto out;
	}
	if (resp->status != 200) {
		if (resp->status == 400 &&
		    jsonstrict_get_string(jsonstrict_get(o, "error"), &s,
		    &len) && strcmp(s, "invalid_grant") == 0) {
			a->invalid_grant = true;
			rc = PJ_OK;
			goto out;
		}
		snprintf(why, why_size, "HTTP %ld", resp->status);
		goto out;
	}
	ei = jsonstrict_get(o, "expires_in");
	if (!jsonstrict_get_string(jsonstrict_get(o, "token_type"), &s,
	    &len) || strcasecmp(s, "Bearer") != 0 ||
	    !opt_str(o, "access_token", &a->access_token) ||
	    a->access_token == NULL ||
	    !opt_str(o, "refresh_token", &a->refresh_token) ||
	    !opt_str(o, "id_token", &a->id_token) ||
	    (jsonstrict_has(o, "expires_in") && (ei == NULL ||
	    !json_object_is_type(ei, json_type_int) ||
	    json_object_get_int64(ei) < 0))) {
		snprintf(why, why_size, "malformed token response");
		answer_clear(a);
		goto out;
	}
	rc = PJ_OK;
out:
	proto_put(o);
	return rc;
}

/* A copy of OLD's tokens and state, ready for store_put; NULL: memory. */
static struct store_entry *
copy_entry(const struct store_entry *old)
{
	struct store_entry *e = calloc(1, sizeof(*e));
	size_t i;
	bool ok;

	if (e == NULL)
		return NULL;
	*e = *old;
	e->next = NULL;
	e->user = strdup(old->user);
	e->access_token = strdup(old->access_token);
	e->refresh_token = old->refresh_token != NULL ?
	    strdup(old->refresh_token) : NULL;
	e->id_token = old->id_token != NULL ? strdup(old->id_token) : NULL;
	e->issuer = old->issuer != NULL ? strdup(old->issuer) : NULL;
	e->subject = old->subject != NULL ? strdup(old->subject) : NULL;
	e->groups = calloc(old->n_groups + 1, sizeof(*e->groups));
	ok = e->user != NULL && e->access_token != NULL &&
	    (old->refresh_token == NULL || e->refresh_token != NULL) &&
	    (old->id_token == NULL || e->id_token != NULL) &&
	    (old->issuer == NULL || e->issuer != NULL) &&
	    (old->subject == NULL || e->subject != NULL) &&
	    e->groups != NULL;
	for (i = 0; ok && i < old->n_groups; i++) {
		e->groups[i] = strdup(old->groups[i]);
		ok = e->groups[i] != NULL;
	}
	if (!ok) {
		if (e->groups == NULL)
			e->n_groups = 0;
		else
			e->n_groups = i;
		store_entry_free(e);
		return NULL;
	}
	return e;
}

static void
replace_str(char **dst, char **src)
{
	if (*dst != NULL)
		wipe_free(*dst, strlen(*dst));
	*dst = *src;
	*src = NULL;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * Store the answer A for entry E (which store_put may free).  Returns
 * PJ_OK, or PJ_ERR_REFUSED with WHY (the access token, or a new ID
 * token, does not verify for the user) or PJ_ERR_FILE / PJ_ERR_NOMEM.
 */
static int
take_answer(struct renew *r, struct store_entry *e, struct grant_answer *a,
    int64_t now_ms, char *why, size_t why_size)
{
	struct store_entry *n = NULL;
	struct verdict vd;
	enum reason idwhy;
	char idmsg[300];
	char *user;
	int err;

	memset(&vd, 0, sizeof(vd));
	user = strdup(e->user);
	if (user == NULL)
		return PJ_ERR_NOMEM;
	/* A rotated refresh token first: the old one is spent. */
	if (a->refresh_token != NULL) {
		err = PJ_ERR_NOMEM;
		n = copy_entry(e);
		if (n == NULL)
			goto out;
		replace_str(&n->refresh_token, &a->refresh_token);
		n->rotated_at = now_ms / 1000;
		err = store_put(r->store, n);
		n = NULL;
		if (err != PJ_OK)
			goto out;
		err = PJ_ERR_FILE;
		e = store_find(r->store, user);
		if (e == NULL)
			goto out;
	}
	err = verifier_verify(*r->verifier, a->access_token,
	    strlen(a->access_token), user, now_ms / 1000, NULL, &vd);
	if (err != PJ_OK || !same(vd.claims.iss, e->issuer) ||
	    (e->subject != NULL && !same(vd.claims.sub, e->subject))) {
		snprintf(why, why_size, "the new access token %s",
		    err == PJ_OK ? "is for another subject" :
		    reason_name(vd.reason));
		err = err == PJ_ERR_NOMEM ? err : PJ_ERR_REFUSED;
		goto out;
	}
	/* A new ID token must hold too, or the old set is kept. */
	if (a->id_token != NULL && idtoken_verify(r->cfg, r->log,
	    a->id_token, user, e->issuer, vd.claims.sub, now_ms / 1000,
	    &idwhy, idmsg, sizeof(idmsg)) != PJ_OK) {
		snprintf(why, why_size, "the new ID token %s",
		    idwhy != REASON_NONE ? reason_name(idwhy) :
		    "cannot be verified");
		err = PJ_ERR_REFUSED;
		goto out;
	}
	err = PJ_ERR_NOMEM;
	n = copy_entry(e);
	if (n == NULL)
		goto out;
	replace_str(&n->access_token, &a->access_token);
	if (a->id_token != NULL)
		replace_str(&n->id_token, &a->id_token);
	strutil_free_list(n->groups);
	n->groups = vd.claims.groups;
	n->n_groups = vd.claims.n_groups;
	vd.claims.groups = NULL;
	vd.claims.n_groups = 0;
	n->exp = vd.claims.exp;
	n->stored_at = now_ms / 1000;
	n->renewals = e->renewals + 1;
	n->renew_failures = 0;
	n->login_needed = false;
	n->renew_at_ms = 0;
	err = store_put(r->store, n);
	n = NULL;
out:
	store_entry_free(n);
	verdict_clear(&vd);
	free(user);
	return err;
}

/* Note a failure of E's renewal: log WHY, schedule the next try. */
static void
failed(struct renew *r, struct store_entry *e, int64_t now_ms,
    const char *why)
{
	char u[RENEW_LOG_SIZE];
	long wait;

	e->renew_failures++;
	wait = renew_backoff(e->renew_failures);
	e->renew_at_ms = now_ms + (int64_t)wait * 1000;
	pj_logf(r->log, LOG_WARNING, "renewal failed user=%s: %s; next try "
	    "in %ld s", esc(e->user, u), why, wait);
}

/* One renewal of E (which may be replaced in the store). */
static void
renew_one(struct renew *r, struct renew_disc *rd, struct store_entry *e,
    int64_t now_ms)
{
	struct http_response resp;
	struct http_opts o;
	struct grant_answer a;
	char *form = NULL, *userpwd = NULL, *user = NULL;
	char why[200], u[RENEW_LOG_SIZE];
	size_t flen = 0;
	int err;

	memset(&resp, 0, sizeof(resp));
	memset(&a, 0, sizeof(a));
	snprintf(why, sizeof(why), "out of memory");
	user = strdup(e->user);
	if (user == NULL)
		goto fail;
	err = need_discovery(r, rd);
	if (err != PJ_OK || rd->d.token_endpoint == NULL) {
		snprintf(why, sizeof(why), err != PJ_OK ? "discovery failed" :
		    "discovery names no token_endpoint");
		goto fail;
	}
	if (!form_add(&form, &flen, "grant_type", "refresh_token") ||
	    !form_add(&form, &flen, "refresh_token", e->refresh_token))
		goto fail;
	err = client_auth(r, rd->p, &form, &flen, &userpwd);
	if (err != PJ_OK) {
		if (err != PJ_ERR_NOMEM)
			snprintf(why, sizeof(why), "client_secret_file "
			    "unusable");
		goto fail;
	}
	http_opts_of(rd->p, &o);
	err = http_post_form(rd->d.token_endpoint, form, flen, userpwd, &o,
	    r->log, &resp);
	if (err != PJ_OK) {
		snprintf(why, sizeof(why), "token endpoint unreachable");
		/* The endpoints may have moved: discover again. */
		discovery_clear(&rd->d);
		rd->have = false;
		goto fail;
	}
	if (read_answer(&resp, &a, why, sizeof(why)) != PJ_OK)
		goto fail;
	if (a.invalid_grant) {
		e->login_needed = true;
		e->renew_at_ms = INT64_MAX;
		pj_logf(r->log, LOG_NOTICE, "renewal refused user=%s: "
		    "invalid_grant, login needed", esc(user, u));
		goto out;
	}
	err = take_answer(r, e, &a, now_ms, why, sizeof(why));
	e = store_find(r->store, user);
	if (err != PJ_OK) {
		if (err == PJ_ERR_FILE)
			snprintf(why, sizeof(why), "the store cannot be "
			    "written");
		goto fail;
	}
	if (e != NULL)
		pj_logf(r->log, LOG_INFO, "renewed user=%s exp=%" PRId64
		    "%s", esc(user, u), e->exp, e->rotated_at == now_ms / 1000
		    ? " refresh_token=rotated" : "");
	goto out;
fail:
	if (e != NULL)
		failed(r, e, now_ms, why);
out:
	answer_clear(&a);
	http_response_clear(&resp);
	if (form != NULL)
		wipe_free(form, flen + 1);
	userpwd_free(userpwd);
	free(user);
}

int64_t
renew_run_due(struct renew *r, int64_t now_ms)
{
	struct store_entry *e;
	struct renew_disc *rd;
	int64_t next = -1;
	uint32_t rnd;
	bool again = true;
	int done = 0;

	/* A renewal replaces entries: walk again after each. */
	while (again && done < RENEW_BATCH) {
		again = false;
		for (e = r->store->head; e != NULL; e = e->next) {
			rd = disc_of(r, e->issuer);
			if (rd == NULL || e->refresh_token == NULL ||
			    e->login_needed)
				continue;
			if (e->renew_at_ms == 0) {
				if (RAND_bytes((unsigned char *)&rnd,
				    sizeof(rnd)) != 1)
					rnd = 0;
				e->renew_at_ms = renew_at_ms(e->stored_at *
				    1000, e->exp, rd->p->renew_margin, rnd);
			}
			if (e->renew_at_ms <= now_ms) {
				renew_one(r, rd, e, now_ms);
				now_ms = renew_now_ms();
				done++;
				again = true;
				break;
			}
		}
	}
	for (e = r->store->head; e != NULL; e = e->next) {
		if (disc_of(r, e->issuer) == NULL ||
		    e->refresh_token == NULL || e->login_needed)
			continue;
		if (next < 0 || e->renew_at_ms - now_ms < next)
			next = e->renew_at_ms - now_ms;
	}
	if (next < 0)
		return -1;
	return next > 0 ? next : 0;
}

void
renew_revoke(struct renew *r, const struct store_entry *e)
{
	struct renew_disc *rd = disc_of(r, e->issuer);
	struct http_response resp;
	struct http_opts o;
	char *form = NULL, *userpwd = NULL;
	char u[RENEW_LOG_SIZE];
	size_t flen = 0;
	int err;

	memset(&resp, 0, sizeof(resp));
	if (rd == NULL || e->refresh_token == NULL)
		return;
	if (need_discovery(r, rd) != PJ_OK ||
	    rd->d.revocation_endpoint == NULL)
		goto out;
	if (!form_add(&form, &flen, "token", e->refresh_token) ||
	    !form_add(&form, &flen, "token_type_hint", "refresh_token") ||
	    client_auth(r, rd->p, &form, &flen, &userpwd) != PJ_OK)
		goto out;
	http_opts_of(rd->p, &o);
	err = http_post_form(rd->d.revocation_endpoint, form, flen, userpwd,
	    &o, r->log, &resp);
	/* RFC 7009 section 2.2: 200 whether or not the token was valid. */
	pj_logf(r->log, err == PJ_OK && resp.status == 200 ? LOG_INFO :
	    LOG_WARNING, "revocation user=%s: %s", esc(e->user, u),
	    err == PJ_OK && resp.status == 200 ? "done" : "failed");
out:
	http_response_clear(&resp);
	if (form != NULL)
		wipe_free(form, flen + 1);
	userpwd_free(userpwd);
}
