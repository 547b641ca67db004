/*
 * The helper's token store: entries in memory and in the database, and
 * the seal that keeps tokens on disk unreadable without the key.
 *
 * What it pins: a stored set comes back whole from a new store on the
 * same folder (the restart); a drop is durable too; AES-256-GCM refuses
 * a record whose ciphertext, nonce, user (AAD) or version was altered,
 * or that another key sealed, and such a record is dropped with a log
 * line instead of used; the folder and key file rules refuse what others
 * could read or write; persist = no writes no file at all; a set's
 * origin survives a restart, a record without one reads as root's; open
 * sessions are counted per user and id for the renewal's predicate.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "reason.h"
#include "helperd/store.h"
#include "helperd/store_seal.h"
#include "testutil.h"
#include "wipe.h"

struct fixture {
	char dir[256];
	char state[300];
	char keyfile[400];
	struct testutil_log logs;
	struct store_options so;
	struct store s;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || testutil_tmpdir("store", f->dir,
	    sizeof(f->dir)) != 0)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	snprintf(f->keyfile, sizeof(f->keyfile), "%s/token.key", f->state);
	if (mkdir(f->state, 0700) != 0)
		return -1;
	testutil_log_init(&f->logs);
	f->so.persist = true;
	f->so.state_dir = f->state;
	f->so.token_key_file = NULL;
	store_init(&f->s);
	unsetenv("CREDENTIALS_DIRECTORY");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_clear(&f->s);
	testutil_rmtree(f->dir);
	free(f);
	return 0;
}

/* A full entry for USER; every field differs from the others. */
static struct store_entry *
entry(const char *user, const char *at)
{
	struct store_entry *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->user = strdup(user);
	e->access_token = strdup(at);
	e->refresh_token = strdup("refresh-secret");
	e->id_token = NULL;
	e->issuer = strdup("https://idp.test");
	e->subject = strdup(user);
	e->groups = calloc(3, sizeof(*e->groups));
	assert_non_null(e->groups);
	e->groups[0] = strdup("dev");
	e->groups[1] = strdup("o p,s");
	e->n_groups = 2;
	e->exp = 1900000000;
	e->stored_at = -5;
	return e;
}

static void
reopen(struct fixture *f)
{
	store_clear(&f->s);
	testutil_log_reset(&f->logs);
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log), PJ_OK);
}

static void
test_put_get_drop_restart(void **state)
{
	struct fixture *f = *state;
	struct store_entry *e;
	struct stat st;
	bool dropped = true;
	char path[512];

	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log), PJ_OK);
	snprintf(path, sizeof(path), "token key %s: created", f->keyfile);
	assert_string_equal(f->logs.last, path);
	assert_int_equal(f->logs.count, 1);
	assert_int_equal(f->s.n, 0);
	assert_int_equal(store_put(&f->s, entry("alice", "at-a1")), PJ_OK);
	assert_int_equal(store_put(&f->s, entry("bob", "at-b")), PJ_OK);
	assert_int_equal(store_put(&f->s, entry("alice", "at-a2")), PJ_OK);
	assert_int_equal(f->s.n, 2);

	/* The key was made: 32 bytes, mode 0600; the database 0600. */
	assert_int_equal(stat(f->keyfile, &st), 0);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/" STORE_DB_NAME, f->state);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);

	reopen(f);
	assert_int_equal(f->s.n, 2);
	e = store_find(&f->s, "alice");
	assert_non_null(e);
	assert_string_equal(e->access_token, "at-a2");
	assert_string_equal(e->refresh_token, "refresh-secret");
	assert_null(e->id_token);
	assert_string_equal(e->issuer, "https://idp.test");
	assert_string_equal(e->subject, "alice");
	assert_int_equal(e->n_groups, 2);
	assert_string_equal(e->groups[0], "dev");
	assert_string_equal(e->groups[1], "o p,s");
	assert_null(e->groups[2]);
	assert_int_equal(e->exp, 1900000000);
	assert_int_equal(e->stored_at, -5);
	assert_string_equal(store_find(&f->s, "bob")->access_token, "at-b");
	assert_null(store_find(&f->s, "carol"));

	assert_int_equal(store_drop(&f->s, "bob", &dropped), PJ_OK);
	assert_true(dropped);
	assert_int_equal(store_drop(&f->s, "bob", &dropped), PJ_OK);
	assert_false(dropped);
	reopen(f);
	assert_int_equal(f->s.n, 1);
	assert_null(store_find(&f->s, "bob"));
	assert_int_equal(f->logs.count, 0);
}

