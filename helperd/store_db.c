/*
 * The store's database: SQLite in WAL mode with synchronous=FULL, so
 * that a committed change is on disk before the client hears of it and
 * a crash at any moment leaves the last committed state.  Every change is
 * one transaction; readers never see half of one.
 *
 * Table tokens: user (primary key), version (the record format, also in
 * the seal's additional data), nonce (12 bytes), sealed (ciphertext and
 * GCM tag).  Nothing is stored in clear but the user name.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "reason.h"
#include "store_db.h"
#include "store_seal.h"
#include "strutil.h"
#include "wipe.h"

struct store_db {
	sqlite3 *db;
	unsigned char key[STORE_KEY_LEN];
	const struct pj_log *log;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS tokens ("
    " user TEXT PRIMARY KEY NOT NULL,"
    " version INTEGER NOT NULL,"
    " nonce BLOB NOT NULL,"
    " sealed BLOB NOT NULL)";

/* state_dir: a real folder of ours that no one else may enter. */
static int
check_state_dir(const char *dir, const struct pj_log *log)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		pj_logf(log, LOG_ERR, "state_dir %.200s: %s", dir,
		    strerror(errno));
		return PJ_ERR_FILE;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 07777) != 0700) {
		pj_logf(log, LOG_ERR, "state_dir %.200s: must be a folder "
		    "owned by the helper's user (uid %u) with mode 0700",
		    dir, (unsigned)geteuid());
		return PJ_ERR_FILE;
	}
	return PJ_OK;
}

/*
 * The database file must be ours and closed to others; a missing one is
 * made here, mode 0600 whatever the umask (SQLite gives its WAL and
 * shared-memory files the database's mode).
 */
static int
check_db_file(const char *path, const struct pj_log *log)
{
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd >= 0)
		close(fd);
	if (lstat(path, &st) != 0) {
		pj_logf(log, LOG_ERR, "store %.200s: %s", path,
		    strerror(errno));
		return PJ_ERR_FILE;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		pj_logf(log, LOG_ERR, "store %.200s: must be a regular file "
		    "owned by the helper's user (uid %u) with mode 0600",
		    path, (unsigned)geteuid());
		return PJ_ERR_FILE;
	}
	return PJ_OK;
}

/* The key file's path (PATH, SIZE bytes) and whether to make it. */
static int
key_path(const struct store_options *o, char *path, size_t size,
    bool *create)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	int n;

	*create = false;
	if (o->token_key_file != NULL)
		n = snprintf(path, size, "%s", o->token_key_file);
	else if (creds != NULL && creds[0] != '\0')
		n = snprintf(path, size, "%s/token-key", creds);
	else {
		n = snprintf(path, size, "%s/token.key", o->state_dir);
		*create = true;
	}
	return n > 0 && (size_t)n < size ? PJ_OK : PJ_ERR_FILE;
}

