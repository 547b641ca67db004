/*
 * Getting the token from PAM_AUTHTOK or the conversation, in parts when
 * it is long (see authtok.h).
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "authtok.h"
#include "strutil.h"
#include "wipe.h"

/* The first allocation; the buffer grows as parts come. */
#define AUTHTOK_INITIAL_SIZE 1024

/* Where the previous part sits in the buffer, for the repeat check. */
struct part {
	size_t off;
	size_t len;
};

/*
 * Ask for part PART (1: "JWT: ") with echo off.  *ANSWER is the reply
 * (wipe_free_str it), NULL when the client sent none.
 */
static int
ask(pam_handle_t *pamh, unsigned part, char **answer)
{
	char prompt[32];
	int rc;

	*answer = NULL;
	if (part == 1)
		snprintf(prompt, sizeof(prompt), "%s", AUTHTOK_PROMPT);
	else
		snprintf(prompt, sizeof(prompt), AUTHTOK_PART_PROMPT, part);

	rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, answer, "%s", prompt);
	if (rc != PAM_SUCCESS) {
		wipe_free_str(*answer);
		*answer = NULL;
		return PJ_ERR_INTERNAL;
	}
	return PJ_OK;
}

/* Make room for N more bytes and a NUL, wiping the old buffer. */
static int
reserve(struct authtok *tok, size_t n)
{
	size_t size;
	char *buf;

	if (tok->len + n < tok->size)
		return PJ_OK;
	size = tok->size > 0 ? tok->size : AUTHTOK_INITIAL_SIZE;
	while (size <= tok->len + n)
		size *= 2;

	buf = malloc(size);
	if (buf == NULL)
		return PJ_ERR_NOMEM;
	if (tok->len > 0)
		memcpy(buf, tok->buf, tok->len);
	buf[tok->len] = '\0';
	wipe_free(tok->buf, tok->size);
	tok->buf = buf;
	tok->size = size;
	return PJ_OK;
}

static void
refuse(enum reason *reason, enum reason r, char *msg, size_t msgsize,
    const char *text, unsigned part)
{
	*reason = r;
	snprintf(msg, msgsize, "%s (part %u)", text, part);
}

/*
 * Append the trimmed answer ANSWER as part PART.  PREV is the previous
 * part (updated).  Refusals: empty, repeated, too large.
 */
static int
append_part(struct authtok *tok, const char *answer, unsigned part,
    long max, struct part *prev, enum reason *reason, char *msg,
    size_t msgsize)
{
	const char *s = "";
	size_t len = 0;
	int err = PJ_ERR_REFUSED;

	if (answer != NULL)
		strutil_trim(answer, strlen(answer), &s, &len);
	if (len == 0) {
		refuse(reason, REASON_MALFORMED, msg, msgsize,
		    "empty answer", part);
		goto out;
	}
	if (part > 1 && len == prev->len &&
	    memcmp(s, tok->buf + prev->off, len) == 0) {
		refuse(reason, REASON_MALFORMED, msg, msgsize,
		    "answer repeats the previous one", part);
		goto out;
	}
	if (len > (size_t)max || tok->len > (size_t)max - len) {
		*reason = REASON_TOO_LARGE;
		snprintf(msg, msgsize, "input longer than %ld bytes", max);
		goto out;
	}

	err = reserve(tok, len);
	if (err != PJ_OK)
		goto out;
	prev->off = tok->len;
	prev->len = len;
	memcpy(tok->buf + tok->len, s, len);
	tok->len += len;
	tok->buf[tok->len] = '\0';
	err = PJ_OK;
out:
	return err;
}

/*
 * The first part: PAM_AUTHTOK (copied into *ANSWER) when the options say
 * so and it is set, else a prompt.  *FROM_ITEM tells which.
 */
