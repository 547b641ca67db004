/*
 * pam_jwt.conf and the module's arguments.
 *
 * The file is INI as inih reads it, fed one line at a time through our own
 * reader so that the syntax does not depend on how inih was built:
 *
 * - "key = value" only: a line whose first '=' or ':' is a ':' is refused
 *   (inih would take "key: value" too).
 * - A comment starts with '#' or ';' at the beginning of a line, or after
 *   a space or tab anywhere in it ("jwks_file = /x # the IdP keys").  A
 *   '#' or ';' that follows any other character belongs to the value, so
 *   "https://idp/#x" keeps its '#'.
 * - Leading blanks are ignored, so indented lines are ordinary lines
 *   (inih's multi-line continuation never applies).
 * - A line may hold at most INI_MAX_LINE - 2 characters (inih's line
 *   buffer, 198 with Debian's build); a longer line is an error, never cut.
 *   A list key (algorithms too) may be given on several lines of one
 *   section: the values add up.  Any other key given twice in one
 *   section is an error.
 * - The only sections are [issuer NAME], NAME being 1 to 32 of
 *   A-Z a-z 0-9 . _ - and unique in the file.
 *
 * Every value is kept as text per scope (top level, sections, module
 * arguments) and converted once per policy: argument, else the section's
 * own value, else the top level's, else the default.  The keys, their
 * defaults and the conversion are config_keys.c's.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "config_keys.h"
#include "reason.h"
#include "safefile.h"
#include "strutil.h"

#define CONFIG_MAX_SIZE (64 * 1024)
#define SECTION_NAME_MAX 32

/* The text of one scope: the top level, a section, or the arguments. */
struct scope {
	char *name;		/* "" for the top level */
	int line;		/* of the section header */
	struct config_raw v[CONFIG_KEYS_N];
};

struct parser {
	struct config_src src;	/* the file, its folder, the log */
	const char *p, *end;	/* the reader's position */
	int line;
	struct scope *scopes;	/* [0] is the top level */
	size_t n_scopes;
	struct scope args;
	int err;		/* the first error */
};

static void
fail(struct parser *ps, int err)
{
	if (ps->err == PJ_OK)
		ps->err = err;
}

static void
scope_clear(struct scope *s)
{
	size_t i;

	free(s->name);
	for (i = 0; i < CONFIG_KEYS_N; i++)
		free(s->v[i].value);
	memset(s, 0, sizeof(*s));
}

/*
 * Set key K of scope S to VALUE.  A list given again adds up; any other
 * key given twice in one scope is an error.
 */
