/*
 * Key set upkeep.  The order of a fetch: discovery (once, again after a
 * failure), the key set, the core's verdict on it, then the file.  The
 * file is replaced only by a set the core accepts with at least one key
 * a token could be verified with, so that a provider answering garbage,
 * an empty set or an error page cannot lock every user out.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discovery.h"
#include "http.h"
#include "jwks.h"
#include "keyset.h"
#include "reason.h"
#include "jwks_sched.h"
#include "wipe.h"

#define JWKS_WHY_SIZE 160

/* One jwks_file the helper keeps, for the first policy naming it. */
struct keeper {
	const struct policy *p;
	struct discovery disc;
	bool have_disc;
	int64_t last_ms;	/* start of the last fetch; 0: never */
	int64_t due_ms;
	unsigned failures;	/* in a row */
};

struct jwks {
	const struct config *cfg;
	const struct pj_log *log;
	struct verifier **verifier;
	struct keeper *k;
	size_t n;
};

long
jwks_usable_keys(const char *buf, size_t len, const struct policy *p,
    const struct pj_log *log)
{
	struct keyset set;
	const struct jwk *key;
	long n = 0;
	size_t i;
	int id;

	memset(&set, 0, sizeof(set));
	if (keyset_parse(buf, len, p->jwks_file, log, &set) != PJ_OK)
		return -1;
	for (i = 0; i < set.count; i++) {
		key = &set.keys[i];
		for (id = 0; id < ALG_COUNT; id++) {
			if ((p->algorithms & ALG_BIT(id)) == 0 ||
			    (ALG_BIT(id) & ALG_HMAC_MASK) != 0)
				continue;
			if (jwk_suits(key, alg_by_id((enum alg_id)id)) ==
			    REASON_NONE) {
				n++;
				break;
			}
		}
	}
	keyset_clear(&set);
	return n;
}

/* The folder of PATH (absolute) into BUF; false when it does not fit. */
static bool
folder_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL)
		return false;
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= size)
		return false;
	memcpy(buf, path, len);
	buf[len] = '\0';
	return true;
}

/* Whether the helper keeps P's jwks_file: its folder is ours. */
static bool
is_ours(const struct policy *p, const struct pj_log *log)
{
	char dir[4096];
	struct stat st;

	if (!folder_of(p->jwks_file, dir, sizeof(dir)) ||
	    lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid()) {
		pj_logf(log, LOG_INFO, "jwks_file %.200s: its folder is not "
		    "the helper's: left alone", p->jwks_file);
		return false;
	}
	return true;
}

int
jwks_new(const struct config *cfg, const struct pj_log *log,
    struct verifier **verifier, struct jwks **out)
{
	struct jwks *j;
	const struct policy *p;
	size_t i, m;
	bool dup;

	*out = NULL;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return PJ_ERR_NOMEM;
	j->cfg = cfg;
	j->log = log;
	j->verifier = verifier;
	j->k = calloc(cfg->n_policies + 1, sizeof(*j->k));
	if (j->k == NULL) {
		free(j);
		return PJ_ERR_NOMEM;
	}
	for (i = 0; i < cfg->n_policies; i++) {
		p = &cfg->policies[i];
		if (p->jwks_file == NULL || p->issuer == NULL ||
		    p->discovery_url == NULL)
			continue;
		dup = false;
		for (m = 0; m < j->n && !dup; m++)
			dup = strcmp(j->k[m].p->jwks_file, p->jwks_file) == 0;
		if (dup || !is_ours(p, log))
			continue;
		pj_logf(log, LOG_INFO, "keeping the key set of %.200s in "
		    "%.200s", p->issuer, p->jwks_file);
		j->k[j->n++].p = p;
	}
	*out = j;
	return PJ_OK;
}

void
jwks_free(struct jwks *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++)
		discovery_clear(&j->k[i].disc);
	free(j->k);
	free(j);
}

/*
 * Whether the file at DFD/NAME holds exactly LEN bytes equal to BUF.
 * Any failure to read it counts as different.
 */
