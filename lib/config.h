/*
 * The configuration: pam_jwt.conf (INI, see DESIGN.md "Configuration
 * file") and the module's arguments, parsed by one parser for the module
 * and the command-line tool.  Top-level keys describe one issuer;
 * [issuer NAME] sections inherit every top-level key they do not set;
 * module arguments override the key at the top level and in every section.
 * An unknown key or argument is an error, never ignored.
 */
#ifndef PJ_CONFIG_H
#define PJ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "log.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define CONFIG_DEFAULT_PATH SYSCONFDIR "/security/pam_jwt.conf"

enum not_a_token_mode { NOT_A_TOKEN_DENY, NOT_A_TOKEN_IGNORE };

/* One issuer's policy: every key of DESIGN.md, defaults applied. */
struct policy {
	char *name;		/* "" for the top level, or the section's */
	char *issuer;
	char **audience;	/* NULL-terminated lists throughout */
	size_t n_audience;
	char *audience_claim;
	char *jwks_file;	/* absolute path, or NULL */
	char *hmac_secret_file;	/* absolute path, or NULL */
	unsigned algorithms;	/* ALG_BIT() mask */
	long leeway;
	long max_token_age;
	char *username_claim;
	char *username_domain;	/* NULL when unset */
	bool allow_root;
	char *groups_claim;
	char **require_group;
	size_t n_require_group;
	char **require_scope;
	size_t n_require_scope;
	char *token_use;	/* NULL when unset */
	char **typ;
	size_t n_typ;
	long max_token_bytes;
	enum not_a_token_mode not_a_token;
	long jwks_max_age;

	/* Keys for the helper and the module's way to reach it. */
	char *client_id;
	char *client_secret_file;
	char *discovery_url;
	char *ca_file;
	long renew_margin;
	bool keep_after_logout;
	long jwks_refresh_min;
	long jwks_refresh_max;
	char *helper_socket;
	long helper_timeout_ms;
	char *state_dir;
	bool persist;
	char *token_key_file;
	char *helper_user;
};

struct config {
	char *path;		/* the file read */
	/*
	 * The top level with overrides applied; always present.  Its
	 * max_token_bytes and not_a_token govern the input before any
	 * section is chosen.
	 */
	struct policy top;
	/* The policies a token is tried against, in file order. */
	struct policy *policies;
	size_t n_policies;
	/* Module flags. */
	bool debug;
	bool audit;
	bool use_first_pass;
	bool try_first_pass;
	/* Owners, besides root, whose files are trusted; see safefile.h. */
	uid_t helper_uid;	/* (uid_t)-1 when helper_user does not exist */
	uid_t extra_owner;	/* (uid_t)-1, or the tool's caller */
};

/*
 * Load the configuration.  ARGV holds module arguments (ARGC of them;
 * none for the tool): "config=FILE" names the file (else PATH, else
 * CONFIG_DEFAULT_PATH), "key=value" overrides a key, and the flags debug,
 * audit, use_first_pass, try_first_pass are recorded.  EXTRA_OWNER is a
 * uid whose files are trusted besides root's ((uid_t)-1: none).
 *
 * Returns PJ_OK and *OUT (free with config_free), PJ_ERR_CONFIG (an
 * unknown or malformed key or argument, a missing required key, "none" in
 * algorithms, an HS* algorithm without hmac_secret_file...), PJ_ERR_FILE
 * (the file missing or unsafe) or PJ_ERR_NOMEM; errors are logged with the
 * file, line and key.
 */
int config_load(const char *path, int argc, const char **argv,
    uid_t extra_owner, const struct pj_log *log, struct config **out);

/* Free a configuration; NULL is fine. */
void config_free(struct config *cfg);

/* Log the effective configuration at LOG_DEBUG, secrets redacted. */
void config_dump(const struct config *cfg, const struct pj_log *log);

#endif