static int
scope_set(struct parser *ps, struct scope *s, int k, const char *value,
    int line)
{
	struct config_raw *rv = &s->v[k];
	char *joined;
	size_t a, b;

	if (rv->value == NULL) {
		rv->value = strdup(value);
		rv->line = line;
		return rv->value == NULL ? PJ_ERR_NOMEM : PJ_OK;
	}
	if (!config_keys_repeatable(k)) {
		if (line > 0)
			pj_logf(ps->src.log, LOG_ERR, "%.200s:%d: %s set twice "
			    "(first on line %d)", ps->src.path, line,
			    config_keys_name(k), rv->line);
		else
			pj_logf(ps->src.log, LOG_ERR, "argument %s given twice",
			    config_keys_name(k));
		return PJ_ERR_CONFIG;
	}
	a = strlen(rv->value);
	b = strlen(value);
	joined = malloc(a + b + 2);
	if (joined == NULL)
		return PJ_ERR_NOMEM;
	memcpy(joined, rv->value, a);
	joined[a] = ',';
	memcpy(joined + a + 1, value, b + 1);
	free(rv->value);
	rv->value = joined;
	return PJ_OK;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* The NAME of "issuer NAME" (INNER, ILEN bytes), or false. */
static bool
section_name(const char *inner, size_t ilen, const char **name,
    size_t *nlen)
{
	size_t i;

	if (ilen < 7 || memcmp(inner, "issuer", 6) != 0 ||
	    (inner[6] != ' ' && inner[6] != '\t'))
		return false;
	strutil_trim(inner + 6, ilen - 6, name, nlen);
	if (*nlen == 0 || *nlen > SECTION_NAME_MAX)
		return false;
	for (i = 0; i < *nlen; i++)
		if (!is_name_char((*name)[i]))
			return false;
	return true;
}

/* A new scope for section NAME (NLEN bytes), unique in the file. */
static int
scope_add(struct parser *ps, const char *name, size_t nlen)
{
	struct scope *grown;
	size_t i;

	for (i = 1; i < ps->n_scopes; i++) {
		if (strlen(ps->scopes[i].name) == nlen &&
		    memcmp(ps->scopes[i].name, name, nlen) == 0) {
			pj_logf(ps->src.log, LOG_ERR, "%.200s:%d: section "
			    "[issuer %.*s] repeated (first on line %d)",
			    ps->src.path, ps->line, (int)nlen, name,
			    ps->scopes[i].line);
			return PJ_ERR_CONFIG;
		}
	}
	grown = reallocarray(ps->scopes, ps->n_scopes + 1, sizeof(*grown));
	if (grown == NULL)
		return PJ_ERR_NOMEM;
	ps->scopes = grown;
	grown += ps->n_scopes;
	memset(grown, 0, sizeof(*grown));
	grown->name = strndup(name, nlen);
	if (grown->name == NULL)
		return PJ_ERR_NOMEM;
	grown->line = ps->line;
	ps->n_scopes++;
	return PJ_OK;
}

/*
 * A section header line LINE (LEN bytes, blanks and comment removed):
 * "[issuer NAME]".  Starts a new scope.
 */
static int
section_start(struct parser *ps, const char *line, size_t len)
{
	const char *inner, *name;
	size_t ilen, nlen;
	char ebuf[300], *copy;

	if (len < 2 || line[len - 1] != ']') {
		pj_logf(ps->src.log, LOG_ERR, "%.200s:%d: malformed section "
		    "header", ps->src.path, ps->line);
		return PJ_ERR_CONFIG;
	}
	strutil_trim(line + 1, len - 2, &inner, &ilen);
	if (section_name(inner, ilen, &name, &nlen))
		return scope_add(ps, name, nlen);

	copy = strndup(inner, ilen);
	if (copy == NULL)
		return PJ_ERR_NOMEM;
	pj_logf(ps->src.log, LOG_ERR, "%.200s:%d: unknown section [%s]: only "
	    "[issuer NAME] sections exist (NAME: 1 to %d of A-Z a-z 0-9 . _ -)",
	    ps->src.path, ps->line, config_keys_esc(copy, ebuf, sizeof(ebuf)),
	    SECTION_NAME_MAX);
	free(copy);
	return PJ_ERR_CONFIG;
}

/* The length of LINE (LEN bytes) before its comment, if any. */
static size_t
strip_comment(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (line[i] != '#' && line[i] != ';')
			continue;
		if (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')
			return i;
	}
	return len;
}

/*
 * Check one cleaned line (LEN bytes, NUM the room inih has for it): a
 * section header starts a scope; anything else must be "key = value".
 */
static int
check_line(struct parser *ps, const char *line, size_t len, int num)
{
	const char *sep = line;

	if (len + 2 > (size_t)num) {
		pj_logf(ps->src.log, LOG_ERR, "%.200s:%d: line longer than %d "
		    "characters (a list may continue on a second line with "
		    "the same key)", ps->src.path, ps->line, num - 2);
		return PJ_ERR_CONFIG;
	}
	if (len == 0)
		return PJ_OK;
	if (line[0] == '[')
		return section_start(ps, line, len);
	while (sep < line + len && *sep != '=' && *sep != ':')
		sep++;
	if (sep == line + len || *sep == ':') {
		pj_logf(ps->src.log, LOG_ERR, "%.200s:%d: expected \"key = "
		    "value\"", ps->src.path, ps->line);
		return PJ_ERR_CONFIG;
	}
	return PJ_OK;
}

/*
 * inih's reader: the next line of the file into STR (NUM bytes), cleaned
 * as the comment at the top of this file says.  Returns NULL at the end or
 * after an error, which ends the parse.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct parser *ps = stream;
	const char *line, *nl;
	size_t len;
	int ret;

	if (ps->err != PJ_OK || ps->p >= ps->end)
		return NULL;
	line = ps->p;
	nl = memchr(line, '\n', (size_t)(ps->end - line));
	len = nl != NULL ? (size_t)(nl - line) : (size_t)(ps->end - line);
	ps->p = nl != NULL ? nl + 1 : ps->end;
	ps->line++;

	/* A UTF-8 byte order mark may open the file. */
	if (ps->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	len = strip_comment(line, len);
	strutil_trim(line, len, &line, &len);

	ret = check_line(ps, line, len, num);
	if (ret != PJ_OK) {
		fail(ps, ret);
		return NULL;
	}
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* inih's handler: one "key = value" of the current scope. */
static int
handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct parser *ps = user;
	struct scope *s = &ps->scopes[ps->n_scopes - 1];
	char ebuf[300];
	int k, ret;

	(void)section;	/* the reader keeps track of sections */
	if (ps->err != PJ_OK)
		return 0;

	k = config_keys_find(name);
	if (k < 0) {
		pj_logf(ps->src.log, LOG_ERR, "%.200s:%d: unknown key \"%s\"",
		    ps->src.path, ps->line,
		    config_keys_esc(name, ebuf, sizeof(ebuf)));
		ret = PJ_ERR_CONFIG;
	} else {
		ret = scope_set(ps, s, k, value, ps->line);
	}
	if (ret != PJ_OK) {
		fail(ps, ret);
		return 0;
	}
	return 1;
}

/* Parse the file's text BUF of LEN bytes into PS's scopes. */
static int
parse_text(struct parser *ps, const char *buf, size_t len)
{
	int line;

	if (memchr(buf, '\0', len) != NULL) {
		pj_logf(ps->src.log, LOG_ERR, "%.200s: contains a NUL byte",
		    ps->src.path);
		return PJ_ERR_CONFIG;
	}
	ps->p = buf;
	ps->end = buf + len;
	line = ini_parse_stream(reader, ps, handler, ps);
	if (ps->err != PJ_OK)
		return ps->err;
	if (line != 0) {
		/* inih found something the reader let through. */
		pj_logf(ps->src.log, LOG_ERR, "%.200s:%d: syntax error",
		    ps->src.path, line);
		return PJ_ERR_CONFIG;
	}
	return PJ_OK;
}

/* A bare module flag: true when A is one (and it is now set). */
static bool
set_flag(struct config *cfg, const char *a)
{
	bool *flag = NULL;

	if (strcmp(a, "debug") == 0)
		flag = &cfg->debug;
	else if (strcmp(a, "audit") == 0)
		flag = &cfg->audit;
	else if (strcmp(a, "use_first_pass") == 0)
		flag = &cfg->use_first_pass;
	else if (strcmp(a, "try_first_pass") == 0)
		flag = &cfg->try_first_pass;
	if (flag != NULL)
		*flag = true;
	return flag != NULL;
}

/*
 * The module's arguments: flags, "config=FILE" (into *FILE) and
 * "key=value" overrides into PS->args.
 */
static int
parse_args(struct parser *ps, int argc, const char **argv,
    struct config *cfg, const char **file)
{
	char ebuf[300], kbuf[64];
	int i, k, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		const char *val;
		size_t klen, vlen;
		char *v;

		if (set_flag(cfg, a))
			continue;

		klen = eq != NULL ? (size_t)(eq - a) : 0;
		if (eq == NULL || klen >= sizeof(kbuf)) {
			pj_logf(ps->src.log, LOG_ERR, "unknown argument \"%s\"",
			    config_keys_esc(a, ebuf, sizeof(ebuf)));
			return PJ_ERR_CONFIG;
		}
		memcpy(kbuf, a, klen);
		kbuf[klen] = '\0';
		strutil_trim(eq + 1, strlen(eq + 1), &val, &vlen);

		if (strcmp(kbuf, "config") == 0) {
			if (*file != NULL || vlen == 0) {
				pj_logf(ps->src.log, LOG_ERR, "argument "
				    "config= given twice or empty");
				return PJ_ERR_CONFIG;
			}
			*file = eq + 1;
			continue;
		}
		k = config_keys_find(kbuf);
		if (k < 0) {
			pj_logf(ps->src.log, LOG_ERR, "unknown argument \"%s\"",
			    config_keys_esc(kbuf, ebuf, sizeof(ebuf)));
			return PJ_ERR_CONFIG;
		}
		v = strndup(val, vlen);
		if (v == NULL)
			return PJ_ERR_NOMEM;
		ret = scope_set(ps, &ps->args, k, v, 0);
		free(v);
		if (ret != PJ_OK)
			return ret;
	}
	return PJ_OK;
}