static bool
same_content(int dfd, const char *name, const char *buf, size_t len)
{
	char chunk[4096];
	size_t off = 0;
	ssize_t got;
	bool same = false;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || (size_t)got > len - off)
			goto out;
		if (got == 0)
			break;
		if (memcmp(chunk, buf + off, (size_t)got) != 0)
			goto out;
		off += (size_t)got;
	}
	same = off == len;
out:
	close(fd);
	return same;
}

static bool
write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		len -= (size_t)w;
	}
	return true;
}

/*
 * Replace DFD/NAME by BUF: a temporary file in the same folder, mode
 * 0644, written and synced, renamed over NAME, then the folder synced,
 * so that a reader sees the old file or the new one, never a part, and
 * a crash leaves one of the two.
 */
static int
replace_file(int dfd, const char *name, const char *buf, size_t len)
{
	char tmp[300];
	int fd = -1, rc = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%.200s.new", name) >=
	    sizeof(tmp))
		return -1;
	/* A leftover of a crash is ours to drop. */
	(void)unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0644) != 0 || !write_all(fd, buf, len) ||
	    fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) != 0)
		goto out;
	if (fsync(dfd) != 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		(void)unlinkat(dfd, tmp, 0);
	return rc;
}

/*
 * Put BUF into K's jwks_file, or only touch it when it already holds
 * BUF (jwks_max_age reads the modification time).  *CHANGED says which.
 * Returns 0, or -1 with errno.
 */