/* No token is on disk in clear, in the database or its WAL. */
static void
test_nothing_in_clear(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { STORE_DB_NAME, STORE_DB_NAME "-wal" };
	char path[512], buf[65536];
	size_t i, n, j;
	FILE *fp;

	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log), PJ_OK);
	assert_int_equal(store_put(&f->s, entry("alice",
	    "ACCESS-SECRET-XYZ")), PJ_OK);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", f->state, names[i]);
		fp = fopen(path, "rb");
		assert_non_null(fp);
		n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		for (j = 0; j + 14 <= n; j++) {
			assert_memory_not_equal(buf + j, "refresh-secret",
			    14);
			assert_memory_not_equal(buf + j, "ACCESS-SECRET-",
			    14);
		}
	}
}

static void
test_seal_round_trip_and_tamper(void **state)
{
	unsigned char key[32], key2[32], nonce[12], bad_nonce[12];
	unsigned char *sealed = NULL, *plain = NULL;
	const unsigned char msg[] = "the refresh token";
	size_t slen, len;

	(void)state;
	memset(key, 7, sizeof(key));
	memcpy(key2, key, sizeof(key2));
	key2[31] ^= 1;
	assert_int_equal(store_seal(key, 1, "alice", msg, sizeof(msg),
	    nonce, &sealed, &slen), PJ_OK);
	assert_int_equal(slen, sizeof(msg) + 16);
	assert_memory_not_equal(sealed, msg, sizeof(msg));

	assert_int_equal(store_unseal(key, 1, "alice", nonce, sealed, slen,
	    &plain, &len), PJ_OK);
	assert_int_equal(len, sizeof(msg));
	assert_memory_equal(plain, msg, sizeof(msg));
	wipe_free(plain, len);

	/* Another key, user (AAD), version (AAD), nonce. */
	assert_int_equal(store_unseal(key2, 1, "alice", nonce, sealed, slen,
	    &plain, &len), PJ_ERR_REFUSED);
	assert_null(plain);
	assert_int_equal(store_unseal(key, 1, "alicf", nonce, sealed, slen,
	    &plain, &len), PJ_ERR_REFUSED);
	assert_int_equal(store_unseal(key, 2, "alice", nonce, sealed, slen,
	    &plain, &len), PJ_ERR_REFUSED);
	memcpy(bad_nonce, nonce, sizeof(nonce));
	bad_nonce[0] ^= 0x80;
	assert_int_equal(store_unseal(key, 1, "alice", bad_nonce, sealed,
	    slen, &plain, &len), PJ_ERR_REFUSED);
	/* One bit of the ciphertext, of the tag; a cut tag. */
	sealed[3] ^= 1;
	assert_int_equal(store_unseal(key, 1, "alice", nonce, sealed, slen,
	    &plain, &len), PJ_ERR_REFUSED);
	sealed[3] ^= 1;
	sealed[slen - 1] ^= 1;
	assert_int_equal(store_unseal(key, 1, "alice", nonce, sealed, slen,
	    &plain, &len), PJ_ERR_REFUSED);
	sealed[slen - 1] ^= 1;
	assert_int_equal(store_unseal(key, 1, "alice", nonce, sealed,
	    slen - 1, &plain, &len), PJ_ERR_REFUSED);
	assert_int_equal(store_unseal(key, 1, "alice", nonce, sealed, 15,
	    &plain, &len), PJ_ERR_REFUSED);
	assert_null(plain);
	assert_int_equal(len, 0);
	free(sealed);
}