/* A name for log lines: "the top level" or "[issuer NAME]". */
static void
scope_label(const struct scope *s, char *buf, size_t size)
{
	if (s->name[0] == '\0')
		(void)snprintf(buf, size, "top level");
	else
		(void)snprintf(buf, size, "[issuer %s] (line %d)", s->name,
		    s->line);
}

/*
 * Build the policy of scope S (the top level when S is PS->scopes) into
 * *P, and check it when it is one a token is tried against.
 */
static int
build_policy(struct parser *ps, const struct scope *s, bool check,
    struct policy *p)
{
	const struct scope *top = &ps->scopes[0];
	char label[80];
	int k;
	int ret;

	memset(p, 0, sizeof(*p));
	p->name = strdup(s->name);
	if (p->name == NULL)
		return PJ_ERR_NOMEM;

	for (k = 0; k < CONFIG_KEYS_N; k++) {
		const struct config_raw *rv = NULL;

		if (ps->args.v[k].value != NULL)
			rv = &ps->args.v[k];
		else if (s->v[k].value != NULL)
			rv = &s->v[k];
		else if (top->v[k].value != NULL)
			rv = &top->v[k];
		if (rv == NULL && config_keys_default(k) == NULL)
			continue;
		ret = config_keys_convert(&ps->src, p, k, rv);
		if (ret != PJ_OK)
			return ret;
	}
	ret = config_keys_complete(&ps->src, p);
	if (ret != PJ_OK || !check)
		return ret;
	scope_label(s, label, sizeof(label));
	return config_keys_validate(&ps->src, label, p);
}