static int
store_file(const struct keeper *k, const char *buf, size_t len,
    bool *changed)
{
	const char *path = k->p->jwks_file;
	const char *name = strrchr(path, '/') + 1;
	char dir[4096];
	int dfd, rc = -1, saved;

	*changed = false;
	if (!folder_of(path, dir, sizeof(dir))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	if (same_content(dfd, name, buf, len)) {
		rc = utimensat(dfd, name, NULL, AT_SYMLINK_NOFOLLOW);
	} else {
		rc = replace_file(dfd, name, buf, len);
		*changed = rc == 0;
	}
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

/* A new verifier, so that the helper's checks see the new keys. */
static void
renew_verifier(struct jwks *j)
{
	struct verifier *v = NULL;

	if (j->verifier == NULL)
		return;
	if (verifier_new(j->cfg, j->log, &v) != PJ_OK) {
		pj_logf(j->log, LOG_CRIT, "out of memory");
		return;
	}
	verifier_free(*j->verifier);
	*j->verifier = v;
}

/* The key set from K's jwks_uri into R; WHY on failure. */
static int
get_set(struct jwks *j, struct keeper *k, const struct http_opts *o,
    struct http_response *r, char *why)
{
	int err;

	memset(r, 0, sizeof(*r));
	if (!k->have_disc) {
		err = discovery_fetch(k->p->discovery_url, k->p->issuer, o,
		    j->log, &k->disc);
		if (err != PJ_OK) {
			snprintf(why, JWKS_WHY_SIZE, "discovery at %.100s "
			    "failed", k->p->discovery_url);
			return err;
		}
		k->have_disc = true;
	}
	err = http_get(k->disc.jwks_uri, o, j->log, r);
	if (err != PJ_OK) {
		snprintf(why, JWKS_WHY_SIZE, "fetching %.100s failed",
		    k->disc.jwks_uri);
		return err;
	}
	if (r->status != 200) {
		snprintf(why, JWKS_WHY_SIZE, "HTTP status %ld from %.100s",
		    r->status, k->disc.jwks_uri);
		return JWKS_ERR_FETCH;
	}
	return PJ_OK;
}

/*
 * One fetch for K now.  Returns PJ_OK (*CHANGED set), JWKS_ERR_FETCH
 * (WHY says why; logged) or PJ_ERR_NOMEM.  Schedules the next one.
 */
static int
fetch(struct jwks *j, struct keeper *k, int64_t now_ms, bool *changed,
    char *why)
{
	struct http_opts o = { k->p->ca_file, 0, 0, 0 };
	struct http_response r;
	long n = -1, next;
	int err;

	*changed = false;
	k->last_ms = now_ms;
	err = get_set(j, k, &o, &r, why);
	if (err == PJ_OK) {
		n = jwks_usable_keys(r.body, r.len, k->p, j->log);
		err = JWKS_ERR_FETCH;
		if (n < 0)
			snprintf(why, JWKS_WHY_SIZE, "the answer of %.100s is "
			    "not a key set", k->disc.jwks_uri);
		else if (n == 0)
			snprintf(why, JWKS_WHY_SIZE, "the key set of %.100s "
			    "has no usable signing key", k->disc.jwks_uri);
		else if (store_file(k, r.body, r.len, changed) != 0)
			snprintf(why, JWKS_WHY_SIZE, "cannot write %.100s: "
			    "%s", k->p->jwks_file, strerror(errno));
		else
			err = PJ_OK;
	}
	if (err == PJ_OK) {
		k->failures = 0;
		next = sched_interval(r.max_age, k->p->jwks_refresh_min,
		    k->p->jwks_refresh_max);
		pj_logf(j->log, LOG_INFO, "key set of %.200s fetched: %ld "
		    "usable keys, %s; next in %ld s", k->p->issuer, n,
		    *changed ? "written" : "unchanged", next);
		if (*changed)
			renew_verifier(j);
	} else {
		/* Discovery again next time: the provider may have moved. */
		discovery_clear(&k->disc);
		k->have_disc = false;
		k->failures++;
		next = sched_backoff(k->failures, k->p->jwks_refresh_min,
		    k->p->jwks_refresh_max);
		pj_logf(j->log, LOG_WARNING, "key set of %.200s not "
		    "refreshed: %s; %.200s kept; next try in %ld s",
		    k->p->issuer, why, k->p->jwks_file, next);
		if (err != PJ_ERR_NOMEM)
			err = JWKS_ERR_FETCH;
	}
	k->due_ms = now_ms + next * 1000;
	http_response_clear(&r);
	return err;
}

int64_t
jwks_run_due(struct jwks *j, int64_t now_ms)
{
	char why[JWKS_WHY_SIZE];
	int64_t wait = -1, left;
	bool changed;
	size_t i;

	if (j == NULL)
		return -1;
	for (i = 0; i < j->n; i++) {
		if (j->k[i].due_ms <= now_ms)
			(void)fetch(j, &j->k[i], now_ms, &changed, why);
		left = j->k[i].due_ms - now_ms;
		if (left < 0)
			left = 0;
		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait;
}

int
jwks_refresh(struct jwks *j, const char *issuer, int64_t now_ms,
    bool *fetched, bool *changed, char *msg, size_t msg_size)
{
	char why[JWKS_WHY_SIZE];
	struct keeper *k;
	bool found = false, ch;
	size_t i;
	int err, rc = PJ_OK;

	*fetched = false;
	*changed = false;
	msg[0] = '\0';
	for (i = 0; j != NULL && i < j->n; i++) {
		k = &j->k[i];
		if (issuer != NULL && strcmp(k->p->issuer, issuer) != 0)
			continue;
		found = true;
		/* At most once per jwks_refresh_min, whoever asks. */
		if (k->last_ms != 0 &&
		    now_ms - k->last_ms < k->p->jwks_refresh_min * 1000)
			continue;
		err = fetch(j, k, now_ms, &ch, why);
		if (err == PJ_ERR_NOMEM)
			return err;
		if (err != PJ_OK) {
			snprintf(msg, msg_size, "%.200s: %s", k->p->issuer,
			    why);
			rc = JWKS_ERR_FETCH;
			continue;
		}
		*fetched = true;
		*changed = *changed || ch;
	}
	if (!found) {
		snprintf(msg, msg_size, "the helper keeps no key set%s",
		    issuer != NULL ? " for this issuer" : "");
		return JWKS_ERR_NOT_KEPT;
	}
	return rc;
}