/* Run SQL with no result rows; logs failures. */
static int
exec(struct store_db *d, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(d->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return PJ_OK;
	pj_logf(d->log, LOG_ERR, "store: %.40s: %.200s", sql,
	    msg != NULL ? msg : sqlite3_errmsg(d->db));
	sqlite3_free(msg);
	return PJ_ERR_FILE;
}

/* WAL, full sync, deleted rows overwritten; then the table. */
static int
setup_db(struct store_db *d)
{
	sqlite3_stmt *st = NULL;
	int rc = PJ_ERR_FILE;

	if (sqlite3_prepare_v2(d->db, "PRAGMA journal_mode=WAL", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_text(st, 0) == NULL ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
		pj_logf(d->log, LOG_ERR, "store: cannot use WAL mode: %.200s",
		    sqlite3_errmsg(d->db));
		goto out;
	}
	if (exec(d, "PRAGMA synchronous=FULL") != PJ_OK ||
	    exec(d, "PRAGMA secure_delete=ON") != PJ_OK ||
	    exec(d, schema) != PJ_OK)
		goto out;
	rc = PJ_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Make the new file's name durable too: fsync the folder. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
store_db_open(const struct store_options *o, const struct pj_log *log,
    struct store_db **out)
{
	struct store_db *d = NULL;
	char path[4096];
	bool create;
	int rc = PJ_ERR_FILE;

	*out = NULL;
	if (check_state_dir(o->state_dir, log) != PJ_OK)
		goto out;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		rc = PJ_ERR_NOMEM;
		goto out;
	}
	d->log = log;
	if (key_path(o, path, sizeof(path), &create) != PJ_OK) {
		pj_logf(log, LOG_ERR, "token key: path too long");
		goto out;
	}
	rc = store_key_load(path, create, log, d->key);
	if (rc != PJ_OK)
		goto out;
	rc = PJ_ERR_FILE;
	if (snprintf(path, sizeof(path), "%s/%s", o->state_dir,
	    STORE_DB_NAME) >= (int)sizeof(path) ||
	    check_db_file(path, log) != PJ_OK)
		goto out;
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		pj_logf(log, LOG_ERR, "store %.200s: cannot open: %.200s",
		    path, d->db != NULL ? sqlite3_errmsg(d->db) :
		    "out of memory");
		goto out;
	}
	if (setup_db(d) != PJ_OK || check_db_file(path, log) != PJ_OK)
		goto out;
	sync_dir(o->state_dir);
	*out = d;
	d = NULL;
	rc = PJ_OK;
out:
	store_db_close(d);
	return rc;
}

/* A user name from the database, fit for a log line. */
static void
log_user(const char *user, char *out, size_t size)
{
	strutil_escape(user, strlen(user), 64, out, size);
}

/* Open one row; PJ_ERR_REFUSED when it must be dropped. */
static int
open_row(struct store_db *d, sqlite3_stmt *st, const char *user,
    struct store_entry **e)
{
	const unsigned char *nonce = sqlite3_column_blob(st, 2);
	const unsigned char *sealed = sqlite3_column_blob(st, 3);
	int nlen = sqlite3_column_bytes(st, 2);
	int slen = sqlite3_column_bytes(st, 3);
	unsigned char *plain = NULL;
	size_t len = 0;
	int rc;

	*e = NULL;
	if (sqlite3_column_int64(st, 1) != STORE_RECORD_VERSION ||
	    nonce == NULL || nlen != STORE_NONCE_LEN || sealed == NULL)
		return PJ_ERR_REFUSED;
	rc = store_unseal(d->key, STORE_RECORD_VERSION, user, nonce, sealed,
	    (size_t)slen, &plain, &len);
	if (rc != PJ_OK)
		return rc == PJ_ERR_NOMEM ? rc : PJ_ERR_REFUSED;
	rc = store_record_decode(user, plain, len, e);
	wipe_free(plain, len);
	return rc;
}

/* Delete the rows of the NUL-separated names in BAD (LEN bytes). */
static int
drop_rows(struct store_db *d, const char *bad, size_t len)
{
	size_t i;
	int rc = PJ_OK;

	for (i = 0; i < len && rc == PJ_OK; i += strlen(bad + i) + 1)
		rc = store_db_drop(d, bad + i);
	return rc;
}

/* Remember USER in *BAD (NUL-separated) to be dropped after the read. */
static int
note_bad(char **bad, size_t *len, const char *user)
{
	size_t n = strlen(user) + 1;
	char *nb = realloc(*bad, *len + n);

	if (nb == NULL)
		return PJ_ERR_NOMEM;
	memcpy(nb + *len, user, n);
	*bad = nb;
	*len += n;
	return PJ_OK;
}

int
store_db_load(struct store_db *d, struct store *s,
    void (*add)(struct store *s, struct store_entry *e))
{
	sqlite3_stmt *st = NULL;
	struct store_entry *e;
	char *bad = NULL, who[300];
	const char *user;
	size_t nbad = 0;
	int step, err, rc = PJ_ERR_FILE;

	if (sqlite3_prepare_v2(d->db, "SELECT user, version, nonce, sealed"
	    " FROM tokens ORDER BY user", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		user = (const char *)sqlite3_column_text(st, 0);
		if (user == NULL)
			goto fail;
		err = open_row(d, st, user, &e);
		if (err == PJ_ERR_NOMEM) {
			rc = err;
			goto out;
		}
		if (err == PJ_OK) {
			add(s, e);
			continue;
		}
		log_user(user, who, sizeof(who));
		pj_logf(d->log, LOG_WARNING, "store: dropping the tokens of "
		    "user=%s: they do not decrypt with the token key (another"
		    " key, or altered)", who);
		if (note_bad(&bad, &nbad, user) != PJ_OK) {
			rc = PJ_ERR_NOMEM;
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	rc = drop_rows(d, bad, nbad);
	goto out;
fail:
	pj_logf(d->log, LOG_ERR, "store: cannot read: %.200s",
	    sqlite3_errmsg(d->db));
out:
	sqlite3_finalize(st);
	free(bad);
	return rc;
}

/* Run the prepared write ST inside one transaction. */
static int
write_txn(struct store_db *d, sqlite3_stmt *st)
{
	if (exec(d, "BEGIN IMMEDIATE") != PJ_OK)
		return PJ_ERR_FILE;
	if (sqlite3_step(st) != SQLITE_DONE) {
		pj_logf(d->log, LOG_ERR, "store: cannot write: %.200s",
		    sqlite3_errmsg(d->db));
		(void)exec(d, "ROLLBACK");
		return PJ_ERR_FILE;
	}
	if (exec(d, "COMMIT") != PJ_OK) {
		(void)exec(d, "ROLLBACK");
		return PJ_ERR_FILE;
	}
	return PJ_OK;
}

int
store_db_put(struct store_db *d, const struct store_entry *e)
{
	sqlite3_stmt *st = NULL;
	unsigned char nonce[STORE_NONCE_LEN], *plain = NULL, *sealed = NULL;
	size_t len = 0, slen = 0;
	int rc;

	rc = store_record_encode(e, &plain, &len);
	if (rc == PJ_OK)
		rc = store_seal(d->key, STORE_RECORD_VERSION, e->user, plain,
		    len, nonce, &sealed, &slen);
	wipe_free(plain, len);
	if (rc != PJ_OK) {
		pj_logf(d->log, LOG_ERR, "store: cannot seal a record: %s",
		    pj_strerror(rc));
		goto out;
	}
	rc = PJ_ERR_FILE;
	if (sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO tokens"
	    " (user, version, nonce, sealed) VALUES (?, ?, ?, ?)", -1, &st,
	    NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, e->user, -1, SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, STORE_RECORD_VERSION) != SQLITE_OK ||
	    sqlite3_bind_blob(st, 3, nonce, sizeof(nonce), SQLITE_STATIC) !=
	    SQLITE_OK ||
	    sqlite3_bind_blob(st, 4, sealed, (int)slen, SQLITE_STATIC) !=
	    SQLITE_OK) {
		pj_logf(d->log, LOG_ERR, "store: cannot write: %.200s",
		    sqlite3_errmsg(d->db));
		goto out;
	}
	rc = write_txn(d, st);
out:
	sqlite3_finalize(st);
	free(sealed);
	return rc;
}

int
store_db_drop(struct store_db *d, const char *user)
{
	sqlite3_stmt *st = NULL;
	int rc = PJ_ERR_FILE;

	if (sqlite3_prepare_v2(d->db, "DELETE FROM tokens WHERE user = ?",
	    -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC) != SQLITE_OK) {
		pj_logf(d->log, LOG_ERR, "store: cannot write: %.200s",
		    sqlite3_errmsg(d->db));
		goto out;
	}
	rc = write_txn(d, st);
out:
	sqlite3_finalize(st);
	return rc;
}

void
store_db_close(struct store_db *d)
{
	if (d == NULL)
		return;
	if (d->db != NULL)
		sqlite3_close(d->db);
	wipe_free(d, sizeof(*d));
}
