/*
 * pamdriver: runs PAM operations through the real libpam for the module
 * tests, with a scripted conversation, and prints what a test asserts:
 * each prompt, each operation's PAM code by name, and the PAM
 * environment afterwards.  pamtester can show none of the three
 * precisely.
 *
 *   pamdriver [-d CONFDIR] [-a ANSWERS] [-e NAME=VALUE]... [-r RHOST]
 *       SERVICE USER OPERATION...
 *   pamdriver --dlsym MODULE
 *
 * CONFDIR holds the service files (pam_start_confdir, so no root and no
 * /etc/pam.d).  ANSWERS has one answer a line, with \n, \r, \t and \\
 * escapes; a prompt with no answer left fails the conversation.  -e puts
 * a variable into the PAM environment before the first operation.
 * OPERATION is authenticate, acct_mgmt, setcred, open_session,
 * close_session or chauthtok.
 *
 * Output, one item a line:
 *   prompt: echo_off JWT: 
 *   authenticate: PAM_AUTH_ERR
 *   env: PAM_JWT_SUB=alice
 *
 * --dlsym checks that the module exports the pam_sm_* entry points and
 * nothing else (a module's internals must not clash with the host's).
 */
#include "autoconf.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#define DRIVER_MAX_ANSWERS 256
#define DRIVER_MAX_ENV 32

struct script {
	char *answers[DRIVER_MAX_ANSWERS];
	size_t n;
	size_t next;
};

struct code_name {
	int code;
	const char *name;
};

#define CODE(c) { c, #c }
static const struct code_name code_names[] = {
	CODE(PAM_SUCCESS), CODE(PAM_OPEN_ERR), CODE(PAM_SYMBOL_ERR),
	CODE(PAM_SERVICE_ERR), CODE(PAM_SYSTEM_ERR), CODE(PAM_BUF_ERR),
	CODE(PAM_PERM_DENIED), CODE(PAM_AUTH_ERR), CODE(PAM_CRED_INSUFFICIENT),
	CODE(PAM_AUTHINFO_UNAVAIL), CODE(PAM_USER_UNKNOWN), CODE(PAM_MAXTRIES),
	CODE(PAM_NEW_AUTHTOK_REQD), CODE(PAM_ACCT_EXPIRED),
	CODE(PAM_SESSION_ERR), CODE(PAM_CRED_UNAVAIL), CODE(PAM_CRED_EXPIRED),
	CODE(PAM_CRED_ERR), CODE(PAM_CONV_ERR), CODE(PAM_AUTHTOK_ERR),
	CODE(PAM_AUTHTOK_RECOVERY_ERR), CODE(PAM_AUTHTOK_LOCK_BUSY),
	CODE(PAM_AUTHTOK_DISABLE_AGING), CODE(PAM_TRY_AGAIN),
	CODE(PAM_IGNORE), CODE(PAM_ABORT), CODE(PAM_AUTHTOK_EXPIRED),
	CODE(PAM_MODULE_UNKNOWN), CODE(PAM_BAD_ITEM), CODE(PAM_CONV_AGAIN),
	CODE(PAM_INCOMPLETE),
};

static const char *
code_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof(code_names) / sizeof(code_names[0]); i++) {
		if (code_names[i].code == code)
			return code_names[i].name;
	}
	return "PAM_UNKNOWN_CODE";
}

/* Print S with bytes outside printable ASCII as \xHH. */
static void
print_escaped(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			printf("\\x%02X", c);
		else
			putchar(c);
	}
}

static const char *
style_name(int style)
{
	switch (style) {
	case PAM_PROMPT_ECHO_OFF:
		return "echo_off";
	case PAM_PROMPT_ECHO_ON:
		return "echo_on";
	case PAM_ERROR_MSG:
		return "error";
	case PAM_TEXT_INFO:
		return "info";
	default:
		break;
	}
	return "unknown";
}

static int
converse(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	struct script *script = arg;
	struct pam_response *r;
	int i;

	*resp = NULL;
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		int style = msg[i]->msg_style;

		printf("prompt: %s ", style_name(style));
		print_escaped(msg[i]->msg);
		putchar('\n');
		if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
			continue;
		if (script->next >= script->n) {
			printf("prompt: (no answer left)\n");
			goto fail;
		}
		r[i].resp = strdup(script->answers[script->next++]);
		if (r[i].resp == NULL)
			goto fail;
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

/* Decode the escapes of one answer line in place. */
static void
unescape(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*out++ = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			*out++ = '\n';
			break;
		case 'r':
			*out++ = '\r';
			break;
		case 't':
			*out++ = '\t';
			break;
		default:
			*out++ = *s;
			break;
		}
	}
	*out = '\0';
}