/* Two seals of the same record never share a nonce. */
static void
test_fresh_nonce(void **state)
{
	unsigned char key[32], n1[12], n2[12], *s1, *s2;
	size_t l1, l2;

	(void)state;
	memset(key, 1, sizeof(key));
	assert_int_equal(store_seal(key, 1, "u", (const unsigned char *)"x",
	    1, n1, &s1, &l1), PJ_OK);
	assert_int_equal(store_seal(key, 1, "u", (const unsigned char *)"x",
	    1, n2, &s2, &l2), PJ_OK);
	assert_memory_not_equal(n1, n2, sizeof(n1));
	assert_memory_not_equal(s1, s2, l1);
	free(s1);
	free(s2);
}

/* Run SQL on the fixture's database behind the store's back. */
static void
sql(struct fixture *f, const char *q)
{
	sqlite3 *db;
	char path[512];

	snprintf(path, sizeof(path), "%s/" STORE_DB_NAME, f->state);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static const char *const dropped_bob = "store: dropping the tokens of "
    "user=bob: they do not decrypt with the token key (another key, or "
    "altered)\n";

static void
check_bob_dropped(struct fixture *f)
{
	reopen(f);
	assert_string_equal(f->logs.all, dropped_bob);
	assert_int_equal(f->logs.prio, LOG_WARNING);
	assert_int_equal(f->s.n, 1);
	assert_non_null(store_find(&f->s, "alice"));
	assert_null(store_find(&f->s, "bob"));
	/* Dropped from the file too: the next start is quiet. */
	reopen(f);
	assert_int_equal(f->logs.count, 0);
	assert_int_equal(f->s.n, 1);
}

static void
put_two(struct fixture *f)
{
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log), PJ_OK);
	assert_int_equal(store_put(&f->s, entry("alice", "a")), PJ_OK);
	assert_int_equal(store_put(&f->s, entry("bob", "b")), PJ_OK);
	store_clear(&f->s);
}

static void
test_tampered_ciphertext_dropped(void **state)
{
	struct fixture *f = *state;

	put_two(f);
	sql(f, "UPDATE tokens SET sealed = CAST(substr(sealed, 1, 5) ||"
	    " X'00' || substr(sealed, 7) AS BLOB) WHERE user = 'bob'");
	check_bob_dropped(f);
}

static void
test_tampered_nonce_dropped(void **state)
{
	struct fixture *f = *state;

	put_two(f);
	sql(f, "UPDATE tokens SET nonce = zeroblob(12) WHERE user = 'bob'");
	check_bob_dropped(f);
}

/* Alice's sealed record moved into bob's row: the AAD names alice. */
static void
test_moved_record_dropped(void **state)
{
	struct fixture *f = *state;

	put_two(f);
	sql(f, "UPDATE tokens SET (nonce, sealed) = (SELECT nonce, sealed"
	    " FROM tokens WHERE user = 'alice') WHERE user = 'bob'");
	check_bob_dropped(f);
}

static void
test_other_version_dropped(void **state)
{
	struct fixture *f = *state;

	put_two(f);
	sql(f, "UPDATE tokens SET version = 2 WHERE user = 'bob'");
	check_bob_dropped(f);
}

static void
test_wrong_key_drops_all(void **state)
{
	struct fixture *f = *state;
	unsigned char other[32];
	char path[512];

	put_two(f);
	memset(other, 0x5a, sizeof(other));
	snprintf(path, sizeof(path), "%s/other.key", f->dir);
	testutil_write_file(path, other, sizeof(other), 0600);
	f->so.token_key_file = path;
	reopen(f);
	assert_int_equal(f->s.n, 0);
	assert_int_equal(f->logs.count, 2);
	assert_string_equal(f->logs.lines[0], "store: dropping the tokens "
	    "of user=alice: they do not decrypt with the token key (another"
	    " key, or altered)");
	assert_string_equal(f->logs.lines[1], "store: dropping the tokens "
	    "of user=bob: they do not decrypt with the token key (another "
	    "key, or altered)");
	/* The old key no longer finds anything either: they are gone. */
	f->so.token_key_file = NULL;
	reopen(f);
	assert_int_equal(f->s.n, 0);
	assert_int_equal(f->logs.count, 0);
}

