/*
 * The key files of one policy, read on first use.  Who may own them
 * follows DESIGN.md "File rules": root always; the helper for the key set,
 * which it refreshes; the command-line tool's caller for both, so that an
 * administrator can try a configuration before installing it.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alg.h"
#include "keyfiles.h"
#include "reason.h"
#include "safefile.h"
#include "wipe.h"

#define JWKS_MAX_SIZE (1024 * 1024)
#define SECRET_MAX_SIZE 4096

/* Trust files of UID too, unless it is none or already trusted. */
static void
add_owner(struct safefile_rule *rule, uid_t uid)
{
	size_t i;

	if (uid == (uid_t)-1 || rule->n_owners >= SAFEFILE_MAX_OWNERS)
		return;
	for (i = 0; i < rule->n_owners; i++)
		if (rule->owners[i] == uid)
			return;
	rule->owners[rule->n_owners++] = uid;
}

/* The helper's primary group, which may read secrets; (gid_t)-1: none. */
static gid_t
helper_gid(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (uid == (uid_t)-1)
		return (gid_t)-1;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return (gid_t)-1;
	return pw.pw_gid;
}

/* The reading behind keyfiles_jwks. */
static int
read_jwks(struct keyfiles *kf, const struct config *cfg,
    const struct policy *p, const struct pj_log *log)
{
	struct safefile_rule rule = { .owners = { 0 }, .n_owners = 1,
	    .secret = false, .secret_gid = (gid_t)-1,
	    .max_size = JWKS_MAX_SIZE };
	char *buf = NULL;
	size_t len = 0;
	time_t mtime = 0, now;
	int ret;

	if (p->jwks_file == NULL)
		return PJ_ERR_FILE;
	add_owner(&rule, cfg->helper_uid);
	add_owner(&rule, cfg->extra_owner);
	ret = safefile_read(p->jwks_file, &rule, log, &buf, &len, &mtime);
	if (ret != PJ_OK)
		return ret;
	ret = keyset_parse(buf, len, p->jwks_file, log, &kf->set);
	free(buf);
	if (ret == PJ_ERR_REFUSED) {
		pj_logf(log, LOG_ERR, "%.200s: neither a JWKS nor PEM "
		    "public keys", p->jwks_file);
		ret = PJ_ERR_FILE;
	}
	if (ret != PJ_OK)
		return ret;

	now = time(NULL);
	if (p->jwks_max_age > 0 && now - mtime > p->jwks_max_age)
		pj_logf(log, LOG_WARNING, "%.200s: not refreshed for %lld "
		    "seconds (jwks_max_age %ld)", p->jwks_file,
		    (long long)(now - mtime), p->jwks_max_age);
	return PJ_OK;
}

int
keyfiles_jwks(struct keyfiles *kf, const struct config *cfg,
    const struct policy *p, const struct pj_log *log)
{
	if (!kf->jwks_tried) {
		kf->jwks_tried = true;
		kf->jwks_err = read_jwks(kf, cfg, p, log);
	}
	return kf->jwks_err;
}

/*
 * The reading behind keyfiles_secret.  RFC 7518 section 3.2: a key
 * shorter than the hash output is not allowed; it is checked against
 * every HS* algorithm the policy lists, since the configuration is wrong
 * whatever the token says.
 */
static int
read_secret(struct keyfiles *kf, const struct config *cfg,
    const struct policy *p, const struct pj_log *log)
{
	struct safefile_rule rule = { .owners = { 0 }, .n_owners = 1,
	    .secret = true, .secret_gid = (gid_t)-1,
	    .max_size = SECRET_MAX_SIZE };
	char *buf = NULL;
	size_t len = 0, need = 0;
	int a, ret;

	if (p->hmac_secret_file == NULL)
		return PJ_ERR_CONFIG;
	add_owner(&rule, cfg->extra_owner);
	rule.secret_gid = helper_gid(cfg->helper_uid);
	ret = safefile_read(p->hmac_secret_file, &rule, log, &buf, &len,
	    NULL);
	if (ret != PJ_OK)
		return ret;
	for (a = ALG_HS256; a <= ALG_HS512; a++)
		if ((p->algorithms & ALG_BIT(a)) != 0 &&
		    alg_by_id((enum alg_id)a)->digest_len > need)
			need = alg_by_id((enum alg_id)a)->digest_len;
	if (len < need) {
		pj_logf(log, LOG_ERR, "%.200s: the HMAC secret has %zu "
		    "bytes, the algorithms listed need at least %zu",
		    p->hmac_secret_file, len, need);
		wipe_free(buf, len);
		return PJ_ERR_CONFIG;
	}
	kf->secret = (unsigned char *)buf;
	kf->secret_len = len;
	return PJ_OK;
}

int
keyfiles_secret(struct keyfiles *kf, const struct config *cfg,
    const struct policy *p, const struct pj_log *log)
{
	if (!kf->secret_tried) {
		kf->secret_tried = true;
		kf->secret_err = read_secret(kf, cfg, p, log);
	}
	return kf->secret_err;
}

void
keyfiles_clear(struct keyfiles *kf)
{
	keyset_clear(&kf->set);
	wipe_free(kf->secret, kf->secret_len);
	memset(kf, 0, sizeof(*kf));
}