static int
load_answers(const char *path, struct script *script)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (script->n == DRIVER_MAX_ANSWERS)
			break;
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		unescape(line);
		script->answers[script->n] = strdup(line);
		if (script->answers[script->n] == NULL)
			break;
		script->n++;
	}
	free(line);
	fclose(f);
	return 0;
}

static int
run_op(pam_handle_t *pamh, const char *op)
{
	if (strcmp(op, "authenticate") == 0)
		return pam_authenticate(pamh, 0);
	if (strcmp(op, "acct_mgmt") == 0)
		return pam_acct_mgmt(pamh, 0);
	if (strcmp(op, "setcred") == 0)
		return pam_setcred(pamh, PAM_ESTABLISH_CRED);
	if (strcmp(op, "open_session") == 0)
		return pam_open_session(pamh, 0);
	if (strcmp(op, "close_session") == 0)
		return pam_close_session(pamh, 0);
	if (strcmp(op, "chauthtok") == 0)
		return pam_chauthtok(pamh, 0);
	return -1;
}

static void
print_env(pam_handle_t *pamh)
{
	char **env = pam_getenvlist(pamh);
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++) {
		printf("env: ");
		print_escaped(env[i]);
		putchar('\n');
		free(env[i]);
	}
	free(env);
}

/* Exported names that must not resolve, and those that must. */
static int
dlsym_check(const char *path)
{
	static const char *const wanted[] = {
		"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt",
		"pam_sm_open_session", "pam_sm_close_session",
		"pam_sm_chauthtok",
	};
	static const char *const hidden[] = {
		"authtok_get", "authtok_clear", "modenv_set", "modenv_read",
		"modenv_encode", "modlog_init", "modlog_decision",
		"modctx_pam_code", "modctx_verify", "config_load",
		"verifier_new", "verifier_verify", "reason_name", "wipe",
		"b64url_decode", "jsonstrict_parse_object", "sig_verify",
		"safefile_read", "strutil_escape", "pj_logf",
	};
	void *h;
	size_t i;
	int failed = 0;

	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		bool ok = dlsym(h, wanted[i]) != NULL;

		printf("%s: %s %s\n", ok ? "exported" : "MISSING", wanted[i],
		    ok ? "(wanted)" : "");
		failed |= !ok;
	}
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		bool leaked = dlsym(h, hidden[i]) != NULL;

		printf("%s: %s\n", leaked ? "LEAKED" : "hidden", hidden[i]);
		failed |= leaked;
	}
	dlclose(h);
	return failed;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pamdriver [-d CONFDIR] [-a ANSWERS] "
	    "[-e NAME=VALUE]... [-r RHOST]\n"
	    "                 SERVICE USER OPERATION...\n"
	    "       pamdriver --dlsym MODULE\n");
}

int
main(int argc, char **argv)
{
	struct script script;
	struct pam_conv conv = { converse, &script };
	pam_handle_t *pamh = NULL;
	const char *confdir = NULL;
	const char *rhost = NULL;
	const char *env[DRIVER_MAX_ENV];
	size_t n_env = 0;
	size_t i;
	int argi = 1;
	int rc;

	memset(&script, 0, sizeof(script));
	if (argc == 3 && strcmp(argv[1], "--dlsym") == 0)
		return dlsym_check(argv[2]);

	while (argi + 1 < argc && argv[argi][0] == '-') {
		const char *opt = argv[argi];
		const char *val = argv[argi + 1];

		argi += 2;
		if (strcmp(opt, "-d") == 0) {
			confdir = val;
		} else if (strcmp(opt, "-a") == 0) {
			if (load_answers(val, &script) != 0)
				return 2;
		} else if (strcmp(opt, "-e") == 0 && n_env < DRIVER_MAX_ENV) {
			env[n_env++] = val;
		} else if (strcmp(opt, "-r") == 0) {
			rhost = val;
		} else {
			usage();
			return 2;
		}
	}
	if (argc - argi < 3) {
		usage();
		return 2;
	}

	rc = pam_start_confdir(argv[argi], argv[argi + 1], &conv, confdir,
	    &pamh);
	if (rc != PAM_SUCCESS) {
		printf("pam_start: %s\n", code_name(rc));
		return 2;
	}
	if (rhost != NULL)
		pam_set_item(pamh, PAM_RHOST, rhost);
	for (i = 0; i < n_env; i++)
		pam_putenv(pamh, env[i]);

	for (argi += 2; argi < argc; argi++) {
		rc = run_op(pamh, argv[argi]);
		if (rc < 0) {
			usage();
			pam_end(pamh, PAM_SYSTEM_ERR);
			return 2;
		}
		printf("%s: %s\n", argv[argi], code_name(rc));
	}
	print_env(pamh);
	pam_end(pamh, rc);

	for (i = 0; i < script.n; i++)
		free(script.answers[i]);
	return 0;
}