/* $CREDENTIALS_DIRECTORY/token-key is used, and never made. */
static void
test_credentials_directory(void **state)
{
	struct fixture *f = *state;
	unsigned char key[32];
	char creds[400], path[512], expect[700];

	snprintf(creds, sizeof(creds), "%s/creds", f->dir);
	snprintf(path, sizeof(path), "%s/token-key", creds);
	assert_int_equal(mkdir(creds, 0700), 0);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log),
	    PJ_ERR_FILE);
	snprintf(expect, sizeof(expect), "token key %s: No such file or "
	    "directory", path);
	assert_string_equal(f->logs.last, expect);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(f->keyfile, F_OK), -1);

	/* As systemd's LoadCredential hands it: mode 0400. */
	memset(key, 0x33, sizeof(key));
	testutil_write_file(path, key, sizeof(key), 0400);
	reopen(f);
	assert_int_equal(store_put(&f->s, entry("alice", "a")), PJ_OK);
	reopen(f);
	assert_int_equal(f->s.n, 1);
	assert_int_equal(f->logs.count, 0);
	assert_int_equal(access(f->keyfile, F_OK), -1);
	unsetenv("CREDENTIALS_DIRECTORY");
}

/* The key file: exactly 32 raw bytes, ours, 0600 or 0400. */
static void
test_bad_key_files(void **state)
{
	struct fixture *f = *state;
	char hex[65], expect[700];

	memset(hex, 'a', 64);
	testutil_write_file(f->keyfile, hex, 64, 0600);
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log),
	    PJ_ERR_FILE);
	snprintf(expect, sizeof(expect), "token key %s: must hold exactly "
	    "32 bytes, holds 64", f->keyfile);
	assert_string_equal(f->logs.last, expect);

	testutil_write_file(f->keyfile, hex, 32, 0604);
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log),
	    PJ_ERR_FILE);
	snprintf(expect, sizeof(expect), "token key %s: must be a regular "
	    "file owned by the helper's user (uid %u) with mode 0600 or "
	    "0400, or a root-owned credential no one else may write",
	    f->keyfile, (unsigned)geteuid());
	assert_string_equal(f->logs.last, expect);

	/* A credential systemd placed: root's, group read through an ACL. */
	if (geteuid() == 0) {
		testutil_write_file(f->keyfile, hex, 32, 0440);
		assert_int_equal(store_open(&f->s, &f->so, &f->logs.log),
		    PJ_OK);
		store_clear(&f->s);
	}

	assert_int_equal(unlink(f->keyfile), 0);
	assert_int_equal(symlink("/dev/null", f->keyfile), 0);
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log),
	    PJ_ERR_FILE);
	snprintf(expect, sizeof(expect), "token key %s: Too many levels of "
	    "symbolic links", f->keyfile);
	assert_string_equal(f->logs.last, expect);
	assert_null(f->s.db);
}

static void
test_bad_state_dir(void **state)
{
	struct fixture *f = *state;
	char expect[600];

	assert_int_equal(chmod(f->state, 0750), 0);
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log),
	    PJ_ERR_FILE);
	snprintf(expect, sizeof(expect), "state_dir %s: must be a folder "
	    "owned by the helper's user (uid %u) with mode 0700", f->state,
	    (unsigned)geteuid());
	assert_string_equal(f->logs.last, expect);
	assert_null(f->s.db);
	assert_int_equal(access(f->keyfile, F_OK), -1);
}

/* persist = no: no file is made, not even the key. */
static void
test_persist_no(void **state)
{
	struct fixture *f = *state;
	struct dirent *de;
	DIR *d;
	int n = 0;

	f->so.persist = false;
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log), PJ_OK);
	assert_int_equal(store_put(&f->s, entry("alice", "a")), PJ_OK);
	assert_string_equal(store_find(&f->s, "alice")->access_token, "a");
	d = opendir(f->state);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 0);
	f->so.persist = true;
	reopen(f);
	assert_int_equal(f->s.n, 0);
}

/*
 * The origin survives a restart; a record without it (written before the
 * field existed) reads as root's; any other value refuses the record.
 */