static int
build_config(struct parser *ps, struct config *cfg)
{
	size_t i, n;
	int ret;

	ret = build_policy(ps, &ps->scopes[0], false, &cfg->top);
	if (ret != PJ_OK)
		return ret;

	/* The top level is a policy when it names an issuer. */
	n = ps->n_scopes - (cfg->top.issuer != NULL ? 0 : 1);
	if (n == 0) {
		pj_logf(ps->src.log, LOG_ERR, "%.200s: no issuer: set issuer "
		    "or add an [issuer NAME] section", ps->src.path);
		return PJ_ERR_CONFIG;
	}
	cfg->policies = calloc(n, sizeof(*cfg->policies));
	if (cfg->policies == NULL)
		return PJ_ERR_NOMEM;

	for (i = cfg->top.issuer != NULL ? 0 : 1; i < ps->n_scopes; i++) {
		ret = build_policy(ps, &ps->scopes[i], true,
		    &cfg->policies[cfg->n_policies]);
		cfg->n_policies++;
		if (ret != PJ_OK)
			return ret;
	}
	return PJ_OK;
}

/* The uid of USER, or (uid_t)-1 when there is no such user. */
static int
lookup_user(const char *user, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	size_t size = 4096;
	char *buf = NULL;
	int ret = PJ_ERR_NOMEM, e;

	*uid = (uid_t)-1;
	if (user == NULL)
		return PJ_OK;
	for (;;) {
		char *nbuf = realloc(buf, size);

		if (nbuf == NULL)
			goto out;
		buf = nbuf;
		e = getpwnam_r(user, &pw, buf, size, &res);
		if (e != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (res != NULL)
		*uid = pw.pw_uid;
	ret = PJ_OK;
out:
	free(buf);
	return ret;
}

/* PATH made absolute against the working folder (no symlinks resolved). */
static char *
absolute_path(const char *path)
{
	char cwd[PATH_MAX];
	size_t clen, plen = strlen(path);
	char *out;

	if (path[0] == '/')
		return strdup(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	clen = strlen(cwd);
	out = malloc(clen + plen + 2);
	if (out == NULL)
		return NULL;
	memcpy(out, cwd, clen);
	out[clen] = '/';
	memcpy(out + clen + 1, path, plen + 1);
	return out;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len = (size_t)(slash - path);

	return strndup(path, len == 0 ? 1 : len);
}

/* Read the file PS->path and parse it into PS's scopes. */
static int
read_file(struct parser *ps, uid_t extra_owner)
{
	struct safefile_rule rule = { .owners = { 0 }, .n_owners = 1,
	    .secret = false, .secret_gid = (gid_t)-1,
	    .max_size = CONFIG_MAX_SIZE };
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (extra_owner != (uid_t)-1 && extra_owner != 0)
		rule.owners[rule.n_owners++] = extra_owner;
	ret = safefile_read(ps->src.path, &rule, ps->src.log, &buf, &len, NULL);
	if (ret != PJ_OK)
		return ret;
	ret = parse_text(ps, buf, len);
	free(buf);
	return ret;
}

/*
 * An empty parser holding the top level's scope.  Clear it with
 * parser_clear even when this fails.
 */
static int
parser_init(struct parser *ps, const struct pj_log *log)
{
	memset(ps, 0, sizeof(*ps));
	ps->src.log = log;
	ps->scopes = calloc(1, sizeof(*ps->scopes));
	if (ps->scopes == NULL)
		return PJ_ERR_NOMEM;
	ps->n_scopes = 1;
	ps->scopes[0].name = strdup("");
	return ps->scopes[0].name == NULL ? PJ_ERR_NOMEM : PJ_OK;
}

static void
parser_clear(struct parser *ps)
{
	size_t i;

	for (i = 0; i < ps->n_scopes; i++)
		scope_clear(&ps->scopes[i]);
	free(ps->scopes);
	scope_clear(&ps->args);
}

int
config_load(const char *path, int argc, const char **argv,
    uid_t extra_owner, const struct pj_log *log, struct config **out)
{
	struct parser ps;
	struct config *cfg = NULL;
	const char *file = NULL;
	char *dir = NULL;
	int ret = PJ_ERR_NOMEM;

	*out = NULL;
	cfg = calloc(1, sizeof(*cfg));
	if (parser_init(&ps, log) != PJ_OK || cfg == NULL)
		goto out;
	cfg->helper_uid = (uid_t)-1;
	cfg->extra_owner = extra_owner;

	/* Arguments first: they may name the file. */
	ret = parse_args(&ps, argc, argv, cfg, &file);
	if (ret != PJ_OK)
		goto out;
	ret = PJ_ERR_NOMEM;
	cfg->path = absolute_path(file != NULL ? file :
	    path != NULL ? path : CONFIG_DEFAULT_PATH);
	dir = cfg->path != NULL ? dir_of(cfg->path) : NULL;
	if (dir == NULL)
		goto out;
	ps.src.path = cfg->path;
	ps.src.dir = dir;

	ret = read_file(&ps, extra_owner);
	if (ret == PJ_OK)
		ret = build_config(&ps, cfg);
	if (ret == PJ_OK)
		ret = lookup_user(cfg->top.helper_user, &cfg->helper_uid);
	if (ret != PJ_OK)
		goto out;
	*out = cfg;
	cfg = NULL;
	ret = PJ_OK;
out:
	if (ret == PJ_ERR_NOMEM)
		pj_logf(log, LOG_CRIT, "configuration: out of memory");
	config_free(cfg);
	parser_clear(&ps);
	free(dir);
	return ret;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_policies; i++)
		config_keys_clear(&cfg->policies[i]);
	free(cfg->policies);
	config_keys_clear(&cfg->top);
	free(cfg->path);
	free(cfg);
}

void
config_dump(const struct config *cfg, const struct pj_log *log)
{
	char buf[400];
	size_t i;
	int k;

	if (cfg == NULL || log == NULL || !log->debug)
		return;
	pj_logf(log, LOG_DEBUG, "config %.200s: %zu polic%s, helper uid %ld",
	    cfg->path, cfg->n_policies, cfg->n_policies == 1 ? "y" : "ies",
	    cfg->helper_uid == (uid_t)-1 ? -1L : (long)cfg->helper_uid);
	/* No key holds a secret itself: secrets live in the files named. */
	for (i = 0; i < cfg->n_policies; i++) {
		const struct policy *p = &cfg->policies[i];

		for (k = 0; k < CONFIG_KEYS_N; k++) {
			config_keys_format(p, k, buf, sizeof(buf));
			pj_logf(log, LOG_DEBUG, "config [%s] %s = %s",
			    p->name[0] != '\0' ? p->name : "top",
			    config_keys_name(k), buf);
		}
	}
}