static int
first_answer(pam_handle_t *pamh, const struct config *cfg, char **answer,
    bool *from_item)
{
	const void *item = NULL;

	*answer = NULL;
	*from_item = false;
	if (cfg->use_first_pass || cfg->try_first_pass) {
		if (pam_get_item(pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS)
			item = NULL;
		if (item != NULL || cfg->use_first_pass) {
			*from_item = true;
			if (item == NULL)
				return PJ_OK;
			*answer = strdup(item);
			return *answer != NULL ? PJ_OK : PJ_ERR_NOMEM;
		}
	}
	return ask(pamh, 1, answer);
}

/*
 * Input that is not a token, with not_a_token = ignore: leave it, as
 * typed, in PAM_AUTHTOK for the password module after this one.
 */
static int
pass_on(pam_handle_t *pamh, const char *answer, bool from_item)
{
	if (from_item)
		return PJ_ERR_NOT_TOKEN;
	/* pam_set_item copies the string; it fails only for memory. */
	if (pam_set_item(pamh, PAM_AUTHTOK, answer) != PAM_SUCCESS)
		return PJ_ERR_NOMEM;
	return PJ_ERR_NOT_TOKEN;
}

/*
 * Ask for parts 2, 3, ... while the token in TOK is incomplete; *PART is
 * the last part asked for.
 */
static int
ask_rest(pam_handle_t *pamh, struct verifier *v, long max,
    struct authtok *tok, struct part *prev, unsigned *part,
    enum reason *reason, char *msg, size_t msgsize)
{
	enum token_state state = TOKEN_INCOMPLETE;
	char *answer = NULL;
	int err = PJ_OK;

	while (state == TOKEN_INCOMPLETE) {
		(*part)++;
		err = ask(pamh, *part, &answer);
		if (err != PJ_OK)
			break;
		err = append_part(tok, answer, *part, max, prev, reason, msg,
		    msgsize);
		wipe_free_str(answer);
		answer = NULL;
		if (err != PJ_OK)
			break;
		err = verifier_token_state(v, tok->buf, tok->len, &state);
		if (err != PJ_OK)
			break;
	}
	return err;
}

int
authtok_get(pam_handle_t *pamh, const struct config *cfg,
    struct verifier *v, const struct pj_log *log, struct authtok *tok,
    enum reason *reason, char *msg, size_t msgsize)
{
	long max = cfg->top.max_token_bytes;
	struct part prev = { 0, 0 };
	enum token_state state;
	char *answer = NULL;
	bool from_item;
	unsigned part = 1;
	int err;

	memset(tok, 0, sizeof(*tok));
	*reason = REASON_NONE;
	msg[0] = '\0';

	err = first_answer(pamh, cfg, &answer, &from_item);
	if (err != PJ_OK)
		goto out;
	err = append_part(tok, answer, part, max, &prev, reason, msg,
	    msgsize);
	if (err != PJ_OK)
		goto out;

	err = verifier_token_state(v, tok->buf, tok->len, &state);
	if (err != PJ_OK)
		goto out;
	if (state == TOKEN_NOT_A_TOKEN &&
	    cfg->top.not_a_token == NOT_A_TOKEN_IGNORE) {
		err = pass_on(pamh, answer, from_item);
		authtok_clear(tok);
		goto out;
	}

	wipe_free_str(answer);
	answer = NULL;

	/* use_first_pass never prompts: the input is judged as it is. */
	if (state == TOKEN_INCOMPLETE && !cfg->use_first_pass)
		err = ask_rest(pamh, v, max, tok, &prev, &part, reason, msg,
		    msgsize);
	if (err != PJ_OK)
		goto out;
	pj_logf(log, LOG_DEBUG, "input of %zu bytes in %u part(s)",
	    tok->len, part);
out:
	wipe_free_str(answer);
	if (err != PJ_OK)
		authtok_clear(tok);
	return err;
}

void
authtok_clear(struct authtok *tok)
{
	wipe_free(tok->buf, tok->size);
	memset(tok, 0, sizeof(*tok));
}