static void
test_origin(void **state)
{
	struct fixture *f = *state;
	struct store_entry *e = entry("alice", "a"), *d = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;

	e->origin = STORE_ORIGIN_LOGIN;
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log), PJ_OK);
	assert_int_equal(store_put(&f->s, e), PJ_OK);
	assert_int_equal(store_put(&f->s, entry("bob", "b")), PJ_OK);
	reopen(f);
	assert_int_equal(store_find(&f->s, "alice")->origin,
	    STORE_ORIGIN_LOGIN);
	assert_int_equal(store_find(&f->s, "bob")->origin,
	    STORE_ORIGIN_ADMIN);

	e = entry("carol", "c");
	e->origin = STORE_ORIGIN_LOGIN;
	assert_int_equal(store_record_encode(e, &buf, &len), PJ_OK);
	/* The last 4 bytes are the origin, big-endian. */
	assert_true(len > 4);
	assert_memory_equal(buf + len - 4, "\0\0\0\1", 4);
	assert_int_equal(store_record_decode("carol", buf, len - 4, &d),
	    PJ_OK);
	assert_int_equal(d->origin, STORE_ORIGIN_ADMIN);
	store_entry_free(d);
	d = NULL;
	buf[len - 1] = 2;
	assert_int_equal(store_record_decode("carol", buf, len, &d),
	    PJ_ERR_REFUSED);
	assert_null(d);
	assert_int_equal(store_record_decode("carol", buf, len - 2, &d),
	    PJ_ERR_REFUSED);
	assert_null(d);
	wipe_free(buf, len);
	store_entry_free(e);
}

/*
 * Sessions are counted per user and per id; the predicate the renewal
 * asks follows them, and root's sets are always renewed.
 */
static void
test_sessions(void **state)
{
	struct fixture *f = *state;
	struct store_entry *e = entry("alice", "a");
	bool was_open;
	size_t n;

	e->origin = STORE_ORIGIN_LOGIN;
	f->so.persist = false;
	assert_int_equal(store_open(&f->s, &f->so, &f->logs.log), PJ_OK);
	assert_int_equal(store_put(&f->s, e), PJ_OK);
	assert_int_equal(store_put(&f->s, entry("bob", "b")), PJ_OK);
	e = store_find(&f->s, "alice");
	assert_false(store_user_has_sessions(&f->s, "alice"));
	assert_false(store_entry_wants_renewal(&f->s, e));
	assert_true(store_entry_wants_renewal(&f->s,
	    store_find(&f->s, "bob")));

	assert_int_equal(store_session_open(&f->s, "alice", "s1", &n), PJ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_session_open(&f->s, "alice", "s1", &n), PJ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_session_open(&f->s, "alice", "s2", &n), PJ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_session_open(&f->s, "bob", "s1", &n), PJ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(f->s.n_sessions, 3);
	assert_true(store_user_has_sessions(&f->s, "alice"));
	assert_true(store_entry_wants_renewal(&f->s, e));

	store_session_close(&f->s, "alice", "s3", &was_open, &n);
	assert_false(was_open);
	assert_int_equal(n, 2);
	store_session_close(&f->s, "alice", "s1", &was_open, &n);
	assert_true(was_open);
	assert_int_equal(n, 1);
	store_session_close(&f->s, "alice", "s2", &was_open, &n);
	assert_true(was_open);
	assert_int_equal(n, 0);
	assert_false(store_user_has_sessions(&f->s, "alice"));
	assert_false(store_entry_wants_renewal(&f->s, e));
	assert_true(store_user_has_sessions(&f->s, "bob"));
	assert_int_equal(f->s.n_sessions, 1);
	store_clear(&f->s);
	assert_int_equal(f->s.n_sessions, 0);
	assert_null(f->s.sessions);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_get_drop_restart,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_in_clear,
		    setup, teardown),
		cmocka_unit_test(test_seal_round_trip_and_tamper),
		cmocka_unit_test(test_fresh_nonce),
		cmocka_unit_test_setup_teardown(
		    test_tampered_ciphertext_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_nonce_dropped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved_record_dropped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_version_dropped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key_drops_all,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_credentials_directory,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_key_files, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_state_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_persist_no, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_origin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
